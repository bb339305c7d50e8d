//! Searching messages: the matcher behind memor's `Session.search(query, use_regex, case_sensitive)`.
//!
//! memor 1.4 compiles `re.compile(query if use_regex else re.escape(query), 0 if case_sensitive
//! else re.IGNORECASE)` and keeps the messages whose STRING render has `pattern.search(text)`.
//! [`Query`] is that compiled pattern: build it once with [`Query::new`], then ask
//! [`Query::is_match`] (or [`Query::try_is_match`]) for each rendered text.
//!
//! How Python's `re` is reproduced:
//!
//! - Literal queries (`use_regex == false`) never reach a regex engine: a case-sensitive one is a
//!   `memchr::memmem` search, a case-insensitive one compares code point by code point the way
//!   `_sre` compares an escaped literal under `re.IGNORECASE` (simple lower case, plus the extra
//!   equivalences of `re._casefix`; `'İ'` matches `'i'`, `'ß'` matches `'ẞ'`, nothing changes
//!   length). A regex whose parse is nothing but literals takes the same path.
//! - Regular expressions are parsed by a reimplementation of CPython 3.11's `re._parser` (same
//!   grammar, same errors, same positions, same quirks, such as `{` being a literal when it does
//!   not start a valid repeat, or `a|b` becoming a character set), then checked as
//!   `re._compiler` checks them (fixed-width look-behinds, ...), then translated to a
//!   [`fancy_regex`] pattern in which every character test is spelled out explicitly: `\w`, `\d`
//!   and `\s` become Python's own Unicode classes, and case-insensitive literals and sets become
//!   the exact sets of characters `_sre` accepts (including its `LITERAL_UNI_IGNORE` /
//!   `IN_UNI_IGNORE` quirks). The engine never applies case folding or Unicode classes of its own.
//! - `$` is "end, or before a final `\n`", `\Z` is the very end, `.` excludes `\n`, `^`/`$`
//!   under `(?m)` are line anchors, `\b`/`\B` use Python's `\w` (and never match in an empty
//!   text, like `_sre`).
//! - Case-insensitive backreferences compare `lower(a) == lower(b)` as `_sre` does: the text is
//!   lowered (character by character, so positions do not move) and the pattern, whose every
//!   character test is then provably unaffected by lowering, is matched against it.
//!
//! Speed: fancy-regex hands a pattern to regex-automata's automata unless it needs its own
//! backtracking VM (backreferences, look-arounds, atomic groups, conditionals, and — in
//! fancy-regex 0.17 — every `\b`). So `\b`/`\B` whose outcome the pattern decides (next to
//! characters known to be word or non-word characters, e.g. `\bword\b`, `\b[a-z]{5}\b`,
//! `(?:ing|ed)\b`) are rewritten into plain character tests, and a pattern that still needs the
//! VM is first tried as a cheap superset (backreferences replaced by their group's pattern,
//! look-arounds dropped...) that rules most texts out without it.
//!
//! What cannot be reproduced is refused with [`SearchErrorKind::Unsupported`] (never a silently
//! different answer): `\N{...}` named characters (no Unicode name table here), a
//! case-insensitive backreference in a pattern that also has parts that tell a character from
//! its lower case (case-sensitive or ASCII-only), and patterns the engine cannot compile (groups
//! nested more than about 60 deep, automata over 128 MB).

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::sync::{Arc, OnceLock};

use memchr::memmem;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// A compiled search query: what `Session.search(query, use_regex, case_sensitive)` matches.
///
/// Cheap to clone (the compiled form is shared) and `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Query {
    inner: Arc<QueryInner>,
}

#[derive(Debug)]
struct QueryInner {
    query: String,
    use_regex: bool,
    case_sensitive: bool,
    matcher: Matcher,
    warnings: Vec<PythonWarning>,
}

/// A warning Python's `re` emits while compiling a pattern (e.g. `FutureWarning: Possible nested
/// set at position 1`). Python shows it only the first time it compiles the pattern (`re` caches
/// compiled patterns) and only if the warning filters let it through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonWarning {
    /// The warning class: `"FutureWarning"` or `"DeprecationWarning"`.
    pub category: &'static str,
    /// `str(warning)`.
    pub message: String,
}

/// Why a query was rejected, or why a text could not be searched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SearchError {
    kind: SearchErrorKind,
    message: String,
    position: Option<usize>,
}

/// The kind of a [`SearchError`], which tells which Python exception (if any) it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchErrorKind {
    /// An invalid regular expression: Python raises `re.error`.
    Invalid,
    /// Python raises `OverflowError` (a repeat count of 2**32 - 1 or more).
    Overflow,
    /// Python raises `ValueError` (incompatible flags such as `(?a)(?u)`).
    Value,
    /// Python raises `RecursionError` (groups nested about 500 deep).
    Recursion,
    /// Python accepts the pattern but this port cannot reproduce its meaning exactly.
    Unsupported,
    /// The regex engine gave up while matching (backtracking limit); Python would keep going.
    Runtime,
}

impl SearchError {
    fn new(kind: SearchErrorKind, message: impl Into<String>, position: Option<usize>) -> Self {
        Self {
            kind,
            message: message.into(),
            position,
        }
    }

    fn unsupported(message: impl Into<String>) -> Self {
        Self::new(SearchErrorKind::Unsupported, message, None)
    }

    /// What went wrong.
    pub fn kind(&self) -> SearchErrorKind {
        self.kind
    }

    /// The message: for Python's errors, `str(exception)` as CPython 3.11 words it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For `re.error`, the index (in code points) Python reports in the pattern, if any.
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// The Python exception class this error stands for (`"re.error"`, `"OverflowError"`,
    /// `"ValueError"`, `"RecursionError"`), or `None` when Python would not raise.
    pub fn python_class(&self) -> Option<&'static str> {
        match self.kind {
            SearchErrorKind::Invalid => Some("re.error"),
            SearchErrorKind::Overflow => Some("OverflowError"),
            SearchErrorKind::Value => Some("ValueError"),
            SearchErrorKind::Recursion => Some("RecursionError"),
            SearchErrorKind::Unsupported | SearchErrorKind::Runtime => None,
        }
    }
}

impl Query {
    /// Compiles `query` as memor's `Session.search` does: a regular expression (Python `re`
    /// syntax) when `use_regex`, else a literal; case-insensitive (`re.IGNORECASE`) unless
    /// `case_sensitive`.
    ///
    /// Fails when Python's `re.compile` would fail (same exception class, same message), or with
    /// [`SearchErrorKind::Unsupported`] when Python accepts the pattern but this port cannot
    /// reproduce it exactly.
    pub fn new(query: &str, use_regex: bool, case_sensitive: bool) -> Result<Self, SearchError> {
        let (matcher, warnings) = if use_regex {
            compile_regex(query, case_sensitive)?
        } else {
            (Matcher::literal(query, case_sensitive), Vec::new())
        };
        Ok(Self {
            inner: Arc::new(QueryInner {
                query: query.to_owned(),
                use_regex,
                case_sensitive,
                matcher,
                warnings,
            }),
        })
    }

    /// Whether `pattern.search(text)` finds a match.
    ///
    /// When the engine gives up (see [`Query::try_is_match`]) this answers `false`.
    pub fn is_match(&self, text: &str) -> bool {
        self.try_is_match(text).unwrap_or(false)
    }

    /// Whether `pattern.search(text)` finds a match, or [`SearchErrorKind::Runtime`] when the
    /// backtracking engine (used for backreferences, look-arounds, atomic groups...) exceeds its
    /// step limit, where Python would keep going.
    pub fn try_is_match(&self, text: &str) -> Result<bool, SearchError> {
        self.inner.matcher.is_match(text)
    }

    /// The query as given.
    pub fn as_str(&self) -> &str {
        &self.inner.query
    }

    /// Whether the query is a regular expression.
    pub fn use_regex(&self) -> bool {
        self.inner.use_regex
    }

    /// Whether the query is case-sensitive.
    pub fn case_sensitive(&self) -> bool {
        self.inner.case_sensitive
    }

    /// The warnings Python's `re` emits when it compiles this pattern.
    pub fn warnings(&self) -> &[PythonWarning] {
        &self.inner.warnings
    }
}

// ---------------------------------------------------------------------------------------------
// Matchers
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
enum Matcher {
    /// The empty pattern: matches every text.
    Everything,
    /// Never matches (a literal that cannot occur in a Rust string, such as a lone surrogate).
    Nothing,
    /// Case-sensitive literal.
    Literal(Box<memmem::Finder<'static>>),
    /// Case-insensitive literal, compared as `_sre` does.
    Folded(FoldedLiteral),
    /// Anything else.
    Regex(Box<RegexMatcher>),
}

impl Matcher {
    fn literal(query: &str, case_sensitive: bool) -> Self {
        if query.is_empty() {
            Self::Everything
        } else if case_sensitive {
            Self::Literal(Box::new(memmem::Finder::new(query.as_bytes()).into_owned()))
        } else {
            Self::Folded(FoldedLiteral::new(query.chars().map(u32::from)))
        }
    }

    fn is_match(&self, text: &str) -> Result<bool, SearchError> {
        Ok(match self {
            Self::Everything => true,
            Self::Nothing => false,
            Self::Literal(finder) => finder.find(text.as_bytes()).is_some(),
            Self::Folded(folded) => folded.is_match(text),
            Self::Regex(regex) => return regex.is_match(text),
        })
    }
}

/// One code point of a case-insensitive literal: `_sre`'s `LITERAL` (uncased character),
/// `LITERAL_UNI_IGNORE` (compare the text's lower case) or `IN_UNI_IGNORE` (the lower case is one
/// of `re._casefix`'s equivalents).
#[derive(Clone, Copy, Debug)]
struct FoldedChar {
    exact: bool,
    keys: [u32; 3],
    len: usize,
}

impl FoldedChar {
    fn new(c: u32) -> Self {
        if !py_iscased(c) {
            return Self {
                exact: true,
                keys: [c, 0, 0],
                len: 1,
            };
        }
        let lo = py_lower(c);
        let mut keys = [lo, 0, 0];
        let mut len = 1;
        for &other in extra_cases(lo) {
            if let Some(slot) = keys.get_mut(len) {
                *slot = other;
                len += 1;
            }
        }
        Self {
            exact: false,
            keys,
            len,
        }
    }

    fn keys(&self) -> &[u32] {
        self.keys.get(..self.len).unwrap_or(&[])
    }

    #[inline]
    fn matches(&self, t: char) -> bool {
        let t = u32::from(t);
        let key = if self.exact { t } else { py_lower(t) };
        self.keys().contains(&key)
    }

    /// The ASCII character an ASCII text must hold here (lower case), if any can match.
    fn ascii(&self) -> Option<u8> {
        self.keys().iter().find(|&&k| k < 0x80).map(|&k| k as u8)
    }

    /// Every character that matches.
    fn matching_set(&self) -> CharSet {
        let keys = CharSet::from_points(self.keys().iter().copied());
        if self.exact {
            keys
        } else {
            keys.preimage(CaseMode::Unicode)
        }
    }
}

#[derive(Debug)]
struct FoldedLiteral {
    chars: Vec<FoldedChar>,
    /// A finder for `ascii`, ignoring ASCII case.
    ascii_finder: Option<AsciiNoCase>,
    /// Every character of the needle matches only ASCII characters: then the ASCII finder is
    /// exact on any text (non-ASCII bytes never match), and no ASCII check of the text is needed.
    ascii_only: bool,
    /// UTF-8 lead bytes of the characters the first code point matches, when there are few.
    lead: Vec<u8>,
}

impl FoldedLiteral {
    fn new(code_points: impl Iterator<Item = u32>) -> Self {
        let chars: Vec<FoldedChar> = code_points.map(FoldedChar::new).collect();
        let ascii = chars
            .iter()
            .map(FoldedChar::ascii)
            .collect::<Option<Vec<u8>>>();
        let mut lead = Vec::new();
        if let Some(first) = chars.first() {
            let set = first.matching_set();
            if set.len() <= 8 {
                for c in set.iter().filter_map(char::from_u32) {
                    let mut buf = [0; 4];
                    let byte = c.encode_utf8(&mut buf).as_bytes().first().copied();
                    if let Some(byte) = byte
                        && !lead.contains(&byte)
                    {
                        lead.push(byte);
                    }
                }
            }
            if lead.len() > 3 {
                lead.clear();
            }
        }
        let ascii_finder = ascii.as_deref().map(AsciiNoCase::new);
        let ascii_only = chars
            .iter()
            .all(|c| c.matching_set().iter().all(|p| p < 0x80));
        Self {
            chars,
            ascii_finder,
            ascii_only,
            lead,
        }
    }

    fn is_match(&self, text: &str) -> bool {
        if self.chars.is_empty() {
            return true;
        }
        if self.ascii_only
            && let Some(finder) = &self.ascii_finder
        {
            return finder.is_match(text.as_bytes());
        }
        if text.is_ascii() {
            return self
                .ascii_finder
                .as_ref()
                .is_some_and(|finder| finder.is_match(text.as_bytes()));
        }
        let check = |i: usize| text.get(i..).is_some_and(|rest| self.matches_at(rest));
        let bytes = text.as_bytes();
        match *self.lead.as_slice() {
            [a] => memchr::memchr_iter(a, bytes).any(check),
            [a, b] => memchr::memchr2_iter(a, b, bytes).any(check),
            [a, b, c] => memchr::memchr3_iter(a, b, c, bytes).any(check),
            _ => text.char_indices().any(|(i, _)| check(i)),
        }
    }

    fn matches_at(&self, text: &str) -> bool {
        let mut chars = text.chars();
        self.chars
            .iter()
            .all(|pattern| chars.next().is_some_and(|t| pattern.matches(t)))
    }
}

/// How common a byte is in text, from 0 (rare) up; letters of both cases rank alike, since
/// both are searched for.
fn byte_frequency(b: u8) -> u8 {
    const LETTERS: &[u8] = b"zqxjkvbpygfwmucldrhsnioate";
    match b.to_ascii_lowercase() {
        b' ' => 40,
        l @ b'a'..=b'z' => {
            let rank = LETTERS.iter().position(|&c| c == l).unwrap_or(0);
            10 + rank as u8
        }
        b'0'..=b'9' | b'\n' | b',' | b'.' => 9,
        0x80..=0xff => 5,
        _ => 3,
    }
}

/// An ASCII case-insensitive substring search.
///
/// Needles of two bytes or more are found by a pair of their bytes, as memchr's `memmem` does:
/// the rarest byte and the rarest one at least half the needle away (bytes of one word tend to
/// come together; bytes further apart filter better), compared with ASCII case folded
/// (`| 0x20`, which can only let more through) over 32 starting positions at a time, in a loop
/// the compiler vectorizes; each starting position where both match is checked in full.
/// Needles without such a pair (one byte, or three with the rarest in the middle) are found with
/// `memchr` on both cases of their rarest byte. When checks turn out to be common
/// for the distance covered, the rest of the text goes to an Aho-Corasick automaton, so the
/// search stays linear.
#[derive(Debug)]
struct AsciiNoCase {
    /// The needle, lower-case.
    needle: Vec<u8>,
    /// The position of the rarest byte in the needle, and that byte in both cases.
    rare: usize,
    rare_bytes: (u8, u8),
    /// Two positions of the needle far enough apart and their bytes folded with `| 0x20`.
    pair: Option<Pair>,
    /// The linear fallback (absent only if the automaton could not be built).
    automaton: Option<aho_corasick::AhoCorasick>,
}

#[derive(Clone, Copy, Debug)]
struct Pair {
    first: (usize, u8),
    second: (usize, u8),
}

/// How many starting positions the pair search compares at once.
const WINDOW: usize = 32;

/// The 32 bytes of `hay` from `at`.
fn window(hay: &[u8], at: usize) -> Option<&[u8; WINDOW]> {
    hay.get(at..at + WINDOW)?.try_into().ok()
}

/// Whether some position holds `fa` in `a` and `fb` in `b`, case folded (no early exit, so
/// the comparison is vectorized).
fn any_pair(a: &[u8; WINDOW], fa: u8, b: &[u8; WINDOW], fb: u8) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (&x, &y)| {
        acc | (u8::from(x | 0x20 == fa) & u8::from(y | 0x20 == fb))
    }) != 0
}

impl AsciiNoCase {
    fn new(needle: &[u8]) -> Self {
        let automaton = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([needle])
            .ok();
        let rarest = |far_from: Option<usize>| {
            needle
                .iter()
                .enumerate()
                .filter(|&(i, _)| far_from.is_none_or(|r| 2 * i.abs_diff(r) >= needle.len()))
                .min_by_key(|&(i, &b)| (byte_frequency(b), std::cmp::Reverse(i)))
                .map(|(i, &b)| (i, b))
        };
        let (rare, b) = rarest(None).unwrap_or((0, 0));
        let pair = rarest(Some(rare))
            .filter(|&(i, _)| i != rare)
            .map(|(i, second)| Pair {
                first: (rare, b | 0x20),
                second: (i, second | 0x20),
            });
        Self {
            needle: needle.to_ascii_lowercase(),
            rare,
            rare_bytes: (b.to_ascii_lowercase(), b.to_ascii_uppercase()),
            pair,
            automaton,
        }
    }

    fn is_match(&self, hay: &[u8]) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        match self.pair {
            Some(pair) => self.is_match_pair(hay, pair),
            None => self.is_match_rare(hay),
        }
    }

    /// Whether the needle starts at `start`.
    fn at(&self, hay: &[u8], start: usize) -> bool {
        hay.get(start..start + self.needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(&self.needle))
    }

    /// The rest of `hay` from `from`, through the automaton (when checks are too common).
    fn finish_with_automaton(&self, hay: &[u8], from: usize) -> Option<bool> {
        let automaton = self.automaton.as_ref()?;
        Some(hay.get(from..).is_some_and(|h| automaton.is_match(h)))
    }

    fn is_match_pair(&self, hay: &[u8], pair: Pair) -> bool {
        let n = self.needle.len();
        let ((i, fi), (j, fj)) = (pair.first, pair.second);
        // The last window, which overlaps the one before it; shorter texts go byte by byte.
        let Some(last) = (hay.len() + 1).checked_sub(WINDOW + n) else {
            return (0..=hay.len().saturating_sub(n)).any(|s| {
                hay.get(s + i).is_some_and(|&x| x | 0x20 == fi)
                    && hay.get(s + j).is_some_and(|&y| y | 0x20 == fj)
                    && self.at(hay, s)
            });
        };
        let mut start = 0;
        // Bytes compared by full checks so far; past twice the distance covered, the
        // automaton takes over.
        let mut work = 0usize;
        loop {
            let (Some(a), Some(b)) = (window(hay, start + i), window(hay, start + j)) else {
                return false;
            };
            if any_pair(a, fi, b, fj) {
                for (k, (&x, &y)) in a.iter().zip(b).enumerate() {
                    if x | 0x20 == fi && y | 0x20 == fj {
                        if self.at(hay, start + k) {
                            return true;
                        }
                        work += n;
                    }
                }
                if work > 2 * (start + WINDOW) + 1024
                    && let Some(found) = self.finish_with_automaton(hay, start + WINDOW)
                {
                    return found;
                }
            }
            if start == last {
                return false;
            }
            start = (start + WINDOW).min(last);
        }
    }

    fn is_match_rare(&self, hay: &[u8]) -> bool {
        let (lo, up) = self.rare_bytes;
        let check = |at: usize| at.checked_sub(self.rare).is_some_and(|s| self.at(hay, s));
        let mut misses = 0usize;
        for at in memchr::memchr2_iter(lo, up, hay) {
            if check(at) {
                return true;
            }
            misses += 1;
            // Too many false candidates for the distance covered: finish with the automaton
            // (any match starting before `back` was ruled out).
            if misses > 16
                && misses * 32 > at
                && let Some(found) =
                    self.finish_with_automaton(hay, (at + 1).saturating_sub(self.needle.len()))
            {
                return found;
            }
        }
        false
    }
}

/// How a text is lowered before matching (for case-insensitive backreferences).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lowering {
    None,
    Ascii,
    Unicode,
}

#[derive(Debug)]
struct RegexMatcher {
    /// For patterns that need the backtracking VM: a pattern matching at least wherever the
    /// real one does, that the engine runs without it (a cheap way to say no).
    prefilter: Option<fancy_regex::Regex>,
    /// The pattern with the engine's own `\b`/`\B` (exact unless the text holds a character on
    /// which its `\w` and Python's disagree).
    fast: fancy_regex::Regex,
    /// The pattern with `\b`/`\B` spelled out with Python's `\w`, when it has Unicode ones.
    exact: Option<fancy_regex::Regex>,
    /// The answer for the empty text (where `_sre`'s `\b` and `\B` always fail).
    empty: bool,
    lowering: Lowering,
}

impl RegexMatcher {
    fn is_match(&self, text: &str) -> Result<bool, SearchError> {
        if text.is_empty() {
            return Ok(self.empty);
        }
        let text = match self.lowering {
            Lowering::None => Cow::Borrowed(text),
            Lowering::Ascii => {
                if text.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(text.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(text)
                }
            }
            Lowering::Unicode => lower_text(text),
        };
        if let Some(prefilter) = &self.prefilter
            && !prefilter.is_match(&text).unwrap_or(true)
        {
            return Ok(false);
        }
        let regex = match &self.exact {
            Some(exact) if has_disputed_word_char(&text) => exact,
            _ => &self.fast,
        };
        regex.is_match(&text).map_err(|e| {
            SearchError::new(
                SearchErrorKind::Runtime,
                format!("the regex engine gave up: {e}"),
                None,
            )
        })
    }
}

/// `text` with every character replaced by `_sre`'s lower case (one character each).
fn lower_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| py_lower(u32::from(c)) == u32::from(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| char::from_u32(py_lower(u32::from(c))).unwrap_or(c))
            .collect(),
    )
}

