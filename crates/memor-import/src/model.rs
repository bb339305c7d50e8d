//! What an import yields: conversations as the source holds them, before memor's model.
//!
//! These types carry everything an export can say about a conversation (alternatives with their
//! metadata, tool calls, reasoning, attachment references, raw payloads), so nothing is lost
//! before [`Conversation::to_session`](crate::Conversation::to_session) decides what memor's
//! format can hold. They serialize to the JSON shape of the import conformance expectations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use memor_core::Role;

/// A time from the source, in UTC, truncated to the second.
pub type Timestamp = DateTime<Utc>;

/// One imported conversation, or the record of one that was skipped as a whole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// The source title (or `Conversation <id>` when it has none); `None` for an array entry
    /// that was not an object, or one skipped for its size before it was read.
    pub title: Option<String>,
    /// The source's conversation id.
    pub id: Option<String>,
    /// When the source says the conversation was created.
    #[serde(with = "opt_time")]
    pub created: Option<Timestamp>,
    /// The messages of the active branch, in order.
    pub messages: Vec<Message>,
    /// Source items that were not imported, with the reason. An entry whose `node` is `None`
    /// means the whole conversation was skipped.
    pub skipped: Vec<Skipped>,
    /// Facts worth knowing although nothing was lost (fallbacks, repairs, raw payloads kept).
    pub notes: Vec<Note>,
}

impl Conversation {
    /// Whether the whole conversation was skipped (no session comes from it).
    pub fn is_skipped(&self) -> bool {
        self.skipped.iter().any(|s| s.node.is_none())
    }
}

#[cfg(test)]
impl Conversation {
    /// The `(node, reason)` pairs of the skipped entries, in order.
    pub(crate) fn skipped_pairs(&self) -> Vec<(Option<&str>, SkipReason)> {
        self.skipped
            .iter()
            .map(|s| (s.node.as_deref(), s.reason))
            .collect()
    }

    /// The `(node, reason)` pairs of the skipped entries, sorted so that they compare as a
    /// multiset.
    pub(crate) fn sorted_skipped_pairs(&self) -> Vec<(Option<&str>, SkipReason)> {
        let mut pairs = self.skipped_pairs();
        pairs.sort_unstable();
        pairs
    }

    /// The `(node, reason)` pairs of the notes, in order.
    pub(crate) fn note_pairs(&self) -> Vec<(Option<&str>, NoteReason)> {
        self.notes
            .iter()
            .map(|n| (n.node.as_deref(), n.reason))
            .collect()
    }

    /// The `(node, reason)` pairs of the notes, sorted so that they compare as a multiset.
    pub(crate) fn sorted_note_pairs(&self) -> Vec<(Option<&str>, NoteReason)> {
        let mut pairs = self.note_pairs();
        pairs.sort_unstable();
        pairs
    }
}

/// One message of an imported conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who speaks.
    pub role: Role,
    /// The visible text, exactly as in the source.
    pub text: String,
    /// The model that answered (assistant messages), when the source says.
    pub model: Option<String>,
    /// When the source says the message was written.
    #[serde(with = "opt_time")]
    pub date: Option<Timestamp>,
    /// The texts of the other candidate answers (regenerations), in source order.
    pub alternatives: Vec<String>,
    /// Source ids of everything merged into this message, in path order.
    pub ids: Vec<String>,
    /// Position of this answer among all candidates (the alternatives with it inserted).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub selected_index: usize,
    /// Metadata of each alternative, parallel to `alternatives`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives_detail: Vec<AlternativeDetail>,
    /// Why generation stopped, in memor's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// The token count the source gives for this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u64>,
    /// Sampling temperature the source gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling setting the source gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Top-k sampling setting the source gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<f64>,
    /// The model's reasoning text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    /// Calls the assistant made during this turn, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// Attachment references (bytes are never inlined).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Content the importer does not understand, kept verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raw: Vec<Raw>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Message {
    /// Appends a piece of reasoning, pieces joined by a blank line; an empty piece adds nothing.
    pub(crate) fn push_reasoning(&mut self, text: &str) {
        if !text.is_empty() {
            crate::util::push_joined(self.reasoning.get_or_insert_default(), text, "\n\n");
        }
    }

    /// Adds `count` output tokens.
    pub(crate) fn add_tokens(&mut self, count: u64) {
        self.tokens = Some(self.tokens.unwrap_or(0).saturating_add(count));
    }

    /// A message with only a role and text; every other field at its default.
    pub fn new(role: Role, text: impl Into<String>) -> Self {
        Message {
            role,
            text: text.into(),
            model: None,
            date: None,
            alternatives: Vec::new(),
            ids: Vec::new(),
            selected_index: 0,
            alternatives_detail: Vec::new(),
            finish_reason: None,
            tokens: None,
            temperature: None,
            top_p: None,
            top_k: None,
            reasoning: None,
            tool_calls: Vec::new(),
            attachments: Vec::new(),
            raw: Vec::new(),
        }
    }

    /// Whether the message has nothing to show: no text, reasoning, tool call, attachment or
    /// raw payload.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
            && self.reasoning.as_deref().is_none_or(str::is_empty)
            && self.tool_calls.is_empty()
            && self.attachments.is_empty()
            && self.raw.is_empty()
    }
}

