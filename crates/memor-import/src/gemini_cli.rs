//! Gemini CLI session files, `.json` and `.jsonl`.
//!
//! A `.json` file holds one session object with its `messages`. A `.jsonl` log holds one value
//! per line: metadata, message records (a repeated id replaces the earlier record in place),
//! `$set` updates of the metadata and `$rewindTo` rewinds. Both become the same list of records,
//! which is then turned into messages: user records one by one, and each run of `gemini` records
//! up to the next user record as one assistant message.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::model::{
    Attachment, Conversation, Message, Note, NoteReason, Raw, Role, SkipReason, Skipped, ToolCall,
};
use crate::util::{
    join_non_empty, object_str, one_or_many, parse_time, push_joined, str_field, take_list, title,
    whole_number,
};

/// The Gemini CLI importer: one session per file.
pub(crate) struct GeminiCli;

impl crate::FileFormat for GeminiCli {
    fn conversation(text: &str, name: &str, file: &Path) -> Result<Conversation, Error> {
        let session = if name.to_ascii_lowercase().ends_with(".jsonl") {
            Session::from_log(text, file)?
        } else {
            Session::from_json(text, file)?
        };
        Ok(session.into_conversation())
    }
}

/// A session as read from either file kind, before it becomes a conversation.
#[derive(Default)]
struct Session {
    /// `sessionId`, `startTime`, `summary`...
    meta: Map<String, Value>,
    /// Message records in order, each with its id.
    records: Vec<(String, Value)>,
    /// What was dropped while reading (non-objects, bad lines, rewound records).
    skipped: Vec<Skipped>,
}

impl Session {
    /// A `.json` session: one object with a string `sessionId` and a `messages` array.
    fn from_json(text: &str, file: &Path) -> Result<Session, Error> {
        let value = crate::stream::parse_element(text, 0, file)?;
        let not_a_session = || {
            Error::new(
                ErrorKind::NotGeminiCli,
                file,
                "expected a Gemini CLI session: a JSON object with `sessionId` and a `messages` array",
            )
        };
        let Value::Object(mut meta) = value else {
            return Err(not_a_session());
        };
        if !meta.get("sessionId").is_some_and(Value::is_string) {
            return Err(not_a_session());
        }
        let Some(Value::Array(messages)) = meta.remove("messages") else {
            return Err(not_a_session());
        };
        let mut session = Session {
            meta,
            ..Session::default()
        };
        for (i, message) in messages.into_iter().enumerate() {
            let fallback = format!("#{i}");
            if message.is_object() {
                session
                    .records
                    .push((record_id(&message, fallback), message));
            } else {
                session
                    .skipped
                    .push(Skipped::new(fallback, SkipReason::NotAnObject));
            }
        }
        Ok(session)
    }

    /// A `.jsonl` log, applied line by line; it must give a string `sessionId`.
    fn from_log(text: &str, file: &Path) -> Result<Session, Error> {
        let mut log = Log::default();
        for (i, line) in text.split('\n').enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let number = i + 1;
            match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(object)) => log.apply(object, number),
                _ => log.invalid_line(number),
            }
        }
        if !log
            .session
            .meta
            .get("sessionId")
            .is_some_and(Value::is_string)
        {
            return Err(Error::new(
                ErrorKind::NotGeminiCli,
                file,
                "expected a Gemini CLI session log: JSON lines with a metadata line holding `sessionId`",
            ));
        }
        Ok(log.session)
    }

    /// The conversation: title from `summary`, id from `sessionId`, created from `startTime`.
    fn into_conversation(self) -> Conversation {
        let id = object_str(&self.meta, "sessionId").map(str::to_string);
        let mut builder = Builder {
            conversation: Conversation {
                title: Some(title(object_str(&self.meta, "summary"), id.as_deref())),
                id,
                created: parse_time(self.meta.get("startTime")),
                messages: Vec::new(),
                skipped: self.skipped,
                notes: Vec::new(),
            },
            run: Vec::new(),
        };
        for (id, record) in self.records {
            builder.record(id, record);
        }
        builder.end_run();
        builder.conversation
    }
}

/// A record's id: its `id`, else `fallback`.
fn record_id(record: &Value, fallback: String) -> String {
    record.get("id").and_then(id_text).unwrap_or(fallback)
}

