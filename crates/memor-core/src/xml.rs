//! memor's XML helpers: `contains_xml`, the `xml_tree` property and the text
//! `update_message_from_xml` writes, exactly as memor 1.4 computes them on CPython 3.11.
//!
//! Every function works on a message's rendered text (the caller renders the message first).
//!
//! - [`contains_xml`] is memor's `re.search(XML_PATTERN, text)`, optionally combined with a
//!   well-formedness check of `"<root>" + text + "</root>"` by defusedxml (that is, expat 2.5 with
//!   namespace processing, a DTD being refused).
//! - [`xml_tree`] is memor's `_build_xml_tree`: the wrapped text parsed the way `ElementTree` does,
//!   then folded into `{tag: [node, ...]}` objects.
//! - [`build_xml_string`] is memor's `_build_xml_string`: the tree turned into `ElementTree`
//!   elements and serialized with `ElementTree.tostring(element, encoding="unicode")`.
//!
//! # How Python is reproduced
//!
//! - **The pattern.** `XML_PATTERN` is
//!   `<([a-zA-Z_][\w\-\.]*)(\s[^<>]*?)?>.*?</\1\s*>|<([a-zA-Z_][\w\-\.]*)(\s[^<>]*?)?/?>`. Only
//!   whether it matches somewhere matters, and every match of the first alternative starts with a
//!   match of the second (its `<name attrs>` prefix), so the text matches exactly when the second
//!   alternative matches somewhere. That one is checked by a linear scanner (no backtracking, no
//!   backreference needed), with Python's own classes: `\w` is `str.isalnum()` or `_` over
//!   Unicode 14.0 (a table taken from CPython 3.11; Rust's `\w` and `char::is_alphanumeric`
//!   differ, e.g. on combining marks and `No` digits), `\s` is `str.isspace()`.
//! - **Well-formedness.** A small parser of the XML `content` production (no DTD can occur: a
//!   `<!DOCTYPE` inside `<root>` is an error for expat too) reproduces expat 2.5 in namespace
//!   mode: expat's name tables (XML 1.0 4th edition letters, nothing beyond the BMP), qualified
//!   names with at most one colon, PI targets without colon and never `xml` in any case, `--`
//!   only as a comment end, `]]>` refused in character data, character references to XML
//!   characters only, the five predefined entities only, the namespace rules (unbound prefixes,
//!   no `xmlns:p=""`, the reserved `xml`/`xmlns` prefixes and URIs, no `}` in a namespace URI
//!   since `ElementTree` makes `}` expat's separator, duplicate attributes by raw and by expanded
//!   name), line ends read as `\n`. `roxmltree` is not used: on the texts compared with Python it
//!   accepts names with characters expat refuses (`<a😀/>`), `<:a/>`, a PI target followed by
//!   anything (`<?a!?>`), `<?xml?>`, `xmlns:p=""`, `xmlns:xmlns="u"`, `xmlns="a}b"`, two `xmlns`
//!   attributes, `&#xD800;` and `&#x110000;` (as U+FFFD); it refuses `<xml:a/>`; and it keeps the
//!   `\r` of `x\r&amp;` and splits text at comments, where `ElementTree` joins it.
//! - **Depth.** Parsing and serialization are iterative. Python's `_build_xml_tree` and
//!   `_build_xml_string` recurse once per nesting level and so hit CPython's recursion limit
//!   (1000 frames): [`MAX_TREE_DEPTH`] and [`MAX_BUILD_DEPTH`] reproduce the limits measured with
//!   memor called from a function one level below a script's top level.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

/// memor's `INVALID_XML_TREE_MESSAGE`, the message of the `MemorValidationError` memor raises when
/// the message is not well-formed XML (`xml_tree`) or the tree is not usable
/// (`update_message_from_xml`).
pub const INVALID_XML_TREE_MESSAGE: &str = "Invalid XML tree structure.";

/// The deepest element nesting [`xml_tree`] folds: `_parse_xml_element` recurses once per level,
/// and CPython raises `RecursionError` beyond this depth (top-level elements of the message have
/// depth 1).
pub const MAX_TREE_DEPTH: usize = 996;

/// The deepest element nesting [`build_xml_string`] serializes: `_build_xml_element` and
/// `ElementTree`'s `_serialize_xml` recurse once per level, and memor turns the `RecursionError`
/// raised beyond this depth into its `MemorValidationError` (top-level elements have depth 1).
pub const MAX_BUILD_DEPTH: usize = 991;

/// `str(RecursionError)` when `_parse_xml_element` recurses too deep.
const RECURSION_MESSAGE: &str = "maximum recursion depth exceeded";

/// `str(AttributeError)` when an element with text has a child element named `text`.
const TEXT_CHILD_MESSAGE: &str = "'str' object has no attribute 'append'";

/// The namespace the `xml` prefix is bound to.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// The namespace of `xmlns` declarations, which nothing may be bound to.
const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";

/// What went wrong in an [`XmlError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// `"<root>" + text + "</root>"` is not well-formed XML for defusedxml (memor raises
    /// `MemorValidationError`).
    Malformed,
    /// The tree given to [`build_xml_string`] cannot be built or serialized by `ElementTree`
    /// (memor raises `MemorValidationError`).
    InvalidTree,
    /// [`xml_tree`]: an element with (non-blank) text has a child element named `text`; memor
    /// does not catch the `AttributeError` this raises.
    TextChildConflict,
    /// [`xml_tree`]: elements nest deeper than [`MAX_TREE_DEPTH`]; memor does not catch the
    /// `RecursionError` this raises.
    TooDeep,
}

/// An error of [`xml_tree`] or [`build_xml_string`].
///
/// Its `Display` is `str()` of the exception memor 1.4 raises: [`INVALID_XML_TREE_MESSAGE`] for
/// memor's own `MemorValidationError`, and Python's message in the two cases memor lets a raw
/// exception escape from `xml_tree` (see [`XmlErrorKind`] and [`XmlError::python_class`]).
/// [`XmlError::detail`] says what exactly was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct XmlError {
    kind: XmlErrorKind,
    detail: String,
}

impl XmlError {
    fn new(kind: XmlErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }

    fn tree(detail: impl Into<String>) -> Self {
        Self::new(XmlErrorKind::InvalidTree, detail)
    }

    /// What went wrong.
    pub fn kind(&self) -> XmlErrorKind {
        self.kind
    }

    /// A human-readable account of what was wrong (not part of memor's contract), e.g.
    /// `mismatched tag at byte 20 of the wrapped text`.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The class of the exception memor 1.4 lets escape: `MemorValidationError`,
    /// `AttributeError` ([`XmlErrorKind::TextChildConflict`]) or `RecursionError`
    /// ([`XmlErrorKind::TooDeep`]).
    pub fn python_class(&self) -> &'static str {
        match self.kind {
            XmlErrorKind::Malformed | XmlErrorKind::InvalidTree => "MemorValidationError",
            XmlErrorKind::TextChildConflict => "AttributeError",
            XmlErrorKind::TooDeep => "RecursionError",
        }
    }

    /// `str()` of that exception (also this error's `Display`).
    pub fn message(&self) -> &'static str {
        match self.kind {
            XmlErrorKind::Malformed | XmlErrorKind::InvalidTree => INVALID_XML_TREE_MESSAGE,
            XmlErrorKind::TextChildConflict => TEXT_CHILD_MESSAGE,
            XmlErrorKind::TooDeep => RECURSION_MESSAGE,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// memor's `contains_xml(verify)` on a rendered message text.
///
/// Without `verify`: whether `XML_PATTERN` matches somewhere in `text` (Python `re` semantics).
/// With `verify`: that, and `"<root>" + text + "</root>"` is well-formed XML for defusedxml.
pub fn contains_xml(text: &str, verify: bool) -> bool {
    matches_xml_pattern(text) && (!verify || check_well_formed(text).is_ok())
}

/// Whether memor's `XML_PATTERN` matches somewhere in `text` (`re.search`, Python semantics).
pub fn matches_xml_pattern(text: &str) -> bool {
    let bytes = text.as_bytes();
    for lt in memchr::memchr_iter(b'<', bytes) {
        // `[a-zA-Z_]`: ASCII, so `lt + 2` is a character boundary.
        if !bytes
            .get(lt + 1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            continue;
        }
        let Some(rest) = text.get(lt + 2..) else {
            continue;
        };
        // `[\w\-\.]*` then `(\s[^<>]*?)?/?>`. A shorter name never helps: the character after it
        // would be a name character, which is neither `\s`, `/` nor `>`.
        let Some((offset, after)) = rest
            .char_indices()
            .find(|&(_, c)| !(is_py_word(c) || c == '-' || c == '.'))
        else {
            continue;
        };
        let tail = rest.get(offset + after.len_utf8()..).unwrap_or("");
        let matched = match after {
            '>' => true,
            '/' => tail.starts_with('>'),
            c if is_py_space(c) => {
                // `[^<>]*?/?>`: the first `<` or `>` after the space must be a `>`.
                let tail = tail.as_bytes();
                memchr::memchr2(b'<', b'>', tail).is_some_and(|k| tail.get(k) == Some(&b'>'))
            }
            _ => false,
        };
        if matched {
            return true;
        }
    }
    false
}

/// Whether `"<root>" + text + "</root>"` parses with defusedxml's `ElementTree.fromstring`
/// (expat 2.5, namespace processing, no DTD); the error says where it does not.
pub fn check_well_formed(text: &str) -> Result<(), XmlError> {
    let wrapped = wrap(text);
    Parser::new(&wrapped, NoTree).run().map(|_| ())
}

/// memor's `xml_tree` of a rendered message text: `"<root>" + text + "</root>"` parsed like
/// `ElementTree`, folded into `{tag: [node, ...]}` where a node is
/// `{"text": stripped_text, child_tag: [node, ...], ...}` in document order.
///
/// Tags are `ElementTree`'s (`{uri}local` for an element in a namespace). A node's text is the
/// element's text before its first child element (character data, references and CDATA sections,
/// comments and processing instructions skipped), stripped like `str.strip()`, and present only
/// when not empty. Text after a child element (a tail) is ignored.
pub fn xml_tree(text: &str) -> Result<Value, XmlError> {
    let wrapped = wrap(text);
    let tree = Parser::new(&wrapped, TreeSink::default()).run()?;
    fold_tree(tree.nodes)
}

/// memor's `_build_xml_string`, the message text `update_message_from_xml(tree)` sets.
///
/// `tree` must be an object `{tag: nodes}`; `nodes` is iterated like Python does (an array of node
/// objects; an empty string or empty object is an empty sequence); a node is an object whose
/// `text` (when truthy) must be a string and whose other keys are child tags. Each top-level
/// element is serialized like `ElementTree.tostring(element, encoding="unicode")` and the results
/// are concatenated: `&`, `<` and `>` escaped in text, tags written as given, `{uri}local` tags
/// written with `ns0`-style prefixes declared on the top-level element, an element without text
/// and children written `<tag />`.
pub fn build_xml_string(tree: &Value) -> Result<String, XmlError> {
    let Value::Object(map) = tree else {
        return Err(XmlError::tree(format!(
            "the tree is {}, not an object",
            json_kind(tree)
        )));
    };
    let mut elems: Vec<BuildElem<'_>> = Vec::new();
    let mut top = Vec::new();
    let mut work: Vec<(usize, &Map<String, Value>, usize)> = Vec::new();
    for (tag, nodes) in map {
        for node in node_list(tag, nodes)? {
            let (idx, node) = new_build_elem(&mut elems, tag, node, 1)?;
            top.push(idx);
            work.push((idx, node, 1));
        }
    }
    while let Some((idx, node, depth)) = work.pop() {
        for (tag, nodes) in node {
            if tag == "text" {
                continue;
            }
            for child in node_list(tag, nodes)? {
                let (child_idx, child) = new_build_elem(&mut elems, tag, child, depth + 1)?;
                if let Some(elem) = elems.get_mut(idx) {
                    elem.children.push(child_idx);
                }
                work.push((child_idx, child, depth + 1));
            }
        }
    }
    let mut out = String::new();
    for &idx in &top {
        serialize(&elems, idx, &mut out)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Python character classes
// ---------------------------------------------------------------------------------------------

/// Python's `str.isspace()` (also `re`'s `\s` and what `str.strip()` removes).
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..=' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python 3.11 `re`'s `\w` on a `str`.
fn is_py_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        in_table(PY_WORD, c)
    }
}

/// Python's `str.strip()` without arguments.
fn py_strip(text: &str) -> &str {
    text.trim_matches(is_py_space)
}

fn in_table(table: &[[u32; 2]], c: char) -> bool {
    let cp = u32::from(c);
    table
        .binary_search_by(|&[start, end]| {
            if end < cp {
                std::cmp::Ordering::Less
            } else if start > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// A character expat accepts first in a name (namespace mode: no colon).
fn is_name_start(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic() || c == '_'
    } else {
        in_table(EXPAT_NAME_START, c)
    }
}

/// A character expat accepts in a name after the first (namespace mode: no colon).
fn is_name_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
    } else {
        in_table(EXPAT_NAME_CHAR, c)
    }
}

/// XML 1.0's `Char` (Rust strings hold no surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{fffd}' | '\u{10000}'..)
}

