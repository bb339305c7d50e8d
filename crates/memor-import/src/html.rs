//! HTML to plain text for Takeout replies: a small, exact algorithm, never a renderer.
//!
//! The converter reads the HTML once, left to right. Character references are decoded; the
//! contents of `script`, `style` and `template` are dropped; block tags end the current block;
//! `br` adds a newline; list items get a `- ` or `N. ` marker before their first non-blank text.
//! Other tags add nothing. Malformed HTML never fails: a `<` that starts no markup is text, an
//! unknown reference stays as written, and an unclosed tag or comment ends the input.

use std::borrow::Cow;

/// Tags whose start and end tags end the current block.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "pre",
    "blockquote",
    "table",
    "tr",
    "hr",
    "section",
    "article",
    "header",
    "footer",
];

/// How many letters of a reference name are looked at (the longest name is far shorter).
const MAX_ENTITY_NAME: usize = 32;

/// Converts an HTML fragment to text: the blocks that hold more than whitespace, joined with
/// `"\n"`.
pub(crate) fn to_text(html: &str) -> String {
    let mut converter = Converter::default();
    converter.run(html);
    converter.finish()
}

/// A list that is open.
enum List {
    /// `ul`: items are marked `- `.
    Unordered,
    /// `ol`: items are numbered from 1; holds the number of items so far.
    Ordered(u64),
}

/// What a `<` starts.
enum Markup {
    /// A start tag, with its lowercase name.
    Start(String),
    /// An end tag, with its lowercase name.
    End(String),
    /// A comment, a doctype or a processing instruction: nothing.
    Nothing,
}

/// The state of one conversion.
#[derive(Default)]
struct Converter {
    /// Finished blocks that hold more than whitespace.
    blocks: Vec<String>,
    /// The text of the current block (outside `pre`, its only newlines come from `br`).
    block: String,
    /// Whether the current block is inside `pre` (kept verbatim).
    verbatim: bool,
    /// How many `pre` elements are open.
    pre_depth: usize,
    /// How many `template` elements are open (their content is dropped).
    template_depth: usize,
    /// The open lists, innermost last.
    lists: Vec<List>,
    /// How many of `lists` are `ul`.
    open_unordered: usize,
    /// How many of `lists` are `ol`.
    open_ordered: usize,
    /// A list item's marker, waiting for the item's first non-blank text.
    marker: Option<String>,
}

impl Converter {
    /// Reads the whole fragment.
    fn run(&mut self, html: &str) {
        let bytes = html.as_bytes();
        let mut text_start = 0;
        let mut pos = 0;
        while let Some(found) = memchr::memchr(b'<', bytes.get(pos..).unwrap_or_default()) {
            let lt = pos + found;
            let Some((markup, end)) = scan_markup(html, lt) else {
                // A stray `<` is text.
                pos = lt + 1;
                continue;
            };
            self.text(html.get(text_start..lt).unwrap_or_default());
            pos = match markup {
                Markup::Start(name) if name == "script" || name == "style" => {
                    skip_raw_text(bytes, end, &name)
                }
                Markup::Start(name) => {
                    self.tag(&name, true);
                    end
                }
                Markup::End(name) => {
                    self.tag(&name, false);
                    end
                }
                Markup::Nothing => end,
            };
            text_start = pos;
        }
        self.text(html.get(text_start..).unwrap_or_default());
    }

    /// Ends the last block and joins the blocks.
    fn finish(mut self) -> String {
        self.end_block();
        self.blocks.join("\n")
    }

    /// A start tag (other than `script` and `style`) or an end tag. `template` nests and hides
    /// what it holds; `br` adds a newline (browsers read `</br>` as `<br>`); a block tag ends the
    /// current block before it opens or closes its element. Other tags add nothing.
    fn tag(&mut self, name: &str, start: bool) {
        if name == "template" {
            self.template_depth = if start {
                self.template_depth.saturating_add(1)
            } else {
                self.template_depth.saturating_sub(1)
            };
            return;
        }
        if self.template_depth > 0 {
            return;
        }
        if name == "br" {
            self.block.push('\n');
            return;
        }
        if !BLOCK_TAGS.contains(&name) {
            return;
        }
        self.end_block();
        if start {
            self.open_element(name);
        } else {
            self.close_element(name);
        }
        self.verbatim = self.pre_depth > 0;
    }

