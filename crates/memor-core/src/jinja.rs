//! Jinja templates, rendered as memor 1.4 renders them with jinja2 (on minijinja).

use std::fmt;
use std::sync::{Arc, LazyLock};

use minijinja::value::{Object, ObjectRepr, Value, ValueKind};
use minijinja::{
    AutoEscape, Environment, Error as MjError, ErrorKind as MjKind, State, UndefinedBehavior,
};

use crate::json::{Number, PyDict, PyValue};

/// What went wrong with a Jinja template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JinjaErrorKind {
    /// The template does not parse (jinja2's `TemplateSyntaxError`).
    Syntax,
    /// The template reads a variable or attribute that is not there (jinja2's `UndefinedError`).
    Undefined,
    /// Any other failure while rendering (a bad operand, an unknown filter, ...).
    Render,
}

/// An error from [`render`] or [`variables`].
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

    /// The kind of failure.
    pub fn kind(&self) -> JinjaErrorKind {
        self.kind
    }

    /// What went wrong, without the location.
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
            JinjaErrorKind::Syntax => "syntax error",
            JinjaErrorKind::Undefined => "undefined value",
            JinjaErrorKind::Render => "render error",
        };
        write!(f, "{what}: {}", self.message)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        Ok(())
    }
}

impl From<MjError> for JinjaError {
    fn from(err: MjError) -> Self {
        let kind = match err.kind() {
            MjKind::SyntaxError => JinjaErrorKind::Syntax,
            MjKind::UndefinedError => JinjaErrorKind::Undefined,
            _ => JinjaErrorKind::Render,
        };
        let message = match err.detail() {
            Some(detail) => format!("{}: {detail}", err.kind()),
            None => err.kind().to_string(),
        };
        JinjaError::new(kind, message, err.line())
    }
}

/// How deep values may nest, in the context and when printed.
const MAX_DEPTH: usize = 256;

static ENV: LazyLock<Environment<'static>> = LazyLock::new(build_env);

fn build_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_keep_trailing_newline(false);
    env.set_formatter(|out, _state, value| {
        let mut text = String::new();
        write_py(&mut text, value, false, 0)?;
        out.write_str(&text).map_err(MjError::from)
    });
    env
}

/// Renders `source` with `context` as jinja2 does with memor's environment.
pub fn render(source: &str, context: &PyDict) -> Result<String, JinjaError> {
    let ctx = dict_to_value(context, 0)?;
    let template = ENV.template_from_str(source)?;
    Ok(template.render(ctx)?)
}

/// The names `source` reads from its context, sorted.
pub fn variables(source: &str) -> Result<Vec<String>, JinjaError> {
    let template = ENV.template_from_str(source)?;
    let mut names: Vec<String> = template.undeclared_variables(false).into_iter().collect();
    names.sort();
    Ok(names)
}

// ---------------------------------------------------------------------------------------------
// Values

/// An integer beyond 128 bits: kept as its decimal text.
#[derive(Debug)]
struct BigInt(Box<str>);

impl Object for BigInt {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn too_deep() -> JinjaError {
    JinjaError::new(
        JinjaErrorKind::Render,
        "maximum recursion depth exceeded",
        None,
    )
}

fn dict_to_value(dict: &PyDict, depth: usize) -> Result<Value, JinjaError> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let mut pairs = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        pairs.push((Value::from(key.as_str()), to_value(value, depth + 1)?));
    }
    Ok(Value::from_iter(pairs))
}

fn to_value(value: &PyValue, depth: usize) -> Result<Value, JinjaError> {
    Ok(match value {
        PyValue::Null => Value::from(()),
        PyValue::Bool(b) => Value::from(*b),
        PyValue::Number(Number::Int(i)) => Value::from(*i),
        PyValue::Number(Number::BigInt(text)) => match text.parse::<i128>() {
            Ok(i) => Value::from(i),
            Err(_) => Value::from_object(BigInt(text.clone())),
        },
        PyValue::Number(Number::Float(f)) => Value::from(*f),
        PyValue::Str(s) => Value::from(s.as_str()),
        PyValue::List(items) => {
            if depth > MAX_DEPTH {
                return Err(too_deep());
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(to_value(item, depth + 1)?);
            }
            Value::from(out)
        }
        PyValue::Dict(dict) => dict_to_value(dict, depth)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Printing

fn render_error(message: impl Into<std::borrow::Cow<'static, str>>) -> MjError {
    MjError::new(MjKind::InvalidOperation, message)
}

/// Writes Python's `str(value)` (or `repr(value)` when `repr` is set).
fn write_py(out: &mut String, value: &Value, repr: bool, depth: usize) -> Result<(), MjError> {
    if depth > MAX_DEPTH {
        return Err(render_error(
            "maximum recursion depth exceeded while getting the repr of an object",
        ));
    }
    match value.kind() {
        ValueKind::Undefined => return Err(MjError::from(MjKind::UndefinedError)),
        ValueKind::None => out.push_str("None"),
        ValueKind::Bool => out.push_str(if value.is_true() { "True" } else { "False" }),
        ValueKind::Number => {
            if value.is_integer() {
                out.push_str(&value.to_string());
            } else {
                let f = f64::try_from(value.clone()).unwrap_or(f64::NAN);
                memor_template::py::write_float_repr(out, f);
            }
        }
        ValueKind::String => match value.as_str() {
            Some(s) if repr => memor_template::py::write_str_repr(out, s, false),
            Some(s) => out.push_str(s),
            None => out.push_str(&value.to_string()),
        },
        ValueKind::Seq => {
            out.push('[');
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(out, &item, true, depth + 1)?;
            }
            out.push(']');
        }
        ValueKind::Map => {
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
        }
        _ => out.push_str(&value.to_string()),
    }
    Ok(())
}

#[allow(dead_code)]
fn unused(_: &State<'_, '_>) {}
