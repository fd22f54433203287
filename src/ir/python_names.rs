//! The Python names gearc's module uses itself: a global of the user's with one of these
//! names keeps it in the language but is renamed in Python (`_` appended until free;
//! language.md section 8, `crate::lower::names`). The checker needs them too: such a
//! global cannot clash with what a Python block binds.

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Builtins and modules the output may name, and what RedisGears puts in every script's globals.
const RESERVED: &[&str] = &[
    // Python builtins used by generated code
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
    "dict",
    "tuple",
    "repr",
    "print",
    "type",
    "iter",
    "next",
    "isinstance",
    "object",
    "Exception",
    // modules the output imports
    "json",
    "copy",
    "time",
    // the RedisGears runtime
    "GB",
    "GearsBuilder",
    "execute",
    "atomic",
    "log",
    "hashtag",
    "configGet",
    "gearsConfigGet",
    "registerTE",
    "gearsFuture",
    "flat_error",
    "call_next",
    "override_reply",
    "get_command",
    "isAsyncAllow",
    "createFuture",
    "setFutureResults",
    "setFutureException",
    "runCoroutine",
    "redisgears",
    "rg",
    "gearsCtx",
    "createKeysOnlyReader",
    "shardReaderCallback",
    "KeysReader",
    "KeysOnlyReader",
    "StreamReader",
    "PythonReader",
    "ShardsIDReader",
    "CommandReader",
    // helpers gearc may emit
    "gearc_pairs",
    "gearc_id_before",
    "gearc_gather",
    "gearc_json_default",
];

/// Whether gearc's module uses `name` itself (a Python keyword, a builtin or module the
/// output names, a RedisGears runtime name, a helper gearc may write), so that a user's
/// global of that name is renamed in Python.
pub fn is_reserved(name: &str) -> bool {
    PYTHON_KEYWORDS.contains(&name) || RESERVED.contains(&name)
}
