//! Provider payloads back into memor sessions: the inverse of the provider targets.
//!
//! [`parse`] reads a request body or a reply of one [`Format`] and gives a [`Parsed`]: a
//! [`Session`] and the list of what memor could not keep ([`Lost`]): tool calls and results,
//! images, files, audio, reasoning/thinking blocks, unknown parts, roles memor lacks
//! (`tool`), and the provider's raw finish reason when memor's common value differs from it.
//! Nothing is dropped without a [`Lost`] entry.
//!
//! # Requests
//!
//! Each turn becomes one message, in order. A `system`/`developer` or `user` turn becomes a
//! [`Prompt`] with that role; an assistant (`model`) turn becomes a [`Response`] with role
//! assistant, model the body's `model` (memor's default when the body has none, as Gemini's,
//! whose model is in the URL) and temperature the body's (`temperature`,
//! `generationConfig.temperature`, `options.temperature`). A top-level system field
//! (`system`, `systemInstruction`, `instructions`) becomes a leading system prompt, and an
//! Anthropic `mid_conv_system` block a system prompt in front of its message. A turn whose
//! content has only parts memor cannot keep (images, tool calls...) is not a message: its
//! parts are listed as lost with `index: None`; a turn with no content at all (`null`, no
//! parts) is kept as an empty message. Turns of roles memor lacks (`tool`) are lost whole.
//!
//! Text parts: a string content is kept exactly. A list of text parts is joined the way the
//! providers join them when they read text out of content (OpenAI's `output_text`, Anthropic's
//! and Gemini's SDK `.text`): concatenated with no separator.
//!
//! # Replies
//!
//! A reply has no prompt. Its session holds one [`Response`] message per candidate
//! (`choices[]`, `candidates[]`; one for Anthropic, OpenAI Responses and Ollama), in order;
//! every candidate after the first is disabled, so that rendering the session sends the first
//! candidate as the assistant turn while the others stay kept. Add them to your own prompt with
//! [`Prompt::add_response`]. Model: the reply's `model` (`modelVersion` for Gemini); finish
//! reason mapped to memor's common values (`stop`, `length`, `tool_calls`, `content_filter`,
//! `error`, `unknown`) as in `provider-formats.md` §8; tokens the output tokens of the usage.
//! Where the usage counts several candidates together (OpenAI `n`, Gemini `candidateCount`) it
//! cannot be split, and is listed as lost.
//!
//! # Errors
//!
//! A payload of the wrong shape gives a [`ParseError`] naming the JSON pointer at fault. No
//! JSON makes [`parse`] panic.

use std::fmt;
use std::str::FromStr;

use memor_core::json::Number;
use memor_core::{FinishReason, Message, Prompt, Response, Role, Session};
use serde_json::{Map, Value};

/// A payload format [`parse`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// OpenAI Chat Completions request (`openai`): `{"messages": [...]}` or a bare message list.
    OpenAiChat,
    /// OpenAI Chat Completions reply (`openai-completion`): `choices[]`.
    OpenAiCompletion,
    /// Anthropic Messages request (`anthropic`).
    Anthropic,
    /// Anthropic Messages reply (`anthropic-message`): a `role: assistant` message.
    AnthropicMessage,
    /// Gemini `generateContent` request (`gemini`).
    Gemini,
    /// Gemini `generateContent` reply (`gemini-response`): `candidates[]`.
    GeminiResponse,
    /// OpenAI Responses (`openai-responses`): a request (`input`, `instructions`) or, when the
    /// body has `output`, a reply.
    OpenAiResponses,
    /// Ollama `/api/chat` (`ollama`): a request (`messages`) or, when the body has `message`,
    /// a reply.
    Ollama,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 8] = [
        Format::OpenAiChat,
        Format::OpenAiCompletion,
        Format::Anthropic,
        Format::AnthropicMessage,
        Format::Gemini,
        Format::GeminiResponse,
        Format::OpenAiResponses,
        Format::Ollama,
    ];

    /// The name, as [`FromStr`] reads it.
    pub const fn name(self) -> &'static str {
        match self {
            Format::OpenAiChat => "openai",
            Format::OpenAiCompletion => "openai-completion",
            Format::Anthropic => "anthropic",
            Format::AnthropicMessage => "anthropic-message",
            Format::Gemini => "gemini",
            Format::GeminiResponse => "gemini-response",
            Format::OpenAiResponses => "openai-responses",
            Format::Ollama => "ollama",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| ParseError::UnknownFormat(s.to_owned()))
    }
}

