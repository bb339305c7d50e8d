//! Reading and checking the catalog data file.
//!
//! The catalog is read into plain serde structures, then checked and turned into [`Catalog`]:
//! every name the generated code will use as a Rust identifier is derived and validated here, so
//! the code emitter never has to fail.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Error;

/// The catalog file as written (see the conformance README, section `catalog.json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    memor_version: String,
    default_model: String,
    default_preset: String,
    instructions: Map<String, Value>,
    providers: Vec<RawProvider>,
    presets: Vec<RawPreset>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    provider: String,
    models: Vec<RawModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPreset {
    group: String,
    name: String,
    title: String,
    content: String,
    custom_map: Map<String, Value>,
    engine: String,
}

/// The checked catalog, with the Rust names the generated code uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// memor's version the facts come from.
    pub memor_version: String,
    /// Instruction texts in file order.
    pub instructions: Vec<Instruction>,
    /// Providers in file order (memor's `LLMModel._PROVIDERS` order).
    pub providers: Vec<Provider>,
    /// The default model: indices into `providers` and its `models`.
    pub default_model: (usize, usize),
    /// Preset groups in order of first appearance among the presets.
    pub groups: Vec<Group>,
    /// Presets in file order.
    pub presets: Vec<Preset>,
    /// Index into `presets` of the default preset.
    pub default_preset: usize,
}

/// One instruction text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Its key in the catalog, e.g. `INSTRUCTION1`.
    pub key: String,
    /// The Rust constant holding it, e.g. `PROMPT_INSTRUCTION1` (memor's spelling).
    pub const_ident: String,
    /// The text.
    pub text: String,
}

/// One provider and its models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// memor's name, also the Rust enum name, e.g. `OpenAI`.
    pub name: String,
    /// Models in file order.
    pub models: Vec<Model>,
}

/// One model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// memor's enum member name, e.g. `GPT_4O`.
    pub member: String,
    /// The model string, e.g. `gpt-4o`.
    pub value: String,
    /// The Rust variant, e.g. `Gpt4o`.
    pub variant: String,
}

/// One preset group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// memor's name, e.g. `BASIC`.
    pub name: String,
    /// The Rust variant, e.g. `Basic`.
    pub variant: String,
    /// Index into `instructions` of the instruction named like the group, if any.
    pub instruction: Option<usize>,
}

/// The template engine of a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Python's `str.format` (`"format"`).
    Format,
    /// Jinja2 (`"jinja"`).
    Jinja,
}

impl Engine {
    /// The Rust variant of the hand-written `Engine` enum.
    pub const fn variant(self) -> &'static str {
        match self {
            Self::Format => "Format",
            Self::Jinja => "Jinja",
        }
    }
}

/// One preset template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    /// Index into `groups`.
    pub group: usize,
    /// memor's member name in the group, e.g. `PROMPT`.
    pub name: String,
    /// The template title.
    pub title: String,
    /// The template content.
    pub content: String,
    /// The custom map, in order.
    pub custom_map: Vec<(String, String)>,
    /// The engine.
    pub engine: Engine,
    /// The Rust constant, e.g. `BASIC_PROMPT`.
    pub const_ident: String,
}

/// Names the generated code (or the hand-written part of the crate) uses itself: a provider or
/// a constant must not take them.
const RESERVED_TYPES: &[&str] = &[
    "Provider",
    "Model",
    "Preset",
    "PresetGroup",
    "Engine",
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "ParseError",
];
const RESERVED_CONSTS: &[&str] = &[
    "MEMOR_VERSION",
    "MODELS",
    "DEFAULT_MODEL",
    "INSTRUCTIONS",
    "PRESETS",
    "DEFAULT_PRESET",
];

impl Catalog {
    /// Parses and checks the catalog text.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let raw: RawCatalog =
            serde_json::from_str(text).map_err(|e| Error::new(format!("catalog: {e}")))?;
        let mut consts: BTreeSet<String> =
            RESERVED_CONSTS.iter().map(|s| (*s).to_owned()).collect();

