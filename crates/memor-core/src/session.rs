//! A conversation: memor's `Session`.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::date::Date;
use crate::error::{Error, ErrorKind, Result, msg};
use crate::fields::{Role, Rule, Warnings, new_id};
use crate::json::read::{Kind, Reader};
use crate::json::{Number, PyDict, PyValue};
use crate::load::{DateSlot, Slot, TemplateCache, date_slot, nested, read_date, structure};
use crate::prompt::{Prompt, PromptJson};
use crate::response::{MEMOR_VERSION, Response, number_opt, string};

/// One message of a session: a prompt (with its responses) or a response.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// A prompt.
    Prompt(Prompt),
    /// A response.
    Response(Response),
}

impl Message {
    /// The message text.
    pub fn message(&self) -> &str {
        match self {
            Message::Prompt(p) => p.message(),
            Message::Response(r) => r.message(),
        }
    }
    /// The role.
    pub fn role(&self) -> Role {
        match self {
            Message::Prompt(p) => p.role(),
            Message::Response(r) => r.role(),
        }
    }
    /// The id.
    pub fn id(&self) -> &str {
        match self {
            Message::Prompt(p) => p.id(),
            Message::Response(r) => r.id(),
        }
    }
    /// The prompt, if this is one.
    pub fn as_prompt(&self) -> Option<&Prompt> {
        match self {
            Message::Prompt(p) => Some(p),
            Message::Response(_) => None,
        }
    }
    /// The response, if this is one.
    pub fn as_response(&self) -> Option<&Response> {
        match self {
            Message::Response(r) => Some(r),
            Message::Prompt(_) => None,
        }
    }
    /// The message's text for a STRING render.
    ///
    /// # Errors
    /// A prompt whose template does not render.
    pub fn render_string(&self) -> Result<std::borrow::Cow<'_, str>> {
        match self {
            Message::Prompt(p) => p.render_string().map(std::borrow::Cow::Owned),
            Message::Response(r) => Ok(std::borrow::Cow::Borrowed(r.render_string())),
        }
    }
    /// Appends the message's text for a STRING render to `out` (nothing on error).
    ///
    /// # Errors
    /// A prompt whose template does not render.
    pub fn render_into(&self, out: &mut String) -> Result<()> {
        match self {
            Message::Prompt(p) => p.render_into(out),
            Message::Response(r) => {
                out.push_str(r.render_string());
                Ok(())
            }
        }
    }
    /// About how many bytes [`render_into`](Message::render_into) appends: the texts a prompt's
    /// template usually holds (message, selected response, template) with a margin. For sizing
    /// buffers; the text may be longer.
    pub fn render_size_hint(&self) -> usize {
        match self {
            Message::Prompt(p) => {
                p.message().len()
                    + p.selected_response().map_or(0, |r| r.message().len())
                    + p.template().content().map_or(0, str::len)
                    + 256
            }
            Message::Response(r) => r.message().len(),
        }
    }
    /// memor's `type`: `"Prompt"` or `"Response"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Prompt(_) => "Prompt",
            Message::Response(_) => "Response",
        }
    }
    /// A copy with a new id.
    #[must_use]
    pub fn copy(&self) -> Self {
        match self {
            Message::Prompt(p) => Message::Prompt(p.copy()),
            Message::Response(r) => Message::Response(r.copy()),
        }
    }
}

impl From<Prompt> for Message {
    fn from(p: Prompt) -> Self {
        Message::Prompt(p)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Self {
        Message::Response(r)
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Message::Prompt(p) => p.serialize(serializer),
            Message::Response(r) => r.serialize(serializer),
        }
    }
}

/// A conversation: messages, each enabled or disabled (masked), with a title, a render counter
/// and dates.
///
/// ```
/// use memor_core::{Prompt, Response, Session};
/// let mut s = Session::new(Some("Maths".into()));
/// s.add_message(Prompt::new("2 + 2?"), true, None);
/// s.add_message(Response::new("4"), true, None);
/// s.disable_message(0)?;
/// assert_eq!(s.render_string()?, "4\n");
/// assert_eq!(s.masks(), vec![true, false]);
/// # Ok::<(), memor_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Session {
    pub(crate) title: Option<String>,
    pub(crate) render_counter: Number,
    pub(crate) messages: Vec<Message>,
    pub(crate) status: Vec<bool>,
    pub(crate) warnings: Warnings,
    pub(crate) date_created: Date,
    pub(crate) date_modified: Date,
}

