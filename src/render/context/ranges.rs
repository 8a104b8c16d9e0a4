//! Numbers a target can express: each value is checked against the range the target's table
//! declares (`[ranges]` in target.toml). Outside it is `target.unsupported` naming the range.

use crate::diag::Diagnostics;
use crate::ir::{At, Connection};
use crate::render::target::{unsupported, Target};

/// A value (absent when not written), the target's range for it, and what it is.
type Checked<'a> = (Option<&'a At<u32>>, Option<[u32; 2]>, &'static str);

pub fn check(view: &Connection, target: &Target, diags: &mut Diagnostics) {
    let r = &target.ranges;
    let dpd = view.dpd.enabled.value.then_some(&view.dpd.interval);
    let values: [Checked<'_>; 3] = [
        (
            Some(&view.ike.lifetime),
            r.ike_lifetime,
            "an IKE SA lifetime",
        ),
        (
            Some(&view.esp.lifetime),
            r.esp_lifetime,
            "an IPsec SA lifetime",
        ),
        (dpd, r.dpd_interval, "a DPD interval"),
    ];
    for (value, range, what) in values {
        let (Some(v), Some([min, max])) = (value, range) else {
            continue;
        };
        if !(min..=max).contains(&v.value) {
            diags.push(
                unsupported(&target.name, &format!("{what} of {} s", v.value), &[])
                    .at(v.span, format!("`{}` takes {min} to {max}", target.name))
                    .help(format!(
                        "`{}` takes {what} from {min} to {max} seconds: choose a value in that range",
                        target.name
                    )),
            );
        }
    }
}
