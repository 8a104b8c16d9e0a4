//! Input dialects: one module per API family. Each knows its field names, spellings and
//! string-typing, and produces the IR; none knows anything about outputs.

pub mod aliyun;
mod defaults;
mod escape_map;
pub mod fields;
pub mod gateways;
pub mod huawei;
pub mod masked;
pub mod native;
pub mod openstack;
mod peer_fact;
pub mod psk_text;
pub mod resemblance;
pub mod schema;
mod value_rules;
pub mod zstack;

#[cfg(test)]
mod detect_tests;
#[cfg(test)]
pub(crate) mod tests_support;

use std::net::IpAddr;

use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::ir::Connection;
use crate::source::Source;
use crate::tree::{Span, Value};

use fields::{Ctx, Obj};

/// An input dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    AliyunConnection,
    AliyunIpsecServer,
    Neutron,
    HuaweiVpn,
    Zstack,
    Native,
}

impl Dialect {
    pub const ALL: &'static [Dialect] = &[
        Dialect::AliyunConnection,
        Dialect::AliyunIpsecServer,
        Dialect::Neutron,
        Dialect::HuaweiVpn,
        Dialect::Zstack,
        Dialect::Native,
    ];

    /// What the dialect is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Dialect::AliyunConnection => "Alibaba Cloud IPsec-VPN connection (CreateVpnConnection / ModifyVpnAttachmentAttribute parameters or DescribeVpnConnection)",
            Dialect::AliyunIpsecServer => "Alibaba Cloud IPsec server (CreateIpsecServer / UpdateIpsecServer parameters)",
            Dialect::Neutron => "OpenStack Neutron VPNaaS (and Huawei Cloud v2.0) ipsec_site_connection(s) with the policies, VPN service and endpoint groups it names, wrapped as the API prints them or flat as `openstack ... -f json` does",
            Dialect::HuaweiVpn => "Huawei Cloud VPN API v5 vpn_connection (create request, create / show / list response, batch create), with its vpn_gateway and customer_gateway",
            Dialect::Zstack => "ZStack ChangeIPsecConnection request or IPsecConnectionInventory",
            Dialect::Native => "ipsecgen's own YAML: a connections: list",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Dialect::AliyunConnection => "aliyun-connection",
            Dialect::AliyunIpsecServer => "aliyun-ipsec-server",
            Dialect::Neutron => "neutron",
            Dialect::HuaweiVpn => huawei::DIALECT,
            Dialect::Zstack => "zstack",
            Dialect::Native => "native",
        }
    }

    pub fn from_id(id: &str) -> Result<Dialect, Diagnostic> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.id() == id)
            .ok_or_else(|| {
                let ids = Self::ALL.iter().map(|d| d.id());
                let d = Diagnostic::error("usage.dialect", format!("unknown input dialect `{id}`"));
                match did_you_mean(id, ids.clone()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "known dialects: {}",
                        ids.collect::<Vec<_>>().join(", ")
                    )),
                }
            })
    }

    fn signature(self) -> &'static [&'static str] {
        match self {
            Dialect::AliyunConnection => aliyun_connection::SIGNATURE,
            Dialect::AliyunIpsecServer => aliyun_ipsec_server::SIGNATURE,
            Dialect::Neutron => neutron::SIGNATURE,
            Dialect::HuaweiVpn => huawei::SIGNATURE,
            Dialect::Zstack => zstack::SIGNATURE,
            Dialect::Native => native::SIGNATURE,
        }
    }
}

/// Facts about the peers that API objects do not carry, given on the command line.
#[derive(Clone, Debug, Default)]
pub struct PeerFacts {
    pub cloud_ip: Option<IpAddr>,
    pub customer_ip: Option<IpAddr>,
    pub customer_asn: Option<u32>,
    /// Gateway documents given as other inputs, joined to connections by gateway ID.
    pub gateways: std::sync::Arc<Joined>,
}

pub use gateways::{GatewayDoc, Joined};
// The names the rest of the crate (and the JSON Schemas' generator) use for the readers.
pub use aliyun::{connection as aliyun_connection, ipsec_server as aliyun_ipsec_server};
pub use openstack as neutron;

