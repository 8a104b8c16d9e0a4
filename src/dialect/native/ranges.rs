//! The documented ranges of the native format's numbers. A value outside is an error at the
//! value (never clamped, never written verbatim); what a given target can express is narrower
//! still and checked at render time (`[ranges]` in its target.toml).

use std::ops::RangeInclusive;

/// IKE and IPsec SA lifetimes, seconds: one minute to one week (Neutron's and ZStack's range;
/// a lifetime of 0, "never rekey", is not offered).
pub const LIFETIME: RangeInclusive<u64> = 60..=604_800;
pub const LIFETIME_HELP: &str =
    "lifetimes are in seconds, from 60 to 604800 (one week); e.g. 28800 for IKE, 3600 for ESP";

/// Seconds between DPD probes: DPD off is `enabled: false`, not an interval of 0.
pub const DPD_INTERVAL: RangeInclusive<u64> = 1..=3_600;
pub const DPD_INTERVAL_HELP: &str =
    "the DPD interval is in seconds, from 1 to 3600; to switch DPD off write `enabled: false`";

/// Seconds without an answer before the peer is declared dead (also greater than the interval).
pub const DPD_TIMEOUT: RangeInclusive<u64> = 2..=86_400;
pub const DPD_TIMEOUT_HELP: &str =
    "the DPD timeout is in seconds, from 2 to 86400, and greater than the interval";
