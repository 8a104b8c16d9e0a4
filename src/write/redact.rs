//! `render --check` diffs without secrets. Which lines carry a secret is known, not guessed:
//! a new line carries one when it contains the PSK exactly as the render wrote it (`secrets`
//! of the output, in the target's notation); an old line on disk (whose PSK is unknown) when
//! it contains one of the target's declared secret-line words (`secret_lines` in its
//! target.toml). A file that is a secret as a whole (`hide_in_diff`, e.g. ipsec.secrets) is
//! never shown line by line.

use crate::render::Output;

/// What stands for a line that carries a secret.
pub const REDACTED: &str = "<secret line redacted>";

fn carries_secret(line: &str, o: &Output) -> bool {
    // A declared word matches with any spacing, quoting and letter case: an old file on disk
    // may have been edited (`secret="..."`, `secret OLD` for `secret = `, ` secret '`).
    let loose = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let line_loose = loose(line);
    o.secrets
        .iter()
        .any(|s| !s.is_empty() && line.contains(s.as_str()))
        || o.secret_lines.iter().any(|w| {
            let w = loose(w);
            !w.is_empty() && line_loose.contains(&w)
        })
}

/// The old file's content as far as `--check` read it.
pub enum Old<'a> {
    /// No file there.
    Missing,
    Text(&'a str),
    /// Larger than the diff limit, or not text: only its size is said.
    Unshown(u64),
}

/// A unified diff from `old` to `o`'s content, labelled `shown`, secret lines redacted.
pub fn diff(shown: &str, old: Old<'_>, o: &Output) -> String {
    let mut out = format!("--- {shown}\n+++ {shown} (generated)\n");
    let old = match old {
        Old::Missing => "",
        Old::Text(t) => t,
        Old::Unshown(size) => {
            out.push_str(&format!(
                "@@ the file on disk ({size} bytes) differs; its contents are not shown @@\n"
            ));
            return out;
        }
    };
    if o.hide_in_diff {
        out.push_str("@@ a secrets file differs; its contents are not shown @@\n");
        return out;
    }
    let d = similar::TextDiff::from_lines(old, o.content.as_str());
    for hunk in d.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&format!("{}\n", hunk.header()));
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            let line = change.value();
            let line = line.strip_suffix('\n').unwrap_or(line);
            out.push(sign);
            if carries_secret(line, o) {
                out.push(' ');
                out.push_str(REDACTED);
            } else {
                out.push_str(line);
            }
            out.push('\n');
            if change.missing_newline() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(content: &str) -> Output {
        Output {
            path: "x.conf".into(),
            content: content.into(),
            secrets: vec!["\"NewPsk\"".into()],
            secret_lines: vec!["set psksecret".into()],
            ..Default::default()
        }
    }

    #[test]
    fn secret_lines_old_and_new_are_redacted() {
        let o = output("a\nset psksecret \"NewPsk\"\nkey \"NewPsk\" here\nb\n");
        let d = diff("x", Old::Text("a\nset psksecret \"OldPsk\"\nb\n"), &o);
        assert!(!d.contains("OldPsk") && !d.contains("NewPsk"), "{d}");
        assert!(
            d.contains(&format!("- {REDACTED}\n+ {REDACTED}\n+ {REDACTED}\n")),
            "{d}"
        );
        assert!(d.contains(" a\n") && d.contains(" b\n"), "{d}");
    }

    /// Old lines edited by hand still carry the declared word in another spacing, quoting or
    /// case (`secret="..."` for `secret = `, `secret OLD` for ` secret '`): redacted (attack M4).
    #[test]
    fn hand_edited_old_secret_lines_are_redacted() {
        let mut o = output("a\n");
        o.secret_lines = vec!["secret = ".into(), " secret '".into()];
        let old = "a\n        secret=\"OLDSECRETswan1\"\nset vpn ipsec authentication psk x secret OLDSECRETvyos1\n  SECRET   =   OLDSECRET3\n";
        let d = diff("x", Old::Text(old), &o);
        assert!(!d.contains("OLDSECRET"), "{d}");
        assert_eq!(d.matches(REDACTED).count(), 3, "{d}");
    }

    #[test]
    fn hidden_files_and_huge_files_show_no_line() {
        let mut o = output("secret\n");
        o.hide_in_diff = true;
        assert!(!diff("x", Old::Text("old secret\n"), &o).contains("secret\n"));
        assert!(diff("x", Old::Unshown(9), &output("y\n")).contains("9 bytes"));
    }
}
