//! Claude.ai's `conversations.json`.
//!
//! Messages link to their parent through `parent_message_uuid`. The active path starts at the
//! messages under the (virtual) root and at each orphan (a message whose parent is not in the
//! export), and at each branching takes the candidate whose subtree holds the newest message.
//! Orphan segments are concatenated with the main one by time. Old exports without parent links
//! are ordered by `index` and time instead.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::model::{
    AlternativeDetail, Attachment, AttachmentKind, Conversation, FinishReason, Message, Note,
    NoteReason, Raw, Role, SkipReason, Skipped, Timestamp, ToolCall,
};
use crate::util::{
    join_non_empty, parse_time, str_field, take_list, take_str, title, whole_number,
};

/// The parent id Claude gives to the first messages of a conversation.
const ROOT_SENTINEL: &str = "00000000-0000-4000-8000-000000000000";

/// The Claude importer: each array element is one conversation, independent of the others.
#[derive(Default)]
pub(crate) struct Claude {}

impl crate::ArrayFormat for Claude {
    const WHAT: &'static str = "conversations";

    fn element(&mut self, value: Value, _index: usize) -> Option<Conversation> {
        Some(conversation(value))
    }
}

/// The skipped items and notes of one conversation, gathered while it is read.
#[derive(Default)]
struct Report {
    skipped: Vec<Skipped>,
    notes: Vec<Note>,
}

impl Report {
    /// Reports the item `node` as not imported.
    fn skip(&mut self, node: &str, reason: SkipReason) {
        self.skipped.push(Skipped::new(node.to_string(), reason));
    }

    /// Notes a fact about `node` (`None`: the conversation).
    fn note(&mut self, node: Option<&str>, reason: NoteReason) {
        self.notes.push(Note::new(node.map(str::to_string), reason));
    }
}

/// One message of `chat_messages` (the first entry with its uuid).
struct Node<'a> {
    /// Its `uuid`.
    uuid: &'a str,
    /// Its non-empty `parent_message_uuid`, the root sentinel included.
    parent: Option<&'a str>,
    /// Its `created_at`.
    time: Option<Timestamp>,
    /// Its position in `chat_messages`.
    entry: usize,
    /// Its `index` (old exports without parent links).
    index: Option<f64>,
}

/// One position of the active path: the chosen message and the candidates it won against, in
/// `chat_messages` order. While the path is chosen, indices are into the node list; the
/// messages are then read with positions in `chat_messages` (see [`Step::in_entries`]).
struct Step {
    chosen: usize,
    losers: Vec<usize>,
}

impl Step {
    /// The step with its node indices turned into positions in `chat_messages`.
    fn in_entries(self, nodes: &[Node<'_>]) -> Option<Step> {
        let entry = |i: usize| nodes.get(i).map(|n| n.entry);
        Some(Step {
            chosen: entry(self.chosen)?,
            losers: self.losers.into_iter().filter_map(entry).collect(),
        })
    }
}

/// One conversation (one element of the top-level array). Its messages are moved out of it, so
/// tool inputs, extracted file text and unknown blocks are kept without a copy.
fn conversation(mut value: Value) -> Conversation {
    if !value.is_object() {
        return Conversation {
            skipped: vec![Skipped::new(None, SkipReason::NotAnObject)],
            ..Conversation::default()
        };
    }
    let id = str_field(&value, "uuid");
    let mut out = Conversation {
        title: Some(title(str_field(&value, "name"), id)),
        id: id.map(str::to_string),
        created: parse_time(value.get("created_at")),
        ..Conversation::default()
    };
    let mut entries = take_list(&mut value, "chat_messages");
    if entries.is_empty() {
        out.skipped
            .push(Skipped::new(None, SkipReason::EmptyConversation));
        return out;
    }
    let mut report = Report::default();
    let nodes = nodes(&entries, &mut report);
    let steps = if nodes.iter().any(|n| n.parent.is_some()) {
        active_path(&nodes, &mut report)
    } else {
        report.note(None, NoteReason::NoParentLinks);
        by_index(&nodes)
    };
    let steps: Vec<Step> = steps
        .into_iter()
        .filter_map(|step| step.in_entries(&nodes))
        .collect();
    out.messages = messages(&mut entries, &steps, &mut report);
    if out.messages.iter().any(|m| m.role == Role::Assistant) {
        report.note(None, NoteReason::ModelUnknown);
    }
    out.skipped = report.skipped;
    out.notes = report.notes;
    out
}

/// The messages of `chat_messages`, in order: entries that are not objects with a non-empty
/// string `uuid` are reported `not_an_object` (node `#i`); a repeated uuid keeps its first entry.
fn nodes<'a>(entries: &'a [Value], report: &mut Report) -> Vec<Node<'a>> {
    let mut seen = HashSet::new();
    let mut nodes = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let Some(uuid) = str_field(entry, "uuid").filter(|u| !u.is_empty()) else {
            report
                .skipped
                .push(Skipped::new(format!("#{i}"), SkipReason::NotAnObject));
            continue;
        };
        if !seen.insert(uuid) {
            continue;
        }
        nodes.push(Node {
            uuid,
            parent: str_field(entry, "parent_message_uuid").filter(|p| !p.is_empty()),
            time: parse_time(entry.get("created_at")),
            entry: i,
            index: entry.get("index").and_then(Value::as_f64),
        });
    }
    nodes
}

