//! The values a template reads, and the traits that let callers supply them.
//!
//! A template sees Python's JSON types: `None`, `bool`, `int` (of any size), `float`, `str`,
//! `list` and `dict`. [`Value`] is a borrowed view of one of them. Containers are reached through
//! the [`List`] and [`Dict`] traits, so a caller can expose its own data without first building a
//! JSON tree; the top level of a render is a [`Context`].
//!
//! A lookup returns a value that borrows from its container. A container view can be borrowed
//! ([`DictRef::borrowed`]: the usual case, no allocation) or built on the fly and boxed
//! ([`DictRef::boxed`]).
//!
//! ```
//! use memor_template::{Dict, DictRef, Template, Value};
//!
//! struct Person<'a> { name: &'a str, age: i64 }
//!
//! impl Dict for Person<'_> {
//!     fn len(&self) -> usize { 2 }
//!     fn get(&self, key: &str) -> Option<Value<'_>> {
//!         match key {
//!             "name" => Some(Value::from(self.name)),
//!             "age" => Some(Value::Int(self.age)),
//!             _ => None,
//!         }
//!     }
//!     fn for_each(&self, f: &mut dyn FnMut(&str, Value<'_>)) {
//!         f("name", Value::from(self.name));
//!         f("age", Value::Int(self.age));
//!     }
//! }
//!
//! let ada = Person { name: "Ada", age: 36 };
//! let ctx = [("who", Value::Dict(DictRef::borrowed(&ada)))];
//! let t = Template::parse("{who[name]} is {who[age]}; {who!r}")?;
//! assert_eq!(t.render(&ctx[..])?, "Ada is 36; {'name': 'Ada', 'age': 36}");
//! # Ok::<(), memor_template::Error>(())
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// One value as a template sees it: a Python object decoded from JSON.
///
/// `Value` borrows from the data it describes wherever it can (`'a`).
#[derive(Debug)]
pub enum Value<'a> {
    /// Python's `None` (JSON `null`).
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer of any size, as decimal text: an optional `-` and ASCII digits.
    ///
    /// Text that fits in an `i64` behaves exactly like [`Value::Int`].
    BigInt(Cow<'a, str>),
    /// A double-precision float (`1.0` stays a float).
    Float(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// A list.
    List(ListRef<'a>),
    /// A dict with string keys, in insertion order.
    Dict(DictRef<'a>),
}

impl Value<'_> {
    /// A copy of this value that borrows from it instead of owning anything.
    #[must_use]
    pub fn reborrow(&self) -> Value<'_> {
        match self {
            Value::None => Value::None,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::BigInt(s) => Value::BigInt(Cow::Borrowed(s)),
            Value::Float(f) => Value::Float(*f),
            Value::Str(s) => Value::Str(Cow::Borrowed(s)),
            Value::List(l) => Value::List(l.reborrow()),
            Value::Dict(d) => Value::Dict(d.reborrow()),
        }
    }

    /// Python's name for the type of this value (`'NoneType'`, `'int'`, `'dict'`…).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
        }
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s))
    }
}

impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::Str(Cow::Owned(s))
    }
}

impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value<'_> {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<i32> for Value<'_> {
    fn from(i: i32) -> Self {
        Value::Int(i64::from(i))
    }
}

impl From<u64> for Value<'_> {
    fn from(u: u64) -> Self {
        match i64::try_from(u) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::BigInt(Cow::Owned(u.to_string())),
        }
    }
}

impl From<usize> for Value<'_> {
    fn from(u: usize) -> Self {
        Value::from(u as u64)
    }
}

impl From<f64> for Value<'_> {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl<'a, T> From<Option<T>> for Value<'a>
where
    T: Into<Value<'a>>,
{
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::None, Into::into)
    }
}

/// A Python `list` a template can index.
pub trait List {
    /// The number of items.
    fn len(&self) -> usize;
    /// The item at `index`, or `None` past the end.
    fn get(&self, index: usize) -> Option<Value<'_>>;
    /// Whether the list has no items.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A Python `dict` with string keys a template can index and print.
pub trait Dict {
    /// The number of entries.
    fn len(&self) -> usize;
    /// The value under `key`, or `None` when absent.
    fn get(&self, key: &str) -> Option<Value<'_>>;
    /// Calls `f` with every entry, in order (the order shows in the dict's `repr`).
    fn for_each(&self, f: &mut dyn FnMut(&str, Value<'_>));
    /// Whether the dict has no entries.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The top-level names a template renders with: Python's `**kwargs`.
///
/// Implemented for serde_json objects, maps from `String` to anything convertible with
/// [`AsValue`], slices of `(&str, Value)` pairs, and any [`Dict`].
pub trait Context {
    /// The value bound to `name`, or `None` when the name is not defined.
    fn get(&self, name: &str) -> Option<Value<'_>>;
}

/// A list held by a [`Value`]: borrowed, boxed, or a serde_json array.
pub struct ListRef<'a>(ListRepr<'a>);

enum ListRepr<'a> {
    Borrowed(&'a (dyn List + 'a)),
    Boxed(Box<dyn List + 'a>),
}

impl<'a> ListRef<'a> {
    /// A list that lives at least as long as the data.
    pub fn borrowed(list: &'a (dyn List + 'a)) -> Self {
        ListRef(ListRepr::Borrowed(list))
    }

