//! Fleet-scale benchmark (a bench binary: `cargo bench --bench fleet`).
//!
//! (a) one connection, every target, in-process;
//! (b) the whole CLI process for one file (`render` to /dev/null);
//! (c) a generated fleet of 10,000 connection files rendered to every target into a temp dir;
//! (d) `ipsecgen check` over 1,000 and 10,000 files (the CLI process).
//! Prints medians / totals and the peak memory of this process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ipsecgen::ir::Side;
use ipsecgen::render::RenderOptions;
use ipsecgen::source::Source;

const BIN: &str = env!("CARGO_BIN_EXE_ipsecgen");

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A realistic connection; `i` varies names, addresses and subnets; every other one runs BGP.
fn connection(i: usize) -> String {
    let (a, b) = (i / 250, i % 250);
    let bgp = if i.is_multiple_of(2) {
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

fn write_fleet(dir: &Path, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let p = dir.join(format!("conn-{i:05}.json"));
            std::fs::write(&p, connection(i)).expect("write fleet file");
            p
        })
        .collect()
}

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

fn main() {
    let targets: Vec<_> = ipsecgen::render::registry().targets().collect();
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    println!("targets: {}", names.join(", "));

    // (a) one connection, every target, in-process.
    let text = std::fs::read_to_string("examples/aliyun/connection-bgp.json").expect("example");
    let mut samples = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        let checked = ipsecgen::check(Source::new("bench.json", text.clone()), &Default::default());
        for target in &targets {
            // A target that cannot express the connection answers with a capability error.
            let out = ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), target);
            std::hint::black_box(out.is_ok());
        }
        samples.push(t.elapsed());
    }
    println!(
        "(a) one connection, check + all {} targets, in-process: median {:?}",
        targets.len(),
        median(samples)
    );

    // (b) the whole CLI process for one file.
    let mut samples = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let st = Command::new(BIN)
            .args(["render", "examples/aliyun/connection-static.json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("runs");
        samples.push(t.elapsed());
        assert!(st.success());
    }
    println!(
        "(b) CLI process, render one file to /dev/null: median {:?} (200 runs)",
        median(samples)
    );

    // (c) a fleet of 10,000 files to every target, into a temp dir, on every core.
    let tmp = std::env::temp_dir().join(format!("ipsecgen-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("in")).expect("mkdir");
    let files = write_fleet(&tmp.join("in"), 10_000);
    for target in &targets {
        // Compute only: read, check and render every file, write nothing.
        let t = Instant::now();
        let rendered: Vec<usize> = ipsecgen::parallel::map_ordered(&files, |p| {
            let source = Source::read(&p.to_string_lossy()).expect("readable");
            let checked = ipsecgen::check(source, &Default::default());
            ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), target)
                .map_or(0, |o| o.len())
        });
        println!(
            "(c) 10,000 connections -> {:<8} {:>6} files rendered (not written) in {:?}",
            target.name,
            rendered.iter().sum::<usize>(),
            t.elapsed()
        );
        let out_dir = tmp.join("out").join(&target.name);
        let t = Instant::now();
        let written: Vec<usize> = ipsecgen::parallel::map_ordered(&files, |p| {
            let source = Source::read(&p.to_string_lossy()).expect("readable");
            let checked = ipsecgen::check(source, &Default::default());
            match ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), target) {
                Ok(out) => {
                    let stem = p
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    ipsecgen::write::to_dir(&out_dir.join(stem), &out, false)
                        .expect("writes")
                        .len()
                }
                Err(_) => 0, // e.g. frr for a connection without BGP: a capability error
            }
        });
        println!(
            "(c) 10,000 connections -> {:<8} {:>6} files written in {:?}",
            target.name,
            written.iter().sum::<usize>(),
            t.elapsed()
        );
    }
    println!(
        "    peak memory of this process so far: {:.1} MiB",
        peak_rss_mib()
    );

    // (d) `ipsecgen check` over 1,000 and 10,000 files (the CLI process, all cores).
    for n in [1_000, 10_000] {
        let mut samples = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let st = Command::new(BIN)
                .arg("check")
                .args(&files[..n])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("runs");
            samples.push(t.elapsed());
            assert!(st.code().is_some());
        }
        println!(
            "(d) ipsecgen check over {n} files: median {:?} (5 runs)",
            median(samples)
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
