//! The objects a connection references by id, read into facts: IKE and IPsec policies, VPN
//! services (`external_v4_ip` / `external_v6_ip`: the cloud gateway's address) and endpoint
//! groups. They come beside the connection in its document, or in documents of their own given
//! as other inputs (`ipsecgen render c.json ikepolicy.json ...`), where each is read in its own
//! file (its diagnostics are that file's) and joined to the connections that name its id.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnetwork::IpNetwork;

use crate::diag::Diagnostic;
use crate::ir::{AppliedDefault, At, EspPolicy, IkePolicy};
use crate::tree::{Span, Value};

use super::documents::{self, Item, Kind};
use super::policies::CODE_VALUE;
use super::vocab::{self, GroupType};
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};

pub const CODE_MISSING: &str = "neutron.document-missing";
pub const CODE_DUPLICATE: &str = "neutron.document-duplicate";
pub const CODE_NO_ID: &str = "neutron.document-id";
pub const CODE_ALONE: &str = "neutron.document-alone";

/// One object read, with where it came from.
#[derive(Clone, Debug)]
pub struct Fact<T> {
    pub kind: Kind,
    pub id: Option<At<String>>,
    /// The input file (as named on the command line).
    pub file: String,
    pub value: T,
    /// The API's defaults applied while reading it.
    pub defaults: Vec<AppliedDefault>,
    /// What it states, as (field, value as written): a connection in another file lists these
    /// with the file they came from.
    pub stated: Vec<(String, String)>,
}

impl<T> Fact<T> {
    pub fn id(&self) -> &str {
        self.id.as_ref().map_or("", |i| i.value.as_str())
    }

    /// The facts it gives a connection read from `file`: what it states (from its file, when
    /// that is another one) and the defaults applied to it.
    pub fn provenance(&self, file: &str) -> Vec<AppliedDefault> {
        let mut out = Vec::new();
        if self.file != file {
            let (one, _) = self.kind.wrappers();
            let source = format!(
                "from {} ({one} {})",
                crate::render::quote::path_word(&self.file),
                crate::render::quote::shell_word(self.id())
            );
            out.extend(self.stated.iter().map(|(field, value)| AppliedDefault {
                field: field.clone().into(),
                value: value.clone().into(),
                source: source.clone().into(),
            }));
        }
        out.extend(self.defaults.iter().cloned());
        out
    }
}

/// A VPN service: the cloud gateway's addresses.
#[derive(Clone, Debug)]
pub struct Service {
    pub v4: Option<At<IpAddr>>,
    pub v6: Option<At<IpAddr>>,
    pub router: Option<String>,
    /// Read from `openstack vpn service show`, which does not print the addresses.
    pub client_form: bool,
}

/// An endpoint group: CIDRs (type cidr) or subnet UUIDs (type subnet), which only the cloud
/// can resolve.
#[derive(Clone, Debug)]
pub struct Group {
    pub kind: Option<At<GroupType>>,
    pub cidrs: Vec<At<IpNetwork>>,
    /// The endpoints of a group of another type, as written (subnet UUIDs).
    pub endpoints: Vec<String>,
}

/// Every referenced object of one document (or, joined, of every input).
#[derive(Clone, Debug, Default)]
pub struct Resources {
    pub ike: Vec<Fact<IkePolicy>>,
    pub esp: Vec<Fact<EspPolicy>>,
    pub services: Vec<Fact<Service>>,
    pub groups: Vec<Fact<Group>>,
}

impl Resources {
    pub fn is_empty(&self) -> bool {
        self.ike.is_empty()
            && self.esp.is_empty()
            && self.services.is_empty()
            && self.groups.is_empty()
    }

    /// The (kind, id, file) of every object, in kind order.
    pub fn index(&self) -> Vec<(Kind, &str, &str)> {
        fn ids<T>(v: &[Fact<T>]) -> impl Iterator<Item = (Kind, &str, &str)> {
            v.iter().map(|f| (f.kind, f.id(), f.file.as_str()))
        }
        ids(&self.ike)
            .chain(ids(&self.esp))
            .chain(ids(&self.services))
            .chain(ids(&self.groups))
            .collect()
    }

