//! Shared by the fuzz targets: the invariants every compiler input must keep, a
//! tokenizer that checks the Python output without CPython, and the program
//! generator of the test suite driven by the fuzzer's bytes.

pub mod invariants;
pub mod python_tokens;

/// The test suite's generator of well-typed programs (`tests/support/generate`).
#[path = "../../tests/support/generate/mod.rs"]
pub mod generate;

/// The fuzzer's bytes as the generator's choices: each choice reads a number in
/// range; when the bytes run out every choice is 0, the simplest option.
pub struct FromBytes<'a>(pub arbitrary::Unstructured<'a>);

impl generate::Choices for FromBytes<'_> {
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.0.int_in_range(0..=n - 1).unwrap_or(0)
    }
}
