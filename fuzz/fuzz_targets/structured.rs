//! Programs built from the grammar by the test suite's generator, with the fuzzer's
//! bytes as its choices, so that the fuzzer gets past the parser and the checker:
//! every such program is well typed and must compile, with the invariants of
//! `check_source` holding for it.
#![no_main]

use gearc_fuzz::generate::{self, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut choices = gearc_fuzz::FromBytes(arbitrary::Unstructured::new(data));
    let program = generate::program(
        &mut choices,
        Options {
            registrations: true,
        },
    );
    if let Err(diags) = gearc::compile(&program.source, "generated.gear") {
        let codes: Vec<String> = diags
            .iter()
            .map(|d| format!("{}: {d}", d.code_text()))
            .collect();
        panic!(
            "a generated program does not compile:\n{}\n{}",
            program.source,
            codes.join("\n")
        );
    }
    gearc_fuzz::invariants::check_source(&program.source);
});
