//! How a prompt and its responses read as text: memor's `PromptTemplate`.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use memor_presets::{Engine, Preset};
use memor_template::{Context, Template, Value};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::date::Date;
use crate::error::{Error, Result, msg};
use crate::json::read::{Kind, Reader};
use crate::json::{PyDict, PyValue};
use crate::load::{DateSlot, Slot, date_slot, read_date, structure};
use crate::response::{MEMOR_VERSION, string};

/// A prompt template: a Python `str.format` (or Jinja) text with a title, a custom map of
/// extra names, and dates.
///
/// ```
/// use memor_core::PromptTemplate;
/// let t = PromptTemplate::new("{greeting}, {name}!").with_custom_map([("greeting", "Hello")]);
/// let mut ctx = memor_core::json::PyDict::new();
/// ctx.insert("name".into(), "Ada".into());
/// assert_eq!(t.render(Some(&ctx))?, "Hello, Ada!");
/// assert_eq!(t.variables()?, ["greeting", "name"]);
/// # Ok::<(), memor_core::Error>(())
/// ```
///
/// Cloning is cheap: clones share their data (and the compiled template) until one of them
/// changes.
#[derive(Clone, Debug)]
pub struct PromptTemplate(Arc<Inner>);

#[derive(Clone, Debug)]
pub(crate) struct Inner {
    pub(crate) title: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) engine: Engine,
    pub(crate) custom_map: Option<PyDict>,
    pub(crate) date_created: Date,
    pub(crate) date_modified: Date,
    compiled: OnceLock<Template>,
    /// The template's memor JSON, written once for the many prompts that share it.
    json: OnceLock<Box<str>>,
}

/// Equality of content, title, custom map and engine (memor 1.4 ignores the engine; see
/// `COMPATIBILITY.md`).
impl PartialEq for PromptTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.0.content == other.0.content
            && self.0.title == other.0.title
            && self.0.custom_map == other.0.custom_map
            && self.0.engine == other.0.engine
    }
}

impl Default for PromptTemplate {
    fn default() -> Self {
        PromptTemplate::empty()
    }
}

impl PromptTemplate {
    /// A template without content, title or map, dated now.
    pub fn empty() -> Self {
        let now = Date::now();
        PromptTemplate(Arc::new(Inner {
            title: None,
            content: None,
            engine: Engine::Format,
            custom_map: None,
            date_created: now,
            date_modified: now,
            compiled: OnceLock::new(),
            json: OnceLock::new(),
        }))
    }

    /// A `str.format` template with `content`.
    pub fn new(content: impl Into<String>) -> Self {
        let mut t = PromptTemplate::empty();
        t.inner().content = Some(content.into());
        t
    }

    /// The data, to change (copied first if shared); its cached JSON is dropped.
    fn inner(&mut self) -> &mut Inner {
        let inner = Arc::make_mut(&mut self.0);
        inner.json = OnceLock::new();
        inner
    }

    /// The template's JSON as memor saves it, written on first use and kept until it changes.
    pub(crate) fn cached_json(&self) -> std::result::Result<&str, serde_json::Error> {
        if let Some(json) = self.0.json.get() {
            return Ok(json);
        }
        let json = crate::json::to_string(self)?;
        Ok(self.0.json.get_or_init(|| json.into_boxed_str()))
    }

    /// A preset, dated now (memor dates presets when the library is imported).
    pub fn from_preset(preset: &Preset) -> Self {
        let custom_map = preset
            .custom_map
            .iter()
            .map(|(k, v)| ((*k).to_owned(), PyValue::from(*v)))
            .collect();
        let mut t = PromptTemplate::empty();
        let inner = t.inner();
        inner.title = Some(preset.title.to_owned());
        inner.content = Some(preset.content.to_owned());
        inner.engine = preset.engine;
        inner.custom_map = Some(PyDict(custom_map));
        t
    }

    /// memor's default template, `BASIC.PROMPT` (`{instruction}{prompt[message]}`).
    pub fn default_preset() -> Self {
        PromptTemplate::from_preset(&memor_presets::DEFAULT_PRESET)
    }

