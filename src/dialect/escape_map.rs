//! Map positions inside a decoded string value back to byte offsets in the source, through the
//! escapes of its quoted form (JSON / YAML double-quoted, YAML single-quoted, plain).

/// Decode the raw scalar `raw` (as it appears in the source) and return, for every byte index of
/// the decoded content (and one past its end), the byte offset in `raw`.
/// `None` when the raw form cannot be followed (then callers label the whole value).
pub fn content_offsets(raw: &str, decoded: &str) -> Option<Vec<usize>> {
    let map = match raw.as_bytes().first() {
        Some(b'"') => double_quoted(raw)?,
        Some(b'\'') => single_quoted(raw)?,
        _ => (0..=raw.len()).collect(),
    };
    // Only trust the map when it decodes to exactly the value the parser produced.
    (map.len() == decoded.len() + 1).then_some(map)
}

fn double_quoted(raw: &str) -> Option<Vec<usize>> {
    let bytes = raw.as_bytes();
    let mut map = Vec::with_capacity(raw.len());
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                map.push(i);
                return Some(map);
            }
            b'\\' => {
                let esc = *bytes.get(i + 1)?;
                let (decoded_len, raw_len) = match esc {
                    b'u' => {
                        let hex = raw.get(i + 2..i + 6)?;
                        let cp = u32::from_str_radix(hex, 16).ok()?;
                        if (0xD800..0xDC00).contains(&cp) {
                            // A surrogate pair: \uD83D\uDE00 is one 4-byte character.
                            (4, 12)
                        } else {
                            (char::from_u32(cp)?.len_utf8(), 6)
                        }
                    }
                    b'x' => (
                        char::from_u32(u32::from_str_radix(raw.get(i + 2..i + 4)?, 16).ok()?)?
                            .len_utf8(),
                        4,
                    ),
                    b'U' => (
                        char::from_u32(u32::from_str_radix(raw.get(i + 2..i + 10)?, 16).ok()?)?
                            .len_utf8(),
                        10,
                    ),
                    b'N' | b'_' => (2, 2),
                    b'L' | b'P' => (3, 2),
                    _ => (1, 2),
                };
                map.extend(std::iter::repeat_n(i, decoded_len));
                i += raw_len;
            }
            _ => {
                map.push(i);
                i += 1;
            }
        }
    }
    None
}

fn single_quoted(raw: &str) -> Option<Vec<usize>> {
    let bytes = raw.as_bytes();
    let mut map = Vec::with_capacity(raw.len());
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                map.push(i);
                i += 2;
                continue;
            }
            map.push(i);
            return Some(map);
        }
        map.push(i);
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::content_offsets;

    #[test]
    fn follows_json_escapes() {
        let raw = r#""{\"a\":1}""#;
        let decoded = r#"{"a":1}"#;
        let map = content_offsets(raw, decoded).unwrap();
        // decoded 'a' (index 2) sits at raw index 3 ("{\"a" -> the 'a' after \")
        assert_eq!(&raw[map[2]..map[2] + 1], "a");
        assert_eq!(&raw[map[5]..map[5] + 1], "1");
        assert_eq!(map[decoded.len()], raw.len() - 1);
    }

    #[test]
    fn plain_and_single_quoted() {
        assert_eq!(content_offsets("abc", "abc").unwrap(), vec![0, 1, 2, 3]);
        let m = content_offsets("'it''s'", "it's").unwrap();
        assert_eq!(m, vec![1, 2, 3, 5, 6]);
    }

    #[test]
    fn unicode_escape() {
        let raw = r#""\u00e9x""#;
        let m = content_offsets(raw, "éx").unwrap();
        assert_eq!(m, vec![1, 1, 7, 8]);
    }
}
