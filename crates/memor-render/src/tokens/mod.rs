//! Token counts that say what they are: exact under an OpenAI encoding, or an estimate.
//!
//! Every [`Count`] carries its [`CountKind`]: [`CountKind::Exact`] names the encoding
//! (`o200k_base`, `cl100k_base`...), [`CountKind::Estimate`] the method (one of memor 1.4's three
//! estimators). A [`Counter`] counts one way; [`Counter::for_model`] picks the way for a model
//! and says, with a [`Fallback`], when it could not count with the model's own encoding.
//!
//! # Exact counts
//!
//! Exact counts need the cargo feature `tiktoken` (tiktoken-rs, offline: the encodings ship
//! inside the crate). Without it, [`Counter::exact`] fails with
//! [`TokenError::ExactUnavailable`], and [`Counter::for_model`] falls back to an estimate that
//! says so ([`Fallback::ExactUnavailable`]): a count is never exact by accident.
//!
//! A text is encoded as ordinary text: the text of a special token (`<|endoftext|>`) counts as
//! the plain text it is, the way the APIs read message content.
//!
//! # Counting a render
//!
//! [`Counter::count_payload`] and [`Counter::count_render`] count what a target sends:
//!
//! - a chat payload ([`Framing::Chat`]): the turns of the request (system fields such as
//!   Anthropic's `system`, Gemini's `systemInstruction` or the Responses API's `instructions`
//!   count as one `system` turn each) with the rule of OpenAI's cookbook
//!   (`num_tokens_from_messages` in "How to count tokens with tiktoken"):
//!   [`TOKENS_PER_MESSAGE`] for each turn, plus its role's and its content's tokens, plus the
//!   `name`'s tokens and [`TOKENS_PER_NAME`] when it has one, plus [`REPLY_PRIMING`] once for
//!   the reply. Content given as parts counts each text part; the request's other members
//!   (`model`, `max_tokens`...) are not part of the prompt and are not counted;
//! - a prompt string ([`Framing::Text`]): the string itself, whose template markers are text;
//!   a payload of another shape counts as its JSON text.
//!
//! With an OpenAI encoding this is the count OpenAI's models see for `chat`, `openai` and
//! `openai-responses` payloads. Other providers do not publish their tokenizers: the count of
//! their payloads under an OpenAI encoding is exact *for that encoding*, which is what its kind
//! says, and not their models' count; [`Counter::for_model`] estimates for those models.
//!
//! ```
//! use memor_core::estimate::Estimator;
//! use memor_core::{Prompt, Response, Session};
//! use memor_render::tokens::{Count, CountKind, Counter, EstimateMethod};
//! use memor_render::{RenderOptions, target};
//!
//! let mut prompt = Prompt::new("Capital of France?");
//! prompt.add_response(Response::new("Paris."), None);
//! let session = Session::with_messages(None, vec![prompt.into(), Response::new("Paris.").into()]);
//!
//! let counter = Counter::for_model("claude-sonnet-4.5", Estimator::Universal);
//! let openai = target("openai").expect("a built-in target");
//! let count = counter.count_render(openai.as_ref(), &session, &RenderOptions::default())?;
//! assert_eq!(
//!     count.total.kind,
//!     CountKind::Estimate { method: EstimateMethod::Memor(Estimator::Universal) }
//! );
//! assert_eq!(count.turns.len(), 2);
//! # Ok::<(), memor_render::Error>(())
//! ```
//!
//! With the `tiktoken` feature:
//!
//! ```
//! # #[cfg(feature = "tiktoken")] {
//! use memor_render::tokens::{ChatMessage, Counter, Encoding};
//!
//! let counter = Counter::exact(Encoding::O200kBase)?;
//! assert_eq!(counter.count_text("tiktoken is great!").tokens, 6);
//! // 3 + "user" (1) + "Hello!" (2), and 3 for the reply.
//! let chat = counter.count_chat(&[ChatMessage::new("user", "Hello!")]);
//! assert_eq!(chat.tokens, 9);
//! assert_eq!(chat.to_string(), "9 tokens (exact, o200k_base)");
//! # }
//! # Ok::<(), memor_render::tokens::TokenError>(())
//! ```

