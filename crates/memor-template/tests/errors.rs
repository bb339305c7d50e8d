//! What users read when a template fails: kind, CPython's message and the byte offset.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;

use memor_template::{Template, format};
use serde_json::json;

#[test]
fn error_messages() {
    let ctx = json!({
        "name": "Ada", "n": 42, "f": 0.5, "b": true, "none": null,
        "l": [1, 2], "d": {"k": "v"}, "big": 1e300,
    });
    let cases = [
        // Syntax, raised where CPython reads it.
        "Hello {name",
        "Hello }",
        "Hello {",
        "{name!}",
        "{name!x}",
        "{name!r",
        "{name!rx}",
        "{na{me}",
        "{name:{n:{n}}}",
        "{l[0}",
        "{l[0]x}",
        "{d.}",
        "{99999999999999999999}",
        // Lookups.
        "{missing}",
        "{missing}}",
        "{}",
        "{0}",
        "{d[x]}",
        "{d[0]}",
        "{l[5]}",
        "{l[k]}",
        "{name[9]}",
        "{name[k]}",
        "{n[0]}",
        "{d.k}",
        "{f.numerator}",
        // Format specs.
        "{name:d}",
        "{name:=10}",
        "{name:+}",
        "{name:,}",
        "{n:.2}",
        "{n:,x}",
        "{n:,_}",
        "{n:z}",
        "{n:+c}",
        "{n:c}",
        "{f:.3d}",
        "{f:++5}",
        "{f:.}",
        "{b:s}",
        "{none:>5}",
        "{l:>5}",
        "{d:>5}",
        "{big:,.2147483648f}",
        "{n:e}",
        // Limits of this crate.
        "{n:2000000}",
        "{f:.2000000f}",
    ];
    let mut report = String::new();
    for template in cases {
        let outcome = match format(template, &ctx) {
            Ok(text) => format!("ok {text:?}"),
            Err(e) => e.to_string(),
        };
        let strict = match Template::parse(template) {
            Ok(_) => "parses".to_owned(),
            Err(e) => format!("parse refused at byte {}", e.offset()),
        };
        writeln!(report, "{template:<24} => {outcome}  [{strict}]").unwrap();
    }
    insta::assert_snapshot!(report);
}
