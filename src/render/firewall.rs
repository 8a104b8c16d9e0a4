//! A firewall's share of the tunnel: the device fact `platform = firewall` says the device
//! denies traffic between security zones (Huawei USG, H3C SecPath), so the output puts the
//! interfaces in zones and permits what the tunnel needs (IKE and ESP, the protected subnets,
//! BGP). A router (the default) gets none of it: it forwards without zones, and refuses or
//! does not need the firewall's commands.

use serde::{Deserialize, Serialize};

use super::device::DeviceCtx;
use super::target::Target;

/// The `platform` word that turns the firewall part on.
pub const FIREWALL: &str = "firewall";

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
}

/// One security zone of the device facts.
#[derive(Clone, Debug, Serialize)]
pub struct ZoneCtx {
    pub name: String,
    /// The device predefines it (`[firewall] builtin_zones`).
    pub builtin: bool,
}

/// The zones a firewall output uses.
#[derive(Clone, Debug, Serialize)]
pub struct FirewallCtx {
    pub wan_zone: ZoneCtx,
    pub lan_zone: ZoneCtx,
    pub vpn_zone: ZoneCtx,
}

/// The firewall part of `target`'s output, when its device facts say `platform = firewall`.
pub fn context(target: &Target, device: &DeviceCtx) -> Option<FirewallCtx> {
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
        ZoneCtx { name, builtin }
    };
    Some(FirewallCtx {
        wan_zone: zone("wan_zone"),
        lan_zone: zone("lan_zone"),
        vpn_zone: zone("vpn_zone"),
    })
}
