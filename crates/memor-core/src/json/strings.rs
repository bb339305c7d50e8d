//! A serializer adapter that hands string values to the formatter in one piece.
//!
//! serde_json escapes a string byte by byte before [`PyFormatter`](super::PyFormatter) sees it,
//! and then the formatter scans the result again for non-ASCII. [`PyStrings`] wraps a serializer
//! and sends every string *value* as bytes instead; `PyFormatter::write_byte_array` then writes
//! the whole string, escaped as Python escapes it, in one pass that skips 16 safe bytes at a time.
//! The output is the same; the adapter only changes how it is produced.
//!
//! Map keys are passed through unchanged (serde_json accepts only strings as keys), and so are
//! the fields of structs: serde_json's `RawValue` and `Number` are structs whose fields must reach
//! it as they are. memor's own types serialize as maps and sequences.
//!
//! The adapter also writes JSON text that is already serialized ([`RawJson`], a template's
//! cached JSON): it arms the formatter's raw flag and sends the text as bytes, which the
//! formatter then writes as they are.

use std::fmt::Display;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeTuple, SerializeTupleStruct,
    SerializeTupleVariant, Serializer,
};

/// The newtype name under which [`RawJson`] reaches [`PyStrings`].
const RAW_JSON: &str = "memor::json::RawJson";

/// JSON text already written as memor writes it, to go into the output as it is. Only for
/// serializers wrapped in [`PyStrings`] (`json::to_writer`): any other serializer would write
/// it as a string.
pub(crate) struct RawJson<'a>(pub(crate) &'a [u8]);

impl Serialize for RawJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Bytes<'a>(&'a [u8]);
        impl Serialize for Bytes<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(self.0)
            }
        }
        serializer.serialize_newtype_struct(RAW_JSON, &Bytes(self.0))
    }
}

/// Wraps a serializer so that string values reach it through `serialize_bytes`; `raw` is the
/// flag its formatter shares, which makes the next byte array go out as it is.
pub(crate) struct PyStrings<'r, S> {
    pub(crate) ser: S,
    pub(crate) raw: &'r AtomicBool,
}

/// A value serialized through [`PyStrings`].
struct Wrap<'a, 'r, T: ?Sized> {
    value: &'a T,
    raw: &'r AtomicBool,
}

impl<T: Serialize + ?Sized> Serialize for Wrap<'_, '_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(PyStrings {
            ser: serializer,
            raw: self.raw,
        })
    }
}

/// The compound serializers of [`PyStrings`]: elements and values are wrapped in turn.
pub(crate) struct Compound<'r, C> {
    inner: C,
    raw: &'r AtomicBool,
}

impl<'r, C> Compound<'r, C> {
    fn wrap<'a, T: ?Sized>(&self, value: &'a T) -> Wrap<'a, 'r, T> {
        Wrap {
            value,
            raw: self.raw,
        }
    }
}

macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $name(self, $($arg: $ty),*) -> Result<Self::Ok, Self::Error> {
                self.ser.$name($($arg),*)
            }
        )*
    };
}

impl<'r, S: Serializer> Serializer for PyStrings<'r, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<'r, S::SerializeSeq>;
    type SerializeTuple = Compound<'r, S::SerializeTuple>;
    type SerializeTupleStruct = Compound<'r, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<'r, S::SerializeTupleVariant>;
    type SerializeMap = Compound<'r, S::SerializeMap>;
    type SerializeStruct = S::SerializeStruct;
    type SerializeStructVariant = S::SerializeStructVariant;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_str(self, v: &str) -> Result<Self::Ok, Self::Error> {
        self.ser.serialize_bytes(v.as_bytes())
    }

    fn serialize_char(self, v: char) -> Result<Self::Ok, Self::Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<Self::Ok, Self::Error> {
        self.serialize_str(&value.to_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Self::Error> {
        let raw = self.raw;
        self.ser.serialize_some(&Wrap { value, raw })
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        let raw = self.raw;
        if name == RAW_JSON {
            return value.serialize(RawEmitter { ser: self.ser, raw });
        }
        self.ser
            .serialize_newtype_struct(name, &Wrap { value, raw })
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        let raw = self.raw;
        self.ser
            .serialize_newtype_variant(name, index, variant, &Wrap { value, raw })
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        let inner = self.ser.serialize_seq(len)?;
        Ok(Compound {
            inner,
            raw: self.raw,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        let inner = self.ser.serialize_tuple(len)?;
        Ok(Compound {
            inner,
            raw: self.raw,
        })
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        let inner = self.ser.serialize_tuple_struct(name, len)?;
        Ok(Compound {
            inner,
            raw: self.raw,
        })
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        let inner = self
            .ser
            .serialize_tuple_variant(name, index, variant, len)?;
        Ok(Compound {
            inner,
            raw: self.raw,
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        let inner = self.ser.serialize_map(len)?;
        Ok(Compound {
            inner,
            raw: self.raw,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        self.ser.serialize_struct(name, len)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        self.ser.serialize_struct_variant(name, index, variant, len)
    }

    fn is_human_readable(&self) -> bool {
        self.ser.is_human_readable()
    }
}

macro_rules! compound {
    ($trait:ident, $method:ident) => {
        impl<C: $trait> $trait for Compound<'_, C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
                let value = self.wrap(value);
                self.inner.$method(&value)
            }

            fn end(self) -> Result<Self::Ok, Self::Error> {
                self.inner.end()
            }
        }
    };
}

compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);

impl<C: SerializeMap> SerializeMap for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        let value = self.wrap(value);
        self.inner.serialize_value(&value)
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Self::Error> {
        let value = self.wrap(value);
        self.inner.serialize_entry(key, &value)
    }

    fn end(self) -> Result<Self::Ok, Self::Error> {
        self.inner.end()
    }
}

/// Takes the text of a [`RawJson`] and hands it to the formatter to write as it is.
struct RawEmitter<'r, S> {
    ser: S,
    raw: &'r AtomicBool,
}

fn not_raw<E: serde::ser::Error>() -> E {
    E::custom("raw JSON must be bytes")
}

macro_rules! refuse {
    ($($name:ident($($ty:ty),*);)*) => {
        $(
            fn $name(self, $(_: $ty),*) -> Result<Self::Ok, Self::Error> {
                Err(not_raw())
            }
        )*
    };
}

impl<S: Serializer> Serializer for RawEmitter<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = serde::ser::Impossible<S::Ok, S::Error>;
    type SerializeTuple = serde::ser::Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = serde::ser::Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = serde::ser::Impossible<S::Ok, S::Error>;
    type SerializeMap = serde::ser::Impossible<S::Ok, S::Error>;
    type SerializeStruct = serde::ser::Impossible<S::Ok, S::Error>;
    type SerializeStructVariant = serde::ser::Impossible<S::Ok, S::Error>;

    fn serialize_bytes(self, json: &[u8]) -> Result<Self::Ok, Self::Error> {
        self.raw.store(true, Ordering::Relaxed);
        self.ser.serialize_bytes(json)
    }

    refuse! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Self::Ok, Self::Error> {
        Err(not_raw())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, Self::Error> {
        Err(not_raw())
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, Self::Error> {
        Err(not_raw())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(not_raw())
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(not_raw())
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(not_raw())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(not_raw())
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Err(not_raw())
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Err(not_raw())
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(not_raw())
    }
}
