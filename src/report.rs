//! Presenting diagnostics: miette's graphical report (with secrets masked in the snippet),
//! one JSON object per diagnostic, or GitHub Actions annotations.

use std::collections::HashMap;
use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use serde::Serialize;

use crate::diag::{Diagnostic, Severity};
use crate::escape;
use crate::line_index::LineIndex;
use crate::tree::Span;

/// How `check` and `render` print diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette's graphical report
    Human,
    /// one JSON object per line
    Json,
    /// GitHub Actions workflow annotations
    Github,
}

/// A source text with every secret value replaced by `*` (byte for byte, so spans still fit;
/// line breaks stay).
pub fn masked(text: &str, secrets: &[Span]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for s in secrets {
        let end = (s.offset + s.len).min(bytes.len());
        let Some(range) = bytes.get_mut(s.offset..end) else {
            continue;
        };
        // Keep the quotes of a quoted value; mask everything inside.
        let (first, last) = (range.first().copied(), range.last().copied());
        let quoted = matches!(first, Some(b'"' | b'\'')) && first == last && range.len() >= 2;
        let inner = if quoted {
            1..range.len() - 1
        } else {
            0..range.len()
        };
        for b in &mut range[inner] {
            // Replace every byte of a character: non-ASCII bytes (>= 0x80) become '*' too.
            // Line breaks stay, so the lines of a multi-line value keep their numbers.
            if !matches!(*b, b'\n' | b'\r') {
                *b = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// 1-based line and column of a byte offset.
/// (For many offsets into one text, build a [`LineIndex`] once.)
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new("", text).line_col(offset)
}

struct MietteDiag<'a> {
    d: &'a Diagnostic,
    src: &'a LineIndex<'a>,
}

impl fmt::Debug for MietteDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for MietteDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for MietteDiag<'_> {}

impl miette::Diagnostic for MietteDiag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.d.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.d.label.as_ref().map(|_| self.src as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, label) = self.d.label.as_ref()?;
        let (offset, span_len) = self.src.clip_label(span.offset, span.len);
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(label.clone()),
            offset,
            span_len,
        ))))
    }
}

/// Everything needed to print the diagnostics of one input.
pub struct FileReport<'a> {
    pub name: &'a str,
    /// The source text with secrets masked.
    pub text: &'a str,
    pub diagnostics: &'a [Diagnostic],
}

/// Whether colour is wanted: a terminal, and NO_COLOR unset.
pub fn want_colour(is_tty: bool) -> bool {
    is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn human(report: &FileReport, colour: bool, width: usize) -> String {
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let mut out = String::new();
    let name = escape::escaped(report.name);
    let text = escape::snippet_text(report.text);
    let src = LineIndex::new(&name, &text);
    // One cause repeated over a fleet (an unset PSK variable in 10,000 connections) is drawn a
    // few times, then counted; the JSON and GitHub formats list every one.
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    // Causes drawn SAME_DRAWN times already, in the order they went over.
    let mut counted = Vec::new();
    for d in report.diagnostics {
        let key = (d.code.as_str(), d.message.as_str());
        let n = seen.entry(key).or_default();
        *n += 1;
        if *n > SAME_DRAWN {
            if *n == SAME_DRAWN + 1 {
                counted.push(key);
            }
            continue;
        }
        let d = &printable(d);
        let md = MietteDiag { d, src: &src };
        let _ = handler.render_report(&mut out, &md);
    }
    for key @ (code, message) in counted {
        let more = seen.get(&key).map_or(0, |n| n - SAME_DRAWN);
        out.push_str(&format!(
            "{}: {more} more in {name} like the above: {} (--format json lists every one)\n",
            escape::escaped(code),
            escape::escaped(message),
        ));
    }
    out
}

/// A diagnostic with every text that may quote the input (message, label, help, code)
/// escaped for a terminal.
fn printable(d: &Diagnostic) -> Diagnostic {
    let esc = |s: &str| escape::escaped(s).into_owned();
    Diagnostic {
        code: esc(&d.code),
        severity: d.severity,
        message: esc(&d.message),
        label: d.label.as_ref().map(|(s, l)| (*s, esc(l))),
        help: d.help.as_deref().map(esc),
    }
}

/// How many diagnostics with the same code and message the human format draws in full.
pub const SAME_DRAWN: usize = 3;

#[derive(Serialize)]
struct JsonDiag<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
}

