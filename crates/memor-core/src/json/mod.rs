//! JSON as Python's `json` module reads and writes it.
//!
//! memor's files are what Python's `json.dump` writes; [`read`] reads Python's dialect
//! (`NaN`, `Infinity`, integers of any size) and [`write`](mod@write) writes byte for byte what Python
//! writes, through serde_json with a custom formatter.

pub mod read;
mod strings;
mod value;
pub mod write;

pub use read::{JsonError, parse};
pub(crate) use strings::RawJson;
pub use value::{Number, PyDict, PyList, PyValue};
pub(crate) use write::{MemorDate, push_py_string};
pub use write::{PyFormatter, serialized_len, to_string, to_writer};
