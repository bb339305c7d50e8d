//! memor's model catalog and preset prompt templates, as Rust data.
//!
//! The facts come from memor 1.4 (the Python library). The enums, constants and tables are
//! generated from the crate's data files (`data/catalog.json`) by `cargo run -p xtask -- codegen`;
//! the lookups and the [`Preset`] and [`Engine`] types are written by hand.
//!
//! - **Models.** [`Provider`] names memor's 14 model providers; each has a model enum
//!   ([`OpenAI`], [`Anthropic`], ...) with one variant per model, converting to and from its
//!   model string with strum (`"gpt-4o"`). [`Model`] wraps any of them
//!   (`Model::OpenAI(OpenAI::Gpt4o)`); it parses from a model string, from memor's enum path
//!   (`"OpenAI.GPT_4O"`, [`Model::from_path`]) and lists every model ([`Model::all`]).
//!   [`DEFAULT_MODEL`] is memor's default.
//! - **Presets.** [`Preset`] is one of memor's 56 preset templates (`PresetPromptTemplate`):
//!   a [`PresetGroup`], a name, a title, the content, the custom map and the [`Engine`]. Each is
//!   a constant ([`BASIC_PROMPT`], ...), all are in [`PRESETS`], and [`Preset::find`] looks one up
//!   by memor's spelling (`"BASIC.PROMPT"`). The instruction texts are constants too
//!   ([`PROMPT_INSTRUCTION1`], ...).
//!
//! # Example
//!
//! ```
//! use memor_presets::{Model, OpenAI, Preset, PresetGroup, Provider, DEFAULT_PRESET};
//!
//! // Models: from the model string, from memor's enum path, and back.
//! let model: Model = "gpt-4o".parse()?;
//! assert_eq!(model, Model::OpenAI(OpenAI::Gpt4o));
//! assert_eq!(model.provider(), Provider::OpenAI);
//! assert_eq!(model.member_name(), "GPT_4O");
//! assert_eq!(Model::from_path("OpenAI.GPT_4O"), Some(model));
//! assert_eq!(model.to_string(), "gpt-4o");
//!
//! // Presets: by memor's path, by group and name, by title.
//! let preset = Preset::find("INSTRUCTION1.PROMPT").ok_or("no such preset")?;
//! assert_eq!(preset.group, PresetGroup::Instruction1);
//! assert_eq!(preset.content, "{instruction}{prompt[message]}");
//! assert_eq!(preset.custom("instruction"), PresetGroup::Instruction1.instruction());
//! assert_eq!(Preset::find_by_title("Basic/Prompt"), Some(&DEFAULT_PRESET));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Model strings shared by several providers
//!
//! Every provider has a `DEFAULT` member whose string is `"unknown"`, so that string belongs to
//! all of them. Parsing a model string ([`Model`]'s `FromStr`) picks the **first** provider in
//! memor's order that has it, so `"unknown"` parses to `Model::OpenAI(OpenAI::Default)`, which is
//! also [`DEFAULT_MODEL`] (memor declares `LLMModel.DEFAULT = OpenAI.DEFAULT`). memor itself only
//! ever stores the string, so the choice does not change what is saved. The provider enums'
//! own parsers (`"unknown".parse::<Anthropic>()`, [`Provider::parse_model`]) are unambiguous.

#![deny(missing_docs)]

mod generated;

use core::str::FromStr;

pub use generated::*;
pub use strum::{IntoEnumIterator, ParseError};

/// What every provider's model enum ([`OpenAI`], [`Anthropic`], ...) offers, for generic code.
///
/// The enums also have `as_str` and `member_name` as inherent `const fn`s, and strum's
/// conversions (`FromStr`, `Display`, `AsRef<str>`, `Into<&'static str>`, `iter()`).
pub trait ProviderModel:
    Copy + Into<Model> + IntoEnumIterator + FromStr<Err = ParseError> + 'static
{
    /// The provider of these models.
    const PROVIDER: Provider;

    /// The model string, e.g. `"gpt-4o"`.
    fn as_str(self) -> &'static str;

    /// memor's enum member name, e.g. `"GPT_4O"`.
    fn member_name(self) -> &'static str;

    /// The model with memor's enum member name `name`, e.g. `"GPT_4O"`.
    fn from_member_name(name: &str) -> Option<Self> {
        Self::iter().find(|model| model.member_name() == name)
    }
}

