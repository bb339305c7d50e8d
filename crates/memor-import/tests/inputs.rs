//! An export given as a file, a folder (unpacked, possibly nested) or a `.zip` imports the same.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::Path;

use memor_import::{Conversation, ErrorKind, Options, Source, import};

fn conversation(id: &str, question: &str) -> serde_json::Value {
    serde_json::json!({
        "title": format!("About {id}"),
        "create_time": 1_717_000_000,
        "conversation_id": id,
        "current_node": "u",
        "mapping": {
            "root": {"id": "root", "message": null, "parent": null, "children": ["u"]},
            "u": {"id": "u", "parent": "root", "children": [], "message": {
                "id": "u", "author": {"role": "user"}, "create_time": 1_717_000_001,
                "content": {"content_type": "text", "parts": [question]},
                "metadata": {}, "recipient": "all", "weight": 1.0
            }}
        }
    })
}

fn export(ids: &[&str]) -> Vec<u8> {
    let list: Vec<_> = ids
        .iter()
        .map(|id| conversation(id, &format!("question {id}")))
        .collect();
    serde_json::to_vec(&list).unwrap()
}

fn read(path: &Path, source: Source) -> Vec<Conversation> {
    import(path, source, &Options::default())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn ids(conversations: &[Conversation]) -> Vec<String> {
    conversations
        .iter()
        .map(|c| c.id.clone().unwrap())
        .collect()
}

#[test]
fn a_file_a_nested_folder_and_a_zip_give_the_same_conversations() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("conversations.json");
    std::fs::write(&file, export(&["a", "b"])).unwrap();
    let from_file = read(&file, Source::ChatGpt);
    assert_eq!(ids(&from_file), ["a", "b"]);
    assert_eq!(from_file[0].messages[0].text, "question a");

    let folder = dir.path().join("unpacked");
    std::fs::create_dir_all(folder.join("Export 2024")).unwrap();
    std::fs::write(
        folder.join("Export 2024/conversations.json"),
        export(&["a", "b"]),
    )
    .unwrap();
    std::fs::write(folder.join("Export 2024/user.json"), b"{}").unwrap();
    assert_eq!(read(&folder, Source::ChatGpt), from_file);

    let archive = dir.path().join("export.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("chat.html", options).unwrap();
    zip.write_all(b"<html></html>").unwrap();
    zip.start_file("Export 2024/conversations.json", options)
        .unwrap();
    zip.write_all(&export(&["a", "b"])).unwrap();
    zip.finish().unwrap();
    assert_eq!(read(&archive, Source::ChatGpt), from_file);
}

#[test]
fn shards_are_read_in_numeric_order_as_one_list() {
    let dir = tempfile::tempdir().unwrap();
    for (n, id) in [(10, "k"), (2, "c"), (0, "a"), (1, "b")] {
        std::fs::write(
            dir.path().join(format!("conversations-{n:03}.json")),
            export(&[id]),
        )
        .unwrap();
    }
    assert_eq!(
        ids(&read(dir.path(), Source::ChatGpt)),
        ["a", "b", "c", "k"]
    );
}

#[test]
fn a_folder_without_the_export_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"hello").unwrap();
    let Err(e) = import(dir.path(), Source::Claude, &Options::default()) else {
        panic!("a folder without conversations.json imported");
    };
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("conversations.json"), "{e}");
}

#[test]
fn takeout_prefers_the_gemini_activity_file() {
    let dir = tempfile::tempdir().unwrap();
    let record = |title: &str, header: &str| {
        serde_json::json!({"header": header, "title": title, "time": "2024-05-01T10:00:00.000Z",
                           "products": [header],
                           "safeHtmlItem": [{"html": "<p>Sure.</p>"}]})
    };
    for (folder, header) in [("Search", "Search"), ("Gemini Apps", "Gemini Apps")] {
        let path = dir.path().join("Takeout/My Activity").join(folder);
        std::fs::create_dir_all(&path).unwrap();
        let records = serde_json::json!([record("Prompted Hello there", header)]);
        std::fs::write(
            path.join("MyActivity.json"),
            serde_json::to_vec(&records).unwrap(),
        )
        .unwrap();
    }
    let got = read(dir.path(), Source::GeminiTakeout);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].messages[0].text, "Hello there");
    assert_eq!(got[0].messages[1].text, "Sure.");
}

#[test]
fn a_folder_of_saved_chats_passes_over_what_is_not_a_chat() {
    let dir = tempfile::tempdir().unwrap();
    let chat = |text: &str| {
        serde_json::to_vec(&serde_json::json!({
            "runSettings": {"model": "models/gemini-2.5-pro"},
            "chunkedPrompt": {"chunks": [{"text": text, "role": "user"}]}
        }))
        .unwrap()
    };
    std::fs::write(dir.path().join("Prime numbers"), chat("Is 97 prime?")).unwrap();
    std::fs::write(dir.path().join("b.json"), chat("And 91?")).unwrap();
    std::fs::write(dir.path().join("notes.json"), b"{\"todo\": []}").unwrap();
    std::fs::write(dir.path().join("photo.png"), b"\x89PNG\r\n\x1a\n\xff\xfe").unwrap();
    let mut imported = import(dir.path(), Source::AiStudio, &Options::default()).unwrap();
    let mut titles: Vec<String> = (&mut imported).map(|c| c.unwrap().title.unwrap()).collect();
    titles.sort();
    assert_eq!(titles, ["Prime numbers", "b"]);
    let skipped = &imported.report().files_skipped;
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].0.ends_with("notes.json"));

    // The same file given alone is an error.
    let Err(e) = import(
        &dir.path().join("notes.json"),
        Source::AiStudio,
        &Options::default(),
    )
    .unwrap()
    .collect::<Result<Vec<_>, _>>() else {
        panic!("a note imported as a chat");
    };
    assert_eq!(e.kind(), ErrorKind::NotAiStudio);
}
