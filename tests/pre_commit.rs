//! The pre-commit hooks through the real client: `pre-commit` (pinned, from PyPI, in a venv this
//! test creates) runs the README's `.pre-commit-config.yaml` snippets in a fresh git repository
//! that holds VPN payloads of every dialect beside a workflow, a package.json, a tsconfig.json,
//! a Kubernetes manifest and the pre-commit config itself.
//!
//! The hook repository is a snapshot of this checkout (tracked and untracked, not ignored files,
//! committed into a temporary repository) so the hooks run from the working tree under test; the
//! README's snippets are used as written, with only their `repo:` and `rev:` values replaced.
//! The `system` hook runs with the built binary on PATH; the `rust` hook runs once with pre-commit's
//! own `cargo install --path .` of the snapshot, offline (CARGO_NET_OFFLINE=true), into a
//! persistent target directory (target/tmp/pre-commit-rust) at opt-level 0 to keep it short.
//!
//! Needs python3 with venv, git and PyPI; without them the test says loudly that it DID NOT RUN,
//! and fails when IPSECGEN_REQUIRE_LAB=1 (as in CI). Every external command has a time limit.

#[path = "common/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const PRE_COMMIT: &str = "pre-commit==4.7.0";
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn did_not_run(why: &str) {
    skip::did_not_run(
        "the pre-commit test",
        Some(why.to_owned()),
        "It needs python3 with venv (lab/install-deps.sh), git and PyPI.",
    );
}

/// Run `cmd` under coreutils `timeout` (the whole process group is killed at the limit).
fn run(cmd: &[&str], dir: &Path, env: &[(&str, &str)], limit: Duration) -> Output {
    let started = Instant::now();
    let out = Command::new("timeout")
        .args(["-k", "10", &limit.as_secs().to_string()])
        .args(cmd)
        .current_dir(dir)
        // No user or system git configuration (hooks paths, signing) leaks into the test.
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    eprintln!(
        "[pre-commit test] {:?} in {:.1} s: {}",
        cmd,
        started.elapsed().as_secs_f64(),
        out.status
    );
    assert_ne!(out.status.code(), Some(124), "{cmd:?} timed out");
    out
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn git(dir: &Path, args: &[&str]) {
    let mut cmd = vec!["git"];
    cmd.extend_from_slice(args);
    let out = run(
        &cmd,
        dir,
        &[
            ("GIT_AUTHOR_NAME", "t"),
            ("GIT_AUTHOR_EMAIL", "t@example.invalid"),
            ("GIT_COMMITTER_NAME", "t"),
            ("GIT_COMMITTER_EMAIL", "t@example.invalid"),
        ],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
}

/// The fenced YAML between `<!-- pre-commit config: NAME` and `<!-- end pre-commit config: NAME`
/// in README.md, with its `repo:` and `rev:` values replaced (each must occur exactly once).
fn readme_config(name: &str, repo: &str, rev: &str) -> String {
    let readme =
        std::fs::read_to_string(Path::new(MANIFEST_DIR).join("README.md")).expect("README");
    let start = readme
        .find(&format!("<!-- pre-commit config: {name} "))
        .unwrap_or_else(|| panic!("README has no pre-commit config `{name}`"));
    let end = start
        + readme[start..]
            .find(&format!("<!-- end pre-commit config: {name} "))
            .expect("end marker");
    let block = &readme[start..end];
    let body = block
        .split_once("```yaml\n")
        .and_then(|(_, b)| b.split_once("```"))
        .map(|(b, _)| b)
        .expect("a ```yaml block between the markers");
    let (mut repos, mut revs) = (0, 0);
    let lines: Vec<String> = body
        .lines()
        .map(|line| {
            let indent = &line[..line.len() - line.trim_start().len()];
            if line.trim_start().starts_with("- repo:") {
                repos += 1;
                format!("{indent}- repo: {repo}")
            } else if line.trim_start().starts_with("rev:") {
                revs += 1;
                format!("{indent}rev: {rev}")
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert_eq!((repos, revs), (1, 1), "one repo: and one rev: in {body}");
    lines.join("\n") + "\n"
}

/// A git repository holding this checkout's files (tracked and untracked, not ignored), for
/// pre-commit to clone: the hooks run from the working tree under test. Returns its HEAD.
fn snapshot_checkout(into: &Path) -> String {
    let listed = Command::new("git")
        .args([
            "-C",
            MANIFEST_DIR,
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .expect("git ls-files");
    assert!(listed.status.success(), "git ls-files failed");
    for rel in listed.stdout.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).expect("UTF-8 path"));
        let from = Path::new(MANIFEST_DIR).join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = into.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&from, &to).expect("copy");
    }
    git(into, &["init", "-q"]);
    git(into, &["add", "-A"]);
    git(
        into,
        &["commit", "-q", "-m", "snapshot for the pre-commit test"],
    );
    let head = Command::new("git")
        .args(["-C", &into.to_string_lossy(), "rev-parse", "HEAD"])
        .output()
        .expect("rev-parse");
    String::from_utf8_lossy(&head.stdout).trim().to_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let path = entry.expect("entry").path();
        let dest = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).expect("copy");
        }
    }
}

/// A repository as a user has it: VPN payloads of every dialect (all shipped examples) and the
/// usual other JSON and YAML files.
fn user_project(dir: &Path) {
    copy_dir(&Path::new(MANIFEST_DIR).join("examples"), &dir.join("vpn"));
    let files = [
        (
            ".github/workflows/ci.yml",
            "name: CI\non:\n  push:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test\n",
        ),
        (
            "package.json",
            "{\n  \"name\": \"vpn-portal\",\n  \"version\": \"1.2.0\",\n  \"scripts\": {\"test\": \"vitest\"},\n  \"dependencies\": {\"react\": \"18.3.1\"}\n}\n",
        ),
        (
            "tsconfig.json",
            "{\"$schema\": \"https://json.schemastore.org/tsconfig\", \"compilerOptions\": {\"strict\": true}}\n",
        ),
        (
            "deploy/service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: portal\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: portal\n",
        ),
    ];
    for (name, body) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, body).expect("write");
    }
    git(dir, &["init", "-q"]);
}

