//! A reader for the JSON dialect of Python's `json.loads`.
//!
//! Beyond RFC 8259 it accepts `NaN`, `Infinity` and `-Infinity`, keeps integers of any size
//! exactly (up to Python 3.11's 4,300 digits), tells `1` from `1.0`, and lets a repeated key
//! keep its first place and its last value. It refuses what Python refuses: a byte order mark,
//! raw control characters in strings, trailing commas, and anything after the value. It cannot
//! hold lone surrogates (`"\ud800"`): those are refused with the offset of the escape.
//!
//! The reader is a pull parser: callers walk objects member by member and read typed values
//! without building a tree, or read a whole [`PyValue`].

use std::borrow::Cow;

use super::value::{Number, PyDict, PyList, PyValue};

/// How deeply arrays and objects may nest.
pub const MAX_DEPTH: usize = 256;

/// Python 3.11's limit on the digits of an integer read from text.
const MAX_INT_DIGITS: usize = 4300;

/// A JSON syntax error, with the byte offset where it was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {offset}")]
pub struct JsonError {
    /// What was wrong (Python's wording where it has one).
    pub message: Cow<'static, str>,
    /// Byte offset in the input.
    pub offset: usize,
}

/// Results of the reader.
pub type Result<T> = std::result::Result<T, JsonError>;

/// The kind of the next value, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// a number, `NaN` or an infinity
    Number,
    /// a string
    Str,
    /// an array
    List,
    /// an object
    Dict,
    /// end of input or a byte no value starts with
    Invalid,
}