/// Something of the payload memor could not keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost {
    /// The index, in the parsed session, of the message it belonged to; `None` when it belonged
    /// to no kept message (a whole turn memor cannot hold, or a body-level field).
    pub index: Option<usize>,
    /// What it was, starting with its JSON pointer.
    pub what: String,
}

/// The result of [`parse`].
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The session.
    pub session: Session,
    /// What memor could not keep, in payload order.
    pub lost: Vec<Lost>,
}

/// Why a payload could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The payload does not have the format's shape at `pointer`.
    #[error("{pointer}: {message}")]
    Invalid {
        /// The JSON pointer of the problem (`""` for the whole payload).
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// A format name [`Format::from_str`] does not know.
    #[error(
        "unknown format `{0}` (known: openai, openai-completion, anthropic, anthropic-message, gemini, gemini-response, openai-responses, ollama)"
    )]
    UnknownFormat(String),
}

impl ParseError {
    /// The JSON pointer of the problem, for [`ParseError::Invalid`].
    pub fn pointer(&self) -> Option<&str> {
        match self {
            ParseError::Invalid { pointer, .. } => Some(pointer),
            ParseError::UnknownFormat(_) => None,
        }
    }
}

fn invalid(pointer: &str, message: impl Into<String>) -> ParseError {
    ParseError::Invalid {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

/// Reads `payload` as `format`.
///
/// # Errors
/// A payload whose shape is not the format's, named by its JSON pointer.
pub fn parse(format: Format, payload: &Value) -> Result<Parsed, ParseError> {
    let mut b = Builder::default();
    match format {
        Format::OpenAiChat => openai_chat(&mut b, payload)?,
        Format::OpenAiCompletion => openai_completion(&mut b, payload)?,
        Format::Anthropic => anthropic(&mut b, payload)?,
        Format::AnthropicMessage => anthropic_message(&mut b, payload)?,
        Format::Gemini => gemini(&mut b, payload)?,
        Format::GeminiResponse => gemini_response(&mut b, payload)?,
        Format::OpenAiResponses => openai_responses(&mut b, payload)?,
        Format::Ollama => ollama(&mut b, payload)?,
    }
    Ok(b.finish())
}

// ---------------------------------------------------------------------------------------------
// Building the session.

#[derive(Default)]
struct Builder {
    messages: Vec<Message>,
    disabled: Vec<usize>,
    lost: Vec<Lost>,
    model: Option<String>,
    temperature: Option<Number>,
}

/// The text of one turn and what it lost on the way.
#[derive(Default)]
struct Content {
    /// `None` when the content had no text at all.
    text: Option<String>,
    lost: Vec<String>,
    tool_calls: bool,
}

impl Content {
    fn push_text(&mut self, text: &str) {
        self.text.get_or_insert_with(String::new).push_str(text);
    }
    fn lose(&mut self, what: String) {
        self.lost.push(what);
    }
}

impl Builder {
    /// Adds a turn with `role`; returns its index when it became a message.
    fn turn(&mut self, role: Role, content: Content) -> Result<Option<usize>, ParseError> {
        let Content { text, lost, .. } = content;
        // A turn with no content at all is kept as an empty message: nothing else says it was
        // there.
        let text = match text {
            None if lost.is_empty() => Some(String::new()),
            text => text,
        };
        let index = match text {
            Some(text) => {
                let message = if role == Role::Assistant {
                    let mut response = Response::new(text);
                    if let Some(model) = &self.model {
                        response.update_model(model.clone());
                    }
                    if let Some(t) = &self.temperature {
                        response
                            .update_temperature(Some(t.clone()))
                            .map_err(|e| invalid("/temperature", e.to_string()))?;
                    }
                    Message::Response(response)
                } else {
                    let mut prompt = Prompt::new(text);
                    prompt.update_role(role);
                    Message::Prompt(prompt)
                };
                self.messages.push(message);
                Some(self.messages.len() - 1)
            }
            None => None,
        };
        for what in lost {
            self.lost.push(Lost { index, what });
        }
        Ok(index)
    }

    fn lose(&mut self, index: Option<usize>, what: String) {
        self.lost.push(Lost { index, what });
    }

    /// Adds a reply candidate.
    fn candidate(&mut self, reply: Reply) -> Result<usize, ParseError> {
        let Reply {
            content,
            finish,
            tokens,
            pointer,
        } = reply;
        let Content {
            text,
            lost,
            tool_calls,
        } = content;
        let mut response = Response::new(text.unwrap_or_default());
        if let Some(model) = &self.model {
            response.update_model(model.clone());
        }
        if let Some((number, at)) = tokens {
            response
                .update_tokens(Some(number))
                .map_err(|e| invalid(&at, e.to_string()))?;
        }
        let mut raw_note = None;
        let reason = match finish {
            Some((raw, mapped)) => {
                let mapped = if tool_calls {
                    FinishReason::ToolCalls
                } else {
                    mapped
                };
                if raw != mapped.as_str() {
                    raw_note = Some(format!(
                        "{pointer}: raw finish reason `{raw}` (kept as `{}`)",
                        mapped.as_str()
                    ));
                }
                Some(mapped)
            }
            None if tool_calls => Some(FinishReason::ToolCalls),
            None => None,
        };
        response.update_finish_reason(reason);
        self.messages.push(Message::Response(response));
        let index = self.messages.len() - 1;
        if index > 0 {
            self.disabled.push(index);
        }
        for what in lost {
            self.lose(Some(index), what);
        }
        if let Some(note) = raw_note {
            self.lose(Some(index), note);
        }
        Ok(index)
    }

    fn finish(self) -> Parsed {
        let mut session = Session::with_messages(None, self.messages);
        for index in self.disabled {
            // In range by construction; an error cannot happen.
            let _ = session.disable_message(index);
        }
        Parsed {
            session,
            lost: self.lost,
        }
    }
}

/// One reply candidate before it becomes a response.
struct Reply {
    content: Content,
    /// The raw finish reason and memor's value.
    finish: Option<(String, FinishReason)>,
    /// The output tokens and their pointer.
    tokens: Option<(Number, String)>,
    pointer: String,
}

// ---------------------------------------------------------------------------------------------
// JSON helpers.

fn object<'a>(value: &'a Value, at: &str) -> Result<&'a Map<String, Value>, ParseError> {
    value.as_object().ok_or_else(|| {
        invalid(
            at,
            format!("expected an object, found {}", type_name(value)),
        )
    })
}

