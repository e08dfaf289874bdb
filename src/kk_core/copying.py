"""Copying records from one store to another: SQLite → PostgreSQL, memory → a file, …

A plain ``target.put_many(source.find(Case))`` fails: the records carry the *source's*
version counters, and the target refuses a write "from version 3" of a record it does
not hold (`ConflictError`). `copy_records` copies the *content* instead and lets the
target keep its own counters, a page at a time, so that a copy of millions of records
runs in flat memory, can be run again (it then writes nothing) and, after a kill,
finishes what was left.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kk_core.dimensions import MAX_MEMBERS, compile_criteria
from kk_core.errors import (
    ConflictError,
    Problem,
    ReadOnlyError,
    ValidationError,
    quote_value,
)
from kk_core.kinds import RECORD_KINDS, Record, RecordType, record_type
from kk_core.reports import ImportReport, Reject
from kk_core.store import Store, same_content, with_version

__all__ = ["MAX_PAGE_SIZE", "PAGE_SIZE", "copy_records"]

#: Records read, looked up and written per round (one ``put_many``, one transaction):
#: a page of the SQL stores' streamed ``find``, so a round's lookup is one query.
PAGE_SIZE = 1000
#: The largest page: a page's ids are looked up in the target with one ``id IN (…)``
#: query, and SQL drivers bound the number of parameters of one statement.
MAX_PAGE_SIZE = MAX_MEMBERS

_CONFLICT_NOTE = (
    "copy_records: the target's copy of this record changed while its page was being "
    "copied (is another program writing to the target?). The pages before it are kept; "
    "run the copy again to finish it: the source's content then wins."
)


def copy_records(
    source: Store,
    target: Store,
    /,
    *,
    kinds: str | RecordType | Iterable[str | RecordType] | None = None,
    page_size: int = PAGE_SIZE,
    progress: Callable[[ImportReport], None] | None = None,
    **criteria: Any,
) -> ImportReport:
    """Copy the records of ``source`` that match ``criteria`` into ``target``, content only.

    * **Versions are the target's.** A record the target does not hold is written at
      version 1; one it holds with other content is overwritten (**the source's content
      wins**) at the target's next version; one it holds with the same content is left
      alone and counted as unchanged. Records only the target holds are kept: this is a
      copy, not a sync.
    * **Pages.** Records are read with ``source.find`` in id order, ``page_size`` at a
      time; the target's copies of a page's ids are read with one ``find`` and the page is
      written with one ``put_many``, so each page is all or nothing and memory does not
      grow with the number of records.
    * **Run it again** at will: a second run writes nothing and reports every record
      unchanged; after an interruption (a crash, a kill) it finishes the copy, the pages
      already written counting as unchanged.
    * **Kinds** (names or classes; default: all of `RECORD_KINDS`) are copied in the
      order of `RECORD_KINDS`, records pointed at before those pointing at them, whatever
      the order given. ``criteria`` (as for ``find``) apply to every kind copied: a
      criterion one of them does not have is a `ValidationError` before anything is
      copied, so name the kinds when filtering (``kinds=("case", "referral"),
      village_id=…``).
    * **Concurrent writers.** The copy is meant for a target nobody else writes to
      meanwhile. If the target's copy of a record changes between the lookup and the
      write of its page, the copy stops with that `ConflictError` (with a note saying
      so); nothing of that page is written, and running the copy again finishes it.
    * **Refused records.** If the target refuses a page with a `ValidationError` (a
      value it cannot hold), the page is written record by record and each refused
      record is kept in ``report.rejects`` (``"case 'S-1'"``) with its problems; the
      others are copied.

    ``progress``, when given, is called after each page with the report so far.
    Returns an `ImportReport` (``source`` is the source's URL) with ``written`` and
    ``unchanged`` counts for every kind copied. Nothing else is announced (no plugin
    events). Only `kk_core.errors` types are raised (plus whatever ``progress`` raises).
    """
    _check_arguments(source, target, progress)
    classes = _kinds(kinds)
    _check_page_size(page_size)
    _check_criteria(classes, criteria)
    if target.capabilities.read_only:
        raise ReadOnlyError(f"{target.url} is read-only: cannot copy records into it")
    written: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    rejects: list[Reject] = []
    for cls in classes:
        written[cls.kind] = unchanged[cls.kind] = 0
        found = source.find(cls, **criteria)
        try:
            for page in _pages(found, page_size):
                done, same, refused = _copy_page(target, cls, page)
                written[cls.kind] += done
                unchanged[cls.kind] += same
                rejects.extend(refused)
                if progress is not None:
                    progress(_report(source, written, unchanged, rejects))
        finally:
            close = getattr(found, "close", None)
            if close is not None:
                close()  # give a streamed find's connection back even when stopping early
    return _report(source, written, unchanged, rejects)


def _report(
    source: Store, written: dict[str, int], unchanged: dict[str, int], rejects: list[Reject]
) -> ImportReport:
    return ImportReport(
        source.url, written=dict(written), unchanged=dict(unchanged), rejects=tuple(rejects)
    )


def _check_arguments(source: Any, target: Any, progress: Any) -> None:
    problems = [
        Problem(name, f"expected a store (open one with kk_core.open_store), got {_what(value)}")
        for name, value in (("source", source), ("target", target))
        if not isinstance(value, Store)
    ]
    if progress is not None and not callable(progress):
        problems.append(Problem("progress", f"expected a function or None, got {_what(progress)}"))
    if problems:
        raise ValidationError(problems, subject="copy")


def _what(value: Any) -> str:
    return f"a URL {quote_value(value)}" if isinstance(value, str) else type(value).__name__


def _kinds(kinds: str | RecordType | Iterable[str | RecordType] | None) -> list[RecordType]:
    if kinds is None:
        return list(RECORD_KINDS.values())
    if not isinstance(kinds, str | type | Iterable):
        raise ValidationError(
            [Problem("kinds", f"expected kind names or classes, got {type(kinds).__name__}")],
            subject="copy",
        )
    given: Iterable[str | RecordType] = (
        [kinds] if isinstance(kinds, str | type) else kinds  # one kind, or several
    )
    wanted = {record_type(k) for k in given}
    return [cls for cls in RECORD_KINDS.values() if cls in wanted]


def _check_page_size(page_size: int) -> None:
    if (
        not isinstance(page_size, int)
        or isinstance(page_size, bool)
        or not 1 <= page_size <= MAX_PAGE_SIZE
    ):
        raise ValidationError(
            [Problem("page_size", f"give a whole number from 1 to {MAX_PAGE_SIZE:,}")],
            subject="copy",
        )


def _check_criteria(classes: list[RecordType], criteria: dict[str, Any]) -> None:
    """Every criterion must apply to every kind copied; all problems in one error."""
    problems: list[Problem] = []
    for cls in classes:
        try:
            compile_criteria(cls, criteria)
        except ValidationError as error:
            problems.extend(error.prefixed(cls.kind).problems)
    if problems:
        raise ValidationError(problems, subject="copy criteria")


def _pages(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while page := list(itertools.islice(records, size)):
        yield page


def _copy_page(target: Store, cls: RecordType, page: list[Record]) -> tuple[int, int, list[Reject]]:
    """Write what differs from the target's copies; (written, unchanged, rejects)."""
    held = {r.id: r for r in target.find(cls, id={r.id for r in page})}
    writes: list[Record] = []
    for record in page:
        stored = held.get(record.id)
        if stored is None:
            writes.append(with_version(record, 0))
        elif not same_content(stored, record):
            writes.append(with_version(record, stored.version))
    unchanged = len(page) - len(writes)
    if not writes:
        return 0, unchanged, []
    try:
        target.put_many(writes)
    except ConflictError as error:
        error.add_note(_CONFLICT_NOTE)
        raise
    except ValidationError:
        return _copy_one_by_one(target, writes, unchanged)
    return len(writes), unchanged, []


def _copy_one_by_one(
    target: Store, writes: list[Record], unchanged: int
) -> tuple[int, int, list[Reject]]:
    """A page the target refused: keep the good records, report the refused ones."""
    written = 0
    rejects: list[Reject] = []
    for record in writes:
        try:
            target.put(record)
        except ValidationError as error:
            where = f"{record.kind} {quote_value(record.id)}"
            rejects.append(Reject.from_error(where, error))
        except ConflictError as error:
            error.add_note(_CONFLICT_NOTE)
            raise
        else:
            written += 1
    return written, unchanged, rejects
