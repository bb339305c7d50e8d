//! Fitting a session to a token budget: which messages to send to a model.
//!
//! [`fit`] chooses the messages of a session that a target's render can carry within
//! `budget − reserve` tokens (the reserve is left for the reply), counted by a
//! [`Counter`]:
//!
//! - every enabled system message is kept, and so is every pinned message
//!   ([`FitOptions::pin`]), whatever its age;
//! - the other messages go in turns: a user message with the assistant messages that follow it
//!   (a prompt and its response are never separated). The newest turns are kept first, as many
//!   as fit: the kept turns are the newest ones without a gap, and the turn that does not fit
//!   ends the selection, older turns are left out;
//! - assistant messages before the first user message form a turn of their own; where the
//!   target cannot start with an assistant turn (it fails, or adds a user turn: Anthropic,
//!   Gemini, Mistral, Gemma), that turn is always left out
//!   ([`LeftOutReason::LeadingAssistant`]), and pinning it is an error;
//! - masked messages stay masked and are not reported.
//!
//! Each message is counted once (as its own turn, [`Counter::count_message`]) to choose how
//! many turns to try; that choice is then checked by rendering it with the target and counting
//! the payload ([`Counter::count_render`]), and the number of turns is lowered (or raised,
//! when the per-message counts were not the render's) until the render's count is within the
//! limit. The search renders at most [`MAX_RENDERS`] times. With an exact counter the returned
//! selection's render never exceeds the limit; with an estimate, the count is the estimate's
//! and [`Fit::caveat`] says that the real count may be higher.
//!
//! When the system messages and pinned messages do not fit on their own, [`fit`] fails with
//! [`FitError::DoesNotFit`] rather than leave any of them out.
//!
//! ```
//! use memor_core::estimate::Estimator;
//! use memor_core::{Prompt, Response, Role, Session};
//! use memor_render::fit::{FitOptions, fit};
//! use memor_render::target;
//! use memor_render::tokens::Counter;
//!
//! let mut system = Prompt::new("You are terse.");
//! system.update_role(Role::System);
//! let mut messages = vec![system.into()];
//! for i in 0..50 {
//!     messages.push(Prompt::new(format!("Question {i}: what comes after {i}?")).into());
//!     messages.push(Response::new(format!("{}", i + 1)).into());
//! }
//! let session = Session::with_messages(None, messages);
//!
//! let counter = Counter::for_model("gpt-4o", Estimator::Universal);
//! let openai = target("openai").expect("a built-in target");
//! let fitted = fit(&session, openai.as_ref(), &counter, &FitOptions::new(200).reserve(50))?;
//! assert!(fitted.count.tokens <= 150);
//! assert_eq!(fitted.kept[0], 0); // the system prompt
//! assert_eq!(fitted.kept.last(), Some(&100)); // the newest answer
//! assert_eq!(fitted.session.messages_status()[1], false); // the oldest question is masked
//! # Ok::<(), memor_render::fit::FitError>(())
//! ```

use std::fmt;

use memor_core::{Response, Role, Session};

use crate::tokens::{Count, Counter, Fallback, Framing, REPLY_PRIMING};
use crate::{Change, Error, RenderOptions, Target};

/// The most renders one [`fit`] makes to check its selection.
pub const MAX_RENDERS: usize = 64;

/// What to fit a session to.
///
/// ```
/// use memor_render::fit::FitOptions;
/// use memor_render::RenderOptions;
///
/// let options = FitOptions::new(128_000)
///     .reserve(4_096)
///     .pin(3)
///     .render(RenderOptions::default().model("gpt-4o"));
/// assert_eq!(options.limit(), Some(123_904));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct FitOptions {
    /// The model's context size, in tokens.
    pub budget: usize,
    /// The tokens left out of the budget for the reply.
    pub reserve: usize,
    /// Indices of messages kept whatever their age (each with its turn).
    pub pinned: Vec<usize>,
    /// The options of the target's render.
    pub render: RenderOptions,
}

