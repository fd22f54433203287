//! pest pairs → AST nodes, with spans in the original source.

use std::cell::{Cell, RefCell};
use std::iter::Peekable;

use pest::iterators::{Pair, Pairs};

use super::ast::{
    Arg, BinaryOp, Expr, ExprKind, FStrPart, Ident, Item, ItemKind, Pipeline, Stage, StrLit,
    Terminal, TerminalKind, UnaryOp,
};
use super::error::SyntaxError;
use super::literal;
use super::parser::fast::Rule;
use super::span::Span;
use crate::ir::Word;

/// How an operator pair of a `pratt_expr` combines, and how tightly it binds: the
/// operators by precedence, lowest first (language.md section 5). Lambda and if/else
/// are lower still, but they are grammar forms, not operators.
#[derive(Clone, Copy)]
enum Affix {
    Prefix,
    Infix { right: bool },
    Postfix,
}

fn affix(rule: Rule) -> Option<(Affix, u8)> {
    let left = Affix::Infix { right: false };
    Some(match rule {
        Rule::op_or => (left, 1),
        Rule::op_and => (left, 2),
        Rule::op_not => (Affix::Prefix, 3),
        Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_le
        | Rule::op_gt
        | Rule::op_ge
        | Rule::op_in
        | Rule::op_not_in => (left, 4),
        Rule::op_add | Rule::op_sub => (left, 5),
        Rule::op_mul | Rule::op_div | Rule::op_floordiv | Rule::op_mod => (left, 6),
        Rule::op_neg => (Affix::Prefix, 7),
        Rule::op_pow => (Affix::Infix { right: true }, 8),
        Rule::call_args | Rule::member | Rule::subscript => (Affix::Postfix, 9),
        _ => return None,
    })
}

/// How deep an expression tree may be. Later stages walk the tree
/// recursively, so a limit here keeps a hostile input from overflowing the
/// stack; real expressions stay far below it.
pub(crate) const MAX_DEPTH: usize = 100;

/// The most operands and operators one operator chain may have: the Pratt parser
/// (`Builder::binding`) recurses once per prefix or right-associative operator.
const MAX_CHAIN: usize = 4 * MAX_DEPTH;

/// The most operations one pipeline may have. A Gear operation lowers to at most
/// three RedisGears steps, chained in one Python expression whose every call nests the
/// next; CPython 3.7 (and 3.11) refuses to compile a chain of about 1,490 calls
/// (measured; docs/limits.md), so 400 operations stay clear of it whatever they are.
pub(crate) const MAX_STEPS: usize = 400;

/// Turns one item's pairs into AST nodes. Literal mistakes (bad escapes,
/// overflowing numbers, misplaced terminals) are collected in `errors` and the
/// node is still built, so that one item can report several of them. Methods
/// return `None` only if the pairs do not have the shape the grammar promises.
pub(crate) struct Builder {
    offset: usize,
    errors: RefCell<Vec<SyntaxError>>,
    /// How many `expr` calls are under way, to bound the recursion.
    nesting: Cell<usize>,
    /// `TooDeep` was reported for this item (once is enough).
    too_deep: Cell<bool>,
}

impl Builder {
    pub(crate) fn new(offset: usize) -> Builder {
        Builder {
            offset,
            errors: RefCell::new(Vec::new()),
            nesting: Cell::new(0),
            too_deep: Cell::new(false),
        }
    }

