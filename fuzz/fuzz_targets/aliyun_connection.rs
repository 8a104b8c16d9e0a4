#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ipsecgen_fuzz::pipeline(data, ipsecgen::dialect::Dialect::AliyunConnection);
});
