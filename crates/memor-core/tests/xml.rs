//! tmp
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
use memor_core::xml::{build_xml_string, contains_xml, xml_tree};
use serde_json::{Value, json};

fn tree_outcome(text: &str) -> Value {
    match xml_tree(text) {
        Ok(v) => json!({"ok": v}),
        Err(e) => json!({"error": {"class": e.python_class(), "message": e.message()}}),
    }
}

#[test]
#[ignore = "needs MEMOR_XML_DIFF"]
fn differential() {
    let path = std::env::var("MEMOR_XML_DIFF").unwrap();
    let (mut pass, mut fail) = (0, 0);
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        if let Some(text) = case.get("text").and_then(Value::as_str) {
            let got = json!({"text": text, "contains_xml": contains_xml(text, false), "contains_xml_verify": contains_xml(text, true), "xml_tree": tree_outcome(text)});
            if got == case {
                pass += 1
            } else {
                fail += 1;
                if fail < 15 {
                    println!(
                        "MISMATCH\n  py: {case}\n  rs: {got}\n  detail: {:?}",
                        xml_tree(text).err().map(|e| e.detail().to_owned())
                    );
                }
            }
        } else {
            let tree = &case["tree"];
            let got = match build_xml_string(tree) {
                Ok(s) => json!({"tree": tree, "result": {"ok": s}}),
                Err(e) => {
                    json!({"tree": tree, "result": {"error": {"class": e.python_class(), "message": e.message()}}})
                }
            };
            if got == case {
                pass += 1
            } else {
                fail += 1;
                if fail < 15 {
                    println!("MISMATCH\n  py: {case}\n  rs: {got}");
                }
            }
        }
    }
    println!("diff: {pass} passed, {fail} failed");
    assert_eq!(fail, 0);
}
