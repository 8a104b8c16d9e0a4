//! A plain (unquoted, untagged) YAML scalar typed as serde-saphyr 2.1 types it for a value of
//! unknown type (`deserialize_any`, with our options: YAML 1.1 booleans, no legacy octal,
//! numbers with leading zeros or underscores not kept as strings, non-finite floats refused).
//!
//! The order and the forms are serde-saphyr's (`de/deserializer.rs`, `parse_scalars.rs`):
//! null (`~`, `null`, `Null`, `NULL`, empty); a YAML 1.1 boolean word in any case (`yes`,
//! `Off`, `n`, ...); an integer, signed when it starts with `-` (an `i64`), else unsigned
//! (a `u64`, a `+` allowed): decimal without a redundant leading zero, or `0x`, `0o`, `0b`
//! with their digits, `_` between digits anywhere; a float: Rust's `f64` syntax (so `012`,
//! past the integer forms, is the float 12), refused when it is not finite (`.inf`, `.nan`
//! in YAML's spellings, or a literal over `f64`'s range such as `1e999`); else the text as
//! a string (`inf`, `nan`: Rust's float syntax takes them, serde-saphyr keeps them strings).
//! `tests/event_tree.rs` holds it to serde-saphyr's typing on generated words.

use crate::tree::Value;

/// The value of a plain scalar `text`; `None` when serde-saphyr refuses it (a non-finite
/// float), or may read it otherwise: a text with space at either end (which serde-saphyr
/// types trimmed). `<<` and `=` are strings as values (a key `<<` is a merge key:
/// `merge_keys`).
pub fn typed(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        _ => {}
    }
    if padded(text) {
        return None;
    }
    if let Some(b) = yaml11_bool(text) {
        return Some(Value::Bool(b));
    }
    let int = if text.starts_with('-') {
        if leading_zero_decimal(text) {
            None
        } else {
            signed(text)
                .and_then(|v| i64::try_from(v).ok())
                .map(i128::from)
        }
    } else {
        unsigned(text)
            .and_then(|v| u64::try_from(v).ok())
            .map(i128::from)
    };
    if let Some(n) = int {
        return Some(Value::Int(n));
    }
    match float(text) {
        Float::Finite(f) => Some(Value::Float(f)),
        Float::Refused => None,
        Float::NotOne => Some(Value::Str(text.to_owned())),
    }
}

/// Whether serde-saphyr refuses the plain scalar `text` as a value: a float that is not
/// finite (its words: "non-finite float ... rejected by the configured policy").
pub fn non_finite(text: &str) -> bool {
    typed(text).is_none() && !padded(text)
}

/// Whether `text` has space at either end (serde-saphyr types it trimmed).
fn padded(text: &str) -> bool {
    let space = [' ', '\t', '\r', '\n'];
    text.starts_with(space) || text.ends_with(space)
}

/// YAML 1.1's boolean words, in any case.
fn yaml11_bool(text: &str) -> Option<bool> {
    let is = |words: [&str; 4]| words.iter().any(|w| text.eq_ignore_ascii_case(w));
    if is(["y", "yes", "on", "true"]) {
        Some(true)
    } else if is(["n", "no", "off", "false"]) {
        Some(false)
    } else {
        None
    }
}

/// A decimal integer with a redundant leading zero (`0127`, `+0127`, `-0127`).
fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The radix of an integer's text after its sign, and its digits.
fn radix_and_digits(rest: &str) -> (u32, &str) {
    for (prefixes, radix) in [(["0x", "0X"], 16), (["0o", "0O"], 8), (["0b", "0B"], 2)] {
        if let Some(digits) = prefixes.iter().find_map(|p| rest.strip_prefix(p)) {
            return (radix, digits);
        }
    }
    (10, rest)
}

/// Digits of `radix` with `_` only between digits; `None` past `u128` or with no digit.
fn digits_u128(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let between =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !between {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(value)
}

/// An integer that starts with `-`, as an `i128`.
fn signed(t: &str) -> Option<i128> {
    let (negative, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => t.strip_prefix('-').map_or((false, t), |r| (true, r)),
    };
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let magnitude = digits_u128(digits, radix)?;
    if negative {
        if magnitude == i128::MAX as u128 + 1 {
            return Some(i128::MIN);
        }
        i128::try_from(magnitude).ok()?.checked_neg()
    } else {
        i128::try_from(magnitude).ok()
    }
}

/// An integer that does not start with `-`, as a `u128`.
fn unsigned(t: &str) -> Option<u128> {
    let rest = t.strip_prefix('+').unwrap_or(t);
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    digits_u128(digits, radix)
}

enum Float {
    Finite(f64),
    /// Not finite: serde-saphyr refuses it.
    Refused,
    /// Not a float: a string.
    NotOne,
}

/// A float, as serde-saphyr's typeless path reads one.
fn float(t: &str) -> Float {
    let unsigned = match t.strip_prefix('-') {
        Some(rest) => rest,
        None => t.strip_prefix('+').unwrap_or(t),
    };
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return Float::Refused;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Float::Finite(v),
        // A literal over `f64`'s range (`inf` and `nan` are no literal: strings).
        Ok(v)
            if v.is_infinite()
                && t.trim_start_matches(['+', '-'])
                    .starts_with(|c: char| c.is_ascii_digit()) =>
        {
            Float::Refused
        }
        _ => Float::NotOne,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_typed_as_serde_saphyr_types_them() {
        let int = |n: i128| Some(Value::Int(n));
        let float = |f: f64| Some(Value::Float(f));
        let text = |s: &str| Some(Value::Str(s.to_owned()));
        for (t, v) in [
            ("~", Some(Value::Null)),
            ("TRUE", Some(Value::Bool(true))),
            ("yes", Some(Value::Bool(true))),
            ("n", Some(Value::Bool(false))),
            ("45104", int(45104)),
            ("-7", int(-7)),
            ("-0", int(0)),
            ("+1", int(1)),
            ("1_000", int(1000)),
            ("0x1F", int(31)),
            ("-0x10", int(-16)),
            ("0o17", int(15)),
            ("0b101", int(5)),
            ("012", float(12.0)),
            ("-012", float(-12.0)),
            ("18446744073709551616", float(18446744073709551616.0)),
            ("1.5", float(1.5)),
            (".5", float(0.5)),
            ("1e5", float(1e5)),
            ("inf", text("inf")),
            ("NaN", text("NaN")),
            ("1__0", text("1__0")),
            ("0x", text("0x")),
            ("10.0.0.0/24", text("10.0.0.0/24")),
            ("1e999", None),
            (".inf", None),
            ("-.NaN", None),
            ("<<", text("<<")),
            ("=", text("=")),
        ] {
            assert_eq!(typed(t), v, "{t}");
        }
    }
}
