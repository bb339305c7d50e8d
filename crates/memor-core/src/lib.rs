//! memor's data model: responses, prompts, sessions and templates.

mod error;
mod fields;
mod file;
pub mod jinja;
mod load;
mod prompt;
mod prompt_template;
mod response;
mod session;
mod xml_methods;

pub use error::{Error, ErrorKind, Result};
pub use fields::{FinishReason, Role, Warnings, is_valid_id, new_id};
pub use file::{Object, ObjectKind, detect_kind, write_atomic};
pub use memor_presets::Engine;
pub use prompt::Prompt;
pub use prompt_template::PromptTemplate;
pub use response::{DEFAULT_MODEL, MEMOR_VERSION, Response};
pub use session::{Message, Session};

pub mod date;
pub mod estimate;
pub mod json;
pub mod search;
pub mod xml;
