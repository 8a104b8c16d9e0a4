//! A JSON input is checked as strict JSON (RFC 8259) before the span-keeping parser, which
//! reads JSON as YAML flow and so would accept YAML-only forms: `0x10` (a 16 s lifetime),
//! `0o10`, `.inf`, `1_000`, unquoted `yes`/`on` as booleans, comments, unquoted strings.

use crate::diag::Diagnostic;
use crate::tree::Span;

/// Whether the input `name` with `text` is to be read as JSON: a `.json` file, or a text that
/// starts with `{` or `[` and is not named `.yaml`/`.yml` (standard input, `.txt`, ...).
pub fn is_json(name: &str, text: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        return true;
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        return false;
    }
    text.trim_start().starts_with(['{', '['])
}

/// `input.syntax` at the first place where `text` is not strict JSON.
pub fn check(name: &str, text: &str) -> Result<(), Diagnostic> {
    check_all(name, text).map_err(|mut all| all.remove(0))
}

/// The most places `check_all` reports in one file.
const MAX_REPORTED: usize = 10;

/// `input.syntax` at every place where `text` is not strict JSON, as far as each fix can be
/// named: a trailing comma, a stray closing brace, a missing comma, a second document. Each is
/// found by trying its fix on a scratch copy (blanking characters, so offsets stay those of the
/// file) and looking on from there; the file itself is never read repaired.
pub fn check_all(name: &str, text: &str) -> Result<(), Vec<Diagnostic>> {
    let mut scratch = text.to_owned();
    let mut found = Vec::new();
    let mut from_second_document = 0;
    while found.len() < MAX_REPORTED {
        let Err(e) =
            serde_json::from_str::<serde::de::IgnoredAny>(&scratch[from_second_document..])
        else {
            break;
        };
        let at = from_second_document
            + offset_of(&scratch[from_second_document..], e.line(), e.column());
        let what = e.to_string();
        let what = what
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned();
        match named_fix(&scratch, from_second_document, at, &what) {
            Some((d, Fix::Blank(spans))) => {
                found.push(d);
                let mut bytes = std::mem::take(&mut scratch).into_bytes();
                for s in spans {
                    bytes[s] = b' ';
                }
                scratch = String::from_utf8(bytes).unwrap_or_default();
            }
            Some((d, Fix::Comma(i))) => {
                found.push(d);
                let mut bytes = std::mem::take(&mut scratch).into_bytes();
                bytes[i] = b',';
                scratch = String::from_utf8(bytes).unwrap_or_default();
            }
            Some((d, Fix::SecondDocument)) => {
                found.push(d);
                from_second_document = at;
            }
            Some((d, Fix::Stop)) => {
                found.push(d);
                break;
            }
            None => {
                found.push(plain(name, at, &what));
                break;
            }
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(found)
    }
}

/// What makes the text parse further at one place.
enum Fix {
    /// Blank these byte offsets (commas, braces: one byte each).
    Blank(Vec<usize>),
    /// Put a comma at this (whitespace) offset.
    Comma(usize),
    /// A second document starts here: look at it on its own.
    SecondDocument,
    /// Nothing more can be said.
    Stop,
}

fn plain(name: &str, at: usize, what: &str) -> Diagnostic {
    Diagnostic::error(
        "input.syntax",
        format!("`{name}` is not valid JSON: {what}"),
    )
    .at(Some(Span::new(at, 1)), "here")
    .help(
        "JSON input must be strict JSON (RFC 8259): keys and strings in double quotes, numbers \
         in decimal digits (no 0x10, 0o10, .inf, 1_000), true/false (not yes/no/on/off), no \
         comments or trailing commas; or write the file as YAML and name it .yaml",
    )
}

/// The last non-whitespace byte before `at`, with its offset.
fn before(text: &str, at: usize) -> Option<(usize, u8)> {
    text.as_bytes()[..at]
        .iter()
        .enumerate()
        .rev()
        .find(|(_, b)| !b.is_ascii_whitespace())
        .map(|(i, b)| (i, *b))
}

/// The first non-whitespace byte after `at`, with its offset.
fn after(text: &str, at: usize) -> Option<(usize, u8)> {
    text.as_bytes()
        .iter()
        .enumerate()
        .skip(at + 1)
        .find(|(_, b)| !b.is_ascii_whitespace())
        .map(|(i, b)| (i, *b))
}

/// How far a candidate fix lets a parser get: the whole text (usize::MAX), or the offset of
/// the next error.
fn reach(text: &str, start: usize, blank: &[usize]) -> usize {
    let mut bytes = text.as_bytes().to_vec();
    for &b in blank {
        bytes[b] = b' ';
    }
    let Ok(t) = String::from_utf8(bytes.split_off(start)) else {
        return 0;
    };
    match serde_json::from_str::<serde::de::IgnoredAny>(&t) {
        Ok(_) => usize::MAX,
        Err(e) => start + offset_of(&t, e.line(), e.column()),
    }
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].bytes().filter(|b| *b == b'\n').count() + 1
}

