//! Top-level JSON arrays read one element at a time, in bounded memory.
//!
//! [`ArrayStream`] finds each element's extent with a small scanner (strings, escapes and
//! bracket depth), checks it is UTF-8 and hands it out as text for `serde_json` to parse. Only
//! the current element is held; an element over the size cap is skipped without being kept.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};

const CHUNK: usize = 1 << 20;

/// One element of the array.
pub(crate) enum Item<'a> {
    /// The element's text, its byte offset in the file and its index in the array.
    Element {
        text: &'a str,
        offset: u64,
        index: usize,
    },
    /// An element over the cap, skipped whole (never held in memory).
    TooLarge,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    BeforeFirst,
    AfterElement,
    Done,
}

/// Scanner state inside one element.
#[derive(Default)]
struct Scan {
    depth: usize,
    in_string: bool,
    escape: bool,
    scalar: bool,
}

pub(crate) struct ArrayStream<R> {
    reader: R,
    file: PathBuf,
    buf: Vec<u8>,
    pos: usize,
    base: u64,
    eof: bool,
    place: Place,
    index: usize,
    cap: usize,
}

/// A file that does not start with `[`: its first bytes and the rest, unread.
pub(crate) struct NotArray<R> {
    /// The file from its first non-blank byte, as far as the first read went.
    head: Vec<u8>,
    /// The offset of `head` in the file.
    offset: u64,
    rest: R,
}

impl<R: Read> NotArray<R> {
    /// The first bytes of the file, after whitespace and a byte-order mark.
    pub(crate) fn head(&self) -> &[u8] {
        &self.head
    }

    /// `not_a_list` when the file is one valid JSON value, else `invalid_json` (or
    /// `invalid_encoding`) at the byte at fault. The file is read through, never held.
    pub(crate) fn classify(self, file: &Path, what: &str) -> Error {
        if let Err(e) = std::str::from_utf8(&self.head) {
            // A character cut by the end of the first read is not an error.
            if e.error_len().is_some() {
                return Error::new(ErrorKind::InvalidEncoding, file, "bytes that are not UTF-8")
                    .at(self.offset + e.valid_up_to() as u64);
            }
        }
        // serde_json pulls one byte at a time: buffered below the count, so the count is exact.
        let mut counted = Counted {
            inner: std::io::BufReader::new(std::io::Cursor::new(self.head).chain(self.rest)),
            read: 0,
        };
        let mut de = serde_json::Deserializer::from_reader(&mut counted);
        let checked = <serde::de::IgnoredAny as serde::Deserialize>::deserialize(&mut de)
            .and_then(|_| de.end());
        match checked {
            Ok(()) => Error::new(
                ErrorKind::NotAList,
                file,
                format!("expected a JSON array of {what}"),
            ),
            Err(e) if e.is_io() => Error::new(ErrorKind::Io, file, e.to_string()),
            Err(e) => {
                // The error is at the last byte serde_json read.
                let at = self.offset + counted.read.saturating_sub(1);
                let kind = if e.to_string().contains("invalid unicode") {
                    ErrorKind::InvalidEncoding
                } else {
                    ErrorKind::InvalidJson
                };
                Error::new(kind, file, format!("malformed JSON: {e}")).at(at)
            }
        }
    }
}

