//! A model's answer: memor's `Response`.

use std::borrow::Cow;

use memor_template::{Dict, Value};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::date::Date;
use crate::error::{Error, Result, msg};
use crate::fields::{FinishReason, Role, Rule, Warnings, is_valid_id, new_id};
use crate::json::read::{Kind, Reader};
use crate::json::{Number, PyDict, PyValue};
use crate::load::{DateSlot, Slot, date_slot, read_date, structure};

/// memor's format version, written in every file.
pub const MEMOR_VERSION: &str = "1.4";

/// memor's default model string.
pub const DEFAULT_MODEL: &str = "unknown";

/// A model's answer with its generation metadata.
///
/// ```
/// use memor_core::{Response, Role};
/// let mut r = Response::new("Paris.");
/// r.update_score(Some(0.9.into()))?;
/// r.update_model("gpt-4o");
/// assert_eq!(r.role(), Role::Assistant);
/// assert_eq!(r.message(), "Paris.");
/// # Ok::<(), memor_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Response {
    pub(crate) message: String,
    pub(crate) warnings: Warnings,
    pub(crate) score: Option<Number>,
    pub(crate) temperature: Option<Number>,
    pub(crate) top_k: Option<Number>,
    pub(crate) tokens: Option<Number>,
    pub(crate) inference_time: Option<Number>,
    pub(crate) top_p: Option<Number>,
    pub(crate) role: Role,
    pub(crate) model: String,
    pub(crate) gpu: Option<String>,
    pub(crate) seed: Option<Number>,
    pub(crate) id: String,
    pub(crate) date_created: Date,
    pub(crate) date_modified: Date,
    pub(crate) finish_reason: Option<FinishReason>,
}

impl Default for Response {
    fn default() -> Self {
        Response::new("")
    }
}

/// memor's equality: message, score, role, temperature, model, tokens, inference time, top-k,
/// top-p, GPU, seed and finish reason (not the id, dates or warnings).
impl PartialEq for Response {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
            && self.score == other.score
            && self.role == other.role
            && self.temperature == other.temperature
            && self.model == other.model
            && self.tokens == other.tokens
            && self.inference_time == other.inference_time
            && self.top_k == other.top_k
            && self.top_p == other.top_p
            && self.gpu == other.gpu
            && self.seed == other.seed
            && self.finish_reason == other.finish_reason
    }
}

