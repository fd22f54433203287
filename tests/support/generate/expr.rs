//! Expressions of a wanted type, over the names in scope.
//!
//! Types here are what a value *is* at run time (`NumStr` is a `str` that `int()`
//! reads), finer than the checker's: a program built from them type-checks, and it
//! neither fails nor depends on the order of records (floats are halves and quarters,
//! so sums are exact in any order; divisors are positive literals; dict entries are
//! read with `get` and a default).

use super::data::{fstring_text, gear_str, HOSTILE};
use super::Gen;

/// What a value is at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum T {
    Int,
    /// A float whose sums are exact (a multiple of 1/4, small).
    Float,
    Str,
    /// A `str` that `int()` and `float()` read.
    NumStr,
    Bool,
    ListStr,
    ListInt,
    Dict(DictKind),
    /// `none`.
    Null,
    /// A value of any of the above, unknown (a key's value under `keys("*")`).
    Mixed,
    /// A record (a Python dict with the fields of `Scope::names`).
    Record,
}

/// Which entries a dict is known to have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DictKind {
    /// A hash of `h:*`: `name` always; `age` (a number) and `country` sometimes.
    Hash,
    /// A stream entry of `st:*`: `k` and `n` (a number).
    Entry,
    /// A dict literal: nothing known.
    Other,
}

impl T {
    /// A value of `self` may stand where `want` is wanted.
    pub fn fits(self, want: T) -> bool {
        self == want
            || (want == T::Str && self == T::NumStr)
            || matches!((self, want), (T::Dict(_), T::Dict(DictKind::Other)))
    }

    /// Sortable and hashable: usable with `sort`, `distinct` and as a result line.
    pub fn is_scalar(self) -> bool {
        matches!(self, T::Int | T::Float | T::Str | T::NumStr | T::Bool)
    }
}

/// What the shard's `execute` may read through the record's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    String,
    Hash,
    List,
}

/// The names an expression may use.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Spelling → type: fields (`key`, `it.key`), `it`, parameters, constants.
    pub names: Vec<(String, T)>,
    /// A spelling (`key`, `it`) of the record's key name, and the key's type, when
    /// that key is on the shard running the step (so `execute` may read it).
    pub exec_key: Option<(String, KeyKind)>,
}

impl Scope {
    pub fn with(mut self, name: &str, t: T) -> Scope {
        self.names.push((name.to_string(), t));
        self
    }
}

/// A user function: `fn name(params) = …` or a Python-block `def`.
#[derive(Clone, Debug)]
pub struct FnSig {
    pub name: String,
    pub params: Vec<T>,
    pub ret: T,
}

