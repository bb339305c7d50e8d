//! Render memor sessions for the next model, and say what changed on the way.
//!
//! A [`Target`] turns a [`Session`] (its enabled messages; for each prompt, its selected
//! response) into what a model or provider takes: a JSON request body or a prompt string. Every
//! render returns a [`Rendered`]: the [`Payload`] and a [`Report`] of each message merged,
//! moved, renamed, dropped or synthesised on the way, with its index in the session.
//!
//! Built-in targets are listed by [`targets`] and found by name with [`target`]. Anyone can add
//! one by implementing [`Target`].
//!
//! [`tokens`] counts what a target sends, each count saying whether it is exact (under an OpenAI
//! encoding, with the `tiktoken` feature) or an estimate; [`fit`](mod@fit) chooses the messages that
//! fit a model's context, leaving room for the reply.
//!
//! ```
//! use memor_core::{Prompt, Response, Session};
//! use memor_render::{RenderOptions, target};
//!
//! let mut prompt = Prompt::new("Capital of France?");
//! prompt.add_response(Response::new("Paris."), None);
//! let session = Session::with_messages(None, vec![prompt.into()]);
//!
//! let openai = target("openai").expect("a built-in target");
//! let rendered = openai.render(&session, &RenderOptions::default())?;
//! assert_eq!(
//!     rendered.payload.to_json_string(),
//!     r#"[{"role": "user", "content": "Capital of France?"}]"#
//! );
//! # Ok::<(), memor_render::Error>(())
//! ```

pub mod fit;
mod memor_formats;
mod parse;
mod providers;
mod report;
mod templates;
pub mod tokens;

use memor_core::json::PyValue;
use memor_core::{Message, Role, Session};

pub use memor_formats::{AiStudio, Dictionary, Items, OpenAi, Text};
pub use parse::{Format, Lost, ParseError, Parsed, parse};
pub use providers::{Anthropic, Chat, Gemini, Ollama, OpenAiResponses, SYNTHESIZED_USER_TEXT};
pub use report::{Change, Report, Violation};
pub use templates::{ChatMl, Gemma, GemmaVariant, Llama3, Mistral, MistralVariant};

/// Why a render failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A message could not be turned into text (a prompt whose template does not render).
    #[error("message {index}: {source}")]
    Message {
        /// The message's index in the session.
        index: usize,
        /// What memor-core said.
        #[source]
        source: memor_core::Error,
    },
    /// The session cannot be expressed for this target at all.
    #[error("{0}")]
    Unsupported(String),
}

/// What a target produces.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Payload {
    /// A JSON request body (or list of messages).
    Json(serde_json::Value),
    /// A list of `{"role", "content"}` chat messages (memor's OPENAI), typed: written as JSON by
    /// [`to_json_string`](Payload::to_json_string), as a JSON value by
    /// [`to_value`](Payload::to_value).
    Messages(Messages),
    /// A prompt string (chat templates, memor's STRING).
    Text(String),
    /// A Python value of memor's own renders (DICTIONARY, ITEMS), kept exactly (integers of any
    /// size, `NaN`).
    Python(PyValue),
}

/// The chat messages of a [`Payload::Messages`]: `[{"role": ..., "content": ...}, ...]`.
///
/// The texts live in one buffer, one after the other, so a long list costs one allocation, not
/// one per message.
///
/// ```
/// use memor_core::Role;
/// use memor_render::Messages;
///
/// let mut messages = Messages::new();
/// messages.push(Role::User, "Hi");
/// messages.push(Role::Assistant, "Hello!");
/// assert_eq!(messages.len(), 2);
/// assert_eq!(messages.get(1).map(|m| m.content), Some("Hello!"));
/// let roles: Vec<Role> = messages.iter().map(|m| m.role).collect();
/// assert_eq!(roles, [Role::User, Role::Assistant]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Messages {
    text: String,
    /// Each message's role and the end of its text in `text`.
    ends: Vec<(Role, usize)>,
}

/// One message of [`Messages`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageRef<'a> {
    /// memor's role, written as its name (`user`, `assistant`, `system`).
    pub role: Role,
    /// The message's text.
    pub content: &'a str,
}

impl Messages {
    /// No message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `messages` messages and `bytes` bytes of text; both grow as needed.
    pub fn with_capacity(messages: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(messages),
        }
    }

    /// Adds a message.
    pub fn push(&mut self, role: Role, content: &str) {
        self.text.push_str(content);
        self.ends.push((role, self.text.len()));
    }

    /// Adds a message whose text `write` appends to the buffer it is given. If `write` fails,
    /// nothing is added.
    ///
    /// # Errors
    /// `write`'s.
    pub fn push_with<E>(
        &mut self,
        role: Role,
        write: impl FnOnce(&mut String) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = self.text.len();
        match write(&mut self.text) {
            Ok(()) => {
                self.ends.push((role, self.text.len()));
                Ok(())
            }
            Err(e) => {
                self.text.truncate(start);
                Err(e)
            }
        }
    }

    /// The number of messages.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no message.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The message at `index`.
    pub fn get(&self, index: usize) -> Option<MessageRef<'_>> {
        let &(role, end) = self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(previous) => self.ends.get(previous).map_or(0, |&(_, e)| e),
            None => 0,
        };
        Some(MessageRef {
            role,
            content: self.text.get(start..end).unwrap_or_default(),
        })
    }

    /// The messages, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = MessageRef<'_>> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&(role, end)| {
            let content = self.text.get(start..end).unwrap_or_default();
            start = end;
            MessageRef { role, content }
        })
    }
}

