//! Making values safe to print in config files.

/// Characters a secret may contain to be printed as a quoted string; anything else is hex.
fn plain_secret_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.+=@:/,!%^*~()[]<>?&".contains(c)
}

/// A PSK in strongSwan's notation: `"text"` when that is unambiguous, else `0x<hex>`.
pub fn secret(s: &str) -> String {
    if !s.is_empty() && s.chars().all(plain_secret_char) {
        format!("\"{s}\"")
    } else {
        let mut out = String::from("0x");
        for b in s.bytes() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

/// Text for a comment line: no line breaks or control characters, at most 100 characters.
pub fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .take(100)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_break_out_of_quotes() {
        assert_eq!(secret("abc123"), "\"abc123\"");
        assert_eq!(secret("a\"b"), "0x612262");
        assert_eq!(secret("a\nb"), "0x610a62");
        assert_eq!(secret("a b"), "0x612062");
        assert_eq!(secret("a\\b"), "0x615c62");
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_safe("a\nb\u{2028}c"), "a b c");
    }
}
