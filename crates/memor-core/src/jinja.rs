//! Jinja templates, as memor 1.4 renders them with jinja2.
//!
//! memor renders a Jinja template with
//! `jinja2.Environment(undefined=StrictUndefined, autoescape=False).from_string(content)
//! .render(**context)` and lists its variables with `jinja2.meta.find_undeclared_variables`.
//! This module gives the same results on [minijinja](https://docs.rs/minijinja):
//!
//! - the source is read by a reader that follows jinja2's lexer and parser (newline
//!   normalisation, the one trailing newline dropped, whitespace control, its syntax and its
//!   error messages), and checked as jinja2's compiler checks it (unknown filters and tests,
//!   blocks defined twice, ...);
//! - [`variables`] follows jinja2's symbol tracking, frame by frame;
//! - [`render`] translates the template to minijinja's dialect, where arithmetic, comparisons,
//!   `~`, `%`, tuples and the filters that differ go through helpers with Python's semantics,
//!   and values print as Python's `str()` prints them (`None`, `True`, `1e-05`, `[1, 'a']`).
//!
//! Known differences from jinja2: macros take no `varargs`/`kwargs`; `self` cannot render
//! blocks; `loop.previtem`/`loop.nextitem` are undefined; `{% set loop = ... %}` is refused;
//! `\N{...}` escapes and `lipsum()` are not supported, nor are the `urlize` filter and the
//! methods that change a list or dict (`append`, `update`...); generator filters (`map`,
//! `select`, `batch`...) compute their result at once (their errors still show only when it is
//! used); objects print without their address (`<generator object ... at 0x7f0000000000>`);
//! a dict literal keeps `1` and `True` as distinct keys.
//!
//! ```
//! use memor_core::jinja;
//! use memor_core::json::{PyDict, PyValue};
//!
//! let mut ctx = PyDict::new();
//! ctx.insert("items".into(), PyValue::List(memor_core::json::PyList(vec![
//!     PyValue::from("a"),
//!     PyValue::Null,
//! ])));
//! assert_eq!(jinja::render("{{ items }} {{ 1 / 2 }}\n", &ctx).unwrap(), "['a', None] 0.5");
//! assert_eq!(jinja::variables("{% set x = y %}{{ x ~ z }}").unwrap(), ["y", "z"]);
//! ```

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::sync::{Arc, LazyLock, Mutex};

use minijinja::value::{Enumerator, Object, ObjectRepr, Rest, Value, ValueKind};
use minijinja::{
    AutoEscape, Environment, Error as MjError, ErrorKind as MjKind, State, UndefinedBehavior,
};
use num_bigint::BigInt;

use crate::json::{Number, PyDict, PyValue};

// =============================================================================================
// Public API

/// What went wrong with a Jinja template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JinjaErrorKind {
    /// The template does not compile: jinja2's `TemplateSyntaxError` (and
    /// `TemplateAssertionError`, its subclass), or another failure of jinja2's compiler.
    Syntax,
    /// The template reads a variable or an attribute that is not there (jinja2's
    /// `UndefinedError`, raised by `StrictUndefined`).
    Undefined,
    /// Any other failure while rendering: a bad operand, a failing filter, an unsupported
    /// construct, ...
    Render,
}

/// An error from [`render`] or [`variables`]: its kind, what went wrong, and the line of the
/// template where it went wrong when that is known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct JinjaError {
    kind: JinjaErrorKind,
    message: String,
    line: Option<usize>,
}

impl JinjaError {
    fn new(kind: JinjaErrorKind, message: impl Into<String>, line: Option<usize>) -> Self {
        JinjaError {
            kind,
            message: message.into(),
            line,
        }
    }

    fn syntax(message: impl Into<String>, line: usize) -> Self {
        JinjaError::new(JinjaErrorKind::Syntax, message, Some(line))
    }

    /// The kind of failure.
    pub fn kind(&self) -> JinjaErrorKind {
        self.kind
    }

    /// What went wrong, without the location (for syntax errors, jinja2's message).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line of the template where it went wrong, when known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }
}

impl fmt::Display for JinjaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            JinjaErrorKind::Syntax => "template syntax error",
            JinjaErrorKind::Undefined => "undefined value",
            JinjaErrorKind::Render => "template render error",
        };
        write!(f, "{what}: {}", self.message)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        Ok(())
    }
}

/// Renders `source` with `context` as memor's jinja2 environment does: `StrictUndefined`, no
/// autoescaping, one trailing newline dropped, values printed as Python's `str()`.
///
/// # Errors
/// A [`JinjaErrorKind::Syntax`] error when jinja2 could not compile the template, a
/// [`JinjaErrorKind::Undefined`] error when it reads something undefined, a
/// [`JinjaErrorKind::Render`] error for any other failure.
pub fn render(source: &str, context: &PyDict) -> Result<String, JinjaError> {
    let template = parse(source)?;
    let analysis = analyze(&template)?;
    check_python_compile(&template)?;
    let code = emit(&template, &analysis.root_stored);
    let ctx = context_value(context)?;
    let compiled = ENV.template_from_str(&code).map_err(|err| {
        JinjaError::new(
            JinjaErrorKind::Render,
            format!("unsupported template construct: {}", mj_message(&err)),
            err.line(),
        )
    })?;
    // minijinja is not supposed to panic; should it, the caller still gets an error.
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let captured = compiled.render_captured(ctx)?;
        if captured.state().get_temp(NON_STR_OUTPUT).is_some() {
            return Err(non_str_error(captured.state()));
        }
        Ok(captured.into_output())
    }));
    match rendered {
        Ok(result) => result.map_err(|err| from_mj(&err)),
        Err(_) => Err(JinjaError::new(
            JinjaErrorKind::Render,
            "internal error of the template engine",
            None,
        )),
    }
}

/// The state temp recording a filter block that gave something other than a string.
const NON_STR_OUTPUT: &str = "__memor_non_str_output";
/// The state temp holding the buffer depth where that happened.
const NON_STR_LEVEL: &str = "__memor_non_str_level";
/// The state temp counting the buffers being rendered.
const BUFFER_DEPTH: &str = "__memor_buffer_depth";

fn buffer_depth(state: &State<'_, '_>) -> Value {
    state
        .get_temp(BUFFER_DEPTH)
        .unwrap_or_else(|| Value::from(0))
}

fn non_str_error(state: &State<'_, '_>) -> MjError {
    let kind = state.get_temp(NON_STR_OUTPUT).unwrap_or_default();
    type_error(format!(
        "TypeError: sequence item: expected str instance, {kind} found"
    ))
}

/// The names `source` reads from its context without defining them: jinja2's
/// `meta.find_undeclared_variables` on the parsed template, sorted.
///
/// Names bound by the template itself (`set`, `for` targets, macro parameters, `with`) before
/// they are read are not listed, nor are jinja2's globals (`range`, `dict`, `namespace`,
/// `lipsum`, `cycler`, `joiner`); a name read before it is set, or set in one branch of an
/// `if` only, is.
///
/// # Errors
/// A [`JinjaErrorKind::Syntax`] error when jinja2 could not parse or compile the template.
pub fn variables(source: &str) -> Result<Vec<String>, JinjaError> {
    let template = parse(source)?;
    let analysis = analyze(&template)?;
    Ok(analysis.undeclared.into_iter().collect())
}

// =============================================================================================
// Lexer: jinja2's, with its default delimiters and settings.

/// How deep expressions may nest: jinja2's parser hits Python's recursion limit at about 65
/// nested parentheses.
const MAX_EXPR_DEPTH: usize = 64;
/// How deep statements may nest.
const MAX_STMT_DEPTH: usize = 96;
/// How deep an expression's tree may grow through chains (`a.b.c`, `x|f|g`, `a + b + c`).
const MAX_AST_DEPTH: usize = 160;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Data(String),
    VarBegin,
    VarEnd,
    BlockBegin,
    BlockEnd,
    Name(String),
    Str(String),
    /// An integer literal, as canonical decimal text.
    Int(String),
    Float(f64),
    Op(&'static str),
    /// A lexing error, raised when the parser reaches it.
    Error(String),
    Eof,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
}

/// Python's `str.isspace` (and the `\s` of its regular expressions).
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(py_isspace)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// Whether `c` may appear in a jinja2 name (`\w` and the combining marks of its pattern).
fn is_name_char(c: char) -> bool {
    c == '_'
        || c.is_alphanumeric()
        || matches!(c,
            '\u{b7}' | '\u{387}' | '\u{300}'..='\u{36f}' | '\u{483}'..='\u{487}'
            | '\u{591}'..='\u{5bd}' | '\u{610}'..='\u{61a}' | '\u{64b}'..='\u{65f}'
            | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{200c}' | '\u{200d}'
            | '\u{20d0}'..='\u{20ff}' | '\u{fe00}'..='\u{fe0f}' | '\u{fe20}'..='\u{fe2f}')
}

/// Python's `str.isidentifier`, approximately (`_` or a letter, then name characters).
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || (c.is_alphabetic() && !c.is_numeric()) => {}
        _ => return false,
    }
    chars.all(is_name_char)
}

fn py_repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    memor_template::py::write_str_repr(&mut out, s, false);
    out
}

/// The operators of jinja2's lexer, longest first.
const OPERATORS: [&str; 27] = [
    "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
    ">", "<", "=", ".", ":", "|", ",", ";", "",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum TagKind {
    Raw,
    Comment,
    Var,
    Block,
}

struct Lexer<'s> {
    src: &'s str,
    pos: usize,
    counted: usize,
    line: usize,
    balance: Vec<char>,
    out: Vec<Token>,
}

/// Splits `source` into jinja2's tokens; the last one is [`Tok::Eof`] or a [`Tok::Error`].
fn tokenize(source: &str) -> Vec<Token> {
    // Python's jinja2 splits on \r\n, \r and \n, drops one trailing empty line, joins with \n.
    let mut src = source.replace("\r\n", "\n").replace('\r', "\n");
    if src.ends_with('\n') {
        src.pop();
    }
    let mut lexer = Lexer {
        src: &src,
        pos: 0,
        counted: 0,
        line: 1,
        balance: Vec::new(),
        out: Vec::new(),
    };
    match lexer.root() {
        Ok(()) => {
            let line = lexer.line_at(src.len());
            lexer.out.push(Token {
                tok: Tok::Eof,
                line,
            });
        }
        Err((message, line)) => lexer.out.push(Token {
            tok: Tok::Error(message),
            line,
        }),
    }
    lexer.out
}

type LexResult<T> = Result<T, (String, usize)>;

impl Lexer<'_> {
    /// The line of byte offset `pos` (offsets asked for never decrease).
    fn line_at(&mut self, pos: usize) -> usize {
        if pos > self.counted {
            let seen = self.src.get(self.counted..pos).unwrap_or("");
            self.line += seen.bytes().filter(|&b| b == b'\n').count();
            self.counted = pos;
        }
        self.line
    }

    fn push(&mut self, tok: Tok, pos: usize) {
        let line = self.line_at(pos);
        self.out.push(Token { tok, line });
    }

    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        let skipped = rest.len() - rest.trim_start_matches(py_isspace).len();
        self.pos += skipped;
    }

    fn root(&mut self) -> LexResult<()> {
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return Ok(());
            }
            let Some((offset, kind, sign, len)) = find_tag(rest) else {
                let data = rest.to_owned();
                let pos = self.pos;
                self.pos = self.src.len();
                self.push(Tok::Data(data), pos);
                return Ok(());
            };
            let mut text = rest.get(..offset).unwrap_or("");
            if sign == Some('-') {
                text = py_rstrip(text);
            }
            if !text.is_empty() {
                let data = text.to_owned();
                let pos = self.pos;
                self.push(Tok::Data(data), pos);
            }
            let tag_pos = self.pos + offset;
            self.pos = tag_pos + len;
            match kind {
                TagKind::Raw => self.raw()?,
                TagKind::Comment => self.comment()?,
                TagKind::Var => {
                    self.push(Tok::VarBegin, tag_pos);
                    self.tag(false)?;
                }
                TagKind::Block => {
                    self.push(Tok::BlockBegin, tag_pos);
                    self.tag(true)?;
                }
            }
        }
    }

    fn raw(&mut self) -> LexResult<()> {
        let rest = self.rest();
        // jinja2's lexer stops quietly when nothing follows the opening.
        if rest.is_empty() {
            return Ok(());
        }
        let mut search = 0;
        while let Some(found) = rest.get(search..).and_then(|r| r.find("{%")) {
            let at = search + found;
            let after = rest.get(at + 2..).unwrap_or("");
            let (sign, body) = match after.chars().next() {
                Some(c @ ('-' | '+')) => (Some(c), after.get(1..).unwrap_or("")),
                _ => (None, after),
            };
            let body_trim = body.trim_start_matches(py_isspace);
            if let Some(tail) = body_trim.strip_prefix("endraw") {
                let tail_trim = tail.trim_start_matches(py_isspace);
                let end_len = if tail_trim.starts_with("+%}") {
                    Some(3)
                } else if tail_trim.starts_with("-%}") {
                    let after_end = tail_trim.get(3..).unwrap_or("");
                    Some(3 + after_end.len() - after_end.trim_start_matches(py_isspace).len())
                } else if tail_trim.starts_with("%}") {
                    Some(2)
                } else {
                    None
                };
                if let Some(end_len) = end_len {
                    let mut text = rest.get(..at).unwrap_or("");
                    if sign == Some('-') {
                        text = py_rstrip(text);
                    }
                    let total = rest.len() - tail_trim.len() + end_len;
                    let data = text.to_owned();
                    let pos = self.pos;
                    if !data.is_empty() {
                        self.push(Tok::Data(data), pos);
                    }
                    self.pos += total;
                    return Ok(());
                }
            }
            search = at + 2;
        }
        let line = self.line_at(self.pos);
        Err(("Missing end of raw directive".into(), line))
    }

    fn comment(&mut self) -> LexResult<()> {
        let rest = self.rest();
        // jinja2's lexer stops quietly when nothing follows the opening.
        if rest.is_empty() {
            return Ok(());
        }
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let tail = rest.get(i..).unwrap_or("");
            if tail.starts_with("+#}") {
                self.pos += i + 3;
                return Ok(());
            }
            if tail.starts_with("-#}") {
                self.pos += i + 3;
                self.skip_spaces();
                return Ok(());
            }
            if tail.starts_with("#}") {
                self.pos += i + 2;
                return Ok(());
            }
            i += 1;
            while i < bytes.len() && !rest.is_char_boundary(i) {
                i += 1;
            }
        }
        let line = self.line_at(self.pos);
        Err(("Missing end of comment tag".into(), line))
    }

    fn error_here(&mut self, message: String) -> (String, usize) {
        let line = self.line_at(self.pos);
        (message, line)
    }

    fn tag(&mut self, block: bool) -> LexResult<()> {
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return Ok(());
            };
            if self.balance.is_empty() {
                let end = if block {
                    if rest.starts_with("+%}") {
                        Some((3, false))
                    } else if rest.starts_with("-%}") {
                        Some((3, true))
                    } else if rest.starts_with("%}") {
                        Some((2, false))
                    } else {
                        None
                    }
                } else if rest.starts_with("-}}") {
                    Some((3, true))
                } else if rest.starts_with("}}") {
                    Some((2, false))
                } else {
                    None
                };
                if let Some((len, strip)) = end {
                    let pos = self.pos;
                    self.pos += len;
                    if strip {
                        self.skip_spaces();
                    }
                    self.push(if block { Tok::BlockEnd } else { Tok::VarEnd }, pos);
                    return Ok(());
                }
            }
            if py_isspace(c) {
                self.skip_spaces();
                continue;
            }
            let pos = self.pos;
            let after_dot = self.src.get(..pos).is_some_and(|s| s.ends_with('.'));
            if !after_dot && let Some(len) = match_float(rest) {
                let text: String = rest.get(..len).unwrap_or("").replace('_', "");
                let value = text.parse::<f64>().unwrap_or(f64::NAN);
                self.pos += len;
                self.push(Tok::Float(value), pos);
                continue;
            }
            if let Some((len, radix, digits)) = match_int(rest) {
                let value = BigInt::parse_bytes(digits.as_bytes(), radix)
                    .map_or_else(|| "0".to_owned(), |n| n.to_string());
                self.pos += len;
                self.push(Tok::Int(value), pos);
                continue;
            }
            if is_name_char(c) {
                let len = rest.len() - rest.trim_start_matches(is_name_char).len();
                let name = rest.get(..len).unwrap_or("").to_owned();
                if !is_identifier(&name) {
                    return Err(self.error_here("Invalid character in identifier".into()));
                }
                self.pos += len;
                self.push(Tok::Name(name), pos);
                continue;
            }
            if (c == '\'' || c == '"')
                && let Some(len) = match_string(rest, c)
            {
                let body = rest.get(1..len - 1).unwrap_or("");
                match decode_string(body) {
                    Ok(value) => {
                        self.pos += len;
                        self.push(Tok::Str(value), pos);
                        continue;
                    }
                    Err(message) => return Err(self.error_here(message)),
                }
            }
            if let Some(op) = OPERATORS
                .iter()
                .copied()
                .find(|op| !op.is_empty() && rest.starts_with(op))
            {
                match op {
                    "{" => self.balance.push('}'),
                    "(" => self.balance.push(')'),
                    "[" => self.balance.push(']'),
                    "}" | ")" | "]" => match self.balance.pop() {
                        None => return Err(self.error_here(format!("unexpected '{op}'"))),
                        Some(expected) if !op.starts_with(expected) => {
                            return Err(self
                                .error_here(format!("unexpected '{op}', expected '{expected}'")));
                        }
                        Some(_) => {}
                    },
                    _ => {}
                }
                self.pos += op.len();
                self.push(Tok::Op(op), pos);
                continue;
            }
            let index = self.src.get(..pos).map_or(0, |s| s.chars().count());
            let message = format!("unexpected char {} at {index}", py_repr(&c.to_string()));
            return Err(self.error_here(message));
        }
    }
}

/// Finds the next tag opening in `rest`: its offset, kind, whitespace-control sign and length.
fn find_tag(rest: &str) -> Option<(usize, TagKind, Option<char>, usize)> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while let Some(found) = bytes.get(i..).and_then(|b| memchr::memchr(b'{', b)) {
        let at = i + found;
        let kind = match bytes.get(at + 1) {
            Some(b'{') => Some(TagKind::Var),
            Some(b'#') => Some(TagKind::Comment),
            Some(b'%') => Some(TagKind::Block),
            _ => None,
        };
        if let Some(kind) = kind {
            let sign = match bytes.get(at + 2) {
                Some(b'-') => Some('-'),
                Some(b'+') => Some('+'),
                _ => None,
            };
            let len = 2 + usize::from(sign.is_some());
            if kind == TagKind::Block
                && let Some(raw_len) = match_raw_begin(rest.get(at..).unwrap_or(""))
            {
                return Some((at, TagKind::Raw, sign, raw_len));
            }
            return Some((at, kind, sign, len));
        }
        i = at + 1;
    }
    None
}

/// Matches `{%[-+]?\s*raw\s*(-%}\s*|%})` at the start of `s`.
fn match_raw_begin(s: &str) -> Option<usize> {
    let mut rest = s.strip_prefix("{%")?;
    if let Some(r) = rest.strip_prefix(['-', '+']) {
        rest = r;
    }
    let rest = rest.trim_start_matches(py_isspace).strip_prefix("raw")?;
    let rest = rest.trim_start_matches(py_isspace);
    let after = if let Some(r) = rest.strip_prefix("-%}") {
        r.trim_start_matches(py_isspace)
    } else {
        rest.strip_prefix("%}")?
    };
    Some(s.len() - after.len())
}

/// Length of `\d+(_\d+)*` at the start of `s` (ASCII digits).
fn digits_us(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if i == 0 {
        return None;
    }
    while bytes.get(i) == Some(&b'_') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        i += bytes
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    }
    Some(i)
}

fn exponent(s: &str) -> Option<usize> {
    let rest = s.strip_prefix(['e', 'E'])?;
    let (sign, rest) = match rest.strip_prefix(['+', '-']) {
        Some(r) => (1, r),
        None => (0, rest),
    };
    Some(1 + sign + digits_us(rest)?)
}

/// jinja2's float literal: digits with a fraction, an exponent, or both.
fn match_float(s: &str) -> Option<usize> {
    let int = digits_us(s)?;
    let after = s.get(int..)?;
    if let Some(frac_src) = after.strip_prefix('.')
        && let Some(frac) = digits_us(frac_src)
    {
        let end = int + 1 + frac;
        return Some(end + s.get(end..).and_then(exponent).unwrap_or(0));
    }
    exponent(after).map(|e| int + e)
}

/// jinja2's integer literal: its length, radix and digits (underscores removed).
fn match_int(s: &str) -> Option<(usize, u32, String)> {
    let bytes = s.as_bytes();
    let prefixed = |radix: u32, ok: fn(&u8) -> bool| -> Option<(usize, u32, String)> {
        let mut i = 2;
        let mut digits = String::new();
        loop {
            let start = i;
            if bytes.get(i) == Some(&b'_') {
                i += 1;
            }
            match bytes.get(i) {
                Some(b) if ok(b) => {
                    digits.push(char::from(*b));
                    i += 1;
                }
                _ => {
                    i = start;
                    break;
                }
            }
        }
        (!digits.is_empty()).then_some((i, radix, digits))
    };
    match (bytes.first(), bytes.get(1).map(u8::to_ascii_lowercase)) {
        (Some(b'0'), Some(b'b')) => {
            if let Some(m) = prefixed(2, |b| matches!(b, b'0' | b'1')) {
                return Some(m);
            }
        }
        (Some(b'0'), Some(b'o')) => {
            if let Some(m) = prefixed(8, |b| matches!(b, b'0'..=b'7')) {
                return Some(m);
            }
        }
        (Some(b'0'), Some(b'x')) => {
            if let Some(m) = prefixed(16, u8::is_ascii_hexdigit) {
                return Some(m);
            }
        }
        _ => {}
    }
    match bytes.first() {
        Some(b'1'..=b'9') => {
            let len = digits_us(s)?;
            Some((len, 10, s.get(..len)?.replace('_', "")))
        }
        Some(b'0') => {
            // 0(_?0)*
            let mut i = 1;
            loop {
                if bytes.get(i) == Some(&b'0') {
                    i += 1;
                } else if bytes.get(i) == Some(&b'_') && bytes.get(i + 1) == Some(&b'0') {
                    i += 2;
                } else {
                    break;
                }
            }
            Some((i, 10, "0".to_owned()))
        }
        _ => None,
    }
}

/// The length of the string literal at the start of `s` (quotes included).
fn match_string(s: &str, quote: char) -> Option<usize> {
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next()?;
        } else if c == quote {
            return Some(i + 1);
        }
    }
    None
}

/// Decodes a string literal's body as jinja2 does: non-ASCII characters are first written as
/// backslash escapes, then Python's `unicode-escape` codec decodes the whole.
fn decode_string(body: &str) -> Result<String, String> {
    let mut ascii = String::with_capacity(body.len());
    for c in body.chars() {
        let cp = c as u32;
        if c.is_ascii() {
            ascii.push(c);
        } else if cp <= 0xFF {
            let _ = write!(ascii, "\\x{cp:02x}");
        } else if cp <= 0xFFFF {
            let _ = write!(ascii, "\\u{cp:04x}");
        } else {
            let _ = write!(ascii, "\\U{cp:08x}");
        }
    }
    let bytes = ascii.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |from: usize, n: usize, what: &str| -> Result<u32, String> {
        let digits = bytes
            .get(from..from + n)
            .ok_or_else(|| format!("truncated {what} escape"))?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(format!("truncated {what} escape"));
        }
        let text = std::str::from_utf8(digits).map_err(|_| format!("truncated {what} escape"))?;
        u32::from_str_radix(text, 16).map_err(|_| format!("truncated {what} escape"))
    };
    let push_cp = |out: &mut String, cp: u32| -> Result<(), String> {
        match char::from_u32(cp) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None if (0xD800..=0xDFFF).contains(&cp) => {
                Err("lone surrogates are not supported".to_owned())
            }
            None => Err("illegal Unicode character".to_owned()),
        }
    };
    while let Some(&b) = bytes.get(i) {
        if b != b'\\' {
            out.push(char::from(b));
            i += 1;
            continue;
        }
        let Some(&e) = bytes.get(i + 1) else {
            return Err("\\ at end of string".to_owned());
        };
        i += 2;
        match e {
            b'\n' => {}
            b'\\' => out.push('\\'),
            b'\'' => out.push('\''),
            b'"' => out.push('"'),
            b'a' => out.push('\u{7}'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'v' => out.push('\u{b}'),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                push_cp(&mut out, value)?;
            }
            b'x' => {
                let cp = hex(i, 2, "\\xXX")?;
                i += 2;
                push_cp(&mut out, cp)?;
            }
            b'u' => {
                let cp = hex(i, 4, "\\uXXXX")?;
                i += 4;
                push_cp(&mut out, cp)?;
            }
            b'U' => {
                let cp = hex(i, 8, "\\UXXXXXXXX")?;
                i += 8;
                if cp > 0x0010_FFFF {
                    return Err("illegal Unicode character".to_owned());
                }
                push_cp(&mut out, cp)?;
            }
            b'N' => return Err("\\N{...} escapes are not supported".to_owned()),
            other => {
                out.push('\\');
                out.push(char::from(other));
            }
        }
    }
    Ok(out)
}

// =============================================================================================
// Syntax tree: jinja2's nodes, with the fields its visitors use.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Load,
    Store,
    Param,
}

