//! Writing JSON exactly as Python's `json.dump` writes it with default arguments.
//!
//! Output goes through serde_json's serializer with [`PyFormatter`]: separators `", "` and
//! `": "`, every non-ASCII character and DEL escaped as lowercase `\uXXXX` (surrogate pairs above
//! the BMP), floats as Python's `repr`. `NaN`, `Infinity`, `-Infinity` and integers beyond 64
//! bits, which serde_json cannot produce from numbers, are written from raw fragments.

use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::ser::Formatter;
use serde_json::value::RawValue;

use super::value::{Number, PyDict, PyList, PyValue};

/// serde_json formatting that matches Python's `json.dump(obj, f)`.
#[derive(Clone, Debug, Default)]
pub struct PyFormatter {
    /// Reused for float reprs.
    buf: String,
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
        write_ascii_escaped(writer, fragment)
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

/// Writes a string fragment with `ensure_ascii`: ASCII below DEL as is, everything else as
/// `\uXXXX` escapes (serde_json has already escaped quotes, backslashes and controls).
fn write_ascii_escaped<W: ?Sized + Write>(writer: &mut W, fragment: &str) -> io::Result<()> {
    let bytes = fragment.as_bytes();
    if bytes.is_ascii() && memchr::memchr(0x7f, bytes).is_none() {
        return writer.write_all(bytes);
    }
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if c < '\u{7f}' {
            continue;
        }
        if let Some(run) = bytes.get(start..i) {
            writer.write_all(run)?;
        }
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            write!(writer, "\\u{unit:04x}")?;
        }
        start = i + c.len_utf8();
    }
    if let Some(run) = bytes.get(start..) {
        writer.write_all(run)?;
    }
    Ok(())
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
    let mut ser = serde_json::Serializer::with_formatter(out, PyFormatter::default());
    value.serialize(&mut ser)
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
}