    /// A list view built on the fly (one allocation).
    ///
    /// Items of a boxed view borrow from the view, so a template reaching through it keeps it
    /// alive: chains of more than [`crate::MAX_BOXED_CHAIN`] boxed views in one field are refused.
    pub fn boxed(list: impl List + 'a) -> Self {
        ListRef(ListRepr::Boxed(Box::new(list)))
    }

    fn reborrow(&self) -> ListRef<'_> {
        ListRef(match &self.0 {
            ListRepr::Borrowed(l) => ListRepr::Borrowed(*l),
            ListRepr::Boxed(l) => ListRepr::Borrowed(&**l),
        })
    }

    /// The list itself.
    pub fn as_list(&self) -> &(dyn List + 'a) {
        match &self.0 {
            ListRepr::Borrowed(l) => *l,
            ListRepr::Boxed(l) => &**l,
        }
    }

    /// The borrowed list, for items that live as long as the data; `None` for a boxed view.
    pub(crate) fn as_borrowed(&self) -> Option<&'a (dyn List + 'a)> {
        match &self.0 {
            ListRepr::Borrowed(l) => Some(*l),
            ListRepr::Boxed(_) => None,
        }
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.as_list().len()
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item at `index`.
    pub fn get(&self, index: usize) -> Option<Value<'_>> {
        self.as_list().get(index)
    }
}

impl std::fmt::Debug for ListRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ListRef(len={})", self.len())
    }
}

/// A dict held by a [`Value`]: borrowed, boxed, or a serde_json object.
pub struct DictRef<'a>(DictRepr<'a>);

enum DictRepr<'a> {
    Borrowed(&'a (dyn Dict + 'a)),
    Boxed(Box<dyn Dict + 'a>),
}

impl<'a> DictRef<'a> {
    /// A dict that lives at least as long as the data.
    pub fn borrowed(dict: &'a (dyn Dict + 'a)) -> Self {
        DictRef(DictRepr::Borrowed(dict))
    }

    /// A dict view built on the fly (one allocation). See [`ListRef::boxed`].
    pub fn boxed(dict: impl Dict + 'a) -> Self {
        DictRef(DictRepr::Boxed(Box::new(dict)))
    }

    fn reborrow(&self) -> DictRef<'_> {
        DictRef(match &self.0 {
            DictRepr::Borrowed(d) => DictRepr::Borrowed(*d),
            DictRepr::Boxed(d) => DictRepr::Borrowed(&**d),
        })
    }

    /// The dict itself.
    pub fn as_dict(&self) -> &(dyn Dict + 'a) {
        match &self.0 {
            DictRepr::Borrowed(d) => *d,
            DictRepr::Boxed(d) => &**d,
        }
    }

    /// The borrowed dict, for values that live as long as the data; `None` for a boxed view.
    pub(crate) fn as_borrowed(&self) -> Option<&'a (dyn Dict + 'a)> {
        match &self.0 {
            DictRepr::Borrowed(d) => Some(*d),
            DictRepr::Boxed(_) => None,
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.as_dict().len()
    }

    /// Whether the dict has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<Value<'_>> {
        self.as_dict().get(key)
    }

    /// Calls `f` with every entry, in order.
    pub fn for_each(&self, f: &mut dyn FnMut(&str, Value<'_>)) {
        self.as_dict().for_each(f);
    }
}

impl std::fmt::Debug for DictRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DictRef(len={})", self.len())
    }
}

/// Conversion of a Rust value into a template [`Value`] borrowing from it.
pub trait AsValue {
    /// This value as a template sees it.
    fn as_value(&self) -> Value<'_>;
}

impl AsValue for str {
    fn as_value(&self) -> Value<'_> {
        Value::Str(Cow::Borrowed(self))
    }
}

impl AsValue for String {
    fn as_value(&self) -> Value<'_> {
        Value::Str(Cow::Borrowed(self))
    }
}

impl AsValue for bool {
    fn as_value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl AsValue for i64 {
    fn as_value(&self) -> Value<'_> {
        Value::Int(*self)
    }
}

