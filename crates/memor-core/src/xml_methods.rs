//! memor's XML helpers on messages: `contains_xml`, `xml_tree`, `update_message_from_xml`.

use crate::error::{Error, Result, msg};
use crate::prompt::Prompt;
use crate::response::Response;
use crate::session::Message;
use crate::xml;

fn tree_of(text: &str) -> Result<serde_json::Value> {
    xml::xml_tree(text).map_err(|e| Error::validation(msg::INVALID_XML_TREE).context(e.to_string()))
}

fn string_of(tree: &serde_json::Value) -> Result<String> {
    xml::build_xml_string(tree)
        .map_err(|e| Error::validation(msg::INVALID_XML_TREE).context(e.to_string()))
}

macro_rules! xml_methods {
    ($ty:ty, $text:expr) => {
        impl $ty {
            /// Whether the rendered text contains XML tags; with `verify`, also that it is
            /// well-formed XML once wrapped in a root element (no DTD).
            ///
            /// # Errors
            /// A prompt whose template does not render.
            pub fn contains_xml(&self, verify: bool) -> Result<bool> {
                let text = $text(self)?;
                Ok(xml::contains_xml(&text, verify))
            }

            /// The rendered text's XML as memor's tree: `{tag: [{"text": ..., child: [...]}]}`.
            ///
            /// # Errors
            /// A prompt that does not render, or text that is not well-formed XML.
            pub fn xml_tree(&self) -> Result<serde_json::Value> {
                tree_of(&$text(self)?)
            }

            /// Replaces the message with the XML built from `tree` (memor's
            /// `update_message_from_xml`).
            ///
            /// # Errors
            /// A tree memor cannot build XML from; the message is then unchanged.
            pub fn update_message_from_xml(&mut self, tree: &serde_json::Value) -> Result<()> {
                let text = string_of(tree)?;
                self.update_message(text);
                Ok(())
            }
        }
    };
}

#[allow(clippy::unnecessary_wraps)] // the same signature as `prompt_text`
fn response_text(r: &Response) -> Result<std::borrow::Cow<'_, str>> {
    Ok(std::borrow::Cow::Borrowed(r.render_string()))
}

fn prompt_text(p: &Prompt) -> Result<std::borrow::Cow<'_, str>> {
    p.render_string().map(std::borrow::Cow::Owned)
}

xml_methods!(Response, response_text);
xml_methods!(Prompt, prompt_text);

impl Message {
    /// [`Response::contains_xml`] or [`Prompt::contains_xml`].
    ///
    /// # Errors
    /// A prompt whose template does not render.
    pub fn contains_xml(&self, verify: bool) -> Result<bool> {
        match self {
            Message::Prompt(p) => p.contains_xml(verify),
            Message::Response(r) => r.contains_xml(verify),
        }
    }
}
