//! Parsing a template once and rendering it many times.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;

use crate::error::{Error, ErrorKind, Fault, FaultResult};
use crate::format::format_value;
use crate::py::{self, decimal_value, repr_string};
use crate::spec::{RawSpec, SpecError};
use crate::value::{Context, Dict, List, Value};

/// How many levels of nested replacement fields a format spec may hold: CPython's
/// `{a:{b:{c}}}` raises `Max string recursion exceeded`.
const MAX_RECURSION: u32 = 2;

/// A parsed `str.format` template, ready to render many times.
///
/// `Template` is `Send + Sync`: parse it once and share it.
///
/// ```
/// use memor_template::Template;
/// use serde_json::json;
///
/// let t = Template::parse("{instruction}Prompt: {prompt[message]}\nScore: {score:.1%}")?;
/// let ctx = json!({"instruction": "Be brief. ", "prompt": {"message": "Hi"}, "score": 0.875});
/// assert_eq!(t.render(&ctx)?, "Be brief. Prompt: Hi\nScore: 87.5%");
/// assert_eq!(t.variables()?, ["instruction", "prompt", "score"]);
/// # Ok::<(), memor_template::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Template {
    source: Box<str>,
    nodes: Vec<Node>,
}

#[derive(Clone, Debug)]
enum Node {
    /// Text copied as is.
    Literal(Box<str>),
    Field(Box<Field>),
    /// A syntax error CPython raises when it reads this far.
    Error(Error),
}

#[derive(Clone, Debug)]
struct Field {
    /// Offset of the opening `{`.
    offset: usize,
    /// The whole field name, as `string.Formatter().parse` gives it.
    name: Range<usize>,
    first: First,
    accessors: Vec<Accessor>,
    /// An error in the field name after the accessors, raised once they are looked up.
    name_error: Option<Error>,
    conversion: Option<char>,
    spec: SpecPart,
}

#[derive(Clone, Debug)]
enum First {
    Name(Box<str>),
    /// `{}` or `{0}`: there are no positional arguments, so these always fail.
    Positional(u64),
    Error(Error),
}

#[derive(Clone, Debug)]
enum Accessor {
    Attr(Box<str>),
    Key(Box<str>),
    Index(u64),
}

#[derive(Clone, Debug)]
enum SpecPart {
    Empty,
    Static {
        text: Range<usize>,
        parsed: Result<RawSpec, SpecError>,
    },
    /// A spec with replacement fields, rendered before use.
    Nested(Vec<Node>),
    /// Nested one level too deep.
    TooDeep,
}

impl Template {
    /// Parses `source`, refusing any syntax error.
    ///
    /// Refused: single braces, malformed fields (`{a[}`, `{a.}`, `{a!x:}`...), unknown
    /// conversions and specs nested too deeply. Errors that depend on the values (missing
    /// names, type mismatches, bad format specs for the value's type) come from
    /// [`render`](Self::render).
    ///
    /// # Errors
    /// The first syntax error, with CPython's message and its byte offset.
    pub fn parse(source: &str) -> Result<Template, Error> {
        let template = Template::parse_lenient(source);
        match first_syntax_error(&template.nodes) {
            Some(e) => Err(e),
            None => Ok(template),
        }
    }

    /// Parses `source` without failing: syntax errors are kept and raised by
    /// [`render`](Self::render) at the point CPython meets them, so that rendering behaves
    /// exactly like `source.format(**context)`, where `{missing}}` is a `KeyError` (the field
    /// is looked up before the stray `}` is read).
    pub fn parse_lenient(source: &str) -> Template {
        let nodes = parse_nodes(source, 0, source.len(), MAX_RECURSION);
        Template {
            source: source.into(),
            nodes,
        }
    }

    /// The template text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders the template with the names of `context`: `source.format(**context)`.
    ///
    /// # Errors
    /// What CPython would raise, as an [`Error`] of the same kind with its message.
    pub fn render<C: Context + ?Sized>(&self, context: &C) -> Result<String, Error> {
        let mut out = String::with_capacity(self.source.len() + 64);
        self.render_into(&mut out, context)?;
        Ok(out)
    }