impl Default for Session {
    fn default() -> Self {
        Session::new(None)
    }
}

/// memor's equality: title and messages.
impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        self.title == other.title && self.messages == other.messages
    }
}

fn index_error(what: &str, index: usize, len: usize) -> Error {
    Error::new(ErrorKind::Index, format!("{what} index out of range"))
        .context(format!("index {index}, {len} messages"))
}

impl Session {
    /// An empty session, dated now.
    pub fn new(title: Option<String>) -> Self {
        let now = Date::now();
        Session {
            title,
            render_counter: Number::Int(0),
            messages: Vec::new(),
            status: Vec::new(),
            warnings: Warnings::default(),
            date_created: now,
            date_modified: now,
        }
    }

    /// A session of `messages`, all enabled.
    pub fn with_messages(title: Option<String>, messages: Vec<Message>) -> Self {
        let mut s = Session::new(title);
        s.status = vec![true; messages.len()];
        s.messages = messages;
        s
    }

    fn touch(&mut self) {
        self.date_modified = Date::now();
    }

    /// The title.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }
    /// How many times the session was rendered with the counter on.
    pub fn render_counter(&self) -> &Number {
        &self.render_counter
    }
    /// The messages.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }
    /// Whether each message is enabled (memor's `messages_status`).
    pub fn messages_status(&self) -> &[bool] {
        &self.status
    }
    /// Whether each message is masked (disabled).
    pub fn masks(&self) -> Vec<bool> {
        self.status.iter().map(|s| !s).collect()
    }
    /// The enabled messages with their indices.
    pub fn enabled_messages(&self) -> impl Iterator<Item = (usize, &Message)> + '_ {
        self.messages
            .iter()
            .enumerate()
            .filter(|(i, _)| self.status.get(*i).copied().unwrap_or(false))
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
    /// The number of messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }
    /// Whether there is no message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Sets the creation date (for history brought in from elsewhere). The modification date
    /// does not change.
    pub fn update_date_created(&mut self, date: Date) {
        self.date_created = date;
    }

    /// Sets the title.
    pub fn update_title(&mut self, title: Option<String>) {
        self.title = title;
        self.touch();
    }

    /// Adds a message, enabled or not, at the end or before `index` (past the end appends).
    pub fn add_message(
        &mut self,
        message: impl Into<Message>,
        enabled: bool,
        index: Option<usize>,
    ) {
        let message = message.into();
        match index {
            Some(i) if i < self.messages.len() => {
                self.messages.insert(i, message);
                self.status.insert(i, enabled);
            }
            _ => {
                self.messages.push(message);
                self.status.push(enabled);
            }
        }
        self.touch();
    }

    /// The message at `index`.
    pub fn get_message(&self, index: usize) -> Option<&Message> {
        self.messages.get(index)
    }
    /// The message at `index`, to change in place.
    pub fn get_message_mut(&mut self, index: usize) -> Option<&mut Message> {
        self.messages.get_mut(index)
    }
    /// The first message with `id`.
    pub fn get_message_by_id(&self, id: &str) -> Option<&Message> {
        self.messages.iter().find(|m| m.id() == id)
    }
    /// The messages in `range` (clamped, as a Python slice).
    pub fn get_messages(&self, range: impl std::ops::RangeBounds<usize>) -> &[Message] {
        let len = self.messages.len();
        let start = match range.start_bound() {
            std::ops::Bound::Included(&s) => s,
            std::ops::Bound::Excluded(&s) => s.saturating_add(1),
            std::ops::Bound::Unbounded => 0,
        }
        .min(len);
        let end = match range.end_bound() {
            std::ops::Bound::Included(&e) => e.saturating_add(1),
            std::ops::Bound::Excluded(&e) => e,
            std::ops::Bound::Unbounded => len,
        }
        .clamp(start, len);
        self.messages.get(start..end).unwrap_or_default()
    }

