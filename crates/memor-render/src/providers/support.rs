//! What the provider targets share: the turns of a session, the shaping of strict
//! conversations (system moved out, blanks dropped, runs merged, missing user turns added),
//! request parameters, and the pieces of the validators.

use memor_core::{Role, Session};
use serde_json::{Map, Number, Value};

use crate::{Change, Error, Payload, RenderOptions, Report, Violation, enabled_texts};

/// The text of a user turn the renderers add when a provider requires one that the session does
/// not have (Anthropic and Gemini: the first turn must be user; Gemini: the last turn too; every
/// provider: at least one turn). Each one is reported as [`Change::Synthesized`].
pub const SYNTHESIZED_USER_TEXT: &str = "Continue.";

/// What joins several system messages moved into one top-level field.
pub(crate) const SYSTEM_SEPARATOR: &str = "\n\n";

/// One enabled message: its index in the session, memor's role and its text.
#[derive(Clone, Debug)]
pub(crate) struct Turn {
    pub(crate) index: usize,
    pub(crate) role: Role,
    pub(crate) text: String,
}

/// The enabled messages of a session, the masked ones reported, and memor's warnings.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) turns: Vec<Turn>,
    pub(crate) report: Report,
    pub(crate) warnings: Vec<String>,
}

/// Reads the enabled messages of `session` (a prompt as its own text, a response as its text).
pub(crate) fn prepare(session: &Session) -> Result<Prepared, Error> {
    let turns = enabled_texts(session)?
        .into_iter()
        .map(|(index, message, text)| Turn {
            index,
            role: message.role(),
            text,
        })
        .collect();
    let mut report = Report::default();
    for (index, enabled) in session.messages_status().iter().enumerate() {
        if !enabled {
            report.push(Change::Masked { index });
        }
    }
    Ok(Prepared {
        turns,
        report,
        warnings: session.render_warnings(),
    })
}

/// A synthesized user turn's report entry.
pub(crate) fn synthesized(position: usize, role: &str, reason: &str) -> Change {
    Change::Synthesized {
        position,
        role: role.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Why a request with no turn at all gets one.
pub(crate) const REASON_NO_TURN: &str = "the request needs at least one turn";

/// Whether a text is empty (`Some("empty text")`), or only whitespace when `whitespace` is set.
pub(crate) fn blank(text: &str, whitespace: bool) -> Option<&'static str> {
    if text.is_empty() {
        Some("empty text")
    } else if whitespace && text.trim().is_empty() {
        Some("whitespace-only text")
    } else {
        None
    }
}

/// How a strict conversation is shaped (Anthropic, Gemini).
pub(crate) struct Shape {
    /// The top-level field system messages move to.
    pub(crate) system_field: &'static str,
    /// Whether whitespace-only texts are dropped too (empty ones always are).
    pub(crate) drop_whitespace: bool,
    /// The target's name for memor's `assistant` (a rename is reported when it differs).
    pub(crate) assistant: &'static str,
    /// Whether the last turn must be a user turn.
    pub(crate) last_user: bool,
}

/// A turn of a shaped conversation: one role, one or more texts.
#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) role: Role,
    pub(crate) texts: Vec<String>,
}

/// A conversation shaped for a strict target.
#[derive(Debug)]
pub(crate) struct Shaped {
    /// The system texts, in order.
    pub(crate) system: Vec<String>,
    /// The turns, alternating, starting with user (and ending with user when asked).
    pub(crate) groups: Vec<Group>,
    /// Everything that changed, the masked messages first.
    pub(crate) report: Report,
}

