//! Growth sweeps (a bench binary: `cargo bench --bench sweeps`; `-- --quick` stops each axis at
//! 100k units, `-- AXIS...` runs only those axes: subnets, unknown, query, children, fleet,
//! files, limits, floor).
//!
//! Every figure is of the real CLI as a child process: wall time, CPU time (user + system, from
//! `wait4`, so other load on the machine inflates it less than the wall time) and peak resident
//! memory (`ru_maxrss`). For each growth axis the input holds 1k, 10k, 100k and 1M units where
//! that fits in the 16 MiB input limit (a row says so where it does not) and `check` (and
//! `render`, where the axis renders) runs on it; the per-unit cost is the CPU time over the
//! units. Then:
//! - `limits`: inputs of about 16 MiB, valid or hostile, each accepted or refused (the code
//!   says which; the goal is within 1 s, the whole `check` counted), and the largest fleet the
//!   node limit lets through (40,816 connections, 7.5 MiB);
//! - `floor`: one connection rendered for one target against `ipsecgen --version`, interleaved,
//!   for this bench's build (the release profile, as `cargo build --release` and `cargo install`
//!   make it) and for the shipped one (`packaging/build-dist.sh`: LTO, static; built first).
//!
//! The rows are printed as Markdown table rows (the README's performance table).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ipsecgen::source::MAX_INPUT_BYTES;

#[path = "../tests/common/growth.rs"]
mod growth;
use growth::{children, fleet, fleet_spread, query, subnets, unknown, PSK};

const BIN: &str = env!("CARGO_BIN_EXE_ipsecgen");

/// The environment variable that names another ipsecgen binary for `measure` to run (set it
/// for the whole bench to measure, e.g., the shipped build on every axis).
const BIN_VAR: &str = "IPSECGEN_SWEEPS_BIN";

/// One finished CLI run.
struct Run {
    wall: Duration,
    cpu: Duration,
    /// Peak resident memory, MiB.
    rss: f64,
    code: i32,
    /// The first diagnostic code it printed, if any.
    first: String,
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000)
}

/// Run the CLI with `args` and report it. The measuring is done by a copy of this bench
/// started for that (`measure`): a child's peak memory as the kernel reports it starts from its
/// parent's peak at the time it was started, and this process grows with the inputs it builds.
fn cli(args: &[&str], scratch: &Path) -> Run {
    cli_of(None, args, scratch)
}

/// As `cli`, of the ipsecgen binary at `bin` (when None, the one IPSECGEN_SWEEPS_BIN names, or
/// else this bench's build).
fn cli_of(bin: Option<&Path>, args: &[&str], scratch: &Path) -> Run {
    let mut cmd = Command::new(std::env::current_exe().expect("bench path"));
    if let Some(bin) = bin {
        cmd.env(BIN_VAR, bin);
    }
    let out = cmd
        .env(MEASURE, scratch)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let line = String::from_utf8_lossy(&out.stdout);
    let f: Vec<&str> = line.split_whitespace().collect();
    assert!(
        f.len() >= 4,
        "measure: {line} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let num = |i: usize| f[i].parse::<u64>().expect("number");
    Run {
        wall: Duration::from_nanos(num(0)),
        cpu: Duration::from_nanos(num(1)),
        rss: num(2) as f64 / 1024.0,
        code: f[3].parse().expect("exit code"),
        first: f.get(4).copied().unwrap_or("").to_owned(),
    }
}

/// The environment variable that makes this bench measure one CLI run (its arguments are this
/// process's) and print wall and CPU nanoseconds, peak KiB, exit code and first diagnostic code.
const MEASURE: &str = "IPSECGEN_SWEEPS_MEASURE";

/// The first diagnostic code in a report (`"code":"input.limit"` or a human report's code line).
fn first_code(report: &str) -> Option<&str> {
    report.split(['"', '\n', ' ']).find(|w| {
        let mut parts = w.split('.');
        let ok = |p: Option<&str>| {
            p.is_some_and(|p| {
                !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
            })
        };
        ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
    })
}

fn measure(scratch: &Path) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out_path, err_path) = (scratch.join("stdout"), scratch.join("stderr"));
    let t = Instant::now();
    let bin = std::env::var_os(BIN_VAR).map_or_else(|| PathBuf::from(BIN), PathBuf::from);
    let child = Command::new(bin)
        .args(&args)
        // `cargo bench` runs this bench with the toolchain's and target/'s library folders in
        // LD_LIBRARY_PATH: the dynamic loader would look for libc, libm and libgcc_s in each of
        // them first (92 failed lookups, about 0.2 ms a process) before the system's. ipsecgen
        // loads no library of its own, and a user's shell or hook has no such path.
        .env_remove("LD_LIBRARY_PATH")
        .env(growth::PSK_VAR, PSK)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("runs");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 on our own child, with a zeroed rusage to fill; std never waits for it
    // (the Child is only dropped after this).
    let usage = unsafe {
        let pid = libc::wait4(child.id() as i32, &mut status, 0, usage.as_mut_ptr());
        assert!(pid > 0, "wait4");
        usage.assume_init()
    };
    let wall = t.elapsed();
    drop(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let mut report = std::fs::read_to_string(&err_path).unwrap_or_default();
    if code != 0 {
        // `check --format json` reports on stdout; the first 64 KiB hold the first codes.
        use std::io::Read;
        let mut head = String::new();
        if let Ok(f) = std::fs::File::open(&out_path) {
            let _ = f.take(64 << 10).read_to_string(&mut head);
        }
        report = head + &report;
    }
    println!(
        "{} {} {} {code} {}",
        wall.as_nanos(),
        (timeval(usage.ru_utime) + timeval(usage.ru_stime)).as_nanos(),
        usage.ru_maxrss,
        if code == 0 {
            ""
        } else {
            first_code(&report).unwrap_or("")
        }
    );
}

