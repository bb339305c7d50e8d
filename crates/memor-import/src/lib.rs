//! Import chat-product exports into memor: ChatGPT, Claude.ai, Gemini (Google Takeout), Google
//! AI Studio and Gemini CLI.
//!
//! An import walks the active branch of each conversation, turns regenerated answers into
//! candidate responses, never invents a reply, keeps source ids and dates, and keeps what it does
//! not understand (with a report entry) instead of dropping it. Top-level arrays (ChatGPT,
//! Claude.ai) are read one conversation at a time, so memory does not grow with the file.
//!
//! ```no_run
//! use memor_import::{Options, Source, import};
//!
//! let mut conversations = import("conversations.json".as_ref(), Source::ChatGpt, &Options::default())?;
//! for conversation in &mut conversations {
//!     let conversation = conversation?;
//!     if let Some((session, lost)) = conversation.to_session() {
//!         println!("{}: {} messages, {} facts not kept", session.title().unwrap_or(""),
//!                  session.messages().len(), lost.len());
//!     }
//! }
//! eprintln!("{}", conversations.report());
//! # Ok::<(), memor_import::Error>(())
//! ```

mod ai_studio;
mod chatgpt;
mod claude;
mod error;
mod gemini_cli;
mod html;
mod input;
mod model;
mod report;
mod session;
mod stream;
mod takeout;
mod util;

use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use error::{Error, ErrorKind};
pub use model::{
    AlternativeDetail, Attachment, AttachmentKind, Conversation, FinishReason, Message, Note,
    NoteReason, Raw, Role, SkipReason, Skipped, Timestamp, ToolCall,
};
pub use report::ImportReport;
pub use session::{Lost, LostKind};
/// `Source::iter()`: every source, in the order of the documentation.
pub use strum::IntoEnumIterator;

/// The product an export comes from.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::Display,
    strum::EnumString,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Source {
    /// ChatGPT's "Export data": `conversations.json` (or its numbered shards).
    #[strum(serialize = "chatgpt")]
    ChatGpt,
    /// Claude.ai's "Export data": `conversations.json`.
    Claude,
    /// Google Takeout, My Activity > Gemini Apps: `MyActivity.json`.
    GeminiTakeout,
    /// Google AI Studio saved chats, one JSON object per file.
    AiStudio,
    /// Gemini CLI session files (`session-*.json` and `.jsonl`).
    GeminiCli,
}

/// Settings of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The largest conversation (in bytes of the source) that is imported; a larger one is
    /// skipped as `too_large` and the import goes on. 64 MiB by default.
    pub max_conversation_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_conversation_bytes: 64 << 20,
        }
    }
}

impl Options {
    /// Sets the size cap of one conversation.
    #[must_use]
    pub fn max_conversation_bytes(mut self, bytes: usize) -> Self {
        self.max_conversation_bytes = bytes;
        self
    }
}

/// Opens an export (a file, a folder or a `.zip`) and returns its conversations as an iterator.
///
/// Conversations come one at a time in source order (for Takeout, in group order), including
/// those skipped as a whole (see [`Conversation::is_skipped`]). After an error the iterator
/// ends: a file malformed halfway may already have produced conversations.
///
/// # Errors
/// When the path cannot be read or holds no file of the export.
pub fn import(path: &Path, source: Source, options: &Options) -> Result<Import, Error> {
    let (files, expanded) = input::resolve(path, source)?;
    // In a folder or archive of one-chat files, a file that is not a chat is passed over (and
    // reported) rather than ending the import.
    let lenient = expanded && matches!(source, Source::AiStudio | Source::GeminiCli);
    Ok(Import {
        source,
        options: options.clone(),
        files: files.into(),
        current: None,
        failed: false,
        lenient,
        report: ImportReport::default(),
    })
}

/// Imports one file given as bytes (its name matters for AI Studio titles and Gemini CLI
/// `.jsonl` logs), collecting every conversation.
///
/// # Errors
/// As [`import`], for the whole file.
pub fn import_bytes(
    bytes: &[u8],
    name: &str,
    source: Source,
    options: &Options,
) -> Result<Vec<Conversation>, Error> {
    let file = PathBuf::from(name);
    let mut iter = open_reader(
        Box::new(std::io::Cursor::new(bytes.to_vec())),
        &file,
        name,
        source,
        options,
    )?;
    let mut out = Vec::new();
    while let Some(c) = iter.next_conversation() {
        out.push(c?);
    }
    Ok(out)
}

/// The conversations of an export, one at a time. See [`import`].
pub struct Import {
    source: Source,
    options: Options,
    files: VecDeque<input::InputFile>,
    current: Option<FileImport>,
    failed: bool,
    lenient: bool,
    report: ImportReport,
}