#[derive(Clone, Debug)]
enum Const {
    None,
    Bool(bool),
    /// Canonical decimal text.
    Int(String),
    Float(f64),
    Str(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnOp {
    Not,
    Neg,
    Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    LtEq,
    Gt,
    GtEq,
    In,
    NotIn,
}

#[derive(Clone, Debug, Default)]
struct CallArgs {
    args: Vec<Expr>,
    kwargs: Vec<(String, Expr)>,
    dyn_args: Option<Box<Expr>>,
    dyn_kwargs: Option<Box<Expr>>,
}

#[derive(Clone, Debug)]
enum Expr {
    Name {
        name: String,
        ctx: Ctx,
    },
    Const(Const),
    Tuple {
        items: Vec<Expr>,
        ctx: Ctx,
    },
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    NsRef {
        name: String,
        attr: String,
    },
    Getattr {
        node: Box<Expr>,
        attr: String,
        ctx: Ctx,
    },
    Getitem {
        node: Box<Expr>,
        arg: Box<Expr>,
        ctx: Ctx,
    },
    Slice {
        start: Option<Box<Expr>>,
        stop: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    Call {
        node: Box<Expr>,
        args: CallArgs,
    },
    Filter {
        node: Option<Box<Expr>>,
        name: String,
        args: CallArgs,
        line: usize,
    },
    Test {
        node: Box<Expr>,
        name: String,
        args: CallArgs,
        line: usize,
    },
    Unary {
        op: UnOp,
        node: Box<Expr>,
    },
    Bin {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Concat(Vec<Expr>),
    Compare {
        expr: Box<Expr>,
        ops: Vec<(CmpOp, Expr)>,
    },
    Cond {
        test: Box<Expr>,
        expr1: Box<Expr>,
        expr2: Option<Box<Expr>>,
    },
}

impl Expr {
    fn type_name(&self) -> &'static str {
        match self {
            Expr::Name { .. } => "name",
            Expr::Const(_) => "const",
            Expr::Tuple { .. } => "tuple",
            Expr::List(_) => "list",
            Expr::Dict(_) => "dict",
            Expr::NsRef { .. } => "nsref",
            Expr::Getattr { .. } => "getattr",
            Expr::Getitem { .. } => "getitem",
            Expr::Slice { .. } => "slice",
            Expr::Call { .. } => "call",
            Expr::Filter { .. } => "filter",
            Expr::Test { .. } => "test",
            Expr::Unary { op: UnOp::Not, .. } => "not",
            Expr::Unary { op: UnOp::Neg, .. } => "neg",
            Expr::Unary { op: UnOp::Pos, .. } => "pos",
            Expr::Bin { op, .. } => match op {
                BinOp::Add => "add",
                BinOp::Sub => "sub",
                BinOp::Mul => "mul",
                BinOp::Div => "div",
                BinOp::FloorDiv => "floordiv",
                BinOp::Mod => "mod",
                BinOp::Pow => "pow",
                BinOp::And => "and",
                BinOp::Or => "or",
            },
            Expr::Concat(_) => "concat",
            Expr::Compare { .. } => "compare",
            Expr::Cond { .. } => "condexpr",
        }
    }

    fn can_assign(&self) -> bool {
        match self {
            Expr::Name { name, .. } => !matches!(
                name.as_str(),
                "true" | "false" | "none" | "True" | "False" | "None"
            ),
            Expr::Tuple { items, .. } => items.iter().all(Expr::can_assign),
            Expr::NsRef { .. } => true,
            _ => false,
        }
    }

    /// jinja2's `set_ctx`: sets the context of this node and of every node below it.
    fn set_ctx(&mut self, new: Ctx) {
        match self {
            Expr::Name { ctx, .. } => *ctx = new,
            Expr::Tuple { items, ctx } => {
                *ctx = new;
                for item in items {
                    item.set_ctx(new);
                }
            }
            Expr::Getattr { node, ctx, .. } => {
                *ctx = new;
                node.set_ctx(new);
            }
            Expr::Getitem { node, arg, ctx } => {
                *ctx = new;
                node.set_ctx(new);
                arg.set_ctx(new);
            }
            other => other.for_each_child(&mut |child| child.set_ctx(new)),
        }
    }

    /// Calls `f` on each child expression, in jinja2's field order.
    fn for_each_child(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        match self {
            Expr::Name { .. } | Expr::Const(_) | Expr::NsRef { .. } => {}
            Expr::Tuple { items, .. } | Expr::List(items) | Expr::Concat(items) => {
                for e in items.iter_mut() {
                    f(e);
                }
            }
            Expr::Dict(pairs) => {
                for (k, v) in pairs {
                    f(k);
                    f(v);
                }
            }
            Expr::Getattr { node, .. } | Expr::Unary { node, .. } => f(node),
            Expr::Getitem { node, arg, .. } => {
                f(node);
                f(arg);
            }
            Expr::Slice { start, stop, step } => {
                for e in [start, stop, step].into_iter().flatten() {
                    f(e);
                }
            }
            Expr::Call { node, args } | Expr::Test { node, args, .. } => {
                f(node);
                args.for_each_mut(f);
            }
            Expr::Filter { node, args, .. } => {
                if let Some(node) = node {
                    f(node);
                }
                args.for_each_mut(f);
            }
            Expr::Bin { left, right, .. } => {
                f(left);
                f(right);
            }
            Expr::Compare { expr, ops } => {
                f(expr);
                for (_, e) in ops {
                    f(e);
                }
            }
            Expr::Cond { test, expr1, expr2 } => {
                f(test);
                f(expr1);
                if let Some(e) = expr2 {
                    f(e);
                }
            }
        }
    }

    /// Calls `f` on each child expression, in jinja2's field order.
    fn children(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        match self {
            Expr::Name { .. } | Expr::Const(_) | Expr::NsRef { .. } => {}
            Expr::Tuple { items, .. } | Expr::List(items) | Expr::Concat(items) => {
                out.extend(items);
            }
            Expr::Dict(pairs) => {
                for (k, v) in pairs {
                    out.push(k);
                    out.push(v);
                }
            }
            Expr::Getattr { node, .. } | Expr::Unary { node, .. } => out.push(node),
            Expr::Getitem { node, arg, .. } => {
                out.push(node);
                out.push(arg);
            }
            Expr::Slice { start, stop, step } => {
                out.extend([start, stop, step].into_iter().flatten().map(|b| &**b));
            }
            Expr::Call { node, args } | Expr::Test { node, args, .. } => {
                out.push(node);
                args.push_children(&mut out);
            }
            Expr::Filter { node, args, .. } => {
                if let Some(node) = node {
                    out.push(node);
                }
                args.push_children(&mut out);
            }
            Expr::Bin { left, right, .. } => {
                out.push(left);
                out.push(right);
            }
            Expr::Compare { expr, ops } => {
                out.push(expr);
                out.extend(ops.iter().map(|(_, e)| e));
            }
            Expr::Cond { test, expr1, expr2 } => {
                out.push(test);
                out.push(expr1);
                if let Some(e) = expr2 {
                    out.push(e);
                }
            }
        }
        out
    }
}

impl CallArgs {
    fn for_each_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        for e in &mut self.args {
            f(e);
        }
        for (_, e) in &mut self.kwargs {
            f(e);
        }
        if let Some(e) = &mut self.dyn_args {
            f(e);
        }
        if let Some(e) = &mut self.dyn_kwargs {
            f(e);
        }
    }

    fn push_children<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        out.extend(&self.args);
        out.extend(self.kwargs.iter().map(|(_, e)| e));
        if let Some(e) = &self.dyn_args {
            out.push(e);
        }
        if let Some(e) = &self.dyn_kwargs {
            out.push(e);
        }
    }
}

#[derive(Clone, Debug)]
enum OutItem {
    Data(String),
    Expr(Expr, usize),
}

#[derive(Clone, Debug)]
struct IfNode {
    test: Expr,
    body: Vec<Node>,
    elifs: Vec<IfNode>,
    else_: Vec<Node>,
    line: usize,
}

#[derive(Clone, Debug)]
struct MacroSig {
    args: Vec<String>,
    defaults: Vec<Expr>,
}

#[derive(Clone, Debug)]
enum Node {
    Output(Vec<OutItem>),
    For {
        target: Expr,
        iter: Expr,
        body: Vec<Node>,
        else_: Vec<Node>,
        test: Option<Expr>,
        recursive: bool,
        line: usize,
    },
    If(IfNode),
    Macro {
        name: String,
        sig: MacroSig,
        body: Vec<Node>,
        line: usize,
    },
    CallBlock {
        call: Expr,
        sig: MacroSig,
        body: Vec<Node>,
        line: usize,
    },
    FilterBlock {
        filter: Expr,
        body: Vec<Node>,
        line: usize,
    },
    With {
        targets: Vec<Expr>,
        values: Vec<Expr>,
        body: Vec<Node>,
        line: usize,
    },
    Assign {
        target: Expr,
        value: Expr,
        line: usize,
    },
    AssignBlock {
        target: Expr,
        filter: Option<Expr>,
        body: Vec<Node>,
        line: usize,
    },
    Block {
        name: String,
        scoped: bool,
        body: Vec<Node>,
        line: usize,
    },
    Extends {
        template: Expr,
        line: usize,
    },
    Include {
        template: Expr,
        line: usize,
    },
    Import {
        template: Expr,
        target: String,
        line: usize,
    },
    FromImport {
        template: Expr,
        names: Vec<(String, Option<String>)>,
        line: usize,
    },
    /// `{% autoescape %}`: jinja2's `Scope` holding a `ScopedEvalContextModifier`.
    Autoescape {
        value: Expr,
        body: Vec<Node>,
        line: usize,
    },
}

// =============================================================================================
// Parser: jinja2's, statement for statement.

struct Parser {
    toks: Vec<Token>,
    i: usize,
    tag_stack: Vec<String>,
    end_token_stack: Vec<&'static [&'static str]>,
    depth: usize,
}

type PResult<T> = Result<T, JinjaError>;

const STATEMENT_KEYWORDS: [&str; 12] = [
    "for",
    "if",
    "block",
    "extends",
    "print",
    "macro",
    "include",
    "from",
    "import",
    "set",
    "with",
    "autoescape",
];

fn describe_tok(tok: &Tok) -> String {
    match tok {
        Tok::Name(v) => v.clone(),
        Tok::Op(op) => (*op).to_owned(),
        Tok::Data(_) => "template data / text".into(),
        Tok::VarBegin => "begin of print statement".into(),
        Tok::VarEnd => "end of print statement".into(),
        Tok::BlockBegin => "begin of statement block".into(),
        Tok::BlockEnd => "end of statement block".into(),
        Tok::Str(_) => "string".into(),
        Tok::Int(_) => "integer".into(),
        Tok::Float(_) => "float".into(),
        Tok::Error(_) | Tok::Eof => "end of template".into(),
    }
}

/// What [`Parser::expect`] can ask for.
#[derive(Clone, Copy)]
enum Want {
    Name,
    Keyword(&'static str),
    Op(&'static str),
    VarEnd,
    BlockEnd,
}

impl Want {
    fn describe(self) -> &'static str {
        match self {
            Want::Name => "name",
            Want::Keyword(k) | Want::Op(k) => k,
            Want::VarEnd => "end of print statement",
            Want::BlockEnd => "end of statement block",
        }
    }

    fn matches(self, tok: &Tok) -> bool {
        match (self, tok) {
            (Want::Name, Tok::Name(_))
            | (Want::VarEnd, Tok::VarEnd)
            | (Want::BlockEnd, Tok::BlockEnd) => true,
            (Want::Keyword(k), Tok::Name(v)) => v == k,
            (Want::Op(o), Tok::Op(p)) => o == *p,
            _ => false,
        }
    }
}

fn parse(source: &str) -> PResult<Vec<Node>> {
    let toks = tokenize(source);
    if let Some(Token {
        tok: Tok::Error(message),
        line,
    }) = toks.first()
    {
        return Err(JinjaError::syntax(message.clone(), *line));
    }
    let mut parser = Parser {
        toks,
        i: 0,
        tag_stack: Vec::new(),
        end_token_stack: Vec::new(),
        depth: 0,
    };
    parser.subparse(None)
}

impl Parser {
    fn cur(&self) -> &Token {
        static EOF: Token = Token {
            tok: Tok::Eof,
            line: 1,
        };
        self.toks.get(self.i).or(self.toks.last()).unwrap_or(&EOF)
    }

    fn tok(&self) -> &Tok {
        &self.cur().tok
    }

    fn line(&self) -> usize {
        self.cur().line
    }

    fn is_name(&self, value: &str) -> bool {
        matches!(self.tok(), Tok::Name(v) if v == value)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.tok(), Tok::Op(o) if *o == op)
    }

    #[allow(clippy::unused_self)]
    fn fail<T>(&self, message: impl Into<String>, line: usize) -> PResult<T> {
        Err(JinjaError::syntax(message, line))
    }

    /// Moves to the next token and returns the one that was current (as jinja2's
    /// `next(stream)`); a lexing error is raised when it becomes current.
    fn next(&mut self) -> PResult<Token> {
        let old = self.cur().clone();
        if !matches!(old.tok, Tok::Eof) && self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        if let Tok::Error(message) = self.tok() {
            return Err(JinjaError::syntax(message.clone(), self.line()));
        }
        Ok(old)
    }

    /// The token after the current one.
    fn look(&self) -> PResult<&Tok> {
        match self.toks.get(self.i + 1) {
            Some(Token {
                tok: Tok::Error(message),
                line,
            }) => Err(JinjaError::syntax(message.clone(), *line)),
            Some(t) => Ok(&t.tok),
            None => Ok(&Tok::Eof),
        }
    }

    fn expect(&mut self, want: Want) -> PResult<Token> {
        if want.matches(self.tok()) {
            return self.next();
        }
        let expr = py_repr(want.describe());
        if matches!(self.tok(), Tok::Eof) {
            return self.fail(
                format!("unexpected end of template, expected {expr}."),
                self.line(),
            );
        }
        let got = py_repr(&describe_tok(self.tok()));
        self.fail(format!("expected token {expr}, got {got}"), self.line())
    }

    fn expect_name(&mut self) -> PResult<(String, usize)> {
        let token = self.expect(Want::Name)?;
        match token.tok {
            Tok::Name(v) => Ok((v, token.line)),
            _ => Ok((String::new(), token.line)),
        }
    }

    fn skip_name(&mut self, value: &str) -> PResult<bool> {
        if self.is_name(value) {
            self.next()?;
            return Ok(true);
        }
        Ok(false)
    }

    fn skip_op(&mut self, op: &str) -> PResult<bool> {
        if self.is_op(op) {
            self.next()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// One more node wrapped around the expression being built (a chain of `.a.b`, `|f|g`,
    /// `+ b + c`...): counted as nesting, so that later walks of the tree stay shallow.
    fn link(&mut self, links: &mut usize) -> PResult<()> {
        *links += 1;
        self.enter(MAX_AST_DEPTH)
    }

    fn enter(&mut self, limit: usize) -> PResult<()> {
        self.depth += 1;
        if self.depth > limit {
            return self.fail("maximum nesting depth exceeded", self.line());
        }
        Ok(())
    }

    fn fail_ut_eof<T>(
        &self,
        name: Option<&str>,
        stack: &[&'static [&'static str]],
        line: usize,
    ) -> PResult<T> {
        let expected: HashSet<&str> = stack.iter().flat_map(|e| e.iter().copied()).collect();
        let looking = stack.last().map(|last| {
            last.iter()
                .map(|e| py_repr(e))
                .collect::<Vec<_>>()
                .join(" or ")
        });
        let mut message = vec![match name {
            None => "Unexpected end of template.".to_owned(),
            Some(name) => format!("Encountered unknown tag {}.", py_repr(name)),
        }];
        if let Some(looking) = looking.filter(|l| !l.is_empty()) {
            if name.is_some_and(|n| expected.contains(n)) {
                message.push(format!(
                    "You probably made a nesting mistake. Jinja is expecting this tag, but \
                     currently looking for {looking}."
                ));
            } else {
                message.push(format!(
                    "Jinja was looking for the following tags: {looking}."
                ));
            }
        }
        if let Some(tag) = self.tag_stack.last() {
            message.push(format!(
                "The innermost block that needs to be closed is {}.",
                py_repr(tag)
            ));
        }
        self.fail(message.join(" "), line)
    }

    fn subparse(&mut self, end_tokens: Option<&'static [&'static str]>) -> PResult<Vec<Node>> {
        self.enter(MAX_STMT_DEPTH)?;
        if let Some(end) = end_tokens {
            self.end_token_stack.push(end);
        }
        let result = self.subparse_inner(end_tokens);
        if end_tokens.is_some() {
            self.end_token_stack.pop();
        }
        self.depth -= 1;
        result
    }

    fn subparse_inner(
        &mut self,
        end_tokens: Option<&'static [&'static str]>,
    ) -> PResult<Vec<Node>> {
        let mut body = Vec::new();
        let mut data: Vec<OutItem> = Vec::new();
        loop {
            match self.tok().clone() {
                Tok::Eof => break,
                Tok::Data(text) => {
                    if !text.is_empty() {
                        data.push(OutItem::Data(text));
                    }
                    self.next()?;
                }
                Tok::VarBegin => {
                    self.next()?;
                    let line = self.line();
                    let expr = self.parse_tuple(false, true, &[], false, false)?;
                    data.push(OutItem::Expr(expr, line));
                    self.expect(Want::VarEnd)?;
                }
                Tok::BlockBegin => {
                    if !data.is_empty() {
                        body.push(Node::Output(std::mem::take(&mut data)));
                    }
                    self.next()?;
                    if let Some(end) = end_tokens
                        && end.iter().any(|e| self.is_name(e))
                    {
                        return Ok(body);
                    }
                    let node = self.parse_statement()?;
                    body.push(node);
                    self.expect(Want::BlockEnd)?;
                }
                _ => return self.fail("internal parsing error", self.line()),
            }
        }
        if !data.is_empty() {
            body.push(Node::Output(data));
        }
        Ok(body)
    }

    fn parse_statement(&mut self) -> PResult<Node> {
        let line = self.line();
        let Tok::Name(name) = self.tok().clone() else {
            return self.fail("tag name expected", line);
        };
        let known =
            STATEMENT_KEYWORDS.contains(&name.as_str()) || name == "call" || name == "filter";
        if !known {
            let stack = self.end_token_stack.clone();
            return self.fail_ut_eof(Some(&name), &stack, line);
        }
        self.tag_stack.push(name.clone());
        let result = match name.as_str() {
            "for" => self.parse_for(),
            "if" => self.parse_if(),
            "block" => self.parse_block(),
            "extends" => self.parse_extends(),
            "print" => self.parse_print(),
            "macro" => self.parse_macro(),
            "include" => self.parse_include(),
            "from" => self.parse_from(),
            "import" => self.parse_import(),
            "set" => self.parse_set(),
            "with" => self.parse_with(),
            "autoescape" => self.parse_autoescape(),
            "call" => self.parse_call_block(),
            _ => self.parse_filter_block(),
        };
        self.tag_stack.pop();
        result
    }

    fn parse_statements(
        &mut self,
        end_tokens: &'static [&'static str],
        drop_needle: bool,
    ) -> PResult<Vec<Node>> {
        self.skip_op(":")?;
        self.expect(Want::BlockEnd)?;
        let body = self.subparse(Some(end_tokens))?;
        if matches!(self.tok(), Tok::Eof) {
            let mut stack = self.end_token_stack.clone();
            stack.push(end_tokens);
            return self.fail_ut_eof(None, &stack, self.line());
        }
        if drop_needle {
            self.next()?;
        }
        Ok(body)
    }

    fn parse_set(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let target = self.parse_assign_target(true, &[], true)?;
        if self.skip_op("=")? {
            let value = self.parse_tuple(false, true, &[], false, false)?;
            return Ok(Node::Assign {
                target,
                value,
                line,
            });
        }
        let filter = self.parse_filter(None, false)?;
        let body = self.parse_statements(&["endset"], true)?;
        Ok(Node::AssignBlock {
            target,
            filter,
            body,
            line,
        })
    }

    fn parse_for(&mut self) -> PResult<Node> {
        let line = self.expect(Want::Keyword("for"))?.line;
        let target = self.parse_assign_target(true, &["in"], false)?;
        self.expect(Want::Keyword("in"))?;
        let iter = self.parse_tuple(false, false, &["recursive"], false, false)?;
        let test = if self.skip_name("if")? {
            Some(self.parse_expression(true)?)
        } else {
            None
        };
        let recursive = self.skip_name("recursive")?;
        let body = self.parse_statements(&["endfor", "else"], false)?;
        let else_ = if matches!(&self.next()?.tok, Tok::Name(v) if v == "endfor") {
            Vec::new()
        } else {
            self.parse_statements(&["endfor"], true)?
        };
        Ok(Node::For {
            target,
            iter,
            body,
            else_,
            test,
            recursive,
            line,
        })
    }

    fn parse_if(&mut self) -> PResult<Node> {
        let line = self.expect(Want::Keyword("if"))?.line;
        let mut result = IfNode {
            test: Expr::Const(Const::None),
            body: Vec::new(),
            elifs: Vec::new(),
            else_: Vec::new(),
            line,
        };
        let mut branches: Vec<IfNode> = Vec::new();
        let mut current_line = line;
        loop {
            let test = self.parse_tuple(false, false, &[], false, false)?;
            let body = self.parse_statements(&["elif", "else", "endif"], false)?;
            let node = IfNode {
                test,
                body,
                elifs: Vec::new(),
                else_: Vec::new(),
                line: current_line,
            };
            branches.push(node);
            let token = self.next()?;
            if matches!(&token.tok, Tok::Name(v) if v == "elif") {
                current_line = self.line();
                continue;
            }
            if matches!(&token.tok, Tok::Name(v) if v == "else") {
                result.else_ = self.parse_statements(&["endif"], true)?;
            }
            break;
        }
        let mut branches = branches.into_iter();
        if let Some(first) = branches.next() {
            result.test = first.test;
            result.body = first.body;
            result.line = first.line;
        }
        result.elifs = branches.collect();
        Ok(Node::If(result))
    }

    fn parse_with(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let mut targets = Vec::new();
        let mut values = Vec::new();
        while !matches!(self.tok(), Tok::BlockEnd) {
            if !targets.is_empty() {
                self.expect(Want::Op(","))?;
            }
            let mut target = self.parse_assign_target(true, &[], false)?;
            target.set_ctx(Ctx::Param);
            targets.push(target);
            self.expect(Want::Op("="))?;
            values.push(self.parse_expression(true)?);
        }
        let body = self.parse_statements(&["endwith"], true)?;
        Ok(Node::With {
            targets,
            values,
            body,
            line,
        })
    }

    fn parse_autoescape(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let value = self.parse_expression(true)?;
        let body = self.parse_statements(&["endautoescape"], true)?;
        Ok(Node::Autoescape { value, body, line })
    }

    fn parse_block(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let (name, _) = self.expect_name()?;
        let scoped = self.skip_name("scoped")?;
        let required = self.skip_name("required")?;
        if self.is_op("-") {
            return self.fail(
                "Block names in Jinja have to be valid Python identifiers and may not contain \
                 hyphens, use an underscore instead.",
                self.line(),
            );
        }
        let body = self.parse_statements(&["endblock"], true)?;
        if required {
            let only_space = body.iter().all(|node| match node {
                Node::Output(items) => items.iter().all(|item| match item {
                    OutItem::Data(text) => !text.is_empty() && text.chars().all(py_isspace),
                    OutItem::Expr(..) => false,
                }),
                _ => false,
            });
            if !only_space {
                return self.fail(
                    "Required blocks can only contain comments or whitespace",
                    self.line(),
                );
            }
        }
        self.skip_name(&name)?;
        Ok(Node::Block {
            name,
            scoped,
            body,
            line,
        })
    }

    fn parse_extends(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let template = self.parse_expression(true)?;
        Ok(Node::Extends { template, line })
    }

    fn parse_import_context(&mut self) -> PResult<()> {
        if (self.is_name("with") || self.is_name("without"))
            && matches!(self.look()?, Tok::Name(v) if v == "context")
        {
            self.next()?;
            self.next()?;
        }
        Ok(())
    }

    fn parse_include(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let template = self.parse_expression(true)?;
        if self.is_name("ignore") && matches!(self.look()?, Tok::Name(v) if v == "missing") {
            self.next()?;
            self.next()?;
        }
        self.parse_import_context()?;
        Ok(Node::Include { template, line })
    }

    fn parse_import(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let template = self.parse_expression(true)?;
        self.expect(Want::Keyword("as"))?;
        let target = self.parse_name_target()?;
        self.parse_import_context()?;
        Ok(Node::Import {
            template,
            target,
            line,
        })
    }

    fn parse_from(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let template = self.parse_expression(true)?;
        self.expect(Want::Keyword("import"))?;
        let mut names: Vec<(String, Option<String>)> = Vec::new();
        loop {
            if !names.is_empty() {
                self.expect(Want::Op(","))?;
            }
            if matches!(self.tok(), Tok::Name(_)) {
                if self.parse_from_context()? {
                    break;
                }
                let target_line = self.line();
                let target = self.parse_name_target()?;
                if target.starts_with('_') {
                    return self.fail(
                        "names starting with an underline can not be imported",
                        target_line,
                    );
                }
                if self.skip_name("as")? {
                    let alias = self.parse_name_target()?;
                    names.push((target, Some(alias)));
                } else {
                    names.push((target, None));
                }
                if self.parse_from_context()? || !self.is_op(",") {
                    break;
                }
            } else {
                self.expect(Want::Name)?;
            }
        }
        Ok(Node::FromImport {
            template,
            names,
            line,
        })
    }

    fn parse_from_context(&mut self) -> PResult<bool> {
        let value = match self.tok() {
            Tok::Name(v) | Tok::Str(v) => v.as_str(),
            _ => "",
        };
        if (value == "with" || value == "without")
            && matches!(self.look()?, Tok::Name(v) if v == "context")
        {
            self.next()?;
            self.next()?;
            return Ok(true);
        }
        Ok(false)
    }

    fn parse_signature(&mut self) -> PResult<MacroSig> {
        let mut args = Vec::new();
        let mut defaults = Vec::new();
        self.expect(Want::Op("("))?;
        while !self.is_op(")") {
            if !args.is_empty() {
                self.expect(Want::Op(","))?;
            }
            let arg = self.parse_name_target()?;
            if self.skip_op("=")? {
                defaults.push(self.parse_expression(true)?);
            } else if !defaults.is_empty() {
                return self.fail("non-default argument follows default argument", self.line());
            }
            args.push(arg);
        }
        self.expect(Want::Op(")"))?;
        Ok(MacroSig { args, defaults })
    }

    fn parse_call_block(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let sig = if self.is_op("(") {
            self.parse_signature()?
        } else {
            MacroSig {
                args: Vec::new(),
                defaults: Vec::new(),
            }
        };
        let call = self.parse_expression(true)?;
        if !matches!(call, Expr::Call { .. }) {
            return self.fail("expected call", line);
        }
        let body = self.parse_statements(&["endcall"], true)?;
        Ok(Node::CallBlock {
            call,
            sig,
            body,
            line,
        })
    }

    fn parse_filter_block(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let filter = self.parse_filter(None, true)?;
        let body = self.parse_statements(&["endfilter"], true)?;
        let filter = filter.unwrap_or(Expr::Const(Const::None));
        Ok(Node::FilterBlock { filter, body, line })
    }

    fn parse_macro(&mut self) -> PResult<Node> {
        let line = self.next()?.line;
        let name = self.parse_name_target()?;
        let sig = self.parse_signature()?;
        let body = self.parse_statements(&["endmacro"], true)?;
        Ok(Node::Macro {
            name,
            sig,
            body,
            line,
        })
    }

    fn parse_print(&mut self) -> PResult<Node> {
        self.next()?;
        let mut items = Vec::new();
        while !matches!(self.tok(), Tok::BlockEnd) {
            if !items.is_empty() {
                self.expect(Want::Op(","))?;
            }
            let line = self.line();
            items.push(OutItem::Expr(self.parse_expression(true)?, line));
        }
        Ok(Node::Output(items))
    }

    /// `parse_assign_target(name_only=True)`.
    fn parse_name_target(&mut self) -> PResult<String> {
        let (name, line) = self.expect_name()?;
        let target = Expr::Name {
            name,
            ctx: Ctx::Store,
        };
        if !target.can_assign() {
            return self.fail(
                format!("can't assign to {}", py_repr(target.type_name())),
                line,
            );
        }
        match target {
            Expr::Name { name, .. } => Ok(name),
            _ => Ok(String::new()),
        }
    }

    fn parse_assign_target(
        &mut self,
        with_tuple: bool,
        extra_end: &'static [&'static str],
        with_namespace: bool,
    ) -> PResult<Expr> {
        let line = self.line();
        let mut target = if with_tuple {
            self.parse_tuple(true, true, extra_end, false, with_namespace)?
        } else {
            self.parse_primary(with_namespace)?
        };
        target.set_ctx(Ctx::Store);
        if !target.can_assign() {
            return self.fail(
                format!("can't assign to {}", py_repr(target.type_name())),
                line,
            );
        }
        Ok(target)
    }

    fn parse_expression(&mut self, with_condexpr: bool) -> PResult<Expr> {
        self.enter(MAX_EXPR_DEPTH)?;
        let result = if with_condexpr {
            self.parse_condexpr()
        } else {
            self.parse_or()
        };
        self.depth -= 1;
        result
    }

    fn parse_condexpr(&mut self) -> PResult<Expr> {
        let mut expr1 = self.parse_or()?;
        let mut links = 0;
        while self.skip_name("if")? {
            let expr2 = self.parse_or()?;
            let expr3 = if self.skip_name("else")? {
                Some(Box::new(self.parse_condexpr()?))
            } else {
                None
            };
            expr1 = Expr::Cond {
                test: Box::new(expr2),
                expr1: Box::new(expr1),
                expr2: expr3,
            };
            self.link(&mut links)?;
        }
        self.depth -= links;
        Ok(expr1)
    }

    fn parse_or(&mut self) -> PResult<Expr> {
        let mut left = self.parse_and()?;
        let mut links = 0;
        while self.skip_name("or")? {
            let right = self.parse_and()?;
            left = Expr::Bin {
                op: BinOp::Or,
                left: Box::new(left),
                right: Box::new(right),
            };
            self.link(&mut links)?;
        }
        self.depth -= links;
        Ok(left)
    }

    fn parse_and(&mut self) -> PResult<Expr> {
        let mut left = self.parse_not()?;
        let mut links = 0;
        while self.skip_name("and")? {
            let right = self.parse_not()?;
            left = Expr::Bin {
                op: BinOp::And,
                left: Box::new(left),
                right: Box::new(right),
            };
            self.link(&mut links)?;
        }
        self.depth -= links;
        Ok(left)
    }

    fn parse_not(&mut self) -> PResult<Expr> {
        if self.is_name("not") {
            self.next()?;
            self.enter(MAX_EXPR_DEPTH)?;
            let node = self.parse_not();
            self.depth -= 1;
            return Ok(Expr::Unary {
                op: UnOp::Not,
                node: Box::new(node?),
            });
        }
        self.parse_compare()
    }

    fn parse_compare(&mut self) -> PResult<Expr> {
        let expr = self.parse_math1()?;
        let mut ops = Vec::new();
        loop {
            let op = match self.tok() {
                Tok::Op("==") => Some(CmpOp::Eq),
                Tok::Op("!=") => Some(CmpOp::Ne),
                Tok::Op("<") => Some(CmpOp::Lt),
                Tok::Op("<=") => Some(CmpOp::LtEq),
                Tok::Op(">") => Some(CmpOp::Gt),
                Tok::Op(">=") => Some(CmpOp::GtEq),
                _ => None,
            };
            if let Some(op) = op {
                self.next()?;
                ops.push((op, self.parse_math1()?));
            } else if self.skip_name("in")? {
                ops.push((CmpOp::In, self.parse_math1()?));
            } else if self.is_name("not") && matches!(self.look()?, Tok::Name(v) if v == "in") {
                self.next()?;
                self.next()?;
                ops.push((CmpOp::NotIn, self.parse_math1()?));
            } else {
                break;
            }
        }
        if ops.is_empty() {
            return Ok(expr);
        }
        Ok(Expr::Compare {
            expr: Box::new(expr),
            ops,
        })
    }

    fn parse_math1(&mut self) -> PResult<Expr> {
        let mut left = self.parse_concat()?;
        let mut links = 0;
        loop {
            let op = match self.tok() {
                Tok::Op("+") => BinOp::Add,
                Tok::Op("-") => BinOp::Sub,
                _ => break,
            };
            self.next()?;
            let right = self.parse_concat()?;
            left = Expr::Bin {
                op,
                left: Box::new(left),
                right: Box::new(right),
            };
            self.link(&mut links)?;
        }
        self.depth -= links;
        Ok(left)
    }

    fn parse_concat(&mut self) -> PResult<Expr> {
        let mut args = vec![self.parse_math2()?];
        while self.is_op("~") {
            self.next()?;
            args.push(self.parse_math2()?);
        }
        if args.len() == 1 {
            return Ok(args.pop().unwrap_or(Expr::Const(Const::None)));
        }
        Ok(Expr::Concat(args))
    }

    fn parse_math2(&mut self) -> PResult<Expr> {
        let mut left = self.parse_pow()?;
        let mut links = 0;
        loop {
            let op = match self.tok() {
                Tok::Op("*") => BinOp::Mul,
                Tok::Op("/") => BinOp::Div,
                Tok::Op("//") => BinOp::FloorDiv,
                Tok::Op("%") => BinOp::Mod,
                _ => break,
            };
            self.next()?;
            let right = self.parse_pow()?;
            left = Expr::Bin {
                op,
                left: Box::new(left),
                right: Box::new(right),
            };
            self.link(&mut links)?;
        }
        self.depth -= links;
        Ok(left)
    }

    fn parse_pow(&mut self) -> PResult<Expr> {
        let mut left = self.parse_unary(true)?;
        let mut links = 0;
        while self.is_op("**") {
            self.next()?;
            let right = self.parse_unary(true)?;
            left = Expr::Bin {
                op: BinOp::Pow,
                left: Box::new(left),
                right: Box::new(right),
            };
            self.link(&mut links)?;
        }
        self.depth -= links;
        Ok(left)
    }

    fn parse_unary(&mut self, with_filter: bool) -> PResult<Expr> {
        self.enter(MAX_EXPR_DEPTH)?;
        let result = self.parse_unary_inner(with_filter);
        self.depth -= 1;
        result
    }

    fn parse_unary_inner(&mut self, with_filter: bool) -> PResult<Expr> {
        let mut node = if self.is_op("-") {
            self.next()?;
            Expr::Unary {
                op: UnOp::Neg,
                node: Box::new(self.parse_unary(false)?),
            }
        } else if self.is_op("+") {
            self.next()?;
            Expr::Unary {
                op: UnOp::Pos,
                node: Box::new(self.parse_unary(false)?),
            }
        } else {
            self.parse_primary(false)?
        };
        node = self.parse_postfix(node)?;
        if with_filter {
            node = self.parse_filter_expr(node)?;
        }
        Ok(node)
    }

    fn parse_primary(&mut self, with_namespace: bool) -> PResult<Expr> {
        let token = self.cur().clone();
        match token.tok {
            Tok::Name(value) => {
                self.next()?;
                Ok(match value.as_str() {
                    "true" | "True" => Expr::Const(Const::Bool(true)),
                    "false" | "False" => Expr::Const(Const::Bool(false)),
                    "none" | "None" => Expr::Const(Const::None),
                    _ if with_namespace && self.is_op(".") => {
                        self.next()?;
                        let (attr, _) = self.expect_name()?;
                        Expr::NsRef { name: value, attr }
                    }
                    _ => Expr::Name {
                        name: value,
                        ctx: Ctx::Load,
                    },
                })
            }
            Tok::Str(value) => {
                self.next()?;
                let mut buf = value;
                while let Tok::Str(more) = self.tok() {
                    buf.push_str(more);
                    self.next()?;
                }
                Ok(Expr::Const(Const::Str(buf)))
            }
            Tok::Int(value) => {
                self.next()?;
                Ok(Expr::Const(Const::Int(value)))
            }
            Tok::Float(value) => {
                self.next()?;
                Ok(Expr::Const(Const::Float(value)))
            }
            Tok::Op("(") => {
                self.next()?;
                let node = self.parse_tuple(false, true, &[], true, false)?;
                self.expect(Want::Op(")"))?;
                Ok(node)
            }
            Tok::Op("[") => self.parse_list(),
            Tok::Op("{") => self.parse_dict(),
            other => self.fail(
                format!("unexpected {}", py_repr(&describe_tok(&other))),
                token.line,
            ),
        }
    }

    fn is_tuple_end(&self, extra_end: &[&str]) -> bool {
        matches!(self.tok(), Tok::VarEnd | Tok::BlockEnd | Tok::Op(")"))
            || extra_end.iter().any(|e| self.is_name(e))
    }

    #[allow(clippy::fn_params_excessive_bools)]
    fn parse_tuple(
        &mut self,
        simplified: bool,
        with_condexpr: bool,
        extra_end: &[&str],
        explicit_parentheses: bool,
        with_namespace: bool,
    ) -> PResult<Expr> {
        let mut args = Vec::new();
        let mut is_tuple = false;
        loop {
            if !args.is_empty() {
                self.expect(Want::Op(","))?;
            }
            if self.is_tuple_end(extra_end) {
                break;
            }
            let item = if simplified {
                self.parse_primary(with_namespace)?
            } else {
                self.parse_expression(with_condexpr)?
            };
            args.push(item);
            if self.is_op(",") {
                is_tuple = true;
            } else {
                break;
            }
        }
        if !is_tuple {
            if let Some(item) = args.pop() {
                return Ok(item);
            }
            if !explicit_parentheses {
                return self.fail(
                    format!(
                        "Expected an expression, got {}",
                        py_repr(&describe_tok(self.tok()))
                    ),
                    self.line(),
                );
            }
        }
        Ok(Expr::Tuple {
            items: args,
            ctx: Ctx::Load,
        })
    }

    fn parse_list(&mut self) -> PResult<Expr> {
        self.expect(Want::Op("["))?;
        let mut items = Vec::new();
        while !self.is_op("]") {
            if !items.is_empty() {
                self.expect(Want::Op(","))?;
            }
            if self.is_op("]") {
                break;
            }
            items.push(self.parse_expression(true)?);
        }
        self.expect(Want::Op("]"))?;
        Ok(Expr::List(items))
    }

    fn parse_dict(&mut self) -> PResult<Expr> {
        self.expect(Want::Op("{"))?;
        let mut items = Vec::new();
        while !self.is_op("}") {
            if !items.is_empty() {
                self.expect(Want::Op(","))?;
            }
            if self.is_op("}") {
                break;
            }
            let key = self.parse_expression(true)?;
            self.expect(Want::Op(":"))?;
            let value = self.parse_expression(true)?;
            items.push((key, value));
        }
        self.expect(Want::Op("}"))?;
        Ok(Expr::Dict(items))
    }

    fn parse_postfix(&mut self, mut node: Expr) -> PResult<Expr> {
        let mut links = 0;
        loop {
            if self.is_op(".") || self.is_op("[") {
                node = self.parse_subscript(node)?;
            } else if self.is_op("(") {
                node = self.parse_call(node)?;
            } else {
                self.depth -= links;
                return Ok(node);
            }
            self.link(&mut links)?;
        }
    }

    fn parse_filter_expr(&mut self, mut node: Expr) -> PResult<Expr> {
        let mut links = 0;
        loop {
            if self.is_op("|") {
                node = match self.parse_filter(Some(node), false)? {
                    Some(n) => n,
                    None => return self.fail("internal parsing error", self.line()),
                };
            } else if self.is_name("is") {
                node = self.parse_test(node)?;
            } else if self.is_op("(") {
                node = self.parse_call(node)?;
            } else {
                self.depth -= links;
                return Ok(node);
            }
            self.link(&mut links)?;
        }
    }

    fn parse_subscript(&mut self, node: Expr) -> PResult<Expr> {
        let token = self.next()?;
        if token.tok == Tok::Op(".") {
            let attr = self.cur().clone();
            self.next()?;
            return match attr.tok {
                Tok::Name(name) => Ok(Expr::Getattr {
                    node: Box::new(node),
                    attr: name,
                    ctx: Ctx::Load,
                }),
                Tok::Int(value) => Ok(Expr::Getitem {
                    node: Box::new(node),
                    arg: Box::new(Expr::Const(Const::Int(value))),
                    ctx: Ctx::Load,
                }),
                _ => self.fail("expected name or number", attr.line),
            };
        }
        let mut args = Vec::new();
        while !self.is_op("]") {
            if !args.is_empty() {
                self.expect(Want::Op(","))?;
            }
            args.push(self.parse_subscribed()?);
        }
        self.expect(Want::Op("]"))?;
        let arg = if args.len() == 1 {
            args.pop().unwrap_or(Expr::Const(Const::None))
        } else {
            Expr::Tuple {
                items: args,
                ctx: Ctx::Load,
            }
        };
        Ok(Expr::Getitem {
            node: Box::new(node),
            arg: Box::new(arg),
            ctx: Ctx::Load,
        })
    }

    fn parse_subscribed(&mut self) -> PResult<Expr> {
        let start = if self.is_op(":") {
            self.next()?;
            None
        } else {
            let node = self.parse_expression(true)?;
            if !self.is_op(":") {
                return Ok(node);
            }
            self.next()?;
            Some(Box::new(node))
        };
        let stop = if self.is_op(":") || self.is_op("]") || self.is_op(",") {
            None
        } else {
            Some(Box::new(self.parse_expression(true)?))
        };
        let step = if self.is_op(":") {
            self.next()?;
            if self.is_op("]") || self.is_op(",") {
                None
            } else {
                Some(Box::new(self.parse_expression(true)?))
            }
        } else {
            None
        };
        Ok(Expr::Slice { start, stop, step })
    }

    fn parse_call_args(&mut self) -> PResult<CallArgs> {
        let token = self.expect(Want::Op("("))?;
        let mut out = CallArgs::default();
        let mut require_comma = false;
        let invalid = |p: &Self| -> PResult<()> {
            p.fail("invalid syntax for function call expression", token.line)
        };
        while !self.is_op(")") {
            if require_comma {
                self.expect(Want::Op(","))?;
                if self.is_op(")") {
                    break;
                }
            }
            if self.is_op("*") {
                if out.dyn_args.is_some() || out.dyn_kwargs.is_some() {
                    invalid(self)?;
                }
                self.next()?;
                out.dyn_args = Some(Box::new(self.parse_expression(true)?));
            } else if self.is_op("**") {
                if out.dyn_kwargs.is_some() {
                    invalid(self)?;
                }
                self.next()?;
                out.dyn_kwargs = Some(Box::new(self.parse_expression(true)?));
            } else if matches!(self.tok(), Tok::Name(_)) && self.look()? == &Tok::Op("=") {
                if out.dyn_kwargs.is_some() {
                    invalid(self)?;
                }
                let (key, _) = self.expect_name()?;
                self.next()?;
                let value = self.parse_expression(true)?;
                out.kwargs.push((key, value));
            } else {
                if out.dyn_args.is_some() || out.dyn_kwargs.is_some() || !out.kwargs.is_empty() {
                    invalid(self)?;
                }
                out.args.push(self.parse_expression(true)?);
            }
            require_comma = true;
        }
        self.expect(Want::Op(")"))?;
        Ok(out)
    }

    fn parse_call(&mut self, node: Expr) -> PResult<Expr> {
        let args = self.parse_call_args()?;
        Ok(Expr::Call {
            node: Box::new(node),
            args,
        })
    }

    fn parse_dotted_name(&mut self) -> PResult<(String, usize)> {
        let (mut name, line) = self.expect_name()?;
        while self.is_op(".") {
            self.next()?;
            let (part, _) = self.expect_name()?;
            name.push('.');
            name.push_str(&part);
        }
        Ok((name, line))
    }

    fn parse_filter(
        &mut self,
        mut node: Option<Expr>,
        mut start_inline: bool,
    ) -> PResult<Option<Expr>> {
        let mut links = 0;
        while self.is_op("|") || start_inline {
            if !start_inline {
                self.next()?;
            }
            let (name, line) = self.parse_dotted_name()?;
            let args = if self.is_op("(") {
                self.parse_call_args()?
            } else {
                CallArgs::default()
            };
            node = Some(Expr::Filter {
                node: node.map(Box::new),
                name,
                args,
                line,
            });
            start_inline = false;
            self.link(&mut links)?;
        }
        self.depth -= links;
        Ok(node)
    }

    fn parse_test(&mut self, node: Expr) -> PResult<Expr> {
        let token = self.next()?;
        let negated = self.skip_name("not")?;
        let (name, _) = self.parse_dotted_name()?;
        let args = if self.is_op("(") {
            self.parse_call_args()?
        } else if matches!(
            self.tok(),
            Tok::Name(_) | Tok::Str(_) | Tok::Int(_) | Tok::Float(_) | Tok::Op("[" | "{")
        ) && !self.is_name("else")
            && !self.is_name("or")
            && !self.is_name("and")
        {
            if self.is_name("is") {
                return self.fail("You cannot chain multiple tests with is", self.line());
            }
            let arg = self.parse_primary(false)?;
            let arg = self.parse_postfix(arg)?;
            CallArgs {
                args: vec![arg],
                ..CallArgs::default()
            }
        } else {
            CallArgs::default()
        };
        let test = Expr::Test {
            node: Box::new(node),
            name,
            args,
            line: token.line,
        };
        Ok(if negated {
            Expr::Unary {
                op: UnOp::Not,
                node: Box::new(test),
            }
        } else {
            test
        })
    }
}

