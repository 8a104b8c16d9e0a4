//! A lab scenario as data: the files ipsecgen rendered for each side (under `dir`/cloud and
//! `dir`/customer), the tunnels with their addresses and expected SAs, the subnets, the pings,
//! BGP, the health check, what a route-based side must show, and whether it must come up or
//! stay down for a given reason. The same value drives the host lab (host.rs) and the VM lab
//! (vm.rs); expect.rs judges what either runner recorded against it.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use ipnetwork::IpNetwork;
use ipsecgen::ir::{Connection, IkeVersion, Side, TunnelRole};
use ipsecgen::source::Source;

/// More (customer subnet, cloud subnet) pairs than this: ping each subnet once instead.
const MAX_PING_PAIRS: usize = 16;

/// The IKE daemon a side runs, fed with the target of the same name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Impl {
    /// strongSwan charon, swanctl.conf
    Swanctl,
    /// libreswan pluto, ipsec.conf + ipsec.secrets (4.10: the host's /opt/libreswan)
    Libreswan,
    /// libreswan 5.2's pluto (the trixie root of lab/trixie-libreswan.sh), fed with the
    /// libreswan target's `--device version=5` output
    Libreswan5,
}

impl Impl {
    pub fn id(self) -> &'static str {
        match self {
            Impl::Swanctl => "swanctl",
            Impl::Libreswan => "libreswan",
            Impl::Libreswan5 => "libreswan5",
        }
    }

    /// The ipsecgen target that renders this side's files.
    pub fn target(self) -> &'static str {
        match self {
            Impl::Swanctl => "swanctl",
            Impl::Libreswan | Impl::Libreswan5 => "libreswan",
        }
    }

    /// The render arguments beyond the target (device facts).
    pub fn device_args(self) -> &'static [&'static str] {
        match self {
            Impl::Libreswan5 => &["--device", "version=5"],
            Impl::Swanctl | Impl::Libreswan => &[],
        }
    }

    /// A pluto side (either libreswan).
    pub fn pluto(self) -> bool {
        matches!(self, Impl::Libreswan | Impl::Libreswan5)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Subnet children, traffic follows the IPsec policies (what the host lab can run).
    Policy,
    /// An xfrm interface per tunnel (ipsec-link.sh), routes into it (needs a real kernel).
    Route,
}

/// One IKE connection between a cloud and a customer gateway address. A connection with two
/// tunnels has two, each with its own algorithms and xfrm interface; the runners give each
/// customer address its own uplink (two tunnels to one customer address share it, as they do
/// on a real customer gateway).
#[derive(Clone, Debug)]
pub struct Tunnel {
    pub cloud_ip: String,
    pub customer_ip: String,
    /// CHILD SAs each side must hold for this tunnel (2 ESP SAs each in the kernel).
    pub children: usize,
    /// This tunnel's own connection, seen from the cloud (its proposals).
    pub conn: Connection,
    /// [cloud, customer]: the xfrm interface ipsec-link.sh creates for this tunnel.
    pub links: [Link; 2],
}

/// A tunnel's xfrm interface on one side, read from its ipsec-link.sh as rendered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    pub ifname: Option<String>,
    pub if_id: Option<u32>,
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

/// What a route-based side must show, read from its ipsec-link.sh as rendered (the interfaces
/// are the tunnels' `links`).
#[derive(Clone, Debug, Default)]
pub struct SideExpect {
    pub mtu: Option<u32>,
    pub mss: Option<u32>,
    /// Prefixes routed in the main table ...
    pub routes: Vec<String>,
    /// ... through exactly these interfaces (one tunnel's, the master's of two, or both of two
    /// active tunnels: a multipath route) ...
    pub via: Vec<String>,
    /// ... by BGP (proto bgp), else statically.
    pub routes_bgp: bool,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Up {
        /// IKEv2 children rekeyed, to prove the PFS group (the IKE_AUTH child has no DH) and,
        /// from the cloud, that its re-proposed selectors are installed as configured
        /// (docs/alibaba-reference.md 10.5).
        rekey: Vec<String>,
    },
    /// Must not come up; `evidence` in a daemon's log says why. `ike_up`: the IKE SA may come
    /// up (only the CHILD SA must fail).
    Down { evidence: String, ike_up: bool },
}

