//! "Did you mean …?": the nearest known name by edit distance.
//!
//! A file may hold thousands of names and thousands of mistakes, so a suggestion must not
//! cost an edit distance per name in scope: 10,000 unknown names among 10,000 `let`s took
//! minutes that way. Two things keep it near linear without changing any suggestion:
//!
//! - most candidates are ruled out before an edit distance is computed: their length is
//!   too far from the name's (an edit changes the length by at most one), the characters
//!   they do not share are too many (ditto), or they cannot beat the best one found so far;
//! - the file's globals, the bulk of the candidates and the same for every expression,
//!   are indexed once by length and in order ([`GlobalNames`]), and the best of them for
//!   a name is remembered, so a name misspelt a thousand times is looked up once.

use std::cmp::Reverse;
use std::collections::HashMap;

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut search = Search::new(name);
    for c in candidates {
        search.offer(c);
    }
    search.best.map(|(.., c)| c.to_string())
}

/// `help` text for an unknown name: a suggestion when there is one, else the list of choices.
pub fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    match nearest(name, candidates.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}

/// How good a candidate is; the smallest wins. Among equally distant names, the one
/// that agrees longest from both ends (`expird` is `expired` with a letter dropped more
/// likely than `expire` misspelt), then the shorter, then the first in alphabetical
/// order, so that the answer never depends on the order candidates come in.
type Rank<'c> = (usize, Reverse<usize>, usize, &'c str);

/// A candidate's distance: known (a prefix), or at least this much.
#[derive(Clone, Copy)]
enum Bound {
    Exact(usize),
    AtLeast(usize),
}

/// One search for the nearest of the candidates offered.
struct Search<'n, 'c> {
    name: &'n str,
    /// `name`'s length in characters.
    len: usize,
    /// The largest distance that is still a typo (a prefix either way is one at any distance).
    limit: usize,
    /// How often each ASCII character occurs in `name`, when `name` is ASCII.
    counts: Option<[u32; 128]>,
    /// `counts`, to take from while one candidate is looked at, then put back.
    scratch: [u32; 128],
    best: Option<Rank<'c>>,
}

impl<'n, 'c> Search<'n, 'c> {
    fn new(name: &'n str) -> Self {
        let len = name.chars().count();
        let counts = name.is_ascii().then(|| {
            let mut counts = [0; 128];
            for b in name.bytes() {
                counts[b as usize] += 1;
            }
            counts
        });
        Search {
            name,
            len,
            limit: (len / 3).max(1),
            counts,
            scratch: counts.unwrap_or([0; 128]),
            best: None,
        }
    }

    /// The distance a candidate must not exceed to win (or tie).
    fn bound(&self) -> usize {
        self.best.map_or(usize::MAX, |(d, ..)| d)
    }

    fn offer(&mut self, c: &'c str) {
        let distance = match self.lower_bound(c) {
            None => return,
            Some(Bound::Exact(d)) => d,
            Some(Bound::AtLeast(_)) => {
                let d = strsim::damerau_levenshtein(self.name, c);
                if d > self.limit {
                    return;
                }
                d
            }
        };
        if distance > self.bound() {
            return;
        }
        let rank = (distance, Reverse(agreement(self.name, c)), c.len(), c);
        if self.best.is_none_or(|best| rank < best) {
            self.best = Some(rank);
        }
    }

    /// What is known of `c`'s distance without computing it, or `None` when `c` is no
    /// typo of the name or cannot beat the best so far.
    fn lower_bound(&mut self, c: &str) -> Option<Bound> {
        if c == self.name {
            return None;
        }
        let c_len = if c.is_ascii() {
            c.len()
        } else {
            c.chars().count()
        };
        let gap = c_len.abs_diff(self.len);
        if c.starts_with(self.name) || self.name.starts_with(c) {
            // A prefix is as far as the characters one has beyond the other.
            return (gap <= self.bound()).then_some(Bound::Exact(gap));
        }
        let most = self.limit.min(self.bound());
        if gap > most {
            return None;
        }
        let lower = self.bag_distance(c).unwrap_or(gap);
        (lower <= most).then_some(Bound::AtLeast(lower))
    }

    /// A lower bound of the edit distance to `c` when both are ASCII: the characters one
    /// has and the other lacks (an insertion, deletion or substitution changes that by at
    /// most one, a transposition not at all).
    fn bag_distance(&mut self, c: &str) -> Option<usize> {
        let counts = self.counts.as_ref()?;
        if !c.is_ascii() {
            return None;
        }
        let mut shared = 0;
        for b in c.bytes() {
            let left = &mut self.scratch[b as usize];
            if *left > 0 {
                *left -= 1;
                shared += 1;
            }
        }
        // Put back what was taken (cheaper than copying the table for every candidate).
        for b in c.bytes() {
            self.scratch[b as usize] = counts[b as usize];
        }
        Some((self.len - shared).max(c.len() - shared))
    }
}

