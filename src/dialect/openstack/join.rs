//! Finding what a connection references: the object beside it (the one policy pasted next to
//! `ipsec_site_connection`), else the object with that id in its document's lists, else in the
//! other inputs. When objects of that kind were given but none has the id, that is an error
//! naming the id and the command that prints it; two with the id are one too.

use crate::diag::Diagnostic;
use crate::ir::At;

use super::documents::Kind;
use super::resources::{duplicate, Fact, CODE_MISSING};
use crate::dialect::fields::Ctx;

/// What a connection found for one reference.
pub enum Found<'a, T> {
    Fact(&'a Fact<T>),
    /// Objects of the kind were given, none with this id: reported.
    Reported,
    /// No object of the kind was given at all.
    NotGiven,
}

impl<'a, T> Found<'a, T> {
    pub fn fact(&self) -> Option<&'a Fact<T>> {
        match self {
            Found::Fact(f) => Some(f),
            _ => None,
        }
    }
}

/// Where a connection looks for the objects of one kind.
pub struct Sources<'a, T> {
    /// The object beside a single connection, whatever its id.
    pub single: Option<&'a Fact<T>>,
    /// The connection's own document (list responses beside it).
    pub own: &'a [Fact<T>],
    /// The other inputs.
    pub joined: &'a [Fact<T>],
}

pub fn find<'a, T>(
    ctx: &Ctx,
    kind: Kind,
    key: &str,
    reference: Option<&At<String>>,
    from: Sources<'a, T>,
) -> Found<'a, T> {
    if let Some(f) = from.single {
        if let (Some(r), Some(id)) = (reference, &f.id) {
            if r.value != id.value {
                let (one, _) = kind.wrappers();
                ctx.push(
                    Diagnostic::error(
                        "neutron.reference",
                        format!("`{key}` is {:?} but `{one}.id` is {:?}", r.value, id.value),
                    )
                    .at(id.span, "a different object")
                    .help(format!("paste the {one} the connection references")),
                );
            }
        }
        return Found::Fact(f);
    }
    let Some(r) = reference else {
        return Found::NotGiven;
    };
    let own = from.own.iter().find(|f| f.id() == r.value);
    let joined = from.joined.iter().find(|f| f.id() == r.value);
    match (own, joined) {
        (Some(a), Some(b)) => {
            ctx.push(duplicate(kind, &r.value, &a.file, &b.file, r.span));
            Found::Fact(a)
        }
        (Some(f), None) | (None, Some(f)) => Found::Fact(f),
        (None, None) if from.own.is_empty() && from.joined.is_empty() => Found::NotGiven,
        (None, None) => {
            let given: Vec<&str> = from
                .own
                .iter()
                .chain(from.joined)
                .map(Fact::id)
                .filter(|id| !id.is_empty())
                .collect();
            let mut d = missing(kind, key, r);
            d.message = format!(
                "no {} given has the id {} that `{key}` names (given: {})",
                kind.what(),
                r.value,
                if given.is_empty() {
                    "none with an id".to_owned()
                } else {
                    given.join(", ")
                }
            );
            ctx.push(d);
            Found::Reported
        }
    }
}

/// The error for a referenced object that is not among the inputs, with the command that
/// prints it.
pub fn missing(kind: Kind, key: &str, r: &At<String>) -> Diagnostic {
    let id = crate::render::quote::shell_word(&r.value);
    Diagnostic::error(
        CODE_MISSING,
        format!(
            "`{key}` names {} {} that is not among the inputs",
            article(kind),
            kind.what()
        ),
    )
    .at(r.span, "only an id")
    .help(format!(
        "pass it as another input: `{} {id} -f json > {}.json`, then ipsecgen render <connection file> {}.json ...",
        kind.show_command(),
        kind.wrappers().0,
        kind.wrappers().0
    ))
}

fn article(kind: Kind) -> &'static str {
    match kind {
        Kind::IkePolicy | Kind::IpsecPolicy | Kind::EndpointGroup => "an",
        _ => "a",
    }
}
