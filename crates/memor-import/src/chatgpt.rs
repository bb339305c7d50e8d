//! ChatGPT's `conversations.json`.
//!
//! A conversation is a tree (`mapping`) of nodes linked by `parent` and `children`. The import
//! walks up from the active leaf to the root, turns each user node into a user message and each
//! run of assistant and tool nodes into one assistant message, turns regenerated answers into
//! alternatives and reports every other branch at its first node.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::model::{
    AlternativeDetail, Attachment, AttachmentKind, Conversation, FinishReason, Message, Note,
    NoteReason, Raw, Role, SkipReason, Skipped, Timestamp, ToolCall,
};
use crate::util::{
    epoch_seconds, object_str, parse_iso, parse_time, push_joined, str_field, title, whole_number,
};

/// A JSON object.
type Object = Map<String, Value>;

/// The ChatGPT importer's state across the array.
#[derive(Default)]
pub(crate) struct ChatGpt {}

impl crate::ArrayFormat for ChatGpt {
    const WHAT: &'static str = "conversations";

    fn check_first(&mut self, first: &Value, file: &Path) -> Result<(), Error> {
        if is_shared_conversations(first) {
            return Err(Error::new(
                ErrorKind::SharedConversations,
                file,
                "this is shared_conversations.json (the metadata of shared links, no messages); \
                 import conversations.json from the same export instead",
            ));
        }
        Ok(())
    }

    fn element(&mut self, value: Value, _index: usize) -> Option<Conversation> {
        Some(conversation(&value))
    }
}

/// Whether the first item of the array is a `shared_conversations.json` entry: it has
/// `is_anonymous` and no `mapping`.
fn is_shared_conversations(first: &Value) -> bool {
    first
        .as_object()
        .is_some_and(|o| o.contains_key("is_anonymous") && !o.contains_key("mapping"))
}

/// One element of the top-level array as a conversation.
fn conversation(value: &Value) -> Conversation {
    let Some(object) = value.as_object() else {
        return Conversation {
            skipped: vec![Skipped::new(None, SkipReason::NotAnObject)],
            ..Conversation::default()
        };
    };
    let id = str_field(value, "conversation_id").or_else(|| str_field(value, "id"));
    let mut out = Conversation {
        title: Some(title(str_field(value, "title"), id)),
        id: id.map(str::to_string),
        created: parse_time(object.get("create_time")),
        ..Conversation::default()
    };
    let Some(mapping) = object.get("mapping").and_then(Value::as_object) else {
        out.skipped.push(Skipped::new(None, SkipReason::NoMapping));
        return out;
    };
    if !mapping.values().any(|node| message(node).is_some()) {
        out.skipped
            .push(Skipped::new(None, SkipReason::EmptyConversation));
        return out;
    }
    let tree = Tree {
        mapping,
        default_model: str_field(value, "default_model_slug"),
    };
    tree.import(object.get("current_node").and_then(Value::as_str), &mut out);
    out
}

/// The `message` object of a mapping node (`None` for structure nodes such as the root).
fn message(node: &Value) -> Option<&Object> {
    node.get("message").and_then(Value::as_object)
}

/// The ids a node lists as its children.
fn children(node: &Value) -> impl Iterator<Item = &str> {
    node.get("children")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The author role of a message.
fn role(message: &Object) -> Option<&str> {
    message
        .get("author")
        .and_then(|a| a.get("role"))
        .and_then(Value::as_str)
}

/// A message's `content`, when it is an object: as a value (to keep it verbatim) and as an
/// object.
fn content(message: &Object) -> Option<(&Value, &Object)> {
    let value = message.get("content")?;
    Some((value, value.as_object()?))
}

/// A message's `content.content_type`.
fn content_type(message: &Object) -> Option<&str> {
    content(message).and_then(|(_, c)| object_str(c, "content_type"))
}

/// A message's `metadata` object.
fn metadata(message: &Object) -> Option<&Object> {
    message.get("metadata").and_then(Value::as_object)
}

/// A string field of a message's metadata.
fn metadata_str<'a>(message: &'a Object, key: &str) -> Option<&'a str> {
    metadata(message).and_then(|m| object_str(m, key))
}

/// A sortable time: epoch seconds (milliseconds above 1e12) or an ISO string; `None` (the
/// oldest) when missing or unparsable.
fn time_key(value: Option<&Value>) -> Option<f64> {
    let value = value?;
    match value.as_str() {
        Some(s) => parse_iso(s).map(|t| t.timestamp() as f64),
        None => epoch_seconds(value),
    }
}

/// What a node on the path is, once the skip rules have passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The user's turn.
    User,
    /// The model's text, reasoning or tool call.
    Assistant,
    /// A tool's result.
    Tool,
}

/// The skip rules, in order: user custom instructions, the model's memory, hidden nodes (flag
/// or weight 0), system messages, unknown roles, then reasoning recaps. `Err` with the reason,
/// or the kind of a kept node.
fn classify(message: &Object) -> Result<Kind, SkipReason> {
    match content_type(message) {
        Some("user_editable_context") => return Err(SkipReason::CustomInstructions),
        Some("model_editable_context") => return Err(SkipReason::MemoryContext),
        _ => {}
    }
    let meta = metadata(message);
    if meta
        .and_then(|m| m.get("is_visually_hidden_from_conversation"))
        .and_then(Value::as_bool)
        == Some(true)
    {
        return Err(SkipReason::Hidden);
    }
    if message
        .get("weight")
        .and_then(Value::as_f64)
        .is_some_and(|w| w == 0.0)
    {
        return Err(SkipReason::Hidden);
    }
    let kind = match role(message) {
        Some("system") => return Err(SkipReason::System),
        Some("user") => Kind::User,
        Some("assistant") => Kind::Assistant,
        Some("tool") => Kind::Tool,
        _ => return Err(SkipReason::UnknownRole),
    };
    if content_type(message) == Some("reasoning_recap") {
        return Err(SkipReason::ReasoningRecap);
    }
    Ok(kind)
}

