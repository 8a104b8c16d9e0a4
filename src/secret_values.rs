//! The secret values of one input, as text: every diagnostic and the report's copy of the
//! source are scrubbed of them, wherever they stand. Masking by span covers the places a
//! secret is written as a secret; this covers the rest: a YAML alias that copies the PSK into
//! another field whose diagnostic quotes its value, or the same text written twice.

use crate::diag::Diagnostics;
use crate::ir::Connection;
use crate::tree::Span;

/// Shorter texts are too likely to be something else (a port, a word of a message).
const MIN_LEN: usize = 6;

/// The secrets of an input: the PSKs its connections hold (written inline or read through a
/// reference), plus the literal text at its secret spans that is not a reference (a
/// `{file: path}` names where a key is, which is no secret).
pub fn collect(text: &str, spans: &[Span], connections: &[Connection]) -> Vec<String> {
    let mut out: Vec<String> = connections
        .iter()
        .filter_map(|c| c.psk.as_ref().map(|p| p.expose().to_owned()))
        .collect();
    for s in spans {
        let Some(raw) = text.get(s.offset..s.offset + s.len) else {
            continue;
        };
        // A value inside a reference map: the text before the span ends with `env:`/`file:`.
        let before = text[..s.offset].trim_end().trim_end_matches(['"', '\'']);
        let reference = ["env:", "file:", "env\":", "file\":"]
            .iter()
            .any(|k| before.ends_with(k));
        let v = raw.trim().trim_matches(['"', '\'']);
        if !reference && !v.contains('\n') {
            out.push(v.to_owned());
        }
    }
    out.retain(|s| s.chars().count() >= MIN_LEN);
    // Longest first, so a secret that contains another is replaced whole.
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out.dedup();
    out
}

fn scrub(s: &mut String, secrets: &[String]) {
    for secret in secrets {
        if s.contains(secret.as_str()) {
            *s = s.replace(secret.as_str(), "***");
        }
    }
}

/// `text` with the secrets replaced by `***` (what `explain` prints).
pub fn scrubbed(text: &str, secrets: &[String]) -> String {
    let mut s = text.to_owned();
    scrub(&mut s, secrets);
    s
}

/// Every message, label and help with the secrets replaced by `***`.
pub fn scrub_diagnostics(diags: &mut Diagnostics, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    for d in diags.0.iter_mut() {
        scrub(&mut d.message, secrets);
        if let Some((_, label)) = d.label.as_mut() {
            scrub(label, secrets);
        }
        if let Some(help) = d.help.as_mut() {
            scrub(help, secrets);
        }
    }
}

/// Spans of every other place the source text holds one of the secrets.
pub fn occurrences(text: &str, secrets: &[String]) -> Vec<Span> {
    let mut out = Vec::new();
    for secret in secrets {
        out.extend(
            text.match_indices(secret.as_str())
                .map(|(i, m)| Span::new(i, m.len())),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostic;

    #[test]
    fn secrets_are_scrubbed_from_every_part_of_a_diagnostic() {
        let secrets = vec!["SUPERSECRETPSK3xyz".to_owned()];
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error("x", "`LocalSubnet` holds \"SUPERSECRETPSK3xyz\"")
                .at(Some(Span::new(0, 1)), "SUPERSECRETPSK3xyz")
                .help("write SUPERSECRETPSK3xyz differently"),
        );
        scrub_diagnostics(&mut d, &secrets);
        let shown = format!("{:?}", d);
        assert!(!shown.contains("SUPERSECRETPSK3xyz"), "{shown}");
        assert!(shown.contains("\\\"***\\\""), "{shown}");
    }
}
