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
        let rendered = render(&diagnostics, &file, &source, Style::Plain);
        insta::with_settings!({ description => source.clone(), omit_expression => true }, {
            insta::assert_snapshot!("diagnostics", rendered);
        });
    });
}

#[test]
fn diagnostic_codes_are_distinct_per_kind() {
    // Each corpus file named after its error kind reports that code first.
    let cases = [
        ("unknown_reader", "gearc::check::unknown_reader"),
        ("unknown_operation", "gearc::check::unknown_operation"),
        ("unknown_function", "gearc::check::unknown_name"),
        ("unknown_field", "gearc::check::unknown_field"),
        ("unknown_method", "gearc::check::unknown_method"),
        ("unknown_argument", "gearc::check::unknown_argument"),
        ("argument_count", "gearc::check::argument_count"),
        ("argument_type", "gearc::check::argument_type"),
        ("lambda_arity", "gearc::check::lambda_arity"),
        ("operator_type", "gearc::check::operator_type"),
        ("reducer_type", "gearc::check::reducer_type"),
        ("sort_records", "gearc::check::record_type"),
        ("distinct_records", "gearc::check::record_type"),
        ("read_value_false", "gearc::check::unknown_field"),
        ("keys_only_field", "gearc::check::unknown_name"),
        ("command_run", "gearc::check::unsupported_terminal"),
        ("keys_only_register", "gearc::check::unsupported_terminal"),
        (
            "event_types_with_run",
            "gearc::check::argument_not_for_terminal",
        ),
        ("invalid_mode", "gearc::check::invalid_value"),
        ("invalid_key_type", "gearc::check::invalid_value"),
        ("missing_terminal", "gearc::check::missing_terminal"),
        ("missing_pipe", "gearc::check::missing_pipe"),
        ("second_run", "gearc::check::second_run"),
        ("duplicate_name", "gearc::check::duplicate_name"),
        ("register_glob", "gearc::check::register_pattern"),
        ("stream_run_glob", "gearc::check::stream_run_pattern"),
        ("defined_later", "gearc::check::defined_later"),
        ("not_a_literal", "gearc::check::invalid_use"),
        ("unknown_event", "gearc::check::unknown_event"),
        ("warn_exact_key_pattern", "gearc::check::exact_key_pattern"),
        (
            "warn_key_types_never_match",
            "gearc::check::key_types_never_match",
        ),
        (
            "warn_registration_retriggers",
            "gearc::check::registration_retriggers",
        ),
        ("warn_shard_local", "gearc::check::shard_local"),
        ("warn_event_never_fires", "gearc::check::event_never_fires"),
        ("warn_bare_hashtag", "gearc::check::bare_hashtag"),
        (
            "warn_run_beside_register",
            "gearc::check::run_beside_register",
        ),
    ];
    for (file, code) in cases {
        let path = support::root()
            .join("tests/errors")
            .join(format!("{file}.gear"));
        let source = fs::read_to_string(&path).expect("corpus file");
        let diags = match gearc::compile(&source, file) {
            Ok(c) => c.warnings,
            Err(d) => d,
        };
        let codes: Vec<String> = diags.iter().map(|d| d.code_text()).collect();
        assert!(
            codes.iter().any(|c| c == code),
            "{file}: expected {code}, got {codes:?}"
        );
    }
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
