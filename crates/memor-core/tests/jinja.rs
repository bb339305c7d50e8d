//! memor's Jinja engine against jinja2.
//!
//! `probes` holds (template, context, expected render, expected variables) tuples. Every
//! expectation was obtained by running jinja2 3.1.6 under Python 3.11.7 on this machine, as
//! memor 1.4 runs it: `Environment(undefined=StrictUndefined, autoescape=False)
//! .from_string(template).render(**context)` for the render, and
//! `sorted(meta.find_undeclared_variables(Environment().parse(template)))` for the variables.
//! None is hand-written. An error expectation names the kind the Python exception maps to:
//! `TemplateSyntaxError` (and `TemplateAssertionError`, and the `AssertionError` jinja2's
//! compiler raises) is a syntax error, `UndefinedError` an undefined error, anything else a
//! render error.
//!
//! `conformance` replays memor 1.4's recorded outcomes for every Jinja template (and every
//! prompt with a Jinja template) of the conformance corpus.

// Helpers outside `#[test]` functions panic on purpose too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use memor_core::jinja::{self, JinjaErrorKind};
use memor_core::json::{self, PyDict, PyList, PyValue};

/// An expected outcome.
#[derive(Debug)]
enum Out<T> {
    Ok(T),
    Err(JinjaErrorKind),
}

use JinjaErrorKind::{Render as R, Syntax as S, Undefined as U};

/// (template, context as JSON, render outcome, variables outcome)
type Probe = (
    &'static str,
    &'static str,
    Out<&'static str>,
    Out<&'static [&'static str]>,
);

// BEGIN PROBES
const PROBES: &[Probe] = &[];
// END PROBES

fn context(json_text: &str) -> PyDict {
    match json::parse(json_text).unwrap() {
        PyValue::Dict(d) => d,
        other => panic!("context is not an object: {other:?}"),
    }
}

#[test]
fn probes() {
    let mut failures = Vec::new();
    for (source, ctx, render, vars) in PROBES {
        let got = jinja::render(source, &context(ctx));
        let ok = match (render, &got) {
            (Out::Ok(want), Ok(text)) => want == text,
            (Out::Err(kind), Err(err)) => *kind == err.kind(),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "render {source:?} with {ctx}: want {render:?}, got {got:?}"
            ));
        }
        let got = jinja::variables(source);
        let ok = match (vars, &got) {
            (Out::Ok(want), Ok(names)) => *want == names.as_slice(),
            (Out::Err(kind), Err(err)) => *kind == err.kind(),
            _ => false,
        };
        if !ok {
            failures.push(format!("variables {source:?}: want {vars:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} probes differ:\n{}",
        failures.len(),
        PROBES.len(),
        failures.join("\n")
    );
}

#[test]
fn errors_say_what_and_where() {
    let err = jinja::render("a\n{{ x y }}", &PyDict::new()).unwrap_err();
    assert_eq!(err.kind(), JinjaErrorKind::Syntax);
    assert_eq!(
        err.message(),
        "expected token 'end of print statement', got 'y'"
    );
    assert_eq!(err.line(), Some(2));
    assert!(err.to_string().contains("line 2"), "{err}");

    let err = jinja::variables("{% for x in y %}\n{% endif %}").unwrap_err();
    assert_eq!(err.kind(), JinjaErrorKind::Syntax);
    assert_eq!(err.line(), Some(2));

    let err = jinja::render("a\nb {{ w + 1 }}", &PyDict::new()).unwrap_err();
    assert_eq!(err.kind(), JinjaErrorKind::Undefined);
    assert_eq!(err.line(), Some(2));

    let err = jinja::render("{{ 1 // 0 }}", &PyDict::new()).unwrap_err();
    assert_eq!(err.kind(), JinjaErrorKind::Render);
    assert!(err.message().contains("ZeroDivisionError"), "{err}");
}

#[test]
fn hostile_input_does_not_panic() {
    let deep_parens = format!("{{{{ {}1{} }}}}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(jinja::render(&deep_parens, &PyDict::new()).is_err());
    assert!(jinja::variables(&deep_parens).is_err());
    let deep_ifs = format!(
        "{}{}",
        "{% if x %}".repeat(5_000),
        "{% endif %}".repeat(5_000)
    );
    assert!(jinja::variables(&deep_ifs).is_err());
    let deep_unary = format!("{{{{ {}1 }}}}", "-".repeat(10_000));
    assert!(jinja::render(&deep_unary, &PyDict::new()).is_err());
    let deep_not = format!("{{{{ {}1 }}}}", "not ".repeat(10_000));
    assert!(jinja::render(&deep_not, &PyDict::new()).is_err());
    // Nested values in the context.
    let mut value = PyValue::Null;
    for _ in 0..1000 {
        value = PyValue::List(PyList(vec![value]));
    }
    let mut ctx = PyDict::new();
    ctx.insert("x".into(), value);
    assert!(jinja::render("{{ x }}", &ctx).is_err());
    for source in [
        "{{",
        "{%",
        "{#",
        "{{ 'a",
        "{% raw %}",
        "{{ x.",
        "{{ x[",
        "{{ x(",
        "{{ x|",
        "{% for",
        "}}",
        "{{ '\\x' }}",
        "{{ '\\u12' }}",
        "{{ '\\U00110000' }}",
        "{{ 0x }}",
        "{{ 1e }}",
        "{{ 1_ }}",
        "{% set %}",
        "{% macro %}",
        "{% call %}",
        "{% filter %}",
        "{% with %}",
        "{{ '%' % () }}",
        "{{ '%(' % {} }}",
        "{{ '%*.*f' % (1,) }}",
        "{{ 'é'[5:-9:-3] }}",
        "{{ 2 ** 999999999 }}",
        "{{ 'x' * 999999999999 }}",
        "{{ 10 ** 400 / 3 }}",
        "{{ range(10)|batch(0)|list }}",
        "{{ [1]|slice(0)|list }}",
        "{{ 'a'|center(99999999999) }}",
        "{{ 'a'|indent(99999999999) }}",
        "{{ 'a'|wordwrap(0) }}",
        "{{ 'a'.zfill(99999999999) }}",
        "{{ '%99999999999d' % 1 }}",
        "{{ '{}'.format(1) }}",
        "{{ x.items() }}",
    ] {
        let _ = jinja::render(source, &PyDict::new());
        let _ = jinja::variables(source);
    }
}

fn conformance_dir() -> PathBuf {
    let base = std::env::var("MEMOR_CONFORMANCE").map_or_else(
        |_| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/conformance"
            ))
        },
        PathBuf::from,
    );
    base.join("memor")
}

