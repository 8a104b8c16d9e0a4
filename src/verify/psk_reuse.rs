//! A pre-shared key written where something else is expected: as an IKE identity (sent in
//! clear during IKE and printed on its own line in every output, in `explain` and in the json
//! target) or as the connection's name. A YAML alias makes that one keystroke.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::Connection;

pub fn reused(conn: &Connection, out: &mut Diagnostics) {
    let Some(psk) = conn.psk.as_ref().map(|p| p.expose()) else {
        return;
    };
    if psk.is_empty() {
        return;
    }
    let mut places = Vec::new();
    for ep in [&conn.local, &conn.remote] {
        if let Some(id) = &ep.id {
            places.push((id.value.to_string(), id.span, "an IKE identity"));
        }
    }
    if let Some(t) = &conn.title {
        places.push((t.value.clone(), t.span, "the connection's name"));
    }
    for (text, span, what) in places {
        if text == psk {
            out.push(
                Diagnostic::error(
                    "input.psk-reused",
                    format!("the pre-shared key is also used as {what}"),
                )
                .at(span, "the key's value")
                .help("an identity or a name is sent or printed in clear: give it its own value (a YAML alias copies the key)"),
            );
        }
    }
}
