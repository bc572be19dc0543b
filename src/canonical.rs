//! Canonical JSON: the exact bytes written to the backup repository.
//!
//! Object keys sorted recursively (by UTF-8 bytes), arrays kept in order, 2-space indent, `": "`
//! after keys, a trailing newline, UTF-8 without escaping non-ASCII. Numbers keep every digit they were
//! received with, so a big id such as `12345678901234567890` or a decimal such as `1.10` survives
//! unchanged; the one normalization is the exponent, written `e` with its sign (`1E5` → `1e+5`).
//! Strings are written with the minimal escapes (`\"`, `\\`, `\n`, `\t`, …, `\u0001`).
//!
//! Two implementations give the same bytes: [`canonical_value`] over a parsed `serde_json::Value`
//! (small documents: state, metadata) and [`canonical_json`], a single-pass borrowed parser for raw
//! text (blueprints of several MB: no `Value` tree, strings without escapes copied as they are).
//! A test checks they agree.

use serde_json::Value;

use crate::error::Error;

/// Canonical text of a JSON value (see the module docs).
pub fn canonical_value(value: &Value) -> String {
    // serde_json's Map is a BTreeMap here (the crate never enables `preserve_order`), so pretty
    // printing already sorts keys; the agreement test below guards that assumption.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| String::from("null"));
    text.push('\n');
    text
}

/// Canonical text of any JSON text.
pub fn canonical_json(text: &str) -> Result<String, Error> {
    let mut parser = Parser { bytes: text.as_bytes(), text, pos: 0 };
    let node = parser.document().map_err(|message| Error::input("JSON", message))?;
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    write_node(&node, 0, &mut out);
    out.push('\n');
    Ok(out)
}

/// Parses `text` once and returns the canonical text of the member at each path (`None` where absent).
/// Used on blueprint replies: the multi-MB blueprint and the small parts around it in one pass. A path
/// starting with `"?"` only probes: it yields `{}` or `[]` for an object or array there (no copy).
pub(crate) fn canonical_members(text: &str, paths: &[&[&str]]) -> Result<Vec<Option<String>>, Error> {
    let mut parser = Parser { bytes: text.as_bytes(), text, pos: 0 };
    let root = parser.document().map_err(|message| Error::input("JSON", message))?;
    Ok(paths
        .iter()
        .map(|path| {
            let mut node = &root;
            let (probe, path) = match path.split_first() {
                Some((&"?", rest)) => (true, rest),
                _ => (false, *path),
            };
            for key in path {
                let Node::Object(members) = node else { return None };
                // The last of duplicate keys wins, as in the canonical output.
                node = members.iter().rev().find(|(k, _)| k.value() == *key).map(|(_, v)| v)?;
            }
            let mut out = String::new();
            match (probe, node) {
                // An empty path only asks what the root is: don't write the whole document again.
                (true, Node::Object(_)) => out.push_str("{}"),
                (true, Node::Array(_)) => out.push_str("[]"),
                _ => {
                    write_node(node, 0, &mut out);
                    out.push('\n');
                }
            }
            Some(out)
        })
        .collect())
}

/// Deepest nesting accepted (a malicious document must not exhaust the stack).
const MAX_DEPTH: usize = 512;

