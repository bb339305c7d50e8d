//! Prompt strings of local models' chat templates: ChatML, Llama 3, Mistral instruct and Gemma.
//!
//! Each target writes exactly the string that the model's own Jinja chat template (the
//! `chat_template` of its Hugging Face `tokenizer_config.json`) renders for the session's
//! enabled messages, as `{role, content}` pairs, with `add_generation_prompt` from
//! [`RenderOptions`](crate::RenderOptions) and the model's `bos_token`/`eos_token`. The crate's
//! tests render the kept templates with a Jinja engine and compare byte for byte.
//!
//! | target | variant (`RenderOptions::variant`) | kept template (format also used by) | BOS | generation prompt |
//! |---|---|---|---|---|
//! | `chatml` | — | teknium/OpenHermes-2.5-Mistral-7B, Hugging Face's former default (the many ChatML fine-tunes) | none | `<\|im_start\|>assistant\n` |
//! | `llama3` | — | meta-llama/Meta-Llama-3-8B-Instruct (-70B-Instruct) | `<\|begin_of_text\|>` | `<\|start_header_id\|>assistant<\|end_header_id\|>\n\n` |
//! | `mistral` | `v1` (default) | mistralai/Mistral-7B-Instruct-v0.2 (v0.1, Mixtral-8x7B-Instruct-v0.1) | `<s>` | none: a prompt ending with a user turn is ready |
//! | `mistral` | `v3` | mistralai/Mistral-Large-Instruct-2407 (Mistral-7B-Instruct-v0.3, Mixtral-8x22B-Instruct-v0.1) | `<s>` | none |
//! | `mistral` | `v3-tekken` | mistralai/Mistral-Nemo-Instruct-2407 | `<s>` | none |
//! | `mistral` | `v7` | mistralai/Mistral-Large-Instruct-2411 | `<s>` | none |
//! | `gemma` | `gemma2` | google/gemma-2-2b-it (gemma-2-9b-it, -27b-it, gemma-1.1-2b-it, -7b-it) | `<bos>` | `<start_of_turn>model\n` |
//! | `gemma` | `gemma3` (default) | google/gemma-3-1b-it (gemma-3-4b-it, -12b-it, -27b-it) | `<bos>` | `<start_of_turn>model\n` |
//!
//! What the templates do to the text, these targets do too: Llama 3 and Gemma strip the
//! whitespace around each message, Mistral `v3` around assistant messages (Python's
//! `str.strip`, which also strips U+001C..U+001F; Gemma 3 keeps the system prompt it puts
//! before the first user message as it is); ChatML, Mistral `v1`, `v3-tekken` and `v7` keep
//! every character.
//!
#![doc = include_str!("alternation.md")]
//!
//! # Validation
//!
//! Each target's `validate` parses a prompt string into turns and reports what its template
//! would never write: a missing or repeated BOS, text outside turns, unterminated or nested turn
//! markers, unknown roles, broken alternation (where required), untrimmed content (where the
//! template trims). It checks the target's own variant (the default one for the targets of
//! [`targets`](crate::targets)): build `Mistral::new(MistralVariant::V7)` to check a `v7`
//! prompt.

mod chatml;
mod gemma;
mod llama3;
mod mistral;

pub use chatml::ChatMl;
pub use gemma::{Gemma, GemmaVariant};
pub use llama3::Llama3;
pub use mistral::{Mistral, MistralVariant};

use memor_core::{Role, Session};

use crate::{Change, Error, Payload, Report, Violation, enabled_texts};

/// What joins the texts of merged messages (and a system prompt to the turn that carries it).
const MERGE_SEPARATOR: &str = "\n\n";

/// One message on its way into a prompt: its role, its text and its index in the session.
#[derive(Clone, Debug)]
struct Turn {
    role: Role,
    text: String,
    index: usize,
}

/// The enabled messages as turns, the report of masked messages and memor's warnings.
fn collect(session: &Session) -> Result<(Vec<Turn>, Report, Vec<String>), Error> {
    let warnings = session.render_warnings();
    let mut report = Report::default();
    for (index, enabled) in session.messages_status().iter().enumerate() {
        if !enabled {
            report.push(Change::Masked { index });
        }
    }
    let turns = enabled_texts(session)?
        .into_iter()
        .map(|(index, message, text)| Turn {
            role: message.role(),
            text,
            index,
        })
        .collect();
    Ok((turns, report, warnings))
}

