//! Provider payloads parsed back into sessions: hand-written payloads per format, a round trip
//! over the conformance sessions, and properties over random sessions and random JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_cmp
)]

use std::path::PathBuf;

use memor_core::{FinishReason, Message, Object, Prompt, Response, Role, Session};
use memor_render::{Format, Lost, Parsed, RenderOptions, Target, parse, target};
use proptest::prelude::*;
use serde_json::{Value, json};

/// (role, text, is a response) of every message.
fn shape(session: &Session) -> Vec<(Role, String, bool)> {
    session
        .messages()
        .iter()
        .map(|m| {
            (
                m.role(),
                m.message().to_owned(),
                matches!(m, Message::Response(_)),
            )
        })
        .collect()
}

fn response(session: &Session, index: usize) -> &Response {
    session.messages()[index].as_response().expect("a response")
}

fn lost(index: Option<usize>, what: &str) -> Lost {
    Lost {
        index,
        what: what.to_owned(),
    }
}

fn s(role: Role, text: &str, resp: bool) -> (Role, String, bool) {
    (role, text.to_owned(), resp)
}

#[test]
fn format_names() {
    for format in Format::ALL {
        assert_eq!(format.name().parse::<Format>().unwrap(), format);
    }
    assert!("chat".parse::<Format>().is_err());
}

#[test]
fn openai_chat_request() {
    let body = json!({
        "model": "gpt-4.1",
        "messages": [
            {"role": "developer", "content": "You are terse."},
            {"role": "user", "content": [
                {"type": "text", "text": "Look: "},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                {"type": "text", "text": "what is it?"}
            ]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "42"},
            {"role": "assistant", "content": "A cat."}
        ],
        "temperature": 0.2
    });
    let Parsed { session, lost: l } = parse(Format::OpenAiChat, &body).unwrap();
    assert_eq!(
        shape(&session),
        vec![
            s(Role::System, "You are terse.", false),
            s(Role::User, "Look: what is it?", false),
            s(Role::Assistant, "A cat.", true),
        ]
    );
    let r = response(&session, 2);
    assert_eq!(r.model(), "gpt-4.1");
    assert_eq!(r.temperature().unwrap().as_f64(), 0.2);
    assert_eq!(
        l,
        vec![
            lost(
                Some(0),
                "/messages/0/role: role `developer` read as `system`"
            ),
            lost(Some(1), "/messages/1/content/1: `image_url` part"),
            lost(None, "/messages/2/tool_calls/0: tool call `f`"),
            lost(None, "/messages/3: `tool` message"),
        ]
    );
    // A bare message list (memor's `openai` render) is read too.
    let bare = json!([{"role": "user", "content": "Hi"}]);
    let parsed = parse(Format::OpenAiChat, &bare).unwrap();
    assert_eq!(shape(&parsed.session), vec![s(Role::User, "Hi", false)]);
}

#[test]
fn openai_completion_reply() {
    let body = json!({
        "id": "chatcmpl-123", "object": "chat.completion", "created": 1_750_000_000,
        "model": "gpt-4.1-2025-04-14",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Paris.", "refusal": null},
             "logprobs": null, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 21, "completion_tokens": 2, "total_tokens": 23}
    });
    let Parsed { session, lost: l } = parse(Format::OpenAiCompletion, &body).unwrap();
    assert_eq!(shape(&session), vec![s(Role::Assistant, "Paris.", true)]);
    let r = response(&session, 0);
    assert_eq!(r.model(), "gpt-4.1-2025-04-14");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.tokens().unwrap().as_i64(), Some(2));
    assert!(l.is_empty(), "{l:?}");

    // Several choices: all kept, the later ones disabled; the usage is not split.
    let body = json!({
        "model": "m",
        "choices": [
            {"message": {"content": "A"}, "finish_reason": "length"},
            {"message": {"content": null, "tool_calls": [{"function": {"name": "g"}}]},
             "finish_reason": "stop"}
        ],
        "usage": {"completion_tokens": 7}
    });
    let Parsed { session, lost: l } = parse(Format::OpenAiCompletion, &body).unwrap();
    assert_eq!(
        shape(&session),
        vec![s(Role::Assistant, "A", true), s(Role::Assistant, "", true)]
    );
    assert_eq!(session.messages_status(), &[true, false]);
    assert_eq!(
        response(&session, 0).finish_reason(),
        Some(&FinishReason::Length)
    );
    assert_eq!(
        response(&session, 1).finish_reason(),
        Some(&FinishReason::ToolCalls)
    );
    assert!(response(&session, 0).tokens().is_none());
    assert_eq!(
        l,
        vec![
            lost(
                None,
                "/usage/completion_tokens: 7 output tokens of 2 candidates together (not split)"
            ),
            lost(Some(1), "/choices/1/message/tool_calls/0: tool call `g`"),
            lost(
                Some(1),
                "/choices/1/finish_reason: raw finish reason `stop` (kept as `tool_calls`)"
            ),
        ]
    );
}