/// A pull parser over a JSON text. Cloning it gives a look-ahead reader.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `src`.
    pub fn new(src: &'a str) -> Self {
        Reader {
            src,
            pos: 0,
            depth: 0,
        }
    }

    /// The current byte offset.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The input between two offsets.
    pub fn source(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or_default()
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn peek_byte(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    /// An error at the current offset.
    pub fn error(&self, message: impl Into<Cow<'static, str>>) -> JsonError {
        JsonError {
            message: message.into(),
            offset: self.pos,
        }
    }

    fn error_at(offset: usize, message: impl Into<Cow<'static, str>>) -> JsonError {
        JsonError {
            message: message.into(),
            offset,
        }
    }

    /// Skips Python's JSON whitespace: space, tab, newline, carriage return.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek_byte() {
            self.pos += 1;
        }
    }

    /// The kind of the next value (skipping whitespace).
    pub fn peek(&mut self) -> Kind {
        self.skip_ws();
        match self.peek_byte() {
            Some(b'n') => Kind::Null,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'-' | b'0'..=b'9' | b'N' | b'I') => Kind::Number,
            Some(b'"') => Kind::Str,
            Some(b'[') => Kind::List,
            Some(b'{') => Kind::Dict,
            _ => Kind::Invalid,
        }
    }

    /// Checks that only whitespace remains.
    pub fn finish(&mut self) -> Result<()> {
        self.skip_ws();
        if self.pos < self.src.len() {
            return Err(self.error("Extra data"));
        }
        Ok(())
    }

    fn expect_literal(&mut self, literal: &str) -> Result<()> {
        if self
            .src
            .get(self.pos..)
            .is_some_and(|s| s.starts_with(literal))
        {
            self.pos += literal.len();
            Ok(())
        } else {
            Err(self.error("Expecting value"))
        }
    }

    /// Reads `null`.
    pub fn null(&mut self) -> Result<()> {
        self.skip_ws();
        self.expect_literal("null")
    }

    /// Reads `true` or `false`.
    pub fn bool(&mut self) -> Result<bool> {
        self.skip_ws();
        if self.peek_byte() == Some(b't') {
            self.expect_literal("true").map(|()| true)
        } else {
            self.expect_literal("false").map(|()| false)
        }
    }

    /// Reads a number, `NaN`, `Infinity` or `-Infinity`.
    pub fn number(&mut self) -> Result<Number> {
        self.skip_ws();
        let start = self.pos;
        let bytes = self.bytes();
        let rest = self.src.get(start..).unwrap_or_default();
        for (text, value) in [
            ("NaN", f64::NAN),
            ("Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
        ] {
            if rest.starts_with(text) {
                self.pos += text.len();
                return Ok(Number::Float(value));
            }
        }
        let mut i = start;
        let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while digit(i) {
                    i += 1;
                }
            }
            _ => return Err(Self::error_at(start, "Expecting value")),
        }
        let int_end = i;
        let mut is_float = false;
        if bytes.get(i) == Some(&b'.') && digit(i + 1) {
            is_float = true;
            i += 1;
            while digit(i) {
                i += 1;
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(bytes.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if digit(j) {
                is_float = true;
                while digit(j) {
                    j += 1;
                }
                i = j;
            }
        }
        self.pos = i;
        let text = self.src.get(start..i).unwrap_or_default();
        if is_float {
            // Rust's parser rounds exactly and gives infinity on overflow, as Python's float().
            return text
                .parse::<f64>()
                .map(Number::Float)
                .map_err(|_| Self::error_at(start, "Expecting value"));
        }
        if let Ok(v) = text.parse::<i64>() {
            return Ok(Number::Int(v));
        }
        if int_end - int_start > MAX_INT_DIGITS {
            return Err(Self::error_at(
                start,
                "Exceeds the limit (4300 digits) for integer string conversion",
            ));
        }
        Ok(Number::BigInt(text.into()))
    }

    /// Reads a string, borrowing it from the input when it has no escapes.
    pub fn string(&mut self) -> Result<Cow<'a, str>> {
        self.skip_ws();
        if self.peek_byte() != Some(b'"') {
            return Err(self.error("Expecting value"));
        }
        let start = self.pos;
        self.pos += 1;
        let bytes = self.bytes();
        let content_start = self.pos;
        // Fast path: find the closing quote or the first backslash, then check the run for
        // control characters (a loop the compiler vectorizes).
        let rest = bytes.get(content_start..).unwrap_or_default();
        let Some(stop) = memchr::memchr2(b'"', b'\\', rest) else {
            return Err(Self::error_at(start, "Unterminated string starting at"));
        };
        let run = rest.get(..stop).unwrap_or_default();
        if has_control(run) {
            let bad = run.iter().position(|&b| b < 0x20).unwrap_or(0);
            return Err(Self::error_at(
                content_start + bad,
                "Invalid control character at",
            ));
        }
        let mut i = content_start + stop;
        if bytes.get(i) == Some(&b'"') {
            self.pos = i + 1;
            return Ok(Cow::Borrowed(
                self.src.get(content_start..i).unwrap_or_default(),
            ));
        }
        let mut out = String::with_capacity(i - content_start + 16);
        out.push_str(self.src.get(content_start..i).unwrap_or_default());
        loop {
            match bytes.get(i) {
                None => return Err(Self::error_at(start, "Unterminated string starting at")),
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let escape = bytes.get(i + 1).copied();
                    i += 2;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let escape_at = i - 2;
                            let unit = self.hex4(i)?;
                            i += 4;
                            let c = if (0xD800..0xDC00).contains(&unit) {
                                // A high surrogate pairs with an immediately following low one.
                                let low = if bytes.get(i) == Some(&b'\\')
                                    && bytes.get(i + 1) == Some(&b'u')
                                {
                                    self.hex4(i + 2).ok()
                                } else {
                                    None
                                };
                                match low {
                                    Some(low) if (0xDC00..0xE000).contains(&low) => {
                                        i += 6;
                                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                                    }
                                    _ => return Err(lone_surrogate(escape_at, unit)),
                                }
                            } else if (0xDC00..0xE000).contains(&unit) {
                                return Err(lone_surrogate(escape_at, unit));
                            } else {
                                unit
                            };
                            out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                        }
                        _ => return Err(Self::error_at(i - 2, "Invalid \\escape")),
                    }
                }
                Some(&b) if b < 0x20 => {
                    return Err(Self::error_at(i, "Invalid control character at"));
                }
                Some(_) => {
                    // Copy the run up to the next quote or backslash; a control byte in it is
                    // an error at its own offset.
                    let rest = bytes.get(i..).unwrap_or_default();
                    let run_len = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                    let run = rest.get(..run_len).unwrap_or_default();
                    if has_control(run) {
                        let bad = run.iter().position(|&b| b < 0x20).unwrap_or(0);
                        return Err(Self::error_at(i + bad, "Invalid control character at"));
                    }
                    out.push_str(self.src.get(i..i + run_len).unwrap_or_default());
                    i += run_len;
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Result<u32> {
        let digits = self
            .bytes()
            .get(at..at + 4)
            .ok_or_else(|| Self::error_at(at, "Invalid \\uXXXX escape"))?;
        let mut v = 0u32;
        for &d in digits {
            let n = (d as char)
                .to_digit(16)
                .ok_or_else(|| Self::error_at(at, "Invalid \\uXXXX escape"))?;
            v = v * 16 + n;
        }
        Ok(v)
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// Reads an object, calling `member` with each key; `member` must read the value.
    /// Returns an error if the next value is not an object.
    pub fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Result<()>,
    ) -> Result<()> {
        self.skip_ws();
        if self.peek_byte() != Some(b'{') {
            return Err(self.error("Expecting value"));
        }
        self.enter()?;
        self.pos += 1;
        self.skip_ws();
        if self.peek_byte() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.peek_byte() != Some(b'"') {
                return Err(self.error("Expecting property name enclosed in double quotes"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek_byte() != Some(b':') {
                return Err(self.error("Expecting ':' delimiter"));
            }
            self.pos += 1;
            member(self, key)?;
            self.skip_ws();
            match self.peek_byte() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.error("Expecting ',' delimiter")),
            }
        }
    }

    /// Reads an array, calling `item` for each element; `item` must read the value.
    pub fn array(&mut self, mut item: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.skip_ws();
        if self.peek_byte() != Some(b'[') {
            return Err(self.error("Expecting value"));
        }
        self.enter()?;
        self.pos += 1;
        self.skip_ws();
        if self.peek_byte() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            item(self)?;
            self.skip_ws();
            match self.peek_byte() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.error("Expecting ',' delimiter")),
            }
        }
    }

    /// Reads any value into a tree.
    pub fn value(&mut self) -> Result<PyValue> {
        match self.peek() {
            Kind::Null => self.null().map(|()| PyValue::Null),
            Kind::Bool => self.bool().map(PyValue::Bool),
            Kind::Number => self.number().map(PyValue::Number),
            Kind::Str => self.string().map(|s| PyValue::Str(s.into_owned())),
            Kind::List => {
                let mut items = Vec::new();
                self.array(|r| {
                    items.push(r.value()?);
                    Ok(())
                })?;
                Ok(PyValue::List(PyList(items)))
            }
            Kind::Dict => {
                let mut map = PyDict::new();
                self.object(|r, key| {
                    let v = r.value()?;
                    map.insert(key.into_owned(), v);
                    Ok(())
                })?;
                Ok(PyValue::Dict(map))
            }
            Kind::Invalid => Err(self.error("Expecting value")),
        }
    }

    /// Skips any value, checking its syntax.
    pub fn skip(&mut self) -> Result<()> {
        match self.peek() {
            Kind::Null => self.null(),
            Kind::Bool => self.bool().map(drop),
            Kind::Number => self.number().map(drop),
            Kind::Str => self.string().map(drop),
            Kind::List => self.array(Reader::skip),
            Kind::Dict => self.object(|r, _| r.skip()),
            Kind::Invalid => Err(self.error("Expecting value")),
        }
    }
}