/// A step a runner takes once the tunnels are up, in order (the dual-tunnel failover case:
/// remove the master's cloud address and delete its SA, then wait until the traffic takes the
/// slave's interface).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The uplink of `tunnel` (0-based) on `side` goes down / comes back.
    Uplink { side: Side, tunnel: usize, up: bool },
    /// `tunnel`'s gateway address on `side` is removed / put back (with its route to the peer).
    Address {
        side: Side,
        tunnel: usize,
        present: bool,
    },
    /// `side`'s IKE daemon deletes the IKE SA of connection `ike` (without waiting for the
    /// peer: it may be unreachable).
    Terminate { side: Side, ike: String },
    /// `side`'s IKE daemon initiates `child` (the cloud re-initiating a tunnel, as Alibaba does).
    Initiate { side: Side, child: String },
    /// Wait at most `secs` until `side` forwards to `dst` through `dev` (`ip route get`).
    Via {
        side: Side,
        dst: IpAddr,
        dev: String,
        secs: u32,
    },
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
            Action::Address {
                side,
                tunnel,
                present,
            } => format!(
                "address {} {tunnel} {}",
                side.id(),
                if *present { "add" } else { "del" }
            ),
            Action::Terminate { side, ike } => format!("terminate {} {ike}", side.id()),
            Action::Initiate { side, child } => format!("initiate {} {child}", side.id()),
            Action::Via {
                side,
                dst,
                dev,
                secs,
            } => format!("via {} {dst} {dev} {secs}", side.id()),
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
    /// BGP runs but its state is recorded, not asserted: Alibaba's protected data flows with
    /// BGP, where the cloud proposes the subnets only and how the session's /30 crosses is not
    /// documented (docs/alibaba-reference.md 10.4 (a), 10.5).
    pub bgp_recorded_only: bool,
    /// Customer children the cloud must refuse (TS_UNACCEPTABLE): in protected data flows the
    /// customer keeps its unverified BGP child, which the cloud emulation does not propose
    /// (docs/alibaba-reference.md 10.4 (a)). Not among `children()`.
    pub refused_children: Vec<String>,
    /// (side, prefix): `side` announces `prefix` and the other side's inbound policy must
    /// refuse it (a default route from the cloud in destination routing).
    pub bgp_refused: Vec<(Side, String)>,
    /// The health check's probe (sip on the cloud, dip on the customer side).
    pub hc: Option<(IpAddr, IpAddr)>,
    /// The cloud's health-monitor.sh runs and `actions` withdraw and restore its routes.
    pub hc_monitor: bool,
    /// [cloud, customer]
    pub sides: [SideExpect; 2],
    pub outcome: Outcome,
    /// Children the customer initiates explicitly (empty: the rendered start action does).
    pub initiate: Vec<String>,
    /// The side that initiates (and rekeys) in this run; the host lab holds the other side's
    /// `start_action = start` so that only this one does (lab/pair.sh RESPONDER_START). The VM
    /// lab runs the customer as initiator only (`self_start` is the cloud's own initiation there).
    pub initiator: Side,
    /// The customer can express one SA per subnet pair only (libreswan 4 `leftsubnets=`, and the
    /// device targets of docs/alibaba-reference.md 10.4 (c)) while the cloud holds one IKEv2
    /// child with every selector: each of the cloud's installed children is expected to be
    /// narrowed to exactly one pair, every pair once (the documented mismatch, asserted exactly
    /// by expect.rs). Otherwise every installed cloud child must carry exactly its configured
    /// local_ts / remote_ts.
    pub pair_sas: bool,
    /// Send traffic while waiting for the SAs (trap / ondemand configs negotiate on traffic).
    pub trigger: bool,
    /// The side whose rendered config initiates by itself (auto=start / start_action = start),
    /// the cloud's checked first: Alibaba initiates as soon as a connection is applied
    /// (EffectImmediately=true). Its SAs must come up before any traffic (none is sent while
    /// waiting: a trap or ondemand policy on the other side would race it with a second set).
    pub self_start: Option<Side>,
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

    /// The BGP session of each tunnel.
    pub fn bgp_sessions(&self) -> Vec<Bgp> {
        self.tunnels
            .iter()
            .filter_map(|t| bgp_of(&t.conn).ok().flatten())
            .collect()
    }

    /// The xfrm interface of `tunnel` on `side`.
    pub fn link(&self, side: Side, tunnel: usize) -> &Link {
        &self.tunnels[tunnel].links[index(side)]
    }

    /// Every ping from the customer side also from the cloud side, in the other direction
    /// (each subnet pair both ways).
    pub fn ping_both_ways(&mut self) {
        let back: Vec<Ping> = self
            .pings
            .iter()
            .filter(|p| p.side == Side::Customer)
            .map(|p| Ping {
                side: Side::Cloud,
                src: p.dst,
                dst: p.src,
            })
            .collect();
        for p in back {
            if !self
                .pings
                .iter()
                .any(|q| (q.side, q.src, q.dst) == (p.side, p.src, p.dst))
            {
                self.pings.push(p);
            }
        }
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
    build_group(std::slice::from_ref(conn), plan, dir, slug, example)
}

