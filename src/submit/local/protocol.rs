//! The engine's output protocol: one JSON object per line on its stdout.
//!
//! The Python side's table `LINES` (runtime/gearc_engine/protocol.py) is the one source of
//! the kinds and their fields; `tests/engine_contracts.rs` checks that [`Event`] has
//! exactly those fields (required ones always serialized, optional ones when present) and
//! that every line the engine writes reads into an `Event` and back unchanged, so a field
//! the engine adds cannot be dropped here unnoticed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One line of the engine's output protocol (docs/local-engine.md, "Wire protocol").
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// One per `register()` call, in order.
    Registered {
        id: String,
        reader: String,
        #[serde(default)]
        args: Value,
        /// `GB(desc=...)`.
        #[serde(default)]
        desc: Option<String>,
        /// Why the registration is not applied locally (CommandReader, `commands=`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unsupported: Option<String>,
        /// An `async`/`async_local` KeysReader or StreamReader registration runs inline.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode_note: Option<String>,
    },
    /// Records of the reply of the module's `run()`, sent while it runs, in order (the
    /// engine sends a large result in chunks; `Result` holds the last ones).
    Records { results: Vec<Value> },
    /// The end of the module's `run()`: its last records (all of them when no `Records`
    /// came before) and its errors.
    Result {
        results: Vec<Value>,
        errors: Vec<String>,
    },
    /// `--watch`, before a stream registration processes the entries already in its
    /// streams: how many (`exact` is false when Redis cannot say how many of them its
    /// consumer group has processed: then it is the streams' length), and whether each is
    /// trimmed once processed.
    Backlog {
        registration: String,
        streams: usize,
        entries: u64,
        exact: bool,
        trim: bool,
    },
    /// `--watch`: this many registrations are live.
    Watching {
        #[serde(default)]
        registrations: usize,
    },
    /// `--watch`: one fired execution.
    Execution {
        registration: String,
        #[serde(default)]
        trigger: Value,
        results: Vec<Value>,
        errors: Vec<String>,
        /// A stream registration stopped (`ABORTED`) or paused (`WAITING_FOR_RETRY_ON_FAILURE`)
        /// by its failure policy after this execution.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// The keyspace event that fired a KeysReader execution (`set`, `del`, …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
        /// The key of that event, or the stream of a StreamReader execution.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// The ids of the stream entries a StreamReader execution processed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ids: Option<Vec<String>>,
    },
    /// `--watch` ended; the server's settings are restored.
    Stopped,
    /// RG.PYEXECUTE would answer this error.
    ScriptError { message: String },
    /// The engine cannot do its job.
    Fatal { message: String },
}
