//! Writing JSON exactly as Python's `json.dump` writes it with default arguments.
//!
//! Output goes through serde_json's serializer with [`PyFormatter`]: separators `", "` and
//! `": "`, every non-ASCII character and DEL escaped as lowercase `\uXXXX` (surrogate pairs above
//! the BMP), floats as Python's `repr`. `NaN`, `Infinity`, `-Infinity` and integers beyond 64
//! bits, which serde_json cannot produce from numbers, are written from raw fragments.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::ser::Formatter;
use serde_json::value::RawValue;

use super::strings::PyStrings;
use super::value::{Number, PyDict, PyList, PyValue};

/// serde_json formatting that matches Python's `json.dump(obj, f)`.
#[derive(Clone, Debug, Default)]
pub struct PyFormatter {
    /// Reused for float reprs.
    buf: String,
    /// Set by [`to_writer`]'s adapter when the next byte array is JSON text to write as it is.
    raw: Option<Arc<AtomicBool>>,
}

impl Formatter for PyFormatter {
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        self.buf.clear();
        memor_template::py::write_float_repr(&mut self.buf, value);
        writer.write_all(self.buf.as_bytes())
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_escaped(writer, fragment.as_bytes())
    }

    /// Byte arrays are written as strings: their bytes must be UTF-8 text. Python's `json` has
    /// no byte arrays; [`to_writer`] sends every string value this way, so that it is escaped in
    /// one pass instead of serde_json's byte-by-byte escaping followed by this formatter's.
    fn write_byte_array<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        value: &[u8],
    ) -> io::Result<()> {
        if let Some(raw) = &self.raw
            && raw.load(Ordering::Relaxed)
        {
            raw.store(false, Ordering::Relaxed);
            return writer.write_all(value);
        }
        writer.write_all(b"\"")?;
        write_escaped(writer, value)?;
        writer.write_all(b"\"")
    }

    /// Raw fragments come from [`Number`]: a quoted fragment is one of Python's non-finite
    /// constants, written without its quotes.
    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let bytes = fragment.as_bytes();
        match bytes
            .strip_prefix(b"\"")
            .and_then(|b| b.strip_suffix(b"\""))
        {
            Some(constant) => writer.write_all(constant),
            None => writer.write_all(bytes),
        }
    }
}

/// Appends `s` to `out` as Python's `json.dumps` writes a string: quoted, with `ensure_ascii`.
pub(crate) fn push_py_string(out: &mut String, s: &str) {
    let mut bytes = Vec::with_capacity(s.len() + 2);
    // Writing a `str` into a `Vec` cannot fail, and what is written is ASCII.
    if PyFormatter::default()
        .write_byte_array(&mut bytes, s.as_bytes())
        .is_ok()
        && let Ok(text) = std::str::from_utf8(&bytes)
    {
        out.push_str(text);
    }
}

/// Whether Python's `json.dumps` writes byte `b` of a string as it is (with `ensure_ascii`).
const fn is_plain(b: u8) -> bool {
    b >= 0x20 && b < 0x7f && b != b'"' && b != b'\\'
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `word` that is not plain (see [`is_plain`]). The lowest bit set
/// marks the first such byte exactly: borrows and carries only run upwards from it.
fn special_bytes(word: [u8; 8]) -> u64 {
    let w = u64::from_le_bytes(word);
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    let del_or_above = w.wrapping_add(ONES) | w;
    (below_space | del_or_above | zero_in(w ^ (ONES * 0x22)) | zero_in(w ^ (ONES * 0x5c)))
        & (ONES * 0x80)
}

/// Whether some byte of `chunk` is not plain: no early exit, so the check is vectorized.
fn has_special(chunk: &[u8]) -> bool {
    chunk
        .iter()
        .fold(0u8, |acc, &b| acc | u8::from(!is_plain(b)))
        != 0
}

/// The index of the first byte of `bytes` that is not plain, or its length.
fn first_special(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !is_plain(b))
        .unwrap_or(bytes.len())
}

