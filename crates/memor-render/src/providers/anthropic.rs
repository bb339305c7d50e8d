//! Anthropic Messages request bodies (`anthropic`): `POST /v1/messages`.
//!
//! API reference: <https://docs.anthropic.com/en/api/messages>; request types in
//! `anthropics/anthropic-sdk-python` `src/anthropic/types/message_create_params.py` and
//! `message_param.py`.
//!
//! The rendering rules are documented on the target type.

use std::collections::HashSet;

use memor_core::{Role, Session};
use serde_json::{Map, Value};

use super::support::{
    Checks, Group, SYSTEM_SEPARATOR, Shape, json_object, kind, model, not_string, prepare, shape,
    temperature, turn_list,
};
use crate::{Error, Payload, RenderOptions, Rendered, Target, Violation};

/// The model when the options give none.
const DEFAULT_MODEL: &str = "claude-sonnet-4-5";

/// `max_tokens` when the options give none.
pub(crate) const DEFAULT_MAX_TOKENS: u64 = 1024;

/// The top-level members of `CreateMessageParams`, a closed object in Anthropic's `OpenAPI` spec.
const KNOWN_FIELDS: &[&str] = &[
    "model",
    "messages",
    "cache_control",
    "container",
    "inference_geo",
    "max_tokens",
    "metadata",
    "output_config",
    "service_tier",
    "stop_sequences",
    "stream",
    "system",
    "temperature",
    "thinking",
    "tool_choice",
    "tools",
    "top_k",
    "top_p",
];

/// Anthropic Messages request body (`anthropic`).
///
/// API reference: <https://docs.anthropic.com/en/api/messages>; request types in
/// `anthropics/anthropic-sdk-python` `src/anthropic/types/message_create_params.py` and
/// `message_param.py`.
///
/// - System messages go to the top-level `system` string, joined with a blank line ("there is
///   no `"system"` role for input messages"), each reported [`Moved`](crate::Change::Moved).
/// - Empty and whitespace-only texts are dropped ("text content blocks must contain
///   non-whitespace text"), each reported [`Dropped`](crate::Change::Dropped).
/// - Runs of one role are merged into one message whose content is one text block per message
///   (lossless), each later message reported [`Merged`](crate::Change::Merged); a message on
///   its own keeps string content.
/// - The first turn must be `user`: when the session starts with an assistant turn (or has no
///   turn at all), a user turn [`SYNTHESIZED_USER_TEXT`](crate::SYNTHESIZED_USER_TEXT) is added
///   in front and reported [`Synthesized`](crate::Change::Synthesized); nothing is dropped.
/// - A final assistant turn is kept: the API takes it as a prefill ("the response content will
///   continue immediately from the content in that message"); a warning says so, and trailing
///   whitespace is trimmed off it (the API refuses "final assistant content cannot end with
///   trailing whitespace"), with a warning. Mask the message to leave it out instead.
/// - `max_tokens` is required: the option, or 1024 with a warning; `model` is the option or
///   `claude-sonnet-4-5` with a warning; `temperature` (0 to 1) from the options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Anthropic;

