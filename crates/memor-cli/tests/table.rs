//! `memor export` and `memor import-table`: memor's dataframe columns as Arrow IPC and Parquet.
//!
//! What round-trips: every message's JSON, byte for byte, and every message's enabled flag.
//! What does not: the session's own title (it comes from `--title`), its dates (the import's
//! time) and its render counter (0), as with memor's `from_dataframe` on a new `Session`.
#![cfg(feature = "table")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_schema::DataType;
use memor_core::{Message, Session};
use tempfile::TempDir;

const SESSION: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/data/session.json"
);

/// memor's `to_dataframe` columns, in order.
const COLUMNS: [&str; 8] = [
    "metadata",
    "status",
    "type",
    "message",
    "role",
    "id",
    "date_created",
    "date_modified",
];

fn memor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_memor"))
        .args(args)
        .output()
        .unwrap()
}

fn run_ok(args: &[&str]) {
    let out = memor(args);
    assert!(
        out.status.success(),
        "memor {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn message_json(message: &Message) -> String {
    match message {
        Message::Prompt(p) => p.to_json(true).unwrap(),
        Message::Response(r) => r.to_json().unwrap(),
    }
}

/// The example session with its second message disabled, saved in `dir`.
fn example(dir: &TempDir) -> (Session, PathBuf) {
    let mut session = Session::load(SESSION).unwrap();
    session.disable_message(1).unwrap();
    let file = dir.path().join("session.json");
    session.save(&file).unwrap();
    (session, file)
}

fn read_ipc(file: &Path) -> Vec<RecordBatch> {
    let reader = arrow_ipc::reader::FileReader::try_new(File::open(file).unwrap(), None).unwrap();
    reader.collect::<Result<_, _>>().unwrap()
}

fn read_parquet(file: &Path) -> Vec<RecordBatch> {
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        File::open(file).unwrap(),
    );
    builder
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn export_then_import_keeps_every_message_byte_for_byte() {
    let dir = TempDir::new().unwrap();
    let (original, file) = example(&dir);
    for format in ["arrow", "parquet"] {
        let table = dir.path().join(format!("session.{format}"));
        let back = dir.path().join(format!("back-{format}.json"));
        run_ok(&[
            "export",
            path(&file),
            "--format",
            format,
            "--out",
            path(&table),
        ]);
        run_ok(&[
            "import-table",
            path(&table),
            "--out",
            path(&back),
            "--title",
            "Back",
        ]);

        let imported = Session::load(&back).unwrap();
        assert_eq!(imported.title(), Some("Back"), "{format}");
        assert_eq!(imported.messages_status(), &[true, false, true], "{format}");
        let want: Vec<String> = original.messages().iter().map(message_json).collect();
        let got: Vec<String> = imported.messages().iter().map(message_json).collect();
        assert_eq!(got, want, "{format}");

        // Without --title the session has none.
        let untitled = dir.path().join(format!("untitled-{format}.json"));
        run_ok(&["import-table", path(&table), "--out", path(&untitled)]);
        assert_eq!(Session::load(&untitled).unwrap().title(), None, "{format}");
    }
}

#[test]
fn tables_hold_memor_dataframe_columns() {
    let dir = TempDir::new().unwrap();
    let (original, file) = example(&dir);
    let arrow = dir.path().join("s.arrow");
    let parquet = dir.path().join("s.parquet");
    run_ok(&[
        "export",
        path(&file),
        "--format",
        "arrow",
        "--out",
        path(&arrow),
    ]);
    run_ok(&[
        "export",
        path(&file),
        "--format",
        "parquet",
        "--out",
        path(&parquet),
    ]);
    assert!(std::fs::read(&arrow).unwrap().starts_with(b"ARROW1"));
    assert!(std::fs::read(&parquet).unwrap().starts_with(b"PAR1"));

    for (name, batches) in [
        ("arrow", read_ipc(&arrow)),
        ("parquet", read_parquet(&parquet)),
    ] {
        let batch = single_batch(&batches);
        let schema = batch.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, COLUMNS, "{name}");
        for field in schema.fields() {
            let want = if field.name() == "status" {
                DataType::Boolean
            } else {
                DataType::Utf8
            };
            assert_eq!(field.data_type(), &want, "{name}: {}", field.name());
        }
        assert_eq!(batch.num_rows(), original.len(), "{name}");

        let column = |c: &str| -> Vec<String> {
            let array = batch.column_by_name(c).unwrap().as_string::<i32>();
            array.iter().map(|v| v.unwrap().to_owned()).collect()
        };
        let status: Vec<bool> = batch
            .column_by_name("status")
            .unwrap()
            .as_boolean()
            .iter()
            .map(Option::unwrap)
            .collect();
        assert_eq!(status, [true, false, true], "{name}");
        assert_eq!(column("type"), ["Response", "Prompt", "Response"], "{name}");
        assert_eq!(column("role"), ["assistant", "user", "assistant"], "{name}");
        let ids: Vec<String> = original
            .messages()
            .iter()
            .map(|m| m.id().to_owned())
            .collect();
        assert_eq!(column("id"), ids, "{name}");
        assert_eq!(
            column("date_created")[0],
            "2025-05-12 13:02:47 +0000",
            "{name}"
        );
        assert_eq!(
            column("date_modified")[0],
            "2025-04-23 20:50:28 -0800",
            "{name}"
        );

        // `metadata` is Python's repr of the other members, as `str(to_dataframe()["metadata"][i])`.
        let metadata = column("metadata");
        assert_eq!(
            metadata[0],
            "{'warnings': {'size': {'enable': True, 'threshold': 20}}, 'score': 1e-05, \
             'temperature': 0.507857377, 'top_k': None, 'tokens': None, 'inference_time': None, \
             'top_p': None, 'model': 'local/llama.cpp-q4_K_M', 'gpu': 'NVIDIA H100 80GB HBM3', \
             'seed': 2943, 'memor_version': '1.4', 'finish_reason': None}",
            "{name}"
        );
        assert_eq!(
            metadata[2],
            "{'warnings': {}, 'score': 1, 'temperature': None, 'top_k': 2147483648, 'tokens': 1, \
             'inference_time': None, 'top_p': 0.66752219726, 'model': 'claude-mythos-5.1', \
             'gpu': None, 'seed': 2147483647, 'memor_version': '1.4', 'finish_reason': None}",
            "{name}"
        );
        // A prompt's metadata holds its responses and its template.
        assert!(metadata[1].starts_with("{'warnings': {'size': {'enable': True, 'threshold': 30}}, 'responses': [{'type': 'Response', 'message': 'enzyme boxes\\nprepare theater submarine\\r\\nmuseum\\rcalm crimson\\n\\n',"), "{name}: {}", metadata[1]);
        assert!(
            metadata[1].contains(
                "'template': {'title': 'Basic/Prompt', 'content': '{instruction}{prompt[message]}'"
            ),
            "{name}"
        );
        assert!(
            metadata[1].contains("'seed': -9223372036854775808"),
            "{name}"
        );
        assert!(metadata[1].contains("'tokens': 1000000000000"), "{name}");
    }
}

