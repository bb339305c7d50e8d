//! From an imported conversation to a memor `Session`.
//!
//! A user message becomes a [`Prompt`]; the assistant message that follows becomes its
//! responses: every candidate (the alternatives with the active answer inserted at
//! `selected_index`), the active one selected. A system message is a prompt with the system
//! role. An assistant message with no prompt before it stays a standalone [`Response`].
//! What memor's format has no field for is listed as [`Lost`], never dropped silently.

use memor_core::date::Date;
use memor_core::json::Number;
use memor_core::{FinishReason as CoreFinish, Prompt, Response, Session};

use crate::model::{AlternativeDetail, Conversation, FinishReason, Message, Role, Timestamp};

/// A fact of the source that memor's format cannot hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::Display, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum LostKind {
    /// The source ids of the message (memor gives every object its own id).
    Ids,
    /// The model's reasoning text.
    Reasoning,
    /// Tool calls with their inputs and outputs.
    ToolCalls,
    /// Attachment references.
    Attachments,
    /// Content kept raw.
    Raw,
    /// The source does not say which model answered; memor writes its default model.
    ModelUnknown,
    /// The source gives no date; memor writes the time of the import.
    DateUnknown,
    /// A setting memor refuses (e.g. a temperature out of its range).
    InvalidSetting,
    /// Alternatives of an answer with no prompt to hold them.
    Alternatives,
}

/// One fact not kept, with the index of the imported message it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost {
    /// The index in [`Conversation::messages`], or `None` for the conversation itself.
    pub message: Option<usize>,
    /// What was not kept.
    pub kind: LostKind,
}

impl Conversation {
    /// The memor session of this conversation, with what memor's format cannot hold. `None`
    /// for a conversation skipped as a whole.
    ///
    /// ```
    /// use memor_import::{Conversation, Message, Role};
    ///
    /// let mut answer = Message::new(Role::Assistant, "Paris.");
    /// answer.alternatives = vec!["It is Paris.".into()];
    /// answer.selected_index = 1;
    /// answer.model = Some("gpt-4o".into());
    /// let conversation = Conversation {
    ///     title: Some("Geography".into()),
    ///     messages: vec![Message::new(Role::User, "Capital of France?"), answer],
    ///     ..Conversation::default()
    /// };
    /// let (session, lost) = conversation.to_session().expect("not skipped");
    /// let prompt = session.messages()[0].as_prompt().expect("a prompt");
    /// assert_eq!(prompt.responses().len(), 2);
    /// assert_eq!(prompt.selected_response().map(|r| r.message()), Some("Paris."));
    /// assert!(!lost.is_empty()); // the dates are unknown
    /// ```
    pub fn to_session(&self) -> Option<(Session, Vec<Lost>)> {
        if self.is_skipped() {
            return None;
        }
        let mut lost = LostList::default();
        let mut session = Session::new(self.title.clone());
        set_date(self.created, None, &mut lost, |d| {
            session.update_date_created(d);
        });
        let mut pending: Option<Prompt> = None;
        for (i, m) in self.messages.iter().enumerate() {
            note_extras(m, i, &mut lost);
            if let Some(p) = pending.take() {
                if m.role == Role::Assistant {
                    // The answer of the pending prompt: every candidate, the active one selected.
                    let mut p = p;
                    p.update_responses(candidates(m, i, &mut lost));
                    p.select_response(active_index(m));
                    session.add_message(p, true, None);
                    continue;
                }
                session.add_message(p, true, None);
            }
            match m.role {
                Role::System | Role::User => {
                    let mut p = Prompt::new(m.text.as_str());
                    if m.role == Role::System {
                        p.update_role(Role::System);
                    }
                    set_date(m.date, Some(i), &mut lost, |d| p.update_date_created(d));
                    if let Some(t) = m.tokens
                        && p.update_tokens(Some(Number::from(t))).is_err()
                    {
                        lost.push(Some(i), LostKind::InvalidSetting);
                    }
                    if m.role == Role::System {
                        session.add_message(p, true, None);
                    } else {
                        pending = Some(p);
                    }
                }
                Role::Assistant => {
                    // An answer with no prompt before it stands alone; its alternatives have
                    // nowhere to go.
                    if !m.alternatives.is_empty() {
                        lost.push(Some(i), LostKind::Alternatives);
                    }
                    session.add_message(active_response(m, i, &mut lost), true, None);
                }
            }
        }
        if let Some(p) = pending {
            session.add_message(p, true, None);
        }
        Some((session, lost.items))
    }
}