/// The result of reading one source.
#[derive(Debug, Default)]
pub struct Loaded {
    pub connections: Vec<Connection>,
    pub diagnostics: Diagnostics,
    /// Spans of secret values, masked in every report.
    pub secrets: Vec<Span>,
    /// The document is a gateway document (it holds facts for other inputs, no tunnel).
    pub gateway: Option<GatewayDoc>,
    /// The document holds OpenStack objects connections reference by id (policies, VPN
    /// services, endpoint groups), no connection: facts for other inputs.
    pub neutron: Option<std::sync::Arc<openstack::Resources>>,
}

/// Parse a source and read it with the given (or detected) dialect.
pub fn load(source: &Source, dialect: Option<Dialect>, facts: &PeerFacts) -> Loaded {
    load_with(source, dialect, facts, &[])
}

/// `load`, with more folders PSK file references may lead into (`--psk-root`, canonical).
pub fn load_with(
    source: &Source,
    dialect: Option<Dialect>,
    facts: &PeerFacts,
    psk_roots: &[std::path::PathBuf],
) -> Loaded {
    let mut out = Loaded::default();
    let root = match source.parse_reporting_all() {
        Ok(n) => n,
        Err(all) => {
            for d in all {
                out.diagnostics.push(d);
            }
            return out;
        }
    };
    if !matches!(root.value, Value::Map(_)) {
        out.diagnostics.push(
            Diagnostic::error(
                "input.shape",
                format!("the document is {}, not an object", root.kind_name()),
            )
            .at(Some(root.span), "expected an object")
            .help("paste one connection object, e.g. the body of a DescribeVpnConnection response"),
        );
        return out;
    }
    let gateway_kind = dialect
        .is_none()
        .then(|| gateways::detect(&root).or_else(|| huawei::gateways::detect(&root)))
        .flatten();
    if let Some(kind) = gateway_kind {
        let ctx = Ctx::new(&source.text);
        out.gateway = gateways::read(&ctx, &Obj::new(root, ""), kind, &source.name);
        out.diagnostics = ctx.diags.into_inner();
        return out;
    }
    if matches!(dialect, None | Some(Dialect::Neutron)) && neutron::facts_only(&root) {
        let ctx = Ctx::new(&source.text);
        let objects = neutron::read_facts(&ctx, &Obj::new(root, ""), &source.name);
        out.neutron = Some(std::sync::Arc::new(objects));
        out.diagnostics = ctx.diags.into_inner();
        return out;
    }
    let dialect = match dialect.or_else(|| detect(&root)) {
        Some(d) => d,
        None => {
            let expected: Vec<String> = Dialect::ALL
                .iter()
                .map(|d| format!("{} ({})", d.id(), d.signature().join(", ")))
                .collect();
            out.diagnostics.push(
                Diagnostic::error(
                    "input.dialect",
                    "cannot tell which API this document comes from",
                )
                .at(
                    Some(Span::new(root.span.offset, 1)),
                    "none of the known keys",
                )
                .help(format!(
                    "expected the keys of one of: {}; or pass --from",
                    expected.join("; ")
                )),
            );
            return out;
        }
    };
    let mut ctx = Ctx::new(&source.text);
    if crate::source::query::is_query(&source.text) {
        for span in crate::source::query::placeholders(&source.text) {
            ctx.push(
                Diagnostic::warning(
                    "lint.request-placeholder",
                    "the documentation's placeholder for the common request parameters was skipped",
                )
                .at(Some(span), "skipped")
                .help("the common parameters (AccessKeyId, Signature, Version, ...) sign the API call and say nothing about the tunnel; delete the line to silence this"),
            );
        }
    }
    ctx.secret_files = std::sync::Arc::new(crate::source::secret_file::SecretFiles::for_input(
        &source.name,
        psk_roots,
    ));
    let obj = Obj::new(root, "");
    let conn = read_with(dialect, &ctx, &obj, facts, &source.name);
    if source.text.len() >= crate::source::split::MIN_BYTES {
        crate::parallel::drop_aside(obj);
    }
    out.connections.extend(conn.into_iter().map(|mut c| {
        crate::ir::derive::complete(&mut c);
        c
    }));
    out.diagnostics = ctx.diags.into_inner();
    out.secrets = ctx.secrets.into_inner();
    out
}

