//! Mutated inputs against every parsing entry point: no panic, and every refusal says where.
//!
//! A quick pass runs with the tests; the full run is ignored by default:
//! `cargo test --release --test mutation_fuzz -- --ignored --nocapture` (at least 1,000,000
//! inputs, `MEMOR_FUZZ_INPUTS` to change it). Inputs are mutations (truncations, byte flips,
//! insertions of JSON and template tokens, deletions, deep nesting, huge numbers, lone surrogate
//! escapes, invalid UTF-8) of the conformance corpus's own files, templates, provider payloads
//! and chat exports (every importer).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::conformance_dir;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
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
    "\"\\ud800\"",
    "\u{0}",
    "é",
    "😀",
    "{x}",
    "{0}",
    "{{",
    "}}",
    "{a[0].real!r:>{w}}",
    ":%",
    "!a",
    "[[[[[[[[",
    "{\"role\": \"user\"}",
    "\"content\": []",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let len = bytes.len();
        match rng.below(6) {
            0 => bytes.truncate(rng.below(len + 1)),
            1 if len > 0 => {
                let i = rng.below(len);
                bytes[i] ^= 1 << rng.below(8);
            }
            2 => {
                let at = rng.below(len + 1);
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, t.iter().copied());
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(32)).min(len);
                bytes.drain(at..end);
            }
            4 => {
                let at = rng.below(len + 1);
                let deep = "[".repeat(rng.below(400));
                bytes.splice(at..at, deep.bytes());
            }
            _ => {
                let at = rng.below(len + 1);
                bytes.insert(at, (rng.next() & 0xff) as u8);
            }
        }
    }
    bytes
}

/// The seeds: memor files, templates of the format corpus, and provider-shaped payloads.
fn seeds() -> (Vec<String>, Vec<String>) {
    let dir = conformance_dir();
    let mut files: Vec<String> = std::fs::read_dir(dir.join("memor/objects"))
        .expect("the objects folder exists")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no memor object found");
    let templates: Vec<String> = std::fs::read_to_string(dir.join("format/cases.jsonl"))
        .expect("the format corpus exists")
        .lines()
        .filter_map(|l| match memor_core::json::parse(l) {
            Ok(memor_core::json::PyValue::Dict(d)) => d
                .get("template")
                .and_then(|t| t.as_str())
                .map(str::to_owned),
            _ => None,
        })
        .take(400)
        .collect();
    (files, templates)
}

/// Sources for the Jinja, regex and XML entry points.
const JINJA: &[&str] = &[
    "{% for r in responses %}- {{ r.message }}\n{% endfor %}{{ name }}",
    "{% set x = name | upper %}{{ x }} {{ items | join(' :: ') }} {{ w + 1 }}",
    "{{ prompt.message | default('none') }}{% if a > 1 %}{{ a / 2 }}{% else %}{{ a // 2 }}{% endif %}",
    "{% macro m(x, y=2) %}{{ x ~ y }}{% endmacro %}{{ m(1) }}{{ [1, 2, 3][::-1] }}",
];
const REGEX: &[&str] = &[
    r"(?:ing|ed)\b",
    r"^[A-Z][a-z]+",
    r"\b[a-z]{5}\b",
    r"(\w+) \1",
    r"(?P<x>a)(?P=x)",
    r"(?i)straße",
    r"[^\W\d_]+$",
    r"(?<=a)b{2,3}?",
    r"a{2,1}",
    r"(",
    "[a-",
];
const XML: &[&str] = &[
    "<note><to>Tove</to><body>a &amp; b</body></note>",
    "<a x='1'><b/><c>text<![CDATA[x<y]]></c><!-- c --><?pi x?></a>",
    "<ns:a xmlns:ns='u'><ns:b>t</ns:b></ns:a>",
];

