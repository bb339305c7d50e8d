//! The provider targets (`chat`, `openai-responses`, `anthropic`, `gemini`, `ollama`):
//!
//! 1. every render of every conformance object passes its target's validator and the
//!    official JSON Schema of its request body;
//! 2. each validator agrees with the schema self-test payloads (`*.bad.*` flagged, the others
//!    passed);
//! 3. the reports of hand-built sessions, exactly, and one reviewed snapshot per target.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use memor_core::{Message, Object, Prompt, PromptTemplate, Response, Role, Session};
use memor_render::{
    Anthropic, Change, Chat, Error, Gemini, Ollama, OpenAiResponses, Payload, RenderOptions,
    Rendered, SYNTHESIZED_USER_TEXT, Target, Text, Violation, target,
};
use serde_json::{Value, json};

// ---- where things are ----

fn schemas_dir() -> PathBuf {
    std::env::var_os("MEMOR_SCHEMAS").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/schemas"
            ))
        },
        PathBuf::from,
    )
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

/// Each provider target, the schema of its request body, and its name in `selftest/cases.json`.
fn providers() -> Vec<(Box<dyn Target>, &'static str, &'static str)> {
    vec![
        (Box::new(Chat), "openai-chat-request.json", "openai"),
        (
            Box::new(OpenAiResponses),
            "openai-responses-request.json",
            "openai-responses",
        ),
        (
            Box::new(Anthropic),
            "anthropic-messages-request.json",
            "anthropic",
        ),
        (
            Box::new(Gemini),
            "gemini-generate-content-request.json",
            "gemini",
        ),
        (Box::new(Ollama), "ollama-chat-request.json", "ollama"),
    ]
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema(file: &str) -> jsonschema::Validator {
    let path = schemas_dir().join(file);
    jsonschema::validator_for(&read_json(&path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The schema's errors for a body, one line each.
fn schema_errors(validator: &jsonschema::Validator, body: &Value) -> Vec<String> {
    validator
        .iter_errors(body)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn show(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

// ---- 1. conformance objects ----

/// The option sets every object is rendered with: none, and all of them.
fn option_sets(target: &str) -> Vec<RenderOptions> {
    let full = RenderOptions::default()
        .model("some-model")
        .temperature(0.5)
        .max_tokens(256);
    let mut sets = vec![RenderOptions::default(), full.clone()];
    if target == "chat" {
        sets.push(full.variant("developer"));
    }
    sets
}

#[test]
fn every_conformance_object_renders_valid_for_every_provider() {
    let dir = conformance_dir().join("memor").join("objects");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let providers: Vec<_> = providers()
        .into_iter()
        .map(|(t, file, _)| (t, schema(file)))
        .collect();
    let (mut sessions, mut messages, mut renders, mut skipped) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let Ok(object) = Object::load(path) else {
            // memor refuses the file itself: nothing to render.
            continue;
        };
        let render = |t: &dyn Target, options: &RenderOptions| match &object {
            Object::Session(s) => Some(t.render(s, options)),
            Object::Prompt(p) => Some(t.render_message(&Message::from(p.clone()), options)),
            Object::Response(r) => Some(t.render_message(&Message::from(r.clone()), options)),
            Object::Template(_) => None,
        };
        match &object {
            Object::Session(_) => sessions += 1,
            Object::Prompt(_) | Object::Response(_) => messages += 1,
            Object::Template(_) => continue,
        }
        let memor_renders = render(&Text, &RenderOptions::default()).is_some_and(|r| r.is_ok());
        for (t, validator) in &providers {
            for options in option_sets(t.name()) {
                let name = format!("{} with {options:?}: {}", t.name(), path.display());
                match render(t.as_ref(), &options) {
                    None => {}
                    Some(Err(error)) => {
                        assert!(
                            !memor_renders,
                            "{name}: fails ({error}) though memor renders it"
                        );
                        assert!(
                            matches!(error, Error::Message { .. }),
                            "{name}: {error:?} is not a message error"
                        );
                        skipped += 1;
                    }
                    Some(Ok(rendered)) => {
                        renders += 1;
                        let violations = t.validate(&rendered.payload);
                        if !violations.is_empty() {
                            failures.push(format!("{name}: own validator: {}", show(&violations)));
                        }
                        let Some(body) = rendered.payload.as_json() else {
                            failures.push(format!("{name}: not a JSON body"));
                            continue;
                        };
                        let errors = schema_errors(validator, body);
                        if !errors.is_empty() {
                            failures.push(format!("{name}: schema: {}", errors.join("; ")));
                        }
                    }
                }
            }
        }
    }
    assert!(sessions > 0, "no session found in {}", dir.display());
    assert!(
        messages > 0,
        "no prompt or response found in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{sessions} sessions and {messages} messages: {renders} renders checked, {skipped} \
         render errors memor shares"
    );
}

// ---- 2. schema self-tests ----

/// The rule (and turn index) each `*.bad.*` self-test payload must be flagged with.
///
/// Every bad case of these five targets breaks a rule its validator sees; none is left to the
/// schema alone.
const EXPECTED_FLAGS: &[(&str, &str, Option<usize>)] = &[
    (
        "anthropic.bad.consecutive-user.json",
        "alternation",
        Some(1),
    ),
    ("anthropic.bad.content-number.json", "content-type", Some(0)),
    (
        "anthropic.bad.empty-string-content.json",
        "empty-content",
        Some(0),
    ),
    (
        "anthropic.bad.empty-text-block.json",
        "empty-content",
        Some(0),
    ),
    (
        "anthropic.bad.first-assistant.json",
        "first-turn-user",
        Some(0),
    ),
    ("anthropic.bad.missing-max-tokens.json", "required", None),
    ("anthropic.bad.role-model.json", "role", Some(1)),
    (
        "anthropic.bad.system-role-in-messages.json",
        "system-in-messages",
        Some(0),
    ),
    ("anthropic.bad.temperature-string.json", "type", None),
    ("anthropic.bad.unknown-key-n.json", "unknown-field", None),
    (
        "anthropic.bad.whitespace-text-block.json",
        "empty-content",
        Some(0),
    ),
    ("gemini.bad.consecutive-user.json", "alternation", Some(1)),
    ("gemini.bad.content-number.json", "content-type", Some(0)),
    ("gemini.bad.data-url-in-inline-data.json", "base64", Some(0)),
    ("gemini.bad.empty-part.json", "part-data", Some(0)),
    ("gemini.bad.empty-parts.json", "empty-content", Some(0)),
    ("gemini.bad.missing-contents.json", "required", None),
    ("gemini.bad.role-assistant.json", "role", Some(1)),
    ("gemini.bad.role-system.json", "role", Some(0)),
    ("gemini.bad.two-data-fields.json", "part-data", Some(0)),
    ("ollama.bad.content-array.json", "content-type", Some(0)),
    ("ollama.bad.content-number.json", "content-type", Some(0)),
    ("ollama.bad.role-model.json", "role", Some(0)),
    ("ollama.bad.stream-missing.json", "stream", None),
    (
        "ollama.bad.tool-arguments-string.json",
        "tool-arguments",
        Some(0),
    ),
    (
        "openai-responses.bad.assistant-input-text.json",
        "part-type",
        Some(1),
    ),
    (
        "openai-responses.bad.content-number.json",
        "content-type",
        Some(0),
    ),
    ("openai-responses.bad.role-model.json", "role", Some(0)),
    ("openai.bad.content-number.json", "content-type", Some(0)),
    ("openai.bad.empty-messages.json", "no-turns", None),
    ("openai.bad.missing-model.json", "required", None),
    ("openai.bad.role-model.json", "role", Some(1)),
    ("openai.bad.tool-without-call.json", "tool-pairing", Some(1)),
];

#[test]
fn validators_agree_with_the_schema_self_tests() {
    let dir = schemas_dir().join("selftest");
    let cases = read_json(&dir.join("cases.json"));
    let cases = cases["cases"].as_array().expect("a list of cases");
    let providers = providers();
    let (mut bad, mut passing, mut schema_checked) = (0, 0, 0);
    let mut failures = Vec::new();
    for case in cases {
        let file = case["file"].as_str().expect("a file name");
        let Some((t, schema_file, _)) = providers.iter().find(|(_, _, n)| case["target"] == *n)
        else {
            continue;
        };
        let body = read_json(&dir.join(file));
        let violations = t.validate(&Payload::Json(body.clone()));
        if file.contains(".bad.") {
            bad += 1;
            if violations.is_empty() {
                failures.push(format!("{file}: not flagged"));
            }
            if let Some((_, rule, index)) = EXPECTED_FLAGS.iter().find(|(f, ..)| *f == file)
                && !violations
                    .iter()
                    .any(|v| v.rule == *rule && v.index == *index)
            {
                failures.push(format!(
                    "{file}: expected rule {rule} at {index:?}, got {}",
                    show(&violations)
                ));
            }
        } else {
            // `good`, `warn` (the API takes them, or the schema only warns) and
            // `spec-mismatch` (the providers' own examples, which the API accepts).
            passing += 1;
            if !violations.is_empty() {
                failures.push(format!("{file}: flagged: {}", show(&violations)));
            }
        }
        // The harness's schema check agrees with the self-test's expectation.
        let wrapped = match body {
            Value::Array(messages) => json!({"model": "x", "messages": messages}),
            other => other,
        };
        let schema_passes = schema_errors(&schema(schema_file), &wrapped).is_empty();
        if schema_passes != (case["expect"] == "pass") {
            failures.push(format!(
                "{file}: schema says {schema_passes}, cases.json {}",
                case["expect"]
            ));
        }
        schema_checked += 1;
    }
    assert!(bad > 0 && passing > 0, "no self-test case found");
    for (file, ..) in EXPECTED_FLAGS {
        assert!(
            cases.iter().any(|c| c["file"] == *file),
            "{file} is not in cases.json"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{bad} bad cases flagged, {passing} passed, {schema_checked} checked by the schema");
}

#[test]
fn validators_take_any_json_without_panicking() {
    let odd = [
        json!(null),
        json!(1),
        json!("text"),
        json!([]),
        json!([1, "a", null, [], {}]),
        json!({}),
        json!({"messages": 3, "contents": "x", "input": 5, "model": 7, "stream": "no"}),
        json!({"messages": [null, 1, {"role": 5}, {"role": "user", "content": {"a": 1}}]}),
        json!({"contents": [null, {"role": [], "parts": [null, {"text": 1, "inlineData": 2}]}]}),
        json!({"input": [null, {"type": 3}, {"role": "assistant", "content": [null, 1]}]}),
        json!({"model": "m", "max_tokens": -1, "messages": [{"role": "assistant",
               "content": [{"type": "tool_use"}, {"type": "text", "text": null}]}]}),
        json!({"messages": [{"role": "tool", "tool_call_id": 1, "content": [1]}],
               "temperature": 1e308, "n": 1000, "options": [], "generationConfig": 1}),
    ];
    for (t, ..) in providers() {
        for body in &odd {
            let violations = t.validate(&Payload::Json(body.clone()));
            assert!(!violations.is_empty(), "{}: {body} passes", t.name());
        }
        let text = t.validate(&Payload::Text("hello".into()));
        assert_eq!(text.len(), 1);
        assert_eq!(text[0].rule, "payload");
    }
}

// ---- 3. reports ----

fn prompt(role: Role, text: &str) -> Message {
    let mut p = Prompt::new(text);
    p.update_role(role);
    p.into()
}

fn response(role: Role, text: &str) -> Message {
    let mut r = Response::new(text);
    r.update_role(role);
    r.into()
}

fn session(messages: Vec<Message>, masked: &[usize]) -> Session {
    let mut s = Session::with_messages(None, messages);
    for &i in masked {
        s.disable_message(i).expect("a message to mask");
    }
    s
}

fn render(name: &str, s: &Session, options: &RenderOptions) -> Rendered {
    let t = target(name).unwrap_or_else(|| panic!("no target {name}"));
    let rendered = t.render(s, options).expect("a render");
    let violations = t.validate(&rendered.payload);
    assert!(violations.is_empty(), "{name}: {}", show(&violations));
    rendered
}

fn changes(name: &str, s: &Session) -> Vec<Change> {
    render(name, s, &RenderOptions::default()).report.changes
}

fn body(name: &str, s: &Session) -> Value {
    render(name, s, &RenderOptions::default())
        .payload
        .as_json()
        .expect("a JSON body")
        .clone()
}

fn moved(index: usize, to: &str) -> Change {
    Change::Moved {
        index,
        to: to.into(),
    }
}

fn merged(index: usize, into: usize) -> Change {
    Change::Merged { index, into }
}

fn to_model(index: usize) -> Change {
    Change::Renamed {
        index,
        from: "assistant".into(),
        to: "model".into(),
    }
}

fn dropped(index: usize, reason: &str) -> Change {
    Change::Dropped {
        index,
        reason: reason.into(),
    }
}

fn added(position: usize, reason: &str) -> Change {
    Change::Synthesized {
        position,
        role: "user".into(),
        reason: reason.into(),
    }
}

const NO_TURN: &str = "the request needs at least one turn";
const FIRST_USER: &str = "the first turn must be user";
const LAST_USER: &str = "the last turn must be user";

#[test]
fn system_first() {
    let s = session(
        vec![
            prompt(Role::System, "You are terse."),
            prompt(Role::User, "Hi"),
            response(Role::Assistant, "Hello."),
            prompt(Role::User, "Capital of France?"),
        ],
        &[],
    );
    assert_eq!(changes("chat", &s), []);
    assert_eq!(changes("ollama", &s), []);
    assert_eq!(changes("openai-responses", &s), [moved(0, "instructions")]);
    assert_eq!(changes("anthropic", &s), [moved(0, "system")]);
    assert_eq!(
        changes("gemini", &s),
        [moved(0, "systemInstruction"), to_model(2)]
    );
    let developer = RenderOptions::default().variant("developer");
    assert_eq!(
        render("chat", &s, &developer).report.changes,
        [Change::Renamed {
            index: 0,
            from: "system".into(),
            to: "developer".into()
        }]
    );
    assert_eq!(
        body("anthropic", &s),
        json!({
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "system": "You are terse.",
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello."},
                {"role": "user", "content": "Capital of France?"}
            ]
        })
    );
    assert_eq!(
        body("chat", &s)["messages"][0],
        json!({"role": "system", "content": "You are terse."})
    );
    assert_eq!(
        render("chat", &s, &developer)
            .payload
            .as_json()
            .expect("json")["messages"][0]["role"],
        "developer"
    );
}

#[test]
fn consecutive_turns() {
    let s = session(
        vec![
            prompt(Role::User, "a"),
            prompt(Role::User, "b"),
            response(Role::Assistant, "c"),
            response(Role::Assistant, "d"),
            prompt(Role::User, "e"),
        ],
        &[],
    );
    for name in ["chat", "ollama", "openai-responses"] {
        assert_eq!(changes(name, &s), [], "{name}");
    }
    assert_eq!(changes("anthropic", &s), [merged(1, 0), merged(3, 2)]);
    assert_eq!(
        changes("gemini", &s),
        [merged(1, 0), to_model(2), to_model(3), merged(3, 2)]
    );
    assert_eq!(
        body("anthropic", &s)["messages"][0]["content"],
        json!([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])
    );
    assert_eq!(
        body("gemini", &s)["contents"][1],
        json!({"role": "model", "parts": [{"text": "c"}, {"text": "d"}]})
    );
}

#[test]
fn empty_messages() {
    let s = session(
        vec![
            prompt(Role::User, "Hi"),
            response(Role::Assistant, ""),
            prompt(Role::User, "  "),
            response(Role::Assistant, "Hello."),
            prompt(Role::System, ""),
            prompt(Role::User, "Bye"),
        ],
        &[],
    );
    assert_eq!(changes("chat", &s), []);
    assert_eq!(changes("ollama", &s), []);
    assert_eq!(changes("openai-responses", &s), [dropped(4, "empty text")]);
    assert_eq!(
        changes("anthropic", &s),
        [
            dropped(1, "empty text"),
            dropped(2, "whitespace-only text"),
            dropped(4, "empty text")
        ]
    );
    assert_eq!(
        changes("gemini", &s),
        [
            dropped(1, "empty text"),
            merged(2, 0),
            to_model(3),
            dropped(4, "empty text")
        ]
    );
    assert_eq!(
        body("gemini", &s)["contents"][0]["parts"],
        json!([{"text": "Hi"}, {"text": "  "}])
    );
    assert!(body("gemini", &s).get("systemInstruction").is_none());
    assert!(body("anthropic", &s).get("system").is_none());
    assert!(body("openai-responses", &s).get("instructions").is_none());
}

#[test]
fn trailing_assistant() {
    let s = session(
        vec![
            prompt(Role::User, "Hi"),
            response(Role::Assistant, "Hello. \n"),
        ],
        &[],
    );
    for name in ["chat", "ollama", "openai-responses", "anthropic"] {
        assert_eq!(changes(name, &s), [], "{name}");
    }
    assert_eq!(changes("gemini", &s), [to_model(1), added(2, LAST_USER)]);
    assert_eq!(
        body("gemini", &s)["contents"][2],
        json!({"role": "user", "parts": [{"text": SYNTHESIZED_USER_TEXT}]})
    );
    // Anthropic keeps the prefill, trimmed, and says so.
    let anthropic = render("anthropic", &s, &RenderOptions::default());
    let payload = anthropic.payload.as_json().expect("json");
    assert_eq!(
        payload["messages"][1],
        json!({"role": "assistant", "content": "Hello."})
    );
    assert!(anthropic.warnings.iter().any(|w| w.contains("prefill")));
    assert!(
        anthropic
            .warnings
            .iter()
            .any(|w| w.contains("trailing whitespace"))
    );
    // The other targets keep the text as it is.
    assert_eq!(body("chat", &s)["messages"][1]["content"], "Hello. \n");
}

#[test]
fn masked_messages() {
    let s = session(
        vec![
            prompt(Role::System, "Be brief."),
            prompt(Role::User, "Hi"),
            response(Role::Assistant, "Hello."),
            prompt(Role::User, "Again?"),
        ],
        &[0, 2],
    );
    let masked = [Change::Masked { index: 0 }, Change::Masked { index: 2 }];
    for name in ["chat", "ollama", "openai-responses"] {
        assert_eq!(changes(name, &s), masked, "{name}");
    }
    for name in ["anthropic", "gemini"] {
        let mut expected = masked.to_vec();
        expected.push(merged(3, 1));
        assert_eq!(changes(name, &s), expected, "{name}");
    }
    assert_eq!(
        body("chat", &s)["messages"],
        json!([{"role": "user", "content": "Hi"}, {"role": "user", "content": "Again?"}])
    );
}

#[test]
fn leading_assistant_and_empty_sessions() {
    let s = session(
        vec![
            response(Role::Assistant, "Hello."),
            prompt(Role::User, "Hi"),
        ],
        &[],
    );
    assert_eq!(changes("anthropic", &s), [added(0, FIRST_USER)]);
    assert_eq!(changes("gemini", &s), [added(0, FIRST_USER), to_model(0)]);
    assert_eq!(changes("chat", &s), []);
    assert_eq!(
        body("anthropic", &s)["messages"][0],
        json!({"role": "user", "content": SYNTHESIZED_USER_TEXT})
    );

    let empty = Session::new(None);
    for (t, ..) in providers() {
        assert_eq!(
            changes(t.name(), &empty),
            [added(0, NO_TURN)],
            "{}",
            t.name()
        );
    }
    let all_masked = session(vec![prompt(Role::User, "Hi")], &[0]);
    for (t, ..) in providers() {
        assert_eq!(
            changes(t.name(), &all_masked),
            [Change::Masked { index: 0 }, added(0, NO_TURN)],
            "{}",
            t.name()
        );
    }
    // Only system text: Chat and Ollama send it as it is; the others need a turn.
    let system_only = session(vec![prompt(Role::System, "Be brief.")], &[]);
    assert_eq!(changes("chat", &system_only), []);
    assert_eq!(changes("ollama", &system_only), []);
    assert_eq!(
        changes("anthropic", &system_only),
        [added(0, NO_TURN), moved(0, "system")]
    );
    assert_eq!(
        changes("gemini", &system_only),
        [added(0, NO_TURN), moved(0, "systemInstruction")]
    );
    assert_eq!(
        changes("openai-responses", &system_only),
        [moved(0, "instructions"), added(0, NO_TURN)]
    );
}

#[test]
fn a_prompts_responses_are_not_sent() {
    let mut p = Prompt::new("Capital of France?");
    p.add_response(Response::new("Paris."), None);
    let s = session(vec![p.into()], &[]);
    for (t, ..) in providers() {
        let text = render(t.name(), &s, &RenderOptions::default())
            .payload
            .to_json_string();
        assert!(text.contains("Capital of France?"), "{}", t.name());
        assert!(!text.contains("Paris."), "{}: {text}", t.name());
    }
}

#[test]
fn a_template_error_is_a_message_error() {
    let mut bad = Prompt::new("Hi");
    bad.update_template(PromptTemplate::new("{response[message]}"));
    let s = session(vec![prompt(Role::User, "ok"), bad.into()], &[]);
    assert!(Text.render(&s, &RenderOptions::default()).is_err());
    for (t, ..) in providers() {
        match t.render(&s, &RenderOptions::default()) {
            Err(Error::Message { index: 1, .. }) => {}
            other => panic!("{}: {other:?}", t.name()),
        }
    }
}

#[test]
fn options() {
    let s = session(vec![prompt(Role::User, "Hi")], &[]);
    let options = RenderOptions::default()
        .model("m")
        .temperature(0.25)
        .max_tokens(100);
    let get = |name: &str| {
        let rendered = render(name, &s, &options);
        assert!(
            !rendered.warnings.iter().any(|w| w.contains("default")),
            "{name}: {:?}",
            rendered.warnings
        );
        rendered.payload.as_json().expect("json").clone()
    };
    let chat = get("chat");
    assert_eq!(
        (
            &chat["model"],
            &chat["temperature"],
            &chat["max_completion_tokens"]
        ),
        (&json!("m"), &json!(0.25), &json!(100))
    );
    let responses = get("openai-responses");
    assert_eq!(
        (
            &responses["model"],
            &responses["temperature"],
            &responses["max_output_tokens"],
            &responses["store"]
        ),
        (&json!("m"), &json!(0.25), &json!(100), &json!(false))
    );
    let anthropic = get("anthropic");
    assert_eq!(
        (
            &anthropic["model"],
            &anthropic["temperature"],
            &anthropic["max_tokens"]
        ),
        (&json!("m"), &json!(0.25), &json!(100))
    );
    let gemini = get("gemini");
    assert_eq!(
        gemini["generationConfig"],
        json!({"temperature": 0.25, "maxOutputTokens": 100})
    );
    assert!(gemini.get("model").is_none());
    let ollama = get("ollama");
    assert_eq!(
        (&ollama["model"], &ollama["stream"], &ollama["options"]),
        (
            &json!("m"),
            &json!(false),
            &json!({"temperature": 0.25, "num_predict": 100})
        )
    );

    // Defaults, named in warnings.
    let defaults = render("anthropic", &s, &RenderOptions::default());
    assert_eq!(
        defaults.payload.as_json().expect("json")["max_tokens"],
        1024
    );
    assert!(
        defaults
            .warnings
            .iter()
            .any(|w| w.contains("claude-sonnet-4-5"))
    );
    assert_eq!(body("chat", &s)["model"], "gpt-4o");
    assert_eq!(body("openai-responses", &s)["model"], "gpt-4o");
    assert_eq!(body("ollama", &s)["model"], "llama3.2");

    // Out of range: refused, not clamped.
    let refused = |name: &str, options: RenderOptions| {
        let t = target(name).expect("target");
        assert!(
            matches!(t.render(&s, &options), Err(Error::Unsupported(_))),
            "{name}: {options:?}"
        );
    };
    refused("anthropic", RenderOptions::default().temperature(1.5));
    refused("chat", RenderOptions::default().temperature(2.5));
    refused("chat", RenderOptions::default().temperature(f64::NAN));
    refused("gemini", RenderOptions::default().temperature(-1.0));
    refused("openai-responses", RenderOptions::default().max_tokens(15));
    refused("gemini", RenderOptions::default().max_tokens(1 << 31));
    refused("chat", RenderOptions::default().variant("o1"));
    refused("ollama", RenderOptions::default().model(" "));
}

#[test]
fn responses_ids() {
    let mut a = Response::new("one");
    a.update_role(Role::Assistant);
    let id = a.id().replace('-', "");
    let s = session(
        vec![prompt(Role::User, "q"), a.clone().into(), a.into()],
        &[],
    );
    let input = body("openai-responses", &s)["input"].clone();
    assert_eq!(input[1]["id"], format!("msg_{id}"));
    assert_eq!(input[2]["id"], format!("msg_{id}_2"));
}

// ---- snapshots ----

/// A session with most of what the providers' rules touch: a system prompt, a run of user
/// messages, an empty response, a masked message, a system message mid-conversation, and an
/// assistant message last.
fn representative() -> Session {
    session(
        vec![
            prompt(Role::System, "You are terse."),
            prompt(Role::User, "Hi"),
            response(Role::Assistant, "Hello."),
            prompt(Role::User, "Capital of France?"),
            prompt(Role::User, "And of Italy?"),
            response(Role::Assistant, ""),
            response(Role::Assistant, "Paris and Rome."),
            prompt(Role::User, "Thanks"),
            prompt(Role::System, "Answer in English."),
        ],
        &[7],
    )
}

fn snapshot_text(s: &Session, rendered: &Rendered) -> String {
    let mut body = rendered.payload.as_json().expect("json").clone();
    // Responses: the ids come from memor's random ids.
    if let Some(items) = body.get_mut("input").and_then(Value::as_array_mut) {
        for item in items {
            if let Some(id) = item.get_mut("id") {
                let found = s
                    .messages()
                    .iter()
                    .position(|m| id == &format!("msg_{}", m.id().replace('-', "")))
                    .expect("an id from a message");
                *id = json!(format!("msg_<id of message {found}>"));
            }
        }
    }
    let mut out = serde_json::to_string_pretty(&body).expect("json");
    out.push_str("\n--- report\n");
    out.push_str(&rendered.report.to_string());
    out.push_str("--- warnings\n");
    for w in &rendered.warnings {
        let _ = writeln!(out, "{w}");
    }
    out
}

#[test]
fn snapshots() {
    let s = representative();
    let options = RenderOptions::default().temperature(0.2).max_tokens(256);
    for (t, ..) in providers() {
        let rendered = render(t.name(), &s, &options);
        insta::assert_snapshot!(t.name().to_owned(), snapshot_text(&s, &rendered));
    }
}

// ---- properties ----

mod properties {
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;

    /// The providers with their compiled schemas, built once.
    fn compiled() -> &'static Vec<(Box<dyn Target>, jsonschema::Validator)> {
        static COMPILED: OnceLock<Vec<(Box<dyn Target>, jsonschema::Validator)>> = OnceLock::new();
        COMPILED.get_or_init(|| {
            providers()
                .into_iter()
                .map(|(t, file, _)| (t, schema(file)))
                .collect()
        })
    }

    const KEYS: &[&str] = &[
        "role",
        "content",
        "messages",
        "contents",
        "parts",
        "text",
        "input",
        "type",
        "tool_calls",
        "function",
        "arguments",
        "id",
        "tool_call_id",
        "tool_use_id",
        "call_id",
        "model",
        "max_tokens",
        "stream",
        "system",
        "systemInstruction",
        "generationConfig",
        "temperature",
        "inlineData",
        "data",
        "images",
        "options",
        "name",
        "n",
        "instructions",
    ];
    const WORDS: &[&str] = &[
        "user",
        "assistant",
        "system",
        "model",
        "tool",
        "developer",
        "function",
        "text",
        "tool_use",
        "tool_result",
        "output_text",
        "input_text",
        "message",
        "function_call",
        "function_call_output",
        "",
        " ",
        "Hi",
    ];

    /// JSON shaped like the request bodies, often wrong.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop::sample::select(WORDS).prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(
                    |members| {
                        Value::Object(
                            members
                                .into_iter()
                                .map(|(k, v)| (k.to_owned(), v))
                                .collect(),
                        )
                    }
                ),
            ]
        })
    }

    /// One message: prompt or response, role, text, masked.
    fn message() -> impl Strategy<Value = (bool, Role, &'static str, bool)> {
        (
            any::<bool>(),
            prop::sample::select(vec![Role::System, Role::User, Role::Assistant]),
            prop::sample::select(vec!["", " ", "\n", "Hi", "Hello. ", "a\n\nb"]),
            prop::bool::weighted(0.2),
        )
    }

    proptest! {
        #[test]
        fn validators_never_panic(body in json_value()) {
            for (t, _) in compiled() {
                let _ = t.validate(&Payload::Json(body.clone()));
            }
        }

        #[test]
        fn any_session_renders_valid(
            messages in prop::collection::vec(message(), 0..9),
            temperature in prop::option::of(0.0..=1.0f64),
            max_tokens in prop::option::of(16..4096u64),
        ) {
            let masked: Vec<usize> = messages
                .iter()
                .enumerate()
                .filter(|(_, m)| m.3)
                .map(|(i, _)| i)
                .collect();
            let s = session(
                messages
                    .iter()
                    .map(|&(is_prompt, role, text, _)| {
                        if is_prompt { prompt(role, text) } else { response(role, text) }
                    })
                    .collect(),
                &masked,
            );
            let mut options = RenderOptions::default();
            options.temperature = temperature;
            options.max_tokens = max_tokens;
            for (t, validator) in compiled() {
                let rendered = t.render(&s, &options).expect("a render");
                let violations = t.validate(&rendered.payload);
                prop_assert!(violations.is_empty(), "{}: {}", t.name(), show(&violations));
                let body = rendered.payload.as_json().expect("json");
                let errors = schema_errors(validator, body);
                prop_assert!(errors.is_empty(), "{}: {}", t.name(), errors.join("; "));
                let reported: Vec<usize> = rendered
                    .report
                    .iter()
                    .filter_map(|c| match c {
                        Change::Masked { index } => Some(*index),
                        _ => None,
                    })
                    .collect();
                prop_assert_eq!(&reported, &masked, "{}", t.name());
            }
        }
    }
}