impl FitOptions {
    /// A budget of `budget` tokens, no reserve, nothing pinned.
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            ..Self::default()
        }
    }

    /// Sets the tokens kept for the reply.
    #[must_use]
    pub fn reserve(mut self, reserve: usize) -> Self {
        self.reserve = reserve;
        self
    }

    /// Pins the message at `index`.
    #[must_use]
    pub fn pin(mut self, index: usize) -> Self {
        self.pinned.push(index);
        self
    }

    /// Pins the messages at `indices`.
    #[must_use]
    pub fn pinned(mut self, indices: impl IntoIterator<Item = usize>) -> Self {
        self.pinned.extend(indices);
        self
    }

    /// Sets the render options.
    #[must_use]
    pub fn render(mut self, render: RenderOptions) -> Self {
        self.render = render;
        self
    }

    /// `budget − reserve`, the most tokens the render may take; `None` when the reserve is
    /// larger than the budget.
    pub fn limit(&self) -> Option<usize> {
        self.budget.checked_sub(self.reserve)
    }
}

/// Why a message was left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LeftOutReason {
    /// Its turn is older than the kept ones, or did not fit.
    Budget,
    /// An assistant message before any user message, which the target cannot send first.
    LeadingAssistant,
}

impl fmt::Display for LeftOutReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Budget => "over the budget",
            Self::LeadingAssistant => "an assistant turn the target cannot send first",
        })
    }
}

/// A message left out of the fitted session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LeftOut {
    /// Its index in the session.
    pub index: usize,
    /// Why.
    pub reason: LeftOutReason,
}

/// What is wrong with a pinned message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PinProblem {
    /// There is no message at that index.
    OutOfRange {
        /// The number of messages.
        len: usize,
    },
    /// The message is masked.
    Masked,
    /// An assistant message before any user message, which the target cannot send first.
    LeadingAssistant,
}

impl fmt::Display for PinProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfRange { len } => write!(f, "no such message (the session has {len})"),
            Self::Masked => f.write_str("the message is masked"),
            Self::LeadingAssistant => f.write_str(
                "an assistant message before any user message, which this target cannot send \
                 first",
            ),
        }
    }
}

/// Why [`fit`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// The reserve is larger than the budget.
    #[error("the reserve ({reserve} tokens) is larger than the budget ({budget} tokens)")]
    ReserveExceedsBudget {
        /// The budget.
        budget: usize,
        /// The reserve.
        reserve: usize,
    },
    /// A pinned message cannot be kept.
    #[error("pinned message {index}: {problem}")]
    Pinned {
        /// Its index.
        index: usize,
        /// What is wrong.
        problem: PinProblem,
    },
    /// Not even the messages that must be kept fit.
    #[error(
        "nothing fits: the smallest selection (the system and pinned messages, and the newest \
         turn where the target needs one) takes {required}, more than the {limit} tokens the \
         budget leaves after the reserve"
    )]
    DoesNotFit {
        /// The count of the smallest selection the target renders.
        required: Count,
        /// `budget − reserve`.
        limit: usize,
    },
    /// The target cannot render the messages that must be kept, or a message does not render.
    #[error(transparent)]
    Render(#[from] Error),
}

/// The messages chosen by [`fit`], and what was left out.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Fit {
    /// A copy of the session with every message left out masked.
    pub session: Session,
    /// The indices of the messages sent, in order.
    pub kept: Vec<usize>,
    /// The enabled messages left out, in order.
    pub left_out: Vec<LeftOut>,
    /// The count of the render of [`session`](Fit::session) for the target: the final count,
    /// with its kind.
    pub count: Count,
    /// The budget.
    pub budget: usize,
    /// The reserve.
    pub reserve: usize,
    /// Why the counter is not exact under the model's published encoding, when it was chosen
    /// by [`Counter::for_model`].
    pub fallback: Option<Fallback>,
    /// How many renders checked the selection.
    pub renders: usize,
}

