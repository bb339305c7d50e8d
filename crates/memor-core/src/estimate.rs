//! memor 1.4's three token estimators, reproduced exactly.
//!
//! memor estimates how many tokens a text costs with one of three heuristics (its
//! `tokens_estimator` module). They are not tokenizers: they count characters, words and symbols
//! and mix the counts with fixed weights. This module gives the very numbers memor 1.4 (Python
//! 3.11) gives, for every text:
//!
//! - [`universal`] (`UNIVERSAL`, memor's default): decides whether the text is code (it holds one
//!   of `= < > + - * / { } ( ) ;`), splits it into tokens (identifiers, symbols, quoted strings,
//!   digit runs, any other non-space character) and scores each token, code tokens by keyword,
//!   underscores and capitals, text tokens by prefixes, suffixes and vowel runs.
//! - [`openai_gpt_3_5`] (`OPENAI_GPT_3_5`) and [`openai_gpt_4`] (`OPENAI_GPT_4`): a floating
//!   point score from the character count, spaces, punctuation, newlines, long words, keywords,
//!   `http` and characters above U+2710, truncated to an integer and at least 1.
//!
//! Python's Unicode semantics are kept: whitespace is `str.isspace` (it includes U+001C..U+001F
//! and the Unicode spaces), `\d` is `str.isdecimal`, `\w` is `str.isalnum` or `_`, and lengths
//! count code points. The character tables below were generated from Python 3.11.7 (Unicode 14.0).

use std::fmt;
use std::str::FromStr;

/// One of memor's token estimators (memor's `TokensEstimator`).
///
/// `Estimator::default()` is [`Estimator::Universal`], memor's `TokensEstimator.DEFAULT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Estimator {
    /// memor's `universal_tokens_estimator` (`UNIVERSAL`, the default).
    #[default]
    Universal,
    /// memor's `openai_tokens_estimator_gpt_3_5` (`OPENAI_GPT_3_5`).
    OpenAiGpt35,
    /// memor's `openai_tokens_estimator_gpt_4` (`OPENAI_GPT_4`).
    OpenAiGpt4,
}

impl Estimator {
    /// Every estimator, in memor's order.
    pub const ALL: [Self; 3] = [Self::Universal, Self::OpenAiGpt35, Self::OpenAiGpt4];

    /// memor's name of the estimator: `"UNIVERSAL"`, `"OPENAI_GPT_3_5"` or `"OPENAI_GPT_4"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Universal => "UNIVERSAL",
            Self::OpenAiGpt35 => "OPENAI_GPT_3_5",
            Self::OpenAiGpt4 => "OPENAI_GPT_4",
        }
    }

    /// The estimated number of tokens in `text`, exactly as memor 1.4 computes it.
    pub fn estimate(self, text: &str) -> usize {
        match self {
            Self::Universal => universal(text),
            Self::OpenAiGpt35 => openai_gpt_3_5(text),
            Self::OpenAiGpt4 => openai_gpt_4(text),
        }
    }
}

impl fmt::Display for Estimator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an [`Estimator`] from a name that is not one of memor's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEstimatorError {
    name: String,
}

impl ParseEstimatorError {
    /// The name that was not recognised.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for ParseEstimatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown tokens estimator {:?} (expected UNIVERSAL, OPENAI_GPT_3_5, OPENAI_GPT_4 or DEFAULT)",
            self.name
        )
    }
}

impl std::error::Error for ParseEstimatorError {}

impl FromStr for Estimator {
    type Err = ParseEstimatorError;

    /// Parses memor's names (case-sensitive): `UNIVERSAL`, `OPENAI_GPT_3_5`, `OPENAI_GPT_4`, and
    /// `DEFAULT`, memor's alias of `UNIVERSAL`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "UNIVERSAL" | "DEFAULT" => Ok(Self::Universal),
            "OPENAI_GPT_3_5" => Ok(Self::OpenAiGpt35),
            "OPENAI_GPT_4" => Ok(Self::OpenAiGpt4),
            _ => Err(ParseEstimatorError { name: s.to_owned() }),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Character classes (Python semantics)
// ---------------------------------------------------------------------------------------------

/// Python's `str.isspace()`, which is also `re`'s `\s` and the separator of `str.split()`.
const fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1C}'..='\u{20}'
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// Whether `c` lies in one of the sorted, disjoint inclusive `ranges`.
fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    // First range whose end is at least `c`.
    let i = ranges.partition_point(|&(_, hi)| hi < c);
    ranges.get(i).is_some_and(|&(lo, _)| lo <= c)
}

/// Python's `re` `\w` on `str` patterns: `str.isalnum()` or `_`.
fn is_py_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        in_ranges(&WORD_RANGES, c)
    }
}

/// Bit `c >> 8` set when the 256 code points from `(c >> 8) << 8` hold a decimal digit, to
/// skip the search in [`DECIMAL_RANGES`] for most characters.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time, where a bad index fails the build"
)]
static DECIMAL_PAGES: [u64; 0x1100 / 64] = {
    let mut pages = [0u64; 0x1100 / 64];
    let mut k = 0;
    while k < DECIMAL_RANGES.len() {
        let (lo, hi) = DECIMAL_RANGES[k];
        let mut page = lo >> 8;
        while page <= hi >> 8 {
            pages[(page / 64) as usize] |= 1 << (page % 64);
            page += 1;
        }
        k += 1;
    }
    pages
};

/// Python's `re` `\d` on `str` patterns: `str.isdecimal()` (Unicode category Nd).
fn is_py_decimal(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    let page = c as u32 >> 8;
    let possible = DECIMAL_PAGES
        .get((page / 64) as usize)
        .is_some_and(|bits| bits >> (page % 64) & 1 != 0);
    possible && in_ranges(&DECIMAL_RANGES, c)
}

/// The character starting at byte `i` of `text` (`None` at the end or off a boundary).
fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

/// The character ending at byte `i` of `text` (`None` at the start or off a boundary).
fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

// ---------------------------------------------------------------------------------------------
// Eight byte lanes at a time: a `u64` holds eight bytes (little endian); a lane mask has the
// high bit of each selected byte lane set.
// ---------------------------------------------------------------------------------------------

/// `0x01` in every byte lane of a `u64`.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte lane.
const HIGH: u64 = ONES * 0x80;
/// The low seven bits of every byte lane.
const LOW: u64 = ONES * 0x7F;

/// `b` in every byte lane.
const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// The high bit of each byte lane of `t` that is zero (exact: no carry crosses lanes).
const fn zero_lanes(t: u64) -> u64 {
    !(((t & LOW) + LOW) | t) & HIGH
}

/// The high bit of each byte lane of `w` equal to `b`.
const fn eq_lanes(w: u64, b: u8) -> u64 {
    zero_lanes(w ^ splat(b))
}

/// The high bit of each byte lane of `w` whose low seven bits are at least `n` (1 ≤ n ≤ 127).
const fn low7_at_least(w: u64, n: u8) -> u64 {
    ((w & LOW) + splat(128 - n)) & HIGH
}

/// The number of byte lanes of `lanes` whose high bit is set (a population count through one
/// multiplication, faster than `count_ones` without a `popcnt` instruction).
const fn count_lanes(lanes: u64) -> usize {
    (((lanes >> 7) & ONES).wrapping_mul(ONES) >> 56) as usize
}

// ---------------------------------------------------------------------------------------------
// UNIVERSAL
// ---------------------------------------------------------------------------------------------
//
// memor's `universal_tokens_estimator(message)`:
//
// 1. `is_code`: whether the message holds one of `= < > + - * / { } ( ) ;`;
// 2. prose only: every `'` between two `\w` characters becomes a space;
// 3. tokens: `re.findall` of `[A-Za-z_][A-Za-z0-9_]*`, `[+\-*/=<>(){}[\],.:;]`, `"[^"]*"`,
//    `'[^']*'`, `\d+` or `\S`, tried in this order at each position;
// 4. the sum of each token's score, `_count_code_tokens` or `_count_text_tokens`.
//
// Every one-character token scores 1 in both modes, and a `\d+` run of n digits `max(1, n // 4)`
// (`str.isdigit` holds for all of `\d`). The scanner below walks the text once, scoring each
// token as it ends.

/// memor's `_is_code_snippet`: whether `text` holds one of `= < > + - * / { } ( ) ;`.
///
/// It switches [`universal`] between scoring code and scoring prose.
#[allow(
    clippy::needless_bitwise_bool,
    reason = "branch-free tests, which the compiler vectorizes"
)]
pub fn is_code_snippet(text: &str) -> bool {
    let is_code_byte = |b: u8| {
        // `|` rather than `matches!` (which would branch), so that the loop below vectorizes.
        (b == b'=')
            | (b == b'<')
            | (b == b'>')
            | (b == b'+')
            | (b == b'-')
            | (b == b'*')
            | (b == b'/')
            | (b == b'{')
            | (b == b'}')
            | (b == b'(')
            | (b == b')')
            | (b == b';')
    };
    let mut blocks = text.as_bytes().chunks_exact(64);
    for block in &mut blocks {
        // No early exit inside a block.
        let mut found = 0u8;
        for &b in block {
            found |= u8::from(is_code_byte(b));
        }
        if found != 0 {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| is_code_byte(b))
}

/// memor's `COMMON_PREFIXES`.
const PREFIXES: [&str; 11] = [
    "un", "re", "in", "dis", "pre", "mis", "non", "over", "under", "sub", "trans",
];

/// memor's `COMMON_SUFFIXES`.
const SUFFIXES: [&str; 11] = [
    "ing", "ed", "ly", "es", "s", "ment", "able", "ness", "tion", "ive", "ous",
];

/// Python's `max(1, n // d)`.
fn at_least_one(n: usize, d: usize) -> usize {
    (n / d).max(1)
}

/// An affix of at most eight ASCII bytes as a little-endian number.
const fn pack_affix(affix: &str) -> u64 {
    pack_identifier(affix.as_bytes()) as u64
}

/// memor's prefix and suffix counts of `_count_text_tokens` for the identifier at
/// `bytes[start..end]`: how many of [`PREFIXES`] start it and how many of [`SUFFIXES`] end it,
/// each only when the identifier is more than three characters longer than the affix.
#[allow(
    clippy::needless_bitwise_bool,
    reason = "branch-free tests, which the compiler vectorizes"
)]
fn affixes(bytes: &[u8], start: usize, end: usize) -> usize {
    let len = end - start;
    // The shortest affix, "s", needs five characters.
    if len < 5 {
        return 0;
    }
    // The first eight bytes of the identifier, and the last eight with its last byte highest
    // (bytes around it are arbitrary; affixes are compared within it).
    let head = load_word(bytes, start);
    let tail = match end.checked_sub(8) {
        Some(from) => load_word(bytes, from),
        None => load_word(bytes, 0) << (8 * (8 - end)),
    };
    let mut count = 0usize;
    for p in PREFIXES {
        let n = p.len();
        let mask = u64::MAX >> (64 - 8 * n);
        count += usize::from((head & mask == pack_affix(p)) & (len > n + 3));
    }
    for s in SUFFIXES {
        let n = s.len();
        count += usize::from((tail >> (64 - 8 * n) == pack_affix(s)) & (len > n + 3));
    }
    count
}

