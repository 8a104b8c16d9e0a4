//! A connection with two tunnels (Alibaba's master and slave, Huawei's two EIPs): one context
//! per tunnel, each built from its own `Connection`, printed together into one set of files.
//! Templates loop over `tunnels`; the top-level fields are the first tunnel's (the master's),
//! named after the connection, so a header can speak of the connection as a whole.

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Connection, TunnelRole};

use super::super::quote;
use super::super::target::Target;
use super::{build_numbered, Context, RenderOptions, TunnelMode};

/// The connection the tunnels belong to.
#[derive(Clone, Debug, Serialize)]
pub struct GroupCtx {
    /// The connection's name (object names of the tunnels add their index).
    pub name: String,
    pub title: Option<String>,
    pub size: usize,
    /// Both tunnels carry traffic (active-active); otherwise one is the master.
    pub balanced: bool,
    /// The master tunnel's object name (none when balanced).
    pub master: Option<String>,
}

/// What a template sees: the top-level fields, every tunnel, and the group.
#[derive(Serialize)]
pub struct View<'a> {
    #[serde(flatten)]
    pub top: &'a Context,
    pub tunnels: &'a [Context],
    pub group: Option<&'a GroupCtx>,
}

/// The contexts of one connection's tunnels.
#[derive(Debug)]
pub struct Built {
    /// The connection as a whole, for a group (the master's context, named after the group).
    top: Option<Context>,
    pub tunnels: Vec<Context>,
    pub group: Option<GroupCtx>,
}

impl Built {
    pub fn view(&self) -> View<'_> {
        View {
            top: self.top.as_ref().unwrap_or(&self.tunnels[0]),
            tunnels: &self.tunnels,
            group: self.group.as_ref(),
        }
    }

    pub fn top(&self) -> &Context {
        self.top.as_ref().unwrap_or(&self.tunnels[0])
    }
}