    /// Opens a block element: lists, list items (their marker) and `pre`.
    fn open_element(&mut self, name: &str) {
        match name {
            "ul" => {
                self.lists.push(List::Unordered);
                self.open_unordered += 1;
            }
            "ol" => {
                self.lists.push(List::Ordered(0));
                self.open_ordered += 1;
            }
            "li" => self.marker = Some(self.next_marker()),
            "pre" => self.pre_depth += 1,
            _ => {}
        }
    }

    /// Closes a block element.
    fn close_element(&mut self, name: &str) {
        match name {
            "ul" => self.close_list(false),
            "ol" => self.close_list(true),
            "li" => self.marker = None,
            "pre" => self.pre_depth = self.pre_depth.saturating_sub(1),
            _ => {}
        }
    }

    /// The marker of a new list item: `N. ` in an `ol`, else `- `.
    fn next_marker(&mut self) -> String {
        match self.lists.last_mut() {
            Some(List::Ordered(n)) => {
                *n = n.saturating_add(1);
                format!("{n}. ")
            }
            _ => "- ".to_string(),
        }
    }

    /// Closes the innermost open list of the kind (and any list opened inside it). An end tag
    /// with no such list open is ignored.
    fn close_list(&mut self, ordered: bool) {
        self.marker = None;
        let open = if ordered {
            self.open_ordered
        } else {
            self.open_unordered
        };
        if open == 0 {
            return;
        }
        while let Some(list) = self.lists.pop() {
            let was_ordered = matches!(list, List::Ordered(_));
            if was_ordered {
                self.open_ordered = self.open_ordered.saturating_sub(1);
            } else {
                self.open_unordered = self.open_unordered.saturating_sub(1);
            }
            if was_ordered == ordered {
                break;
            }
        }
    }

    /// Text between tags, as written in the source.
    fn text(&mut self, raw: &str) {
        if raw.is_empty() || self.template_depth > 0 {
            return;
        }
        let decoded = decode_references(raw);
        if self.verbatim {
            self.push_text(&decoded);
        } else {
            self.push_text(&collapse_whitespace(&decoded));
        }
    }

    /// Adds text to the block, with a pending list marker before its first non-blank character.
    fn push_text(&mut self, text: &str) {
        let split = self
            .marker
            .as_ref()
            .and_then(|_| text.find(|c| !is_html_space(c)))
            .and_then(|at| text.split_at_checked(at));
        match (split, self.marker.take()) {
            (Some((before, after)), Some(marker)) => {
                self.block.push_str(before);
                self.block.push_str(&marker);
                self.block.push_str(after);
            }
            (_, marker) => {
                self.marker = marker;
                self.block.push_str(text);
            }
        }
    }

    /// Ends the current block: tidies it and keeps it when it holds more than whitespace.
    fn end_block(&mut self) {
        let block = std::mem::take(&mut self.block);
        let text = if self.verbatim {
            block.trim_matches('\n').to_string()
        } else {
            tidy_lines(&block)
        };
        if text.chars().any(|c| !is_html_space(c)) {
            self.blocks.push(text);
        }
    }
}

/// ASCII whitespace as HTML defines it (U+00A0 is not).
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C')
}

/// Each run of ASCII whitespace becomes one space.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if is_html_space(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// A block outside `pre` at its end: each line has its runs of spaces collapsed and is trimmed
/// of spaces, then the block is trimmed of newlines.
fn tidy_lines(block: &str) -> String {
    let lines: Vec<String> = block
        .split('\n')
        .map(|line| {
            let mut out = String::with_capacity(line.len());
            for word in line.split(' ').filter(|w| !w.is_empty()) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
            out
        })
        .collect();
    lines.join("\n").trim_matches('\n').to_string()
}