/// The median run of `n` (by wall time; the peak memory is the largest of all).
fn median_run(n: usize, f: impl Fn() -> Run) -> Run {
    let mut runs: Vec<Run> = (0..n).map(|_| f()).collect();
    let rss = runs.iter().map(|r| r.rss).fold(0.0, f64::max);
    let mut cpus: Vec<Duration> = runs.iter().map(|r| r.cpu).collect();
    cpus.sort();
    runs.sort_by_key(|r| r.wall);
    let mut r = runs.swap_remove(n / 2);
    r.rss = rss;
    r.cpu = cpus[n / 2];
    r
}

fn human_units(n: usize) -> String {
    match n {
        n if n >= 1_000_000 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn human_bytes(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else {
        format!("{:.0} KiB", n as f64 / 1024.0)
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

fn per_unit(d: Duration, n: usize) -> String {
    let ns = d.as_secs_f64() * 1e9 / n as f64;
    if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn outcome(r: &Run) -> String {
    match (r.code, r.first.as_str()) {
        (0, _) => "accepted".into(),
        (_, "") => format!("exit {}", r.code),
        (_, code) => format!("refused: {code}"),
    }
}

struct Axis {
    name: &'static str,
    unit: &'static str,
    make: fn(usize) -> String,
    /// The targets `render` is measured for (none: the axis only checks).
    render: &'static [&'static str],
}

const AXES: &[Axis] = &[
    Axis {
        name: "subnets",
        unit: "CIDR in RemoteSubnet",
        make: subnets,
        render: &["swanctl"],
    },
    Axis {
        name: "unknown",
        unit: "unknown field",
        make: unknown,
        render: &[],
    },
    Axis {
        name: "query",
        unit: "query parameter",
        make: query,
        render: &[],
    },
    Axis {
        name: "children",
        unit: "IKEv1 subnet pair",
        make: children,
        render: &["swanctl"],
    },
    Axis {
        name: "fleet",
        unit: "connection",
        make: fleet,
        render: &["swanctl,frr"],
    },
];

fn row(axis: &str, what: &str, n: usize, size: usize, r: &Run) {
    println!(
        "| {axis} | {what} | {} | {} | {} | {} | {} | {:.0} MiB | {} |",
        human_units(n),
        human_bytes(size),
        ms(r.wall),
        ms(r.cpu),
        per_unit(r.cpu, n),
        r.rss,
        outcome(r)
    );
}

fn sweep(axis: &Axis, sizes: &[usize], scratch: &Path) {
    let mut sizes = sizes.to_vec();
    if axis.name == "fleet" {
        // The most connections one run gives tunnel interface ids to (render refuses more).
        sizes.push(4_000);
        sizes.sort_unstable();
    }
    for n in sizes {
        let text = (axis.make)(n);
        if text.len() > MAX_INPUT_BYTES {
            println!(
                "| {} | - | {} | {} | - | - | - | - | not run: over the {} MiB input limit |",
                axis.name,
                human_units(n),
                human_bytes(text.len()),
                MAX_INPUT_BYTES >> 20
            );
            continue;
        }
        let ext = if axis.name == "query" { "txt" } else { "yaml" };
        let input = scratch.join(format!("{}-{n}.{ext}", axis.name));
        std::fs::write(&input, &text).expect("write input");
        let path = input.to_string_lossy().into_owned();
        let reps = if n <= 10_000 { 5 } else { 3 };
        let r = median_run(reps, || cli(&["check", "--format", "json", &path], scratch));
        row(axis.name, "check", n, text.len(), &r);
        for target in axis.render {
            let out = scratch.join("out");
            let outs = out.to_string_lossy().into_owned();
            let r = median_run(reps, || {
                let _ = std::fs::remove_dir_all(&out);
                let mut args = vec!["render", &path, "--target", target];
                if axis.name == "fleet" {
                    // Policy mode: route mode hands out at most 4,000 interface ids a run.
                    args.extend(["--tunnel-mode", "policy", "-o", &outs]);
                }
                cli(&args, scratch)
            });
            let what = if axis.name == "fleet" {
                format!("render {target} --tunnel-mode policy -o tmpfs")
            } else {
                format!("render {target}")
            };
            row(axis.name, &what, n, text.len(), &r);
            let _ = std::fs::remove_dir_all(&out);
        }
        let _ = std::fs::remove_file(&input);
    }
}

/// `check` over 1,000 and 10,000 single-connection files (the pre-commit hook's case).
fn files(scratch: &Path) {
    let dir = scratch.join("files");
    std::fs::create_dir_all(&dir).expect("files dir");
    let paths: Vec<String> = (0..10_000)
        .map(|i| {
            let (_, b, c) = growth::octets(i);
            let text = growth::aliyun("ikev2", &format!("10.{b}.{c}.0/24"), &growth::cidr(i), "")
                .replace("\"sweep\"", &format!("\"conn-{i}\""));
            let p = dir.join(format!("conn-{i:05}.json"));
            std::fs::write(&p, text).expect("write file");
            p.to_string_lossy().into_owned()
        })
        .collect();
    for n in [1_000, 10_000] {
        let mut args = vec!["check"];
        args.extend(paths[..n].iter().map(String::as_str));
        let r = median_run(5, || cli(&args, scratch));
        println!(
            "| check of {n} files | {} | {} | {} | {:.0} MiB | {} |",
            ms(r.wall),
            ms(r.cpu),
            per_unit(r.cpu, n),
            r.rss,
            outcome(&r)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Inputs of about 16 MiB (the input limit), each through `check`.
fn limits(scratch: &Path) {
    let fill = |head: &str, unit: &str, tail: &str| {
        let n = (MAX_INPUT_BYTES - head.len() - tail.len()) / unit.len();
        format!("{head}{}{tail}", unit.repeat(n))
    };
    let fleet_16 = {
        // As many connections as fit.
        let one = fleet(1).len() - "connections:\n".len();
        fleet((MAX_INPUT_BYTES - 64) / (one + 2))
    };
    // /24s of 17 bytes each once the numbers are long.
    let subnets_16 = subnets((MAX_INPUT_BYTES - 600) / 17);
    // Distinct dotted parameters of 12 to 13 bytes each.
    let query_16 = query((MAX_INPUT_BYTES - query(0).len()) / 13);
    // The most connections under the node limit (a BGP one is 35 values, another 21; the list
    // and its key 3), all valid: accepted, so checked in full (read in parts from the parser's
    // events with no count first: `source::split::read_in_parts_within`).
    let fleet_at_limit = fleet_spread((ipsecgen::source::MAX_NODES - 3) / 98 * 4);
    // Room for 10,001 merge keys (four values each) under the node limit.
    let fewer = fleet_spread((ipsecgen::source::MAX_NODES - 3) / 98 * 4 - 2_000);
    // The same fleet with what the fast readers leave to serde-saphyr or stop on: each costs
    // serde-saphyr one run of the list, or nothing (`source::split`, `source::syntax_refusal`).
    let in_middle = |item: &str| {
        let half = fleet_at_limit.len() / 2;
        let at = half + fleet_at_limit[half..].find("\n- ").expect("an item") + 1;
        format!("{}{item}\n{}", &fleet_at_limit[..at], &fleet_at_limit[at..])
    };
    let flow = |t: &str| {
        let items: Vec<&str> = t.lines().skip(1).map(|l| &l[2..]).collect();
        format!("connections: [\n  {}\n]\n", items.join(",\n  "))
    };
    let json = growth::fleet_json(&fleet_at_limit);
    // `text` with the last `what` in it replaced by `with`.
    let last = |text: &str, what: &str, with: &str| {
        let at = text.rfind(what).expect("in the text");
        format!("{}{with}{}", &text[..at], &text[at + what.len()..])
    };
    // The same fleet with an anchor on the PSK reference of the connections (lines) `anchor`
    // picks, and the PSK reference of those `alias_of` picks an alias of the anchor of
    // another line (`source::anchors`, `source::alias_ties`).
    let aliased = |anchor: &dyn Fn(usize) -> bool, alias_of: &dyn Fn(usize) -> Option<usize>| {
        let psk = format!("psk: {{env: {}}}", growth::PSK_VAR);
        fleet_at_limit
            .lines()
            .enumerate()
            .map(|(k, l)| {
                let line = if anchor(k) {
                    l.replacen("psk: {", &format!("psk: &p{k} {{"), 1)
                } else if let Some(a) = alias_of(k) {
                    l.replacen(&psk, &format!("psk: *p{a}"), 1)
                } else {
                    l.to_owned()
                };
                line + "\n"
            })
            .collect::<String>()
    };
    let cases: Vec<(&str, String)> = vec![
        ("a fleet of one-line connections", fleet_16.clone()),
        ("the same in one flow list", flow(&fleet_16)),
        (
            "the largest fleet under the node limit",
            fleet_at_limit.clone(),
        ),
        (
            "the same, `&`, `*` and `!` in a comment",
            format!("# R&D: *all* sites!\n{fleet_at_limit}"),
        ),
        (
            "the same, a tag and a hex number in its middle",
            in_middle("- {name: !!str tagged, asn: 0x10}"),
        ),
        (
            "the same, a syntax error in its last item",
            format!("{fleet_at_limit}- {{name: broken,\n"),
        ),
        (
            "the same, a duplicate key in its middle",
            in_middle("- {name: twice, name: twice}"),
        ),
        ("the same, in one flow list", flow(&fleet_at_limit)),
        (
            "the same in one flow list, a hex number in its last item",
            last(&flow(&fleet_at_limit), "asn: 64512", "asn: 0xFC00"),
        ),
        (
            "the same in one flow list, a duplicate key in its last item",
            last(&flow(&fleet_at_limit), "name: c", "name: x, name: c"),
        ),
        (
            "the same in one flow list, a tag in its last item",
            last(&flow(&fleet_at_limit), "name: c", "name: !!str c"),
        ),
        (
            "the same in one flow list, `.inf` in its last item",
            last(&flow(&fleet_at_limit), "asn: 64512", "asn: .inf"),
        ),
        (
            "the same in one flow list, a merge key in its last item",
            last(&flow(&fleet_at_limit), "asn: 64512", "<<: {asn: 64512}"),
        ),
        (
            "2,000 connections fewer, a merge key in 10,000 items",
            fewer.replacen("name: c", "<<: {name: x}, name: c", 10_000),
        ),
        (
            "2,000 connections fewer, a merge key in 10,001 items",
            fewer.replacen("name: c", "<<: {name: x}, name: c", 10_001),
        ),
        (
            "the same, a tag on a mapping in its last item",
            last(&fleet_at_limit, "- {name: c", "- !!map {name: c"),
        ),
        (
            "the same in one flow list, a tag on a mapping in its last item",
            last(&flow(&fleet_at_limit), "{name: c", "!!map {name: c"),
        ),
        (
            "the same in one flow list, after a `%YAML` directive",
            format!("%YAML 1.2\n---\n{}", flow(&fleet_at_limit)),
        ),
        (
            "the same in one flow list, a custom tag in its last item",
            last(&flow(&fleet_at_limit), "name: c", "name: !site c"),
        ),
        (
            "the same, a second document after it",
            format!("{fleet_at_limit}---\n{{}}\n"),
        ),
        ("the same as JSON", json.clone()),
        (
            "the same as JSON, its last brace cut off",
            json[..json.trim_end().len() - 1].to_owned(),
        ),
        (
            "the same as JSON, a duplicate key in its last item",
            last(&json, "\"name\": \"c", "\"name\": \"x\", \"name\": \"c"),
        ),
        (
            "the same as JSON, a 21-digit number in its last item",
            last(&json, "\"asn\": 64512", "\"asn\": 123456789012345678901"),
        ),
        (
            "the same, 510 anchors each with an alias",
            aliased(&|k| k % 80 == 1, &|k| (k % 80 == 2).then(|| k - 1)),
        ),
        (
            "the same, 1,000 anchors each with an alias",
            aliased(&|k| k % 40 == 1 && k / 40 < 1_000, &|k| {
                (k % 40 == 2 && k / 40 < 1_000).then(|| k - 1)
            }),
        ),
        (
            "the same, 1,001 anchors each with an alias",
            aliased(&|k| k % 40 == 1 && k / 40 < 1_001, &|k| {
                (k % 40 == 2 && k / 40 < 1_001).then(|| k - 1)
            }),
        ),
        (
            "the same, 1,001 aliases of 101 anchors",
            aliased(&|k| k % 400 == 1 && k / 400 < 101, &|k| {
                (k % 40 == 2 && k / 40 < 1_001).then(|| k / 400 * 400 + 1)
            }),
        ),
        (
            "the same, 100 aliases of its first connection's",
            aliased(&|k| k == 1, &|k| {
                (k % 400 == 2 && (1..=100).contains(&(k / 400))).then_some(1)
            }),
        ),
        (
            "the same, defaults at the top merged into its first 1,000 items",
            format!(
                "defaults: &d {{mtu: 1400}}\n{}",
                fleet_at_limit.replacen("- {name: c", "- {<<: *d, name: c", 1_000)
            ),
        ),
        (
            "the same, an alias of its last connection after it",
            format!(
                "{}- *last\n",
                last(&fleet_at_limit, "- {name: c", "- &last {name: c")
            ),
        ),
        ("the same, every 40th name tagged `!!str` (1,020 tags)", {
            let every = 40;
            let mut k = 0;
            fleet_at_limit
                .split_inclusive("{name: c")
                .map(|piece| {
                    k += 1;
                    match piece.strip_suffix("{name: c") {
                        Some(head) if k % every == 0 => format!("{head}{{name: !!str c"),
                        _ => piece.to_owned(),
                    }
                })
                .collect()
        }),
        (
            "the same, its lines ending in a lone `\\r`",
            fleet_at_limit.replace('\n', "\r"),
        ),
        ("a RemoteSubnet list", subnets_16),
        ("a query string of dotted parameters", query_16),
        (
            "numbers in a flow list under one key `a: [1, 1, ...`",
            fill("a: [", "1, ", "1]\n"),
        ),
        (
            "words in a block list under one key `a: - x ...`",
            fill("a:\n", "- x\n", ""),
        ),
        ("nested sequences `[[[...`", fill("", "[", "")),
        ("nested mappings `{a: {a: ...`", fill("", "{a: ", "")),
        ("one object of unknown fields", {
            let base = unknown(0);
            let n = (MAX_INPUT_BYTES - base.len()) / 13;
            unknown(n)
        }),
        (
            "a secret value nested in itself `Psk: [Psk: [...`",
            fill("", "Psk: [", ""),
        ),
        (
            "secret keys on one line `{Psk: a, Psk: a, ...`",
            fill("{", "Psk: a, ", "}"),
        ),
        (
            "aliases of secrets `Psk: *a Psk: *a ...`",
            fill("", "Psk: *a ", ""),
        ),
        ("one byte over the limit", "#".repeat(MAX_INPUT_BYTES + 1)),
    ];
    for (what, text) in cases {
        let input = scratch.join("limit.yaml");
        std::fs::write(&input, &text).expect("write input");
        let r = cli(
            &["check", "--format", "json", &input.to_string_lossy()],
            scratch,
        );
        println!(
            "| {what} | {} | {} | {} | {:.0} MiB | {} |",
            human_bytes(text.len()),
            ms(r.wall),
            ms(r.cpu),
            r.rss,
            outcome(&r)
        );
    }
}

/// One connection, one target, as a process, interleaved with `--version`.
/// The shipped binary, built by `packaging/build-dist.sh` (a no-op when it is up to date).
fn dist_binary() -> Result<PathBuf, String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .arg(format!("{root}/packaging/build-dist.sh"))
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("bash: {e}"))?;
    let path = String::from_utf8_lossy(&out.stdout);
    match path.lines().last() {
        Some(p) if out.status.success() => Ok(Path::new(root).join(p)),
        _ => Err(format!("packaging/build-dist.sh: {}", out.status)),
    }
}

fn floor(scratch: &Path) {
    const RUNS: usize = 300;
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/aliyun/connection-static.json"
    );
    let mut builds = vec![(
        "release profile (`cargo install`)".to_owned(),
        Some(PathBuf::from(BIN)),
    )];
    match dist_binary() {
        Ok(path) => builds.push(("shipped (`packaging/build-dist.sh`)".to_owned(), Some(path))),
        Err(e) => println!("| shipped build: not measured ({e}) | | | |"),
    }
    let runs = |bin: &Option<PathBuf>, args: &[&str]| cli_of(bin.as_deref(), args, scratch).wall;
    // [build][version, render, check]
    let mut walls = vec![[Vec::new(), Vec::new(), Vec::new()]; builds.len()];
    for _ in 0..RUNS {
        for ((_, bin), w) in builds.iter().zip(&mut walls) {
            w[0].push(runs(bin, &["--version"]));
            w[1].push(runs(bin, &["render", file, "--target", "swanctl"]));
            w[2].push(runs(bin, &["check", file]));
        }
    }
    let q = |v: &[Duration], p: usize| v[v.len() * p / 100];
    for ((build, _), w) in builds.iter().zip(&mut walls) {
        for v in w.iter_mut() {
            v.sort();
        }
        for (what, v) in [
            ("`ipsecgen --version`", &w[0]),
            ("`render connection-static.json --target swanctl`", &w[1]),
            ("`check connection-static.json`", &w[2]),
        ] {
            println!(
                "| {build}: {what} | {} | {} | {} |",
                ms(q(v, 50)),
                ms(q(v, 10)),
                ms(q(v, 90))
            );
        }
    }
    for ((build, _), w) in builds.iter().zip(&walls) {
        println!(
            "{build}: render - --version, medians: {}",
            ms(q(&w[1], 50).saturating_sub(q(&w[0], 50)))
        );
    }
}

fn main() {
    if let Some(scratch) = std::env::var_os(MEASURE) {
        return measure(Path::new(&scratch));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let chosen: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |name: &str| chosen.is_empty() || chosen.contains(&name);
    let sizes: &[usize] = if quick {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    // Inputs and outputs on tmpfs when there is one: the sweeps measure ipsecgen, not the disk.
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let scratch = base.join(format!("ipsecgen-sweeps-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    if AXES.iter().any(|a| wants(a.name)) {
        for axis in AXES.iter().filter(|a| wants(a.name)) {
            println!("- {}: one unit is one {}", axis.name, axis.unit);
        }
        println!();
        println!(
            "| axis | run | units | input | wall | CPU | CPU per unit | peak memory | outcome |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for axis in AXES.iter().filter(|a| wants(a.name)) {
            sweep(axis, sizes, &scratch);
        }
    }
    if wants("files") {
        println!();
        println!("| many files | wall | CPU | CPU per file | peak memory | outcome |");
        println!("|---|---|---|---|---|---|");
        files(&scratch);
    }
    if wants("limits") {
        println!();
        println!("| about 16 MiB of | input | wall | CPU | peak memory | outcome |");
        println!("|---|---|---|---|---|---|");
        limits(&scratch);
    }
    if wants("floor") {
        println!();
        println!("| one file as a process (300 runs, interleaved) | median | p10 | p90 |");
        println!("|---|---|---|---|");
        floor(&scratch);
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
