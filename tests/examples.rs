//! Every file in `examples/` compiles; its Python is snapshotted (with the source)
//! and accepted by Python 3.7's grammar.

mod support;

use std::fs;

#[test]
fn examples_compile_to_reviewed_python() {
    let _guard = support::corpus_snapshot_settings().bind_to_scope();
    insta::glob!("../examples", "*.gear", |path| {
        let source = fs::read_to_string(path).expect("example");
        let name = format!("examples/{}", path.file_name().unwrap().to_string_lossy());
        let compiled = gearc::compile(&source, &name).unwrap_or_else(|d| {
            panic!(
                "{name} does not compile:\n{}",
                gearc::diagnostics::render(&d, &name, &source, gearc::diagnostics::Style::Plain)
            )
        });
        assert!(
            compiled.warnings.is_empty(),
            "{name} has warnings: {:?}",
            compiled.warnings
        );
        support::check_python37_syntax(&compiled.python).unwrap_or_else(|e| panic!("{name}: {e}"));
        insta::with_settings!({ description => source.clone(), omit_expression => true }, {
            insta::assert_snapshot!("python", compiled.python);
        });
    });
}

#[test]
fn compiling_is_deterministic() {
    for entry in fs::read_dir(support::root().join("examples")).expect("examples") {
        let path = entry.expect("entry").path();
        let source = fs::read_to_string(&path).expect("example");
        let a = gearc::compile(&source, "x.gear").expect("compiles").python;
        let b = gearc::compile(&source, "x.gear").expect("compiles").python;
        assert_eq!(a, b, "{}", path.display());
    }
}
