"""The in-memory store (``memory://``): the reference adapter every other one is held to.

``memory://`` opens a fresh, empty store; ``memory://NAME`` opens the store of that
name shared within the process (handy for tests and notebooks). Options:
``read_only=True`` and ``records=[...]`` (initial content, stored at version 1).
"""

from __future__ import annotations

import abc
import operator
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs

from kk_core.dimensions import compile_criteria, count_by, matches
from kk_core.errors import (
    ConflictError,
    NotFoundError,
    Problem,
    ReadOnlyError,
    StorageError,
    ValidationError,
    quote_value,
)
from kk_core.hookspecs import hookimpl
from kk_core.kinds import Record, record_type
from kk_core.registries import StoreRegistry
from kk_core.store import (
    Capabilities,
    Counts,
    flag_option,
    options_from_query,
    planned_write,
    redact_url,
)
from kk_core.values import check_key

__all__ = ["MemoryStore", "MemoryTransaction", "kk_register_stores", "open_memory_store"]

R = TypeVar("R", bound=Record)
_Key = tuple[str, str]

_named: dict[str, MemoryStore] = {}
_by_id = operator.attrgetter("id")
_named_lock = threading.Lock()


class _Reader(abc.ABC):
    """Reads shared by the store and its transactions; ``_lookup`` decides what is visible."""

    @abc.abstractmethod
    def _lookup(self, kind: str, record_id: str) -> Record | None: ...

    @abc.abstractmethod
    def _snapshot(self, kind: str) -> list[Record]:
        """Every visible record of the kind, in no particular order."""

    def get(self, kind: type[R], record_id: str) -> R:
        cls = record_type(kind)
        check_key(cls.kind, record_id)  # refused as on every store
        record = self._lookup(cls.kind, record_id)
        if record is None:
            raise NotFoundError(cls.kind, record_id)
        return record  # type: ignore[return-value]

    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        cls = record_type(kind)
        conditions = compile_criteria(cls, criteria)
        # filter first, then sort only the matches: a filtered find costs O(n + m log m)
        found = [r for r in self._snapshot(cls.kind) if matches(r, conditions)]
        found.sort(key=_by_id)
        return iter(found)  # type: ignore[arg-type]

    def count(self, kind: type[Record], /, by: Sequence[str] = (), **criteria: Any) -> Counts:
        cls = record_type(kind)
        return count_by(self._snapshot(cls.kind), cls, by, compile_criteria(cls, criteria))


