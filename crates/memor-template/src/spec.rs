//! The format-spec mini-language: `[[fill]align][sign]["z"]["#"]["0"][width][grouping]["." precision][type]`.
//!
//! Parsing follows CPython 3.11's `parse_internal_render_format_spec`. The text is parsed once
//! ([`RawSpec::parse`]); what depends on the value's type (the default type and alignment, the
//! checks of the grouping option against the type) is settled by [`RawSpec::resolve`] when a
//! value is formatted, because CPython raises those errors only then.

use crate::error::{Fault, FaultResult};
use crate::py::decimal_value;

/// A thousands separator option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grouping {
    None,
    Comma,
    Underscore,
}

/// A parse failure that only becomes a message once the value's type is known.
#[derive(Clone, Debug)]
pub(crate) enum SpecError {
    /// Any message that does not depend on the type.
    Fixed(String),
    /// More than one character left where the type should be.
    Invalid,
}

impl SpecError {
    pub(crate) fn fault(&self, spec: &str, type_name: &str) -> Fault {
        match self {
            SpecError::Fixed(m) => Fault::value(m.clone()),
            SpecError::Invalid => Fault::value(format!(
                "Invalid format specifier '{spec}' for object of type '{type_name}'"
            )),
        }
    }
}

/// A parsed format spec before the value's type is known.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawSpec {
    pub(crate) fill: Option<char>,
    pub(crate) align: Option<char>,
    pub(crate) sign: Option<char>,
    pub(crate) no_neg_0: bool,
    pub(crate) alternate: bool,
    /// The `0` flag was given (and no explicit fill).
    pub(crate) zero: bool,
    pub(crate) width: Option<u64>,
    pub(crate) grouping: Option<char>,
    pub(crate) precision: Option<u64>,
    pub(crate) ty: Option<char>,
}

/// A format spec resolved for a value's type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    pub(crate) fill: char,
    pub(crate) align: char,
    pub(crate) sign: Option<char>,
    pub(crate) no_neg_0: bool,
    pub(crate) alternate: bool,
    pub(crate) width: Option<u64>,
    pub(crate) grouping: Grouping,
    /// `_` with `b`, `o`, `x` or `X`: groups of four.
    pub(crate) group_by_four: bool,
    pub(crate) precision: Option<u64>,
    pub(crate) ty: char,
}

const MAX_SSIZE: u64 = i64::MAX as u64;

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '^')
}

/// Reads Unicode decimal digits at the front of `chars[*pos..]`, as CPython's `get_integer`.
fn read_integer(chars: &[char], pos: &mut usize) -> Result<Option<u64>, SpecError> {
    let mut acc: u64 = 0;
    let mut any = false;
    while let Some(&c) = chars.get(*pos) {
        let Some(d) = decimal_value(c) else { break };
        let d = u64::from(d);
        if acc > (MAX_SSIZE - d) / 10 {
            return Err(SpecError::Fixed(
                "Too many decimal digits in format string".into(),
            ));
        }
        acc = acc * 10 + d;
        any = true;
        *pos += 1;
    }
    Ok(any.then_some(acc))
}

impl RawSpec {
    /// Parses a non-empty spec.
    pub(crate) fn parse(spec: &str) -> Result<RawSpec, SpecError> {
        let chars: Vec<char> = spec.chars().collect();
        let at = |i: usize| chars.get(i).copied();
        let mut out = RawSpec::default();
        let mut pos = 0;
        let mut fill_specified = false;
        if let (Some(fill), Some(align)) = (at(0), at(1))
            && is_align(align)
        {
            out.fill = Some(fill);
            out.align = Some(align);
            fill_specified = true;
            pos = 2;
        } else if let Some(align) = at(0).filter(|&c| is_align(c)) {
            out.align = Some(align);
            pos = 1;
        }
        if let Some(sign) = at(pos).filter(|c| matches!(c, ' ' | '+' | '-')) {
            out.sign = Some(sign);
            pos += 1;
        }
        if at(pos) == Some('z') {
            out.no_neg_0 = true;
            pos += 1;
        }
        if at(pos) == Some('#') {
            out.alternate = true;
            pos += 1;
        }
        if !fill_specified && at(pos) == Some('0') {
            out.zero = true;
            pos += 1;
        }
        out.width = read_integer(&chars, &mut pos)?;
        if at(pos) == Some(',') {
            out.grouping = Some(',');
            pos += 1;
        }
        if at(pos) == Some('_') {
            if out.grouping.is_some() {
                return Err(SpecError::Fixed("Cannot specify both ',' and '_'.".into()));
            }
            out.grouping = Some('_');
            pos += 1;
        }
        if at(pos) == Some(',') && out.grouping == Some('_') {
            return Err(SpecError::Fixed("Cannot specify both ',' and '_'.".into()));
        }
        if at(pos) == Some('.') {
            pos += 1;
            out.precision = read_integer(&chars, &mut pos)?;
            if out.precision.is_none() {
                return Err(SpecError::Fixed(
                    "Format specifier missing precision".into(),
                ));
            }
        }
        match chars.len().saturating_sub(pos) {
            0 => {}
            1 => out.ty = at(pos),
            _ => return Err(SpecError::Invalid),
        }
        Ok(out)
    }

