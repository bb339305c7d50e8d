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
use memor_core::Session;
use memor_core::estimate::Estimator;

#[path = "common/mod.rs"]
mod common;
use common::session_text;

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
