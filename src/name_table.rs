//! A table of values by name that keeps each entry once, in insertion order, and a
//! 4-byte index per slot of its hash table.
//!
//! The checker's globals and the lowering's module names are tables of this kind, with
//! an entry per `let` and `fn` of the file: thousands in a large file. A `HashMap`
//! holds its entries in its slots, and a hash table keeps up to half of its slots free
//! (it doubles when seven eighths are taken), so there a free slot costs as much as an
//! entry. Here the entries are in a `Vec` of the size asked for, and the slots hold
//! only their positions.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

pub(crate) struct NameTable<T> {
    entries: Vec<(Box<str>, T)>,
    /// The position in `entries` of each entry, by the hash of its name. Positions are
    /// `u32`: a file has far fewer names than that (the compiler reads no file of 4 GiB).
    slots: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl<T> Default for NameTable<T> {
    fn default() -> Self {
        NameTable {
            entries: Vec::new(),
            slots: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }
}

impl<T> NameTable<T> {
    /// Makes room for `more` entries: exactly that many in the entries, so that a table
    /// made at its size never grows (while a table grows, it is there twice).
    pub(crate) fn reserve(&mut self, more: usize) {
        self.entries.reserve_exact(more);
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.slots
            .reserve(more, |&at| hasher.hash_one(&*entries[at as usize].0));
    }

    fn position(&self, name: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(name);
        self.slots
            .find(hash, |&at| &*self.entries[at as usize].0 == name)
            .map(|&at| at as usize)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&T> {
        self.position(name).map(|at| &self.entries[at].1)
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        self.position(name).map(|at| &mut self.entries[at].1)
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Adds `value` as `name`'s, unless the table has `name` already (then the table is
    /// unchanged and `value` is handed back).
    pub(crate) fn insert(&mut self, name: Box<str>, value: T) -> Result<(), T> {
        if self.contains(&name) {
            return Err(value);
        }
        let Ok(at) = u32::try_from(self.entries.len()) else {
            return Err(value);
        };
        let hash = self.hasher.hash_one(&*name);
        self.entries.push((name, value));
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.slots
            .insert_unique(hash, at, |&at| hasher.hash_one(&*entries[at as usize].0));
        Ok(())
    }

    /// The names, in the order they were inserted.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(name, _)| &**name)
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for NameTable<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(name, value)| (name, value)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_and_keeps_the_first_of_a_name() {
        let mut table = NameTable::default();
        table.reserve(3);
        assert_eq!(table.insert("b".into(), 1), Ok(()));
        assert_eq!(table.insert("a".into(), 2), Ok(()));
        assert_eq!(table.insert("b".into(), 3), Err(3));
        assert_eq!(table.get("b"), Some(&1));
        assert_eq!(table.get("a"), Some(&2));
        assert_eq!(table.get("c"), None);
        assert!(!table.contains(""));
        *table.get_mut("a").unwrap() = 5;
        assert_eq!(table.get("a"), Some(&5));
        assert_eq!(table.names().collect::<Vec<_>>(), ["b", "a"]);
    }

    #[test]
    fn a_table_past_its_reserve_grows_and_still_finds_every_name() {
        let mut table = NameTable::default();
        table.reserve(10);
        for i in 0..5000 {
            assert_eq!(table.insert(format!("n{i}").into(), i), Ok(()));
        }
        for i in 0..5000 {
            assert_eq!(table.get(&format!("n{i}")), Some(&i));
        }
        assert_eq!(table.get("n5000"), None);
    }

    #[test]
    fn a_reserved_table_keeps_its_entries_at_the_size_asked() {
        let mut table = NameTable::default();
        table.reserve(3964);
        for i in 0..3964 {
            table.insert(format!("n{i}").into(), ()).unwrap();
        }
        assert_eq!(table.entries.capacity(), 3964);
    }
}