        let instructions = raw
            .instructions
            .into_iter()
            .map(|(key, text)| {
                check_upper_snake(&key, "instruction key")?;
                let const_ident = format!("PROMPT_{key}");
                claim(&mut consts, &const_ident)?;
                let text = into_string(text, &format!("instruction {key}"))?;
                Ok(Instruction {
                    key,
                    const_ident,
                    text,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;

        let mut provider_names = BTreeSet::new();
        let providers = raw
            .providers
            .into_iter()
            .map(|p| {
                check_type_name(&p.provider)?;
                if RESERVED_TYPES.contains(&p.provider.as_str()) {
                    return Err(Error::new(format!(
                        "provider name {:?} is reserved by the generated code",
                        p.provider
                    )));
                }
                if !provider_names.insert(p.provider.clone()) {
                    return Err(Error::new(format!("duplicate provider {:?}", p.provider)));
                }
                check_provider_models(&p)?;
                let models = p
                    .models
                    .into_iter()
                    .map(|m| {
                        let variant = variant_ident(&m.name)?;
                        Ok(Model {
                            member: m.name,
                            value: m.value,
                            variant,
                        })
                    })
                    .collect::<Result<Vec<_>, Error>>()?;
                Ok(Provider {
                    name: p.provider,
                    models,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        for provider in &providers {
            let mut variants = BTreeMap::new();
            for model in &provider.models {
                if let Some(other) = variants.insert(model.variant.as_str(), model.member.as_str())
                {
                    return Err(Error::new(format!(
                        "{}: members {other} and {} both map to the Rust variant {}",
                        provider.name, model.member, model.variant
                    )));
                }
            }
        }

        let default_model = providers
            .iter()
            .enumerate()
            .find_map(|(p, provider)| {
                provider
                    .models
                    .iter()
                    .position(|m| m.value == raw.default_model)
                    .map(|m| (p, m))
            })
            .ok_or_else(|| {
                Error::new(format!(
                    "default model {:?} is not the value of any model",
                    raw.default_model
                ))
            })?;

        let mut groups: Vec<Group> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut presets = Vec::with_capacity(raw.presets.len());
        for p in raw.presets {
            check_upper_snake(&p.group, "preset group")?;
            check_upper_snake(&p.name, "preset name")?;
            let group = if let Some(index) = groups.iter().position(|g| g.name == p.group) {
                index
            } else {
                groups.push(Group {
                    variant: variant_ident(&p.group)?,
                    instruction: instructions.iter().position(|i| i.key == p.group),
                    name: p.group.clone(),
                });
                groups.len() - 1
            };
            if !seen.insert((p.group.clone(), p.name.clone())) {
                return Err(Error::new(format!(
                    "duplicate preset {}.{}",
                    p.group, p.name
                )));
            }
            let const_ident = format!("{}_{}", p.group, p.name);
            claim(&mut consts, &const_ident)?;
            let custom_map = p
                .custom_map
                .into_iter()
                .map(|(key, value)| {
                    let value = into_string(value, &format!("{}.{} custom_map", p.group, p.name))?;
                    Ok((key, value))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let engine = match p.engine.as_str() {
                "format" => Engine::Format,
                "jinja" => Engine::Jinja,
                other => {
                    return Err(Error::new(format!(
                        "{}.{}: unknown engine {other:?}",
                        p.group, p.name
                    )));
                }
            };
            presets.push(Preset {
                group,
                name: p.name,
                title: p.title,
                content: p.content,
                custom_map,
                engine,
                const_ident,
            });
        }
        let default_preset = presets
            .iter()
            .position(|p| p.title == raw.default_preset)
            .ok_or_else(|| {
                Error::new(format!(
                    "default preset {:?} is not the title of any preset",
                    raw.default_preset
                ))
            })?;

        Ok(Self {
            memor_version: raw.memor_version,
            instructions,
            providers,
            default_model,
            groups,
            presets,
            default_preset,
        })
    }
}

/// A provider's members and values must be unique within it (a Python enum would make a repeated
/// value an alias, which memor's catalog does not list).
fn check_provider_models(provider: &RawProvider) -> Result<(), Error> {
    let mut members = BTreeSet::new();
    let mut values = BTreeSet::new();
    if provider.models.is_empty() {
        return Err(Error::new(format!(
            "provider {} has no models",
            provider.provider
        )));
    }
    for model in &provider.models {
        if !members.insert(model.name.as_str()) {
            return Err(Error::new(format!(
                "{}: duplicate member {}",
                provider.provider, model.name
            )));
        }
        if !values.insert(model.value.as_str()) {
            return Err(Error::new(format!(
                "{}: duplicate value {:?}",
                provider.provider, model.value
            )));
        }
    }
    Ok(())
}

fn claim(consts: &mut BTreeSet<String>, ident: &str) -> Result<(), Error> {
    if consts.insert(ident.to_owned()) {
        Ok(())
    } else {
        Err(Error::new(format!(
            "the constant name {ident} would be used twice"
        )))
    }
}

fn into_string(value: Value, what: &str) -> Result<String, Error> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(Error::new(format!(
            "{what}: expected a string, found {other}"
        ))),
    }
}

/// `OpenAI`, `XAI`: an ASCII letter first, then letters and digits.
fn check_type_name(name: &str) -> Result<(), Error> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::new(format!(
            "provider name {name:?} is not usable as a Rust type name"
        )))
    }
}

/// `BASIC`, `PROMPT_WITH_LABEL`: usable in a constant name.
fn check_upper_snake(name: &str, what: &str) -> Result<(), Error> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::new(format!(
            "{what} {name:?} is not UPPER_SNAKE_CASE"
        )))
    }
}

/// The Rust variant for a memor member name: `GPT_4O` -> `Gpt4o`, `GPT_4_1` -> `Gpt4_1`.
///
/// Each `_`-separated part is capitalised (first letter upper case, the rest lower case) and the
/// parts are joined; an underscore stays between two digits (as rustc's own camel-case
/// suggestion does), so `GPT_4_1` and `GPT_41` stay apart. Members that would still collide are
/// reported by [`Catalog::parse`].
pub fn variant_ident(member: &str) -> Result<String, Error> {
    if !member.starts_with(|c: char| c.is_ascii_alphabetic())
        || !member
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(Error::new(format!(
            "member name {member:?} is not usable as a Rust variant"
        )));
    }
    let mut ident = String::with_capacity(member.len());
    for part in member.split('_').filter(|part| !part.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            if first.is_ascii_digit() && ident.ends_with(|c: char| c.is_ascii_digit()) {
                ident.push('_');
            }
            ident.push(first.to_ascii_uppercase());
            ident.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if ident == "Self" {
        return Err(Error::new(format!(
            "member name {member:?} would be the Rust keyword Self"
        )));
    }
    Ok(ident)
}

#[cfg(test)]
mod tests {
    use super::variant_ident;

    #[test]
    fn variants() {
        let cases = [
            ("GPT_4O", "Gpt4o"),
            ("GPT_4_1", "Gpt4_1"),
            ("GPT_41", "Gpt41"),
            ("GPT_3_5_TURBO", "Gpt3_5Turbo"),
            ("NATURELM_8x7b", "Naturelm8x7b"),
            ("DEFAULT", "Default"),
            ("O1", "O1"),
        ];
        for (member, variant) in cases {
            assert_eq!(variant_ident(member).unwrap(), variant, "{member}");
        }
        assert!(variant_ident("SELF").is_err());
        assert!(variant_ident("_X").is_err());
        assert!(variant_ident("A-B").is_err());
    }
}
