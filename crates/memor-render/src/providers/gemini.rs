//! Gemini `generateContent` request bodies (`gemini`):
//! `POST /v1beta/models/{model}:generateContent`.
//!
//! API reference: <https://ai.google.dev/api/generate-content#method:-models.generatecontent>
//! (REST: <https://ai.google.dev/api/rest/v1beta/models/generateContent>); types in
//! `googleapis/python-genai` `google/genai/types.py` (`Content`, `Part`).
//!
//! The rendering rules are documented on the target type.

use memor_core::{Role, Session};
use serde_json::{Map, Value};

use super::support::{
    Checks, Group, SYSTEM_SEPARATOR, Shape, is_base64, json_object, kind, not_string, prepare,
    shape, temperature, turn_list,
};
use crate::{Error, Payload, RenderOptions, Rendered, Target, Violation};

/// The members of the `data` oneof of a `Part`, with their proto names.
const DATA_FIELDS: &[&str] = &[
    "text",
    "inlineData",
    "inline_data",
    "functionCall",
    "function_call",
    "functionResponse",
    "function_response",
    "fileData",
    "file_data",
    "executableCode",
    "executable_code",
    "codeExecutionResult",
    "code_execution_result",
];

/// Gemini `generateContent` request body (`gemini`).
///
/// API reference: <https://ai.google.dev/api/generate-content#method:-models.generatecontent>
/// (REST: <https://ai.google.dev/api/rest/v1beta/models/generateContent>); types in
/// `googleapis/python-genai` `google/genai/types.py` (`Content`, `Part`).
///
/// - The model is part of the URL, not of the body: a model given in the options is only named
///   in a warning.
/// - System messages go to `systemInstruction` (`{"parts": [{"text"}]}`, one text joined with a
///   blank line), each reported [`Moved`](crate::Change::Moved).
/// - `assistant` is sent as `model` ("Must be either 'user' or 'model'"), each reported
///   [`Renamed`](crate::Change::Renamed).
/// - Empty texts are dropped (a part without data fails: "required oneof field 'data' must
///   have one initialized field"; a content left without parts would break "contents.parts
///   must not be empty"), each reported [`Dropped`](crate::Change::Dropped). Whitespace is
///   data: kept.
/// - Runs of one role are merged into one content, one part per message ("Please ensure that
///   multiturn requests alternate between user and model"), each later message reported
///   [`Merged`](crate::Change::Merged).
/// - The first turn must be `user` and the last one too ("Please ensure that multiturn
///   requests ends with a user role or a function response"): a user turn
///   [`SYNTHESIZED_USER_TEXT`](crate::SYNTHESIZED_USER_TEXT) is added where one is missing
///   (also when there is no turn at all), reported [`Synthesized`](crate::Change::Synthesized);
///   nothing is dropped. Mask a trailing model message to leave it out instead.
/// - `generationConfig` carries `temperature` and `maxOutputTokens` when the options give them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gemini;

