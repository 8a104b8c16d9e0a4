//! A lab scenario as data: the files ipsecgen rendered for each side (under `dir`/cloud and
//! `dir`/customer), the tunnels with their addresses and expected SAs, the subnets, the pings,
//! BGP, the health check, what a route-based side must show, and whether it must come up or
//! stay down for a given reason. The same value drives the host lab (host.rs) and the VM lab
//! (vm.rs); expect.rs judges what either runner recorded against it.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use ipnetwork::IpNetwork;
use ipsecgen::ir::{Connection, IkeVersion, Side};
use ipsecgen::source::Source;

/// More (customer subnet, cloud subnet) pairs than this: ping each subnet once instead.
const MAX_PING_PAIRS: usize = 16;

/// The IKE daemon a side runs, fed with the target of the same name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Impl {
    /// strongSwan charon, swanctl.conf
    Swanctl,
    /// libreswan pluto, ipsec.conf + ipsec.secrets
    Libreswan,
}

impl Impl {
    pub fn id(self) -> &'static str {
        match self {
            Impl::Swanctl => "swanctl",
            Impl::Libreswan => "libreswan",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Subnet children, traffic follows the IPsec policies (what the host lab can run).
    Policy,
    /// An xfrm interface per tunnel (ipsec-link.sh), routes into it (needs a real kernel).
    Route,
}

/// One IKE connection between a cloud and a customer gateway address. A dual-tunnel
/// connection has two: the runners give each its own uplink.
#[derive(Clone, Debug)]
pub struct Tunnel {
    pub cloud_ip: String,
    pub customer_ip: String,
    /// CHILD SAs each side must hold for this tunnel (2 ESP SAs each in the kernel).
    pub children: usize,
}

/// A ping from `side`'s namespace, `src` -> `dst`.
#[derive(Clone, Debug)]
pub struct Ping {
    pub side: Side,
    pub src: IpAddr,
    pub dst: IpAddr,
}

#[derive(Clone, Copy, Debug)]
pub struct Bgp {
    pub cloud: Ipv4Addr,
    pub customer: Ipv4Addr,
    pub cloud_asn: Option<u32>,
    pub customer_asn: Option<u32>,
}

/// What a route-based side must show, read from its ipsec-link.sh as rendered.
#[derive(Clone, Debug, Default)]
pub struct SideExpect {
    pub ifname: Option<String>,
    pub if_id: Option<u32>,
    pub mtu: Option<u32>,
    pub mss: Option<u32>,
    /// Prefixes routed into `ifname` in the main table ...
    pub routes: Vec<String>,
    /// ... by BGP (proto bgp), else statically.
    pub routes_bgp: bool,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Up {
        /// An IKEv2 child rekeyed to prove the PFS group (the IKE_AUTH child has no DH).
        rekey: Option<String>,
    },
    /// Must not come up; `evidence` in a daemon's log says why. `ike_up`: the IKE SA may come
    /// up (only the CHILD SA must fail).
    Down { evidence: String, ike_up: bool },
}

/// A step a runner takes once the tunnels are up, in order (the dual-tunnel failover case:
/// take tunnel 1's cloud uplink down, then wait until the routes move to tunnel 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The uplink of `tunnel` (0-based) on `side` goes down / comes back.
    Uplink { side: Side, tunnel: usize, up: bool },
    /// `side` stops answering / answers again the echo requests to `addr` (a health probe's
    /// dip stops answering).
    Echo {
        side: Side,
        addr: IpAddr,
        answer: bool,
    },
    /// A ping from `side`, `src` -> `dst`, that must be answered (no loss) or not (all lost).
    Ping {
        side: Side,
        src: IpAddr,
        dst: IpAddr,
        answered: bool,
    },
    /// Wait at most `secs` until each prefix is routed in `side`'s main table (`present`) or
    /// none is; `dev`: through this interface.
    Routes {
        side: Side,
        prefixes: Vec<String>,
        dev: Option<String>,
        present: bool,
        secs: u32,
    },
}