    /// Renders the template, appending to `out`. On error, `out` holds a partial render.
    ///
    /// # Errors
    /// As [`render`](Self::render).
    pub fn render_into<C: Context + ?Sized>(
        &self,
        out: &mut String,
        context: &C,
    ) -> Result<(), Error> {
        self.render_nodes(&self.nodes, context, out)
    }

    /// The top-level names the template uses, sorted and without duplicates, as memor's
    /// `PromptTemplate.variables`: each field name up to its first `[` (so `prompt.message`
    /// stays whole), skipping `{}`; fields inside format specs are not counted.
    ///
    /// # Errors
    /// A syntax error at the top level, as `string.Formatter().parse` raises it.
    pub fn variables(&self) -> Result<Vec<String>, Error> {
        let mut names = BTreeSet::new();
        for node in &self.nodes {
            match node {
                Node::Error(e) => return Err(e.clone()),
                Node::Field(f) => {
                    let name = self.text(&f.name);
                    if !name.is_empty() {
                        let top = name.split('[').next().unwrap_or(name);
                        names.insert(top);
                    }
                }
                Node::Literal(_) => {}
            }
        }
        Ok(names.into_iter().map(str::to_owned).collect())
    }

    /// The [`variables`](Self::variables) that `context` does not define.
    ///
    /// # Errors
    /// As [`variables`](Self::variables).
    pub fn missing_variables<C: Context + ?Sized>(
        &self,
        context: &C,
    ) -> Result<Vec<String>, Error> {
        let mut vars = self.variables()?;
        vars.retain(|v| context.get(v).is_none());
        Ok(vars)
    }

    fn text(&self, range: &Range<usize>) -> &str {
        self.source.get(range.clone()).unwrap_or_default()
    }

    fn render_nodes<C: Context + ?Sized>(
        &self,
        nodes: &[Node],
        context: &C,
        out: &mut String,
    ) -> Result<(), Error> {
        for node in nodes {
            match node {
                Node::Literal(text) => out.push_str(text),
                Node::Field(field) => self.render_field(field, context, out)?,
                Node::Error(e) => return Err(e.clone()),
            }
        }
        Ok(())
    }

    fn render_field<C: Context + ?Sized>(
        &self,
        f: &Field,
        context: &C,
        out: &mut String,
    ) -> Result<(), Error> {
        let value = match &f.first {
            First::Name(name) => context
                .get(name)
                .ok_or_else(|| Error::new(ErrorKind::Key, f.offset, repr_string(name)))?,
            First::Positional(index) => {
                return Err(Error::new(
                    ErrorKind::Index,
                    f.offset,
                    format!("Replacement index {index} out of range for positional args tuple"),
                ));
            }
            First::Error(e) => return Err(e.clone()),
        };
        self.resolve(f, value, &f.accessors, context, out, 0)
    }

    /// Follows the accessors from `value`, then converts and formats the result. A step into a
    /// boxed view keeps the view alive on this frame and continues one call deeper; every
    /// other step continues in the loop.
    fn resolve<C: Context + ?Sized>(
        &self,
        f: &Field,
        mut value: Value<'_>,
        mut accessors: &[Accessor],
        context: &C,
        out: &mut String,
        boxed_depth: usize,
    ) -> Result<(), Error> {
        let at = |fault: Fault| fault.at(f.offset);
        while let Some((accessor, rest)) = accessors.split_first() {
            // The common step first: `[key]` on a borrowed dict.
            if let (Value::Dict(d), Accessor::Key(key)) = (&value, accessor)
                && let Some(dict) = d.as_borrowed()
            {
                value = dict
                    .get(key)
                    .ok_or_else(|| Error::new(ErrorKind::Key, f.offset, repr_string(key)))?;
                accessors = rest;
                continue;
            }
            match access(value, accessor).map_err(at)? {
                Step::Value(next) => value = next,
                Step::Boxed(parent) => {
                    if boxed_depth >= crate::MAX_BOXED_CHAIN {
                        return Err(at(Fault::new(
                            ErrorKind::Recursion,
                            "too many boxed views in one field",
                        )));
                    }
                    let child = access_boxed(&parent, accessor).map_err(at)?;
                    return self.resolve(f, child, rest, context, out, boxed_depth + 1);
                }
            }
            accessors = rest;
        }
        self.finish(f, value, context, out)
    }

