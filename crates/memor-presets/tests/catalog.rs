//! Every model and every preset of a memor catalog file is reachable through the API and
//! round-trips.
//!
//! The catalog is `$MEMOR_CONFORMANCE/memor/catalog.json` (default: `../shared/conformance`
//! next to the workspace). The checks are driven by the file's contents: no counts, no ids.

// Test helpers fail by panicking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use memor_presets::{
    DEFAULT_MODEL, DEFAULT_PRESET, Engine, IntoEnumIterator, MEMOR_VERSION, Model, PRESETS, Preset,
    PresetGroup, Provider, instruction,
};
use serde_json::Value;

fn catalog_path() -> PathBuf {
    let root = std::env::var_os("MEMOR_CONFORMANCE").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/conformance"
            ))
        },
        PathBuf::from,
    );
    root.join("memor").join("catalog.json")
}

fn catalog() -> Value {
    let path = catalog_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the catalog {} ({e}); set MEMOR_CONFORMANCE to the conformance directory",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key:?} is not a string in {value}"))
}

fn array_of<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key:?} is not an array"))
}

/// `(provider, member name, model string)` in file order.
fn models(catalog: &Value) -> Vec<(&str, &str, &str)> {
    array_of(catalog, "providers")
        .iter()
        .flat_map(|provider| {
            let name = str_of(provider, "provider");
            array_of(provider, "models")
                .iter()
                .map(move |model| (name, str_of(model, "name"), str_of(model, "value")))
        })
        .collect()
}

/// Asserts that `positions` (positions in the API's order, in file order) increase.
fn assert_increasing(what: &str, positions: &[usize]) {
    for pair in positions.windows(2) {
        assert!(
            pair[0] < pair[1],
            "{what}: the API's order differs from the file's"
        );
    }
}

#[test]
fn versions_and_defaults() {
    let catalog = catalog();
    assert_eq!(MEMOR_VERSION, str_of(&catalog, "memor_version"));

    let default_model = str_of(&catalog, "default_model");
    assert_eq!(DEFAULT_MODEL.as_str(), default_model);
    assert_eq!(default_model.parse::<Model>(), Ok(DEFAULT_MODEL));
    assert_eq!(Model::default(), DEFAULT_MODEL);

    let default_preset = str_of(&catalog, "default_preset");
    assert_eq!(DEFAULT_PRESET.title, default_preset);
    assert_eq!(Preset::find("DEFAULT"), Some(&DEFAULT_PRESET));
    assert_eq!(Preset::find_by_title(default_preset), Some(&DEFAULT_PRESET));
}

#[test]
fn every_provider_is_reachable() {
    let catalog = catalog();
    let api: Vec<Provider> = Provider::iter().collect();
    let mut positions = Vec::new();
    for provider in array_of(&catalog, "providers") {
        let name = str_of(provider, "provider");
        let parsed: Provider = name
            .parse()
            .unwrap_or_else(|_| panic!("provider {name} is missing"));
        assert_eq!(parsed.as_str(), name);
        assert_eq!(parsed.to_string(), name);
        assert_eq!(parsed.as_ref() as &str, name);
        assert_eq!(<&str>::from(parsed), name);
        positions.extend(api.iter().position(|p| *p == parsed));
    }
    assert_increasing("providers", &positions);
}

#[test]
fn every_model_is_reachable_and_round_trips() {
    let catalog = catalog();
    let models = models(&catalog);
    let all: Vec<Model> = Model::all().collect();
    let mut positions = Vec::new();
    for &(provider_name, member, value) in &models {
        let path = format!("{provider_name}.{member}");
        let model =
            Model::from_path(&path).unwrap_or_else(|| panic!("model {path} ({value}) is missing"));
        let provider: Provider = provider_name.parse().unwrap();

        // What the model says about itself.
        assert_eq!(model.as_str(), value, "{path}");
        assert_eq!(model.member_name(), member, "{path}");
        assert_eq!(model.provider(), provider, "{path}");
        assert_eq!(model.path(), path);
        assert_eq!(Model::from_path(&format!("LLMModel.{path}")), Some(model));

        // The provider enum's strum conversions.
        assert_eq!(model.to_string(), value, "{path}");
        assert_eq!(model.as_ref() as &str, value, "{path}");
        assert_eq!(<&str>::from(model), value, "{path}");
        assert_eq!(provider.parse_model(value), Ok(model), "{path}");
        assert_eq!(provider.model_by_member_name(member), Some(model));
        assert!(provider.models().any(|m| m == model), "{path}");

        // Parsing the string alone: when several providers have it, the first in memor's order
        // (which is `Model`'s order) wins, so the result comes at or before this model.
        let parsed: Model = value
            .parse()
            .unwrap_or_else(|_| panic!("{value} does not parse"));
        assert_eq!(parsed.as_str(), value);
        assert!(parsed <= model, "{value} parses to {}", parsed.path());
        assert_eq!(
            Some(parsed),
            Model::all().find(|m| m.as_str() == value),
            "{value}"
        );

        positions.extend(all.iter().position(|m| *m == model));
    }
    assert_eq!(positions.len(), models.len());
    assert_increasing("models", &positions);
}

#[test]
fn every_instruction_is_reachable() {
    let catalog = catalog();
    let instructions = catalog["instructions"]
        .as_object()
        .expect("instructions is an object");
    for (name, text) in instructions {
        assert_eq!(instruction(name), text.as_str(), "{name}");
        if let Ok(group) = name.parse::<PresetGroup>() {
            assert_eq!(group.instruction(), text.as_str(), "{name}");
        }
    }
}

#[test]
fn every_preset_is_reachable_and_round_trips() {
    let catalog = catalog();
    let mut positions = Vec::new();
    for entry in array_of(&catalog, "presets") {
        let (group_name, name) = (str_of(entry, "group"), str_of(entry, "name"));
        let path = format!("{group_name}.{name}");
        let preset = Preset::find(&path).unwrap_or_else(|| panic!("preset {path} is missing"));

        let group: PresetGroup = group_name.parse().unwrap();
        assert_eq!(group.as_str(), group_name);
        assert_eq!(group.to_string(), group_name);
        assert_eq!(preset.group, group, "{path}");
        assert_eq!(preset.name, name, "{path}");
        assert_eq!(preset.path(), path);
        assert_eq!(Preset::get(group, name), Some(preset));
        assert_eq!(
            Preset::find(&format!("PresetPromptTemplate.{path}")),
            Some(preset)
        );
        assert!(group.presets().any(|p| p == preset), "{path}");

        assert_eq!(preset.title, str_of(entry, "title"), "{path}");
        assert_eq!(preset.content, str_of(entry, "content"), "{path}");
        let title_match = Preset::find_by_title(preset.title).unwrap();
        assert_eq!(title_match.title, preset.title);

        let engine = str_of(entry, "engine");
        assert_eq!(preset.engine.as_str(), engine, "{path}");
        assert_eq!(engine.parse::<Engine>(), Ok(preset.engine), "{path}");

        let custom_map: Vec<(&str, &str)> = entry["custom_map"]
            .as_object()
            .unwrap_or_else(|| panic!("{path}: custom_map is not an object"))
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str().unwrap()))
            .collect();
        assert_eq!(preset.custom_map, custom_map.as_slice(), "{path}");
        for (key, value) in custom_map {
            assert_eq!(preset.custom(key), Some(value), "{path}");
        }

        positions.extend(PRESETS.iter().position(|p| p == preset));
    }
    assert_increasing("presets", &positions);
}
