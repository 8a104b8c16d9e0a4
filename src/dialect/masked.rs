//! Values that published samples and console exports mask: `47.XX.XX.1`, `169.254.XX.XX`,
//! `10.XX.XX.0/24`, `1234****`, `pgw6dy7d1i8i****`. Such a value is a placeholder, not a typo:
//! it gets one diagnostic, `input.masked`, that names the field and says what goes there,
//! instead of "not an IP address" (or, worse, an identity typed as an FQDN).

use crate::diag::Diagnostic;
use crate::tree::Span;

/// Whether `value` carries a mask: a run of `*` (`****`), or a part of an address made of `x`
/// only, standing for digits (`8.xx.xx.192`, `169.254.XX.XX`, `10.XX.XX.0/24`).
pub fn is_masked(value: &str) -> bool {
    value.contains("**")
        || value
            .split(['.', ':', '/'])
            .any(|part| part.len() >= 2 && part.chars().all(|c| c == 'x' || c == 'X'))
}

/// The `input.masked` diagnostic for `field`, whose value should be `what` (e.g. "an IPv4
/// address such as 203.0.113.10").
pub fn diagnostic(field: &str, value: &str, span: Option<Span>, what: &str) -> Diagnostic {
    Diagnostic::error(
        "input.masked",
        format!("`{field}` is masked ({value:?}): published samples and console exports hide parts of it"),
    )
    .at(span, "a placeholder, not a value")
    .help(format!(
        "put the real value here: {what}; the API's response for your own account prints it in full"
    ))
}

#[cfg(test)]
mod tests {
    use super::is_masked;

    #[test]
    fn the_published_masks_are_recognised() {
        for v in [
            "47.XX.XX.1",
            "8.xx.xx.192",
            "169.254.XX.XX",
            "10.XX.XX.0/24",
            "1234****",
            "pgw6dy7d1i8i****",
        ] {
            assert!(is_masked(v), "{v}");
        }
        for v in [
            "47.100.1.1",
            "10.0.0.0/8",
            "gw.example.com",
            "xxgw.example.com",
            "vpn-bp1x",
            "X1",
            "a*b",
        ] {
            assert!(!is_masked(v), "{v}");
        }
    }
}