/// What was not kept, each `(message, kind)` once, in the order first seen.
#[derive(Default)]
struct LostList {
    items: Vec<Lost>,
    seen: std::collections::HashSet<(Option<usize>, LostKind)>,
}

impl LostList {
    fn push(&mut self, message: Option<usize>, kind: LostKind) {
        if self.seen.insert((message, kind)) {
            self.items.push(Lost { message, kind });
        }
    }
}

/// The position of the active answer among all candidates.
fn active_index(m: &Message) -> usize {
    m.selected_index.min(m.alternatives.len())
}

/// The active answer of an assistant message, with its metadata.
fn active_response(m: &Message, i: usize, lost: &mut LostList) -> Response {
    let mut r = Response::new(m.text.as_str());
    settings(&mut r, m, i, lost);
    set_model(&mut r, m.model.as_deref(), i, lost);
    set_date(m.date, Some(i), lost, |d| r.update_date_created(d));
    r.update_finish_reason(m.finish_reason.map(finish));
    r
}

/// The candidate responses of an assistant message, in source order.
fn candidates(m: &Message, i: usize, lost: &mut LostList) -> Vec<Response> {
    let unknown = AlternativeDetail::default();
    let active = active_index(m);
    let mut out = Vec::with_capacity(m.alternatives.len() + 1);
    for (k, text) in m.alternatives.iter().enumerate() {
        if k == active {
            out.push(active_response(m, i, lost));
        }
        let detail = m.alternatives_detail.get(k).unwrap_or(&unknown);
        let mut r = Response::new(text.as_str());
        set_model(&mut r, detail.model.as_deref(), i, lost);
        set_date(detail.date, Some(i), lost, |d| r.update_date_created(d));
        r.update_finish_reason(detail.finish_reason.map(finish));
        if !detail.ids.is_empty() {
            lost.push(Some(i), LostKind::Ids);
        }
        out.push(r);
    }
    if active == m.alternatives.len() {
        out.push(active_response(m, i, lost));
    }
    out
}

fn settings(r: &mut Response, m: &Message, i: usize, lost: &mut LostList) {
    let ok = [
        m.tokens
            .is_none_or(|t| r.update_tokens(Some(Number::from(t))).is_ok()),
        m.temperature
            .is_none_or(|t| r.update_temperature(Some(Number::from(t))).is_ok()),
        m.top_p
            .is_none_or(|t| r.update_top_p(Some(Number::from(t))).is_ok()),
        m.top_k
            .is_none_or(|t| r.update_top_k(Some(Number::from(t))).is_ok()),
    ];
    if ok.contains(&false) {
        lost.push(Some(i), LostKind::InvalidSetting);
    }
}

fn set_model(r: &mut Response, model: Option<&str>, i: usize, lost: &mut LostList) {
    match model {
        Some(model) => r.update_model(model),
        None => lost.push(Some(i), LostKind::ModelUnknown),
    }
}

/// Sets a date the source gives; a missing one (memor then writes the time of the import) is
/// reported against `message` (`None`: the conversation).
fn set_date(
    date: Option<Timestamp>,
    message: Option<usize>,
    lost: &mut LostList,
    set: impl FnOnce(Date),
) {
    match date.and_then(to_date) {
        Some(d) => set(d),
        None => lost.push(message, LostKind::DateUnknown),
    }
}

fn to_date(t: Timestamp) -> Option<Date> {
    Date::from_chrono(&t).ok()
}

fn finish(f: FinishReason) -> CoreFinish {
    match f {
        FinishReason::Stop => CoreFinish::Stop,
        FinishReason::Length => CoreFinish::Length,
        FinishReason::ToolCalls => CoreFinish::ToolCalls,
        FinishReason::ContentFilter => CoreFinish::ContentFilter,
        FinishReason::Error => CoreFinish::Error,
        FinishReason::Unknown => CoreFinish::Unknown,
    }
}

