//! The bench session, shared by the benches: the file `MEMOR_BENCH_SESSION` names (saved by
//! memor 1.4 through `../shared/tools/py_memor_bench.py`), or an equivalent one built here.
#![allow(
    dead_code,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use memor_core::{Message, Prompt, PromptTemplate, Response, Role, Session};

const WORDS: [&str; 17] = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "memory", "model", "prompt",
    "response", "session", "context", "transfer", "token", "the",
];

/// A session like the Python bench's: a system prompt, then prompt/response pairs.
pub(crate) fn build(n: usize) -> Session {
    let mut seed = 7u64;
    let mut text = |k: usize| {
        (0..k)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                WORDS[(seed >> 33) as usize % 16]
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let preset = memor_presets::Preset::find("INSTRUCTION1.PROMPT_RESPONSE_STANDARD").unwrap();
    let mut system = Prompt::new("You are a helpful assistant.");
    system.update_role(Role::System);
    let mut messages = vec![Message::Prompt(system)];
    for _ in 0..n / 2 {
        let mut r = Response::new(text(60));
        r.update_model("gpt-4o");
        r.update_temperature(Some(0.7.into())).unwrap();
        r.update_score(Some(0.5.into())).unwrap();
        r.update_tokens(Some(80i64.into())).unwrap();
        let mut p = Prompt::new(text(25));
        p.add_response(r.clone(), None);
        p.update_template(PromptTemplate::from_preset(preset));
        messages.push(Message::Prompt(p));
        messages.push(Message::Response(r));
    }
    Session::with_messages(Some("bench".into()), messages)
}

pub(crate) fn session_text() -> String {
    match std::env::var("MEMOR_BENCH_SESSION") {
        Ok(path) => std::fs::read_to_string(path).expect("the session file reads"),
        Err(_) => build(10_000).to_json().unwrap(),
    }
}

/// The bench session itself: the file's, or the one built here (without a round trip
/// through JSON).
pub(crate) fn session() -> Session {
    match std::env::var("MEMOR_BENCH_SESSION") {
        Ok(path) => Session::load(path).expect("the bench session loads"),
        Err(_) => build(10_000),
    }
}
