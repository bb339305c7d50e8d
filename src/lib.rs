//! memor: conversational memory for large language models.
//!
//! Keep the history of your chats as structured data, pick the parts that matter, and render
//! them for whichever model comes next. This crate gathers memor's library crates:
//!
//! - [`template`] ([`memor-template`](memor_template)): Python's `str.format`, exactly, over
//!   JSON-like values: the engine behind every prompt template.
//!
//! ```
//! use memor::template::Template;
//!
//! let t = Template::parse("{instruction}Prompt: {prompt[message]}")?;
//! let ctx = serde_json::json!({"instruction": "Be brief.\n", "prompt": {"message": "Hi!"}});
//! assert_eq!(t.render(&ctx)?, "Be brief.\nPrompt: Hi!");
//! # Ok::<(), memor::template::Error>(())
//! ```

pub use memor_template as template;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
