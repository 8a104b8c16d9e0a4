//! Names and identities.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Connection, Identity};

/// Name: 1..100 characters, not starting with `http://` or `https://`; no control characters,
/// line separators or invisible formatting characters (bidi controls, zero-width characters).
pub fn connection_name(conn: &Connection, out: &mut Diagnostics) {
    let Some(title) = &conn.title else { return };
    let limits = super::limits::for_connection(conn);
    let name = &title.value;
    let len = name.chars().count();
    let problem = if limits.alibaba_name_rule && (len == 0 || len > 100) {
        Some(format!(
            "the name is {len} characters long; it must be 1 to 100"
        ))
    } else if limits.alibaba_name_rule
        && (name.starts_with("http://") || name.starts_with("https://"))
    {
        Some("the name must not start with http:// or https://".to_owned())
    } else if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        Some("the name contains a control character or line separator (line break, tab, NUL, U+2028...)".to_owned())
    } else {
        name.chars()
            .find(|c| super::invisible::is_invisible(*c))
            .map(|c| {
                format!(
                    "the name contains U+{:04X}, an invisible formatting character (bidi control, \
                     zero-width character...): it can make a name read differently than it is",
                    u32::from(c)
                )
            })
    };
    if let Some(msg) = problem {
        out.push(
            Diagnostic::error(limits.name_code, msg)
                .at(title.span, "invalid name")
                .help("use 1 to 100 visible characters that do not start with http:// or https://"),
        );
    }
}

/// LocalId / RemoteId: at most 100 characters.
pub fn identities(conn: &Connection, out: &mut Diagnostics) {
    for ep in [&conn.local, &conn.remote] {
        if let Some(id) = &ep.id {
            if let Identity::Fqdn(s) = &id.value {
                if s.len() > 100 {
                    out.push(
                        Diagnostic::error(
                            "IllegalParam.IkeId",
                            "an IKE identity may be at most 100 characters long",
                        )
                        .at(id.span, "too long"),
                    );
                }
            }
        }
    }
}
