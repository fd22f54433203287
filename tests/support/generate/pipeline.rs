//! Pipelines: a reader over the seed data, operations chosen by the record type they
//! receive, and a terminal. `Flow` follows what is known about the records from stage
//! to stage: their type, whether their order is defined, where they are on a cluster.

use super::data::{gear_str, HOSTILE};
use super::expr::{DictKind, KeyKind, Scope, T};
use super::{Choices, Gen, Program};

/// The shape of a record.
#[derive(Clone, Debug)]
enum Rec {
    Scalar(T),
    /// A record with named fields (a key, a stream entry, a group): the fields are
    /// names in an operation's expression.
    Fields(Vec<(String, T)>),
    /// A dict made by `map({…})`: its entries are read as `it.name` or `it["name"]`.
    Entries(Vec<(String, T)>),
}

/// What is known about the records between two stages.
#[derive(Clone, Debug)]
struct Flow {
    rec: Rec,
    /// Spellings in scope beside the fields (`float(value)` for `f:*`).
    extra: Vec<(String, T)>,
    /// The records' order is defined (after `sort`, or a single record).
    ordered: bool,
    /// On a cluster, every record is on the shard that replies.
    one_shard: bool,
    cluster_safe: bool,
    /// The record's key, spelled in scope, with its type: `execute` may read it.
    exec_key: Option<(String, KeyKind)>,
    /// `out:{KEY}` is on the key's own shard and no reader of this pipeline sees it.
    may_write: bool,
    writes: bool,
    flatmaps: u32,
    /// A `flatmap` made a different number of records out of records whose order is
    /// not defined (SCAN's, which differs between servers). A step that then fails for
    /// every record fails as many records as came from the first one (the error stops
    /// the run once those are through), so its error count would depend on that order.
    uneven: bool,
}

impl Flow {
    fn new(rec: Rec) -> Flow {
        Flow {
            rec,
            extra: Vec::new(),
            ordered: false,
            one_shard: false,
            cluster_safe: true,
            exec_key: None,
            may_write: false,
            writes: false,
            flatmaps: 0,
            uneven: false,
        }
    }

    /// After a step that gathers every record before it gives any (a sort, a
    /// reduction): each record it gives is one, whatever came before.
    fn gathered(&mut self) {
        self.uneven = false;
    }

    /// After a step that replaces the record.
    fn replace(&mut self, rec: Rec) {
        self.rec = rec;
        self.extra.clear();
        self.exec_key = None;
        self.may_write = false;
    }

    fn scalar(&self) -> Option<T> {
        match self.rec {
            Rec::Scalar(t) => Some(t),
            Rec::Fields(_) | Rec::Entries(_) => None,
        }
    }

    /// Moved to other shards: `execute` on the key is no longer local.
    fn moved(&mut self) {
        self.exec_key = None;
        self.may_write = false;
    }
}

fn keys_record(value: T) -> Rec {
    Rec::Fields(vec![
        ("key".into(), T::Str),
        ("value".into(), value),
        ("type".into(), T::Str),
        ("event".into(), T::Null),
    ])
}

fn group(value: T) -> Rec {
    Rec::Fields(vec![("key".into(), T::Str), ("value".into(), value)])
}

/// A commutative, associative way to fold records of type `record` into `acc`.
struct Reducer {
    zero: String,
    seq: String,
    /// The combiner of two accumulators.
    comb: String,
    acc: T,
    /// The zero is the reducer's identity (or idempotent): folding it in once per
    /// shard or once per group changes nothing, so a cluster agrees with one server.
    neutral: bool,
}