#[test]
fn anthropic_request_and_reply() {
    let body = json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 256,
        "system": [{"type": "text", "text": "You are terse."}],
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "x"},
                {"type": "text", "text": "Hello."},
                {"type": "text", "text": " Again."}
            ]},
            {"role": "user", "content": "Capital of France?"}
        ],
        "temperature": 0.5
    });
    let Parsed { session, lost: l } = parse(Format::Anthropic, &body).unwrap();
    assert_eq!(
        shape(&session),
        vec![
            s(Role::System, "You are terse.", false),
            s(Role::User, "Hi", false),
            s(Role::Assistant, "Hello. Again.", true),
            s(Role::User, "Capital of France?", false),
        ]
    );
    let r = response(&session, 2);
    assert_eq!(r.model(), "claude-sonnet-4-5");
    assert_eq!(r.temperature().unwrap().as_f64(), 0.5);
    assert_eq!(
        l,
        vec![lost(Some(2), "/messages/1/content/0: thinking block")]
    );

    let reply = json!({
        "id": "msg_01", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "Paris."}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 21, "output_tokens": 5}
    });
    let Parsed { session, lost: l } = parse(Format::AnthropicMessage, &reply).unwrap();
    assert_eq!(shape(&session), vec![s(Role::Assistant, "Paris.", true)]);
    let r = response(&session, 0);
    assert_eq!(r.model(), "claude-sonnet-4-5-20250929");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.tokens().unwrap().as_i64(), Some(5));
    assert_eq!(
        l,
        vec![lost(
            Some(0),
            "/stop_reason: raw finish reason `end_turn` (kept as `stop`)"
        )]
    );
}

#[test]
fn gemini_request_and_reply() {
    let body = json!({
        "systemInstruction": {"parts": [{"text": "You are terse."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Hi"}]},
            {"role": "model", "parts": [{"text": "secret", "thought": true}, {"text": "Hello."}]},
            {"parts": [{"text": "Capital "}, {"text": "of France?"}]}
        ],
        "generationConfig": {"temperature": 0.2, "maxOutputTokens": 256}
    });
    let Parsed { session, lost: l } = parse(Format::Gemini, &body).unwrap();
    assert_eq!(
        shape(&session),
        vec![
            s(Role::System, "You are terse.", false),
            s(Role::User, "Hi", false),
            s(Role::Assistant, "Hello.", true),
            s(Role::User, "Capital of France?", false),
        ]
    );
    assert_eq!(response(&session, 2).temperature().unwrap().as_f64(), 0.2);
    assert_eq!(response(&session, 2).model(), memor_core::DEFAULT_MODEL);
    assert_eq!(l, vec![lost(Some(2), "/contents/1/parts/0: thought part")]);

    let reply = json!({
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": "Paris."}]},
             "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 2, "totalTokenCount": 14},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "abc123"
    });
    let Parsed { session, lost: l } = parse(Format::GeminiResponse, &reply).unwrap();
    assert_eq!(shape(&session), vec![s(Role::Assistant, "Paris.", true)]);
    let r = response(&session, 0);
    assert_eq!(r.model(), "gemini-2.5-flash");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.tokens().unwrap().as_i64(), Some(2));
    assert_eq!(
        l,
        vec![lost(
            Some(0),
            "/candidates/0/finishReason: raw finish reason `STOP` (kept as `stop`)"
        )]
    );

    let blocked = json!({"promptFeedback": {"blockReason": "SAFETY"}});
    let Parsed { session, lost: l } = parse(Format::GeminiResponse, &blocked).unwrap();
    assert_eq!(shape(&session), vec![s(Role::Assistant, "", true)]);
    assert_eq!(
        response(&session, 0).finish_reason(),
        Some(&FinishReason::ContentFilter)
    );
    assert_eq!(l.len(), 2);
}

#[test]
fn openai_responses_request_and_reply() {
    let body = json!({
        "model": "gpt-4.1",
        "instructions": "You are terse.",
        "input": [
            {"role": "user", "content": "Hi"},
            {"type": "message", "role": "assistant", "content": [
                {"type": "output_text", "text": "Hello.", "annotations": []}
            ]},
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
            {"role": "user", "content": [{"type": "input_text", "text": "Capital of France?"}]}
        ],
        "temperature": 0.2
    });
    let Parsed { session, lost: l } = parse(Format::OpenAiResponses, &body).unwrap();
    assert_eq!(
        shape(&session),
        vec![
            s(Role::System, "You are terse.", false),
            s(Role::User, "Hi", false),
            s(Role::Assistant, "Hello.", true),
            s(Role::User, "Capital of France?", false),
        ]
    );
    assert_eq!(response(&session, 2).model(), "gpt-4.1");
    assert_eq!(l, vec![lost(None, "/input/2: `function_call` item")]);

    let reply = json!({
        "id": "resp_123", "object": "response", "created_at": 1_750_000_000,
        "model": "gpt-4.1-2025-04-14", "status": "incomplete",
        "incomplete_details": {"reason": "max_output_tokens"}, "error": null,
        "output": [
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
             "content": [{"type": "output_text", "text": "Par", "annotations": []},
                         {"type": "output_text", "text": "is.", "annotations": []}]}
        ],
        "usage": {"input_tokens": 21, "output_tokens": 2, "total_tokens": 23}
    });
    let Parsed { session, lost: l } = parse(Format::OpenAiResponses, &reply).unwrap();
    assert_eq!(shape(&session), vec![s(Role::Assistant, "Paris.", true)]);
    let r = response(&session, 0);
    assert_eq!(r.model(), "gpt-4.1-2025-04-14");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Length));
    assert_eq!(r.tokens().unwrap().as_i64(), Some(2));
    assert_eq!(
        l,
        vec![
            lost(Some(0), "/output/0: `reasoning` item"),
            lost(
                Some(0),
                "/status: raw finish reason `incomplete/max_output_tokens` (kept as `length`)"
            ),
        ]
    );
}