/// Content of an unknown kind, borrowed from the mapping. It is copied only into a message that
/// is kept: the answers walked for alternatives keep their text alone and never copy it.
#[derive(Clone, Copy)]
struct Kept<'a> {
    /// The source's type name.
    kind: &'a str,
    /// The node it belongs to.
    node: &'a str,
    /// The source value.
    payload: &'a Value,
}

impl Kept<'_> {
    /// The payload as a raw entry of a message.
    fn to_raw(self) -> Raw {
        Raw::new(self.kind, self.node.to_string(), self.payload.clone())
    }
}

/// An attachment made from a part, remembering whether it came from an image part.
struct Asset {
    /// The attachment.
    attachment: Attachment,
    /// Whether `metadata.attachments` may complete it.
    image: bool,
}

/// The parts of a `text` or `multimodal_text` content.
#[derive(Default)]
struct Parts<'a> {
    /// The strings, joined with `"\n"`, empty ones dropped.
    text: String,
    /// Image and audio pointers, in part order.
    assets: Vec<Asset>,
    /// Parts of another kind, kept verbatim.
    raw: Vec<Kept<'a>>,
}

/// Reads the `parts` of a content object.
fn parse_parts<'a>(content: &'a Object, node: &'a str) -> Parts<'a> {
    let mut out = Parts::default();
    let parts = content.get("parts").and_then(Value::as_array);
    for part in parts.into_iter().flatten() {
        match part {
            Value::String(s) => push_joined(&mut out.text, s, "\n"),
            Value::Null => {}
            Value::Object(o) => match object_str(o, "content_type") {
                Some("audio_transcription") => {
                    push_joined(&mut out.text, object_str(o, "text").unwrap_or(""), "\n");
                }
                Some("image_asset_pointer") => out.assets.push(asset(o, AttachmentKind::Image)),
                Some("audio_asset_pointer") => out.assets.push(asset(o, AttachmentKind::Audio)),
                kind => out.raw.push(Kept {
                    kind: kind.unwrap_or("part"),
                    node,
                    payload: part,
                }),
            },
            other => out.raw.push(Kept {
                kind: "part",
                node,
                payload: other,
            }),
        }
    }
    out
}

/// The attachment an `image_asset_pointer` or `audio_asset_pointer` part names.
fn asset(part: &Object, kind: AttachmentKind) -> Asset {
    let pointer = object_str(part, "asset_pointer").map(|p| {
        p.strip_prefix("file-service://")
            .or_else(|| p.strip_prefix("sediment://"))
            .unwrap_or(p)
    });
    let mut attachment = Attachment::new(kind);
    attachment.reference = pointer.map(str::to_string);
    attachment.size = part.get("size_bytes").and_then(whole_number);
    Asset {
        attachment,
        image: kind == AttachmentKind::Image,
    }
}

/// The attachments of a node: its part assets, completed and followed by the entries of
/// `metadata.attachments`.
fn attachments(message: &Object, mut assets: Vec<Asset>) -> Vec<Attachment> {
    let entries = metadata(message)
        .and_then(|m| m.get("attachments"))
        .and_then(Value::as_array);
    let mut extra = Vec::new();
    for entry in entries.into_iter().flatten().filter_map(Value::as_object) {
        let id = object_str(entry, "id");
        let name = object_str(entry, "name");
        let mime = object_str(entry, "mimeType");
        let size = entry.get("size").and_then(whole_number);
        let mut matched = false;
        for a in assets.iter_mut().filter(|a| a.image) {
            let a = &mut a.attachment;
            if id.is_some() && a.reference.as_deref() == id {
                matched = true;
                a.name = name.map(str::to_string);
                a.mime = mime.map(str::to_string);
                a.size = a.size.or(size);
            }
        }
        if !matched {
            extra.push(Attachment {
                reference: id.map(str::to_string),
                name: name.map(str::to_string),
                size,
                ..Attachment::with_mime(mime)
            });
        }
    }
    assets
        .into_iter()
        .map(|a| a.attachment)
        .chain(extra)
        .collect()
}

/// `finish_details.type` in memor's words.
fn finish_reason(kind: &str) -> FinishReason {
    match kind {
        "stop" => FinishReason::Stop,
        "max_tokens" => FinishReason::Length,
        _ => FinishReason::Unknown,
    }
}

/// A user node as a message (its text, attachments and raw content may all be empty).
fn user_message(id: &str, message: &Object) -> Message {
    let mut text = String::new();
    let mut assets = Vec::new();
    let mut raws = Vec::new();
    if let Some((value, content)) = content(message) {
        match object_str(content, "content_type") {
            Some("text" | "multimodal_text") => {
                let parts = parse_parts(content, id);
                text = parts.text;
                assets = parts.assets;
                raws = parts.raw.into_iter().map(Kept::to_raw).collect();
            }
            kind => raws.push(Raw::new(
                kind.unwrap_or("content"),
                id.to_string(),
                value.clone(),
            )),
        }
    }
    let mut out = Message::new(Role::User, text);
    out.date = parse_time(message.get("create_time"));
    out.ids = vec![id.to_string()];
    out.attachments = attachments(message, assets);
    out.raw = raws;
    out
}