/// Python's `str.isspace`: Unicode `White_Space` plus U+001C..U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Jinja2's `trim` filter: Python's `str.strip()`.
fn python_strip(text: &str) -> &str {
    text.trim_matches(is_python_space)
}

/// Where an alternating template puts the system prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SystemSlot {
    /// Into the first user turn (Mistral `v1`, Gemma).
    FirstUser,
    /// Into the last turn, when that one is the user's (Mistral `v3`, `v3-tekken`).
    LastUser,
}

/// A conversation rewritten for a template that wants strict user/assistant alternation.
#[derive(Debug)]
struct Alternating {
    /// The leading system messages, joined.
    system: Option<Turn>,
    /// User and assistant turns, alternating, beginning with the user's.
    turns: Vec<Turn>,
}

/// Rewrites `turns` for an alternating template (see the module docs), reporting each change.
/// `assistant_name` is the template's name for the assistant (reported when not `assistant`).
fn alternate(
    turns: Vec<Turn>,
    report: &mut Report,
    target: &str,
    slot: SystemSlot,
    assistant_name: &str,
) -> Result<Alternating, Error> {
    let mut iter = turns.into_iter().peekable();
    let mut system: Option<Turn> = None;
    while let Some(turn) = iter.next_if(|t| t.role == Role::System) {
        match system.as_mut() {
            None => system = Some(turn),
            Some(first) => {
                report.push(Change::Merged {
                    index: turn.index,
                    into: first.index,
                });
                first.text.push_str(MERGE_SEPARATOR);
                first.text.push_str(&turn.text);
            }
        }
    }
    // The changes of the later messages, reported after the system prompt's move.
    let mut later = Report::default();
    let mut out: Vec<Turn> = Vec::new();
    for mut turn in iter {
        if turn.role == Role::System {
            later.push(Change::Renamed {
                index: turn.index,
                from: "system".into(),
                to: "user".into(),
            });
            turn.role = Role::User;
        }
        if turn.role == Role::Assistant && assistant_name != "assistant" {
            later.push(Change::Renamed {
                index: turn.index,
                from: "assistant".into(),
                to: assistant_name.into(),
            });
        }
        match out.last_mut() {
            Some(last) if last.role == turn.role => {
                later.push(Change::Merged {
                    index: turn.index,
                    into: last.index,
                });
                last.text.push_str(MERGE_SEPARATOR);
                last.text.push_str(&turn.text);
            }
            _ => out.push(turn),
        }
    }
    match (out.first(), system.as_ref()) {
        (None, None) => {
            return Err(Error::Unsupported(format!(
                "{target}: the chat template cannot render a conversation without messages"
            )));
        }
        (None, Some(s)) => {
            return Err(Error::Unsupported(format!(
                "{target}: the system prompt (message {}) goes into a user turn, and the \
                 conversation has no user message to carry it",
                s.index
            )));
        }
        (Some(first), _) if first.role != Role::User => {
            return Err(Error::Unsupported(format!(
                "{target}: the chat template wants user/assistant turns beginning with the \
                 user's, and the first turn (message {}) is the assistant's",
                first.index
            )));
        }
        _ => {}
    }
    if let Some(s) = system.as_ref() {
        let to = match slot {
            SystemSlot::FirstUser => "the first user turn",
            SystemSlot::LastUser => match out.last() {
                Some(last) if last.role == Role::User => "the last user turn",
                last => {
                    return Err(Error::Unsupported(format!(
                        "{target}: the chat template puts the system prompt (message {}) into \
                         the last turn only when that turn is the user's, and message {} is the \
                         assistant's: the system prompt would be lost",
                        s.index,
                        last.map_or(s.index, |t| t.index)
                    )));
                }
            },
        };
        report.push(Change::Moved {
            index: s.index,
            to: to.into(),
        });
    }
    report.changes.extend(later.changes);
    Ok(Alternating { system, turns: out })
}

/// A turn found in a prompt string.
#[derive(Clone, Copy, Debug)]
struct Block<'a> {
    role: &'a str,
    content: &'a str,
}

fn violation(index: Option<usize>, rule: &'static str, message: impl Into<String>) -> Violation {
    Violation {
        index,
        rule,
        message: message.into(),
    }
}