/// Whether the byte at `i` starts a character that is not an XML `Char`.
fn invalid_char_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(&b) if b < 0x20 => !matches!(b, b'\t' | b'\n' | b'\r'),
        // U+FFFE and U+FFFF.
        Some(0xEF) => {
            bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
        }
        _ => false,
    }
}

fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// ---------------------------------------------------------------------------------------------
// The parser (expat 2.5 in namespace mode, as `ElementTree.XMLParser` drives it)
// ---------------------------------------------------------------------------------------------

fn wrap(text: &str) -> String {
    let mut wrapped = String::with_capacity(text.len() + 13);
    wrapped.push_str("<root>");
    wrapped.push_str(text);
    wrapped.push_str("</root>");
    wrapped
}

/// What the parser reports, in document order.
trait Sink {
    /// An element starts (its namespace URI, if any, and local name).
    fn start(&mut self, uri: Option<&str>, local: &str);
    /// Character data of the current element.
    fn text(&mut self, text: &str);
    /// The current element ends.
    fn end(&mut self);
}

/// Well-formedness only.
struct NoTree;

impl Sink for NoTree {
    fn start(&mut self, _: Option<&str>, _: &str) {}
    fn text(&mut self, _: &str) {}
    fn end(&mut self) {}
}

/// An element as `ElementTree` keeps it, reduced to what `_build_xml_tree` reads.
#[derive(Debug, Default)]
struct TreeNode {
    tag: String,
    /// `element.text`: the character data before the first child element.
    text: String,
    children: Vec<usize>,
}

/// Builds the element tree (node 0 is the `<root>` wrapper).
#[derive(Debug, Default)]
struct TreeSink {
    nodes: Vec<TreeNode>,
    open: Vec<usize>,
}

impl Sink for TreeSink {
    fn start(&mut self, uri: Option<&str>, local: &str) {
        let tag = match uri {
            Some(uri) => format!("{{{uri}}}{local}"),
            None => local.to_owned(),
        };
        let idx = self.nodes.len();
        if let Some(parent) = self.open.last().and_then(|&p| self.nodes.get_mut(p)) {
            parent.children.push(idx);
        }
        self.nodes.push(TreeNode {
            tag,
            ..TreeNode::default()
        });
        self.open.push(idx);
    }

    fn text(&mut self, text: &str) {
        if let Some(node) = self.open.last().and_then(|&n| self.nodes.get_mut(n))
            && node.children.is_empty()
        {
            node.text.push_str(text);
        }
    }

    fn end(&mut self) {
        self.open.pop();
    }
}

/// An open element: its raw (qualified) name and how many namespace bindings were in scope
/// before its start tag.
struct Open<'a> {
    name: &'a str,
    bindings: usize,
}

/// An attribute of the start tag being read.
struct Attr<'a> {
    name: &'a str,
    /// Byte offset of the colon in `name`.
    colon: Option<usize>,
    /// The normalized value (references replaced, `\t`, `\n`, `\r\n` and `\r` as spaces).
    value: String,
}

struct Parser<'a, S> {
    src: &'a str,
    pos: usize,
    open: Vec<Open<'a>>,
    /// The URIs bound to each prefix (`""` for the default namespace), innermost last.
    scopes: HashMap<&'a str, Vec<String>>,
    /// The prefixes declared by the open elements, in order (to undo them).
    bindings: Vec<&'a str>,
    sink: S,
}

type Step = Result<(), String>;

impl<'a, S: Sink> Parser<'a, S> {
    fn new(src: &'a str, sink: S) -> Self {
        Self {
            src,
            pos: 0,
            open: Vec::new(),
            scopes: HashMap::from([("xml", vec![XML_NAMESPACE.to_owned()])]),
            bindings: Vec::new(),
            sink,
        }
    }

    fn run(mut self) -> Result<S, XmlError> {
        match self.document() {
            Ok(()) => Ok(self.sink),
            Err(what) => Err(XmlError::new(
                XmlErrorKind::Malformed,
                format!(
                    "{what} at byte {} of the text wrapped in <root>...</root>",
                    self.pos
                ),
            )),
        }
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.src.as_bytes().get(i).copied()
    }

    fn starts_with(&self, i: usize, pattern: &str) -> bool {
        self.src
            .as_bytes()
            .get(i..)
            .is_some_and(|rest| rest.starts_with(pattern.as_bytes()))
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.src.get(from..to).unwrap_or("")
    }

    fn emit(&mut self, from: usize, to: usize) {
        if from < to {
            let text = self.slice(from, to);
            self.sink.text(text);
        }
    }

    fn skip_spaces(&self, i: &mut usize) -> bool {
        let start = *i;
        while self.byte(*i).is_some_and(is_xml_space) {
            *i += 1;
        }
        *i > start
    }

    /// An `NCName` (expat's name without colon) at `start`: its end.
    fn ncname(&self, start: usize) -> Option<usize> {
        let rest = self.src.get(start..)?;
        let mut chars = rest.char_indices();
        let (_, first) = chars.next()?;
        if !is_name_start(first) {
            return None;
        }
        let len = chars
            .find(|&(_, c)| !is_name_char(c))
            .map_or(rest.len(), |(offset, _)| offset);
        Some(start + len)
    }

    /// A `QName` at `start`: its end and the offset of its colon.
    fn qname(&self, start: usize) -> Option<(usize, Option<usize>)> {
        let end = self.ncname(start)?;
        if self.byte(end) != Some(b':') {
            return Some((end, None));
        }
        let local_end = self.ncname(end + 1)?;
        if self.byte(local_end) == Some(b':') {
            return None;
        }
        Some((local_end, Some(end - start)))
    }

    fn document(&mut self) -> Step {
        let mut seen_root = false;
        while let Some(b) = self.byte(self.pos) {
            if !self.open.is_empty() {
                self.content(b)?;
                continue;
            }
            // Prolog and epilogue: spaces, comments, processing instructions, one element.
            if is_xml_space(b) {
                self.pos += 1;
            } else if self.starts_with(self.pos, "<?") {
                self.pi()?;
            } else if self.starts_with(self.pos, "<!--") {
                self.comment()?;
            } else if b == b'<' && !seen_root {
                seen_root = true;
                self.start_tag()?;
            } else {
                return Err("junk after document element".into());
            }
        }
        if !seen_root {
            return Err("no element found".into());
        }
        if !self.open.is_empty() {
            return Err("unclosed element".into());
        }
        Ok(())
    }

    fn content(&mut self, b: u8) -> Step {
        match b {
            b'<' => match self.byte(self.pos + 1) {
                Some(b'/') => self.end_tag(),
                Some(b'?') => self.pi(),
                Some(b'!') => {
                    if self.starts_with(self.pos, "<!--") {
                        self.comment()
                    } else if self.starts_with(self.pos, "<![CDATA[") {
                        self.cdata()
                    } else {
                        Err("invalid markup declaration".into())
                    }
                }
                _ => self.start_tag(),
            },
            b'&' => {
                let (c, end) = self.reference(self.pos)?;
                let mut buf = [0; 4];
                self.sink.text(c.encode_utf8(&mut buf));
                self.pos = end;
                Ok(())
            }
            _ => self.char_data(),
        }
    }

