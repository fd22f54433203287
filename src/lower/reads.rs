//! What a `run` pipeline reads of its reader's records, so that RedisGears reads no more
//! than that: a `keys(…)` run that never looks at `value` or `type` gets `readValue=False`,
//! and one that only looks at key names runs on `KeysOnlyReader`, whose records are the
//! names themselves (measured on RedisGears 1.2.13, docs/performance.md: counting 100k
//! keys takes about 0.6× the time with `readValue=False` and 0.4× with `KeysOnlyReader`).

use crate::ir::{Callback, Op, OpKind, Pipeline, Reader, TExpr, TExprKind};

/// How a `keys(…)` run reads its keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeysRead {
    /// `KeysReader` records, with or without values as the pipeline said.
    Records,
    /// `KeysReader` with `readValue=False`: no step sees `value` or `type`.
    NoValue,
    /// `KeysOnlyReader`: no step sees more than `key` (and `event`, `None` in a run).
    KeyNames,
}

/// How the pipeline `p` (a run) should read its keys.
pub(super) fn keys_read(p: &Pipeline) -> KeysRead {
    let Reader::Keys {
        no_scan,
        read_value,
        key_types,
        ..
    } = &p.reader
    else {
        return KeysRead::Records;
    };
    // `key_types` is filtered on the record's `type` when values are read.
    if reads_more_than_key(&p.ops) || (key_types.is_some() && *read_value) {
        return KeysRead::Records;
    }
    // KeysOnlyReader's `noScan` yields a missing key not at all, KeysReader's as a record.
    if no_scan.is_none() && key_types.is_none() {
        KeysRead::KeyNames
    } else {
        KeysRead::NoValue
    }
}

/// How many leading operations still see the reader's records (they pass them on as
/// they are, or are the first to look at them).
pub(super) fn ops_seeing_reader_records(ops: &[Op]) -> usize {
    match ops.iter().position(|op| !passes_records_on(&op.kind)) {
        Some(i) => i + 1,
        None => ops.len(),
    }
}

/// The reader's records come out of the pipeline as they are (no operation replaced them).
pub(super) fn ends_with_reader_records(ops: &[Op]) -> bool {
    ops.iter().all(|op| passes_records_on(&op.kind))
}

/// The operation hands each record it keeps to the next step unchanged.
pub(super) fn passes_records_on(kind: &OpKind) -> bool {
    matches!(
        kind,
        OpKind::Filter(_)
            | OpKind::Foreach(_)
            | OpKind::Limit { .. }
            | OpKind::Collect
            | OpKind::Repartition(_)
    )
}

/// Whether an operation that sees the reader's records reads `value`, `type`, or the
/// whole record (which holds them), or the records themselves are the results.
fn reads_more_than_key(ops: &[Op]) -> bool {
    let seeing = ops_seeing_reader_records(ops);
    if seeing == ops.len() && ends_with_reader_records(ops) {
        return true;
    }
    ops[..seeing].iter().any(|op| match &op.kind {
        OpKind::Map(cb)
        | OpKind::FlatMap { callback: cb, .. }
        | OpKind::Filter(cb)
        | OpKind::Foreach(cb)
        | OpKind::Repartition(cb)
        | OpKind::CountBy(Some(cb))
        | OpKind::Avg(Some(cb)) => callback_reads_more_than_key(cb),
        OpKind::Limit { .. } | OpKind::Collect | OpKind::Count => false,
        // Reducers, sorts and the rest receive whole records.
        _ => true,
    })
}

fn callback_reads_more_than_key(cb: &Callback) -> bool {
    match cb {
        Callback::Expr(e) => {
            let mut more = false;
            e.walk(&mut |e| match &e.kind {
                TExprKind::RecordField(f) if f == "key" || f == "event" => {}
                TExprKind::RecordField(_) | TExprKind::Record => more = true,
                _ => {}
            });
            more
        }
        // A function or lambda is handed the whole record.
        Callback::Function { .. } | Callback::Lambda { .. } => true,
    }
}

/// The first character of every key a literal pattern can match, when it is certain.
pub(super) fn literal_first_char(pattern: &TExpr) -> Option<char> {
    let TExprKind::Str(s) = &pattern.kind else {
        return None;
    };
    s.chars()
        .next()
        .filter(|c| !matches!(c, '*' | '?' | '[' | '\\'))
}

/// A record that is a key name starting with `first` reaches the client unchanged
/// without the JSON envelope: RedisGears turns a string that starts with `-` or `+`
/// into an error or status reply, and the client reads a reply that parses as a
/// one-element JSON list (`[…`, possibly after blanks) as that element; any other
/// string it keeps as it is. (A name that is not UTF-8 is a `bytearray`, which
/// RedisGears replies as its `str()`, exactly what the envelope's `default=str` gives.)
pub(super) fn key_name_is_plain(first: char) -> bool {
    !matches!(first, '-' | '+' | '[' | ' ' | '\t' | '\n' | '\r')
}
