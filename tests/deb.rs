//! The Debian package: packaging/build-deb.sh packages the built binary (the test's debug build,
//! stripped, instead of a second release build); dpkg installs it into a scratch root whose
//! package database holds the host's status of the packages it depends on (so dpkg checks
//! Depends for real); then `ipsecgen --version`, `man -w ipsecgen` and `complete -p ipsecgen` in
//! an interactive bash with bash-completion run against the installed files; dpkg removes it.
//!
//! The package as shipped (no `--binary`: packaging/build-dist.sh builds the static `dist` binary)
//! is built too, installed into a scratch root whose dpkg knows no package (it depends on none)
//! and its binary renders and writes the same as the test's build.
//!
//! Needs root (dpkg chowns to root), dpkg-dev, man-db and bash-completion
//! (lab/install-tool-deps.sh); without them the test says loudly that it DID NOT RUN, and fails
//! when IPSECGEN_REQUIRE_LAB=1 (as in CI). Every external command has a time limit.

#[path = "common/skip.rs"]
mod skip;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

fn did_not_run(why: &str) {
    skip::did_not_run(
        "the Debian package test",
        Some(why.to_owned()),
        "Install the tools with `bash lab/install-tool-deps.sh`.",
    );
}

/// Run `cmd` under coreutils `timeout` (the whole process group is killed at the limit).
fn run(cmd: &[&str], env: &[(&str, &str)], limit: u64) -> Output {
    let started = Instant::now();
    let out = Command::new("timeout")
        .args(["-k", "5", &limit.to_string()])
        .args(cmd)
        .current_dir(MANIFEST_DIR)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    eprintln!(
        "[deb test] {cmd:?} in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        out.status
    );
    assert_ne!(out.status.code(), Some(124), "{cmd:?} timed out");
    out
}

fn ok(cmd: &[&str], env: &[(&str, &str)]) -> String {
    let out = run(cmd, env, 120);
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn missing_tool() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("not root (dpkg installs files owned by root)".into());
    }
    for tool in [
        "dpkg",
        "dpkg-deb",
        "dpkg-shlibdeps",
        "readelf",
        "man",
        "strip",
        "bash",
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Some(format!("{tool} is missing (lab/install-tool-deps.sh)"));
        }
    }
    if !Path::new(BASH_COMPLETION).exists() {
        return Some("bash-completion is not installed (lab/install-tool-deps.sh)".into());
    }
    None
}

/// `bash -ic` as a user of Debian's default ~/.bashrc has it (which loads bash-completion):
/// load ipsecgen's completion the way a first TAB does, then print it. The scratch root's
/// /usr/share stands first in XDG_DATA_DIRS, where bash-completion looks (as in /usr/share).
fn complete_p(home: &Path, root: &Path, path: &str) -> Output {
    run(
        &[
            "bash",
            "-ic",
            "__load_completion ipsecgen; complete -p ipsecgen",
        ],
        &[
            ("HOME", &home.to_string_lossy()),
            ("PATH", path),
            (
                "XDG_DATA_HOME",
                &home.join(".local/share").to_string_lossy(),
            ),
            (
                "XDG_DATA_DIRS",
                &format!("{}:/usr/share", root.join("usr/share").display()),
            ),
        ],
        60,
    )
}

