//! OpenAI Chat Completions request bodies (`chat`): `POST /v1/chat/completions`.
//!
//! API reference: <https://platform.openai.com/docs/api-reference/chat/create>; request types
//! in `openai/openai-python` `src/openai/types/chat/completion_create_params.py` and
//! `chat_completion_message_param.py`.
//!
//! The rendering rules are documented on the target type.

use std::collections::HashSet;

use memor_core::{Role, Session};
use serde_json::{Map, Value};

use super::support::{
    Checks, REASON_NO_TURN, SYNTHESIZED_USER_TEXT, json_body, kind, model, not_string, prepare,
    synthesized, temperature, turn_list,
};
use crate::{Change, Error, Payload, RenderOptions, Rendered, Target, Violation};

/// The model when the options give none.
const DEFAULT_MODEL: &str = "gpt-4o";

/// The variant that sends system messages as `developer`.
const DEVELOPER: &str = "developer";

/// OpenAI Chat Completions request body (`chat`).
///
/// API reference: <https://platform.openai.com/docs/api-reference/chat/create>; request types
/// in `openai/openai-python` `src/openai/types/chat/completion_create_params.py` and
/// `chat_completion_message_param.py`.
///
/// Each enabled message is one `{"role", "content"}` item in session order, roles `system`,
/// `user` and `assistant` kept: the API has no alternation, first- or last-message rule, and
/// system messages may appear anywhere. With the variant `developer`, system messages are sent
/// under the role `developer` ("With o1 models and newer, `developer` messages replace the
/// previous `system` messages"), each reported as [`Change::Renamed`](crate::Change::Renamed).
/// Empty texts are kept (no rule of the API forbids empty content). A session with no enabled message gets
/// one user turn ([`SYNTHESIZED_USER_TEXT`](crate::SYNTHESIZED_USER_TEXT)): `messages` may not
/// be empty. `model` is the option or `gpt-4o` (with a warning); `temperature` (0 to 2) and
/// `max_completion_tokens` come from the options.
///
/// Its validator also takes memor's bare message list (the `openai` target's output), as the
/// `messages` of a request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Chat;

impl Target for Chat {
    fn name(&self) -> &'static str {
        "chat"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let developer = match options.variant.as_deref() {
            None => false,
            Some(DEVELOPER) => true,
            Some(other) => {
                return Err(Error::Unsupported(format!(
                    "chat: unknown variant `{other}` (known: `{DEVELOPER}`)"
                )));
            }
        };
        let temperature = temperature(options, "chat", Some(2.0))?;
        let mut prepared = prepare(session)?;
        let model = model(options, DEFAULT_MODEL, &mut prepared.warnings)?;
        let mut report = prepared.report;
        let mut messages = Vec::with_capacity(prepared.turns.len().max(1));
        for turn in prepared.turns {
            let role = match turn.role {
                Role::System if developer => {
                    report.push(Change::Renamed {
                        index: turn.index,
                        from: "system".to_owned(),
                        to: DEVELOPER.to_owned(),
                    });
                    DEVELOPER
                }
                other => other.as_str(),
            };
            messages.push(message(role, turn.text));
        }
        if messages.is_empty() {
            report.push(synthesized(0, "user", REASON_NO_TURN));
            messages.push(message("user", SYNTHESIZED_USER_TEXT.to_owned()));
        }
        let mut body = Map::new();
        body.insert("model".into(), Value::String(model));
        body.insert("messages".into(), Value::Array(messages));
        if let Some(t) = temperature {
            body.insert("temperature".into(), t);
        }
        if let Some(n) = options.max_tokens {
            body.insert("max_completion_tokens".into(), Value::from(n));
        }
        Ok(Rendered {
            payload: Payload::Json(Value::Object(body)),
            report,
            warnings: prepared.warnings,
        })
    }

    /// Checks a Chat Completions body, or a bare list of messages: `model` (a non-empty string)
    /// and `messages` (a non-empty array) present; `temperature` a number from 0 to 2,
    /// `max_completion_tokens`/`max_tokens` integers, `n` from 1 to 128, `stream` a boolean
    /// (each may be `null`); each message an object whose `role` is `developer`, `system`,
    /// `user`, `assistant`, `tool` or `function`; `content` a string or a non-empty array of
    /// parts of the types that role takes (`text`; user also `image_url`, `input_audio`,
    /// `file`; assistant also `refusal`), required except on an assistant message with
    /// `tool_calls`; `tool_calls` with string `arguments`; a `tool` message answering a
    /// `tool_calls` id of the assistant message before it; a `function` message with a `name`.
    fn validate(&self, payload: &Payload) -> Vec<Violation> {
        let mut checks = Checks::default();
        if let Payload::Messages(messages) = payload {
            // Typed messages keep every per-message rule (a known role, string content); only
            // an empty list can be wrong.
            if messages.is_empty() {
                checks.add(None, "no-turns", "the message list is empty".to_owned());
            }
            return checks.finish();
        }
        let body = match json_body(payload) {
            Err(found) => return found,
            Ok(body) => body,
        };
        match body {
            Value::Array(messages) => {
                if messages.is_empty() {
                    checks.add(None, "no-turns", "the message list is empty".to_owned());
                }
                check_messages(&mut checks, messages);
            }
            Value::Object(obj) => {
                checks.required_string(obj, "model", None, "the request");
                if let Some(messages) = turn_list(&mut checks, obj, "messages") {
                    check_messages(&mut checks, messages);
                }
                checks.number(obj, "temperature", (0.0, Some(2.0)), true);
                checks.integer(obj, "max_completion_tokens", 0, true);
                checks.integer(obj, "max_tokens", 0, true);
                checks.integer(obj, "n", 1, true);
                if let Some(Value::Number(n)) = obj.get("n")
                    && n.as_u64().is_some_and(|n| n > 128)
                {
                    checks.add(None, "range", format!("`n` is {n}, more than 128"));
                }
                checks.boolean(obj, "stream", true);
            }
            other => {
                checks.add(
                    None,
                    "payload",
                    format!(
                        "the request must be a JSON object (or a list of messages), not {}",
                        kind(other)
                    ),
                );
            }
        }
        checks.finish()
    }
}

