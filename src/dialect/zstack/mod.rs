//! ZStack IPsec connections: the ChangeIPsecConnection request body (`changeipsecconnection`),
//! the CreateIPsecConnection body (`params`), the `IPsecConnectionInventory` of a response
//! (`inventory`) and a QueryIPSecConnection reply (`inventories`: a fleet). The ZStack virtual router is the cloud side (`local`); the peer is the customer.
//! ZStack names its local networks by L3 network UUID and its public address by VIP UUID, so
//! `localCidrs` and `vip: {ip}` are accepted beside the API object.

mod vocab;

use ipnetwork::IpNetwork;

use crate::diag::Diagnostic;
use crate::ir::{
    At, BgpSpeaker, Cipher, Connection, DhGroup, Dpd, Endpoint, EspPolicy, IkeMode, IkePolicy,
    IkeVersion, Initiation, Integrity, Side,
};
use crate::tree::{Span, Value};

use super::defaults::Defaults;
use super::fields::{Ctx, Obj};
use super::value_rules::{in_range, representable};
use super::PeerFacts;

/// Keys that identify this dialect: the request wrappers, a response's `inventory` and a Query
/// reply's `inventories`.
pub const SIGNATURE: &[&str] = &[
    "changeipsecconnection",
    "changeIPsecConnection",
    "params",
    "inventory",
    "inventories",
];

/// The wrappers of one connection (the signature less the Query reply's list).
const ONE: &[&str] = &[
    "changeipsecconnection",
    "changeIPsecConnection",
    "params",
    "inventory",
];

const CODE_VALUE: &str = "zstack.value";
const CODE_UNSUPPORTED: &str = "zstack.unsupported";

const IGNORED: &[&str] = &[
    "uuid",
    "description",
    "vipUuid",
    "l3NetworkUuid",
    "state",
    "status",
    "createDate",
    "lastOpDate",
    "resourceUuid",
    "tagUuids",
];

const ROOT_IGNORED: &[&str] = &["systemTags", "userTags", "success", "error"];

const VIP_IGNORED: &[&str] = &[
    "uuid",
    "name",
    "description",
    "l3NetworkUuid",
    "netmask",
    "gateway",
    "prefixLen",
    "ipRangeUuid",
    "state",
    "useFor",
    "system",
    "serviceProvider",
    "peerL3NetworkUuids",
    "createDate",
    "lastOpDate",
];

/// Where ipsecgen's own choices come from (ZStack has no such field).
const OWN_SOURCE: &str = "ipsecgen default: the API has no such setting";

