//! Which encoding an OpenAI model uses.
//!
//! The table follows `tiktoken/model.py` of tiktoken 0.14.0 (`MODEL_TO_ENCODING` and
//! `MODEL_PREFIX_TO_ENCODING`), with memor's own spellings of the reasoning models
//! (`gpt-o1`, `gpt-o3-mini`...) and the rules for names it does not list.

use super::Encoding;

/// What is known of a model's tokenizer, offline: the answer of [`model_encoding`].
///
/// ```
/// use memor_render::tokens::{Encoding, ModelEncoding, model_encoding};
///
/// assert_eq!(model_encoding("gpt-4o"), ModelEncoding::Known(Encoding::O200kBase));
/// assert_eq!(model_encoding("gpt-4-0613"), ModelEncoding::Known(Encoding::Cl100kBase));
/// assert_eq!(model_encoding("gpt-9"), ModelEncoding::Assumed(Encoding::O200kBase));
/// assert_eq!(model_encoding("claude-sonnet-4.5"), ModelEncoding::Unknown);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelEncoding {
    /// The model's encoding, as OpenAI publishes it: the model's name, a dated snapshot of it
    /// (`gpt-4o-2024-08-06`), a fine-tune of it (`ft:gpt-4o-mini:org::id`), or memor's spelling
    /// of it (`gpt-o3-mini`).
    Known(Encoding),
    /// An OpenAI model name that no published table lists (a newer `gpt-N` or `oN` model):
    /// `o200k_base`, the encoding of every OpenAI chat model since `gpt-4o`, is assumed.
    Assumed(Encoding),
    /// Not an OpenAI model, or a name that says nothing of its tokenizer (`unknown`): no
    /// tokenizer is available offline.
    Unknown,
}

impl ModelEncoding {
    /// The encoding, known or assumed.
    ///
    /// ```
    /// use memor_render::tokens::{Encoding, model_encoding};
    /// assert_eq!(model_encoding("gpt-3.5-turbo").encoding(), Some(Encoding::Cl100kBase));
    /// assert_eq!(model_encoding("llama-3-8b").encoding(), None);
    /// ```
    pub const fn encoding(self) -> Option<Encoding> {
        match self {
            Self::Known(encoding) | Self::Assumed(encoding) => Some(encoding),
            Self::Unknown => None,
        }
    }
}

/// Model names and their encodings (tiktoken 0.14.0's `MODEL_TO_ENCODING`).
const BY_NAME: &[(&str, Encoding)] = &[
    // reasoning
    ("o1", Encoding::O200kBase),
    ("o3", Encoding::O200kBase),
    ("o4-mini", Encoding::O200kBase),
    // chat
    ("gpt-5", Encoding::O200kBase),
    ("gpt-4.1", Encoding::O200kBase),
    ("gpt-4o", Encoding::O200kBase),
    ("gpt-4", Encoding::Cl100kBase),
    ("gpt-3.5-turbo", Encoding::Cl100kBase),
    ("gpt-3.5", Encoding::Cl100kBase),
    ("gpt-35-turbo", Encoding::Cl100kBase),
    // base
    ("davinci-002", Encoding::Cl100kBase),
    ("babbage-002", Encoding::Cl100kBase),
    // embeddings
    ("text-embedding-ada-002", Encoding::Cl100kBase),
    ("text-embedding-3-small", Encoding::Cl100kBase),
    ("text-embedding-3-large", Encoding::Cl100kBase),
    // text (deprecated)
    ("text-davinci-003", Encoding::P50kBase),
    ("text-davinci-002", Encoding::P50kBase),
    ("text-davinci-001", Encoding::R50kBase),
    ("text-curie-001", Encoding::R50kBase),
    ("text-babbage-001", Encoding::R50kBase),
    ("text-ada-001", Encoding::R50kBase),
    ("davinci", Encoding::R50kBase),
    ("curie", Encoding::R50kBase),
    ("babbage", Encoding::R50kBase),
    ("ada", Encoding::R50kBase),
    // code (deprecated)
    ("code-davinci-002", Encoding::P50kBase),
    ("code-davinci-001", Encoding::P50kBase),
    ("code-cushman-002", Encoding::P50kBase),
    ("code-cushman-001", Encoding::P50kBase),
    ("davinci-codex", Encoding::P50kBase),
    ("cushman-codex", Encoding::P50kBase),
    // edit (deprecated)
    ("text-davinci-edit-001", Encoding::P50kEdit),
    ("code-davinci-edit-001", Encoding::P50kEdit),
    // old embeddings (deprecated)
    ("text-similarity-davinci-001", Encoding::R50kBase),
    ("text-similarity-curie-001", Encoding::R50kBase),
    ("text-similarity-babbage-001", Encoding::R50kBase),
    ("text-similarity-ada-001", Encoding::R50kBase),
    ("text-search-davinci-doc-001", Encoding::R50kBase),
    ("text-search-curie-doc-001", Encoding::R50kBase),
    ("text-search-babbage-doc-001", Encoding::R50kBase),
    ("text-search-ada-doc-001", Encoding::R50kBase),
    ("code-search-babbage-code-001", Encoding::R50kBase),
    ("code-search-ada-code-001", Encoding::R50kBase),
    // open source
    ("gpt2", Encoding::R50kBase),
    ("gpt-2", Encoding::R50kBase),
];

