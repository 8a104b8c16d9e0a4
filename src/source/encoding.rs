//! Text encodings other than UTF-8, told apart by their byte-order mark or the NUL bytes of
//! ASCII text in UTF-16/UTF-32 (Windows tools save "Unicode" text as UTF-16).

use crate::diag::Diagnostic;

/// The UTF-16/UTF-32 encoding `bytes` are in, if they look like one.
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xff, 0xfe, 0, 0, ..] => return Some("UTF-32 (little-endian)"),
        [0, 0, 0xfe, 0xff, ..] => return Some("UTF-32 (big-endian)"),
        [0xff, 0xfe, ..] => return Some("UTF-16 (little-endian)"),
        [0xfe, 0xff, ..] => return Some("UTF-16 (big-endian)"),
        _ => {}
    }
    // No mark: ASCII text in a wide encoding has NUL bytes in a fixed pattern.
    match bytes {
        [a, 0, 0, 0, ..] if *a != 0 => Some("UTF-32 (little-endian)"),
        [0, 0, 0, a, ..] if *a != 0 => Some("UTF-32 (big-endian)"),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some("UTF-16 (little-endian)"),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some("UTF-16 (big-endian)"),
        [a, 0] if *a != 0 => Some("UTF-16 (little-endian)"),
        [0, a] if *a != 0 => Some("UTF-16 (big-endian)"),
        _ => None,
    }
}

/// `input.encoding` for a UTF-16 or UTF-32 text, with how to fix it.
pub fn check(name: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    match wide_encoding(bytes) {
        None => Ok(()),
        Some(enc) => Err(Diagnostic::error(
            "input.encoding",
            format!("`{name}` is {enc} text; ipsecgen reads UTF-8"),
        )
        .help(
            "save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`, or \"UTF-8\" in the editor's \
             save dialog)",
        )),
    }
}

/// The bytes without a leading UTF-8 byte-order mark (accepted and ignored).
pub fn without_utf8_bom(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        bytes.drain(..3);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xff, 0xfe] } else { vec![] };
        s.encode_utf16().for_each(|u| out.extend(u.to_le_bytes()));
        out
    }

    #[test]
    fn wide_encodings_are_named() {
        let d = check("c.json", &utf16le("{\"a\": 1}", true)).expect_err("utf-16");
        assert_eq!(d.code, "input.encoding");
        assert_eq!(
            d.message,
            "`c.json` is UTF-16 (little-endian) text; ipsecgen reads UTF-8"
        );
        let d = check("c.json", &utf16le("{\"a\": 1}", false)).expect_err("utf-16");
        assert_eq!(
            d.message,
            "`c.json` is UTF-16 (little-endian) text; ipsecgen reads UTF-8"
        );
        let be: Vec<u8> = [0, 0, 0xfe, 0xff, 0, 0, 0, b'{'].to_vec();
        assert!(check("c", &be)
            .expect_err("32")
            .message
            .contains("UTF-32 (big-endian)"));
        assert!(check("c", b"{\"a\": 1}").is_ok());
        assert!(
            check("c", b"a\0b").is_ok(),
            "other NUL bytes are input.binary"
        );
        assert_eq!(without_utf8_bom(b"\xef\xbb\xbfa: 1".to_vec()), b"a: 1");
    }
}