/// Render both sides of a connection of one or two tunnels (`tunnels`, in the group's order:
/// see `units`) into `dir` and describe the scenario. A side whose subnets are unknown
/// (destination routing with BGP) gets a lab LAN, announced as its bgpd.conf's header tells the
/// user; the cloud also announces a default route there, which the customer must refuse.
pub fn build_group(
    tunnels: &[Connection],
    plan: &Plan,
    dir: &Path,
    slug: String,
    example: String,
) -> Result<Scenario, String> {
    build_joined(tunnels, plan, &[], dir, slug, example)
}

/// `build_group` with gateway documents (`extra`) rendered with each side's input.
pub fn build_joined(
    tunnels: &[Connection],
    plan: &Plan,
    extra: &[&Path],
    dir: &Path,
    slug: String,
    example: String,
) -> Result<Scenario, String> {
    let first = tunnels.first().ok_or("no tunnel")?;
    let bgp_on = first.bgp_enabled();
    let flag = plan.mode_flag.then_some(plan.mode);
    for side in SIDES {
        let sdir = dir.join(side.id());
        std::fs::create_dir_all(&sdir).map_err(|e| e.to_string())?;
        let mut inputs = vec![plan.inputs[index(side)]];
        inputs.extend_from_slice(extra);
        let imp = plan.impls[index(side)];
        render_device(
            &inputs,
            side,
            imp.target(),
            imp.device_args(),
            flag,
            plan.only,
            &sdir,
        )?;
        if bgp_on {
            render_joined(&inputs, side, "frr", flag, plan.only, &sdir)?;
        }
    }
    let mut refused = Vec::new();
    if bgp_on {
        let cloud = first.view_from(Side::Cloud);
        for (side, nets) in [(Side::Cloud, &cloud.local), (Side::Customer, &cloud.remote)] {
            if unknown(&subnets_of(nets)) {
                let mut announce = vec![lab_lan(side)];
                if side == Side::Cloud {
                    // the cloud announces a default route too: the customer must refuse it
                    announce.push("0.0.0.0/0".parse().expect("net"));
                    refused.push((Side::Cloud, "0.0.0.0/0".to_owned()));
                }
                follow_announce_header(&dir.join(side.id()).join("bgpd.conf"), &announce)?;
            }
        }
    }
    let mut s = describe_group(tunnels, plan, dir, slug, example)?;
    s.bgp_refused = refused;
    Ok(s)
}

/// Describe a scenario whose files are already in `dir`/{cloud,customer}.
pub fn describe(
    conn: &Connection,
    plan: &Plan,
    dir: &Path,
    slug: String,
    example: String,
) -> Result<Scenario, String> {
    describe_group(std::slice::from_ref(conn), plan, dir, slug, example)
}

/// The connections of an input as the lab runs them: a tunnel alone, or the tunnels of one
/// group (in index order, the master first) together, in input order.
pub fn units(conns: Vec<Connection>) -> Vec<Vec<Connection>> {
    let mut out: Vec<Vec<Connection>> = Vec::new();
    for c in conns {
        let key = c.group.as_ref().map(|g| g.name.clone());
        match out
            .iter_mut()
            .find(|u| key.is_some() && u[0].group.as_ref().map(|g| g.name.clone()) == key)
        {
            Some(u) => u.push(c),
            None => out.push(vec![c]),
        }
    }
    for u in &mut out {
        u.sort_by_key(|c| c.group.as_ref().map_or(0, |g| g.index));
    }
    out
}

/// The name of a unit: its group's (the output folder of a fleet) or its connection's.
pub fn unit_name(unit: &[Connection]) -> &str {
    match unit.first().and_then(|c| c.group.as_ref()) {
        Some(g) => &g.name,
        None => unit.first().map_or("", |c| c.name.as_str()),
    }
}

fn subnets_of(e: &ipsecgen::ir::Endpoint) -> Vec<IpNetwork> {
    e.subnets.iter().map(|s| s.get()).collect()
}

/// A side's subnets are unknown: none, or only a default route (destination routing).
fn unknown(nets: &[IpNetwork]) -> bool {
    nets.iter().all(|n| n.prefix() == 0)
}