/// What the `<` at `lt` starts, and where it ends; `None` when it starts no markup (text).
fn scan_markup(html: &str, lt: usize) -> Option<(Markup, usize)> {
    let bytes = html.as_bytes();
    match bytes.get(lt + 1) {
        Some(b'!') => {
            let end = if bytes.get(lt + 2..lt + 4) == Some(&b"--"[..]) {
                find(bytes, lt + 2, b"-->").map_or(bytes.len(), |p| p + 3)
            } else {
                after_gt(bytes, lt + 2)
            };
            Some((Markup::Nothing, end))
        }
        Some(b'?') => Some((Markup::Nothing, after_gt(bytes, lt + 2))),
        Some(b'/') => match bytes.get(lt + 2) {
            Some(b) if b.is_ascii_alphabetic() => {
                let (name, end) = tag_name(html, lt + 2);
                Some((Markup::End(name), skip_attributes(bytes, end)))
            }
            Some(b'>') => Some((Markup::Nothing, lt + 3)),
            Some(_) => Some((Markup::Nothing, after_gt(bytes, lt + 2))),
            None => None,
        },
        Some(b) if b.is_ascii_alphabetic() => {
            let (name, end) = tag_name(html, lt + 1);
            Some((Markup::Start(name), skip_attributes(bytes, end)))
        }
        _ => None,
    }
}

/// The lowercase tag name starting at `start`, and where it ends.
fn tag_name(html: &str, start: usize) -> (String, usize) {
    let bytes = html.as_bytes();
    let len = bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'/' | b'>'))
        .count();
    let name = html.get(start..start + len).unwrap_or_default();
    (name.to_ascii_lowercase(), start + len)
}

/// Skips a tag's attributes (quoted values may hold `>`); returns the position after its `>`,
/// or the end of the input when the tag is not closed.
fn skip_attributes(bytes: &[u8], from: usize) -> usize {
    let mut j = from;
    while let Some(&b) = bytes.get(j) {
        match b {
            b'>' => return j + 1,
            b'=' => {
                j += 1;
                while matches!(bytes.get(j), Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')) {
                    j += 1;
                }
                if let Some(&quote @ (b'"' | b'\'')) = bytes.get(j) {
                    match memchr::memchr(quote, bytes.get(j + 1..).unwrap_or_default()) {
                        Some(p) => j += p + 2,
                        None => return bytes.len(),
                    }
                }
            }
            _ => j += 1,
        }
    }
    bytes.len()
}

/// The position after the next `>` from `from`, or the end of the input.
fn after_gt(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'>', bytes.get(from..).unwrap_or_default())
        .map_or(bytes.len(), |p| from + p + 1)
}

/// The position of `needle` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes.get(from..)?, needle).map(|p| from + p)
}

/// Skips the content of a `script` or `style` element and its end tag; an element that is
/// never closed runs to the end of the input.
fn skip_raw_text(bytes: &[u8], from: usize, name: &str) -> usize {
    let mut j = from;
    while let Some(at) = find(bytes, j, b"</") {
        let name_end = at + 2 + name.len();
        let same_name = bytes
            .get(at + 2..name_end)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
        let ends_name = matches!(
            bytes.get(name_end),
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'/' | b'>')
        );
        if same_name && ends_name {
            return skip_attributes(bytes, name_end);
        }
        j = at + 2;
    }
    bytes.len()
}