impl<C: super::Choices> Gen<'_, C> {
    /// An expression of type `want`; `depth` bounds its height.
    pub fn expr(&mut self, want: T, sc: &Scope, depth: u32) -> String {
        // A name in scope (the record's fields first of all) one time in three, and
        // two leaves in three; otherwise one of the type's forms.
        let name_odds = if depth == 0 { 2 } else { 1 };
        if self.below(3) < name_odds {
            if let Some(name) = self.name(want, sc) {
                return name;
            }
        }
        if depth == 0 {
            return self.leaf(want, sc);
        }
        let d = depth - 1;
        let forms = match want {
            T::Int => 21,
            T::Float => 12,
            T::Str => 17,
            T::NumStr => 4,
            T::Bool => 16,
            T::ListStr => 12,
            T::ListInt => 8,
            T::Dict(_) => 3,
            T::Null | T::Mixed | T::Record => 1,
        };
        let k = self.below(forms);
        let made = match want {
            T::Int => self.int(k, sc, d),
            T::Float => self.float(k, sc, d),
            T::Str => self.str(k, sc, d),
            T::NumStr => self.num_str(k, sc, d),
            T::Bool => self.bool(k, sc, d),
            T::ListStr => self.list_str(k, sc, d),
            T::ListInt => self.list_int(k, sc, d),
            T::Dict(kind) => self.dict(k, kind, sc, d),
            T::Null => Some("none".to_string()),
            T::Mixed | T::Record => self.name(want, sc),
        };
        match made {
            Some(e) => e,
            // The form needs what the scope lacks: the simplest form instead.
            None => self.leaf(want, sc),
        }
    }

    /// A literal of `want` (or a name, for the types without literals).
    pub fn leaf(&mut self, want: T, sc: &Scope) -> String {
        match want {
            T::Int => self.int_lit(),
            T::Float => self.float_lit(),
            T::Str => gear_str(self.pick(HOSTILE)),
            T::NumStr => gear_str(self.pick(&["0", "7", "-12", "42"])),
            T::Bool => self.pick(&["true", "false"]).to_string(),
            T::ListStr => "[]".to_string(),
            T::ListInt => "[]".to_string(),
            T::Dict(_) => "{}".to_string(),
            T::Null => "none".to_string(),
            T::Mixed | T::Record => self.name(want, sc).unwrap_or_else(|| "none".into()),
        }
    }

    /// A name in scope whose value fits `want`.
    pub fn name(&mut self, want: T, sc: &Scope) -> Option<String> {
        let fitting: Vec<&String> = sc
            .names
            .iter()
            .filter(|(_, t)| t.fits(want))
            .map(|(n, _)| n)
            .collect();
        if fitting.is_empty() {
            return None;
        }
        Some(fitting[self.below(fitting.len())].clone())
    }

    pub fn int_lit(&mut self) -> String {
        (self.below(26) as i64 - 5).to_string()
    }

    fn float_lit(&mut self) -> String {
        self.pick(&["0.5", "1.25", "-2.75", "3.0", "0.0", "2.5e1", "1_000.25"])
            .to_string()
    }

    /// A call of a user function returning `want`, if there is one.
    fn call(&mut self, want: T, sc: &Scope, d: u32) -> Option<String> {
        let fitting: Vec<FnSig> = self
            .fns
            .iter()
            .filter(|f| f.ret.fits(want))
            .cloned()
            .collect();
        if fitting.is_empty() {
            return None;
        }
        let f = fitting[self.below(fitting.len())].clone();
        let args: Vec<String> = f.params.iter().map(|p| self.expr(*p, sc, d)).collect();
        Some(format!("{}({})", f.name, args.join(", ")))
    }

    fn int(&mut self, k: usize, sc: &Scope, d: u32) -> Option<String> {
        Some(match k {
            0 => self.int_lit(),
            1 => self.name(T::Int, sc)?,
            2 => format!("len({})", self.expr(T::Str, sc, d)),
            3 => {
                let list = if self.below(2) == 0 {
                    T::ListStr
                } else {
                    T::ListInt
                };
                format!("len({})", self.expr(list, sc, d))
            }
            4 => format!("int({})", self.expr(T::NumStr, sc, d)),
            5 => format!(
                "({} + {})",
                self.expr(T::Int, sc, d),
                self.expr(T::Int, sc, d)
            ),
            6 => format!(
                "({} - {})",
                self.expr(T::Int, sc, d),
                self.expr(T::Int, sc, d)
            ),
            7 => format!("({} * {})", self.expr(T::Int, sc, d), self.below(4)),
            8 => format!("({} // {})", self.expr(T::Int, sc, d), 1 + self.below(4)),
            9 => format!("({} % {})", self.expr(T::Int, sc, d), 1 + self.below(5)),
            10 => format!("abs({})", self.expr(T::Int, sc, d)),
            11 => {
                let f = self.pick(&["min", "max"]);
                format!(
                    "{f}({}, {})",
                    self.expr(T::Int, sc, d),
                    self.expr(T::Int, sc, d)
                )
            }
            12 => format!("({} ** 2)", self.leaf(T::Int, sc)),
            13 => format!("round({})", self.expr(T::Float, sc, d)),
            14 => format!("sum({})", self.expr(T::ListInt, sc, d)),
            15 => {
                let m = self.pick(&["find", "count", "rfind"]);
                let needle = self.leaf(T::Str, sc);
                format!("{}.{m}({needle})", self.paren_str(sc, d))
            }
            16 => format!(
                "(if {} then {} else {})",
                self.expr(T::Bool, sc, d),
                self.expr(T::Int, sc, d),
                self.expr(T::Int, sc, d)
            ),
            17 => self.call(T::Int, sc, d)?,
            18 => {
                let (key, kind) = sc.exec_key.clone()?;
                let cmd = match kind {
                    KeyKind::String => self.pick(&["STRLEN", "EXISTS"]),
                    KeyKind::Hash => self.pick(&["HLEN", "EXISTS"]),
                    KeyKind::List => self.pick(&["LLEN", "EXISTS"]),
                };
                format!("int(execute(\"{cmd}\", {key}))")
            }
            19 => format!("len({})", self.expr(T::Dict(DictKind::Other), sc, d)),
            20 => format!("-{}", self.paren(T::Int, sc, d)),
            _ => self.name(T::Int, sc).unwrap_or_else(|| self.int_lit()),
        })
    }

    fn float(&mut self, k: usize, sc: &Scope, d: u32) -> Option<String> {
        Some(match k {
            0 => self.float_lit(),
            1 => self.name(T::Float, sc)?,
            2 => format!("float({})", self.expr(T::Int, sc, d)),
            3 => format!("float({})", self.expr(T::NumStr, sc, d)),
            4 => format!(
                "({} + {})",
                self.expr(T::Float, sc, d),
                self.expr(T::Float, sc, d)
            ),
            5 => format!(
                "({} - {})",
                self.expr(T::Float, sc, d),
                self.expr(T::Float, sc, d)
            ),
            6 => format!(
                "({} * {})",
                self.expr(T::Float, sc, d),
                self.pick(&["2", "0.5", "4.0"])
            ),
            7 => format!(
                "({} / {})",
                self.expr(T::Int, sc, d),
                self.pick(&["2", "4", "1"])
            ),
            8 => format!("abs({})", self.expr(T::Float, sc, d)),
            9 => {
                let f = self.pick(&["min", "max"]);
                format!(
                    "{f}({}, {})",
                    self.expr(T::Float, sc, d),
                    self.expr(T::Float, sc, d)
                )
            }
            10 => format!(
                "(if {} then {} else {})",
                self.expr(T::Bool, sc, d),
                self.expr(T::Float, sc, d),
                self.expr(T::Float, sc, d)
            ),
            11 => self.call(T::Float, sc, d)?,
            _ => self.name(T::Float, sc).unwrap_or_else(|| self.float_lit()),
        })
    }

    /// A `str` expression that a method call may follow.
    fn paren_str(&mut self, sc: &Scope, d: u32) -> String {
        self.paren(T::Str, sc, d)
    }

    fn paren(&mut self, want: T, sc: &Scope, d: u32) -> String {
        let e = self.expr(want, sc, d);
        if e.starts_with('(') || e.chars().all(|c| c.is_alphanumeric() || c == '_') {
            e
        } else {
            format!("({e})")
        }
    }

    fn str(&mut self, k: usize, sc: &Scope, d: u32) -> Option<String> {
        Some(match k {
            0 => gear_str(self.pick(HOSTILE)),
            1 => self.name(T::Str, sc)?,
            2 => {
                let from = self.pick(&[T::Int, T::Float, T::Bool, T::ListStr, T::Null]);
                format!("str({})", self.expr(from, sc, d))
            }
            3 => {
                let m = self.pick(&["upper()", "lower()", "strip()", "lstrip()", "rstrip()"]);
                format!("{}.{m}", self.paren_str(sc, d))
            }
            4 => format!(
                "({} + {})",
                self.expr(T::Str, sc, d),
                self.expr(T::Str, sc, d)
            ),
            5 => self.fstring(sc, d),
            6 => format!(
                "{}[{}:{}]",
                self.paren_str(sc, d),
                self.below(5) as i64 - 2,
                self.below(8) as i64 - 2
            ),
            7 => format!(
                "{}.replace({}, {})",
                self.paren_str(sc, d),
                gear_str(self.pick(&["o", " ", "\"", "{"])),
                self.leaf(T::Str, sc)
            ),
            8 => format!(
                "{}.join({})",
                self.leaf(T::Str, sc),
                self.expr(T::ListStr, sc, d)
            ),
            9 => {
                let from = self.pick(&[
                    T::Int,
                    T::Str,
                    T::ListStr,
                    T::ListInt,
                    T::Dict(DictKind::Other),
                    T::Mixed,
                    T::Record,
                    T::Float,
                ]);
                format!("json({})", self.expr(from, sc, d))
            }
            10 => {
                let dict = self.name(T::Dict(DictKind::Other), sc)?;
                format!(
                    "{dict}.get({}, {})",
                    self.leaf(T::Str, sc),
                    self.leaf(T::Str, sc)
                )
            }
            11 => format!(
                "(if {} then {} else {})",
                self.expr(T::Bool, sc, d),
                self.expr(T::Str, sc, d),
                self.expr(T::Str, sc, d)
            ),
            12 => self.call(T::Str, sc, d)?,
            13 => format!("({} * {})", self.expr(T::Str, sc, d), self.below(3)),
            14 => {
                let (key, kind) = sc.exec_key.clone()?;
                match kind {
                    KeyKind::String => format!("execute(\"GET\", {key})"),
                    KeyKind::Hash => format!("str(execute(\"HGET\", {key}, \"name\"))"),
                    KeyKind::List => format!("str(execute(\"LINDEX\", {key}, 0))"),
                }
            }
            15 => {
                let from = self.pick(&[T::Mixed, T::Record, T::Dict(DictKind::Other)]);
                let e = self.name(from, sc)?;
                format!("str({e})")
            }
            16 => format!("{}.format({})", gear_str("<{}>"), self.expr(T::Int, sc, d)),
            _ => self.name(T::Str, sc).unwrap_or_else(|| gear_str("z")),
        })
    }

    fn fstring(&mut self, sc: &Scope, d: u32) -> String {
        let mut out = String::from("f\"");
        for _ in 0..1 + self.below(3) {
            if self.below(2) == 0 {
                out.push_str(&fstring_text(self.pick(HOSTILE)));
            } else {
                let t = self.pick(&[T::Str, T::Int, T::Float, T::ListStr, T::Bool]);
                out.push('{');
                out.push_str(&self.expr(t, sc, d));
                out.push('}');
            }
        }
        out.push('"');
        out
    }

    fn num_str(&mut self, k: usize, sc: &Scope, d: u32) -> Option<String> {
        Some(match k {
            0 => self.leaf(T::NumStr, sc),
            1 => self.name(T::NumStr, sc)?,
            2 => format!("str({})", self.expr(T::Int, sc, d)),
            3 => {
                let (dict, key) = self.known_dict(sc)?;
                format!("{dict}.get({}, \"0\")", gear_str(key))
            }
            _ => self.name(T::NumStr, sc).unwrap_or_else(|| gear_str("1")),
        })
    }

    /// A dict in scope with a numeric entry: (its spelling, the entry's key).
    fn known_dict(&mut self, sc: &Scope) -> Option<(String, &'static str)> {
        let found: Vec<(String, &'static str)> = sc
            .names
            .iter()
            .filter_map(|(n, t)| match t {
                T::Dict(DictKind::Hash) => Some((n.clone(), "age")),
                T::Dict(DictKind::Entry) => Some((n.clone(), "n")),
                _ => None,
            })
            .collect();
        if found.is_empty() {
            return None;
        }
        Some(found[self.below(found.len())].clone())
    }

    fn bool(&mut self, k: usize, sc: &Scope, d: u32) -> Option<String> {
        Some(match k {
            0 => self.leaf(T::Bool, sc),
            1 => self.name(T::Bool, sc)?,
            2 | 3 => {
                let op = self.pick(&["==", "!=", "<", "<=", ">", ">="]);
                let t = self.pick(&[T::Int, T::Float, T::Int]);
                format!("({} {op} {})", self.expr(t, sc, d), self.expr(t, sc, d))
            }
            4 => {
                let op = self.pick(&["==", "!=", "<", ">="]);
                format!(
                    "({} {op} {})",
                    self.expr(T::Str, sc, d),
                    self.expr(T::Str, sc, d)
                )
            }
            5 => {
                let m = self.pick(&["startswith", "endswith"]);
                format!("{}.{m}({})", self.paren_str(sc, d), self.leaf(T::Str, sc))
            }
            6 => format!("{}.isdigit()", self.paren_str(sc, d)),
            7 => {
                let op = self.pick(&["in", "not in"]);
                format!(
                    "({} {op} {})",
                    self.expr(T::Str, sc, d),
                    self.expr(T::Str, sc, d)
                )
            }
            8 => {
                let op = self.pick(&["in", "not in"]);
                format!(
                    "({} {op} {})",
                    self.expr(T::Str, sc, d),
                    self.expr(T::ListStr, sc, d)
                )
            }
            9 => format!(
                "({} in {})",
                self.expr(T::Int, sc, d),
                self.expr(T::ListInt, sc, d)
            ),
            10 => format!("(not {})", self.expr(T::Bool, sc, d)),
            11 | 12 => {
                let op = self.pick(&["and", "or"]);
                format!(
                    "({} {op} {})",
                    self.expr(T::Bool, sc, d),
                    self.expr(T::Bool, sc, d)
                )
            }
            13 => self.call(T::Bool, sc, d)?,
            14 => {
                let dict = self.name(T::Dict(DictKind::Other), sc)?;
                format!("({} in {dict})", self.leaf(T::Str, sc))
            }
            15 => {
                let any = self.name(T::Mixed, sc)?;
                format!("({any} == none)")
            }
            _ => self.name(T::Bool, sc).unwrap_or_else(|| "true".into()),
        })
    }

    fn list_str(&mut self, k: usize, sc: &Scope, d: u32) -> Option<String> {
        Some(match k {
            0 => {
                let items: Vec<String> = (0..self.below(4))
                    .map(|_| self.expr(T::Str, sc, d))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            1 => self.name(T::ListStr, sc)?,
            2 => format!("{}.split()", self.paren_str(sc, d)),
            3 => {
                let sep = gear_str(self.pick(&[" ", ":", "o", "\"", "\\"]));
                let m = self.pick(&["split", "rsplit"]);
                format!("{}.{m}({sep})", self.paren_str(sc, d))
            }
            4 => format!("sorted({})", self.expr(T::ListStr, sc, d)),
            5 => format!("sorted({}, reverse = true)", self.expr(T::ListStr, sc, d)),
            6 => {
                let dict = self.name(T::Dict(DictKind::Other), sc)?;
                let m = self.pick(&["keys()", "values()"]);
                format!("{dict}.{m}")
            }
            7 => format!(
                "({} + {})",
                self.expr(T::ListStr, sc, d),
                self.expr(T::ListStr, sc, d)
            ),
            8 => format!(
                "{}[{}:{}]",
                self.paren(T::ListStr, sc, d),
                self.below(3),
                self.below(4) as i64 - 1
            ),
            9 => format!("list({})", self.expr(T::Str, sc, d)),
            10 => self.call(T::ListStr, sc, d)?,
            11 => format!("{}.rsplit(\":\", 1)", self.paren_str(sc, d)),
            _ => self
                .name(T::ListStr, sc)
                .unwrap_or_else(|| "[\"a\"]".into()),
        })
    }

    fn list_int(&mut self, k: usize, sc: &Scope, d: u32) -> Option<String> {
        Some(match k {
            0 => {
                let items: Vec<String> = (0..self.below(4))
                    .map(|_| self.expr(T::Int, sc, d))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            1 => self.name(T::ListInt, sc)?,
            2 => format!("range({})", self.below(7)),
            3 => format!("range({}, {})", self.below(5) as i64 - 2, self.below(6)),
            4 => format!("sorted({})", self.expr(T::ListInt, sc, d)),
            5 => format!(
                "({} + {})",
                self.expr(T::ListInt, sc, d),
                self.expr(T::ListInt, sc, d)
            ),
            6 => format!("{}[{}:]", self.paren(T::ListInt, sc, d), self.below(3)),
            7 => self.call(T::ListInt, sc, d)?,
            _ => self.name(T::ListInt, sc).unwrap_or_else(|| "[1, 2]".into()),
        })
    }

    fn dict(&mut self, k: usize, kind: DictKind, sc: &Scope, d: u32) -> Option<String> {
        if kind != DictKind::Other {
            return self.name(T::Dict(kind), sc);
        }
        Some(match k {
            0 => "{}".to_string(),
            1 => self.name(T::Dict(DictKind::Other), sc)?,
            _ => {
                let mut entries = Vec::new();
                for i in 0..1 + self.below(3) {
                    let key = if i == 0 {
                        self.leaf(T::Str, sc)
                    } else {
                        gear_str(&format!("k{i}"))
                    };
                    entries.push(format!("{key}: {}", self.expr(T::Str, sc, d)));
                }
                format!("{{{}}}", entries.join(", "))
            }
        })
    }
}
