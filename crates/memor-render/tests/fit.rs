//! `fit`: properties over random sessions and budgets (the fitted render's count is within
//! `budget − reserve`, the system prompt is kept when it alone fits, a prompt and its response
//! are never separated, the kept turns are the newest, no leading assistant turn where the
//! target forbids it), and the documented cases one by one.
//!
//! With the `tiktoken` feature the counts are exact (`o200k_base`); without it, memor's
//! UNIVERSAL estimate, for which the same properties hold of the estimated count.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use memor_core::estimate::Estimator;
use memor_core::{Message, Prompt, Response, Role, Session};
use memor_render::fit::{FitError, FitOptions, LeftOutReason, PinProblem, fit};
use memor_render::tokens::{Counter, Encoding};
use memor_render::{RenderOptions, Target, target};
use proptest::prelude::*;

/// Exact when the feature is on, memor's estimate otherwise.
fn counter() -> Counter {
    Counter::exact(Encoding::O200kBase).unwrap_or(Counter::estimate(Estimator::Universal))
}

const WORDS: [&str; 12] = [
    "the", "memory", "model", "prompt", "Paris", "é", "🦀", "token", "context", "\n", "{x}", "—",
];

/// Targets that cannot start with an assistant turn.
const FORBID_LEADING: [&str; 4] = ["anthropic", "gemini", "mistral", "gemma"];

const TARGETS: [&str; 10] = [
    "openai",
    "chat",
    "anthropic",
    "gemini",
    "openai-responses",
    "ollama",
    "chatml",
    "llama3",
    "mistral",
    "gemma",
];

fn system(text: &str) -> Message {
    let mut p = Prompt::new(text);
    p.update_role(Role::System);
    p.into()
}

fn user(text: &str) -> Message {
    Prompt::new(text).into()
}

fn assistant(text: &str) -> Message {
    Response::new(text).into()
}

/// The turns of a session as `fit` defines them: each user message with the assistant messages
/// after it, and the leading assistant messages; system messages apart.
fn units(session: &Session) -> (Vec<usize>, Vec<(bool, Vec<usize>)>) {
    let mut system = Vec::new();
    let mut units: Vec<(bool, Vec<usize>)> = Vec::new();
    for (index, message) in session.enabled_messages() {
        match message.role() {
            Role::System => system.push(index),
            Role::User => units.push((false, vec![index])),
            Role::Assistant => match units.last_mut() {
                Some(unit) => unit.1.push(index),
                None => units.push((true, vec![index])),
            },
        }
    }
    (system, units)
}

/// `session` with only the messages at `keep` enabled.
fn only(session: &Session, keep: &[usize]) -> Session {
    let mut copy = session.clone();
    let status = (0..session.len()).map(|i| keep.contains(&i)).collect();
    copy.update_messages_status(status).unwrap();
    copy
}

fn count(target: &dyn Target, session: &Session) -> Option<usize> {
    counter()
        .count_render(target, session, &RenderOptions::default())
        .ok()
        .map(|c| c.total.tokens)
}

/// One generated message: 0 system, 1 user, 2 assistant; its words; whether it is masked.
type Spec = (u8, Vec<usize>, bool);