/// A parsed node that borrows from the input text.
enum Node<'a> {
    /// `null`, `true`, `false`.
    Literal(&'static str),
    /// A number, as written in the input.
    Number(&'a str),
    /// A string's raw text between the quotes, and whether it holds escapes.
    Str(RawStr<'a>),
    Array(Vec<Self>),
    Object(Vec<(RawStr<'a>, Self)>),
}

#[derive(Clone, Copy)]
struct RawStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl RawStr<'_> {
    /// The string's value (decoded only when it holds escapes).
    fn value(&self) -> std::borrow::Cow<'_, str> {
        if self.escaped { std::borrow::Cow::Owned(unescape(self.raw)) } else { std::borrow::Cow::Borrowed(self.raw) }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

type Parsed<T> = Result<T, String>;

impl<'a> Parser<'a> {
    fn document(&mut self) -> Parsed<Node<'a>> {
        let node = self.value(0)?;
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(node)
    }

    fn error(&self, what: &str) -> String {
        let before = self.text.get(..self.pos.min(self.text.len())).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{what} at line {line} column {column}")
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Parsed<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", byte as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Parsed<Node<'a>> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting deeper than 512 levels"));
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Node::Str),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn literal(&mut self, word: &'static str) -> Parsed<Node<'a>> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(Node::Literal(word))
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Parsed<Node<'a>> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let raw = self.text.get(start..self.pos).ok_or_else(|| self.error("invalid number"))?;
        Ok(Node::Number(raw))
    }

    fn string(&mut self) -> Parsed<RawStr<'a>> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
                        Some(b'u') => {
                            let hex = self.bytes.get(self.pos + 1..self.pos + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return Err(self.error("invalid \\u escape"));
                            }
                            self.pos += 5;
                        }
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(0..=0x1f) => return Err(self.error("control character in string")),
                Some(_) => self.pos += 1,
            }
        }
        let raw = self.text.get(start..self.pos).ok_or_else(|| self.error("invalid string"))?;
        self.pos += 1;
        if escaped {
            check_surrogates(raw).map_err(|e| self.error(e))?;
        }
        Ok(RawStr { raw, escaped })
    }

    fn array(&mut self, depth: usize) -> Parsed<Node<'a>> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Parsed<Node<'a>> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Node::Object(members));
        }
        loop {
            self.skip_ws();
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }
}

/// Lone surrogates (`"\ud800"`) are not valid Unicode text; serde_json rejects them too.
fn check_surrogates(raw: &str) -> Result<(), &'static str> {
    let mut pending_high = false;
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            if pending_high {
                return Err("lone leading surrogate in \\u escape");
            }
            continue;
        }
        let Some((_, kind)) = chars.next() else { break };
        if kind != 'u' {
            if pending_high {
                return Err("lone leading surrogate in \\u escape");
            }
            continue;
        }
        let code = raw.get(i + 2..i + 6).and_then(|h| u16::from_str_radix(h, 16).ok()).unwrap_or(0);
        for _ in 0..4 {
            chars.next();
        }
        match code {
            0xD800..=0xDBFF if pending_high => return Err("lone leading surrogate in \\u escape"),
            0xD800..=0xDBFF => pending_high = true,
            0xDC00..=0xDFFF if !pending_high => return Err("lone trailing surrogate in \\u escape"),
            0xDC00..=0xDFFF => pending_high = false,
            _ if pending_high => return Err("lone leading surrogate in \\u escape"),
            _ => {}
        }
    }
    if pending_high { Err("lone leading surrogate in \\u escape") } else { Ok(()) }
}

/// Decodes a string's escapes (already validated by the parser).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    let mut high: Option<u32> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.next() {
            Some('n') => '\n',
            Some('t') => '\t',
            Some('r') => '\r',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                match (high.take(), code) {
                    (None, 0xD800..=0xDBFF) => {
                        high = Some(code);
                        continue;
                    }
                    (Some(h), 0xDC00..=0xDFFF) => char::from_u32(0x10000 + ((h - 0xD800) << 10) + (code - 0xDC00)).unwrap_or('\u{FFFD}'),
                    (_, code) => char::from_u32(code).unwrap_or('\u{FFFD}'),
                }
            }
            Some(other) => other,
            None => break,
        };
        out.push(decoded);
    }
    out
}

fn write_indent(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_str(s: RawStr<'_>, out: &mut String) {
    out.push('"');
    if s.escaped {
        for c in unescape(s.raw).chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
    } else {
        // No backslash: the raw text has no quote, no backslash and (valid JSON) no control character,
        // so it is already minimally escaped.
        out.push_str(s.raw);
    }
    out.push('"');
}

fn write_number(raw: &str, out: &mut String) {
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == 'e' || c == 'E' {
            out.push('e');
            if chars.peek().is_some_and(char::is_ascii_digit) {
                out.push('+');
            }
        } else {
            out.push(c);
        }
    }
}

