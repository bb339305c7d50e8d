//! Values printed as CPython 3.11 prints them.
//!
//! - floats: [`float_repr`] is `repr(float)`, the shortest text that reads back to the same
//!   double, with Python's switch to exponent notation below `1e-4` and from `1e16`
//!   (`1e-05`, `1e+16`, `0.1`, `-0.0`, `inf`, `nan`);
//! - strings: [`write_str_repr`] is `repr(str)`, with Python's choice of quotes and its escapes
//!   for characters that Python 3.11 (Unicode 14.0) does not consider printable;
//!   `ascii=true` gives `ascii(str)`;
//! - any template [`Value`]: [`write_str`], [`write_repr`] and [`write_ascii`] are `str()`,
//!   `repr()` and `ascii()`, lists and dicts included.
//!
//! ```
//! use memor_template::py;
//! assert_eq!(py::float_repr(1e16), "1e+16");
//! assert_eq!(py::float_repr(0.1 + 0.2), "0.30000000000000004");
//! let mut s = String::new();
//! py::write_str_repr(&mut s, "it's \u{200d}", false);
//! assert_eq!(s, r#""it's \u200d""#);
//! ```

use std::fmt::Write as _;

use num_bigint::BigInt;

use crate::error::{Error, ErrorKind, Fault, FaultResult};
use crate::unicode;
use crate::value::Value;

/// How deep lists and dicts may nest before `repr` gives up with [`ErrorKind::Recursion`].
pub const MAX_DEPTH: usize = 200;

/// The most decimal digits an integer may have: Python 3.11's default
/// `sys.get_int_max_str_digits()`. Longer integers are refused with a `ValueError`.
pub const MAX_INT_DIGITS: usize = 4300;

/// Whether Python 3.11's `str.isprintable` holds for `c` (Unicode 14.0 tables).
///
/// ```
/// use memor_template::py::is_printable;
/// assert!(is_printable('é'));
/// assert!(!is_printable('\u{a0}'));      // no-break space
/// assert!(!is_printable('\u{1fae8}'));   // assigned after Unicode 14.0
/// ```
pub fn is_printable(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x7F {
        return cp >= 0x20;
    }
    in_ranges(unicode::PRINTABLE, cp)
}

fn in_ranges(table: &[(u32, u32)], cp: u32) -> bool {
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The value of `c` as a Unicode decimal digit (`'7'`, `'٧'`, `'７'`, `'𝟕'`), as Python's
/// `int()` and `str.format` read digits; `None` for anything else (`'²'` included).
pub fn decimal_value(c: char) -> Option<u32> {
    let cp = c as u32;
    if c.is_ascii() {
        return c.to_digit(10);
    }
    let table = unicode::DECIMAL;
    let i = table.partition_point(|&(_, hi, _)| hi < cp);
    match table.get(i) {
        Some(&(lo, _, first)) if lo <= cp => Some(u32::from(first) + (cp - lo)),
        _ => None,
    }
}

/// Writes `repr(s)` (or `ascii(s)` when `ascii` is set) to `out`.
///
/// Quotes are single unless `s` contains `'` and no `"`. Backslash, the quote, `\t`, `\n` and
/// `\r` are escaped; other control characters and, with `ascii`, every non-ASCII character
/// become `\xhh`, `\uhhhh` or `\Uhhhhhhhh`; without `ascii`, so do the characters Python does
/// not consider printable.
pub fn write_str_repr(out: &mut String, s: &str, ascii: bool) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.reserve(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7F => push_escape(out, c),
            c if c.is_ascii() => out.push(c),
            c if ascii || !is_printable(c) => push_escape(out, c),
            c => out.push(c),
        }
    }
    out.push(quote);
}

fn push_escape(out: &mut String, c: char) {
    let cp = c as u32;
    // Writing to a String cannot fail.
    let _ = if cp <= 0xFF {
        write!(out, "\\x{cp:02x}")
    } else if cp <= 0xFFFF {
        write!(out, "\\u{cp:04x}")
    } else {
        write!(out, "\\U{cp:08x}")
    };
}

