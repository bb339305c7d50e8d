//! Files are written with shared templates from their cached JSON; the text is the one serde
//! gives for the objects themselves, also after templates change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
