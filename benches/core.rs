//! memor-core on a 10,000-message session built like `../shared/tools/py_memor_bench.py`.
//!
//! `scripts/bench_core.py` saves that session with Python memor 1.4, times memor there, runs
//! this bench on the same file (`MEMOR_BENCH_SESSION`), and prints the ratios. Without the
//! variable, the bench builds an equivalent session itself.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::semicolon_if_nothing_returned
)]

use criterion::{BatchSize, Criterion, black_box, criterion_group, criterion_main};
use memor_core::estimate::Estimator;
use memor_core::{Message, Prompt, PromptTemplate, Response, Role, Session};

const WORDS: [&str; 17] = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "memory", "model", "prompt",
    "response", "session", "context", "transfer", "token", "the",
];

/// A session like the Python bench's: a system prompt, then prompt/response pairs.
fn build(n: usize) -> Session {
    let mut seed = 7u64;
    let mut text = |k: usize| {
        (0..k)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                WORDS[(seed >> 33) as usize % 16]
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let preset = memor_presets::Preset::find("INSTRUCTION1.PROMPT_RESPONSE_STANDARD").unwrap();
    let mut system = Prompt::new("You are a helpful assistant.");
    system.update_role(Role::System);
    let mut messages = vec![Message::Prompt(system)];
    for _ in 0..n / 2 {
        let mut r = Response::new(text(60));
        r.update_model("gpt-4o");
        r.update_temperature(Some(0.7.into())).unwrap();
        r.update_score(Some(0.5.into())).unwrap();
        r.update_tokens(Some(80i64.into())).unwrap();
        let mut p = Prompt::new(text(25));
        p.add_response(r.clone(), None);
        p.update_template(PromptTemplate::from_preset(preset));
        messages.push(Message::Prompt(p));
        messages.push(Message::Response(r));
    }
    Session::with_messages(Some("bench".into()), messages)
}

fn session_text() -> String {
    match std::env::var("MEMOR_BENCH_SESSION") {
        Ok(path) => std::fs::read_to_string(path).expect("the session file reads"),
        Err(_) => build(10_000).to_json().unwrap(),
    }
}

fn bench(c: &mut Criterion) {
    let text = session_text();
    let session = Session::from_json(&text).expect("the bench session loads");
    let mut group = c.benchmark_group("core");
    group.sample_size(20);
    group.bench_function("load", |b| {
        b.iter(|| Session::from_json(black_box(&text)).unwrap())
    });
    group.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(text.as_bytes())).unwrap());
    });
    group.bench_function("save_to_string", |b| {
        b.iter(|| black_box(&session).to_json().unwrap())
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    group.bench_function("save_file", |b| {
        b.iter(|| black_box(&session).save(&path).unwrap())
    });
    // The file system's share of a save: replacing the file with the same bytes, atomically.
    group.bench_function("replace_file_baseline", |b| {
        b.iter(|| memor_core::write_atomic(&path, black_box(text.as_bytes())).unwrap())
    });
    group.bench_function("render_string", |b| {
        b.iter(|| black_box(&session).render_string().unwrap())
    });
    let openai = memor_render::target("openai").unwrap();
    let options = memor_render::RenderOptions::default();
    group.bench_function("render_openai", |b| {
        b.iter(|| openai.render(black_box(&session), &options).unwrap());
    });
    let query = memor_core::search::Query::new("lazy dog", false, false).unwrap();
    group.bench_function("search", |b| {
        b.iter(|| black_box(&session).search(black_box(&query)))
    });
    group.bench_function("estimate_universal", |b| {
        b.iter_batched(
            || (),
            |()| Estimator::Universal.estimate(&black_box(&session).render_string().unwrap()),
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