impl serde::Serialize for MessageRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("role", self.role.as_str())?;
        map.serialize_entry("content", self.content)?;
        map.end()
    }
}

impl serde::Serialize for Messages {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl Payload {
    /// The payload as text: JSON as Python's `json.dumps` writes it, or the string itself.
    pub fn to_json_string(&self) -> String {
        match self {
            Payload::Json(v) => memor_core::json::to_string(v).unwrap_or_default(),
            Payload::Messages(messages) => {
                memor_core::json::to_string(messages).unwrap_or_default()
            }
            Payload::Text(t) => t.clone(),
            Payload::Python(v) => memor_core::json::to_string(v).unwrap_or_default(),
        }
    }

    /// The JSON body, when this is a [`Payload::Json`]; see [`to_value`](Payload::to_value)
    /// for any JSON payload.
    pub fn as_json(&self) -> Option<&serde_json::Value> {
        match self {
            Payload::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The payload as a JSON value, when it is JSON ([`Payload::Json`], [`Payload::Messages`]).
    ///
    /// ```
    /// use memor_core::{Prompt, Session};
    /// use memor_render::{RenderOptions, target};
    ///
    /// let session = Session::with_messages(None, vec![Prompt::new("Hi").into()]);
    /// let rendered = target("openai").unwrap().render(&session, &RenderOptions::default())?;
    /// assert_eq!(
    ///     rendered.payload.to_value(),
    ///     Some(serde_json::json!([{"role": "user", "content": "Hi"}]))
    /// );
    /// # Ok::<(), memor_render::Error>(())
    /// ```
    pub fn to_value(&self) -> Option<serde_json::Value> {
        match self {
            Payload::Json(v) => Some(v.clone()),
            Payload::Messages(messages) => serde_json::to_value(messages).ok(),
            _ => None,
        }
    }

    /// The text, when this is a string payload.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Payload::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A render's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// What to send.
    pub payload: Payload,
    /// What changed between the session and the payload.
    pub report: Report,
    /// Warnings memor 1.4 would emit for this render (size thresholds, AI Studio system role).
    pub warnings: Vec<String>,
}

/// Options of a render. Targets use what applies to them.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct RenderOptions {
    /// The model name to put in the request.
    pub model: Option<String>,
    /// The most tokens to generate.
    pub max_tokens: Option<u64>,
    /// The sampling temperature.
    pub temperature: Option<f64>,
    /// For chat templates: end with the opening of an assistant turn.
    pub add_generation_prompt: bool,
    /// A target's variant (e.g. `v7` for Mistral, `gemma3` for Gemma).
    pub variant: Option<String>,
}

impl RenderOptions {
    /// Sets the model.
    #[must_use]
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }
    /// Sets the maximum output tokens.
    #[must_use]
    pub fn max_tokens(mut self, max_tokens: u64) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }
    /// Sets the temperature.
    #[must_use]
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }
    /// Asks chat templates for a generation prompt.
    #[must_use]
    pub fn add_generation_prompt(mut self, yes: bool) -> Self {
        self.add_generation_prompt = yes;
        self
    }
    /// Chooses a variant of the target.
    #[must_use]
    pub fn variant(mut self, variant: impl Into<String>) -> Self {
        self.variant = Some(variant.into());
        self
    }
}

/// A model or provider format that sessions render to.
///
/// Implement it to add a target; only [`name`](Target::name) and [`render`](Target::render) are
/// required. A target must be usable from several threads.
pub trait Target: Send + Sync {
    /// The name, as the CLI spells it (`openai`, `anthropic`...).
    fn name(&self) -> &str;

    /// Renders the enabled messages of `session`.
    ///
    /// # Errors
    /// A message that cannot be turned into text, or a session the target cannot express.
    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error>;

    /// Renders one message on its own.
    ///
    /// # Errors
    /// As [`render`](Target::render).
    fn render_message(
        &self,
        message: &Message,
        options: &RenderOptions,
    ) -> Result<Rendered, Error> {
        let session = Session::with_messages(None, vec![message.clone()]);
        self.render(&session, options)
    }

    /// Checks a payload against the target's rules, offline; an empty list means it passes.
    fn validate(&self, payload: &Payload) -> Vec<Violation> {
        let _ = payload;
        Vec::new()
    }
}

/// The built-in targets, by name.
pub fn targets() -> Vec<Box<dyn Target>> {
    vec![
        Box::new(Text),
        Box::new(OpenAi),
        Box::new(AiStudio),
        Box::new(Dictionary),
        Box::new(Items),
        Box::new(ChatMl),
        Box::new(Llama3),
        Box::new(Mistral::default()),
        Box::new(Gemma::default()),
        Box::new(Chat),
        Box::new(OpenAiResponses),
        Box::new(Anthropic),
        Box::new(Gemini),
        Box::new(Ollama),
    ]
}

/// The built-in target named `name`.
pub fn target(name: &str) -> Option<Box<dyn Target>> {
    targets().into_iter().find(|t| t.name() == name)
}

/// The text of each enabled message with its index, as memor's STRING render gives it.
pub(crate) fn enabled_texts(session: &Session) -> Result<Vec<(usize, &Message, String)>, Error> {
    session
        .enabled_messages()
        .map(|(index, message)| {
            message
                .render_string()
                .map(|text| (index, message, text.into_owned()))
                .map_err(|source| Error::Message { index, source })
        })
        .collect()
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
