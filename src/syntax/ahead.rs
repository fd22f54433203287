//! Parsing items on a second thread while the caller checks and lowers the ones before.
//!
//! Parsing is about half of a compile (pest and the tree builder); checking and lowering
//! an item need the items before it, parsing does not. So the items of a large file are
//! cut into batches in order, and two threads parse them, each taking the first batch
//! nobody has started: a helper thread, all the time, and the caller, whenever the
//! batch it needs next is not parsed yet (rather than wait for it). The caller takes
//! the batches in order, so it gets the same trees and the same errors in the same
//! order as if it had parsed every item itself, with both cores at work.
//!
//! The helper runs at most [`AHEAD`] batches ahead of the caller, so memory stays that
//! of a few batches of items; when the caller is done (or panics) it says so, and the
//! helper stops at its next batch.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::ast::Item;
use super::error::SyntaxError;
use super::parser::Items;

/// A batch is items in order up to this many bytes of source (or [`BATCH_ITEMS`]): one
/// hand-over, and at most one wake-up, per batch rather than per item. By size, because
/// items range from a 40-byte `let` to pipelines of kilobytes: batches of a fixed count
/// of `let`s were so small that handing them over cost more than parsing them.
const BATCH_BYTES: usize = 1024;

/// At most this many items in a batch.
const BATCH_ITEMS: usize = 256;

/// How many batches the helper may have parsed and not yet handed over: their trees are
/// a good part of a large file's memory (about 15 bytes per byte of source). Measured
/// on the 1 MB and 10 MB bench files: 4 batches of 1 KiB are as fast as 4 of 4 KiB and
/// hold less; 2 batches of 2 KiB hold about as little, but leave the helper waiting and
/// are a quarter slower.
const AHEAD: usize = 4;

/// Below this many items a file compiles in a few milliseconds: they are parsed where
/// they are taken, without a second thread.
const MIN_ITEMS: usize = 64;

/// One parsed item, or its syntax errors.
pub(crate) type ParsedItem = Result<Item, Vec<SyntaxError>>;

/// Calls `body` with a function that returns item `i` parsed. `body` must ask for the
/// items of `order`, each once, in that order (an item asked for out of that order is
/// parsed where it is asked for: correct, but no longer shared). When the file is large
/// and the machine has a second core, those items are parsed by two threads.
pub(crate) fn parse_ahead<T>(
    items: &Items<'_>,
    order: &[usize],
    body: impl FnOnce(&mut dyn FnMut(usize) -> ParsedItem) -> T,
) -> T {
    parse_ahead_with(items, order, false, body)
}

/// [`parse_ahead`]; tests make the helper panic with `helper_panics`.
#[cfg_attr(not(test), allow(unused_variables))]
fn parse_ahead_with<T>(
    items: &Items<'_>,
    order: &[usize],
    helper_panics: bool,
    body: impl FnOnce(&mut dyn FnMut(usize) -> ParsedItem) -> T,
) -> T {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || order.len() < MIN_ITEMS {
        return body(&mut |i| items.parse(i));
    }
    let batches = batches(items, order);
    let shared = Shared {
        state: Mutex::new(State::default()),
        changed: Condvar::new(),
        #[cfg(test)]
        helper_panics,
    };
    std::thread::scope(|scope| {
        let (shared, batches) = (&shared, &batches);
        // Named, so that a panic there says where it was. When no thread can be made
        // (a process limit), the caller parses every batch itself.
        let _ = std::thread::Builder::new()
            .name("gearc-parse".to_string())
            .spawn_scoped(scope, move || helper(items, batches, shared));
        // Tells the helper to stop when `body` returns or unwinds.
        let _done = Done(shared);
        let mut current = Vec::new().into_iter();
        let mut next = |i: usize| {
            if current.len() == 0 {
                if let Some(batch) = take_batch(items, batches, shared) {
                    current = batch.into_iter();
                }
            }
            match current.next() {
                Some((at, parsed)) if at == i => parsed,
                _ => {
                    #[cfg(test)]
                    tests::FALLBACKS.with(|n| n.set(n.get() + 1));
                    items.parse(i)
                }
            }
        };
        body(&mut next)
    })
}

struct Shared {
    state: Mutex<State>,
    /// Notified when a batch is parsed, taken, or the caller is done.
    changed: Condvar,
    /// The helper panics on the first batch it claims (a test of what follows).
    #[cfg(test)]
    helper_panics: bool,
}