/// `a e i o u` as bits of a mask indexed by byte.
const VOWELS: u128 = 1 << b'a' | 1 << b'e' | 1 << b'i' | 1 << b'o' | 1 << b'u';

/// Whether `b` is one of the vowels of memor's `[aeiou]+|[^aeiou]+` split.
const fn is_vowel(b: u8) -> bool {
    b < 128 && (VOWELS >> b) & 1 != 0
}

/// The number of maximal runs of vowels and of non-vowels in `token` (vowels are ASCII, so
/// bytes stand for characters).
fn vowel_runs(token: &[u8]) -> usize {
    let mut runs = 0usize;
    let mut previous = None;
    for &b in token {
        let vowel = Some(is_vowel(b));
        runs += usize::from(vowel != previous);
        previous = vowel;
    }
    runs
}

/// memor's `_count_text_tokens` for a quoted string (its prefix and suffix tests fail on the
/// quotes).
fn text_quoted_tokens(token: &[u8]) -> usize {
    (vowel_runs(token) / 2).max(1)
}

/// The longest of [`IDENTIFIER_KEYWORDS`] ("implementation").
const MAX_KEYWORD_LEN: usize = 14;

/// Slots of [`KEYWORD_TABLE`] (a power of two, well above the 426 keywords).
const KEYWORD_SLOTS: usize = 2048;

/// An identifier of at most 16 bytes as a number: its bytes, little endian, zero-padded.
/// Identifiers hold no NUL, so different identifiers give different numbers, never 0.
const fn pack_identifier(mut bytes: &[u8]) -> u128 {
    let mut packed = 0u128;
    while let [rest @ .., last] = bytes {
        packed = (packed << 8) | *last as u128;
        bytes = rest;
    }
    packed
}

/// The home slot of a packed identifier in [`KEYWORD_TABLE`].
const fn keyword_slot(packed: u128) -> usize {
    let mixed = (packed as u64) ^ ((packed >> 64) as u64).rotate_left(31);
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 53) as usize
}

/// [`IDENTIFIER_KEYWORDS`] packed into an open-addressing hash table (0: empty slot).
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time, where a bad index fails the build"
)]
static KEYWORD_TABLE: [u128; KEYWORD_SLOTS] = {
    let mut table = [0u128; KEYWORD_SLOTS];
    let mut k = 0;
    while k < IDENTIFIER_KEYWORDS.len() {
        let packed = pack_identifier(IDENTIFIER_KEYWORDS[k].as_bytes());
        let mut slot = keyword_slot(packed);
        while table[slot] != 0 {
            slot = (slot + 1) % KEYWORD_SLOTS;
        }
        table[slot] = packed;
        k += 1;
    }
    table
};

/// Whether the ASCII identifier `bytes[start..end]` is one of memor's keywords.
fn is_keyword(bytes: &[u8], start: usize, end: usize) -> bool {
    let len = end.saturating_sub(start);
    // The empty identifier would match an empty slot.
    if len == 0 || len > MAX_KEYWORD_LEN {
        return false;
    }
    let packed = if let Some(Ok(lanes)) = bytes.get(start..start + 16).map(<[u8; 16]>::try_from) {
        // Sixteen bytes at once, the identifier's kept.
        u128::from_le_bytes(lanes) & ((1u128 << (8 * len)) - 1)
    } else {
        pack_identifier(bytes.get(start..end).unwrap_or_default())
    };
    let mut slot = keyword_slot(packed);
    loop {
        match KEYWORD_TABLE.get(slot) {
            Some(&entry) if entry == packed => return true,
            Some(&entry) if entry != 0 => slot = (slot + 1) % KEYWORD_SLOTS,
            _ => return false,
        }
    }
}

/// The eight bytes of `bytes` from `i` (little endian), continuation bytes (`0x80`) past the
/// end.
fn load_word(bytes: &[u8], i: usize) -> u64 {
    if let Some(Ok(lanes)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
        u64::from_le_bytes(lanes)
    } else {
        let mut lanes = [0x80u8; 8];
        for (to, &from) in lanes.iter_mut().zip(bytes.get(i..).unwrap_or_default()) {
            *to = from;
        }
        u64::from_le_bytes(lanes)
    }
}

/// The lanes (high bit of each byte) of `w` that are ASCII letters.
const fn letter_lanes(w: u64) -> u64 {
    // Setting bit 5 maps exactly the letters to 0x61..=0x7A.
    let folded = w | splat(0x20);
    !w & low7_at_least(folded, 0x61) & !low7_at_least(folded, 0x7B)
}

/// The lanes of `w` that are identifier bytes, `[A-Za-z0-9_]`.
const fn identifier_lanes(w: u64) -> u64 {
    let digits = !w & low7_at_least(w, 0x30) & !low7_at_least(w, 0x3A);
    letter_lanes(w) | digits | eq_lanes(w, b'_')
}

/// The lanes of `w` that are vowels of memor's `[aeiou]+|[^aeiou]+` split.
const fn vowel_lanes(w: u64) -> u64 {
    eq_lanes(w, b'a')
        | eq_lanes(w, b'e')
        | eq_lanes(w, b'i')
        | eq_lanes(w, b'o')
        | eq_lanes(w, b'u')
}

/// Scans the identifier `[A-Za-z_][A-Za-z0-9_]*` that starts at byte `start` (an identifier
/// start), eight bytes at a time, and returns its end and its score: `_count_code_tokens` when
/// `CODE`, else `_count_text_tokens`.
fn identifier<const CODE: bool>(bytes: &[u8], start: usize) -> (usize, usize) {
    let mut i = start;
    let mut underscores = 0usize;
    let mut capitals = 0usize;
    // Vowel/non-vowel changes after the first byte, and the previous byte's vowel lane moved
    // to lane 0.
    let mut changes = 0usize;
    let mut previous_vowel = 0u64;
    let mut first = true;
    loop {
        let w = load_word(bytes, i);
        let outside = !identifier_lanes(w) & HIGH;
        // The lanes of the identifier in `w`.
        let (lanes, taken) = if outside == 0 {
            (HIGH, 8)
        } else {
            let n = outside.trailing_zeros() / 8;
            (HIGH & ((1u64 << (8 * n)) - 1), n as usize)
        };
        if CODE {
            underscores += count_lanes(eq_lanes(w, b'_') & lanes);
            capitals += count_lanes(letter_lanes(w) & !w << 2 & lanes);
        } else {
            let vowels = vowel_lanes(w);
            let mut changed = (vowels ^ (vowels << 8 | previous_vowel)) & lanes;
            if first {
                changed &= !0x80;
            }
            changes += count_lanes(changed);
            previous_vowel = vowels >> 56;
        }
        first = false;
        i += taken;
        if taken < 8 {
            break;
        }
    }
    let score = if CODE {
        // A keyword is 1, else `len(token.split("_"))`, else the number of `[A-Z][a-z]*` (the
        // capitals), else 1.
        if is_keyword(bytes, start, i) {
            1
        } else if underscores > 0 {
            underscores + 1
        } else {
            capitals.max(1)
        }
    } else if i - start == 1 {
        1
    } else {
        // Prefixes + suffixes + max(1, len(vowel runs) // 2).
        let runs = changes + 1;
        affixes(bytes, start, i) + (runs / 2).max(1)
    };
    (i, score)
}

/// memor 1.4's `universal_tokens_estimator` (`UNIVERSAL`, memor's default estimator).
///
/// The empty text and whitespace give 0.
pub fn universal(text: &str) -> usize {
    if is_code_snippet(text) {
        universal_scan::<true>(text)
    } else {
        universal_scan::<false>(text)
    }
}

/// The universal estimate of `text`, scored as code (`CODE`) or as prose.
fn universal_scan<const CODE: bool>(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut total = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t'..=b'\r' | 0x1C..=0x1F => i += 1,
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                let (end, score) = identifier::<CODE>(bytes, i);
                total += score;
                i = end;
            }
            b'0'..=b'9' => i = digit_run(text, i, &mut total),
            b'"' | b'\'' => {
                if !CODE && b == b'\'' && is_elided(text, i) {
                    // Prose: this apostrophe became a space.
                    i += 1;
                    continue;
                }
                let close = if CODE || b == b'"' {
                    find_byte(text, i + 1, b)
                } else {
                    closing_apostrophe(text, i + 1)
                };
                if let Some(k) = close {
                    // `"[^"]*"` or `'[^']*'`
                    let token = bytes.get(i..=k).unwrap_or_default();
                    total += if CODE {
                        // `max(1, len(token) // 6)`
                        at_least_one(char_count(token), 6)
                    } else {
                        text_quoted_tokens(token)
                    };
                    i = k + 1;
                } else {
                    // A lone quote: `\S`.
                    total += 1;
                    i += 1;
                }
            }
            0x80.. => {
                let Some(c) = char_at(text, i) else {
                    // Unreachable: `i` is always on a character boundary.
                    i += 1;
                    continue;
                };
                if is_py_decimal(c) {
                    i = digit_run(text, i, &mut total);
                } else {
                    // `\S` scores 1; whitespace nothing.
                    total += usize::from(!is_py_space(c));
                    i += c.len_utf8();
                }
            }
            // Any other ASCII character is a one-character token.
            _ => {
                total += 1;
                i += 1;
            }
        }
    }
    total
}

