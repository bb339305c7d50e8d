//! Ollama chat request bodies (`ollama`): `POST /api/chat`.
//!
//! API reference: <https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion>;
//! types in `ollama/ollama` `api/types.go` (`ChatRequest`, `Message`).
//!
//! The rendering rules are documented on the target type.

use memor_core::Session;
use serde_json::{Map, Value};

use super::support::{
    Checks, REASON_NO_TURN, SYNTHESIZED_USER_TEXT, is_base64, json_object, kind, model, not_string,
    prepare, synthesized, temperature, turn_list,
};
use crate::{Error, Payload, RenderOptions, Rendered, Target, Violation};

/// The model when the options give none.
const DEFAULT_MODEL: &str = "llama3.2";

/// Ollama `/api/chat` request body (`ollama`).
///
/// API reference: <https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion>;
/// types in `ollama/ollama` `api/types.go` (`ChatRequest`, `Message`).
///
/// - Each enabled message is one `{"role", "content"}` item, roles `system`, `user` and
///   `assistant` kept in place: Ollama enforces no order and passes the messages to the model's
///   template. Empty texts are kept.
/// - A session with no enabled message gets one user turn
///   [`SYNTHESIZED_USER_TEXT`](crate::SYNTHESIZED_USER_TEXT)
///   ([`Synthesized`](crate::Change::Synthesized)): an empty `messages` list only loads the
///   model, with no reply.
/// - `"stream": false` always (streaming is the default); `model` is the option or `llama3.2`
///   (with a warning); `options` carries `temperature` and `num_predict` when given.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ollama;

impl Target for Ollama {
    fn name(&self) -> &'static str {
        "ollama"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let temperature = temperature(options, "ollama", None)?;
        let num_predict = super::support::max_tokens(
            options,
            "ollama",
            "num_predict",
            0,
            i64::MAX.unsigned_abs(),
        )?;
        let mut prepared = prepare(session)?;
        let model = model(options, DEFAULT_MODEL, &mut prepared.warnings)?;
        let mut report = prepared.report;
        let mut messages: Vec<Value> = prepared
            .turns
            .into_iter()
            .map(|turn| message(turn.role.as_str(), turn.text))
            .collect();
        if messages.is_empty() {
            report.push(synthesized(0, "user", REASON_NO_TURN));
            messages.push(message("user", SYNTHESIZED_USER_TEXT.to_owned()));
        }
        let mut body = Map::new();
        body.insert("model".into(), Value::String(model));
        body.insert("messages".into(), Value::Array(messages));
        body.insert("stream".into(), Value::Bool(false));
        let mut model_options = Map::new();
        if let Some(t) = temperature {
            model_options.insert("temperature".into(), t);
        }
        if let Some(n) = num_predict {
            model_options.insert("num_predict".into(), Value::from(n));
        }
        if !model_options.is_empty() {
            body.insert("options".into(), Value::Object(model_options));
        }
        Ok(Rendered {
            payload: Payload::Json(Value::Object(body)),
            report,
            warnings: prepared.warnings,
        })
    }

    /// Checks an `/api/chat` body: an object with a non-empty string `model` and a non-empty
    /// `messages` array (an empty one only loads the model); `stream` present and `false`
    /// (this project's rule: without it the reply is a stream); `options` an object whose
    /// `temperature` is a number and `num_predict` an integer; each message an object with
    /// role `system`, `user`, `assistant` or `tool` (any case: Ollama lower-cases it) and
    /// string `content`; `images` a list of raw base64 strings (no `data:` URL);
    /// `tool_calls` entries with a `function` of string `name` and object `arguments`.
    fn validate(&self, payload: &Payload) -> Vec<Violation> {
        let obj = match json_object(payload, "the request") {
            Ok(obj) => obj,
            Err(found) => return found,
        };
        let mut checks = Checks::default();
        checks.required_string(obj, "model", None, "the request");
        match obj.get("stream") {
            Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => checks.add(
                None,
                "stream",
                "`stream` is true: the reply would be a stream of objects".to_owned(),
            ),
            None => checks.add(
                None,
                "stream",
                "no `stream`: Ollama streams by default; send `\"stream\": false`".to_owned(),
            ),
            Some(other) => checks.add(
                None,
                "type",
                format!("`stream` must be a boolean, not {}", kind(other)),
            ),
        }
        match obj.get("options") {
            None | Some(Value::Null) => {}
            Some(Value::Object(options)) => {
                checks.number(options, "temperature", (f64::NEG_INFINITY, None), false);
                checks.integer(options, "num_predict", i64::MIN, false);
            }
            Some(other) => checks.add(
                None,
                "type",
                format!("`options` must be an object, not {}", kind(other)),
            ),
        }
        if let Some(messages) = turn_list(&mut checks, obj, "messages") {
            for (i, m) in messages.iter().enumerate() {
                check_message(&mut checks, i, m);
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

fn check_message(checks: &mut Checks, i: usize, m: &Value) {
    let at = Some(i);
    let Value::Object(m) = m else {
        checks.add(
            at,
            "type",
            format!("a message must be an object, not {}", kind(m)),
        );
        return;
    };
    match m.get("role") {
        Some(Value::String(role)) => {
            let lower = role.to_lowercase();
            if !matches!(lower.as_str(), "system" | "user" | "assistant" | "tool") {
                checks.add(
                    at,
                    "role",
                    format!("role `{role}` is not one of system, user, assistant, tool"),
                );
            }
        }
        Some(other) => checks.add(at, "type", not_string("`role`", other)),
        None => checks.add(at, "required", "the message has no `role`".to_owned()),
    }
    match m.get("content") {
        Some(Value::String(_)) => {}
        Some(other) => checks.add(
            at,
            "content-type",
            format!("`content` must be a string, not {}", kind(other)),
        ),
        None => checks.add(at, "required", "the message has no `content`".to_owned()),
    }
    match m.get("images") {
        None | Some(Value::Null) => {}
        Some(Value::Array(images)) => {
            for (n, image) in images.iter().enumerate() {
                match image {
                    Value::String(data) if is_base64(data) => {}
                    Value::String(_) => checks.add(
                        at,
                        "base64",
                        format!("image {n} must be raw base64 (no `data:` URL prefix)"),
                    ),
                    other => checks.add(at, "type", not_string(&format!("image {n}"), other)),
                }
            }
        }
        Some(other) => checks.add(
            at,
            "type",
            format!("`images` must be an array, not {}", kind(other)),
        ),
    }
    match m.get("tool_calls") {
        None | Some(Value::Null) => {}
        Some(Value::Array(calls)) => {
            for (c, call) in calls.iter().enumerate() {
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
                    None | Some(Value::Null | Value::Object(_)) => {}
                    Some(other) => checks.add(
                        at,
                        "tool-arguments",
                        format!(
                            "tool call {c}: `function.arguments` must be a JSON object, not {}",
                            kind(other)
                        ),
                    ),
                }
            }
        }
        Some(other) => checks.add(
            at,
            "type",
            format!("`tool_calls` must be an array, not {}", kind(other)),
        ),
    }
}
