//! Every syntax mistake the parser reports, as data with spans.
//!
//! Like the checker's errors, these carry no source text: the CLI attaches the
//! file when it renders them. Codes are stable (`gearc::syntax::<kind>`).

use miette::Diagnostic;
use thiserror::Error;

use super::span::Span;

#[derive(Clone, Debug, Error, Diagnostic, PartialEq)]
pub enum SyntaxError {
    /// Anything the dedicated variants below do not describe better.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(gearc::syntax::unexpected))]
    Unexpected {
        expected: String,
        found: String,
        /// At the end of the input the label points at the last token, "after this".
        #[label("{label}")]
        span: Span,
        label: String,
        #[help]
        help: String,
    },

    #[error("this string is never closed")]
    #[diagnostic(
        code(gearc::syntax::unterminated_string),
        help("add the closing `\"` before the end of the line")
    )]
    UnterminatedString {
        #[label("the string starts here and runs to the end of the line")]
        span: Span,
    },

    #[error("a string cannot span several lines")]
    #[diagnostic(
        code(gearc::syntax::newline_in_string),
        help("close the string on this line; write `\\n` for a line break inside it")
    )]
    NewlineInString {
        #[label("the line ends inside this string")]
        span: Span,
    },

    #[error("unknown escape `{escape}`")]
    #[diagnostic(
        code(gearc::syntax::invalid_escape),
        help(
            "the escapes are `\\\\` `\\\"` `\\n` `\\r` `\\t` `\\0` and `\\u{{…}}`; \
             write `\\\\` for a backslash"
        )
    )]
    InvalidEscape {
        escape: String,
        #[label("not an escape")]
        span: Span,
    },

    #[error("malformed unicode escape")]
    #[diagnostic(
        code(gearc::syntax::invalid_unicode_escape),
        help("write 1 to 6 hexadecimal digits in braces, like `\\u{{1F600}}`")
    )]
    InvalidUnicodeEscape {
        #[label("expected `\\u{{` hex digits `}}`")]
        span: Span,
    },

    #[error("`{escape}` is not a unicode character")]
    #[diagnostic(
        code(gearc::syntax::unicode_escape_out_of_range),
        help("a unicode escape must be at most 10FFFF and not a surrogate (D800 to DFFF)")
    )]
    UnicodeEscapeOutOfRange {
        escape: String,
        #[label("no such character")]
        span: Span,
    },

    #[error("this Python block is never closed")]
    #[diagnostic(
        code(gearc::syntax::unterminated_python),
        help("end the block with `\"\"\"`; everything up to it is Python")
    )]
    UnterminatedPython {
        #[label("the block opens here")]
        span: Span,
    },

    #[error("integer literal is too large")]
    #[diagnostic(
        code(gearc::syntax::integer_too_large),
        help(
            "integers are 64-bit: at most 9223372036854775807; \
             write a float (`1e20`) for larger numbers"
        )
    )]
    IntegerTooLarge {
        #[label("does not fit in 64 bits")]
        span: Span,
    },

    #[error("float literal is too large")]
    #[diagnostic(
        code(gearc::syntax::float_too_large),
        help("floats must be finite: at most about 1.8e308")
    )]
    FloatTooLarge {
        #[label("this is infinite as a 64-bit float")]
        span: Span,
    },

    #[error("this `{open}` is never closed")]
    #[diagnostic(
        code(gearc::syntax::unclosed_bracket),
        help("add the matching `{close}`")
    )]
    UnclosedBracket {
        open: char,
        close: char,
        #[label("opened here")]
        span: Span,
    },

    #[error("`{close}` closes nothing")]
    #[diagnostic(
        code(gearc::syntax::unmatched_bracket),
        help("remove it, or add the matching `{open}` before it")
    )]
    UnmatchedClosingBracket {
        close: char,
        open: char,
        #[label("no `{open}` is open here")]
        span: Span,
    },

    #[error("`{close}` does not match `{open}`")]
    #[diagnostic(
        code(gearc::syntax::mismatched_bracket),
        help("close the `{open}` with `{expected}` first")
    )]
    MismatchedBracket {
        open: char,
        close: char,
        expected: char,
        #[label(primary, "expected `{expected}`")]
        span: Span,
        #[label("`{open}` opened here")]
        open_span: Span,
    },

    #[error("`|` with no stage after it")]
    #[diagnostic(
        code(gearc::syntax::dangling_pipe),
        help("add the next stage (or `run` / `register`) after the `|`, or remove the `|`")
    )]
    DanglingPipe {
        #[label("nothing follows this `|`")]
        span: Span,
    },

    #[error("`{keyword}` must be the last stage of the pipeline")]
    #[diagnostic(
        code(gearc::syntax::terminal_not_last),
        help("move `{keyword}` to the end of the pipeline; a pipeline has one terminal")
    )]
    TerminalNotLast {
        keyword: String,
        #[label(primary, "the pipeline ends here")]
        span: Span,
        #[label("but goes on here")]
        rest: Span,
    },

    #[error("a pipeline must start with a reader")]
    #[diagnostic(
        code(gearc::syntax::missing_reader),
        help("start with a reader such as `keys`, `stream(\"name\")` or `command(\"trigger\")`")
    )]
    MissingReader {
        #[label("`{keyword}` ends a pipeline, it cannot start one")]
        span: Span,
        keyword: String,
    },

    #[error("Gear strings use double quotes")]
    #[diagnostic(
        code(gearc::syntax::single_quotes),
        help("write \"text\" instead of 'text'")
    )]
    SingleQuotes {
        #[label("single quotes")]
        span: Span,
    },

    #[error("`=` cannot compare")]
    #[diagnostic(
        code(gearc::syntax::assign_in_expression),
        help("write `==` to compare; `=` only names an argument or defines a `let`/`fn`")
    )]
    AssignInExpression {
        #[label("did you mean `==`?")]
        span: Span,
    },

    #[error("`{{` in an f-string is never closed")]
    #[diagnostic(
        code(gearc::syntax::unclosed_fstring_brace),
        help("close the expression with `}}`, or write `{{{{` for a literal `{{`")
    )]
    UnclosedFStringBrace {
        #[label("this `{{` opens an expression")]
        span: Span,
    },

    #[error("single `}}` in an f-string")]
    #[diagnostic(
        code(gearc::syntax::lone_fstring_brace),
        help("write `}}}}` for a literal `}}`")
    )]
    LoneClosingBrace {
        #[label(primary, "no `{{` opened before it")]
        span: Span,
        #[label("in this f-string")]
        fstring: Span,
    },

    #[error("this expression is nested too deeply")]
    #[diagnostic(
        code(gearc::syntax::too_deep),
        help("split it into smaller parts with `let` or `fn`")
    )]
    TooDeep {
        #[label("more than 100 levels deep")]
        span: Span,
    },

    /// RedisGears' Python compiles a pipeline as one chain of calls, each nested in the
    /// next, and CPython refuses a chain about 1,490 calls deep.
    #[error("this pipeline has more than {max} operations")]
    #[diagnostic(
        code(gearc::syntax::too_deep),
        help("RedisGears compiles a pipeline as one nested chain of calls; merge steps (several `map`s in a row are one `map` of a `fn`)")
    )]
    TooManySteps {
        max: usize,
        #[label("operation {}", max + 1)]
        span: Span,
    },
}

impl SyntaxError {
    /// The main span, where the mistake is.
    pub fn span(&self) -> Span {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::UnterminatedString { span }
            | SyntaxError::NewlineInString { span }
            | SyntaxError::InvalidEscape { span, .. }
            | SyntaxError::InvalidUnicodeEscape { span }
            | SyntaxError::UnicodeEscapeOutOfRange { span, .. }
            | SyntaxError::UnterminatedPython { span }
            | SyntaxError::IntegerTooLarge { span }
            | SyntaxError::FloatTooLarge { span }
            | SyntaxError::UnclosedBracket { span, .. }
            | SyntaxError::UnmatchedClosingBracket { span, .. }
            | SyntaxError::MismatchedBracket { span, .. }
            | SyntaxError::DanglingPipe { span }
            | SyntaxError::TerminalNotLast { span, .. }
            | SyntaxError::MissingReader { span, .. }
            | SyntaxError::SingleQuotes { span }
            | SyntaxError::AssignInExpression { span }
            | SyntaxError::UnclosedFStringBrace { span }
            | SyntaxError::LoneClosingBrace { span, .. }
            | SyntaxError::TooDeep { span }
            | SyntaxError::TooManySteps { span, .. } => *span,
        }
    }
}
