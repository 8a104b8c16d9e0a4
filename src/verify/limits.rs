//! Which API's documented limits apply: each cloud documents its own ranges and error codes.
//! Alibaba's are checked here; Neutron's and ZStack's ranges are checked by their dialects
//! (they are properties of the input values), and native input has ipsecgen's own.

use crate::ir::Connection;

/// The limits of the API a connection came from.
pub struct Limits {
    /// Inclusive lifetime range in seconds, with the IKE and IPsec error codes.
    pub lifetime: Option<(u32, u32, &'static str, &'static str)>,
    /// PSK: 1..=max printable ASCII characters without spaces, with its error code.
    pub psk: Option<(usize, &'static str)>,
    /// The error code of a name that breaks the API's name rule.
    pub name_code: &'static str,
    /// The API's own name rule (Alibaba: 1..100, not starting with http:// or https://).
    pub alibaba_name_rule: bool,
}

pub fn for_connection(conn: &Connection) -> Limits {
    if conn.dialect.starts_with("aliyun") {
        Limits {
            lifetime: Some((
                0,
                86_400,
                "IllegalParam.IkeLifetime",
                "IllegalParam.IpsecLifetime",
            )),
            psk: Some((100, "IllegalParam.Psk")),
            name_code: "InvalidName",
            alibaba_name_rule: true,
        }
    } else {
        Limits {
            lifetime: None,
            psk: None,
            name_code: "input.name",
            alibaba_name_rule: false,
        }
    }
}
