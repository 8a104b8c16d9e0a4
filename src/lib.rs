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
pub mod escape;
pub mod explain;
pub mod ir;
pub mod line_index;
pub mod parallel;
pub mod render;
pub mod report;
pub mod secret_key;
pub mod secret_scan;
pub mod secret_values;
pub mod source;
pub mod tree;
pub mod trust;
pub mod verify;
#[doc(hidden)]
pub mod work;
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
    /// More folders PSK file references may lead into (`--psk-root`), canonical; the input's
    /// own folder (the config's, for overlays) always is one.
    pub psk_roots: Vec<std::path::PathBuf>,
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
    /// The input is a gateway document: facts for the other inputs, no tunnel of its own.
    pub gateway: Option<dialect::GatewayDoc>,
    /// The input holds OpenStack objects connections reference by id (policies, VPN services,
    /// endpoint groups): facts for the other inputs, no tunnel of its own.
    pub neutron: Option<std::sync::Arc<dialect::neutron::Resources>>,
}

impl Checked {
    /// The input holds facts for other inputs and no tunnel of its own.
    pub fn facts_only(&self) -> bool {
        self.gateway.is_some() || self.neutron.is_some()
    }
}

/// Read a source with its dialect and run every verify rule.
pub fn check(source: Source, opts: &LoadOptions) -> Checked {
    // The secret scan of a long text (a fifth of checking a large fleet, on one core) runs
    // beside the reading, which leaves a core idle in its sequential steps.
    let (loaded, diagnostics, masked_text) = std::thread::scope(|s| {
        let text = source.text.as_str();
        let scan = (text.len() >= source::split::MIN_BYTES && parallel::cores() > 1)
            .then(|| s.spawn(|| secret_scan::scan_secrets(text)));
        let (mut loaded, diagnostics) = load_and_verify(&source, opts);
        let scanned = match scan {
            Some(scan) => scan.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            None => secret_scan::scan_secrets(text),
        };
        let mut secrets = std::mem::take(&mut loaded.secrets);
        secrets.extend(scanned);
        let (diagnostics, masked_text) = masked(text, &loaded.connections, diagnostics, secrets);
        (loaded, diagnostics, masked_text)
    });
    Checked {
        source,
        connections: loaded.connections,
        diagnostics: diagnostics.sorted(),
        masked_text,
        gateway: loaded.gateway,
        neutron: loaded.neutron,
    }
}

/// A source read with its dialect, and every diagnostic of it (config overlays and lints
/// applied).
fn load_and_verify(source: &Source, opts: &LoadOptions) -> (dialect::Loaded, Diagnostics) {
    let mut loaded = dialect::load_with(source, opts.dialect, &opts.facts, &opts.psk_roots);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
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
        diagnostics.extend(verify::tunnel_groups(&loaded.connections));
        if loaded.connections.len() > 1 {
            let lines = line_index::LineIndex::new(&source.name, &source.text);
            diagnostics.extend(verify::overlapping_subnets(&loaded.connections, &lines));
        }
    }
    if let Some(c) = &opts.config {
        c.apply_lints(&mut diagnostics);
    }
    (loaded, diagnostics)
}

/// The diagnostics with secret values scrubbed, and the text with them masked: the `secrets`
/// the reading and the scan found, and their text wherever else it stands.
fn masked(
    text: &str,
    connections: &[Connection],
    mut diagnostics: Diagnostics,
    mut secrets: Vec<tree::Span>,
) -> (Diagnostics, String) {
    // The secrets' text, wherever else it stands: in a diagnostic that quotes a value (a YAML
    // alias can copy the PSK into any field) or written a second time in the source.
    let values = secret_values::collect(text, &secrets, connections);
    secret_values::scrub_diagnostics(&mut diagnostics, &values);
    secrets.extend(secret_values::occurrences(text, &values));
    (diagnostics, report::masked(text, &secrets))
}

