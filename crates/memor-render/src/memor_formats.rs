//! memor 1.4's own render formats: STRING, OPENAI, AI STUDIO, DICTIONARY and ITEMS.

use memor_core::json::{PyDict, PyList, PyValue};
use memor_core::{Message, Role, Session};
use serde_json::{Value, json};

use crate::{Change, Error, Messages, Payload, RenderOptions, Rendered, Report, Target};

/// memor's warning for a system message rendered for AI Studio.
const AI_STUDIO_SYSTEM_WARNING: &str =
    "Google AI Studio models may not support content with a system role.";

fn masked(session: &Session) -> Report {
    let mut report = Report::default();
    for (index, enabled) in session.messages_status().iter().enumerate() {
        if !enabled {
            report.push(Change::Masked { index });
        }
    }
    report
}

/// Visits each enabled message once, gathering memor's warnings in its order (the session's,
/// then each message's just before its render, then what `render` adds); stops at the first
/// message `render` fails on, as memor does.
fn each_message(
    session: &Session,
    mut render: impl FnMut(usize, &Message, &mut Vec<String>) -> Result<(), Error>,
) -> Result<Vec<String>, Error> {
    let mut warnings: Vec<String> = session.size_warning().into_iter().collect();
    for (index, message) in session.enabled_messages() {
        warnings.extend(message.size_warning());
        render(index, message, &mut warnings)?;
    }
    Ok(warnings)
}

/// memor's STRING text of a session (each enabled message's text followed by `"\n"`), with
/// memor's warnings.
fn string_render(session: &Session) -> Result<(String, Vec<String>), Error> {
    let mut text = String::with_capacity(session.render_size_hint());
    let warnings = each_message(session, |index, message, _| {
        message
            .render_into(&mut text)
            .map_err(|source| Error::Message { index, source })?;
        text.push('\n');
        Ok(())
    })?;
    Ok((text, warnings))
}

fn message_text(message: &Message, index: usize) -> Result<std::borrow::Cow<'_, str>, Error> {
    message
        .render_string()
        .map_err(|source| Error::Message { index, source })
}

/// memor's STRING: each enabled message's text followed by `"\n"` (`string`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Text;

impl Target for Text {
    fn name(&self) -> &'static str {
        "string"
    }

    fn render(&self, session: &Session, _: &RenderOptions) -> Result<Rendered, Error> {
        let (text, warnings) = string_render(session)?;
        Ok(Rendered {
            payload: Payload::Text(text),
            report: masked(session),
            warnings,
        })
    }

    fn render_message(&self, message: &Message, _: &RenderOptions) -> Result<Rendered, Error> {
        let warnings = message.size_warning().into_iter().collect();
        Ok(Rendered {
            payload: Payload::Text(message_text(message, 0)?.into_owned()),
            report: Report::default(),
            warnings,
        })
    }
}

/// memor's OPENAI: `{"role", "content"}` for each enabled message (`openai`).
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenAi;

/// `{"role", "content"}`.
fn openai_turn(message: &Message, text: &str) -> Value {
    json!({"role": message.role().as_str(), "content": text})
}

impl Target for OpenAi {
    fn name(&self) -> &'static str {
        "openai"
    }

    fn render(&self, session: &Session, _: &RenderOptions) -> Result<Rendered, Error> {
        let mut messages = Messages::with_capacity(session.len(), session.render_size_hint());
        let warnings = each_message(session, |index, message, _| {
            messages
                .push_with(message.role(), |text| message.render_into(text))
                .map_err(|source| Error::Message { index, source })
        })?;
        Ok(Rendered {
            payload: Payload::Messages(messages),
            report: masked(session),
            warnings,
        })
    }

    /// The rules of OpenAI's Chat Completions messages (as the `chat` target checks them).
    fn validate(&self, payload: &Payload) -> Vec<crate::Violation> {
        crate::Chat.validate(payload)
    }

    fn render_message(&self, message: &Message, _: &RenderOptions) -> Result<Rendered, Error> {
        let warnings = message.size_warning().into_iter().collect();
        Ok(Rendered {
            payload: Payload::Json(openai_turn(message, &message_text(message, 0)?)),
            report: Report::default(),
            warnings,
        })
    }
}

/// memor's AI STUDIO: `{"role", "parts": [{"text"}]}` with `assistant` sent as `model`
/// (`ai-studio`). Like memor 1.4 it keeps system messages in the list and warns about them;
/// the `gemini` target moves them to `systemInstruction` instead.
#[derive(Clone, Copy, Debug, Default)]
pub struct AiStudio;

