//! From an imported conversation to a memor `Session`.

use crate::model::Conversation;

/// A fact of the source that memor's format cannot hold, named with the message it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost {
    /// The index of the imported message, or `None` for the conversation.
    pub message: Option<usize>,
    /// What was not kept (`tool_calls`, `reasoning`, `attachments`, `raw`, `ids`...).
    pub what: &'static str,
}

impl Conversation {
    /// The memor session of this conversation, with the list of what memor's format cannot hold.
    /// `None` for a conversation skipped as a whole.
    pub fn to_session(&self) -> Option<(memor_core::Session, Vec<Lost>)> {
        if self.is_skipped() {
            return None;
        }
        Some((
            memor_core::Session::new(Some(self.title.clone().unwrap_or_default())),
            Vec::new(),
        ))
    }
}