/// Read several inputs that belong together: gateway documents (DescribeVpnGateway,
/// DescribeCustomerGateway, ...) and OpenStack policies, VPN services and endpoint groups are
/// read first and joined to the connections that name their IDs; flags and the connection's own fields still take precedence. Results come
/// back in argument order.
pub fn check_joined(sources: Vec<Source>, opts: &LoadOptions) -> Vec<Checked> {
    let mut first: Vec<Checked> = parallel::map_ordered(&sources, |s| check(s.clone(), opts));
    let mut joined = dialect::Joined::default();
    for c in &mut first {
        if let Some(doc) = c.gateway.clone() {
            if let Err(d) = joined.add(doc) {
                c.diagnostics.push(d);
            }
        }
        if let Some(objects) = &c.neutron {
            for d in joined.add_neutron(objects) {
                c.diagnostics.push(d);
            }
        }
    }
    if joined.is_empty() {
        return first;
    }
    let opts = LoadOptions {
        facts: PeerFacts {
            gateways: std::sync::Arc::new(joined),
            ..opts.facts.clone()
        },
        ..opts.clone()
    };
    // The connections are read again, now with the gateways' facts.
    parallel::map_ordered(&first, |c| {
        if c.facts_only() {
            Checked {
                source: c.source.clone(),
                connections: Vec::new(),
                diagnostics: c.diagnostics.clone(),
                masked_text: c.masked_text.clone(),
                gateway: c.gateway.clone(),
                neutron: c.neutron.clone(),
            }
        } else {
            check(c.source.clone(), &opts)
        }
    })
}

/// Render every connection of a checked input for `target` as `opts` asks.
/// Returns (sub-folder, file) pairs; the sub-folder is empty for a single connection.
pub fn render_all(
    checked: &Checked,
    opts: RenderOptions,
    target: &Target,
) -> Result<Vec<(String, Output)>, Diagnostics> {
    render_joined(std::slice::from_ref(checked), opts, target)
}

/// One connection to render, with the index of its input: a single tunnel, or a group's
/// tunnels.
type Unit<'a> = Vec<(&'a Connection, usize)>;

/// What rendering several inputs refused, per input (in the order of `inputs`): a connection's
/// diagnostics go with the input it was read from, whose text their spans point into (a value
/// joined from another input carries no span); those about no single input (two connections
/// of one name, too many tunnels) go with the first.
pub type PerInput = Vec<Diagnostics>;

/// Render every connection of several inputs (read with `check_joined`) as one set: a
/// sub-folder per connection when there are several in all, plus the combined files. The
/// diagnostics come in the order of the inputs (`render_per_input` says whose they are).
pub fn render_joined(
    inputs: &[Checked],
    opts: RenderOptions,
    target: &Target,
) -> Result<Vec<(String, Output)>, Diagnostics> {
    render_per_input(inputs, opts, target).map_err(|per_input| {
        let mut all = Diagnostics::default();
        per_input.into_iter().for_each(|d| all.extend(d));
        all
    })
}

