"""The only exception types that cross the library's boundaries.

Adapters translate driver exceptions into these, so a caller handles one family
whatever the store. Storage errors follow PEP 249's split between "the data is wrong"
and "the store failed".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from kk_core._text import mask_identity_numbers, quote_value, shorten

__all__ = [
    "CodeError",
    "ConflictError",
    "DisabledSchemeError",
    "EventDeliveryError",
    "KKError",
    "NotFoundError",
    "PluginError",
    "Problem",
    "ReadOnlyError",
    "StorageError",
    "TransitionError",
    "UnknownKindError",
    "UnknownPluginWarning",
    "UnknownSchemeError",
    "ValidationError",
    "mask_identity_numbers",
    "quote_value",
]


#: Characters of any error message at most (after masking): a message tells what went
#: wrong and quotes a short piece of the input, never all of it.
_ERROR_LIMIT = 20_000


class KKError(Exception):
    """Root of every error this library raises on purpose.

    Its message is masked (runs of 12+ digits hidden, as `mask_identity_numbers` does)
    and bounded, whoever built it: a driver's words, a plugin's, a path that holds a NIK.
    """

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (shorten(args[0], _ERROR_LIMIT), *args[1:])
        super().__init__(*args)


#: Problems a `ValidationError`'s message lists (all of them stay in ``problems``).
_LISTED_PROBLEMS = 50
#: Characters of a problem's path, of its message and of an error's subject at most
#: (masked, then cut): a message quotes a short piece of a bad value, never all of it.
_PATH_LIMIT = 200
_MESSAGE_LIMIT = 1000
_SUBJECT_LIMIT = 200


def _bounded_path(path: str) -> str:
    return shorten(path, _PATH_LIMIT)


def _bounded_message(message: str) -> str:
    return shorten(message, _MESSAGE_LIMIT)


@attrs.frozen
class Problem:
    """One thing wrong with an input, at a path in the names the user sees.

    Messages often quote the input (use `quote_value` for that: masked and short);
    long digit runs in them are masked again here, whoever wrote the message.
    """

    path: str = attrs.field(converter=_bounded_path)
    message: str = attrs.field(converter=_bounded_message)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(KKError, ValueError):
    """Input that does not make a valid record; carries every problem, not the first."""

    def __init__(self, problems: Iterable[Problem], *, subject: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject = shorten(subject, _SUBJECT_LIMIT)
        head = f"invalid {subject}" if subject else "invalid input"
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems[:_LISTED_PROBLEMS])
        if count > _LISTED_PROBLEMS:
            lines += f"\n  … and {count - _LISTED_PROBLEMS:,} more"
        super().__init__(f"{head} ({count} problem{'s' if count != 1 else ''}):\n{lines}")

    def prefixed(self, prefix: str) -> ValidationError:
        """The same problems with a location (file, line, column) put in front of each path."""
        return ValidationError(
            (Problem(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in self.problems),
            subject=self.subject,
        )


class CodeError(KKError, LookupError):
    """A value that is not in a code list; suggests the closest known entries."""

    def __init__(self, list_name: str, value: object, suggestions: Sequence[str] = ()) -> None:
        self.list_name = list_name
        self.value = value
        self.suggestions = tuple(suggestions)
        hint = (
            f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if suggestions else ""
        )
        super().__init__(f"{quote_value(value)} is not a known {list_name}{hint}")


class TransitionError(KKError):
    """A lifecycle transition refused by its table or one of its guards."""

    def __init__(self, kind: str, source: str, action: str, rule: str) -> None:
        self.kind = kind
        self.source = source
        self.action = action
        self.rule = rule
        super().__init__(
            f"{kind} cannot {shorten(str(action))} from state {quote_value(source)}: {rule}"
        )


class EventDeliveryError(KKError):
    """The change was committed, but some plugins failed while being told about it.

    ``result`` is what the call returned (the stored record); retrying the call would
    repeat a committed change, so callers should log ``failures`` and carry on.
    """

    def __init__(self, result: object, failures: Sequence[PluginError]) -> None:
        self.result = result
        self.failures = tuple(failures)
        listed = "; ".join(str(f) for f in self.failures)
        super().__init__(
            f"the change was committed, but {len(self.failures)} event hook call(s) failed: {listed}"
        )


class UnknownKindError(KKError, ValueError):
    """A record kind (name or class) that is not one of the library's kinds."""


class StorageError(KKError):
    """The store could not do what was asked (driver failure, lock, corrupt data)."""


class NotFoundError(StorageError, KeyError):
    """No record of that kind with that id."""

    def __init__(self, kind: str, record_id: str) -> None:
        self.kind = kind
        self.record_id = record_id
        super().__init__(f"no {kind} with id {quote_value(record_id)}")

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class ConflictError(StorageError):
    """A write based on a stale version: someone else changed the record first."""

    def __init__(
        self,
        kind: str,
        record_id: str,
        expected: int,
        actual: int | None,
        *,
        edited: bool = False,
    ) -> None:
        self.kind = kind
        self.record_id = record_id
        self.expected = expected
        self.actual = actual
        if actual is None:
            now = "does not exist"
        elif edited and actual == expected:
            # a store kept in files people edit: the content changed, the version did not
            now = "was changed since (its version was left unchanged)"
        else:
            now = f"is at version {quote_value(actual)}"
        super().__init__(
            f"{kind} {quote_value(record_id)} was written from version {quote_value(expected)} "
            f"but the store's copy {now}"
        )


class ReadOnlyError(StorageError):
    """A write to a store that declares itself read-only."""


class UnknownSchemeError(KKError, ValueError):
    """A store URL whose scheme no installed plugin handles."""

    def __init__(self, scheme: str, installed: Sequence[str]) -> None:
        self.scheme = scheme
        self.installed = tuple(installed)
        listed = ", ".join(sorted(installed)) or "none"
        super().__init__(
            f"no store handles URL scheme {quote_value(scheme, limit=40)}; "
            f"installed schemes: {listed}"
        )


class PluginError(KKError):
    """A plugin failed while the library called one of its hooks."""

    def __init__(self, plugin: str, hook: str, cause: BaseException | str) -> None:
        self.plugin = plugin
        self.hook = hook
        super().__init__(
            f"plugin {quote_value(plugin, limit=60)} failed in hook {hook!r}: "
            f"{shorten(str(cause), _MESSAGE_LIMIT)}"
        )


class DisabledSchemeError(UnknownSchemeError):
    """A store URL whose scheme belongs to a plugin that is installed but disabled."""

    def __init__(self, scheme: str, installed: Sequence[str], plugin: str) -> None:
        super().__init__(scheme, installed)
        self.plugin = plugin
        self.args = (
            f"{self.args[0]}. The plugin {plugin!r} handles {scheme!r} but is disabled: "
            f"remove it from KK_DISABLED_PLUGINS (or from disabled=) to use it",
        )


class UnknownPluginWarning(UserWarning):
    """A plugin name given to disable (``KK_DISABLED_PLUGINS``) that no installed plugin has."""
