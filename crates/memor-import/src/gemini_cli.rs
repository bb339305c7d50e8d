//! Gemini CLI session files, `.json` and `.jsonl` (README §7).

use std::path::Path;

use crate::error::Error;
use crate::model::Conversation;

pub(crate) struct GeminiCli;

impl crate::FileFormat for GeminiCli {
    fn conversation(_text: &str, _name: &str, _file: &Path) -> Result<Conversation, Error> {
        Ok(Conversation::default())
    }
}
