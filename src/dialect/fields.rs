//! Typed reads from the value tree, shared by every dialect: stringly-typed booleans and
//! numbers, comma-separated lists, JSON inside strings, and unknown-field detection.

use std::borrow::Cow;
use std::cell::RefCell;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use ipnetwork::{IpNetwork, Ipv4Network};

use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::ir::{At, Identity, Psk, PskOrigin};
use crate::source::secret_file::SecretFiles;
use crate::tree::{Node, Span, Value};

use super::escape_map::content_offsets;

/// What a reader accepts at one key (recorded for the generated JSON Schemas).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    Any,
    String,
    Bool,
    Integer,
    /// An integer also written with a zero fraction (3600.0).
    Number,
    Enum(Vec<&'static str>),
    Cidr,
    CidrList,
    Ip,
    Identity,
    Psk,
    Object,
    Objects,
    /// A key a reader accepts in several forms (e.g. a DH group number or `none`).
    OneOf(Vec<Shape>),
}

impl Shape {
    /// Generic shapes give way to the specific ones recorded for the same key.
    fn generic(&self) -> bool {
        matches!(self, Shape::Any | Shape::String)
    }
}

/// Every key the readers asked for, by object path (`IkeConfig`, `connections[]`), with its shape.
pub type SchemaRecord =
    std::collections::BTreeMap<String, std::collections::BTreeMap<String, Shape>>;

/// Shared state of one dialect run: the source text, the diagnostics and the secret spans.
pub struct Ctx<'t> {
    /// Schema mode: record every read.
    pub schema: Option<RefCell<SchemaRecord>>,
    /// Schema mode on an empty probe: explore absent objects as empty ones.
    pub explore: bool,
    pub text: &'t str,
    /// Where PSK file references are looked up and may lead (the input file's folder).
    pub secret_files: Arc<SecretFiles>,
    pub diags: RefCell<Diagnostics>,
    pub secrets: RefCell<Vec<Span>>,
}

impl<'t> Ctx<'t> {
    pub fn new(text: &'t str) -> Self {
        Self {
            schema: None,
            explore: false,
            text,
            secret_files: Arc::default(),
            diags: RefCell::new(Diagnostics::default()),
            secrets: RefCell::new(Vec::new()),
        }
    }

    /// A context of its own, for reading one part of the document on another thread (not in
    /// schema mode): what it finds is added back with `join`.
    pub fn detached(text: &'t str, secret_files: Arc<SecretFiles>) -> Self {
        Self {
            secret_files,
            ..Self::new(text)
        }
    }

    /// Add what a detached context found.
    pub fn join(&self, other: Ctx<'t>) {
        self.diags.borrow_mut().extend(other.diags.into_inner());
        self.secrets.borrow_mut().extend(other.secrets.into_inner());
    }

    pub fn push(&self, d: Diagnostic) {
        self.diags.borrow_mut().push(d);
    }

    fn raw(&self, span: Span) -> Option<&'t str> {
        self.text.get(span.offset..span.offset + span.len)
    }

    /// The source span of `decoded[start..end]`, where `decoded` is the string value at `span`.
    pub fn sub_span(&self, span: Span, decoded: &str, start: usize, end: usize) -> Span {
        self.sub_spans(span, decoded)(start, end)
    }

    /// `sub_span` for many parts of one value: the value's escapes are mapped once (a list of
    /// 20,000 subnets in one string was mapped 20,000 times).
    pub fn sub_spans(&self, span: Span, decoded: &str) -> impl Fn(usize, usize) -> Span {
        let map = self.raw(span).and_then(|raw| content_offsets(raw, decoded));
        move |start, end| {
            map.as_ref().map_or(span, |map| {
                let s = map[start];
                let e = map[end];
                Span::new(span.offset + s, e.saturating_sub(s).max(1))
            })
        }
    }
}

/// Unknown fields of one object that are each reported with a "did you mean"; the rest are
/// counted in one more diagnostic.
const MAX_UNKNOWN_FIELDS: usize = 100;

/// An object being read: remembers which keys the dialect asked for. It holds its node, or
/// borrows it from the tree (a nested object, an item of a list), which is not copied.
pub struct Obj<'n> {
    node: Cow<'n, Node>,
    pub path: String,
    asked: RefCell<Vec<&'static str>>,
}

