//! OpenAI Responses request bodies (`openai-responses`): `POST /v1/responses`.
//!
//! API reference: <https://platform.openai.com/docs/api-reference/responses/create>; request
//! types in `openai/openai-python` `src/openai/types/responses/response_create_params.py` and
//! `response_input_param.py`.
//!
//! The rendering rules are documented on the target type.

use std::collections::HashSet;

use memor_core::{Role, Session};
use serde_json::{Map, Value};

use super::support::{
    Checks, REASON_NO_TURN, SYNTHESIZED_USER_TEXT, SYSTEM_SEPARATOR, json_object, kind, model,
    not_string, prepare, synthesized, temperature,
};
use crate::{Change, Error, Payload, RenderOptions, Rendered, Target, Violation};

/// The model when the options give none.
const DEFAULT_MODEL: &str = "gpt-4o";

/// The least `max_output_tokens` the API takes.
const MIN_OUTPUT_TOKENS: u64 = 16;

/// OpenAI Responses request body (`openai-responses`).
///
/// API reference: <https://platform.openai.com/docs/api-reference/responses/create>; request
/// types in `openai/openai-python` `src/openai/types/responses/response_create_params.py` and
/// `response_input_param.py`.
///
/// - System messages go to `instructions` ("A system (or developer) message inserted into the
///   model's context"), joined with a blank line, each reported
///   [`Moved`](crate::Change::Moved); an empty one is dropped
///   ([`Dropped`](crate::Change::Dropped)) rather than joined.
/// - User messages are `{"role": "user", "content": text}` items; assistant messages are prior
///   output messages `{"type": "message", "id", "role": "assistant", "status": "completed",
///   "content": [{"type": "output_text", "text", "annotations": []}]}` (an assistant part list
///   takes only `output_text` and `refusal`). Their `id` is `msg_` and the memor id's letters
///   and digits (the API wants ids that begin with `msg`), made unique within the request.
/// - No alternation rule: runs are kept, empty texts too. A request with no user or assistant
///   turn gets one user turn [`SYNTHESIZED_USER_TEXT`](crate::SYNTHESIZED_USER_TEXT)
///   ([`Synthesized`](crate::Change::Synthesized)).
/// - `model` is the option or `gpt-4o` (with a warning); `temperature` (0 to 2) and
///   `max_output_tokens` (at least 16) come from the options; `store` is `false`: memor keeps
///   the history and sends all of it, so nothing needs to be stored on OpenAI's side (and the
///   made-up message ids are never looked up).
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenAiResponses;