impl AsValue for f64 {
    fn as_value(&self) -> Value<'_> {
        Value::Float(*self)
    }
}

impl<T: AsValue> AsValue for Option<T> {
    fn as_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::None, AsValue::as_value)
    }
}

impl<T: AsValue + ?Sized> AsValue for &T {
    fn as_value(&self) -> Value<'_> {
        (**self).as_value()
    }
}

#[cfg(feature = "serde_json")]
impl AsValue for serde_json::Value {
    fn as_value(&self) -> Value<'_> {
        Value::from(self)
    }
}

impl<V: AsValue> Context for BTreeMap<String, V> {
    fn get(&self, name: &str) -> Option<Value<'_>> {
        BTreeMap::get(self, name).map(AsValue::as_value)
    }
}

impl<V: AsValue, S: BuildHasher> Context for HashMap<String, V, S> {
    fn get(&self, name: &str) -> Option<Value<'_>> {
        HashMap::get(self, name).map(AsValue::as_value)
    }
}

/// Name–value pairs; a name bound twice takes its last value, as Python's keyword arguments
/// would refuse and a dict would keep.
impl<K: AsRef<str>> Context for [(K, Value<'_>)] {
    fn get(&self, name: &str) -> Option<Value<'_>> {
        self.iter()
            .rev()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| v.reborrow())
    }
}

impl<D: Dict + ?Sized> Context for D {
    fn get(&self, name: &str) -> Option<Value<'_>> {
        Dict::get(self, name)
    }
}

impl Context for DictRef<'_> {
    fn get(&self, name: &str) -> Option<Value<'_>> {
        DictRef::get(self, name)
    }
}

#[cfg(feature = "serde_json")]
mod json {
    use super::{Context, Dict, DictRef, List, ListRef, Value};
    use std::borrow::Cow;

    impl<'a> From<&'a serde_json::Value> for Value<'a> {
        fn from(v: &'a serde_json::Value) -> Self {
            match v {
                serde_json::Value::Null => Value::None,
                serde_json::Value::Bool(b) => Value::Bool(*b),
                serde_json::Value::Number(n) => number(n),
                serde_json::Value::String(s) => Value::Str(Cow::Borrowed(s)),
                serde_json::Value::Array(items) => Value::List(ListRef::borrowed(items)),
                serde_json::Value::Object(map) => Value::Dict(DictRef::borrowed(map)),
            }
        }
    }

    /// A JSON number as Python's `json.loads` reads it: written without `.`, `e` or `E` it is
    /// an `int` of any size (exact with serde_json's `arbitrary_precision`), otherwise a float.
    fn number<'a>(n: &serde_json::Number) -> Value<'a> {
        if let Some(i) = n.as_i64() {
            return Value::Int(i);
        }
        if let Some(u) = n.as_u64() {
            return Value::from(u);
        }
        let text = n.to_string();
        if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return Value::BigInt(Cow::Owned(text));
        }
        Value::Float(
            n.as_f64()
                .unwrap_or_else(|| text.parse().unwrap_or(f64::NAN)),
        )
    }

    impl List for Vec<serde_json::Value> {
        fn len(&self) -> usize {
            Vec::len(self)
        }
        fn get(&self, index: usize) -> Option<Value<'_>> {
            self.as_slice().get(index).map(Value::from)
        }
    }

    /// Below this many entries a linear scan beats hashing the key.
    const SCAN_LIMIT: usize = 12;

    fn member<'m>(
        map: &'m serde_json::Map<String, serde_json::Value>,
        key: &str,
    ) -> Option<&'m serde_json::Value> {
        if map.len() <= SCAN_LIMIT {
            map.iter().find(|(k, _)| key_eq(k, key)).map(|(_, v)| v)
        } else {
            map.get(key)
        }
    }

    /// String equality without a call to `memcmp`: keys are short.
    #[inline]
    fn key_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
    }

    impl Dict for serde_json::Map<String, serde_json::Value> {
        fn len(&self) -> usize {
            serde_json::Map::len(self)
        }
        fn get(&self, key: &str) -> Option<Value<'_>> {
            member(self, key).map(Value::from)
        }
        fn for_each(&self, f: &mut dyn FnMut(&str, Value<'_>)) {
            for (k, v) in self {
                f(k, Value::from(v));
            }
        }
    }

    /// An object's members are its names; any other JSON value defines no name.
    impl Context for serde_json::Value {
        fn get(&self, name: &str) -> Option<Value<'_>> {
            match self {
                serde_json::Value::Object(m) => member(m, name).map(Value::from),
                _ => None,
            }
        }
    }
}
