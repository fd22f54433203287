//! Readers, operations and terminals → one chained `GB(…)…run(…)` statement,
//! one operation per line (consecutive `map`/`filter` operations as one step: fused.rs).

use super::batched_delete::batched_delete;
use super::expr::{count_local, prec, ExprCtx};
use super::fused::fusable;
use super::literal::py_str;
use super::reads::{
    key_name_is_plain, keys_read, literal_first_char, ops_seeing_reader_records, passes_records_on,
    KeysRead,
};
use super::Lowerer;
use crate::ir::{
    Action, Callback, Fold, GeneratorSource, Mode, NamedReducer, Op, OpKind, Pipeline, Reader,
    ReaderKind, Reducer, SortKey, TExpr, TExprKind, TerminalKind, Type, Word,
};
use crate::syntax::Span;

/// The record parameter of every lambda gearc writes. `it` is a Gear keyword, so
/// no user name can be called that.
const RECORD: &str = "it";

impl Lowerer<'_> {
    pub(super) fn pipeline(&mut self, p: &Pipeline) {
        if let Some(job) = batched_delete(p) {
            return self.batched_delete_pipeline(p, &job);
        }
        let run = matches!(p.terminal.action, Action::Run { .. });
        let read = if run { keys_read(p) } else { KeysRead::Records };
        let steps = self.steps(p, read);
        self.out.line("(", None);
        let reader = if read == KeysRead::KeyNames {
            ReaderKind::KeysOnly.gears_name()
        } else {
            p.reader.gears_name()
        };
        let mut gb = format!("GB({}", py_str(reader));
        if let Some(desc) = &p.terminal.desc {
            gb.push_str(&format!(", desc={}", self.expr(desc, &ExprCtx::default())));
        }
        gb.push(')');
        self.step(gb, p.reader_span);
        if run {
            self.key_type_filter(&p.reader, read, p.reader_span);
        }
        for step in steps {
            match step {
                Step::Op(op, key_names) => {
                    self.key_names = key_names;
                    self.op(op);
                }
                Step::Fused(text, span) => self.step(text, span),
            }
        }
        self.key_names = false;
        self.terminal(p, read);
        self.out.line(")", None);
    }

    /// The operations' steps, each with whether it sees key names standing for
    /// `keys(…)` records; runs of two or more fusable `map`/`filter` steps become one
    /// step, whose function is written here, before the pipeline (fused.rs).
    fn steps<'p>(&mut self, p: &'p Pipeline, read: KeysRead) -> Vec<Step<'p>> {
        let seeing = ops_seeing_reader_records(&p.ops);
        let ops: Vec<(&Op, bool)> = p
            .ops
            .iter()
            .enumerate()
            .map(|(i, op)| (op, read == KeysRead::KeyNames && i < seeing))
            // `map(key)` on key names: the records already are what it makes.
            .filter(|(op, key_names)| !(*key_names && is_key_map(op)))
            .collect();
        let mut steps = Vec::new();
        let mut i = 0;
        while i < ops.len() {
            let run = ops[i..]
                .iter()
                .take_while(|(op, _)| fusable(op).is_some())
                .count();
            if run >= 2 {
                let (text, span) = self.fused_steps(&ops[i..i + run]);
                steps.push(Step::Fused(text, span));
                i += run;
            } else {
                steps.push(Step::Op(ops[i].0, ops[i].1));
                i += 1;
            }
        }
        steps
    }

    /// One `.step(…)` line, commented with its `.gear` location.
    pub(super) fn step(&mut self, text: String, span: Span) {
        let indent = if text.starts_with("GB(") {
            "    "
        } else {
            "    ."
        };
        self.out.line_parts(&[indent, &text], Some(span));
    }

    /// `key_types` for a run: RedisGears' KeysReader has no such run argument, so filter.
    fn key_type_filter(&mut self, reader: &Reader, read: KeysRead, span: Span) {
        let Reader::Keys {
            key_types: Some(key_types),
            read_value,
            ..
        } = reader
        else {
            return;
        };
        let read_value = &(*read_value && read == KeysRead::Records);
        let mut names: Vec<String> = key_types.iter().map(|t| py_str(t.spelling())).collect();
        if *read_value {
            // The reader's own `type` field names a stream 'unknown' (reference section 0).
            for t in key_types {
                if t.reader_type_name() != t.spelling() {
                    names.push(py_str(t.reader_type_name()));
                }
            }
        }
        let tuple = if names.len() == 1 {
            format!("({},)", names[0])
        } else {
            format!("({})", names.join(", "))
        };
        let ty = if *read_value {
            format!("{RECORD}[\"type\"]")
        } else {
            format!("execute(\"TYPE\", {RECORD}[\"key\"])")
        };
        self.step(format!("filter(lambda {RECORD}: {ty} in {tuple})"), span);
    }

    fn op(&mut self, op: &Op) {
        let span = op.span;
        match &op.kind {
            OpKind::Map(cb) => {
                let f = self.callback(cb, Shape::AsIs);
                self.step(format!("map({f})"), span);
            }
            OpKind::FlatMap { callback, value } => {
                let shape = Shape::FlatMapped {
                    is_list: matches!(value, Type::List(_)),
                };
                let f = self.callback(callback, shape);
                self.step(format!("flatmap({f})"), span);
            }
            OpKind::Filter(cb) => {
                let f = self.callback(cb, Shape::AsIs);
                self.step(format!("filter({f})"), span);
            }
            OpKind::Foreach(cb) => {
                let f = self.callback(cb, Shape::AsIs);
                self.step(format!("foreach({f})"), span);
            }
            OpKind::Repartition(cb) => {
                let f = self.callback(cb, Shape::AsIs);
                self.step(format!("repartition({f})"), span);
            }
            OpKind::Accumulate(fold) => {
                let f = self.fold(fold, &fold.reducer, false, None);
                self.step(format!("accumulate({f})"), span);
            }
            OpKind::LocalGroupBy { key, fold } | OpKind::GroupBy { key, fold } => {
                let name = if matches!(op.kind, OpKind::GroupBy { .. }) {
                    "groupby"
                } else {
                    "localgroupby"
                };
                let k = self.callback(key, Shape::AsIs);
                let f = self.fold(fold, &fold.reducer, true, None);
                self.step(format!("{name}({k}, {f})"), span);
            }
            OpKind::BatchGroupBy { key, reducer } => {
                let k = self.callback(key, Shape::AsIs);
                let r = self.callback(reducer, Shape::AsIs);
                self.step(format!("batchgroupby({k}, {r})"), span);
            }
            OpKind::Aggregate { fold, combine } => {
                let combine = combiner(fold, combine);
                match combine {
                    Some(comb) => {
                        let seq = self.fold(fold, &fold.reducer, false, None);
                        self.step(format!("accumulate({seq})"), span);
                        self.step("collect()".to_string(), span);
                        let comb = self.fold(fold, &comb, false, None);
                        self.step(format!("accumulate({comb})"), span);
                    }
                    None => {
                        self.step("collect()".to_string(), span);
                        let seq = self.fold(fold, &fold.reducer, false, None);
                        self.step(format!("accumulate({seq})"), span);
                    }
                }
            }
            OpKind::AggregateBy { key, fold, combine } => {
                let k = self.callback(key, Shape::AsIs);
                let combine = combiner(fold, combine);
                let seq = self.fold(fold, &fold.reducer, true, None);
                match combine {
                    Some(comb) => {
                        self.step(format!("localgroupby({k}, {seq})"), span);
                        let value = format!("{RECORD}[\"value\"]");
                        let comb = self.fold(fold, &comb, true, Some(&value));
                        self.step(
                            format!("groupby(lambda {RECORD}: {RECORD}[\"key\"], {comb})"),
                            span,
                        );
                    }
                    None => self.step(format!("groupby({k}, {seq})"), span),
                }
            }
            OpKind::Collect => self.step("collect()".to_string(), span),
            OpKind::Limit { length, offset } => {
                let ctx = ExprCtx::default();
                let mut args = self.expr(length, &ctx);
                if let Some(o) = offset {
                    args = format!("{args}, {}", self.expr(o, &ctx));
                }
                self.step(format!("limit({args})"), span);
            }
            OpKind::Sort {
                by: SortKey::Record,
                reverse,
            } => {
                // RedisGears' sort flattens a sorted list, and its flatmap emits a list
                // last element first: `reverse=True` replies in ascending order (reference
                // section 0). So Gear's ascending sort is `reverse=True`.
                let gears_reverse = if *reverse { "False" } else { "True" };
                self.step(format!("sort(reverse={gears_reverse})"), span);
            }
            OpKind::Sort { by, reverse } => {
                // RedisGears' sort takes no key: gather the records into one list (each
                // shard's, then all of them on one shard), sort it, and flatten it
                // reversed, as every flatmap (stable: equal keys keep their order).
                let key = match by {
                    SortKey::By(cb) => self.callback(cb, Shape::AsIs),
                    _ => format!("lambda {RECORD}: ({RECORD}[\"value\"], {RECORD}[\"key\"])"),
                };
                self.uses.gather = true;
                let acc = self.names.acc.clone();
                self.step(
                    format!("accumulate(lambda {acc}, {RECORD}: gearc_gather({acc}, [{RECORD}]))"),
                    span,
                );
                self.step("collect()".to_string(), span);
                self.step(
                    format!("accumulate(lambda {acc}, {RECORD}: gearc_gather({acc}, {RECORD}))"),
                    span,
                );
                let reverse = if *reverse { "True" } else { "False" };
                self.step(
                    format!(
                        "flatmap(lambda {RECORD}: sorted({RECORD}, key={key}, reverse={reverse})[::-1])"
                    ),
                    span,
                );
            }
            OpKind::Distinct => self.step("distinct()".to_string(), span),
            OpKind::Count => self.step("count()".to_string(), span),
            OpKind::CountBy(key) => {
                let k = key
                    .as_ref()
                    .map(|k| self.callback(k, Shape::AsIs))
                    .unwrap_or_default();
                self.step(format!("countby({k})"), span);
            }
            OpKind::Avg(value) => {
                let v = value
                    .as_ref()
                    .map(|v| self.callback(v, Shape::AsIs))
                    .unwrap_or_default();
                self.step(format!("avg({v})"), span);
            }
        }
    }

    /// A callback applied to one record, its value shaped as `shape` says.
    fn callback(&mut self, cb: &Callback, shape: Shape) -> String {
        match cb {
            Callback::Expr(e) => {
                let mut ctx = ExprCtx::record(RECORD);
                ctx.key_name = self.key_names;
                let body = self.expr_prec(e, &ctx);
                format!("lambda {RECORD}: {}", shape.apply(body))
            }
            Callback::Function { name, .. } if shape == Shape::AsIs => {
                self.names.global(name).to_string()
            }
            Callback::Function { name, .. } => {
                let call = format!("{}({RECORD})", self.names.global(name));
                format!("lambda {RECORD}: {}", shape.apply((call, prec::POSTFIX)))
            }
            Callback::Lambda { params, body, .. } => {
                let params: Vec<String> = params.iter().map(|p| self.names.local(p)).collect();
                let body = self.expr_prec(body, &ExprCtx::default());
                format!("lambda {}: {}", params.join(", "), shape.apply(body))
            }
        }
    }

    /// The zero as Python: a literal is fresh on every evaluation; anything else
    /// is copied, so that a reducer that mutates its accumulator cannot change it.
    fn zero(&mut self, zero: &TExpr) -> String {
        let text = self.expr(zero, &ExprCtx::default());
        if is_fresh(zero) {
            text
        } else {
            self.uses.copy = true;
            format!("copy.deepcopy({text})")
        }
    }

    /// A reducer as a lambda `(acc, record)` (or `(key, acc, record)` when `keyed`)
    /// that starts from the zero when RedisGears passes `None`, and only then: the
    /// builder's own `a if a else zero` would restart a product at 0 (section 8).
    /// `record` replaces the record argument (e.g. `it["value"]` when combining groups).
    fn fold(
        &mut self,
        fold: &Fold,
        reducer: &Reducer,
        keyed: bool,
        record: Option<&str>,
    ) -> String {
        let zero = self.zero(&fold.zero);
        let acc = self.names.acc.clone();
        let key = self.names.key.clone();
        let head = if keyed {
            format!("lambda {key}, {acc}, {RECORD}")
        } else {
            format!("lambda {acc}, {RECORD}")
        };
        let start = format!("{zero} if {acc} is None else {acc}");
        let rec = record.unwrap_or(RECORD).to_string();
        match reducer {
            Reducer::Named(named) => {
                let body = match named {
                    NamedReducer::Add => format!("({start}) + {rec}"),
                    NamedReducer::Mul => format!("({start}) * {rec}"),
                    NamedReducer::Min => format!("min({start}, {rec})"),
                    NamedReducer::Max => format!("max({start}, {rec})"),
                };
                format!("{head}: {body}")
            }
            Reducer::Callback {
                callback: Callback::Function { name, .. },
                takes_key,
            } => {
                let key_arg = if *takes_key {
                    format!("{key}, ")
                } else {
                    String::new()
                };
                format!(
                    "{head}: {}({key_arg}{start}, {rec})",
                    self.names.global(name)
                )
            }
            Reducer::Callback {
                callback: Callback::Lambda { params, body, .. },
                takes_key,
            } => {
                let py: Vec<String> = params.iter().map(|p| self.names.local(p)).collect();
                let (acc_param, user_acc) = if *takes_key {
                    (py[1].clone(), &params[1])
                } else {
                    (py[0].clone(), &params[0])
                };
                if record.is_none() && count_local(body, user_acc) <= 1 {
                    // Inline the start into the one place that reads the accumulator.
                    let mut ctx = ExprCtx::default();
                    let zero_text = format!("({zero} if {acc_param} is None else {acc_param})");
                    ctx.substitute.insert(user_acc.clone(), zero_text);
                    let body = self.expr(body, &ctx);
                    let mut names = py.clone();
                    if keyed && !*takes_key {
                        names.insert(0, free_name(&key, &py));
                    }
                    return format!("lambda {}: {body}", names.join(", "));
                }
                let inner = format!(
                    "lambda {}: {}",
                    py.join(", "),
                    self.expr(body, &ExprCtx::default())
                );
                let key_arg = if *takes_key {
                    format!("{key}, ")
                } else {
                    String::new()
                };
                format!("{head}: ({inner})({key_arg}{start}, {rec})")
            }
            Reducer::Callback {
                callback: Callback::Expr(f),
                takes_key,
            } => {
                let key_arg = if *takes_key {
                    format!("{key}, ")
                } else {
                    String::new()
                };
                let (f, _) = self.expr_prec(f, &ExprCtx::default());
                format!("{head}: ({f})({key_arg}{start}, {rec})")
            }
        }
    }

    fn terminal(&mut self, p: &Pipeline, read: KeysRead) {
        let t = &p.terminal;
        let ctx = ExprCtx::default();
        let mut args: Vec<String> = Vec::new();
        let e = |me: &mut Self, x: &Option<Box<TExpr>>| x.as_deref().map(|x| me.expr(x, &ctx));
        let kind = t.kind();
        match (&p.reader, kind) {
            (
                Reader::Keys {
                    pattern,
                    no_scan,
                    read_value,
                    ..
                },
                TerminalKind::Run,
            ) => {
                if let Some(p) = e(self, pattern) {
                    args.push(p);
                }
                kw(&mut args, "noScan", e(self, no_scan));
                let read_value = *read_value && read == KeysRead::Records;
                if read != KeysRead::KeyNames {
                    kw(
                        &mut args,
                        "readValue",
                        (!read_value).then(|| "False".to_string()),
                    );
                }
            }
            (
                Reader::Keys {
                    pattern,
                    read_value,
                    key_types,
                    event_types,
                    commands,
                    ..
                },
                _,
            ) => {
                kw(&mut args, "prefix", e(self, pattern));
                let events = event_types
                    .as_ref()
                    .map(|names| py_list(names.iter().map(|n| n.spelling())));
                kw(&mut args, "eventTypes", events);
                let types = key_types
                    .as_ref()
                    .map(|types| py_list(types.iter().map(|t| t.spelling())));
                kw(&mut args, "keyTypes", types);
                kw(
                    &mut args,
                    "readValue",
                    (!read_value).then(|| "False".to_string()),
                );
                kw(&mut args, "commands", e(self, commands));
            }
            (
                Reader::KeysOnly {
                    pattern,
                    count,
                    no_scan,
                },
                _,
            ) => {
                if let Some(p) = e(self, pattern) {
                    args.push(p);
                }
                kw(&mut args, "count", e(self, count));
                kw(&mut args, "noScan", e(self, no_scan));
            }
            (
                Reader::Stream {
                    pattern, from_id, ..
                },
                TerminalKind::Run,
            ) => {
                if let Some(p) = e(self, pattern) {
                    args.push(p);
                }
                // RedisGears reads the entries after `fromId`; `from_id` names the first one.
                let from_id = e(self, from_id).map(|id| {
                    self.uses.id_before = true;
                    format!("gearc_id_before({id})")
                });
                kw(&mut args, "fromId", from_id);
            }
            (
                Reader::Stream {
                    pattern,
                    batch,
                    duration,
                    trim_stream,
                    ..
                },
                _,
            ) => {
                kw(&mut args, "prefix", e(self, pattern));
                kw(&mut args, "batch", e(self, batch));
                kw(&mut args, "duration", e(self, duration));
                kw(&mut args, "trimStream", e(self, trim_stream));
            }
            (Reader::Python { source, per_shard }, _) => {
                let iterable = match source {
                    GeneratorSource::Function(name) => format!("{}()", self.names.global(name)),
                    GeneratorSource::Iterable(x) => self.expr_prec(x, &ctx).0,
                };
                // RedisGears calls a non-generator reader function forever: hand it a generator.
                args.push(format!("lambda: (x for x in {iterable})"));
                if !per_shard {
                    // Produce the values once, not once per shard (language.md section 3).
                    kw(&mut args, "mode", Some(py_str(Mode::AsyncLocal.spelling())));
                }
            }
            (Reader::Shards, _) => {}
            (
                Reader::Command {
                    trigger,
                    hook,
                    key_prefix,
                },
                _,
            ) => {
                kw(&mut args, "trigger", e(self, trigger));
                kw(&mut args, "hook", e(self, hook));
                kw(&mut args, "keyprefix", e(self, key_prefix));
            }
        }
        if let Action::Register(r) = &t.action {
            let mode = (r.mode != Mode::GEARS_DEFAULT).then(|| py_str(r.mode.spelling()));
            kw(&mut args, "mode", mode);
            kw(
                &mut args,
                "onRegistered",
                r.on_registered
                    .as_ref()
                    .map(|n| self.names.global(n).to_string()),
            );
            kw(
                &mut args,
                "onFailedPolicy",
                r.on_failed_policy.map(|p| py_str(p.spelling())),
            );
            kw(
                &mut args,
                "onFailedRetryInterval",
                e(self, &r.on_failed_retry_interval),
            );
            if self.options.typed_registrations {
                let envelope = self.envelope(&p.result);
                self.step(format!("map({envelope})"), t.span);
            }
            self.step(format!("register({})", args.join(", ")), t.span);
            return;
        }
        if !self.plain_key_names(p, read) {
            let envelope = self.envelope(&p.result);
            self.step(format!("map({envelope})"), t.span);
        }
        self.step(format!("run({})", args.join(", ")), t.span);
    }

    /// The run's records reach the client unchanged without the JSON envelope: key
    /// names, as the reader made them, from a literal pattern that fixes their first
    /// character (see [`key_name_is_plain`]).
    fn plain_key_names(&self, p: &Pipeline, read: KeysRead) -> bool {
        let pattern = match &p.reader {
            Reader::KeysOnly { pattern, .. } => pattern,
            Reader::Keys { pattern, .. } if read == KeysRead::KeyNames => pattern,
            _ => return false,
        };
        let seeing = ops_seeing_reader_records(&p.ops);
        let unchanged = p.ops.iter().enumerate().all(|(i, op)| {
            passes_records_on(&op.kind)
                || (read == KeysRead::KeyNames && i < seeing && is_key_map(op))
        });
        unchanged
            && pattern
                .as_deref()
                .and_then(literal_first_char)
                .is_some_and(key_name_is_plain)
    }

    /// Typed results: each record travels as a JSON list, so no reply string starts
    /// with "-" or "+" (which RedisGears would turn into an error or status reply).
    /// `json.dumps` sets up an encoder on every call, which costs more than the rest of
    /// a short pipeline: strings and ints, the common results, are written directly,
    /// as exactly the text `json.dumps` gives them (for a `str`, its JSON string is
    /// `encode_basestring_ascii`, the function `json.dumps` itself uses).
    pub(super) fn envelope(&mut self, result: &Type) -> String {
        self.uses.json = true;
        // A set has no JSON form: `gearc_json_default` sends it as a sorted list, so that
        // it prints the same on every run (its iteration order changes between processes).
        let scalar = matches!(
            result,
            Type::Int | Type::Float | Type::Str | Type::Bool | Type::None
        );
        let default = if scalar {
            "str"
        } else {
            self.uses.json_default = true;
            "gearc_json_default"
        };
        let dumps = format!("json.dumps([{RECORD}], default={default})");
        let as_str = format!(
            "\"[\" + json.encoder.encode_basestring_ascii({RECORD}) + \"]\" if type({RECORD}) is str else"
        );
        let as_int = format!("\"[%d]\" % {RECORD} if type({RECORD}) is int else");
        match result {
            Type::Str => format!("lambda {RECORD}: {as_str} {dumps}"),
            Type::Int => format!("lambda {RECORD}: {as_int} {dumps}"),
            Type::Any => format!("lambda {RECORD}: {as_str} {as_int} {dumps}"),
            _ => format!("lambda {RECORD}: {dumps}"),
        }
    }
}

