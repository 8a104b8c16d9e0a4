//! `ipsecgen explain`: the tunnel in plain words, or as a diagram.

use crate::explain::{self, ExplainFormat};
use crate::report::{FileReport, Format};
use crate::source::Source;

use super::{emit, emit_plain, InputArgs, EXIT_INVALID, EXIT_OK};

/// Explain a connection in plain words (both sides, proposals, defaults, lints), or draw it
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ipsecgen explain examples/aliyun/connection-bgp.json
  ipsecgen explain examples/aliyun/connection-bgp.json --format mermaid > tunnel.mmd
  ipsecgen explain conn.yaml --format dot | dot -Tsvg > tunnel.svg")]
pub struct ExplainArgs {
    /// The connection file (JSON, YAML or the query-string request), or - for standard input
    pub file: String,
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
    let source = match Source::read(&a.file) {
        Ok(s) => s,
        Err(d) => {
            emit_plain(&d, Format::Human);
            return EXIT_INVALID;
        }
    };
    let checked = crate::check(source, &opts);
    if checked.connections.is_empty() {
        emit(
            &FileReport {
                name: &checked.source.name,
                text: &checked.masked_text,
                diagnostics: &checked.diagnostics.0,
            },
            Format::Human,
        );
        return EXIT_INVALID;
    }
    for conn in &checked.connections {
        let out = match a.format {
            ExplainFormat::Text => explain::text(conn, &checked.source.name, &checked.diagnostics),
            ExplainFormat::Mermaid => explain::mermaid(conn),
            ExplainFormat::Dot => explain::dot(conn),
        };
        super::out(&out);
    }
    if checked.diagnostics.has_errors() {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}