    /// The item, and the mistakes found while building it.
    pub(crate) fn build(self, pairs: Pairs<'_, Rule>) -> (Option<Item>, Vec<SyntaxError>) {
        let item = self.item(pairs);
        (item, self.errors.into_inner())
    }
    /// The pair's span in the source, without trailing spacing: pest leaves in a
    /// rule the spaces it skipped before an optional part that did not match
    /// (`keys ` in `keys | count`).
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let start = self.offset + pair.as_span().start();
        Span::new(
            start,
            start + pair.as_str().trim_end_matches([' ', '\t']).len(),
        )
    }

    /// The pair's exact span, for raw text whose spacing is content.
    fn raw_span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.offset + s.start(), self.offset + s.end())
    }

    fn error(&self, error: SyntaxError) {
        self.errors.borrow_mut().push(error);
    }

    /// Every new node passes through here: one that would make the tree deeper
    /// than [`MAX_DEPTH`] is reported and replaced by a leaf, so no tree ever
    /// gets deeper than that (and `depth` never recurses further).
    fn limit(&self, expr: Expr) -> Expr {
        if depth(&expr) <= MAX_DEPTH {
            return expr;
        }
        self.too_deep_at(expr.span)
    }

    fn too_deep_at(&self, span: Span) -> Expr {
        if !self.too_deep.replace(true) {
            self.error(SyntaxError::TooDeep { span });
        }
        Expr {
            kind: ExprKind::None,
            span,
        }
    }

    fn item(&self, mut pairs: Pairs<'_, Rule>) -> Option<Item> {
        let item = pairs.next()?.into_inner().next()?;
        let span = self.span(&item);
        let kind = match item.as_rule() {
            Rule::python_block => {
                let code = item
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::python_code)?;
                ItemKind::Python {
                    code: code.as_str().to_owned(),
                    code_span: self.raw_span(&code),
                }
            }
            Rule::requirements => ItemKind::Requirements(
                item.into_inner()
                    .filter(|p| p.as_rule() == Rule::string)
                    .map(|p| self.str_lit(p))
                    .collect::<Option<_>>()?,
            ),
            Rule::let_item => {
                let mut inner = item.into_inner().skip(1);
                let name = self.ident(inner.next()?);
                let value = self.expr(inner.next()?)?;
                ItemKind::Let { name, value }
            }
            Rule::fn_item => {
                let mut inner = item.into_inner().skip(1);
                let name = self.ident(inner.next()?);
                let params = inner.next()?.into_inner().map(|p| self.ident(p)).collect();
                let body = self.expr(inner.next()?)?;
                ItemKind::Fn { name, params, body }
            }
            Rule::pipeline => ItemKind::Pipeline(self.pipeline(item)?),
            _ => return None,
        };
        Some(Item { kind, span })
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(&pair),
        }
    }

    fn pipeline(&self, pair: Pair<'_, Rule>) -> Option<Pipeline> {
        let span = self.span(&pair);
        let mut stages = Vec::new();
        let mut terminals = Vec::new();
        let mut pipes = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::pipe => pipes.push(self.span(&p)),
                Rule::stage => stages.push((pipes.len(), self.stage(p)?)),
                Rule::terminal => terminals.push((pipes.len(), self.terminal(p)?)),
                _ => return None,
            }
        }
        let last = pipes.len();
        for (index, terminal) in &terminals {
            let keyword = terminal.kind.spelling().to_owned();
            if *index == 0 {
                self.error(SyntaxError::MissingReader {
                    span: terminal.keyword_span,
                    keyword,
                });
            } else if *index != last {
                self.error(SyntaxError::TerminalNotLast {
                    keyword,
                    span: terminal.span,
                    rest: Span::new(pipes.get(*index)?.start, span.end),
                });
            }
        }
        if let Some((_, step)) = stages.get(MAX_STEPS + 1) {
            // the reader is stage 0, so this is operation MAX_STEPS + 1
            self.error(SyntaxError::TooManySteps {
                max: MAX_STEPS,
                span: step.span,
            });
        }
        let mut stages = stages.into_iter().map(|(_, s)| s);
        let reader = match stages.next() {
            Some(reader) => reader,
            // Only terminals: `MissingReader` was reported; build a stand-in.
            None => Stage {
                name: Ident {
                    name: String::new(),
                    span: Span::new(span.start, span.start),
                },
                args: Vec::new(),
                span: Span::new(span.start, span.start),
            },
        };
        Some(Pipeline {
            reader,
            ops: stages.collect(),
            terminal: terminals.pop().map(|(_, t)| t),
            span,
        })
    }

    fn stage(&self, pair: Pair<'_, Rule>) -> Option<Stage> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(inner.next()?);
        let args = match inner.next() {
            Some(args) => self.args(args)?,
            None => Vec::new(),
        };
        Some(Stage { name, args, span })
    }

    fn terminal(&self, pair: Pair<'_, Rule>) -> Option<Terminal> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let keyword = inner.next()?;
        let kind = match keyword.as_rule() {
            Rule::kw_run => TerminalKind::Run,
            Rule::kw_register => TerminalKind::Register,
            _ => return None,
        };
        let args = match inner.next() {
            Some(args) => self.args(args)?,
            None => Vec::new(),
        };
        Some(Terminal {
            kind,
            keyword_span: self.span(&keyword),
            args,
            span,
        })
    }

    /// The arguments of a `call_args` pair.
    fn args(&self, pair: Pair<'_, Rule>) -> Option<Vec<Arg>> {
        exact(pair.into_inner().map(|arg| match arg.as_rule() {
            Rule::spread => {
                let span = self.span(&arg);
                let value = self.expr(arg.into_inner().next()?)?;
                Some(Arg::Spread { value, span })
            }
            Rule::named_arg => {
                let mut inner = arg.into_inner();
                let name = self.ident(inner.next()?);
                let value = self.expr(inner.next()?)?;
                Some(Arg::Named { name, value })
            }
            _ => Some(Arg::Positional(self.expr(arg)?)),
        }))
    }

    fn expr(&self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        if self.nesting.get() >= MAX_DEPTH {
            return Some(self.too_deep_at(span));
        }
        self.nesting.set(self.nesting.get() + 1);
        let expr = self.expr_inner(pair, span);
        self.nesting.set(self.nesting.get() - 1);
        expr.map(|e| self.limit(e))
    }

    fn expr_inner(&self, pair: Pair<'_, Rule>, span: Span) -> Option<Expr> {
        let inner = pair.into_inner().next()?;
        match inner.as_rule() {
            Rule::lambda => {
                let mut parts = inner.into_inner();
                let params = parts.next()?.into_inner().map(|p| self.ident(p)).collect();
                let body = Box::new(self.expr(parts.next()?)?);
                Some(Expr {
                    kind: ExprKind::Lambda { params, body },
                    span,
                })
            }
            Rule::if_expr => {
                let mut branches = inner.into_inner().filter(|p| p.as_rule() == Rule::expr);
                let cond = Box::new(self.expr(branches.next()?)?);
                let then = Box::new(self.expr(branches.next()?)?);
                let otherwise = Box::new(self.expr(branches.next()?)?);
                Some(Expr {
                    kind: ExprKind::If {
                        cond,
                        then,
                        otherwise,
                    },
                    span,
                })
            }
            Rule::pratt_expr => self.pratt(inner.into_inner()),
            _ => None,
        }
    }

    /// `-9223372036854775808` is `i64::MIN`: the literal alone was reported too
    /// large (`literal::int`), under the minus it fits, so the two become one
    /// literal and the report is taken back.
    fn negate_min(&self, op_span: Span, operand: &Expr) -> Option<Expr> {
        if operand.kind != ExprKind::Int(i64::MIN) {
            return None;
        }
        let mut errors = self.errors.borrow_mut();
        let reported = errors.iter().rposition(
            |e| matches!(e, SyntaxError::IntegerTooLarge { span } if *span == operand.span),
        )?;
        errors.remove(reported);
        Some(Expr {
            span: op_span.to(operand.span),
            kind: ExprKind::Int(i64::MIN),
        })
    }

    fn pratt(&self, pairs: Pairs<'_, Rule>) -> Option<Expr> {
        if pairs.len() > MAX_CHAIN {
            let first = pairs.peek()?;
            let last = pairs.last()?;
            return Some(self.too_deep_at(self.span(&first).to(self.span(&last))));
        }
        self.binding(&mut pairs.peekable(), 0)
    }

    /// Pratt parsing of a `pratt_expr`'s flat pairs (operands and operators) into a
    /// tree: the operand and then every operator that binds tighter than `min`. pest's
    /// own Pratt parser boxes its four closures on every call, a quarter of a large
    /// file's allocations; this does the same without them. Every pair is consumed
    /// even when a part is missing (`None`), as pest's does.
    fn binding(&self, pairs: &mut Peekable<Pairs<'_, Rule>>, min: u8) -> Option<Expr> {
        let first = pairs.next()?;
        let mut lhs = match affix(first.as_rule()) {
            Some((Affix::Prefix, prec)) => {
                let operand = self.binding(pairs, prec - 1);
                self.prefix(first, operand?)
            }
            Some(_) => None,
            None => self.primary(first).map(|e| self.limit(e)),
        };
        while let Some((kind, prec)) = pairs.peek().and_then(|op| affix(op.as_rule())) {
            if prec <= min {
                break;
            }
            let op = pairs.next()?;
            lhs = match kind {
                Affix::Infix { right } => {
                    let rhs = self.binding(pairs, if right { prec - 1 } else { prec });
                    self.infix(lhs?, op, rhs?)
                }
                Affix::Postfix => self.postfix(lhs?, op).map(|e| self.limit(e)),
                Affix::Prefix => None,
            };
        }
        lhs
    }

    fn prefix(&self, op: Pair<'_, Rule>, operand: Expr) -> Option<Expr> {
        let op_span = self.span(&op);
        let op = match op.as_rule() {
            Rule::op_neg => UnaryOp::Neg,
            Rule::op_not => UnaryOp::Not,
            _ => return None,
        };
        if op == UnaryOp::Neg {
            if let Some(folded) = self.negate_min(op_span, &operand) {
                return Some(folded);
            }
        }
        Some(self.limit(Expr {
            span: op_span.to(operand.span),
            kind: ExprKind::Unary {
                op,
                op_span,
                operand: Box::new(operand),
            },
        }))
    }

    fn infix(&self, lhs: Expr, op: Pair<'_, Rule>, rhs: Expr) -> Option<Expr> {
        Some(self.limit(Expr {
            span: lhs.span.to(rhs.span),
            kind: ExprKind::Binary {
                op: binary_op(op.as_rule())?,
                op_span: self.span(&op),
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
        }))
    }

    fn postfix(&self, target: Expr, op: Pair<'_, Rule>) -> Option<Expr> {
        let span = target.span.to(self.span(&op));
        let target = Box::new(target);
        let kind = match op.as_rule() {
            Rule::call_args => ExprKind::Call {
                callee: target,
                args: self.args(op)?,
            },
            Rule::member => {
                let mut inner = op.into_inner();
                let name = self.ident(inner.next()?);
                match inner.next() {
                    Some(args) => ExprKind::Method {
                        target,
                        name,
                        args: self.args(args)?,
                    },
                    None => ExprKind::Field { target, name },
                }
            }
            Rule::subscript => self.subscript(target, op.into_inner())?,
            _ => return None,
        };
        Some(Expr { kind, span })
    }

    /// `[i]`, `[a:b]`, `[a:]`, `[:b]`, `[:]`: the colon's position tells the
    /// bounds apart.
    fn subscript(&self, target: Box<Expr>, inner: Pairs<'_, Rule>) -> Option<ExprKind> {
        let mut start = None;
        let mut end = None;
        let mut colon = false;
        for p in inner {
            match p.as_rule() {
                Rule::slice_colon => colon = true,
                Rule::expr if colon => end = Some(Box::new(self.expr(p)?)),
                Rule::expr => start = Some(Box::new(self.expr(p)?)),
                _ => return None,
            }
        }
        if colon {
            Some(ExprKind::Slice { target, start, end })
        } else {
            Some(ExprKind::Index {
                target,
                index: start?,
            })
        }
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::paren => {
                // No node for parentheses: the inner expression takes their span,
                // so that `(a + b) * c` covers the `(`.
                let inner = self.expr(pair.into_inner().next()?)?;
                return Some(Expr {
                    kind: inner.kind,
                    span,
                });
            }
            Rule::list => ExprKind::List(exact(pair.into_inner().map(|p| self.expr(p)))?),
            Rule::dict => ExprKind::Dict(exact(pair.into_inner().map(|entry| {
                let mut kv = entry.into_inner();
                Some((self.expr(kv.next()?)?, self.expr(kv.next()?)?))
            }))?),
            Rule::string => ExprKind::Str(self.str_lit(pair)?.value),
            Rule::fstring => ExprKind::FStr(self.fstring(pair)?),
            Rule::int => ExprKind::Int(literal::int(
                pair.as_str(),
                span,
                &mut self.errors.borrow_mut(),
            )),
            Rule::float => ExprKind::Float(literal::float(
                pair.as_str(),
                span,
                &mut self.errors.borrow_mut(),
            )),
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::kw_none => ExprKind::None,
            Rule::kw_it => ExprKind::It,
            Rule::ident => ExprKind::Name(pair.as_str().to_owned()),
            _ => return None,
        };
        Some(Expr { kind, span })
    }

    fn str_lit(&self, pair: Pair<'_, Rule>) -> Option<StrLit> {
        let span = self.span(&pair);
        let body = pair.into_inner().next()?;
        let offset = self.raw_span(&body).start;
        let value = literal::unescape(body.as_str(), offset, false, &mut self.errors.borrow_mut());
        Some(StrLit { value, span })
    }

    fn fstring(&self, pair: Pair<'_, Rule>) -> Option<Vec<FStrPart>> {
        let mut parts: Vec<FStrPart> = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::fstr_text => {
                    let offset = self.raw_span(&part).start;
                    let text = literal::unescape(
                        part.as_str(),
                        offset,
                        true,
                        &mut self.errors.borrow_mut(),
                    );
                    match parts.last_mut() {
                        Some(FStrPart::Text(prev)) => prev.push_str(&text),
                        _ => parts.push(FStrPart::Text(text)),
                    }
                }
                Rule::fstr_expr => {
                    let expr = self.expr(part.into_inner().next()?)?;
                    parts.push(FStrPart::Expr(expr));
                }
                _ => return None,
            }
        }
        Some(parts)
    }
}

