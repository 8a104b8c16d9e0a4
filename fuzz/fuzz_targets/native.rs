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
        // The event reader gives serde-saphyr's tree, or no answer.
        let limits = ipsecgen::source::Limits::for_len(text.len());
        if let Some(read) = ipsecgen::source::event_tree::parse(text, limits) {
            assert_eq!(
                Some(read),
                ipsecgen::source::parse_yaml_within(text, limits).ok(),
                "the event reader differs"
            );
        }
    }
    ipsecgen_fuzz::pipeline(data, ipsecgen::dialect::Dialect::Native);
});
