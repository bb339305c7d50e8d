//! ChatML: `<|im_start|>role\ncontent<|im_end|>\n`.

use memor_core::Session;

use super::{Block, check_markers, check_roles, collect, parse_delimited, prompt_text};
use crate::{Error, Payload, RenderOptions, Rendered, Target, Violation};

const START: &str = "<|im_start|>";
const END: &str = "<|im_end|>";
const ROLES: [&str; 3] = ["system", "user", "assistant"];

/// ChatML prompts (`chatml`), as teknium/OpenHermes-2.5-Mistral-7B's template (Hugging Face's
/// former default) writes them: `<|im_start|>{role}\n{content}<|im_end|>\n` for every message,
/// in order and unchanged, then `<|im_start|>assistant\n` when a generation prompt is asked for.
/// No BOS, no trimming, any order of roles.
///
/// [`validate`](Target::validate) checks `<|im_start|>{role}\n…<|im_end|>\n` turns with roles
/// `system`, `user`, `assistant`, an open turn at the end only as `<|im_start|>assistant\n`,
/// and no marker inside content.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChatMl;

impl Target for ChatMl {
    fn name(&self) -> &'static str {
        "chatml"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let (turns, report, warnings) = collect(session)?;
        let mut text = String::new();
        for turn in &turns {
            text.push_str(START);
            text.push_str(turn.role.as_str());
            text.push('\n');
            text.push_str(&turn.text);
            text.push_str(END);
            text.push('\n');
        }
        if options.add_generation_prompt {
            text.push_str(START);
            text.push_str("assistant\n");
        }
        Ok(Rendered {
            payload: Payload::Text(text),
            report,
            warnings,
        })
    }

    fn validate(&self, payload: &Payload) -> Vec<Violation> {
        let mut out = Vec::new();
        let Some(text) = prompt_text(payload, &mut out) else {
            return out;
        };
        let blocks = parse(text, &mut out);
        check_roles(&blocks, &ROLES, &mut out);
        check_markers(&blocks, &[START, END], &mut out);
        out
    }
}

/// The complete turns of a ChatML prompt; structural faults go to `out`.
fn parse<'a>(text: &'a str, out: &mut Vec<Violation>) -> Vec<Block<'a>> {
    parse_delimited(text, START, END, "assistant", out)
}
