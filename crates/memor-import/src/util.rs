//! Rules every format shares: dates, titles, joining, and reading JSON fields.

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use serde_json::{Map, Value};

use crate::model::Timestamp;

/// Epoch numbers above this are milliseconds, not seconds.
const MILLISECONDS_ABOVE: f64 = 1e12;

/// An epoch number as seconds: a value above 1e12 is milliseconds and is divided by 1000.
/// `None` when the value is not a number.
pub(crate) fn epoch_seconds(value: &Value) -> Option<f64> {
    let secs = value.as_f64().filter(|s| s.is_finite())?;
    Some(if secs.abs() > MILLISECONDS_ABOVE {
        secs / 1000.0
    } else {
        secs
    })
}

/// A source time: epoch seconds (milliseconds above 1e12) or an ISO 8601 string with an
/// optional fraction and `Z`/`±HH:MM` offset (UTC without one); truncated, not rounded, to the
/// second. Anything else is `None`: a time is never made up.
pub(crate) fn parse_time(value: Option<&Value>) -> Option<Timestamp> {
    match value? {
        Value::String(s) => parse_iso(s),
        number => {
            let whole = epoch_seconds(number)?.floor();
            if whole < i64::MIN as f64 || whole > i64::MAX as f64 {
                return None;
            }
            DateTime::from_timestamp(whole as i64, 0)
        }
    }
}

/// An ISO 8601 date-time string as a UTC time truncated to the second.
pub(crate) fn parse_iso(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let parsed = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            // Without an offset: UTC.
            [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .map(|n| n.and_utc())
        })
        .or_else(|| {
            // `2024-04-05 19:34:38+00:00` and friends.
            DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z")
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })?;
    parsed.with_nanosecond(0)
}

/// The title: the source title, or `Conversation <id>` (`Conversation` without an id) when it
/// is missing, empty or only whitespace.
pub(crate) fn title(source: Option<&str>, id: Option<&str>) -> String {
    match source {
        Some(t) if !t.trim().is_empty() => t.to_string(),
        _ => match id {
            Some(id) => format!("Conversation {id}"),
            None => "Conversation".to_string(),
        },
    }
}

/// Appends `text` to `out`, with `sep` before it when `out` is not empty; an empty `text` is
/// dropped.
pub(crate) fn push_joined(out: &mut String, text: &str, sep: &str) {
    if text.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push_str(sep);
    }
    out.push_str(text);
}

/// Joins the non-empty texts with `sep`.
pub(crate) fn join_non_empty<'a>(texts: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    let mut out = String::new();
    for t in texts {
        push_joined(&mut out, t, sep);
    }
    out
}

/// The items of a field that holds a list or a single object (none for anything else).
pub(crate) fn one_or_many(value: Option<&Value>) -> &[Value] {
    match value {
        Some(Value::Array(items)) => items,
        Some(one @ Value::Object(_)) => std::slice::from_ref(one),
        _ => &[],
    }
}

/// A string field of a JSON value (`None` when the value is not an object, or the field is
/// missing or not a string).
pub(crate) fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// A string field of a JSON object.
pub(crate) fn object_str<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

/// The items of a list field (none when it is missing or not a list).
pub(crate) fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
}

/// Takes the items of a list field out of a JSON value, leaving `[]` in their place (none when
/// the field is missing or not a list).
pub(crate) fn take_list(value: &mut Value, key: &str) -> Vec<Value> {
    match value.get_mut(key) {
        Some(Value::Array(items)) => std::mem::take(items),
        _ => Vec::new(),
    }
}

/// Takes a string field out of a JSON value, leaving `""` in its place; `None` (and the value
/// unchanged) when it is missing or not a string.
pub(crate) fn take_str(value: &mut Value, key: &str) -> Option<String> {
    match value.get_mut(key) {
        Some(Value::String(s)) => Some(std::mem::take(s)),
        _ => None,
    }
}

