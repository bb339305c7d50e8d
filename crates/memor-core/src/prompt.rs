//! A prompt with its candidate responses: memor's `Prompt`.

use std::borrow::Cow;

use memor_presets::Engine;
use memor_template::{Context, Dict, DictRef, List, ListRef, Value};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::date::Date;
use crate::error::{Error, ErrorKind, Result, msg};
use crate::fields::{Role, Rule, Warnings, new_id};
use crate::json::read::{Kind, Reader};
use crate::json::{Number, PyDict, PyValue};
use crate::load::{DateSlot, Slot, TemplateCache, date_slot, nested, read_date, structure};
use crate::prompt_template::{Layered, PromptTemplate};
use crate::response::{MEMOR_VERSION, Response, ResponseView, id_slot, number_opt, string};

/// A prompt, its candidate responses (one of them selected) and the template that turns them
/// into text.
///
/// ```
/// use memor_core::{Prompt, Response};
/// let mut p = Prompt::new("What is 2 + 2?");
/// p.add_response(Response::new("4"), None);
/// assert_eq!(p.render_string()?, "What is 2 + 2?");
/// p.update_template(memor_core::PromptTemplate::new("{prompt[message]} -> {response[message]}"));
/// assert_eq!(p.render_string()?, "What is 2 + 2? -> 4");
/// # Ok::<(), memor_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Prompt {
    pub(crate) message: String,
    pub(crate) warnings: Warnings,
    pub(crate) responses: Vec<Response>,
    pub(crate) selected_response_index: Number,
    pub(crate) tokens: Option<Number>,
    pub(crate) role: Role,
    pub(crate) id: String,
    pub(crate) template: PromptTemplate,
    pub(crate) date_created: Date,
    pub(crate) date_modified: Date,
}

impl Default for Prompt {
    fn default() -> Self {
        Prompt::new("")
    }
}

/// memor's equality: message, responses, role, template and tokens.
impl PartialEq for Prompt {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
            && self.responses == other.responses
            && self.role == other.role
            && self.template == other.template
            && self.tokens == other.tokens
    }
}

impl Prompt {
    /// A user prompt with `message`, memor's default template, a new id, dated now.
    pub fn new(message: impl Into<String>) -> Self {
        let now = Date::now();
        Prompt {
            message: message.into(),
            warnings: Warnings::default(),
            responses: Vec::new(),
            selected_response_index: Number::Int(0),
            tokens: None,
            role: Role::User,
            id: new_id(),
            template: PromptTemplate::default_preset(),
            date_created: now,
            date_modified: now,
        }
    }

    fn touch(&mut self) {
        self.date_modified = Date::now();
    }

    /// The text.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The role (user unless changed).
    pub fn role(&self) -> Role {
        self.role
    }
    /// The candidate responses.
    pub fn responses(&self) -> &[Response] {
        &self.responses
    }
    /// The candidate responses, to change in place.
    pub fn responses_mut(&mut self) -> &mut Vec<Response> {
        &mut self.responses
    }
    /// The index of the selected response (it may be out of range).
    pub fn selected_response_index(&self) -> &Number {
        &self.selected_response_index
    }
    /// The selected response, when the index is in range.
    pub fn selected_response(&self) -> Option<&Response> {
        let index = usize::try_from(self.selected_response_index.as_u64()?).ok()?;
        self.responses.get(index)
    }
    /// The token count.
    pub fn tokens(&self) -> Option<&Number> {
        self.tokens.as_ref()
    }
    /// The id, as written.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The template.
    pub fn template(&self) -> &PromptTemplate {
        &self.template
    }
    /// When it was created.
    pub fn date_created(&self) -> Date {
        self.date_created
    }
    /// When it was last changed.
    pub fn date_modified(&self) -> Date {
        self.date_modified
    }
    /// The warnings settings.
    pub fn warnings(&self) -> &Warnings {
        &self.warnings
    }

