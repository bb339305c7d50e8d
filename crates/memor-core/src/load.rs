//! Shared pieces of memor's loaders.

use crate::date::Date;
use crate::error::Error;
use crate::json::read::{Kind, Reader};
use crate::json::{JsonError, PyValue};

/// A member read from a JSON object, `None` when absent.
pub(crate) type Slot = Option<PyValue>;

/// A date member as read: parsed, or what was wrong with it; `None` when absent.
pub(crate) type DateSlot = Option<Result<Date, String>>;

/// A JSON syntax error inside an object of the given kind: memor's structure message, with the
/// offset.
pub(crate) fn structure(message: &'static str, e: &JsonError) -> Error {
    Error::validation(message).context(e.to_string())
}

/// Reads a date member, parsing the string where it lies in the input.
pub(crate) fn read_date(r: &mut Reader<'_>) -> crate::json::read::Result<Result<Date, String>> {
    if r.peek() == Kind::Str {
        let text = r.string()?;
        if let Some(date) = parse_canonical(&text) {
            return Ok(Ok(date));
        }
        return Ok(Date::parse(&text).map_err(|e| e.to_string()));
    }
    let v = r.value()?;
    Ok(Err(format!("a {}, not a date string", v.type_name())))
}

/// A required date member, as memor parses it.
pub(crate) fn date_slot(
    slot: DateSlot,
    name: &str,
    structure_message: &'static str,
) -> Result<Date, Error> {
    match slot {
        None => Err(Error::validation(structure_message).context(format!("missing key {name}"))),
        Some(Ok(date)) => Ok(date),
        Some(Err(what)) => {
            Err(Error::validation(structure_message).context(format!("{name}: {what}")))
        }
    }
}

/// Runs a nested reader; its error aborts the enclosing parse, as any error inside a nested
/// object makes memor refuse the whole structure.
pub(crate) fn nested<'a, T>(
    reader: &mut Reader<'a>,
    what: impl FnOnce() -> String,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
) -> crate::json::read::Result<T> {
    let at = reader.offset();
    read(reader).map_err(|e| JsonError {
        message: format!("{}: {e}", what()).into(),
        offset: at,
    })
}

/// The form memor writes, `YYYY-MM-DD HH:MM:SS +HHMM` in ASCII, read directly; anything else
/// (or any value out of range) is left to [`Date::parse`], which gives Python's answer and error.
fn parse_canonical(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 25 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b' '),
        (13, b':'),
        (16, b':'),
        (19, b' '),
    ];
    if separators.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
        return None;
    }
    let sign: i32 = match b.get(20) {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let (off_h, off_m) = (num(21..23)?, num(23..25)?);
    if off_h >= 24 || off_m >= 60 {
        return None;
    }
    let offset =
        crate::date::UtcOffset::from_seconds(sign * (off_h * 3600 + off_m * 60) as i32).ok()?;
    let year = i32::try_from(num(0..4)?).ok()?;
    Date::new(
        year,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
        offset,
    )
    .ok()
}

/// Templates already read while loading one file, by their exact JSON text: a session's prompts
/// usually share one template, which is then read, stored and compiled once. The last one used
/// is compared first, without hashing its text.
#[derive(Default)]
pub(crate) struct TemplateCache<'a> {
    last: Option<(&'a str, crate::PromptTemplate)>,
    all: std::collections::HashMap<&'a str, crate::PromptTemplate>,
}

impl<'a> TemplateCache<'a> {
    /// The template read from `text` before, if any.
    pub(crate) fn get(&mut self, text: &'a str) -> Option<crate::PromptTemplate> {
        if let Some((last, template)) = &self.last
            && *last == text
        {
            return Some(template.clone());
        }
        let template = self.all.get(text)?.clone();
        self.last = Some((text, template.clone()));
        Some(template)
    }

    /// Remembers the template read from `text`.
    pub(crate) fn insert(&mut self, text: &'a str, template: crate::PromptTemplate) {
        self.all.insert(text, template.clone());
        self.last = Some((text, template));
    }
}
