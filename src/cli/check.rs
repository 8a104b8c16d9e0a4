//! `ipsecgen check`: offline validation of many files with the cloud's own rules.

use crate::report::{FileReport, Format};
use crate::source::Source;

use super::{emit_text, formatted, InputArgs, EXIT_INVALID, EXIT_OK};

/// Check connection files offline against the cloud API's rules (for pre-commit hooks)
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ipsecgen check configs/*.yaml
  ipsecgen check --format github conn.json
  ipsecgen check --deny-warnings - < conn.json")]
pub struct CheckArgs {
    /// Files to check (JSON or YAML), or - for standard input
    #[arg(required = true)]
    pub files: Vec<String>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Exit 1 on warnings (lints) too
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(a: &CheckArgs) -> u8 {
    let opts = match a.input.load_options(a.format) {
        Ok(o) => crate::LoadOptions {
            committed: true,
            ..o
        },
        Err(code) => return code,
    };
    // Files are read, verified and their reports formatted on every core; reports are printed
    // in argument order.
    let results = crate::parallel::map_ordered(&a.files, |file| {
        let (failed, report) = match Source::read(file) {
            Err(d) => (
                true,
                formatted(
                    &FileReport {
                        name: file,
                        text: "",
                        diagnostics: std::slice::from_ref(&d),
                    },
                    a.format,
                ),
            ),
            Ok(source) => {
                let checked = crate::check(source, &opts);
                let d = &checked.diagnostics;
                let failed = d.has_errors() || (a.deny_warnings && !d.is_empty());
                let report = if d.is_empty() {
                    String::new()
                } else {
                    formatted(
                        &FileReport {
                            name: &checked.source.name,
                            text: &checked.masked_text,
                            diagnostics: &d.0,
                        },
                        a.format,
                    )
                };
                (failed, report)
            }
        };
        (failed, report)
    });
    let mut failed = false;
    for (f, report) in results {
        failed |= f;
        if !report.is_empty() {
            emit_text(&report, a.format);
        }
    }
    if failed {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}