    /// Removes the message at `index`.
    ///
    /// # Errors
    /// An index out of range.
    pub fn remove_message(&mut self, index: usize) -> Result<Message> {
        if index >= self.messages.len() {
            return Err(index_error("pop", index, self.messages.len()));
        }
        let removed = self.messages.remove(index);
        if index < self.status.len() {
            self.status.remove(index);
        }
        self.touch();
        Ok(removed)
    }
    /// Removes the first message with `id`; nothing when there is none.
    pub fn remove_message_by_id(&mut self, id: &str) -> Option<Message> {
        let index = self.messages.iter().position(|m| m.id() == id)?;
        self.remove_message(index).ok()
    }
    /// Removes every message.
    pub fn clear_messages(&mut self) {
        self.messages.clear();
        self.status.clear();
        self.touch();
    }

    fn set_status(&mut self, index: usize, enabled: bool) -> Result<()> {
        let len = self.status.len();
        let slot = self
            .status
            .get_mut(index)
            .ok_or_else(|| index_error("list assignment", index, len))?;
        *slot = enabled;
        self.touch();
        Ok(())
    }
    /// Enables the message at `index`.
    ///
    /// # Errors
    /// An index out of range.
    pub fn enable_message(&mut self, index: usize) -> Result<()> {
        self.set_status(index, true)
    }
    /// Disables the message at `index`.
    ///
    /// # Errors
    /// An index out of range.
    pub fn disable_message(&mut self, index: usize) -> Result<()> {
        self.set_status(index, false)
    }
    /// Masks (disables) the message at `index`.
    ///
    /// # Errors
    /// An index out of range.
    pub fn mask_message(&mut self, index: usize) -> Result<()> {
        self.disable_message(index)
    }
    /// Unmasks (enables) the message at `index`.
    ///
    /// # Errors
    /// An index out of range.
    pub fn unmask_message(&mut self, index: usize) -> Result<()> {
        self.enable_message(index)
    }
    /// Enables every message.
    pub fn enable_all_messages(&mut self) {
        self.status = vec![true; self.messages.len()];
        self.touch();
    }
    /// Disables every message.
    pub fn disable_all_messages(&mut self) {
        self.status = vec![false; self.messages.len()];
        self.touch();
    }

    /// Replaces the messages, with their statuses (all enabled when `status` is `None`).
    ///
    /// # Errors
    /// A status list of another length than the messages.
    pub fn update_messages(
        &mut self,
        messages: Vec<Message>,
        status: Option<Vec<bool>>,
    ) -> Result<()> {
        let status = status.unwrap_or_else(|| vec![true; messages.len()]);
        if status.len() != messages.len() {
            return Err(Error::validation(msg::INVALID_STATUS_LEN).context(format!(
                "{} statuses for {} messages",
                status.len(),
                messages.len()
            )));
        }
        self.messages = messages;
        self.status = status;
        self.touch();
        Ok(())
    }

    /// Sets every message's status.
    ///
    /// memor 1.4 treats an empty list as "enable everything"; an empty list is only accepted
    /// here for an empty session (see `COMPATIBILITY.md`).
    ///
    /// # Errors
    /// A list of another length than the messages.
    pub fn update_messages_status(&mut self, status: Vec<bool>) -> Result<()> {
        if status.len() != self.messages.len() {
            return Err(Error::validation(msg::INVALID_STATUS_LEN).context(format!(
                "{} statuses for {} messages",
                status.len(),
                self.messages.len()
            )));
        }
        self.status = status;
        self.touch();
        Ok(())
    }

    /// Sets the render counter back to 0.
    pub fn reset_render_counter(&mut self) {
        self.render_counter = Number::Int(0);
        self.touch();
    }

