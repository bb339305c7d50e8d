//! Google AI Studio saved chats, one JSON object per file.
//!
//! A saved chat holds its turns as `chunkedPrompt.chunks`: one chunk per text, thought, file or
//! code step. Consecutive kept chunks of one role form one message. The file has no title, id or
//! time of its own: the title is the file name.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::model::{
    Attachment, AttachmentKind, Conversation, FinishReason, Message, Note, NoteReason, Raw, Role,
    SkipReason, Skipped, ToolCall,
};
use crate::util::{join_non_empty, list, push_joined, str_field, take_list, title, whole_number};

/// The AI Studio importer (one conversation per file).
pub(crate) struct AiStudio;

impl crate::FileFormat for AiStudio {
    fn conversation(text: &str, name: &str, file: &Path) -> Result<Conversation, Error> {
        let mut value = crate::stream::parse_element(text, 0, file)?;
        let Some(prompt) = value.get_mut("chunkedPrompt").filter(|p| p.is_object()) else {
            return Err(Error::new(
                ErrorKind::NotAiStudio,
                file,
                "expected an AI Studio saved chat: a JSON object with a \"chunkedPrompt\" object",
            ));
        };
        // The chunks are moved out: a chunk kept raw is not copied.
        let chunks = take_list(prompt, "chunks");
        let mut out = Conversation {
            title: Some(title(Some(stem(name)), None)),
            ..Conversation::default()
        };
        out.messages
            .extend(system_message(value.get("systemInstruction")));
        let settings = Settings::read(value.get("runSettings"));
        read_chunks(chunks, &settings, &mut out);
        if let Some(prompt) = value.get("chunkedPrompt") {
            report_drafts(list(prompt, "pendingInputs"), &mut out.skipped);
        }
        Ok(out)
    }
}

/// The file name without its `.json` extension (any case).
fn stem(name: &str) -> &str {
    name.len()
        .checked_sub(".json".len())
        .and_then(|cut| {
            let (head, tail) = (name.get(..cut)?, name.get(cut..)?);
            tail.eq_ignore_ascii_case(".json").then_some(head)
        })
        .unwrap_or(name)
}

/// The generation settings of `runSettings`, given to every assistant message.
#[derive(Default)]
struct Settings {
    model: Option<String>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    top_k: Option<f64>,
}

impl Settings {
    /// Reads `runSettings` (`model` loses its `models/` prefix).
    fn read(value: Option<&Value>) -> Self {
        let Some(value) = value else {
            return Settings::default();
        };
        let number = |key: &str| value.get(key).and_then(Value::as_f64);
        Settings {
            model: str_field(value, "model")
                .map(|m| m.strip_prefix("models/").unwrap_or(m).to_string()),
            temperature: number("temperature"),
            top_p: number("topP"),
            top_k: number("topK"),
        }
    }
}

/// The system message of `systemInstruction` (its `parts[].text` joined with `"\n"`, or its
/// `text`), when that text is not empty.
fn system_message(value: Option<&Value>) -> Option<Message> {
    let value = value?;
    let text = match value {
        Value::String(s) => s.clone(),
        _ => match value.get("parts").and_then(Value::as_array) {
            Some(parts) => join_non_empty(parts.iter().filter_map(|p| str_field(p, "text")), "\n"),
            None => str_field(value, "text").unwrap_or_default().to_string(),
        },
    };
    if text.is_empty() {
        return None;
    }
    let mut message = Message::new(Role::System, text);
    message.ids = vec!["systemInstruction".to_string()];
    Some(message)
}

/// The chunk keys whose object value is an attachment, with its kind (`None`: from the MIME
/// type, with no reference).
const ATTACHMENT_KEYS: [(&str, Option<AttachmentKind>); 7] = [
    ("driveImage", Some(AttachmentKind::Image)),
    ("driveVideo", Some(AttachmentKind::Video)),
    ("driveAudio", Some(AttachmentKind::Audio)),
    ("driveDocument", Some(AttachmentKind::File)),
    ("youtubeVideo", Some(AttachmentKind::Video)),
    ("inlineData", None),
    ("inlineImage", None),
];

/// The keys a chunk with nothing in it may have and still be `empty`.
const PLAIN_KEYS: [&str; 5] = ["role", "text", "tokenCount", "isThought", "finishReason"];

/// What becomes of one chunk.
enum Chunk {
    /// Not imported, for this reason.
    Skip(SkipReason),
    /// Part of a message of this role.
    Keep(Role),
}

