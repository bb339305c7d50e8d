//! Gemini Apps activity from Google Takeout, `MyActivity.json` (README §5).

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::model::Conversation;

/// The Takeout importer's state: records are grouped by time, so they are kept until the end.
#[derive(Default)]
pub(crate) struct Takeout {}

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

    fn element(&mut self, _value: Value, _index: usize) -> Option<Conversation> {
        None
    }
}