/// How many characters `a` and `b` share at their start plus at their end.
fn agreement(a: &str, b: &str) -> usize {
    let front = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let back = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    front + back
}

/// The file's global names, indexed for suggestions: only the names a search could
/// accept are offered to it, and each name's best global is kept for the next time the
/// same name is unknown. The index is built when the first unknown name needs it (most
/// files have none).
#[derive(Debug, Default)]
pub struct GlobalNames {
    names: Vec<String>,
    index: Option<Index>,
    /// The best global for an unknown name: its distance, agreement and the name.
    found: HashMap<String, Option<(usize, usize, String)>>,
}

#[derive(Debug)]
struct Index {
    /// Positions in `names` by length in characters.
    by_len: Vec<Vec<usize>>,
    /// Positions in `names`, in the names' order (for the names that start with another).
    sorted: Vec<usize>,
    /// Each name's position under its exact spelling.
    exact: HashMap<String, usize>,
    /// Each name's position under the hash of every spelling of it with one character
    /// left out, and of itself, sorted: two names are one edit apart (a character
    /// added, dropped, changed, or two swapped) only if they share such a spelling.
    one_off: Vec<(u64, usize)>,
}

impl GlobalNames {
    pub fn new(names: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        GlobalNames {
            names: names.into_iter().map(|n| n.as_ref().to_string()).collect(),
            index: None,
            found: HashMap::new(),
        }
    }

    /// The name nearest to `name` among the globals and `others` (the locals, builtins
    /// or fields of the scope), as [`nearest`] would find it among all of them.
    pub fn nearest<'a>(
        &mut self,
        name: &str,
        others: impl IntoIterator<Item = &'a str>,
    ) -> Option<String> {
        let global = match self.found.get(name) {
            Some(found) => found.clone(),
            None => {
                let found = self.nearest_global(name);
                self.found.insert(name.to_string(), found.clone());
                found
            }
        };
        let mut search = Search::new(name);
        if let Some((distance, agree, c)) = &global {
            search.best = Some((*distance, Reverse(*agree), c.len(), c.as_str()));
        }
        for c in others {
            search.offer(c);
        }
        search.best.map(|(.., c)| c.to_string())
    }

    fn nearest_global(&mut self, name: &str) -> Option<(usize, usize, String)> {
        let names = &self.names;
        let index = self.index.get_or_insert_with(|| Index::new(names));
        let mut search = Search::new(name);
        // The globals that `name` starts with, and those that start with `name`.
        for (at, _) in name.char_indices().skip(1) {
            if let Some(&i) = index.exact.get(&name[..at]) {
                search.offer(&names[i]);
            }
        }
        let from = index.sorted.partition_point(|&i| names[i].as_str() < name);
        for &i in &index.sorted[from..] {
            if !names[i].starts_with(name) {
                break;
            }
            search.offer(&names[i]);
        }
        // Every global one edit away.
        for_each_one_off(name, |hash| {
            let from = index.one_off.partition_point(|&(h, _)| h < hash);
            for &(h, i) in &index.one_off[from..] {
                if h != hash {
                    break;
                }
                search.offer(&names[i]);
            }
        });
        // Nothing is nearer than one edit: when one was found, the rest need not be looked
        // at. Else the rest are typos only within `limit` of the length: the cheap bound
        // of each first, then the edit distances from the least bound up, so the best is
        // found early and most distances are never computed.
        if search.bound() > 1 {
            let mut bounded = Vec::new();
            for gap in 0..=search.limit {
                let below = search.len.checked_sub(gap);
                let above = Some(search.len + gap).filter(|_| gap > 0);
                for len in [below, above].into_iter().flatten() {
                    for &i in index.by_len.get(len).into_iter().flatten() {
                        if let Some(Bound::AtLeast(lower)) = search.lower_bound(&names[i]) {
                            bounded.push((lower, i));
                        }
                    }
                }
            }
            bounded.sort_unstable();
            for (lower, i) in bounded {
                if lower > search.bound() {
                    break;
                }
                search.offer(&names[i]);
            }
        }
        search
            .best
            .map(|(d, Reverse(agree), _, c)| (d, agree, c.to_string()))
    }
}

impl Index {
    fn new(names: &[String]) -> Index {
        let mut by_len: Vec<Vec<usize>> = Vec::new();
        let mut exact = HashMap::new();
        let mut one_off = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let len = name.chars().count();
            if by_len.len() <= len {
                by_len.resize(len + 1, Vec::new());
            }
            by_len[len].push(i);
            exact.insert(name.clone(), i);
            for_each_one_off(name, |hash| one_off.push((hash, i)));
        }
        one_off.sort_unstable();
        let mut sorted: Vec<usize> = (0..names.len()).collect();
        sorted.sort_by(|&a, &b| names[a].cmp(&names[b]));
        Index {
            by_len,
            sorted,
            exact,
            one_off,
        }
    }
}

