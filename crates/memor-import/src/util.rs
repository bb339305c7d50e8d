//! Rules every format shares: dates, titles, joining.

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use serde_json::Value;

use crate::model::Timestamp;

/// A source time (rule 6): epoch seconds (milliseconds above 1e12) or an ISO 8601 string with an
/// optional fraction and `Z`/`±HH:MM` offset (UTC without one); truncated to the second.
/// Anything else is `None`: a time is never made up.
pub fn parse_time(value: Option<&Value>) -> Option<Timestamp> {
    match value? {
        Value::Number(n) => {
            let mut secs = n.as_f64()?;
            if !secs.is_finite() {
                return None;
            }
            if secs.abs() > 1e12 {
                secs /= 1000.0;
            }
            let whole = secs.floor();
            if whole < i64::MIN as f64 || whole > i64::MAX as f64 {
                return None;
            }
            DateTime::from_timestamp(whole as i64, 0)
        }
        Value::String(s) => parse_iso(s),
        _ => None,
    }
}

/// An ISO 8601 date-time string as a UTC time truncated to the second.
pub fn parse_iso(text: &str) -> Option<Timestamp> {
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

/// The title (rule 7): the source title, or `Conversation <id>` / `Conversation` when it is
/// missing, empty or only whitespace.
pub fn title(source: Option<&str>, id: Option<&str>) -> String {
    match source {
        Some(t) if !t.trim().is_empty() => t.to_string(),
        _ => match id {
            Some(id) => format!("Conversation {id}"),
            None => "Conversation".to_string(),
        },
    }
}

/// Joins the non-empty texts with `sep`.
pub fn join_non_empty<'a>(texts: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    let mut out = String::new();
    for t in texts {
        if t.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(t);
    }
    out
}

/// A string field of a JSON object.
pub fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
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
    fn times_follow_rule_six() {
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
    fn titles_fall_back_to_the_id() {
        assert_eq!(title(Some("Hi"), Some("x")), "Hi");
        assert_eq!(title(Some("  \n"), Some("x")), "Conversation x");
        assert_eq!(title(None, None), "Conversation");
    }

    #[test]
    fn joining_drops_empty_texts() {
        assert_eq!(join_non_empty(["a", "", "b"], "\n\n"), "a\n\nb");
        assert_eq!(join_non_empty([""], "\n"), "");
    }
}
