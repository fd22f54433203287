//! Any UTF-8 text through the whole compiler, checked by `invariants::check_source`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = std::str::from_utf8(data) {
        gearc_fuzz::invariants::check_source(source);
    }
});
