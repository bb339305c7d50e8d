//! `Session::search`: memor's search over the messages' texts.

use crate::search::{Query, SearchError};
use crate::session::{Message, Session};

impl Session {
    /// The indices of the messages whose STRING text matches `query`, as memor's `search`:
    /// every message is searched, masked ones included; a prompt that cannot render is skipped.
    ///
    /// ```
    /// use memor_core::search::Query;
    /// use memor_core::{Prompt, Response, Session};
    /// let s = Session::with_messages(None, vec![Prompt::new("Lazy dog").into(), Response::new("Quick fox").into()]);
    /// assert_eq!(s.search(&Query::new("LAZY", false, false)?), [0]);
    /// assert_eq!(s.search(&Query::new(r"f\w+", true, true)?), [1]);
    /// # Ok::<(), memor_core::search::SearchError>(())
    /// ```
    pub fn search(&self, query: &Query) -> Vec<usize> {
        let mut text = String::new();
        let mut found = Vec::new();
        for (index, message) in self.messages.iter().enumerate() {
            let matched = match message {
                Message::Response(r) => query.is_match(r.message()),
                Message::Prompt(p) => {
                    text.clear();
                    p.render_into(&mut text).is_ok() && query.is_match(&text)
                }
            };
            if matched {
                found.push(index);
            }
        }
        found
    }

    /// Compiles `query` as memor does (`re.escape` unless `use_regex`, `re.IGNORECASE` unless
    /// `case_sensitive`) and searches with it.
    ///
    /// # Errors
    /// A regular expression Python's `re` refuses (with its message and position), or one it
    /// accepts that cannot be reproduced exactly.
    pub fn search_str(
        &self,
        query: &str,
        use_regex: bool,
        case_sensitive: bool,
    ) -> Result<Vec<usize>, SearchError> {
        Ok(self.search(&Query::new(query, use_regex, case_sensitive)?))
    }
}
