//! Loading rendered libreswan files into a running pluto (lab/pluto-load.sh: `addconn` against
//! it), and the one judgement of what pluto said. tests/libreswan.rs loads every output on the
//! host, whose kernel lacks XFRM interfaces (route-based files cannot load there); the VM lab
//! loads every route-based output (ipsec-interface=) of every example, both sides, in its boot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ipsecgen::ir::Side;
use ipsecgen::render::{RenderOptions, TunnelMode};
use ipsecgen::source::Source;

/// The `config setup` lines a rendered file asks the user to add to /etc/ipsec.conf (an included
/// file cannot set them): the `#     ` lines after `# config setup needs:`.
pub fn config_setup_needs(conf: &str) -> Vec<String> {
    conf.lines()
        .skip_while(|l| l.trim() != "# config setup needs:")
        .skip(1)
        .map_while(|l| l.strip_prefix("#     "))
        .map(|l| format!("    {}", l.trim()))
        .collect()
}

/// What is wrong in pluto's lines about the conns of `conf` (lab/pluto-load.sh's output): a conn
/// not added, "failed to add", a refusal, a keyword pluto calls obsolete or replaced, an ERROR (but for an auto=start conn's send with no
/// route to the peer, and the kernel's replies when a conn is deleted). Empty: every conn loaded.
pub fn problems(conf: &str, log: &str) -> Vec<String> {
    // A keyword this pluto ignores (libreswan 5: dpdaction=), written for another version:
    // addconn names the file and line, not the conn.
    let mut problems: Vec<String> = log
        .lines()
        .filter(|l| l.contains("obsolete keyword"))
        .map(str::to_owned)
        .collect();
    for name in conns(conf) {
        // A conn with leftsubnets= is added as its aliases "name/1x1", "name/1x2", ...
        let (tag, alias) = (format!("\"{name}\""), format!("\"{name}/"));
        let mine: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(&tag) || l.contains(&alias))
            .collect();
        if !mine.iter().any(|l| l.contains(": added IKEv")) {
            problems.push(format!("conn {name} not added: {mine:#?}"));
        }
        problems.extend(
            mine.iter()
                // Not about the file: auto=start sending with no route to the peer in the
                // namespace, and kernel policy replies when a conn is deleted and added again.
                .filter(|l| {
                    l.contains("failed to add")
                        || (l.contains("ERROR") && !l.contains("send on") && !l.contains("kernel:"))
                        || l.contains("refus")
                        // a keyword this pluto has renamed (libreswan 5: ikev2=)
                        || l.contains("has been replaced by")
                })
                .map(|l| (*l).to_owned()),
        );
    }
    problems
}

/// The conn names of an ipsec.conf.
pub fn conns(conf: &str) -> Vec<&str> {
    conf.lines()
        .filter_map(|l| l.strip_prefix("conn "))
        .map(str::trim)
        .collect()
}

/// One rendered ipsec.conf to load: where it came from and its text.
pub struct Output {
    pub label: String,
    pub text: String,
}

/// Every route-based ipsec.conf (ipsec-interface=) the libreswan target renders from the shipped
/// examples, both sides; an example the target refuses in route mode (a capability error,
/// snapshotted) has none.
/// `version`: the libreswan device fact (`4`, the default, or `5`: `--device version=5`).
pub fn route_outputs(version: &str) -> Vec<Output> {
    let target = ipsecgen::render::find_target("libreswan").expect("libreswan target");
    let mut device = ipsecgen::render::device::DeviceInput::default();
    device
        .give_flag(&format!("version={version}"))
        .expect("a libreswan version");
    let mut examples: Vec<&(&str, &str)> = ipsecgen::render::example_files().iter().collect();
    examples.sort();
    let mut out = Vec::new();
    for (rel, text) in examples {
        let checked = ipsecgen::check(
            Source::new(format!("examples/{rel}"), (*text).to_owned()),
            &Default::default(),
        );
        for side in [Side::Cloud, Side::Customer] {
            let opts = RenderOptions {
                side,
                tunnel_mode: Some(TunnelMode::Route),
                device: &device,
            };
            let Ok(files) = ipsecgen::render_all(&checked, opts, target) else {
                continue;
            };
            for (sub, file) in files.into_iter().filter(|(_, f)| f.path == "ipsec.conf") {
                let sub = if sub.is_empty() {
                    String::new()
                } else {
                    format!("#{sub}")
                };
                out.push(Output {
                    label: format!("examples/{rel}{sub} ({})", side.id()),
                    text: file.content,
                });
            }
        }
    }
    out
}

