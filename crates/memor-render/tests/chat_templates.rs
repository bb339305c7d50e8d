//! The chat-template targets (`chatml`, `llama3`, `mistral`, `gemma`) against the models' own
//! Jinja chat templates, kept in `tests/chat_templates/` (see its README for where each comes
//! from).
//!
//! 1. Byte-identical: for hand-written conversations, random ones and every session of
//!    `$MEMOR_CONFORMANCE/memor/objects/` that renders, each target's prompt string equals the
//!    string minijinja renders from the kept template (set up as Hugging Face transformers sets
//!    up Jinja2) for the same messages. Where a target rewrote the conversation (merged,
//!    renamed, moved; all reported), the template is rendered on the rewritten conversation,
//!    which the test derives on its own; where it refused, the test's own rules must refuse too.
//!    `jinja2-renders.json`, written by Jinja2 itself (`render_jinja2.py`), checks that this
//!    minijinja set-up renders the templates as Jinja2 does.
//! 2. Every output passes its target's validator; truncated prompts, prompts with a marker
//!    removed, with roles out of order or unknown, fail it; no text makes a validator panic.
//! 3. One snapshot per target and variant of the conversation of provider-formats.md §7.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use memor_core::{Object, Prompt, Response, Role, Session};
use memor_render::{
    Change, Error, Gemma, GemmaVariant, Mistral, MistralVariant, Payload, RenderOptions, Target,
    target,
};
use minijinja::{Environment, ErrorKind, Value, context};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// The models' templates, rendered with minijinja as transformers renders them with Jinja2.

fn template_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/chat_templates")
}

fn read_template(file: &str) -> String {
    std::fs::read_to_string(template_dir().join(file))
        .unwrap_or_else(|e| panic!("cannot read the kept template {file}: {e}"))
}

/// Jinja2's `trim` filter: Python's `str.strip(chars)`. (minijinja's own `trim` strips Rust's
/// whitespace, which lacks U+001C..U+001F.)
fn python_trim(value: &str, chars: Option<&str>) -> String {
    match chars {
        Some(chars) => value.trim_matches(|c| chars.contains(c)).to_owned(),
        None => value
            .trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
            .to_owned(),
    }
}

/// An environment like transformers' (`trim_blocks`, `lstrip_blocks`, `raise_exception`).
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_function(
        "raise_exception",
        |message: String| -> Result<Value, minijinja::Error> {
            Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
        },
    );
    env.add_filter("trim", |value: String, chars: Option<String>| {
        python_trim(&value, chars.as_deref())
    });
    env
}

type Messages = Vec<(String, String)>;

/// The template's rendering of `messages`, or its error.
fn jinja(
    env: &Environment<'_>,
    source: &str,
    messages: &[(String, String)],
    add_generation_prompt: bool,
    bos: &str,
    eos: &str,
) -> Result<String, String> {
    let messages: Vec<BTreeMap<&str, &str>> = messages
        .iter()
        .map(|(role, content)| BTreeMap::from([("role", role.as_str()), ("content", content)]))
        .collect();
    env.render_str(
        source,
        context! {
            messages => Value::from_serialize(&messages),
            add_generation_prompt => add_generation_prompt,
            bos_token => bos,
            eos_token => eos,
        },
    )
    .map_err(|e| format!("{e:#}"))
}

// ---------------------------------------------------------------------------------------------
// The targets and variants, with their templates and the test's own reading of the rules.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    First,
    Last,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Any order of roles, messages as they are.
    Free,
    /// One leading system prompt, then user/assistant alternation from the user.
    Alternating {
        /// Where the template puts the system prompt.
        slot: Slot,
        /// The template refuses a system message: the target joins it to the first user
        /// message itself (Gemma 2).
        fold: bool,
        /// The template's name for the assistant.
        assistant: &'static str,
    },
}

#[derive(Clone, Copy, Debug)]
struct Family {
    /// Snapshot and message label.
    label: &'static str,
    target: &'static str,
    variant: Option<&'static str>,
    file: &'static str,
    bos: &'static str,
    eos: &'static str,
    kind: Kind,
    /// The template's special markers (for corruptions and the marker-free check).
    markers: &'static [&'static str],
}

const MISTRAL_MARKERS: &[&str] = &[
    "<s>",
    "</s>",
    "[INST]",
    "[/INST]",
    "[SYSTEM_PROMPT]",
    "[/SYSTEM_PROMPT]",
];
const GEMMA_MARKERS: &[&str] = &["<bos>", "<eos>", "<start_of_turn>", "<end_of_turn>"];
const V1: Kind = Kind::Alternating {
    slot: Slot::First,
    fold: false,
    assistant: "assistant",
};
const V3: Kind = Kind::Alternating {
    slot: Slot::Last,
    fold: false,
    assistant: "assistant",
};