/// The number of characters in UTF-8 `bytes`: the bytes that are not continuation bytes.
fn char_count(bytes: &[u8]) -> usize {
    let is_start = |b: u8| (b as i8) >= -0x40;
    let mut blocks = bytes.chunks_exact(64);
    let mut count = 0usize;
    for block in &mut blocks {
        // A byte-wide count per block vectorizes well.
        let mut starts = 0u8;
        for &b in block {
            starts += u8::from(is_start(b));
        }
        count += usize::from(starts);
    }
    count + blocks.remainder().iter().filter(|&&b| is_start(b)).count()
}

/// The byte index of the first `byte` (ASCII) in `text` at or after byte `from` (memchr).
fn find_byte(text: &str, from: usize, byte: u8) -> Option<usize> {
    let rest = text.get(from..)?;
    rest.find(char::from(byte)).map(|k| from + k)
}

/// Scans the `\d+` run starting at byte `start`, adds its score to `total` (`max(1, n // 4)` for
/// `n` digits, as code and as text) and returns the byte after the run.
#[allow(
    clippy::inline_always,
    reason = "measured: texts full of numbers run a tenth faster inlined"
)]
#[inline(always)]
fn digit_run(text: &str, start: usize, total: &mut usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut n = 0usize;
    loop {
        let ascii = bytes
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        n += ascii;
        i += ascii;
        if bytes.get(i).is_none_or(u8::is_ascii) {
            break;
        }
        // Another script's decimal digit goes on with the run.
        match char_at(text, i).filter(|&c| is_py_decimal(c)) {
            Some(c) => {
                n += 1;
                i += c.len_utf8();
            }
            None => break,
        }
    }
    *total += at_least_one(n, 4);
    i
}

/// Whether the apostrophe at byte `i` lies between two `\w` characters, so that memor's prose
/// preprocessing (`re.sub(r"(?<=\w)'(?=\w)", " ", message)`) turns it into a space.
fn is_elided(text: &str, i: usize) -> bool {
    char_before(text, i).is_some_and(is_py_word) && char_at(text, i + 1).is_some_and(is_py_word)
}

/// The byte index of the first apostrophe at or after `from` that memor's prose preprocessing
/// keeps.
fn closing_apostrophe(text: &str, from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let k = find_byte(text, i, b'\'')?;
        if !is_elided(text, k) {
            return Some(k);
        }
        i = k + 1;
    }
}

// ---------------------------------------------------------------------------------------------
// OPENAI_GPT_3_5 and OPENAI_GPT_4
// ---------------------------------------------------------------------------------------------

/// Bytes scanned per block by [`openai_raw_estimate`].
const BLOCK: usize = 64;

/// The running counts of [`openai_raw_estimate`], gathered block by block.
#[derive(Default)]
struct OpenAiScan {
    /// Characters (code points): the bytes that are not UTF-8 continuation bytes.
    chars: usize,
    /// `text.count(" ")` plus the characters in `,.?!;:`.
    spaces_and_punctuation: usize,
    /// `text.count("\n")`.
    newlines: usize,
    /// Characters above U+2710.
    rare: usize,
    /// Whether one of the one-letter keywords `a b i p t u` occurs.
    keyword_letter: bool,
    /// Whether an ASCII letter occurs (every keyword starts with one).
    ascii_letter: bool,
    /// Character index where the current word (run of non-whitespace) starts.
    word_start: usize,
    /// memor's `long_word_penalty`, summed in word order.
    long_word_penalty: f64,
}

impl OpenAiScan {
    /// Scans the block of [`BLOCK`] bytes that starts at byte `base` of `bytes`; bytes past
    /// the end of the text are continuation bytes (`0x80`), which count nothing.
    #[allow(
        clippy::needless_bitwise_bool,
        reason = "branch-free tests, which the compiler vectorizes"
    )]
    fn block(&mut self, bytes: &[u8], base: usize, block: &[u8; BLOCK]) {
        // Counts first, in a loop without branches that vectorizes (at most 64 each).
        let mut chars = 0u8;
        let mut spaces_and_punctuation = 0u8;
        let mut newlines = 0u8;
        let mut rare = 0u8;
        let mut letters = 0u8;
        let mut ascii_letters = 0u8;
        let mut all = 0u8;
        for &b in block {
            // `|` rather than `matches!`, which would branch.
            chars += u8::from((b as i8) >= -0x40);
            spaces_and_punctuation += u8::from(
                (b == b' ')
                    | (b == b',')
                    | (b == b'.')
                    | (b == b'?')
                    | (b == b'!')
                    | (b == b';')
                    | (b == b':'),
            );
            newlines += u8::from(b == b'\n');
            // Lead bytes 0xE3..=0xF4 start characters from U+3000 up.
            rare += u8::from(b >= 0xE3);
            letters |= u8::from(
                (b == b'a') | (b == b'b') | (b == b'i') | (b == b'p') | (b == b't') | (b == b'u'),
            );
            ascii_letters |= u8::from((b | 0x20).wrapping_sub(b'a') < 26);
            all |= b;
        }
        let chars_before = self.chars;
        self.chars += usize::from(chars);
        self.spaces_and_punctuation += usize::from(spaces_and_punctuation);
        self.newlines += usize::from(newlines);
        self.rare += usize::from(rare);
        self.keyword_letter |= letters != 0;
        self.ascii_letter |= ascii_letters != 0;

        // Then the whitespace, as one bit a byte: ASCII (0x09..=0x0D and 0x1C..=0x20) in a
        // loop that vectorizes, the rest eight bytes at a time when there are non-ASCII bytes.
        let mut flags = [0u8; BLOCK];
        for (flag, &b) in flags.iter_mut().zip(block) {
            *flag = u8::from((b.wrapping_sub(0x09) < 5) | (b.wrapping_sub(0x1C) < 5));
        }
        let mut space = 0u64;
        // Bit k: byte k is a UTF-8 continuation byte (no character starts there).
        let mut continuation = 0u64;
        for (i, (chunk, flag)) in block.chunks_exact(8).zip(flags.chunks_exact(8)).enumerate() {
            let mut lanes = [0u8; 8];
            lanes.copy_from_slice(flag);
            // Byte k of `found` is 1 where byte k is ASCII whitespace.
            let found = u64::from_le_bytes(lanes);
            let mut bits = gather_lanes(found << 7);
            if all >= 0x80 {
                lanes.copy_from_slice(chunk);
                let w = u64::from_le_bytes(lanes);
                if w & HIGH != 0 {
                    bits |= gather_lanes(self.multibyte(bytes, base + 8 * i, w));
                    continuation |= gather_lanes(w & !(w << 1) & HIGH) << (8 * i);
                }
            }
            space |= bits << (8 * i);
        }
        self.words(chars_before, space, continuation);
    }

    /// For the eight bytes `w` (little endian, at byte `base` of `bytes`, some not ASCII):
    /// counts the characters U+2711..U+2FFF they start and returns the lanes (high bit of each
    /// byte lane) that start a multi-byte whitespace character.
    fn multibyte(&mut self, bytes: &[u8], base: usize, w: u64) -> u64 {
        let e2 = eq_lanes(w, 0xE2);
        let candidates = eq_lanes(w, 0xC2) | eq_lanes(w, 0xE1) | e2 | eq_lanes(w, 0xE3);
        if candidates == 0 {
            return 0;
        }
        // Lane k of `w1` and `w2`: the byte one and two places after byte k.
        let byte = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
        let w1 = (w >> 8) | byte(base + 8) << 56;
        let w2 = (w >> 16) | byte(base + 8) << 48 | byte(base + 9) << 56;
        // 0xE2 starts U+2000..U+2FFF: above U+2710 from 0xE2 0x9C 0x91 on.
        let above =
            (w1 & low7_at_least(w1, 0x1D)) | (eq_lanes(w1, 0x9C) & w2 & low7_at_least(w2, 0x11));
        self.rare += count_lanes(e2 & above);
        // U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000
        // (a byte after 0xE2 0x80 is a continuation byte).
        let e2_80 = e2 & eq_lanes(w1, 0x80);
        (eq_lanes(w, 0xC2) & (eq_lanes(w1, 0x85) | eq_lanes(w1, 0xA0)))
            | (eq_lanes(w, 0xE1) & eq_lanes(w1, 0x9A) & eq_lanes(w2, 0x80))
            | (e2_80 & !low7_at_least(w2, 0x0B))
            | (e2_80 & (eq_lanes(w2 & splat(0xFE), 0xA8) | eq_lanes(w2, 0xAF)))
            | (e2 & eq_lanes(w1, 0x81) & eq_lanes(w2, 0x9F))
            | (eq_lanes(w, 0xE3) & eq_lanes(w1, 0x80) & eq_lanes(w2, 0x80))
    }

    /// Ends the words that the whitespace of one block delimits: bit k of `space` flags a
    /// whitespace character starting at byte k of the block, bit k of `continuation` a UTF-8
    /// continuation byte; the block starts at character `chars_before`.
    fn words(&mut self, chars_before: usize, space: u64, continuation: u64) {
        if space == 0 {
            return;
        }
        // The index of the character that starts at byte k of the block (the test spares
        // ASCII blocks a population count, slow without a `popcnt` instruction).
        let char_index = |k: u32| {
            let skipped = if continuation == 0 {
                0
            } else {
                (continuation & ((1u64 << k) - 1)).count_ones()
            };
            chars_before + (k - skipped) as usize
        };
        let first = space.trailing_zeros();
        let last = space.ilog2();
        // Bit k of `long`: bytes k..k+16 of the block hold no whitespace. A word of 16
        // characters or more has at least 16 bytes.
        let z = !space;
        let mut long = z & (z >> 1);
        long &= long >> 2;
        long &= long >> 4;
        long &= long >> 8;
        let between = (u64::MAX << first) & ((1u64 << last) - 1);
        if long & between == 0 {
            // Only the word that ends at `first` can be long enough to count.
            self.end_word(char_index(first));
        } else {
            let mut rest = space;
            while rest != 0 {
                let k = rest.trailing_zeros();
                rest &= rest - 1;
                let index = char_index(k);
                self.end_word(index);
                self.word_start = index + 1;
            }
        }
        self.word_start = char_index(last) + 1;
    }

    /// Ends the current word before character `end`, adding memor's penalty if it is longer
    /// than 15 characters.
    fn end_word(&mut self, end: usize) {
        let n = end.saturating_sub(self.word_start);
        if n > 15 {
            self.long_word_penalty += n as f64 / 10.0;
        }
    }
}

