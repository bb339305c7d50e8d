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
    clippy::too_many_lines,
    clippy::doc_markdown,
    clippy::match_same_arms,
    clippy::option_option,
    clippy::wrong_self_convention
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Tally, conformance_dir, py_to_serde, read_jsonl, serde_to_py};
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

/// memor's tagged values (`$datetime`, `$Role`, `$Response`…) as the JSON memor-core writes.
fn untag(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, inner) = m.iter().next().unwrap();
            match k.as_str() {
                "$Role" | "$datetime" => inner.clone(),
                "$Response" | "$Prompt" | "$Session" | "$PromptTemplate" => untag(inner),
                _ => Value::Object(m.iter().map(|(k, v)| (k.clone(), untag(v))).collect()),
            }
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), untag(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(untag).collect()),
        other => other.clone(),
    }
}

/// A render's payload as a `serde_json` value comparable with the fixtures.
fn payload_value(p: &memor_render::Payload) -> Value {
    match p {
        memor_render::Payload::Json(v) => v.clone(),
        memor_render::Payload::Text(t) => Value::String(t.clone()),
        memor_render::Payload::Python(v) => py_to_serde(v),
        other => other.to_value().expect("every other payload is JSON"),
    }
}

/// memor's render formats and the targets that give them.
const FORMATS: [(&str, &str); 5] = [
    ("STRING", "string"),
    ("OPENAI", "openai"),
    ("AI STUDIO", "ai-studio"),
    ("DICTIONARY", "dictionary"),
    ("ITEMS", "items"),
];

/// Checks one recorded render outcome (value and warnings) against a target's render.
fn check_render_outcome(
    tally: &mut Tally,
    label: &str,
    expect: &Value,
    got: &Result<memor_render::Rendered, memor_render::Error>,
) {
    let ok = match (outcome(expect), got) {
        (Ok(e), Ok(r)) => untag(e) == payload_value(&r.payload),
        (Err((class, _)), Err(_)) => class == "MemorRenderError",
        _ => false,
    };
    tally.check(ok, || {
        format!("{label}\n    expected {expect}\n    got      {got:?}")
    });
    if let (Some(w), Ok(r)) = (expect.get("warnings"), got) {
        let expected: Vec<&str> = w
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w["message"].as_str())
            .collect();
        tally.check(expected == r.warnings, || {
            format!("{label}: warnings {:?}, expected {expected:?}", r.warnings)
        });
    }
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

        let label = format!("cases.jsonl:{line} {file}");
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        check_object_case(&mut tally, &label, &text, &dir.join(file), &case);
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

    // Every preset on prompts saved without template.
    for (line, case) in read_jsonl("memor/presets.jsonl") {
        let path = format!(
            "{}.{}",
            case["group"].as_str().unwrap(),
            case["name"].as_str().unwrap()
        );
        let label = format!("presets.jsonl:{line} {path}");
        let preset =
            memor_presets::Preset::find(&path).unwrap_or_else(|| panic!("{label}: unknown preset"));
        let mut prompt = Prompt::load(dir.join(case["prompt_file"].as_str().unwrap())).unwrap();
        prompt.update_template(PromptTemplate::from_preset(preset));
        let rendered = prompt.render_string();
        // C6: the `fixed` outcome is what the presets give once `date` is in the context.
        let expect = case.get("fixed").unwrap_or(&case["result"]);
        let ok = match (outcome(expect), &rendered) {
            (Ok(Value::String(e)), Ok(r)) => e == r,
            (Err(_), Err(e)) => e.kind() == ErrorKind::Render,
            _ => false,
        };
        tally.check(ok, || {
            format!("{label}\n    expected {expect}\n    got      {rendered:?}")
        });
    }

    check_operations(&mut tally);

    tally.finish("memor conformance");
}

