"""The CSV store (``csv:///path/to/folder``): records in spreadsheet files people open.

One file per record kind and one per repeated part (`kk_adapters.csv.schema`), each in
id order. Reads stream every file of a kind at once, one record's rows at a time, so
memory stays flat however many records there are. Writes go through a transaction: its
writes wait in memory, and its commit rewrites each changed kind's files in one pass
(unchanged rows copied as they are) into temporary files that replace the old ones
together (`kk_adapters.csv._folder`): a crash leaves the old files or the new ones, never
a mix.

Optimistic concurrency as on every store: a record carries a version, a stale write is
a `ConflictError`. The commit checks, under the folder's write lock, that every record
it writes still has exactly the rows it had when the transaction read it, so a change
made meanwhile by another program — another store on the same folder, or a person
saving the file from a spreadsheet, even without touching the version — is a conflict,
never silently overwritten.

A row that does not read (a person typed ``wanita2`` for a sex) makes ``find`` raise a
`StorageError` naming ``file:line:column`` and the reason, and ``next()`` goes on with
the next record; ``kk_adapters.csv.imports.import_csv`` reads a whole folder and keeps
such rows in a rejects report instead.
"""

from __future__ import annotations

import abc
import contextlib
import gc
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urlsplit

import attrs

from kk_adapters.csv._codec import KindCodec, RowProblems
from kk_adapters.csv._files import FileError, HeaderError
from kk_adapters.csv._folder import FileFormat, Folder, Staged
from kk_adapters.csv._reading import Duplicate, Group, KindFiles, Orphan
from kk_adapters.csv.schema import schema_of
from kk_core.dimensions import Condition, compile_criteria, count_by, matches
from kk_core.errors import (
    ConflictError,
    NotFoundError,
    Problem,
    ReadOnlyError,
    StorageError,
    ValidationError,
    quote_value,
)
from kk_core.kinds import Record, RecordType, record_type
from kk_core.store import (
    Capabilities,
    Counts,
    flag_option,
    options_from_query,
    planned_write,
    redact_url,
    with_version,
)
from kk_core.values import check_key, check_record

__all__ = ["CsvStore", "CsvTransaction", "kind_codec", "open_csv_store"]

R = TypeVar("R", bound=Record)
_Key = tuple[str, str]
#: A record's rows as read (main cells, then each child table's cells): what the commit
#: compares to tell whether someone changed the record meanwhile.
Fingerprint = tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], ...]]

_CODECS: dict[RecordType, KindCodec] = {}
#: Records read and made at a time (with the garbage collector paused).
PAGE_SIZE = 500


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a page of records is made: with many
    new objects alive it would walk them again and again (DESIGN §5); nothing made here
    is cyclic garbage."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def kind_codec(kind: str | RecordType) -> KindCodec:
    """The row codec of a kind (made once per process)."""
    cls = record_type(kind)
    codec = _CODECS.get(cls)
    if codec is None:
        codec = _CODECS[cls] = KindCodec(schema_of(cls))
    return codec


def _fingerprint(group: Group) -> Fingerprint:
    return tuple(group.cells), tuple(
        tuple(tuple(row[2]) for row in rows) for rows in group.children
    )


@attrs.frozen
class _Unreadable:
    """A stored record whose rows do not read: it can still be overwritten at its version."""

    version: int
    error: StorageError


@attrs.frozen
class _Current:
    record: Record | _Unreadable
    fingerprint: Fingerprint


def _version_cell(codec: KindCodec, cells: Sequence[str]) -> int:
    text = cells[codec.main.index["version"]].strip()
    return int(text) if text.isdigit() and text.isascii() and len(text) < 19 else 1