/// Gathers the high bit of each byte lane of `lanes` into bits 0..8 (lane k to bit k).
const fn gather_lanes(lanes: u64) -> u64 {
    // Bit 8k of `lanes >> 7` goes to bit 56 + k of the product; no other term reaches bits
    // 56..64, and the terms below do not carry.
    ((lanes >> 7) & (HIGH >> 7)).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// memor 1.4's `_openai_tokens_estimator`: the floating point estimate shared by
/// [`openai_gpt_3_5`] and [`openai_gpt_4`], before the GPT-4 factor and the truncation.
///
/// The operations are Python's, in Python's order, so the value is bit for bit memor's.
pub fn openai_raw_estimate(text: &str) -> f64 {
    let bytes = text.as_bytes();
    let mut scan = OpenAiScan::default();
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut base = 0usize;
    for block in &mut blocks {
        if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
            scan.block(bytes, base, block);
        }
        base += BLOCK;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut block = [0x80u8; BLOCK];
        for (to, &from) in block.iter_mut().zip(rest) {
            *to = from;
        }
        scan.block(bytes, base, &block);
    }
    scan.end_word(scan.chars);

    let mut estimate = scan.chars as f64 / 4.0;
    estimate += scan.spaces_and_punctuation as f64 * 0.5;
    if scan.keyword_letter || (scan.ascii_letter && contains_substring_keyword(bytes)) {
        estimate *= 1.1;
    }
    estimate += scan.newlines as f64 * 0.8;
    estimate += scan.long_word_penalty;
    if text.contains("http") {
        estimate *= 1.1;
    }
    estimate += scan.rare as f64 * 0.8;
    estimate
}

/// Whether `text` holds one of [`SUBSTRING_KEYWORDS`] (memor tests every keyword with `in`).
fn contains_substring_keyword(bytes: &[u8]) -> bool {
    (0..bytes.len()).any(|i| {
        let rest = bytes.get(i..).unwrap_or_default();
        let Some(&first) = rest.first() else {
            return false;
        };
        if !first.is_ascii_alphabetic() {
            return false;
        }
        let start = SUBSTRING_KEYWORDS.partition_point(|k| k.as_bytes().first() < Some(&first));
        SUBSTRING_KEYWORDS
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|k| k.as_bytes().first() == Some(&first))
            .any(|k| rest.starts_with(k.as_bytes()))
    })
}

/// Python's `int(max(1, estimate))`.
fn truncate_at_least_one(estimate: f64) -> usize {
    if estimate > 1.0 { estimate as usize } else { 1 }
}

/// memor 1.4's `openai_tokens_estimator_gpt_3_5` (`OPENAI_GPT_3_5`). Never less than 1.
pub fn openai_gpt_3_5(text: &str) -> usize {
    truncate_at_least_one(openai_raw_estimate(text))
}

/// memor 1.4's `openai_tokens_estimator_gpt_4` (`OPENAI_GPT_4`): the GPT-3.5 estimate times
/// 1.05 before truncation. Never less than 1.
pub fn openai_gpt_4(text: &str) -> usize {
    truncate_at_least_one(openai_raw_estimate(text) * 1.05)
}

// ---------------------------------------------------------------------------------------------
// Tables generated from Python 3.11.7 (Unicode 14.0) and memor 1.4's keywords by:
//
//     # Generates the tables below from Python 3.11.7 (Unicode 14.0) and memor 1.4.
//     from memor.keywords import PROGRAMMING_LANGUAGES_KEYWORDS as K
//
//     def ranges(pred):
//         out, start = [], None
//         for c in range(0x110001):
//             ok = c < 0x110000 and pred(chr(c))
//             if ok and start is None:
//                 start = c
//             elif not ok and start is not None:
//                 out.append((start, c - 1))
//                 start = None
//         return out
//
//     def emit_ranges(kind, name, doc, rs):
//         print(doc)
//         print("#[rustfmt::skip]")
//         print(f"{kind} {name}: [(u32, u32); {len(rs)}] = [")
//         items = [f"(0x{a:X}, 0x{b:X})," for a, b in rs]
//         line = "   "
//         for it in items:
//             if len(line) + 1 + len(it) > 100:
//                 print(line)
//                 line = "   "
//             line += " " + it
//         print(line)
//         print("];")
//
//     def emit_strs(kind, name, doc, words):
//         print(doc)
//         print("#[rustfmt::skip]")
//         print(f"{kind} {name}: [&str; {len(words)}] = [")
//         line = "   "
//         for w in words:
//             it = f'"{w}",'
//             if len(line) + 1 + len(it) > 100:
//                 print(line)
//                 line = "   "
//             line += " " + it
//         print(line)
//         print("];")
//
//     emit_ranges("static", "WORD_RANGES", "/// Code points matching Python's `re` `\\w` (`str.isalnum()` or `_`), as sorted inclusive ranges.",
//                 ranges(lambda ch: ch.isalnum() or ch == "_"))
//     emit_ranges("const", "DECIMAL_RANGES", "/// Code points matching Python's `re` `\\d` (`str.isdecimal()`), as sorted inclusive ranges.",
//                 ranges(lambda ch: ch.isdecimal()))
//     emit_strs("const", "IDENTIFIER_KEYWORDS",
//               "/// memor's keywords that can be a token of the universal estimator (ASCII identifiers), sorted.",
//               sorted(k for k in K if k.isascii() and k.isidentifier()))
//     single = [k for k in K if len(k) == 1]
//     assert sorted(single) == ["a", "b", "i", "p", "t", "u"]
//     rest = [k for k in K if not any(s in k for s in single)]
//     emit_strs("static", "SUBSTRING_KEYWORDS",
//               "/// memor's keywords that contain neither another keyword nor one of `a b i p t u`, sorted.",
//               sorted(k for k in rest if not any(o != k and o in k for o in rest)))
// ---------------------------------------------------------------------------------------------