/// Whether `bytes` holds a control character (below 0x20), eight bytes at a time: a word has a
/// byte below `n` when `(w - n * 0x0101..) & !w & 0x8080..` is not zero.
fn has_control(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        if w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0 {
            return true;
        }
    }
    words.remainder().iter().any(|&b| b < 0x20)
}

fn lone_surrogate(offset: usize, unit: u32) -> JsonError {
    JsonError {
        message: format!("lone surrogate \\u{unit:04x} cannot be held in a Rust string").into(),
        offset,
    }
}

/// Parses a whole document into a tree.
///
/// # Errors
/// A [`JsonError`] with the byte offset of the first problem.
pub fn parse(src: &str) -> Result<PyValue> {
    let mut reader = Reader::new(src);
    let value = reader.value()?;
    reader.finish()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_dialect() {
        let v = parse(r#"{"a": NaN, "b": -Infinity, "c": 1, "d": 1.0, "a": 2, "e": 123456789012345678901234567890}"#).unwrap();
        let PyValue::Dict(d) = v else { panic!() };
        let keys: Vec<_> = d.keys().cloned().collect();
        assert_eq!(keys, ["a", "b", "c", "d", "e"]);
        assert!(matches!(d["a"], PyValue::Number(Number::Int(2))));
        assert!(matches!(d["c"], PyValue::Number(Number::Int(1))));
        assert!(
            matches!(d["d"], PyValue::Number(Number::Float(f)) if f.to_bits() == 1f64.to_bits())
        );
        assert!(
            matches!(&d["e"], PyValue::Number(Number::BigInt(t)) if &**t == "123456789012345678901234567890")
        );
        assert!(matches!(
            parse("-0").unwrap(),
            PyValue::Number(Number::Int(0))
        ));
        assert!(
            matches!(parse("1e400").unwrap(), PyValue::Number(Number::Float(f)) if f.is_infinite())
        );
    }

    #[test]
    fn strings() {
        assert_eq!(
            parse(r#""a\u00e9\ud83d\ude00\n""#).unwrap(),
            PyValue::from("aé😀\n")
        );
        let e = parse(r#""x\ud800y""#).unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(parse("\"a\u{1}\"").is_err());
        assert!(parse(r#""\x""#).is_err());
    }

    #[test]
    fn control_characters_anywhere() {
        for len in 0..40 {
            for at in 0..len {
                let mut text = vec![b'a'; len];
                text[at] = 0x1f;
                assert!(has_control(&text), "{len} {at}");
                text[at] = 0x20;
                assert!(!has_control(&text), "{len} {at}");
                text[at] = 0xff;
                assert!(!has_control(&text), "{len} {at}");
            }
        }
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "\u{feff}{}",
            "[1,]",
            "{\"a\": 1,}",
            "{} x",
            "01",
            "1.",
            ".5",
            "tru",
            "[",
            "{\"a\" 1}",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
    }
}