/// `repr(x)` for a float: the shortest round-trip text, as Python writes it.
///
/// ```
/// use memor_template::py::float_repr;
/// assert_eq!(float_repr(1e-5), "1e-05");
/// assert_eq!(float_repr(1e15), "1000000000000000.0");
/// assert_eq!(float_repr(-0.0), "-0.0");
/// assert_eq!(float_repr(f64::NAN), "nan");
/// ```
pub fn float_repr(x: f64) -> String {
    let mut out = String::with_capacity(24);
    write_float_repr(&mut out, x);
    out
}

/// Writes `repr(x)` for a float to `out`.
pub fn write_float_repr(out: &mut String, x: f64) {
    if (1e-4..1e16).contains(&x.abs()) {
        // Where Python writes fixed notation, zmij's shortest form is Python's repr as it is
        // (`0.7`, `80.0`, `1234.5`).
        out.push_str(zmij::Buffer::new().format_finite(x));
    } else {
        write_float(out, x, FloatCode::Repr, 0, FloatFlags::ADD_DOT_0);
    }
}

/// The layouts of CPython's `PyOS_double_to_string`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FloatCode {
    /// `e`: exponent notation with `precision` digits after the point.
    Exp,
    /// `f`: fixed point with `precision` digits after the point.
    Fixed,
    /// `g`: `precision` significant digits, exponent when the exponent is out of range.
    General,
    /// `r`: the shortest round-trip digits (`repr`).
    Repr,
}

/// Flags of `PyOS_double_to_string`.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct FloatFlags {
    pub(crate) add_dot_0: bool,
    pub(crate) alt: bool,
    pub(crate) no_neg_0: bool,
    pub(crate) upper: bool,
}

impl FloatFlags {
    pub(crate) const ADD_DOT_0: FloatFlags = FloatFlags {
        add_dot_0: true,
        alt: false,
        no_neg_0: false,
        upper: false,
    };
}

/// Writes `x` as CPython's `PyOS_double_to_string(x, code, precision, flags)` does, with a
/// leading `-` for negative values (never `+`).
pub(crate) fn write_float(
    out: &mut String,
    x: f64,
    code: FloatCode,
    precision: usize,
    flags: FloatFlags,
) {
    if !x.is_finite() {
        if x.is_nan() {
            out.push_str(if flags.upper { "NAN" } else { "nan" });
        } else {
            if x < 0.0 {
                out.push('-');
            }
            out.push_str(if flags.upper { "INF" } else { "inf" });
        }
        return;
    }
    let mut negative = x.is_sign_negative();
    let ax = x.abs();
    // Digits without leading or trailing zeros and the position of the decimal point:
    // value = 0.DIGITS * 10**decpt, as David Gay's dtoa returns them.
    let (digits, decpt, precision) = match code {
        FloatCode::Repr => {
            let (d, p) = digits_shortest(ax);
            if flags.no_neg_0 && negative && d.as_str() == "0" {
                negative = false;
            }
            return layout(out, negative, d.as_str(), p, code, 0, flags);
        }
        FloatCode::Exp => {
            let (d, p) = digits_significant(ax, precision.saturating_add(1));
            (d, p, precision.saturating_add(1))
        }
        FloatCode::General => {
            let precision = precision.max(1);
            let (d, p) = digits_significant(ax, precision);
            (d, p, precision)
        }
        FloatCode::Fixed => {
            let (d, p) = digits_fixed(ax, precision);
            (d, p, precision)
        }
    };
    if flags.no_neg_0 && negative && (digits.is_empty() || digits == "0") {
        negative = false;
    }
    layout(out, negative, &digits, decpt, code, precision as i64, flags);
}