impl Action {
    /// The form lab/vm/scenario.sh reads (one action per `;`).
    pub fn shell(&self) -> String {
        match self {
            Action::Uplink { side, tunnel, up } => format!(
                "uplink {} {tunnel} {}",
                side.id(),
                if *up { "up" } else { "down" }
            ),
            Action::Echo { side, addr, answer } => format!(
                "echo {} {addr} {}",
                side.id(),
                if *answer { "answer" } else { "drop" }
            ),
            Action::Ping {
                side,
                src,
                dst,
                answered,
            } => format!(
                "ping {} {src} {dst} {}",
                side.id(),
                if *answered { "answered" } else { "lost" }
            ),
            Action::Routes {
                side,
                prefixes,
                dev,
                present,
                secs,
            } => format!(
                "routes {} {} {secs} {} {}",
                side.id(),
                if *present { "present" } else { "absent" },
                dev.as_deref().unwrap_or("-"),
                prefixes.join(",")
            ),
        }
    }
}

pub struct Scenario {
    /// Unique name (the folder under the runner's output; sorted = run order in the VM).
    pub slug: String,
    /// The example (and `#connection` when the file holds several).
    pub example: String,
    pub kind: String,
    /// The connection seen from the cloud.
    pub conn: Connection,
    pub mode: Mode,
    /// [cloud, customer]
    pub impls: [Impl; 2],
    /// The rendered files: `dir`/cloud/, `dir`/customer/.
    pub dir: PathBuf,
    pub tunnels: Vec<Tunnel>,
    /// [cloud, customer] subnets (their first hosts are put on each side).
    pub subnets: [Vec<IpNetwork>; 2],
    /// [cloud, customer] extra host addresses (BGP, health probe).
    pub lo: [Vec<IpAddr>; 2],
    /// Client-to-site: the address pool (the client has only the address it is assigned).
    pub pool: Option<Vec<IpNetwork>>,
    pub pings: Vec<Ping>,
    pub bgp: Option<Bgp>,
    /// The health check's probe (sip on the cloud, dip on the customer side).
    pub hc: Option<(IpAddr, IpAddr)>,
    /// The cloud's health-monitor.sh runs and `actions` withdraw and restore its routes.
    pub hc_monitor: bool,
    /// [cloud, customer]
    pub sides: [SideExpect; 2],
    pub outcome: Outcome,
    /// Children the customer initiates explicitly (empty: the rendered start action does).
    pub initiate: Vec<String>,
    /// Send traffic while waiting for the SAs (trap / ondemand configs negotiate on traffic).
    pub trigger: bool,
    pub actions: Vec<Action>,
    /// The rendered output is known not to work here: why (a finding, listed in the README).
    pub known_failure: Option<&'static str>,
    /// Runner settings that do not define the case (timeouts).
    pub knobs: Vec<(String, String)>,
}

impl Scenario {
    pub fn side_dir(&self, side: Side) -> PathBuf {
        self.dir.join(side.id())
    }

    /// CHILD SAs each side must hold, over all tunnels.
    pub fn children(&self) -> usize {
        self.tunnels.iter().map(|t| t.children).sum()
    }

    pub fn impl_of(&self, side: Side) -> Impl {
        self.impls[index(side)]
    }

    pub fn expect_of(&self, side: Side) -> &SideExpect {
        &self.sides[index(side)]
    }