/// Code points matching Python's `re` `\w` (`str.isalnum()` or `_`), as sorted inclusive ranges.
#[rustfmt::skip]
static WORD_RANGES: [(u32, u32); 734] = [
    (0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A), (0xAA, 0xAA), (0xB2, 0xB3),
    (0xB5, 0xB5), (0xB9, 0xBA), (0xBC, 0xBE), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2C1),
    (0x2C6, 0x2D1), (0x2E0, 0x2E4), (0x2EC, 0x2EC), (0x2EE, 0x2EE), (0x370, 0x374), (0x376, 0x377),
    (0x37A, 0x37D), (0x37F, 0x37F), (0x386, 0x386), (0x388, 0x38A), (0x38C, 0x38C), (0x38E, 0x3A1),
    (0x3A3, 0x3F5), (0x3F7, 0x481), (0x48A, 0x52F), (0x531, 0x556), (0x559, 0x559), (0x560, 0x588),
    (0x5D0, 0x5EA), (0x5EF, 0x5F2), (0x620, 0x64A), (0x660, 0x669), (0x66E, 0x66F), (0x671, 0x6D3),
    (0x6D5, 0x6D5), (0x6E5, 0x6E6), (0x6EE, 0x6FC), (0x6FF, 0x6FF), (0x710, 0x710), (0x712, 0x72F),
    (0x74D, 0x7A5), (0x7B1, 0x7B1), (0x7C0, 0x7EA), (0x7F4, 0x7F5), (0x7FA, 0x7FA), (0x800, 0x815),
    (0x81A, 0x81A), (0x824, 0x824), (0x828, 0x828), (0x840, 0x858), (0x860, 0x86A), (0x870, 0x887),
    (0x889, 0x88E), (0x8A0, 0x8C9), (0x904, 0x939), (0x93D, 0x93D), (0x950, 0x950), (0x958, 0x961),
    (0x966, 0x96F), (0x971, 0x980), (0x985, 0x98C), (0x98F, 0x990), (0x993, 0x9A8), (0x9AA, 0x9B0),
    (0x9B2, 0x9B2), (0x9B6, 0x9B9), (0x9BD, 0x9BD), (0x9CE, 0x9CE), (0x9DC, 0x9DD), (0x9DF, 0x9E1),
    (0x9E6, 0x9F1), (0x9F4, 0x9F9), (0x9FC, 0x9FC), (0xA05, 0xA0A), (0xA0F, 0xA10), (0xA13, 0xA28),
    (0xA2A, 0xA30), (0xA32, 0xA33), (0xA35, 0xA36), (0xA38, 0xA39), (0xA59, 0xA5C), (0xA5E, 0xA5E),
    (0xA66, 0xA6F), (0xA72, 0xA74), (0xA85, 0xA8D), (0xA8F, 0xA91), (0xA93, 0xAA8), (0xAAA, 0xAB0),
    (0xAB2, 0xAB3), (0xAB5, 0xAB9), (0xABD, 0xABD), (0xAD0, 0xAD0), (0xAE0, 0xAE1), (0xAE6, 0xAEF),
    (0xAF9, 0xAF9), (0xB05, 0xB0C), (0xB0F, 0xB10), (0xB13, 0xB28), (0xB2A, 0xB30), (0xB32, 0xB33),
    (0xB35, 0xB39), (0xB3D, 0xB3D), (0xB5C, 0xB5D), (0xB5F, 0xB61), (0xB66, 0xB6F), (0xB71, 0xB77),
    (0xB83, 0xB83), (0xB85, 0xB8A), (0xB8E, 0xB90), (0xB92, 0xB95), (0xB99, 0xB9A), (0xB9C, 0xB9C),
    (0xB9E, 0xB9F), (0xBA3, 0xBA4), (0xBA8, 0xBAA), (0xBAE, 0xBB9), (0xBD0, 0xBD0), (0xBE6, 0xBF2),
    (0xC05, 0xC0C), (0xC0E, 0xC10), (0xC12, 0xC28), (0xC2A, 0xC39), (0xC3D, 0xC3D), (0xC58, 0xC5A),
    (0xC5D, 0xC5D), (0xC60, 0xC61), (0xC66, 0xC6F), (0xC78, 0xC7E), (0xC80, 0xC80), (0xC85, 0xC8C),
    (0xC8E, 0xC90), (0xC92, 0xCA8), (0xCAA, 0xCB3), (0xCB5, 0xCB9), (0xCBD, 0xCBD), (0xCDD, 0xCDE),
    (0xCE0, 0xCE1), (0xCE6, 0xCEF), (0xCF1, 0xCF2), (0xD04, 0xD0C), (0xD0E, 0xD10), (0xD12, 0xD3A),
    (0xD3D, 0xD3D), (0xD4E, 0xD4E), (0xD54, 0xD56), (0xD58, 0xD61), (0xD66, 0xD78), (0xD7A, 0xD7F),
    (0xD85, 0xD96), (0xD9A, 0xDB1), (0xDB3, 0xDBB), (0xDBD, 0xDBD), (0xDC0, 0xDC6), (0xDE6, 0xDEF),
    (0xE01, 0xE30), (0xE32, 0xE33), (0xE40, 0xE46), (0xE50, 0xE59), (0xE81, 0xE82), (0xE84, 0xE84),
    (0xE86, 0xE8A), (0xE8C, 0xEA3), (0xEA5, 0xEA5), (0xEA7, 0xEB0), (0xEB2, 0xEB3), (0xEBD, 0xEBD),
    (0xEC0, 0xEC4), (0xEC6, 0xEC6), (0xED0, 0xED9), (0xEDC, 0xEDF), (0xF00, 0xF00), (0xF20, 0xF33),
    (0xF40, 0xF47), (0xF49, 0xF6C), (0xF88, 0xF8C), (0x1000, 0x102A), (0x103F, 0x1049),
    (0x1050, 0x1055), (0x105A, 0x105D), (0x1061, 0x1061), (0x1065, 0x1066), (0x106E, 0x1070),
    (0x1075, 0x1081), (0x108E, 0x108E), (0x1090, 0x1099), (0x10A0, 0x10C5), (0x10C7, 0x10C7),
    (0x10CD, 0x10CD), (0x10D0, 0x10FA), (0x10FC, 0x1248), (0x124A, 0x124D), (0x1250, 0x1256),
    (0x1258, 0x1258), (0x125A, 0x125D), (0x1260, 0x1288), (0x128A, 0x128D), (0x1290, 0x12B0),
    (0x12B2, 0x12B5), (0x12B8, 0x12BE), (0x12C0, 0x12C0), (0x12C2, 0x12C5), (0x12C8, 0x12D6),
    (0x12D8, 0x1310), (0x1312, 0x1315), (0x1318, 0x135A), (0x1369, 0x137C), (0x1380, 0x138F),
    (0x13A0, 0x13F5), (0x13F8, 0x13FD), (0x1401, 0x166C), (0x166F, 0x167F), (0x1681, 0x169A),
    (0x16A0, 0x16EA), (0x16EE, 0x16F8), (0x1700, 0x1711), (0x171F, 0x1731), (0x1740, 0x1751),
    (0x1760, 0x176C), (0x176E, 0x1770), (0x1780, 0x17B3), (0x17D7, 0x17D7), (0x17DC, 0x17DC),
    (0x17E0, 0x17E9), (0x17F0, 0x17F9), (0x1810, 0x1819), (0x1820, 0x1878), (0x1880, 0x1884),
    (0x1887, 0x18A8), (0x18AA, 0x18AA), (0x18B0, 0x18F5), (0x1900, 0x191E), (0x1946, 0x196D),
    (0x1970, 0x1974), (0x1980, 0x19AB), (0x19B0, 0x19C9), (0x19D0, 0x19DA), (0x1A00, 0x1A16),
    (0x1A20, 0x1A54), (0x1A80, 0x1A89), (0x1A90, 0x1A99), (0x1AA7, 0x1AA7), (0x1B05, 0x1B33),
    (0x1B45, 0x1B4C), (0x1B50, 0x1B59), (0x1B83, 0x1BA0), (0x1BAE, 0x1BE5), (0x1C00, 0x1C23),
    (0x1C40, 0x1C49), (0x1C4D, 0x1C7D), (0x1C80, 0x1C88), (0x1C90, 0x1CBA), (0x1CBD, 0x1CBF),
    (0x1CE9, 0x1CEC), (0x1CEE, 0x1CF3), (0x1CF5, 0x1CF6), (0x1CFA, 0x1CFA), (0x1D00, 0x1DBF),
    (0x1E00, 0x1F15), (0x1F18, 0x1F1D), (0x1F20, 0x1F45), (0x1F48, 0x1F4D), (0x1F50, 0x1F57),
    (0x1F59, 0x1F59), (0x1F5B, 0x1F5B), (0x1F5D, 0x1F5D), (0x1F5F, 0x1F7D), (0x1F80, 0x1FB4),
    (0x1FB6, 0x1FBC), (0x1FBE, 0x1FBE), (0x1FC2, 0x1FC4), (0x1FC6, 0x1FCC), (0x1FD0, 0x1FD3),
    (0x1FD6, 0x1FDB), (0x1FE0, 0x1FEC), (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFC), (0x2070, 0x2071),
    (0x2074, 0x2079), (0x207F, 0x2089), (0x2090, 0x209C), (0x2102, 0x2102), (0x2107, 0x2107),
    (0x210A, 0x2113), (0x2115, 0x2115), (0x2119, 0x211D), (0x2124, 0x2124), (0x2126, 0x2126),
    (0x2128, 0x2128), (0x212A, 0x212D), (0x212F, 0x2139), (0x213C, 0x213F), (0x2145, 0x2149),
    (0x214E, 0x214E), (0x2150, 0x2189), (0x2460, 0x249B), (0x24EA, 0x24FF), (0x2776, 0x2793),
    (0x2C00, 0x2CE4), (0x2CEB, 0x2CEE), (0x2CF2, 0x2CF3), (0x2CFD, 0x2CFD), (0x2D00, 0x2D25),
    (0x2D27, 0x2D27), (0x2D2D, 0x2D2D), (0x2D30, 0x2D67), (0x2D6F, 0x2D6F), (0x2D80, 0x2D96),
    (0x2DA0, 0x2DA6), (0x2DA8, 0x2DAE), (0x2DB0, 0x2DB6), (0x2DB8, 0x2DBE), (0x2DC0, 0x2DC6),
    (0x2DC8, 0x2DCE), (0x2DD0, 0x2DD6), (0x2DD8, 0x2DDE), (0x2E2F, 0x2E2F), (0x3005, 0x3007),
    (0x3021, 0x3029), (0x3031, 0x3035), (0x3038, 0x303C), (0x3041, 0x3096), (0x309D, 0x309F),
    (0x30A1, 0x30FA), (0x30FC, 0x30FF), (0x3105, 0x312F), (0x3131, 0x318E), (0x3192, 0x3195),
    (0x31A0, 0x31BF), (0x31F0, 0x31FF), (0x3220, 0x3229), (0x3248, 0x324F), (0x3251, 0x325F),
    (0x3280, 0x3289), (0x32B1, 0x32BF), (0x3400, 0x4DBF), (0x4E00, 0xA48C), (0xA4D0, 0xA4FD),
    (0xA500, 0xA60C), (0xA610, 0xA62B), (0xA640, 0xA66E), (0xA67F, 0xA69D), (0xA6A0, 0xA6EF),
    (0xA717, 0xA71F), (0xA722, 0xA788), (0xA78B, 0xA7CA), (0xA7D0, 0xA7D1), (0xA7D3, 0xA7D3),
    (0xA7D5, 0xA7D9), (0xA7F2, 0xA801), (0xA803, 0xA805), (0xA807, 0xA80A), (0xA80C, 0xA822),
    (0xA830, 0xA835), (0xA840, 0xA873), (0xA882, 0xA8B3), (0xA8D0, 0xA8D9), (0xA8F2, 0xA8F7),
    (0xA8FB, 0xA8FB), (0xA8FD, 0xA8FE), (0xA900, 0xA925), (0xA930, 0xA946), (0xA960, 0xA97C),
    (0xA984, 0xA9B2), (0xA9CF, 0xA9D9), (0xA9E0, 0xA9E4), (0xA9E6, 0xA9FE), (0xAA00, 0xAA28),
    (0xAA40, 0xAA42), (0xAA44, 0xAA4B), (0xAA50, 0xAA59), (0xAA60, 0xAA76), (0xAA7A, 0xAA7A),
    (0xAA7E, 0xAAAF), (0xAAB1, 0xAAB1), (0xAAB5, 0xAAB6), (0xAAB9, 0xAABD), (0xAAC0, 0xAAC0),
    (0xAAC2, 0xAAC2), (0xAADB, 0xAADD), (0xAAE0, 0xAAEA), (0xAAF2, 0xAAF4), (0xAB01, 0xAB06),
    (0xAB09, 0xAB0E), (0xAB11, 0xAB16), (0xAB20, 0xAB26), (0xAB28, 0xAB2E), (0xAB30, 0xAB5A),
    (0xAB5C, 0xAB69), (0xAB70, 0xABE2), (0xABF0, 0xABF9), (0xAC00, 0xD7A3), (0xD7B0, 0xD7C6),
    (0xD7CB, 0xD7FB), (0xF900, 0xFA6D), (0xFA70, 0xFAD9), (0xFB00, 0xFB06), (0xFB13, 0xFB17),
    (0xFB1D, 0xFB1D), (0xFB1F, 0xFB28), (0xFB2A, 0xFB36), (0xFB38, 0xFB3C), (0xFB3E, 0xFB3E),
    (0xFB40, 0xFB41), (0xFB43, 0xFB44), (0xFB46, 0xFBB1), (0xFBD3, 0xFD3D), (0xFD50, 0xFD8F),
    (0xFD92, 0xFDC7), (0xFDF0, 0xFDFB), (0xFE70, 0xFE74), (0xFE76, 0xFEFC), (0xFF10, 0xFF19),
    (0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0xFF66, 0xFFBE), (0xFFC2, 0xFFC7), (0xFFCA, 0xFFCF),
    (0xFFD2, 0xFFD7), (0xFFDA, 0xFFDC), (0x10000, 0x1000B), (0x1000D, 0x10026), (0x10028, 0x1003A),
    (0x1003C, 0x1003D), (0x1003F, 0x1004D), (0x10050, 0x1005D), (0x10080, 0x100FA),
    (0x10107, 0x10133), (0x10140, 0x10178), (0x1018A, 0x1018B), (0x10280, 0x1029C),
    (0x102A0, 0x102D0), (0x102E1, 0x102FB), (0x10300, 0x10323), (0x1032D, 0x1034A),
    (0x10350, 0x10375), (0x10380, 0x1039D), (0x103A0, 0x103C3), (0x103C8, 0x103CF),
    (0x103D1, 0x103D5), (0x10400, 0x1049D), (0x104A0, 0x104A9), (0x104B0, 0x104D3),
    (0x104D8, 0x104FB), (0x10500, 0x10527), (0x10530, 0x10563), (0x10570, 0x1057A),
    (0x1057C, 0x1058A), (0x1058C, 0x10592), (0x10594, 0x10595), (0x10597, 0x105A1),
    (0x105A3, 0x105B1), (0x105B3, 0x105B9), (0x105BB, 0x105BC), (0x10600, 0x10736),
    (0x10740, 0x10755), (0x10760, 0x10767), (0x10780, 0x10785), (0x10787, 0x107B0),
    (0x107B2, 0x107BA), (0x10800, 0x10805), (0x10808, 0x10808), (0x1080A, 0x10835),
    (0x10837, 0x10838), (0x1083C, 0x1083C), (0x1083F, 0x10855), (0x10858, 0x10876),
    (0x10879, 0x1089E), (0x108A7, 0x108AF), (0x108E0, 0x108F2), (0x108F4, 0x108F5),
    (0x108FB, 0x1091B), (0x10920, 0x10939), (0x10980, 0x109B7), (0x109BC, 0x109CF),
    (0x109D2, 0x10A00), (0x10A10, 0x10A13), (0x10A15, 0x10A17), (0x10A19, 0x10A35),
    (0x10A40, 0x10A48), (0x10A60, 0x10A7E), (0x10A80, 0x10A9F), (0x10AC0, 0x10AC7),
    (0x10AC9, 0x10AE4), (0x10AEB, 0x10AEF), (0x10B00, 0x10B35), (0x10B40, 0x10B55),
    (0x10B58, 0x10B72), (0x10B78, 0x10B91), (0x10BA9, 0x10BAF), (0x10C00, 0x10C48),
    (0x10C80, 0x10CB2), (0x10CC0, 0x10CF2), (0x10CFA, 0x10D23), (0x10D30, 0x10D39),
    (0x10E60, 0x10E7E), (0x10E80, 0x10EA9), (0x10EB0, 0x10EB1), (0x10F00, 0x10F27),
    (0x10F30, 0x10F45), (0x10F51, 0x10F54), (0x10F70, 0x10F81), (0x10FB0, 0x10FCB),
    (0x10FE0, 0x10FF6), (0x11003, 0x11037), (0x11052, 0x1106F), (0x11071, 0x11072),
    (0x11075, 0x11075), (0x11083, 0x110AF), (0x110D0, 0x110E8), (0x110F0, 0x110F9),
    (0x11103, 0x11126), (0x11136, 0x1113F), (0x11144, 0x11144), (0x11147, 0x11147),
    (0x11150, 0x11172), (0x11176, 0x11176), (0x11183, 0x111B2), (0x111C1, 0x111C4),
    (0x111D0, 0x111DA), (0x111DC, 0x111DC), (0x111E1, 0x111F4), (0x11200, 0x11211),
    (0x11213, 0x1122B), (0x11280, 0x11286), (0x11288, 0x11288), (0x1128A, 0x1128D),
    (0x1128F, 0x1129D), (0x1129F, 0x112A8), (0x112B0, 0x112DE), (0x112F0, 0x112F9),
    (0x11305, 0x1130C), (0x1130F, 0x11310), (0x11313, 0x11328), (0x1132A, 0x11330),
    (0x11332, 0x11333), (0x11335, 0x11339), (0x1133D, 0x1133D), (0x11350, 0x11350),
    (0x1135D, 0x11361), (0x11400, 0x11434), (0x11447, 0x1144A), (0x11450, 0x11459),
    (0x1145F, 0x11461), (0x11480, 0x114AF), (0x114C4, 0x114C5), (0x114C7, 0x114C7),
    (0x114D0, 0x114D9), (0x11580, 0x115AE), (0x115D8, 0x115DB), (0x11600, 0x1162F),
    (0x11644, 0x11644), (0x11650, 0x11659), (0x11680, 0x116AA), (0x116B8, 0x116B8),
    (0x116C0, 0x116C9), (0x11700, 0x1171A), (0x11730, 0x1173B), (0x11740, 0x11746),
    (0x11800, 0x1182B), (0x118A0, 0x118F2), (0x118FF, 0x11906), (0x11909, 0x11909),
    (0x1190C, 0x11913), (0x11915, 0x11916), (0x11918, 0x1192F), (0x1193F, 0x1193F),
    (0x11941, 0x11941), (0x11950, 0x11959), (0x119A0, 0x119A7), (0x119AA, 0x119D0),
    (0x119E1, 0x119E1), (0x119E3, 0x119E3), (0x11A00, 0x11A00), (0x11A0B, 0x11A32),
    (0x11A3A, 0x11A3A), (0x11A50, 0x11A50), (0x11A5C, 0x11A89), (0x11A9D, 0x11A9D),
    (0x11AB0, 0x11AF8), (0x11C00, 0x11C08), (0x11C0A, 0x11C2E), (0x11C40, 0x11C40),
    (0x11C50, 0x11C6C), (0x11C72, 0x11C8F), (0x11D00, 0x11D06), (0x11D08, 0x11D09),
    (0x11D0B, 0x11D30), (0x11D46, 0x11D46), (0x11D50, 0x11D59), (0x11D60, 0x11D65),
    (0x11D67, 0x11D68), (0x11D6A, 0x11D89), (0x11D98, 0x11D98), (0x11DA0, 0x11DA9),
    (0x11EE0, 0x11EF2), (0x11FB0, 0x11FB0), (0x11FC0, 0x11FD4), (0x12000, 0x12399),
    (0x12400, 0x1246E), (0x12480, 0x12543), (0x12F90, 0x12FF0), (0x13000, 0x1342E),
    (0x14400, 0x14646), (0x16800, 0x16A38), (0x16A40, 0x16A5E), (0x16A60, 0x16A69),
    (0x16A70, 0x16ABE), (0x16AC0, 0x16AC9), (0x16AD0, 0x16AED), (0x16B00, 0x16B2F),
    (0x16B40, 0x16B43), (0x16B50, 0x16B59), (0x16B5B, 0x16B61), (0x16B63, 0x16B77),
    (0x16B7D, 0x16B8F), (0x16E40, 0x16E96), (0x16F00, 0x16F4A), (0x16F50, 0x16F50),
    (0x16F93, 0x16F9F), (0x16FE0, 0x16FE1), (0x16FE3, 0x16FE3), (0x17000, 0x187F7),
    (0x18800, 0x18CD5), (0x18D00, 0x18D08), (0x1AFF0, 0x1AFF3), (0x1AFF5, 0x1AFFB),
    (0x1AFFD, 0x1AFFE), (0x1B000, 0x1B122), (0x1B150, 0x1B152), (0x1B164, 0x1B167),
    (0x1B170, 0x1B2FB), (0x1BC00, 0x1BC6A), (0x1BC70, 0x1BC7C), (0x1BC80, 0x1BC88),
    (0x1BC90, 0x1BC99), (0x1D2E0, 0x1D2F3), (0x1D360, 0x1D378), (0x1D400, 0x1D454),
    (0x1D456, 0x1D49C), (0x1D49E, 0x1D49F), (0x1D4A2, 0x1D4A2), (0x1D4A5, 0x1D4A6),
    (0x1D4A9, 0x1D4AC), (0x1D4AE, 0x1D4B9), (0x1D4BB, 0x1D4BB), (0x1D4BD, 0x1D4C3),
    (0x1D4C5, 0x1D505), (0x1D507, 0x1D50A), (0x1D50D, 0x1D514), (0x1D516, 0x1D51C),
    (0x1D51E, 0x1D539), (0x1D53B, 0x1D53E), (0x1D540, 0x1D544), (0x1D546, 0x1D546),
    (0x1D54A, 0x1D550), (0x1D552, 0x1D6A5), (0x1D6A8, 0x1D6C0), (0x1D6C2, 0x1D6DA),
    (0x1D6DC, 0x1D6FA), (0x1D6FC, 0x1D714), (0x1D716, 0x1D734), (0x1D736, 0x1D74E),
    (0x1D750, 0x1D76E), (0x1D770, 0x1D788), (0x1D78A, 0x1D7A8), (0x1D7AA, 0x1D7C2),
    (0x1D7C4, 0x1D7CB), (0x1D7CE, 0x1D7FF), (0x1DF00, 0x1DF1E), (0x1E100, 0x1E12C),
    (0x1E137, 0x1E13D), (0x1E140, 0x1E149), (0x1E14E, 0x1E14E), (0x1E290, 0x1E2AD),
    (0x1E2C0, 0x1E2EB), (0x1E2F0, 0x1E2F9), (0x1E7E0, 0x1E7E6), (0x1E7E8, 0x1E7EB),
    (0x1E7ED, 0x1E7EE), (0x1E7F0, 0x1E7FE), (0x1E800, 0x1E8C4), (0x1E8C7, 0x1E8CF),
    (0x1E900, 0x1E943), (0x1E94B, 0x1E94B), (0x1E950, 0x1E959), (0x1EC71, 0x1ECAB),
    (0x1ECAD, 0x1ECAF), (0x1ECB1, 0x1ECB4), (0x1ED01, 0x1ED2D), (0x1ED2F, 0x1ED3D),
    (0x1EE00, 0x1EE03), (0x1EE05, 0x1EE1F), (0x1EE21, 0x1EE22), (0x1EE24, 0x1EE24),
    (0x1EE27, 0x1EE27), (0x1EE29, 0x1EE32), (0x1EE34, 0x1EE37), (0x1EE39, 0x1EE39),
    (0x1EE3B, 0x1EE3B), (0x1EE42, 0x1EE42), (0x1EE47, 0x1EE47), (0x1EE49, 0x1EE49),
    (0x1EE4B, 0x1EE4B), (0x1EE4D, 0x1EE4F), (0x1EE51, 0x1EE52), (0x1EE54, 0x1EE54),
    (0x1EE57, 0x1EE57), (0x1EE59, 0x1EE59), (0x1EE5B, 0x1EE5B), (0x1EE5D, 0x1EE5D),
    (0x1EE5F, 0x1EE5F), (0x1EE61, 0x1EE62), (0x1EE64, 0x1EE64), (0x1EE67, 0x1EE6A),
    (0x1EE6C, 0x1EE72), (0x1EE74, 0x1EE77), (0x1EE79, 0x1EE7C), (0x1EE7E, 0x1EE7E),
    (0x1EE80, 0x1EE89), (0x1EE8B, 0x1EE9B), (0x1EEA1, 0x1EEA3), (0x1EEA5, 0x1EEA9),
    (0x1EEAB, 0x1EEBB), (0x1F100, 0x1F10C), (0x1FBF0, 0x1FBF9), (0x20000, 0x2A6DF),
    (0x2A700, 0x2B738), (0x2B740, 0x2B81D), (0x2B820, 0x2CEA1), (0x2CEB0, 0x2EBE0),
    (0x2F800, 0x2FA1D), (0x30000, 0x3134A),
];
/// Code points matching Python's `re` `\d` (`str.isdecimal()`), as sorted inclusive ranges.
#[rustfmt::skip]
const DECIMAL_RANGES: [(u32, u32); 62] = [
    (0x30, 0x39), (0x660, 0x669), (0x6F0, 0x6F9), (0x7C0, 0x7C9), (0x966, 0x96F), (0x9E6, 0x9EF),
    (0xA66, 0xA6F), (0xAE6, 0xAEF), (0xB66, 0xB6F), (0xBE6, 0xBEF), (0xC66, 0xC6F), (0xCE6, 0xCEF),
    (0xD66, 0xD6F), (0xDE6, 0xDEF), (0xE50, 0xE59), (0xED0, 0xED9), (0xF20, 0xF29),
    (0x1040, 0x1049), (0x1090, 0x1099), (0x17E0, 0x17E9), (0x1810, 0x1819), (0x1946, 0x194F),
    (0x19D0, 0x19D9), (0x1A80, 0x1A89), (0x1A90, 0x1A99), (0x1B50, 0x1B59), (0x1BB0, 0x1BB9),
    (0x1C40, 0x1C49), (0x1C50, 0x1C59), (0xA620, 0xA629), (0xA8D0, 0xA8D9), (0xA900, 0xA909),
    (0xA9D0, 0xA9D9), (0xA9F0, 0xA9F9), (0xAA50, 0xAA59), (0xABF0, 0xABF9), (0xFF10, 0xFF19),
    (0x104A0, 0x104A9), (0x10D30, 0x10D39), (0x11066, 0x1106F), (0x110F0, 0x110F9),
    (0x11136, 0x1113F), (0x111D0, 0x111D9), (0x112F0, 0x112F9), (0x11450, 0x11459),
    (0x114D0, 0x114D9), (0x11650, 0x11659), (0x116C0, 0x116C9), (0x11730, 0x11739),
    (0x118E0, 0x118E9), (0x11950, 0x11959), (0x11C50, 0x11C59), (0x11D50, 0x11D59),
    (0x11DA0, 0x11DA9), (0x16A60, 0x16A69), (0x16AC0, 0x16AC9), (0x16B50, 0x16B59),
    (0x1D7CE, 0x1D7FF), (0x1E140, 0x1E149), (0x1E2F0, 0x1E2F9), (0x1E950, 0x1E959),
    (0x1FBF0, 0x1FBF9),
];
/// memor's keywords that can be a token of the universal estimator (ASCII identifiers), sorted.
#[rustfmt::skip]
const IDENTIFIER_KEYWORDS: [&str; 426] = [
    "ACCEPT", "ADD", "AND", "AS", "And", "BEGIN", "CALL", "CANCEL", "CLOSE", "COMPUTE", "CONTINUE",
    "Case", "Catch", "Class", "Const", "DELETE", "DISPLAY", "DIVIDE", "Dim", "Do", "END",
    "EVALUATE", "EXIT", "Each", "Else", "ElseIf", "End", "FALSE", "FROM", "FULL", "False",
    "Finally", "For", "Friend", "Function", "GO", "GOBACK", "HAVING", "IF", "INITIALIZE", "INNER",
    "INSERT", "INSPECT", "If", "Implements", "Imports", "Inf", "Inherits", "JOIN", "LEFT", "LIMIT",
    "Loop", "MERGE", "MOVE", "MULTIPLY", "Me", "Module", "MyBase", "MyClass", "NA", "NOT", "NULL",
    "NaN", "Namespace", "New", "None", "Not", "Nothing", "OFFSET", "ON", "OPEN", "OR", "Or",
    "PERFORM", "Private", "Protected", "Public", "READ", "RETURN", "REWRITE", "RIGHT", "Return",
    "SEARCH", "SELECT", "SET", "SORT", "START", "STOP", "STRING", "SUBTRACT", "Select", "Shared",
    "Static", "String", "Sub", "TRUE", "Then", "Throw", "True", "Try", "UNSTRING", "UPDATE",
    "WHERE", "WRITE", "While", "a", "abstract", "alias", "and", "animation", "apply", "article",
    "as", "aside", "assert", "assign", "async", "atom", "atomic", "auto", "await", "b",
    "background", "bagof", "base", "begin", "blockquote", "body", "bool", "boolean", "border",
    "bottom", "br", "break", "button", "by", "byte", "call", "car", "case", "catch", "cdr", "chan",
    "char", "char_code", "cite", "class", "code", "color", "companion", "compound", "cond", "cons",
    "const", "constant", "constructor", "content", "continue", "copy", "crate", "cursor", "data",
    "declare", "def", "default", "defer", "defmacro", "defun", "delete", "deriving", "display",
    "div", "do", "dolist", "done", "dotimes", "double", "dyn", "dynamic", "echo", "elif", "else",
    "elseif", "elsif", "em", "end", "ensure", "enum", "esac", "eval", "except", "exception", "exec",
    "exit", "explicit", "export", "extends", "extern", "fail", "fallthrough", "false", "fi",
    "fieldset", "filter", "final", "finally", "findall", "flex", "float", "fn", "footer", "for",
    "foreach", "foreign", "form", "format", "friend", "from", "fun", "func", "function", "get",
    "global", "go", "goto", "grid", "guard", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
    "height", "hr", "html", "i", "if", "iframe", "img", "impl", "implementation", "implements",
    "implicit", "import", "in", "inherit", "inherited", "init", "inline", "inout", "input",
    "instance", "instanceof", "int", "integer", "interface", "internal", "is", "label", "lambda",
    "last", "lazy", "left", "legend", "let", "li", "library", "link", "list", "load", "local",
    "long", "loop", "macro", "main", "map", "mapcar", "margin", "match", "meta", "mixin", "mod",
    "module", "move", "mutable", "my", "namespace", "native", "nav", "new", "newtype", "next",
    "nil", "nonatomic", "nonlocal", "not", "nothing", "null", "nullptr", "number", "object", "of",
    "ol", "opacity", "open", "operator", "option", "or", "otherwise", "our", "outline", "overflow",
    "override", "p", "package", "padding", "part", "pass", "persistent", "position", "pre", "print",
    "private", "procedure", "progn", "protected", "protocol", "pub", "public", "published",
    "qualified", "quote", "raise", "range", "read", "readonly", "rec", "record", "redo", "register",
    "repeat", "require", "rescue", "retain", "retract", "return", "right", "safe", "script",
    "sealed", "section", "select", "self", "set", "setof", "setq", "short", "signed", "sizeof",
    "small", "span", "state", "static", "strictfp", "strong", "struct", "style", "sub", "super",
    "suspend", "switch", "synchronized", "t", "table", "tbody", "td", "template", "textarea",
    "tfoot", "th", "thead", "then", "this", "throw", "throws", "title", "top", "tr", "trait",
    "transform", "transient", "transition", "trap", "true", "try", "type", "typedef", "typeof", "u",
    "ul", "undefined", "union", "unit", "unless", "unsafe", "unsigned", "until", "use", "uses",
    "using", "val", "var", "virtual", "visibility", "void", "volatile", "weak", "when", "where",
    "while", "width", "with", "yield",
];
/// memor's keywords that contain neither another keyword nor one of `a b i p t u`, sorted.
#[rustfmt::skip]
static SUBSTRING_KEYWORDS: [&str; 100] = [
    "ACCEPT", "ADD", "AND", "AS", "And", "BEGIN", "CALL", "CANCEL", "CLOSE", "COMPUTE", "DELETE",
    "DISPLAY", "DIVIDE", "Do", "END", "EVALUATE", "EXIT", "Else", "End", "FALSE", "FROM", "FULL",
    "GO", "GROUP BY", "HAVING", "IF", "INITIALIZE", "INNER", "INSERT", "INSPECT", "If", "Inf",
    "JOIN", "LEFT", "LIMIT", "MERGE", "MOVE", "MULTIPLY", "Me", "NA", "NOT", "NULL", "New", "None",
    "ON", "OPEN", "OR", "Or", "READ", "RETURN", "RIGHT", "SEARCH", "SELECT", "SET", "START", "STOP",
    "STRING", "SUBTRACT", "TRUE", "Then", "Try", "UPDATE", "WHERE", "WRITE", "cdr", "code", "cond",
    "cons", "def", "do", "dyn", "echo", "else", "em", "end", "exec", "flex", "fn", "from", "go",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "long", "mod", "move", "my", "new", "of", "ol", "or",
    "overflow", "rec", "self", "when", "where",
];

