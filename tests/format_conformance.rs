//! Every case of `$MEMOR_CONFORMANCE/format/cases.jsonl` (CPython 3.11's `str.format`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Tally, read_jsonl};
use serde_json::Value;

#[test]
fn format_conformance() {
    let cases = read_jsonl("format/cases.jsonl");
    let mut tally = Tally::default();
    for (line, case) in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        let template = case["template"].as_str().expect("template is a string");
        let context = &case["context"];
        assert!(context.is_object(), "line {line}: context is not an object");
        let got = memor_template::format(template, context);
        match (case.get("expect"), case.get("error")) {
            (Some(Value::String(expect)), None) => {
                tally.check(got.as_ref().ok() == Some(expect), || {
                    format!(
                        "{id} (line {line}) {template:?}\n  expected {expect:?}\n  got      {got:?}"
                    )
                });
            }
            (None, Some(Value::String(class))) => {
                let ok = matches!(&got, Err(e) if e.kind().python_name() == class);
                tally.check(ok, || {
                    format!(
                        "{id} (line {line}) {template:?}\n  expected {class}: {}\n  got      {got:?}",
                        case["message"]
                    )
                });
            }
            _ => panic!("line {line}: a case has either `expect` or `error`"),
        }
    }
    tally.finish("format conformance");
}