impl<'n> Obj<'n> {
    pub fn new(node: Node, path: impl Into<String>) -> Self {
        Self::of(Cow::Owned(node), path.into())
    }

    /// An object read from a node of a tree that outlives it.
    pub fn borrowed(node: &'n Node, path: impl Into<String>) -> Self {
        Self::of(Cow::Borrowed(node), path.into())
    }

    /// The same object holding its own copy of the node (for objects that outlive the tree
    /// they were borrowed from).
    pub fn into_owned<'o>(self) -> Obj<'o> {
        Obj {
            node: Cow::Owned(self.node.into_owned()),
            path: self.path,
            asked: self.asked,
        }
    }

    fn of(node: Cow<'n, Node>, path: String) -> Self {
        Self {
            node,
            path,
            asked: RefCell::new(Vec::new()),
        }
    }

    pub fn span(&self) -> Span {
        self.node.span
    }

    /// The whole object as parsed (to read it again in another shape).
    pub fn whole(&self) -> &Node {
        &self.node
    }

    /// Schema mode: note what this key accepts.
    /// The keys the object holds, in document order.
    pub fn keys(&self) -> Vec<&str> {
        self.node
            .entries()
            .unwrap_or_default()
            .iter()
            .map(|(k, _)| k.name.as_str())
            .collect()
    }