/// The active path of a conversation with parent links: one segment from the virtual root and
/// one per orphan, ordered by the time of their first message (then position). Orphans are
/// noted `missing_parent`; messages no root leads to are skipped `unreachable`.
fn active_path(nodes: &[Node<'_>], report: &mut Report) -> Vec<Step> {
    let by_uuid: HashMap<&str, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.uuid, i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut top = Vec::new();
    let mut orphans = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        match node.parent.filter(|p| *p != ROOT_SENTINEL) {
            None => top.push(i),
            Some(parent) => {
                if let Some(list) = by_uuid.get(parent).and_then(|&p| children.get_mut(p)) {
                    list.push(i);
                } else {
                    report.note(Some(node.uuid), NoteReason::MissingParent);
                    orphans.push(i);
                }
            }
        }
    }
    let starts: Vec<usize> = top.iter().chain(&orphans).copied().collect();
    let newest = newest_in_subtrees(nodes, &children, &starts, report);
    let mut segments: Vec<Vec<Step>> = Vec::new();
    if !top.is_empty() {
        segments.push(walk(&top, nodes, &children, &newest));
    }
    for orphan in orphans {
        segments.push(walk(&[orphan], nodes, &children, &newest));
    }
    segments.sort_by_key(|segment| {
        segment
            .first()
            .map(|s| (nodes.get(s.chosen).and_then(|n| n.time), s.chosen))
    });
    segments.into_iter().flatten().collect()
}

