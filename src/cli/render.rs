//! `ipsecgen render`: one input to the files of one target, on stdout or in a directory.

use std::path::PathBuf;

use crate::diag::Diagnostics;
use crate::ir::Side;
use crate::report::{FileReport, Format};
use crate::source::Source;

use super::{emit, emit_plain, InputArgs, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SideArg {
    /// the customer's (on-premise) gateway
    Customer,
    /// an emulation of the cloud gateway (for interop tests)
    Cloud,
}

/// Render the peer configuration for one connection file
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ipsecgen render examples/aliyun/connection-static.json
  ipsecgen render examples/aliyun/connection-static.yaml --side cloud
  ipsecgen render examples/aliyun/connection-static.json -o out/
  cat conn.json | ipsecgen render - --cloud-ip 203.0.113.10")]
pub struct RenderArgs {
    /// The connection file (JSON or YAML), or - for standard input
    pub file: String,
    /// Output target
    #[arg(long, short, default_value = "swanctl")]
    pub target: String,
    /// Whose configuration to render
    #[arg(long, value_enum, default_value = "customer")]
    pub side: SideArg,
    /// How the tunnel carries traffic [default: route when BGP is on, else policy]
    #[arg(long, value_enum)]
    pub tunnel_mode: Option<crate::render::TunnelMode>,
    /// Write the files into this directory (atomically) instead of stdout
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Overwrite files in DIR that ipsecgen did not generate
    #[arg(long)]
    pub force: bool,
    /// With -o DIR: write nothing; exit 1 and show a diff when DIR is not up to date
    #[arg(long, requires = "output")]
    pub check: bool,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Use the template files in DIR instead of the built-ins with the same path
    /// (see `ipsecgen templates export`)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(a: &RenderArgs) -> u8 {
    let opts = match a.input.load_options() {
        Ok(o) => o,
        Err(d) => {
            emit_plain(&d, a.format);
            return EXIT_USAGE;
        }
    };
    if let Some(dir) = &a.templates {
        if let Err(d) = crate::render::use_overrides(dir) {
            emit_plain(&d, a.format);
            return EXIT_INVALID;
        }
    }
    let target = match crate::render::find_target(&a.target) {
        Ok(t) => t,
        Err(d) => {
            emit_plain(&d, a.format);
            return EXIT_USAGE;
        }
    };
    let source = match Source::read(&a.file) {
        Ok(s) => s,
        Err(d) => {
            emit_plain(&d, a.format);
            return EXIT_INVALID;
        }
    };
    let side = match a.side {
        SideArg::Customer => Side::Customer,
        SideArg::Cloud => Side::Cloud,
    };
    let checked = crate::check(source, &opts);
    let mut diags = checked.diagnostics.clone();
    let outputs = if diags.has_errors() {
        None
    } else {
        match crate::render_all(
            &checked,
            crate::render::RenderOptions {
                side,
                tunnel_mode: a.tunnel_mode,
            },
            target,
        ) {
            Ok(o) => Some(o),
            Err(d) => {
                diags.extend(d);
                None
            }
        }
    };
    let report = |d: &Diagnostics| {
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
    };
    report(&diags);
    let Some(outputs) = outputs else {
        return EXIT_INVALID;
    };
    match &a.output {
        None => {
            let primary = target.files.first().map_or("", |f| f.path.as_str());
            let (text, omitted) = crate::write::primary(&outputs, primary);
            super::out(&text);
            if !omitted.is_empty() {
                eprintln!(
                    "note: this output also needs {}; write every file with -o DIR",
                    omitted.join(", ")
                );
            }
            EXIT_OK
        }
        Some(dir) if a.check => {
            let diffs = crate::write::diff_dir(dir, &outputs);
            for d in &diffs {
                super::out(d);
            }
            if diffs.is_empty() {
                EXIT_OK
            } else {
                eprintln!(
                    "{} file(s) in {} are not up to date; run without --check to regenerate",
                    diffs.len(),
                    dir.display()
                );
                EXIT_INVALID
            }
        }
        Some(dir) => match crate::write::to_dir(dir, &outputs, a.force) {
            Ok(paths) => {
                for p in paths {
                    eprintln!("wrote {}", p.display());
                }
                EXIT_OK
            }
            Err(d) => {
                emit_plain(&d, a.format);
                EXIT_INVALID
            }
        },
    }
}
