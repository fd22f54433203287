"""Records and the execution of a plan (C: src/execution_plan.c).

Steps are chained generators, pulled from the end like the server's NextRecord calls;
that keeps its pull order, which is observable: limit stops pulling, flatmap pops its
list from the end, and the reader stops once an error has reached the reply.
"""

import copy
import types

from . import runtime
from .errors import format_error
from .gears_dict import M64, GearsDict
from .protocol import Stop


class ErrorRecord(object):
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


class KeyRecord(object):
    """The C key record between an extractor and the group/accumulate-by-key steps."""
    __slots__ = ("key", "value")

    def __init__(self, key, value):
        self.key = key
        self.value = value


def _builder_code(fn):
    """Marks a function that stands for Python code of the server's GearsBuilder.py."""
    fn.gearc_builder_code = True
    return fn


def _builder_lambda(line, source, **names):
    """A lambda of the server's GearsBuilder.py, compiled as `<string>` at its line there
    (RedisGears 1.2.13), so that a traceback through it shows
    `File "<string>", line N, in <lambda>` as the server's does."""
    code = compile("\n" * (line - 1) + source, "<string>", "eval")
    names["copy"] = copy
    return _builder_code(eval(code, names))


class builder_frame(object):
    """Errors raised inside happen, on the server, below a frame of GearsBuilder.py that calls
    into C (`File "<string>", line N, in NAME`, one of gearsbuilder_py.METHOD_FRAMES);
    format_error shows those frames."""

    def __init__(self, frame):
        self.frame = frame

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is not None:
            error.gearc_builder_frames = [self.frame] + getattr(error, "gearc_builder_frames", [])
        return False


_COROUTINE = types.CoroutineType


def _is_coroutine(obj):
    # C: PyCoro_CheckExact. Not asyncio.iscoroutine, which on 3.7 also says yes to generators.
    return type(obj) is _COROUTINE


def call_back(fn, args, allow_coroutine=True):
    """Calls gear code for a step: (True, result) or (False, error text)."""
    python_frame = getattr(fn, "gearc_builder_code", False)
    try:
        result = fn(*args)
        if allow_coroutine and _is_coroutine(result):
            result = runtime.RUNTIME.run_coroutine(result)
        return True, result
    except Stop:
        raise
    except BaseException as e:  # a SystemExit in gear code is an error record on the server too
        return False, format_error(e, python_frame)


class ExecutionState(object):
    def __init__(self):
        self.results = []
        self.errors = []


def reader_step(source, state):
    """C: the READER case of ExecutionPlan_NextRecord reads only while no error has been
    written to the execution: the first error that reaches the reply ends the reading.
    Records already inside later steps (a flatmap's pending list, ...) still flow."""
    if state.errors:
        return
    for record in source:
        yield record
        if state.errors:
            return


# The steps that call gear code once per record (map, filter, foreach, flatmap, accumulate)
# call it inline rather than through call_back: that halves their cost per record, and
# their errors read the same (call_back's frame, like theirs, is the engine's and hidden).

def _failure(fn, error):
    return ErrorRecord(format_error(error, getattr(fn, "gearc_builder_code", False)))


def step_map(up, fn):
    for record in up:
        if type(record) is ErrorRecord:
            yield record
            continue
        try:
            value = fn(record)
            if type(value) is _COROUTINE:
                value = runtime.RUNTIME.run_coroutine(value)
        except Stop:
            raise
        except BaseException as e:  # a SystemExit in gear code is an error record on the server too
            yield _failure(fn, e)
            continue
        yield value


def step_filter(up, fn):
    for record in up:
        if type(record) is ErrorRecord:
            yield record
            continue
        try:
            value = fn(record)
            if type(value) is _COROUTINE:
                value = runtime.RUNTIME.run_coroutine(value)
        except Stop:
            raise
        except BaseException as e:
            yield _failure(fn, e)
            continue
        try:
            keep = bool(value)
        except Exception:
            keep = True  # PyObject_IsTrue's -1 counts as true
        if keep:
            yield record


def step_foreach(up, fn):
    for record in up:
        if type(record) is ErrorRecord:
            yield record
            continue
        try:
            value = fn(record)
            if type(value) is _COROUTINE:
                runtime.RUNTIME.run_coroutine(value)
        except Stop:
            raise
        except BaseException as e:
            yield _failure(fn, e)
            continue
        yield record


def step_flatmap(up, fn):
    # Measured (ref 0): a returned list is emitted last element first (the C step pops its
    # list record from the end). Any other return value, even a tuple, is one record.
    for record in up:
        if type(record) is ErrorRecord:
            yield record
            continue
        try:
            value = fn(record)
            if type(value) is _COROUTINE:
                value = runtime.RUNTIME.run_coroutine(value)
        except Stop:
            raise
        except BaseException as e:
            yield _failure(fn, e)
            continue
        if isinstance(value, list):
            items = list(value)
            while items:
                yield items.pop()
        else:
            yield value


def step_accumulate(up, fn):
    # The accumulator starts as None; a failing call discards it, so the records after an
    # error start again from None (ref 6). No input, no record.
    acc = None
    started = False
    for record in up:
        if type(record) is ErrorRecord:
            yield record
            continue
        try:
            acc = fn(acc, record)
            if type(acc) is _COROUTINE:
                acc = runtime.RUNTIME.run_coroutine(acc)
            started = True
        except Stop:
            raise
        except BaseException as e:
            acc, started = None, False
            yield _failure(fn, e)
    if started:
        yield acc


