//! The inputs of `render` and `explain`: one connection file, or several files that belong
//! together (connections and the gateway documents they name), read and joined.

use crate::diag::Diagnostic;
use crate::report::Format;
use crate::source::Source;
use crate::{Checked, LoadOptions};

use super::{emit_plain, EXIT_INVALID};

/// Read and check every file, joined (`check_joined`). A file that cannot be read ends the
/// command with its diagnostic; so does a set of inputs that holds gateway documents only.
pub(super) fn read_inputs(
    files: &[String],
    opts: &LoadOptions,
    format: Format,
) -> Result<Vec<Checked>, u8> {
    let mut sources = Vec::with_capacity(files.len());
    for f in files {
        match Source::read(f) {
            Ok(s) => sources.push(s),
            Err(d) => {
                emit_plain(&d, format);
                return Err(EXIT_INVALID);
            }
        }
    }
    let inputs = crate::check_joined(sources, opts);
    let facts_only = inputs
        .iter()
        .all(|c| c.facts_only() && !c.diagnostics.has_errors());
    if facts_only {
        if let Some(doc) = inputs.iter().find_map(|c| c.gateway.as_ref()) {
            let (call, key) = doc.kind.call_and_key();
            emit_plain(
                &Diagnostic::error(
                    "input.gateway-only",
                    format!(
                        "{} is a {call} response: it holds the addresses of gateway {}, not a tunnel",
                        crate::render::quote::path_word(&doc.file),
                        crate::render::quote::shell_word(&doc.id)
                    ),
                )
                .help(format!(
                    "pass it after the connection that names it ({key}), e.g. ipsecgen render conn.json {}",
                    crate::render::quote::path_word(&doc.file)
                )),
                format,
            );
            return Err(EXIT_INVALID);
        }
        if let Some(c) = inputs.iter().find(|c| c.neutron.is_some()) {
            let objects = c.neutron.as_deref().cloned().unwrap_or_default();
            emit_plain(
                &crate::dialect::neutron::resources::alone(&objects, &c.source.name),
                format,
            );
            return Err(EXIT_INVALID);
        }
    }
    Ok(inputs)
}
