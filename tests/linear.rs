//! The cost of each growth axis is linear: the work counters (`ipsecgen::work`) for an input
//! ten times larger are at most about ten times those of the small one. Counters, not wall
//! time: they do not depend on the machine or its load. (The sweeps up to 1M units with their
//! times are `cargo bench --bench sweeps`.)

#[path = "common/growth.rs"]
mod growth;

use std::sync::Mutex;

use ipsecgen::ir::Side;
use ipsecgen::render::RenderOptions;
use ipsecgen::source::Source;
use ipsecgen::work::{self, Unit};
use ipsecgen::LoadOptions;

/// The counters are process-wide: one measurement at a time.
static COUNTERS: Mutex<()> = Mutex::new(());

/// Check `text`, render it for `targets` (each must accept it), and return the work counted.
fn work_of(text: &str, targets: &[&str]) -> Vec<(Unit, u64)> {
    let _one = COUNTERS.lock().unwrap_or_else(|e| e.into_inner());
    work::reset();
    // The YAML parser recurses into deep nesting before its depth limit refuses it: an
    // unoptimised build needs more stack than a test thread has.
    let source = Source::new("growth.yaml", text);
    let checked = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || ipsecgen::check(source, &LoadOptions::default()))
        .expect("thread")
        .join()
        .expect("check");
    for t in targets {
        assert!(
            !checked.diagnostics.has_errors(),
            "{:?}",
            checked.diagnostics
        );
        let target = ipsecgen::render::registry().target(t).expect("target");
        ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), target)
            .unwrap_or_else(|e| panic!("{t}: {e:?}"));
    }
    work::counts()
}

/// Each counter of the 10x input is at most 10x (+10%, + a small constant for the parts of the
/// document that do not grow) that of the small one, and the larger input counted some work.
fn assert_linear(axis: &str, small: &str, large: &str, targets: &[&str]) {
    let (a, b) = (work_of(small, targets), work_of(large, targets));
    assert!(b.iter().any(|(_, n)| *n > 0), "{axis}: nothing counted");
    for ((unit, s), (_, l)) in a.iter().zip(&b) {
        assert!(
            *l <= s * 11 + 2_000,
            "{axis}: {unit:?} grew from {s} to {l} for ten times the input"
        );
    }
    let total = |v: &[(Unit, u64)]| v.iter().map(|(_, n)| n).sum::<u64>();
    eprintln!("{axis}: {} -> {} units of work", total(&a), total(&b));
}

#[test]
fn subnets_in_a_list() {
    assert_linear(
        "subnets",
        &growth::subnets(2_000),
        &growth::subnets(20_000),
        &["swanctl"],
    );
}

#[test]
fn unknown_fields() {
    assert_linear(
        "unknown",
        &growth::unknown(2_000),
        &growth::unknown(20_000),
        &[],
    );
}

#[test]
fn query_string_parameters() {
    assert_linear("query", &growth::query(2_000), &growth::query(20_000), &[]);
}

#[test]
fn ikev1_subnet_pairs() {
    // 10 x 10 and 100 x 10: both under the cap, so both are built.
    assert_linear(
        "children",
        &growth::ikev1_pairs(10, 10),
        &growth::ikev1_pairs(100, 10),
        &["swanctl"],
    );
}

#[test]
fn connections_in_a_fleet() {
    // SAFETY (edition 2021: safe): every test reads the variable, none changes it.
    std::env::set_var(growth::PSK_VAR, growth::PSK);
    assert_linear(
        "fleet",
        &growth::fleet(300),
        &growth::fleet(3_000),
        &["swanctl", "frr"],
    );
}

#[test]
fn connections_with_inline_keys() {
    assert_linear(
        "fleet, inline PSKs",
        &growth::fleet_inline(300),
        &growth::fleet_inline(3_000),
        &["swanctl"],
    );
}

/// Hostile texts for the secret scan, which reads every input (also one that does not parse):
/// secret values nested in secret values, many secret keys on one line, many aliases of
/// secrets. Each was quadratic (16 MiB of them ran for minutes).
#[test]
fn secret_looking_keys_in_hostile_text() {
    for unit in ["Psk: [", "{Psk: a, ", "Psk: *a ", "Psk: &a x "] {
        let (small, large) = (unit.repeat(2_000), unit.repeat(20_000));
        assert_linear(&format!("{unit:?}"), &small, &large, &[]);
    }
}

/// The columns of a report's diagnostics on one long line (a fleet whose lines end in a lone
/// `\r`, which the report's line index does not break at; a minified payload is the same):
/// each is counted from the nearest of the index's character counts, not from the line's
/// start (a 7.5 MiB fleet with a diagnostic in each of its 40,816 connections took 6.5 s).
#[test]
fn columns_of_diagnostics_on_one_long_line() {
    use ipsecgen::report::FileReport;
    let columns = |n: usize| {
        // The counters are the process's: no other test's work while this one checks.
        let _one = COUNTERS.lock().unwrap_or_else(|e| e.into_inner());
        // A PSK variable no test sets: a diagnostic in every connection.
        let text = growth::fleet(n)
            .replace(growth::PSK_VAR, "IPSECGEN_LINEAR_UNSET_PSK")
            .replace('\n', "\r");
        let checked = ipsecgen::check(Source::new("one-line.yaml", &text), &LoadOptions::default());
        let diagnostics: Vec<_> = checked.diagnostics.iter().cloned().collect();
        assert!(diagnostics.len() >= n, "{} diagnostics", diagnostics.len());
        work::reset();
        let json = ipsecgen::report::json(&FileReport {
            name: "one-line.yaml",
            text: &checked.masked_text,
            diagnostics: &diagnostics,
        });
        assert!(json.contains("\"line\":1,"), "{}", &json[..200]);
        work::counts()
            .into_iter()
            .find(|(u, _)| *u == Unit::ColumnByte)
            .map_or(0, |(_, n)| n)
    };
    let (small, large) = (columns(300), columns(3_000));
    eprintln!("columns: {small} -> {large} bytes walked");
    assert!(
        large > 0 && large <= small * 11 + 2_000,
        "{small} -> {large}"
    );
}
