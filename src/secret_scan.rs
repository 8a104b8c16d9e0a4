//! Secret values found by scanning the raw text, for inputs that do not parse (no tree, so no
//! exact spans) and for the notations a tree hides: JSON inside a JSON string (`\"Psk\":\"..\"`),
//! the query-string form, also percent-encoded (`%22Psk%22%3A%22..%22`), YAML anchors that an
//! aliased secret points to. Where a value ends is not always certain in broken text: then the
//! mask runs to the end of the line, or further, never shorter.

use crate::secret_key::looks_secret;
use crate::tree::Span;

/// Spans of the values of every secret-looking key in `text` (see [`looks_secret`]), and of
/// the anchors those values refer to.
pub fn scan_secrets(text: &str) -> Vec<Span> {
    let b = text.as_bytes();
    let lines = Lines::new(b);
    let budget = walk_budget(b.len());
    let mut out = Vec::new();
    let mut aliases: Vec<&str> = Vec::new();
    // Bytes walked besides the one pass: back over each key, along each secret value.
    let mut walked = 0;
    let mut i = 0;
    while i < b.len() {
        let sep_len = match b[i] {
            b':' | b'=' => 1,
            b'%' if b.get(i + 1) == Some(&b'3') && matches!(b.get(i + 2), Some(b'A' | b'a')) => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        let sep = i;
        i += sep_len;
        let Some(key_start) = key_before(b, &lines, sep) else {
            continue;
        };
        walked += 2 * (sep - key_start);
        if !looks_secret(&decoded_key(&text[key_start..key_end(b, key_start)])) {
            continue;
        }
        let column = key_start - lines.start(key_start);
        let query = b[sep] != b':';
        if let Some(span) = value_span(b, &lines, i, column, query) {
            aliases.extend(alias_names(&text[span.offset..span.offset + span.len]));
            walked += span.len;
            out.push(span);
            if walked > budget {
                // Values nested in values, each running to the end of a long line or of the
                // text (`Psk: [Psk: [...`): every later byte is masked instead of each nested
                // value being measured again, which would cost the square of the text's length.
                out.push(Span::new(span.offset, b.len() - span.offset));
                crate::work::add(crate::work::Unit::ScannedByte, walked);
                return out;
            }
        }
    }
    out.extend(anchor_values(
        text,
        &lines,
        &aliases,
        budget.saturating_sub(walked),
    ));
    crate::work::add(crate::work::Unit::ScannedByte, walked);
    out
}

/// How many bytes the secret values of a text of `len` bytes may span, added up, before the
/// scan masks the rest of the text instead (a few times the text: a real document's secret
/// values are a small part of it).
fn walk_budget(len: usize) -> usize {
    4 * len + (1 << 16)
}

/// The start of the key that ends just before the separator at `sep`: quotes (`"`, `'`, `\"`,
/// `%22`) and blanks between them are skipped. `None` when no key characters are there.
fn key_before(b: &[u8], lines: &Lines, sep: usize) -> Option<usize> {
    let mut j = sep;
    // A separator that opens its line belongs to a key on the lines before (`? Psk` then
    // `: value`, or a key and its colon split over two lines).
    let opens_line = b[lines.start(sep)..sep]
        .iter()
        .all(|c| matches!(c, b' ' | b'\t'));
    loop {
        let blank_or_quote = |c: u8| matches!(c, b' ' | b'\t' | b'"' | b'\'' | b'\\');
        let line_break = |c: u8| opens_line && matches!(c, b'\n' | b'\r' | b'?');
        if j > 0 && (blank_or_quote(b[j - 1]) || line_break(b[j - 1])) {
            j -= 1;
        } else if j >= 3 && b[j - 3] == b'%' && (&b[j - 2..j] == b"22" || &b[j - 2..j] == b"27") {
            j -= 3;
        } else {
            break;
        }
    }
    let end = j;
    while let Some(len) = key_unit_before(b, j) {
        j -= len;
    }
    (j < end).then_some(j)
}

/// The length of the key unit that starts at `i`: a letter, digit or `_-.`, or an escape of one
/// (`\xXX`, `\uXXXX`, `%XX`), which [`decoded_key`] resolves (`"P\x73k"`, `%50sk`).
fn key_unit_at(b: &[u8], i: usize) -> Option<usize> {
    let plain = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
    let escaped = |len: usize, digits: std::ops::Range<usize>| {
        let h = std::str::from_utf8(b.get(i + digits.start..i + digits.end)?).ok()?;
        let c = u8::try_from(u32::from_str_radix(h, 16).ok()?).ok()?;
        plain(c).then_some(len)
    };
    match b.get(i)? {
        c if plain(*c) => Some(1),
        b'%' => escaped(3, 1..3),
        b'\\' if b.get(i + 1) == Some(&b'x') => escaped(4, 2..4),
        b'\\' if b.get(i + 1) == Some(&b'u') => escaped(6, 2..6),
        _ => None,
    }
}

/// The length of the key unit that ends just before `j`, if any.
fn key_unit_before(b: &[u8], j: usize) -> Option<usize> {
    [6, 4, 3, 1]
        .into_iter()
        .find(|&len| j >= len && key_unit_at(b, j - len) == Some(len))
}

fn key_end(b: &[u8], start: usize) -> usize {
    let mut j = start;
    while let Some(len) = key_unit_at(b, j) {
        j += len;
    }
    j
}

/// A key with its escapes resolved: `\uXXXX`, `\xXX` (JSON, YAML) and `%XX` (query strings).
fn decoded_key(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        let hex = |s: &str, n: usize| {
            s.get(..n)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
        };
        let (decoded, used) = match c {
            '\\' if rest[1..].starts_with('u') => (hex(&rest[2..], 4), 6),
            '\\' if rest[1..].starts_with('x') => (hex(&rest[2..], 2), 4),
            '%' => (hex(&rest[1..], 2), 3),
            _ => (None, 0),
        };
        match decoded {
            Some(d) => {
                out.push(d);
                rest = &rest[used..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Where the lines of a text start and end, found once: a text of one long line (minified JSON,
/// a query string) with a separator every few bytes would otherwise be searched for its line
/// breaks from every separator, quadratic in its length.
struct Lines {
    /// Offsets of the `\n` bytes, ascending.
    breaks: Vec<usize>,
    len: usize,
}

impl Lines {
    fn new(b: &[u8]) -> Self {
        let breaks = b
            .iter()
            .enumerate()
            .filter_map(|(i, &c)| (c == b'\n').then_some(i))
            .collect();
        crate::work::add(crate::work::Unit::ScannedByte, b.len());
        Self {
            breaks,
            len: b.len(),
        }
    }

    /// The start of the line holding offset `i`.
    fn start(&self, i: usize) -> usize {
        let k = self.breaks.partition_point(|&p| p < i);
        k.checked_sub(1).map_or(0, |k| self.breaks[k] + 1)
    }

    /// The offset of the line break that ends the line holding `i` (the text's length on the
    /// last line).
    fn end(&self, i: usize) -> usize {
        let k = self.breaks.partition_point(|&p| p < i);
        self.breaks.get(k).copied().unwrap_or(self.len)
    }
}

/// The end of the lines after the one holding `i` that belong to a value whose key stands at
/// `column`: blank lines, lines indented deeper, and `- ` items at the same column (a block
/// sequence may sit at its key's indentation). `from` if there are none.
fn block_end(b: &[u8], lines: &Lines, i: usize, column: usize) -> usize {
    let mut end = lines.end(i);
    let mut last = end;
    while end < b.len() {
        let next = end + 1;
        let stop = lines.end(next);
        let line = &b[next..stop];
        let indent = line
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        let rest = &line[indent..];
        let blank = rest.iter().all(|c| c.is_ascii_whitespace());
        let item = indent == column && (rest.starts_with(b"- ") || rest == b"-" || rest == b"-\r");
        if !(blank || indent > column || item) {
            break;
        }
        if !blank {
            last = stop;
        }
        end = stop;
    }
    last
}

/// The span of the value that starts at or after `i` (after the separator).
fn value_span(b: &[u8], lines: &Lines, mut i: usize, column: usize, query: bool) -> Option<Span> {
    // Blanks, and what the query form writes for them.
    loop {
        if i < b.len() && matches!(b[i], b' ' | b'\t') || query && b.get(i) == Some(&b'+') {
            i += 1;
        } else if query && b[i..].starts_with(b"%20") {
            i += 3;
        } else {
            break;
        }
    }
    let start = i;
    // An anchor or tag before the value: part of what is masked.
    while i < b.len() && matches!(b[i], b'&' | b'!') {
        while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
    }
    let at = |s: &[u8]| b[i..].starts_with(s);
    let end = if i >= b.len() || matches!(b[i], b'\n' | b'\r' | b'#') {
        // Nothing on the key's line: a block mapping, sequence or multi-line scalar below.
        block_end(b, lines, i.min(b.len()), column)
    } else if matches!(b[i], b'|' | b'>') {
        block_end(b, lines, i, column)
    } else if at(b"\\\\") {
        // A value quoted two levels down or more: unsure where it ends.
        lines.end(i)
    } else if at(b"\\\"") {
        // Only the content: the escaped quotes stay as they are.
        let end = escaped_string_end(b, i + 2);
        let close = usize::from(b[..end].ends_with(b"\\\"")) * 2;
        return (end - close > i + 2).then(|| Span::new(i + 2, end - close - i - 2));
    } else if b[i] == b'"' {
        quoted_end(b, i + 1, b'"')
    } else if b[i] == b'\'' {
        quoted_end(b, i + 1, b'\'')
    } else if at(b"%22") || at(b"%27") {
        let end = percent_string_end(b, i + 3);
        let close = usize::from(end >= i + 6 && b[end - 3] == b'%' && b[end - 2] == b'2') * 3;
        return (end - close > i + 3).then(|| Span::new(i + 3, end - close - i - 3));
    } else if matches!(b[i], b'[' | b'{') {
        flow_end(b, i)
    } else if query {
        // A plain query value ends at the next parameter.
        b[i..]
            .iter()
            .position(|&c| matches!(c, b'&' | b'\n' | b'\r'))
            .map_or(b.len(), |p| i + p)
    } else {
        // A plain scalar: to the end of the line, and lines that continue it.
        block_end(b, lines, i, column)
    };
    (end > start).then(|| Span::new(start, end - start))
}

/// The end (after the closing quote) of a string opened before `i`: `"` with backslash
/// escapes, or `'` where `''` is a quote. The end of the text when it is never closed.
fn quoted_end(b: &[u8], mut i: usize, quote: u8) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' if quote == b'"' => i += 2,
            c if c == quote && quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The end of a JSON string inside a JSON string (opened by `\"` before `i`): in the outer
/// text its closing quote is `\"` after a run of backslashes of length 4k+1; an inner escaped
/// quote is `\\\"`. An unescaped `"` (the outer string ends) or a line break ends it too.
fn escaped_string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let run = b[i..].iter().take_while(|&&c| c == b'\\').count();
                i += run;
                if b.get(i) == Some(&b'"') {
                    i += 1;
                    if run % 4 == 1 {
                        return i;
                    }
                }
            }
            b'"' | b'\n' | b'\r' => return i + usize::from(b[i] == b'"'),
            _ => i += 1,
        }
    }
    b.len()
}

/// The end of a percent-encoded JSON string (opened by `%22` before `i`): `%22` after an even
/// number of `%5C`; `&` or a line break (the parameter ends) also ends it.
fn percent_string_end(b: &[u8], mut i: usize) -> usize {
    let mut backslashes = 0;
    while i < b.len() {
        if b[i..].len() >= 3 && b[i] == b'%' {
            let code = [b[i + 1].to_ascii_uppercase(), b[i + 2].to_ascii_uppercase()];
            i += 3;
            match &code {
                b"5C" => backslashes += 1,
                b"22" | b"27" if backslashes % 2 == 0 => return i,
                _ => backslashes = 0,
            }
            if &code != b"5C" {
                backslashes = 0;
            }
            continue;
        }
        if matches!(b[i], b'&' | b'\n' | b'\r') {
            return i;
        }
        backslashes = 0;
        i += 1;
    }
    b.len()
}

/// The end of a flow collection opened at `i`: after its matching bracket (quotes skipped),
/// or the end of the text when it is never closed.
fn flow_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            q @ (b'"' | b'\'') => {
                i = quoted_end(b, i + 1, q);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Names of the aliases (`*name`) in a masked value.
fn alias_names(value: &str) -> impl Iterator<Item = &str> {
    value.match_indices('*').filter_map(move |(p, _)| {
        let before = value[..p].chars().next_back();
        if before.is_some_and(|c| !matches!(c, ' ' | '\t' | '[' | ',' | '\n' | '-')) {
            return None;
        }
        let name: &str = value[p + 1..]
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
            .next()?;
        (!name.is_empty()).then_some(name)
    })
}

/// Spans of the values defined by `&name` anywhere in the text, for every alias `*name` of a
/// secret (the anchor a secret aliases, wherever it was defined). One pass over the text finds
/// every anchor, however many aliases there are; past `budget` bytes of values, the rest of the
/// text is masked.
fn anchor_values(text: &str, lines: &Lines, aliases: &[&str], budget: usize) -> Vec<Span> {
    let mut out = Vec::new();
    if aliases.is_empty() {
        return out;
    }
    let names: std::collections::HashSet<&str> = aliases.iter().copied().collect();
    let lengths: std::collections::HashSet<usize> = names.iter().map(|n| n.len()).collect();
    let b = text.as_bytes();
    let mut walked = 0;
    // The next blank at or after the position looked at (the anchors come in text order).
    let mut blank = 0;
    for (p, _) in text.match_indices('&') {
        if blank <= p {
            blank = b[p + 1..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(b.len(), |n| p + 1 + n);
        }
        // The anchor's name runs to the next blank (or the end of the text).
        let after = blank;
        if !lengths.contains(&(after - p - 1)) {
            continue;
        }
        walked += after - p;
        if walked > budget {
            out.push(Span::new(p, b.len() - p));
            break;
        }
        if !names.contains(&text[p + 1..after]) {
            continue;
        }
        // Indented below the key or item the anchor is written after.
        let ls = lines.start(p);
        let line = &b[ls..p];
        let column = line
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        if let Some(span) = value_span(b, lines, after, column, false) {
            walked += span.len + (after - p);
            out.push(span);
            if walked > budget {
                out.push(Span::new(span.offset, b.len() - span.offset));
                break;
            }
        }
    }
    crate::work::add(crate::work::Unit::ScannedByte, walked);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::masked;

    fn mask(text: &str) -> String {
        masked(text, &scan_secrets(text))
    }

    #[test]
    fn plain_values_are_masked_to_the_end_of_the_line() {
        assert_eq!(
            mask("{\"Name\": \"x\", \"Psk\": abc,LEAKME }, \"X\": 1\n\"Y\": 2"),
            "{\"Name\": \"x\", \"Psk\": ********************\n\"Y\": 2"
        );
        assert_eq!(mask("Psk: abc # c\nX: 1"), "Psk: *******\nX: 1");
        assert_eq!(mask("Psk: abc\n  def\nX: 1"), "Psk: ***\n*****\nX: 1");
    }

    #[test]
    fn quoted_values_end_at_their_closing_quote() {
        assert_eq!(
            mask(r#"{"Psk": "abc,LEAK}'\"ME", "X": }"#),
            r#"{"Psk": "**************", "X": }"#
        );
        assert_eq!(mask("Psk: 'a''b,}LEAK'\nX: 1"), "Psk: '**********'\nX: 1");
        assert_eq!(mask("Psk: \"a\n  LEAK\"\nX: 1"), "Psk: \"*\n******\"\nX: 1");
        // Never closed: the rest of the text.
        assert_eq!(mask("Psk: \"abc\nX: 1"), "Psk: ****\n****");
    }

    #[test]
    fn json_inside_a_string() {
        let text = r#"{"IkeConfig": "{\"Psk\":\"a\\\"b,LEAK\",\"IkeVersion\":\"ikev2\"}"}"#;
        assert_eq!(
            mask(text),
            r#"{"IkeConfig": "{\"Psk\":\"***********\",\"IkeVersion\":\"ikev2\"}"}"#
        );
        // An escaped backslash before the closing quote.
        let text = r#""{\"Psk\":\"ab\\\\\",\"X\":1}""#;
        assert_eq!(mask(text), r#""{\"Psk\":\"******\",\"X\":1}""#);
        // Two levels down: to the end of the line.
        let text = r#""{\"A\":\"{\\\"Psk\\\":\\\"LEAK\\\"}\"}" more"#;
        assert!(!mask(text).contains("LEAK"), "{}", mask(text));
    }

    #[test]
    fn query_form_plain_and_percent_encoded() {
        assert_eq!(
            mask("Action=X&Psk=ab,c}LEAK&Name=n\n"),
            "Action=X&Psk=*********&Name=n\n"
        );
        let text =
            "IkeConfig=%7B%22Psk%22%3A%22a%5C%22LEAK%22%2C%22IkeVersion%22%3A%22ikev2%22%7D&X=1";
        assert_eq!(
            mask(text),
            "IkeConfig=%7B%22Psk%22%3A%22***********%22%2C%22IkeVersion%22%3A%22ikev2%22%7D&X=1"
        );
        assert_eq!(mask("&Psk=a+b%20c\n&X=1"), "&Psk=*******\n&X=1");
    }

    #[test]
    fn block_scalars_lists_and_maps() {
        assert_eq!(
            mask("Psk: |\n  LEAK1\n  LEAK2\nX: 1\n"),
            "Psk: *\n*******\n*******\nX: 1\n"
        );
        assert_eq!(mask("Psk:\n- a\n- LEAK\nX: 1"), "Psk:\n***\n******\nX: 1");
        assert_eq!(
            mask("a:\n  Psk:\n    k: LEAK\n  X: 1"),
            "a:\n  Psk:\n***********\n  X: 1"
        );
        assert_eq!(
            mask("{\"Psk\": [\"a]\", \"LEAK\"], \"X\": 1}"),
            "{\"Psk\": **************, \"X\": 1}"
        );
        assert_eq!(mask("Psk: {env: VAR}"), "Psk: **********");
    }

    #[test]
    fn misspelt_keys_and_aliases() {
        for key in [
            "Pks",
            "Psk2",
            "IkePsk",
            "SharedKey",
            "PreSharedKey",
            "psk_",
            "pre-shared-key",
        ] {
            assert_eq!(mask(&format!("{key}: LEAK\n")), format!("{key}: ****\n"));
        }
        assert_eq!(
            mask("PskEnabled: true\nIkeAuthAlg: md5\n"),
            "PskEnabled: true\nIkeAuthAlg: md5\n"
        );
        // An alias: the anchor's value is masked where it is defined, on another key.
        let text = "Name: &a LEAK\nX: [&b LEAK2, 1]\nIkeConfig: {Psk: *a}\nPsk: [*b]\n";
        let m = mask(text);
        assert!(!m.contains("LEAK"), "{m}");
        assert!(m.starts_with("Name: &"), "{m}");
        let text = "Name: &a |\n  LEAK\nPsk: *a\n";
        assert!(!mask(text).contains("LEAK"), "{}", mask(text));
    }

    #[test]
    fn scanning_finds_secrets_in_broken_and_nested_text() {
        let text = "{\"IkeConfig\": \"{\\\"Psk\\\":\\\"hunter2\\\",\\\"X\\\":}\", psk: abc,\n PskEnabled: true}";
        let m = mask(text);
        assert!(!m.contains("hunter2"), "{m}");
        assert!(!m.contains("abc"), "{m}");
        assert!(m.contains("PskEnabled: true"), "{m}");
    }

    #[test]
    fn values_of_other_keys_stay_visible() {
        let text = "Name: x\nIkeConfig: {IkeLifetime: 99999}\nfe80::1: y\n";
        assert_eq!(mask(text), text);
    }
}
