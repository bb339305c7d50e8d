//! Sessions as tables: the columns of memor's `Session.to_dataframe()`, written as an Arrow IPC
//! file or a Parquet file, and read back.
//!
//! One row per message, with the columns `metadata`, `status`, `type`, `message`, `role`, `id`,
//! `date_created` and `date_modified`. `status` is the message's enabled flag; the six columns
//! after it are the strings of the message's JSON. `metadata` holds every other member of the
//! message's JSON (for a prompt: its responses and template too), in order, as the text of a
//! Python `dict` literal: memor's `from_dataframe` reads a string `metadata` with
//! `ast.literal_eval`, so `Session().from_dataframe(pandas.read_parquet(path))` loads the table.
//!
//! The literal is Python's `repr`, except for infinite floats, written `1e309` and `-1e309`
//! (which `ast.literal_eval` reads as infinities, where it refuses `inf`). A `NaN` is written
//! `nan`: this reader takes it, `ast.literal_eval` does not. Reading, `metadata` may also be a
//! JSON object.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BooleanArray, LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use memor_core::json::{Number, PyDict, PyList, PyValue};
use memor_core::{Message, Prompt, Response, Session};

use crate::output::{Failure, Result};

/// The columns memor's `to_dataframe` takes out of a message's JSON (memor's
/// `DATAFRAME_MAIN_COLUMNS`), in their order.
const MAIN_COLUMNS: [&str; 6] = [
    "type",
    "message",
    "role",
    "id",
    "date_created",
    "date_modified",
];

/// The column of the other members of a message's JSON.
const METADATA: &str = "metadata";

/// The column of the messages' enabled flags.
const STATUS: &str = "status";

/// How deep the lists and dicts of a `metadata` literal may nest (as memor's JSON reader).
const MAX_DEPTH: usize = 256;

/// The file format of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TableFormat {
    /// An Arrow IPC file (Feather v2).
    Arrow,
    /// A Parquet file, snappy-compressed.
    Parquet,
}

impl FromStr for TableFormat {
    type Err = String;

    /// `arrow` (or `ipc`, `feather`) or `parquet`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "arrow" | "ipc" | "feather" => Ok(TableFormat::Arrow),
            "parquet" => Ok(TableFormat::Parquet),
            _ => Err(format!(
                "unknown table format {s:?}: expected arrow or parquet"
            )),
        }
    }
}

/// Writes `session` to `out` as a table, one row per message (memor's `to_dataframe`).
///
/// The file is written whole to a temporary file and renamed over `out`.
pub(crate) fn export(session: &Session, format: TableFormat, out: &Path) -> Result<()> {
    let batch = to_batch(session)?;
    let mut bytes = Vec::new();
    let written = match format {
        TableFormat::Arrow => write_ipc(&mut bytes, &batch).map_err(|e| e.to_string()),
        TableFormat::Parquet => write_parquet(&mut bytes, &batch).map_err(|e| e.to_string()),
    };
    written.map_err(|e| Failure::input(format!("{}: {e}", out.display())))?;
    memor_core::write_atomic(out, &bytes)
        .map_err(|e| Failure::input(format!("{}: {e}", out.display())))
}