/// Write `outputs` under `dir` for lab/vm/guest.sh: one folder per set of `config setup` lines
/// (one pluto each, started with exactly those lines), `setup.txt` and `N.conf` in it, N in
/// load order. Returns, per folder, the outputs it holds in that order.
pub fn write_groups(dir: &Path, outputs: &[Output]) -> Result<Vec<(PathBuf, Vec<usize>)>, String> {
    let mut groups: BTreeMap<Vec<String>, Vec<usize>> = BTreeMap::new();
    for (i, o) in outputs.iter().enumerate() {
        groups
            .entry(config_setup_needs(&o.text))
            .or_default()
            .push(i);
    }
    let mut out = Vec::new();
    for (g, (setup, members)) in groups.into_iter().enumerate() {
        let gdir = dir.join(format!("group{}", g + 1));
        std::fs::create_dir_all(&gdir).map_err(|e| format!("{}: {e}", gdir.display()))?;
        let w = |name: &str, text: &str| {
            std::fs::write(gdir.join(name), text).map_err(|e| format!("{name}: {e}"))
        };
        w("setup.txt", &(setup.join("\n") + "\n"))?;
        for (n, i) in members.iter().enumerate() {
            w(&format!("{}.conf", n + 1), &outputs[*i].text)?;
        }
        out.push((gdir, members));
    }
    Ok(out)
}

/// Judge what guest.sh recorded for the groups `write_groups` wrote: (files loaded, conns
/// added, failures). A group whose pluto did not run (rc, missing logs) fails every file in it.
pub fn judge_groups(
    outputs: &[Output],
    groups: &[(PathBuf, Vec<usize>)],
) -> (usize, usize, Vec<String>) {
    let (mut files, mut added, mut failures) = (0, 0, Vec::new());
    for (gdir, members) in groups {
        let rc = std::fs::read_to_string(gdir.join("rc")).unwrap_or_default();
        if rc.trim() != "0" {
            failures.push(format!(
                "{}: lab/pluto-load.sh exit {:?} (empty: never ran); {}",
                gdir.display(),
                rc.trim(),
                super::expect::tail(&super::expect::read(&gdir.join("stdout")), 10)
            ));
            continue;
        }
        for (n, i) in members.iter().enumerate() {
            let o = &outputs[*i];
            let log = std::fs::read_to_string(gdir.join(format!("load-{}.log", n + 1)));
            let p = match log {
                Ok(log) => problems(&o.text, &log),
                Err(e) => vec![format!("no load-{}.log: {e}", n + 1)],
            };
            if p.is_empty() {
                files += 1;
                added += conns(&o.text).len();
            } else {
                failures.push(format!(
                    "{}: pluto did not load it ({}/{}.conf):\n{}",
                    o.label,
                    gdir.display(),
                    n + 1,
                    p.join("\n")
                ));
            }
        }
    }
    (files, added, failures)
}

/// The VM lab's step: every route-based output loaded into pluto in one VM's boot, once per
/// libreswan version: 4.10 (the host's /opt/libreswan) and 5.2 (the trixie root of
/// lab/trixie-libreswan.sh, `--device version=5` outputs).
pub struct VmLoad {
    sets: Vec<LoadSet>,
}

struct LoadSet {
    kind: &'static VmSet,
    outputs: Vec<Output>,
    groups: Result<Vec<(PathBuf, Vec<usize>)>, String>,
}

/// One libreswan version guest.sh loads: the device fact, the folder under the VM's run folder,
/// the guest.env key of its time, and the words of its results row.
pub struct VmSet {
    pub version: &'static str,
    pub dir: &'static str,
    pub key: &'static str,
    pub daemon: &'static str,
    pub example: &'static str,
    pub what: &'static str,
}

pub const VM_SETS: [VmSet; 2] = [
    VmSet {
        version: "4",
        dir: "pluto-load",
        key: "PLUTO_LOAD_MS",
        daemon: "libreswan 4.10",
        example: "every example, both sides, `--tunnel-mode route`",
        what: "pluto loads every route-based libreswan output (ipsec-interface=)",
    },
    VmSet {
        version: "5",
        dir: "pluto-load5",
        key: "PLUTO5_LOAD_MS",
        daemon: "libreswan 5.2",
        example: "every example, both sides, `--tunnel-mode route --device version=5`",
        what: "libreswan 5.2's pluto loads every route-based version=5 output (ipsec-interface=)",
    },
];