/// The LAN the lab gives a side whose subnets are unknown.
pub fn lab_lan(side: Side) -> IpNetwork {
    match side {
        Side::Cloud => "172.31.90.0/24",
        Side::Customer => "10.190.0.0/24",
    }
    .parse()
    .expect("lab LAN")
}

/// Add to a rendered bgpd.conf what its header tells the user to add for each prefix to
/// announce: the header's `network A.B.C.D/M` (under `address-family ipv4 unicast`) and its
/// `ip prefix-list NAME seq 1 permit A.B.C.D/M` (before that list's first entry). A header that
/// no longer says so is an error.
pub fn follow_announce_header(bgpd: &Path, prefixes: &[IpNetwork]) -> Result<(), String> {
    let text = std::fs::read_to_string(bgpd).map_err(|e| format!("{}: {e}", bgpd.display()))?;
    let header: String = text
        .lines()
        .take_while(|l| l.starts_with('!'))
        .map(|l| l.trim_start_matches('!').trim())
        .collect::<Vec<_>>()
        .join(" ");
    let snippets: Vec<&str> = header
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| t.contains("A.B.C.D/M"))
        .collect();
    let network = snippets.iter().find(|t| t.starts_with("network "));
    let permit = snippets.iter().find(|t| t.starts_with("ip prefix-list "));
    let (Some(network), Some(permit)) = (network, permit) else {
        return Err(format!(
            "{}: the header does not say how to announce this side's subnets (want `network \
             A.B.C.D/M` and `ip prefix-list ... permit A.B.C.D/M`): {header}",
            bgpd.display()
        ));
    };
    // the lists the header names ("a permit before the deny in L1, L2, e.g. ..."), else the
    // example's
    let lists: Vec<String> = match header
        .split_once("before the deny in ")
        .and_then(|(_, rest)| rest.split_once(", e.g."))
    {
        Some((named, _)) => named.split(", ").map(|l| l.trim().to_owned()).collect(),
        None => vec![permit.split_whitespace().nth(2).unwrap_or("").to_owned()],
    };
    let example_list = permit.split_whitespace().nth(2).unwrap_or("");
    let mut out = Vec::new();
    let mut permitted = BTreeSet::new();
    for line in text.lines() {
        for list in &lists {
            if !permitted.contains(list) && line.starts_with(&format!("ip prefix-list {list} ")) {
                for (i, p) in prefixes.iter().enumerate() {
                    // seq 1, 2, ... as the header's example, before the list's own entries
                    let seq = format!("seq {}", i + 1);
                    out.push(
                        permit
                            .replacen(example_list, list, 1)
                            .replace("seq 1", &seq)
                            .replace("A.B.C.D/M", &p.to_string()),
                    );
                }
                permitted.insert(list.clone());
            }
        }
        out.push(line.to_owned());
        if line.trim() == "address-family ipv4 unicast" {
            for p in prefixes {
                out.push(format!(
                    "  {}",
                    network.replace("A.B.C.D/M", &p.to_string())
                ));
            }
        }
    }
    if permitted.len() != lists.len() || !out.iter().any(|l| l.trim().starts_with("network ")) {
        return Err(format!(
            "{}: no `ip prefix-list` for each of {lists:?} or no `address-family ipv4 unicast` \
             to add to",
            bgpd.display()
        ));
    }
    std::fs::write(bgpd, out.join("\n") + "\n").map_err(|e| e.to_string())
}

/// The xfrm interfaces of an ipsec-link.sh as rendered: `IFNAME`/`IF_ID` for one tunnel,
/// `IFNAME<n>`/`IF_ID<n>` for the tunnels of a group.
fn links_of(script: &str, tunnels: usize) -> Vec<Link> {
    let one = |suffix: String| Link {
        ifname: assigned(script, &format!("IFNAME{suffix}")),
        if_id: assigned(script, &format!("IF_ID{suffix}")).and_then(|v| v.parse().ok()),
    };
    if tunnels == 1 {
        vec![one(String::new())]
    } else {
        (1..=tunnels).map(|i| one(i.to_string())).collect()
    }
}