#[cfg(test)]
mod tests {
    use super::{Estimator, is_code_snippet, openai_raw_estimate};

    /// `(text, UNIVERSAL, OPENAI_GPT_3_5, OPENAI_GPT_4, raw OpenAI estimate)`, each value
    /// obtained from memor 1.4 on Python 3.11.7.
    const CASES: &[(&str, usize, usize, usize, f64)] = &[
        ("", 0, 1, 1, 0.0),
        (" ", 0, 1, 1, 0.75),
        (" \t\n\x1c\x1d\x1e\x1f\u{3000}\u{2028}", 0, 4, 4, 4.35),
        ("\n\n\n\n\n\n", 0, 6, 6, 6.300_000_000_000_001),
        ("def f(x):\n    return x_value + 1\n", 11, 15, 16, 15.625),
        ("It's the reader's 'quoted text' here", 12, 12, 13, 12.65),
        ("don't 'x", 4, 2, 2, 2.75),
        ("x = 'a' + \"bc\" + 12345678", 8, 10, 10, 10.175),
        ("café ²³ ١٢٣٤٥ naïve", 8, 6, 7, 6.875_000_000_000_001),
        (
            "http://example.com/averyveryverylongpathname",
            9,
            19,
            20,
            19.360_000_000_000_003,
        ),
        ("GROUP BY", 2, 2, 2, 2.75),
        ("ZZZ", 1, 1, 1, 0.75),
        ("Ω≈ç√∫ 你好世界", 9, 6, 6, 6.2),
        ("unbelievableness", 9, 6, 6, 6.0),
        ("'", 1, 1, 1, 0.25),
        ("\"", 1, 1, 1, 0.25),
        ("a'b'c 'd'e'", 4, 3, 3, 3.575),
        ("x'²'y", 3, 1, 1, 1.25),
        (
            "superlongwordwithoutspaces\u{2003}another",
            13,
            11,
            12,
            11.950_000_000_000_001,
        ),
    ];

