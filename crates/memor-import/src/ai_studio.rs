//! Google AI Studio saved chats, one JSON object per file (README §6).

use std::path::Path;

use crate::error::Error;
use crate::model::Conversation;

pub(crate) struct AiStudio;

impl crate::FileFormat for AiStudio {
    fn conversation(_text: &str, _name: &str, _file: &Path) -> Result<Conversation, Error> {
        Ok(Conversation::default())
    }
}