/// Reads a table written by [`export`] (or by pandas from memor's `to_dataframe`, with a string
/// `metadata`) into a session titled `title`, its messages enabled as `status` says.
///
/// The format (Arrow IPC file or stream, or Parquet) is found from the file's first bytes.
pub(crate) fn import(path: &Path, title: Option<String>) -> Result<Session> {
    let at = |e: &dyn std::fmt::Display| Failure::input(format!("{}: {e}", path.display()));
    let batches = guarded(|| read_batches(path)).map_err(|e| at(&e))?;
    let mut messages = Vec::new();
    let mut status = Vec::new();
    for batch in &batches {
        let rows = Rows::new(batch).map_err(|e| at(&e))?;
        for row in 0..batch.num_rows() {
            let index = messages.len();
            let (message, enabled) = rows
                .message(row)
                .map_err(|e| at(&format!("row {index}: {e}")))?;
            messages.push(message);
            status.push(enabled);
        }
    }
    let mut session = Session::with_messages(title, messages);
    session.update_messages_status(status).map_err(|e| at(&e))?;
    Ok(session)
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// A string column: `Utf8`, or `LargeUtf8` when its text is too long for 32-bit offsets.
fn string_column(values: Vec<Option<String>>) -> ArrayRef {
    let bytes: usize = values.iter().flatten().map(String::len).sum();
    if i32::try_from(bytes).is_ok() {
        Arc::new(StringArray::from(values))
    } else {
        Arc::new(LargeStringArray::from(values))
    }
}

/// The session's rows as one record batch.
fn to_batch(session: &Session) -> Result<RecordBatch> {
    let count = session.len();
    let mut metadata: Vec<Option<String>> = Vec::with_capacity(count);
    let mut main: Vec<Vec<Option<String>>> = MAIN_COLUMNS
        .iter()
        .map(|_| Vec::with_capacity(count))
        .collect();
    for (index, message) in session.messages().iter().enumerate() {
        let fail = |e: &dyn std::fmt::Display| Failure::input(format!("message {index}: {e}"));
        let text = match message {
            Message::Prompt(p) => p.to_json(true),
            Message::Response(r) => r.to_json(),
        }
        .map_err(|e| fail(&e))?;
        let PyValue::Dict(mut fields) = memor_core::json::parse(&text).map_err(|e| fail(&e))?
        else {
            return Err(fail(&"its JSON is not an object"));
        };
        for (name, column) in MAIN_COLUMNS.iter().zip(main.iter_mut()) {
            let value = match fields.shift_remove(*name) {
                None | Some(PyValue::Null) => None,
                Some(PyValue::Str(s)) => Some(s),
                Some(other) => {
                    return Err(fail(&format!(
                        "{name} is a {}, not a string",
                        other.type_name()
                    )));
                }
            };
            column.push(value);
        }
        let mut literal = String::new();
        write_literal(&mut literal, &PyValue::Dict(fields));
        metadata.push(Some(literal));
    }
    let status = session
        .messages_status()
        .iter()
        .map(|s| Some(*s))
        .collect::<BooleanArray>();
    let mut columns: Vec<(&str, ArrayRef)> = vec![
        (METADATA, string_column(metadata)),
        (STATUS, Arc::new(status)),
    ];
    columns.extend(
        MAIN_COLUMNS
            .into_iter()
            .zip(main.into_iter().map(string_column)),
    );
    // All nullable, as pandas writes them.
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|(_, array)| array).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(Failure::input)
}

/// Writes `batch` as an Arrow IPC file.
fn write_ipc(out: &mut Vec<u8>, batch: &RecordBatch) -> Result<(), ArrowError> {
    let mut writer = arrow_ipc::writer::FileWriter::try_new(out, &batch.schema())?;
    writer.write(batch)?;
    writer.finish()
}

/// Writes `batch` as a snappy-compressed Parquet file.
fn write_parquet(
    out: &mut Vec<u8>,
    batch: &RecordBatch,
) -> Result<(), parquet::errors::ParquetError> {
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let mut writer = parquet::arrow::ArrowWriter::try_new(out, batch.schema(), Some(properties))?;
    writer.write(batch)?;
    writer.close().map(|_| ())
}

/// Writes `value` as a Python literal: `repr`, but infinities as `1e309` and `-1e309`.
fn write_literal(out: &mut String, value: &PyValue) {
    match value {
        PyValue::Null => out.push_str("None"),
        PyValue::Bool(true) => out.push_str("True"),
        PyValue::Bool(false) => out.push_str("False"),
        PyValue::Number(Number::Float(f)) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { "1e309" } else { "-1e309" });
        }
        // A number's `Display` is Python's `str`, the same as its `repr`.
        PyValue::Number(n) => {
            let _ = write!(out, "{n}");
        }
        PyValue::Str(s) => memor_template::py::write_str_repr(out, s, false),
        PyValue::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal(out, item);
            }
            out.push(']');
        }
        PyValue::Dict(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                memor_template::py::write_str_repr(out, key, false);
                out.push_str(": ");
                write_literal(out, item);
            }
            out.push('}');
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// Reads every record batch of an Arrow IPC file or stream, or of a Parquet file.
fn read_batches(path: &Path) -> Result<Vec<RecordBatch>, String> {
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let mut magic = [0u8; 6];
    let mut filled = 0;
    while filled < magic.len() {
        let Some(rest) = magic.get_mut(filled..) else {
            break;
        };
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    let magic = magic.get(..filled).unwrap_or_default();
    if magic.starts_with(b"PAR1") {
        let bad = |e: parquet::errors::ParquetError| format!("not a readable Parquet file: {e}");
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(bad)?
            .build()
            .map_err(bad)?;
        reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("not a readable Parquet file: {e}"))
    } else if magic == b"ARROW1" {
        let reader = arrow_ipc::reader::FileReader::try_new(BufReader::new(file), None)
            .map_err(|e| format!("not a readable Arrow IPC file: {e}"))?;
        reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("not a readable Arrow IPC file: {e}"))
    } else if magic.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
        let reader = arrow_ipc::reader::StreamReader::try_new(BufReader::new(file), None)
            .map_err(|e| format!("not a readable Arrow IPC stream: {e}"))?;
        reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("not a readable Arrow IPC stream: {e}"))
    } else {
        Err("not an Arrow IPC or Parquet file".to_owned())
    }
}

