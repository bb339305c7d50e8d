//! Llama 3 instruct: `<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>`.

use memor_core::Session;

use super::{
    Block, check_markers, check_roles, check_trimmed, collect, prompt_text, python_strip, violation,
};
use crate::{Error, Payload, RenderOptions, Rendered, Target, Violation};

const BOS: &str = "<|begin_of_text|>";
const START_HEADER: &str = "<|start_header_id|>";
const END_HEADER: &str = "<|end_header_id|>";
const EOT: &str = "<|eot_id|>";
const ROLES: [&str; 3] = ["system", "user", "assistant"];

/// Llama 3 instruct prompts (`llama3`), as meta-llama/Meta-Llama-3-8B-Instruct's template writes
/// them: `<|begin_of_text|>` before the first message, then
/// `<|start_header_id|>{role}<|end_header_id|>\n\n{content stripped}<|eot_id|>` for every
/// message in order, and `<|start_header_id|>assistant<|end_header_id|>\n\n` when a generation
/// prompt is asked for. Any order of roles. (Llama 3.1–3.3 templates add a dated system turn and
/// tool roles: not this target.)
///
/// [`validate`](Target::validate) checks the BOS (before the first turn, and only there),
/// `<|start_header_id|>{role}<|end_header_id|>\n\n…<|eot_id|>` turns with roles `system`,
/// `user`, `assistant`, an open turn at the end only as the assistant's header, no marker inside
/// content, and stripped content.
#[derive(Clone, Copy, Debug, Default)]
pub struct Llama3;

impl Target for Llama3 {
    fn name(&self) -> &'static str {
        "llama3"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let (turns, report, warnings) = collect(session)?;
        let mut text = String::new();
        for (i, turn) in turns.iter().enumerate() {
            if i == 0 {
                text.push_str(BOS);
            }
            text.push_str(START_HEADER);
            text.push_str(turn.role.as_str());
            text.push_str(END_HEADER);
            text.push_str("\n\n");
            text.push_str(python_strip(&turn.text));
            text.push_str(EOT);
        }
        if options.add_generation_prompt {
            text.push_str(START_HEADER);
            text.push_str("assistant");
            text.push_str(END_HEADER);
            text.push_str("\n\n");
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
        let (had_bos, rest) = match text.strip_prefix(BOS) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let blocks = parse(rest, &mut out);
        if blocks.is_empty() {
            if had_bos {
                out.push(violation(
                    None,
                    "bos",
                    "the template writes the BOS with the first message, and there is none",
                ));
            }
        } else if !had_bos {
            out.push(violation(
                None,
                "bos",
                format!("the prompt does not begin with {BOS:?}"),
            ));
        }
        check_roles(&blocks, &ROLES, &mut out);
        check_markers(&blocks, &[BOS, START_HEADER, END_HEADER, EOT], &mut out);
        check_trimmed(&blocks, 0, None, &mut out);
        out
    }
}

/// The complete turns of a Llama 3 prompt after its BOS; structural faults go to `out`.
fn parse<'a>(text: &'a str, out: &mut Vec<Violation>) -> Vec<Block<'a>> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let i = blocks.len();
        let Some(turn) = rest.strip_prefix(START_HEADER) else {
            out.push(violation(
                Some(i),
                "text-outside-turn",
                format!("expected {START_HEADER:?} to open a turn"),
            ));
            break;
        };
        let Some((role, after_header)) = turn.split_once(END_HEADER) else {
            out.push(violation(
                Some(i),
                "unterminated-turn",
                format!("the turn's header has no {END_HEADER:?}"),
            ));
            break;
        };
        let body = if let Some(body) = after_header.strip_prefix("\n\n") {
            body
        } else {
            out.push(violation(
                Some(i),
                "header-separator",
                "the header is not followed by two newlines",
            ));
            after_header
        };
        let Some((content, after)) = body.split_once(EOT) else {
            if !body.is_empty() {
                out.push(violation(
                    Some(i),
                    "unterminated-turn",
                    format!("the last turn has no {EOT:?}"),
                ));
            } else if role != "assistant" {
                out.push(violation(
                    Some(i),
                    "generation-prompt",
                    format!("the open turn at the end is {role:?}, not the assistant's"),
                ));
            }
            break;
        };
        blocks.push(Block { role, content });
        rest = after;
    }
    blocks
}