/// `packaging/build-deb.sh` into `out`, of `binary` or (None) of the shipped build, which
/// build-dist.sh makes first (the `dist` profile, statically linked: a few minutes); the
/// .deb's path.
fn build_deb(out: &Path, binary: Option<&str>) -> String {
    let out = out.to_string_lossy();
    let mut cmd = vec!["bash", "packaging/build-deb.sh", "--out", &out];
    cmd.extend(binary.iter().flat_map(|b| ["--binary", b]));
    let built = run(&cmd, &[], if binary.is_some() { 120 } else { 1500 });
    assert!(
        built.status.success(),
        "build-deb.sh: {}{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    let printed = String::from_utf8_lossy(&built.stdout);
    printed.lines().last().expect("the .deb path").to_owned()
}

/// A scratch root for `dpkg --root` whose package database holds `status`.
fn scratch_root(tmp: &Path, status: &str) -> std::path::PathBuf {
    let root = tmp.join("root");
    let admin = root.join("var/lib/dpkg");
    for d in ["info", "updates", "triggers"] {
        std::fs::create_dir_all(admin.join(d)).expect("mkdir");
    }
    std::fs::write(admin.join("status"), status).expect("status");
    root
}

#[test]
fn debian_package_installs_binary_man_page_and_completions() {
    if let Some(why) = missing_tool() {
        return did_not_run(&why);
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let deb = build_deb(
        &tmp.path().join("out"),
        Some(env!("CARGO_BIN_EXE_ipsecgen")),
    );
    let arch = ok(&["dpkg", "--print-architecture"], &[]);
    let name = format!(
        "ipsecgen_{}-1_{}.deb",
        env!("CARGO_PKG_VERSION"),
        arch.trim()
    );
    assert!(deb.ends_with(&format!("/{name}")), "{deb}");
    let size = std::fs::metadata(&deb).expect("the .deb").len();
    eprintln!("[deb test] {name}: {size} bytes");

    let files = [
        "./usr/bin/ipsecgen",
        "./usr/share/man/man1/ipsecgen.1.gz",
        "./usr/share/bash-completion/completions/ipsecgen",
        "./usr/share/zsh/vendor-completions/_ipsecgen",
        "./usr/share/fish/vendor_completions.d/ipsecgen.fish",
        "./usr/share/doc/ipsecgen/copyright",
    ];
    let listing = ok(&["dpkg-deb", "--contents", &deb], &[]);
    for f in files {
        assert!(
            listing
                .lines()
                .any(|l| l.ends_with(f) && l.contains("root/root")),
            "{f} not in the package, owned by root:\n{listing}"
        );
    }
    let depends = ok(&["dpkg-deb", "--field", &deb, "Depends"], &[]);
    assert!(depends.contains("libc6 (>="), "Depends: {depends}");

    // A scratch root whose dpkg database knows the host's packages that ipsecgen depends on.
    let deps: Vec<&str> = depends
        .split(',')
        .filter_map(|d| d.split_whitespace().next())
        .collect();
    let mut status_args = vec!["dpkg-query", "--status"];
    status_args.extend(&deps);
    let root = scratch_root(tmp.path(), &ok(&status_args, &[]));
    let root_arg = format!("--root={}", root.display());

    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    std::fs::write(home.join(".bashrc"), format!(". {BASH_COMPLETION}\n")).expect("bashrc");
    let path = format!(
        "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        root.join("usr/bin").display()
    );
    // Before the install, bash has no completion for ipsecgen (the check below can fail).
    assert!(!complete_p(&home, &root, &path).status.success());

    ok(&["dpkg", &root_arg, "--install", &deb], &[]);
    let exe = root.join("usr/bin/ipsecgen");
    let version = ok(&[&exe.to_string_lossy(), "--version"], &[]);
    assert_eq!(
        version.trim(),
        format!("ipsecgen {}", env!("CARGO_PKG_VERSION"))
    );
    let manpath = root.join("usr/share/man");
    let man = ok(
        &["man", "-w", "ipsecgen"],
        &[("MANPATH", &manpath.to_string_lossy())],
    );
    assert_eq!(
        man.trim(),
        manpath.join("man1/ipsecgen.1.gz").to_string_lossy()
    );
    let page = ok(
        &["man", "-P", "cat", "ipsecgen"],
        &[("MANPATH", &manpath.to_string_lossy()), ("MANWIDTH", "80")],
    );
    assert!(page.contains("ipsecgen"), "{page}");
    let completion = complete_p(&home, &root, &path);
    let printed = String::from_utf8_lossy(&completion.stdout);
    assert!(
        completion.status.success(),
        "complete -p: {printed}{}",
        String::from_utf8_lossy(&completion.stderr)
    );
    assert!(
        printed.contains("-F _ipsecgen") && printed.trim_end().ends_with(" ipsecgen"),
        "{printed}"
    );
    let zsh = std::fs::read_to_string(root.join("usr/share/zsh/vendor-completions/_ipsecgen"))
        .expect("zsh completion");
    assert!(zsh.starts_with("#compdef ipsecgen"), "{zsh}");
    let fish =
        std::fs::read_to_string(root.join("usr/share/fish/vendor_completions.d/ipsecgen.fish"))
            .expect("fish completion");
    assert!(fish.contains("complete -c ipsecgen"), "{fish}");

    ok(&["dpkg", &root_arg, "--remove", "ipsecgen"], &[]);
    for f in files {
        assert!(!root.join(f).exists(), "{f} left after removal");
    }
    assert!(!run(&["dpkg", &root_arg, "--status", "ipsecgen"], &[], 60)
        .status
        .success());
    assert!(!complete_p(&home, &root, &path).status.success());
}

/// `ipsecgen render` of a shipped example by `exe`, printed and written into `dir`: the printed
/// config and each written file's name and bytes.
fn rendered_by(exe: &str, dir: &Path) -> (String, Vec<(String, Vec<u8>)>) {
    let example = format!("{MANIFEST_DIR}/examples/aliyun/dual-tunnel-bgp.json");
    let printed = ok(&[exe, "render", &example, "--target", "swanctl"], &[]);
    ok(
        &[
            exe,
            "render",
            &example,
            "--target",
            "all",
            "-o",
            &dir.to_string_lossy(),
        ],
        &[],
    );
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("output dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string();
                files.push((name, std::fs::read(&path).expect("output file")));
            }
        }
    }
    files.sort();
    (printed, files)
}