// =============================================================================================
// Compilation checks and undeclared variables: jinja2's code generator and symbol tracking.

/// jinja2's default filters.
const JINJA_FILTERS: [&str; 54] = [
    "abs",
    "attr",
    "batch",
    "capitalize",
    "center",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "filesizeformat",
    "first",
    "float",
    "forceescape",
    "format",
    "groupby",
    "indent",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "pprint",
    "random",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "safe",
    "select",
    "selectattr",
    "slice",
    "sort",
    "string",
    "striptags",
    "sum",
    "title",
    "tojson",
    "trim",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "urlize",
    "wordcount",
    "wordwrap",
    "xmlattr",
];

/// jinja2's default tests.
const JINJA_TESTS: [&str; 39] = [
    "!=",
    "<",
    "<=",
    "==",
    ">",
    ">=",
    "boolean",
    "callable",
    "defined",
    "divisibleby",
    "eq",
    "equalto",
    "escaped",
    "even",
    "false",
    "filter",
    "float",
    "ge",
    "greaterthan",
    "gt",
    "in",
    "integer",
    "iterable",
    "le",
    "lessthan",
    "lower",
    "lt",
    "mapping",
    "ne",
    "none",
    "number",
    "odd",
    "sameas",
    "sequence",
    "string",
    "test",
    "true",
    "undefined",
    "upper",
];

/// jinja2's default globals: never reported as undeclared.
const JINJA_GLOBALS: [&str; 6] = ["cycler", "dict", "joiner", "lipsum", "namespace", "range"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Load {
    Param,
    Resolve,
    Alias,
    Undefined,
}

/// jinja2's `Symbols`: the names one frame defines and how it loads them.
#[derive(Clone, Default)]
struct Symbols<'p> {
    parent: Option<&'p Symbols<'p>>,
    refs: HashSet<String>,
    loads: HashMap<String, Load>,
    stores: HashSet<String>,
}

impl<'p> Symbols<'p> {
    fn child(parent: &'p Symbols<'p>) -> Symbols<'p> {
        Symbols {
            parent: Some(parent),
            ..Symbols::default()
        }
    }

    fn find_ref(&self, name: &str) -> bool {
        self.refs.contains(name) || self.parent.is_some_and(|p| p.find_ref(name))
    }

    fn define(&mut self, name: &str, load: Load) {
        self.refs.insert(name.to_owned());
        self.loads.insert(name.to_owned(), load);
    }

    fn load(&mut self, name: &str) {
        if !self.find_ref(name) {
            self.define(name, Load::Resolve);
        }
    }

    fn store(&mut self, name: &str) {
        self.stores.insert(name.to_owned());
        if !self.refs.contains(name) {
            if self.parent.is_some_and(|p| p.find_ref(name)) {
                self.define(name, Load::Alias);
            } else {
                self.define(name, Load::Undefined);
            }
        }
    }

    fn declare_parameter(&mut self, name: &str) {
        self.stores.insert(name.to_owned());
        self.define(name, Load::Param);
    }

    fn branch_update(&mut self, branches: Vec<Symbols<'p>>) {
        let mut stores: HashSet<String> = HashSet::new();
        for branch in &branches {
            stores.extend(branch.stores.iter().cloned());
        }
        stores.retain(|name| !self.stores.contains(name));
        for branch in branches {
            self.refs.extend(branch.refs);
            self.loads.extend(branch.loads);
            self.stores.extend(branch.stores);
        }
        for name in stores {
            let load = if self.parent.is_some_and(|p| p.find_ref(&name)) {
                Load::Alias
            } else {
                Load::Resolve
            };
            self.loads.insert(name, load);
        }
    }

    // jinja2's FrameSymbolVisitor.

    fn visit_expr(&mut self, expr: &Expr, as_param: bool) {
        match expr {
            Expr::Name { name, ctx } => {
                if as_param || *ctx == Ctx::Param {
                    self.declare_parameter(name);
                } else if *ctx == Ctx::Store {
                    self.store(name);
                } else {
                    self.load(name);
                }
            }
            Expr::NsRef { name, .. } => self.load(name),
            other => {
                for child in other.children() {
                    self.visit_expr(child, as_param);
                }
            }
        }
    }

    fn visit_nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.visit_node(node);
        }
    }

    fn visit_node(&mut self, node: &Node) {
        match node {
            Node::Output(items) => {
                for item in items {
                    if let OutItem::Expr(expr, _) = item {
                        self.visit_expr(expr, false);
                    }
                }
            }
            Node::For { iter, .. } => self.visit_expr(iter, false),
            Node::If(if_node) => self.visit_if(if_node),
            Node::Macro { name, .. } => self.store(name),
            Node::CallBlock { call, .. } => self.visit_expr(call, false),
            Node::FilterBlock { filter, .. } => self.visit_expr(filter, false),
            Node::With { values, .. } => {
                for value in values {
                    self.visit_expr(value, false);
                }
            }
            Node::Assign { target, value, .. } => {
                self.visit_expr(value, false);
                self.visit_expr(target, false);
            }
            Node::AssignBlock { target, .. } => self.visit_expr(target, false),
            Node::Block { .. } | Node::Autoescape { .. } => {}
            Node::Extends { template, .. } | Node::Include { template, .. } => {
                self.visit_expr(template, false);
            }
            Node::Import {
                template, target, ..
            } => {
                self.visit_expr(template, false);
                self.store(target);
            }
            Node::FromImport {
                template, names, ..
            } => {
                self.visit_expr(template, false);
                for (name, alias) in names {
                    self.store(alias.as_ref().unwrap_or(name));
                }
            }
        }
    }

    fn visit_if(&mut self, node: &IfNode) {
        self.visit_expr(&node.test, false);
        let mut body = self.clone();
        body.visit_nodes(&node.body);
        let mut elifs = self.clone();
        for elif in &node.elifs {
            elifs.visit_if(elif);
        }
        let mut else_ = self.clone();
        else_.visit_nodes(&node.else_);
        self.branch_update(vec![body, elifs, else_]);
    }

    // jinja2's RootVisitor.

    fn analyze_macro(&mut self, sig: &MacroSig, body: &[Node]) {
        for arg in &sig.args {
            self.declare_parameter(arg);
        }
        for default in &sig.defaults {
            self.visit_expr(default, false);
        }
        self.visit_nodes(body);
    }
}

/// A code generation frame.
struct Frame<'p> {
    sym: Symbols<'p>,
    toplevel: bool,
    rootlevel: bool,
    soft: bool,
    require_output_check: bool,
}

impl Frame<'_> {
    fn root(require_output_check: bool) -> Frame<'static> {
        Frame {
            sym: Symbols::default(),
            toplevel: false,
            rootlevel: false,
            soft: false,
            require_output_check,
        }
    }

    fn inner(&self) -> Frame<'_> {
        Frame {
            sym: Symbols::child(&self.sym),
            toplevel: false,
            rootlevel: false,
            soft: false,
            require_output_check: self.require_output_check,
        }
    }

    fn soft_copy(&self) -> Frame<'_> {
        Frame {
            sym: self.sym.clone(),
            toplevel: self.toplevel,
            rootlevel: false,
            soft: true,
            require_output_check: self.require_output_check,
        }
    }
}

/// Walks the names of `nodes` in jinja2's field order: `f(name, ctx)` returns `true` to stop.
/// Blocks are entered only when `into_blocks` is set.
fn walk_names(nodes: &[Node], into_blocks: bool, f: &mut dyn FnMut(&str, Ctx) -> bool) -> bool {
    fn expr(e: &Expr, f: &mut dyn FnMut(&str, Ctx) -> bool) -> bool {
        if let Expr::Name { name, ctx } = e {
            return f(name, *ctx);
        }
        e.children().into_iter().any(|c| expr(c, f))
    }
    fn exprs<'a>(
        es: impl IntoIterator<Item = &'a Expr>,
        f: &mut dyn FnMut(&str, Ctx) -> bool,
    ) -> bool {
        es.into_iter().any(|e| expr(e, f))
    }
    fn sig(s: &MacroSig, f: &mut dyn FnMut(&str, Ctx) -> bool) -> bool {
        s.args.iter().any(|a| f(a, Ctx::Param)) || exprs(&s.defaults, f)
    }
    fn if_node(n: &IfNode, blocks: bool, f: &mut dyn FnMut(&str, Ctx) -> bool) -> bool {
        expr(&n.test, f)
            || walk_names(&n.body, blocks, f)
            || n.elifs.iter().any(|e| if_node(e, blocks, f))
            || walk_names(&n.else_, blocks, f)
    }
    for node in nodes {
        let stop = match node {
            Node::Output(items) => items.iter().any(|item| match item {
                OutItem::Expr(e, _) => expr(e, f),
                OutItem::Data(_) => false,
            }),
            Node::For {
                target,
                iter,
                body,
                else_,
                test,
                ..
            } => {
                expr(target, f)
                    || expr(iter, f)
                    || walk_names(body, into_blocks, f)
                    || walk_names(else_, into_blocks, f)
                    || test.as_ref().is_some_and(|t| expr(t, f))
            }
            Node::If(n) => if_node(n, into_blocks, f),
            Node::Macro { sig: s, body, .. } => sig(s, f) || walk_names(body, into_blocks, f),
            Node::CallBlock {
                call, sig: s, body, ..
            } => expr(call, f) || sig(s, f) || walk_names(body, into_blocks, f),
            Node::FilterBlock { filter, body, .. } => {
                walk_names(body, into_blocks, f) || expr(filter, f)
            }
            Node::With {
                targets,
                values,
                body,
                ..
            } => exprs(targets, f) || exprs(values, f) || walk_names(body, into_blocks, f),
            Node::Assign { target, value, .. } => expr(target, f) || expr(value, f),
            Node::AssignBlock {
                target,
                filter,
                body,
                ..
            } => {
                expr(target, f)
                    || filter.as_ref().is_some_and(|e| expr(e, f))
                    || walk_names(body, into_blocks, f)
            }
            Node::Block { body, .. } => into_blocks && walk_names(body, into_blocks, f),
            Node::Extends { template, .. }
            | Node::Include { template, .. }
            | Node::Import { template, .. }
            | Node::FromImport { template, .. } => expr(template, f),
            Node::Autoescape { value, body, .. } => {
                expr(value, f) || walk_names(body, into_blocks, f)
            }
        };
        if stop {
            return true;
        }
    }
    false
}

/// jinja2's `find_undeclared`: which of `names` are read in `nodes` before anything else
/// names them.
fn find_undeclared(nodes: &[Node], names: &[&str]) -> HashSet<String> {
    let mut pending: HashSet<&str> = names.iter().copied().collect();
    let mut found: HashSet<String> = HashSet::new();
    walk_names(nodes, false, &mut |name, ctx| {
        if ctx == Ctx::Load && pending.contains(name) {
            found.insert(name.to_owned());
            found.len() == names.len()
        } else {
            pending.remove(name);
            false
        }
    });
    found
}

/// Calls `f` on every block in `nodes`, outer blocks first.
fn for_each_block<'a>(nodes: &'a [Node], f: &mut dyn FnMut(&'a Node)) {
    for node in nodes {
        match node {
            Node::Output(_)
            | Node::Assign { .. }
            | Node::Extends { .. }
            | Node::Include { .. }
            | Node::Import { .. }
            | Node::FromImport { .. } => {}
            Node::For { body, else_, .. } => {
                for_each_block(body, f);
                for_each_block(else_, f);
            }
            Node::If(n) => for_each_block_if(n, f),
            Node::Macro { body, .. }
            | Node::CallBlock { body, .. }
            | Node::FilterBlock { body, .. }
            | Node::With { body, .. }
            | Node::AssignBlock { body, .. }
            | Node::Autoescape { body, .. } => for_each_block(body, f),
            Node::Block { body, .. } => {
                f(node);
                for_each_block(body, f);
            }
        }
    }
}

fn for_each_block_if<'a>(n: &'a IfNode, f: &mut dyn FnMut(&'a Node)) {
    for_each_block(&n.body, f);
    for elif in &n.elifs {
        for_each_block_if(elif, f);
    }
    for_each_block(&n.else_, f);
}

fn contains_extends(nodes: &[Node]) -> bool {
    nodes.iter().any(|node| match node {
        Node::Extends { .. } => true,
        Node::For { body, else_, .. } => contains_extends(body) || contains_extends(else_),
        Node::If(n) => if_contains_extends(n),
        Node::Macro { body, .. }
        | Node::CallBlock { body, .. }
        | Node::FilterBlock { body, .. }
        | Node::With { body, .. }
        | Node::AssignBlock { body, .. }
        | Node::Block { body, .. }
        | Node::Autoescape { body, .. } => contains_extends(body),
        _ => false,
    })
}

fn if_contains_extends(n: &IfNode) -> bool {
    contains_extends(&n.body)
        || n.elifs.iter().any(if_contains_extends)
        || contains_extends(&n.else_)
}

enum Stop {
    /// jinja2's `CompilerExit`: the rest of the current body is not compiled.
    Exit,
    Fail(JinjaError),
}

impl From<JinjaError> for Stop {
    fn from(err: JinjaError) -> Self {
        Stop::Fail(err)
    }
}

type GResult = Result<(), Stop>;

struct Generator {
    undeclared: BTreeSet<String>,
    /// Names the template's top level sets before reading them: jinja2 gives them no value
    /// (rather than the context's) until they are set.
    root_stored: BTreeSet<String>,
    has_known_extends: bool,
    extends_so_far: usize,
}

/// What jinja2's compiler finds out about a template.
struct Analysis {
    undeclared: BTreeSet<String>,
    root_stored: BTreeSet<String>,
}

/// Compiles the template as jinja2 does, without writing code: returns the undeclared
/// variables, or the error jinja2's compiler raises.
fn analyze(body: &[Node]) -> Result<Analysis, JinjaError> {
    let mut generator = Generator {
        undeclared: BTreeSet::new(),
        root_stored: BTreeSet::new(),
        has_known_extends: false,
        extends_so_far: 0,
    };
    match generator.template(body) {
        Ok(()) | Err(Stop::Exit) => Ok(Analysis {
            undeclared: generator.undeclared,
            root_stored: generator.root_stored,
        }),
        Err(Stop::Fail(err)) => Err(err),
    }
}

fn assertion(message: impl Into<String>, line: usize) -> Stop {
    Stop::Fail(JinjaError::syntax(message, line))
}

impl Generator {
    fn enter_frame(&mut self, frame: &Frame<'_>) {
        for (name, load) in &frame.sym.loads {
            if *load == Load::Resolve && !JINJA_GLOBALS.contains(&name.as_str()) {
                self.undeclared.insert(name.clone());
            }
        }
    }

    fn template(&mut self, body: &[Node]) -> GResult {
        let mut blocks: Vec<&Node> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut duplicate: Option<(String, usize)> = None;
        for_each_block(body, &mut |node| {
            if let Node::Block { name, line, .. } = node {
                if !seen.insert(name) && duplicate.is_none() {
                    duplicate = Some((name.clone(), *line));
                }
                blocks.push(node);
            }
        });
        if let Some((name, line)) = duplicate {
            return Err(assertion(
                format!("block {} defined twice", py_repr(&name)),
                line,
            ));
        }
        let have_extends = contains_extends(body);
        let mut root = Frame::root(have_extends);
        if find_undeclared(body, &["self"]).contains("self") {
            root.sym.declare_parameter("self");
        }
        root.sym.visit_nodes(body);
        for (name, load) in &root.sym.loads {
            if *load == Load::Undefined {
                self.root_stored.insert(name.clone());
            }
        }
        root.toplevel = true;
        root.rootlevel = true;
        self.enter_frame(&root);
        self.block_visit(body, &root)?;
        for block in blocks {
            if let Node::Block { body, .. } = block {
                let mut frame = Frame::root(false);
                let special = find_undeclared(body, &["self", "super"]);
                for name in ["self", "super"] {
                    if special.contains(name) {
                        frame.sym.declare_parameter(name);
                    }
                }
                frame.sym.visit_nodes(body);
                self.enter_frame(&frame);
                self.block_visit(body, &frame)?;
            }
        }
        Ok(())
    }