/// memor's OPENAI list (a typed `Payload::Messages`) is checked like any JSON payload.
#[test]
fn openai_lists_pass_the_chat_rules() {
    use memor_core::{Prompt, Response, Role, Session};
    let mut system = Prompt::new("Be brief.");
    system.update_role(Role::System);
    let mut question = Prompt::new("Capital of France?");
    question.add_response(Response::new("Paris."), None);
    let session = Session::with_messages(
        None,
        vec![
            system.into(),
            question.into(),
            Response::new("Paris.").into(),
        ],
    );
    let rendered = memor_render::target("openai")
        .unwrap()
        .render(&session, &memor_render::RenderOptions::default())
        .unwrap();
    assert!(matches!(
        rendered.payload,
        memor_render::Payload::Messages(_)
    ));
    for name in ["openai", "chat"] {
        let violations = memor_render::target(name)
            .unwrap()
            .validate(&rendered.payload);
        assert!(violations.is_empty(), "{name}: {violations:?}");
    }
    // An empty list breaks a rule, whatever form it has.
    let empty = memor_render::Payload::Messages(memor_render::Messages::new());
    let violations = memor_render::target("openai").unwrap().validate(&empty);
    assert!(
        violations.iter().any(|v| v.rule == "no-turns"),
        "{violations:?}"
    );
}