    /// Settles the defaults for a type (`default_type` is `s` for str, `d` for int, `\0` for
    /// float; strings align left, numbers right) and checks the grouping option.
    pub(crate) fn resolve(&self, default_type: char, default_align: char) -> FaultResult<Spec> {
        let ty = self.ty.unwrap_or(default_type);
        let align = match self.align {
            Some(a) => a,
            None if self.zero && default_align == '>' => '=',
            None => default_align,
        };
        let fill = match self.fill {
            Some(f) => f,
            None if self.zero => '0',
            None => ' ',
        };
        let mut group_by_four = false;
        let grouping = match self.grouping {
            None => Grouping::None,
            Some(sep) => {
                match ty {
                    'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => {}
                    'b' | 'o' | 'x' | 'X' if sep == '_' => group_by_four = true,
                    other => return Err(invalid_separator(sep, other)),
                }
                if sep == ',' {
                    Grouping::Comma
                } else {
                    Grouping::Underscore
                }
            }
        };
        Ok(Spec {
            fill,
            align,
            sign: self.sign,
            no_neg_0: self.no_neg_0,
            alternate: self.alternate,
            width: self.width,
            grouping,
            group_by_four,
            precision: self.precision,
            ty,
        })
    }
}

/// CPython's text for a character in a message: itself when printable ASCII, else `\xhh`.
pub(crate) fn code_char(c: char) -> String {
    let cp = c as u32;
    if cp > 32 && cp < 128 {
        c.to_string()
    } else {
        format!("\\x{cp:x}")
    }
}

fn invalid_separator(sep: char, ty: char) -> Fault {
    Fault::value(format!("Cannot specify '{sep}' with '{}'.", code_char(ty)))
}

/// `Unknown format code 'X' for object of type 'T'`.
pub(crate) fn unknown_code(ty: char, type_name: &str) -> Fault {
    Fault::value(format!(
        "Unknown format code '{}' for object of type '{type_name}'",
        code_char(ty)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_spec() {
        let s = RawSpec::parse("*^+z#012,.3f").unwrap();
        assert_eq!(s.fill, Some('*'));
        assert_eq!(s.align, Some('^'));
        assert_eq!(s.sign, Some('+'));
        assert!(s.no_neg_0 && s.alternate);
        assert!(!s.zero, "an explicit fill leaves the 0 to the width");
        assert_eq!(s.width, Some(12));
        assert_eq!(s.grouping, Some(','));
        assert_eq!(s.precision, Some(3));
        assert_eq!(s.ty, Some('f'));
    }

    #[test]
    fn zero_flag_depends_on_the_type() {
        let s = RawSpec::parse("05").unwrap();
        let num = s.resolve('d', '>').unwrap();
        assert_eq!((num.fill, num.align), ('0', '='));
        let text = s.resolve('s', '<').unwrap();
        assert_eq!((text.fill, text.align), ('0', '<'));
    }

    #[test]
    fn errors() {
        assert!(matches!(RawSpec::parse("+-5"), Err(SpecError::Invalid)));
        assert!(matches!(RawSpec::parse(".f"), Err(SpecError::Fixed(_))));
        assert!(matches!(RawSpec::parse(",_"), Err(SpecError::Fixed(_))));
        assert!(matches!(
            RawSpec::parse("9223372036854775808"),
            Err(SpecError::Fixed(_))
        ));
        let s = RawSpec::parse(",x").unwrap();
        assert_eq!(
            s.resolve('d', '>').unwrap_err().message,
            "Cannot specify ',' with 'x'."
        );
    }
}