    /// Sets the text.
    pub fn update_message(&mut self, message: impl Into<String>) {
        self.message = message.into();
        self.touch();
    }
    /// Sets the role.
    pub fn update_role(&mut self, role: Role) {
        self.role = role;
        self.touch();
    }
    /// Sets the token count.
    ///
    /// # Errors
    /// Not a non-negative integer.
    pub fn update_tokens(&mut self, tokens: Option<Number>) -> Result<()> {
        if let Some(t) = &tokens {
            Rule::NonNegativeInt.check(t, "tokens")?;
        }
        self.tokens = tokens;
        self.touch();
        Ok(())
    }
    /// Sets the creation date (for history brought in from elsewhere). The modification date
    /// does not change.
    pub fn update_date_created(&mut self, date: Date) {
        self.date_created = date;
    }
    /// Replaces the responses.
    pub fn update_responses(&mut self, responses: Vec<Response>) {
        self.responses = responses;
        self.touch();
    }
    /// Replaces the template.
    pub fn update_template(&mut self, template: PromptTemplate) {
        self.template = template;
        self.touch();
    }
    /// Adds a response at the end, or before `index` (past the end appends), as Python's
    /// `list.insert`.
    pub fn add_response(&mut self, response: Response, index: Option<usize>) {
        match index {
            Some(i) if i < self.responses.len() => self.responses.insert(i, response),
            _ => self.responses.push(response),
        }
        self.touch();
    }
    /// Removes the response at `index`.
    ///
    /// # Errors
    /// An index out of range.
    pub fn remove_response(&mut self, index: usize) -> Result<Response> {
        if index >= self.responses.len() {
            return Err(Error::new(ErrorKind::Index, "pop index out of range")
                .context(format!("index {index}, {} responses", self.responses.len())));
        }
        let removed = self.responses.remove(index);
        self.touch();
        Ok(removed)
    }
    /// Removes every response and selects index 0.
    pub fn clear_responses(&mut self) {
        self.responses.clear();
        self.selected_response_index = Number::Int(0);
        self.touch();
    }
    /// Selects the response at `index` (which may be out of range) and returns it.
    pub fn select_response(&mut self, index: usize) -> Option<&Response> {
        self.selected_response_index = Number::from(index as u64);
        self.touch();
        self.responses.get(index)
    }
    /// Gives the prompt a new id.
    pub fn regenerate_id(&mut self) {
        self.id = new_id();
    }
    /// Turns the size warning on with `threshold` bytes.
    ///
    /// # Errors
    /// A negative threshold.
    pub fn set_size_warning(&mut self, threshold: Number) -> Result<()> {
        Rule::NonNegative.check(&threshold, "threshold")?;
        self.warnings.set_size(threshold);
        self.touch();
        Ok(())
    }
    /// Turns the size warning off.
    pub fn reset_size_warning(&mut self) {
        self.warnings.reset_size();
        self.touch();
    }
    /// A copy with a new id (memor's `copy()`).
    #[must_use]
    pub fn copy(&self) -> Self {
        let mut copy = self.clone();
        copy.regenerate_id();
        copy
    }

    /// The prompt's text: its template rendered with the template's custom map, `prompt` (the
    /// prompt's JSON without template), `response` (the selected response's JSON, when the
    /// index is in range) and `responses`.
    ///
    /// Beyond memor 1.4, `prompt[date]` and `response[date]` give the creation dates, so that
    /// memor's `PROMPT_RESPONSE_FULL` presets render.
    ///
    /// # Errors
    /// memor's render error, with the template's own error as detail.
    pub fn render_string(&self) -> Result<String> {
        // Room for the usual parts: the template's text, the prompt and the selected response.
        let hint = self.message.len()
            + self.selected_response().map_or(0, |r| r.message().len())
            + self.template.content().map_or(0, str::len)
            + 256;
        let mut out = String::with_capacity(hint);
        self.render_into(&mut out)?;
        Ok(out)
    }

    /// As [`render_string`](Self::render_string), appending to `out` (on error, `out` may hold
    /// part of the text).
    ///
    /// # Errors
    /// As [`render_string`](Self::render_string).
    pub fn render_into(&self, out: &mut String) -> Result<()> {
        let result = match self.template.engine() {
            Engine::Format => {
                let context = PromptContext::new(self);
                self.template.render_format_into(
                    out,
                    &Layered {
                        top: Some(&context),
                        base: self.template.custom_map(),
                    },
                )
            }
            Engine::Jinja => self
                .jinja_context()
                .and_then(|ctx| self.template.render_jinja(&ctx))
                .map(|text| out.push_str(&text)),
        };
        result.map_err(|e| {
            let detail = e.detail().unwrap_or(e.message()).to_owned();
            Error::render(msg::PROMPT_RENDER).context(detail)
        })
    }

