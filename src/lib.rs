//! gearc: the Gear pipeline language, compiled to RedisGears 1.x Python.

pub mod syntax;
pub mod check;
pub mod ir;
