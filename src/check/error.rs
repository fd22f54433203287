//! Every mistake the checker reports (language.md section 7), as data with spans.
//!
//! The wording lives here, in miette attributes; rendering (source, colours) happens
//! at the edge, in `crate::diagnostics`. Codes are stable: tests and users grep them.

use miette::Diagnostic;
use thiserror::Error;

use crate::syntax::Span;

#[derive(Clone, Debug, Error, Diagnostic, PartialEq)]
pub enum CheckError {
    #[error("unknown reader `{name}`")]
    #[diagnostic(code(gearc::check::unknown_reader))]
    UnknownReader {
        name: String,
        #[label("not a reader")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("unknown operation `{name}`")]
    #[diagnostic(code(gearc::check::unknown_operation))]
    UnknownOperation {
        name: String,
        #[label("not an operation")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("unknown name `{name}`")]
    #[diagnostic(code(gearc::check::unknown_name))]
    UnknownName {
        name: String,
        #[label("not defined here")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("unknown function `{name}`")]
    #[diagnostic(code(gearc::check::unknown_function))]
    UnknownFunction {
        name: String,
        #[label("no function of this name")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("the record has no field `{name}`")]
    #[diagnostic(code(gearc::check::unknown_field))]
    UnknownField {
        name: String,
        record: String,
        #[label("not a field of {record}")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("`{ty}` has no method `{name}`")]
    #[diagnostic(code(gearc::check::unknown_method))]
    UnknownMethod {
        name: String,
        ty: String,
        #[label("unknown method")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{callee}` has no argument named `{name}`")]
    #[diagnostic(code(gearc::check::unknown_argument))]
    UnknownArgument {
        name: String,
        callee: String,
        #[label("unknown argument")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{callee}` takes {expected}, but {found} given")]
    #[diagnostic(code(gearc::check::argument_count))]
    ArgumentCount {
        callee: String,
        expected: String,
        found: String,
        #[label("{found} given here")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("{what} must be {expected}, but this is `{found}`")]
    #[diagnostic(code(gearc::check::argument_type))]
    ArgumentType {
        what: String,
        expected: String,
        found: String,
        #[label("this is `{found}`")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("this lambda takes {found} parameter(s), but {what} calls it with {expected}")]
    #[diagnostic(code(gearc::check::lambda_arity))]
    LambdaArity {
        what: String,
        expected: String,
        found: usize,
        #[label("expected {expected} parameter(s)")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{op}` is not defined for `{lhs}` and `{rhs}`")]
    #[diagnostic(code(gearc::check::operator_type))]
    OperatorType {
        op: String,
        lhs: String,
        rhs: String,
        #[label("`{lhs}` {op} `{rhs}`")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("the reducer `{reducer}` cannot combine an accumulator of `{acc}` with a record of `{record}`")]
    #[diagnostic(code(gearc::check::reducer_type))]
    ReducerType {
        reducer: String,
        acc: String,
        record: String,
        #[label(primary, "`{reducer}` of `{acc}` and `{record}`")]
        span: Span,
        #[label("the accumulator starts as this `{acc}`")]
        zero_span: Span,
        #[help]
        help: String,
    },

    #[error("`{op}` needs records that can be {property}, but they are `{record}`")]
    #[diagnostic(code(gearc::check::record_type))]
    RecordType {
        op: String,
        property: String,
        record: String,
        #[label("records are `{record}` here")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{reader}` cannot be used with `{terminal}`")]
    #[diagnostic(code(gearc::check::unsupported_terminal))]
    UnsupportedTerminal {
        reader: String,
        terminal: String,
        #[label(primary, "RedisGears cannot {terminal} this reader")]
        span: Span,
        #[label("the reader")]
        reader_span: Span,
        #[help]
        help: String,
    },

    #[error("`{name}` only applies to `{applies_to}`, not to `{terminal}`")]
    #[diagnostic(code(gearc::check::argument_not_for_terminal))]
    ArgumentNotForTerminal {
        name: String,
        applies_to: String,
        terminal: String,
        #[label(primary, "only for `{applies_to}`")]
        span: Span,
        #[label("the pipeline ends with `{terminal}`")]
        terminal_span: Span,
        #[help]
        help: String,
    },

    #[error("`{value}` is not a valid {what}")]
    #[diagnostic(code(gearc::check::invalid_value))]
    InvalidValue {
        what: String,
        value: String,
        #[label("invalid {what}")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("this pipeline has no terminal")]
    #[diagnostic(
        code(gearc::check::missing_terminal),
        help("end it with `| run` to execute it once, or `| register` to install it for events")
    )]
    MissingTerminal {
        #[label("add `| run` or `| register` at the end")]
        span: Span,
    },

    #[error("this line continues a pipeline but does not start with `|`")]
    #[diagnostic(
        code(gearc::check::missing_pipe),
        help("a line continues the pipeline above only when it starts with `|`, or when the line above ends with `|`")
    )]
    MissingPipe {
        op: String,
        #[label(primary, "`{op}` is an operation: write `| {op}`")]
        span: Span,
        #[label("the pipeline it belongs to")]
        pipeline: Span,
    },

    #[error("a file can hold only one `run` pipeline")]
    #[diagnostic(
        code(gearc::check::second_run),
        help("RedisGears accepts one run() per execution: move this pipeline to its own file, or make one of them `register`")
    )]
    SecondRun {
        #[label(primary, "second `run`")]
        span: Span,
        #[label("the earlier `run`")]
        first: Span,
    },

    #[error("`{name}` is defined twice")]
    #[diagnostic(code(gearc::check::duplicate_name), help("rename one of them"))]
    DuplicateName {
        name: String,
        #[label(primary, "`{name}` defined again here")]
        span: Span,
        #[label("the earlier definition of `{name}`")]
        first: Span,
    },

    #[error("`{name}` is used before it is defined")]
    #[diagnostic(
        code(gearc::check::defined_later),
        help("a constant is evaluated when the module loads: move this `let` below the definition of `{name}`")
    )]
    DefinedLater {
        name: String,
        #[label(primary, "used here")]
        span: Span,
        #[label("defined here")]
        definition: Span,
    },

    #[error("`{pattern}` is not a key prefix: `register` matches keys by prefix, not by glob")]
    #[diagnostic(code(gearc::check::register_pattern))]
    RegisterPattern {
        pattern: String,
        #[label("a glob here would make the registration never fire")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`stream(…) | … | run` reads one stream key, but `{pattern}` is a glob")]
    #[diagnostic(
        code(gearc::check::stream_run_pattern),
        help("give the exact stream name, e.g. `stream(\"mystream\")`; to react to many streams use `register` with a prefix ending in `*`")
    )]
    StreamRunPattern {
        pattern: String,
        #[label("glob characters are not allowed here")]
        span: Span,
    },

    #[error("`it` is only defined inside an operation")]
    #[diagnostic(code(gearc::check::it_outside_operation))]
    ItOutsideOperation {
        #[label("no current record here")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("the builtin `{name}` can only be called")]
    #[diagnostic(code(gearc::check::builtin_not_called), help("call it: `{name}(…)`"))]
    BuiltinNotCalled {
        name: String,
        #[label("not called")]
        span: Span,
    },

    #[error("`...` cannot be used in the arguments of `{callee}`")]
    #[diagnostic(
        code(gearc::check::spread_not_allowed),
        help("spreading a list into arguments works for `execute`, `min`, `max`, `range` and Python-block functions; elsewhere pass the values one by one")
    )]
    SpreadNotAllowed {
        callee: String,
        #[label("spread not allowed here")]
        span: Span,
    },

    #[error("`{name}` is given twice")]
    #[diagnostic(code(gearc::check::argument_given_twice), help("remove one of them"))]
    ArgumentGivenTwice {
        name: String,
        #[label(primary, "given again here")]
        span: Span,
        #[label("given first here")]
        first: Span,
    },

    #[error("`{ty}` has no fields")]
    #[diagnostic(code(gearc::check::no_fields))]
    NoFields {
        ty: String,
        name: String,
        #[label("`.{name}` on a `{ty}`")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{name}` must be written as a literal")]
    #[diagnostic(code(gearc::check::not_a_literal))]
    NotALiteral {
        name: String,
        #[label("not a literal")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("a command reader takes a trigger or a hook, not both")]
    #[diagnostic(
        code(gearc::check::trigger_and_hook),
        help("use `command(\"name\")` for `RG.TRIGGER name`, or `command(hook = \"hset\")` to run on a Redis command")
    )]
    TriggerAndHook {
        #[label("second way to fire it")]
        span: Span,
    },

    #[error("a command reader needs a trigger name or a hook")]
    #[diagnostic(
        code(gearc::check::no_trigger),
        help("e.g. `command(\"cache_get\")`, fired by `RG.TRIGGER cache_get …`, or `command(hook = \"hset\")`")
    )]
    NoTrigger {
        #[label("nothing fires this")]
        span: Span,
    },

    #[error("`key_prefix` only filters a hook")]
    #[diagnostic(
        code(gearc::check::key_prefix_without_hook),
        help("add `hook = \"<command>\"` or remove `key_prefix`")
    )]
    KeyPrefixWithoutHook {
        #[label("no hook to filter")]
        span: Span,
    },

    #[error("a `{mode}` registration can only `continue` after a failure")]
    #[diagnostic(
        code(gearc::check::policy_needs_async),
        help("use `on_failed_policy = \"continue\"`, or `mode = \"async\"`")
    )]
    PolicyNeedsAsync {
        mode: String,
        #[label("not allowed with mode = \"{mode}\"")]
        span: Span,
    },

    #[error("`{name}` only applies to stream registrations")]
    #[diagnostic(
        code(gearc::check::stream_only_argument),
        help("remove `{name}`: only a stream reader retries or aborts on a failure")
    )]
    StreamOnlyArgument {
        name: String,
        #[label("not a stream reader")]
        span: Span,
    },

    #[error("the python block does not parse: {message}")]
    #[diagnostic(
        code(gearc::check::python_syntax),
        help(
            "the block goes into the module as it is, and RedisGears would reject the whole module"
        )
    )]
    PythonSyntax {
        message: String,
        #[label("here")]
        span: Span,
    },

    #[error("{message}")]
    #[diagnostic(code(gearc::check::python_too_new))]
    PythonTooNew {
        message: String,
        #[label("not in Python 3.7, which RedisGears 1.2 runs")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{op}` runs on each shard separately here, giving one result per shard")]
    #[diagnostic(code(gearc::check::shard_local), severity(Warning))]
    ShardLocal {
        op: String,
        #[label("shard-local: records are still spread over the shards")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("a registration for the event `{event}` never fires: {reason}")]
    #[diagnostic(code(gearc::check::event_never_fires), severity(Warning))]
    EventNeverFires {
        event: String,
        reason: String,
        #[label("this registration will never fire for `{event}`")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{event}` is not a keyspace event")]
    #[diagnostic(code(gearc::check::unknown_event))]
    UnknownEvent {
        event: String,
        #[label("no write raises this event")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{pattern}` is one exact key, not a prefix")]
    #[diagnostic(code(gearc::check::exact_key_pattern), severity(Warning))]
    ExactKeyPattern {
        pattern: String,
        #[label("matches the key `{pattern}` alone")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`key_types` filters out every event of this registration")]
    #[diagnostic(
        code(gearc::check::key_types_never_match),
        severity(Warning),
        help("these events fire once the key is gone, and RedisGears reads a missing key's type as `empty`: drop `key_types`, or react to a write that leaves the key in place, e.g. \"set\"")
    )]
    KeyTypesNeverMatch {
        #[label(primary, "keeps only keys of these types")]
        span: Span,
        #[label("every one of these events comes after the key is gone")]
        events: Span,
    },

    #[error("this write fires its own registration again, without end")]
    #[diagnostic(code(gearc::check::registration_retriggers), severity(Warning))]
    RegistrationRetriggers {
        #[label(primary, "{write}")]
        span: Span,
        write: String,
        #[label("runs `{mode}`: after the event, so its writes raise new events")]
        terminal: Span,
        mode: String,
        #[help]
        help: String,
    },

    #[error(
        "a RedisGears server returns no results for this run, because the file also registers"
    )]
    #[diagnostic(
        code(gearc::check::run_beside_register),
        severity(Warning),
        help("a module that registers gets only `OK` from RG.PYEXECUTE (the run still executes); put the `run` pipeline in a file of its own to see its results")
    )]
    RunBesideRegister {
        #[label(primary, "results not returned by the server")]
        span: Span,
        #[label("because this pipeline registers")]
        register: Span,
    },

    #[error("`{command}` is not a Redis command")]
    #[diagnostic(code(gearc::check::unknown_command), severity(Warning))]
    UnknownCommand {
        command: String,
        #[label("not in Redis' command table")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("this file has no pipeline, so it does nothing")]
    #[diagnostic(
        code(gearc::check::no_pipelines),
        severity(Warning),
        help("a file does its work through its pipelines: end one with `| run` or `| register`, e.g. `keys(\"user:*\") | count | run`; a file's definitions cannot be used from another file")
    )]
    NoPipelines {
        #[label("no `run` or `register` pipeline in this file")]
        span: Span,
    },

    #[error("`hashtag()` inside a string without braces is not a hash tag")]
    #[diagnostic(
        code(gearc::check::bare_hashtag),
        severity(Warning),
        help("write `{{{{{{hashtag()}}}}}}`: `{{{{` and `}}}}` are literal braces, and only `{{06S}}` in a key name keeps the key on this shard")
    )]
    BareHashtag {
        #[label("gives the tag alone, e.g. `06S`")]
        span: Span,
    },

    #[error("RedisGears' {reader} ignores `{name}`")]
    #[diagnostic(code(gearc::check::ignored_argument), severity(Warning))]
    IgnoredArgument {
        name: String,
        reader: String,
        #[label("has no effect")]
        span: Span,
        #[help]
        help: String,
    },
}

