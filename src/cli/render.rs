//! `ipsecgen render`: one input to the files of one or more targets, on stdout or in a directory.

use std::path::PathBuf;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::Side;
use crate::render::{RenderOptions, Target, TunnelMode};
use crate::report::{FileReport, Format};

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
  ipsecgen render examples/aliyun/connection-bgp.json --target all -o out/   # every target, out/<target>/
  ipsecgen render examples/native/two-bgp.yaml --target swanctl,frr -o out/
  ipsecgen render examples/aliyun/connection-static.json --target juniper-srx --device wan=ge-0/0/3.0
  cat conn.json | ipsecgen render - --cloud-ip 203.0.113.10

Defaults for --target, --side, -o, --tunnel-mode, --templates and --device can come from
ipsecgen.toml ([device], see the README's Device facts).")]
pub struct RenderArgs {
    /// The connection file (JSON, YAML or the query-string request), or - for standard input;
    /// gateway documents (DescribeVpnGateway, DescribeCustomerGateway) and more connection
    /// files may follow: gateways are joined to connections by ID
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Output target, several separated by commas, or `all` (see `ipsecgen targets`)
    /// [default: swanctl]
    #[arg(long, short, value_delimiter = ',')]
    pub target: Vec<String>,
    /// Whose configuration to render [default: customer]
    #[arg(long, value_enum)]
    pub side: Option<SideArg>,
    /// How the tunnel carries traffic [default: route when BGP is on, else policy]
    #[arg(long, value_enum)]
    pub tunnel_mode: Option<TunnelMode>,
    /// Write the files into this directory (atomically) instead of stdout
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Overwrite files in DIR that ipsecgen did not generate
    #[arg(long)]
    pub force: bool,
    /// With -o DIR: write nothing; exit 1 and show a diff when DIR is not up to date
    #[arg(long)]
    pub check: bool,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Use the template files in DIR instead of the built-ins with the same path
    /// (see `ipsecgen templates export`)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// A device fact the cloud API does not carry, such as wan=ethernet1/3 or lan-zone=inside
    /// (repeatable; TARGET.KEY=VALUE for one target; overrides [device] in ipsecgen.toml;
    /// facts: wan, lan, wan-zone, vpn-zone, lan-zone, virtual-router, loopback, tunnel-prefix,
    /// nat-acl, zone-priority, platform, version)
    #[arg(long, value_name = "KEY=VALUE")]
    pub device: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

fn usage(d: Diagnostic, format: Format) -> u8 {
    emit_plain(&d, format);
    EXIT_USAGE
}

pub fn run(a: &RenderArgs) -> u8 {
    let opts = match a.input.load_options(a.format) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let cfg = opts.config.clone();
    let defaults = cfg.as_ref().map(|c| &c.render);

    if let Some(dir) = a
        .templates
        .clone()
        .or_else(|| cfg.as_ref().and_then(|c| c.templates_dir()))
    {
        if let Err(d) = crate::render::use_overrides(&dir) {
            emit_plain(&d, a.format);
            return EXIT_INVALID;
        }
    }
    let names: Vec<String> = match (&a.target, defaults.map(|d| &d.targets)) {
        (t, _) if !t.is_empty() => t.clone(),
        (_, Some(ts)) if !ts.is_empty() => ts.clone(),
        _ => vec!["swanctl".into()],
    };
    let mut targets: Vec<&'static Target> = Vec::new();
    for n in &names {
        if n == "all" {
            targets.extend(crate::render::registry().targets());
            continue;
        }
        match crate::render::find_target(n) {
            Ok(t) => targets.push(t),
            Err(d) => return usage(d, a.format),
        }
    }
    // `--target swanctl,all` or a name given twice renders each target once.
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| seen.insert(t.name.as_str()));
    let side = match (a.side, defaults.and_then(|d| d.side.as_deref())) {
        (Some(SideArg::Cloud), _) | (None, Some("cloud")) => Side::Cloud,
        (Some(SideArg::Customer), _) | (None, None | Some("customer")) => Side::Customer,
        (None, Some(other)) => {
            return usage(
                Diagnostic::error(
                    "config.invalid",
                    format!("ipsecgen.toml: render.side `{other}` is not customer or cloud"),
                ),
                a.format,
            )
        }
    };
    let tunnel_mode = match (
        a.tunnel_mode,
        defaults.and_then(|d| d.tunnel_mode.as_deref()),
    ) {
        (Some(m), _) => Some(m),
        (None, Some("route")) => Some(TunnelMode::Route),
        (None, Some("policy")) => Some(TunnelMode::Policy),
        (None, None) => None,
        (None, Some(other)) => {
            return usage(
                Diagnostic::error(
                    "config.invalid",
                    format!("ipsecgen.toml: render.tunnel_mode `{other}` is not route or policy"),
                ),
                a.format,
            )
        }
    };
    let output = a
        .output
        .clone()
        .or_else(|| defaults.and_then(|d| d.output.clone()));
    let several = targets.len() > 1;
    if several && output.is_none() {
        return usage(
            Diagnostic::error(
                "usage.output",
                format!("{} targets need an output directory", targets.len()),
            )
            .help("pass -o DIR: each target is written into DIR/<target>/"),
            a.format,
        );
    }
    if a.check && output.is_none() {
        return usage(
            Diagnostic::error(
                "usage.output",
                "--check compares with an output directory: pass -o DIR",
            ),
            a.format,
        );
    }

    // Device facts: ipsecgen.toml's, then the flags' (which win).
    let mut device = cfg
        .as_ref()
        .map(|c| c.device_facts.clone())
        .unwrap_or_default();
    for arg in &a.device {
        if let Err(d) = device.give_flag(arg) {
            return usage(d, a.format);
        }
    }
    // Only facts need every target's table (a fact must name a target that uses it): a run
    // without any does not read the tables of targets it does not render.
    if !device.is_empty() {
        if let Err(d) = device.check(
            &crate::render::registry().targets().collect::<Vec<_>>(),
            &targets,
        ) {
            return usage(d, a.format);
        }
    }

    let inputs = match super::read_inputs(&a.files, &opts, a.format) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let mut diags = vec![Diagnostics::default(); inputs.len().max(1)];
    let mut outputs = Vec::new();
    if !inputs.iter().any(|c| c.diagnostics.has_errors()) {
        for t in &targets {
            match crate::render_per_input(
                &inputs,
                RenderOptions {
                    side,
                    tunnel_mode,
                    device: &device,
                },
                t,
            ) {
                Ok(files) => outputs.extend(files.into_iter().map(|(sub, f)| {
                    let sub = match (several, sub.is_empty()) {
                        (false, _) => sub,
                        (true, true) => t.name.clone(),
                        (true, false) => format!("{}/{sub}", t.name),
                    };
                    (sub, f)
                })),
                // With `all`, a target that cannot express this connection is skipped and said.
                Err(d) if several && names.iter().any(|n| n == "all") => {
                    for x in d.iter().flat_map(|d| d.iter()) {
                        eprintln!("note: skipped {}: {} [{}]", t.name, x.message, x.code);
                    }
                }
                Err(per_input) => {
                    for (i, d) in per_input.into_iter().enumerate() {
                        diags[i].extend(d);
                    }
                }
            }
        }
    }
    // Each input's diagnostics with its own text, then the render's about its values (their
    // spans point into it); those about no one input come with the first.
    let mut failed = diags.iter().any(Diagnostics::has_errors);
    for (i, c) in inputs.iter().enumerate() {
        let render = std::mem::take(&mut diags[i]);
        let mut d = c.diagnostics.clone().without_superseded(&render);
        d.extend(render);
        failed |= d.has_errors();
        if !d.is_empty() {
            emit(
                &FileReport {
                    name: &c.source.name,
                    text: &c.masked_text,
                    diagnostics: &d.0,
                },
                a.format,
            );
        }
    }
    if failed {
        return EXIT_INVALID;
    }
    match &output {
        None => {
            let primary = targets
                .first()
                .and_then(|t| t.files.first())
                .map_or("", |f| f.path.as_str());
            let (text, omitted) = crate::write::primary(&outputs, primary);
            super::out(&text);
            if !omitted.is_empty() {
                let shown: Vec<&str> = omitted.iter().take(5).map(String::as_str).collect();
                let more = match omitted.len() - shown.len() {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                eprintln!(
                    "note: this output also needs {}{more}; write every file with -o DIR",
                    shown.join(", ")
                );
            }
            EXIT_OK
        }
        Some(dir) if a.check => {
            let diffs = match crate::write::diff_dir(dir, &outputs, a.force) {
                Ok(d) => d,
                Err(d) => {
                    emit_plain(&d, a.format);
                    return EXIT_INVALID;
                }
            };
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
            Ok(planned) => {
                for line in crate::write::summary(dir, &planned) {
                    eprintln!("{line}");
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
