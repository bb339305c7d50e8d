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

#[path = "common/mod.rs"]
mod common;
use memor_render::fit::{FitOptions, fit};
use memor_render::tokens::{Counter, Encoding};
use memor_render::{RenderOptions, target};

/// The budget of the `fit` benches, and the reserve left for the reply.
const BUDGET: usize = 32_768;
const RESERVE: usize = 1_024;

fn bench(c: &mut Criterion) {
    let session = common::session();
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