    /// Conversion and format spec, once the value is found.
    fn finish<C: Context + ?Sized>(
        &self,
        f: &Field,
        mut value: Value<'_>,
        context: &C,
        out: &mut String,
    ) -> Result<(), Error> {
        let at = |fault: Fault| fault.at(f.offset);
        if let Some(e) = &f.name_error {
            return Err(e.clone());
        }
        // The common case: a string printed as it is.
        if let (None, SpecPart::Empty, Value::Str(s)) = (f.conversion, &f.spec, &value) {
            out.push_str(s);
            return Ok(());
        }
        if let Some(conversion) = f.conversion {
            let mut converted = String::new();
            match conversion {
                's' => py::str_into(&mut converted, &value),
                'r' => py::repr_into(&mut converted, &value, false),
                'a' => py::repr_into(&mut converted, &value, true),
                other => Err(unknown_conversion(other)),
            }
            .map_err(at)?;
            value = Value::Str(Cow::Owned(converted));
        }
        match &f.spec {
            SpecPart::Empty => py::str_into(out, &value).map_err(at),
            SpecPart::Static { text, parsed } => {
                format_value(out, &value, self.text(text), Some(parsed)).map_err(at)
            }
            SpecPart::Nested(nodes) => {
                let mut spec = String::new();
                self.render_nodes(nodes, context, &mut spec)?;
                let parsed = (!spec.is_empty()).then(|| RawSpec::parse(&spec));
                format_value(out, &value, &spec, parsed.as_ref()).map_err(at)
            }
            SpecPart::TooDeep => Err(at(Fault::value("Max string recursion exceeded"))),
        }
    }
}

/// One `.attr`, `[key]` or `[index]` step, as CPython's `getattr`/`getitem` on JSON
/// values. A boxed container is handed back for [`access_boxed`].
fn access<'v>(value: Value<'v>, accessor: &Accessor) -> FaultResult<Step<'v>> {
    let next = match (&value, accessor) {
        (Value::Dict(d), Accessor::Key(_) | Accessor::Index(_)) => match d.as_borrowed() {
            Some(dict) => item(Container::Dict(dict), accessor)?,
            None => return Ok(Step::Boxed(value)),
        },
        (Value::List(l), Accessor::Index(_)) => match l.as_borrowed() {
            Some(list) => item(Container::List(list), accessor)?,
            None => return Ok(Step::Boxed(value)),
        },
        (Value::Str(s), Accessor::Index(index)) => {
            let i = usize::try_from(*index).unwrap_or(usize::MAX);
            char_at(s, i)
                .ok_or_else(|| Fault::new(ErrorKind::Index, "string index out of range"))?
        }
        (_, Accessor::Attr(name)) => get_attr(value, name)?,
        (_, _) => return Err(not_subscriptable(&value, accessor)),
    };
    Ok(Step::Value(next))
}

/// A step into a boxed container: the result borrows from it.
fn access_boxed<'p>(parent: &'p Value<'_>, accessor: &Accessor) -> FaultResult<Value<'p>> {
    match parent {
        Value::Dict(d) => item(Container::Dict(d.as_dict()), accessor),
        Value::List(l) => item(Container::List(l.as_list()), accessor),
        other => Err(not_subscriptable(other, accessor)),
    }
}

fn item<'c>(container: Container<'c, '_>, accessor: &Accessor) -> FaultResult<Value<'c>> {
    match (container, accessor) {
        (Container::Dict(d), Accessor::Key(key)) => d
            .get(key)
            .ok_or_else(|| Fault::new(ErrorKind::Key, repr_string(key))),
        (Container::Dict(_), Accessor::Index(index)) => {
            Err(Fault::new(ErrorKind::Key, index.to_string()))
        }
        (Container::List(l), Accessor::Index(index)) => {
            let i = usize::try_from(*index).unwrap_or(usize::MAX);
            l.get(i)
                .ok_or_else(|| Fault::new(ErrorKind::Index, "list index out of range"))
        }
        (Container::List(_), Accessor::Key(_)) => Err(Fault::new(
            ErrorKind::Type,
            "list indices must be integers or slices, not str",
        )),
        (Container::Dict(_), Accessor::Attr(name)) => Err(no_attribute("dict", name)),
        (Container::List(_), Accessor::Attr(name)) => Err(no_attribute("list", name)),
    }
}

