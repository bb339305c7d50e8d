//! Token counts and `fit` on the 10,000-message session of `../shared/tools/py_memor_bench.py`.
//!
//! `scripts/bench_tokens.py` saves that session with Python memor 1.4, times memor 1.4's
//! `estimate_tokens` there, runs this bench on the same file (`MEMOR_BENCH_SESSION`), and
//! prints the times, the counts and the ratio. Without the variable, the bench builds an
//! equivalent session itself. With `MEMOR_BENCH_SUMMARY` set, the counts and the fits' sizes
//! are written there as JSON.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::semicolon_if_nothing_returned
)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use memor_core::estimate::Estimator;
use memor_core::{Message, Prompt, PromptTemplate, Response, Role, Session};
use memor_render::fit::{FitOptions, fit};
use memor_render::tokens::{Counter, Encoding};
use memor_render::{RenderOptions, target};

const WORDS: [&str; 17] = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "memory", "model", "prompt",
    "response", "session", "context", "transfer", "token", "the",
];

/// The budget of the `fit` benches, and the reserve left for the reply.
const BUDGET: usize = 32_768;
const RESERVE: usize = 1_024;

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
        let mut p = Prompt::new(text(25));
        p.add_response(r.clone(), None);
        p.update_template(PromptTemplate::from_preset(preset));
        messages.push(Message::Prompt(p));
        messages.push(Message::Response(r));
    }
    Session::with_messages(Some("bench".into()), messages)
}

fn session() -> Session {
    match std::env::var("MEMOR_BENCH_SESSION") {
        Ok(path) => {
            let text = std::fs::read_to_string(path).expect("the session file reads");
            Session::from_json(&text).expect("the bench session loads")
        }
        Err(_) => build(10_000),
    }
}

fn bench(c: &mut Criterion) {
    let session = session();
    let openai = target("openai").unwrap();
    let options = RenderOptions::default();
    let exact = Counter::exact(Encoding::O200kBase).expect("the `tiktoken` feature");
    let estimate = Counter::estimate(Estimator::Universal);
    let fit_options = FitOptions::new(BUDGET).reserve(RESERVE);

    // The numbers themselves, once.
    let exact_count = exact
        .count_render(openai.as_ref(), &session, &options)
        .unwrap();
    let estimate_count = estimate
        .count_render(openai.as_ref(), &session, &options)
        .unwrap();
    let exact_fit = fit(&session, openai.as_ref(), &exact, &fit_options).unwrap();
    let estimate_fit = fit(&session, openai.as_ref(), &estimate, &fit_options).unwrap();
    eprintln!("openai render of {} messages:", session.len());
    eprintln!("  exact:    {}", exact_count.total);
    eprintln!("  estimate: {}", estimate_count.total);
    eprintln!("  fit {BUDGET} - {RESERVE}, exact:    {exact_fit}");
    eprintln!("  fit {BUDGET} - {RESERVE}, estimate: {estimate_fit}");
    if let Ok(path) = std::env::var("MEMOR_BENCH_SUMMARY") {
        let summary = serde_json::json!({
            "messages": session.len(),
            "exact": {"tokens": exact_count.total.tokens, "kind": exact_count.total.kind.to_string()},
            "estimate": {"tokens": estimate_count.total.tokens, "kind": estimate_count.total.kind.to_string()},
            "fit": {
                "budget": BUDGET,
                "reserve": RESERVE,
                "exact": {"kept": exact_fit.kept.len(), "tokens": exact_fit.count.tokens, "renders": exact_fit.renders},
                "estimate": {"kept": estimate_fit.kept.len(), "tokens": estimate_fit.count.tokens, "renders": estimate_fit.renders},
            },
        });
        std::fs::write(path, summary.to_string()).expect("the summary is written");
    }

    let mut group = c.benchmark_group("tokens");
    group.sample_size(10);
    group.bench_function("exact_count_openai_render", |b| {
        b.iter(|| {
            exact
                .count_render(openai.as_ref(), black_box(&session), &options)
                .unwrap()
        })
    });
    let payload = openai.render(&session, &options).unwrap().payload;
    group.bench_function("exact_count_openai_payload", |b| {
        b.iter(|| exact.count_payload(black_box(&payload)))
    });
    group.bench_function("estimate_count_openai_render", |b| {
        b.iter(|| {
            estimate
                .count_render(openai.as_ref(), black_box(&session), &options)
                .unwrap()
        })
    });
    group.bench_function("fit_32k_exact", |b| {
        b.iter(|| fit(black_box(&session), openai.as_ref(), &exact, &fit_options).unwrap())
    });
    group.bench_function("fit_32k_estimate", |b| {
        b.iter(|| {
            fit(
                black_box(&session),
                openai.as_ref(),
                &estimate,
                &fit_options,
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
