//! The language reference in `docs/` is checked against the compiler:
//! - every diagnostic code that the parser or the checker can emit has an entry in
//!   `docs/reference/diagnostics.md` (codes are found by scanning `src/`, so a new
//!   code without an entry fails here), with an example that triggers it;
//! - every ```gear block in `docs/` compiles, or fails with the code its first line
//!   claims (`# error: CODE` / `# warning: CODE`);
//! - a ```python block right after a ```gear block is what gearc writes for it;
//! - the readers and operations pages list what the language's vocabulary holds
//!   (`gearc::ir::ReaderKind`, `gearc::ir::Operation`): every reader with its
//!   terminals and arguments, every operation with its parameters and locality;
//! - `gearc explain` prints every entry, and refuses unknown codes;
//! - the reference's relative links lead to files and headings that exist.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DIAGNOSTICS: &str = "docs/reference/diagnostics.md";

/// Every `code(gearc::…)` in the sources, e.g. `gearc::check::unknown_field`.
fn emitted_codes() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for file in files_under(&support::root().join("src"), "rs") {
        let text = fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("code(gearc::") {
            let code: String = text[at + "code(".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            codes.insert(code.trim_end_matches(':').to_string());
        }
    }
    codes
}

/// The codes the brief requires an entry for: those of the parser and the checker.
fn compile_time_codes() -> BTreeSet<String> {
    emitted_codes()
        .into_iter()
        .filter(|c| c.starts_with("gearc::check::") || c.starts_with("gearc::syntax::"))
        .collect()
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A fenced block: its info string, first line number (1-based) and text.
struct Block {
    info: String,
    line: usize,
    text: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_string(),
                    line: i + 2,
                    text: String::new(),
                })
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(b), None) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a code block is never closed");
    out
}

/// The `### gearc::…` entries of the diagnostics page: code and text.
fn entries(page: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_code = false;
    let mut current: Option<(String, String)> = None;
    for line in page.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            out.extend(current.take());
            if let Some(code) = line.strip_prefix("### gearc::") {
                current = Some((format!("gearc::{}", code.trim()), String::new()));
            }
            continue;
        }
        if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out.extend(current);
    out
}

/// `# error: CODE` or `# warning: CODE` on a block's first line.
fn marker(text: &str) -> Option<(&str, &str)> {
    let first = text.lines().next()?.strip_prefix("# ")?;
    let (kind, code) = first.split_once(": ")?;
    matches!(kind, "error" | "warning").then_some((kind, code.trim()))
}

fn page() -> String {
    fs::read_to_string(support::root().join(DIAGNOSTICS)).unwrap()
}

#[test]
fn the_scan_finds_the_codes_of_both_stages() {
    // Guards the scan itself: if the attribute syntax changed, nothing would be checked.
    let codes = compile_time_codes();
    for code in [
        "gearc::syntax::unexpected",
        "gearc::check::unknown_field",
        "gearc::check::shard_local",
    ] {
        assert!(codes.contains(code), "{code} not found in {codes:?}");
    }
    assert!(codes.len() > 40, "{codes:?}");
}

#[test]
fn every_code_of_the_parser_and_checker_has_an_entry() {
    let documented: BTreeSet<String> = entries(&page()).into_iter().map(|(c, _)| c).collect();
    let missing: Vec<String> = compile_time_codes()
        .into_iter()
        .filter(|c| !documented.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "add an entry (### CODE, with an example marked `# error: CODE`) to {DIAGNOSTICS} for: {missing:?}"
    );
}

#[test]
fn every_entry_is_a_code_that_exists_and_appears_once() {
    let emitted = emitted_codes();
    let mut seen = BTreeSet::new();
    for (code, _) in entries(&page()) {
        assert!(
            emitted.contains(&code),
            "{code} is documented but no longer emitted"
        );
        assert!(seen.insert(code.clone()), "{code} is documented twice");
    }
}

