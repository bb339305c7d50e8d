//! Values as Python's `json.loads` produces them.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use indexmap::IndexMap;
use memor_template::{Dict, DictRef, List, ListRef, Value};

/// A JSON number as Python reads it: an `int` of any size, or a `float` (`NaN` and the
/// infinities included). `1` and `1.0` are different values that compare equal, as in Python.
#[derive(Clone, Debug)]
pub enum Number {
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A larger integer, as canonical decimal text (`-` and digits, no leading zeros).
    BigInt(Box<str>),
    /// A double.
    Float(f64),
}

impl Number {
    /// Whether this is an `int` (of any size).
    pub fn is_int(&self) -> bool {
        !matches!(self, Number::Float(_))
    }

    /// Whether the number is below zero (`-0.0` is not, `NaN` is not).
    pub fn is_negative(&self) -> bool {
        match self {
            Number::Int(i) => *i < 0,
            Number::BigInt(t) => t.starts_with('-'),
            Number::Float(f) => *f < 0.0,
        }
    }

    /// Whether the number is above one (`NaN` is not).
    pub(crate) fn is_above_one(&self) -> bool {
        match self {
            Number::Int(i) => *i > 1,
            Number::BigInt(t) => !t.starts_with('-'),
            Number::Float(f) => *f > 1.0,
        }
    }

    /// The value as an `f64` (big integers rounded; infinite when out of range).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::BigInt(t) => t.parse().unwrap_or(f64::NAN),
            Number::Float(f) => *f,
        }
    }

    /// The value as an `i64`, when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The value as a `u64`, when it is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Number::Int(i) => u64::try_from(*i).ok(),
            Number::BigInt(t) => t.parse().ok(),
            Number::Float(_) => None,
        }
    }

    /// The number as a template value.
    pub fn as_value(&self) -> Value<'_> {
        match self {
            Number::Int(i) => Value::Int(*i),
            Number::BigInt(t) => Value::BigInt(Cow::Borrowed(t)),
            Number::Float(f) => Value::Float(*f),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::Int(i)
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Self {
        i64::try_from(u).map_or_else(|_| Number::BigInt(u.to_string().into()), Number::Int)
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Self {
        Number::Float(f)
    }
}

/// Python's `==` between numbers: `1 == 1.0`, `NaN != NaN`.
#[allow(clippy::float_cmp)] // Python's `==` is exact
impl Number {
    /// Whether the two are the same value of the same kind, floats bit for bit: written alike
    /// (where `==` is Python's, with `1 == 1.0` and `0.0 == -0.0`).
    pub(crate) fn identical(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::BigInt(a), Number::BigInt(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::BigInt(a), Number::BigInt(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Int(_), Number::BigInt(_)) | (Number::BigInt(_), Number::Int(_)) => false,
            (Number::Float(f), int) | (int, Number::Float(f)) => int_eq_float(int, *f),
        }
    }
}

/// Exact comparison of an integer with a float, as Python does it.
#[allow(clippy::float_cmp)] // Python's `==` is exact
fn int_eq_float(int: &Number, f: f64) -> bool {
    if !f.is_finite() || f.fract() != 0.0 {
        return false;
    }
    match int {
        Number::Int(i) => {
            // |f| < 2**63 converts exactly; beyond it no i64 can be equal.
            f.abs() < 2f64.powi(63) && f as i64 == *i
        }
        Number::BigInt(t) => {
            let text = format!("{f:.0}");
            text == **t
        }
        Number::Float(g) => *g == f,
    }
}

impl fmt::Display for Number {
    /// Python's `str()` of the number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::BigInt(t) => f.write_str(t),
            Number::Float(x) => f.write_str(&memor_template::py::float_repr(*x)),
        }
    }
}

/// A JSON value as Python's `json.loads` produces it, in the order it was written.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum PyValue {
    /// `null` (`None`).
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    Str(String),
    /// An array (`list`).
    List(PyList),
    /// An object (`dict`): insertion order kept; a repeated key keeps its first place and its
    /// last value, as Python does.
    Dict(PyDict),
}

/// A JSON array as a Python `list`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PyList(pub Vec<PyValue>);

/// A JSON object as a Python `dict`: equality ignores order, as in Python.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PyDict(pub IndexMap<String, PyValue>);

impl PyDict {
    /// An empty dict.
    pub fn new() -> Self {
        PyDict(IndexMap::new())
    }

    /// The value under `key`: a linear scan for small dicts (cheaper than hashing the key),
    /// the hash index otherwise.
    pub fn lookup(&self, key: &str) -> Option<&PyValue> {
        if self.0.len() <= 8 {
            self.0
                .iter()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, v)| v)
        } else {
            self.0.get(key)
        }
    }
}

impl std::ops::Deref for PyList {
    type Target = Vec<PyValue>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for PyList {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl std::ops::Deref for PyDict {
    type Target = IndexMap<String, PyValue>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for PyDict {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl PyValue {
    /// The value as a template value, borrowing from it.
    pub fn as_value(&self) -> Value<'_> {
        match self {
            PyValue::Null => Value::None,
            PyValue::Bool(b) => Value::Bool(*b),
            PyValue::Number(n) => n.as_value(),
            PyValue::Str(s) => Value::Str(Cow::Borrowed(s)),
            PyValue::List(items) => Value::List(ListRef::borrowed(items)),
            PyValue::Dict(map) => Value::Dict(DictRef::borrowed(map)),
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The dict, when this is one.
    pub fn as_dict(&self) -> Option<&PyDict> {
        match self {
            PyValue::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// Python's name of the value's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            PyValue::Null => "NoneType",
            PyValue::Bool(_) => "bool",
            PyValue::Number(n) if n.is_int() => "int",
            PyValue::Number(_) => "float",
            PyValue::Str(_) => "str",
            PyValue::List(_) => "list",
            PyValue::Dict(_) => "dict",
        }
    }
}

impl From<&str> for PyValue {
    fn from(s: &str) -> Self {
        PyValue::Str(s.to_owned())
    }
}

impl From<String> for PyValue {
    fn from(s: String) -> Self {
        PyValue::Str(s)
    }
}

impl From<bool> for PyValue {
    fn from(b: bool) -> Self {
        PyValue::Bool(b)
    }
}

impl From<Number> for PyValue {
    fn from(n: Number) -> Self {
        PyValue::Number(n)
    }
}

impl List for PyList {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.0.get(index).map(PyValue::as_value)
    }
}

impl Dict for PyDict {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, key: &str) -> Option<Value<'_>> {
        self.lookup(key).map(PyValue::as_value)
    }
    fn for_each(&self, f: &mut dyn FnMut(&str, Value<'_>)) {
        for (k, v) in &self.0 {
            f(k, v.as_value());
        }
    }
}

/// Orders numbers as Python does where both are comparable; `None` for `NaN`.
impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self == other {
            return Some(Ordering::Equal);
        }
        self.as_f64().partial_cmp(&other.as_f64())
    }
}