/// The items, or `None` if one is missing, in a vector of exactly their number:
/// `collect` into `Option<Vec<_>>` cannot know it and starts at four, and the
/// AST of a large file is mostly argument lists of one or two.
fn exact<T>(items: impl ExactSizeIterator<Item = Option<T>>) -> Option<Vec<T>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(item?);
    }
    Some(out)
}

fn binary_op(rule: Rule) -> Option<BinaryOp> {
    Some(match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::NotEq,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::LtEq,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::GtEq,
        Rule::op_in => BinaryOp::In,
        Rule::op_not_in => BinaryOp::NotIn,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        Rule::op_floordiv => BinaryOp::FloorDiv,
        Rule::op_mod => BinaryOp::Mod,
        Rule::op_pow => BinaryOp::Pow,
        _ => return None,
    })
}

/// The height of an expression tree. Trees are kept within [`MAX_DEPTH`] +
/// 1 as they are built (see `Builder::limit`), which bounds this recursion.
fn depth(expr: &Expr) -> usize {
    let args = |args: &[Arg]| {
        args.iter()
            .map(|a| match a {
                Arg::Positional(value) | Arg::Named { value, .. } | Arg::Spread { value, .. } => {
                    depth(value)
                }
            })
            .max()
            .unwrap_or(0)
    };
    let below = match &expr.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::None
        | ExprKind::It
        | ExprKind::Name(_) => 0,
        ExprKind::FStr(parts) => parts
            .iter()
            .map(|p| match p {
                FStrPart::Text(_) => 0,
                FStrPart::Expr(e) => depth(e),
            })
            .max()
            .unwrap_or(0),
        ExprKind::List(items) => items.iter().map(depth).max().unwrap_or(0),
        ExprKind::Dict(entries) => entries
            .iter()
            .map(|(k, v)| depth(k).max(depth(v)))
            .max()
            .unwrap_or(0),
        ExprKind::Unary { operand, .. } => depth(operand),
        ExprKind::Binary { lhs, rhs, .. } => depth(lhs).max(depth(rhs)),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => depth(cond).max(depth(then)).max(depth(otherwise)),
        ExprKind::Lambda { body, .. } => depth(body),
        ExprKind::Call { callee, args: a } => depth(callee).max(args(a)),
        ExprKind::Field { target, .. } => depth(target),
        ExprKind::Method {
            target, args: a, ..
        } => depth(target).max(args(a)),
        ExprKind::Index { target, index } => depth(target).max(depth(index)),
        ExprKind::Slice { target, start, end } => {
            let bound = |b: &Option<Box<Expr>>| b.as_deref().map_or(0, depth);
            depth(target).max(bound(start)).max(bound(end))
        }
    };
    below + 1
}
