//! Why an import failed for a whole file.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong with a whole file, as a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The top level is not an array where the format needs one.
    NotAList,
    /// ChatGPT's `shared_conversations.json` (metadata only) instead of `conversations.json`.
    SharedConversations,
    /// Takeout's HTML activity file instead of the JSON one.
    HtmlExport,
    /// Malformed, truncated, or with trailing data.
    InvalidJson,
    /// Bytes that are not UTF-8.
    InvalidEncoding,
    /// Not an AI Studio saved chat.
    NotAiStudio,
    /// Not a Gemini CLI session file.
    NotGeminiCli,
    /// No export file of the expected name in a folder or archive.
    NotFound,
    /// The file could not be read (or the archive could not be opened).
    Io,
}

impl ErrorKind {
    /// The code as the import conformance expectations spell it (`not_a_list`...).
    pub fn code(self) -> &'static str {
        self.into()
    }
}

/// An import that failed for a whole file: the file, what was expected, and where.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    file: PathBuf,
    offset: Option<u64>,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, file: &Path, message: impl Into<String>) -> Self {
        Error {
            kind,
            file: file.to_path_buf(),
            offset: None,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn at(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Moves the offset `by` bytes further (for text read after a prefix).
    pub(crate) fn shifted(mut self, by: u64) -> Self {
        self.offset = self.offset.map(|o| o + by);
        self
    }

    pub(crate) fn io(file: &Path, error: std::io::Error) -> Self {
        let mut e = Error::new(ErrorKind::Io, file, error.to_string());
        e.source = Some(Box::new(error));
        e
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The file at fault.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The byte offset in the file, when the problem is at one place.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }

    /// What was expected or found, without the file and offset.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(offset) = self.offset {
            write!(f, " at byte {offset}")?;
        }
        write!(f, ": {} ({})", self.message, self.kind.code())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