fn message(role: &str, text: String) -> Value {
    let mut m = Map::new();
    m.insert("role".into(), Value::String(role.to_owned()));
    m.insert("content".into(), Value::String(text));
    Value::Object(m)
}

/// The part types each role's content list takes.
fn part_types(role: &str) -> &'static [&'static str] {
    match role {
        "user" => &["text", "image_url", "input_audio", "file"],
        "assistant" => &["text", "refusal"],
        _ => &["text"],
    }
}

fn check_messages(checks: &mut Checks, messages: &[Value]) {
    // The tool-call ids of the assistant message the current run of tool messages answers.
    let mut open: HashSet<&str> = HashSet::new();
    for (i, m) in messages.iter().enumerate() {
        let at = Some(i);
        let Value::Object(m) = m else {
            checks.add(
                at,
                "type",
                format!("a message must be an object, not {}", kind(m)),
            );
            open.clear();
            continue;
        };
        let role = match m.get("role") {
            Some(Value::String(r)) => r.as_str(),
            Some(other) => {
                checks.add(at, "type", not_string("`role`", other));
                open.clear();
                continue;
            }
            None => {
                checks.add(at, "required", "the message has no `role`".to_owned());
                open.clear();
                continue;
            }
        };
        match role {
            "developer" | "system" | "user" => {
                check_content(checks, m, i, role, true);
                open.clear();
            }
            "assistant" => {
                let calls = check_tool_calls(checks, m, i);
                let has_calls =
                    !calls.is_empty() || m.get("function_call").is_some_and(|f| !f.is_null());
                check_content(checks, m, i, role, !has_calls);
                open = calls;
            }
            "tool" => {
                check_content(checks, m, i, role, true);
                match m.get("tool_call_id") {
                    Some(Value::String(id)) => {
                        if !open.contains(id.as_str()) {
                            checks.add(
                                at,
                                "tool-pairing",
                                format!(
                                    "the tool message answers `{id}`, which no `tool_calls` of \
                                     the assistant message before it has"
                                ),
                            );
                        }
                    }
                    Some(other) => checks.add(at, "type", not_string("`tool_call_id`", other)),
                    None => {
                        checks.add(
                            at,
                            "required",
                            "the tool message has no `tool_call_id`".to_owned(),
                        );
                    }
                }
            }
            "function" => {
                match m.get("name") {
                    Some(Value::String(_)) => {}
                    Some(other) => checks.add(at, "type", not_string("`name`", other)),
                    None => checks.add(
                        at,
                        "required",
                        "the function message has no `name`".to_owned(),
                    ),
                }
                match m.get("content") {
                    None => checks.add(
                        at,
                        "required",
                        "the function message has no `content`".to_owned(),
                    ),
                    Some(Value::String(_) | Value::Null) => {}
                    Some(other) => checks.add(at, "content-type", not_string("`content`", other)),
                }
                open.clear();
            }
            other => {
                checks.add(
                    at,
                    "role",
                    format!(
                        "role `{other}` is not one of developer, system, user, assistant, tool, \
                         function"
                    ),
                );
                open.clear();
            }
        }
    }
}

