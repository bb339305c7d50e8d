//! Mistral instruct: `<s>[INST] user [/INST] assistant</s>`, in its tokenizer generations.

use std::fmt;

use memor_core::{Role, Session};

use super::{
    Block, MERGE_SEPARATOR, SystemSlot, Turn, alternate, check_alternation, check_markers,
    check_roles, check_trimmed, collect, prompt_text, python_strip, violation,
};
use crate::{Error, Payload, RenderOptions, Rendered, Target, Violation};

const BOS: &str = "<s>";
const EOS: &str = "</s>";
const INST: &str = "[INST]";
const END_INST: &str = "[/INST]";
const SYSTEM_PROMPT: &str = "[SYSTEM_PROMPT]";
const END_SYSTEM_PROMPT: &str = "[/SYSTEM_PROMPT]";
const MARKERS: [&str; 6] = [BOS, EOS, INST, END_INST, SYSTEM_PROMPT, END_SYSTEM_PROMPT];

/// A generation of Mistral's instruct format, chosen with `RenderOptions::variant` by
/// [`name`](MistralVariant::name).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MistralVariant {
    /// `v1`: Mistral-7B-Instruct-v0.1/v0.2, Mixtral-8x7B-Instruct-v0.1.
    /// `<s> [INST] {system}\n\n{user} [/INST] {assistant}</s> [INST] {user} [/INST]`: the
    /// system prompt joins the first user turn. The default.
    #[default]
    V1,
    /// `v3`: Mistral-7B-Instruct-v0.3, Mixtral-8x22B-Instruct-v0.1, Mistral-Large-Instruct-2407.
    /// `<s>[INST] {user}[/INST] {assistant stripped}</s>[INST] {system}\n\n{user}[/INST]`: the
    /// system prompt joins the last user turn.
    V3,
    /// `v3-tekken`: Mistral-Nemo-Instruct-2407, Ministral-8B-Instruct-2410.
    /// `<s>[INST]{user}[/INST]{assistant}</s>[INST]{system}\n\n{user}[/INST]`.
    V3Tekken,
    /// `v7`: Mistral-Large-Instruct-2411.
    /// `<s>[SYSTEM_PROMPT] {system}[/SYSTEM_PROMPT][INST] {user}[/INST] {assistant}</s>`, any
    /// order of roles.
    V7,
}

impl MistralVariant {
    /// Every variant.
    pub const ALL: [MistralVariant; 4] = [
        MistralVariant::V1,
        MistralVariant::V3,
        MistralVariant::V3Tekken,
        MistralVariant::V7,
    ];

    /// The name `RenderOptions::variant` takes: `v1`, `v3`, `v3-tekken`, `v7`.
    pub const fn name(self) -> &'static str {
        match self {
            MistralVariant::V1 => "v1",
            MistralVariant::V3 => "v3",
            MistralVariant::V3Tekken => "v3-tekken",
            MistralVariant::V7 => "v7",
        }
    }

    /// The variant named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The text around a user turn.
    const fn user_markers(self) -> (&'static str, &'static str) {
        match self {
            MistralVariant::V1 => (" [INST] ", " [/INST]"),
            MistralVariant::V3 | MistralVariant::V7 => ("[INST] ", "[/INST]"),
            MistralVariant::V3Tekken => ("[INST]", "[/INST]"),
        }
    }

    /// The text before an assistant turn (its end is always `</s>`).
    const fn assistant_prefix(self) -> &'static str {
        match self {
            MistralVariant::V3Tekken => "",
            MistralVariant::V1 | MistralVariant::V3 | MistralVariant::V7 => " ",
        }
    }
}

impl fmt::Display for MistralVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Mistral instruct prompts (`mistral`), in the variant of
/// [`RenderOptions::variant`](crate::RenderOptions::variant()) (`v1`, `v3`, `v3-tekken`, `v7`),
/// else the target's own ([`MistralVariant::V1`] for [`Mistral::default`]). See
/// [`MistralVariant`] for each layout. The templates write no generation prompt: a prompt
/// ending with a user turn is ready for generation, and `add_generation_prompt` changes
/// nothing.
///
/// [`validate`](Target::validate) checks a prompt against the target's own variant (build
/// `Mistral::new(MistralVariant::V7)` to check a `v7` prompt): the BOS, `[INST]`/`[/INST]`,
/// `[SYSTEM_PROMPT]`/`[/SYSTEM_PROMPT]` and `</s>` closing what they open, no marker inside
/// content, user/assistant alternation from the user (all but `v7`), stripped assistant
/// content (`v3`).
///
/// ```
/// use memor_core::{Prompt, Role, Session};
/// use memor_render::{RenderOptions, target};
///
/// let mut system = Prompt::new("You are terse.");
/// system.update_role(Role::System);
/// let session = Session::with_messages(None, vec![system.into(), Prompt::new("Hi").into()]);
/// let mistral = target("mistral").expect("a built-in target");
///
/// let v1 = mistral.render(&session, &RenderOptions::default())?;
/// assert_eq!(v1.payload.as_text(), Some("<s> [INST] You are terse.\n\nHi [/INST]"));
/// assert_eq!(v1.report.to_string(), "message 0: moved to the first user turn\n");
///
/// let v7 = mistral.render(&session, &RenderOptions::default().variant("v7"))?;
/// assert_eq!(
///     v7.payload.as_text(),
///     Some("<s>[SYSTEM_PROMPT] You are terse.[/SYSTEM_PROMPT][INST] Hi[/INST]")
/// );
/// assert!(v7.report.is_empty());
/// # Ok::<(), memor_render::Error>(())
/// ```
///
#[doc = include_str!("alternation.md")]
#[derive(Clone, Copy, Debug, Default)]
pub struct Mistral {
    variant: MistralVariant,
}

