//! Collision-free Python names for the user's names (language.md section 8).
//!
//! A user name that is a Python keyword, a builtin the output may use, a module
//! the output imports or a RedisGears runtime name gets `_` appended until free.
//! Parameters also never shadow a global, so that an inlined zero or constant
//! always means the global. The generated lambdas' own parameters (`acc`, `key`)
//! are chosen to avoid every global, Python-block names included.

use std::collections::{HashMap, HashSet};

use crate::compact_map::NameTable;
use crate::ir::python_names::is_reserved;

pub struct Names {
    /// The Python names of the user's globals that are not their own (a reserved name
    /// gets `_` appended): few, so only these are kept.
    renamed: HashMap<String, String>,
    /// Every Python name at module level: the user's globals under their Python
    /// names, and the Python-block names (a large file has thousands).
    taken: NameTable<()>,
    /// Parameter names of the lambdas gearc writes itself.
    pub acc: String,
    pub key: String,
}

impl Names {
    /// `user`: the `let` and `fn` names in source order; `python`: the Python-block names.
    /// Both are kept, not copied: a large file has thousands of globals.
    pub fn new(user: Vec<String>, python: HashSet<String>) -> Self {
        // Only a reserved name is renamed; its new name must be no other global's. Few
        // names are reserved (a hundred at most, each once), so the user's names are
        // searched rather than indexed: most files rename none.
        let mut renamed = HashMap::new();
        for name in user.iter().filter(|n| is_reserved(n)) {
            let mut py = name.clone();
            while is_reserved(&py)
                || user.contains(&py)
                || python.contains(&py)
                || renamed.values().any(|r| *r == py)
            {
                py.push('_');
            }
            renamed.insert(name.clone(), py);
        }
        let mut taken = NameTable::default();
        taken.reserve(python.len() + user.len());
        let python = python.into_iter().map(String::into_boxed_str);
        let user = user.into_iter().map(|name| match renamed.get(&name) {
            Some(py) => py.as_str().into(),
            None => name.into_boxed_str(),
        });
        for name in python.chain(user) {
            // A name taken twice (a Python-block name that is also a `let`, an error
            // the checker reports) is kept once.
            let _ = taken.insert(name, ());
        }
        let free = |base: &str| {
            let mut n = base.to_string();
            while taken.contains(n.as_str()) {
                n.push('_');
            }
            n
        };
        let acc = free("acc");
        let key = free("key");
        Names {
            renamed,
            taken,
            acc,
            key,
        }
    }

    /// The Python name of a global (a Python-block name is its own).
    pub fn global<'a>(&'a self, name: &'a str) -> &'a str {
        self.renamed.get(name).map_or(name, String::as_str)
    }

    /// Whether no global of the file (of any item, written yet or not) has the Python
    /// name `name`, and Python reserves it for nothing the module uses.
    pub fn is_free(&self, name: &str) -> bool {
        !is_reserved(name) && !self.taken.contains(name)
    }

    /// The Python name of a parameter.
    pub fn local(&self, name: &str) -> String {
        let mut py = name.to_string();
        while is_reserved(&py) || self.taken.contains(py.as_str()) {
            py.push('_');
        }
        py
    }
}
