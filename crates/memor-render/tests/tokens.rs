//! Token counts: exact counts of known strings under each encoding (the `tiktoken` feature),
//! the OpenAI cookbook's chat framing, a render counted against a reference computed with
//! Python memor 1.4 and tiktoken, memor's estimators on `estimators.jsonl`, and the model →
//! encoding map over the catalog.
//!
//! The known counts were computed with Python's tiktoken 0.14.0 on the same encoding files
//! (their SHA-256 are those tiktoken checks); the cookbook's example conversation is
//! documented there as 129 prompt tokens for `gpt-3.5-turbo`/`gpt-4` and 124 for `gpt-4o`,
//! as counted by the OpenAI API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use memor_core::estimate::Estimator;
use memor_core::{Message, Prompt, PromptTemplate, Response, Role, Session};
use memor_presets::{Model, Provider};
use memor_render::tokens::{
    ChatMessage, CountKind, Counter, Encoding, EstimateMethod, Fallback, Framing, ModelEncoding,
    REPLY_PRIMING, TOKENS_PER_MESSAGE, model_encoding,
};
use memor_render::{Payload, RenderOptions, target, targets};
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    std::env::var_os("MEMOR_CONFORMANCE").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/conformance"
            ))
        },
        PathBuf::from,
    )
}

/// The strings of [`KNOWN_COUNTS`].
const STRINGS: [&str; 15] = [
    "tiktoken is great!",
    "Hello, world!",
    "",
    "antidisestablishmentarianism",
    "こんにちは世界",
    "🦀 Rust is fast.",
    "fn main() { println!(\"hi\"); }",
    "  \n\n  indented\n",
    "<|endoftext|>",
    "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. \
     The quick brown fox jumps over the lazy dog. ",
    "user",
    "assistant",
    "system",
    "model",
    "developer",
];

/// Python tiktoken 0.14.0's `len(encoding.encode_ordinary(s))` for each of [`STRINGS`].
const KNOWN_COUNTS: [(Encoding, [usize; 15]); 5] = [
    (
        Encoding::O200kBase,
        [6, 4, 0, 6, 2, 7, 9, 5, 7, 31, 1, 1, 1, 1, 1],
    ),
    (
        Encoding::O200kHarmony,
        [6, 4, 0, 6, 2, 7, 9, 5, 7, 31, 1, 1, 1, 1, 1],
    ),
    (
        Encoding::Cl100kBase,
        [6, 4, 0, 6, 4, 7, 9, 5, 7, 31, 1, 1, 1, 1, 1],
    ),
    (
        Encoding::P50kBase,
        [6, 4, 0, 5, 10, 7, 10, 6, 7, 31, 1, 2, 1, 1, 2],
    ),
    (
        Encoding::R50kBase,
        [6, 4, 0, 5, 10, 7, 10, 7, 7, 31, 1, 2, 1, 1, 2],
    ),
];

#[cfg(feature = "tiktoken")]
#[test]
fn exact_counts_of_known_strings() {
    for (encoding, counts) in KNOWN_COUNTS {
        let counter = Counter::exact(encoding).unwrap();
        for (text, expected) in STRINGS.iter().zip(counts) {
            let count = counter.count_text(text);
            assert_eq!(count.tokens, expected, "{encoding}: {text:?}");
            assert_eq!(count.kind, CountKind::Exact { encoding });
        }
    }
    // p50k_edit only adds special tokens: ordinary text counts as p50k_base.
    let edit = Counter::exact(Encoding::P50kEdit).unwrap();
    assert_eq!(edit.count_text(STRINGS[4]).tokens, 10);
}

/// The example conversation of OpenAI's cookbook ("How to count tokens with tiktoken").
fn cookbook_messages() -> Vec<ChatMessage<'static>> {
    vec![
        ChatMessage::new(
            "system",
            "You are a helpful, pattern-following assistant that translates corporate jargon \
             into plain English.",
        ),
        ChatMessage::new("system", "New synergies will help drive top-line growth.")
            .name("example_user"),
        ChatMessage::new(
            "system",
            "Things working well together will increase revenue.",
        )
        .name("example_assistant"),
        ChatMessage::new(
            "system",
            "Let's circle back when we have more bandwidth to touch base on opportunities for \
             increased leverage.",
        )
        .name("example_user"),
        ChatMessage::new(
            "system",
            "Let's talk later when we're less busy about how to do better.",
        )
        .name("example_assistant"),
        ChatMessage::new(
            "user",
            "This late pivot means we don't have time to boil the ocean for the client \
             deliverable.",
        ),
    ]
}

