//! Every file in `tests/errors/` is rejected (or, for `warn_*`, accepted with
//! warnings), and its rendered diagnostics are snapshotted for review.

mod support;

use std::fs;

use gearc::diagnostics::{render, Style};

#[test]
fn error_corpus_renders_reviewed_diagnostics() {
    let _guard = support::corpus_snapshot_settings().bind_to_scope();
    insta::glob!("errors", "*.gear", |path| {
        let source = fs::read_to_string(path).expect("corpus file");
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let diagnostics = match gearc::compile(&source, &file) {
            Ok(compiled) => {
                assert!(file.starts_with("warn_"), "{file} compiled without errors");
                assert!(!compiled.warnings.is_empty(), "{file} has no warning");
                compiled.warnings
            }
            Err(diags) => {
                assert!(
                    !file.starts_with("warn_"),
                    "{file} should only warn: {diags:?}"
                );
                assert!(diags.iter().any(|d| !d.is_warning()));
                diags
            }
        };
        for d in &diagnostics {
            assert!(
                miette::Diagnostic::help(d).is_some(),
                "{file}: {} has no help: {d}",
                d.code_text()
            );
        }
        let rendered = render(&diagnostics, &file, &source, Style::Plain);
        insta::with_settings!({ description => source.clone(), omit_expression => true }, {
            insta::assert_snapshot!("diagnostics", rendered);
        });
    });
}

/// Each variant of `CheckError` as written in its source: the variant's name, its code
/// (`gearc::check::…`) and whether it declares a help (a `help(…)` text or a `#[help]`
/// field). Read from the source so that a new variant is covered without editing a list.
fn check_error_variants() -> Vec<(String, String, bool)> {
    let text = fs::read_to_string(support::root().join("src/check/error.rs")).unwrap();
    let start = text.find("pub enum CheckError {").expect("the enum");
    let end = start + text[start..].find("\n}\n").expect("its end");
    let body = &text[start..end];
    let mut out = Vec::new();
    for chunk in body.split("    #[error(").skip(1) {
        let code = chunk
            .split("code(")
            .nth(1)
            .and_then(|c| c.split(')').next())
            .unwrap_or_else(|| panic!("a variant without a code: {chunk}"));
        let name = chunk
            .lines()
            .find(|l| {
                l.starts_with("    ")
                    && !l.starts_with("     ")
                    && !l.trim().starts_with('#')
                    && l.trim_end().ends_with('{')
            })
            .map(|l| l.trim().trim_end_matches('{').trim().to_string())
            .unwrap_or_else(|| panic!("a variant without a name: {chunk}"));
        let has_help = chunk.contains("help(") || chunk.contains("#[help]");
        out.push((name, code.trim().to_string(), has_help));
    }
    out
}

/// The codes every corpus file reports, by file name.
fn corpus_codes() -> Vec<(String, Vec<String>)> {
    let dir = support::root().join("tests/errors");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "gear") {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let source = fs::read_to_string(&path).unwrap();
        let diags = match gearc::compile(&source, &file) {
            Ok(c) => c.warnings,
            Err(d) => d,
        };
        out.push((file, diags.iter().map(|d| d.code_text()).collect()));
    }
    out.sort();
    out
}

#[test]
fn every_check_error_has_its_own_code_and_a_help() {
    let variants = check_error_variants();
    assert!(variants.len() > 40, "the scan found only {variants:?}");
    let mut seen = std::collections::BTreeMap::new();
    for (name, code, has_help) in &variants {
        assert!(
            code.starts_with("gearc::check::"),
            "{name}: the code {code} is not a check code"
        );
        if let Some(other) = seen.insert(code.clone(), name.clone()) {
            panic!("{name} and {other} share the code {code}: give each mistake its own");
        }
        assert!(*has_help, "{name} ({code}) has no help: say how to fix it");
    }
}

#[test]
fn every_check_code_has_an_error_corpus_case() {
    let reported: std::collections::BTreeSet<String> =
        corpus_codes().into_iter().flat_map(|(_, c)| c).collect();
    let missing: Vec<String> = check_error_variants()
        .into_iter()
        .map(|(_, code, _)| code)
        .filter(|code| !reported.contains(code))
        .collect();
    assert!(
        missing.is_empty(),
        "add a file to tests/errors/ that triggers each of: {missing:?}"
    );
}

