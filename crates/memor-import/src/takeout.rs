//! Gemini Apps activity from Google Takeout, `MyActivity.json`.
//!
//! Records come newest first, without conversation ids or models. Each element is reduced to a
//! small record (its time, and for an exchange the prompt, the number of attached files and the
//! reply as text); at the end the records are sorted by time and cut into provisional groups
//! wherever more than 30 minutes pass between two records. Records that are not prompts (other
//! products, no time, not objects) are reported in the first group.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::html;
use crate::model::{
    Attachment, AttachmentKind, Conversation, Message, Note, NoteReason, Role, SkipReason, Skipped,
    Timestamp,
};
use crate::util::{one_or_many, parse_time, push_joined, str_field};

/// Verbs that open an exchange's title, tried in this order.
const EXCHANGE_VERBS: &[&str] = &[
    "Prompted with: ",
    "Asked Gemini: ",
    "Asked Bard: ",
    "Prompted ",
    "Asked ",
    "Said ",
    "Branched ",
    "Answered ",
];

/// Verbs that open an activity event's title.
const EVENT_VERBS: &[&str] = &[
    "Created ",
    "Used ",
    "Added ",
    "Gave ",
    "Selected ",
    "Shared ",
    "Deleted ",
    "Viewed ",
    "Visited ",
    "Searched ",
    "Edited ",
    "Pinned ",
    "Renamed ",
    "Exported ",
    "Updated ",
];

/// The longest gap between two records of one group, in seconds.
const GROUP_GAP_SECONDS: i64 = 30 * 60;

/// The most attachments one title adds; a larger count in a title is read as this many. Each
/// attachment is a placeholder with no reference, so a bigger count would only let a short
/// record (`Attached 99999 files.`) make thousands of empty values.
const MAX_ATTACHED_FILES: usize = 100;

/// The Takeout importer's state: records are grouped by time, so they are kept until the end.
#[derive(Default)]
pub(crate) struct Takeout {
    /// Gemini records with a time, in file order.
    records: Vec<Record>,
    /// Records that are not prompts (reported in the first group).
    skipped: Vec<Skipped>,
}

/// What is kept of one Gemini record with a time.
struct Record {
    /// Its index in the top-level array.
    index: usize,
    /// Its `time`.
    time: Timestamp,
    /// What it is.
    kind: Kind,
}

/// A record is an exchange or an activity event.
enum Kind {
    /// An activity event (`Created ...`, `Used ...`, or a title without a verb nor a reply).
    Event,
    /// A prompt and its reply.
    Exchange(Exchange),
}

/// A prompt and its reply, as text.
struct Exchange {
    /// The user's words.
    prompt: String,
    /// How many files the title says were attached (at most [`MAX_ATTACHED_FILES`]).
    files: usize,
    /// The reply converted to text; empty when there is none.
    reply: String,
    /// Whether the title had no known verb and was kept whole as the prompt.
    kept_whole: bool,
}

/// The error for Takeout's HTML activity file.
pub(crate) fn html_export(file: &Path) -> Error {
    Error::new(
        ErrorKind::HtmlExport,
        file,
        "this is Takeout's HTML activity file; export My Activity again choosing JSON and import MyActivity.json",
    )
}

impl crate::ArrayFormat for Takeout {
    const WHAT: &'static str = "activity records";

    fn recognize_non_array(&self, head: &[u8], file: &Path) -> Option<Error> {
        (head.first() == Some(&b'<')).then(|| html_export(file))
    }

    fn element(&mut self, value: Value, index: usize) -> Option<Conversation> {
        let reason = if !value.is_object() {
            Some(SkipReason::NotAnObject)
        } else if !is_gemini(&value) {
            Some(SkipReason::NotGemini)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.skip(index, reason);
            return None;
        }
        let Some(time) = parse_time(value.get("time")) else {
            self.skip(index, SkipReason::BadTime);
            return None;
        };
        let reply = reply_text(value.get("safeHtmlItem"));
        let kind = classify(str_field(&value, "title").unwrap_or_default(), reply);
        self.records.push(Record { index, time, kind });
        None
    }

