//! The results table of both labs and their verdict. A scenario with a `known_failure` must
//! fail (it is printed loudly and counted); one that starts passing fails the test, so the
//! marker cannot go stale.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::scenario::Scenario;

pub struct Row {
    pub case: String,
    pub kind: String,
    /// "cloud impl <-> customer impl"
    pub impls: String,
    pub wall: Duration,
    pub details: String,
    pub failures: Vec<String>,
    pub known: Option<&'static str>,
    /// Not run: the same rendered files as an earlier scenario.
    pub same: bool,
    /// The runner produced a record (a known failure must fail by running, not by not running).
    pub ran: bool,
    /// Not run by this lab, and why: the other lab covers it.
    pub elsewhere: Option<String>,
}

impl Row {
    pub fn of(s: &Scenario, wall: Duration, (failures, details): (Vec<String>, String)) -> Row {
        let ran = !failures
            .first()
            .is_some_and(|f| f.starts_with(super::expect::NOT_RUN));
        Row {
            ran,
            case: s.example.clone(),
            kind: s.kind.clone(),
            impls: format!("{} <-> {}", s.impls[0].id(), s.impls[1].id()),
            wall,
            details,
            failures,
            known: s.known_failure,
            same: false,
            elsewhere: None,
        }
    }

    /// A case judged without a scenario (a refusal asserted on the rendered side).
    pub fn judged(
        case: String,
        kind: &str,
        wall: Duration,
        (failures, details): (Vec<String>, String),
    ) -> Row {
        Row {
            ran: true,
            wall,
            details,
            failures,
            ..Row::failed(case, kind, String::new())
        }
    }

    /// A case this lab does not run because the other lab does (`why`): a visible row, not a
    /// failure.
    pub fn elsewhere(case: String, kind: &str, why: String) -> Row {
        let mut r = Row::failed(case, kind, String::new());
        r.failures.clear();
        r.elsewhere = Some(why);
        r
    }

    pub fn failed(case: String, kind: &str, e: String) -> Row {
        Row {
            case,
            kind: kind.into(),
            impls: String::new(),
            wall: Duration::ZERO,
            details: String::new(),
            failures: vec![e],
            known: None,
            same: false,
            ran: false,
            elsewhere: None,
        }
    }

    /// Neither run (same output, the other lab's) nor judged here.
    fn skipped(&self) -> bool {
        self.same || self.elsewhere.is_some()
    }

    fn bad(&self) -> bool {
        !self.skipped() && (!self.ran || self.failures.is_empty() == self.known.is_some())
    }
}

/// The markdown table: a first line (`head`) then a row per scenario.
pub fn table(title: &str, head: &str, rows: &[Row]) -> String {
    let mut t = format!("# {title}\n\n");
    let same = rows.iter().filter(|r| r.same).count();
    let elsewhere = rows.iter().filter(|r| r.elsewhere.is_some()).count();
    let known = rows.iter().filter(|r| r.known.is_some()).count();
    let passed = rows
        .iter()
        .filter(|r| !r.skipped() && r.failures.is_empty() && r.known.is_none())
        .count();
    let _ = write!(
        t,
        "{passed} of {} scenarios passed, {known} known failures",
        rows.len() - same - elsewhere
    );
    if same > 0 {
        let _ = write!(t, ", {same} not run again (same rendered files)");
    }
    if elsewhere > 0 {
        let _ = write!(t, ", {elsewhere} covered by the other lab");
    }
    let _ = writeln!(t, ". {head}\n");
    t.push_str("| example | scenario | cloud <-> customer | result | time | details |\n");
    t.push_str("|---|---|---|---|---|---|\n");
    for r in rows {
        let result = match (r.failures.is_empty(), r.known) {
            _ if r.same => "same output".to_owned(),
            _ if r.elsewhere.is_some() => "other lab".to_owned(),
            (true, None) => "PASS".to_owned(),
            (false, None) => format!("**FAIL** ({})", r.failures.len()),
            (false, Some(_)) if r.ran => "KNOWN FAILURE".to_owned(),
            (false, Some(_)) => format!("**FAIL** ({}, not run)", r.failures.len()),
            (true, Some(_)) => "**XPASS** (remove the known_failure)".to_owned(),
        };
        let mut details = r.elsewhere.clone().unwrap_or_else(|| r.details.clone());
        if let Some(k) = r.known {
            details = format!("{k}; {details}");
        }
        if let Some(first) = r.failures.first() {
            details = format!("{}; {details}", first.lines().next().unwrap_or(""));
        }
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {:.1} s | {} |",
            r.case,
            r.kind,
            r.impls,
            result,
            r.wall.as_secs_f64(),
            details.replace('|', "\\|")
        );
    }
    t
}

/// Print the known failures loudly; panic with every unexpected result.
pub fn verdict(lab: &str, rows: &[Row]) {
    for r in rows
        .iter()
        .filter(|r| r.known.is_some() && !r.failures.is_empty())
    {
        let msg = format!(
            "\n!! {lab} KNOWN FAILURE: {} [{}]: {}\n!!   {}\n",
            r.case,
            r.kind,
            r.known.unwrap_or(""),
            r.failures[0].lines().next().unwrap_or("")
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
    }
    let bad: Vec<&Row> = rows.iter().filter(|r| r.bad()).collect();
    if bad.is_empty() {
        return;
    }
    let mut msg = format!("{} of {} {lab} scenarios failed:\n", bad.len(), rows.len());
    for r in &bad {
        let _ = writeln!(msg, "\n=== {} [{}] ({})", r.case, r.kind, r.impls);
        if r.failures.is_empty() {
            let _ = writeln!(msg, "  - passed, but is listed as a known failure");
        }
        for f in &r.failures {
            let _ = writeln!(msg, "  - {}", f.replace('\n', "\n    "));
        }
    }
    panic!("{msg}");
}

/// A folder name for a case: letters, digits, `-` and `.`, the rest `_`.
pub fn slug(s: &str) -> String {
    s.trim_start_matches("examples/")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// target/ and target/`name`/, created and locked for this process: one lab run at a time per
/// target dir (other engineers may run the same test concurrently). Keep the file: it holds
/// the lock.
pub fn locked_dir(name: &str) -> (PathBuf, PathBuf, std::fs::File) {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_owned();
    let dir = target.join(name);
    std::fs::create_dir_all(&dir).expect("lab results dir");
    let lock = std::fs::File::create(dir.join(".lock")).expect("lock file");
    lock.lock().expect("lock the lab results dir");
    (target, dir, lock)
}