/// An id as text: a string, or a number written out.
fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The state of a `.jsonl` log being applied.
#[derive(Default)]
struct Log {
    session: Session,
    /// The position of each record id in `session.records`.
    positions: HashMap<String, usize>,
}

impl Log {
    /// Applies one line's object (`number` is its 1-based line).
    fn apply(&mut self, mut object: Map<String, Value>, number: usize) {
        if let Some(target) = object.get("$rewindTo") {
            let target = id_text(target);
            self.rewind(target.as_deref());
        } else if let Some(set) = object.remove("$set") {
            match set {
                Value::Object(fields) => self.session.meta.extend(fields),
                _ => self.invalid_line(number),
            }
        } else if object.contains_key("id") {
            let record = Value::Object(object);
            let id = record_id(&record, format!("line:{number}"));
            self.upsert(id, record);
        } else {
            self.session.meta.extend(object);
        }
    }

    /// Reports line `number` as `invalid_line`.
    fn invalid_line(&mut self, number: usize) {
        self.session.skipped.push(Skipped::new(
            format!("line:{number}"),
            SkipReason::InvalidLine,
        ));
    }

    /// Adds a record, or replaces in place the earlier record with the same id.
    fn upsert(&mut self, id: String, record: Value) {
        if let Some(slot) = self
            .positions
            .get(&id)
            .and_then(|&at| self.session.records.get_mut(at))
        {
            slot.1 = record;
            return;
        }
        self.positions
            .insert(id.clone(), self.session.records.len());
        self.session.records.push((id, record));
    }

    /// Removes the record `target` and every later one (all records when the id is unknown),
    /// reporting each as `rewound`.
    fn rewind(&mut self, target: Option<&str>) {
        let cut = target
            .and_then(|t| self.positions.get(t))
            .copied()
            .unwrap_or(0);
        if cut >= self.session.records.len() {
            return;
        }
        for (id, _) in self.session.records.drain(cut..) {
            self.positions.remove(&id);
            self.session
                .skipped
                .push(Skipped::new(id, SkipReason::Rewound));
        }
    }
}

/// Turns records into messages.
struct Builder {
    conversation: Conversation,
    /// The `gemini` records since the last user record.
    run: Vec<(String, Value)>,
}

impl Builder {
    /// One record, by `type`.
    fn record(&mut self, id: String, record: Value) {
        match str_field(&record, "type") {
            Some("user") => {
                self.end_run();
                self.user(id, record);
            }
            Some("gemini") => self.run.push((id, record)),
            Some("info" | "error" | "warning") => self.skip(id, SkipReason::CliNotice),
            _ => self.skip(id, SkipReason::UnknownRole),
        }
    }

    /// Reports a record that is not imported.
    fn skip(&mut self, id: String, reason: SkipReason) {
        self.conversation.skipped.push(Skipped::new(id, reason));
    }

    /// A user record: a message, or `empty` when it holds nothing.
    fn user(&mut self, id: String, mut record: Value) {
        let content = Content::read(record.get_mut("content").map(Value::take), &id);
        let mut message = Message::new(Role::User, content.text);
        message.attachments = content.attachments;
        message.raw = content.raw;
        if message.is_empty() {
            self.skip(id, SkipReason::Empty);
            return;
        }
        message.date = parse_time(record.get("timestamp"));
        message.ids = vec![id];
        self.note_raw(&message);
        self.conversation.messages.push(message);
    }

    /// Ends the current run of `gemini` records: one assistant message, or each record skipped
    /// as `empty` when the run holds nothing.
    fn end_run(&mut self) {
        let mut run = std::mem::take(&mut self.run);
        if run.is_empty() {
            return;
        }
        let mut message = Message::new(Role::Assistant, "");
        for (id, record) in &mut run {
            let content = Content::read(record.get_mut("content").map(Value::take), id);
            push_joined(&mut message.text, &content.text, "\n\n");
            message.attachments.extend(content.attachments);
            message.raw.extend(content.raw);
            message.push_reasoning(&thoughts(record.get("thoughts")));
            let calls = take_list(record, "toolCalls");
            message.tool_calls.extend(calls.into_iter().map(tool_call));
            if let Some(tokens) = output_tokens(record) {
                message.add_tokens(tokens);
            }
            if let Some(model) = str_field(record, "model") {
                message.model = Some(model.to_string());
            }
            if let Some(date) = parse_time(record.get("timestamp")) {
                message.date = Some(date);
            }
        }
        if message.is_empty() {
            for (id, _) in run {
                self.skip(id, SkipReason::Empty);
            }
            return;
        }
        message.ids = run.into_iter().map(|(id, _)| id).collect();
        self.note_raw(&message);
        self.conversation.messages.push(message);
    }