    fn block_visit(&mut self, nodes: &[Node], frame: &Frame<'_>) -> GResult {
        for node in nodes {
            match self.node(node, frame) {
                Err(Stop::Exit) => return Ok(()),
                other => other?,
            }
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, frame: &Frame<'_>) -> GResult {
        match node {
            Node::Output(items) => {
                if frame.require_output_check && self.has_known_extends {
                    return Ok(());
                }
                for item in items {
                    if let OutItem::Expr(expr, _) = item {
                        self.expr(expr, frame, frame.soft)?;
                    }
                }
                Ok(())
            }
            Node::For {
                target,
                iter,
                body,
                else_,
                test,
                recursive,
                line,
            } => self.for_loop(
                node,
                target,
                iter,
                body,
                else_,
                test.as_ref(),
                *recursive,
                *line,
                frame,
            ),
            Node::If(if_node) => {
                let if_frame = frame.soft_copy();
                self.expr(&if_node.test, &if_frame, true)?;
                self.block_visit(&if_node.body, &if_frame)?;
                for elif in &if_node.elifs {
                    self.expr(&elif.test, &if_frame, true)?;
                    self.block_visit(&elif.body, &if_frame)?;
                }
                self.block_visit(&if_node.else_, &if_frame)
            }
            Node::Macro {
                sig, body, line, ..
            } => self.macro_body(sig, body, *line, frame),
            Node::CallBlock {
                call,
                sig,
                body,
                line,
            } => {
                self.macro_body(sig, body, *line, frame)?;
                self.expr(call, frame, frame.soft)
            }
            Node::FilterBlock { filter, body, .. } => {
                let mut inner = frame.inner();
                inner.sym.visit_nodes(body);
                inner.sym.visit_expr(filter, false);
                self.enter_frame(&inner);
                self.block_visit(body, &inner)?;
                self.expr(filter, &inner, false)
            }
            Node::With {
                targets,
                values,
                body,
                ..
            } => {
                let mut inner = frame.inner();
                for target in targets {
                    inner.sym.visit_expr(target, false);
                }
                inner.sym.visit_nodes(body);
                self.enter_frame(&inner);
                for (target, value) in targets.iter().zip(values) {
                    self.expr(target, &inner, false)?;
                    self.expr(value, frame, frame.soft)?;
                }
                self.block_visit(body, &inner)
            }
            Node::Assign { target, value, .. } => {
                self.expr(target, frame, frame.soft)?;
                self.expr(value, frame, frame.soft)
            }
            Node::AssignBlock {
                target,
                filter,
                body,
                ..
            } => {
                let mut inner = frame.inner();
                inner.require_output_check = false;
                inner.sym.visit_nodes(body);
                self.enter_frame(&inner);
                self.block_visit(body, &inner)?;
                self.expr(target, frame, frame.soft)?;
                if let Some(filter) = filter {
                    self.expr(filter, &inner, false)?;
                }
                Ok(())
            }
            Node::Block { .. } => Ok(()),
            Node::Extends { template, line } => {
                if !frame.toplevel {
                    return Err(assertion(
                        "cannot use extend from a non top-level scope",
                        *line,
                    ));
                }
                if self.extends_so_far > 0 && self.has_known_extends {
                    return Err(Stop::Exit);
                }
                self.expr(template, frame, frame.soft)?;
                if frame.rootlevel {
                    self.has_known_extends = true;
                }
                self.extends_so_far += 1;
                Ok(())
            }
            Node::Include { template, .. }
            | Node::Import { template, .. }
            | Node::FromImport { template, .. } => self.expr(template, frame, frame.soft),
            Node::Autoescape { value, body, .. } => {
                let mut inner = frame.inner();
                inner.sym.visit_expr(value, false);
                inner.sym.visit_nodes(body);
                self.enter_frame(&inner);
                self.expr(value, &inner, false)?;
                for child in body {
                    self.node(child, &inner)?;
                }
                Ok(())
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn for_loop(
        &mut self,
        node: &Node,
        target: &Expr,
        iter: &Expr,
        body: &[Node],
        else_: &[Node],
        test: Option<&Expr>,
        recursive: bool,
        line: usize,
        frame: &Frame<'_>,
    ) -> GResult {
        let mut loop_frame = frame.inner();
        let mut scoped_block = false;
        for_each_block(std::slice::from_ref(node), &mut |b| {
            if let Node::Block { scoped: true, .. } = b {
                scoped_block = true;
            }
        });
        let extended =
            recursive || find_undeclared(body, &["loop"]).contains("loop") || scoped_block;
        if extended {
            loop_frame.sym.declare_parameter("loop");
        }
        loop_frame.sym.visit_expr(target, true);
        loop_frame.sym.visit_nodes(body);
        let mut else_frame = frame.inner();
        if !else_.is_empty() {
            else_frame.sym.visit_nodes(else_);
        }
        if let Some(test) = test {
            let mut test_frame = frame.inner();
            test_frame.sym.visit_expr(target, true);
            test_frame.sym.visit_expr(test, false);
            self.enter_frame(&test_frame);
            self.expr(test, &test_frame, false)?;
        }
        let mut assigns_loop = false;
        walk_names(std::slice::from_ref(node), true, &mut |name, ctx| {
            if ctx == Ctx::Store && name == "loop" {
                assigns_loop = true;
            }
            false
        });
        if assigns_loop {
            return Err(assertion(
                "Can't assign to special loop variable in for-loop target",
                line,
            ));
        }
        if !recursive {
            self.expr(iter, frame, frame.soft)?;
        }
        self.enter_frame(&loop_frame);
        self.block_visit(body, &loop_frame)?;
        if !else_.is_empty() {
            self.enter_frame(&else_frame);
            self.block_visit(else_, &else_frame)?;
        }
        if recursive {
            self.expr(iter, frame, frame.soft)?;
        }
        Ok(())
    }

    fn macro_body(
        &mut self,
        sig: &MacroSig,
        body: &[Node],
        line: usize,
        frame: &Frame<'_>,
    ) -> GResult {
        let mut inner = frame.inner();
        inner.sym.analyze_macro(sig, body);
        let explicit_caller = sig.args.iter().position(|a| a == "caller");
        let special = find_undeclared(body, &["caller", "kwargs", "varargs"]);
        if special.contains("caller") {
            match explicit_caller {
                Some(index) if sig.args.len() - index > sig.defaults.len() => {
                    return Err(assertion(
                        "When defining macros or call blocks the special \"caller\" argument \
                         must be omitted or be given a default.",
                        line,
                    ));
                }
                Some(_) => {}
                None => inner.sym.declare_parameter("caller"),
            }
        }
        for name in ["kwargs", "varargs"] {
            if special.contains(name) && !sig.args.iter().any(|a| a == name) {
                inner.sym.declare_parameter(name);
            }
        }
        inner.require_output_check = false;
        self.enter_frame(&inner);
        for default in &sig.defaults {
            self.expr(default, &inner, false)?;
        }
        self.block_visit(body, &inner)
    }

    fn expr(&mut self, expr: &Expr, frame: &Frame<'_>, soft: bool) -> GResult {
        match expr {
            Expr::Name { name, .. } | Expr::NsRef { name, .. } => {
                if !frame.sym.find_ref(name) {
                    return Err(assertion(
                        format!(
                            "Tried to resolve a name to a reference that was unknown to the \
                             frame ({})",
                            py_repr(name)
                        ),
                        1,
                    ));
                }
                Ok(())
            }
            Expr::Filter {
                node,
                name,
                args,
                line,
            } => {
                if !soft && !JINJA_FILTERS.contains(&name.as_str()) {
                    return Err(assertion(
                        format!("No filter named {}.", py_repr(name)),
                        *line,
                    ));
                }
                if let Some(node) = node {
                    self.expr(node, frame, soft)?;
                }
                self.call_args(args, frame, soft)
            }
            Expr::Test {
                node,
                name,
                args,
                line,
            } => {
                if !soft && !JINJA_TESTS.contains(&name.as_str()) {
                    return Err(assertion(
                        format!("No test named {}.", py_repr(name)),
                        *line,
                    ));
                }
                self.expr(node, frame, soft)?;
                self.call_args(args, frame, soft)
            }
            Expr::Cond { .. } => {
                for child in expr.children() {
                    self.expr(child, frame, true)?;
                }
                Ok(())
            }
            other => {
                for child in other.children() {
                    self.expr(child, frame, soft)?;
                }
                Ok(())
            }
        }
    }

    fn call_args(&mut self, args: &CallArgs, frame: &Frame<'_>, soft: bool) -> GResult {
        let mut children = Vec::new();
        args.push_children(&mut children);
        for child in children {
            self.expr(child, frame, soft)?;
        }
        Ok(())
    }
}

/// Python keywords: a keyword argument named so makes jinja2 pass all keyword arguments as a
/// dict, where repeating one is allowed.
const PYTHON_KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// The checks Python's compiler makes on the code jinja2 generates (only `render` compiles it).
fn check_python_compile(body: &[Node]) -> Result<(), JinjaError> {
    fn args_ok(args: &CallArgs) -> Result<(), JinjaError> {
        if args
            .kwargs
            .iter()
            .any(|(k, _)| PYTHON_KEYWORDS.contains(&k.as_str()))
        {
            return Ok(());
        }
        let mut seen = HashSet::new();
        for (key, _) in &args.kwargs {
            if !seen.insert(key.as_str()) {
                return Err(JinjaError::new(
                    JinjaErrorKind::Render,
                    format!("keyword argument repeated: {key}"),
                    None,
                ));
            }
        }
        Ok(())
    }
    fn expr(e: &Expr) -> Result<(), JinjaError> {
        match e {
            Expr::Call { args, .. } | Expr::Filter { args, .. } | Expr::Test { args, .. } => {
                args_ok(args)?;
            }
            _ => {}
        }
        e.children().into_iter().try_for_each(expr)
    }
    let mut result = Ok(());
    let mut visit = |n: &Node| {
        if result.is_ok() {
            result = node_exprs(n).into_iter().try_for_each(expr);
        }
    };
    for_each_node(body, &mut visit);
    result
}

/// The expressions directly held by a statement.
fn node_exprs(node: &Node) -> Vec<&Expr> {
    match node {
        Node::Output(items) => items
            .iter()
            .filter_map(|i| match i {
                OutItem::Expr(e, _) => Some(e),
                OutItem::Data(_) => None,
            })
            .collect(),
        Node::For {
            target, iter, test, ..
        } => {
            let mut out = vec![target, iter];
            out.extend(test);
            out
        }
        Node::If(n) => {
            let mut out = vec![&n.test];
            out.extend(n.elifs.iter().map(|e| &e.test));
            out
        }
        Node::Macro { sig, .. } => sig.defaults.iter().collect(),
        Node::CallBlock { call, sig, .. } => {
            let mut out = vec![call];
            out.extend(&sig.defaults);
            out
        }
        Node::FilterBlock { filter, .. } => vec![filter],
        Node::With {
            targets, values, ..
        } => targets.iter().chain(values).collect(),
        Node::Assign { target, value, .. } => vec![target, value],
        Node::AssignBlock { target, filter, .. } => {
            let mut out = vec![target];
            out.extend(filter);
            out
        }
        Node::Block { .. } => Vec::new(),
        Node::Extends { template, .. }
        | Node::Include { template, .. }
        | Node::Import { template, .. }
        | Node::FromImport { template, .. } => vec![template],
        Node::Autoescape { value, .. } => vec![value],
    }
}

/// Calls `f` on every statement, depth first.
fn for_each_node<'a>(nodes: &'a [Node], f: &mut dyn FnMut(&'a Node)) {
    for node in nodes {
        f(node);
        match node {
            Node::For { body, else_, .. } => {
                for_each_node(body, f);
                for_each_node(else_, f);
            }
            Node::If(n) => {
                for_each_node(&n.body, f);
                for elif in &n.elifs {
                    for_each_node(&elif.body, f);
                }
                for_each_node(&n.else_, f);
            }
            Node::Macro { body, .. }
            | Node::CallBlock { body, .. }
            | Node::FilterBlock { body, .. }
            | Node::With { body, .. }
            | Node::AssignBlock { body, .. }
            | Node::Block { body, .. }
            | Node::Autoescape { body, .. } => for_each_node(body, f),
            _ => {}
        }
    }
}

// =============================================================================================
// Translation to minijinja's dialect.

/// The prefix of the helpers this module installs, and of mangled names.
const HELPER: &str = "__memor_";

thread_local! {
    /// Whether the template being translated uses jinja2's `self` object (bit 0), and whether
    /// the block being translated gives `super` its special meaning (bit 1).
    static SPECIAL_NAMES: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// A name as the translation spells it (`self` and `super` become helpers when jinja2 gives
/// them their special meaning).
fn mangle(name: &str) -> String {
    let special = SPECIAL_NAMES.with(std::cell::Cell::get);
    match name {
        "self" if special & 1 != 0 => return format!("{HELPER}self"),
        "super" if special & 2 != 0 => return format!("{HELPER}undefined"),
        _ => {}
    }
    mangle_key(name)
}

/// A context key as the translation spells it: ASCII identifiers stay, others (operators,
/// names minijinja reserves, names that could collide with the helpers) are spelled in hex.
fn mangle_key(name: &str) -> String {
    let ascii = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    // Operators minijinja would read as such, and names it reserves.
    let keyword = matches!(
        name,
        "not" | "and" | "or" | "in" | "is" | "if" | "else" | "self" | "super"
    );
    if ascii && !keyword && !name.starts_with(HELPER) {
        return name.to_owned();
    }
    let mut out = format!("{HELPER}n");
    for c in name.chars() {
        let _ = write!(out, "_{:x}", c as u32);
    }
    out
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Emitter {
    out: String,
    line: usize,
}

fn emit(body: &[Node], root_stored: &BTreeSet<String>) -> String {
    let mut self_special = find_undeclared(body, &["self"]).contains("self");
    for_each_block(body, &mut |node| {
        if let Node::Block { body, .. } = node {
            self_special |= find_undeclared(body, &["self"]).contains("self");
        }
    });
    SPECIAL_NAMES.with(|cell| cell.set(u8::from(self_special)));
    let code = emit_with(body, root_stored);
    SPECIAL_NAMES.with(|cell| cell.set(0));
    code
}

fn emit_with(body: &[Node], root_stored: &BTreeSet<String>) -> String {
    let mut emitter = Emitter {
        out: String::new(),
        line: 1,
    };
    for name in root_stored {
        let code = format!("{{% set {} = {HELPER}undefined %}}", mangle(name));
        emitter.write(&code);
    }
    emitter.nodes(body);
    emitter.out
}

impl Emitter {
    fn write(&mut self, text: &str) {
        self.line += text.bytes().filter(|&b| b == b'\n').count();
        self.out.push_str(text);
    }

    /// Opens a tag, padded with newlines so that it starts on the source's line.
    fn open(&mut self, delim: &str, line: usize) {
        self.out.push_str(delim);
        while self.line < line {
            self.out.push('\n');
            self.line += 1;
        }
        self.out.push(' ');
    }

    fn tag(&mut self, line: usize, content: &str) {
        self.open("{%", line);
        self.write(content);
        self.out.push_str(" %}");
    }

    fn data(&mut self, text: &str) {
        if text.contains("{{") || text.contains("{%") || text.contains("{#") || text.ends_with('{')
        {
            self.out.push_str("{{ ");
            self.write(&quote(text));
            self.out.push_str(" }}");
        } else {
            self.write(text);
        }
    }

    /// Evaluates the non-literal defaults inside the macro, as jinja2 does (they may read the
    /// earlier parameters).
    fn defaults_prelude(&mut self, sig: &MacroSig) {
        let first_default = sig.args.len().saturating_sub(sig.defaults.len());
        for (arg, default) in sig.args.iter().skip(first_default).zip(&sig.defaults) {
            if !is_literal(default) {
                let name = mangle(arg);
                let code = format!(
                    "{{% if {name} is {HELPER}nodefault %}}{{% set {name} = {} %}}{{% endif %}}",
                    expr_code(default)
                );
                self.write(&code);
            }
        }
    }

    /// Emits `nodes` in their own scope: assignments inside do not leak out, as in jinja2.
    fn scoped(&mut self, nodes: &[Node]) {
        self.write(&format!("{{% with {HELPER}w = none %}}"));
        self.nodes(nodes);
        self.write("{% endwith %}");
    }

    /// Emits the body of a construct jinja2 renders into a buffer and joins when it ends
    /// (set blocks, filter blocks, macros, call blocks): the join is where a non-string
    /// output fails.
    fn buffered(&mut self, nodes: &[Node], scope: bool) {
        if scope {
            self.write(&format!("{{% with {HELPER}w = none %}}"));
        }
        self.write(&format!("{{{{ {HELPER}push_buffer() }}}}"));
        self.nodes(nodes);
        self.write(&format!("{{{{ {HELPER}pop_buffer() }}}}"));
        if scope {
            self.write("{% endwith %}");
        }
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Output(items) => {
                for item in items {
                    match item {
                        OutItem::Data(text) => self.data(text),
                        OutItem::Expr(expr, line) => {
                            self.open("{{", *line);
                            let code = expr_code(expr);
                            self.write(&code);
                            self.out.push_str(" }}");
                        }
                    }
                }
            }
            Node::For {
                target,
                iter,
                body,
                else_,
                test,
                recursive,
                line,
            } => {
                let iter_code = match target {
                    // Unpacking each item goes through a helper that fails as Python does.
                    Expr::Tuple { items, .. } => {
                        format!("{HELPER}unpack({}, {})", expr_code(iter), items.len())
                    }
                    _ => format!("{HELPER}iter({})", expr_code(iter)),
                };
                let mut head = format!("for {} in {iter_code}", target_code(target));
                if let Some(test) = test {
                    let _ = write!(head, " if {}", expr_code(test));
                }
                if *recursive {
                    head.push_str(" recursive");
                }
                self.tag(*line, &head);
                self.nodes(body);
                if !else_.is_empty() {
                    self.tag(0, "else");
                    self.nodes(else_);
                }
                self.tag(0, "endfor");
            }
            Node::If(n) => {
                self.tag(n.line, &format!("if {}", expr_code(&n.test)));
                self.nodes(&n.body);
                for elif in &n.elifs {
                    self.tag(elif.line, &format!("elif {}", expr_code(&elif.test)));
                    self.nodes(&elif.body);
                }
                if !n.else_.is_empty() {
                    self.tag(0, "else");
                    self.nodes(&n.else_);
                }
                self.tag(0, "endif");
            }
            Node::Macro {
                name,
                sig,
                body,
                line,
            } => {
                self.tag(*line, &format!("macro {}({})", mangle(name), sig_code(sig)));
                self.defaults_prelude(sig);
                self.buffered(body, false);
                self.tag(0, "endmacro");
            }
            Node::CallBlock {
                call,
                sig,
                body,
                line,
            } => {
                let head = if sig.args.is_empty() {
                    format!("call {}", expr_code(call))
                } else {
                    format!("call({}) {}", sig_code(sig), expr_code(call))
                };
                self.tag(*line, &head);
                self.defaults_prelude(sig);
                self.buffered(body, false);
                self.tag(0, "endcall");
            }
            Node::FilterBlock { filter, body, line } => {
                self.tag(
                    *line,
                    &format!("filter {}|{HELPER}block_result", expr_code(filter)),
                );
                self.buffered(body, true);
                self.tag(0, "endfilter");
            }
            Node::With {
                targets,
                values,
                body,
                line,
            } => {
                let assigns: Vec<String> = targets
                    .iter()
                    .zip(values)
                    .map(|(t, v)| format!("{} = {}", target_code(t), expr_code(v)))
                    .collect();
                let head = if assigns.is_empty() {
                    format!("with {HELPER}w = none")
                } else {
                    format!("with {}", assigns.join(", "))
                };
                self.tag(*line, &head);
                self.nodes(body);
                self.tag(0, "endwith");
            }
            Node::Assign {
                target,
                value,
                line,
            } => {
                // Unpacking goes through the iteration helper, which fails as jinja2 does.
                let mut value = if matches!(target, Expr::Tuple { .. }) {
                    format!("{HELPER}iter({})", expr_code(value))
                } else {
                    expr_code(value)
                };
                // jinja2 checks that `ns` in `ns.attr` is a namespace before the value.
                let mut namespaces = Vec::new();
                collect_nsrefs(target, &mut namespaces);
                if !namespaces.is_empty() {
                    let checks: Vec<String> = namespaces
                        .iter()
                        .map(|n| format!("{HELPER}namespace_check({})", mangle(n)))
                        .collect();
                    value = format!("{HELPER}last({}, {value})", checks.join(", "));
                }
                self.tag(*line, &format!("set {} = {value}", target_code(target)));
            }
            Node::AssignBlock {
                target,
                filter,
                body,
                line,
            } => {
                let head = match filter {
                    Some(f) => format!("set {} | {}", target_code(target), expr_code(f)),
                    None => format!("set {}", target_code(target)),
                };
                self.tag(*line, &head);
                self.buffered(body, true);
                self.tag(0, "endset");
            }
            Node::Block { body, line, .. } => {
                // Inside a block, `super` is jinja2's reference to the parent block: here
                // there is none, so it is undefined.
                let outer = SPECIAL_NAMES.with(std::cell::Cell::get);
                let super_special = find_undeclared(body, &["super"]).contains("super");
                let inner = if super_special { outer | 2 } else { outer & !2 };
                SPECIAL_NAMES.with(|cell| cell.set(inner));
                self.tag(*line, &format!("with {HELPER}w = none"));
                self.nodes(body);
                self.tag(0, "endwith");
                SPECIAL_NAMES.with(|cell| cell.set(outer));
            }
            Node::Extends { template, line }
            | Node::Include { template, line }
            | Node::Import { template, line, .. }
            | Node::FromImport { template, line, .. } => {
                self.open("{{", *line);
                let code = format!("{HELPER}no_loader({})", expr_code(template));
                // (the template name is evaluated first, as jinja2 does)
                self.write(&code);
                self.out.push_str(" }}");
            }
            Node::Autoescape { value, body, line } => match value {
                Expr::Const(Const::Bool(on)) => {
                    self.tag(*line, &format!("autoescape {on}"));
                    self.scoped(body);
                    self.tag(0, "endautoescape");
                }
                _ => self.scoped(body),
            },
        }
    }
}

fn collect_nsrefs(target: &Expr, out: &mut Vec<String>) {
    match target {
        Expr::NsRef { name, .. } => out.push(name.clone()),
        Expr::Tuple { items, .. } => {
            for item in items {
                collect_nsrefs(item, out);
            }
        }
        _ => {}
    }
}

fn sig_code(sig: &MacroSig) -> String {
    let first_default = sig.args.len().saturating_sub(sig.defaults.len());
    sig.args
        .iter()
        .enumerate()
        .map(|(i, arg)| {
            match i
                .checked_sub(first_default)
                .and_then(|d| sig.defaults.get(d))
            {
                Some(default) if is_literal(default) => {
                    format!("{}={}", mangle(arg), expr_code(default))
                }
                Some(_) => format!("{}={HELPER}nodefault", mangle(arg)),
                None => mangle(arg),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An assignment target.
fn target_code(target: &Expr) -> String {
    match target {
        Expr::Name { name, .. } => mangle(name),
        Expr::NsRef { name, attr } => format!("{}.{}", mangle(name), attr),
        Expr::Tuple { items, .. } => {
            let parts: Vec<String> = items.iter().map(target_code).collect();
            if parts.len() == 1 {
                format!("({},)", parts.join(""))
            } else {
                format!("({})", parts.join(", "))
            }
        }
        other => expr_code(other),
    }
}

fn is_atom(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Name { .. }
            | Expr::Const(_)
            | Expr::List(_)
            | Expr::Dict(_)
            | Expr::Getattr { .. }
            | Expr::Getitem { .. }
            | Expr::Call { .. }
            | Expr::Tuple { .. }
            | Expr::Concat(_)
    )
}

fn atom_code(expr: &Expr) -> String {
    let code = expr_code(expr);
    if is_atom(expr) {
        code
    } else {
        format!("({code})")
    }
}

fn call_args_code(args: &CallArgs) -> String {
    let mut parts: Vec<String> = args.args.iter().map(expr_code).collect();
    if let Some(d) = &args.dyn_args {
        parts.push(format!("*{}", atom_code(d)));
    }
    for (key, value) in &args.kwargs {
        parts.push(format!("{}={}", mangle(key), expr_code(value)));
    }
    if let Some(d) = &args.dyn_kwargs {
        parts.push(format!("**{}", atom_code(d)));
    }
    parts.join(", ")
}

fn const_code(c: &Const) -> String {
    match c {
        Const::None => "none".into(),
        Const::Bool(b) => b.to_string(),
        Const::Int(digits) => {
            if digits.parse::<i64>().is_ok() {
                digits.clone()
            } else {
                format!("{HELPER}int({})", quote(digits))
            }
        }
        Const::Float(f) => {
            if f.is_finite() {
                format!("{f:e}")
            } else {
                "1e999".into()
            }
        }
        Const::Str(s) => quote(s),
    }
}

fn is_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Const(_) => true,
        Expr::List(items) => items.iter().all(is_literal),
        Expr::Dict(pairs) => pairs.iter().all(|(k, v)| is_literal(k) && is_literal(v)),
        _ => false,
    }
}

/// minijinja folds `and`/`or` of two literals into a boolean; Python returns an operand.
fn guard_fold(left: &Expr, right: &Expr, code: String) -> String {
    if is_literal(left) && is_literal(right) {
        format!("{HELPER}id({code})")
    } else {
        code
    }
}

fn getattr_code(node: &Expr, attr: &str) -> String {
    if mangle_key(attr) == attr {
        format!("{}.{attr}", atom_code(node))
    } else {
        format!("{}[{}]", atom_code(node), quote(attr))
    }
}

/// The methods of Python's `str`, `list`, `tuple` and `dict`.
const PY_METHODS: [&str; 64] = [
    "append",
    "capitalize",
    "casefold",
    "center",
    "clear",
    "copy",
    "count",
    "encode",
    "endswith",
    "expandtabs",
    "extend",
    "find",
    "format",
    "format_map",
    "fromkeys",
    "get",
    "index",
    "insert",
    "isalnum",
    "isalpha",
    "isascii",
    "isdecimal",
    "isdigit",
    "isidentifier",
    "islower",
    "isnumeric",
    "isprintable",
    "isspace",
    "istitle",
    "isupper",
    "items",
    "join",
    "keys",
    "ljust",
    "lower",
    "lstrip",
    "maketrans",
    "partition",
    "pop",
    "popitem",
    "remove",
    "removeprefix",
    "removesuffix",
    "replace",
    "reverse",
    "rfind",
    "rindex",
    "rjust",
    "rpartition",
    "rsplit",
    "rstrip",
    "setdefault",
    "sort",
    "split",
    "splitlines",
    "startswith",
    "strip",
    "swapcase",
    "title",
    "translate",
    "update",
    "upper",
    "values",
    "zfill",
];

/// Whether `name` is a method of the Python type of `value`.
fn is_py_method(value: &Value, name: &str) -> bool {
    match value.kind() {
        ValueKind::String => {
            matches!(name, "count" | "index")
                || (PY_METHODS.contains(&name)
                    && !DICT_METHODS.contains(&name)
                    && !LIST_METHODS.contains(&name))
        }
        ValueKind::Map => DICT_METHODS.contains(&name),
        ValueKind::Seq if tuple_items(value).is_some() => matches!(name, "count" | "index"),
        ValueKind::Seq => LIST_METHODS.contains(&name),
        _ => false,
    }
}

const DICT_METHODS: [&str; 11] = [
    "clear",
    "copy",
    "fromkeys",
    "get",
    "items",
    "keys",
    "pop",
    "popitem",
    "setdefault",
    "update",
    "values",
];

const LIST_METHODS: [&str; 11] = [
    "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse",
    "sort",
];

fn expr_code(expr: &Expr) -> String {
    match expr {
        Expr::Name { name, .. } => mangle(name),
        Expr::Const(c) => const_code(c),
        Expr::Tuple { items, .. } => {
            let parts: Vec<String> = items.iter().map(expr_code).collect();
            format!("{HELPER}tuple({})", parts.join(", "))
        }
        Expr::List(items) => {
            let parts: Vec<String> = items.iter().map(expr_code).collect();
            format!("[{}]", parts.join(", "))
        }
        Expr::Dict(pairs) => {
            let parts: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", expr_code(k), expr_code(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Expr::NsRef { name, attr } => format!("{}.{}", mangle(name), attr),
        Expr::Getattr { node, attr, .. } => {
            if PY_METHODS.contains(&attr.as_str()) {
                // jinja2 gives the bound method (a dict's method before its key).
                format!("{HELPER}getattr({}, {})", expr_code(node), quote(attr))
            } else {
                getattr_code(node, attr)
            }
        }
        Expr::Getitem { node, arg, .. } => match &**arg {
            Expr::Slice { start, stop, step } => {
                let part =
                    |e: &Option<Box<Expr>>| e.as_ref().map_or("none".into(), |e| expr_code(e));
                format!(
                    "{HELPER}slice({}, {}, {}, {})",
                    expr_code(node),
                    part(start),
                    part(stop),
                    part(step)
                )
            }
            other => format!("{}[{}]", atom_code(node), expr_code(other)),
        },
        // The parser makes slices only inside subscripts.
        Expr::Slice { .. } => "none".to_owned(),
        Expr::Call { node, args } => match &**node {
            // minijinja's `loop.cycle()` divides by the number of items.
            Expr::Getattr {
                node: obj, attr, ..
            } if attr == "cycle" && matches!(&**obj, Expr::Name { name, .. } if name == "loop") => {
                let args = call_args_code(args);
                let sep = if args.is_empty() { "" } else { ", " };
                format!("{HELPER}cycle(loop{sep}{args})")
            }
            // A method call: minijinja dispatches it (to the Python methods for strings,
            // lists and dicts).
            Expr::Getattr {
                node: obj, attr, ..
            } => format!("{}({})", getattr_code(obj, attr), call_args_code(args)),
            _ => format!("{}({})", atom_code(node), call_args_code(args)),
        },
        Expr::Filter {
            node, name, args, ..
        } => {
            let known = JINJA_FILTERS.contains(&name.as_str());
            let call = if known {
                let args = call_args_code(args);
                if args.is_empty() {
                    name.clone()
                } else {
                    format!("{name}({args})")
                }
            } else {
                format!("{HELPER}no_filter({})", quote(name))
            };
            match node {
                Some(node) => format!("{}|{call}", atom_code(node)),
                None => call,
            }
        }
        Expr::Test {
            node, name, args, ..
        } => {
            if JINJA_TESTS.contains(&name.as_str()) {
                let args = call_args_code(args);
                let name = if name == "test" || name == "filter" {
                    format!("{HELPER}is_{name}")
                } else {
                    name.clone()
                };
                if args.is_empty() {
                    format!("{} is {name}", atom_code(node))
                } else {
                    format!("{} is {name}({args})", atom_code(node))
                }
            } else {
                format!("{HELPER}no_test({})", quote(name))
            }
        }
        Expr::Unary { op, node } => match op {
            UnOp::Not => format!("not {}", atom_code(node)),
            UnOp::Neg => format!("{HELPER}neg({})", expr_code(node)),
            UnOp::Pos => format!("{HELPER}pos({})", expr_code(node)),
        },
        Expr::Bin { op, left, right } => {
            let (l, r) = (expr_code(left), expr_code(right));
            match op {
                BinOp::And => format!("({l}) and ({})", guard_fold(left, right, r)),
                BinOp::Or => format!("({l}) or ({})", guard_fold(left, right, r)),
                BinOp::Add => format!("{HELPER}op(\"+\", {l}, {r})"),
                BinOp::Sub => format!("{HELPER}op(\"-\", {l}, {r})"),
                BinOp::Mul => format!("{HELPER}op(\"*\", {l}, {r})"),
                BinOp::Div => format!("{HELPER}op(\"/\", {l}, {r})"),
                BinOp::FloorDiv => format!("{HELPER}op(\"//\", {l}, {r})"),
                BinOp::Mod => format!("{HELPER}op(\"%\", {l}, {r})"),
                BinOp::Pow => format!("{HELPER}op(\"**\", {l}, {r})"),
            }
        }
        Expr::Concat(items) => {
            let parts: Vec<String> = items.iter().map(expr_code).collect();
            format!("{HELPER}concat({})", parts.join(", "))
        }
        Expr::Compare { expr, ops } => {
            let mut parts = Vec::new();
            let mut left = expr_code(expr);
            for (op, right) in ops {
                let right = expr_code(right);
                let code = match op {
                    CmpOp::In => format!("{HELPER}in({left}, {right})"),
                    CmpOp::NotIn => format!("not {HELPER}in({left}, {right})"),
                    other => {
                        let sym = match other {
                            CmpOp::Eq => "==",
                            CmpOp::Ne => "!=",
                            CmpOp::Lt => "<",
                            CmpOp::LtEq => "<=",
                            CmpOp::Gt => ">",
                            _ => ">=",
                        };
                        format!("{HELPER}cmp(\"{sym}\", {left}, {right})")
                    }
                };
                parts.push(format!("({code})"));
                left = right;
            }
            parts.join(" and ")
        }
        Expr::Cond { test, expr1, expr2 } => match expr2 {
            Some(e2) => format!(
                "(({}) if ({}) else ({}))",
                expr_code(expr1),
                expr_code(test),
                expr_code(e2)
            ),
            None => format!("(({}) if ({}))", expr_code(expr1), expr_code(test)),
        },
    }
}

// =============================================================================================
// Runtime values with Python's behaviour.

/// How deep values may nest, in the context and when printed.
const MAX_DEPTH: usize = 256;
/// The most characters a string built by `*` or `%` may have.
const MAX_STR_LEN: usize = 1 << 26;

/// A Python tuple.
#[derive(Debug)]
struct PyTuple(Vec<Value>);

impl Object for PyTuple {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = usize::try_from(key.as_i64()?).ok()?;
        self.0.get(index).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        write_tuple(&mut text, &self.0, 0).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// An integer beyond 128 bits.
#[derive(Debug)]
struct PyBigInt(BigInt);

impl Object for PyBigInt {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// jinja2's `groupby` item: a `(grouper, list)` tuple with those two attributes.
#[derive(Debug)]
struct GroupTuple(Vec<Value>);

impl Object for GroupTuple {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = match key.as_str() {
            Some("grouper") => 0,
            Some("list") => 1,
            Some(_) => return None,
            None => usize::try_from(key.as_i64()?).ok()?,
        };
        self.0.get(index).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }
}

/// The default of a macro parameter whose default jinja2 evaluates inside the macro.
#[derive(Debug)]
struct NoDefault;

impl Object for NoDefault {}

/// A Python iterator (what jinja2's generator filters return): computed at once, but its
/// error, if any, shows only when it is used; always true; it has no length.
#[derive(Debug)]
struct PyGenerator {
    label: &'static str,
    result: Result<Vec<Value>, (MjKind, String)>,
}

impl Object for PyGenerator {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }

    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match &self.result {
            Ok(items) => Enumerator::Values(items.clone()),
            Err(_) => Enumerator::NonEnumerable,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} at 0x7f0000000000>", self.label)
    }
}

fn generator(label: &'static str, result: Result<Value, MjError>) -> Value {
    let result = match result {
        Ok(value) => match value.try_iter() {
            Ok(items) => Ok(items.collect()),
            Err(err) => Err((err.kind(), mj_message(&err))),
        },
        Err(err) => Err((err.kind(), mj_message(&err))),
    };
    Value::from_object(PyGenerator { label, result })
}

/// The error a generator holds, if any.
fn generator_error(value: &Value) -> Result<(), MjError> {
    match value.downcast_object_ref::<PyGenerator>() {
        Some(PyGenerator {
            result: Err((kind, message)),
            ..
        }) => Err(MjError::new(*kind, message.clone())),
        _ => Ok(()),
    }
}

/// A bound method of a string, list or dict, as jinja2 gives `value.method`.
#[derive(Debug)]
struct BoundMethod {
    receiver: Value,
    name: String,
}

impl Object for BoundMethod {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, state: &State<'_, '_>, args: &[Value]) -> Result<Value, MjError> {
        py_method(state, &self.receiver, &self.name, args)
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<built-in method {} of {} object at 0x7f0000000000>",
            self.name,
            py_type(&self.receiver)
        )
    }
}

/// jinja2's `self` (blocks cannot be rendered through it here).
#[derive(Debug)]
struct TemplateRef;

impl Object for TemplateRef {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<TemplateReference None>")
    }
}

/// Python's `range` type.
#[derive(Debug)]
struct RangeType;

impl Object for RangeType {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &State<'_, '_>, args: &[Value]) -> Result<Value, MjError> {
        let mut bounds = Vec::with_capacity(3);
        for arg in args {
            if arg.is_kwargs() {
                return Err(type_error("TypeError: range() takes no keyword arguments"));
            }
            let n = to_int(arg).ok_or_else(|| {
                type_error(format!(
                    "TypeError: '{}' object cannot be interpreted as an integer",
                    py_type(arg)
                ))
            })?;
            bounds.push(i128::try_from(&n).map_err(|_| {
                type_error("OverflowError: Python int too large to convert to C ssize_t")
            })?);
        }
        let (start, stop, step) = match bounds.as_slice() {
            [stop] => (0, *stop, 1),
            [start, stop] => (*start, *stop, 1),
            [start, stop, step] => (*start, *stop, *step),
            _ => {
                return Err(type_error(format!(
                    "TypeError: range expected at most 3 arguments, got {}",
                    bounds.len()
                )));
            }
        };
        if step == 0 {
            return Err(type_error("ValueError: range() arg 3 must not be zero"));
        }
        Ok(Value::from_object(PyRange { start, stop, step }))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<class 'range'>")
    }
}

/// A Python `range`.
#[derive(Debug)]
struct PyRange {
    start: i128,
    stop: i128,
    step: i128,
}

impl PyRange {
    fn len(&self) -> usize {
        let (lo, hi, step) = if self.step > 0 {
            (self.start, self.stop, self.step)
        } else {
            (
                self.stop,
                self.start,
                self.step.checked_neg().unwrap_or(i128::MAX),
            )
        };
        if lo >= hi {
            return 0;
        }
        let span = hi.checked_sub(lo).unwrap_or(i128::MAX);
        usize::try_from((span - 1) / step.max(1) + 1).unwrap_or(usize::MAX)
    }
}

impl Object for PyRange {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = usize::try_from(key.as_i64()?).ok()?;
        if index >= self.len() {
            return None;
        }
        let offset = i128::try_from(index).ok()?.checked_mul(self.step)?;
        Some(Value::from(self.start.checked_add(offset)?))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.len())
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.step == 1 {
            write!(f, "range({}, {})", self.start, self.stop)
        } else {
            write!(f, "range({}, {}, {})", self.start, self.stop, self.step)
        }
    }
}

