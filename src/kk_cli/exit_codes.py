"""What each exit status of ``kk`` means, and which error gives which.

Scripts branch on these: 1 means the job ran and found something to look at, 2 to 5
that it was stopped, and by what. They are stable: a number never changes meaning.
"""

from __future__ import annotations

import enum

from kk_core.errors import EventDeliveryError, KKError, PluginError, StorageError

__all__ = ["ExitCode", "exit_code_for"]


class ExitCode(enum.IntEnum):
    """Exit statuses of the ``kk`` command."""

    #: The command did what was asked.
    OK = 0
    #: The command ran to the end and found problems: records that fail validation, or
    #: records a copy could not write (they are listed; the others were copied).
    PROBLEMS = 1
    #: The command line is wrong: an unknown option, a missing store, a password or
    #: token given on the command line.
    USAGE = 2
    #: The library refused an input: a store URL or option, a record kind, a code.
    INPUT = 3
    #: A store could not be opened, read or written: missing, unreachable, locked,
    #: damaged, read-only, or made by a newer version of the library.
    STORAGE = 4
    #: A plugin failed to load or failed in one of its hooks.
    PLUGIN = 5
    #: A bug: an error the command did not expect (``kk --debug`` shows its traceback).
    INTERNAL = 70
    #: Interrupted (Ctrl-C).
    INTERRUPTED = 130


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit status for an error that stopped a command."""
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, StorageError):
        return ExitCode.STORAGE
    if isinstance(error, PluginError | EventDeliveryError):
        return ExitCode.PLUGIN
    if isinstance(error, KKError):
        return ExitCode.INPUT
    return ExitCode.INTERNAL
