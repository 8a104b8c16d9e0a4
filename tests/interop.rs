//! The interop lab: every example under examples/ negotiates between two real strongSwan daemons
//! (cloud side and customer side, both rendered by the binary), with FRR bgpd on both sides when
//! the connection runs BGP. Negative pairs (wrong PSK, mismatched proposals) must not come up, and
//! canaries (rendered files altered as a broken template would) must be caught.
//!
//! Needs root and the packages of lab/install-deps.sh. Without them the test says so loudly and
//! passes, unless IPSECGEN_REQUIRE_LAB=1 (CI), where it fails.
//!
//!     cargo test --test interop -- --nocapture
//!
//! Results: a table on stdout and in target/interop-results.md; each case's rendered files and
//! lab/pair.sh results in target/interop/<case>/.

#[path = "interop/lab.rs"]
mod lab;
#[path = "interop/vici.rs"]
mod vici;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ipnetwork::IpNetwork;
use ipsecgen::ir::{Cipher, Connection, IkeVersion, Side};
use ipsecgen::source::Source;

/// Known examples for the negative pairs and canaries (one IKEv2, one IKEv1).
const IKEV2_EXAMPLE: &str = "examples/aliyun/connection-static.json";
const IKEV1_EXAMPLE: &str = "examples/aliyun/connection-ikev1.json";
/// A PSK that no example uses.
const WRONG_PSK: &str = "Wrong-PSK-for-the-interop-lab-0000";
/// More (customer subnet, cloud subnet) pairs than this: ping each subnet once instead.
const MAX_PING_PAIRS: usize = 16;

// ------------------------------------------------------------------ test entry

#[test]
fn every_example_negotiates_with_real_strongswan_and_frr() {
    if let Some(why) = lab::unavailable() {
        let msg = format!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !! INTEROP LAB DID NOT RUN: {why}\n\
             !! Run as root after `bash lab/install-deps.sh` (Debian 12).\n\
             !! Set IPSECGEN_REQUIRE_LAB=1 to make this a failure (CI does).\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        // straight to the stderr handle: eprintln! would be captured by the test harness
        let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
        if std::env::var("IPSECGEN_REQUIRE_LAB").as_deref() == Ok("1") {
            panic!("IPSECGEN_REQUIRE_LAB=1 but the interop lab cannot run: {why}");
        }
        return;
    }

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_owned();
    let out = target.join("interop");
    std::fs::create_dir_all(&out).expect("target/interop");
    // One lab at a time per target dir: other engineers may run this test concurrently, and
    // the results dirs below are per case name.
    let lock = std::fs::File::create(out.join(".lock")).expect("lock file");
    lock.lock().expect("lock target/interop");

    let t0 = Instant::now();
    let mut lab = Lab {
        root: root.clone(),
        out,
        prefix: format!("it{}", std::process::id()),
        counter: 0,
        rows: Vec::new(),
    };

    let examples = find_examples(&root.join("examples"));
    assert!(!examples.is_empty(), "no examples under examples/");
    for file in &examples {
        lab.example(file);
    }
    lab.negative_pairs();
    lab.canaries();

    let left = lab::leftover_namespaces(&lab.prefix);
    if !left.is_empty() {
        lab.rows.push(Row {
            case: "(all)".into(),
            kind: "hygiene".into(),
            wall: Duration::ZERO,
            details: String::new(),
            failures: vec![format!("namespaces left behind: {}", left.join(" "))],
        });
    }

    let wall = t0.elapsed();
    let table = lab.table(wall);
    println!("\n{table}");
    std::fs::write(target.join("interop-results.md"), &table).expect("write interop-results.md");

    let failed: Vec<&Row> = lab.rows.iter().filter(|r| !r.failures.is_empty()).collect();
    if !failed.is_empty() {
        let mut msg = format!(
            "{} of {} interop cases failed:\n",
            failed.len(),
            lab.rows.len()
        );
        for r in &failed {
            let _ = writeln!(msg, "\n=== {} [{}]", r.case, r.kind);
            for f in &r.failures {
                let _ = writeln!(msg, "  - {}", f.replace('\n', "\n    "));
            }
        }
        panic!("{msg}");
    }
}

/// Every examples/**/*.{json,yaml,yml,txt} (the inputs tests/snapshots.rs renders), sorted.
fn find_examples(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ipsecgen::render::example_files()
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .collect();
    found.sort();
    found
}

// ------------------------------------------------------------------ the lab

struct Row {
    case: String,
    kind: String,
    wall: Duration,
    details: String,
    failures: Vec<String>,
}

struct Lab {
    root: PathBuf,
    out: PathBuf,
    /// LAB_NAME prefix, unique per test process.
    prefix: String,
    counter: usize,
    rows: Vec<Row>,
}

/// What one positive run must show, from the IR.
struct Expect {
    /// The connection seen from the cloud.
    cloud: Connection,
    children: usize,
    /// The IKEv2 child rekeyed to prove the PFS group.
    rekey: Option<String>,
    pings: usize,
    bgp: Option<BgpPeers>,
    /// Client-to-site: the client address pool (the customer has no subnets, only the
    /// virtual address the server assigns).
    pool: Option<Vec<IpNetwork>>,
}

/// A negative pair: `section.key = value` in the input of `side`.
struct Negative {
    kind: &'static str,
    side: Side,
    section: &'static str,
    key: &'static str,
    value: &'static str,
    /// The IKE SA comes up (only the CHILD_SA must fail).
    ike_up: bool,
    /// What a charon log must say.
    evidence: &'static str,
}

