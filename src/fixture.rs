//! Example data kept in a `.gear` file: `# redis: ["SET", "k", "v"]` comment lines, one
//! Redis command each (a JSON list of strings). The run corpus seeds its keyspace from
//! them, and `gearc run --local --sandbox` seeds a throwaway Redis with them; being
//! comments, they change nothing of the program.

/// A `# redis:` line that is not a JSON list of strings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: `# redis:` must be followed by a JSON list of strings, e.g. [\"SET\", \"k\", \"v\"] ({reason})")]
pub struct FixtureError {
    pub line: usize,
    pub reason: String,
}

/// The seed commands of `source`, in order.
pub fn seed_commands(source: &str) -> Result<Vec<Vec<String>>, FixtureError> {
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let Some(json) = line.trim().strip_prefix("# redis:") else {
            continue;
        };
        let command: Vec<String> = serde_json::from_str(json.trim()).map_err(|e| FixtureError {
            line: i + 1,
            reason: e.to_string(),
        })?;
        if command.is_empty() {
            return Err(FixtureError {
                line: i + 1,
                reason: "the list is empty".into(),
            });
        }
        out.push(command);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_seed_lines_and_names_a_bad_one() {
        let source = "# a comment\n# redis: [\"SET\", \"k\", \"v\"]\nkeys | count | run\n";
        assert_eq!(seed_commands(source).unwrap(), vec![vec!["SET", "k", "v"]]);
        let bad = seed_commands("# redis: [\"SET\", 1]\n").unwrap_err();
        assert_eq!(bad.line, 1);
        assert_eq!(
            seed_commands("# redis: []").unwrap_err().reason,
            "the list is empty"
        );
    }
}