/// Calls `f` with the hash of `name` and of each spelling of it with one character left
/// out (FNV-1a, which hashes the two halves as one string without joining them).
fn for_each_one_off(name: &str, mut f: impl FnMut(u64)) {
    fn fnv(hash: u64, bytes: &[u8]) -> u64 {
        bytes.iter().fold(hash, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
    const START: u64 = 0xcbf2_9ce4_8422_2325;
    f(fnv(START, name.as_bytes()));
    for (at, c) in name.char_indices() {
        let before = fnv(START, &name.as_bytes()[..at]);
        f(fnv(before, &name.as_bytes()[at + c.len_utf8()..]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The suggestion as the plain definition gives it: every candidate's distance.
    fn by_definition(name: &str, candidates: &[&str]) -> Option<String> {
        let limit = (name.chars().count() / 3).max(1);
        candidates
            .iter()
            .copied()
            .filter(|c| *c != name)
            .map(|c| (strsim::damerau_levenshtein(name, c), c))
            .filter(|(d, c)| *d <= limit || c.starts_with(name) || name.starts_with(c))
            .min_by_key(|(d, c)| (*d, Reverse(agreement(name, c)), c.len(), *c))
            .map(|(_, c)| c.to_string())
    }

    const NAMES: &[&str] = &[
        "expire",
        "expired",
        "exp",
        "expiredness",
        "count",
        "counter",
        "cuont",
        "value",
        "values",
        "vlaue",
        "key",
        "keys",
        "ky",
        "x1",
        "x12",
        "x123",
        "y123",
        "naïve",
        "naive",
        "nïave",
        "ab",
        "ba",
        "abc",
        "acb",
        "_",
        "it",
        "id",
        "ids",
        "k1",
        "K1",
        "undefined_1",
        "undefined_10",
        "a_long_name_here",
        "a_lnog_name_here",
    ];

    #[test]
    fn the_index_and_the_filters_suggest_what_the_definition_does() {
        let names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
        let mut index = GlobalNames::new(&names);
        let queries = NAMES.iter().copied().chain([
            "expird",
            "cont",
            "valeu",
            "kye",
            "x",
            "x1234",
            "y12",
            "niave",
            "nave",
            "a",
            "abd",
            "undefined_",
            "undefined_100",
            "a_long_name",
            "zzz",
            "",
            "I",
            "ïd",
        ]);
        for q in queries {
            let want = by_definition(q, NAMES);
            assert_eq!(nearest(q, NAMES.iter().copied()), want, "nearest({q:?})");
            // Split between the index and the others, both ways.
            let (globals, others) = NAMES.split_at(NAMES.len() / 2);
            let globals: Vec<String> = globals.iter().map(|s| s.to_string()).collect();
            let mut half = GlobalNames::new(&globals);
            for _ in 0..2 {
                assert_eq!(half.nearest(q, others.iter().copied()), want, "half({q:?})");
                assert_eq!(index.nearest(q, []), want, "index({q:?})");
            }
        }
    }

    #[test]
    fn random_names_get_the_suggestion_of_the_definition() {
        // Names over a small alphabet (with a two-byte character) collide often: many
        // candidates at every distance, prefixes, swaps.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut word = |max: usize| -> String {
            let len = next(max + 1);
            (0..len)
                .map(|_| ['a', 'b', 'c', '_', '1', 'ï'][next(6)])
                .collect()
        };
        let globals: Vec<String> = (0..400).map(|_| word(9)).collect();
        let others: Vec<String> = (0..20).map(|_| word(5)).collect();
        let all: Vec<&str> = globals.iter().chain(&others).map(String::as_str).collect();
        let mut index = GlobalNames::new(&globals);
        for _ in 0..600 {
            let q = word(12);
            let want = by_definition(&q, &all);
            assert_eq!(nearest(&q, all.iter().copied()), want, "nearest({q:?})");
            let got = index.nearest(&q, others.iter().map(String::as_str));
            assert_eq!(got, want, "index({q:?})");
        }
    }

    #[test]
    fn a_typo_is_found_and_a_stranger_is_not() {
        assert_eq!(
            nearest("expird", ["expire", "expired"]).as_deref(),
            Some("expired")
        );
        assert_eq!(
            nearest("lenght", ["len", "length"]).as_deref(),
            Some("length")
        );
        assert_eq!(nearest("zebra", ["len", "length"]), None);
    }
}