/// The error at `at` named by its fix, when one is clear.
fn named_fix(text: &str, start: usize, at: usize, what: &str) -> Option<(Diagnostic, Fix)> {
    let here = *text.as_bytes().get(at)?;
    let syntax = |msg: String, span: usize, label: &str, help: String| {
        Diagnostic::error("input.syntax", msg)
            .at(Some(Span::new(span, 1)), label.to_owned())
            .help(help)
    };
    // A comma right before a closing brace or bracket: a trailing comma, or a stray `}` that
    // closes the object early (the members after it belong inside).
    if matches!(here, b'}' | b']') {
        let (comma, b) = before(text, at)?;
        if b != b',' {
            return None;
        }
        let trailing = reach(text, start, &[comma]);
        let stray = reach(text, start, &[comma, at]);
        if stray > trailing && stray == usize::MAX {
            let key_at = after(text, at)
                .filter(|(_, b)| *b == b',')
                .and_then(|(i, _)| after(text, i))
                .map_or(at, |(i, _)| i);
            let key_end = text[key_at..].find(':').map_or(key_at, |e| key_at + e);
            let next = text[key_at..key_end].trim().to_owned();
            return Some((
                syntax(
                    format!("a stray `{}` closes the object before its members end", here as char),
                    at,
                    "closes the object too early",
                    format!(
                        "delete this `{}` and the comma after it: the members after it ({next}, line {}) belong inside the object it closes",
                        here as char,
                        line_of(text, key_at)
                    ),
                ),
                Fix::Blank(vec![at, after(text, at).filter(|(_, b)| *b == b',').map_or(comma, |(i, _)| i)]),
            ));
        }
        let closes = if here == b'}' { "object" } else { "list" };
        return Some((
            syntax(
                format!("a trailing comma after the last member of an {closes}"),
                comma,
                "trailing comma",
                format!("delete this comma: JSON allows no comma before the `{}` that closes an {closes}", here as char),
            ),
            Fix::Blank(vec![comma]),
        ));
    }
    // A value where a comma or the end of the object was expected: a missing comma.
    if what.starts_with("expected `,`") && matches!(here, b'"' | b'{' | b'[') {
        let (end, _) = before(text, at)?;
        let d = syntax(
            "a comma is missing between two members".to_owned(),
            end,
            "a comma is missing after this",
            format!(
                "add `,` at the end of line {}: members of an object or a list are separated by commas",
                line_of(text, end)
            ),
        );
        // Looked on from by turning a whitespace byte between the two into the comma.
        let gap = (end + 1..at).find(|&i| text.as_bytes()[i].is_ascii_whitespace());
        return Some((d, gap.map_or(Fix::Stop, Fix::Comma)));
    }
    // Something after the end of the first document: a second one.
    if what.starts_with("trailing characters") && matches!(here, b'{' | b'[') {
        return Some((
            syntax(
                "a second JSON document starts here: the file holds two documents".to_owned(),
                at,
                "a second document",
                format!(
                    "a file holds one document: save the one starting on line {} as a file of its own and pass both files",
                    line_of(text, at)
                ),
            ),
            Fix::SecondDocument,
        ));
    }
    None
}