#[test]
fn every_entry_has_a_severity_and_an_example_that_triggers_it() {
    let compile_time = compile_time_codes();
    for (code, body) in entries(&page()) {
        let summary = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let severity = match summary.split_once(':') {
            Some(("error", _)) => "error",
            Some(("warning", _)) => "warning",
            _ => panic!(
                "{code}: the entry must start with `error: …` or `warning: …`, not {summary:?}"
            ),
        };
        if !compile_time.contains(&code) {
            continue;
        }
        let examples: Vec<(String, String)> = blocks(&body)
            .iter()
            .filter(|b| b.info == "gear")
            .filter_map(|b| marker(&b.text).map(|(k, c)| (k.to_string(), c.to_string())))
            .collect();
        assert!(
            examples.iter().any(|(_, c)| *c == code),
            "{code}: no example block starting with `# {severity}: {code}`"
        );
        for (kind, c) in &examples {
            assert_eq!(
                (kind.as_str(), c.as_str()),
                (severity, code.as_str()),
                "{code}: an example in its entry is marked `# {kind}: {c}`"
            );
        }
    }
}

#[test]
fn every_gear_block_in_the_docs_compiles_or_fails_as_marked() {
    let root = support::root();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in files_under(&root.join("docs"), "md") {
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        let text = fs::read_to_string(&file).unwrap();
        for block in blocks(&text).into_iter().filter(|b| b.info == "gear") {
            checked += 1;
            let at = format!("{name}:{}", block.line);
            let result = gearc::compile(&block.text, &at);
            let codes = |d: &[gearc::Diagnostic]| -> Vec<String> {
                d.iter().map(|d| d.code_text()).collect()
            };
            let problem = match (marker(&block.text), result) {
                (Some(("error", code)), Err(diags)) if codes(&diags).iter().any(|c| c == code) => {
                    None
                }
                (Some(("error", code)), Err(diags)) => {
                    Some(format!("expected {code}, got {:?}", codes(&diags)))
                }
                (Some(("error", code)), Ok(_)) => Some(format!("expected {code}, but it compiles")),
                (Some((_, code)), Ok(c)) if codes(&c.warnings).iter().any(|w| w == code) => None,
                (Some((_, code)), Ok(c)) => Some(format!(
                    "expected warning {code}, got {:?}",
                    codes(&c.warnings)
                )),
                (Some((_, code)), Err(diags)) => Some(format!(
                    "expected only the warning {code}, got {:?}",
                    codes(&diags)
                )),
                (None, Ok(c)) if c.warnings.is_empty() => None,
                (None, Ok(c)) => Some(format!(
                    "unmarked example warns: {:?} (mark it `# warning: CODE` or fix it)",
                    codes(&c.warnings)
                )),
                (None, Err(diags)) => Some(format!(
                    "unmarked example does not compile: {:?}\n{}",
                    codes(&diags),
                    gearc::diagnostics::render(
                        &diags,
                        &at,
                        &block.text,
                        gearc::diagnostics::Style::Plain
                    )
                )),
            };
            if let Some(p) = problem {
                failures.push(format!("{at}: {p}\n{}", block.text));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 100, "only {checked} gear blocks found in docs/");
}

#[test]
fn a_python_block_after_a_gear_block_is_what_gearc_writes_for_it() {
    // The version in the header changes with releases; compare the rest.
    let unversioned = |python: &str| {
        python
            .lines()
            .map(|l| match (l.find("gearc "), l.find(" from ")) {
                (Some(a), Some(b)) if l.starts_with("# Generated") && a < b => {
                    format!("{}gearc VERSION{}", &l[..a], &l[b..])
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let root = support::root();
    let mut compared = 0;
    for file in files_under(&root.join("docs"), "md") {
        let text = fs::read_to_string(&file).unwrap();
        let blocks = blocks(&text);
        for pair in blocks.windows(2) {
            let [gear, python] = pair else { continue };
            if gear.info != "gear" || python.info != "python" {
                continue;
            }
            compared += 1;
            let written = gearc::compile(&gear.text, "example.gear")
                .unwrap_or_else(|_| panic!("{}:{} does not compile", file.display(), gear.line))
                .python;
            assert_eq!(
                unversioned(&python.text),
                unversioned(&written),
                "{}:{}: the listing differs from what gearc writes now:\n{written}",
                file.display(),
                python.line
            );
        }
    }
    assert!(compared >= 2, "only {compared} listings compared");
}

#[test]
fn reference_links_lead_to_files_that_exist() {
    let root = support::root();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains("](docs/reference/README.md)"),
        "README.md must link the language reference"
    );
    let dir = root.join("docs/reference");
    let index = fs::read_to_string(dir.join("README.md")).unwrap();
    for page in files_under(&dir, "md") {
        let name = page.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name == "README.md" || index.contains(&format!("]({name})")),
            "docs/reference/README.md does not link {name}"
        );
        let text = fs::read_to_string(&page).unwrap();
        for (at, _) in text.match_indices("](") {
            let target: String = text[at + 2..].chars().take_while(|c| *c != ')').collect();
            let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
            if target.contains("://") {
                continue;
            }
            let file = if path.is_empty() {
                page.clone()
            } else {
                dir.join(path)
            };
            assert!(
                file.exists(),
                "{name} links to {target}, which does not exist"
            );
            if !anchor.is_empty() {
                let anchors = heading_anchors(&fs::read_to_string(&file).unwrap());
                assert!(
                    anchors.iter().any(|a| a == anchor),
                    "{name} links to {target}, but {path} has no such heading"
                );
            }
        }
    }
}

/// The anchors a Markdown renderer gives the headings (GitHub's rule: lower case,
/// spaces to `-`, punctuation other than `-` and `_` dropped).
fn heading_anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        out.push(
            title
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect(),
        );
    }
    out
}

fn explain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gearc"))
        .arg("explain")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("gearc explain")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn explain_prints_the_entry_of_every_code_by_full_code_and_by_last_part() {
    for (code, body) in entries(&page()) {
        let first_example = blocks(&body)
            .into_iter()
            .find(|b| b.info == "gear")
            .map(|b| b.text.lines().last().unwrap_or("").to_string());
        let kind = code.rsplit("::").next().unwrap();
        for query in [code.as_str(), kind] {
            let out = explain(&[query]);
            let stdout = text(&out.stdout);
            assert!(
                out.status.success(),
                "explain {query}: {}",
                text(&out.stderr)
            );
            assert_eq!(stdout.lines().next(), Some(code.as_str()), "{query}");
            let summary = body.lines().find(|l| !l.trim().is_empty()).unwrap();
            assert!(stdout.contains(summary), "explain {query}:\n{stdout}");
            if let Some(line) = &first_example {
                assert!(
                    stdout.contains(&format!("    {line}")),
                    "explain {query} lacks its example line {line:?}:\n{stdout}"
                );
            }
            assert!(!stdout.contains("```"), "explain {query} shows code fences");
        }
    }
}

#[test]
fn explain_refuses_an_unknown_code_and_suggests_the_nearest() {
    let out = explain(&["unknown_feild"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("no diagnostic has the code `unknown_feild`")
            && err.contains("did you mean `gearc::check::unknown_field`?"),
        "{err}"
    );
    let out = explain(&["gearc::check::nothing_like_this_at_all"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`gearc explain` lists every code"));
}

#[test]
fn explain_without_a_code_lists_every_entry() {
    let out = explain(&[]);
    assert!(out.status.success());
    let listed = text(&out.stdout);
    let entries = entries(&page());
    assert_eq!(listed.lines().count(), entries.len(), "{listed}");
    for (code, _) in entries {
        assert!(
            listed.lines().any(|l| l.starts_with(&format!("{code} "))),
            "{code} not listed"
        );
    }
}

/// The cells of a Markdown table row, trimmed (`\|` inside a cell is not a separator).
fn cells(row: &str) -> Vec<String> {
    let row = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push(chars.next().unwrap())
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The text of the first `code` in a cell: `` `limit(n, offset = 0)` (1st) `` → `limit(n, offset = 0)`.
fn code_in(cell: &str) -> &str {
    cell.split('`').nth(1).unwrap_or("")
}

/// The lines from the heading that starts with `prefix` to the next heading of that level or above.
fn section<'a>(markdown: &'a str, level: &str, starts: &dyn Fn(&str) -> bool) -> Vec<&'a str> {
    let mut lines = markdown
        .lines()
        .skip_while(|l| !(l.starts_with(level) && starts(&l[level.len()..])));
    let Some(_) = lines.next() else { return vec![] };
    lines
        .take_while(|l| {
            !(l.starts_with('#') && l.len() - l.trim_start_matches('#').len() <= level.trim().len())
        })
        .collect()
}

#[test]
fn readers_page_matches_the_readers_their_arguments_and_terminals() {
    use gearc::ir::readers::Applies;
    use gearc::ir::{ReaderKind, TerminalKind, Word};
    let page = fs::read_to_string(support::root().join("docs/reference/readers.md")).unwrap();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    for reader in ReaderKind::ALL {
        let name = reader.spelling();
        let named = |rest: &str| {
            rest.strip_prefix('`')
                .and_then(|r| r.strip_prefix(name))
                .is_some_and(|r| r.starts_with('`') || r.starts_with('('))
        };
        let row = page
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(cells)
            .find(|c| named(&c[0]))
            .unwrap_or_else(|| {
                panic!("readers.md: no row for the reader `{name}` in the first table")
            });
        assert_eq!(
            (row[1].as_str(), row[3].as_str(), row[4].as_str()),
            (
                format!("`{}`", reader.gears_name()).as_str(),
                yes_no(reader.supports(TerminalKind::Run)),
                yes_no(reader.supports(TerminalKind::Register))
            ),
            "readers.md: the row of `{name}` (RedisGears reader, run, register)"
        );
        let lines = section(&page, "## ", &|rest| named(rest));
        assert!(!lines.is_empty(), "readers.md: no `## `{name}`…` section");
        let header = lines
            .iter()
            .find(|l| l.starts_with("| argument"))
            .map(|l| cells(l));
        let documented: Vec<(String, String)> = match &header {
            None => vec![],
            Some(h) => {
                let applies = h
                    .iter()
                    .position(|c| c == "applies to")
                    .expect("an `applies to` column");
                lines
                    .iter()
                    .filter(|l| l.starts_with("| `"))
                    .map(|l| cells(l))
                    .map(|c| (code_in(&c[0]).to_string(), c[applies].clone()))
                    .collect()
            }
        };
        let first = lines
            .iter()
            .find(|l| l.starts_with("| `") && l.contains("(1st"))
            .map(|l| code_in(&cells(l)[0]).to_string());
        let positional = reader
            .params()
            .iter()
            .find(|p| p.param.positional)
            .map(|p| p.param.name.to_string());
        assert_eq!(
            first, positional,
            "readers.md: the argument of `{name}` marked (1st) is the one given by position"
        );
        let mut documented = documented;
        documented.sort();
        let expected: Vec<(String, String)> = reader
            .params()
            .iter()
            .map(|p| {
                // What an argument applies to, among the terminals the reader supports.
                let run = p.applies != Applies::Register && reader.supports(TerminalKind::Run);
                let register = p.applies != Applies::Run && reader.supports(TerminalKind::Register);
                let applies = match (run, register) {
                    (true, true) => "both",
                    (true, false) => "run",
                    _ => "register",
                };
                (p.param.name.to_string(), applies.to_string())
            })
            .collect();
        let mut expected = expected;
        expected.sort();
        assert_eq!(
            documented, expected,
            "readers.md: the argument table of `{name}` (argument, applies to)"
        );
    }
}

#[test]
fn operations_page_matches_the_operations_their_parameters_and_locality() {
    use gearc::ir::{Operation, Word};
    let page = fs::read_to_string(support::root().join("docs/reference/operations.md")).unwrap();
    for op in Operation::ALL {
        let name = op.spelling();
        let row = page
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(cells)
            .find(|c| {
                let sig = code_in(&c[0]);
                sig == name || sig.starts_with(&format!("{name}("))
            })
            .unwrap_or_else(|| panic!("operations.md: no row for `{name}` in the first table"));
        let sig = code_in(&row[0]);
        let inside = sig
            .strip_prefix(name)
            .unwrap_or("")
            .trim_start_matches('(')
            .trim_end_matches(')');
        let documented: Vec<(String, bool)> = inside
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let ident: String = p
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                (ident, !(p.contains('?') || p.contains('=')))
            })
            .collect();
        let expected: Vec<(String, bool)> = op
            .params()
            .iter()
            .map(|p| (p.name.to_string(), p.required))
            .collect();
        assert_eq!(
            documented, expected,
            "operations.md: the parameters of `{sig}` (name, required), in order"
        );
        assert_eq!(
            row[2].starts_with("**local"),
            op.is_shard_local(),
            "operations.md: the shard-local column of `{name}`"
        );
        assert!(
            page.lines()
                .any(|l| l.starts_with(&format!("### `{name}"))
                    || l.contains(&format!(" and `{name}("))),
            "operations.md: no `### `{name}…` section"
        );
    }
}
