//! The cloud gateway's health check probe.

use ipnetwork::IpNetwork;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Connection, Side};

/// Ranges the Alibaba console offers (the API reference documents only the defaults, 3 and 3).
const INTERVAL: std::ops::RangeInclusive<u32> = 1..=60;
const RETRY: std::ops::RangeInclusive<u32> = 1..=100;

pub fn probe(conn: &Connection, out: &mut Diagnostics) {
    let Some(hc) = &conn.health_check else { return };
    if !hc.enabled.value {
        return;
    }
    for (ip, field, side) in [
        (&hc.sip, "sip", Side::Cloud),
        (&hc.dip, "dip", Side::Customer),
    ] {
        match ip {
            None => out.push(
                Diagnostic::error(
                    "IllegalParam.HealthCheckConfig",
                    format!("the health check is enabled but `{field}` is missing"),
                )
                .at(hc.enabled.span, "enabled here")
                .help(format!(
                    "add `{field}`: an address in the {} side's subnets",
                    side.id()
                )),
            ),
            // Only the source must be on the cloud side: the destination is often a loopback or
            // management address of the customer gateway, outside the protected subnets.
            Some(ip) if side == Side::Cloud => {
                let subnets = &conn.endpoint(side).subnets;
                let inside = subnets.iter().any(|n| contains(&n.value, ip.value));
                if !subnets.is_empty() && !inside {
                    out.push(
                        Diagnostic::error(
                            "IllegalParam.HealthCheckConfig",
                            format!("health check {field} {} is not inside the {} side's subnets", ip.value, side.id()),
                        )
                        .at(ip.span, "outside the protected subnets")
                        .help("the probe crosses the tunnel, so its source must be on the cloud side and its destination on the customer side"),
                    );
                }
            }
            Some(_) => {}
        }
    }
    for (v, field, range) in [
        (&hc.interval, "interval", INTERVAL),
        (&hc.retry, "retry", RETRY),
    ] {
        if !range.contains(&v.value) {
            out.push(
                Diagnostic::error(
                    "IllegalParam.HealthCheckConfig",
                    format!(
                        "health check {field} {} is out of range {}..{}",
                        v.value,
                        range.start(),
                        range.end()
                    ),
                )
                .at(v.span, "out of range"),
            );
        }
    }
}

fn contains(net: &IpNetwork, ip: std::net::IpAddr) -> bool {
    net.contains(ip)
}
