//! The host lab: every example under examples/ negotiates between two real strongSwan daemons
//! (cloud side and customer side, both rendered by the binary), with FRR bgpd on both sides when
//! the connection runs BGP. Negative pairs (wrong PSK, mismatched proposals) must not come up, and
//! canaries (rendered files altered as a broken template would) must be caught.
//!
//! The scenarios, the runner and the assertions are the shared harness (tests/common/lab/):
//! the VM lab (tests/vmlab.rs) runs the same shape on a real kernel.
//!
//! Needs root and the packages of lab/install-deps.sh. Without them the test says so loudly and
//! passes, unless IPSECGEN_REQUIRE_LAB=1 (CI), where it fails.
//!
//!     cargo test --test interop -- --nocapture
//!
//! Results: a table on stdout and in target/interop-results.md; each case's rendered files and
//! lab/pair.sh results in target/interop/<case>/.

#[path = "common/lab/mod.rs"]
mod lab;
#[path = "common/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::time::Instant;

use ipsecgen::ir::{Cipher, Connection, IkeVersion, Side};

use lab::expect;
use lab::report::{self, Row};
use lab::scenario::{self, Impl, Mode, Plan, Scenario};

/// Known examples for the negative pairs and canaries (one IKEv2, one IKEv1: Alibaba takes one
/// CIDR block per side with IKEv1, so the 2x2 IKEv1 example is a refusal, not a positive case).
const IKEV2_EXAMPLE: &str = "examples/aliyun/connection-static.json";
const IKEV1_EXAMPLE: &str = "examples/aliyun/connection-ikev1-one-pair.json";
/// The kind of the run of a positive case with the cloud initiating and rekeying.
const CLOUD_INITIATES: &str = "positive, cloud initiates";
/// A PSK that no example uses.
const WRONG_PSK: &str = "Wrong-PSK-for-the-interop-lab-0000";

#[test]
fn every_example_negotiates_with_real_strongswan_and_frr() {
    if skip::did_not_run("the interop lab", lab::host::unavailable(), lab::host::HOW) {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // the results dirs below are per case name
    let (target, out, _lock) = report::locked_dir("interop");

    let t0 = Instant::now();
    let mut lab = Lab {
        root: root.clone(),
        out,
        prefix: format!("it{}", std::process::id()),
        counter: 0,
        rows: Vec::new(),
    };
    for rel in scenario::examples() {
        lab.example(&format!("examples/{rel}"));
    }
    lab.negative_pairs();
    lab.canaries();

    let left = lab::host::leftover_namespaces(&lab.prefix);
    if !left.is_empty() {
        lab.rows.push(Row::failed(
            "(all)".into(),
            "hygiene",
            format!("namespaces left behind: {}", left.join(" ")),
        ));
    }
    let head = format!(
        "strongSwan charon <-> charon on the host kernel (kernel-libipsec), FRR bgpd -Z; wall \
         time {:.1} s.",
        t0.elapsed().as_secs_f64()
    );
    let table = report::table("ipsecgen interop lab (host)", &head, &lab.rows);
    println!("\n{table}");
    std::fs::write(target.join("interop-results.md"), &table).expect("write interop-results.md");
    report::verdict("interop lab", &lab.rows);
}

struct Lab {
    root: PathBuf,
    out: PathBuf,
    /// LAB_NAME prefix, unique per test process.
    prefix: String,
    counter: usize,
    rows: Vec<Row>,
}

/// The host lab's plan for a connection: policy-based swanctl on both sides (BGP examples with
/// `--tunnel-mode policy`, the others as rendered by default), the IKEv2 child rekeyed.
fn host_plan<'a>(conn: &Connection, inputs: [&'a Path; 2], only: Option<&'a str>) -> Plan<'a> {
    Plan {
        kind: "positive".into(),
        mode: Mode::Policy,
        mode_flag: conn.bgp_enabled(),
        impls: [Impl::Swanctl; 2],
        inputs,
        only,
        rekey: true,
        reverse_ping: false,
        negative: None,
    }
}

