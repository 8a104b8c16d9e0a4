//! The output directory under attack (`render -o DIR`, `render -o DIR --check`): secrets in
//! diffs, links, FIFOs and huge files inside DIR, folders swapped for links during a run,
//! concurrent runs, leftovers of killed runs, foreign files and failed writes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use predicates::prelude::*;

fn ipsecgen() -> assert_cmd::Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    c.env("NO_COLOR", "1");
    c.timeout(Duration::from_secs(60));
    c
}

const STATIC: &str = "examples/aliyun/connection-static.json";

/// A native fleet of `n` connections, every one with `psk`.
fn fleet(n: usize, psk: &str) -> String {
    let mut s = String::from("connections:\n");
    for i in 0..n {
        let (hi, lo) = (i / 250, i % 250);
        s.push_str(&format!(
            "  - name: c{i:04}\n    cloud: {{gateway: 203.0.{}.{}, subnets: [10.{}.{lo}.0/24]}}\n    customer: {{gateway: 198.51.{}.{}, subnets: [172.{}.{lo}.0/24]}}\n    psk: {psk}\n",
            113 + hi,
            1 + lo,
            1 + hi,
            100 + hi,
            1 + lo,
            16 + hi
        ));
    }
    s
}

/// Every file below `dir`, as relative paths (links are listed, not followed).
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.strip_prefix(base).expect("below").display().to_string());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                walk(base, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Every notation a PSK can take in a target's output.
fn notations(psk: &str) -> Vec<String> {
    vec![
        psk.to_owned(),
        format!("\"{psk}\""),
        format!("'{psk}'"),
        format!("0x{}", hex(psk)),
        hex(psk),
        hex(psk).to_uppercase(),
    ]
}

/// Item 2: `--check` against a DIR holding an older rendering with another PSK prints neither
/// PSK, in no notation, for no target (IKEv2 with BGP and IKEv1; a PSK that strongSwan-style
/// targets write as 0x hex, and one they write quoted).
#[test]
fn check_never_prints_an_old_or_new_psk_for_any_target() {
    let pairs = [
        ("Hq7sN2vXk9PbT4mW", "OldPskHq7sN2vXk9", "NewPskHq7sN2vXk9"),
        ("Qx8!vR2#mT6pL9wZ", "Old#Psk!2024kRtZ", "New#Psk!2025kRtZ"),
    ];
    for (input, example_psk) in [
        // BGP over a tunnel interface: the destination-routing form, which every target with a
        // tunnel interface renders (connection-bgp.json's protected flows are refused by IOS-XE).
        (
            "examples/aliyun/connection-bgp-destination-routing.json",
            "Rw4kP9sLm2VxT7qZ",
        ),
        ("examples/aliyun/connection-ikev1.json", pairs[1].0),
        (
            "examples/aliyun/connection-static.json",
            "vK3nT9qLx7RmPz2WcY8s",
        ),
    ] {
        for (_, old, new) in pairs {
            let dir = tempfile::tempdir().expect("tempdir");
            // IOS-XE 17.11+ refuses DH group 5 and IKEv1 FQDN identities (the IKEv1 example
            // has both): made renderable there, so its `crypto isakmp key` line is checked too.
            let text = std::fs::read_to_string(input)
                .expect("example")
                .replace("\"group5\"", "\"group14\"")
                .replace("vpn.cloud.example.com", "203.0.113.30")
                .replace("gw.branch.example.net", "198.51.100.40");
            assert!(text.contains(example_psk));
            let old_file = dir.path().join("old.json");
            let new_file = dir.path().join("new.json");
            std::fs::write(&old_file, text.replace(example_psk, old)).expect("write");
            std::fs::write(&new_file, text.replace(example_psk, new)).expect("write");
            let out = dir.path().join("out");
            ipsecgen()
                .args(["render", "--target", "all", "-o"])
                .arg(&out)
                .arg(&old_file)
                .assert()
                .success();
            let written = tree(&out);
            for t in ["fortios", "libreswan", "cisco-ios-xe", "swanctl"] {
                assert!(
                    written.iter().any(|p| p.starts_with(t)),
                    "{input}: {t} not rendered: {written:?}"
                );
            }
            let run = ipsecgen()
                .args(["render", "--target", "all", "--check", "-o"])
                .arg(&out)
                .arg(&new_file)
                .output()
                .expect("runs");
            assert_eq!(run.status.code(), Some(1), "{input}: stale DIR");
            let shown = format!(
                "{}{}",
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            );
            assert!(shown.contains("<secret line redacted>"), "{shown}");
            for psk in [old, new] {
                for n in notations(psk) {
                    assert!(
                        !shown.contains(&n),
                        "{input}: `{n}` (PSK {psk}) in the --check output:\n{shown}"
                    );
                }
            }
            assert!(
                shown.contains("ipsec.secrets") && shown.contains("its contents are not shown"),
                "a secrets file is not shown line by line:\n{shown}"
            );
        }
    }
}

/// Item 3: `--check` does not follow a link inside DIR (a file or a folder), exactly as the
/// write refuses it, and prints nothing of what it points to.
#[test]
fn check_refuses_links_inside_dir_and_prints_nothing_behind_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let canary = dir.path().join("environ");
    std::fs::write(&canary, "CI_TOKEN=canary-7f3e9a\n").expect("write");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    std::os::unix::fs::symlink(&canary, out.join("swanctl.conf")).expect("symlink");
    ipsecgen()
        .args(["render", STATIC, "--check", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("canary-7f3e9a").not())
        .stderr(predicate::str::contains("canary-7f3e9a").not())
        .stderr(predicate::str::contains("output.symlink"))
        .stderr(predicate::str::contains("swanctl.conf is a symbolic link"));

    // A connection folder that is a link to a folder holding a "generated" file.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    std::fs::write(
        elsewhere.join("swanctl.conf"),
        "# Generated by ipsecgen\nsecret-ish canary-7f3e9a\n",
    )
    .expect("write");
    let fleet_out = dir.path().join("fleet");
    std::fs::create_dir(&fleet_out).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, fleet_out.join("dc-a")).expect("symlink");
    ipsecgen()
        .args(["render", "examples/native/two-bgp.yaml", "--check", "-o"])
        .arg(&fleet_out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("canary-7f3e9a").not())
        .stderr(predicate::str::contains("canary-7f3e9a").not())
        .stderr(predicate::str::contains("output.symlink"));
}

