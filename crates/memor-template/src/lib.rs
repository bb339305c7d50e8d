//! Python's `str.format`, exactly, over JSON-like values.
//!
//! `memor-template` parses a template once into a [`Template`] and renders it many times, with
//! the semantics of CPython 3.11's `template.format(**context)` where the context came from
//! `json.loads`: literal text and `{{ }}`, field names with `[key]`, `[0]` and `.attr`,
//! conversions `!s !r !a`, nested fields in format specs, and the whole format-spec
//! mini-language for `str`, `int` (of any size), `float`, `bool`, `None`, `list` and `dict`.
//! Errors are those CPython raises, in the order it raises them, with its messages.
//!
//! # Template usage
//!
//! ```
//! use memor_template::Template;
//! use serde_json::json;
//!
//! let template = Template::parse("{greeting}, {user[name]!r}! You have {count:,} new {what}.")?;
//! let context = json!({"greeting": "Hello", "user": {"name": "Ada"}, "count": 12345, "what": "messages"});
//! assert_eq!(template.render(&context)?, "Hello, 'Ada'! You have 12,345 new messages.");
//! # Ok::<(), memor_template::Error>(())
//! ```
//!
//! The context is anything implementing [`Context`]: a `serde_json` object, a map of
//! [`AsValue`] values, `(name, Value)` pairs, or a type of yours that exposes its data through
//! the [`Dict`] and [`List`] traits without building JSON.
//!
//! # Error handling
//!
//! [`Template::parse`] refuses syntax errors up front. [`Template::parse_lenient`] and
//! [`format()`] keep them and raise them at render time, where CPython would: in
//! `"{missing}}"` the lookup of `missing` fails before the stray `}` is read, so the error is
//! a `KeyError`. Every [`Error`] has an [`ErrorKind`] (the Python exception class), CPython's
//! message and the byte offset of the field at fault.
//!
//! ```
//! use memor_template::{format, ErrorKind};
//! let err = format("{missing}}", &serde_json::json!({})).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Key);
//! ```
//!
//! # Limits
//!
//! Widths and float precisions above [`MAX_WIDTH`] are refused with [`ErrorKind::Limit`]
//! before anything is allocated; values nested deeper than [`py::MAX_DEPTH`] cannot be
//! printed ([`ErrorKind::Recursion`]); integers are limited to [`py::MAX_INT_DIGITS`] decimal
//! digits, as in Python 3.11. Nothing panics on any template or value.
//!
//! # Optional features
//!
//! - `serde_json` (default): [`Context`] and [`Value`] conversions for `serde_json` values.
//! - `arbitrary_precision`: turns on serde_json's `arbitrary_precision`, so integers beyond 64
//!   bits in JSON reach templates exactly.

mod error;
mod format;
pub mod py;
mod spec;
mod template;
mod unicode;
pub mod value;

pub use error::{Error, ErrorKind};
pub use template::Template;
pub use value::{AsValue, Context, Dict, DictRef, List, ListRef, Value};

/// The largest width or float precision a format spec may ask for (1,048,576 characters).
pub const MAX_WIDTH: usize = 1 << 20;

/// How many boxed views ([`DictRef::boxed`], [`ListRef::boxed`]) one field may step through.
pub const MAX_BOXED_CHAIN: usize = 64;

/// Formats `template` with `context` in one go: CPython's `template.format(**context)`.
///
/// Parse once with [`Template::parse`] when rendering the same template many times.
///
/// ```
/// let ctx = serde_json::json!({"x": 0.1, "n": 255});
/// assert_eq!(memor_template::format("{x!r} {n:#x} {n:_b}", &ctx)?, "0.1 0xff 1111_1111");
/// # Ok::<(), memor_template::Error>(())
/// ```
///
/// # Errors
/// What CPython would raise, as an [`Error`] of the same kind with its message.
pub fn format<C: Context + ?Sized>(template: &str, context: &C) -> Result<String, Error> {
    Template::parse_lenient(template).render(context)
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
