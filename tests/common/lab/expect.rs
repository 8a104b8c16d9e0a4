//! The assertions of both labs: what a runner recorded (a `Record`, host.rs or vm.rs) against
//! its `Scenario`. The IKE and CHILD SAs with the configured algorithms (vici), the pings, BGP
//! with exactly the peer's prefixes; where the runner had a real kernel, also the kernel's ESP
//! SAs, the routes into the xfrm interface, MTU/MSS as ipsec-link.sh writes them, the health
//! monitor; for a negative pair, that nothing came up and the logged reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use ipnetwork::IpNetwork;
use ipsecgen::ir::{Cipher, Connection, IkeVersion, Integrity, Side};

use super::scenario::{index, Impl, Mode, Outcome, Scenario, SIDES};
use super::vici;

/// What one run left behind, in the same shape for both runners. Files under `dir` share their
/// names between the labs: load-<side>.out, sas-<side>.raw (`swanctl --list-sas --raw`),
/// charon-<side>.log / pluto-<side>.log, pluto-states-<side>.txt (`whack --showstates`),
/// bgp-summary-<side>.json, bgp-ipv4-<side>.json, bgpd-<side>.log; with a real kernel also
/// xfrm-state-<side>.txt, routes-<side>.txt, links-<side>[-after-down].txt,
/// iptables-<side>[-after-down].txt.
pub struct Record {
    pub dir: PathBuf,
    /// The runner itself failed (no result to judge).
    pub fatal: Option<String>,
    /// The runner had problems, but what it recorded is judged too.
    pub problems: Vec<String>,
    /// [cloud, customer]: `None` when the config loaded cleanly, else what the loader said.
    pub load: [Option<String>; 2],
    pub pings: Vec<PingRecord>,
    /// (initiations ok, initiations failed, which), when the runner initiated explicitly.
    pub initiate: Option<(i64, i64, String)>,
    /// Children the initiator's loaded config holds, when the runner counted them.
    pub configured_children: Option<i64>,
    /// The rekey of the scenario's child completed, when the runner rekeyed.
    pub rekey_ok: Option<bool>,
    /// The runner ran on a real kernel (ESP in the kernel, xfrm interfaces, routes recorded).
    pub kernel: bool,
    /// Everything else the runner wrote (KEY=value).
    pub values: BTreeMap<String, String>,
}

pub struct PingRecord {
    pub side: String,
    pub src: String,
    pub dst: String,
    pub ok: bool,
    pub loss: String,
}

impl Record {
    /// A run that produced nothing to judge (`why`), or an empty record to fill in (`None`).
    pub fn failed(dir: PathBuf, why: Option<String>, kernel: bool) -> Record {
        Record {
            dir,
            fatal: why,
            problems: Vec::new(),
            load: [None, None],
            pings: Vec::new(),
            initiate: None,
            configured_children: None,
            rekey_ok: None,
            kernel,
            values: BTreeMap::new(),
        }
    }

    pub fn file(&self, name: &str) -> String {
        read(&self.dir.join(name))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| format!("<{}: {e}>", p.display()))
}

pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The first failure of a scenario whose runner produced nothing to judge starts so.
pub const NOT_RUN: &str = "NOT RUN: ";

/// Every assertion of one scenario: (failures, details for the results table).
pub fn check(s: &Scenario, r: &Record) -> (Vec<String>, String) {
    let mut f = Vec::new();
    if let Some(fatal) = &r.fatal {
        f.push(format!("{NOT_RUN}{fatal}"));
        return (f, String::new());
    }
    f.extend(r.problems.iter().cloned());
    let mut details = Vec::new();
    for side in SIDES {
        loaded(s, r, side, &mut f);
    }
    match &s.outcome {
        Outcome::Up { rekey } => {
            up(s, r, rekey, &mut f, &mut details);
        }
        Outcome::Down { evidence, ike_up } => {
            down(s, r, evidence, *ike_up, &mut f, &mut details);
        }
    }
    if !f.is_empty() {
        f.push(format!("results: {}", r.dir.display()));
    }
    (f, details.join("; "))
}

/// An example the cloud emulation refuses (`scenario::CLOUD_REFUSED`): the cloud side's render
/// exits 1 with errors of `code` only (one per side with several CIDR blocks); the customer side renders (exit 0) and carries
/// `code` as a warning. (failures, details)
pub fn refusal(input: &Path, code: &str) -> (Vec<String>, String) {
    let mut f = Vec::new();
    match super::scenario::render_diagnostics(input, Side::Cloud) {
        Ok((rc, diags)) => {
            let errors: Vec<_> = diags.into_iter().filter(|(s, _)| s == "error").collect();
            if rc != Some(1) || errors.is_empty() || errors.iter().any(|(_, c)| c != code) {
                f.push(format!(
                    "cloud side: exit {rc:?} with errors {errors:?}, want exit 1 with {code} only"
                ));
            }
        }
        Err(e) => f.push(e),
    }
    match super::scenario::render_diagnostics(input, Side::Customer) {
        Ok((rc, diags)) => {
            let warned = diags.iter().any(|(s, c)| s == "warning" && c == code);
            if rc != Some(0) || !warned {
                f.push(format!(
                    "customer side: exit {rc:?}, diagnostics {diags:?}, want exit 0 with the warning {code}"
                ));
            }
        }
        Err(e) => f.push(e),
    }
    (
        f,
        format!("cloud emulation refused ({code}); customer side rendered with the warning"),
    )
}

/// The config of `side` loaded cleanly (and ipsec-link.sh came up where there is one).
fn loaded(s: &Scenario, r: &Record, side: Side, f: &mut Vec<String>) {
    let id = side.id();
    if let Some(why) = &r.load[index(side)] {
        f.push(format!(
            "{id}: loading the rendered {} config failed: {why}",
            s.impl_of(side).id()
        ));
    }
    if s.impl_of(side).pluto() {
        let log = r.file(&format!("pluto-{id}.log"));
        if let Some(l) = log.lines().find(|l| l.contains("failed to add")) {
            f.push(format!("{id}: pluto refused the rendered ipsec.conf: {l}"));
        }
    }
    let up = id.to_uppercase();
    if let Some(rc) = r.get(&format!("UPDOWN_RC_{up}")).filter(|rc| *rc != "0") {
        f.push(format!(
            "{id}: the updown script swanctl.conf names could not be installed (rc {rc}):\n{}",
            tail(&r.file(&format!("updown-{id}.out")), 5)
        ));
    }
    if r.kernel
        && s.tunnels
            .iter()
            .any(|t| t.links[index(side)].ifname.is_some())
        && r.get(&format!("LINK_UP_RC_{up}")) != Some("0")
    {
        f.push(format!(
            "{id}: ipsec-link.sh up exited {:?}:\n{}",
            r.get(&format!("LINK_UP_RC_{up}")),
            tail(&r.file(&format!("link-up-{id}.out")), 10)
        ));
    }
}

