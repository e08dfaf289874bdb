"""What each exit status of ``kk`` means, and which error gives which.

Scripts branch on these: 1 means the job ran and found something to look at, 2 to 5
that it was stopped, and by what. They are stable: a number never changes meaning.
"""

from __future__ import annotations

import enum

from kk_core.errors import EventDeliveryError, KKError, PluginError, StorageError

__all__ = ["EXIT_STATUSES", "ExitCode", "exit_code_for"]


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


#: Each status with its meaning, short (``kk --help``) and long (the CLI reference).
EXIT_STATUSES: tuple[tuple[ExitCode, str, str], ...] = (
    (ExitCode.OK, "done", "The command did what was asked."),
    (
        ExitCode.PROBLEMS,
        "done, and problems were found (listed on stdout)",
        "The command ran to the end and found problems: records that fail validation, or "
        "records a copy could not write (they are listed; the others were copied).",
    ),
    (
        ExitCode.USAGE,
        "wrong command line (or a password on it)",
        "The command line is wrong: an unknown option or value, a missing store, a "
        "password or token given on the command line. Nothing was done.",
    ),
    (
        ExitCode.INPUT,
        "an input was refused (a store URL, an option, a kind)",
        "The library refused an input: a store URL or one of its options, a URL scheme "
        "no plugin handles (or one of a disabled plugin), a record kind, a code.",
    ),
    (
        ExitCode.STORAGE,
        "a store could not be opened, read or written",
        "A store could not be opened, read or written: missing, unreachable, locked, "
        "damaged, read-only, at an older schema (for a command that only reads: run "
        "kk migrate) or made by a newer version of the library.",
    ),
    (ExitCode.PLUGIN, "a plugin failed", "A plugin failed to load or failed in one of its hooks."),
    (
        ExitCode.INTERNAL,
        "a bug (run with --debug and report the traceback)",
        "An error the command did not expect: a bug. Only its type is shown; kk --debug "
        "shows the traceback, for a report.",
    ),
    (ExitCode.INTERRUPTED, "interrupted", "Interrupted (Ctrl-C)."),
)
assert [s[0] for s in EXIT_STATUSES] == list(ExitCode)


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
