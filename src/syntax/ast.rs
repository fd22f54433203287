//! The untyped syntax tree of a `.gear` file, as written, with a span on every node.
//!
//! The parser builds it; the checker (`crate::check`) turns it into the typed IR.
//! Nothing here knows about types, readers or operations: a stage is just a name
//! with arguments, so that "unknown reader" is the checker's error, with a suggestion.

use super::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    /// `requirements "requests", "numpy==1.26"`
    Requirements(Vec<StrLit>),
    /// `let LIMIT = 100`
    Let {
        name: Ident,
        value: Expr,
    },
    /// `fn double(x) = x * 2`
    Fn {
        name: Ident,
        params: Vec<Ident>,
        body: Expr,
    },
    /// `python """ … """`: the raw text between the quotes, not yet dedented.
    Python {
        code: String,
        code_span: Span,
    },
    Pipeline(Pipeline),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// `reader | op | op | terminal`. The terminal is missing when the user forgot it
/// (the checker reports that, with the pipeline's span).
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub reader: Stage,
    pub ops: Vec<Stage>,
    pub terminal: Option<Terminal>,
    pub span: Span,
}

/// A reader or an operation: `keys("*-fighter")`, `count`, `map(int(value))`.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: Ident,
    pub args: Vec<Arg>,
    pub span: Span,
}

/// `run` or `register`: a word of the language, spelled in the IR's vocabulary.
pub use crate::ir::TerminalKind;

/// `run`, `run(…)`, `register`, `register(mode = "sync")`.
#[derive(Clone, Debug, PartialEq)]
pub struct Terminal {
    pub kind: TerminalKind,
    /// The span of the keyword alone.
    pub keyword_span: Span,
    pub args: Vec<Arg>,
    pub span: Span,
}

/// An argument of a call, stage or terminal.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// `expr`
    Positional(Expr),
    /// `name = expr`
    Named { name: Ident, value: Expr },
    /// `...expr` (spread a list into positional arguments)
    Spread { value: Expr, span: Span },
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Positional(e) => e.span,
            Arg::Named { name, value } => name.span.to(value.span),
            Arg::Spread { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `42`, `1_000_000` (a leading `-` is a `Unary` node).
    Int(i64),
    /// `3.14`, `1e-3`; always finite.
    Float(f64),
    /// A string literal with its escapes resolved.
    Str(String),
    /// `f"expired:{hashtag()}"`
    FStr(Vec<FStrPart>),
    Bool(bool),
    None,
    /// The current record.
    It,
    /// A bare name: a field of the record, a constant, a function, a builtin.
    Name(String),
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Unary {
        op: UnaryOp,
        op_span: Span,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `if cond then a else b`
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `|acc, r| acc + r`
    Lambda {
        params: Vec<Ident>,
        body: Box<Expr>,
    },
    /// `callee(args…)`; `callee` is usually a `Name`.
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `target.name`
    Field {
        target: Box<Expr>,
        name: Ident,
    },
    /// `target.name(args…)`
    Method {
        target: Box<Expr>,
        name: Ident,
        args: Vec<Arg>,
    },
    /// `target[index]`
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `target[start:end]`, either bound optional.
    Slice {
        target: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum FStrPart {
    /// Literal text, with escapes and `{{`/`}}` already resolved.
    Text(String),
    /// `{expr}`
    Expr(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
}

impl BinaryOp {
    /// The operator as the user wrote it (and as Python spells it).
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::FloorDiv => "//",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "**",
        }
    }
}