/// Item 4: a connection folder swapped for a link to an outside folder while `render -o` runs
/// (again and again) never makes ipsecgen write outside DIR.
#[test]
fn swapping_a_folder_for_a_link_during_runs_never_writes_outside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("fleet.yaml");
    std::fs::write(&input, fleet(60, "Pw7Kd3Xs9Fm2Qa6Tz4Hc8Vb5")).expect("write");
    let out = dir.path().join("out");
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, out, outside) = (stop.clone(), out.clone(), outside.clone());
        std::thread::spawn(move || {
            let victims: Vec<PathBuf> = ["c0000", "c0030", "c0059"]
                .iter()
                .map(|c| out.join(c))
                .collect();
            let parked = out.with_file_name("parked");
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for v in &victims {
                    // Whatever is there (a real folder ipsecgen made, or nothing) goes away
                    // and a link to the outside folder takes its place, then it is undone.
                    let _ = std::fs::remove_dir_all(&parked);
                    let _ = std::fs::rename(v, &parked);
                    let _ = std::os::unix::fs::symlink(&outside, v);
                    std::thread::yield_now();
                    let _ = std::fs::remove_file(v);
                }
            }
        })
    };
    for _ in 0..12 {
        let _ = ipsecgen()
            .args(["render", "-o"])
            .arg(&out)
            .arg(&input)
            .output();
        let _ = std::fs::remove_dir_all(&out);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().expect("swapper");
    assert_eq!(
        tree(&outside),
        Vec::<String>::new(),
        "ipsecgen wrote outside DIR"
    );
}

