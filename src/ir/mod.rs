//! The typed IR: what the checker proved about a `.gear` file, and all that the
//! lowering needs. Names are resolved (a bare `value` is already a record field),
//! every expression has its type, every reader and operation is its own variant.
//! Names are still the user's: choosing collision-free Python names is lowering's job.
//!
//! The IR keeps meaning, not syntax: a mode is a [`Mode`], key types are [`KeyType`]s.
//! The language's closed vocabularies live here too ([`vocabulary`]), each word with its
//! spelling and its rules, for the checker to parse and the lowering to print.

pub mod events;
pub mod operations;
pub mod python_names;
pub mod readers;
pub mod registration;
pub mod types;
pub mod vocabulary;
mod walk;

pub use events::{EventName, KeyEvent};
pub use operations::Operation;
pub use readers::{KeyType, ReaderKind};
pub use registration::{FailurePolicy, Mode};
pub use types::{Field, Type};
pub use vocabulary::{TerminalKind, Word};

use crate::syntax::ast::{BinaryOp, UnaryOp};
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
        /// Every name it binds at module level: its top-level `def` and `NAME =` names,
        /// which the language can use, and its imports, classes and other bindings,
        /// which it cannot. They keep their names in Python, and nothing gearc writes
        /// may take them.
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

impl Pipeline {
    /// Its records come out in the order a `sort` gave them: the last operation that
    /// decides the order is a `sort`, and what follows it keeps the order (a map, a
    /// filter, a limit…), so a client must not reorder them.
    pub fn is_sorted(&self) -> bool {
        for op in self.ops.iter().rev() {
            match op.kind {
                OpKind::Sort { .. } => return true,
                OpKind::Map(_)
                | OpKind::FlatMap { .. }
                | OpKind::Filter(_)
                | OpKind::Foreach(_)
                | OpKind::Limit { .. }
                | OpKind::Collect => {}
                _ => return false,
            }
        }
        false
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Reader {
    Keys {
        pattern: Option<Box<TExpr>>,
        no_scan: Option<Box<TExpr>>,
        /// `read_value = false` keeps only `key` and `event` in the record.
        read_value: bool,
        /// The key types to keep; for `run` the lowering filters on them.
        key_types: Option<Vec<KeyType>>,
        event_types: Option<Vec<EventName>>,
        commands: Option<Box<TExpr>>,
    },
    KeysOnly {
        pattern: Option<Box<TExpr>>,
        count: Option<Box<TExpr>>,
        no_scan: Option<Box<TExpr>>,
    },
    Stream {
        pattern: Option<Box<TExpr>>,
        from_id: Option<Box<TExpr>>,
        batch: Option<Box<TExpr>>,
        duration: Option<Box<TExpr>>,
        trim_stream: Option<Box<TExpr>>,
    },
    Python {
        source: GeneratorSource,
        per_shard: bool,
    },
    Shards,
    Command {
        trigger: Option<Box<TExpr>>,
        hook: Option<Box<TExpr>>,
        key_prefix: Option<Box<TExpr>>,
    },
}

impl Reader {
    pub fn kind(&self) -> ReaderKind {
        match self {
            Reader::Keys { .. } => ReaderKind::Keys,
            Reader::KeysOnly { .. } => ReaderKind::KeysOnly,
            Reader::Stream { .. } => ReaderKind::Stream,
            Reader::Python { .. } => ReaderKind::Python,
            Reader::Shards => ReaderKind::Shards,
            Reader::Command { .. } => ReaderKind::Command,
        }
    }

    /// The RedisGears reader name.
    pub fn gears_name(&self) -> &'static str {
        self.kind().gears_name()
    }
}

/// What a `python(…)` reader iterates.
#[derive(Clone, Debug, PartialEq)]
pub enum GeneratorSource {
    /// A `fn`/`def` of arity 0, called on the shard.
    Function(String),
    /// Any iterable expression.
    Iterable(Box<TExpr>),
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
    /// `value` is the type of the callback's value (a list, set, str or any).
    FlatMap {
        callback: Callback,
        value: Type,
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
        length: Box<TExpr>,
        offset: Option<Box<TExpr>>,
    },
    Sort {
        by: SortKey,
        reverse: bool,
    },
    Distinct,
    Count,
    CountBy(Option<Callback>),
    Avg(Option<Callback>),
}

/// What `sort` orders the records by.
#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    /// The records themselves: numbers, strings, or lists of them (Python orders lists
    /// element by element).
    Record,
    /// `sort(by = expr)`.
    By(Callback),
    /// A `{key, value}` group record: by its value, then its key.
    GroupValue,
}