/// `render_joined`, with each input's diagnostics apart (see `PerInput`).
pub fn render_per_input(
    inputs: &[Checked],
    opts: RenderOptions,
    target: &Target,
) -> Result<Vec<(String, Output)>, PerInput> {
    let mut outputs = Vec::new();
    let mut errors = Diagnostics::default();
    let mut per_input: PerInput = vec![Diagnostics::default(); inputs.len().max(1)];
    let mut skipped = Diagnostics::default();
    let first = |d: Diagnostics| {
        let mut out: PerInput = vec![Diagnostics::default(); inputs.len().max(1)];
        out[0] = d;
        out
    };
    let name = |i: usize| inputs[i].source.name.as_str();
    let all: Vec<(&Connection, usize)> = inputs
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.connections.iter().map(move |conn| (conn, i)))
        .collect();
    // A connection is rendered as one unit: a single tunnel, or the tunnels of one group.
    let mut units: Vec<Unit> = Vec::new();
    for &(conn, input) in &all {
        let joins = units.last().is_some_and(|u| {
            let (prev, prev_input) = u[u.len() - 1];
            prev_input == input
                && matches!((&prev.group, &conn.group), (Some(a), Some(b)) if a.name == b.name)
        });
        match units.last_mut() {
            Some(u) if joins => u.push((conn, input)),
            _ => units.push(vec![(conn, input)]),
        }
    }
    let unit_name = |u: &[(&'_ Connection, usize)]| -> String {
        let c = u[0].0;
        c.group.as_ref().map_or(c.name.clone(), |g| g.name.clone())
    };
    let several = units.len() > 1;
    if several && inputs.len() > 1 {
        // Each connection gets a folder named after it: two of one name would share it.
        let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for u in &units {
            let unit = unit_name(u);
            let input = name(u[0].1);
            if let Some(first) = seen.insert(unit.clone(), input) {
                errors.push(
                    diag::Diagnostic::error(
                        "input.duplicate-name",
                        format!(
                            "two connections are named `{}` ({} and {}): their output folders would be one",
                            unit,
                            render::quote::path_word(first),
                            render::quote::path_word(input)
                        ),
                    )
                    .help("rename one of them, or render the files one at a time"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(first(errors));
        }
    }
    if all.len() > 1 {
        // Object names shortened to the target's limit must stay distinct too.
        let max = target.max_name.saturating_sub(5).max(8);
        let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for (conn, _) in &all {
            let short = render::quote::short_name(&conn.name, max);
            if let Some(first) = seen.insert(short.clone(), conn.name.as_str()) {
                if first != conn.name {
                    errors.push(
                        diag::Diagnostic::error(
                            "target.name-collision",
                            format!(
                                "connections `{first}` and `{}` both become `{short}` on {}, which keeps {max} characters of a name",
                                conn.name, target.name
                            ),
                        )
                        .help("rename one of them so that their names differ early on; otherwise the second would reconfigure the first's objects"),
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(first(errors));
        }
    }
    // Route-based tunnels (two tunnels of a group, BGP by default, or --tunnel-mode route) each
    // need their own interface id; policy-based ones use none.
    let route_based: Vec<bool> = units
        .iter()
        .flat_map(|u| {
            let conns: Vec<&Connection> = u.iter().map(|(c, _)| *c).collect();
            let mode = render::context::tunnel_mode(opts.tunnel_mode, &conns);
            std::iter::repeat_n(mode == render::TunnelMode::Route, u.len())
        })
        .collect();
    let Some(numbers) = render::number_tunnels(
        all.iter()
            .zip(&route_based)
            .filter(|(_, r)| **r)
            .map(|((c, _), _)| c.name.as_str()),
    ) else {
        errors.push(
            diag::Diagnostic::error(
                "target.unsupported",
                format!(
                    "{} route-based tunnels in one run need more tunnel interface ids than the {} ipsecgen hands out",
                    route_based.iter().filter(|r| **r).count(),
                    render::context::IF_IDS
                ),
            )
            .help("render the fleet in parts"),
        );
        return Err(first(errors));
    };
    // The headers' regenerate command names every input the facts came from.
    let joined_input = render::quote::join_inputs(inputs.iter().map(|c| c.source.name.as_str()));
    // Every core renders a share of the connections; results come back in file order.
    let mut numbers = numbers.into_iter();
    let mut numbers = route_based
        .iter()
        .map(|r| if *r { numbers.next() } else { None });
    let jobs: Vec<(&Unit, Vec<Option<u32>>)> = units
        .iter()
        .map(|u| (u, numbers.by_ref().take(u.len()).collect()))
        .collect();
    let rendered = parallel::map_ordered(&jobs, |(unit, numbers)| {
        let conns: Vec<&Connection> = unit.iter().map(|(c, _)| *c).collect();
        let input = if inputs.len() > 1 {
            joined_input.as_str()
        } else {
            name(unit[0].1)
        };
        render::render_tunnels(&conns, opts, target, input, numbers)
    });
    for (unit, result) in units.iter().zip(rendered) {
        match result {
            Ok(files) => {
                let dir = if several {
                    unit_name(unit)
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
            Err(d) => per_input[unit[0].1].extend(d),
        }
    }
    let failed = per_input.iter().any(|d| !d.is_empty());
    if outputs.is_empty() && !failed {
        // Nothing to say about any connection: said once, with the first input.
        return Err(first(skipped));
    }
    if several && !failed {
        outputs.extend(combined(&outputs, target));
    }
    if failed {
        Err(per_input)
    } else {
        Ok(outputs)
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
