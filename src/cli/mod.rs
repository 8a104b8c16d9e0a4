//! The command line: argument types (clap) and one module per subcommand.

mod check;
mod completions;
mod explain;
mod inputs;
mod render;
mod schema;
mod targets;
mod templates;

use std::io::IsTerminal as _;
use std::net::IpAddr;

use clap::{Parser, Subcommand};

use crate::diag::Diagnostic;
use crate::report::{self, FileReport, Format};
use inputs::read_inputs;

/// Exit codes: 0 success, 1 input or validation error, 2 usage error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_INVALID: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "ipsecgen",
    version,
    about = "Compile cloud VPN connection settings into working peer configurations",
    long_about = "ipsecgen reads the VPN connection settings a cloud API returns (Alibaba Cloud VPN \
Gateway, as JSON or YAML, request or response form) and renders the configuration of the other \
end of the tunnel, or checks the settings offline against the cloud's own rules.",
    after_help = "Examples:\n  ipsecgen render examples/aliyun/connection-static.json\n  ipsecgen render conn.json --target frr --side cloud -o out/\n  ipsecgen check configs/*.yaml\n  ipsecgen explain conn.json --format mermaid\n  ipsecgen targets"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Render(render::RenderArgs),
    Check(check::CheckArgs),
    Explain(explain::ExplainArgs),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
    Targets(targets::TargetsArgs),
    Templates(templates::TemplatesArgs),
    Schema(schema::SchemaArgs),
}

/// Options shared by the commands that read inputs.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Read the input as this dialect instead of detecting it
    #[arg(long = "from", value_name = "DIALECT")]
    pub from: Option<String>,
    /// The cloud VPN gateway's public IP (overrides VpnGateway.InternetIp)
    #[arg(long, value_name = "IP")]
    pub cloud_ip: Option<IpAddr>,
    /// The customer gateway's public IP (overrides CustomerGateway.IpAddress)
    #[arg(long, value_name = "IP")]
    pub customer_ip: Option<IpAddr>,
    /// The customer gateway's BGP ASN (overrides CustomerGateway.Asn)
    #[arg(long, value_name = "ASN")]
    pub customer_asn: Option<u32>,
    /// The project config [default: ipsecgen.toml in this directory or a parent]
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Ignore ipsecgen.toml
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Also allow PSK file references ({file: ...}) into DIR (repeatable) [default: only inside
    /// the input file's folder, the config's folder for overlays]
    #[arg(long, value_name = "DIR")]
    pub psk_root: Vec<std::path::PathBuf>,
}

impl InputArgs {
    /// The load options, with the project config when there is one. A config that does not
    /// parse is reported here (with its own snippet) and ends the command.
    fn load_options(&self, format: Format) -> Result<crate::LoadOptions, u8> {
        let dialect = match self
            .from
            .as_deref()
            .map(crate::dialect::Dialect::from_id)
            .transpose()
        {
            Ok(d) => d,
            Err(d) => {
                emit_plain(&d, format);
                return Err(EXIT_USAGE);
            }
        };
        let mut psk_roots = Vec::new();
        for dir in &self.psk_root {
            match std::fs::canonicalize(dir) {
                Ok(d) if d.is_dir() => psk_roots.push(d),
                Ok(_) | Err(_) => {
                    emit_plain(
                        &Diagnostic::error(
                            "usage.psk-root",
                            format!("--psk-root `{}` is not a folder", dir.display()),
                        )
                        .help("name an existing folder holding PSK files, e.g. /run/secrets"),
                        format,
                    );
                    return Err(EXIT_USAGE);
                }
            }
        }
        use crate::config::Origin;
        let path = match (&self.config, self.no_config) {
            (_, true) => None,
            (Some(p), false) => Some((p.clone(), Origin::Explicit)),
            (None, false) => std::env::current_dir().ok().and_then(|d| {
                let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
                crate::config::find(&d, home.as_deref()).map(|p| (p, Origin::Discovered))
            }),
        };
        let config = match path
            .map(|(p, origin)| crate::config::load(&p, origin))
            .transpose()
        {
            Ok(c) => c.map(|c| {
                if let Some(p) = &c.path {
                    let shown = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                    eprintln!("using config {}", shown.display());
                }
                crate::config::Config {
                    psk_roots: psk_roots.clone(),
                    ..c
                }
            }),
            Err(e) => {
                let diags = [e.diagnostic];
                emit(
                    &FileReport {
                        name: &e.path,
                        text: &e.text,
                        diagnostics: &diags,
                    },
                    format,
                );
                return Err(EXIT_USAGE);
            }
        };
        Ok(crate::LoadOptions {
            dialect,
            facts: crate::dialect::PeerFacts {
                cloud_ip: self.cloud_ip,
                customer_ip: self.customer_ip,
                customer_asn: self.customer_asn,
                ..Default::default()
            },
            committed: false,
            config: config.map(std::sync::Arc::new),
            psk_roots,
        })
    }
}

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Render(a) => render::run(&a),
        Command::Check(a) => check::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Completions(a) => completions::completions(&a),
        Command::Man(a) => completions::man(&a),
        Command::Targets(a) => targets::run(&a),
        Command::Templates(a) => templates::run(&a),
        Command::Schema(a) => schema::run(&a),
    }
}

/// Write to stdout. A closed pipe (`ipsecgen ... | head`) is not an error: output stops quietly.
pub fn out(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Print diagnostics of one input to stderr (or stdout for machine formats).
fn emit(report: &FileReport, format: Format) {
    emit_text(&formatted(report, format), format);
}

/// A report as `emit` prints it (formatting is the costly part: `check` does it on every core).
fn formatted(report: &FileReport, format: Format) -> String {
    report::format(
        report,
        format,
        report::want_colour(std::io::stderr().is_terminal()),
    )
}

/// Print a formatted report where its format goes: human on stderr, json/github on stdout.
fn emit_text(text: &str, format: Format) {
    match format {
        Format::Human => eprint!("{text}"),
        Format::Json | Format::Github => out(text),
    }
}

/// Print a diagnostic that belongs to no input (usage, I/O).
fn emit_plain(d: &Diagnostic, format: Format) {
    emit(
        &FileReport {
            name: "",
            text: "",
            diagnostics: std::slice::from_ref(d),
        },
        format,
    );
}