class _Reads(abc.ABC):
    """get, find and count; ``_records`` decides what is visible."""

    @abc.abstractmethod
    def _store(self) -> CsvStore: ...

    @abc.abstractmethod
    def _records(
        self, cls: RecordType, conditions: tuple[Condition, ...]
    ) -> Iterator[Record | StorageError]: ...

    @abc.abstractmethod
    def _lookup(self, cls: RecordType, record_id: str) -> Record | None: ...

    def get(self, kind: type[R], record_id: str) -> R:
        cls = record_type(kind)
        check_key(cls.kind, record_id)
        record = self._lookup(cls, record_id)
        if record is None:
            raise NotFoundError(cls.kind, record_id)
        return cast(R, record)

    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        cls = record_type(kind)
        conditions = compile_criteria(cls, criteria)
        return cast(Iterator[R], _Found(self._records(cls, conditions)))

    def count(self, kind: type[Record], /, by: Sequence[str] = (), **criteria: Any) -> Counts:
        cls = record_type(kind)
        conditions = compile_criteria(cls, criteria)
        return count_by(_Raising(self._records(cls, conditions)), cls, by)


class _Found(Iterator[Record]):
    """A streamed ``find``: a row that does not read is a `StorageError` from ``next()``,
    and the next call goes on after it."""

    def __init__(self, source: Iterator[Record | StorageError]) -> None:
        self._source = source

    def __iter__(self) -> _Found:
        return self

    def __next__(self) -> Record:
        item = next(self._source)
        if isinstance(item, StorageError):
            raise item
        return item

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None:
            close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def _Raising(source: Iterator[Record | StorageError]) -> Iterator[Record]:
    for item in source:
        if isinstance(item, StorageError):
            raise item
        yield item


def _id_filter(conditions: tuple[Condition, ...]) -> Callable[[str], bool] | None:
    """A test on the raw id for the ``id`` criteria, so rows they exclude are not decoded."""
    tests: list[Callable[[str], bool]] = []
    for cond in conditions:
        if cond.dimension.name == "id":
            tests.append(_id_test(cond))
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda record_id: all(test(record_id) for test in tests)


def _id_test(cond: Condition) -> Callable[[str], bool]:
    value: Any = cond.value
    if cond.op == "eq":
        return lambda record_id: bool(record_id == value)
    return lambda record_id: record_id in value  # a set, or a Between