/// A reader that counts the bytes it hands out.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl<R: Read> ArrayStream<R> {
    /// Opens the stream: skips a UTF-8 byte-order mark and whitespace, then expects `[`.
    ///
    /// When the file holds something else, returns it as a [`NotArray`], unread past the first
    /// chunk.
    pub(crate) fn open(
        reader: R,
        file: &Path,
        cap: usize,
    ) -> Result<Result<Self, NotArray<R>>, Error> {
        let mut s = ArrayStream {
            reader,
            file: file.to_path_buf(),
            buf: Vec::with_capacity(CHUNK),
            pos: 0,
            base: 0,
            eof: false,
            place: Place::BeforeFirst,
            index: 0,
            cap,
        };
        s.fill()?;
        if s.buf.starts_with(b"\xEF\xBB\xBF") {
            s.pos = 3;
        }
        if s.peek_non_ws()? == Some(b'[') {
            s.pos += 1;
            return Ok(Ok(s));
        }
        let offset = s.offset(s.pos);
        let head = s.buf.split_off(s.pos);
        Ok(Err(NotArray {
            head,
            offset,
            rest: s.reader,
        }))
    }

    /// The file being read.
    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    fn fill(&mut self) -> Result<usize, Error> {
        if self.eof {
            return Ok(0);
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let n = loop {
            match self
                .reader
                .read(self.buf.get_mut(old..).unwrap_or_default())
            {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(Error::io(&self.file, e));
                }
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n)
    }

    /// Drops the bytes before `keep` from the buffer.
    fn compact(&mut self, keep: usize) {
        if keep > 0 {
            self.buf.drain(..keep);
            self.base += keep as u64;
            self.pos -= keep;
        }
    }

    fn offset(&self, at: usize) -> u64 {
        self.base + at as u64
    }

    /// The next byte that is not JSON whitespace, without consuming it.
    fn peek_non_ws(&mut self) -> Result<Option<u8>, Error> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    self.pos += 1;
                } else {
                    return Ok(Some(b));
                }
            }
            let pos = self.pos;
            self.compact(pos);
            if self.fill()? == 0 {
                return Ok(None);
            }
        }
    }

    fn invalid(&self, at: usize, message: &str) -> Error {
        Error::new(ErrorKind::InvalidJson, &self.file, message).at(self.offset(at))
    }

    /// The next element, `None` after the closing `]` (and only whitespace after it).
    pub(crate) fn next_item(&mut self) -> Option<Result<Item<'_>, Error>> {
        match self.advance() {
            Ok(None) => None,
            Ok(Some(Extent::Skipped)) => Some(Ok(Item::TooLarge)),
            Ok(Some(Extent::Kept { start, end, index })) => {
                let offset = self.offset(start);
                let bytes = self.buf.get(start..end).unwrap_or_default();
                match std::str::from_utf8(bytes) {
                    Ok(text) => Some(Ok(Item::Element {
                        text,
                        offset,
                        index,
                    })),
                    Err(e) => {
                        self.place = Place::Done;
                        Some(Err(Error::new(
                            ErrorKind::InvalidEncoding,
                            &self.file,
                            "bytes that are not UTF-8",
                        )
                        .at(offset + e.valid_up_to() as u64)))
                    }
                }
            }
            Err(e) => {
                self.place = Place::Done;
                Some(Err(e))
            }
        }
    }

    fn advance(&mut self) -> Result<Option<Extent>, Error> {
        if self.place == Place::Done {
            return Ok(None);
        }
        let Some(b) = self.peek_non_ws()? else {
            return Err(self.invalid(self.pos, "the array is not closed (truncated file)"));
        };
        match (self.place, b) {
            (_, b']') => {
                self.pos += 1;
                self.place = Place::Done;
                if self.peek_non_ws()?.is_some() {
                    return Err(self.invalid(self.pos, "data after the end of the array"));
                }
                return Ok(None);
            }
            (Place::AfterElement, b',') => {
                self.pos += 1;
                if self.peek_non_ws()?.is_none() {
                    return Err(self.invalid(self.pos, "the array is not closed (truncated file)"));
                }
            }
            (Place::AfterElement, _) => {
                return Err(self.invalid(self.pos, "expected `,` or `]` after an array element"));
            }
            _ => {}
        }
        self.place = Place::AfterElement;
        let index = self.index;
        self.index += 1;
        let mut start = self.pos;
        let mut scan = Scan::default();
        let mut at = 0;
        let mut skipping = false;
        loop {
            if let Some(end) = scan.run(self.buf.get(start..).unwrap_or_default(), &mut at) {
                self.pos = start + end;
                if skipping || end > self.cap {
                    return Ok(Some(Extent::Skipped));
                }
                return Ok(Some(Extent::Kept {
                    start,
                    end: start + end,
                    index,
                }));
            }
            // The element goes on past the buffer.
            if skipping || self.buf.len() - start > self.cap {
                skipping = true;
                self.base += self.buf.len() as u64;
                self.buf.clear();
                self.pos = 0;
                at = 0;
            } else {
                self.pos = start;
                self.compact(start);
            }
            start = 0;
            if self.fill()? == 0 {
                if scan.scalar && !skipping {
                    let end = self.buf.len();
                    self.pos = end;
                    return Ok(Some(Extent::Kept {
                        start: 0,
                        end,
                        index,
                    }));
                }
                let at_end = self.buf.len();
                return Err(self.invalid(at_end, "the file ends inside an array element"));
            }
        }
    }
}

enum Extent {
    Kept {
        start: usize,
        end: usize,
        index: usize,
    },
    Skipped,
}