/// The result of one lookup step.
enum Step<'v> {
    Value(Value<'v>),
    /// A boxed container to step into while it is kept alive.
    Boxed(Value<'v>),
}

#[derive(Clone, Copy)]
enum Container<'c, 'd> {
    Dict(&'c (dyn Dict + 'd)),
    List(&'c (dyn List + 'd)),
}

fn not_subscriptable(value: &Value<'_>, accessor: &Accessor) -> Fault {
    match (value, accessor) {
        (Value::List(_), _) => Fault::new(
            ErrorKind::Type,
            "list indices must be integers or slices, not str",
        ),
        (Value::Str(_), _) => Fault::new(
            ErrorKind::Type,
            "string indices must be integers, not 'str'",
        ),
        (other, _) => Fault::new(
            ErrorKind::Type,
            format!("'{}' object is not subscriptable", other.type_name()),
        ),
    }
}

/// The `i`-th code point of a string, borrowing when the string is borrowed.
fn char_at<'a>(s: &Cow<'a, str>, i: usize) -> Option<Value<'a>> {
    let (start, c) = s.char_indices().nth(i)?;
    Some(Value::Str(match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(start..start + c.len_utf8())?),
        Cow::Owned(_) => Cow::Owned(c.to_string()),
    }))
}

/// The numeric attributes Python's `int`, `bool` and `float` have; anything else is an
/// `AttributeError` (methods cannot be printed reproducibly and are not offered).
fn get_attr<'a>(value: Value<'a>, name: &str) -> FaultResult<Value<'a>> {
    match (&value, name) {
        // `True.real` is the int 1.
        (Value::Bool(b), "real" | "numerator") => Ok(Value::Int(i64::from(*b))),
        (Value::Int(_) | Value::BigInt(_), "real" | "numerator") | (Value::Float(_), "real") => {
            Ok(value)
        }
        (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), "imag") => Ok(Value::Int(0)),
        (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), "denominator") => Ok(Value::Int(1)),
        (Value::Float(_), "imag") => Ok(Value::Float(0.0)),
        _ => Err(no_attribute(value.type_name(), name)),
    }
}

fn no_attribute(type_name: &str, name: &str) -> Fault {
    Fault::new(
        ErrorKind::Attribute,
        format!("'{type_name}' object has no attribute '{name}'"),
    )
}

fn unknown_conversion(c: char) -> Fault {
    let cp = c as u32;
    let shown = if cp > 32 && cp < 127 {
        c.to_string()
    } else {
        format!("\\x{cp:x}")
    };
    Fault::value(format!("Unknown conversion specifier {shown}"))
}

fn first_syntax_error(nodes: &[Node]) -> Option<Error> {
    for node in nodes {
        match node {
            Node::Error(e) => return Some(e.clone()),
            Node::Field(f) => {
                if let First::Error(e) = &f.first {
                    return Some(e.clone());
                }
                if let Some(e) = &f.name_error {
                    return Some(e.clone());
                }
                if let Some(c) = f.conversion.filter(|c| !matches!(c, 's' | 'r' | 'a')) {
                    return Some(unknown_conversion(c).at(f.offset));
                }
                match &f.spec {
                    SpecPart::Nested(inner) => {
                        if let Some(e) = first_syntax_error(inner) {
                            return Some(e);
                        }
                    }
                    SpecPart::TooDeep => {
                        return Some(Fault::value("Max string recursion exceeded").at(f.offset));
                    }
                    SpecPart::Empty | SpecPart::Static { .. } => {}
                }
            }
            Node::Literal(_) => {}
        }
    }
    None
}