#[derive(Clone, Copy)]
struct BgpPeers {
    cloud: Ipv4Addr,
    customer: Ipv4Addr,
    cloud_asn: Option<u32>,
    customer_asn: Option<u32>,
}

/// The rendered files and the lab settings of one run.
struct Setup {
    cloud_swanctl: String,
    customer_swanctl: String,
    cloud_bgpd: Option<String>,
    customer_bgpd: Option<String>,
    env: Vec<(String, String)>,
}

impl Lab {
    fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    }

    /// A directory for one case: target/interop/<slug>, emptied.
    fn case_dir(&self, case: &str, kind: &str) -> PathBuf {
        let slug: String = format!("{case}-{kind}")
            .trim_start_matches("examples/")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = self.out.join(slug);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("case dir");
        dir
    }

    fn next_name(&mut self) -> String {
        self.counter += 1;
        format!("{}-{:02}", self.prefix, self.counter)
    }

    /// Every connection of one example file: a positive run.
    fn example(&mut self, file: &Path) {
        let rel = self.rel(file);
        let t0 = Instant::now();
        let conns = match load(file, &rel) {
            Ok(c) => c,
            Err(e) => {
                self.rows.push(Row {
                    case: rel,
                    kind: "positive".into(),
                    wall: t0.elapsed(),
                    details: String::new(),
                    failures: vec![e],
                });
                return;
            }
        };
        let several = conns.len() > 1;
        for conn in &conns {
            let case = if several {
                format!("{rel}#{}", conn.name)
            } else {
                rel.clone()
            };
            let t0 = Instant::now();
            let dir = self.case_dir(&case, "positive");
            let only = several.then_some(conn.name.as_str());
            let prepared = plan(conn).and_then(|mut expect| {
                let setup = setup(file, file, only, &mut expect, &dir)?;
                Ok((expect, setup))
            });
            let (expect, setup) = match prepared {
                Ok(x) => x,
                Err(e) => {
                    self.rows.push(Row {
                        case,
                        kind: "positive".into(),
                        wall: t0.elapsed(),
                        details: String::new(),
                        failures: vec![e],
                    });
                    continue;
                }
            };
            let name = self.next_name();
            let run = run_setup(&name, &dir, &setup, &[]);
            let failures = check_positive(&run, &expect);
            self.rows.push(Row {
                case,
                kind: "positive".into(),
                wall: t0.elapsed(),
                details: summary(&expect, &run),
                failures,
            });
        }
    }

    /// Wrong PSK and mismatched proposals must not come up (IKEv2 and IKEv1).
    fn negative_pairs(&mut self) {
        for example in [IKEV2_EXAMPLE, IKEV1_EXAMPLE] {
            let file = self.root.join(example);
            let conn = match load(&file, example).and_then(|c| {
                c.into_iter()
                    .next()
                    .ok_or_else(|| "no connection".to_owned())
            }) {
                Ok(c) => c,
                Err(e) => {
                    self.rows.push(Row {
                        case: example.into(),
                        kind: "negative".into(),
                        wall: Duration::ZERO,
                        details: String::new(),
                        failures: vec![e],
                    });
                    continue;
                }
            };
            let v2 = conn.ike.version.get() == IkeVersion::Ikev2;
            let ike_cipher = other_cipher(conn.ike.cipher.get());
            let other_dh = if conn.ike.dh.get().0 == 14 {
                "group2"
            } else {
                "group14"
            };
            let neg = |kind, side, section, key, value, ike_up, evidence| Negative {
                kind,
                side,
                section,
                key,
                value,
                ike_up,
                evidence,
            };
            let mut cases = vec![
                neg(
                    "neg: wrong PSK",
                    Side::Customer,
                    "IkeConfig",
                    "Psk",
                    WRONG_PSK,
                    false,
                    // IKEv1 main mode: the responder cannot decrypt ID_V1 with another key
                    if v2 {
                        "AUTHENTICATION_FAILED"
                    } else {
                        "decryption failed?"
                    },
                ),
                if v2 {
                    neg(
                        "neg: IKE cipher",
                        Side::Cloud,
                        "IkeConfig",
                        "IkeEncAlg",
                        ike_cipher,
                        false,
                        "NO_PROPOSAL_CHOSEN",
                    )
                } else {
                    neg(
                        "neg: IKE DH group",
                        Side::Cloud,
                        "IkeConfig",
                        "IkePfs",
                        other_dh,
                        false,
                        "NO_PROPOSAL_CHOSEN",
                    )
                },
            ];
            if v2 {
                // IKE comes up, the CHILD_SA of IKE_AUTH fails with NO_PROPOSAL_CHOSEN
                cases.push(neg(
                    "neg: ESP cipher",
                    Side::Cloud,
                    "IpsecConfig",
                    "IpsecEncAlg",
                    other_cipher(conn.esp.cipher.get()),
                    true,
                    "NO_PROPOSAL_CHOSEN",
                ));
            }
            for Negative {
                kind,
                side,
                section,
                key,
                value,
                ike_up,
                evidence,
            } in cases
            {
                let t0 = Instant::now();
                let dir = self.case_dir(example, kind);
                let result = modified_copy(&file, &dir, section, key, value).and_then(|copy| {
                    let mut expect = plan(&conn)?;
                    let (cloud_in, customer_in) = match side {
                        Side::Cloud => (copy.as_path(), file.as_path()),
                        Side::Customer => (file.as_path(), copy.as_path()),
                    };
                    let setup = setup(cloud_in, customer_in, None, &mut expect, &dir)?;
                    Ok((expect, setup))
                });
                let (failures, details) = match result {
                    Err(e) => (vec![e], String::new()),
                    Ok((expect, mut setup)) => {
                        setup
                            .env
                            .retain(|(k, _)| k != "PINGS" && k != "REKEY_CHILDREN");
                        // one initiation is enough (each failing one costs INITIATE_TIMEOUT)
                        let first = child_names(&setup.customer_swanctl)
                            .first()
                            .cloned()
                            .unwrap_or_else(|| "all".into());
                        let name = self.next_name();
                        let run = run_setup(
                            &name,
                            &dir,
                            &setup,
                            &[
                                ("INITIATE", &first),
                                ("INITIATE_TIMEOUT", "3"),
                                ("SA_WAIT", "3"),
                                ("BGP_WAIT", "3"),
                            ],
                        );
                        let f = check_negative(&run, &expect, ike_up, evidence);
                        let d = format!(
                            "{key}={value} on the {} side: IKE {}/{}, children {}/{}",
                            side.id(),
                            run.get("IKE_ESTABLISHED_CLOUD").unwrap_or("?"),
                            run.get("IKE_ESTABLISHED_CUSTOMER").unwrap_or("?"),
                            run.get("CHILDREN_INSTALLED_CLOUD").unwrap_or("?"),
                            run.get("CHILDREN_INSTALLED_CUSTOMER").unwrap_or("?"),
                        );
                        (f, d)
                    }
                };
                self.rows.push(Row {
                    case: example.into(),
                    kind: kind.into(),
                    wall: t0.elapsed(),
                    details,
                    failures,
                });
            }
        }
    }

    /// Rendered files altered the way a broken template would alter them: the positive checks
    /// must report each one. Proves the lab fails when a template is wrong.
    fn canaries(&mut self) {
        let file = self.root.join(IKEV2_EXAMPLE);
        let conn = match load(&file, IKEV2_EXAMPLE).and_then(|c| {
            c.into_iter()
                .next()
                .ok_or_else(|| "no connection".to_owned())
        }) {
            Ok(c) => c,
            Err(e) => {
                self.rows.push(Row {
                    case: IKEV2_EXAMPLE.into(),
                    kind: "canary".into(),
                    wall: Duration::ZERO,
                    details: String::new(),
                    failures: vec![e],
                });
                return;
            }
        };
        let cipher = conn.ike.cipher.get().id();
        let wrong = other_cipher(conn.ike.cipher.get());
        // (kind, on which sides, what the broken template writes)
        let canaries: [(&str, bool, Alter); 2] = [
            (
                "canary: bad keyword",
                false,
                Box::new(|s: &str| s.replace("esp_proposals", "esp_proposal")),
            ),
            (
                "canary: wrong alg both sides",
                true,
                Box::new(move |s: &str| {
                    s.replace(
                        &format!("proposals = {cipher}-"),
                        &format!("proposals = {wrong}-"),
                    )
                }),
            ),
        ];
        for (kind, both, alter) in canaries {
            let t0 = Instant::now();
            let dir = self.case_dir(IKEV2_EXAMPLE, kind);
            let prepared = plan(&conn).and_then(|mut expect| {
                let mut setup = setup(&file, &file, None, &mut expect, &dir)?;
                setup.customer_swanctl = alter(&setup.customer_swanctl);
                if both {
                    setup.cloud_swanctl = alter(&setup.cloud_swanctl);
                }
                Ok((expect, setup))
            });
            let (failures, details) = match prepared {
                Err(e) => (vec![e], String::new()),
                Ok((expect, setup)) => {
                    let name = self.next_name();
                    let run = run_setup(&name, &dir, &setup, &[]);
                    let caught = check_positive(&run, &expect);
                    if caught.is_empty() {
                        (
                            vec!["the lab did NOT notice the broken configuration".into()],
                            String::new(),
                        )
                    } else {
                        let first = caught[0].lines().next().unwrap_or("").to_owned();
                        (
                            Vec::new(),
                            format!("caught ({} findings): {first}", caught.len()),
                        )
                    }
                }
            };
            self.rows.push(Row {
                case: IKEV2_EXAMPLE.into(),
                kind: kind.into(),
                wall: t0.elapsed(),
                details,
                failures,
            });
        }
    }

    fn table(&self, wall: Duration) -> String {
        let passed = self.rows.iter().filter(|r| r.failures.is_empty()).count();
        let mut t = String::from("# ipsecgen interop lab\n\n");
        let _ = writeln!(
            t,
            "{passed} of {} cases passed, wall time {:.1} s.\n",
            self.rows.len(),
            wall.as_secs_f64()
        );
        t.push_str("| example | case | result | wall | details |\n|---|---|---|---|---|\n");
        for r in &self.rows {
            let result = if r.failures.is_empty() {
                "PASS".to_owned()
            } else {
                format!("**FAIL** ({})", r.failures.len())
            };
            let details = if r.failures.is_empty() {
                r.details.clone()
            } else {
                let first = r.failures[0].lines().next().unwrap_or("");
                format!("{first}; {}", r.details)
            };
            let _ = writeln!(
                t,
                "| {} | {} | {} | {:.1} s | {} |",
                r.case,
                r.kind,
                result,
                r.wall.as_secs_f64(),
                details.replace('|', "\\|")
            );
        }
        t
    }
}

