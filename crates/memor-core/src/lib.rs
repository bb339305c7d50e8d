//! memor's data model: responses, prompts, sessions and templates, with memor 1.4's file format
//! byte for byte.
//!
//! A [`Session`] holds [`Message`]s: [`Prompt`]s (each with candidate [`Response`]s, one
//! selected, and a [`PromptTemplate`] that turns them into text) and [`Response`]s. Messages can
//! be masked; a session renders the text of its enabled messages for the next model.
//!
//! # Example
//!
//! ```
//! use memor_core::{Prompt, PromptTemplate, Response, Role, Session};
//!
//! let mut system = Prompt::new("You are terse.");
//! system.update_role(Role::System);
//! let mut question = Prompt::new("Capital of France?");
//! question.add_response(Response::new("Paris."), None);
//! question.update_template(PromptTemplate::new("{prompt[message]} {response[message]}"));
//!
//! let mut session = Session::new(Some("Geography".into()));
//! session.add_message(system, true, None);
//! session.add_message(question, true, None);
//! assert_eq!(session.render_string()?, "You are terse.\nCapital of France? Paris.\n");
//!
//! // Files are memor 1.4's, byte for byte.
//! let text = session.to_json()?;
//! assert!(text.starts_with(r#"{"type": "Session", "title": "Geography", "render_counter": 0"#));
//! assert_eq!(Session::from_json(&text)?.to_json()?, text);
//! # Ok::<(), memor_core::Error>(())
//! ```
//!
//! # Errors and guarantees
//!
//! Every fallible call returns an [`Error`] carrying memor's own message
//! ([`Error::message`]) and where the problem is ([`Error::detail`]: the field, the message
//! index, the byte offset, or the file). Nothing panics on input. Saving writes a temporary file
//! in the same directory and renames it over the target ([`write_atomic_with`]), so a failed or
//! interrupted save leaves the old file as it was.
//!
//! # Modules
//!
//! - [`json`]: Python's JSON dialect, read and written exactly as Python does;
//! - [`date`]: memor's dates (`%Y-%m-%d %H:%M:%S %z`), with Python's parsing quirks;
//! - [`estimate`]: memor's three token estimators, giving its numbers exactly;
//! - [`search`]: Python `re` semantics for [`Session::search`];
//! - [`xml`]: memor's XML helpers; [`jinja`]: the Jinja engine on minijinja.

mod error;
mod fields;
mod file;
mod load;
mod prompt;
mod prompt_template;
mod response;
mod session;
mod session_search;
mod temp_writer;
mod xml_methods;

pub mod date;
pub mod estimate;
pub mod jinja;
pub mod json;
pub mod search;
pub mod xml;

pub use error::{Error, ErrorKind, Result};
pub use fields::{FinishReason, Role, Warnings, is_valid_id, new_id};
pub use file::{Durability, Object, ObjectKind, detect_kind, write_atomic, write_atomic_with};
pub use memor_presets::Engine;
pub use prompt::Prompt;
pub use prompt_template::PromptTemplate;
pub use response::{DEFAULT_MODEL, MEMOR_VERSION, Response};
pub use session::{Message, Session};