/// [`Provider::parse_model`] for the provider of `T`.
fn parse_with<T: ProviderModel>(value: &str) -> Result<Model, ParseError> {
    value.parse::<T>().map(Into::into)
}

/// [`Provider::model_by_member_name`] for the provider of `T`.
fn member_with<T: ProviderModel>(name: &str) -> Option<Model> {
    T::from_member_name(name).map(Into::into)
}

/// The template engine of a preset (memor's `TemplateEngine`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    strum::AsRefStr,
    strum::Display,
    strum::EnumIter,
    strum::EnumString,
    strum::IntoStaticStr,
)]
pub enum Engine {
    /// Python's `str.format` (`"format"`), memor's default.
    #[default]
    #[strum(serialize = "format")]
    Format,
    /// Jinja2 (`"jinja"`).
    #[strum(serialize = "jinja")]
    Jinja,
}

impl Engine {
    /// memor's name of the engine: `"format"` or `"jinja"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Format => "format",
            Self::Jinja => "jinja",
        }
    }
}

/// One of memor's preset prompt templates (a member of `PresetPromptTemplate.<GROUP>`).
///
/// All the data is `'static`; the constants ([`BASIC_PROMPT`], ...) and [`PRESETS`] hold every
/// preset. memor dates a preset template with the time it was created; that date is not part of
/// the preset and is left to the code that builds a template from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Preset {
    /// The group, e.g. [`PresetGroup::Basic`].
    pub group: PresetGroup,
    /// memor's member name within the group, e.g. `"PROMPT"`.
    pub name: &'static str,
    /// The template title, e.g. `"Basic/Prompt"`.
    pub title: &'static str,
    /// The template content, e.g. `"{instruction}{prompt[message]}"`.
    pub content: &'static str,
    /// The custom map, as `(key, value)` pairs in memor's order.
    pub custom_map: &'static [(&'static str, &'static str)],
    /// The template engine.
    pub engine: Engine,
}

impl Preset {
    /// The preset at memor's path `GROUP.NAME`, e.g. `"BASIC.PROMPT"`.
    ///
    /// The path may start with `PresetPromptTemplate.`; `DEFAULT` (with or without that prefix)
    /// is [`DEFAULT_PRESET`].
    pub fn find(path: &str) -> Option<&'static Self> {
        let path = path.strip_prefix("PresetPromptTemplate.").unwrap_or(path);
        if path == "DEFAULT" {
            return Self::get(DEFAULT_PRESET.group, DEFAULT_PRESET.name);
        }
        let (group, name) = path.split_once('.')?;
        Self::get(group.parse().ok()?, name)
    }

    /// The preset of `group` named `name` (memor's member name, e.g. `"PROMPT"`).
    pub fn get(group: PresetGroup, name: &str) -> Option<&'static Self> {
        PRESETS
            .iter()
            .find(|preset| preset.group == group && preset.name == name)
    }

    /// The first preset (in memor's order) titled `title`, e.g. `"Basic/Prompt"`.
    pub fn find_by_title(title: &str) -> Option<&'static Self> {
        PRESETS.iter().find(|preset| preset.title == title)
    }

    /// memor's path of the preset, e.g. `"BASIC.PROMPT"` (what [`Preset::find`] takes).
    pub fn path(&self) -> String {
        format!("{}.{}", self.group, self.name)
    }

    /// The custom map's value for `key`.
    pub fn custom(&self, key: &str) -> Option<&'static str> {
        self.custom_map
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, value)| *value)
    }
}

impl PresetGroup {
    /// The presets of the group, in memor's order.
    pub fn presets(self) -> impl Iterator<Item = &'static Preset> {
        PRESETS.iter().filter(move |preset| preset.group == self)
    }
}

/// The instruction text named `name` (e.g. `"INSTRUCTION1"`), from [`INSTRUCTIONS`].
pub fn instruction(name: &str) -> Option<&'static str> {
    INSTRUCTIONS
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, text)| *text)
}

impl Provider {
    /// The provider's models, in memor's order.
    pub fn models(self) -> impl Iterator<Item = Model> {
        Model::all().filter(move |model| model.provider() == self)
    }
}

impl Model {
    /// Every model, provider by provider, in memor's order ([`MODELS`]).
    pub fn all() -> impl Iterator<Item = Self> {
        MODELS.iter().copied()
    }

