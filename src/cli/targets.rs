//! `ipsecgen targets`: the output targets, their versions and features.

use super::EXIT_OK;

/// List the output targets with the software versions and features they cover
#[derive(Debug, clap::Args)]
pub struct TargetsArgs {
    /// Print the target table and the algorithm support matrix as Markdown
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(a: &TargetsArgs) -> u8 {
    if a.markdown {
        super::out(&crate::render::matrix::markdown());
        return EXIT_OK;
    }
    for t in crate::render::registry().targets() {
        let f = &t.features;
        let mut feats = Vec::new();
        let flags = [
            (f.ipsec && f.ikev1, "ikev1"),
            (f.ipsec && f.ikev2, "ikev2"),
            (f.ipsec && f.aggressive, "aggressive"),
            (f.ipsec && f.route_based, "route-based"),
            (f.ipsec && f.policy_based, "policy-based"),
            (f.bgp, "bgp"),
            (f.ipsec && f.remote_access, "client-to-site"),
            (f.ir, "model"),
        ];
        for (on, name) in flags {
            if on {
                feats.push(name);
            }
        }
        super::out(&format!(
            "{:<14} {} [{}]\n{:<14} for {}\n",
            t.name,
            t.description,
            feats.join(", "),
            "",
            t.versions
        ));
    }
    EXIT_OK
}