/// A step of the pipeline's statement.
enum Step<'p> {
    /// An operation, and whether it sees key names standing for `keys(…)` records.
    Op(&'p Op, bool),
    /// Operations fused into one function: the step and the span of those operations.
    Fused(String, Span),
}

/// `map(key)` on a `keys(…)` record.
fn is_key_map(op: &Op) -> bool {
    matches!(&op.kind, OpKind::Map(Callback::Expr(e)) if matches!(&e.kind, TExprKind::RecordField(f) if f == "key"))
}

/// What the lowering does to a callback's value before RedisGears sees it.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    AsIs,
    /// The value of a `flatmap`. RedisGears passes anything but a list through as one
    /// record, and emits a list last element first (reference section 0, measured):
    /// hand it the list reversed, so the records come in the list's order. A value that
    /// is statically a `list[T]` is a real Python list (views and ranges are wrapped
    /// where they are made); anything else is made one first. `[::-1]` copies, so the
    /// user's list is left as it was.
    FlatMapped {
        is_list: bool,
    },
}

impl Shape {
    /// `value` is Python text with its precedence.
    fn apply(self, (text, precedence): (String, u8)) -> String {
        match self {
            Shape::AsIs => text,
            Shape::FlatMapped { is_list: true } if precedence >= prec::POSTFIX => {
                format!("{text}[::-1]")
            }
            Shape::FlatMapped { is_list: true } => format!("({text})[::-1]"),
            Shape::FlatMapped { is_list: false } => format!("list({text})[::-1]"),
        }
    }
}