const FAMILIES: &[Family] = &[
    Family {
        label: "chatml",
        target: "chatml",
        variant: None,
        file: "chatml.jinja",
        bos: "<s>",
        eos: "<|im_end|>",
        kind: Kind::Free,
        markers: &["<|im_start|>", "<|im_end|>"],
    },
    Family {
        label: "llama3",
        target: "llama3",
        variant: None,
        file: "llama3.jinja",
        bos: "<|begin_of_text|>",
        eos: "<|eot_id|>",
        kind: Kind::Free,
        markers: &[
            "<|begin_of_text|>",
            "<|start_header_id|>",
            "<|end_header_id|>",
            "<|eot_id|>",
        ],
    },
    Family {
        label: "mistral-v1",
        target: "mistral",
        variant: Some("v1"),
        file: "mistral-v1.jinja",
        bos: "<s>",
        eos: "</s>",
        kind: V1,
        markers: MISTRAL_MARKERS,
    },
    Family {
        label: "mistral-default",
        target: "mistral",
        variant: None,
        file: "mistral-v1.jinja",
        bos: "<s>",
        eos: "</s>",
        kind: V1,
        markers: MISTRAL_MARKERS,
    },
    Family {
        label: "mistral-v3",
        target: "mistral",
        variant: Some("v3"),
        file: "mistral-v3.jinja",
        bos: "<s>",
        eos: "</s>",
        kind: V3,
        markers: MISTRAL_MARKERS,
    },
    Family {
        label: "mistral-v3-tekken",
        target: "mistral",
        variant: Some("v3-tekken"),
        file: "mistral-v3-tekken.jinja",
        bos: "<s>",
        eos: "</s>",
        kind: V3,
        markers: MISTRAL_MARKERS,
    },
    Family {
        label: "mistral-v7",
        target: "mistral",
        variant: Some("v7"),
        file: "mistral-v7.jinja",
        bos: "<s>",
        eos: "</s>",
        kind: Kind::Free,
        markers: MISTRAL_MARKERS,
    },
    Family {
        label: "gemma2",
        target: "gemma",
        variant: Some("gemma2"),
        file: "gemma2.jinja",
        bos: "<bos>",
        eos: "<eos>",
        kind: Kind::Alternating {
            slot: Slot::First,
            fold: true,
            assistant: "model",
        },
        markers: GEMMA_MARKERS,
    },
    Family {
        label: "gemma3",
        target: "gemma",
        variant: Some("gemma3"),
        file: "gemma3.jinja",
        bos: "<bos>",
        eos: "<eos>",
        kind: Kind::Alternating {
            slot: Slot::First,
            fold: false,
            assistant: "model",
        },
        markers: GEMMA_MARKERS,
    },
    Family {
        label: "gemma-default",
        target: "gemma",
        variant: None,
        file: "gemma3.jinja",
        bos: "<bos>",
        eos: "<eos>",
        kind: Kind::Alternating {
            slot: Slot::First,
            fold: false,
            assistant: "model",
        },
        markers: GEMMA_MARKERS,
    },
];

impl Family {
    fn options(&self, add_generation_prompt: bool) -> RenderOptions {
        let options = RenderOptions::default().add_generation_prompt(add_generation_prompt);
        match self.variant {
            Some(v) => options.variant(v),
            None => options,
        }
    }

    /// The target validating this family's variant.
    fn validator(&self) -> Box<dyn Target> {
        match (self.target, self.variant) {
            ("mistral", Some(v)) => Box::new(Mistral::new(MistralVariant::from_name(v).unwrap())),
            ("gemma", Some(v)) => Box::new(Gemma::new(GemmaVariant::from_name(v).unwrap())),
            (name, _) => target(name).unwrap(),
        }
    }

    /// The conversation the template is given for `raw`: `raw` itself, or the rewrite the
    /// module docs promise; `None` where the target must refuse.
    fn rewrite(&self, raw: &[(String, String)]) -> Option<Messages> {
        let Kind::Alternating { slot, fold, .. } = self.kind else {
            return Some(raw.to_vec());
        };
        let leading = raw.iter().take_while(|(r, _)| r == "system").count();
        let system = (leading > 0).then(|| {
            raw[..leading]
                .iter()
                .map(|(_, c)| c.as_str())
                .collect::<Vec<_>>()
                .join("\n\n")
        });
        let mut rest: Messages = Vec::new();
        for (role, content) in &raw[leading..] {
            let role = if role == "system" { "user" } else { role };
            match rest.last_mut() {
                Some((r, c)) if r == role => {
                    c.push_str("\n\n");
                    c.push_str(content);
                }
                _ => rest.push((role.to_owned(), content.clone())),
            }
        }
        let first = rest.first()?;
        if first.0 != "user" {
            return None;
        }
        if slot == Slot::Last && system.is_some() && rest.last()?.0 != "user" {
            return None;
        }
        match system {
            None => Some(rest),
            Some(system) if fold => {
                rest[0].1 = format!("{system}\n\n{}", rest[0].1);
                Some(rest)
            }
            Some(system) => {
                let mut out = vec![("system".to_owned(), system)];
                out.extend(rest);
                Some(out)
            }
        }
    }
}

