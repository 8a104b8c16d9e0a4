//! Fleet-scale benchmark (a bench binary: `cargo bench --bench fleet`; the per-connection
//! criterion benchmark is `cargo bench --bench pipeline`).
//!
//! (b) the whole CLI process for one file (`render` to /dev/null);
//! (c) a generated fleet of 10,000 connections, as one native `connections:` file (through the
//!     CLI) and as 10,000 single files (in-process, on every core), rendered to swanctl+frr and
//!     to every target, into a temp dir on disk and on tmpfs;
//! (d) `ipsecgen check` over 1,000 and 10,000 files and over the 10,000-connection file.
//!
//! Prints medians and the peak memory of the CLI processes and of this process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ipsecgen::ir::Side;
use ipsecgen::render::{RenderOptions, Target};
use ipsecgen::source::Source;

const BIN: &str = env!("CARGO_BIN_EXE_ipsecgen");
const FLEET: usize = 10_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Octets for connection `i`: names, addresses and subnets all differ.
fn octets(i: usize) -> (usize, usize) {
    (i / 250, i % 250)
}

/// One Alibaba connection (request form); every fourth runs BGP (route-based: each takes one
/// of the 4,000 tunnel interface ids a run hands out, so 10,000 with half on BGP are refused).
fn aliyun_connection(i: usize) -> String {
    let (a, b) = octets(i);
    let bgp = if i.is_multiple_of(4) {
        format!(
            r#","BgpConfig":"{{\"EnableBgp\":\"true\",\"LocalAsn\":\"45104\",\"TunnelCidr\":\"169.254.{}.{}/30\",\"LocalBgpIp\":\"169.254.{}.{}\"}}","CustomerGateway":{{"IpAddress":"198.51.100.{}","Asn":{}}}"#,
            10 + a % 200,
            (b % 60) * 4,
            10 + a % 200,
            (b % 60) * 4 + 1,
            1 + b % 250,
            64512 + (i % 1000)
        )
    } else {
        format!(
            r#","CustomerGateway":{{"IpAddress":"198.51.100.{}"}}"#,
            1 + b % 250
        )
    };
    format!(
        r#"{{"Name":"fleet-{i}","LocalSubnet":"10.{a}.{b}.0/24","RemoteSubnet":"172.16.{b}.0/24,172.17.{b}.0/24","EffectImmediately":"true","IkeConfig":"{{\"Psk\":\"Hq7sN2vXk9PbT4mW{i}\",\"IkeVersion\":\"ikev2\",\"IkeEncAlg\":\"aes256\",\"IkeAuthAlg\":\"sha256\",\"IkePfs\":\"group14\",\"IkeLifetime\":28800}}","IpsecConfig":"{{\"IpsecEncAlg\":\"aes256\",\"IpsecAuthAlg\":\"sha256\",\"IpsecPfs\":\"group14\",\"IpsecLifetime\":3600}}","VpnGateway":{{"InternetIp":"203.0.113.{}"}}{bgp}}}"#,
        1 + b % 250
    )
}

/// The same fleet as one native file with `connections:`; PSKs are referenced from the
/// environment, as a committed fleet file should.
fn native_fleet(n: usize) -> String {
    let mut s = String::from("connections:\n");
    for i in 0..n {
        let (a, b) = octets(i);
        let (t3, t4) = (10 + a % 200, (b % 60) * 4);
        s.push_str(&format!("  - name: fleet-{i}\n"));
        if i.is_multiple_of(4) {
            s.push_str(&format!(
                "    cloud: {{gateway: 203.0.113.{g}, subnets: [10.{a}.{b}.0/24], asn: 45104, bgp_ip: 169.254.{t3}.{}}}\n    customer: {{gateway: 198.51.100.{g}, subnets: [172.16.{b}.0/24, 172.17.{b}.0/24], asn: {}, bgp_ip: 169.254.{t3}.{}}}\n    bgp: {{enabled: true, tunnel_cidr: 169.254.{t3}.{t4}/30}}\n",
                t4 + 1,
                64512 + i % 1000,
                t4 + 2,
                g = 1 + b % 250
            ));
        } else {
            s.push_str(&format!(
                "    cloud: {{gateway: 203.0.113.{g}, subnets: [10.{a}.{b}.0/24]}}\n    customer: {{gateway: 198.51.100.{g}, subnets: [172.16.{b}.0/24, 172.17.{b}.0/24]}}\n",
                g = 1 + b % 250
            ));
        }
        s.push_str("    psk: {env: FLEET_PSK}\n");
    }
    s
}