    /// The Jinja context: the custom map updated with `prompt`, `response` and `responses`.
    fn jinja_context(&self) -> Result<PyDict> {
        let mut ctx = self.template.custom_map().cloned().unwrap_or_default();
        let parse = |json: Result<String>| -> Result<PyValue> {
            let text =
                json.map_err(|e| Error::render(msg::PROMPT_RENDER).context(e.to_string()))?;
            crate::json::parse(&text)
                .map_err(|e| Error::render(msg::PROMPT_RENDER).context(e.to_string()))
        };
        ctx.insert("prompt".into(), parse(self.to_json(false))?);
        if let Some(r) = self.selected_response() {
            ctx.insert("response".into(), parse(r.to_json())?);
        }
        let responses = self
            .responses
            .iter()
            .map(|r| parse(r.to_json()))
            .collect::<Result<Vec<_>>>()?;
        ctx.insert(
            "responses".into(),
            PyValue::List(crate::json::PyList(responses)),
        );
        Ok(ctx)
    }

    /// Reads a prompt from its JSON text. A prompt saved without its template gets memor's
    /// default template.
    ///
    /// # Errors
    /// memor's validation errors, with the field or byte offset at fault.
    pub fn from_json(text: &str) -> Result<Self> {
        let mut reader = Reader::new(text);
        let slots = Self::read_slots(&mut reader)?;
        reader
            .finish()
            .map_err(|e| structure(msg::PROMPT_STRUCTURE, &e))?;
        slots.build()
    }

    /// Reads a prompt object at the reader's position, sharing templates through `cache`.
    pub(crate) fn read_cached<'a>(
        reader: &mut Reader<'a>,
        cache: &mut TemplateCache<'a>,
    ) -> Result<Self> {
        Self::read_slots_cached(reader, cache)?.build()
    }

    fn read_slots(reader: &mut Reader<'_>) -> Result<PromptSlots> {
        Self::read_slots_cached(reader, &mut TemplateCache::default())
    }

    fn read_slots_cached<'a>(
        reader: &mut Reader<'a>,
        cache: &mut TemplateCache<'a>,
    ) -> Result<PromptSlots> {
        if reader.peek() != Kind::Dict {
            return Err(Error::validation(msg::PROMPT_STRUCTURE)
                .context(format!("expected an object at byte {}", reader.offset())));
        }
        let mut s = PromptSlots::default();
        reader
            .object(|r, key| {
                match &*key {
                    "responses" => s.responses = Some(read_responses(r)?),
                    "template" => s.template = Some(read_template(r, cache)?),
                    "message" => s.message = Some(r.value()?),
                    "warnings" => s.warnings = Some(r.value()?),
                    "tokens" => s.tokens = Some(r.value()?),
                    "id" => s.id = Some(r.value()?),
                    "role" => s.role = Some(r.value()?),
                    "memor_version" => s.memor_version = Some(r.value()?),
                    "date_created" => s.date_created = Some(read_date(r)?),
                    "date_modified" => s.date_modified = Some(read_date(r)?),
                    "selected_response_index" => s.selected = Some(r.value()?),
                    _ => r.skip()?,
                }
                Ok(())
            })
            .map_err(|e| structure(msg::PROMPT_STRUCTURE, &e))?;
        Ok(s)
    }
}

/// Reads a prompt's template, or takes an identical one already read.
fn read_template<'a>(
    r: &mut Reader<'a>,
    cache: &mut TemplateCache<'a>,
) -> crate::json::read::Result<PromptTemplate> {
    r.peek();
    let start = r.offset();
    let mut probe = r.clone();
    probe.skip()?;
    let text = r.source(start, probe.offset());
    if let Some(template) = cache.get(text) {
        *r = probe;
        return Ok(template);
    }
    let template = nested(r, || "template".into(), PromptTemplate::read)?;
    cache.insert(text, template.clone());
    Ok(template)
}