/// Decodes the character references of a text (`&amp;`, `&#39;`, `&#x27;`, `&nbsp;`...).
/// An unknown or malformed reference stays as written.
fn decode_references(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        if let Some((c, used)) = reference(after) {
            out.push(c);
            rest = after.get(used..).unwrap_or_default();
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character of the reference that `text` (after its `&`) starts, and its length.
fn reference(text: &str) -> Option<(char, usize)> {
    if text.starts_with('#') {
        numeric_reference(text)
    } else {
        named_reference(text)
    }
}

/// `#123;` or `#x7B;` (the `;` may be missing).
fn numeric_reference(text: &str) -> Option<(char, usize)> {
    let bytes = text.as_bytes();
    let (radix, start) = match bytes.get(1) {
        Some(b'x' | b'X') => (16, 2),
        _ => (10, 1),
    };
    let digits = bytes
        .get(start..)?
        .iter()
        .take_while(|&&b| char::from(b).is_digit(radix))
        .count();
    if digits == 0 {
        return None;
    }
    let end = start + digits;
    let value = text.get(start..end)?.chars().fold(0u32, |acc, d| {
        acc.saturating_mul(radix)
            .saturating_add(d.to_digit(radix).unwrap_or(0))
    });
    let used = if bytes.get(end) == Some(&b';') {
        end + 1
    } else {
        end
    };
    Some((numeric_char(value), used))
}

/// The character a numeric reference names, as browsers read it: U+FFFD for 0, surrogates and
/// values past Unicode; Windows-1252 for 0x80-0x9F.
fn numeric_char(value: u32) -> char {
    let mapped = match value {
        0 => 0xFFFD,
        0x80 => 0x20AC,
        0x82 => 0x201A,
        0x83 => 0x0192,
        0x84 => 0x201E,
        0x85 => 0x2026,
        0x86 => 0x2020,
        0x87 => 0x2021,
        0x88 => 0x02C6,
        0x89 => 0x2030,
        0x8A => 0x0160,
        0x8B => 0x2039,
        0x8C => 0x0152,
        0x8E => 0x017D,
        0x91 => 0x2018,
        0x92 => 0x2019,
        0x93 => 0x201C,
        0x94 => 0x201D,
        0x95 => 0x2022,
        0x96 => 0x2013,
        0x97 => 0x2014,
        0x98 => 0x02DC,
        0x99 => 0x2122,
        0x9A => 0x0161,
        0x9B => 0x203A,
        0x9C => 0x0153,
        0x9E => 0x017E,
        0x9F => 0x0178,
        other => other,
    };
    char::from_u32(mapped).unwrap_or('\u{FFFD}')
}

/// `amp;`, `nbsp;`... A name without `;` is read only for the Latin-1 names browsers accept
/// that way (`&amp`, `&copy`), as the longest such prefix.
fn named_reference(text: &str) -> Option<(char, usize)> {
    let len = text
        .bytes()
        .take(MAX_ENTITY_NAME)
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    if len == 0 {
        return None;
    }
    let name = text.get(..len)?;
    if text.as_bytes().get(len) == Some(&b';')
        && let Some(c) = entity(name)
    {
        return Some((c, len + 1));
    }
    (2..=len).rev().find_map(|k| {
        let prefix = text.get(..k)?;
        let c = entity(prefix)?;
        (u32::from(c) <= 0xFF && prefix != "apos").then_some((c, k))
    })
}

/// The character of a named reference (HTML 4 names and `apos`).
fn entity(name: &str) -> Option<char> {
    ENTITIES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .and_then(|i| ENTITIES.get(i))
        .map(|(_, c)| *c)
}

/// Named character references, sorted by name.
const ENTITIES: &[(&str, char)] = &[
    ("AElig", '\u{c6}'),
    ("Aacute", '\u{c1}'),
    ("Acirc", '\u{c2}'),
    ("Agrave", '\u{c0}'),
    ("Alpha", '\u{391}'),
    ("Aring", '\u{c5}'),
    ("Atilde", '\u{c3}'),
    ("Auml", '\u{c4}'),
    ("Beta", '\u{392}'),
    ("Ccedil", '\u{c7}'),
    ("Chi", '\u{3a7}'),
    ("Dagger", '\u{2021}'),
    ("Delta", '\u{394}'),
    ("ETH", '\u{d0}'),
    ("Eacute", '\u{c9}'),
    ("Ecirc", '\u{ca}'),
    ("Egrave", '\u{c8}'),
    ("Epsilon", '\u{395}'),
    ("Eta", '\u{397}'),
    ("Euml", '\u{cb}'),
    ("Gamma", '\u{393}'),
    ("Iacute", '\u{cd}'),
    ("Icirc", '\u{ce}'),
    ("Igrave", '\u{cc}'),
    ("Iota", '\u{399}'),
    ("Iuml", '\u{cf}'),
    ("Kappa", '\u{39a}'),
    ("Lambda", '\u{39b}'),
    ("Mu", '\u{39c}'),
    ("Ntilde", '\u{d1}'),
    ("Nu", '\u{39d}'),
    ("OElig", '\u{152}'),
    ("Oacute", '\u{d3}'),
    ("Ocirc", '\u{d4}'),
    ("Ograve", '\u{d2}'),
    ("Omega", '\u{3a9}'),
    ("Omicron", '\u{39f}'),
    ("Oslash", '\u{d8}'),
    ("Otilde", '\u{d5}'),
    ("Ouml", '\u{d6}'),
    ("Phi", '\u{3a6}'),
    ("Pi", '\u{3a0}'),
    ("Prime", '\u{2033}'),
    ("Psi", '\u{3a8}'),
    ("Rho", '\u{3a1}'),
    ("Scaron", '\u{160}'),
    ("Sigma", '\u{3a3}'),
    ("THORN", '\u{de}'),
    ("Tau", '\u{3a4}'),
    ("Theta", '\u{398}'),
    ("Uacute", '\u{da}'),
    ("Ucirc", '\u{db}'),
    ("Ugrave", '\u{d9}'),
    ("Upsilon", '\u{3a5}'),
    ("Uuml", '\u{dc}'),
    ("Xi", '\u{39e}'),
    ("Yacute", '\u{dd}'),
    ("Yuml", '\u{178}'),
    ("Zeta", '\u{396}'),
    ("aacute", '\u{e1}'),
    ("acirc", '\u{e2}'),
    ("acute", '\u{b4}'),
    ("aelig", '\u{e6}'),
    ("agrave", '\u{e0}'),
    ("alefsym", '\u{2135}'),
    ("alpha", '\u{3b1}'),
    ("amp", '\u{26}'),
    ("and", '\u{2227}'),
    ("ang", '\u{2220}'),
    ("apos", '\u{27}'),
    ("aring", '\u{e5}'),
    ("asymp", '\u{2248}'),
    ("atilde", '\u{e3}'),
    ("auml", '\u{e4}'),
    ("bdquo", '\u{201e}'),
    ("beta", '\u{3b2}'),
    ("brvbar", '\u{a6}'),
    ("bull", '\u{2022}'),
    ("cap", '\u{2229}'),
    ("ccedil", '\u{e7}'),
    ("cedil", '\u{b8}'),
    ("cent", '\u{a2}'),
    ("chi", '\u{3c7}'),
    ("circ", '\u{2c6}'),
    ("clubs", '\u{2663}'),
    ("cong", '\u{2245}'),
    ("copy", '\u{a9}'),
    ("crarr", '\u{21b5}'),
    ("cup", '\u{222a}'),
    ("curren", '\u{a4}'),
    ("dArr", '\u{21d3}'),
    ("dagger", '\u{2020}'),
    ("darr", '\u{2193}'),
    ("deg", '\u{b0}'),
    ("delta", '\u{3b4}'),
    ("diams", '\u{2666}'),
    ("divide", '\u{f7}'),
    ("eacute", '\u{e9}'),
    ("ecirc", '\u{ea}'),
    ("egrave", '\u{e8}'),
    ("empty", '\u{2205}'),
    ("emsp", '\u{2003}'),
    ("ensp", '\u{2002}'),
    ("epsilon", '\u{3b5}'),
    ("equiv", '\u{2261}'),
    ("eta", '\u{3b7}'),
    ("eth", '\u{f0}'),
    ("euml", '\u{eb}'),
    ("euro", '\u{20ac}'),
    ("exist", '\u{2203}'),
    ("fnof", '\u{192}'),
    ("forall", '\u{2200}'),
    ("frac12", '\u{bd}'),
    ("frac14", '\u{bc}'),
    ("frac34", '\u{be}'),
    ("frasl", '\u{2044}'),
    ("gamma", '\u{3b3}'),
    ("ge", '\u{2265}'),
    ("gt", '\u{3e}'),
    ("hArr", '\u{21d4}'),
    ("harr", '\u{2194}'),
    ("hearts", '\u{2665}'),
    ("hellip", '\u{2026}'),
    ("iacute", '\u{ed}'),
    ("icirc", '\u{ee}'),
    ("iexcl", '\u{a1}'),
    ("igrave", '\u{ec}'),
    ("image", '\u{2111}'),
    ("infin", '\u{221e}'),
    ("int", '\u{222b}'),
    ("iota", '\u{3b9}'),
    ("iquest", '\u{bf}'),
    ("isin", '\u{2208}'),
    ("iuml", '\u{ef}'),
    ("kappa", '\u{3ba}'),
    ("lArr", '\u{21d0}'),
    ("lambda", '\u{3bb}'),
    ("lang", '\u{2329}'),
    ("laquo", '\u{ab}'),
    ("larr", '\u{2190}'),
    ("lceil", '\u{2308}'),
    ("ldquo", '\u{201c}'),
    ("le", '\u{2264}'),
    ("lfloor", '\u{230a}'),
    ("lowast", '\u{2217}'),
    ("loz", '\u{25ca}'),
    ("lrm", '\u{200e}'),
    ("lsaquo", '\u{2039}'),
    ("lsquo", '\u{2018}'),
    ("lt", '\u{3c}'),
    ("macr", '\u{af}'),
    ("mdash", '\u{2014}'),
    ("micro", '\u{b5}'),
    ("middot", '\u{b7}'),
    ("minus", '\u{2212}'),
    ("mu", '\u{3bc}'),
    ("nabla", '\u{2207}'),
    ("nbsp", '\u{a0}'),
    ("ndash", '\u{2013}'),
    ("ne", '\u{2260}'),
    ("ni", '\u{220b}'),
    ("not", '\u{ac}'),
    ("notin", '\u{2209}'),
    ("nsub", '\u{2284}'),
    ("ntilde", '\u{f1}'),
    ("nu", '\u{3bd}'),
    ("oacute", '\u{f3}'),
    ("ocirc", '\u{f4}'),
    ("oelig", '\u{153}'),
    ("ograve", '\u{f2}'),
    ("oline", '\u{203e}'),
    ("omega", '\u{3c9}'),
    ("omicron", '\u{3bf}'),
    ("oplus", '\u{2295}'),
    ("or", '\u{2228}'),
    ("ordf", '\u{aa}'),
    ("ordm", '\u{ba}'),
    ("oslash", '\u{f8}'),
    ("otilde", '\u{f5}'),
    ("otimes", '\u{2297}'),
    ("ouml", '\u{f6}'),
    ("para", '\u{b6}'),
    ("part", '\u{2202}'),
    ("permil", '\u{2030}'),
    ("perp", '\u{22a5}'),
    ("phi", '\u{3c6}'),
    ("pi", '\u{3c0}'),
    ("piv", '\u{3d6}'),
    ("plusmn", '\u{b1}'),
    ("pound", '\u{a3}'),
    ("prime", '\u{2032}'),
    ("prod", '\u{220f}'),
    ("prop", '\u{221d}'),
    ("psi", '\u{3c8}'),
    ("quot", '\u{22}'),
    ("rArr", '\u{21d2}'),
    ("radic", '\u{221a}'),
    ("rang", '\u{232a}'),
    ("raquo", '\u{bb}'),
    ("rarr", '\u{2192}'),
    ("rceil", '\u{2309}'),
    ("rdquo", '\u{201d}'),
    ("real", '\u{211c}'),
    ("reg", '\u{ae}'),
    ("rfloor", '\u{230b}'),
    ("rho", '\u{3c1}'),
    ("rlm", '\u{200f}'),
    ("rsaquo", '\u{203a}'),
    ("rsquo", '\u{2019}'),
    ("sbquo", '\u{201a}'),
    ("scaron", '\u{161}'),
    ("sdot", '\u{22c5}'),
    ("sect", '\u{a7}'),
    ("shy", '\u{ad}'),
    ("sigma", '\u{3c3}'),
    ("sigmaf", '\u{3c2}'),
    ("sim", '\u{223c}'),
    ("spades", '\u{2660}'),
    ("sub", '\u{2282}'),
    ("sube", '\u{2286}'),
    ("sum", '\u{2211}'),
    ("sup", '\u{2283}'),
    ("sup1", '\u{b9}'),
    ("sup2", '\u{b2}'),
    ("sup3", '\u{b3}'),
    ("supe", '\u{2287}'),
    ("szlig", '\u{df}'),
    ("tau", '\u{3c4}'),
    ("there4", '\u{2234}'),
    ("theta", '\u{3b8}'),
    ("thetasym", '\u{3d1}'),
    ("thinsp", '\u{2009}'),
    ("thorn", '\u{fe}'),
    ("tilde", '\u{2dc}'),
    ("times", '\u{d7}'),
    ("trade", '\u{2122}'),
    ("uArr", '\u{21d1}'),
    ("uacute", '\u{fa}'),
    ("uarr", '\u{2191}'),
    ("ucirc", '\u{fb}'),
    ("ugrave", '\u{f9}'),
    ("uml", '\u{a8}'),
    ("upsih", '\u{3d2}'),
    ("upsilon", '\u{3c5}'),
    ("uuml", '\u{fc}'),
    ("weierp", '\u{2118}'),
    ("xi", '\u{3be}'),
    ("yacute", '\u{fd}'),
    ("yen", '\u{a5}'),
    ("yuml", '\u{ff}'),
    ("zeta", '\u{3b6}'),
    ("zwj", '\u{200d}'),
    ("zwnj", '\u{200c}'),
];

#[cfg(test)]
mod tests {
    use super::to_text;
    use proptest::prelude::*;

    #[test]
    fn readme_examples() {
        assert_eq!(
            to_text("<p>Start at Kinkaku-ji.</p><ul><li>9:00</li></ul>"),
            "Start at Kinkaku-ji.\n- 9:00"
        );
        assert_eq!(
            to_text("<p>Try <b>Pontocho</b> alley.</p>"),
            "Try Pontocho alley."
        );
    }

    #[test]
    fn lists_are_marked_and_ordered_lists_count_from_one_per_list() {
        assert_eq!(
            to_text("<ol><li>one</li><li>two</li></ol><ol><li>again</li></ol>"),
            "1. one\n2. two\n1. again"
        );
        assert_eq!(
            to_text("<ul><li>a<ol><li>x</li><li>y</li></ol></li><li>b</li></ul>"),
            "- a\n1. x\n2. y\n- b"
        );
        // The marker goes before the first non-blank text, even inside a paragraph.
        assert_eq!(
            to_text("<ul><li>  <p> <b>bold</b> item</p></li></ul>"),
            "- bold item"
        );
        // An item with no text gives nothing, and does not mark the text after the list.
        assert_eq!(to_text("<ul><li> </li></ul><p>after</p>"), "after");
        // Unclosed items.
        assert_eq!(to_text("<ol><li>a<li>b"), "1. a\n2. b");
    }

    #[test]
    fn pre_is_verbatim_and_trimmed_of_newlines_only() {
        assert_eq!(
            to_text(
                "<p>Code:</p><pre><code>\n\n  if x {\n\ty();\n  }  \n\n</code></pre><p>done</p>"
            ),
            "Code:\n  if x {\n\ty();\n  }  \ndone"
        );
        assert_eq!(to_text("<pre>a<br>b</pre>"), "a\nb");
        assert_eq!(to_text("<pre> \n \n</pre>"), "");
    }

    #[test]
    fn br_splits_lines_and_each_line_is_tidied() {
        assert_eq!(
            to_text("<p>  one  <br> two<i> </i> three <br><br>four<br></p>"),
            "one\ntwo three\n\nfour"
        );
        assert_eq!(to_text("<p><br><br>x</p>"), "x");
        assert_eq!(to_text("a<br/>b</br>c"), "a\nb\nc");
    }

    #[test]
    fn whitespace_collapses_outside_pre() {
        assert_eq!(to_text("a \t\r\n\x0C b"), "a b");
        assert_eq!(to_text("<div>\n  x\n</div>\n<div>y</div>"), "x\ny");
        assert_eq!(to_text("<p> </p><div>\n\t</div>"), "");
    }

    #[test]
    fn character_references_are_decoded() {
        assert_eq!(
            to_text("&amp; &lt;b&gt; &quot;q&quot; &#39;s&#x27; &apos;"),
            "& <b> \"q\" 's' '"
        );
        assert_eq!(
            to_text("caf&eacute; &euro;5 &#8212; &#X2014;"),
            "café €5 — —"
        );
        // Legacy names without `;`, Windows-1252 numbers, and values that are no character.
        assert_eq!(
            to_text("&amp &copy2024 &#150; &#0; &#xD800; &#99999999999;"),
            "& ©2024 – \u{FFFD} \u{FFFD} \u{FFFD}"
        );
        // Unknown or malformed references stay as written.
        assert_eq!(to_text("&bogus; &#; &#x; & &;"), "&bogus; &#; &#x; & &;");
    }

    #[test]
    fn nbsp_is_not_whitespace() {
        assert_eq!(to_text("<p>a&nbsp; &nbsp;b</p>"), "a\u{a0} \u{a0}b");
        assert_eq!(to_text("<p>&nbsp;</p>"), "\u{a0}");
        assert_eq!(to_text("<p> &nbsp; </p>"), "\u{a0}");
    }

    #[test]
    fn script_style_and_template_are_dropped() {
        assert_eq!(
            to_text("<p>a<script>if (x < 1) { y = '</p>'; }</script>b</p>"),
            "ab"
        );
        assert_eq!(
            to_text("<style type=\"text/css\">p > b { color: red }</STYLE ><p>c</p>"),
            "c"
        );
        assert_eq!(
            to_text(
                "<p>x</p><template><p>hidden<template>deeper</template>still</p></template><p>y</p>"
            ),
            "x\ny"
        );
        assert_eq!(to_text("<p>x</p><script>never closed <p>y</p>"), "x");
    }

    #[test]
    fn other_tags_add_nothing_and_attributes_may_hold_markup() {
        assert_eq!(
            to_text(
                "<p>see <a href=\"https://example.com/?a=1&b=<2>\" title='x > y'>this</a><img src=x.png alt=\"<p>\"> <sub>2</sub></p>"
            ),
            "see this 2"
        );
        assert_eq!(
            to_text(
                "<h1>T</h1><table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table><hr>z"
            ),
            "T\nab\nc\nz"
        );
        assert_eq!(
            to_text("<P CLASS=x>Upper</P><BlockQuote>q</BlockQuote>"),
            "Upper\nq"
        );
    }

    #[test]
    fn malformed_html_never_fails() {
        assert_eq!(
            to_text("1 < 2 and 3 <= 4, <3 >_<"),
            "1 < 2 and 3 <= 4, <3 >_<"
        );
        assert_eq!(to_text("<p>unclosed <b>bold"), "unclosed bold");
        assert_eq!(to_text("text <a href=\"never closed"), "text");
        assert_eq!(
            to_text("a<!-- note <p> -->b<!-->c<!doctype html>d<?xml x?>e"),
            "abcde"
        );
        assert_eq!(to_text("a<!-- runs to the end"), "a");
        assert_eq!(to_text("</ul></ol></li></pre>x</>y</ 3>z<"), "xyz<");
        assert_eq!(
            to_text("<p>日本語 ünïcödé 🎉</p><li>ß"),
            "日本語 ünïcödé 🎉\n- ß"
        );
        assert_eq!(to_text(""), "");
    }

    #[test]
    fn large_inputs_are_converted_in_linear_time() {
        let nested = "<ul><li>x".repeat(50_000) + &"</ol>".repeat(50_000);
        assert_eq!(to_text(&nested).lines().count(), 50_000);
        let opens = "<".repeat(200_000) + &"&".repeat(200_000) + &"</".repeat(100_000);
        assert!(to_text(&opens).starts_with("<<<"));
        let script = "<script>".to_string() + &"</".repeat(200_000);
        assert_eq!(to_text(&script), "");
    }

    proptest! {
        #[test]
        fn any_text_converts_without_panicking(html in "(<|>|&|#|;|/|p|li|ol|ul|pre|br|!|-|\"|'|=| |\n|a|x|1|é|\u{a0})*") {
            let text = to_text(&html);
            prop_assert!(!text.starts_with('\n') && !text.ends_with('\n'));
        }

        #[test]
        fn arbitrary_strings_never_panic(html in any::<String>()) {
            let _ = to_text(&html);
        }
    }
}