fn get<'a>(value: &'a PyValue, key: &str) -> Option<&'a PyValue> {
    value.as_dict().and_then(|d| d.get(key))
}

fn read_json(path: &PathBuf) -> PyValue {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    json::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `Some(Ok(value))`, `Some(Err(()))` for an error outcome, `None` when absent.
fn outcome(value: Option<&PyValue>) -> Option<Result<&PyValue, ()>> {
    let value = value?;
    if let Some(ok) = get(value, "ok") {
        return Some(Ok(ok));
    }
    get(value, "error").map(|_| Err(()))
}

fn string_list(value: &PyValue) -> Vec<String> {
    match value {
        PyValue::List(items) => items
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect(),
        other => panic!("not a list of strings: {other:?}"),
    }
}

/// memor's render context: the custom map updated with the given context.
fn build_context(custom_map: Option<&PyValue>, given: Option<&PyValue>) -> PyDict {
    let mut ctx = PyDict::new();
    for source in [custom_map, given].into_iter().flatten() {
        if let Some(dict) = source.as_dict() {
            for (k, v) in dict.iter() {
                ctx.insert(k.clone(), v.clone());
            }
        }
    }
    ctx
}

struct Tally {
    passed: usize,
    failed: Vec<String>,
}

impl Tally {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed.push(what());
        }
    }
}

/// A render outcome against jinja's result.
fn same_render(
    want: Option<Result<&PyValue, ()>>,
    got: &Result<String, jinja::JinjaError>,
) -> bool {
    match (want, got) {
        (Some(Ok(PyValue::Str(text))), Ok(g)) => text == g,
        (Some(Err(())), Err(_)) => true,
        _ => false,
    }
}

fn same_names(want: Option<Result<&PyValue, ()>>, got: &Result<Vec<String>, String>) -> bool {
    match (want, got) {
        (Some(Ok(list)), Ok(g)) => string_list(list) == *g,
        (Some(Err(())), Err(_)) => true,
        _ => false,
    }
}

/// What memor does for a template: `None` content renders to an error and has no variables.
fn template_variables(content: Option<&str>) -> Result<Vec<String>, String> {
    match content {
        None => Ok(Vec::new()),
        Some(c) => jinja::variables(c).map_err(|e| e.to_string()),
    }
}

fn template_render(content: Option<&str>, ctx: &PyDict) -> Result<String, jinja::JinjaError> {
    match content {
        None => jinja::render("{{ missing_content_renders_an_error }}", &PyDict::new()),
        Some(c) => jinja::render(c, ctx),
    }
}

fn missing(vars: &Result<Vec<String>, String>, ctx: &PyDict) -> Result<Vec<String>, String> {
    vars.clone().map(|names| {
        let set: BTreeSet<String> = names.into_iter().filter(|n| !ctx.contains_key(n)).collect();
        set.into_iter().collect()
    })
}

fn check_template(tally: &mut Tally, file: &str, line: &PyValue, template: &PyValue) {
    let content = get(template, "content").and_then(PyValue::as_str);
    let vars = template_variables(content);
    tally.check(same_names(outcome(get(line, "variables")), &vars), || {
        format!("{file}: variables: got {vars:?}")
    });
    let Some(PyValue::List(contexts)) = get(line, "contexts") else {
        panic!("{file}: no contexts");
    };
    for (i, case) in contexts.iter().enumerate() {
        let ctx = build_context(get(template, "custom_map"), get(case, "context"));
        let got = template_render(content, &ctx);
        tally.check(same_render(outcome(get(case, "render")), &got), || {
            format!("{file}: context {i}: render: got {got:?}")
        });
        let check =
            matches!(get(case, "check_render"), Some(PyValue::Bool(b)) if *b == got.is_ok());
        tally.check(check, || format!("{file}: context {i}: check_render"));
        let miss = missing(&vars, &ctx);
        tally.check(
            same_names(outcome(get(case, "missing_variables")), &miss),
            || format!("{file}: context {i}: missing_variables: got {miss:?}"),
        );
    }
}