/// What a mapping value is in jinja2.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MapKind {
    Dict,
    Macro,
    Loop,
    Namespace,
}

/// minijinja's macros, loop objects and namespaces are maps too; Python's are not dicts.
fn map_kind(value: &Value) -> MapKind {
    if value
        .downcast_object_ref::<indexmap::IndexMap<Value, Value>>()
        .is_some()
    {
        return MapKind::Dict;
    }
    let has = |key: &str| value.get_attr(key).is_ok_and(|v| !v.is_undefined());
    if has("name") && has("arguments") {
        MapKind::Macro
    } else if has("index0") && has("depth0") {
        MapKind::Loop
    } else {
        MapKind::Namespace
    }
}

/// A dict view (`dict_keys`, `dict_values`, `dict_items`).
#[derive(Debug)]
struct PyView {
    name: &'static str,
    items: Vec<Value>,
}

impl Object for PyView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = usize::try_from(key.as_i64()?).ok()?;
        self.items.get(index).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.items.len())
    }
}

/// jinja2's `joiner`: empty the first time it is called, then the separator.
#[derive(Debug)]
struct Joiner {
    sep: String,
    used: Mutex<bool>,
}

impl Object for Joiner {
    fn call(self: &Arc<Self>, _state: &State<'_, '_>, args: &[Value]) -> Result<Value, MjError> {
        if !args.is_empty() {
            return Err(type_error("__call__() takes 1 positional argument"));
        }
        let mut used = self
            .used
            .lock()
            .map_err(|_| type_error("joiner poisoned"))?;
        if *used {
            Ok(Value::from(self.sep.as_str()))
        } else {
            *used = true;
            Ok(Value::from(""))
        }
    }
}

/// jinja2's `cycler`.
#[derive(Debug)]
struct Cycler {
    items: Vec<Value>,
    pos: Mutex<usize>,
}

impl Object for Cycler {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "current" => {
                let pos = *self.pos.lock().ok()?;
                self.items.get(pos).cloned()
            }
            "items" => Some(Value::from(self.items.clone())),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        _args: &[Value],
    ) -> Result<Value, MjError> {
        let mut pos = self.pos.lock().map_err(|_| type_error("cycler poisoned"))?;
        match method {
            "next" => {
                let value = self.items.get(*pos).cloned().unwrap_or_default();
                *pos = (*pos + 1) % self.items.len().max(1);
                Ok(value)
            }
            "reset" => {
                *pos = 0;
                Ok(Value::from(()))
            }
            _ => Err(MjError::from(MjKind::UnknownMethod)),
        }
    }
}

fn type_error(message: impl Into<String>) -> MjError {
    MjError::new(MjKind::InvalidOperation, message.into())
}

fn undefined_error() -> MjError {
    MjError::from(MjKind::UndefinedError)
}

/// Fails on an undefined value as `StrictUndefined` does (an `if` without `else` gives a
/// lenient undefined, which passes).
fn check_defined(state: &State<'_, '_>, value: &Value) -> Result<(), MjError> {
    if value.is_undefined() {
        minijinja::value::StringInput::new(state, value)?;
    }
    Ok(())
}

/// Fails on any undefined value (jinja2's `Undefined` refuses arithmetic and comparisons).
fn check_any_defined(value: &Value) -> Result<(), MjError> {
    if value.is_undefined() {
        return Err(undefined_error());
    }
    Ok(())
}

fn tuple_items(value: &Value) -> Option<&[Value]> {
    if let Some(t) = value.downcast_object_ref::<PyTuple>() {
        return Some(t.0.as_slice());
    }
    value
        .downcast_object_ref::<GroupTuple>()
        .map(|t| t.0.as_slice())
}

fn is_str(value: &Value) -> bool {
    value.kind() == ValueKind::String
}

/// A list (not a tuple).
fn is_list(value: &Value) -> bool {
    value.kind() == ValueKind::Seq
        && tuple_items(value).is_none()
        && value.downcast_object_ref::<PyView>().is_none()
        && value.downcast_object_ref::<PyRange>().is_none()
}

fn is_dict(value: &Value) -> bool {
    value.kind() == ValueKind::Map && map_kind(value) == MapKind::Dict
}

/// Python's type name of a value.
fn py_type(value: &Value) -> &'static str {
    match value.kind() {
        ValueKind::Undefined => "Undefined",
        ValueKind::None => "NoneType",
        ValueKind::Bool => "bool",
        ValueKind::Number if value.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::String => "str",
        ValueKind::Bytes => "bytes",
        ValueKind::Seq if tuple_items(value).is_some() => "tuple",
        ValueKind::Seq if value.downcast_object_ref::<PyRange>().is_some() => "range",
        ValueKind::Seq => "list",
        ValueKind::Map => match map_kind(value) {
            MapKind::Dict => "dict",
            MapKind::Macro => "Macro",
            MapKind::Loop => "LoopContext",
            MapKind::Namespace => "Namespace",
        },
        ValueKind::Iterable => "generator",
        _ if value.downcast_object_ref::<PyBigInt>().is_some() => "int",
        _ => "object",
    }
}

/// A Python number.
#[derive(Clone, Debug)]
enum Num {
    Int(BigInt),
    Float(f64),
}

fn to_num(value: &Value) -> Option<Num> {
    match value.kind() {
        ValueKind::Bool => Some(Num::Int(BigInt::from(u8::from(value.is_true())))),
        ValueKind::Number if value.is_integer() => {
            if let Ok(i) = i128::try_from(value.clone()) {
                Some(Num::Int(BigInt::from(i)))
            } else {
                u128::try_from(value.clone())
                    .ok()
                    .map(|u| Num::Int(BigInt::from(u)))
            }
        }
        ValueKind::Number => f64::try_from(value.clone()).ok().map(Num::Float),
        _ => value
            .downcast_object_ref::<PyBigInt>()
            .map(|b| Num::Int(b.0.clone())),
    }
}

fn to_int(value: &Value) -> Option<BigInt> {
    match to_num(value)? {
        Num::Int(i) => Some(i),
        Num::Float(_) => None,
    }
}

fn int_value(n: BigInt) -> Value {
    if let Ok(i) = i64::try_from(&n) {
        Value::from(i)
    } else if let Ok(i) = i128::try_from(&n) {
        Value::from(i)
    } else {
        Value::from_object(PyBigInt(n))
    }
}

fn num_value(n: Num) -> Value {
    match n {
        Num::Int(i) => int_value(i),
        Num::Float(f) => Value::from(f),
    }
}

/// `float(int)`, failing as Python does beyond the double range.
fn int_to_f64(i: &BigInt) -> Result<f64, MjError> {
    match i.to_string().parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        _ => Err(type_error(
            "OverflowError: int too large to convert to float",
        )),
    }
}

fn as_f64(n: &Num) -> Result<f64, MjError> {
    match n {
        Num::Int(i) => int_to_f64(i),
        Num::Float(f) => Ok(*f),
    }
}

fn unsupported(op: &str, a: &Value, b: &Value) -> MjError {
    type_error(format!(
        "TypeError: unsupported operand type(s) for {op}: '{}' and '{}'",
        py_type(a),
        py_type(b)
    ))
}

fn zero_division(message: &str) -> MjError {
    type_error(format!("ZeroDivisionError: {message}"))
}

/// Python's `divmod` for floats.
fn float_divmod(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m == 0.0 {
        m = 0.0_f64.copysign(wx);
    } else if (wx < 0.0) != (m < 0.0) {
        m += wx;
        div -= 1.0;
    }
    let floordiv = if div == 0.0 {
        0.0_f64.copysign(vx / wx)
    } else {
        let f = div.floor();
        if div - f > 0.5 { f + 1.0 } else { f }
    };
    (floordiv, m)
}

fn repeat_count(n: &Value) -> Option<usize> {
    let i = to_int(n)?;
    if i.sign() == num_bigint::Sign::Minus {
        return Some(0);
    }
    Some(usize::try_from(&i).unwrap_or(usize::MAX))
}

/// Python's binary arithmetic operators.
fn py_binop(op: &str, a: &Value, b: &Value) -> Result<Value, MjError> {
    check_any_defined(a)?;
    if op == "%" && is_str(a) {
        // An undefined argument fails only when a conversion uses it.
        return printf(a.as_str().unwrap_or(""), b).map(Value::from);
    }
    check_any_defined(b)?;
    if let (Some(x), Some(y)) = (to_num(a), to_num(b)) {
        return num_binop(op, x, y).map(num_value);
    }
    match op {
        "+" => {
            if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
                return Ok(Value::from(format!("{x}{y}")));
            }
            if let (Some(x), Some(y)) = (tuple_items(a), tuple_items(b)) {
                let mut items = x.to_vec();
                items.extend_from_slice(y);
                return Ok(Value::from_object(PyTuple(items)));
            }
            if is_list(a) && is_list(b) {
                let mut items: Vec<Value> = a.try_iter()?.collect();
                items.extend(b.try_iter()?);
                return Ok(Value::from(items));
            }
            if is_str(a) {
                return Err(type_error(format!(
                    "TypeError: can only concatenate str (not \"{}\") to str",
                    py_type(b)
                )));
            }
            if is_list(a) {
                return Err(type_error(format!(
                    "TypeError: can only concatenate list (not \"{}\") to list",
                    py_type(b)
                )));
            }
            Err(unsupported("+", a, b))
        }
        "*" => {
            let (seq, count) = if to_int(b).is_some() { (a, b) } else { (b, a) };
            let Some(count) = repeat_count(count) else {
                return Err(unsupported("*", a, b));
            };
            if let Some(s) = seq.as_str() {
                if s.len().saturating_mul(count) > MAX_STR_LEN {
                    return Err(type_error("MemoryError"));
                }
                return Ok(Value::from(s.repeat(count)));
            }
            if is_list(seq) || tuple_items(seq).is_some() {
                let items: Vec<Value> = seq.try_iter()?.collect();
                if items.len().saturating_mul(count) > MAX_STR_LEN {
                    return Err(type_error("MemoryError"));
                }
                let mut out = Vec::with_capacity(items.len() * count);
                for _ in 0..count {
                    out.extend(items.iter().cloned());
                }
                return Ok(if tuple_items(seq).is_some() {
                    Value::from_object(PyTuple(out))
                } else {
                    Value::from(out)
                });
            }
            Err(unsupported("*", a, b))
        }
        _ => Err(unsupported(op, a, b)),
    }
}

fn num_binop(op: &str, x: Num, y: Num) -> Result<Num, MjError> {
    let zero = BigInt::default();
    match (x, y) {
        (Num::Int(x), Num::Int(y)) => Ok(match op {
            "+" => Num::Int(x + y),
            "-" => Num::Int(x - y),
            "*" => {
                if x.bits() + y.bits() > 200_000 {
                    return Err(type_error("OverflowError: integer too large"));
                }
                Num::Int(x * y)
            }
            "/" => {
                if y == zero {
                    return Err(zero_division("division by zero"));
                }
                let q = int_true_div(&x, &y)?;
                Num::Float(q)
            }
            "//" => {
                if y == zero {
                    return Err(zero_division("integer division or modulo by zero"));
                }
                Num::Int(floor_divmod(&x, &y).0)
            }
            "%" => {
                if y == zero {
                    return Err(zero_division("integer division or modulo by zero"));
                }
                Num::Int(floor_divmod(&x, &y).1)
            }
            "**" => {
                if y.sign() == num_bigint::Sign::Minus {
                    let base = int_to_f64(&x)?;
                    if base == 0.0 {
                        return Err(zero_division("0.0 cannot be raised to a negative power"));
                    }
                    let e = int_to_f64(&y)?;
                    Num::Float(base.powf(e))
                } else {
                    let e = u32::try_from(&y).ok().filter(|e| {
                        x.bits() <= 1 || u64::from(*e).saturating_mul(x.bits()) <= 200_000
                    });
                    match e {
                        Some(e) => Num::Int(x.pow(e)),
                        None if x == zero || x == BigInt::from(1) => Num::Int(x),
                        None if x == BigInt::from(-1) => {
                            Num::Int(if y.bit(0) { x } else { BigInt::from(1) })
                        }
                        None => return Err(type_error("OverflowError: integer too large")),
                    }
                }
            }
            _ => return Err(type_error(format!("unknown operator {op}"))),
        }),
        (x, y) => {
            let (a, b) = (as_f64(&x)?, as_f64(&y)?);
            Ok(Num::Float(match op {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" => {
                    if b == 0.0 {
                        return Err(zero_division("float division by zero"));
                    }
                    a / b
                }
                "//" => {
                    if b == 0.0 {
                        return Err(zero_division("float floor division by zero"));
                    }
                    float_divmod(a, b).0
                }
                "%" => {
                    if b == 0.0 {
                        return Err(zero_division("float modulo"));
                    }
                    float_divmod(a, b).1
                }
                "**" => {
                    if a == 0.0 && b < 0.0 {
                        return Err(zero_division("0.0 cannot be raised to a negative power"));
                    }
                    if a < 0.0 && b.fract() != 0.0 && b.is_finite() {
                        return Err(type_error("complex results are not supported"));
                    }
                    let r = a.powf(b);
                    if r.is_infinite() && a.is_finite() && b.is_finite() {
                        return Err(type_error(
                            "OverflowError: (34, 'Numerical result out of range')",
                        ));
                    }
                    r
                }
                _ => return Err(type_error(format!("unknown operator {op}"))),
            }))
        }
    }
}

/// Floor division and modulo of integers (the modulo has the divisor's sign).
fn floor_divmod(x: &BigInt, y: &BigInt) -> (BigInt, BigInt) {
    let zero = BigInt::default();
    let mut q = x / y;
    let mut r = x % y;
    if r != zero && ((r < zero) != (y < &zero)) {
        q -= 1;
        r += y;
    }
    (q, r)
}

/// `int / int`, correctly rounded for the integers that fit a double exactly.
fn int_true_div(x: &BigInt, y: &BigInt) -> Result<f64, MjError> {
    let (a, b) = (int_to_f64(x)?, int_to_f64(y)?);
    Ok(a / b)
}

/// A slice bound: `None`, or an integer clamped to the `i128` range.
fn slice_bound(value: &Value) -> Result<Option<i128>, MjError> {
    if value.is_none() || value.is_undefined() {
        return Ok(None);
    }
    match to_int(value) {
        Some(n) => Ok(Some(i128::try_from(&n).unwrap_or(
            if n.sign() == num_bigint::Sign::Minus {
                i128::MIN
            } else {
                i128::MAX
            },
        ))),
        None => Err(type_error(
            "TypeError: slice indices must be integers or None or have an __index__ method",
        )),
    }
}

/// Python's `value[start:stop:step]`.
fn py_slice(
    state: &State<'_, '_>,
    value: &Value,
    start: &Value,
    stop: &Value,
    step: &Value,
) -> Result<Value, MjError> {
    check_defined(state, value)?;
    for bound in [start, stop, step] {
        check_defined(state, bound)?;
    }
    let step = slice_bound(step)?.unwrap_or(1);
    if step == 0 {
        return Err(type_error("ValueError: slice step cannot be zero"));
    }
    let items: Vec<Value> = match value.kind() {
        ValueKind::String => value
            .as_str()
            .unwrap_or("")
            .chars()
            .map(Value::from)
            .collect(),
        ValueKind::Seq => value.try_iter()?.collect(),
        ValueKind::Map => return Err(type_error("TypeError: unhashable type: 'slice'")),
        _ => {
            return Err(type_error(format!(
                "TypeError: '{}' object is not subscriptable",
                py_type(value)
            )));
        }
    };
    let len = i128::try_from(items.len()).unwrap_or(i128::MAX);
    let (lower, upper) = if step > 0 { (0, len) } else { (-1, len - 1) };
    let adjust = |bound: Option<i128>, default: i128| -> i128 {
        match bound {
            None => default,
            Some(i) => {
                let i = if i < 0 { i.saturating_add(len) } else { i };
                i.clamp(lower, upper)
            }
        }
    };
    let start = adjust(slice_bound(start)?, if step > 0 { lower } else { upper });
    let stop = adjust(slice_bound(stop)?, if step > 0 { upper } else { lower });
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if let Some(item) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(item.clone());
        }
        i = i.saturating_add(step);
    }
    Ok(if value.kind() == ValueKind::String {
        let text: String = out.iter().filter_map(Value::as_str).collect();
        Value::from(text)
    } else if tuple_items(value).is_some() {
        Value::from_object(PyTuple(out))
    } else {
        Value::from(out)
    })
}

fn py_neg(value: &Value) -> Result<Value, MjError> {
    check_any_defined(value)?;
    match to_num(value) {
        Some(Num::Int(i)) => Ok(int_value(-i)),
        Some(Num::Float(f)) => Ok(Value::from(-f)),
        None => Err(type_error(format!(
            "TypeError: bad operand type for unary -: '{}'",
            py_type(value)
        ))),
    }
}

fn py_pos(value: &Value) -> Result<Value, MjError> {
    check_any_defined(value)?;
    match to_num(value) {
        Some(n) => Ok(num_value(n)),
        None => Err(type_error(format!(
            "TypeError: bad operand type for unary +: '{}'",
            py_type(value)
        ))),
    }
}

/// Exact comparison of an integer with a float.
fn cmp_int_float(i: &BigInt, f: f64) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let floor = f.floor();
    let fi: BigInt = format!("{floor:.0}").parse().unwrap_or_default();
    Some(match i.cmp(&fi) {
        Ordering::Equal if f > floor => Ordering::Less,
        other => other,
    })
}

fn cmp_nums(x: &Num, y: &Num) -> Option<std::cmp::Ordering> {
    match (x, y) {
        (Num::Int(a), Num::Int(b)) => Some(a.cmp(b)),
        (Num::Float(a), Num::Float(b)) => a.partial_cmp(b),
        (Num::Int(a), Num::Float(b)) => cmp_int_float(a, *b),
        (Num::Float(a), Num::Int(b)) => cmp_int_float(b, *a).map(std::cmp::Ordering::reverse),
    }
}