mod models;
mod payload;

use std::fmt;
use std::str::FromStr;

use memor_core::estimate::Estimator;
use memor_core::{Message, Role, Session};

use crate::{Error, Payload, RenderOptions, Target};

pub use models::{ModelEncoding, model_encoding};

/// Tokens each turn of a chat request costs besides its role and content (OpenAI's cookbook).
pub const TOKENS_PER_MESSAGE: usize = 3;

/// Tokens a turn's `name` costs besides its own text (OpenAI's cookbook).
pub const TOKENS_PER_NAME: usize = 1;

/// Tokens that prime the reply of a chat request, once per request (OpenAI's cookbook:
/// `<|start|>assistant<|message|>`).
pub const REPLY_PRIMING: usize = 3;

/// An OpenAI byte-pair encoding (a tiktoken encoding), by its tiktoken name.
///
/// ```
/// use memor_render::tokens::Encoding;
/// let encoding: Encoding = "cl100k_base".parse()?;
/// assert_eq!(encoding, Encoding::Cl100kBase);
/// assert_eq!(Encoding::O200kBase.to_string(), "o200k_base");
/// # Ok::<(), memor_render::tokens::TokenError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Encoding {
    /// `o200k_base`: `gpt-4o`, `gpt-4.1`, `gpt-4.5`, `gpt-5`, `o1`, `o3`, `o4-mini`...
    O200kBase,
    /// `o200k_harmony`: the `gpt-oss` models (`o200k_base` with the harmony format's special
    /// tokens; ordinary text counts the same).
    O200kHarmony,
    /// `cl100k_base`: `gpt-4`, `gpt-3.5-turbo`, `text-embedding-3-*`...
    Cl100kBase,
    /// `p50k_base`: `text-davinci-002`, `text-davinci-003`, the Codex models.
    P50kBase,
    /// `p50k_edit`: the edit models (`p50k_base` with the fill-in-the-middle special tokens;
    /// ordinary text counts the same).
    P50kEdit,
    /// `r50k_base` (also called `gpt2`): GPT-3's `davinci`, `curie`, `babbage`, `ada`.
    R50kBase,
}

impl Encoding {
    /// Every encoding.
    pub const ALL: [Self; 6] = [
        Self::O200kBase,
        Self::O200kHarmony,
        Self::Cl100kBase,
        Self::P50kBase,
        Self::P50kEdit,
        Self::R50kBase,
    ];

    /// tiktoken's name of the encoding.
    ///
    /// ```
    /// assert_eq!(memor_render::tokens::Encoding::R50kBase.name(), "r50k_base");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::O200kBase => "o200k_base",
            Self::O200kHarmony => "o200k_harmony",
            Self::Cl100kBase => "cl100k_base",
            Self::P50kBase => "p50k_base",
            Self::P50kEdit => "p50k_edit",
            Self::R50kBase => "r50k_base",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Encoding {
    type Err = TokenError;

    /// tiktoken's names, and `gpt2` for `r50k_base`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "gpt2" {
            return Ok(Self::R50kBase);
        }
        Self::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| TokenError::UnknownEncoding { name: s.to_owned() })
    }
}

/// How an estimate was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EstimateMethod {
    /// One of memor 1.4's estimators ([`memor_core::estimate`]) applied to each text, exactly as
    /// memor computes it.
    Memor(Estimator),
}

impl fmt::Display for EstimateMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memor(estimator) => write!(f, "memor {estimator}"),
        }
    }
}

/// What a count is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CountKind {
    /// The tokens `encoding` gives: an exact count.
    Exact {
        /// The encoding.
        encoding: Encoding,
    },
    /// An estimate: the real count may be higher or lower.
    Estimate {
        /// How it was estimated.
        method: EstimateMethod,
    },
}

impl CountKind {
    /// Whether the count is exact.
    ///
    /// ```
    /// use memor_render::tokens::{CountKind, Encoding};
    /// assert!(CountKind::Exact { encoding: Encoding::O200kBase }.is_exact());
    /// ```
    pub const fn is_exact(self) -> bool {
        matches!(self, Self::Exact { .. })
    }
}

