"""RedisGears' own commands (RG.*) when gear code runs them with execute(): answered as a
single-shard RedisGears 1.2.13 answers them, since a plain Redis does not know them.

Each answer below was measured by running `execute(...)` inside a gear on a real
RedisGears 1.2.13 server (no cluster). Some of these commands crash that server, or hang it,
when a gear runs them: the engine stops with a message instead (protocol.Halt), as it does
for replies it cannot give (values.reply_value). Commands that report the server's own state (executions,
registrations, sessions, memory) are refused with a message.
"""

import os

from .errors import GearsError
from .protocol import Halt

# Configuration the server has built in (C: config.c), with a fresh 1.2.13 server's values.
# What depends on an installation (where Python and its dependencies come from, the plugin
# list) is empty locally: the engine has no installation.
BUILT_IN_CONFIG = {
    "MaxExecutions": 1000, "MaxExecutionsPerRegistration": 100, "ProfileExecutions": 0,
    "PythonAttemptTraceback": 1, "ExecutionThreads": 3, "ExecutionMaxIdleTime": 5000, "SendMsgRetries": 3,
    "DownloadDeps": 0, "DependenciesUrl": "", "DependenciesSha256": "", "PythonInstallationDir": "",
    "CreateVenv": 0, "Plugin": [],
}


class RgCommands(object):
    """The RG.* commands of one engine run, with its RG.CONFIGSET values."""

    def __init__(self, triggers=lambda: ()):
        self.config = dict(BUILT_IN_CONFIG)
        self.extra_config = {}  # RG.CONFIGSET of other names; configGet() reads them
        self.triggers = triggers  # the CommandReader triggers the module registered

    def answer(self, argv):
        """The reply of an RG.* command, or None when RedisGears has no such command."""
        name = str(argv[0]).lower()
        handler = _HANDLERS.get(name)
        if handler is None:
            return None
        args = [a.decode("utf-8", "replace") if isinstance(a, (bytes, bytearray)) else a for a in argv[1:]]
        minimum = _MIN_ARGS.get(name, 0)
        if len(args) < minimum:
            raise GearsError("ERR wrong number of arguments for '%s' command\r\n" % name)
        return handler(self, name, args)

    # -- the handlers
    def info_cluster(self, name, args):
        return "no cluster mode"

    def hello(self, name, args):
        raise GearsError("ERRCLUSTER NULL cluster state on hello msg\r\n")

    def config_get(self, name, args):
        replies = []
        for key in args:
            extra = self.extra_config.get(key, os.environ.get("GEARC_CONFIG_" + key))
            if key in self.config:
                replies.append(self.config[key])
            elif extra is not None:
                replies.append(extra)
            else:
                replies.append("(error) Unsupported config parameter: %s" % key)
        return replies

    def config_set(self, name, args):
        replies = []
        for i in range(0, len(args), 2):
            key = args[i]
            if i + 1 >= len(args):
                replies.append("(error) Value was not given to %s" % key)
            elif key in self.config:
                value = args[i + 1]
                if isinstance(self.config[key], int):
                    try:
                        value = int(value)
                    except ValueError:
                        pass
                self.config[key] = value
                replies.append("OK")
            else:
                self.extra_config[key] = args[i + 1]
                replies.append("OK - value was saved in extra config dictionary")
        return replies

    def no_execution(self, name, args):
        # the local engine's executions are not kept: no id names one
        raise GearsError("execution plan does not exist\r\n")

    def unregister(self, name, args):
        raise GearsError("execution is not registered\r\n")

    def trigger(self, name, args):
        if name == "rg.trigger" and args[0] in self.triggers():
            raise GearsError("RG.TRIGGER is not supported by gearc's local engine (CommandReader "
                             "registrations are not applied locally)")
        raise GearsError("ERR subcommand not found\r\n")

    def nothing(self, name, args):
        return []

    def plugins(self, name, args):
        return [["GearsPythonPlugin", 10000]]

    def free_interpreter(self, name, args):
        return "Free interpreter is not longer supported"

    def export_requirement(self, name, args):
        raise GearsError("requirement does not exists\r\n")

    def pyexecute(self, name, args):
        raise GearsError("Can not run gears inside a multi exec, lua, or when blocking is not allowed\r\n")

    def server_state(self, name, args):
        raise GearsError("%s is not supported by gearc's local engine (it reports a RedisGears server's "
                         "own executions, registrations, sessions or memory)" % name.upper())

    def crashes(self, name, args):
        raise Halt("execute(%s) from a gear crashes a RedisGears 1.2.13 server (measured); the local "
                   "engine stops here instead. Run it from a client, not from a gear" % _call(name, args))

    def hangs(self, name, args):
        raise Halt("execute(%s) from a gear hangs a RedisGears 1.2.13 server (measured); the local "
                   "engine stops here instead. Run it from a client, not from a gear" % _call(name, args))


def _call(name, args):
    return ", ".join(repr(a) for a in [name.upper()] + list(args))


def _crashes_with_arguments(self, name, args):
    # With no argument, these only say how many they want (handled by _MIN_ARGS).
    return self.crashes(name, args)


_HANDLERS = {
    "rg.infocluster": RgCommands.info_cluster,
    "rg.hello": RgCommands.hello,
    "rg.configget": RgCommands.config_get,
    "rg.configset": RgCommands.config_set,
    "rg.getexecution": RgCommands.no_execution,
    "rg.getresults": RgCommands.no_execution,
    "rg.getresultsblocking": RgCommands.no_execution,
    "rg.dropexecution": RgCommands.no_execution,
    "rg.unregister": RgCommands.unregister,
    "rg.trigger": RgCommands.trigger,
    "rg.triggeronkey": RgCommands.trigger,
    "rg.pydumpreqs": RgCommands.nothing,
    "rg.dumpplugins": RgCommands.plugins,
    "rg.pyfreeinterpreter": RgCommands.free_interpreter,
    "rg.pyexportreq": RgCommands.export_requirement,
    "rg.pyexecute": RgCommands.pyexecute,
    "rg.dumpexecutions": RgCommands.server_state,
    "rg.dumpregistrations": RgCommands.server_state,
    "rg.pydumpsessions": RgCommands.server_state,
    "rg.pystats": RgCommands.server_state,
    "rg.abortexecution": _crashes_with_arguments,
    "rg.pauseregistrations": _crashes_with_arguments,
    "rg.unpauseregistrations": _crashes_with_arguments,
    "rg.refreshcluster": RgCommands.crashes,
    "rg.clearregistrationsstats": RgCommands.crashes,
    "rg.networktest": RgCommands.crashes,
    "rg.pyprofile": RgCommands.hangs,
}

# Arguments a command needs (after its name), below which it answers with an arity error.
_MIN_ARGS = {
    "rg.getexecution": 1, "rg.getresults": 1, "rg.getresultsblocking": 1, "rg.dropexecution": 1,
    "rg.unregister": 1, "rg.trigger": 1, "rg.triggeronkey": 1, "rg.pyexportreq": 1,
    "rg.abortexecution": 1, "rg.pauseregistrations": 1, "rg.unpauseregistrations": 1,
}