impl Target for OpenAiResponses {
    fn name(&self) -> &'static str {
        "openai-responses"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let temperature = temperature(options, "openai-responses", Some(2.0))?;
        let max_tokens = super::support::max_tokens(
            options,
            "openai-responses",
            "max_output_tokens",
            MIN_OUTPUT_TOKENS,
            u64::MAX,
        )?;
        let mut prepared = prepare(session)?;
        let model = model(options, DEFAULT_MODEL, &mut prepared.warnings)?;
        let mut report = prepared.report;
        let mut system = Vec::new();
        let mut input = Vec::new();
        let mut ids = HashSet::new();
        for turn in prepared.turns {
            match turn.role {
                Role::System if turn.text.is_empty() => report.push(Change::Dropped {
                    index: turn.index,
                    reason: "empty text".to_owned(),
                }),
                Role::System => {
                    report.push(Change::Moved {
                        index: turn.index,
                        to: "instructions".to_owned(),
                    });
                    system.push(turn.text);
                }
                Role::User => input.push(user_item(turn.text)),
                Role::Assistant => {
                    let id = message_id(session, turn.index, &mut ids);
                    input.push(assistant_item(id, turn.text));
                }
            }
        }
        if input.is_empty() {
            report.push(synthesized(0, "user", REASON_NO_TURN));
            input.push(user_item(SYNTHESIZED_USER_TEXT.to_owned()));
        }
        let mut body = Map::new();
        body.insert("model".into(), Value::String(model));
        if !system.is_empty() {
            body.insert(
                "instructions".into(),
                Value::String(system.join(SYSTEM_SEPARATOR)),
            );
        }
        body.insert("input".into(), Value::Array(input));
        if let Some(t) = temperature {
            body.insert("temperature".into(), t);
        }
        if let Some(n) = max_tokens {
            body.insert("max_output_tokens".into(), Value::from(n));
        }
        body.insert("store".into(), Value::Bool(false));
        Ok(Rendered {
            payload: Payload::Json(Value::Object(body)),
            report,
            warnings: prepared.warnings,
        })
    }

    /// Checks a Responses body: an object with a non-empty string `model` (unless a `prompt`
    /// template gives it); `input` a non-empty string or a non-empty array (required unless
    /// `previous_response_id`, `conversation` or `prompt` carries the context);
    /// `instructions` a string; `temperature` a number from 0 to 2, `max_output_tokens` an
    /// integer of at least 16, `store` and `stream` booleans (each may be `null`). Each input
    /// item an object: a message (a `role`, or `type: message`) with role `user`,
    /// `assistant`, `system` or `developer` and `content` a string or a list of parts; an
    /// assistant's parts `output_text` (with string `text`) or `refusal`, other roles'
    /// parts `input_text` (with string `text`), `input_image` or `input_file`. Other items
    /// need a string `type`; a `function_call` needs `call_id`, `name` and string
    /// `arguments`, and a `function_call_output` must answer the `call_id` of an earlier
    /// `function_call`.
    fn validate(&self, payload: &Payload) -> Vec<Violation> {
        let obj = match json_object(payload, "the request") {
            Ok(obj) => obj,
            Err(found) => return found,
        };
        let mut checks = Checks::default();
        if !obj.contains_key("prompt") {
            checks.required_string(obj, "model", None, "the request");
        }
        match obj.get("instructions") {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(other) => checks.add(None, "type", not_string("`instructions`", other)),
        }
        checks.number(obj, "temperature", (0.0, Some(2.0)), true);
        checks.integer(obj, "max_output_tokens", 16, true);
        checks.boolean(obj, "store", true);
        checks.boolean(obj, "stream", true);
        match obj.get("input") {
            None | Some(Value::Null) => {
                if !["previous_response_id", "conversation", "prompt"]
                    .iter()
                    .any(|k| obj.get(*k).is_some_and(|v| !v.is_null()))
                {
                    checks.add(None, "required", "the request has no `input`".to_owned());
                }
            }
            Some(Value::String(s)) => {
                if s.is_empty() {
                    checks.add(None, "no-turns", "`input` is empty".to_owned());
                }
            }
            Some(Value::Array(items)) => {
                if items.is_empty() {
                    checks.add(None, "no-turns", "`input` is empty".to_owned());
                }
                check_items(&mut checks, items);
            }
            Some(other) => checks.add(
                None,
                "type",
                format!(
                    "`input` must be a string or an array of items, not {}",
                    kind(other)
                ),
            ),
        }
        checks.finish()
    }
}

fn user_item(text: String) -> Value {
    let mut m = Map::new();
    m.insert("role".into(), Value::String("user".to_owned()));
    m.insert("content".into(), Value::String(text));
    Value::Object(m)
}

fn assistant_item(id: String, text: String) -> Value {
    let mut part = Map::new();
    part.insert("type".into(), Value::String("output_text".to_owned()));
    part.insert("text".into(), Value::String(text));
    part.insert("annotations".into(), Value::Array(Vec::new()));
    let mut m = Map::new();
    m.insert("type".into(), Value::String("message".to_owned()));
    m.insert("id".into(), Value::String(id));
    m.insert("role".into(), Value::String("assistant".to_owned()));
    m.insert("status".into(), Value::String("completed".to_owned()));
    m.insert("content".into(), Value::Array(vec![Value::Object(part)]));
    Value::Object(m)
}

