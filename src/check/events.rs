//! `keys(event_types = …)`: each name parsed into what it means to RedisGears, and
//! the names that would make a registration never fire (docs/language.md,
//! "Registrations that can never fire").

use super::error::CheckError;
use super::suggest;
use super::Checker;
use crate::ir::{events, EventName, KeyEvent, Word};
use crate::syntax::Span;

impl Checker<'_> {
    /// The event names of a registration, in the order written.
    pub(super) fn event_names(&mut self, names: &[(String, Span)]) -> Vec<EventName> {
        let listed: Vec<Option<KeyEvent>> = names
            .iter()
            .map(|(n, _)| KeyEvent::parse(&n.to_ascii_lowercase()))
            .collect();
        names
            .iter()
            .map(|(name, span)| self.event_name(name, *span, &listed))
            .collect()
    }

    /// `listed`: the events of the whole list, to know whether a command name's own
    /// event is there too (`["hset", "hmset"]` fires on HMSET through `hset`).
    fn event_name(&mut self, name: &str, span: Span, listed: &[Option<KeyEvent>]) -> EventName {
        // RedisGears compares event names case-insensitively.
        let lower = name.to_ascii_lowercase();
        if let Some(event) = KeyEvent::parse(&lower) {
            if event.unseen_by_gears() {
                self.error(CheckError::EventNeverFires {
                    event: name.to_string(),
                    reason: format!("RedisGears 1.2 does not subscribe to `{event}` events"),
                    span,
                    help:
                        "react to the write that creates the key instead, e.g. \"set\" or \"hset\""
                            .to_string(),
                });
            }
            return EventName::Event(event);
        }
        if lower.contains('.') {
            // A module's events are namespaced (`json.set`); gearc cannot list them all.
            return EventName::Module(name.to_string());
        }
        if events::READS.contains(&lower.as_str()) {
            self.error(CheckError::EventNeverFires {
                event: name.to_string(),
                reason: "reads do not raise keyspace events".to_string(),
                span,
                help: "only writes (and `keymiss`) raise keyspace events; react to the write that changes the key instead, e.g. \"set\" or \"hset\"".to_string(),
            });
        } else if let Some(raised) = events::raised_by(&lower) {
            let missing: Vec<&KeyEvent> = raised
                .iter()
                .filter(|e| !listed.contains(&Some(**e)))
                .collect();
            if !missing.is_empty() {
                let quoted: Vec<String> = missing.iter().map(|e| format!("\"{e}\"")).collect();
                let events: Vec<String> = raised.iter().map(|e| format!("`{e}`")).collect();
                self.error(CheckError::EventNeverFires {
                    event: name.to_string(),
                    reason: format!("`{}` raises {}", lower.to_uppercase(), events.join(" and ")),
                    span,
                    help: format!(
                        "events are named after what the command does: write {}",
                        quoted.join(" and ")
                    ),
                });
            }
        } else {
            self.error(CheckError::UnknownEvent {
                event: name.to_string(),
                span,
                help: unknown_event_help(&lower),
            });
        }
        EventName::Other(name.to_string())
    }
}

fn unknown_event_help(name: &str) -> String {
    match suggest::nearest(name, KeyEvent::spellings()) {
        Some(s) => format!("did you mean \"{s}\"?"),
        None => "keyspace events are named after the write that raises them, e.g. \"set\", \"hset\", \"del\", \"expired\" (docs/language.md lists them all)".to_string(),
    }
}