/// The byte offset of serde_json's 1-based line and column (a column counts bytes; 0 means
/// the line break before the line), kept on a char boundary inside the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (start + column.saturating_sub(1)).min(text.len().saturating_sub(1));
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_only_forms_are_refused_where_they_stand() {
        for (text, col) in [
            ("{\"IkeLifetime\": 0x10}", 18),
            ("{\"a\": 0o10}", 8),
            ("{\"a\": .inf}", 7),
            ("{\"a\": 1_000}", 8),
            ("{\"a\": yes}", 7),
            ("{\"a\": 1} # c", 10),
            ("{a: 1}", 2),
            // A trailing comma is pointed at itself, not at the brace after it.
            ("{\"a\": 1,}", 8),
        ] {
            let d = check("f.json", text).expect_err(text);
            assert_eq!(d.code, "input.syntax");
            let (span, _) = d.label.expect("label");
            assert_eq!(span.offset + 1, col, "{text}: {}", d.message);
        }
        assert!(check("f.json", "{\"a\": [1, 2.5e3, true, null, \"x\"]}").is_ok());
    }

    /// Each mistake of the published Huawei samples is named with its fix, at its place, and
    /// every one of a file is reported (the file itself is never read repaired).
    #[test]
    fn published_mistakes_are_named_with_their_fix() {
        // (message start, offset, help start) of each diagnostic, in order.
        type Want<'a> = &'a [(&'a str, usize, &'a str)];
        let cases: &[(&str, Want)] = &[
            (
                "{\"a\": {\"b\": [],\n},\n\"c\": [{\"d\": 1,\n}]}",
                &[
                    ("a trailing comma", 14, "delete this comma"),
                    ("a trailing comma", 32, "delete this comma"),
                ],
            ),
            (
                "{\"a\": {\"b\": [],\n },\n \"c\": 1\n}\n}",
                &[(
                    "a stray `}`",
                    17,
                    "delete this `}` and the comma after it: the members after it (\"c\", line 3)",
                )],
            ),
            (
                "{\"a\": \"x\"\n \"b\": 1}",
                &[("a comma is missing", 8, "add `,` at the end of line 1")],
            ),
            (
                "{\"a\": 1}\n\n{\"b\": 2,}",
                &[
                    (
                        "a second JSON document",
                        10,
                        "a file holds one document: save the one starting on line 3",
                    ),
                    ("a trailing comma", 17, "delete this comma"),
                ],
            ),
        ];
        for (text, want) in cases {
            let all = check_all("f.json", text).expect_err(text);
            assert_eq!(all.len(), want.len(), "{text}: {all:#?}");
            for (d, (msg, offset, help)) in all.iter().zip(want.iter()) {
                assert_eq!(d.code, "input.syntax");
                assert!(d.message.starts_with(msg), "{text}: {}", d.message);
                assert_eq!(
                    d.label.as_ref().map(|l| l.0.offset),
                    Some(*offset),
                    "{text}: {}",
                    d.message
                );
                let h = d.help.as_deref().unwrap_or_default();
                assert!(h.starts_with(help), "{text}: {h}");
            }
        }
    }

    #[test]
    fn which_inputs_are_json() {
        assert!(is_json("a.JSON", "a: 1"));
        assert!(is_json("<stdin>", "  {\"a\": 1}"));
        assert!(!is_json("a.yaml", "{a: 1}"));
        assert!(!is_json("<stdin>", "a: 1"));
    }
}