#[test]
fn the_shipped_package_is_a_static_binary_that_renders_as_the_test_build() {
    if let Some(why) = missing_tool() {
        return did_not_run(&why);
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let deb = build_deb(&tmp.path().join("out"), None);

    // A static binary depends on no package and names the C library linked into it.
    let depends = run(&["dpkg-deb", "--field", &deb, "Depends"], &[], 60);
    assert_eq!(String::from_utf8_lossy(&depends.stdout).trim(), "");
    let using = ok(&["dpkg-deb", "--field", &deb, "Static-Built-Using"], &[]);
    assert!(
        using.starts_with("glibc (= "),
        "Static-Built-Using: {using}"
    );

    let root = scratch_root(tmp.path(), "");
    let root_arg = format!("--root={}", root.display());
    ok(&["dpkg", &root_arg, "--install", &deb], &[]);
    let exe = root.join("usr/bin/ipsecgen").to_string_lossy().into_owned();
    let dynamic = ok(&["readelf", "--dynamic", &exe], &[]);
    assert!(!dynamic.contains("(NEEDED)"), "loads libraries:\n{dynamic}");
    // A static-pie: position-independent, so ASLR still places it.
    let header = ok(&["readelf", "--file-header", &exe], &[]);
    assert!(
        header
            .lines()
            .any(|l| l.trim().starts_with("Type:") && l.contains("DYN")),
        "not position-independent:\n{header}"
    );
    let version = ok(&[&exe, "--version"], &[]);
    assert_eq!(
        version.trim(),
        format!("ipsecgen {}", env!("CARGO_PKG_VERSION"))
    );
    let shipped = rendered_by(&exe, &tmp.path().join("shipped"));
    let tested = rendered_by(env!("CARGO_BIN_EXE_ipsecgen"), &tmp.path().join("tested"));
    assert!(shipped.1.len() > 5, "{:?}", shipped.1.len());
    assert!(shipped == tested, "the shipped binary renders otherwise");

    ok(&["dpkg", &root_arg, "--remove", "ipsecgen"], &[]);
    assert!(!Path::new(&exe).exists());
}