/// Places the digits around the decimal point and adds the exponent (CPython's
/// `format_float_short`, after the digits are known).
fn layout(
    out: &mut String,
    negative: bool,
    digits: &str,
    mut decpt: i64,
    code: FloatCode,
    precision: i64,
    flags: FloatFlags,
) {
    let digits_len = digits.len() as i64;
    let mut vdigits_end = digits_len;
    let mut use_exp = false;
    match code {
        FloatCode::Exp => {
            use_exp = true;
            vdigits_end = precision;
        }
        FloatCode::Fixed => vdigits_end = decpt.saturating_add(precision),
        FloatCode::General => {
            let limit = if flags.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            use_exp = decpt <= -4 || decpt > limit;
            if flags.alt {
                vdigits_end = precision;
            }
        }
        FloatCode::Repr => use_exp = decpt <= -4 || decpt > 16,
    }
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    vdigits_end = if !use_exp && flags.add_dot_0 {
        vdigits_end.max(decpt + 1)
    } else {
        vdigits_end.max(decpt)
    };

    let start_len = out.len();
    if negative {
        out.push('-');
    }
    if decpt <= 0 {
        push_zeros(out, decpt - vdigits_start);
        out.push('.');
        push_zeros(out, -decpt);
    } else {
        push_zeros(out, -vdigits_start);
    }
    match usize::try_from(decpt) {
        Ok(point) if point > 0 && point <= digits.len() => {
            let (int, frac) = digits.split_at(point);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
        _ => out.push_str(digits),
    }
    if digits_len < decpt {
        push_zeros(out, decpt - digits_len);
        out.push('.');
        push_zeros(out, vdigits_end - decpt);
    } else {
        push_zeros(out, vdigits_end - digits_len);
    }
    if out.ends_with('.') && !flags.alt && out.len() > start_len {
        out.pop();
    }
    if use_exp {
        out.push(if flags.upper { 'E' } else { 'e' });
        out.push(if exp < 0 { '-' } else { '+' });
        let _ = write!(out, "{:02}", exp.unsigned_abs());
    }
}

fn push_zeros(out: &mut String, n: i64) {
    if n > 0 {
        out.extend(std::iter::repeat_n('0', n as usize));
    }
}

/// Splits Rust's exponent notation (`1.2345e-5`) into digits and dtoa's `decpt`.
fn split_exp(s: &str) -> (String, i64) {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    (digits, exp + 1)
}

/// At most 17 significant digits: the shortest digits of a double.
struct ShortDigits {
    buf: [u8; 24],
    len: usize,
}

impl ShortDigits {
    fn as_str(&self) -> &str {
        // Only ASCII digits are stored.
        self.buf
            .get(..self.len)
            .and_then(|d| std::str::from_utf8(d).ok())
            .unwrap_or("0")
    }
}

/// The shortest digits that read back to `x` (dtoa mode 0) without trailing zeros, and dtoa's
/// `decpt` (`x = 0.DIGITS * 10**decpt`); `x` is finite and not negative. The digits come from
/// zmij, whose output (`123.0`, `0.0001`, `1.5e-7`, `1e16`) is taken apart here.
fn digits_shortest(x: f64) -> (ShortDigits, i64) {
    let mut digits = ShortDigits {
        buf: [b'0'; 24],
        len: 1,
    };
    if x == 0.0 {
        return (digits, 1);
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(x);
    let (mantissa, exp) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
    let exp: i64 = exp.trim_start_matches('+').parse().unwrap_or(0);
    let int_len = mantissa.find('.').unwrap_or(mantissa.len()) as i64;
    let mut len = 0;
    let mut leading_zeros = 0;
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        if len == 0 && b == b'0' {
            leading_zeros += 1;
        } else if let Some(slot) = digits.buf.get_mut(len) {
            *slot = b;
            len += 1;
        }
    }
    while len > 1 && digits.buf.get(len - 1) == Some(&b'0') {
        len -= 1;
    }
    digits.len = len.max(1);
    (digits, int_len - leading_zeros + exp)
}

/// The most significant digits a double's exact decimal expansion has (767); more are zeros.
const MAX_SIGNIFICANT_DIGITS: usize = 800;

/// The most fractional digits a double's exact decimal expansion has (1,074); more are zeros.
const MAX_FRACTION_DIGITS: usize = 1100;

/// `n >= 1` significant digits, correctly rounded (dtoa mode 2). Beyond the exact expansion's
/// length the digits are exact and trailing zeros are dropped anyway, so the request is capped
/// (Rust's formatting refuses precisions above 65,535).
fn digits_significant(x: f64, n: usize) -> (String, i64) {
    if x == 0.0 {
        return ("0".to_owned(), 1);
    }
    let n = n.clamp(1, MAX_SIGNIFICANT_DIGITS);
    split_exp(&format!("{:.*e}", n - 1, x))
}

/// Digits up to `n` places after the point, correctly rounded (dtoa mode 3). A value that
/// rounds to zero has no digits and `decpt = -n`.
fn digits_fixed(x: f64, n: usize) -> (String, i64) {
    if x == 0.0 {
        return ("0".to_owned(), 1);
    }
    // Exact past the expansion's length (see `digits_significant`); `n` stays as asked for the
    // value that rounds to zero.
    let places = n.min(MAX_FRACTION_DIGITS);
    let text = format!("{x:.places$}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut decpt = int.len() as i64;
    let all = int.chars().chain(frac.chars());
    let mut digits = String::with_capacity(text.len());
    for c in all {
        if digits.is_empty() && c == '0' {
            decpt -= 1;
        } else {
            digits.push(c);
        }
    }
    while digits.ends_with('0') {
        digits.pop();
    }
    if digits.is_empty() {
        return (digits, -(n as i64));
    }
    (digits, decpt)
}

/// An integer of any size.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Int {
    Small(i64),
    Big(BigInt),
}

impl Int {
    /// Reads decimal text (`-` and ASCII digits), refusing more than [`MAX_INT_DIGITS`] digits.
    pub(crate) fn parse(text: &str) -> FaultResult<Int> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Fault::value(format!(
                "invalid literal for int() with base 10: {}",
                repr_string(text)
            )));
        }
        if digits.len() > MAX_INT_DIGITS {
            return Err(Fault::value(format!(
                "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: \
                 value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
                digits.len()
            )));
        }
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Int::Small(i));
        }
        BigInt::parse_bytes(text.as_bytes(), 10)
            .map(Int::Big)
            .ok_or_else(|| Fault::value("invalid integer"))
    }

    pub(crate) fn is_negative(&self) -> bool {
        match self {
            Int::Small(i) => *i < 0,
            Int::Big(b) => b.sign() == num_bigint::Sign::Minus,
        }
    }

    /// The magnitude in base 2, 8, 10 or 16 (lowercase digits).
    pub(crate) fn magnitude_digits(&self, base: u32) -> String {
        match self {
            Int::Small(i) => {
                let m = i.unsigned_abs();
                match base {
                    2 => format!("{m:b}"),
                    8 => format!("{m:o}"),
                    16 => format!("{m:x}"),
                    _ => m.to_string(),
                }
            }
            Int::Big(b) => b.magnitude().to_str_radix(base),
        }
    }

    /// `float(self)`, or the `OverflowError` Python raises when it does not fit.
    pub(crate) fn to_f64(&self) -> FaultResult<f64> {
        let f = match self {
            Int::Small(i) => *i as f64,
            // Rust's float parser rounds exactly, as Python's int-to-float conversion does.
            Int::Big(b) => b.to_string().parse::<f64>().unwrap_or(f64::INFINITY),
        };
        if f.is_finite() {
            Ok(f)
        } else {
            Err(Fault::new(
                ErrorKind::Overflow,
                "int too large to convert to float",
            ))
        }
    }
}