struct PreCommit {
    exe: PathBuf,
    home: PathBuf,
    project: PathBuf,
    /// PATH without the test binary's folder.
    path: String,
}

impl PreCommit {
    fn run(
        &self,
        config: &str,
        extra_path: Option<&Path>,
        env: &[(&str, &str)],
        limit: u64,
    ) -> Output {
        std::fs::write(self.project.join(".pre-commit-config.yaml"), config).expect("config");
        git(&self.project, &["add", "-A"]);
        let path = match extra_path {
            Some(p) => format!("{}:{}", p.display(), self.path),
            None => self.path.clone(),
        };
        let home = self.home.to_string_lossy();
        let mut all = vec![
            ("PATH", path.as_str()),
            ("PRE_COMMIT_HOME", home.as_ref()),
            ("PRE_COMMIT_COLOR", "never"),
            ("NO_COLOR", "1"),
        ];
        all.extend_from_slice(env);
        run(
            &[&self.exe.to_string_lossy(), "run", "--all-files"],
            &self.project,
            &all,
            Duration::from_secs(limit),
        )
    }
}

#[test]
fn pre_commit_hooks_check_vpn_documents_and_leave_other_files_alone() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    if Command::new("git").arg("--version").output().is_err() {
        return did_not_run("git is not installed");
    }
    // The client, pinned, from PyPI, in a venv of this test.
    let venv = root.join("venv");
    let made = run(
        &["python3", "-m", "venv", &venv.to_string_lossy()],
        root,
        &[],
        Duration::from_secs(120),
    );
    if !made.status.success() {
        return did_not_run(&format!(
            "python3 -m venv failed (install python3-venv: lab/install-deps.sh): {}",
            text(&made)
        ));
    }
    let pip = venv.join("bin/pip");
    let installed = run(
        &[
            &pip.to_string_lossy(),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PRE_COMMIT,
        ],
        root,
        &[],
        Duration::from_secs(300),
    );
    if !installed.status.success() {
        return did_not_run(&format!(
            "pip install {PRE_COMMIT} failed: {}",
            text(&installed)
        ));
    }

    let hook_repo = root.join("ipsecgen");
    std::fs::create_dir(&hook_repo).expect("mkdir");
    let rev = snapshot_checkout(&hook_repo);
    let url = format!("file://{}", hook_repo.display());
    let project = root.join("project");
    user_project(&project);

    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ipsecgen"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|p| Path::new(p) != bin_dir)
        .collect::<Vec<_>>()
        .join(":");
    let pc = PreCommit {
        exe: venv.join("bin/pre-commit"),
        home: root.join("pre-commit-home"),
        project: project.clone(),
        path,
    };

    // The system hook, with the built binary on PATH: a clean repository passes.
    let system = readme_config("system", &url, &rev);
    let out = pc.run(&system, Some(&bin_dir), &[], 300);
    let all = text(&out);
    assert!(out.status.success(), "clean run failed:\n{all}");
    assert!(
        all.contains("ipsecgen check (installed ipsecgen)") && all.contains("Passed"),
        "{all}"
    );

    // A broken payload fails with the cloud's own code; the other files stay unmentioned.
    std::fs::copy(
        Path::new(MANIFEST_DIR).join("tests/invalid/ike-lifetime-range.json"),
        project.join("vpn/broken.json"),
    )
    .expect("copy");
    let out = pc.run(&system, Some(&bin_dir), &[], 300);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    for want in ["Failed", "IllegalParam.IkeLifetime", "vpn/broken.json"] {
        assert!(all.contains(want), "`{want}` missing:\n{all}");
    }
    for unwanted in [
        "input.dialect",
        "package.json",
        "ci.yml",
        "tsconfig",
        "service.yaml",
    ] {
        assert!(!all.contains(unwanted), "`{unwanted}` reported:\n{all}");
    }

    // The rust hook: pre-commit builds the snapshot with `cargo install --path .`, offline, and
    // runs its own binary (the test binary's folder is not on PATH).
    let rust = readme_config("rust", &url, &rev);
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-rust");
    let target = target.to_string_lossy();
    let cargo_env = [
        ("CARGO_NET_OFFLINE", "true"),
        ("CARGO_TARGET_DIR", target.as_ref()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
    ];
    let out = pc.run(&rust, None, &cargo_env, 1500);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    for want in [
        "ipsecgen check.",
        "Failed",
        "IllegalParam.IkeLifetime",
        "vpn/broken.json",
    ] {
        assert!(all.contains(want), "`{want}` missing:\n{all}");
    }
    assert!(!all.contains("input.dialect"), "{all}");
    let built = std::fs::read_dir(&pc.home)
        .expect("pre-commit home")
        .filter_map(Result::ok)
        .map(|e| e.path().join("rustenv-system/bin/ipsecgen"))
        .find(|p| p.is_file());
    assert!(built.is_some(), "no ipsecgen built by the rust hook");
    // Once the payload is fixed (removed), the same environment passes without a rebuild.
    std::fs::remove_file(project.join("vpn/broken.json")).expect("rm");
    let out = pc.run(&rust, None, &cargo_env, 300);
    assert!(out.status.success(), "{}", text(&out));
    eprintln!(
        "[pre-commit test] total {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
