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

/// A PSK in a target's notation, or `None` when it cannot be written safely there.
pub fn psk_for(style: crate::render::target::PskStyle, forbidden: &str, s: &str) -> Option<String> {
    use crate::render::target::PskStyle;
    let clean = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_graphic() && !forbidden.contains(c))
        && !s.chars().any(|c| c == '\u{2028}' || c == '\u{2029}');
    match style {
        PskStyle::Strongswan => Some(secret(s)),
        PskStyle::Plain => clean.then(|| s.to_owned()),
        PskStyle::Quoted => (clean && !s.contains(['"', '\\'])).then(|| format!("\"{s}\"")),
    }
}

/// A name shortened to `max` characters; a hash suffix keeps shortened names distinct.
pub fn short_name(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    let suffix = format!("-{:04x}", h & 0xffff);
    let keep = max.saturating_sub(suffix.len());
    format!("{}{suffix}", name[..keep].trim_end_matches('-'))
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
    fn plain_psks_refuse_what_cannot_be_written() {
        use crate::render::target::PskStyle;
        assert_eq!(psk_for(PskStyle::Plain, "?", "abc"), Some("abc".into()));
        assert_eq!(psk_for(PskStyle::Plain, "?", "a?c"), None);
        assert_eq!(psk_for(PskStyle::Plain, "", "a c"), None);
        assert_eq!(psk_for(PskStyle::Plain, "", "a\nc"), None);
        assert_eq!(psk_for(PskStyle::Quoted, "", "a\"c"), None);
        assert_eq!(psk_for(PskStyle::Quoted, "", "a#c"), Some("\"a#c\"".into()));
    }

    #[test]
    fn short_names_stay_distinct() {
        assert_eq!(short_name("abc", 10), "abc");
        let a = short_name("a-very-long-connection-name-one", 15);
        let b = short_name("a-very-long-connection-name-two", 15);
        assert!(a.len() <= 15 && b.len() <= 15 && a != b, "{a} {b}");
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_safe("a\nb\u{2028}c"), "a b c");
    }
}