impl CheckError {
    /// The primary span, for sorting diagnostics in source order.
    pub fn span(&self) -> Span {
        use CheckError::*;
        match self {
            UnknownReader { span, .. }
            | UnknownOperation { span, .. }
            | UnknownName { span, .. }
            | UnknownFunction { span, .. }
            | UnknownField { span, .. }
            | UnknownMethod { span, .. }
            | UnknownArgument { span, .. }
            | ArgumentCount { span, .. }
            | ArgumentType { span, .. }
            | LambdaArity { span, .. }
            | OperatorType { span, .. }
            | ReducerType { span, .. }
            | RecordType { span, .. }
            | UnsupportedTerminal { span, .. }
            | ArgumentNotForTerminal { span, .. }
            | InvalidValue { span, .. }
            | MissingTerminal { span }
            | MissingPipe { span, .. }
            | SecondRun { span, .. }
            | DuplicateName { span, .. }
            | DefinedLater { span, .. }
            | RegisterPattern { span, .. }
            | StreamRunPattern { span, .. }
            | ItOutsideOperation { span, .. }
            | BuiltinNotCalled { span, .. }
            | SpreadNotAllowed { span, .. }
            | ArgumentGivenTwice { span, .. }
            | NoFields { span, .. }
            | NotALiteral { span, .. }
            | TriggerAndHook { span }
            | NoTrigger { span }
            | KeyPrefixWithoutHook { span }
            | PolicyNeedsAsync { span, .. }
            | StreamOnlyArgument { span, .. }
            | PythonSyntax { span, .. }
            | PythonTooNew { span, .. }
            | ShardLocal { span, .. }
            | EventNeverFires { span, .. }
            | UnknownEvent { span, .. }
            | ExactKeyPattern { span, .. }
            | KeyTypesNeverMatch { span, .. }
            | RegistrationRetriggers { span, .. }
            | IgnoredArgument { span, .. }
            | BareHashtag { span }
            | UnknownCommand { span, .. }
            | NoPipelines { span }
            | RunBesideRegister { span, .. } => *span,
        }
    }

    /// A warning does not stop compilation; it says so in its miette severity.
    pub fn is_warning(&self) -> bool {
        self.severity() == Some(miette::Severity::Warning)
    }
}
