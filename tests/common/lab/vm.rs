//! The VM lab's runner: QEMU boots of Debian's own kernel (lab/vm/, see
//! ../shared/notes/vm-lab.md), each running its share of the scenarios in one boot: kernel ESP,
//! xfrm interfaces, zebra, pluto. Each scenario is
//! written as `scenario.env` beside its rendered files; lab/vm/scenario.sh runs it inside the
//! guest and records into `<scenario>/out/`, read back here as a `Record`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ipnetwork::IpNetwork;

use super::expect::{read, tail, PingRecord, Record};
use super::scenario::{first_host, Outcome, Scenario, SIDES};

/// Why the VM lab cannot run here, or `None`.
pub fn unavailable() -> Option<String> {
    let mut missing: Vec<String> = crate::skip::not_root().into_iter().collect();
    missing.extend(crate::skip::missing_paths(&[
        "/opt/vmlab/initrd.cpio.gz",
        "/opt/vmlab/kernel/lib/modules",
        "/usr/bin/qemu-system-x86_64",
        "/usr/lib/ipsec/charon",
        "/usr/lib/frr/bgpd",
        "/usr/lib/frr/zebra",
        "/opt/libreswan/usr/libexec/ipsec/pluto",
        "/opt/trixie-libreswan/usr/libexec/ipsec/pluto",
        "/usr/bin/certutil",
        "/usr/sbin/iptables",
        "/bin/busybox",
    ]));
    (!missing.is_empty()).then(|| missing.join("; "))
}

pub const HOW: &str =
    "Run as root after `bash lab/install-deps.sh` (Debian 12; it runs lab/vm/setup.sh).";