fn write_node(node: &Node<'_>, depth: usize, out: &mut String) {
    match node {
        Node::Literal(word) => out.push_str(word),
        Node::Number(raw) => write_number(raw, out),
        Node::Str(s) => write_str(*s, out),
        Node::Array(items) if items.is_empty() => out.push_str("[]"),
        Node::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                write_indent(depth + 1, out);
                write_node(item, depth + 1, out);
            }
            out.push('\n');
            write_indent(depth, out);
            out.push(']');
        }
        Node::Object(members) if members.is_empty() => out.push_str("{}"),
        Node::Object(members) => {
            let mut sorted: Vec<(std::borrow::Cow<'_, str>, RawStr<'_>, &Node<'_>)> =
                members.iter().map(|(k, v)| (k.value(), *k, v)).collect();
            // Stable sort, then keep the last of equal keys (what serde_json's map does with duplicates).
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push_str("{\n");
            let mut first = true;
            for (i, (key, raw_key, value)) in sorted.iter().enumerate() {
                if sorted.get(i + 1).is_some_and(|next| next.0 == *key) {
                    continue;
                }
                if !first {
                    out.push_str(",\n");
                }
                first = false;
                write_indent(depth + 1, out);
                write_str(*raw_key, out);
                out.push_str(": ");
                write_node(value, depth + 1, out);
            }
            out.push('\n');
            write_indent(depth, out);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_recursively_and_keeps_array_order() {
        let out = canonical_json(r#"{"b":1,"a":{"d":[3,1,2],"c":"é"}}"#);
        assert_eq!(
            out,
            Ok("{\n  \"a\": {\n    \"c\": \"é\",\n    \"d\": [\n      3,\n      1,\n      2\n    ]\n  },\n  \"b\": 1\n}\n".to_owned())
        );
    }

    #[test]
    fn keeps_numbers_exactly() {
        let out = canonical_json(r#"{"big":12345678901234567890,"dec":1.10,"exp":1e5}"#);
        assert_eq!(
            out,
            Ok("{\n  \"big\": 12345678901234567890,\n  \"dec\": 1.10,\n  \"exp\": 1e+5\n}\n".to_owned())
        );
    }

    #[test]
    fn is_idempotent() {
        let once = canonical_json(r#"{"z":[{"y":null,"x":true}],"a":"\u0001"}"#).unwrap_or_default();
        assert_eq!(canonical_json(&once), Ok(once.clone()));
    }

    #[test]
    fn the_fast_path_agrees_with_serde_json() {
        let inputs = [
            r#"{"b":1,"a":{"d":[3,1,2],"c":"é"}}"#,
            r#"[1E5, 1e-5, 1.5E+3, -0, 0.10, -1.0e-0, 123456789012345678901234567890, 0, -12.5e10]"#,
            r#"["\u00e9\/\u001f\ud83d\ude00", "tab\tq\"uote\\back", "\b\f\n\r", "\u007f", "plain ünïcödé 日本 🚀"]"#,
            r#"{"k":1,"k":2,"a\u0062":3,"ab":4}"#,
            r#"  {"empty": {}, "list": [], "nested": [[[]], [{}]], "t": true, "f": false, "n": null}  "#,
            r#"{"\u00e9": 1, "e": 2, "z": {"é": 3, "\u0000x": 4}}"#,
        ];
        for input in inputs {
            let value: Value = serde_json::from_str(input).unwrap_or(Value::Null);
            assert_eq!(canonical_json(input).ok(), Some(canonical_value(&value)), "{input}");
        }
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "\"\u{1}\"", "\"\\ud800\"", "\"\\udc00x\"", "[1] 2", "tru", "\"\\u12\""] {
            assert!(canonical_json(bad).is_err(), "{bad:?} accepted");
            assert!(serde_json::from_str::<Value>(bad).is_err(), "{bad:?} accepted by serde_json");
        }
        let deep = "[".repeat(600) + &"]".repeat(600);
        assert!(canonical_json(&deep).is_err());
    }
}
