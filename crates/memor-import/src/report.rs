//! What an import read, skipped and noted, over all conversations.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::model::{Conversation, NoteReason, SkipReason};

/// Counts over a whole import. Each [`Conversation`] holds its own entries with node ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportReport {
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    /// Files of a folder or archive of one-chat files (AI Studio, Gemini CLI) passed over because
    /// they are not chats of the source, with why.
    pub files_skipped: Vec<(PathBuf, String)>,
    /// Conversations imported (each gives a session).
    pub conversations_read: usize,
    /// Conversations skipped as a whole.
    pub conversations_skipped: usize,
    /// Messages imported.
    pub messages: usize,
    /// Source items skipped, per reason (whole conversations included).
    pub skipped: BTreeMap<SkipReason, usize>,
    /// Notes, per reason.
    pub notes: BTreeMap<NoteReason, usize>,
}

impl ImportReport {
    /// Counts one conversation.
    pub fn add(&mut self, conversation: &Conversation) {
        if conversation.is_skipped() {
            self.conversations_skipped += 1;
        } else {
            self.conversations_read += 1;
            self.messages += conversation.messages.len();
        }
        for s in &conversation.skipped {
            *self.skipped.entry(s.reason).or_default() += 1;
        }
        for n in &conversation.notes {
            *self.notes.entry(n.reason).or_default() += 1;
        }
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} conversations imported ({} messages), {} skipped",
            self.conversations_read, self.messages, self.conversations_skipped
        )?;
        for (file, why) in &self.files_skipped {
            write!(f, "\n  file passed over: {} ({why})", file.display())?;
        }
        for (reason, n) in &self.skipped {
            write!(f, "\n  skipped {reason}: {n}")?;
        }
        for (reason, n) in &self.notes {
            write!(f, "\n  note {reason}: {n}")?;
        }
        Ok(())
    }
}