/// One assistant turn being built from a run of assistant and tool nodes.
#[derive(Default)]
struct Turn<'a> {
    /// Text of the nodes addressed to everyone, joined with `"\n\n"`.
    text: String,
    /// The thoughts, joined with `"\n\n"`.
    reasoning: String,
    /// Tool calls, in order.
    calls: Vec<ToolCall>,
    /// Indices of the calls still waiting for an output (the latest last).
    pending: Vec<usize>,
    /// Attachments, in order.
    attachments: Vec<Attachment>,
    /// The pointers of the node being added, before `metadata.attachments` completes them.
    assets: Vec<Asset>,
    /// Content kept verbatim.
    raw: Vec<Kept<'a>>,
    /// The ids of the nodes that brought something.
    ids: Vec<String>,
    /// `model_slug` of the last contributing assistant node that has one.
    model: Option<&'a str>,
    /// `default_model_slug` of the last contributing assistant node that has one.
    default_model: Option<&'a str>,
    /// `create_time` of the last contributing assistant node that has one.
    date: Option<Timestamp>,
    /// The last `finish_details.type` of a contributing assistant node.
    finish: Option<FinishReason>,
}

impl<'a> Turn<'a> {
    /// Adds a kept assistant or tool node; `false` when it brings nothing (it is `empty`).
    fn add(&mut self, id: &'a str, message: &'a Object, kind: Kind) -> bool {
        let mut added = if kind == Kind::Tool {
            self.add_tool(id, message)
        } else {
            self.add_assistant(id, message)
        };
        let found = attachments(message, std::mem::take(&mut self.assets));
        added |= !found.is_empty();
        self.attachments.extend(found);
        if !added {
            return false;
        }
        self.ids.push(id.to_string());
        if kind == Kind::Assistant {
            self.note_metadata(message);
        }
        true
    }

    /// Takes model, date and finish reason from a contributing assistant node.
    fn note_metadata(&mut self, message: &'a Object) {
        if let Some(model) = metadata_str(message, "model_slug") {
            self.model = Some(model);
        }
        if let Some(model) = metadata_str(message, "default_model_slug") {
            self.default_model = Some(model);
        }
        if let Some(date) = parse_time(message.get("create_time")) {
            self.date = Some(date);
        }
        let finish = metadata(message)
            .and_then(|m| m.get("finish_details"))
            .and_then(|f| f.get("type"))
            .and_then(Value::as_str);
        if let Some(finish) = finish {
            self.finish = Some(finish_reason(finish));
        }
    }

    /// An assistant node: reasoning, text to everyone, a tool call, or raw content.
    fn add_assistant(&mut self, id: &'a str, message: &'a Object) -> bool {
        let Some((value, content)) = content(message) else {
            return false;
        };
        let kind = object_str(content, "content_type");
        if kind == Some("thoughts") {
            return self.add_thoughts(content);
        }
        let recipient = message
            .get("recipient")
            .and_then(Value::as_str)
            .unwrap_or("all");
        if recipient != "all" {
            self.add_call(id, recipient, content);
            return true;
        }
        match kind {
            Some("text" | "multimodal_text") => self.add_parts(id, content),
            Some("code") => {
                let text = object_str(content, "text").unwrap_or("");
                push_joined(&mut self.text, text, "\n\n");
                !text.is_empty()
            }
            other => {
                self.raw.push(Kept {
                    kind: other.unwrap_or("content"),
                    node: id,
                    payload: value,
                });
                true
            }
        }
    }

    /// A `thoughts` content: the non-empty thought texts become reasoning.
    fn add_thoughts(&mut self, content: &Object) -> bool {
        let thoughts = content.get("thoughts").and_then(Value::as_array);
        let mut added = false;
        for thought in thoughts.into_iter().flatten() {
            let text = thought.get("content").and_then(Value::as_str).unwrap_or("");
            push_joined(&mut self.reasoning, text, "\n\n");
            added |= !text.is_empty();
        }
        added
    }

    /// Text and multimodal parts: strings to the text, pointers to the attachments, other parts
    /// to raw. Returns whether anything was added.
    fn add_parts(&mut self, id: &'a str, content: &'a Object) -> bool {
        let parts = parse_parts(content, id);
        let added = !parts.text.is_empty() || !parts.assets.is_empty() || !parts.raw.is_empty();
        push_joined(&mut self.text, &parts.text, "\n\n");
        self.assets.extend(parts.assets);
        self.raw.extend(parts.raw);
        added
    }

    /// An assistant node addressed to a tool: a call with the node's text as input.
    fn add_call(&mut self, id: &'a str, recipient: &str, content: &'a Object) {
        let input = match object_str(content, "content_type") {
            Some("text" | "multimodal_text") => {
                let parts = parse_parts(content, id);
                self.assets.extend(parts.assets);
                self.raw.extend(parts.raw);
                Value::String(parts.text)
            }
            Some("code") => Value::String(object_str(content, "text").unwrap_or("").to_string()),
            _ => match object_str(content, "text") {
                Some(text) => Value::String(text.to_string()),
                None => Value::Object(content.clone()),
            },
        };
        self.pending.push(self.calls.len());
        self.calls.push(ToolCall {
            id: None,
            name: Some(recipient.to_string()),
            input,
            output: None,
            is_error: false,
        });
    }