fn syntax(offset: usize, message: &str) -> Error {
    Error::new(ErrorKind::Value, offset, message)
}

/// CPython's `MarkupIterator` over `src[start..end]`: literals and fields, stopping at the
/// first syntax error (kept as the last node).
fn parse_nodes(src: &str, start: usize, end: usize, depth: u32) -> Vec<Node> {
    let bytes = src.as_bytes();
    let byte = |i: usize| bytes.get(i).copied();
    let mut nodes = Vec::new();
    let push_literal = |nodes: &mut Vec<Node>, range: Range<usize>| {
        if let Some(text) = src.get(range).filter(|t| !t.is_empty()) {
            nodes.push(Node::Literal(text.into()));
        }
    };
    let mut pos = start;
    while pos < end {
        let literal_start = pos;
        let mut brace = None;
        while pos < end {
            let c = byte(pos);
            pos += 1;
            if matches!(c, Some(b'{' | b'}')) {
                brace = c;
                break;
            }
        }
        let next = if pos < end { byte(pos) } else { None };
        match brace {
            None => push_literal(&mut nodes, literal_start..pos),
            Some(b'}') if next != Some(b'}') => {
                nodes.push(Node::Error(syntax(
                    pos - 1,
                    "Single '}' encountered in format string",
                )));
                return nodes;
            }
            Some(b'{') if next.is_none() => {
                nodes.push(Node::Error(syntax(
                    pos - 1,
                    "Single '{' encountered in format string",
                )));
                return nodes;
            }
            Some(c) if next == Some(c) => {
                // An escaped brace: keep the first, skip the second.
                push_literal(&mut nodes, literal_start..pos);
                pos += 1;
            }
            Some(_) => {
                push_literal(&mut nodes, literal_start..pos - 1);
                match parse_field(src, pos, end, depth) {
                    Ok((field, after)) => {
                        nodes.push(Node::Field(Box::new(field)));
                        pos = after;
                    }
                    Err(e) => {
                        nodes.push(Node::Error(e));
                        return nodes;
                    }
                }
            }
        }
    }
    nodes
}

/// CPython's `parse_field`: the field starting after the `{` at `pos - 1`. Returns the field
/// and the offset after its closing `}`.
fn parse_field(src: &str, mut pos: usize, end: usize, depth: u32) -> Result<(Field, usize), Error> {
    let bytes = src.as_bytes();
    let byte = |i: usize| bytes.get(i).copied();
    let open = pos - 1;
    let name_start = pos;
    let mut terminator = None;
    while pos < end {
        let c = byte(pos);
        pos += 1;
        match c {
            Some(b'{') => return Err(syntax(pos - 1, "unexpected '{' in field name")),
            Some(b'[') => {
                while pos < end && byte(pos) != Some(b']') {
                    pos += 1;
                }
            }
            Some(c @ (b'}' | b':' | b'!')) => {
                terminator = Some(c);
                break;
            }
            _ => {}
        }
    }
    let Some(terminator) = terminator else {
        return Err(syntax(open, "expected '}' before end of string"));
    };
    let name = name_start..pos - 1;
    let mut conversion = None;
    if terminator == b'!' {
        let Some(c) = src.get(pos..end).and_then(|s| s.chars().next()) else {
            return Err(syntax(
                open,
                "end of string while looking for conversion specifier",
            ));
        };
        conversion = Some(c);
        pos += c.len_utf8();
        if let Some(c2) = src.get(pos..end).and_then(|s| s.chars().next()) {
            pos += c2.len_utf8();
            if c2 == '}' {
                let field = build_field(src, open, name, conversion, SpecPart::Empty);
                return Ok((field, pos));
            }
            if c2 != ':' {
                return Err(syntax(
                    pos - c2.len_utf8(),
                    "expected ':' after conversion specifier",
                ));
            }
        }
    } else if terminator == b'}' {
        let field = build_field(src, open, name, None, SpecPart::Empty);
        return Ok((field, pos));
    }
    let spec_start = pos;
    let mut count = 1;
    let mut nested = false;
    while pos < end {
        let c = byte(pos);
        pos += 1;
        match c {
            Some(b'{') => {
                nested = true;
                count += 1;
            }
            Some(b'}') => {
                count -= 1;
                if count == 0 {
                    let spec_end = pos - 1;
                    let spec = if nested {
                        if depth <= 1 {
                            SpecPart::TooDeep
                        } else {
                            SpecPart::Nested(parse_nodes(src, spec_start, spec_end, depth - 1))
                        }
                    } else if spec_start == spec_end {
                        SpecPart::Empty
                    } else {
                        let text = src.get(spec_start..spec_end).unwrap_or_default();
                        SpecPart::Static {
                            text: spec_start..spec_end,
                            parsed: RawSpec::parse(text),
                        }
                    };
                    let field = build_field(src, open, name, conversion, spec);
                    return Ok((field, pos));
                }
            }
            _ => {}
        }
    }
    Err(syntax(open, "unmatched '{' in format spec"))
}