    pub fn knob(&self, key: &str) -> Option<&str> {
        self.knobs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// [cloud, customer] index of a side.
pub fn index(side: Side) -> usize {
    match side {
        Side::Cloud => 0,
        Side::Customer => 1,
    }
}

pub const SIDES: [Side; 2] = [Side::Cloud, Side::Customer];

/// How to build a scenario from a connection.
pub struct Plan<'a> {
    pub kind: String,
    /// The form the files are in ...
    pub mode: Mode,
    /// ... by `--tunnel-mode` (false: the default of the connection, which must be `mode`).
    pub mode_flag: bool,
    /// [cloud, customer]
    pub impls: [Impl; 2],
    /// [cloud, customer] inputs (a negative pair changes one of them).
    pub inputs: [&'a Path; 2],
    /// The connection's sub-folder when the input holds several.
    pub only: Option<&'a str>,
    /// Rekey the first IKEv2 child (the host lab does: vici shows the PFS group then).
    pub rekey: bool,
    /// A ping from the cloud side too (the host lab pings from the customer side only).
    pub reverse_ping: bool,
    /// `Some((evidence, ike_up))`: must stay down.
    pub negative: Option<(&'a str, bool)>,
}

/// Render both sides into `dir` (see `render`) and describe the scenario.
pub fn build(
    conn: &Connection,
    plan: &Plan,
    dir: &Path,
    slug: String,
    example: String,
) -> Result<Scenario, String> {
    let bgp_on = conn.bgp_enabled();
    let flag = plan.mode_flag.then_some(plan.mode);
    for side in SIDES {
        let sdir = dir.join(side.id());
        std::fs::create_dir_all(&sdir).map_err(|e| e.to_string())?;
        let input = plan.inputs[index(side)];
        let imp = plan.impls[index(side)];
        render(input, side, imp.id(), flag, plan.only, &sdir)?;
        if bgp_on {
            render(input, side, "frr", flag, plan.only, &sdir)?;
        }
    }
    describe(conn, plan, dir, slug, example)
}

/// Describe a scenario whose files are already in `dir`/{cloud,customer}.
pub fn describe(
    conn: &Connection,
    plan: &Plan,
    dir: &Path,
    slug: String,
    example: String,
) -> Result<Scenario, String> {
    let cloud = conn.view_from(Side::Cloud);
    let route = plan.mode == Mode::Route;
    let bgp_on = cloud.bgp_enabled();
    let mut sides: [SideExpect; 2] = Default::default();
    for side in SIDES {
        let e = &mut sides[index(side)];
        let sdir = dir.join(side.id());
        if let Ok(link) = std::fs::read_to_string(sdir.join("ipsec-link.sh")) {
            e.ifname = assigned(&link, "IFNAME");
            e.if_id = assigned(&link, "IF_ID").and_then(|v| v.parse().ok());
            e.mtu = word_after(&link, " mtu ").and_then(|v| v.parse().ok());
            e.mss = word_after(&link, "--set-mss ").and_then(|v| v.parse().ok());
        } else if route {
            return Err(format!(
                "{} side: route-based but no ipsec-link.sh rendered",
                side.id()
            ));
        }
        if route {
            e.routes = conn
                .view_from(side)
                .remote
                .subnets
                .iter()
                .map(|s| s.get().to_string())
                .collect();
            e.routes_bgp = bgp_on;
        }
    }
    let nets = |e: &ipsecgen::ir::Endpoint| -> Vec<IpNetwork> {
        e.subnets.iter().map(|s| s.get()).collect()
    };
    let cloud_nets = nets(&cloud.local);
    let cust_nets = nets(&cloud.remote);
    let pool: Option<Vec<IpNetwork>> = cloud
        .remote_access
        .as_ref()
        .map(|ra| ra.pool.iter().map(|p| p.get()).collect());
    let bgp = if bgp_on {
        let (Some(c), Some(p)) = (&cloud.local.bgp.ip, &cloud.remote.bgp.ip) else {
            return Err("BGP enabled but the IR lacks a BGP address".into());
        };
        Some(Bgp {
            cloud: c.get(),
            customer: p.get(),
            cloud_asn: cloud.local.bgp.asn.as_ref().map(|a| a.get()),
            customer_asn: cloud.remote.bgp.asn.as_ref().map(|a| a.get()),
        })
    } else {
        None
    };
    let hc = health_probe(&cloud);

    // CHILD SAs: route-based one with 0.0.0.0/0; policy-based IKEv1 (and libreswan, where
    // leftsubnets={..} is a conn per pair) one per subnet pair, IKEv2 one with all subnets,
    // plus the /32 children of BGP and of a health probe outside the subnets.
    let pairs = cloud_nets.len() * cust_nets.len();
    let children = match (&pool, route) {
        (_, true) => 1,
        // client-to-site: one child, the VPC subnets <-> the assigned address
        (Some(_), false) => usize::from(!cloud_nets.is_empty()),
        (None, false) => {
            let mut n = if cloud.ike.version.get() == IkeVersion::Ikev1
                || plan.impls.contains(&Impl::Libreswan)
            {
                pairs
            } else {
                usize::from(pairs > 0)
            };
            if bgp.is_some() {
                n += 1;
            }
            if let Some((sip, dip)) = hc {
                if !is_covered(sip, dip, &cloud_nets, &cust_nets) {
                    n += 1; // the <name>-hc child
                }
            }
            n
        }
    };
    let cloud_ip = gateway(&cloud.local)?;
    let customer_ip = match (&pool, gateway(&cloud.remote)) {
        (_, Ok(a)) => a,
        // client-to-site: the clients have no fixed address; give the lab's client one
        (Some(_), Err(_)) => lab_client_address(&cloud_ip),
        (None, Err(e)) => return Err(e),
    };
    let mut lo: [Vec<IpAddr>; 2] = Default::default();
    if let Some(b) = &bgp {
        lo[0].push(IpAddr::V4(b.cloud));
        lo[1].push(IpAddr::V4(b.customer));
    }
    if let Some((sip, dip)) = hc {
        lo[0].push(sip);
        lo[1].push(dip);
    }
    let mut pings = ping_pairs(&cloud, bgp.as_ref(), hc);
    if plan.reverse_ping && pool.is_none() {
        let first = |n: &[IpNetwork]| n.iter().find_map(first_host);
        if let (Some(s), Some(d)) = (first(&cloud_nets), first(&cust_nets)) {
            if s.is_ipv4() == d.is_ipv4() {
                pings.push(Ping {
                    side: Side::Cloud,
                    src: s,
                    dst: d,
                });
            }
        }
    }
    // the same ping twice proves nothing more (a probe's pair may be a subnet pair)
    let mut seen = std::collections::HashSet::new();
    pings.retain(|p| seen.insert((p.side, p.src, p.dst)));
    let files = |side: Side, name: &str| std::fs::read_to_string(dir.join(side.id()).join(name));
    let outcome = match plan.negative {
        Some((evidence, ike_up)) => {
            pings.clear();
            Outcome::Down {
                evidence: evidence.to_owned(),
                ike_up,
            }
        }
        None => {
            let rekey = (plan.rekey && cloud.ike.version.get() == IkeVersion::Ikev2)
                .then(|| {
                    files(Side::Customer, "swanctl.conf")
                        .ok()
                        .and_then(|t| child_names(&t).into_iter().next())
                })
                .flatten();
            Outcome::Up { rekey }
        }
    };
    // trap / ondemand configs negotiate on traffic: send some while waiting, unless a side
    // starts by itself (then traffic meanwhile would only race it)
    let starts = SIDES.iter().any(|side| {
        ["swanctl.conf", "ipsec.conf"].iter().any(|f| {
            files(*side, f).is_ok_and(|t| {
                t.lines()
                    .any(|l| matches!(l.trim(), "start_action = start" | "auto=start"))
            })
        })
    });
    let hc_monitor = hc.is_some() && dir.join("cloud/health-monitor.sh").exists();
    Ok(Scenario {
        slug,
        example,
        kind: plan.kind.clone(),
        mode: plan.mode,
        impls: plan.impls,
        dir: dir.to_owned(),
        tunnels: vec![Tunnel {
            cloud_ip,
            customer_ip,
            children,
        }],
        subnets: [cloud_nets, cust_nets],
        lo,
        pool,
        pings,
        bgp,
        hc,
        hc_monitor,
        sides,
        outcome,
        initiate: Vec::new(),
        trigger: !starts,
        actions: Vec::new(),
        known_failure: None,
        knobs: Vec::new(),
        conn: cloud,
    })
}

fn gateway(e: &ipsecgen::ir::Endpoint) -> Result<String, String> {
    e.gateway
        .as_ref()
        .map(|g| g.get().to_string())
        .ok_or_else(|| format!("the IR has no gateway address for the {} side", e.side.id()))
}

pub fn health_probe(cloud: &Connection) -> Option<(IpAddr, IpAddr)> {
    let hc = cloud.health_check.as_ref()?;
    if !hc.enabled.value {
        return None;
    }
    Some((hc.sip.as_ref()?.get(), hc.dip.as_ref()?.get()))
}

fn is_covered(sip: IpAddr, dip: IpAddr, cloud: &[IpNetwork], customer: &[IpNetwork]) -> bool {
    cloud.iter().any(|n| n.contains(sip)) && customer.iter().any(|n| n.contains(dip))
}

/// Pings from the customer side: every (customer subnet, cloud subnet) pair of first hosts (one
/// per subnet beyond MAX_PING_PAIRS), the BGP addresses, the health probe's dip -> sip.
fn ping_pairs(cloud: &Connection, bgp: Option<&Bgp>, hc: Option<(IpAddr, IpAddr)>) -> Vec<Ping> {
    let cloud_hosts: Vec<IpAddr> = cloud
        .local
        .subnets
        .iter()
        .filter_map(|s| first_host(&s.get()))
        .collect();
    let cust_hosts: Vec<IpAddr> = match &cloud.remote_access {
        // the first address of the pool: what the server assigns to its first client
        Some(ra) => ra
            .pool
            .iter()
            .take(1)
            .filter_map(|p| first_host(&p.get()))
            .collect(),
        None => cloud
            .remote
            .subnets
            .iter()
            .filter_map(|s| first_host(&s.get()))
            .collect(),
    };
    let mut pairs = Vec::new();
    if cloud_hosts.len() * cust_hosts.len() <= MAX_PING_PAIRS {
        for s in &cust_hosts {
            for d in &cloud_hosts {
                pairs.push((*s, *d));
            }
        }
    } else {
        let n = cloud_hosts.len().max(cust_hosts.len());
        for i in 0..n {
            pairs.push((
                cust_hosts[i % cust_hosts.len()],
                cloud_hosts[i % cloud_hosts.len()],
            ));
        }
    }
    pairs.retain(|(s, d)| s.is_ipv4() == d.is_ipv4());
    if let Some(b) = bgp {
        pairs.push((IpAddr::V4(b.customer), IpAddr::V4(b.cloud)));
    }
    if let Some((sip, dip)) = hc {
        if sip.is_ipv4() == dip.is_ipv4() {
            pairs.push((dip, sip));
        }
    }
    pairs
        .into_iter()
        .map(|(src, dst)| Ping {
            side: Side::Customer,
            src,
            dst,
        })
        .collect()
}

/// A documentation address for a client-to-site client, other than the server's.
fn lab_client_address(server: &str) -> String {
    let candidates: [&str; 2] = if server.contains(':') {
        ["2001:db8:ffff::2", "2001:db8:ffff::3"]
    } else {
        ["198.51.100.2", "198.51.100.3"]
    };
    candidates
        .into_iter()
        .find(|c| *c != server)
        .unwrap_or(candidates[0])
        .to_owned()
}

/// The first usable host of a subnet, exactly as the runners put it on a side.
pub fn first_host(net: &IpNetwork) -> Option<IpAddr> {
    if net.prefix() == 0 {
        return None;
    }
    match net {
        IpNetwork::V4(n) => {
            let base = u32::from(n.network());
            Some(IpAddr::V4(Ipv4Addr::from(if n.prefix() <= 30 {
                base + 1
            } else {
                base
            })))
        }
        IpNetwork::V6(n) => {
            let s = n.ip().to_string();
            let s = if s.ends_with("::") { s + "1" } else { s };
            s.parse().ok()
        }
    }
}

// ------------------------------------------------------------------ inputs and rendering

/// Read and check one input through the library; errors are a failure.
pub fn load(file: &Path, name: &str) -> Result<Vec<Connection>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("read {name}: {e}"))?;
    let checked = ipsecgen::check(Source::new(name, text), &Default::default());
    if checked.diagnostics.has_errors() {
        let errs: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        return Err(format!("{name} does not check: {}", errs.join("; ")));
    }
    if checked.connections.is_empty() {
        return Err(format!("{name}: no connections"));
    }
    Ok(checked.connections)
}

/// The first connection of an input.
pub fn load_one(root: &Path, rel: &str) -> Result<(PathBuf, Connection), String> {
    let file = root.join(rel);
    let c = load(&file, rel)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{rel}: no connection"))?;
    Ok((file, c))
}

/// Every examples/**/*.{json,yaml,yml,txt} (the inputs tests/snapshots.rs renders), relative
/// to examples/, sorted.
pub fn examples() -> Vec<String> {
    let mut v: Vec<String> = ipsecgen::render::example_files()
        .iter()
        .map(|(rel, _)| rel.to_string())
        .collect();
    v.sort();
    v
}

/// `ipsecgen render INPUT --side S --target T [--tunnel-mode M] -o TMP` with the real binary,
/// the files copied into `dest` (from the connection's sub-folder when the input holds several).
pub fn render(
    input: &Path,
    side: Side,
    target: &str,
    mode: Option<Mode>,
    only: Option<&str>,
    dest: &Path,
) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let out_dir = tmp.path().join("out");
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    cmd.env("NO_COLOR", "1").arg("render").arg(input).args([
        "--side",
        side.id(),
        "--target",
        target,
    ]);
    let mode = match mode {
        Some(Mode::Policy) => " --tunnel-mode policy",
        Some(Mode::Route) => " --tunnel-mode route",
        None => "",
    };
    cmd.args(mode.split_whitespace());
    cmd.arg("-o").arg(&out_dir);
    let out = cmd.output().map_err(|e| format!("run ipsecgen: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`ipsecgen render {} --side {} --target {target}{mode}` exited {:?}: {} {}",
            input.display(),
            side.id(),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let src = match only {
        Some(name) => out_dir.join(name),
        None => out_dir,
    };
    for entry in std::fs::read_dir(&src).map_err(|e| format!("{}: {e}", src.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().map_err(|e| e.to_string())?.is_file() {
            std::fs::copy(entry.path(), dest.join(entry.file_name()))
                .map_err(|e| format!("copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// A copy of an input with `section.key` set to `value` (the section may be a JSON string, as
/// in the API's request form). Written as JSON, which the Alibaba dialects read.
pub fn modified_copy(
    file: &Path,
    dir: &Path,
    section: &str,
    key: &str,
    value: &str,
) -> Result<PathBuf, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut doc: serde_json::Value = if file.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?
    } else {
        serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?
    };
    let sec = doc
        .get_mut(section)
        .ok_or_else(|| format!("{}: no {section}", file.display()))?;
    if let serde_json::Value::String(inner) = sec {
        let mut v: serde_json::Value =
            serde_json::from_str(inner).map_err(|e| format!("{section}: {e}"))?;
        v[key] = value.into();
        *sec = serde_json::Value::String(v.to_string());
    } else {
        sec[key] = value.into();
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let p = dir.join("input.modified.json");
    std::fs::write(&p, serde_json::to_string_pretty(&doc).expect("json"))
        .map_err(|e| e.to_string())?;
    Ok(p)
}

/// The names of the children in a rendered swanctl.conf, in order.
pub fn child_names(swanctl: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut children_at: Option<usize> = None;
    for line in swanctl.lines() {
        let l = line.split('#').next().unwrap_or("").trim();
        if l.ends_with('{') {
            let key = l.trim_end_matches('{').trim();
            if children_at == Some(depth) {
                names.push(key.to_owned());
            }
            if key == "children" {
                children_at = Some(depth + 1);
            }
            depth += 1;
        } else if l == "}" {
            depth = depth.saturating_sub(1);
            if children_at.is_some_and(|d| depth < d) {
                children_at = None;
            }
        }
    }
    names
}

/// `NAME=value` (first occurrence) of a shell script as rendered.
pub fn assigned(script: &str, name: &str) -> Option<String> {
    script.lines().find_map(|l| {
        let v = l.trim().strip_prefix(name)?.strip_prefix('=')?;
        Some(v.split_whitespace().next()?.trim_matches('"').to_owned())
    })
}

pub fn word_after(text: &str, marker: &str) -> Option<String> {
    let i = text.find(marker)? + marker.len();
    text[i..].split_whitespace().next().map(str::to_owned)
}

#[test]
fn child_names_of_a_swanctl_conf() {
    let conf = "connections {\n  c {\n    local {\n      id = x\n    }\n    children {\n      \
                a {\n        local_ts = 10.0.0.0/8\n      }\n      # note {\n      b-bgp {\n      \
                }\n    }\n  }\n}\nsecrets {\n  ike-c {\n  }\n}\n";
    assert_eq!(child_names(conf), ["a", "b-bgp"]);
}

#[test]
fn first_hosts_match_the_runners() {
    let h = |s: &str| first_host(&s.parse().unwrap()).map(|a| a.to_string());
    assert_eq!(h("10.1.1.0/24").as_deref(), Some("10.1.1.1"));
    assert_eq!(h("10.1.1.4/31").as_deref(), Some("10.1.1.4"));
    assert_eq!(h("10.1.1.7/32").as_deref(), Some("10.1.1.7"));
    assert_eq!(h("0.0.0.0/0"), None);
    assert_eq!(h("2001:db8:1::/64").as_deref(), Some("2001:db8:1::1"));
}

#[test]
fn link_script_values_are_read_as_written() {
    let s = "IFNAME=xfrm928\nIF_ID=928\n    ip link set \"$IFNAME\" mtu 1400 up\n  -j TCPMSS --set-mss 1360\n";
    assert_eq!(assigned(s, "IFNAME").as_deref(), Some("xfrm928"));
    assert_eq!(assigned(s, "IF_ID").as_deref(), Some("928"));
    assert_eq!(word_after(s, " mtu ").as_deref(), Some("1400"));
    assert_eq!(word_after(s, "--set-mss ").as_deref(), Some("1360"));
}