impl Lab {
    /// A directory for one case: target/interop/<slug>, emptied.
    fn case_dir(&self, case: &str, kind: &str) -> PathBuf {
        let dir = self.out.join(report::slug(&format!("{case}-{kind}")));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("case dir");
        dir
    }

    fn next_name(&mut self) -> String {
        self.counter += 1;
        format!("{}-{:02}", self.prefix, self.counter)
    }

    /// Run a built scenario and record its row.
    fn run(&mut self, made: Result<Scenario, String>, case: &str, kind: &str, t0: Instant) {
        let s = match made {
            Ok(s) => s,
            Err(e) => {
                self.rows.push(Row::failed(case.into(), kind, e));
                return;
            }
        };
        let name = self.next_name();
        let record = lab::host::run(&name, &s);
        let checked = expect::check(&s, &record);
        self.rows.push(Row::of(&s, t0.elapsed(), checked));
    }

    /// Every connection of one example file: a positive run.
    fn example(&mut self, rel: &str) {
        let file = self.root.join(rel);
        if let Some(code) = scenario::cloud_refused(rel) {
            let t0 = Instant::now();
            let checked = expect::refusal(&file, code);
            self.rows.push(Row::judged(
                rel.into(),
                "refused (cloud)",
                t0.elapsed(),
                checked,
            ));
            return;
        }
        let conns = match scenario::load(&file, rel) {
            Ok(c) => c,
            Err(e) => {
                self.rows.push(Row::failed(rel.into(), "positive", e));
                return;
            }
        };
        let units = scenario::units(conns);
        let several = units.len() > 1;
        for unit in &units {
            let name = scenario::unit_name(unit);
            let case = if several {
                format!("{rel}#{name}")
            } else {
                rel.to_owned()
            };
            if unit.len() > 1 {
                // never rendered with --tunnel-mode policy: two tunnels are route-based only
                self.rows.push(Row::elsewhere(
                    case,
                    "positive",
                    format!(
                        "{} tunnels: route-based only (an xfrm interface each, which this kernel \
                         lacks); negotiated in the VM lab (tests/vmlab.rs)",
                        unit.len()
                    ),
                ));
                continue;
            }
            let conn = &unit[0];
            if let Some(net) = conn.all_traffic() {
                // never rendered policy-based: 0.0.0.0/0 is refused there
                // (render.policy-all-traffic, tests/selectors.rs)
                self.rows.push(Row::elsewhere(
                    case,
                    "positive",
                    format!(
                        "{} (destination routing): route-based only (an xfrm interface, which \
                         this kernel lacks); negotiated in the VM lab (tests/vmlab.rs)",
                        net.value
                    ),
                ));
                continue;
            }
            let only = several.then_some(name);
            let cloud_starts = self.positive(conn, &file, only, &case, Side::Customer);
            if cloud_starts {
                self.positive(conn, &file, only, &case, Side::Cloud);
            }
        }
    }

    /// One positive run of a connection with `initiator` initiating and rekeying (the other
    /// side's start held), every subnet pair pinged both ways. Returns whether the cloud's
    /// rendered config initiates by itself (start_action start or trap: Alibaba initiates on
    /// EffectImmediately=true, otherwise on traffic), i.e. whether the run with the cloud as
    /// initiator belongs to this case too (docs/alibaba-reference.md 10.5).
    fn positive(
        &mut self,
        conn: &Connection,
        file: &Path,
        only: Option<&str>,
        case: &str,
        initiator: Side,
    ) -> bool {
        let t0 = Instant::now();
        let kind = match initiator {
            Side::Customer => "positive",
            Side::Cloud => CLOUD_INITIATES,
        };
        let dir = self.case_dir(case, kind);
        let mut plan = host_plan(conn, [file, file], only);
        plan.kind = kind.into();
        let made = scenario::build(
            conn,
            &plan,
            &dir,
            report::slug(&format!("{case}-{kind}")),
            case.into(),
        )
        .map(|mut s| {
            s.initiator = initiator;
            s.ping_both_ways();
            if initiator == Side::Cloud {
                // the cloud never proposes the customer's unverified BGP child: its refusal
                // is asserted in the customer-initiated run
                s.refused_children.clear();
            }
            s
        });
        let starts = scenario::initiates(&expect::read(&dir.join("cloud/swanctl.conf")));
        self.run(made, case, kind, t0);
        starts
    }