impl Target for Gemini {
    fn name(&self) -> &'static str {
        "gemini"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let temperature = temperature(options, "gemini", None)?;
        let max_tokens = super::support::max_tokens(
            options,
            "gemini",
            "maxOutputTokens",
            0,
            i32::MAX.unsigned_abs().into(),
        )?;
        let prepared = prepare(session)?;
        let (shaped, mut warnings) = shape(
            prepared,
            &Shape {
                system_field: "systemInstruction",
                drop_whitespace: false,
                assistant: "model",
                last_user: true,
            },
        );
        if let Some(model) = &options.model {
            warnings.push(format!(
                "the model is not part of the body: POST /v1beta/models/{model}:generateContent"
            ));
        }
        let mut body = Map::new();
        if !shaped.system.is_empty() {
            body.insert(
                "systemInstruction".into(),
                parts_object(None, vec![shaped.system.join(SYSTEM_SEPARATOR)]),
            );
        }
        body.insert(
            "contents".into(),
            Value::Array(shaped.groups.into_iter().map(content).collect()),
        );
        let mut config = Map::new();
        if let Some(t) = temperature {
            config.insert("temperature".into(), t);
        }
        if let Some(n) = max_tokens {
            config.insert("maxOutputTokens".into(), Value::from(n));
        }
        if !config.is_empty() {
            body.insert("generationConfig".into(), Value::Object(config));
        }
        Ok(Rendered {
            payload: Payload::Json(Value::Object(body)),
            report: shaped.report,
            warnings,
        })
    }

    /// Checks a `generateContent` body (`lowerCamelCase` or proto `snake_case` names): an object
    /// with a non-empty `contents` array; `systemInstruction` a content of non-empty `text`
    /// parts only; `generationConfig` an object whose `temperature` is a number and
    /// `maxOutputTokens`/`candidateCount` integers (proto3 JSON also takes them as strings);
    /// each content an object with role `user` or `model` (absent means `user`), the first and
    /// the last `user`, no two in a row with one role; `parts` a non-empty array of objects
    /// each with exactly one data field (`text`, `inlineData`, `fileData`, `functionCall`,
    /// `functionResponse`, `executableCode`, `codeExecutionResult`); `text` a non-empty
    /// string; `inlineData.data` raw base64 (no `data:` URL); `functionCall` with a `name`
    /// and object `args`.
    fn validate(&self, payload: &Payload) -> Vec<Violation> {
        let obj = match json_object(payload, "the request") {
            Ok(obj) => obj,
            Err(found) => return found,
        };
        let mut checks = Checks::default();
        check_system(
            &mut checks,
            either(obj, "systemInstruction", "system_instruction"),
        );
        check_config(
            &mut checks,
            either(obj, "generationConfig", "generation_config"),
        );
        let Some(contents) = turn_list(&mut checks, obj, "contents") else {
            return checks.finish();
        };
        let last = contents.len().saturating_sub(1);
        let mut previous: Option<String> = None;
        for (i, c) in contents.iter().enumerate() {
            let at = Some(i);
            let Value::Object(c) = c else {
                checks.add(
                    at,
                    "type",
                    format!("a content must be an object, not {}", kind(c)),
                );
                previous = None;
                continue;
            };
            let role = match c.get("role") {
                None | Some(Value::Null) => Some("user"),
                Some(Value::String(r)) if r == "user" || r == "model" => Some(r.as_str()),
                Some(Value::String(r)) => {
                    checks.add(
                        at,
                        "role",
                        format!("role `{r}` is not `user` or `model` (Please use a valid role: user, model.)"),
                    );
                    Some(r.as_str())
                }
                Some(other) => {
                    checks.add(at, "type", not_string("`role`", other));
                    None
                }
            };
            if let Some(role) = role {
                if i == 0 && role != "user" {
                    checks.add(
                        at,
                        "first-turn-user",
                        "the first content must be a user turn".to_owned(),
                    );
                }
                if i == last && role != "user" {
                    checks.add(
                        at,
                        "last-turn-user",
                        "multiturn requests must end with a user turn or a function response"
                            .to_owned(),
                    );
                }
                if previous.as_deref() == Some(role) {
                    checks.add(
                        at,
                        "alternation",
                        format!("two `{role}` contents in a row: turns must alternate between user and model"),
                    );
                }
            }
            previous = role.map(str::to_owned);
            check_parts(&mut checks, at, "the content", c.get("parts"), false);
        }
        checks.finish()
    }
}

/// A member under either of its names.
fn either<'v>(obj: &'v Map<String, Value>, camel: &str, snake: &str) -> Option<&'v Value> {
    obj.get(camel).or_else(|| obj.get(snake))
}

/// `{"role"?, "parts": [{"text"}...]}`.
fn parts_object(role: Option<&str>, texts: Vec<String>) -> Value {
    let parts = texts
        .into_iter()
        .map(|text| {
            let mut part = Map::new();
            part.insert("text".into(), Value::String(text));
            Value::Object(part)
        })
        .collect();
    let mut c = Map::new();
    if let Some(role) = role {
        c.insert("role".into(), Value::String(role.to_owned()));
    }
    c.insert("parts".into(), Value::Array(parts));
    Value::Object(c)
}

fn content(group: Group) -> Value {
    let role = match group.role {
        Role::Assistant => "model",
        _ => "user",
    };
    parts_object(Some(role), group.texts)
}

fn check_system(checks: &mut Checks, system: Option<&Value>) {
    match system {
        None | Some(Value::Null) => {}
        Some(Value::Object(c)) => {
            check_parts(checks, None, "`systemInstruction`", c.get("parts"), true);
        }
        Some(other) => checks.add(
            None,
            "type",
            format!(
                "`systemInstruction` must be a content object, not {}",
                kind(other)
            ),
        ),
    }
}