    /// Counts one render (memor's `render(enable_counter=True)`).
    pub fn count_render(&mut self) {
        self.render_counter = match &self.render_counter {
            Number::Int(i) => i.checked_add(1).map_or_else(
                || Number::BigInt((i128::from(*i) + 1).to_string().into()),
                Number::Int,
            ),
            Number::BigInt(t) => {
                let next = match t.parse::<num_bigint::BigInt>() {
                    Ok(b) => (b + 1u8).to_string(),
                    Err(_) => t.to_string(),
                };
                Number::BigInt(next.into())
            }
            Number::Float(f) => Number::Float(f + 1.0),
        };
        self.touch();
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

    /// A copy (memor's `copy()` shares the message objects; this one is a deep copy).
    #[must_use]
    pub fn copy(&self) -> Self {
        self.clone()
    }

    /// About how many bytes [`render_string`](Session::render_string) returns (each enabled
    /// message's [`render_size_hint`](Message::render_size_hint) and its newline). For sizing
    /// buffers; the text may be longer.
    pub fn render_size_hint(&self) -> usize {
        self.enabled_messages()
            .map(|(_, m)| m.render_size_hint() + 1)
            .sum()
    }

    /// The session's text: each enabled message's text followed by `"\n"`.
    ///
    /// # Errors
    /// A prompt whose template does not render.
    pub fn render_string(&self) -> Result<String> {
        let mut out = String::with_capacity(self.render_size_hint());
        for (_, message) in self.enabled_messages() {
            message.render_into(&mut out)?;
            out.push('\n');
        }
        Ok(out)
    }

    /// Reads a session from its JSON text.
    ///
    /// # Errors
    /// memor's validation errors, with the message index and field or byte offset at fault.
    pub fn from_json(text: &str) -> Result<Self> {
        let mut reader = Reader::new(text);
        let slots = Self::read_slots(&mut reader)?;
        reader
            .finish()
            .map_err(|e| structure(msg::SESSION_STRUCTURE, &e))?;
        slots.build()
    }

    fn read_slots(reader: &mut Reader<'_>) -> Result<SessionSlots> {
        if reader.peek() != Kind::Dict {
            return Err(Error::validation(msg::SESSION_STRUCTURE)
                .context(format!("expected an object at byte {}", reader.offset())));
        }
        let mut s = SessionSlots::default();
        reader
            .object(|r, key| {
                match &*key {
                    "messages" => s.messages = Some(read_messages(r)?),
                    "title" => s.title = Some(r.value()?),
                    "render_counter" => s.render_counter = Some(r.value()?),
                    "messages_status" => s.status = Some(r.value()?),
                    "warnings" => s.warnings = Some(r.value()?),
                    "memor_version" => s.memor_version = Some(r.value()?),
                    "date_created" => s.date_created = Some(read_date(r)?),
                    "date_modified" => s.date_modified = Some(read_date(r)?),
                    _ => r.skip()?,
                }
                Ok(())
            })
            .map_err(|e| structure(msg::SESSION_STRUCTURE, &e))?;
        Ok(s)
    }
}

/// Reads `messages`: objects whose `type` is `Prompt` or `Response`. memor 1.4 re-uses the
/// previous message object for an unknown type; that is refused here (see `COMPATIBILITY.md`).
fn read_messages(r: &mut Reader<'_>) -> crate::json::read::Result<Vec<Message>> {
    let mut out = Vec::new();
    let mut templates = TemplateCache::default();
    match r.peek() {
        Kind::List => r.array(|r| {
            let index = out.len();
            let message = nested(
                r,
                || format!("messages[{index}]"),
                |r| read_message(r, &mut templates),
            )?;
            out.push(message);
            Ok(())
        })?,
        Kind::Dict => r.object(|r, _key| {
            let at = r.offset();
            r.skip()?;
            Err(crate::json::JsonError {
                message: "messages is an object: its keys are not messages".into(),
                offset: at,
            })
        })?,
        Kind::Str => {
            let text = r.string()?;
            if !text.is_empty() {
                return Err(r.error("messages is a non-empty string"));
            }
        }
        _ => {
            let at = r.offset();
            let v = r.value()?;
            return Err(crate::json::JsonError {
                message: format!("messages is a {}", v.type_name()).into(),
                offset: at,
            });
        }
    }
    Ok(out)
}

/// One message: its `type` decides the reader. The object is read once into a tree only to
/// find `type` when it does not come first.
fn read_message<'a>(r: &mut Reader<'a>, templates: &mut TemplateCache<'a>) -> Result<Message> {
    if r.peek() != Kind::Dict {
        let v = r
            .value()
            .map_err(|e| structure(msg::SESSION_STRUCTURE, &e))?;
        return Err(Error::validation(msg::SESSION_STRUCTURE)
            .context(format!("a message is a {}", v.type_name())));
    }
    // memor writes `type` first: look ahead on a copy of the reader, stopping at `type`.
    let mut probe = r.clone();
    let mut kind: Option<String> = None;
    let _ = probe.object(|p, key| {
        if key == "type" {
            kind = Some(match p.value()? {
                PyValue::Str(s) => s,
                other => format!("<{}>", other.type_name()),
            });
            return Err(p.error("found"));
        }
        p.skip()
    });
    match kind.as_deref() {
        Some("Prompt") => Prompt::read_cached(r, templates).map(Message::Prompt),
        Some("Response") => Response::read(r).map(Message::Response),
        Some(other) => Err(Error::validation(msg::SESSION_STRUCTURE)
            .context(format!("unknown message type {other:?}"))),
        None => Err(Error::validation(msg::SESSION_STRUCTURE).context("a message has no type")),
    }
}