fn array<'a>(value: &'a Value, at: &str) -> Result<&'a Vec<Value>, ParseError> {
    value
        .as_array()
        .ok_or_else(|| invalid(at, format!("expected an array, found {}", type_name(value))))
}

fn string<'a>(value: &'a Value, at: &str) -> Result<&'a str, ParseError> {
    value
        .as_str()
        .ok_or_else(|| invalid(at, format!("expected a string, found {}", type_name(value))))
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `at/key`, escaped as RFC 6901 says.
fn ptr(at: &str, key: &str) -> String {
    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn idx(at: &str, i: usize) -> String {
    format!("{at}/{i}")
}

/// A required member.
fn required<'a>(obj: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a Value, ParseError> {
    obj.get(key)
        .ok_or_else(|| invalid(&ptr(at, key), "missing"))
}

/// An optional member; JSON `null` counts as absent.
fn optional<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// The first present member of `keys` (`camelCase` and `snake_case` spellings), with its key.
fn either<'a>(
    obj: &'a Map<String, Value>,
    keys: &[&'static str],
) -> Option<(&'a Value, &'static str)> {
    keys.iter().find_map(|k| optional(obj, k).map(|v| (v, *k)))
}

fn number(value: &Value, at: &str) -> Result<Number, ParseError> {
    match value {
        Value::Number(n) => Ok(if let Some(i) = n.as_i64() {
            Number::from(i)
        } else if let Some(u) = n.as_u64() {
            Number::from(u)
        } else {
            Number::from(n.as_f64().unwrap_or(f64::NAN))
        }),
        other => Err(invalid(
            at,
            format!("expected a number, found {}", type_name(other)),
        )),
    }
}

/// Reads the body's model and temperature.
fn body_params(
    b: &mut Builder,
    obj: &Map<String, Value>,
    temperature: Option<(&Value, String)>,
) -> Result<(), ParseError> {
    if let Some(model) = optional(obj, "model") {
        b.model = Some(string(model, "/model")?.to_owned());
    }
    if let Some((t, at)) = temperature.filter(|(t, _)| !t.is_null()) {
        let n = number(t, &at)?;
        if n.as_f64() < 0.0 || n.as_f64().is_nan() {
            return Err(invalid(&at, "a temperature cannot be negative"));
        }
        b.temperature = Some(n);
    }
    Ok(())
}

/// A short description of a non-text part: its `type`, or its one key.
fn part_kind(part: &Value) -> String {
    match part {
        Value::Object(o) => {
            if let Some(t) = o.get("type").and_then(Value::as_str) {
                format!("`{t}` part")
            } else {
                let keys: Vec<&str> = o.keys().map(String::as_str).collect();
                format!("part with {}", keys.join(", "))
            }
        }
        other => format!("{} part", type_name(other)),
    }
}