/// The prompt string of `payload`, or a violation saying it is not one.
fn prompt_text<'a>(payload: &'a Payload, out: &mut Vec<Violation>) -> Option<&'a str> {
    let text = payload.as_text();
    if text.is_none() {
        out.push(violation(
            None,
            "payload-kind",
            "a chat template renders a prompt string, and this payload is not one",
        ));
    }
    text
}

/// Flags turns whose role is not one of `known`.
fn check_roles(blocks: &[Block<'_>], known: &[&str], out: &mut Vec<Violation>) {
    for (i, block) in blocks.iter().enumerate() {
        if !known.contains(&block.role) {
            out.push(violation(
                Some(i),
                "unknown-role",
                format!(
                    "role {:?} is not one of the template's ({})",
                    block.role,
                    known.join(", ")
                ),
            ));
        }
    }
}

/// Flags turns that break `first`/`second` alternation beginning with `first`.
fn check_alternation(blocks: &[Block<'_>], first: &str, second: &str, out: &mut Vec<Violation>) {
    for (i, block) in blocks.iter().enumerate() {
        let expected = if i % 2 == 0 { first } else { second };
        if block.role != expected {
            out.push(violation(
                Some(i),
                "alternation",
                format!(
                    "turn {i} is {:?}; the template wants {first}/{second} turns alternating, \
                     beginning with {first}",
                    block.role
                ),
            ));
        }
    }
    if !blocks.iter().any(|b| b.role == first) {
        out.push(violation(
            None,
            "no-user-turn",
            format!("the prompt has no {first} turn"),
        ));
    }
}

/// Flags content with whitespace around it where the template trims: turns from `skip` on,
/// of role `only` when given.
fn check_trimmed(blocks: &[Block<'_>], skip: usize, only: Option<&str>, out: &mut Vec<Violation>) {
    for (i, block) in blocks.iter().enumerate().skip(skip) {
        if only.is_some_and(|role| role != block.role) {
            continue;
        }
        if python_strip(block.content).len() != block.content.len() {
            out.push(violation(
                Some(i),
                "untrimmed-content",
                "the template strips the whitespace around each message, and this one has some",
            ));
        }
    }
}

/// Flags content holding any of `markers` (the template's special tokens).
fn check_markers(blocks: &[Block<'_>], markers: &[&str], out: &mut Vec<Violation>) {
    for (i, block) in blocks.iter().enumerate() {
        if let Some(marker) = markers.iter().find(|m| block.content.contains(**m)) {
            out.push(violation(
                Some(i),
                "marker-in-content",
                format!(
                    "the content holds {marker:?}, which the tokenizer reads as a special token"
                ),
            ));
        }
    }
}

/// The complete turns of a prompt made of `start_marker role\n content end_marker\n` blocks (ChatML, Gemma);
/// an unfinished last turn must be `generation_role`'s. Structural faults go to `out`.
fn parse_delimited<'a>(
    text: &'a str,
    start_marker: &str,
    end_marker: &str,
    generation_role: &str,
    out: &mut Vec<Violation>,
) -> Vec<Block<'a>> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let i = blocks.len();
        let Some(turn) = rest.strip_prefix(start_marker) else {
            out.push(violation(
                Some(i),
                "text-outside-turn",
                format!("expected {start_marker:?} to open a turn"),
            ));
            break;
        };
        let Some((role, body)) = turn.split_once('\n') else {
            out.push(violation(
                Some(i),
                "unterminated-turn",
                "the turn's role line does not end",
            ));
            break;
        };
        let Some((content, after)) = body.split_once(end_marker) else {
            if !body.is_empty() {
                out.push(violation(
                    Some(i),
                    "unterminated-turn",
                    format!("the last turn has no {end_marker:?}"),
                ));
            } else if role != generation_role {
                out.push(violation(
                    Some(i),
                    "generation-prompt",
                    format!("the open turn at the end is {role:?}, not {generation_role:?}"),
                ));
            }
            break;
        };
        blocks.push(Block { role, content });
        if let Some(next) = after.strip_prefix('\n') {
            rest = next;
        } else {
            out.push(violation(
                Some(i),
                "turn-separator",
                format!("{end_marker:?} is not followed by a newline"),
            ));
            rest = after;
        }
    }
    blocks
}