class CsvTransaction(_Reads):
    """A unit of work: writes wait in an overlay and are written together on commit."""

    def __init__(self, store: CsvStore) -> None:
        self._csv = store
        self._overlay: dict[_Key, Record | None] = {}
        #: The rows of each record written, as they were when first read (None: absent).
        self._base: dict[_Key, _Current | None] = {}
        self._done = False

    def _store(self) -> CsvStore:
        return self._csv

    # -- reads -------------------------------------------------------------------------

    def _lookup(self, cls: RecordType, record_id: str) -> Record | None:
        key = (cls.kind, record_id)
        if key in self._overlay:
            return self._overlay[key]
        return self._csv._lookup(cls, record_id)

    def _records(
        self, cls: RecordType, conditions: tuple[Condition, ...]
    ) -> Iterator[Record | StorageError]:
        mine = sorted(
            (record_id, record)
            for (kind, record_id), record in self._overlay.items()
            if kind == cls.kind
        )
        stored = self._csv._records(cls, conditions)
        if not mine:
            return stored
        return self._merged(stored, mine, conditions)

    def _merged(
        self,
        stored: Iterator[Record | StorageError],
        mine: list[tuple[str, Record | None]],
        conditions: tuple[Condition, ...],
    ) -> Iterator[Record | StorageError]:
        written = dict(mine)
        pending: list[tuple[str, Record]] = [
            (i, r) for i, r in mine if r is not None and matches(r, conditions)
        ]
        at = 0
        for item in stored:
            if isinstance(item, StorageError):
                yield item
                continue
            while at < len(pending) and pending[at][0] < item.id:
                yield pending[at][1]
                at += 1
            if item.id in written:
                continue  # this transaction's own version (or deletion) is shown instead
            yield item
        for _record_id, record in pending[at:]:
            yield record

    # -- writes ------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._done:
            raise StorageError("this transaction has already been committed or rolled back")
        if self._csv.capabilities.read_only:
            raise ReadOnlyError(f"{self._csv.url} is read-only")

    def _remember(self, cls: RecordType, ids: Iterable[str]) -> None:
        """Read the stored rows of records about to be written, once per record."""
        wanted = {i for i in ids if (cls.kind, i) not in self._base}
        if not wanted:
            return
        found = self._csv._current(cls, wanted)
        for record_id in wanted:
            self._base[(cls.kind, record_id)] = found.get(record_id)

    def _visible(self, key: _Key) -> Record | _Unreadable | None:
        if key in self._overlay:
            return self._overlay[key]
        base = self._base.get(key)
        return None if base is None else base.record

    def _plan(self, record: R) -> R:
        key = (record.kind, record.id)
        current = self._visible(key)
        if isinstance(current, _Unreadable):
            # the stored rows do not read: the record can replace them at their version
            check_record(record)
            if record.version != current.version:
                raise ConflictError(record.kind, record.id, record.version, current.version)
            planned: Record = with_version(record, current.version + 1)
        else:
            found = planned_write(current, record)
            if found is None:
                return cast(R, current)
            planned = found
        self._overlay[key] = planned
        return cast(R, planned)

    def put(self, record: R) -> R:
        self._check_writable()
        self._remember(cast(RecordType, type(record)), [record.id])
        return self._plan(record)

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        """All or nothing, inside the transaction too."""
        self._check_writable()
        batch = list(records)
        by_kind: dict[RecordType, list[str]] = {}
        for record in batch:
            by_kind.setdefault(type(record), []).append(record.id)
        overlay = dict(self._overlay)
        try:
            for cls, ids in by_kind.items():
                self._remember(cls, ids)
            return [self._plan(r) for r in batch]
        except BaseException:
            self._overlay = overlay
            raise

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        self._check_writable()
        cls = record_type(kind)
        check_key(cls.kind, record_id, version)
        self._remember(cls, [record_id])
        key = (cls.kind, record_id)
        current = self._visible(key)
        if current is None:
            raise NotFoundError(cls.kind, record_id)
        if version is not None and current.version != version:
            raise ConflictError(cls.kind, record_id, version, current.version)
        self._overlay[key] = None

    def commit(self) -> None:
        if self._done:
            raise StorageError("this transaction has already been committed or rolled back")
        if self._overlay:
            self._check_writable()
            self._csv._write(self._overlay, self._base)
        self._done = True

    def rollback(self) -> None:
        self._overlay.clear()
        self._done = True


