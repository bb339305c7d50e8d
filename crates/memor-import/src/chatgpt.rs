//! ChatGPT's `conversations.json` (README §3).

use serde_json::Value;

use crate::model::Conversation;

/// The ChatGPT importer's state across the array.
#[derive(Default)]
pub(crate) struct ChatGpt {}

impl crate::ArrayFormat for ChatGpt {
    const WHAT: &'static str = "conversations";

    fn element(&mut self, _value: Value, _index: usize) -> Option<Conversation> {
        Some(Conversation::default())
    }
}