impl Scan {
    /// Scans `buf` from `*at`; returns the end of the value when it is complete.
    fn run(&mut self, buf: &[u8], at: &mut usize) -> Option<usize> {
        let mut i = *at;
        if i == 0 && self.depth == 0 && !self.in_string && !self.scalar {
            match buf.first() {
                None => return None,
                Some(b'"') => {
                    self.in_string = true;
                    i = 1;
                }
                Some(b'{' | b'[') => {}
                Some(_) => self.scalar = true,
            }
        }
        loop {
            if self.scalar {
                let rest = buf.get(i..).unwrap_or_default();
                let end = rest
                    .iter()
                    .position(|b| matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'));
                if let Some(p) = end {
                    return Some(i + p);
                }
                *at = buf.len();
                return None;
            }
            if self.in_string {
                if self.escape {
                    if i >= buf.len() {
                        *at = i;
                        return None;
                    }
                    self.escape = false;
                    i += 1;
                }
                let rest = buf.get(i..).unwrap_or_default();
                let Some(p) = memchr::memchr2(b'"', b'\\', rest) else {
                    *at = buf.len();
                    return None;
                };
                i += p + 1;
                if rest.get(p) == Some(&b'\\') {
                    self.escape = true;
                } else {
                    self.in_string = false;
                    if self.depth == 0 {
                        return Some(i);
                    }
                }
                continue;
            }
            let Some(&b) = buf.get(i) else {
                *at = i;
                return None;
            };
            i += 1;
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The byte offset of a `serde_json` error inside `text` (which starts at `base` in the file).
pub(crate) fn error_offset(text: &str, base: u64, error: &serde_json::Error) -> u64 {
    let line = error.line();
    let column = error.column();
    if line == 0 {
        return base + text.len() as u64;
    }
    let mut line_start = 0usize;
    for _ in 1..line {
        match memchr::memchr(b'\n', text.as_bytes().get(line_start..).unwrap_or_default()) {
            Some(p) => line_start += p + 1,
            None => break,
        }
    }
    base + (line_start + column.saturating_sub(1)) as u64
}

/// Parses one element's text, with errors located in the file.
pub(crate) fn parse_element(
    text: &str,
    offset: u64,
    file: &Path,
) -> Result<serde_json::Value, Error> {
    serde_json::from_str(text).map_err(|e| {
        Error::new(ErrorKind::InvalidJson, file, format!("malformed JSON: {e}"))
            .at(error_offset(text, offset, &e))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn elements(input: &[u8], chunk_cap: usize) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let Ok(mut s) = ArrayStream::open(input, Path::new("t.json"), chunk_cap)? else {
            panic!("not an array");
        };
        while let Some(item) = s.next_item() {
            match item? {
                Item::Element { text, .. } => out.push(text.to_string()),
                Item::TooLarge => out.push("<too large>".to_string()),
            }
        }
        Ok(out)
    }

    #[test]
    fn splits_elements_of_every_kind() {
        let got = elements(
            b"\xEF\xBB\xBF [ {\"a\": \"]}\\\"\"}, [1,[2]] ,\"x\\\\\", 12.5e3, true ]\n",
            1 << 20,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                "{\"a\": \"]}\\\"\"}",
                "[1,[2]]",
                "\"x\\\\\"",
                "12.5e3",
                "true"
            ]
        );
        assert!(elements(b"[]", 10).unwrap().is_empty());
    }

    #[test]
    fn truncation_and_trailing_data_are_errors_with_offsets() {
        let e = elements(b"[{\"a\": 1}, {\"b\"", 1 << 20).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson);
        assert_eq!(e.offset(), Some(15));
        let e = elements(b"[1] x", 1 << 20).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidJson, Some(4)));
        let e = elements(b"[1 2]", 1 << 20).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidJson, Some(3)));
        let e = elements(b"[\"ok\", \"b\xFFd\"]", 1 << 20).unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::InvalidEncoding, Some(9))
        );
    }

    #[test]
    fn elements_over_the_cap_are_skipped_and_reading_goes_on() {
        let big = format!("[{{\"a\": \"{}\"}}, {{\"b\": 1}}]", "x".repeat(3 * CHUNK));
        let got = elements(big.as_bytes(), CHUNK).unwrap();
        assert_eq!(got, ["<too large>", "{\"b\": 1}"]);
    }

    #[test]
    fn a_single_object_is_not_an_array() {
        let classify = |input: &'static [u8]| {
            let Err(found) = ArrayStream::open(input, Path::new("t.json"), 100).unwrap() else {
                panic!("an array?");
            };
            found.classify(Path::new("t.json"), "x")
        };
        assert_eq!(classify(b"  {\"a\": 1}").kind(), ErrorKind::NotAList);
        let e = classify(b"{\"a\"");
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidJson, Some(3)));
        let e = classify(b"{\"a\": 1} x");
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidJson, Some(9)));
        let e = classify(b"\xff{}");
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::InvalidEncoding, Some(0))
        );
    }

    /// An object far larger than one read (and than the cap) is still `not_a_list`: it is read
    /// through, not held.
    #[test]
    fn a_large_single_object_is_read_through() {
        let big = format!("{{\"a\": \"{}\"}}", "x".repeat(3 * CHUNK));
        let Err(found) = ArrayStream::open(big.as_bytes(), Path::new("t.json"), 10).unwrap() else {
            panic!("an array?");
        };
        assert_eq!(
            found.classify(Path::new("t.json"), "x").kind(),
            ErrorKind::NotAList
        );
        let cut = big.get(..2 * CHUNK).unwrap();
        let Err(found) = ArrayStream::open(cut.as_bytes(), Path::new("t.json"), 10).unwrap() else {
            panic!("an array?");
        };
        let e = found.classify(Path::new("t.json"), "x");
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::InvalidJson, Some(2 * CHUNK as u64 - 1))
        );
    }
}