fn ai_studio_turn(message: &Message, text: &str) -> Value {
    let role = match message.role() {
        Role::Assistant => "model",
        other => other.as_str(),
    };
    json!({"role": role, "parts": [{"text": text}]})
}

impl Target for AiStudio {
    fn name(&self) -> &'static str {
        "ai-studio"
    }

    fn render(&self, session: &Session, _: &RenderOptions) -> Result<Rendered, Error> {
        let mut report = masked(session);
        let mut turns = Vec::new();
        let warnings = each_message(session, |index, message, warnings| {
            let text = message_text(message, index)?;
            match message.role() {
                Role::System => warnings.push(AI_STUDIO_SYSTEM_WARNING.to_owned()),
                Role::Assistant => report.push(Change::Renamed {
                    index,
                    from: "assistant".into(),
                    to: "model".into(),
                }),
                Role::User => {}
            }
            turns.push(ai_studio_turn(message, &text));
            Ok(())
        })?;
        Ok(Rendered {
            payload: Payload::Json(Value::Array(turns)),
            report,
            warnings,
        })
    }

    fn render_message(&self, message: &Message, _: &RenderOptions) -> Result<Rendered, Error> {
        let mut warnings: Vec<String> = message.size_warning().into_iter().collect();
        let text = message_text(message, 0)?;
        if message.role() == Role::System {
            warnings.push(AI_STUDIO_SYSTEM_WARNING.to_owned());
        }
        Ok(Rendered {
            payload: Payload::Json(ai_studio_turn(message, &text)),
            report: Report::default(),
            warnings,
        })
    }
}

/// The object's `to_dict()`, as JSON values (dates as their strings, roles as their values).
fn as_dict(json: memor_core::Result<String>, index: usize) -> Result<PyDict, Error> {
    let text = json.map_err(|source| Error::Message { index, source })?;
    match memor_core::json::parse(&text) {
        Ok(PyValue::Dict(d)) => Ok(d),
        Ok(_) | Err(_) => Err(Error::Unsupported(
            "memor-core wrote an object that does not read back".into(),
        )),
    }
}

fn session_dict(session: &Session) -> Result<(PyDict, Vec<String>), Error> {
    let (content, warnings) = string_render(session)?;
    let mut dict = as_dict(session.to_json(), 0)?;
    dict.insert("content".into(), PyValue::Str(content));
    Ok((dict, warnings))
}

fn message_dict(message: &Message) -> Result<PyDict, Error> {
    match message {
        Message::Prompt(p) => {
            let content = message_text(message, 0)?;
            let mut dict = as_dict(p.to_json(true), 0)?;
            dict.insert("content".into(), PyValue::Str(content.into_owned()));
            Ok(dict)
        }
        // memor's Response DICTIONARY has no `content`.
        Message::Response(r) => as_dict(r.to_json(), 0),
    }
}

fn items(dict: PyDict) -> PyValue {
    PyValue::List(PyList(
        dict.0
            .into_iter()
            .map(|(k, v)| PyValue::List(PyList(vec![PyValue::Str(k), v])))
            .collect(),
    ))
}

/// memor's DICTIONARY: the object's dict with its text under `content` (`dictionary`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Dictionary;

impl Target for Dictionary {
    fn name(&self) -> &'static str {
        "dictionary"
    }

    fn render(&self, session: &Session, _: &RenderOptions) -> Result<Rendered, Error> {
        let (dict, warnings) = session_dict(session)?;
        Ok(Rendered {
            payload: Payload::Python(PyValue::Dict(dict)),
            report: masked(session),
            warnings,
        })
    }

    fn render_message(&self, message: &Message, _: &RenderOptions) -> Result<Rendered, Error> {
        let warnings = message.size_warning().into_iter().collect();
        Ok(Rendered {
            payload: Payload::Python(PyValue::Dict(message_dict(message)?)),
            report: Report::default(),
            warnings,
        })
    }
}

/// memor's ITEMS: the DICTIONARY render as a list of `[key, value]` pairs (`items`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Items;

impl Target for Items {
    fn name(&self) -> &'static str {
        "items"
    }

    fn render(&self, session: &Session, _: &RenderOptions) -> Result<Rendered, Error> {
        let (dict, warnings) = session_dict(session)?;
        Ok(Rendered {
            payload: Payload::Python(items(dict)),
            report: masked(session),
            warnings,
        })
    }

    fn render_message(&self, message: &Message, _: &RenderOptions) -> Result<Rendered, Error> {
        let warnings = message.size_warning().into_iter().collect();
        Ok(Rendered {
            payload: Payload::Python(items(message_dict(message)?)),
            report: Report::default(),
            warnings,
        })
    }
}
