//! Numbers a target can express: each value is checked against the range the target's table
//! declares (`[ranges]` in target.toml). Outside it is `target.unsupported` naming the range.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{At, Connection};
use crate::render::target::Target;

/// A value (absent when not written), the target's range for it, and what it is.
type Checked<'a> = (Option<&'a At<u32>>, Option<[u32; 2]>, &'static str);

pub fn check(view: &Connection, target: &Target, diags: &mut Diagnostics) {
    let r = &target.ranges;
    let dpd = view.dpd.enabled.value.then_some(&view.dpd.interval);
    let values: [Checked<'_>; 3] = [
        (Some(&view.ike.lifetime), r.ike_lifetime, "IKE SA lifetime"),
        (
            Some(&view.esp.lifetime),
            r.esp_lifetime,
            "IPsec SA lifetime",
        ),
        (dpd, r.dpd_interval, "DPD interval"),
    ];
    for (value, range, what) in values {
        let (Some(v), Some([min, max])) = (value, range) else {
            continue;
        };
        if !(min..=max).contains(&v.value) {
            let t = &target.name;
            diags.push(
                Diagnostic::error(
                    "target.unsupported",
                    format!(
                        "target `{t}` cannot express the {what} {}s: it accepts {min} to {max} seconds",
                        v.value
                    ),
                )
                .at(v.span, format!("outside {min}..{max} on {t}"))
                .help(format!(
                    "choose a {what} from {min} to {max} seconds (on both sides)"
                )),
            );
        }
    }
}
