//! Invisible characters: Unicode's format characters (general category Cf: bidi controls such
//! as U+202E, zero-width characters such as U+200B, the BOM...) and the line and paragraph
//! separators. In a name they make text read differently than it is (a "Trojan Source" name in
//! a config comment or a report), so names reject them.

/// Every code point of general category Cf (Unicode 15.1), as inclusive ranges.
const FORMAT: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// A format character (Cf), U+2028 / U+2029 (line and paragraph separator) or U+0085 (NEL).
pub fn is_invisible(c: char) -> bool {
    let n = u32::from(c);
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}')
        || FORMAT.iter().any(|&(lo, hi)| (lo..=hi).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::is_invisible;

    #[test]
    fn bidi_zero_width_and_separators_are_invisible() {
        for c in [
            '\u{202E}',
            '\u{202A}',
            '\u{2066}',
            '\u{2069}',
            '\u{200B}',
            '\u{200D}',
            '\u{200E}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{2028}',
            '\u{2029}',
            '\u{85}',
            '\u{E0041}',
            '\u{061C}',
        ] {
            assert!(is_invisible(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            'a', 'é', 'Ж', '中', '-', ' ', '\u{2010}', '\u{2070}', '\u{FFFC}',
        ] {
            assert!(!is_invisible(c), "U+{:04X}", u32::from(c));
        }
    }
}
