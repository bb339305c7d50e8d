//! Claude.ai's `conversations.json` (README §4).

use serde_json::Value;

use crate::model::Conversation;

/// The Claude importer's state across the array.
#[derive(Default)]
pub(crate) struct Claude {}

impl crate::ArrayFormat for Claude {
    const WHAT: &'static str = "conversations";

    fn element(&mut self, _value: Value, _index: usize) -> Option<Conversation> {
        Some(Conversation::default())
    }
}