impl fmt::Display for CountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact { encoding } => write!(f, "exact, {encoding}"),
            Self::Estimate { method } => write!(f, "estimate, {method}"),
        }
    }
}

/// A number of tokens and what kind of count it is.
///
/// ```
/// use memor_core::estimate::Estimator;
/// use memor_render::tokens::Counter;
///
/// let count = Counter::estimate(Estimator::Universal).count_text("Hello, world!");
/// assert!(!count.is_exact());
/// assert_eq!(count.to_string(), format!("{} tokens (estimate, memor UNIVERSAL)", count.tokens));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Count {
    /// The number of tokens.
    pub tokens: usize,
    /// What the number is.
    pub kind: CountKind,
}

impl Count {
    /// Whether the count is exact.
    pub const fn is_exact(&self) -> bool {
        self.kind.is_exact()
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = if self.tokens == 1 { "token" } else { "tokens" };
        write!(f, "{} {unit} ({})", self.tokens, self.kind)
    }
}

/// Why token counting failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Exact counts were asked for, and this build has no tokenizer.
    #[error(
        "exact {encoding} counts are not available: memor-render was built without its \
         `tiktoken` feature"
    )]
    ExactUnavailable {
        /// The encoding asked for.
        encoding: Encoding,
    },
    /// A name that is not one of the encodings.
    #[error(
        "unknown encoding {name:?} (known: o200k_base, o200k_harmony, cl100k_base, p50k_base, \
         p50k_edit, r50k_base)"
    )]
    UnknownEncoding {
        /// The name.
        name: String,
    },
}

/// Why [`Counter::for_model`] does not count exactly with the model's own, published encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fallback {
    /// The model's encoding is not published: counts are exact under `encoding`, which is
    /// assumed to be the model's ([`ModelEncoding::Assumed`]).
    AssumedEncoding {
        /// The encoding counted with.
        encoding: Encoding,
    },
    /// The model's encoding (`encoding`, known or assumed) cannot be used: this build has no
    /// tokenizer (the `tiktoken` feature). Counts are estimates.
    ExactUnavailable {
        /// The model's encoding.
        encoding: Encoding,
    },
    /// No tokenizer of the model is available offline (Anthropic, Google, open models, an
    /// unknown name). Counts are estimates.
    UnknownModel,
}

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AssumedEncoding { encoding } => write!(
                f,
                "the model's encoding is not published: {encoding} is assumed"
            ),
            Self::ExactUnavailable { encoding } => write!(
                f,
                "the model uses {encoding}, but this build cannot count it exactly (no \
                 `tiktoken` feature): estimated instead"
            ),
            Self::UnknownModel => {
                f.write_str("no tokenizer of this model is available offline: estimated instead")
            }
        }
    }
}

/// How a payload's tokens are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Framing {
    /// A chat request, turn by turn, with the framing tokens of OpenAI's cookbook
    /// ([`TOKENS_PER_MESSAGE`], [`TOKENS_PER_NAME`], [`REPLY_PRIMING`]).
    Chat,
    /// One text: a prompt string, or a payload of no chat shape as its JSON text.
    Text,
}

impl Framing {
    /// The framing of what `target` renders: [`Framing::Chat`] when it renders a chat request,
    /// found by rendering a one-message session; [`Framing::Text`] otherwise (or when that
    /// render fails).
    ///
    /// ```
    /// use memor_render::tokens::Framing;
    /// use memor_render::{RenderOptions, target};
    ///
    /// let options = RenderOptions::default();
    /// let framing = |name| Framing::for_target(target(name).unwrap().as_ref(), &options);
    /// assert_eq!(framing("anthropic"), Framing::Chat);
    /// assert_eq!(framing("chatml"), Framing::Text);
    /// ```
    pub fn for_target(target: &dyn Target, options: &RenderOptions) -> Self {
        let probe = Session::with_messages(None, vec![memor_core::Prompt::new("x").into()]);
        match target.render(&probe, options) {
            Ok(rendered) => match &rendered.payload {
                Payload::Json(value) if payload::chat_turns(value).is_some() => Self::Chat,
                Payload::Messages(_) => Self::Chat,
                _ => Self::Text,
            },
            Err(_) => Self::Text,
        }
    }
}