impl VmLoad {
    /// Render every route-based output and write it under the VM's folders for guest.sh.
    pub fn prepare(vm_dir: &Path) -> VmLoad {
        let sets = VM_SETS
            .iter()
            .map(|kind| {
                let outputs = route_outputs(kind.version);
                let groups = write_groups(&vm_dir.join(kind.dir), &outputs);
                LoadSet {
                    kind,
                    outputs,
                    groups,
                }
            })
            .collect();
        VmLoad { sets }
    }

    /// The results table's rows, from what the boot recorded (`guest`: its guest.env).
    pub fn rows(&self, guest: &BTreeMap<String, String>) -> Vec<super::report::Row> {
        self.sets.iter().map(|set| set.row(guest)).collect()
    }
}

impl LoadSet {
    fn row(&self, guest: &BTreeMap<String, String>) -> super::report::Row {
        let key = self.kind.key;
        let ms: u64 = guest.get(key).and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut row =
            super::report::Row::failed(self.kind.example.into(), self.kind.what, String::new());
        row.failures.clear();
        row.impls = self.kind.daemon.into();
        row.wall = std::time::Duration::from_millis(ms);
        row.ran = guest.contains_key(key);
        let groups = match &self.groups {
            Ok(g) => g,
            Err(e) => {
                row.failures.push(format!("writing the files: {e}"));
                return row;
            }
        };
        if self.outputs.is_empty() {
            row.failures
                .push("the libreswan target rendered no route-based output".into());
        }
        if !row.ran {
            row.failures.push(format!(
                "{}the VM did not record {key}",
                super::expect::NOT_RUN
            ));
        }
        let (files, added, failures) = judge_groups(&self.outputs, groups);
        row.failures.extend(failures);
        row.details = format!(
            "{files} of {} ipsec.conf files loaded ({added} conns added by addconn into a \
             running pluto, {} pluto runs: one per set of `config setup` lines the headers ask \
             for; no \"failed to add\", no keyword pluto calls obsolete or replaced)",
            self.outputs.len(),
            groups.len()
        );
        row
    }
}

#[test]
fn pluto_lines_are_judged_per_conn() {
    let conf = "# header\nconn a\n    auto=add\nconn b/x\n";
    let added = "Nov 30 09:38:12.491395: \"a\": added IKEv2 connection\n\
                 002 \"a\": cannot delete ipsec-interface=ipsec3281 if_id=3281, not created by pluto\n\
                 Nov 30 09:38:12.491395: \"b/x\": added IKEv1 connection\n";
    assert_eq!(conns(conf), ["a", "b/x"]);
    assert!(
        problems(conf, added).is_empty(),
        "{:?}",
        problems(conf, added)
    );
    let refused = "Nov 30 09:46:41.103284: ERROR: \"a\": NLMSG_ERROR in nl_query_small_resp() for ip_kink_add_xfrmi() dev ipsec1: Operation not supported (errno 95)\n\
                   Nov 30 09:46:41.103299: \"a\": failed to add connection: ipsec-interface=3281 not supported. xfrmi is not supported\n\
                   Nov 30 09:38:12.491395: \"b/x\": added IKEv1 connection\n";
    let p = problems(conf, refused);
    assert_eq!(p.len(), 3, "{p:#?}");
    assert!(p[0].starts_with("conn a not added"), "{p:#?}");
    assert!(p[2].contains("failed to add"), "{p:#?}");
    // a conn the log never names is not added
    assert!(problems("conn c\n", added)[0].starts_with("conn c not added"));
    // added, but with a keyword this pluto ignores or has renamed (libreswan 5.2's words)
    // (libreswan 5.2's lines, lab/pluto5-load.sh)
    let outdated =
        "ipsec addconn: /mnt/load/a.conf:8: warning: obsolete keyword ignored: dpdaction=restart\n\
                    \"a\": ikev2=yes has been replaced by keyexchange=ikev2\n\
                    \"a\": added IKEv2 connection\n";
    assert_eq!(problems("conn a\n", outdated).len(), 2);
}