    /// Add the objects of another input; one whose id another input already gave is an error
    /// naming both files.
    pub fn add(&mut self, other: Resources) -> Vec<Diagnostic> {
        let mut seen: BTreeMap<(Kind, String), String> = self
            .index()
            .into_iter()
            .map(|(k, id, file)| ((k, id.to_owned()), file.to_owned()))
            .collect();
        let mut out = Vec::new();
        for (kind, id, file) in other.index() {
            if id.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert((kind, id.to_owned()), file.to_owned()) {
                out.push(duplicate(kind, id, &first, file, None));
            }
        }
        self.ike.extend(other.ike);
        self.esp.extend(other.esp);
        self.services.extend(other.services);
        self.groups.extend(other.groups);
        out
    }

    /// What the document holds, in words (`an IKE policy (id ...)`).
    pub fn describe(&self) -> String {
        let index = self.index();
        let mut parts = Vec::new();
        for kind in Kind::FACTS {
            let ids: Vec<&str> = index
                .iter()
                .filter(|(k, _, _)| *k == kind)
                .map(|(_, id, _)| *id)
                .collect();
            match ids.as_slice() {
                [] => {}
                [id] => parts.push(format!(
                    "an OpenStack {} ({})",
                    kind.what(),
                    if id.is_empty() { "no id" } else { id }
                )),
                _ => parts.push(format!("{} OpenStack {}", ids.len(), kind.plural())),
            }
        }
        parts.join(", ")
    }

    /// The reference fields a connection names these by, for the help of a lone document.
    pub fn references(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> =
            self.index().iter().map(|(k, _, _)| k.reference()).collect();
        out.dedup();
        out
    }
}

impl Resources {
    /// The same objects without their places in their file: joined to a connection of another
    /// input, a value's span would point into the wrong text.
    pub fn detached(&self) -> Resources {
        fn each<T: Clone>(v: &[Fact<T>], strip: impl Fn(&mut T)) -> Vec<Fact<T>> {
            v.iter()
                .map(|f| {
                    let mut f = f.clone();
                    if let Some(id) = &mut f.id {
                        id.span = None;
                    }
                    strip(&mut f.value);
                    f
                })
                .collect()
        }
        fn no<T>(a: &mut At<T>) {
            a.span = None;
        }
        Resources {
            ike: each(&self.ike, |p| {
                no(&mut p.version);
                no(&mut p.mode);
                no(&mut p.cipher);
                p.integrity.iter_mut().for_each(no);
                p.prf.iter_mut().for_each(no);
                no(&mut p.dh);
                no(&mut p.lifetime);
            }),
            esp: each(&self.esp, |p| {
                no(&mut p.cipher);
                p.integrity.iter_mut().for_each(no);
                p.pfs.iter_mut().for_each(no);
                no(&mut p.lifetime);
            }),
            services: each(&self.services, |s| {
                s.v4.iter_mut().for_each(no);
                s.v6.iter_mut().for_each(no);
            }),
            groups: each(&self.groups, |g| {
                g.kind.iter_mut().for_each(no);
                g.cidrs.iter_mut().for_each(no);
            }),
        }
    }
}

/// What to say when only such documents are given: what they hold and what to pair them with.
pub fn alone(objects: &Resources, file: &str) -> Diagnostic {
    let file = crate::render::quote::path_word(file);
    Diagnostic::error(
        CODE_ALONE,
        format!(
            "{file} holds {}: facts for a connection, not a tunnel",
            objects.describe()
        ),
    )
    .help(format!(
        "pass it with the ipsec_site_connection that names it ({}), e.g. ipsecgen render connection.json {file} (`openstack vpn ipsec site connection show <id> -f json > connection.json`)",
        objects.references().join(", ")
    ))
}

/// Two objects of one kind with one id.
pub fn duplicate(kind: Kind, id: &str, first: &str, second: &str, at: Option<Span>) -> Diagnostic {
    let (one, _) = kind.wrappers();
    let (first, second) = (
        crate::render::quote::path_word(first),
        crate::render::quote::path_word(second),
    );
    let whence = if first == second {
        format!("twice in {first}")
    } else {
        format!("in {first} and in {second}")
    };
    Diagnostic::error(
        CODE_DUPLICATE,
        format!("two {} have the id {id} ({one}, {whence})", kind.plural()),
    )
    .at(at, "this id")
    .help(format!("pass one document per {}", kind.what()))
}