/// For each node reachable from `starts`, the newest time in its subtree (its own included).
/// Nodes no start leads to (a parent cycle) are reported `unreachable`.
///
/// The reachable part is a forest (each node has one parent), so a breadth-first order lists
/// every parent before its children; walking it backwards computes each subtree once.
fn newest_in_subtrees(
    nodes: &[Node<'_>],
    children: &[Vec<usize>],
    starts: &[usize],
    report: &mut Report,
) -> Vec<Option<Timestamp>> {
    let mut reached = vec![false; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    for &start in starts {
        visit(start, &mut reached, &mut order);
    }
    let mut next = 0;
    while let Some(&node) = order.get(next) {
        next += 1;
        for &child in children.get(node).map_or(&[][..], Vec::as_slice) {
            visit(child, &mut reached, &mut order);
        }
    }
    let mut newest: Vec<Option<Timestamp>> = nodes.iter().map(|n| n.time).collect();
    for &node in order.iter().rev() {
        let below = children
            .get(node)
            .into_iter()
            .flatten()
            .filter_map(|&c| newest.get(c).copied().flatten())
            .max();
        if let Some(slot) = newest.get_mut(node) {
            *slot = (*slot).max(below);
        }
    }
    for (node, seen) in nodes.iter().zip(&reached) {
        if !seen {
            report.skip(node.uuid, SkipReason::Unreachable);
        }
    }
    newest
}

/// Marks `node` reached and queues it, unless it already was.
fn visit(node: usize, reached: &mut [bool], order: &mut Vec<usize>) {
    if let Some(seen) = reached.get_mut(node)
        && !*seen
    {
        *seen = true;
        order.push(node);
    }
}

/// One segment: from the candidates `start`, repeatedly take the best candidate and go on with
/// its children.
fn walk(
    start: &[usize],
    nodes: &[Node<'_>],
    children: &[Vec<usize>],
    newest: &[Option<Timestamp>],
) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut candidates = start;
    // The walk goes down a tree; the bound only guards against a malformed one.
    while steps.len() < nodes.len() {
        let Some(chosen) = choose(candidates, nodes, newest) else {
            break;
        };
        steps.push(Step {
            chosen,
            losers: candidates
                .iter()
                .copied()
                .filter(|&c| c != chosen)
                .collect(),
        });
        candidates = children.get(chosen).map_or(&[][..], Vec::as_slice);
    }
    steps
}

/// The candidate whose subtree holds the newest time; on a tie, the newest of its own, then the
/// later in `chat_messages` (a missing time is the oldest).
fn choose(candidates: &[usize], nodes: &[Node<'_>], newest: &[Option<Timestamp>]) -> Option<usize> {
    candidates.iter().copied().max_by_key(|&c| {
        (
            newest.get(c).copied().flatten(),
            nodes.get(c).and_then(|n| n.time),
            c,
        )
    })
}

/// The path of an export without parent links: every message, by `index` (missing last), then
/// `created_at`, then position. There is no branching.
fn by_index(nodes: &[Node<'_>]) -> Vec<Step> {
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| match (nodes.get(a), nodes.get(b)) {
        (Some(x), Some(y)) => compare_index(x.index, y.index)
            .then_with(|| x.time.cmp(&y.time))
            .then_with(|| a.cmp(&b)),
        _ => a.cmp(&b),
    });
    order
        .into_iter()
        .map(|chosen| Step {
            chosen,
            losers: Vec::new(),
        })
        .collect()
}

/// Orders `index` values ascending, missing ones last.
fn compare_index(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The messages of the path, with each step's losing candidates as alternatives or reported
/// `inactive_branch`. Steps hold positions in `chat_messages`; each chosen entry is moved out.
fn messages(entries: &mut [Value], steps: &[Step], report: &mut Report) -> Vec<Message> {
    let mut out = Vec::new();
    for step in steps {
        let Some(entry) = entries.get_mut(step.chosen).map(Value::take) else {
            continue;
        };
        match message(entry, report) {
            Some(mut message) => {
                if message.role == Role::Assistant {
                    add_alternatives(&mut message, step, entries, report);
                } else {
                    report_inactive(&step.losers, entries, report);
                }
                out.push(message);
            }
            // An empty or unknown answer does not promote its alternatives.
            None => report_inactive(&step.losers, entries, report),
        }
    }
    out
}

/// The `uuid` of a message entry.
fn uuid(entry: &Value) -> &str {
    str_field(entry, "uuid").unwrap_or_default()
}

/// Reports each of `losers` as the first node of an inactive branch.
fn report_inactive(losers: &[usize], entries: &[Value], report: &mut Report) {
    for entry in losers.iter().filter_map(|&l| entries.get(l)) {
        report.skip(uuid(entry), SkipReason::InactiveBranch);
    }
}

/// Adds the losing assistant candidates with text as alternatives of the chosen answer; the
/// other losers are inactive branches.
fn add_alternatives(message: &mut Message, step: &Step, entries: &[Value], report: &mut Report) {
    for &loser in &step.losers {
        let Some(entry) = entries.get(loser) else {
            continue;
        };
        let text = if str_field(entry, "sender") == Some("assistant") {
            text(entry)
        } else {
            String::new()
        };
        if text.is_empty() {
            report.skip(uuid(entry), SkipReason::InactiveBranch);
            continue;
        }
        if loser < step.chosen {
            message.selected_index += 1;
        }
        message.alternatives.push(text);
        message.alternatives_detail.push(AlternativeDetail {
            model: None,
            date: parse_time(entry.get("created_at")),
            finish_reason: finish_reason(entry),
            ids: vec![uuid(entry).to_string()],
        });
    }
}

/// One Claude message entry as a message, or `None` when it is skipped (`unknown_role`,
/// `empty`). Its blocks and attachments are moved into the message.
fn message(mut entry: Value, report: &mut Report) -> Option<Message> {
    let node = uuid(&entry).to_string();
    let role = match str_field(&entry, "sender") {
        Some("human") => Role::User,
        Some("assistant") => Role::Assistant,
        _ => {
            report.skip(&node, SkipReason::UnknownRole);
            return None;
        }
    };
    let mut message = Message::new(role, text(&entry));
    message.date = parse_time(entry.get("created_at"));
    if role == Role::Assistant {
        message.finish_reason = finish_reason(&entry);
    }
    read_blocks(
        take_list(&mut entry, "content"),
        &node,
        &mut message,
        report,
    );
    read_attachments(&mut entry, &node, &mut message, report);
    if !message.raw.is_empty() {
        report.note(Some(&node), NoteReason::KeptRaw);
    }
    if message.is_empty() {
        report.skip(&node, SkipReason::Empty);
        return None;
    }
    message.ids = vec![node];
    Some(message)
}

/// The `content` blocks of a message, when it is a non-empty list.
fn blocks(value: &Value) -> Option<&[Value]> {
    value
        .get("content")
        .and_then(Value::as_array)
        .filter(|b| !b.is_empty())
        .map(Vec::as_slice)
}

/// The visible text: the non-empty `text` blocks joined with `"\n\n"`; the flat `text` field only
/// when there are no blocks (with blocks, it may hold UI filler).
fn text(value: &Value) -> String {
    match blocks(value) {
        Some(blocks) => join_non_empty(
            blocks
                .iter()
                .filter(|b| str_field(b, "type") == Some("text"))
                .filter_map(|b| str_field(b, "text")),
            "\n\n",
        ),
        None => str_field(value, "text").unwrap_or_default().to_string(),
    }
}

/// Reads the non-text blocks: thinking, tool use and results, UI state and unknown kinds.
fn read_blocks(blocks: Vec<Value>, node: &str, message: &mut Message, report: &mut Report) {
    for mut block in blocks {
        match str_field(&block, "type") {
            Some("text") => {}
            Some("thinking") => {
                if let Some(thought) = str_field(&block, "thinking") {
                    message.push_reasoning(thought);
                }
            }
            Some("tool_use") => message.tool_calls.push(ToolCall {
                id: str_field(&block, "id").map(str::to_string),
                name: str_field(&block, "name").map(str::to_string),
                input: block.get_mut("input").map(Value::take).unwrap_or_default(),
                output: None,
                is_error: false,
            }),
            Some("tool_result") => tool_result(&mut block, &mut message.tool_calls),
            Some("token_budget") => report.skip(node, SkipReason::UiState),
            kind => {
                let kind = kind.unwrap_or("block").to_string();
                message.raw.push(Raw::new(kind, node.to_string(), block));
            }
        }
    }
}

/// A `tool_result` block: the output of the first pending call with its id, or a new call with
/// no input when none is pending. A string `content` is moved into the output; a list gives its
/// `text` items joined with `"\n"`, empty ones included (only separate messages drop empty
/// texts when joined). `display_content` is UI and ignored.
fn tool_result(block: &mut Value, calls: &mut Vec<ToolCall>) {
    let output = match block.get_mut("content") {
        Some(Value::String(s)) => std::mem::take(s),
        Some(Value::Array(items)) => items
            .iter()
            .filter(|i| str_field(i, "type") == Some("text"))
            .filter_map(|i| str_field(i, "text"))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    };
    let id = str_field(block, "tool_use_id");
    let is_error = block.get("is_error").and_then(Value::as_bool) == Some(true);
    let pending = calls
        .iter_mut()
        .find(|c| id.is_some() && c.id.as_deref() == id && c.output.is_none());
    match pending {
        Some(call) => {
            call.output = Some(output);
            call.is_error = is_error;
        }
        None => calls.push(ToolCall {
            id: id.map(str::to_string),
            name: str_field(block, "name").map(str::to_string),
            input: Value::Null,
            output: Some(output),
            is_error,
        }),
    }
}

/// `attachments[]` (files with extracted text) then `files[]` (uploads whose bytes the export
/// does not hold, each noted `attachment_bytes_absent`), moved out of the entry. Entries that
/// are not objects are kept raw.
fn read_attachments(value: &mut Value, node: &str, message: &mut Message, report: &mut Report) {
    for mut entry in take_list(value, "attachments") {
        if !entry.is_object() {
            message
                .raw
                .push(Raw::new("attachment", node.to_string(), entry));
            continue;
        }
        message.attachments.push(Attachment {
            name: take_str(&mut entry, "file_name"),
            mime: take_str(&mut entry, "file_type"),
            size: entry.get("file_size").and_then(whole_number),
            text: take_str(&mut entry, "extracted_content"),
            ..Attachment::new(AttachmentKind::File)
        });
    }
    for mut entry in take_list(value, "files") {
        if !entry.is_object() {
            message.raw.push(Raw::new("file", node.to_string(), entry));
            continue;
        }
        let kind = if str_field(&entry, "file_kind") == Some("image") {
            AttachmentKind::Image
        } else {
            AttachmentKind::File
        };
        message.attachments.push(Attachment {
            reference: take_str(&mut entry, "file_uuid"),
            name: take_str(&mut entry, "file_name"),
            ..Attachment::new(kind)
        });
        report.note(Some(node), NoteReason::AttachmentBytesAbsent);
    }
}

/// memor's finish reason for `stop_reason`; `None` when it is absent or null.
fn finish_reason(value: &Value) -> Option<FinishReason> {
    let reason = value.get("stop_reason").filter(|r| !r.is_null())?;
    Some(match reason.as_str() {
        Some("end_turn" | "stop_sequence") => FinishReason::Stop,
        Some("max_tokens") => FinishReason::Length,
        Some("tool_use") => FinishReason::ToolCalls,
        Some("refusal") => FinishReason::ContentFilter,
        _ => FinishReason::Unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A message entry with a text block.
    fn msg(uuid: &str, parent: &Value, sender: &str, text: &str, time: &str) -> Value {
        json!({
            "uuid": uuid,
            "text": "",
            "content": [{"type": "text", "text": text}],
            "sender": sender,
            "created_at": time,
            "parent_message_uuid": parent,
        })
    }

    fn conv(messages: &[Value]) -> Conversation {
        conversation(json!({
            "uuid": "c1",
            "name": "Test",
            "created_at": "2025-01-01T00:00:00Z",
            "chat_messages": messages,
        }))
    }

    fn texts(c: &Conversation) -> Vec<&str> {
        c.messages.iter().map(|m| m.text.as_str()).collect()
    }

    #[test]
    fn a_parent_cycle_is_unreachable_and_terminates() {
        let c = conv(&[
            msg(
                "a",
                &json!(ROOT_SENTINEL),
                "human",
                "hi",
                "2025-01-01T00:00:01Z",
            ),
            msg(
                "b",
                &json!("a"),
                "assistant",
                "hello",
                "2025-01-01T00:00:02Z",
            ),
            msg("x", &json!("y"), "human", "loop x", "2025-01-01T00:00:03Z"),
            msg(
                "y",
                &json!("x"),
                "assistant",
                "loop y",
                "2025-01-01T00:00:04Z",
            ),
            msg(
                "z",
                &json!("y"),
                "human",
                "below the loop",
                "2025-01-01T00:00:05Z",
            ),
            msg(
                "s",
                &json!("s"),
                "human",
                "own parent",
                "2025-01-01T00:00:06Z",
            ),
        ]);
        assert_eq!(texts(&c), ["hi", "hello"]);
        assert_eq!(
            c.sorted_skipped_pairs(),
            [
                (Some("s"), SkipReason::Unreachable),
                (Some("x"), SkipReason::Unreachable),
                (Some("y"), SkipReason::Unreachable),
                (Some("z"), SkipReason::Unreachable),
            ]
        );
        assert_eq!(c.sorted_note_pairs(), [(None, NoteReason::ModelUnknown)]);
    }

    #[test]
    fn the_newest_subtree_wins_over_the_newest_child() {
        let c = conv(&[
            msg("q", &json!(null), "human", "q", "2025-01-01T00:00:01Z"),
            msg(
                "a1",
                &json!("q"),
                "assistant",
                "first",
                "2025-01-01T00:00:02Z",
            ),
            msg(
                "a2",
                &json!("q"),
                "assistant",
                "second",
                "2025-01-01T00:00:03Z",
            ),
            msg("q2", &json!("a1"), "human", "more", "2025-01-01T00:00:09Z"),
        ]);
        assert_eq!(texts(&c), ["q", "first", "more"]);
        let answer = &c.messages[1];
        assert_eq!(answer.alternatives, ["second"]);
        assert_eq!(answer.selected_index, 0);
        assert_eq!(answer.alternatives_detail[0].ids, ["a2"]);
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn an_empty_active_answer_does_not_promote_alternatives() {
        let mut empty = msg("a2", &json!("q"), "assistant", "", "2025-01-01T00:00:05Z");
        empty["content"] = json!([]);
        let c = conv(&[
            msg(
                "q",
                &json!(ROOT_SENTINEL),
                "human",
                "q",
                "2025-01-01T00:00:01Z",
            ),
            msg(
                "a1",
                &json!("q"),
                "assistant",
                "old",
                "2025-01-01T00:00:02Z",
            ),
            empty,
        ]);
        assert_eq!(texts(&c), ["q"]);
        assert_eq!(
            c.sorted_skipped_pairs(),
            [
                (Some("a1"), SkipReason::InactiveBranch),
                (Some("a2"), SkipReason::Empty),
            ]
        );
        assert!(c.sorted_note_pairs().is_empty());
    }

    #[test]
    fn an_edited_first_message_is_an_inactive_branch() {
        let c = conv(&[
            msg(
                "q1",
                &json!(ROOT_SENTINEL),
                "human",
                "first try",
                "2025-01-01T00:00:01Z",
            ),
            msg(
                "q2",
                &json!(ROOT_SENTINEL),
                "human",
                "second try",
                "2025-01-01T00:00:02Z",
            ),
        ]);
        assert_eq!(texts(&c), ["second try"]);
        assert_eq!(
            c.sorted_skipped_pairs(),
            [(Some("q1"), SkipReason::InactiveBranch)]
        );
    }

    #[test]
    fn display_content_as_a_string_or_a_list_does_not_fail() {
        let mut m = msg(
            "a",
            &json!("q"),
            "assistant",
            "done",
            "2025-01-01T00:00:02Z",
        );
        m["content"] = json!([
            {"type": "tool_use", "id": "t1", "name": "x", "input": {"k": 1}, "display_content": "shown"},
            {"type": "tool_result", "tool_use_id": "t1", "content": "plain", "display_content": [{"type": "text"}]},
            {"type": "tool_result", "tool_use_id": "t9", "name": "y", "content": [{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}], "is_error": true, "display_content": {"odd": true}},
            {"type": "text", "text": "done"},
        ]);
        let c = conv(&[
            msg(
                "q",
                &json!(ROOT_SENTINEL),
                "human",
                "q",
                "2025-01-01T00:00:01Z",
            ),
            m,
        ]);
        let calls = &c.messages[1].tool_calls;
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].input, json!({"k": 1}));
        assert_eq!(calls[0].output.as_deref(), Some("plain"));
        assert!(!calls[0].is_error);
        assert_eq!(calls[1].id.as_deref(), Some("t9"));
        assert_eq!(calls[1].name.as_deref(), Some("y"));
        assert_eq!(calls[1].input, Value::Null);
        assert_eq!(calls[1].output.as_deref(), Some("a\nb"));
        assert!(calls[1].is_error);
    }

    #[test]
    fn flat_text_is_used_only_without_blocks() {
        let mut with_blocks = msg("a", &json!("q"), "assistant", "", "2025-01-01T00:00:02Z");
        with_blocks["text"] = json!("This block is not supported on your current device yet.");
        with_blocks["content"] = json!([{"type": "thinking", "thinking": "hmm"}]);
        let mut flat = msg(
            "q",
            &json!(ROOT_SENTINEL),
            "human",
            "",
            "2025-01-01T00:00:01Z",
        );
        flat["text"] = json!("from the flat field");
        flat["content"] = json!([]);
        let c = conv(&[flat, with_blocks]);
        assert_eq!(texts(&c), ["from the flat field", ""]);
        assert_eq!(c.messages[1].reasoning.as_deref(), Some("hmm"));
    }

    #[test]
    fn orphan_segments_are_ordered_by_time_then_position() {
        let c = conv(&[
            msg(
                "late",
                &json!("gone-1"),
                "human",
                "late",
                "2025-01-01T00:00:09Z",
            ),
            msg(
                "main",
                &json!(ROOT_SENTINEL),
                "human",
                "main",
                "2025-01-01T00:00:05Z",
            ),
            msg(
                "early",
                &json!("gone-2"),
                "human",
                "early",
                "2025-01-01T00:00:01Z",
            ),
            msg("untimed", &json!("gone-3"), "human", "untimed", "never"),
        ]);
        assert_eq!(texts(&c), ["untimed", "early", "main", "late"]);
        assert_eq!(
            c.sorted_note_pairs(),
            [
                (Some("early"), NoteReason::MissingParent),
                (Some("late"), NoteReason::MissingParent),
                (Some("untimed"), NoteReason::MissingParent),
            ]
        );
    }

    #[test]
    fn entries_without_uuid_and_unknown_senders_are_reported() {
        let mut tool = msg("t", &json!("q"), "tool", "x", "2025-01-01T00:00:02Z");
        tool["content"] = json!([{"type": "text", "text": "x"}, {"type": "token_budget"}]);
        let c = conv(&[
            json!("not a message"),
            json!({"text": "no uuid"}),
            msg(
                "q",
                &json!(ROOT_SENTINEL),
                "human",
                "q",
                "2025-01-01T00:00:01Z",
            ),
            msg(
                "q",
                &json!(ROOT_SENTINEL),
                "human",
                "duplicate",
                "2025-01-01T00:00:03Z",
            ),
            tool,
        ]);
        assert_eq!(texts(&c), ["q"]);
        assert_eq!(
            c.sorted_skipped_pairs(),
            [
                (Some("#0"), SkipReason::NotAnObject),
                (Some("#1"), SkipReason::NotAnObject),
                (Some("t"), SkipReason::UnknownRole),
            ]
        );
    }

    #[test]
    fn whole_conversation_skips() {
        let not_object = conversation(json!(42));
        assert_eq!(not_object.title, None);
        assert_eq!(
            not_object.sorted_skipped_pairs(),
            [(None, SkipReason::NotAnObject)]
        );
        let empty = conversation(json!({"uuid": "e", "name": " ", "chat_messages": []}));
        assert_eq!(empty.title.as_deref(), Some("Conversation e"));
        assert_eq!(
            empty.sorted_skipped_pairs(),
            [(None, SkipReason::EmptyConversation)]
        );
        let missing = conversation(json!({"name": "n"}));
        assert_eq!(
            missing.sorted_skipped_pairs(),
            [(None, SkipReason::EmptyConversation)]
        );
    }

    #[test]
    fn no_parent_links_orders_by_index_then_time() {
        let entry = |uuid: &str, index: Value, sender: &str, time: &str| {
            json!({"uuid": uuid, "text": uuid, "content": [], "sender": sender,
                   "index": index, "created_at": time})
        };
        let c = conv(&[
            entry("c", json!(null), "human", "2025-01-01T00:00:00Z"),
            entry("b", json!(1), "assistant", "2025-01-01T00:00:03Z"),
            entry("a2", json!(0), "human", "2025-01-01T00:00:02Z"),
            entry("a1", json!(0), "human", "2025-01-01T00:00:01Z"),
        ]);
        assert_eq!(texts(&c), ["a1", "a2", "b", "c"]);
        assert_eq!(
            c.sorted_note_pairs(),
            [
                (None, NoteReason::NoParentLinks),
                (None, NoteReason::ModelUnknown)
            ]
        );
    }

    #[test]
    fn stop_reasons_map_to_memor() {
        let reason = |r: Value| finish_reason(&json!({"stop_reason": r}));
        assert_eq!(reason(json!("stop_sequence")), Some(FinishReason::Stop));
        assert_eq!(reason(json!("tool_use")), Some(FinishReason::ToolCalls));
        assert_eq!(reason(json!("refusal")), Some(FinishReason::ContentFilter));
        assert_eq!(reason(json!("paused")), Some(FinishReason::Unknown));
        assert_eq!(reason(json!(null)), None);
        assert_eq!(finish_reason(&json!({})), None);
    }

    #[test]
    fn a_long_chain_is_walked_without_recursion() {
        let mut messages = vec![msg(
            "m0",
            &json!(ROOT_SENTINEL),
            "human",
            "0",
            "2025-01-01T00:00:00Z",
        )];
        for i in 1..20_000 {
            let sender = if i % 2 == 0 { "human" } else { "assistant" };
            messages.push(msg(
                &format!("m{i}"),
                &json!(format!("m{}", i - 1)),
                sender,
                &i.to_string(),
                "2025-01-01T00:00:00Z",
            ));
        }
        let c = conv(&messages);
        assert_eq!(c.messages.len(), 20_000);
        assert_eq!(c.messages[19_999].ids, ["m19999"]);
    }
}
