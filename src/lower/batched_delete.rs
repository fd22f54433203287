//! Deleting keys by pattern, a SCAN batch at a time:
//! `keys("p:*") | foreach(execute("DEL", key)) | count | run` (or `keys_only(…)` with `it`,
//! or `UNLINK`) becomes a Python reader that deletes each batch of keys SCAN returns with
//! one `DEL`, instead of one `DEL` (and three Python callbacks) per key.
//!
//! Measured on RedisGears 1.2.13, 100k keys (docs/performance.md, "Generated modules"):
//! the per-key form spends its time in the `DEL` of each key and the Python callbacks
//! around it (the reader's yield, the foreach, `count`'s accumulate); the batched module
//! takes about a fifth of the direct GearsBuilder translation's time.
//!
//! What the user sees is the same as with the per-key form:
//! - the count is the number of keys SCAN returned (a key that vanished before its `DEL`
//!   counts, as its record would), summed per batch;
//! - one `DEL` cannot take keys of several hash slots (on a cluster `execute` answers
//!   "Operation not permitted"): the reader then deletes key by key;
//! - a key whose own `DEL` fails is handed to the next step, which deletes it again: its
//!   error is that record's error, at the `foreach` (DEL is refused before it deletes
//!   anything, so trying again changes nothing else). The keys deleted before it are
//!   counted first: a run stops at its first error, and `count` gives what it had.
//!
//! Only a `run` with a literal pattern (or none) and the default SCAN (no `noScan`, no
//! `key_types`, a literal `count` if any): a registration's reader sees one key per event,
//! with nothing to batch.

use super::expr::ExprCtx;
use super::literal::{comment_safe, py_str};
use super::reads::{keys_read, KeysRead};
use super::Lowerer;
use crate::ir::{Action, Builtin, Callback, OpKind, Pipeline, Reader, TArg, TExpr, TExprKind};
use crate::syntax::Span;

/// The record parameter, as in every lambda gearc writes.
const RECORD: &str = "it";

/// A pipeline that deletes the keys it reads and counts them.
pub(super) struct BatchedDelete<'p> {
    /// The SCAN pattern, as Python.
    pattern: String,
    /// SCAN's COUNT, as Python (KeysOnlyReader's default is 1000).
    count: String,
    /// `DEL` or `UNLINK`, as the user spelled it.
    command: &'p str,
    foreach: Span,
    count_op: Span,
}

/// The pipeline is `keys(…) | foreach(execute("DEL", key)) | count | run` or its
/// `keys_only` / `UNLINK` forms, on the default SCAN with a literal pattern.
pub(super) fn batched_delete(p: &Pipeline) -> Option<BatchedDelete<'_>> {
    if !matches!(p.terminal.action, Action::Run { .. }) {
        return None;
    }
    let [foreach, count_op] = p.ops.as_slice() else {
        return None;
    };
    let (OpKind::Foreach(Callback::Expr(call)), OpKind::Count) = (&foreach.kind, &count_op.kind)
    else {
        return None;
    };
    let (pattern, count, key_is_record) = match &p.reader {
        Reader::KeysOnly {
            pattern,
            count,
            no_scan: None,
        } => (pattern, count.as_deref(), true),
        // A run that reads only key names runs on KeysOnlyReader (reads.rs): its SCAN.
        Reader::Keys { pattern, .. } if keys_read(p) == KeysRead::KeyNames => {
            (pattern, None, false)
        }
        _ => return None,
    };
    let pattern = match pattern.as_deref().map(|e| &e.kind) {
        None => py_str("*"),
        Some(TExprKind::Str(s)) => py_str(s),
        Some(_) => return None,
    };
    let count = match count.map(|e| &e.kind) {
        None => py_str("1000"),
        Some(TExprKind::Int(n)) if *n > 0 => py_str(&n.to_string()),
        Some(_) => return None,
    };
    let command = deleted_key(call, key_is_record)?;
    Some(BatchedDelete {
        pattern,
        count,
        command,
        foreach: foreach.span,
        count_op: count_op.span,
    })
}