fn build(leading: usize, specs: &[Spec]) -> Session {
    let text = |words: &[usize]| {
        words
            .iter()
            .map(|&w| WORDS[w % WORDS.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut messages = vec![system("You are a careful assistant.")];
    for i in 0..leading {
        messages.push(assistant(&format!("Hello {i}, how can I help?")));
    }
    let mut status = vec![true; messages.len()];
    for (kind, words, masked) in specs {
        let t = text(words);
        messages.push(match kind % 8 {
            0 => system(&t),
            1..=4 => user(&t),
            _ => assistant(&t),
        });
        status.push(!masked);
    }
    let mut session = Session::with_messages(None, messages);
    session.update_messages_status(status).unwrap();
    session
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..8,
        prop::collection::vec(0usize..WORDS.len(), 0..40),
        prop::bool::weighted(0.1),
    )
}

fn check_fit(
    session: &Session,
    name: &str,
    budget: usize,
    reserve: usize,
    pinned: &[usize],
) -> Result<(), TestCaseError> {
    let target = target(name).unwrap();
    let target = target.as_ref();
    let limit = budget.saturating_sub(reserve);
    let options = FitOptions::new(budget)
        .reserve(reserve)
        .pinned(pinned.iter().copied());
    let result = fit(session, target, &counter(), &options);
    let (system, units) = units(session);
    let system_alone = count(target, &only(session, &system));
    let forbid = FORBID_LEADING.contains(&name);
    if reserve > budget {
        let refused = matches!(result, Err(FitError::ReserveExceedsBudget { .. }));
        prop_assert!(refused);
        return Ok(());
    }
    let fitted = match result {
        Ok(fitted) => fitted,
        Err(FitError::DoesNotFit { required, limit: l }) => {
            prop_assert_eq!(l, limit);
            prop_assert!(required.tokens > limit);
            // The system prompt alone fits: the fit must keep it.
            prop_assert!(
                !(pinned.is_empty() && system_alone.is_some_and(|n| n <= limit)),
                "{} refused although the system prompt alone fits",
                name
            );
            return Ok(());
        }
        Err(FitError::Pinned {
            problem: PinProblem::LeadingAssistant,
            ..
        }) => {
            prop_assert!(forbid);
            return Ok(());
        }
        Err(FitError::Render(_)) if matches!(name, "mistral" | "gemma") => {
            // These templates refuse some conversations whatever is kept.
            return Ok(());
        }
        Err(e) => return Err(TestCaseError::fail(format!("{name}: {e}"))),
    };

    // The render of the fitted session is within the limit, and is the count reported.
    let rendered = count(target, &fitted.session);
    prop_assert_eq!(rendered, Some(fitted.count.tokens), "{}", name);
    prop_assert!(fitted.count.tokens <= limit, "{}: {}", name, fitted);
    prop_assert_eq!(fitted.count.kind, counter().kind());

    // What was enabled is kept or left out, once; what was masked stays masked.
    let enabled: Vec<usize> = session.enabled_messages().map(|(i, _)| i).collect();
    let mut all: Vec<usize> = fitted
        .kept
        .iter()
        .copied()
        .chain(fitted.left_out.iter().map(|l| l.index))
        .collect();
    all.sort_unstable();
    prop_assert_eq!(&all, &enabled);
    let now: Vec<usize> = fitted.session.enabled_messages().map(|(i, _)| i).collect();
    prop_assert_eq!(&now, &fitted.kept);

    // Every system message is kept; pinned ones too.
    for index in system.iter().chain(pinned) {
        prop_assert!(fitted.kept.contains(index), "{}: {} left out", name, index);
    }

    // Turns are kept whole, the newest first, and no leading assistant turn where forbidden.
    let kept_unit = |members: &[usize]| fitted.kept.contains(&members[0]);
    let mut seen_kept = false;
    for (leading, members) in &units {
        let kept = kept_unit(members);
        for index in members {
            prop_assert_eq!(
                fitted.kept.contains(index),
                kept,
                "{}: turn {:?} split",
                name,
                members
            );
        }
        if *leading && forbid {
            prop_assert!(!kept, "{}: leading assistant kept", name);
            for index in members {
                prop_assert!(
                    fitted
                        .left_out
                        .iter()
                        .any(|l| l.index == *index && l.reason == LeftOutReason::LeadingAssistant)
                );
            }
            continue;
        }
        let is_pinned = members.iter().any(|i| pinned.contains(i));
        if is_pinned {
            continue;
        }
        prop_assert!(
            kept || !seen_kept,
            "{}: an older turn kept past a gap",
            name
        );
        seen_kept |= kept;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn fitted_renders_stay_within_the_budget(
        leading in 0usize..3,
        specs in prop::collection::vec(spec(), 0..24),
        budget in 0usize..450,
        reserve in 0usize..200,
        which in 0usize..TARGETS.len(),
        pin_seed in prop::collection::vec(any::<prop::sample::Index>(), 0..2),
    ) {
        let session = build(leading, &specs);
        let enabled: Vec<usize> = session.enabled_messages().map(|(i, _)| i).collect();
        let pinned: Vec<usize> = pin_seed.iter().map(|ix| enabled[ix.index(enabled.len())]).collect();
        check_fit(&session, TARGETS[which], budget, reserve, &[])?;
        if !pinned.is_empty() {
            check_fit(&session, TARGETS[which], budget, reserve, &pinned)?;
        }
    }
}

/// A system prompt and `n` question/answer pairs.
fn conversation(n: usize) -> Session {
    let mut messages = vec![system("You answer in one word.")];
    for i in 0..n {
        messages.push(user(&format!("Question number {i}: what is {i} plus one?")));
        messages.push(assistant(&format!("{}", i + 1)));
    }
    Session::with_messages(None, messages)
}

#[test]
fn keeps_the_newest_turns_and_the_most_that_fit() {
    let session = conversation(40);
    let openai = target("openai").unwrap();
    let counter = counter();
    let options = FitOptions::new(300).reserve(60);
    let fitted = fit(&session, openai.as_ref(), &counter, &options).unwrap();
    assert!(fitted.count.tokens <= 240);
    assert_eq!(fitted.kept[0], 0);
    assert_eq!(fitted.kept.last(), Some(&80));
    // The chat framing is additive: the per-message counts were the render's.
    assert!(fitted.renders <= 2, "{} renders", fitted.renders);
    // One more turn would not fit.
    let first_turn = fitted.kept[1];
    assert!(first_turn > 1);
    let mut more = fitted.kept.clone();
    more.extend([first_turn - 2, first_turn - 1]);
    assert!(count(openai.as_ref(), &only(&session, &more)).unwrap() > 240);
    assert!(
        fitted
            .left_out
            .iter()
            .all(|l| l.reason == LeftOutReason::Budget && l.index < first_turn)
    );
    assert_eq!(fitted.is_guaranteed(), cfg!(feature = "tiktoken"));
}

#[test]
fn everything_fits_in_a_large_budget() {
    let session = conversation(10);
    for name in TARGETS {
        let target = target(name).unwrap();
        let fitted = fit(
            &session,
            target.as_ref(),
            &counter(),
            &FitOptions::new(100_000),
        )
        .unwrap();
        assert_eq!(fitted.kept.len(), 21, "{name}");
        assert!(fitted.left_out.is_empty(), "{name}");
    }
}

#[test]
fn pinned_messages_are_kept_whatever_their_age() {
    let session = conversation(40);
    let openai = target("openai").unwrap();
    let options = FitOptions::new(300).reserve(60).pin(2);
    let fitted = fit(&session, openai.as_ref(), &counter(), &options).unwrap();
    // The pinned answer comes with its question.
    assert_eq!(&fitted.kept[..3], &[0, 1, 2]);
    assert!(fitted.kept.contains(&80));
    assert!(!fitted.kept.contains(&3));
    assert!(fitted.count.tokens <= 240);
}

#[test]
fn pinned_errors() {
    let mut session = conversation(3);
    session.disable_message(3).unwrap();
    let openai = target("openai").unwrap();
    let result = fit(
        &session,
        openai.as_ref(),
        &counter(),
        &FitOptions::new(1000).pin(99),
    );
    assert!(matches!(
        result,
        Err(FitError::Pinned {
            index: 99,
            problem: PinProblem::OutOfRange { len: 7 }
        })
    ));
    let result = fit(
        &session,
        openai.as_ref(),
        &counter(),
        &FitOptions::new(1000).pin(3),
    );
    assert!(matches!(
        result,
        Err(FitError::Pinned {
            index: 3,
            problem: PinProblem::Masked
        })
    ));
}

#[test]
fn reserve_and_budget() {
    let session = conversation(3);
    let openai = target("openai").unwrap();
    let result = fit(
        &session,
        openai.as_ref(),
        &counter(),
        &FitOptions::new(10).reserve(11),
    );
    let error = result.unwrap_err();
    assert!(matches!(
        error,
        FitError::ReserveExceedsBudget {
            budget: 10,
            reserve: 11
        }
    ));
    // The system prompt alone does not fit: an error, nothing dropped silently.
    let result = fit(&session, openai.as_ref(), &counter(), &FitOptions::new(5));
    match result {
        Err(FitError::DoesNotFit { required, limit: 5 }) => {
            assert!(required.tokens > 5);
            assert_eq!(required.kind, counter().kind());
        }
        other => panic!("{other:?}"),
    }
    // It fits alone: kept, every turn left out.
    let alone = count(openai.as_ref(), &only(&session, &[0])).unwrap();
    let fitted = fit(
        &session,
        openai.as_ref(),
        &counter(),
        &FitOptions::new(alone),
    )
    .unwrap();
    assert_eq!(fitted.kept, vec![0]);
    assert_eq!(fitted.count.tokens, alone);
}

#[test]
fn leading_assistant_turns() {
    let session = Session::with_messages(
        None,
        vec![
            system("Be kind."),
            assistant("Hi! How can I help?"),
            user("Tell me a joke."),
            assistant("Why did the tokenizer split? It had too many pieces."),
        ],
    );
    let counter = counter();
    let options = FitOptions::new(10_000);
    for name in ["openai", "chat", "chatml", "llama3"] {
        let fitted = fit(&session, target(name).unwrap().as_ref(), &counter, &options).unwrap();
        assert_eq!(fitted.kept, vec![0, 1, 2, 3], "{name}");
    }
    for name in FORBID_LEADING {
        let fitted = fit(&session, target(name).unwrap().as_ref(), &counter, &options).unwrap();
        assert_eq!(fitted.kept, vec![0, 2, 3], "{name}");
        assert_eq!(fitted.left_out.len(), 1);
        assert_eq!(
            fitted.left_out[0].reason,
            LeftOutReason::LeadingAssistant,
            "{name}"
        );
        let pinned = fit(
            &session,
            target(name).unwrap().as_ref(),
            &counter,
            &options.clone().pin(1),
        );
        assert!(matches!(
            pinned,
            Err(FitError::Pinned {
                index: 1,
                problem: PinProblem::LeadingAssistant
            })
        ));
    }
}

#[test]
fn templates_that_need_a_user_turn() {
    // Mistral puts the system prompt into a user turn: it cannot render it alone, so the
    // smallest selection is the system prompt with the newest turn.
    let session = conversation(30);
    let mistral = target("mistral").unwrap();
    let counter = counter();
    let newest = count(mistral.as_ref(), &only(&session, &[0, 59, 60])).unwrap();
    let fitted = fit(
        &session,
        mistral.as_ref(),
        &counter,
        &FitOptions::new(newest),
    )
    .unwrap();
    assert_eq!(fitted.kept, vec![0, 59, 60]);
    let fitted = fit(
        &session,
        mistral.as_ref(),
        &counter,
        &FitOptions::new(newest + 60),
    )
    .unwrap();
    assert!(fitted.kept.len() > 3);
    assert!(fitted.count.tokens <= newest + 60);
    match fit(
        &session,
        mistral.as_ref(),
        &counter,
        &FitOptions::new(newest - 1),
    ) {
        Err(FitError::DoesNotFit { required, .. }) => assert_eq!(required.tokens, newest),
        other => panic!("{other:?}"),
    }
}

#[test]
fn estimates_say_so() {
    let session = conversation(20);
    let counter = Counter::for_model("claude-sonnet-4.5", Estimator::Universal);
    let fitted = fit(
        &session,
        target("anthropic").unwrap().as_ref(),
        &counter,
        &FitOptions::new(200).reserve(20),
    )
    .unwrap();
    assert!(!fitted.is_guaranteed());
    let caveat = fitted.caveat().unwrap();
    assert!(caveat.contains("estimate"), "{caveat}");
    assert!(caveat.contains("no tokenizer of this model"), "{caveat}");
    assert!(fitted.to_string().contains("estimate, memor UNIVERSAL"));
}