#[derive(Default)]
struct SessionSlots {
    title: Slot,
    render_counter: Slot,
    status: Slot,
    messages: Option<Vec<Message>>,
    warnings: Slot,
    memor_version: Slot,
    date_created: DateSlot,
    date_modified: DateSlot,
}

impl SessionSlots {
    fn build(self) -> Result<Session> {
        let bad = |what: &str| Error::validation(msg::SESSION_STRUCTURE).context(what.to_owned());
        let title = self.title.ok_or_else(|| bad("missing key title"))?;
        let render_counter = self
            .render_counter
            .unwrap_or(PyValue::Number(Number::Int(0)));
        let status = self
            .status
            .ok_or_else(|| bad("missing key messages_status"))?;
        let warnings = self
            .warnings
            .unwrap_or_else(|| PyValue::Dict(PyDict::new()));
        let messages = self.messages.ok_or_else(|| bad("missing key messages"))?;
        let memor_version = self
            .memor_version
            .ok_or_else(|| bad("missing key memor_version"))?;
        let date_created = date_slot(self.date_created, "date_created", msg::SESSION_STRUCTURE)?;
        let date_modified = date_slot(self.date_modified, "date_modified", msg::SESSION_STRUCTURE)?;

        let title = match title {
            PyValue::Null => None,
            other => Some(string(other, "title")?),
        };
        let warnings = Warnings::from_value(warnings)?;
        let Some(render_counter) =
            number_opt(Some(render_counter), "render_counter", Rule::NonNegativeInt)?
        else {
            return Err(Error::validation(msg::non_negative_int("render_counter"))
                .context("render_counter is null"));
        };
        let status = match status {
            PyValue::List(items) => items
                .iter()
                .map(|v| match v {
                    PyValue::Bool(b) => Ok(*b),
                    other => Err(Error::validation(msg::list_of("status", "booleans"))
                        .context(format!("messages_status holds a {}", other.type_name()))),
                })
                .collect::<Result<Vec<bool>>>()?,
            other => {
                return Err(Error::validation(msg::list_of("status", "booleans"))
                    .context(format!("messages_status is a {}", other.type_name())));
            }
        };
        if status.len() != messages.len() {
            return Err(Error::validation(msg::INVALID_STATUS_LEN).context(format!(
                "{} statuses for {} messages",
                status.len(),
                messages.len()
            )));
        }
        string(memor_version, "memor_version")?;
        Ok(Session {
            title,
            render_counter,
            messages,
            status,
            warnings,
            date_created,
            date_modified,
        })
    }
}

impl Serialize for Session {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.serialize_with(serializer, &self.messages)
    }
}

/// A session as its file is written: prompts' templates from their cached JSON, and a response
/// that is also the message after its prompt (as memor sessions hold answers) written once.
pub(crate) struct SessionFile<'a>(pub(crate) &'a Session);

