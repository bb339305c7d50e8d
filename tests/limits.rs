//! Every documented limit: the limit itself is accepted, the limit + 1 is refused with a clear
//! error, before any large allocation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use memor_core::json::{self, PyValue};
use memor_template::{ErrorKind, MAX_WIDTH, format, py};

fn ctx() -> json::PyDict {
    match json::parse(r#"{"s": "abc", "n": 7, "f": 1.5}"#).unwrap() {
        PyValue::Dict(d) => d,
        _ => unreachable!(),
    }
}

#[test]
fn template_width_and_precision() {
    let ctx = ctx();
    let at = format(&format!("{{n:{MAX_WIDTH}}}"), &ctx).unwrap();
    assert_eq!(at.chars().count(), MAX_WIDTH);
    let over = format(&format!("{{n:{}}}", MAX_WIDTH + 1), &ctx).unwrap_err();
    assert_eq!(over.kind(), ErrorKind::Limit);
    assert!(over.message().contains("width"), "{over}");
    let over = format(&format!("{{s:>{}}}", MAX_WIDTH + 1), &ctx).unwrap_err();
    assert_eq!(over.kind(), ErrorKind::Limit);
    assert!(format(&format!("{{f:.{MAX_WIDTH}f}}"), &ctx).is_ok());
    let over = format(&format!("{{f:.{}f}}", MAX_WIDTH + 1), &ctx).unwrap_err();
    assert_eq!(over.kind(), ErrorKind::Limit);
    assert!(over.message().contains("precision"), "{over}");
}

#[test]
fn printed_nesting() {
    let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let at = json::parse(&format!(r#"{{"v": {}}}"#, nested(py::MAX_DEPTH))).unwrap();
    let PyValue::Dict(at) = at else {
        unreachable!()
    };
    assert!(format("{v}", &at).is_ok());
    let over = json::parse(&format!(r#"{{"v": {}}}"#, nested(py::MAX_DEPTH + 1))).unwrap();
    let PyValue::Dict(over) = over else {
        unreachable!()
    };
    assert_eq!(
        format("{v}", &over).unwrap_err().kind(),
        ErrorKind::Recursion
    );
}

#[test]
fn integer_digits() {
    let at = "9".repeat(py::MAX_INT_DIGITS);
    let PyValue::Dict(d) = json::parse(&format!(r#"{{"n": {at}}}"#)).unwrap() else {
        unreachable!()
    };
    assert_eq!(format("{n}", &d).unwrap(), at);
    let over = format!(r#"{{"n": {at}9}}"#);
    let err = json::parse(&over).unwrap_err();
    assert!(err.message.contains("4300"), "{err}");
}

#[test]
fn json_nesting() {
    let depth = json::read::MAX_DEPTH;
    let doc = |d: usize| format!("{}{}", "[".repeat(d), "]".repeat(d));
    assert!(json::parse(&doc(depth)).is_ok());
    let err = json::parse(&doc(depth + 1)).unwrap_err();
    assert_eq!(err.offset, depth, "{err}");
}

#[test]
fn xml_tree_depth() {
    let depth = memor_core::xml::MAX_TREE_DEPTH;
    let doc = |d: usize| format!("{}{}", "<a>".repeat(d), "</a>".repeat(d));
    assert!(memor_core::xml::xml_tree(&doc(depth)).is_ok());
    assert!(memor_core::xml::xml_tree(&doc(depth + 1)).is_err());
}

#[test]
fn import_conversation_size_and_nesting() {
    use memor::import::{ErrorKind, Options, SkipReason, Source, import_bytes};
    // A conversation of exactly the cap is read; one byte more is skipped whole, and the import
    // goes on.
    let element = r#"{"title": "t", "mapping": {}}"#;
    let cap = element.len();
    let file = format!("[{element}, {element} ]");
    let read = import_bytes(
        file.as_bytes(),
        "c.json",
        Source::ChatGpt,
        &Options::default().max_conversation_bytes(cap),
    )
    .unwrap();
    assert_eq!(read.len(), 2);
    assert!(
        read.iter()
            .all(|c| c.skipped.iter().all(|s| s.reason != SkipReason::TooLarge))
    );
    let bigger = format!("[{element} , {{\"title\": \"tt\", \"mapping\": {{}}}}]");
    let read = import_bytes(
        bigger.as_bytes(),
        "c.json",
        Source::ChatGpt,
        &Options::default().max_conversation_bytes(cap),
    )
    .unwrap();
    assert_eq!(read[1].skipped[0].reason, SkipReason::TooLarge);
    assert!(read[1].is_skipped());

    // JSON nesting: 127 levels per conversation (serde_json's limit), refused with the offset.
    let nested = |d: usize| format!("[{}{}]", "[".repeat(d), "]".repeat(d));
    assert!(
        import_bytes(
            nested(127).as_bytes(),
            "c.json",
            Source::ChatGpt,
            &Options::default()
        )
        .is_ok()
    );
    let err = import_bytes(
        nested(128).as_bytes(),
        "c.json",
        Source::ChatGpt,
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidJson);
    assert!(err.offset().is_some_and(|o| o > 100 && o < 140), "{err}");
}