/// CPython's `get_integer` on a field name part: `Ok(None)` when it is not all decimal digits
/// (any script), an error when the number does not fit in 63 bits.
fn name_integer(text: &str) -> FaultResult<Option<u64>> {
    if text.is_empty() {
        return Ok(None);
    }
    let mut acc: u64 = 0;
    for c in text.chars() {
        let Some(d) = decimal_value(c) else {
            return Ok(None);
        };
        let d = u64::from(d);
        if acc > (i64::MAX as u64 - d) / 10 {
            return Err(Fault::value("Too many decimal digits in format string"));
        }
        acc = acc * 10 + d;
    }
    Ok(Some(acc))
}

/// Splits a field name into its first part and accessors (CPython's `field_name_split` and
/// `FieldNameIterator`), keeping the first error for when the lookups reach it.
fn build_field(
    src: &str,
    open: usize,
    name: Range<usize>,
    conversion: Option<char>,
    spec: SpecPart,
) -> Field {
    let bytes = src.as_bytes();
    let byte = |i: usize| bytes.get(i).copied();
    let end = name.end;
    let mut pos = name.start;
    while pos < end && !matches!(byte(pos), Some(b'.' | b'[')) {
        pos += 1;
    }
    let first_text = src.get(name.start..pos).unwrap_or_default();
    let first = match name_integer(first_text) {
        Err(fault) => First::Error(fault.at(open)),
        Ok(Some(index)) => First::Positional(index),
        Ok(None) if first_text.is_empty() => First::Positional(0),
        Ok(None) => First::Name(first_text.into()),
    };
    let mut accessors = Vec::new();
    let mut name_error = None;
    while pos < end {
        let c = byte(pos);
        pos += 1;
        let accessor = match c {
            Some(b'.') => {
                let start = pos;
                while pos < end && !matches!(byte(pos), Some(b'.' | b'[')) {
                    pos += 1;
                }
                match src.get(start..pos) {
                    Some(attr) if !attr.is_empty() => Ok(Accessor::Attr(attr.into())),
                    _ => Err(syntax(open, "Empty attribute in format string")),
                }
            }
            Some(b'[') => {
                let start = pos;
                while pos < end && byte(pos) != Some(b']') {
                    pos += 1;
                }
                if pos >= end {
                    Err(syntax(open, "Missing ']' in format string"))
                } else {
                    let key = src.get(start..pos).unwrap_or_default();
                    pos += 1;
                    match name_integer(key) {
                        Err(fault) => Err(fault.at(open)),
                        Ok(Some(index)) => Ok(Accessor::Index(index)),
                        Ok(None) if key.is_empty() => {
                            Err(syntax(open, "Empty attribute in format string"))
                        }
                        Ok(None) => Ok(Accessor::Key(key.into())),
                    }
                }
            }
            _ => Err(syntax(
                open,
                "Only '.' or '[' may follow ']' in format field specifier",
            )),
        };
        match accessor {
            Ok(a) => accessors.push(a),
            Err(e) => {
                name_error = Some(e);
                break;
            }
        }
    }
    Field {
        offset: open,
        name,
        first,
        accessors,
        name_error,
        conversion,
        spec,
    }
}
