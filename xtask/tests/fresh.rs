//! The generated file is what the generator produces now, and the generator's output is what
//! rustfmt would leave it.

// Test helpers fail by panicking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::json;

/// Formats `source` with the workspace's rustfmt configuration.
fn rustfmt(root: &Path, source: &str) -> String {
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args(["--edition", "2024", "--emit", "stdout"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rustfmt must be installed (rustup component add rustfmt)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(source.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "rustfmt failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn generated_file_is_fresh() {
    let root = xtask::workspace_root();
    let expected = xtask::generate_in(&root).unwrap();
    let actual = std::fs::read_to_string(root.join(xtask::GENERATED_PATH)).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale: run `cargo run -p xtask -- codegen`",
        xtask::GENERATED_PATH
    );
    assert_eq!(xtask::check(&root).unwrap(), xtask::Status::Fresh);
}

#[test]
fn output_is_deterministic_and_formatted() {
    let root = xtask::workspace_root();
    let first = xtask::generate_in(&root).unwrap();
    assert_eq!(first, xtask::generate_in(&root).unwrap());
    assert_formatted(&root, &first);
}

/// Fails, showing the first difference, when rustfmt would change `source`.
fn assert_formatted(root: &Path, source: &str) {
    let formatted = rustfmt(root, source);
    if formatted != source {
        let (ours, theirs): (Vec<&str>, Vec<&str>) =
            (source.lines().collect(), formatted.lines().collect());
        let at = ours
            .iter()
            .zip(&theirs)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(theirs.len()));
        let window = |lines: &[&str]| {
            lines
                .iter()
                .skip(at.saturating_sub(2))
                .take(8)
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "rustfmt changes the generated source at line {}:\n--- generated\n{}\n--- rustfmt\n{}",
            at + 1,
            window(&ours),
            window(&theirs)
        );
    }
}

/// A small catalog with the awkward cases the real one lacks.
fn odd_catalog() -> serde_json::Value {
    json!({
        "memor_version": "9.9",
        "default_model": "shared",
        "default_preset": "Odd/Long",
        "instructions": {
            "EXTRA": "Some text with \"quotes\", a \\ backslash and a tab\t.\n",
            "MEDIUM": "A text that fits on the next line but not after the name of the constant.",
            "A_LONGER_INSTRUCTION_NAME": "short"
        },
        "providers": [
            {"provider": "ACME", "models": [
                {"name": "A_VERY_LONG_MODEL_MEMBER_NAME_THAT_GOES_ON_AND_ON_AND_ON_FOREVER_AND_EVER",
                 "value": "a-very-long-model-string-that-goes-on-and-on-and-on-forever-and-ever-and-ever"},
                {"name": "M_4_1", "value": "shared"},
                {"name": "M_41", "value": "m-41"}
            ]},
            {"provider": "AProviderWithAVeryLongNameIndeed", "models": [
                {"name": "X", "value": "x"}
            ]},
            {"provider": "Beta", "models": [
                {"name": "DEFAULT", "value": "shared"},
                {"name": "lower_case", "value": "UPPER \u{e9}\u{7}"}
            ]}
        ],
        "presets": [
            {"group": "ODD", "name": "LONG", "title": "Odd/Long",
             "content": "line one {a}\nline two {b} which is rather long so that the content does not fit\n",
             "custom_map": {"a": "a value that is long enough to push the custom map over the width", "b": "", "c": "x"},
             "engine": "jinja"},
            {"group": "ODD", "name": "SINGLE", "title": "Odd `Single`",
             "content": "{{ x }}",
             "custom_map": {"instruction": "a single value that is long enough to push the custom map over the width limit"},
             "engine": "format"},
            {"group": "ODD", "name": "FULL", "title": "Odd/Full",
             "content": "first line\na second line that is long enough on its own to overflow the maximum width by itself, even when it starts at the left margin\n\nlast",
             "custom_map": {"a": "b"},
             "engine": "format"},
            {"group": "EXTRA", "name": "EMPTY", "title": "Extra/Empty",
             "content": "no line break but very long: ..........................................................................",
             "custom_map": {},
             "engine": "format"},
            {"group": "G", "name": "A", "title": "G/A", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "B", "title": "G/B", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "C", "title": "G/C", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "D", "title": "G/D", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "E", "title": "G/E", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "F", "title": "G/F", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "H", "title": "G/H", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "I", "title": "G/I", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "J", "title": "G/J", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "K", "title": "G/K", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "L", "title": "G/L", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "M", "title": "G/M", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "N", "title": "G/N", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "O", "title": "G/O", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "P", "title": "G/P", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "Q", "title": "G/Q", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "R", "title": "G/R", "content": "", "custom_map": {}, "engine": "format"},
            {"group": "G", "name": "S", "title": "G/S", "content": "", "custom_map": {}, "engine": "format"}
        ]
    })
}

#[test]
fn odd_catalog_is_formatted() {
    let root = xtask::workspace_root();
    let source = xtask::generate(&odd_catalog().to_string()).unwrap();
    assert_formatted(&root, &source);
    assert!(source.contains("    M4_1,\n") && source.contains("    M41,\n"));
    assert!(source.contains("pub const DEFAULT_MODEL: Model = Model::ACME(ACME::M4_1);"));
    assert!(source.contains("engine: Engine::Jinja,"));
    assert!(source.contains("custom_map: &[],"));
}

#[test]
fn short_preset_names_are_formatted() {
    // Presets named with at most 10 characters: rustfmt packs several per line.
    let mut catalog = odd_catalog();
    catalog["presets"]
        .as_array_mut()
        .unwrap()
        .retain(|preset| preset["group"] == "G");
    catalog["default_preset"] = json!("G/A");
    let root = xtask::workspace_root();
    let source = xtask::generate(&catalog.to_string()).unwrap();
    assert_formatted(&root, &source);
    assert!(source.contains("    G_A, G_B, G_C,"));
}

/// An edit that breaks the catalog.
type Edit = fn(&mut serde_json::Value);

#[test]
fn bad_catalogs_are_rejected() {
    let cases: [(&str, Edit); 10] = [
        (
            "Rust variant",
            (|c| c["providers"][0]["models"][1]["name"] = json!("M41")),
        ),
        (
            "duplicate value",
            (|c| c["providers"][0]["models"][2]["value"] = json!("shared")),
        ),
        (
            "unknown engine",
            (|c| c["presets"][0]["engine"] = json!("mustache")),
        ),
        ("default model", (|c| c["default_model"] = json!("nothing"))),
        (
            "default preset",
            (|c| c["default_preset"] = json!("nothing")),
        ),
        (
            "duplicate preset",
            (|c| c["presets"][1]["name"] = json!("LONG")),
        ),
        (
            "reserved",
            (|c| c["providers"][0]["provider"] = json!("Model")),
        ),
        ("unknown field", (|c| c["extra"] = json!(1))),
        (
            "UPPER_SNAKE_CASE",
            (|c| c["presets"][0]["group"] = json!("odd")),
        ),
        (
            "expected a string",
            (|c| c["presets"][0]["custom_map"]["b"] = json!(1)),
        ),
    ];
    for (expected, edit) in cases {
        let mut catalog = odd_catalog();
        edit(&mut catalog);
        let error = xtask::generate(&catalog.to_string())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{expected:?} not in {error:?}");
    }
}