#[test]
fn ollama_request_and_reply() {
    let body = json!({
        "model": "llama3.2",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "What is this?", "images": ["aGVsbG8="]},
            {"role": "assistant", "content": "Héllo 👋"},
            {"role": "tool", "content": "42", "tool_name": "f"}
        ],
        "stream": false,
        "options": {"temperature": 0.2, "num_predict": 256}
    });
    let Parsed { session, lost: l } = parse(Format::Ollama, &body).unwrap();
    assert_eq!(
        shape(&session),
        vec![
            s(Role::System, "You are terse.", false),
            s(Role::User, "What is this?", false),
            s(Role::Assistant, "Héllo 👋", true),
        ]
    );
    assert_eq!(response(&session, 2).model(), "llama3.2");
    assert_eq!(response(&session, 2).temperature().unwrap().as_f64(), 0.2);
    assert_eq!(
        l,
        vec![
            lost(Some(1), "/messages/1/images: 1 image(s)"),
            lost(None, "/messages/3: `tool` message"),
        ]
    );

    let reply = json!({
        "model": "llama3.2", "created_at": "2025-07-07T20:32:53.844124Z",
        "message": {"role": "assistant", "content": "Paris."},
        "done": true, "done_reason": "length",
        "prompt_eval_count": 26, "eval_count": 2
    });
    let Parsed { session, lost: l } = parse(Format::Ollama, &reply).unwrap();
    assert_eq!(shape(&session), vec![s(Role::Assistant, "Paris.", true)]);
    let r = response(&session, 0);
    assert_eq!(r.finish_reason(), Some(&FinishReason::Length));
    assert_eq!(r.tokens().unwrap().as_i64(), Some(2));
    assert!(l.is_empty(), "{l:?}");
}

#[test]
fn anthropic_system_forms_and_empty_turns() {
    let body = json!({
        "model": "claude",
        "messages": [
            {"role": "user", "content": [
                {"type": "mid_conv_system", "content": [{"type": "text", "text": "Be brief."}]},
                {"type": "text", "text": "Hi"}
            ]},
            {"role": "system", "content": "Rules."},
            {"role": "assistant", "content": []},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t", "content": "42"}
            ]}
        ]
    });
    let Parsed { session, lost: l } = parse(Format::Anthropic, &body).unwrap();
    assert_eq!(
        shape(&session),
        vec![
            s(Role::System, "Be brief.", false),
            s(Role::User, "Hi", false),
            s(Role::System, "Rules.", false),
            s(Role::Assistant, "", true),
        ]
    );
    assert_eq!(
        l,
        vec![lost(None, "/messages/3/content/0: `tool_result` part")]
    );
    assert_eq!(response(&session, 3).model(), "claude");
}