/// Describe a scenario of one or two tunnels whose files are already in `dir`/{cloud,customer}.
pub fn describe_group(
    tunnels: &[Connection],
    plan: &Plan,
    dir: &Path,
    slug: String,
    example: String,
) -> Result<Scenario, String> {
    let views: Vec<Connection> = tunnels.iter().map(|c| c.view_from(Side::Cloud)).collect();
    let cloud = views.first().ok_or("no tunnel")?.clone();
    let route = plan.mode == Mode::Route;
    let bgp_on = cloud.bgp_enabled();
    let active = views.iter().any(|c| {
        c.group
            .as_ref()
            .is_some_and(|g| g.role.value == TunnelRole::Active)
    });
    let mut sides: [SideExpect; 2] = Default::default();
    let mut links: [Vec<Link>; 2] = Default::default();
    let mut cloud_nets = subnets_of(&cloud.local);
    let mut cust_nets = subnets_of(&cloud.remote);
    if bgp_on {
        // the lab's LANs for unknown subnets (build_group announces them)
        for (side, nets) in [
            (Side::Cloud, &mut cloud_nets),
            (Side::Customer, &mut cust_nets),
        ] {
            if unknown(nets) {
                *nets = vec![lab_lan(side)];
            }
        }
    }
    for side in SIDES {
        let e = &mut sides[index(side)];
        let sdir = dir.join(side.id());
        if let Ok(link) = std::fs::read_to_string(sdir.join("ipsec-link.sh")) {
            links[index(side)] = links_of(&link, views.len());
            e.mtu = word_after(&link, " mtu ").and_then(|v| v.parse().ok());
            e.mss = word_after(&link, "--set-mss ").and_then(|v| v.parse().ok());
        } else if route {
            return Err(format!(
                "{} side: route-based but no ipsec-link.sh rendered",
                side.id()
            ));
        } else {
            links[index(side)] = vec![Link::default(); views.len()];
        }
        if route {
            e.routes = match side {
                Side::Cloud => &cust_nets,
                Side::Customer => &cloud_nets,
            }
            .iter()
            .map(ToString::to_string)
            .collect();
            e.routes_bgp = bgp_on;
            let names = links[index(side)].iter().filter_map(|l| l.ifname.clone());
            // two tunnels: the master's interface, or both of two active ones (multipath)
            e.via = if active {
                names.collect()
            } else {
                names.take(1).collect()
            };
        }
    }
    let pool: Option<Vec<IpNetwork>> = cloud
        .remote_access
        .as_ref()
        .map(|ra| ra.pool.iter().map(|p| p.get()).collect());
    let bgp = bgp_of(&cloud)?;
    let hc = health_probe(&cloud);

    // CHILD SAs: route-based one with 0.0.0.0/0; policy-based IKEv1 (and libreswan, where
    // leftsubnets={..} is a conn per pair) one per subnet pair, IKEv2 one with all subnets,
    // plus the /32 children of BGP and of a health probe outside the subnets.
    let pairs = cloud_nets.len() * cust_nets.len();
    let bgp_recorded_only = bgp_on && protected_flows(&cloud);
    let pair_sas = plan.impls == [Impl::Swanctl, Impl::Libreswan]
        && cloud.ike.version.get() == IkeVersion::Ikev2
        && pool.is_none()
        && pairs > 1
        && (!route || protected_flows(&cloud));
    let children = match (&pool, route) {
        (_, true) if !protected_flows(&cloud) => 1,
        // client-to-site: one child, the VPC subnets <-> the assigned address
        (Some(_), _) => usize::from(!cloud_nets.is_empty()),
        (None, _) => {
            let mut n = if cloud.ike.version.get() == IkeVersion::Ikev1
                || plan.impls.contains(&Impl::Libreswan)
            {
                pairs
            } else {
                usize::from(pairs > 0)
            };
            if bgp.is_some() && !bgp_recorded_only {
                n += 1; // the cloud proposes no BGP child in protected data flows
            }
            if let Some((sip, dip)) = hc {
                if !is_covered(sip, dip, &cloud_nets, &cust_nets) {
                    n += 1; // the <name>-hc child
                }
            }
            n
        }
    };
    let mut tunnel_list = Vec::new();
    for (i, view) in views.iter().enumerate() {
        let cloud_ip = gateway(&view.local)?;
        let customer_ip = match (&pool, gateway(&view.remote)) {
            (_, Ok(a)) => a,
            // client-to-site: the clients have no fixed address; give the lab's client one
            (Some(_), Err(_)) => lab_client_address(&cloud_ip),
            (None, Err(e)) => return Err(e),
        };
        tunnel_list.push(Tunnel {
            cloud_ip,
            customer_ip,
            children,
            conn: view.clone(),
            links: [links[0][i].clone(), links[1][i].clone()],
        });
    }
    let sessions: Vec<Bgp> = views
        .iter()
        .map(bgp_of)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    let mut lo: [Vec<IpAddr>; 2] = Default::default();
    for b in &sessions {
        lo[0].push(IpAddr::V4(b.cloud));
        lo[1].push(IpAddr::V4(b.customer));
    }
    if let Some((sip, dip)) = hc {
        lo[0].push(sip);
        lo[1].push(dip);
    }
    let carried: &[Bgp] = if bgp_recorded_only { &[] } else { &sessions };
    let mut pings = ping_pairs(&cloud, &cloud_nets, &cust_nets, carried, hc);
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
                .flatten()
                .into_iter()
                .collect();
            Outcome::Up { rekey }
        }
    };
    // trap / ondemand configs negotiate on traffic: send some while waiting, unless a side
    // starts by itself (then traffic meanwhile would only race it)
    let self_start = SIDES.into_iter().find(|side| {
        ["swanctl.conf", "ipsec.conf"].iter().any(|f| {
            files(*side, f).is_ok_and(|t| {
                t.lines()
                    .any(|l| matches!(l.trim(), "start_action = start" | "auto=start"))
            })
        })
    });
    let hc_monitor = hc.is_some() && dir.join("cloud/health-monitor.sh").exists();
    // the customer's children the cloud's config lacks (its unverified BGP child)
    let refused_children = if bgp_recorded_only && plan.impls == [Impl::Swanctl; 2] {
        let names = |side| {
            files(side, "swanctl.conf")
                .map(|t| child_names(&t))
                .unwrap_or_default()
        };
        let cloud_children = names(Side::Cloud);
        names(Side::Customer)
            .into_iter()
            .filter(|c| !cloud_children.contains(c))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Scenario {
        slug,
        example,
        kind: plan.kind.clone(),
        mode: plan.mode,
        impls: plan.impls,
        dir: dir.to_owned(),
        tunnels: tunnel_list,
        subnets: [cloud_nets, cust_nets],
        lo,
        pool,
        pings,
        bgp,
        bgp_recorded_only,
        refused_children,
        bgp_refused: Vec::new(),
        hc,
        hc_monitor,
        sides,
        outcome,
        initiate: Vec::new(),
        initiator: Side::Customer,
        pair_sas,
        trigger: self_start.is_none(),
        self_start,
        actions: Vec::new(),
        known_failure: None,
        // BGP that is only recorded need not be waited for as long (BGP_WAIT default 40 s)
        knobs: if bgp_recorded_only {
            vec![("BGP_WAIT".to_owned(), "10".to_owned())]
        } else {
            Vec::new()
        },
        conn: cloud,
    })
}

