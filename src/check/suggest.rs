//! "Did you mean …?": the nearest known name by edit distance.

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= limit || c.starts_with(name) || name.starts_with(c))
        // Among equally distant names, the one that agrees longest from both ends:
        // `expird` is `expired` with a letter dropped more likely than `expire` misspelt.
        .min_by_key(|(d, c)| (*d, std::cmp::Reverse(agreement(name, c)), c.len()))
        .map(|(_, c)| c.to_string())
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

/// `help` text for an unknown name: a suggestion when there is one, else the list of choices.
pub fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    match nearest(name, candidates.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}
