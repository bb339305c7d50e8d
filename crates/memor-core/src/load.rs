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
pub(crate) fn structure(message: &'static str, e: JsonError) -> Error {
    Error::validation(message).context(e.to_string())
}

/// Reads a date member, parsing the string where it lies in the input.
pub(crate) fn read_date(r: &mut Reader<'_>) -> crate::json::read::Result<Result<Date, String>> {
    if r.peek() == Kind::Str {
        let text = r.string()?;
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
    what: &str,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
) -> crate::json::read::Result<T> {
    let at = reader.offset();
    read(reader).map_err(|e| JsonError {
        message: format!("{what}: {e}").into(),
        offset: at,
    })
}
