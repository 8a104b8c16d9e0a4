//! The whole pipeline for one fuzz input: source -> dialect -> IR -> verify -> every report
//! format -> render for every target and both sides. Panics are the findings; so is a
//! secret of the input that reaches a report.

use ipsecgen::dialect::Dialect;
use ipsecgen::ir::Side;
use ipsecgen::render::{registry, RenderOptions};
use ipsecgen::report::{self, FileReport, Format};
use ipsecgen::source::Source;
use ipsecgen::LoadOptions;

pub fn pipeline(data: &[u8], dialect: Dialect) {
    let source = match Source::from_bytes("fuzz-input", data.to_vec()) {
        Ok(s) => s,
        Err(_) => return, // binary, too large or not UTF-8: a diagnostic, checked by the tests
    };
    let opts = LoadOptions {
        dialect: Some(dialect),
        committed: true,
        ..Default::default()
    };
    let checked = ipsecgen::check(source, &opts);
    let file = FileReport {
        name: &checked.source.name,
        text: &checked.masked_text,
        diagnostics: &checked.diagnostics.0,
    };
    for format in [Format::Human, Format::Json, Format::Github] {
        let text = report::format(&file, format, false);
        // A PSK the reader found must never be printed in a report. (Only a PSK that occurs
        // once in the input counts: the same text elsewhere, e.g. as a name, may be shown.)
        for conn in &checked.connections {
            if let Some(psk) = conn.psk.as_ref().map(|p| p.expose()) {
                if psk.len() >= 8 && checked.source.text.matches(psk).count() == 1 {
                    assert!(!text.contains(psk), "a PSK reached a {format:?} report");
                }
            }
        }
    }
    if checked.diagnostics.has_errors() {
        return;
    }
    for target in registry().targets() {
        for side in [Side::Customer, Side::Cloud] {
            let _ = ipsecgen::render_all(&checked, RenderOptions::side(side), target);
        }
    }
}
