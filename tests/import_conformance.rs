//! Runs every export under `$MEMOR_CONFORMANCE/imports/` against its `*.expect.json`.
//!
//! Each folder is named after its source (`chatgpt`, `claude`, `gemini-takeout`, `ai-studio`,
//! `gemini-cli`). An expectation is either `{"error": CODE}` (the import must end with that error,
//! naming the file) or the list of conversations, compared field by field, with `skipped` and
//! `notes` compared as multisets. Prints `import conformance: P passed, F failed`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use memor::import::{Conversation, Options, Source, import};
use serde_json::Value;

/// Every (source, input, expectation) of the corpus.
fn cases() -> Vec<(Source, PathBuf, PathBuf)> {
    let root = common::conformance_dir().join("imports");
    let mut out = Vec::new();
    let dirs = std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    for dir in dirs {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
        let source = Source::from_str(&folder)
            .unwrap_or_else(|_| panic!("{}: not a known source folder", dir.display()));
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for expect in files
            .iter()
            .filter(|p| p.to_string_lossy().ends_with(".expect.json"))
        {
            let name = expect.file_name().unwrap().to_string_lossy();
            let stem = name.strip_suffix(".expect.json").unwrap();
            let input = files
                .iter()
                .find(|p| {
                    let n = p.file_name().unwrap().to_string_lossy();
                    !n.ends_with(".expect.json")
                        && n.strip_prefix(stem)
                            .is_some_and(|rest| matches!(rest, ".json" | ".jsonl" | ".html" | ""))
                })
                .unwrap_or_else(|| panic!("{}: no input beside it", expect.display()));
            out.push((source, input.clone(), expect.clone()));
        }
    }
    out
}

/// A conversation as JSON, with `skipped` and `notes` sorted (they compare as multisets).
fn normalized(c: &Conversation) -> Value {
    let mut v = serde_json::to_value(c).unwrap();
    for key in ["skipped", "notes"] {
        if let Some(Value::Array(items)) = v.get_mut(key) {
            items.sort_by_key(std::string::ToString::to_string);
        }
    }
    v
}

/// The first difference between two JSON values, as a path.
fn first_difference(path: &str, want: &Value, got: &Value) -> Option<String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let p = format!("{path}.{k}");
                match g.get(k) {
                    Some(gv) => {
                        if let Some(d) = first_difference(&p, wv, gv) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{p}: missing")),
                }
            }
            g.keys()
                .find(|k| !w.contains_key(*k))
                .map(|k| format!("{path}.{k}: unexpected"))
        }
        (Value::Array(w), Value::Array(g)) => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                if let Some(d) = first_difference(&format!("{path}[{i}]"), wv, gv) {
                    return Some(d);
                }
            }
            (w.len() != g.len())
                .then(|| format!("{path}: {} items expected, {} found", w.len(), g.len()))
        }
        _ => (want != got).then(|| format!("{path}: expected {want}, found {got}")),
    }
}

/// Runs one case; `Err` says what differs.
fn run(source: Source, input: &Path, expect: &Path) -> Result<(), String> {
    let expected: Value = serde_json::from_slice(&std::fs::read(expect).unwrap()).unwrap();
    let mut got = Vec::new();
    let mut error = None;
    match import(input, source, &Options::default()) {
        Ok(iter) => {
            for item in iter {
                match item {
                    Ok(c) => got.push(c),
                    Err(e) => error = Some(e),
                }
            }
        }
        Err(e) => error = Some(e),
    }
    if let Some(code) = expected.get("error").and_then(Value::as_str) {
        let Some(e) = error else {
            return Err(format!("expected error {code}, the import succeeded"));
        };
        if e.kind().code() != code {
            return Err(format!(
                "expected error {code}, got {}: {e}",
                e.kind().code()
            ));
        }
        let name = input.file_name().unwrap().to_string_lossy();
        if !e.to_string().contains(&*name) {
            return Err(format!("the error does not name the file: {e}"));
        }
        return Ok(());
    }
    if let Some(e) = error {
        return Err(format!("unexpected error: {e}"));
    }
    let want: Vec<Conversation> = serde_json::from_value(expected)
        .map_err(|e| format!("expectation does not parse as conversations: {e}"))?;
    let want = Value::Array(want.iter().map(normalized).collect());
    let got = Value::Array(got.iter().map(normalized).collect());
    match first_difference("", &want, &got) {
        None => Ok(()),
        Some(d) => Err(d),
    }
}

#[test]
fn import_conformance() {
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no import case found under the conformance directory"
    );
    let mut failures = BTreeMap::new();
    for (source, input, expect) in &cases {
        if let Err(why) = run(*source, input, expect) {
            failures.insert(input.display().to_string(), why);
        }
    }
    for (input, why) in &failures {
        eprintln!("FAIL {input}: {why}");
    }
    println!(
        "import conformance: {} passed, {} failed",
        cases.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} import cases failed",
        failures.len()
    );
}