/// `msg_` and the memor id's ASCII letters and digits; the session index is added when that is
/// empty or already used.
fn message_id(session: &Session, index: usize, used: &mut HashSet<String>) -> String {
    let memor_id: String = session
        .get_message(index)
        .map(|m| m.id().chars().filter(char::is_ascii_alphanumeric).collect())
        .unwrap_or_default();
    let mut id = if memor_id.is_empty() {
        format!("msg_{index}")
    } else {
        format!("msg_{memor_id}")
    };
    if used.contains(&id) {
        id = format!("{id}_{index}");
    }
    used.insert(id.clone());
    id
}

fn check_items(checks: &mut Checks, items: &[Value]) {
    let mut calls: HashSet<&str> = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let at = Some(i);
        let Value::Object(item) = item else {
            checks.add(
                at,
                "type",
                format!("an input item must be an object, not {}", kind(item)),
            );
            continue;
        };
        let ty = match item.get("type") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(t.as_str()),
            Some(other) => {
                checks.add(at, "type", not_string("`type`", other));
                continue;
            }
        };
        if matches!(ty, None | Some("message")) {
            check_message(checks, item, i);
            continue;
        }
        match ty {
            Some("function_call") => {
                for field in ["call_id", "name"] {
                    if item.get(field).and_then(Value::as_str).is_none() {
                        checks.add(
                            at,
                            "required",
                            format!("the function call has no string `{field}`"),
                        );
                    }
                }
                match item.get("arguments") {
                    Some(Value::String(_)) => {}
                    Some(other) => checks.add(
                        at,
                        "tool-arguments",
                        format!("`arguments` must be a JSON string, not {}", kind(other)),
                    ),
                    None => checks.add(
                        at,
                        "required",
                        "the function call has no `arguments`".to_owned(),
                    ),
                }
                if let Some(id) = item.get("call_id").and_then(Value::as_str) {
                    calls.insert(id);
                }
            }
            Some("function_call_output") => match item.get("call_id") {
                Some(Value::String(id)) => {
                    if !calls.contains(id.as_str()) {
                        checks.add(
                            at,
                            "tool-pairing",
                            format!("the function call output answers `{id}`, which no earlier `function_call` has"),
                        );
                    }
                }
                _ => checks.add(
                    at,
                    "required",
                    "the function call output has no string `call_id`".to_owned(),
                ),
            },
            // Reasoning, search, computer, MCP, shell... items pass through.
            _ => {}
        }
    }
}

fn check_message(checks: &mut Checks, item: &Map<String, Value>, i: usize) {
    let at = Some(i);
    let role = match item.get("role") {
        Some(Value::String(r)) => r.as_str(),
        Some(other) => {
            checks.add(at, "type", not_string("`role`", other));
            return;
        }
        None => {
            checks.add(at, "required", "the message has no `role`".to_owned());
            return;
        }
    };
    if !matches!(role, "user" | "assistant" | "system" | "developer") {
        checks.add(
            at,
            "role",
            format!("role `{role}` is not one of user, assistant, system, developer"),
        );
        return;
    }
    let parts = match item.get("content") {
        Some(Value::String(_)) => return,
        Some(Value::Array(parts)) => parts,
        None | Some(Value::Null) => {
            checks.add(at, "required", "the message has no `content`".to_owned());
            return;
        }
        Some(other) => {
            checks.add(
                at,
                "content-type",
                format!(
                    "`content` must be a string or a list of parts, not {}",
                    kind(other)
                ),
            );
            return;
        }
    };
    let allowed: &[&str] = if role == "assistant" {
        &["output_text", "refusal"]
    } else {
        &["input_text", "input_image", "input_file"]
    };
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
                    "content part {p}: invalid value `{ty}`; a {role} message takes {}",
                    allowed.join(", ")
                ),
            );
            continue;
        }
        if matches!(ty, "output_text" | "input_text") {
            match part.get("text") {
                Some(Value::String(_)) => {}
                Some(other) => checks.add(
                    at,
                    "content-type",
                    not_string(&format!("content part {p} `text`"), other),
                ),
                None => checks.add(at, "required", format!("content part {p} has no `text`")),
            }
        }
    }
}
