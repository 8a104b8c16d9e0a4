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

/// Finds every secret in a text in one pass, however many there are (a fleet file of 10,000
/// inline keys has 10,000: searching for each in turn, in the text and in each of 10,000
/// diagnostics, was quadratic). Every secret is at least [`MIN_LEN`] bytes: the secrets are
/// indexed by their first `MIN_LEN` bytes, and each place in the text is looked up once.
struct Finder<'s> {
    by_head: std::collections::HashMap<&'s [u8], Vec<&'s [u8]>>,
    /// The first two bytes of some secret, as one bit each: most places of a text are passed
    /// over with one look at this instead of a hash of their first bytes.
    pairs: Vec<u64>,
}

fn pair(b: &[u8]) -> usize {
    usize::from(b[0]) << 8 | usize::from(b[1])
}

impl<'s> Finder<'s> {
    fn new(secrets: &'s [String]) -> Self {
        let mut by_head: std::collections::HashMap<&[u8], Vec<&[u8]>> =
            std::collections::HashMap::new();
        let mut pairs = vec![0u64; 1 << 10];
        for s in secrets.iter().map(String::as_bytes) {
            if let Some(head) = s.get(..MIN_LEN) {
                by_head.entry(head).or_default().push(s);
                pairs[pair(head) >> 6] |= 1 << (pair(head) & 63);
            }
        }
        Self { by_head, pairs }
    }

    /// The byte ranges of `text` that some secret covers, overlapping occurrences joined, in
    /// order; each with the number of occurrences joined in it. Past a few times the text's
    /// length of bytes compared (many secrets that begin alike, in a text made of that
    /// beginning), the rest of the text from there on is one range.
    fn covered(&self, text: &str) -> Vec<(std::ops::Range<usize>, usize)> {
        let b = text.as_bytes();
        let mut out: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
        if self.by_head.is_empty() || b.len() < MIN_LEN {
            return out;
        }
        let budget = 4 * b.len() + (1 << 16);
        let mut compared = 0;
        for p in 0..=b.len() - MIN_LEN {
            let two = pair(&b[p..]);
            if self.pairs[two >> 6] & (1 << (two & 63)) == 0 {
                continue;
            }
            let Some(candidates) = self.by_head.get(&b[p..p + MIN_LEN]) else {
                continue;
            };
            for s in candidates {
                compared += s.len();
                if compared > budget {
                    out.push((p..b.len(), 2));
                    crate::work::add(crate::work::Unit::ScannedByte, b.len() + compared);
                    return joined(out);
                }
                if b[p..].starts_with(s) {
                    out.push((p..p + s.len(), 1));
                }
            }
        }
        crate::work::add(crate::work::Unit::ScannedByte, b.len() + compared);
        joined(out)
    }

    /// `s` with every range a secret covers replaced by `***`.
    fn scrub(&self, s: &mut String) {
        let covered = self.covered(s);
        if covered.is_empty() {
            return;
        }
        let mut out = String::with_capacity(s.len());
        let mut from = 0;
        for (r, _) in covered {
            out.push_str(&s[from..r.start]);
            out.push_str("***");
            from = r.end;
        }
        out.push_str(&s[from..]);
        *s = out;
    }
}

/// Ranges in order of their start, those that overlap joined (counts added up).
fn joined(ranges: Vec<(std::ops::Range<usize>, usize)>) -> Vec<(std::ops::Range<usize>, usize)> {
    let mut out: Vec<(std::ops::Range<usize>, usize)> = Vec::with_capacity(ranges.len());
    for (r, n) in ranges {
        match out.last_mut() {
            Some((last, m)) if r.start < last.end => {
                last.end = last.end.max(r.end);
                *m += n;
            }
            _ => out.push((r, n)),
        }
    }
    out
}

/// `text` with the secrets replaced by `***` (what `explain` prints).
pub fn scrubbed(text: &str, secrets: &[String]) -> String {
    let mut s = text.to_owned();
    Finder::new(secrets).scrub(&mut s);
    s
}

/// Every message, label and help with the secrets replaced by `***`.
pub fn scrub_diagnostics(diags: &mut Diagnostics, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    let finder = Finder::new(secrets);
    for d in diags.0.iter_mut() {
        finder.scrub(&mut d.message);
        if let Some((_, label)) = d.label.as_mut() {
            finder.scrub(label);
        }
        if let Some(help) = d.help.as_mut() {
            finder.scrub(help);
        }
    }
}

/// Spans of every other place the source text holds one of the secrets. Occurrences that
/// overlap are one span; its first and last bytes are given again as spans of their own, so
/// they are masked even when they are quotes (a span that starts and ends with a quote keeps
/// them, and joined occurrences are no one quoted value).
pub fn occurrences(text: &str, secrets: &[String]) -> Vec<Span> {
    let mut out = Vec::new();
    for (r, n) in Finder::new(secrets).covered(text) {
        out.push(Span::new(r.start, r.len()));
        if n > 1 {
            out.push(Span::new(r.start, 1));
            out.push(Span::new(r.end - 1, 1));
        }
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