    /// The model at memor's enum path `Provider.MEMBER`, e.g. `"OpenAI.GPT_4O"` (how memor's
    /// operation fixtures name models).
    ///
    /// The path may start with `LLMModel.`; `LLMModel.MEMBER` (no provider) is memor's legacy
    /// flat alias, resolved as [`Model::from_legacy_name`] does.
    pub fn from_path(path: &str) -> Option<Self> {
        if let Some(rest) = path.strip_prefix("LLMModel.") {
            return match rest.split_once('.') {
                Some(_) => Self::from_path(rest),
                None => Self::from_legacy_name(rest),
            };
        }
        let (provider, member) = path.split_once('.')?;
        provider
            .parse::<Provider>()
            .ok()?
            .model_by_member_name(member)
    }

    /// The model of memor's legacy flat alias `LLMModel.MEMBER` (e.g. `"GPT_4O"`).
    ///
    /// memor registers these aliases provider by provider, so when several providers have a
    /// member of that name the **last** one wins: `DEFAULT` is the last provider's `DEFAULT`,
    /// which is what memor's `LLMModel.DEFAULT` evaluates to at run time.
    pub fn from_legacy_name(member: &str) -> Option<Self> {
        MODELS
            .iter()
            .rev()
            .find(|model| model.member_name() == member)
            .copied()
    }

    /// memor's enum path of the model, e.g. `"OpenAI.GPT_4O"` (what [`Model::from_path`] takes).
    pub fn path(self) -> String {
        format!("{}.{}", self.provider(), self.member_name())
    }
}

/// Parses a model string; when several providers have it, the first in memor's order wins.
impl FromStr for Model {
    type Err = ParseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Provider::iter()
            .find_map(|provider| provider.parse_model(value).ok())
            .ok_or(ParseError::VariantNotFound)
    }
}

/// [`DEFAULT_MODEL`].
impl Default for Model {
    fn default() -> Self {
        DEFAULT_MODEL
    }
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_round_trips() {
        for model in Model::all() {
            assert_eq!(Model::from_path(&model.path()), Some(model));
            let parsed: Model = model.as_str().parse().unwrap();
            assert_eq!(parsed.as_str(), model.as_str());
            assert!(parsed <= model, "the first provider with the string wins");
            assert_eq!(model.provider().parse_model(model.as_str()), Ok(model));
        }
    }

    #[test]
    fn shared_default_string() {
        assert_eq!("unknown".parse::<Model>(), Ok(DEFAULT_MODEL));
        assert_eq!(DEFAULT_MODEL, Model::OpenAI(OpenAI::Default));
        assert_eq!(Model::default(), DEFAULT_MODEL);
        assert_eq!(
            Model::from_path("LLMModel.DEFAULT"),
            Some(Model::Other(Other::Default))
        );
        assert_eq!(
            Model::from_path("LLMModel.Anthropic.DEFAULT"),
            Some(Model::Anthropic(Anthropic::Default))
        );
        assert_eq!(
            Provider::Anthropic.parse_model("unknown"),
            Ok(Model::Anthropic(Anthropic::Default))
        );
    }

    #[test]
    fn fixture_spellings() {
        assert_eq!(
            Model::from_path("Meta.LLAMA_3_1_405B_INSTRUCT").map(Model::as_str),
            Some("llama-3.1-405b-instruct")
        );
        assert_eq!(
            Preset::find("INSTRUCTION1.RESPONSE0_WITH_LABEL").map(|p| p.title),
            Some("Instruction1/Response0 With Label")
        );
        assert_eq!(
            Preset::find("PresetPromptTemplate.DEFAULT"),
            Some(&BASIC_PROMPT)
        );
        assert_eq!(Preset::find("BASIC"), None);
        assert_eq!(Preset::find("NOPE.PROMPT"), None);
        assert_eq!(Model::from_path("OpenAI"), None);
        assert_eq!(Model::from_path("OpenAI.gpt-4o"), None);
        assert!("no-such-model".parse::<Model>().is_err());
    }

    #[test]
    fn presets_are_consistent() {
        for preset in PRESETS {
            assert_eq!(Preset::find(&preset.path()), Some(preset));
            assert!(preset.custom("instruction").is_some());
        }
        for group in PresetGroup::iter() {
            for preset in group.presets() {
                assert_eq!(
                    preset.custom("instruction"),
                    Some(group.instruction().unwrap_or(""))
                );
            }
        }
        assert_eq!(instruction("INSTRUCTION2"), Some(PROMPT_INSTRUCTION2));
        assert_eq!(Engine::default().as_str(), "format");
        assert_eq!("jinja".parse::<Engine>(), Ok(Engine::Jinja));
    }
}
