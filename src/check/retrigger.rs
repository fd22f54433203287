//! A registration that writes where it listens fires itself again. In `async` and
//! `async_local` mode the execution runs after the event, so its own write raises a
//! new event for the same registration, without end (measured on RedisGears 1.2.13: an
//! `async` registration that `HINCRBY`s its own key ran 106,916 times in 2 s, and a
//! stream registration that `XADD`s to its own stream 28,899 times). A `sync`
//! execution runs inside Redis' notification, which Redis does not re-enter.
//!
//! Only what the pipeline writes with a literal command is looked at: an `execute` in a
//! `fn` or a Python block, or with a computed command name, is not seen.

use super::error::CheckError;
use super::Checker;
use crate::ir::{
    events, Action, Builtin, EventName, KeyEvent, Mode, Pipeline, Reader, TArg, TExpr, TExprKind,
};
use crate::syntax::Span;

/// The keys a registration listens to.
enum Listens<'a> {
    All,
    Prefix(&'a str),
    Exact(&'a str),
}

impl Listens<'_> {
    /// Whether a key that starts with `start` (all of it when `whole`) is listened to.
    fn matches(&self, start: &str, whole: bool) -> bool {
        match self {
            Listens::All => true,
            Listens::Prefix(prefix) => start.starts_with(prefix),
            Listens::Exact(key) => whole && start == *key,
        }
    }

    fn describe(&self) -> String {
        match self {
            Listens::All => "any key".to_string(),
            Listens::Prefix(prefix) => format!("a key under `{prefix}*`"),
            Listens::Exact(key) => format!("the key `{key}`"),
        }
    }
}

/// An `execute` of a write: where, which command, and its key argument.
struct Write<'a> {
    span: Span,
    command: String,
    raises: &'static [KeyEvent],
    key: Option<&'a TExpr>,
}

impl Checker<'_> {
    pub(super) fn warn_retriggers(&mut self, p: &Pipeline) {
        let Action::Register(registration) = &p.terminal.action else {
            return;
        };
        if !registration.mode.runs_after_the_event() {
            return;
        }
        let (pattern, is_stream) = match &p.reader {
            Reader::Keys { pattern, .. } => (pattern, false),
            Reader::Stream { pattern, .. } => (pattern, true),
            _ => return,
        };
        let listens = match pattern.as_ref().map(|p| &p.kind) {
            None => Listens::All,
            Some(TExprKind::Str(s)) if s == "*" => Listens::All,
            Some(TExprKind::Str(s)) => match s.strip_suffix('*') {
                Some(prefix) => Listens::Prefix(prefix),
                None => Listens::Exact(s),
            },
            Some(_) => return,
        };
        let mut writes = Vec::new();
        for op in &p.ops {
            op.kind.walk(&mut |e| writes.extend(write(e)));
        }
        for w in writes {
            let same_key = w.key.is_some_and(is_own_key);
            let fires = w
                .raises
                .iter()
                .any(|e| fires_again(&p.reader, *e, &w.command, same_key));
            let key_listened = same_key
                || match w.key.map(|k| &k.kind) {
                    Some(TExprKind::Str(s)) => listens.matches(s, true),
                    Some(TExprKind::FStr(parts)) => match parts.first() {
                        Some(crate::ir::FStrPart::Text(t)) => listens.matches(t, false),
                        _ => matches!(listens, Listens::All),
                    },
                    _ => matches!(listens, Listens::All),
                };
            if !(fires && key_listened) {
                continue;
            }
            let whose = if same_key {
                "the key that fired it".to_string()
            } else {
                listens.describe()
            };
            let raised: Vec<String> = w.raises.iter().map(|e| format!("`{e}`")).collect();
            let help = if is_stream {
                "add to a stream outside the registration's prefix".to_string()
            } else {
                format!(
                    "use `register(mode = \"{}\")`: the write then runs inside the event, which does not fire again; or write under another prefix",
                    Mode::Sync
                )
            };
            self.error(CheckError::RegistrationRetriggers {
                span: w.span,
                write: format!(
                    "`{}` raises {} on {whose}",
                    w.command.to_uppercase(),
                    raised.join(" and ")
                ),
                terminal: p.terminal.span,
                mode: registration.mode.to_string(),
                help,
            });
        }
    }
}

/// `execute("CMD", key, …)` with a literal write command.
fn write(e: &TExpr) -> Option<Write<'_>> {
    let TExprKind::CallBuiltin {
        builtin: Builtin::Execute,
        args,
    } = &e.kind
    else {
        return None;
    };
    let Some(TArg::Positional(TExpr {
        kind: TExprKind::Str(command),
        ..
    })) = args.first()
    else {
        return None;
    };
    let key = match args.get(1) {
        Some(TArg::Positional(k)) => Some(k),
        _ => None,
    };
    Some(Write {
        span: e.span,
        command: command.to_ascii_lowercase(),
        raises: events::raised_by(command)?,
        key,
    })
}

/// `key`, `it.key` or `it["key"]`: the key of the record being processed.
fn is_own_key(e: &TExpr) -> bool {
    match &e.kind {
        TExprKind::RecordField(f) => f == "key",
        TExprKind::Member { target, name } => {
            matches!(target.kind, TExprKind::Record) && name == "key"
        }
        TExprKind::Index { target, index } => {
            matches!(target.kind, TExprKind::Record)
                && matches!(&index.kind, TExprKind::Str(k) if k == "key")
        }
        _ => false,
    }
}

/// Would the reader's filters let `event`, raised by `command`, through?
/// `same_key`: raised on the key that fired the registration (whose type passed `key_types`).
fn fires_again(reader: &Reader, event: KeyEvent, command: &str, same_key: bool) -> bool {
    match reader {
        Reader::Stream { .. } => event == KeyEvent::XAdd,
        Reader::Keys {
            key_types,
            event_types,
            commands,
            ..
        } => {
            let event_listed = event_types.as_ref().is_none_or(|names| {
                names
                    .iter()
                    .any(|n| matches!(n, EventName::Event(e) if *e == event))
            });
            let type_kept = key_types.as_ref().is_none_or(|types| {
                !event.key_is_gone()
                    && match event.key_type() {
                        Some(t) => types.contains(&t),
                        None => same_key,
                    }
            });
            let command_listed = match commands.as_ref().map(|c| &c.kind) {
                None => true,
                Some(TExprKind::List(items)) => items.iter().any(
                    |i| matches!(&i.kind, TExprKind::Str(c) if c.eq_ignore_ascii_case(command)),
                ),
                Some(_) => false,
            };
            event_listed && type_kept && command_listed && !event.unseen_by_gears()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_listens_to_keys_that_start_with_it() {
        assert!(Listens::Prefix("user:").matches("user:1", true));
        assert!(Listens::Prefix("user:").matches("user:", false));
        assert!(!Listens::Prefix("user:").matches("us", false));
        assert!(Listens::Exact("k").matches("k", true));
        assert!(!Listens::Exact("k").matches("k", false));
        assert!(Listens::All.matches("", false));
    }
}