/// What a message holds beyond memor's fields.
fn note_extras(m: &Message, i: usize, lost: &mut LostList) {
    let checks = [
        (!m.ids.is_empty(), LostKind::Ids),
        (m.reasoning.is_some(), LostKind::Reasoning),
        (!m.tool_calls.is_empty(), LostKind::ToolCalls),
        (!m.attachments.is_empty(), LostKind::Attachments),
        (!m.raw.is_empty(), LostKind::Raw),
    ];
    for (present, kind) in checks {
        if present {
            lost.push(Some(i), kind);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::model::{AlternativeDetail, SkipReason, Skipped};

    fn at(s: &str) -> Option<Timestamp> {
        crate::util::parse_iso(s)
    }

    #[test]
    fn prompts_hold_their_candidates_with_metadata() {
        let mut user = Message::new(Role::User, "Q");
        user.date = at("2024-01-02T03:04:05Z");
        let mut answer = Message::new(Role::Assistant, "A2");
        answer.alternatives = vec!["A1".into(), "A3".into()];
        answer.alternatives_detail = vec![
            AlternativeDetail {
                model: Some("m1".into()),
                ..AlternativeDetail::default()
            },
            AlternativeDetail::default(),
        ];
        answer.selected_index = 1;
        answer.model = Some("m2".into());
        answer.finish_reason = Some(FinishReason::Length);
        answer.tokens = Some(7);
        answer.date = at("2024-01-02T03:04:06Z");
        let c = Conversation {
            title: Some("T".into()),
            created: at("2024-01-02T03:04:00Z"),
            messages: vec![Message::new(Role::System, "S"), user, answer],
            ..Conversation::default()
        };
        let (s, lost) = c.to_session().unwrap();
        assert_eq!(s.title(), Some("T"));
        assert_eq!(
            s.date_created().to_memor_string(),
            "2024-01-02 03:04:00 +0000"
        );
        assert_eq!(s.messages().len(), 2);
        assert_eq!(s.messages()[0].role(), Role::System);
        let p = s.messages()[1].as_prompt().unwrap();
        assert_eq!(
            p.date_created().to_memor_string(),
            "2024-01-02 03:04:05 +0000"
        );
        let texts: Vec<_> = p.responses().iter().map(Response::message).collect();
        assert_eq!(texts, ["A1", "A2", "A3"]);
        let r = p.selected_response().unwrap();
        assert_eq!(r.message(), "A2");
        assert_eq!(r.model(), "m2");
        assert_eq!(r.finish_reason(), Some(&CoreFinish::Length));
        assert_eq!(
            r.date_created().to_memor_string(),
            "2024-01-02 03:04:06 +0000"
        );
        assert_eq!(p.responses()[0].model(), "m1");
        // The third candidate has no model or date; the system and user messages no date.
        assert!(lost.contains(&Lost {
            message: Some(2),
            kind: LostKind::ModelUnknown
        }));
        assert!(lost.contains(&Lost {
            message: Some(0),
            kind: LostKind::DateUnknown
        }));
        assert!(!lost.contains(&Lost {
            message: None,
            kind: LostKind::DateUnknown
        }));
    }

    #[test]
    fn leading_answers_stay_standalone_and_extras_are_reported() {
        let mut a = Message::new(Role::Assistant, "hello");
        a.reasoning = Some("thinking".into());
        a.alternatives = vec!["hi".into()];
        let c = Conversation {
            messages: vec![a, Message::new(Role::User, "Q")],
            ..Conversation::default()
        };
        let (s, lost) = c.to_session().unwrap();
        assert_eq!(s.messages().len(), 2);
        assert_eq!(s.messages()[0].as_response().unwrap().message(), "hello");
        assert!(s.messages()[1].as_prompt().unwrap().responses().is_empty());
        for kind in [LostKind::Reasoning, LostKind::Alternatives] {
            assert!(
                lost.contains(&Lost {
                    message: Some(0),
                    kind
                }),
                "{kind}"
            );
        }
    }

    #[test]
    fn skipped_conversations_give_no_session() {
        let c = Conversation {
            skipped: vec![Skipped {
                node: None,
                reason: SkipReason::TooLarge,
            }],
            ..Conversation::default()
        };
        assert!(c.to_session().is_none());
    }
}