#[cfg(feature = "tiktoken")]
#[test]
fn cookbook_conversation_counts_as_the_api() {
    let messages = cookbook_messages();
    let cl100k = Counter::exact(Encoding::Cl100kBase).unwrap();
    assert_eq!(cl100k.count_chat(&messages).tokens, 129);
    let o200k = Counter::for_model("gpt-4o", Estimator::Universal);
    assert_eq!(o200k.fallback(), None);
    let count = o200k.count_chat(&messages);
    assert_eq!(count.tokens, 124);
    assert_eq!(count.to_string(), "124 tokens (exact, o200k_base)");
    // The same conversation as a Chat Completions body.
    let body = serde_json::json!({
        "model": "gpt-4o",
        "messages": messages.iter().map(|m| {
            let mut v = serde_json::json!({"role": m.role, "content": m.content});
            if let Some(name) = m.name {
                v["name"] = Value::String(name.to_owned());
            }
            v
        }).collect::<Vec<_>>(),
    });
    let payload = o200k.count_payload(&Payload::Json(body));
    assert_eq!(payload.framing, Framing::Chat);
    assert_eq!(payload.total.tokens, 124);
    assert_eq!(payload.turns.len(), 6);
}

/// A session with a system prompt, templates, accents, code and emoji.
fn reference_session() -> Session {
    let mut system =
        Prompt::new("You are a helpful assistant. Réponds en français si on te parle français.");
    system.update_role(Role::System);
    let mut messages: Vec<Message> = vec![system.into()];
    let pairs = [
        (
            "What is the capital of France?",
            "Paris is the capital of France.",
        ),
        (
            "Écris un haïku sur la mer.",
            "Vagues sur le sable —\nle sel garde la mémoire\ndes pas effacés.",
        ),
        (
            "fn main() { println!(\"hi\"); } — what does it print?",
            "It prints `hi` followed by a newline.",
        ),
        (
            "🦀 or 🐍?",
            "Both have their uses: 🦀 for speed, 🐍 for quick scripts.",
        ),
    ];
    let standard = memor_presets::Preset::find("INSTRUCTION1.PROMPT_RESPONSE_STANDARD").unwrap();
    for (i, (question, answer)) in pairs.into_iter().enumerate() {
        let response = Response::new(answer);
        let mut prompt = Prompt::new(question);
        prompt.add_response(response.clone(), None);
        if i % 2 == 0 {
            prompt.update_template(PromptTemplate::from_preset(standard));
        }
        messages.push(prompt.into());
        messages.push(response.into());
    }
    Session::with_messages(None, messages)
}

/// The session rendered by Python memor 1.4 (`RenderFormat.OPENAI`) and counted with the
/// cookbook's `num_tokens_from_messages` on Python tiktoken: total, then each message.
#[cfg(feature = "tiktoken")]
const REFERENCE: [(Encoding, usize, [usize; 9]); 2] = [
    (
        Encoding::O200kBase,
        218,
        [21, 44, 11, 14, 22, 55, 14, 12, 22],
    ),
    (
        Encoding::Cl100kBase,
        226,
        [22, 45, 11, 15, 26, 56, 14, 12, 22],
    ),
];

#[cfg(feature = "tiktoken")]
#[test]
fn openai_render_counts_as_python() {
    let session = reference_session();
    let options = RenderOptions::default();
    for (encoding, total, per_message) in REFERENCE {
        let counter = Counter::exact(encoding).unwrap();
        for name in ["openai", "chat", "ollama"] {
            let count = counter
                .count_render(target(name).unwrap().as_ref(), &session, &options)
                .unwrap();
            assert_eq!(count.total.tokens, total, "{name} {encoding}");
            assert_eq!(count.total.kind, CountKind::Exact { encoding });
            let turns: Vec<usize> = count.turns.iter().map(|t| t.tokens).collect();
            assert_eq!(turns, per_message, "{name} {encoding}");
        }
        let messages = counter.count_messages(&session, Framing::Chat).unwrap();
        let tokens: Vec<usize> = messages.iter().map(|m| m.tokens).collect();
        assert_eq!(tokens, per_message);
        assert_eq!(
            messages.iter().map(|m| m.index).collect::<Vec<_>>(),
            (0..9).collect::<Vec<_>>()
        );
    }
}

