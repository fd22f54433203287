//! Arguments that must be known at compile time (`read_value`, `key_types`, `mode`,
//! …): they decide a record type or a rule the checker enforces, so they are literals,
//! or `let` constants made of literals. Words of a vocabulary are parsed here, with a
//! suggestion when they are misspelt.

use super::error::CheckError;
use super::suggest;
use super::Checker;
use crate::ir::{TExpr, TExprKind, Word};
use crate::syntax::Span;

impl Checker<'_> {
    pub(super) fn literal_bool(&mut self, t: &TExpr, what: &str) -> Option<bool> {
        match (&t.kind, self.constant(t)) {
            (TExprKind::Bool(b), _) => Some(*b),
            (_, Some(serde_json::Value::Bool(b))) => Some(b),
            _ => {
                self.require_literal(t, what, "`true` or `false`");
                None
            }
        }
    }

    pub(super) fn require_literal(&mut self, t: &TExpr, what: &str, example: &str) {
        self.error(CheckError::NotALiteral {
            name: what.to_string(),
            span: t.span,
            help: format!("gearc reads it at compile time: write {example}"),
        });
    }

    /// A list of strings written out, or a `let` constant holding one: each string
    /// with the span to report it at (the constant's use for a constant).
    pub(super) fn literal_strings(
        &mut self,
        t: &TExpr,
        what: &str,
        example: &str,
    ) -> Option<Vec<(String, Span)>> {
        if let TExprKind::List(items) = &t.kind {
            let mut out = Vec::new();
            for item in items {
                match &item.kind {
                    TExprKind::Str(s) => out.push((s.clone(), item.span)),
                    _ => self.require_literal(item, what, "string literals"),
                }
            }
            return Some(out);
        }
        if let Some(serde_json::Value::Array(items)) = self.constant(t) {
            let strings: Option<Vec<(String, Span)>> = items
                .iter()
                .map(|i| i.as_str().map(|s| (s.to_string(), t.span)))
                .collect();
            if strings.is_some() {
                return strings;
            }
        }
        self.require_literal(t, what, example);
        None
    }

    /// The value of a `let` constant made of literals.
    fn constant(&self, t: &TExpr) -> Option<serde_json::Value> {
        let TExprKind::Global(name) = &t.kind else {
            return None;
        };
        self.globals.get(name)?.global.literal()
    }

    /// A word of vocabulary `W` written as a string literal (or a `let` constant of one).
    pub(super) fn literal_word<W: Word>(&mut self, t: &TExpr, arg: &str) -> Option<W> {
        let word = match (&t.kind, self.constant(t)) {
            (TExprKind::Str(s), _) => s.clone(),
            (_, Some(serde_json::Value::String(s))) => s,
            _ => {
                self.error(CheckError::NotALiteral {
                    name: arg.to_string(),
                    span: t.span,
                    help: format!(
                        "gearc reads it at compile time: write one of {}",
                        quoted(&W::spellings())
                    ),
                });
                return None;
            }
        };
        self.word::<W>(&word, t.span)
    }

    /// `word` as a word of `W`, or reported at `span` with the nearest spelling.
    pub(super) fn word<W: Word>(&mut self, word: &str, span: Span) -> Option<W> {
        let parsed = W::parse(word);
        if parsed.is_none() {
            self.error(CheckError::InvalidValue {
                what: W::KIND.to_string(),
                value: word.to_string(),
                span,
                help: enum_help(word, &W::spellings()),
            });
        }
        parsed
    }
}

/// "did you mean …?" among `allowed`, listing them all.
pub(super) fn enum_help(value: &str, allowed: &[&str]) -> String {
    match suggest::nearest(value, allowed.iter().copied()) {
        Some(s) => format!("did you mean \"{s}\"? (one of {})", quoted(allowed)),
        None => format!("expected one of {}", quoted(allowed)),
    }
}

/// `"a", "b", "c"`
fn quoted(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    quoted.join(", ")
}