/// The one record batch `memor export` writes for a small session.
fn single_batch(batches: &[RecordBatch]) -> RecordBatch {
    assert_eq!(batches.len(), 1, "one record batch");
    batches[0].clone()
}

#[test]
fn bad_input_fails_with_a_message() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let missing = dir.path().join("missing.parquet");
    let garbage = dir.path().join("garbage.parquet");
    std::fs::write(&garbage, b"PAR1 this is not parquet").unwrap();
    let no_status = dir.path().join("no-status.arrow");
    {
        use std::sync::Arc;
        let schema =
            arrow_schema::Schema::new(vec![arrow_schema::Field::new("type", DataType::Utf8, true)]);
        let array = arrow_array::StringArray::from(vec!["Prompt"]);
        let batch = RecordBatch::try_new(Arc::new(schema.clone()), vec![Arc::new(array)]).unwrap();
        let mut writer =
            arrow_ipc::writer::FileWriter::try_new(File::create(&no_status).unwrap(), &schema)
                .unwrap();
        writer.write(&batch).unwrap();
        writer.finish().unwrap();
    }

    let cases: [(&[&str], u8, &str); 6] = [
        (
            &["import-table", path(&missing), "--out", path(&out)],
            1,
            "missing.parquet",
        ),
        (
            &["import-table", SESSION, "--out", path(&out)],
            1,
            "not an Arrow IPC or Parquet file",
        ),
        (
            &["import-table", path(&garbage), "--out", path(&out)],
            1,
            "not a readable Parquet file",
        ),
        (
            &["import-table", path(&no_status), "--out", path(&out)],
            1,
            "no status column",
        ),
        (
            &[
                "export",
                path(&missing),
                "--format",
                "arrow",
                "--out",
                path(&out),
            ],
            1,
            "missing.parquet",
        ),
        (
            &["export", SESSION, "--format", "csv", "--out", path(&out)],
            2,
            "unknown table format",
        ),
    ];
    for (args, code, message) in cases {
        let result = memor(args);
        assert_eq!(
            result.status.code(),
            Some(i32::from(code)),
            "memor {args:?}"
        );
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains(message), "memor {args:?}: {stderr}");
        assert!(!out.exists(), "memor {args:?} wrote {}", out.display());
    }
}
