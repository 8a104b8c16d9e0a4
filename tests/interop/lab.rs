//! Driving lab/pair.sh: is the lab usable here, one run, its results.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why the lab cannot run here, or `None` when it can.
pub fn unavailable() -> Option<String> {
    let mut missing = Vec::new();
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if uid.as_deref() != Some("0") {
        missing.push(format!(
            "not root (uid {}): network namespaces need root",
            uid.as_deref().unwrap_or("?")
        ));
    }
    for f in ["/usr/lib/ipsec/charon", "/usr/lib/frr/bgpd"] {
        if !Path::new(f).exists() {
            missing.push(format!("{f} missing"));
        }
    }
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
    if missing.is_empty() {
        None
    } else {
        Some(missing.join("; "))
    }
}

fn which(bin: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
}

/// The outcome of one lab/pair.sh run.
pub struct Run {
    pub exit: Option<i32>,
    pub stderr: String,
    pub results_dir: PathBuf,
    /// result.json, values as strings.
    pub result: BTreeMap<String, String>,
}

impl Run {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.result.get(key).map(String::as_str)
    }

    /// An integer result (`None` when absent or not a number).
    pub fn num(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(|v| v.parse().ok())
    }

    /// A file of the results dir, or a note that it could not be read.
    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.results_dir.join(name))
            .unwrap_or_else(|e| format!("<{name}: {e}>"))
    }
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
    "PINGS",
    "PING_SIDE",
    "REKEY_CHILDREN",
];

/// Run lab/pair.sh with `env` (LAB_NAME and RESULTS_DIR are set here) and read its results.
/// The harness tears its namespaces down itself (trap), whatever happens; afterwards the work
/// dir under LAB_ROOT (it holds copies of the configs, PSKs included) is removed.
pub fn run(lab_name: &str, results_dir: &Path, env: &[(String, String)]) -> Run {
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
    let _ = std::fs::remove_dir_all(lab_root.join(lab_name));
    let _ = std::fs::remove_file(lab_root.join(format!(".{lab_name}.lock")));
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
    Run {
        exit: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        results_dir: results_dir.to_owned(),
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