impl Mistral {
    /// The target rendering and validating `variant` unless the options name another.
    pub const fn new(variant: MistralVariant) -> Self {
        Mistral { variant }
    }

    /// The target's own variant.
    pub const fn variant(&self) -> MistralVariant {
        self.variant
    }

    fn resolve(self, options: &RenderOptions) -> Result<MistralVariant, Error> {
        match options.variant.as_deref() {
            None => Ok(self.variant),
            Some(name) => MistralVariant::from_name(name).ok_or_else(|| {
                Error::Unsupported(format!(
                    "mistral: unknown variant {name:?}; known: v1, v3, v3-tekken, v7"
                ))
            }),
        }
    }
}

fn push_user(text: &mut String, variant: MistralVariant, system: Option<&str>, content: &str) {
    let (open, close) = variant.user_markers();
    text.push_str(open);
    if let Some(system) = system {
        text.push_str(system);
        text.push_str(MERGE_SEPARATOR);
    }
    text.push_str(content);
    text.push_str(close);
}

fn push_assistant(text: &mut String, variant: MistralVariant, content: &str) {
    text.push_str(variant.assistant_prefix());
    if variant == MistralVariant::V3 {
        text.push_str(python_strip(content));
    } else {
        text.push_str(content);
    }
    text.push_str(EOS);
}

fn render_v7(turns: &[Turn]) -> String {
    let mut text = String::from(BOS);
    for turn in turns {
        match turn.role {
            Role::System => {
                text.push_str(SYSTEM_PROMPT);
                text.push(' ');
                text.push_str(&turn.text);
                text.push_str(END_SYSTEM_PROMPT);
            }
            Role::User => push_user(&mut text, MistralVariant::V7, None, &turn.text),
            Role::Assistant => push_assistant(&mut text, MistralVariant::V7, &turn.text),
        }
    }
    text
}

impl Target for Mistral {
    fn name(&self) -> &'static str {
        "mistral"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let variant = self.resolve(options)?;
        let (turns, mut report, warnings) = collect(session)?;
        let text = if variant == MistralVariant::V7 {
            render_v7(&turns)
        } else {
            let slot = if variant == MistralVariant::V1 {
                SystemSlot::FirstUser
            } else {
                SystemSlot::LastUser
            };
            let target = format!("mistral {variant}");
            let alternating = alternate(turns, &mut report, &target, slot, "assistant")?;
            let system = alternating.system.as_ref().map(|s| s.text.as_str());
            let carrier = match slot {
                SystemSlot::FirstUser => 0,
                SystemSlot::LastUser => alternating.turns.len().saturating_sub(1),
            };
            let mut text = String::from(BOS);
            for (i, turn) in alternating.turns.iter().enumerate() {
                match turn.role {
                    Role::Assistant => push_assistant(&mut text, variant, &turn.text),
                    Role::User | Role::System => {
                        let system = if i == carrier { system } else { None };
                        push_user(&mut text, variant, system, &turn.text);
                    }
                }
            }
            text
        };
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
        let variant = self.variant;
        let rest = if let Some(rest) = text.strip_prefix(BOS) {
            rest
        } else {
            out.push(violation(
                None,
                "bos",
                format!("the prompt does not begin with {BOS:?}"),
            ));
            text
        };
        let blocks = parse(rest, variant, &mut out);
        check_markers(&blocks, &MARKERS, &mut out);
        if variant == MistralVariant::V7 {
            check_roles(&blocks, &["system", "user", "assistant"], &mut out);
        } else {
            check_alternation(&blocks, "user", "assistant", &mut out);
        }
        if variant == MistralVariant::V3 {
            check_trimmed(&blocks, 0, Some("assistant"), &mut out);
        }
        out
    }
}

/// The turns of a Mistral prompt after its BOS; structural faults go to `out`.
fn parse<'a>(text: &'a str, variant: MistralVariant, out: &mut Vec<Violation>) -> Vec<Block<'a>> {
    let (user_open, user_close) = variant.user_markers();
    let system_open = "[SYSTEM_PROMPT] ";
    let mut blocks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let i = blocks.len();
        let (role, close, body) = if let Some(body) = rest.strip_prefix(user_open) {
            ("user", user_close, body)
        } else if let Some(body) = rest
            .strip_prefix(system_open)
            .filter(|_| variant == MistralVariant::V7)
        {
            ("system", END_SYSTEM_PROMPT, body)
        } else if let Some(body) = rest.strip_prefix(variant.assistant_prefix()) {
            ("assistant", EOS, body)
        } else {
            out.push(violation(
                Some(i),
                "text-outside-turn",
                format!("expected {user_open:?} or an assistant turn"),
            ));
            break;
        };
        let Some((content, after)) = body.split_once(close) else {
            out.push(violation(
                Some(i),
                "unterminated-turn",
                format!("the {role} turn has no {close:?}"),
            ));
            break;
        };
        blocks.push(Block { role, content });
        rest = after;
    }
    blocks
}