fn role_of(
    value: Option<&Value>,
    at: &str,
    names: &[(&str, Role)],
) -> Result<Option<Role>, ParseError> {
    let Some(value) = value else {
        return Err(invalid(at, "missing"));
    };
    let name = string(value, at)?;
    Ok(names
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, r)| *r))
}

// ---------------------------------------------------------------------------------------------
// OpenAI Chat Completions.

const OPENAI_ROLES: &[(&str, Role)] = &[
    ("system", Role::System),
    ("developer", Role::System),
    ("user", Role::User),
    ("assistant", Role::Assistant),
];

/// OpenAI content: a string, null, or a list of parts.
fn openai_content(value: Option<&Value>, at: &str) -> Result<Content, ParseError> {
    let mut content = Content::default();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => content.push_text(s),
        Some(Value::Array(parts)) => {
            for (i, part) in parts.iter().enumerate() {
                let at = idx(at, i);
                let obj = object(part, &at)?;
                let kind = obj.get("type").and_then(Value::as_str);
                match kind {
                    Some("text" | "input_text" | "output_text") => {
                        content.push_text(string(required(obj, "text", &at)?, &ptr(&at, "text"))?);
                        if obj
                            .get("annotations")
                            .and_then(Value::as_array)
                            .is_some_and(|a| !a.is_empty())
                        {
                            content.lose(format!("{at}/annotations: annotations"));
                        }
                    }
                    Some("refusal") => {
                        content.push_text(string(
                            required(obj, "refusal", &at)?,
                            &ptr(&at, "refusal"),
                        )?);
                        content.lose(format!("{at}: refusal part kept as text"));
                    }
                    _ => content.lose(format!("{at}: {}", part_kind(part))),
                }
            }
        }
        Some(other) => {
            return Err(invalid(
                at,
                format!(
                    "expected a string, null or a list of parts, found {}",
                    type_name(other)
                ),
            ));
        }
    }
    Ok(content)
}

fn openai_tool_calls(obj: &Map<String, Value>, at: &str, content: &mut Content) {
    for key in ["tool_calls", "function_call"] {
        match optional(obj, key) {
            Some(Value::Array(calls)) => {
                for (i, call) in calls.iter().enumerate() {
                    let name = call
                        .pointer("/function/name")
                        .and_then(Value::as_str)
                        .unwrap_or("?");
                    content.lose(format!("{}: tool call `{name}`", idx(&ptr(at, key), i)));
                    content.tool_calls = true;
                }
            }
            Some(call) => {
                let name = call.get("name").and_then(Value::as_str).unwrap_or("?");
                content.lose(format!("{}: function call `{name}`", ptr(at, key)));
                content.tool_calls = true;
            }
            None => {}
        }
    }
}

fn openai_chat(b: &mut Builder, payload: &Value) -> Result<(), ParseError> {
    let (messages, at) = match payload {
        Value::Array(messages) => (messages, String::new()),
        other => {
            let obj = object(other, "")?;
            body_params(
                b,
                obj,
                obj.get("temperature").map(|t| (t, "/temperature".into())),
            )?;
            (
                array(required(obj, "messages", "")?, "/messages")?,
                "/messages".to_owned(),
            )
        }
    };
    for (i, message) in messages.iter().enumerate() {
        let at = idx(&at, i);
        let obj = object(message, &at)?;
        let role_at = ptr(&at, "role");
        let raw_role = obj.get("role").and_then(Value::as_str);
        let Some(role) = role_of(obj.get("role"), &role_at, OPENAI_ROLES)? else {
            b.lose(
                None,
                format!("{at}: `{}` message", raw_role.unwrap_or_default()),
            );
            continue;
        };
        let mut content = openai_content(obj.get("content"), &ptr(&at, "content"))?;
        if content.text.is_none()
            && let Some(refusal) = optional(obj, "refusal")
        {
            content.push_text(string(refusal, &ptr(&at, "refusal"))?);
            content.lose(format!("{at}/refusal: refusal kept as text"));
        }
        openai_tool_calls(obj, &at, &mut content);
        if raw_role == Some("developer") {
            content.lose(format!("{at}/role: role `developer` read as `system`"));
        }
        if let Some(name) = optional(obj, "name") {
            content.lose(format!("{at}/name: name {name}"));
        }
        b.turn(role, content)?;
    }
    Ok(())
}

fn openai_finish(raw: &str) -> FinishReason {
    match raw {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        _ => FinishReason::Unknown,
    }
}

