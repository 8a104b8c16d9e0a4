//! A firewall's share of the tunnel: the device fact `platform = firewall` says the device
//! denies traffic between security zones (Huawei USG, H3C SecPath), so the output puts the
//! interfaces in zones and permits what the tunnel needs (IKE and ESP, the protected subnets,
//! BGP). A router (the default) gets none of it: it forwards without zones, and refuses or
//! does not need the firewall's commands.

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

use super::device::DeviceCtx;
use super::target::Target;

/// The `platform` word that turns the firewall part on.
pub const FIREWALL: &str = "firewall";

/// The device fact that numbers the security zones the output creates.
pub const ZONE_PRIORITY: &str = "zone-priority";

/// `[firewall]` in target.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirewallSpec {
    /// The zones the device predefines (entered without creating them), compared without
    /// letter case.
    #[serde(default)]
    pub builtin_zones: Vec<String>,
    /// The device facts only the firewall part uses: given while the platform is a router,
    /// they would do nothing, so they are refused (`device.router-fact`).
    #[serde(default)]
    pub facts: Vec<String>,
    /// A zone the output creates needs a priority of its own: the range the device takes and
    /// the numbers its predefined zones hold. Absent: created zones get none.
    #[serde(default)]
    pub priority: Option<PrioritySpec>,
}

/// `[firewall.priority]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrioritySpec {
    pub min: u32,
    pub max: u32,
    /// Held by the predefined zones.
    #[serde(default)]
    pub taken: Vec<u32>,
}

impl PrioritySpec {
    /// The priorities `count` created zones get: `first`, then the next free numbers up to
    /// `max`, then down from `first`.
    fn allocate(&self, first: u32, count: usize) -> Vec<u32> {
        (first..=self.max)
            .chain((self.min..first).rev())
            .filter(|p| !self.taken.contains(p))
            .take(count)
            .collect()
    }
}

/// One security zone of the device facts.
#[derive(Clone, Debug, Serialize)]
pub struct ZoneCtx {
    pub name: String,
    /// The device predefines it (`[firewall] builtin_zones`).
    pub builtin: bool,
    /// The priority the output sets on a zone it creates (`set priority`), where the device
    /// needs one.
    pub priority: Option<u32>,
}

/// The zones a firewall output uses.
#[derive(Clone, Debug, Serialize)]
pub struct FirewallCtx {
    pub wan_zone: ZoneCtx,
    pub lan_zone: ZoneCtx,
    pub vpn_zone: ZoneCtx,
    /// The priorities set on the zones the output creates, each once, in order (for the
    /// header: numbers no other zone of the device may hold).
    pub priorities: Vec<u32>,
}

/// The firewall part of `target`'s output, when its device facts say `platform = firewall`;
/// `route`: the tunnel interfaces get a zone (`vpn_zone`).
pub fn context(target: &Target, device: &DeviceCtx, route: bool) -> Option<FirewallCtx> {
    if device.values.get("platform").map(String::as_str) != Some(FIREWALL) {
        return None;
    }
    let zone = |key: &str| {
        let name = device.values.get(key).cloned().unwrap_or_default();
        let builtin = target
            .firewall
            .builtin_zones
            .iter()
            .any(|z| z.eq_ignore_ascii_case(&name));
        ZoneCtx {
            name,
            builtin,
            priority: None,
        }
    };
    let mut zones = [zone("wan_zone"), zone("lan_zone"), zone("vpn_zone")];
    let first = device
        .values
        .get(&ZONE_PRIORITY.replace('-', "_"))
        .and_then(|v| v.parse().ok());
    let mut priorities = Vec::new();
    if let (Some(spec), Some(first)) = (&target.firewall.priority, first) {
        // One number per zone created, in the order the output writes them (no vpn zone in
        // policy mode); a name given twice is one zone.
        let written = if route { 3 } else { 2 };
        let mut created: Vec<String> = Vec::new();
        for z in zones[..written].iter().filter(|z| !z.builtin) {
            if !created.iter().any(|c| c.eq_ignore_ascii_case(&z.name)) {
                created.push(z.name.clone());
            }
        }
        priorities = spec.allocate(first, created.len());
        for z in zones[..written].iter_mut().filter(|z| !z.builtin) {
            let i = created.iter().position(|c| c.eq_ignore_ascii_case(&z.name));
            z.priority = i.and_then(|i| priorities.get(i).copied());
        }
    }
    let [wan_zone, lan_zone, vpn_zone] = zones;
    Some(FirewallCtx {
        wan_zone,
        lan_zone,
        vpn_zone,
        priorities,
    })
}

/// A `zone-priority` the target cannot set: not a number in its range, or one a predefined
/// zone holds.
pub fn check_priority(target: &Target, value: &str, where_: &str) -> Result<(), Diagnostic> {
    let Some(spec) = &target.firewall.priority else {
        return Ok(());
    };
    let ok = value
        .parse::<u32>()
        .is_ok_and(|p| (spec.min..=spec.max).contains(&p) && !spec.taken.contains(&p));
    if ok {
        return Ok(());
    }
    let taken: Vec<String> = spec.taken.iter().map(u32::to_string).collect();
    Err(Diagnostic::error(
        "device.unknown-value",
        format!(
            "{where_} gives device fact `{ZONE_PRIORITY}` = {}, which {} cannot set",
            super::quote::shell_word(value),
            target.name
        ),
    )
    .help(format!(
        "{ZONE_PRIORITY} is a number from {} to {} that no security zone of the device has yet (the predefined zones hold {})",
        spec.min,
        spec.max,
        taken.join(", ")
    )))
}