/// Checks `content`; `required` is false for an assistant message with tool calls.
fn check_content(
    checks: &mut Checks,
    m: &Map<String, Value>,
    i: usize,
    role: &str,
    required: bool,
) {
    let at = Some(i);
    match m.get("content") {
        None | Some(Value::Null) => {
            if required {
                let why = if role == "assistant" {
                    " (only an assistant message with `tool_calls` may leave it out)"
                } else {
                    ""
                };
                checks.add(
                    at,
                    "required",
                    format!("the {role} message has no `content`{why}"),
                );
            }
        }
        Some(Value::String(_)) => {}
        Some(Value::Array(parts)) => {
            if parts.is_empty() {
                checks.add(at, "empty-content", "`content` is an empty list".to_owned());
            }
            let allowed = part_types(role);
            for (p, part) in parts.iter().enumerate() {
                let Some(ty) = part.get("type").and_then(Value::as_str) else {
                    checks.add(
                        at,
                        "part-type",
                        format!("content part {p} has no string `type`"),
                    );
                    continue;
                };
                if !allowed.contains(&ty) {
                    checks.add(
                        at,
                        "part-type",
                        format!(
                            "content part {p}: a {role} message takes parts of type {}, not `{ty}`",
                            allowed.join(", ")
                        ),
                    );
                    continue;
                }
                let field = match ty {
                    "text" => "text",
                    "refusal" => "refusal",
                    _ => continue,
                };
                match part.get(field) {
                    Some(Value::String(_)) => {}
                    Some(other) => checks.add(
                        at,
                        "content-type",
                        not_string(&format!("content part {p} `{field}`"), other),
                    ),
                    None => {
                        checks.add(at, "required", format!("content part {p} has no `{field}`"));
                    }
                }
            }
        }
        Some(other) => checks.add(
            at,
            "content-type",
            format!(
                "`content` must be a string or a list of parts, not {}",
                kind(other)
            ),
        ),
    }
}

/// Checks `tool_calls` of an assistant message; returns their ids.
fn check_tool_calls<'v>(
    checks: &mut Checks,
    m: &'v Map<String, Value>,
    i: usize,
) -> HashSet<&'v str> {
    let at = Some(i);
    let mut ids = HashSet::new();
    let calls = match m.get("tool_calls") {
        None | Some(Value::Null) => return ids,
        Some(Value::Array(calls)) => calls,
        Some(other) => {
            checks.add(
                at,
                "type",
                format!("`tool_calls` must be an array, not {}", kind(other)),
            );
            return ids;
        }
    };
    for (c, call) in calls.iter().enumerate() {
        match call.get("id") {
            Some(Value::String(id)) => {
                ids.insert(id.as_str());
            }
            _ => checks.add(at, "required", format!("tool call {c} has no string `id`")),
        }
        let ty = call
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("function");
        if ty != "function" {
            continue;
        }
        let function = call.get("function");
        if function
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
            .is_none()
        {
            checks.add(
                at,
                "required",
                format!("tool call {c} has no string `function.name`"),
            );
        }
        match function.and_then(|f| f.get("arguments")) {
            Some(Value::String(_)) => {}
            Some(other) => checks.add(
                at,
                "tool-arguments",
                format!(
                    "tool call {c}: `function.arguments` must be a JSON string, not {}",
                    kind(other)
                ),
            ),
            None => checks.add(
                at,
                "required",
                format!("tool call {c} has no `function.arguments`"),
            ),
        }
    }
    ids
}
