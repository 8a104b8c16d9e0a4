//! Lifetimes, pre-shared keys and weak-algorithm lints.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Cipher, Connection, IkeMode, IkeVersion, Integrity};

/// Lifetimes within the API's documented range (Alibaba: 0..86400 s); 0 is a lint everywhere.
pub fn lifetimes(conn: &Connection, out: &mut Diagnostics) {
    let limits = super::limits::for_connection(conn);
    for (lt, field, ike) in [
        (&conn.ike.lifetime, "IkeLifetime", true),
        (&conn.esp.lifetime, "IpsecLifetime", false),
    ] {
        if let Some((min, max, ike_code, esp_code)) = limits.lifetime {
            if !(min..=max).contains(&lt.value) {
                out.push(
                    Diagnostic::error(
                        if ike { ike_code } else { esp_code },
                        format!("{field} {} is out of range", lt.value),
                    )
                    .at(lt.span, format!("must be {min} to {max}"))
                    .help(format!("lifetimes are in seconds, from {min} to {max}")),
                );
                continue;
            }
        }
        if lt.value == 0 {
            out.push(
                Diagnostic::warning("lint.lifetime-zero", format!("{field} 0 disables rekeying"))
                    .at(lt.span, "keys are never refreshed")
                    .help("use a lifetime such as 28800 (IKE) or 3600 (IPsec)"),
            );
        }
    }
}

/// PSK: 1..100 characters, no spaces (the documented character set), warn when short.
pub fn psk(conn: &Connection, out: &mut Diagnostics) {
    let Some(psk) = &conn.psk else { return };
    let len = psk.len();
    // The API's own rule where it documents one (Alibaba: 1..100 printable ASCII, no spaces);
    // elsewhere only an empty key is an error (targets refuse what they cannot write).
    let (max, code) = super::limits::for_connection(conn)
        .psk
        .unwrap_or((usize::MAX, "input.psk"));
    if len == 0 || len > max {
        out.push(
            Diagnostic::error(
                code,
                format!("the pre-shared key is {len} characters long; it must be 1 to {max}"),
            )
            .at(psk.span, "invalid length"),
        );
        return;
    }
    let documented_charset = max != usize::MAX;
    let bad = documented_charset && psk.expose().chars().any(|c| !c.is_ascii_graphic());
    if bad {
        out.push(
            Diagnostic::error(
                code,
                "the pre-shared key contains a space, a control character or a non-ASCII character",
            )
            .at(psk.span, "invalid character")
            .help("use letters, digits and the printable ASCII symbols documented by the API"),
        );
    } else if psk.expose().contains("***") {
        out.push(
            Diagnostic::warning("lint.psk-masked", "the pre-shared key looks masked by the API (it contains ***)")
                .at(psk.span, "masked value")
                .help("Describe* responses mask the key: put the real key here, or better a {env: VAR} reference"),
        );
    } else if looks_guessable(psk.expose()) {
        out.push(
            Diagnostic::warning(
                "lint.psk-weak",
                "the pre-shared key looks like a dictionary word or a simple pattern",
            )
            .at(psk.span, "guessable secret")
            .help("use at least 16 random characters, e.g. from `openssl rand -base64 24`"),
        );
    } else if len < 16 {
        out.push(
            Diagnostic::warning(
                "lint.psk-short",
                format!("the pre-shared key has only {len} characters"),
            )
            .at(psk.span, "short secret")
            .help("use at least 16 random characters; short PSKs can be brute-forced offline"),
        );
    }
}

pub fn weak_algorithms(conn: &Connection, out: &mut Diagnostics) {
    let ciphers = [(&conn.ike.cipher, "IKE"), (&conn.esp.cipher, "IPsec")];
    for (c, phase) in ciphers {
        let weak = match c.value {
            Cipher::Des => Some("lint.des"),
            Cipher::TripleDes => Some("lint.3des"),
            _ => None,
        };
        if let Some(code) = weak {
            out.push(
                Diagnostic::warning(
                    code,
                    format!(
                        "{phase} uses {}, which is broken or deprecated",
                        c.value.describe()
                    ),
                )
                .at(c.span, "weak cipher")
                .help("use aes256 (or aes128)"),
            );
        }
    }
    let integ = [(&conn.ike.integrity, "IKE"), (&conn.esp.integrity, "IPsec")];
    for (i, phase) in integ {
        let Some(i) = i else { continue };
        let code = match i.value {
            Integrity::Md5 => "lint.md5",
            Integrity::Sha1 => "lint.sha1",
            _ => continue,
        };
        out.push(
            Diagnostic::warning(
                code,
                format!("{phase} uses {}, which is deprecated", i.value.describe()),
            )
            .at(i.span, "weak integrity algorithm")
            .help(if i.span.is_none() {
                "this is the API's default; set it explicitly to sha256 or stronger"
            } else {
                "use sha256 or stronger"
            }),
        );
    }
    let groups = [
        (Some(&conn.ike.dh), "IKE DH group"),
        (conn.esp.pfs.as_ref(), "PFS group"),
    ];
    for (g, what) in groups {
        let Some(g) = g else { continue };
        if matches!(g.value.0, 1 | 2 | 5 | 22 | 23 | 24) {
            out.push(
                Diagnostic::warning(
                    format!("lint.dh{}", g.value.0),
                    format!("the {what} {} is too weak", g.value),
                )
                .at(g.span, "weak DH group")
                .help(if g.span.is_none() {
                    "this is the API's default; set group14 explicitly"
                } else {
                    "use group14 (2048-bit MODP) or an elliptic-curve group"
                }),
            );
        }
    }
}

pub fn aggressive_psk(conn: &Connection, out: &mut Diagnostics) {
    if conn.ike.version.value == IkeVersion::Ikev1
        && conn.ike.mode.value == IkeMode::Aggressive
        && conn.psk.is_some()
    {
        out.push(
            Diagnostic::warning(
                "lint.aggressive-psk",
                "IKEv1 aggressive mode with a pre-shared key exposes a crackable hash of the key",
            )
            .at(conn.ike.mode.span, "aggressive mode")
            .help("use main mode, or better IKEv2"),
        );
    }
}

/// Common passwords and patterns that offline guessing tries first.
const GUESSABLE: &[&str] = &[
    "password",
    "passw0rd",
    "secret",
    "changeme",
    "admin",
    "letmein",
    "welcome",
    "qwerty",
    "abc123",
    "123456",
    "12345678",
    "iloveyou",
    "vpn",
    "ipsec",
    "presharedkey",
    "psk",
    "test",
    "default",
];

fn looks_guessable(psk: &str) -> bool {
    let lower = psk.to_ascii_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || "!@#$.".contains(c));
    let one_char = psk.chars().all(|c| psk.starts_with(c));
    let digits_only = psk.chars().all(|c| c.is_ascii_digit());
    GUESSABLE.contains(&stem)
        || GUESSABLE.contains(&lower.as_str())
        || one_char
        || (digits_only && psk.len() < 20)
}

/// `check` only: a PSK written in the file itself is committed with it.
pub fn committed_secrets(conn: &Connection, out: &mut Diagnostics) {
    if let Some(psk) = &conn.psk {
        if psk.origin == crate::ir::PskOrigin::Inline {
            out.push(
                Diagnostic::warning("lint.psk-plaintext", "the pre-shared key is written in plain text in this file")
                    .at(psk.span, "committed secret")
                    .help("reference it instead: `Psk: {env: VPN_PSK}` or `Psk: {file: secrets/vpn.psk}` (relative to this file)"),
            );
        }
    }
}
