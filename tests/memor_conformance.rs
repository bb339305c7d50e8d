//! Every case of `$MEMOR_CONFORMANCE/memor/` (files and values produced by memor 1.4).
//!
//! Where memor deliberately differs from memor 1.4 (`COMPATIBILITY.md`), the difference is
//! applied here as a rule over all cases, computed from the case's own content:
//!
//! - C1 lone surrogates: an input holding a lone surrogate escape is refused (validation error).
//! - C2 ids: an id that is not a string is a validation error (memor raises AttributeError or
//!   TypeError).
//! - C3 unknown message type in a session: refused (memor re-uses the previous message).
//! - C4 loading does not render: `load` succeeds where memor's constructor fails only because
//!   its init-time render fails (`from_json` accepts the same text).
//! - C5 dates: values at the recorded `clock_paths` may differ (memor re-stamps a loaded
//!   prompt's `date_modified`; memor-core keeps the date it read).
//! - C6 `PROMPT_RESPONSE_FULL` presets render: their `fixed` outcome is the expectation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::too_many_lines
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Tally, conformance_dir, read_jsonl};
use memor_core::date::{self, Date};
use memor_core::estimate::Estimator;
use memor_core::json::{self, PyValue};
use memor_core::{ErrorKind, Object, Prompt, PromptTemplate, Response, Session};
use serde_json::Value;

/// memor's clock in the fixtures.
const NOW: &str = "2099-01-01 00:00:00 +0000";

fn fix_clock() -> date::FixedNow {
    date::fix_now_for_tests(Date::parse(NOW).unwrap())
}

fn memor_dir() -> std::path::PathBuf {
    conformance_dir().join("memor")
}

fn class_of(kind: ErrorKind) -> &'static str {
    kind.python_name()
}

/// A recorded outcome: `Ok(value)` or `Err((class, message))`.
fn outcome(v: &Value) -> Result<&Value, (&str, &str)> {
    if let Some(ok) = v.get("ok") {
        return Ok(ok);
    }
    let e = &v["error"];
    Err((
        e["class"].as_str().unwrap_or(""),
        e["message"].as_str().unwrap_or(""),
    ))
}

/// Rule C6: memor failed only because `date` is missing from the prompt's render context.
fn fails_for_date(v: &Value) -> bool {
    let mut cause = v.get("error");
    while let Some(c) = cause {
        if c["class"] == "KeyError" && c["message"] == "'date'" {
            return true;
        }
        cause = c.get("cause");
    }
    false
}

/// Whether the input text holds a lone surrogate escape (rule C1).
fn has_lone_surrogate(text: &str) -> bool {
    matches!(json::parse(text), Err(e) if e.message.contains("lone surrogate"))
}

