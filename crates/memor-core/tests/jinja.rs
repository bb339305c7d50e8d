//! memor's Jinja engine against jinja2.
//!
//! `probes` holds (template, context, expected render, expected variables) tuples. Every
//! expectation was obtained by running jinja2 3.1.6 under Python 3.11.7, as
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

/// The probes, verified with jinja2 (see the module comment): printing of every value type,
/// trailing newlines and line endings, whitespace control, comments and raw blocks, syntax
/// errors, undefined values, filters, tests, methods, arithmetic, comparisons, loops, macros,
/// scoping, and the traps of variable extraction.
const PROBES: &[Probe] = &[
    (
        "{{ x }}{% set x = 1 %}{{ x }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{% if a %}{% set b = 1 %}{% endif %}{{ b }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["a", "b"]),
    ),
    (
        "{% for r in rs %}{{ r }}{{ loop.index }}{% endfor %}{{ r }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["r", "rs"]),
    ),
    ("{{ loop }}", "{}", Out::Err(U), Out::Ok(&["loop"])),
    (
        "{% set x %}abc{% endset %}{{ x }}{{ y|upper }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["y"]),
    ),
    (
        "{% macro m(a, b=c) %}{{ a }}{{ d }}{{ caller() }}{% endmacro %}{{ m(1) }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["c", "d"]),
    ),
    (
        "{% for a, b in items %}{{ a }}{{ b }}{% else %}{{ a }}{% endfor %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["a", "items"]),
    ),
    (
        "{% with q = z %}{{ q }}{{ w }}{% endwith %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["w", "z"]),
    ),
    (
        "{% set ns = namespace(a=1) %}{% set ns.a = 2 %}{{ ns.a }}",
        "{}",
        Out::Ok("2"),
        Out::Ok(&[]),
    ),
    (
        "{% for x in xs recursive %}{{ loop(x.children) }}{% endfor %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["xs"]),
    ),
    (
        "{% for x in xs if x > y %}{{ x }}{% endfor %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["xs", "y"]),
    ),
    (
        "{{ self }}{{ varargs }}{{ kwargs }}{{ caller }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["caller", "kwargs", "varargs"]),
    ),
    (
        "{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m }}",
        "{}",
        Out::Ok("<Macro 'm'>"),
        Out::Ok(&[]),
    ),
    (
        "{% include 'a.html' %}{% import 'b' as b %}{{ b }}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{% filter upper %}{{ q }}{% endfilter %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["q"]),
    ),
    (
        "{% call m(1) %}{{ inner }}{% endcall %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["inner", "m"]),
    ),
    (
        "{% set a, b = c %}{{ a }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["c"]),
    ),
    (
        "{{ a.b.c }} {{ d['e'] }} {{ f(g, h=i) }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["a", "d", "f", "g", "i"]),
    ),
    (
        "{% for i in range(3) %}{% set t = i %}{{ t }}{% endfor %}{{ t }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["t"]),
    ),
    (
        "{% raw %}{{ nope }}{% endraw %}",
        "{}",
        Out::Ok("{{ nope }}"),
        Out::Ok(&[]),
    ),
    (
        "{{ true }}{{ True }}{{ none }}{{ None }}{{ false }}",
        "{}",
        Out::Ok("TrueTrueNoneNoneFalse"),
        Out::Ok(&[]),
    ),
    (
        "{% block b %}{{ bb }}{% endblock %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["bb"]),
    ),
    (
        "{% if x is defined %}{{ x }}{% endif %}",
        "{}",
        Out::Ok(""),
        Out::Ok(&["x"]),
    ),
    (
        "{% set x | replace(a, 'b') %}q{% endset %}{{ x }}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    (
        "{% set a = 1 %}{% set x | replace(a, 'b') %}q{% endset %}{{ x }}",
        "{}",
        Out::Ok("q"),
        Out::Ok(&[]),
    ),
    (
        "{% if a %}{% set b = 1 %}{% endif %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["a", "b"]),
    ),
    ("{{ x|nope }}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{% if x %}{{ x|nope }}{% endif %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    ("{{ x|nope if y }}", "{}", Out::Err(U), Out::Ok(&["x", "y"])),
    ("{{ x is nope }}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{% for loop in x %}{% endfor %}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    (
        "{% for a in x %}{% set loop = 1 %}{% endfor %}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    (
        "{% macro m(caller) %}{{ caller() }}{% endmacro %}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    (
        "{% macro m(a, caller=1) %}{{ caller() }}{% endmacro %}",
        "{}",
        Out::Ok(""),
        Out::Ok(&[]),
    ),
    (
        "{% block a %}{% endblock %}{% block a %}{% endblock %}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    (
        "{% for x in y %}{% extends 'a' %}{% endfor %}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    (
        "{% if x %}{% extends 'a' %}{% endif %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    ("{{ f(a=1, a=2) }}", "{}", Out::Err(R), Out::Ok(&["f"])),
    (
        "{{ f(class=1) }}",
        "{\"f\": 1}",
        Out::Err(R),
        Out::Ok(&["f"]),
    ),
    ("a\r\nb\rc\n", "{}", Out::Ok("a\nb\nc"), Out::Ok(&[])),
    ("a\n\n", "{}", Out::Ok("a\n"), Out::Ok(&[])),
    ("{{ 'a\r\nb' }}", "{}", Out::Ok("a\nb"), Out::Ok(&[])),
    ("{{ '\\\u{e9}' }}", "{}", Out::Ok("\\xe9"), Out::Ok(&[])),
    (
        "{{ caf\u{e9} }}",
        "{\"caf\\u00e9\": 1}",
        Out::Ok("1"),
        Out::Ok(&["caf\u{e9}"]),
    ),
    (
        "{{ x.1 }}",
        "{\"x\": [1, 2]}",
        Out::Ok("2"),
        Out::Ok(&["x"]),
    ),
    ("{{ 1. }}", "{}", Out::Err(S), Out::Err(S)),
    ("{{ 012 }}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{{ 0_0 }}{{ 1_000 }}{{ 0x_1f }}{{ 1_0.5e1_0 }}",
        "{}",
        Out::Ok("0100031105000000000.0"),
        Out::Ok(&[]),
    ),
    (
        "{{ 1e999 }} {{ 99999999999999999999999999999999999999999 }}",
        "{}",
        Out::Ok("inf 99999999999999999999999999999999999999999"),
        Out::Ok(&[]),
    ),
    (
        "{% set caller = 1 %}{% macro m() %}{{ caller }}{% endmacro %}",
        "{}",
        Out::Ok(""),
        Out::Ok(&[]),
    ),
    ("{% print 1, 2 %}", "{}", Out::Ok("12"), Out::Ok(&[])),
    (
        "{{ (1,) }}{{ () }}{{ (1, 'a') }}",
        "{}",
        Out::Ok("(1,)()(1, 'a')"),
        Out::Ok(&[]),
    ),
    ("{% break %}", "{}", Out::Err(S), Out::Err(S)),
    ("{% do x %}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{{ self }}",
        "{}",
        Out::Ok("<TemplateReference None>"),
        Out::Ok(&[]),
    ),
    (
        "{% block b %}{{ self }}{{ super() }}{% endblock %}",
        "{}",
        Out::Err(U),
        Out::Ok(&[]),
    ),
    (
        "{% autoescape true %}{{ '<a>' }}{% endautoescape %}",
        "{}",
        Out::Ok("&lt;a&gt;"),
        Out::Ok(&[]),
    ),
    (
        "{% autoescape x %}{{ '<a>' }}{% endautoescape %}",
        "{}",
        Out::Ok("<a>"),
        Out::Ok(&["x"]),
    ),
    (
        "{% with %}{{ a }}{% endwith %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["a"]),
    ),
    (
        "{% from 'x' import a, b as c %}{{ a }}{{ c }}{{ d }}",
        "{}",
        Out::Err(R),
        Out::Ok(&["d"]),
    ),
    ("{% from 'x' import _a %}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{{ x if y }}",
        "{\"x\": 1, \"y\": false}",
        Out::Ok(""),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{{ 'a' ~ (x if y) }}",
        "{\"x\": 1, \"y\": false}",
        Out::Ok("a"),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{% if (x if y) %}t{% endif %}",
        "{\"x\": 1, \"y\": false}",
        Out::Ok(""),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{% set x | upper %}abc{% endset %}{{ x }}",
        "{}",
        Out::Ok("ABC"),
        Out::Ok(&[]),
    ),
    (
        "{% filter upper %}abc{% endfilter %}",
        "{}",
        Out::Ok("ABC"),
        Out::Ok(&[]),
    ),
    (
        "{{ x }}",
        "{\"x\": [1, \"a\", null, true, 1.5, 1e-05, 1e+16, {\"k\": \"v'\\\"\"}]}",
        Out::Ok("[1, 'a', None, True, 1.5, 1e-05, 1e+16, {'k': 'v\\'\"'}]"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 'a' ~ 1.0 ~ none ~ true ~ [1, 'b'] }}",
        "{}",
        Out::Ok("a1.0NoneTrue[1, 'b']"),
        Out::Ok(&[]),
    ),
    (
        "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 2 }} {{ 7 % -2 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 100 }}",
        "{}",
        Out::Ok("3 -4 1 -1 3.5 2.0 1024 0.5 1267650600228229401496703205376"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'a' + 'b' }}",
        "{}",
        Out::Ok("ababab [1, 1] [1, 2] ab"),
        Out::Ok(&[]),
    ),
    ("{{ 'a' + 1 }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ true + 1 }}", "{}", Out::Ok("2"), Out::Ok(&[])),
    (
        "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1,2] == [1,2] }} {{ (1,2) == [1,2] }}",
        "{}",
        Out::Ok("True True True True False"),
        Out::Ok(&[]),
    ),
    ("{{ 1 < 'a' }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ 1/0 }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{{ 'a' in 'cat' }} {{ 'k' in {'k': 1} }} {{ 1 in [1.0] }} {{ 'x' not in 'abc' }}",
        "{}",
        Out::Ok("True True True True"),
        Out::Ok(&[]),
    ),
    (
        "{{ '%s and %d' % ('a', 3) }} {{ '%s' % 'x' }} {{ '%.2f' % 3.14159 }}",
        "{}",
        Out::Ok("a and 3 x 3.14"),
        Out::Ok(&[]),
    ),
    (
        "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}",
        "{}",
        Out::Ok("True False"),
        Out::Ok(&[]),
    ),
    (
        "{{ +1 }} {{ -(-2) }} {{ -1.5 }}",
        "{}",
        Out::Ok("1 2 -1.5"),
        Out::Ok(&[]),
    ),
    (
        "{{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1.0 }} {{ 3.0 * 2 }} {{ 10 / 3 }}",
        "{}",
        Out::Ok("0.30000000000000004 1e+16 1.0 6.0 3.3333333333333335"),
        Out::Ok(&[]),
    ),
    (
        "{{ x.message }} {{ x['message'] }} {{ x.missing is defined }}",
        "{\"x\": {\"message\": \"hi\"}}",
        Out::Ok("hi hi False"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x.missing }}",
        "{\"x\": {\"message\": \"hi\"}}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x.missing|default('d') }} {{ y|default('e') }} {{ none|default('f') }} {{ none|default('f', true) }}",
        "{\"x\": {\"message\": \"hi\"}}",
        Out::Ok("d e None f"),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{% if x.missing %}a{% endif %}",
        "{\"x\": {}}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{% for i in [] %}{% else %}empty{% endfor %}",
        "{}",
        Out::Ok("empty"),
        Out::Ok(&[]),
    ),
    (
        "{% for i in x %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{% endfor %}",
        "{\"x\": [5, 6]}",
        Out::Ok("1TrueFalse222FalseTrue21"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|join(', ') }} {{ x|join }}",
        "{\"x\": [\"a\", 1, null, 1.5, true]}",
        Out::Ok("a, 1, None, 1.5, True a1None1.5True"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|map(attribute='m')|join('/') }}",
        "{\"x\": [{\"m\": \"a\"}, {\"m\": \"b\"}]}",
        Out::Ok("a/b"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|map(attribute='m')|join('/') }}",
        "{\"x\": [{\"m\": \"a\"}, {\"n\": \"b\"}]}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|upper }} {{ x|lower }} {{ 'hello world'|title }} {{ 'hELLO'|capitalize }} {{ '  a  '|trim }}",
        "{\"x\": \"MiXed \\u00df\"}",
        Out::Ok("MIXED SS mixed \u{df} Hello World Hello a"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|length }} {{ 'h\u{e9}llo'|length }} {{ {'a':1}|length }}",
        "{\"x\": [1, 2, 3]}",
        Out::Ok("3 5 1"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ none|upper }} {{ 12|upper }} {{ 1.5|string }} {{ [1]|string }}",
        "{}",
        Out::Ok("NONE 12 1.5 [1]"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'abcabc'|replace('b', 'X') }} {{ 'abcabc'|replace('b', 'X', 1) }} {{ 'abc'|replace('', '-') }}",
        "{}",
        Out::Ok("aXcaXc aXcabc -a-b-c-"),
        Out::Ok(&[]),
    ),
    (
        "{{ [3,1,2]|sort }} {{ ['b','A','c']|sort }} {{ [3,1,2]|sort(reverse=true) }}",
        "{}",
        Out::Ok("[1, 2, 3] ['A', 'b', 'c'] [3, 2, 1]"),
        Out::Ok(&[]),
    ),
    (
        "{{ [1,2,3]|first }} {{ [1,2,3]|last }} {{ 'abc'|first }} {{ {'a':1,'b':2}|first }}",
        "{}",
        Out::Ok("1 3 a a"),
        Out::Ok(&[]),
    ),
    (
        "{{ [1,2,3]|sum }} {{ [1,2,3]|max }} {{ [1,2,3]|min }} {{ [-1]|map('abs')|list }}",
        "{}",
        Out::Ok("6 3 1 [1]"),
        Out::Ok(&[]),
    ),
    (
        "{{ 2.5|round }} {{ 3.5|round }} {{ 2.567|round(2) }} {{ 2.5|round(method='floor') }} {{ 3|round }}",
        "{}",
        Out::Ok("2.0 4.0 2.57 2.0 3"),
        Out::Ok(&[]),
    ),
    (
        "{{ '3.7'|int }} {{ 'x'|int }} {{ '3'|float }} {{ 3|float }} {{ '0x1f'|int(base=16) }}",
        "{}",
        Out::Ok("3 0 3.0 3.0 31"),
        Out::Ok(&[]),
    ),
    (
        "{{ [1,2,3]|reverse|list }} {{ 'abc'|reverse }}",
        "{}",
        Out::Ok("[3, 2, 1] cba"),
        Out::Ok(&[]),
    ),
    (
        "{{ {'b':1,'a':2}|dictsort }} {{ {'b':1}|items|list }}",
        "{}",
        Out::Ok("[('a', 2), ('b', 1)] [('b', 1)]"),
        Out::Ok(&[]),
    ),
    (
        "{{ x|tojson }}",
        "{\"x\": {\"b\": [1, \"<a>'&\"], \"a\": null, \"c\": 1.5}}",
        Out::Ok("{\"a\": null, \"b\": [1, \"\\u003ca\\u003e\\u0027\\u0026\"], \"c\": 1.5}"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 'a b  c'|wordcount }} {{ 'hello world'|truncate(8) }} {{ 'ab'|center(6) }}|",
        "{}",
        Out::Ok("3 hello world   ab  |"),
        Out::Ok(&[]),
    ),
    (
        "{{ [1,2,2,3]|unique|list }} {{ [1,2,3,4]|batch(2)|list }} {{ [1,2,3]|select('odd')|list }}",
        "{}",
        Out::Ok("[1, 2, 3] [[1, 2], [3, 4]] [1, 3]"),
        Out::Ok(&[]),
    ),
    (
        "{{ x|selectattr('a')|list }} {{ x|rejectattr('a')|list }}",
        "{\"x\": [{\"a\": 1}, {\"a\": 0}]}",
        Out::Ok("[{'a': 1}] [{'a': 0}]"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 'a\nb'|indent(2) }}|{{ 'a\nb'|indent(2, true) }}",
        "{}",
        Out::Ok("a\n  b|  a\n  b"),
        Out::Ok(&[]),
    ),
    (
        "{{ x|pprint }}",
        "{\"x\": {\"a\": [1, \"b\"]}}",
        Out::Ok("{'a': [1, 'b']}"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ '%s-%s'|format(1, 'a') }}",
        "{}",
        Out::Ok("1-a"),
        Out::Ok(&[]),
    ),
    (
        "{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ dict(a=1) }}",
        "{}",
        Out::Ok("[0, 1, 2] [1, 4, 7] {'a': 1}"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'Hello'.upper() }} {{ ' x '.strip() }} {{ 'a,b'.split(',') }} {{ 'abc'.startswith('a') }} {{ 'a b'.split() }}",
        "{}",
        Out::Ok("HELLO x ['a', 'b'] True ['a', 'b']"),
        Out::Ok(&[]),
    ),
    (
        "{{ x.items()|list }} {{ x.keys()|list }} {{ x.values()|list }} {{ x.get('a') }} {{ x.get('z', 5) }}",
        "{\"x\": {\"a\": 1}}",
        Out::Ok("[('a', 1)] ['a'] [1] 1 5"),
        Out::Ok(&["x"]),
    ),
    (
        "{% for k, v in x.items() %}{{ k }}={{ v }};{% endfor %}",
        "{\"x\": {\"b\": 1, \"a\": 2}}",
        Out::Ok("b=1;a=2;"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x }}",
        "{\"x\": 123456789012345678901234567890}",
        Out::Ok("123456789012345678901234567890"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x + 1 }}",
        "{\"x\": 123456789012345678901234567890}",
        Out::Ok("123456789012345678901234567891"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x }}",
        "{\"x\": 1234567890123456789012345678901234567890123}",
        Out::Ok("1234567890123456789012345678901234567890123"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x }} {{ y }} {{ z }}",
        "{\"x\": NaN, \"y\": Infinity, \"z\": -Infinity}",
        Out::Ok("nan inf -inf"),
        Out::Ok(&["x", "y", "z"]),
    ),
    (
        "a  {{- x -}}  b",
        "{\"x\": 1}",
        Out::Ok("a1b"),
        Out::Ok(&["x"]),
    ),
    (
        "a  {%- if true -%}  b  {%- endif -%}  c",
        "{}",
        Out::Ok("abc"),
        Out::Ok(&[]),
    ),
    (
        "a\n{% if true %}\nb\n{% endif %}\nc\n",
        "{}",
        Out::Ok("a\n\nb\n\nc"),
        Out::Ok(&[]),
    ),
    (
        "a\n  {%+ if true %}x{% endif %}",
        "{}",
        Out::Ok("a\n  x"),
        Out::Ok(&[]),
    ),
    (
        "{# comment #}a{#- c -#}  b",
        "{}",
        Out::Ok("ab"),
        Out::Ok(&[]),
    ),
    ("{# unclosed", "{}", Out::Err(S), Out::Err(S)),
    (
        "{% raw %}{{ x }}{% endraw %}",
        "{}",
        Out::Ok("{{ x }}"),
        Out::Ok(&[]),
    ),
    (
        "{%- raw -%}  {{ x }}  {%- endraw -%}  y",
        "{}",
        Out::Ok("{{ x }}y"),
        Out::Ok(&[]),
    ),
    ("{% raw %}unclosed", "{}", Out::Err(S), Out::Err(S)),
    ("x\n\n\n", "{}", Out::Ok("x\n\n"), Out::Ok(&[])),
    ("x\r\n", "{}", Out::Ok("x"), Out::Ok(&[])),
    ("\n", "{}", Out::Ok(""), Out::Ok(&[])),
    ("", "{}", Out::Ok(""), Out::Ok(&[])),
    ("{{ 'a' }}\n", "{}", Out::Ok("a"), Out::Ok(&[])),
    ("{{ x }", "{}", Out::Err(S), Out::Err(S)),
    ("{{ x }}}", "{\"x\": 1}", Out::Ok("1}"), Out::Ok(&["x"])),
    ("{% if x %}", "{}", Out::Err(S), Out::Err(S)),
    ("{% if x %}a{% endfor %}", "{}", Out::Err(S), Out::Err(S)),
    ("{% for x in y %}a", "{}", Out::Err(S), Out::Err(S)),
    ("{% endif %}", "{}", Out::Err(S), Out::Err(S)),
    ("{% foo %}", "{}", Out::Err(S), Out::Err(S)),
    ("{{ }}", "{}", Out::Err(S), Out::Err(S)),
    ("{{ x + }}", "{}", Out::Err(S), Out::Err(S)),
    ("{{ x y }}", "{}", Out::Err(S), Out::Err(S)),
    ("{% for %}{% endfor %}", "{}", Out::Err(S), Out::Err(S)),
    ("{% set 1 = 2 %}", "{}", Out::Err(S), Out::Err(S)),
    ("{% set x.y = 1 %}", "{}", Out::Err(R), Out::Ok(&["x"])),
    ("{{ 'abc }}", "{}", Out::Err(S), Out::Err(S)),
    ("{{ x ! y }}", "{}", Out::Err(S), Out::Err(S)),
    ("{{ (1 }}", "{}", Out::Err(S), Out::Err(S)),
    ("{{ [1) }}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{% macro m(a=1, b) %}{% endmacro %}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    ("{{ f(a=1, 2) }}", "{}", Out::Err(S), Out::Err(S)),
    ("{{ f(*a, *b) }}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{% block a-b %}{% endblock %}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    (
        "{% extends 'x' %}{{ x|nope }}",
        "{}",
        Out::Err(R),
        Out::Ok(&["x"]),
    ),
    ("{{ x is is y }}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{{ 1 is divisibleby 3 }} {{ 9 is divisibleby 3 }}",
        "{}",
        Out::Ok("False True"),
        Out::Ok(&[]),
    ),
    (
        "{{ x.y.z }}",
        "{\"x\": {\"y\": {}}}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    ("{{ x.y.z }}", "{\"x\": {}}", Out::Err(U), Out::Ok(&["x"])),
    (
        "{{ x[0] }} {{ x[-1] }} {{ x[1:] }} {{ x[::-1] }} {{ x[5:] }}",
        "{\"x\": [1, 2, 3]}",
        Out::Ok("1 3 [2, 3] [3, 2, 1] []"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x[5] }}",
        "{\"x\": [1, 2, 3]}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 'abc'[1] }} {{ 'abc'[-1] }} {{ 'abcdef'[1:4:2] }}",
        "{}",
        Out::Ok("b c bd"),
        Out::Ok(&[]),
    ),
    (
        "{% for a, b in [(1, 2), (3, 4)] %}{{ a }}-{{ b }};{% endfor %}",
        "{}",
        Out::Ok("1-2;3-4;"),
        Out::Ok(&[]),
    ),
    (
        "{% for x in [1,2,3] if x > 1 %}{{ x }}{{ loop.index }}{% endfor %}",
        "{}",
        Out::Ok("2132"),
        Out::Ok(&[]),
    ),
    (
        "{% for x in [[1,[2]],[3]] recursive %}[{% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}{% endif %}]{% endfor %}",
        "{}",
        Out::Ok("[[1][[2]]][[3]]"),
        Out::Ok(&[]),
    ),
    (
        "{% for x in [1,2,3] %}{{ loop.cycle('a','b') }}{% endfor %}",
        "{}",
        Out::Ok("aba"),
        Out::Ok(&[]),
    ),
    (
        "{% for x in [1,2] %}{% for y in [3,4] %}{{ loop.index }}{{ x }}{{ y }} {% endfor %}{% endfor %}",
        "{}",
        Out::Ok("113 214 123 224 "),
        Out::Ok(&[]),
    ),
    (
        "{% for x in 'ab' %}{{ x }}{% endfor %}{% for k in {'a':1,'b':2} %}{{ k }}{% endfor %}",
        "{}",
        Out::Ok("abab"),
        Out::Ok(&[]),
    ),
    (
        "{% for x in 5 %}{% endfor %}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{% for x in none %}{% endfor %}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{% macro greet(name, greeting='Hi') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Bob') }} {{ greet('Al', greeting='Yo') }}",
        "{}",
        Out::Ok("Hi, Bob! Yo, Al!"),
        Out::Ok(&[]),
    ),
    (
        "{% macro m() %}[{{ caller() }}]{% endmacro %}{% call m() %}inner{% endcall %}",
        "{}",
        Out::Ok("[inner]"),
        Out::Ok(&[]),
    ),
    (
        "{% macro m() %}[{{ caller(2) }}]{% endmacro %}{% call(n) m() %}n={{ n }}{% endcall %}",
        "{}",
        Out::Ok("[n=2]"),
        Out::Ok(&[]),
    ),
    (
        "{% set ns = namespace(count=0) %}{% for i in range(3) %}{% set ns.count = ns.count + i %}{% endfor %}{{ ns.count }}",
        "{}",
        Out::Ok("3"),
        Out::Ok(&[]),
    ),
    (
        "{% set x %}a{{ 1 }}b{% endset %}[{{ x }}]",
        "{}",
        Out::Ok("[a1b]"),
        Out::Ok(&[]),
    ),
    (
        "{% set x | upper %}ab{% endset %}{{ x }}",
        "{}",
        Out::Ok("AB"),
        Out::Ok(&[]),
    ),
    (
        "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}",
        "{}",
        Out::Ok("3"),
        Out::Ok(&[]),
    ),
    (
        "{% filter upper %}hello {{ 'x' }}{% endfilter %}",
        "{}",
        Out::Ok("HELLO X"),
        Out::Ok(&[]),
    ),
    (
        "{% set a, b = 1, 2 %}{{ a }}{{ b }}",
        "{}",
        Out::Ok("12"),
        Out::Ok(&[]),
    ),
    (
        "{% set t = (1, 'a') %}{{ t }} {{ t[1] }} {{ t|length }}",
        "{}",
        Out::Ok("(1, 'a') a 2"),
        Out::Ok(&[]),
    ),
    (
        "{% if x is defined %}d{% else %}u{% endif %}{% if y is undefined %}U{% endif %}",
        "{\"x\": null}",
        Out::Ok("dU"),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{{ x is none }} {{ x is not none }} {{ 1 is number }} {{ true is number }} {{ true is integer }} {{ 1.0 is float }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is sequence }} {{ 'a' is sequence }}",
        "{\"x\": null}",
        Out::Ok("True False True True False True True True True True"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 1 is odd }} {{ 2 is even }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 1 is eq 1 }} {{ 2 is gt 1 }} {{ 1 is in [1] }} {{ true is true }} {{ 1 is true }} {{ 'upper' is filter }} {{ 'odd' is test }}",
        "{}",
        Out::Ok("True True True True True True True True False True True"),
        Out::Ok(&[]),
    ),
    (
        "{{ none is sameas none }} {{ x is callable }}",
        "{\"x\": 1}",
        Out::Ok("True False"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ '%05.1f|%-5s|%5s|%x|%o|%#x|%+d|% d|%c|%%|%r' % (3.14159, 'ab', 'cd', 255, 8, 255, 5, 5, 65, 'q') }}",
        "{}",
        Out::Ok("003.1|ab   |   cd|ff|10|0xff|+5| 5|A|%|'q'"),
        Out::Ok(&[]),
    ),
    (
        "{{ '%(a)s and %(b)d' % {'a': 'x', 'b': 2} }}",
        "{}",
        Out::Ok("x and 2"),
        Out::Ok(&[]),
    ),
    ("{{ '%s %s' % ('a',) }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ '%s' % ('a', 'b') }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ '%d' % 'x' }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{{ '%.3d|%5.2e|%g|%G|%.2g' % (5, 12345.678, 0.00001234, 1e20, 123.456) }}",
        "{}",
        Out::Ok("005|1.23e+04|1.234e-05|1E+20|1.2e+02"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'abc' % [] }} {{ 'abc' % {} }}",
        "{}",
        Out::Ok("abc abc"),
        Out::Ok(&[]),
    ),
    (
        "{{ '%s' % [1, 2] }} {{ '%s' % none }}",
        "{}",
        Out::Ok("[1, 2] None"),
        Out::Ok(&[]),
    ),
    (
        "{{ 10 % 3 }} {{ -10 % 3 }} {{ 10.5 % 3 }} {{ -10.5 % 3 }} {{ 10 % -3 }} {{ 5.0 // 2 }} {{ -5.0 // 2 }}",
        "{}",
        Out::Ok("1 2 1.5 1.5 -2 2.0 -3.0"),
        Out::Ok(&[]),
    ),
    ("{{ 1 // 0 }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ 1 % 0 }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ 1.0 / 0 }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{{ 2 ** 0.5 }} {{ (-8) ** 2 }} {{ 10 ** 20 }} {{ 10 ** 20 / 3 }} {{ 2 ** 62 * 4 }} {{ -2 ** 2 }}",
        "{}",
        Out::Ok(
            "1.4142135623730951 64 100000000000000000000 3.333333333333333e+19 18446744073709551616 4",
        ),
        Out::Ok(&[]),
    ),
    (
        "{{ 9223372036854775807 + 1 }} {{ -9223372036854775808 - 1 }} {{ 170141183460469231731687303715884105727 + 1 }}",
        "{}",
        Out::Ok("9223372036854775808 -9223372036854775809 170141183460469231731687303715884105728"),
        Out::Ok(&[]),
    ),
    (
        "{{ 1 + 1.5 }} {{ true * 3 }} {{ 3 - true }} {{ 7 / 7 }} {{ 0.1 * 3 }} {{ 1e300 * 1e10 }} {{ -0.0 }} {{ 0.0 * -1 }}",
        "{}",
        Out::Ok("2.5 3 2 1.0 0.30000000000000004 inf -0.0 -0.0"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'a' * 0 }}|{{ 'ab' * -1 }}|{{ 3 * 'x' }}|{{ [1, 2] * 2 }}|{{ (1,) * 3 }}|{{ (1,) + (2,) }}",
        "{}",
        Out::Ok("||xxx|[1, 2, 1, 2]|(1, 1, 1)|(1, 2)"),
        Out::Ok(&[]),
    ),
    ("{{ none + 1 }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ [1] + (2,) }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{{ 'a' < 'b' }} {{ 'B' < 'a' }} {{ [1, 2] < [1, 3] }} {{ [1] < [1, 0] }} {{ 1 < 1.5 }} {{ 2 >= 2.0 }} {{ none == none }} {{ none == 0 }} {{ {'a': 1} == {'a': 1.0} }}",
        "{}",
        Out::Ok("True True True True True True True False True"),
        Out::Ok(&[]),
    ),
    ("{{ [1] < (1,) }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ none < 1 }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ 1 in 'abc' }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ [1] in {'a': 1} }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ 'a' in none }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ 1 in 5 }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{{ x.a }} {{ x['a'] }} {{ x.b.c }} {{ x['b']['c'] }}",
        "{\"x\": {\"a\": 1, \"b\": {\"c\": [1]}}}",
        Out::Ok("1 1 [1] [1]"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x.keys() }}",
        "{\"x\": {\"a\": 1}}",
        Out::Ok("dict_keys(['a'])"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|dictsort }} {{ x|dictsort(by='value') }} {{ x|dictsort(reverse=true) }}",
        "{\"x\": {\"b\": 2, \"a\": 3, \"C\": 1}}",
        Out::Ok(
            "[('a', 3), ('b', 2), ('C', 1)] [('C', 1), ('b', 2), ('a', 3)] [('C', 1), ('b', 2), ('a', 3)]",
        ),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|sort }} {{ x|sort(case_sensitive=true) }} {{ x|sort(reverse=true) }}",
        "{\"x\": [\"b\", \"A\", \"a\", \"C\"]}",
        Out::Ok("['A', 'a', 'b', 'C'] ['A', 'C', 'a', 'b'] ['C', 'b', 'A', 'a']"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|sort(attribute='n') }} {{ x|sort(attribute='n,m') }}",
        "{\"x\": [{\"n\": 2, \"m\": 1}, {\"n\": 1, \"m\": 2}, {\"n\": 1, \"m\": 1}]}",
        Out::Ok(
            "[{'n': 1, 'm': 2}, {'n': 1, 'm': 1}, {'n': 2, 'm': 1}] [{'n': 1, 'm': 1}, {'n': 1, 'm': 2}, {'n': 2, 'm': 1}]",
        ),
        Out::Ok(&["x"]),
    ),
    ("{{ [1, 'a']|sort }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{{ x|map(attribute='n')|list }} {{ x|map(attribute='z', default='d')|list }} {{ ['a','b']|map('upper')|join }}",
        "{\"x\": [{\"n\": 2}, {\"n\": 1}]}",
        Out::Ok("[2, 1] ['d', 'd'] AB"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|selectattr('n', 'gt', 1)|list }} {{ x|rejectattr('n', 'equalto', 1)|list }} {{ [1,2,3,4]|select('even')|list }} {{ [1,2,3]|reject('odd')|list }}",
        "{\"x\": [{\"n\": 2}, {\"n\": 1}]}",
        Out::Ok("[{'n': 2}] [{'n': 2}] [2, 4] [2]"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|groupby('g')|list }}",
        "{\"x\": [{\"g\": \"a\", \"v\": 1}, {\"g\": \"b\", \"v\": 2}, {\"g\": \"a\", \"v\": 3}]}",
        Out::Ok("[('a', [{'g': 'a', 'v': 1}, {'g': 'a', 'v': 3}]), ('b', [{'g': 'b', 'v': 2}])]"),
        Out::Ok(&["x"]),
    ),
    (
        "{% for grp in x|groupby('g') %}{{ grp.grouper }}:{{ grp.list|map(attribute='v')|join(',') }};{% endfor %}",
        "{\"x\": [{\"g\": \"a\", \"v\": 1}, {\"g\": \"b\", \"v\": 2}, {\"g\": \"a\", \"v\": 3}]}",
        Out::Ok("a:1,3;b:2;"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ [3, 1, 2]|max }} {{ ['b', 'A']|max }} {{ ['b', 'A']|min }} {{ []|max is undefined }}",
        "{}",
        Out::Ok("3 b A True"),
        Out::Ok(&[]),
    ),
    (
        "{{ [1.5, 2]|sum }} {{ x|sum(attribute='n') }} {{ [[1], [2]]|sum(start=[]) }}",
        "{\"x\": [{\"n\": 2}, {\"n\": 1}]}",
        Out::Ok("3.5 3 [1, 2]"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 'Hello World'|lower }} {{ 'hello world'|capitalize }} {{ 'hello-world (foo) [bar]'|title }} {{ \"it's ok\"|title }}",
        "{}",
        Out::Ok("hello world Hello world Hello-World (Foo) [Bar] It's Ok"),
        Out::Ok(&[]),
    ),
    (
        "{{ '  abc  '|trim }}|{{ 'xxabcxx'|trim('x') }}|{{ 'abc'|center(7) }}|{{ 'abc'|center(6) }}|",
        "{}",
        Out::Ok("abc|abc|  abc  | abc  |"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'a long sentence here'|truncate(10) }}|{{ 'a long sentence here'|truncate(10, true) }}|{{ 'a long sentence here'|truncate(10, end='!') }}|{{ 'abcdefghijklmnop'|truncate(10, leeway=0) }}",
        "{}",
        Out::Ok("a long...|a long ...|a long!|abcdefg..."),
        Out::Ok(&[]),
    ),
    (
        "{{ 'a\nb\n\nc'|indent }}|{{ 'a\nb'|indent('> ', first=true) }}|{{ 'a\n\nb'|indent(2, blank=true) }}",
        "{}",
        Out::Ok("a\n    b\n\n    c|> a\n> b|a\n  \n  b"),
        Out::Ok(&[]),
    ),
    (
        "{{ '<b>x</b> &amp; <!-- c -->y'|striptags }}",
        "{}",
        Out::Ok("x & y"),
        Out::Ok(&[]),
    ),
    (
        "{{ 1|filesizeformat }} {{ 999|filesizeformat }} {{ 1000|filesizeformat }} {{ 1500000|filesizeformat }} {{ 1024|filesizeformat(true) }}",
        "{}",
        Out::Ok("1 Byte 999 Bytes 1.0 kB 1.5 MB 1.0 KiB"),
        Out::Ok(&[]),
    ),
    (
        "{{ {'b': 1, 'a': [1, 2]}|tojson }} {{ '\u{e9}<'|tojson }} {{ [1, 2]|tojson(indent=2) }}",
        "{}",
        Out::Ok("{\"a\": [1, 2], \"b\": 1} \"\\u00e9\\u003c\" [\n  1,\n  2\n]"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'a b'|urlencode }} {{ {'a': 'b c', 'd': 1}|urlencode }} {{ 'a/b'|urlencode }}",
        "{}",
        Out::Ok("a%20b a=b+c&d=1 a/b"),
        Out::Ok(&[]),
    ),
    (
        "{{ '<a>'|e }} {{ '<a>'|escape }} {{ '<a>'|safe }} {{ '<a>'|forceescape }}",
        "{}",
        Out::Ok("&lt;a&gt; &lt;a&gt; <a> &lt;a&gt;"),
        Out::Ok(&[]),
    ),
    (
        "{{ {'a': 1, 'b': none}|xmlattr }}",
        "{}",
        Out::Ok(" a=\"1\""),
        Out::Ok(&[]),
    ),
    (
        "{{ [1,2,3,4,5]|slice(2)|list }} {{ [1,2,3,4,5]|batch(2, 0)|list }}",
        "{}",
        Out::Ok("[[1, 2, 3], [4, 5]] [[1, 2], [3, 4], [5, 0]]"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'hello world foo bar'|wordwrap(10) }}",
        "{}",
        Out::Ok("hello\nworld foo\nbar"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'x'|list }} {{ 'abc'|list }} {{ {'a': 1}|list }} {{ (1, 2)|list }}",
        "{}",
        Out::Ok("['x'] ['a', 'b', 'c'] ['a'] [1, 2]"),
        Out::Ok(&[]),
    ),
    ("{{ 5|list }}", "{}", Out::Err(R), Out::Ok(&[])),
    ("{{ 5|length }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{{ [1, 2]|join(', ', attribute='x') }}",
        "{}",
        Out::Err(U),
        Out::Ok(&[]),
    ),
    ("{{ x|default('d') }}", "{}", Out::Ok("d"), Out::Ok(&["x"])),
    (
        "{{ ''|default('d') }} {{ ''|default('d', true) }} {{ 0|d('z', true) }}",
        "{}",
        Out::Ok(" d z"),
        Out::Ok(&[]),
    ),
    ("{{ x|upper }}", "{}", Out::Err(U), Out::Ok(&["x"])),
    ("{{ x|join }}", "{}", Out::Err(U), Out::Ok(&["x"])),
    ("{{ x|length }}", "{}", Out::Err(U), Out::Ok(&["x"])),
    ("{{ x|first }}", "{}", Out::Err(U), Out::Ok(&["x"])),
    ("{{ x|items|list }}", "{}", Out::Ok("[]"), Out::Ok(&["x"])),
    ("{{ x|e }}", "{}", Out::Err(U), Out::Ok(&["x"])),
    (
        "{{ 'ab'.upper() }} {{ 'AB'.lower() }} {{ 'a-b'.replace('-', '+') }} {{ '  x'.lstrip() }} {{ 'x,y,z'.split(',', 1) }} {{ 'a b c'.rsplit(None, 1) }} {{ 'abc'.find('c') }} {{ 'abc'.count('b') }} {{ ','.join(['a','b']) }} {{ 'x'.zfill(3) }} {{ 'ab'.ljust(4, '*') }}|",
        "{}",
        Out::Ok("AB ab a+b x ['x', 'y,z'] ['a b', 'c'] 2 1 a,b 00x ab**|"),
        Out::Ok(&[]),
    ),
    (
        "{{ 'Hello {name}'.format(name='W') }}",
        "{}",
        Out::Ok("Hello W"),
        Out::Ok(&[]),
    ),
    ("{{ 'a'.nope() }}", "{}", Out::Err(U), Out::Ok(&[])),
    (
        "{{ [1,2,1].count(1) }} {{ [1,2].index(2) }} {{ x.get('a') }} {{ x.get('b', 'd') }} {{ x.get('c') }}",
        "{\"x\": {\"a\": 1}}",
        Out::Ok("2 1 1 d None"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x.values()|list }} {{ x.items()|list }}",
        "{\"x\": {\"a\": 1}}",
        Out::Ok("[1] [('a', 1)]"),
        Out::Ok(&["x"]),
    ),
    (
        "{% set c = joiner(', ') %}{% for i in [1,2,3] %}{{ c() }}{{ i }}{% endfor %}",
        "{}",
        Out::Ok("1, 2, 3"),
        Out::Ok(&[]),
    ),
    (
        "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}",
        "{}",
        Out::Ok("abab"),
        Out::Ok(&[]),
    ),
    (
        "{{ dict(a=1, b='x') }} {{ range(2, 8, 2)|list }} {{ range(3)|sum }}",
        "{}",
        Out::Ok("{'a': 1, 'b': 'x'} [2, 4, 6] 3"),
        Out::Ok(&[]),
    ),
    (
        "{{ lipsum is defined }}",
        "{}",
        Out::Ok("True"),
        Out::Ok(&[]),
    ),
    (
        "{{ x ~ y }}",
        "{\"x\": [1, \"a\"], \"y\": {\"k\": null}}",
        Out::Ok("[1, 'a']{'k': None}"),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{{ 1 ~ 2.5 ~ 1e-7 ~ 1e20 ~ true ~ none }}",
        "{}",
        Out::Ok("12.51e-071e+20TrueNone"),
        Out::Ok(&[]),
    ),
    ("{{ x ~ 'a' }}", "{}", Out::Err(U), Out::Ok(&["x"])),
    (
        "{{ 'a' if x else 'b' }}",
        "{\"x\": []}",
        Out::Ok("b"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 'a' if x }}|",
        "{\"x\": 0}",
        Out::Ok("|"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x and y }} {{ x or y }} {{ not x }} {{ 0 or '' }} {{ 1 and [] }}",
        "{\"x\": 1, \"y\": \"z\"}",
        Out::Ok("z 1 False  []"),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{{ x and y }}",
        "{\"x\": 0}",
        Out::Ok("0"),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{{ x or y }}",
        "{\"x\": 0}",
        Out::Err(U),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{% if x == 1 %}one{% elif x == 2 %}two{% else %}other{% endif %}",
        "{\"x\": 2}",
        Out::Ok("two"),
        Out::Ok(&["x"]),
    ),
    (
        "{% if x %}a{% endif %}",
        "{\"x\": 0.0}",
        Out::Ok(""),
        Out::Ok(&["x"]),
    ),
    (
        "{% if [] %}a{% elif {} %}b{% elif '' %}c{% elif 0 %}d{% elif none %}e{% else %}f{% endif %}",
        "{}",
        Out::Ok("f"),
        Out::Ok(&[]),
    ),
    ("{{ loop }}", "{}", Out::Err(U), Out::Ok(&["loop"])),
    (
        "{{ x }}",
        "{\"x\": \"\\ud83d\\ude00 \\u00e9 \\u200d\"}",
        Out::Ok("\u{1f600} \u{e9} \u{200d}"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x }}",
        "{\"x\": [\"\\u200d\", \"a'b\", \"a\\\"b\", \"a'\\\"b\", \"\\n\", \"\\\\\"]}",
        Out::Ok("['\\u200d', \"a'b\", 'a\"b', 'a\\'\"b', '\\n', '\\\\']"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x }}",
        "{\"x\": [0.1, 100.0, 1e+22, 1.5e-10, 1.2345678901234568e+16, -0.0]}",
        Out::Ok("[0.1, 100.0, 1e+22, 1.5e-10, 1.2345678901234568e+16, -0.0]"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x }}",
        "{\"x\": {\"a\": {\"b\": [{}]}, \"c\": []}}",
        Out::Ok("{'a': {'b': [{}]}, 'c': []}"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ (1, 2) }} {{ (1,) }} {{ ((1, 2), [3]) }} {{ [(1, 'a')] }}",
        "{}",
        Out::Ok("(1, 2) (1,) ((1, 2), [3]) [(1, 'a')]"),
        Out::Ok(&[]),
    ),
    (
        "{{ {'a': 1, 'a': 2} }}",
        "{}",
        Out::Ok("{'a': 2}"),
        Out::Ok(&[]),
    ),
    (
        "{{ x and y }}|{{ x and [] }}|{{ 1 and [] }}|{{ x and z }}|{{ [] or 0 }}|{{ z or [] }}",
        "{\"x\": 1, \"y\": [], \"z\": {}}",
        Out::Ok("[]|[]|[]|{}|0|[]"),
        Out::Ok(&["x", "y", "z"]),
    ),
    (
        "{{ x }}{% set x = 1 %}{{ x }}",
        "{\"x\": 5}",
        Out::Ok("51"),
        Out::Ok(&["x"]),
    ),
    (
        "{% set x = x + 1 %}{{ x }}",
        "{\"x\": 5}",
        Out::Ok("6"),
        Out::Ok(&["x"]),
    ),
    (
        "{% if a %}{% set b = 1 %}{% else %}{% set b = 2 %}{% endif %}{{ b }}",
        "{\"a\": true}",
        Out::Ok("1"),
        Out::Ok(&["a", "b"]),
    ),
    (
        "{% for i in x %}{% set y = i %}{% endfor %}{{ y is defined }}",
        "{\"x\": [1]}",
        Out::Ok("False"),
        Out::Ok(&["x", "y"]),
    ),
    (
        "{% for i in x %}{{ i }}{% else %}{{ i }}{% endfor %}",
        "{\"x\": []}",
        Out::Err(U),
        Out::Ok(&["i", "x"]),
    ),
    (
        "{% macro m(a, b=a) %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}",
        "{}",
        Out::Ok("11"),
        Out::Ok(&[]),
    ),
    (
        "{% macro m() %}{{ g }}{% endmacro %}{% set g = 2 %}{{ m() }}",
        "{}",
        Out::Ok("2"),
        Out::Ok(&[]),
    ),
    (
        "{% set g = 1 %}{% macro m() %}{{ g }}{% endmacro %}{{ m() }}",
        "{}",
        Out::Ok("1"),
        Out::Ok(&[]),
    ),
    (
        "{% with a = b %}{% set c = a %}{{ c }}{% endwith %}{{ c }}",
        "{\"b\": 1}",
        Out::Err(U),
        Out::Ok(&["b", "c"]),
    ),
    (
        "{% for a in b %}{% for c in a %}{{ loop.index }}{{ d }}{% endfor %}{% endfor %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["b", "d"]),
    ),
    (
        "{{ foo(bar=baz) }}{{ x|default(y) }}{{ z is divisibleby(w) }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["baz", "foo", "w", "x", "y", "z"]),
    ),
    (
        "{% set ns = namespace() %}{% set ns.v = q %}{{ ns.v }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["q"]),
    ),
    (
        "{% call(x) caller_macro(y) %}{{ x }}{{ z }}{% endcall %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["caller_macro", "y", "z"]),
    ),
    (
        "{% filter replace(a, b) %}text{% endfilter %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["a", "b"]),
    ),
    (
        "{% block b %}{{ inner }}{% set z = 1 %}{% endblock %}{{ z }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["inner", "z"]),
    ),
    (
        "{% if x %}{{ x }}{% elif y %}{{ y }}{% else %}{{ z }}{% endif %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["x", "y", "z"]),
    ),
    (
        "{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}{{ k }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["d", "k"]),
    ),
    ("{{ [x for x in y] }}", "{}", Out::Err(S), Out::Err(S)),
    (
        "{{ x if x is defined else 'd' }}",
        "{}",
        Out::Ok("d"),
        Out::Ok(&["x"]),
    ),
    (
        "{% set a = b|default(c) %}",
        "{}",
        Out::Ok(""),
        Out::Ok(&["b", "c"]),
    ),
    (
        "{{ range(n)|list }}{{ dict(a=n) }}{{ cycler(q) }}{{ joiner() }}{{ lipsum(2) }}",
        "{}",
        Out::Err(R),
        Out::Ok(&["n", "q"]),
    ),
    (
        "{% raw %}{{ notavar }}{% endraw %}{{ var }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["var"]),
    ),
    (
        "{# {{ hidden }} #}{{ shown }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["shown"]),
    ),
    (
        "{{ a.b(c).d[e] }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["a", "c", "e"]),
    ),
    (
        "{% for x in y recursive %}{{ loop(x.kids) }}{{ loop.depth }}{% endfor %}",
        "{}",
        Out::Err(U),
        Out::Ok(&["y"]),
    ),
    (
        "{% set x %}{{ y }}{% endset %}{{ x }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["y"]),
    ),
    (
        "{% macro m() %}{{ caller() if caller is defined }}{% endmacro %}",
        "{}",
        Out::Ok(""),
        Out::Ok(&[]),
    ),
    (
        "{% macro m(caller=none) %}{{ caller }}{% endmacro %}",
        "{}",
        Out::Ok(""),
        Out::Ok(&[]),
    ),
    (
        "{{ self }}{% block b %}{% endblock %}",
        "{}",
        Out::Ok("<TemplateReference None>"),
        Out::Ok(&[]),
    ),
    ("{{ super }}", "{}", Out::Err(U), Out::Ok(&["super"])),
    (
        "{% for x in y %}{{ loop.previtem }}{% endfor %}",
        "{\"y\": [1, 2]}",
        Out::Err(U),
        Out::Ok(&["y"]),
    ),
    (
        "{% for x in y %}{{ loop.changed(x) }}{% endfor %}",
        "{\"y\": [1, 1, 2]}",
        Out::Ok("TrueFalseTrue"),
        Out::Ok(&["y"]),
    ),
    (
        "{% for x in y %}{% if loop.first %}F{% endif %}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}",
        "{\"y\": [1, 2, 3]}",
        Out::Ok("F1,2,3"),
        Out::Ok(&["y"]),
    ),
    (
        "{% for x in y %}{{ loop.revindex0 }}{{ loop.index0 }}{% endfor %}",
        "{\"y\": \"ab\"}",
        Out::Ok("1001"),
        Out::Ok(&["y"]),
    ),
    (
        "{% for x in range(3) %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    ("{{ x.a }}", "{\"x\": [1]}", Out::Err(U), Out::Ok(&["x"])),
    (
        "{{ x[0] }}",
        "{\"x\": {\"0\": \"s\"}}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x.0 }}",
        "{\"x\": {\"0\": \"s\"}}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x['a'] }}",
        "{\"x\": \"str\"}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{{ r.message }}",
        "{\"r\": {\"message\": \"m\", \"score\": null}}",
        Out::Ok("m"),
        Out::Ok(&["r"]),
    ),
    (
        "{{ r.score }} {{ r.tokens }}",
        "{\"r\": {\"score\": 0.5, \"tokens\": 1e-05}}",
        Out::Ok("0.5 1e-05"),
        Out::Ok(&["r"]),
    ),
    (
        "{{ x|join(', ') }}",
        "{\"x\": [[1, 2], {\"a\": null}, [true]]}",
        Out::Ok("[1, 2], {'a': None}, [True]"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|replace('o', 'E')|trim }}",
        "{\"x\": \"  hello world  \"}",
        Out::Ok("hellE wErld"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|length }} semantic",
        "{\"x\": [{}, {}]}",
        Out::Ok("2 semantic"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 'a' ~ x }}",
        "{\"x\": 3.0}",
        Out::Ok("a3.0"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x }}",
        "{\"x\": 1e+16}",
        Out::Ok("1e+16"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x * 1.0 }} {{ x / 1 }} {{ x // 1 }}",
        "{\"x\": 7}",
        Out::Ok("7.0 7.0 7"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|int + 1 }} {{ x|float }}",
        "{\"x\": \"41\"}",
        Out::Ok("42 41.0"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x|round(1) }} {{ x|round(1, 'ceil') }} {{ x|abs }}",
        "{\"x\": -2.45}",
        Out::Ok("-2.5 -2.4 2.45"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 'x' if x is none else x }}",
        "{\"x\": null}",
        Out::Ok("x"),
        Out::Ok(&["x"]),
    ),
    (
        "{{ x is string }} {{ x is mapping }} {{ x is iterable }} {{ x is sequence }}",
        "{\"x\": {\"k\": 1}}",
        Out::Ok("False True True True"),
        Out::Ok(&["x"]),
    ),
    (
        "Hello {{ name }}!\n",
        "{\"name\": \"W\"}",
        Out::Ok("Hello W!"),
        Out::Ok(&["name"]),
    ),
    (
        "{{ name }}\n\n",
        "{\"name\": \"W\"}",
        Out::Ok("W\n"),
        Out::Ok(&["name"]),
    ),
    (
        "  {{ name }}  ",
        "{\"name\": \"W\"}",
        Out::Ok("  W  "),
        Out::Ok(&["name"]),
    ),
    (
        "{%- if true %}\n  x\n{%- endif %}\n",
        "{}",
        Out::Ok("\n  x"),
        Out::Ok(&[]),
    ),
    (
        "{% if true -%}\n  x\n{% endif -%}\nend",
        "{}",
        Out::Ok("x\nend"),
        Out::Ok(&[]),
    ),
    ("{{- ' a ' -}}", "{}", Out::Ok(" a "), Out::Ok(&[])),
    ("a {#- c -#} b", "{}", Out::Ok("ab"), Out::Ok(&[])),
    (
        "{% for x in [1,2] -%}\n  {{ x }}\n{%- endfor %}",
        "{}",
        Out::Ok("12"),
        Out::Ok(&[]),
    ),
    (
        "{{ \"dq\" ~ 'sq' ~ '\\n' ~ \"\\t\" ~ '\\u00e9' ~ '\\x41' ~ '\\101' ~ '\\q' }}",
        "{}",
        Out::Ok("dqsq\n\t\u{e9}AA\\q"),
        Out::Ok(&[]),
    ),
    ("{{ 'a' 'b' \"c\" }}", "{}", Out::Ok("abc"), Out::Ok(&[])),
    (
        "{{ 0b101 }} {{ 0o17 }} {{ 0xFF }} {{ 1_000_000 }} {{ 1.5e3 }} {{ 2E-3 }} {{ 10. }}",
        "{}",
        Out::Err(S),
        Out::Err(S),
    ),
    (
        "{{ x.0.1 }}",
        "{\"x\": [[1, 2]]}",
        Out::Ok("2"),
        Out::Ok(&["x"]),
    ),
    ("{{ x[1,2] }}", "{\"x\": {}}", Out::Err(U), Out::Ok(&["x"])),
    ("{{ x[] }}", "{\"x\": {}}", Out::Err(U), Out::Ok(&["x"])),
    ("{{ f() }}", "{}", Out::Err(U), Out::Ok(&["f"])),
    (
        "{{ true }}{{ True }}{{ false }}{{ none }}{{ None }}{{ TRUE }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["TRUE"]),
    ),
    (
        "{% macro m() %}{{ s }}{% endmacro %}{{ m() }}{% set s = 1 %}",
        "{\"s\": 5}",
        Out::Err(U),
        Out::Ok(&[]),
    ),
    (
        "{% for x in [1] %}{{ s }}{% endfor %}{% set s = 1 %}{{ s }}",
        "{\"s\": 5}",
        Out::Err(U),
        Out::Ok(&[]),
    ),
    (
        "{{ s }}{% set s = 1 %}{{ s }}",
        "{\"s\": 5}",
        Out::Ok("51"),
        Out::Ok(&["s"]),
    ),
    (
        "{% set s = 1 %}{{ s }}",
        "{\"s\": 5}",
        Out::Ok("1"),
        Out::Ok(&[]),
    ),
    (
        "{% if true %}{% set s = 1 %}{% endif %}{% for x in [1] %}{{ s }}{% endfor %}",
        "{\"s\": 5}",
        Out::Ok("1"),
        Out::Ok(&["s"]),
    ),
    (
        "{% for x in [1] %}{{ s is defined }}{% endfor %}{% set s = 1 %}",
        "{\"s\": 5}",
        Out::Ok("False"),
        Out::Ok(&[]),
    ),
    (
        "{{ [('a'|e)] }} {{ ['a'|safe] }} {% set x %}a{% endset %}{{ [x] }} {% macro m() %}x{% endmacro %}{{ [m()] }}",
        "{}",
        Out::Ok("[Markup('a')] [Markup('a')] ['a'] ['x']"),
        Out::Ok(&[]),
    ),
    (
        "{{ [1,2]|select('odd')|length }}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{{ [1,2]|map('string')|last }}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{% if []|select %}T{% endif %}",
        "{}",
        Out::Ok("T"),
        Out::Ok(&[]),
    ),
    (
        "{{ x|map('upper')|join(',') }}",
        "{\"x\": [\"a\", \"b\"]}",
        Out::Ok("A,B"),
        Out::Ok(&["x"]),
    ),
    (
        "{% set g = 5|batch(2) %}ok",
        "{}",
        Out::Ok("ok"),
        Out::Ok(&[]),
    ),
    ("{{ 5|batch(2)|list }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{{ b - not [1] }}",
        "{\"b\": 1, \"not\": [3, 4]}",
        Out::Ok("-3"),
        Out::Ok(&["b", "not"]),
    ),
    ("{{ not }}", "{\"not\": 1}", Out::Err(S), Out::Err(S)),
    (
        "{% filter upper %}{% set s = 1 %}{% endfilter %}{{ s }}",
        "{\"s\": \"x\"}",
        Out::Ok("x"),
        Out::Ok(&["s"]),
    ),
    (
        "{% set t %}{% set s = 1 %}{% endset %}{{ s }}",
        "{\"s\": \"x\"}",
        Out::Ok("x"),
        Out::Ok(&["s"]),
    ),
    (
        "{% autoescape true %}{% set s = 1 %}{% endautoescape %}{{ s }}",
        "{\"s\": \"x\"}",
        Out::Ok("x"),
        Out::Ok(&["s"]),
    ),
    (
        "{% if true %}{% set s = 1 %}{% endif %}{{ s }}",
        "{\"s\": \"x\"}",
        Out::Ok("1"),
        Out::Ok(&["s"]),
    ),
    (
        "{% with %}{% set s = 1 %}{% endwith %}{{ s }}",
        "{\"s\": \"x\"}",
        Out::Ok("x"),
        Out::Ok(&["s"]),
    ),
    (
        "{% block b %}{% set s = 1 %}{% endblock %}{{ s }}",
        "{\"s\": \"x\"}",
        Out::Ok("x"),
        Out::Ok(&["s"]),
    ),
    (
        "{% for i in [1] %}{% set s = 1 %}{% endfor %}{{ s }}",
        "{\"s\": \"x\"}",
        Out::Ok("x"),
        Out::Ok(&["s"]),
    ),
    (
        "{% for x in [1,2] %}{{ loop.cycle() }}{% endfor %}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{% for x in [1,2,3] %}{{ loop.cycle('a', 'b') }}{% endfor %}",
        "{}",
        Out::Ok("aba"),
        Out::Ok(&[]),
    ),
    (
        "{% for x in [1,2,3] %}{{ loop.cycle(*['a', 'b']) }}{% endfor %}",
        "{}",
        Out::Ok("aba"),
        Out::Ok(&[]),
    ),
    (
        "{{ x.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a }}",
        "{\"x\": {}}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{{ 1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1 }}",
        "{}",
        Out::Ok("50"),
        Out::Ok(&[]),
    ),
    (
        "{{ ''[::-1] }}|{{ []|reverse|list }}|{{ 'abc'[-100:100] }}|{{ 'abc'[::0] }}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    ("{{ u|int }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|float }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|round }}", "{}", Out::Err(R), Out::Ok(&["u"])),
    ("{{ u|abs }}", "{}", Out::Err(R), Out::Ok(&["u"])),
    ("{{ u|tojson }}", "{}", Out::Err(R), Out::Ok(&["u"])),
    (
        "{{ u|pprint }}",
        "{}",
        Out::Ok("Undefined"),
        Out::Ok(&["u"]),
    ),
    ("{{ u|last }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|filesizeformat }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u in 'abc' }}", "{}", Out::Err(R), Out::Ok(&["u"])),
    ("{{ 'a' in u }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|attr('x') }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|e }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|urlencode }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|sum }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|dictsort }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|xmlattr }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|batch(2)|list }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    (
        "{{ u|map('upper')|list }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["u"]),
    ),
    ("{{ u|select|list }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|slice(2)|list }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|unique|list }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|random }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|wordwrap }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|groupby('a') }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|format(1) }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|count }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    (
        "{{ u is sameas none }}",
        "{}",
        Out::Ok("False"),
        Out::Ok(&["u"]),
    ),
    (
        "{{ u is escaped }}",
        "{}",
        Out::Ok("False"),
        Out::Ok(&["u"]),
    ),
    ("{{ u is lower }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u is in [1] }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u is eq 1 }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u is filter }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ [u]|join }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    (
        "{{ [u]|sort }}",
        "{}",
        Out::Ok("[Undefined]"),
        Out::Ok(&["u"]),
    ),
    ("{{ [u, 1]|max }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ [u]|unique|list }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ [u] == [1] }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ [u]|length }}", "{}", Out::Ok("1"), Out::Ok(&["u"])),
    ("{{ [u]|tojson }}", "{}", Out::Err(R), Out::Ok(&["u"])),
    (
        "{{ {'a': u} }}",
        "{}",
        Out::Ok("{'a': Undefined}"),
        Out::Ok(&["u"]),
    ),
    ("{{ [u] }}", "{}", Out::Ok("[Undefined]"), Out::Ok(&["u"])),
    ("{{ (u,) }}", "{}", Out::Ok("(Undefined,)"), Out::Ok(&["u"])),
    ("{{ u.x }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u['x'] }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u() }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u[1:] }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ -u }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ not u }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u ~ 1 }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    (
        "{{ u is defined }}",
        "{}",
        Out::Ok("False"),
        Out::Ok(&["u"]),
    ),
    (
        "{{ u is callable }}",
        "{}",
        Out::Ok("True"),
        Out::Ok(&["u"]),
    ),
    ("{{ u|list }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|reverse }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|indent }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    ("{{ u|truncate }}", "{}", Out::Err(U), Out::Ok(&["u"])),
    (
        "{{ x.m|round }}",
        "{\"x\": {}}",
        Out::Err(R),
        Out::Ok(&["x"]),
    ),
    (
        "{% set t %}{% filter length %}ab{% endfilter %}{% endset %}{{ u }}",
        "{}",
        Out::Err(R),
        Out::Ok(&["u"]),
    ),
    (
        "{% filter length %}ab{% endfilter %}{{ u }}",
        "{}",
        Out::Err(U),
        Out::Ok(&["u"]),
    ),
    (
        "{% macro m() %}{% filter length %}ab{% endfilter %}{% endmacro %}{{ m() }}{{ u }}",
        "{}",
        Out::Err(R),
        Out::Ok(&["u"]),
    ),
    (
        "{% macro m() %}{% filter length %}ab{% endfilter %}{% endmacro %}{% set x = m() %}ok",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{% filter upper %}{% filter length %}ab{% endfilter %}{% endfilter %}{{ u }}",
        "{}",
        Out::Err(R),
        Out::Ok(&["u"]),
    ),
    (
        "{% set t %}a{% endset %}{{ t }}{% filter upper %}b{% endfilter %}",
        "{}",
        Out::Ok("aB"),
        Out::Ok(&[]),
    ),
    (
        "{{ s.upper() }} {{ d.items()|list }} {{ d.get('k') }}",
        "{\"s\": \"a\", \"d\": {\"k\": 1, \"items\": 2}}",
        Out::Ok("A [('k', 1), ('items', 2)] 1"),
        Out::Ok(&["d", "s"]),
    ),
    (
        "{% set f = s.upper %}{{ f() }}",
        "{\"s\": \"a\"}",
        Out::Ok("A"),
        Out::Ok(&["s"]),
    ),
    (
        "{{ self }}{{ self is defined }}",
        "{}",
        Out::Ok("<TemplateReference None>True"),
        Out::Ok(&[]),
    ),
    (
        "{% set self = 1 %}{{ self }}",
        "{}",
        Out::Ok("1"),
        Out::Ok(&[]),
    ),
    (
        "{% block b %}{{ super() }}{% endblock %}",
        "{}",
        Out::Err(U),
        Out::Ok(&[]),
    ),
    ("{% include y %}", "{}", Out::Err(R), Out::Ok(&["y"])),
    (
        "{% set ns.k = y(1) %}",
        "{}",
        Out::Err(R),
        Out::Ok(&["ns", "y"]),
    ),
    (
        "{% set ns = namespace(k=1) %}{% set ns.k = 2 %}{{ ns.k }}",
        "{}",
        Out::Ok("2"),
        Out::Ok(&[]),
    ),
    (
        "{% set ns = {} %}{% set ns.k = u %}",
        "{}",
        Out::Err(R),
        Out::Ok(&["u"]),
    ),
    (
        "{{ x.nope() }}",
        "{\"x\": [1]}",
        Out::Err(U),
        Out::Ok(&["x"]),
    ),
    (
        "{{ range }} {{ range(3) }} {{ range(1, 10, 2) }} {{ range(3)|list }} {{ range(5)[1] }} {{ range(3)|length }} {{ range(10, 0, -3)|list }}",
        "{}",
        Out::Ok("<class 'range'> range(0, 3) range(1, 10, 2) [0, 1, 2] 1 3 [10, 7, 4, 1]"),
        Out::Ok(&[]),
    ),
    (
        "{% for i in range(3) %}{{ i }}{{ loop.length }}{% endfor %}",
        "{}",
        Out::Ok("031323"),
        Out::Ok(&[]),
    ),
    (
        "{{ range(0) }}{{ range(1, 2, 0) }}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    ("{{ range(1.5) }}", "{}", Out::Err(R), Out::Ok(&[])),
    (
        "{% macro m() %}x{% endmacro %}{{ m }} {{ m is callable }} {{ m is mapping }} {{ {} is mapping }}",
        "{}",
        Out::Ok("<Macro 'm'> True False True"),
        Out::Ok(&[]),
    ),
    (
        "{% for x in [1] %}{{ loop }}{% endfor %}",
        "{}",
        Out::Ok("<LoopContext 1/1>"),
        Out::Ok(&[]),
    ),
    (
        "{% set ns = namespace(a=1) %}{{ ns }} {{ ns is mapping }}",
        "{}",
        Out::Ok("<Namespace {'a': 1}> False"),
        Out::Ok(&[]),
    ),
    (
        "{% macro m() %}x{% endmacro %}{% for x in m %}{% endfor %}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{% set ns = namespace(a=1) %}{% for x in ns %}{% endfor %}",
        "{}",
        Out::Err(R),
        Out::Ok(&[]),
    ),
    (
        "{% block b %}{{ super }}{% endblock %}",
        "{}",
        Out::Err(U),
        Out::Ok(&[]),
    ),
    (
        "{% block b %}{{ super|default('d') }}{% endblock %}",
        "{}",
        Out::Ok("d"),
        Out::Ok(&[]),
    ),
    (
        "{% block b %}{{ super() }}{% endblock %}",
        "{}",
        Out::Err(U),
        Out::Ok(&[]),
    ),
    (
        "{{ super }}",
        "{\"super\": 1}",
        Out::Ok("1"),
        Out::Ok(&["super"]),
    ),
    ("{{ f() }}", "{}", Out::Err(U), Out::Ok(&["f"])),
    (
        "{{ joiner is callable }} {{ dict is callable }} {{ self is callable }} {{ 1 is callable }}",
        "{}",
        Out::Ok("True True False False"),
        Out::Ok(&[]),
    ),
];

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
    // Long chains (each link nests the tree one level deeper), just under and over the limit.
    for n in [150, 10_000] {
        for (head, link) in [
            ("x", ".a"),
            ("1", " + 1"),
            ("x", "|upper"),
            ("x", "[0]"),
            ("x", "()"),
        ] {
            let source = format!("{{{{ {head}{} }}}}", link.repeat(n));
            let _ = jinja::render(&source, &PyDict::new());
            let _ = jinja::variables(&source);
        }
        let nested = format!(
            "{}x{}",
            "{% if x %}".repeat(n.min(95)),
            "{% endif %}".repeat(n.min(95))
        );
        let _ = jinja::render(&nested, &PyDict::new());
        let loops = format!(
            "{}x{}",
            "{% for a in b %}".repeat(n.min(95)),
            "{% endfor %}".repeat(n.min(95))
        );
        let _ = jinja::render(&loops, &PyDict::new());
    }
    // Unbounded recursion through a macro, and a recursive loop over deep data.
    let recursion =
        "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(100000) }}";
    assert!(jinja::render(recursion, &PyDict::new()).is_err());
    let walk = "{% for x in [[[[[[1]]]]]] recursive %}{% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}{% endif %}{% endfor %}";
    assert_eq!(jinja::render(walk, &PyDict::new()).unwrap(), "1");
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

/// A render outcome against jinja's result (an outcome the corpus does not give passes).
fn same_render(
    want: Option<Result<&PyValue, ()>>,
    got: &Result<String, jinja::JinjaError>,
) -> bool {
    match (want, got) {
        (Some(Ok(PyValue::Str(text))), Ok(g)) => text == g,
        (None, _) | (Some(Err(())), Err(_)) => true,
        _ => false,
    }
}

fn same_names(want: Option<Result<&PyValue, ()>>, got: &Result<Vec<String>, String>) -> bool {
    match (want, got) {
        (Some(Ok(list)), Ok(g)) => string_list(list) == *g,
        (None, _) | (Some(Err(())), Err(_)) => true,
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
        // (a prompt whose template fails to render does not load; its values are given)
        let object = read_json(&dir.join(file));
        match kind.as_str() {
            "PromptTemplate"
                if get(&object, "engine").and_then(PyValue::as_str) == Some("jinja") =>
            {
                found += 1;
                check_template(&mut tally, file, &line, &object);
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
