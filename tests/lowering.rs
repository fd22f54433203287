//! The lowering keeps meaning: Gear expressions, compiled and evaluated by the real
//! python3, give the values Gear's rules say (precedence, renaming, zeros).

mod support;

use std::path::Path;

use serde_json::{json, Value};

/// Compiles `lets` (a Gear file of `let` items), runs the module under python3 and
/// returns the JSON of the named constants.
fn evaluate(source: &str, names: &[&str]) -> Vec<Value> {
    let compiled = gearc::compile(source, "t.gear").unwrap_or_else(|d| {
        panic!(
            "{}",
            gearc::diagnostics::render(&d, "t.gear", source, gearc::diagnostics::Style::Plain)
        )
    });
    support::check_python37_syntax(&compiled.python).expect("Python 3.7 syntax");
    let mut program = compiled.python.clone();
    let list: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    program.push_str(&format!(
        "import json as _j\nprint(_j.dumps([{}]))\n",
        list.join(", ")
    ));
    let (ok, out) = support::run_python(Path::new("python3"), &["-"], &program);
    assert!(ok, "python3 failed:\n{out}\n---\n{program}");
    serde_json::from_str(out.trim()).expect("json")
}

#[test]
fn precedence_survives_lowering() {
    let cases: &[(&str, Value)] = &[
        ("1 + 2 * 3", json!(7)),
        ("(1 + 2) * 3", json!(9)),
        ("-2 ** 2", json!(-4)),
        ("(-2) ** 2", json!(4)),
        ("2 ** 3 ** 2", json!(512)),
        ("(2 ** 3) ** 2", json!(64)),
        ("10 - 3 - 2", json!(5)),
        ("10 - (3 - 2)", json!(9)),
        ("7 // 2 * 2", json!(6)),
        ("7 % 4 + 1", json!(4)),
        ("1 / 2", json!(0.5)),
        ("not true and false", json!(false)),
        ("not (true and false)", json!(true)),
        ("true or false and false", json!(true)),
        ("(true or false) and false", json!(false)),
        ("(1 < 2) == true", json!(true)),
        ("1 < 2 == true", json!(true)),
        ("\"a\" in [\"a\"] and 3 not in [1, 2]", json!(true)),
        (
            "if 1 > 2 then \"x\" else if 2 > 1 then \"y\" else \"z\"",
            json!("y"),
        ),
        ("(if true then 1 else 2) + 10", json!(11)),
        ("[1, 2, 3][1:][0]", json!(2)),
        ("{\"a\": [1, 2]}.a[1]", json!(2)),
        ("\"a-b-c\".split(\"-\")[-1]", json!("c")),
        ("f\"{1 + 1}{{}}{\"q\"}\"", json!("2{}q")),
        ("sorted([3, 1, 2], reverse = true)", json!([3, 2, 1])),
        ("range(3)", json!([0, 1, 2])),
        (
            "pairs({\"a\": \"1\", \"b\": \"2\"})",
            json!(["a", "1", "b", "2"]),
        ),
        ("{\"x\": 1}.keys()", json!(["x"])),
        ("min(3, 1, 2) + max([4, 5])", json!(6)),
        ("round(2.567, 1)", json!(2.6)),
        ("json({\"k\": [1]})", json!("{\"k\": [1]}")),
        ("parse_json(\"[1, 2]\")[1]", json!(2)),
        ("-9223372036854775808", json!(i64::MIN)),
        ("-9_223_372_036_854_775_808 + 1", json!(i64::MIN + 1)),
        ("(-9223372036854775808) ** 2 > 0", json!(true)),
        ("-(-9223372036854775808) > 0", json!(true)),
        ("[-9223372036854775808][0] < 0", json!(true)),
    ];
    let mut source = String::new();
    let mut names = Vec::new();
    for (i, (expr, _)) in cases.iter().enumerate() {
        source.push_str(&format!("let V{i} = {expr}\n"));
        names.push(format!("V{i}"));
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let values = evaluate(&source, &names);
    for (i, (expr, expected)) in cases.iter().enumerate() {
        assert_eq!(&values[i], expected, "{expr}");
    }
}

#[test]
fn colliding_names_are_renamed() {
    let source = r#"
let class = 1
let json = 2
let GB = 3
fn int(x) = x * 10
fn lambda(list, str) = list + str
let acc = 100
let Y = class + json + GB + int(3) + lambda(1, 2) + acc
"#;
    let values = evaluate(source, &["Y"]);
    assert_eq!(values, vec![json!(1 + 2 + 3 + 30 + 3 + 100)]);
}

#[test]
fn lambda_parameters_do_not_capture_globals() {
    let source = r#"
let a = 5
fn f(a) = a + 1
let Y = f(a) + (|a| a * 2)(3)
"#;
    assert_eq!(evaluate(source, &["Y"]), vec![json!(6 + 6)]);
}

#[test]
fn output_has_one_operation_per_line_with_its_location() {
    let source = "keys(\"*-fighter\")\n  | map(int(value))\n  | aggregate(0, add)\n  | run\n";
    let compiled = gearc::compile(source, "f.gear").expect("compiles");
    let lines: Vec<&str> = compiled.python.lines().collect();
    let map_line = lines
        .iter()
        .position(|l| l.contains(".map(lambda it: int("))
        .expect("map line")
        + 1;
    assert!(
        lines[map_line - 1].ends_with("# f.gear:2:5"),
        "{}",
        lines[map_line - 1]
    );
    let span = compiled.line_map.span(map_line).expect("mapped");
    assert_eq!(&source[span.start..span.end], "map(int(value))");
}

#[test]
fn reducers_start_from_the_zero_only_for_none() {
    let compiled = gearc::compile(
        "keys_only | map(len(it)) | aggregate(1, mul) | run",
        "m.gear",
    )
    .expect("compiles");
    assert!(
        compiled.python.contains("(1 if acc is None else acc) * it"),
        "{}",
        compiled.python
    );
    assert!(
        !compiled.python.contains("if acc else"),
        "{}",
        compiled.python
    );
}
