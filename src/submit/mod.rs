//! Stage 4: a compiled module in, what RedisGears answers out.
//!
//! Two back ends answer the same way: [`server`] talks to a real RedisGears (a single
//! server or a Redis Cluster), [`local`] runs the module with gearc's emulation against a
//! plain Redis. Both report [`Event`]s, and the reply decoding ([`reply`]: typed results,
//! tracebacks mapped to `.gear` spans) is shared, so the CLI prints both the same way.

pub mod local;
mod python_json;
pub mod reply;

pub use local::Event;