fn up(s: &Scenario, r: &Record, rekey: &[String], f: &mut Vec<String>, d: &mut Vec<String>) {
    let children = s.children();
    if let Some((_, failed, which)) = &r.initiate {
        if *failed != 0 {
            f.push(format!("{failed} initiations failed ({which})"));
        }
    }
    if let Some(n) = r.configured_children {
        let want = children + s.refused_children.len();
        if n != want as i64 {
            f.push(format!(
                "the {} config has {n} children, the IR asks for {want}",
                s.initiator.id()
            ));
        }
    }
    refused_children(s, r, f);
    for side in SIDES {
        match s.impl_of(side) {
            Impl::Swanctl => vici_sas(s, r, side, rekey, f),
            Impl::Libreswan | Impl::Libreswan5 => pluto_states(s, r, side, f),
        }
    }
    if !rekey.is_empty() {
        match r.rekey_ok {
            Some(true) => {}
            other => f.push(format!(
                "rekey of {} did not complete ({other:?}; rekey-*.out, pair.log or \
                 scenario.log)",
                rekey.join(", ")
            )),
        }
    }
    if r.kernel {
        self_started(s, r, f);
        for side in SIDES {
            kernel_sas(s, r, side, f);
            kernel_routes(s, r, side, f);
        }
    }
    for side in SIDES {
        if s.impl_of(side) == Impl::Swanctl && s.pool.is_none() {
            installed_selectors(s, r, side, f, d);
        }
    }
    pings(s, r, f);
    if s.bgp.is_some() && !s.bgp_recorded_only {
        bgp(s, r, f);
    }
    // the health probe crosses, stops when dip stops answering, health-monitor.sh withdraws
    // and restores its routes: the scenario's actions
    actions(s, r, f, d);
    d.insert(0, summary(s, r));
}

/// A pluto side's `whack --showstates`: exactly one established IKE SA per tunnel and exactly
/// the scenario's CHILD SAs (one per pair where pluto has a conn per pair), each on a
/// conn of its own (a second SA of one conn is a child narrowed onto a pair already up).
/// State words: IKEv2 `ESTABLISHED_IKE_SA` / `ESTABLISHED_CHILD_SA` (4.10 with a `STATE_V2_`
/// prefix); IKEv1 main mode STATE_MAIN_R3 / STATE_MAIN_I4 "(IKE SA established)" (4.10) or
/// "(ISAKMP SA established)" (5.2), quick mode STATE_QUICK_R2 / STATE_QUICK_I2 "(IPsec SA
/// established)".
fn pluto_states(s: &Scenario, r: &Record, side: Side, f: &mut Vec<String>) {
    let id = side.id();
    let st = r.file(&format!("pluto-states-{id}.txt"));
    let (ike, child) = pluto_sas(&st);
    let mut conns: Vec<&str> = child.iter().map(|(_, c)| c.as_str()).collect();
    conns.sort_unstable();
    conns.dedup();
    if ike.len() != s.tunnels.len() || child.len() != s.children() || conns.len() != child.len() {
        f.push(format!(
            "{id}: pluto holds {} established IKE SAs and {} CHILD SAs on {} conns {conns:?}, \
             want {} and {}, each CHILD SA on a conn of its own (whack --showstates):\n{}",
            ike.len(),
            child.len(),
            conns.len(),
            s.tunnels.len(),
            s.children(),
            tail(&st, 10)
        ));
    }
}

/// The established (IKE, CHILD) states of `whack --showstates`, each as (state number, conn).
type PlutoStates = (Vec<(String, String)>, Vec<(String, String)>);

fn pluto_sas(st: &str) -> PlutoStates {
    let states = |words: &[&str]| -> Vec<(String, String)> {
        st.lines()
            .filter(|l| words.iter().any(|w| l.contains(w)))
            .filter_map(|l| {
                let at = l.find('#')?;
                let (num, rest) = l[at..].split_once(": \"")?;
                Some((num.to_owned(), rest.split('"').next()?.to_owned()))
            })
            .collect()
    };
    (
        states(&[
            "(established IKE SA)",
            "(IKE SA established)",
            "(ISAKMP SA established)",
        ]),
        states(&["(established Child SA)", "(IPsec SA established)"]),
    )
}

/// Every child the cloud must refuse was refused with TS_UNACCEPTABLE when the customer
/// initiated it (the host runner's REFUSED_TS; the VM lab does not run these cases).
fn refused_children(s: &Scenario, r: &Record, f: &mut Vec<String>) {
    if s.refused_children.is_empty() {
        return;
    }
    let want = s.refused_children.len().to_string();
    if r.get("REFUSED_TS") != Some(want.as_str()) {
        f.push(format!(
            "the cloud did not refuse {} with TS_UNACCEPTABLE ({:?} of {want}; refuse-*.out)",
            s.refused_children.join(", "),
            r.get("REFUSED_TS")
        ));
    }
}

/// A side that initiates by itself (the cloud, as Alibaba with EffectImmediately=true) brought
/// every expected ESP SA up on both sides before the scenario sent any traffic.
fn self_started(s: &Scenario, r: &Record, f: &mut Vec<String>) {
    // (the VM lab's cloud-initiated runs: the cloud initiates explicitly, the customer's start
    // held, and no traffic is sent before the SAs are up either)
    let by_cloud = (s.initiator == Side::Cloud).then_some(Side::Cloud);
    let Some(side) = s.self_start.or(by_cloud) else {
        return;
    };
    let how = if s.self_start.is_some() {
        "by itself (auto=start / start_action = start)"
    } else {
        "(swanctl --initiate, the customer's own start held)"
    };
    if by_cloud.is_some() {
        // every start of the customer's rendered file was held, so only the cloud initiated
        let starts: usize = ["ipsec.conf", "swanctl.conf"]
            .iter()
            .map(|n| {
                read(&s.side_dir(Side::Customer).join(n))
                    .lines()
                    .filter(|l| matches!(l.trim(), "auto=start" | "start_action = start"))
                    .count()
            })
            .sum();
        let held = r.get("START_HELD");
        if r.get("INITIATOR") != Some("cloud") || held != Some(starts.to_string().as_str()) {
            f.push(format!(
                "the cloud was to initiate with the customer's {starts} starts held: INITIATOR \
                 {:?}, START_HELD {held:?}",
                r.get("INITIATOR")
            ));
        }
    }
    let want = 2 * s.children();
    let got: Vec<usize> = r
        .get("SA_STATES_AT_WAIT")
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    if got.len() != 2 || got.iter().any(|n| *n < want) {
        f.push(format!(
            "the {} side initiates {how}, but before any traffic, after {} ms, the kernel \
             held {:?} ESP SAs (cloud, customer), want {want} on each",
            side.id(),
            r.get("SA_WAIT_MS").unwrap_or("?"),
            got
        ));
    }
}