#[test]
fn estimators_conformance() {
    let path = corpus_dir().join("memor").join("estimators.jsonl");
    let content = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut cases = 0;
    for line in content.lines().filter(|l| !l.trim().is_empty()) {
        let value: Value = serde_json::from_str(line).unwrap();
        let text = value["text"].as_str().unwrap();
        for estimator in Estimator::ALL {
            let expected = value[estimator.as_str()].as_u64().unwrap() as usize;
            let count = Counter::estimate(estimator).count_text(text);
            assert_eq!(count.tokens, expected, "{estimator} on {text:?}");
            assert_eq!(
                count.kind,
                CountKind::Estimate {
                    method: EstimateMethod::Memor(estimator)
                }
            );
        }
        cases += 1;
    }
    assert!(cases > 0, "{} holds no case", path.display());
}

#[test]
fn estimated_chat_framing() {
    let counter = Counter::estimate(Estimator::OpenAiGpt4);
    let session = reference_session();
    let count = counter
        .count_render(
            target("openai").unwrap().as_ref(),
            &session,
            &RenderOptions::default(),
        )
        .unwrap();
    let mut expected = REPLY_PRIMING;
    for (_, message) in session.enabled_messages() {
        expected += TOKENS_PER_MESSAGE
            + Estimator::OpenAiGpt4.estimate(message.role().as_str())
            + Estimator::OpenAiGpt4.estimate(&message.render_string().unwrap());
    }
    assert_eq!(count.total.tokens, expected);
    assert!(!count.total.is_exact());
}

#[test]
fn every_target_is_counted() {
    let session = reference_session();
    let options = RenderOptions::default();
    let counter = Counter::estimate(Estimator::Universal);
    for target in targets() {
        let count = counter
            .count_render(target.as_ref(), &session, &options)
            .unwrap();
        let framing = Framing::for_target(target.as_ref(), &options);
        assert_eq!(count.framing, framing, "{}", target.name());
        let expected = match target.name() {
            "openai" | "ai-studio" | "chat" | "openai-responses" | "anthropic" | "gemini"
            | "ollama" => Framing::Chat,
            _ => Framing::Text,
        };
        assert_eq!(framing, expected, "{}", target.name());
        match framing {
            Framing::Chat => {
                assert_eq!(
                    count.total.tokens,
                    count.turns.iter().map(|t| t.tokens).sum::<usize>() + REPLY_PRIMING,
                    "{}",
                    target.name()
                );
                // Every provider sends the system prompt first.
                assert_eq!(count.turns[0].role, "system", "{}", target.name());
            }
            Framing::Text => {
                let rendered = target.render(&session, &options).unwrap();
                let text = match &rendered.payload {
                    Payload::Text(text) => text.clone(),
                    other => other.to_json_string(),
                };
                assert_eq!(
                    count.total.tokens,
                    counter.tokens(&text),
                    "{}",
                    target.name()
                );
            }
            _ => unreachable!(),
        }
    }
    // Gemini's assistant turns are `model` turns.
    let gemini = counter
        .count_render(target("gemini").unwrap().as_ref(), &session, &options)
        .unwrap();
    assert!(gemini.turns.iter().any(|t| t.role == "model"));
}

