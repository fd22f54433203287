//! JSON as Python's `json.dumps` writes it. gearc's run pipelines send each record
//! through `json.dumps`, which also writes what JSON has no words for: the bare
//! tokens `NaN`, `Infinity` and `-Infinity`, and lone UTF-16 surrogates (`"\ud800"`)
//! from strings Python holds but Rust cannot. Those are made into JSON first.

use std::borrow::Cow;

use serde_json::Value;

/// Parses Python's JSON. Non-finite floats become the strings Python prints for them
/// (`"nan"`, `"inf"`, `"-inf"`); a lone surrogate becomes U+FFFD.
pub fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text)
        .ok()
        .or_else(|| serde_json::from_str(&to_json(text)).ok())
}

/// The text with Python's extensions replaced; unchanged when it has none.
fn to_json(text: &str) -> Cow<'_, str> {
    if !text.contains("NaN") && !text.contains("Infinity") && !text.contains("\\ud") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    let mut in_string = false;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if c == '"' {
                in_string = false;
            } else if c == '\\' {
                let escape = rest.get(..6).unwrap_or("");
                if let Some(unit) = surrogate(escape) {
                    let paired = (0xD800..0xDC00).contains(&unit)
                        && rest
                            .get(6..12)
                            .and_then(surrogate)
                            .is_some_and(|low| (0xDC00..0xE000).contains(&low));
                    if paired {
                        out.push_str(&rest[..12]);
                        rest = &rest[12..];
                    } else {
                        out.push_str("\\ufffd");
                        rest = &rest[6..];
                    }
                    continue;
                }
                // any other escape: copy it whole, so an escaped quote does not end the string
                let len = 1 + rest[1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        } else if c == '"' {
            in_string = true;
        } else {
            let token = [
                ("-Infinity", "\"-inf\""),
                ("Infinity", "\"inf\""),
                ("NaN", "\"nan\""),
            ]
            .into_iter()
            .find(|(word, _)| rest.starts_with(word));
            if let Some((word, replacement)) = token {
                out.push_str(replacement);
                rest = &rest[word.len()..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The code unit of a `\uXXXX` escape when it is a UTF-16 surrogate.
fn surrogate(escape: &str) -> Option<u32> {
    let hex = escape.strip_prefix("\\u")?;
    let unit = u32::from_str_radix(hex.get(..4)?, 16).ok()?;
    (0xD800..0xE000).contains(&unit).then_some(unit)
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde_json::json;

    #[test]
    fn standard_json_is_parsed_as_is() {
        assert_eq!(
            parse(r#"[1, "NaN", {"Infinity": 2}]"#),
            Some(json!([1, "NaN", {"Infinity": 2}]))
        );
    }

    #[test]
    fn non_finite_floats_become_pythons_words() {
        assert_eq!(
            parse("[NaN, Infinity, -Infinity]"),
            Some(json!(["nan", "inf", "-inf"]))
        );
        assert_eq!(
            parse(r#"[{"a \" NaN": NaN}]"#),
            Some(json!([{"a \" NaN": "nan"}]))
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(
            parse(r#"["\ud800x", "\ud83d\ude00", "\udc00"]"#),
            Some(json!(["\u{fffd}x", "😀", "\u{fffd}"]))
        );
        assert_eq!(parse(r#"["\\ud800"]"#), Some(json!(["\\ud800"])));
    }

    #[test]
    fn broken_text_is_still_refused() {
        assert_eq!(parse("[NaN"), None);
        assert_eq!(parse("nonsense"), None);
    }
}