    fn record(&self, ctx: &Ctx, key: &str, shape: Shape) {
        let Some(rec) = &ctx.schema else { return };
        let path = schema_path(&self.path);
        let mut rec = rec.borrow_mut();
        let fields = rec.entry(path).or_default();
        let merged = match fields.remove(key) {
            None => shape,
            Some(old) if shape.generic() && !old.generic() => old,
            Some(old) if old.generic() || old == shape => shape,
            Some(Shape::OneOf(mut v)) => {
                if !v.contains(&shape) {
                    v.push(shape);
                }
                Shape::OneOf(v)
            }
            Some(old) => Shape::OneOf(vec![old, shape]),
        };
        fields.insert(key.to_owned(), merged);
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The node at `key` (null counts as absent), remembering the key as known.
    pub fn node(&self, key: &'static str) -> Option<&Node> {
        self.asked.borrow_mut().push(key);
        self.node.get(key).filter(|n| n.value != Value::Null)
    }

    /// Mark keys the dialect knows but deliberately ignores (ids, tokens, status fields).
    pub fn ignore(&self, keys: &[&'static str]) {
        self.asked.borrow_mut().extend_from_slice(keys);
    }

    /// Report every key nobody asked for, with a "did you mean" for near misses.
    pub fn finish(&self, ctx: &Ctx) {
        for key in self.asked.borrow().iter() {
            self.record(ctx, key, Shape::Any);
        }
        let asked = self.asked.borrow();
        crate::work::add(
            crate::work::Unit::MapEntry,
            self.node.entries().map_or(0, <[_]>::len) * asked.len(),
        );
        let mut unknown = 0usize;
        let mut last_span = None;
        for (k, v) in self.node.entries().unwrap_or_default() {
            if asked.contains(&k.name.as_str()) {
                continue;
            }
            // The message names the key only; a key that looks like a secret (`Pks`,
            // `PreSharedKey`) has its value masked in the snippet too.
            if crate::secret_key::looks_secret(&k.name) {
                mask_all(ctx, v);
            }
            unknown += 1;
            if unknown > MAX_UNKNOWN_FIELDS {
                // Past the first ones a document is not a misspelling but something else:
                // counted, not each explained (40,000 of them took 24 s).
                last_span = Some(k.span);
                continue;
            }
            let mut d = Diagnostic::error(
                "input.unknown-field",
                format!("unknown field `{}`", self.field(&k.name)),
            )
            .at(Some(k.span), "not a field of this object");
            d = match did_you_mean(&k.name, asked.iter().copied()) {
                Some(s) => d.help(format!(
                    "did you mean `{s}`? A misspelt VPN parameter would silently fall back to its default"
                )),
                None => d.help(format!("known fields here: {}", sorted(&asked))),
            };
            ctx.push(d);
        }
        if unknown > MAX_UNKNOWN_FIELDS {
            let more = unknown - MAX_UNKNOWN_FIELDS;
            ctx.push(
                Diagnostic::error(
                    "input.unknown-field",
                    format!(
                        "{more} more unknown fields in {}",
                        if self.path.is_empty() { "the document" } else { self.path.as_str() }
                    ),
                )
                .at(last_span, "the last of them")
                .help(format!(
                    "this object holds {unknown} fields ipsecgen does not know: is it the document you meant (see --from)?"
                )),
            );
        }
    }

    fn type_error(&self, ctx: &Ctx, key: &str, n: &Node, want: &str) {
        ctx.push(
            Diagnostic::error(
                "input.type",
                format!(
                    "`{}` must be {want}, found {}",
                    self.field(key),
                    n.kind_name()
                ),
            )
            .at(Some(n.span), format!("expected {want}")),
        );
    }

    /// A string value (numbers are not silently turned into strings).
    pub fn string(&self, ctx: &Ctx, key: &'static str) -> Option<At<String>> {
        self.record(ctx, key, Shape::String);
        let n = self.node(key)?;
        match &n.value {
            Value::Str(s) => Some(At::new(s.clone(), Some(n.span))),
            _ => {
                self.type_error(ctx, key, n, "a string");
                None
            }
        }
    }

    /// A boolean, given as `true` or as the string `"true"` (request forms).
    pub fn boolean(&self, ctx: &Ctx, key: &'static str) -> Option<At<bool>> {
        self.record(ctx, key, Shape::Bool);
        let n = self.node(key)?;
        let v = match &n.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s == "true" => Some(true),
            Value::Str(s) if s == "false" => Some(false),
            _ => None,
        };
        if v.is_none() {
            self.type_error(ctx, key, n, "true or false");
        }
        v.map(|b| At::new(b, Some(n.span)))
    }

    /// A non-negative integer, given as a number or as a string of digits.
    pub fn integer(&self, ctx: &Ctx, key: &'static str) -> Option<At<u64>> {
        self.record(ctx, key, Shape::Integer);
        let n = self.node(key)?;
        let v = match &n.value {
            Value::Int(i) => u64::try_from(*i).ok(),
            Value::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        };
        match (&n.value, v) {
            // A number that is not a whole non-negative one (1e3, 3600.5, -1): say which.
            (Value::Float(_) | Value::Int(_), None) => {
                let raw = ctx.raw(n.span).unwrap_or_default().trim();
                let shown: String = raw.chars().take(40).collect();
                ctx.push(
                    Diagnostic::error(
                        "input.type",
                        format!(
                            "`{}` must be a non-negative integer, found the number `{shown}`",
                            self.field(key)
                        ),
                    )
                    .at(Some(n.span), "expected a non-negative integer")
                    .help("write the number in plain digits, e.g. 28800 (no exponent, fraction or sign)"),
                );
            }
            (_, None) => self.type_error(ctx, key, n, "a non-negative integer"),
            _ => {}
        }
        v.map(|i| At::new(i, Some(n.span)))
    }

    /// An integer that must fit in u32 (ASNs, lifetimes).
    pub fn u32(&self, ctx: &Ctx, key: &'static str, code: &str) -> Option<At<u32>> {
        let v = self.integer(ctx, key)?;
        match u32::try_from(v.value) {
            Ok(x) => Some(At::new(x, v.span)),
            Err(_) => {
                ctx.push(
                    Diagnostic::error(code, format!("`{}` is out of range", self.field(key)))
                        .at(v.span, "too large"),
                );
                None
            }
        }
    }

    /// A non-negative integer that may also be written as a number with a zero fraction
    /// (`3600.0`): APIs implemented in Java serialize integer fields through doubles.
    pub fn whole_number(&self, ctx: &Ctx, key: &'static str) -> Option<At<u64>> {
        self.record(ctx, key, Shape::Number);
        let n = self.node(key)?;
        match &n.value {
            Value::Float(f) if f.fract() == 0.0 && (0.0..=9.0e15).contains(f) => {
                // Exact: every whole number below 2^53 is representable.
                Some(At::new(*f as u64, Some(n.span)))
            }
            _ => self.integer(ctx, key),
        }
    }

    /// Whether `key` is present with an explicit `null` (which `node` treats as absent); for
    /// fields where null means "none" rather than "default".
    pub fn is_null(&self, key: &'static str) -> bool {
        self.asked.borrow_mut().push(key);
        self.node.get(key).is_some_and(|n| n.value == Value::Null)
    }

    /// A list of objects, each read as its own `Obj` (path `key[i]`).
    pub fn objects(&self, ctx: &Ctx, key: &'static str) -> Option<Vec<Obj<'_>>> {
        if ctx.explore && self.node(key).is_none() {
            self.record(ctx, key, Shape::Objects);
            return Some(vec![Obj::new(
                empty_map(),
                format!("{}[0]", self.field(key)),
            )]);
        }
        let items = self.object_nodes(ctx, key)?;
        Some(
            items
                .into_iter()
                .map(|(path, node)| Obj::borrowed(node, path))
                .collect(),
        )
    }

    /// The nodes of a list of objects with their paths (`key[i]`), not yet made `Obj`s: a long
    /// list can be read on every core.
    pub fn object_nodes(&self, ctx: &Ctx, key: &'static str) -> Option<Vec<(String, &Node)>> {
        self.record(ctx, key, Shape::Objects);
        let n = self.node(key)?;
        let Value::Seq(items) = &n.value else {
            self.type_error(ctx, key, n, "a list of objects");
            return None;
        };
        let mut out = Vec::new();
        for (i, el) in items.iter().enumerate() {
            match el.value {
                Value::Map(_) => out.push((format!("{}[{i}]", self.field(key)), el)),
                _ => self.type_error(ctx, key, el, "an object"),
            }
        }
        Some(out)
    }

    /// A nested object, given as an object or as a JSON document inside a string.
    pub fn object(&self, ctx: &Ctx, key: &'static str) -> Option<Obj<'_>> {
        self.record(ctx, key, Shape::Object);
        if ctx.explore && self.node(key).is_none() {
            return Some(Obj::new(empty_map(), self.field(key)));
        }
        let n = self.node(key)?;
        let path = self.field(key);
        match &n.value {
            Value::Map(_) => Some(Obj::borrowed(n, path)),
            Value::Str(s) => {
                // The API carries these as JSON text: validate strictly as JSON (YAML flow syntax
                // would accept `{"a":}`), then parse with spans.
                let parsed = serde_json::from_str::<serde::de::IgnoredAny>(s)
                    .map_err(|e| Diagnostic::error("input.syntax", e.to_string()))
                    .and_then(|_| crate::source::parse_text(s));
                match parsed {
                    Ok(mut inner) if inner.entries().is_some() => {
                        let outer = n.span;
                        let map = ctx.raw(outer).and_then(|raw| content_offsets(raw, s));
                        let remap = |i: usize| match &map {
                            Some(m) => outer.offset + m[i.min(m.len() - 1)],
                            None => outer.offset,
                        };
                        inner.remap(&remap);
                        if map.is_none() {
                            whole_span(&mut inner, outer);
                        }
                        Some(Obj::new(inner, path))
                    }
                    Ok(other) => {
                        self.type_error(ctx, key, &other, "a JSON object");
                        None
                    }
                    Err(e) => {
                        // What it holds is unknown (it may carry the PSK): mask it whole.
                        ctx.secrets.borrow_mut().push(n.span);
                        ctx.push(
                            Diagnostic::error(
                                "input.syntax",
                                format!("`{path}` holds a string that is not a JSON object: {}", e.message),
                            )
                            .at(Some(n.span), "not a JSON object")
                            .help("the request form carries this object as JSON text, e.g. \"{\\\"IkeVersion\\\":\\\"ikev2\\\"}\""),
                        );
                        None
                    }
                }
            }
            _ => {
                self.type_error(ctx, key, n, "an object");
                None
            }
        }
    }

    /// One of a fixed set of words; unknown words get `code` and a did-you-mean.
    pub fn choice<T: Copy>(
        &self,
        ctx: &Ctx,
        key: &'static str,
        options: &[(&'static str, T)],
        code: &str,
    ) -> Option<At<T>> {
        self.choice_hinted(ctx, key, options, &[], code)
    }

    /// `choice`, with `hints` mapping other vendors' spellings to this dialect's word
    /// (`aes128` -> `aes`), which beat edit distance for the "did you mean".
    pub fn choice_hinted<T: Copy>(
        &self,
        ctx: &Ctx,
        key: &'static str,
        options: &[(&'static str, T)],
        hints: &[(&str, &'static str)],
        code: &str,
    ) -> Option<At<T>> {
        self.record(
            ctx,
            key,
            Shape::Enum(options.iter().map(|(w, _)| *w).collect()),
        );
        let s = self.string(ctx, key)?;
        if let Some((_, v)) = options.iter().find(|(w, _)| *w == s.value) {
            return Some(At::new(*v, s.span));
        }
        let words: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
        let mut d = Diagnostic::error(
            code,
            format!("`{}` does not accept {:?}", self.field(key), s.value),
        )
        .at(s.span, "not a supported value");
        let hinted = hints
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&s.value))
            .map(|(_, w)| *w);
        d = match hinted.or_else(|| did_you_mean(&s.value, words.iter().copied())) {
            Some(w) => d.help(format!(
                "did you mean `{w}`? Valid values: {}",
                words.join(", ")
            )),
            None => d.help(format!("valid values: {}", words.join(", "))),
        };
        ctx.push(d);
        None
    }

    /// An IP address.
    pub fn ip(&self, ctx: &Ctx, key: &'static str, code: &str) -> Option<At<IpAddr>> {
        self.record(ctx, key, Shape::Ip);
        let s = self.string(ctx, key)?;
        match IpAddr::from_str(s.value.trim()) {
            Ok(ip) => Some(At::new(ip, s.span)),
            // APIs print "" for an address that is not set (a disabled health check's Sip).
            Err(_) if s.value.trim().is_empty() => None,
            Err(_) if super::masked::is_masked(&s.value) => {
                ctx.push(super::masked::diagnostic(
                    &self.field(key),
                    &s.value,
                    s.span,
                    "an IP address such as 203.0.113.10",
                ));
                None
            }
            Err(_) => {
                ctx.push(
                    Diagnostic::error(
                        code,
                        format!("`{}` is not an IP address: {:?}", self.field(key), s.value),
                    )
                    .at(s.span, "not an IP address")
                    .help("write a dotted IPv4 address such as 192.0.2.1"),
                );
                None
            }
        }
    }

    /// A list of CIDR blocks: a comma-separated string (`10.1.1.0/24,10.1.2.0/24`) or a list.
    /// Each element keeps its own span; host bits are checked later, in verify.
    pub fn cidr_list(
        &self,
        ctx: &Ctx,
        key: &'static str,
        code: &str,
    ) -> Option<Vec<At<IpNetwork>>> {
        self.record(ctx, key, Shape::CidrList);
        let n = self.node(key)?;
        let mut items: Vec<(String, Span)> = Vec::new();
        match &n.value {
            Value::Str(s) => {
                let mut start = 0;
                let sub_span = ctx.sub_spans(n.span, s);
                for part in s.split(',') {
                    let end = start + part.len();
                    let lead = part.len() - part.trim_start().len();
                    let trimmed = part.trim();
                    let span = sub_span(start + lead, start + lead + trimmed.len());
                    items.push((trimmed.to_owned(), span));
                    start = end + 1;
                }
            }
            Value::Seq(seq) => {
                for el in seq {
                    match &el.value {
                        Value::Str(s) => items.push((s.trim().to_owned(), el.span)),
                        _ => self.type_error(ctx, key, el, "a CIDR string"),
                    }
                }
            }
            _ => {
                self.type_error(ctx, key, n, "a comma-separated list of CIDR blocks");
                return None;
            }
        }
        let mut out = Vec::new();
        for (text, span) in items {
            match parse_cidr(&text) {
                Some(net) => out.push(At::new(net, Some(span))),
                None if super::masked::is_masked(&text) => ctx.push(super::masked::diagnostic(
                    &self.field(key),
                    &text,
                    Some(span),
                    "a CIDR block such as 10.1.1.0/24",
                )),
                None => ctx.push(
                    Diagnostic::error(
                        code,
                        format!("`{}` holds an invalid CIDR block {text:?}", self.field(key)),
                    )
                    .at(Some(span), "not a CIDR block")
                    .help("write network/prefix, e.g. 10.1.1.0/24; separate several with commas"),
                ),
            }
        }
        Some(out)
    }

    /// An IPv4 CIDR block (tunnel link networks).
    pub fn ipv4_cidr(&self, ctx: &Ctx, key: &'static str, code: &str) -> Option<At<Ipv4Network>> {
        self.record(ctx, key, Shape::Cidr);
        let s = self.string(ctx, key)?;
        match parse_cidr(s.value.trim()) {
            Some(IpNetwork::V4(net)) => Some(At::new(net, s.span)),
            // An empty string is an unset value (a disabled BGP block's TunnelCidr).
            _ if s.value.trim().is_empty() => None,
            _ if super::masked::is_masked(&s.value) => {
                ctx.push(super::masked::diagnostic(
                    &self.field(key),
                    &s.value,
                    s.span,
                    "an IPv4 CIDR block such as 169.254.11.0/30",
                ));
                None
            }
            _ => {
                ctx.push(
                    Diagnostic::error(
                        code,
                        format!(
                            "`{}` is not an IPv4 CIDR block: {:?}",
                            self.field(key),
                            s.value
                        ),
                    )
                    .at(s.span, "not an IPv4 CIDR block")
                    .help("write network/prefix, e.g. 169.254.11.0/30"),
                );
                None
            }
        }
    }

    /// An IKE identity: an IP address or an FQDN-like name.
    pub fn identity(&self, ctx: &Ctx, key: &'static str) -> Option<At<Identity>> {
        self.record(ctx, key, Shape::Identity);
        let s = self.string(ctx, key)?;
        let v = s.value.trim();
        if let Ok(ip) = IpAddr::from_str(v) {
            return Some(At::new(Identity::Ip(ip), s.span));
        }
        // `47.XX.XX.1` would pass for a domain name: a masked value is never typed.
        if super::masked::is_masked(v) {
            ctx.push(super::masked::diagnostic(
                &self.field(key),
                v,
                s.span,
                "the gateway's IP address or the FQDN it identifies itself with",
            ));
            return None;
        }
        // A `:` (`keyid:...`, `fqdn:...`) or a leading `@` or `%` makes strongSwan and libreswan
        // read a typed identity of another kind (a key ID, a literal match) than the FQDN the
        // cloud sends; IPv6 addresses were taken above.
        let ok = !v.is_empty()
            && v.len() <= 255
            && !v.starts_with(['@', '%'])
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-_@".contains(&b));
        if ok {
            Some(At::new(Identity::Fqdn(v.to_owned()), s.span))
        } else {
            ctx.push(
                Diagnostic::error(
                    "input.identity",
                    format!("`{}` is not an IP address or FQDN", self.field(key)),
                )
                .at(s.span, "not a usable IKE identity")
                .help(
                    "use an IP address or a domain name (letters, digits, '.', '-', '_', and '@' inside user@domain); a ':' or a leading '@' would be read as another kind of identity",
                ),
            );
            None
        }
    }

    /// `identity`, where an empty string counts as absent (APIs that default the field to "").
    pub fn identity_or_empty(&self, ctx: &Ctx, key: &'static str) -> Option<At<Identity>> {
        match self.node(key).map(|n| &n.value) {
            Some(Value::Str(s)) if s.trim().is_empty() => None,
            _ => self.identity(ctx, key),
        }
    }

    /// A pre-shared key the connection needs: `missing` is reported when `key` is absent. (A
    /// key that is there but unusable, e.g. a reference to an unset variable, has its own
    /// diagnostic already.)
    pub fn required_psk(
        &self,
        ctx: &Ctx,
        key: &'static str,
        missing: impl FnOnce() -> Diagnostic,
    ) -> Option<Psk> {
        let psk = self.psk(ctx, key);
        if psk.is_none() && self.node(key).is_none() {
            ctx.push(missing());
        }
        psk
    }

    /// A pre-shared key, inline or as a reference (`{env: VAR}`, `{file: path}`, resolved
    /// relative to the input file); its span is recorded so reports mask it.
    pub fn psk(&self, ctx: &Ctx, key: &'static str) -> Option<Psk> {
        self.record(ctx, key, Shape::Psk);
        let n = self.node(key)?;
        mask_all(ctx, n);
        let field = self.field(key);
        // Surrounding whitespace is not part of the key: removed here, for every dialect.
        let cleaned = |raw: &str, from_file: bool, origin: &str| {
            let c = super::psk_text::clean(raw, from_file);
            if c.trimmed {
                ctx.push(super::psk_text::whitespace_warning(
                    &field,
                    origin,
                    Some(n.span),
                ));
            }
            c.key
        };
        match &n.value {
            Value::Str(s) => Some(Psk::new(cleaned(s, false, "inline"), Some(n.span))),
            Value::Map(_) => {
                let r = Obj::borrowed(n, self.field(key));
                let env = r.string(ctx, "env");
                let file = r.string(ctx, "file");
                r.finish(ctx);
                let fail = |msg: String, help: &str| {
                    ctx.push(
                        Diagnostic::error("input.psk-ref", msg)
                            .at(Some(n.span), "PSK reference")
                            .help(help),
                    );
                    None
                };
                match (env, file) {
                    // An input names the variable: it may only name one meant for a PSK, or a
                    // CI runner's tokens (GITHUB_TOKEN) would be written into the output.
                    (Some(var), None) if !var.value.to_ascii_uppercase().contains("PSK") => fail(
                        format!(
                            "the environment variable `{}` does not look like one holding a PSK",
                            var.value
                        ),
                        "a PSK variable's name contains PSK (e.g. VPN_PSK): an input may not read any other variable of your environment",
                    ),
                    (Some(var), None) => {
                        let origin = format!("environment variable `{}`", var.value);
                        match std::env::var(&var.value).map(|v| cleaned(&v, false, &origin)) {
                            Ok(v) if !v.is_empty() => Some(Psk::referenced(
                                v,
                                Some(n.span),
                                PskOrigin::Env(var.value.clone()),
                            )),
                            Ok(_) => fail(
                                format!(
                                    "the environment variable `{}` holding the PSK is empty or only whitespace",
                                    var.value
                                ),
                                "export the key itself before running ipsecgen, e.g. from your secret store",
                            ),
                            Err(_) => fail(
                                format!(
                                    "the environment variable `{}` holding the PSK is not set",
                                    var.value
                                ),
                                "export it before running ipsecgen, e.g. from your secret store",
                            ),
                        }
                    }
                    (None, Some(path)) => {
                        let origin = format!("file `{}`", path.value);
                        match ctx
                            .secret_files
                            .read(std::path::Path::new(&path.value))
                            .map(|t| cleaned(&t, true, &origin))
                        {
                            Ok(key) if !key.is_empty() => Some(Psk::referenced(
                                key,
                                Some(n.span),
                                PskOrigin::File(path.value.clone()),
                            )),
                            Ok(_) => fail(
                                format!("the PSK file `{}` holds no key: it is empty or only whitespace", path.value),
                                "write the key into the file, e.g. `printf %s \"$KEY\" > file`",
                            ),
                            Err(e) => fail(e.message, &e.help),
                        }
                    }
                    _ => fail(
                        format!(
                            "`{}` must be a string, {{env: VAR}} or {{file: path}}",
                            self.field(key)
                        ),
                        "give exactly one of env or file",
                    ),
                }
            }
            _ => {
                self.type_error(ctx, key, n, "a string");
                None
            }
        }
    }
}

/// Record a secret value for masking: the node and every value inside it (a PSK written as
/// a list or a map is masked in every part).
fn mask_all(ctx: &Ctx, n: &Node) {
    ctx.secrets.borrow_mut().push(n.span);
    match &n.value {
        Value::Map(m) => m.iter().for_each(|(_, v)| mask_all(ctx, v)),
        Value::Seq(items) => items.iter().for_each(|v| mask_all(ctx, v)),
        _ => {}
    }
}

/// The schema path of an object path: list indices collapse (`connections[3]` -> `connections[]`).
fn schema_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}

fn empty_map() -> Node {
    Node {
        value: Value::Map(Vec::new()),
        span: Span::default(),
    }
}

/// Parse `a.b.c.d/len` strictly (a bare address is not a CIDR block).
pub fn parse_cidr(text: &str) -> Option<IpNetwork> {
    if !text.contains('/') {
        return None;
    }
    IpNetwork::from_str(text).ok()
}

fn whole_span(n: &mut Node, span: Span) {
    n.remap(&|_| span.offset);
    fn set(n: &mut Node, span: Span) {
        n.span = span;
        if let Value::Map(m) = &mut n.value {
            for (k, v) in m {
                k.span = span;
                set(v, span);
            }
        }
    }
    set(n, span);
}

fn sorted(keys: &[&str]) -> String {
    let mut v: Vec<&str> = keys.to_vec();
    v.sort_unstable();
    v.dedup();
    v.join(", ")
}