    fn finish(&mut self) -> Vec<Conversation> {
        let mut records = std::mem::take(&mut self.records);
        // By time; on equal times, the record later in the file first.
        records.sort_by(|a, b| a.time.cmp(&b.time).then(b.index.cmp(&a.index)));
        let mut groups = Vec::new();
        let mut current = Group::new(1, std::mem::take(&mut self.skipped));
        let mut last: Option<Timestamp> = None;
        // Each record's texts move into its group's messages: nothing is copied.
        for record in records {
            if last.is_some_and(|t| (record.time - t).num_seconds() > GROUP_GAP_SECONDS) {
                let next = Group::new(current.number + 1, Vec::new());
                groups.push(std::mem::replace(&mut current, next).finish());
            }
            last = Some(record.time);
            current.add(record);
        }
        // The last group; without any Gemini record, a first group only to report the others.
        if last.is_some() || !current.conversation.skipped.is_empty() {
            groups.push(current.finish());
        }
        groups
    }
}

impl Takeout {
    /// Reports a record that is not a prompt (in the first group).
    fn skip(&mut self, index: usize, reason: SkipReason) {
        self.skipped.push(Skipped::new(node(index), reason));
    }
}

/// A record's node id: `#i`.
fn node(index: usize) -> String {
    format!("#{index}")
}

/// Whether a record is Gemini's: its `header` or one of its `products` names Gemini or Bard, or
/// it has neither label.
fn is_gemini(record: &Value) -> bool {
    let products = record
        .get("products")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    let mut labelled = false;
    for label in str_field(record, "header")
        .into_iter()
        .chain(products)
        .filter(|l| !l.is_empty())
    {
        labelled = true;
        let lower = label.to_lowercase();
        if lower.contains("gemini") || lower.contains("bard") {
            return true;
        }
    }
    !labelled
}

/// The reply of a record: each HTML of `safeHtmlItem` (a list, or one object; `html` or
/// `htmlValue`) as text, the non-empty ones joined with `"\n"`.
fn reply_text(item: Option<&Value>) -> String {
    let mut reply = String::new();
    for html in one_or_many(item)
        .iter()
        .filter_map(|i| str_field(i, "html").or_else(|| str_field(i, "htmlValue")))
    {
        push_joined(&mut reply, &html::to_text(html), "\n");
    }
    // Kept until the end of the file: no spare capacity.
    reply.shrink_to_fit();
    reply
}

/// What a record's title makes it: an exchange (after a verb, or whole when it has a reply) or
/// an activity event.
fn classify(title: &str, reply: String) -> Kind {
    if let Some(rest) = EXCHANGE_VERBS.iter().find_map(|v| title.strip_prefix(v)) {
        return Kind::Exchange(exchange(rest, reply, false));
    }
    if EVENT_VERBS.iter().any(|v| title.starts_with(v)) || reply.is_empty() {
        return Kind::Event;
    }
    Kind::Exchange(exchange(title, reply, true))
}

/// An exchange whose prompt is `words` without its `Attached N files.` suffix.
fn exchange(words: &str, reply: String, kept_whole: bool) -> Exchange {
    let (prompt, files) = split_attached(words).unwrap_or((words, 0));
    Exchange {
        prompt: prompt.to_string(),
        files,
        reply,
        kept_whole,
    }
}