    /// A tool node: the output of the latest pending call, or of a new call named by the author.
    fn add_tool(&mut self, id: &'a str, message: &'a Object) -> bool {
        let Some((value, content)) = content(message) else {
            return false;
        };
        let mut is_error = false;
        let output = match object_str(content, "content_type") {
            Some("execution_output" | "tether_quote" | "sonic_webpage") => {
                object_str(content, "text").unwrap_or("").to_string()
            }
            Some("text" | "multimodal_text") => {
                let parts = parse_parts(content, id);
                self.assets.extend(parts.assets);
                self.raw.extend(parts.raw);
                parts.text
            }
            Some("tether_browsing_display") => ["result", "summary"]
                .iter()
                .find_map(|k| object_str(content, k).filter(|s| !s.is_empty()))
                .unwrap_or("")
                .to_string(),
            Some("system_error") => {
                is_error = true;
                object_str(content, "text").unwrap_or("").to_string()
            }
            other => {
                self.raw.push(Kept {
                    kind: other.unwrap_or("content"),
                    node: id,
                    payload: value,
                });
                return true;
            }
        };
        let status = metadata(message)
            .and_then(|m| m.get("aggregate_result"))
            .and_then(|r| r.get("status"))
            .filter(|s| !s.is_null());
        is_error |= status.is_some_and(|s| s.as_str() != Some("success"));
        let index = self.pending.pop().unwrap_or_else(|| {
            self.calls.push(ToolCall {
                id: None,
                name: message
                    .get("author")
                    .and_then(|a| a.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                input: Value::Null,
                output: None,
                is_error: false,
            });
            self.calls.len() - 1
        });
        if let Some(call) = self.calls.get_mut(index) {
            call.output = Some(output);
            call.is_error = is_error;
        }
        true
    }

    /// The model: the last `model_slug`, else the last `default_model_slug`, else the
    /// conversation's.
    fn model(&self, conversation_default: Option<&str>) -> Option<String> {
        self.model
            .or(self.default_model)
            .or(conversation_default)
            .map(str::to_string)
    }

    /// The turn as an assistant message (its raw content copied out of the mapping).
    fn into_message(self, conversation_default: Option<&str>) -> Message {
        let mut out = Message::new(Role::Assistant, String::new());
        out.model = self.model(conversation_default);
        out.text = self.text;
        out.date = self.date;
        out.ids = self.ids;
        out.finish_reason = self.finish;
        out.reasoning = (!self.reasoning.is_empty()).then_some(self.reasoning);
        out.tool_calls = self.calls;
        out.attachments = self.attachments;
        out.raw = self.raw.into_iter().map(Kept::to_raw).collect();
        out
    }
}

/// An assistant run on the active path: its first kept node and the message it gave.
struct Run<'a> {
    /// The first node of the run that passed the skip rules.
    first: &'a str,
    /// The index of its message, `None` when the run had nothing to show.
    message: Option<usize>,
}

/// One conversation's mapping.
struct Tree<'a> {
    /// The nodes by id.
    mapping: &'a Object,
    /// The conversation's `default_model_slug`.
    default_model: Option<&'a str>,
}

impl<'a> Tree<'a> {
    /// The mapping's own key for `id` and its node, when the node is present.
    fn entry(&self, id: &str) -> Option<(&'a str, &'a Value)> {
        self.mapping
            .get_key_value(id)
            .filter(|(_, node)| node.is_object())
            .map(|(key, node)| (key.as_str(), node))
    }