    /// A template from a text file; the title defaults to the file's stem.
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn from_content_file(path: impl AsRef<Path>, title: Option<String>) -> Result<Self> {
        let path = path.as_ref();
        let content = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let title = title.or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()));
        let mut t = PromptTemplate::new(content);
        t.inner().title = title;
        Ok(t)
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.inner().title = Some(title.into());
        self
    }

    /// Sets the custom map from string pairs.
    #[must_use]
    pub fn with_custom_map<K: Into<String>, V: Into<String>>(
        mut self,
        map: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map = map
            .into_iter()
            .map(|(k, v)| (k.into(), PyValue::Str(v.into())))
            .collect();
        self.inner().custom_map = Some(PyDict(map));
        self
    }

    /// Sets the engine.
    #[must_use]
    pub fn with_engine(mut self, engine: Engine) -> Self {
        self.inner().engine = engine;
        self
    }

    /// The text, if any.
    pub fn content(&self) -> Option<&str> {
        self.0.content.as_deref()
    }
    /// The title, if any.
    pub fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The engine.
    pub fn engine(&self) -> Engine {
        self.0.engine
    }
    /// Extra names for rendering.
    pub fn custom_map(&self) -> Option<&PyDict> {
        self.0.custom_map.as_ref()
    }
    /// When it was created.
    pub fn date_created(&self) -> Date {
        self.0.date_created
    }
    /// When it was last changed.
    pub fn date_modified(&self) -> Date {
        self.0.date_modified
    }

    fn touch(&mut self) {
        self.inner().date_modified = Date::now();
    }

    /// Sets the title.
    pub fn update_title(&mut self, title: Option<String>) {
        self.inner().title = title;
        self.touch();
    }
    /// Sets the content.
    pub fn update_content(&mut self, content: Option<String>) {
        let inner = self.inner();
        inner.content = content;
        inner.compiled = OnceLock::new();
        self.touch();
    }
    /// Sets the custom map.
    pub fn update_map(&mut self, custom_map: Option<PyDict>) {
        self.inner().custom_map = custom_map;
        self.touch();
    }
    /// Sets the engine.
    pub fn update_engine(&mut self, engine: Engine) {
        self.inner().engine = engine;
        self.touch();
    }

    /// `str(template)`: the content, or the empty string.
    pub fn as_str(&self) -> &str {
        self.0.content.as_deref().unwrap_or_default()
    }

    fn compiled(&self, content: &str) -> &Template {
        self.0
            .compiled
            .get_or_init(|| Template::parse_lenient(content))
    }

    /// Renders with `context` over the custom map (memor's `render(context)`).
    ///
    /// # Errors
    /// memor's render error when the content is missing or does not render with the context;
    /// the cause is in the detail.
    pub fn render(&self, context: Option<&PyDict>) -> Result<String> {
        match self.0.engine {
            Engine::Format => self.render_format(&Layered {
                top: context,
                base: self.0.custom_map.as_ref(),
            }),
            Engine::Jinja => {
                let merged = self.merged(context);
                self.render_jinja(&merged)
            }
        }
    }

    /// The custom map updated with `context`, as a dict.
    fn merged(&self, context: Option<&PyDict>) -> PyDict {
        let mut merged = self.0.custom_map.clone().unwrap_or_default();
        if let Some(ctx) = context {
            for (k, v) in ctx.iter() {
                merged.insert(k.clone(), v.clone());
            }
        }
        merged
    }

    /// Renders the `str.format` engine with names looked up in `context` (the caller has
    /// layered the custom map under it).
    pub(crate) fn render_format<C: Context + ?Sized>(&self, context: &C) -> Result<String> {
        let mut out = String::new();
        self.render_format_into(&mut out, context)?;
        Ok(out)
    }

    /// As [`Self::render_format`], appending to `out`.
    pub(crate) fn render_format_into<C: Context + ?Sized>(
        &self,
        out: &mut String,
        context: &C,
    ) -> Result<()> {
        let content = self.0.content.as_deref().ok_or_else(|| {
            Error::render(msg::TEMPLATE_RENDER).context("the template has no content")
        })?;
        self.compiled(content)
            .render_into(out, context)
            .map_err(|e| Error::render(msg::TEMPLATE_RENDER).context(e.to_string()))
    }

    /// Renders the Jinja engine with a complete context.
    pub(crate) fn render_jinja(&self, context: &PyDict) -> Result<String> {
        let content = self.0.content.as_deref().ok_or_else(|| {
            Error::render(msg::TEMPLATE_RENDER).context("the template has no content")
        })?;
        crate::jinja::render(content, context)
            .map_err(|e| Error::render(msg::TEMPLATE_RENDER).context(e.to_string()))
    }

    /// Whether [`render`](Self::render) succeeds.
    pub fn check_render(&self, context: Option<&PyDict>) -> bool {
        self.render(context).is_ok()
    }

    /// The top-level names the template reads, sorted (memor's `variables`).
    ///
    /// # Errors
    /// A syntax error in the content.
    pub fn variables(&self) -> Result<Vec<String>> {
        let Some(content) = self.0.content.as_deref() else {
            return Ok(Vec::new());
        };
        match self.0.engine {
            Engine::Format => self
                .compiled(content)
                .variables()
                .map_err(|e| Error::validation(e.message().to_owned()).context(e.to_string())),
            Engine::Jinja => {
                crate::jinja::variables(content).map_err(|e| Error::validation(e.to_string()))
            }
        }
    }

    /// The variables that neither the custom map nor `context` define.
    ///
    /// # Errors
    /// As [`variables`](Self::variables).
    pub fn missing_variables(&self, context: Option<&PyDict>) -> Result<Vec<String>> {
        let mut vars = self.variables()?;
        vars.retain(|v| {
            !context.is_some_and(|c| c.contains_key(v.as_str()))
                && !self
                    .custom_map()
                    .is_some_and(|m| m.contains_key(v.as_str()))
        });
        Ok(vars)
    }

    /// Reads a template from its JSON text.
    ///
    /// # Errors
    /// memor's validation errors, with the field or byte offset at fault.
    pub fn from_json(text: &str) -> Result<Self> {
        let mut reader = Reader::new(text);
        let slots = Self::read_slots(&mut reader)?;
        reader
            .finish()
            .map_err(|e| structure(msg::TEMPLATE_STRUCTURE, &e))?;
        slots.build()
    }

    /// Reads a template object (or a string holding one, as memor accepts) at the reader.
    pub(crate) fn read(reader: &mut Reader<'_>) -> Result<Self> {
        if reader.peek() == Kind::Str {
            let text = reader
                .string()
                .map_err(|e| structure(msg::TEMPLATE_STRUCTURE, &e))?;
            return Self::from_json(&text);
        }
        Self::read_slots(reader)?.build()
    }

    fn read_slots(reader: &mut Reader<'_>) -> Result<TemplateSlots> {
        if reader.peek() != Kind::Dict {
            return Err(Error::validation(msg::TEMPLATE_STRUCTURE)
                .context(format!("expected an object at byte {}", reader.offset())));
        }
        let mut s = TemplateSlots::default();
        reader
            .object(|r, key| {
                match &*key {
                    "date_created" => {
                        s.date_created = Some(read_date(r)?);
                        return Ok(());
                    }
                    "date_modified" => {
                        s.date_modified = Some(read_date(r)?);
                        return Ok(());
                    }
                    _ => {}
                }
                let slot = match &*key {
                    "content" => &mut s.content,
                    "title" => &mut s.title,
                    "engine" => &mut s.engine,
                    "custom_map" => &mut s.custom_map,
                    "memor_version" => &mut s.memor_version,
                    _ => return r.skip(),
                };
                *slot = Some(r.value()?);
                Ok(())
            })
            .map_err(|e| structure(msg::TEMPLATE_STRUCTURE, &e))?;
        Ok(s)
    }
}

