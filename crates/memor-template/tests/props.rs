//! Random and mutated templates and contexts: the engine never panics, and what it promises
//! about syntax errors, offsets and literal text holds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use memor_template::{ErrorKind, Template, format};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Characters that exercise every part of the grammar.
fn template_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(vec![
            '{', '}', '[', ']', '.', ':', '!', 'r', 's', 'a', 'x', 'd', 'f', 'e', 'g', 'n', 'c',
            'b', 'o', 'X', '%', ',', '_', '<', '>', '^', '=', '+', '-', ' ', '#', 'z', '0', '1',
            '5', '9', 'l', 'm', 'k', 'i', 'é', '١', '😀', '\u{0}', '\n',
        ]),
        1 => any::<char>(),
    ]
}

fn template() -> impl Strategy<Value = String> {
    prop::collection::vec(template_char(), 0..40).prop_map(|chars| chars.into_iter().collect())
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-z0-9'\" é\\\\]{0,8}".prop_map(Value::String),
        // Integers beyond 64 bits, as arbitrary-precision JSON reads them.
        "-?[1-9][0-9]{19,60}".prop_map(|d| serde_json::from_str(&d).unwrap_or(Value::Null)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z0-9]{0,3}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Contexts whose names are the ones random templates are likely to use.
fn context() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (
            prop::sample::select(vec!["x", "l", "m", "k", "a", "s", "d", "0", "1", "", "xx"]),
            json_value(),
        ),
        0..8,
    )
    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

/// Templates from the grammar, to be mutated.
const SEEDS: &[&str] = &[
    "{instruction}Prompt: {prompt[message]}\nResponse: {response[message]}",
    "{x:*^+#012,.3f}{l[0]!r:>{x}}{m[k].real}",
    "{x:{l[1]}.{x}{s}}{{literal}}{a!a:<10}",
    "{d[01]:_x}{d[١]}{s[2]:c}{x:%}{x:z.2e}",
];

fn mutate(seed: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for &(at, op, c) in edits {
        let i = at % (chars.len() + 1);
        match op % 3 {
            0 => chars.insert(i, c),
            1 if i < chars.len() => {
                chars.remove(i);
            }
            _ if i < chars.len() => chars[i] = c,
            _ => chars.push(c),
        }
    }
    chars.into_iter().collect()
}

fn check(template: &str, ctx: &Value) -> Result<(), TestCaseError> {
    let lenient = Template::parse_lenient(template);
    let rendered = lenient.render(ctx);
    if let Err(e) = &rendered {
        // The offset points into the template, at a character boundary.
        prop_assert!(
            e.offset() <= template.len(),
            "offset {} past the end",
            e.offset()
        );
        prop_assert!(template.is_char_boundary(e.offset()));
        prop_assert!(!e.message().is_empty());
    }
    // `format` is the lenient parse plus a render.
    prop_assert_eq!(&format(template, ctx), &rendered);
    match Template::parse(template) {
        Ok(strict) => {
            // A template without syntax errors renders exactly as the lenient one and lists
            // its variables.
            prop_assert_eq!(&strict.render(ctx), &rendered);
            prop_assert!(strict.variables().is_ok());
        }
        Err(e) => {
            // Syntax errors are ValueErrors, and rendering meets either that same error or
            // an error from an earlier field.
            prop_assert_eq!(e.kind(), ErrorKind::Value);
            let r = rendered.as_ref().err();
            prop_assert!(
                r.is_some(),
                "a template with a syntax error rendered: {rendered:?}"
            );
            prop_assert!(r.is_some_and(|r| r.offset() <= e.offset()));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn random_templates_never_panic(t in template(), ctx in context()) {
        check(&t, &ctx)?;
    }

    #[test]
    fn mutated_templates_never_panic(
        seed in prop::sample::select(SEEDS),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), template_char()), 1..6),
        ctx in context(),
    ) {
        check(&mutate(seed, &edits), &ctx)?;
    }

    #[test]
    fn escaped_text_renders_as_itself(text in "\\PC{0,30}") {
        let escaped = text.replace('{', "{{").replace('}', "}}");
        prop_assert_eq!(format(&escaped, &json!({})), Ok(text.clone()));
        prop_assert_eq!(Template::parse(&escaped).and_then(|t| t.variables()), Ok(vec![]));
    }

    #[test]
    fn any_value_prints_with_repr_and_str(v in json_value()) {
        let ctx = json!({"v": v});
        let s = format("{v}", &ctx);
        let r = format("{v!r}", &ctx);
        let a = format("{v!a}", &ctx);
        prop_assert!(s.is_ok() && r.is_ok());
        // ascii() is repr() with non-ASCII escaped: pure ASCII, and equal when repr is ASCII.
        let a = a.unwrap_or_default();
        prop_assert!(a.is_ascii());
        let r = r.unwrap_or_default();
        if r.is_ascii() {
            prop_assert_eq!(a, r);
        }
    }
}

#[test]
fn huge_widths_are_refused_before_allocating() {
    let ctx = json!({"x": 1, "s": "abc", "f": 1.5});
    for t in [
        "{x:2000000000}",
        "{s:>999999999999}",
        "{f:.2000000000f}",
        "{x:0=9999999999,}",
    ] {
        let err = format(t, &ctx).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Limit, "{t}");
    }
    // Python's own limits come first.
    assert_eq!(
        format("{f:.2147483648f}", &ctx).unwrap_err().kind(),
        ErrorKind::Value
    );
    // A string precision only truncates: no limit.
    assert_eq!(format("{s:.9223372036854775807}", &ctx).unwrap(), "abc");
}

#[test]
fn deep_chains_do_not_overflow_the_stack() {
    let ctx = json!({"s": "a"});
    let t = format!("{{s{}}}", "[0]".repeat(100_000));
    assert_eq!(format(&t, &ctx).unwrap(), "a");
    let mut nested = json!(1);
    for _ in 0..150 {
        nested = json!([nested]);
    }
    let ctx = json!({"n": nested});
    let t = format!("{{n{}}}", "[0]".repeat(150));
    assert_eq!(format(&t, &ctx).unwrap(), "1");
}

#[test]
fn template_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Template>();
}
