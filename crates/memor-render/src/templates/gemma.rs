//! Gemma: `<start_of_turn>user\ncontent<end_of_turn>\n`, roles `user` and `model`.

use std::fmt;

use memor_core::{Role, Session};

use super::{
    Block, MERGE_SEPARATOR, SystemSlot, alternate, check_alternation, check_markers, check_roles,
    check_trimmed, collect, parse_delimited, prompt_text, python_strip, violation,
};
use crate::{Error, Payload, RenderOptions, Rendered, Target, Violation};

const BOS: &str = "<bos>";
const START: &str = "<start_of_turn>";
const END: &str = "<end_of_turn>";
const MARKERS: [&str; 4] = [BOS, "<eos>", START, END];

/// A generation of Gemma's chat template, chosen with `RenderOptions::variant` by
/// [`name`](GemmaVariant::name).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GemmaVariant {
    /// `gemma2`: google/gemma-2-2b-it, -9b-it, -27b-it (and gemma-1.1-2b-it, -7b-it). The
    /// template refuses a system message: this target joins it to the first user turn (as
    /// `{system}\n\n{user}`), and the template strips the joined text.
    Gemma2,
    /// `gemma3`: google/gemma-3-1b-it, -4b-it, -12b-it, -27b-it. The template itself writes a
    /// leading system message as `{system}\n\n` before the first user turn's stripped text. The
    /// default.
    #[default]
    Gemma3,
}

impl GemmaVariant {
    /// Every variant.
    pub const ALL: [GemmaVariant; 2] = [GemmaVariant::Gemma2, GemmaVariant::Gemma3];

    /// The name `RenderOptions::variant` takes: `gemma2`, `gemma3`.
    pub const fn name(self) -> &'static str {
        match self {
            GemmaVariant::Gemma2 => "gemma2",
            GemmaVariant::Gemma3 => "gemma3",
        }
    }

    /// The variant named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }
}

impl fmt::Display for GemmaVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Gemma prompts (`gemma`), in the variant of
/// [`RenderOptions::variant`](crate::RenderOptions::variant()) (`gemma2`, `gemma3`), else the
/// target's own ([`GemmaVariant::Gemma3`] for [`Gemma::default`]):
/// `<bos><start_of_turn>user\n{content}<end_of_turn>\n<start_of_turn>model\n{content}<end_of_turn>\n`,
/// then `<start_of_turn>model\n` when a generation prompt is asked for. Gemma has no system
/// role ("provide system-level instructions directly within the initial user prompt"): the
/// system prompt goes into the first user turn ([`Change::Moved`](crate::Change::Moved)), and
/// `assistant` is sent as `model` ([`Change::Renamed`](crate::Change::Renamed)).
///
/// [`validate`](Target::validate) checks a prompt against the target's own variant: the BOS,
/// `<start_of_turn>{role}\n…<end_of_turn>\n` turns, roles `user` and `model` alternating from
/// the user's, an open turn at the end only as `<start_of_turn>model\n`, no marker inside
/// content, stripped content (Gemma 3: but the first turn's).
///
/// ```
/// use memor_core::{Prompt, Response, Role, Session};
/// use memor_render::{Change, RenderOptions, target};
///
/// let mut system = Prompt::new("You are terse.");
/// system.update_role(Role::System);
/// let session = Session::with_messages(
///     None,
///     vec![system.into(), Prompt::new("Hi").into(), Response::new("Hello.").into()],
/// );
/// let gemma = target("gemma").expect("a built-in target");
/// let rendered = gemma.render(&session, &RenderOptions::default().add_generation_prompt(true))?;
/// assert_eq!(
///     rendered.payload.as_text(),
///     Some(concat!(
///         "<bos><start_of_turn>user\nYou are terse.\n\nHi<end_of_turn>\n",
///         "<start_of_turn>model\nHello.<end_of_turn>\n",
///         "<start_of_turn>model\n",
///     ))
/// );
/// assert_eq!(
///     rendered.report.changes,
///     [
///         Change::Moved { index: 0, to: "the first user turn".into() },
///         Change::Renamed { index: 2, from: "assistant".into(), to: "model".into() },
///     ]
/// );
/// assert!(gemma.validate(&rendered.payload).is_empty());
/// # Ok::<(), memor_render::Error>(())
/// ```
///
#[doc = include_str!("alternation.md")]
#[derive(Clone, Copy, Debug, Default)]
pub struct Gemma {
    variant: GemmaVariant,
}

impl Gemma {
    /// The target rendering and validating `variant` unless the options name another.
    pub const fn new(variant: GemmaVariant) -> Self {
        Gemma { variant }
    }

    /// The target's own variant.
    pub const fn variant(&self) -> GemmaVariant {
        self.variant
    }

    fn resolve(self, options: &RenderOptions) -> Result<GemmaVariant, Error> {
        match options.variant.as_deref() {
            None => Ok(self.variant),
            Some(name) => GemmaVariant::from_name(name).ok_or_else(|| {
                Error::Unsupported(format!(
                    "gemma: unknown variant {name:?}; known: gemma2, gemma3"
                ))
            }),
        }
    }
}

impl Target for Gemma {
    fn name(&self) -> &'static str {
        "gemma"
    }

    fn render(&self, session: &Session, options: &RenderOptions) -> Result<Rendered, Error> {
        let variant = self.resolve(options)?;
        let (turns, mut report, warnings) = collect(session)?;
        let target = format!("gemma {variant}");
        let alternating = alternate(turns, &mut report, &target, SystemSlot::FirstUser, "model")?;
        let mut text = String::from(BOS);
        for (i, turn) in alternating.turns.iter().enumerate() {
            text.push_str(START);
            text.push_str(if turn.role == Role::Assistant {
                "model"
            } else {
                "user"
            });
            text.push('\n');
            match alternating.system.as_ref().filter(|_| i == 0) {
                Some(system) if variant == GemmaVariant::Gemma2 => {
                    let joined = format!("{}{MERGE_SEPARATOR}{}", system.text, turn.text);
                    text.push_str(python_strip(&joined));
                }
                Some(system) => {
                    text.push_str(&system.text);
                    text.push_str(MERGE_SEPARATOR);
                    text.push_str(python_strip(&turn.text));
                }
                None => text.push_str(python_strip(&turn.text)),
            }
            text.push_str(END);
            text.push('\n');
        }
        if options.add_generation_prompt {
            text.push_str(START);
            text.push_str("model\n");
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
        let blocks = parse(rest, &mut out);
        check_markers(&blocks, &MARKERS, &mut out);
        check_roles(&blocks, &["user", "model"], &mut out);
        check_alternation(&blocks, "user", "model", &mut out);
        // Gemma 3 writes the system prompt unstripped before the first turn's stripped text.
        let skip = usize::from(self.variant == GemmaVariant::Gemma3);
        check_trimmed(&blocks, skip, None, &mut out);
        out
    }
}

/// The complete turns of a Gemma prompt after its BOS; structural faults go to `out`.
fn parse<'a>(text: &'a str, out: &mut Vec<Violation>) -> Vec<Block<'a>> {
    parse_delimited(text, START, END, "model", out)
}
