//! Importing a large ChatGPT export, against a bare `serde_json` parse of the same bytes.
//!
//! The export is made by `../shared/tools/make_big_chatgpt_export.py` (2,000 conversations by
//! default, about 22 MB) unless `MEMOR_BENCH_EXPORT` names one. Before timing, the bench checks
//! that the import reaches the counts the generator prints. `scripts/bench_import.py` runs this
//! bench and measures peak memory for two export sizes.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::semicolon_if_nothing_returned
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use memor_import::{Options, Role, Source, import};

/// The export to read, and the counts a correct import reaches (when the bench made the file).
fn export() -> (PathBuf, Option<serde_json::Value>) {
    if let Ok(path) = std::env::var("MEMOR_BENCH_EXPORT") {
        let counts = std::env::var("MEMOR_BENCH_EXPORT_COUNTS")
            .ok()
            .map(|c| serde_json::from_str(&c).expect("MEMOR_BENCH_EXPORT_COUNTS is JSON"));
        return (PathBuf::from(path), counts);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tool = std::env::var_os("MEMOR_SHARED")
        .map_or_else(|| root.join("../shared"), PathBuf::from)
        .join("tools/make_big_chatgpt_export.py");
    let out = std::env::temp_dir().join("memor-bench-conversations.json");
    let run = Command::new("python3")
        .arg(&tool)
        .arg(&out)
        .arg("2000")
        .output()
        .expect("python3 runs the export generator");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let line = String::from_utf8(run.stdout).unwrap();
    let counts = serde_json::from_str(line.lines().last().unwrap()).unwrap();
    (out, Some(counts))
}

#[derive(Debug, Default, PartialEq)]
struct Counts {
    conversations: u64,
    user_messages: u64,
    assistant_messages: u64,
    alternatives: u64,
    tool_calls: u64,
    skipped: u64,
}

fn run_import(path: &Path) -> Counts {
    let mut c = Counts::default();
    for conversation in import(path, Source::ChatGpt, &Options::default()).unwrap() {
        let conversation = conversation.unwrap();
        if !conversation.is_skipped() {
            c.conversations += 1;
        }
        c.skipped += conversation.skipped.len() as u64;
        for m in &conversation.messages {
            match m.role {
                Role::User => c.user_messages += 1,
                Role::Assistant => c.assistant_messages += 1,
                Role::System => {}
            }
            c.alternatives += m.alternatives.len() as u64;
            c.tool_calls += m.tool_calls.len() as u64;
        }
    }
    c
}

fn bench(c: &mut Criterion) {
    let (path, expected) = export();
    let got = run_import(&path);
    if let Some(e) = expected {
        let want = Counts {
            conversations: e["conversations"].as_u64().unwrap(),
            user_messages: e["user_messages"].as_u64().unwrap(),
            assistant_messages: e["assistant_messages"].as_u64().unwrap(),
            alternatives: e["alternatives"].as_u64().unwrap(),
            tool_calls: e["tool_calls"].as_u64().unwrap(),
            skipped: e["skipped"].as_u64().unwrap(),
        };
        assert_eq!(
            got, want,
            "the import does not reach the generator's counts"
        );
    }
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("chatgpt", |b| {
        b.iter(|| black_box(run_import(black_box(&path))))
    });
    group.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| {
            let bytes = std::fs::read(black_box(&path)).unwrap();
            black_box(serde_json::from_slice::<serde_json::Value>(&bytes).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