/// Build the contexts of `conns`: one connection, or the tunnels of one group in order, each
/// with its tunnel interface number (`None` derives it from the name).
pub fn build(
    conns: &[&Connection],
    opts: RenderOptions,
    target: &Target,
    input: &str,
    numbers: &[Option<u32>],
) -> Result<Built, Diagnostics> {
    let group = conns.first().and_then(|c| c.group.as_ref());
    let Some(first) = group.filter(|_| conns.len() > 1) else {
        let tunnels = conns
            .iter()
            .zip(numbers)
            .map(|(c, n)| build_numbered(c, opts, target, input, *n))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Built {
            top: None,
            tunnels,
            group: None,
        });
    };
    let mut diags = Diagnostics::default();
    let label = first
        .title
        .as_ref()
        .map_or(first.name.as_str(), |t| t.value.as_str());
    if usize::from(target.features.tunnels) < conns.len() {
        let one = target.features.one_tunnel.as_ref();
        let targets = super::super::registry()
            .targets()
            .filter(|t| usize::from(t.features.tunnels) >= conns.len())
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        diags.push(
            Diagnostic::error(
                "target.unsupported",
                format!(
                    "target `{}` writes one tunnel per connection, and connection `{}` has {}: leaving one out would leave no path when the other is down{}",
                    target.name,
                    quote::comment_safe(label),
                    conns.len(),
                    one.map(|o| format!(". {}", o.why)).unwrap_or_default()
                ),
            )
            .at(first.role.span, "a connection with two tunnels")
            .help(match one {
                Some(o) => format!("{}; targets that write both tunnels: {targets}", o.instead),
                None => format!("choose a target that writes both tunnels: {targets}"),
            }),
        );
        return Err(diags);
    }
    if opts.tunnel_mode == Some(TunnelMode::Policy) {
        diags.push(
            Diagnostic::error(
                "target.unsupported",
                format!(
                    "connection `{}` has two tunnels for the same subnets: only route-based tunnels let this side choose between them (policy-based ones would install the same selectors twice)",
                    quote::comment_safe(label)
                ),
            )
            .help("leave out --tunnel-mode policy (two tunnels are route-based)"),
        );
        return Err(diags);
    }
    if !target.features.static_failover && !conns.iter().any(|c| c.bgp_enabled()) {
        diags.push(
            Diagnostic::error(
                "target.unsupported",
                format!(
                    "target `{}` cannot fail over between the two tunnels of connection `{}` without BGP: the device keeps a static route into a tunnel that is down, so traffic would stay on a dead master",
                    target.name,
                    quote::comment_safe(label)
                ),
            )
            .at(first.role.span, "two tunnels, no BGP")
            .help("enable BGP over the tunnels (EnableTunnelsBgp with each tunnel's TunnelBgpConfig), or configure the device's tunnel monitoring yourself"),
        );
        return Err(diags);
    }
    let opts = RenderOptions {
        tunnel_mode: Some(super::tunnel_mode(opts.tunnel_mode, conns)),
        ..opts
    };
    let mut tunnels = Vec::new();
    for (conn, number) in conns.iter().zip(numbers) {
        match build_numbered(conn, opts, target, input, *number) {
            Ok(ctx) => tunnels.push(ctx),
            // The tunnels share the connection's facts, and a value both tunnels give alike is
            // refused alike: say each problem once (at the first tunnel's place).
            Err(d) => {
                for x in d.iter() {
                    if !diags
                        .iter()
                        .any(|y| y.code == x.code && y.message == x.message)
                    {
                        diags.push(x.clone());
                    }
                }
            }
        }
    }
    let asns: Vec<u32> = tunnels
        .iter()
        .filter_map(|t| t.bgp.as_ref().map(|b| b.local_asn))
        .collect();
    if asns.windows(2).any(|w| w[0] != w[1]) {
        diags.push(
            Diagnostic::error(
                "target.unsupported",
                format!(
                    "the two tunnels of connection `{}` give this side two BGP AS numbers ({} and {}): one router runs one BGP process with one AS",
                    quote::comment_safe(label),
                    asns[0],
                    asns[1]
                ),
            )
            .help("give both tunnels the same AS on this side (one customer gateway ASN, one LocalAsn)"),
        );
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let balanced = first.role.value == TunnelRole::Active;
    let master = (!balanced)
        .then(|| {
            conns
                .iter()
                .zip(&tunnels)
                .find(|(c, _)| c.group.as_ref().map(|g| g.role.value) == Some(TunnelRole::Master))
                .map(|(_, t)| t.name.clone())
        })
        .flatten();
    let name = quote::short_name(&first.name, target.max_name.saturating_sub(5).max(8));
    let title = first
        .title
        .as_ref()
        .map(|t| quote::comment_safe(&t.value))
        .filter(|t| *t != first.name);
    let mut top = tunnels[0].clone();
    top.name = name.clone();
    top.title = title.clone();
    // The header's lists speak of every tunnel: what the tunnels differ in is named per tunnel.
    top.defaults = per_tunnel(&tunnels, |t| &t.defaults);
    top.dpd.deviations = per_tunnel(&tunnels, |t| &t.dpd.deviations);
    Ok(Built {
        top: Some(top),
        group: Some(GroupCtx {
            name,
            title,
            size: tunnels.len(),
            balanced,
            master,
        }),
        tunnels,
    })
}

/// The lines of one header list over every tunnel, in the first tunnel's order: a line every
/// tunnel has is printed once as it is; a line only some tunnels have is printed for each of
/// them, prefixed with the tunnel's name and role.
fn per_tunnel(tunnels: &[Context], list: impl Fn(&Context) -> &Vec<String>) -> Vec<String> {
    let shared = |line: &String| tunnels.iter().all(|t| list(t).contains(line));
    let mut out: Vec<String> = Vec::new();
    for (i, t) in tunnels.iter().enumerate() {
        for line in list(t) {
            if !shared(line) {
                let role = t.role.unwrap_or("tunnel");
                out.push(format!("{} ({role}): {line}", t.name));
            } else if i == 0 {
                out.push(line.clone());
            }
        }
    }
    out
}
