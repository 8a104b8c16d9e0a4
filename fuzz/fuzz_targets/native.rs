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
        let limits = ipsecgen::source::Limits::for_len(text.len());
        let whole = ipsecgen::source::parse_whole_within(text, limits);
        let same = |a: &Result<ipsecgen::tree::Node, ipsecgen::diag::Diagnostic>,
                    b: &Result<ipsecgen::tree::Node, ipsecgen::diag::Diagnostic>,
                    what: &str| match (a, b) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}: another tree"),
            (Err(a), Err(b)) => assert_eq!(
                (&a.code, &a.message, &a.label),
                (&b.code, &b.message, &b.label),
                "{what}: another refusal"
            ),
            (a, b) => panic!("{what}: {a:?} against {b:?}"),
        };
        // A fleet list read in runs gives the sequential answer (tree or refusal), or none.
        for parts in [2, 7, 40] {
            if let Some(read) = ipsecgen::source::split::read_in_parts_within(text, parts, limits) {
                same(&read, &whole, "the read in runs");
            }
        }
        // A refusal from the event reader's reading is serde-saphyr's.
        if whole.is_err() {
            same(
                &whole,
                &ipsecgen::source::parse_yaml_within(text, limits),
                "the one-pass refusal",
            );
        }
        // The event reader gives serde-saphyr's tree, or no answer.
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
