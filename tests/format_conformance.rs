//! Every case of `$MEMOR_CONFORMANCE/format/cases.jsonl` (CPython 3.11's `str.format`).
//!
//! Lines are read with memor-core's reader of Python's JSON dialect, which keeps integers of
//! any size exactly, as CPython's `json.loads` did when the cases were made.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Tally, conformance_dir};
use memor_core::json::{self, PyValue};

#[test]
fn format_conformance() {
    let path = conformance_dir().join("format/cases.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut tally = Tally::default();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line_no = i + 1;
        let Ok(PyValue::Dict(case)) = json::parse(line) else {
            panic!("line {line_no}: not a JSON object");
        };
        let field = |k: &str| case.get(k).and_then(PyValue::as_str);
        let id = field("id").unwrap_or("?");
        let template = field("template").expect("template is a string");
        let Some(PyValue::Dict(context)) = case.get("context") else {
            panic!("line {line_no}: context is not an object");
        };
        let got = memor_template::format(template, context);
        match (field("expect"), field("error")) {
            (Some(expect), None) => {
                tally.check(got.as_deref().ok() == Some(expect), || {
                    format!("{id} (line {line_no}) {template:?}\n  expected {expect:?}\n  got      {got:?}")
                });
            }
            (None, Some(class)) => {
                let ok = matches!(&got, Err(e) if e.kind().python_name() == class);
                tally.check(ok, || {
                    format!(
                        "{id} (line {line_no}) {template:?}\n  expected {class}: {}\n  got      {got:?}",
                        field("message").unwrap_or("")
                    )
                });
            }
            _ => panic!("line {line_no}: a case has either `expect` or `error`"),
        }
    }
    assert!(
        tally.passed + tally.failures.len() > 0,
        "{} holds no case",
        path.display()
    );
    tally.finish("format conformance");
}
