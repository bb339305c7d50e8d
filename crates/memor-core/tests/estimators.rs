//! Conformance of the three token estimators with memor 1.4.
//!
//! Reads `$MEMOR_CONFORMANCE/memor/estimators.jsonl` (default: the workspace's
//! `shared/conformance`), one `{"text", "UNIVERSAL", "OPENAI_GPT_3_5", "OPENAI_GPT_4"}` object a
//! line, with the optional internal values `_is_code` and `_openai_raw`, and checks every line.

use std::path::PathBuf;

use memor_core::estimate::{Estimator, is_code_snippet, openai_raw_estimate};
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    std::env::var_os("MEMOR_CONFORMANCE").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/conformance"
            ))
        },
        PathBuf::from,
    )
}

/// The differences between memor's values on `line` and ours (empty when they agree).
fn check_line(line: &Value, raw: &str) -> Result<Vec<String>, String> {
    let text = line
        .get("text")
        .and_then(Value::as_str)
        .ok_or("no string `text`")?;
    let mut differences = Vec::new();
    for estimator in Estimator::ALL {
        let name = estimator.as_str();
        let expected = line
            .get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("no integer `{name}`"))?;
        let actual = estimator.estimate(text) as u64;
        if actual != expected {
            differences.push(format!("{name}: expected {expected}, got {actual}"));
        }
    }
    if let Some(expected) = line.get("_is_code") {
        let expected = expected.as_bool().ok_or("`_is_code` is not a bool")?;
        let actual = is_code_snippet(text);
        if actual != expected {
            differences.push(format!("_is_code: expected {expected}, got {actual}"));
        }
    }
    if let Some(expected) = line.get("_openai_raw") {
        // serde_json's default float parsing is not always correctly rounded; read the number
        // as Python did, with memor-core's reader.
        let _ = expected;
        let exact = memor_core::json::parse(raw).map_err(|e| e.to_string())?;
        let expected = match exact.as_dict().and_then(|d| d.get("_openai_raw")) {
            Some(memor_core::json::PyValue::Number(n)) => n.as_f64(),
            _ => return Err("`_openai_raw` is not a number".into()),
        };
        let actual = openai_raw_estimate(text);
        if actual.to_bits() != expected.to_bits() {
            differences.push(format!(
                "_openai_raw: expected {expected:?}, got {actual:?}"
            ));
        }
    }
    Ok(differences)
}

#[test]
fn estimators_match_memor() {
    let path = corpus_dir().join("memor").join("estimators.jsonl");
    let content = match std::fs::read_to_string(&path) {
        Ok(content) => content,
        Err(error) => panic!("cannot read {}: {error}", path.display()),
    };
    let mut passed = 0usize;
    let mut failures = Vec::new();
    for (number, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let outcome = serde_json::from_str::<Value>(line)
            .map_err(|error| error.to_string())
            .and_then(|value| check_line(&value, line).map(|differences| (value, differences)));
        match outcome {
            Ok((_, differences)) if differences.is_empty() => passed += 1,
            Ok((value, differences)) => failures.push(format!(
                "line {}: text {}\n    {}",
                number + 1,
                value.get("text").map(Value::to_string).unwrap_or_default(),
                differences.join("\n    ")
            )),
            Err(error) => failures.push(format!("line {}: malformed: {error}", number + 1)),
        }
    }
    println!("estimators: {passed} passed, {} failed", failures.len());
    for failure in &failures {
        println!("{failure}");
    }
    assert!(
        passed + failures.len() > 0,
        "{} holds no case",
        path.display()
    );
    assert!(
        failures.is_empty(),
        "{} estimator case(s) failed",
        failures.len()
    );
}