    /// A text built from `(part, repeats)` pairs, then the expected values as in [`CASES`].
    type Built = (&'static [(&'static str, usize)], usize, usize, usize, f64);

    /// Longer texts, which cross the 64-byte blocks of the `OpenAI` scan.
    const BUILT: &[Built] = &[
        (&[("a", 70), ("\u{3000}", 1), ("b", 20)], 2, 34, 36, 34.825),
        (&[("x", 62), ("\u{2003}", 1), ("y", 17)], 2, 27, 29, 27.9),
        (&[("日本語", 30)], 90, 103, 108, 103.5),
        (
            &[("Camel_case_Identifier = someValue + OtherValue;", 1)],
            9,
            17,
            18,
            17.775_000_000_000_002,
        ),
        (&[("\u{2711}\u{2710}\u{27BF}", 1)], 3, 2, 2, 2.35),
    ];

    #[test]
    fn hand_checked_long_values() {
        for &(parts, universal, gpt_3_5, gpt_4, raw) in BUILT {
            let text: String = parts.iter().map(|&(part, n)| part.repeat(n)).collect();
            let text = text.as_str();
            assert_eq!(
                Estimator::Universal.estimate(text),
                universal,
                "UNIVERSAL {text:?}"
            );
            assert_eq!(
                Estimator::OpenAiGpt35.estimate(text),
                gpt_3_5,
                "GPT 3.5 {text:?}"
            );
            assert_eq!(
                Estimator::OpenAiGpt4.estimate(text),
                gpt_4,
                "GPT 4 {text:?}"
            );
            assert_eq!(
                openai_raw_estimate(text).to_bits(),
                raw.to_bits(),
                "raw {text:?}"
            );
        }
    }

    #[test]
    fn hand_checked_values() {
        for &(text, universal, gpt_3_5, gpt_4, raw) in CASES {
            assert_eq!(
                Estimator::Universal.estimate(text),
                universal,
                "UNIVERSAL {text:?}"
            );
            assert_eq!(
                Estimator::OpenAiGpt35.estimate(text),
                gpt_3_5,
                "GPT 3.5 {text:?}"
            );
            assert_eq!(
                Estimator::OpenAiGpt4.estimate(text),
                gpt_4,
                "GPT 4 {text:?}"
            );
            assert_eq!(
                openai_raw_estimate(text).to_bits(),
                raw.to_bits(),
                "raw {text:?}"
            );
        }
    }

    #[test]
    fn code_switch() {
        assert!(is_code_snippet("a-b"));
        assert!(!is_code_snippet("no code, here: [x]."));
    }

    #[test]
    fn names_round_trip() {
        for estimator in Estimator::ALL {
            assert_eq!(estimator.as_str().parse::<Estimator>(), Ok(estimator));
            assert_eq!(estimator.to_string(), estimator.as_str());
        }
        assert_eq!("DEFAULT".parse::<Estimator>(), Ok(Estimator::Universal));
        assert_eq!(Estimator::default(), Estimator::Universal);
        assert!("universal".parse::<Estimator>().is_err());
    }

    #[test]
    fn keyword_table_matches_the_list() {
        for keyword in super::IDENTIFIER_KEYWORDS {
            let bytes = keyword.as_bytes();
            assert!(super::is_keyword(bytes, 0, bytes.len()), "{keyword}");
            // With more text after it, as inside a longer text.
            let padded = format!("{keyword} = 1 + other_text");
            assert!(
                super::is_keyword(padded.as_bytes(), 0, bytes.len()),
                "{keyword}"
            );
        }
        for word in [
            "",
            "x",
            "iff",
            "If_",
            "IF2",
            "self_",
            "implementations",
            "GROUP",
            "Self",
        ] {
            let bytes = word.as_bytes();
            assert!(!super::is_keyword(bytes, 0, bytes.len()), "{word}");
        }
    }

    #[test]
    fn affixes_match_memor_definition() {
        let words = [
            "understanding",
            "unable",
            "under",
            "reading",
            "transitions",
            "dismissed",
            "nonsense",
            "overness",
            "subtle",
            "business",
            "unkindness",
            "preexisting",
            "misleads",
            "class",
            "glass",
            "es",
            "moves",
            "trans",
            "translation",
            "interactive",
            "cautious",
        ];
        for word in words {
            let len = word.len();
            let expected = super::PREFIXES
                .iter()
                .filter(|p| len > p.len() + 3 && word.starts_with(*p))
                .count()
                + super::SUFFIXES
                    .iter()
                    .filter(|s| len > s.len() + 3 && word.ends_with(*s))
                    .count();
            // Alone, and inside a longer text.
            assert_eq!(super::affixes(word.as_bytes(), 0, len), expected, "{word}");
            let text = format!("xy {word} zzzzzzzz");
            assert_eq!(
                super::affixes(text.as_bytes(), 3, 3 + len),
                expected,
                "{word}"
            );
        }
    }

    #[test]
    fn tables_are_sorted_and_disjoint() {
        for table in [&super::WORD_RANGES[..], &super::DECIMAL_RANGES[..]] {
            assert!(table.iter().all(|&(lo, hi)| lo <= hi));
            assert!(
                table
                    .windows(2)
                    .all(|w| matches!(w, [a, b] if a.1 + 1 < b.0))
            );
        }
        for table in [
            &super::IDENTIFIER_KEYWORDS[..],
            &super::SUBSTRING_KEYWORDS[..],
        ] {
            assert!(table.windows(2).all(|w| matches!(w, [a, b] if a < b)));
        }
    }
}
