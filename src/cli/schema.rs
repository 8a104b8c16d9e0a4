//! `ipsecgen schema DIALECT`: the JSON Schema of an input dialect, for editors.

use crate::report::Format;

use super::{emit_plain, EXIT_OK, EXIT_USAGE};

/// Print the JSON Schema (draft-07) of an input dialect
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ipsecgen schema aliyun-connection > schemas/aliyun-connection.json
  # then, in a YAML file:  # yaml-language-server: $schema=schemas/aliyun-connection.json

Dialects: aliyun-connection, aliyun-ipsec-server, neutron, zstack, native")]
pub struct SchemaArgs {
    /// The dialect
    pub dialect: String,
}

pub fn run(a: &SchemaArgs) -> u8 {
    match crate::dialect::Dialect::from_id(&a.dialect) {
        Ok(d) => {
            super::out(&crate::dialect::schema::schema_text(d));
            EXIT_OK
        }
        Err(d) => {
            emit_plain(&d, Format::Human);
            EXIT_USAGE
        }
    }
}