impl Response {
    /// Whether `self` and `other` are written alike in a memor file: every field identical
    /// (numbers of the same kind, floats bit for bit; dates with the same offset). Responses with
    /// warnings never are (a dict's order is not part of its equality).
    pub(crate) fn written_alike(&self, other: &Response) -> bool {
        fn same(a: Option<&Number>, b: Option<&Number>) -> bool {
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => a.identical(b),
                _ => false,
            }
        }
        // Every field, so that a new one cannot be forgotten here.
        let Response {
            message,
            warnings,
            score,
            temperature,
            top_k,
            tokens,
            inference_time,
            top_p,
            role,
            model,
            gpu,
            seed,
            id,
            date_created,
            date_modified,
            finish_reason,
        } = self;
        warnings.0.0.is_empty()
            && other.warnings.0.0.is_empty()
            && *id == other.id
            && *message == other.message
            && *role == other.role
            && *model == other.model
            && *gpu == other.gpu
            && *finish_reason == other.finish_reason
            && same(score.as_ref(), other.score.as_ref())
            && same(temperature.as_ref(), other.temperature.as_ref())
            && same(top_k.as_ref(), other.top_k.as_ref())
            && same(tokens.as_ref(), other.tokens.as_ref())
            && same(inference_time.as_ref(), other.inference_time.as_ref())
            && same(top_p.as_ref(), other.top_p.as_ref())
            && same(seed.as_ref(), other.seed.as_ref())
            && date_created.identical(&other.date_created)
            && date_modified.identical(&other.date_modified)
    }

    /// A response with `message`, role assistant, a new id, dated now.
    pub fn new(message: impl Into<String>) -> Self {
        let now = Date::now();
        Response {
            message: message.into(),
            warnings: Warnings::default(),
            score: None,
            temperature: None,
            top_k: None,
            tokens: None,
            inference_time: None,
            top_p: None,
            role: Role::Assistant,
            model: DEFAULT_MODEL.to_owned(),
            gpu: None,
            seed: None,
            id: new_id(),
            date_created: now,
            date_modified: now,
            finish_reason: None,
        }
    }

    fn touch(&mut self) {
        self.date_modified = Date::now();
    }

    /// The text.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The role (assistant unless changed).
    pub fn role(&self) -> Role {
        self.role
    }
    /// The score, a probability.
    pub fn score(&self) -> Option<&Number> {
        self.score.as_ref()
    }
    /// The sampling temperature.
    pub fn temperature(&self) -> Option<&Number> {
        self.temperature.as_ref()
    }
    /// Top-k sampling.
    pub fn top_k(&self) -> Option<&Number> {
        self.top_k.as_ref()
    }
    /// Top-p sampling.
    pub fn top_p(&self) -> Option<&Number> {
        self.top_p.as_ref()
    }
    /// The token count.
    pub fn tokens(&self) -> Option<&Number> {
        self.tokens.as_ref()
    }
    /// Seconds taken to generate.
    pub fn inference_time(&self) -> Option<&Number> {
        self.inference_time.as_ref()
    }
    /// The model string (`"unknown"` by default).
    pub fn model(&self) -> &str {
        &self.model
    }
    /// The GPU.
    pub fn gpu(&self) -> Option<&str> {
        self.gpu.as_deref()
    }
    /// The seed.
    pub fn seed(&self) -> Option<&Number> {
        self.seed.as_ref()
    }
    /// Why generation stopped.
    pub fn finish_reason(&self) -> Option<&FinishReason> {
        self.finish_reason.as_ref()
    }
    /// The id, as written.
    pub fn id(&self) -> &str {
        &self.id
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
    /// Sets the score.
    ///
    /// # Errors
    /// A score outside `[0, 1]`.
    pub fn update_score(&mut self, score: Option<Number>) -> Result<()> {
        if let Some(s) = &score {
            Rule::Probability.check(s, "score")?;
        }
        self.score = score;
        self.touch();
        Ok(())
    }
    /// Sets the temperature.
    ///
    /// # Errors
    /// A negative temperature.
    pub fn update_temperature(&mut self, temperature: Option<Number>) -> Result<()> {
        if let Some(t) = &temperature {
            Rule::NonNegative.check(t, "temperature")?;
        }
        self.temperature = temperature;
        self.touch();
        Ok(())
    }
    /// Sets top-k.
    ///
    /// # Errors
    /// Not a non-negative integer.
    pub fn update_top_k(&mut self, top_k: Option<Number>) -> Result<()> {
        if let Some(k) = &top_k {
            Rule::NonNegativeInt.check(k, "top_k")?;
        }
        self.top_k = top_k;
        self.touch();
        Ok(())
    }
    /// Sets top-p.
    ///
    /// # Errors
    /// Outside `[0, 1]`.
    pub fn update_top_p(&mut self, top_p: Option<Number>) -> Result<()> {
        if let Some(p) = &top_p {
            Rule::Probability.check(p, "top_p")?;
        }
        self.top_p = top_p;
        self.touch();
        Ok(())
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
    /// Sets the inference time.
    ///
    /// # Errors
    /// A negative time.
    pub fn update_inference_time(&mut self, inference_time: Option<Number>) -> Result<()> {
        if let Some(t) = &inference_time {
            Rule::NonNegative.check(t, "inference_time")?;
        }
        self.inference_time = inference_time;
        self.touch();
        Ok(())
    }
    /// Sets the model string.
    pub fn update_model(&mut self, model: impl Into<String>) {
        self.model = model.into();
        self.touch();
    }
    /// Sets the GPU.
    pub fn update_gpu(&mut self, gpu: Option<String>) {
        self.gpu = gpu;
        self.touch();
    }
    /// Sets the seed.
    ///
    /// # Errors
    /// Not an integer.
    pub fn update_seed(&mut self, seed: Option<Number>) -> Result<()> {
        if let Some(s) = &seed {
            Rule::Int.check(s, "seed")?;
        }
        self.seed = seed;
        self.touch();
        Ok(())
    }
    /// Sets the finish reason.
    pub fn update_finish_reason(&mut self, finish_reason: Option<FinishReason>) {
        self.finish_reason = finish_reason;
        self.touch();
    }
    /// Sets the creation date.
    pub fn update_date_created(&mut self, date: Date) {
        self.date_created = date;
    }
    /// Gives the response a new id.
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

    /// The text a STRING render gives: the message.
    pub fn render_string(&self) -> &str {
        &self.message
    }

    /// Reads a response from its JSON text (memor's `from_json`).
    ///
    /// # Errors
    /// memor's validation errors, with the field or byte offset at fault.
    pub fn from_json(text: &str) -> Result<Self> {
        let mut reader = Reader::new(text);
        let slots = Self::read_slots(&mut reader)?;
        reader
            .finish()
            .map_err(|e| structure(msg::RESPONSE_STRUCTURE, &e))?;
        slots.build()
    }

    /// Reads a response object at the reader's position.
    pub(crate) fn read(reader: &mut Reader<'_>) -> Result<Self> {
        Self::read_slots(reader)?.build()
    }

    fn read_slots(reader: &mut Reader<'_>) -> Result<ResponseSlots> {
        let mut s = ResponseSlots::default();
        if reader.peek() != Kind::Dict {
            return Err(Error::validation(msg::RESPONSE_STRUCTURE)
                .context(format!("expected an object at byte {}", reader.offset())));
        }
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
                    "message" => &mut s.message,
                    "warnings" => &mut s.warnings,
                    "score" => &mut s.score,
                    "temperature" => &mut s.temperature,
                    "top_k" => &mut s.top_k,
                    "top_p" => &mut s.top_p,
                    "tokens" => &mut s.tokens,
                    "inference_time" => &mut s.inference_time,
                    "model" => &mut s.model,
                    "gpu" => &mut s.gpu,
                    "seed" => &mut s.seed,
                    "role" => &mut s.role,
                    "memor_version" => &mut s.memor_version,
                    "id" => &mut s.id,
                    "finish_reason" => &mut s.finish_reason,
                    _ => return r.skip(),
                };
                *slot = Some(r.value()?);
                Ok(())
            })
            .map_err(|e| structure(msg::RESPONSE_STRUCTURE, &e))?;
        Ok(s)
    }
}