/// Splits a trailing `Attached N file.` / `Attached N files.` off a prompt (as the regex
/// `\s*Attached (\d+) files?\.?\s*$` would): the words before it and N, at most
/// [`MAX_ATTACHED_FILES`].
fn split_attached(words: &str) -> Option<(&str, usize)> {
    let rest = words.trim_end();
    let rest = rest.strip_suffix('.').unwrap_or(rest);
    let rest = rest
        .strip_suffix("files")
        .or_else(|| rest.strip_suffix("file"))?;
    let rest = rest.strip_suffix(' ')?;
    let before_digits = rest.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = rest.get(before_digits.len()..)?;
    if digits.is_empty() {
        return None;
    }
    let prompt = before_digits.strip_suffix("Attached ")?.trim_end();
    let count = digits
        .parse::<usize>()
        .unwrap_or(MAX_ATTACHED_FILES)
        .min(MAX_ATTACHED_FILES);
    Some((prompt, count))
}

/// A provisional group being filled with records, in time order.
struct Group {
    /// Its number, from 1.
    number: usize,
    /// Its conversation so far (a user message per exchange).
    conversation: Conversation,
}

impl Group {
    /// Group `number` (from 1), with the first group's extra skips.
    fn new(number: usize, skipped: Vec<Skipped>) -> Self {
        Group {
            number,
            conversation: Conversation {
                title: Some(format!("provisional group {number}")),
                skipped,
                notes: vec![Note::new(None, NoteReason::ProvisionalGrouping)],
                ..Conversation::default()
            },
        }
    }

    /// Adds the next record: an event is skipped, an exchange gives messages.
    fn add(&mut self, record: Record) {
        self.conversation.created.get_or_insert(record.time);
        match record.kind {
            Kind::Event => self
                .conversation
                .skipped
                .push(Skipped::new(node(record.index), SkipReason::ActivityEvent)),
            Kind::Exchange(exchange) => {
                add_exchange(&mut self.conversation, record.index, record.time, exchange);
            }
        }
    }

    /// The group's conversation: `model_unknown` when it has an answer, skipped as
    /// `empty_conversation` when it has no exchange.
    fn finish(mut self) -> Conversation {
        let conversation = &mut self.conversation;
        if conversation
            .messages
            .iter()
            .any(|m| m.role == Role::Assistant)
        {
            conversation
                .notes
                .push(Note::new(None, NoteReason::ModelUnknown));
        }
        if conversation.messages.is_empty() {
            conversation
                .skipped
                .push(Skipped::new(None, SkipReason::EmptyConversation));
        }
        self.conversation
    }
}