/// `repr(s)` of a string, as a new `String`.
pub(crate) fn repr_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str_repr(&mut out, s, false);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Str,
    Repr,
    Ascii,
}

/// Writes `str(value)`: strings as they are, everything else as `repr` does.
///
/// # Errors
/// A value nested deeper than [`MAX_DEPTH`], or an integer with more than
/// [`MAX_INT_DIGITS`] digits.
pub fn write_str(out: &mut String, value: &Value<'_>) -> Result<(), Error> {
    write_value(out, value, Style::Str, 0).map_err(|f| f.at(0))
}

/// Writes `repr(value)`.
///
/// # Errors
/// As [`write_str`].
pub fn write_repr(out: &mut String, value: &Value<'_>) -> Result<(), Error> {
    write_value(out, value, Style::Repr, 0).map_err(|f| f.at(0))
}

/// Writes `ascii(value)`: `repr` with every non-ASCII character escaped.
///
/// # Errors
/// As [`write_str`].
pub fn write_ascii(out: &mut String, value: &Value<'_>) -> Result<(), Error> {
    write_value(out, value, Style::Ascii, 0).map_err(|f| f.at(0))
}

pub(crate) fn str_into(out: &mut String, value: &Value<'_>) -> FaultResult<()> {
    write_value(out, value, Style::Str, 0)
}