pub fn json(report: &FileReport) -> String {
    let mut out = String::new();
    let index = LineIndex::new(report.name, report.text);
    for d in report.diagnostics {
        let pos = d.label.as_ref().map(|(s, _)| index.line_col(s.offset));
        let j = JsonDiag {
            file: report.name,
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            code: &d.code,
            severity: d.severity,
            message: &d.message,
            help: d.help.as_deref(),
        };
        if let Ok(line) = serde_json::to_string(&j) {
            out.push_str(&escape::json_text(&line));
            out.push('\n');
        }
    }
    out
}

/// Escape a GitHub annotation property or message as the workflow-command syntax wants it
/// (`%`, CR and LF; in properties also `:` and `,`); other control, separator and bidi
/// characters, which that syntax cannot carry, are written as `\u{..}`.
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if escape::is_unsafe(c) => out.push_str(&escape::escaped(c.encode_utf8(&mut [0; 4]))),
            c => out.push(c),
        }
    }
    out
}

pub fn github(report: &FileReport) -> String {
    let mut out = String::new();
    let index = LineIndex::new(report.name, report.text);
    for d in report.diagnostics {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = format!("file={}", gh_escape(report.name, true));
        if let Some((s, _)) = &d.label {
            let (line, col) = index.line_col(s.offset);
            props.push_str(&format!(",line={line},col={col}"));
        }
        props.push_str(&format!(",title={}", gh_escape(&d.code, true)));
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str(" (help: ");
            msg.push_str(h);
            msg.push(')');
        }
        out.push_str(&format!("::{kind} {props}::{}\n", gh_escape(&msg, false)));
    }
    out
}

pub fn format(report: &FileReport, fmt: Format, colour: bool) -> String {
    match fmt {
        Format::Human => human(report, colour, 100),
        Format::Json => json(report),
        Format::Github => github(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_cause_is_drawn_three_times_then_counted() {
        let text = "a: 1\n";
        let mut diagnostics: Vec<Diagnostic> = (0..10)
            .map(|_| {
                Diagnostic::error("input.psk-ref", "VAR is not set")
                    .at(Some(Span::new(3, 1)), "here")
            })
            .collect();
        diagnostics.push(Diagnostic::error("input.psk-ref", "OTHER is not set"));
        let report = FileReport {
            name: "f.yaml",
            text,
            diagnostics: &diagnostics,
        };
        let out = human(&report, false, 100);
        assert_eq!(out.matches("× VAR is not set").count(), SAME_DRAWN, "{out}");
        assert_eq!(out.matches("× OTHER is not set").count(), 1, "{out}");
        assert!(
            out.ends_with(
                "input.psk-ref: 7 more in f.yaml like the above: VAR is not set (--format json lists every one)\n"
            ),
            "{out}"
        );
        assert_eq!(json(&report).lines().count(), 11);
    }

    #[test]
    fn masking_keeps_offsets_and_quotes() {
        let text = r#"{"Psk":"s3cr3t","X":1}"#;
        let m = masked(text, &[Span::new(7, 8)]);
        assert_eq!(m, r#"{"Psk":"******","X":1}"#);
        assert_eq!(m.len(), text.len());
    }

    #[test]
    fn masking_non_ascii_stays_valid_utf8() {
        let text = "Psk: 'pässword'\n";
        let m = masked(text, &[Span::new(5, 11)]);
        assert!(!m.contains("ss"));
        assert_eq!(m.len(), text.len());
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