#[test]
fn catalog_openai_models_map_to_encodings() {
    let mut assumed = Vec::new();
    for model in Provider::OpenAI.models() {
        let name = model.as_str();
        match model_encoding(name) {
            ModelEncoding::Known(_) => {}
            ModelEncoding::Assumed(encoding) => {
                assert_eq!(encoding, Encoding::O200kBase);
                assumed.push(name);
            }
            _ => assert_eq!(name, "unknown", "{name} has no encoding"),
        }
    }
    // Only a model newer than every published table is assumed.
    assert_eq!(assumed, ["gpt-6-astra"]);
    let expect = |name: &str, encoding| {
        assert_eq!(
            model_encoding(name),
            ModelEncoding::Known(encoding),
            "{name}"
        );
    };
    expect("gpt-5.6-sol", Encoding::O200kBase);
    expect("gpt-4o-mini-search", Encoding::O200kBase);
    expect("gpt-4.1-nano", Encoding::O200kBase);
    expect("gpt-o1-pro", Encoding::O200kBase);
    expect("gpt-o3-mini-high", Encoding::O200kBase);
    expect("gpt-4-vision", Encoding::Cl100kBase);
    expect("gpt-4-turbo", Encoding::Cl100kBase);
    expect("gpt-3.5-turbo", Encoding::Cl100kBase);
    expect("gpt-oss-120b", Encoding::O200kHarmony);
    expect("davinci", Encoding::R50kBase);
    expect("babbage", Encoding::R50kBase);
    // No other provider's model is counted with an OpenAI encoding.
    for model in Model::all().filter(|m| m.provider() != Provider::OpenAI) {
        assert_eq!(
            model_encoding(model.as_str()),
            ModelEncoding::Unknown,
            "{}",
            model.path()
        );
    }
}

#[test]
fn counters_for_models_say_what_they_are() {
    let claude = Counter::for_model("claude-sonnet-4.5", Estimator::OpenAiGpt4);
    assert_eq!(claude.fallback(), Some(Fallback::UnknownModel));
    assert_eq!(
        claude.kind(),
        CountKind::Estimate {
            method: EstimateMethod::Memor(Estimator::OpenAiGpt4)
        }
    );
    let gpt4o = Counter::for_model("gpt-4o", Estimator::Universal);
    let future = Counter::for_model("gpt-6-astra", Estimator::Universal);
    if cfg!(feature = "tiktoken") {
        assert_eq!(
            gpt4o.kind(),
            CountKind::Exact {
                encoding: Encoding::O200kBase
            }
        );
        assert_eq!(gpt4o.fallback(), None);
        assert_eq!(
            future.fallback(),
            Some(Fallback::AssumedEncoding {
                encoding: Encoding::O200kBase
            })
        );
        assert!(future.kind().is_exact());
    } else {
        assert_eq!(
            gpt4o.fallback(),
            Some(Fallback::ExactUnavailable {
                encoding: Encoding::O200kBase
            })
        );
        assert!(!gpt4o.kind().is_exact());
        assert!(!future.kind().is_exact());
    }
}

#[cfg(not(feature = "tiktoken"))]
#[test]
fn exact_counts_need_the_feature() {
    use memor_render::tokens::TokenError;
    for encoding in Encoding::ALL {
        let error = Counter::exact(encoding).unwrap_err();
        assert_eq!(error, TokenError::ExactUnavailable { encoding });
        assert!(error.to_string().contains("`tiktoken` feature"));
    }
    // The known counts are still checked against the table's shape.
    assert_eq!(KNOWN_COUNTS.len(), 5);
    assert!(KNOWN_COUNTS.iter().all(|(_, c)| c.len() == STRINGS.len()));
    assert_eq!(cookbook_messages().len(), 6);
}

#[test]
fn message_counts_follow_the_framing() {
    let counter = Counter::estimate(Estimator::Universal);
    let mut session = reference_session();
    session.disable_message(2).unwrap();
    let chat = counter.count_messages(&session, Framing::Chat).unwrap();
    let text = counter.count_messages(&session, Framing::Text).unwrap();
    assert_eq!(chat.len(), 8);
    assert!(chat.iter().all(|m| m.index != 2));
    for (c, t) in chat.iter().zip(&text) {
        assert_eq!(c.index, t.index);
        assert_eq!(
            c.tokens,
            t.tokens + TOKENS_PER_MESSAGE + counter.tokens(c.role.as_str())
        );
    }
    // A prompt whose template does not render is reported with its index.
    let mut broken = Prompt::new("x");
    broken.update_template(PromptTemplate::new("{nope}"));
    session.add_message(broken, true, None);
    let error = counter.count_messages(&session, Framing::Chat).unwrap_err();
    assert!(matches!(
        error,
        memor_render::Error::Message { index: 9, .. }
    ));
}
