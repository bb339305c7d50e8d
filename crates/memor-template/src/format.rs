//! `format(value, spec)` for each type, as CPython 3.11's `Python/formatter_unicode.c`.

use crate::MAX_WIDTH;
use crate::error::{ErrorKind, Fault, FaultResult};
use crate::py::{self, FloatCode, FloatFlags, Int};
use crate::spec::{Grouping, RawSpec, Spec, SpecError, unknown_code};
use crate::value::Value;

/// Appends `format(value, spec_text)` to `out`. `parsed` is `RawSpec::parse(spec_text)` when
/// the spec is not empty.
pub(crate) fn format_value(
    out: &mut String,
    value: &Value<'_>,
    spec_text: &str,
    parsed: Option<&Result<RawSpec, SpecError>>,
) -> FaultResult<()> {
    let Some(parsed) = parsed.filter(|_| !spec_text.is_empty()) else {
        return py::str_into(out, value);
    };
    let raw = |type_name: &str| parsed.as_ref().map_err(|e| e.fault(spec_text, type_name));
    match value {
        Value::Str(s) => format_str(out, s, raw("str")?),
        Value::Bool(b) => format_int(out, &Int::Small(i64::from(*b)), raw("bool")?, "bool"),
        Value::Int(i) => format_int(out, &Int::Small(*i), raw("int")?, "int"),
        Value::BigInt(text) => format_int(out, &Int::parse(text)?, raw("int")?, "int"),
        Value::Float(f) => format_float(out, *f, &raw("float")?.resolve('\0', '>')?, "float"),
        Value::None | Value::List(_) | Value::Dict(_) => Err(Fault::new(
            ErrorKind::Type,
            format!(
                "unsupported format string passed to {}.__format__",
                value.type_name()
            ),
        )),
    }
}

fn too_wide(what: &str, n: u64) -> Fault {
    Fault::new(
        ErrorKind::Limit,
        format!("{what} {n} is over the limit of {MAX_WIDTH}"),
    )
}

