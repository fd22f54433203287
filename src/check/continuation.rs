//! A line that forgot its leading `|`, glued back onto the pipeline above.

use super::error::CheckError;
use super::Checker;
use crate::ir::{Operation, ReaderKind, Word};
use crate::syntax::ast::{self, ItemKind};

impl Checker {
    /// A line that goes on with an operation but forgot its leading `|` parses as a
    /// pipeline of its own, with an operation for a reader, and leaves the pipeline
    /// above without a terminal. Such lines are glued back on (one error each, at the
    /// operation), so that the whole pipeline is checked as the user meant it.
    /// Returns the whole pipeline and how many items were glued on.
    pub(super) fn join_continuations(
        &mut self,
        p: &ast::Pipeline,
        rest: &[ast::Item],
    ) -> Option<(ast::Pipeline, usize)> {
        let mut whole: Option<ast::Pipeline> = None;
        let mut glued = 0;
        for item in rest {
            let current = whole.as_ref().unwrap_or(p);
            let ItemKind::Pipeline(next) = &item.kind else {
                break;
            };
            let name = next.reader.name.name.as_str();
            if current.terminal.is_some()
                || ReaderKind::parse(name).is_some()
                || Operation::parse(name).is_none()
            {
                break;
            }
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