#[test]
fn a_corpus_file_named_after_a_code_reports_that_code() {
    // `unknown_field.gear` and `warn_shard_local.gear` are about their code, not only
    // near it: the file name is the claim, the diagnostics must bear it out.
    let codes: Vec<String> = check_error_variants()
        .into_iter()
        .map(|(_, c, _)| c)
        .collect();
    let mut named = 0;
    for (file, reported) in corpus_codes() {
        let kind = file.trim_end_matches(".gear").trim_start_matches("warn_");
        let code = format!("gearc::check::{kind}");
        if codes.contains(&code) {
            named += 1;
            assert!(
                reported.contains(&code),
                "{file}: expected {code}, got {reported:?}"
            );
        }
    }
    assert!(
        named > 30,
        "only {named} corpus files are named after a code"
    );
}

#[test]
fn several_errors_are_all_reported() {
    let source =
        fs::read_to_string(support::root().join("tests/errors/several_errors.gear")).expect("file");
    let diags = gearc::compile(&source, "several_errors.gear").expect_err("has errors");
    assert!(diags.len() >= 3, "{diags:?}");
}

#[test]
fn a_line_without_its_pipe_is_checked_as_part_of_the_pipeline_above() {
    // The glued pipeline is checked whole: the reducer sees `map(key)`'s `str`
    // records, and nothing is reported about a missing terminal or an unknown reader.
    let source = "keys\n  map(key)\n  | aggregate(0, add) | run\n";
    let diags = gearc::compile(source, "t.gear").expect_err("has errors");
    let codes: Vec<String> = diags.iter().map(|d| d.code_text()).collect();
    assert_eq!(
        codes,
        ["gearc::check::missing_pipe", "gearc::check::reducer_type"]
    );
}

#[test]
fn shard_local_steps_merged_by_a_later_step_are_not_warned_about() {
    // Each shard's partial result folded together later is the documented way to
    // work on spread records (language.md section 4), not a mistake.
    for source in [
        "keys | localgroupby(key[:1], 0, |k, a, r| a + 1) | repartition(key) | groupby(key, 0, |k, a, r| a + r[\"value\"]) | run",
        "keys | map(1) | accumulate(0, add) | collect | accumulate(0, add) | run",
        "keys | map(1) | accumulate(0, add) | aggregate(0, add) | run",
        "keys | map(key) | limit(10) | collect | limit(10) | run",
        "keys | map(key) | limit(10) | collect | map(it.upper()) | limit(10) | run",
    ] {
        let compiled = gearc::compile(source, "t.gear").expect("compiles");
        let codes: Vec<String> = compiled.warnings.iter().map(|d| d.code_text()).collect();
        assert!(codes.is_empty(), "{source}: {codes:?}");
    }
    // Without the merging step they are.
    for source in [
        "keys | localgroupby(key[:1], 0, |k, a, r| a + 1) | run",
        "keys | map(1) | accumulate(0, add) | collect | run",
        "keys | map(key) | limit(10) | localgroupby(it, 0, |k, a, r| a) | run",
    ] {
        let compiled = gearc::compile(source, "t.gear").expect("compiles");
        let codes: Vec<String> = compiled.warnings.iter().map(|d| d.code_text()).collect();
        assert!(
            codes.iter().any(|c| c == "gearc::check::shard_local"),
            "{source}: {codes:?}"
        );
    }
}

#[test]
fn diagnostics_are_drawn_by_one_renderer() {
    // Compile errors, run errors, server errors and the tests all go through
    // `gearc::diagnostics::render_one`, so they look alike and wrap at one width.
    let root = support::root();
    let mut setups = Vec::new();
    for dir in ["src", "tests"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = fs::read_to_string(&path).unwrap();
                    // Spelled in two halves so that this file does not count itself.
                    if text.contains(concat!("GraphicalReport", "Handler")) {
                        setups.push(path.strip_prefix(&root).unwrap().display().to_string());
                    }
                }
            }
        }
    }
    assert_eq!(setups, ["src/diagnostics.rs"]);
}