/// Name prefixes and their encodings, tried in order (tiktoken 0.14.0's
/// `MODEL_PREFIX_TO_ENCODING`, then `codex-mini`).
const BY_PREFIX: &[(&str, Encoding)] = &[
    ("o1-", Encoding::O200kBase),
    ("o3-", Encoding::O200kBase),
    ("o4-mini-", Encoding::O200kBase),
    ("gpt-5", Encoding::O200kBase),
    ("gpt-4.5-", Encoding::O200kBase),
    ("gpt-4.1-", Encoding::O200kBase),
    ("chatgpt-4o-", Encoding::O200kBase),
    ("gpt-4o-", Encoding::O200kBase),
    ("gpt-4-", Encoding::Cl100kBase),
    ("gpt-3.5-turbo-", Encoding::Cl100kBase),
    ("gpt-35-turbo-", Encoding::Cl100kBase),
    ("gpt-oss-", Encoding::O200kHarmony),
    ("codex-mini", Encoding::O200kBase),
];

/// Whether `name` starts with `prefix` followed by an ASCII digit.
fn digit_after(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.bytes().next())
        .is_some_and(|b| b.is_ascii_digit())
}

/// The encoding of an OpenAI model, from its name.
///
/// The name is read case-insensitively, without surrounding whitespace and without an
/// `openai/` prefix (as routers spell it). A fine-tune `ft:BASE:...` is its base model. memor's
/// spellings of the reasoning models (`gpt-o1`, `gpt-o4-mini`...) are OpenAI's (`o1`,
/// `o4-mini`). Then, in order:
///
/// 1. a name of tiktoken 0.14.0's table is [`ModelEncoding::Known`];
/// 2. so is a name beginning with one of its prefixes (`gpt-4o-`, `gpt-4-`, `gpt-5`...);
/// 3. another `gpt-N...`, `oN...` or `chatgpt-...` name is [`ModelEncoding::Assumed`] to use
///    `o200k_base`;
/// 4. anything else is [`ModelEncoding::Unknown`].
///
/// ```
/// use memor_render::tokens::{Encoding, ModelEncoding, model_encoding};
///
/// assert_eq!(model_encoding("gpt-4o-2024-08-06"), ModelEncoding::Known(Encoding::O200kBase));
/// assert_eq!(model_encoding("ft:gpt-3.5-turbo:acme::abc"), ModelEncoding::Known(Encoding::Cl100kBase));
/// assert_eq!(model_encoding("openai/gpt-oss-20b"), ModelEncoding::Known(Encoding::O200kHarmony));
/// assert_eq!(model_encoding("gpt-o3-mini"), ModelEncoding::Known(Encoding::O200kBase));
/// assert_eq!(model_encoding("text-davinci-003"), ModelEncoding::Known(Encoding::P50kBase));
/// assert_eq!(model_encoding("o7-preview"), ModelEncoding::Assumed(Encoding::O200kBase));
/// assert_eq!(model_encoding("unknown"), ModelEncoding::Unknown);
/// ```
pub fn model_encoding(model: &str) -> ModelEncoding {
    let lowered = model.trim().to_ascii_lowercase();
    let mut name = lowered.as_str();
    name = name.strip_prefix("openai/").unwrap_or(name);
    if let Some(rest) = name.strip_prefix("ft:") {
        name = rest.split(':').next().unwrap_or(rest);
    }
    // memor writes the reasoning models `gpt-o1`, `gpt-o3-mini`...
    if digit_after(name, "gpt-o") {
        name = name.get("gpt-".len()..).unwrap_or(name);
    }
    if let Some(&(_, encoding)) = BY_NAME.iter().find(|(known, _)| *known == name) {
        return ModelEncoding::Known(encoding);
    }
    if let Some(&(_, encoding)) = BY_PREFIX
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
    {
        return ModelEncoding::Known(encoding);
    }
    if digit_after(name, "gpt-") || digit_after(name, "o") || name.starts_with("chatgpt-") {
        return ModelEncoding::Assumed(Encoding::O200kBase);
    }
    ModelEncoding::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_spellings() {
        let known = |name: &str, encoding| {
            assert_eq!(
                model_encoding(name),
                ModelEncoding::Known(encoding),
                "{name}"
            );
        };
        known("gpt-4o-mini", Encoding::O200kBase);
        known("GPT-4o", Encoding::O200kBase);
        known("  gpt-4.1-nano ", Encoding::O200kBase);
        known("gpt-4.5-preview", Encoding::O200kBase);
        known("chatgpt-4o-latest", Encoding::O200kBase);
        known("o1-mini", Encoding::O200kBase);
        known("gpt-o1", Encoding::O200kBase);
        known("gpt-o4-mini-deep-research", Encoding::O200kBase);
        known("gpt-5.6-sol", Encoding::O200kBase);
        known("gpt-4-turbo", Encoding::Cl100kBase);
        known("gpt-4-32k-0314", Encoding::Cl100kBase);
        known("gpt-35-turbo-16k", Encoding::Cl100kBase);
        known("text-embedding-3-large", Encoding::Cl100kBase);
        known("davinci-002", Encoding::Cl100kBase);
        known("davinci", Encoding::R50kBase);
        known("gpt2", Encoding::R50kBase);
        known("code-davinci-edit-001", Encoding::P50kEdit);
        known("codex-mini-latest", Encoding::O200kBase);
        known("gpt-oss-120b", Encoding::O200kHarmony);
        known("ft:gpt-4o-2024-08-06:acme:label:id", Encoding::O200kBase);
    }

    #[test]
    fn fallbacks() {
        for name in ["gpt-6-astra", "gpt-4.7", "o9", "chatgpt-5-latest"] {
            assert_eq!(
                model_encoding(name),
                ModelEncoding::Assumed(Encoding::O200kBase),
                "{name}"
            );
        }
        for name in [
            "",
            "unknown",
            "claude-opus-4.1",
            "gemini-2.5-pro",
            "llama-3-8b",
            "gpt-j-6b",
            "ollama",
            "ft:",
        ] {
            assert_eq!(model_encoding(name), ModelEncoding::Unknown, "{name}");
        }
    }
}
