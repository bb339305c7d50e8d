//! `memor import --out` killed with SIGKILL at random moments: every memor file in the output
//! folder is, byte for byte, the one before the run or a complete new one, never a torn one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

/// An export of `n` conversations: the bundled one's conversations repeated with new ids.
fn write_export(path: &Path, n: usize) {
    let bundled =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/chatgpt-export.json");
    let base: Vec<Value> = serde_json::from_slice(&std::fs::read(bundled).unwrap()).unwrap();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut c = base[i % base.len()].clone();
        let id = format!("conv-{i:05}");
        c["conversation_id"] = Value::from(id.clone());
        c["id"] = Value::from(id);
        c["title"] = Value::from(format!("Conversation number {i}"));
        out.push(c);
    }
    std::fs::write(path, serde_json::to_vec(&out).unwrap()).unwrap();
}

fn import(export: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_memor"));
    cmd.args([
        "import",
        export.to_str().unwrap(),
        "--from",
        "chatgpt",
        "--out",
        out.to_str().unwrap(),
    ])
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null());
    cmd
}

/// The memor files of the folder with their bytes; stray temporary files are removed.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(".memor-") {
            std::fs::remove_file(&path).unwrap();
            continue;
        }
        files.insert(name, std::fs::read(&path).unwrap());
    }
    files
}

#[test]
fn killed_imports_leave_old_or_complete_files() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("conversations.json");
    let out = dir.path().join("out");
    write_export(&export, 600);

    // A full run: what each file holds when complete.
    let started = Instant::now();
    assert!(import(&export, &out).status().unwrap().success());
    let full = started.elapsed();
    let mut before = snapshot(&out);
    assert_eq!(before.len(), 600);
    let complete: BTreeMap<String, usize> = before
        .keys()
        .map(|name| {
            (
                name.clone(),
                memor_core::Session::load(out.join(name)).unwrap().len(),
            )
        })
        .collect();

    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut partial_runs = 0;
    for _ in 0..25 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let wait = Duration::from_micros(rng % (full.as_micros() as u64).max(1));
        let mut child = import(&export, &out).spawn().unwrap();
        std::thread::sleep(wait);
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        let after = snapshot(&out);
        assert_eq!(after.len(), before.len(), "a file vanished or appeared");
        let mut changed = 0;
        for (name, bytes) in &after {
            if before.get(name) == Some(bytes) {
                continue;
            }
            changed += 1;
            let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            let session = memor_core::Session::from_json(text)
                .unwrap_or_else(|e| panic!("{name} is torn after a kill: {e}"));
            assert_eq!(
                Some(&session.len()),
                complete.get(name),
                "{name} is incomplete"
            );
        }
        if changed > 0 && changed < after.len() {
            partial_runs += 1;
        }
        before = after;
    }
    // The kills do land in the middle of runs (old and new files side by side).
    eprintln!("{partial_runs} of 25 kills landed mid-import");
}
