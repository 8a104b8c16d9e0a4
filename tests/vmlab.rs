//! The VM lab: ipsecgen's outputs negotiated on a REAL kernel (kernel ESP, xfrm interfaces),
//! which the host lab (tests/interop.rs, kernel-libipsec) cannot do. One QEMU boot of Debian's
//! own kernel (lab/vm/, see ../shared/notes/vm-lab.md) runs every scenario below; each scenario
//! is data (the files the binary rendered for each side, addresses, what to wait for) written
//! under target/vmlab/run/scenarios/, lab/vm/scenario.sh only runs and records, and the
//! assertions here read the kernel's own state (ip xfrm state, ip route, ip link, iptables,
//! vtysh `show bgp summary json`, ping).
//!
//! Needs root, the lab packages and `bash lab/vm/setup.sh` (lab/install-deps.sh runs it).
//! Without them the test says so loudly and passes, unless IPSECGEN_REQUIRE_LAB=1 (CI).
//!
//!     cargo test --test vmlab -- --nocapture     # table: target/vmlab-results.md
//!
//! A scenario whose rendered output does not work is a finding: it stays in the list with
//! `known_failure` (the reason), is printed loudly and counted, and fails the test if it
//! starts passing (so the marker cannot go stale).

#[path = "interop/vici.rs"]
mod vici;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ipnetwork::IpNetwork;
use ipsecgen::ir::{Cipher, Connection, IkeVersion, Integrity, Side};
use ipsecgen::source::Source;

/// The whole VM (boot + every scenario) is killed after this.
const VM_TIMEOUT_S: u64 = 570;
const WRONG_PSK: &str = "Wrong-PSK-for-the-vm-lab-00000";

// ------------------------------------------------------------------ scenario data

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Impl {
    Swanctl,
    Libreswan,
}

impl Impl {
    fn id(self) -> &'static str {
        match self {
            Impl::Swanctl => "swanctl",
            Impl::Libreswan => "libreswan",
        }
    }
}

/// What one side must show, read from the IR and from the files as rendered.
#[derive(Default, Debug)]
struct SideExpect {
    /// The tunnel interface and if_id of ipsec-link.sh (route-based).
    ifname: Option<String>,
    if_id: Option<u32>,
    mtu: Option<u32>,
    mss: Option<u32>,
    /// Prefixes that must be routed into `ifname` in the main table.
    routes: Vec<String>,
    /// ... by BGP (proto bgp), else statically.
    routes_bgp: bool,
}

