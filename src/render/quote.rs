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
        hex(s)
    }
}

/// `0x` and the hex of the bytes of `s`.
fn hex(s: &str) -> String {
    let mut out = String::from("0x");
    for b in s.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A PSK in a target's notation, or `None` when it cannot be written safely there. A key that
/// starts with one of the target's `decoded` prefixes is written as hex (see
/// `Target::psk_decoded_prefixes`).
pub fn psk_for(
    style: crate::render::target::PskStyle,
    forbidden: &str,
    decoded: &[String],
    s: &str,
) -> Option<String> {
    use crate::render::target::PskStyle;
    let prefixed = decoded.iter().any(|p| {
        s.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    });
    if prefixed && style != PskStyle::Quoted {
        return Some(hex(s));
    }
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

/// Whether `value` can be written into any target's config as one word (a device fact such as
/// an interface or zone name): ASCII letters and digits, then also `-`, `_`, `.` and `/`
/// (`ge-0/0/0.0`, `Tunnel0/0/`), at most 63 characters. Whitespace, quotes, comment leaders
/// (`#`, `!`, `;`), braces, `?` and every character `is_unsafe_char` refuses are out, so a
/// value can never add a line, a word or a comment to any target's output.
pub fn device_word(value: &str) -> bool {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./".contains(c);
    value.len() <= 63
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value.chars().all(|c| plain(c) && !is_unsafe_char(c))
}

/// A character that must never reach an output raw: a control character (line feed, carriage
/// return, tab, escape, NUL, the C1 controls with U+0085 NEXT LINE), a Unicode line or paragraph
/// separator, or an invisible format character (bidirectional overrides and isolates, zero-width
/// characters, the byte-order mark, the soft hyphen) that makes a line read differently from
/// what a parser sees.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || crate::verify::invisible::is_invisible(c)
}

/// Text for a comment line: no line breaks, control or invisible format characters, at most
/// 100 characters.
pub fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if is_unsafe_char(c) { ' ' } else { c })
        .take(100)
        .collect()
}