/// The raw text of a value in the source (quotes dropped), for provenance.
fn written(ctx: &Ctx, span: Option<Span>) -> Option<String> {
    let s = span?;
    let raw = ctx.text.get(s.offset..s.offset + s.len)?.trim();
    Some(raw.trim_matches('"').trim_matches('\'').to_owned())
}

fn stated(ctx: &Ctx, kind: Kind, fields: &[(&str, Option<Span>)]) -> Vec<(String, String)> {
    let (one, _) = kind.wrappers();
    fields
        .iter()
        .filter_map(|(f, span)| written(ctx, *span).map(|v| (format!("{one}.{f}"), v)))
        .collect()
}

/// Read one object into a fact: its id, then the object itself with `read`.
fn fact<T>(
    ctx: &Ctx,
    item: &Item,
    file: &str,
    read: impl FnOnce(&Obj, &mut Defaults) -> T,
    fields: impl FnOnce(&T) -> Vec<(&'static str, Option<Span>)>,
) -> Fact<T> {
    let id = item.obj.string(ctx, "id");
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
    let value = read(&item.obj, &mut d);
    let stated = stated(ctx, item.kind, &fields(&value));
    Fact {
        kind: item.kind,
        id,
        file: file.to_owned(),
        value,
        defaults: d.into_vec(),
        stated,
    }
}

fn span<T>(a: &At<T>) -> Option<Span> {
    a.span
}

/// Read one referenced object (not a connection).
pub fn read_item(ctx: &Ctx, item: &Item, file: &str, client_form: bool, into: &mut Resources) {
    match item.kind {
        Kind::IkePolicy => into.ike.push(fact(
            ctx,
            item,
            file,
            |o, d| super::policies::ike(ctx, Some(o), d),
            |p| {
                vec![
                    ("ike_version", span(&p.version)),
                    ("phase1_negotiation_mode", span(&p.mode)),
                    ("encryption_algorithm", span(&p.cipher)),
                    (
                        "auth_algorithm",
                        p.integrity
                            .as_ref()
                            .and_then(span)
                            .or(p.prf.as_ref().and_then(span)),
                    ),
                    ("pfs", span(&p.dh)),
                    ("lifetime.value", span(&p.lifetime)),
                ]
            },
        )),
        Kind::IpsecPolicy => into.esp.push(fact(
            ctx,
            item,
            file,
            |o, d| super::policies::esp(ctx, Some(o), d),
            |p| {
                vec![
                    ("encryption_algorithm", span(&p.cipher)),
                    ("auth_algorithm", p.integrity.as_ref().and_then(span)),
                    ("pfs", p.pfs.as_ref().and_then(span)),
                    ("lifetime.value", span(&p.lifetime)),
                ]
            },
        )),
        Kind::VpnService => into.services.push(fact(
            ctx,
            item,
            file,
            |o, _| service(ctx, o, client_form),
            |s| {
                // The address a connection takes: IPv4 when there is one.
                match &s.v4 {
                    Some(v4) => vec![("external_v4_ip", span(v4))],
                    None => vec![("external_v6_ip", s.v6.as_ref().and_then(span))],
                }
            },
        )),
        Kind::EndpointGroup => into.groups.push(fact(
            ctx,
            item,
            file,
            |o, _| group(ctx, o),
            |g| {
                g.cidrs
                    .iter()
                    .map(|c| ("endpoints", c.span))
                    .chain(g.kind.as_ref().map(|k| ("type", k.span)))
                    .collect()
            },
        )),
        Kind::Connection => {}
    }
}

/// Read every referenced object of a document. In a document of its own (`own`), an object
/// without an id cannot be joined to anything: a create request, not the API's answer.
pub fn read_all(ctx: &Ctx, items: &[Item], file: &str, client_form: bool, own: bool) -> Resources {
    let mut out = Resources::default();
    for item in items.iter().filter(|i| i.kind != Kind::Connection) {
        read_item(ctx, item, file, client_form, &mut out);
    }
    // Two objects of one kind and id in one document.
    let mut seen = BTreeMap::new();
    for (kind, id, file) in out.index() {
        if !id.is_empty() && seen.insert((kind, id), file).is_some() {
            let at = ids_of(&out, kind)
                .filter(|i| i.value == id)
                .nth(1)
                .and_then(|i| i.span);
            ctx.push(duplicate(kind, id, file, file, at));
        }
    }
    if own {
        for item in items.iter().filter(|i| i.kind != Kind::Connection) {
            if item.obj.node("id").is_none() {
                let (one, _) = item.kind.wrappers();
                ctx.push(
                    Diagnostic::error(
                        CODE_NO_ID,
                        format!("this {} has no id: no connection can name it", item.kind.what()),
                    )
                    .at(Some(Span::new(item.obj.span().offset, 1)), "no id")
                    .help(format!(
                        "a create request carries no id: pass the API's answer instead (`{} <name or id> -f json`), or paste the object beside ipsec_site_connection as `{one}`",
                        item.kind.show_command()
                    )),
                );
            }
        }
    }
    out
}

fn ids_of(r: &Resources, kind: Kind) -> Box<dyn Iterator<Item = &At<String>> + '_> {
    match kind {
        Kind::IkePolicy => Box::new(r.ike.iter().filter_map(|f| f.id.as_ref())),
        Kind::IpsecPolicy => Box::new(r.esp.iter().filter_map(|f| f.id.as_ref())),
        Kind::VpnService => Box::new(r.services.iter().filter_map(|f| f.id.as_ref())),
        Kind::EndpointGroup => Box::new(r.groups.iter().filter_map(|f| f.id.as_ref())),
        Kind::Connection => Box::new(std::iter::empty()),
    }
}