/// A negative pair: no IKE SA (or, `ike_up`, the IKE SA but no CHILD SA), nothing in the
/// kernel, and for the expected reason: `evidence` in a daemon's log.
fn down(
    s: &Scenario,
    r: &Record,
    evidence: &str,
    ike_up: bool,
    f: &mut Vec<String>,
    d: &mut Vec<String>,
) {
    let logs: String = SIDES
        .iter()
        .flat_map(|side| {
            [
                format!("charon-{}.log", side.id()),
                format!("pluto-{}.log", side.id()),
            ]
        })
        .map(|n| std::fs::read_to_string(r.dir.join(n)).unwrap_or_default())
        .collect();
    if !logs.contains(evidence) {
        f.push(format!(
            "no `{evidence}` in the daemons' logs: down for another reason? customer log tail:\n{}",
            tail(&r.file("charon-customer.log"), 15)
        ));
    }
    let mut counts = Vec::new();
    for side in SIDES {
        let id = side.id();
        if s.impl_of(side) == Impl::Swanctl {
            match vici::parse_list_sas(&r.file(&format!("sas-{id}.raw"))) {
                Err(e) => f.push(format!("{id}: sas-{id}.raw: {e}")),
                Ok(sas) => {
                    let ike = sas
                        .iter()
                        .filter(|x| x.sa.str("state") == Some("ESTABLISHED"))
                        .count();
                    let ch = sas
                        .iter()
                        .flat_map(|x| x.children())
                        .filter(|(_, c)| c.str("state") == Some("INSTALLED"))
                        .count();
                    if !ike_up && ike != 0 {
                        f.push(format!(
                            "{id}: {ike} IKE SAs ESTABLISHED: must not establish"
                        ));
                    }
                    if ch != 0 {
                        f.push(format!(
                            "{id}: {ch} CHILD SAs INSTALLED (of {}): must not install",
                            s.children()
                        ));
                    }
                    counts.push(format!("IKE {ike}, children {ch} on the {id} side"));
                }
            }
        }
        if r.kernel {
            let sas = xfrm_states(&r.file(&format!("xfrm-state-{id}.txt")));
            if !sas.is_empty() {
                f.push(format!(
                    "{id}: {} xfrm states in the kernel, want none: {:?}",
                    sas.len(),
                    sas.iter().map(|x| &x.head).collect::<Vec<_>>()
                ));
            }
        }
    }
    if let Some((ok, _, _)) = &r.initiate {
        if *ok != 0 {
            f.push(format!("{ok} initiations succeeded: initiation must fail"));
        }
    }
    d.push(format!(
        "stayed down: `{evidence}` logged; {}",
        counts.join(", ")
    ));
}

fn eq_check(f: &mut Vec<String>, what: &str, got: Option<&str>, want: Option<&str>) {
    if got != want {
        f.push(format!("{what}: negotiated {got:?}, configured {want:?}"));
    }
}

/// IKE SA and CHILD SAs of a charon side (`swanctl --list-sas --raw`) against the IR: one IKE
/// SA per tunnel, each with its own tunnel's algorithms (two tunnels are told apart by their
/// cloud address).
fn vici_sas(s: &Scenario, r: &Record, side: Side, rekey: &[String], f: &mut Vec<String>) {
    let id = side.id();
    let raw = r.file(&format!("sas-{id}.raw"));
    let sas = match vici::parse_list_sas(&raw) {
        Ok(x) => x,
        Err(e) => {
            f.push(format!("sas-{id}.raw: {e}"));
            return;
        }
    };
    let conn = &s.conn;
    let view = conn.view_from(side);
    let est: Vec<&vici::IkeSa> = sas
        .iter()
        .filter(|x| x.sa.str("state") == Some("ESTABLISHED"))
        .collect();
    if est.len() != s.tunnels.len() {
        f.push(format!(
            "{id}: {} IKE SAs ESTABLISHED, want {} (sas-{id}.raw:\n{})",
            est.len(),
            s.tunnels.len(),
            tail(raw.trim_end(), 5)
        ));
        return;
    }
    let mut installed: Vec<(&str, &vici::Value)> = Vec::new();
    let mut local_ts = BTreeSet::new();
    let mut remote_ts = BTreeSet::new();
    for (i, t) in s.tunnels.iter().enumerate() {
        let (mine, what): (Vec<&vici::IkeSa>, String) = if s.tunnels.len() == 1 {
            (est.clone(), id.to_owned())
        } else {
            let key = if side == Side::Cloud {
                "local-host"
            } else {
                "remote-host"
            };
            (
                est.iter()
                    .copied()
                    .filter(|x| x.sa.str(key) == Some(t.cloud_ip.as_str()))
                    .collect(),
                format!("{id} tunnel {} ({})", i + 1, t.cloud_ip),
            )
        };
        if mine.len() != 1 {
            f.push(format!(
                "{what}: {} IKE SAs ESTABLISHED with the tunnel's cloud address, want 1",
                mine.len()
            ));
            continue;
        }
        ike_sa(&t.conn, &mine[0].sa, &what, f);
        let children: Vec<(&str, &vici::Value)> = mine[0]
            .children()
            .into_iter()
            .filter(|(_, c)| c.str("state") == Some("INSTALLED"))
            .collect();
        if children.len() != t.children {
            f.push(format!(
                "{what}: {} CHILD SAs INSTALLED, want {} (sas-{id}.raw:\n{})",
                children.len(),
                t.children,
                tail(raw.trim_end(), 5)
            ));
        }
        for (key, c) in &children {
            let name = c.str("name").unwrap_or(key);
            child_sa(
                &t.conn,
                c,
                &format!("{what} child {name}"),
                rekey.iter().any(|k| k == name),
                f,
            );
            local_ts.extend(c.list("local-ts").iter().cloned());
            remote_ts.extend(c.list("remote-ts").iter().cloned());
        }
        installed.extend(children);
    }
    for name in rekey {
        if !installed
            .iter()
            .any(|(_, c)| c.str("name") == Some(name.as_str()))
        {
            f.push(format!("{id}: the rekeyed child {name} is not INSTALLED"));
        }
    }
    if let Some(pool) = &s.pool {
        // the client's side of every child is one assigned address from the pool
        let client_ts = if side == Side::Cloud {
            &remote_ts
        } else {
            &local_ts
        };
        let in_pool = |ts: &String| {
            ts.parse::<IpNetwork>()
                .is_ok_and(|n| n.prefix() == 32 && pool.iter().any(|p| p.contains(n.ip())))
        };
        if client_ts.is_empty() || !client_ts.iter().all(in_pool) {
            f.push(format!(
                "{id}: the client's traffic selectors {client_ts:?} are not one address of the pool {pool:?}"
            ));
        }
    }
    if s.mode == Mode::Policy {
        // route-based children carry 0.0.0.0/0; the routes into the interface are checked then
        for sn in &view.local.subnets {
            if !local_ts.contains(&sn.get().to_string()) {
                f.push(format!(
                    "{id}: local subnet {} in no INSTALLED child's local-ts {local_ts:?}",
                    sn.get()
                ));
            }
        }
        for sn in &view.remote.subnets {
            if !remote_ts.contains(&sn.get().to_string()) {
                f.push(format!(
                    "{id}: remote subnet {} in no INSTALLED child's remote-ts {remote_ts:?}",
                    sn.get()
                ));
            }
        }
    }
}