/// Decides what becomes of a chunk.
fn classify(chunk: &Value) -> Chunk {
    if !chunk.is_object() {
        return Chunk::Skip(SkipReason::NotAnObject);
    }
    if chunk.get("errorMessage").is_some_and(|e| !e.is_null()) {
        return Chunk::Skip(SkipReason::GenerationError);
    }
    let role = match str_field(chunk, "role") {
        Some("user") => Role::User,
        Some("model") => Role::Assistant,
        _ => return Chunk::Skip(SkipReason::UnknownRole),
    };
    let plain = chunk
        .as_object()
        .is_some_and(|o| o.keys().all(|k| PLAIN_KEYS.contains(&k.as_str())));
    if !has_content(chunk) && plain {
        return Chunk::Skip(SkipReason::Empty);
    }
    Chunk::Keep(role)
}

/// Whether a chunk has text, an attachment or code.
fn has_content(chunk: &Value) -> bool {
    str_field(chunk, "text").is_some_and(|t| !t.is_empty())
        || has_attachment(chunk)
        || ["executableCode", "codeExecutionResult"]
            .iter()
            .any(|k| chunk.get(k).is_some_and(Value::is_object))
}

/// Whether a chunk (or a pending input) holds an attachment.
fn has_attachment(chunk: &Value) -> bool {
    ATTACHMENT_KEYS
        .iter()
        .any(|(k, _)| chunk.get(k).is_some_and(Value::is_object))
}

/// Reads the chunks into messages: each run of kept chunks of one role is one message; skipped
/// chunks are reported and do not break a run.
fn read_chunks(chunks: Vec<Value>, settings: &Settings, out: &mut Conversation) {
    let mut run: Vec<(usize, Value)> = Vec::new();
    let mut run_role = None;
    for (i, chunk) in chunks.into_iter().enumerate() {
        match classify(&chunk) {
            Chunk::Skip(reason) => out.skipped.push(Skipped::new(chunk_id(i), reason)),
            Chunk::Keep(role) => {
                if let Some(previous) = run_role.filter(|r| *r != role) {
                    let chunks = std::mem::take(&mut run);
                    out.messages
                        .push(message(previous, chunks, settings, &mut out.notes));
                }
                run_role = Some(role);
                run.push((i, chunk));
            }
        }
    }
    if let Some(role) = run_role {
        out.messages
            .push(message(role, run, settings, &mut out.notes));
    }
}

/// The node id of chunk `i`.
fn chunk_id(i: usize) -> String {
    format!("chunk:{i}")
}

/// One message from a run of chunks of one role (`(index, chunk)` pairs). A chunk with no
/// content is moved whole into `raw`.
fn message(
    role: Role,
    run: Vec<(usize, Value)>,
    settings: &Settings,
    notes: &mut Vec<Note>,
) -> Message {
    let mut message = Message::new(role, "");
    let mut finish = None;
    for (i, mut chunk) in run {
        let node = chunk_id(i);
        let thought = chunk.get("isThought").and_then(Value::as_bool) == Some(true);
        if !thought {
            if let Some(count) = chunk.get("tokenCount").and_then(whole_number) {
                message.add_tokens(count);
            }
            if let Some(reason) = str_field(&chunk, "finishReason") {
                finish = Some(finish_reason(reason));
            }
        }
        if has_content(&chunk) {
            if let Some(text) = str_field(&chunk, "text") {
                if thought {
                    message.push_reasoning(text);
                } else {
                    push_joined(&mut message.text, text, "\n\n");
                }
            }
            read_attachments(&chunk, &mut message.attachments);
            read_code(&mut chunk, &mut message.tool_calls);
        } else {
            notes.push(Note::new(node.clone(), NoteReason::KeptRaw));
            message.raw.push(Raw::new("chunk", node.clone(), chunk));
        }
        message.ids.push(node);
    }
    if role == Role::Assistant {
        message.model.clone_from(&settings.model);
        message.temperature = settings.temperature;
        message.top_p = settings.top_p;
        message.top_k = settings.top_k;
        message.finish_reason = finish;
    }
    message
}

/// The attachments of a chunk: Drive files and `youtubeVideo` by id; inline data by MIME type
/// (its base64 bytes are not kept).
fn read_attachments(chunk: &Value, out: &mut Vec<Attachment>) {
    for (key, kind) in ATTACHMENT_KEYS {
        let Some(value) = chunk.get(key).filter(|v| v.is_object()) else {
            continue;
        };
        out.push(match kind {
            Some(kind) => Attachment {
                reference: str_field(value, "id").map(str::to_string),
                ..Attachment::new(kind)
            },
            None => Attachment::with_mime(str_field(value, "mimeType")),
        });
    }
}