#[derive(Default)]
struct TemplateSlots {
    content: Slot,
    title: Slot,
    engine: Slot,
    custom_map: Slot,
    memor_version: Slot,
    date_created: DateSlot,
    date_modified: DateSlot,
}

impl TemplateSlots {
    fn build(self) -> Result<PromptTemplate> {
        let bad = |what: &str| Error::validation(msg::TEMPLATE_STRUCTURE).context(what.to_owned());
        let content = self.content.ok_or_else(|| bad("missing key content"))?;
        let title = self.title.ok_or_else(|| bad("missing key title"))?;
        let engine = match self.engine {
            None => Engine::Format,
            Some(PyValue::Str(s)) if s == "format" => Engine::Format,
            Some(PyValue::Str(s)) if s == "jinja" => Engine::Jinja,
            Some(other) => return Err(bad(&format!("engine: unknown engine {other:?}"))),
        };
        let custom_map = self
            .custom_map
            .ok_or_else(|| bad("missing key custom_map"))?;
        let memor_version = self
            .memor_version
            .ok_or_else(|| bad("missing key memor_version"))?;
        let date_created = date_slot(self.date_created, "date_created", msg::TEMPLATE_STRUCTURE)?;
        let date_modified =
            date_slot(self.date_modified, "date_modified", msg::TEMPLATE_STRUCTURE)?;

        let content = match content {
            PyValue::Null => None,
            other => Some(string(other, "content")?),
        };
        let title = match title {
            PyValue::Null => None,
            other => Some(string(other, "title")?),
        };
        let custom_map = match custom_map {
            PyValue::Null => None,
            PyValue::Dict(d) => Some(d),
            other => {
                return Err(Error::validation(msg::INVALID_CUSTOM_MAP)
                    .context(format!("custom_map is a {}", other.type_name())));
            }
        };
        string(memor_version, "memor_version")?;
        Ok(PromptTemplate(Arc::new(Inner {
            title,
            content,
            engine,
            custom_map,
            date_created,
            date_modified,
            compiled: OnceLock::new(),
            json: OnceLock::new(),
        })))
    }
}

impl Serialize for PromptTemplate {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(7))?;
        m.serialize_entry("title", &self.0.title)?;
        m.serialize_entry("content", &self.0.content)?;
        m.serialize_entry("engine", self.0.engine.as_str())?;
        m.serialize_entry("memor_version", MEMOR_VERSION)?;
        m.serialize_entry("custom_map", &self.0.custom_map)?;
        m.serialize_entry("date_created", &crate::json::MemorDate(self.0.date_created))?;
        m.serialize_entry(
            "date_modified",
            &crate::json::MemorDate(self.0.date_modified),
        )?;
        m.end()
    }
}

/// Names from `top`, then from `base` (memor's `custom_map.update(context)`).
pub(crate) struct Layered<'a, T: ?Sized> {
    pub(crate) top: Option<&'a T>,
    pub(crate) base: Option<&'a PyDict>,
}

impl<T: Context + ?Sized> Context for Layered<'_, T> {
    fn get(&self, name: &str) -> Option<Value<'_>> {
        if let Some(v) = self.top.and_then(|t| t.get(name)) {
            return Some(v);
        }
        self.base
            .and_then(|b| b.lookup(name))
            .map(PyValue::as_value)
    }
}