impl Target for Anthropic {
    fn name(&self) -> &'static str {
        "anthropic"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let temperature = temperature(options, "anthropic", Some(1.0))?;
        let prepared = prepare(session)?;
        let (shaped, mut warnings) = shape(
            prepared,
            &Shape {
                system_field: "system",
                drop_whitespace: true,
                assistant: "assistant",
                last_user: false,
            },
        );
        let model = model(options, DEFAULT_MODEL, &mut warnings)?;
        let max_tokens = options.max_tokens.unwrap_or_else(|| {
            warnings.push(format!(
                "no max_tokens given: using the default {DEFAULT_MAX_TOKENS}"
            ));
            DEFAULT_MAX_TOKENS
        });
        let mut groups = shaped.groups;
        if let Some(last) = groups.last_mut()
            && last.role == Role::Assistant
        {
            warnings.push(
                "the last turn is an assistant turn: Anthropic takes it as a prefill and the \
                 model continues it"
                    .to_owned(),
            );
            if let Some(text) = last.texts.last_mut() {
                let kept = text.trim_end().len();
                if kept < text.len() {
                    text.truncate(kept);
                    warnings.push(
                        "trailing whitespace trimmed off the final assistant turn (Anthropic \
                         refuses it)"
                            .to_owned(),
                    );
                }
            }
        }
        let mut body = Map::new();
        body.insert("model".into(), Value::String(model));
        body.insert("max_tokens".into(), Value::from(max_tokens));
        if !shaped.system.is_empty() {
            body.insert(
                "system".into(),
                Value::String(shaped.system.join(SYSTEM_SEPARATOR)),
            );
        }
        body.insert(
            "messages".into(),
            Value::Array(groups.into_iter().map(message).collect()),
        );
        if let Some(t) = temperature {
            body.insert("temperature".into(), t);
        }
        Ok(Rendered {
            payload: Payload::Json(Value::Object(body)),
            report: shaped.report,
            warnings,
        })
    }

    /// Checks a Messages body: an object with only the members of `CreateMessageParams`;
    /// `model` (a non-empty string), `max_tokens` (an integer of at least 0) and `messages` (a
    /// non-empty array) present; `temperature` a number from 0 to 1, `top_p` from 0 to 1,
    /// `top_k` an integer, `stream` a boolean; `system` a string or a list of non-blank `text`
    /// blocks; each message an object with role `user` or `assistant` (`system` is named
    /// apart), the first one `user`, no two in a row with one role; `content` a string or a
    /// list of blocks, not empty nor whitespace-only except on a final assistant message;
    /// `text` blocks with non-blank string `text`; `tool_use` blocks only from the assistant,
    /// with `id`, `name` and an object `input`, each answered by a `tool_result` of the next
    /// message; `tool_result` blocks only from the user; no trailing whitespace at the end of a
    /// final assistant message.
    fn validate(&self, payload: &Payload) -> Vec<Violation> {
        let obj = match json_object(payload, "the request") {
            Ok(obj) => obj,
            Err(found) => return found,
        };
        let mut checks = Checks::default();
        for key in obj.keys() {
            if !KNOWN_FIELDS.contains(&key.as_str()) {
                checks.add(
                    None,
                    "unknown-field",
                    format!("unknown member `{key}` (the Messages request takes no other)"),
                );
            }
        }
        checks.required_string(obj, "model", None, "the request");
        if checks
            .required(obj, "max_tokens", None, "the request")
            .is_some()
        {
            checks.integer(obj, "max_tokens", 0, false);
        }
        checks.number(obj, "temperature", (0.0, Some(1.0)), false);
        checks.number(obj, "top_p", (0.0, Some(1.0)), false);
        checks.integer(obj, "top_k", 0, false);
        checks.boolean(obj, "stream", false);
        check_system(&mut checks, obj.get("system"));
        if let Some(messages) = turn_list(&mut checks, obj, "messages") {
            check_messages(&mut checks, messages);
        }
        checks.finish()
    }
}

/// A turn as a message: string content for one text, text blocks for a merged run.
fn message(group: Group) -> Value {
    let Group { role, mut texts } = group;
    let content = if texts.len() == 1 {
        Value::String(texts.pop().unwrap_or_default())
    } else {
        Value::Array(
            texts
                .into_iter()
                .map(|text| {
                    let mut block = Map::new();
                    block.insert("type".into(), Value::String("text".to_owned()));
                    block.insert("text".into(), Value::String(text));
                    Value::Object(block)
                })
                .collect(),
        )
    };
    let mut m = Map::new();
    m.insert("role".into(), Value::String(role.as_str().to_owned()));
    m.insert("content".into(), content);
    Value::Object(m)
}

fn check_system(checks: &mut Checks, system: Option<&Value>) {
    match system {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(blocks)) => {
            for (b, block) in blocks.iter().enumerate() {
                match block.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        check_text_block(checks, None, &format!("system block {b}"), block);
                    }
                    _ => checks.add(
                        None,
                        "part-type",
                        format!("system block {b} must be a `text` block"),
                    ),
                }
            }
        }
        Some(other) => checks.add(
            None,
            "type",
            format!(
                "`system` must be a string or a list of text blocks, not {}",
                kind(other)
            ),
        ),
    }
}

fn check_text_block(checks: &mut Checks, at: Option<usize>, what: &str, block: &Value) {
    match block.get("text") {
        Some(Value::String(text)) if text.trim().is_empty() => checks.add(
            at,
            "empty-content",
            format!("{what}: text blocks must contain non-whitespace text"),
        ),
        Some(Value::String(_)) => {}
        Some(other) => checks.add(
            at,
            "content-type",
            not_string(&format!("{what} `text`"), other),
        ),
        None => checks.add(at, "required", format!("{what} has no `text`")),
    }
}

