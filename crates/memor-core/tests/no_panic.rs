//! Mutated memor files never make a loader panic, and every refusal says where.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use memor_core::{Object, Prompt, PromptTemplate, Response, Session};
use proptest::prelude::*;

fn objects_dir() -> PathBuf {
    let base = std::env::var_os("MEMOR_CONFORMANCE").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/conformance"
            ))
        },
        PathBuf::from,
    );
    base.join("memor/objects")
}

/// The texts of the fixture objects (small ones first, to keep cases fast).
fn seeds() -> Vec<String> {
    let mut texts: Vec<String> = std::fs::read_dir(objects_dir())
        .expect("the objects folder exists")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    assert!(!texts.is_empty(), "no fixture object found");
    texts.sort_by_key(String::len);
    texts.truncate(40);
    texts
}

/// A mutation of a JSON text.
#[derive(Clone, Debug)]
enum Edit {
    Truncate(usize),
    FlipByte(usize, u8),
    Insert(usize, &'static str),
    Delete(usize, usize),
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "true",
    "NaN",
    "-Infinity",
    "1e400",
    "123456789012345678901234567890",
    "-0",
    "\"\\ud800\"",
    "\"\\udfff\\ud800\"",
    "\u{0}",
    "\u{1f}",
    "\"\\u00\"",
    "[[[[[[[[[[[[",
    "{\"type\": \"Prompt\"}",
    "\"date_created\": \"2024-02-30 00:00:00 +0000\"",
    "\"id\": 7",
    "\"role\": \"robot\"",
    "\"messages_status\": [1]",
    "é",
    "😀",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::FlipByte(i, b)),
        (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(i, t)| Edit::Insert(i, t)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let len = bytes.len().max(1);
        match *e {
            Edit::Truncate(i) => bytes.truncate(i % len),
            Edit::FlipByte(i, b) => {
                if !bytes.is_empty() {
                    let j = i % bytes.len();
                    bytes[j] ^= b;
                }
            }
            Edit::Insert(i, t) => {
                let j = i % (bytes.len() + 1);
                bytes.splice(j..j, t.bytes());
            }
            Edit::Delete(i, n) => {
                let j = i % len;
                let end = (j + n).min(bytes.len());
                if j < end {
                    bytes.drain(j..end);
                }
            }
        }
    }
    bytes
}

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        // Files go through `Object::load`, which reports invalid UTF-8 with its offset.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.json");
        std::fs::write(&path, bytes).unwrap();
        let err = Object::load(&path).unwrap_err();
        prop_assert!(err.detail().is_some_and(|d| d.contains("byte")), "{err}");
        return Ok(());
    };
    let results = [
        Response::from_json(text).map(drop),
        Prompt::from_json(text).map(drop),
        Session::from_json(text).map(drop),
        PromptTemplate::from_json(text).map(drop),
        Object::from_json(text).map(drop),
    ];
    for r in results {
        if let Err(e) = r {
            prop_assert!(!e.message().is_empty());
            prop_assert!(
                e.detail().is_some() || e.message().contains('`'),
                "no location: {e}"
            );
        }
    }
    // Whatever loads renders (or fails to) and saves without panicking.
    if let Ok(object) = Object::from_json(text) {
        let saved = object.to_json().unwrap();
        prop_assert!(
            Object::from_json(&saved).is_ok(),
            "a saved object does not load back"
        );
        if let Object::Session(s) = object {
            let _ = s.render_string();
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic(seed in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..5)) {
        let seeds = seeds();
        let text = &seeds[seed.index(seeds.len())];
        check(&apply(text, &edits))?;
    }
}

#[test]
fn deep_nesting_is_refused_with_an_offset() {
    let deep = format!(
        r#"{{"type": "Response", "message": "", "warnings": {{"tokens": {{"x": {}{}}}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = Response::from_json(&deep).unwrap_err();
    assert!(err.detail().unwrap().contains("byte"), "{err}");
}

#[test]
fn huge_numbers_load_and_save_exactly() {
    let big = "9".repeat(4300);
    let text = std::fs::read_to_string(objects_dir().join("response-000.json"))
        .ok()
        .filter(|t| t.contains("\"seed\": "));
    if let Some(text) = text {
        let start = text.find("\"seed\": ").unwrap() + 8;
        let end = start + text[start..].find(',').unwrap();
        let edited = format!("{}{}{}", &text[..start], big, &text[end..]);
        let r = Response::from_json(&edited).unwrap();
        assert_eq!(r.to_json().unwrap(), edited);
        let too_big = format!("{}{}9{}", &text[..start], big, &text[end..]);
        assert!(Response::from_json(&too_big).is_err());
    }
}