/// One message of a chat request, for [`Counter::count_chat`].
///
/// ```
/// use memor_render::tokens::ChatMessage;
/// let message = ChatMessage::new("user", "Hi").name("ada");
/// assert_eq!(message.name, Some("ada"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChatMessage<'a> {
    /// The role (`system`, `user`, `assistant`...).
    pub role: &'a str,
    /// The text.
    pub content: &'a str,
    /// The author's name, when the message has one.
    pub name: Option<&'a str>,
}

impl<'a> ChatMessage<'a> {
    /// A message with no name.
    pub const fn new(role: &'a str, content: &'a str) -> Self {
        Self {
            role,
            content,
            name: None,
        }
    }

    /// Sets the author's name.
    #[must_use]
    pub const fn name(mut self, name: &'a str) -> Self {
        self.name = Some(name);
        self
    }
}

/// One turn of a counted payload.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TurnCount {
    /// The role as the payload names it (`model` for Gemini's assistant); `system` for a
    /// system field.
    pub role: String,
    /// Its tokens: framing, role, name and content.
    pub tokens: usize,
}

/// The count of a payload: its total, and each turn.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RenderCount {
    /// Everything, framing and reply priming included.
    pub total: Count,
    /// How the payload was counted.
    pub framing: Framing,
    /// Each turn in the payload's order, system fields first ([`Framing::Chat`]; empty for
    /// [`Framing::Text`]).
    pub turns: Vec<TurnCount>,
}

/// The count of one message of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MessageCount {
    /// The message's index in the session.
    pub index: usize,
    /// memor's role of the message.
    pub role: Role,
    /// Its tokens (see [`Counter::count_message`]).
    pub tokens: usize,
}

/// Counts tokens one way: exactly under an encoding, or with an estimator.
///
/// A counter is a small `Copy` value; exact counters share one tokenizer per encoding, loaded
/// on first use.
///
/// ```
/// use memor_core::estimate::Estimator;
/// use memor_render::tokens::{Counter, Fallback};
///
/// let counter = Counter::for_model("gemini-2.5-pro", Estimator::Universal);
/// assert_eq!(counter.fallback(), Some(Fallback::UnknownModel));
/// assert!(!counter.kind().is_exact());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Counter {
    kind: CountKind,
    fallback: Option<Fallback>,
}

impl Counter {
    /// Exact counts under `encoding`.
    ///
    /// # Errors
    /// [`TokenError::ExactUnavailable`] when memor-render was built without its `tiktoken`
    /// feature.
    ///
    /// ```
    /// use memor_render::tokens::{Counter, Encoding, TokenError};
    ///
    /// match Counter::exact(Encoding::Cl100kBase) {
    ///     Ok(counter) => assert_eq!(counter.count_text("tiktoken is great!").tokens, 6),
    ///     Err(e) => assert_eq!(e, TokenError::ExactUnavailable { encoding: Encoding::Cl100kBase }),
    /// }
    /// ```
    pub fn exact(encoding: Encoding) -> Result<Self, TokenError> {
        if cfg!(feature = "tiktoken") {
            Ok(Self {
                kind: CountKind::Exact { encoding },
                fallback: None,
            })
        } else {
            Err(TokenError::ExactUnavailable { encoding })
        }
    }

    /// Estimates with one of memor's estimators.
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_render::tokens::Counter;
    /// assert_eq!(Counter::estimate(Estimator::OpenAiGpt4).count_text("Hello").tokens, 1);
    /// ```
    pub const fn estimate(estimator: Estimator) -> Self {
        Self {
            kind: CountKind::Estimate {
                method: EstimateMethod::Memor(estimator),
            },
            fallback: None,
        }
    }