    /// Notes `kept_raw` for the record of each raw part of a message.
    fn note_raw(&mut self, message: &Message) {
        for part in &message.raw {
            self.conversation
                .notes
                .push(Note::new(part.node.clone(), NoteReason::KeptRaw));
        }
    }
}

/// A record's `content`: a string, or a list of parts.
#[derive(Default)]
struct Content {
    /// The `text` parts, joined with `""`.
    text: String,
    /// `inlineData` and `fileData` parts.
    attachments: Vec<Attachment>,
    /// Any other part, kept whole (type `part`).
    raw: Vec<Raw>,
}

impl Content {
    /// Reads `content` of the record `id`, moving unknown parts into `raw`.
    fn read(content: Option<Value>, id: &str) -> Content {
        let mut out = Content::default();
        match content {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => out.text = s,
            Some(Value::Array(parts)) => {
                for part in parts {
                    out.part(part, id);
                }
            }
            Some(part) => out.part(part, id),
        }
        out
    }

    /// One part.
    fn part(&mut self, part: Value, id: &str) {
        if let Some(text) = part.as_str().or_else(|| str_field(&part, "text")) {
            self.text.push_str(text);
        } else if let Some(data) = part.get("inlineData").filter(|d| d.is_object()) {
            self.attachments.push(attachment(data, None));
        } else if let Some(data) = part.get("fileData").filter(|d| d.is_object()) {
            let reference = str_field(data, "fileUri").map(str::to_string);
            self.attachments.push(attachment(data, reference));
        } else {
            self.raw.push(Raw::new("part", id.to_string(), part));
        }
    }
}

/// An attachment from `inlineData` / `fileData`: kind from `mimeType`.
fn attachment(data: &Value, reference: Option<String>) -> Attachment {
    Attachment {
        reference,
        ..Attachment::with_mime(str_field(data, "mimeType"))
    }
}

/// `thoughts[]` as reasoning: each thought's `subject` and `description` joined with `"\n"`,
/// thoughts joined with `"\n\n"` (empty ones dropped).
fn thoughts(value: Option<&Value>) -> String {
    let mut out = String::new();
    for thought in value.and_then(Value::as_array).into_iter().flatten() {
        let text = join_non_empty(
            [
                str_field(thought, "subject"),
                str_field(thought, "description"),
            ]
            .into_iter()
            .flatten(),
            "\n",
        );
        push_joined(&mut out, &text, "\n\n");
    }
    out
}

/// `tokens.output` of a record.
fn output_tokens(record: &Value) -> Option<u64> {
    whole_number(record.get("tokens")?.get("output")?)
}