impl<C: Choices> Gen<'_, C> {
    pub(super) fn run_pipeline(&mut self) -> Program {
        let (reader, mut flow) = self.reader();
        let mut stages = vec![reader];
        for _ in 0..self.below(6) {
            let ops = self.operation(&mut flow, false);
            stages.extend(ops);
        }
        let terminal = match self.below(4) {
            0 | 1 => "run".to_string(),
            2 => "run()".to_string(),
            _ => format!("run(desc = {})", gear_str(self.pick(HOSTILE))),
        };
        stages.push(terminal);
        let sep = if self.maybe(1, 3) { "\n  | " } else { " | " };
        Program {
            source: stages.join(sep),
            ordered: flow.ordered,
            cluster_safe: flow.cluster_safe,
            writes: flow.writes,
        }
    }

    /// A `register` pipeline (compile-only: `gearc run` leaves it out).
    pub(super) fn registration(&mut self) -> String {
        let n = self.fresh("");
        let (reader, mut flow, terminal) = match self.below(3) {
            0 => {
                let events = self.pick(&["[\"set\"]", "[\"hset\", \"del\"]", "[\"expired\"]"]);
                let mode = self.pick(&["\"sync\"", "\"async\"", "\"async_local\""]);
                (
                    format!("keys(\"reg{n}:*\", event_types = {events})"),
                    Flow::new(keys_record(T::Mixed)),
                    format!("register(mode = {mode})"),
                )
            }
            1 => {
                let policy = self.pick(&["\"continue\"", "\"abort\"", "\"retry\""]);
                (
                    format!("stream(\"rs{n}:*\", batch = {})", 1 + self.below(9)),
                    Flow::new(Rec::Fields(vec![
                        ("key".into(), T::Str),
                        ("id".into(), T::Str),
                        ("value".into(), T::Dict(DictKind::Entry)),
                    ])),
                    format!(
                        "register(on_failed_policy = {policy}, desc = {})",
                        gear_str(self.pick(HOSTILE))
                    ),
                )
            }
            _ => (
                format!("command({})", gear_str(&format!("trig{n}"))),
                Flow::new(Rec::Scalar(T::ListStr)),
                "register".to_string(),
            ),
        };
        let mut stages = vec![reader];
        for _ in 0..self.below(3) {
            let ops = self.operation(&mut flow, true);
            stages.extend(ops);
        }
        stages.push(terminal);
        stages.join(" | ")
    }

    /// A reader over the seed data, and what its records are.
    fn reader(&mut self) -> (String, Flow) {
        let keys_of = |pattern: &str, extra: &str| format!("keys(\"{pattern}\"{extra})");
        let (text, mut flow) = match self.below(24) {
            0 | 1 => (keys_of("n:*", ""), Flow::new(keys_record(T::NumStr))),
            2 => (
                keys_of("n:*", ", key_types = [\"string\"]"),
                Flow::new(keys_record(T::NumStr)),
            ),
            3 => {
                let mut flow = Flow::new(keys_record(T::Str));
                flow.extra.push(("float(value)".into(), T::Float));
                (keys_of("f:*", ""), flow)
            }
            4 => (keys_of("w:*", ""), Flow::new(keys_record(T::Str))),
            5 | 6 => (
                keys_of("h:*", ", key_types = [\"hash\"]"),
                Flow::new(keys_record(T::Dict(DictKind::Hash))),
            ),
            7 => (
                keys_of("l:*", ", key_types = [\"list\"]"),
                Flow::new(keys_record(T::ListStr)),
            ),
            8 => (keys_of("x:*", ""), Flow::new(keys_record(T::Str))),
            9 => (keys_of("*", ""), Flow::new(keys_record(T::Mixed))),
            10 => (keys_of("nothing:*", ""), Flow::new(keys_record(T::Mixed))),
            11 => (
                keys_of("n:*", ", read_value = false"),
                Flow::new(Rec::Fields(vec![
                    ("key".into(), T::Str),
                    ("event".into(), T::Null),
                ])),
            ),
            12 => {
                let (pattern, value) =
                    self.pick(&[("h:1", T::Dict(DictKind::Hash)), ("missing", T::Null)]);
                let mut flow = Flow::new(keys_record(value));
                // `no_scan` reads its key on every shard of a cluster.
                flow.cluster_safe = false;
                (keys_of(pattern, ", no_scan = true"), flow)
            }
            13 | 14 => {
                let pattern = self.pick(&["n:*", "x:*", "w:*", "nothing:*", "*"]);
                let count = if self.maybe(1, 3) { ", count = 3" } else { "" };
                let mut flow = Flow::new(Rec::Scalar(T::Str));
                if matches!(pattern, "n:*" | "w:*") {
                    flow.exec_key = Some(("it".into(), KeyKind::String));
                    flow.may_write = true;
                }
                (format!("keys_only(\"{pattern}\"{count})"), flow)
            }
            15 | 16 => {
                let (args, _) = self.pick(&[
                    ("\"st:1\"", ()),
                    ("\"st:1\", from_id = \"1-2\"", ()),
                    ("\"st:1\", from_id = \"2\"", ()),
                    ("\"st:empty\"", ()),
                    ("\"st:none\"", ()),
                ]);
                (
                    format!("stream({args})"),
                    Flow::new(Rec::Fields(vec![
                        ("key".into(), T::Str),
                        ("id".into(), T::Str),
                        ("value".into(), T::Dict(DictKind::Entry)),
                    ])),
                )
            }
            17 | 18 => {
                let mut flow = Flow::new(Rec::Scalar(T::Int));
                flow.one_shard = true;
                let text = match self.below(4) {
                    0 => format!("python(range({}))", self.below(12)),
                    1 => {
                        let items: Vec<String> =
                            (0..self.below(5)).map(|_| self.int_lit()).collect();
                        format!("python([{}])", items.join(", "))
                    }
                    2 if !self.py_gens.is_empty() => {
                        let i = self.below(self.py_gens.len());
                        let g = self.py_gens[i].clone();
                        format!("python({g})")
                    }
                    _ => {
                        let name = self.fresh("gen");
                        let items: Vec<String> =
                            (0..self.below(5)).map(|_| self.int_lit()).collect();
                        self.items
                            .push(format!("fn {name}() = [{}]", items.join(", ")));
                        format!("python({name})")
                    }
                };
                (text, flow)
            }
            19 => {
                let items: Vec<String> = (0..self.below(5))
                    .map(|_| gear_str(self.pick(HOSTILE)))
                    .collect();
                let mut flow = Flow::new(Rec::Scalar(T::Str));
                flow.one_shard = true;
                (format!("python([{}])", items.join(", ")), flow)
            }
            20 => {
                // Once per shard: 3 on a cluster.
                let mut flow = Flow::new(Rec::Scalar(T::Int));
                flow.cluster_safe = false;
                (
                    format!("python(range({}), per_shard = true)", self.below(4)),
                    flow,
                )
            }
            21 => {
                // One record per shard, whose text is the shard's id: only counted.
                let mut flow = Flow::new(Rec::Scalar(T::Int));
                flow.cluster_safe = false;
                flow.one_shard = true;
                flow.ordered = true;
                (
                    self.pick(&["shards() | count", "shards | count"])
                        .to_string(),
                    flow,
                )
            }
            _ => (keys_of("n:*", ""), Flow::new(keys_record(T::NumStr))),
        };
        if let Rec::Fields(fields) = &flow.rec {
            let has_key = fields.iter().any(|(n, _)| n == "key");
            let kind = if text.starts_with("keys(\"h:") {
                Some(KeyKind::Hash)
            } else if text.starts_with("keys(\"l:") {
                Some(KeyKind::List)
            } else if ["keys(\"n:", "keys(\"f:", "keys(\"w:", "keys(\"x:"]
                .iter()
                .any(|p| text.starts_with(p))
            {
                Some(KeyKind::String)
            } else {
                None
            };
            if let (true, Some(kind)) = (has_key, kind) {
                flow.exec_key = Some(("key".into(), kind));
                // `x:*` names hold braces: `out:{x:{brace}}` is not on their shard.
                flow.may_write = !text.starts_with("keys(\"x:");
            }
        }
        (text, flow)
    }

    /// The names an operation's expression sees.
    fn scope(&self, flow: &Flow) -> Scope {
        let mut scope = self.globals.clone();
        match &flow.rec {
            Rec::Scalar(t) => scope.names.push(("it".into(), *t)),
            Rec::Fields(fields) | Rec::Entries(fields) => {
                scope.names.push(("it".into(), T::Record));
                for (name, t) in fields {
                    if matches!(flow.rec, Rec::Fields(_)) {
                        scope.names.push((name.clone(), *t));
                    }
                    scope.names.push((format!("it.{name}"), *t));
                    scope.names.push((format!("it[\"{name}\"]"), *t));
                }
            }
        }
        scope.names.extend(flow.extra.iter().cloned());
        scope.exec_key = flow.exec_key.clone();
        scope
    }

    /// One operation (or two that belong together), and the flow after it.
    fn operation(&mut self, flow: &mut Flow, register: bool) -> Vec<String> {
        let sc = self.scope(flow);
        let d = 2;
        match self.below(21) {
            0 | 1 => {
                if self.maybe(1, 5) {
                    let names = ["fa", "fb", "label", "num"];
                    let mut fields = Vec::new();
                    let mut entries = Vec::new();
                    // One type for every entry: a dict's entries have the joined type.
                    let t = self.pick(&[T::Int, T::Str, T::Float, T::ListStr, T::Bool]);
                    for name in names.iter().take(1 + self.below(3)) {
                        entries.push(format!("\"{name}\": {}", self.expr(t, &sc, d)));
                        fields.push((name.to_string(), t));
                    }
                    flow.replace(Rec::Entries(fields));
                    vec![format!("map({{{}}})", entries.join(", "))]
                } else {
                    let t = self.pick(&[
                        T::Int,
                        T::Float,
                        T::Str,
                        T::Bool,
                        T::ListStr,
                        T::ListInt,
                        T::Int,
                    ]);
                    let e = self.expr(t, &sc, d);
                    flow.replace(Rec::Scalar(t));
                    vec![format!("map({e})")]
                }
            }
            2 | 3 => vec![format!("filter({})", self.expr(T::Bool, &sc, d))],
            4 if flow.flatmaps < 2 => {
                let (list, elem) =
                    self.pick(&[(T::ListStr, T::Str), (T::ListInt, T::Int), (T::Str, T::Str)]);
                let e = self.expr(list, &sc, d);
                flow.flatmaps += 1;
                flow.uneven |= !flow.ordered;
                flow.replace(Rec::Scalar(elem));
                vec![format!("flatmap({e})")]
            }
            5 => self.foreach(flow, &sc, register),
            6 => {
                let r = self.reducer(flow, false);
                if !flow.one_shard {
                    flow.cluster_safe = false;
                }
                flow.replace(Rec::Scalar(r.acc));
                flow.gathered();
                vec![format!("accumulate({}, {})", r.zero, r.seq)]
            }
            7 | 8 => {
                let op = self.pick(&["groupby", "localgroupby", "groupby"]);
                let key = self.group_key(&sc);
                let r = self.reducer(flow, true);
                if op == "localgroupby" && !flow.one_shard || !r.neutral {
                    flow.cluster_safe = false;
                }
                flow.replace(group(r.acc));
                flow.gathered();
                flow.ordered = false;
                flow.one_shard = op == "localgroupby" && flow.one_shard;
                vec![format!("{op}({key}, {}, {})", r.zero, r.seq)]
            }
            9 => {
                let key = self.group_key(&sc);
                let reducer = self.pick(&[
                    "|k, rs| len(rs)",
                    "|k, rs| len(k) + len(rs)",
                    "|k, rs| f\"{k}: {len(rs)}\"",
                ]);
                flow.replace(group(if reducer.contains("f\"") {
                    T::Str
                } else {
                    T::Int
                }));
                flow.gathered();
                flow.ordered = false;
                flow.one_shard = false;
                vec![format!("batchgroupby({key}, {reducer})")]
            }
            10 | 11 => {
                if self.maybe(1, 4) && flow.scalar().is_some_and(T::is_scalar) {
                    // The records in a list, in no defined order until sorted.
                    let t = flow.scalar().unwrap_or(T::Int);
                    flow.replace(Rec::Scalar(if t == T::Int {
                        T::ListInt
                    } else {
                        T::ListStr
                    }));
                    flow.gathered();
                    if !matches!(t, T::Int | T::Str | T::NumStr) {
                        flow.replace(Rec::Scalar(T::Int));
                        flow.one_shard = true;
                        flow.ordered = true;
                        return vec![
                            "aggregate([], |acc, x| acc + [x], |a, b| a + b)".into(),
                            "map(len(it))".into(),
                        ];
                    }
                    flow.one_shard = true;
                    flow.ordered = true;
                    return vec![
                        "aggregate([], |acc, x| acc + [x], |a, b| a + b)".into(),
                        "map(sorted(it))".into(),
                    ];
                }
                let r = self.reducer(flow, false);
                let comb = if self.maybe(1, 2) {
                    format!(", {}", r.comb)
                } else {
                    String::new()
                };
                if !r.neutral {
                    flow.cluster_safe = false;
                }
                flow.replace(Rec::Scalar(r.acc));
                flow.gathered();
                flow.one_shard = true;
                flow.ordered = true;
                vec![format!("aggregate({}, {}{comb})", r.zero, r.seq)]
            }
            12 => {
                let key = self.group_key(&sc);
                let r = self.reducer(flow, true);
                let comb = if self.maybe(1, 2) {
                    format!(", {}", r.comb)
                } else {
                    String::new()
                };
                if !r.neutral {
                    flow.cluster_safe = false;
                }
                flow.replace(group(r.acc));
                flow.gathered();
                flow.ordered = false;
                flow.one_shard = false;
                vec![format!("aggregateby({key}, {}, {}{comb})", r.zero, r.seq)]
            }
            13 => {
                let key = self.expr(T::Str, &sc, 1);
                flow.moved();
                flow.one_shard = false;
                vec![format!("repartition({key})")]
            }
            14 => {
                flow.moved();
                flow.one_shard = true;
                vec![self.pick(&["collect", "collect()"]).to_string()]
            }
            15 => {
                if flow.ordered {
                    let n = self.below(6);
                    if self.maybe(1, 2) {
                        vec![format!("limit({n}, {})", self.below(3))]
                    } else {
                        vec![format!("limit({n})")]
                    }
                } else {
                    // More than there are records: the same whatever the order.
                    vec![self
                        .pick(&["limit(1000)", "limit(n = 1000, offset = 0)"])
                        .to_string()]
                }
            }
            16 if flow.scalar().is_some_and(T::is_scalar) => {
                flow.gathered();
                flow.ordered = true;
                flow.one_shard = true;
                flow.moved();
                vec![self
                    .pick(&[
                        "sort",
                        "sort()",
                        "sort(reverse = true)",
                        "sort(reverse = false)",
                    ])
                    .to_string()]
            }
            17 if flow.scalar().is_some_and(T::is_scalar) => {
                flow.gathered();
                flow.ordered = false;
                flow.one_shard = true;
                flow.moved();
                vec!["distinct".to_string()]
            }
            18 => {
                flow.gathered();
                let op = match self.below(3) {
                    0 => {
                        flow.replace(Rec::Scalar(T::Int));
                        flow.ordered = true;
                        flow.one_shard = true;
                        "count".to_string()
                    }
                    1 => {
                        let arg = if flow.scalar().is_some_and(T::is_scalar) && self.maybe(1, 2) {
                            String::new()
                        } else {
                            format!("({})", self.group_key(&sc))
                        };
                        flow.replace(group(T::Int));
                        flow.ordered = false;
                        flow.one_shard = false;
                        format!("countby{arg}")
                    }
                    _ => {
                        let arg = if matches!(flow.scalar(), Some(T::Int | T::Float))
                            && self.maybe(1, 2)
                        {
                            String::new()
                        } else {
                            let t = self.pick(&[T::Int, T::Float]);
                            format!("({})", self.expr(t, &sc, d))
                        };
                        flow.replace(Rec::Scalar(T::Float));
                        flow.ordered = true;
                        flow.one_shard = true;
                        format!("avg{arg}")
                    }
                };
                vec![op]
            }
            20 if !flow.uneven && self.maybe(1, 2) => {
                // A step that fails the same way for every record: the first record's
                // error stops the reader, so the result is that error alone. Each
                // shard of a cluster would report its own. Not after an uneven
                // `flatmap` (see `Flow::uneven`).
                flow.cluster_safe = false;
                let step = self.pick(&[
                    "map(1 // (len(str(it)) * 0))",
                    "map(int(\"not a number\"))",
                    "foreach(execute(\"NOSUCHCOMMAND\", \"x\"))",
                    "filter(execute(\"INCR\", \"w:1\") > 0)",
                ]);
                if step.starts_with("map") {
                    flow.replace(Rec::Scalar(T::Int));
                }
                vec![step.to_string()]
            }
            _ => vec![format!("filter({})", self.expr(T::Bool, &sc, 1))],
        }
    }

    /// `foreach`: a read of the record's key, a write beside it, or a pure expression.
    fn foreach(&mut self, flow: &mut Flow, sc: &Scope, register: bool) -> Vec<String> {
        match (self.below(3), flow.exec_key.clone()) {
            (1, Some((key, _))) if flow.may_write && !register => {
                flow.writes = true;
                let value = self.expr(T::Str, sc, 1);
                // `f"out:{{{key}}}"`: the key inside a hash tag, so on its shard.
                let target = format!("f\"out:{{{{{{{}}}}}}}\"", key);
                vec![format!("foreach(execute(\"SET\", {target}, {value}))")]
            }
            (2, Some((key, kind))) => {
                let cmd = match kind {
                    KeyKind::String => "GET",
                    KeyKind::Hash => "HGETALL",
                    KeyKind::List => "LRANGE",
                };
                let args = if kind == KeyKind::List { ", 0, -1" } else { "" };
                vec![format!("foreach(execute(\"{cmd}\", {key}{args}))")]
            }
            _ => {
                let t = self.pick(&[T::Int, T::Str, T::Bool]);
                vec![format!("foreach({})", self.expr(t, sc, 1))]
            }
        }
    }

    /// A group key: a `str`, or an `int` or `bool` (RedisGears uses its `repr`).
    fn group_key(&mut self, sc: &Scope) -> String {
        let t = self.pick(&[T::Str, T::Str, T::Int, T::Bool]);
        self.expr(t, sc, 1)
    }

    /// A reducer for the records of `flow` (with the group key first when `keyed`
    /// and the coin says so).
    fn reducer(&mut self, flow: &Flow, keyed: bool) -> Reducer {
        let numeric = flow.scalar().filter(|t| matches!(t, T::Int | T::Float));
        let r = |zero: &str, seq: &str, comb: &str, acc: T, neutral: bool| Reducer {
            zero: zero.into(),
            seq: seq.into(),
            comb: comb.into(),
            acc,
            neutral,
        };
        if let Some(t) = numeric {
            let (z0, z1) = if t == T::Int {
                ("0", "1")
            } else {
                ("0.0", "1.0")
            };
            match self.below(9) {
                0 => return r(z0, "add", "add", t, true),
                1 => return r(z1, "mul", "mul", t, true),
                2 => return r(z0, "max", "max", t, true),
                3 => return r(z0, "min", "min", t, true),
                4 => return r(z0, "|a, x| a + x", "|a, b| a + b", t, true),
                5 => return r(z0, "|a, x| max(a, x)", "|a, b| max(a, b)", t, true),
                6 if t == T::Int => {
                    let zero = self.int_lit();
                    let neutral = zero == "0";
                    return r(&zero, "add", "add", t, neutral);
                }
                7 => {
                    let name = self.reducer_fn(t);
                    return r(z0, &name, &name, t, true);
                }
                _ => {}
            }
        }
        match self.below(4) {
            0 if keyed => r("0", "|k, a, x| a + len(k)", "|k, a, b| a + b", T::Int, true),
            1 => {
                let len = match flow.scalar() {
                    Some(T::Str | T::NumStr | T::ListStr | T::ListInt) => "len(x)",
                    _ => "len(str(x))",
                };
                r(
                    "0",
                    &format!("|a, x| a + {len}"),
                    "|a, b| a + b",
                    T::Int,
                    true,
                )
            }
            _ => r("0", "|a, x| a + 1", "add", T::Int, true),
        }
    }

    /// A `fn` of two parameters that adds them, used by name as a reducer.
    fn reducer_fn(&mut self, t: T) -> String {
        let name = self.fresh("plus");
        self.items.push(format!("fn {name}(a, b) = a + b"));
        self.fns.push(super::expr::FnSig {
            name: name.clone(),
            params: vec![t, t],
            ret: t,
        });
        name
    }
}