    /// The counter for `model`: exact under its encoding ([`model_encoding`]) when this build
    /// can count it, otherwise `fallback`; [`Counter::fallback`] says why when the counter is
    /// not exact under the model's published encoding.
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_render::tokens::{Counter, CountKind, Encoding, Fallback};
    ///
    /// let counter = Counter::for_model("gpt-4o", Estimator::Universal);
    /// if cfg!(feature = "tiktoken") {
    ///     assert_eq!(counter.kind(), CountKind::Exact { encoding: Encoding::O200kBase });
    ///     assert_eq!(counter.fallback(), None);
    /// } else {
    ///     assert_eq!(
    ///         counter.fallback(),
    ///         Some(Fallback::ExactUnavailable { encoding: Encoding::O200kBase })
    ///     );
    /// }
    /// ```
    pub fn for_model(model: &str, fallback: Estimator) -> Self {
        let estimate = |why| Self {
            fallback: Some(why),
            ..Self::estimate(fallback)
        };
        match model_encoding(model) {
            ModelEncoding::Known(encoding) => Self::exact(encoding)
                .unwrap_or_else(|_| estimate(Fallback::ExactUnavailable { encoding })),
            ModelEncoding::Assumed(encoding) => match Self::exact(encoding) {
                Ok(counter) => Self {
                    fallback: Some(Fallback::AssumedEncoding { encoding }),
                    ..counter
                },
                Err(_) => estimate(Fallback::ExactUnavailable { encoding }),
            },
            ModelEncoding::Unknown => estimate(Fallback::UnknownModel),
        }
    }

    /// What this counter's counts are.
    pub const fn kind(&self) -> CountKind {
        self.kind
    }

    /// Why the counter chosen by [`Counter::for_model`] is not exact under the model's
    /// published encoding; `None` for the other constructors.
    pub const fn fallback(&self) -> Option<Fallback> {
        self.fallback
    }

    /// The tokens of `text`, as a bare number.
    pub fn tokens(&self, text: &str) -> usize {
        match self.kind {
            CountKind::Exact { encoding } => exact_tokens(encoding, text),
            CountKind::Estimate {
                method: EstimateMethod::Memor(estimator),
            } => estimator.estimate(text),
        }
    }

    /// A count of this counter's kind.
    const fn count(self, tokens: usize) -> Count {
        Count {
            tokens,
            kind: self.kind,
        }
    }

    /// The tokens of `text`.
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_render::tokens::Counter;
    /// assert_eq!(Counter::estimate(Estimator::Universal).count_text("").tokens, 0);
    /// ```
    pub fn count_text(&self, text: &str) -> Count {
        self.count(self.tokens(text))
    }

    /// The tokens of a chat request made of `messages`, with the cookbook's framing (see the
    /// [module docs](self)).
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_render::tokens::{ChatMessage, Counter};
    ///
    /// let counter = Counter::estimate(Estimator::Universal);
    /// // No message: the reply priming alone.
    /// assert_eq!(counter.count_chat(&[]).tokens, 3);
    /// ```
    pub fn count_chat(&self, messages: &[ChatMessage<'_>]) -> Count {
        let turns: usize = messages
            .iter()
            .map(|m| self.turn_tokens(m.role, m.name, std::iter::once(m.content)))
            .sum();
        self.count(turns + REPLY_PRIMING)
    }

    /// One chat turn: framing, role, name and texts.
    fn turn_tokens<'t>(
        self,
        role: &str,
        name: Option<&str>,
        texts: impl IntoIterator<Item = &'t str>,
    ) -> usize {
        let name = name.map_or(0, |name| self.tokens(name) + TOKENS_PER_NAME);
        let content: usize = texts.into_iter().map(|t| self.tokens(t)).sum();
        TOKENS_PER_MESSAGE + self.tokens(role) + name + content
    }