enum Outcome {
    Up {
        children: usize,
        pings: usize,
        /// (cloud BGP address, customer BGP address)
        bgp: Option<(Ipv4Addr, Ipv4Addr)>,
        /// The health check's probe (sip on the cloud, dip on the customer side).
        hc: Option<(IpAddr, IpAddr)>,
    },
    /// Must not come up; `evidence` in the daemons' logs says why.
    Down { evidence: &'static str },
}

struct Scenario {
    /// Folder name under scenarios/ (sorted = run order).
    slug: String,
    example: String,
    kind: String,
    conn: Connection,
    impls: [Impl; 2],
    sides: [SideExpect; 2],
    outcome: Outcome,
    /// scenario.env for lab/vm/scenario.sh.
    env: Vec<(String, String)>,
    /// Set when the rendered output is known not to work here: the reason.
    known_failure: Option<&'static str>,
}

/// Known failures: (scenario slug suffix, reason). Every entry is a finding about ipsecgen's
/// output, listed in the README's VM lab section.
const KNOWN_FAILURES: &[(&str, &str)] = &[(
    "libreswan-customer--policy--IKEv1",
    "libreswan target, IKEv1: Debian 12's libreswan 4.10 defaults to `ikev1-policy=drop` \
     (ipsec.conf(5)) and pluto refuses the rendered conns (\"failed to add IKEv1 connection: \
     global ikev1-policy does not allow IKEv1 connections\"); the output's header names the line to \
     add to config setup (`ikev1-policy=accept`, an included file cannot set it), and this lab \
     loads the file as written, without that line",
)];

// ------------------------------------------------------------------ test entry

#[test]
fn rendered_outputs_negotiate_on_a_real_kernel() {
    if let Some(why) = unavailable() {
        let msg = format!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !! VM LAB DID NOT RUN: {why}\n\
             !! Run as root after `bash lab/install-deps.sh` (Debian 12; it runs lab/vm/setup.sh).\n\
             !! Set IPSECGEN_REQUIRE_LAB=1 to make this a failure (CI does).\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
        if std::env::var("IPSECGEN_REQUIRE_LAB").as_deref() == Ok("1") {
            panic!("IPSECGEN_REQUIRE_LAB=1 but the VM lab cannot run: {why}");
        }
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_owned();
    let base = target.join("vmlab");
    std::fs::create_dir_all(&base).expect("target/vmlab");
    let lock = std::fs::File::create(base.join(".lock")).expect("lock file");
    lock.lock().expect("lock target/vmlab");
    let run = base.join("run");
    let _ = std::fs::remove_dir_all(&run);
    std::fs::create_dir_all(run.join("scenarios")).expect("run dir");

    let t0 = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for made in build_scenarios(&root, &run.join("scenarios")) {
        match made {
            Ok(s)
                if std::env::var("IPSECGEN_VMLAB_ONLY")
                    .is_ok_and(|only| !s.slug.contains(&only)) =>
            {
                // a developer's filter: IPSECGEN_VMLAB_ONLY=libreswan runs only those
                let _ = std::fs::remove_dir_all(run.join("scenarios").join(&s.slug));
            }
            Ok(s) => {
                // an example whose rendered files equal an earlier scenario's (comments aside,
                // e.g. the same connection as JSON and YAML) is not booted twice
                let sig = signature(&run.join("scenarios").join(&s.slug), &s.env);
                if let Some(first) = seen.get(&sig) {
                    let _ = std::fs::remove_dir_all(run.join("scenarios").join(&s.slug));
                    rows.push(Row {
                        case: s.example.clone(),
                        kind: s.kind.clone(),
                        impls: format!("{} <-> {}", s.impls[0].id(), s.impls[1].id()),
                        wall: Duration::ZERO,
                        details: format!(
                            "rendered files identical to {first}'s (comment lines aside): not run again"
                        ),
                        failures: Vec::new(),
                        known: s.known_failure,
                        same: true,
                    });
                    continue;
                }
                seen.insert(sig, s.example.clone());
                scenarios.push(s);
            }
            Err((case, e)) => rows.push(Row::failed(case, "render", e)),
        }
    }
    let build_time = t0.elapsed();

    // one boot, every scenario
    let vm0 = Instant::now();
    let console = run.join("console.log");
    let status = Command::new("timeout")
        .args(["-k", "10", &(VM_TIMEOUT_S + 30).to_string(), "bash"])
        .arg(root.join("lab/vm/runvm.sh"))
        .arg(root.join("lab/vm/guest.sh"))
        .arg(&run)
        .env("VMTIMEOUT", VM_TIMEOUT_S.to_string())
        .env("MEM", "384")
        .stdout(std::fs::File::create(&console).expect("console.log"))
        .stderr(std::process::Stdio::from(
            std::fs::File::options()
                .append(true)
                .open(&console)
                .expect("console.log"),
        ))
        .status()
        .expect("run lab/vm/runvm.sh");
    let vm_wall = vm0.elapsed();
    let guest = read_env(&run.join("guest.env"));
    let console_text = std::fs::read_to_string(&console).unwrap_or_default();
    if status.code() != Some(0) || !guest.contains_key("SCENARIOS") {
        // the scenarios that finished are still checked below; the rest fail there
        rows.push(Row::failed(
            "(the VM)".into(),
            "boot and run",
            format!(
                "the VM did not complete (runvm.sh exit {:?}, after {:.1} s; 124: killed at \
                 the {VM_TIMEOUT_S} s limit); console tail:\n{}",
                status.code(),
                vm_wall.as_secs_f64(),
                tail(&console_text, 40)
            ),
        ));
    }
    let mut times = BTreeMap::new();
    // SC_<i>_* are written as each scenario ends (also when the VM is killed later)
    for i in 1.. {
        if !guest.contains_key(&format!("SC_{i}_NAME")) {
            break;
        }
        if let (Some(name), Some(ms), Some(rc)) = (
            guest.get(&format!("SC_{i}_NAME")),
            guest.get(&format!("SC_{i}_MS")),
            guest.get(&format!("SC_{i}_RC")),
        ) {
            times.insert(
                name.clone(),
                (
                    ms.parse::<u64>().unwrap_or(0),
                    rc.parse::<i32>().unwrap_or(-1),
                ),
            );
        }
    }

    for s in &scenarios {
        let dir = run.join("scenarios").join(&s.slug);
        let (ms, rc) = times.get(&s.slug).copied().unwrap_or((0, -1));
        let mut f = Vec::new();
        if rc != 0 {
            f.push(format!(
                "scenario.sh exit {rc} (124: timed out in the guest); scenario.stdout:\n{}",
                tail(&read(&dir.join("scenario.stdout")), 15)
            ));
        }
        let details = check(s, &dir.join("out"), &mut f);
        if !f.is_empty() {
            f.push(format!(
                "scenario.log:\n{}\nresults: {}",
                tail(&read(&dir.join("out/scenario.log")), 10),
                dir.join("out").display()
            ));
        }
        rows.push(Row {
            case: s.example.clone(),
            kind: s.kind.clone(),
            impls: format!("{} <-> {}", s.impls[0].id(), s.impls[1].id()),
            wall: Duration::from_millis(ms),
            details,
            failures: f,
            known: s.known_failure,
            same: false,
        });
    }

    let boot = guest
        .get("UPTIME_AT_START")
        .cloned()
        .unwrap_or_else(|| "?".into());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut t = String::from("# ipsecgen VM lab (real kernel)\n\n");
    let passed = rows
        .iter()
        .filter(|r| !r.same && r.failures.is_empty() && r.known.is_none())
        .count();
    let same = rows.iter().filter(|r| r.same).count();
    let known = rows.iter().filter(|r| r.known.is_some()).count();
    let _ = writeln!(
        t,
        "{passed} of {} scenarios passed, {known} known failures, {same} not run again (same \
         rendered files). Kernel {}, TCG 1 vCPU; guest \
         uptime when the scenarios started {boot} s; VM wall {:.1} s (rendering {:.1} s); total \
         {:.1} s; host load at the end {}.\n",
        rows.len() - same,
        guest.get("KERNEL").map_or("?", String::as_str),
        vm_wall.as_secs_f64(),
        build_time.as_secs_f64(),
        t0.elapsed().as_secs_f64(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    t.push_str("| example | scenario | cloud <-> customer | result | time | details |\n");
    t.push_str("|---|---|---|---|---|---|\n");
    for r in &rows {
        let result = match (r.failures.is_empty(), r.known) {
            _ if r.same => "same output".to_owned(),
            (true, None) => "PASS".to_owned(),
            (false, None) => format!("**FAIL** ({})", r.failures.len()),
            (false, Some(_)) => "KNOWN FAILURE".to_owned(),
            (true, Some(_)) => "**XPASS** (remove the known_failure)".to_owned(),
        };
        let mut details = r.details.clone();
        if let Some(k) = r.known {
            details = format!("{k}; {details}");
        }
        if let Some(first) = r.failures.first() {
            details = format!("{}; {details}", first.lines().next().unwrap_or(""));
        }
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {:.1} s | {} |",
            r.case,
            r.kind,
            r.impls,
            result,
            r.wall.as_secs_f64(),
            details.replace('|', "\\|")
        );
    }
    println!("\n{t}");
    std::fs::write(target.join("vmlab-results.md"), &t).expect("write vmlab-results.md");
    for r in rows
        .iter()
        .filter(|r| r.known.is_some() && !r.failures.is_empty())
    {
        let msg = format!(
            "\n!! VM LAB KNOWN FAILURE: {} [{}]: {}\n!!   {}\n",
            r.case,
            r.kind,
            r.known.unwrap_or(""),
            r.failures[0].lines().next().unwrap_or("")
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
    }

    let bad: Vec<&Row> = rows
        .iter()
        .filter(|r| !r.same && r.failures.is_empty() == r.known.is_some())
        .collect();
    if !bad.is_empty() {
        let mut msg = format!("{} of {} VM lab scenarios failed:\n", bad.len(), rows.len());
        for r in &bad {
            let _ = writeln!(msg, "\n=== {} [{}] ({})", r.case, r.kind, r.impls);
            if r.failures.is_empty() {
                let _ = writeln!(msg, "  - passed, but is listed as a known failure");
            }
            for f in &r.failures {
                let _ = writeln!(msg, "  - {}", f.replace('\n', "\n    "));
            }
        }
        panic!("{msg}");
    }
}

struct Row {
    case: String,
    kind: String,
    impls: String,
    wall: Duration,
    details: String,
    failures: Vec<String>,
    known: Option<&'static str>,
    /// Not run: the same rendered files as an earlier scenario.
    same: bool,
}

impl Row {
    fn failed(case: String, kind: &str, e: String) -> Row {
        Row {
            case,
            kind: kind.into(),
            impls: String::new(),
            wall: Duration::ZERO,
            details: String::new(),
            failures: vec![e],
            known: None,
            same: false,
        }
    }
}

/// Why the VM lab cannot run here, or `None`.
fn unavailable() -> Option<String> {
    let mut missing = Vec::new();
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if uid.as_deref() != Some("0") {
        missing.push("not root".to_owned());
    }
    for f in [
        "/opt/vmlab/initrd.cpio.gz",
        "/opt/vmlab/kernel/lib/modules",
        "/usr/bin/qemu-system-x86_64",
        "/usr/lib/ipsec/charon",
        "/usr/lib/frr/bgpd",
        "/usr/lib/frr/zebra",
        "/opt/libreswan/usr/libexec/ipsec/pluto",
        "/usr/bin/certutil",
        "/usr/sbin/iptables",
        "/bin/busybox",
    ] {
        if !Path::new(f).exists() {
            missing.push(format!("{f} missing"));
        }
    }
    (!missing.is_empty()).then(|| missing.join("; "))
}

// ------------------------------------------------------------------ building scenarios

type Made = Result<Scenario, (String, String)>;

fn build_scenarios(root: &Path, dir: &Path) -> Vec<Made> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut next = |kind: &str| {
        n += 1;
        let k: String = kind
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("{n:02}-{k}")
    };
    // 1. every BGP example in the default (route-based) form, swanctl + ipsec-link.sh + FRR
    for (rel, _) in sorted_examples() {
        let file = root.join("examples").join(&rel);
        let Ok(conns) = load(&file, &rel) else {
            continue; // the host lab reports inputs that do not check
        };
        let several = conns.len() > 1;
        for c in conns.iter().filter(|c| c.bgp_enabled()) {
            let case = if several {
                format!("examples/{rel}#{}", c.name)
            } else {
                format!("examples/{rel}")
            };
            let slug = next(&format!("bgp-{}", c.name));
            out.push(
                scenario(
                    &file,
                    &file,
                    c,
                    several.then_some(c.name.as_str()),
                    Plan {
                        kind: "route-based BGP (default)".into(),
                        mode: None,
                        impls: [Impl::Swanctl, Impl::Swanctl],
                        negative: None,
                    },
                    &dir.join(&slug),
                    slug,
                    case.clone(),
                )
                .map_err(|e| (case, e)),
            );
        }
    }
    let one = |rel: &str| -> Result<(PathBuf, Connection), (String, String)> {
        let file = root.join(rel);
        let c = load(&file, rel)
            .and_then(|c| c.into_iter().next().ok_or_else(|| "no connection".into()))
            .map_err(|e| (rel.to_owned(), e))?;
        Ok((file, c))
    };
    // (example, kind, tunnel mode, cloud impl, customer impl)
    let plain: &[(&str, &str, Option<&str>, Impl, Impl)] = &[
        (
            "examples/aliyun/connection-static.json",
            "--tunnel-mode route, static routes",
            Some("route"),
            Impl::Swanctl,
            Impl::Swanctl,
        ),
        (
            "examples/aliyun/connection-static.json",
            "libreswan customer, policy, IKEv2",
            None,
            Impl::Swanctl,
            Impl::Libreswan,
        ),
        (
            "examples/aliyun/connection-ikev1.json",
            "libreswan customer, policy, IKEv1",
            None,
            Impl::Swanctl,
            Impl::Libreswan,
        ),
        (
            "examples/aliyun/connection-static.json",
            "libreswan customer, route (ipsec-interface)",
            Some("route"),
            Impl::Swanctl,
            Impl::Libreswan,
        ),
        (
            "examples/native/bgp.yaml",
            "libreswan customer, route-based BGP",
            None,
            Impl::Swanctl,
            Impl::Libreswan,
        ),
        (
            "examples/aliyun/connection-health.yaml",
            "health check, route (probe crosses)",
            Some("route"),
            Impl::Swanctl,
            Impl::Swanctl,
        ),
    ];
    for (rel, kind, mode, cloud_impl, cust_impl) in plain {
        let slug = next(kind);
        out.push(one(rel).and_then(|(file, c)| {
            scenario(
                &file,
                &file,
                &c,
                None,
                Plan {
                    kind: (*kind).into(),
                    mode: *mode,
                    impls: [*cloud_impl, *cust_impl],
                    negative: None,
                },
                &dir.join(&slug),
                slug,
                (*rel).into(),
            )
            .map_err(|e| ((*rel).to_owned(), e))
        }));
    }
    // negative pairs: (kind, side whose input is changed, section, key, value, evidence)
    let negs: &[(&str, Side, &str, &str, &str, &'static str)] = &[
        (
            "neg: wrong PSK",
            Side::Customer,
            "IkeConfig",
            "Psk",
            WRONG_PSK,
            "AUTHENTICATION_FAILED",
        ),
        (
            "neg: IKE proposal mismatch",
            Side::Cloud,
            "IkeConfig",
            "IkeEncAlg",
            "aes",
            "NO_PROPOSAL_CHOSEN",
        ),
        (
            "neg: wrong identity",
            Side::Customer,
            "IkeConfig",
            "RemoteId",
            "wrong-peer.example.net",
            "no matching peer config found",
        ),
    ];
    let rel = "examples/aliyun/connection-static.json";
    for (kind, side, section, key, value, evidence) in negs {
        let slug = next(kind);
        out.push(one(rel).and_then(|(file, c)| {
            let sdir = dir.join(&slug);
            std::fs::create_dir_all(&sdir).map_err(|e| (rel.to_owned(), e.to_string()))?;
            let copy = modified_copy(&file, &sdir, section, key, value)
                .map_err(|e| (rel.to_owned(), e))?;
            let (cloud_in, cust_in) = match side {
                Side::Cloud => (copy, file.clone()),
                Side::Customer => (file.clone(), copy),
            };
            scenario(
                &cloud_in,
                &cust_in,
                &c,
                None,
                Plan {
                    kind: format!("{kind} ({key}={value} on the {} side)", side.id()),
                    mode: None,
                    impls: [Impl::Swanctl, Impl::Swanctl],
                    negative: Some(evidence),
                },
                &sdir,
                slug,
                rel.into(),
            )
            .map_err(|e| (rel.to_owned(), e))
        }));
    }
    out
}

struct Plan {
    kind: String,
    mode: Option<&'static str>,
    impls: [Impl; 2],
    negative: Option<&'static str>,
}

/// Render both sides into `dir`/{cloud,customer} and describe what must happen.
#[allow(clippy::too_many_arguments)]
fn scenario(
    cloud_in: &Path,
    customer_in: &Path,
    conn: &Connection,
    only: Option<&str>,
    plan: Plan,
    dir: &Path,
    slug: String,
    example: String,
) -> Result<Scenario, String> {
    let cloud = conn.view_from(Side::Cloud);
    let bgp_on = cloud.bgp_enabled() && plan.mode != Some("policy");
    let route = bgp_on || plan.mode == Some("route");
    let mut sides: [SideExpect; 2] = Default::default();
    for (i, (side, input)) in [(Side::Cloud, cloud_in), (Side::Customer, customer_in)]
        .into_iter()
        .enumerate()
    {
        let sdir = dir.join(side.id());
        std::fs::create_dir_all(&sdir).map_err(|e| e.to_string())?;
        render(input, side, plan.impls[i].id(), plan.mode, only, &sdir)?;
        if bgp_on {
            render(input, side, "frr", plan.mode, only, &sdir)?;
        }
        let view = conn.view_from(side);
        let e = &mut sides[i];
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
            e.routes = view
                .remote
                .subnets
                .iter()
                .map(|s| s.get().to_string())
                .collect();
            e.routes_bgp = bgp_on;
        }
    }
    let lan = |e: &ipsecgen::ir::Endpoint| -> Vec<String> {
        e.subnets
            .iter()
            .filter_map(|s| {
                let n = s.get();
                first_host(&n).map(|h| format!("{h}/{}", n.prefix()))
            })
            .filter(|a| !a.contains(':'))
            .collect()
    };
    let hosts = |e: &ipsecgen::ir::Endpoint| -> Vec<IpAddr> {
        e.subnets
            .iter()
            .filter_map(|s| first_host(&s.get()))
            .filter(IpAddr::is_ipv4)
            .collect()
    };
    let gw = |e: &ipsecgen::ir::Endpoint| {
        e.gateway
            .as_ref()
            .map(|g| g.get().to_string())
            .ok_or_else(|| format!("no gateway address for the {} side", e.side.id()))
    };
    let mut pings = Vec::new();
    for s in hosts(&cloud.remote) {
        for d in hosts(&cloud.local) {
            pings.push(format!("customer {s} {d}"));
        }
    }
    if let Some(d) = hosts(&cloud.remote).first() {
        if let Some(s) = hosts(&cloud.local).first() {
            pings.push(format!("cloud {s} {d}"));
        }
    }
    let bgp = if bgp_on {
        let (Some(c), Some(p)) = (&cloud.local.bgp.ip, &cloud.remote.bgp.ip) else {
            return Err("BGP on but no BGP addresses in the IR".into());
        };
        pings.push(format!("customer {} {}", p.get(), c.get()));
        Some((c.get(), p.get()))
    } else {
        None
    };
    let hc = cloud.health_check.as_ref().and_then(|h| {
        (h.enabled.value)
            .then(|| h.sip.as_ref().zip(h.dip.as_ref()))
            .flatten()
            .map(|(s, d)| (s.get(), d.get()))
    });
    let mut cloud_lo = Vec::new();
    let mut cust_lo = Vec::new();
    if let Some((sip, dip)) = hc {
        cloud_lo.push(sip.to_string());
        cust_lo.push(dip.to_string());
    }
    // the customer side of the IR: its children
    // CHILD_SAs: one with 0.0.0.0/0 route-based; policy-based one per subnet pair for IKEv1
    // and for libreswan (leftsubnets={..} is a conn per pair), else one with all subnets
    let pairs = cloud.local.subnets.len() * cloud.remote.subnets.len();
    let children = if route {
        1
    } else if cloud.ike.version.get() == IkeVersion::Ikev1 || plan.impls.contains(&Impl::Libreswan)
    {
        pairs
    } else {
        1
    };
    let states = 2 * children;
    let mut env = vec![
        ("CLOUD_IMPL", plan.impls[0].id().to_owned()),
        ("CUSTOMER_IMPL", plan.impls[1].id().to_owned()),
        ("CLOUD_IP", gw(&cloud.local)?),
        ("CUSTOMER_IP", gw(&cloud.remote)?),
        ("CLOUD_LAN", lan(&cloud.local).join(" ")),
        ("CUSTOMER_LAN", lan(&cloud.remote).join(" ")),
        ("CLOUD_LO", cloud_lo.join(" ")),
        ("CUSTOMER_LO", cust_lo.join(" ")),
        ("EXPECT_STATES_CLOUD", states.to_string()),
        ("EXPECT_STATES_CUSTOMER", states.to_string()),
    ];
    // trap / ondemand configs negotiate on traffic: send some while waiting, unless a side
    // starts by itself (then traffic meanwhile would only race it)
    let starts = ["cloud", "customer"].iter().any(|side| {
        ["swanctl.conf", "ipsec.conf"].iter().any(|f| {
            std::fs::read_to_string(dir.join(side).join(f)).is_ok_and(|t| {
                t.lines()
                    .any(|l| matches!(l.trim(), "start_action = start" | "auto=start"))
            })
        })
    });
    env.push(("TRIGGER", if starts { "0" } else { "1" }.into()));
    let outcome = match plan.negative {
        Some(evidence) => {
            env.push(("SA_WAIT", "30".into()));
            env.push(("EVIDENCE", evidence.into()));
            Outcome::Down { evidence }
        }
        None => {
            env.push(("SA_WAIT", "90".into()));
            env.push(("BGP", if bgp_on { "1" } else { "0" }.into()));
            env.push(("WAIT_ROUTES_CLOUD", sides[0].routes.join(" ")));
            env.push(("WAIT_ROUTES_CUSTOMER", sides[1].routes.join(" ")));
            if let Some((s, d)) = hc {
                env.push(("HC_PROBE", format!("{s} {d}")));
                if dir.join("cloud/health-monitor.sh").exists() {
                    env.push(("HC_MONITOR", "1".into()));
                }
            }
            env.push(("PINGS", pings.join(";")));
            Outcome::Up {
                children,
                pings: pings.len(),
                bgp,
                hc,
            }
        }
    };
    let text: String = env
        .iter()
        .map(|(k, v)| format!("{k}='{}'\n", v.replace('\'', "")))
        .collect();
    std::fs::write(dir.join("scenario.env"), text).map_err(|e| e.to_string())?;
    let known_failure = KNOWN_FAILURES
        .iter()
        .find(|(suffix, _)| slug.ends_with(suffix))
        .map(|(_, why)| *why);
    Ok(Scenario {
        slug,
        example,
        kind: plan.kind,
        conn: cloud,
        impls: plan.impls,
        sides,
        outcome,
        env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        known_failure,
    })
}

/// `ipsecgen render INPUT --side S --target T [--tunnel-mode M] -o TMP`, the files copied into
/// `dest` (the connection's sub-folder when the input holds several).
fn render(
    input: &Path,
    side: Side,
    target: &str,
    mode: Option<&str>,
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
    if let Some(m) = mode {
        cmd.args(["--tunnel-mode", m]);
    }
    cmd.arg("-o").arg(&out_dir);
    let out = cmd.output().map_err(|e| format!("run ipsecgen: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`ipsecgen render {} --side {} --target {target} {mode:?}` exited {:?}: {}",
            input.display(),
            side.id(),
            out.status.code(),
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

/// The rendered files of a scenario without comment lines, and its settings.
fn signature(dir: &Path, env: &[(String, String)]) -> String {
    let mut sig = format!("{env:?}\n");
    for side in ["cloud", "customer"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(side))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        for f in files {
            let _ = writeln!(
                sig,
                "== {side}/{}",
                f.file_name().unwrap_or_default().to_string_lossy()
            );
            for l in read(&f).lines() {
                let t = l.trim_start();
                if !(t.starts_with('#') || t.starts_with('!')) {
                    sig.push_str(l);
                    sig.push('\n');
                }
            }
        }
    }
    sig
}

/// `NAME=value` (first occurrence) of a shell script as rendered.
fn assigned(script: &str, name: &str) -> Option<String> {
    script.lines().find_map(|l| {
        let v = l.trim().strip_prefix(name)?.strip_prefix('=')?;
        Some(v.split_whitespace().next()?.trim_matches('"').to_owned())
    })
}

fn word_after(text: &str, marker: &str) -> Option<String> {
    let i = text.find(marker)? + marker.len();
    text[i..].split_whitespace().next().map(str::to_owned)
}

/// A copy of an Alibaba JSON input with `section.key = value` (the section may be a JSON string).
fn modified_copy(
    file: &Path,
    dir: &Path,
    section: &str,
    key: &str,
    value: &str,
) -> Result<PathBuf, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let obj = v.as_object_mut().ok_or("not a JSON object")?;
    let sec = obj.get(section).cloned().ok_or("no such section")?;
    let (mut inner, as_string) = match sec {
        serde_json::Value::String(s) => (
            serde_json::from_str::<serde_json::Value>(&s).map_err(|e| e.to_string())?,
            true,
        ),
        other => (other, false),
    };
    inner
        .as_object_mut()
        .ok_or("section is not an object")?
        .insert(key.into(), serde_json::Value::String(value.into()));
    obj.insert(
        section.into(),
        if as_string {
            serde_json::Value::String(inner.to_string())
        } else {
            inner
        },
    );
    let p = dir.join(file.file_name().ok_or("no file name")?);
    std::fs::write(
        &p,
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    Ok(p)
}

fn sorted_examples() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = ipsecgen::render::example_files()
        .iter()
        .map(|(rel, t)| (rel.to_string(), t.to_string()))
        .collect();
    v.sort();
    v
}

fn load(file: &Path, name: &str) -> Result<Vec<Connection>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("read {name}: {e}"))?;
    let checked = ipsecgen::check(Source::new(name, text), &Default::default());
    if checked.diagnostics.has_errors() || checked.connections.is_empty() {
        return Err(format!("{name} does not check"));
    }
    Ok(checked.connections)
}

fn first_host(net: &IpNetwork) -> Option<IpAddr> {
    match net {
        IpNetwork::V4(n) if n.prefix() > 0 => {
            let base = u32::from(n.network());
            Some(IpAddr::V4(Ipv4Addr::from(if n.prefix() <= 30 {
                base + 1
            } else {
                base
            })))
        }
        _ => None,
    }
}

// ------------------------------------------------------------------ reading the guest's record

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| format!("<{}: {e}>", p.display()))
}

