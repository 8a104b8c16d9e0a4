//! A JSON text read straight into the spanned tree, without the YAML parser.
//!
//! JSON is YAML's flow form, and every input used to go through the YAML parser, which keeps a
//! location for every value: for a JSON document (what the clouds' APIs print) that was most
//! of the cost of checking a file. This reader gives the tree the YAML parser gives, with the
//! same spans (a scalar's token, quotes included; a collection's opening bracket), for the
//! plain JSON it is sure of, and declines (`None`) everything else, which then takes the YAML
//! parser's way, with its diagnostics:
//! - anything that is not strict JSON, or a byte-order mark;
//! - a duplicate key (the parser's error), a key over 1,000 bytes (an implicit key's length
//!   limit in YAML), an object of over 256 keys;
//! - a character YAML does not take unescaped (DEL, C1 controls, U+FEFF, U+FFFE, U+FFFF) or
//!   a `\u` escape of a control character;
//! - a `\u` escape of a surrogate half, a number over 64 characters or one the parser
//!   refuses (a literal over `f64`'s range); other numbers are typed as the parser types a
//!   plain scalar (`plain_scalar`: an integer past 64 bits is a float);
//! - a document over a limit of the parser (values, events: counted as the parser counts a
//!   JSON text), nested over 32 deep, or more scalar bytes than the input limit.
//!
//! `tests/json_tree.rs` compares both readings on every shipped example, the published
//! payloads and generated documents.

use super::Limits;
use crate::tree::{Key, Node, Span, Value};

/// Nesting this reader takes (the parser's budget allows 64).
const MAX_DEPTH: usize = 32;
/// Longest key this reader takes (YAML limits an implicit key to 1,024 characters).
const MAX_KEY: usize = 1_000;
/// Most keys of one object this reader takes (it compares each key with those before it).
const MAX_KEYS: usize = 256;
/// The stream's and the document's start and end.
const STREAM_EVENTS: usize = 4;
/// Longest number this reader takes.
const MAX_NUMBER: usize = 64;

/// The tree of a JSON `text`, or `None` when the YAML parser should read it.
pub fn parse(text: &str, limits: Limits) -> Option<Node> {
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        i: 0,
        nodes: 0,
        events: STREAM_EVENTS,
        limits,
        scalar_bytes: 0,
    };
    r.space();
    if !matches!(r.peek()?, b'{' | b'[') {
        return None;
    }
    let node = r.value(0)?;
    r.space();
    (r.i == r.b.len()).then_some(node)
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    nodes: usize,
    /// The parser's events so far: one per scalar (keys included), two per collection, and
    /// the stream's and the document's start and end.
    events: usize,
    limits: Limits,
    scalar_bytes: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// JSON's whitespace.
    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// One more value, of `events` events, within the parser's node and event limits.
    fn count(&mut self, events: usize) -> Option<()> {
        self.nodes += 1;
        self.events += events;
        (self.nodes <= self.limits.nodes && self.events <= self.limits.events()).then_some(())
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let collection = matches!(self.peek()?, b'{' | b'[');
        self.count(1 + usize::from(collection))?;
        let start = self.i;
        let value = match self.peek()? {
            b'{' => self.map(depth)?,
            b'[' => self.seq(depth)?,
            b'"' => Value::Str(self.string()?),
            b't' => self.word("true", Value::Bool(true))?,
            b'f' => self.word("false", Value::Bool(false))?,
            b'n' => self.word("null", Value::Null)?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return None,
        };
        let len = match value {
            Value::Map(_) | Value::Seq(_) => 1,
            _ => self.i - start,
        };
        Some(Node {
            value,
            span: Span::new(start, len),
        })
    }

    fn map(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        self.space();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(Value::Map(entries));
        }
        loop {
            self.space();
            if self.peek()? != b'"' {
                return None;
            }
            self.count(1)?;
            let start = self.i;
            let name = self.string()?;
            if self.i - start > MAX_KEY
                || entries.len() >= MAX_KEYS
                || entries.iter().any(|(k, _)| k.name == name)
            {
                return None;
            }
            let key = Key {
                name,
                span: Span::new(start, self.i - start),
            };
            self.space();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            self.space();
            let value = self.value(depth + 1)?;
            entries.push((key, value));
            self.space();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(Value::Map(entries));
                }
                _ => return None,
            }
        }
    }

    fn seq(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut items = Vec::new();
        self.space();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(Value::Seq(items));
        }
        loop {
            self.space();
            items.push(self.value(depth + 1)?);
            self.space();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(Value::Seq(items));
                }
                _ => return None,
            }
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Option<Value> {
        self.b[self.i..].starts_with(word.as_bytes()).then(|| {
            self.i += word.len();
            value
        })
    }

    /// A number as the parser types it (`plain_scalar`).
    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.i += 1;
        }
        let s = &self.text[start..self.i];
        if s.len() > MAX_NUMBER || !strict_number(s) {
            return None;
        }
        // A JSON number is a plain scalar to the parser (an integer past 64 bits a float).
        super::plain_scalar::typed(s)
    }

    /// A quoted string, decoded; the reader ends past its closing quote.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            let part = self.text.get(run..self.i)?;
            if part.bytes().any(|b| b >= 0x7f) && part.chars().any(not_yaml_printable) {
                return None;
            }
            out.push_str(part);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    self.scalar_bytes += out.len();
                    return (self.scalar_bytes <= super::MAX_INPUT_BYTES).then_some(out);
                }
                b'\\' => {
                    let c = match *self.b.get(self.i + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.text.get(self.i + 2..self.i + 6)?;
                            let code = u32::from_str_radix(hex, 16).ok()?;
                            self.i += 4;
                            // A surrogate half (the parser's own pairing decides) or a control
                            // character (its own escaping rules).
                            char::from_u32(code).filter(|c| !c.is_control())?
                        }
                        _ => return None,
                    };
                    out.push(c);
                    self.i += 2;
                }
                _ => return None,
            }
        }
    }
}

/// A character YAML 1.2 does not take unescaped in a stream (`c-printable`), or U+FEFF.
fn not_yaml_printable(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// RFC 8259's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn strict_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}