/// Why generation stopped, in memor's vocabulary.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FinishReason {
    /// The model ended its answer.
    Stop,
    /// The output limit was reached.
    Length,
    /// The model stopped to call tools.
    ToolCalls,
    /// A safety filter stopped it.
    ContentFilter,
    /// Generation failed.
    Error,
    /// Any other reason.
    Unknown,
}

/// The metadata of one alternative answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlternativeDetail {
    /// The model that wrote it.
    pub model: Option<String>,
    /// When it was written.
    #[serde(with = "opt_time")]
    pub date: Option<Timestamp>,
    /// Why its generation stopped.
    pub finish_reason: Option<FinishReason>,
    /// Its source ids.
    pub ids: Vec<String>,
}

/// A call the assistant made to a tool.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The source's call id.
    pub id: Option<String>,
    /// The tool's name.
    pub name: Option<String>,
    /// What was sent to the tool: a string (code, text) or a JSON value.
    pub input: serde_json::Value,
    /// What came back, when something did.
    pub output: Option<String>,
    /// Whether the tool reported an error.
    pub is_error: bool,
}

/// The kind of an attachment.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum AttachmentKind {
    /// A picture.
    Image,
    /// Sound.
    Audio,
    /// A video.
    Video,
    /// Any other file.
    File,
}

impl AttachmentKind {
    /// The kind a MIME type names: `image/`, `audio/`, `video/`, else a file.
    pub fn from_mime(mime: Option<&str>) -> Self {
        match mime {
            Some(m) if m.starts_with("image/") => AttachmentKind::Image,
            Some(m) if m.starts_with("audio/") => AttachmentKind::Audio,
            Some(m) if m.starts_with("video/") => AttachmentKind::Video,
            _ => AttachmentKind::File,
        }
    }
}

/// A reference to an attached file; its bytes are never inlined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// What it is.
    pub kind: AttachmentKind,
    /// The key to find the bytes elsewhere (a file or asset id).
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// The file name.
    pub name: Option<String>,
    /// The MIME type.
    pub mime: Option<String>,
    /// The size in bytes.
    pub size: Option<u64>,
    /// Text the source extracted from the file.
    pub text: Option<String>,
}

impl Attachment {
    /// An attachment of `kind` with every other field unknown.
    pub fn new(kind: AttachmentKind) -> Self {
        Attachment {
            kind,
            reference: None,
            name: None,
            mime: None,
            size: None,
            text: None,
        }
    }

    /// An attachment of the kind its MIME type names (`image/`, `audio/`, `video/`, else a
    /// file), with that MIME type and every other field unknown.
    pub fn with_mime(mime: Option<&str>) -> Self {
        Attachment {
            mime: mime.map(str::to_string),
            ..Attachment::new(AttachmentKind::from_mime(mime))
        }
    }
}

