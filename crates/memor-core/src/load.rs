//! Shared pieces of memor's loaders.

use crate::date::Date;
use crate::error::Error;
use crate::json::{JsonError, PyValue};

/// A member read from a JSON object, `None` when absent.
pub(crate) type Slot = Option<PyValue>;

/// A JSON syntax error inside an object of the given kind: memor's structure message, with the
/// offset.
pub(crate) fn structure(message: &'static str, e: JsonError) -> Error {
    Error::validation(message).context(e.to_string())
}

/// A required date member, parsed as memor parses it.
pub(crate) fn date_slot(
    slot: Slot,
    name: &str,
    structure_message: &'static str,
) -> Result<Date, Error> {
    match slot {
        None => Err(Error::validation(structure_message).context(format!("missing key {name}"))),
        Some(PyValue::Str(text)) => Date::parse(&text)
            .map_err(|e| Error::validation(structure_message).context(format!("{name}: {e}"))),
        Some(other) => Err(Error::validation(structure_message).context(format!(
            "{name} is a {}, not a date string",
            other.type_name()
        ))),
    }
}

/// Runs a nested reader; its error aborts the enclosing parse, as any error inside a nested
/// object makes memor refuse the whole structure.
pub(crate) fn nested<'a, T>(
    reader: &mut crate::json::read::Reader<'a>,
    what: &str,
    read: impl FnOnce(&mut crate::json::read::Reader<'a>) -> Result<T, Error>,
) -> crate::json::read::Result<T> {
    let at = reader.offset();
    read(reader).map_err(|e| JsonError {
        message: format!("{what}: {e}").into(),
        offset: at,
    })
}