fn read_env(p: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// One ESP SA of `ip -s xfrm state`.
#[derive(Debug, Default)]
struct XfrmSa {
    head: String,
    enc: Option<(String, usize)>,
    auth: Option<String>,
    aead: Option<(String, usize)>,
    if_id: Option<u32>,
}

fn xfrm_states(text: &str) -> Vec<XfrmSa> {
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

/// The kernel's names for the ESP algorithms of the IR: (enc or aead, key bits, auth).
fn kernel_esp(
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

/// The main table's routes of a routes-<side>.txt (the part before `## all`).
fn main_routes(text: &str) -> Vec<String> {
    text.split("## all")
        .next()
        .unwrap_or("")
        .lines()
        .filter(|l| !l.starts_with("##"))
        .map(str::to_owned)
        .collect()
}

/// All assertions of one scenario; returns the details column.
fn check(s: &Scenario, out: &Path, f: &mut Vec<String>) -> String {
    let r = read_env(&out.join("result.env"));
    if r.get("DONE").map(String::as_str) != Some("1") {
        f.push(format!(
            "the scenario did not finish (result.env: {:?})",
            r.keys().collect::<Vec<_>>()
        ));
    }
    let conn = &s.conn;
    let mut details = Vec::new();
    for (i, side) in ["cloud", "customer"].into_iter().enumerate() {
        let up = side.to_uppercase();
        let e = &s.sides[i];
        let log_file = match s.impls[i] {
            Impl::Swanctl => format!("charon-{side}.log"),
            Impl::Libreswan => format!("pluto-{side}.log"),
        };
        if r.get(&format!("LOAD_RC_{up}")).map(String::as_str) != Some("0") {
            f.push(format!(
                "{side}: loading the rendered {} config failed (rc {:?}):\n{}",
                s.impls[i].id(),
                r.get(&format!("LOAD_RC_{up}")),
                tail(&read(&out.join(format!("load-{side}.out"))), 10)
            ));
        }
        if s.impls[i] == Impl::Libreswan {
            let log = read(&out.join(&log_file));
            if let Some(l) = log.lines().find(|l| l.contains("failed to add")) {
                f.push(format!(
                    "{side}: pluto refused the rendered ipsec.conf: {l}"
                ));
            }
        }
        if e.ifname.is_some() && r.get(&format!("LINK_UP_RC_{up}")).map(String::as_str) != Some("0")
        {
            f.push(format!(
                "{side}: ipsec-link.sh up exited {:?}:\n{}",
                r.get(&format!("LINK_UP_RC_{up}")),
                tail(&read(&out.join(format!("link-up-{side}.out"))), 10)
            ));
        }
        let sas = xfrm_states(&read(&out.join(format!("xfrm-state-{side}.txt"))));
        match &s.outcome {
            Outcome::Down { .. } => {
                if !sas.is_empty() {
                    f.push(format!(
                        "{side}: {} xfrm states in the kernel, want none: {:?}",
                        sas.len(),
                        sas.iter().map(|x| &x.head).collect::<Vec<_>>()
                    ));
                }
            }
            Outcome::Up { children, .. } => {
                if sas.len() != 2 * children {
                    f.push(format!(
                        "{side}: {} ESP SAs in the kernel (ip xfrm state), want {} (2 per child):\n{}\n{log_file}:\n{}",
                        sas.len(),
                        2 * children,
                        read(&out.join(format!("xfrm-state-{side}.txt"))).trim_end(),
                        tail(&read(&out.join(&log_file)), 15)
                    ));
                }
                match kernel_esp(
                    conn.esp.cipher.get(),
                    conn.esp.integrity.as_ref().map(|i| i.get()),
                ) {
                    None => f.push("no kernel name known for the ESP algorithms".into()),
                    Some((aead, name, bits, auth)) => {
                        for sa in &sas {
                            let got = if aead { &sa.aead } else { &sa.enc };
                            if got.as_ref().map(|(n, b)| (n.as_str(), *b)) != Some((name, bits)) {
                                f.push(format!(
                                    "{side}: SA `{}` has {}{got:?}, want {name} with a {bits}-bit key",
                                    sa.head,
                                    if aead { "aead " } else { "enc " }
                                ));
                            }
                            if !aead && sa.auth.as_deref() != auth {
                                f.push(format!(
                                    "{side}: SA `{}` has auth {:?}, want {auth:?}",
                                    sa.head, sa.auth
                                ));
                            }
                            if sa.if_id != e.if_id {
                                f.push(format!(
                                    "{side}: SA `{}` has if_id {:?}, want {:?} (ipsec-link.sh)",
                                    sa.head, sa.if_id, e.if_id
                                ));
                            }
                        }
                    }
                }
                if s.impls[i] == Impl::Swanctl {
                    check_ike(side, &read(&out.join(format!("sas-{side}.txt"))), conn, f);
                } else {
                    let st = read(&out.join(format!("sas-text-{side}.txt")));
                    if !(st.contains("ESTABLISHED_IKE_SA") || st.contains("ISAKMP SA established"))
                    {
                        f.push(format!(
                            "{side}: pluto shows no established IKE SA (whack --showstates):\n{}",
                            tail(&st, 10)
                        ));
                    }
                }
                // routes into the tunnel interface, as ipsec-link.sh or BGP put them
                let routes = main_routes(&read(&out.join(format!("routes-{side}.txt"))));
                if let Some(ifname) = &e.ifname {
                    for p in &e.routes {
                        let ok = routes.iter().any(|l| {
                            l.starts_with(&format!("{p} "))
                                && l.contains(&format!("dev {ifname} "))
                                && (!e.routes_bgp || l.contains("proto bgp"))
                        });
                        if !ok {
                            f.push(format!(
                                "{side}: no {}route {p} dev {ifname} in the kernel; main table:\n{}",
                                if e.routes_bgp { "BGP " } else { "" },
                                routes.join("\n")
                            ));
                        }
                    }
                    let links = read(&out.join(format!("links-{side}.txt")));
                    let head = links.lines().find(|l| {
                        l.contains(&format!(" {ifname}@")) || l.contains(&format!(" {ifname}:"))
                    });
                    match (head, e.mtu) {
                        (None, _) => f.push(format!("{side}: no interface {ifname} in the kernel")),
                        (Some(h), Some(m)) if !h.contains(&format!(" mtu {m} ")) => f.push(
                            format!("{side}: {ifname} is `{h}`, ipsec-link.sh sets mtu {m}"),
                        ),
                        _ => {}
                    }
                    if let Some(mss) = e.mss {
                        let ipt = read(&out.join(format!("iptables-{side}.txt")));
                        if !ipt.lines().any(|l| {
                            l.contains(&format!("-o {ifname} "))
                                && l.contains(&format!("--set-mss {mss}"))
                        }) {
                            f.push(format!(
                                "{side}: no TCPMSS --set-mss {mss} rule for {ifname}: {}",
                                ipt.trim()
                            ));
                        }
                        let after = read(&out.join(format!("iptables-{side}-after-down.txt")));
                        if after.contains(&format!("-o {ifname} ")) {
                            f.push(format!(
                                "{side}: the MSS rule is still there after `ipsec-link.sh down`"
                            ));
                        }
                    }
                    // down removes what up created
                    if r.get(&format!("LINK_DOWN_RC_{up}")).map(String::as_str) != Some("0") {
                        f.push(format!(
                            "{side}: ipsec-link.sh down exited {:?}",
                            r.get(&format!("LINK_DOWN_RC_{up}"))
                        ));
                    }
                    let after = read(&out.join(format!("links-{side}-after-down.txt")));
                    if after.contains(&format!(" {ifname}@"))
                        || after.contains(&format!(" {ifname}:"))
                    {
                        f.push(format!(
                            "{side}: {ifname} still exists after `ipsec-link.sh down`"
                        ));
                    }
                }
            }
        }
    }
    match &s.outcome {
        Outcome::Down { evidence } => {
            let logs: String = ["cloud", "customer"]
                .iter()
                .flat_map(|side| [format!("charon-{side}.log"), format!("pluto-{side}.log")])
                .map(|n| std::fs::read_to_string(out.join(n)).unwrap_or_default())
                .collect();
            if !logs.contains(evidence) {
                f.push(format!(
                    "no `{evidence}` in the daemons' logs: down for another reason? customer log tail:\n{}",
                    tail(&read(&out.join("charon-customer.log")), 15)
                ));
            }
            details.push(format!("stayed down: `{evidence}` logged"));
        }
        Outcome::Up {
            children,
            pings,
            bgp,
            hc,
        } => {
            let n: usize = r
                .get("PING_COUNT")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if n != *pings {
                f.push(format!("{n} pings run, want {pings}"));
            }
            let bad: Vec<String> = (1..=n)
                .filter_map(|i| r.get(&format!("PING_{i}")))
                .filter(|p| !p.ends_with(" 0"))
                .cloned()
                .collect();
            if !bad.is_empty() {
                f.push(format!(
                    "pings with loss (side src dst loss%): {bad:?}\n{}",
                    tail(&read(&out.join("pings.txt")), 12)
                ));
            }
            if let Some((cloud_ip, cust_ip)) = bgp {
                for (side, peer, want) in [
                    ("cloud", cust_ip, s.sides[0].routes.len()),
                    ("customer", cloud_ip, s.sides[1].routes.len()),
                ] {
                    let text = read(&out.join(format!("bgp-summary-{side}.json")));
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    let p = &v["ipv4Unicast"]["peers"][peer.to_string()];
                    if p["state"].as_str() != Some("Established")
                        || p["pfxRcd"].as_u64() != Some(want as u64)
                    {
                        f.push(format!(
                            "BGP {side}: peer {peer} state {:?}, {:?} prefixes received, want Established with {want} (bgpd-{side}.log tail:\n{})",
                            p["state"],
                            p["pfxRcd"],
                            tail(&read(&out.join(format!("bgpd-{side}.log"))), 10)
                        ));
                    }
                }
                details.push("BGP Established, routes via BGP".into());
            }
            if let Some((sip, dip)) = hc {
                if r.get("HC_PROBE_LOSS").map(String::as_str) != Some("0") {
                    f.push(format!(
                        "health probe {sip} -> {dip} lost {:?}%",
                        r.get("HC_PROBE_LOSS")
                    ));
                }
                if r.get("HC_PROBE_DOWN_LOSS").map(String::as_str) != Some("100") {
                    f.push(format!(
                        "the probe still answered after dip was removed: loss {:?}%",
                        r.get("HC_PROBE_DOWN_LOSS")
                    ));
                }
                details.push(format!("probe {sip} -> {dip} crossed"));
                if s.env.iter().any(|(k, v)| k == "HC_MONITOR" && v == "1") {
                    // revoke_route as documented: the cloud withdraws its routes to the
                    // customer's subnets after `retry` lost probes, and restores them
                    let routes = &s.sides[0].routes;
                    let revoked = read(&out.join("hc-routes-revoked.txt"));
                    let restored = read(&out.join("hc-routes-restored.txt"));
                    if r.get("HC_REVOKED").map(String::as_str) != Some("1")
                        || routes
                            .iter()
                            .any(|p| revoked.lines().any(|l| l.starts_with(&format!("{p} "))))
                    {
                        f.push(format!(
                            "health-monitor.sh did not withdraw {routes:?} after dip stopped answering \
                             (HC_REVOKED {:?}); routes:\n{revoked}\nmonitor output:\n{}",
                            r.get("HC_REVOKED"),
                            tail(&read(&out.join("hc-monitor.out")), 10)
                        ));
                    }
                    if r.get("HC_RESTORED").map(String::as_str) != Some("1")
                        || !routes
                            .iter()
                            .all(|p| restored.lines().any(|l| l.starts_with(&format!("{p} "))))
                    {
                        f.push(format!(
                            "health-monitor.sh did not restore {routes:?} when dip answered again \
                             (HC_RESTORED {:?}); routes:\n{restored}\nmonitor output:\n{}",
                            r.get("HC_RESTORED"),
                            tail(&read(&out.join("hc-monitor.out")), 10)
                        ));
                    }
                    details.push(format!(
                        "revoke_route: routes withdrawn after {} ms, restored after {} ms",
                        r.get("HC_REVOKE_MS").map_or("?", String::as_str),
                        r.get("HC_RESTORE_MS").map_or("?", String::as_str)
                    ));
                }
            }
            let esp = kernel_esp(
                conn.esp.cipher.get(),
                conn.esp.integrity.as_ref().map(|i| i.get()),
            )
            .map(|(_, n, b, a)| {
                format!("{n}/{b}{}", a.map(|a| format!("+{a}")).unwrap_or_default())
            })
            .unwrap_or_default();
            details.insert(
                0,
                format!(
                    "{} {} SAs/side ({esp}{}); {n} pings",
                    match conn.ike.version.get() {
                        IkeVersion::Ikev1 => "IKEv1",
                        IkeVersion::Ikev2 => "IKEv2",
                    },
                    2 * children,
                    s.sides[0]
                        .if_id
                        .map(|i| format!(", if_id {i}"))
                        .unwrap_or_default()
                ),
            );
            if let Some(m) = s.sides[1].mtu {
                details.push(format!("mtu {m} mss {}", s.sides[1].mss.unwrap_or(0)));
            }
        }
    }
    if let Some(ms) = r.get("SA_WAIT_MS") {
        details.push(format!("SAs after {ms} ms"));
    }
    if let Some(ms) = r.get("BGP_WAIT_MS") {
        details.push(format!("routes after {ms} ms"));
    }
    let _ = &s.env;
    details.join("; ")
}

/// The IKE SA of a charon side (`swanctl --list-sas --raw`): ESTABLISHED with the configured
/// algorithms (the host lab's vici names).
fn check_ike(side: &str, raw: &str, conn: &Connection, f: &mut Vec<String>) {
    let sas = match vici::parse_list_sas(raw) {
        Ok(s) => s,
        Err(e) => {
            f.push(format!("{side}: list-sas: {e}"));
            return;
        }
    };
    let est: Vec<_> = sas
        .iter()
        .filter(|s| s.sa.str("state") == Some("ESTABLISHED"))
        .collect();
    if est.len() != 1 {
        f.push(format!(
            "{side}: {} IKE SAs ESTABLISHED, want 1:\n{}",
            est.len(),
            tail(raw, 5)
        ));
        return;
    }
    let ike = &est[0].sa;
    let want_ver = match conn.ike.version.get() {
        IkeVersion::Ikev1 => "1",
        IkeVersion::Ikev2 => "2",
    };
    let mut eq = |what: &str, got: Option<&str>, want: Option<&str>| {
        if got != want {
            f.push(format!(
                "{side} IKE {what}: negotiated {got:?}, configured {want:?}"
            ));
        }
    };
    eq("version", ike.str("version"), Some(want_ver));
    if let Some((alg, size)) = vici::cipher(conn.ike.cipher.get()) {
        eq("encr-alg", ike.str("encr-alg"), Some(alg));
        let size = size.map(|s| s.to_string());
        eq("encr-keysize", ike.str("encr-keysize"), size.as_deref());
    }
    if let Some(i) = conn.ike.integrity.as_ref() {
        eq("integ-alg", ike.str("integ-alg"), vici::integrity(i.get()));
    }
    if let Some(p) = conn.ike.effective_prf() {
        eq("prf-alg", ike.str("prf-alg"), vici::prf(p));
    }
    eq("dh-group", ike.str("dh-group"), vici::dh(conn.ike.dh.get()));
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

#[test]
fn link_script_values_are_read_as_written() {
    let s = "IFNAME=xfrm928\nIF_ID=928\n    ip link set \"$IFNAME\" mtu 1400 up\n  -j TCPMSS --set-mss 1360\n";
    assert_eq!(assigned(s, "IFNAME").as_deref(), Some("xfrm928"));
    assert_eq!(assigned(s, "IF_ID").as_deref(), Some("928"));
    assert_eq!(word_after(s, " mtu ").as_deref(), Some("1400"));
    assert_eq!(word_after(s, "--set-mss ").as_deref(), Some("1360"));
}
