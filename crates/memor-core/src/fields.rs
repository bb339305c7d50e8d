//! The small value types of memor's model and their validation.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result, msg};
use crate::json::{Number, PyDict, PyValue};

/// Who wrote a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Instructions to the model (`"system"`).
    System,
    /// The person (`"user"`), memor's default.
    #[default]
    User,
    /// The model (`"assistant"`).
    Assistant,
}

impl Role {
    /// Every role, in memor's order.
    pub const ALL: [Role; 3] = [Role::System, Role::User, Role::Assistant];

    /// memor's value: `"system"`, `"user"` or `"assistant"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Role {
    type Err = Error;

    /// Reads memor's value (exact, lower case).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "system" => Ok(Role::System),
            "user" => Ok(Role::User),
            "assistant" => Ok(Role::Assistant),
            _ => Err(
                Error::validation("Invalid role. It must be an instance of Role enum.")
                    .context(format!("unknown role {s:?}")),
            ),
        }
    }
}

/// Why generation stopped: memor's known values, or any other string (memor keeps strings as
/// they are).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FinishReason {
    /// `"stop"`
    Stop,
    /// `"length"`
    Length,
    /// `"tool_calls"`
    ToolCalls,
    /// `"content_filter"`
    ContentFilter,
    /// `"error"`
    Error,
    /// `"unknown"`
    Unknown,
    /// Any other string.
    Other(String),
}

impl FinishReason {
    /// The string memor stores.
    pub fn as_str(&self) -> &str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::Error => "error",
            FinishReason::Unknown => "unknown",
            FinishReason::Other(s) => s,
        }
    }

    /// memor's enum member for a name such as `"CONTENT_FILTER"` (or `"DEFAULT"`, which is
    /// `STOP`).
    pub fn from_member_name(name: &str) -> Option<Self> {
        Some(match name {
            "STOP" | "DEFAULT" => FinishReason::Stop,
            "LENGTH" => FinishReason::Length,
            "TOOL_CALLS" => FinishReason::ToolCalls,
            "CONTENT_FILTER" => FinishReason::ContentFilter,
            "ERROR" => FinishReason::Error,
            "UNKNOWN" => FinishReason::Unknown,
            _ => return None,
        })
    }
}

impl From<&str> for FinishReason {
    fn from(s: &str) -> Self {
        match s {
            "stop" => FinishReason::Stop,
            "length" => FinishReason::Length,
            "tool_calls" => FinishReason::ToolCalls,
            "content_filter" => FinishReason::ContentFilter,
            "error" => FinishReason::Error,
            "unknown" => FinishReason::Unknown,
            other => FinishReason::Other(other.to_owned()),
        }
    }
}

impl From<String> for FinishReason {
    fn from(s: String) -> Self {
        match FinishReason::from(s.as_str()) {
            FinishReason::Other(_) => FinishReason::Other(s),
            known => known,
        }
    }
}

impl fmt::Display for FinishReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// memor's rules for numeric fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// A number in `[0, 1]` (`NaN` passes, as in memor).
    Probability,
    /// A number `>= 0` (`NaN` and infinity pass, as in memor).
    NonNegative,
    /// An integer `>= 0`.
    NonNegativeInt,
    /// An integer.
    Int,
}

impl Rule {
    /// memor's message when `name` breaks the rule.
    pub(crate) fn message(self, name: &str) -> String {
        match self {
            Rule::Probability => msg::probability(name),
            Rule::NonNegative => msg::non_negative_float(name),
            Rule::NonNegativeInt => msg::non_negative_int(name),
            Rule::Int => msg::int(name),
        }
    }

    /// Checks `value` (named `name` in the error).
    pub(crate) fn check(self, value: &Number, name: &str) -> Result<()> {
        let ok = match self {
            Rule::Probability => !value.is_negative() && !value.is_above_one(),
            Rule::NonNegative => !value.is_negative(),
            Rule::NonNegativeInt => value.is_int() && !value.is_negative(),
            Rule::Int => value.is_int(),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::validation(self.message(name)).context(format!("{name} = {value}")))
        }
    }
}

/// A fresh random id, as memor's `str(uuid.uuid4())`.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// Whether Python's `uuid.UUID(text, version=4)` accepts `text`: after removing every `urn:`
/// and `uuid:`, stripping braces at both ends and removing hyphens, 32 characters that
/// Python's `int(_, 16)` reads as a value in `[0, 2**128)` (whitespace around, a `+`, a `0x`
/// prefix, single underscores between digits and digits of any script are all allowed).
pub fn is_valid_id(text: &str) -> bool {
    if is_canonical_uuid(text) {
        return true;
    }
    let stripped = text.replace("urn:", "").replace("uuid:", "");
    let stripped = stripped.trim_matches(|c| c == '{' || c == '}');
    let hex: String = stripped.chars().filter(|&c| c != '-').collect();
    if hex.chars().count() != 32 {
        return false;
    }
    parse_python_hex_int(&hex).is_some_and(|(negative, value)| !negative || value == 0)
}

/// The common form, `8-4-4-4-12` hex digits, checked without allocating.
fn is_canonical_uuid(text: &str) -> bool {
    let Ok(b) = <&[u8; 36]>::try_from(text.as_bytes()) else {
        return false;
    };
    let hex = |run: &[u8]| run.iter().all(u8::is_ascii_hexdigit);
    b[8] == b'-'
        && b[13] == b'-'
        && b[18] == b'-'
        && b[23] == b'-'
        && hex(&b[..8])
        && hex(&b[9..13])
        && hex(&b[14..18])
        && hex(&b[19..23])
        && hex(&b[24..])
}

