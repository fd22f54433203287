//! Random well-typed Gear programs over a known data set, for the property test
//! (`tests/generated.rs`), the differential test against a real RedisGears
//! (`tests/redisgears_generated.rs`) and the structure-aware fuzz target (which drives
//! the same generator with the fuzzer's bytes instead of a seeded random source).
//!
//! Every program has one `run` pipeline (optionally `register` pipelines beside it,
//! for compile-only use), `let` constants, `fn` functions, sometimes a Python block,
//! and hostile strings wherever a string may stand. A program is built so that its
//! result does not depend on anything RedisGears leaves undefined: records are
//! compared as a sorted set unless the program says its order is defined, floats add
//! up exactly, and reductions are commutative.
#![allow(dead_code)]

pub mod data;
pub mod expr;
mod pipeline;

use expr::{FnSig, Scope, T};

/// Where the generator's decisions come from.
pub trait Choices {
    /// A number in `0..n` (`n > 0`). A source that runs dry answers 0, and every
    /// choice 0 is the simplest option, so a program always ends.
    fn below(&mut self, n: usize) -> usize;
}

/// SplitMix64: a small, fast, seedable random source (no dependency needed).
pub struct SplitMix64(pub u64);

impl Choices for SplitMix64 {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n as u64) as usize
    }
}

/// What to generate.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Add `register` pipelines beside the `run` one (they compile, but `gearc run`
    /// leaves them out, so they are for the property test and the fuzzer).
    pub registrations: bool,
}

/// A generated program and what is known about its result.
#[derive(Clone, Debug)]
pub struct Program {
    pub source: String,
    /// The order of the result records is defined (a `sort` decided it).
    pub ordered: bool,
    /// A 3-shard cluster gives the same records as one server (no shard-local
    /// step before the records are together, no write, no per-shard reader).
    pub cluster_safe: bool,
    /// The program writes keys (`out:{…}`).
    pub writes: bool,
}

/// The program for `seed` (the same seed always gives the same program).
pub fn program_for_seed(seed: u64, options: Options) -> Program {
    program(&mut SplitMix64(seed), options)
}

/// A program from any source of choices.
pub fn program(choices: &mut impl Choices, options: Options) -> Program {
    let mut gen = Gen {
        choices,
        fns: Vec::new(),
        globals: Scope::default(),
        items: Vec::new(),
        py_gens: Vec::new(),
        counter: 0,
    };
    gen.program(options)
}

/// The generator's state while it builds one program.
pub struct Gen<'a, C: Choices> {
    choices: &'a mut C,
    /// Functions callable so far (`fn` and Python-block `def`s).
    pub(crate) fns: Vec<FnSig>,
    /// `let` constants so far.
    pub(crate) globals: Scope,
    /// Items of the program, in order.
    items: Vec<String>,
    /// Python-block generators (for `python(…)`).
    py_gens: Vec<String>,
    counter: usize,
}

impl<C: Choices> Gen<'_, C> {
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.choices.below(n.max(1)).min(n.saturating_sub(1))
    }

    pub(crate) fn pick<X: Copy>(&mut self, xs: &[X]) -> X {
        xs[self.below(xs.len())]
    }

    /// True with probability `num/den` from a random source; false when dry.
    pub(crate) fn maybe(&mut self, num: usize, den: usize) -> bool {
        self.below(den) >= den - num
    }

    pub(crate) fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    fn program(&mut self, options: Options) -> Program {
        for _ in 0..self.below(4) {
            self.let_item();
        }
        for _ in 0..self.below(4) {
            self.fn_item();
        }
        if self.maybe(1, 6) {
            self.python_block();
        }
        if options.registrations {
            for _ in 0..self.below(3) {
                let reg = self.registration();
                self.items.push(reg);
            }
        }
        let run = self.run_pipeline();
        self.items.push(run.source.clone());
        Program {
            source: self.items.join("\n") + "\n",
            ..run
        }
    }

    /// `let K = …` of a random type, from literals and the constants above it.
    fn let_item(&mut self) {
        let t = self.pick(&[
            T::Int,
            T::Float,
            T::Str,
            T::Bool,
            T::ListStr,
            T::ListInt,
            T::Dict(expr::DictKind::Other),
        ]);
        let name = self.fresh("K");
        let scope = self.globals.clone();
        let value = self.expr(t, &scope, 1);
        self.items.push(format!("let {name} = {value}"));
        self.globals.names.push((name, t));
    }

    /// `fn f(p…) = …` with typed parameters; it may call the functions above it.
    fn fn_item(&mut self) {
        let name = self.fresh("f");
        let types = [T::Int, T::Str, T::Float, T::ListStr, T::Bool];
        let params: Vec<T> = (0..self.below(3)).map(|_| self.pick(&types)).collect();
        let ret = self.pick(&[T::Int, T::Str, T::Float, T::ListStr, T::Bool, T::ListInt]);
        let mut scope = self.globals.clone();
        let mut names = Vec::new();
        for (i, t) in params.iter().enumerate() {
            let p = format!("p{i}");
            scope.names.push((p.clone(), *t));
            names.push(p);
        }
        let body = self.expr(ret, &scope, 2);
        self.items
            .push(format!("fn {name}({}) = {body}", names.join(", ")));
        self.fns.push(FnSig { name, params, ret });
    }

    /// A Python block with a generator for `python(…)` and a function of one int.
    fn python_block(&mut self) {
        let gen = self.fresh("py_gen");
        let twice = self.fresh("py_twice");
        let n = self.below(6);
        self.items.push(format!(
            "python \"\"\"\ndef {gen}():\n    for i in range({n}):\n        yield i * 3\n\ndef {twice}(x):\n    return x * 2\n\"\"\""
        ));
        self.fns.push(FnSig {
            name: twice,
            params: vec![T::Int],
            ret: T::Int,
        });
        self.py_gens.push(gen);
    }
}