    /// The tokens of a payload, turn by turn when it is a chat request (see the
    /// [module docs](self)).
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_render::Payload;
    /// use memor_render::tokens::{Counter, Framing};
    ///
    /// let counter = Counter::estimate(Estimator::Universal);
    /// let text = counter.count_payload(&Payload::Text("<s>[INST] Hi [/INST]".into()));
    /// assert_eq!(text.framing, Framing::Text);
    /// let chat = counter.count_payload(&Payload::Json(serde_json::json!(
    ///     {"system": "Be brief.", "messages": [{"role": "user", "content": "Hi"}]}
    /// )));
    /// assert_eq!(chat.framing, Framing::Chat);
    /// assert_eq!(chat.turns[0].role, "system");
    /// assert_eq!(chat.total.tokens, chat.turns.iter().map(|t| t.tokens).sum::<usize>() + 3);
    /// ```
    pub fn count_payload(&self, payload: &Payload) -> RenderCount {
        let text = match payload {
            Payload::Json(value) => {
                if let Some(turns) = payload::chat_turns(value) {
                    let turns: Vec<TurnCount> = turns
                        .into_iter()
                        .map(|t| TurnCount {
                            role: t.role.to_owned(),
                            tokens: self.turn_tokens(t.role, t.name, t.texts),
                        })
                        .collect();
                    return self.chat_count(turns);
                }
                payload.to_json_string()
            }
            Payload::Messages(list) => {
                let turns = list
                    .iter()
                    .map(|t| TurnCount {
                        role: t.role.as_str().to_owned(),
                        tokens: self.turn_tokens(t.role.as_str(), None, [t.content]),
                    })
                    .collect();
                return self.chat_count(turns);
            }
            Payload::Text(text) => {
                return RenderCount {
                    total: self.count_text(text),
                    framing: Framing::Text,
                    turns: Vec::new(),
                };
            }
            Payload::Python(_) => payload.to_json_string(),
        };
        RenderCount {
            total: self.count_text(&text),
            framing: Framing::Text,
            turns: Vec::new(),
        }
    }

    /// The count of a chat request's turns: their tokens and the reply priming.
    fn chat_count(self, turns: Vec<TurnCount>) -> RenderCount {
        let total = turns.iter().map(|t| t.tokens).sum::<usize>() + REPLY_PRIMING;
        RenderCount {
            total: self.count(total),
            framing: Framing::Chat,
            turns,
        }
    }

    /// Renders `session` for `target` and counts what it sends.
    ///
    /// # Errors
    /// The render's.
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_core::{Prompt, Session};
    /// use memor_render::tokens::Counter;
    /// use memor_render::{RenderOptions, target};
    ///
    /// let session = Session::with_messages(None, vec![Prompt::new("Hi").into()]);
    /// let counter = Counter::estimate(Estimator::Universal);
    /// let count = counter.count_render(target("chat").unwrap().as_ref(), &session, &RenderOptions::default())?;
    /// assert_eq!(count.turns.len(), 1);
    /// # Ok::<(), memor_render::Error>(())
    /// ```
    pub fn count_render(
        &self,
        target: &dyn Target,
        session: &Session,
        options: &RenderOptions,
    ) -> Result<RenderCount, Error> {
        let rendered = target.render(session, options)?;
        Ok(self.count_payload(&rendered.payload))
    }

    /// The tokens of one message sent as its own turn: its text (its STRING render, what every
    /// target sends) and, with [`Framing::Chat`], [`TOKENS_PER_MESSAGE`] and its role.
    ///
    /// # Errors
    /// A prompt whose template does not render ([`Error::Message`] with index 0).
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_core::Response;
    /// use memor_render::tokens::{Counter, Framing};
    ///
    /// let counter = Counter::estimate(Estimator::Universal);
    /// let message = Response::new("Paris.").into();
    /// let text = counter.count_message(&message, Framing::Text)?;
    /// let chat = counter.count_message(&message, Framing::Chat)?;
    /// assert_eq!(chat.tokens, text.tokens + 3 + counter.tokens("assistant"));
    /// # Ok::<(), memor_render::Error>(())
    /// ```
    pub fn count_message(&self, message: &Message, framing: Framing) -> Result<Count, Error> {
        self.message_tokens(message, 0, framing)
            .map(|n| self.count(n))
    }