/// Alibaba in protected-data-flows mode (LocalSubnet/RemoteSubnet not both 0.0.0.0/0): both
/// sides negotiate the subnets in either tunnel mode (docs/alibaba-reference.md 10.4), the
/// cloud without a BGP child.
pub fn protected_flows(cloud: &Connection) -> bool {
    cloud.dialect == "aliyun-connection"
        && cloud.remote_access.is_none()
        && cloud
            .local
            .subnets
            .iter()
            .chain(&cloud.remote.subnets)
            .any(|n| n.get().prefix() > 0)
}

/// The BGP session of one tunnel (seen from the cloud), when BGP is on.
fn bgp_of(cloud: &Connection) -> Result<Option<Bgp>, String> {
    if !cloud.bgp_enabled() {
        return Ok(None);
    }
    let (Some(c), Some(p)) = (&cloud.local.bgp.ip, &cloud.remote.bgp.ip) else {
        return Err("BGP enabled but the IR lacks a BGP address".into());
    };
    Ok(Some(Bgp {
        cloud: c.get(),
        customer: p.get(),
        cloud_asn: cloud.local.bgp.asn.as_ref().map(|a| a.get()),
        customer_asn: cloud.remote.bgp.asn.as_ref().map(|a| a.get()),
    }))
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
fn ping_pairs(
    cloud: &Connection,
    cloud_nets: &[IpNetwork],
    cust_nets: &[IpNetwork],
    bgp: &[Bgp],
    hc: Option<(IpAddr, IpAddr)>,
) -> Vec<Ping> {
    let cloud_hosts: Vec<IpAddr> = cloud_nets.iter().filter_map(first_host).collect();
    let cust_hosts: Vec<IpAddr> = match &cloud.remote_access {
        // the first address of the pool: what the server assigns to its first client
        Some(ra) => ra
            .pool
            .iter()
            .take(1)
            .filter_map(|p| first_host(&p.get()))
            .collect(),
        None => cust_nets.iter().filter_map(first_host).collect(),
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
    for b in bgp {
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

/// Read and check several inputs that belong together (a connection and its gateway
/// documents) through the library, as `ipsecgen render A B C` does; errors are a failure.
pub fn load_joined(files: &[&Path]) -> Result<Vec<Connection>, String> {
    let mut sources = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("read {}: {e}", f.display()))?;
        sources.push(Source::new(f.display().to_string(), text));
    }
    let mut out = Vec::new();
    for checked in ipsecgen::check_joined(sources, &Default::default()) {
        if checked.diagnostics.has_errors() {
            let errs: Vec<String> = checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            return Err(format!(
                "{} does not check: {}",
                checked.source.name,
                errs.join("; ")
            ));
        }
        out.extend(checked.connections);
    }
    if out.is_empty() {
        return Err("no connections".into());
    }
    Ok(out)
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

/// Examples whose cloud side ipsecgen refuses to emulate, with the one error code: set-ups
/// Alibaba documents as unsupported (IKEv1 with several CIDR blocks on a side,
/// docs/alibaba-reference.md 10.4 (d)). The host lab asserts the refusal (expect::refusal); the
/// positive IKEv1 case is examples/aliyun/connection-ikev1-one-pair.json.
pub const CLOUD_REFUSED: &[(&str, &str)] = &[
    (
        "examples/aliyun/connection-ikev1.json",
        "alibaba.ikev1-multi-cidr",
    ),
    (
        "examples/aliyun/seed-describe-response.json",
        "alibaba.ikev1-multi-cidr",
    ),
    (
        "examples/aliyun/seed-modify-request.json",
        "alibaba.ikev1-multi-cidr",
    ),
];

/// The code the cloud emulation refuses `rel` with (see `CLOUD_REFUSED`).
pub fn cloud_refused(rel: &str) -> Option<&'static str> {
    CLOUD_REFUSED
        .iter()
        .find(|(r, _)| *r == rel)
        .map(|(_, code)| *code)
}

/// A diagnostic's (severity, code).
pub type SevCode = (String, String);

/// `ipsecgen render INPUT --side S --format json` with the real binary: its exit code and the
/// (severity, code) of every diagnostic.
pub fn render_diagnostics(input: &Path, side: Side) -> Result<(Option<i32>, Vec<SevCode>), String> {
    let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
        .env("NO_COLOR", "1")
        .arg("render")
        .arg(input)
        .args(["--side", side.id(), "--format", "json"])
        .output()
        .map_err(|e| format!("run ipsecgen: {e}"))?;
    let diags = String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            Some((
                v.get("severity")?.as_str()?.to_owned(),
                v.get("code")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    Ok((out.status.code(), diags))
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
    render_joined(&[input], side, target, mode, only, dest)
}

/// `render` of several inputs that belong together (a connection and its gateway documents).
pub fn render_joined(
    inputs: &[&Path],
    side: Side,
    target: &str,
    mode: Option<Mode>,
    only: Option<&str>,
    dest: &Path,
) -> Result<(), String> {
    render_device(inputs, side, target, &[], mode, only, dest)
}

/// `render_joined` with extra arguments (`--device KEY=VALUE`).
pub fn render_device(
    inputs: &[&Path],
    side: Side,
    target: &str,
    device: &[&str],
    mode: Option<Mode>,
    only: Option<&str>,
    dest: &Path,
) -> Result<(), String> {
    let input = inputs.first().ok_or("no input")?;
    let tmp = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let out_dir = tmp.path().join("out");
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    cmd.env("NO_COLOR", "1").arg("render").args(inputs).args([
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
    cmd.args(device);
    cmd.arg("-o").arg(&out_dir);
    let out = cmd.output().map_err(|e| format!("run ipsecgen: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`ipsecgen render {} --side {} --target {target}{mode} {}` exited {:?}: {} {}",
            input.display(),
            side.id(),
            device.join(" "),
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

/// Each child of a rendered swanctl.conf with its configured `local_ts` and `remote_ts` (the
/// comma-separated lists as written; empty when the key is absent, i.e. `dynamic`), in order.
pub fn child_selectors(swanctl: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    let mut depth = 0usize;
    // the depth of the blocks inside `children { }`, and whether we are in one (at its depth + 1)
    let mut children_at: Option<usize> = None;
    let mut in_child = false;
    for line in swanctl.lines() {
        let l = line.split('#').next().unwrap_or("").trim();
        if l.ends_with('{') {
            let key = l.trim_end_matches('{').trim();
            if children_at == Some(depth) {
                out.push((key.to_owned(), Vec::new(), Vec::new()));
                in_child = true;
            }
            if key == "children" {
                children_at = Some(depth + 1);
            }
            depth += 1;
        } else if l == "}" {
            depth = depth.saturating_sub(1);
            if children_at == Some(depth) {
                in_child = false;
            }
            if children_at.is_some_and(|d| depth < d) {
                children_at = None;
            }
        } else if let (true, Some((k, v))) = (in_child, l.split_once('=')) {
            if children_at.map(|d| d + 1) != Some(depth) {
                continue;
            }
            let list = || v.split(',').map(|t| t.trim().to_owned()).collect();
            let last = out.last_mut().expect("in a child");
            match k.trim() {
                "local_ts" => last.1 = list(),
                "remote_ts" => last.2 = list(),
                _ => {}
            }
        }
    }
    out
}

/// The side's rendered swanctl.conf initiates by itself: a child with `start_action = start`
/// (on load: Alibaba with EffectImmediately=true) or `trap` (on the first packet: Alibaba
/// otherwise, "when inbound traffic is detected", docs/alibaba-reference.md 10.1). `none`: a
/// responder only (an IPsec server, a connection the API sets to respond only).
pub fn initiates(swanctl: &str) -> bool {
    swanctl.lines().any(|l| {
        matches!(
            l.split('#').next().unwrap_or("").trim(),
            "start_action = start" | "start_action = trap"
        )
    })
}

/// The names of the connections in a rendered swanctl.conf, in order.
pub fn connection_names(swanctl: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut inside = false;
    for line in swanctl.lines() {
        let l = line.split('#').next().unwrap_or("").trim();
        if l.ends_with('{') {
            let key = l.trim_end_matches('{').trim();
            if depth == 0 {
                inside = key == "connections";
            } else if depth == 1 && inside {
                names.push(key.to_owned());
            }
            depth += 1;
        } else if l == "}" {
            depth = depth.saturating_sub(1);
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
    assert_eq!(connection_names(conf), ["c"]);
    let ts = child_selectors(
        "connections {\n  a {\n    local_ts = 9.9.9.9/32\n    children {\n      a {\n        \
         local_ts = 10.1.1.0/24, 10.1.2.0/24\n        remote_ts = 10.2.0.0/16\n        \
         start_action = trap\n      }\n      b {\n        remote_ts = dynamic\n      }\n    \
         }\n  }\n}\n",
    );
    let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        ts,
        [
            (
                "a".into(),
                v(&["10.1.1.0/24", "10.1.2.0/24"]),
                v(&["10.2.0.0/16"])
            ),
            ("b".into(), v(&[]), v(&["dynamic"])),
        ]
    );
    assert!(initiates("      start_action = trap\n"));
    assert!(!initiates(
        "      start_action = none\n      # start_action = start\n"
    ));
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

#[test]
fn the_announce_header_is_followed_for_every_list_it_names() {
    let conf = "! This side's subnets are unknown: add\n\
                ! `network A.B.C.D/M` under `address-family ipv4 unicast` (a route to it must exist) and a permit\n\
                ! before the deny in c-1-out, c-2-out, e.g. `ip prefix-list c-1-out seq 1 permit A.B.C.D/M`.\n\
                !\n\
                ip prefix-list c-1-out seq 5 deny any\n\
                ip prefix-list c-2-out seq 5 deny any\n\
                router bgp 1\n address-family ipv4 unicast\n exit-address-family\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bgpd.conf");
    std::fs::write(&p, conf).expect("write");
    let nets: Vec<IpNetwork> = vec!["10.9.0.0/24".parse().unwrap(), "0.0.0.0/0".parse().unwrap()];
    follow_announce_header(&p, &nets).expect("followed");
    let got = std::fs::read_to_string(&p).expect("read");
    for l in [
        "ip prefix-list c-1-out seq 1 permit 10.9.0.0/24",
        "ip prefix-list c-1-out seq 2 permit 0.0.0.0/0",
        "ip prefix-list c-2-out seq 1 permit 10.9.0.0/24",
        "ip prefix-list c-2-out seq 2 permit 0.0.0.0/0",
        "  network 10.9.0.0/24",
        "  network 0.0.0.0/0",
    ] {
        assert!(got.lines().any(|g| g == l), "missing `{l}` in:\n{got}");
    }
    // a header that no longer says how is an error
    std::fs::write(&p, "ip prefix-list x seq 5 deny any\n").expect("write");
    assert!(follow_announce_header(&p, &nets).is_err());
}