    /// The node with this id.
    fn node(&self, id: &str) -> Option<&'a Value> {
        self.entry(id).map(|(_, node)| node)
    }

    /// Whether the node is a user message (by its author role).
    fn is_user(&self, id: &str) -> bool {
        self.node(id)
            .and_then(message)
            .and_then(role)
            .is_some_and(|r| r == "user")
    }

    /// Imports the active branch into `out`.
    fn import(&self, current_node: Option<&str>, out: &mut Conversation) {
        let Some(leaf) = self.leaf(current_node, &mut out.notes) else {
            return;
        };
        let path = self.path(leaf, &mut out.notes);
        let runs = self.messages(&path, out);
        self.branches(&path, &runs, out);
    }

    /// The active leaf: `current_node` when it names a node, else the newest leaf (with a
    /// `current_node_fallback` note).
    fn leaf(&self, current_node: Option<&str>, notes: &mut Vec<Note>) -> Option<&'a str> {
        if let Some((key, _)) = current_node.and_then(|id| self.entry(id)) {
            return Some(key);
        }
        let chosen = self
            .newest(|node| !children(node).any(|c| self.node(c).is_some()))
            .or_else(|| self.newest(|_| true))?;
        notes.push(Note::new(
            chosen.to_string(),
            NoteReason::CurrentNodeFallback,
        ));
        Some(chosen)
    }

    /// The node with a message that passes `filter` and has the newest `create_time` (null is
    /// oldest; on a tie, the later one in mapping order).
    fn newest(&self, filter: impl Fn(&Value) -> bool) -> Option<&'a str> {
        let mut best: Option<(&'a str, Option<f64>)> = None;
        for (id, node) in self.mapping {
            let Some(message) = message(node) else {
                continue;
            };
            if !filter(node) {
                continue;
            }
            let time = time_key(message.get("create_time"));
            if best.is_none_or(|(_, t)| time >= t) {
                best = Some((id.as_str(), time));
            }
        }
        best.map(|(id, _)| id)
    }

    /// The path from the root (or the first node whose parent is missing or repeats) to the
    /// leaf.
    fn path(&self, leaf: &'a str, notes: &mut Vec<Note>) -> Vec<&'a str> {
        let mut path = vec![leaf];
        let mut seen = HashSet::from([leaf]);
        let mut current = leaf;
        while let Some(parent) = self.node(current).and_then(parent_of) {
            let Some((parent, _)) = self.entry(parent) else {
                notes.push(Note::new(current.to_string(), NoteReason::MissingParent));
                break;
            };
            if !seen.insert(parent) {
                notes.push(Note::new(parent.to_string(), NoteReason::ParentCycle));
                break;
            }
            path.push(parent);
            current = parent;
        }
        path.reverse();
        path
    }

    /// Builds the messages of the path; returns its assistant runs.
    fn messages(&self, path: &[&'a str], out: &mut Conversation) -> Vec<Run<'a>> {
        let mut runs = Vec::new();
        let mut turn: Option<(&'a str, Turn<'a>)> = None;
        for &id in path {
            let Some(message) = self.node(id).and_then(message) else {
                continue;
            };
            match classify(message) {
                Err(reason) => out.skipped.push(Skipped::new(id.to_string(), reason)),
                Ok(Kind::User) => {
                    if let Some((first, t)) = turn.take() {
                        runs.push(self.finish_turn(first, t, out));
                    }
                    let m = user_message(id, message);
                    if m.is_empty() {
                        out.skipped
                            .push(Skipped::new(id.to_string(), SkipReason::Empty));
                    } else {
                        if !m.raw.is_empty() {
                            out.notes
                                .push(Note::new(id.to_string(), NoteReason::KeptRaw));
                        }
                        out.messages.push(m);
                    }
                }
                Ok(kind) => {
                    let (_, t) = turn.get_or_insert_with(|| (id, Turn::default()));
                    if !t.add(id, message, kind) {
                        out.skipped
                            .push(Skipped::new(id.to_string(), SkipReason::Empty));
                    }
                }
            }
        }
        if let Some((first, t)) = turn {
            runs.push(self.finish_turn(first, t, out));
        }
        runs
    }

    /// Ends an assistant run: its message when it has something to show.
    fn finish_turn(&self, first: &'a str, turn: Turn<'a>, out: &mut Conversation) -> Run<'a> {
        // The nodes whose content was kept raw, each once, in order.
        let mut seen = HashSet::new();
        let raw_nodes: Vec<&str> = turn
            .raw
            .iter()
            .map(|k| k.node)
            .filter(|n| seen.insert(*n))
            .collect();
        let message = turn.into_message(self.default_model);
        if message.is_empty() {
            return Run {
                first,
                message: None,
            };
        }
        for node in raw_nodes {
            out.notes
                .push(Note::new(node.to_string(), NoteReason::KeptRaw));
        }
        out.messages.push(message);
        Run {
            first,
            message: Some(out.messages.len() - 1),
        }
    }

    /// Reports the branches off the path and turns regenerated answers into alternatives.
    fn branches(&self, path: &[&'a str], runs: &[Run<'a>], out: &mut Conversation) {
        let on_path: HashSet<&str> = path.iter().copied().collect();
        let run_starts: HashMap<&str, Option<usize>> =
            runs.iter().map(|r| (r.first, r.message)).collect();
        let mut reported = HashSet::new();
        // The nodes walked for alternatives, shared by all the walks: each node is walked once
        // however many siblings lead to it.
        let mut walked = HashSet::new();
        for (i, &id) in path.iter().enumerate() {
            let Some(node) = self.node(id) else {
                continue;
            };
            let next = path.get(i + 1).copied();
            let answer = next.and_then(|n| run_starts.get(n).copied().flatten());
            let mut alternatives = Vec::new();
            let mut selected = 0;
            for child in children(node) {
                if Some(child) == next {
                    selected = alternatives.len();
                    continue;
                }
                if on_path.contains(child) || !reported.insert(child) {
                    continue;
                }
                let Some((child, _)) = self.entry(child) else {
                    out.skipped
                        .push(Skipped::new(child.to_string(), SkipReason::MissingNode));
                    continue;
                };
                let alternative = answer
                    .filter(|_| !self.is_user(child))
                    .and_then(|_| self.alternative(child, &mut walked));
                match alternative {
                    Some(alt) => alternatives.push(alt),
                    None => out
                        .skipped
                        .push(Skipped::new(child.to_string(), SkipReason::InactiveBranch)),
                }
            }
            if let Some(index) = answer
                && !alternatives.is_empty()
                && let Some(m) = out.messages.get_mut(index)
            {
                m.selected_index = selected;
                for (text, detail) in alternatives {
                    m.alternatives.push(text);
                    m.alternatives_detail.push(detail);
                }
            }
        }
    }

    /// The answer a sibling branch holds: down through the last present child whose `parent` is
    /// the node, stopping before a user node, with the same rules. `None` when it has no text.
    /// A node already in `walked` ends the walk, so a chain that several siblings list as their
    /// child is walked once.
    fn alternative(
        &self,
        start: &'a str,
        walked: &mut HashSet<&'a str>,
    ) -> Option<(String, AlternativeDetail)> {
        let mut turn = Turn::default();
        let mut current = start;
        while walked.insert(current) {
            let node = self.node(current)?;
            if let Some(message) = message(node)
                && let Ok(kind) = classify(message)
                && kind != Kind::User
            {
                turn.add(current, message, kind);
            }
            let Some(next) = self.last_child(current, node) else {
                break;
            };
            if self.is_user(next) {
                break;
            }
            current = next;
        }
        if turn.text.is_empty() {
            return None;
        }
        let detail = AlternativeDetail {
            model: turn.model(self.default_model),
            date: turn.date,
            finish_reason: turn.finish,
            ids: turn.ids,
        };
        Some((turn.text, detail))
    }

    /// The last child of the node `id` that is present in the mapping and names `id` as its
    /// parent.
    fn last_child(&self, id: &str, node: &Value) -> Option<&'a str> {
        let list = node.get("children").and_then(Value::as_array)?;
        list.iter().rev().filter_map(Value::as_str).find_map(|c| {
            self.entry(c)
                .filter(|(_, child)| parent_of(child) == Some(id))
                .map(|(key, _)| key)
        })
    }
}

