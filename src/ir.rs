//! The typed IR: what the checker proved about a `.gear` file, and all that the
//! lowering needs. Names are resolved (a bare `value` is already a record field),
//! every expression has its type, every reader and operation is its own variant.
//! Names are still the user's: choosing collision-free Python names is lowering's job.

use crate::check::types::Type;
use crate::syntax::ast::{BinaryOp, TerminalKind, UnaryOp};
use crate::syntax::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub requirements: Vec<String>,
    /// Constants, functions and Python blocks, in source order.
    pub definitions: Vec<Definition>,
    pub pipelines: Vec<Pipeline>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Definition {
    Const {
        name: String,
        value: TExpr,
        span: Span,
    },
    Fn {
        name: String,
        params: Vec<String>,
        body: TExpr,
        span: Span,
    },
    /// Verbatim Python, already dedented; `code_span` is the raw text between the quotes.
    Python {
        code: String,
        /// Its top-level `def` and `NAME =` names (they keep their names in Python).
        names: Vec<String>,
        span: Span,
        code_span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub reader: Reader,
    pub reader_span: Span,
    pub ops: Vec<Op>,
    pub terminal: Terminal,
    /// The type of each record the pipeline produces.
    pub result: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Reader {
    Keys {
        pattern: Option<TExpr>,
        no_scan: Option<TExpr>,
        read_value: Option<TExpr>,
        /// Static key types to keep (`key_types`); for `run` the lowering filters on them.
        key_types: Vec<String>,
        key_types_expr: Option<TExpr>,
        event_types: Option<TExpr>,
        commands: Option<TExpr>,
        /// Statically known `read_value = false`.
        reads_value: bool,
    },
    KeysOnly {
        pattern: Option<TExpr>,
        count: Option<TExpr>,
        no_scan: Option<TExpr>,
    },
    Stream {
        pattern: Option<TExpr>,
        from_id: Option<TExpr>,
        batch: Option<TExpr>,
        duration: Option<TExpr>,
        trim_stream: Option<TExpr>,
    },
    Python {
        source: GeneratorSource,
        per_shard: bool,
    },
    Shards,
    Command {
        trigger: Option<TExpr>,
        hook: Option<TExpr>,
        key_prefix: Option<TExpr>,
    },
}

impl Reader {
    /// The RedisGears reader name.
    pub fn gears_name(&self) -> &'static str {
        match self {
            Reader::Keys { .. } => "KeysReader",
            Reader::KeysOnly { .. } => "KeysOnlyReader",
            Reader::Stream { .. } => "StreamReader",
            Reader::Python { .. } => "PythonReader",
            Reader::Shards => "ShardsIDReader",
            Reader::Command { .. } => "CommandReader",
        }
    }
}

/// What a `python(…)` reader iterates.
#[derive(Clone, Debug, PartialEq)]
pub enum GeneratorSource {
    /// A `fn`/`def` of arity 0, called on the shard.
    Function(String),
    /// Any iterable expression.
    Iterable(TExpr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    pub kind: OpKind,
    /// The whole stage, `map(int(value))`.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OpKind {
    Map(Callback),
    /// `to_list`: the callback's value is not statically a Python list, so it is wrapped in `list()`.
    FlatMap {
        callback: Callback,
        to_list: bool,
    },
    Filter(Callback),
    Foreach(Callback),
    Accumulate(Fold),
    LocalGroupBy {
        key: Callback,
        fold: Fold,
    },
    GroupBy {
        key: Callback,
        fold: Fold,
    },
    BatchGroupBy {
        key: Callback,
        reducer: Callback,
    },
    Aggregate {
        fold: Fold,
        combine: Option<Reducer>,
    },
    AggregateBy {
        key: Callback,
        fold: Fold,
        combine: Option<Reducer>,
    },
    Repartition(Callback),
    Collect,
    Limit {
        length: TExpr,
        offset: Option<TExpr>,
    },
    Sort {
        reverse: bool,
    },
    Distinct,
    Count,
    CountBy(Option<Callback>),
    Avg(Option<Callback>),
}

/// A zero and a reducer: `aggregate(0, add)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fold {
    pub zero: TExpr,
    pub reducer: Reducer,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Reducer {
    /// `add`, `mul`, `min`, `max`
    Named(NamedReducer),
    /// A lambda, or a `fn`/`def` name: with 2 parameters `(acc, record)`, or with
    /// `takes_key` 3 parameters `(key, acc, record)`.
    Callback { callback: Callback, takes_key: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedReducer {
    Add,
    Mul,
    Min,
    Max,
}

impl NamedReducer {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "add" => NamedReducer::Add,
            "mul" => NamedReducer::Mul,
            "min" => NamedReducer::Min,
            "max" => NamedReducer::Max,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            NamedReducer::Add => "add",
            NamedReducer::Mul => "mul",
            NamedReducer::Min => "min",
            NamedReducer::Max => "max",
        }
    }
}

/// Something RedisGears calls back.
#[derive(Clone, Debug, PartialEq)]
pub enum Callback {
    /// An expression over the current record (`it`, or its fields by bare name).
    Expr(TExpr),
    /// A `fn` or Python `def`, handed over as is.
    Function { name: String, span: Span },
    Lambda {
        params: Vec<String>,
        body: TExpr,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Terminal {
    pub kind: TerminalKind,
    pub span: Span,
    pub mode: Option<String>,
    pub desc: Option<TExpr>,
    pub on_registered: Option<String>,
    pub on_failed_policy: Option<String>,
    pub on_failed_retry_interval: Option<TExpr>,
    /// For a `run`: what `gearc run` prints when RedisGears returns no record.
    pub empty_result: Option<EmptyResult>,
}

/// The result of `count`/`aggregate` over no records, which RedisGears leaves out.
#[derive(Clone, Debug, PartialEq)]
pub enum EmptyResult {
    Count,
    /// The zero of an `aggregate`, when it is a literal the client can print.
    Zero(serde_json::Value),
}

/// A typed expression.
#[derive(Clone, Debug, PartialEq)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TExprKind {
    Int(i64),
    Float(f64),
    Str(String),
    FStr(Vec<FStrPart>),
    Bool(bool),
    None,
    /// The current record.
    Record,
    /// A field of the current record by bare name: `value` → `it["value"]`.
    RecordField(String),
    /// A parameter of the enclosing `fn` or lambda.
    Local(String),
    /// A `let` constant, a `fn` or a Python-block name.
    Global(String),
    List(Vec<TExpr>),
    Dict(Vec<(TExpr, TExpr)>),
    Unary {
        op: UnaryOp,
        operand: Box<TExpr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<TExpr>,
        rhs: Box<TExpr>,
    },
    If {
        cond: Box<TExpr>,
        then: Box<TExpr>,
        otherwise: Box<TExpr>,
    },
    Lambda {
        params: Vec<String>,
        body: Box<TExpr>,
    },
    /// A call of a user function (`fn` or `def`) by name.
    CallFunction {
        name: String,
        args: Vec<TArg>,
    },
    /// A call of a builtin.
    CallBuiltin {
        builtin: Builtin,
        args: Vec<TArg>,
    },
    /// A call of some other value (an `any`).
    CallValue {
        callee: Box<TExpr>,
        args: Vec<TArg>,
    },
    /// `x.name` on a record, dict or any: `x["name"]`.
    Member {
        target: Box<TExpr>,
        name: String,
    },
    Method {
        target: Box<TExpr>,
        name: String,
        args: Vec<TArg>,
        /// `dict.keys()` and friends return views in Python; wrap them so they are lists.
        to_list: bool,
    },
    Index {
        target: Box<TExpr>,
        index: Box<TExpr>,
    },
    Slice {
        target: Box<TExpr>,
        start: Option<Box<TExpr>>,
        end: Option<Box<TExpr>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum FStrPart {
    Text(String),
    Expr(TExpr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TArg {
    Positional(TExpr),
    Named(String, TExpr),
    Spread(TExpr),
}

impl TArg {
    pub fn expr(&self) -> &TExpr {
        match self {
            TArg::Positional(e) | TArg::Named(_, e) | TArg::Spread(e) => e,
        }
    }
}

/// The builtins of language.md section 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Int,
    Float,
    Str,
    Bool,
    Len,
    Abs,
    Round,
    Min,
    Max,
    Sum,
    Sorted,
    List,
    Set,
    Range,
    Pairs,
    Json,
    ParseJson,
    Execute,
    Log,
    Hashtag,
    ConfigGet,
    GearsConfigGet,
    Time,
}