#[derive(Default)]
struct State {
    /// The first batch nobody has started.
    unclaimed: usize,
    /// The batches the caller has taken.
    taken: usize,
    /// Batches `taken`, `taken + 1`, … up to `unclaimed`: `Some` once parsed (by either
    /// thread), `None` while being parsed.
    parsed: VecDeque<Option<Vec<(usize, ParsedItem)>>>,
    done: bool,
    /// The helper has returned, or unwound from a panic: a batch it claimed and did
    /// not parse will never be parsed unless the caller does it.
    helper_gone: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held leaves nothing half-changed that matters here.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, State>) -> MutexGuard<'g, State> {
        self.changed.wait(guard).unwrap_or_else(|p| p.into_inner())
    }
}

/// The helper thread: claims the next unclaimed batch, parses it, puts it in its slot;
/// at most [`AHEAD`] batches ahead of the caller.
fn helper(items: &Items<'_>, batches: &[&[usize]], shared: &Shared) {
    let _gone = HelperGone(shared);
    let mut state = shared.lock();
    loop {
        while !state.done && state.unclaimed < batches.len() && state.parsed.len() >= AHEAD {
            state = shared.wait(state);
        }
        if state.done || state.unclaimed >= batches.len() {
            return;
        }
        state = claim_and_parse(items, batches, shared, state, true);
    }
}

/// The caller's next batch, in order: taken when it is parsed; while the helper is at
/// it, the caller parses the next unclaimed batch itself instead of waiting (and waits
/// only when there is none). `None` after the last batch.
fn take_batch(
    items: &Items<'_>,
    batches: &[&[usize]],
    shared: &Shared,
) -> Option<Vec<(usize, ParsedItem)>> {
    let mut state = shared.lock();
    loop {
        if let Some(Some(_)) = state.parsed.front() {
            let parsed = state.parsed.pop_front().flatten();
            state.taken += 1;
            shared.changed.notify_all();
            return parsed;
        }
        if state.taken >= batches.len() {
            return None;
        }
        if state.helper_gone && matches!(state.parsed.front(), Some(None)) {
            // Claimed by a helper that panicked: parsed here (the panic is raised again
            // when the scope ends, or here first if this batch causes it).
            state.parsed.pop_front();
            let b = state.taken;
            state.taken += 1;
            drop(state);
            return Some(parse_batch(items, batches[b]));
        }
        if state.unclaimed < batches.len() && state.parsed.len() < 2 * AHEAD {
            state = claim_and_parse(items, batches, shared, state, false);
        } else {
            state = shared.wait(state);
        }
    }
}

/// Claims the first unclaimed batch (its slot `None` meanwhile), parses it with the
/// lock released, and puts it in its slot, `parsed[b - taken]`: the caller takes
/// batches only from the front and only once parsed, so `taken` is at most `b`.
/// (`by_helper`: on the helper's thread; tests make it panic there.)
#[cfg_attr(not(test), allow(unused_variables))]
fn claim_and_parse<'g>(
    items: &Items<'_>,
    batches: &[&[usize]],
    shared: &'g Shared,
    mut state: MutexGuard<'g, State>,
    by_helper: bool,
) -> MutexGuard<'g, State> {
    let b = state.unclaimed;
    state.unclaimed += 1;
    state.parsed.push_back(None);
    drop(state);
    #[cfg(test)]
    if by_helper && shared.helper_panics {
        panic!("a helper that panics, for a test");
    }
    let parsed = parse_batch(items, batches[b]);
    let mut state = shared.lock();
    let slot = b - state.taken;
    state.parsed[slot] = Some(parsed);
    shared.changed.notify_all();
    state
}

/// `order` cut into batches of about [`BATCH_BYTES`] each.
fn batches<'o>(items: &Items<'_>, order: &'o [usize]) -> Vec<&'o [usize]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (at, &i) in order.iter().enumerate() {
        bytes += items.source_of(i).len();
        if bytes >= BATCH_BYTES || at + 1 - start == BATCH_ITEMS {
            batches.push(&order[start..=at]);
            (start, bytes) = (at + 1, 0);
        }
    }
    if start < order.len() {
        batches.push(&order[start..]);
    }
    batches
}

fn parse_batch(items: &Items<'_>, batch: &[usize]) -> Vec<(usize, ParsedItem)> {
    batch.iter().map(|&i| (i, items.parse(i))).collect()
}

/// Says, when dropped, that the helper is gone (returned or unwound).
struct HelperGone<'a>(&'a Shared);

impl Drop for HelperGone<'_> {
    fn drop(&mut self) {
        self.0.lock().helper_gone = true;
        self.0.changed.notify_all();
    }
}

