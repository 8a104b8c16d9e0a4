#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // A fleet list parsed in parts must give the sequential tree, or no answer.
    if let Ok(text) = std::str::from_utf8(data) {
        for parts in [2, 5] {
            if let Some(split) = ipsecgen::source::split::parse_in_parts(text, parts) {
                assert_eq!(
                    Some(split),
                    ipsecgen::source::parse_whole(text).ok(),
                    "the split parse differs"
                );
            }
        }
    }
    ipsecgen_fuzz::pipeline(data, ipsecgen::dialect::Dialect::Native);
});
