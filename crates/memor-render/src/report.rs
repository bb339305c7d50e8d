//! What a render changed, and what a validator found.

use std::fmt;

/// One change between the session and the payload. `index` is the message's index in the
/// session.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// Left out because the message is disabled (masked).
    Masked {
        /// The message.
        index: usize,
    },
    /// Merged into an earlier turn of the same role.
    Merged {
        /// The message.
        index: usize,
        /// The message whose turn it joined.
        into: usize,
    },
    /// Moved out of the turns, e.g. a system prompt into a top-level field.
    Moved {
        /// The message.
        index: usize,
        /// Where it went (`"system"`, `"systemInstruction"`, `"instructions"`...).
        to: String,
    },
    /// Sent under another role name.
    Renamed {
        /// The message.
        index: usize,
        /// memor's role.
        from: String,
        /// The target's role.
        to: String,
    },
    /// Left out: empty content, or a kind the target cannot carry.
    Dropped {
        /// The message.
        index: usize,
        /// Why.
        reason: String,
    },
    /// A turn the target requires that the session does not have.
    Synthesized {
        /// Its position in the payload's turns.
        position: usize,
        /// Its role.
        role: String,
        /// Why it was needed.
        reason: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Masked { index } => write!(f, "message {index}: masked, left out"),
            Change::Merged { index, into } => {
                write!(f, "message {index}: merged into the turn of message {into}")
            }
            Change::Moved { index, to } => write!(f, "message {index}: moved to {to}"),
            Change::Renamed { index, from, to } => {
                write!(f, "message {index}: role {from} sent as {to}")
            }
            Change::Dropped { index, reason } => write!(f, "message {index}: dropped ({reason})"),
            Change::Synthesized {
                position,
                role,
                reason,
            } => write!(f, "turn {position}: {role} turn added ({reason})"),
        }
    }
}

/// Every change of one render, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes.
    pub changes: Vec<Change>,
}

impl Report {
    /// Adds a change.
    pub fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Change> + '_ {
        self.changes.iter()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        Ok(())
    }
}

/// A rule a payload breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The index of the turn at fault in the payload's list, if the rule is about one turn.
    pub index: Option<usize>,
    /// A short name for the rule (`first-turn-user`, `alternation`, `empty-content`...).
    pub rule: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "turn {i}: {} [{}]", self.message, self.rule),
            None => write!(f, "{} [{}]", self.message, self.rule),
        }
    }
}