    /// Wrong PSK and mismatched proposals must not come up (IKEv2 and IKEv1).
    fn negative_pairs(&mut self) {
        for example in [IKEV2_EXAMPLE, IKEV1_EXAMPLE] {
            let (file, conn) = match scenario::load_one(&self.root, example) {
                Ok(x) => x,
                Err(e) => {
                    self.rows.push(Row::failed(example.into(), "negative", e));
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
            // (kind, side whose input changes, section, key, value, IKE comes up, evidence)
            let mut cases: Vec<(&str, Side, &str, &str, &str, bool, &str)> = vec![
                (
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
                    (
                        "neg: IKE cipher",
                        Side::Cloud,
                        "IkeConfig",
                        "IkeEncAlg",
                        ike_cipher,
                        false,
                        "NO_PROPOSAL_CHOSEN",
                    )
                } else {
                    (
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
                cases.push((
                    "neg: ESP cipher",
                    Side::Cloud,
                    "IpsecConfig",
                    "IpsecEncAlg",
                    other_cipher(conn.esp.cipher.get()),
                    true,
                    "NO_PROPOSAL_CHOSEN",
                ));
            }
            for (kind, side, section, key, value, ike_up, evidence) in cases {
                let t0 = Instant::now();
                let dir = self.case_dir(example, kind);
                let made =
                    scenario::modified_copy(&file, &dir, section, key, value).and_then(|copy| {
                        let inputs = match side {
                            Side::Cloud => [copy.as_path(), file.as_path()],
                            Side::Customer => [file.as_path(), copy.as_path()],
                        };
                        let mut plan = host_plan(&conn, inputs, None);
                        plan.kind = format!("{kind} ({key}={value} on the {} side)", side.id());
                        plan.negative = Some((evidence, ike_up));
                        let mut s = scenario::build(
                            &conn,
                            &plan,
                            &dir,
                            report::slug(&format!("{example}-{kind}")),
                            example.into(),
                        )?;
                        // one initiation is enough (each failing one costs INITIATE_TIMEOUT)
                        let conf = expect::read(&dir.join("customer/swanctl.conf"));
                        s.initiate = vec![scenario::child_names(&conf)
                            .first()
                            .cloned()
                            .unwrap_or_else(|| "all".into())];
                        s.knobs = [
                            ("INITIATE_TIMEOUT", "3"),
                            ("SA_WAIT", "3"),
                            ("BGP_WAIT", "3"),
                        ]
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .to_vec();
                        Ok(s)
                    });
                self.run(made, example, kind, t0);
            }
        }
    }

    /// Rendered files altered the way a broken template would alter them: the positive checks
    /// must report each one. Proves the lab fails when a template is wrong.
    fn canaries(&mut self) {
        let (_, conn) = match scenario::load_one(&self.root, IKEV2_EXAMPLE) {
            Ok(x) => x,
            Err(e) => {
                self.rows
                    .push(Row::failed(IKEV2_EXAMPLE.into(), "canary", e));
                return;
            }
        };
        let cipher = conn.ike.cipher.get().id();
        let wrong = other_cipher(conn.ike.cipher.get());
        // (example, kind, the initiator, a finding that must be among those caught, what the
        // broken template writes on each side: None leaves it)
        let canaries: [(&str, &str, Side, &str, Alter); 4] = [
            (
                IKEV2_EXAMPLE,
                "canary: bad keyword",
                Side::Customer,
                "loading the rendered swanctl config failed",
                Box::new(|_, side, t| {
                    (side == Side::Customer).then(|| t.replace("esp_proposals", "esp_proposal"))
                }),
            ),
            (
                IKEV2_EXAMPLE,
                "canary: wrong alg both sides",
                Side::Customer,
                "IKE encr-keysize: negotiated",
                Box::new(move |_, _, t| {
                    Some(t.replace(
                        &format!("proposals = {cipher}-"),
                        &format!("proposals = {wrong}-"),
                    ))
                }),
            ),
            // BGP with protected data flows: a cloud that accepts the customer's unverified BGP
            // child (Alibaba is not documented to negotiate it) must be reported
            (
                "examples/aliyun/connection-bgp.json",
                "canary: cloud accepts the BGP child",
                Side::Customer,
                "with TS_UNACCEPTABLE",
                Box::new(|s, side, t| {
                    let (bgp, child) = (s.bgp.as_ref()?, s.refused_children.first()?);
                    (side == Side::Cloud).then(|| {
                        t.replacen(
                            "        children {\n",
                            &format!(
                                "        children {{\n            {child} {{\n                local_ts = {}/32\n                remote_ts = {}/32\n            }}\n",
                                bgp.cloud, bgp.customer
                            ),
                            1,
                        )
                    })
                }),
            ),
            // a customer whose child holds only the first subnet pair: as responder to the
            // cloud's full list it narrows the cloud's SA, which must be reported as narrowed
            (
                IKEV2_EXAMPLE,
                "canary: customer narrows the cloud's SA",
                Side::Cloud,
                "narrowed (docs/alibaba-reference.md 10.5; cloud initiated)",
                Box::new(|_, side, t| {
                    (side == Side::Customer).then(|| {
                        t.lines()
                            .map(|l| match l.split_once(" = ") {
                                Some((k, v)) if k.trim().ends_with("_ts") => {
                                    format!("{k} = {}", v.split(',').next().unwrap_or(v))
                                }
                                _ => l.to_owned(),
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                            + "\n"
                    })
                }),
            ),
        ];
        for (example, kind, initiator, must_say, alter) in canaries {
            let t0 = Instant::now();
            let dir = self.case_dir(example, kind);
            let made = scenario::load_one(&self.root, example).and_then(|(file, conn)| {
                let plan = host_plan(&conn, [&file, &file], None);
                let mut s = scenario::build(
                    &conn,
                    &plan,
                    &dir,
                    report::slug(&format!("{example}-{kind}")),
                    example.into(),
                )?;
                s.kind = kind.into();
                s.initiator = initiator;
                let mut altered = false;
                for side in [Side::Customer, Side::Cloud] {
                    let p = dir.join(side.id()).join("swanctl.conf");
                    let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
                    if let Some(new) = alter(&s, side, &text) {
                        altered |= new != text;
                        std::fs::write(&p, new).map_err(|e| e.to_string())?;
                    }
                }
                if altered {
                    Ok(s)
                } else {
                    Err(format!("{kind}: the rendered files did not change"))
                }
            });
            let row = match made {
                Err(e) => Row::failed(example.into(), kind, e),
                Ok(s) => {
                    let name = self.next_name();
                    let record = lab::host::run(&name, &s);
                    let (caught, _) = expect::check(&s, &record);
                    let checked = if caught.is_empty() {
                        (
                            vec!["the lab did NOT notice the broken configuration".into()],
                            String::new(),
                        )
                    } else if !caught.iter().any(|c| c.contains(must_say)) {
                        (
                            vec![format!(
                                "the lab noticed the broken configuration, but none of its {} \
                                 findings says `{must_say}`: {caught:?}",
                                caught.len()
                            )],
                            String::new(),
                        )
                    } else {
                        let first = caught
                            .iter()
                            .find(|c| c.contains(must_say))
                            .and_then(|c| c.lines().next())
                            .unwrap_or("")
                            .to_owned();
                        (
                            Vec::new(),
                            format!("caught ({} findings): {first}", caught.len()),
                        )
                    };
                    Row::of(&s, t0.elapsed(), checked)
                }
            };
            self.rows.push(row);
        }
    }
}

/// A change to one side's rendered swanctl.conf (a canary's "broken template"); `None`: that
/// side is left as rendered.
type Alter = Box<dyn Fn(&Scenario, Side, &str) -> Option<String>>;

fn other_cipher(c: Cipher) -> &'static str {
    // input vocabulary of the Alibaba API: aes = AES-128-CBC
    if c == Cipher::Aes256 {
        "aes"
    } else {
        "aes256"
    }
}