class CsvStore(_Reads):
    """Records in CSV files in one folder; see the module."""

    def __init__(
        self,
        root: Path,
        *,
        url: str = "",
        read_only: bool = False,
        durable: bool = True,
        lock_timeout: float = 10.0,
        file_format: FileFormat = FileFormat(),  # noqa: B008 - frozen, shared
    ) -> None:
        self.root = root
        self._url = redact_url(url or f"csv://{root.as_posix()}")
        self._capabilities = Capabilities(
            read_only=read_only, transactions=True, aggregate_pushdown=False
        )
        self.folder = Folder(
            root,
            writable=not read_only,
            durable=durable,
            lock_timeout=lock_timeout,
            file_format=file_format,
        )
        if not read_only:
            self.folder.check_journal()

    def __repr__(self) -> str:
        return f"CsvStore({self._url!r})"

    @property
    def url(self) -> str:
        return self._url

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    @property
    def file_format(self) -> FileFormat:
        return self.folder.format

    def _store(self) -> CsvStore:
        return self

    def _shown(self) -> str:
        return quote_value(str(self.root), limit=160)

    # -- reading -----------------------------------------------------------------------

    def _open(self, cls: RecordType) -> KindFiles:
        try:
            return KindFiles(self.folder, kind_codec(cls))
        except HeaderError as exc:
            raise StorageError(self._damaged(cls.kind, exc.problems)) from None
        except FileError as exc:
            raise StorageError(f"{self._shown()}: {exc}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {self._shown()}: {exc.strerror or exc}") from None

    def _damaged(self, what: str, problems: Sequence[Problem]) -> str:
        lines = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50:,} more" if len(problems) > 50 else ""
        return f"{what} in {self._shown()} does not read:\n{lines}{more}"

    def _entries(self, cls: RecordType) -> Generator[tuple[KindFiles, Any], None, None]:
        files = self._open(cls)
        try:
            for entry in files.entries():
                yield files, entry
        except FileError as exc:
            raise StorageError(f"{self._shown()}: {exc}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {self._shown()}: {exc.strerror or exc}") from None
        finally:
            files.close()

    def _decode(self, files: KindFiles, group: Group) -> Record | StorageError:
        codec = files.codec
        try:
            record = files.record(group)
        except RowProblems as error:
            problems = files.problems(group, error) + files.overflows(group)
            return StorageError(self._damaged(f"{codec.kind} {quote_value(group.id)}", problems))
        overflow = files.overflows(group)
        if overflow:
            return StorageError(self._damaged(f"{codec.kind} {quote_value(group.id)}", overflow))
        if record.version < 1:  # a row added by hand: stored, so at least version 1
            record = with_version(record, 1)
        return record

    def _stray(self, files: KindFiles, entry: Duplicate | Orphan) -> StorageError:
        _where, problems = files.entry_problems(entry)
        return StorageError(self._damaged(f"a {files.codec.kind} row", problems))

    def _records(
        self, cls: RecordType, conditions: tuple[Condition, ...]
    ) -> Iterator[Record | StorageError]:
        """The records (and the rows that do not read, as errors) in id order, made a page
        at a time with the garbage collector paused (see `gc_paused`): each row becomes
        its record as soon as it is read, while its cells are still in the CPU's cache,
        and a page is handed out once made, never with the collector paused."""
        wanted = _id_filter(conditions)
        entries = self._entries(cls)
        decode, stray = self._decode, self._stray
        done = False
        try:
            while not done:
                page: list[Record | StorageError] = []
                with gc_paused():
                    for files, entry in entries:
                        if isinstance(entry, Group):
                            if wanted is None or wanted(entry.id):
                                page.append(decode(files, entry))
                                if len(page) >= PAGE_SIZE:
                                    break
                        elif wanted is None or wanted(
                            entry.id if isinstance(entry, Duplicate) else entry.owner
                        ):
                            page.append(stray(files, entry))
                            break  # what came before a stray row is handed out at once
                    else:
                        done = True
                if conditions:
                    page = [
                        r for r in page if isinstance(r, StorageError) or matches(r, conditions)
                    ]
                yield from page
        finally:
            entries.close()

    def _lookup(self, cls: RecordType, record_id: str) -> Record | None:
        current = self._current(cls, {record_id}).get(record_id)
        if current is None:
            return None
        if isinstance(current.record, _Unreadable):
            raise current.record.error
        return current.record

    def _current(self, cls: RecordType, ids: set[str]) -> dict[str, _Current]:
        """The stored rows of the records with these ids (one pass over the files)."""
        found: dict[str, _Current] = {}
        for files, entry in self._entries(cls):
            if isinstance(entry, Group):
                if entry.id not in ids:
                    continue
                decoded = self._decode(files, entry)
                record: Record | _Unreadable = (
                    _Unreadable(_version_cell(files.codec, entry.cells), decoded)
                    if isinstance(decoded, StorageError)
                    else decoded
                )
                found[entry.id] = _Current(record, _fingerprint(entry))
            elif isinstance(entry, Duplicate) and entry.id in ids:
                raise self._stray(files, entry)
        return found

    # -- writing -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[CsvTransaction]:
        tx = CsvTransaction(self)
        try:
            yield tx
        finally:
            if not tx._done:
                tx.rollback()

    def _single(self, work: Callable[[CsvTransaction], Any]) -> Any:
        if self._capabilities.read_only:
            raise ReadOnlyError(f"{self._url} is read-only")
        with self.folder.exclusive():
            tx = CsvTransaction(self)
            result = work(tx)
            tx.commit()
            return result

    def put(self, record: R) -> R:
        return cast(R, self._single(lambda tx: tx.put(record)))

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        return cast(list[Record], self._single(lambda tx: tx.put_many(records)))

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        self._single(lambda tx: tx.delete(kind, record_id, version=version))

    def close(self) -> None:
        """Nothing stays open between calls."""

    def _write(self, overlay: dict[_Key, Record | None], base: dict[_Key, _Current | None]) -> None:
        """Commit: rewrite each changed kind, then move every file in at once."""
        by_kind: dict[str, dict[str, Record | None]] = {}
        for (kind, record_id), record in overlay.items():
            by_kind.setdefault(kind, {})[record_id] = record
        with self.folder.exclusive():
            self.folder.recover()  # an earlier writer's interrupted commit, stray files
            staged: list[Staged] = []
            try:
                for kind, changes in by_kind.items():
                    self._rewrite(record_type(kind), changes, base, staged)
                for item in staged:
                    self.folder.finish(item)
                self.folder.replace(staged)
            except OSError as exc:
                self.folder.discard(staged)
                self._finish_or_explain(exc)
            except BaseException:
                self.folder.discard(staged)
                raise

    def _finish_or_explain(self, exc: OSError) -> None:
        """A write failed: if its journal is in place, the commit is finishing (try now)."""
        reason = exc.strerror or type(exc).__name__
        try:
            self.folder.check_journal()
        except StorageError:
            raise StorageError(
                f"the write to {self._shown()} was interrupted ({reason}); it is kept in "
                "the folder's journal and finished the next time the folder is opened for "
                "writing"
            ) from None
        raise StorageError(f"cannot write to {self._shown()}: {reason}") from None

    def _rewrite(
        self,
        cls: RecordType,
        changes: dict[str, Record | None],
        base: dict[_Key, _Current | None],
        staged: list[Staged],
    ) -> None:
        codec = kind_codec(cls)
        kind = cls.kind
        writers = []
        for table in codec.tables:
            item = self.folder.stage(table.table.file_name)
            staged.append(item)
            item.writer.writerow(table.table.header)
            writers.append(item.writer.writerow)
        main_write = writers[0]
        child_writes = writers[1:]
        new_ids = sorted(changes)
        at = 0

        def emit_new(before: str | None) -> None:
            nonlocal at
            while at < len(new_ids) and (before is None or new_ids[at] < before):
                record_id = new_ids[at]
                at += 1
                expected = base.get((kind, record_id))
                if expected is not None:  # it was stored when read, and is gone now
                    raise ConflictError(kind, record_id, expected.record.version, None)
                record = changes[record_id]
                if record is not None:
                    emit(record)

        def emit(record: Record) -> None:
            main, children = codec.rows(record)
            main_write(main)
            for write, rows in zip(child_writes, children, strict=True):
                for row in rows:
                    write(row)

        for files, entry in self._entries(cls):
            if isinstance(entry, Orphan):
                emit_new(entry.owner)
                child_writes[entry.table - 1](entry.cells)
                continue
            emit_new(entry.id)
            if isinstance(entry, Duplicate):
                if entry.id in changes:
                    raise self._stray(files, entry)
                main_write(entry.cells)
                continue
            if entry.id in changes and at < len(new_ids) and new_ids[at] == entry.id:
                at += 1
                expected = base.get((kind, entry.id))
                if expected is None or expected.fingerprint != _fingerprint(entry):
                    error = ConflictError(
                        kind,
                        entry.id,
                        0 if expected is None else expected.record.version,
                        _version_cell(codec, entry.cells),
                        edited=expected is not None,
                    )
                    if expected is not None:
                        error.add_note(
                            "Its rows in the files changed after this transaction read them "
                            "(another program, or someone editing the file, wrote it)."
                        )
                    raise error
                record = changes[entry.id]
                if record is not None:
                    emit(record)
                continue
            main_write(entry.cells)
            for write, rows in zip(child_writes, entry.children, strict=True):
                for row in rows:
                    write(row[2])
        emit_new(None)


