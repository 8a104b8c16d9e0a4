//! Counters of units of work, for the tests that hold the cost of each growth axis linear
//! (`tests/linear.rs`): each step that walks an input of unbounded size adds what it walked
//! (bytes scanned, map entries compared, subnets compared, children built, templates
//! rendered). A test reads them around a small and a ten times larger input and asserts the
//! ratio; wall time is never asserted.
//!
//! A step adds once per call, not once per unit, so the counters cost one relaxed atomic add
//! per walk and nothing per element.

use std::sync::atomic::{AtomicU64, Ordering};

/// What is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of the source text walked by the secret scan (its passes and the value ends it
    /// looks for).
    ScannedByte,
    /// Entries of a mapping compared while building or reading it (query-string keys, object
    /// keys checked against the fields a dialect asked for).
    MapEntry,
    /// Subnets compared or swept by the overlap checks.
    SubnetCompare,
    /// Children (subnet pairs) built for a connection.
    Child,
    /// Templates rendered.
    Template,
    /// Bytes of rendered output.
    OutputByte,
    /// Target tables read (a built-in one is read when first asked for).
    TargetTable,
    /// Times the number of cores was asked of the system (the standard library reads the
    /// cgroup files to answer; a run that needs no second thread does not ask).
    CoreQuery,
    /// Bytes walked to find a column (`line_index`): at most a chunk a lookup.
    ColumnByte,
}

/// Every unit, in the order of the counters.
pub const UNITS: [Unit; 9] = [
    Unit::ScannedByte,
    Unit::MapEntry,
    Unit::SubnetCompare,
    Unit::Child,
    Unit::Template,
    Unit::OutputByte,
    Unit::TargetTable,
    Unit::CoreQuery,
    Unit::ColumnByte,
];

static COUNTS: [AtomicU64; UNITS.len()] = [const { AtomicU64::new(0) }; UNITS.len()];

/// Count `n` units of work.
#[inline]
pub fn add(unit: Unit, n: usize) {
    COUNTS[unit as usize].fetch_add(n as u64, Ordering::Relaxed);
}

/// The units counted so far in this process (all threads), by unit.
pub fn counts() -> Vec<(Unit, u64)> {
    UNITS
        .iter()
        .map(|&u| (u, COUNTS[u as usize].load(Ordering::Relaxed)))
        .collect()
}

/// Set every counter to zero.
pub fn reset() {
    for c in &COUNTS {
        c.store(0, Ordering::Relaxed);
    }
}
