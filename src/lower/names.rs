//! Collision-free Python names for the user's names (language.md section 8).
//!
//! A user name that is a Python keyword, a builtin the output may use, a module
//! the output imports or a RedisGears runtime name gets `_` appended until free.
//! Parameters also never shadow a global, so that an inlined zero or constant
//! always means the global. The generated lambdas' own parameters (`acc`, `key`)
//! are chosen to avoid every global, Python-block names included.

use std::collections::{HashMap, HashSet};

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

fn is_reserved(name: &str) -> bool {
    PYTHON_KEYWORDS.contains(&name) || RESERVED.contains(&name)
}

pub struct Names {
    globals: HashMap<String, String>,
    /// Every Python name at module level: renamed user globals and Python-block names.
    taken: HashSet<String>,
    /// Parameter names of the lambdas gearc writes itself.
    pub acc: String,
    pub key: String,
}

impl Names {
    /// `user`: the `let` and `fn` names in source order; `python`: the Python-block names.
    pub fn new(user: &[String], python: &HashSet<String>) -> Self {
        let mut taken: HashSet<String> = python.clone();
        let mut globals = HashMap::new();
        let user_names: HashSet<&String> = user.iter().collect();
        for name in user {
            let mut py = name.clone();
            while is_reserved(&py)
                || (py != *name && (user_names.contains(&py) || taken.contains(&py)))
            {
                py.push('_');
            }
            taken.insert(py.clone());
            globals.insert(name.clone(), py);
        }
        let free = |base: &str| {
            let mut n = base.to_string();
            while taken.contains(&n) {
                n.push('_');
            }
            n
        };
        let acc = free("acc");
        let key = free("key");
        Names {
            globals,
            taken,
            acc,
            key,
        }
    }

    /// The Python name of a global (a Python-block name is its own).
    pub fn global<'a>(&'a self, name: &'a str) -> &'a str {
        self.globals.get(name).map_or(name, String::as_str)
    }

    /// Whether no global of the file (of any item, written yet or not) has the Python
    /// name `name`, and Python reserves it for nothing the module uses.
    pub fn is_free(&self, name: &str) -> bool {
        !is_reserved(name) && !self.taken.contains(name)
    }

    /// The Python name of a parameter.
    pub fn local(&self, name: &str) -> String {
        let mut py = name.to_string();
        while is_reserved(&py) || self.taken.contains(&py) {
            py.push('_');
        }
        py
    }
}