/// Item 14: two runs into one DIR at the same time, each replacing an older version of a
/// fleet with its own: each run is whole (the second waits for the first), so DIR ends with
/// one version, not a mix.
#[test]
fn concurrent_runs_leave_one_whole_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let psks = [
        "AaaaaaaaaaaaaaaaaaaaaaaA1",
        "BbbbbbbbbbbbbbbbbbbbbbbbB2",
        "CcccccccccccccccccccccccC3",
    ];
    let inputs: Vec<PathBuf> = psks
        .iter()
        .enumerate()
        .map(|(i, psk)| {
            let p = dir.path().join(format!("{i}.yaml"));
            std::fs::write(&p, fleet(800, psk)).expect("write");
            p
        })
        .collect();
    for round in 0..4 {
        let out = dir.path().join(format!("out{round}"));
        ipsecgen()
            .args(["render", "-o"])
            .arg(&out)
            .arg(&inputs[2])
            .assert()
            .success();
        let spawn = |input: &Path| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin!("ipsecgen"))
                .args(["render", "-o"])
                .arg(&out)
                .arg(input)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let (pa, pb) = (spawn(&inputs[0]), spawn(&inputs[1]));
        for p in [pa, pb] {
            let o = p.wait_with_output().expect("wait");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let mut versions = std::collections::BTreeMap::new();
        for f in tree(&out).iter().filter(|p| p.ends_with("swanctl.conf")) {
            let text = std::fs::read_to_string(out.join(f)).expect("read");
            let v = psks
                .iter()
                .position(|p| text.contains(p))
                .expect("a version");
            *versions.entry(v).or_insert(0) += 1;
        }
        assert_eq!(
            versions.len(),
            1,
            "round {round}: a mix of versions {versions:?}"
        );
    }
}

/// Item 14: a DIR locked by another run makes a run wait a bounded time, then fail clearly.
#[test]
fn a_locked_dir_fails_with_output_locked_after_a_bounded_wait() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let held = std::fs::File::open(&out).expect("open");
    rustix::fs::flock(&held, rustix::fs::FlockOperation::LockExclusive).expect("flock");
    let started = std::time::Instant::now();
    ipsecgen()
        .env("IPSECGEN_LOCK_WAIT", "1")
        .args(["render", STATIC, "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("output.locked"))
        .stderr(predicate::str::contains("another ipsecgen run"));
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(tree(&out), Vec::<String>::new());
    drop(held);
    ipsecgen()
        .args(["render", STATIC, "-o"])
        .arg(&out)
        .assert()
        .success();
}

/// Item 16: a FIFO where a file goes is refused at once (not opened blocking), in both modes.
#[test]
fn a_fifo_in_dir_is_refused_without_hanging() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        out.join("swanctl.conf").as_path(),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .expect("mkfifo");
    for check in [false, true] {
        let mut c = ipsecgen();
        c.timeout(Duration::from_secs(10)).args(["render", STATIC]);
        if check {
            c.arg("--check");
        }
        c.arg("-o")
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("output.exists"))
            .stderr(predicate::str::contains("swanctl.conf is a FIFO"));
    }
}

