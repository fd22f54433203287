//! The property test of the program generator (`tests/support/generate`): every
//! generated program checks and compiles, its module keeps the fuzz invariants (every
//! string of the source is a string literal of the module: no text becomes code),
//! and real Python parses it under the 3.7 grammar. The batch covers every reader
//! usable with `run` and every operation.
//!
//! Knobs: `GEARC_GEN_SEED` (first seed, default 1) and `GEARC_GEN_COUNT` (default 400).

mod support;

#[path = "support/generate/mod.rs"]
mod generate;
#[path = "../fuzz/src/invariants.rs"]
mod invariants;
#[path = "../fuzz/src/python_tokens.rs"]
mod python_tokens;

use generate::{Options, Program};

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        })
        .unwrap_or(default)
}

fn batch() -> Vec<(u64, Program)> {
    let first = knob("GEARC_GEN_SEED", 1);
    let count = knob("GEARC_GEN_COUNT", 400);
    (first..first + count)
        .map(|seed| {
            let options = Options {
                registrations: seed.is_multiple_of(2),
            };
            (seed, generate::program_for_seed(seed, options))
        })
        .collect()
}

#[test]
fn generated_programs_compile_keep_the_invariants_and_parse_as_python37() {
    let mut failures = Vec::new();
    let mut modules = Vec::new();
    for (seed, program) in batch() {
        match gearc::compile(&program.source, "generated.gear") {
            Ok(compiled) => {
                let checked =
                    std::panic::catch_unwind(|| invariants::check_source(&program.source));
                if let Err(panic) = checked {
                    let why = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .unwrap_or_else(|| "a panic".into());
                    failures.push(format!("seed {seed}: {why}\n{}", program.source));
                }
                modules.push((seed, program.source, compiled.python));
            }
            Err(diags) => {
                let text: Vec<String> = diags
                    .iter()
                    .map(|d| format!("  {}: {d}", d.code_text()))
                    .collect();
                failures.push(format!(
                    "seed {seed} does not compile:\n{}\n{}",
                    program.source,
                    text.join("\n")
                ));
            }
        }
    }
    // Python parses a batch at once: modules one after another are one module that
    // parses exactly when each does. A failing batch is parsed module by module.
    for chunk in modules.chunks(50) {
        let joined: String = chunk.iter().map(|(_, _, py)| format!("{py}\n")).collect();
        if support::check_python37_syntax(&joined).is_ok() {
            continue;
        }
        for (seed, source, python) in chunk {
            if let Err(e) = support::check_python37_syntax(python) {
                failures.push(format!("seed {seed}: {e}\n{source}\n--- python\n{python}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the generated programs fail (GEARC_GEN_SEED/GEARC_GEN_COUNT reproduce a batch):\n\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

#[test]
fn the_batch_covers_every_run_reader_and_every_operation() {
    let sources: Vec<String> = batch().into_iter().map(|(_, p)| p.source).collect();
    let all = sources.join("\n");
    let stages = [
        "keys(",
        "keys_only(",
        "stream(",
        "python(",
        "shards",
        "| map(",
        "| flatmap(",
        "| filter(",
        "| foreach(",
        "| accumulate(",
        "| localgroupby(",
        "| groupby(",
        "| batchgroupby(",
        "| aggregate(",
        "| aggregateby(",
        "| repartition(",
        "| collect",
        "| limit(",
        "| sort",
        "| distinct",
        "| count",
        "| countby",
        "| avg",
        "run(desc",
        "register",
        "let ",
        "fn ",
        "python \"\"\"",
        "f\"",
        "|a, x|",
        "|k, a, x|",
        "add)",
        "mul",
        "max",
        "min",
        "from_id",
        "no_scan",
        "read_value = false",
        "per_shard",
        "\"nothing:*\"",
        "\"st:empty\"",
        "execute(\"SET\"",
        "\\\"",
        "\\n",
        "😀",
    ];
    let missing: Vec<&str> = stages
        .iter()
        .copied()
        .filter(|s| !all.contains(s))
        .collect();
    assert!(missing.is_empty(), "no generated program has {missing:?}");
}

#[test]
fn a_seed_always_gives_the_same_program() {
    let a = generate::program_for_seed(42, Options::default());
    let b = generate::program_for_seed(42, Options::default());
    assert_eq!(a.source, b.source);
    let c = generate::program_for_seed(43, Options::default());
    assert_ne!(a.source, c.source);
}

/// A step that fails for every record stops the run once the records that came from
/// the reader's current record are through, so after a `flatmap` of records in no
/// defined order (SCAN's, which differs between servers) the number of failed records
/// depends on which record came first: seed 10608 of the 14,000-program differential
/// (docs/fuzzing.md). The generator keeps its failing steps away from such a `flatmap`
/// until a step has gathered the records; this reads every program of that run's seeds
/// and follows the pipeline's stages to check it.
#[test]
fn no_failing_step_counts_records_of_an_undefined_order() {
    const FAILING: &[&str] = &[
        "map(1 // (len(str(it)) * 0))",
        "map(int(\"not a number\"))",
        "foreach(execute(\"NOSUCHCOMMAND\", \"x\"))",
        "filter(execute(\"INCR\", \"w:1\") > 0)",
    ];
    let mut failing_after_flatmap = 0;
    let mut offending = Vec::new();
    for seed in 1..=14_000 {
        let source = generate::program_for_seed(seed, Options::default()).source;
        // The run pipeline is the last item; its stages may stand on lines of their own.
        let lines: Vec<&str> = source.trim_end().lines().collect();
        let start = lines
            .iter()
            .rposition(|l| !l.starts_with("  | "))
            .expect("a pipeline");
        let run = lines[start..].join(" ");
        let run = run.replace("   | ", " | ");
        let (mut ordered, mut uneven, mut flatmapped) = (false, false, false);
        for stage in run.split(" | ").skip(1) {
            let op = stage.split('(').next().unwrap_or(stage);
            match op {
                "sort" | "aggregate" | "count" | "avg" => (ordered, uneven) = (true, false),
                "accumulate" | "groupby" | "localgroupby" | "batchgroupby" | "aggregateby"
                | "countby" | "distinct" => (ordered, uneven) = (false, false),
                "flatmap" => {
                    uneven |= !ordered;
                    flatmapped = true;
                }
                _ if FAILING.contains(&stage) => {
                    if uneven {
                        offending.push(format!("seed {seed}:\n{source}"));
                    } else if flatmapped {
                        failing_after_flatmap += 1;
                    }
                }
                _ => {}
            }
        }
    }
    assert!(
        offending.is_empty(),
        "{} programs fail a step after an uneven flatmap:\n\n{}",
        offending.len(),
        offending
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    // Failing steps after a `flatmap` are still made where the order is defined.
    assert!(
        failing_after_flatmap > 0,
        "no failing step after any flatmap"
    );
}