fn has_disputed_word_char(text: &str) -> bool {
    !text.is_ascii()
        && text
            .chars()
            .any(|c| !c.is_ascii() && in_ranges(tables::WORD_DISPUTED, u32::from(c)))
}

/// How much backtracking the engine may do per text before giving up.
const BACKTRACK_LIMIT: usize = 10_000_000;

/// How large (in bytes) the engine's automata may grow; Python's counted repeats cost nothing,
/// the engine's are unrolled (`\\w{1000}` needs about 40 MB).
const DELEGATE_SIZE_LIMIT: usize = 128 << 20;

/// Patterns nested deeper than this are compiled on a thread with a large stack (Python accepts
/// nearly 500 levels; parsing and translating recurse once per level).
const SHALLOW_NESTING: usize = 40;

/// Stack for compiling deeply nested patterns.
const DEEP_STACK: usize = 256 << 20;

fn compile_regex(
    query: &str,
    case_sensitive: bool,
) -> Result<(Matcher, Vec<PythonWarning>), SearchError> {
    if query.matches('(').count() <= SHALLOW_NESTING {
        return compile_regex_here(query, case_sensitive);
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("memor-search-compile".to_owned())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || compile_regex_here(query, case_sensitive))
            .map_err(|e| {
                SearchError::unsupported(format!("cannot compile a deeply nested pattern: {e}"))
            })?
            .join()
            .unwrap_or_else(|_| {
                Err(SearchError::unsupported(
                    "cannot compile this deeply nested pattern",
                ))
            })
    })
}

fn compile_regex_here(
    query: &str,
    case_sensitive: bool,
) -> Result<(Matcher, Vec<PythonWarning>), SearchError> {
    let flags = if case_sensitive { 0 } else { FLAG_I };
    let parsed = parse_pattern(query, flags)?;
    let warnings = parsed.warnings.clone();

    // Nothing but literals: no regex engine needed.
    if parsed.flags & FLAG_A == 0 || parsed.flags & FLAG_I == 0 {
        let literals: Option<Vec<u32>> = parsed
            .nodes
            .iter()
            .map(|node| {
                if let Node::Literal(c) = node {
                    Some(*c)
                } else {
                    None
                }
            })
            .collect();
        if let Some(literals) = literals {
            let matcher = if literals.is_empty() {
                Matcher::Everything
            } else if literals.iter().any(|&c| char::from_u32(c).is_none()) {
                Matcher::Nothing
            } else if parsed.flags & FLAG_I == 0 {
                let text: String = literals.iter().filter_map(|&c| char::from_u32(c)).collect();
                Matcher::literal(&text, true)
            } else {
                Matcher::Folded(FoldedLiteral::new(literals.into_iter()))
            };
            return Ok((matcher, warnings));
        }
    }

    let nodes = rewrite_boundaries(&parsed.nodes, parsed.flags, true);
    let mut info = Analysis::default();
    info.walk(&nodes, parsed.flags);
    if info.backref_i_unicode || info.backref_i_ascii {
        info = Analysis {
            check_closure: true,
            ..Analysis::default()
        };
        info.walk(&nodes, parsed.flags);
    }
    // Case-insensitive backreferences compare lower cases: match against the lowered text, which
    // is exact when no other part of the pattern can tell a character from its lower case.
    let lowering = if info.backref_i_unicode {
        if info.not_closed_unicode
            || info.ascii_boundary
            || info.backref_i_ascii
            || info.backref_case_sensitive
        {
            return Err(SearchError::unsupported(
                "a case-insensitive backreference is not supported in a pattern that also \
                 tells characters from their lower case (case-sensitive or ASCII-only parts)",
            ));
        }
        Lowering::Unicode
    } else if info.backref_i_ascii {
        if info.not_closed_ascii || info.backref_case_sensitive {
            return Err(SearchError::unsupported(
                "a case-insensitive backreference is not supported in a pattern that also \
                 tells characters from their lower case (case-sensitive parts)",
            ));
        }
        Lowering::Ascii
    } else {
        Lowering::None
    };

    let widths = &parsed.groupwidths;
    let fast = emit(&nodes, parsed.flags, widths, WordMode::Native, None);
    let prefilter = if fast.hard {
        let mut groups = Vec::new();
        collect_groups(&nodes, parsed.flags, &mut groups);
        let superset = emit(
            &nodes,
            parsed.flags,
            widths,
            WordMode::Native,
            Some(&groups),
        );
        // Optional: without it, every text goes to the backtracking VM.
        build_regex(&superset.pattern).ok()
    } else {
        None
    };
    let exact = if info.unicode_boundary {
        Some(build_regex(
            &emit(&nodes, parsed.flags, widths, WordMode::Exact, None).pattern,
        )?)
    } else {
        None
    };
    let fast = build_regex(&fast.pattern)?;
    // `_sre`'s `\b` and `\B` never hold in an empty text.
    let mut original = Analysis::default();
    original.walk(&parsed.nodes, parsed.flags);
    let empty = if original.any_boundary {
        build_regex(&emit(&parsed.nodes, parsed.flags, widths, WordMode::Never, None).pattern)?
            .is_match("")
    } else {
        fast.is_match("")
    };
    let empty =
        empty.map_err(|e| SearchError::unsupported(format!("the regex engine gave up: {e}")))?;
    Ok((
        Matcher::Regex(Box::new(RegexMatcher {
            prefilter,
            fast,
            exact,
            empty,
            lowering,
        })),
        warnings,
    ))
}

fn build_regex(pattern: &str) -> Result<fancy_regex::Regex, SearchError> {
    fancy_regex::RegexBuilder::new(pattern)
        .backtrack_limit(BACKTRACK_LIMIT)
        .delegate_size_limit(DELEGATE_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            SearchError::unsupported(format!("the regex engine cannot compile this pattern: {e}"))
        })
}

// ---------------------------------------------------------------------------------------------
// Python's `re` parser (a reimplementation of CPython 3.11 `re/_parser.py` and the checks of
// `re/_compiler.py`)
// ---------------------------------------------------------------------------------------------

const FLAG_TEMPLATE: u32 = 1;
const FLAG_I: u32 = 2;
const FLAG_L: u32 = 4;
const FLAG_M: u32 = 8;
const FLAG_S: u32 = 16;
const FLAG_U: u32 = 32;
const FLAG_X: u32 = 64;
const FLAG_DEBUG: u32 = 128;
const FLAG_A: u32 = 256;
const TYPE_FLAGS: u32 = FLAG_A | FLAG_L | FLAG_U;
const GLOBAL_FLAGS: u32 = FLAG_DEBUG | FLAG_TEMPLATE;

/// `_sre.MAXREPEAT`: an unbounded repeat.
const MAXREPEAT: u32 = u32::MAX;
/// `_sre.MAXGROUPS`.
const MAXGROUPS: usize = 1_073_741_823;
/// `re._parser.MAXWIDTH`.
const MAXWIDTH: u128 = 1 << 64;
/// `re._compiler.MAXCODE`.
const MAXCODE: u128 = (1 << 32) - 1;
/// Nesting depth at which CPython 3.11 runs out of recursion while parsing.
const MAX_DEPTH: usize = 496;

fn flag_of(c: char) -> Option<u32> {
    Some(match c {
        'i' => FLAG_I,
        'L' => FLAG_L,
        'm' => FLAG_M,
        's' => FLAG_S,
        'x' => FLAG_X,
        'a' => FLAG_A,
        't' => FLAG_TEMPLATE,
        'u' => FLAG_U,
        _ => return None,
    })
}

