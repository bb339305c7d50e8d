//! The turns of a chat request body, read from its JSON.

use serde_json::{Map, Value};

/// One turn of a chat request: its role, its optional `name` and the texts of its content.
#[derive(Debug, Default)]
pub(crate) struct ChatTurn<'v> {
    pub(crate) role: &'v str,
    pub(crate) name: Option<&'v str>,
    pub(crate) texts: Vec<&'v str>,
}

/// The members that hold the turns of a request body: Chat Completions, Anthropic and Ollama
/// (`messages`), Gemini (`contents`), OpenAI Responses (`input`).
const TURN_LISTS: [&str; 3] = ["messages", "contents", "input"];

/// The turns of a chat payload, system fields first (Anthropic's `system`, Gemini's
/// `systemInstruction`, OpenAI Responses' `instructions`, each as a `system` turn); `None` when
/// the JSON is not a chat payload (then it is counted as text).
///
/// A chat payload is a list of turns (memor's OPENAI and AI STUDIO), one turn (a message
/// rendered on its own), or an object with one of the turn lists. A turn is an object with a
/// string `role` (Gemini's contents may leave it out: `user`) and content: a string `content`,
/// or a list of parts (`content` or Gemini's `parts`), each a string or an object whose `text`
/// (or `refusal`) is counted; other parts (images, tool calls) are not text and are left out.
pub(crate) fn chat_turns(value: &Value) -> Option<Vec<ChatTurn<'_>>> {
    match value {
        Value::Array(items) => items.iter().map(turn).collect(),
        Value::Object(obj) if obj.contains_key("role") => Some(vec![turn(value)?]),
        Value::Object(obj) => {
            let (key, list) = TURN_LISTS
                .iter()
                .find_map(|key| obj.get(*key).map(|list| (*key, list)))?;
            let mut turns = system_turns(obj);
            match (key, list) {
                (_, Value::Array(items)) => {
                    for item in items {
                        turns.push(turn(item)?);
                    }
                }
                // The Responses API takes `input` as one user text too.
                ("input", Value::String(text)) => turns.push(ChatTurn {
                    role: "user",
                    name: None,
                    texts: vec![text],
                }),
                _ => return None,
            }
            Some(turns)
        }
        _ => None,
    }
}

/// The system fields of a request body, as `system` turns.
fn system_turns(obj: &Map<String, Value>) -> Vec<ChatTurn<'_>> {
    let mut turns = Vec::new();
    for key in [
        "system",
        "instructions",
        "systemInstruction",
        "system_instruction",
    ] {
        let Some(value) = obj.get(key) else { continue };
        let mut texts = Vec::new();
        match value {
            Value::String(text) => texts.push(text.as_str()),
            Value::Array(parts) => collect_parts(parts, &mut texts),
            Value::Object(content) => {
                if let Some(Value::Array(parts)) = content.get("parts") {
                    collect_parts(parts, &mut texts);
                }
            }
            _ => continue,
        }
        turns.push(ChatTurn {
            role: "system",
            name: None,
            texts,
        });
    }
    turns
}

/// The texts of a list of content parts.
fn collect_parts<'v>(parts: &'v [Value], texts: &mut Vec<&'v str>) {
    for part in parts {
        match part {
            Value::String(text) => texts.push(text),
            Value::Object(part) => {
                if let Some(Value::String(text)) = part.get("text").or_else(|| part.get("refusal"))
                {
                    texts.push(text);
                }
            }
            _ => {}
        }
    }
}

/// One turn object; `None` when the value is not one.
fn turn(value: &Value) -> Option<ChatTurn<'_>> {
    let Value::Object(obj) = value else {
        return None;
    };
    let role = match obj.get("role") {
        Some(Value::String(role)) => role.as_str(),
        // Gemini's contents may leave the role out for a user turn.
        None if obj.contains_key("parts") => "user",
        _ => return None,
    };
    let name = match obj.get("name") {
        Some(Value::String(name)) => Some(name.as_str()),
        _ => None,
    };
    let mut texts = Vec::new();
    match obj.get("content").or_else(|| obj.get("parts")) {
        Some(Value::String(text)) => texts.push(text.as_str()),
        Some(Value::Array(parts)) => collect_parts(parts, &mut texts),
        None | Some(Value::Null) => {}
        Some(_) => return None,
    }
    Some(ChatTurn { role, name, texts })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shape(value: &Value) -> Option<Vec<(String, Vec<String>)>> {
        chat_turns(value).map(|turns| {
            turns
                .into_iter()
                .map(|t| {
                    (
                        t.role.to_owned(),
                        t.texts.into_iter().map(str::to_owned).collect(),
                    )
                })
                .collect()
        })
    }

    #[test]
    fn provider_bodies() {
        let anthropic = json!({"model": "m", "max_tokens": 5, "system": "S",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "a"},
            {"type": "text", "text": "b"}]}, {"role": "assistant", "content": "c"}]});
        assert_eq!(
            shape(&anthropic),
            Some(vec![
                ("system".into(), vec!["S".into()]),
                ("user".into(), vec!["a".into(), "b".into()]),
                ("assistant".into(), vec!["c".into()]),
            ])
        );
        let gemini = json!({"systemInstruction": {"parts": [{"text": "S"}]},
            "contents": [{"role": "user", "parts": [{"text": "a"}]}, {"parts": [{"text": "b"}]}]});
        assert_eq!(
            shape(&gemini),
            Some(vec![
                ("system".into(), vec!["S".into()]),
                ("user".into(), vec!["a".into()]),
                ("user".into(), vec!["b".into()]),
            ])
        );
        let responses = json!({"model": "m", "instructions": "S", "input": [
            {"role": "user", "content": "a"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "b", "annotations": []}]}]});
        assert_eq!(
            shape(&responses),
            Some(vec![
                ("system".into(), vec!["S".into()]),
                ("user".into(), vec!["a".into()]),
                ("assistant".into(), vec!["b".into()]),
            ])
        );
        assert_eq!(
            shape(&json!({"input": "hi"})),
            Some(vec![("user".into(), vec!["hi".into()])])
        );
        assert_eq!(
            shape(&json!({"role": "user", "content": "x", "name": "n"})).map(|t| t.len()),
            Some(1)
        );
    }

    #[test]
    fn not_chat() {
        for value in [
            json!({"a": 1}),
            json!([1, 2]),
            json!("text"),
            json!({"messages": 3}),
            json!([{"role": 1}]),
            json!([{"role": "user", "content": 5}]),
        ] {
            assert!(chat_turns(&value).is_none(), "{value}");
        }
        assert_eq!(chat_turns(&json!([])).map(|t| t.len()), Some(0));
    }
}