/// One IKE SA (vici) against its tunnel's IKE proposal.
fn ike_sa(conn: &Connection, ike: &vici::Value, id: &str, f: &mut Vec<String>) {
    let want_version = match conn.ike.version.get() {
        IkeVersion::Ikev1 => "1",
        IkeVersion::Ikev2 => "2",
    };
    eq_check(
        f,
        &format!("{id} IKE version"),
        ike.str("version"),
        Some(want_version),
    );
    let ike_cipher = conn.ike.cipher.get();
    match vici::cipher(ike_cipher) {
        None => f.push(format!("no vici name known for IKE cipher {ike_cipher}")),
        Some((alg, size)) => {
            eq_check(
                f,
                &format!("{id} IKE encr-alg"),
                ike.str("encr-alg"),
                Some(alg),
            );
            let size = size.map(|s| s.to_string());
            eq_check(
                f,
                &format!("{id} IKE encr-keysize"),
                ike.str("encr-keysize"),
                size.as_deref(),
            );
        }
    }
    let integ = conn.ike.integrity.as_ref().map(|i| i.get());
    match integ.map(vici::integrity) {
        Some(None) => f.push(format!("no vici name known for {integ:?}")),
        want => eq_check(
            f,
            &format!("{id} IKE integ-alg"),
            ike.str("integ-alg"),
            want.flatten(),
        ),
    }
    match conn.ike.effective_prf().map(vici::prf) {
        Some(None) => f.push("no vici name known for the PRF".into()),
        Some(Some(p)) => eq_check(f, &format!("{id} IKE prf-alg"), ike.str("prf-alg"), Some(p)),
        None => {}
    }
    match vici::dh(conn.ike.dh.get()) {
        None => f.push(format!("no vici name known for {}", conn.ike.dh.get())),
        Some(g) => eq_check(
            f,
            &format!("{id} IKE dh-group"),
            ike.str("dh-group"),
            Some(g),
        ),
    }
}

/// One INSTALLED CHILD SA (vici) against its tunnel's ESP proposal; `rekeyed`: it was rekeyed
/// (an IKEv2 child has the PFS group then).
fn child_sa(conn: &Connection, c: &vici::Value, what: &str, rekeyed: bool, f: &mut Vec<String>) {
    match vici::cipher(conn.esp.cipher.get()) {
        None => f.push(format!(
            "no vici name known for ESP cipher {}",
            conn.esp.cipher.get()
        )),
        Some((alg, size)) => {
            eq_check(f, &format!("{what} encr-alg"), c.str("encr-alg"), Some(alg));
            let size = size.map(|s| s.to_string());
            eq_check(
                f,
                &format!("{what} encr-keysize"),
                c.str("encr-keysize"),
                size.as_deref(),
            );
        }
    }
    let esp_integ = conn.esp.integrity.as_ref().map(|i| i.get());
    match esp_integ.map(vici::integrity) {
        Some(None) => f.push(format!("no vici name known for {esp_integ:?}")),
        want => eq_check(
            f,
            &format!("{what} integ-alg"),
            c.str("integ-alg"),
            want.flatten(),
        ),
    }
    let pfs = conn.esp.pfs.as_ref().map(|g| g.get());
    let pfs_name = pfs.and_then(vici::dh);
    if pfs.is_some() && pfs_name.is_none() {
        f.push(format!("no vici name known for PFS group {pfs:?}"));
    }
    let dh = c.str("dh-group");
    match conn.ike.version.get() {
        // IKEv1 quick mode carries the PFS group in every CHILD_SA
        IkeVersion::Ikev1 => eq_check(f, &format!("{what} dh-group (PFS)"), dh, pfs_name),
        // IKEv2: the IKE_AUTH child has no DH; a rekeyed or later one has the PFS group
        IkeVersion::Ikev2 => {
            if rekeyed || dh.is_some() {
                eq_check(f, &format!("{what} dh-group (PFS)"), dh, pfs_name);
            }
        }
    }
}

/// The side that initiated the run: as the host runner recorded it (lab/pair.sh INITIATOR),
/// else (the VM lab) the side whose config starts by itself, else the customer.
fn initiated_by<'a>(s: &Scenario, r: &'a Record) -> &'a str {
    r.get("INITIATOR")
        .unwrap_or_else(|| s.self_start.unwrap_or(Side::Customer).id())
}

/// An installed child's (local-ts, remote-ts).
type TsPair = (BTreeSet<String>, BTreeSet<String>);

/// The traffic selectors each INSTALLED child of a charon side carries (`local-ts` /
/// `remote-ts` in sas-<side>.raw) against the `local_ts` / `remote_ts` that side's rendered
/// swanctl.conf configures for that child: equal as sets. A strongSwan responder narrows
/// silently, so a narrowed SA would otherwise pass while real Alibaba might refuse it
/// (docs/alibaba-reference.md 10.5). The one exception, `s.pair_sas` (a customer that
/// expresses one SA per subnet pair, 10.4 (c)): every cloud child whose configuration holds
/// several pairs is narrowed to exactly one pair, and every pair is installed exactly once;
/// reported in the details as the expected mismatch. Children configured `dynamic` (or
/// without selectors) are the pool check's.
fn installed_selectors(
    s: &Scenario,
    r: &Record,
    side: Side,
    f: &mut Vec<String>,
    d: &mut Vec<String>,
) {
    let id = side.id();
    let who = initiated_by(s, r);
    let conf = read(&s.side_dir(side).join("swanctl.conf"));
    let configured = super::scenario::child_selectors(&conf);
    let Ok(sas) = vici::parse_list_sas(&r.file(&format!("sas-{id}.raw"))) else {
        return; // vici_sas reports it
    };
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<String>>();
    let mut narrowed: BTreeMap<String, Vec<TsPair>> = BTreeMap::new();
    let mut compared = 0;
    for x in sas
        .iter()
        .filter(|x| x.sa.str("state") == Some("ESTABLISHED"))
    {
        for (key, c) in x.children() {
            if c.str("state") != Some("INSTALLED") {
                continue;
            }
            let name = c.str("name").unwrap_or(key);
            let Some((_, lc, rc)) = configured.iter().find(|(n, _, _)| n == name) else {
                f.push(format!(
                    "{id}: INSTALLED child {name} is not in the rendered swanctl.conf"
                ));
                continue;
            };
            if lc.is_empty() || rc.is_empty() || lc.iter().chain(rc).any(|t| t == "dynamic") {
                continue;
            }
            compared += 1;
            let (li, ri) = (set(c.list("local-ts")), set(c.list("remote-ts")));
            if (&li, &ri) != (&set(lc), &set(rc)) {
                narrowed.entry(name.to_owned()).or_default().push((li, ri));
            }
        }
    }
    let pair_sas = s.pair_sas && side == Side::Cloud;
    if !pair_sas {
        for (name, got) in &narrowed {
            let (lc, rc) = configured
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, l, r)| (set(l), set(r)))
                .unwrap_or_default();
            for (li, ri) in got {
                f.push(format!(
                    "{id}: child {name} INSTALLED with local-ts {li:?} remote-ts {ri:?}, \
                     configured {lc:?} / {rc:?}: narrowed (docs/alibaba-reference.md 10.5; \
                     {who} initiated)"
                ));
            }
        }
        if compared > 0 && narrowed.is_empty() && side == Side::Cloud {
            d.push(format!(
                "cloud selectors as configured ({compared} children, {who} initiated)"
            ));
        }
        return;
    }
    // the expected mismatch: one SA per pair of every multi-pair child, each pair once
    for (name, lc, rc) in &configured {
        if lc.len() * rc.len() < 2 || lc.iter().chain(rc).any(|t| t == "dynamic") {
            continue;
        }
        let want: BTreeSet<(String, String)> = lc
            .iter()
            .flat_map(|l| rc.iter().map(move |r| (l.clone(), r.clone())))
            .collect();
        let got = narrowed.remove(name).unwrap_or_default();
        let pairs: Vec<(String, String)> = got
            .iter()
            .filter(|(l, r)| l.len() == 1 && r.len() == 1)
            .filter_map(|(l, r)| Some((l.first()?.clone(), r.first()?.clone())))
            .collect();
        let once: BTreeSet<(String, String)> = pairs.iter().cloned().collect();
        if pairs.len() != got.len() || once.len() != pairs.len() || once != want {
            f.push(format!(
                "{id}: child {name} (configured {lc:?} / {rc:?}) against a one-SA-per-pair \
                 customer: want each of the {} pairs narrowed into its own SA exactly once, got \
                 {got:?}",
                want.len()
            ));
        } else {
            d.push(format!(
                "cloud child {name} narrowed to one pair per SA ({} SAs): the expected mismatch \
                 of a one-SA-per-pair customer (docs/alibaba-reference.md 10.4 (c))",
                want.len()
            ));
        }
    }
    for (name, got) in narrowed {
        f.push(format!(
            "{id}: child {name} INSTALLED with {got:?}, narrowed from its configuration \
             (docs/alibaba-reference.md 10.5)"
        ));
    }
}

