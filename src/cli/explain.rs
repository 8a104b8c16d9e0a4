//! `ipsecgen explain`: the tunnel in plain words, or as a diagram.

use crate::explain::{self, ExplainFormat};
use crate::report::{FileReport, Format};

use super::{emit, InputArgs, EXIT_INVALID, EXIT_OK};

/// Explain a connection in plain words (both sides, proposals, defaults, lints), or draw it
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ipsecgen explain examples/aliyun/connection-bgp.json
  ipsecgen explain examples/aliyun/connection-bgp.json --format mermaid > tunnel.mmd
  ipsecgen explain conn.yaml --format dot | dot -Tsvg > tunnel.svg")]
pub struct ExplainArgs {
    /// The connection file (JSON, YAML or the query-string request), or - for standard input;
    /// gateway documents and more connection files may follow (see `render`)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Text, or a diagram of the topology
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(a: &ExplainArgs) -> u8 {
    let opts = match a.input.load_options(Format::Human) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let inputs = match super::read_inputs(&a.files, &opts, Format::Human) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let mut failed = false;
    for checked in &inputs {
        failed |= checked.diagnostics.has_errors();
        if checked.connections.is_empty() {
            // A gateway document's findings are reported; a connection's come with its text.
            if !checked.diagnostics.is_empty() || !checked.facts_only() {
                failed = true;
                emit(
                    &FileReport {
                        name: &checked.source.name,
                        text: &checked.masked_text,
                        diagnostics: &checked.diagnostics.0,
                    },
                    Format::Human,
                );
            }
            continue;
        }
        // A PSK copied into an identity or a name (a YAML alias) is never printed.
        let secrets =
            crate::secret_values::collect(&checked.source.text, &[], &checked.connections);
        // A connection with two tunnels is explained and drawn as one.
        for conns in crate::verify::tunnels::groups(&checked.connections) {
            let out = match a.format {
                ExplainFormat::Text if conns.len() > 1 => {
                    explain::group_text(conns, &checked.source.name, &checked.diagnostics)
                }
                ExplainFormat::Text => {
                    explain::text(&conns[0], &checked.source.name, &checked.diagnostics)
                }
                ExplainFormat::Mermaid => explain::mermaid(conns),
                ExplainFormat::Dot => explain::dot(conns),
            };
            super::out(&crate::secret_values::scrubbed(&out, &secrets));
        }
    }
    if failed {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}