/// A zero and a reducer: `aggregate(0, add)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fold {
    pub zero: Box<TExpr>,
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

vocabulary::words! {
    /// The reducers a pipeline may name instead of writing a lambda.
    pub enum NamedReducer ("named reducer") {
        Add = "add",
        Mul = "mul",
        Min = "min",
        Max = "max",
    }
}

vocabulary::words! {
    /// The levels of `log(message, level)`.
    pub enum LogLevel ("log level") {
        Debug = "debug",
        Verbose = "verbose",
        Notice = "notice",
        Warning = "warning",
    }
}

/// Something RedisGears calls back.
#[derive(Clone, Debug, PartialEq)]
pub enum Callback {
    /// An expression over the current record (`it`, or its fields by bare name).
    Expr(Box<TExpr>),
    /// A `fn` or Python `def`, handed over as is.
    Function { name: String, span: Span },
    Lambda {
        params: Vec<String>,
        body: Box<TExpr>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Terminal {
    pub span: Span,
    pub desc: Option<Box<TExpr>>,
    pub action: Action,
}

impl Terminal {
    pub fn kind(&self) -> TerminalKind {
        match self.action {
            Action::Run { .. } => TerminalKind::Run,
            Action::Register(_) => TerminalKind::Register,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Run {
        /// What `gearc run` prints when RedisGears returns no record.
        empty_result: Option<EmptyResult>,
    },
    Register(Registration),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Registration {
    /// The mode the registration runs in (given, or the reader's default).
    pub mode: Mode,
    /// A `fn`/`def` of no parameters.
    pub on_registered: Option<String>,
    pub on_failed_policy: Option<FailurePolicy>,
    pub on_failed_retry_interval: Option<Box<TExpr>>,
}

/// The result of `count`/`aggregate`/`avg` over no records, which RedisGears leaves out.
#[derive(Clone, Debug, PartialEq)]
pub enum EmptyResult {
    Count,
    /// The zero of an `aggregate`, when it is a literal the client can print.
    Zero(serde_json::Value),
    /// `avg` of no records: there is no average, so the one result is `none`
    /// (as SQL's AVG of no rows is NULL, where COUNT is 0).
    NoAverage,
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
        /// Boxed text: with the flag below, a `String` would make every node larger.
        name: Box<str>,
        args: Vec<TArg>,
        /// The callee is a `fn` of the file, whose parameters may have other names in
        /// Python (a named argument is renamed as its parameter is), not a `def`.
        gear_fn: bool,
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
#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    /// A large file's IR is mostly these nodes, all alive until the module is written:
    /// their size is the compiler's memory (docs/performance.md, "Compiler"). Rare or
    /// large parts are boxed (a reader's optional arguments, a callback's expression),
    /// and types are shared, so that an operation is not the size of its largest kind.
    #[test]
    fn ir_nodes_stay_compact() {
        assert!(size_of::<Type>() <= 24, "Type: {}", size_of::<Type>());
        assert!(size_of::<TExpr>() <= 96, "TExpr: {}", size_of::<TExpr>());
        assert!(size_of::<Op>() <= 192, "Op: {}", size_of::<Op>());
        assert!(
            size_of::<Pipeline>() <= 256,
            "Pipeline: {}",
            size_of::<Pipeline>()
        );
    }
}