impl Fit {
    /// `budget − reserve`.
    pub fn limit(&self) -> usize {
        self.budget.saturating_sub(self.reserve)
    }

    /// Whether the count is exact, so that the render is known to be within the limit.
    pub fn is_guaranteed(&self) -> bool {
        self.count.is_exact()
    }

    /// What to know before trusting the count: it is an estimate, or its encoding is assumed.
    ///
    /// ```
    /// use memor_core::estimate::Estimator;
    /// use memor_core::{Prompt, Session};
    /// use memor_render::fit::{FitOptions, fit};
    /// use memor_render::target;
    /// use memor_render::tokens::Counter;
    ///
    /// let session = Session::with_messages(None, vec![Prompt::new("Hi").into()]);
    /// let counter = Counter::estimate(Estimator::Universal);
    /// let fitted = fit(&session, target("chat").unwrap().as_ref(), &counter, &FitOptions::new(100))?;
    /// assert!(!fitted.is_guaranteed());
    /// assert!(fitted.caveat().unwrap().contains("may be higher"));
    /// # Ok::<(), memor_render::fit::FitError>(())
    /// ```
    pub fn caveat(&self) -> Option<String> {
        let mut notes = Vec::new();
        if !self.count.is_exact() {
            notes.push(format!(
                "the count is an estimate ({}): the real count may be higher than the limit",
                self.count.kind
            ));
        }
        if let Some(fallback) = self.fallback {
            notes.push(fallback.to_string());
        }
        (!notes.is_empty()).then(|| notes.join("; "))
    }
}

impl fmt::Display for Fit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kept {} message(s), left out {}: {} within {} (budget {} - reserve {})",
            self.kept.len(),
            self.left_out.len(),
            self.count,
            self.limit(),
            self.budget,
            self.reserve
        )?;
        if let Some(caveat) = self.caveat() {
            write!(f, "; {caveat}")?;
        }
        Ok(())
    }
}

/// A user message and the assistant messages after it (or leading assistant messages).
#[derive(Debug)]
struct Unit {
    members: Vec<usize>,
    leading_assistant: bool,
}

/// The result of one checking render.
enum Outcome {
    Fits(Count),
    Over(Count),
    /// The target refused the selection (the error is kept in [`Search::error`]).
    Failed,
}

/// The state of the search: the working copy of the session and what the checks found.
struct Search<'a> {
    work: Session,
    fixed: &'a [usize],
    candidates: &'a [Unit],
    target: &'a dyn Target,
    counter: &'a Counter,
    options: &'a RenderOptions,
    limit: usize,
    renders: usize,
    /// The smallest count over the limit, and the last render error.
    over: Option<Count>,
    error: Option<Error>,
}

impl Search<'_> {
    /// Enables the fixed messages and the newest `k` candidate turns.
    fn select(&mut self, k: usize) -> Result<(), Error> {
        let mut status = vec![false; self.work.len()];
        let newest = self.candidates.iter().rev().take(k);
        for &index in self
            .fixed
            .iter()
            .chain(newest.flat_map(|unit| unit.members.iter()))
        {
            if let Some(slot) = status.get_mut(index) {
                *slot = true;
            }
        }
        self.work
            .update_messages_status(status)
            .map_err(|e| Error::Unsupported(e.to_string()))
    }

    /// Renders the selection of `k` turns and counts it.
    fn check(&mut self, k: usize) -> Result<Outcome, Error> {
        self.select(k)?;
        self.renders += 1;
        Ok(
            match self
                .counter
                .count_render(self.target, &self.work, self.options)
            {
                Ok(count) if count.total.tokens <= self.limit => Outcome::Fits(count.total),
                Ok(count) => {
                    if self.over.is_none_or(|c| count.total.tokens < c.tokens) {
                        self.over = Some(count.total);
                    }
                    Outcome::Over(count.total)
                }
                Err(e) => {
                    self.error = Some(e);
                    Outcome::Failed
                }
            },
        )
    }
}