impl Import {
    /// What was read and skipped so far (all of it once the iterator has ended).
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    fn advance(&mut self) -> Option<Result<Conversation, Error>> {
        loop {
            if let Some(current) = &mut self.current {
                match current.next_conversation() {
                    Some(Err(e)) => {
                        self.current = None;
                        if let Some(e) = self.pass_over(e) {
                            return Some(Err(e));
                        }
                    }
                    Some(item) => return Some(item),
                    None => self.current = None,
                }
                continue;
            }
            let file = self.files.pop_front()?;
            self.report.files.push(file.shown.clone());
            let opened = file.open().and_then(|reader| {
                open_reader(reader, &file.shown, &file.name, self.source, &self.options)
            });
            match opened {
                Ok(f) => self.current = Some(f),
                Err(e) => {
                    if let Some(e) = self.pass_over(e) {
                        return Some(Err(e));
                    }
                }
            }
        }
    }

    /// Reports and drops `e` when it only says that one file of a folder is not a chat of the
    /// source; any other error is returned.
    fn pass_over(&mut self, e: Error) -> Option<Error> {
        let not_a_chat = matches!(
            e.kind(),
            ErrorKind::NotAiStudio
                | ErrorKind::NotGeminiCli
                | ErrorKind::InvalidJson
                | ErrorKind::InvalidEncoding
        );
        if !(self.lenient && not_a_chat) {
            return Some(e);
        }
        self.report
            .files_skipped
            .push((e.file().to_path_buf(), e.to_string()));
        None
    }
}

impl Iterator for Import {
    type Item = Result<Conversation, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let item = self.advance()?;
        match &item {
            Ok(c) => self.report.add(c),
            Err(_) => self.failed = true,
        }
        Some(item)
    }
}

/// A format whose file is a top-level JSON array.
trait ArrayFormat {
    /// What the array holds, for error messages ("conversations", "activity records").
    const WHAT: &'static str;

    /// Refuses a wrong file from its first element (e.g. ChatGPT's shared conversations).
    fn check_first(&mut self, _first: &serde_json::Value, _file: &Path) -> Result<(), Error> {
        Ok(())
    }

    /// The error for a file that is not an array, when the format knows it from its first bytes
    /// (`head`, after whitespace and a byte-order mark). Otherwise the file is read through to
    /// tell a single JSON value (`not_a_list`) from malformed JSON.
    fn recognize_non_array(&self, _head: &[u8], _file: &Path) -> Option<Error> {
        None
    }

    /// One element of the array, as a conversation (or `None` when the format groups elements
    /// and emits them at the end).
    fn element(&mut self, value: serde_json::Value, index: usize) -> Option<Conversation>;

    /// Conversations emitted after the last element.
    fn finish(&mut self) -> Vec<Conversation> {
        Vec::new()
    }
}

/// A format whose file holds one conversation.
trait FileFormat {
    /// Imports the file's text (UTF-8, byte-order mark removed). `name` is the file name.
    fn conversation(text: &str, name: &str, file: &Path) -> Result<Conversation, Error>;
}

/// The conversations of one file.
enum FileImport {
    ChatGpt(ArrayImport<chatgpt::ChatGpt>),
    Claude(ArrayImport<claude::Claude>),
    Takeout(ArrayImport<takeout::Takeout>),
    Done(VecDeque<Result<Conversation, Error>>),
}

impl FileImport {
    fn next_conversation(&mut self) -> Option<Result<Conversation, Error>> {
        match self {
            FileImport::ChatGpt(a) => a.next_conversation(),
            FileImport::Claude(a) => a.next_conversation(),
            FileImport::Takeout(a) => a.next_conversation(),
            FileImport::Done(q) => q.pop_front(),
        }
    }
}

fn open_reader(
    reader: Box<dyn Read>,
    file: &Path,
    name: &str,
    source: Source,
    options: &Options,
) -> Result<FileImport, Error> {
    let cap = options.max_conversation_bytes;
    Ok(match source {
        Source::ChatGpt => FileImport::ChatGpt(ArrayImport::open(
            reader,
            file,
            cap,
            chatgpt::ChatGpt::default(),
        )?),
        Source::Claude => FileImport::Claude(ArrayImport::open(
            reader,
            file,
            cap,
            claude::Claude::default(),
        )?),
        Source::GeminiTakeout => {
            if name.to_ascii_lowercase().ends_with(".html") {
                return Err(takeout::html_export(file));
            }
            FileImport::Takeout(ArrayImport::open(
                reader,
                file,
                cap,
                takeout::Takeout::default(),
            )?)
        }
        Source::AiStudio => {
            FileImport::Done(whole_file::<ai_studio::AiStudio>(reader, file, name, cap))
        }
        Source::GeminiCli => {
            FileImport::Done(whole_file::<gemini_cli::GeminiCli>(reader, file, name, cap))
        }
    })
}