/// Reads `responses`: a list of response objects (or of JSON texts holding one), or what
/// Python iterates like one (an empty string or object is no response; a non-empty object's
/// keys would each have to be a response's JSON text).
fn read_responses(r: &mut Reader<'_>) -> crate::json::read::Result<Vec<Response>> {
    let mut out = Vec::new();
    match r.peek() {
        Kind::List => r.array(|r| {
            let index = out.len();
            let what = || format!("responses[{index}]");
            let response = if r.peek() == Kind::Str {
                let text = r.string()?;
                nested(r, what, |_| Response::from_json(&text))?
            } else {
                nested(r, what, Response::read)?
            };
            out.push(response);
            Ok(())
        })?,
        Kind::Dict => r.object(|r, key| {
            let index = out.len();
            out.push(nested(
                r,
                || format!("responses key {index}"),
                |_| Response::from_json(&key),
            )?);
            r.skip()
        })?,
        Kind::Str => {
            let text = r.string()?;
            if !text.is_empty() {
                return Err(r.error("responses is a non-empty string"));
            }
        }
        _ => {
            let at = r.offset();
            let v = r.value()?;
            return Err(crate::json::JsonError {
                message: format!("responses is a {}", v.type_name()).into(),
                offset: at,
            });
        }
    }
    Ok(out)
}

#[derive(Default)]
struct PromptSlots {
    message: Slot,
    warnings: Slot,
    tokens: Slot,
    id: Slot,
    responses: Option<Vec<Response>>,
    role: Slot,
    template: Option<PromptTemplate>,
    memor_version: Slot,
    date_created: DateSlot,
    date_modified: DateSlot,
    selected: Slot,
}

impl PromptSlots {
    fn build(self) -> Result<Prompt> {
        let bad = |what: &str| Error::validation(msg::PROMPT_STRUCTURE).context(what.to_owned());
        let message = self.message.ok_or_else(|| bad("missing key message"))?;
        let warnings = self
            .warnings
            .unwrap_or_else(|| PyValue::Dict(PyDict::new()));
        let responses = self.responses.ok_or_else(|| bad("missing key responses"))?;
        let role = match self.role.ok_or_else(|| bad("missing key role"))? {
            PyValue::Str(s) => s
                .parse::<Role>()
                .map_err(|_| bad(&format!("role: unknown role {s:?}")))?,
            other => return Err(bad(&format!("role: a {} is not a role", other.type_name()))),
        };
        let template = self.template.unwrap_or_else(PromptTemplate::default_preset);
        let memor_version = self
            .memor_version
            .ok_or_else(|| bad("missing key memor_version"))?;
        let date_created = date_slot(self.date_created, "date_created", msg::PROMPT_STRUCTURE)?;
        let date_modified = date_slot(self.date_modified, "date_modified", msg::PROMPT_STRUCTURE)?;
        let selected = self
            .selected
            .ok_or_else(|| bad("missing key selected_response_index"))?;

        let message = string(message, "message")?;
        let tokens = number_opt(self.tokens, "tokens", Rule::NonNegativeInt)?;
        let id = id_slot(self.id)?;
        let warnings = Warnings::from_value(warnings)?;
        string(memor_version, "memor_version")?;
        let Some(selected_response_index) = number_opt(
            Some(selected),
            "selected_response_index",
            Rule::NonNegativeInt,
        )?
        else {
            return Err(
                Error::validation(msg::non_negative_int("selected_response_index"))
                    .context("selected_response_index is null"),
            );
        };
        Ok(Prompt {
            message,
            warnings,
            responses,
            selected_response_index,
            tokens,
            role,
            id,
            template,
            date_created,
            date_modified,
        })
    }
}

/// Serializes a prompt with or without its template.
pub(crate) struct PromptJson<'a> {
    pub(crate) prompt: &'a Prompt,
    pub(crate) save_template: bool,
    /// The template is written from its cached JSON ([`crate::json::RawJson`]): only for
    /// `json::to_writer`.
    pub(crate) cached_template: bool,
    /// The responses' JSON, already written (raw; only for `json::to_writer`).
    pub(crate) responses_json: Option<&'a [&'a [u8]]>,
}

impl<'a> PromptJson<'a> {
    /// The prompt as its file is written: the template from its cached JSON.
    pub(crate) fn file(prompt: &'a Prompt, save_template: bool) -> Self {
        PromptJson {
            prompt,
            save_template,
            cached_template: true,
            responses_json: None,
        }
    }
}

/// JSON texts written as the elements of a list.
struct RawList<'a>(&'a [&'a [u8]]);

impl Serialize for RawList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for json in self.0 {
            seq.serialize_element(&crate::json::RawJson(json))?;
        }
        seq.end()
    }
}