/// Sets the value at a JSON pointer.
fn set_pointer(v: &mut PyValue, pointer: &str, new: PyValue) -> bool {
    let mut cur = v;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        cur = match cur {
            PyValue::Dict(d) => match d.get_mut(&token) {
                Some(x) => x,
                None => return false,
            },
            PyValue::List(l) => match token.parse::<usize>().ok().and_then(|i| l.get_mut(i)) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    *cur = new;
    true
}

fn get_pointer<'v>(v: &'v PyValue, pointer: &str) -> Option<&'v PyValue> {
    let mut cur = v;
    for token in pointer.split('/').skip(1) {
        cur = match cur {
            PyValue::Dict(d) => d.get(token)?,
            PyValue::List(l) => l.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Compares a saved text with the expected one: byte for byte, except that at `clock_paths`
/// any valid memor date is accepted and at `generated_id_paths` any valid id.
fn same_saved_text(
    ours: &str,
    expected: &str,
    clock_paths: &[String],
    id_paths: &[String],
) -> Result<(), String> {
    if ours == expected {
        return Ok(());
    }
    let mut a = json::parse(ours).map_err(|e| format!("our text does not parse: {e}"))?;
    let mut b = json::parse(expected).map_err(|e| format!("expected text does not parse: {e}"))?;
    for p in clock_paths {
        match get_pointer(&a, p) {
            Some(PyValue::Str(s)) if Date::parse(s).is_ok() => {}
            other => return Err(format!("{p}: not a date in our text: {other:?}")),
        }
        set_pointer(&mut a, p, PyValue::from("<clock>"));
        set_pointer(&mut b, p, PyValue::from("<clock>"));
    }
    for p in id_paths {
        match get_pointer(&a, p) {
            Some(PyValue::Str(s)) if memor_core::is_valid_id(s) => {}
            other => return Err(format!("{p}: not an id in our text: {other:?}")),
        }
        set_pointer(&mut a, p, PyValue::from("<id>"));
        set_pointer(&mut b, p, PyValue::from("<id>"));
    }
    let (ta, tb) = (json::to_string(&a).unwrap(), json::to_string(&b).unwrap());
    if ta == tb {
        Ok(())
    } else {
        let at = ta
            .bytes()
            .zip(tb.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(ta.len().min(tb.len()));
        let lo = at.saturating_sub(60);
        Err(format!(
            "texts differ at byte {at}:\n    ours     …{}\n    expected …{}",
            ta.get(lo..(at + 60).min(ta.len())).unwrap_or(""),
            tb.get(lo..(at + 60).min(tb.len())).unwrap_or("")
        ))
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Loads an object of the given kind from text; the re-saved text (a prompt keeps whether it
/// had a template).
fn load_and_resave(kind: &str, text: &str) -> memor_core::Result<String> {
    match kind {
        "Response" => Response::from_json(text)?.to_json(),
        "Prompt" => {
            let with_template = has_key(text, "template");
            Prompt::from_json(text)?.to_json(with_template)
        }
        "Session" => Session::from_json(text)?.to_json(),
        "PromptTemplate" => PromptTemplate::from_json(text)?.to_json(),
        other => panic!("unknown kind {other}"),
    }
}

fn has_key(text: &str, key: &str) -> bool {
    matches!(json::parse(text), Ok(PyValue::Dict(d)) if d.contains_key(key))
}

/// Rules C1–C3: the error memor-core gives instead of memor 1.4's outcome, if any.
fn deliberate_refusal(kind: &str, input: &str) -> bool {
    if has_lone_surrogate(input) {
        return true;
    }
    let Ok(v) = json::parse(input) else {
        return false;
    };
    let non_string_id = |m: &PyValue| {
        m.as_dict()
            .and_then(|d| d.get("id"))
            .is_some_and(|id| !matches!(id, PyValue::Str(_)))
    };
    match kind {
        "Response" => non_string_id(&v),
        "Prompt" => non_string_id(&v),
        "Session" => v
            .as_dict()
            .and_then(|d| d.get("messages"))
            .and_then(|m| match m {
                PyValue::List(l) => Some(l),
                _ => None,
            })
            .is_some_and(|msgs| {
                msgs.iter().any(|m| {
                    !matches!(
                        m.as_dict()
                            .and_then(|d| d.get("type"))
                            .and_then(PyValue::as_str),
                        Some("Prompt" | "Response") | None
                    )
                })
            }),
        _ => false,
    }
}

/// The outcome of an input case: `from_json` and, for files, `load` (rule C4: loading does not
/// render, so it has `from_json`'s outcome).
fn check_input_case(tally: &mut Tally, label: &str, kind: &str, input: &str, from_json: &Value) {
    let ours = load_and_resave(kind, input);
    match outcome(from_json) {
        Ok(ok) => {
            let expected = ok["resaved"].as_str().unwrap_or("");
            if deliberate_refusal(kind, input) {
                tally.check(
                    matches!(&ours, Err(e) if e.kind() == ErrorKind::Validation),
                    || format!("{label}: refused by design (C1–C3), but got {ours:?}"),
                );
                return;
            }
            let clock = strings(&ok["clock_paths"]);
            let ids = strings(&ok["generated_id_paths"]);
            let result = match &ours {
                Ok(text) => same_saved_text(text, expected, &clock, &ids),
                Err(e) => Err(format!("refused: {e}")),
            };
            tally.check(result.is_ok(), || {
                format!("{label}: {}", result.unwrap_err())
            });
        }
        Err((class, message)) => {
            let ok = match &ours {
                Err(e) => {
                    let class_ok = class_of(e.kind()) == class
                        || (matches!(class, "AttributeError" | "TypeError")
                            && e.kind() == ErrorKind::Validation);
                    class_ok && (e.message() == message || class != "MemorValidationError")
                }
                Ok(_) => false,
            };
            tally.check(ok, || {
                format!("{label}: expected {class}: {message}\n    got {ours:?}")
            });
        }
    }
}

#[test]
fn memor_conformance() {
    let _clock = fix_clock();
    let dir = memor_dir();
    let mut tally = Tally::default();

    // Object files and their computed values.
    for (line, case) in read_jsonl("memor/cases.jsonl") {
        let file = case["file"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        let label = format!("cases.jsonl:{line} {file}");
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        check_object_case(&mut tally, &label, kind, &text, &dir.join(file), &case);
    }

    // Legacy files.
    for (line, case) in read_jsonl("memor/legacy.jsonl") {
        let file = case["file"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        let label = format!("legacy.jsonl:{line} {file}");
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        check_input_case(&mut tally, &label, kind, &text, &case["from_json"]);
    }

    // Invalid and odd-but-accepted inputs.
    for (line, case) in read_jsonl("memor/invalid.jsonl") {
        let kind = case["kind"].as_str().unwrap();
        let label = format!(
            "invalid.jsonl:{line} ({})",
            case["note"].as_str().unwrap_or("")
        );
        let input = case["input"].as_str().unwrap();
        check_input_case(&mut tally, &label, kind, input, &case["from_json"]);
    }

    tally.finish("memor conformance");
}

fn check_object_case(
    tally: &mut Tally,
    label: &str,
    kind: &str,
    text: &str,
    path: &Path,
    case: &Value,
) {
    // Loading from the file (rule C4: no render at load time).
    let loaded = Object::load(path);
    let load_expect_ok =
        case["load"].get("ok").is_some() || case["load"]["error"]["class"] == "MemorRenderError";
    tally.check(loaded.is_ok() == load_expect_ok, || {
        format!("{label}: load gave {:?}", loaded.as_ref().err())
    });
    let Ok(object) = loaded else { return };

    // Byte-exact re-save.
    let with_template = has_key(text, "template");
    let resaved = match &object {
        Object::Prompt(p) => p.to_json(with_template),
        other => other.to_json(),
    }
    .unwrap();
    let clock = strings(&case["roundtrip"]["clock_paths"]);
    let result = same_saved_text(&resaved, text, &clock, &[]);
    tally.check(result.is_ok(), || {
        format!("{label}: re-save: {}", result.unwrap_err())
    });

    // Size.
    let size = match &object {
        Object::Response(r) => r.size(),
        Object::Prompt(p) => p.size(),
        Object::Session(s) => s.size(),
        Object::Template(t) => t.size(),
    };
    tally.check(Some(size as u64) == case["size"].as_u64(), || {
        format!("{label}: size {size}, expected {}", case["size"])
    });

    // STRING render, len, check_render, estimates, warnings.
    let (rendered, warnings): (Option<memor_core::Result<String>>, Vec<String>) = match &object {
        Object::Response(r) => (
            Some(Ok(r.render_string().to_owned())),
            r.size_warning().into_iter().collect(),
        ),
        Object::Prompt(p) => (
            Some(p.render_string()),
            p.size_warning().into_iter().collect(),
        ),
        Object::Session(s) => (Some(s.render_string()), s.render_warnings()),
        Object::Template(_) => (None, Vec::new()),
    };
    if let Some(rendered) = rendered {
        let expect = &case["render"]["STRING"];
        // C6: where memor only lacked `date`, memor-core renders (presets.jsonl checks the text).
        let date_fix = fails_for_date(expect) && rendered.is_ok();
        let ok = date_fix
            || match (outcome(expect), &rendered) {
                (Ok(Value::String(e)), Ok(r)) => e == r,
                (Err((class, _)), Err(e)) => class == class_of(e.kind()),
                _ => false,
            };
        tally.check(ok, || {
            format!("{label}: STRING render\n    expected {expect}\n    got      {rendered:?}")
        });
        let expected_warnings: Vec<String> = expect["warnings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|w| w["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        tally.check(expected_warnings == warnings, || {
            format!("{label}: warnings {warnings:?}, expected {expected_warnings:?}")
        });
        let len = match &object {
            Object::Session(s) => s.len(),
            _ => rendered.as_ref().map_or(0, |r| r.chars().count()),
        };
        tally.check(date_fix || Some(len as u64) == case["len"].as_u64(), || {
            format!("{label}: len {len}, expected {}", case["len"])
        });
        tally.check(
            date_fix || case["check_render"].as_bool() == Some(rendered.is_ok()),
            || format!("{label}: check_render {}", rendered.is_ok()),
        );
        for estimator in Estimator::ALL {
            let expect = &case["estimate_tokens"][estimator.as_str()];
            let ours = rendered.as_ref().map(|t| estimator.estimate(t));
            let ok = date_fix
                || match (outcome(expect), &ours) {
                    (Ok(v), Ok(n)) => v.as_u64() == Some(*n as u64),
                    (Err((class, _)), Err(e)) => class == class_of(e.kind()),
                    _ => false,
                };
            tally.check(ok, || {
                format!("{label}: estimate {estimator}: {ours:?}, expected {expect}")
            });
        }
    }

    match &object {
        Object::Session(s) => {
            let masks: Vec<bool> = case["masks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_bool().unwrap())
                .collect();
            tally.check(masks == s.masks(), || format!("{label}: masks"));
            let status: Vec<bool> = case["messages_status"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_bool().unwrap())
                .collect();
            tally.check(status == s.messages_status(), || {
                format!("{label}: messages_status")
            });
        }
        Object::Prompt(p) => {
            let id = p.selected_response().map(|r| r.id().to_owned());
            tally.check(
                case["selected_response_id"].as_str().map(str::to_owned) == id,
                || format!("{label}: selected_response_id {id:?}"),
            );
            let vars = p.template().variables();
            let ok = match (outcome(&case["template_variables"]), &vars) {
                (Ok(v), Ok(ours)) => strings(v) == *ours,
                (Err(_), Err(_)) => true,
                _ => false,
            };
            tally.check(ok, || {
                format!(
                    "{label}: template variables {vars:?}, expected {}",
                    case["template_variables"]
                )
            });
            let missing = prompt_missing_variables(p);
            let ok = match (outcome(&case["template_missing_variables"]), &missing) {
                (Ok(v), Ok(ours)) => strings(v) == *ours,
                (Err(_), Err(_)) => true,
                _ => false,
            };
            tally.check(ok, || format!("{label}: missing variables {missing:?}"));
        }
        Object::Template(t) => {
            tally.check(case["str"].as_str() == Some(t.as_str()), || {
                format!("{label}: str")
            });
            let vars = t.variables();
            let ok = match (outcome(&case["variables"]), &vars) {
                (Ok(v), Ok(ours)) => strings(v) == *ours,
                (Err(_), Err(_)) => true,
                _ => false,
            };
            tally.check(ok, || {
                format!(
                    "{label}: variables {vars:?}, expected {}",
                    case["variables"]
                )
            });
            for ctx_case in case["contexts"].as_array().unwrap() {
                let ctx = match &ctx_case["context"] {
                    Value::Null => None,
                    v => match json::parse(&v.to_string()) {
                        Ok(PyValue::Dict(d)) => Some(d),
                        other => panic!("{label}: context {other:?}"),
                    },
                };
                let rendered = t.render(ctx.as_ref());
                let ok = match (outcome(&ctx_case["render"]), &rendered) {
                    (Ok(Value::String(e)), Ok(r)) => e == r,
                    (Err((class, _)), Err(e)) => class == class_of(e.kind()),
                    _ => false,
                };
                tally.check(ok, || {
                    format!(
                        "{label}: render with context\n    expected {}\n    got      {rendered:?}",
                        ctx_case["render"]
                    )
                });
                tally.check(
                    ctx_case["check_render"].as_bool() == Some(rendered.is_ok()),
                    || format!("{label}: check_render with context"),
                );
                let missing = t.missing_variables(ctx.as_ref());
                let ok = match (outcome(&ctx_case["missing_variables"]), &missing) {
                    (Ok(v), Ok(ours)) => strings(v) == *ours,
                    (Err(_), Err(_)) => true,
                    _ => false,
                };
                tally.check(ok, || {
                    format!(
                        "{label}: missing variables {missing:?}, expected {}",
                        ctx_case["missing_variables"]
                    )
                });
            }
        }
        Object::Response(_) => {}
    }
}

/// memor's `template.get_missing_variables(ctx)` for a prompt's own render context.
fn prompt_missing_variables(p: &Prompt) -> memor_core::Result<Vec<String>> {
    let mut names: BTreeSet<&str> = ["prompt", "responses"].into_iter().collect();
    if p.selected_response().is_some() {
        names.insert("response");
    }
    let mut ctx = json::PyDict::new();
    for n in names {
        ctx.insert(n.to_owned(), PyValue::Null);
    }
    p.template().missing_variables(Some(&ctx))
}