/// Code execution: `executableCode` is a call, `codeExecutionResult` the output of the latest
/// pending one (or a call with no input when none is pending).
fn read_code(chunk: &mut Value, calls: &mut Vec<ToolCall>) {
    if let Some(code) = chunk.get_mut("executableCode").filter(|v| v.is_object()) {
        calls.push(ToolCall {
            id: None,
            name: Some("code_execution".to_string()),
            input: code.get_mut("code").map(Value::take).unwrap_or_default(),
            output: None,
            is_error: false,
        });
    }
    if let Some(result) = chunk.get("codeExecutionResult").filter(|v| v.is_object()) {
        let output = str_field(result, "output").unwrap_or_default().to_string();
        let is_error = result
            .get("outcome")
            .is_some_and(|o| o.as_str() != Some("OUTCOME_OK"));
        match calls.iter_mut().rev().find(|c| c.output.is_none()) {
            Some(call) => {
                call.output = Some(output);
                call.is_error = is_error;
            }
            None => calls.push(ToolCall {
                id: None,
                name: Some("code_execution".to_string()),
                input: Value::Null,
                output: Some(output),
                is_error,
            }),
        }
    }
}

/// memor's finish reason for a Gemini `finishReason`.
fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            FinishReason::ContentFilter
        }
        "MALFORMED_FUNCTION_CALL" => FinishReason::Error,
        _ => FinishReason::Unknown,
    }
}

