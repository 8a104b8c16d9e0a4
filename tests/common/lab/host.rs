//! The host lab's runner: one scenario through lab/pair.sh (two charons in two network
//! namespaces on the host, kernel-libipsec, bgpd -Z without zebra), its results as a `Record`.
//! The host kernel has no ESP and no xfrm interfaces: policy-based swanctl only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::expect::{PingRecord, Record};
use super::scenario::{Impl, Mode, Outcome, Scenario};

/// Why the host lab cannot run here, or `None` when it can.
pub fn unavailable() -> Option<String> {
    let mut missing: Vec<String> = crate::skip::not_root().into_iter().collect();
    missing.extend(crate::skip::missing_paths(&[
        "/usr/lib/ipsec/charon",
        "/usr/lib/frr/bgpd",
    ]));
    for b in [
        "swanctl", "vtysh", "ip", "unshare", "ping", "timeout", "flock",
    ] {
        if which(b).is_none() {
            missing.push(format!("`{b}` not on PATH"));
        }
    }
    if !Path::new("/dev/net/tun").exists() {
        missing.push("/dev/net/tun missing (kernel-libipsec needs it)".to_owned());
    }
    (!missing.is_empty()).then(|| missing.join("; "))
}

/// How to make the host lab run.
pub const HOW: &str = "Run as root after `bash lab/install-deps.sh` (Debian 12).";

fn which(bin: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
}

/// lab/pair.sh settings that describe the case, never taken from the caller's environment.
const CASE_VARS: &[&str] = &[
    "LAB_NAME",
    "RESULTS_DIR",
    "CLOUD_IP",
    "CUSTOMER_IP",
    "CLOUD_SWANCTL",
    "CUSTOMER_SWANCTL",
    "CLOUD_SWANCTL_DIR",
    "CUSTOMER_SWANCTL_DIR",
    "CLOUD_SUBNETS",
    "CUSTOMER_SUBNETS",
    "CLOUD_LO_ADDRS",
    "CUSTOMER_LO_ADDRS",
    "CLOUD_BGPD",
    "CUSTOMER_BGPD",
    "INITIATE",
    "INITIATOR",
    "RESPONDER_START",
    "PINGS",
    "PING_SIDE",
    "REKEY_CHILDREN",
    "REFUSE_CHILDREN",
];

/// Run one scenario with lab/pair.sh under the name `lab_name` (distinct names may run at the
/// same time); results in `dir`/results.
pub fn run(lab_name: &str, s: &Scenario) -> Record {
    let results = s.dir.join("results");
    let fatal = |why: String| Record::failed(results.clone(), Some(why), false);
    if s.impls != [Impl::Swanctl; 2] || s.mode != Mode::Policy || s.tunnels.len() != 1 {
        return fatal(format!(
            "the host lab runs one policy-based swanctl tunnel per side, not {:?} {:?} x{}",
            s.impls,
            s.mode,
            s.tunnels.len()
        ));
    }
    if !s.actions.is_empty() {
        return fatal("the host lab takes no actions".into());
    }
    let t = &s.tunnels[0];
    let file = |side: &str, name: &str| s.dir.join(side).join(name);
    let nets = |v: &[ipnetwork::IpNetwork]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let addrs = |v: &[std::net::IpAddr]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let pings: Vec<String> = s
        .pings
        .iter()
        .map(|p| format!("{} {} {}", p.side.id(), p.src, p.dst))
        .collect();
    let mut env: Vec<(String, String)> = vec![
        ("CLOUD_IP".into(), t.cloud_ip.clone()),
        ("CUSTOMER_IP".into(), t.customer_ip.clone()),
        ("CLOUD_SUBNETS".into(), nets(&s.subnets[0])),
        ("CUSTOMER_SUBNETS".into(), nets(&s.subnets[1])),
        ("CLOUD_LO_ADDRS".into(), addrs(&s.lo[0])),
        ("CUSTOMER_LO_ADDRS".into(), addrs(&s.lo[1])),
        ("PINGS".into(), pings.join(";")),
        // one initiator per run: the other side's `start_action = start` is held
        ("INITIATOR".into(), s.initiator.id().into()),
        ("RESPONDER_START".into(), "none".into()),
        (
            "CLOUD_SWANCTL".into(),
            file("cloud", "swanctl.conf").to_string_lossy().into(),
        ),
        (
            "CUSTOMER_SWANCTL".into(),
            file("customer", "swanctl.conf").to_string_lossy().into(),
        ),
    ];
    if s.bgp.is_some() {
        for side in ["cloud", "customer"] {
            env.push((
                format!("{}_BGPD", side.to_uppercase()),
                file(side, "bgpd.conf").to_string_lossy().into(),
            ));
        }
    }
    if let Outcome::Up { rekey } = &s.outcome {
        if !rekey.is_empty() {
            env.push(("REKEY_CHILDREN".into(), rekey.join(" ")));
        }
    }
    if !s.initiate.is_empty() {
        env.push(("INITIATE".into(), s.initiate.join(" ")));
    }
    if !s.refused_children.is_empty() {
        env.push(("REFUSE_CHILDREN".into(), s.refused_children.join(" ")));
    }
    env.extend(s.knobs.iter().cloned());
    let out = run_pair(lab_name, &results, &env);
    let mut r = Record::failed(results.clone(), None, false);
    r.values = out.result;
    if out.exit != Some(0) {
        r.fatal = Some(format!(
            "lab/pair.sh exited {:?}: {} (results {})",
            out.exit,
            out.stderr.trim(),
            results.display()
        ));
        return r;
    }
    let num = |k: &str| r.values.get(k).and_then(|v| v.parse::<i64>().ok());
    if r.values.get("RUN_STATUS").map(String::as_str) != Some("ok") {
        r.problems
            .push(format!("RUN_STATUS={:?}", r.values.get("RUN_STATUS")));
    }
    for (i, side) in ["cloud", "customer"].into_iter().enumerate() {
        let up = side.to_uppercase();
        let rc = num(&format!("LOAD_{up}_RC"));
        let bad = num(&format!("LOAD_{up}_UNEXPECTED_LINES"));
        if rc != Some(0) || bad != Some(0) {
            r.load[i] = Some(format!(
                "swanctl --load-all: rc {rc:?}, {bad:?} unexpected lines; load-{side}.out:\n{}",
                super::expect::read(&results.join(format!("load-{side}.out"))).trim_end()
            ));
        }
    }
    let n = num("PING_COUNT").unwrap_or(0);
    r.pings = (1..=n)
        .map(|i| {
            let v = |k: &str| {
                r.values
                    .get(&format!("PING_{i}_{k}"))
                    .cloned()
                    .unwrap_or_else(|| "?".into())
            };
            PingRecord {
                side: v("SIDE"),
                ok: v("LOSS") == "0" && v("RC") == "0",
                src: v("SRC"),
                dst: v("DST"),
                loss: v("LOSS"),
            }
        })
        .collect();
    r.initiate = Some((
        num("INITIATE_OK").unwrap_or(-1),
        num("INITIATE_FAILED").unwrap_or(-1),
        r.values
            .get("INITIATE_CHILDREN")
            .cloned()
            .unwrap_or_default(),
    ));
    // the initiator's children: those initiated and those the peer must refuse
    r.configured_children =
        num("CHILDREN_EXPECTED").map(|n| n + num("REFUSE_CONFIGURED").unwrap_or(0));
    if matches!(s.outcome, Outcome::Up { .. }) && r.configured_children.is_none() {
        r.problems
            .push("pair.sh did not count the customer's children".into());
    }
    r.rekey_ok = num("REKEY_ALL_OK").map(|v| v == 1);
    r
}

