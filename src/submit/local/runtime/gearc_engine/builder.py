"""GearsBuilder (ref 1-3; C: PyFlatExecution methods, GearsBuilder.py): what a module
builds, checked like the server checks it, as plans of steps for plan.execute_plan."""

import types

from . import gearsbuilder_py as lines
from . import runtime
from .errors import GearsError
from .gears_dict import M64
from .plan import _builder_lambda, builder_frame
from .keys_reader import keys_exact_source, keys_scan_source
from .readers import createKeysOnlyReader, python_reader_source, shardReaderCallback, stream_run_source
from .registration import Registration, command_settings, keys_settings, stream_settings
from .runtime import log

# What ids start with on a server outside a cluster (then `-` and the plan number).
ZERO_ID = "0" * 40

READERS = ("KeysReader", "StreamReader", "PythonReader", "CommandReader")


class Session(object):
    """What one module did at top level."""

    def __init__(self):
        self.plans = 0  # execution plans created (their ids count from 0)
        self.run = None  # (steps, source factory)
        self.registrations = []


SESSION = None  # set in main()


class RunFuture(object):
    """What run() returns to the script (the server's asyncio future); locally only a marker."""

    def __repr__(self):
        return "<gearc local run: its result is the module's reply>"


def _is_function(obj):
    return isinstance(obj, types.FunctionType)