fn write_fleet(dir: &Path, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let p = dir.join(format!("conn-{i:05}.json"));
            std::fs::write(&p, aliyun_connection(i)).expect("write fleet file");
            p
        })
        .collect()
}

/// VmHWM of this process, in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The largest peak RSS of any child process waited for so far, in MiB.
fn children_peak_rss_mib() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; it is zero-initialised beforehand.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as f64 / 1024.0
}

/// Run the CLI; returns the wall time. Panics if it does not exit 0.
fn cli(args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(BIN)
        .args(args)
        // Without cargo's library folders, as a user's shell runs it (see benches/sweeps.rs).
        .env_remove("LD_LIBRARY_PATH")
        .env("FLEET_PSK", "Hq7sN2vXk9PbT4mWfleet")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    let elapsed = t.elapsed();
    assert!(
        out.status.success(),
        "ipsecgen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => count_files(&e.path()),
                Ok(_) => 1,
                Err(_) => 0,
            })
            .sum()
    })
}

/// Where outputs go: a temp dir on the disk, and one on tmpfs when there is one.
fn output_roots(tag: &str) -> Vec<(&'static str, PathBuf)> {
    let mut roots = vec![(
        "disk",
        std::env::temp_dir().join(format!("ipsecgen-bench-{tag}-{}", std::process::id())),
    )];
    if Path::new("/dev/shm").is_dir() {
        roots.push((
            "tmpfs",
            PathBuf::from(format!(
                "/dev/shm/ipsecgen-bench-{tag}-{}",
                std::process::id()
            )),
        ));
    }
    roots
}

/// One file through check and the given targets, in-process: its outputs, in a folder named
/// after the file (and the target, when there are several).
fn single_file(path: &Path, targets: &[&Target]) -> Vec<(String, ipsecgen::render::Output)> {
    let source = Source::read(&path.to_string_lossy()).expect("readable");
    let checked = ipsecgen::check(source, &Default::default());
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut outputs = Vec::new();
    for t in targets {
        // A target that cannot express a connection (frr without BGP) answers with an error.
        if let Ok(files) = ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), t) {
            let sub = if targets.len() > 1 {
                format!("{}/{stem}", t.name)
            } else {
                stem.clone()
            };
            outputs.extend(files.into_iter().map(|(d, f)| {
                let dir = if d.is_empty() {
                    sub.clone()
                } else {
                    format!("{sub}/{d}")
                };
                (dir, f)
            }));
        }
    }
    outputs
}