/// Adds an exchange's user message and, when the reply is not empty, its assistant message.
fn add_exchange(conversation: &mut Conversation, index: usize, time: Timestamp, ex: Exchange) {
    let id = node(index);
    if ex.kept_whole {
        conversation
            .notes
            .push(Note::new(id.clone(), NoteReason::TitleKeptWhole));
    }
    let mut prompt = Message::new(Role::User, ex.prompt);
    prompt.date = Some(time);
    prompt.ids = vec![id.clone()];
    prompt.attachments = vec![Attachment::new(AttachmentKind::File); ex.files];
    conversation.messages.push(prompt);
    if ex.reply.is_empty() {
        conversation
            .notes
            .push(Note::new(id, NoteReason::MissingReply));
        return;
    }
    let mut reply = Message::new(Role::Assistant, ex.reply);
    reply.date = Some(time);
    reply.ids = vec![id];
    conversation.messages.push(reply);
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{MAX_ATTACHED_FILES, split_attached};
    use crate::model::{AttachmentKind, Conversation, NoteReason, Role, SkipReason};
    use crate::{ErrorKind, Options, Source, import_bytes};

    fn import(records: &Value) -> Vec<Conversation> {
        let bytes = serde_json::to_vec(records).unwrap();
        import_bytes(
            &bytes,
            "MyActivity.json",
            Source::GeminiTakeout,
            &Options::default(),
        )
        .unwrap()
    }

    fn prompt(title: &str, time: &str, html: Option<&str>) -> Value {
        let mut record = json!({"header": "Gemini Apps", "title": title, "time": time,
                                "products": ["Gemini Apps"]});
        if let Some(html) = html {
            record["safeHtmlItem"] = json!([{"html": html}]);
        }
        record
    }

    #[test]
    fn exactly_thirty_minutes_stays_in_the_group() {
        let got = import(&json!([
            prompt("Prompted c", "2025-01-01T11:00:01Z", Some("<p>C</p>")),
            prompt("Prompted b", "2025-01-01T10:30:00Z", Some("<p>B</p>")),
            prompt("Prompted a", "2025-01-01T10:00:00Z", Some("<p>A</p>")),
        ]));
        assert_eq!(got.len(), 2);
        let first: Vec<&str> = got[0].messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(first, ["a", "A", "b", "B"]);
        assert_eq!(got[1].title.as_deref(), Some("provisional group 2"));
        assert_eq!(got[1].messages[0].text, "c");
        assert_eq!(got[1].messages[0].ids, ["#0"]);
        assert_eq!(
            got[1].created.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-01-01T11:00:01+00:00")
        );
    }

    #[test]
    fn equal_times_put_the_later_record_of_the_file_first() {
        let got = import(&json!([
            prompt("Prompted second", "2025-01-01T10:00:00Z", Some("2")),
            prompt("Prompted first", "2025-01-01T10:00:00Z", Some("1")),
        ]));
        let ids: Vec<&str> = got[0].messages.iter().map(|m| m.ids[0].as_str()).collect();
        assert_eq!(ids, ["#1", "#1", "#0", "#0"]);
        assert_eq!(got[0].messages[0].text, "first");
    }

    #[test]
    fn titles_lose_their_verb_and_attachment_suffix() {
        assert_eq!(
            split_attached("what is this? Attached 2 files."),
            Some(("what is this?", 2))
        );
        assert_eq!(split_attached("x  Attached 1 file  "), Some(("x", 1)));
        assert_eq!(split_attached("Attached 3 files"), Some(("", 3)));
        assert_eq!(split_attached("x Attached one file."), None);
        assert_eq!(split_attached("x Attached  1 file."), None);
        assert_eq!(split_attached("x Attached 1 file.."), None);
        let got = import(&json!([
            prompt(
                "Asked Gemini: hi  Attached 2 files.",
                "2025-01-01T10:02:00Z",
                Some("ok")
            ),
            prompt("Said  spaced  words ", "2025-01-01T10:01:00Z", Some("ok")),
        ]));
        let m = &got[0].messages;
        assert_eq!(m[0].text, " spaced  words ");
        assert_eq!(m[2].text, "hi");
        assert_eq!(m[2].attachments.len(), 2);
        assert_eq!(m[2].attachments[0].kind, AttachmentKind::File);
        assert_eq!(m[2].attachments[0].reference, None);
    }

    #[test]
    fn a_title_adds_at_most_a_hundred_attachments() {
        assert_eq!(
            split_attached("many Attached 99999 files."),
            Some(("many", MAX_ATTACHED_FILES))
        );
        assert_eq!(
            split_attached("more Attached 99999999999999999999999 files."),
            Some(("more", MAX_ATTACHED_FILES))
        );
        let got = import(&json!([prompt(
            "Prompted many Attached 99999 files.",
            "2025-01-01T10:00:00Z",
            Some("ok")
        )]));
        assert_eq!(got[0].messages[0].text, "many");
        assert_eq!(got[0].messages[0].attachments.len(), 100);
    }

    #[test]
    fn a_title_without_a_verb_is_kept_whole_only_with_a_reply() {
        let got = import(&json!([
            prompt(
                "Hai chiesto ciao Attached 1 file.",
                "2025-01-01T10:01:00Z",
                Some("<p>Ciao!</p>")
            ),
            prompt("Hai chiesto niente", "2025-01-01T10:00:00Z", None),
            prompt(
                "Created a canvas",
                "2025-01-01T09:59:00Z",
                Some("<p>html</p>")
            ),
        ]));
        let c = &got[0];
        assert_eq!(c.messages.len(), 2);
        assert_eq!(c.messages[0].text, "Hai chiesto ciao");
        assert_eq!(c.messages[0].attachments.len(), 1);
        assert_eq!(c.messages[1].role, Role::Assistant);
        assert_eq!(c.messages[1].model, None);
        assert_eq!(
            c.skipped_pairs(),
            [
                (Some("#2"), SkipReason::ActivityEvent),
                (Some("#1"), SkipReason::ActivityEvent)
            ]
        );
        assert!(
            c.note_pairs()
                .contains(&(Some("#0"), NoteReason::TitleKeptWhole))
        );
        assert!(c.note_pairs().contains(&(None, NoteReason::ModelUnknown)));
    }

    #[test]
    fn other_records_go_to_the_first_group_and_event_groups_are_skipped() {
        let got = import(&json!([
            prompt("Prompted late", "2025-01-02T10:00:00Z", None),
            {"header": "Search", "title": "Searched for x", "time": "2025-01-02T09:00:00Z"},
            {"title": "Prompted no labels", "time": "nonsense"},
            42,
            {"header": "YouTube", "products": ["Bard"], "title": "Prompted via bard",
             "time": "2025-01-01T10:00:00Z", "safeHtmlItem": {"htmlValue": "<p>yes</p>"}},
            {"title": "Used a tool", "time": "2024-12-01T10:00:00Z"},
        ]));
        assert_eq!(got.len(), 3);
        let events = &got[0];
        assert_eq!(events.title.as_deref(), Some("provisional group 1"));
        assert!(events.messages.is_empty());
        assert_eq!(
            events.skipped_pairs(),
            [
                (Some("#1"), SkipReason::NotGemini),
                (Some("#2"), SkipReason::BadTime),
                (Some("#3"), SkipReason::NotAnObject),
                (Some("#5"), SkipReason::ActivityEvent),
                (None, SkipReason::EmptyConversation),
            ]
        );
        assert_eq!(
            events.note_pairs(),
            [(None, NoteReason::ProvisionalGrouping)]
        );
        assert_eq!(got[1].messages[1].text, "yes");
        assert!(got[1].skipped.is_empty());
        let late = &got[2];
        assert_eq!(late.messages.len(), 1);
        assert_eq!(
            late.note_pairs(),
            [
                (None, NoteReason::ProvisionalGrouping),
                (Some("#0"), NoteReason::MissingReply)
            ]
        );
    }

    #[test]
    fn only_skipped_records_still_give_a_report() {
        let got = import(
            &json!([{"header": "Maps", "title": "Viewed a map", "time": "2025-01-01T10:00:00Z"}]),
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].created, None);
        assert_eq!(
            got[0].skipped_pairs(),
            [
                (Some("#0"), SkipReason::NotGemini),
                (None, SkipReason::EmptyConversation)
            ]
        );
        assert!(import(&json!([])).is_empty());
    }

    #[test]
    fn replies_join_every_html_item() {
        let mut record = prompt("Prompted p", "2025-01-01T10:00:00Z", None);
        record["safeHtmlItem"] =
            json!([{"html": "<p>one</p>"}, {"html": "<br>"}, {"htmlValue": "two &amp; three"}]);
        let got = import(&json!([record]));
        assert_eq!(got[0].messages[1].text, "one\ntwo & three");
    }

    #[test]
    fn html_files_are_refused_even_when_named_json() {
        let e = import_bytes(
            b"\xEF\xBB\xBF  <html><body>Prompted</body></html>",
            "MyActivity.json",
            Source::GeminiTakeout,
            &Options::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::HtmlExport);
        assert!(e.to_string().contains("MyActivity.json"));
        let e = import_bytes(
            b"{\"title\": \"x\"}",
            "MyActivity.json",
            Source::GeminiTakeout,
            &Options::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotAList);
    }
}
