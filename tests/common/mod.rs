//! Helpers shared by the conformance tests.
#![allow(dead_code, clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

/// The conformance corpus: `$MEMOR_CONFORMANCE`, or `../shared/conformance` beside the repo.
pub(crate) fn conformance_dir() -> PathBuf {
    match std::env::var_os("MEMOR_CONFORMANCE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/conformance"
        )),
    }
}

/// Reads a JSON-lines file of the corpus, failing the test when it is missing or empty.
pub(crate) fn read_jsonl(relative: &str) -> Vec<(usize, serde_json::Value)> {
    let path = conformance_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let cases: Vec<_> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1));
            (i + 1, value)
        })
        .collect();
    assert!(!cases.is_empty(), "{} holds no case", path.display());
    cases
}

/// Collects failures and prints the summary line `NAME: P passed, F failed`.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) passed: usize,
    pub(crate) failures: Vec<String>,
}

impl Tally {
    pub(crate) fn check(&mut self, ok: bool, describe: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(describe());
        }
    }

    pub(crate) fn finish(self, name: &str) {
        for f in &self.failures {
            println!("FAIL {f}");
        }
        println!(
            "{name}: {} passed, {} failed",
            self.passed,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{} {name} case(s) failed",
            self.failures.len()
        );
    }
}