fn openai_completion(b: &mut Builder, payload: &Value) -> Result<(), ParseError> {
    let obj = object(payload, "")?;
    body_params(b, obj, None)?;
    let choices = array(required(obj, "choices", "")?, "/choices")?;
    let tokens = usage_tokens(obj, "usage", "completion_tokens", choices.len(), b)?;
    for (i, choice) in choices.iter().enumerate() {
        let at = idx("/choices", i);
        let c = object(choice, &at)?;
        let m_at = ptr(&at, "message");
        let message = object(required(c, "message", &at)?, &m_at)?;
        let mut content = openai_content(message.get("content"), &ptr(&m_at, "content"))?;
        if content.text.is_none()
            && let Some(refusal) = optional(message, "refusal")
        {
            content.push_text(string(refusal, &ptr(&m_at, "refusal"))?);
            content.lose(format!("{m_at}/refusal: refusal kept as text"));
        }
        openai_tool_calls(message, &m_at, &mut content);
        if optional(c, "logprobs").is_some() {
            content.lose(format!("{at}/logprobs: logprobs"));
        }
        let finish = match optional(c, "finish_reason") {
            Some(v) => {
                let raw = string(v, &ptr(&at, "finish_reason"))?;
                Some((raw.to_owned(), openai_finish(raw)))
            }
            None => None,
        };
        b.candidate(Reply {
            content,
            finish,
            tokens: tokens.clone(),
            pointer: ptr(&at, "finish_reason"),
        })?;
    }
    Ok(())
}

/// The output tokens of a usage object: kept when the reply has one candidate, else lost.
fn usage_tokens(
    obj: &Map<String, Value>,
    usage_key: &str,
    key: &str,
    candidates: usize,
    b: &mut Builder,
) -> Result<Option<(Number, String)>, ParseError> {
    let Some(usage) = optional(obj, usage_key) else {
        return Ok(None);
    };
    let u_at = ptr("", usage_key);
    let usage = object(usage, &u_at)?;
    let Some(tokens) = optional(usage, key) else {
        return Ok(None);
    };
    let at = ptr(&u_at, key);
    let n = number(tokens, &at)?;
    if candidates == 1 {
        Ok(Some((n, at)))
    } else {
        b.lose(
            None,
            format!("{at}: {n} output tokens of {candidates} candidates together (not split)"),
        );
        Ok(None)
    }
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages.

const ANTHROPIC_ROLES: &[(&str, Role)] = &[
    ("user", Role::User),
    ("assistant", Role::Assistant),
    ("system", Role::System),
];

/// Anthropic content: a string or a list of blocks. `systems` collects the texts of
/// `mid_conv_system` blocks.
fn anthropic_content(
    value: Option<&Value>,
    at: &str,
    systems: &mut Vec<Content>,
) -> Result<Content, ParseError> {
    let mut content = Content::default();
    match value {
        Some(Value::String(s)) => content.push_text(s),
        Some(Value::Array(blocks)) => {
            for (i, block) in blocks.iter().enumerate() {
                let at = idx(at, i);
                let obj = object(block, &at)?;
                match obj.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        content.push_text(string(required(obj, "text", &at)?, &ptr(&at, "text"))?);
                        if optional(obj, "citations").is_some() {
                            content.lose(format!("{at}/citations: citations"));
                        }
                    }
                    Some("mid_conv_system") => {
                        let inner = anthropic_content(
                            obj.get("content"),
                            &ptr(&at, "content"),
                            &mut Vec::new(),
                        )?;
                        systems.push(inner);
                    }
                    Some("tool_use" | "server_tool_use") => {
                        let name = obj.get("name").and_then(Value::as_str).unwrap_or("?");
                        content.lose(format!("{at}: tool use `{name}`"));
                        content.tool_calls = true;
                    }
                    Some("thinking") => content.lose(format!("{at}: thinking block")),
                    Some("redacted_thinking") => {
                        content.lose(format!("{at}: redacted thinking block"));
                    }
                    _ => content.lose(format!("{at}: {}", part_kind(block))),
                }
            }
        }
        None => return Err(invalid(at, "missing")),
        Some(other) => {
            return Err(invalid(
                at,
                format!(
                    "expected a string or a list of blocks, found {}",
                    type_name(other)
                ),
            ));
        }
    }
    Ok(content)
}