fn check_messages(checks: &mut Checks, messages: &[Value]) {
    let last = messages.len().saturating_sub(1);
    let mut previous_role: Option<&str> = None;
    // `tool_use` ids of the previous message, each to be answered by this one.
    let mut pending: Vec<&str> = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let at = Some(i);
        let Value::Object(m) = m else {
            checks.add(
                at,
                "type",
                format!("a message must be an object, not {}", kind(m)),
            );
            previous_role = None;
            pending.clear();
            continue;
        };
        let role = match m.get("role") {
            Some(Value::String(r)) => Some(r.as_str()),
            Some(other) => {
                checks.add(at, "type", not_string("`role`", other));
                None
            }
            None => {
                checks.add(at, "required", "the message has no `role`".to_owned());
                None
            }
        };
        match role {
            Some("user" | "assistant") | None => {}
            Some("system") => checks.add(
                at,
                "system-in-messages",
                "role `system` in `messages`: system text goes in the top-level `system`"
                    .to_owned(),
            ),
            Some(other) => checks.add(
                at,
                "role",
                format!("role `{other}` is not `user` or `assistant`"),
            ),
        }
        if i == 0 && role.is_some_and(|r| r != "user") {
            checks.add(
                at,
                "first-turn-user",
                "the first message must be a user message".to_owned(),
            );
        }
        if let (Some(role), Some(previous)) = (role, previous_role)
            && role == previous
        {
            checks.add(
                at,
                "alternation",
                format!("two `{role}` messages in a row: roles must alternate"),
            );
        }
        let final_assistant = i == last && role == Some("assistant");
        let answered = check_content(checks, m, i, role.unwrap_or(""), final_assistant);
        for id in pending.drain(..) {
            if !answered.contains(id) {
                checks.add(
                    at,
                    "tool-pairing",
                    format!("`tool_use` id `{id}` of the message before has no `tool_result` here"),
                );
            }
        }
        pending = tool_uses(m);
        previous_role = role;
    }
}

/// The `tool_use` ids of a message.
fn tool_uses(m: &Map<String, Value>) -> Vec<&str> {
    match m.get("content") {
        Some(Value::Array(blocks)) => blocks
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
            .filter_map(|b| b.get("id").and_then(Value::as_str))
            .collect(),
        _ => Vec::new(),
    }
}

/// Checks one message's content; returns the `tool_use_id`s its `tool_result` blocks answer.
fn check_content<'v>(
    checks: &mut Checks,
    m: &'v Map<String, Value>,
    i: usize,
    role: &str,
    final_assistant: bool,
) -> HashSet<&'v str> {
    let at = Some(i);
    let mut answered = HashSet::new();
    match m.get("content") {
        None => checks.add(at, "required", "the message has no `content`".to_owned()),
        Some(Value::String(text)) => {
            if text.trim().is_empty() && !final_assistant {
                checks.add(
                    at,
                    "empty-content",
                    "all messages must have non-empty content except for an optional final \
                     assistant message"
                        .to_owned(),
                );
            }
            if final_assistant && text.trim_end().len() < text.len() {
                checks.add(
                    at,
                    "trailing-whitespace",
                    "final assistant content cannot end with trailing whitespace".to_owned(),
                );
            }
        }
        Some(Value::Array(blocks)) => {
            if blocks.is_empty() && !final_assistant {
                checks.add(
                    at,
                    "empty-content",
                    "all messages must have non-empty content except for an optional final \
                     assistant message"
                        .to_owned(),
                );
            }
            for (b, block) in blocks.iter().enumerate() {
                let what = format!("content block {b}");
                let Some(ty) = block.get("type").and_then(Value::as_str) else {
                    checks.add(at, "part-type", format!("{what} has no string `type`"));
                    continue;
                };
                match ty {
                    "text" => check_text_block(checks, at, &what, block),
                    "tool_use" => {
                        if role == "user" {
                            checks.add(
                                at,
                                "part-type",
                                format!("{what}: `tool_use` comes from the assistant"),
                            );
                        }
                        for field in ["id", "name"] {
                            if block.get(field).and_then(Value::as_str).is_none() {
                                checks.add(
                                    at,
                                    "required",
                                    format!("{what} has no string `{field}`"),
                                );
                            }
                        }
                        match block.get("input") {
                            Some(Value::Object(_)) => {}
                            Some(other) => checks.add(
                                at,
                                "tool-arguments",
                                format!("{what}: `input` must be an object, not {}", kind(other)),
                            ),
                            None => checks.add(at, "required", format!("{what} has no `input`")),
                        }
                    }
                    "tool_result" => {
                        if role == "assistant" {
                            checks.add(
                                at,
                                "part-type",
                                format!("{what}: `tool_result` comes from the user"),
                            );
                        }
                        match block.get("tool_use_id") {
                            Some(Value::String(id)) => {
                                answered.insert(id.as_str());
                            }
                            _ => checks.add(
                                at,
                                "required",
                                format!("{what} has no string `tool_use_id`"),
                            ),
                        }
                    }
                    _ => {}
                }
            }
            if final_assistant
                && let Some(Value::String(text)) = blocks.last().and_then(|b| b.get("text"))
                && blocks
                    .last()
                    .and_then(|b| b.get("type"))
                    .and_then(Value::as_str)
                    == Some("text")
                && text.trim_end().len() < text.len()
            {
                checks.add(
                    at,
                    "trailing-whitespace",
                    "final assistant content cannot end with trailing whitespace".to_owned(),
                );
            }
        }
        Some(other) => checks.add(
            at,
            "content-type",
            format!(
                "`content` must be a string or a list of blocks, not {}",
                kind(other)
            ),
        ),
    }
    answered
}
