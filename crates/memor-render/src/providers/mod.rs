//! Provider request bodies: OpenAI Chat Completions (`chat`), OpenAI Responses
//! (`openai-responses`), Anthropic Messages (`anthropic`), Gemini `generateContent`
//! (`gemini`) and Ollama `/api/chat` (`ollama`), each with an offline validator.
//!
//! Every target sends, in order, each ENABLED message of the session as one turn: its text is
//! the message's STRING render (a prompt's template render; an error there is
//! [`Error::Message`](crate::Error::Message)), its role memor's role. A prompt's responses are
//! not sent unless they are messages of the session too. Masked messages are left out and
//! reported [`Masked`](crate::Change::Masked), first in the report; then come the changes each
//! provider's rules force, described in each module. Where a provider needs a user turn the
//! session does not have, a user turn [`SYNTHESIZED_USER_TEXT`] is added and reported; no
//! target drops a message that has text, except where a provider refuses it (Anthropic:
//! whitespace only).
//!
//! The request parameters come from [`RenderOptions`](crate::RenderOptions): `model` (a
//! default, named in a warning, when not given), `temperature` (checked against the
//! provider's range) and `max_tokens`. Each validator takes any JSON and names each rule a
//! payload breaks, with the index of the turn at fault; it never panics.

mod anthropic;
mod chat;
mod gemini;
mod ollama;
mod openai_responses;
mod support;

pub use anthropic::Anthropic;
pub use chat::Chat;
pub use gemini::Gemini;
pub use ollama::Ollama;
pub use openai_responses::OpenAiResponses;
pub use support::SYNTHESIZED_USER_TEXT;
