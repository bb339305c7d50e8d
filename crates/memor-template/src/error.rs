//! The one error type of this crate.

use std::fmt;

/// The kind of an [`Error`]: the Python exception class `str.format` would raise, or a limit
/// of this crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `KeyError`: a name or dict key that is not there.
    Key,
    /// `IndexError`: a list or string index out of range, or a positional field.
    Index,
    /// `AttributeError`: `.name` on a value that has no such attribute.
    Attribute,
    /// `TypeError`: an operation the value's type does not support.
    Type,
    /// `ValueError`: a malformed template or format specification.
    Value,
    /// `OverflowError`: a number too large for the requested conversion.
    Overflow,
    /// `RecursionError`: a value nested deeper than [`crate::py::MAX_DEPTH`].
    Recursion,
    /// A width or precision above [`crate::MAX_WIDTH`]: refused before allocating (Python
    /// would try, and might raise `MemoryError`).
    Limit,
}

impl ErrorKind {
    /// The name of the Python exception class this kind stands for.
    ///
    /// ```
    /// use memor_template::ErrorKind;
    /// assert_eq!(ErrorKind::Key.python_name(), "KeyError");
    /// ```
    pub fn python_name(self) -> &'static str {
        match self {
            ErrorKind::Key => "KeyError",
            ErrorKind::Index => "IndexError",
            ErrorKind::Attribute => "AttributeError",
            ErrorKind::Type => "TypeError",
            ErrorKind::Value => "ValueError",
            ErrorKind::Overflow => "OverflowError",
            ErrorKind::Recursion => "RecursionError",
            ErrorKind::Limit => "MemoryError",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.python_name())
    }
}

/// A template that could not be parsed or rendered.
///
/// It carries the [`ErrorKind`], the message CPython gives for the same failure (what
/// `str(exception)` prints) and the byte offset in the template where the failing field or
/// character starts.
///
/// ```
/// use memor_template::{format, ErrorKind};
/// let ctx = serde_json::json!({"x": 1});
/// let err = format("Hi {name}!", &ctx).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Key);
/// assert_eq!(err.message(), "'name'");
/// assert_eq!(err.offset(), 3);
/// assert_eq!(err.to_string(), "KeyError: 'name' (at byte 3)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Repr>);

#[derive(Clone, PartialEq, Eq)]
struct Repr {
    kind: ErrorKind,
    message: String,
    offset: usize,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, offset: usize, message: impl Into<String>) -> Self {
        Error(Box::new(Repr {
            kind,
            message: message.into(),
            offset,
        }))
    }

    /// What went wrong, as a Python exception class.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message CPython 3.11 gives for the same failure.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The byte offset in the template of the field or character at fault.
    pub fn offset(&self) -> usize {
        self.0.offset
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (at byte {})",
            self.0.kind, self.0.message, self.0.offset
        )
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("message", &self.0.message)
            .field("offset", &self.0.offset)
            .finish()
    }
}

impl std::error::Error for Error {}

/// An error before its offset is known: the kind and CPython's message.
#[derive(Debug)]
pub(crate) struct Fault {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
}

impl Fault {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Fault {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn value(message: impl Into<String>) -> Self {
        Fault::new(ErrorKind::Value, message)
    }

    pub(crate) fn at(self, offset: usize) -> Error {
        Error::new(self.kind, offset, self.message)
    }
}

/// Results inside the crate before the offset is attached.
pub(crate) type FaultResult<T> = Result<T, Fault>;
