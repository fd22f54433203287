//! Reading an item's first words without parsing it: the compiler's first pass declares
//! the file's `let`s and `fn`s from these, as the grammar would read them, before any
//! item is parsed (`crate::compile`).

use super::ast;
use super::expected::KEYWORDS;
use super::Span;

/// The name and parameters of `fn NAME(PARAM, …) = …`, read as the grammar reads them
/// (`kw_fn ~ ident ~ params ~ "="`, spaces and tabs between), with their spans; `start`
/// is where the item starts. `None` for any other form: the item is then parsed in the
/// first pass, and its syntax error, if it has one, is all that is reported.
pub(crate) fn fn_head(text: &str, start: usize) -> Option<(ast::Ident, Vec<ast::Ident>)> {
    let skip = |at: usize| at + text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len();
    let ident = |at: usize| {
        let name = first_word(&text[at..]);
        let starts_well = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        (starts_well && !KEYWORDS.contains(&name)).then(|| ast::Ident {
            name: name.to_string(),
            span: Span::new(start + at, start + at + name.len()),
        })
    };
    let rest = text.strip_prefix("fn")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let name = ident(skip(2))?;
    let mut at = skip(name.span.end - start);
    if !text[at..].starts_with('(') {
        return None;
    }
    let mut params: Vec<ast::Ident> = Vec::new();
    at = skip(at + 1);
    loop {
        if text[at..].starts_with(')') {
            break;
        }
        let param = ident(at)?;
        at = skip(param.span.end - start);
        params.push(param);
        if text[at..].starts_with(',') {
            at = skip(at + 1);
        } else if !text[at..].starts_with(')') {
            return None;
        }
    }
    at = skip(at + 1);
    (text[at..].starts_with('=') && !text[at..].starts_with("==")).then_some((name, params))
}

/// The word an item starts with (its keyword, for the items that have one).
pub(crate) fn first_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The name `let NAME = …` defines, and its offset in the item, read as the grammar
/// reads it (`kw_let ~ ident`, spaces and tabs between). `None` when it is not a name:
/// then the item does not parse, and its syntax error is all that is reported.
pub(crate) fn let_name(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix("let")?;
    let at = 3 + rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let name = first_word(&text[at..]);
    let starts_well = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    (starts_well && !KEYWORDS.contains(&name)).then_some((name, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Items;

    /// `fn_head` reads what the grammar reads: where it reads a head, the parsed item
    /// has that name and those parameters, spans included (or does not parse at all).
    #[test]
    fn fn_heads_are_read_as_the_grammar_reads_them() {
        let read = [
            "fn f(x) = x",
            "fn\tf\t( a ,b, ) =\ta + b",
            "fn  f_1() = 1",
            "fn f(x) =",
            "fn f(x) => 1",
        ];
        let parsed = [
            "fn f(x) == 1",
            "fn(x) = 1",
            "fnx(y) = 1",
            "fn f(a b) = 1",
            "fn f(,) = 1",
            "fn if(x) = 1",
            "fn f(x, in) = 1",
            "fn 1f(x) = 1",
            "fn é(x) = 1",
            "fn f x = 1",
        ];
        for text in read.iter().chain(&parsed) {
            let source = format!("let A = 1\n{text}\n");
            let items = Items::new(&source);
            let head = fn_head(&items.text(1), items.start(1));
            assert_eq!(head.is_some(), read.contains(text), "{text}");
            if let (Some((name, params)), Ok(item)) = (head, items.parse(1)) {
                let ast::ItemKind::Fn {
                    name: n, params: p, ..
                } = item.kind
                else {
                    panic!("{text}: not a fn");
                };
                assert_eq!((name, params), (n, p), "{text}");
            }
        }
    }
}