#[derive(Clone, Debug)]
enum Node {
    Literal(u32),
    NotLiteral(u32),
    Any,
    In(Vec<SetItem>),
    At(At),
    Branch(Vec<Vec<Node>>),
    Group {
        group: Option<usize>,
        add: u32,
        del: u32,
        body: Vec<Node>,
    },
    Repeat {
        kind: RepeatKind,
        min: u32,
        max: u32,
        body: Vec<Node>,
    },
    Atomic(Vec<Node>),
    GroupRef(usize),
    GroupRefExists {
        group: usize,
        yes: Vec<Node>,
        no: Option<Vec<Node>>,
    },
    Assert {
        behind: bool,
        negate: bool,
        body: Vec<Node>,
    },
    /// Internal (a decided `\b` at an end of the pattern): one character of `set`, or the start
    /// or end of the text when `edge` says so.
    Consume {
        set: CharSet,
        edge: Option<Edge>,
    },
    /// Internal (a `\b` that can never hold): never matches.
    Fail,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edge {
    Start,
    End,
}

impl Node {
    /// Python's `==` on two `(op, av)` items (sub-patterns compare by identity, so never equal).
    fn py_eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Literal(a), Self::Literal(b)) | (Self::NotLiteral(a), Self::NotLiteral(b)) => {
                a == b
            }
            (Self::Any, Self::Any) => true,
            (Self::In(a), Self::In(b)) => a == b,
            (Self::At(a), Self::At(b)) => a == b,
            (Self::GroupRef(a), Self::GroupRef(b)) => a == b,
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum SetItem {
    Negate,
    Literal(u32),
    Range(u32, u32),
    Category(Category),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Category {
    Digit,
    NotDigit,
    Space,
    NotSpace,
    Word,
    NotWord,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Beginning,
    End,
    BeginningString,
    EndString,
    Boundary,
    NonBoundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RepeatKind {
    Greedy,
    Lazy,
    Possessive,
}

/// A token: a character, or a backslash and the character after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Ch(char),
    Esc(char),
}

impl Tok {
    fn len(self) -> usize {
        match self {
            Self::Ch(_) => 1,
            Self::Esc(_) => 2,
        }
    }

    fn text(self) -> String {
        match self {
            Self::Ch(c) => c.to_string(),
            Self::Esc(c) => format!("\\{c}"),
        }
    }

    fn is_alpha(self) -> bool {
        matches!(self, Self::Ch(c) if c.is_alphabetic())
    }
}

fn format_re_error(msg: &str, pattern: &[char], pos: usize) -> String {
    let mut text = format!("{msg} at position {pos}");
    if pattern.contains(&'\n') {
        let before = pattern.get(..pos.min(pattern.len())).unwrap_or(&[]);
        let line = before.iter().filter(|&&c| c == '\n').count() + 1;
        let column = before
            .iter()
            .rposition(|&c| c == '\n')
            .map_or(pos + 1, |i| pos - i);
        let _ = write!(text, " (line {line}, column {column})");
    }
    text
}

fn re_error_at(msg: &str, pattern: &[char], pos: usize) -> SearchError {
    SearchError::new(
        SearchErrorKind::Invalid,
        format_re_error(msg, pattern, pos),
        Some(pos),
    )
}

fn re_error(msg: impl Into<String>) -> SearchError {
    SearchError::new(SearchErrorKind::Invalid, msg, None)
}

struct Tokenizer {
    chars: Vec<char>,
    index: usize,
    next: Option<Tok>,
}

impl Tokenizer {
    fn new(pattern: &str) -> Result<Self, SearchError> {
        let mut tokenizer = Self {
            chars: pattern.chars().collect(),
            index: 0,
            next: None,
        };
        tokenizer.advance()?;
        Ok(tokenizer)
    }

    fn advance(&mut self) -> Result<(), SearchError> {
        let mut index = self.index;
        let Some(&c) = self.chars.get(index) else {
            self.next = None;
            return Ok(());
        };
        let tok = if c == '\\' {
            index += 1;
            let Some(&e) = self.chars.get(index) else {
                let pos = self.chars.len().saturating_sub(1);
                return Err(re_error_at("bad escape (end of pattern)", &self.chars, pos));
            };
            Tok::Esc(e)
        } else {
            Tok::Ch(c)
        };
        self.index = index + 1;
        self.next = Some(tok);
        Ok(())
    }

    fn matches(&mut self, c: char) -> Result<bool, SearchError> {
        if self.next == Some(Tok::Ch(c)) {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn get(&mut self) -> Result<Option<Tok>, SearchError> {
        let this = self.next;
        self.advance()?;
        Ok(this)
    }

    fn next_is(&self, pred: impl Fn(char) -> bool) -> bool {
        matches!(self.next, Some(Tok::Ch(c)) if pred(c))
    }

    fn getwhile(&mut self, n: usize, pred: impl Fn(char) -> bool) -> Result<String, SearchError> {
        let mut result = String::new();
        for _ in 0..n {
            match self.next {
                Some(Tok::Ch(c)) if pred(c) => {
                    result.push(c);
                    self.advance()?;
                }
                _ => break,
            }
        }
        Ok(result)
    }

    fn getuntil(&mut self, terminator: char, name: &str) -> Result<String, SearchError> {
        let mut result = String::new();
        let mut len = 0;
        loop {
            let c = self.next;
            self.advance()?;
            match c {
                None => {
                    if len == 0 {
                        return Err(self.error(&format!("missing {name}"), 0));
                    }
                    return Err(
                        self.error(&format!("missing {terminator}, unterminated name"), len)
                    );
                }
                Some(Tok::Ch(t)) if t == terminator => {
                    if len == 0 {
                        return Err(self.error(&format!("missing {name}"), 1));
                    }
                    return Ok(result);
                }
                Some(tok) => {
                    result.push_str(&tok.text());
                    len += tok.len();
                }
            }
        }
    }

    fn tell(&self) -> usize {
        self.index - self.next.map_or(0, Tok::len)
    }

    fn seek(&mut self, index: usize) -> Result<(), SearchError> {
        self.index = index;
        self.advance()
    }

    fn error(&self, msg: &str, offset: usize) -> SearchError {
        self.error_at(msg, self.tell().saturating_sub(offset))
    }

    fn error_at(&self, msg: &str, pos: usize) -> SearchError {
        re_error_at(msg, &self.chars, pos)
    }
}

type Width = (u128, u128);

#[derive(Default)]
struct State {
    flags: u32,
    groupdict: std::collections::HashMap<String, usize>,
    groupwidths: Vec<Option<Width>>,
    lookbehindgroups: Option<usize>,
    /// Forward references of conditionals, in order, with their positions.
    grouprefpos: Vec<(usize, usize)>,
    grouprefs: std::collections::HashSet<usize>,
}

impl State {
    fn groups(&self) -> usize {
        self.groupwidths.len()
    }

    fn group_named(&self, name: &str) -> Option<usize> {
        self.groupdict.get(name).copied()
    }

    fn checkgroup(&self, gid: usize) -> bool {
        matches!(self.groupwidths.get(gid), Some(Some(_)))
    }
}

/// The result of parsing: the pattern, its global flags, its groups' widths, and the warnings.
struct Parsed {
    nodes: Vec<Node>,
    flags: u32,
    groupwidths: Vec<Option<Width>>,
    warnings: Vec<PythonWarning>,
}

struct Parser {
    tok: Tokenizer,
    state: State,
    warnings: Vec<PythonWarning>,
    depth: usize,
}

/// `re.compile(pattern, flags)` up to (and including) the checks `_compiler` makes.
fn parse_pattern(pattern: &str, flags: u32) -> Result<Parsed, SearchError> {
    let mut parser = Parser {
        tok: Tokenizer::new(pattern)?,
        state: State {
            flags,
            groupwidths: vec![None],
            ..State::default()
        },
        warnings: Vec::new(),
        depth: 0,
    };
    let nodes = parser.parse_sub(flags & FLAG_X != 0, 0)?;
    let mut flags = parser.state.flags;
    if flags & FLAG_L != 0 {
        return Err(SearchError::new(
            SearchErrorKind::Value,
            "cannot use LOCALE flag with a str pattern",
            None,
        ));
    }
    if flags & FLAG_A == 0 {
        flags |= FLAG_U;
    } else if flags & FLAG_U != 0 {
        return Err(SearchError::new(
            SearchErrorKind::Value,
            "ASCII and UNICODE flags are incompatible",
            None,
        ));
    }
    if parser.tok.next.is_some() {
        return Err(parser.tok.error("unbalanced parenthesis", 0));
    }
    for &(group, pos) in &parser.state.grouprefpos {
        if group >= parser.state.groups() {
            return Err(parser
                .tok
                .error_at(&format!("invalid group reference {group}"), pos));
        }
    }
    let groupwidths = std::mem::take(&mut parser.state.groupwidths);
    check_compile(&nodes, flags, &groupwidths)?;
    Ok(Parsed {
        nodes,
        flags,
        groupwidths,
        warnings: parser.warnings,
    })
}

fn is_verbose_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn is_octal(c: char) -> bool {
    matches!(c, '0'..='7')
}

fn parse_radix(digits: &str, radix: u32) -> u32 {
    digits
        .chars()
        .filter_map(|c| c.to_digit(radix))
        .fold(0u32, |acc, d| acc.saturating_mul(radix).saturating_add(d))
}

/// `int(digits)` for a repeat bound (ASCII digits), or `OverflowError` from `MAXREPEAT` on.
fn repeat_count(digits: &str) -> Result<u32, SearchError> {
    let value = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .fold(0u64, |acc, d| {
            acc.saturating_mul(10).saturating_add(u64::from(d))
        });
    match u32::try_from(value) {
        Ok(v) if v < MAXREPEAT => Ok(v),
        _ => Err(SearchError::new(
            SearchErrorKind::Overflow,
            "the repetition number is too large",
            None,
        )),
    }
}

/// A character-class escape: a literal or a category.
#[derive(Clone, Copy)]
enum ClassCode {
    Lit(u32),
    Cat(Category),
}

impl ClassCode {
    fn item(self) -> SetItem {
        match self {
            Self::Lit(c) => SetItem::Literal(c),
            Self::Cat(c) => SetItem::Category(c),
        }
    }
}

fn category_of(c: char) -> Option<Category> {
    Some(match c {
        'd' => Category::Digit,
        'D' => Category::NotDigit,
        's' => Category::Space,
        'S' => Category::NotSpace,
        'w' => Category::Word,
        'W' => Category::NotWord,
        _ => return None,
    })
}

fn simple_escape(c: char) -> Option<u32> {
    Some(match c {
        'a' => 7,
        'b' => 8,
        'f' => 12,
        'n' => 10,
        'r' => 13,
        't' => 9,
        'v' => 11,
        '\\' => 92,
        _ => return None,
    })
}

impl Parser {
    fn warn(&mut self, category: &'static str, message: String) {
        self.warnings.push(PythonWarning { category, message });
    }

    fn parse_sub(&mut self, verbose: bool, nested: usize) -> Result<Vec<Node>, SearchError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SearchError::new(
                SearchErrorKind::Recursion,
                "maximum recursion depth exceeded while parsing the pattern",
                None,
            ));
        }
        let result = self.parse_sub_inner(verbose, nested);
        self.depth -= 1;
        result
    }

    fn parse_sub_inner(&mut self, verbose: bool, nested: usize) -> Result<Vec<Node>, SearchError> {
        let mut verbose = verbose;
        let mut items: Vec<Vec<Node>> = Vec::new();
        loop {
            let first = nested == 0 && items.is_empty();
            items.push(self.parse(verbose, nested + 1, first)?);
            if !self.tok.matches('|')? {
                break;
            }
            if nested == 0 {
                verbose = self.state.flags & FLAG_X != 0;
            }
        }
        if items.len() == 1 {
            return Ok(items.pop().unwrap_or_default());
        }
        let mut sub = Vec::new();
        // Move a prefix common to every alternative out of the branch.
        let shortest = items.iter().map(Vec::len).min().unwrap_or(0);
        let common = (0..shortest)
            .take_while(|&k| {
                let head = items.first().and_then(|item| item.get(k));
                head.is_some_and(|head| {
                    items
                        .iter()
                        .all(|item| item.get(k).is_some_and(|n| n.py_eq(head)))
                })
            })
            .count();
        if common > 0 {
            if let Some(first) = items.first() {
                sub.extend(first.iter().take(common).cloned());
            }
            for item in &mut items {
                item.drain(..common);
            }
        }
        // A branch of single characters and sets is a set.
        let mut set = Vec::new();
        let mut all_sets = true;
        for item in &items {
            match item.as_slice() {
                [Node::Literal(c)] => set.push(SetItem::Literal(*c)),
                [Node::In(items)] if items.first() != Some(&SetItem::Negate) => {
                    set.extend(items.iter().copied());
                }
                _ => {
                    all_sets = false;
                    break;
                }
            }
        }
        if all_sets {
            sub.push(Node::In(uniq(set)));
        } else {
            sub.push(Node::Branch(items));
        }
        Ok(sub)
    }

    fn parse(
        &mut self,
        verbose: bool,
        nested: usize,
        first: bool,
    ) -> Result<Vec<Node>, SearchError> {
        let mut verbose = verbose;
        let mut sub: Vec<Node> = Vec::new();
        while let Some(this) = self.tok.next {
            if matches!(this, Tok::Ch('|' | ')')) {
                break;
            }
            self.tok.advance()?;
            if verbose && let Tok::Ch(c) = this {
                if is_verbose_space(c) {
                    continue;
                }
                if c == '#' {
                    while !matches!(self.tok.get()?, None | Some(Tok::Ch('\n'))) {}
                    continue;
                }
            }
            match this {
                Tok::Esc(c) => {
                    let node = self.escape(c)?;
                    sub.push(node);
                }
                Tok::Ch('[') => {
                    let node = self.parse_class()?;
                    sub.push(node);
                }
                Tok::Ch(c @ ('*' | '+' | '?' | '{')) => self.parse_repeat(c, &mut sub)?,
                Tok::Ch('.') => sub.push(Node::Any),
                Tok::Ch('(') => self.parse_paren(&mut sub, &mut verbose, nested, first)?,
                Tok::Ch('^') => sub.push(Node::At(At::Beginning)),
                Tok::Ch('$') => sub.push(Node::At(At::End)),
                Tok::Ch(c) => sub.push(Node::Literal(u32::from(c))),
            }
        }
        // Unpack non-capturing groups without flags.
        let mut out = Vec::with_capacity(sub.len());
        for node in sub {
            match node {
                Node::Group {
                    group: None,
                    add: 0,
                    del: 0,
                    body,
                } => out.extend(body),
                other => out.push(other),
            }
        }
        Ok(out)
    }

    fn parse_class(&mut self) -> Result<Node, SearchError> {
        let here = self.tok.tell() - 1;
        if self.tok.next == Some(Tok::Ch('[')) {
            let message = format!("Possible nested set at position {}", self.tok.tell());
            self.warn("FutureWarning", message);
        }
        let negate = self.tok.matches('^')?;
        let mut set: Vec<SetItem> = Vec::new();
        loop {
            let Some(this) = self.tok.get()? else {
                return Err(self.tok.error_at("unterminated character set", here));
            };
            if this == Tok::Ch(']') && !set.is_empty() {
                break;
            }
            let code1 = match this {
                Tok::Esc(c) => self.class_escape(c)?,
                Tok::Ch(c) => {
                    if !set.is_empty()
                        && matches!(c, '-' | '&' | '~' | '|')
                        && self.tok.next == Some(Tok::Ch(c))
                    {
                        let what = match c {
                            '-' => "difference",
                            '&' => "intersection",
                            '~' => "symmetric difference",
                            _ => "union",
                        };
                        let message =
                            format!("Possible set {what} at position {}", self.tok.tell() - 1);
                        self.warn("FutureWarning", message);
                    }
                    ClassCode::Lit(u32::from(c))
                }
            };
            if self.tok.matches('-')? {
                let Some(that) = self.tok.get()? else {
                    return Err(self.tok.error_at("unterminated character set", here));
                };
                if that == Tok::Ch(']') {
                    set.push(code1.item());
                    set.push(SetItem::Literal(u32::from('-')));
                    break;
                }
                let code2 = match that {
                    Tok::Esc(c) => self.class_escape(c)?,
                    Tok::Ch(c) => {
                        if c == '-' {
                            let message = format!(
                                "Possible set difference at position {}",
                                self.tok.tell() - 2
                            );
                            self.warn("FutureWarning", message);
                        }
                        ClassCode::Lit(u32::from(c))
                    }
                };
                let bad = || {
                    let msg = format!("bad character range {}-{}", this.text(), that.text());
                    self.tok.error(&msg, this.len() + 1 + that.len())
                };
                let (ClassCode::Lit(lo), ClassCode::Lit(hi)) = (code1, code2) else {
                    return Err(bad());
                };
                if hi < lo {
                    return Err(bad());
                }
                set.push(SetItem::Range(lo, hi));
            } else {
                set.push(code1.item());
            }
        }
        let mut set = uniq(set);
        if let [SetItem::Literal(c)] = *set.as_slice() {
            return Ok(if negate {
                Node::NotLiteral(c)
            } else {
                Node::Literal(c)
            });
        }
        if negate {
            set.insert(0, SetItem::Negate);
        }
        Ok(Node::In(set))
    }

    fn parse_repeat(&mut self, this: char, sub: &mut Vec<Node>) -> Result<(), SearchError> {
        let here = self.tok.tell();
        let (min, max) = match this {
            '?' => (0, 1),
            '*' => (0, MAXREPEAT),
            '+' => (1, MAXREPEAT),
            _ => {
                if self.tok.next == Some(Tok::Ch('}')) {
                    sub.push(Node::Literal(u32::from('{')));
                    return Ok(());
                }
                let lo = self.getwhile_all(|c| c.is_ascii_digit())?;
                let hi = if self.tok.matches(',')? {
                    self.getwhile_all(|c| c.is_ascii_digit())?
                } else {
                    lo.clone()
                };
                if !self.tok.matches('}')? {
                    sub.push(Node::Literal(u32::from('{')));
                    self.tok.seek(here)?;
                    return Ok(());
                }
                let mut min = 0;
                let mut max = MAXREPEAT;
                if !lo.is_empty() {
                    min = repeat_count(&lo)?;
                }
                if !hi.is_empty() {
                    max = repeat_count(&hi)?;
                    if max < min {
                        return Err(self
                            .tok
                            .error("min repeat greater than max repeat", self.tok.tell() - here));
                    }
                }
                (min, max)
            }
        };
        let pos = here - 1;
        match sub.last() {
            None | Some(Node::At(_)) => return Err(self.tok.error_at("nothing to repeat", pos)),
            Some(Node::Repeat { .. }) => return Err(self.tok.error_at("multiple repeat", pos)),
            Some(_) => {}
        }
        let body = match sub.pop() {
            Some(Node::Group {
                group: None,
                add: 0,
                del: 0,
                body,
            }) => body,
            Some(other) => vec![other],
            None => Vec::new(),
        };
        let kind = if self.tok.matches('?')? {
            RepeatKind::Lazy
        } else if self.tok.matches('+')? {
            RepeatKind::Possessive
        } else {
            RepeatKind::Greedy
        };
        sub.push(Node::Repeat {
            kind,
            min,
            max,
            body,
        });
        Ok(())
    }

    fn getwhile_all(&mut self, pred: impl Fn(char) -> bool) -> Result<String, SearchError> {
        let mut result = String::new();
        while let Some(Tok::Ch(c)) = self.tok.next {
            if !pred(c) {
                break;
            }
            result.push(c);
            self.tok.advance()?;
        }
        Ok(result)
    }

    fn check_group_name(&self, name: &str, offset: usize) -> Result<(), SearchError> {
        if is_identifier(name) {
            Ok(())
        } else {
            let msg = format!("bad character in group name {}", py_repr(name));
            Err(self.tok.error(&msg, name.chars().count() + offset))
        }
    }

    fn check_lookbehind_group(&self, gid: usize) -> Result<(), SearchError> {
        if let Some(lookbehind) = self.state.lookbehindgroups {
            if !self.state.checkgroup(gid) {
                return Err(self.tok.error("cannot refer to an open group", 0));
            }
            if gid >= lookbehind {
                return Err(self.tok.error(
                    "cannot refer to group defined in the same lookbehind subpattern",
                    0,
                ));
            }
        }
        Ok(())
    }

    fn parse_paren(
        &mut self,
        sub: &mut Vec<Node>,
        verbose: &mut bool,
        nested: usize,
        first: bool,
    ) -> Result<(), SearchError> {
        let start = self.tok.tell() - 1;
        let mut capture = true;
        let mut atomic = false;
        let mut name: Option<String> = None;
        let mut add = 0;
        let mut del = 0;
        if self.tok.matches('?')? {
            let Some(ch) = self.tok.get()? else {
                return Err(self.tok.error("unexpected end of pattern", 0));
            };
            match ch {
                Tok::Ch('P') => {
                    if self.tok.matches('<')? {
                        let n = self.tok.getuntil('>', "group name")?;
                        self.check_group_name(&n, 1)?;
                        name = Some(n);
                    } else if self.tok.matches('=')? {
                        let n = self.tok.getuntil(')', "group name")?;
                        self.check_group_name(&n, 1)?;
                        let offset = n.chars().count() + 1;
                        let Some(gid) = self.state.group_named(&n) else {
                            return Err(self
                                .tok
                                .error(&format!("unknown group name {}", py_repr(&n)), offset));
                        };
                        if !self.state.checkgroup(gid) {
                            return Err(self.tok.error("cannot refer to an open group", offset));
                        }
                        self.check_lookbehind_group(gid)?;
                        sub.push(Node::GroupRef(gid));
                        return Ok(());
                    } else {
                        let Some(ch) = self.tok.get()? else {
                            return Err(self.tok.error("unexpected end of pattern", 0));
                        };
                        return Err(self
                            .tok
                            .error(&format!("unknown extension ?P{}", ch.text()), ch.len() + 2));
                    }
                }
                Tok::Ch(':') => capture = false,
                Tok::Ch('#') => {
                    loop {
                        if self.tok.next.is_none() {
                            return Err(self
                                .tok
                                .error_at("missing ), unterminated comment", start));
                        }
                        if self.tok.get()? == Some(Tok::Ch(')')) {
                            break;
                        }
                    }
                    return Ok(());
                }
                Tok::Ch(c @ ('=' | '!' | '<')) => {
                    let mut kind = c;
                    let mut behind = false;
                    let mut saved = None;
                    if c == '<' {
                        let Some(ch) = self.tok.get()? else {
                            return Err(self.tok.error("unexpected end of pattern", 0));
                        };
                        let Tok::Ch(k @ ('=' | '!')) = ch else {
                            return Err(self.tok.error(
                                &format!("unknown extension ?<{}", ch.text()),
                                ch.len() + 2,
                            ));
                        };
                        kind = k;
                        behind = true;
                        saved = Some(self.state.lookbehindgroups);
                        if self.state.lookbehindgroups.is_none() {
                            self.state.lookbehindgroups = Some(self.state.groups());
                        }
                    }
                    let body = self.parse_sub(*verbose, nested + 1)?;
                    if let Some(None) = saved {
                        self.state.lookbehindgroups = None;
                    }
                    if !self.tok.matches(')')? {
                        return Err(self
                            .tok
                            .error_at("missing ), unterminated subpattern", start));
                    }
                    sub.push(Node::Assert {
                        behind,
                        negate: kind == '!',
                        body,
                    });
                    return Ok(());
                }
                Tok::Ch('(') => return self.parse_conditional(sub, *verbose, nested, start),
                Tok::Ch('>') => {
                    capture = false;
                    atomic = true;
                }
                Tok::Ch(c) if flag_of(c).is_some() || c == '-' => match self.parse_flags(c)? {
                    None => {
                        if !first || !sub.is_empty() {
                            return Err(self.tok.error_at(
                                "global flags not at the start of the expression",
                                start,
                            ));
                        }
                        *verbose = self.state.flags & FLAG_X != 0;
                        return Ok(());
                    }
                    Some((a, d)) => {
                        add = a;
                        del = d;
                        capture = false;
                    }
                },
                other => {
                    return Err(self.tok.error(
                        &format!("unknown extension ?{}", other.text()),
                        other.len() + 1,
                    ));
                }
            }
        }
        let group = if capture {
            let gid = self.state.groups();
            if let Some(n) = &name {
                if let Some(old) = self.state.group_named(n) {
                    let msg = format!(
                        "redefinition of group name {} as group {gid}; was group {old}",
                        py_repr(n)
                    );
                    return Err(self.tok.error(&msg, n.chars().count() + 1));
                }
                self.state.groupdict.insert(n.clone(), gid);
            }
            self.state.groupwidths.push(None);
            Some(gid)
        } else {
            None
        };
        let sub_verbose = (*verbose || add & FLAG_X != 0) && del & FLAG_X == 0;
        let body = self.parse_sub(sub_verbose, nested + 1)?;
        if !self.tok.matches(')')? {
            return Err(self
                .tok
                .error_at("missing ), unterminated subpattern", start));
        }
        if let Some(gid) = group {
            let w = width(&body, &self.state.groupwidths);
            if let Some(slot) = self.state.groupwidths.get_mut(gid) {
                *slot = Some(w);
            }
        }
        if atomic {
            sub.push(Node::Atomic(body));
        } else {
            sub.push(Node::Group {
                group,
                add,
                del,
                body,
            });
        }
        Ok(())
    }

    fn parse_conditional(
        &mut self,
        sub: &mut Vec<Node>,
        verbose: bool,
        nested: usize,
        start: usize,
    ) -> Result<(), SearchError> {
        let condname = self.tok.getuntil(')', "group name")?;
        let len = condname.chars().count();
        let condgroup = if is_identifier(&condname) {
            let Some(gid) = self.state.group_named(&condname) else {
                let msg = format!("unknown group name {}", py_repr(&condname));
                return Err(self.tok.error(&msg, len + 1));
            };
            gid
        } else {
            let bad = || {
                let msg = format!("bad character in group name {}", py_repr(&condname));
                self.tok.error(&msg, len + 1)
            };
            let Some(digits) = py_int_non_negative(&condname) else {
                return Err(bad());
            };
            if digits == "0" {
                return Err(self.tok.error("bad group number", len + 1));
            }
            let gid = if digits.len() > 10 {
                usize::MAX
            } else {
                digits.parse::<usize>().unwrap_or(usize::MAX)
            };
            if gid >= MAXGROUPS {
                return Err(self
                    .tok
                    .error(&format!("invalid group reference {digits}"), len + 1));
            }
            let pos = self.tok.tell().saturating_sub(len + 1);
            if self.state.grouprefs.insert(gid) {
                self.state.grouprefpos.push((gid, pos));
            }
            if !(condname.chars().all(|c| c.is_ascii_digit())) {
                let message = format!(
                    "bad character in group name {} at position {pos}",
                    py_repr(&condname)
                );
                self.warn("DeprecationWarning", message);
            }
            gid
        };
        self.check_lookbehind_group(condgroup)?;
        let yes = self.parse(verbose, nested + 1, false)?;
        let no = if self.tok.matches('|')? {
            let no = self.parse(verbose, nested + 1, false)?;
            if self.tok.next == Some(Tok::Ch('|')) {
                return Err(self
                    .tok
                    .error("conditional backref with more than two branches", 0));
            }
            Some(no)
        } else {
            None
        };
        if !self.tok.matches(')')? {
            return Err(self
                .tok
                .error_at("missing ), unterminated subpattern", start));
        }
        sub.push(Node::GroupRefExists {
            group: condgroup,
            yes,
            no,
        });
        Ok(())
    }

    /// `_parse_flags`: `None` for global flags (`(?i)`), else the flags of a scoped group.
    fn parse_flags(&mut self, first: char) -> Result<Option<(u32, u32)>, SearchError> {
        let mut add = 0;
        let mut del = 0;
        let mut ch = Tok::Ch(first);
        if first != '-' {
            while let Tok::Ch(c) = ch {
                let flag = flag_of(c).unwrap_or(0);
                if c == 'L' {
                    return Err(self.tok.error(
                        "bad inline flags: cannot use 'L' flag with a str pattern",
                        0,
                    ));
                }
                add |= flag;
                if flag & TYPE_FLAGS != 0 && add & TYPE_FLAGS != flag {
                    return Err(self.tok.error(
                        "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                        0,
                    ));
                }
                let Some(next) = self.tok.get()? else {
                    return Err(self.tok.error("missing -, : or )", 0));
                };
                ch = next;
                if matches!(next, Tok::Ch(')' | '-' | ':')) {
                    break;
                }
                if !matches!(next, Tok::Ch(c) if flag_of(c).is_some()) {
                    let msg = if next.is_alpha() {
                        "unknown flag"
                    } else {
                        "missing -, : or )"
                    };
                    return Err(self.tok.error(msg, next.len()));
                }
            }
        }
        if ch == Tok::Ch(')') {
            self.state.flags |= add;
            return Ok(None);
        }
        if add & GLOBAL_FLAGS != 0 {
            return Err(self
                .tok
                .error("bad inline flags: cannot turn on global flag", 1));
        }
        if ch == Tok::Ch('-') {
            let Some(next) = self.tok.get()? else {
                return Err(self.tok.error("missing flag", 0));
            };
            if !matches!(next, Tok::Ch(c) if flag_of(c).is_some()) {
                let msg = if next.is_alpha() {
                    "unknown flag"
                } else {
                    "missing flag"
                };
                return Err(self.tok.error(msg, next.len()));
            }
            ch = next;
            while let Tok::Ch(c) = ch {
                let flag = flag_of(c).unwrap_or(0);
                if flag & TYPE_FLAGS != 0 {
                    return Err(self.tok.error(
                        "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                        0,
                    ));
                }
                del |= flag;
                let Some(next) = self.tok.get()? else {
                    return Err(self.tok.error("missing :", 0));
                };
                if next == Tok::Ch(':') {
                    break;
                }
                if !matches!(next, Tok::Ch(c) if flag_of(c).is_some()) {
                    let msg = if next.is_alpha() {
                        "unknown flag"
                    } else {
                        "missing :"
                    };
                    return Err(self.tok.error(msg, next.len()));
                }
                ch = next;
            }
        }
        if del & GLOBAL_FLAGS != 0 {
            return Err(self
                .tok
                .error("bad inline flags: cannot turn off global flag", 1));
        }
        if add & del != 0 {
            return Err(self
                .tok
                .error("bad inline flags: flag turned on and off", 1));
        }
        Ok(Some((add, del)))
    }

    /// The escapes `\x`, `\u`, `\U` and `\N`, common to both contexts.
    fn code_escape(&mut self, c: char) -> Result<Option<u32>, SearchError> {
        let digits = match c {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            'N' => {
                if !self.tok.matches('{')? {
                    return Err(self.tok.error("missing {", 0));
                }
                let name = self.tok.getuntil('}', "character name")?;
                // Unicode names (and aliases, which `unicodedata.lookup` matches ignoring case)
                // use letters, digits, spaces and hyphens only; anything else is undefined.
                let plausible = name.len() <= 256
                    && name.starts_with(|c: char| c.is_ascii_alphabetic())
                    && name.ends_with(|c: char| c.is_ascii_alphanumeric())
                    && !name.contains("  ")
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
                if !plausible {
                    let msg = format!("undefined character name {}", py_repr(&name));
                    return Err(self.tok.error(&msg, name.chars().count() + 4));
                }
                return Err(SearchError::unsupported(format!(
                    "named character escapes (\\N{{{name}}}) are not supported"
                )));
            }
            _ => return Ok(None),
        };
        let hex = self.tok.getwhile(digits, |h| h.is_ascii_hexdigit())?;
        let escape = format!("\\{c}{hex}");
        let len = escape.chars().count();
        if hex.len() != digits {
            return Err(self.tok.error(&format!("incomplete escape {escape}"), len));
        }
        let value = parse_radix(&hex, 16);
        if value > 0x10_FFFF {
            return Err(self.tok.error(&format!("bad escape {escape}"), len));
        }
        Ok(Some(value))
    }

    /// `_escape`: an escape outside a character class.
    fn escape(&mut self, c: char) -> Result<Node, SearchError> {
        match c {
            'A' => return Ok(Node::At(At::BeginningString)),
            'b' => return Ok(Node::At(At::Boundary)),
            'B' => return Ok(Node::At(At::NonBoundary)),
            'Z' => return Ok(Node::At(At::EndString)),
            _ => {}
        }
        if let Some(cat) = category_of(c) {
            return Ok(Node::In(vec![SetItem::Category(cat)]));
        }
        if let Some(v) = simple_escape(c) {
            return Ok(Node::Literal(v));
        }
        if let Some(v) = self.code_escape(c)? {
            return Ok(Node::Literal(v));
        }
        if c == '0' {
            let digits = self.tok.getwhile(2, is_octal)?;
            return Ok(Node::Literal(parse_radix(&digits, 8)));
        }
        if c.is_ascii_digit() {
            let mut escape = c.to_string();
            if self.tok.next_is(|d| d.is_ascii_digit())
                && let Some(Tok::Ch(d)) = self.tok.get()?
            {
                escape.push(d);
                if is_octal(c) && is_octal(d) && self.tok.next_is(is_octal) {
                    if let Some(Tok::Ch(e)) = self.tok.get()? {
                        escape.push(e);
                    }
                    let value = parse_radix(&escape, 8);
                    if value > 0o377 {
                        let msg = format!("octal escape value \\{escape} outside of range 0-0o377");
                        return Err(self.tok.error(&msg, escape.len() + 1));
                    }
                    return Ok(Node::Literal(value));
                }
            }
            let group = parse_radix(&escape, 10) as usize;
            if group < self.state.groups() {
                if !self.state.checkgroup(group) {
                    return Err(self
                        .tok
                        .error("cannot refer to an open group", escape.len() + 1));
                }
                self.check_lookbehind_group(group)?;
                return Ok(Node::GroupRef(group));
            }
            return Err(self
                .tok
                .error(&format!("invalid group reference {group}"), escape.len()));
        }
        if c.is_ascii_alphabetic() {
            return Err(self.tok.error(&format!("bad escape \\{c}"), 2));
        }
        Ok(Node::Literal(u32::from(c)))
    }

    /// `_class_escape`: an escape inside a character class.
    fn class_escape(&mut self, c: char) -> Result<ClassCode, SearchError> {
        if let Some(v) = simple_escape(c) {
            return Ok(ClassCode::Lit(v));
        }
        if let Some(cat) = category_of(c) {
            return Ok(ClassCode::Cat(cat));
        }
        if let Some(v) = self.code_escape(c)? {
            return Ok(ClassCode::Lit(v));
        }
        if is_octal(c) {
            let digits = self.tok.getwhile(2, is_octal)?;
            let escape = format!("{c}{digits}");
            let value = parse_radix(&escape, 8);
            if value > 0o377 {
                let msg = format!("octal escape value \\{escape} outside of range 0-0o377");
                return Err(self.tok.error(&msg, escape.len() + 1));
            }
            return Ok(ClassCode::Lit(value));
        }
        if c.is_ascii_alphanumeric() {
            return Err(self.tok.error(&format!("bad escape \\{c}"), 2));
        }
        Ok(ClassCode::Lit(u32::from(c)))
    }
}

fn uniq(items: Vec<SetItem>) -> Vec<SetItem> {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items
        .into_iter()
        .filter(|item| seen.insert(*item))
        .collect()
}

/// `str.isidentifier()`, approximated outside ASCII with Rust's Unicode properties.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start =
        |c: char| c == '_' || c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic());
    start(first)
        && chars.all(|c| {
            start(c)
                || c.is_ascii_digit()
                || (!c.is_ascii() && (c.is_alphanumeric() || is_py_word(u32::from(c))))
        })
}

