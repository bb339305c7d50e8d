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
///
/// Lines are read as Python's `json.loads` reads them (memor-core's reader) and converted to
/// `serde_json` values; what serde_json cannot hold is kept exactly in one-key objects:
/// `{"$bigint": "123…"}` for integers beyond 64 bits, `{"$float": "NaN"}` for non-finite floats.
pub(crate) fn read_jsonl(relative: &str) -> Vec<(usize, serde_json::Value)> {
    let path = conformance_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let cases: Vec<_> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let value = memor_core::json::parse(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1));
            (i + 1, py_to_serde(&value))
        })
        .collect();
    assert!(!cases.is_empty(), "{} holds no case", path.display());
    cases
}

/// A Python JSON value as a `serde_json` value (see [`read_jsonl`] for the markers).
pub(crate) fn py_to_serde(v: &memor_core::json::PyValue) -> serde_json::Value {
    use memor_core::json::{Number, PyValue};
    use serde_json::Value;
    match v {
        PyValue::Null => Value::Null,
        PyValue::Bool(b) => Value::Bool(*b),
        PyValue::Number(Number::Int(i)) => Value::from(*i),
        PyValue::Number(Number::BigInt(t)) => serde_json::json!({"$bigint": &**t}),
        PyValue::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map_or_else(|| serde_json::json!({"$float": v_float(*f)}), Value::Number),
        PyValue::Str(s) => Value::String(s.clone()),
        PyValue::List(l) => Value::Array(l.iter().map(py_to_serde).collect()),
        PyValue::Dict(d) => {
            Value::Object(d.iter().map(|(k, v)| (k.clone(), py_to_serde(v))).collect())
        }
    }
}

fn v_float(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// The inverse of [`py_to_serde`].
pub(crate) fn serde_to_py(v: &serde_json::Value) -> memor_core::json::PyValue {
    use memor_core::json::{Number, PyDict, PyList, PyValue};
    use serde_json::Value;
    match v {
        Value::Null => PyValue::Null,
        Value::Bool(b) => PyValue::Bool(*b),
        Value::Number(n) => PyValue::Number(match n.as_i64() {
            Some(i) => Number::Int(i),
            None => match n.as_u64() {
                Some(u) => Number::from(u),
                None => Number::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
        }),
        Value::String(s) => PyValue::Str(s.clone()),
        Value::Array(a) => PyValue::List(PyList(a.iter().map(serde_to_py).collect())),
        Value::Object(m) => {
            if m.len() == 1 {
                if let Some(Value::String(t)) = m.get("$bigint") {
                    return PyValue::Number(Number::BigInt(t.clone().into()));
                }
                if let Some(Value::String(t)) = m.get("$float") {
                    let f = match t.as_str() {
                        "NaN" => f64::NAN,
                        "Infinity" => f64::INFINITY,
                        _ => f64::NEG_INFINITY,
                    };
                    return PyValue::Number(Number::Float(f));
                }
            }
            let mut d = PyDict::new();
            for (k, v) in m {
                d.insert(k.clone(), serde_to_py(v));
            }
            PyValue::Dict(d)
        }
    }
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