/// Moves system messages out, drops blank texts, merges runs of one role, and adds the user
/// turns the target requires. Report order: masked messages, a user turn added at the start,
/// each message's changes in session order, a user turn added at the end.
pub(crate) fn shape(prepared: Prepared, rules: &Shape) -> (Shaped, Vec<String>) {
    let Prepared {
        turns,
        report: masked,
        warnings,
    } = prepared;
    let mut changes = Vec::new();
    let mut system = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    // The session index of the first message of the last group.
    let mut last_first: Option<usize> = None;
    for Turn { index, role, text } in turns {
        if let Some(reason) = blank(&text, rules.drop_whitespace) {
            changes.push(Change::Dropped {
                index,
                reason: reason.to_owned(),
            });
            continue;
        }
        if role == Role::System {
            changes.push(Change::Moved {
                index,
                to: rules.system_field.to_owned(),
            });
            system.push(text);
            continue;
        }
        if role == Role::Assistant && rules.assistant != Role::Assistant.as_str() {
            changes.push(Change::Renamed {
                index,
                from: Role::Assistant.as_str().to_owned(),
                to: rules.assistant.to_owned(),
            });
        }
        match (groups.last_mut(), last_first) {
            (Some(group), Some(into)) if group.role == role => {
                changes.push(Change::Merged { index, into });
                group.texts.push(text);
            }
            _ => {
                groups.push(Group {
                    role,
                    texts: vec![text],
                });
                last_first = Some(index);
            }
        }
    }
    let mut report = masked;
    let leading = match groups.first() {
        None => Some(REASON_NO_TURN),
        Some(group) if group.role != Role::User => Some("the first turn must be user"),
        Some(_) => None,
    };
    if let Some(reason) = leading {
        groups.insert(
            0,
            Group {
                role: Role::User,
                texts: vec![SYNTHESIZED_USER_TEXT.to_owned()],
            },
        );
        report.push(synthesized(0, "user", reason));
    }
    for change in changes {
        report.push(change);
    }
    if rules.last_user && groups.last().is_some_and(|g| g.role != Role::User) {
        report.push(synthesized(
            groups.len(),
            "user",
            "the last turn must be user",
        ));
        groups.push(Group {
            role: Role::User,
            texts: vec![SYNTHESIZED_USER_TEXT.to_owned()],
        });
    }
    (
        Shaped {
            system,
            groups,
            report,
        },
        warnings,
    )
}

/// The model: the option, or `default` with a warning saying so.
pub(crate) fn model(
    options: &RenderOptions,
    default: &str,
    warnings: &mut Vec<String>,
) -> Result<String, Error> {
    match &options.model {
        Some(model) if model.trim().is_empty() => {
            Err(Error::Unsupported("the model name is empty".to_owned()))
        }
        Some(model) => Ok(model.clone()),
        None => {
            warnings.push(format!("no model given: using the default `{default}`"));
            Ok(default.to_owned())
        }
    }
}

/// The temperature option as a JSON number, checked against the target's range.
pub(crate) fn temperature(
    options: &RenderOptions,
    target: &str,
    max: Option<f64>,
) -> Result<Option<Value>, Error> {
    let Some(t) = options.temperature else {
        return Ok(None);
    };
    let out_of_range = t < 0.0 || max.is_some_and(|max| t > max);
    match Number::from_f64(t) {
        Some(number) if !out_of_range => Ok(Some(Value::Number(number))),
        _ => Err(Error::Unsupported(match max {
            Some(max) => format!("{target}: temperature {t} is outside 0 to {max}"),
            None => format!("{target}: temperature {t} must be a finite number of at least 0"),
        })),
    }
}

/// The maximum-tokens option, checked against the target's bounds.
pub(crate) fn max_tokens(
    options: &RenderOptions,
    target: &str,
    field: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, Error> {
    match options.max_tokens {
        Some(n) if n < min || n > max => Err(Error::Unsupported(format!(
            "{target}: `{field}` {n} is outside {min} to {max}"
        ))),
        other => Ok(other),
    }
}

// ---- validators ----

/// Violations found so far.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    found: Vec<Violation>,
}

impl Checks {
    /// Records a violation.
    pub(crate) fn add(&mut self, index: Option<usize>, rule: &'static str, message: String) {
        self.found.push(Violation {
            index,
            rule,
            message,
        });
    }

    /// The violations.
    pub(crate) fn finish(self) -> Vec<Violation> {
        self.found
    }

