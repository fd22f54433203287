//! The parser: source text → AST, with spans into the source.

mod ast_print;

use ast_print::{expr, expr_spans, items, parse_ok, text};
use gearc::syntax::ast::{Arg, ExprKind, ItemKind, TerminalKind};
use insta::assert_snapshot;

// ------------------------------------------------------------ precedence

#[test]
fn each_binary_operator() {
    let all = [
        "a or b",
        "a and b",
        "a == b",
        "a != b",
        "a < b",
        "a <= b",
        "a > b",
        "a >= b",
        "a in b",
        "a not in b",
        "a + b",
        "a - b",
        "a * b",
        "a / b",
        "a // b",
        "a % b",
        "a ** b",
    ];
    let shown: Vec<String> = all.iter().map(|src| expr(src)).collect();
    assert_snapshot!(shown.join("\n"), @"
    (or a b)
    (and a b)
    (== a b)
    (!= a b)
    (< a b)
    (<= a b)
    (> a b)
    (>= a b)
    (in a b)
    (not in a b)
    (+ a b)
    (- a b)
    (* a b)
    (/ a b)
    (// a b)
    (% a b)
    (** a b)
    ");
}

#[test]
fn unary_operators() {
    assert_snapshot!(expr("-7"), @"(neg 7)");
    assert_snapshot!(expr("not a"), @"(not a)");
    assert_snapshot!(expr("- -a"), @"(neg (neg a))");
    assert_snapshot!(expr("not not a"), @"(not (not a))");
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_snapshot!(expr("1 + 2 * 3"), @"(+ 1 (* 2 3))");
    assert_snapshot!(expr("1 * 2 + 3"), @"(+ (* 1 2) 3)");
    assert_snapshot!(expr("a - b - c"), @"(- (- a b) c)");
    assert_snapshot!(expr("a / b // c % d"), @"(% (// (/ a b) c) d)");
}

#[test]
fn power_is_right_associative_and_above_unary_minus() {
    assert_snapshot!(expr("2 ** 3 ** 2"), @"(** 2 (** 3 2))");
    assert_snapshot!(expr("-2 ** 2"), @"(neg (** 2 2))");
    assert_snapshot!(expr("2 ** -1"), @"(** 2 (neg 1))");
    assert_snapshot!(expr("-a * b"), @"(* (neg a) b)");
}

#[test]
fn comparisons_are_left_associative_below_arithmetic() {
    assert_snapshot!(expr("a < b < c"), @"(< (< a b) c)");
    assert_snapshot!(expr("a + 1 == b * 2"), @"(== (+ a 1) (* b 2))");
    assert_snapshot!(expr("x in xs == true"), @"(== (in x xs) true)");
}

#[test]
fn not_is_below_comparisons() {
    assert_snapshot!(expr("not a in b"), @"(not (in a b))");
    assert_snapshot!(expr("not a == b and c"), @"(and (not (== a b)) c)");
    assert_snapshot!(expr("x not in y"), @"(not in x y)");
    assert_snapshot!(expr("not x not in y"), @"(not (not in x y))");
}

#[test]
fn and_binds_tighter_than_or() {
    assert_snapshot!(expr("a or b and c"), @"(or a (and b c))");
    assert_snapshot!(expr("a and b or c"), @"(or (and a b) c)");
}

#[test]
fn if_is_below_or_and_nests_in_its_branches() {
    assert_snapshot!(expr("if a then b else c or d"), @"(if a b (or c d))");
    assert_snapshot!(expr("if a or b then 1 else 2"), @"(if (or a b) 1 2)");
    assert_snapshot!(expr("if a then if b then 1 else 2 else 3"), @"(if a (if b 1 2) 3)");
    assert_snapshot!(expr("1 + (if a then 1 else 2)"), @"(+ 1 (if a 1 2))");
}

#[test]
fn lambda_is_lowest_and_its_body_extends_right() {
    assert_snapshot!(expr("|acc, r| acc + r"), @"(lambda [acc r] (+ acc r))");
    assert_snapshot!(expr("|| 1"), @"(lambda [] 1)");
    assert_snapshot!(expr("|x| if x then 1 else 2"), @"(lambda [x] (if x 1 2))");
    assert_snapshot!(expr("|a| |b| a or b"), @"(lambda [a] (lambda [b] (or a b)))");
    assert_snapshot!(expr("|a, b,| a"), @"(lambda [a b] a)");
}

#[test]
fn keywords_may_start_names() {
    assert_snapshot!(expr("iterate + notes + running + inside + itself + lets + fnord"), @"(+ (+ (+ (+ (+ (+ iterate notes) running) inside) itself) lets) fnord)");
    assert_snapshot!(expr("[it, true, false, none]"), @"[it true false none]");
    assert_snapshot!(expr("a in inside"), @"(in a inside)");
    assert_snapshot!(expr("a not in notes"), @"(not in a notes)");
}

// ---------------------------------------------------------------- postfix

#[test]
fn postfix_chains() {
    assert_snapshot!(expr("a.b(c)[0][1:2].d"), @"(. (slice (index (.b a c) 0) 1 2) d)");
    assert_snapshot!(expr("f(x)(y)"), @"(call (call f x) y)");
    assert_snapshot!(expr("x[:]"), @"(slice x _ _)");
    assert_snapshot!(expr("x[1:]"), @"(slice x 1 _)");
    assert_snapshot!(expr("x[:-1]"), @"(slice x _ (neg 1))");
    assert_snapshot!(expr("-a.b ** c[0]"), @"(neg (** (. a b) (index c 0)))");
    assert_snapshot!(expr("\"a,b\".split(\",\")"), @r#"(.split "a,b" ",")"#);
}

#[test]
fn postfix_chain_spans() {
    let src = "let x = a.b(c)[0][1:2].d";
    let module = parse_ok(src);
    let ItemKind::Let { value, .. } = &module.items[0].kind else {
        panic!("not a let");
    };
    assert_snapshot!(expr_spans(src, value), @r#"
    field "a.b(c)[0][1:2].d" name "d"
      slice "a.b(c)[0][1:2]"
        index "a.b(c)[0]"
          method "a.b(c)" name "b"
            name "a"
            name "c"
          int "0"
        int "1"
        int "2"
    "#);
}

#[test]
fn operator_spans() {
    let src = "let x = -(a + b) * c not in d";
    let module = parse_ok(src);
    let ItemKind::Let { value, .. } = &module.items[0].kind else {
        panic!("not a let");
    };
    assert_snapshot!(expr_spans(src, value), @r#"
    binary "-(a + b) * c not in d" op "not in"
      binary "-(a + b) * c" op "*"
        unary "-(a + b)" op "-"
          binary "(a + b)" op "+"
            name "a"
            name "b"
        name "c"
      name "d"
    "#);
}

// --------------------------------------------------------------- literals

#[test]
fn numbers() {
    assert_snapshot!(expr("[42, 1_000_000, 0, 3.14, 1e-3, 2.5e10, 1E+2, 9223372036854775807]"), @"[42 1000000 0 3.14 0.001 25000000000.0 100.0 9223372036854775807]");
}

#[test]
fn the_smallest_integer_is_one_literal() {
    // 9223372036854775808 alone does not fit; under a minus it is i64::MIN.
    assert_snapshot!(expr("[-9223372036854775808, --9223372036854775808, -1]"), @"[-9223372036854775808 (neg -9223372036854775808) (neg 1)]");
}

#[test]
fn strings_and_every_escape() {
    assert_snapshot!(expr(r#""plain""#), @r#""plain""#);
    assert_snapshot!(expr(r#""\\ \" \n \r \t \0 \u{1F600} \u{e9}""#), @r#""\\ \" \n \r \t \0 😀 é""#);
    assert_snapshot!(expr(r##""# not a comment""##), @r##""# not a comment""##);
    assert_snapshot!(expr(r#""é 漢字 '' {}""#), @r#""é 漢字 '' {}""#);
    assert_snapshot!(expr(r#""""#), @r#""""#);
}

#[test]
fn lists_and_dicts() {
    assert_snapshot!(expr("[]"), @"[]");
    assert_snapshot!(expr("{}"), @"{}");
    assert_snapshot!(expr("[1, [2, 3],]"), @"[1 [2 3]]");
    assert_snapshot!(expr(r#"{"k": v, "n": {"m": [1]},}"#), @r#"{"k": v, "n": {"m": [1]}}"#);
}

#[test]
fn f_strings() {
    assert_snapshot!(expr(r#"f"a{b}c""#), @r#"(f "a" {b} "c")"#);
    assert_snapshot!(expr(r#"f"expired:{hashtag()}""#), @r#"(f "expired:" {(call hashtag)})"#);
    assert_snapshot!(expr(r#"f"{{literal}} {x} }}{{""#), @r#"(f "{literal} " {x} " }{")"#);
    assert_snapshot!(expr(r#"f"{d.get("k", "none")} and {f"inner {x}"}""#), @r#"(f {(.get d "k" "none")} " and " {(f "inner " {x})})"#);
    assert_snapshot!(expr(r#"f"{ a + 1 }\n\u{41}""#), @r#"(f {(+ a 1)} "\nA")"#);
    assert_snapshot!(expr(r#"f"""#), @"(f)");
    assert_snapshot!(expr(r#"f"{x}{y}""#), @"(f {x} {y})");
}

#[test]
fn f_string_spans() {
    let src = r#"let x = f"a{b.c(1)}d{{""#;
    let module = parse_ok(src);
    let ItemKind::Let { value, .. } = &module.items[0].kind else {
        panic!("not a let");
    };
    assert_snapshot!(expr_spans(src, value), @r#"
    fstr "f\"a{b.c(1)}d{{\""
      method "b.c(1)" name "c"
        name "b"
        int "1"
    "#);
}

// ------------------------------------------------------------------ items

#[test]
fn let_and_fn_items() {
    assert_snapshot!(items("let LIMIT = 100\nfn zero() = 0\nfn double(x) = x * 2\nfn add3(a, b, c,) = a + b + c"), @"
    let LIMIT = 100
    fn zero() = 0
    fn double(x) = (* x 2)
    fn add3(a, b, c) = (+ (+ a b) c)
    ");
}

#[test]
fn requirements() {
    assert_snapshot!(items(r#"requirements "requests""#), @r#"requirements "requests""#);
    assert_snapshot!(items(r#"requirements "requests", "numpy==1.26","#), @r#"requirements "requests", "numpy==1.26""#);
}

#[test]
fn python_block_is_kept_byte_exact() {
    let src = "python \"\"\"\n    def f(x):  # a comment\n\treturn 'x' \\\n\n\"\"\"\n";
    let module = parse_ok(src);
    let ItemKind::Python { code, code_span } = &module.items[0].kind else {
        panic!("not a python block");
    };
    assert_eq!(code, "\n    def f(x):  # a comment\n\treturn 'x' \\\n\n");
    assert_eq!(text(src, *code_span), code);
    assert_eq!(text(src, module.items[0].span), src.trim_end());
}

#[test]
fn python_block_ends_at_the_first_triple_quote() {
    let src = "python \"\"\"a = 1\"\"\"\nlet b = 2";
    assert_snapshot!(items(src), @r#"
    python "a = 1"
    let b = 2
    "#);
    assert_snapshot!(items("python\"\"\"\"\"\""), @r#"python """#);
}

#[test]
fn pipelines() {
    assert_snapshot!(items("keys | count | run"), @"keys | count | run");
    assert_snapshot!(items("keys() | count() | run()"), @"keys | count | run");
    assert_snapshot!(items(r#"keys("*") | register(mode = "sync", desc = "d",)"#), @r#"keys("*") | register(mode="sync", desc="d")"#);
    assert_snapshot!(items("keys(read_value = false) | map(value)"), @"keys(read_value=false) | map(value) | <no terminal>");
    assert_snapshot!(items(r#"python(gen) | run"#), @"python(gen) | run");
}

#[test]
fn arguments_positional_named_and_spread() {
    assert_snapshot!(items(r#"stream("s") | foreach(execute("HSET", id, ...pairs(value))) | register"#), @r#"stream("s") | foreach((call execute "HSET" id ...(call pairs value))) | register"#);
    assert_snapshot!(items("keys | map(f(a, b = 1, ...c, d,)) | run"), @"keys | map((call f a b=1 ...c d)) | run");
    assert_snapshot!(items("keys | map(a == b) | run"), @"keys | map((== a b)) | run");
}

#[test]
fn pipeline_spans() {
    let src = "keys(\"x\")  |  map(it) | register(mode = \"sync\")  # done";
    let module = parse_ok(src);
    let ItemKind::Pipeline(p) = &module.items[0].kind else {
        panic!("not a pipeline");
    };
    let terminal = p.terminal.as_ref().expect("terminal");
    let shown = [
        ("item", module.items[0].span),
        ("pipeline", p.span),
        ("reader", p.reader.span),
        ("reader name", p.reader.name.span),
        ("op", p.ops[0].span),
        ("terminal", terminal.span),
        ("keyword", terminal.keyword_span),
        ("named arg", terminal.args[0].span()),
    ];
    let shown: Vec<String> = shown
        .iter()
        .map(|(what, span)| format!("{what}: {}", text(src, *span)))
        .collect();
    assert_snapshot!(shown.join("\n"), @r#"
    item: keys("x")  |  map(it) | register(mode = "sync")
    pipeline: keys("x")  |  map(it) | register(mode = "sync")
    reader: keys("x")
    reader name: keys
    op: map(it)
    terminal: register(mode = "sync")
    keyword: register
    named arg: mode = "sync"
    "#);
}

#[test]
fn item_spans() {
    let src = "  let X = 1 + 2   # c\nfn f(a) = a\nrequirements \"r\"\n";
    let module = parse_ok(src);
    let spans: Vec<&str> = module.items.iter().map(|i| text(src, i.span)).collect();
    assert_snapshot!(format!("{spans:?}"), @r#"["let X = 1 + 2", "fn f(a) = a", "requirements \"r\""]"#);
}

#[test]
fn spread_span_covers_the_dots() {
    let src = "keys | map(f(...xs)) | run";
    let module = parse_ok(src);
    let ItemKind::Pipeline(p) = &module.items[0].kind else {
        panic!("not a pipeline");
    };
    let Arg::Positional(call) = &p.ops[0].args[0] else {
        panic!("not positional");
    };
    let ExprKind::Call { args, .. } = &call.kind else {
        panic!("not a call");
    };
    assert_eq!(text(src, args[0].span()), "...xs");
}

#[test]
fn terminals() {
    let module = parse_ok("keys | run\nkeys | register\nkeys | run(desc = \"x\")");
    let kinds: Vec<_> = module
        .items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::Pipeline(p) => p.terminal.as_ref().map(|t| (t.kind, t.args.len())),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            Some((TerminalKind::Run, 0)),
            Some((TerminalKind::Register, 0)),
            Some((TerminalKind::Run, 1))
        ]
    );
}

#[test]
fn a_pipeline_without_terminal_parses() {
    let module = parse_ok("keys | count");
    let ItemKind::Pipeline(p) = &module.items[0].kind else {
        panic!("not a pipeline");
    };
    assert!(p.terminal.is_none());
    assert_eq!(p.ops.len(), 1);
}

#[test]
fn several_items_and_pipelines() {
    let src =
        "let A = 1\n\n# comment\nkeys | count | run\nstream(\"s\") | register\n\n\nfn f() = A\n";
    assert_snapshot!(items(src), @r#"
    let A = 1
    keys | count | run
    stream("s") | register
    fn f() = A
    "#);
}

// ----------------------------------------------------------------- layout

#[test]
fn continuation_when_the_next_line_starts_with_a_pipe() {
    let src =
        "keys\n  | count   # how many\n\n  # blank lines and comments between\n  | run\nlet a = 1";
    assert_snapshot!(items(src), @"
    keys | count | run
    let a = 1
    ");
}

#[test]
fn continuation_when_the_line_ends_with_a_pipe() {
    let src = "keys |   # trailing comment\n  count |\n\n  run\nlet a = 1";
    assert_snapshot!(items(src), @"
    keys | count | run
    let a = 1
    ");
}

#[test]
fn newlines_are_free_inside_brackets() {
    let src = "keys(\n  \"x\",\n  read_value = false,  # comment\n)\n| map({\n  \"a\": [\n    1,\n    2\n  ]\n}) | run";
    assert_snapshot!(items(src), @r#"keys("x", read_value=false) | map({"a": [1 2]}) | run"#);
}

#[test]
fn crlf_line_endings() {
    let src = "let a = 1\r\nkeys\r\n  | count\r\n  | run\r\n";
    assert_snapshot!(items(src), @"
    let a = 1
    keys | count | run
    ");
}

#[test]
fn comments_everywhere_but_in_strings() {
    let src = "# top\nlet s = \"# kept\" # dropped\nkeys(\"#\") # x\n  | map(f\"{s}#\") # y\n  | run # z\n# end";
    assert_snapshot!(items(src), @r##"
    let s = "# kept"
    keys("#") | map((f {s} "#")) | run
    "##);
}

#[test]
fn empty_and_comment_only_files() {
    assert!(parse_ok("").items.is_empty());
    assert!(parse_ok("\n\n  # just a comment\n\n").items.is_empty());
    assert!(parse_ok("\u{feff}let a = 1").items.len() == 1);
}

#[test]
fn a_lambda_in_a_stage_is_not_a_pipe() {
    assert_snapshot!(items("keys | aggregate(0, |a, r| a + r) | run"), @"keys | aggregate(0, (lambda [a r] (+ a r))) | run");
    assert_snapshot!(items("keys | batchgroupby(key, |k, rs|\n  len(rs)) | run"), @"keys | batchgroupby(key, (lambda [k rs] (call len rs))) | run");
}

// ---------------------------------------------------------- seed examples

/// language.md section 9, verbatim.
const SEEDS: &str = r#"# word count
keys() | flatmap(value.split()) | countby | run

# delete by key prefix
keys_only("delete_me:*") | foreach(execute("DEL", it)) | count | run

# basic stream processing: copy each new stream entry to a hash named by its id
stream("mystream") | foreach(execute("HSET", id, ...pairs(value))) | register

# automatic expiry: every updated key gets a one-hour TTL
keys(read_value = false) | foreach(execute("EXPIRE", key, 3600)) | register(mode = "sync")

# keyspace notification processing, in two steps
python """
def process(x):
    log(f"Key '{x['value']['key']}' expired at {x['id'].split('-')[0]}")
"""
keys(event_types = ["expired"], read_value = false)
  | foreach(execute("XADD", f"expired:{hashtag()}", "*", "key", key))
  | register(mode = "sync")
stream("expired:*", batch = 100, duration = 1) | foreach(process) | register

# reliable keyspace notification
keys("person:*", event_types = ["hset", "hmset"])
  | foreach(execute("XADD", "notifications-stream", "*", ...pairs(it)))
  | register(mode = "sync")

# cache-get command, triggered with RG.TRIGGER cache_get URL
requirements "requests"
python """
def cache_get(url):
    ...
"""
command("cache_get") | map(cache_get(it[1])) | register(mode = "async_local")
"#;

#[test]
fn seed_examples() {
    assert_snapshot!(items(SEEDS), @r#"
    keys | flatmap((.split value)) | countby | run
    keys_only("delete_me:*") | foreach((call execute "DEL" it)) | count | run
    stream("mystream") | foreach((call execute "HSET" id ...(call pairs value))) | register
    keys(read_value=false) | foreach((call execute "EXPIRE" key 3600)) | register(mode="sync")
    python "\ndef process(x):\n    log(f\"Key '{x['value']['key']}' expired at {x['id'].split('-')[0]}\")\n"
    keys(event_types=["expired"], read_value=false) | foreach((call execute "XADD" (f "expired:" {(call hashtag)}) "*" "key" key)) | register(mode="sync")
    stream("expired:*", batch=100, duration=1) | foreach(process) | register
    keys("person:*", event_types=["hset" "hmset"]) | foreach((call execute "XADD" "notifications-stream" "*" ...(call pairs it))) | register(mode="sync")
    requirements "requests"
    python "\ndef cache_get(url):\n    ...\n"
    command("cache_get") | map((call cache_get (index it 1))) | register(mode="async_local")
    "#);
}

// ------------------------------------------------------------- robustness

/// Small deterministic generator, so that failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

/// Every span of a result or an error must be a valid range of the source.
fn assert_spans_valid(src: &str) {
    match gearc::syntax::parse(src) {
        Ok(module) => {
            for item in &module.items {
                assert!(
                    src.get(item.span.start..item.span.end).is_some(),
                    "{src:?}: {item:?}"
                );
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                let s = e.span();
                assert!(src.get(s.start..s.end).is_some(), "{src:?}: {e:?}");
            }
        }
    }
}

#[test]
fn never_panics_on_prefixes_deletions_and_mutations() {
    let seeds = SEEDS.split("\n\n");
    let others = [
        "let s = f\"a{b[\"k\"]}c{{ \\u{1F600}\" # c\nfn f(a, b) = |x| if x then -a ** 2 else b[1:]\n",
        "keys(\n  'x',\n) | map({\"a\": [1, 2e3, 3.5]}) |\n  run\n",
    ];
    let sources: Vec<&str> = seeds.chain(others).collect();
    let tricky = [
        "\"", "'", "(", ")", "[", "]", "{", "}", "|", "\\", "#", "\n", "\r", "f\"", "\"\"\"", "=",
        "==", "not", "in", "..", "...", ":", ",", "-", "**", "é", "\u{feff}", "1e999", "_", " ",
    ];
    let mut rng = Lcg(42);
    let mut count = 0;
    for src in sources {
        let bounds: Vec<usize> = src
            .char_indices()
            .map(|(i, _)| i)
            .chain([src.len()])
            .collect();
        for &end in &bounds {
            assert_spans_valid(&src[..end]);
            count += 1;
        }
        for w in bounds.windows(2) {
            assert_spans_valid(&format!("{}{}", &src[..w[0]], &src[w[1]..]));
            count += 1;
        }
        for _ in 0..100 {
            let at = bounds[rng.next(bounds.len())];
            let insert = tricky[rng.next(tricky.len())];
            assert_spans_valid(&format!("{}{insert}{}", &src[..at], &src[at..]));
            count += 1;
        }
    }
    assert!(count > 2000, "{count}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 5000;
    let deep = [
        format!("let x = {}1{}", "(".repeat(n), ")".repeat(n)),
        format!("let x = {}1{}", "[".repeat(n), "]".repeat(n)),
        format!("let x = {}1", "-".repeat(n)),
        format!("let x = {}1", "not ".repeat(n)),
        format!("let x = {}1", "2 ** ".repeat(n)),
        format!("let x = {}1", "2 + ".repeat(n)),
        format!("let x = a{}", ".b".repeat(n)),
        format!("let x = a{}", "[0]".repeat(n)),
        format!("let x = {}1{}", "if a then ".repeat(n), " else 2".repeat(n)),
        format!("let x = {}1", "|a| ".repeat(n)),
        format!("let x = {}1{}", "f\"{".repeat(n), "}\"".repeat(n)),
    ];
    for src in &deep {
        let codes = ast_print::codes(src);
        assert_eq!(codes, ["gearc::syntax::too_deep"], "{}", &src[..40]);
    }
    // Ordinary depth is fine.
    parse_ok(&format!("let x = {}1{}", "(".repeat(40), ")".repeat(40)));
    parse_ok(&format!("let x = {}1", "2 + ".repeat(60)));
}