/// The id a node names as its parent.
fn parent_of(node: &Value) -> Option<&str> {
    node.get("parent").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A message object with a role, a content and no time.
    fn msg(role: &str, content: Value) -> Value {
        let base = json!({
            "author": {"role": role, "name": null, "metadata": {}},
            "create_time": null,
            "weight": 1.0,
            "metadata": {},
            "recipient": "all"
        });
        with(base, "content", content)
    }

    /// A `text` content.
    fn text(s: &str) -> Value {
        json!({"content_type": "text", "parts": [s]})
    }

    /// `message` with `key` set to `value`.
    fn with(mut message: Value, key: &str, value: Value) -> Value {
        if let Some(o) = message.as_object_mut() {
            o.insert(key.to_string(), value);
        }
        message
    }

    /// A conversation from `(id, parent, children, message)` nodes, in mapping order.
    fn conv(nodes: &[(&str, Option<&str>, &[&str], Value)], current: Option<&str>) -> Conversation {
        let mut mapping = Map::new();
        for (id, parent, kids, message) in nodes {
            mapping.insert(
                (*id).to_string(),
                json!({"id": id, "message": message, "parent": parent, "children": kids}),
            );
        }
        conversation(&json!({
            "title": "t",
            "create_time": 1_700_000_000.5,
            "mapping": mapping,
            "current_node": current,
            "conversation_id": "c1",
            "default_model_slug": "gpt-4o"
        }))
    }

    #[test]
    fn a_parent_cycle_stops_before_the_repeated_node() {
        let c = conv(
            &[
                ("a", Some("b"), &["b"], msg("user", text("question"))),
                ("b", Some("a"), &["a"], msg("assistant", text("answer"))),
            ],
            Some("b"),
        );
        assert_eq!(
            c.sorted_note_pairs(),
            vec![(Some("b"), NoteReason::ParentCycle)]
        );
        let texts: Vec<_> = c.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["question", "answer"]);
        assert_eq!(c.messages[1].ids, ["b"]);
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn a_self_parent_terminates() {
        let c = conv(
            &[("a", Some("a"), &["a"], msg("user", text("hi")))],
            Some("a"),
        );
        assert_eq!(
            c.sorted_note_pairs(),
            vec![(Some("a"), NoteReason::ParentCycle)]
        );
        assert_eq!(c.messages.len(), 1);
        assert_eq!(c.messages[0].text, "hi");
    }

    #[test]
    fn a_missing_parent_is_noted_on_the_orphan() {
        let c = conv(
            &[("a", Some("gone"), &[], msg("user", text("hi")))],
            Some("a"),
        );
        assert_eq!(
            c.sorted_note_pairs(),
            vec![(Some("a"), NoteReason::MissingParent)]
        );
        assert_eq!(c.messages[0].ids, ["a"]);
    }

    #[test]
    fn current_node_fallback_picks_the_newest_leaf() {
        let old = with(msg("assistant", text("old")), "create_time", json!(100.0));
        let new = with(msg("assistant", text("new")), "create_time", json!(200.0));
        let inner = with(msg("user", text("q")), "create_time", json!(900.0));
        let c = conv(
            &[
                ("root", None, &["q"], Value::Null),
                ("q", Some("root"), &["new", "old", "ghost"], inner),
                ("new", Some("q"), &[], new),
                ("old", Some("q"), &[], old),
            ],
            Some("not-there"),
        );
        assert_eq!(
            c.sorted_note_pairs(),
            vec![(Some("new"), NoteReason::CurrentNodeFallback)]
        );
        assert_eq!(c.messages.len(), 2);
        assert_eq!(c.messages[1].text, "new");
        assert_eq!(c.messages[1].alternatives, ["old"]);
        assert_eq!(c.messages[1].selected_index, 0);
        assert_eq!(
            c.sorted_skipped_pairs(),
            vec![(Some("ghost"), SkipReason::MissingNode)]
        );
    }

    #[test]
    fn current_node_fallback_on_a_tie_takes_the_later_node_and_null_is_oldest() {
        let a = with(msg("assistant", text("a")), "create_time", json!(5.0));
        let b = with(msg("assistant", text("b")), "create_time", json!(5.0));
        let n = msg("assistant", text("n"));
        let c = conv(
            &[
                ("root", None, &["a", "b", "n"], Value::Null),
                ("a", Some("root"), &[], a),
                ("b", Some("root"), &[], b),
                ("n", Some("root"), &[], n),
            ],
            None,
        );
        assert_eq!(
            c.sorted_note_pairs(),
            vec![(Some("b"), NoteReason::CurrentNodeFallback)]
        );
        assert_eq!(c.messages[0].ids, ["b"]);
    }

    #[test]
    fn current_node_fallback_without_a_leaf_takes_any_message() {
        let a = with(msg("user", text("a")), "create_time", json!(1.0));
        let b = with(msg("assistant", text("b")), "create_time", json!(2.0));
        let c = conv(
            &[("a", Some("b"), &["b"], a), ("b", Some("a"), &["a"], b)],
            None,
        );
        assert_eq!(
            c.sorted_note_pairs(),
            vec![
                (Some("b"), NoteReason::CurrentNodeFallback),
                (Some("b"), NoteReason::ParentCycle)
            ]
        );
        assert_eq!(c.messages.len(), 2);
    }

    #[test]
    fn a_tool_node_without_a_pending_call_adds_one_named_by_its_author() {
        let tool = json!({
            "author": {"role": "tool", "name": "dalle.text2im", "metadata": {}},
            "create_time": null,
            "content": {"content_type": "multimodal_text", "parts": [
                {"content_type": "image_asset_pointer", "asset_pointer": "sediment://file_1",
                 "size_bytes": 7},
                "done"
            ]},
            "weight": 1.0,
            "metadata": {"aggregate_result": {"status": "failed"}},
            "recipient": "all"
        });
        let c = conv(
            &[
                ("u", None, &["t"], msg("user", text("draw"))),
                ("t", Some("u"), &[], tool),
            ],
            Some("t"),
        );
        let m = &c.messages[1];
        assert_eq!(m.role, Role::Assistant);
        assert_eq!(m.text, "");
        assert_eq!(m.ids, ["t"]);
        assert_eq!(m.model.as_deref(), Some("gpt-4o"));
        assert_eq!(
            m.tool_calls,
            vec![ToolCall {
                id: None,
                name: Some("dalle.text2im".to_string()),
                input: Value::Null,
                output: Some("done".to_string()),
                is_error: true,
            }]
        );
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].kind, AttachmentKind::Image);
        assert_eq!(m.attachments[0].reference.as_deref(), Some("file_1"));
        assert_eq!(m.attachments[0].size, Some(7));
    }

    #[test]
    fn an_unknown_tool_output_is_raw_and_leaves_the_call_pending() {
        let call = with(
            msg(
                "assistant",
                json!({"content_type": "code", "language": "unknown", "text": "1/0"}),
            ),
            "recipient",
            json!("python"),
        );
        let odd = msg("tool", json!({"content_type": "mystery", "x": 1}));
        let err = msg(
            "tool",
            json!({"content_type": "system_error", "name": "x", "text": "boom"}),
        );
        let c = conv(
            &[
                ("u", None, &["a"], msg("user", text("run it"))),
                ("a", Some("u"), &["t1"], call),
                ("t1", Some("a"), &["t2"], odd),
                ("t2", Some("t1"), &[], err),
            ],
            Some("t2"),
        );
        let m = &c.messages[1];
        assert_eq!(m.ids, ["a", "t1", "t2"]);
        assert_eq!(m.tool_calls.len(), 1);
        assert_eq!(m.tool_calls[0].name.as_deref(), Some("python"));
        assert_eq!(m.tool_calls[0].input, json!("1/0"));
        assert_eq!(m.tool_calls[0].output.as_deref(), Some("boom"));
        assert!(m.tool_calls[0].is_error);
        assert_eq!(m.raw.len(), 1);
        assert_eq!(m.raw[0].kind, "mystery");
        assert_eq!(m.raw[0].node.as_deref(), Some("t1"));
        assert_eq!(m.raw[0].payload, json!({"content_type": "mystery", "x": 1}));
        assert_eq!(
            c.sorted_note_pairs(),
            vec![(Some("t1"), NoteReason::KeptRaw)]
        );
    }

    #[test]
    fn an_empty_active_answer_does_not_promote_its_alternatives() {
        let c = conv(
            &[
                ("u", None, &["alt", "a"], msg("user", text("q"))),
                (
                    "alt",
                    Some("u"),
                    &[],
                    msg("assistant", text("older answer")),
                ),
                ("a", Some("u"), &[], msg("assistant", text(""))),
            ],
            Some("a"),
        );
        assert_eq!(c.messages.len(), 1);
        assert_eq!(
            c.sorted_skipped_pairs(),
            vec![
                (Some("a"), SkipReason::Empty),
                (Some("alt"), SkipReason::InactiveBranch)
            ]
        );
    }

    #[test]
    fn alternatives_follow_the_last_child_and_stop_before_a_user_node() {
        let thought = msg(
            "assistant",
            json!({"content_type": "thoughts", "thoughts": [{"content": ""}]}),
        );
        let alt = with(
            with(msg("assistant", text("alt text")), "create_time", json!(50)),
            "metadata",
            json!({"default_model_slug": "o3", "finish_details": {"type": "interrupted"}}),
        );
        let c = conv(
            &[
                ("u", None, &["x", "a", "y"], msg("user", text("q"))),
                ("x", Some("u"), &["x2", "x1"], thought),
                ("x1", Some("x"), &["x3"], alt),
                (
                    "x2",
                    Some("x"),
                    &[],
                    msg("assistant", text("not the last child")),
                ),
                ("x3", Some("x1"), &[], msg("user", text("follow-up"))),
                ("a", Some("u"), &[], msg("assistant", text("active"))),
                ("y", Some("u"), &[], msg("assistant", text(""))),
            ],
            Some("a"),
        );
        let m = &c.messages[1];
        assert_eq!(m.alternatives, ["alt text"]);
        assert_eq!(m.selected_index, 1);
        assert_eq!(
            m.alternatives_detail,
            vec![AlternativeDetail {
                model: Some("o3".to_string()),
                date: parse_time(Some(&json!(50))),
                finish_reason: Some(FinishReason::Unknown),
                ids: vec!["x1".to_string()],
            }]
        );
        assert_eq!(
            c.sorted_skipped_pairs(),
            vec![(Some("y"), SkipReason::InactiveBranch)]
        );
    }

    #[test]
    fn siblings_sharing_one_long_chain_walk_it_once() {
        // 2,000 regenerations that all list the head of one 2,000-node chain as their child;
        // the chain names only the last of them as its parent.
        const SIBLINGS: usize = 2_000;
        const CHAIN: usize = 2_000;
        let mut mapping = Map::new();
        let mut add = |id: String, parent: &str, kids: Vec<String>, message: Value| {
            let node = json!({"id": id, "message": message, "parent": parent, "children": kids});
            mapping.insert(id, node);
        };
        let mut answers: Vec<String> = (0..SIBLINGS).map(|i| format!("s{i}")).collect();
        answers.push("a".to_string());
        add("u".to_string(), "", answers, msg("user", text("q")));
        for i in 0..SIBLINGS {
            let id = format!("s{i}");
            add(
                id,
                "u",
                vec!["c0".to_string()],
                msg("assistant", text("sibling")),
            );
        }
        let last_sibling = format!("s{}", SIBLINGS - 1);
        for i in 0..CHAIN {
            let parent = if i == 0 {
                last_sibling.clone()
            } else {
                format!("c{}", i - 1)
            };
            let kids = if i + 1 < CHAIN {
                vec![format!("c{}", i + 1)]
            } else {
                Vec::new()
            };
            add(
                format!("c{i}"),
                &parent,
                kids,
                msg("assistant", text("link")),
            );
        }
        add(
            "a".to_string(),
            "u",
            Vec::new(),
            msg("assistant", text("active")),
        );
        let c = conversation(&json!({"title": "t", "mapping": mapping, "current_node": "a"}));
        let m = &c.messages[1];
        assert_eq!(m.text, "active");
        assert_eq!(m.alternatives.len(), SIBLINGS);
        assert_eq!(m.selected_index, SIBLINGS);
        // Only the chain's own parent walks down it, and it does so once.
        let chained: Vec<usize> = m
            .alternatives_detail
            .iter()
            .map(|d| d.ids.len())
            .filter(|&n| n > 1)
            .collect();
        assert_eq!(chained, [1 + CHAIN]);
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn a_user_node_of_another_type_is_kept_raw() {
        let odd = json!({"content_type": "tether_browsing_display", "result": "r"});
        let c = conv(&[("u", None, &[], msg("user", odd.clone()))], Some("u"));
        let m = &c.messages[0];
        assert_eq!(m.text, "");
        assert_eq!(m.raw.len(), 1);
        assert_eq!(m.raw[0].kind, "tether_browsing_display");
        assert_eq!(m.raw[0].payload, odd);
        assert_eq!(
            c.sorted_note_pairs(),
            vec![(Some("u"), NoteReason::KeptRaw)]
        );
    }

    #[test]
    fn voice_parts_give_text_and_audio() {
        let content = json!({"content_type": "multimodal_text", "parts": [
            {"content_type": "audio_transcription", "text": "hello"},
            {"content_type": "audio_asset_pointer", "asset_pointer": "sediment://file_a",
             "size_bytes": 10},
            {"content_type": "real_time_user_audio_video_asset_pointer", "frames": []},
            "",
            "there"
        ]});
        let c = conv(&[("u", None, &[], msg("user", content))], Some("u"));
        let m = &c.messages[0];
        assert_eq!(m.text, "hello\nthere");
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].kind, AttachmentKind::Audio);
        assert_eq!(m.attachments[0].reference.as_deref(), Some("file_a"));
        assert_eq!(m.raw.len(), 1);
        assert_eq!(m.raw[0].kind, "real_time_user_audio_video_asset_pointer");
    }

    #[test]
    fn skip_rules_apply_in_order() {
        let hidden_system = with(
            msg("system", text("x")),
            "metadata",
            json!({"is_visually_hidden_from_conversation": true}),
        );
        let weightless = with(msg("assistant", text("x")), "weight", json!(0));
        let odd_role = msg("critic", text("x"));
        let recap = msg(
            "assistant",
            json!({"content_type": "reasoning_recap", "content": "Thought for 2 seconds"}),
        );
        let memory = msg(
            "assistant",
            json!({"content_type": "model_editable_context", "model_set_context": "m"}),
        );
        let c = conv(
            &[
                ("s", None, &["w"], hidden_system),
                ("w", Some("s"), &["o"], weightless),
                ("o", Some("w"), &["r"], odd_role),
                ("r", Some("o"), &["m"], recap),
                ("m", Some("r"), &["sys"], memory),
                ("sys", Some("m"), &[], msg("system", text("y"))),
            ],
            Some("sys"),
        );
        assert!(c.messages.is_empty());
        assert_eq!(
            c.sorted_skipped_pairs(),
            vec![
                (Some("m"), SkipReason::MemoryContext),
                (Some("o"), SkipReason::UnknownRole),
                (Some("r"), SkipReason::ReasoningRecap),
                (Some("s"), SkipReason::Hidden),
                (Some("sys"), SkipReason::System),
                (Some("w"), SkipReason::Hidden),
            ]
        );
    }

    #[test]
    fn the_model_falls_back_to_the_node_then_the_conversation() {
        let a = with(
            msg("assistant", text("a")),
            "metadata",
            json!({"model_slug": "gpt-4", "finish_details": {"type": "max_tokens"}}),
        );
        let b = with(
            msg("assistant", text("b")),
            "metadata",
            json!({"default_model_slug": "o1"}),
        );
        let c = conv(
            &[
                ("u", None, &["a"], msg("user", text("q"))),
                ("a", Some("u"), &["b"], a),
                ("b", Some("a"), &["u2"], b),
                ("u2", Some("b"), &["c"], msg("user", text("q2"))),
                ("c", Some("u2"), &[], msg("assistant", text("c"))),
            ],
            Some("c"),
        );
        assert_eq!(c.messages[1].text, "a\n\nb");
        assert_eq!(c.messages[1].model.as_deref(), Some("gpt-4"));
        assert_eq!(c.messages[1].finish_reason, Some(FinishReason::Length));
        assert_eq!(c.messages[3].model.as_deref(), Some("gpt-4o"));
        assert_eq!(c.messages[3].finish_reason, None);
    }

    #[test]
    fn whole_conversation_skips() {
        let not_object = conversation(&json!(3));
        assert_eq!(not_object.title, None);
        assert_eq!(
            not_object.sorted_skipped_pairs(),
            vec![(None, SkipReason::NotAnObject)]
        );
        let no_mapping = conversation(&json!({"title": " ", "id": "x"}));
        assert_eq!(no_mapping.title.as_deref(), Some("Conversation x"));
        assert_eq!(no_mapping.id.as_deref(), Some("x"));
        assert_eq!(
            no_mapping.sorted_skipped_pairs(),
            vec![(None, SkipReason::NoMapping)]
        );
        let empty = conversation(&json!({
            "title": "t",
            "mapping": {"root": {"message": null, "parent": null, "children": []}}
        }));
        assert_eq!(
            empty.sorted_skipped_pairs(),
            vec![(None, SkipReason::EmptyConversation)]
        );
        assert!(empty.is_skipped());
    }

    #[test]
    fn shared_conversations_are_recognised() {
        assert!(is_shared_conversations(
            &json!({"id": "x", "title": "t", "is_anonymous": true})
        ));
        assert!(!is_shared_conversations(
            &json!({"is_anonymous": true, "mapping": {}})
        ));
        assert!(!is_shared_conversations(&json!([1])));
    }
}
