//! The one error type of memor-core.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure an [`Error`] is. memor's Python exception classes map onto it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input: a file, a JSON text or a value memor refuses (`MemorValidationError`).
    Validation,
    /// A prompt or template that cannot be rendered (`MemorRenderError`).
    Render,
    /// An index out of range (`IndexError`).
    Index,
    /// Reading or writing a file failed.
    Io,
}

impl ErrorKind {
    /// The Python exception class memor raises for this kind.
    pub fn python_name(self) -> &'static str {
        match self {
            ErrorKind::Validation => "MemorValidationError",
            ErrorKind::Render => "MemorRenderError",
            ErrorKind::Index => "IndexError",
            ErrorKind::Io => "OSError",
        }
    }
}

/// An error with memor's message and, where known, the field, the byte offset or the file at
/// fault.
///
/// [`Error::message`] is memor 1.4's own message for the failure (for example
/// ``Invalid value. `score` must be a value between 0 and 1.``); `Display` adds where it
/// happened.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    message: Cow<'static, str>,
    context: Option<String>,
    path: Option<PathBuf>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            context: None,
            path: None,
            source: None,
        }))
    }

    pub(crate) fn validation(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Validation, message)
    }

    pub(crate) fn render(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Render, message)
    }

    /// Adds where the error happened (`messages[2].date_created: ...`).
    #[must_use]
    pub(crate) fn context(mut self, context: impl Into<String>) -> Self {
        self.0.context = Some(context.into());
        self
    }

    #[must_use]
    pub(crate) fn with_path(mut self, path: &Path) -> Self {
        self.0.path = Some(path.to_owned());
        self
    }

    #[must_use]
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, source.to_string())
            .with_path(path)
            .with_source(source)
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// memor's message for this failure.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where it happened: a field path and what was found there, or a byte offset.
    pub fn detail(&self) -> Option<&str> {
        self.0.context.as_deref()
    }

    /// The file involved, if any.
    pub fn path(&self) -> Option<&Path> {
        self.0.path.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.0.path {
            write!(f, "{}: ", path.display())?;
        }
        f.write_str(&self.0.message)?;
        if let Some(context) = &self.0.context {
            write!(f, " ({context})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("message", &self.0.message)
            .field("context", &self.0.context)
            .field("path", &self.0.path)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Results of memor-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// memor 1.4's messages.
pub(crate) mod msg {
    pub(crate) const INVALID_ID: &str = "Invalid message ID. It must be a valid UUIDv4.";
    pub(crate) const INVALID_WARNINGS: &str =
        "Invalid `warnings` structure. It must be a valid dictionary.";
    pub(crate) const INVALID_CUSTOM_MAP: &str = "Invalid custom map: it must be a dictionary with keys and values that can be converted to strings.";
    pub(crate) const INVALID_STATUS_LEN: &str =
        "Invalid message status length. It must be equal to the number of messages.";
    pub(crate) const INVALID_XML_TREE: &str = "Invalid XML tree structure.";
    pub(crate) const PROMPT_RENDER: &str = "Prompt template and properties are incompatible.";
    pub(crate) const TEMPLATE_RENDER: &str = "Template and context are incompatible.";
    pub(crate) const RESPONSE_STRUCTURE: &str =
        "Invalid response structure. It should be a JSON object with proper fields.";
    pub(crate) const PROMPT_STRUCTURE: &str =
        "Invalid prompt structure. It should be a JSON object with proper fields.";
    pub(crate) const SESSION_STRUCTURE: &str =
        "Invalid session structure. It should be a JSON object with proper fields.";
    pub(crate) const TEMPLATE_STRUCTURE: &str =
        "Invalid template structure. It should be a JSON object with proper fields.";

    pub(crate) fn string(name: &str) -> String {
        format!("Invalid value. `{name}` must be a string.")
    }
    pub(crate) fn int(name: &str) -> String {
        format!("Invalid value. `{name}` must be an integer.")
    }
    pub(crate) fn non_negative_int(name: &str) -> String {
        format!("Invalid value. `{name}` must be a non-negative integer.")
    }
    pub(crate) fn non_negative_float(name: &str) -> String {
        format!("Invalid value. `{name}` must be a non-negative number.")
    }
    pub(crate) fn probability(name: &str) -> String {
        format!("Invalid value. `{name}` must be a value between 0 and 1.")
    }
    pub(crate) fn list_of(name: &str, type_name: &str) -> String {
        format!("Invalid value. `{name}` must be a list of {type_name}.")
    }
}