/// `int(text)` for a non-negative integer: its decimal digits (ASCII, no leading zeros), or `None`
/// when Python's `int()` rejects it or it is negative.
fn py_int_non_negative(text: &str) -> Option<String> {
    let trimmed: &str = text.trim_matches(|c: char| in_ranges(tables::PY_SPACE, u32::from(c)));
    let (negative, body) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let mut digits = String::new();
    let mut previous_underscore = true;
    for c in body.chars() {
        if c == '_' {
            if previous_underscore {
                return None;
            }
            previous_underscore = true;
            continue;
        }
        let value = decimal_value(c)?;
        digits.push(char::from(b'0' + value));
        previous_underscore = false;
    }
    if digits.is_empty() || previous_underscore {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() {
        "0".to_owned()
    } else {
        digits.to_owned()
    };
    if negative && digits != "0" {
        return None;
    }
    Some(digits)
}

/// The value of a Unicode decimal digit (`\d`), whose blocks run from 0 to 9.
fn decimal_value(c: char) -> Option<u8> {
    let c = u32::from(c);
    let (pairs, _) = tables::PY_DIGIT.as_chunks::<2>();
    let i = pairs.partition_point(|&[start, _]| start <= c);
    let &[start, end] = pairs.get(i.checked_sub(1)?)?;
    (start..=end).contains(&c).then(|| ((c - start) % 10) as u8)
}

/// `repr(text)` as Python writes it (printability approximated outside ASCII).
fn py_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        let code = u32::from(c);
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if code < 0x20 || code == 0x7f => {
                let _ = write!(out, "\\x{code:02x}");
            }
            _ if c.is_ascii() || is_printable(c) => out.push(c),
            _ if code <= 0xff => {
                let _ = write!(out, "\\x{code:02x}");
            }
            _ if code <= 0xffff => {
                let _ = write!(out, "\\u{code:04x}");
            }
            _ => {
                let _ = write!(out, "\\U{code:08x}");
            }
        }
    }
    out.push(quote);
    out
}

/// `str.isprintable()` for one non-ASCII character, approximately (control, separator, format
/// and private-use characters are not printable).
fn is_printable(c: char) -> bool {
    let code = u32::from(c);
    let format_or_private = matches!(
        code,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x13438
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
            | 0xE000..=0xF8FF
            | 0xF_0000..=0x10_FFFF
    );
    !(c.is_control() || c.is_whitespace() || format_or_private)
}

