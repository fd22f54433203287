//! `keys(event_types = …)`: each name parsed into what it means to RedisGears.

use super::error::CheckError;
use super::Checker;
use crate::ir::{events, EventName, KeyEvent, Word};
use crate::syntax::Span;

impl Checker {
    /// The event names of a registration, in the order written.
    pub(super) fn event_names(&mut self, names: &[(String, Span)]) -> Vec<EventName> {
        names
            .iter()
            .map(|(name, span)| self.event_name(name, *span))
            .collect()
    }

    fn event_name(&mut self, name: &str, span: Span) -> EventName {
        // RedisGears compares event names case-insensitively.
        let lower = name.to_ascii_lowercase();
        if let Some(event) = KeyEvent::parse(&lower) {
            return EventName::Event(event);
        }
        if lower.contains('.') {
            return EventName::Module(name.to_string());
        }
        if events::READS.contains(&lower.as_str()) {
            self.error(CheckError::EventNeverFires {
                event: name.to_string(),
                span,
            });
        }
        EventName::Other(name.to_string())
    }
}