#[derive(Default)]
struct ResponseSlots {
    message: Slot,
    warnings: Slot,
    score: Slot,
    temperature: Slot,
    top_k: Slot,
    top_p: Slot,
    tokens: Slot,
    inference_time: Slot,
    model: Slot,
    gpu: Slot,
    seed: Slot,
    role: Slot,
    memor_version: Slot,
    id: Slot,
    date_created: DateSlot,
    date_modified: DateSlot,
    finish_reason: Slot,
}

impl ResponseSlots {
    /// memor's checks, in memor's order: first what makes the structure invalid, then each
    /// field's own rule.
    fn build(self) -> Result<Response> {
        let bad = |what: &str| Error::validation(msg::RESPONSE_STRUCTURE).context(what.to_owned());
        let message = self.message.ok_or_else(|| bad("missing key message"))?;
        let warnings = self
            .warnings
            .unwrap_or_else(|| PyValue::Dict(PyDict::default()));
        let score = self.score.ok_or_else(|| bad("missing key score"))?;
        let temperature = self
            .temperature
            .ok_or_else(|| bad("missing key temperature"))?;
        let model = match self.model.ok_or_else(|| bad("missing key model"))? {
            PyValue::Null => PyValue::Str(DEFAULT_MODEL.to_owned()),
            other => other,
        };
        let role = match self.role.ok_or_else(|| bad("missing key role"))? {
            PyValue::Str(s) => s
                .parse::<Role>()
                .map_err(|_| bad(&format!("role: unknown role {s:?}")))?,
            other => return Err(bad(&format!("role: a {} is not a role", other.type_name()))),
        };
        let memor_version = self
            .memor_version
            .ok_or_else(|| bad("missing key memor_version"))?;
        let date_created = date_slot(self.date_created, "date_created", msg::RESPONSE_STRUCTURE)?;
        let date_modified =
            date_slot(self.date_modified, "date_modified", msg::RESPONSE_STRUCTURE)?;

        let message = string(message, "message")?;
        let score = number_opt(Some(score), "score", Rule::Probability)?;
        let temperature = number_opt(Some(temperature), "temperature", Rule::NonNegative)?;
        let top_k = number_opt(self.top_k, "top_k", Rule::NonNegativeInt)?;
        let top_p = number_opt(self.top_p, "top_p", Rule::Probability)?;
        let gpu = string_opt(self.gpu, "gpu")?;
        let seed = number_opt(self.seed, "seed", Rule::Int)?;
        let tokens = number_opt(self.tokens, "tokens", Rule::NonNegativeInt)?;
        let inference_time = number_opt(self.inference_time, "inference_time", Rule::NonNegative)?;
        let finish_reason = string_opt(self.finish_reason, "finish_reason")?;
        let model = string(model, "model")?;
        let id = id_slot(self.id)?;
        let warnings = Warnings::from_value(warnings)?;
        string(memor_version, "memor_version")?;
        Ok(Response {
            message,
            warnings,
            score,
            temperature,
            top_k,
            tokens,
            inference_time,
            top_p,
            role,
            model,
            gpu,
            seed,
            id,
            date_created,
            date_modified,
            finish_reason: finish_reason.map(FinishReason::from),
        })
    }
}

/// A required string field.
pub(crate) fn string(value: PyValue, name: &str) -> Result<String> {
    match value {
        PyValue::Str(s) => Ok(s),
        other => Err(Error::validation(msg::string(name))
            .context(format!("{name} is a {}", other.type_name()))),
    }
}

/// An optional string field (`null` or absent is `None`).
pub(crate) fn string_opt(value: Option<PyValue>, name: &str) -> Result<Option<String>> {
    match value {
        None | Some(PyValue::Null) => Ok(None),
        Some(v) => string(v, name).map(Some),
    }
}