/// Whether `target` cannot send an assistant turn first: its render of a lone assistant
/// message fails or adds a user turn in front.
fn forbids_leading_assistant(target: &dyn Target, options: &RenderOptions) -> bool {
    let probe = Session::with_messages(None, vec![Response::new("x").into()]);
    match target.render(&probe, options) {
        Ok(rendered) => rendered
            .report
            .iter()
            .any(|change| matches!(change, Change::Synthesized { position: 0, .. })),
        Err(_) => true,
    }
}

/// Chooses the messages of `session` that `target`'s render carries within
/// `budget − reserve` tokens counted by `counter` (see the [module docs](self)).
///
/// # Errors
/// - [`FitError::ReserveExceedsBudget`];
/// - [`FitError::Pinned`]: a pinned index out of range, masked, or a leading assistant message
///   the target cannot send first;
/// - [`FitError::DoesNotFit`]: the system and pinned messages alone exceed the limit;
/// - [`FitError::Render`]: a message that does not render, or a selection the target refuses
///   whatever its size.
pub fn fit(
    session: &Session,
    target: &dyn Target,
    counter: &Counter,
    options: &FitOptions,
) -> Result<Fit, FitError> {
    let limit = options.limit().ok_or(FitError::ReserveExceedsBudget {
        budget: options.budget,
        reserve: options.reserve,
    })?;
    let status = session.messages_status();
    for &index in &options.pinned {
        match status.get(index) {
            None => {
                return Err(FitError::Pinned {
                    index,
                    problem: PinProblem::OutOfRange { len: session.len() },
                });
            }
            Some(false) => {
                return Err(FitError::Pinned {
                    index,
                    problem: PinProblem::Masked,
                });
            }
            Some(true) => {}
        }
    }

    // System messages, and the turns.
    let mut system = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    for (index, message) in session.enabled_messages() {
        match message.role() {
            Role::System => system.push(index),
            Role::User => units.push(Unit {
                members: vec![index],
                leading_assistant: false,
            }),
            Role::Assistant => match units.last_mut() {
                Some(unit) => unit.members.push(index),
                None => units.push(Unit {
                    members: vec![index],
                    leading_assistant: true,
                }),
            },
        }
    }
    let forbid_leading = units.iter().any(|u| u.leading_assistant)
        && forbids_leading_assistant(target, &options.render);
    let mut fixed = system;
    let mut candidates = Vec::new();
    let mut excluded = Vec::new();
    for unit in units {
        let pinned = options
            .pinned
            .iter()
            .find(|index| unit.members.contains(index));
        match pinned {
            Some(&index) if unit.leading_assistant && forbid_leading => {
                return Err(FitError::Pinned {
                    index,
                    problem: PinProblem::LeadingAssistant,
                });
            }
            Some(_) => fixed.extend(unit.members),
            None if unit.leading_assistant && forbid_leading => excluded.extend(unit.members),
            None => candidates.push(unit),
        }
    }
    fixed.sort_unstable();

    let framing = Framing::for_target(target, &options.render);
    let mut search = Search {
        work: session.clone(),
        fixed: &fixed,
        candidates: &candidates,
        target,
        counter,
        options: &options.render,
        limit,
        renders: 0,
        over: None,
        error: None,
    };

    // The fixed messages alone.
    let mut best: Option<(usize, Count)> = None;
    let base = match search.check(0)? {
        Outcome::Fits(count) => {
            best = Some((0, count));
            count.tokens
        }
        Outcome::Over(required) => return Err(FitError::DoesNotFit { required, limit }),
        Outcome::Failed => {
            // Some targets cannot render the fixed messages alone (a system prompt with no user
            // turn to carry it): predict from the messages.
            let mut tokens = if framing == Framing::Chat {
                REPLY_PRIMING
            } else {
                0
            };
            for &index in &fixed {
                if let Some(message) = session.get_message(index) {
                    tokens += counter.message_tokens(message, index, framing)?;
                }
            }
            tokens
        }
    };

    // The fast path: each message counted once, the newest turns taken while they fit.
    let mut predicted = base;
    let mut guess = 0;
    for unit in candidates.iter().rev() {
        let mut cost = 0;
        for &index in &unit.members {
            if let Some(message) = session.get_message(index) {
                cost += counter.message_tokens(message, index, framing)?;
            }
        }
        if predicted + cost > limit {
            break;
        }
        predicted += cost;
        guess += 1;
    }

    // Check the guess with a render, then search around it: `lo` turns fit (or `lo` is 0),
    // `hi` turns do not (or `hi` is one past the last).
    let total = candidates.len();
    let mut lo = 0;
    let mut hi = total + 1;
    if guess > 0 {
        match search.check(guess)? {
            Outcome::Fits(count) => {
                lo = guess;
                best = Some((guess, count));
            }
            Outcome::Over(_) | Outcome::Failed => hi = guess,
        }
    }
    let exact_guess =
        guess > 0 && best.is_some_and(|(k, count)| k == guess && count.tokens == predicted);
    if exact_guess {
        // The per-message counts were the render's (the chat framing adds up): the next turn,
        // predicted over the limit, does not fit either.
        hi = hi.min(guess + 1);
    } else if lo == guess {
        // Counted low: gallop up.
        let mut step = 1;
        while search.renders < MAX_RENDERS {
            let k = (lo + step).min(hi - 1);
            if k <= lo {
                break;
            }
            match search.check(k)? {
                Outcome::Fits(count) => {
                    lo = k;
                    best = Some((k, count));
                    step *= 2;
                }
                Outcome::Over(_) | Outcome::Failed => {
                    hi = k;
                    break;
                }
            }
        }
    } else {
        // Counted high: gallop down.
        let mut step = 1;
        while search.renders < MAX_RENDERS && hi > lo + 1 {
            let k = hi.saturating_sub(step).max(lo + 1);
            match search.check(k)? {
                Outcome::Fits(count) => {
                    lo = k;
                    best = Some((k, count));
                    break;
                }
                Outcome::Over(_) | Outcome::Failed => {
                    hi = k;
                    step *= 2;
                }
            }
        }
    }
    while hi > lo + 1 && search.renders < MAX_RENDERS {
        let mid = lo + (hi - lo) / 2;
        match search.check(mid)? {
            Outcome::Fits(count) => {
                lo = mid;
                best = Some((mid, count));
            }
            Outcome::Over(_) | Outcome::Failed => hi = mid,
        }
    }

    let Some((k, count)) = best else {
        return Err(match (search.over, search.error) {
            (Some(required), _) => FitError::DoesNotFit { required, limit },
            (None, Some(e)) => FitError::Render(e),
            (None, None) => FitError::Render(Error::Unsupported(
                "no selection of the session could be rendered".to_owned(),
            )),
        });
    };
    search.select(k)?;
    let Search { work, renders, .. } = search;
    let kept: Vec<usize> = work.enabled_messages().map(|(index, _)| index).collect();
    let left_out = session
        .enabled_messages()
        .filter(|(index, _)| kept.binary_search(index).is_err())
        .map(|(index, _)| LeftOut {
            index,
            reason: if excluded.contains(&index) {
                LeftOutReason::LeadingAssistant
            } else {
                LeftOutReason::Budget
            },
        })
        .collect();
    Ok(Fit {
        session: work,
        kept,
        left_out,
        count,
        budget: options.budget,
        reserve: options.reserve,
        fallback: counter.fallback(),
        renders,
    })
}
