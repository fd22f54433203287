//! A hash map that keeps each entry once, in insertion order, and a 4-byte position
//! per slot of its hash table.
//!
//! The checker's globals, its cache of `fn` results and the lowering's module names are
//! maps of this kind, with an entry per `let` or `fn` of the file: thousands in a large
//! file. A `HashMap` holds its entries in its slots, and a hash table keeps up to half
//! of its slots free (it doubles when seven eighths are taken), so there a free slot
//! costs as much as an entry. Here the entries are in a `Vec` of the size asked for,
//! and the slots hold only their positions.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};

use hashbrown::{DefaultHashBuilder, HashTable};

pub(crate) struct CompactMap<K, V> {
    entries: Vec<(K, V)>,
    /// The position in `entries` of each entry, by the hash of its key. Positions are
    /// `u32`: a file has far fewer globals than that (the compiler reads no file of 4 GiB).
    slots: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

/// Values by name.
pub(crate) type NameTable<T> = CompactMap<Box<str>, T>;

impl<K, V> Default for CompactMap<K, V> {
    fn default() -> Self {
        CompactMap {
            entries: Vec::new(),
            slots: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }
}

impl<K: Hash + Eq, V> CompactMap<K, V> {
    /// Makes room for `more` entries: exactly that many in the entries, so that a table
    /// made at its size never grows (while a table grows, it is there twice).
    pub(crate) fn reserve(&mut self, more: usize) {
        self.entries.reserve_exact(more);
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.slots
            .reserve(more, |&at| hasher.hash_one(&entries[at as usize].0));
    }

    fn position<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
    {
        let hash = self.hasher.hash_one(key);
        self.slots
            .find(hash, |&at| self.entries[at as usize].0.borrow() == key)
            .map(|&at| at as usize)
    }

    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.position(key).map(|at| &self.entries[at].1)
    }

    pub(crate) fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.position(key).map(|at| &mut self.entries[at].1)
    }

    pub(crate) fn contains<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.position(key).is_some()
    }

    /// Adds `value` as `key`'s, unless the map has `key` already (then the map is
    /// unchanged and `value` is handed back).
    pub(crate) fn insert(&mut self, key: K, value: V) -> Result<(), V> {
        if self.contains(&key) {
            return Err(value);
        }
        let Ok(at) = u32::try_from(self.entries.len()) else {
            return Err(value);
        };
        if self.entries.len() == self.entries.capacity() {
            // An eighth more, not twice: a map made at its size (`reserve`) is often a
            // few entries short (the compiler counts the `let`s and `fn`s, not the
            // Python blocks' names), and doubling would leave half of it unused.
            self.entries.reserve_exact(self.entries.len() / 8 + 4);
        }
        let hash = self.hasher.hash_one(&key);
        self.entries.push((key, value));
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.slots
            .insert_unique(hash, at, |&at| hasher.hash_one(&entries[at as usize].0));
        Ok(())
    }

    /// The keys, in the order they were inserted.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(key, _)| key)
    }
}

impl<K: std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for CompactMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(key, value)| (key, value)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_and_keeps_the_first_of_a_name() {
        let mut table: NameTable<_> = CompactMap::default();
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
        assert_eq!(table.keys().map(|k| &**k).collect::<Vec<_>>(), ["b", "a"]);
    }

    #[test]
    fn a_table_past_its_reserve_grows_and_still_finds_every_name() {
        let mut table: NameTable<_> = CompactMap::default();
        table.reserve(10);
        for i in 0..5000 {
            assert_eq!(table.insert(format!("n{i}").into(), i), Ok(()));
        }
        for i in 0..5000 {
            assert_eq!(table.get(format!("n{i}").as_str()), Some(&i));
        }
        assert_eq!(table.get("n5000"), None);
    }

    #[test]
    fn a_reserved_table_keeps_its_entries_at_the_size_asked_or_a_little_more() {
        let mut table: NameTable<_> = CompactMap::default();
        table.reserve(3964);
        for i in 0..3964 {
            table.insert(format!("n{i}").into(), ()).unwrap();
        }
        assert_eq!(table.entries.capacity(), 3964);
        // One name more than reserved (a Python block's) does not double the entries.
        table.insert("helper".into(), ()).unwrap();
        assert!(table.entries.capacity() <= 3964 + 3964 / 8 + 4);
        assert_eq!(table.get("helper"), Some(&()));
    }
}
