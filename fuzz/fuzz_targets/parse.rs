//! Any bytes through the parser: it never panics, and a failure has an error. Bytes
//! that are not UTF-8 are read as the CLI reads them, lossily.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    if let Err(errors) = gearc::syntax::parse(&source) {
        assert!(!errors.is_empty());
        for e in &errors {
            let span = e.span();
            assert!(span.start <= span.end && span.end <= source.len());
        }
    }
});