impl Serialize for PromptJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let p = self.prompt;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("type", "Prompt")?;
        m.serialize_entry("message", &p.message)?;
        m.serialize_entry("warnings", &p.warnings.0)?;
        match self.responses_json {
            Some(jsons) => m.serialize_entry("responses", &RawList(jsons))?,
            None => m.serialize_entry("responses", &p.responses)?,
        }
        m.serialize_entry("selected_response_index", &p.selected_response_index)?;
        m.serialize_entry("tokens", &p.tokens)?;
        m.serialize_entry("role", p.role.as_str())?;
        m.serialize_entry("id", &p.id)?;
        if self.save_template && self.cached_template {
            let json = p
                .template
                .cached_json()
                .map_err(serde::ser::Error::custom)?;
            m.serialize_entry("template", &crate::json::RawJson(json.as_bytes()))?;
        } else if self.save_template {
            m.serialize_entry("template", &p.template)?;
        }
        m.serialize_entry("memor_version", MEMOR_VERSION)?;
        m.serialize_entry("date_created", &crate::json::MemorDate(p.date_created))?;
        m.serialize_entry("date_modified", &crate::json::MemorDate(p.date_modified))?;
        m.end()
    }
}

/// A prompt serialized with its template, as memor saves it by default.
impl Serialize for Prompt {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        PromptJson {
            prompt: self,
            save_template: true,
            cached_template: false,
            responses_json: None,
        }
        .serialize(serializer)
    }
}

/// The render context of a prompt, without building JSON.
pub(crate) struct PromptContext<'a> {
    prompt: PromptView<'a>,
    response: Option<ResponseView<'a>>,
    responses: ResponsesView<'a>,
}

impl<'a> PromptContext<'a> {
    pub(crate) fn new(prompt: &'a Prompt) -> Self {
        PromptContext {
            prompt: PromptView(prompt),
            response: prompt.selected_response().map(ResponseView),
            responses: ResponsesView(&prompt.responses),
        }
    }
}

impl Context for PromptContext<'_> {
    fn get(&self, name: &str) -> Option<Value<'_>> {
        match name {
            "prompt" => Some(Value::Dict(DictRef::borrowed(&self.prompt))),
            "response" => self
                .response
                .as_ref()
                .map(|r| Value::Dict(DictRef::borrowed(r))),
            "responses" => Some(Value::List(ListRef::borrowed(&self.responses))),
            _ => None,
        }
    }
}

struct ResponsesView<'a>(&'a [Response]);

impl List for ResponsesView<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.0
            .get(index)
            .map(|r| Value::Dict(DictRef::boxed(ResponseView(r))))
    }
}

/// The prompt as a template sees it: its JSON without template. `date` is also readable.
struct PromptView<'a>(&'a Prompt);

const PROMPT_KEYS: [&str; 11] = [
    "type",
    "message",
    "warnings",
    "responses",
    "selected_response_index",
    "tokens",
    "role",
    "id",
    "memor_version",
    "date_created",
    "date_modified",
];

impl Dict for PromptView<'_> {
    fn len(&self) -> usize {
        PROMPT_KEYS.len()
    }

    fn get(&self, key: &str) -> Option<Value<'_>> {
        let p = self.0;
        Some(match key {
            "type" => Value::from("Prompt"),
            "message" => Value::Str(Cow::Borrowed(&p.message)),
            "warnings" => Value::Dict(DictRef::borrowed(&p.warnings.0)),
            "responses" => Value::List(ListRef::boxed(ResponsesView(&p.responses))),
            "selected_response_index" => p.selected_response_index.as_value(),
            "tokens" => p.tokens.as_ref().map_or(Value::None, Number::as_value),
            "role" => Value::from(p.role.as_str()),
            "id" => Value::Str(Cow::Borrowed(&p.id)),
            "memor_version" => Value::from(MEMOR_VERSION),
            "date_created" | "date" => Value::Str(Cow::Owned(p.date_created.to_string())),
            "date_modified" => Value::Str(Cow::Owned(p.date_modified.to_string())),
            _ => return None,
        })
    }

    fn for_each(&self, f: &mut dyn FnMut(&str, Value<'_>)) {
        for key in PROMPT_KEYS {
            if let Some(v) = Dict::get(self, key) {
                f(key, v);
            }
        }
    }
}