/// Python's `int(text, 16)`: `(negative, value)` if it parses and fits 128 bits.
fn parse_python_hex_int(text: &str) -> Option<(bool, u128)> {
    let text = text.trim_matches(is_python_whitespace);
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    // A `0x` prefix may be followed by an underscore before the first digit.
    let (body, after_prefix) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        Some(b) => (b.strip_prefix('_').unwrap_or(b), true),
        None => (rest, false),
    };
    let _ = after_prefix;
    if body.is_empty() {
        return None;
    }
    let mut value: u128 = 0;
    let mut previous_underscore = true;
    for c in body.chars() {
        if c == '_' {
            if previous_underscore {
                return None;
            }
            previous_underscore = true;
            continue;
        }
        previous_underscore = false;
        let digit = match c.to_digit(16) {
            Some(d) => d,
            None => memor_template::py::decimal_value(c)?,
        };
        value = value.checked_mul(16)?.checked_add(u128::from(digit))?;
    }
    if previous_underscore {
        return None;
    }
    Some((negative, value))
}

/// Python's `str.isspace` for the characters `str.strip()` removes.
pub(crate) fn is_python_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}' | ' ' | '\u{85}' | '\u{a0}'
            | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}'
            | '\u{205f}' | '\u{3000}'
    )
}

/// A message's or session's `warnings`: memor only defines `size` (`enable`, `threshold`);
/// `tokens` is accepted and kept. Any other content of the inner dicts is kept as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Warnings(pub(crate) PyDict);

impl Warnings {
    /// Checks memor's rules: a dict whose keys are among `size` and `tokens`, each a dict.
    pub(crate) fn from_value(value: PyValue) -> Result<Self> {
        let PyValue::Dict(dict) = value else {
            return Err(
                Error::validation(msg::INVALID_WARNINGS).context("warnings is not an object")
            );
        };
        for (key, inner) in dict.iter() {
            if key != "size" && key != "tokens" {
                return Err(Error::validation(msg::INVALID_WARNINGS)
                    .context(format!("unknown key warnings.{key}")));
            }
            if !matches!(inner, PyValue::Dict(_)) {
                return Err(Error::validation(msg::INVALID_WARNINGS)
                    .context(format!("warnings.{key} is not an object")));
            }
        }
        Ok(Warnings(dict))
    }

    /// The raw structure.
    pub fn as_dict(&self) -> &PyDict {
        &self.0
    }

    /// The size threshold, when the size warning is enabled (memor's truthiness of `enable`,
    /// and a numeric `threshold`; `true` counts as 1).
    pub fn size_threshold(&self) -> Option<f64> {
        let size = self.0.get("size")?.as_dict()?;
        if !size.get("enable").is_some_and(truthy) {
            return None;
        }
        match size.get("threshold")? {
            PyValue::Number(n) => Some(n.as_f64()),
            PyValue::Bool(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }

    /// The threshold as memor prints it in the warning.
    pub(crate) fn threshold_text(&self) -> String {
        match self
            .0
            .get("size")
            .and_then(PyValue::as_dict)
            .and_then(|s| s.get("threshold"))
        {
            Some(PyValue::Number(n)) => n.to_string(),
            Some(PyValue::Bool(true)) => "True".into(),
            Some(PyValue::Bool(false)) => "False".into(),
            _ => String::new(),
        }
    }

    /// memor's `set_size_warning`: `{"size": {"enable": true, "threshold": threshold}}`.
    pub(crate) fn set_size(&mut self, threshold: Number) {
        let mut size = PyDict::new();
        size.insert("enable".into(), PyValue::Bool(true));
        size.insert("threshold".into(), PyValue::Number(threshold));
        self.0.insert("size".into(), PyValue::Dict(size));
    }

    /// memor's `reset_size_warning`: `{"size": {"enable": false, "threshold": 0}}`.
    pub(crate) fn reset_size(&mut self) {
        let mut size = PyDict::new();
        size.insert("enable".into(), PyValue::Bool(false));
        size.insert("threshold".into(), PyValue::Number(Number::Int(0)));
        self.0.insert("size".into(), PyValue::Dict(size));
    }
}

/// Python's truthiness of a JSON value.
pub(crate) fn truthy(value: &PyValue) -> bool {
    match value {
        PyValue::Null => false,
        PyValue::Bool(b) => *b,
        PyValue::Number(n) => match n {
            Number::Int(i) => *i != 0,
            Number::BigInt(_) => true,
            Number::Float(f) => *f != 0.0,
        },
        PyValue::Str(s) => !s.is_empty(),
        PyValue::List(l) => !l.is_empty(),
        PyValue::Dict(d) => !d.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_python_reads_them() {
        for ok in [
            "83807fb3-1783-42f8-abe0-93f11924f0cd",
            "83807FB3-1783-42F8-ABE0-93F11924F0CD",
            "{83807fb3-1783-42f8-abe0-93f11924f0cd}",
            "{{{83807fb3178342f8abe093f11924f0cd}}}",
            "urn:uuid:83807fb3-1783-42f8-abe0-93f11924f0cd",
            "00000000-0000-0000-0000-000000000000",
            "0x807fb3178342f8abe093f11924f0cd",
            "+3807fb3178342f8abe093f11924f0cd",
            "3807fb3178342f8abe093f11924_f0cd",
            " 3807fb3178342f8abe093f11924f0cd",
            "٣3807fb3178342f8abe093f11924f0cd",
        ] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in [
            "",
            "not-a-uuid",
            "83807fb3-1783-42f8-abe0-93f11924f0c",
            "83807fb3-1783-42f8-abe0-93f11924f0cdd",
            "83807fb3 1783 42f8 abe0 93f11924f0cd",
            "-3807fb3178342f8abe093f11924f0cd",
            "3807fb3178342f8abe093f11924__cd",
        ] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