/// The documented defaults differ between the two request APIs.
struct FormDefaults {
    source: &'static str,
    auth: (&'static str, Integrity),
    cipher: (&'static str, Cipher),
    pfs: (&'static str, Option<DhGroup>),
}

/// ChangeIPsecConnection (4.5.0+): its defaults also stand for an inventory's missing fields.
const CHANGE: FormDefaults = FormDefaults {
    source: vocab::DEFAULTS_SOURCE,
    auth: ("sha256", Integrity::Sha256),
    cipher: ("aes-256", Cipher::Aes256),
    pfs: ("dh-group14", Some(DhGroup(14))),
};

/// CreateIPsecConnection: no PFS unless `pfs` is given.
const CREATE: FormDefaults = FormDefaults {
    source: "ZStack CreateIPsecConnection default",
    auth: ("sha1", Integrity::Sha1),
    cipher: ("aes-128", Cipher::Aes128),
    pfs: ("none", None),
};

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Vec<Connection> {
    root.ignore(ROOT_IGNORED);
    if let Some(items) = root.objects(ctx, "inventories") {
        // A Query reply: each inventory is a connection, with `localCidrs` / `vip` inside it.
        let out = super::distinct_names(
            items
                .iter()
                .filter_map(|item| {
                    let id = item.string(ctx, "uuid").map(|u| u.value);
                    read_one(ctx, None, "inventory", item, facts).map(|c| (c, id))
                })
                .collect(),
        );
        if !ctx.explore {
            root.finish(ctx);
            return out;
        }
    }
    let mut found = ONE
        .iter()
        .filter_map(|k| root.object(ctx, k).map(|o| (*k, o)));
    let Some((key, o)) = found.next() else {
        ctx.push(
            Diagnostic::error("input.dialect", "no ZStack IPsec connection object")
                .at(Some(Span::new(root.span().offset, 1)), "expected one")
                .help("paste the request body ({\"changeipsecconnection\": {...}}), the response ({\"inventory\": {...}}) or a Query reply ({\"inventories\": [...]})"),
        );
        root.finish(ctx);
        return Vec::new();
    };
    if let Some((other, extra)) = found.next() {
        ctx.push(
            Diagnostic::error(
                "input.shape",
                format!("both `{key}` and `{other}` are given"),
            )
            .at(
                Some(Span::new(extra.span().offset, 1)),
                "a second connection object",
            )
            .help("one file holds one ZStack connection"),
        );
    }
    let out = read_one(ctx, Some(root), key, &o, facts);
    root.finish(ctx);
    out.into_iter().collect()
}

/// One connection object `o` (under `key`); `beside` is the document around it, where
/// `localCidrs`, `vip` and a Change request's `peerCidrs` go (inside `o` in a Query reply).
fn read_one(
    ctx: &Ctx,
    beside: Option<&Obj>,
    key: &str,
    o: &Obj,
    facts: &PeerFacts,
) -> Option<Connection> {
    let inventory = key == "inventory";
    let form = if key == "params" { &CREATE } else { &CHANGE };
    let mut d = Defaults::new(form.source);
    let mut later = Defaults::new(CHANGE.source);
    let mut own = Defaults::new(OWN_SOURCE);
    o.ignore(IGNORED);
    let f = |k: &str| format!("{key}.{k}");

    let title = o.string(ctx, "name").filter(|n| !n.value.is_empty());
    let peer = o.ip(ctx, "peerAddress", "zstack.peer-address");
    let customer_ip = facts.customer_ip.map(At::bare).or(peer);
    representable(
        ctx,
        o.choice(ctx, "authMode", vocab::AUTH_MODES, CODE_VALUE),
        CODE_UNSUPPORTED,
        &f("authMode"),
        "ipsecgen renders pre-shared-key authentication only (authMode psk)",
    );
    let psk = o.required_psk(ctx, "authKey", || {
        Diagnostic::error("input.psk-missing", "no pre-shared key is given")
            .at(Some(Span::new(o.span().offset, 1)), "no authKey")
            .help("add `authKey` (the pre-shared key), or `authKey: {env: VAR}`")
    });
    o.choice(ctx, "idType", vocab::ID_TYPES, CODE_VALUE);
    let local_id = o.identity_or_empty(ctx, "localId");
    let remote_id = o.identity_or_empty(ctx, "remoteId");

    let version = o.choice_hinted(
        ctx,
        "ikeVersion",
        vocab::IKE_VERSIONS,
        vocab::HINTS,
        CODE_VALUE,
    );
    let ike_auth = o.choice_hinted(
        ctx,
        "ikeAuthAlgorithm",
        vocab::AUTH,
        vocab::HINTS,
        CODE_VALUE,
    );
    let ike_cipher = o.choice_hinted(
        ctx,
        "ikeEncryptionAlgorithm",
        vocab::CIPHERS,
        vocab::HINTS,
        CODE_VALUE,
    );
    let ike_dh = dh_group(ctx, o, &f("ikeDhGroup"));
    let (ike_life, ike_unset) = lifetime(ctx, o, "ikeLifeTime", 60, inventory, &f("ikeLifeTime"));
    let esp_auth = o.choice_hinted(
        ctx,
        "policyAuthAlgorithm",
        vocab::AUTH,
        vocab::HINTS,
        CODE_VALUE,
    );
    let esp_cipher = o.choice_hinted(
        ctx,
        "policyEncryptionAlgorithm",
        vocab::CIPHERS,
        vocab::HINTS,
        CODE_VALUE,
    );
    let pfs = o.choice_hinted(ctx, "pfs", vocab::PFS, vocab::HINTS, CODE_VALUE);
    representable(
        ctx,
        o.choice(ctx, "policyMode", vocab::POLICY_MODES, CODE_VALUE),
        CODE_UNSUPPORTED,
        &f("policyMode"),
        "ipsecgen renders site-to-site tunnels; use policyMode tunnel",
    );
    representable(
        ctx,
        o.choice(
            ctx,
            "transformProtocol",
            vocab::TRANSFORM_PROTOCOLS,
            CODE_VALUE,
        ),
        CODE_UNSUPPORTED,
        &f("transformProtocol"),
        "ipsecgen models ESP only; AH gives no confidentiality. Use transformProtocol esp",
    );
    let (esp_life, esp_unset) = lifetime(ctx, o, "lifeTime", 30, inventory, &f("lifeTime"));

    // Subnets: peerCidrs (inside, or beside a Change request that has none) and localCidrs.
    let inner_peers = peer_cidrs(ctx, o, &f("peerCidrs"));
    let sibling_peers = beside.and_then(|b| peer_cidrs(ctx, b, "peerCidrs"));
    let remote_subnets = match (inner_peers, sibling_peers) {
        (Some(p), Some(s)) => {
            ctx.push(
                Diagnostic::error(CODE_VALUE, "peerCidrs is given twice")
                    .at(
                        s.first().and_then(|c| c.span),
                        "also given inside the API object",
                    )
                    .help("keep one list"),
            );
            p
        }
        (Some(p), None) | (None, Some(p)) => p,
        (None, None) => Vec::new(),
    };
    let (local_ref, l3_uuids) = local_networks(ctx, o);
    let holder = beside.unwrap_or(o);
    let local_subnets = match holder.cidr_list(ctx, "localCidrs", "zstack.local-cidrs") {
        Some(c) => c,
        None => {
            let uuids = if l3_uuids.is_empty() {
                String::new()
            } else {
                format!(": only L3 network UUIDs ({})", l3_uuids.join(", "))
            };
            ctx.push(
                Diagnostic::error(
                    "zstack.local-cidrs",
                    format!("the cloud side's subnets are not in the document{uuids}"),
                )
                .at(
                    local_ref.or(Some(Span::new(o.span().offset, 1))),
                    "L3 network UUIDs only",
                )
                .help(local_cidrs_help(&l3_uuids, beside.is_some())),
            );
            Vec::new()
        }
    };
    let vip = holder.object(ctx, "vip");
    let cloud_ip = super::peer_fact::flag_or(facts.cloud_ip, vip.as_ref(), "ip", |v| {
        v.ip(ctx, "ip", "input.peer-fact")
    });
    if let Some(v) = &vip {
        v.ignore(VIP_IGNORED);
        v.finish(ctx);
    }
    o.finish(ctx);

    // Defaults in the order the API documents the fields. ikeVersion and the lifetimes exist
    // since ChangeIPsecConnection (4.5.0): their defaults are that API's in every form.
    let version = later.or(
        version,
        f("ikeVersion"),
        "ike (IKEv2 initiating, both answered)",
        IkeVersion::Ikev2,
    );
    let mode = if version.value == IkeVersion::Ikev1 {
        own.or(None, "IKEv1 mode", "main", IkeMode::Main)
    } else {
        At::bare(IkeMode::Main)
    };
    let ike_integrity = d.or(ike_auth, f("ikeAuthAlgorithm"), form.auth.0, form.auth.1);
    let ike_cipher = d.or(
        ike_cipher,
        f("ikeEncryptionAlgorithm"),
        form.cipher.0,
        form.cipher.1,
    );
    let ike_dh = d.or(ike_dh, f("ikeDhGroup"), "2", DhGroup(2));
    let ike_life = later.or(
        ike_life,
        f("ikeLifeTime"),
        unset_note(86_400, ike_unset),
        86_400,
    );
    let esp_integrity = d.or(esp_auth, f("policyAuthAlgorithm"), form.auth.0, form.auth.1);
    let esp_cipher = d.or(
        esp_cipher,
        f("policyEncryptionAlgorithm"),
        form.cipher.0,
        form.cipher.1,
    );
    let pfs = d.or(pfs, f("pfs"), form.pfs.0, form.pfs.1);
    let esp_life = later.or(esp_life, f("lifeTime"), unset_note(3600, esp_unset), 3600);
    let ike = IkePolicy {
        version,
        mode,
        cipher: ike_cipher,
        integrity: Some(ike_integrity),
        prf: None,
        dh: ike_dh,
        lifetime: ike_life,
    };
    let esp = EspPolicy {
        cipher: esp_cipher,
        integrity: Some(esp_integrity),
        pfs: pfs.value.map(|g| At::new(g, pfs.span)),
        lifetime: esp_life,
    };
    let dpd_on = own.or(None, "DPD", "on, every 30s, peer dead after 120s", true);
    let nat = own.or(None, "NAT traversal", "on", true);
    let initiation = own.or(
        None,
        "initiation",
        "the customer side initiates",
        Initiation::OnTraffic,
    );
    let name = super::sanitize_name(title.as_ref().map_or("zstack-ipsec", |t| t.value.as_str()));
    let mut defaults = d.into_vec();
    defaults.extend(later.into_vec());
    defaults.extend(own.into_vec());
    Some(Connection {
        name,
        title,
        dialect: "zstack".into(),
        view: Side::Cloud,
        local: Endpoint {
            side: Side::Cloud,
            gateway: cloud_ip,
            id: local_id,
            subnets: local_subnets,
            bgp: BgpSpeaker::default(),
        },
        remote: Endpoint {
            side: Side::Customer,
            gateway: customer_ip,
            id: remote_id,
            subnets: remote_subnets,
            bgp: BgpSpeaker::default(),
        },
        ike,
        esp,
        psk,
        dpd: Dpd {
            enabled: dpd_on,
            interval: At::bare(30),
            timeout: 120,
        },
        nat_traversal: nat,
        cloud_initiation: initiation,
        bgp: None,
        health_check: None,
        auto_config_route: None,
        remote_access: None,
        group: None,
        defaults,
    })
}

/// `ikeDhGroup`: an integer (an inventory may carry `2.0`).
fn dh_group(ctx: &Ctx, o: &Obj, field: &str) -> Option<At<DhGroup>> {
    let n = o.whole_number(ctx, "ikeDhGroup")?;
    match u16::try_from(n.value)
        .ok()
        .filter(|g| vocab::IKE_DH_GROUPS.contains(g))
    {
        Some(g) => Some(At::new(DhGroup(g), n.span)),
        None => {
            let valid: Vec<String> = vocab::IKE_DH_GROUPS.iter().map(u16::to_string).collect();
            ctx.push(
                Diagnostic::error(CODE_VALUE, format!("`{field}` does not accept {}", n.value))
                    .at(n.span, "not a supported DH group")
                    .help(format!("valid values: {}", valid.join(", "))),
            );
            None
        }
    }
}

/// A lifetime in seconds, `min..=604800`. An inventory's `0` (`0.0`) is a lifetime that was never
/// set (connections created before the field existed): the default applies, and the second value
/// says so.
fn lifetime(
    ctx: &Ctx,
    o: &Obj,
    key: &'static str,
    min: u64,
    inventory: bool,
    field: &str,
) -> (Option<At<u32>>, bool) {
    let Some(v) = o.whole_number(ctx, key) else {
        return (None, false);
    };
    if inventory && v.value == 0 {
        return (None, true);
    }
    let checked = in_range(
        ctx,
        Some(v),
        min..=604_800,
        "zstack.lifetime",
        field,
        &format!("lifetimes are in seconds, from {min} to 604800 (one week)"),
    );
    (checked, false)
}

/// How a default lifetime is shown: with a note when the inventory held 0.
fn unset_note(seconds: u32, unset: bool) -> String {
    if unset {
        format!("{seconds} (the inventory's 0 means not set)")
    } else {
        seconds.to_string()
    }
}

/// `peerCidrs`: strings (requests) or objects with a `cidr` (the inventory).
fn peer_cidrs(ctx: &Ctx, o: &Obj, field: &str) -> Option<Vec<At<IpNetwork>>> {
    let objects = matches!(
        o.node("peerCidrs").map(|n| &n.value),
        Some(Value::Seq(items)) if items.iter().any(|i| matches!(i.value, Value::Map(_)))
    );
    if !objects {
        return o.cidr_list(ctx, "peerCidrs", "zstack.peer-cidrs");
    }
    let mut out = Vec::new();
    for item in o.objects(ctx, "peerCidrs")? {
        item.ignore(&[
            "uuid",
            "connectionUuid",
            "description",
            "createDate",
            "lastOpDate",
        ]);
        match item.cidr_list(ctx, "cidr", "zstack.peer-cidrs") {
            Some(c) => out.extend(c),
            None => ctx.push(
                Diagnostic::error(
                    "zstack.peer-cidrs",
                    format!("an entry of `{field}` has no cidr"),
                )
                .at(Some(Span::new(item.span().offset, 1)), "no cidr")
                .help("each peer CIDR object carries `cidr: 192.168.100.0/24`"),
            ),
        }
        item.finish(ctx);
    }
    Some(out)
}

/// Where the document names its local networks, and their L3 network UUIDs (`l3NetworkRefs`
/// of an inventory, `l3NetworkUuid` of a create request), for the missing-localCidrs error.
fn local_networks(ctx: &Ctx, o: &Obj) -> (Option<Span>, Vec<String>) {
    let refs = o.node("l3NetworkRefs").map(|n| n.span);
    let mut uuids = Vec::new();
    for r in o.objects(ctx, "l3NetworkRefs").unwrap_or_default() {
        r.ignore(&["uuid", "connectionUuid", "createDate", "lastOpDate"]);
        uuids.extend(r.string(ctx, "l3NetworkUuid").map(|u| u.value));
        r.finish(ctx);
    }
    let single = o.node("l3NetworkUuid");
    if let Some(crate::tree::Value::Str(u)) = single.map(|n| &n.value) {
        uuids.push(u.clone());
    }
    (refs.or_else(|| single.map(|n| n.span)), uuids)
}

/// The help for local networks known only by L3 network UUID: the zstack-cli query that prints
/// each one's CIDR (an IP range's `networkCidr`), and where to write it.
fn local_cidrs_help(uuids: &[String], beside: bool) -> String {
    let queries: Vec<String> = if uuids.is_empty() {
        vec!["zstack-cli QueryIpRange l3NetworkUuid=<L3 network UUID>".to_owned()]
    } else {
        uuids
            .iter()
            .map(|u| {
                format!(
                    "zstack-cli QueryIpRange l3NetworkUuid={}",
                    crate::render::quote::shell_word(u)
                )
            })
            .collect()
    };
    let place = if beside {
        "beside the API object"
    } else {
        "to this inventory"
    };
    format!(
        "ZStack names the local networks by L3 network UUID, which cannot be resolved offline: run `{}` and add the networkCidr of each range as `localCidrs: [10.0.0.0/24, ...]` {place}",
        queries.join("`; `")
    )
}
