//! `gearc explain CODE`: prints the entry of a diagnostic code from the reference.
//!
//! The entries are the `### gearc::…` sections of `docs/reference/diagnostics.md`,
//! embedded at build time, so the page a reader browses and what `explain` prints
//! are one text (tests/docs.rs checks that every code the compiler emits has one).

use clap::Args;

use super::{exit, output};

const PAGE: &str = include_str!("../../docs/reference/diagnostics.md");

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, in full (`gearc::check::unknown_field`) or its last part
    /// (`unknown_field`); without it, every code is listed.
    pub code: Option<String>,
}

/// One documented code: its heading and the text under it.
struct Entry {
    code: &'static str,
    body: Vec<&'static str>,
}

impl Entry {
    /// The code's last part, `unknown_field` of `gearc::check::unknown_field`.
    fn kind(&self) -> &'static str {
        self.code.rsplit("::").next().unwrap_or(self.code)
    }

    /// The first line of the entry: `error: …` or `warning: …`.
    fn summary(&self) -> &'static str {
        self.body
            .iter()
            .find(|l| !l.trim().is_empty())
            .copied()
            .unwrap_or("")
    }
}

pub fn explain(args: ExplainArgs) -> u8 {
    let entries = entries(PAGE);
    let Some(query) = args.code else {
        let list: String = entries
            .iter()
            .map(|e| format!("{:<44} {}\n", e.code, e.summary()))
            .collect();
        return output::to_stdout(&list);
    };
    match find(&entries, &query) {
        Ok(entry) => output::to_stdout(&render(entry)),
        Err(message) => {
            eprintln!("error: {message}");
            exit::TROUBLE
        }
    }
}

/// The entries of the page, in order. A heading inside a code block (a Gear
/// comment such as `# error: …`) is not a heading.
fn entries(page: &'static str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut in_code = false;
    let mut current: Option<Entry> = None;
    for line in page.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        let heading = !in_code && line.starts_with('#');
        if heading {
            entries.extend(current.take());
            if let Some(code) = line.strip_prefix("### ").map(str::trim) {
                if code.starts_with("gearc::") {
                    current = Some(Entry { code, body: vec![] });
                }
            }
            continue;
        }
        if let Some(entry) = current.as_mut() {
            entry.body.push(line);
        }
    }
    entries.extend(current);
    entries
}

/// The entry for a full code or its last part; otherwise a message with a suggestion.
fn find<'a>(entries: &'a [Entry], query: &str) -> Result<&'a Entry, String> {
    let query = query.trim().to_ascii_lowercase();
    let matches: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.code == query || e.kind() == query || e.code.ends_with(&format!("::{query}")))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => {
            let last = query.rsplit("::").next().unwrap_or(&query);
            let suggestion = gearc::check::suggest::nearest(last, entries.iter().map(Entry::kind))
                .and_then(|kind| entries.iter().find(|e| e.kind() == kind))
                .map(|e| format!("; did you mean `{}`?", e.code))
                .unwrap_or_default();
            Err(format!(
                "no diagnostic has the code `{query}`{suggestion}\n(`gearc explain` lists every code)"
            ))
        }
        several => {
            let codes: Vec<&str> = several.iter().map(|e| e.code).collect();
            Err(format!(
                "`{query}` is the code of several stages: {}; give the full code",
                codes.join(", ")
            ))
        }
    }
}

/// The entry as plain text: the markdown without code fences, code indented,
/// links to other reference pages spelled as paths.
fn render(entry: &Entry) -> String {
    let mut out = format!("{}\n", entry.code);
    let mut in_code = false;
    let mut body = entry.body.as_slice();
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body = &body[..body.len() - 1];
    }
    for line in body {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
        } else {
            out.push_str(&unlink(line));
        }
        out.push('\n');
    }
    out
}

/// `[operations](operations.md)` → `operations (docs/reference/operations.md)`;
/// a link within the page keeps only its text.
fn unlink(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let target = &after[close + 2..];
            let end = target.find(')')?;
            Some((&after[..close], &target[..end], close + 2 + end + 1))
        });
        match link {
            Some((text, target, len)) if !target.contains("://") => {
                out.push_str(&rest[..open]);
                if target.starts_with('#') {
                    // Another entry of this page: its code is in the text.
                    out.push_str(text);
                } else {
                    out.push_str(&format!("{text} (docs/reference/{target})"));
                }
                rest = &after[len..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_end_at_the_next_heading_but_not_at_a_gear_comment() {
        let page = "# Title\n\n### gearc::a::one\n\nerror: x.\n\n```gear\n# error: gearc::a::one\nkeys\n```\n\n## Section\n\n### gearc::b::two\n\nwarning: y.\n";
        let e = entries(page);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].code, "gearc::a::one");
        assert!(e[0].body.contains(&"# error: gearc::a::one"));
        assert!(!e[0].body.iter().any(|l| l.contains("Section")));
        assert_eq!(e[1].summary(), "warning: y.");
    }

    #[test]
    fn links_become_paths() {
        assert_eq!(
            unlink("see [operations](operations.md), [`x`](#x) and [x](https://e.org)."),
            "see operations (docs/reference/operations.md), `x` and [x](https://e.org)."
        );
    }
}