/// The outcome of one lab/pair.sh run.
struct PairRun {
    exit: Option<i32>,
    stderr: String,
    /// result.json, values as strings.
    result: BTreeMap<String, String>,
}

/// Run lab/pair.sh with `env` (LAB_NAME and RESULTS_DIR are set here) and read its results.
/// The harness tears its namespaces down itself (trap), whatever happens; afterwards the work
/// dir under LAB_ROOT (it holds copies of the configs, PSKs included) is removed.
fn run_pair(lab_name: &str, results_dir: &Path, env: &[(String, String)]) -> PairRun {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let _ = std::fs::remove_dir_all(results_dir);
    std::fs::create_dir_all(results_dir).expect("results dir");
    let mut cmd = Command::new("bash");
    // What defines a case comes from the test alone; timing knobs (SA_WAIT, BGP_WAIT, ...),
    // LAB_ROOT and CHARON_PLUGINS / CHARON_EXTRA_OPTS may come from the caller's environment.
    for k in CASE_VARS {
        cmd.env_remove(k);
    }
    let out = cmd
        .arg(root.join("lab/pair.sh"))
        .env("LAB_NAME", lab_name)
        .env("RESULTS_DIR", results_dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run lab/pair.sh");
    let lab_root = env
        .iter()
        .find(|(k, _)| k == "LAB_ROOT")
        .map_or_else(|| PathBuf::from("/tmp/ipsecgen-lab"), |(_, v)| v.into());
    // Clean up only a lab no other run holds (pair.sh holds the lock while it runs): removing
    // another checkout's lock file and folder let two runs share one name.
    let lock = lab_root.join(format!(".{lab_name}.lock"));
    if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&lock) {
        if rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok() {
            let _ = std::fs::remove_dir_all(lab_root.join(lab_name));
            let _ = std::fs::remove_file(&lock);
        }
    }
    let result = std::fs::read_to_string(results_dir.join("result.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, s)
                })
                .collect()
        })
        .unwrap_or_default();
    PairRun {
        exit: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        result,
    }
}

/// Namespaces of lab runs whose name starts with `ipg-<prefix>`.
pub fn leftover_namespaces(prefix: &str) -> Vec<String> {
    Command::new("ip")
        .args(["netns", "list"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| l.split_whitespace().next())
                .filter(|n| n.starts_with(&format!("ipg-{prefix}")))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