/// `SubPattern.getwidth()`: the minimum and maximum number of characters matched.
fn width(nodes: &[Node], groupwidths: &[Option<Width>]) -> Width {
    let mut lo: u128 = 0;
    let mut hi: u128 = 0;
    for node in nodes {
        match node {
            Node::Branch(items) => {
                let mut i = MAXWIDTH;
                let mut j = 0;
                for item in items {
                    let (l, h) = width(item, groupwidths);
                    i = i.min(l);
                    j = j.max(h);
                }
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Node::Atomic(body) | Node::Group { body, .. } => {
                let (i, j) = width(body, groupwidths);
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Node::Repeat { min, max, body, .. } => {
                let (i, j) = width(body, groupwidths);
                lo = lo.saturating_add(i.saturating_mul(u128::from(*min)));
                if *max == MAXREPEAT && j != 0 {
                    hi = MAXWIDTH;
                } else {
                    hi = hi.saturating_add(j.saturating_mul(u128::from(*max)));
                }
            }
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In(_) => {
                lo = lo.saturating_add(1);
                hi = hi.saturating_add(1);
            }
            Node::GroupRef(g) => {
                let (i, j) = groupwidths.get(*g).copied().flatten().unwrap_or((0, 0));
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Node::GroupRefExists { yes, no, .. } => {
                let (mut i, mut j) = width(yes, groupwidths);
                if let Some(no) = no {
                    let (l, h) = width(no, groupwidths);
                    i = i.min(l);
                    j = j.max(h);
                } else {
                    i = 0;
                }
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Node::Consume { edge, .. } => {
                lo = lo.saturating_add(u128::from(edge.is_none()));
                hi = hi.saturating_add(1);
            }
            Node::At(_) | Node::Assert { .. } | Node::Fail => {}
        }
    }
    (lo.min(MAXWIDTH), hi.min(MAXWIDTH))
}

fn combine_flags(flags: u32, add: u32, del: u32) -> u32 {
    let flags = if add & TYPE_FLAGS != 0 {
        flags & !TYPE_FLAGS
    } else {
        flags
    };
    (flags | add) & !del
}

/// The errors `re._compiler._compile` raises on a parsed pattern.
fn check_compile(
    nodes: &[Node],
    flags: u32,
    groupwidths: &[Option<Width>],
) -> Result<(), SearchError> {
    for node in nodes {
        match node {
            Node::Repeat { kind, body, .. } => {
                if flags & FLAG_TEMPLATE != 0 {
                    let op = match kind {
                        RepeatKind::Greedy => "MAX_REPEAT",
                        RepeatKind::Lazy => "MIN_REPEAT",
                        RepeatKind::Possessive => "POSSESSIVE_REPEAT",
                    };
                    return Err(re_error(format!(
                        "internal: unsupported template operator {op}"
                    )));
                }
                check_compile(body, flags, groupwidths)?;
            }
            Node::Group { add, del, body, .. } => {
                check_compile(body, combine_flags(flags, *add, *del), groupwidths)?;
            }
            Node::Atomic(body) => check_compile(body, flags, groupwidths)?,
            Node::Assert { behind, body, .. } => {
                if *behind {
                    let (lo, hi) = width(body, groupwidths);
                    if lo > MAXCODE {
                        return Err(re_error("looks too much behind"));
                    }
                    if lo != hi {
                        return Err(re_error("look-behind requires fixed-width pattern"));
                    }
                }
                check_compile(body, flags, groupwidths)?;
            }
            Node::Branch(items) => {
                for item in items {
                    check_compile(item, flags, groupwidths)?;
                }
            }
            Node::GroupRefExists { yes, no, .. } => {
                check_compile(yes, flags, groupwidths)?;
                if let Some(no) = no {
                    check_compile(no, flags, groupwidths)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Deciding word boundaries statically
// ---------------------------------------------------------------------------------------------

/// The characters a match of `nodes` can start (or, with `last`, end) with — a superset — and
/// whether the match can be empty.
fn edge_chars(nodes: &[Node], flags: u32, last: bool) -> (CharSet, bool) {
    let mut acc = CharSet::default();
    let mut step = |node: &Node| {
        let (set, nullable) = node_edge_chars(node, flags, last);
        acc = acc.union(&set);
        nullable
    };
    let nullable = if last {
        nodes.iter().rev().all(&mut step)
    } else {
        nodes.iter().all(&mut step)
    };
    (acc, nullable)
}

fn node_edge_chars(node: &Node, flags: u32, last: bool) -> (CharSet, bool) {
    let everything = || CharSet {
        ranges: vec![(0, MAX_CHAR)],
    };
    match node {
        Node::Literal(c) => (literal_set(*c, flags), false),
        Node::NotLiteral(c) => (literal_set(*c, flags).complement(), false),
        Node::In(items) => (class_set(items, flags), false),
        Node::Any if flags & FLAG_S != 0 => (everything(), false),
        Node::Any => (
            CharSet::from_points(std::iter::once(10)).complement(),
            false,
        ),
        Node::At(_) | Node::Assert { .. } => (CharSet::default(), true),
        Node::Branch(items) => {
            let mut acc = CharSet::default();
            let mut nullable = false;
            for item in items {
                let (set, n) = edge_chars(item, flags, last);
                acc = acc.union(&set);
                nullable |= n;
            }
            (acc, nullable)
        }
        Node::Group { add, del, body, .. } => {
            edge_chars(body, combine_flags(flags, *add, *del), last)
        }
        Node::Repeat { min, max, body, .. } => {
            if *max == 0 {
                return (CharSet::default(), true);
            }
            let (set, nullable) = edge_chars(body, flags, last);
            (set, nullable || *min == 0)
        }
        Node::Atomic(body) => edge_chars(body, flags, last),
        Node::GroupRef(_) => (everything(), true),
        Node::GroupRefExists { yes, no, .. } => {
            let (set, nullable) = edge_chars(yes, flags, last);
            match no {
                Some(no) => {
                    let (other, other_nullable) = edge_chars(no, flags, last);
                    (set.union(&other), nullable || other_nullable)
                }
                None => (set, true),
            }
        }
        Node::Consume { set, edge } => (set.clone(), edge.is_some()),
        Node::Fail => (CharSet::default(), false),
    }
}

/// `Some(true)` when every character of `set` is a word character, `Some(false)` when none is.
fn wordness(set: &CharSet, word: &CharSet) -> Option<bool> {
    if set.difference(word).is_empty() {
        Some(true)
    } else if set.difference(&word.complement()).is_empty() {
        Some(false)
    } else {
        None
    }
}

/// Replaces the `\b` and `\B` whose outcome the pattern itself decides: between two characters
/// whose wordness is known (always or never true), and at the very start or end of the pattern
/// when the character inside is known (then the character outside is consumed instead: the match
/// moves by one character, which whether there is a match does not care about). What remains needs
/// the engine's backtracking VM. Look-behinds are left alone (their width must not change).
fn rewrite_boundaries(nodes: &[Node], flags: u32, top: bool) -> Vec<Node> {
    let mut out = Vec::with_capacity(nodes.len());
    let last = nodes.len().saturating_sub(1);
    for (i, node) in nodes.iter().enumerate() {
        let new = match node {
            Node::At(at @ (At::Boundary | At::NonBoundary)) => decide_boundary(
                nodes,
                i,
                *at == At::NonBoundary,
                flags,
                top && i == 0,
                top && i == last && i > 0,
            ),
            Node::Branch(items) => Some(Node::Branch(
                items
                    .iter()
                    .map(|item| rewrite_boundaries(item, flags, false))
                    .collect(),
            )),
            Node::Group {
                group,
                add,
                del,
                body,
            } => Some(Node::Group {
                group: *group,
                add: *add,
                del: *del,
                body: rewrite_boundaries(body, combine_flags(flags, *add, *del), false),
            }),
            Node::Repeat {
                kind,
                min,
                max,
                body,
            } => Some(Node::Repeat {
                kind: *kind,
                min: *min,
                max: *max,
                body: rewrite_boundaries(body, flags, false),
            }),
            Node::Atomic(body) => Some(Node::Atomic(rewrite_boundaries(body, flags, false))),
            Node::Assert {
                behind: false,
                negate,
                body,
            } => Some(Node::Assert {
                behind: false,
                negate: *negate,
                body: rewrite_boundaries(body, flags, false),
            }),
            Node::GroupRefExists { group, yes, no } => Some(Node::GroupRefExists {
                group: *group,
                yes: rewrite_boundaries(yes, flags, false),
                no: no.as_ref().map(|no| rewrite_boundaries(no, flags, false)),
            }),
            other => Some(other.clone()),
        };
        out.extend(new);
    }
    out
}

/// The replacement of the boundary at `nodes[i]`: `None` to drop it (always true), else a node.
fn decide_boundary(
    nodes: &[Node],
    i: usize,
    negated: bool,
    flags: u32,
    at_start: bool,
    at_end: bool,
) -> Option<Node> {
    let keep = Some(Node::At(if negated {
        At::NonBoundary
    } else {
        At::Boundary
    }));
    let word = category_set(Category::Word, flags & FLAG_A != 0);
    let (before, after) = (
        nodes.get(..i).unwrap_or(&[]),
        nodes.get(i + 1..).unwrap_or(&[]),
    );
    let (prev, prev_nullable) = edge_chars(before, flags, true);
    let (next, next_nullable) = edge_chars(after, flags, false);
    let prev_word = if prev_nullable {
        None
    } else {
        wordness(&prev, &word)
    };
    let next_word = if next_nullable {
        None
    } else {
        wordness(&next, &word)
    };
    match (prev_word, next_word) {
        (Some(p), Some(n)) => {
            if (p == n) == negated {
                None
            } else {
                Some(Node::Fail)
            }
        }
        (_, Some(n)) if at_start => Some(if n == negated {
            Node::Consume {
                set: word,
                edge: None,
            }
        } else {
            Node::Consume {
                set: word.complement(),
                edge: Some(Edge::Start),
            }
        }),
        (Some(p), _) if at_end => Some(if p == negated {
            Node::Consume {
                set: word,
                edge: None,
            }
        } else {
            Node::Consume {
                set: word.complement(),
                edge: Some(Edge::End),
            }
        }),
        _ => keep,
    }
}

/// Whether `nodes` matches the same strings wherever it is (no anchors, look-arounds or
/// backreferences), so that a backreference to it can be replaced by it in a superset.
fn context_free(nodes: &[Node]) -> bool {
    nodes.iter().all(|node| match node {
        Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In(_) => true,
        Node::Branch(items) => items.iter().all(|item| context_free(item)),
        Node::Group { body, .. } | Node::Repeat { body, .. } | Node::Atomic(body) => {
            context_free(body)
        }
        _ => false,
    })
}

/// The body and flags of every capture group, by group number.
type GroupBodies = [Option<(Vec<Node>, u32)>];

/// Collects [`GroupBodies`].
fn collect_groups(nodes: &[Node], flags: u32, groups: &mut Vec<Option<(Vec<Node>, u32)>>) {
    for node in nodes {
        match node {
            Node::Group {
                group,
                add,
                del,
                body,
            } => {
                let inner = combine_flags(flags, *add, *del);
                if let Some(g) = group {
                    if groups.len() <= *g {
                        groups.resize(*g + 1, None);
                    }
                    if let Some(slot) = groups.get_mut(*g) {
                        *slot = Some((body.clone(), inner));
                    }
                }
                collect_groups(body, inner, groups);
            }
            Node::Branch(items) => {
                for item in items {
                    collect_groups(item, flags, groups);
                }
            }
            Node::Repeat { body, .. } | Node::Atomic(body) | Node::Assert { body, .. } => {
                collect_groups(body, flags, groups);
            }
            Node::GroupRefExists { yes, no, .. } => {
                collect_groups(yes, flags, groups);
                if let Some(no) = no {
                    collect_groups(no, flags, groups);
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Analysis of a parsed pattern
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
#[allow(clippy::struct_excessive_bools)]
struct Analysis {
    backref_i_unicode: bool,
    backref_i_ascii: bool,
    backref_case_sensitive: bool,
    /// Whether to compute `not_closed_*` (only needed with case-insensitive backreferences).
    check_closure: bool,
    /// A character test whose answer can change when the text is lowered with Unicode rules.
    not_closed_unicode: bool,
    /// A character test whose answer can change when the text is lowered with ASCII rules.
    not_closed_ascii: bool,
    ascii_boundary: bool,
    unicode_boundary: bool,
    any_boundary: bool,
}

impl Analysis {
    fn char_test(&mut self, set: &CharSet) {
        if !self.check_closure {
            return;
        }
        self.not_closed_unicode |= !set.closed_under_lowering(CaseMode::Unicode);
        self.not_closed_ascii |= !set.closed_under_lowering(CaseMode::Ascii);
    }

    fn walk(&mut self, nodes: &[Node], flags: u32) {
        for node in nodes {
            match node {
                Node::Literal(c) => self.char_test(&literal_set(*c, flags)),
                Node::NotLiteral(c) => self.char_test(&literal_set(*c, flags).complement()),
                Node::In(items) => self.char_test(&class_set(items, flags)),
                Node::GroupRef(_) => {
                    if flags & FLAG_I == 0 {
                        self.backref_case_sensitive = true;
                    } else if flags & FLAG_A != 0 {
                        self.backref_i_ascii = true;
                    } else {
                        self.backref_i_unicode = true;
                    }
                }
                Node::At(At::Boundary | At::NonBoundary) => {
                    self.any_boundary = true;
                    if flags & FLAG_A != 0 {
                        self.ascii_boundary = true;
                    } else {
                        self.unicode_boundary = true;
                    }
                }
                Node::Consume { set, .. } => self.char_test(set),
                Node::Any | Node::At(_) | Node::Fail => {}
                Node::Branch(items) => {
                    for item in items {
                        self.walk(item, flags);
                    }
                }
                Node::Group { add, del, body, .. } => {
                    self.walk(body, combine_flags(flags, *add, *del));
                }
                Node::Repeat { body, .. } | Node::Atomic(body) | Node::Assert { body, .. } => {
                    self.walk(body, flags);
                }
                Node::GroupRefExists { yes, no, .. } => {
                    self.walk(yes, flags);
                    if let Some(no) = no {
                        self.walk(no, flags);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Character sets and `_sre`'s case rules
// ---------------------------------------------------------------------------------------------

const MAX_CHAR: u32 = 0x10_FFFF;

/// A set of code points: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct CharSet {
    ranges: Vec<(u32, u32)>,
}

impl CharSet {
    fn from_ranges(mut ranges: Vec<(u32, u32)>) -> Self {
        ranges.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            if let Some(last) = out.last_mut()
                && lo <= last.1.saturating_add(1)
            {
                last.1 = last.1.max(hi);
                continue;
            }
            out.push((lo, hi));
        }
        Self { ranges: out }
    }

    fn from_points(points: impl Iterator<Item = u32>) -> Self {
        Self::from_ranges(points.map(|c| (c, c)).collect())
    }

    fn from_table(table: &[u32]) -> Self {
        let (pairs, _) = table.as_chunks::<2>();
        Self {
            ranges: pairs.iter().map(|&[lo, hi]| (lo, hi)).collect(),
        }
    }

    fn contains(&self, c: u32) -> bool {
        let i = self.ranges.partition_point(|&(lo, _)| lo <= c);
        i.checked_sub(1)
            .and_then(|i| self.ranges.get(i))
            .is_some_and(|&(_, hi)| c <= hi)
    }

    fn union(&self, other: &Self) -> Self {
        let mut ranges = self.ranges.clone();
        ranges.extend_from_slice(&other.ranges);
        Self::from_ranges(ranges)
    }

    fn complement(&self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = 0u32;
        for &(lo, hi) in &self.ranges {
            if lo > next {
                out.push((next, lo - 1));
            }
            next = hi.saturating_add(1);
        }
        if next <= MAX_CHAR {
            out.push((next, MAX_CHAR));
        }
        Self { ranges: out }
    }

    fn difference(&self, other: &Self) -> Self {
        self.complement().union(other).complement()
    }

    fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    fn len(&self) -> u64 {
        self.ranges
            .iter()
            .map(|&(lo, hi)| u64::from(hi - lo) + 1)
            .sum()
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(lo, hi)| lo..=hi)
    }

    /// Without surrogates (which a Rust string never holds).
    fn scalar_values(&self) -> Self {
        self.difference(&Self {
            ranges: vec![(0xD800, 0xDFFF)],
        })
    }

    /// Whether `t ∈ self ⟺ lower(t) ∈ self` for every `t`.
    fn closed_under_lowering(&self, mode: CaseMode) -> bool {
        let mut closed = true;
        for_each_lower(mode, |t, lower| {
            closed &= self.contains(t) == self.contains(lower);
        });
        closed
    }

    /// `{t : fold(t) ∈ self}`, where `fold` is `_sre`'s lower case for `mode`.
    fn preimage(&self, mode: CaseMode) -> Self {
        let mut add = Vec::new();
        let mut remove = Vec::new();
        for_each_lower(mode, |t, lower| {
            let want = self.contains(lower);
            if self.contains(t) != want {
                if want { add.push(t) } else { remove.push(t) }
            }
        });
        if add.is_empty() && remove.is_empty() {
            return self.clone();
        }
        self.difference(&Self::from_points(remove.into_iter()))
            .union(&Self::from_points(add.into_iter()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseMode {
    Ascii,
    Unicode,
}

/// Calls `f(t, lower(t))` for every character whose lower case differs.
fn for_each_lower(mode: CaseMode, mut f: impl FnMut(u32, u32)) {
    match mode {
        CaseMode::Ascii => {
            for t in u32::from('A')..=u32::from('Z') {
                f(t, t + 32);
            }
        }
        CaseMode::Unicode => {
            let (runs, _) = tables::PY_LOWER.as_chunks::<4>();
            for &[start, count, stride, target] in runs {
                for k in 0..count {
                    f(start + k * stride, target + k * stride);
                }
            }
        }
    }
}

fn run_lookup(table: &[u32], c: u32) -> Option<u32> {
    let (runs, _) = table.as_chunks::<4>();
    let i = runs.partition_point(|&[start, ..]| start <= c);
    let &[start, count, stride, target] = runs.get(i.checked_sub(1)?)?;
    let offset = c - start;
    (offset.is_multiple_of(stride) && offset / stride < count).then(|| target + offset)
}

/// `_sre.unicode_tolower`.
#[inline]
fn py_lower(c: u32) -> u32 {
    if c < 0x80 {
        if (u32::from('A')..=u32::from('Z')).contains(&c) {
            c + 32
        } else {
            c
        }
    } else {
        run_lookup(tables::PY_LOWER, c).unwrap_or(c)
    }
}

/// `_PyUnicode_ToUppercase`, what `_sre` calls upper case.
fn py_upper(c: u32) -> u32 {
    run_lookup(tables::PY_UPPER, c).unwrap_or(c)
}

/// `_sre.unicode_iscased`.
fn py_iscased(c: u32) -> bool {
    py_lower(c) != c || py_upper(c) != c
}

/// `re._casefix._EXTRA_CASES.get(lower, ())`.
fn extra_cases(lower: u32) -> &'static [u32] {
    let mut rest = tables::PY_EXTRA_CASES;
    while let [key, n, tail @ ..] = rest {
        let n = *n as usize;
        if *key == lower {
            return tail.get(..n).unwrap_or(&[]);
        }
        rest = tail.get(n..).unwrap_or(&[]);
    }
    &[]
}

fn in_ranges(table: &[u32], c: u32) -> bool {
    let (pairs, _) = table.as_chunks::<2>();
    let i = pairs.partition_point(|&[lo, _]| lo <= c);
    i.checked_sub(1)
        .and_then(|i| pairs.get(i))
        .is_some_and(|&[_, hi]| c <= hi)
}

fn is_py_word(c: u32) -> bool {
    in_ranges(tables::PY_WORD, c)
}

fn category_set(category: Category, ascii: bool) -> CharSet {
    let positive = match (category, ascii) {
        (Category::Digit | Category::NotDigit, false) => CharSet::from_table(tables::PY_DIGIT),
        (Category::Space | Category::NotSpace, false) => CharSet::from_table(tables::PY_SPACE),
        (Category::Word | Category::NotWord, false) => CharSet::from_table(tables::PY_WORD),
        (Category::Digit | Category::NotDigit, true) => CharSet {
            ranges: vec![(0x30, 0x39)],
        },
        (Category::Space | Category::NotSpace, true) => CharSet {
            ranges: vec![(0x09, 0x0D), (0x20, 0x20)],
        },
        (Category::Word | Category::NotWord, true) => CharSet {
            ranges: vec![(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
        },
    };
    if matches!(
        category,
        Category::NotDigit | Category::NotSpace | Category::NotWord
    ) {
        positive.complement()
    } else {
        positive
    }
}

/// The characters a `LITERAL c` (or `NOT_LITERAL c`, complemented) accepts under `flags`.
fn literal_set(c: u32, flags: u32) -> CharSet {
    if flags & FLAG_I == 0 {
        return CharSet::from_points(std::iter::once(c));
    }
    if flags & FLAG_A != 0 {
        if !(c < 0x80 && char::from(c as u8).is_ascii_alphabetic()) {
            return CharSet::from_points(std::iter::once(c));
        }
        return CharSet::from_points(std::iter::once(c | 0x20)).preimage(CaseMode::Ascii);
    }
    FoldedChar::new(c).matching_set()
}

/// The characters an `IN` set accepts under `flags`, following `_optimize_charset` and the
/// matching of `IN` / `IN_IGNORE` / `IN_UNI_IGNORE`.
fn class_set(items: &[SetItem], flags: u32) -> CharSet {
    let icase = flags & FLAG_I != 0;
    let ascii = flags & FLAG_A != 0;
    let mode = if ascii {
        CaseMode::Ascii
    } else {
        CaseMode::Unicode
    };
    let fold = |c: u32| match mode {
        CaseMode::Ascii => {
            if (u32::from('A')..=u32::from('Z')).contains(&c) {
                c + 32
            } else {
                c
            }
        }
        CaseMode::Unicode => py_lower(c),
    };
    let iscased = |c: u32| match mode {
        CaseMode::Ascii => c < 0x80 && char::from(c as u8).is_ascii_alphabetic(),
        CaseMode::Unicode => py_iscased(c),
    };
    let mut negate = false;
    let mut hascased = false;
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut lowered: Vec<(u32, u32)> = Vec::new();
    let mut extra = CharSet::default();
    for &item in items {
        match item {
            SetItem::Negate => negate = true,
            SetItem::Category(cat) => extra = extra.union(&category_set(cat, ascii)),
            SetItem::Literal(c) if !icase => ranges.push((c, c)),
            SetItem::Range(a, b) if !icase => ranges.push((a, b)),
            SetItem::Literal(c) => {
                if c >= 0x1_0000 {
                    hascased = true;
                    ranges.push((c, c));
                } else {
                    let lo = fold(c);
                    lowered.push((lo, lo));
                    hascased |= iscased(c);
                }
            }
            SetItem::Range(a, b) => {
                let bmp_end = b.min(0xFFFF);
                if a <= bmp_end {
                    lowered.extend(lower_image(a, bmp_end, mode).ranges);
                }
                if b >= 0x1_0000 {
                    // `RANGE_UNI_IGNORE`: the lowered character or its upper case is in range.
                    hascased = true;
                    ranges.push((a, b));
                    for_each_upper(|x, upper| {
                        if (a..=b).contains(&upper) {
                            ranges.push((x, x));
                        }
                    });
                } else if !hascased {
                    hascased = (a..=b).any(&iscased);
                }
            }
        }
    }
    let mut lowered = CharSet::from_ranges(lowered);
    if mode == CaseMode::Unicode {
        let mut fixes = Vec::new();
        let mut rest = tables::PY_EXTRA_CASES;
        while let [key, n, tail @ ..] = rest {
            let n = *n as usize;
            if lowered.contains(*key) {
                fixes.extend(tail.get(..n).unwrap_or(&[]).iter().map(|&k| (k, k)));
            }
            rest = tail.get(n..).unwrap_or(&[]);
        }
        lowered = lowered.union(&CharSet::from_ranges(fixes));
    }
    let mut set = CharSet::from_ranges(ranges).union(&lowered).union(&extra);
    if negate {
        set = set.complement();
    }
    if icase && hascased {
        set.preimage(mode)
    } else {
        set
    }
}

/// `{lower(i) : a <= i <= b}`.
fn lower_image(a: u32, b: u32, mode: CaseMode) -> CharSet {
    let mut removed = Vec::new();
    let mut images = Vec::new();
    for_each_lower(mode, |t, lower| {
        if (a..=b).contains(&t) {
            removed.push(t);
            images.push(lower);
        }
    });
    CharSet {
        ranges: vec![(a, b)],
    }
    .difference(&CharSet::from_points(removed.into_iter()))
    .union(&CharSet::from_points(images.into_iter()))
}

fn for_each_upper(mut f: impl FnMut(u32, u32)) {
    let (runs, _) = tables::PY_UPPER.as_chunks::<4>();
    for &[start, count, stride, target] in runs {
        for k in 0..count {
            f(start + k * stride, target + k * stride);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Translation to fancy-regex syntax
// ---------------------------------------------------------------------------------------------

/// How `\b` and `\B` (Unicode rules) are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordMode {
    /// The engine's `\b` (its `\w` agrees with Python's except on `WORD_DISPUTED`).
    Native,
    /// Look-arounds with Python's `\w`.
    Exact,
    /// Never matches (the empty text).
    Never,
}

const NEVER: &str = r"[^\x{0}-\x{10FFFF}]";

/// A pattern in the engine's syntax, and whether the engine needs its backtracking VM for it.
struct Emitted {
    pattern: String,
    hard: bool,
}

fn emit(
    nodes: &[Node],
    flags: u32,
    groupwidths: &[Option<Width>],
    word: WordMode,
    superset: Option<&GroupBodies>,
) -> Emitted {
    let mut emitter = Emitter {
        out: String::new(),
        word,
        groupwidths,
        superset,
        hard: false,
    };
    emitter.seq(nodes, flags, true);
    Emitted {
        pattern: emitter.out,
        hard: emitter.hard,
    }
}

struct Emitter<'a> {
    out: String,
    word: WordMode,
    groupwidths: &'a [Option<Width>],
    /// When set, write a pattern that matches at least wherever the real one does but needs no
    /// backtracking VM: backreferences become their group's pattern (the group bodies, by group
    /// number, with their flags), look-arounds and remaining word boundaries are dropped, atomic
    /// and possessive constructs become plain ones, conditionals become alternations.
    superset: Option<&'a GroupBodies>,
    hard: bool,
}

fn push_char(out: &mut String, c: u32) {
    match char::from_u32(c) {
        Some(ch) if ch.is_ascii_alphanumeric() => out.push(ch),
        _ => {
            let _ = write!(out, "\\x{{{c:X}}}");
        }
    }
}

fn push_ranges(out: &mut String, ranges: &[(u32, u32)]) {
    for &(lo, hi) in ranges {
        push_char(out, lo);
        if hi > lo {
            if hi > lo + 1 {
                out.push('-');
            }
            push_char(out, hi);
        }
    }
}

fn push_set(out: &mut String, set: &CharSet) {
    let set = set.scalar_values();
    let complement = set.complement().scalar_values();
    match (set.ranges.as_slice(), complement.ranges.as_slice()) {
        ([], _) => out.push_str(NEVER),
        (_, []) => out.push_str("(?s:.)"),
        ([(lo, hi)], _) if lo == hi => push_char(out, *lo),
        (positive, negative) => {
            if negative.len() < positive.len() {
                out.push_str("[^");
                push_ranges(out, negative);
            } else {
                out.push('[');
                push_ranges(out, positive);
            }
            out.push(']');
        }
    }
}

/// Python's Unicode `\w` as a class, built once.
fn word_class() -> &'static str {
    static CLASS: OnceLock<String> = OnceLock::new();
    CLASS.get_or_init(|| {
        let mut out = String::new();
        push_set(&mut out, &CharSet::from_table(tables::PY_WORD));
        out
    })
}

const ASCII_WORD_CLASS: &str = "[0-9A-Z_a-z]";

impl Emitter<'_> {
    fn seq(&mut self, nodes: &[Node], flags: u32, tail: bool) {
        let last = nodes.len().saturating_sub(1);
        for (i, node) in nodes.iter().enumerate() {
            self.node(node, flags, tail && i == last);
        }
    }

    fn node(&mut self, node: &Node, flags: u32, tail: bool) {
        match node {
            Node::Literal(c) => push_set(&mut self.out, &literal_set(*c, flags)),
            Node::NotLiteral(c) => push_set(&mut self.out, &literal_set(*c, flags).complement()),
            Node::Any => self
                .out
                .push_str(if flags & FLAG_S != 0 { "(?s:.)" } else { "." }),
            Node::In(items) => push_set(&mut self.out, &class_set(items, flags)),
            Node::At(at) => self.at(*at, flags, tail),
            Node::Branch(items) => {
                self.out.push_str("(?:");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.seq(item, flags, tail);
                }
                self.out.push(')');
            }
            Node::Group {
                group,
                add,
                del,
                body,
            } => {
                let capture = group.is_some() && self.superset.is_none();
                self.out.push_str(if capture { "(" } else { "(?:" });
                self.seq(body, combine_flags(flags, *add, *del), tail);
                self.out.push(')');
            }
            Node::Repeat {
                kind,
                min,
                max,
                body,
            } => self.repeat(*kind, *min, *max, body, flags),
            Node::Atomic(body) => {
                self.out.push_str(if self.superset.is_some() {
                    "(?:"
                } else {
                    "(?>"
                });
                self.hard |= self.superset.is_none();
                self.seq(body, flags, false);
                self.out.push(')');
            }
            Node::GroupRef(g) => match self.superset {
                None => {
                    self.hard = true;
                    let _ = write!(self.out, "(?:\\{g})");
                }
                Some(groups) => match groups.get(*g) {
                    Some(Some((body, group_flags))) if context_free(body) => {
                        self.out.push_str("(?:");
                        self.seq(body, *group_flags, false);
                        self.out.push(')');
                    }
                    // Any text at all.
                    _ => self.out.push_str("(?:(?s:.)*)"),
                },
            },
            Node::GroupRefExists { group, yes, no } => {
                if self.superset.is_some() {
                    self.out.push_str("(?:");
                } else {
                    self.hard = true;
                    let _ = write!(self.out, "(?({group})");
                }
                self.seq(yes, flags, false);
                self.out.push('|');
                if let Some(no) = no {
                    self.seq(no, flags, false);
                }
                self.out.push(')');
            }
            Node::Consume { set, edge } => {
                match edge {
                    Some(Edge::Start) => self.out.push_str(r"(?:\A|"),
                    Some(Edge::End) | None => self.out.push_str("(?:"),
                }
                push_set(&mut self.out, set);
                if *edge == Some(Edge::End) {
                    self.out.push_str(r"|\z");
                }
                self.out.push(')');
            }
            Node::Fail => self.out.push_str(NEVER),
            Node::Assert { .. } if self.superset.is_some() => {}
            Node::Assert {
                behind,
                negate,
                body,
            } => {
                self.hard = true;
                self.out.push_str(match (behind, negate) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                });
                self.seq(body, flags, false);
                self.out.push(')');
            }
        }
    }

    fn at(&mut self, at: At, flags: u32, tail: bool) {
        let multiline = flags & FLAG_M != 0;
        if self.superset.is_some()
            && (matches!(at, At::Boundary | At::NonBoundary)
                || (at == At::End && !multiline && !tail))
        {
            return;
        }
        self.hard |=
            matches!(at, At::Boundary | At::NonBoundary) || (at == At::End && !multiline && !tail);
        let text = match at {
            At::Beginning if multiline => "(?m:^)",
            At::Beginning | At::BeginningString => r"\A",
            At::End if multiline => "(?m:$)",
            At::End if tail => r"(?:\n?\z)",
            At::End => r"(?=\n?\z)",
            At::EndString => r"\z",
            At::Boundary | At::NonBoundary => {
                let negated = at == At::NonBoundary;
                if self.word == WordMode::Never {
                    NEVER
                } else if flags & FLAG_A != 0 {
                    self.boundary_lookaround(ASCII_WORD_CLASS, negated);
                    return;
                } else if self.word == WordMode::Exact {
                    self.boundary_lookaround(word_class(), negated);
                    return;
                } else if negated {
                    r"\B"
                } else {
                    r"\b"
                }
            }
        };
        self.out.push_str(text);
    }

    fn boundary_lookaround(&mut self, class: &str, negated: bool) {
        let (after_word, after_other) = if negated {
            ("(?=", "(?!")
        } else {
            ("(?!", "(?=")
        };
        let _ = write!(
            self.out,
            "(?:(?<={class}){after_word}{class})|(?<!{class}){after_other}{class}))"
        );
    }

    fn repeat(&mut self, kind: RepeatKind, min: u32, max: u32, body: &[Node], flags: u32) {
        if body.is_empty() {
            return;
        }
        let (_, hi) = width(body, self.groupwidths);
        if hi == 0 {
            // A zero-width body: the engine refuses to repeat it, and repeating it cannot move.
            let (open, close) = match (kind, min, max) {
                (_, 0, 0) => ("(?:(?:", "|)){0}"),
                (RepeatKind::Lazy, 0, _) => ("(?:|", ")"),
                (RepeatKind::Possessive, 0, _) if self.superset.is_none() => {
                    self.hard = true;
                    ("(?>", "|)")
                }
                (_, 0, _) => ("(?:", "|)"),
                _ => ("(?:", ")"),
            };
            self.out.push_str(open);
            self.seq(body, flags, false);
            self.out.push_str(close);
            return;
        }
        let possessive = kind == RepeatKind::Possessive && self.superset.is_none();
        self.hard |= possessive;
        if possessive {
            self.out.push_str("(?>");
        }
        // One node that is written as a single atom needs no group (the engine limits nesting).
        let atom = matches!(
            body,
            [Node::Literal(_)
                | Node::NotLiteral(_)
                | Node::In(_)
                | Node::Any
                | Node::Group { .. }
                | Node::Atomic(_)
                | Node::GroupRef(_)
                | Node::Branch(_)]
        );
        if atom {
            self.seq(body, flags, false);
        } else {
            self.out.push_str("(?:");
            self.seq(body, flags, false);
            self.out.push(')');
        }
        let _ = match (min, max) {
            (0, MAXREPEAT) => write!(self.out, "*"),
            (1, MAXREPEAT) => write!(self.out, "+"),
            (0, 1) => write!(self.out, "?"),
            (m, MAXREPEAT) => write!(self.out, "{{{m},}}"),
            (m, n) if m == n => write!(self.out, "{{{m}}}"),
            (m, n) => write!(self.out, "{{{m},{n}}}"),
        };
        if kind == RepeatKind::Lazy {
            self.out.push('?');
        }
        if possessive {
            self.out.push(')');
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.query)
    }
}
/// Unicode tables taken from CPython 3.11.7 (`unicodedata` 14.0.0) and regex-syntax 0.8.12.
///
/// How each table was computed is in its documentation: `re`, `_sre` and `re._casefix`
/// of that CPython, and `unicode_tables/perl_word.rs` of regex-syntax 0.8.12.
mod tables {
    #![allow(clippy::unreadable_literal)]

    /// `\w` of Python's `re` on `str` (`str.isalnum()` or `_`): inclusive ranges, flattened.
    pub(super) const PY_WORD: &[u32] = &[
        0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A, 0xAA, 0xAA, 0xB2, 0xB3, 0xB5, 0xB5, 0xB9,
        0xBA, 0xBC, 0xBE, 0xC0, 0xD6, 0xD8, 0xF6, 0xF8, 0x2C1, 0x2C6, 0x2D1, 0x2E0, 0x2E4, 0x2EC,
        0x2EC, 0x2EE, 0x2EE, 0x370, 0x374, 0x376, 0x377, 0x37A, 0x37D, 0x37F, 0x37F, 0x386, 0x386,
        0x388, 0x38A, 0x38C, 0x38C, 0x38E, 0x3A1, 0x3A3, 0x3F5, 0x3F7, 0x481, 0x48A, 0x52F, 0x531,
        0x556, 0x559, 0x559, 0x560, 0x588, 0x5D0, 0x5EA, 0x5EF, 0x5F2, 0x620, 0x64A, 0x660, 0x669,
        0x66E, 0x66F, 0x671, 0x6D3, 0x6D5, 0x6D5, 0x6E5, 0x6E6, 0x6EE, 0x6FC, 0x6FF, 0x6FF, 0x710,
        0x710, 0x712, 0x72F, 0x74D, 0x7A5, 0x7B1, 0x7B1, 0x7C0, 0x7EA, 0x7F4, 0x7F5, 0x7FA, 0x7FA,
        0x800, 0x815, 0x81A, 0x81A, 0x824, 0x824, 0x828, 0x828, 0x840, 0x858, 0x860, 0x86A, 0x870,
        0x887, 0x889, 0x88E, 0x8A0, 0x8C9, 0x904, 0x939, 0x93D, 0x93D, 0x950, 0x950, 0x958, 0x961,
        0x966, 0x96F, 0x971, 0x980, 0x985, 0x98C, 0x98F, 0x990, 0x993, 0x9A8, 0x9AA, 0x9B0, 0x9B2,
        0x9B2, 0x9B6, 0x9B9, 0x9BD, 0x9BD, 0x9CE, 0x9CE, 0x9DC, 0x9DD, 0x9DF, 0x9E1, 0x9E6, 0x9F1,
        0x9F4, 0x9F9, 0x9FC, 0x9FC, 0xA05, 0xA0A, 0xA0F, 0xA10, 0xA13, 0xA28, 0xA2A, 0xA30, 0xA32,
        0xA33, 0xA35, 0xA36, 0xA38, 0xA39, 0xA59, 0xA5C, 0xA5E, 0xA5E, 0xA66, 0xA6F, 0xA72, 0xA74,
        0xA85, 0xA8D, 0xA8F, 0xA91, 0xA93, 0xAA8, 0xAAA, 0xAB0, 0xAB2, 0xAB3, 0xAB5, 0xAB9, 0xABD,
        0xABD, 0xAD0, 0xAD0, 0xAE0, 0xAE1, 0xAE6, 0xAEF, 0xAF9, 0xAF9, 0xB05, 0xB0C, 0xB0F, 0xB10,
        0xB13, 0xB28, 0xB2A, 0xB30, 0xB32, 0xB33, 0xB35, 0xB39, 0xB3D, 0xB3D, 0xB5C, 0xB5D, 0xB5F,
        0xB61, 0xB66, 0xB6F, 0xB71, 0xB77, 0xB83, 0xB83, 0xB85, 0xB8A, 0xB8E, 0xB90, 0xB92, 0xB95,
        0xB99, 0xB9A, 0xB9C, 0xB9C, 0xB9E, 0xB9F, 0xBA3, 0xBA4, 0xBA8, 0xBAA, 0xBAE, 0xBB9, 0xBD0,
        0xBD0, 0xBE6, 0xBF2, 0xC05, 0xC0C, 0xC0E, 0xC10, 0xC12, 0xC28, 0xC2A, 0xC39, 0xC3D, 0xC3D,
        0xC58, 0xC5A, 0xC5D, 0xC5D, 0xC60, 0xC61, 0xC66, 0xC6F, 0xC78, 0xC7E, 0xC80, 0xC80, 0xC85,
        0xC8C, 0xC8E, 0xC90, 0xC92, 0xCA8, 0xCAA, 0xCB3, 0xCB5, 0xCB9, 0xCBD, 0xCBD, 0xCDD, 0xCDE,
        0xCE0, 0xCE1, 0xCE6, 0xCEF, 0xCF1, 0xCF2, 0xD04, 0xD0C, 0xD0E, 0xD10, 0xD12, 0xD3A, 0xD3D,
        0xD3D, 0xD4E, 0xD4E, 0xD54, 0xD56, 0xD58, 0xD61, 0xD66, 0xD78, 0xD7A, 0xD7F, 0xD85, 0xD96,
        0xD9A, 0xDB1, 0xDB3, 0xDBB, 0xDBD, 0xDBD, 0xDC0, 0xDC6, 0xDE6, 0xDEF, 0xE01, 0xE30, 0xE32,
        0xE33, 0xE40, 0xE46, 0xE50, 0xE59, 0xE81, 0xE82, 0xE84, 0xE84, 0xE86, 0xE8A, 0xE8C, 0xEA3,
        0xEA5, 0xEA5, 0xEA7, 0xEB0, 0xEB2, 0xEB3, 0xEBD, 0xEBD, 0xEC0, 0xEC4, 0xEC6, 0xEC6, 0xED0,
        0xED9, 0xEDC, 0xEDF, 0xF00, 0xF00, 0xF20, 0xF33, 0xF40, 0xF47, 0xF49, 0xF6C, 0xF88, 0xF8C,
        0x1000, 0x102A, 0x103F, 0x1049, 0x1050, 0x1055, 0x105A, 0x105D, 0x1061, 0x1061, 0x1065,
        0x1066, 0x106E, 0x1070, 0x1075, 0x1081, 0x108E, 0x108E, 0x1090, 0x1099, 0x10A0, 0x10C5,
        0x10C7, 0x10C7, 0x10CD, 0x10CD, 0x10D0, 0x10FA, 0x10FC, 0x1248, 0x124A, 0x124D, 0x1250,
        0x1256, 0x1258, 0x1258, 0x125A, 0x125D, 0x1260, 0x1288, 0x128A, 0x128D, 0x1290, 0x12B0,
        0x12B2, 0x12B5, 0x12B8, 0x12BE, 0x12C0, 0x12C0, 0x12C2, 0x12C5, 0x12C8, 0x12D6, 0x12D8,
        0x1310, 0x1312, 0x1315, 0x1318, 0x135A, 0x1369, 0x137C, 0x1380, 0x138F, 0x13A0, 0x13F5,
        0x13F8, 0x13FD, 0x1401, 0x166C, 0x166F, 0x167F, 0x1681, 0x169A, 0x16A0, 0x16EA, 0x16EE,
        0x16F8, 0x1700, 0x1711, 0x171F, 0x1731, 0x1740, 0x1751, 0x1760, 0x176C, 0x176E, 0x1770,
        0x1780, 0x17B3, 0x17D7, 0x17D7, 0x17DC, 0x17DC, 0x17E0, 0x17E9, 0x17F0, 0x17F9, 0x1810,
        0x1819, 0x1820, 0x1878, 0x1880, 0x1884, 0x1887, 0x18A8, 0x18AA, 0x18AA, 0x18B0, 0x18F5,
        0x1900, 0x191E, 0x1946, 0x196D, 0x1970, 0x1974, 0x1980, 0x19AB, 0x19B0, 0x19C9, 0x19D0,
        0x19DA, 0x1A00, 0x1A16, 0x1A20, 0x1A54, 0x1A80, 0x1A89, 0x1A90, 0x1A99, 0x1AA7, 0x1AA7,
        0x1B05, 0x1B33, 0x1B45, 0x1B4C, 0x1B50, 0x1B59, 0x1B83, 0x1BA0, 0x1BAE, 0x1BE5, 0x1C00,
        0x1C23, 0x1C40, 0x1C49, 0x1C4D, 0x1C7D, 0x1C80, 0x1C88, 0x1C90, 0x1CBA, 0x1CBD, 0x1CBF,
        0x1CE9, 0x1CEC, 0x1CEE, 0x1CF3, 0x1CF5, 0x1CF6, 0x1CFA, 0x1CFA, 0x1D00, 0x1DBF, 0x1E00,
        0x1F15, 0x1F18, 0x1F1D, 0x1F20, 0x1F45, 0x1F48, 0x1F4D, 0x1F50, 0x1F57, 0x1F59, 0x1F59,
        0x1F5B, 0x1F5B, 0x1F5D, 0x1F5D, 0x1F5F, 0x1F7D, 0x1F80, 0x1FB4, 0x1FB6, 0x1FBC, 0x1FBE,
        0x1FBE, 0x1FC2, 0x1FC4, 0x1FC6, 0x1FCC, 0x1FD0, 0x1FD3, 0x1FD6, 0x1FDB, 0x1FE0, 0x1FEC,
        0x1FF2, 0x1FF4, 0x1FF6, 0x1FFC, 0x2070, 0x2071, 0x2074, 0x2079, 0x207F, 0x2089, 0x2090,
        0x209C, 0x2102, 0x2102, 0x2107, 0x2107, 0x210A, 0x2113, 0x2115, 0x2115, 0x2119, 0x211D,
        0x2124, 0x2124, 0x2126, 0x2126, 0x2128, 0x2128, 0x212A, 0x212D, 0x212F, 0x2139, 0x213C,
        0x213F, 0x2145, 0x2149, 0x214E, 0x214E, 0x2150, 0x2189, 0x2460, 0x249B, 0x24EA, 0x24FF,
        0x2776, 0x2793, 0x2C00, 0x2CE4, 0x2CEB, 0x2CEE, 0x2CF2, 0x2CF3, 0x2CFD, 0x2CFD, 0x2D00,
        0x2D25, 0x2D27, 0x2D27, 0x2D2D, 0x2D2D, 0x2D30, 0x2D67, 0x2D6F, 0x2D6F, 0x2D80, 0x2D96,
        0x2DA0, 0x2DA6, 0x2DA8, 0x2DAE, 0x2DB0, 0x2DB6, 0x2DB8, 0x2DBE, 0x2DC0, 0x2DC6, 0x2DC8,
        0x2DCE, 0x2DD0, 0x2DD6, 0x2DD8, 0x2DDE, 0x2E2F, 0x2E2F, 0x3005, 0x3007, 0x3021, 0x3029,
        0x3031, 0x3035, 0x3038, 0x303C, 0x3041, 0x3096, 0x309D, 0x309F, 0x30A1, 0x30FA, 0x30FC,
        0x30FF, 0x3105, 0x312F, 0x3131, 0x318E, 0x3192, 0x3195, 0x31A0, 0x31BF, 0x31F0, 0x31FF,
        0x3220, 0x3229, 0x3248, 0x324F, 0x3251, 0x325F, 0x3280, 0x3289, 0x32B1, 0x32BF, 0x3400,
        0x4DBF, 0x4E00, 0xA48C, 0xA4D0, 0xA4FD, 0xA500, 0xA60C, 0xA610, 0xA62B, 0xA640, 0xA66E,
        0xA67F, 0xA69D, 0xA6A0, 0xA6EF, 0xA717, 0xA71F, 0xA722, 0xA788, 0xA78B, 0xA7CA, 0xA7D0,
        0xA7D1, 0xA7D3, 0xA7D3, 0xA7D5, 0xA7D9, 0xA7F2, 0xA801, 0xA803, 0xA805, 0xA807, 0xA80A,
        0xA80C, 0xA822, 0xA830, 0xA835, 0xA840, 0xA873, 0xA882, 0xA8B3, 0xA8D0, 0xA8D9, 0xA8F2,
        0xA8F7, 0xA8FB, 0xA8FB, 0xA8FD, 0xA8FE, 0xA900, 0xA925, 0xA930, 0xA946, 0xA960, 0xA97C,
        0xA984, 0xA9B2, 0xA9CF, 0xA9D9, 0xA9E0, 0xA9E4, 0xA9E6, 0xA9FE, 0xAA00, 0xAA28, 0xAA40,
        0xAA42, 0xAA44, 0xAA4B, 0xAA50, 0xAA59, 0xAA60, 0xAA76, 0xAA7A, 0xAA7A, 0xAA7E, 0xAAAF,
        0xAAB1, 0xAAB1, 0xAAB5, 0xAAB6, 0xAAB9, 0xAABD, 0xAAC0, 0xAAC0, 0xAAC2, 0xAAC2, 0xAADB,
        0xAADD, 0xAAE0, 0xAAEA, 0xAAF2, 0xAAF4, 0xAB01, 0xAB06, 0xAB09, 0xAB0E, 0xAB11, 0xAB16,
        0xAB20, 0xAB26, 0xAB28, 0xAB2E, 0xAB30, 0xAB5A, 0xAB5C, 0xAB69, 0xAB70, 0xABE2, 0xABF0,
        0xABF9, 0xAC00, 0xD7A3, 0xD7B0, 0xD7C6, 0xD7CB, 0xD7FB, 0xF900, 0xFA6D, 0xFA70, 0xFAD9,
        0xFB00, 0xFB06, 0xFB13, 0xFB17, 0xFB1D, 0xFB1D, 0xFB1F, 0xFB28, 0xFB2A, 0xFB36, 0xFB38,
        0xFB3C, 0xFB3E, 0xFB3E, 0xFB40, 0xFB41, 0xFB43, 0xFB44, 0xFB46, 0xFBB1, 0xFBD3, 0xFD3D,
        0xFD50, 0xFD8F, 0xFD92, 0xFDC7, 0xFDF0, 0xFDFB, 0xFE70, 0xFE74, 0xFE76, 0xFEFC, 0xFF10,
        0xFF19, 0xFF21, 0xFF3A, 0xFF41, 0xFF5A, 0xFF66, 0xFFBE, 0xFFC2, 0xFFC7, 0xFFCA, 0xFFCF,
        0xFFD2, 0xFFD7, 0xFFDA, 0xFFDC, 0x10000, 0x1000B, 0x1000D, 0x10026, 0x10028, 0x1003A,
        0x1003C, 0x1003D, 0x1003F, 0x1004D, 0x10050, 0x1005D, 0x10080, 0x100FA, 0x10107, 0x10133,
        0x10140, 0x10178, 0x1018A, 0x1018B, 0x10280, 0x1029C, 0x102A0, 0x102D0, 0x102E1, 0x102FB,
        0x10300, 0x10323, 0x1032D, 0x1034A, 0x10350, 0x10375, 0x10380, 0x1039D, 0x103A0, 0x103C3,
        0x103C8, 0x103CF, 0x103D1, 0x103D5, 0x10400, 0x1049D, 0x104A0, 0x104A9, 0x104B0, 0x104D3,
        0x104D8, 0x104FB, 0x10500, 0x10527, 0x10530, 0x10563, 0x10570, 0x1057A, 0x1057C, 0x1058A,
        0x1058C, 0x10592, 0x10594, 0x10595, 0x10597, 0x105A1, 0x105A3, 0x105B1, 0x105B3, 0x105B9,
        0x105BB, 0x105BC, 0x10600, 0x10736, 0x10740, 0x10755, 0x10760, 0x10767, 0x10780, 0x10785,
        0x10787, 0x107B0, 0x107B2, 0x107BA, 0x10800, 0x10805, 0x10808, 0x10808, 0x1080A, 0x10835,
        0x10837, 0x10838, 0x1083C, 0x1083C, 0x1083F, 0x10855, 0x10858, 0x10876, 0x10879, 0x1089E,
        0x108A7, 0x108AF, 0x108E0, 0x108F2, 0x108F4, 0x108F5, 0x108FB, 0x1091B, 0x10920, 0x10939,
        0x10980, 0x109B7, 0x109BC, 0x109CF, 0x109D2, 0x10A00, 0x10A10, 0x10A13, 0x10A15, 0x10A17,
        0x10A19, 0x10A35, 0x10A40, 0x10A48, 0x10A60, 0x10A7E, 0x10A80, 0x10A9F, 0x10AC0, 0x10AC7,
        0x10AC9, 0x10AE4, 0x10AEB, 0x10AEF, 0x10B00, 0x10B35, 0x10B40, 0x10B55, 0x10B58, 0x10B72,
        0x10B78, 0x10B91, 0x10BA9, 0x10BAF, 0x10C00, 0x10C48, 0x10C80, 0x10CB2, 0x10CC0, 0x10CF2,
        0x10CFA, 0x10D23, 0x10D30, 0x10D39, 0x10E60, 0x10E7E, 0x10E80, 0x10EA9, 0x10EB0, 0x10EB1,
        0x10F00, 0x10F27, 0x10F30, 0x10F45, 0x10F51, 0x10F54, 0x10F70, 0x10F81, 0x10FB0, 0x10FCB,
        0x10FE0, 0x10FF6, 0x11003, 0x11037, 0x11052, 0x1106F, 0x11071, 0x11072, 0x11075, 0x11075,
        0x11083, 0x110AF, 0x110D0, 0x110E8, 0x110F0, 0x110F9, 0x11103, 0x11126, 0x11136, 0x1113F,
        0x11144, 0x11144, 0x11147, 0x11147, 0x11150, 0x11172, 0x11176, 0x11176, 0x11183, 0x111B2,
        0x111C1, 0x111C4, 0x111D0, 0x111DA, 0x111DC, 0x111DC, 0x111E1, 0x111F4, 0x11200, 0x11211,
        0x11213, 0x1122B, 0x11280, 0x11286, 0x11288, 0x11288, 0x1128A, 0x1128D, 0x1128F, 0x1129D,
        0x1129F, 0x112A8, 0x112B0, 0x112DE, 0x112F0, 0x112F9, 0x11305, 0x1130C, 0x1130F, 0x11310,
        0x11313, 0x11328, 0x1132A, 0x11330, 0x11332, 0x11333, 0x11335, 0x11339, 0x1133D, 0x1133D,
        0x11350, 0x11350, 0x1135D, 0x11361, 0x11400, 0x11434, 0x11447, 0x1144A, 0x11450, 0x11459,
        0x1145F, 0x11461, 0x11480, 0x114AF, 0x114C4, 0x114C5, 0x114C7, 0x114C7, 0x114D0, 0x114D9,
        0x11580, 0x115AE, 0x115D8, 0x115DB, 0x11600, 0x1162F, 0x11644, 0x11644, 0x11650, 0x11659,
        0x11680, 0x116AA, 0x116B8, 0x116B8, 0x116C0, 0x116C9, 0x11700, 0x1171A, 0x11730, 0x1173B,
        0x11740, 0x11746, 0x11800, 0x1182B, 0x118A0, 0x118F2, 0x118FF, 0x11906, 0x11909, 0x11909,
        0x1190C, 0x11913, 0x11915, 0x11916, 0x11918, 0x1192F, 0x1193F, 0x1193F, 0x11941, 0x11941,
        0x11950, 0x11959, 0x119A0, 0x119A7, 0x119AA, 0x119D0, 0x119E1, 0x119E1, 0x119E3, 0x119E3,
        0x11A00, 0x11A00, 0x11A0B, 0x11A32, 0x11A3A, 0x11A3A, 0x11A50, 0x11A50, 0x11A5C, 0x11A89,
        0x11A9D, 0x11A9D, 0x11AB0, 0x11AF8, 0x11C00, 0x11C08, 0x11C0A, 0x11C2E, 0x11C40, 0x11C40,
        0x11C50, 0x11C6C, 0x11C72, 0x11C8F, 0x11D00, 0x11D06, 0x11D08, 0x11D09, 0x11D0B, 0x11D30,
        0x11D46, 0x11D46, 0x11D50, 0x11D59, 0x11D60, 0x11D65, 0x11D67, 0x11D68, 0x11D6A, 0x11D89,
        0x11D98, 0x11D98, 0x11DA0, 0x11DA9, 0x11EE0, 0x11EF2, 0x11FB0, 0x11FB0, 0x11FC0, 0x11FD4,
        0x12000, 0x12399, 0x12400, 0x1246E, 0x12480, 0x12543, 0x12F90, 0x12FF0, 0x13000, 0x1342E,
        0x14400, 0x14646, 0x16800, 0x16A38, 0x16A40, 0x16A5E, 0x16A60, 0x16A69, 0x16A70, 0x16ABE,
        0x16AC0, 0x16AC9, 0x16AD0, 0x16AED, 0x16B00, 0x16B2F, 0x16B40, 0x16B43, 0x16B50, 0x16B59,
        0x16B5B, 0x16B61, 0x16B63, 0x16B77, 0x16B7D, 0x16B8F, 0x16E40, 0x16E96, 0x16F00, 0x16F4A,
        0x16F50, 0x16F50, 0x16F93, 0x16F9F, 0x16FE0, 0x16FE1, 0x16FE3, 0x16FE3, 0x17000, 0x187F7,
        0x18800, 0x18CD5, 0x18D00, 0x18D08, 0x1AFF0, 0x1AFF3, 0x1AFF5, 0x1AFFB, 0x1AFFD, 0x1AFFE,
        0x1B000, 0x1B122, 0x1B150, 0x1B152, 0x1B164, 0x1B167, 0x1B170, 0x1B2FB, 0x1BC00, 0x1BC6A,
        0x1BC70, 0x1BC7C, 0x1BC80, 0x1BC88, 0x1BC90, 0x1BC99, 0x1D2E0, 0x1D2F3, 0x1D360, 0x1D378,
        0x1D400, 0x1D454, 0x1D456, 0x1D49C, 0x1D49E, 0x1D49F, 0x1D4A2, 0x1D4A2, 0x1D4A5, 0x1D4A6,
        0x1D4A9, 0x1D4AC, 0x1D4AE, 0x1D4B9, 0x1D4BB, 0x1D4BB, 0x1D4BD, 0x1D4C3, 0x1D4C5, 0x1D505,
        0x1D507, 0x1D50A, 0x1D50D, 0x1D514, 0x1D516, 0x1D51C, 0x1D51E, 0x1D539, 0x1D53B, 0x1D53E,
        0x1D540, 0x1D544, 0x1D546, 0x1D546, 0x1D54A, 0x1D550, 0x1D552, 0x1D6A5, 0x1D6A8, 0x1D6C0,
        0x1D6C2, 0x1D6DA, 0x1D6DC, 0x1D6FA, 0x1D6FC, 0x1D714, 0x1D716, 0x1D734, 0x1D736, 0x1D74E,
        0x1D750, 0x1D76E, 0x1D770, 0x1D788, 0x1D78A, 0x1D7A8, 0x1D7AA, 0x1D7C2, 0x1D7C4, 0x1D7CB,
        0x1D7CE, 0x1D7FF, 0x1DF00, 0x1DF1E, 0x1E100, 0x1E12C, 0x1E137, 0x1E13D, 0x1E140, 0x1E149,
        0x1E14E, 0x1E14E, 0x1E290, 0x1E2AD, 0x1E2C0, 0x1E2EB, 0x1E2F0, 0x1E2F9, 0x1E7E0, 0x1E7E6,
        0x1E7E8, 0x1E7EB, 0x1E7ED, 0x1E7EE, 0x1E7F0, 0x1E7FE, 0x1E800, 0x1E8C4, 0x1E8C7, 0x1E8CF,
        0x1E900, 0x1E943, 0x1E94B, 0x1E94B, 0x1E950, 0x1E959, 0x1EC71, 0x1ECAB, 0x1ECAD, 0x1ECAF,
        0x1ECB1, 0x1ECB4, 0x1ED01, 0x1ED2D, 0x1ED2F, 0x1ED3D, 0x1EE00, 0x1EE03, 0x1EE05, 0x1EE1F,
        0x1EE21, 0x1EE22, 0x1EE24, 0x1EE24, 0x1EE27, 0x1EE27, 0x1EE29, 0x1EE32, 0x1EE34, 0x1EE37,
        0x1EE39, 0x1EE39, 0x1EE3B, 0x1EE3B, 0x1EE42, 0x1EE42, 0x1EE47, 0x1EE47, 0x1EE49, 0x1EE49,
        0x1EE4B, 0x1EE4B, 0x1EE4D, 0x1EE4F, 0x1EE51, 0x1EE52, 0x1EE54, 0x1EE54, 0x1EE57, 0x1EE57,
        0x1EE59, 0x1EE59, 0x1EE5B, 0x1EE5B, 0x1EE5D, 0x1EE5D, 0x1EE5F, 0x1EE5F, 0x1EE61, 0x1EE62,
        0x1EE64, 0x1EE64, 0x1EE67, 0x1EE6A, 0x1EE6C, 0x1EE72, 0x1EE74, 0x1EE77, 0x1EE79, 0x1EE7C,
        0x1EE7E, 0x1EE7E, 0x1EE80, 0x1EE89, 0x1EE8B, 0x1EE9B, 0x1EEA1, 0x1EEA3, 0x1EEA5, 0x1EEA9,
        0x1EEAB, 0x1EEBB, 0x1F100, 0x1F10C, 0x1FBF0, 0x1FBF9, 0x20000, 0x2A6DF, 0x2A700, 0x2B738,
        0x2B740, 0x2B81D, 0x2B820, 0x2CEA1, 0x2CEB0, 0x2EBE0, 0x2F800, 0x2FA1D, 0x30000, 0x3134A,
    ];

    /// `\d` of Python's `re` on `str` (`str.isdecimal()`): inclusive ranges, flattened.
    pub(super) const PY_DIGIT: &[u32] = &[
        0x30, 0x39, 0x660, 0x669, 0x6F0, 0x6F9, 0x7C0, 0x7C9, 0x966, 0x96F, 0x9E6, 0x9EF, 0xA66,
        0xA6F, 0xAE6, 0xAEF, 0xB66, 0xB6F, 0xBE6, 0xBEF, 0xC66, 0xC6F, 0xCE6, 0xCEF, 0xD66, 0xD6F,
        0xDE6, 0xDEF, 0xE50, 0xE59, 0xED0, 0xED9, 0xF20, 0xF29, 0x1040, 0x1049, 0x1090, 0x1099,
        0x17E0, 0x17E9, 0x1810, 0x1819, 0x1946, 0x194F, 0x19D0, 0x19D9, 0x1A80, 0x1A89, 0x1A90,
        0x1A99, 0x1B50, 0x1B59, 0x1BB0, 0x1BB9, 0x1C40, 0x1C49, 0x1C50, 0x1C59, 0xA620, 0xA629,
        0xA8D0, 0xA8D9, 0xA900, 0xA909, 0xA9D0, 0xA9D9, 0xA9F0, 0xA9F9, 0xAA50, 0xAA59, 0xABF0,
        0xABF9, 0xFF10, 0xFF19, 0x104A0, 0x104A9, 0x10D30, 0x10D39, 0x11066, 0x1106F, 0x110F0,
        0x110F9, 0x11136, 0x1113F, 0x111D0, 0x111D9, 0x112F0, 0x112F9, 0x11450, 0x11459, 0x114D0,
        0x114D9, 0x11650, 0x11659, 0x116C0, 0x116C9, 0x11730, 0x11739, 0x118E0, 0x118E9, 0x11950,
        0x11959, 0x11C50, 0x11C59, 0x11D50, 0x11D59, 0x11DA0, 0x11DA9, 0x16A60, 0x16A69, 0x16AC0,
        0x16AC9, 0x16B50, 0x16B59, 0x1D7CE, 0x1D7FF, 0x1E140, 0x1E149, 0x1E2F0, 0x1E2F9, 0x1E950,
        0x1E959, 0x1FBF0, 0x1FBF9,
    ];

    /// `\s` of Python's `re` on `str` (`str.isspace()`): inclusive ranges, flattened.
    pub(super) const PY_SPACE: &[u32] = &[
        0x9, 0xD, 0x1C, 0x20, 0x85, 0x85, 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A, 0x2028,
        0x2029, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000,
    ];

    /// `_sre.unicode_tolower` where it changes the character, as runs
    /// `(start, count, stride, lower(start))`: `lower(start + k*stride) = lower(start) + k*stride`.
    pub(super) const PY_LOWER: &[u32] = &[
        0x41, 0x1A, 0x1, 0x61, 0xC0, 0x17, 0x1, 0xE0, 0xD8, 0x7, 0x1, 0xF8, 0x100, 0x18, 0x2,
        0x101, 0x130, 0x1, 0x1, 0x69, 0x132, 0x3, 0x2, 0x133, 0x139, 0x8, 0x2, 0x13A, 0x14A, 0x17,
        0x2, 0x14B, 0x178, 0x1, 0x1, 0xFF, 0x179, 0x3, 0x2, 0x17A, 0x181, 0x1, 0x1, 0x253, 0x182,
        0x2, 0x2, 0x183, 0x186, 0x1, 0x1, 0x254, 0x187, 0x1, 0x1, 0x188, 0x189, 0x2, 0x1, 0x256,
        0x18B, 0x1, 0x1, 0x18C, 0x18E, 0x1, 0x1, 0x1DD, 0x18F, 0x1, 0x1, 0x259, 0x190, 0x1, 0x1,
        0x25B, 0x191, 0x1, 0x1, 0x192, 0x193, 0x1, 0x1, 0x260, 0x194, 0x1, 0x1, 0x263, 0x196, 0x1,
        0x1, 0x269, 0x197, 0x1, 0x1, 0x268, 0x198, 0x1, 0x1, 0x199, 0x19C, 0x1, 0x1, 0x26F, 0x19D,
        0x1, 0x1, 0x272, 0x19F, 0x1, 0x1, 0x275, 0x1A0, 0x3, 0x2, 0x1A1, 0x1A6, 0x1, 0x1, 0x280,
        0x1A7, 0x1, 0x1, 0x1A8, 0x1A9, 0x1, 0x1, 0x283, 0x1AC, 0x1, 0x1, 0x1AD, 0x1AE, 0x1, 0x1,
        0x288, 0x1AF, 0x1, 0x1, 0x1B0, 0x1B1, 0x2, 0x1, 0x28A, 0x1B3, 0x2, 0x2, 0x1B4, 0x1B7, 0x1,
        0x1, 0x292, 0x1B8, 0x1, 0x1, 0x1B9, 0x1BC, 0x1, 0x1, 0x1BD, 0x1C4, 0x1, 0x1, 0x1C6, 0x1C5,
        0x1, 0x1, 0x1C6, 0x1C7, 0x1, 0x1, 0x1C9, 0x1C8, 0x1, 0x1, 0x1C9, 0x1CA, 0x1, 0x1, 0x1CC,
        0x1CB, 0x9, 0x2, 0x1CC, 0x1DE, 0x9, 0x2, 0x1DF, 0x1F1, 0x1, 0x1, 0x1F3, 0x1F2, 0x2, 0x2,
        0x1F3, 0x1F6, 0x1, 0x1, 0x195, 0x1F7, 0x1, 0x1, 0x1BF, 0x1F8, 0x14, 0x2, 0x1F9, 0x220, 0x1,
        0x1, 0x19E, 0x222, 0x9, 0x2, 0x223, 0x23A, 0x1, 0x1, 0x2C65, 0x23B, 0x1, 0x1, 0x23C, 0x23D,
        0x1, 0x1, 0x19A, 0x23E, 0x1, 0x1, 0x2C66, 0x241, 0x1, 0x1, 0x242, 0x243, 0x1, 0x1, 0x180,
        0x244, 0x1, 0x1, 0x289, 0x245, 0x1, 0x1, 0x28C, 0x246, 0x5, 0x2, 0x247, 0x370, 0x2, 0x2,
        0x371, 0x376, 0x1, 0x1, 0x377, 0x37F, 0x1, 0x1, 0x3F3, 0x386, 0x1, 0x1, 0x3AC, 0x388, 0x3,
        0x1, 0x3AD, 0x38C, 0x1, 0x1, 0x3CC, 0x38E, 0x2, 0x1, 0x3CD, 0x391, 0x11, 0x1, 0x3B1, 0x3A3,
        0x9, 0x1, 0x3C3, 0x3CF, 0x1, 0x1, 0x3D7, 0x3D8, 0xC, 0x2, 0x3D9, 0x3F4, 0x1, 0x1, 0x3B8,
        0x3F7, 0x1, 0x1, 0x3F8, 0x3F9, 0x1, 0x1, 0x3F2, 0x3FA, 0x1, 0x1, 0x3FB, 0x3FD, 0x3, 0x1,
        0x37B, 0x400, 0x10, 0x1, 0x450, 0x410, 0x20, 0x1, 0x430, 0x460, 0x11, 0x2, 0x461, 0x48A,
        0x1B, 0x2, 0x48B, 0x4C0, 0x1, 0x1, 0x4CF, 0x4C1, 0x7, 0x2, 0x4C2, 0x4D0, 0x30, 0x2, 0x4D1,
        0x531, 0x26, 0x1, 0x561, 0x10A0, 0x26, 0x1, 0x2D00, 0x10C7, 0x1, 0x1, 0x2D27, 0x10CD, 0x1,
        0x1, 0x2D2D, 0x13A0, 0x50, 0x1, 0xAB70, 0x13F0, 0x6, 0x1, 0x13F8, 0x1C90, 0x2B, 0x1,
        0x10D0, 0x1CBD, 0x3, 0x1, 0x10FD, 0x1E00, 0x4B, 0x2, 0x1E01, 0x1E9E, 0x1, 0x1, 0xDF,
        0x1EA0, 0x30, 0x2, 0x1EA1, 0x1F08, 0x8, 0x1, 0x1F00, 0x1F18, 0x6, 0x1, 0x1F10, 0x1F28, 0x8,
        0x1, 0x1F20, 0x1F38, 0x8, 0x1, 0x1F30, 0x1F48, 0x6, 0x1, 0x1F40, 0x1F59, 0x4, 0x2, 0x1F51,
        0x1F68, 0x8, 0x1, 0x1F60, 0x1F88, 0x8, 0x1, 0x1F80, 0x1F98, 0x8, 0x1, 0x1F90, 0x1FA8, 0x8,
        0x1, 0x1FA0, 0x1FB8, 0x2, 0x1, 0x1FB0, 0x1FBA, 0x2, 0x1, 0x1F70, 0x1FBC, 0x1, 0x1, 0x1FB3,
        0x1FC8, 0x4, 0x1, 0x1F72, 0x1FCC, 0x1, 0x1, 0x1FC3, 0x1FD8, 0x2, 0x1, 0x1FD0, 0x1FDA, 0x2,
        0x1, 0x1F76, 0x1FE8, 0x2, 0x1, 0x1FE0, 0x1FEA, 0x2, 0x1, 0x1F7A, 0x1FEC, 0x1, 0x1, 0x1FE5,
        0x1FF8, 0x2, 0x1, 0x1F78, 0x1FFA, 0x2, 0x1, 0x1F7C, 0x1FFC, 0x1, 0x1, 0x1FF3, 0x2126, 0x1,
        0x1, 0x3C9, 0x212A, 0x1, 0x1, 0x6B, 0x212B, 0x1, 0x1, 0xE5, 0x2132, 0x1, 0x1, 0x214E,
        0x2160, 0x10, 0x1, 0x2170, 0x2183, 0x1, 0x1, 0x2184, 0x24B6, 0x1A, 0x1, 0x24D0, 0x2C00,
        0x30, 0x1, 0x2C30, 0x2C60, 0x1, 0x1, 0x2C61, 0x2C62, 0x1, 0x1, 0x26B, 0x2C63, 0x1, 0x1,
        0x1D7D, 0x2C64, 0x1, 0x1, 0x27D, 0x2C67, 0x3, 0x2, 0x2C68, 0x2C6D, 0x1, 0x1, 0x251, 0x2C6E,
        0x1, 0x1, 0x271, 0x2C6F, 0x1, 0x1, 0x250, 0x2C70, 0x1, 0x1, 0x252, 0x2C72, 0x1, 0x1,
        0x2C73, 0x2C75, 0x1, 0x1, 0x2C76, 0x2C7E, 0x2, 0x1, 0x23F, 0x2C80, 0x32, 0x2, 0x2C81,
        0x2CEB, 0x2, 0x2, 0x2CEC, 0x2CF2, 0x1, 0x1, 0x2CF3, 0xA640, 0x17, 0x2, 0xA641, 0xA680, 0xE,
        0x2, 0xA681, 0xA722, 0x7, 0x2, 0xA723, 0xA732, 0x1F, 0x2, 0xA733, 0xA779, 0x2, 0x2, 0xA77A,
        0xA77D, 0x1, 0x1, 0x1D79, 0xA77E, 0x5, 0x2, 0xA77F, 0xA78B, 0x1, 0x1, 0xA78C, 0xA78D, 0x1,
        0x1, 0x265, 0xA790, 0x2, 0x2, 0xA791, 0xA796, 0xA, 0x2, 0xA797, 0xA7AA, 0x1, 0x1, 0x266,
        0xA7AB, 0x1, 0x1, 0x25C, 0xA7AC, 0x1, 0x1, 0x261, 0xA7AD, 0x1, 0x1, 0x26C, 0xA7AE, 0x1,
        0x1, 0x26A, 0xA7B0, 0x1, 0x1, 0x29E, 0xA7B1, 0x1, 0x1, 0x287, 0xA7B2, 0x1, 0x1, 0x29D,
        0xA7B3, 0x1, 0x1, 0xAB53, 0xA7B4, 0x8, 0x2, 0xA7B5, 0xA7C4, 0x1, 0x1, 0xA794, 0xA7C5, 0x1,
        0x1, 0x282, 0xA7C6, 0x1, 0x1, 0x1D8E, 0xA7C7, 0x2, 0x2, 0xA7C8, 0xA7D0, 0x1, 0x1, 0xA7D1,
        0xA7D6, 0x2, 0x2, 0xA7D7, 0xA7F5, 0x1, 0x1, 0xA7F6, 0xFF21, 0x1A, 0x1, 0xFF41, 0x10400,
        0x28, 0x1, 0x10428, 0x104B0, 0x24, 0x1, 0x104D8, 0x10570, 0xB, 0x1, 0x10597, 0x1057C, 0xF,
        0x1, 0x105A3, 0x1058C, 0x7, 0x1, 0x105B3, 0x10594, 0x2, 0x1, 0x105BB, 0x10C80, 0x33, 0x1,
        0x10CC0, 0x118A0, 0x20, 0x1, 0x118C0, 0x16E40, 0x20, 0x1, 0x16E60, 0x1E900, 0x22, 0x1,
        0x1E922,
    ];

    /// `_PyUnicode_ToUppercase` (what `_sre` calls upper case) where it changes the character,
    /// as runs like [`PY_LOWER`].
    pub(super) const PY_UPPER: &[u32] = &[
        0x61, 0x1A, 0x1, 0x41, 0xB5, 0x1, 0x1, 0x39C, 0xDF, 0x1, 0x1, 0x53, 0xE0, 0x17, 0x1, 0xC0,
        0xF8, 0x7, 0x1, 0xD8, 0xFF, 0x1, 0x1, 0x178, 0x101, 0x18, 0x2, 0x100, 0x131, 0x1, 0x1,
        0x49, 0x133, 0x3, 0x2, 0x132, 0x13A, 0x8, 0x2, 0x139, 0x149, 0x1, 0x1, 0x2BC, 0x14B, 0x17,
        0x2, 0x14A, 0x17A, 0x3, 0x2, 0x179, 0x17F, 0x1, 0x1, 0x53, 0x180, 0x1, 0x1, 0x243, 0x183,
        0x2, 0x2, 0x182, 0x188, 0x1, 0x1, 0x187, 0x18C, 0x1, 0x1, 0x18B, 0x192, 0x1, 0x1, 0x191,
        0x195, 0x1, 0x1, 0x1F6, 0x199, 0x1, 0x1, 0x198, 0x19A, 0x1, 0x1, 0x23D, 0x19E, 0x1, 0x1,
        0x220, 0x1A1, 0x3, 0x2, 0x1A0, 0x1A8, 0x1, 0x1, 0x1A7, 0x1AD, 0x1, 0x1, 0x1AC, 0x1B0, 0x1,
        0x1, 0x1AF, 0x1B4, 0x2, 0x2, 0x1B3, 0x1B9, 0x1, 0x1, 0x1B8, 0x1BD, 0x1, 0x1, 0x1BC, 0x1BF,
        0x1, 0x1, 0x1F7, 0x1C5, 0x1, 0x1, 0x1C4, 0x1C6, 0x1, 0x1, 0x1C4, 0x1C8, 0x1, 0x1, 0x1C7,
        0x1C9, 0x1, 0x1, 0x1C7, 0x1CB, 0x1, 0x1, 0x1CA, 0x1CC, 0x1, 0x1, 0x1CA, 0x1CE, 0x8, 0x2,
        0x1CD, 0x1DD, 0x1, 0x1, 0x18E, 0x1DF, 0x9, 0x2, 0x1DE, 0x1F0, 0x1, 0x1, 0x4A, 0x1F2, 0x1,
        0x1, 0x1F1, 0x1F3, 0x1, 0x1, 0x1F1, 0x1F5, 0x1, 0x1, 0x1F4, 0x1F9, 0x14, 0x2, 0x1F8, 0x223,
        0x9, 0x2, 0x222, 0x23C, 0x1, 0x1, 0x23B, 0x23F, 0x2, 0x1, 0x2C7E, 0x242, 0x1, 0x1, 0x241,
        0x247, 0x5, 0x2, 0x246, 0x250, 0x1, 0x1, 0x2C6F, 0x251, 0x1, 0x1, 0x2C6D, 0x252, 0x1, 0x1,
        0x2C70, 0x253, 0x1, 0x1, 0x181, 0x254, 0x1, 0x1, 0x186, 0x256, 0x2, 0x1, 0x189, 0x259, 0x1,
        0x1, 0x18F, 0x25B, 0x1, 0x1, 0x190, 0x25C, 0x1, 0x1, 0xA7AB, 0x260, 0x1, 0x1, 0x193, 0x261,
        0x1, 0x1, 0xA7AC, 0x263, 0x1, 0x1, 0x194, 0x265, 0x1, 0x1, 0xA78D, 0x266, 0x1, 0x1, 0xA7AA,
        0x268, 0x1, 0x1, 0x197, 0x269, 0x1, 0x1, 0x196, 0x26A, 0x1, 0x1, 0xA7AE, 0x26B, 0x1, 0x1,
        0x2C62, 0x26C, 0x1, 0x1, 0xA7AD, 0x26F, 0x1, 0x1, 0x19C, 0x271, 0x1, 0x1, 0x2C6E, 0x272,
        0x1, 0x1, 0x19D, 0x275, 0x1, 0x1, 0x19F, 0x27D, 0x1, 0x1, 0x2C64, 0x280, 0x1, 0x1, 0x1A6,
        0x282, 0x1, 0x1, 0xA7C5, 0x283, 0x1, 0x1, 0x1A9, 0x287, 0x1, 0x1, 0xA7B1, 0x288, 0x1, 0x1,
        0x1AE, 0x289, 0x1, 0x1, 0x244, 0x28A, 0x2, 0x1, 0x1B1, 0x28C, 0x1, 0x1, 0x245, 0x292, 0x1,
        0x1, 0x1B7, 0x29D, 0x1, 0x1, 0xA7B2, 0x29E, 0x1, 0x1, 0xA7B0, 0x345, 0x1, 0x1, 0x399,
        0x371, 0x2, 0x2, 0x370, 0x377, 0x1, 0x1, 0x376, 0x37B, 0x3, 0x1, 0x3FD, 0x390, 0x1, 0x1,
        0x399, 0x3AC, 0x1, 0x1, 0x386, 0x3AD, 0x3, 0x1, 0x388, 0x3B0, 0x1, 0x1, 0x3A5, 0x3B1, 0x11,
        0x1, 0x391, 0x3C2, 0x1, 0x1, 0x3A3, 0x3C3, 0x9, 0x1, 0x3A3, 0x3CC, 0x1, 0x1, 0x38C, 0x3CD,
        0x2, 0x1, 0x38E, 0x3D0, 0x1, 0x1, 0x392, 0x3D1, 0x1, 0x1, 0x398, 0x3D5, 0x1, 0x1, 0x3A6,
        0x3D6, 0x1, 0x1, 0x3A0, 0x3D7, 0x1, 0x1, 0x3CF, 0x3D9, 0xC, 0x2, 0x3D8, 0x3F0, 0x1, 0x1,
        0x39A, 0x3F1, 0x1, 0x1, 0x3A1, 0x3F2, 0x1, 0x1, 0x3F9, 0x3F3, 0x1, 0x1, 0x37F, 0x3F5, 0x1,
        0x1, 0x395, 0x3F8, 0x1, 0x1, 0x3F7, 0x3FB, 0x1, 0x1, 0x3FA, 0x430, 0x20, 0x1, 0x410, 0x450,
        0x10, 0x1, 0x400, 0x461, 0x11, 0x2, 0x460, 0x48B, 0x1B, 0x2, 0x48A, 0x4C2, 0x7, 0x2, 0x4C1,
        0x4CF, 0x1, 0x1, 0x4C0, 0x4D1, 0x30, 0x2, 0x4D0, 0x561, 0x26, 0x1, 0x531, 0x587, 0x1, 0x1,
        0x535, 0x10D0, 0x2B, 0x1, 0x1C90, 0x10FD, 0x3, 0x1, 0x1CBD, 0x13F8, 0x6, 0x1, 0x13F0,
        0x1C80, 0x1, 0x1, 0x412, 0x1C81, 0x1, 0x1, 0x414, 0x1C82, 0x1, 0x1, 0x41E, 0x1C83, 0x2,
        0x1, 0x421, 0x1C85, 0x1, 0x1, 0x422, 0x1C86, 0x1, 0x1, 0x42A, 0x1C87, 0x1, 0x1, 0x462,
        0x1C88, 0x1, 0x1, 0xA64A, 0x1D79, 0x1, 0x1, 0xA77D, 0x1D7D, 0x1, 0x1, 0x2C63, 0x1D8E, 0x1,
        0x1, 0xA7C6, 0x1E01, 0x4B, 0x2, 0x1E00, 0x1E96, 0x1, 0x1, 0x48, 0x1E97, 0x1, 0x1, 0x54,
        0x1E98, 0x1, 0x1, 0x57, 0x1E99, 0x1, 0x1, 0x59, 0x1E9A, 0x1, 0x1, 0x41, 0x1E9B, 0x1, 0x1,
        0x1E60, 0x1EA1, 0x30, 0x2, 0x1EA0, 0x1F00, 0x8, 0x1, 0x1F08, 0x1F10, 0x6, 0x1, 0x1F18,
        0x1F20, 0x8, 0x1, 0x1F28, 0x1F30, 0x8, 0x1, 0x1F38, 0x1F40, 0x6, 0x1, 0x1F48, 0x1F50, 0x1,
        0x1, 0x3A5, 0x1F51, 0x1, 0x1, 0x1F59, 0x1F52, 0x1, 0x1, 0x3A5, 0x1F53, 0x1, 0x1, 0x1F5B,
        0x1F54, 0x1, 0x1, 0x3A5, 0x1F55, 0x1, 0x1, 0x1F5D, 0x1F56, 0x1, 0x1, 0x3A5, 0x1F57, 0x1,
        0x1, 0x1F5F, 0x1F60, 0x8, 0x1, 0x1F68, 0x1F70, 0x2, 0x1, 0x1FBA, 0x1F72, 0x4, 0x1, 0x1FC8,
        0x1F76, 0x2, 0x1, 0x1FDA, 0x1F78, 0x2, 0x1, 0x1FF8, 0x1F7A, 0x2, 0x1, 0x1FEA, 0x1F7C, 0x2,
        0x1, 0x1FFA, 0x1F80, 0x8, 0x1, 0x1F08, 0x1F88, 0x8, 0x1, 0x1F08, 0x1F90, 0x8, 0x1, 0x1F28,
        0x1F98, 0x8, 0x1, 0x1F28, 0x1FA0, 0x8, 0x1, 0x1F68, 0x1FA8, 0x8, 0x1, 0x1F68, 0x1FB0, 0x3,
        0x1, 0x1FB8, 0x1FB3, 0x1, 0x1, 0x391, 0x1FB4, 0x1, 0x1, 0x386, 0x1FB6, 0x1, 0x1, 0x391,
        0x1FB7, 0x1, 0x1, 0x391, 0x1FBC, 0x1, 0x1, 0x391, 0x1FBE, 0x1, 0x1, 0x399, 0x1FC2, 0x1,
        0x1, 0x1FCA, 0x1FC3, 0x1, 0x1, 0x397, 0x1FC4, 0x1, 0x1, 0x389, 0x1FC6, 0x1, 0x1, 0x397,
        0x1FC7, 0x1, 0x1, 0x397, 0x1FCC, 0x1, 0x1, 0x397, 0x1FD0, 0x2, 0x1, 0x1FD8, 0x1FD2, 0x1,
        0x1, 0x399, 0x1FD3, 0x1, 0x1, 0x399, 0x1FD6, 0x1, 0x1, 0x399, 0x1FD7, 0x1, 0x1, 0x399,
        0x1FE0, 0x2, 0x1, 0x1FE8, 0x1FE2, 0x1, 0x1, 0x3A5, 0x1FE3, 0x1, 0x1, 0x3A5, 0x1FE4, 0x1,
        0x1, 0x3A1, 0x1FE5, 0x1, 0x1, 0x1FEC, 0x1FE6, 0x1, 0x1, 0x3A5, 0x1FE7, 0x1, 0x1, 0x3A5,
        0x1FF2, 0x1, 0x1, 0x1FFA, 0x1FF3, 0x1, 0x1, 0x3A9, 0x1FF4, 0x1, 0x1, 0x38F, 0x1FF6, 0x1,
        0x1, 0x3A9, 0x1FF7, 0x1, 0x1, 0x3A9, 0x1FFC, 0x1, 0x1, 0x3A9, 0x214E, 0x1, 0x1, 0x2132,
        0x2170, 0x10, 0x1, 0x2160, 0x2184, 0x1, 0x1, 0x2183, 0x24D0, 0x1A, 0x1, 0x24B6, 0x2C30,
        0x30, 0x1, 0x2C00, 0x2C61, 0x1, 0x1, 0x2C60, 0x2C65, 0x1, 0x1, 0x23A, 0x2C66, 0x1, 0x1,
        0x23E, 0x2C68, 0x3, 0x2, 0x2C67, 0x2C73, 0x1, 0x1, 0x2C72, 0x2C76, 0x1, 0x1, 0x2C75,
        0x2C81, 0x32, 0x2, 0x2C80, 0x2CEC, 0x2, 0x2, 0x2CEB, 0x2CF3, 0x1, 0x1, 0x2CF2, 0x2D00,
        0x26, 0x1, 0x10A0, 0x2D27, 0x1, 0x1, 0x10C7, 0x2D2D, 0x1, 0x1, 0x10CD, 0xA641, 0x17, 0x2,
        0xA640, 0xA681, 0xE, 0x2, 0xA680, 0xA723, 0x7, 0x2, 0xA722, 0xA733, 0x1F, 0x2, 0xA732,
        0xA77A, 0x2, 0x2, 0xA779, 0xA77F, 0x5, 0x2, 0xA77E, 0xA78C, 0x1, 0x1, 0xA78B, 0xA791, 0x2,
        0x2, 0xA790, 0xA794, 0x1, 0x1, 0xA7C4, 0xA797, 0xA, 0x2, 0xA796, 0xA7B5, 0x8, 0x2, 0xA7B4,
        0xA7C8, 0x2, 0x2, 0xA7C7, 0xA7D1, 0x1, 0x1, 0xA7D0, 0xA7D7, 0x2, 0x2, 0xA7D6, 0xA7F6, 0x1,
        0x1, 0xA7F5, 0xAB53, 0x1, 0x1, 0xA7B3, 0xAB70, 0x50, 0x1, 0x13A0, 0xFB00, 0x1, 0x1, 0x46,
        0xFB01, 0x1, 0x1, 0x46, 0xFB02, 0x1, 0x1, 0x46, 0xFB03, 0x1, 0x1, 0x46, 0xFB04, 0x1, 0x1,
        0x46, 0xFB05, 0x1, 0x1, 0x53, 0xFB06, 0x1, 0x1, 0x53, 0xFB13, 0x1, 0x1, 0x544, 0xFB14, 0x1,
        0x1, 0x544, 0xFB15, 0x1, 0x1, 0x544, 0xFB16, 0x1, 0x1, 0x54E, 0xFB17, 0x1, 0x1, 0x544,
        0xFF41, 0x1A, 0x1, 0xFF21, 0x10428, 0x28, 0x1, 0x10400, 0x104D8, 0x24, 0x1, 0x104B0,
        0x10597, 0xB, 0x1, 0x10570, 0x105A3, 0xF, 0x1, 0x1057C, 0x105B3, 0x7, 0x1, 0x1058C,
        0x105BB, 0x2, 0x1, 0x10594, 0x10CC0, 0x33, 0x1, 0x10C80, 0x118C0, 0x20, 0x1, 0x118A0,
        0x16E60, 0x20, 0x1, 0x16E40, 0x1E922, 0x22, 0x1, 0x1E900,
    ];

    /// `re._casefix._EXTRA_CASES`: `lower, n, others[n]` records, flattened.
    pub(super) const PY_EXTRA_CASES: &[u32] = &[
        0x69, 0x1, 0x131, 0x73, 0x1, 0x17F, 0xB5, 0x1, 0x3BC, 0x131, 0x1, 0x69, 0x17F, 0x1, 0x73,
        0x345, 0x2, 0x3B9, 0x1FBE, 0x390, 0x1, 0x1FD3, 0x3B0, 0x1, 0x1FE3, 0x3B2, 0x1, 0x3D0,
        0x3B5, 0x1, 0x3F5, 0x3B8, 0x1, 0x3D1, 0x3B9, 0x2, 0x345, 0x1FBE, 0x3BA, 0x1, 0x3F0, 0x3BC,
        0x1, 0xB5, 0x3C0, 0x1, 0x3D6, 0x3C1, 0x1, 0x3F1, 0x3C2, 0x1, 0x3C3, 0x3C3, 0x1, 0x3C2,
        0x3C6, 0x1, 0x3D5, 0x3D0, 0x1, 0x3B2, 0x3D1, 0x1, 0x3B8, 0x3D5, 0x1, 0x3C6, 0x3D6, 0x1,
        0x3C0, 0x3F0, 0x1, 0x3BA, 0x3F1, 0x1, 0x3C1, 0x3F5, 0x1, 0x3B5, 0x432, 0x1, 0x1C80, 0x434,
        0x1, 0x1C81, 0x43E, 0x1, 0x1C82, 0x441, 0x1, 0x1C83, 0x442, 0x2, 0x1C84, 0x1C85, 0x44A,
        0x1, 0x1C86, 0x463, 0x1, 0x1C87, 0x1C80, 0x1, 0x432, 0x1C81, 0x1, 0x434, 0x1C82, 0x1,
        0x43E, 0x1C83, 0x1, 0x441, 0x1C84, 0x2, 0x442, 0x1C85, 0x1C85, 0x2, 0x442, 0x1C84, 0x1C86,
        0x1, 0x44A, 0x1C87, 0x1, 0x463, 0x1C88, 0x1, 0xA64B, 0x1E61, 0x1, 0x1E9B, 0x1E9B, 0x1,
        0x1E61, 0x1FBE, 0x2, 0x345, 0x3B9, 0x1FD3, 0x1, 0x390, 0x1FE3, 0x1, 0x3B0, 0xA64B, 0x1,
        0x1C88, 0xFB05, 0x1, 0xFB06, 0xFB06, 0x1, 0xFB05,
    ];

    /// Characters on which Python's `\w` and regex-syntax 0.8.12's Unicode word class (used by
    /// the engine's native `\b`) disagree: inclusive ranges, flattened.
    pub(super) const WORD_DISPUTED: &[u32] = &[
        0xB2, 0xB3, 0xB9, 0xB9, 0xBC, 0xBE, 0x300, 0x36F, 0x483, 0x489, 0x591, 0x5BD, 0x5BF, 0x5BF,
        0x5C1, 0x5C2, 0x5C4, 0x5C5, 0x5C7, 0x5C7, 0x610, 0x61A, 0x64B, 0x65F, 0x670, 0x670, 0x6D6,
        0x6DC, 0x6DF, 0x6E4, 0x6E7, 0x6E8, 0x6EA, 0x6ED, 0x711, 0x711, 0x730, 0x74A, 0x7A6, 0x7B0,
        0x7EB, 0x7F3, 0x7FD, 0x7FD, 0x816, 0x819, 0x81B, 0x823, 0x825, 0x827, 0x829, 0x82D, 0x859,
        0x85B, 0x897, 0x89F, 0x8CA, 0x8E1, 0x8E3, 0x903, 0x93A, 0x93C, 0x93E, 0x94F, 0x951, 0x957,
        0x962, 0x963, 0x981, 0x983, 0x9BC, 0x9BC, 0x9BE, 0x9C4, 0x9C7, 0x9C8, 0x9CB, 0x9CD, 0x9D7,
        0x9D7, 0x9E2, 0x9E3, 0x9F4, 0x9F9, 0x9FE, 0x9FE, 0xA01, 0xA03, 0xA3C, 0xA3C, 0xA3E, 0xA42,
        0xA47, 0xA48, 0xA4B, 0xA4D, 0xA51, 0xA51, 0xA70, 0xA71, 0xA75, 0xA75, 0xA81, 0xA83, 0xABC,
        0xABC, 0xABE, 0xAC5, 0xAC7, 0xAC9, 0xACB, 0xACD, 0xAE2, 0xAE3, 0xAFA, 0xAFF, 0xB01, 0xB03,
        0xB3C, 0xB3C, 0xB3E, 0xB44, 0xB47, 0xB48, 0xB4B, 0xB4D, 0xB55, 0xB57, 0xB62, 0xB63, 0xB72,
        0xB77, 0xB82, 0xB82, 0xBBE, 0xBC2, 0xBC6, 0xBC8, 0xBCA, 0xBCD, 0xBD7, 0xBD7, 0xBF0, 0xBF2,
        0xC00, 0xC04, 0xC3C, 0xC3C, 0xC3E, 0xC44, 0xC46, 0xC48, 0xC4A, 0xC4D, 0xC55, 0xC56, 0xC62,
        0xC63, 0xC78, 0xC7E, 0xC81, 0xC83, 0xCBC, 0xCBC, 0xCBE, 0xCC4, 0xCC6, 0xCC8, 0xCCA, 0xCCD,
        0xCD5, 0xCD6, 0xCE2, 0xCE3, 0xCF3, 0xCF3, 0xD00, 0xD03, 0xD3B, 0xD3C, 0xD3E, 0xD44, 0xD46,
        0xD48, 0xD4A, 0xD4D, 0xD57, 0xD5E, 0xD62, 0xD63, 0xD70, 0xD78, 0xD81, 0xD83, 0xDCA, 0xDCA,
        0xDCF, 0xDD4, 0xDD6, 0xDD6, 0xDD8, 0xDDF, 0xDF2, 0xDF3, 0xE31, 0xE31, 0xE34, 0xE3A, 0xE47,
        0xE4E, 0xEB1, 0xEB1, 0xEB4, 0xEBC, 0xEC8, 0xECE, 0xF18, 0xF19, 0xF2A, 0xF33, 0xF35, 0xF35,
        0xF37, 0xF37, 0xF39, 0xF39, 0xF3E, 0xF3F, 0xF71, 0xF84, 0xF86, 0xF87, 0xF8D, 0xF97, 0xF99,
        0xFBC, 0xFC6, 0xFC6, 0x102B, 0x103E, 0x1056, 0x1059, 0x105E, 0x1060, 0x1062, 0x1064,
        0x1067, 0x106D, 0x1071, 0x1074, 0x1082, 0x108D, 0x108F, 0x108F, 0x109A, 0x109D, 0x135D,
        0x135F, 0x1369, 0x137C, 0x1712, 0x1715, 0x1732, 0x1734, 0x1752, 0x1753, 0x1772, 0x1773,
        0x17B4, 0x17D3, 0x17DD, 0x17DD, 0x17F0, 0x17F9, 0x180B, 0x180D, 0x180F, 0x180F, 0x1885,
        0x1886, 0x18A9, 0x18A9, 0x1920, 0x192B, 0x1930, 0x193B, 0x19DA, 0x19DA, 0x1A17, 0x1A1B,
        0x1A55, 0x1A5E, 0x1A60, 0x1A7C, 0x1A7F, 0x1A7F, 0x1AB0, 0x1ACE, 0x1B00, 0x1B04, 0x1B34,
        0x1B44, 0x1B6B, 0x1B73, 0x1B80, 0x1B82, 0x1BA1, 0x1BAD, 0x1BE6, 0x1BF3, 0x1C24, 0x1C37,
        0x1C89, 0x1C8A, 0x1CD0, 0x1CD2, 0x1CD4, 0x1CE8, 0x1CED, 0x1CED, 0x1CF4, 0x1CF4, 0x1CF7,
        0x1CF9, 0x1DC0, 0x1DFF, 0x200C, 0x200D, 0x203F, 0x2040, 0x2054, 0x2054, 0x2070, 0x2070,
        0x2074, 0x2079, 0x2080, 0x2089, 0x20D0, 0x20F0, 0x2150, 0x215F, 0x2189, 0x2189, 0x2460,
        0x249B, 0x24B6, 0x24FF, 0x2776, 0x2793, 0x2CEF, 0x2CF1, 0x2CFD, 0x2CFD, 0x2D7F, 0x2D7F,
        0x2DE0, 0x2DFF, 0x302A, 0x302F, 0x3099, 0x309A, 0x3192, 0x3195, 0x3220, 0x3229, 0x3248,
        0x324F, 0x3251, 0x325F, 0x3280, 0x3289, 0x32B1, 0x32BF, 0xA66F, 0xA672, 0xA674, 0xA67D,
        0xA69E, 0xA69F, 0xA6F0, 0xA6F1, 0xA7CB, 0xA7CD, 0xA7DA, 0xA7DC, 0xA802, 0xA802, 0xA806,
        0xA806, 0xA80B, 0xA80B, 0xA823, 0xA827, 0xA82C, 0xA82C, 0xA830, 0xA835, 0xA880, 0xA881,
        0xA8B4, 0xA8C5, 0xA8E0, 0xA8F1, 0xA8FF, 0xA8FF, 0xA926, 0xA92D, 0xA947, 0xA953, 0xA980,
        0xA983, 0xA9B3, 0xA9C0, 0xA9E5, 0xA9E5, 0xAA29, 0xAA36, 0xAA43, 0xAA43, 0xAA4C, 0xAA4D,
        0xAA7B, 0xAA7D, 0xAAB0, 0xAAB0, 0xAAB2, 0xAAB4, 0xAAB7, 0xAAB8, 0xAABE, 0xAABF, 0xAAC1,
        0xAAC1, 0xAAEB, 0xAAEF, 0xAAF5, 0xAAF6, 0xABE3, 0xABEA, 0xABEC, 0xABED, 0xFB1E, 0xFB1E,
        0xFE00, 0xFE0F, 0xFE20, 0xFE2F, 0xFE33, 0xFE34, 0xFE4D, 0xFE4F, 0xFF3F, 0xFF3F, 0x10107,
        0x10133, 0x10175, 0x10178, 0x1018A, 0x1018B, 0x101FD, 0x101FD, 0x102E0, 0x102FB, 0x10320,
        0x10323, 0x10376, 0x1037A, 0x105C0, 0x105F3, 0x10858, 0x1085F, 0x10879, 0x1087F, 0x108A7,
        0x108AF, 0x108FB, 0x108FF, 0x10916, 0x1091B, 0x109BC, 0x109BD, 0x109C0, 0x109CF, 0x109D2,
        0x109FF, 0x10A01, 0x10A03, 0x10A05, 0x10A06, 0x10A0C, 0x10A0F, 0x10A38, 0x10A3A, 0x10A3F,
        0x10A48, 0x10A7D, 0x10A7E, 0x10A9D, 0x10A9F, 0x10AE5, 0x10AE6, 0x10AEB, 0x10AEF, 0x10B58,
        0x10B5F, 0x10B78, 0x10B7F, 0x10BA9, 0x10BAF, 0x10CFA, 0x10CFF, 0x10D24, 0x10D27, 0x10D40,
        0x10D65, 0x10D69, 0x10D6D, 0x10D6F, 0x10D85, 0x10E60, 0x10E7E, 0x10EAB, 0x10EAC, 0x10EC2,
        0x10EC4, 0x10EFC, 0x10EFF, 0x10F1D, 0x10F26, 0x10F46, 0x10F54, 0x10F82, 0x10F85, 0x10FC5,
        0x10FCB, 0x11000, 0x11002, 0x11038, 0x11046, 0x11052, 0x11065, 0x11070, 0x11070, 0x11073,
        0x11074, 0x1107F, 0x11082, 0x110B0, 0x110BA, 0x110C2, 0x110C2, 0x11100, 0x11102, 0x11127,
        0x11134, 0x11145, 0x11146, 0x11173, 0x11173, 0x11180, 0x11182, 0x111B3, 0x111C0, 0x111C9,
        0x111CC, 0x111CE, 0x111CF, 0x111E1, 0x111F4, 0x1122C, 0x11237, 0x1123E, 0x11241, 0x112DF,
        0x112EA, 0x11300, 0x11303, 0x1133B, 0x1133C, 0x1133E, 0x11344, 0x11347, 0x11348, 0x1134B,
        0x1134D, 0x11357, 0x11357, 0x11362, 0x11363, 0x11366, 0x1136C, 0x11370, 0x11374, 0x11380,
        0x11389, 0x1138B, 0x1138B, 0x1138E, 0x1138E, 0x11390, 0x113B5, 0x113B7, 0x113C0, 0x113C2,
        0x113C2, 0x113C5, 0x113C5, 0x113C7, 0x113CA, 0x113CC, 0x113D3, 0x113E1, 0x113E2, 0x11435,
        0x11446, 0x1145E, 0x1145E, 0x114B0, 0x114C3, 0x115AF, 0x115B5, 0x115B8, 0x115C0, 0x115DC,
        0x115DD, 0x11630, 0x11640, 0x116AB, 0x116B7, 0x116D0, 0x116E3, 0x1171D, 0x1172B, 0x1173A,
        0x1173B, 0x1182C, 0x1183A, 0x118EA, 0x118F2, 0x11930, 0x11935, 0x11937, 0x11938, 0x1193B,
        0x1193E, 0x11940, 0x11940, 0x11942, 0x11943, 0x119D1, 0x119D7, 0x119DA, 0x119E0, 0x119E4,
        0x119E4, 0x11A01, 0x11A0A, 0x11A33, 0x11A39, 0x11A3B, 0x11A3E, 0x11A47, 0x11A47, 0x11A51,
        0x11A5B, 0x11A8A, 0x11A99, 0x11BC0, 0x11BE0, 0x11BF0, 0x11BF9, 0x11C2F, 0x11C36, 0x11C38,
        0x11C3F, 0x11C5A, 0x11C6C, 0x11C92, 0x11CA7, 0x11CA9, 0x11CB6, 0x11D31, 0x11D36, 0x11D3A,
        0x11D3A, 0x11D3C, 0x11D3D, 0x11D3F, 0x11D45, 0x11D47, 0x11D47, 0x11D8A, 0x11D8E, 0x11D90,
        0x11D91, 0x11D93, 0x11D97, 0x11EF3, 0x11EF6, 0x11F00, 0x11F10, 0x11F12, 0x11F3A, 0x11F3E,
        0x11F42, 0x11F50, 0x11F5A, 0x11FC0, 0x11FD4, 0x1342F, 0x1342F, 0x13440, 0x13455, 0x13460,
        0x143FA, 0x16100, 0x16139, 0x16AF0, 0x16AF4, 0x16B30, 0x16B36, 0x16B5B, 0x16B61, 0x16D40,
        0x16D6C, 0x16D70, 0x16D79, 0x16E80, 0x16E96, 0x16F4F, 0x16F4F, 0x16F51, 0x16F87, 0x16F8F,
        0x16F92, 0x16FE4, 0x16FE4, 0x16FF0, 0x16FF1, 0x18CFF, 0x18CFF, 0x1B132, 0x1B132, 0x1B155,
        0x1B155, 0x1BC9D, 0x1BC9E, 0x1CCF0, 0x1CCF9, 0x1CF00, 0x1CF2D, 0x1CF30, 0x1CF46, 0x1D165,
        0x1D169, 0x1D16D, 0x1D172, 0x1D17B, 0x1D182, 0x1D185, 0x1D18B, 0x1D1AA, 0x1D1AD, 0x1D242,
        0x1D244, 0x1D2E0, 0x1D2F3, 0x1D360, 0x1D378, 0x1DA00, 0x1DA36, 0x1DA3B, 0x1DA6C, 0x1DA75,
        0x1DA75, 0x1DA84, 0x1DA84, 0x1DA9B, 0x1DA9F, 0x1DAA1, 0x1DAAF, 0x1DF25, 0x1DF2A, 0x1E000,
        0x1E006, 0x1E008, 0x1E018, 0x1E01B, 0x1E021, 0x1E023, 0x1E024, 0x1E026, 0x1E02A, 0x1E030,
        0x1E06D, 0x1E08F, 0x1E08F, 0x1E130, 0x1E136, 0x1E2AE, 0x1E2AE, 0x1E2EC, 0x1E2EF, 0x1E4D0,
        0x1E4F9, 0x1E5D0, 0x1E5FA, 0x1E8C7, 0x1E8D6, 0x1E944, 0x1E94A, 0x1EC71, 0x1ECAB, 0x1ECAD,
        0x1ECAF, 0x1ECB1, 0x1ECB4, 0x1ED01, 0x1ED2D, 0x1ED2F, 0x1ED3D, 0x1F100, 0x1F10C, 0x1F130,
        0x1F149, 0x1F150, 0x1F169, 0x1F170, 0x1F189, 0x2B739, 0x2B739, 0x2EBF0, 0x2EE5D, 0x31350,
        0x323AF, 0xE0100, 0xE01EF,
    ];
}

#[cfg(test)]
mod tests {
    use super::AsciiNoCase;

    /// The rare-byte search agrees with a plain scan, through the automaton fallback too.
    #[test]
    fn ascii_no_case_agrees_with_a_scan() {
        let needles: [&[u8]; 9] = [
            b"lazy dog",
            b"za",
            b"Q",
            b"aaab",
            b"x-Y",
            b"zz",
            b"[z{",
            b"a zq b yx- aaaa ZZ",
            b" ",
        ];
        let mut hays: Vec<Vec<u8>> = vec![
            b"the LAZY DOG".to_vec(),
            b"lazy do".to_vec(),
            [b"z".repeat(5000), b"zA".to_vec()].concat(),
            [b"z".repeat(5000), b"zb".to_vec()].concat(),
            [b"aaa".repeat(3000), b"AAAB".to_vec()].concat(),
            b"aaa".repeat(3000),
            b"x-yx-Y".to_vec(),
            Vec::new(),
        ];
        let mut seed = 1u64;
        for round in 0..600 {
            let len = (seed % if round % 2 == 0 { 97 } else { 400 }) as usize;
            let hay: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    b"zZaAqQbB- yYxX[{"[(seed >> 40) as usize % 16]
                })
                .collect();
            hays.push(hay);
        }
        for needle in needles {
            let finder = AsciiNoCase::new(needle);
            // The needle, in mixed case, at every offset of a 120-byte text.
            let mut planted = Vec::new();
            for at in 0..=120 - needle.len() {
                let mut hay = b"xXqQ-[".repeat(20);
                for (k, &c) in needle.iter().enumerate() {
                    hay[at + k] = if (at + k) % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    };
                }
                planted.push(hay);
            }
            for hay in hays.iter().chain(&planted) {
                let scan = hay
                    .windows(needle.len())
                    .any(|w| w.eq_ignore_ascii_case(needle));
                assert_eq!(
                    finder.is_match(hay),
                    scan,
                    "{needle:?} in {:?}",
                    String::from_utf8_lossy(hay)
                );
            }
        }
    }
}