/// Keys of a VPN service that say nothing the peer needs.
const SERVICE_IGNORED: &[&str] = &[
    "tenant_id",
    "project_id",
    "name",
    "description",
    "router_id",
    "subnet_id",
    "flavor_id",
    "admin_state_up",
    "status",
];

fn service(ctx: &Ctx, o: &Obj, client_form: bool) -> Service {
    let router = o.string(ctx, "router_id").map(|r| r.value);
    o.ignore(SERVICE_IGNORED);
    let v4 = o.ip(ctx, "external_v4_ip", "input.peer-fact");
    let v6 = o.ip(ctx, "external_v6_ip", "input.peer-fact");
    o.finish(ctx);
    Service {
        v4,
        v6,
        router,
        client_form,
    }
}

/// An endpoint group object.
pub fn group(ctx: &Ctx, o: &Obj) -> Group {
    o.ignore(&["tenant_id", "project_id", "name", "description"]);
    let kind = o.choice(ctx, "type", vocab::GROUP_TYPES, CODE_VALUE);
    let mut group = Group {
        kind,
        cidrs: Vec::new(),
        endpoints: Vec::new(),
    };
    match group.kind.as_ref().map(At::get) {
        Some(GroupType::Cidr) => {
            group.cidrs = o
                .cidr_list(ctx, "endpoints", super::endpoints::CODE_GROUP)
                .unwrap_or_default();
        }
        _ => {
            // Subnet UUIDs, networks, routers: nothing to resolve offline, but named in help.
            if let Some(Value::Seq(items)) = o.node("endpoints").map(|n| &n.value) {
                group.endpoints = items
                    .iter()
                    .filter_map(|i| match &i.value {
                        Value::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect();
            }
        }
    }
    if let Some(k) = group.kind.as_ref().filter(|k| k.value == GroupType::Other) {
        ctx.push(
            Diagnostic::error(
                super::policies::CODE_UNSUPPORTED,
                format!("`{}.type` is not an IPsec endpoint group type", o.path),
            )
            .at(k.span, "not subnet or cidr")
            .help("IPsec connections use a `subnet` group locally and a `cidr` group for the peer"),
        );
    }
    o.finish(ctx);
    group
}

/// The items of a document that holds referenced objects only, read.
pub fn read_document(ctx: &Ctx, root: &Obj, file: &str) -> Resources {
    let (items, client_form) = match documents::flat_kind(root.whole()) {
        Some(kind) => (vec![documents::flat(root, kind)], true),
        None => {
            let items: Vec<Item> = Kind::FACTS
                .iter()
                .flat_map(|k| documents::wrapped(ctx, root, *k))
                .collect();
            root.finish(ctx);
            (items, false)
        }
    };
    read_all(ctx, &items, file, client_form, true)
}