fn anthropic(b: &mut Builder, payload: &Value) -> Result<(), ParseError> {
    let obj = object(payload, "")?;
    body_params(
        b,
        obj,
        obj.get("temperature").map(|t| (t, "/temperature".into())),
    )?;
    if let Some(system) = optional(obj, "system") {
        let content = anthropic_content(Some(system), "/system", &mut Vec::new())?;
        b.turn(Role::System, content)?;
    }
    let messages = array(required(obj, "messages", "")?, "/messages")?;
    for (i, message) in messages.iter().enumerate() {
        let at = idx("/messages", i);
        let m = object(message, &at)?;
        let raw = m
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let role = role_of(m.get("role"), &ptr(&at, "role"), ANTHROPIC_ROLES)?;
        let mut systems = Vec::new();
        let content = anthropic_content(m.get("content"), &ptr(&at, "content"), &mut systems)?;
        let only_system = !systems.is_empty() && content.text.is_none() && content.lost.is_empty();
        for system in systems {
            b.turn(Role::System, system)?;
        }
        if only_system {
            continue;
        }
        match role {
            Some(role) => {
                b.turn(role, content)?;
            }
            None => b.lose(None, format!("{at}: `{raw}` message")),
        }
    }
    Ok(())
}

fn anthropic_finish(raw: &str) -> FinishReason {
    match raw {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        _ => FinishReason::Unknown,
    }
}

