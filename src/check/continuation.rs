//! A line that forgot its leading `|`, glued back onto the pipeline above.

use super::error::CheckError;
use super::Checker;
use crate::ir::{Operation, ReaderKind, Word};
use crate::syntax::ast;

impl Checker<'_> {
    /// A line that goes on with an operation but forgot its leading `|` parses as a
    /// pipeline of its own, with an operation for a reader, and leaves the pipeline
    /// above without a terminal. Such lines are glued back on (one error each, at the
    /// operation), so that the whole pipeline is checked as the user meant it.
    /// Returns the whole pipeline and how many items were glued on.
    pub(super) fn join_continuations(
        &mut self,
        p: &ast::Pipeline,
        rest: &[ast::Pipeline],
    ) -> Option<(ast::Pipeline, usize)> {
        let mut whole: Option<ast::Pipeline> = None;
        let mut glued = 0;
        for next in rest {
            let current = whole.as_ref().unwrap_or(p);
            if !continues(current, next) {
                break;
            }
            let name = next.reader.name.name.as_str();
            self.error(CheckError::MissingPipe {
                op: name.to_string(),
                span: next.reader.name.span,
                pipeline: p.reader.span,
            });
            let mut ops = current.ops.clone();
            ops.push(next.reader.clone());
            ops.extend(next.ops.iter().cloned());
            whole = Some(ast::Pipeline {
                reader: current.reader.clone(),
                ops,
                terminal: next.terminal.clone(),
                span: current.span.to(next.span),
            });
            glued += 1;
        }
        whole.map(|w| (w, glued))
    }
}

/// Whether `next` is a line that goes on with `current`: `current` has no terminal yet
/// and `next` starts with an operation, not a reader.
pub(super) fn continues(current: &ast::Pipeline, next: &ast::Pipeline) -> bool {
    let name = next.reader.name.name.as_str();
    current.terminal.is_none()
        && ReaderKind::parse(name).is_none()
        && Operation::parse(name).is_some()
}
