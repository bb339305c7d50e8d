//! Temporary differential harness (development).
use memor_core::search::Query;
use serde_json::Value;

#[test]
fn differential() {
    let Ok(path) = std::env::var("SEARCH_DIFF_FILE") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let (mut pass, mut fail, mut unsup, mut msgdiff, mut warndiff) = (0, 0, 0, 0, 0);
    let mut shown = 0;
    for line in text.lines() {
        let p: Value = serde_json::from_str(line).unwrap();
        let q = p["q"].as_str().unwrap();
        let r = p["r"].as_bool().unwrap();
        let c = p["c"].as_bool().unwrap();
        let t = p["t"].as_str().unwrap();
        let e = &p["e"];
        let got = Query::new(q, r, c);
        let ok = match (&got, e) {
            (Ok(query), Value::Bool(b)) => {
                let w: Vec<String> = query
                    .warnings()
                    .iter()
                    .map(|w| format!("{}: {}", w.category, w.message))
                    .collect();
                let ew: Vec<String> = p["w"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| {
                        format!(
                            "{}: {}",
                            w["category"].as_str().unwrap(),
                            w["message"].as_str().unwrap()
                        )
                    })
                    .collect();
                if w != ew {
                    warndiff += 1;
                    if shown < 40 {
                        shown += 1;
                        eprintln!("WARN {q:?}: got {w:?} want {ew:?}");
                    }
                }
                match query.try_is_match(t) {
                    Ok(m) => m == *b,
                    Err(err) => {
                        eprintln!("RUNTIME {q:?} {t:?}: {err}");
                        false
                    }
                }
            }
            (Err(err), Value::Object(o)) => {
                let class = o["class"].as_str().unwrap();
                let msg = o["message"].as_str().unwrap();
                if err.python_class() == Some(class) {
                    if err.message() != msg {
                        msgdiff += 1;
                        if shown < 40 {
                            shown += 1;
                            eprintln!("MSG {q:?}: got {:?} want {msg:?}", err.message());
                        }
                    }
                    true
                } else {
                    false
                }
            }
            (Err(err), _) if err.python_class().is_none() => {
                unsup += 1;
                if shown < 60 {
                    shown += 1;
                    eprintln!("UNSUP {q:?} (want {e}): {err}");
                }
                continue;
            }
            _ => false,
        };
        if ok {
            pass += 1
        } else {
            fail += 1;
            if shown < 80 {
                shown += 1;
                eprintln!(
                    "FAIL q={q:?} regex={r} cs={c} t={t:?} want={e} got={:?}",
                    got.as_ref().map(|q| q.try_is_match(t))
                );
            }
        }
    }
    eprintln!("pass {pass} fail {fail} unsupported {unsup} msgdiff {msgdiff} warndiff {warndiff}");
    assert_eq!(fail, 0);
}
