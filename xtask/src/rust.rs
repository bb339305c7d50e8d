//! Writing Rust source text already laid out as rustfmt (default options, edition 2024) leaves
//! it, so the generated file needs no formatting pass.

/// rustfmt's default `max_width`.
pub(crate) const MAX_WIDTH: usize = 100;

/// One indentation level.
const INDENT: &str = "    ";

/// A Rust string literal for `s`: `"` and `\` escaped, control characters escaped, everything
/// else kept as is (the output does not depend on the Rust version's `Debug` escaping).
pub(crate) fn str_lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Inline code for a doc comment: the text between backticks, escaped as a string literal's
/// inside when it holds anything that would break the comment or the code span.
pub(crate) fn doc_code(s: &str) -> String {
    let lit = str_lit(s);
    let inner = lit
        .get(1..lit.len().saturating_sub(1))
        .unwrap_or_default()
        .to_owned();
    if inner.contains('`') {
        format!("`` {inner} ``")
    } else {
        format!("`{inner}`")
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// The generated text, built line by line.
#[derive(Default)]
pub(crate) struct Out {
    text: String,
}

impl Out {
    /// The text written so far.
    pub(crate) fn finish(self) -> String {
        self.text
    }

    /// Writes one line at `level` levels of indentation (an empty `line` writes an empty line).
    pub(crate) fn line(&mut self, level: usize, line: &str) {
        if !line.is_empty() {
            for _ in 0..level {
                self.text.push_str(INDENT);
            }
            self.text.push_str(line);
        }
        self.text.push('\n');
    }

    /// An empty line.
    pub(crate) fn blank(&mut self) {
        self.text.push('\n');
    }

    /// `/// doc` lines, one per line of `doc`.
    pub(crate) fn doc(&mut self, level: usize, doc: &str) {
        for line in doc.lines() {
            if line.is_empty() {
                self.line(level, "///");
            } else {
                self.line(level, &format!("/// {line}"));
            }
        }
    }

    /// `head = value;` (an item such as `pub const X: &str`), broken after `=` when rustfmt
    /// would break it: the whole does not fit but the value does on its own line.
    pub(crate) fn assign(&mut self, level: usize, head: &str, value: &str) {
        let one_line = format!("{head} = {value};");
        let indent = INDENT.len() * level;
        if indent + width(&one_line) <= MAX_WIDTH
            || indent + INDENT.len() + width(value) + 1 > MAX_WIDTH
        {
            self.line(level, &one_line);
        } else {
            self.line(level, &format!("{head} ="));
            self.line(level + 1, &format!("{value};"));
        }
    }

    /// A match arm `pat => expr,`, or rustfmt's block form when it does not fit.
    pub(crate) fn arm(&mut self, level: usize, pat: &str, expr: &str) {
        let one_line = format!("{pat} => {expr},");
        if INDENT.len() * level + width(&one_line) <= MAX_WIDTH {
            self.line(level, &one_line);
        } else {
            self.line(level, &format!("{pat} => {{"));
            self.line(level + 1, expr);
            self.line(level, "}");
        }
    }

    /// A struct-literal field `name: value,` whose value is a string: one line when it fits or
    /// when it holds no line break; otherwise `concat!` of its lines, one per line.
    pub(crate) fn str_field(&mut self, level: usize, name: &str, value: &str) {
        let one_line = format!("{name}: {},", str_lit(value));
        let lines: Vec<&str> = value.split_inclusive('\n').collect();
        if INDENT.len() * level + width(&one_line) <= MAX_WIDTH || lines.len() < 2 {
            self.line(level, &one_line);
        } else {
            self.line(level, &format!("{name}: concat!("));
            for part in lines {
                self.line(level + 1, &format!("{},", str_lit(part)));
            }
            self.line(level, "),");
        }
    }

    /// An array literal `head[item, ...]end` (`head` ends with `&`, `end` is `;` or `,`), laid
    /// out as rustfmt does with its default width heuristics: on one line when the items take
    /// at most 60 columns, otherwise one item per line (several per line when all are short
    /// paths or literals), a tuple item broken into one element per line when its elements take
    /// more than 60 columns; a single tuple item is "overflowed" (`&[(` ... `)]`).
    pub(crate) fn array(&mut self, level: usize, head: &str, items: &[Item], end: &str) {
        let texts: Vec<String> = items.iter().map(Item::inline).collect();
        let inside = texts.join(", ");
        let one_line = format!("{head}[{inside}]{end}");
        let fits = |level: usize, text: &str| INDENT.len() * level + width(text) <= MAX_WIDTH;
        if let [Item::Tuple(args)] = items {
            if width(&args.join(", ")) <= SHORT_WIDTH && fits(level, &one_line) {
                self.line(level, &one_line);
            } else {
                self.line(level, &format!("{head}[("));
                for arg in args {
                    self.line(level + 1, &format!("{arg},"));
                }
                self.line(level, &format!(")]{end}"));
            }
            return;
        }
        if width(&inside) <= SHORT_WIDTH && fits(level, &one_line) {
            self.line(level, &one_line);
            return;
        }
        self.line(level, &format!("{head}["));
        let short = |item: &Item| matches!(item, Item::Simple(s) if width(s) <= SHORT_ITEM_WIDTH);
        if items.iter().all(short) {
            // rustfmt's "mixed" layout: as many items per line as fit.
            let mut current = String::new();
            for text in &texts {
                let candidate = if current.is_empty() {
                    format!("{text},")
                } else {
                    format!("{current} {text},")
                };
                if fits(level + 1, &candidate) || current.is_empty() {
                    current = candidate;
                } else {
                    self.line(level + 1, &current);
                    current = format!("{text},");
                }
            }
            if !current.is_empty() {
                self.line(level + 1, &current);
            }
        } else {
            for (item, text) in items.iter().zip(&texts) {
                match item {
                    Item::Tuple(args)
                        if width(&args.join(", ")) > SHORT_WIDTH
                            || !fits(level + 1, &format!("{text},")) =>
                    {
                        self.line(level + 1, "(");
                        for arg in args {
                            self.line(level + 2, &format!("{arg},"));
                        }
                        self.line(level + 1, "),");
                    }
                    _ => self.line(level + 1, &format!("{text},")),
                }
            }
        }
        self.line(level, &format!("]{end}"));
    }

    /// An attribute `#[name(args)]`, broken over three lines when it does not fit.
    pub(crate) fn attr(&mut self, level: usize, name: &str, args: &str) {
        let one_line = format!("#[{name}({args})]");
        if INDENT.len() * level + width(&one_line) <= MAX_WIDTH {
            self.line(level, &one_line);
        } else {
            self.line(level, &format!("#[{name}("));
            self.line(level + 1, args);
            self.line(level, ")]");
        }
    }
}

/// rustfmt's default `fn_call_width` and `array_width`.
const SHORT_WIDTH: usize = 60;

/// rustfmt's default `short_array_element_width_threshold`.
const SHORT_ITEM_WIDTH: usize = 10;

/// An item of an array literal.
pub(crate) enum Item {
    /// A path or a literal.
    Simple(String),
    /// A tuple of these expressions.
    Tuple(Vec<String>),
    /// Any other expression (a call, ...).
    Other(String),
}

impl Item {
    fn inline(&self) -> String {
        match self {
            Self::Simple(text) | Self::Other(text) => text.clone(),
            Self::Tuple(args) => format!("({})", args.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{doc_code, str_lit};

    #[test]
    fn literals() {
        assert_eq!(str_lit("a\"b\\c\nd\te\r"), r#""a\"b\\c\nd\te\r""#);
        assert_eq!(str_lit("\u{7}é"), "\"\\u{7}é\"");
        assert_eq!(doc_code("a`b"), "`` a`b ``");
        assert_eq!(doc_code("a\nb"), "`a\\nb`");
    }
}