/// Run one dialect's reader over the root object.
fn read_with(
    dialect: Dialect,
    ctx: &Ctx,
    obj: &Obj,
    facts: &PeerFacts,
    file: &str,
) -> Vec<Connection> {
    // Editors' schema references (`"$schema": "../../schemas/x.json"`) are not connection data.
    obj.ignore(&["$schema"]);
    match dialect {
        Dialect::AliyunConnection if obj.node("VpnConnections").is_some() => {
            aliyun::read_connection_list(ctx, obj, facts)
        }
        Dialect::AliyunConnection if obj.node("VpnConnectionConfig").is_some() => {
            aliyun::read_download(ctx, obj, facts)
        }
        Dialect::AliyunConnection
            if aliyun::create_response_diagnosed(
                ctx,
                obj,
                "VpnConnectionId",
                "DescribeVpnConnection",
            ) =>
        {
            Vec::new()
        }
        Dialect::AliyunIpsecServer
            if aliyun::create_response_diagnosed(ctx, obj, "IpsecServerId", "ListIpsecServers") =>
        {
            Vec::new()
        }
        Dialect::AliyunConnection => aliyun_connection::read(ctx, obj, facts)
            .into_iter()
            .collect(),
        Dialect::AliyunIpsecServer if obj.node("IpsecServers").is_some() => {
            aliyun::read_ipsec_server_list(ctx, obj, facts)
        }
        Dialect::AliyunIpsecServer => aliyun_ipsec_server::read(ctx, obj, facts)
            .into_iter()
            .collect(),
        Dialect::Neutron => neutron::read(ctx, obj, facts, file),
        Dialect::HuaweiVpn => huawei::read(ctx, obj, facts, file),
        Dialect::Zstack => zstack::read(ctx, obj, facts),
        Dialect::Native => native::read(ctx, obj, facts),
    }
}

/// Schema mode: every key `dialect`'s reader asks for while reading `root`, with its shape.
pub(crate) fn record_reads(
    dialect: Dialect,
    text: &str,
    root: crate::tree::Node,
    explore: bool,
    into: &mut fields::SchemaRecord,
) {
    let mut ctx = Ctx::new(text);
    ctx.explore = explore;
    ctx.schema = Some(std::cell::RefCell::new(std::mem::take(into)));
    let obj = Obj::new(root, "");
    let _ = read_with(dialect, &ctx, &obj, &PeerFacts::default(), "");
    obj.finish(&ctx);
    if let Some(rec) = ctx.schema.take() {
        *into = rec.into_inner();
    }
}

/// The dialect a document's keys point to.
pub(crate) fn detect(root: &crate::tree::Node) -> Option<Dialect> {
    Dialect::ALL
        .iter()
        .copied()
        .find(|d| d.signature().iter().any(|k| root.get(k).is_some()))
        .or_else(|| neutron::is_flat(root).then_some(Dialect::Neutron))
}

/// The connections of a list response, each with its id: one whose name is empty or repeated
/// in the list is named by its id instead (its output folder is named after it).
pub(crate) fn distinct_names(read: Vec<(Connection, Option<String>)>) -> Vec<Connection> {
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (c, _) in &read {
        *count.entry(c.name.clone()).or_default() += 1;
    }
    read.into_iter()
        .map(|(mut c, id)| {
            let named = c.title.as_ref().is_some_and(|t| !t.value.trim().is_empty());
            if let Some(id) = id.filter(|_| !named || count[&c.name] > 1) {
                c.name = sanitize_name(&id);
            }
            c
        })
        .collect()
}

/// A connection name usable as a config object name on every target: ASCII letters, digits,
/// `-` and `_`, starting with a letter, at most 40 characters.
pub fn sanitize_name(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let mut out = out.trim_matches('-').to_owned();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "vpn-");
    }
    out.truncate(40);
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::sanitize_name;

    #[test]
    fn names_are_sanitized() {
        assert_eq!(sanitize_name("nametest"), "nametest");
        assert_eq!(sanitize_name("my vpn/{x}"), "my-vpn-x");
        assert_eq!(
            sanitize_name("vco-p0w5112fgnl2ihlmf****"),
            "vco-p0w5112fgnl2ihlmf"
        );
        assert_eq!(sanitize_name("1st"), "vpn-1st");
        assert_eq!(sanitize_name("\n}"), "vpn");
    }
}