/// Item 16: a huge file of ours (sparse, 3 GiB) is replaced by its size, not read whole.
#[test]
fn a_huge_generated_file_is_replaced_without_being_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let f = std::fs::File::create(out.join("swanctl.conf")).expect("create");
    use std::io::Write as _;
    (&f).write_all(b"# Generated by ipsecgen 0.0.1\n")
        .expect("write");
    f.set_len(3 << 30).expect("sparse");
    drop(f);
    let started = std::time::Instant::now();
    ipsecgen()
        .args(["render", STATIC, "--check", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not shown"));
    ipsecgen()
        .args(["render", STATIC, "-o"])
        .arg(&out)
        .assert()
        .success();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let len = std::fs::metadata(out.join("swanctl.conf"))
        .expect("meta")
        .len();
    assert!(len < 100_000, "{len}");
}

/// Item 18: temporaries a killed run left behind (they hold PSKs) are removed by the next run,
/// in DIR and in connection folders; other files, links and folders with such names stay.
#[test]
fn leftover_temporaries_of_a_killed_run_are_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    ipsecgen()
        .args(["render", "examples/native/two-bgp.yaml", "-o"])
        .arg(&out)
        .assert()
        .success();
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "keep\n").expect("write");
    for f in [
        ".swanctl.conf.ipsecgen-4242.tmp",
        "dc-a/.swanctl.conf.ipsecgen-77.tmp",
        "dc-b/.ipsec-link.sh.ipsecgen-123456.tmp",
    ] {
        std::fs::write(out.join(f), "secret = \"leaked\"\n").expect("write");
    }
    std::fs::write(out.join("dc-a/.notes.tmp"), "mine\n").expect("write");
    std::fs::write(out.join("dc-a/.x.ipsecgen-12a.tmp"), "mine\n").expect("write");
    std::os::unix::fs::symlink(&outside, out.join("dc-b/.bgpd.conf.ipsecgen-9.tmp"))
        .expect("symlink");
    std::fs::create_dir(out.join(".y.ipsecgen-5.tmp")).expect("mkdir");
    ipsecgen()
        .args(["render", "examples/native/two-bgp.yaml", "-o"])
        .arg(&out)
        .assert()
        .success();
    let left: Vec<String> = tree(&out)
        .into_iter()
        .filter(|p| p.contains(".tmp"))
        .collect();
    assert_eq!(
        left,
        [
            ".y.ipsecgen-5.tmp",
            "dc-a/.notes.tmp",
            "dc-a/.x.ipsecgen-12a.tmp",
            "dc-b/.bgpd.conf.ipsecgen-9.tmp"
        ]
    );
    assert_eq!(std::fs::read_to_string(&outside).expect("read"), "keep\n");
}

/// Item 22: only ipsecgen's own header line, first (after a shebang), in the file's comment
/// syntax, marks a file as generated; a mention of the words elsewhere does not.
#[test]
fn a_foreign_file_mentioning_the_marker_is_not_overwritten() {
    for foreign in [
        "hand-written\n# Generated by ipsecgen 0.1.0\n",
        "# notes: Generated by ipsecgen, then edited\n",
        "! Generated by ipsecgen 0.1.0\n",
        "  # Generated by ipsecgen 0.1.0\n",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("swanctl.conf");
        std::fs::write(&file, foreign).expect("write");
        ipsecgen()
            .args(["render", STATIC, "-o"])
            .arg(dir.path())
            .assert()
            .code(1)
            .stderr(predicate::str::contains("output.exists"))
            .stderr(predicate::str::contains("was not generated by ipsecgen"));
        assert_eq!(std::fs::read_to_string(&file).expect("read"), foreign);
    }
    // Ours, in each syntax (a script's header follows its shebang; JSON's its brace).
    let dir = tempfile::tempdir().expect("tempdir");
    for target in ["swanctl", "frr", "cisco-ios-xe", "json"] {
        for _ in 0..2 {
            ipsecgen()
                .args([
                    "render",
                    "examples/aliyun/connection-bgp-destination-routing.json",
                    "--target",
                    target,
                    "-o",
                ])
                .arg(dir.path().join(target))
                .assert()
                .success();
        }
    }
}

/// Item 22: a write that fails after it made folders removes them again (and DIR if it made
/// DIR): the file system is as it was.
#[test]
fn a_failed_write_removes_the_folders_it_made() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("new").join("out");
    let ok = ipsecgen::render::Output {
        path: "swanctl.conf".into(),
        content: "# Generated by ipsecgen\n".into(),
        secret: true,
        executable: false,
        ..Default::default()
    };
    // A name the file system takes, whose temporary name it does not (over 255 bytes).
    let long = ipsecgen::render::Output {
        path: "x".repeat(250),
        ..ok.clone()
    };
    let outputs = vec![
        ("dc-a".to_owned(), ok.clone()),
        ("dc-b/inner".to_owned(), ok.clone()),
        ("dc-c".to_owned(), long),
    ];
    let err = ipsecgen::write::to_dir(&out, &outputs, false).expect_err("fails");
    assert_eq!(err.code, "output.write");
    assert!(!dir.path().join("new").exists(), "{:?}", tree(dir.path()));

    std::fs::create_dir_all(out.join("dc-a")).expect("mkdir");
    let err = ipsecgen::write::to_dir(&out, &outputs, false).expect_err("fails");
    assert_eq!(err.code, "output.write");
    assert_eq!(tree(dir.path()), ["new", "new/out", "new/out/dc-a"]);
}

