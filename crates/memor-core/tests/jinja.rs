//! Jinja templates against jinja2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use memor_core::jinja::{self, JinjaErrorKind};
use memor_core::json::{self, PyDict, PyValue};

fn kind_name(kind: JinjaErrorKind) -> &'static str {
    match kind {
        JinjaErrorKind::Syntax => "syntax",
        JinjaErrorKind::Undefined => "undefined",
        JinjaErrorKind::Render => "render",
    }
}

/// Development aid: renders the probes of `$JINJA_PROBES` (JSON lines `[source, context]`).
#[test]
#[ignore = "development aid"]
fn harness() {
    let path = std::env::var("JINJA_PROBES").unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let probe: serde_json::Value = serde_json::from_str(line).unwrap();
        let src = probe[0].as_str().unwrap();
        let ctx = match probe.get(1) {
            Some(c) => match json::parse(&c.to_string()).unwrap() {
                PyValue::Dict(d) => d,
                _ => PyDict::new(),
            },
            None => PyDict::new(),
        };
        let r = match jinja::render(src, &ctx) {
            Ok(s) => serde_json::json!({"ok": s}),
            Err(e) => serde_json::json!({"err": kind_name(e.kind()), "msg": e.to_string()}),
        };
        let v = match jinja::variables(src) {
            Ok(s) => serde_json::json!({"ok": s}),
            Err(e) => serde_json::json!({"err": kind_name(e.kind()), "msg": e.to_string()}),
        };
        println!("PROBE {}", serde_json::json!([src, r, v]));
    }
}