/// Runs `read`, turning a panic of the Arrow or Parquet readers (some malformed files make them
/// panic) into an error, with the panic's message and without printing it.
fn guarded<T>(
    read: impl FnOnce() -> Result<T, String> + std::panic::UnwindSafe,
) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(read);
    std::panic::set_hook(hook);
    result.unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("the reader failed");
        Err(format!("malformed table: {why}"))
    })
}

/// A string column of any of Arrow's string layouts.
enum Strings<'a> {
    /// `Utf8`.
    Small(&'a StringArray),
    /// `LargeUtf8`.
    Large(&'a LargeStringArray),
    /// `Utf8View`.
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    /// The column `name` of `batch` as strings.
    fn column(batch: &'a RecordBatch, name: &str) -> Result<Option<Self>, String> {
        let Some(array) = batch.column_by_name(name) else {
            return Ok(None);
        };
        let strings = match array.data_type() {
            DataType::Utf8 => array.as_string_opt::<i32>().map(Strings::Small),
            DataType::LargeUtf8 => array.as_string_opt::<i64>().map(Strings::Large),
            DataType::Utf8View => array.as_string_view_opt().map(Strings::View),
            _ => None,
        };
        strings
            .map(Some)
            .ok_or_else(|| format!("column {name} holds {}, not strings", array.data_type()))
    }

    /// The string at `row`: `None` for a null or a row past the end.
    fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Strings::Small(a) => (row < a.len() && a.is_valid(row)).then(|| a.value(row)),
            Strings::Large(a) => (row < a.len() && a.is_valid(row)).then(|| a.value(row)),
            Strings::View(a) => (row < a.len() && a.is_valid(row)).then(|| a.value(row)),
        }
    }
}

/// The columns of one record batch.
struct Rows<'a> {
    /// `metadata`, when the table has it.
    metadata: Option<Strings<'a>>,
    /// `status`.
    status: &'a BooleanArray,
    /// The main columns, in [`MAIN_COLUMNS`]' order.
    main: Vec<Strings<'a>>,
}

impl<'a> Rows<'a> {
    /// Finds the columns in `batch`: `status` and the main columns are required, `metadata` is
    /// optional (an empty dict when absent, as in memor's `from_dataframe`).
    fn new(batch: &'a RecordBatch) -> Result<Self, String> {
        let metadata = Strings::column(batch, METADATA)?;
        let status = batch
            .column_by_name(STATUS)
            .ok_or_else(|| format!("no {STATUS} column"))?;
        let status = status
            .as_boolean_opt()
            .ok_or_else(|| format!("column {STATUS} holds {}, not booleans", status.data_type()))?;
        let main = MAIN_COLUMNS
            .iter()
            .map(|name| Strings::column(batch, name)?.ok_or_else(|| format!("no {name} column")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rows {
            metadata,
            status,
            main,
        })
    }

    /// The message of `row` and its enabled flag: the main columns, updated with the metadata
    /// (whose members win, as in memor's `from_dataframe`), loaded as memor loads a message.
    fn message(&self, row: usize) -> Result<(Message, bool), String> {
        let enabled = (row < self.status.len() && self.status.is_valid(row))
            .then(|| self.status.value(row))
            .ok_or_else(|| format!("{STATUS} is null"))?;
        let mut fields = PyDict::new();
        for (name, column) in MAIN_COLUMNS.iter().zip(&self.main) {
            let value = column.get(row).map_or(PyValue::Null, PyValue::from);
            fields.insert((*name).to_owned(), value);
        }
        if let Some(text) = self.metadata.as_ref().and_then(|m| m.get(row)) {
            let metadata = read_metadata(text).map_err(|e| format!("{METADATA}: {e}"))?;
            fields.extend(metadata.0);
        }
        let kind = fields
            .lookup("type")
            .and_then(PyValue::as_str)
            .map(str::to_owned);
        let json =
            memor_core::json::to_string(&PyValue::Dict(fields)).map_err(|e| e.to_string())?;
        match kind.as_deref() {
            Some("Prompt") => Prompt::from_json(&json).map(Message::Prompt),
            Some("Response") => Response::from_json(&json).map(Message::Response),
            Some(other) => return Err(format!("type is {other:?}, not Prompt or Response")),
            None => return Err("no type".to_owned()),
        }
        .map(|message| (message, enabled))
        .map_err(|e| e.to_string())
    }
}

/// Reads a `metadata` cell: a JSON object, or a Python `dict` literal.
fn read_metadata(text: &str) -> Result<PyDict, String> {
    let value = match memor_core::json::parse(text) {
        Ok(value) => value,
        Err(_) => {
            Literal::parse(text).map_err(|e| format!("neither JSON nor a Python literal: {e}"))?
        }
    };
    match value {
        PyValue::Dict(d) => Ok(d),
        other => Err(format!("a {}, not a dict", other.type_name())),
    }
}

/// A reader of Python literals as `ast.literal_eval` reads them, for the values JSON has:
/// `dict` (string keys), `list`, `tuple` (read as a list), `str`, `int`, `float`, `bool` and
/// `None`. Infinities and `NaN` are also read from `inf` and `nan`.
struct Literal<'a> {
    /// The text.
    text: &'a str,
    /// The byte offset of the next character.
    pos: usize,
}