/// Reports each non-empty unsent input (`pendingInputs[j]`) as a `draft`.
fn report_drafts(inputs: &[Value], skipped: &mut Vec<Skipped>) {
    for (j, input) in inputs.iter().enumerate() {
        let text = match input {
            Value::String(s) => Some(s.as_str()),
            other => str_field(other, "text"),
        };
        if text.is_some_and(|t| !t.trim().is_empty()) || has_attachment(input) {
            skipped.push(Skipped::new(format!("pending:{j}"), SkipReason::Draft));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FileFormat;
    use serde_json::json;

    fn import(value: &Value, name: &str) -> Conversation {
        AiStudio::conversation(&value.to_string(), name, Path::new(name)).unwrap()
    }

    fn chat(chunks: &Value) -> Conversation {
        import(
            &json!({
                "runSettings": {"model": "models/gemini-x", "temperature": 0.5},
                "chunkedPrompt": {"chunks": chunks},
            }),
            "Chat.JSON",
        )
    }

    #[test]
    fn a_chunk_with_an_error_message_is_a_generation_error() {
        let c = chat(&json!([
            {"role": "user", "text": "hi"},
            {"role": "model", "text": "", "errorMessage": "Failed to generate content."},
            {"role": "model", "text": "hello", "finishReason": "SAFETY"},
        ]));
        assert_eq!(c.title.as_deref(), Some("Chat"));
        assert_eq!(
            c.skipped_pairs(),
            [(Some("chunk:1"), SkipReason::GenerationError)]
        );
        assert_eq!(c.messages.len(), 2);
        assert_eq!(c.messages[1].ids, ["chunk:2"]);
        assert_eq!(c.messages[1].model.as_deref(), Some("gemini-x"));
        assert_eq!(c.messages[1].temperature, Some(0.5));
        assert_eq!(
            c.messages[1].finish_reason,
            Some(FinishReason::ContentFilter)
        );
    }

    #[test]
    fn skipped_chunks_do_not_break_a_run() {
        let c = chat(&json!([
            {"role": "user", "text": "a", "tokenCount": 2},
            {"role": "user", "text": ""},
            "junk",
            {"role": "tool", "text": "?"},
            {"role": "user", "text": "b"},
        ]));
        assert_eq!(c.messages.len(), 1);
        assert_eq!(c.messages[0].text, "a\n\nb");
        assert_eq!(c.messages[0].ids, ["chunk:0", "chunk:4"]);
        assert_eq!(c.messages[0].tokens, Some(2));
        assert_eq!(c.messages[0].finish_reason, None);
        assert_eq!(
            c.skipped_pairs(),
            [
                (Some("chunk:1"), SkipReason::Empty),
                (Some("chunk:2"), SkipReason::NotAnObject),
                (Some("chunk:3"), SkipReason::UnknownRole),
            ]
        );
    }

    #[test]
    fn a_chunk_with_unknown_keys_is_kept_raw() {
        let call = json!({"role": "model", "functionCall": {"name": "f", "args": {}}});
        let c = chat(&json!([{"role": "user", "text": "go"}, call.clone()]));
        let answer = &c.messages[1];
        assert_eq!(answer.text, "");
        assert_eq!(answer.raw.len(), 1);
        assert_eq!(answer.raw[0].kind, "chunk");
        assert_eq!(answer.raw[0].node.as_deref(), Some("chunk:1"));
        assert_eq!(answer.raw[0].payload, call);
        assert_eq!(c.notes.len(), 1);
        assert_eq!(c.notes[0].reason, NoteReason::KeptRaw);
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn thoughts_count_neither_for_tokens_nor_finish_reason() {
        let c = chat(&json!([
            {"role": "model", "text": "answer", "tokenCount": 3, "finishReason": "MAX_TOKENS"},
            {"role": "model", "text": "musing", "isThought": true, "tokenCount": 50, "finishReason": "STOP"},
        ]));
        let m = &c.messages[0];
        assert_eq!(m.text, "answer");
        assert_eq!(m.reasoning.as_deref(), Some("musing"));
        assert_eq!(m.tokens, Some(3));
        assert_eq!(m.finish_reason, Some(FinishReason::Length));
    }

    #[test]
    fn inline_data_and_failed_code() {
        let c = chat(&json!([
            {"role": "user", "inlineData": {"mimeType": "audio/wav", "data": "AAAA"}},
            {"role": "model", "codeExecutionResult": {"outcome": "OUTCOME_FAILED", "output": "boom"}},
            {"role": "model", "executableCode": {"code": "1/0"}},
        ]));
        let a = &c.messages[0].attachments[0];
        assert_eq!(a.kind, AttachmentKind::Audio);
        assert_eq!(a.mime.as_deref(), Some("audio/wav"));
        assert_eq!(a.reference, None);
        let calls = &c.messages[1].tool_calls;
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].input, Value::Null);
        assert_eq!(calls[0].output.as_deref(), Some("boom"));
        assert!(calls[0].is_error);
        assert_eq!(calls[1].input, json!("1/0"));
        assert_eq!(calls[1].output, None);
    }

    #[test]
    fn drafts_and_system_text_field() {
        let c = import(
            &json!({
                "systemInstruction": {"text": "Be brief."},
                "chunkedPrompt": {
                    "chunks": [],
                    "pendingInputs": [{"text": "  \n"}, {"text": "unsent", "role": "user"}],
                },
            }),
            "untitled",
        );
        assert_eq!(c.title.as_deref(), Some("untitled"));
        assert_eq!(c.messages.len(), 1);
        assert_eq!(c.messages[0].role, Role::System);
        assert_eq!(c.messages[0].text, "Be brief.");
        assert_eq!(c.messages[0].model, None);
        assert_eq!(c.skipped_pairs(), [(Some("pending:1"), SkipReason::Draft)]);
    }

    #[test]
    fn wrong_files_are_refused() {
        let not_chat = AiStudio::conversation("[1]", "x.json", Path::new("x.json")).unwrap_err();
        assert_eq!(not_chat.kind(), ErrorKind::NotAiStudio);
        let no_prompt =
            AiStudio::conversation("{\"chunkedPrompt\": []}", "x.json", Path::new("x.json"))
                .unwrap_err();
        assert_eq!(no_prompt.kind(), ErrorKind::NotAiStudio);
        let broken =
            AiStudio::conversation("{\n  \"a\": ?}", "x.json", Path::new("x.json")).unwrap_err();
        assert_eq!(broken.kind(), ErrorKind::InvalidJson);
        assert_eq!(broken.offset(), Some(9));
        let trailing =
            AiStudio::conversation("{\"chunkedPrompt\": {}} {}", "x.json", Path::new("x.json"))
                .unwrap_err();
        assert_eq!(trailing.kind(), ErrorKind::InvalidJson);
    }

    #[test]
    fn stems_drop_only_a_json_extension() {
        assert_eq!(stem("a.json"), "a");
        assert_eq!(stem("a.JSON"), "a");
        assert_eq!(stem("a.txt"), "a.txt");
        assert_eq!(stem("json"), "json");
        assert_eq!(stem("é.json"), "é");
    }
}