/// Reads a one-conversation file (up to the cap) and imports it.
fn whole_file<F: FileFormat>(
    reader: Box<dyn Read>,
    file: &Path,
    name: &str,
    cap: usize,
) -> VecDeque<Result<Conversation, Error>> {
    let mut bytes = Vec::new();
    let limit = (cap as u64).saturating_add(1);
    if let Err(e) = reader.take(limit).read_to_end(&mut bytes) {
        return VecDeque::from([Err(Error::io(file, e))]);
    }
    if bytes.len() > cap {
        return VecDeque::from([Ok(too_large(None))]);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let bom = (bytes.len() - body.len()) as u64;
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            return VecDeque::from([Err(Error::new(
                ErrorKind::InvalidEncoding,
                file,
                "bytes that are not UTF-8",
            )
            .at(bom + e.valid_up_to() as u64))]);
        }
    };
    // Offsets in errors count from the start of the file, byte-order mark included.
    VecDeque::from([F::conversation(text, name, file).map_err(|e| e.shifted(bom))])
}

/// The record of a conversation skipped whole for its size.
fn too_large(title: Option<String>) -> Conversation {
    Conversation {
        title,
        skipped: vec![Skipped::new(None, SkipReason::TooLarge)],
        ..Conversation::default()
    }
}

/// Drives an [`ArrayFormat`] over an [`stream::ArrayStream`].
struct ArrayImport<F> {
    stream: stream::ArrayStream<Box<dyn Read>>,
    format: F,
    first: bool,
    pending: VecDeque<Conversation>,
    finished: bool,
}

impl<F: ArrayFormat> ArrayImport<F> {
    fn open(reader: Box<dyn Read>, file: &Path, cap: usize, format: F) -> Result<Self, Error> {
        match stream::ArrayStream::open(reader, file, cap)? {
            Ok(stream) => Ok(ArrayImport {
                stream,
                format,
                first: true,
                pending: VecDeque::new(),
                finished: false,
            }),
            Err(found) => Err(format
                .recognize_non_array(found.head(), file)
                .unwrap_or_else(|| found.classify(file, F::WHAT))),
        }
    }

    fn next_conversation(&mut self) -> Option<Result<Conversation, Error>> {
        loop {
            if let Some(c) = self.pending.pop_front() {
                return Some(Ok(c));
            }
            if self.finished {
                return None;
            }
            let file = self.stream.file().to_path_buf();
            match self.stream.next_item() {
                None => {
                    self.finished = true;
                    self.pending.extend(self.format.finish());
                }
                Some(Err(e)) => {
                    self.finished = true;
                    return Some(Err(e));
                }
                Some(Ok(stream::Item::TooLarge)) => {
                    self.first = false;
                    return Some(Ok(too_large(None)));
                }
                Some(Ok(stream::Item::Element {
                    text,
                    offset,
                    index,
                })) => {
                    let value = match stream::parse_element(text, offset, &file) {
                        Ok(v) => v,
                        Err(e) => {
                            self.finished = true;
                            return Some(Err(e));
                        }
                    };
                    if std::mem::take(&mut self.first)
                        && let Err(e) = self.format.check_first(&value, &file)
                    {
                        self.finished = true;
                        return Some(Err(e));
                    }
                    if let Some(c) = self.format.element(value, index) {
                        return Some(Ok(c));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn offsets_count_the_byte_order_mark() {
        let e = import_bytes(
            b"\xEF\xBB\xBF{\"chunkedPrompt\": ",
            "chat.json",
            Source::AiStudio,
            &Options::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson);
        // serde_json places an early end at the last byte read: 17 past the mark.
        assert_eq!(e.offset(), Some(20));
        let e = import_bytes(
            b"\xEF\xBB\xBF[{}, \xFF]",
            "c.json",
            Source::ChatGpt,
            &Options::default(),
        )
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::InvalidEncoding, Some(8))
        );
    }

    #[test]
    fn a_conversation_over_the_cap_is_skipped_and_the_import_goes_on() {
        let big = format!(
            "[{{\"title\": \"{}\", \"mapping\": {{}}}}, 5]",
            "x".repeat(300)
        );
        let got = import_bytes(
            big.as_bytes(),
            "c.json",
            Source::ChatGpt,
            &Options::default().max_conversation_bytes(100),
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert!(got[0].is_skipped());
        assert_eq!(got[0].skipped[0].reason, SkipReason::TooLarge);
        assert_eq!(got[1].skipped[0].reason, SkipReason::NotAnObject);
    }
}
