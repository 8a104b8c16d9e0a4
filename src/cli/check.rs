//! `ipsecgen check`: offline validation of many files with the cloud's own rules.

use crate::report::{FileReport, Format};
use crate::source::Source;

use super::{emit_text, formatted, InputArgs, EXIT_INVALID, EXIT_OK};

/// Check connection files offline against the cloud API's rules (for pre-commit hooks)
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ipsecgen check configs/*.yaml
  ipsecgen check --format github conn.json
  ipsecgen check --deny-warnings - < conn.json
  ipsecgen check --skip-other $(git ls-files '*.json' '*.yaml' '*.yml')")]
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
    /// Skip, silently, files that are not VPN documents: empty, or with none of any dialect's
    /// top-level keys (the pre-commit hook passes this; a broken VPN document still fails)
    #[arg(long, conflicts_with = "from")]
    pub skip_other: bool,
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
    // in argument order. The OpenStack documents among them are verified together: a
    // connection's policies, VPN service and endpoint groups are documents of their own, joined
    // by id (gateway documents are not: a repository holds connections of many gateways).
    let read = crate::parallel::map_ordered(&a.files, |file| Source::read(file).map_err(Box::new));
    let openstack: Vec<Source> = read
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|s| crate::dialect::neutron::mentions(&s.text))
        .cloned()
        .collect();
    let mut joined = crate::check_joined(openstack, &opts).into_iter();
    let inputs: Vec<Input> = a
        .files
        .iter()
        .zip(read)
        .filter_map(|(file, r)| match r {
            Err(d) => Some(Input::Unreadable(file, d)),
            Ok(s) if crate::dialect::neutron::mentions(&s.text) => {
                joined.next().map(|c| Input::Checked(Box::new(c)))
            }
            Ok(s) => Some(Input::Alone(s)),
        })
        .collect();
    let report = |checked: &crate::Checked| {
        if a.skip_other && is_other(checked) {
            return (false, String::new());
        }
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
    };
    let results = crate::parallel::map_ordered(&inputs, |input| match input {
        Input::Unreadable(file, d) => (
            true,
            formatted(
                &FileReport {
                    name: file,
                    text: "",
                    diagnostics: std::slice::from_ref(&**d),
                },
                a.format,
            ),
        ),
        Input::Checked(c) => report(c),
        Input::Alone(source) => {
            let checked = crate::check(source.clone(), &opts);
            let out = report(&checked);
            if source.text.len() >= crate::source::split::MIN_BYTES {
                crate::parallel::drop_aside(checked);
            }
            out
        }
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

/// One argument of `check`: a file that could not be read, an OpenStack document checked with
/// the others (`check_joined`), or any other document, checked alone.
enum Input<'a> {
    Unreadable(&'a String, Box<crate::diag::Diagnostic>),
    Checked(Box<crate::Checked>),
    Alone(Source),
}

/// The codes of a document ipsecgen could not place: empty, not JSON/YAML, not an object, no
/// dialect.
const UNPLACED: &[&str] = &[
    "input.empty",
    "input.syntax",
    "input.shape",
    "input.dialect",
];

/// `--skip-other`: a document no dialect could read that does not look like a VPN document
/// either (`crate::dialect::resemblance`); only then is the document parsed a second time.
fn is_other(checked: &crate::Checked) -> bool {
    checked
        .diagnostics
        .0
        .iter()
        .any(|d| UNPLACED.contains(&d.code.as_str()))
        && !crate::dialect::resemblance::looks_like_vpn(&checked.source)
}
