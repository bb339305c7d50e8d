//! Runs the `memor` binary on every subcommand, with good and bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data")
        .join(name)
}

fn memor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_memor"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            stdout(o),
            stderr(o)
        )
    })
}

fn session_path() -> String {
    data("session.json").display().to_string()
}

#[test]
fn render_prints_the_payload_and_reports_on_stderr() {
    let o = memor(&[
        "render",
        &session_path(),
        "--to",
        "anthropic",
        "--model",
        "m",
        "--max-tokens",
        "64",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let body = json(&o);
    assert_eq!(body["model"], "m");
    assert_eq!(body["max_tokens"], 64);
    assert_eq!(body["messages"][0]["role"], "user");
    // The bundled session starts with an assistant message: a user turn is synthesised.
    assert!(
        stderr(&o).contains("report: turn 0: user turn added"),
        "{}",
        stderr(&o)
    );

    let o = memor(&[
        "render",
        &session_path(),
        "--to",
        "llama3",
        "--add-generation-prompt",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.starts_with("<|begin_of_text|>"), "{text}");
    assert!(
        text.ends_with("<|start_header_id|>assistant<|end_header_id|>\n\n"),
        "{text:?}"
    );
}

#[test]
fn render_refuses_bad_files_and_unknown_targets() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"type\": \"Session\", \"title\": ").unwrap();
    let o = memor(&["render", bad.to_str().unwrap(), "--to", "openai"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad.json"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    let o = memor(&["render", &session_path(), "--to", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown target `nope`"));

    let o = memor(&["render", "/no/such/file.json", "--to", "openai"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such/file.json"));
}

#[test]
fn convert_carries_a_payload_to_another_provider_and_saves_it() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("s.json");
    let request = data("openai-request.json").display().to_string();
    let o = memor(&[
        "convert",
        &request,
        "--from",
        "openai",
        "--to",
        "anthropic",
        "--max-tokens",
        "99",
        "--save",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let body = json(&o);
    assert_eq!(body["system"], "You are a concise travel assistant.");
    assert_eq!(body["max_tokens"], 99);
    let turns: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        turns,
        [
            "Best month to visit Lisbon?",
            "May or late September: warm, sunny and less crowded.",
            "And for surfing nearby?"
        ]
    );
    // The saved session renders back to the same OpenAI messages.
    let o = memor(&["render", saved.to_str().unwrap(), "--to", "chat"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let original: Value =
        serde_json::from_slice(&std::fs::read(data("openai-request.json")).unwrap()).unwrap();
    assert_eq!(json(&o)["messages"], original["messages"]);

    let o = memor(&["convert", &request, "--from", "gemini", "--to", "openai"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = memor(&["convert", &request, "--from", "fax", "--to", "openai"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn import_writes_one_memor_file_per_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let export = data("chatgpt-export.json").display().to_string();
    let o = memor(&[
        "import",
        &export,
        "--from",
        "chatgpt",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let listed = json(&o);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["title"], "Sourdough starter");
    // An empty title falls back to the conversation id.
    assert_eq!(
        listed[1]["title"],
        "Conversation b7e1c2a0-1111-4a2b-9c3d-000000000002"
    );
    assert!(
        stderr(&o).contains("2 conversations imported"),
        "{}",
        stderr(&o)
    );

    let first = memor_core::Session::load(listed[0]["file"].as_str().unwrap()).unwrap();
    let prompt = first.messages()[0].as_prompt().unwrap();
    assert_eq!(
        prompt.message(),
        "How often should I feed a sourdough starter?"
    );
    // The regenerated answer is a candidate response; the active one is selected.
    assert_eq!(prompt.responses().len(), 2);
    assert_eq!(
        prompt.selected_response().unwrap().message(),
        "At room temperature, feed it every 12 to 24 hours; in the fridge, once a week."
    );
    assert_eq!(prompt.selected_response().unwrap().model(), "gpt-4o");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);

    let not_a_list = dir.path().join("one.json");
    std::fs::write(&not_a_list, "{\"mapping\": {}}").unwrap();
    let o = memor(&[
        "import",
        not_a_list.to_str().unwrap(),
        "--from",
        "chatgpt",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("one.json") && stderr(&o).contains("not_a_list"),
        "{}",
        stderr(&o)
    );

    let o = memor(&[
        "import",
        &export,
        "--from",
        "myspace",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn tokens_say_what_kind_of_count_they_are() {
    let o = memor(&["tokens", &session_path(), "--estimator", "universal"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert!(v["tokens"].as_u64().unwrap() > 0);
    assert_eq!(v["kind"], "estimate");

    let o = memor(&["tokens", &session_path(), "--estimator", "guess"]);
    assert_eq!(o.status.code(), Some(2));

    // Exact under the model's encoding: the total is the turns plus the reply priming (3).
    let o = memor(&["tokens", &session_path(), "--model", "gpt-4o"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["kind"], "exact");
    assert_eq!(v["encoding"], "o200k_base");
    let turns: u64 = v["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tokens"].as_u64().unwrap())
        .sum();
    assert_eq!(v["tokens"].as_u64().unwrap(), turns + 3);

    // A model without an offline tokenizer is estimated, and the output says so.
    let o = memor(&[
        "tokens",
        &session_path(),
        "--model",
        "claude-sonnet-4-5",
        "--to",
        "anthropic",
    ]);
    let v = json(&o);
    assert_eq!(v["kind"], "estimate");
    assert!(v["fallback"].is_string());
    assert!(stderr(&o).contains("estimate"));
}

#[test]
fn render_fits_a_budget() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("s.json");
    let request = data("openai-request.json").display().to_string();
    let o = memor(&[
        "convert",
        &request,
        "--from",
        "openai",
        "--save",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let saved = saved.to_str().unwrap();

    let full = memor(&["render", saved, "--to", "chat", "--model", "gpt-4o"]);
    let all_turns = json(&full)["messages"].as_array().unwrap().len();
    let o = memor(&[
        "render", saved, "--to", "chat", "--model", "gpt-4o", "--budget", "40",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let turns = json(&o)["messages"].as_array().unwrap().clone();
    assert!(turns.len() < all_turns, "{turns:?}");
    assert_eq!(turns[0]["role"], "system");
    assert!(stderr(&o).contains("left out"), "{}", stderr(&o));
    // The fitted payload's exact count is within the budget.
    let fitted = dir.path().join("fitted.json");
    std::fs::write(&fitted, &o.stdout).unwrap();
    let counted = memor(&[
        "convert",
        fitted.to_str().unwrap(),
        "--from",
        "openai",
        "--save",
        dir.path().join("f.json").to_str().unwrap(),
    ]);
    assert_eq!(counted.status.code(), Some(0));
    let v = json(&memor(&[
        "tokens",
        dir.path().join("f.json").to_str().unwrap(),
        "--model",
        "gpt-4o",
        "--to",
        "chat",
    ]));
    assert!(v["tokens"].as_u64().unwrap() <= 40, "{v}");

    // The system prompt alone over the budget: a clear error.
    let o = memor(&[
        "render", saved, "--to", "chat", "--model", "gpt-4o", "--budget", "3",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).is_empty());
    // A reserve needs a budget.
    let o = memor(&["render", saved, "--to", "chat", "--reserve", "3"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn search_lists_matching_messages() {
    let o = memor(&["search", &session_path(), "SQUIRREL"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let indices: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, [1]);

    let o = memor(&["search", &session_path(), "SQUIRREL", "--case-sensitive"]);
    assert_eq!(json(&o), serde_json::json!([]));

    let o = memor(&["search", &session_path(), "squ(irrel", "--regex"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("query"), "{}", stderr(&o));
}

#[test]
fn check_validates_payloads_offline() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    let o = memor(&["render", &session_path(), "--to", "gemini"]);
    std::fs::write(&good, &o.stdout).unwrap();
    let o = memor(&["check", good.to_str().unwrap(), "--target", "gemini"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["valid"], true);

    let request = data("openai-request.json").display().to_string();
    let o = memor(&["check", &request, "--target", "anthropic"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["valid"], false);
    let rules: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"first-turn-user"), "{rules:?}");
}

#[test]
fn show_describes_a_file() {
    let o = memor(&["show", &session_path()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["kind"], "Session");
    assert_eq!(v["messages"], 3);
    assert_eq!(v["list"][1]["type"], "Prompt");
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    let o = memor(&[]);
    assert_eq!(o.status.code(), Some(2));
    let o = memor(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Examples:"));
    let o = memor(&["render", "--help"]);
    assert!(stdout(&o).contains("memor render"), "{}", stdout(&o));
}
