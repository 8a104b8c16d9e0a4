//! ipsecgen: compile cloud VPN connection settings into working peer configurations.
//!
//! The pipeline: `source` (read) -> `dialect` (API shape to IR) -> `verify` (all diagnostics)
//! -> `render` (templates per target) -> `write` (atomic, only after every render succeeded).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cli;
pub mod config;
pub mod diag;
pub mod dialect;
pub mod explain;
pub mod ir;
pub mod line_index;
pub mod parallel;
pub mod render;
pub mod report;
pub mod source;
pub mod tree;
pub mod verify;
pub mod write;

use diag::Diagnostics;
use dialect::{Dialect, PeerFacts};
use ir::Connection;
use render::{Output, RenderOptions, Target};
use source::Source;

/// How to read inputs.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Force a dialect instead of detecting it.
    pub dialect: Option<Dialect>,
    /// Peer facts given on the command line (they override the document's).
    pub facts: PeerFacts,
    /// Also lint the file as committed (plaintext secrets): `check` sets this.
    pub committed: bool,
    /// The project config (overlays, lint levels).
    pub config: Option<std::sync::Arc<config::Config>>,
}

/// One input read and verified.
#[derive(Debug)]
pub struct Checked {
    pub source: Source,
    pub connections: Vec<Connection>,
    /// Dialect and verify diagnostics, in file order.
    pub diagnostics: Diagnostics,
    /// The source text with secret values masked, for reports.
    pub masked_text: String,
}

/// Read a source with its dialect and run every verify rule.
pub fn check(source: Source, opts: &LoadOptions) -> Checked {
    let mut loaded = dialect::load(&source, opts.dialect, &opts.facts);
    let mut diagnostics = loaded.diagnostics;
    if let Some(c) = &opts.config {
        for d in c.apply_overlays(&mut loaded.connections) {
            diagnostics.push(d);
        }
    }
    if !diagnostics.has_errors() {
        // Connections are verified on every core (a fleet file holds thousands), in file order.
        let found = parallel::map_ordered(&loaded.connections, |c| {
            let mut d = verify::verify(c);
            if opts.committed {
                d.extend(verify::verify_committed(c));
            }
            d
        });
        for d in found {
            diagnostics.extend(d);
        }
    }
    if let Some(c) = &opts.config {
        c.apply_lints(&mut diagnostics);
    }
    let mut secrets = loaded.secrets;
    secrets.extend(report::scan_secrets(&source.text));
    let masked_text = report::masked(&source.text, &secrets);
    Checked {
        source,
        connections: loaded.connections,
        diagnostics: diagnostics.sorted(),
        masked_text,
    }
}

/// Render every connection of a checked input for `target` as `opts` asks.
/// Returns (sub-folder, file) pairs; the sub-folder is empty for a single connection.
pub fn render_all(
    checked: &Checked,
    opts: RenderOptions,
    target: &Target,
) -> Result<Vec<(String, Output)>, Diagnostics> {
    let mut outputs = Vec::new();
    let mut errors = Diagnostics::default();
    let mut skipped = Diagnostics::default();
    let several = checked.connections.len() > 1;
    // Every core renders a share of the connections; results come back in file order.
    let rendered = parallel::map_ordered(&checked.connections, |conn| {
        render::render(conn, opts, target, &checked.source.name)
    });
    for (conn, result) in checked.connections.iter().zip(rendered) {
        match result {
            Ok(files) => {
                let dir = if several {
                    conn.name.clone()
                } else {
                    String::new()
                };
                outputs.extend(files.into_iter().map(|f| (dir.clone(), f)));
            }
            // In a file of several connections, a connection a target has nothing to say about
            // (e.g. no BGP for the frr target) is skipped; it is an error only if all are.
            Err(d) if several && d.iter().all(|x| x.code == "target.nothing-to-render") => {
                skipped.extend(d)
            }
            Err(d) => errors.extend(d),
        }
    }
    if outputs.is_empty() && errors.is_empty() {
        errors.extend(skipped);
    }
    if several && errors.is_empty() {
        outputs.extend(combined(&outputs, target));
    }
    if errors.is_empty() {
        Ok(outputs)
    } else {
        Err(errors)
    }
}

/// One file with every connection's copy of each `combine` file, at the top of the output.
fn combined(outputs: &[(String, Output)], target: &Target) -> Vec<(String, Output)> {
    let mut out = Vec::new();
    for file in target.files.iter().filter(|f| f.combine) {
        let parts: Vec<&Output> = outputs
            .iter()
            .filter(|(dir, o)| !dir.is_empty() && o.path == file.path)
            .map(|(_, o)| o)
            .collect();
        if parts.len() < 2 {
            continue;
        }
        let mut content = format!(
            "{} Generated by ipsecgen {}: {} connections in one file (each also in its own folder).\n",
            target.comment,
            env!("CARGO_PKG_VERSION"),
            parts.len()
        );
        for p in &parts {
            content.push('\n');
            content.push_str(&p.content);
        }
        out.push((
            String::new(),
            Output {
                path: file.path.clone(),
                content,
                secret: parts.iter().any(|p| p.secret),
                executable: false,
                marker: target.marker(),
                secrets: parts
                    .iter()
                    .flat_map(|p| p.secrets.iter().cloned())
                    .collect(),
                secret_lines: target.secret_lines.clone(),
                hide_in_diff: parts.iter().any(|p| p.hide_in_diff),
            },
        ));
    }
    out
}
