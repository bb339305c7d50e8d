//! A process killed with SIGKILL in the middle of saving leaves the old file or the new one,
//! byte for byte, never a torn one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use memor_core::{Message, Prompt, Response, Session};

/// Two large sessions whose saved texts differ everywhere.
fn sessions() -> (Session, Session) {
    let build = |word: &str| {
        let mut messages = Vec::new();
        for i in 0..3000 {
            let mut p = Prompt::new(format!("{word} question {i} ").repeat(8));
            p.add_response(
                Response::new(format!("{word} answer {i} ").repeat(12)),
                None,
            );
            messages.push(Message::Prompt(p));
        }
        Session::with_messages(Some(word.into()), messages)
    };
    (build("alpha"), build("omega"))
}

const CHILD_ENV: &str = "MEMOR_CRASH_SAVE_TARGET";

/// In the child: load the two sessions the parent wrote beside the target, then save them
/// alternately, forever.
#[test]
fn crash_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let path = PathBuf::from(path);
    let dir = path.parent().unwrap();
    let a = Session::load(dir.join("a.src")).unwrap();
    let b = Session::load(dir.join("b.src")).unwrap();
    loop {
        a.save(&path).unwrap();
        b.save(&path).unwrap();
    }
}

fn spawn_child(path: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn sigkill_during_save_leaves_old_or_new_file() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let (a, b) = sessions();
    let (text_a, text_b) = (a.to_json().unwrap(), b.to_json().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("session.json");
    std::fs::write(dir.path().join("a.src"), &text_a).unwrap();
    std::fs::write(dir.path().join("b.src"), &text_b).unwrap();
    a.save(&path).unwrap();
    // A pseudo-random schedule of kill delays, reproducible.
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut kills = 0;
    let mut seen = [0usize; 2];
    let started = Instant::now();
    while kills < 40 && started.elapsed() < Duration::from_secs(120) {
        let mut child = spawn_child(&path);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(60 + seed % 540));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        kills += 1;
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert!(
            on_disk == text_a || on_disk == text_b,
            "after kill {kills} the file is neither the old nor the new content ({} bytes)",
            on_disk.len()
        );
        assert!(Session::load(&path).is_ok());
        seen[usize::from(on_disk == text_b)] += 1;
    }
    assert!(kills >= 10, "only {kills} kills in the time allowed");
    // The child did save between kills: both contents were found on disk.
    assert!(
        seen[0] > 0 && seen[1] > 0,
        "contents seen after kills: {seen:?}"
    );
    // Killed saves may leave temporary files behind, never a torn target.
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert!(leftovers >= 3);
}

/// Saved files get the permissions of any new file (not the private mode of temporary files),
/// and a replaced file keeps its own.
#[cfg(unix)]
#[test]
fn saves_keep_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, "x").unwrap();
    let expected = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;

    let saved = dir.path().join("session.json");
    let session = Session::new(Some("modes".into()));
    session.save(&saved).unwrap();
    assert_eq!(
        std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777,
        expected
    );

    std::fs::set_permissions(&saved, std::fs::Permissions::from_mode(0o640)).unwrap();
    session.save(&saved).unwrap();
    assert_eq!(
        std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

/// Large sessions (written by a second thread, the replaced file released in the background)
/// replace each other whole, back to back, and leave no temporary file.
#[test]
fn large_saves_replace_each_other_whole() {
    let (a, b) = sessions();
    let (ja, jb) = (a.to_json().unwrap(), b.to_json().unwrap());
    assert!(ja.len() > 1 << 20 && jb.len() > 1 << 20);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    for round in 0..6 {
        let (session, json) = if round % 2 == 0 { (&a, &ja) } else { (&b, &jb) };
        session.save(&path).unwrap();
        assert!(
            std::fs::read(&path).unwrap() == json.as_bytes(),
            "round {round}"
        );
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["session.json"]);
}

/// A FIFO where the file goes is replaced, not opened (which would wait for a writer).
#[cfg(unix)]
#[test]
fn a_fifo_in_the_way_is_replaced_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let made = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success());
    let (a, _) = sessions();
    let (tx, rx) = std::sync::mpsc::channel();
    let target = path.clone();
    std::thread::spawn(move || tx.send(a.save(&target).map(|()| a.to_json().unwrap())));
    let json = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the save returns")
        .unwrap();
    assert!(std::fs::metadata(&path).unwrap().is_file());
    assert!(std::fs::read(&path).unwrap() == json.as_bytes());
}