/// `execute("DEL", key)` or `execute("UNLINK", key)` (any case) on the record's key:
/// the command as spelled.
fn deleted_key(call: &TExpr, key_is_record: bool) -> Option<&str> {
    let TExprKind::CallBuiltin {
        builtin: Builtin::Execute,
        args,
    } = &call.kind
    else {
        return None;
    };
    let [TArg::Positional(command), TArg::Positional(key)] = args.as_slice() else {
        return None;
    };
    let TExprKind::Str(command) = &command.kind else {
        return None;
    };
    let is_key = match &key.kind {
        TExprKind::Record => key_is_record,
        TExprKind::RecordField(f) => !key_is_record && f == "key",
        _ => false,
    };
    let deletes = command.eq_ignore_ascii_case("DEL") || command.eq_ignore_ascii_case("UNLINK");
    (is_key && deletes).then_some(command.as_str())
}

impl Lowerer<'_> {
    /// The reader function, the step that deletes keys handed on, and the statement.
    pub(super) fn batched_delete_pipeline(&mut self, p: &Pipeline, job: &BatchedDelete) {
        let reader = self.free_name(job.foreach, "delete_keys");
        let step = self.free_name(job.foreach, "delete_key");
        let functions = format!(
            r#"def {reader}():
    # This shard's keys that match, deleted with one {command} per SCAN batch rather than
    # one per key; key by key where a batch cannot be deleted at once (keys of several
    # hash slots on a cluster). Yields how many it deleted, and each key whose {command}
    # failed, for the next step to delete again and report as that record's error
    # (after the number deleted before it, which the run counts before it stops there).
    batches = True
    cursor = "0"
    while True:
        cursor, keys = execute("SCAN", cursor, "MATCH", {pattern}, "COUNT", {count})
        deleted = 0
        if batches and keys:
            try:
                execute({del}, *keys)
                deleted, keys = len(keys), []
            except Exception:
                batches = False
        for key in keys:
            try:
                execute({del}, key)
                deleted += 1
            except Exception:
                if deleted:
                    yield deleted
                    deleted = 0
                yield key
        if deleted:
            yield deleted
        if cursor == "0":
            return

def {step}({RECORD}):
    # A number of deleted keys passes on; a key is deleted here, and counts 1.
    if type({RECORD}) is int:
        return {RECORD}
    execute({del}, {RECORD})
    return 1
"#,
            command = comment_safe(job.command),
            pattern = job.pattern,
            count = job.count,
            del = py_str(job.command),
        );
        for line in functions.lines() {
            // Each line that runs a command carries the `.gear` location it stands for,
            // so that an error there points at the reader or at the `foreach`.
            let span = if line.contains("execute(\"SCAN\"") {
                Some(p.reader_span)
            } else if line.contains("execute(") {
                Some(job.foreach)
            } else {
                None
            };
            self.out.line(line, span);
        }
        self.out.define(&reader);
        self.out.define(&step);
        self.out.line("", None);
        self.out.line("(", None);
        let mut gb = format!("GB({}", py_str("PythonReader"));
        if let Some(desc) = &p.terminal.desc {
            gb.push_str(&format!(", desc={}", self.expr(desc, &ExprCtx::default())));
        }
        gb.push(')');
        self.step(gb, p.reader_span);
        self.step(format!("map({step})"), job.foreach);
        // `count` as GearsBuilder writes it, adding up numbers of deleted keys.
        let acc = self.names.acc.clone();
        let sum = format!(
            "accumulate(lambda {acc}, {RECORD}: (0 if {acc} is None else {acc}) + {RECORD})"
        );
        self.step(sum.clone(), job.count_op);
        self.step("collect()".to_string(), job.count_op);
        self.step(sum, job.count_op);
        let envelope = self.envelope(&p.result);
        self.step(format!("map({envelope})"), p.terminal.span);
        self.step(format!("run({reader})"), p.terminal.span);
        self.out.line(")", None);
    }

    /// `gearc_line_N_WHAT` after the `.gear` line of `span`, free of the file's globals
    /// and of the functions written before.
    fn free_name(&self, span: Span, what: &str) -> String {
        let (line, _) = self.out.index.line_col(span.start);
        self.function_name(&format!("gearc_line_{line}_{what}"))
    }
}

