//! Bad input gets diagnostics, never a panic: every prefix and every one-character
//! deletion of every corpus file goes through the whole compiler (parse, check, lower).

mod support;

use std::fs;

fn corpus() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["examples", "tests/errors"] {
        for entry in fs::read_dir(support::root().join(dir)).expect("corpus dir") {
            files.push(fs::read_to_string(entry.expect("entry").path()).expect("text"));
        }
    }
    files
}

fn compile_quietly(source: &str) {
    match gearc::compile(source, "mutant.gear") {
        Ok(c) => assert!(!c.python.is_empty()),
        Err(diags) => assert!(!diags.is_empty(), "a failure always says why: {source:?}"),
    }
}

#[test]
fn prefixes_and_deletions_never_panic() {
    for source in corpus() {
        let bounds: Vec<usize> = source
            .char_indices()
            .map(|(i, _)| i)
            .chain([source.len()])
            .collect();
        for &end in &bounds {
            compile_quietly(&source[..end]);
        }
        for pair in bounds.windows(2) {
            let mutant = format!("{}{}", &source[..pair[0]], &source[pair[1]..]);
            compile_quietly(&mutant);
        }
    }
}

#[test]
fn successful_mutants_are_valid_python() {
    // A sample: every 23rd deletion that still compiles must give Python 3.7 can parse.
    // Files with a `python """` block are left out: its text is verbatim, unchecked Python.
    let mut checked = 0;
    for source in corpus().into_iter().filter(|s| !s.contains("\"\"\"")) {
        let bounds: Vec<usize> = source.char_indices().map(|(i, _)| i).collect();
        for pair in bounds.windows(2).step_by(23) {
            let mutant = format!("{}{}", &source[..pair[0]], &source[pair[1]..]);
            if let Ok(c) = gearc::compile(&mutant, "mutant.gear") {
                support::check_python37_syntax(&c.python)
                    .unwrap_or_else(|e| panic!("{mutant}\n{e}"));
                checked += 1;
            }
        }
    }
    assert!(checked > 15, "only {checked} mutants compiled");
}