#[test]
fn malformed_payloads_name_the_pointer() {
    let cases = [
        (
            Format::OpenAiChat,
            json!({"messages": [{"role": "user", "content": 3}]}),
            "/messages/0/content",
        ),
        (
            Format::OpenAiChat,
            json!({"messages": [{"content": "x"}]}),
            "/messages/0/role",
        ),
        (Format::OpenAiChat, json!(7), ""),
        (
            Format::OpenAiCompletion,
            json!({"choices": [{}]}),
            "/choices/0/message",
        ),
        (
            Format::Anthropic,
            json!({"messages": [{"role": "user", "content": [{"type": "text"}]}]}),
            "/messages/0/content/0/text",
        ),
        (
            Format::AnthropicMessage,
            json!({"role": "user", "content": []}),
            "/role",
        ),
        (
            Format::Gemini,
            json!({"contents": [{"parts": {}}]}),
            "/contents/0/parts",
        ),
        (Format::GeminiResponse, json!({}), "/candidates"),
        (Format::OpenAiResponses, json!({"input": 1}), "/input"),
        (
            Format::Ollama,
            json!({"messages": [], "options": {"temperature": -1}}),
            "/options/temperature",
        ),
        (
            Format::OpenAiCompletion,
            json!({"choices": [], "usage": {"completion_tokens": "x"}}),
            "/usage/completion_tokens",
        ),
    ];
    for (format, body, pointer) in cases {
        let error = parse(format, &body).expect_err(&format!("{format} {body}"));
        assert_eq!(error.pointer(), Some(pointer), "{format} {body}: {error}");
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips.

fn chat_messages(rendered: &Value) -> Vec<(String, String)> {
    rendered["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn render(name: &str, session: &Session) -> Option<Value> {
    let t: Box<dyn Target> = target(name).unwrap();
    t.render(session, &RenderOptions::default())
        .ok()
        .and_then(|r| r.payload.as_json().cloned())
}

/// chat → parse → anthropic → parse → chat.
fn cycle(chat: &Value) -> Value {
    let session = parse(Format::OpenAiChat, chat).unwrap().session;
    let anthropic = render("anthropic", &session).unwrap();
    let session = parse(Format::Anthropic, &anthropic).unwrap().session;
    render("chat", &session).unwrap()
}

/// `needles` appear in order, without overlapping, in the concatenation of `haystack`.
fn in_order(needles: &[&str], haystack: &str) -> bool {
    let mut rest = haystack;
    for needle in needles {
        match rest.find(needle) {
            Some(at) => rest = &rest[at + needle.len()..],
            None => return false,
        }
    }
    true
}

/// The invariants of a session that renders for `chat`.
fn check_round_trip(session: &Session) -> Result<(), String> {
    let Some(first) = render("chat", session) else {
        return Ok(());
    };
    // chat → parse → chat is exact.
    let back = parse(Format::OpenAiChat, &first).map_err(|e| e.to_string())?;
    let again = render("chat", &back.session).ok_or("chat render of the parse")?;
    if chat_messages(&again) != chat_messages(&first) {
        return Err(format!("chat → parse → chat differs: {first} vs {again}"));
    }
    let last = cycle(&first);
    // A second anthropic cycle changes nothing more.
    let fixed = cycle(&last);
    if chat_messages(&fixed) != chat_messages(&last) {
        return Err(format!("not a fixed point: {last} vs {fixed}"));
    }
    // Every text of the first payload (modulo the trimming and dropping of blank texts
    // Anthropic forces, and system texts moved to the front) appears in order.
    let firsts = chat_messages(&first);
    let lasts = chat_messages(&last);
    for system in [true, false] {
        let wanted: Vec<&str> = firsts
            .iter()
            .filter(|(role, _)| (role == "system") == system)
            .map(|(_, text)| text.trim_end())
            .filter(|text| !text.trim().is_empty())
            .collect();
        let found: String = lasts
            .iter()
            .filter(|(role, _)| (role == "system") == system)
            .map(|(_, text)| text.as_str())
            .collect::<Vec<_>>()
            .join("\u{0}");
        if !in_order(&wanted, &found) {
            return Err(format!("texts lost: {first} vs {last}"));
        }
    }
    // Roles: the final non-system turns alternate, starting with the user.
    for (i, (role, _)) in lasts.iter().filter(|(r, _)| r != "system").enumerate() {
        let expected = if i % 2 == 0 { "user" } else { "assistant" };
        if role != expected {
            return Err(format!("roles do not alternate: {last}"));
        }
    }
    Ok(())
}

/// Every provider target's render of `session` parses back with its texts in order (system
/// texts apart: some targets move them to a top-level field) and nothing lost.
fn check_every_target(session: &Session) -> Result<(), String> {
    let pairs = [
        ("chat", Format::OpenAiChat),
        ("anthropic", Format::Anthropic),
        ("gemini", Format::Gemini),
        ("openai-responses", Format::OpenAiResponses),
        ("ollama", Format::Ollama),
    ];
    let texts = |session: &Session, system: bool| -> Vec<String> {
        session
            .messages()
            .iter()
            .enumerate()
            .filter(|(i, m)| session.messages_status()[*i] && (m.role() == Role::System) == system)
            .filter_map(|(_, m)| m.render_string().ok().map(std::borrow::Cow::into_owned))
            .collect()
    };
    for (name, format) in pairs {
        let Some(payload) = render(name, session) else {
            continue;
        };
        let parsed = parse(format, &payload).map_err(|e| format!("{name}: {e}: {payload}"))?;
        if !parsed.lost.is_empty() {
            return Err(format!("{name}: lost {:?}", parsed.lost));
        }
        for system in [true, false] {
            let wanted = texts(session, system);
            let wanted: Vec<&str> = wanted
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .collect();
            let found = texts(&parsed.session, system).join("\u{0}");
            if !in_order(&wanted, &found) {
                return Err(format!("{name}: texts lost: {payload}"));
            }
        }
    }
    Ok(())
}

fn conformance() -> PathBuf {
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
fn conformance_sessions_round_trip() {
    let dir = conformance().join("memor/objects");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no conformance objects at {}", dir.display());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut checked = 0;
    for path in paths {
        let Ok(Object::Session(session)) = Object::load(&path) else {
            continue;
        };
        if render("chat", &session).is_none() {
            continue;
        }
        if let Err(e) = check_round_trip(&session).and_then(|()| check_every_target(&session)) {
            panic!("{}: {e}", path.display());
        }
        checked += 1;
    }
    eprintln!("{checked} conformance sessions round-tripped");
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" \n\t".to_owned()),
        "[a-z ]{1,12}",
        "\\PC{0,12}",
        "[ éü日本語👋\n]{0,8}",
    ]
}

fn arb_session() -> impl Strategy<Value = Session> {
    prop::collection::vec((0..3u8, arb_text()), 0..8).prop_map(|turns| {
        let messages = turns
            .into_iter()
            .map(|(role, text)| match role {
                0 => {
                    let mut p = Prompt::new(text);
                    p.update_role(Role::System);
                    Message::Prompt(p)
                }
                1 => Message::Prompt(Prompt::new(text)),
                _ => Message::Response(Response::new(text)),
            })
            .collect();
        Session::with_messages(None, messages)
    })
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("user".to_owned()),
            Just("assistant".to_owned()),
            Just("model".to_owned()),
            Just("text".to_owned()),
            "\\PC{0,6}",
        ]
        .prop_map(Value::from),
    ];
    let keys = prop_oneof![
        Just("messages"),
        Just("role"),
        Just("content"),
        Just("text"),
        Just("type"),
        Just("choices"),
        Just("message"),
        Just("parts"),
        Just("contents"),
        Just("candidates"),
        Just("system"),
        Just("systemInstruction"),
        Just("instructions"),
        Just("input"),
        Just("output"),
        Just("usage"),
        Just("finish_reason"),
        Just("finishReason"),
        Just("stop_reason"),
        Just("temperature"),
        Just("model"),
        Just("options"),
        Just("tool_calls"),
        Just("thought"),
        Just("status"),
        Just("promptFeedback"),
        Just("blockReason"),
        Just("eval_count"),
        Just("completion_tokens"),
        Just("output_tokens"),
        Just("usageMetadata"),
        Just("candidatesTokenCount"),
        Just("generationConfig"),
        Just("refusal"),
        Just("images"),
        Just("done_reason"),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_sessions_round_trip(session in arb_session()) {
        prop_assert!(check_round_trip(&session).is_ok(), "{:?}", check_round_trip(&session));
    }

    #[test]
    fn random_sessions_parse_back_from_every_target(session in arb_session()) {
        let checked = check_every_target(&session);
        prop_assert!(checked.is_ok(), "{:?}", checked);
    }

    #[test]
    fn random_json_never_panics(value in arb_json()) {
        for format in Format::ALL {
            let _ = parse(format, &value);
        }
    }
}