    /// [`count_message`](Self::count_message) of each enabled message of `session`.
    ///
    /// # Errors
    /// A prompt whose template does not render ([`Error::Message`] with its index).
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_core::{Prompt, Response, Session};
    /// use memor_render::tokens::{Counter, Framing};
    ///
    /// let mut session = Session::with_messages(None, vec![Prompt::new("Hi").into(), Response::new("Hello!").into()]);
    /// session.disable_message(0)?;
    /// let counts = Counter::estimate(Estimator::Universal).count_messages(&session, Framing::Chat)?;
    /// assert_eq!(counts.len(), 1);
    /// assert_eq!(counts[0].index, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count_messages(
        &self,
        session: &Session,
        framing: Framing,
    ) -> Result<Vec<MessageCount>, Error> {
        session
            .enabled_messages()
            .map(|(index, message)| {
                Ok(MessageCount {
                    index,
                    role: message.role(),
                    tokens: self.message_tokens(message, index, framing)?,
                })
            })
            .collect()
    }

    /// The tokens of one message as [`count_message`](Self::count_message) counts them.
    pub(crate) fn message_tokens(
        self,
        message: &Message,
        index: usize,
        framing: Framing,
    ) -> Result<usize, Error> {
        let text = message
            .render_string()
            .map_err(|source| Error::Message { index, source })?;
        Ok(match framing {
            Framing::Chat => self.turn_tokens(message.role().as_str(), None, [text.as_ref()]),
            Framing::Text => self.tokens(&text),
        })
    }
}

/// The tokens of `text` under `encoding`.
#[cfg(feature = "tiktoken")]
fn exact_tokens(encoding: Encoding, text: &str) -> usize {
    let bpe = match encoding {
        Encoding::O200kBase => tiktoken_rs::o200k_base_singleton(),
        Encoding::O200kHarmony => tiktoken_rs::o200k_harmony_singleton(),
        Encoding::Cl100kBase => tiktoken_rs::cl100k_base_singleton(),
        Encoding::P50kBase => tiktoken_rs::p50k_base_singleton(),
        Encoding::P50kEdit => tiktoken_rs::p50k_edit_singleton(),
        Encoding::R50kBase => tiktoken_rs::r50k_base_singleton(),
    };
    bpe.encode_ordinary(text).len()
}

/// Without a tokenizer no exact counter can be made ([`Counter::exact`] refuses), so this is
/// never reached; it estimates rather than pretend.
#[cfg(not(feature = "tiktoken"))]
fn exact_tokens(_: Encoding, text: &str) -> usize {
    Estimator::default().estimate(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for encoding in Encoding::ALL {
            assert_eq!(encoding.name().parse::<Encoding>(), Ok(encoding));
        }
        assert_eq!("gpt2".parse::<Encoding>(), Ok(Encoding::R50kBase));
        assert!(matches!(
            "o100k".parse::<Encoding>(),
            Err(TokenError::UnknownEncoding { .. })
        ));
    }

    #[test]
    fn displays() {
        let estimate = Counter::estimate(Estimator::OpenAiGpt35);
        assert_eq!(
            estimate.count(1).to_string(),
            "1 token (estimate, memor OPENAI_GPT_3_5)"
        );
        let exact = Count {
            tokens: 12,
            kind: CountKind::Exact {
                encoding: Encoding::Cl100kBase,
            },
        };
        assert_eq!(exact.to_string(), "12 tokens (exact, cl100k_base)");
        assert!(Fallback::UnknownModel.to_string().contains("estimated"));
    }

    #[test]
    fn chat_framing_adds_up() {
        let counter = Counter::estimate(Estimator::Universal);
        let hello = counter.tokens("Hello there");
        let user = counter.tokens("user");
        let ada = counter.tokens("ada");
        let count = counter.count_chat(&[
            ChatMessage::new("user", "Hello there"),
            ChatMessage::new("user", "Hello there").name("ada"),
        ]);
        assert_eq!(
            count.tokens,
            2 * (TOKENS_PER_MESSAGE + user + hello) + ada + TOKENS_PER_NAME + REPLY_PRIMING
        );
    }
}