/// A non-negative whole number: an integer, or a float with no fractional part (`12.0`).
/// Fractions (`2.7`), negative numbers and numbers beyond `u64` are `None`.
pub(crate) fn whole_number(value: &Value) -> Option<u64> {
    /// 2^64: the first float beyond `u64`.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < LIMIT)
            .map(|f| f as u64)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn iso(v: &Value) -> Option<String> {
        parse_time(Some(v)).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    #[test]
    fn times_are_truncated_utc_and_never_made_up() {
        assert_eq!(
            iso(&json!(1_712_345_678.999)).as_deref(),
            Some("2024-04-05T19:34:38Z")
        );
        assert_eq!(
            iso(&json!(1_712_345_678_999_u64)).as_deref(),
            Some("2024-04-05T19:34:38Z")
        );
        assert_eq!(
            iso(&json!("2024-04-05T19:34:38.9Z")).as_deref(),
            Some("2024-04-05T19:34:38Z")
        );
        assert_eq!(
            iso(&json!("2024-04-05T21:34:38+02:00")).as_deref(),
            Some("2024-04-05T19:34:38Z")
        );
        assert_eq!(
            iso(&json!("2024-04-05T19:34:38.123456")).as_deref(),
            Some("2024-04-05T19:34:38Z")
        );
        assert_eq!(iso(&json!("yesterday")), None);
        assert_eq!(iso(&json!(null)), None);
        assert_eq!(iso(&json!(true)), None);
        assert_eq!(parse_time(None), None);
    }

    #[test]
    fn epoch_numbers_above_1e12_are_milliseconds() {
        assert_eq!(
            epoch_seconds(&json!(1_712_345_678.5)),
            Some(1_712_345_678.5)
        );
        assert_eq!(
            epoch_seconds(&json!(1_712_345_678_500_u64)),
            Some(1_712_345_678.5)
        );
        assert_eq!(epoch_seconds(&json!("1712345678")), None);
        assert_eq!(epoch_seconds(&json!(null)), None);
    }

    #[test]
    fn titles_fall_back_to_the_id() {
        assert_eq!(title(Some("Hi"), Some("x")), "Hi");
        assert_eq!(title(Some("  \n"), Some("x")), "Conversation x");
        assert_eq!(title(None, None), "Conversation");
    }

    #[test]
    fn joining_drops_empty_texts() {
        assert_eq!(join_non_empty(["a", "", "b"], "\n\n"), "a\n\nb");
        assert_eq!(join_non_empty([""], "\n"), "");
        let mut out = String::new();
        push_joined(&mut out, "", "\n");
        push_joined(&mut out, "a", "\n");
        push_joined(&mut out, "b", "\n");
        assert_eq!(out, "a\nb");
    }

    #[test]
    fn whole_numbers_accept_integral_floats_only() {
        assert_eq!(whole_number(&json!(12)), Some(12));
        assert_eq!(whole_number(&json!(12.0)), Some(12));
        assert_eq!(whole_number(&json!(0)), Some(0));
        assert_eq!(whole_number(&json!(2.7)), None);
        assert_eq!(whole_number(&json!(-1)), None);
        assert_eq!(whole_number(&json!(-3.0)), None);
        assert_eq!(whole_number(&json!(1e20)), None);
        assert_eq!(whole_number(&json!("12")), None);
        assert_eq!(whole_number(&json!(null)), None);
    }

    #[test]
    fn taking_fields_leaves_the_rest() {
        let mut v = json!({"a": [1, 2], "b": "x", "c": 3});
        assert_eq!(take_list(&mut v, "a"), vec![json!(1), json!(2)]);
        assert_eq!(take_list(&mut v, "c"), Vec::<Value>::new());
        assert_eq!(take_list(&mut v, "z"), Vec::<Value>::new());
        assert_eq!(take_str(&mut v, "b").as_deref(), Some("x"));
        assert_eq!(take_str(&mut v, "c"), None);
        assert_eq!(v, json!({"a": [], "b": "", "c": 3}));
        assert_eq!(list(&json!({"a": [1]}), "a"), [json!(1)]);
        assert!(list(&json!({"a": 1}), "a").is_empty());
        let object = json!({"k": "v"});
        assert_eq!(object_str(object.as_object().unwrap(), "k"), Some("v"));
    }
}