fn main() {
    let targets: Vec<&Target> = ipsecgen::render::registry().targets().collect();
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    println!("targets: {}", names.join(", "));
    let find = |n: &str| *targets.iter().find(|t| t.name == n).expect("target");
    let swan_frr = [find("swanctl"), find("frr")];

    // (b) the whole CLI process for one file.
    let samples: Vec<Duration> = (0..200)
        .map(|_| cli(&["render", "examples/aliyun/connection-static.json"]))
        .collect();
    println!(
        "(b) CLI process, render one file to /dev/null: median {:?} (200 runs)",
        median(samples)
    );

    let work = std::env::temp_dir().join(format!("ipsecgen-bench-in-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("files")).expect("mkdir");
    let fleet_file = work.join("fleet.yaml");
    std::fs::write(&fleet_file, native_fleet(FLEET)).expect("write fleet file");
    let fleet = fleet_file.to_string_lossy().into_owned();
    let files = write_fleet(&work.join("files"), FLEET);

    // (c1) the native file of 10,000 connections, through the CLI.
    println!("(c) {FLEET} connections in one native file, the CLI process:");
    for t in ["swanctl", "frr"] {
        let d = median(
            (0..3)
                .map(|_| cli(&["render", &fleet, "--target", t]))
                .collect(),
        );
        println!(
            "    {t}, not written (primary file to /dev/null): median {}",
            secs(d)
        );
    }
    for (kind, root) in output_roots("native") {
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join("swanctl-frr");
        let dirs = dir.to_string_lossy().into_owned();
        let fresh: Vec<Duration> = (0..3)
            .map(|_| {
                let _ = std::fs::remove_dir_all(&dir);
                cli(&["render", &fleet, "--target", "swanctl,frr", "-o", &dirs])
            })
            .collect();
        let again: Vec<Duration> = (0..3)
            .map(|_| cli(&["render", &fleet, "--target", "swanctl,frr", "-o", &dirs]))
            .collect();
        println!(
            "    swanctl+frr -o {kind}: {} files, new dir median {}, again (all unchanged) median {}",
            count_files(&dir),
            secs(median(fresh)),
            secs(median(again))
        );
        for t in &targets {
            let dir = root.join(&t.name);
            // Each connection in its default form (BGP route-based: ASA cannot carry BGP over a
            // policy-based tunnel), policy-based where the target has no route-based tunnels.
            let dir_arg = dir.to_string_lossy();
            let mut args = vec!["render", &fleet, "--target", &t.name, "-o", &dir_arg];
            if !t.features.route_based {
                args.extend(["--tunnel-mode", "policy"]);
            }
            let t0 = cli(&args);
            println!(
                "    {:<12} -o {kind:<5}: {:>6} files in {}",
                t.name,
                count_files(&dir),
                secs(t0)
            );
        }
        let _ = std::fs::remove_dir_all(&root);
    }
    println!(
        "    peak memory of any CLI process so far: {:.1} MiB",
        children_peak_rss_mib()
    );

    // (c2) 10,000 single files, in-process, on every core.
    println!("(c) {FLEET} single connection files, in-process on every core:");
    let t = Instant::now();
    let n: usize = ipsecgen::parallel::map_ordered(&files, |p| single_file(p, &swan_frr).len())
        .iter()
        .sum();
    println!(
        "    swanctl+frr, one check per file, not written: {n} files in {}",
        secs(t.elapsed())
    );
    for (kind, root) in output_roots("files") {
        let _ = std::fs::remove_dir_all(&root);
        let t = Instant::now();
        let outputs: Vec<_> =
            ipsecgen::parallel::map_ordered(&files, |p| single_file(p, &swan_frr))
                .into_iter()
                .flatten()
                .collect();
        let n = ipsecgen::write::to_dir(&root, &outputs, false)
            .expect("writes")
            .files
            .len();
        println!(
            "    swanctl+frr -o {kind}: {n} files in {}",
            secs(t.elapsed())
        );
        let _ = std::fs::remove_dir_all(&root);
    }
    for t in &targets {
        let one = [*t];
        let t0 = Instant::now();
        let n: usize = ipsecgen::parallel::map_ordered(&files, |p| single_file(p, &one).len())
            .iter()
            .sum();
        println!(
            "    {:<12} not written: {n:>6} files in {}",
            t.name,
            secs(t0.elapsed())
        );
    }
    println!("    peak memory of this process: {:.1} MiB", peak_rss_mib());

    // (d) `ipsecgen check` (the CLI process, all cores).
    for n in [1_000, FLEET] {
        let args: Vec<String> = std::iter::once("check".to_owned())
            .chain(files[..n].iter().map(|p| p.to_string_lossy().into_owned()))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let samples: Vec<Duration> = (0..5).map(|_| cli(&args)).collect();
        println!(
            "(d) ipsecgen check over {n} files: median {:?} (5 runs)",
            median(samples)
        );
    }
    let samples: Vec<Duration> = (0..5).map(|_| cli(&["check", &fleet])).collect();
    println!(
        "(d) ipsecgen check of one file with {FLEET} connections: median {:?} (5 runs)",
        median(samples)
    );
    let _ = std::fs::remove_dir_all(&work);
}
