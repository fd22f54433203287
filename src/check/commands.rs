//! Redis' command table, to catch a misspelled command in a literal
//! `execute("HGTE", …)` at compile time: RedisGears only reports it when the
//! callback runs, as "No such file or directory".

/// The table, generated from a real redis-server (how: the file's header).
const TABLE: &str = include_str!("redis_commands.txt");

/// Every top-level command name of Redis 7, lower case, sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    sorted().iter().copied()
}

/// The table's names, read once: a large file checks thousands of `execute` calls, and
/// reading the table's lines again for each was a percent of a compile.
fn sorted() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<&'static str> = TABLE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        // The file is sorted; sorting again costs nothing and keeps the search right.
        names.sort_unstable();
        names
    })
}

/// Whether `name` (any case) is a command Redis knows. Module commands (`RG.TRIGGER`,
/// `JSON.SET`, …) have a dot in their name and depend on what the server loaded, so
/// they are never called unknown.
pub fn is_known(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains('.') || sorted().binary_search(&lower.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_commands_in_any_case_and_module_commands_pass() {
        assert!(is_known("HGET") && is_known("hget") && is_known("Set"));
        assert!(!is_known("HGTE"));
        assert!(is_known("RG.TRIGGER") && is_known("JSON.SET"));
        assert!(names().count() > 200);
        assert!(names().all(|n| n == n.to_ascii_lowercase() && !n.contains('|')));
    }
}