/// A path or word written the way a POSIX shell reads it back, always on one line: as it is when
/// it holds only characters no shell or config parser treats specially; in single quotes when
/// it holds others; in `$'...'` with escapes when it holds characters that must never reach an
/// output raw (`is_unsafe_char`). Generated files print the input path this way, in their
/// header and in the command that regenerates them, so a file name cannot add a line to them
/// and the command can be pasted into a shell as it is.
pub fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "-_./+,:@%=".contains(c);
    if !s.is_empty() && s.chars().all(|c| plain(c) && !is_unsafe_char(c)) {
        return s.to_owned();
    }
    if !s.chars().any(is_unsafe_char) {
        return format!("'{}'", s.replace('\'', "'\\''"));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_ascii() && is_unsafe_char(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A file path as a shell word that a command reads as a file, never as an option: a relative
/// path starting with `-` (or `=`, which zsh expands) gets `./` in front.
pub fn path_word(path: &str) -> String {
    if path.starts_with(['-', '=']) {
        shell_word(&format!("./{path}"))
    } else {
        shell_word(path)
    }
}

/// Several input files rendered together (a connection and its gateway documents), as one
/// `input` string: their names joined by NUL, which no file name holds.
pub fn join_inputs<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join("\0")
}

/// The input file name(s) as shell words for headers and regenerate commands: each one
/// quoted (`path_word`), standard input as `-` (it is regenerated from standard input).
pub fn input_words(input: &str) -> String {
    input
        .split('\0')
        .map(|name| {
            if name == crate::source::STDIN_NAME {
                "-".to_owned()
            } else {
                path_word(name)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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
        assert_eq!(
            psk_for(PskStyle::Plain, "?", &[], "abc"),
            Some("abc".into())
        );
        assert_eq!(psk_for(PskStyle::Plain, "?", &[], "a?c"), None);
        assert_eq!(psk_for(PskStyle::Plain, "", &[], "a c"), None);
        assert_eq!(psk_for(PskStyle::Plain, "", &[], "a\nc"), None);
        assert_eq!(psk_for(PskStyle::Quoted, "", &[], "a\"c"), None);
        assert_eq!(
            psk_for(PskStyle::Quoted, "", &[], "a#c"),
            Some("\"a#c\"".into())
        );
    }

    #[test]
    fn keys_a_device_would_decode_are_written_as_their_bytes() {
        use crate::render::target::PskStyle;
        let decoded = ["0x".to_owned(), "0s".to_owned()];
        for style in [PskStyle::Strongswan, PskStyle::Plain] {
            assert_eq!(
                psk_for(style, "", &decoded, "0x41"),
                Some("0x30783431".into())
            );
            assert_eq!(
                psk_for(style, "", &decoded, "0SQQ=="),
                Some("0x305351513d3d".into())
            );
            assert_eq!(
                psk_for(style, "", &decoded, "x0x41"),
                psk_for(style, "", &[], "x0x41")
            );
        }
        // Without the prefixes listed, strongSwan notation would quote the key.
        assert_eq!(
            psk_for(PskStyle::Strongswan, "", &[], "0x41"),
            Some("\"0x41\"".into())
        );
    }

    #[test]
    fn short_names_stay_distinct() {
        assert_eq!(short_name("abc", 10), "abc");
        let a = short_name("a-very-long-connection-name-one", 15);
        let b = short_name("a-very-long-connection-name-two", 15);
        assert!(a.len() <= 15 && b.len() <= 15 && a != b, "{a} {b}");
    }

    #[test]
    fn device_words_are_single_plain_words() {
        for ok in [
            "ethernet1/3",
            "ge-0/0/0.0",
            "Tunnel0/0/",
            "LoopBack1",
            "trust",
            "WAN_PORT",
        ] {
            assert!(device_word(ok), "{ok}");
        }
        for bad in [
            "",
            "a b",
            "a\nb",
            "a\"b",
            "a'b",
            "a#b",
            "a!b",
            "a;b",
            "a{b",
            "a?b",
            "-x",
            "/x",
            "a\u{2028}b",
            "a\u{202e}b",
            "\u{e9}th0",
            &"x".repeat(64),
        ] {
            assert!(!device_word(bad), "{bad:?}");
        }
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_safe("a\nb\u{2028}c"), "a b c");
        assert_eq!(comment_safe("a\u{202e}b\u{200b}c\u{85}d"), "a b c d");
    }

    #[test]
    fn paths_never_read_as_options() {
        assert_eq!(path_word("-oevil.json"), "./-oevil.json");
        assert_eq!(path_word("--templates=.json"), "./--templates=.json");
        assert_eq!(path_word("=x.json"), "./=x.json");
        assert_eq!(path_word("a.json"), "a.json");
        assert_eq!(path_word("-a b.json"), "'./-a b.json'");
    }

    #[test]
    fn shell_words_stay_on_one_line_and_read_back_as_written() {
        assert_eq!(
            shell_word("examples/aliyun/conn.json"),
            "examples/aliyun/conn.json"
        );
        assert_eq!(shell_word("my conn.json"), "'my conn.json'");
        assert_eq!(shell_word("it's; rm -rf ~"), "'it'\\''s; rm -rf ~'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(
            shell_word("x\ntouch PWNED\n#.json"),
            "$'x\\x0atouch PWNED\\x0a#.json'"
        );
        assert_eq!(shell_word("a\rb'c\\d"), "$'a\\x0db\\'c\\\\d'");
        assert_eq!(
            shell_word("a\u{2028}b\u{85}c\u{202e}"),
            "$'a\\u2028b\\u0085c\\u202e'"
        );
        for hostile in [
            "a\nb",
            "a\rb",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{85}b",
            "a\u{1b}[2Jb",
        ] {
            assert!(
                !shell_word(hostile).chars().any(is_unsafe_char),
                "{hostile:?}"
            );
        }
    }
}