fn format_str(out: &mut String, s: &str, raw: &RawSpec) -> FaultResult<()> {
    let spec = raw.resolve('s', '<')?;
    if spec.ty != 's' {
        return Err(unknown_code(spec.ty, "str"));
    }
    match spec.sign {
        Some(' ') => {
            return Err(Fault::value("Space not allowed in string format specifier"));
        }
        Some(_) => return Err(Fault::value("Sign not allowed in string format specifier")),
        None => {}
    }
    if spec.no_neg_0 {
        return Err(Fault::value(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if spec.alternate {
        return Err(Fault::value(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if spec.align == '=' {
        return Err(Fault::value(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    let text = match spec.precision {
        Some(p) => match s
            .char_indices()
            .nth(usize::try_from(p).unwrap_or(usize::MAX))
        {
            Some((cut, _)) => s.get(..cut).unwrap_or(s),
            None => s,
        },
        None => s,
    };
    let len = text.chars().count() as u64;
    let width = spec.width.unwrap_or(0);
    if width > len && width > MAX_WIDTH as u64 {
        return Err(too_wide("width", width));
    }
    let pad = width.saturating_sub(len) as usize;
    let (left, right) = match spec.align {
        '>' => (pad, 0),
        '^' => (pad / 2, pad - pad / 2),
        _ => (0, pad),
    };
    push_fill(out, spec.fill, left);
    out.push_str(text);
    push_fill(out, spec.fill, right);
    Ok(())
}

fn push_fill(out: &mut String, fill: char, n: usize) {
    out.extend(std::iter::repeat_n(fill, n));
}

fn format_int(out: &mut String, n: &Int, raw: &RawSpec, type_name: &str) -> FaultResult<()> {
    let spec = raw.resolve('d', '>')?;
    match spec.ty {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => format_long(out, n, &spec),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => format_float(out, n.to_f64()?, &spec, type_name),
        other => Err(unknown_code(other, type_name)),
    }
}

fn format_long(out: &mut String, n: &Int, spec: &Spec) -> FaultResult<()> {
    if spec.precision.is_some() {
        return Err(Fault::value(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_0 {
        return Err(Fault::value(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if spec.ty == 'c' {
        if spec.sign.is_some() {
            return Err(Fault::value(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if spec.alternate {
            return Err(Fault::value(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let code = match n {
            Int::Small(i) => *i,
            Int::Big(_) => {
                return Err(Fault::new(
                    ErrorKind::Overflow,
                    "Python int too large to convert to C long",
                ));
            }
        };
        if !(0..=0x0010_FFFF).contains(&code) {
            return Err(Fault::new(
                ErrorKind::Overflow,
                "%c arg not in range(0x110000)",
            ));
        }
        let Some(c) = char::from_u32(code as u32) else {
            return Err(Fault::value(format!(
                "lone surrogate U+{code:04X} cannot be represented in a Rust string"
            )));
        };
        let mut buf = [0u8; 4];
        let text = c.encode_utf8(&mut buf);
        return write_number(out, spec, &Number::remainder_only(text));
    }
    let (base, prefix) = match spec.ty {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' | 'X' => (16, "0x"),
        _ => (10, ""),
    };
    let digits = n.magnitude_digits(base);
    let grouping = if spec.ty == 'n' {
        None
    } else {
        separator(spec)
    };
    write_number(
        out,
        spec,
        &Number {
            negative: n.is_negative(),
            prefix: if spec.alternate { prefix } else { "" },
            digits: &digits,
            decimal: false,
            remainder: "",
            grouping,
            upper: spec.ty == 'X',
        },
    )
}

fn separator(spec: &Spec) -> Option<(char, usize)> {
    match spec.grouping {
        Grouping::None => None,
        Grouping::Comma => Some((',', 3)),
        Grouping::Underscore => Some(('_', if spec.group_by_four { 4 } else { 3 })),
    }
}

fn format_float(out: &mut String, x: f64, spec: &Spec, type_name: &str) -> FaultResult<()> {
    let (code, upper) = match spec.ty {
        '\0' => (FloatCode::Repr, false),
        'e' => (FloatCode::Exp, false),
        'E' => (FloatCode::Exp, true),
        'f' | '%' => (FloatCode::Fixed, false),
        'F' => (FloatCode::Fixed, true),
        'g' | 'n' => (FloatCode::General, false),
        'G' => (FloatCode::General, true),
        other => return Err(unknown_code(other, type_name)),
    };
    if let Some(p) = spec.precision {
        if p > i32::MAX as u64 {
            return Err(Fault::value("precision too big"));
        }
        if p > MAX_WIDTH as u64 {
            return Err(too_wide("precision", p));
        }
    }
    let mut flags = FloatFlags {
        add_dot_0: false,
        alt: spec.alternate,
        no_neg_0: spec.no_neg_0,
        upper,
    };
    let (code, precision) = match (code, spec.precision) {
        (FloatCode::Repr, None) => {
            flags.add_dot_0 = true;
            (FloatCode::Repr, 0)
        }
        // With a precision and no type: like `g`, keeping a digit after the point.
        (FloatCode::Repr, Some(p)) => {
            flags.add_dot_0 = true;
            (FloatCode::General, p as usize)
        }
        (code, p) => (code, p.map_or(6, |p| p as usize)),
    };
    let x = if spec.ty == '%' { x * 100.0 } else { x };
    let mut buf = String::with_capacity(32);
    py::write_float(&mut buf, x, code, precision, flags);
    if spec.ty == '%' {
        buf.push('%');
    }
    let (negative, body) = match buf.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, buf.as_str()),
    };
    let digits_end = body
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(body.len());
    let (digits, rest) = body.split_at(digits_end);
    let (decimal, remainder) = match rest.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let grouping = if spec.ty == 'n' {
        None
    } else {
        separator(spec)
    };
    write_number(
        out,
        spec,
        &Number {
            negative,
            prefix: "",
            digits,
            decimal,
            remainder,
            grouping,
            upper: false,
        },
    )
}

/// The parts of a formatted number: `<sign><prefix><digits><.><remainder>`.
struct Number<'s> {
    negative: bool,
    prefix: &'s str,
    /// ASCII digits, grouped and zero-padded.
    digits: &'s str,
    decimal: bool,
    /// Copied as is: fraction, exponent, `%`, `inf`, or a `c` character.
    remainder: &'s str,
    grouping: Option<(char, usize)>,
    upper: bool,
}

impl<'s> Number<'s> {
    fn remainder_only(text: &'s str) -> Self {
        Number {
            negative: false,
            prefix: "",
            digits: "",
            decimal: false,
            remainder: text,
            grouping: None,
            upper: false,
        }
    }
}

/// Lays out a number with sign, padding and grouping (CPython's `calc_number_widths` and
/// `fill_number`).
fn write_number(out: &mut String, spec: &Spec, n: &Number<'_>) -> FaultResult<()> {
    let sign = match (spec.sign, n.negative) {
        (_, true) => Some('-'),
        (Some('+'), false) => Some('+'),
        (Some(' '), false) => Some(' '),
        _ => None,
    };
    let non_digits = usize::from(sign.is_some())
        + n.prefix.len()
        + usize::from(n.decimal)
        + n.remainder.chars().count();
    let width = spec.width.unwrap_or(0);
    let natural = non_digits + grouped_len(n.digits.len(), n.grouping);
    if width > natural as u64 && width > MAX_WIDTH as u64 {
        return Err(too_wide("width", width));
    }
    // Bounded by MAX_WIDTH from here on.
    let width = width as i64;
    let min_width = if spec.fill == '0' && spec.align == '=' {
        width - non_digits as i64
    } else {
        0
    };
    let grouped = if n.digits.is_empty() {
        String::new()
    } else {
        group_digits(n.digits, min_width, n.grouping)
    };
    let padding = (width - (non_digits + grouped.len()) as i64).max(0) as usize;
    let (left, inner, right) = match spec.align {
        '<' => (0, 0, padding),
        '^' => (padding / 2, 0, padding - padding / 2),
        '=' => (0, padding, 0),
        _ => (padding, 0, 0),
    };
    push_fill(out, spec.fill, left);
    if let Some(s) = sign {
        out.push(s);
    }
    if n.upper {
        out.push_str(&n.prefix.to_ascii_uppercase());
    } else {
        out.push_str(n.prefix);
    }
    push_fill(out, spec.fill, inner);
    if n.upper {
        out.push_str(&grouped.to_ascii_uppercase());
    } else {
        out.push_str(&grouped);
    }
    if n.decimal {
        out.push('.');
    }
    out.push_str(n.remainder);
    push_fill(out, spec.fill, right);
    Ok(())
}

fn grouped_len(digits: usize, grouping: Option<(char, usize)>) -> usize {
    match grouping {
        Some((_, size)) if digits > 0 => digits + (digits - 1) / size,
        _ => digits,
    }
}

/// Inserts separators every `size` digits from the right, and zero-pads to `min_width` with
/// separators in the zeros too (CPython's `_PyUnicode_InsertThousandsGrouping`: the padded
/// result can be one character wider than asked, `format(1234, '08,')` is `0,001,234`).
fn group_digits(digits: &str, min_width: i64, grouping: Option<(char, usize)>) -> String {
    let bytes = digits.as_bytes();
    let mut remaining = bytes.len() as i64;
    let mut min_width = min_width.max(0);
    let mut rev: Vec<u8> = Vec::with_capacity(bytes.len() + min_width as usize + 8);
    let mut end = bytes.len();
    let take = |rev: &mut Vec<u8>, l: i64, remaining: i64, end: &mut usize| {
        let zeros = (l - remaining).max(0);
        let chars = remaining.min(l).max(0) as usize;
        let start = end.saturating_sub(chars);
        if let Some(run) = bytes.get(start..*end) {
            rev.extend(run.iter().rev());
        }
        *end = start;
        rev.extend(std::iter::repeat_n(b'0', zeros as usize));
        chars as i64
    };
    match grouping {
        None => {
            let l = remaining.max(min_width).max(1);
            take(&mut rev, l, remaining, &mut end);
        }
        Some((sep, size)) => {
            let size = size as i64;
            let mut first = true;
            loop {
                let l = size.min(remaining.max(min_width).max(1));
                if !first {
                    rev.push(sep as u8);
                }
                first = false;
                remaining -= take(&mut rev, l, remaining, &mut end);
                min_width -= l;
                if remaining <= 0 && min_width <= 0 {
                    break;
                }
                min_width -= 1;
            }
        }
    }
    rev.reverse();
    // Only ASCII digits, zeros and an ASCII separator went in.
    String::from_utf8(rev).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::group_digits;

    #[test]
    fn grouping_with_zero_padding() {
        assert_eq!(group_digits("1234", 0, Some((',', 3))), "1,234");
        assert_eq!(group_digits("1234", 8, Some((',', 3))), "0,001,234");
        assert_eq!(group_digits("1234", 7, Some((',', 3))), "001,234");
        assert_eq!(group_digits("12", 5, None), "00012");
        assert_eq!(group_digits("ffff1", 0, Some(('_', 4))), "f_fff1");
    }
}