/// The length of the longest prefix of `bytes` written as it is: 16 bytes at a time, the last
/// ones by an overlapping check; strings of 8 to 15 bytes as two overlapping words.
fn plain_prefix(bytes: &[u8]) -> usize {
    let len = bytes.len();
    if len >= 16 {
        let mut n = 0;
        while let Some(chunk) = bytes.get(n..n + 16) {
            if has_special(chunk) {
                return n + first_special(chunk);
            }
            n += 16;
        }
        let tail = bytes.get(len - 16..).unwrap_or_default();
        if n == len || !has_special(tail) {
            return len;
        }
        return n + first_special(bytes.get(n..).unwrap_or_default());
    }
    let word = |at: usize| {
        let mut w = [0u8; 8];
        bytes.get(at..at + 8).map(|b| {
            w.copy_from_slice(b);
            special_bytes(w)
        })
    };
    match (word(0), len.checked_sub(8).and_then(word)) {
        (Some(head), _) if head != 0 => (head.trailing_zeros() / 8) as usize,
        (Some(_), Some(tail)) if tail != 0 => len - 8 + (tail.trailing_zeros() / 8) as usize,
        (Some(_), _) => len,
        _ => first_special(bytes),
    }
}

/// Writes `\uXXXX` with lowercase hex digits, as Python does.
fn write_unit_escape<W: ?Sized + Write>(writer: &mut W, unit: u16) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digit = |shift: u16| {
        HEX.get(usize::from((unit >> shift) & 0xf))
            .copied()
            .unwrap_or(b'0')
    };
    writer.write_all(&[b'\\', b'u', digit(12), digit(8), digit(4), digit(0)])
}

/// Writes the contents of a string as Python's `json.dumps` does with `ensure_ascii`: quotes,
/// backslashes and control characters escaped (`\n`, `\r`, `\t`, `\b`, `\f` by name), DEL and
/// every non-ASCII character as `\uXXXX` (surrogate pairs above the BMP).
///
/// # Errors
/// Those of `writer`, or `InvalidData` if `bytes` is not UTF-8.
fn write_escaped<W: ?Sized + Write>(writer: &mut W, bytes: &[u8]) -> io::Result<()> {
    let mut rest = bytes;
    loop {
        let (run, tail) = rest
            .split_at_checked(plain_prefix(rest))
            .unwrap_or((rest, &[]));
        writer.write_all(run)?;
        let Some((&b, after)) = tail.split_first() else {
            return Ok(());
        };
        rest = after;
        match b {
            b'"' => writer.write_all(b"\\\"")?,
            b'\\' => writer.write_all(b"\\\\")?,
            b'\n' => writer.write_all(b"\\n")?,
            b'\r' => writer.write_all(b"\\r")?,
            b'\t' => writer.write_all(b"\\t")?,
            0x08 => writer.write_all(b"\\b")?,
            0x0c => writer.write_all(b"\\f")?,
            0x00..=0x7f => write_unit_escape(writer, u16::from(b))?,
            _ => {
                let width = match b {
                    0xc2..=0xdf => 2,
                    0xe0..=0xef => 3,
                    0xf0..=0xf4 => 4,
                    _ => 0,
                };
                let c = tail
                    .get(..width)
                    .and_then(|seq| std::str::from_utf8(seq).ok())
                    .and_then(|s| s.chars().next())
                    .ok_or_else(|| {
                        io::Error::new(io::ErrorKind::InvalidData, "a string is not UTF-8")
                    })?;
                for &unit in c.encode_utf16(&mut [0; 2]).iter() {
                    write_unit_escape(writer, unit)?;
                }
                rest = tail.get(width..).unwrap_or_default();
            }
        }
    }
}

/// A raw JSON fragment for values serde_json cannot write from numbers.
fn raw(text: String) -> Result<Box<RawValue>, serde_json::Error> {
    RawValue::from_string(text)
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Number::Int(i) => serializer.serialize_i64(*i),
            Number::Float(f) if f.is_finite() => serializer.serialize_f64(*f),
            Number::Float(f) => {
                let constant = if f.is_nan() {
                    "\"NaN\""
                } else if *f > 0.0 {
                    "\"Infinity\""
                } else {
                    "\"-Infinity\""
                };
                raw(constant.to_owned())
                    .map_err(serde::ser::Error::custom)?
                    .serialize(serializer)
            }
            Number::BigInt(text) => raw(text.to_string())
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
        }
    }
}

impl Serialize for PyValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PyValue::Null => serializer.serialize_unit(),
            PyValue::Bool(b) => serializer.serialize_bool(*b),
            PyValue::Number(n) => n.serialize(serializer),
            PyValue::Str(s) => serializer.serialize_str(s),
            PyValue::List(items) => items.serialize(serializer),
            PyValue::Dict(map) => map.serialize(serializer),
        }
    }
}