/// Content of a kind the importer does not understand, kept verbatim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Raw {
    /// The source's type name for it (a content type, `part`, `chunk`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The source id of the node it belongs to.
    pub node: Option<String>,
    /// The source JSON value.
    pub payload: serde_json::Value,
}

impl Raw {
    /// The payload of source type `kind`, belonging to `node`.
    pub fn new(
        kind: impl Into<String>,
        node: impl Into<Option<String>>,
        payload: serde_json::Value,
    ) -> Self {
        Raw {
            kind: kind.into(),
            node: node.into(),
            payload,
        }
    }
}

/// A source item that was not imported.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Skipped {
    /// The source id of the item; `None` for the whole conversation.
    pub node: Option<String>,
    /// Why.
    pub reason: SkipReason,
}

impl Skipped {
    /// The item `node` (`None`: the whole conversation), not imported for `reason`.
    pub fn new(node: impl Into<Option<String>>, reason: SkipReason) -> Self {
        Skipped {
            node: node.into(),
            reason,
        }
    }
}

/// A fact the report states although nothing was lost.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Note {
    /// The source id it is about; `None` for the whole conversation.
    pub node: Option<String>,
    /// What.
    pub reason: NoteReason,
}

impl Note {
    /// A fact about `node` (`None`: the whole conversation).
    pub fn new(node: impl Into<Option<String>>, reason: NoteReason) -> Self {
        Note {
            node: node.into(),
            reason,
        }
    }
}

/// Why a source item was not imported.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// Flagged hidden, or weight 0 (ChatGPT).
    Hidden,
    /// An internal system message (ChatGPT).
    System,
    /// The user's custom instructions node (ChatGPT).
    CustomInstructions,
    /// The model's memory node (ChatGPT).
    MemoryContext,
    /// "Thought for N seconds" UI text (ChatGPT).
    ReasoningRecap,
    /// Nothing to import.
    Empty,
    /// A role, sender or type the importer does not map.
    UnknownRole,
    /// The first node of a branch that is not the active one.
    InactiveBranch,
    /// A child id that is not in the mapping (ChatGPT).
    MissingNode,
    /// A message no root leads to (Claude).
    Unreachable,
    /// A `token_budget` block (Claude).
    UiState,
    /// An array entry that is not an object.
    NotAnObject,
    /// A Takeout record of another product.
    NotGemini,
    /// A Takeout record without a parsable time.
    BadTime,
    /// A Takeout record that is an event, not a prompt.
    ActivityEvent,
    /// An AI Studio chunk whose generation failed.
    GenerationError,
    /// An unsent AI Studio draft.
    Draft,
    /// A Gemini CLI info, warning or error record.
    CliNotice,
    /// A Gemini CLI message removed by a rewind.
    Rewound,
    /// A Gemini CLI log line that is not a JSON object.
    InvalidLine,
    /// A conversation without a mapping (ChatGPT).
    NoMapping,
    /// A conversation with no message.
    EmptyConversation,
    /// A conversation over the size cap.
    TooLarge,
}

/// A fact the report states.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum NoteReason {
    /// The active leaf was chosen by time because `current_node` did not name one (ChatGPT).
    CurrentNodeFallback,
    /// The parent chain came back on itself; the walk stopped before the repeat.
    ParentCycle,
    /// A parent id is not in the conversation.
    MissingParent,
    /// Content of an unknown kind was kept in `raw`.
    KeptRaw,
    /// An old export without parent links: ordered by index and time (Claude).
    NoParentLinks,
    /// The export never holds the attachment's bytes (Claude).
    AttachmentBytesAbsent,
    /// The export does not record which model answered.
    ModelUnknown,
    /// A prompt whose reply is empty (Takeout).
    MissingReply,
    /// Takeout conversations are grouped by time, not by the source.
    ProvisionalGrouping,
    /// A Takeout title with no known verb was kept whole as the prompt.
    TitleKeptWhole,
}

/// Serde for optional times as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) mod opt_time {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

    #[allow(clippy::ref_option)]
    pub(crate) fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.collect_str(&t.format(FORMAT)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| {
            chrono::NaiveDateTime::parse_from_str(&t, FORMAT)
                .map(|n| n.and_utc())
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}