/// Python's `==`. Comparing with an undefined value fails, as jinja2's strict undefined
/// objects do.
fn py_eq(a: &Value, b: &Value, depth: usize) -> Result<bool, MjError> {
    if depth > MAX_DEPTH {
        return Err(type_error(
            "RecursionError: maximum recursion depth exceeded in comparison",
        ));
    }
    check_any_defined(a)?;
    check_any_defined(b)?;
    if let (Some(x), Some(y)) = (to_num(a), to_num(b)) {
        return Ok(cmp_nums(&x, &y) == Some(std::cmp::Ordering::Equal));
    }
    Ok(match (a.kind(), b.kind()) {
        (ValueKind::None, ValueKind::None) => true,
        (ValueKind::String, ValueKind::String) => a.as_str() == b.as_str(),
        (ValueKind::Seq | ValueKind::Iterable, ValueKind::Seq | ValueKind::Iterable) => {
            if tuple_items(a).is_some() != tuple_items(b).is_some() {
                return Ok(false);
            }
            let (Ok(x), Ok(y)) = (a.try_iter(), b.try_iter()) else {
                return Ok(false);
            };
            let (x, y): (Vec<Value>, Vec<Value>) = (x.collect(), y.collect());
            if x.len() != y.len() {
                return Ok(false);
            }
            for (p, q) in x.iter().zip(&y) {
                if !py_eq(p, q, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (ValueKind::Map, ValueKind::Map) => {
            let (Some(la), Some(lb)) = (a.len(), b.len()) else {
                return Ok(false);
            };
            if la != lb {
                return Ok(false);
            }
            for k in a.try_iter()? {
                match (a.get_item(&k), dict_get(b, &k)) {
                    (Ok(va), Some(vb)) => {
                        if !py_eq(&va, &vb, depth + 1)? {
                            return Ok(false);
                        }
                    }
                    _ => return Ok(false),
                }
            }
            true
        }
        (ValueKind::None | ValueKind::String | ValueKind::Number | ValueKind::Bool, _)
        | (_, ValueKind::None | ValueKind::String | ValueKind::Number | ValueKind::Bool) => false,
        _ => a == b,
    })
}

/// A dict's value for `key`, comparing keys as Python does.
fn dict_get(dict: &Value, key: &Value) -> Option<Value> {
    if let Ok(v) = dict.get_item(key)
        && !v.is_undefined()
    {
        return Some(v);
    }
    let keys = dict.try_iter().ok()?;
    for k in keys {
        if py_eq(&k, key, 0).unwrap_or(false) {
            return dict.get_item(&k).ok();
        }
    }
    None
}

fn py_order(op: &str, a: &Value, b: &Value, depth: usize) -> Result<bool, MjError> {
    use std::cmp::Ordering;
    check_any_defined(a)?;
    check_any_defined(b)?;
    let ord = if let (Some(x), Some(y)) = (to_num(a), to_num(b)) {
        cmp_nums(&x, &y)
    } else if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
        Some(x.cmp(y))
    } else if (is_list(a) && is_list(b)) || (tuple_items(a).is_some() && tuple_items(b).is_some()) {
        let x: Vec<Value> = a.try_iter()?.collect();
        let y: Vec<Value> = b.try_iter()?.collect();
        for (p, q) in x.iter().zip(&y) {
            if !py_eq(p, q, depth + 1)? {
                return py_order(op, p, q, depth + 1);
            }
        }
        Some(x.len().cmp(&y.len()))
    } else {
        return Err(type_error(format!(
            "TypeError: '{op}' not supported between instances of '{}' and '{}'",
            py_type(a),
            py_type(b)
        )));
    };
    Ok(match (op, ord) {
        (_, None) => false,
        ("<", Some(o)) => o == Ordering::Less,
        ("<=", Some(o)) => o != Ordering::Greater,
        (">", Some(o)) => o == Ordering::Greater,
        (_, Some(o)) => o != Ordering::Less,
    })
}

/// Python's comparison operators. jinja2's lenient undefined (an `if` without `else`)
/// equals only another undefined value; the strict one fails.
fn py_compare(state: &State<'_, '_>, op: &str, a: &Value, b: &Value) -> Result<bool, MjError> {
    let eq = match op {
        "==" | "!=" => {
            check_defined(state, a)?;
            check_defined(state, b)?;
            if a.is_undefined() || b.is_undefined() {
                a.is_undefined() && b.is_undefined()
            } else {
                py_eq(a, b, 0)?
            }
        }
        _ => return py_order(op, a, b, 0),
    };
    Ok(if op == "==" { eq } else { !eq })
}

fn is_hashable(value: &Value) -> bool {
    match value.kind() {
        ValueKind::Seq => tuple_items(value).is_some_and(|items| items.iter().all(is_hashable)),
        ValueKind::Map | ValueKind::Iterable => false,
        _ => true,
    }
}

/// Python's `in`.
fn py_in(state: &State<'_, '_>, item: &Value, container: &Value) -> Result<bool, MjError> {
    check_defined(state, container)?;
    if container.is_undefined() {
        return Ok(false);
    }
    let type_name = |v: &Value| {
        if v.is_undefined() {
            "StrictUndefined"
        } else {
            py_type(v)
        }
    };
    if let Some(haystack) = container.as_str() {
        return match item.as_str() {
            Some(needle) => Ok(haystack.contains(needle)),
            None => Err(type_error(format!(
                "TypeError: 'in <string>' requires string as left operand, not {}",
                type_name(item)
            ))),
        };
    }
    match container.kind() {
        ValueKind::Map => {
            check_defined(state, item)?;
            if !is_hashable(item) {
                return Err(type_error(format!(
                    "TypeError: unhashable type: '{}'",
                    py_type(item)
                )));
            }
            Ok(dict_get(container, item).is_some())
        }
        ValueKind::Seq | ValueKind::Iterable => {
            generator_error(container)?;
            for x in container.try_iter()? {
                // Comparing with a strict undefined value fails; jinja2's lenient undefined
                // equals only another undefined value.
                check_defined(state, &x)?;
                check_defined(state, item)?;
                let equal = if x.is_undefined() || item.is_undefined() {
                    x.is_undefined() && item.is_undefined()
                } else {
                    py_eq(&x, item, 0)?
                };
                if equal {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(type_error(format!(
            "TypeError: argument of type '{}' is not iterable",
            type_name(container)
        ))),
    }
}

/// Writes Python's `str(value)`, or `repr(value)` when `repr` is set.
fn write_py(out: &mut String, value: &Value, repr: bool, depth: usize) -> Result<(), MjError> {
    if depth > MAX_DEPTH {
        return Err(type_error(
            "RecursionError: maximum recursion depth exceeded while getting the repr of an object",
        ));
    }
    match value.kind() {
        ValueKind::Undefined => {
            if repr {
                out.push_str("Undefined");
            }
        }
        ValueKind::None => out.push_str("None"),
        ValueKind::Bool => out.push_str(if value.is_true() { "True" } else { "False" }),
        ValueKind::Number => {
            if value.is_integer() {
                let _ = write!(out, "{value}");
            } else {
                let f = f64::try_from(value.clone()).unwrap_or(f64::NAN);
                memor_template::py::write_float_repr(out, f);
            }
        }
        ValueKind::String => {
            let s = value.as_str().unwrap_or("");
            if repr && value.is_safe() {
                out.push_str("Markup(");
                memor_template::py::write_str_repr(out, s, false);
                out.push(')');
            } else if repr {
                memor_template::py::write_str_repr(out, s, false);
            } else {
                out.push_str(s);
            }
        }
        ValueKind::Invalid => return Err(type_error(value.to_string())),
        ValueKind::Seq | ValueKind::Iterable => {
            if let Some(items) = tuple_items(value) {
                return write_tuple(out, items, depth);
            }
            if value.downcast_object_ref::<PyRange>().is_some() {
                let _ = write!(out, "{value}");
                return Ok(());
            }
            if let Some(g) = value.downcast_object_ref::<PyGenerator>() {
                let _ = write!(out, "<{} at 0x7f0000000000>", g.label);
                return Ok(());
            }
            if let Some(view) = value.downcast_object_ref::<PyView>() {
                out.push_str(view.name);
                out.push('(');
                write_py(out, &Value::from(view.items.clone()), true, depth + 1)?;
                out.push(')');
                return Ok(());
            }
            out.push('[');
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(out, &item, true, depth + 1)?;
            }
            out.push(']');
        }
        ValueKind::Map => match map_kind(value) {
            MapKind::Dict => write_dict(out, value, depth)?,
            MapKind::Macro => {
                let name = value.get_attr("name").unwrap_or_default();
                let _ = write!(out, "<Macro {}>", py_repr(&py_str(&name)?));
            }
            MapKind::Loop => {
                let index = value.get_attr("index").unwrap_or_default();
                let length = value.get_attr("length").unwrap_or_default();
                let _ = write!(out, "<LoopContext {index}/{length}>");
            }
            MapKind::Namespace => {
                out.push_str("<Namespace ");
                write_dict(out, value, depth)?;
                out.push('>');
            }
        },
        _ => {
            if let Some(big) = value.downcast_object_ref::<PyBigInt>() {
                let text = big.0.to_string();
                if text.trim_start_matches('-').len() > memor_template::py::MAX_INT_DIGITS {
                    return Err(type_error(
                        "ValueError: Exceeds the limit (4300 digits) for integer string \
                         conversion; use sys.set_int_max_str_digits() to increase the limit",
                    ));
                }
                out.push_str(&text);
            } else {
                let _ = write!(out, "{value}");
            }
        }
    }
    Ok(())
}

fn write_dict(out: &mut String, value: &Value, depth: usize) -> Result<(), MjError> {
    out.push('{');
    for (i, key) in value.try_iter()?.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_py(out, &key, true, depth + 1)?;
        out.push_str(": ");
        let item = value.get_item(&key)?;
        write_py(out, &item, true, depth + 1)?;
    }
    out.push('}');
    Ok(())
}

fn write_tuple(out: &mut String, items: &[Value], depth: usize) -> Result<(), MjError> {
    out.push('(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_py(out, item, true, depth + 1)?;
    }
    if items.len() == 1 {
        out.push(',');
    }
    out.push(')');
    Ok(())
}

/// Python's `str(value)`.
fn py_str(value: &Value) -> Result<String, MjError> {
    if let Some(s) = value.as_str() {
        return Ok(s.to_owned());
    }
    let mut out = String::new();
    write_py(&mut out, value, false, 0)?;
    Ok(out)
}

/// Python's `repr(value)`.
fn py_repr_value(value: &Value) -> Result<String, MjError> {
    let mut out = String::new();
    write_py(&mut out, value, true, 0)?;
    Ok(out)
}

/// jinja2's `soft_str`: strict undefined values fail.
fn soft_str(state: &State<'_, '_>, value: &Value) -> Result<String, MjError> {
    check_defined(state, value)?;
    py_str(value)
}

// =============================================================================================
// Python's `%` string formatting.

struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

fn pad(text: &str, spec: &Spec) -> String {
    let len = text.chars().count();
    if len >= spec.width {
        return text.to_owned();
    }
    let fill = " ".repeat(spec.width - len);
    if spec.left {
        format!("{text}{fill}")
    } else {
        format!("{fill}{text}")
    }
}

fn printf_int(n: &BigInt, conv: char, spec: &Spec) -> String {
    let negative = n.sign() == num_bigint::Sign::Minus;
    let magnitude = if negative { -n.clone() } else { n.clone() };
    let (radix, prefix) = match conv {
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        'o' => (8, "0o"),
        _ => (10, ""),
    };
    let mut digits = magnitude.to_str_radix(radix);
    if conv == 'X' {
        digits = digits.to_uppercase();
    }
    if let Some(p) = spec.precision
        && digits.len() < p
    {
        digits = format!("{}{digits}", "0".repeat(p - digits.len()));
    }
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let prefix = if spec.alt { prefix } else { "" };
    let head_len = sign.len() + prefix.len();
    if spec.zero && !spec.left && head_len + digits.len() < spec.width {
        digits = format!(
            "{}{digits}",
            "0".repeat(spec.width - head_len - digits.len())
        );
    }
    pad(&format!("{sign}{prefix}{digits}"), spec)
}

fn printf_float(f: f64, conv: char, spec: &Spec) -> Result<String, MjError> {
    let mut fmt = String::from("{v:");
    if spec.left {
        fmt.push('<');
    } else if !spec.zero {
        fmt.push('>');
    }
    if spec.plus {
        fmt.push('+');
    } else if spec.space {
        fmt.push(' ');
    }
    if spec.alt {
        fmt.push('#');
    }
    if spec.zero && !spec.left {
        fmt.push('0');
    }
    if spec.width > 0 {
        let _ = write!(fmt, "{}", spec.width);
    }
    let _ = write!(fmt, ".{}{conv}}}", spec.precision.unwrap_or(6));
    let ctx = [("v", memor_template::Value::Float(f))];
    memor_template::format(&fmt, &ctx[..]).map_err(|e| type_error(e.to_string()))
}

/// Python's `format % args`.
fn printf(format: &str, args: &Value) -> Result<String, MjError> {
    let tuple = tuple_items(args).map(<[Value]>::to_vec);
    let mapping_like = tuple.is_none()
        && matches!(
            args.kind(),
            ValueKind::Map | ValueKind::Seq | ValueKind::Undefined
        );
    let positional = tuple.unwrap_or_else(|| vec![args.clone()]);
    let mut argidx = 0;
    let mut used_key = false;
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let next_arg = |argidx: &mut usize| -> Result<Value, MjError> {
        let value = positional
            .get(*argidx)
            .cloned()
            .ok_or_else(|| type_error("TypeError: not enough arguments for format string"))?;
        *argidx += 1;
        Ok(value)
    };
    let incomplete = || type_error("ValueError: incomplete format");
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut key: Option<String> = None;
        if chars.get(i) == Some(&'(') {
            let mut depth = 1;
            let mut name = String::new();
            i += 1;
            loop {
                let Some(&k) = chars.get(i) else {
                    return Err(type_error("ValueError: incomplete format key"));
                };
                i += 1;
                if k == '(' {
                    depth += 1;
                } else if k == ')' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                name.push(k);
            }
            key = Some(name);
        }
        let mut spec = Spec {
            left: false,
            plus: false,
            space: false,
            alt: false,
            zero: false,
            width: 0,
            precision: None,
        };
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        let number = |i: &mut usize, argidx: &mut usize| -> Result<Option<usize>, MjError> {
            if chars.get(*i) == Some(&'*') {
                *i += 1;
                let v = next_arg(argidx)?;
                let n = to_int(&v).ok_or_else(|| type_error("TypeError: * wants int"))?;
                return Ok(Some(
                    usize::try_from(&n)
                        .unwrap_or(0)
                        .min(memor_template::MAX_WIDTH),
                ));
            }
            let mut n: Option<usize> = None;
            while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
                n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
                *i += 1;
            }
            Ok(n.map(|n| n.min(memor_template::MAX_WIDTH)))
        };
        spec.width = number(&mut i, &mut argidx)?.unwrap_or(0);
        if chars.get(i) == Some(&'.') {
            i += 1;
            spec.precision = Some(number(&mut i, &mut argidx)?.unwrap_or(0));
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            return Err(incomplete());
        };
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let arg = match &key {
            Some(name) => {
                used_key = true;
                if args.kind() != ValueKind::Map || tuple_items(args).is_some() {
                    return Err(type_error("TypeError: format requires a mapping"));
                }
                dict_get(args, &Value::from(name.as_str()))
                    .ok_or_else(|| type_error(format!("KeyError: {}", py_repr(name))))?
            }
            None => next_arg(&mut argidx)?,
        };
        check_any_defined(&arg)?;
        let text = match conv {
            's' | 'r' | 'a' => {
                let mut text = if conv == 's' {
                    py_str(&arg)?
                } else {
                    py_repr_value(&arg)?
                };
                if let Some(p) = spec.precision {
                    text = text.chars().take(p).collect();
                }
                pad(&text, &spec)
            }
            'd' | 'i' | 'u' => {
                let n = match to_num(&arg) {
                    Some(Num::Int(n)) => n,
                    Some(Num::Float(f)) if f.is_finite() => {
                        format!("{:.0}", f.trunc()).parse().unwrap_or_default()
                    }
                    Some(Num::Float(_)) => {
                        return Err(type_error("ValueError: cannot convert float to integer"));
                    }
                    None => {
                        return Err(type_error(format!(
                            "TypeError: %{conv} format: a real number is required, not {}",
                            py_type(&arg)
                        )));
                    }
                };
                printf_int(&n, 'd', &spec)
            }
            'x' | 'X' | 'o' => {
                let Some(Num::Int(n)) = to_num(&arg) else {
                    return Err(type_error(format!(
                        "TypeError: %{conv} format: an integer is required, not {}",
                        py_type(&arg)
                    )));
                };
                printf_int(&n, conv, &spec)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let f = match to_num(&arg) {
                    Some(n) => as_f64(&n)?,
                    None => {
                        return Err(type_error(format!(
                            "TypeError: must be real number, not {}",
                            py_type(&arg)
                        )));
                    }
                };
                printf_float(f, conv, &spec)?
            }
            'c' => {
                let ch = if let Some(s) = arg.as_str() {
                    let mut it = s.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => c,
                        _ => return Err(type_error("TypeError: %c requires int or char")),
                    }
                } else {
                    let n = to_int(&arg)
                        .ok_or_else(|| type_error("TypeError: %c requires int or char"))?;
                    u32::try_from(&n)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| type_error("OverflowError: %c arg not in range(0x110000)"))?
                };
                pad(&ch.to_string(), &spec)
            }
            other => {
                return Err(type_error(format!(
                    "ValueError: unsupported format character {} (0x{:x}) at index {}",
                    py_repr(&other.to_string()),
                    other as u32,
                    i - 1
                )));
            }
        };
        out.push_str(&text);
        if out.len() > MAX_STR_LEN {
            return Err(type_error("MemoryError"));
        }
    }
    if argidx < positional.len() && !mapping_like && !used_key {
        return Err(type_error(
            "TypeError: not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

// =============================================================================================
// Filters, tests and methods with jinja2's behaviour.

/// Positional and keyword arguments of a call.
struct Args {
    pos: Vec<Value>,
    kw: Vec<(String, Value)>,
}

fn split_args(mut values: Vec<Value>) -> Args {
    let mut kw = Vec::new();
    if values.last().is_some_and(Value::is_kwargs)
        && let Some(kwargs) = values.pop()
        && let Ok(keys) = kwargs.try_iter()
    {
        for key in keys {
            if let (Some(name), Ok(value)) = (key.as_str(), kwargs.get_item(&key)) {
                kw.push((name.to_owned(), value));
            }
        }
    }
    Args { pos: values, kw }
}

/// Binds arguments to Python-style parameters; missing ones are `None`.
fn bind(values: Vec<Value>, name: &str, params: &[&str]) -> Result<Vec<Option<Value>>, MjError> {
    let args = split_args(values);
    if args.pos.len() > params.len() {
        return Err(type_error(format!(
            "TypeError: {name}() takes {} positional arguments but {} were given",
            params.len(),
            args.pos.len()
        )));
    }
    let mut out: Vec<Option<Value>> = vec![None; params.len()];
    for (slot, value) in out.iter_mut().zip(args.pos) {
        *slot = Some(value);
    }
    for (key, value) in args.kw {
        let Some(index) = params.iter().position(|p| *p == key) else {
            return Err(type_error(format!(
                "TypeError: {name}() got an unexpected keyword argument {}",
                py_repr(&key)
            )));
        };
        if let Some(slot) = out.get_mut(index) {
            if slot.is_some() {
                return Err(type_error(format!(
                    "TypeError: {name}() got multiple values for argument {}",
                    py_repr(&key)
                )));
            }
            *slot = Some(value);
        }
    }
    Ok(out)
}

fn arg(bound: &[Option<Value>], i: usize) -> Option<&Value> {
    bound.get(i).and_then(Option::as_ref)
}

fn arg_value(bound: &[Option<Value>], i: usize, name: &str) -> Result<Value, MjError> {
    arg(bound, i).cloned().ok_or_else(|| {
        type_error(format!(
            "TypeError: missing required argument {}",
            py_repr(name)
        ))
    })
}

fn arg_bool(bound: &[Option<Value>], i: usize) -> bool {
    arg(bound, i).is_some_and(Value::is_true)
}

fn arg_int(bound: &[Option<Value>], i: usize, default: i64) -> Result<i64, MjError> {
    match arg(bound, i) {
        None => Ok(default),
        Some(v) if v.is_none() => Ok(default),
        Some(v) => to_int(v)
            .and_then(|n| i64::try_from(&n).ok())
            .ok_or_else(|| {
                type_error(format!(
                    "TypeError: '{}' object cannot be interpreted as an integer",
                    py_type(v)
                ))
            }),
    }
}

/// The items of an iterable value, as Python's `iter()` gives them.
fn py_iter(state: &State<'_, '_>, value: &Value) -> Result<Vec<Value>, MjError> {
    check_defined(state, value)?;
    generator_error(value)?;
    match value.kind() {
        ValueKind::Map if !is_dict(value) => Err(type_error(format!(
            "TypeError: '{}' object is not iterable",
            py_type(value)
        ))),
        ValueKind::String | ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => {
            Ok(value.try_iter()?.collect())
        }
        ValueKind::Undefined => Ok(Vec::new()),
        _ => Err(type_error(format!(
            "TypeError: '{}' object is not iterable",
            py_type(value)
        ))),
    }
}

/// jinja2's `environment.getitem`: the item, else the attribute, else undefined.
fn env_getitem(item: &Value, key: &Value) -> Value {
    item.get_item(key).unwrap_or_default()
}

/// jinja2's `make_attrgetter`: `attribute` is a dotted path; digits index.
fn attr_path(item: &Value, attribute: &Value) -> Value {
    let parts: Vec<Value> = match attribute.as_str() {
        Some(path) => path
            .split('.')
            .map(|p| match p.parse::<i64>() {
                Ok(i) if p.bytes().all(|b| b.is_ascii_digit()) => Value::from(i),
                _ => Value::from(p),
            })
            .collect(),
        None => vec![attribute.clone()],
    };
    let mut current = item.clone();
    for part in parts {
        current = env_getitem(&current, &part);
    }
    current
}

fn ignore_case(value: Value) -> Value {
    match value.as_str() {
        Some(s) => Value::from(s.to_lowercase()),
        None => value,
    }
}

fn py_len(state: &State<'_, '_>, value: &Value) -> Result<usize, MjError> {
    check_defined(state, value)?;
    match value.kind() {
        ValueKind::Undefined => Ok(0),
        ValueKind::String => Ok(value.as_str().unwrap_or("").chars().count()),
        ValueKind::Seq | ValueKind::Map => value
            .len()
            .map_or_else(|| Ok(value.try_iter()?.count()), Ok),
        _ => Err(type_error(format!(
            "TypeError: object of type '{}' has no len()",
            py_type(value)
        ))),
    }
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn f_escape(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    check_defined(state, value)?;
    if value.is_safe() {
        return Ok(value.clone());
    }
    Ok(Value::from_safe_string(html_escape(&py_str(value)?)))
}

fn f_forceescape(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    Ok(Value::from_safe_string(html_escape(&soft_str(
        state, value,
    )?)))
}

fn f_safe(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    Ok(Value::from_safe_string(soft_str(state, value)?))
}

fn f_string(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    if value.is_safe() {
        return Ok(value.clone());
    }
    Ok(Value::from(soft_str(state, value)?))
}

fn f_upper(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    Ok(Value::from(soft_str(state, value)?.to_uppercase()))
}

fn f_lower(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    Ok(Value::from(soft_str(state, value)?.to_lowercase()))
}

fn py_capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(&chars.as_str().to_lowercase());
            out
        }
        None => String::new(),
    }
}

fn f_capitalize(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    Ok(Value::from(py_capitalize(&soft_str(state, value)?)))
}

fn f_title(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    let s = soft_str(state, value)?;
    let is_sep = |c: char| matches!(c, '-' | '(' | '{' | '[' | '<') || py_isspace(c);
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while !rest.is_empty() {
        let sep_len = rest.len() - rest.trim_start_matches(is_sep).len();
        let (chunk, tail) = if sep_len > 0 {
            rest.split_at(sep_len)
        } else {
            let word_len = rest.find(is_sep).unwrap_or(rest.len());
            rest.split_at(word_len)
        };
        let mut chars = chunk.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(&chars.as_str().to_lowercase());
        }
        rest = tail;
    }
    Ok(Value::from(out))
}

fn py_strip_chars<'a>(s: &'a str, chars: Option<&str>, left: bool, right: bool) -> &'a str {
    let pred = |c: char| match chars {
        Some(set) => set.contains(c),
        None => py_isspace(c),
    };
    let s = if left { s.trim_start_matches(pred) } else { s };
    if right { s.trim_end_matches(pred) } else { s }
}

fn f_trim(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_trim", &["value", "chars"])?;
    let s = soft_str(state, &arg_value(&b, 0, "value")?)?;
    let chars = match arg(&b, 1) {
        Some(v) if !v.is_none() => Some(py_str(v)?),
        _ => None,
    };
    Ok(Value::from(py_strip_chars(
        &s,
        chars.as_deref(),
        true,
        true,
    )))
}

/// Python's `str.replace`.
fn py_replace(s: &str, old: &str, new: &str, count: i64) -> Result<String, MjError> {
    let limit = if count < 0 {
        usize::MAX
    } else {
        usize::try_from(count).unwrap_or(usize::MAX)
    };
    if old.is_empty() {
        let mut out = String::new();
        let mut done = 0;
        for c in s.chars() {
            if done < limit {
                out.push_str(new);
                done += 1;
            }
            out.push(c);
        }
        if done < limit {
            out.push_str(new);
        }
        if out.len() > MAX_STR_LEN {
            return Err(type_error("MemoryError"));
        }
        return Ok(out);
    }
    let out = s.replacen(old, new, limit);
    if out.len() > MAX_STR_LEN {
        return Err(type_error("MemoryError"));
    }
    Ok(out)
}

fn f_replace(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_replace", &["s", "old", "new", "count"])?;
    let s = soft_str(state, &arg_value(&b, 0, "s")?)?;
    let old = soft_str(state, &arg_value(&b, 1, "old")?)?;
    let new = soft_str(state, &arg_value(&b, 2, "new")?)?;
    let count = arg_int(&b, 3, -1)?;
    Ok(Value::from(py_replace(&s, &old, &new, count)?))
}

fn py_center(s: &str, width: i64) -> String {
    let len = s.chars().count();
    let width = usize::try_from(width)
        .unwrap_or(0)
        .min(memor_template::MAX_WIDTH);
    if len >= width {
        return s.to_owned();
    }
    let marg = width - len;
    let left = marg / 2 + (marg & width & 1);
    format!("{}{s}{}", " ".repeat(left), " ".repeat(marg - left))
}

fn f_center(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_center", &["value", "width"])?;
    let s = soft_str(state, &arg_value(&b, 0, "value")?)?;
    Ok(Value::from(py_center(&s, arg_int(&b, 1, 80)?)))
}

fn f_truncate(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(
        args.0,
        "do_truncate",
        &["s", "length", "killwords", "end", "leeway"],
    )?;
    let value = arg_value(&b, 0, "s")?;
    check_defined(state, &value)?;
    let length = arg_int(&b, 1, 255)?;
    let killwords = arg_bool(&b, 2);
    let end = match arg(&b, 3) {
        Some(v) => py_str(v)?,
        None => "...".to_owned(),
    };
    let leeway = arg_int(&b, 4, 5)?;
    let end_len = i64::try_from(end.chars().count()).unwrap_or(i64::MAX);
    if length < end_len {
        return Err(type_error(format!(
            "AssertionError: expected length >= {end_len}, got {length}"
        )));
    }
    if leeway < 0 {
        return Err(type_error(format!(
            "AssertionError: expected leeway >= 0, got {leeway}"
        )));
    }
    let len = i64::try_from(py_len(state, &value)?).unwrap_or(i64::MAX);
    if len <= length.saturating_add(leeway) {
        return Ok(value.clone());
    }
    let Some(s) = value.as_str() else {
        return Err(type_error(format!(
            "TypeError: can only concatenate {} (not \"str\") to {}",
            py_type(&value),
            py_type(&value)
        )));
    };
    let keep = usize::try_from(length - end_len).unwrap_or(0);
    let head: String = s.chars().take(keep).collect();
    if killwords {
        return Ok(Value::from(format!("{head}{end}")));
    }
    let result = match head.rfind(' ') {
        Some(pos) => head.get(..pos).unwrap_or(""),
        None => head.as_str(),
    };
    Ok(Value::from(format!("{result}{end}")))
}

fn f_wordcount(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    let s = soft_str(state, value)?;
    let count = s
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .count();
    Ok(Value::from(count))
}

fn f_join(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "sync_do_join", &["value", "d", "attribute"])?;
    let items = py_iter(state, &arg_value(&b, 0, "value")?)?;
    let sep = match arg(&b, 1) {
        Some(d) => {
            check_defined(state, d)?;
            py_str(d)?
        }
        None => String::new(),
    };
    let attribute = arg(&b, 2).filter(|a| !a.is_none());
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        let item = match attribute {
            Some(a) => attr_path(item, a),
            None => item.clone(),
        };
        out.push_str(&soft_str(state, &item)?);
        if out.len() > MAX_STR_LEN {
            return Err(type_error("MemoryError"));
        }
    }
    Ok(Value::from(out))
}

fn f_length(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    Ok(Value::from(py_len(state, value)?))
}

fn f_list(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    Ok(Value::from(py_iter(state, value)?))
}

fn f_first(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    Ok(py_iter(state, value)?
        .into_iter()
        .next()
        .unwrap_or_default())
}

fn f_last(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    if value.kind() == ValueKind::Iterable {
        return Err(type_error(format!(
            "TypeError: '{}' object is not reversible",
            py_type(value)
        )));
    }
    Ok(py_iter(state, value)?.pop().unwrap_or_default())
}

fn f_reverse(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    check_defined(state, value)?;
    if let Some(s) = value.as_str() {
        return Ok(Value::from(s.chars().rev().collect::<String>()));
    }
    let mut items = py_iter(state, value)?;
    items.reverse();
    Ok(Value::from(items))
}

fn f_default(args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_default", &["value", "default_value", "boolean"])?;
    let value = arg(&b, 0).cloned().unwrap_or_default();
    let default = arg(&b, 1).cloned().unwrap_or_else(|| Value::from(""));
    if value.is_undefined() || (arg_bool(&b, 2) && !value.is_true()) {
        return Ok(default);
    }
    Ok(value)
}

fn f_abs(value: &Value) -> Result<Value, MjError> {
    match to_num(value) {
        Some(Num::Int(i)) => Ok(int_value(if i.sign() == num_bigint::Sign::Minus {
            -i
        } else {
            i
        })),
        Some(Num::Float(f)) => Ok(Value::from(f.abs())),
        None => Err(type_error(format!(
            "TypeError: bad operand type for abs(): '{}'",
            if value.is_undefined() {
                "StrictUndefined"
            } else {
                py_type(value)
            }
        ))),
    }
}

/// Python's `round(x, n)` for a float.
fn py_round(x: f64, n: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if n >= 0 {
        let n = usize::try_from(n.min(330)).unwrap_or(330);
        return format!("{x:.n$}").parse().unwrap_or(x);
    }
    let pow = 10f64.powi(i32::try_from(-n).unwrap_or(i32::MAX));
    if !pow.is_finite() {
        return 0.0_f64.copysign(x);
    }
    let y = x / pow;
    let mut z = y.round();
    if ((y - z).abs() - 0.5).abs() < f64::EPSILON {
        z = 2.0 * (y / 2.0).round();
    }
    z * pow
}

fn f_round(args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_round", &["value", "precision", "method"])?;
    let value = arg_value(&b, 0, "value")?;
    let precision = arg_int(&b, 1, 0)?;
    let method = match arg(&b, 2) {
        Some(m) => py_str(m)?,
        None => "common".to_owned(),
    };
    let num = to_num(&value).ok_or_else(|| {
        type_error(format!(
            "TypeError: type {} doesn't define __round__ method",
            if value.is_undefined() {
                "StrictUndefined"
            } else {
                py_type(&value)
            }
        ))
    })?;
    match method.as_str() {
        "common" => match num {
            Num::Int(i) if precision >= 0 => Ok(int_value(i)),
            Num::Int(i) => {
                let f = py_round(int_to_f64(&i)?, precision);
                Ok(int_value(format!("{f:.0}").parse().unwrap_or_default()))
            }
            Num::Float(f) => Ok(Value::from(py_round(f, precision))),
        },
        "ceil" | "floor" => {
            let scale = 10f64.powi(i32::try_from(precision).unwrap_or(0));
            let x = as_f64(&num)? * scale;
            let r = if method == "ceil" {
                x.ceil()
            } else {
                x.floor()
            };
            Ok(Value::from(r / scale))
        }
        _ => Err(type_error(
            "FilterArgumentError: method must be common, ceil or floor",
        )),
    }
}

/// Python's `int(text, base)`.
fn parse_py_int(text: &str, base: u32) -> Option<BigInt> {
    let t = py_strip(text);
    let (negative, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = t.to_ascii_lowercase();
    let (radix, digits) = match (base, lower.get(..2)) {
        (0 | 16, Some("0x")) => (16, t.get(2..)?),
        (0 | 8, Some("0o")) => (8, t.get(2..)?),
        (0 | 2, Some("0b")) => (2, t.get(2..)?),
        (0, _) => (10, t),
        (b, _) => (b, t),
    };
    let digits = digits
        .strip_prefix('_')
        .filter(|_| radix != 10 || base == 0)
        .unwrap_or(digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !(2..=36).contains(&radix)
    {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if base == 0
        && radix == 10
        && clean.len() > 1
        && clean.starts_with('0')
        && clean.chars().any(|c| c != '0')
    {
        return None;
    }
    let n = BigInt::parse_bytes(clean.as_bytes(), radix)?;
    Some(if negative { -n } else { n })
}

/// Python's `float(text)`.
fn parse_py_float(text: &str) -> Option<f64> {
    let t = py_strip(text);
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        let negative = lower.starts_with('-');
        let v = if body == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if negative { -v } else { v });
    }
    if t.contains("__") || t.starts_with('_') || t.ends_with('_') {
        return None;
    }
    let clean: String = t.chars().filter(|&c| c != '_').collect();
    if !clean
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    clean.parse().ok()
}

fn f_int(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_int", &["value", "default", "base"])?;
    let value = arg_value(&b, 0, "value")?;
    check_defined(state, &value)?;
    let default = arg(&b, 1).cloned().unwrap_or_else(|| Value::from(0));
    let base = u32::try_from(arg_int(&b, 2, 10)?).unwrap_or(10);
    if let Some(s) = value.as_str() {
        if let Some(n) = parse_py_int(s, base) {
            return Ok(int_value(n));
        }
        return Ok(match parse_py_float(s) {
            Some(f) if f.is_finite() => {
                int_value(format!("{:.0}", f.trunc()).parse().unwrap_or_default())
            }
            _ => default,
        });
    }
    Ok(match to_num(&value) {
        Some(Num::Int(i)) => int_value(i),
        Some(Num::Float(f)) if f.is_finite() => {
            int_value(format!("{:.0}", f.trunc()).parse().unwrap_or_default())
        }
        _ => default,
    })
}

fn f_float(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_float", &["value", "default"])?;
    let value = arg_value(&b, 0, "value")?;
    check_defined(state, &value)?;
    let default = arg(&b, 1).cloned().unwrap_or_else(|| Value::from(0.0));
    if let Some(s) = value.as_str() {
        return Ok(parse_py_float(s).map_or(default, Value::from));
    }
    Ok(match to_num(&value) {
        Some(n) => Value::from(as_f64(&n)?),
        None => default,
    })
}

fn f_sum(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "sync_do_sum", &["iterable", "attribute", "start"])?;
    let items = py_iter(state, &arg_value(&b, 0, "iterable")?)?;
    let attribute = arg(&b, 1).filter(|a| !a.is_none());
    let mut total = arg(&b, 2).cloned().unwrap_or_else(|| Value::from(0));
    for item in items {
        let item = match attribute {
            Some(a) => attr_path(&item, a),
            None => item,
        };
        total = py_binop("+", &total, &item)?;
    }
    Ok(total)
}

