//! Rendering memor's three-field prompt template, the hot path of every prompt render.
#![allow(missing_docs, clippy::expect_used)]
//!
//! `scripts/bench_template.py` runs this bench and CPython's `str.format` on the same template
//! and values, and prints the ratio.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use memor_template::Template;

/// memor's `BASIC.PROMPT_RESPONSE_STANDARD`-style template.
pub const TEMPLATE: &str = "{instruction}Prompt: {prompt[message]}\nResponse: {response[message]}";

fn context() -> serde_json::Value {
    serde_json::json!({
        "instruction": "You are a helpful assistant. Answer briefly.\n",
        "prompt": {"message": "What is the capital of France?", "role": "user"},
        "response": {"message": "The capital of France is Paris.", "role": "assistant"},
    })
}

fn bench(c: &mut Criterion) {
    let ctx = context();
    let template = Template::parse(TEMPLATE).expect("the template parses");
    let mut group = c.benchmark_group("template");
    group.bench_function("render_3_fields", |b| {
        b.iter(|| black_box(&template).render(black_box(&ctx)));
    });
    let mut out = String::with_capacity(256);
    group.bench_function("render_3_fields_into", |b| {
        b.iter(|| {
            out.clear();
            black_box(&template).render_into(&mut out, black_box(&ctx))
        });
    });
    group.bench_function("parse", |b| b.iter(|| Template::parse(black_box(TEMPLATE))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