impl Serialize for PyList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self.iter() {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

impl Serialize for PyDict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Serializes `value` as Python's `json.dumps` would, appending to `out`.
///
/// # Errors
/// Only if `value`'s `Serialize` implementation fails.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(
    out: W,
    value: &T,
) -> Result<(), serde_json::Error> {
    let raw = Arc::new(AtomicBool::new(false));
    let formatter = PyFormatter {
        buf: String::new(),
        raw: Some(Arc::clone(&raw)),
    };
    let mut ser = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(PyStrings {
        ser: &mut ser,
        raw: &raw,
    })
}

/// Serializes `value` to a `String` as Python's `json.dumps` would.
///
/// # Errors
/// As [`to_writer`].
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    to_writer(&mut out, value)?;
    // The formatter writes ASCII only.
    String::from_utf8(out).map_err(serde::ser::Error::custom)
}

/// The number of bytes [`to_writer`] would write, without keeping them.
///
/// # Errors
/// As [`to_writer`].
pub fn serialized_len<T: Serialize + ?Sized>(value: &T) -> Result<usize, serde_json::Error> {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    to_writer(&mut count, value)?;
    Ok(count.0)
}

/// A date written as memor writes it, formatted on the stack in the common case.
pub(crate) struct MemorDate(pub(crate) crate::date::Date);

impl Serialize for MemorDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = &self.0;
        let offset = d.offset().total_micros();
        let fits = (1000..=9999).contains(&d.year()) && offset % 60_000_000 == 0;
        if !fits {
            return serializer.collect_str(d);
        }
        let minutes = offset.unsigned_abs() / 60_000_000;
        let mut buf = *b"0000-00-00 00:00:00 +0000";
        let mut put = |at: usize, width: usize, mut value: u64| {
            for i in (at..at + width).rev() {
                if let Some(b) = buf.get_mut(i) {
                    *b = b'0' + (value % 10) as u8;
                }
                value /= 10;
            }
        };
        put(0, 4, d.year().unsigned_abs().into());
        put(5, 2, d.month().into());
        put(8, 2, d.day().into());
        put(11, 2, d.hour().into());
        put(14, 2, d.minute().into());
        put(17, 2, d.second().into());
        put(21, 2, minutes / 60);
        put(23, 2, minutes % 60);
        if offset < 0 {
            buf[20] = b'-';
        }
        // Only ASCII digits and separators went in.
        serializer.serialize_str(std::str::from_utf8(&buf).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::read::parse;

    #[test]
    fn writes_like_python() {
        let text = r#"{"a": [1, 2.5, -0.0, 1e-05, 1e+16, NaN, Infinity, -Infinity, 123456789012345678901234567890], "b": "\u00e9\ud83d\ude00\u007f\n\"\\/", "c": {}, "d": [], "e": null, "f": true}"#;
        let v = parse(text).unwrap();
        assert_eq!(to_string(&v).unwrap(), text);
        assert_eq!(serialized_len(&v).unwrap(), text.len());
    }

    /// Python's `json.dumps` string escaping, one character at a time.
    fn python_escaped(s: &str) -> String {
        use std::fmt::Write as _;
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                ' '..='~' => out.push(c),
                _ => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                }
            }
        }
        out.push('"');
        out
    }

    proptest::proptest! {
        #[test]
        fn strings_and_keys_are_escaped_as_python_escapes_them(
            s in "(\\PC|[\\x00-\\x1f\\x7f\"\\\\]|[a-z ]{0,40}){0,60}"
        ) {
            let expected = python_escaped(&s);
            proptest::prop_assert_eq!(to_string(&PyValue::Str(s.clone())).unwrap(), expected.clone());
            // Keys reach the formatter through serde_json's own escaping.
            let mut dict = PyDict::new();
            dict.0.insert(s.clone(), PyValue::Null);
            proptest::prop_assert_eq!(to_string(&dict).unwrap(), format!("{{{expected}: null}}"));
        }
    }

    #[test]
    fn byte_arrays_must_be_utf8() {
        let mut out = Vec::new();
        let mut f = PyFormatter::default();
        f.write_byte_array(&mut out, "é😀".as_bytes()).unwrap();
        assert_eq!(out, b"\"\\u00e9\\ud83d\\ude00\"");
        for bad in [&b"\xff"[..], b"a\xc3", b"\xed\xa0\x80", b"\xf0\x9f\x98"] {
            let err = f.write_byte_array(&mut Vec::new(), bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        }
    }
}
