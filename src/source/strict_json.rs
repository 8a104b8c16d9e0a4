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
    let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) else {
        return Ok(());
    };
    let offset = offset_of(text, e.line(), e.column());
    let what = e.to_string();
    let what = what.split(" at line ").next().unwrap_or_default();
    Err(Diagnostic::error(
        "input.syntax",
        format!("`{name}` is not valid JSON: {what}"),
    )
    .at(Some(Span::new(offset, 1)), "here")
    .help(
        "JSON input must be strict JSON (RFC 8259): keys and strings in double quotes, numbers \
         in decimal digits (no 0x10, 0o10, .inf, 1_000), true/false (not yes/no/on/off), no \
         comments or trailing commas; or write the file as YAML and name it .yaml",
    ))
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
            ("{\"a\": 1,}", 9),
        ] {
            let d = check("f.json", text).expect_err(text);
            assert_eq!(d.code, "input.syntax");
            let (span, _) = d.label.expect("label");
            assert_eq!(span.offset + 1, col, "{text}: {}", d.message);
        }
        assert!(check("f.json", "{\"a\": [1, 2.5e3, true, null, \"x\"]}").is_ok());
    }

    #[test]
    fn which_inputs_are_json() {
        assert!(is_json("a.JSON", "a: 1"));
        assert!(is_json("<stdin>", "  {\"a\": 1}"));
        assert!(!is_json("a.yaml", "{a: 1}"));
        assert!(!is_json("<stdin>", "a: 1"));
    }
}
