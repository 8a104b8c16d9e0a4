//! A pre-shared key's text as written (inline, in an environment variable or in a file): the
//! whitespace, line breaks and byte-order mark around it are not part of the key. Left in, they
//! became part of the secret on one side only (`echo KEY > file` adds a line break), and the
//! tunnel never came up. Every dialect and the project config's overlays read PSKs through here.

use crate::diag::Diagnostic;
use crate::tree::Span;

/// A PSK's text with its surroundings removed.
pub struct Cleaned {
    pub key: String,
    /// Something other than a file's one final line break was removed.
    pub trimmed: bool,
}

/// Remove surrounding ASCII whitespace and byte-order marks. For a file (`from_file`), one final
/// line break (LF or CRLF) is the text file's line end, removed without a warning.
pub fn clean(raw: &str, from_file: bool) -> Cleaned {
    let body = if from_file {
        raw.strip_suffix("\r\n")
            .or_else(|| raw.strip_suffix('\n'))
            .unwrap_or(raw)
    } else {
        raw
    };
    let key = body.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{FEFF}');
    Cleaned {
        key: key.to_owned(),
        trimmed: key.len() != body.len(),
    }
}

/// The warning for a PSK that had surroundings removed: names where it came from, never the key.
pub fn whitespace_warning(field: &str, origin: &str, span: Option<Span>) -> Diagnostic {
    Diagnostic::warning(
        "lint.psk-whitespace",
        format!(
            "the pre-shared key of `{field}` ({origin}) has leading or trailing whitespace, line \
             breaks or a byte-order mark; they were removed"
        ),
    )
    .at(span, "PSK with surrounding whitespace")
    .help(
        "write the key alone (e.g. `printf %s \"$KEY\" > file`, not `echo`), so every tool that \
         reads it sees the same secret",
    )
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn surroundings_are_removed_and_reported() {
        let c = |raw, file| {
            let c = clean(raw, file);
            (c.key, c.trimmed)
        };
        assert_eq!(c("Key123", false), ("Key123".into(), false));
        assert_eq!(c("Key123\n", true), ("Key123".into(), false));
        assert_eq!(c("Key123\r\n", true), ("Key123".into(), false));
        assert_eq!(c("Key123\n", false), ("Key123".into(), true));
        assert_eq!(c("Key123\n\n", true), ("Key123".into(), true));
        assert_eq!(c("\u{FEFF}Key123\n", true), ("Key123".into(), true));
        assert_eq!(c(" Key 123\t", false), ("Key 123".into(), true));
        assert_eq!(c("\r", true), ("".into(), true));
        assert_eq!(c("\n", true), ("".into(), false));
        assert_eq!(c("", false), ("".into(), false));
    }
}