    /// A required member: missing (or `null`) is a violation; returns it when present.
    pub(crate) fn required<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        key: &str,
        index: Option<usize>,
        what: &str,
    ) -> Option<&'v Value> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                self.add(index, "required", format!("{what} has no `{key}`"));
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A required non-empty string member.
    pub(crate) fn required_string(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        index: Option<usize>,
        what: &str,
    ) {
        match self.required(obj, key, index, what) {
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.add(index, "required", format!("{what}: `{key}` is empty"));
            }
            Some(Value::String(_)) | None => {}
            Some(other) => self.add(
                index,
                "type",
                format!("{what}: `{key}` must be a string, not {}", kind(other)),
            ),
        }
    }

    /// An optional number member within `min..=max`; `null` passes when `nullable`.
    pub(crate) fn number(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        range: (f64, Option<f64>),
        nullable: bool,
    ) {
        let (min, max) = range;
        match obj.get(key) {
            None => {}
            Some(Value::Null) if nullable => {}
            Some(Value::Number(n)) => {
                let v = n.as_f64().unwrap_or(f64::NAN);
                if v.is_nan() || v < min || max.is_some_and(|max| v > max) {
                    let upper = max.map_or_else(|| "up".to_owned(), |m| m.to_string());
                    self.add(
                        None,
                        "range",
                        format!("`{key}` is {n}, outside {min} to {upper}"),
                    );
                }
            }
            Some(other) => self.add(
                None,
                "type",
                format!("`{key}` must be a number, not {}", kind(other)),
            ),
        }
    }

    /// An optional integer member of at least `min`; `null` passes when `nullable`.
    pub(crate) fn integer(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        min: i64,
        nullable: bool,
    ) {
        match obj.get(key) {
            None => {}
            Some(Value::Null) if nullable => {}
            Some(Value::Number(n)) if n.as_i64().is_some_and(|v| v < min) => {
                self.add(None, "range", format!("`{key}` is {n}, less than {min}"));
            }
            Some(Value::Number(n)) if n.is_u64() || n.is_i64() => {}
            Some(other) => self.add(
                None,
                "type",
                format!("`{key}` must be an integer, not {}", describe(other)),
            ),
        }
    }

    /// An optional boolean member; `null` passes when `nullable`.
    pub(crate) fn boolean(&mut self, obj: &Map<String, Value>, key: &str, nullable: bool) {
        match obj.get(key) {
            None | Some(Value::Bool(_)) => {}
            Some(Value::Null) if nullable => {}
            Some(other) => self.add(
                None,
                "type",
                format!("`{key}` must be a boolean, not {}", kind(other)),
            ),
        }
    }
}

/// The JSON type of a value, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Like [`kind`], but a number is shown (`1.5`).
fn describe(value: &Value) -> String {
    match value {
        Value::Number(n) => format!("the number {n}"),
        other => kind(other).to_owned(),
    }
}

/// The JSON body of a payload, or the violation saying it is not JSON.
pub(crate) fn json_body(payload: &Payload) -> Result<&Value, Vec<Violation>> {
    payload.as_json().ok_or_else(|| {
        vec![Violation {
            index: None,
            rule: "payload",
            message: "expected a JSON request body, not text or a Python value".to_owned(),
        }]
    })
}

/// The body as an object, or the violation saying it is not one.
pub(crate) fn json_object<'p>(
    payload: &'p Payload,
    what: &str,
) -> Result<&'p Map<String, Value>, Vec<Violation>> {
    let not_object = |found: &str| {
        vec![Violation {
            index: None,
            rule: "payload",
            message: format!("{what} must be a JSON object, not {found}"),
        }]
    };
    if let Payload::Messages(_) = payload {
        return Err(not_object("a list of messages"));
    }
    match json_body(payload)? {
        Value::Object(obj) => Ok(obj),
        other => Err(not_object(kind(other))),
    }
}

/// The turn list `key` of a body: required, an array, not empty. `None` when it cannot be read.
pub(crate) fn turn_list<'v>(
    checks: &mut Checks,
    obj: &'v Map<String, Value>,
    key: &str,
) -> Option<&'v Vec<Value>> {
    match checks.required(obj, key, None, "the request")? {
        Value::Array(items) => {
            if items.is_empty() {
                checks.add(None, "no-turns", format!("`{key}` is empty"));
            }
            Some(items)
        }
        other => {
            checks.add(
                None,
                "type",
                format!("`{key}` must be an array, not {}", kind(other)),
            );
            None
        }
    }
}

/// Whether a string is raw base64 (standard or URL-safe alphabet, padding optional), as the
/// providers' byte fields take it: no `data:` URL prefix, no whitespace.
pub(crate) fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
}

/// The message for a string member that is not one.
pub(crate) fn not_string(what: &str, value: &Value) -> String {
    format!("{what} must be a string, not {}", kind(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert!(is_base64("iVBORw0KGgo="));
        assert!(is_base64("ab-_"));
        assert!(!is_base64("data:image/png;base64,iVBORw0KGgo="));
        assert!(!is_base64("a==="));
        assert!(!is_base64("a b"));
    }

    #[test]
    fn blanks() {
        assert_eq!(blank("", false), Some("empty text"));
        assert_eq!(blank(" \n", false), None);
        assert_eq!(blank(" \n", true), Some("whitespace-only text"));
        assert_eq!(blank("x", true), None);
    }
}