class MemoryTransaction(_Reader):
    """Writes kept in an overlay; checked again and applied atomically on commit."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._overlay: dict[_Key, Record | None] = {}
        self._base: dict[_Key, int | None] = {}  # version each written key was read at
        self._done = False

    def _lookup(self, kind: str, record_id: str) -> Record | None:
        key = (kind, record_id)
        if key in self._overlay:
            return self._overlay[key]
        return self._store._lookup(kind, record_id)

    def _snapshot(self, kind: str) -> list[Record]:
        mine = [(record_id, r) for (k, record_id), r in self._overlay.items() if k == kind]
        if not mine:
            return self._store._snapshot(kind)
        merged = {r.id: r for r in self._store._snapshot(kind)}
        for record_id, record in mine:
            if record is None:
                merged.pop(record_id, None)
            else:
                merged[record_id] = record
        return list(merged.values())

    def _check_open(self) -> None:
        if self._done:
            raise StorageError("this transaction has already been committed or rolled back")

    def _check_writable(self) -> None:
        self._check_open()
        if self._store.capabilities.read_only:
            raise ReadOnlyError(f"{self._store.url} is read-only")

    def _remember_base(self, key: _Key) -> None:
        if key not in self._base:
            current = self._store._lookup(*key)
            self._base[key] = None if current is None else current.version

    def put(self, record: R) -> R:
        self._check_writable()
        key = (record.kind, record.id)
        self._remember_base(key)
        planned = planned_write(self._lookup(*key), record)
        if planned is None:
            return self._lookup(*key)  # type: ignore[return-value]
        self._overlay[key] = planned
        return planned

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        """All or nothing, inside the transaction too: a failure undoes the earlier items."""
        overlay, base = dict(self._overlay), dict(self._base)
        try:
            return [self.put(r) for r in records]
        except BaseException:
            self._overlay, self._base = overlay, base
            raise

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        self._check_writable()
        cls = record_type(kind)
        check_key(cls.kind, record_id, version)  # refused as on every store
        key = (cls.kind, record_id)
        self._remember_base(key)
        current = self._lookup(*key)
        if current is None:
            raise NotFoundError(cls.kind, record_id)
        if version is not None and current.version != version:
            raise ConflictError(cls.kind, record_id, version, current.version)
        self._overlay[key] = None  # deleted

    def commit(self) -> None:
        self._check_open()
        if self._overlay:
            self._store._apply(self._overlay, self._base)
        self._done = True

    def rollback(self) -> None:
        self._overlay.clear()
        self._done = True


class MemoryStore(_Reader):
    """Records in dictionaries, one per kind; safe to share between threads."""

    def __init__(
        self,
        url: str = "memory://",
        *,
        read_only: bool = False,
        records: Iterable[Record] = (),
    ) -> None:
        self._url = redact_url(url)
        self._data: dict[str, dict[str, Record]] = {}
        self._lock = threading.RLock()
        self._capabilities = Capabilities(
            read_only=False, transactions=True, aggregate_pushdown=False
        )
        for record in records:
            self._data.setdefault(record.kind, {})[record.id] = attrs.evolve(record, version=1)
        self._capabilities = attrs.evolve(self._capabilities, read_only=read_only)

    def __repr__(self) -> str:
        return f"MemoryStore({self._url!r})"

    @property
    def url(self) -> str:
        return self._url

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    def _lookup(self, kind: str, record_id: str) -> Record | None:
        return self._data.get(kind, {}).get(record_id)

    def _snapshot(self, kind: str) -> list[Record]:
        with self._lock:
            return list(self._data.get(kind, {}).values())

    def _apply(self, overlay: dict[_Key, Record | None], base: dict[_Key, int | None]) -> None:
        with self._lock:
            for key, read_at in base.items():
                current = self._lookup(*key)
                now = None if current is None else current.version
                if now != read_at:
                    raise ConflictError(key[0], key[1], read_at or 0, now)
            for (kind, record_id), record in overlay.items():
                table = self._data.setdefault(kind, {})
                if record is None:
                    table.pop(record_id, None)
                else:
                    table[record_id] = record

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        tx = MemoryTransaction(self)
        try:
            yield tx
        finally:
            if not tx._done:
                tx.rollback()

    def _single(self) -> MemoryTransaction:
        return MemoryTransaction(self)

    def put(self, record: R) -> R:
        with self._lock:
            tx = self._single()
            stored = tx.put(record)
            tx.commit()
            return stored

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        with self._lock:
            tx = self._single()
            stored = tx.put_many(records)
            tx.commit()
            return stored

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        with self._lock:
            tx = self._single()
            tx.delete(kind, record_id, version=version)
            tx.commit()

    def close(self) -> None:
        """Nothing to release; named stores stay available for the process."""


def open_memory_store(url: str, /, **options: Any) -> MemoryStore:
    """Factory for ``memory://`` and ``memory://NAME`` URLs.

    A bad option is a `ValidationError` naming it (``options.colour``,
    ``url.query.read_only``); reopening a named store differently a `StorageError`.
    """
    parts = urlsplit(url)
    name = parts.netloc or parts.path.strip("/")
    query = options_from_query(url)
    problems: list[Problem] = []
    if "read_only" in options:
        read_only = flag_option(
            "read_only", options.pop("read_only"), "options.read_only", problems
        )
    else:
        read_only = flag_option(
            "read_only", query.get("read_only", "false"), "url.query.read_only", problems
        )
    records = options.pop("records", ())
    problems.extend(
        Problem(f"options.{key}", "unknown memory store option (known: read_only, records)")
        for key in sorted(options)
    )
    if problems:
        raise ValidationError(
            problems, subject=f"store URL {quote_value(redact_url(url), limit=120)}"
        )
    if not name:
        return MemoryStore(url, read_only=read_only, records=records)
    with _named_lock:
        store = _named.get(name)
        if store is None:
            store = _named[name] = MemoryStore(url, read_only=read_only, records=records)
        elif records or read_only != store.capabilities.read_only:
            raise StorageError(
                f"memory store {quote_value(redact_url(url), limit=120)} is already open; it cannot be reopened "
                "with other records or another read_only setting"
            )
        return store


@hookimpl
def kk_register_stores(registry: StoreRegistry) -> None:
    registry.add("memory", open_memory_store, description="in-process store (reference adapter)")
