//! The template context: the IR of one side's view, with every primitive already translated
//! into the target's words. Templates only print what is here.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{At, Connection, Identity, Initiation, Side};

use super::quote;
use super::target::{unsupported, Target};

#[derive(Debug, Serialize)]
pub struct Meta {
    pub version: &'static str,
    pub input: String,
    pub target: String,
    pub side: &'static str,
    pub dialect: String,
}

#[derive(Debug, Serialize)]
pub struct Context {
    pub meta: Meta,
    pub name: String,
    pub title: Option<String>,
    pub local: EndpointCtx,
    pub remote: EndpointCtx,
    pub ike: IkeCtx,
    pub esp: EspCtx,
    /// The PSK in the target's safe notation.
    pub psk: String,
    pub dpd: DpdCtx,
    pub nat_traversal: bool,
    pub start_action: String,
    pub children: Vec<ChildCtx>,
    /// `field = value (source)` lines for every default that was applied.
    pub defaults: Vec<String>,
    /// The target's words for yes/no.
    pub yes: String,
    pub no: String,
}

#[derive(Debug, Serialize)]
pub struct EndpointCtx {
    pub side: &'static str,
    /// The gateway's public address; `None` when unknown (allowed only for the local side).
    pub gateway: Option<String>,
    /// The IKE identity in the target's notation.
    pub id: Option<String>,
    pub subnets: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct IkeCtx {
    pub version: String,
    /// IKEv1 (rekeys by reauthentication, negotiates one selector pair per SA).
    pub ikev1: bool,
    pub aggressive: bool,
    pub cipher: String,
    pub integrity: Option<String>,
    pub prf: Option<String>,
    pub dh: String,
    /// The joined proposal, for targets with a proposal separator.
    pub proposal: Option<String>,
    pub lifetime: u32,
    /// Rekey after 90% of the lifetime so the SA never outlives the configured lifetime.
    pub rekey: u32,
    pub margin: u32,
}

#[derive(Debug, Serialize)]
pub struct EspCtx {
    pub cipher: String,
    pub integrity: Option<String>,
    pub pfs: Option<String>,
    pub proposal: Option<String>,
    pub lifetime: u32,
    pub rekey: u32,
}

#[derive(Debug, Serialize)]
pub struct DpdCtx {
    pub enabled: bool,
    pub interval: u32,
    pub timeout: u32,
    pub action: String,
}

#[derive(Debug, Serialize)]
pub struct ChildCtx {
    pub name: String,
    pub local_ts: Vec<String>,
    pub remote_ts: Vec<String>,
}

/// Translate through a name table, or record `target.unsupported` at the value's span.
fn name_of<T>(
    target: &Target,
    table: &BTreeMap<String, String>,
    table_name: &str,
    value: &At<T>,
    id: &str,
    what: &str,
    diags: &mut Diagnostics,
) -> String {
    match table.get(id) {
        Some(w) => w.clone(),
        None => {
            let supported: Vec<&str> = table.keys().map(String::as_str).collect();
            diags.push(
                unsupported(&target.name, &format!("{what} `{id}`"), &supported).at(
                    value.span,
                    format!("not supported by {} ({table_name})", target.name),
                ),
            );
            String::new()
        }
    }
}

fn word(
    target: &Target,
    category: &str,
    id: &str,
    span: Option<crate::tree::Span>,
    diags: &mut Diagnostics,
) -> String {
    match target.word(category, id) {
        Ok(w) => w.to_owned(),
        Err(d) => {
            diags.push(d.at(span, "not expressible here"));
            String::new()
        }
    }
}

fn identity(id: &Identity) -> String {
    id.to_string()
}

fn missing_gateway(side: Side) -> Diagnostic {
    match side {
        Side::Cloud => Diagnostic::error(
            "peer.missing",
            "the cloud VPN gateway's public IP address is needed for this output",
        )
        .help("add \"VpnGateway\": {\"InternetIp\": \"<gateway public IP>\"} to the document, or pass --cloud-ip"),
        Side::Customer => Diagnostic::error(
            "peer.missing",
            "the customer gateway's public IP address is needed for this output",
        )
        .help("add \"CustomerGateway\": {\"IpAddress\": \"<your gateway's public IP>\"} to the document, or pass --customer-ip"),
    }
}

fn rekey(lifetime: u32) -> u32 {
    lifetime - lifetime / 10
}

/// Build the context for `conn` seen from `side`.
pub fn build(
    conn: &Connection,
    side: Side,
    target: &Target,
    input: &str,
) -> Result<Context, Diagnostics> {
    let view = conn.view_from(side);
    let mut diags = Diagnostics::default();
    let names = &target.names;

    // The remote gateway must be known; the local one may be left to the device (%any).
    if view.remote.gateway.is_none() {
        diags.push(missing_gateway(view.remote.side));
    }

    let ike = &view.ike;
    let version_ok = match ike.version.value {
        crate::ir::IkeVersion::Ikev1 => target.features.ikev1,
        crate::ir::IkeVersion::Ikev2 => target.features.ikev2,
    };
    if !version_ok {
        diags.push(
            unsupported(
                &target.name,
                &format!("IKE version {}", ike.version.value.id()),
                &[],
            )
            .at(ike.version.span, "unsupported"),
        );
    }
    let aggressive = ike.version.value == crate::ir::IkeVersion::Ikev1
        && ike.mode.value == crate::ir::IkeMode::Aggressive;
    if aggressive && !target.features.aggressive {
        diags.push(
            unsupported(&target.name, "IKEv1 aggressive mode", &[])
                .at(ike.mode.span, "unsupported"),
        );
    }
    let ike_cipher = name_of(
        target,
        &names.ike_cipher,
        "ike_cipher",
        &ike.cipher,
        ike.cipher.value.id(),
        "IKE cipher",
        &mut diags,
    );
    let ike_integrity = ike.integrity.as_ref().map(|i| {
        name_of(
            target,
            &names.ike_integrity,
            "ike_integrity",
            i,
            i.value.id(),
            "IKE integrity",
            &mut diags,
        )
    });
    // An explicit PRF is printed when given, or when the cipher is AEAD (no integrity to derive it from).
    let prf = ike.prf.clone().or_else(|| {
        ike.cipher
            .value
            .is_aead()
            .then(|| ike.effective_prf().map(At::bare))
            .flatten()
    });
    let ike_prf = prf.as_ref().map(|p| {
        name_of(
            target,
            &names.ike_prf,
            "ike_prf",
            p,
            p.value.id(),
            "IKE PRF",
            &mut diags,
        )
    });
    if ike.cipher.value.is_aead() && prf.is_none() {
        diags.push(
            Diagnostic::error(
                "ike.prf-missing",
                "an AEAD cipher in IKE needs an explicit PRF",
            )
            .at(ike.cipher.span, "AEAD cipher")
            .help("add a PRF, e.g. prfsha256"),
        );
    }
    let ike_dh = name_of(
        target,
        &names.ike_dh,
        "ike_dh",
        &ike.dh,
        &ike.dh.value.id(),
        "IKE DH group",
        &mut diags,
    );

    let esp = &view.esp;
    let esp_cipher = name_of(
        target,
        &names.esp_cipher,
        "esp_cipher",
        &esp.cipher,
        esp.cipher.value.id(),
        "ESP cipher",
        &mut diags,
    );
    let esp_integrity = esp.integrity.as_ref().map(|i| {
        name_of(
            target,
            &names.esp_integrity,
            "esp_integrity",
            i,
            i.value.id(),
            "ESP integrity",
            &mut diags,
        )
    });
    let pfs = esp.pfs.as_ref().map(|g| {
        name_of(
            target,
            &names.esp_dh,
            "esp_dh",
            g,
            &g.value.id(),
            "PFS group",
            &mut diags,
        )
    });

    let join = |parts: Vec<Option<&String>>| {
        target.proposal_separator.as_ref().map(|sep| {
            parts
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(sep)
        })
    };
    let ike_proposal = join(vec![
        Some(&ike_cipher),
        ike_integrity.as_ref(),
        ike_prf.as_ref(),
        Some(&ike_dh),
    ]);
    let esp_proposal = join(vec![
        Some(&esp_cipher),
        esp_integrity.as_ref(),
        pfs.as_ref(),
    ]);

    // Who initiates: the cloud's EffectImmediately decides; the customer does the opposite, so
    // exactly one side actively brings the tunnel up and the other also reacts to traffic.
    let initiation = match side {
        Side::Cloud => view.cloud_initiation.value,
        Side::Customer => match view.cloud_initiation.value {
            Initiation::Immediately => Initiation::OnTraffic,
            Initiation::OnTraffic | Initiation::Respond => Initiation::Immediately,
        },
    };
    let span = view.cloud_initiation.span;
    let start_action = word(target, "start_action", initiation.id(), span, &mut diags);
    let dpd_action = word(target, "dpd_action", initiation.id(), span, &mut diags);
    let ike_version = word(
        target,
        "ike_version",
        ike.version.value.id(),
        ike.version.span,
        &mut diags,
    );
    let yes = word(target, "bool", "true", None, &mut diags);
    let no = word(target, "bool", "false", None, &mut diags);

    let psk = match &view.psk {
        Some(p) => quote::secret(p.expose()),
        None => {
            diags.push(
                Diagnostic::error("input.psk-missing", "no pre-shared key is given")
                    .help("add IkeConfig.Psk; when it was omitted at creation the API generated one: read it with DescribeVpnConnection"),
            );
            String::new()
        }
    };

    let endpoint = |ep: &crate::ir::Endpoint| EndpointCtx {
        side: ep.side.id(),
        gateway: ep.gateway.as_ref().map(|g| g.value.to_string()),
        id: ep
            .id
            .as_ref()
            .map(|i| identity(&i.value))
            .or_else(|| ep.gateway.as_ref().map(|g| g.value.to_string())),
        subnets: ep.subnets.iter().map(|s| s.value.to_string()).collect(),
    };
    let local = endpoint(&view.local);
    let remote = endpoint(&view.remote);

    // One child for IKEv2; one per subnet pair for IKEv1 where the target cannot put several
    // selectors in one SA.
    let per_pair =
        ike.version.value == crate::ir::IkeVersion::Ikev1 && !target.features.ikev1_multi_ts;
    let children = if per_pair && local.subnets.len() * remote.subnets.len() > 1 {
        let mut v = Vec::new();
        for l in &local.subnets {
            for r in &remote.subnets {
                v.push(ChildCtx {
                    name: format!("{}-{}", view.name, v.len() + 1),
                    local_ts: vec![l.clone()],
                    remote_ts: vec![r.clone()],
                });
            }
        }
        v
    } else {
        vec![ChildCtx {
            name: view.name.clone(),
            local_ts: local.subnets.clone(),
            remote_ts: remote.subnets.clone(),
        }]
    };

    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Context {
        meta: Meta {
            version: env!("CARGO_PKG_VERSION"),
            input: input.to_owned(),
            target: target.name.clone(),
            side: side.id(),
            dialect: view.dialect.clone(),
        },
        name: view.name.clone(),
        title: view
            .title
            .as_ref()
            .map(|t| quote::comment_safe(&t.value))
            .filter(|t| *t != view.name),
        local,
        remote,
        ike: IkeCtx {
            version: ike_version,
            ikev1: ike.version.value == crate::ir::IkeVersion::Ikev1,
            aggressive,
            cipher: ike_cipher,
            integrity: ike_integrity,
            prf: ike_prf,
            dh: ike_dh,
            proposal: ike_proposal,
            lifetime: ike.lifetime.value,
            rekey: rekey(ike.lifetime.value),
            margin: ike.lifetime.value / 10,
        },
        esp: EspCtx {
            cipher: esp_cipher,
            integrity: esp_integrity,
            pfs,
            proposal: esp_proposal,
            lifetime: esp.lifetime.value,
            rekey: rekey(esp.lifetime.value),
        },
        psk,
        dpd: DpdCtx {
            enabled: view.dpd.enabled.value,
            interval: view.dpd.interval,
            timeout: view.dpd.timeout,
            action: dpd_action,
        },
        nat_traversal: view.nat_traversal.value,
        start_action,
        children,
        defaults: view
            .defaults
            .iter()
            .map(|d| format!("{} = {} ({})", d.field, d.value, d.source))
            .collect(),
        yes,
        no,
    })
}
