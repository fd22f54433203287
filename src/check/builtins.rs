//! The builtin functions of language.md section 5: their parameters and result types.

use crate::ir::vocabulary::{named, opt, req, Param};
use crate::ir::Builtin;

pub struct Signature {
    pub builtin: Builtin,
    pub params: &'static [Param],
    /// Takes any number of positional arguments (and `...spread`).
    pub variadic: bool,
}

const fn sig(builtin: Builtin, params: &'static [Param]) -> Signature {
    Signature {
        builtin,
        params,
        variadic: false,
    }
}

const fn variadic(builtin: Builtin) -> Signature {
    Signature {
        builtin,
        params: &[],
        variadic: true,
    }
}

pub const NAMES: &[&str] = &[
    "int",
    "float",
    "str",
    "bool",
    "len",
    "abs",
    "round",
    "min",
    "max",
    "sum",
    "sorted",
    "list",
    "set",
    "range",
    "pairs",
    "json",
    "parse_json",
    "execute",
    "log",
    "hashtag",
    "config_get",
    "gears_config_get",
    "time",
];

pub fn lookup(name: &str) -> Option<Signature> {
    Some(match name {
        "int" => sig(Builtin::Int, const { &[req("x"), opt("base")] }),
        "float" => sig(Builtin::Float, const { &[req("x")] }),
        "str" => sig(Builtin::Str, const { &[req("x")] }),
        "bool" => sig(Builtin::Bool, const { &[req("x")] }),
        "len" => sig(Builtin::Len, const { &[req("x")] }),
        "abs" => sig(Builtin::Abs, const { &[req("x")] }),
        "round" => sig(Builtin::Round, const { &[req("x"), opt("n")] }),
        "min" => variadic(Builtin::Min),
        "max" => variadic(Builtin::Max),
        "sum" => sig(Builtin::Sum, const { &[req("xs")] }),
        "sorted" => sig(Builtin::Sorted, const { &[req("xs"), named("reverse")] }),
        "list" => sig(Builtin::List, const { &[req("x")] }),
        "set" => sig(Builtin::Set, const { &[req("x")] }),
        "range" => variadic(Builtin::Range),
        "pairs" => sig(Builtin::Pairs, const { &[req("d")] }),
        "json" => sig(Builtin::Json, const { &[req("x")] }),
        "parse_json" => sig(Builtin::ParseJson, const { &[req("s")] }),
        "execute" => variadic(Builtin::Execute),
        "log" => sig(Builtin::Log, const { &[req("message"), opt("level")] }),
        "hashtag" => sig(Builtin::Hashtag, const { &[] }),
        "config_get" => sig(Builtin::ConfigGet, const { &[req("key")] }),
        "gears_config_get" => sig(
            Builtin::GearsConfigGet,
            const { &[req("key"), opt("default")] },
        ),
        "time" => sig(Builtin::Time, const { &[] }),
        _ => return None,
    })
}

/// Methods the checker knows per type (language.md section 5).
pub const STR_METHODS: &[&str] = &[
    "split",
    "rsplit",
    "lower",
    "upper",
    "strip",
    "lstrip",
    "rstrip",
    "startswith",
    "endswith",
    "replace",
    "find",
    "rfind",
    "join",
    "format",
    "count",
    "isdigit",
];
pub const DICT_METHODS: &[&str] = &["get", "keys", "values", "items"];
pub const LIST_METHODS: &[&str] = &["index", "count"];