/// `scenario.env` for lab/vm/scenario.sh (see its header).
pub fn env(s: &Scenario) -> Vec<(String, String)> {
    let lan = |v: &[IpNetwork]| -> String {
        v.iter()
            .filter_map(|n| first_host(n).map(|h| format!("{h}/{}", n.prefix())))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let words = |v: &[IpAddr]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let states = (2 * s.children()).to_string();
    let mut env: Vec<(&str, String)> = vec![
        ("CLOUD_IMPL", s.impls[0].id().to_owned()),
        ("CUSTOMER_IMPL", s.impls[1].id().to_owned()),
        (
            "CLOUD_IPS",
            s.tunnels
                .iter()
                .map(|t| t.cloud_ip.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (
            "CUSTOMER_IPS",
            s.tunnels
                .iter()
                .map(|t| t.customer_ip.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("CLOUD_LAN", lan(&s.subnets[0])),
        ("CUSTOMER_LAN", lan(&s.subnets[1])),
        ("CLOUD_LO", words(&s.lo[0])),
        ("CUSTOMER_LO", words(&s.lo[1])),
        ("EXPECT_STATES_CLOUD", states.clone()),
        ("EXPECT_STATES_CUSTOMER", states),
        ("TRIGGER", if s.trigger { "1" } else { "0" }.into()),
        (
            "SELF_START",
            s.self_start.map_or("", |side| side.id()).to_owned(),
        ),
        ("INITIATE", s.initiate.join(" ")),
        // the side that initiates INITIATE (cloud: the customer's own start is held)
        ("INITIATOR", s.initiator.id().to_owned()),
        (
            "PINGS",
            s.pings
                .iter()
                .map(|p| format!("{} {} {}", p.side.id(), p.src, p.dst))
                .collect::<Vec<_>>()
                .join(";"),
        ),
        (
            "ACTIONS",
            s.actions
                .iter()
                .map(|a| a.shell())
                .collect::<Vec<_>>()
                .join(";"),
        ),
        ("HC_MONITOR", if s.hc_monitor { "1" } else { "0" }.into()),
    ];
    match &s.outcome {
        Outcome::Down { evidence, .. } => {
            env.push(("SA_WAIT", "30".into()));
            env.push(("EVIDENCE", evidence.clone()));
        }
        Outcome::Up { rekey } => {
            if !rekey.is_empty() {
                // from the cloud: an IKEv2 rekey re-proposes the cloud's full selector list
                // (docs/alibaba-reference.md 10.5), whoever initiated
                env.push(("REKEY_FROM", "cloud".into()));
                env.push(("REKEY_CHILDREN", rekey.join(" ")));
            }
            env.push(("SA_WAIT", "90".into()));
            env.push(("BGP", if s.bgp.is_some() { "1" } else { "0" }.into()));
            env.push(("WAIT_ROUTES_CLOUD", s.sides[0].routes.join(" ")));
            env.push(("WAIT_ROUTES_CUSTOMER", s.sides[1].routes.join(" ")));
            env.push(("WAIT_VIA_CLOUD", s.sides[0].via.join(" ")));
            env.push(("WAIT_VIA_CUSTOMER", s.sides[1].via.join(" ")));
            env.push(("BGP_PEERS", s.bgp_sessions().len().to_string()));
        }
    }
    let mut env: Vec<(String, String)> = env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    for (k, v) in &s.knobs {
        env.retain(|(ek, _)| ek != k);
        env.push((k.clone(), v.clone()));
    }
    env
}

/// Write `scenario.env` into the scenario's folder.
pub fn write(s: &Scenario) -> Result<(), String> {
    let text: String = env(s)
        .iter()
        .map(|(k, v)| format!("{k}='{}'\n", v.replace('\'', "")))
        .collect();
    std::fs::write(s.dir.join("scenario.env"), text).map_err(|e| e.to_string())
}

/// The rendered files of a scenario without comment lines, and its settings: two scenarios
/// with the same signature need not run twice.
pub fn signature(s: &Scenario) -> String {
    let mut sig = format!("{:?}\n", env(s));
    for side in SIDES {
        let mut files: Vec<PathBuf> = std::fs::read_dir(s.side_dir(side))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        for f in files {
            let _ = writeln!(
                sig,
                "== {}/{}",
                side.id(),
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

/// One boot that ran every scenario under `run`/scenarios/.
pub struct Boot {
    /// runner problem (the VM did not complete), if any
    pub problem: Option<String>,
    pub wall: Duration,
    /// lab/vm/guest.sh's guest.env
    pub guest: BTreeMap<String, String>,
    /// per scenario slug: (ms, scenario.sh exit code)
    pub times: BTreeMap<String, (u64, i32)>,
}

/// Boot the VM once; guest.sh runs every scenario folder of `run`/scenarios (sorted). The VM is
/// killed after `timeout_s`.
pub fn boot(run: &Path, timeout_s: u64) -> Boot {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t0 = Instant::now();
    let console = run.join("console.log");
    let status = Command::new("timeout")
        .args(["-k", "10", &(timeout_s + 30).to_string(), "bash"])
        .arg(root.join("lab/vm/runvm.sh"))
        .arg(root.join("lab/vm/guest.sh"))
        .arg(run)
        .env("VMTIMEOUT", timeout_s.to_string())
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
    let wall = t0.elapsed();
    let guest = read_env(&run.join("guest.env"));
    let problem = (status.code() != Some(0) || !guest.contains_key("SCENARIOS")).then(|| {
        format!(
            "the VM did not complete (runvm.sh exit {:?}, after {:.1} s; 124: killed at the \
             {timeout_s} s limit); console tail:\n{}",
            status.code(),
            wall.as_secs_f64(),
            tail(&read(&console), 40)
        )
    });
    // SC_<i>_* are written as each scenario ends (also when the VM is killed later)
    let mut times = BTreeMap::new();
    for i in 1.. {
        let Some(name) = guest.get(&format!("SC_{i}_NAME")) else {
            break;
        };
        let ms = guest
            .get(&format!("SC_{i}_MS"))
            .and_then(|v| v.parse().ok());
        let rc = guest
            .get(&format!("SC_{i}_RC"))
            .and_then(|v| v.parse().ok());
        times.insert(name.clone(), (ms.unwrap_or(0), rc.unwrap_or(-1)));
    }
    Boot {
        problem,
        wall,
        guest,
        times,
    }
}

/// What scenario.sh recorded for `s` in this boot.
pub fn record(s: &Scenario, boot: &Boot) -> (Record, Duration) {
    let out = s.dir.join("out");
    let values = read_env(&out.join("result.env"));
    let Some((ms, rc)) = boot.times.get(&s.slug).copied() else {
        let mut r = Record::failed(
            out,
            Some("never ran: the VM stopped before this scenario".into()),
            true,
        );
        r.values = values;
        return (r, Duration::ZERO);
    };
    let mut problems = Vec::new();
    if rc != 0 {
        problems.push(format!(
            "scenario.sh exit {rc} (124: timed out in the guest); scenario.stdout:\n{}",
            tail(&read(&s.dir.join("scenario.stdout")), 15)
        ));
    }
    if values.get("DONE").map(String::as_str) != Some("1") {
        problems.push(format!(
            "the scenario did not finish (result.env: {:?}); scenario.log:\n{}",
            values.keys().collect::<Vec<_>>(),
            tail(&read(&out.join("scenario.log")), 10)
        ));
    }
    let mut load: [Option<String>; 2] = [None, None];
    for side in SIDES {
        let id = side.id();
        let rc = values.get(&format!("LOAD_RC_{}", id.to_uppercase()));
        if rc.map(String::as_str) != Some("0") {
            load[super::scenario::index(side)] = Some(format!(
                "rc {rc:?}:\n{}",
                tail(&read(&out.join(format!("load-{id}.out"))), 10)
            ));
        }
    }
    let n: usize = values
        .get("PING_COUNT")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let pings = (1..=n)
        .map(|i| {
            let v = values
                .get(&format!("PING_{i}"))
                .cloned()
                .unwrap_or_default();
            let w: Vec<&str> = v.split_whitespace().collect();
            let at = |k: usize| w.get(k).copied().unwrap_or("?").to_owned();
            PingRecord {
                side: at(0),
                src: at(1),
                dst: at(2),
                ok: w.len() == 4 && w[3] == "0",
                loss: at(3),
            }
        })
        .collect();
    let initiate = (!s.initiate.is_empty()).then(|| {
        let failed: Vec<&String> = s
            .initiate
            .iter()
            .filter(|c| values.get(&format!("INITIATE_RC_{c}")).map(String::as_str) != Some("0"))
            .collect();
        (
            (s.initiate.len() - failed.len()) as i64,
            failed.len() as i64,
            s.initiate.join(","),
        )
    });
    let r = Record {
        dir: out,
        fatal: None,
        problems,
        load,
        pings,
        initiate,
        configured_children: None,
        rekey_ok: values.get("REKEY_ALL_OK").map(|v| v == "1"),
        kernel: true,
        values,
    };
    (r, Duration::from_millis(ms))
}

pub fn read_env(p: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}