fn anthropic_message(b: &mut Builder, payload: &Value) -> Result<(), ParseError> {
    let obj = object(payload, "")?;
    body_params(b, obj, None)?;
    if let Some(role) = obj.get("role") {
        let role = string(role, "/role")?;
        if role != "assistant" {
            return Err(invalid(
                "/role",
                format!("expected `assistant`, found `{role}`"),
            ));
        }
    }
    let content = anthropic_content(obj.get("content"), "/content", &mut Vec::new())?;
    let finish = match optional(obj, "stop_reason") {
        Some(v) => {
            let raw = string(v, "/stop_reason")?;
            Some((raw.to_owned(), anthropic_finish(raw)))
        }
        None => None,
    };
    let tokens = usage_tokens(obj, "usage", "output_tokens", 1, b)?;
    b.candidate(Reply {
        content,
        finish,
        tokens,
        pointer: "/stop_reason".to_owned(),
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Gemini.

/// A Gemini `Content`'s parts; `thought: true` parts are lost.
fn gemini_parts(content: &Map<String, Value>, at: &str) -> Result<Content, ParseError> {
    let mut out = Content::default();
    let Some(parts) = optional(content, "parts") else {
        return Ok(out);
    };
    let p_at = ptr(at, "parts");
    for (i, part) in array(parts, &p_at)?.iter().enumerate() {
        let at = idx(&p_at, i);
        let obj = object(part, &at)?;
        let thought = obj.get("thought").and_then(Value::as_bool) == Some(true);
        match optional(obj, "text") {
            Some(text) if !thought => out.push_text(string(text, &ptr(&at, "text"))?),
            Some(_) => out.lose(format!("{at}: thought part")),
            None => {
                if either(obj, &["functionCall", "function_call"]).is_some() {
                    out.tool_calls = true;
                }
                out.lose(format!("{at}: {}", part_kind(part)));
            }
        }
    }
    Ok(out)
}

fn gemini(b: &mut Builder, payload: &Value) -> Result<(), ParseError> {
    let obj = object(payload, "")?;
    if let Some((config, key)) = either(obj, &["generationConfig", "generation_config"]) {
        let at = ptr("", key);
        let config = object(config, &at)?;
        body_params(
            b,
            obj,
            config
                .get("temperature")
                .map(|t| (t, ptr(&at, "temperature"))),
        )?;
    } else {
        body_params(b, obj, None)?;
    }
    if let Some((system, key)) = either(obj, &["systemInstruction", "system_instruction"]) {
        let at = ptr("", key);
        let content = match system {
            Value::String(s) => {
                let mut c = Content::default();
                c.push_text(s);
                c
            }
            other => gemini_parts(object(other, &at)?, &at)?,
        };
        b.turn(Role::System, content)?;
    }
    let contents = array(required(obj, "contents", "")?, "/contents")?;
    for (i, content) in contents.iter().enumerate() {
        let at = idx("/contents", i);
        let c = object(content, &at)?;
        let role = match optional(c, "role") {
            None => Some(Role::User),
            Some(r) => role_of(
                Some(r),
                &ptr(&at, "role"),
                &[("user", Role::User), ("model", Role::Assistant)],
            )?,
        };
        let parts = gemini_parts(c, &at)?;
        match role {
            Some(role) => {
                b.turn(role, parts)?;
            }
            None => b.lose(
                None,
                format!(
                    "{at}: `{}` content",
                    c.get("role").and_then(Value::as_str).unwrap_or("")
                ),
            ),
        }
    }
    Ok(())
}

fn gemini_finish(raw: &str) -> FinishReason {
    match raw {
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY"
        | "RECITATION"
        | "BLOCKLIST"
        | "PROHIBITED_CONTENT"
        | "SPII"
        | "IMAGE_SAFETY"
        | "IMAGE_PROHIBITED_CONTENT"
        | "IMAGE_RECITATION" => FinishReason::ContentFilter,
        "MALFORMED_FUNCTION_CALL" | "UNEXPECTED_TOOL_CALL" | "TOO_MANY_TOOL_CALLS" => {
            FinishReason::Error
        }
        _ => FinishReason::Unknown,
    }
}

fn gemini_response(b: &mut Builder, payload: &Value) -> Result<(), ParseError> {
    let obj = object(payload, "")?;
    if let Some(model) = optional(obj, "modelVersion").or_else(|| optional(obj, "model_version")) {
        b.model = Some(string(model, "/modelVersion")?.to_owned());
    }
    let candidates = match either(obj, &["candidates"]) {
        Some((c, _)) => array(c, "/candidates")?.as_slice(),
        None => &[],
    };
    let (usage_key, count_key) = if obj.contains_key("usage_metadata") {
        ("usage_metadata", "candidates_token_count")
    } else {
        ("usageMetadata", "candidatesTokenCount")
    };
    let tokens = usage_tokens(obj, usage_key, count_key, candidates.len(), b)?;
    if candidates.is_empty() {
        let block = obj
            .get("promptFeedback")
            .or_else(|| obj.get("prompt_feedback"))
            .and_then(|f| f.get("blockReason").or_else(|| f.get("block_reason")))
            .and_then(Value::as_str);
        let Some(reason) = block else {
            return Err(invalid(
                "/candidates",
                "no candidates and no promptFeedback.blockReason",
            ));
        };
        let mut content = Content::default();
        content.lose(format!(
            "/promptFeedback/blockReason: prompt blocked ({reason})"
        ));
        b.candidate(Reply {
            content,
            finish: Some((reason.to_owned(), FinishReason::ContentFilter)),
            tokens: None,
            pointer: "/promptFeedback/blockReason".to_owned(),
        })?;
        return Ok(());
    }
    for (i, candidate) in candidates.iter().enumerate() {
        let at = idx("/candidates", i);
        let c = object(candidate, &at)?;
        let content = match optional(c, "content") {
            Some(content) => {
                let c_at = ptr(&at, "content");
                gemini_parts(object(content, &c_at)?, &c_at)?
            }
            None => Content::default(),
        };
        let (finish, f_key) = match either(c, &["finishReason", "finish_reason"]) {
            Some((v, key)) => {
                let raw = string(v, &ptr(&at, key))?;
                (Some((raw.to_owned(), gemini_finish(raw))), key)
            }
            None => (None, "finishReason"),
        };
        b.candidate(Reply {
            content,
            finish,
            tokens: tokens.clone(),
            pointer: ptr(&at, f_key),
        })?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// OpenAI Responses.

fn openai_responses(b: &mut Builder, payload: &Value) -> Result<(), ParseError> {
    let obj = object(payload, "")?;
    if obj.contains_key("output") {
        return openai_responses_reply(b, obj);
    }
    body_params(
        b,
        obj,
        obj.get("temperature").map(|t| (t, "/temperature".into())),
    )?;
    if let Some(instructions) = optional(obj, "instructions") {
        let content = openai_content(Some(instructions), "/instructions")?;
        b.turn(Role::System, content)?;
    }
    match required(obj, "input", "")? {
        Value::String(s) => {
            let mut content = Content::default();
            content.push_text(s);
            b.turn(Role::User, content)?;
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let at = idx("/input", i);
                let m = object(item, &at)?;
                let kind = m.get("type").and_then(Value::as_str).unwrap_or("message");
                if kind != "message" {
                    b.lose(None, format!("{at}: `{kind}` item"));
                    continue;
                }
                let raw = m
                    .get("role")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let Some(role) = role_of(m.get("role"), &ptr(&at, "role"), OPENAI_ROLES)? else {
                    b.lose(None, format!("{at}: `{raw}` message"));
                    continue;
                };
                let mut content = openai_content(m.get("content"), &ptr(&at, "content"))?;
                if raw == "developer" {
                    content.lose(format!("{at}/role: role `developer` read as `system`"));
                }
                b.turn(role, content)?;
            }
        }
        other => {
            return Err(invalid(
                "/input",
                format!(
                    "expected a string or a list of items, found {}",
                    type_name(other)
                ),
            ));
        }
    }
    Ok(())
}

fn openai_responses_reply(b: &mut Builder, obj: &Map<String, Value>) -> Result<(), ParseError> {
    body_params(b, obj, None)?;
    let output = array(required(obj, "output", "")?, "/output")?;
    let mut content = Content::default();
    for (i, item) in output.iter().enumerate() {
        let at = idx("/output", i);
        let it = object(item, &at)?;
        match it.get("type").and_then(Value::as_str) {
            Some("message") => {
                let part = openai_content(it.get("content"), &ptr(&at, "content"))?;
                if let Some(text) = part.text {
                    content.push_text(&text);
                }
                content.lost.extend(part.lost);
            }
            Some("function_call") => {
                let name = it.get("name").and_then(Value::as_str).unwrap_or("?");
                content.lose(format!("{at}: function call `{name}`"));
                content.tool_calls = true;
            }
            _ => content.lose(format!("{at}: {}", part_kind(item).replace("part", "item"))),
        }
    }
    let finish = match optional(obj, "status") {
        Some(v) => {
            let raw = string(v, "/status")?;
            let detail = obj
                .get("incomplete_details")
                .and_then(|d| d.get("reason"))
                .and_then(Value::as_str);
            let mapped = match (raw, detail) {
                ("completed", _) => FinishReason::Stop,
                ("incomplete", Some("max_output_tokens")) => FinishReason::Length,
                ("incomplete", Some("content_filter")) => FinishReason::ContentFilter,
                ("failed" | "cancelled", _) => FinishReason::Error,
                _ => FinishReason::Unknown,
            };
            let raw = match detail {
                Some(d) => format!("{raw}/{d}"),
                None => raw.to_owned(),
            };
            Some((raw, mapped))
        }
        None => None,
    };
    if let Some(error) = optional(obj, "error") {
        content.lose(format!("/error: error {error}"));
    }
    let tokens = usage_tokens(obj, "usage", "output_tokens", 1, b)?;
    b.candidate(Reply {
        content,
        finish,
        tokens,
        pointer: "/status".to_owned(),
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Ollama.

/// An Ollama message's content and its other fields.
fn ollama_content(m: &Map<String, Value>, at: &str) -> Result<Content, ParseError> {
    let mut content = Content::default();
    if let Some(text) = optional(m, "content") {
        content.push_text(string(text, &ptr(at, "content"))?);
    }
    if let Some(images) = optional(m, "images") {
        let n = images.as_array().map_or(1, Vec::len);
        content.lose(format!("{at}/images: {n} image(s)"));
    }
    if optional(m, "thinking").is_some() {
        content.lose(format!("{at}/thinking: thinking"));
    }
    if let Some(calls) = optional(m, "tool_calls") {
        let names: Vec<&str> = calls
            .as_array()
            .map(|c| {
                c.iter()
                    .map(|c| {
                        c.pointer("/function/name")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                    })
                    .collect()
            })
            .unwrap_or_default();
        content.lose(format!("{at}/tool_calls: tool calls {}", names.join(", ")));
        content.tool_calls = true;
    }
    Ok(content)
}

fn ollama(b: &mut Builder, payload: &Value) -> Result<(), ParseError> {
    let obj = object(payload, "")?;
    let temperature = match optional(obj, "options") {
        Some(options) => object(options, "/options")?
            .get("temperature")
            .map(|t| (t, "/options/temperature".to_owned())),
        None => None,
    };
    body_params(b, obj, temperature)?;
    if let Some(message) = obj.get("message") {
        let m = object(message, "/message")?;
        let content = ollama_content(m, "/message")?;
        let finish = match optional(obj, "done_reason") {
            Some(v) => {
                let raw = string(v, "/done_reason")?;
                let mapped = match raw {
                    "stop" => FinishReason::Stop,
                    "length" => FinishReason::Length,
                    _ => FinishReason::Unknown,
                };
                Some((raw.to_owned(), mapped))
            }
            None => None,
        };
        let tokens = match optional(obj, "eval_count") {
            Some(n) => Some((number(n, "/eval_count")?, "/eval_count".to_owned())),
            None => None,
        };
        b.candidate(Reply {
            content,
            finish,
            tokens,
            pointer: "/done_reason".to_owned(),
        })?;
        return Ok(());
    }
    let messages = array(required(obj, "messages", "")?, "/messages")?;
    for (i, message) in messages.iter().enumerate() {
        let at = idx("/messages", i);
        let m = object(message, &at)?;
        let raw = m
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let role = role_of(
            m.get("role"),
            &ptr(&at, "role"),
            &[
                ("system", Role::System),
                ("user", Role::User),
                ("assistant", Role::Assistant),
            ],
        )?;
        let content = ollama_content(m, &at)?;
        match role {
            Some(role) => {
                b.turn(role, content)?;
            }
            None => b.lose(None, format!("{at}: `{raw}` message")),
        }
    }
    Ok(())
}