/// Ends the helper when dropped.
struct Done<'a>(&'a Shared);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.lock().done = true;
        self.0.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Items the caller parsed because the batch did not hold them: none when the
        /// batches are handed over right.
        pub(super) static FALLBACKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// A file of `n` items of several kinds, every seventh with a syntax error.
    fn source(n: usize) -> String {
        (0..n)
            .map(|i| match i % 7 {
                0 => format!("let X{i} = {i} +\n"),
                1 => format!("fn f{i}(x) = x * {i}\n"),
                2 => format!("keys(\"k{i}:*\") | map(f{i}(int(value))) | register\n"),
                3 => format!("let Y{i} = [{i}, \"s\", f\"{{X{i}}}\"]\n"),
                4 => format!("keys(\"k{i}\") | filter(it > ) | run\n"),
                5 => "python \"\"\"\ndef g(x):\n    return x\n\"\"\"\n".to_string(),
                _ => format!("stream(\"s{i}\") | foreach(log(f\"{{it}}\")) | register\n"),
            })
            .collect()
    }

    /// What the items of `order` parse to, asked for in that order through
    /// `parse_ahead`.
    fn ahead(items: &Items<'_>, order: &[usize]) -> Vec<String> {
        parse_ahead(items, order, |parse| {
            order.iter().map(|&i| format!("{:?}", parse(i))).collect()
        })
    }

    fn one_by_one(items: &Items<'_>, order: &[usize]) -> Vec<String> {
        order
            .iter()
            .map(|&i| format!("{:?}", items.parse(i)))
            .collect()
    }

    #[test]
    fn items_parsed_ahead_are_the_items_parsed_one_by_one() {
        // Large enough for the second thread, with a last batch that is not full.
        let text = source(2000 + 5);
        let items = Items::new(&text);
        assert!(items.len() >= MIN_ITEMS);
        let all: Vec<usize> = (0..items.len()).collect();
        // Some items first, then the others: what the compiler's two passes ask for.
        let (thirds, others): (Vec<usize>, Vec<usize>) = all.iter().partition(|&&i| i % 3 == 0);
        let two_passes = [thirds, others].concat();
        for order in [all, two_passes] {
            let expected = one_by_one(&items, &order);
            assert!(expected.iter().any(|p| p.starts_with("Err")));
            assert!(expected.iter().any(|p| p.starts_with("Ok")));
            FALLBACKS.with(|n| n.set(0));
            assert_eq!(ahead(&items, &order), expected);
            assert_eq!(FALLBACKS.with(|n| n.get()), 0);
        }
    }

    #[test]
    fn a_caller_that_stops_early_ends_the_helper() {
        let text = source(2000);
        let items = Items::new(&text);
        let all: Vec<usize> = (0..items.len()).collect();
        // Returns (so the scope has joined the helper) after three items.
        let first = parse_ahead(&items, &all, |parse| {
            (0..3)
                .map(|i| format!("{:?}", parse(i)))
                .collect::<Vec<_>>()
        });
        assert_eq!(first, one_by_one(&items, &[0, 1, 2]));
    }

    #[test]
    fn an_item_asked_out_of_order_is_still_the_right_item() {
        let text = source(2000);
        let items = Items::new(&text);
        let all: Vec<usize> = (0..items.len()).collect();
        let got = parse_ahead(&items, &all, |parse| {
            [5, 2, 9].map(|i| format!("{:?}", parse(i)))
        });
        let expected = [5, 2, 9].map(|i| format!("{:?}", items.parse(i)));
        assert_eq!(got, expected);
        assert!(FALLBACKS.with(|n| n.get()) > 0);
    }

    #[test]
    fn a_helper_that_panics_never_leaves_the_caller_waiting_and_is_raised_again() {
        let text = source(2000);
        let items = Items::new(&text);
        let all: Vec<usize> = (0..items.len()).collect();
        let expected = one_by_one(&items, &all);
        // The helper dies on the first batch it claims: the caller must neither wait
        // for that batch forever nor lose its items.
        let mut finished = None;
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            parse_ahead_with(&items, &all, true, |parse| {
                finished = Some(all.iter().map(|&i| format!("{:?}", parse(i))).collect());
            })
        }));
        assert_eq!(finished, Some(expected));
        assert!(caught.is_err(), "the helper's panic was swallowed");
    }

    #[test]
    fn batches_cover_the_order_in_order_by_size() {
        let text = source(2000);
        let items = Items::new(&text);
        let order: Vec<usize> = (0..items.len()).rev().step_by(2).collect();
        let cut = batches(&items, &order);
        assert!(cut.len() > 2);
        assert_eq!(cut.concat(), order);
        for batch in &cut[..cut.len() - 1] {
            let bytes: usize = batch.iter().map(|&i| items.source_of(i).len()).sum();
            assert!(bytes >= BATCH_BYTES || batch.len() == BATCH_ITEMS);
            // The last item is what reached the size: without it the batch was short.
            assert!(bytes - items.source_of(batch[batch.len() - 1]).len() < BATCH_BYTES);
        }
    }
}