fn family(label: &str) -> &'static Family {
    FAMILIES.iter().find(|f| f.label == label).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Conversations.

fn message(role: Role, text: &str) -> memor_core::Message {
    if role == Role::Assistant {
        Response::new(text).into()
    } else {
        let mut prompt = Prompt::new(text);
        prompt.update_role(role);
        prompt.into()
    }
}

fn session(turns: &[(Role, &str)]) -> Session {
    Session::with_messages(None, turns.iter().map(|(r, t)| message(*r, t)).collect())
}

fn masked_session(turns: &[(Role, &str, bool)]) -> Session {
    let mut s = Session::new(None);
    for (role, text, enabled) in turns {
        s.add_message(message(*role, text), *enabled, None);
    }
    s
}

use Role::{Assistant as A, System as S, User as U};

/// The hand-written conversations.
fn conversations() -> Vec<(&'static str, Session)> {
    vec![
        ("empty", session(&[])),
        ("one user turn", session(&[(U, "Hi")])),
        (
            "system and several turns, trailing user",
            session(&[
                (S, "You are terse."),
                (U, "Hi"),
                (A, "Hello."),
                (U, "Capital of France?"),
            ]),
        ),
        (
            "no system, trailing assistant",
            session(&[(U, "Hi"), (A, "Hello."), (U, "And you?"), (A, "Fine.")]),
        ),
        (
            "system, trailing assistant",
            session(&[(S, "sys"), (U, "Hi"), (A, "Hello.")]),
        ),
        (
            "whitespace around content",
            session(&[
                (S, "  Be brief.\n"),
                (U, "\n  padded  \t"),
                (A, "  spaced out  "),
                (U, " x "),
            ]),
        ),
        (
            "Python-only whitespace",
            session(&[
                (U, "\u{1c}file separator\u{1f}"),
                (A, "\u{a0}nbsp\u{3000}"),
                (U, "\u{2028}line\u{2029}"),
            ]),
        ),
        (
            "non-ASCII",
            session(&[
                (S, "Réponds en français."),
                (U, "Grüße, 東京 🌸"),
                (A, "¡Hola! Ça va — naïve café"),
                (U, "Привет, مرحبا"),
            ]),
        ),
        (
            "empty content",
            session(&[(S, ""), (U, ""), (A, ""), (U, "")]),
        ),
        (
            "only a system prompt",
            session(&[(S, "only a system prompt")]),
        ),
        (
            "two system messages",
            session(&[(S, "one"), (S, "two"), (U, "Hi")]),
        ),
        (
            "two user messages in a row",
            session(&[(U, "a"), (U, "b"), (A, "c"), (U, "d")]),
        ),
        (
            "two assistant messages in a row",
            session(&[(U, "Hi"), (A, "one"), (A, "two")]),
        ),
        (
            "assistant first",
            session(&[(A, "I speak first"), (U, "Hi")]),
        ),
        (
            "system then assistant",
            session(&[(S, "sys"), (A, "I speak first")]),
        ),
        (
            "system later on",
            session(&[(U, "Hi"), (A, "Hello."), (S, "Be formal now."), (U, "Ok")]),
        ),
        (
            "system at an odd position",
            session(&[(U, "Hi"), (S, "late system"), (U, "again")]),
        ),
        (
            "masked messages",
            masked_session(&[
                (S, "masked system", false),
                (U, "Hi", true),
                (A, "masked reply", false),
                (U, "Hello?", true),
                (A, "Yes.", true),
            ]),
        ),
        (
            "masked into alternation",
            masked_session(&[(U, "one", true), (A, "hidden", false), (U, "two", true)]),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// The byte-identical check.

/// The `{role, content}` pairs of the enabled messages, or `None` when one does not render.
fn raw_messages(session: &Session) -> Option<Messages> {
    session
        .enabled_messages()
        .map(|(_, m)| {
            m.render_string()
                .ok()
                .map(|t| (m.role().as_str().to_owned(), t.into_owned()))
        })
        .collect()
}

fn has_marker(family: &Family, messages: &[(String, String)]) -> bool {
    messages
        .iter()
        .any(|(_, c)| family.markers.iter().any(|m| c.contains(m)))
}

#[derive(Debug, Default)]
struct Tally {
    identical: usize,
    rewritten: usize,
    refused: usize,
    skipped: usize,
}

/// Renders `session` with `family`'s target and its template; panics on any difference.
fn check(env: &Environment<'_>, family: &Family, session: &Session, agp: bool, tally: &mut Tally) {
    let Some(raw) = raw_messages(session) else {
        tally.skipped += 1;
        return;
    };
    let source = read_template(family.file);
    let render =
        |messages: &[(String, String)]| jinja(env, &source, messages, agp, family.bos, family.eos);
    let target = target(family.target).unwrap();
    let result = target.render(session, &family.options(agp));
    let expected = family.rewrite(&raw);
    let what = format!("{} (agp {agp}) on {raw:?}", family.label);
    match result {
        Ok(rendered) => {
            let text = rendered.payload.as_text().expect("a prompt string");
            let rewritten = expected.unwrap_or_else(|| panic!("{what}: rendered, must refuse"));
            let from_template = render(&rewritten)
                .unwrap_or_else(|e| panic!("{what}: the template refuses {rewritten:?}: {e}"));
            assert_eq!(text, from_template, "{what}");
            if rewritten == raw {
                tally.identical += 1;
            } else {
                tally.rewritten += 1;
                assert!(
                    rendered.report.iter().any(|c| matches!(
                        c,
                        Change::Merged { .. } | Change::Renamed { .. } | Change::Moved { .. }
                    )),
                    "{what}: rewritten without a report"
                );
            }
            // Where the template takes the conversation as it is, the output is its rendering,
            // except for Gemma's system message at an odd position (sent as user text).
            if let Ok(direct) = render(&raw) {
                let late_system = raw.iter().skip(1).any(|(r, _)| r == "system");
                assert!(
                    direct == text || (family.target == "gemma" && late_system),
                    "{what}: the template renders {direct:?} for the raw conversation"
                );
            }
            check_report(family, session, &raw, &rendered.report);
            if !has_marker(family, &raw) {
                let violations = family.validator().validate(&rendered.payload);
                assert!(
                    violations.is_empty(),
                    "{what}: {text:?} fails: {violations:?}"
                );
                check_corruptions(family, text);
            }
        }
        Err(Error::Unsupported(message)) => {
            assert!(
                expected.is_none(),
                "{what}: refused ({message}), must render"
            );
            tally.refused += 1;
            // The template refuses too, or would lose the system prompt.
            if let Ok(direct) = render(&raw) {
                assert!(
                    raw.iter().any(|(r, _)| r == "system"),
                    "{what}: refused ({message}) though the template renders {direct:?}"
                );
            }
        }
        Err(e) => panic!("{what}: {e}"),
    }
}

/// Masked messages, moves and renames are reported.
fn check_report(
    family: &Family,
    session: &Session,
    raw: &[(String, String)],
    report: &memor_render::Report,
) {
    let masked: Vec<usize> = session
        .messages_status()
        .iter()
        .enumerate()
        .filter(|(_, e)| !**e)
        .map(|(i, _)| i)
        .collect();
    let reported: Vec<usize> = report
        .iter()
        .filter_map(|c| match c {
            Change::Masked { index } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(masked, reported, "{}: masked messages", family.label);
    let Kind::Alternating { assistant, .. } = family.kind else {
        assert_eq!(
            report.changes.len(),
            masked.len(),
            "{}: {report}",
            family.label
        );
        return;
    };
    let moved = report
        .iter()
        .filter(|c| matches!(c, Change::Moved { .. }))
        .count();
    let leading_system = raw.first().is_some_and(|(r, _)| r == "system");
    assert_eq!(
        moved,
        usize::from(leading_system),
        "{}: {report}",
        family.label
    );
    let renamed = report
        .iter()
        .filter(|c| matches!(c, Change::Renamed { to, .. } if to == assistant))
        .count();
    let assistants = raw.iter().filter(|(r, _)| r == "assistant").count();
    if assistant == "assistant" {
        assert_eq!(renamed, 0);
    } else {
        assert_eq!(renamed, assistants, "{}: {report}", family.label);
    }
}

// ---------------------------------------------------------------------------------------------
// Corruptions: each must fail the validator.

fn corruptions(family: &Family, text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    // Truncated in the middle of the last marker.
    if let Some((at, marker)) = family
        .markers
        .iter()
        .filter_map(|m| text.rfind(m).map(|at| (at, *m)))
        .max_by_key(|(at, _)| *at)
    {
        out.push(("truncated", text[..at + marker.len() / 2].to_owned()));
    }
    // The first turn-opening marker removed (or, with none, the last `</s>`).
    let openers: &[&str] = match family.target {
        "chatml" => &["<|im_start|>"],
        "llama3" => &["<|start_header_id|>"],
        "mistral" => &["[INST]", "[SYSTEM_PROMPT]"],
        _ => &["<start_of_turn>"],
    };
    if let Some(opener) = openers.iter().find(|o| text.contains(**o)) {
        out.push(("marker removed", text.replacen(opener, "", 1)));
    } else if let Some(at) = text.rfind("</s>") {
        out.push((
            "marker removed",
            format!("{}{}", &text[..at], &text[at + 4..]),
        ));
    }
    // The BOS removed.
    if !family.bos.is_empty() && family.target != "chatml" && text.starts_with(family.bos) {
        out.push(("bos removed", text[family.bos.len()..].to_owned()));
    }
    // Roles: out of order where the template wants alternation, unknown elsewhere.
    match (family.target, family.kind) {
        ("gemma", _) if text.contains("<start_of_turn>user") => {
            out.push((
                "roles swapped",
                text.replacen("<start_of_turn>user", "<start_of_turn>model", 1),
            ));
        }
        ("mistral", Kind::Alternating { .. }) => {
            let prefix = if family.variant == Some("v3-tekken") {
                ""
            } else {
                " "
            };
            out.push((
                "assistant first",
                format!("<s>{prefix}Hello.</s>{}", &text[3..]),
            ));
        }
        ("mistral", _) if text.contains("[INST]") => {
            out.push(("unknown role", text.replacen("[INST]", "[INSTR]", 1)));
        }
        ("chatml" | "llama3", _) => {
            for role in ["user", "assistant", "system"] {
                let (open, close) = if family.target == "chatml" {
                    ("<|im_start|>", "\n")
                } else {
                    ("<|start_header_id|>", "<|end_header_id|>")
                };
                let header = format!("{open}{role}{close}");
                if text.contains(&header) {
                    let swapped = format!("{open}usr{close}");
                    out.push(("unknown role", text.replacen(&header, &swapped, 1)));
                    break;
                }
            }
        }
        _ => {}
    }
    out
}

fn check_corruptions(family: &Family, text: &str) {
    let validator = family.validator();
    for (what, corrupted) in corruptions(family, text) {
        let violations = validator.validate(&Payload::Text(corrupted.clone()));
        assert!(
            !violations.is_empty(),
            "{}: {what} {corrupted:?} (from {text:?}) passes",
            family.label
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Byte-identical.

#[test]
fn hand_written_conversations_render_as_the_templates_do() {
    let env = environment();
    let mut tally = Tally::default();
    for family in FAMILIES {
        for (_, session) in conversations() {
            for agp in [false, true] {
                check(&env, family, &session, agp, &mut tally);
            }
        }
    }
    eprintln!("hand-written: {tally:?}");
    assert!(tally.identical > 100 && tally.rewritten > 20 && tally.refused > 20);
}

fn conformance_dir() -> PathBuf {
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

#[test]
fn conformance_sessions_render_as_the_templates_do() {
    let dir = conformance_dir().join("memor/objects");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (set MEMOR_CONFORMANCE)", dir.display()));
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    let env = environment();
    let mut tally = Tally::default();
    let mut sessions = 0;
    for path in paths {
        let Ok(Object::Session(session)) = Object::load(&path) else {
            continue;
        };
        sessions += 1;
        for family in FAMILIES {
            for agp in [false, true] {
                check(&env, family, &session, agp, &mut tally);
            }
        }
    }
    eprintln!("conformance: {sessions} sessions, {tally:?}");
    assert!(sessions > 0, "no session in {}", dir.display());
}

#[test]
fn the_minijinja_setup_renders_the_templates_as_jinja2_does() {
    let text = std::fs::read_to_string(template_dir().join("jinja2-renders.json")).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let env = environment();
    let cases = fixture["cases"].as_array().unwrap();
    let mut direct = 0;
    for case in cases {
        let file = case["template"].as_str().unwrap();
        let messages: Messages = case["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["role"].as_str().unwrap().to_owned(),
                    m["content"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let agp = case["add_generation_prompt"].as_bool().unwrap();
        let got = jinja(
            &env,
            &read_template(file),
            &messages,
            agp,
            case["bos_token"].as_str().unwrap(),
            case["eos_token"].as_str().unwrap(),
        );
        match (case.get("output").and_then(|o| o.as_str()), &got) {
            (Some(expected), Ok(got)) => assert_eq!(got, expected, "{file} {messages:?} {agp}"),
            (None, Err(_)) => {}
            _ => panic!("{file} {messages:?} {agp}: Jinja2 {case}, minijinja {got:?}"),
        }
        // And the targets against Jinja2 directly, where they send the conversation as it is.
        let Some(expected) = case.get("output").and_then(|o| o.as_str()) else {
            continue;
        };
        let turns: Vec<(Role, &str)> = messages
            .iter()
            .map(|(r, c)| (r.parse::<Role>().unwrap(), c.as_str()))
            .collect();
        let s = session(&turns);
        assert_eq!(raw_messages(&s).as_ref(), Some(&messages));
        for family in FAMILIES.iter().filter(|f| f.file == file) {
            if family.rewrite(&messages).as_ref() != Some(&messages) {
                continue;
            }
            let rendered = target(family.target)
                .unwrap()
                .render(&s, &family.options(agp))
                .unwrap();
            assert_eq!(
                rendered.payload.as_text(),
                Some(expected),
                "{} {messages:?} {agp}",
                family.label
            );
            direct += 1;
        }
    }
    assert!(cases.len() >= 200, "{}", cases.len());
    assert!(direct >= 150, "{direct}");
}

#[test]
fn the_templates_match_the_published_renderings() {
    // llama.cpp's tests/test-chat-template.cpp conversation and expected outputs (bos_token
    // "", eos_token "</s>", add_generation_prompt true), and provider-formats.md §7.
    let env = environment();
    let conversation: Messages = [
        ("system", "You are a helpful assistant"),
        ("user", "Hello"),
        ("assistant", "Hi there"),
        ("user", "Who are you"),
        ("assistant", "   I am an assistant   "),
        ("user", "Another question"),
    ]
    .iter()
    .map(|(r, c)| ((*r).to_owned(), (*c).to_owned()))
    .collect();
    let published = [
        (
            "chatml.jinja",
            "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n   I am an assistant   <|im_end|>\n<|im_start|>user\nAnother question<|im_end|>\n<|im_start|>assistant\n",
        ),
        (
            "mistral-v1.jinja",
            " [INST] You are a helpful assistant\n\nHello [/INST] Hi there</s> [INST] Who are you [/INST]    I am an assistant   </s> [INST] Another question [/INST]",
        ),
        (
            "mistral-v3.jinja",
            "[INST] Hello[/INST] Hi there</s>[INST] Who are you[/INST] I am an assistant</s>[INST] You are a helpful assistant\n\nAnother question[/INST]",
        ),
        (
            "mistral-v3-tekken.jinja",
            "[INST]Hello[/INST]Hi there</s>[INST]Who are you[/INST]   I am an assistant   </s>[INST]You are a helpful assistant\n\nAnother question[/INST]",
        ),
        (
            "mistral-v7.jinja",
            "[SYSTEM_PROMPT] You are a helpful assistant[/SYSTEM_PROMPT][INST] Hello[/INST] Hi there</s>[INST] Who are you[/INST]    I am an assistant   </s>[INST] Another question[/INST]",
        ),
    ];
    for (file, expected) in published {
        let got = jinja(&env, &read_template(file), &conversation, true, "", "</s>").unwrap();
        assert_eq!(got, expected, "{file}");
    }
    let doc: Messages = [
        ("system", "You are terse."),
        ("user", "Hi"),
        ("assistant", "Hello."),
        ("user", "Capital of France?"),
    ]
    .iter()
    .map(|(r, c)| ((*r).to_owned(), (*c).to_owned()))
    .collect();
    let l3 = jinja(
        &env,
        &read_template("llama3.jinja"),
        &doc,
        true,
        "<|begin_of_text|>",
        "<|eot_id|>",
    );
    assert_eq!(
        l3.unwrap(),
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nCapital of France?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
    );
    let g2 = jinja(
        &env,
        &read_template("gemma2.jinja"),
        &doc[1..],
        true,
        "<bos>",
        "<eos>",
    );
    assert_eq!(
        g2.unwrap(),
        "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n<start_of_turn>user\nCapital of France?<end_of_turn>\n<start_of_turn>model\n"
    );
    let g3 = jinja(
        &env,
        &read_template("gemma3.jinja"),
        &doc,
        true,
        "<bos>",
        "<eos>",
    );
    assert_eq!(
        g3.unwrap(),
        "<bos><start_of_turn>user\nYou are terse.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n<start_of_turn>user\nCapital of France?<end_of_turn>\n<start_of_turn>model\n"
    );
    let v1 = jinja(
        &env,
        &read_template("mistral-v1.jinja"),
        &doc[1..],
        false,
        "<s>",
        "</s>",
    );
    // provider-formats.md's v1 example, with a system prompt: the later HF template.
    assert_eq!(
        v1.unwrap(),
        "<s> [INST] Hi [/INST] Hello.</s> [INST] Capital of France? [/INST]"
    );
}

#[test]
fn python_whitespace_is_stripped_where_the_templates_trim() {
    // Jinja2's trim is str.strip(): it strips U+001C..U+001F, which Rust's trim keeps.
    let s = session(&[(U, "\u{1f}Hi\u{1c}")]);
    let rendered = target("llama3")
        .unwrap()
        .render(&s, &RenderOptions::default())
        .unwrap();
    assert_eq!(
        rendered.payload.as_text().unwrap(),
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
    );
}

#[test]
fn reports_say_what_changed() {
    let s = session(&[
        (S, "one"),
        (S, "two"),
        (U, "Hi"),
        (A, "Hello."),
        (A, "Again."),
        (S, "late"),
        (U, "Ok"),
    ]);
    let gemma = target("gemma").unwrap();
    let rendered = gemma.render(&s, &RenderOptions::default()).unwrap();
    let changes = rendered.report.changes;
    assert!(changes.contains(&Change::Merged { index: 1, into: 0 }));
    assert!(changes.contains(&Change::Moved {
        index: 0,
        to: "the first user turn".into()
    }));
    for index in [3, 4] {
        assert!(changes.contains(&Change::Renamed {
            index,
            from: "assistant".into(),
            to: "model".into()
        }));
    }
    assert!(changes.contains(&Change::Merged { index: 4, into: 3 }));
    assert!(changes.contains(&Change::Renamed {
        index: 5,
        from: "system".into(),
        to: "user".into()
    }));
    assert!(changes.contains(&Change::Merged { index: 6, into: 5 }));
    assert_eq!(
        rendered.payload.as_text().unwrap(),
        "<bos><start_of_turn>user\none\n\ntwo\n\nHi<end_of_turn>\n<start_of_turn>model\nHello.\n\nAgain.<end_of_turn>\n<start_of_turn>user\nlate\n\nOk<end_of_turn>\n"
    );
    // ChatML, Llama 3 and Mistral v7 send everything as it is.
    for (name, variant) in [("chatml", None), ("llama3", None), ("mistral", Some("v7"))] {
        let mut options = RenderOptions::default();
        options.variant = variant.map(str::to_owned);
        let rendered = target(name).unwrap().render(&s, &options).unwrap();
        assert!(rendered.report.is_empty(), "{name}: {}", rendered.report);
    }
}

#[test]
fn refusals_say_why() {
    type Case<'a> = (&'a str, Option<&'a str>, &'a [(Role, &'a str)], &'a str);
    let cases: [Case<'_>; 6] = [
        ("mistral", None, &[], "without messages"),
        ("gemma", None, &[(S, "sys")], "no user message"),
        (
            "mistral",
            Some("v1"),
            &[(A, "first"), (U, "Hi")],
            "is the assistant's",
        ),
        (
            "gemma",
            Some("gemma2"),
            &[(S, "s"), (A, "first")],
            "is the assistant's",
        ),
        (
            "mistral",
            Some("v3"),
            &[(S, "s"), (U, "Hi"), (A, "Hello.")],
            "would be lost",
        ),
        ("mistral", Some("v9"), &[(U, "Hi")], "unknown variant"),
    ];
    for (name, variant, turns, why) in cases {
        let mut options = RenderOptions::default();
        options.variant = variant.map(str::to_owned);
        match target(name).unwrap().render(&session(turns), &options) {
            Err(Error::Unsupported(message)) => assert!(message.contains(why), "{message}"),
            other => panic!("{name} {variant:?} {turns:?}: {other:?}"),
        }
    }
    assert!(matches!(
        target("gemma").unwrap().render(
            &session(&[(U, "Hi")]),
            &RenderOptions::default().variant("gemma4")
        ),
        Err(Error::Unsupported(_))
    ));
}

#[test]
fn the_variants_and_defaults() {
    assert_eq!(Mistral::default().variant(), MistralVariant::V1);
    assert_eq!(Gemma::default().variant(), GemmaVariant::Gemma3);
    for v in MistralVariant::ALL {
        assert_eq!(MistralVariant::from_name(v.name()), Some(v));
    }
    for v in GemmaVariant::ALL {
        assert_eq!(GemmaVariant::from_name(v.name()), Some(v));
    }
    for name in ["chatml", "llama3", "mistral", "gemma"] {
        assert_eq!(target(name).unwrap().name(), name);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Validators.

#[test]
fn validators_flag_what_the_templates_never_write() {
    let cases: &[(&str, &str, &str)] = &[
        ("chatml", "<|im_start|>user\nHi", "unterminated-turn"),
        ("chatml", "<|im_start|>user\n", "generation-prompt"),
        ("chatml", "Hi<|im_end|>\n", "text-outside-turn"),
        ("chatml", "<|im_start|>tool\nx<|im_end|>\n", "unknown-role"),
        (
            "llama3",
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
            "bos",
        ),
        (
            "llama3",
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n Hi<|eot_id|>",
            "untrimmed-content",
        ),
        (
            "mistral",
            "<s> [INST] Hi [/INST] [INST] Again [/INST]",
            "alternation",
        ),
        (
            "mistral",
            "<s> [INST] Hi [/INST] A [INST]</s>",
            "marker-in-content",
        ),
        ("mistral", "<s> Hello.</s>", "alternation"),
        ("mistral", "[INST] Hi [/INST]", "bos"),
        ("mistral", "<s>", "no-user-turn"),
        (
            "gemma",
            "<bos><start_of_turn>model\nHi<end_of_turn>\n",
            "alternation",
        ),
        (
            "gemma",
            "<bos><start_of_turn>system\nHi<end_of_turn>\n",
            "unknown-role",
        ),
        (
            "gemma",
            "<bos><start_of_turn>user\nHi<end_of_turn>",
            "turn-separator",
        ),
        (
            "gemma",
            "<bos><start_of_turn>user\nHi<bos><end_of_turn>\n",
            "marker-in-content",
        ),
    ];
    for &(name, text, rule) in cases {
        let violations = target(name).unwrap().validate(&Payload::Text(text.into()));
        assert!(
            violations.iter().any(|v| v.rule == rule),
            "{name} {text:?}: {violations:?}"
        );
    }
    for t in memor_render::targets()
        .iter()
        .filter(|t| ["chatml", "llama3", "mistral", "gemma"].contains(&t.name()))
    {
        let v = t.validate(&Payload::Json(serde_json::json!([])));
        assert_eq!(v.first().map(|v| v.rule), Some("payload-kind"));
    }
}

#[test]
fn content_with_markers_renders_as_the_template_does_and_fails_validation() {
    let env = environment();
    for family in FAMILIES {
        let s = session(&[(U, &format!("look: {}", family.markers[1])), (A, "ok")]);
        let mut tally = Tally::default();
        check(&env, family, &s, true, &mut tally);
        let rendered = target(family.target)
            .unwrap()
            .render(&s, &family.options(true))
            .unwrap();
        let violations = family.validator().validate(&rendered.payload);
        assert!(!violations.is_empty(), "{}", family.label);
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Snapshots.

#[test]
fn snapshots() {
    let s = session(&[
        (S, "You are terse."),
        (U, "Hi"),
        (A, "Hello."),
        (U, "Capital of France?"),
    ]);
    for label in [
        "chatml",
        "llama3",
        "mistral-v1",
        "mistral-v3",
        "mistral-v3-tekken",
        "mistral-v7",
        "gemma2",
        "gemma3",
    ] {
        let family = family(label);
        let rendered = target(family.target)
            .unwrap()
            .render(&s, &family.options(true))
            .unwrap();
        let text = rendered.payload.as_text().unwrap();
        insta::assert_snapshot!(
            format!("chat_template_{label}"),
            format!("{text}\n---- report ----\n{}", rendered.report)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(S), Just(U), Just(A)]
}

fn content() -> impl Strategy<Value = String> {
    prop::string::string_regex("[ a-zA-Z\\n\\t\u{1c}\u{1f}\u{a0}\u{3000}éß東🌸<>\\[\\]/|_]{0,10}")
        .unwrap()
}

fn random_session() -> impl Strategy<Value = Session> {
    let text = prop_oneof![4 => content(), 1 => marker_soup()];
    prop::collection::vec((role(), text, prop::bool::weighted(0.85)), 0..7).prop_map(|turns| {
        let mut s = Session::new(None);
        for (role, text, enabled) in turns {
            s.add_message(message(role, &text), enabled, None);
        }
        s
    })
}

fn marker_soup() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("<s>"),
        Just("</s>"),
        Just(" [INST] "),
        Just("[INST]"),
        Just(" [/INST]"),
        Just("[/INST]"),
        Just("[SYSTEM_PROMPT] "),
        Just("[/SYSTEM_PROMPT]"),
        Just("<|im_start|>"),
        Just("<|im_end|>"),
        Just("<|begin_of_text|>"),
        Just("<|start_header_id|>"),
        Just("<|end_header_id|>"),
        Just("<|eot_id|>"),
        Just("<bos>"),
        Just("<start_of_turn>"),
        Just("<end_of_turn>"),
        Just("user"),
        Just("assistant"),
        Just("model"),
        Just("system"),
        Just("\n"),
        Just("\n\n"),
        Just(" "),
        Just("é"),
        Just("x"),
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|p| p.concat())
}

/// 96 cases, or `PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_conversations_render_as_the_templates_do(s in random_session(), agp in any::<bool>()) {
        let env = environment();
        let mut tally = Tally::default();
        for family in FAMILIES {
            check(&env, family, &s, agp, &mut tally);
        }
    }

    #[test]
    fn validators_never_panic(text in marker_soup(), junk in ".{0,40}") {
        let validators: Vec<Box<dyn Target>> = FAMILIES.iter().map(Family::validator).collect();
        for validator in &validators {
            let _ = validator.validate(&Payload::Text(text.clone()));
            let _ = validator.validate(&Payload::Text(junk.clone()));
            let _ = validator.validate(&Payload::Text(format!("{text}{junk}")));
        }
    }
}
