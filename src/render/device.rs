//! Device facts: what a device's config needs that no cloud API carries (its WAN and LAN
//! interfaces, security zones, virtual router, BGP loopback, tunnel interface names). Each target
//! declares the facts it uses and their defaults (`[device]` in target.toml); the user gives
//! them with `render --device KEY=VALUE` or `[device]` in ipsecgen.toml. A flag beats the
//! config, the config beats the target's default, and a fact given for one target
//! (`panos.wan=...`, `[device.panos]`) beats one given for all.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{did_you_mean, Diagnostic};

use super::quote;
use super::target::Target;

/// Every device fact ipsecgen knows, in the order headers list them, with what it means.
pub const FACTS: &[(&str, &str)] = &[
    (
        "wan",
        "the WAN (outside) interface, which reaches the peer gateway",
    ),
    (
        "lan",
        "the LAN (inside) interface, toward this side's subnets",
    ),
    ("wan-zone", "the security zone of the WAN interface"),
    ("vpn-zone", "the security zone of the tunnel interfaces"),
    (
        "lan-zone",
        "the security zone of the LAN with this side's subnets",
    ),
    (
        "virtual-router",
        "the virtual router (routing instance) of the tunnel interfaces",
    ),
    (
        "loopback",
        "the loopback interface carrying this side's BGP address (policy-mode BGP)",
    ),
    (
        "tunnel-prefix",
        "the tunnel interface name the tunnel's number is appended to",
    ),
    (
        "nat-acl",
        "the access list your source NAT (PAT) matches: the NAT exemption's deny entries go into it",
    ),
    (
        "zone-priority",
        "the security priority of the first security zone the output creates (each zone of a device has its own); further ones take the next free numbers",
    ),
    (
        "platform",
        "router or firewall: a firewall denies traffic between security zones, so the output adds the tunnel's zones and security policies",
    ),
    (
        "version",
        "the major version of the device's software, where the output depends on it",
    ),
];

/// Facts that take one of a few words, not a name of the device's: (fact, the words).
pub const CHOICES: &[(&str, &[&str])] = &[
    ("platform", &["router", "firewall"]),
    ("version", &["4", "5"]),
];

/// The words fact `key` takes, if it takes only a few.
pub fn choices(key: &str) -> Option<&'static [&'static str]> {
    CHOICES.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
}

/// What the header says of a fact nobody gave.
pub const DEFAULT_SOURCE: &str = "default: replace before applying";

/// Where a given fact came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FactSource {
    Config,
    Flag,
}

impl FactSource {
    fn shown(self) -> &'static str {
        match self {
            FactSource::Config => "ipsecgen.toml",
            FactSource::Flag => "--device",
        }
    }
}

#[derive(Clone, Debug)]
struct Given {
    /// Only for this target (`None`: for every target that uses the fact).
    target: Option<String>,
    fact: &'static str,
    value: String,
    source: FactSource,
}

/// The device facts the user gave: each one a known fact with a safe value (the only way in
/// is `give`, which checks both).
#[derive(Clone, Debug, Default)]
pub struct DeviceInput {
    given: Vec<Given>,
}

/// No facts given: every target uses its defaults.
pub static NO_FACTS: DeviceInput = DeviceInput { given: Vec::new() };

/// One fact as a template sees it.
#[derive(Clone, Debug, Serialize)]
pub struct FactCtx {
    /// The fact's name as users write it (`vpn-zone`).
    pub key: &'static str,
    pub value: String,
    /// Given by the user (else the target's default).
    pub given: bool,
    /// `ipsecgen.toml`, `--device`, or `default: replace before applying`.
    pub source: &'static str,
}

/// The facts of one target: `values` by template name (`vpn_zone`), `facts` in header order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DeviceCtx {
    pub values: BTreeMap<String, String>,
    pub facts: Vec<FactCtx>,
}

/// The known fact called `key`, or `device.unknown-fact` with the nearest one.
pub fn known_fact(key: &str) -> Result<&'static str, Diagnostic> {
    if let Some((k, _)) = FACTS.iter().find(|(k, _)| *k == key) {
        return Ok(k);
    }
    let names = FACTS.iter().map(|(k, _)| *k);
    let d = Diagnostic::error(
        "device.unknown-fact",
        format!("unknown device fact `{}`", quote::comment_safe(key)),
    );
    Err(match did_you_mean(key, names.clone()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!(
            "known device facts: {}",
            names.collect::<Vec<_>>().join(", ")
        )),
    })
}

