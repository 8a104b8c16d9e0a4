//! Diagnostics: a stable code, a message, the span of the offending value and a help line.
//!
//! Every stage collects diagnostics instead of failing on the first one. Messages never contain
//! secrets; snippets are rendered from a copy of the source in which secret values are masked.

use std::fmt;

use serde::Serialize;

use crate::tree::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The offending value in the source, with a short label.
    pub label: Option<(Span, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            severity: Severity::Error,
            message: message.into(),
            label: None,
            help: None,
        }
    }

    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Attach a label at `span` (ignored when the value has no place in the file).
    pub fn at(mut self, span: Option<Span>, label: impl Into<String>) -> Self {
        if let Some(span) = span {
            self.label = Some((span, label.into()));
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Without the warnings that an error of `errors` raises again (the same code at the same
    /// place): a rule `check` reports as a warning and one side's render as an error (the cloud
    /// emulation's `alibaba.ikev1-multi-cidr`) is shown once, as the error.
    pub fn without_superseded(mut self, errors: &Diagnostics) -> Diagnostics {
        let place = |d: &Diagnostic| d.label.as_ref().map(|(span, _)| *span);
        self.0.retain(|w| {
            w.is_error()
                || !errors
                    .iter()
                    .any(|e| e.is_error() && e.code == w.code && place(e) == place(w))
        });
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sort by position in the file (unplaced last), keeping insertion order otherwise. A
    /// diagnostic repeated word for word at the same place is kept once: a fact the two tunnels
    /// of a connection share (its name, its subnets, its gateway's ID) is read and checked for
    /// each tunnel.
    pub fn sorted(mut self) -> Self {
        let at = |d: &Diagnostic| d.label.as_ref().map_or(usize::MAX, |(s, _)| s.offset);
        self.0.sort_by_key(at);
        let mut out: Vec<Diagnostic> = Vec::with_capacity(self.0.len());
        let mut run = 0;
        for d in self.0 {
            if out.last().map(at) != Some(at(&d)) {
                run = out.len();
            }
            if !out[run..].contains(&d) {
                out.push(d);
            }
        }
        Self(out)
    }
}

/// Suggest the closest candidate for a near-miss spelling ("did you mean").
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let keys = ["IkeEncAlg", "IkeAuthAlg", "IkePfs"];
        assert_eq!(did_you_mean("IkeEncAlgo", keys), Some("IkeEncAlg"));
        assert_eq!(did_you_mean("ikeencalg", keys), Some("IkeEncAlg"));
        assert_eq!(did_you_mean("Totally", keys), None);
    }
}
