//! Verification: every rule looks at the IR and returns diagnostics with a stable code (the
//! cloud API's own error code where its documentation names one) and the offending value's span.
//! All rules run; nothing stops at the first error.

mod addressing;
mod bgp;
mod crypto;
mod fleet;
mod health;
pub mod invisible;
mod limits;
mod names;
mod psk_reuse;
mod remote_access;
mod selectors;
pub(crate) mod tunnels;

use crate::diag::Diagnostics;
use crate::ir::Connection;

/// Run every rule over one connection (in the view the dialect produced).
pub fn verify(conn: &Connection) -> Diagnostics {
    let mut out = Diagnostics::default();
    for rule in RULES {
        rule(conn, &mut out);
    }
    out
}

/// Rules for `check` (the pre-commit hook) only: about the file as committed, not the tunnel.
pub fn verify_committed(conn: &Connection) -> Diagnostics {
    let mut out = Diagnostics::default();
    crypto::committed_secrets(conn, &mut out);
    out
}

type Rule = fn(&Connection, &mut Diagnostics);

const RULES: &[Rule] = &[
    names::connection_name,
    names::identities,
    addressing::subnets,
    addressing::overlap,
    addressing::families,
    crypto::lifetimes,
    crypto::psk,
    psk_reuse::reused,
    crypto::weak_algorithms,
    crypto::aggressive_psk,
    bgp::tunnel,
    bgp::asns,
    selectors::bgp_protected_flows,
    selectors::ikev1_one_pair,
    health::probe,
    remote_access::pool,
    remote_access::auth_method,
];

pub use fleet::overlapping_subnets;
pub use selectors::ikev1_multi_cidr;
pub use tunnels::{check as tunnel_groups, groups};
