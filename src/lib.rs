//! memor: conversational memory for large language models.
//!
//! Keep the history of your chats as structured data, pick the parts that matter, and render
//! them for whichever model comes next. This crate gathers memor's library crates:
//!
//! - [`template`] ([`memor-template`](memor_template)): Python's `str.format`, exactly, over
//!   JSON-like values: the engine behind every prompt template;
//! - [`core`] ([`memor-core`](memor_core)): sessions, prompts, responses and templates, with
//!   memor 1.4's file format byte for byte; its main types are re-exported at the root;
//! - [`presets`] ([`memor-presets`](memor_presets)): memor's 56 preset templates and its model
//!   catalog;
//! - [`render`] ([`memor-render`](memor_render)): sessions rendered for memor's formats, provider
//!   APIs and chat templates, with reports, validators and payload parsing; token counts that
//!   say whether they are exact or estimated (`render::tokens`, exact with the `tiktoken`
//!   feature) and sessions fitted to a token budget (`render::fit`);
//! - [`import`] ([`memor-import`](memor_import)): ChatGPT, Claude.ai, Gemini, AI Studio and
//!   Gemini CLI exports brought in as sessions.
//!
//! ```
//! use memor::{Prompt, Response, Session};
//!
//! let mut prompt = Prompt::new("What is 2 + 2?");
//! prompt.add_response(Response::new("4"), None);
//! let session = Session::with_messages(Some("Maths".into()), vec![prompt.into()]);
//! assert_eq!(session.render_string()?, "What is 2 + 2?\n");
//! # Ok::<(), memor::Error>(())
//! ```

pub use memor_core as core;
pub use memor_import as import;
pub use memor_presets as presets;
pub use memor_render as render;
pub use memor_template as template;

pub use memor_core::{
    Error, ErrorKind, Message, Object, Prompt, PromptTemplate, Response, Role, Session,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