fn unsafe_value(fact: &str, value: &str) -> Diagnostic {
    Diagnostic::error(
        "device.unsafe-value",
        format!(
            "device fact `{fact}` = {} cannot be written safely into a device config",
            quote::shell_word(value)
        ),
    )
    .help("use a single word of letters, digits, `-`, `_`, `.` and `/` (at most 63 characters, starting with a letter or digit), as the device names it (`ethernet1/3`, `ge-0/0/1.0`, `untrust`)")
}

/// A safe word that is not one of the words a fact takes.
fn unknown_value(fact: &str, value: &str, choices: &[&str]) -> Diagnostic {
    let d = Diagnostic::error(
        "device.unknown-value",
        format!("device fact `{fact}` cannot be `{value}`"),
    );
    let all = choices.join(", ");
    // A number is never a misspelling of another (version 6 is not a typo of 4 or 5): say
    // which numbers the fact accepts and what they mean.
    if value.bytes().all(|b| b.is_ascii_digit()) {
        let meaning = FACTS
            .iter()
            .find(|(k, _)| *k == fact)
            .map_or("", |(_, m)| *m);
        return d.help(format!(
            "{fact} accepts {all} only ({meaning}); ipsecgen has no output for {fact} {value}"
        ));
    }
    match did_you_mean(value, choices.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`? ({fact} is one of {all})")),
        None => d.help(format!("{fact} is one of {all}")),
    }
}

impl DeviceInput {
    /// Give fact `key` = `value` (for `target` only, or for all), checking both.
    pub fn give(
        &mut self,
        target: Option<&str>,
        key: &str,
        value: &str,
        source: FactSource,
    ) -> Result<(), Diagnostic> {
        let fact = known_fact(key)?;
        if !quote::device_word(value) {
            return Err(unsafe_value(fact, value));
        }
        if let Some(c) = choices(fact).filter(|c| !c.contains(&value)) {
            return Err(unknown_value(fact, value, c));
        }
        self.given.push(Given {
            target: target.map(str::to_owned),
            fact,
            value: value.to_owned(),
            source,
        });
        Ok(())
    }

    /// A `--device` argument: `KEY=VALUE`, or `TARGET.KEY=VALUE` for one target.
    pub fn give_flag(&mut self, arg: &str) -> Result<(), Diagnostic> {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(Diagnostic::error(
                "device.unknown-fact",
                format!("--device {} is not KEY=VALUE", quote::shell_word(arg)),
            )
            .help(
                "write --device wan=ethernet1/3 (or --device panos.wan=ethernet1/3 for one target)",
            ));
        };
        match key.split_once('.') {
            Some((target, fact)) => self.give(Some(target), fact, value, FactSource::Flag),
            None => self.give(None, key, value, FactSource::Flag),
        }
    }

    /// Whether no fact was given.
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }

    /// Facts given for one target must name a known target that uses them; facts given by flag
    /// for every target must be used by one of `rendered` (else the flag did nothing). Facts
    /// of ipsecgen.toml for every target may serve targets not rendered now.
    pub fn check(&self, known: &[&Target], rendered: &[&Target]) -> Result<(), Diagnostic> {
        for g in &self.given {
            let where_ = match (g.source, &g.target) {
                (FactSource::Flag, _) => "--device".to_owned(),
                (FactSource::Config, None) => "ipsecgen.toml [device]".to_owned(),
                (FactSource::Config, Some(t)) => {
                    format!("ipsecgen.toml [device.{}]", quote::comment_safe(t))
                }
            };
            // The targets the value serves, once it is known to be used.
            let serves: Vec<&Target> = match &g.target {
                Some(name) => {
                    let Some(t) = known.iter().find(|t| &t.name == name) else {
                        let d = Diagnostic::error(
                            "device.unknown-fact",
                            format!(
                                "{where_} names target `{}`, which does not exist",
                                quote::comment_safe(name)
                            ),
                        );
                        let names: Vec<&str> = known.iter().map(|t| t.name.as_str()).collect();
                        return Err(match did_you_mean(name, names.iter().copied()) {
                            Some(s) => d.help(format!("did you mean `{s}`?")),
                            None => d.help(format!("known targets: {}", names.join(", "))),
                        });
                    };
                    if !t.device.contains_key(g.fact) {
                        return Err(unused(&where_, g.fact, &[t]));
                    }
                    if !self.takes(t, g.fact) {
                        return Err(router_fact(&where_, g, &[t]));
                    }
                    vec![*t]
                }
                None if g.source == FactSource::Flag
                    && !rendered.iter().any(|t| t.device.contains_key(g.fact)) =>
                {
                    return Err(unused(&where_, g.fact, rendered));
                }
                None if g.source == FactSource::Flag
                    && !rendered.iter().any(|t| self.takes(t, g.fact)) =>
                {
                    return Err(router_fact(&where_, g, rendered));
                }
                None => rendered
                    .iter()
                    .copied()
                    .filter(|t| t.device.contains_key(g.fact))
                    .collect(),
            };
            if g.fact == super::firewall::ZONE_PRIORITY {
                for t in serves {
                    super::firewall::check_priority(t, &g.value, &where_)?;
                }
            }
        }
        Ok(())
    }

    /// Whether `target`'s output, with the platform these facts give it, writes `fact`: a
    /// fact of the firewall part (`[firewall] facts`, the zones) does nothing on a router.
    fn takes(&self, target: &Target, fact: &str) -> bool {
        target.device.contains_key(fact)
            && (!target.firewall.facts.iter().any(|f| f == fact)
                || self
                    .resolve(target)
                    .values
                    .get("platform")
                    .map(String::as_str)
                    == Some(super::firewall::FIREWALL))
    }

    /// The facts `target` uses, each with its value and where it came from.
    pub fn resolve(&self, target: &Target) -> DeviceCtx {
        let mut out = DeviceCtx::default();
        for (key, _) in FACTS {
            let Some(default) = target.device.get(*key) else {
                continue;
            };
            // The strongest source wins: a flag over the config, one target's over all
            // targets'; among equals, the last given.
            let chosen = self
                .given
                .iter()
                .filter(|g| g.fact == *key && g.target.as_ref().is_none_or(|t| *t == target.name))
                .max_by_key(|g| (g.source, g.target.is_some()));
            let (value, given, source) = match chosen {
                Some(g) => (g.value.clone(), true, g.source.shown()),
                None => (default.clone(), false, DEFAULT_SOURCE),
            };
            out.values.insert(key.replace('-', "_"), value.clone());
            out.facts.push(FactCtx {
                key,
                value,
                given,
                source,
            });
        }
        out
    }
}

fn unused(where_: &str, fact: &str, targets: &[&Target]) -> Diagnostic {
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    let uses: Vec<String> = targets
        .iter()
        .map(|t| {
            let facts: Vec<&str> = FACTS
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| t.device.contains_key(*k))
                .collect();
            if facts.is_empty() {
                format!("{} uses none", t.name)
            } else {
                format!("{} uses {}", t.name, facts.join(", "))
            }
        })
        .collect();
    let d = Diagnostic::error(
        "device.unknown-fact",
        format!(
            "{where_} gives device fact `{fact}`, which target {} does not use",
            names.join(", ")
        ),
    );
    let all: Vec<&str> = targets
        .iter()
        .flat_map(|t| t.device.keys().map(String::as_str))
        .collect();
    match did_you_mean(fact, all.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`? ({})", uses.join("; "))),
        None => d.help(uses.join("; ")),
    }
}

