"""What ``kk validate`` checks, as findings that name their place.

A check reads a source without writing anything and returns a `Validation`: what it
looked at (a count per record kind, or per file) and every `Finding` (a place and a
problem). The command prints any validation the same way and exits 1 when there are
findings, so checking another kind of source — a CSV folder, a Kobo export, a mapping
file — is one more function that returns a `Validation`.

`validate_store` checks every record of a store: that each stored row still reads as
a record (a damaged row is a finding, and reading goes on after it where the store
can), that its values are ones every store keeps (`kk_core.values.record_problems`: no
NUL, no identity number in a note …), and the rules plugins add (``kk_validate_record``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from kk_core.errors import StorageError, quote_value
from kk_core.kinds import RECORD_KINDS, Record, RecordType
from kk_core.plugins import Plugins
from kk_core.store import Store
from kk_core.values import record_problems

__all__ = ["Finding", "Validation", "validate_store"]


@attrs.frozen
class Finding:
    """One problem and where it is (``case 'K-17'``, ``schema``, ``cases.csv:3:5``)."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@attrs.frozen
class Validation:
    """The result of a check: what was looked at, and what was found."""

    source: str
    checked: dict[str, int] = attrs.field(factory=dict)
    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_data(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "checked": dict(self.checked),
            "ok": self.ok,
            "findings": [{"where": f.where, "problem": f.problem} for f in self.findings],
        }


def validate_store(
    store: Store,
    plugins: Plugins,
    *,
    kinds: Iterable[RecordType] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Validation:
    """Check every record of ``store`` (of ``kinds``; default: all); reads only.

    ``progress``, when given, is called with the number of records read so far.
    """
    checked: dict[str, int] = {}
    findings: list[Finding] = []
    done = 0
    for cls in kinds if kinds is not None else RECORD_KINDS.values():
        checked[cls.kind] = 0
        for item in _read_all(store, cls):
            done += 1
            if isinstance(item, StorageError):
                findings.append(Finding(cls.kind, str(item)))
            else:
                checked[cls.kind] += 1
                findings.extend(_check(item, plugins))
            if progress is not None and done % 500 == 0:
                progress(done)
    if progress is not None:
        progress(done)
    return Validation(store.url, checked, tuple(findings))


def _check(record: Record, plugins: Plugins) -> list[Finding]:
    where = f"{record.kind} {quote_value(record.id)}"
    problems = [*record_problems(record), *plugins.validate(record)]
    return [Finding(where, str(problem)) for problem in problems]


def _read_all(store: Store, cls: RecordType) -> Iterator[Record | StorageError]:
    """Every record of a kind, and in their place the rows that did not read.

    A store that cannot go on after a bad row ends the stream there; one that raises
    the same error again without reading anything in between is not asked further.
    """
    found = store.find(cls)
    last: str | None = None
    try:
        while True:
            try:
                record = next(found)
            except StopIteration:
                return
            except StorageError as error:
                if str(error) == last:
                    return
                last = str(error)
                yield error
                continue
            last = None
            yield record
    finally:
        close = getattr(found, "close", None)
        if close is not None:
            close()