pub(crate) fn repr_into(out: &mut String, value: &Value<'_>, ascii: bool) -> FaultResult<()> {
    let style = if ascii { Style::Ascii } else { Style::Repr };
    write_value(out, value, style, 0)
}

fn write_value(out: &mut String, value: &Value<'_>, style: Style, depth: usize) -> FaultResult<()> {
    match value {
        Value::None => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::BigInt(text) => match Int::parse(text)? {
            Int::Small(i) => {
                let _ = write!(out, "{i}");
            }
            Int::Big(b) => {
                let _ = write!(out, "{b}");
            }
        },
        Value::Float(f) => write_float_repr(out, *f),
        Value::Str(s) => match style {
            Style::Str => out.push_str(s),
            Style::Repr => write_str_repr(out, s, false),
            Style::Ascii => write_str_repr(out, s, true),
        },
        Value::List(list) => {
            let depth = deeper(depth)?;
            let inner = if style == Style::Str {
                Style::Repr
            } else {
                style
            };
            out.push('[');
            for i in 0..list.len() {
                if i > 0 {
                    out.push_str(", ");
                }
                match list.get(i) {
                    Some(item) => write_value(out, &item, inner, depth)?,
                    None => out.push_str("None"),
                }
            }
            out.push(']');
        }
        Value::Dict(dict) => {
            let depth = deeper(depth)?;
            let ascii = style == Style::Ascii;
            let inner = if ascii { Style::Ascii } else { Style::Repr };
            out.push('{');
            let mut first = true;
            let mut result = Ok(());
            dict.for_each(&mut |key, item| {
                if result.is_err() {
                    return;
                }
                if !first {
                    out.push_str(", ");
                }
                first = false;
                write_str_repr(out, key, ascii);
                out.push_str(": ");
                result = write_value(out, &item, inner, depth);
            });
            result?;
            out.push('}');
        }
    }
    Ok(())
}

