//! IKE and ESP proposals in the target's words.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{At, Connection, IkeMode, IkeVersion};
use crate::render::target::{unsupported, Target};

#[derive(Clone, Debug, Serialize)]
pub struct IkeCtx {
    pub version: String,
    /// The IKE version in a second notation, for targets whose table has one
    /// (`[words.ike_version_alt]`: libreswan 5's `keyexchange=ikev1|ikev2`).
    pub version_alt: Option<String>,
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

#[derive(Clone, Debug, Serialize)]
pub struct EspCtx {
    pub cipher: String,
    pub integrity: Option<String>,
    pub pfs: Option<String>,
    pub proposal: Option<String>,
    pub lifetime: u32,
    pub rekey: u32,
}

/// Translate through a name table, or record `target.unsupported` at the value's span.
#[allow(clippy::too_many_arguments)]
fn name_of<T>(
    target: &Target,
    version: IkeVersion,
    table: &BTreeMap<String, String>,
    table_name: &str,
    value: &At<T>,
    id: &str,
    what: &str,
    diags: &mut Diagnostics,
) -> String {
    if let Some(b) = target
        .blocked
        .as_ref()
        .filter(|b| b.blocks(version, table_name, id))
    {
        diags.push(
            Diagnostic::error(
                "target.unsupported",
                format!(
                    "target `{}` cannot express {what} `{id}`: the device refuses it by default",
                    target.name
                ),
            )
            .at(value.span, format!("refused by {} by default", target.name))
            .help(b.reason.clone()),
        );
        return String::new();
    }
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

fn rekey(lifetime: u32) -> u32 {
    lifetime - lifetime / 10
}

pub fn ike(view: &Connection, target: &Target, version: String, diags: &mut Diagnostics) -> IkeCtx {
    let names = target.names.for_version(view.ike.version.value);
    let ike = &view.ike;
    let version_ok = match ike.version.value {
        IkeVersion::Ikev1 => target.features.ikev1,
        IkeVersion::Ikev2 => target.features.ikev2,
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
    let aggressive =
        ike.version.value == IkeVersion::Ikev1 && ike.mode.value == IkeMode::Aggressive;
    if aggressive && !target.features.aggressive {
        diags.push(
            unsupported(&target.name, "IKEv1 aggressive mode", &[])
                .at(ike.mode.span, "unsupported"),
        );
    }
    let cipher = name_of(
        target,
        view.ike.version.value,
        names.ike_cipher,
        "ike_cipher",
        &ike.cipher,
        ike.cipher.value.id(),
        "IKE cipher",
        diags,
    );
    let integrity = ike.integrity.as_ref().map(|i| {
        name_of(
            target,
            view.ike.version.value,
            names.ike_integrity,
            "ike_integrity",
            i,
            i.value.id(),
            "IKE integrity",
            diags,
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
    let prf = prf.map(|p| {
        name_of(
            target,
            view.ike.version.value,
            names.ike_prf,
            "ike_prf",
            &p,
            p.value.id(),
            "IKE PRF",
            diags,
        )
    });
    let dh = name_of(
        target,
        view.ike.version.value,
        names.ike_dh,
        "ike_dh",
        &ike.dh,
        &ike.dh.value.id(),
        "IKE DH group",
        diags,
    );
    let proposal = join(
        target,
        &[Some(&cipher), integrity.as_ref(), prf.as_ref(), Some(&dh)],
    );
    let version_alt = target
        .words
        .get("ike_version_alt")
        .and_then(|m| m.get(ike.version.value.id()))
        .cloned();
    IkeCtx {
        version,
        version_alt,
        ikev1: ike.version.value == IkeVersion::Ikev1,
        aggressive,
        cipher,
        integrity,
        prf,
        dh,
        proposal,
        lifetime: ike.lifetime.value,
        rekey: rekey(ike.lifetime.value),
        margin: ike.lifetime.value / 10,
    }
}

pub fn esp(view: &Connection, target: &Target, diags: &mut Diagnostics) -> EspCtx {
    let names = target.names.for_version(view.ike.version.value);
    let esp = &view.esp;
    let cipher = name_of(
        target,
        view.ike.version.value,
        names.esp_cipher,
        "esp_cipher",
        &esp.cipher,
        esp.cipher.value.id(),
        "ESP cipher",
        diags,
    );
    let integrity = esp.integrity.as_ref().map(|i| {
        name_of(
            target,
            view.ike.version.value,
            names.esp_integrity,
            "esp_integrity",
            i,
            i.value.id(),
            "ESP integrity",
            diags,
        )
    });
    let pfs = esp.pfs.as_ref().map(|g| {
        name_of(
            target,
            view.ike.version.value,
            names.esp_dh,
            "esp_dh",
            g,
            &g.value.id(),
            "PFS group",
            diags,
        )
    });
    let proposal = join(target, &[Some(&cipher), integrity.as_ref(), pfs.as_ref()]);
    EspCtx {
        cipher,
        integrity,
        pfs,
        proposal,
        lifetime: esp.lifetime.value,
        rekey: rekey(esp.lifetime.value),
    }
}

fn join(target: &Target, parts: &[Option<&String>]) -> Option<String> {
    target.proposal_separator.as_ref().map(|sep| {
        parts
            .iter()
            .flatten()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(sep)
    })
}