fn pings(s: &Scenario, r: &Record, f: &mut Vec<String>) {
    let mut want: Vec<String> = s
        .pings
        .iter()
        .map(|p| format!("{} {} -> {}", p.side.id(), p.src, p.dst))
        .collect();
    let mut got: Vec<String> = r
        .pings
        .iter()
        .map(|p| format!("{} {} -> {}", p.side, p.src, p.dst))
        .collect();
    want.sort();
    got.sort();
    if got != want {
        f.push(format!("pings run {got:?}, want {want:?}"));
    }
    let bad: Vec<String> = r
        .pings
        .iter()
        .filter(|p| !p.ok)
        .map(|p| format!("{} {} -> {}: {}% loss", p.side, p.src, p.dst, p.loss))
        .collect();
    if !bad.is_empty() {
        f.push(format!(
            "pings with loss: [{}]\n{}",
            bad.join(", "),
            tail(&r.file("pings.txt"), 12)
        ));
    }
}

/// The prefixes a side's bgpd received from `peer` (bgp-ipv4-<side>.json), with their AS paths.
fn bgp_received(
    r: &Record,
    side: &str,
    peer: Ipv4Addr,
) -> Result<BTreeMap<String, String>, String> {
    let text = r.file(&format!("bgp-ipv4-{side}.json"));
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("bgp-ipv4-{side}.json: {e}: {text}"))?;
    let routes = v
        .get("routes")
        .and_then(|r| r.as_object())
        .ok_or_else(|| format!("bgp-ipv4-{side}.json has no routes: {text}"))?;
    let peer = peer.to_string();
    Ok(routes
        .iter()
        .filter_map(|(prefix, paths)| {
            let from_peer = paths
                .as_array()?
                .iter()
                .find(|p| p.get("peerId").and_then(|i| i.as_str()) == Some(peer.as_str()))?;
            let path = from_peer.get("path").and_then(|p| p.as_str()).unwrap_or("");
            Some((prefix.clone(), path.to_owned()))
        })
        .collect())
}

/// A BGP peer's address and AS.
type Peer = (Ipv4Addr, Option<u32>);