def _c_op(name, check):
    """A C-backed operation: positional arguments only, like the server's wrapper
    `deco(self, *args)`, then the C method's own checks."""
    def op(self, *args, **kwargs):
        if kwargs:  # refused by the call itself, before `deco` has a frame
            raise TypeError("deco() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
        with builder_frame(lines.DECO):
            check(self, *args)
        return self
    op.__name__ = name
    return op


def _one_function(name):
    def check(self, *args):
        if len(args) != 1:
            raise GearsError("wrong number of args to %s function" % name)
        if not _is_function(args[0]):
            raise GearsError("%s argument must be a function" % name)
        if name == "repartition":
            self._steps += [("extractkey", args[0]), ("repartition",), ("getvalue",)]
        else:
            self._steps.append((name, args[0]))
    return check


def _groupby_check(kind):
    def check(self, *args):
        if len(args) != 2:
            raise GearsError("wrong number of args to groupby function")
        if not _is_function(args[0]):
            raise GearsError("groupby extractor argument must be a function")
        if not _is_function(args[1]):
            raise GearsError("groupby reducer argument must be a function")
        self._steps.append(("extractkey", args[0]))
        if kind == "groupby":
            self._steps.append(("repartition",))
        self._steps += [("accumulatebykey", args[1]), ("topy",)]
    return check


def _batchgroupby_check(self, *args):
    if len(args) != 2:
        raise GearsError("wrong number of args to batchgroupby function")
    if not _is_function(args[0]):
        raise GearsError("batchgroupby extractor argument must be a function")
    # The C code checks the extractor a second time instead of the reducer, so any object is
    # accepted as reducer (it fails at run time if it cannot be called).
    self._steps += [("extractkey", args[0]), ("repartition",), ("group",), ("reduce", args[1]), ("topy",)]


def _collect_check(self, *args):
    if args:
        raise GearsError("wrong number of args to collect function")
    self._steps.append(("collect",))


def _limit_check(self, *args):
    if len(args) < 1 or len(args) > 2:
        raise GearsError("wrong number of args to limit function")
    for arg in args:
        if not isinstance(arg, int):
            raise GearsError("limit argument must be a number")
    length = args[0] & M64
    offset = (args[1] & M64) if len(args) > 1 else 0
    self._steps.append(("limit", offset, length))


def _check_mode(kwargs, allowed):
    mode = kwargs.get("mode", "async")
    if not isinstance(mode, str):
        raise GearsError("execution mode must be a string")
    if mode not in allowed:
        raise GearsError("unknown execution mode")
    return mode


class GearsBuilder(object):
    __module__ = "not_main"  # the server runs GearsBuilder.py as module `not_main`

    def __init__(self, reader="KeysReader", defaultArg="*", desc=None):
        self.realReader = reader
        # KeysOnlyReader and ShardsIDReader are PythonReaders with a generator of GearsBuilder.py
        if reader == "ShardsIDReader" or reader == "KeysOnlyReader":
            reader = "PythonReader"
        with builder_frame(lines.INIT):
            if not isinstance(reader, str):
                raise GearsError("reader argument must be a string")
            if desc is not None and not isinstance(desc, str):
                raise GearsError("desc argument must be a string")
            if reader not in READERS:
                raise GearsError("The given reader does not exists")
        self.reader = reader
        self.defaultArg = defaultArg
        self._desc = desc
        self._steps = []
        SESSION.plans += 1  # GB() creates an execution plan, which takes an id number

    # -- C-backed operations
    map = _c_op("map", _one_function("map"))
    filter = _c_op("filter", _one_function("filter"))
    foreach = _c_op("foreach", _one_function("foreach"))
    flatmap = _c_op("flatmap", _one_function("flatmap"))
    accumulate = _c_op("accumulate", _one_function("accumulate"))
    repartition = _c_op("repartition", _one_function("repartition"))
    localgroupby = _c_op("localgroupby", _groupby_check("localgroupby"))
    groupby = _c_op("groupby", _groupby_check("groupby"))
    batchgroupby = _c_op("batchgroupby", _batchgroupby_check)
    collect = _c_op("collect", _collect_check)
    limit = _c_op("limit", _limit_check)

    # -- Python sugar of GearsBuilder.py. The zero quirk is kept on purpose (ref 2): a falsy
    # accumulator (0, '', [], {}, False) is replaced by a fresh copy of `zero` on every call.
    def __localAggregateby__(self, extractor, zero, aggregator):
        key_of = _builder_lambda(lines.LOCAL_AGGREGATEBY, "lambda x: extractor(x)", extractor=extractor)
        step = _builder_lambda(lines.LOCAL_AGGREGATEBY, "lambda k, a, r: aggregator(k, a if a else copy.deepcopy(zero), r)",
                               aggregator=aggregator, zero=zero)
        self._steps += [("extractkey", key_of), ("accumulatebykey", step), ("topy",)]
        return self

    def aggregate(self, zero, seqOp, combOp):
        local = _builder_lambda(lines.AGGREGATE, "lambda a, r: seqOp(a if a else copy.deepcopy(zero), r)",
                                seqOp=seqOp, zero=zero)
        combine = _builder_lambda(lines.AGGREGATE_COMBINE, "lambda a, r: combOp(a if a else copy.deepcopy(zero), r)",
                                  combOp=combOp, zero=zero)
        self._steps += [("accumulate", local), ("collect",), ("accumulate", combine)]
        return self

    def aggregateby(self, extractor, zero, seqOp, combOp):
        self.__localAggregateby__(extractor, zero, seqOp)
        by_key = _builder_lambda(lines.AGGREGATEBY_COMBINE, "lambda r: r['key']")
        combine = _builder_lambda(lines.AGGREGATEBY_COMBINE, "lambda k, a, r: combOp(k, a if a else copy.deepcopy(zero), r['value'])",
                                  combOp=combOp, zero=zero)
        self._steps += [("extractkey", by_key), ("repartition",), ("accumulatebykey", combine), ("topy",)]
        return self

    def count(self):
        local = _builder_lambda(lines.COUNT, "lambda a, r: 1 + (a if a else 0)")
        combine = _builder_lambda(lines.COUNT_COMBINE, "lambda a, r: r + (a if a else 0)")
        self._steps += [("accumulate", local), ("collect",), ("accumulate", combine)]
        return self

    def countby(self, extractor=_builder_lambda(lines.COUNTBY_EXTRACTOR, "lambda x: x")):
        return self.aggregateby(extractor, 0, _builder_lambda(lines.COUNTBY, "lambda k, a, r: 1 + a"),
                                _builder_lambda(lines.COUNTBY, "lambda k, a, r: r + a"))

    def sort(self, reverse=True):
        # aggregate into a list, sort it, then flatmap; flatmap's last-first order (ref 0)
        # makes the default reverse=True reply ascending, reverse=False descending.
        self.aggregate([], _builder_lambda(lines.SORT_AGGREGATE, "lambda a, r: a + [r]"), _builder_lambda(lines.SORT_AGGREGATE, "lambda a, r: a + r"))
        self.map(_builder_lambda(lines.SORT_SORTED, "lambda r: sorted(r, reverse=reverse)", reverse=reverse))
        self.flatmap(_builder_lambda(lines.SORT_FLATMAP, "lambda r: r"))
        return self

    def distinct(self):
        self.aggregate(set(), _builder_lambda(lines.DISTINCT, "lambda a, r: a | set([r])"),
                       _builder_lambda(lines.DISTINCT, "lambda a, r: a | r"))
        return self.flatmap(_builder_lambda(lines.DISTINCT, "lambda x: list(x)"))

    def avg(self, extractor=_builder_lambda(lines.AVG_EXTRACTOR, "lambda x: float(x)")):
        with builder_frame(lines.AVG):
            self.map(extractor)  # validated like any map: a builtin such as float is refused
        self.aggregate((0, 0), _builder_lambda(lines.AVG_AGGREGATE, "lambda a, r: (a[0] + r, a[1] + 1)"),
                       _builder_lambda(lines.AVG_COMBINE, "lambda a, r: (a[0] + r[0], a[1] + r[1])"))
        return self.map(_builder_lambda(lines.AVG_COMBINE, "lambda x: x[0] / x[1]"))

    # -- terminals
    def _finish_steps(self, convertToStr, collect, line):
        if convertToStr:
            self._steps.append(("map", _builder_lambda(line, "lambda x: str(x)")))
        if collect:
            self._steps.append(("collect",))

    def run(self, arg=None, convertToStr=True, collect=True, **kargs):
        self._finish_steps(convertToStr, collect, lines.RUN_TO_STR)
        arg = arg if arg else self.defaultArg
        if self.realReader == "ShardsIDReader":
            arg = shardReaderCallback
        if self.realReader == "KeysOnlyReader":
            with builder_frame(lines.RUN_KEYS_ONLY):
                arg = createKeysOnlyReader(arg, **kargs)
        with builder_frame(lines.RUN):
            return self._c_run(arg, kargs)

    def _c_run(self, arg, kargs):
        if SESSION.run is not None:
            raise GearsError("Can not run more then 1 executions in a single script")
        deferred = None
        if self.reader == "PythonReader":
            if not _is_function(arg):
                raise GearsError("pyreader argument must be a function")
            source = lambda: python_reader_source(arg)
        else:
            if not isinstance(arg, str):
                raise GearsError("regex argument must be a string")
            if self.reader == "StreamReader":
                from_id = kargs.get("fromId", "0-0")
                if not isinstance(from_id, str):
                    deferred = "fromId argument must be a string"
                source = lambda: stream_run_source(runtime.RUNTIME.conn, arg, from_id)
            elif self.reader == "KeysReader":
                no_scan, read_value = kargs.get("noScan", False), kargs.get("readValue", True)
                if not isinstance(no_scan, bool):
                    deferred = "exactMatch value is not boolean"
                elif not isinstance(read_value, bool):
                    deferred = "readValue value is not boolean"
                if no_scan:
                    source = lambda: keys_exact_source(runtime.RUNTIME.conn, arg, read_value)
                else:
                    source = lambda: keys_scan_source(runtime.RUNTIME.conn, arg, read_value)
            else:
                raise GearsError("Given reader do not support run or not exists")
        _check_mode(kargs, ("async", "async_local"))  # checked before the reader arguments fail
        if deferred:
            raise GearsError(deferred)
        SESSION.run = (list(self._steps), source)
        return RunFuture()

    def register(self, prefix="*", convertToStr=True, collect=True, **kwargs):
        self._finish_steps(convertToStr, collect, lines.REGISTER_TO_STR)
        kwargs["prefix"] = prefix
        if "regex" in kwargs:
            log("Using regex argument with register is deprecated and missleading, use prefix instead.",
                level="warning")
            kwargs["prefix"] = kwargs["regex"]
        with builder_frame(lines.REGISTER):
            return self._c_register(kwargs)

    def _c_register(self, kwargs):
        mode = _check_mode(kwargs, ("async", "async_local", "sync"))
        on_registered = kwargs.get("onRegistered")
        if on_registered is not None and not _is_function(on_registered):
            raise GearsError("OnRegistered argument must be a function")
        if self.reader == "CommandReader":
            settings = command_settings(kwargs)
        else:
            if not isinstance(kwargs["prefix"], str):
                raise GearsError("regex argument must be a string")
            if self.reader == "KeysReader":
                settings = keys_settings(kwargs)
            elif self.reader == "StreamReader":
                settings = stream_settings(kwargs, mode)
            else:
                raise GearsError("given reader does not exists or does not support register")
        settings["prefix"] = kwargs["prefix"]
        # register() copies the plan, and the copy's id number is the registration's: the
        # first GB().register() of a fresh server is ...-1, the second ...-3 (C: module.c
        # RG_PrepareForRegister, execution_plan.c lastFEPId; measured on 1.2.13).
        SESSION.plans += 1
        reg_id = "%s-%d" % (ZERO_ID, SESSION.plans - 1)
        SESSION.registrations.append(Registration(reg_id, self.realReader, self.reader, self._desc,
                                                  list(self._steps), mode, on_registered, settings, kwargs))
        return reg_id


GB = GearsBuilder