/// A name for an extra parameter that none of `taken` uses.
fn free_name(base: &str, taken: &[String]) -> String {
    let mut n = base.to_string();
    while taken.contains(&n) {
        n.push('_');
    }
    n
}

/// Evaluating the expression again gives a new object: literals and displays of literals.
fn is_fresh(e: &TExpr) -> bool {
    match &e.kind {
        TExprKind::Int(_)
        | TExprKind::Float(_)
        | TExprKind::Str(_)
        | TExprKind::Bool(_)
        | TExprKind::None => true,
        TExprKind::Unary { operand, .. } => is_fresh(operand),
        TExprKind::List(items) => items.iter().all(is_fresh),
        TExprKind::Dict(entries) => entries.iter().all(|(k, v)| is_fresh(k) && is_fresh(v)),
        _ => false,
    }
}

/// A Python list of string literals.
fn py_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(py_str).collect();
    format!("[{}]", items.join(", "))
}

/// Appends `name=value` when there is a value.
fn kw(args: &mut Vec<String>, name: &str, value: Option<String>) {
    if let Some(v) = value {
        args.push(format!("{name}={v}"));
    }
}

/// How to fold the shards' partial results: the given `comb`, else the same named
/// reducer. A lambda with no `comb` is only known to fold records, so there is none:
/// the records are brought together first and folded once.
fn combiner(fold: &Fold, combine: &Option<Reducer>) -> Option<Reducer> {
    match (combine, &fold.reducer) {
        (Some(c), _) => Some(c.clone()),
        (None, Reducer::Named(n)) => Some(Reducer::Named(*n)),
        (None, Reducer::Callback { .. }) => None,
    }
}