/// The context memor renders a prompt's template with.
fn prompt_context(prompt: &PyValue) -> PyDict {
    let mut ctx = PyDict::new();
    let mut data = prompt.as_dict().unwrap().clone();
    data.shift_remove("template");
    let responses = data
        .get("responses")
        .cloned()
        .unwrap_or(PyValue::List(PyList(Vec::new())));
    let index = data
        .get("selected_response_index")
        .and_then(|v| match v {
            PyValue::Number(n) => n.as_u64(),
            _ => None,
        })
        .and_then(|i| usize::try_from(i).ok());
    ctx.insert("prompt".into(), PyValue::Dict(data));
    if let (PyValue::List(items), Some(i)) = (&responses, index)
        && let Some(selected) = items.get(i)
    {
        ctx.insert("response".into(), selected.clone());
    }
    ctx.insert("responses".into(), responses);
    ctx
}

fn check_prompt(
    tally: &mut Tally,
    file: &str,
    line: &PyValue,
    prompt: &PyValue,
    template: &PyValue,
) {
    let content = get(template, "content").and_then(PyValue::as_str);
    let vars = template_variables(content);
    tally.check(
        same_names(outcome(get(line, "template_variables")), &vars),
        || format!("{file}: template_variables: got {vars:?}"),
    );
    let ctx = build_context(
        get(template, "custom_map"),
        Some(&PyValue::Dict(prompt_context(prompt))),
    );
    let got = template_render(content, &ctx);
    let want = get(line, "render").and_then(|r| get(r, "STRING"));
    tally.check(same_render(outcome(want), &got), || {
        format!("{file}: render STRING: got {got:?}")
    });
    let miss = missing(&vars, &ctx);
    tally.check(
        same_names(outcome(get(line, "template_missing_variables")), &miss),
        || format!("{file}: template_missing_variables: got {miss:?}"),
    );
}

#[test]
fn conformance() {
    let dir = conformance_dir();
    let cases = std::fs::read_to_string(dir.join("cases.jsonl"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut tally = Tally {
        passed: 0,
        failed: Vec::new(),
    };
    let mut found = 0;
    for text in cases.lines().filter(|l| !l.trim().is_empty()) {
        let line = json::parse(text).unwrap();
        let (Some(PyValue::Str(kind)), Some(PyValue::Str(file))) =
            (get(&line, "kind"), get(&line, "file"))
        else {
            continue;
        };
        if !matches!(get(&line, "load"), Some(l) if get(l, "ok").is_some()) {
            continue;
        }
        let object = read_json(&dir.join(file));
        match kind.as_str() {
            "PromptTemplate" => {
                if get(&object, "engine").and_then(PyValue::as_str) == Some("jinja") {
                    found += 1;
                    check_template(&mut tally, file, &line, &object);
                }
            }
            "Prompt" => {
                if let Some(template) = get(&object, "template")
                    && get(template, "engine").and_then(PyValue::as_str) == Some("jinja")
                {
                    found += 1;
                    check_prompt(&mut tally, file, &line, &object, template);
                }
            }
            _ => {}
        }
    }
    println!(
        "jinja: {} passed, {} failed",
        tally.passed,
        tally.failed.len()
    );
    assert!(found > 0, "no Jinja template in {}", dir.display());
    assert!(tally.failed.is_empty(), "{}", tally.failed.join("\n"));
}

/// Development aid: renders the probes of `$JINJA_PROBES` (JSON lines `[source, context]`).
#[test]
#[ignore = "development aid"]
fn harness() {
    let kind_name = |kind: JinjaErrorKind| match kind {
        JinjaErrorKind::Syntax => "syntax",
        JinjaErrorKind::Undefined => "undefined",
        JinjaErrorKind::Render => "render",
    };
    let path = std::env::var("JINJA_PROBES").unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(PyValue::List(probe)) = json::parse(line) else {
            panic!("bad probe line {line}");
        };
        let src = probe[0].as_str().unwrap();
        let ctx = match probe.get(1) {
            Some(PyValue::Dict(d)) => d.clone(),
            _ => PyDict::new(),
        };
        let r = match jinja::render(src, &ctx) {
            Ok(s) => serde_json::json!({"ok": s}),
            Err(e) => serde_json::json!({"err": kind_name(e.kind()), "msg": e.to_string()}),
        };
        let v = match jinja::variables(src) {
            Ok(s) => serde_json::json!({"ok": s}),
            Err(e) => serde_json::json!({"err": kind_name(e.kind()), "msg": e.to_string()}),
        };
        println!("PROBE {}", serde_json::json!([src, r, v]));
    }
}