/// A change to a rendered file (a canary's "broken template").
type Alter = Box<dyn Fn(&str) -> String>;

fn other_cipher(c: Cipher) -> &'static str {
    // input vocabulary of the Alibaba API: aes = AES-128-CBC
    if c == Cipher::Aes256 {
        "aes"
    } else {
        "aes256"
    }
}

// ------------------------------------------------------------------ IR and rendering

/// Read and check one input through the library; errors are a failure.
fn load(file: &Path, name: &str) -> Result<Vec<Connection>, String> {
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

/// The first usable host of a subnet, exactly as lab/pair.sh puts it on lo.
fn first_host(net: &IpNetwork) -> Option<IpAddr> {
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

fn is_covered(sip: IpAddr, dip: IpAddr, cloud: &[IpNetwork], customer: &[IpNetwork]) -> bool {
    cloud.iter().any(|n| n.contains(sip)) && customer.iter().any(|n| n.contains(dip))
}

/// What a positive run must show, from the IR alone (README: "Output" and "BGP over the tunnel").
fn plan(conn: &Connection) -> Result<Expect, String> {
    let cloud = conn.view_from(Side::Cloud);
    let cloud_nets: Vec<IpNetwork> = cloud.local.subnets.iter().map(|s| s.get()).collect();
    let cust_nets: Vec<IpNetwork> = cloud.remote.subnets.iter().map(|s| s.get()).collect();
    let pool: Option<Vec<IpNetwork>> = cloud
        .remote_access
        .as_ref()
        .map(|ra| ra.pool.iter().map(|p| p.get()).collect());
    let mut children = match (&pool, cloud.ike.version.get()) {
        // client-to-site: one child, the VPC subnets <-> the assigned address
        (Some(_), _) => usize::from(!cloud_nets.is_empty()),
        // IKEv1 negotiates one selector pair per CHILD_SA
        (None, IkeVersion::Ikev1) => cloud_nets.len() * cust_nets.len(),
        (None, IkeVersion::Ikev2) => usize::from(!cloud_nets.is_empty() && !cust_nets.is_empty()),
    };
    let bgp = if cloud.bgp_enabled() {
        let (Some(c), Some(p)) = (&cloud.local.bgp.ip, &cloud.remote.bgp.ip) else {
            return Err("BGP enabled but the IR lacks a BGP address".into());
        };
        children += 1; // policy mode: a child between the two /32 BGP addresses
        Some(BgpPeers {
            cloud: c.get(),
            customer: p.get(),
            cloud_asn: cloud.local.bgp.asn.as_ref().map(|a| a.get()),
            customer_asn: cloud.remote.bgp.asn.as_ref().map(|a| a.get()),
        })
    } else {
        None
    };
    if let Some((sip, dip)) = health_probe(&cloud) {
        if !is_covered(sip, dip, &cloud_nets, &cust_nets) {
            children += 1; // the <name>-hc child
        }
    }
    let pairs = ping_pairs(&cloud);
    Ok(Expect {
        children,
        rekey: None,
        pings: pairs.len(),
        bgp,
        pool,
        cloud,
    })
}

fn health_probe(cloud: &Connection) -> Option<(IpAddr, IpAddr)> {
    let hc = cloud.health_check.as_ref()?;
    if !hc.enabled.value {
        return None;
    }
    Some((hc.sip.as_ref()?.get(), hc.dip.as_ref()?.get()))
}

/// "src dst" pairs pinged from the customer side.
fn ping_pairs(cloud: &Connection) -> Vec<(IpAddr, IpAddr)> {
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
    if let Some(b) = cloud.bgp_enabled().then_some(()).and(
        cloud
            .local
            .bgp
            .ip
            .as_ref()
            .zip(cloud.remote.bgp.ip.as_ref()),
    ) {
        pairs.push((IpAddr::V4(b.1.get()), IpAddr::V4(b.0.get())));
    }
    if let Some((sip, dip)) = health_probe(cloud) {
        if sip.is_ipv4() == dip.is_ipv4() {
            pairs.push((dip, sip));
        }
    }
    pairs
}

/// Render one file of one side with the binary. `conn`: the connection's sub-folder when the
/// input holds several (then `-o DIR`), else stdout.
fn render(
    input: &Path,
    side: Side,
    target: &str,
    policy: bool,
    conn: Option<&str>,
) -> Result<String, String> {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    cmd.env("NO_COLOR", "1").arg("render").arg(input).args([
        "--side",
        side.id(),
        "--target",
        target,
    ]);
    if policy {
        cmd.args(["--tunnel-mode", "policy"]);
    }
    let tmp = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    if conn.is_some() {
        cmd.arg("-o").arg(tmp.path().join("out"));
    }
    let out = cmd.output().map_err(|e| format!("run ipsecgen: {e}"))?;
    let what = format!(
        "ipsecgen render {} --side {} --target {target}{}",
        input.display(),
        side.id(),
        if policy { " --tunnel-mode policy" } else { "" }
    );
    if !out.status.success() {
        return Err(format!(
            "`{what}` exited {:?}: {} {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    match conn {
        None => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        Some(name) => {
            let file = if target == "frr" {
                "bgpd.conf"
            } else {
                "swanctl.conf"
            };
            let p = tmp.path().join("out").join(name).join(file);
            std::fs::read_to_string(&p).map_err(|e| format!("`{what} -o`: {}: {e}", p.display()))
        }
    }
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

/// The names of the children in a rendered swanctl.conf, in order.
fn child_names(swanctl: &str) -> Vec<String> {
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

/// Render both sides (cloud from `cloud_in`, customer from `customer_in`) and build the lab
/// settings from the IR (`expect`); sets `expect.rekey` for IKEv2.
fn setup(
    cloud_in: &Path,
    customer_in: &Path,
    only: Option<&str>,
    expect: &mut Expect,
    dir: &Path,
) -> Result<Setup, String> {
    let cloud = &expect.cloud;
    let bgp = expect.bgp.is_some();
    let cloud_swanctl = render(cloud_in, Side::Cloud, "swanctl", bgp, only)?;
    let customer_swanctl = render(customer_in, Side::Customer, "swanctl", bgp, only)?;
    let (cloud_bgpd, customer_bgpd) = if bgp {
        (
            Some(render(cloud_in, Side::Cloud, "frr", true, only)?),
            Some(render(customer_in, Side::Customer, "frr", true, only)?),
        )
    } else {
        (None, None)
    };
    let ip = |e: &ipsecgen::ir::Endpoint| {
        e.gateway
            .as_ref()
            .map(|g| g.get().to_string())
            .ok_or_else(|| format!("the IR has no gateway address for the {} side", e.side.id()))
    };
    let nets = |e: &ipsecgen::ir::Endpoint| {
        e.subnets
            .iter()
            .map(|s| s.get().to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut cloud_lo = Vec::new();
    let mut cust_lo = Vec::new();
    if let Some(b) = &expect.bgp {
        cloud_lo.push(b.cloud.to_string());
        cust_lo.push(b.customer.to_string());
    }
    if let Some((sip, dip)) = health_probe(cloud) {
        cloud_lo.push(sip.to_string());
        cust_lo.push(dip.to_string());
    }
    let pings: Vec<String> = ping_pairs(cloud)
        .iter()
        .map(|(s, d)| format!("{s} {d}"))
        .collect();
    let cloud_ip = ip(&cloud.local)?;
    let customer_ip = match (&cloud.remote_access, ip(&cloud.remote)) {
        (_, Ok(a)) => a,
        // client-to-site: the clients have no fixed address; give the lab's client one
        (Some(_), Err(_)) => lab_client_address(&cloud_ip),
        (None, Err(e)) => return Err(e),
    };
    let mut env = vec![
        ("CLOUD_IP".to_owned(), cloud_ip),
        ("CUSTOMER_IP".to_owned(), customer_ip),
        ("CLOUD_SUBNETS".to_owned(), nets(&cloud.local)),
        ("CUSTOMER_SUBNETS".to_owned(), nets(&cloud.remote)),
        ("CLOUD_LO_ADDRS".to_owned(), cloud_lo.join(" ")),
        ("CUSTOMER_LO_ADDRS".to_owned(), cust_lo.join(" ")),
        ("PINGS".to_owned(), pings.join(";")),
    ];
    // IKEv2: the first CHILD_SA comes with IKE_AUTH, without DH; rekey it to see the PFS group.
    if cloud.ike.version.get() == IkeVersion::Ikev2 {
        if let Some(first) = child_names(&customer_swanctl).first() {
            env.push(("REKEY_CHILDREN".to_owned(), first.clone()));
            expect.rekey = Some(first.clone());
        }
    }
    let s = Setup {
        cloud_swanctl,
        customer_swanctl,
        cloud_bgpd,
        customer_bgpd,
        env,
    };
    std::fs::write(dir.join("cloud.swanctl.conf"), &s.cloud_swanctl).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("customer.swanctl.conf"), &s.customer_swanctl)
        .map_err(|e| e.to_string())?;
    Ok(s)
}

/// A copy of an input with `section.key` set to `value` (the section may be a JSON string, as
/// in the API's request form). Written as JSON, which the Alibaba dialects read.
fn modified_copy(
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
    let p = dir.join("input.modified.json");
    std::fs::write(&p, serde_json::to_string_pretty(&doc).expect("json"))
        .map_err(|e| e.to_string())?;
    Ok(p)
}

fn run_setup(name: &str, dir: &Path, s: &Setup, extra: &[(&str, &str)]) -> lab::Run {
    let write = |f: &str, text: &str| {
        let p = dir.join(f);
        std::fs::write(&p, text).expect("write config");
        p.to_string_lossy().into_owned()
    };
    let mut env = s.env.clone();
    env.push((
        "CLOUD_SWANCTL".into(),
        write("cloud.swanctl.conf", &s.cloud_swanctl),
    ));
    env.push((
        "CUSTOMER_SWANCTL".into(),
        write("customer.swanctl.conf", &s.customer_swanctl),
    ));
    if let Some(b) = &s.cloud_bgpd {
        env.push(("CLOUD_BGPD".into(), write("cloud.bgpd.conf", b)));
    }
    if let Some(b) = &s.customer_bgpd {
        env.push(("CUSTOMER_BGPD".into(), write("customer.bgpd.conf", b)));
    }
    for (k, v) in extra {
        env.retain(|(ek, _)| ek != k);
        env.push(((*k).into(), (*v).into()));
    }
    lab::run(name, &dir.join("results"), &env)
}

// ------------------------------------------------------------------ judging a run

/// Problems of a run that must not happen in any case: the harness itself failed or a side did
/// not load its configuration cleanly.
fn check_run_and_load(run: &lab::Run, f: &mut Vec<String>) {
    if run.exit != Some(0) {
        f.push(format!(
            "lab/pair.sh exited {:?}: {} (results {})",
            run.exit,
            run.stderr.trim(),
            run.results_dir.display()
        ));
        return;
    }
    if run.get("RUN_STATUS") != Some("ok") {
        f.push(format!("RUN_STATUS={:?}", run.get("RUN_STATUS")));
    }
    for side in ["cloud", "customer"] {
        let s = side.to_uppercase();
        let rc = run.num(&format!("LOAD_{s}_RC"));
        let bad = run.num(&format!("LOAD_{s}_UNEXPECTED_LINES"));
        if rc != Some(0) || bad != Some(0) {
            f.push(format!(
                "swanctl --load-all ({side}): rc {rc:?}, {bad:?} unexpected lines; load-{side}.out:\n{}",
                run.file(&format!("load-{side}.out")).trim_end()
            ));
        }
    }
}

fn eq_check(f: &mut Vec<String>, what: &str, got: Option<&str>, want: Option<&str>) {
    if got != want {
        f.push(format!("{what}: negotiated {got:?}, configured {want:?}"));
    }
}

/// IKE SA and CHILD_SAs of one side against the IR.
fn check_sas(side: &str, run: &lab::Run, expect: &Expect, f: &mut Vec<String>) {
    let raw = run.file(&format!("sas-{side}.raw"));
    let sas = match vici::parse_list_sas(&raw) {
        Ok(s) => s,
        Err(e) => {
            f.push(format!("sas-{side}.raw: {e}"));
            return;
        }
    };
    let conn = &expect.cloud;
    let view = conn.view_from(if side == "cloud" {
        Side::Cloud
    } else {
        Side::Customer
    });
    let est: Vec<&vici::IkeSa> = sas
        .iter()
        .filter(|s| s.sa.str("state") == Some("ESTABLISHED"))
        .collect();
    if est.len() != 1 {
        f.push(format!(
            "{side}: {} IKE SAs ESTABLISHED, want 1 (sas-{side}.txt:\n{})",
            est.len(),
            run.file(&format!("sas-{side}.txt")).trim_end()
        ));
        return;
    }
    let ike = &est[0].sa;
    let want_version = match conn.ike.version.get() {
        IkeVersion::Ikev1 => "1",
        IkeVersion::Ikev2 => "2",
    };
    eq_check(
        f,
        &format!("{side} IKE version"),
        ike.str("version"),
        Some(want_version),
    );

    let ike_cipher = conn.ike.cipher.get();
    match vici::cipher(ike_cipher) {
        None => f.push(format!("no vici name known for IKE cipher {ike_cipher}")),
        Some((alg, size)) => {
            eq_check(
                f,
                &format!("{side} IKE encr-alg"),
                ike.str("encr-alg"),
                Some(alg),
            );
            let size = size.map(|s| s.to_string());
            eq_check(
                f,
                &format!("{side} IKE encr-keysize"),
                ike.str("encr-keysize"),
                size.as_deref(),
            );
        }
    }
    let integ = conn.ike.integrity.as_ref().map(|i| i.get());
    match integ.map(vici::integrity) {
        Some(None) => f.push(format!("no vici name known for {:?}", integ)),
        want => eq_check(
            f,
            &format!("{side} IKE integ-alg"),
            ike.str("integ-alg"),
            want.flatten(),
        ),
    }
    match conn.ike.effective_prf().map(vici::prf) {
        Some(None) => f.push("no vici name known for the PRF".into()),
        Some(Some(p)) => eq_check(
            f,
            &format!("{side} IKE prf-alg"),
            ike.str("prf-alg"),
            Some(p),
        ),
        None => {}
    }
    match vici::dh(conn.ike.dh.get()) {
        None => f.push(format!("no vici name known for {}", conn.ike.dh.get())),
        Some(g) => eq_check(
            f,
            &format!("{side} IKE dh-group"),
            ike.str("dh-group"),
            Some(g),
        ),
    }

    // CHILD_SAs: only INSTALLED ones (a rekeyed one lingers a few seconds as DELETED)
    let installed: Vec<(&str, &vici::Value)> = est
        .iter()
        .flat_map(|s| s.children())
        .filter(|(_, c)| c.str("state") == Some("INSTALLED"))
        .collect();
    if installed.len() != expect.children {
        f.push(format!(
            "{side}: {} CHILD_SAs INSTALLED, want {} (sas-{side}.txt:\n{})",
            installed.len(),
            expect.children,
            run.file(&format!("sas-{side}.txt")).trim_end()
        ));
    }
    let esp_cipher = vici::cipher(conn.esp.cipher.get());
    let esp_integ = conn.esp.integrity.as_ref().map(|i| i.get());
    let pfs = conn.esp.pfs.as_ref().map(|g| g.get());
    let pfs_name = pfs.and_then(vici::dh);
    if pfs.is_some() && pfs_name.is_none() {
        f.push(format!("no vici name known for PFS group {pfs:?}"));
    }
    let mut local_ts = BTreeSet::new();
    let mut remote_ts = BTreeSet::new();
    for (key, c) in &installed {
        let name = c.str("name").unwrap_or(key);
        let what = format!("{side} child {name}");
        match esp_cipher {
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
        match esp_integ.map(vici::integrity) {
            Some(None) => f.push(format!("no vici name known for {esp_integ:?}")),
            want => eq_check(
                f,
                &format!("{what} integ-alg"),
                c.str("integ-alg"),
                want.flatten(),
            ),
        }
        let rekeyed = expect.rekey.as_deref() == Some(name);
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
        local_ts.extend(c.list("local-ts").iter().cloned());
        remote_ts.extend(c.list("remote-ts").iter().cloned());
    }
    if let Some(r) = &expect.rekey {
        if !installed
            .iter()
            .any(|(_, c)| c.str("name") == Some(r.as_str()))
        {
            f.push(format!("{side}: the rekeyed child {r} is not INSTALLED"));
        }
    }
    if let Some(pool) = &expect.pool {
        // the client's side of every child is one assigned address from the pool
        let client_ts = if side == "cloud" {
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
                "{side}: the client's traffic selectors {client_ts:?} are not one address of the pool {pool:?}"
            ));
        }
    }
    for s in &view.local.subnets {
        if !local_ts.contains(&s.get().to_string()) {
            f.push(format!(
                "{side}: local subnet {} in no INSTALLED child's local-ts {local_ts:?}",
                s.get()
            ));
        }
    }
    for s in &view.remote.subnets {
        if !remote_ts.contains(&s.get().to_string()) {
            f.push(format!(
                "{side}: remote subnet {} in no INSTALLED child's remote-ts {remote_ts:?}",
                s.get()
            ));
        }
    }
}

/// The prefixes a side's bgpd received from `peer` (bgp-ipv4-<side>.json), with their AS paths.
fn bgp_received(
    run: &lab::Run,
    side: &str,
    peer: Ipv4Addr,
) -> Result<BTreeMap<String, String>, String> {
    let text = run.file(&format!("bgp-ipv4-{side}.json"));
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

fn check_bgp(run: &lab::Run, expect: &Expect, b: &BgpPeers, f: &mut Vec<String>) {
    let conn = &expect.cloud;
    let nets = |e: &ipsecgen::ir::Endpoint| -> BTreeSet<String> {
        e.subnets.iter().map(|s| s.get().to_string()).collect()
    };
    for (side, peer, want, peer_asn) in [
        ("cloud", b.customer, nets(&conn.remote), b.customer_asn),
        ("customer", b.cloud, nets(&conn.local), b.cloud_asn),
    ] {
        let s = side.to_uppercase();
        if run.get(&format!("BGP_{s}_STATE")) != Some("Established")
            || run.num(&format!("BGP_{s}_PEERS_ESTABLISHED")) != Some(1)
        {
            f.push(format!(
                "BGP {side}: state {:?}, {:?} of {:?} peers Established (bgpd-{side}.log tail:\n{})",
                run.get(&format!("BGP_{s}_STATE")),
                run.get(&format!("BGP_{s}_PEERS_ESTABLISHED")),
                run.get(&format!("BGP_{s}_PEERS")),
                tail(&run.file(&format!("bgpd-{side}.log")), 15)
            ));
        }
        if run.num(&format!("BGP_{s}_CONFIG_ERRORS")) != Some(0) {
            f.push(format!(
                "BGP {side}: bgpd rejected {:?} config lines (bgpd-{side}.log)",
                run.get(&format!("BGP_{s}_CONFIG_ERRORS"))
            ));
        }
        match bgp_received(run, side, peer) {
            Err(e) => f.push(format!("BGP {side}: {e}")),
            Ok(got) => {
                let prefixes: BTreeSet<String> = got.keys().cloned().collect();
                if prefixes != want {
                    f.push(format!(
                        "BGP {side}: received {prefixes:?} from {peer}, want exactly {want:?}"
                    ));
                }
                if let Some(asn) = peer_asn {
                    for (prefix, path) in &got {
                        if path.split_whitespace().next() != Some(asn.to_string().as_str()) {
                            f.push(format!(
                                "BGP {side}: {prefix} has AS path `{path}`, want it from AS {asn}"
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Everything a positive run must show.
fn check_positive(run: &lab::Run, expect: &Expect) -> Vec<String> {
    let mut f = Vec::new();
    check_run_and_load(run, &mut f);
    if run.exit != Some(0) {
        return f;
    }
    if run.num("INITIATE_FAILED") != Some(0) {
        f.push(format!(
            "{:?} initiations failed ({:?})",
            run.get("INITIATE_FAILED"),
            run.get("INITIATE_CHILDREN")
        ));
    }
    if run.num("CHILDREN_EXPECTED") != Some(expect.children as i64) {
        f.push(format!(
            "the customer config has {:?} children, the IR asks for {}",
            run.get("CHILDREN_EXPECTED"),
            expect.children
        ));
    }
    for side in ["CLOUD", "CUSTOMER"] {
        if run.num(&format!("IKE_ESTABLISHED_{side}")) != Some(1) {
            f.push(format!(
                "IKE_ESTABLISHED_{side}={:?}, want 1",
                run.get(&format!("IKE_ESTABLISHED_{side}"))
            ));
        }
        if run.num(&format!("CHILDREN_INSTALLED_{side}")) != Some(expect.children as i64) {
            f.push(format!(
                "CHILDREN_INSTALLED_{side}={:?}, want {}",
                run.get(&format!("CHILDREN_INSTALLED_{side}")),
                expect.children
            ));
        }
    }
    if expect.rekey.is_some() && run.num("REKEY_ALL_OK") != Some(1) {
        f.push(format!(
            "rekey of {:?} did not complete (rc {:?}; rekey-1-*.out, pair.log)",
            expect.rekey,
            run.get("REKEY_1_RC")
        ));
    }
    check_sas("customer", run, expect, &mut f);
    check_sas("cloud", run, expect, &mut f);
    if run.num("PING_COUNT") != Some(expect.pings as i64) || run.num("PING_ALL_OK") != Some(1) {
        let n = run.num("PING_COUNT").unwrap_or(0);
        let bad: Vec<String> = (1..=n)
            .filter(|i| run.num(&format!("PING_{i}_LOSS")) != Some(0))
            .map(|i| {
                format!(
                    "{} -> {}: {}% loss",
                    run.get(&format!("PING_{i}_SRC")).unwrap_or("?"),
                    run.get(&format!("PING_{i}_DST")).unwrap_or("?"),
                    run.get(&format!("PING_{i}_LOSS")).unwrap_or("?")
                )
            })
            .collect();
        f.push(format!(
            "pings: {n} of {} run, failing: [{}]",
            expect.pings,
            bad.join(", ")
        ));
    }
    if let Some(b) = &expect.bgp {
        check_bgp(run, expect, b, &mut f);
    }
    if !f.is_empty() {
        f.push(format!("results: {}", run.results_dir.display()));
    }
    f
}

/// A negative pair: loads cleanly, but no IKE SA (or, `ike_up`, the IKE SA but no CHILD_SA),
/// and for the expected reason: `evidence` in a charon log.
fn check_negative(run: &lab::Run, expect: &Expect, ike_up: bool, evidence: &str) -> Vec<String> {
    let mut f = Vec::new();
    check_run_and_load(run, &mut f);
    if run.exit != Some(0) {
        return f;
    }
    if !["cloud", "customer"]
        .iter()
        .any(|s| run.file(&format!("charon-{s}.log")).contains(evidence))
    {
        f.push(format!(
            "no `{evidence}` in charon-cloud.log / charon-customer.log: failed for another reason?"
        ));
    }
    for side in ["CLOUD", "CUSTOMER"] {
        let ike = run.num(&format!("IKE_ESTABLISHED_{side}"));
        if !ike_up && ike != Some(0) {
            f.push(format!(
                "IKE_ESTABLISHED_{side}={ike:?}: must not establish"
            ));
        }
        let ch = run.num(&format!("CHILDREN_INSTALLED_{side}"));
        if ch != Some(0) {
            f.push(format!(
                "CHILDREN_INSTALLED_{side}={ch:?} (of {}): must not install",
                expect.children
            ));
        }
    }
    if run.num("INITIATE_OK") != Some(0) {
        f.push(format!(
            "INITIATE_OK={:?}: initiation must fail",
            run.get("INITIATE_OK")
        ));
    }
    if !f.is_empty() {
        f.push(format!("results: {}", run.results_dir.display()));
    }
    f
}

fn summary(expect: &Expect, run: &lab::Run) -> String {
    let c = &expect.cloud;
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
    let mut s = format!(
        "{} {} / esp {}; {} children; {} pings",
        match c.ike.version.get() {
            IkeVersion::Ikev1 => "IKEv1",
            IkeVersion::Ikev2 => "IKEv2",
        },
        ike.join("-"),
        esp.join("-"),
        expect.children,
        expect.pings,
    );
    if let Some(r) = run.get("REKEY_1_CHILD") {
        let _ = write!(s, "; rekeyed {r}");
    }
    if expect.bgp.is_some() {
        let _ = write!(
            s,
            "; BGP pfx {}/{}",
            run.get("BGP_CLOUD_PFX_RCVD").unwrap_or("?"),
            run.get("BGP_CUSTOMER_PFX_RCVD").unwrap_or("?")
        );
    }
    if let Some(ms) = run.num("DURATION_MS") {
        let _ = write!(s, "; pair.sh {:.1} s", ms as f64 / 1000.0);
    }
    s
}

#[test]
fn child_names_of_a_swanctl_conf() {
    let conf = "connections {\n  c {\n    local {\n      id = x\n    }\n    children {\n      \
                a {\n        local_ts = 10.0.0.0/8\n      }\n      # note {\n      b-bgp {\n      \
                }\n    }\n  }\n}\nsecrets {\n  ike-c {\n  }\n}\n";
    assert_eq!(child_names(conf), ["a", "b-bgp"]);
}

#[test]
fn first_hosts_match_the_harness() {
    let h = |s: &str| first_host(&s.parse().unwrap()).map(|a| a.to_string());
    assert_eq!(h("10.1.1.0/24").as_deref(), Some("10.1.1.1"));
    assert_eq!(h("10.1.1.4/31").as_deref(), Some("10.1.1.4"));
    assert_eq!(h("10.1.1.7/32").as_deref(), Some("10.1.1.7"));
    assert_eq!(h("0.0.0.0/0"), None);
    assert_eq!(h("2001:db8:1::/64").as_deref(), Some("2001:db8:1::1"));
}