/// An optional number field under `rule`; booleans and other types break the rule, as in
/// memor.
pub(crate) fn number_opt(value: Option<PyValue>, name: &str, rule: Rule) -> Result<Option<Number>> {
    match value {
        None | Some(PyValue::Null) => Ok(None),
        Some(PyValue::Number(n)) => {
            rule.check(&n, name)?;
            Ok(Some(n))
        }
        Some(other) => Err(Error::validation(rule.message(name))
            .context(format!("{name} is a {}", other.type_name()))),
    }
}

/// The id: as written when valid, a new one when absent.
pub(crate) fn id_slot(value: Option<PyValue>) -> Result<String> {
    match value {
        None => Ok(new_id()),
        Some(PyValue::Str(s)) if is_valid_id(&s) => Ok(s),
        Some(PyValue::Str(s)) => {
            Err(Error::validation(msg::INVALID_ID).context(format!("id {s:?} is not a UUID")))
        }
        Some(other) => Err(Error::validation(msg::INVALID_ID)
            .context(format!("id is a {}, not a string", other.type_name()))),
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(18))?;
        m.serialize_entry("type", "Response")?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("warnings", &self.warnings.0)?;
        m.serialize_entry("score", &self.score)?;
        m.serialize_entry("temperature", &self.temperature)?;
        m.serialize_entry("top_k", &self.top_k)?;
        m.serialize_entry("tokens", &self.tokens)?;
        m.serialize_entry("inference_time", &self.inference_time)?;
        m.serialize_entry("top_p", &self.top_p)?;
        m.serialize_entry("role", self.role.as_str())?;
        m.serialize_entry("model", &self.model)?;
        m.serialize_entry("gpu", &self.gpu)?;
        m.serialize_entry("seed", &self.seed)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("memor_version", MEMOR_VERSION)?;
        m.serialize_entry("date_created", &crate::json::MemorDate(self.date_created))?;
        m.serialize_entry("date_modified", &crate::json::MemorDate(self.date_modified))?;
        m.serialize_entry(
            "finish_reason",
            &self.finish_reason.as_ref().map(FinishReason::as_str),
        )?;
        m.end()
    }
}

/// The response as a template sees it: its JSON (`to_json()`), without building it.
/// `date` is also readable: the creation date, for memor's `PROMPT_RESPONSE_FULL` presets.
pub(crate) struct ResponseView<'a>(pub(crate) &'a Response);

fn opt_number(n: Option<&Number>) -> Value<'_> {
    n.map_or(Value::None, Number::as_value)
}

fn opt_str(s: Option<&str>) -> Value<'_> {
    s.map_or(Value::None, |s| Value::Str(Cow::Borrowed(s)))
}

fn date_value<'a>(d: Date) -> Value<'a> {
    Value::Str(Cow::Owned(d.to_string()))
}

const RESPONSE_KEYS: [&str; 18] = [
    "type",
    "message",
    "warnings",
    "score",
    "temperature",
    "top_k",
    "tokens",
    "inference_time",
    "top_p",
    "role",
    "model",
    "gpu",
    "seed",
    "id",
    "memor_version",
    "date_created",
    "date_modified",
    "finish_reason",
];

impl Dict for ResponseView<'_> {
    fn len(&self) -> usize {
        RESPONSE_KEYS.len()
    }

    fn get(&self, key: &str) -> Option<Value<'_>> {
        let r = self.0;
        Some(match key {
            "type" => Value::from("Response"),
            "message" => Value::Str(Cow::Borrowed(&r.message)),
            "warnings" => Value::Dict(memor_template::DictRef::borrowed(&r.warnings.0)),
            "score" => opt_number(r.score.as_ref()),
            "temperature" => opt_number(r.temperature.as_ref()),
            "top_k" => opt_number(r.top_k.as_ref()),
            "tokens" => opt_number(r.tokens.as_ref()),
            "inference_time" => opt_number(r.inference_time.as_ref()),
            "top_p" => opt_number(r.top_p.as_ref()),
            "role" => Value::from(r.role.as_str()),
            "model" => Value::Str(Cow::Borrowed(&r.model)),
            "gpu" => opt_str(r.gpu.as_deref()),
            "seed" => opt_number(r.seed.as_ref()),
            "id" => Value::Str(Cow::Borrowed(&r.id)),
            "memor_version" => Value::from(MEMOR_VERSION),
            "date_created" | "date" => date_value(r.date_created),
            "date_modified" => date_value(r.date_modified),
            "finish_reason" => opt_str(r.finish_reason.as_ref().map(FinishReason::as_str)),
            _ => return None,
        })
    }

    fn for_each(&self, f: &mut dyn FnMut(&str, Value<'_>)) {
        for key in RESPONSE_KEYS {
            if let Some(v) = Dict::get(self, key) {
                f(key, v);
            }
        }
    }
}
