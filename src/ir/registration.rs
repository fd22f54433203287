//! The words of `register(…)` (language.md section 6): execution modes and failure policies.

use super::readers::ReaderKind;
use super::vocabulary::{named, words, Param};

words! {
    /// When and where a registration's execution runs.
    pub enum Mode ("execution mode") {
        Async = "async",
        Sync = "sync",
        AsyncLocal = "async_local",
    }
}

impl Mode {
    /// The mode of a registration that does not say: `"async"` (RedisGears' default),
    /// but `"async_local"` for a command trigger, which would otherwise run once on
    /// every shard (section 3).
    pub fn default_for(reader: ReaderKind) -> Mode {
        match reader {
            ReaderKind::Command => Mode::AsyncLocal,
            _ => Mode::Async,
        }
    }

    /// RedisGears' own default, which the lowering need not write out.
    pub const GEARS_DEFAULT: Mode = Mode::Async;

    /// The execution runs after the event's command has returned, outside Redis'
    /// notification: the writes it makes raise events that fire registrations again,
    /// its own included. (A `sync` execution runs inside the notification, which Redis
    /// does not re-enter: measured on RedisGears 1.2.13, docs/language.md.)
    pub fn runs_after_the_event(self) -> bool {
        matches!(self, Mode::Async | Mode::AsyncLocal)
    }

    /// Which failure policies a stream registration may have in this mode: RedisGears
    /// refuses all but `continue` for `sync` (reference section 1.3).
    pub fn allows(self, policy: FailurePolicy) -> bool {
        self != Mode::Sync || policy == FailurePolicy::Continue
    }
}

words! {
    /// What a stream registration does after an execution failed.
    pub enum FailurePolicy ("failure policy") {
        Continue = "continue",
        Abort = "abort",
        Retry = "retry",
    }
}

/// The parameters of `run(…)` and `register(…)`; all but `desc` are for `register`.
pub const TERMINAL_PARAMS: &[Param] = &[
    named("mode"),
    named("on_registered"),
    named("on_failed_policy"),
    named("on_failed_retry_interval"),
    named("desc"),
];

/// The register-only parameters that only a stream registration takes.
pub const STREAM_ONLY_PARAMS: &[&str] = &["on_failed_policy", "on_failed_retry_interval"];