def step_extractkey(up, fn):
    # Group keys are strings: a non-str key becomes repr(key) (ref 2); C strings end at NUL.
    for record in up:
        if type(record) is ErrorRecord:
            yield record
            continue
        try:
            key = fn(record)
        except Stop:
            raise
        except BaseException as e:
            yield _failure(fn, e)
            continue
        if type(key) is not str:
            if type(key) is _COROUTINE:
                key.close()
                yield ErrorRecord("coroutine are not allow on extractor")
                continue
            try:
                key = repr(key)
            except Exception as e:
                yield ErrorRecord(format_error(e))
                continue
        yield KeyRecord(key.split("\0", 1)[0] if "\0" in key else key, record)


def step_group(up):
    # C: ExecutionPlan_GroupNextRecord collects every record, then pops the groups from the
    # end of its array: groups leave in reverse order of their first record.
    groups = []
    index = {}
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        group = index.get(record.key)
        if group is None:
            group = index[record.key] = KeyRecord(record.key, [])
            groups.append(group)
        group.value.append(record.value)
    while groups:
        yield groups.pop()


def step_reduce(up, fn):
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        ok, value = call_back(fn, (record.key, record.value), allow_coroutine=False)
        if ok and _is_coroutine(value):
            value.close()
            yield ErrorRecord("coroutine are not allow on reduce")
        elif ok:
            yield KeyRecord(record.key, value)
        else:
            yield ErrorRecord(value)


def step_accumulatebykey(up, fn):
    # C: ExecutionPlan_AccumulateByKeyNextRecord over a RedisGears dict: the output order is
    # that dict's order, and every lookup/add/delete moves its incremental rehash along.
    accumulators = GearsDict()
    for record in up:
        if type(record) is ErrorRecord:
            yield record
            continue
        key = record.key
        entry = accumulators.find(key)
        try:
            value = fn(key, entry[1] if entry is not None else None, record.value)
            if type(value) is _COROUTINE:
                value = runtime.RUNTIME.run_coroutine(value)
        except Stop:
            raise
        except BaseException as e:
            accumulators.delete(key)  # the key starts again from None
            yield _failure(fn, e)
            continue
        if entry is None:
            accumulators.find(key)  # the C code asserts the key is new: one more lookup
            accumulators.add(key, value)
        else:
            entry[1] = value
    for key, value in list(accumulators.items()):
        yield KeyRecord(key, value)


def step_extract_and_accumulate(up, extractor, fn):
    """step_extractkey then step_accumulatebykey (as the server runs them, one record through
    both before the next), in one step: without a key record per record, and with the
    dict lookup inline while no rehash is going on (find() has no effect then). The code of
    both steps is repeated here rather than called: a call per record would cost as much as
    the step saves (and the depth of Python frames under gear code, which a RecursionError's
    text counts, stays that of the two steps, or one less for the extractor)."""
    accumulators = GearsDict()
    entries = accumulators.entries
    for record in up:
        if type(record) is ErrorRecord:
            yield record
            continue
        try:
            key = extractor(record)
        except Stop:
            raise
        except BaseException as e:
            yield _failure(extractor, e)
            continue
        if type(key) is not str:
            if type(key) is _COROUTINE:
                key.close()
                yield ErrorRecord("coroutine are not allow on extractor")
                continue
            try:
                key = repr(key)
            except Exception as e:
                yield ErrorRecord(format_error(e))
                continue
        if "\0" in key:
            key = key.split("\0", 1)[0]
        entry = entries.get(key) if accumulators.rehashidx == -1 else accumulators.find(key)
        try:
            value = fn(key, entry[1] if entry is not None else None, record)
            if type(value) is _COROUTINE:
                value = runtime.RUNTIME.run_coroutine(value)
        except Stop:
            raise
        except BaseException as e:
            accumulators.delete(key)  # the key starts again from None
            yield _failure(fn, e)
            continue
        if entry is None:
            accumulators.find(key)  # the C code asserts the key is new: one more lookup
            accumulators.add(key, value)
        else:
            entry[1] = value
    for key, value in list(accumulators.items()):
        yield KeyRecord(key, value)


def step_topy(up):
    for record in up:
        if isinstance(record, KeyRecord):
            yield {"key": record.key, "value": record.value}
        else:
            yield record


def step_getvalue(up):
    for record in up:
        yield record.value if isinstance(record, KeyRecord) else record


def step_limit(up, offset, length):
    # C: ExecutionPlan_LimitNextRecord. Note that it pulls one more record after the last one
    # it passes before it stops (size_t arithmetic, hence the masks).
    index = 0
    end = (offset + length) & M64
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        if offset <= index < end:
            index += 1
            yield record
            continue
        index += 1
        if index >= end:
            return


_STEPS = {"map": step_map, "filter": step_filter, "foreach": step_foreach, "flatmap": step_flatmap,
          "accumulate": step_accumulate, "extractkey": step_extractkey, "group": step_group,
          "reduce": step_reduce, "accumulatebykey": step_accumulatebykey, "topy": step_topy,
          "getvalue": step_getvalue, "limit": step_limit}


def execute_plan(steps, source, on_record=None):
    """Runs a plan over a record source: (results, errors) as Python values. The steps are
    tuples (kind, arguments...); collect and repartition move records between shards, so
    on one shard they do nothing. With `on_record`, each result is handed to it as it is
    made instead of kept (results is then empty): a run's reply streams (run_reply)."""
    state = ExecutionState()
    stream = reader_step(source, state)
    steps = list(steps)
    while steps:
        step = steps.pop(0)
        if step[0] == "extractkey" and steps and steps[0][0] == "accumulatebykey":
            stream = step_extract_and_accumulate(stream, step[1], steps.pop(0)[1])
        elif step[0] in _STEPS:
            stream = _STEPS[step[0]](stream, *step[1:])
    keep = state.results.append if on_record is None else on_record
    for record in stream:
        if type(record) is ErrorRecord:
            state.errors.append(record.text)
        else:
            keep(record)
    return state.results, state.errors