/// A fact of the firewall part (a zone, the LAN interface) given while the platform is a
/// router: the output writes no zone, so the value would be silently dropped.
fn router_fact(where_: &str, g: &Given, targets: &[&Target]) -> Diagnostic {
    let names: Vec<&str> = targets
        .iter()
        .filter(|t| t.device.contains_key(g.fact))
        .map(|t| t.name.as_str())
        .collect();
    let names = names.join(", ");
    Diagnostic::error(
        "device.router-fact",
        format!(
            "{where_} gives device fact `{}` = {}, which does nothing on {names}: its platform is router, whose output writes no security zones or policies",
            g.fact,
            quote::shell_word(&g.value)
        ),
    )
    .help(format!(
        "if the device is a firewall, add --device platform=firewall (or `platform = \"firewall\"` in ipsecgen.toml [device]); on a router, leave out {}",
        g.fact
    ))
}

/// Check a target's own `[device]` table: known facts with safe defaults.
pub fn check_defaults(
    target: &str,
    defaults: &BTreeMap<String, String>,
    firewall_facts: &[String],
) -> Result<(), String> {
    if let Some(f) = firewall_facts.iter().find(|f| !defaults.contains_key(*f)) {
        return Err(format!(
            "templates/{target}/target.toml: [firewall] facts names {f}, which is not in [device]"
        ));
    }
    for (k, v) in defaults {
        if known_fact(k).is_err() {
            return Err(format!(
                "templates/{target}/target.toml: [device] {k} is not a device fact"
            ));
        }
        if !quote::device_word(v) {
            return Err(format!(
                "templates/{target}/target.toml: [device] {k} = {v:?} is not a safe device word"
            ));
        }
        if let Some(c) = choices(k).filter(|c| !c.contains(&v.as_str())) {
            return Err(format!(
                "templates/{target}/target.toml: [device] {k} = {v:?} is not one of {}",
                c.join(", ")
            ));
        }
    }
    Ok(())
}