/// The JSON of the last prompt's responses, for the messages after it.
#[derive(Default)]
struct LastResponses<'a> {
    text: Vec<u8>,
    written: Vec<(&'a Response, std::ops::Range<usize>)>,
}

impl<'a> LastResponses<'a> {
    fn write(&mut self, responses: &'a [Response]) -> std::result::Result<(), serde_json::Error> {
        self.text.clear();
        self.written.clear();
        for response in responses {
            let start = self.text.len();
            crate::json::to_writer(&mut self.text, response)?;
            self.written.push((response, start..self.text.len()));
        }
        Ok(())
    }

    fn json(&self, range: &std::ops::Range<usize>) -> Option<&[u8]> {
        self.text.get(range.clone())
    }

    /// Every response's JSON, if all are at hand.
    fn all(&self) -> Option<Vec<&[u8]>> {
        self.written
            .iter()
            .map(|(_, range)| self.json(range))
            .collect()
    }

    /// The JSON of a response written alike, if there is one.
    fn find(&self, response: &Response) -> Option<&[u8]> {
        let (_, range) = self
            .written
            .iter()
            .find(|(r, _)| r.written_alike(response))?;
        self.json(range)
    }
}

impl Serialize for SessionFile<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct Messages<'a>(&'a [Message]);
        impl Serialize for Messages<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                let mut last = LastResponses::default();
                for message in self.0 {
                    match message {
                        Message::Prompt(prompt) => {
                            last.write(&prompt.responses)
                                .map_err(serde::ser::Error::custom)?;
                            let jsons = last.all();
                            seq.serialize_element(&PromptJson {
                                responses_json: jsons.as_deref(),
                                ..PromptJson::file(prompt, true)
                            })?;
                        }
                        Message::Response(r) => match last.find(r) {
                            Some(json) => seq.serialize_element(&crate::json::RawJson(json))?,
                            None => seq.serialize_element(r)?,
                        },
                    }
                }
                seq.end()
            }
        }
        self.0
            .serialize_with(serializer, &Messages(&self.0.messages))
    }
}

impl Session {
    /// The session's JSON, its messages serialized by `messages`.
    fn serialize_with<S: Serializer, M: Serialize + ?Sized>(
        &self,
        serializer: S,
        messages: &M,
    ) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(9))?;
        m.serialize_entry("type", "Session")?;
        m.serialize_entry("title", &self.title)?;
        m.serialize_entry("render_counter", &self.render_counter)?;
        m.serialize_entry("messages", messages)?;
        m.serialize_entry("warnings", &self.warnings.0)?;
        m.serialize_entry("messages_status", &self.status)?;
        m.serialize_entry("memor_version", MEMOR_VERSION)?;
        m.serialize_entry("date_created", &crate::json::MemorDate(self.date_created))?;
        m.serialize_entry("date_modified", &crate::json::MemorDate(self.date_modified))?;
        m.end()
    }
}

/// `session + message` and `session + session`, as memor 1.4 adds them: a new session of the
/// messages, all enabled (the title is kept when a message is added).
impl std::ops::Add<Message> for &Session {
    type Output = Session;
    fn add(self, message: Message) -> Session {
        let mut messages = self.messages.clone();
        messages.push(message);
        Session::with_messages(self.title.clone(), messages)
    }
}

impl std::ops::Add<&Session> for &Session {
    type Output = Session;
    fn add(self, other: &Session) -> Session {
        let mut messages = self.messages.clone();
        messages.extend(other.messages.iter().cloned());
        Session::with_messages(None, messages)
    }
}

impl Session {
    /// `message + session`: a new session with the message first, the title kept.
    #[must_use]
    pub fn prepend(&self, message: Message) -> Session {
        let mut messages = Vec::with_capacity(self.messages.len() + 1);
        messages.push(message);
        messages.extend(self.messages.iter().cloned());
        Session::with_messages(self.title.clone(), messages)
    }

    /// Whether the session holds a message equal to `message`.
    pub fn contains(&self, message: &Message) -> bool {
        self.messages.contains(message)
    }

    /// A fresh id, for callers that need one.
    pub fn new_message_id() -> String {
        new_id()
    }
}
