"""Batch imports from CSV folders and spreadsheets into any store, nothing lost.

`import_csv` reads a folder in the library's layout (`kk_adapters.csv.schema`) — one
a partner sent, or a CSV store's — and `import_spreadsheet` a partner's own sheet
through a mapping (`kk_adapters.csv.mapping`). Both go row by row: a row that reads is
written to the target, one that does not is kept in the report's ``rejects`` with
every reason at ``file:line:column`` (and, when asked, in a rejects CSV a person can
open next to the file to fix it). Nothing is skipped without a reject saying so.
What a record points at (its group, its case, the members it names) is checked as the
services check it (`kk_core.references`), against the target and the records imported
before it: a referral to a case refused in the same import is a reject too.

Writing follows `kk_core.copy_records`: the *content* is imported and the target keeps
its own versions — a record it does not hold is written at version 1, one it holds
with other content is overwritten (the import wins), one it holds with the same
content is counted as unchanged — a page at a time, each page all or nothing. Running
an import twice writes nothing the second time. Memory does not grow with the number
of rows (only the ids of a spreadsheet's rows are kept, to catch an id given twice).

When the import is over, the installed plugins hear of it (``kk_records_written`` for
each page written, ``kk_import_finished`` with the report).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from kk_adapters.csv._codec import RowProblems
from kk_adapters.csv._files import FileError, HeaderError
from kk_adapters.csv._folder import Folder
from kk_adapters.csv._reading import Group, KindFiles
from kk_adapters.csv.cells import neutralise_formula
from kk_adapters.csv.mapping import SpreadsheetMapping, load_mapping, read_rows
from kk_adapters.csv.store import gc_paused, kind_codec
from kk_core.copying import MAX_PAGE_SIZE, PAGE_SIZE
from kk_core.errors import (
    ConflictError,
    EventDeliveryError,
    NotFoundError,
    PluginError,
    Problem,
    ReadOnlyError,
    StorageError,
    ValidationError,
    quote_value,
)
from kk_core.kinds import RECORD_KINDS, Record, RecordType, record_type
from kk_core.references import reference_problems
from kk_core.reports import ImportReport, Reject
from kk_core.store import Store, same_content, with_version

__all__ = [
    "REJECT_COLUMNS",
    "Importer",
    "import_csv",
    "import_spreadsheet",
    "read_folder",
    "write_rejects",
]

_CONFLICT_NOTE = (
    "import: the target's copy of this record changed while its page was being written "
    "(is another program writing to the target?). The pages before it are kept; run "
    "the import again to finish it."
)


def read_folder(
    folder: str | os.PathLike[str],
    kinds: str | RecordType | Iterable[str | RecordType] | None = None,
) -> Iterator[Record | Reject]:
    """The records of a folder in the library's layout, kind by kind (in `RECORD_KINDS`
    order), each in id order; a row that does not read is a `Reject` in its place."""
    root = Path(folder)
    if not root.is_dir():
        raise StorageError(f"{quote_value(str(root), limit=160)} is not a folder")
    source = Folder(root, writable=False)
    for cls in _kinds(kinds):
        yield from _read_kind(source, cls)


def _kinds(kinds: str | RecordType | Iterable[str | RecordType] | None) -> list[RecordType]:
    if kinds is None:
        return list(RECORD_KINDS.values())
    given = [kinds] if isinstance(kinds, str | type) else list(kinds)
    wanted = {record_type(k) for k in given}
    return [cls for cls in RECORD_KINDS.values() if cls in wanted]


def _read_kind(folder: Folder, cls: RecordType) -> Iterator[Record | Reject]:
    codec = kind_codec(cls)
    try:
        files = KindFiles(folder, codec)
    except HeaderError as exc:
        where = exc.problems[0].path.split(":")[0] + ":1"
        note = Problem(where, "the file was not read: its header does not fit (see above)")
        yield Reject(where, (*exc.problems, note))
        return
    except FileError as exc:
        yield Reject(exc.where, (Problem(exc.where, f"{exc.message}; the file was not read"),))
        return
    page: list[Group] = []
    try:
        for entry in files.entries():
            if isinstance(entry, Group):
                page.append(entry)
                if len(page) >= 500:
                    yield from _decoded(files, page)
                    page = []
                continue
            yield from _decoded(files, page)
            page = []
            where, problems = files.entry_problems(entry)
            yield Reject(where, tuple(problems))
        yield from _decoded(files, page)
    except FileError as exc:
        yield from _decoded(files, page)
        message = f"{exc.message}; the file was not read from here on"
        yield Reject(exc.where, (Problem(exc.where, message),))


def _decoded(files: KindFiles, page: list[Group]) -> list[Record | Reject]:
    out: list[Record | Reject] = []
    with gc_paused():
        for group in page:
            try:
                record = files.record(group)
            except RowProblems as error:
                problems = files.problems(group, error) + files.overflows(group)
                out.append(Reject(files.where(0, group.line), tuple(problems)))
                continue
            overflow = files.overflows(group)
            if overflow:
                out.append(Reject(files.where(0, group.line), tuple(overflow)))
                continue
            out.append(record)
    return out


class Importer:
    """Writes records into a store a page at a time (the import wins), counting them and
    keeping what is refused; see the module. ``check_references``: see `import_csv`."""

    def __init__(
        self,
        target: Store,
        source: str,
        *,
        page_size: int = PAGE_SIZE,
        progress: Callable[[ImportReport], None] | None = None,
        check_references: bool = True,
    ) -> None:
        _check(target, page_size, progress)
        if target.capabilities.read_only:
            raise ReadOnlyError(f"{target.url} is read-only: cannot import into it")
        self.target = target
        self.source = source
        self.page_size = page_size
        self.progress = progress
        self.check_references = check_references
        self.written: dict[str, int] = {}
        self.unchanged: dict[str, int] = {}
        self.rejects: list[Reject] = []
        self.failures: list[PluginError] = []
        self._page: list[tuple[Record, str]] = []
        self._pending: dict[str, Record] = {}  # the page's records by id
        self._found: dict[tuple[str, str], Record | None] = {}  # the target's, looked up

    def add(self, record: Record, where: str) -> None:
        """Add a record to the page; one whose references do not hold (a referral to a
        case neither in the target nor imported before it) is kept as a reject."""
        if self._page and type(self._page[0][0]) is not type(record):
            self.flush()
        problems = reference_problems(record, self._lookup) if self.check_references else ()
        if problems:
            self.rejects.append(Reject(where, tuple(problems)))
            return
        self._page.append((record, where))
        self._pending[record.id] = record
        if len(self._page) >= self.page_size:
            self.flush()

    def _lookup(self, kind: RecordType, record_id: str) -> Record | None:
        if self._page and type(self._page[0][0]) is kind and record_id in self._pending:
            return self._pending[record_id]
        key = (kind.kind, record_id)
        if key not in self._found:
            try:
                self._found[key] = self.target.get(kind, record_id)
            except (NotFoundError, ValidationError):
                self._found[key] = None
        return self._found[key]

    def reject(self, reject: Reject) -> None:
        self.rejects.append(reject)

    def flush(self) -> None:
        page, self._page = self._page, []
        self._pending = {}
        if not page:
            return
        cls = type(page[0][0])
        kind = cls.kind
        # forget what was not there (it may be now) and the page's kind (written over)
        self._found = {k: v for k, v in self._found.items() if v is not None and k[0] != kind}
        held = {r.id: r for r in self.target.find(cls, id={r.id for r, _ in page})}
        writes: list[tuple[Record, str]] = []
        for record, where in page:
            stored = held.get(record.id)
            if stored is None:
                writes.append((with_version(record, 0), where))
            elif not same_content(stored, record):
                writes.append((with_version(record, stored.version), where))
        self.written.setdefault(kind, 0)
        self.unchanged[kind] = self.unchanged.get(kind, 0) + len(page) - len(writes)
        if writes:
            done = self._write(writes)
            self.written[kind] += len(done)
            if done:
                self._announce(kind, done)
        if self.progress is not None:
            self.progress(self.report())

    def _write(self, writes: list[tuple[Record, str]]) -> list[str]:
        try:
            self.target.put_many([r for r, _ in writes])
        except ConflictError as error:
            error.add_note(_CONFLICT_NOTE)
            raise
        except ValidationError:
            pass
        else:
            return [r.id for r, _ in writes]
        done = []  # the target refused the page: keep the records it takes, report the rest
        for record, where in writes:
            try:
                self.target.put(record)
            except ValidationError as error:
                self.rejects.append(Reject.from_error(where, error))
            except ConflictError as error:
                error.add_note(_CONFLICT_NOTE)
                raise
            else:
                done.append(record.id)
        return done

    def _announce(self, kind: str, ids: list[str]) -> None:
        from kk_core.plugins import get_plugins

        try:
            get_plugins().records_written(kind, ids, self.target.url)
        except PluginError as exc:
            self.failures.append(exc)

    def report(self) -> ImportReport:
        return ImportReport(
            self.source,
            written=dict(self.written),
            unchanged=dict(self.unchanged),
            rejects=tuple(self.rejects),
        )

    def finish(self) -> ImportReport:
        """Write the last page and tell the plugins; the report."""
        self.flush()
        report = self.report()
        from kk_core.plugins import get_plugins

        try:
            get_plugins().import_finished(report)
        except PluginError as exc:
            self.failures.append(exc)
        if self.failures:
            raise EventDeliveryError(report, self.failures)
        return report


def _check(target: Any, page_size: Any, progress: Any) -> None:
    problems = []
    if not isinstance(target, Store):
        problems.append(
            Problem(
                "target",
                f"expected a store (open one with kk_core.open_store), got {type(target).__name__}",
            )
        )
    if (
        not isinstance(page_size, int)
        or isinstance(page_size, bool)
        or not 1 <= page_size <= MAX_PAGE_SIZE
    ):
        problems.append(Problem("page_size", f"give a whole number from 1 to {MAX_PAGE_SIZE:,}"))
    if progress is not None and not callable(progress):
        problems.append(Problem("progress", "expected a function or None"))
    if problems:
        raise ValidationError(problems, subject="import")


def import_csv(
    source: str | os.PathLike[str],
    target: Store,
    /,
    *,
    kinds: str | RecordType | Iterable[str | RecordType] | None = None,
    rejects: str | os.PathLike[str] | None = None,
    page_size: int = PAGE_SIZE,
    progress: Callable[[ImportReport], None] | None = None,
    check_references: bool = True,
) -> ImportReport:
    """Import a folder of CSV files in the library's layout into ``target``.

    Every kind (or those in ``kinds``) is read in `RECORD_KINDS` order, so records come
    before those that point at them. What a record points at is checked as the services
    check it (`kk_core.references`): its group, case, members… must be in the target or
    imported before it, else the record is a reject saying so. ``check_references=False``
    leaves that out, for a folder known to hold only part of a whole (a store's dump
    restored kind by kind, as `kk_core.copy_records` copies). Returns an `ImportReport` whose ``source`` is the
    folder; with ``rejects``, the rejects are also written there as a CSV file
    (`write_rejects`). Raises `StorageError` for a folder that cannot be read at all,
    `ConflictError` if another program writes the target's records meanwhile, and
    `EventDeliveryError` (holding the report) when plugins fail to hear of it.
    """
    importer = Importer(
        target,
        str(Path(source)),
        page_size=page_size,
        progress=progress,
        check_references=check_references,
    )
    for item in read_folder(source, _kinds(kinds)):
        if isinstance(item, Reject):
            importer.reject(item)
        else:
            importer.add(item, f"{item.kind} {quote_value(item.id)}")
    try:
        return importer.finish()
    finally:
        if rejects is not None:
            write_rejects(rejects, importer.rejects)


def import_spreadsheet(
    path: str | os.PathLike[str],
    mapping: SpreadsheetMapping | str | os.PathLike[str],
    target: Store,
    /,
    *,
    rejects: str | os.PathLike[str] | None = None,
    pseudonym_key: bytes | None = None,
    page_size: int = PAGE_SIZE,
    progress: Callable[[ImportReport], None] | None = None,
    check_references: bool = True,
) -> ImportReport:
    """Import a partner's sheet (CSV or ``.xlsx``) into ``target`` through a mapping
    (a `SpreadsheetMapping`, or the path of its TOML file; see `kk_adapters.csv.mapping`).

    A mapping or a header that does not fit is a `ValidationError` before anything is
    written; then each row that does not read is kept in the report's rejects (and in
    the ``rejects`` CSV file when given) and the others are written. ``pseudonym_key``
    is the key for a column the mapping pseudonymises (default: the deployment's, from
    the ``kk_pseudonym_key`` hook). What the rows point at (the group, hamlets, members)
    must be in the target, as for `import_csv`. Returns the `ImportReport`; raises as
    `import_csv`.
    """
    if not isinstance(mapping, SpreadsheetMapping):
        mapping = load_mapping(mapping)
    importer = Importer(
        target,
        str(Path(path)),
        page_size=page_size,
        progress=progress,
        check_references=check_references,
    )
    rows = read_rows(path, mapping, pseudonym_key=pseudonym_key)
    try:
        for item, where in rows:
            if isinstance(item, Reject):
                importer.reject(item)
            else:
                importer.add(item, where)
        return importer.finish()
    finally:
        rows.close()  # type: ignore[attr-defined]
        if rejects is not None:
            write_rejects(rejects, importer.rejects)


#: The columns of a rejects file.
REJECT_COLUMNS = ("row", "place", "problem")


def write_rejects(
    path: str | os.PathLike[str], rejects: Iterable[Reject], *, excel: bool = False
) -> None:
    """Write rejects as a CSV file, one line per problem: the row it is about
    (``file:line``), the place (``file:line:column name``) and the problem.

    Messages quote bad values masked and cut short (`kk_core.errors.quote_value`): a
    NIK typed in the wrong column is not copied into the rejects file. A cell that
    would start a formula gets an apostrophe in front. ``excel`` writes ``;`` and a BOM.
    """
    target = Path(path)
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            if excel:
                out.write("\ufeff")
            writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n")
            writer.writerow(REJECT_COLUMNS)
            for reject in rejects:
                for problem in reject.problems:
                    writer.writerow(
                        [
                            neutralise_formula(reject.where),
                            neutralise_formula(problem.path),
                            neutralise_formula(problem.message),
                        ]
                    )
    except OSError as exc:
        raise StorageError(
            f"cannot write the rejects to {quote_value(str(target), limit=160)}: "
            f"{exc.strerror or type(exc).__name__}"
        ) from None