/// Each bgpd: exactly one peer per tunnel, the other side's addresses, Established; exactly
/// the other side's subnets received from each, from its AS; no config line rejected; a prefix
/// one side announces that the other must refuse is in the first's table and not received.
fn bgp(s: &Scenario, r: &Record, f: &mut Vec<String>) {
    let sessions = s.bgp_sessions();
    let nets = |v: &[IpNetwork]| -> BTreeSet<String> { v.iter().map(|n| n.to_string()).collect() };
    for side in SIDES {
        let (id, want, peers): (&str, BTreeSet<String>, Vec<Peer>) = match side {
            Side::Cloud => (
                "cloud",
                nets(&s.subnets[1]),
                sessions
                    .iter()
                    .map(|b| (b.customer, b.customer_asn))
                    .collect(),
            ),
            Side::Customer => (
                "customer",
                nets(&s.subnets[0]),
                sessions.iter().map(|b| (b.cloud, b.cloud_asn)).collect(),
            ),
        };
        let summary = r.file(&format!("bgp-summary-{id}.json"));
        let v: serde_json::Value = serde_json::from_str(&summary).unwrap_or_default();
        let got = v["ipv4Unicast"]["peers"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let states: BTreeMap<String, Option<String>> = got
            .iter()
            .map(|(k, p)| (k.clone(), p["state"].as_str().map(str::to_owned)))
            .collect();
        let want_states: BTreeMap<String, Option<String>> = peers
            .iter()
            .map(|(p, _)| (p.to_string(), Some("Established".to_owned())))
            .collect();
        if states != want_states {
            f.push(format!(
                "BGP {id}: peers {states:?}, want {want_states:?} (bgpd-{id}.log tail:\n{})",
                tail(&r.file(&format!("bgpd-{id}.log")), 15)
            ));
        }
        // lines bgpd rejected while reading its config (vtysh -C cannot see these)
        let log = r.file(&format!("bgpd-{id}.log"));
        let rejected: Vec<&str> = log
            .lines()
            .filter(|l| {
                l.contains("Config Failed on config line")
                    || l.contains("error processing configuration change")
            })
            .collect();
        if !rejected.is_empty() || log.starts_with("<bgpd-") {
            f.push(format!(
                "BGP {id}: bgpd rejected config lines (bgpd-{id}.log): {rejected:?}{}",
                if rejected.is_empty() { &log } else { "" }
            ));
        }
        for (peer, peer_asn) in peers {
            match bgp_received(r, id, peer) {
                Err(e) => f.push(format!("BGP {id}: {e}")),
                Ok(got) => {
                    let prefixes: BTreeSet<String> = got.keys().cloned().collect();
                    if prefixes != want {
                        f.push(format!(
                            "BGP {id}: received {prefixes:?} from {peer}, want exactly {want:?}"
                        ));
                    }
                    for (other, prefix) in &s.bgp_refused {
                        if *other != side && prefixes.contains(prefix) {
                            f.push(format!(
                                "BGP {id}: accepted {prefix} from {peer}: its inbound policy must refuse it"
                            ));
                        }
                    }
                    if let Some(asn) = peer_asn {
                        for (prefix, path) in &got {
                            if path.split_whitespace().next() != Some(asn.to_string().as_str()) {
                                f.push(format!(
                                    "BGP {id}: {prefix} has AS path `{path}`, want it from AS {asn}"
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    // a refused prefix proves the policy only if it was announced: in its origin's own table
    for (side, prefix) in &s.bgp_refused {
        let id = side.id();
        let text = r.file(&format!("bgp-ipv4-{id}.json"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let local = v["routes"][prefix.as_str()]
            .as_array()
            .is_some_and(|paths| {
                paths.iter().any(|p| {
                    p["peerId"].as_str() == Some("(unspec)") || p["weight"].as_u64() == Some(32768)
                })
            });
        if !local {
            f.push(format!(
                "BGP {id}: {prefix} is not in its own table (bgp-ipv4-{id}.json), so its refusal \
                 by the peer proves nothing: {}",
                tail(&text, 5)
            ));
        }
    }
}

// ------------------------------------------------------------------ the kernel's state

/// One ESP SA of `ip -s xfrm state`.
#[derive(Debug, Default)]
pub struct XfrmSa {
    pub head: String,
    pub enc: Option<(String, usize)>,
    pub auth: Option<String>,
    pub aead: Option<(String, usize)>,
    pub if_id: Option<u32>,
}

pub fn xfrm_states(text: &str) -> Vec<XfrmSa> {
    let mut out: Vec<XfrmSa> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if line.starts_with("src ") {
            out.push(XfrmSa {
                head: l.to_owned(),
                ..Default::default()
            });
            continue;
        }
        let Some(sa) = out.last_mut() else { continue };
        let w: Vec<&str> = l.split_whitespace().collect();
        let keybits = |hex: &str| hex.trim_start_matches("0x").len() * 4;
        match w.as_slice() {
            ["enc", name, key, ..] => sa.enc = Some(((*name).to_owned(), keybits(key))),
            ["auth-trunc", name, ..] | ["auth", name, ..] => sa.auth = Some((*name).to_owned()),
            ["aead", name, key, ..] => sa.aead = Some(((*name).to_owned(), keybits(key))),
            ["if_id", id, ..] => {
                sa.if_id = u32::from_str_radix(id.trim_start_matches("0x"), 16).ok();
            }
            _ => {}
        }
    }
    out
}

/// The kernel's names for the ESP algorithms of the IR: (aead?, enc or aead name, key bits,
/// auth).
pub fn kernel_esp(
    c: Cipher,
    i: Option<Integrity>,
) -> Option<(bool, &'static str, usize, Option<&'static str>)> {
    let (aead, name, bits) = match c {
        Cipher::Aes128 => (false, "cbc(aes)", 128),
        Cipher::Aes192 => (false, "cbc(aes)", 192),
        Cipher::Aes256 => (false, "cbc(aes)", 256),
        Cipher::TripleDes => (false, "cbc(des3_ede)", 192),
        Cipher::Des => (false, "cbc(des)", 64),
        // the key carries the 32-bit salt
        Cipher::Aes128Gcm16 => (true, "rfc4106(gcm(aes))", 160),
        Cipher::Aes192Gcm16 => (true, "rfc4106(gcm(aes))", 224),
        Cipher::Aes256Gcm16 => (true, "rfc4106(gcm(aes))", 288),
        Cipher::Sm4 => return None,
    };
    let auth = match i {
        None => None,
        Some(Integrity::Md5) => Some("hmac(md5)"),
        Some(Integrity::Sha1) => Some("hmac(sha1)"),
        Some(Integrity::Sha256) => Some("hmac(sha256)"),
        Some(Integrity::Sha384) => Some("hmac(sha384)"),
        Some(Integrity::Sha512) => Some("hmac(sha512)"),
        Some(Integrity::Sm3) => return None,
    };
    Some((aead, name, bits, auth))
}

/// The ESP SAs in the kernel: 2 per child of each tunnel (told apart by the tunnel's cloud
/// address), each tunnel's own algorithms and the if_id of its interface in ipsec-link.sh.
fn kernel_sas(s: &Scenario, r: &Record, side: Side, f: &mut Vec<String>) {
    let id = side.id();
    let text = r.file(&format!("xfrm-state-{id}.txt"));
    let sas = xfrm_states(&text);
    let log_file = match s.impl_of(side) {
        Impl::Swanctl => format!("charon-{id}.log"),
        Impl::Libreswan | Impl::Libreswan5 => format!("pluto-{id}.log"),
    };
    if sas.len() != 2 * s.children() {
        f.push(format!(
            "{id}: {} ESP SAs in the kernel (ip xfrm state), want {} (2 per child):\n{}\n{log_file}:\n{}",
            sas.len(),
            2 * s.children(),
            text.trim_end(),
            tail(&r.file(&log_file), 15)
        ));
    }
    for (i, t) in s.tunnels.iter().enumerate() {
        let conn = &t.conn;
        let if_id = t.links[index(side)].if_id;
        let mine: Vec<&XfrmSa> = if s.tunnels.len() == 1 {
            sas.iter().collect()
        } else {
            let ends = [
                format!("src {} ", t.cloud_ip),
                format!("dst {}", t.cloud_ip),
            ];
            sas.iter()
                .filter(|x| {
                    ends.iter()
                        .any(|e| format!("{} ", x.head).contains(e.as_str()))
                })
                .collect()
        };
        if s.tunnels.len() > 1 && mine.len() != 2 * t.children {
            f.push(format!(
                "{id}: {} ESP SAs of tunnel {} ({}) in the kernel, want {}",
                mine.len(),
                i + 1,
                t.cloud_ip,
                2 * t.children
            ));
        }
        let Some((aead, name, bits, auth)) = kernel_esp(
            conn.esp.cipher.get(),
            conn.esp.integrity.as_ref().map(|i| i.get()),
        ) else {
            f.push("no kernel name known for the ESP algorithms".into());
            continue;
        };
        for sa in mine {
            let got = if aead { &sa.aead } else { &sa.enc };
            if got.as_ref().map(|(n, b)| (n.as_str(), *b)) != Some((name, bits)) {
                f.push(format!(
                    "{id}: SA `{}` has {}{got:?}, want {name} with a {bits}-bit key",
                    sa.head,
                    if aead { "aead " } else { "enc " }
                ));
            }
            if !aead && sa.auth.as_deref() != auth {
                f.push(format!(
                    "{id}: SA `{}` has auth {:?}, want {auth:?}",
                    sa.head, sa.auth
                ));
            }
            if sa.if_id != if_id {
                f.push(format!(
                    "{id}: SA `{}` has if_id {:?}, want {if_id:?} (ipsec-link.sh)",
                    sa.head, sa.if_id
                ));
            }
        }
    }
}

/// The main table's routes of a routes-<side>.txt (the part before `## all`), a multipath
/// route's `nexthop` lines joined to it.
fn main_routes(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in text.split("## all").next().unwrap_or("").lines() {
        if l.starts_with("##") {
            continue;
        }
        match out.last_mut() {
            Some(last) if l.starts_with(char::is_whitespace) => {
                last.push(' ');
                last.push_str(l.trim());
            }
            _ => out.push(l.to_owned()),
        }
    }
    out
}

/// The interfaces a route (one line of `main_routes`) goes through.
pub fn route_devs(line: &str) -> BTreeSet<String> {
    let w: Vec<&str> = line.split_whitespace().collect();
    w.windows(2)
        .filter(|p| p[0] == "dev")
        .map(|p| p[1].to_owned())
        .collect()
}

/// Routes into the tunnel interfaces (as ipsec-link.sh or BGP put them: through exactly the
/// expected ones, the master's of two or both of two active tunnels), each interface's MTU and
/// MSS rule as ipsec-link.sh writes them, and that `ipsec-link.sh down` removes them.
fn kernel_routes(s: &Scenario, r: &Record, side: Side, f: &mut Vec<String>) {
    let id = side.id();
    let e = s.expect_of(side);
    let ifnames: Vec<&String> = s
        .tunnels
        .iter()
        .filter_map(|t| t.links[index(side)].ifname.as_ref())
        .collect();
    if ifnames.is_empty() {
        return;
    }
    let routes = main_routes(&r.file(&format!("routes-{id}.txt")));
    let want: BTreeSet<String> = e.via.iter().cloned().collect();
    for p in &e.routes {
        let ok = routes.iter().any(|l| {
            l.starts_with(&format!("{p} "))
                && route_devs(l) == want
                && (!e.routes_bgp || l.contains("proto bgp"))
        });
        if !ok {
            f.push(format!(
                "{id}: no {}route {p} through exactly {want:?} in the kernel; main table:\n{}",
                if e.routes_bgp { "BGP " } else { "" },
                routes.join("\n")
            ));
        }
    }
    let has_link = |text: &str, ifname: &str| {
        text.lines()
            .find(|l| l.contains(&format!(" {ifname}@")) || l.contains(&format!(" {ifname}:")))
            .map(str::to_owned)
    };
    let links = r.file(&format!("links-{id}.txt"));
    let after = r.file(&format!("links-{id}-after-down.txt"));
    let ipt = r.file(&format!("iptables-{id}.txt"));
    let ipt_after = r.file(&format!("iptables-{id}-after-down.txt"));
    for ifname in ifnames {
        match (has_link(&links, ifname), e.mtu) {
            (None, _) => f.push(format!("{id}: no interface {ifname} in the kernel")),
            (Some(h), Some(m)) if !h.contains(&format!(" mtu {m} ")) => f.push(format!(
                "{id}: {ifname} is `{h}`, ipsec-link.sh sets mtu {m}"
            )),
            _ => {}
        }
        if let Some(mss) = e.mss {
            if !ipt.lines().any(|l| {
                l.contains(&format!("-o {ifname} ")) && l.contains(&format!("--set-mss {mss}"))
            }) {
                f.push(format!(
                    "{id}: no TCPMSS --set-mss {mss} rule for {ifname}: {}",
                    ipt.trim()
                ));
            }
            if ipt_after.contains(&format!("-o {ifname} ")) {
                f.push(format!(
                    "{id}: the MSS rule for {ifname} is still there after `ipsec-link.sh down`"
                ));
            }
        }
        if has_link(&after, ifname).is_some() {
            f.push(format!(
                "{id}: {ifname} still exists after `ipsec-link.sh down`"
            ));
        }
    }
    let up = id.to_uppercase();
    if r.get(&format!("LINK_DOWN_RC_{up}")) != Some("0") {
        f.push(format!(
            "{id}: ipsec-link.sh down exited {:?}",
            r.get(&format!("LINK_DOWN_RC_{up}"))
        ));
    }
}

/// Every action of the scenario was taken and what it waited for happened.
fn actions(s: &Scenario, r: &Record, f: &mut Vec<String>, d: &mut Vec<String>) {
    let mut done = Vec::new();
    for (i, a) in s.actions.iter().enumerate() {
        let n = i + 1;
        match r.get(&format!("ACTION_{n}_OK")) {
            Some("1") => done.push(format!(
                "{} ({} ms)",
                a.shell(),
                r.get(&format!("ACTION_{n}_MS")).unwrap_or("?")
            )),
            other => f.push(format!(
                "action {n} `{}` did not hold (ACTION_{n}_OK {other:?}); state:\n{}{}",
                a.shell(),
                tail(&r.file(&format!("action-{n}.txt")), 12),
                if s.hc_monitor {
                    format!("\nmonitor output:\n{}", tail(&r.file("hc-monitor.out"), 10))
                } else {
                    String::new()
                }
            )),
        }
    }
    if !done.is_empty() {
        d.push(format!("actions: {}", done.join(", ")));
    }
}

/// The details column of a positive run.
fn summary(s: &Scenario, r: &Record) -> String {
    let c = &s.conn;
    let algs = |c: &Connection| {
        let mut ike = vec![c.ike.cipher.get().id().to_owned()];
        if let Some(i) = &c.ike.integrity {
            ike.push(i.get().id().to_owned());
        }
        ike.push(c.ike.dh.get().to_string());
        let mut esp = vec![c.esp.cipher.get().id().to_owned()];
        if let Some(i) = &c.esp.integrity {
            esp.push(i.get().id().to_owned());
        }
        esp.push(
            c.esp
                .pfs
                .as_ref()
                .map_or("nopfs".into(), |g| g.get().to_string()),
        );
        format!(
            "{} {} / esp {}",
            match c.ike.version.get() {
                IkeVersion::Ikev1 => "IKEv1",
                IkeVersion::Ikev2 => "IKEv2",
            },
            ike.join("-"),
            esp.join("-")
        )
    };
    let mut out = if s.tunnels.len() == 1 {
        algs(c)
    } else {
        s.tunnels
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let role = t.conn.group.as_ref().map_or("", |g| g.role.value.id());
                format!("tunnel {} {role} {}: {}", i + 1, t.cloud_ip, algs(&t.conn))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let _ = write!(out, "; {} children", s.children());
    if r.kernel {
        let algs = |t: &super::scenario::Tunnel| {
            kernel_esp(
                t.conn.esp.cipher.get(),
                t.conn.esp.integrity.as_ref().map(|i| i.get()),
            )
            .map(|(_, n, b, a)| {
                format!(
                    " {n}/{b}{}{}",
                    a.map(|a| format!("+{a}")).unwrap_or_default(),
                    t.links[0]
                        .if_id
                        .map(|i| format!(" if_id {i}"))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default()
        };
        let _ = write!(
            out,
            " ({} kernel SAs/side{})",
            2 * s.children(),
            s.tunnels.iter().map(algs).collect::<Vec<_>>().join(";")
        );
    }
    let _ = write!(out, "; {} pings", r.pings.len());
    if let (Outcome::Up { rekey }, Some(true)) = (&s.outcome, r.rekey_ok) {
        if !rekey.is_empty() {
            let _ = write!(out, "; rekeyed {}", rekey.join(", "));
        }
    }
    if !s.refused_children.is_empty()
        && r.get("REFUSED_TS") == Some(&s.refused_children.len().to_string())
    {
        let _ = write!(
            out,
            "; {} refused by the cloud (TS_UNACCEPTABLE)",
            s.refused_children.join(", ")
        );
    }
    if s.bgp.is_some() && s.bgp_recorded_only {
        let states: Vec<String> = SIDES
            .iter()
            .map(|side| {
                let v: serde_json::Value =
                    serde_json::from_str(&r.file(&format!("bgp-summary-{}.json", side.id())))
                        .unwrap_or_default();
                let peers = v["ipv4Unicast"]["peers"]
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(k, p)| format!("{k} {}", p["state"].as_str().unwrap_or("?")))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_else(|| "no peer".into());
                format!("{} {peers}", side.id())
            })
            .collect();
        let _ = write!(
            out,
            "; BGP recorded, not asserted (protected data flows): {}",
            states.join("; ")
        );
    } else if s.bgp.is_some() {
        let _ = write!(
            out,
            "; BGP Established ({} sessions/side)",
            s.bgp_sessions().len()
        );
        for (side, prefix) in &s.bgp_refused {
            let _ = write!(
                out,
                ", lab LANs announced as the bgpd.conf header says, {prefix} announced by the {} \
                 and refused",
                side.id()
            );
        }
        if s.sides.iter().any(|e| e.routes_bgp) && r.kernel {
            out.push_str(", routes via BGP");
        }
    }
    if let Some(m) = s.sides[1].mtu.filter(|_| r.kernel) {
        let _ = write!(out, "; mtu {m} mss {}", s.sides[1].mss.unwrap_or(0));
    }
    for (key, what) in [("SA_WAIT_MS", "SAs after"), ("BGP_WAIT_MS", "routes after")] {
        if let Some(ms) = r.get(key) {
            let _ = write!(out, "; {what} {ms} ms");
        }
    }
    out
}

#[test]
fn xfrm_state_is_parsed() {
    let t = "src 192.0.2.1 dst 192.0.2.2\n\tproto esp spi 0xc1 reqid 1 mode tunnel\n\t\
             replay-window 0 flag af-unspec\n\tauth-trunc hmac(sha256) 0x0011223344556677889900112233445566778899001122334455667788990011 128\n\t\
             enc cbc(aes) 0x0011223344556677889900112233445566778899001122334455667788990011\n\t\
             if_id 0x3a0\nsrc 192.0.2.2 dst 192.0.2.1\n\tproto esp spi 0xc2 reqid 1 mode tunnel\n\t\
             aead rfc4106(gcm(aes)) 0x001122334455667788990011223344556677889900112233445566778899001122334455 128\n";
    let s = xfrm_states(t);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].enc, Some(("cbc(aes)".into(), 256)));
    assert_eq!(s[0].auth.as_deref(), Some("hmac(sha256)"));
    assert_eq!(s[0].if_id, Some(928));
    assert_eq!(s[1].aead, Some(("rfc4106(gcm(aes))".into(), 288)));
    assert_eq!(s[1].if_id, None);
}

/// `whack --showstates` as recorded by the VM lab: libreswan 5.2 IKEv1 with two conns (one
/// ISAKMP SA, one IPsec SA per pair), 5.2 IKEv2 with one Child SA, and 4.10 narrowing two
/// children of the cloud onto the same conn (the cloud-initiated libreswan 4 run).
#[test]
fn pluto_states_are_counted_per_conn() {
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    let v1 = r#"#1: "vpc-to-office-hamburg-1":500 STATE_MAIN_I4 (ISAKMP SA established); REPLACE in 27867s; newest; lastdpd=-1s(seq in:0 out:0); idle;
#2: "vpc-to-office-hamburg-1":500 STATE_QUICK_I2 (IPsec SA established); REPLACE in 2788s; newest; eroute owner; ISAKMP SA #1; idle;
#2: "vpc-to-office-hamburg-1" esp.c2e2a0e6@203.0.113.146 esp.5c7b0411@198.51.100.148 tun.0@203.0.113.146 tun.0@198.51.100.148 Traffic: ESPin=672B ESPout=672B ESPmax=2^63B
#3: "vpc-to-office-hamburg-2":500 STATE_QUICK_I2 (IPsec SA established); REPLACE in 2589s; newest; eroute owner; ISAKMP SA #1; idle;
#3: "vpc-to-office-hamburg-2" esp.c0274afd@203.0.113.146 esp.7f5642e0@198.51.100.148 tun.0@203.0.113.146 tun.0@198.51.100.148 Traffic: ESPin=672B ESPout=672B ESPmax=2^63B
"#;
    assert_eq!(
        pluto_sas(v1),
        (
            pairs(&[("#1", "vpc-to-office-hamburg-1")]),
            pairs(&[
                ("#2", "vpc-to-office-hamburg-1"),
                ("#3", "vpc-to-office-hamburg-2")
            ])
        )
    );
    let v2 = r#"#1: "hangzhou-to-dc1":4500 ESTABLISHED_IKE_SA (established IKE SA); REKEY in 28509s; REPLACE in 28779s; newest; idle;
#3: "hangzhou-to-dc1":4500 ESTABLISHED_CHILD_SA (established Child SA); LIVENESS in 2s; REKEY in 3312s; REPLACE in 3582s; newest; eroute owner; IKE SA #1; idle;
#3: "hangzhou-to-dc1" esp.c32af0c8@203.0.113.10 esp.73cc30d6@198.51.100.20 tun.0@203.0.113.10 tun.0@198.51.100.20 Traffic: ESPin=2KB ESPout=2KB ESPmax=2^63B
"#;
    assert_eq!(
        pluto_sas(v2),
        (
            pairs(&[("#1", "hangzhou-to-dc1")]),
            pairs(&[("#3", "hangzhou-to-dc1")])
        )
    );
    let narrowed = r#"000 #1: "hangzhou-to-dc1/1x1":4500 STATE_V2_ESTABLISHED_IKE_SA (established IKE SA); REKEY in 28374s; REPLACE in 28644s; newest; idle;
000 #2: "hangzhou-to-dc1/1x1":4500 STATE_V2_ESTABLISHED_CHILD_SA (established Child SA); REKEY in 3174s; REPLACE in 3444s; IKE SA #1; idle;
000 #2: "hangzhou-to-dc1/1x1" esp.c80fc727@203.0.113.10 esp.1540eb95@198.51.100.20 tun.0@203.0.113.10 tun.0@198.51.100.20 Traffic: ESPin=672B ESPout=672B ESPmax=2^63B
000 #3: "hangzhou-to-dc1/1x1":4500 STATE_V2_ESTABLISHED_CHILD_SA (established Child SA); LIVENESS in 0s; REKEY in 3291s; REPLACE in 3561s; newest; eroute owner; IKE SA #1; idle;
"#;
    let (ike, child) = pluto_sas(narrowed);
    assert_eq!(ike, pairs(&[("#1", "hangzhou-to-dc1/1x1")]));
    // two CHILD SAs on one conn: pluto_states reports it
    assert_eq!(
        child,
        pairs(&[("#2", "hangzhou-to-dc1/1x1"), ("#3", "hangzhou-to-dc1/1x1")])
    );
}