#[cfg(test)]
mod tests {
    use crate::lower::tests::bound_twice;

    fn python(source: &str) -> String {
        match crate::compile::compile(source, "t.gear") {
            Ok(compiled) => compiled.python,
            Err(_) => panic!("{source} does not compile"),
        }
    }

    fn batched(source: &str) -> bool {
        let py = python(source);
        let batched = py.contains("def gearc_line_1_delete_keys():");
        assert_eq!(batched, py.contains("GB(\"PythonReader\")"), "{py}");
        batched
    }

    #[test]
    fn deleting_the_keys_read_and_counting_them_is_batched() {
        for source in [
            "keys(\"d:*\") | foreach(execute(\"DEL\", key)) | count | run\n",
            "keys(\"d:*\") | foreach(execute(\"unlink\", key)) | count | run\n",
            "keys_only(\"d:*\") | foreach(execute(\"DEL\", it)) | count | run\n",
            "keys() | foreach(execute(\"DEL\", key)) | count | run\n",
        ] {
            assert!(batched(source), "{source}");
        }
        let py = python("keys_only(\"a\\\"b*\", count=50) | foreach(execute(\"UNLINK\", it)) | count | run(desc=\"x\")\n");
        assert!(
            py.contains(r#"execute("SCAN", cursor, "MATCH", "a\"b*", "COUNT", "50")"#),
            "{py}"
        );
        assert!(py.contains("execute(\"UNLINK\", *keys)"), "{py}");
        assert!(py.contains("GB(\"PythonReader\", desc=\"x\")"), "{py}");
        let py = python("keys() | foreach(execute(\"DEL\", key)) | count | run\n");
        assert!(py.contains(r#""MATCH", "*", "COUNT", "1000")"#), "{py}");
    }

    #[test]
    fn anything_else_keeps_one_step_per_operation() {
        for source in [
            // the records are the results, or more follows the count
            "keys_only(\"d:*\") | foreach(execute(\"DEL\", it)) | run\n",
            "keys(\"d:*\") | foreach(execute(\"DEL\", key)) | count | map(it + 1) | run\n",
            // another command, key or argument
            "keys(\"d:*\") | foreach(execute(\"GET\", key)) | count | run\n",
            "keys(\"d:*\") | foreach(execute(\"DEL\", \"x:\" + key)) | count | run\n",
            "keys(\"d:*\") | foreach(execute(\"DEL\", key, \"other\")) | count | run\n",
            // not the default SCAN of a literal pattern
            "let p = \"d:*\"\nkeys(p) | foreach(execute(\"DEL\", key)) | count | run\n",
            "keys_only(\"d:1\", no_scan=true) | foreach(execute(\"DEL\", it)) | count | run\n",
            "keys(\"d:*\", key_types=[\"hash\"]) | foreach(execute(\"DEL\", key)) | count | run\n",
            // a registration sees one key per event
            "keys(\"d:*\") | foreach(execute(\"DEL\", key)) | count | register\n",
        ] {
            assert!(!batched(source), "{source}");
        }
    }

    #[test]
    fn the_functions_are_not_named_like_a_global_defined_after_them() {
        let py = python(concat!(
            "keys(\"d:*\") | foreach(execute(\"DEL\", key)) | count | run\n",
            "fn gearc_line_1_delete_keys(x) = x\n",
            "let gearc_line_1_delete_key = 1\n",
        ));
        assert_eq!(bound_twice(&py), Vec::<&str>::new(), "{py}");
        assert!(py.contains("def gearc_line_1_delete_keys_():"), "{py}");
        assert!(py.contains(".map(gearc_line_1_delete_key_)"), "{py}");
        assert!(py.contains(".run(gearc_line_1_delete_keys_)"), "{py}");
    }
}