/// The exports of the import corpus: (source, file name, bytes).
fn import_seeds() -> Vec<(memor_import::Source, String, Vec<u8>)> {
    use std::str::FromStr;
    let root = conformance_dir().join("imports");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("the imports folder exists") {
        let dir = dir.unwrap().path();
        let Some(source) = dir
            .file_name()
            .and_then(|n| memor_import::Source::from_str(&n.to_string_lossy()).ok())
        else {
            continue;
        };
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".expect.json") {
                out.push((source, name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    assert!(!out.is_empty(), "no export found");
    out
}

/// Runs `n` mutated inputs; returns how many each entry point saw.
fn run(n: usize) -> [usize; 6] {
    let (files, templates) = seeds();
    let exports = import_seeds();
    let import_options = memor_import::Options::default();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut counts = [0usize; 6];
    let ctx = memor_core::json::parse(r#"{"x": 1, "a": [2.5, "s"], "w": 5, "name": "Ada", "big": 123456789012345678901234567890}"#)
        .unwrap();
    let memor_core::json::PyValue::Dict(ctx) = ctx else {
        unreachable!()
    };
    let formats = memor_render::Format::ALL;
    // Provider payloads: every corpus session rendered for the JSON targets.
    let options = memor_render::RenderOptions::default();
    let payloads: Vec<String> = files
        .iter()
        .filter_map(|f| match memor_core::Object::from_json(f) {
            Ok(memor_core::Object::Session(s)) => Some(s),
            _ => None,
        })
        .flat_map(|s| {
            ["chat", "anthropic", "gemini", "openai-responses", "ollama"]
                .into_iter()
                .filter_map(|name| memor_render::target(name)?.render(&s, &options).ok())
                .map(|r| r.payload.to_json_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!payloads.is_empty(), "no corpus session renders");
    for i in 0..n {
        let which = i % 6;
        let outcome = catch_unwind(AssertUnwindSafe(|| match which {
            0 => {
                let seed = &templates[rng.below(templates.len())];
                let input = mutate(&mut rng, seed.as_bytes());
                if let Ok(t) = std::str::from_utf8(&input)
                    && let Err(e) = memor_template::format(t, &ctx)
                {
                    assert!(e.offset() <= t.len() && !e.message().is_empty(), "{e}");
                }
                true
            }
            1 | 2 => {
                let seed = &files[rng.below(files.len())];
                let input = mutate(&mut rng, seed.as_bytes());
                match std::str::from_utf8(&input) {
                    Ok(t) => {
                        if let Err(e) = memor_core::Object::from_json(t) {
                            assert!(!e.message().is_empty(), "{e}");
                        }
                    }
                    // Files are read through `Object::load`, which refuses invalid UTF-8 with
                    // its offset; the text loaders take `&str`.
                    Err(e) => assert!(e.valid_up_to() <= input.len()),
                }
                true
            }
            5 => {
                // Every importer, on mutated exports; sessions are built from what imports.
                let (source, name, seed) = &exports[rng.below(exports.len())];
                let input = mutate(&mut rng, seed);
                match memor_import::import_bytes(&input, name, *source, &import_options) {
                    Ok(conversations) => {
                        for c in &conversations {
                            let _ = c.to_session();
                        }
                    }
                    Err(e) => {
                        assert!(e.to_string().contains(name.as_str()), "{e}");
                        if matches!(
                            e.kind(),
                            memor_import::ErrorKind::InvalidJson
                                | memor_import::ErrorKind::InvalidEncoding
                        ) && !std::path::Path::new(name)
                            .extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
                        {
                            let offset = e.offset().unwrap_or_else(|| panic!("no offset: {e}"));
                            assert!(offset <= input.len() as u64, "{e}");
                        }
                    }
                }
                true
            }
            4 => {
                // The parsers behind memor's Jinja templates, searches and XML helpers.
                let pick = rng.below(3);
                let seeds: &[&str] = [JINJA, REGEX, XML][pick];
                let seed = seeds[rng.below(seeds.len())];
                let input = mutate(&mut rng, seed.as_bytes());
                if let Ok(t) = std::str::from_utf8(&input) {
                    match pick {
                        0 => {
                            let _ = memor_core::jinja::variables(t);
                            let _ = memor_core::jinja::render(t, &ctx);
                        }
                        1 => {
                            if let Ok(q) =
                                memor_core::search::Query::new(t, true, rng.below(2) == 0)
                            {
                                let _ =
                                    q.try_is_match("The quick brown fox, ÉTÉ straße 123 lazy dog");
                            }
                            let _ = memor_core::search::Query::new(t, false, false);
                        }
                        _ => {
                            let _ = memor_core::xml::contains_xml(t, true);
                            if let Ok(tree) = memor_core::xml::xml_tree(t) {
                                let _ = memor_core::xml::build_xml_string(&tree);
                            }
                        }
                    }
                }
                true
            }
            _ => {
                let seed = &payloads[rng.below(payloads.len())];
                let input = mutate(&mut rng, seed.as_bytes());
                if let Some(value) = std::str::from_utf8(&input)
                    .ok()
                    .and_then(|t| serde_json::from_str(t).ok())
                {
                    let format = formats[rng.below(formats.len())];
                    let _ = memor_render::parse(format, &value);
                    for target in memor_render::targets() {
                        let _ = target.validate(&memor_render::Payload::Json(value.clone()));
                    }
                }
                true
            }
        }));
        let fed = outcome.unwrap_or_else(|_| panic!("input {i} (entry point {which}) panicked"));
        counts[which] += usize::from(fed);
    }
    counts
}

#[test]
fn quick_pass() {
    let counts = run(6_000);
    assert!(counts.iter().all(|&c| c > 0));
}

#[test]
#[ignore = "long: at least 1,000,000 inputs; run with --release -- --ignored"]
fn million_inputs() {
    let n = std::env::var("MEMOR_FUZZ_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let started = std::time::Instant::now();
    let counts = run(n);
    println!(
        "mutation fuzz: {n} inputs in {:.1?} (templates {}, memor files {}, provider payloads {}, \
         Jinja/regex/XML sources {}, chat exports {}), 0 panics",
        started.elapsed(),
        counts[0],
        counts[1] + counts[2],
        counts[3],
        counts[4],
        counts[5]
    );
}