/// Sorts `items` by `key` with Python's comparisons (stable; `reverse` keeps equal items in
/// order, as Python does).
fn py_sort(items: &mut [(Value, Value)], reverse: bool) -> Result<(), MjError> {
    let mut error: Option<MjError> = None;
    items.sort_by(|(a, _), (b, _)| {
        if error.is_some() {
            return std::cmp::Ordering::Equal;
        }
        let (x, y) = if reverse { (b, a) } else { (a, b) };
        match py_order("<", x, y, 0) {
            Ok(true) => std::cmp::Ordering::Less,
            Ok(false) => match py_order("<", y, x, 0) {
                Ok(true) => std::cmp::Ordering::Greater,
                Ok(false) => std::cmp::Ordering::Equal,
                Err(e) => {
                    error = Some(e);
                    std::cmp::Ordering::Equal
                }
            },
            Err(e) => {
                error = Some(e);
                std::cmp::Ordering::Equal
            }
        }
    });
    error.map_or(Ok(()), Err)
}

fn sort_key(item: &Value, attributes: &[Value], case_sensitive: bool) -> Value {
    let keys: Vec<Value> = if attributes.is_empty() {
        vec![item.clone()]
    } else {
        attributes.iter().map(|a| attr_path(item, a)).collect()
    };
    let keys: Vec<Value> = keys
        .into_iter()
        .map(|k| if case_sensitive { k } else { ignore_case(k) })
        .collect();
    match <[Value; 1]>::try_from(keys) {
        Ok([single]) if attributes.len() <= 1 => single,
        Ok([single]) => Value::from_object(PyTuple(vec![single])),
        Err(keys) => Value::from_object(PyTuple(keys)),
    }
}

fn f_sort(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(
        args.0,
        "do_sort",
        &["value", "reverse", "case_sensitive", "attribute"],
    )?;
    let items = py_iter(state, &arg_value(&b, 0, "value")?)?;
    let reverse = arg_bool(&b, 1);
    let case_sensitive = arg_bool(&b, 2);
    let attributes: Vec<Value> = match arg(&b, 3).filter(|a| !a.is_none()) {
        Some(a) => match a.as_str() {
            Some(s) => s.split(',').map(|p| Value::from(p.trim())).collect(),
            None => vec![a.clone()],
        },
        None => Vec::new(),
    };
    let mut keyed: Vec<(Value, Value)> = items
        .into_iter()
        .map(|item| (sort_key(&item, &attributes, case_sensitive), item))
        .collect();
    py_sort(&mut keyed, reverse)?;
    Ok(Value::from(
        keyed.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
    ))
}

fn min_max(state: &State<'_, '_>, args: Rest<Value>, max: bool) -> Result<Value, MjError> {
    let b = bind(
        args.0,
        if max { "do_max" } else { "do_min" },
        &["value", "case_sensitive", "attribute"],
    )?;
    let items = py_iter(state, &arg_value(&b, 0, "value")?)?;
    let case_sensitive = arg_bool(&b, 1);
    let attributes: Vec<Value> = arg(&b, 2)
        .filter(|a| !a.is_none())
        .cloned()
        .into_iter()
        .collect();
    let mut best: Option<(Value, Value)> = None;
    for item in items {
        let key = sort_key(&item, &attributes, case_sensitive);
        let better = match &best {
            None => true,
            Some((k, _)) => py_order(if max { ">" } else { "<" }, &key, k, 0)?,
        };
        if better {
            best = Some((key, item));
        }
    }
    Ok(best.map(|(_, v)| v).unwrap_or_default())
}

fn f_min(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    min_max(state, args, false)
}

fn f_max(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    min_max(state, args, true)
}

fn f_unique(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(
        args.0,
        "sync_do_unique",
        &["value", "case_sensitive", "attribute"],
    )?;
    let items = py_iter(state, &arg_value(&b, 0, "value")?)?;
    let case_sensitive = arg_bool(&b, 1);
    let attributes: Vec<Value> = arg(&b, 2)
        .filter(|a| !a.is_none())
        .cloned()
        .into_iter()
        .collect();
    let mut seen: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for item in items {
        let key = sort_key(&item, &attributes, case_sensitive);
        if !is_hashable(&key) {
            return Err(type_error(format!(
                "TypeError: unhashable type: '{}'",
                py_type(&key)
            )));
        }
        check_any_defined(&key)?;
        let mut known = false;
        for s in &seen {
            if py_eq(s, &key, 0)? {
                known = true;
                break;
            }
        }
        if !known {
            seen.push(key);
            out.push(item);
        }
    }
    Ok(Value::from(out))
}

fn dict_items(value: &Value) -> Result<Vec<Value>, MjError> {
    let mut out = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        out.push(Value::from_object(PyTuple(vec![key, item])));
    }
    Ok(out)
}

fn f_items(value: &Value) -> Result<Value, MjError> {
    if value.is_undefined() {
        return Ok(Value::from(Vec::<Value>::new()));
    }
    if !is_dict(value) {
        return Err(type_error(
            "TypeError: Can only get item pairs from a mapping.",
        ));
    }
    Ok(Value::from(dict_items(value)?))
}

fn f_dictsort(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(
        args.0,
        "do_dictsort",
        &["value", "case_sensitive", "by", "reverse"],
    )?;
    let value = arg_value(&b, 0, "value")?;
    check_defined(state, &value)?;
    if !is_dict(&value) {
        return Err(type_error(format!(
            "AttributeError: '{}' object has no attribute 'items'",
            py_type(&value)
        )));
    }
    let case_sensitive = arg_bool(&b, 1);
    let pos = match arg(&b, 2).map(py_str).transpose()?.as_deref() {
        None | Some("key") => 0,
        Some("value") => 1,
        Some(_) => {
            return Err(type_error(
                "FilterArgumentError: You can only sort by either \"key\" or \"value\"",
            ));
        }
    };
    let mut keyed = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        let sort = if pos == 0 { key.clone() } else { item.clone() };
        let sort = if case_sensitive {
            sort
        } else {
            ignore_case(sort)
        };
        keyed.push((sort, Value::from_object(PyTuple(vec![key, item]))));
    }
    py_sort(&mut keyed, arg_bool(&b, 3))?;
    Ok(Value::from(
        keyed.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
    ))
}

fn py_splitlines(s: &str, keepends: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            line.push(c);
            continue;
        }
        if keepends {
            line.push(c);
        }
        if c == '\r' && chars.peek() == Some(&'\n') {
            chars.next();
            if keepends {
                line.push('\n');
            }
        }
        out.push(std::mem::take(&mut line));
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

fn f_indent(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_indent", &["s", "width", "first", "blank"])?;
    let value = arg_value(&b, 0, "s")?;
    check_defined(state, &value)?;
    let Some(s) = value.as_str() else {
        return Err(type_error(format!(
            "TypeError: unsupported operand type(s) for +=: '{}' and 'str'",
            py_type(&value)
        )));
    };
    let indention = match arg(&b, 1) {
        Some(w) if is_str(w) => w.as_str().unwrap_or("").to_owned(),
        Some(w) => " ".repeat(
            usize::try_from(to_int(w).and_then(|n| i64::try_from(&n).ok()).unwrap_or(0))
                .unwrap_or(0)
                .min(memor_template::MAX_WIDTH),
        ),
        None => "    ".to_owned(),
    };
    let text = format!("{s}\n");
    let lines = py_splitlines(&text, false);
    let mut rv = if arg_bool(&b, 3) {
        lines
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(&format!("\n{indention}"))
    } else {
        let mut it = lines.into_iter();
        let mut rv = it.next().unwrap_or_default();
        let rest: Vec<String> = it
            .map(|line| {
                if line.is_empty() {
                    line
                } else {
                    format!("{indention}{line}")
                }
            })
            .collect();
        if !rest.is_empty() {
            rv.push('\n');
            rv.push_str(&rest.join("\n"));
        }
        rv
    };
    if arg_bool(&b, 2) {
        rv = format!("{indention}{rv}");
    }
    Ok(if value.is_safe() {
        Value::from_safe_string(rv)
    } else {
        Value::from(rv)
    })
}

fn html_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(rest.get(..pos).unwrap_or(""));
        let tail = rest.get(pos..).unwrap_or("");
        let end = tail.find(';').filter(|&e| e <= 32);
        let entity = end.and_then(|e| tail.get(1..e));
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => {
                let num = e.strip_prefix('#')?;
                let cp = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => num.parse().ok()?,
                };
                char::from_u32(cp)
            }
        });
        if let (Some(c), Some(e)) = (decoded, end) {
            out.push(c);
            rest = tail.get(e + 1..).unwrap_or("");
        } else {
            out.push('&');
            rest = tail.get(1..).unwrap_or("");
        }
    }
    out.push_str(rest);
    out
}

fn f_striptags(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    let mut s = soft_str(state, value)?;
    for (open, close) in [("<!--", "-->"), ("<", ">")] {
        while let Some(start) = s.find(open) {
            let Some(end) = s.get(start..).and_then(|t| t.find(close)) else {
                break;
            };
            let end = start + end + close.len();
            s.replace_range(start..end, "");
        }
    }
    let collapsed = s
        .split(py_isspace)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Value::from(html_unescape(&collapsed)))
}

fn f_filesizeformat(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_filesizeformat", &["value", "binary"])?;
    let value = arg_value(&b, 0, "value")?;
    check_defined(state, &value)?;
    let bytes = match (to_num(&value), value.as_str()) {
        (Some(n), _) => as_f64(&n)?,
        (None, Some(s)) => parse_py_float(s).ok_or_else(|| {
            type_error(format!(
                "ValueError: could not convert string to float: {}",
                py_repr(s)
            ))
        })?,
        _ => {
            return Err(type_error(format!(
                "TypeError: float() argument must be a string or a real number, not '{}'",
                py_type(&value)
            )));
        }
    };
    let binary = arg_bool(&b, 1);
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    let prefixes = if binary {
        ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    } else {
        ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    };
    if (bytes - 1.0).abs() < f64::EPSILON {
        return Ok(Value::from("1 Byte"));
    }
    if bytes < base {
        let whole = format!("{:.0}", bytes.trunc());
        return Ok(Value::from(format!("{whole} Bytes")));
    }
    let mut unit = base;
    let mut prefix = prefixes[0];
    for (i, p) in prefixes.iter().enumerate() {
        unit = base.powi(i32::try_from(i).unwrap_or(0) + 2);
        prefix = p;
        if bytes < unit {
            break;
        }
    }
    Ok(Value::from(format!("{:.1} {prefix}", base * bytes / unit)))
}

/// Writes JSON as Python's `json.dumps(value, sort_keys=True, indent=indent)` does.
fn write_json(
    out: &mut String,
    value: &Value,
    indent: Option<&str>,
    level: usize,
) -> Result<(), MjError> {
    if level > MAX_DEPTH {
        return Err(type_error(
            "RecursionError: maximum recursion depth exceeded",
        ));
    }
    let newline = |out: &mut String, level: usize| {
        if let Some(ind) = indent {
            out.push('\n');
            for _ in 0..level {
                out.push_str(ind);
            }
        }
    };
    let item_sep = if indent.is_some() { "," } else { ", " };
    match value.kind() {
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            if value.is_integer() {
                let _ = write!(out, "{value}");
            } else {
                let f = f64::try_from(value.clone()).unwrap_or(f64::NAN);
                if f.is_nan() {
                    out.push_str("NaN");
                } else if f.is_infinite() {
                    out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
                } else {
                    memor_template::py::write_float_repr(out, f);
                }
            }
        }
        ValueKind::String => {
            crate::json::push_py_string(out, value.as_str().unwrap_or(""));
        }
        ValueKind::Seq | ValueKind::Iterable => {
            if value.downcast_object_ref::<PyGenerator>().is_some() {
                return Err(type_error(
                    "TypeError: Object of type generator is not JSON serializable",
                ));
            }
            let items: Vec<Value> = value.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, level + 1);
                write_json(out, item, indent, level + 1)?;
            }
            newline(out, level);
            out.push(']');
        }
        ValueKind::Map => {
            let mut pairs: Vec<(Value, Value)> = Vec::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                let key = match key.kind() {
                    ValueKind::String => key,
                    ValueKind::None => Value::from("null"),
                    ValueKind::Bool => Value::from(if key.is_true() { "true" } else { "false" }),
                    ValueKind::Number => Value::from(py_str(&key)?),
                    _ => {
                        return Err(type_error(format!(
                            "TypeError: keys must be str, int, float, bool or None, not {}",
                            py_type(&key)
                        )));
                    }
                };
                pairs.push((key, item));
            }
            py_sort(&mut pairs, false)?;
            if pairs.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (key, item)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, level + 1);
                write_json(out, key, indent, level + 1)?;
                out.push_str(": ");
                write_json(out, item, indent, level + 1)?;
            }
            newline(out, level);
            out.push('}');
        }
        _ => {
            if let Some(big) = value.downcast_object_ref::<PyBigInt>() {
                let _ = write!(out, "{}", big.0);
            } else {
                let name = if value.is_undefined() {
                    "StrictUndefined"
                } else {
                    py_type(value)
                };
                return Err(type_error(format!(
                    "TypeError: Object of type {name} is not JSON serializable"
                )));
            }
        }
    }
    Ok(())
}

fn f_tojson(args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_tojson", &["value", "indent"])?;
    let value = arg_value(&b, 0, "value")?;
    let indent = match arg(&b, 1).filter(|v| !v.is_none()) {
        Some(v) if is_str(v) => Some(v.as_str().unwrap_or("").to_owned()),
        Some(v) => Some(
            " ".repeat(
                usize::try_from(to_int(v).and_then(|n| i64::try_from(&n).ok()).unwrap_or(0))
                    .unwrap_or(0)
                    .min(1024),
            ),
        ),
        None => None,
    };
    let mut out = String::new();
    write_json(&mut out, &value, indent.as_deref(), 0)?;
    let out = out
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\'', "\\u0027");
    Ok(Value::from_safe_string(out))
}

/// `repr` with dict keys sorted, as `pprint.pformat` writes values that fit on one line.
fn write_pprint(out: &mut String, value: &Value, depth: usize) -> Result<(), MjError> {
    if depth > MAX_DEPTH {
        return Err(type_error(
            "RecursionError: maximum recursion depth exceeded",
        ));
    }
    match value.kind() {
        ValueKind::Map => {
            let mut pairs: Vec<(Value, Value)> = Vec::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                pairs.push((key, item));
            }
            let _ = py_sort(&mut pairs, false);
            out.push('{');
            for (i, (key, item)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_pprint(out, key, depth + 1)?;
                out.push_str(": ");
                write_pprint(out, item, depth + 1)?;
            }
            out.push('}');
        }
        ValueKind::Seq | ValueKind::Iterable
            if value.downcast_object_ref::<PyGenerator>().is_none() =>
        {
            let tuple = tuple_items(value).is_some();
            let items: Vec<Value> = value.try_iter()?.collect();
            out.push(if tuple { '(' } else { '[' });
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_pprint(out, item, depth + 1)?;
            }
            if tuple && items.len() == 1 {
                out.push(',');
            }
            out.push(if tuple { ')' } else { ']' });
        }
        _ => write_py(out, value, true, depth)?,
    }
    Ok(())
}

fn f_pprint(value: &Value) -> Result<Value, MjError> {
    let mut out = String::new();
    write_pprint(&mut out, value, 0)?;
    Ok(Value::from(out))
}

fn f_format(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let mut a = split_args(args.0);
    if a.pos.is_empty() {
        return Err(type_error(
            "TypeError: do_format() missing 1 required positional argument: 'value'",
        ));
    }
    let value = a.pos.remove(0);
    if !a.pos.is_empty() && !a.kw.is_empty() {
        return Err(type_error(
            "FilterArgumentError: can't handle positional and keyword arguments at the same time",
        ));
    }
    let text = soft_str(state, &value)?;
    let params = if a.kw.is_empty() {
        Value::from_object(PyTuple(a.pos))
    } else {
        a.kw.into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<Value>()
    };
    Ok(Value::from(printf(&text, &params)?))
}

fn url_quote(value: &Value, for_qs: bool) -> Result<String, MjError> {
    let text = py_str(value)?;
    let mut out = String::new();
    for byte in text.bytes() {
        let safe = byte.is_ascii_alphanumeric()
            || matches!(byte, b'_' | b'.' | b'-' | b'~')
            || (!for_qs && byte == b'/');
        if safe {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    Ok(if for_qs { out.replace("%20", "+") } else { out })
}

fn f_urlencode(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    check_defined(state, value)?;
    generator_error(value)?;
    if is_str(value)
        || !matches!(
            value.kind(),
            ValueKind::Seq | ValueKind::Map | ValueKind::Iterable
        )
    {
        return Ok(Value::from(url_quote(value, false)?));
    }
    let pairs = if is_dict(value) {
        dict_items(value)?
    } else {
        value.try_iter()?.collect()
    };
    let mut parts = Vec::new();
    for pair in pairs {
        let kv: Vec<Value> = pair.try_iter()?.collect();
        let (Some(k), Some(v), 2) = (kv.first(), kv.get(1), kv.len()) else {
            return Err(type_error(
                "ValueError: too many values to unpack (expected 2)",
            ));
        };
        parts.push(format!("{}={}", url_quote(k, true)?, url_quote(v, true)?));
    }
    Ok(Value::from(parts.join("&")))
}

fn f_attr(state: &State<'_, '_>, obj: &Value, name: &Value) -> Result<Value, MjError> {
    check_defined(state, obj)?;
    if matches!(obj.kind(), ValueKind::Map | ValueKind::Seq) {
        return Ok(Value::UNDEFINED);
    }
    match name.as_str() {
        Some(n) => Ok(obj.get_attr(n).unwrap_or_default()),
        None => Err(type_error("TypeError: attribute name must be string")),
    }
}

fn f_batch(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_batch", &["value", "linecount", "fill_with"])?;
    let items = py_iter(state, &arg_value(&b, 0, "value")?)?;
    let count = usize::try_from(arg_int(&b, 1, 0)?).unwrap_or(0);
    let fill = arg(&b, 2).filter(|v| !v.is_none()).cloned();
    let mut out: Vec<Value> = Vec::new();
    let mut tmp: Vec<Value> = Vec::new();
    for item in items {
        if tmp.len() == count {
            out.push(Value::from(std::mem::take(&mut tmp)));
        }
        tmp.push(item);
    }
    if !tmp.is_empty() {
        if let Some(fill) = fill {
            while tmp.len() < count {
                tmp.push(fill.clone());
            }
        }
        out.push(Value::from(tmp));
    }
    Ok(Value::from(out))
}

fn f_slice(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_slice", &["value", "slices", "fill_with"])?;
    let seq = py_iter(state, &arg_value(&b, 0, "value")?)?;
    let slices = usize::try_from(arg_int(&b, 1, 0)?).unwrap_or(0);
    if slices == 0 {
        return Err(zero_division("integer division or modulo by zero"));
    }
    let fill = arg(&b, 2).filter(|v| !v.is_none()).cloned();
    let length = seq.len();
    let items_per_slice = length / slices;
    let slices_with_extra = length % slices;
    let mut offset = 0;
    let mut out = Vec::new();
    for slice_number in 0..slices {
        let start = offset + slice_number * items_per_slice;
        if slice_number < slices_with_extra {
            offset += 1;
        }
        let end = offset + (slice_number + 1) * items_per_slice;
        let mut tmp: Vec<Value> = seq.get(start..end.min(length)).unwrap_or(&[]).to_vec();
        if let Some(fill) = &fill
            && slice_number >= slices_with_extra
        {
            tmp.push(fill.clone());
        }
        out.push(Value::from(tmp));
    }
    Ok(Value::from(out))
}

fn f_xmlattr(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(args.0, "do_xmlattr", &["d", "autospace"])?;
    let d = arg_value(&b, 0, "d")?;
    check_defined(state, &d)?;
    if !is_dict(&d) {
        return Err(type_error(format!(
            "AttributeError: '{}' object has no attribute 'items'",
            py_type(&d)
        )));
    }
    let autospace = arg(&b, 1).is_none_or(Value::is_true);
    let mut parts = Vec::new();
    for key in d.try_iter()? {
        let value = d.get_item(&key)?;
        if value.is_none() || value.is_undefined() {
            continue;
        }
        let key = py_str(&key)?;
        if key
            .chars()
            .any(|c| py_isspace(c) || matches!(c, '/' | '>' | '='))
        {
            return Err(type_error(format!(
                "ValueError: Invalid character in attribute name: {}",
                py_repr(&key)
            )));
        }
        parts.push(format!(
            "{}=\"{}\"",
            html_escape(&key),
            html_escape(&py_str(&value)?)
        ));
    }
    let mut rv = parts.join(" ");
    if autospace && !rv.is_empty() {
        rv.insert(0, ' ');
    }
    Ok(Value::from_safe_string(rv))
}

fn f_random(state: &State<'_, '_>, value: &Value) -> Result<Value, MjError> {
    let items = py_iter(state, value)?;
    if items.is_empty() {
        return Err(type_error(
            "IndexError: Cannot choose from an empty sequence",
        ));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let index = usize::try_from(nanos).unwrap_or(0) % items.len();
    Ok(items.get(index).cloned().unwrap_or_default())
}

fn f_wordwrap(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(
        args.0,
        "do_wordwrap",
        &[
            "s",
            "width",
            "break_long_words",
            "wrapstring",
            "break_on_hyphens",
        ],
    )?;
    let s = soft_str(state, &arg_value(&b, 0, "s")?)?;
    let width = usize::try_from(arg_int(&b, 1, 79)?).unwrap_or(0);
    if width == 0 {
        return Err(type_error(format!(
            "ValueError: invalid width {width} (must be > 0)"
        )));
    }
    let break_long = arg(&b, 2).is_none_or(Value::is_true);
    let wrapstring = match arg(&b, 3).filter(|v| !v.is_none()) {
        Some(v) => py_str(v)?,
        None => "\n".to_owned(),
    };
    let mut paragraphs = Vec::new();
    for line in py_splitlines(&s, false) {
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut current_len = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let mut word: Vec<char> = word.chars().collect();
            loop {
                let sep = usize::from(current_len > 0);
                if current_len + sep + word.len() <= width {
                    if sep == 1 {
                        current.push(' ');
                    }
                    current.extend(word.iter());
                    current_len += sep + word.len();
                    break;
                }
                if current_len > 0 {
                    lines.push(std::mem::take(&mut current));
                    current_len = 0;
                    continue;
                }
                if !break_long {
                    current.extend(word.iter());
                    lines.push(std::mem::take(&mut current));
                    break;
                }
                let rest = word.split_off(width.min(word.len()));
                lines.push(word.iter().collect());
                word = rest;
                if word.is_empty() {
                    break;
                }
            }
        }
        if current_len > 0 {
            lines.push(current);
        }
        paragraphs.push(lines.join(&wrapstring));
    }
    Ok(Value::from(paragraphs.join(&wrapstring)))
}

fn select_or_reject(
    state: &State<'_, '_>,
    mut args: Vec<Value>,
    reject: bool,
    attr: bool,
) -> Result<Value, MjError> {
    use std::borrow::Cow;
    if args.is_empty() {
        return Err(type_error("TypeError: missing required argument 'value'"));
    }
    let value = args.remove(0);
    // jinja2 selects nothing from a false value.
    check_defined(state, &value)?;
    if !value.is_true() {
        return Ok(Value::from(Vec::<Value>::new()));
    }
    let take_name = |args: &mut Vec<Value>| -> Option<String> {
        if args.first().is_some_and(is_str) {
            Some(args.remove(0).as_str().unwrap_or("").to_owned())
        } else {
            None
        }
    };
    let attribute = if attr {
        Some(
            take_name(&mut args)
                .ok_or_else(|| type_error("TypeError: Missing parameter for attribute name"))?,
        )
    } else {
        None
    };
    let test = take_name(&mut args).map(Cow::Owned);
    let rest = Rest(args);
    let items = match (attribute, reject) {
        (Some(a), false) => {
            minijinja::filters::selectattr(state, value, Cow::Owned(a), test, rest)?
        }
        (Some(a), true) => minijinja::filters::rejectattr(state, value, Cow::Owned(a), test, rest)?,
        (None, false) => minijinja::filters::select(state, value, test, rest)?,
        (None, true) => minijinja::filters::reject(state, value, test, rest)?,
    };
    Ok(Value::from(items))
}

fn f_groupby(state: &State<'_, '_>, args: Rest<Value>) -> Result<Value, MjError> {
    let b = bind(
        args.0,
        "sync_do_groupby",
        &["value", "attribute", "default", "case_sensitive"],
    )?;
    let items = py_iter(state, &arg_value(&b, 0, "value")?)?;
    let attribute = arg_value(&b, 1, "attribute")?;
    let default = arg(&b, 2).filter(|v| !v.is_none()).cloned();
    let case_sensitive = arg_bool(&b, 3);
    let getter = |item: &Value| -> Value {
        let key = attr_path(item, &attribute);
        match &default {
            Some(d) if key.is_undefined() => d.clone(),
            _ => key,
        }
    };
    let mut keyed: Vec<(Value, Value)> = items
        .into_iter()
        .map(|item| {
            let key = getter(&item);
            (
                if case_sensitive {
                    key
                } else {
                    ignore_case(key)
                },
                item,
            )
        })
        .collect();
    py_sort(&mut keyed, false)?;
    let mut out: Vec<Value> = Vec::new();
    let mut current: Option<(Value, Vec<Value>)> = None;
    for (key, item) in keyed {
        match &mut current {
            Some((k, list)) if py_eq(k, &key, 0)? => list.push(item),
            _ => {
                if let Some((_, list)) = current.take() {
                    out.push(group_tuple(&getter, list));
                }
                current = Some((key, vec![item]));
            }
        }
    }
    if let Some((_, list)) = current {
        out.push(group_tuple(&getter, list));
    }
    Ok(Value::from(out))
}

fn group_tuple(getter: &dyn Fn(&Value) -> Value, list: Vec<Value>) -> Value {
    let grouper = list.first().map(getter).unwrap_or_default();
    Value::from_object(GroupTuple(vec![grouper, Value::from(list)]))
}

fn f_unsupported(
    name: &'static str,
) -> impl Fn(Rest<Value>) -> Result<Value, MjError> + Send + Sync + 'static {
    move |_args| Err(type_error(format!("the {name} filter is not supported")))
}

// --- tests ---

fn t_callable(value: &Value) -> bool {
    match value.kind() {
        // jinja2's undefined objects have `__call__`.
        ValueKind::Undefined => true,
        ValueKind::Map => map_kind(value) == MapKind::Macro,
        ValueKind::Plain => {
            value.downcast_object_ref::<PyBigInt>().is_none()
                && value.downcast_object_ref::<TemplateRef>().is_none()
                && value.downcast_object_ref::<Cycler>().is_none()
                && value.downcast_object_ref::<NoDefault>().is_none()
        }
        _ => false,
    }
}

fn t_number(value: &Value) -> bool {
    to_num(value).is_some()
}

fn t_integer(value: &Value) -> bool {
    value.kind() != ValueKind::Bool && matches!(to_num(value), Some(Num::Int(_)))
}

fn t_float(value: &Value) -> bool {
    matches!(to_num(value), Some(Num::Float(_))) && value.kind() != ValueKind::Bool
}

fn t_sequence(value: &Value) -> bool {
    matches!(
        value.kind(),
        ValueKind::String | ValueKind::Seq | ValueKind::Map
    )
}

fn t_iterable(state: &State<'_, '_>, value: &Value) -> Result<bool, MjError> {
    check_defined(state, value)?;
    Ok(matches!(
        value.kind(),
        ValueKind::String | ValueKind::Seq | ValueKind::Map | ValueKind::Iterable
    ))
}

fn t_true(value: &Value) -> bool {
    value.kind() == ValueKind::Bool && value.is_true()
}

fn t_false(value: &Value) -> bool {
    value.kind() == ValueKind::Bool && !value.is_true()
}

fn t_lower(state: &State<'_, '_>, value: &Value) -> Result<bool, MjError> {
    let s = soft_str(state, value)?;
    Ok(s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase))
}

fn t_upper(state: &State<'_, '_>, value: &Value) -> Result<bool, MjError> {
    let s = soft_str(state, value)?;
    Ok(s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase))
}

fn t_divisibleby(state: &State<'_, '_>, value: &Value, num: &Value) -> Result<bool, MjError> {
    check_defined(state, value)?;
    let r = py_binop("%", value, num)?;
    py_compare(state, "==", &r, &Value::from(0))
}

fn t_odd(state: &State<'_, '_>, value: &Value) -> Result<bool, MjError> {
    check_defined(state, value)?;
    let r = py_binop("%", value, &Value::from(2))?;
    py_compare(state, "==", &r, &Value::from(1))
}

fn t_even(state: &State<'_, '_>, value: &Value) -> Result<bool, MjError> {
    check_defined(state, value)?;
    let r = py_binop("%", value, &Value::from(2))?;
    py_compare(state, "==", &r, &Value::from(0))
}

fn cmp_test(
    op: &'static str,
) -> impl Fn(&State<'_, '_>, &Value, &Value) -> Result<bool, MjError> + Send + Sync + 'static {
    move |state, a, b| {
        check_defined(state, a)?;
        check_defined(state, b)?;
        py_compare(state, op, a, b)
    }
}

fn t_in(state: &State<'_, '_>, value: &Value, seq: &Value) -> Result<bool, MjError> {
    py_in(state, value, seq)
}

fn t_is_filter(value: &Value) -> Result<bool, MjError> {
    check_any_defined(value)?;
    Ok(value.as_str().is_some_and(|n| JINJA_FILTERS.contains(&n)))
}

fn t_is_test(value: &Value) -> Result<bool, MjError> {
    check_any_defined(value)?;
    Ok(value.as_str().is_some_and(|n| JINJA_TESTS.contains(&n)))
}

// --- methods ---