/// A `toolCalls[]` entry: `output` from the `text` parts and the `functionResponse.response`
/// `output` / `error` strings of `result`, joined with `"\n"` (empty strings included: only
/// separate messages drop empty texts when joined); an error when `status` is `error` or a
/// response has an `error`. `args` is moved into the call's input.
fn tool_call(mut call: Value) -> ToolCall {
    let mut outputs = Vec::new();
    let mut is_error = str_field(&call, "status") == Some("error");
    for part in one_or_many(call.get("result")) {
        if let Some(text) = str_field(part, "text") {
            outputs.push(text);
        }
        let Some(response) = part.get("functionResponse").and_then(|f| f.get("response")) else {
            continue;
        };
        if let Some(output) = str_field(response, "output") {
            outputs.push(output);
        }
        match response.get("error") {
            None | Some(Value::Null) => {}
            Some(error) => {
                is_error = true;
                if let Some(text) = error.as_str() {
                    outputs.push(text);
                }
            }
        }
    }
    let output = (!outputs.is_empty()).then(|| outputs.join("\n"));
    ToolCall {
        id: str_field(&call, "id").map(str::to_string),
        name: str_field(&call, "name").map(str::to_string),
        input: call.get_mut("args").map(Value::take).unwrap_or_default(),
        output,
        is_error,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::model::{AttachmentKind, Conversation, NoteReason, SkipReason};
    use crate::{Error, ErrorKind, Options, Source, import_bytes};

    fn run(text: &str, name: &str) -> Result<Conversation, Error> {
        let mut got = import_bytes(
            text.as_bytes(),
            name,
            Source::GeminiCli,
            &Options::default(),
        )?;
        assert_eq!(got.len(), 1);
        Ok(got.remove(0))
    }

    fn log(lines: &[Value]) -> Conversation {
        let text: Vec<String> = lines.iter().map(Value::to_string).collect();
        run(&text.join("\n"), "session-x.jsonl").unwrap()
    }

    fn meta() -> Value {
        json!({"sessionId": "s1", "projectHash": "h", "startTime": "2025-01-01T10:00:00.500Z"})
    }

    fn user(id: &str, text: &str) -> Value {
        json!({"id": id, "timestamp": "2025-01-01T10:00:01Z", "type": "user", "content": text})
    }

    fn gemini(id: &str, text: &str) -> Value {
        json!({"id": id, "timestamp": "2025-01-01T10:00:02Z", "type": "gemini", "content": text,
               "model": "gemini-2.5-pro", "tokens": {"output": 3}})
    }

    fn texts(c: &Conversation) -> Vec<&str> {
        c.messages.iter().map(|m| m.text.as_str()).collect()
    }

    #[test]
    fn rewinding_to_an_unknown_id_removes_every_message_so_far() {
        let c = log(&[
            meta(),
            user("u1", "one"),
            gemini("g1", "reply"),
            json!({"$rewindTo": "nowhere"}),
            user("u2", "two"),
        ]);
        assert_eq!(texts(&c), ["two"]);
        assert_eq!(
            c.skipped_pairs(),
            [
                (Some("u1"), SkipReason::Rewound),
                (Some("g1"), SkipReason::Rewound)
            ]
        );
    }

    #[test]
    fn rewinding_to_a_known_id_removes_it_and_what_follows() {
        let c = log(&[
            meta(),
            user("u1", "one"),
            gemini("g1", "first"),
            user("u2", "two"),
            gemini("g2", "second"),
            json!({"$rewindTo": "u2"}),
            user("u2", "again"),
        ]);
        assert_eq!(texts(&c), ["one", "first", "again"]);
        assert_eq!(
            c.skipped_pairs(),
            [
                (Some("u2"), SkipReason::Rewound),
                (Some("g2"), SkipReason::Rewound)
            ]
        );
    }

    #[test]
    fn a_record_seen_twice_replaces_the_first_in_place() {
        let c = log(&[
            meta(),
            user("u1", "one"),
            gemini("g1", "partial"),
            user("u2", "two"),
            gemini("g1", "complete"),
        ]);
        assert_eq!(texts(&c), ["one", "complete", "two"]);
        assert_eq!(c.messages[1].ids, ["g1"]);
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn log_lines_set_metadata_and_bad_lines_are_reported() {
        let text = format!(
            "{}\n\n   \n[1, 2]\n{{broken\n{}\n{}\n",
            meta(),
            user("u1", "hi"),
            json!({"$set": {"summary": "Greeting"}})
        );
        let c = run(&text, "session-1.JSONL").unwrap();
        assert_eq!(c.title.as_deref(), Some("Greeting"));
        assert_eq!(c.id.as_deref(), Some("s1"));
        assert_eq!(
            c.created.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-01-01T10:00:00+00:00")
        );
        assert_eq!(
            c.skipped_pairs(),
            [
                (Some("line:4"), SkipReason::InvalidLine),
                (Some("line:5"), SkipReason::InvalidLine)
            ]
        );
    }

    #[test]
    fn a_log_without_a_session_id_is_refused() {
        let e = run(&user("u1", "hi").to_string(), "session-2.jsonl").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotGeminiCli);
        assert!(e.to_string().contains("session-2.jsonl"));
    }

    #[test]
    fn json_files_must_be_sessions() {
        let e = run("{\"model\": \"x\", \"messages\": []}", "session-3.json").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotGeminiCli);
        let e = run("[{\"sessionId\": \"s\"}]", "session-3.json").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotGeminiCli);
        let e = run(
            "{\"sessionId\": \"s\",\n \"messages\": [}",
            "session-3.json",
        )
        .unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidJson, Some(33)));
        let e = run(
            "{\"sessionId\": \"s\", \"messages\": []} {}",
            "session-3.json",
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson);
    }

    #[test]
    fn a_json_session_keeps_parts_tools_and_notices() {
        let session = json!({
            "sessionId": "s9",
            "summary": "  ",
            "messages": [
                {"id": "u1", "type": "user", "content": [
                    {"text": "look "}, {"text": "here"},
                    {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
                    {"fileData": {"mimeType": "application/pdf", "fileUri": "gs://b/f.pdf"}},
                    {"functionCall": {"name": "x"}}
                ]},
                "not an object",
                {"id": "g1", "type": "gemini", "content": "", "model": "m1",
                 "timestamp": "2025-01-01T10:00:05Z", "tokens": {"output": 4},
                 "thoughts": [{"subject": "", "description": "plan"}, {"subject": "", "description": ""},
                              {"subject": "S", "description": "D"}],
                 "toolCalls": [
                    {"id": "c1", "name": "run_shell", "args": {"cmd": "ls"}, "status": "error",
                     "result": [{"functionResponse": {"response": {"error": "denied"}}}]},
                    {"id": "c2", "name": "read", "args": {"p": 1}, "status": "success",
                     "result": [{"text": "a"}, {"functionResponse": {"response": {"output": "b"}}}]},
                    {"id": "c3", "name": "later"}
                 ]},
                {"id": "w1", "type": "warning", "content": "slow"},
                {"id": "g2", "type": "gemini", "content": "done", "model": "m2",
                 "timestamp": "2025-01-01T10:00:09Z", "tokens": {"output": 6}},
                {"id": "x1", "type": "tool", "content": "?"},
                {"type": "user", "content": []},
                {"id": "g3", "type": "gemini", "content": ""},
                {"id": "g4", "type": "gemini", "thoughts": []}
            ]
        });
        let c = run(&session.to_string(), "session-4.json").unwrap();
        assert_eq!(c.title.as_deref(), Some("Conversation s9"));
        assert_eq!(c.created, None);
        assert_eq!(texts(&c), ["look here", "done"]);
        let u = &c.messages[0];
        assert_eq!(u.attachments.len(), 2);
        assert_eq!(u.attachments[0].kind, AttachmentKind::Image);
        assert_eq!(u.attachments[0].mime.as_deref(), Some("image/png"));
        assert_eq!(u.attachments[0].reference, None);
        assert_eq!(u.attachments[1].kind, AttachmentKind::File);
        assert_eq!(u.attachments[1].reference.as_deref(), Some("gs://b/f.pdf"));
        assert_eq!(u.raw.len(), 1);
        assert_eq!(u.raw[0].kind, "part");
        assert_eq!(u.raw[0].payload, json!({"functionCall": {"name": "x"}}));
        let a = &c.messages[1];
        assert_eq!(a.ids, ["g1", "g2"]);
        assert_eq!(a.model.as_deref(), Some("m2"));
        assert_eq!(a.tokens, Some(10));
        assert_eq!(a.reasoning.as_deref(), Some("plan\n\nS\nD"));
        assert_eq!(
            a.date.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-01-01T10:00:09+00:00")
        );
        let calls: Vec<(Option<&str>, Option<&str>, bool)> = a
            .tool_calls
            .iter()
            .map(|t| (t.id.as_deref(), t.output.as_deref(), t.is_error))
            .collect();
        assert_eq!(
            calls,
            [
                (Some("c1"), Some("denied"), true),
                (Some("c2"), Some("a\nb"), false),
                (Some("c3"), None, false)
            ]
        );
        assert_eq!(a.tool_calls[0].input, json!({"cmd": "ls"}));
        assert_eq!(a.tool_calls[2].input, Value::Null);
        assert_eq!(
            c.skipped_pairs(),
            [
                (Some("#1"), SkipReason::NotAnObject),
                (Some("w1"), SkipReason::CliNotice),
                (Some("x1"), SkipReason::UnknownRole),
                (Some("#6"), SkipReason::Empty),
                (Some("g3"), SkipReason::Empty),
                (Some("g4"), SkipReason::Empty),
            ]
        );
        assert_eq!(c.note_pairs(), [(Some("u1"), NoteReason::KeptRaw)]);
    }
}
