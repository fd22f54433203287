"""Registrations: register()'s arguments checked like the server's, what the engine reports
of each registration, and the matching rule of its prefix."""

import json

from .errors import GearsError, format_error
from .plan import _is_coroutine
from .protocol import Stop, clean_text, line
from .runtime import _write_log
from .values import reply_value

def _strings(kwargs, name, what):
    value = kwargs.get(name)
    if value is None:
        return None
    try:
        items = list(iter(value))
    except TypeError:
        raise GearsError("given %s is not iterable" % name)
    for item in items:
        if not isinstance(item, str):
            raise GearsError("given %s type is not string" % what)
    return items


def keys_settings(kwargs):
    event_types = _strings(kwargs, "eventTypes", "event")
    key_types = _strings(kwargs, "keyTypes", "key")
    for kind in key_types or ():
        if kind not in ("empty", "string", "list", "hash", "set", "zset", "module", "stream"):
            raise GearsError("unknown key type")
    read_value = kwargs.get("readValue", True)
    if not isinstance(read_value, bool):
        raise GearsError("readValue is not boolean")
    commands = _strings(kwargs, "commands", "command")
    return {"eventTypes": event_types, "keyTypes": key_types, "readValue": read_value,
            "commands": commands or None}


def _is_number(value):
    kind = type(value)
    return any(hasattr(kind, name) for name in ("__index__", "__int__", "__float__"))


def _size(value, name):
    if not _is_number(value):
        raise GearsError("%s argument must be a number" % name)
    if not hasattr(type(value), "__index__"):
        # the server's PyNumber_AsSsize_t fails on it too (a pending TypeError)
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(value).__name__)
    return value.__index__()


def stream_settings(kwargs, mode):
    batch = _size(kwargs["batch"], "batch") if "batch" in kwargs else 1
    duration = _size(kwargs["duration"], "duration") if "duration" in kwargs else 0
    policy = "continue"
    if "onFailedPolicy" in kwargs:
        given = kwargs["onFailedPolicy"]
        if not isinstance(given, str):
            raise GearsError("onFailedPolicy must be a string (Continue/Abort/Retry)")
        policy = given.lower()
        if policy not in ("continue", "abort", "retry"):
            raise GearsError("onFailedPolicy must be Continue/Abort/Retry")
        if mode == "sync" and policy != "continue":
            raise GearsError("ExecutionMode sync can only be combined with OnFailedPolicy Continue")
    interval = 1
    if "onFailedRetryInterval" in kwargs:
        interval = _size(kwargs["onFailedRetryInterval"], "retryInterval")
    trim = kwargs.get("trimStream", True)
    if not isinstance(trim, bool):
        raise GearsError("pyTrimmStream argument must be a boolean")
    return {"batch": batch, "duration": duration, "onFailedPolicy": policy,
            "onFailedRetryInterval": interval, "trimStream": trim}


def command_settings(kwargs):
    trigger = kwargs.get("trigger")
    if trigger is not None and not isinstance(trigger, str):
        raise GearsError("trigger argument is not string")
    inorder = kwargs.get("inorder", False)
    if not isinstance(inorder, bool):
        raise GearsError("inorder argument is be boolean")
    keyprefix = kwargs.get("keyprefix")
    if keyprefix is not None and not isinstance(keyprefix, str):
        raise GearsError("keyprefix argument is not string")
    hook = kwargs.get("hook")
    if hook is not None and not isinstance(hook, str):
        raise GearsError("hook argument is not string")
    if "trigger" in kwargs:
        if "keyprefix" in kwargs or "hook" in kwargs:
            raise GearsError("trigger argument can not be given with keyprefix or hook")
    elif "hook" not in kwargs:
        raise GearsError("no trigger or hook argument was given")
    return {"trigger": trigger, "hook": hook, "keyprefix": keyprefix, "inorder": inorder}


def json_safe(value):
    if value is None or isinstance(value, (bool, int, str)):
        return clean_text(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return clean_text(repr(value))


class Registration(object):
    def __init__(self, reg_id, real_reader, reader, desc, steps, mode, on_registered, settings, kwargs):
        self.id = reg_id
        self.real_reader = real_reader
        self.reader = reader
        self.desc = desc
        self.steps = steps
        self.mode = mode
        self.on_registered = on_registered
        self.settings = settings
        self.kwargs = dict(kwargs)
        self.unsupported = None
        if reader == "CommandReader":
            self.unsupported = ("RG.TRIGGER and command hooks do not exist on a plain Redis: "
                                "CommandReader registrations are not runnable locally")
        elif reader == "KeysReader" and settings["commands"]:
            self.unsupported = ("commands=%s is not supported locally (Redis does not tell which command "
                                "caused an event): the registration fires on every matching event"
                                % json.dumps(settings["commands"]))

    @property
    def runnable(self):
        return self.reader in ("KeysReader", "StreamReader")

    def line(self):
        inline = self.runnable and self.mode in ("async", "async_local")
        return line("registered", id=self.id, reader=self.real_reader, args=json_safe(self.kwargs),
                    desc=self.desc, unsupported=self.unsupported,
                    mode_note="runs inline like sync: the local engine has one thread" if inline else None)


def execution_line(reg, trigger, results, errors, status=None, event=None, key=None, ids=None):
    """`trigger` says what fired the execution in words; `event` (KeysReader), `key` (the key
    or the stream) and `ids` (StreamReader: the entries of the batch) say it as data."""
    return line("execution", registration=reg.id, trigger=clean_text(trigger),
                results=[reply_value(r) for r in results], errors=[clean_text(e) for e in errors],
                status=status or None, event=event, key=None if key is None else clean_text(key), ids=ids)


def call_on_registered(reg):
    """C: RedisGearsPy_OnRegistered: its errors are only logged."""
    if reg.on_registered is None:
        return
    try:
        result = reg.on_registered()
    except Stop:
        raise
    except BaseException as e:
        _write_log("warning", "Error occured on RedisGearsPy_OnRegistered, error='%s'" % format_error(e),
                   prefix=False)
        return
    if _is_coroutine(result):
        result.close()
        _write_log("warning", "Error occured on RedisGearsPy_OnRegistered, error='Coroutines are not allow'",
                   prefix=False)


def prefix_matches(prefix, key):
    """C: KeysReader_IsKeyMatch / StreamReader_IsKeyMatch: a trailing '*' makes a plain
    prefix, anything else is one exact key; never a glob (ref 1.1)."""
    if prefix.endswith("*"):
        return key.startswith(prefix[:-1])
    return key == prefix
