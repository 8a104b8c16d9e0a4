//! Checks on values a dialect has read: documented ranges, and documented values that the IR
//! cannot represent (an error at the value, never a silent substitute).

use std::ops::RangeInclusive;

use crate::diag::Diagnostic;
use crate::ir::At;

use super::fields::Ctx;

/// `value` if it lies in `range`; otherwise an error `code` at the value.
pub fn in_range(
    ctx: &Ctx,
    value: Option<At<u64>>,
    range: RangeInclusive<u64>,
    code: &str,
    field: &str,
    help: &str,
) -> Option<At<u32>> {
    let v = value?;
    let fits = u32::try_from(v.value)
        .ok()
        .filter(|x| range.contains(&u64::from(*x)));
    if fits.is_none() {
        ctx.push(
            Diagnostic::error(code, format!("`{field}` {} is out of range", v.value))
                .at(
                    v.span,
                    format!("must be {} to {}", range.start(), range.end()),
                )
                .help(help),
        );
    }
    fits.map(|x| At::new(x, v.span))
}

/// A vocabulary entry is `None` when the API documents the word but the IR cannot represent it
/// (AH, transport mode, certificates, CCM ciphers...): that is an error `code` at the value.
pub fn representable<T>(
    ctx: &Ctx,
    value: Option<At<Option<T>>>,
    code: &str,
    field: &str,
    why: &str,
) -> Option<At<T>> {
    let v = value?;
    match v.value {
        Some(x) => Some(At::new(x, v.span)),
        None => {
            ctx.push(
                Diagnostic::error(code, format!("ipsecgen cannot express this `{field}`"))
                    .at(v.span, "documented by the API, not supported by ipsecgen")
                    .help(why.to_owned()),
            );
            None
        }
    }
}
