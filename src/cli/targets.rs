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
        print!("{}", crate::render::matrix::markdown());
        return EXIT_OK;
    }
    for t in crate::render::registry().targets() {
        let f = &t.features;
        let mut feats = Vec::new();
        for (on, name) in [
            (f.ikev1, "ikev1"),
            (f.ikev2, "ikev2"),
            (f.aggressive, "aggressive"),
        ] {
            if on {
                feats.push(name);
            }
        }
        println!(
            "{:<14} {} [{}]\n{:<14} for {}",
            t.name,
            t.description,
            feats.join(", "),
            "",
            t.versions
        );
    }
    EXIT_OK
}
