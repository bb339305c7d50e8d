//! Files are written with shared templates from their cached JSON; the text is the one serde
//! gives for the objects themselves, also after templates change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use memor_core::json::to_string;
use memor_core::{Message, Prompt, PromptTemplate, Response, Session};
use memor_presets::Preset;

fn session(template: &PromptTemplate) -> Session {
    let mut session = Session::new(Some("shared \u{e9}".into()));
    for i in 0..40 {
        let mut p = Prompt::new(format!("question {i} \"\u{1f600}\""));
        p.update_template(template.clone());
        p.add_response(Response::new(format!("answer {i}")), None);
        session.add_message(Message::Prompt(p), i % 3 != 0, None);
        session.add_message(Message::Response(Response::new("loose")), true, None);
    }
    session
}

#[test]
fn cached_templates_give_serde_text() {
    let preset = Preset::find("INSTRUCTION1.PROMPT_RESPONSE_STANDARD").expect("preset");
    let mut template = PromptTemplate::from_preset(preset);
    let s = session(&template);
    let text = s.to_json().unwrap();
    assert_eq!(text, to_string(&s).unwrap());
    assert_eq!(s.size(), text.len());
    assert!(Session::from_json(&text).unwrap() == s);

    // A changed template is written as it now is, in new prompts and on its own.
    template.update_title(Some("Changed \u{3b1}".into()));
    template.update_content(Some("{prompt[message]}!".into()));
    let changed = session(&template);
    let text = changed.to_json().unwrap();
    assert!(text.contains("\"title\": \"Changed \\u03b1\""));
    assert_eq!(text, to_string(&changed).unwrap());
    assert_eq!(template.to_json().unwrap(), to_string(&template).unwrap());

    // Prompts saved alone, with and without their template.
    let Message::Prompt(p) = &changed.messages()[0] else {
        panic!("a prompt")
    };
    assert_eq!(p.to_json(true).unwrap(), to_string(p).unwrap());
    assert!(!p.to_json(false).unwrap().contains("\"template\""));
    assert_eq!(p.size(), p.to_json(true).unwrap().len());
}

/// The JSON of `r` with `key` set to `value` (any JSON text), read back.
fn variant(r: &Response, key: &str, value: &str) -> Response {
    let mut v: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    v[key] = serde_json::from_str(value).unwrap();
    Response::from_json(&v.to_string()).unwrap()
}

/// A response that is also the message after its prompt is written once and copied; responses
/// that differ from it in any way that shows in the file (even where memor's `==` holds) are
/// written on their own.
#[test]
fn repeated_responses_give_serde_text() {
    let base = Response::from_json(
        r#"{"type": "Response", "message": "Paris \u00e9", "warnings": {}, "score": 1.0,
        "temperature": 0.0, "top_k": null, "tokens": 80, "inference_time": null, "top_p": null,
        "role": "assistant", "model": "gpt-4o", "gpu": null, "seed": null,
        "id": "558af918-0b69-4a07-a1db-e7d6fc96e698", "memor_version": "1.4",
        "date_created": "2026-11-25 04:55:59 +0000", "date_modified": "2026-11-25 04:55:59 +0000",
        "finish_reason": null}"#,
    )
    .unwrap();
    let variants = [
        base.clone(),
        variant(&base, "score", "1"),
        variant(&base, "temperature", "-0.0"),
        variant(&base, "top_p", "0.50"),
        variant(&base, "seed", "7"),
        variant(&base, "date_created", "\"2026-11-25 05:55:59 +0100\""),
        variant(&base, "date_modified", "\"2026-11-25 04:55:59 -0000\""),
        variant(&base, "id", "\"558AF918-0B69-4A07-A1DB-E7D6FC96E698\""),
        variant(&base, "finish_reason", "\"stop\""),
        variant(&base, "model", "\"gpt-4o \""),
        variant(&base, "message", "\"Paris \\u00e8\""),
        variant(&base, "warnings", r#"{"size": {"a": 1}}"#),
    ];
    assert!(
        variants[1] == base && variants[2] == base,
        "memor's == holds for these"
    );
    let other = variant(&base, "message", "\"Lyon\"");
    for v in &variants {
        let mut prompt = Prompt::new("Capital of France?");
        prompt.add_response(other.clone(), None);
        prompt.add_response(base.clone(), None);
        let mut s = Session::new(Some("repeats".into()));
        s.add_message(Message::Prompt(prompt.clone()), true, None);
        s.add_message(Message::Response(v.clone()), true, None);
        s.add_message(Message::Response(other.clone()), false, None);
        s.add_message(Message::Response(base.clone()), true, None);
        let text = s.to_json().unwrap();
        assert_eq!(text, to_string(&s).unwrap());
        assert_eq!(s.size(), text.len());
    }
}
