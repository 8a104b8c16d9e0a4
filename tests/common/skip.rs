//! The one gate of every test that needs something outside the repository (root and the lab
//! packages, libreswan, the vendor judges, the published payloads, PyPI, ...): without it the
//! test says loudly that it DID NOT RUN and passes, unless IPSECGEN_REQUIRE_LAB=1 (CI and the
//! README's test command), where a missing prerequisite is a failure.

/// `why` is the reason `what` cannot run here, or `None` when it can. Returns true when the
/// caller must return without testing. Under IPSECGEN_REQUIRE_LAB=1 it panics instead.
pub fn did_not_run(what: &str, why: Option<String>, how: &str) -> bool {
    let Some(why) = why else { return false };
    assert!(
        std::env::var("IPSECGEN_REQUIRE_LAB").as_deref() != Ok("1"),
        "IPSECGEN_REQUIRE_LAB=1 but {what} cannot run: {why}"
    );
    let bar = "!".repeat(76);
    let msg = format!(
        "\n{bar}\n!! {} DID NOT RUN: {why}\n!! {how}\n\
         !! Set IPSECGEN_REQUIRE_LAB=1 to make this a failure (CI does).\n{bar}\n",
        what.to_uppercase()
    );
    // straight to the stderr handle: eprintln! would be captured by the test harness
    let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
    true
}

/// Not root: network and mount namespaces need it.
#[allow(dead_code)]
pub fn not_root() -> Option<String> {
    let uid = std::process::Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    (uid.as_deref() != Some("0")).then(|| {
        format!(
            "not root (uid {}): network namespaces need root",
            uid.as_deref().unwrap_or("?")
        )
    })
}

/// The paths of `paths` that do not exist, as one reason (`None`: all there).
#[allow(dead_code)]
pub fn missing_paths(paths: &[&str]) -> Option<String> {
    let missing: Vec<String> = paths
        .iter()
        .filter(|p| !std::path::Path::new(p).exists())
        .map(|p| format!("{p} missing"))
        .collect();
    (!missing.is_empty()).then(|| missing.join("; "))
}