fn check_object_case(tally: &mut Tally, label: &str, text: &str, path: &Path, case: &Value) {
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

    // memor's other render formats.
    for (format, name) in FORMATS.iter().skip(1) {
        let target = memor_render::target(name).unwrap();
        let expect = &case["render"][*format];
        if fails_for_date(expect) {
            continue; // C6
        }
        let options = memor_render::RenderOptions::default();
        let got = match &object {
            Object::Response(r) => {
                target.render_message(&memor_core::Message::Response(r.clone()), &options)
            }
            Object::Prompt(p) => {
                target.render_message(&memor_core::Message::Prompt(p.clone()), &options)
            }
            Object::Session(s) => target.render(s, &options),
            Object::Template(_) => continue,
        };
        check_render_outcome(tally, &format!("{label}: {format} render"), expect, &got);
    }

    if let (Object::Session(s), Some(searches)) = (&object, case["search"].as_array()) {
        for search in searches {
            let query = search["query"].as_str().unwrap_or("");
            let use_regex = search["use_regex"].as_bool().unwrap_or(false);
            let case_sensitive = search["case_sensitive"].as_bool().unwrap_or(false);
            let got = s.search_str(query, use_regex, case_sensitive);
            // C6: prompts memor cannot render only for lack of `date` are searched here.
            let c6: Vec<usize> = s
                .messages()
                .iter()
                .enumerate()
                .filter(|(_, m)| m.as_prompt().is_some_and(memor_fails_for_date))
                .map(|(i, _)| i)
                .collect();
            let ok = match (outcome(&search["result"]), &got) {
                (Ok(v), Ok(found)) => v.as_array().is_some_and(|a| {
                    let expected: Vec<usize> = a
                        .iter()
                        .filter_map(Value::as_u64)
                        .map(|i| i as usize)
                        .collect();
                    let ours: Vec<usize> =
                        found.iter().copied().filter(|i| !c6.contains(i)).collect();
                    expected == ours
                }),
                (Err((class, _)), Err(e)) => Some(class) == e.python_class(),
                _ => false,
            };
            tally.check(ok, || {
                format!("{label}: search {query:?} regex={use_regex} case={case_sensitive}: {got:?}, expected {}", search["result"])
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
                    v => match serde_to_py(v) {
                        PyValue::Dict(d) => Some(d),
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

// ---------------------------------------------------------------------------------------------
// Operation scripts.

use memor_core::json::Number;
use memor_core::{FinishReason, Message, Role};

#[derive(Clone, Debug)]
enum Obj {
    Response(Response),
    Prompt(Prompt),
    Session(Session),
}

/// What one op gave.
enum Got {
    /// A value to compare with the recorded one (normalized JSON).
    Value(Value),
    /// `None` in Python.
    Unit,
    /// An error of this kind.
    Error(ErrorKind, String),
    /// The argument has a type the Rust signature cannot take: refused at compile time.
    TypeRefused,
    /// Not compared here (structured render formats belong to memor-render).
    Unchecked,
    /// memor-core deliberately differs from here on (rule C7).
    Diverged,
    /// A render, and whether memor showed its warnings.
    Rendered(Result<memor_render::Rendered, memor_render::Error>, bool),
    /// Search results and the warnings rendering emitted.
    Searched(Vec<usize>, Vec<String>),
    /// A search pattern refused, with Python's class.
    SearchError(&'static str),
}

fn target_for(format: &str) -> Option<Box<dyn memor_render::Target>> {
    FORMATS
        .iter()
        .find(|(f, _)| *f == format)
        .and_then(|(_, name)| memor_render::target(name))
}

fn load_arg(v: &Value) -> Option<Obj> {
    let file = v.get("$file")?.as_str()?;
    let dir = memor_dir();
    Some(match Object::load(dir.join(file)).ok()? {
        Object::Response(r) => Obj::Response(r),
        Object::Prompt(p) => Obj::Prompt(p),
        Object::Session(s) => Obj::Session(s),
        Object::Template(_) => return None,
    })
}

fn message_arg(v: &Value) -> Option<Message> {
    match load_arg(v)? {
        Obj::Response(r) => Some(Message::Response(r)),
        Obj::Prompt(p) => Some(Message::Prompt(p)),
        Obj::Session(_) => None,
    }
}

fn number_arg(v: &Value) -> Option<Option<Number>> {
    match serde_to_py(v) {
        PyValue::Null => Some(None),
        PyValue::Number(n) => Some(Some(n)),
        _ => None,
    }
}

fn to_json_value(text: &str) -> Value {
    py_to_serde(&json::parse(text).unwrap())
}

/// memor's tagged result values as the JSON memor-core writes, without ids and modification
/// dates (compared in the final saved text instead).
fn normalize(v: &Value) -> Value {
    drop_fresh(untag(v))
}

/// Drops the keys that differ between runs (`id`, `date_modified`) from every record.
fn drop_fresh(v: Value) -> Value {
    match v {
        Value::Object(m) if m.len() > 1 => Value::Object(
            m.into_iter()
                .filter(|(k, _)| k != "id" && k != "date_modified")
                .map(|(k, v)| (k, drop_fresh(v)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, drop_fresh(v))).collect()),
        Value::Array(a) => Value::Array(a.into_iter().map(drop_fresh).collect()),
        other => other,
    }
}

fn message_json(m: &Message) -> Value {
    match m {
        Message::Prompt(p) => to_json_value(&p.to_json(true).unwrap()),
        Message::Response(r) => to_json_value(&r.to_json().unwrap()),
    }
}

/// A Python `int` argument: integers and booleans (`True` is 1).
fn py_int(v: &Value) -> Option<i64> {
    match v {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// The indices Python's `list[start:stop:step]` selects.
fn py_slice(slice: &[Value], len: usize) -> Vec<usize> {
    let len = len as i64;
    let step = slice.get(2).and_then(Value::as_i64).unwrap_or(1);
    let (lo, hi) = if step > 0 { (0, len) } else { (-1, len - 1) };
    let bound = |v: Option<&Value>, default: i64| match v.and_then(Value::as_i64) {
        None => default,
        Some(i) if i < 0 => (len + i).max(lo),
        Some(i) => i.min(hi),
    };
    let (start, stop) = if step > 0 {
        (bound(slice.first(), lo), bound(slice.get(1), hi))
    } else {
        (bound(slice.first(), hi), bound(slice.get(1), lo))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    out
}

/// Python's list index: negative from the end.
fn py_index(i: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let j = if i < 0 { len + i } else { i };
    (0..len).contains(&j).then_some(j as usize)
}

/// Python's `list.insert` position.
fn py_insert_at(i: i64, len: usize) -> usize {
    let len = len as i64;
    let j = if i < 0 { (len + i).max(0) } else { i.min(len) };
    j as usize
}

fn index_err() -> Got {
    Got::Error(ErrorKind::Index, "index out of range".into())
}

fn err(e: &memor_core::Error) -> Got {
    Got::Error(e.kind(), e.message().to_owned())
}

fn unit_or_err(r: memor_core::Result<()>) -> Got {
    match r {
        Ok(()) => Got::Unit,
        Err(e) => err(&e),
    }
}

fn check_operations(tally: &mut Tally) {
    for (line, case) in read_jsonl("memor/operations.jsonl") {
        let name = case["name"].as_str().unwrap_or("");
        let label = format!("operations.jsonl:{line} ({name})");
        let initial =
            load_arg(&serde_json::json!({"$file": case["initial"]})).expect("initial object loads");
        let mut current = initial;
        let mut diverged = false;
        let mut ids_regenerated = false;
        for (i, op) in case["ops"].as_array().unwrap().iter().enumerate() {
            let name = op["op"].as_str().unwrap();
            let args = op["args"].as_array().unwrap();
            if matches!(name, "copy" | "regenerate_id" | "add" | "radd") {
                ids_regenerated = true;
            }
            let got = apply(&mut current, name, args);
            let expected = &case["results"][i];
            let op_label = format!(
                "{label} op {i} {name}{}",
                serde_json::to_string(args).unwrap()
            );
            match got {
                Got::Diverged => {
                    tally.check(true, String::new);
                    diverged = true;
                    break;
                }
                Got::Unchecked => {}
                Got::Searched(found, warnings) => {
                    let ok = outcome(expected).is_ok_and(|v| {
                        v.as_array().is_some_and(|a| {
                            a.iter()
                                .filter_map(Value::as_u64)
                                .map(|i| i as usize)
                                .collect::<Vec<_>>()
                                == found
                        })
                    });
                    tally.check(ok, || {
                        format!("{op_label}: found {found:?}, expected {expected}")
                    });
                    let expected_warnings: Vec<&str> = expected["warnings"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|w| w["message"].as_str()).collect())
                        .unwrap_or_default();
                    tally.check(expected_warnings == warnings, || {
                        format!("{op_label}: warnings {warnings:?}, expected {expected_warnings:?}")
                    });
                }
                Got::SearchError(class) => {
                    let ok = matches!(outcome(expected), Err((c, _)) if c == class);
                    tally.check(ok, || {
                        format!("{op_label}: refused ({class}), expected {expected}")
                    });
                }
                Got::Rendered(mut rendered, show_warning) => {
                    if let Ok(r) = &mut rendered
                        && !show_warning
                    {
                        r.warnings.clear();
                    }
                    check_render_outcome(tally, &op_label, expected, &rendered);
                }
                Got::TypeRefused => {
                    tally.check(expected.get("error").is_some(), || {
                        format!("{op_label}: argument refused by type, but memor gave {expected}")
                    });
                }
                Got::Unit => tally.check(expected.get("ok") == Some(&Value::Null), || {
                    format!("{op_label}: got None, expected {expected}")
                }),
                Got::Error(kind, message) => {
                    let ok = match outcome(expected) {
                        Err((class, _)) => {
                            class == class_of(kind)
                                || (class == "TypeError" && kind == ErrorKind::Validation)
                                || (class == "ValueError" && kind == ErrorKind::Index)
                        }
                        Ok(_) => false,
                    };
                    tally.check(ok, || {
                        format!("{op_label}: got {kind:?} {message}, expected {expected}")
                    });
                }
                Got::Value(v) => {
                    let ok = match outcome(expected) {
                        Ok(e) => {
                            let skip_ids = ids_regenerated
                                && name == "get"
                                && args.first() == Some(&Value::from("id"));
                            skip_ids || normalize(e) == normalize(&v)
                        }
                        Err(_) => false,
                    };
                    tally.check(ok, || {
                        format!("{op_label}:\n    got      {v}\n    expected {expected}")
                    });
                }
            }
        }
        if diverged {
            continue;
        }
        let final_ = &case["final"];
        let saved = match &current {
            Obj::Response(r) => r.to_json(),
            Obj::Prompt(p) => p.to_json(true),
            Obj::Session(s) => s.to_json(),
        }
        .unwrap();
        let result = same_saved_text(
            &saved,
            final_["saved"].as_str().unwrap_or(""),
            &strings(&final_["clock_paths"]),
            &strings(&final_["generated_id_paths"]),
        );
        tally.check(result.is_ok(), || {
            format!("{label}: final state: {}", result.unwrap_err())
        });
    }
}

fn render_format(args: &[Value]) -> Option<&str> {
    match args.first() {
        None => Some("STRING"),
        Some(v) => v.get("$render_format").and_then(Value::as_str),
    }
}

/// One op on the current object.
fn apply(current: &mut Obj, name: &str, args: &[Value]) -> Got {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    // Ops every kind has.
    match name {
        "copy" => {
            *current = match current {
                Obj::Response(r) => Obj::Response(r.copy()),
                Obj::Prompt(p) => Obj::Prompt(p.copy()),
                Obj::Session(s) => Obj::Session(s.copy()),
            };
            return Got::Unit;
        }
        "eq" => {
            return Got::Value(Value::Bool(match (&*current, load_arg(arg(0))) {
                (Obj::Response(a), Some(Obj::Response(b))) => *a == b,
                (Obj::Prompt(a), Some(Obj::Prompt(b))) => *a == b,
                (Obj::Session(a), Some(Obj::Session(b))) => *a == b,
                _ => false,
            }));
        }
        _ => {}
    }
    match current {
        Obj::Response(r) => apply_response(r, name, args),
        Obj::Prompt(p) => apply_prompt(p, name, args),
        Obj::Session(s) => match apply_session(s, name, args) {
            SessionOp::Got(g) => g,
            SessionOp::Replace(new) => {
                *current = Obj::Session(new);
                Got::Unit
            }
        },
    }
}

fn apply_message_common<M: MessageOps>(m: &mut M, name: &str, args: &[Value]) -> Option<Got> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    Some(match name {
        "update_message" => match arg(0) {
            Value::String(s) => {
                m.set_message(s);
                Got::Unit
            }
            _ => Got::TypeRefused,
        },
        "update_role" => match arg(0).get("$role").and_then(Value::as_str) {
            Some(role) => {
                m.set_role(role.parse::<Role>().unwrap());
                Got::Unit
            }
            None => Got::TypeRefused,
        },
        "update_tokens" => match number_arg(arg(0)) {
            Some(n) => unit_or_err(m.set_tokens(n)),
            None => Got::TypeRefused,
        },
        "set_size_warning" => match number_arg(arg(0)) {
            Some(Some(n)) => unit_or_err(m.set_size_warning(n)),
            _ => Got::TypeRefused,
        },
        "reset_size_warning" => {
            m.reset_size_warning();
            Got::Unit
        }
        "regenerate_id" => {
            m.regenerate();
            Got::Unit
        }
        "update_message_from_xml" => {
            if arg(0).is_object() {
                unit_or_err(m.from_xml(arg(0)))
            } else {
                Got::Error(ErrorKind::Validation, "not a tree".into())
            }
        }
        "contains_xml" => match m.contains(arg(0).as_bool().unwrap_or(false)) {
            Ok(b) => Got::Value(Value::Bool(b)),
            Err(e) => err(&e),
        },
        // C6: a render memor fails only for lack of `date` is not compared.
        "check_render" if m.memor_lacks_date() => Got::Unchecked,
        "render" if m.memor_lacks_date() => Got::Unchecked,
        "check_render" => Got::Value(Value::Bool(m.render().is_ok())),
        "render" => {
            let show_warning = args.get(1).and_then(Value::as_bool).unwrap_or(true);
            match render_format(args).and_then(target_for) {
                Some(target) => Got::Rendered(
                    target.render_message(&m.message(), &memor_render::RenderOptions::default()),
                    show_warning,
                ),
                None => Got::Error(ErrorKind::Validation, "render format".into()),
            }
        }
        "len" => Got::Value(Value::from(m.render().map_or(0, |t| t.chars().count()))),
        _ => return None,
    })
}

/// The message operations both kinds share, for the interpreter.
trait MessageOps {
    fn set_message(&mut self, s: &str);
    fn set_role(&mut self, r: Role);
    fn set_tokens(&mut self, n: Option<Number>) -> memor_core::Result<()>;
    fn set_size_warning(&mut self, n: Number) -> memor_core::Result<()>;
    fn reset_size_warning(&mut self);
    fn regenerate(&mut self);
    fn from_xml(&mut self, tree: &Value) -> memor_core::Result<()>;
    fn contains(&self, verify: bool) -> memor_core::Result<bool>;
    fn render(&self) -> memor_core::Result<String>;
    fn json(&self) -> Value;
    fn tree(&self) -> memor_core::Result<Value>;
    /// Rule C6: memor's own render of this message fails only because `date` is missing.
    fn memor_lacks_date(&self) -> bool;
    fn message(&self) -> Message;
}

macro_rules! message_ops {
    ($ty:ty, $render:expr, $json:expr, $lacks:expr) => {
        impl MessageOps for $ty {
            fn set_message(&mut self, s: &str) {
                self.update_message(s)
            }
            fn set_role(&mut self, r: Role) {
                self.update_role(r)
            }
            fn set_tokens(&mut self, n: Option<Number>) -> memor_core::Result<()> {
                self.update_tokens(n)
            }
            fn set_size_warning(&mut self, n: Number) -> memor_core::Result<()> {
                <$ty>::set_size_warning(self, n)
            }
            fn reset_size_warning(&mut self) {
                <$ty>::reset_size_warning(self)
            }
            fn regenerate(&mut self) {
                self.regenerate_id()
            }
            fn from_xml(&mut self, tree: &Value) -> memor_core::Result<()> {
                self.update_message_from_xml(tree)
            }
            fn contains(&self, verify: bool) -> memor_core::Result<bool> {
                self.contains_xml(verify)
            }
            fn render(&self) -> memor_core::Result<String> {
                $render(self)
            }
            fn json(&self) -> Value {
                $json(self)
            }
            fn tree(&self) -> memor_core::Result<Value> {
                self.xml_tree()
            }
            fn memor_lacks_date(&self) -> bool {
                $lacks(self)
            }
            fn message(&self) -> Message {
                Message::from(self.clone())
            }
        }
    };
}

message_ops!(
    Response,
    |r: &Response| Ok(r.render_string().to_owned()),
    |r: &Response| to_json_value(&r.to_json().unwrap()),
    |_: &Response| false
);
message_ops!(
    Prompt,
    |p: &Prompt| p.render_string(),
    |p: &Prompt| to_json_value(&p.to_json(true).unwrap()),
    memor_fails_for_date
);

/// Renders a prompt's format template with exactly memor 1.4's context (no `date`) and tells
/// whether it fails with `KeyError: 'date'` while memor-core renders it.
fn memor_fails_for_date(p: &Prompt) -> bool {
    let t = p.template();
    if t.engine() != memor_core::Engine::Format || p.render_string().is_err() {
        return false;
    }
    let Some(content) = t.content() else {
        return false;
    };
    let parse = |text: String| json::parse(&text).unwrap();
    let mut ctx = t.custom_map().cloned().unwrap_or_default();
    ctx.insert("prompt".into(), parse(p.to_json(false).unwrap()));
    if let Some(r) = p.selected_response() {
        ctx.insert("response".into(), parse(r.to_json().unwrap()));
    }
    let responses = p
        .responses()
        .iter()
        .map(|r| parse(r.to_json().unwrap()))
        .collect();
    ctx.insert("responses".into(), PyValue::List(json::PyList(responses)));
    matches!(
        memor_template::format(content, &ctx),
        Err(e) if e.kind() == memor_template::ErrorKind::Key && e.message() == "'date'"
    )
}

fn get_common<M: MessageOps>(m: &M, prop: &str) -> Option<Got> {
    Some(match prop {
        "xml_tree" => match m.tree() {
            Ok(t) => Got::Value(t),
            Err(e) => err(&e),
        },
        "message" | "id" | "warnings" | "role" | "tokens" => Got::Value(m.json()[prop].clone()),
        _ => return None,
    })
}

fn apply_response(r: &mut Response, name: &str, args: &[Value]) -> Got {
    if let Some(g) = apply_message_common(r, name, args) {
        return g;
    }
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let numeric =
        |r: &mut Response, f: fn(&mut Response, Option<Number>) -> memor_core::Result<()>| {
            match number_arg(arg(0)) {
                Some(n) => unit_or_err(f(r, n)),
                None => Got::TypeRefused,
            }
        };
    match name {
        "update_score" => numeric(r, Response::update_score),
        "update_temperature" => numeric(r, Response::update_temperature),
        "update_top_k" => numeric(r, Response::update_top_k),
        "update_top_p" => numeric(r, Response::update_top_p),
        "update_inference_time" => numeric(r, Response::update_inference_time),
        "update_seed" => numeric(r, Response::update_seed),
        "update_gpu" => match arg(0) {
            Value::String(s) => {
                r.update_gpu(Some(s.clone()));
                Got::Unit
            }
            Value::Null => {
                r.update_gpu(None);
                Got::Unit
            }
            _ => Got::TypeRefused,
        },
        "update_model" => {
            if let Some(path) = arg(0).get("$model").and_then(Value::as_str) {
                let model = memor_presets::Model::from_path(path).expect("a known model");
                r.update_model(model.as_str());
                Got::Unit
            } else if let Value::String(s) = arg(0) {
                r.update_model(s.clone());
                Got::Unit
            } else {
                Got::TypeRefused
            }
        }
        "update_finish_reason" => {
            if let Some(name) = arg(0).get("$finish_reason").and_then(Value::as_str) {
                r.update_finish_reason(FinishReason::from_member_name(name));
                Got::Unit
            } else {
                match arg(0) {
                    Value::String(s) => {
                        r.update_finish_reason(Some(FinishReason::from(s.as_str())));
                        Got::Unit
                    }
                    Value::Null => {
                        r.update_finish_reason(None);
                        Got::Unit
                    }
                    _ => Got::TypeRefused,
                }
            }
        }
        "get" => {
            let prop = arg(0).as_str().unwrap_or("");
            get_common(r, prop).unwrap_or_else(|| Got::Value(r.json()[prop].clone()))
        }
        other => panic!("unknown Response op {other}"),
    }
}

fn apply_prompt(p: &mut Prompt, name: &str, args: &[Value]) -> Got {
    if let Some(g) = apply_message_common(p, name, args) {
        return g;
    }
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    match name {
        "add_response" => match load_arg(arg(0)) {
            Some(Obj::Response(r)) => {
                let index = arg(1)
                    .as_i64()
                    .map(|i| py_insert_at(i, p.responses().len()));
                p.add_response(r, index);
                Got::Unit
            }
            _ => Got::Error(ErrorKind::Validation, "not a response".into()),
        },
        "remove_response" => match arg(0)
            .as_i64()
            .and_then(|i| py_index(i, p.responses().len()))
        {
            Some(i) => unit_or_err(p.remove_response(i).map(drop)),
            None if arg(0).is_i64() => index_err(),
            None => Got::TypeRefused,
        },
        "clear_responses" => {
            p.clear_responses();
            Got::Unit
        }
        "select_response" => match arg(0).as_u64() {
            Some(i) => match p.select_response(i as usize) {
                Some(r) => Got::Value(to_json_value(&r.to_json().unwrap())),
                None => Got::Unit,
            },
            None => Got::Error(ErrorKind::Validation, "index".into()),
        },
        "update_responses" => {
            let list: Option<Vec<Response>> = arg(0).as_array().and_then(|a| {
                a.iter()
                    .map(|v| match load_arg(v) {
                        Some(Obj::Response(r)) => Some(r),
                        _ => None,
                    })
                    .collect()
            });
            match list {
                Some(l) => {
                    p.update_responses(l);
                    Got::Unit
                }
                None => Got::Error(ErrorKind::Validation, "not responses".into()),
            }
        }
        "update_template" => {
            let template = match arg(0).get("$preset").and_then(Value::as_str) {
                Some(path) => memor_presets::Preset::find(path).map(PromptTemplate::from_preset),
                None => arg(0)
                    .get("$file")
                    .and_then(Value::as_str)
                    .and_then(|f| PromptTemplate::load(memor_dir().join(f)).ok()),
            };
            match template {
                Some(t) => {
                    p.update_template(t);
                    Got::Unit
                }
                None => Got::Error(ErrorKind::Validation, "not a template".into()),
            }
        }
        "get" => {
            let prop = arg(0).as_str().unwrap_or("");
            if let Some(g) = get_common(p, prop) {
                return g;
            }
            match prop {
                "selected_response" => match p.selected_response() {
                    Some(r) => Got::Value(to_json_value(&r.to_json().unwrap())),
                    None => Got::Unit,
                },
                other => Got::Value(p.json()[other].clone()),
            }
        }
        other => panic!("unknown Prompt op {other}"),
    }
}

enum SessionOp {
    Got(Got),
    Replace(Session),
}

fn apply_session(s: &mut Session, name: &str, args: &[Value]) -> SessionOp {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let got = |g| SessionOp::Got(g);
    let index_op = |s: &mut Session, f: fn(&mut Session, usize) -> memor_core::Result<()>| {
        match py_int(arg(0)) {
            Some(i) => match py_index(i, s.len()) {
                Some(j) => unit_or_err(f(s, j)),
                None => index_err(),
            },
            None => Got::TypeRefused,
        }
    };
    match name {
        "add" | "radd" => match load_arg(arg(0)) {
            Some(Obj::Session(other)) => SessionOp::Replace(&*s + &other),
            Some(Obj::Prompt(p)) if name == "add" => SessionOp::Replace(&*s + Message::Prompt(p)),
            Some(Obj::Response(r)) if name == "add" => {
                SessionOp::Replace(&*s + Message::Response(r))
            }
            Some(Obj::Prompt(p)) => SessionOp::Replace(s.prepend(Message::Prompt(p))),
            Some(Obj::Response(r)) => SessionOp::Replace(s.prepend(Message::Response(r))),
            None => got(Got::TypeRefused),
        },
        "add_message" => {
            let Some(message) = message_arg(arg(0)) else {
                return got(Got::Error(ErrorKind::Validation, "not a message".into()));
            };
            let status = match args.get(1) {
                None => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => return got(Got::Error(ErrorKind::Validation, "status".into())),
            };
            let index = arg(2).as_i64().map(|i| py_insert_at(i, s.len()));
            s.add_message(message, status, index);
            got(Got::Unit)
        }
        "remove_message" | "remove_message_by_index" | "remove_message_by_id" => {
            match (py_int(arg(0)), arg(0)) {
                (Some(i), _) if name != "remove_message_by_id" => match py_index(i, s.len()) {
                    Some(i) => got(unit_or_err(s.remove_message(i).map(drop))),
                    None => got(index_err()),
                },
                (None, Value::String(id)) if name != "remove_message_by_index" => {
                    s.remove_message_by_id(id);
                    got(Got::Unit)
                }
                _ => got(Got::Error(ErrorKind::Validation, "identifier".into())),
            }
        }
        "get_message" | "getitem" | "get_message_by_index" | "get_message_by_id" => {
            let a = arg(0);
            if let Some(slice) = a.get("$slice").and_then(Value::as_array) {
                let items: Vec<Value> = py_slice(slice, s.len())
                    .into_iter()
                    .filter_map(|i| s.get_message(i))
                    .map(message_json)
                    .collect();
                return got(Got::Value(Value::Array(items)));
            }
            if let Some(i) = py_int(a) {
                return match py_index(i, s.len()) {
                    Some(i) => got(Got::Value(message_json(&s.messages()[i]))),
                    None => got(index_err()),
                };
            }
            match a {
                Value::String(id) => got(s
                    .get_message_by_id(id)
                    .map_or(Got::Unit, |m| Got::Value(message_json(m)))),
                _ => got(Got::Error(ErrorKind::Validation, "identifier".into())),
            }
        }
        "enable_message" | "unmask_message" => got(index_op(s, Session::enable_message)),
        "disable_message" | "mask_message" => got(index_op(s, Session::disable_message)),
        "enable_all_messages" => {
            s.enable_all_messages();
            got(Got::Unit)
        }
        "disable_all_messages" => {
            s.disable_all_messages();
            got(Got::Unit)
        }
        "clear_messages" => {
            s.clear_messages();
            got(Got::Unit)
        }
        "update_title" => match arg(0) {
            Value::String(t) => {
                s.update_title(Some(t.clone()));
                got(Got::Unit)
            }
            Value::Null => {
                s.update_title(None);
                got(Got::Unit)
            }
            _ => got(Got::TypeRefused),
        },
        "update_messages" => {
            let messages: Option<Vec<Message>> = arg(0)
                .as_array()
                .and_then(|a| a.iter().map(message_arg).collect());
            let Some(messages) = messages else {
                return got(Got::Error(ErrorKind::Validation, "messages".into()));
            };
            let status: Option<Option<Vec<bool>>> = match args.get(1) {
                None | Some(Value::Null) => Some(None),
                Some(Value::Array(a)) if a.is_empty() => Some(None),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(Value::as_bool)
                    .collect::<Option<Vec<bool>>>()
                    .map(Some),
                Some(_) => None,
            };
            match status {
                Some(status) => got(unit_or_err(s.update_messages(messages, status))),
                None => got(Got::Error(ErrorKind::Validation, "status".into())),
            }
        }
        "update_messages_status" => match arg(0).as_array() {
            // C7: memor 1.4 enables every message for an empty list; memor-core refuses it.
            Some(a) if a.is_empty() && !s.is_empty() => {
                let refused = s.update_messages_status(Vec::new()).is_err();
                got(if refused {
                    Got::Diverged
                } else {
                    Got::Value(Value::from("accepted an empty status list"))
                })
            }
            Some(a) => match a.iter().map(Value::as_bool).collect::<Option<Vec<bool>>>() {
                Some(status) => got(unit_or_err(s.update_messages_status(status))),
                None => got(Got::Error(ErrorKind::Validation, "status".into())),
            },
            None => got(Got::Error(ErrorKind::Validation, "status".into())),
        },
        "reset_render_counter" => {
            s.reset_render_counter();
            got(Got::Unit)
        }
        "set_size_warning" => match number_arg(arg(0)) {
            Some(Some(n)) => got(unit_or_err(s.set_size_warning(n))),
            _ => got(Got::TypeRefused),
        },
        "reset_size_warning" => {
            s.reset_size_warning();
            got(Got::Unit)
        }
        "render" => {
            let counter = args.get(1).and_then(Value::as_bool).unwrap_or(true);
            let show_warning = args.get(2).and_then(Value::as_bool).unwrap_or(true);
            let Some(target) = render_format(args).and_then(target_for) else {
                return got(Got::Error(ErrorKind::Validation, "render format".into()));
            };
            let rendered = target.render(s, &memor_render::RenderOptions::default());
            // memor counts a render once it succeeded, after building the result.
            if counter && rendered.is_ok() {
                s.count_render();
            }
            got(Got::Rendered(rendered, show_warning))
        }
        "check_render" => got(Got::Value(Value::Bool(s.render_string().is_ok()))),
        "estimate_tokens" => {
            let estimator = arg(0)
                .get("$estimator")
                .and_then(Value::as_str)
                .and_then(|e| e.parse::<Estimator>().ok())
                .unwrap_or_default();
            got(match s.render_string() {
                Ok(text) => Got::Value(Value::from(estimator.estimate(&text))),
                Err(e) => err(&e),
            })
        }
        "search" => {
            let query = arg(0).as_str().unwrap_or("");
            let use_regex = arg(1).as_bool().unwrap_or(false);
            let case_sensitive = arg(2).as_bool().unwrap_or(false);
            got(match s.search_str(query, use_regex, case_sensitive) {
                Ok(found) => {
                    // memor renders every message with its size warning on.
                    let warnings = s
                        .messages()
                        .iter()
                        .filter_map(|m| match m {
                            Message::Prompt(p) => p.size_warning(),
                            Message::Response(r) => r.size_warning(),
                        })
                        .collect();
                    Got::Searched(found, warnings)
                }
                Err(e) => Got::SearchError(e.python_class().unwrap_or("unsupported")),
            })
        }
        "len" => got(Got::Value(Value::from(s.len()))),
        "contains" => got(match message_arg(arg(0)) {
            Some(m) => Got::Value(Value::Bool(s.contains(&m))),
            None => Got::Value(Value::Bool(false)),
        }),
        "get" => {
            let prop = arg(0).as_str().unwrap_or("");
            let json = to_json_value(&s.to_json().unwrap());
            got(match prop {
                "masks" => Got::Value(Value::from(s.masks())),
                other => Got::Value(json[other].clone()),
            })
        }
        other => panic!("unknown Session op {other}"),
    }
}