fn deeper(depth: usize) -> FaultResult<usize> {
    if depth >= MAX_DEPTH {
        return Err(Fault::new(
            ErrorKind::Recursion,
            "maximum recursion depth exceeded while getting the repr of an object",
        ));
    }
    Ok(depth + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(x: f64, code: FloatCode, precision: usize, flags: FloatFlags) -> String {
        let mut s = String::new();
        write_float(&mut s, x, code, precision, flags);
        s
    }

    #[test]
    fn repr_breaks_ties_to_even_as_python_does() {
        // Exact decimal values halfway between two shortest candidates (…0.625, …9.25): Python
        // rounds to even, where Rust's `{:e}` rounds up.
        for (bits, python) in [
            (0x42e2_1c65_3945_5354_u64, "159305333090970.62"),
            (0x4319_2f39_1b94_3cfd, "1772199185026879.2"),
            (0x42e3_5448_62e2_8024, "170021700965377.12"),
            (0x42e2_551b_c8a1_1044, "161253981227138.12"),
        ] {
            assert_eq!(float_repr(f64::from_bits(bits)), python);
        }
    }

    /// A xorshift generator of test inputs.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn repr_fast_path_agrees_with_the_general_layout() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d_u64);
        let edges = [
            1e-4,
            1e16,
            0.1,
            0.5,
            1.0,
            80.0,
            9_999_999_999_999_998.0,
            1e15,
        ];
        let around = edges.iter().flat_map(|&x: &f64| {
            [
                x,
                f64::from_bits(x.to_bits() - 1),
                f64::from_bits(x.to_bits() + 1),
            ]
        });
        let randoms = (0..100_000).map(|i| {
            let bits = next();
            let x = match i % 2 {
                0 => f64::from_bits(bits >> 1),
                _ => (bits % 10_000_000) as f64 / 10f64.powi((bits >> 60) as i32),
            };
            if i % 4 < 2 { x } else { -x }
        });
        for x in around.chain(randoms).filter(|x| x.is_finite()) {
            let mut general = String::new();
            write_float(&mut general, x, FloatCode::Repr, 0, FloatFlags::ADD_DOT_0);
            assert_eq!(float_repr(x), general, "{x:e}");
        }
    }

    #[test]
    fn shortest_digits_are_shortest_and_read_back() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15_u64);
        let special = [
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            1e16,
            1e15,
            0.1,
            0.0001,
            123.0,
        ];
        let randoms = (0..200_000).map(|i| {
            let bits = next();
            match i % 3 {
                0 => f64::from_bits(bits >> 1),
                1 => (bits % 1_000_000) as f64 / 1000.0,
                _ => (bits % 100_000) as f64,
            }
        });
        for x in special.into_iter().chain(randoms) {
            if !x.is_finite() || x == 0.0 {
                continue;
            }
            let (digits, decpt) = digits_shortest(x);
            let digits = digits.as_str();
            // As many digits as Rust's shortest round-trip digits.
            let (std_digits, std_decpt) = split_exp(&format!("{x:e}"));
            assert_eq!(
                (digits.len(), decpt),
                (std_digits.len(), std_decpt),
                "{x:e}"
            );
            assert!(!digits.ends_with('0') || digits == "0", "{x:e}");
            let back: f64 = format!("0.{digits}e{decpt}").parse().unwrap();
            assert_eq!(back.to_bits(), x.to_bits(), "{x:e}");
        }
    }

    #[test]
    fn repr_switches_to_exponent_where_python_does() {
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(9_999_999_999_999_998.0), "9999999999999998.0");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(0.00001), "1e-05");
        assert_eq!(float_repr(5e-324), "5e-324");
        assert_eq!(float_repr(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(float_repr(-1.5), "-1.5");
        assert_eq!(float_repr(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn fixed_and_general_layouts() {
        let plain = FloatFlags::default();
        assert_eq!(fmt(2.675, FloatCode::Fixed, 2, plain), "2.67");
        assert_eq!(fmt(2.5, FloatCode::Fixed, 0, plain), "2");
        assert_eq!(fmt(0.001, FloatCode::Fixed, 2, plain), "0.00");
        assert_eq!(fmt(1234.5, FloatCode::Exp, 3, plain), "1.234e+03");
        assert_eq!(fmt(0.0, FloatCode::Exp, 2, plain), "0.00e+00");
        assert_eq!(
            fmt(123_456_789.0, FloatCode::General, 6, plain),
            "1.23457e+08"
        );
        assert_eq!(fmt(0.0001, FloatCode::General, 6, plain), "0.0001");
        let alt = FloatFlags { alt: true, ..plain };
        assert_eq!(fmt(1.0, FloatCode::General, 4, alt), "1.000");
        assert_eq!(fmt(3.0, FloatCode::Fixed, 0, alt), "3.");
        let z = FloatFlags {
            no_neg_0: true,
            ..plain
        };
        assert_eq!(fmt(-0.001, FloatCode::Fixed, 2, z), "0.00");
        assert_eq!(fmt(-0.001, FloatCode::Fixed, 2, plain), "-0.00");
    }

    #[test]
    fn str_repr_quotes_and_escapes() {
        assert_eq!(repr_string("a'b"), "\"a'b\"");
        assert_eq!(repr_string("a'b\""), "'a\\'b\"'");
        assert_eq!(repr_string("\u{7f}\u{0}\t"), "'\\x7f\\x00\\t'");
        assert_eq!(repr_string("\u{a0}\u{3000}é"), "'\\xa0\\u3000é'");
        let mut s = String::new();
        write_str_repr(&mut s, "é😀", true);
        assert_eq!(s, "'\\xe9\\U0001f600'");
    }

    #[test]
    fn decimal_digits_of_any_script() {
        assert_eq!(decimal_value('7'), Some(7));
        assert_eq!(decimal_value('١'), Some(1));
        assert_eq!(decimal_value('０'), Some(0));
        assert_eq!(decimal_value('𝟏'), Some(1));
        assert_eq!(decimal_value('²'), None);
        assert_eq!(decimal_value('a'), None);
    }
}
