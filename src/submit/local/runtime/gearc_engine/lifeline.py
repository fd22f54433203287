"""Noticing that gearc is gone (killed with -9, say), so that the engine does not live on
applying registrations with nobody to report to.

Two signs, either enough: the engine's parent process changes (it is adopted), or the pipe
of its protocol output has no reader any more (select() reports the write end of a pipe
readable, an error, once its reader is closed; a pipe is never readable otherwise). The
second one also works when gearc started the engine through a shim that stays alive.
"""

import os
import stat

_PARENT = os.getppid()


def parent_gone():
    return os.getppid() != _PARENT


def descriptors():
    """What to select() on for readability: the protocol output, when it is a pipe."""
    try:
        if stat.S_ISFIFO(os.fstat(1).st_mode):
            return [1]
    except OSError:
        pass
    return []
