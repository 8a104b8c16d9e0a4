//! Rendering one file for one target reads that target's table and no other (issue 20: "cut
//! what does not have to run, e.g. building every target's tables"). The counter is
//! process-wide, so this binary holds this test alone. Nor does it ask the system how many
//! cores there are.

use clap::Parser;
use ipsecgen::work::{self, Unit};

fn tables_read(args: &[&str]) -> u64 {
    counted(args, Unit::TargetTable)
}

/// The units of `unit` a run of `args` counts.
fn counted(args: &[&str], unit: Unit) -> u64 {
    work::reset();
    let cli = ipsecgen::cli::Cli::try_parse_from(args).expect("arguments");
    let code = ipsecgen::cli::run(cli);
    assert_eq!(code, 0, "{args:?}");
    work::counts()
        .into_iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, n)| n)
        .expect("the counter")
}

#[test]
fn a_render_for_one_target_reads_one_table() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/aliyun/connection-static.json"
    );
    let out = scratch("one");
    let render = [
        "ipsecgen", "render", example, "--target", "swanctl", "-o", &out,
    ];
    assert_eq!(tables_read(&render), 1);
    // Nor does a one-file run ask how many cores there are (a dozen system calls into the
    // cgroup files), which only a large input or several inputs need. The answer is kept for
    // the process, so this holds from the process's first runs on.
    assert_eq!(
        work::counts()[Unit::CoreQuery as usize],
        (Unit::CoreQuery, 0)
    );
    assert_eq!(counted(&["ipsecgen", "check", example], Unit::CoreQuery), 0);
    // A device fact given by flag is checked against every target's table (the fact must be
    // one some target uses): the other tables are read now, each once in the process.
    let builtin = ipsecgen::render::builtin_files()
        .iter()
        .filter(|(p, _)| p.ends_with("/target.toml"))
        .count() as u64;
    let out = scratch("facts");
    assert_eq!(
        tables_read(&[
            "ipsecgen",
            "render",
            example,
            "--target",
            "cisco-ios-xe",
            "--device",
            "wan=GigabitEthernet2",
            "-o",
            &out,
        ]),
        builtin - 1
    );
}

/// A fresh output folder path (not created: the render creates it).
fn scratch(name: &str) -> String {
    let d = std::env::temp_dir().join(format!("ipsecgen-one-table-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d.to_str().expect("utf-8 path").to_owned()
}
