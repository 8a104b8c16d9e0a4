//! `ipsecgen check`: offline validation of many files with the cloud's own rules.

use crate::report::{FileReport, Format};
use crate::source::Source;

use super::{emit, InputArgs, EXIT_INVALID, EXIT_OK};

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
    // Files are read and verified on every core; reports are printed in argument order.
    let results = crate::parallel::map_ordered(&a.files, |file| match Source::read(file) {
        Ok(source) => Ok(crate::check(source, &opts)),
        Err(d) => Err(d),
    });
    let mut failed = false;
    for (file, result) in a.files.iter().zip(results) {
        match result {
            Err(d) => {
                emit(
                    &FileReport {
                        name: file,
                        text: "",
                        diagnostics: std::slice::from_ref(&d),
                    },
                    a.format,
                );
                failed = true;
            }
            Ok(checked) => {
                let d = &checked.diagnostics;
                if d.has_errors() || (a.deny_warnings && !d.is_empty()) {
                    failed = true;
                }
                if !d.is_empty() {
                    emit(
                        &FileReport {
                            name: &checked.source.name,
                            text: &checked.masked_text,
                            diagnostics: &d.0,
                        },
                        a.format,
                    );
                }
            }
        }
    }
    if failed {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}