fn method_str(s: &str, name: &str, args: Vec<Value>) -> Result<Value, MjError> {
    let b = |params: &[&str]| bind(args.clone(), name, params);
    let opt_str = |v: Option<&Value>| -> Result<Option<String>, MjError> {
        match v {
            Some(v) if !v.is_none() => {
                if !is_str(v) {
                    return Err(type_error(format!(
                        "TypeError: must be str or None, not {}",
                        py_type(v)
                    )));
                }
                Ok(Some(v.as_str().unwrap_or("").to_owned()))
            }
            _ => Ok(None),
        }
    };
    Ok(match name {
        "upper" => Value::from(s.to_uppercase()),
        "lower" | "casefold" => Value::from(s.to_lowercase()),
        "capitalize" => Value::from(py_capitalize(s)),
        "title" => {
            let mut out = String::with_capacity(s.len());
            let mut prev_cased = false;
            for c in s.chars() {
                if prev_cased {
                    out.extend(c.to_lowercase());
                } else {
                    out.extend(c.to_uppercase());
                }
                prev_cased = c.is_alphabetic();
            }
            Value::from(out)
        }
        "swapcase" => Value::from(
            s.chars()
                .flat_map(|c| -> Vec<char> {
                    if c.is_uppercase() {
                        c.to_lowercase().collect()
                    } else {
                        c.to_uppercase().collect()
                    }
                })
                .collect::<String>(),
        ),
        "strip" | "lstrip" | "rstrip" => {
            let a = b(&["chars"])?;
            let chars = opt_str(arg(&a, 0))?;
            Value::from(py_strip_chars(
                s,
                chars.as_deref(),
                name != "rstrip",
                name != "lstrip",
            ))
        }
        "split" | "rsplit" => {
            let a = b(&["sep", "maxsplit"])?;
            let sep = opt_str(arg(&a, 0))?;
            let maxsplit = arg_int(&a, 1, -1)?;
            let limit = usize::try_from(maxsplit).ok();
            let parts: Vec<Value> = match sep {
                Some(sep) if sep.is_empty() => {
                    return Err(type_error("ValueError: empty separator"));
                }
                Some(sep) => {
                    let v: Vec<&str> = match (name, limit) {
                        ("split", Some(n)) => s.splitn(n + 1, sep.as_str()).collect(),
                        (_, Some(n)) => {
                            let mut v: Vec<&str> = s.rsplitn(n + 1, sep.as_str()).collect();
                            v.reverse();
                            v
                        }
                        (_, None) => s.split(sep.as_str()).collect(),
                    };
                    v.into_iter().map(Value::from).collect()
                }
                None => {
                    let words: Vec<&str> = s.split(py_isspace).filter(|w| !w.is_empty()).collect();
                    match limit {
                        Some(n) if n < words.len() => {
                            if name == "split" {
                                let mut rest = py_strip_chars(s, None, true, false);
                                let mut out = Vec::new();
                                for _ in 0..n {
                                    let end = rest.find(py_isspace).unwrap_or(rest.len());
                                    out.push(Value::from(rest.get(..end).unwrap_or("")));
                                    rest = py_strip_chars(
                                        rest.get(end..).unwrap_or(""),
                                        None,
                                        true,
                                        false,
                                    );
                                }
                                if !rest.is_empty() {
                                    out.push(Value::from(rest));
                                }
                                out
                            } else {
                                let mut rest = py_strip_chars(s, None, false, true);
                                let mut out = Vec::new();
                                for _ in 0..n {
                                    let start = rest.rfind(py_isspace).map_or(0, |p| {
                                        p + rest
                                            .get(p..)
                                            .and_then(|t| t.chars().next())
                                            .map_or(1, char::len_utf8)
                                    });
                                    out.push(Value::from(rest.get(start..).unwrap_or("")));
                                    rest = py_strip_chars(
                                        rest.get(..start).unwrap_or(""),
                                        None,
                                        false,
                                        true,
                                    );
                                }
                                if !rest.is_empty() {
                                    out.push(Value::from(rest));
                                }
                                out.reverse();
                                out
                            }
                        }
                        _ => words.into_iter().map(Value::from).collect(),
                    }
                }
            };
            Value::from(parts)
        }
        "splitlines" => {
            let a = b(&["keepends"])?;
            Value::from(
                py_splitlines(s, arg_bool(&a, 0))
                    .into_iter()
                    .map(Value::from)
                    .collect::<Vec<_>>(),
            )
        }
        "startswith" | "endswith" => {
            let a = b(&["prefix", "start", "end"])?;
            let prefix = arg_value(&a, 0, "prefix")?;
            let candidates: Vec<String> = match tuple_items(&prefix) {
                Some(items) => items
                    .iter()
                    .map(|v| v.as_str().unwrap_or("").to_owned())
                    .collect(),
                None if is_str(&prefix) => vec![prefix.as_str().unwrap_or("").to_owned()],
                None => {
                    return Err(type_error(format!(
                        "TypeError: {name} first arg must be str or a tuple of str, not {}",
                        py_type(&prefix)
                    )));
                }
            };
            let chars: Vec<char> = s.chars().collect();
            let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
            let norm = |i: i64| -> usize {
                usize::try_from(if i < 0 { (i + len).max(0) } else { i.min(len) }).unwrap_or(0)
            };
            let start = norm(arg_int(&a, 1, 0)?);
            let end = norm(arg_int(&a, 2, len)?);
            let sub: String = if start <= end {
                chars.get(start..end).unwrap_or(&[]).iter().collect()
            } else {
                String::new()
            };
            let ok = if start > end {
                false
            } else if name == "startswith" {
                candidates.iter().any(|p| sub.starts_with(p.as_str()))
            } else {
                candidates.iter().any(|p| sub.ends_with(p.as_str()))
            };
            Value::from(ok)
        }
        "replace" => {
            let a = b(&["old", "new", "count"])?;
            let old = arg_value(&a, 0, "old")?;
            let new = arg_value(&a, 1, "new")?;
            let (Some(old), Some(new)) = (old.as_str(), new.as_str()) else {
                return Err(type_error("TypeError: replace() argument must be str"));
            };
            Value::from(py_replace(s, old, new, arg_int(&a, 2, -1)?)?)
        }
        "find" | "rfind" | "index" | "rindex" | "count" => {
            let a = b(&["sub"])?;
            let sub = arg_value(&a, 0, "sub")?;
            let Some(sub) = sub.as_str() else {
                return Err(type_error("TypeError: must be str"));
            };
            if name == "count" {
                if sub.is_empty() {
                    return Ok(Value::from(s.chars().count() + 1));
                }
                return Ok(Value::from(s.matches(sub).count()));
            }
            let found = if name.contains('r') && name != "replace" {
                s.rfind(sub)
            } else {
                s.find(sub)
            };
            match found {
                Some(byte) => Value::from(s.get(..byte).map_or(0, |p| p.chars().count())),
                None if name.starts_with('f') || name.starts_with("rf") => Value::from(-1),
                None => return Err(type_error("ValueError: substring not found")),
            }
        }
        "join" => {
            let a = b(&["iterable"])?;
            let items = arg_value(&a, 0, "iterable")?;
            let mut parts = Vec::new();
            for item in items.try_iter()? {
                match item.as_str() {
                    Some(p) => parts.push(p.to_owned()),
                    None => {
                        return Err(type_error(format!(
                            "TypeError: sequence item {}: expected str instance, {} found",
                            parts.len(),
                            py_type(&item)
                        )));
                    }
                }
            }
            Value::from(parts.join(s))
        }
        "isdigit" | "isdecimal" | "isnumeric" => {
            Value::from(!s.is_empty() && s.chars().all(char::is_numeric))
        }
        "isalpha" => Value::from(!s.is_empty() && s.chars().all(char::is_alphabetic)),
        "isalnum" => Value::from(!s.is_empty() && s.chars().all(char::is_alphanumeric)),
        "isspace" => Value::from(!s.is_empty() && s.chars().all(py_isspace)),
        "islower" => {
            Value::from(s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase))
        }
        "isupper" => {
            Value::from(s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase))
        }
        "center" | "ljust" | "rjust" | "zfill" => {
            let a = b(&["width", "fillchar"])?;
            let width = usize::try_from(arg_int(&a, 0, 0)?)
                .unwrap_or(0)
                .min(memor_template::MAX_WIDTH);
            let fill = match arg(&a, 1) {
                Some(f) => f
                    .as_str()
                    .and_then(|f| {
                        let mut it = f.chars();
                        match (it.next(), it.next()) {
                            (Some(c), None) => Some(c),
                            _ => None,
                        }
                    })
                    .ok_or_else(|| {
                        type_error(
                            "TypeError: The fill character must be exactly one character long",
                        )
                    })?,
                None => {
                    if name == "zfill" {
                        '0'
                    } else {
                        ' '
                    }
                }
            };
            let len = s.chars().count();
            if len >= width {
                return Ok(Value::from(s));
            }
            let total = width - len;
            let fill_n = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
            Value::from(match name {
                "ljust" => format!("{s}{}", fill_n(total)),
                "rjust" => format!("{}{s}", fill_n(total)),
                "zfill" => {
                    let (sign, digits) = match s.strip_prefix(['+', '-']) {
                        Some(rest) => (s.get(..1).unwrap_or(""), rest),
                        None => ("", s),
                    };
                    format!("{sign}{}{digits}", fill_n(total))
                }
                _ => {
                    let left = total / 2 + (total & width & 1);
                    format!("{}{s}{}", fill_n(left), fill_n(total - left))
                }
            })
        }
        "partition" | "rpartition" => {
            let a = b(&["sep"])?;
            let sep = arg_value(&a, 0, "sep")?;
            let sep = sep.as_str().unwrap_or("");
            if sep.is_empty() {
                return Err(type_error("ValueError: empty separator"));
            }
            let found = if name == "partition" {
                s.find(sep)
            } else {
                s.rfind(sep)
            };
            let parts = match found {
                Some(i) => vec![
                    s.get(..i).unwrap_or(""),
                    sep,
                    s.get(i + sep.len()..).unwrap_or(""),
                ],
                None if name == "partition" => vec![s, "", ""],
                None => vec!["", "", s],
            };
            Value::from_object(PyTuple(parts.into_iter().map(Value::from).collect()))
        }
        "removeprefix" | "removesuffix" => {
            let a = b(&["affix"])?;
            let affix = arg_value(&a, 0, "affix")?;
            let affix = affix.as_str().unwrap_or("");
            let out = if name == "removeprefix" {
                s.strip_prefix(affix)
            } else {
                s.strip_suffix(affix)
            };
            Value::from(out.unwrap_or(s))
        }
        "format" => {
            let a = split_args(args);
            if !a.pos.is_empty() {
                return Err(type_error(
                    "positional str.format arguments are not supported",
                ));
            }
            let mut ctx = PyDict::new();
            for (k, v) in a.kw {
                ctx.insert(k, to_pyvalue(&v, 0)?);
            }
            Value::from(memor_template::format(s, &ctx).map_err(|e| type_error(e.to_string()))?)
        }
        _ => return Err(MjError::from(MjKind::UnknownMethod)),
    })
}

fn method_dict(value: &Value, name: &str, args: Vec<Value>) -> Result<Value, MjError> {
    Ok(match name {
        "items" => {
            bind(args, name, &[])?;
            Value::from_object(PyView {
                name: "dict_items",
                items: dict_items(value)?,
            })
        }
        "keys" => {
            bind(args, name, &[])?;
            Value::from_object(PyView {
                name: "dict_keys",
                items: value.try_iter()?.collect(),
            })
        }
        "values" => {
            bind(args, name, &[])?;
            let mut out = Vec::new();
            for key in value.try_iter()? {
                out.push(value.get_item(&key)?);
            }
            Value::from_object(PyView {
                name: "dict_values",
                items: out,
            })
        }
        "get" => {
            let b = bind(args, name, &["key", "default"])?;
            let key = arg_value(&b, 0, "key")?;
            dict_get(value, &key).unwrap_or_else(|| arg(&b, 1).cloned().unwrap_or(Value::from(())))
        }
        "copy" => {
            bind(args, name, &[])?;
            let mut pairs = Vec::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                pairs.push((key, item));
            }
            Value::from_iter(pairs)
        }
        _ => return Err(MjError::from(MjKind::UnknownMethod)),
    })
}

fn method_list(value: &Value, name: &str, args: Vec<Value>) -> Result<Value, MjError> {
    let items: Vec<Value> = value.try_iter()?.collect();
    Ok(match name {
        "count" => {
            let b = bind(args, name, &["value"])?;
            let x = arg_value(&b, 0, "value")?;
            let mut count = 0;
            for i in &items {
                if py_eq(i, &x, 0)? {
                    count += 1;
                }
            }
            Value::from(count)
        }
        "index" => {
            let b = bind(args, name, &["value"])?;
            let x = arg_value(&b, 0, "value")?;
            let mut found = None;
            for (n, i) in items.iter().enumerate() {
                if py_eq(i, &x, 0)? {
                    found = Some(n);
                    break;
                }
            }
            match found {
                Some(i) => Value::from(i),
                None => return Err(type_error("ValueError: value is not in list")),
            }
        }
        "copy" if tuple_items(value).is_none() => {
            bind(args, name, &[])?;
            Value::from(items)
        }
        _ => return Err(MjError::from(MjKind::UnknownMethod)),
    })
}

fn py_method(
    state: &State<'_, '_>,
    value: &Value,
    name: &str,
    args: &[Value],
) -> Result<Value, MjError> {
    check_defined(state, value)?;
    for a in args {
        check_defined(state, a)?;
    }
    let args = args.to_vec();
    let result = match value.kind() {
        ValueKind::String => method_str(value.as_str().unwrap_or(""), name, args),
        ValueKind::Map => method_dict(value, name, args),
        ValueKind::Seq => method_list(value, name, args),
        _ => Err(MjError::from(MjKind::UnknownMethod)),
    };
    match result {
        Err(err) if err.kind() == MjKind::UnknownMethod && is_py_method(value, name) => {
            Err(type_error(format!(
                "the {}.{name}() method is not supported",
                py_type(value)
            )))
        }
        other => other,
    }
}

// =============================================================================================
// The environment.

static ENV: LazyLock<Environment<'static>> = LazyLock::new(build_env);

fn helper(name: &str) -> String {
    format!("{HELPER}{name}")
}

fn build_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // The reader already dropped the trailing newline and applied whitespace control.
    env.set_keep_trailing_newline(true);
    env.set_recursion_limit(120);
    env.set_formatter(|out, state, value| {
        if value.is_undefined() {
            return Ok(());
        }
        let text = py_str(value)?;
        let text = if state.auto_escape() == AutoEscape::None || value.is_safe() {
            text
        } else {
            html_escape(&text)
        };
        out.write_str(&text).map_err(MjError::from)
    });
    env.set_unknown_method_callback(py_method);

    env.add_function(helper("tuple"), |args: Rest<Value>| {
        Value::from_object(PyTuple(args.0))
    });
    env.add_function(
        helper("concat"),
        |state: &State<'_, '_>, args: Rest<Value>| -> Result<Value, MjError> {
            let mut out = String::new();
            for value in &args.0 {
                check_defined(state, value)?;
                if !value.is_undefined() {
                    write_py(&mut out, value, false, 0)?;
                }
                if out.len() > MAX_STR_LEN {
                    return Err(type_error("MemoryError"));
                }
            }
            Ok(Value::from(out))
        },
    );
    env.add_function(helper("op"), |op: &str, a: &Value, b: &Value| {
        py_binop(op, a, b)
    });
    env.add_function(
        helper("cmp"),
        |state: &State<'_, '_>, op: &str, a: &Value, b: &Value| py_compare(state, op, a, b),
    );
    env.add_function(
        helper("in"),
        |state: &State<'_, '_>, a: &Value, b: &Value| py_in(state, a, b),
    );
    env.add_function(helper("id"), |a: Value| a);
    env.add_function(helper("last"), |args: Rest<Value>| {
        args.0.last().cloned().unwrap_or_default()
    });
    env.add_function(
        helper("namespace_check"),
        |value: &Value| -> Result<Value, MjError> {
            // minijinja's namespace type is private: it is the map that is not a dict.
            let dict = value
                .downcast_object_ref::<indexmap::IndexMap<Value, Value>>()
                .is_some();
            if value.kind() == ValueKind::Map && !dict {
                Ok(Value::from(()))
            } else {
                Err(type_error(
                    "TemplateRuntimeError: cannot assign attribute on non-namespace object",
                ))
            }
        },
    );
    env.add_function(
        helper("getattr"),
        |value: &Value, name: &str| -> Result<Value, MjError> {
            if is_py_method(value, name) {
                return Ok(Value::from_object(BoundMethod {
                    receiver: value.clone(),
                    name: name.to_owned(),
                }));
            }
            value.get_attr(name)
        },
    );
    env.add_global(helper("self"), Value::from_object(TemplateRef));
    env.add_global("range", Value::from_object(RangeType));
    env.add_function(
        helper("unpack"),
        |state: &State<'_, '_>, value: Value, n: usize| -> Result<Value, MjError> {
            let items = py_iter(state, &value)?;
            for item in &items {
                check_defined(state, item)?;
                let got = match item.kind() {
                    ValueKind::Undefined => 0,
                    ValueKind::String | ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => {
                        generator_error(item)?;
                        item.try_iter()?.count()
                    }
                    _ => {
                        return Err(type_error(format!(
                            "TypeError: cannot unpack non-iterable {} object",
                            py_type(item)
                        )));
                    }
                };
                if got > n {
                    return Err(type_error(format!(
                        "ValueError: too many values to unpack (expected {n})"
                    )));
                }
                if got < n {
                    return Err(type_error(format!(
                        "ValueError: not enough values to unpack (expected {n}, got {got})"
                    )));
                }
            }
            Ok(Value::from(items))
        },
    );
    env.add_function(
        helper("cycle"),
        |state: &State<'_, '_>, args: Rest<Value>| -> Result<Value, MjError> {
            let mut args = args.0;
            if args.len() < 2 {
                return Err(type_error("TypeError: no items for cycling given"));
            }
            let target = args.remove(0);
            target.call_method(state, "cycle", &args)
        },
    );
    env.add_function(
        helper("slice"),
        |state: &State<'_, '_>, v: &Value, a: &Value, b: &Value, c: &Value| {
            py_slice(state, v, a, b, c)
        },
    );
    // jinja2 joins the output only once the template has run: a filter block that gives
    // something other than a string fails then, unless something failed before.
    env.add_filter(
        helper("block_result"),
        |state: &State<'_, '_>, value: Value| -> Value {
            if is_str(&value) {
                value
            } else {
                if state.get_temp(NON_STR_OUTPUT).is_none() {
                    state.set_temp(NON_STR_OUTPUT, Value::from(py_type(&value)));
                    state.set_temp(NON_STR_LEVEL, buffer_depth(state));
                }
                Value::from("")
            }
        },
    );
    env.add_function(helper("push_buffer"), |state: &State<'_, '_>| {
        let depth = buffer_depth(state).as_i64().unwrap_or(0);
        state.set_temp(BUFFER_DEPTH, Value::from(depth + 1));
        Value::from("")
    });
    env.add_function(
        helper("pop_buffer"),
        |state: &State<'_, '_>| -> Result<Value, MjError> {
            let depth = buffer_depth(state);
            if state.get_temp(NON_STR_LEVEL).is_some_and(|l| l == depth) {
                return Err(non_str_error(state));
            }
            state.set_temp(BUFFER_DEPTH, Value::from(depth.as_i64().unwrap_or(1) - 1));
            Ok(Value::from(""))
        },
    );
    env.add_function(
        helper("iter"),
        |state: &State<'_, '_>, value: Value| -> Result<Value, MjError> {
            check_defined(state, &value)?;
            generator_error(&value)?;
            match value.kind() {
                // Strings and one-shot iterables become lists, so that `loop.length` is known.
                ValueKind::String | ValueKind::Iterable => {
                    Ok(Value::from(value.try_iter()?.collect::<Vec<_>>()))
                }
                ValueKind::Map if !is_dict(&value) => Err(type_error(format!(
                    "TypeError: '{}' object is not iterable",
                    py_type(&value)
                ))),
                ValueKind::Seq | ValueKind::Map | ValueKind::Undefined => Ok(value),
                _ => Err(type_error(format!(
                    "TypeError: '{}' object is not iterable",
                    py_type(&value)
                ))),
            }
        },
    );
    env.add_function("lipsum", |_args: Rest<Value>| -> Result<Value, MjError> {
        Err(type_error("lipsum() is not supported"))
    });
    env.add_filter("groupby", f_groupby);
    env.add_global(helper("undefined"), Value::UNDEFINED);
    env.add_global(helper("nodefault"), Value::from_object(NoDefault));
    env.add_test(helper("nodefault"), |value: &Value| {
        value.downcast_object_ref::<NoDefault>().is_some()
    });
    env.add_function(helper("neg"), |a: &Value| py_neg(a));
    env.add_function(helper("pos"), |a: &Value| py_pos(a));
    env.add_function(helper("int"), |digits: &str| {
        int_value(digits.parse::<BigInt>().unwrap_or_default())
    });
    env.add_function(
        helper("no_loader"),
        |_template: &Value| -> Result<Value, MjError> {
            Err(type_error(
                "TypeError: no loader for this environment specified",
            ))
        },
    );
    env.add_function(helper("no_test"), |name: &str| -> Result<Value, MjError> {
        Err(type_error(format!(
            "TemplateRuntimeError: No test named {} found.",
            py_repr(name)
        )))
    });
    env.add_filter(
        helper("no_filter"),
        |args: Rest<Value>| -> Result<Value, MjError> {
            let name = args
                .0
                .last()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            Err(type_error(format!(
                "TemplateRuntimeError: No filter named {} found.",
                py_repr(&name)
            )))
        },
    );
    env.add_function("joiner", |args: Rest<Value>| -> Result<Value, MjError> {
        let b = bind(args.0, "joiner", &["sep"])?;
        let sep = match arg(&b, 0) {
            Some(v) => py_str(v)?,
            None => ", ".to_owned(),
        };
        Ok(Value::from_object(Joiner {
            sep,
            used: Mutex::new(false),
        }))
    });
    env.add_function("cycler", |args: Rest<Value>| {
        Value::from_object(Cycler {
            items: args.0,
            pos: Mutex::new(0),
        })
    });

    env.add_filter("abs", f_abs);
    env.add_filter("attr", f_attr);
    env.add_filter("batch", |state: &State<'_, '_>, args: Rest<Value>| {
        generator("generator object do_batch", f_batch(state, args))
    });
    env.add_filter("capitalize", f_capitalize);
    env.add_filter("center", f_center);
    env.add_filter("count", f_length);
    env.add_filter("length", f_length);
    env.add_filter("d", f_default);
    env.add_filter("default", f_default);
    env.add_filter("dictsort", f_dictsort);
    env.add_filter("e", f_escape);
    env.add_filter("escape", f_escape);
    env.add_filter("filesizeformat", f_filesizeformat);
    env.add_filter("first", f_first);
    env.add_filter("float", f_float);
    env.add_filter("forceescape", f_forceescape);
    env.add_filter("format", f_format);
    env.add_filter("indent", f_indent);
    env.add_filter("int", f_int);
    env.add_filter("items", |value: &Value| {
        generator("generator object do_items", f_items(value))
    });
    env.add_filter("join", f_join);
    env.add_filter("last", f_last);
    env.add_filter("list", f_list);
    env.add_filter("lower", f_lower);
    env.add_filter("max", f_max);
    env.add_filter("min", f_min);
    env.add_filter("pprint", f_pprint);
    env.add_filter("random", f_random);
    env.add_filter("replace", f_replace);
    env.add_filter("reverse", |state: &State<'_, '_>, value: &Value| {
        let result = f_reverse(state, value)?;
        Ok::<Value, MjError>(if is_str(&result) {
            result
        } else {
            generator("list_reverseiterator object", Ok(result))
        })
    });
    env.add_filter("round", f_round);
    env.add_filter("safe", f_safe);
    env.add_filter("slice", |state: &State<'_, '_>, args: Rest<Value>| {
        generator("generator object sync_do_slice", f_slice(state, args))
    });
    env.add_filter("sort", f_sort);
    env.add_filter("string", f_string);
    env.add_filter("striptags", f_striptags);
    env.add_filter("sum", f_sum);
    env.add_filter("title", f_title);
    env.add_filter("tojson", f_tojson);
    env.add_filter("trim", f_trim);
    env.add_filter("truncate", f_truncate);
    env.add_filter("unique", |state: &State<'_, '_>, args: Rest<Value>| {
        generator("generator object sync_do_unique", f_unique(state, args))
    });
    env.add_filter("map", |state: &State<'_, '_>, args: Rest<Value>| {
        let mut args = args.0;
        let result = if args.is_empty() {
            Err(type_error(
                "TypeError: sync_do_map() missing 1 required positional argument",
            ))
        } else {
            let value = args.remove(0);
            // jinja2 maps nothing over a false value.
            match check_defined(state, &value) {
                Err(err) => Err(err),
                Ok(()) if !value.is_true() => Ok(Value::from(Vec::<Value>::new())),
                Ok(()) => minijinja::filters::map(state, value, Rest(args)).map(Value::from),
            }
        };
        generator("generator object sync_do_map", result)
    });
    for (name, reject, attr) in [
        ("select", false, false),
        ("reject", true, false),
        ("selectattr", false, true),
        ("rejectattr", true, true),
    ] {
        env.add_filter(name, move |state: &State<'_, '_>, args: Rest<Value>| {
            generator(
                "generator object select_or_reject",
                select_or_reject(state, args.0, reject, attr),
            )
        });
    }
    env.add_filter("upper", f_upper);
    env.add_filter("urlencode", f_urlencode);
    env.add_filter("urlize", f_unsupported("urlize"));
    env.add_filter("wordcount", f_wordcount);
    env.add_filter("wordwrap", f_wordwrap);
    env.add_filter("xmlattr", f_xmlattr);

    env.add_test("callable", t_callable);
    env.add_test("mapping", |value: &Value| is_dict(value));
    env.add_test("number", t_number);
    env.add_test("integer", t_integer);
    env.add_test("float", t_float);
    env.add_test("sequence", t_sequence);
    env.add_test("iterable", t_iterable);
    env.add_test("true", t_true);
    env.add_test("false", t_false);
    env.add_test("lower", t_lower);
    env.add_test("upper", t_upper);
    env.add_test("divisibleby", t_divisibleby);
    env.add_test("odd", t_odd);
    env.add_test("even", t_even);
    for (names, op) in [
        (&["eq", "equalto", "=="][..], "=="),
        (&["ne", "!="][..], "!="),
        (&["lt", "lessthan", "<"][..], "<"),
        (&["le", "<="][..], "<="),
        (&["gt", "greaterthan", ">"][..], ">"),
        (&["ge", ">="][..], ">="),
    ] {
        for name in names {
            env.add_test(*name, cmp_test(op));
        }
    }
    env.add_test("in", t_in);
    env.add_test(helper("is_filter"), t_is_filter);
    env.add_test(helper("is_test"), t_is_test);
    env
}

fn mj_message(err: &MjError) -> String {
    match err.detail() {
        Some(detail) => detail.to_owned(),
        None => err.kind().to_string(),
    }
}

fn from_mj(err: &MjError) -> JinjaError {
    let kind = match err.kind() {
        // Calling something undefined: jinja2 fails on the undefined value.
        MjKind::UndefinedError | MjKind::UnknownFunction | MjKind::UnknownMethod => {
            JinjaErrorKind::Undefined
        }
        _ if err
            .detail()
            .is_some_and(|d| d.contains("value of type undefined")) =>
        {
            JinjaErrorKind::Undefined
        }
        _ => JinjaErrorKind::Render,
    };
    let mut message = mj_message(err);
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        let _ = write!(message, ": {inner}");
        source = inner.source();
    }
    JinjaError::new(kind, message, err.line())
}

/// The render context as a minijinja value (top-level names spelled as the translation does).
fn context_value(context: &PyDict) -> Result<Value, JinjaError> {
    let mut pairs = Vec::with_capacity(context.len());
    for (key, value) in context.iter() {
        pairs.push((Value::from(mangle_key(key)), to_value(value, 1)?));
    }
    Ok(Value::from_iter(pairs))
}

fn too_deep() -> JinjaError {
    JinjaError::new(
        JinjaErrorKind::Render,
        "RecursionError: maximum recursion depth exceeded",
        None,
    )
}

fn to_value(value: &PyValue, depth: usize) -> Result<Value, JinjaError> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(match value {
        PyValue::Null => Value::from(()),
        PyValue::Bool(b) => Value::from(*b),
        PyValue::Number(Number::Int(i)) => Value::from(*i),
        PyValue::Number(Number::BigInt(text)) => {
            int_value(text.parse::<BigInt>().unwrap_or_default())
        }
        PyValue::Number(Number::Float(f)) => Value::from(*f),
        PyValue::Str(s) => Value::from(s.as_str()),
        PyValue::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(to_value(item, depth + 1)?);
            }
            Value::from(out)
        }
        PyValue::Dict(dict) => {
            let mut pairs = Vec::with_capacity(dict.len());
            for (key, item) in dict.iter() {
                pairs.push((Value::from(key.as_str()), to_value(item, depth + 1)?));
            }
            Value::from_iter(pairs)
        }
    })
}

/// A minijinja value as JSON-like data (for `str.format`).
fn to_pyvalue(value: &Value, depth: usize) -> Result<PyValue, MjError> {
    if depth > MAX_DEPTH {
        return Err(type_error(
            "RecursionError: maximum recursion depth exceeded",
        ));
    }
    Ok(match value.kind() {
        ValueKind::None | ValueKind::Undefined => PyValue::Null,
        ValueKind::Bool => PyValue::Bool(value.is_true()),
        ValueKind::Number => match to_num(value) {
            Some(Num::Int(i)) => match i64::try_from(&i) {
                Ok(small) => PyValue::Number(Number::Int(small)),
                Err(_) => PyValue::Number(Number::BigInt(i.to_string().into())),
            },
            Some(Num::Float(f)) => PyValue::Number(Number::Float(f)),
            None => PyValue::Null,
        },
        ValueKind::String => PyValue::Str(value.as_str().unwrap_or("").to_owned()),
        ValueKind::Seq | ValueKind::Iterable => {
            let mut items = Vec::new();
            for item in value.try_iter()? {
                items.push(to_pyvalue(&item, depth + 1)?);
            }
            PyValue::List(crate::json::PyList(items))
        }
        ValueKind::Map => {
            let mut dict = PyDict::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                dict.insert(py_str(&key)?, to_pyvalue(&item, depth + 1)?);
            }
            PyValue::Dict(dict)
        }
        _ => match to_num(value) {
            Some(Num::Int(i)) => PyValue::Number(Number::BigInt(i.to_string().into())),
            _ => PyValue::Str(py_str(value)?),
        },
    })
}