fn check_config(checks: &mut Checks, config: Option<&Value>) {
    let config = match config {
        None | Some(Value::Null) => return,
        Some(Value::Object(config)) => config,
        Some(other) => {
            checks.add(
                None,
                "type",
                format!("`generationConfig` must be an object, not {}", kind(other)),
            );
            return;
        }
    };
    match config.get("temperature") {
        None | Some(Value::Null | Value::Number(_)) => {}
        Some(Value::String(s))
            if s.parse::<f64>().is_ok()
                || matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => {}
        Some(other) => checks.add(
            None,
            "type",
            format!(
                "`generationConfig.temperature` must be a number, not {}",
                kind(other)
            ),
        ),
    }
    for (camel, snake) in [
        ("maxOutputTokens", "max_output_tokens"),
        ("candidateCount", "candidate_count"),
    ] {
        match either(config, camel, snake) {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            Some(Value::String(s)) if s.parse::<i64>().is_ok() => {}
            Some(other) => checks.add(
                None,
                "type",
                format!(
                    "`generationConfig.{camel}` must be an integer, not {}",
                    kind(other)
                ),
            ),
        }
    }
}

/// Checks a `parts` list; `text_only` for the system instruction.
fn check_parts(
    checks: &mut Checks,
    at: Option<usize>,
    what: &str,
    parts: Option<&Value>,
    text_only: bool,
) {
    let parts = match parts {
        None | Some(Value::Null) => {
            checks.add(
                at,
                "empty-content",
                format!("{what} has no `parts` (contents.parts must not be empty)"),
            );
            return;
        }
        Some(Value::Array(parts)) => parts,
        Some(other) => {
            checks.add(
                at,
                "type",
                format!("{what}: `parts` must be an array, not {}", kind(other)),
            );
            return;
        }
    };
    if parts.is_empty() {
        checks.add(
            at,
            "empty-content",
            format!("{what}: `parts` is empty (contents.parts must not be empty)"),
        );
    }
    for (p, part) in parts.iter().enumerate() {
        let Value::Object(part) = part else {
            checks.add(
                at,
                "type",
                format!("{what}: part {p} must be an object, not {}", kind(part)),
            );
            continue;
        };
        let data: Vec<&str> = DATA_FIELDS
            .iter()
            .copied()
            .filter(|f| part.get(*f).is_some_and(|v| !v.is_null()))
            .collect();
        match data.as_slice() {
            [] => checks.add(
                at,
                "part-data",
                format!("{what}: part {p} has no data field (required oneof field 'data' must have one initialized field)"),
            ),
            [_] => {}
            several => checks.add(
                at,
                "part-data",
                format!("{what}: part {p} has several data fields ({}); a part carries exactly one", several.join(", ")),
            ),
        }
        if text_only && data.iter().any(|f| *f != "text") {
            checks.add(
                at,
                "part-type",
                format!("{what}: part {p} is not text (system instructions are text only)"),
            );
        }
        match part.get("text") {
            Some(Value::String(t)) if t.is_empty() => checks.add(
                at,
                "empty-content",
                format!("{what}: part {p} has an empty `text`"),
            ),
            None | Some(Value::Null | Value::String(_)) => {}
            Some(other) => checks.add(
                at,
                "content-type",
                not_string(&format!("{what}: part {p} `text`"), other),
            ),
        }
        if let Some(blob) = either(part, "inlineData", "inline_data").filter(|v| !v.is_null()) {
            match blob.get("data") {
                Some(Value::String(data)) if is_base64(data) => {}
                Some(Value::String(_)) => checks.add(
                    at,
                    "base64",
                    format!(
                        "{what}: part {p} `inlineData.data` must be raw base64 (not a data: URL)"
                    ),
                ),
                _ => checks.add(
                    at,
                    "required",
                    format!("{what}: part {p} `inlineData` has no string `data`"),
                ),
            }
            if blob
                .get("mimeType")
                .or_else(|| blob.get("mime_type"))
                .and_then(Value::as_str)
                .is_none()
            {
                checks.add(
                    at,
                    "required",
                    format!("{what}: part {p} `inlineData` has no string `mimeType`"),
                );
            }
        }
        if let Some(call) = either(part, "functionCall", "function_call").filter(|v| !v.is_null()) {
            if call.get("name").and_then(Value::as_str).is_none() {
                checks.add(
                    at,
                    "required",
                    format!("{what}: part {p} `functionCall` has no string `name`"),
                );
            }
            match call.get("args") {
                None | Some(Value::Null | Value::Object(_)) => {}
                Some(other) => checks.add(
                    at,
                    "tool-arguments",
                    format!(
                        "{what}: part {p} `functionCall.args` must be an object, not {}",
                        kind(other)
                    ),
                ),
            }
        }
    }
}