/// Item 22: connection folders ipsecgen generated that this input no longer has are named on
/// stderr (and left in place).
#[test]
fn folders_of_removed_connections_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (three, two) = (dir.path().join("3.yaml"), dir.path().join("2.yaml"));
    std::fs::write(&three, fleet(3, "Pw7Kd3Xs9Fm2Qa6Tz4Hc8Vb5")).expect("write");
    std::fs::write(&two, fleet(2, "Pw7Kd3Xs9Fm2Qa6Tz4Hc8Vb5")).expect("write");
    let out = dir.path().join("out");
    ipsecgen()
        .args(["render", "-o"])
        .arg(&out)
        .arg(&three)
        .assert()
        .success()
        .stderr(predicate::str::contains("no longer").not());
    std::fs::create_dir(out.join("my-notes")).expect("mkdir");
    ipsecgen()
        .args(["render", "-o"])
        .arg(&out)
        .arg(&two)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "note: {} holds files ipsecgen generated for a connection this input no longer has; left in place",
            out.join("c0002").display()
        )))
        .stderr(predicate::str::contains("my-notes").not());
    assert!(out.join("c0002/swanctl.conf").is_file());
}

/// Item 22: `-o FILE` says what is wrong in words.
#[test]
fn output_that_is_a_file_is_named_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("out.conf");
    std::fs::write(&file, "x\n").expect("write");
    for check in [false, true] {
        let mut c = ipsecgen();
        c.args(["render", STATIC]);
        if check {
            c.arg("--check");
        }
        c.arg("-o")
            .arg(&file)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("output.exists"))
            .stderr(predicate::str::contains(format!(
                "{} is a file; -o takes a folder",
                file.display()
            )))
            .stderr(predicate::str::contains("os error").not());
    }
}

/// Item 2, the old file's side: `--check` cannot know the PSK of a file on disk, so it
/// redacts its lines by the target's declared `secret_lines` words. Every line any template
/// writes a PSK into (every example, target, side and tunnel mode) must carry one of them,
/// or be in a file never shown (`hide_in_diff`); every output of an IPsec target knows its
/// secret as written.
#[test]
fn every_line_carrying_a_psk_is_declared_by_its_target() {
    use ipsecgen::ir::Side;
    use ipsecgen::render::{RenderOptions, TunnelMode};
    let mut examples: Vec<PathBuf> = ipsecgen::render::example_files()
        .iter()
        .map(|(rel, _)| PathBuf::from("examples").join(rel))
        .collect();
    examples.sort();
    let mut lines_seen = 0;
    for path in &examples {
        let text = std::fs::read_to_string(path).expect("example");
        let checked = ipsecgen::check(
            ipsecgen::source::Source::new(path.display().to_string(), text),
            &Default::default(),
        );
        for target in ipsecgen::render::registry().targets() {
            for side in [Side::Customer, Side::Cloud] {
                for tunnel_mode in [None, Some(TunnelMode::Policy), Some(TunnelMode::Route)] {
                    let opts = RenderOptions {
                        side,
                        tunnel_mode,
                        device: &ipsecgen::render::device::NO_FACTS,
                    };
                    let Ok(outputs) = ipsecgen::render_all(&checked, opts, target) else {
                        continue;
                    };
                    for (_, o) in &outputs {
                        if target.features.ipsec && o.content.contains("Generated by") {
                            assert!(
                                !o.secrets.is_empty() || !o.content.contains("pre-shared"),
                                "{}: {}: no secret known",
                                path.display(),
                                o.path
                            );
                        }
                        if o.hide_in_diff {
                            continue;
                        }
                        for line in o.content.lines() {
                            // (A short PSK, e.g. "secret", appears by chance in other lines.)
                            if o.secrets
                                .iter()
                                .any(|s| s.len() >= 10 && line.contains(s.as_str()))
                            {
                                lines_seen += 1;
                                assert!(
                                    target
                                        .secret_lines
                                        .iter()
                                        .any(|w| line.contains(w.as_str())),
                                    "{} {}: a PSK line no secret_lines word marks: {line}",
                                    path.display(),
                                    target.name
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(lines_seen > 100, "{lines_seen}");
}