    /// Character data up to the next `<` or `&`: valid characters, no `]]>`, line ends as `\n`.
    fn char_data(&mut self) -> Step {
        let bytes = self.src.as_bytes();
        let mut from = self.pos;
        let mut i = self.pos;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'<' | b'&' => break,
                b'\r' => {
                    self.emit(from, i);
                    self.sink.text("\n");
                    i += if bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    from = i;
                }
                b']' if self.starts_with(i, "]]>") => {
                    self.pos = i;
                    return Err("']]>' in character data".into());
                }
                _ if invalid_char_at(bytes, i) => {
                    self.pos = i;
                    return Err("invalid character".into());
                }
                _ => i += 1,
            }
        }
        self.emit(from, i);
        self.pos = i;
        Ok(())
    }

    /// A reference at `at` (an `&`): the character it stands for and where it ends.
    fn reference(&self, at: usize) -> Result<(char, usize), String> {
        if self.byte(at + 1) == Some(b'#') {
            let (radix, digits) = if self.byte(at + 2) == Some(b'x') {
                (16, at + 3)
            } else {
                (10, at + 2)
            };
            let mut i = digits;
            let mut value: u32 = 0;
            while let Some(d) = self.byte(i).and_then(|b| char::from(b).to_digit(radix)) {
                value = (value * radix + d).min(0x11_0000);
                i += 1;
            }
            if i == digits || self.byte(i) != Some(b';') {
                return Err("malformed character reference".into());
            }
            return match char::from_u32(value).filter(|&c| is_xml_char(c)) {
                Some(c) => Ok((c, i + 1)),
                None => Err("reference to invalid character number".into()),
            };
        }
        let Some(end) = self.ncname(at + 1) else {
            return Err("malformed entity reference".into());
        };
        if self.byte(end) != Some(b';') {
            return Err("malformed entity reference".into());
        }
        let c = match self.slice(at + 1, end) {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => return Err("undefined entity".into()),
        };
        Ok((c, end + 1))
    }

    /// `<!-- ... -->` (`--` only as the end).
    fn comment(&mut self) -> Step {
        let bytes = self.src.as_bytes();
        let mut i = self.pos + 4;
        loop {
            match bytes.get(i) {
                None => return Err("unclosed comment".into()),
                Some(b'-') if bytes.get(i + 1) == Some(&b'-') => {
                    if bytes.get(i + 2) == Some(&b'>') {
                        self.pos = i + 3;
                        return Ok(());
                    }
                    self.pos = i;
                    return Err("'--' inside a comment".into());
                }
                _ if invalid_char_at(bytes, i) => {
                    self.pos = i;
                    return Err("invalid character".into());
                }
                _ => i += 1,
            }
        }
    }

    /// `<![CDATA[ ... ]]>`: its characters are character data (line ends as `\n`).
    fn cdata(&mut self) -> Step {
        let bytes = self.src.as_bytes();
        let mut i = self.pos + 9;
        let mut from = i;
        loop {
            match bytes.get(i) {
                None => return Err("unclosed CDATA section".into()),
                Some(b']') if self.starts_with(i, "]]>") => {
                    self.emit(from, i);
                    self.pos = i + 3;
                    return Ok(());
                }
                Some(b'\r') => {
                    self.emit(from, i);
                    self.sink.text("\n");
                    i += if bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    from = i;
                }
                _ if invalid_char_at(bytes, i) => {
                    self.pos = i;
                    return Err("invalid character".into());
                }
                _ => i += 1,
            }
        }
    }

    /// `<?target ...?>`: the target an `NCName` other than `xml` in any case.
    fn pi(&mut self) -> Step {
        let start = self.pos + 2;
        let Some(end) = self.ncname(start) else {
            return Err("invalid processing instruction target".into());
        };
        if self.slice(start, end).eq_ignore_ascii_case("xml") {
            return Err("XML or text declaration not at start of entity".into());
        }
        let bytes = self.src.as_bytes();
        let mut i = end;
        match bytes.get(i) {
            Some(b'?') if bytes.get(i + 1) == Some(&b'>') => {
                self.pos = i + 2;
                return Ok(());
            }
            Some(&b) if is_xml_space(b) => {}
            _ => {
                self.pos = i;
                return Err("invalid processing instruction".into());
            }
        }
        loop {
            match bytes.get(i) {
                None => return Err("unclosed processing instruction".into()),
                Some(b'?') if bytes.get(i + 1) == Some(&b'>') => {
                    self.pos = i + 2;
                    return Ok(());
                }
                _ if invalid_char_at(bytes, i) => {
                    self.pos = i;
                    return Err("invalid character".into());
                }
                _ => i += 1,
            }
        }
    }

    /// An attribute value after its opening quote at `*i - 1`; `*i` ends after the closing quote.
    fn attr_value(&self, i: &mut usize, quote: u8) -> Result<String, String> {
        let bytes = self.src.as_bytes();
        let mut value = String::new();
        let mut from = *i;
        let mut j = *i;
        loop {
            match bytes.get(j) {
                None => return Err("unclosed attribute value".into()),
                Some(&b) if b == quote => {
                    value.push_str(self.slice(from, j));
                    *i = j + 1;
                    return Ok(value);
                }
                Some(b'<') => return Err("'<' in an attribute value".into()),
                Some(b'&') => {
                    value.push_str(self.slice(from, j));
                    let (c, end) = self.reference(j)?;
                    value.push(c);
                    j = end;
                    from = j;
                }
                Some(b'\r' | b'\n' | b'\t') => {
                    value.push_str(self.slice(from, j));
                    value.push(' ');
                    let crlf = bytes.get(j) == Some(&b'\r') && bytes.get(j + 1) == Some(&b'\n');
                    j += if crlf { 2 } else { 1 };
                    from = j;
                }
                _ if invalid_char_at(bytes, j) => return Err("invalid character".into()),
                _ => j += 1,
            }
        }
    }

    /// A start tag or empty-element tag at `self.pos`, with its namespace processing.
    fn start_tag(&mut self) -> Step {
        let name_start = self.pos + 1;
        let Some((name_end, colon)) = self.qname(name_start) else {
            return Err("not well-formed (invalid token)".into());
        };
        let name = self.slice(name_start, name_end);
        let mut attrs: Vec<Attr<'a>> = Vec::new();
        let mut i = name_end;
        let empty = loop {
            let had_space = self.skip_spaces(&mut i);
            match self.byte(i) {
                None => return Err("unclosed start tag".into()),
                Some(b'>') => {
                    i += 1;
                    break false;
                }
                Some(b'/') if self.byte(i + 1) == Some(b'>') => {
                    i += 2;
                    break true;
                }
                Some(_) if had_space => {
                    let Some((attr_end, attr_colon)) = self.qname(i) else {
                        self.pos = i;
                        return Err("not well-formed (invalid token)".into());
                    };
                    let attr_name = self.slice(i, attr_end);
                    i = attr_end;
                    self.skip_spaces(&mut i);
                    if self.byte(i) != Some(b'=') {
                        self.pos = i;
                        return Err("attribute without '='".into());
                    }
                    i += 1;
                    self.skip_spaces(&mut i);
                    let Some(quote @ (b'"' | b'\'')) = self.byte(i) else {
                        self.pos = i;
                        return Err("unquoted attribute value".into());
                    };
                    i += 1;
                    let value = self
                        .attr_value(&mut i, quote)
                        .inspect_err(|_| self.pos = i)?;
                    attrs.push(Attr {
                        name: attr_name,
                        colon: attr_colon,
                        value,
                    });
                }
                Some(_) => {
                    self.pos = i;
                    return Err("not well-formed (invalid token)".into());
                }
            }
        };
        self.namespaces(name, colon, &attrs, empty)?;
        self.pos = i;
        Ok(())
    }

    /// Namespace processing of a start tag (expat's `storeAtts`), then the element's start.
    fn namespaces(
        &mut self,
        name: &'a str,
        colon: Option<usize>,
        attrs: &[Attr<'a>],
        empty: bool,
    ) -> Step {
        let mut raw_names = HashSet::with_capacity(attrs.len());
        if !attrs.iter().all(|a| raw_names.insert(a.name)) {
            return Err("duplicate attribute".into());
        }
        let outer = self.bindings.len();
        for attr in attrs {
            let prefix = if attr.name == "xmlns" {
                ""
            } else if let Some(prefix) = attr.name.strip_prefix("xmlns:") {
                prefix
            } else {
                continue;
            };
            if let Err(what) = check_binding(prefix, &attr.value) {
                self.unbind(outer);
                return Err(what.into());
            }
            self.bindings.push(prefix);
            self.scopes
                .entry(prefix)
                .or_default()
                .push(attr.value.clone());
        }
        let result = self.resolve(name, colon, attrs);
        let uri = match result {
            Ok(uri) => uri,
            Err(what) => {
                self.unbind(outer);
                return Err(what);
            }
        };
        let local = colon.map_or(name, |c| name.get(c + 1..).unwrap_or(""));
        self.sink.start(uri.as_deref(), local);
        if empty {
            self.unbind(outer);
            self.sink.end();
        } else {
            self.open.push(Open {
                name,
                bindings: outer,
            });
        }
        Ok(())
    }

    /// The URI a prefix is bound to (`""` for the default namespace; `None` when unbound).
    fn lookup(&self, prefix: &str) -> Option<&str> {
        self.scopes
            .get(prefix)
            .and_then(|uris| uris.last())
            .map(String::as_str)
    }

    /// Ends the bindings declared after the first `keep`.
    fn unbind(&mut self, keep: usize) {
        while self.bindings.len() > keep {
            if let Some(prefix) = self.bindings.pop()
                && let Some(uris) = self.scopes.get_mut(prefix)
            {
                uris.pop();
            }
        }
    }

    /// Checks the prefixed attributes of a start tag and returns its element's namespace.
    fn resolve(
        &self,
        name: &str,
        colon: Option<usize>,
        attrs: &[Attr<'a>],
    ) -> Result<Option<String>, String> {
        let mut expanded: HashSet<(&str, &str)> = HashSet::new();
        for attr in attrs {
            let Some(c) = attr.colon else { continue };
            let prefix = attr.name.get(..c).unwrap_or("");
            if prefix == "xmlns" {
                continue;
            }
            let local = attr.name.get(c + 1..).unwrap_or("");
            let Some(uri) = self.lookup(prefix) else {
                return Err("unbound prefix".into());
            };
            if !expanded.insert((uri, local)) {
                return Err("duplicate attribute".into());
            }
        }
        match colon {
            Some(c) => {
                let prefix = name.get(..c).unwrap_or("");
                match self.lookup(prefix) {
                    // `xmlns` is never bound (declaring it is an error).
                    Some(uri) if prefix != "xmlns" => Ok(Some(uri.to_owned())),
                    _ => Err("unbound prefix".into()),
                }
            }
            None => Ok(self
                .lookup("")
                .filter(|uri| !uri.is_empty())
                .map(str::to_owned)),
        }
    }

    /// An end tag at `self.pos`: the same raw name as the open element's.
    fn end_tag(&mut self) -> Step {
        let start = self.pos + 2;
        let rest = self.src.get(start..).unwrap_or("");
        let mut chars = rest.char_indices();
        if !chars.next().is_some_and(|(_, c)| is_name_start(c)) {
            return Err("not well-formed (invalid token)".into());
        }
        let len = chars
            .find(|&(_, c)| !(is_name_char(c) || c == ':'))
            .map_or(rest.len(), |(offset, _)| offset);
        let name = self.slice(start, start + len);
        let mut i = start + len;
        self.skip_spaces(&mut i);
        if self.byte(i) != Some(b'>') {
            return Err("not well-formed (invalid token)".into());
        }
        match self.open.pop() {
            Some(open) if open.name == name => {
                self.unbind(open.bindings);
                self.sink.end();
                self.pos = i + 1;
                Ok(())
            }
            _ => Err("mismatched tag".into()),
        }
    }
}

/// expat's `addBinding` checks for `xmlns` (prefix `""`) or `xmlns:prefix` set to `uri`.
fn check_binding(prefix: &str, uri: &str) -> Result<(), &'static str> {
    if prefix == "xmlns" {
        return Err("reserved prefix (xmlns) must not be declared or undeclared");
    }
    if !prefix.is_empty() && uri.is_empty() {
        return Err("unbinding a prefix is not allowed");
    }
    if uri.contains('}') {
        // `ElementTree` makes expat separate URI and local name with `}`.
        return Err("namespace URI containing the namespace separator");
    }
    if (prefix == "xml") != (uri == XML_NAMESPACE) {
        return Err("reserved prefix (xml) or namespace URI");
    }
    if uri == XMLNS_NAMESPACE {
        return Err("reserved namespace URI");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `_build_xml_tree`
// ---------------------------------------------------------------------------------------------

/// One `_parse_xml_element` call in progress.
struct Fold {
    node: usize,
    map: Map<String, Value>,
    next_child: usize,
}

/// Folds the parsed elements into memor's tree, in the order Python's recursion visits them (so
/// the first error Python would meet is the one reported).
fn fold_tree(mut nodes: Vec<TreeNode>) -> Result<Value, XmlError> {
    // The wrapper: `tree` in `_build_xml_tree`, which has no `text` key.
    let mut stack = vec![Fold {
        node: 0,
        map: Map::new(),
        next_child: 0,
    }];
    loop {
        let Some(top) = stack.last_mut() else {
            return Ok(Value::Object(Map::new()));
        };
        let child = nodes
            .get(top.node)
            .and_then(|n| n.children.get(top.next_child))
            .copied();
        if let Some(child) = child {
            top.next_child += 1;
            // The child's depth is the number of open calls plus one, minus the wrapper.
            if stack.len() > MAX_TREE_DEPTH {
                return Err(XmlError::new(
                    XmlErrorKind::TooDeep,
                    format!("elements nest deeper than {MAX_TREE_DEPTH} levels"),
                ));
            }
            let mut map = Map::new();
            if let Some(node) = nodes.get(child) {
                let text = py_strip(&node.text);
                if !text.is_empty() {
                    map.insert("text".to_owned(), Value::String(text.to_owned()));
                }
            }
            stack.push(Fold {
                node: child,
                map,
                next_child: 0,
            });
            continue;
        }
        let Some(done) = stack.pop() else {
            return Ok(Value::Object(Map::new()));
        };
        let Some(parent) = stack.last_mut() else {
            return Ok(Value::Object(done.map));
        };
        let tag = nodes
            .get_mut(done.node)
            .map(|n| std::mem::take(&mut n.tag))
            .unwrap_or_default();
        let value = Value::Object(done.map);
        match parent.map.get_mut(&tag) {
            None => {
                parent.map.insert(tag, Value::Array(vec![value]));
            }
            Some(Value::Array(list)) => list.push(value),
            Some(_) => {
                return Err(XmlError::new(
                    XmlErrorKind::TextChildConflict,
                    "an element with text has a child element named 'text'",
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `_build_xml_string`
// ---------------------------------------------------------------------------------------------

/// An element `_build_xml_element` creates.
struct BuildElem<'v> {
    tag: &'v str,
    /// `element.text` (set only when truthy; always a string here).
    text: Option<&'v str>,
    children: Vec<usize>,
}

/// The nodes `for node in nodes` visits, when each is usable as a node.
fn node_list<'v>(tag: &str, nodes: &'v Value) -> Result<&'v [Value], XmlError> {
    match nodes {
        Value::Array(list) => Ok(list),
        // Iterating a string or a dict yields strings, which have no `get`.
        Value::String(s) if s.is_empty() => Ok(&[]),
        Value::Object(o) if o.is_empty() => Ok(&[]),
        Value::String(_) | Value::Object(_) => Err(XmlError::tree(format!(
            "the nodes of {tag:?} are {}, not an array of objects",
            json_kind(nodes)
        ))),
        Value::Null | Value::Bool(_) | Value::Number(_) => Err(XmlError::tree(format!(
            "the nodes of {tag:?} are {}, which is not iterable",
            json_kind(nodes)
        ))),
    }
}

/// Python's truth value of a JSON value.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i != 0
            } else if let Some(u) = n.as_u64() {
                u != 0
            } else {
                // A float that reads as zero (`0.0`, `-0.0`, `1e-400`) is falsy.
                n.as_f64().is_none_or(|f| f.abs() > 0.0)
            }
        }
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `ElementTree.SubElement(parent, tag)` with its text, for one node.
fn new_build_elem<'v>(
    elems: &mut Vec<BuildElem<'v>>,
    tag: &'v str,
    node: &'v Value,
    depth: usize,
) -> Result<(usize, &'v Map<String, Value>), XmlError> {
    if depth > MAX_BUILD_DEPTH {
        return Err(XmlError::tree(format!(
            "elements nest deeper than {MAX_BUILD_DEPTH} levels"
        )));
    }
    let Value::Object(node) = node else {
        return Err(XmlError::tree(format!(
            "a node of {tag:?} is {}, not an object",
            json_kind(node)
        )));
    };
    let text = match node.get("text") {
        Some(text) if is_truthy(text) => match text {
            Value::String(s) => Some(s.as_str()),
            other => {
                return Err(XmlError::tree(format!(
                    "the text of a node of {tag:?} is {}, which ElementTree cannot serialize",
                    json_kind(other)
                )));
            }
        },
        _ => None,
    };
    elems.push(BuildElem {
        tag,
        text,
        children: Vec::new(),
    });
    Ok((elems.len() - 1, node))
}

/// `ElementTree`'s well-known namespace prefixes.
fn well_known_prefix(uri: &str) -> Option<&'static str> {
    Some(match uri {
        XML_NAMESPACE => "xml",
        "http://www.w3.org/1999/xhtml" => "html",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#" => "rdf",
        "http://schemas.xmlsoap.org/wsdl/" => "wsdl",
        "http://www.w3.org/2001/XMLSchema" => "xs",
        "http://www.w3.org/2001/XMLSchema-instance" => "xsi",
        "http://purl.org/dc/elements/1.1/" => "dc",
        _ => return None,
    })
}

/// `ElementTree.tostring(element, encoding="unicode")` of the element `root`, appended to `out`.
fn serialize(elems: &[BuildElem<'_>], root: usize, out: &mut String) -> Result<(), XmlError> {
    // `_namespaces`: qualified names in pre-order, URIs numbered as they are met.
    let mut qnames: HashMap<&str, String> = HashMap::new();
    let mut prefixes: HashMap<&str, String> = HashMap::new();
    let mut pending = vec![root];
    while let Some(idx) = pending.pop() {
        let Some(elem) = elems.get(idx) else { continue };
        pending.extend(elem.children.iter().rev());
        if qnames.contains_key(elem.tag) {
            continue;
        }
        let qname = if let Some(rest) = elem.tag.strip_prefix('{') {
            let Some((uri, local)) = rest.rsplit_once('}') else {
                return Err(XmlError::tree(format!(
                    "the tag {:?} opens a namespace it does not close",
                    elem.tag
                )));
            };
            let prefix = if let Some(prefix) = prefixes.get(uri) {
                prefix.clone()
            } else {
                let prefix = well_known_prefix(uri)
                    .map_or_else(|| format!("ns{}", prefixes.len()), str::to_owned);
                if prefix != "xml" {
                    prefixes.insert(uri, prefix.clone());
                }
                prefix
            };
            format!("{prefix}:{local}")
        } else {
            elem.tag.to_owned()
        };
        qnames.insert(elem.tag, qname);
    }
    let mut declarations: Vec<(&str, &str)> = prefixes
        .iter()
        .map(|(uri, prefix)| (prefix.as_str(), *uri))
        .collect();
    declarations.sort_unstable();

    // `_serialize_xml`, with an explicit stack: `Some(idx)` opens, `None` closes the innermost.
    let mut closing: Vec<&str> = Vec::new();
    let mut todo = vec![Some(root)];
    while let Some(step) = todo.pop() {
        let Some(idx) = step else {
            if let Some(qname) = closing.pop() {
                out.push_str("</");
                out.push_str(qname);
                out.push('>');
            }
            continue;
        };
        let Some(elem) = elems.get(idx) else { continue };
        let qname = qnames.get(elem.tag).map_or(elem.tag, String::as_str);
        out.push('<');
        out.push_str(qname);
        if idx == root {
            for (prefix, uri) in &declarations {
                out.push_str(" xmlns:");
                out.push_str(prefix);
                out.push_str("=\"");
                escape_attrib(uri, out);
                out.push('"');
            }
        }
        if elem.text.is_none() && elem.children.is_empty() {
            out.push_str(" />");
            continue;
        }
        out.push('>');
        if let Some(text) = elem.text {
            escape_cdata(text, out);
        }
        closing.push(qname);
        todo.push(None);
        todo.extend(elem.children.iter().rev().map(|&c| Some(c)));
    }
    Ok(())
}

/// `ElementTree`'s `_escape_cdata`.
fn escape_cdata(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// `ElementTree`'s `_escape_attrib`.
fn escape_attrib(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#09;"),
            c => out.push(c),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Character tables, generated with CPython 3.11.7 (pyexpat 2.5.0): every code
// point was tried as the first and as the second character of an element name parsed by
// defusedxml, and matched against `re.compile(r"\w")`.
// ---------------------------------------------------------------------------------------------

/// Non-ASCII characters expat 2.5 accepts as the first character of a name (inclusive ranges).
#[rustfmt::skip]
const EXPAT_NAME_START: &[[u32; 2]] = &[
    [0x00C0, 0x00D6], [0x00D8, 0x00F6], [0x00F8, 0x0131], [0x0134, 0x013E], [0x0141, 0x0148],
    [0x014A, 0x017E], [0x0180, 0x01C3], [0x01CD, 0x01F0], [0x01F4, 0x01F5], [0x01FA, 0x0217],
    [0x0250, 0x02A8], [0x02BB, 0x02C1], [0x0386, 0x0386], [0x0388, 0x038A], [0x038C, 0x038C],
    [0x038E, 0x03A1], [0x03A3, 0x03CE], [0x03D0, 0x03D6], [0x03DA, 0x03DA], [0x03DC, 0x03DC],
    [0x03DE, 0x03DE], [0x03E0, 0x03E0], [0x03E2, 0x03F3], [0x0401, 0x040C], [0x040E, 0x044F],
    [0x0451, 0x045C], [0x045E, 0x0481], [0x0490, 0x04C4], [0x04C7, 0x04C8], [0x04CB, 0x04CC],
    [0x04D0, 0x04EB], [0x04EE, 0x04F5], [0x04F8, 0x04F9], [0x0531, 0x0556], [0x0559, 0x0559],
    [0x0561, 0x0586], [0x05D0, 0x05EA], [0x05F0, 0x05F2], [0x0621, 0x063A], [0x0641, 0x064A],
    [0x0671, 0x06B7], [0x06BA, 0x06BE], [0x06C0, 0x06CE], [0x06D0, 0x06D3], [0x06D5, 0x06D5],
    [0x06E5, 0x06E6], [0x0905, 0x0939], [0x093D, 0x093D], [0x0958, 0x0961], [0x0985, 0x098C],
    [0x098F, 0x0990], [0x0993, 0x09A8], [0x09AA, 0x09B0], [0x09B2, 0x09B2], [0x09B6, 0x09B9],
    [0x09DC, 0x09DD], [0x09DF, 0x09E1], [0x09F0, 0x09F1], [0x0A05, 0x0A0A], [0x0A0F, 0x0A10],
    [0x0A13, 0x0A28], [0x0A2A, 0x0A30], [0x0A32, 0x0A33], [0x0A35, 0x0A36], [0x0A38, 0x0A39],
    [0x0A59, 0x0A5C], [0x0A5E, 0x0A5E], [0x0A72, 0x0A74], [0x0A85, 0x0A8B], [0x0A8D, 0x0A8D],
    [0x0A8F, 0x0A91], [0x0A93, 0x0AA8], [0x0AAA, 0x0AB0], [0x0AB2, 0x0AB3], [0x0AB5, 0x0AB9],
    [0x0ABD, 0x0ABD], [0x0AE0, 0x0AE0], [0x0B05, 0x0B0C], [0x0B0F, 0x0B10], [0x0B13, 0x0B28],
    [0x0B2A, 0x0B30], [0x0B32, 0x0B33], [0x0B36, 0x0B39], [0x0B3D, 0x0B3D], [0x0B5C, 0x0B5D],
    [0x0B5F, 0x0B61], [0x0B85, 0x0B8A], [0x0B8E, 0x0B90], [0x0B92, 0x0B95], [0x0B99, 0x0B9A],
    [0x0B9C, 0x0B9C], [0x0B9E, 0x0B9F], [0x0BA3, 0x0BA4], [0x0BA8, 0x0BAA], [0x0BAE, 0x0BB5],
    [0x0BB7, 0x0BB9], [0x0C05, 0x0C0C], [0x0C0E, 0x0C10], [0x0C12, 0x0C28], [0x0C2A, 0x0C33],
    [0x0C35, 0x0C39], [0x0C60, 0x0C61], [0x0C85, 0x0C8C], [0x0C8E, 0x0C90], [0x0C92, 0x0CA8],
    [0x0CAA, 0x0CB3], [0x0CB5, 0x0CB9], [0x0CDE, 0x0CDE], [0x0CE0, 0x0CE1], [0x0D05, 0x0D0C],
    [0x0D0E, 0x0D10], [0x0D12, 0x0D28], [0x0D2A, 0x0D39], [0x0D60, 0x0D61], [0x0E01, 0x0E2E],
    [0x0E30, 0x0E30], [0x0E32, 0x0E33], [0x0E40, 0x0E45], [0x0E81, 0x0E82], [0x0E84, 0x0E84],
    [0x0E87, 0x0E88], [0x0E8A, 0x0E8A], [0x0E8D, 0x0E8D], [0x0E94, 0x0E97], [0x0E99, 0x0E9F],
    [0x0EA1, 0x0EA3], [0x0EA5, 0x0EA5], [0x0EA7, 0x0EA7], [0x0EAA, 0x0EAB], [0x0EAD, 0x0EAE],
    [0x0EB0, 0x0EB0], [0x0EB2, 0x0EB3], [0x0EBD, 0x0EBD], [0x0EC0, 0x0EC4], [0x0F40, 0x0F47],
    [0x0F49, 0x0F69], [0x10A0, 0x10C5], [0x10D0, 0x10F6], [0x1100, 0x1100], [0x1102, 0x1103],
    [0x1105, 0x1107], [0x1109, 0x1109], [0x110B, 0x110C], [0x110E, 0x1112], [0x113C, 0x113C],
    [0x113E, 0x113E], [0x1140, 0x1140], [0x114C, 0x114C], [0x114E, 0x114E], [0x1150, 0x1150],
    [0x1154, 0x1155], [0x1159, 0x1159], [0x115F, 0x1161], [0x1163, 0x1163], [0x1165, 0x1165],
    [0x1167, 0x1167], [0x1169, 0x1169], [0x116D, 0x116E], [0x1172, 0x1173], [0x1175, 0x1175],
    [0x119E, 0x119E], [0x11A8, 0x11A8], [0x11AB, 0x11AB], [0x11AE, 0x11AF], [0x11B7, 0x11B8],
    [0x11BA, 0x11BA], [0x11BC, 0x11C2], [0x11EB, 0x11EB], [0x11F0, 0x11F0], [0x11F9, 0x11F9],
    [0x1E00, 0x1E9B], [0x1EA0, 0x1EF9], [0x1F00, 0x1F15], [0x1F18, 0x1F1D], [0x1F20, 0x1F45],
    [0x1F48, 0x1F4D], [0x1F50, 0x1F57], [0x1F59, 0x1F59], [0x1F5B, 0x1F5B], [0x1F5D, 0x1F5D],
    [0x1F5F, 0x1F7D], [0x1F80, 0x1FB4], [0x1FB6, 0x1FBC], [0x1FBE, 0x1FBE], [0x1FC2, 0x1FC4],
    [0x1FC6, 0x1FCC], [0x1FD0, 0x1FD3], [0x1FD6, 0x1FDB], [0x1FE0, 0x1FEC], [0x1FF2, 0x1FF4],
    [0x1FF6, 0x1FFC], [0x2126, 0x2126], [0x212A, 0x212B], [0x212E, 0x212E], [0x2180, 0x2182],
    [0x3007, 0x3007], [0x3021, 0x3029], [0x3041, 0x3094], [0x30A1, 0x30FA], [0x3105, 0x312C],
    [0x4E00, 0x9FA5], [0xAC00, 0xD7A3],
];

/// Non-ASCII characters expat 2.5 accepts in a name after its first character (inclusive ranges).
#[rustfmt::skip]
const EXPAT_NAME_CHAR: &[[u32; 2]] = &[
    [0x00B7, 0x00B7], [0x00C0, 0x00D6], [0x00D8, 0x00F6], [0x00F8, 0x0131], [0x0134, 0x013E],
    [0x0141, 0x0148], [0x014A, 0x017E], [0x0180, 0x01C3], [0x01CD, 0x01F0], [0x01F4, 0x01F5],
    [0x01FA, 0x0217], [0x0250, 0x02A8], [0x02BB, 0x02C1], [0x02D0, 0x02D1], [0x0300, 0x0345],
    [0x0360, 0x0361], [0x0386, 0x038A], [0x038C, 0x038C], [0x038E, 0x03A1], [0x03A3, 0x03CE],
    [0x03D0, 0x03D6], [0x03DA, 0x03DA], [0x03DC, 0x03DC], [0x03DE, 0x03DE], [0x03E0, 0x03E0],
    [0x03E2, 0x03F3], [0x0401, 0x040C], [0x040E, 0x044F], [0x0451, 0x045C], [0x045E, 0x0481],
    [0x0483, 0x0486], [0x0490, 0x04C4], [0x04C7, 0x04C8], [0x04CB, 0x04CC], [0x04D0, 0x04EB],
    [0x04EE, 0x04F5], [0x04F8, 0x04F9], [0x0531, 0x0556], [0x0559, 0x0559], [0x0561, 0x0586],
    [0x0591, 0x05A1], [0x05A3, 0x05B9], [0x05BB, 0x05BD], [0x05BF, 0x05BF], [0x05C1, 0x05C2],
    [0x05C4, 0x05C4], [0x05D0, 0x05EA], [0x05F0, 0x05F2], [0x0621, 0x063A], [0x0640, 0x0652],
    [0x0660, 0x0669], [0x0670, 0x06B7], [0x06BA, 0x06BE], [0x06C0, 0x06CE], [0x06D0, 0x06D3],
    [0x06D5, 0x06E8], [0x06EA, 0x06ED], [0x06F0, 0x06F9], [0x0901, 0x0903], [0x0905, 0x0939],
    [0x093C, 0x094D], [0x0951, 0x0954], [0x0958, 0x0963], [0x0966, 0x096F], [0x0981, 0x0983],
    [0x0985, 0x098C], [0x098F, 0x0990], [0x0993, 0x09A8], [0x09AA, 0x09B0], [0x09B2, 0x09B2],
    [0x09B6, 0x09B9], [0x09BC, 0x09BC], [0x09BE, 0x09C4], [0x09C7, 0x09C8], [0x09CB, 0x09CD],
    [0x09D7, 0x09D7], [0x09DC, 0x09DD], [0x09DF, 0x09E3], [0x09E6, 0x09F1], [0x0A02, 0x0A02],
    [0x0A05, 0x0A0A], [0x0A0F, 0x0A10], [0x0A13, 0x0A28], [0x0A2A, 0x0A30], [0x0A32, 0x0A33],
    [0x0A35, 0x0A36], [0x0A38, 0x0A39], [0x0A3C, 0x0A3C], [0x0A3E, 0x0A42], [0x0A47, 0x0A48],
    [0x0A4B, 0x0A4D], [0x0A59, 0x0A5C], [0x0A5E, 0x0A5E], [0x0A66, 0x0A74], [0x0A81, 0x0A83],
    [0x0A85, 0x0A8B], [0x0A8D, 0x0A8D], [0x0A8F, 0x0A91], [0x0A93, 0x0AA8], [0x0AAA, 0x0AB0],
    [0x0AB2, 0x0AB3], [0x0AB5, 0x0AB9], [0x0ABC, 0x0AC5], [0x0AC7, 0x0AC9], [0x0ACB, 0x0ACD],
    [0x0AE0, 0x0AE0], [0x0AE6, 0x0AEF], [0x0B01, 0x0B03], [0x0B05, 0x0B0C], [0x0B0F, 0x0B10],
    [0x0B13, 0x0B28], [0x0B2A, 0x0B30], [0x0B32, 0x0B33], [0x0B36, 0x0B39], [0x0B3C, 0x0B43],
    [0x0B47, 0x0B48], [0x0B4B, 0x0B4D], [0x0B56, 0x0B57], [0x0B5C, 0x0B5D], [0x0B5F, 0x0B61],
    [0x0B66, 0x0B6F], [0x0B82, 0x0B83], [0x0B85, 0x0B8A], [0x0B8E, 0x0B90], [0x0B92, 0x0B95],
    [0x0B99, 0x0B9A], [0x0B9C, 0x0B9C], [0x0B9E, 0x0B9F], [0x0BA3, 0x0BA4], [0x0BA8, 0x0BAA],
    [0x0BAE, 0x0BB5], [0x0BB7, 0x0BB9], [0x0BBE, 0x0BC2], [0x0BC6, 0x0BC8], [0x0BCA, 0x0BCD],
    [0x0BD7, 0x0BD7], [0x0BE7, 0x0BEF], [0x0C01, 0x0C03], [0x0C05, 0x0C0C], [0x0C0E, 0x0C10],
    [0x0C12, 0x0C28], [0x0C2A, 0x0C33], [0x0C35, 0x0C39], [0x0C3E, 0x0C44], [0x0C46, 0x0C48],
    [0x0C4A, 0x0C4D], [0x0C55, 0x0C56], [0x0C60, 0x0C61], [0x0C66, 0x0C6F], [0x0C82, 0x0C83],
    [0x0C85, 0x0C8C], [0x0C8E, 0x0C90], [0x0C92, 0x0CA8], [0x0CAA, 0x0CB3], [0x0CB5, 0x0CB9],
    [0x0CBE, 0x0CC4], [0x0CC6, 0x0CC8], [0x0CCA, 0x0CCD], [0x0CD5, 0x0CD6], [0x0CDE, 0x0CDE],
    [0x0CE0, 0x0CE1], [0x0CE6, 0x0CEF], [0x0D02, 0x0D03], [0x0D05, 0x0D0C], [0x0D0E, 0x0D10],
    [0x0D12, 0x0D28], [0x0D2A, 0x0D39], [0x0D3E, 0x0D43], [0x0D46, 0x0D48], [0x0D4A, 0x0D4D],
    [0x0D57, 0x0D57], [0x0D60, 0x0D61], [0x0D66, 0x0D6F], [0x0E01, 0x0E2E], [0x0E30, 0x0E3A],
    [0x0E40, 0x0E4E], [0x0E50, 0x0E59], [0x0E81, 0x0E82], [0x0E84, 0x0E84], [0x0E87, 0x0E88],
    [0x0E8A, 0x0E8A], [0x0E8D, 0x0E8D], [0x0E94, 0x0E97], [0x0E99, 0x0E9F], [0x0EA1, 0x0EA3],
    [0x0EA5, 0x0EA5], [0x0EA7, 0x0EA7], [0x0EAA, 0x0EAB], [0x0EAD, 0x0EAE], [0x0EB0, 0x0EB9],
    [0x0EBB, 0x0EBD], [0x0EC0, 0x0EC4], [0x0EC6, 0x0EC6], [0x0EC8, 0x0ECD], [0x0ED0, 0x0ED9],
    [0x0F18, 0x0F19], [0x0F20, 0x0F29], [0x0F35, 0x0F35], [0x0F37, 0x0F37], [0x0F39, 0x0F39],
    [0x0F3E, 0x0F47], [0x0F49, 0x0F69], [0x0F71, 0x0F84], [0x0F86, 0x0F8B], [0x0F90, 0x0F95],
    [0x0F97, 0x0F97], [0x0F99, 0x0FAD], [0x0FB1, 0x0FB7], [0x0FB9, 0x0FB9], [0x10A0, 0x10C5],
    [0x10D0, 0x10F6], [0x1100, 0x1100], [0x1102, 0x1103], [0x1105, 0x1107], [0x1109, 0x1109],
    [0x110B, 0x110C], [0x110E, 0x1112], [0x113C, 0x113C], [0x113E, 0x113E], [0x1140, 0x1140],
    [0x114C, 0x114C], [0x114E, 0x114E], [0x1150, 0x1150], [0x1154, 0x1155], [0x1159, 0x1159],
    [0x115F, 0x1161], [0x1163, 0x1163], [0x1165, 0x1165], [0x1167, 0x1167], [0x1169, 0x1169],
    [0x116D, 0x116E], [0x1172, 0x1173], [0x1175, 0x1175], [0x119E, 0x119E], [0x11A8, 0x11A8],
    [0x11AB, 0x11AB], [0x11AE, 0x11AF], [0x11B7, 0x11B8], [0x11BA, 0x11BA], [0x11BC, 0x11C2],
    [0x11EB, 0x11EB], [0x11F0, 0x11F0], [0x11F9, 0x11F9], [0x1E00, 0x1E9B], [0x1EA0, 0x1EF9],
    [0x1F00, 0x1F15], [0x1F18, 0x1F1D], [0x1F20, 0x1F45], [0x1F48, 0x1F4D], [0x1F50, 0x1F57],
    [0x1F59, 0x1F59], [0x1F5B, 0x1F5B], [0x1F5D, 0x1F5D], [0x1F5F, 0x1F7D], [0x1F80, 0x1FB4],
    [0x1FB6, 0x1FBC], [0x1FBE, 0x1FBE], [0x1FC2, 0x1FC4], [0x1FC6, 0x1FCC], [0x1FD0, 0x1FD3],
    [0x1FD6, 0x1FDB], [0x1FE0, 0x1FEC], [0x1FF2, 0x1FF4], [0x1FF6, 0x1FFC], [0x20D0, 0x20DC],
    [0x20E1, 0x20E1], [0x2126, 0x2126], [0x212A, 0x212B], [0x212E, 0x212E], [0x2180, 0x2182],
    [0x3005, 0x3005], [0x3007, 0x3007], [0x3021, 0x302F], [0x3031, 0x3035], [0x3041, 0x3094],
    [0x3099, 0x309A], [0x309D, 0x309E], [0x30A1, 0x30FA], [0x30FC, 0x30FE], [0x3105, 0x312C],
    [0x4E00, 0x9FA5], [0xAC00, 0xD7A3],
];

/// Non-ASCII characters Python 3.11's `re` matches with `\w` (`str.isalnum()`; Unicode 14.0).
#[rustfmt::skip]
const PY_WORD: &[[u32; 2]] = &[
    [0x00AA, 0x00AA], [0x00B2, 0x00B3], [0x00B5, 0x00B5], [0x00B9, 0x00BA],
    [0x00BC, 0x00BE], [0x00C0, 0x00D6], [0x00D8, 0x00F6], [0x00F8, 0x02C1],
    [0x02C6, 0x02D1], [0x02E0, 0x02E4], [0x02EC, 0x02EC], [0x02EE, 0x02EE],
    [0x0370, 0x0374], [0x0376, 0x0377], [0x037A, 0x037D], [0x037F, 0x037F],
    [0x0386, 0x0386], [0x0388, 0x038A], [0x038C, 0x038C], [0x038E, 0x03A1],
    [0x03A3, 0x03F5], [0x03F7, 0x0481], [0x048A, 0x052F], [0x0531, 0x0556],
    [0x0559, 0x0559], [0x0560, 0x0588], [0x05D0, 0x05EA], [0x05EF, 0x05F2],
    [0x0620, 0x064A], [0x0660, 0x0669], [0x066E, 0x066F], [0x0671, 0x06D3],
    [0x06D5, 0x06D5], [0x06E5, 0x06E6], [0x06EE, 0x06FC], [0x06FF, 0x06FF],
    [0x0710, 0x0710], [0x0712, 0x072F], [0x074D, 0x07A5], [0x07B1, 0x07B1],
    [0x07C0, 0x07EA], [0x07F4, 0x07F5], [0x07FA, 0x07FA], [0x0800, 0x0815],
    [0x081A, 0x081A], [0x0824, 0x0824], [0x0828, 0x0828], [0x0840, 0x0858],
    [0x0860, 0x086A], [0x0870, 0x0887], [0x0889, 0x088E], [0x08A0, 0x08C9],
    [0x0904, 0x0939], [0x093D, 0x093D], [0x0950, 0x0950], [0x0958, 0x0961],
    [0x0966, 0x096F], [0x0971, 0x0980], [0x0985, 0x098C], [0x098F, 0x0990],
    [0x0993, 0x09A8], [0x09AA, 0x09B0], [0x09B2, 0x09B2], [0x09B6, 0x09B9],
    [0x09BD, 0x09BD], [0x09CE, 0x09CE], [0x09DC, 0x09DD], [0x09DF, 0x09E1],
    [0x09E6, 0x09F1], [0x09F4, 0x09F9], [0x09FC, 0x09FC], [0x0A05, 0x0A0A],
    [0x0A0F, 0x0A10], [0x0A13, 0x0A28], [0x0A2A, 0x0A30], [0x0A32, 0x0A33],
    [0x0A35, 0x0A36], [0x0A38, 0x0A39], [0x0A59, 0x0A5C], [0x0A5E, 0x0A5E],
    [0x0A66, 0x0A6F], [0x0A72, 0x0A74], [0x0A85, 0x0A8D], [0x0A8F, 0x0A91],
    [0x0A93, 0x0AA8], [0x0AAA, 0x0AB0], [0x0AB2, 0x0AB3], [0x0AB5, 0x0AB9],
    [0x0ABD, 0x0ABD], [0x0AD0, 0x0AD0], [0x0AE0, 0x0AE1], [0x0AE6, 0x0AEF],
    [0x0AF9, 0x0AF9], [0x0B05, 0x0B0C], [0x0B0F, 0x0B10], [0x0B13, 0x0B28],
    [0x0B2A, 0x0B30], [0x0B32, 0x0B33], [0x0B35, 0x0B39], [0x0B3D, 0x0B3D],
    [0x0B5C, 0x0B5D], [0x0B5F, 0x0B61], [0x0B66, 0x0B6F], [0x0B71, 0x0B77],
    [0x0B83, 0x0B83], [0x0B85, 0x0B8A], [0x0B8E, 0x0B90], [0x0B92, 0x0B95],
    [0x0B99, 0x0B9A], [0x0B9C, 0x0B9C], [0x0B9E, 0x0B9F], [0x0BA3, 0x0BA4],
    [0x0BA8, 0x0BAA], [0x0BAE, 0x0BB9], [0x0BD0, 0x0BD0], [0x0BE6, 0x0BF2],
    [0x0C05, 0x0C0C], [0x0C0E, 0x0C10], [0x0C12, 0x0C28], [0x0C2A, 0x0C39],
    [0x0C3D, 0x0C3D], [0x0C58, 0x0C5A], [0x0C5D, 0x0C5D], [0x0C60, 0x0C61],
    [0x0C66, 0x0C6F], [0x0C78, 0x0C7E], [0x0C80, 0x0C80], [0x0C85, 0x0C8C],
    [0x0C8E, 0x0C90], [0x0C92, 0x0CA8], [0x0CAA, 0x0CB3], [0x0CB5, 0x0CB9],
    [0x0CBD, 0x0CBD], [0x0CDD, 0x0CDE], [0x0CE0, 0x0CE1], [0x0CE6, 0x0CEF],
    [0x0CF1, 0x0CF2], [0x0D04, 0x0D0C], [0x0D0E, 0x0D10], [0x0D12, 0x0D3A],
    [0x0D3D, 0x0D3D], [0x0D4E, 0x0D4E], [0x0D54, 0x0D56], [0x0D58, 0x0D61],
    [0x0D66, 0x0D78], [0x0D7A, 0x0D7F], [0x0D85, 0x0D96], [0x0D9A, 0x0DB1],
    [0x0DB3, 0x0DBB], [0x0DBD, 0x0DBD], [0x0DC0, 0x0DC6], [0x0DE6, 0x0DEF],
    [0x0E01, 0x0E30], [0x0E32, 0x0E33], [0x0E40, 0x0E46], [0x0E50, 0x0E59],
    [0x0E81, 0x0E82], [0x0E84, 0x0E84], [0x0E86, 0x0E8A], [0x0E8C, 0x0EA3],
    [0x0EA5, 0x0EA5], [0x0EA7, 0x0EB0], [0x0EB2, 0x0EB3], [0x0EBD, 0x0EBD],
    [0x0EC0, 0x0EC4], [0x0EC6, 0x0EC6], [0x0ED0, 0x0ED9], [0x0EDC, 0x0EDF],
    [0x0F00, 0x0F00], [0x0F20, 0x0F33], [0x0F40, 0x0F47], [0x0F49, 0x0F6C],
    [0x0F88, 0x0F8C], [0x1000, 0x102A], [0x103F, 0x1049], [0x1050, 0x1055],
    [0x105A, 0x105D], [0x1061, 0x1061], [0x1065, 0x1066], [0x106E, 0x1070],
    [0x1075, 0x1081], [0x108E, 0x108E], [0x1090, 0x1099], [0x10A0, 0x10C5],
    [0x10C7, 0x10C7], [0x10CD, 0x10CD], [0x10D0, 0x10FA], [0x10FC, 0x1248],
    [0x124A, 0x124D], [0x1250, 0x1256], [0x1258, 0x1258], [0x125A, 0x125D],
    [0x1260, 0x1288], [0x128A, 0x128D], [0x1290, 0x12B0], [0x12B2, 0x12B5],
    [0x12B8, 0x12BE], [0x12C0, 0x12C0], [0x12C2, 0x12C5], [0x12C8, 0x12D6],
    [0x12D8, 0x1310], [0x1312, 0x1315], [0x1318, 0x135A], [0x1369, 0x137C],
    [0x1380, 0x138F], [0x13A0, 0x13F5], [0x13F8, 0x13FD], [0x1401, 0x166C],
    [0x166F, 0x167F], [0x1681, 0x169A], [0x16A0, 0x16EA], [0x16EE, 0x16F8],
    [0x1700, 0x1711], [0x171F, 0x1731], [0x1740, 0x1751], [0x1760, 0x176C],
    [0x176E, 0x1770], [0x1780, 0x17B3], [0x17D7, 0x17D7], [0x17DC, 0x17DC],
    [0x17E0, 0x17E9], [0x17F0, 0x17F9], [0x1810, 0x1819], [0x1820, 0x1878],
    [0x1880, 0x1884], [0x1887, 0x18A8], [0x18AA, 0x18AA], [0x18B0, 0x18F5],
    [0x1900, 0x191E], [0x1946, 0x196D], [0x1970, 0x1974], [0x1980, 0x19AB],
    [0x19B0, 0x19C9], [0x19D0, 0x19DA], [0x1A00, 0x1A16], [0x1A20, 0x1A54],
    [0x1A80, 0x1A89], [0x1A90, 0x1A99], [0x1AA7, 0x1AA7], [0x1B05, 0x1B33],
    [0x1B45, 0x1B4C], [0x1B50, 0x1B59], [0x1B83, 0x1BA0], [0x1BAE, 0x1BE5],
    [0x1C00, 0x1C23], [0x1C40, 0x1C49], [0x1C4D, 0x1C7D], [0x1C80, 0x1C88],
    [0x1C90, 0x1CBA], [0x1CBD, 0x1CBF], [0x1CE9, 0x1CEC], [0x1CEE, 0x1CF3],
    [0x1CF5, 0x1CF6], [0x1CFA, 0x1CFA], [0x1D00, 0x1DBF], [0x1E00, 0x1F15],
    [0x1F18, 0x1F1D], [0x1F20, 0x1F45], [0x1F48, 0x1F4D], [0x1F50, 0x1F57],
    [0x1F59, 0x1F59], [0x1F5B, 0x1F5B], [0x1F5D, 0x1F5D], [0x1F5F, 0x1F7D],
    [0x1F80, 0x1FB4], [0x1FB6, 0x1FBC], [0x1FBE, 0x1FBE], [0x1FC2, 0x1FC4],
    [0x1FC6, 0x1FCC], [0x1FD0, 0x1FD3], [0x1FD6, 0x1FDB], [0x1FE0, 0x1FEC],
    [0x1FF2, 0x1FF4], [0x1FF6, 0x1FFC], [0x2070, 0x2071], [0x2074, 0x2079],
    [0x207F, 0x2089], [0x2090, 0x209C], [0x2102, 0x2102], [0x2107, 0x2107],
    [0x210A, 0x2113], [0x2115, 0x2115], [0x2119, 0x211D], [0x2124, 0x2124],
    [0x2126, 0x2126], [0x2128, 0x2128], [0x212A, 0x212D], [0x212F, 0x2139],
    [0x213C, 0x213F], [0x2145, 0x2149], [0x214E, 0x214E], [0x2150, 0x2189],
    [0x2460, 0x249B], [0x24EA, 0x24FF], [0x2776, 0x2793], [0x2C00, 0x2CE4],
    [0x2CEB, 0x2CEE], [0x2CF2, 0x2CF3], [0x2CFD, 0x2CFD], [0x2D00, 0x2D25],
    [0x2D27, 0x2D27], [0x2D2D, 0x2D2D], [0x2D30, 0x2D67], [0x2D6F, 0x2D6F],
    [0x2D80, 0x2D96], [0x2DA0, 0x2DA6], [0x2DA8, 0x2DAE], [0x2DB0, 0x2DB6],
    [0x2DB8, 0x2DBE], [0x2DC0, 0x2DC6], [0x2DC8, 0x2DCE], [0x2DD0, 0x2DD6],
    [0x2DD8, 0x2DDE], [0x2E2F, 0x2E2F], [0x3005, 0x3007], [0x3021, 0x3029],
    [0x3031, 0x3035], [0x3038, 0x303C], [0x3041, 0x3096], [0x309D, 0x309F],
    [0x30A1, 0x30FA], [0x30FC, 0x30FF], [0x3105, 0x312F], [0x3131, 0x318E],
    [0x3192, 0x3195], [0x31A0, 0x31BF], [0x31F0, 0x31FF], [0x3220, 0x3229],
    [0x3248, 0x324F], [0x3251, 0x325F], [0x3280, 0x3289], [0x32B1, 0x32BF],
    [0x3400, 0x4DBF], [0x4E00, 0xA48C], [0xA4D0, 0xA4FD], [0xA500, 0xA60C],
    [0xA610, 0xA62B], [0xA640, 0xA66E], [0xA67F, 0xA69D], [0xA6A0, 0xA6EF],
    [0xA717, 0xA71F], [0xA722, 0xA788], [0xA78B, 0xA7CA], [0xA7D0, 0xA7D1],
    [0xA7D3, 0xA7D3], [0xA7D5, 0xA7D9], [0xA7F2, 0xA801], [0xA803, 0xA805],
    [0xA807, 0xA80A], [0xA80C, 0xA822], [0xA830, 0xA835], [0xA840, 0xA873],
    [0xA882, 0xA8B3], [0xA8D0, 0xA8D9], [0xA8F2, 0xA8F7], [0xA8FB, 0xA8FB],
    [0xA8FD, 0xA8FE], [0xA900, 0xA925], [0xA930, 0xA946], [0xA960, 0xA97C],
    [0xA984, 0xA9B2], [0xA9CF, 0xA9D9], [0xA9E0, 0xA9E4], [0xA9E6, 0xA9FE],
    [0xAA00, 0xAA28], [0xAA40, 0xAA42], [0xAA44, 0xAA4B], [0xAA50, 0xAA59],
    [0xAA60, 0xAA76], [0xAA7A, 0xAA7A], [0xAA7E, 0xAAAF], [0xAAB1, 0xAAB1],
    [0xAAB5, 0xAAB6], [0xAAB9, 0xAABD], [0xAAC0, 0xAAC0], [0xAAC2, 0xAAC2],
    [0xAADB, 0xAADD], [0xAAE0, 0xAAEA], [0xAAF2, 0xAAF4], [0xAB01, 0xAB06],
    [0xAB09, 0xAB0E], [0xAB11, 0xAB16], [0xAB20, 0xAB26], [0xAB28, 0xAB2E],
    [0xAB30, 0xAB5A], [0xAB5C, 0xAB69], [0xAB70, 0xABE2], [0xABF0, 0xABF9],
    [0xAC00, 0xD7A3], [0xD7B0, 0xD7C6], [0xD7CB, 0xD7FB], [0xF900, 0xFA6D],
    [0xFA70, 0xFAD9], [0xFB00, 0xFB06], [0xFB13, 0xFB17], [0xFB1D, 0xFB1D],
    [0xFB1F, 0xFB28], [0xFB2A, 0xFB36], [0xFB38, 0xFB3C], [0xFB3E, 0xFB3E],
    [0xFB40, 0xFB41], [0xFB43, 0xFB44], [0xFB46, 0xFBB1], [0xFBD3, 0xFD3D],
    [0xFD50, 0xFD8F], [0xFD92, 0xFDC7], [0xFDF0, 0xFDFB], [0xFE70, 0xFE74],
    [0xFE76, 0xFEFC], [0xFF10, 0xFF19], [0xFF21, 0xFF3A], [0xFF41, 0xFF5A],
    [0xFF66, 0xFFBE], [0xFFC2, 0xFFC7], [0xFFCA, 0xFFCF], [0xFFD2, 0xFFD7],
    [0xFFDA, 0xFFDC], [0x10000, 0x1000B], [0x1000D, 0x10026], [0x10028, 0x1003A],
    [0x1003C, 0x1003D], [0x1003F, 0x1004D], [0x10050, 0x1005D], [0x10080, 0x100FA],
    [0x10107, 0x10133], [0x10140, 0x10178], [0x1018A, 0x1018B], [0x10280, 0x1029C],
    [0x102A0, 0x102D0], [0x102E1, 0x102FB], [0x10300, 0x10323], [0x1032D, 0x1034A],
    [0x10350, 0x10375], [0x10380, 0x1039D], [0x103A0, 0x103C3], [0x103C8, 0x103CF],
    [0x103D1, 0x103D5], [0x10400, 0x1049D], [0x104A0, 0x104A9], [0x104B0, 0x104D3],
    [0x104D8, 0x104FB], [0x10500, 0x10527], [0x10530, 0x10563], [0x10570, 0x1057A],
    [0x1057C, 0x1058A], [0x1058C, 0x10592], [0x10594, 0x10595], [0x10597, 0x105A1],
    [0x105A3, 0x105B1], [0x105B3, 0x105B9], [0x105BB, 0x105BC], [0x10600, 0x10736],
    [0x10740, 0x10755], [0x10760, 0x10767], [0x10780, 0x10785], [0x10787, 0x107B0],
    [0x107B2, 0x107BA], [0x10800, 0x10805], [0x10808, 0x10808], [0x1080A, 0x10835],
    [0x10837, 0x10838], [0x1083C, 0x1083C], [0x1083F, 0x10855], [0x10858, 0x10876],
    [0x10879, 0x1089E], [0x108A7, 0x108AF], [0x108E0, 0x108F2], [0x108F4, 0x108F5],
    [0x108FB, 0x1091B], [0x10920, 0x10939], [0x10980, 0x109B7], [0x109BC, 0x109CF],
    [0x109D2, 0x10A00], [0x10A10, 0x10A13], [0x10A15, 0x10A17], [0x10A19, 0x10A35],
    [0x10A40, 0x10A48], [0x10A60, 0x10A7E], [0x10A80, 0x10A9F], [0x10AC0, 0x10AC7],
    [0x10AC9, 0x10AE4], [0x10AEB, 0x10AEF], [0x10B00, 0x10B35], [0x10B40, 0x10B55],
    [0x10B58, 0x10B72], [0x10B78, 0x10B91], [0x10BA9, 0x10BAF], [0x10C00, 0x10C48],
    [0x10C80, 0x10CB2], [0x10CC0, 0x10CF2], [0x10CFA, 0x10D23], [0x10D30, 0x10D39],
    [0x10E60, 0x10E7E], [0x10E80, 0x10EA9], [0x10EB0, 0x10EB1], [0x10F00, 0x10F27],
    [0x10F30, 0x10F45], [0x10F51, 0x10F54], [0x10F70, 0x10F81], [0x10FB0, 0x10FCB],
    [0x10FE0, 0x10FF6], [0x11003, 0x11037], [0x11052, 0x1106F], [0x11071, 0x11072],
    [0x11075, 0x11075], [0x11083, 0x110AF], [0x110D0, 0x110E8], [0x110F0, 0x110F9],
    [0x11103, 0x11126], [0x11136, 0x1113F], [0x11144, 0x11144], [0x11147, 0x11147],
    [0x11150, 0x11172], [0x11176, 0x11176], [0x11183, 0x111B2], [0x111C1, 0x111C4],
    [0x111D0, 0x111DA], [0x111DC, 0x111DC], [0x111E1, 0x111F4], [0x11200, 0x11211],
    [0x11213, 0x1122B], [0x11280, 0x11286], [0x11288, 0x11288], [0x1128A, 0x1128D],
    [0x1128F, 0x1129D], [0x1129F, 0x112A8], [0x112B0, 0x112DE], [0x112F0, 0x112F9],
    [0x11305, 0x1130C], [0x1130F, 0x11310], [0x11313, 0x11328], [0x1132A, 0x11330],
    [0x11332, 0x11333], [0x11335, 0x11339], [0x1133D, 0x1133D], [0x11350, 0x11350],
    [0x1135D, 0x11361], [0x11400, 0x11434], [0x11447, 0x1144A], [0x11450, 0x11459],
    [0x1145F, 0x11461], [0x11480, 0x114AF], [0x114C4, 0x114C5], [0x114C7, 0x114C7],
    [0x114D0, 0x114D9], [0x11580, 0x115AE], [0x115D8, 0x115DB], [0x11600, 0x1162F],
    [0x11644, 0x11644], [0x11650, 0x11659], [0x11680, 0x116AA], [0x116B8, 0x116B8],
    [0x116C0, 0x116C9], [0x11700, 0x1171A], [0x11730, 0x1173B], [0x11740, 0x11746],
    [0x11800, 0x1182B], [0x118A0, 0x118F2], [0x118FF, 0x11906], [0x11909, 0x11909],
    [0x1190C, 0x11913], [0x11915, 0x11916], [0x11918, 0x1192F], [0x1193F, 0x1193F],
    [0x11941, 0x11941], [0x11950, 0x11959], [0x119A0, 0x119A7], [0x119AA, 0x119D0],
    [0x119E1, 0x119E1], [0x119E3, 0x119E3], [0x11A00, 0x11A00], [0x11A0B, 0x11A32],
    [0x11A3A, 0x11A3A], [0x11A50, 0x11A50], [0x11A5C, 0x11A89], [0x11A9D, 0x11A9D],
    [0x11AB0, 0x11AF8], [0x11C00, 0x11C08], [0x11C0A, 0x11C2E], [0x11C40, 0x11C40],
    [0x11C50, 0x11C6C], [0x11C72, 0x11C8F], [0x11D00, 0x11D06], [0x11D08, 0x11D09],
    [0x11D0B, 0x11D30], [0x11D46, 0x11D46], [0x11D50, 0x11D59], [0x11D60, 0x11D65],
    [0x11D67, 0x11D68], [0x11D6A, 0x11D89], [0x11D98, 0x11D98], [0x11DA0, 0x11DA9],
    [0x11EE0, 0x11EF2], [0x11FB0, 0x11FB0], [0x11FC0, 0x11FD4], [0x12000, 0x12399],
    [0x12400, 0x1246E], [0x12480, 0x12543], [0x12F90, 0x12FF0], [0x13000, 0x1342E],
    [0x14400, 0x14646], [0x16800, 0x16A38], [0x16A40, 0x16A5E], [0x16A60, 0x16A69],
    [0x16A70, 0x16ABE], [0x16AC0, 0x16AC9], [0x16AD0, 0x16AED], [0x16B00, 0x16B2F],
    [0x16B40, 0x16B43], [0x16B50, 0x16B59], [0x16B5B, 0x16B61], [0x16B63, 0x16B77],
    [0x16B7D, 0x16B8F], [0x16E40, 0x16E96], [0x16F00, 0x16F4A], [0x16F50, 0x16F50],
    [0x16F93, 0x16F9F], [0x16FE0, 0x16FE1], [0x16FE3, 0x16FE3], [0x17000, 0x187F7],
    [0x18800, 0x18CD5], [0x18D00, 0x18D08], [0x1AFF0, 0x1AFF3], [0x1AFF5, 0x1AFFB],
    [0x1AFFD, 0x1AFFE], [0x1B000, 0x1B122], [0x1B150, 0x1B152], [0x1B164, 0x1B167],
    [0x1B170, 0x1B2FB], [0x1BC00, 0x1BC6A], [0x1BC70, 0x1BC7C], [0x1BC80, 0x1BC88],
    [0x1BC90, 0x1BC99], [0x1D2E0, 0x1D2F3], [0x1D360, 0x1D378], [0x1D400, 0x1D454],
    [0x1D456, 0x1D49C], [0x1D49E, 0x1D49F], [0x1D4A2, 0x1D4A2], [0x1D4A5, 0x1D4A6],
    [0x1D4A9, 0x1D4AC], [0x1D4AE, 0x1D4B9], [0x1D4BB, 0x1D4BB], [0x1D4BD, 0x1D4C3],
    [0x1D4C5, 0x1D505], [0x1D507, 0x1D50A], [0x1D50D, 0x1D514], [0x1D516, 0x1D51C],
    [0x1D51E, 0x1D539], [0x1D53B, 0x1D53E], [0x1D540, 0x1D544], [0x1D546, 0x1D546],
    [0x1D54A, 0x1D550], [0x1D552, 0x1D6A5], [0x1D6A8, 0x1D6C0], [0x1D6C2, 0x1D6DA],
    [0x1D6DC, 0x1D6FA], [0x1D6FC, 0x1D714], [0x1D716, 0x1D734], [0x1D736, 0x1D74E],
    [0x1D750, 0x1D76E], [0x1D770, 0x1D788], [0x1D78A, 0x1D7A8], [0x1D7AA, 0x1D7C2],
    [0x1D7C4, 0x1D7CB], [0x1D7CE, 0x1D7FF], [0x1DF00, 0x1DF1E], [0x1E100, 0x1E12C],
    [0x1E137, 0x1E13D], [0x1E140, 0x1E149], [0x1E14E, 0x1E14E], [0x1E290, 0x1E2AD],
    [0x1E2C0, 0x1E2EB], [0x1E2F0, 0x1E2F9], [0x1E7E0, 0x1E7E6], [0x1E7E8, 0x1E7EB],
    [0x1E7ED, 0x1E7EE], [0x1E7F0, 0x1E7FE], [0x1E800, 0x1E8C4], [0x1E8C7, 0x1E8CF],
    [0x1E900, 0x1E943], [0x1E94B, 0x1E94B], [0x1E950, 0x1E959], [0x1EC71, 0x1ECAB],
    [0x1ECAD, 0x1ECAF], [0x1ECB1, 0x1ECB4], [0x1ED01, 0x1ED2D], [0x1ED2F, 0x1ED3D],
    [0x1EE00, 0x1EE03], [0x1EE05, 0x1EE1F], [0x1EE21, 0x1EE22], [0x1EE24, 0x1EE24],
    [0x1EE27, 0x1EE27], [0x1EE29, 0x1EE32], [0x1EE34, 0x1EE37], [0x1EE39, 0x1EE39],
    [0x1EE3B, 0x1EE3B], [0x1EE42, 0x1EE42], [0x1EE47, 0x1EE47], [0x1EE49, 0x1EE49],
    [0x1EE4B, 0x1EE4B], [0x1EE4D, 0x1EE4F], [0x1EE51, 0x1EE52], [0x1EE54, 0x1EE54],
    [0x1EE57, 0x1EE57], [0x1EE59, 0x1EE59], [0x1EE5B, 0x1EE5B], [0x1EE5D, 0x1EE5D],
    [0x1EE5F, 0x1EE5F], [0x1EE61, 0x1EE62], [0x1EE64, 0x1EE64], [0x1EE67, 0x1EE6A],
    [0x1EE6C, 0x1EE72], [0x1EE74, 0x1EE77], [0x1EE79, 0x1EE7C], [0x1EE7E, 0x1EE7E],
    [0x1EE80, 0x1EE89], [0x1EE8B, 0x1EE9B], [0x1EEA1, 0x1EEA3], [0x1EEA5, 0x1EEA9],
    [0x1EEAB, 0x1EEBB], [0x1F100, 0x1F10C], [0x1FBF0, 0x1FBF9], [0x20000, 0x2A6DF],
    [0x2A700, 0x2B738], [0x2B740, 0x2B81D], [0x2B820, 0x2CEA1], [0x2CEB0, 0x2EBE0],
    [0x2F800, 0x2FA1D], [0x30000, 0x3134A],
];
