//! Untrusted text made safe to print: file names, messages (which quote keys and values of the
//! input) and snippets go to terminals and CI logs, where a control character could move the
//! cursor, recolour or hide text, start a GitHub workflow command on a new line, or reorder
//! what is shown (bidi controls).

use std::borrow::Cow;

/// A character that must not reach a terminal or log as itself: C0 controls (tab, line feed
/// and carriage return included), DEL, C1 controls (U+0085 included), the line and paragraph
/// separators U+2028/U+2029, and the bidi controls (U+061C, U+200E/U+200F, U+202A-U+202E,
/// U+2066-U+2069).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character written as an escape: `\n`, `\r`, `\t`, else `\u{..}`
/// (lowercase hex). Backslashes are left alone, so Windows paths read as they are.
pub fn escaped(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A source text for a report snippet: every unsafe character but tab, line feed and a
/// carriage return before a line feed is replaced by characters of the same length in bytes
/// (`?` per byte, or U+FFFD for a three-byte character), so every span still fits.
pub fn snippet_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let keep = |i: usize, c: char| {
        c == '\t' || c == '\n' || (c == '\r' && bytes.get(i + 1) == Some(&b'\n'))
    };
    if !text
        .char_indices()
        .any(|(i, c)| is_unsafe(c) && !keep(i, c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if !is_unsafe(c) || keep(i, c) {
            out.push(c);
        } else if c.len_utf8() == 3 {
            out.push('\u{fffd}');
        } else {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        }
    }
    Cow::Owned(out)
}

/// A serialized JSON text with the unsafe characters serde_json leaves as they are (DEL, C1,
/// U+2028/U+2029, bidi controls) written as `\uXXXX` escapes: the same JSON value, printable.
/// (Such characters can only stand inside strings, where the escape means the same.)
pub fn json_text(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_unsafe) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_messages_show_escapes() {
        assert_eq!(escaped("plain \\ name"), "plain \\ name");
        assert_eq!(
            escaped("a\n::warning x\r\t\u{1b}[31m\u{85}\u{2028}\u{202e}\u{2066}\u{7f}"),
            "a\\n::warning x\\r\\t\\u{1b}[31m\\u{85}\\u{2028}\\u{202e}\\u{2066}\\u{7f}"
        );
    }

    #[test]
    fn snippets_keep_every_offset() {
        let text = "a: \u{1b}[2J\r\nb: x\ry\u{85}\u{2028}\u{202e}\n";
        let s = snippet_text(text);
        assert_eq!(s, "a: ?[2J\r\nb: x?y??\u{fffd}\u{fffd}\n");
        assert_eq!(s.len(), text.len());
        assert_eq!(snippet_text("a:\tb\r\n"), "a:\tb\r\n");
    }

    #[test]
    fn json_escapes_what_serde_leaves() {
        let line = serde_json::to_string("x\u{1b}\u{7f}\u{85}\u{2028}\u{202e}").expect("json");
        let safe = json_text(&line);
        assert_eq!(safe, "\"x\\u001b\\u007f\\u0085\\u2028\\u202e\"");
        let back: String = serde_json::from_str(&safe).expect("still json");
        assert_eq!(back, "x\u{1b}\u{7f}\u{85}\u{2028}\u{202e}");
    }
}