_OPTIONS = ("read_only", "excel", "durable", "lock_timeout", "create")


def _path_of(url: str, problems: list[Problem]) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "csv":
        problems.append(Problem("url.scheme", "a CSV store URL starts with 'csv:'"))
        return None
    if parts.hostname not in (None, "", "localhost") or parts.port is not None:
        problems.append(
            Problem("url.host", "names a local folder: csv:///absolute/path or csv:relative/path")
        )
        return None
    path = unquote(parts.path)
    if not path:
        problems.append(Problem("url.path", "names a folder, e.g. 'csv:///srv/kk/data'"))
        return None
    if len(path) > 3 and path[0] == "/" and path[2] == ":" and path[1].isalpha():
        path = path[1:]  # csv:///C:/data on Windows
    return Path(path)


def open_csv_store(url: str, /, **options: Any) -> CsvStore:
    """Factory for ``csv:///absolute/folder`` and ``csv:relative/folder``.

    Options (keywords, or in the URL's query: ``csv:///srv/kk?excel=yes``):

    * ``read_only`` (default no): refuse every write; the folder must exist.
    * ``excel`` (default no): write the Excel-friendly format, ``;`` and a UTF-8 BOM
      (files are read whichever format they have).
    * ``durable`` (default yes): ``fsync`` every file written and the folder; turn off
      for scratch data and tests only.
    * ``lock_timeout`` (seconds, default 10): how long a writer waits for another.
    * ``create`` (default yes): make the folder when it does not exist (a writable
      store only).

    A bad URL or option is a `ValidationError` naming it; a folder that cannot be used
    a `StorageError`.
    """
    problems: list[Problem] = []
    root = _path_of(url, problems)
    query = options_from_query(url)

    def flag(name: str, default: str) -> bool:
        if name in options:
            return flag_option(name, options.pop(name), f"options.{name}", problems)
        return flag_option(name, query.get(name, default), f"url.query.{name}", problems)

    read_only = flag("read_only", "no")
    excel = flag("excel", "no")
    durable = flag("durable", "yes")
    create = flag("create", "yes")
    timeout_source = (
        "options.lock_timeout" if "lock_timeout" in options else "url.query.lock_timeout"
    )
    timeout_value = options.pop("lock_timeout", query.get("lock_timeout", 10.0))
    lock_timeout = 10.0
    try:
        lock_timeout = float(timeout_value)
        if not 0 <= lock_timeout <= 86_400:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(
            Problem(
                timeout_source,
                f"{quote_value(timeout_value)} is not a number of seconds (0 to 86400)",
            )
        )
    problems.extend(
        Problem(f"options.{name}", f"unknown CSV store option (known: {', '.join(_OPTIONS)})")
        for name in sorted(options)
    )
    unknown_query = sorted(set(query) - set(_OPTIONS))
    problems.extend(
        Problem(f"url.query.{name}", f"unknown CSV store option (known: {', '.join(_OPTIONS)})")
        for name in unknown_query
    )
    if problems or root is None:
        raise ValidationError(
            problems, subject=f"store URL {quote_value(redact_url(url), limit=120)}"
        )
    shown = quote_value(str(root), limit=160)
    try:
        if not root.is_dir():
            if read_only or not create:
                raise StorageError(f"{shown} is not a folder")
            root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot open {shown}: {exc.strerror or exc}") from None
    return CsvStore(
        root,
        url=url,
        read_only=read_only,
        durable=durable,
        lock_timeout=lock_timeout,
        file_format=FileFormat.excel() if excel else FileFormat(),
    )