impl<'a> Literal<'a> {
    /// Reads `text`, which must hold one literal and nothing else but whitespace.
    fn parse(text: &'a str) -> Result<PyValue, String> {
        let mut reader = Literal { text, pos: 0 };
        let value = reader.value(0)?;
        reader.skip_space();
        match reader.peek() {
            None => Ok(value),
            Some(c) => Err(reader.error(&format!("unexpected {c:?} after the value"))),
        }
    }

    /// The text not read yet.
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    /// The next character.
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Takes the next character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// An error at the current offset.
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.pos)
    }

    /// Skips whitespace and backslash line continuations.
    fn skip_space(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\n' | '\r' | '\x0c') => self.pos += 1,
                Some('\\') if self.rest().starts_with("\\\n") => self.pos += 2,
                Some('\\') if self.rest().starts_with("\\\r\n") => self.pos += 3,
                _ => return,
            }
        }
    }

    /// Reads one value, `depth` containers deep.
    fn value(&mut self, depth: usize) -> Result<PyValue, String> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.skip_space();
        match self.peek() {
            Some('{') => self.dict(depth),
            Some('[') => self
                .sequence(depth, ']')
                .map(|(items, _)| PyValue::List(PyList(items))),
            Some('(') => {
                let (mut items, comma) = self.sequence(depth, ')')?;
                // `(x)` is `x`; `(x,)` and `()` are tuples.
                match (items.pop(), items.is_empty(), comma) {
                    (Some(item), true, false) => Ok(item),
                    (Some(item), _, _) => {
                        items.push(item);
                        Ok(PyValue::List(PyList(items)))
                    }
                    (None, _, _) => Ok(PyValue::List(PyList(items))),
                }
            }
            Some('\'' | '"') => self.strings(false).map(PyValue::Str),
            Some(c) if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => self.number(),
            Some(c) if c.is_alphabetic() || c == '_' => self.word(),
            Some(c) => Err(self.error(&format!("unexpected {c:?}"))),
            None => Err(self.error("unexpected end")),
        }
    }

    /// Reads `{key: value, ...}`.
    fn dict(&mut self, depth: usize) -> Result<PyValue, String> {
        self.bump();
        let mut dict = PyDict::new();
        loop {
            self.skip_space();
            if self.peek() == Some('}') {
                self.bump();
                return Ok(PyValue::Dict(dict));
            }
            let key = match self.value(depth + 1)? {
                PyValue::Str(key) => key,
                other => {
                    return Err(
                        self.error(&format!("a dict key is a {}, not a str", other.type_name()))
                    );
                }
            };
            self.skip_space();
            if self.bump() != Some(':') {
                return Err(self.error("expected ':' after a dict key"));
            }
            let value = self.value(depth + 1)?;
            // A repeated key keeps its first place and takes the last value, as in Python.
            dict.insert(key, value);
            self.skip_space();
            match self.bump() {
                Some(',') => {}
                Some('}') => return Ok(PyValue::Dict(dict)),
                _ => return Err(self.error("expected ',' or '}' in a dict")),
            }
        }
    }

    /// Reads the items of a list or tuple up to `close`, and whether a comma followed the last.
    fn sequence(&mut self, depth: usize, close: char) -> Result<(Vec<PyValue>, bool), String> {
        self.bump();
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            self.skip_space();
            if self.peek() == Some(close) {
                self.bump();
                return Ok((items, comma));
            }
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.bump() {
                Some(',') => comma = true,
                Some(c) if c == close => return Ok((items, false)),
                _ => return Err(self.error(&format!("expected ',' or '{close}'"))),
            }
        }
    }

    /// Reads a string literal (raw when `raw` is set) and the ones right after it, which Python
    /// joins to it.
    fn strings(&mut self, raw: bool) -> Result<String, String> {
        let mut out = String::new();
        self.string(&mut out, raw)?;
        loop {
            let before = self.pos;
            self.skip_space();
            match self.peek() {
                Some('\'' | '"') => self.string(&mut out, false)?,
                Some('r' | 'R' | 'u' | 'U')
                    if matches!(self.rest().get(1..2), Some("'" | "\"")) =>
                {
                    let raw = matches!(self.bump(), Some('r' | 'R'));
                    self.string(&mut out, raw)?;
                }
                _ => {
                    self.pos = before;
                    return Ok(out);
                }
            }
        }
    }

    /// Reads one string literal (at its opening quote) onto `out`.
    fn string(&mut self, out: &mut String, raw: bool) -> Result<(), String> {
        let Some(quote) = self.bump() else {
            return Err(self.error("expected a string"));
        };
        let pair = if quote == '"' { "\"\"" } else { "''" };
        let long = self.rest().starts_with(pair);
        if long {
            self.pos += 2;
        }
        loop {
            let Some(c) = self.bump() else {
                return Err(self.error("unterminated string"));
            };
            match c {
                c if c == quote && !long => return Ok(()),
                c if c == quote && self.rest().starts_with(pair) => {
                    self.pos += 2;
                    return Ok(());
                }
                '\n' | '\r' if !long => return Err(self.error("newline in a string")),
                '\\' if raw => {
                    out.push('\\');
                    // A raw string still does not end at an escaped quote.
                    if let Some(next) = self.bump() {
                        out.push(next);
                    }
                }
                '\\' => self.escape(out)?,
                c => out.push(c),
            }
        }
    }

    /// Reads the escape after a backslash onto `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let Some(c) = self.bump() else {
            return Err(self.error("unterminated string"));
        };
        match c {
            '\n' => {}
            '\r' => {
                if self.peek() == Some('\n') {
                    self.bump();
                }
            }
            '\\' | '\'' | '"' => out.push(c),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut code = c.to_digit(8).unwrap_or_default();
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            self.bump();
                        }
                        None => break,
                    }
                }
                out.push(self.code_point(code)?);
            }
            'x' | 'u' | 'U' => {
                let width = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits = self
                    .rest()
                    .get(..width)
                    .filter(|d| d.chars().all(|h| h.is_ascii_hexdigit()));
                let Some(code) = digits.and_then(|d| u32::from_str_radix(d, 16).ok()) else {
                    return Err(self.error(&format!("truncated \\{c} escape")));
                };
                self.pos += width;
                out.push(self.code_point(code)?);
            }
            'N' => return Err(self.error("\\N{...} escapes are not supported")),
            // Python keeps an unknown escape as it is.
            other => {
                out.push('\\');
                out.push(other);
            }
        }
        Ok(())
    }

    /// The character of `code`; surrogates have none in UTF-8.
    fn code_point(&self, code: u32) -> Result<char, String> {
        char::from_u32(code).ok_or_else(|| self.error(&format!("\\u{code:x} is not a character")))
    }

    /// Reads `None`, `True`, `False`, `inf`, `nan`, or a prefixed string (`u'...'`, `r'...'`).
    fn word(&mut self) -> Result<PyValue, String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.bump();
        }
        let word = self.text.get(start..self.pos).unwrap_or_default();
        if matches!(self.peek(), Some('\'' | '"')) {
            return match word {
                "u" | "U" => self.strings(false).map(PyValue::Str),
                "r" | "R" => self.strings(true).map(PyValue::Str),
                _ => Err(self.error(&format!("{word}'...' strings are not supported"))),
            };
        }
        match word {
            "None" => Ok(PyValue::Null),
            "True" => Ok(PyValue::Bool(true)),
            "False" => Ok(PyValue::Bool(false)),
            "inf" | "Infinity" => Ok(PyValue::Number(Number::Float(f64::INFINITY))),
            "nan" | "NaN" => Ok(PyValue::Number(Number::Float(f64::NAN))),
            _ => {
                self.pos = start;
                Err(self.error(&format!("unexpected name {word:?}")))
            }
        }
    }

    /// Reads a number: a sign, then an `int` or a `float` (`_` between digits allowed), or
    /// `inf`/`nan`.
    fn number(&mut self) -> Result<PyValue, String> {
        let mut negative = false;
        while let Some(sign @ ('-' | '+')) = self.peek() {
            negative ^= sign == '-';
            self.bump();
            self.skip_space();
        }
        if self.peek().is_some_and(char::is_alphabetic) {
            let at = self.pos;
            if let PyValue::Number(Number::Float(f)) = self.word()? {
                return Ok(PyValue::Number(Number::Float(if negative {
                    -f
                } else {
                    f
                })));
            }
            self.pos = at;
            return Err(self.error("a sign before a value that is not a number"));
        }
        let start = self.pos;
        let mut float = false;
        while let Some(c) = self.peek() {
            match c {
                '0'..='9' | '_' => {}
                '.' => float = true,
                'e' | 'E' => {
                    float = true;
                    if matches!(self.rest().get(1..2), Some("+" | "-")) {
                        self.bump();
                    }
                }
                _ => break,
            }
            self.bump();
        }
        let text: String = self
            .text
            .get(start..self.pos)
            .unwrap_or_default()
            .chars()
            .filter(|&c| c != '_')
            .collect();
        if float {
            let value: f64 = text
                .parse()
                .map_err(|_| self.error(&format!("bad float {text:?}")))?;
            return Ok(PyValue::Number(Number::Float(if negative {
                -value
            } else {
                value
            })));
        }
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(&format!("bad number {text:?}")));
        }
        let digits = text.trim_start_matches('0');
        if digits.is_empty() {
            return Ok(PyValue::Number(Number::Int(0)));
        }
        let signed = if negative {
            format!("-{digits}")
        } else {
            digits.to_owned()
        };
        Ok(PyValue::Number(signed.parse::<i64>().map_or_else(
            |_| Number::BigInt(signed.into()),
            Number::Int,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(value: &PyValue) -> String {
        let mut out = String::new();
        write_literal(&mut out, value);
        out
    }

    #[test]
    fn literals_read_back() {
        let json = r#"{"a": [1, -2.5, 1e-05, 1e+16, null, true, false], "it's": "say \"hi\"\n\u00e9\u200d\\",
            "big": 123456789012345678901234567890, "neg": -9223372036854775808, "inf": Infinity,
            "e": {}, "l": []}"#;
        let value = memor_core::json::parse(json).unwrap();
        let text = literal(&value);
        assert_eq!(
            text,
            r#"{'a': [1, -2.5, 1e-05, 1e+16, None, True, False], "it's": 'say "hi"\né\u200d\\', 'big': 123456789012345678901234567890, 'neg': -9223372036854775808, 'inf': 1e309, 'e': {}, 'l': []}"#
        );
        assert_eq!(Literal::parse(&text).unwrap(), value);
        assert_eq!(read_metadata(&text).unwrap(), *value.as_dict().unwrap());
        assert_eq!(read_metadata(json).unwrap(), *value.as_dict().unwrap());
    }

    #[test]
    fn python_forms() {
        let value = Literal::parse(r"{'t': (1, 2), 'one': (3,), 'p': (4), 'x': '\x41\101\U0001F600', 'r': r'\n', 'j': 'a' 'b', 'u': 1_000}").unwrap();
        assert_eq!(
            literal(&value),
            r"{'t': [1, 2], 'one': [3], 'p': 4, 'x': 'AA😀', 'r': '\\n', 'j': 'ab', 'u': 1000}"
        );
        for bad in [
            "{1: 2}",
            "{'a' 1}",
            "[1, 2",
            "'\\ud800'",
            "set()",
            "{'a': 1} x",
            "'abc",
            "b'x'",
        ] {
            assert!(Literal::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reader_panics_become_errors() {
        let err = guarded::<()>(|| panic!("bad offset")).unwrap_err();
        assert_eq!(err, "malformed table: bad offset");
        assert_eq!(guarded(|| Ok(7)), Ok(7));
    }

    #[test]
    fn formats() {
        assert_eq!("Parquet".parse::<TableFormat>(), Ok(TableFormat::Parquet));
        assert_eq!("arrow".parse::<TableFormat>(), Ok(TableFormat::Arrow));
        assert!("csv".parse::<TableFormat>().is_err());
    }
}
