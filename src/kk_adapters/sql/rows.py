"""Records ↔ rows: the per-record work of the bulk paths, kept to a few C-level calls.

A record becomes its JSON ``data`` (the cattrs unstructure rules of
`kk_core.converter`, without the version), its dimension values (plain fields read
straight from the unstructured dict with one `operator.itemgetter`; derived ones
through `Dimension.read`) and the rows of its child tables. A row becomes a record
through the converter's structure hook for the kind, falling back to the detailed
converter only to explain a failure.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from typing import Any, cast, get_args, get_origin, get_type_hints

import attrs

from kk_adapters.sql.schema import DERIVED, DERIVED_SET_DIMENSIONS, ChildTable, KindTable
from kk_core._text import shorten
from kk_core.converter import converter, structure
from kk_core.dimensions import DIMENSIONS
from kk_core.errors import StorageError, ValidationError, quote_value
from kk_core.kinds import Record, RecordType
from kk_core.store import with_version
from kk_core.values import check_record

__all__ = ["Encoded", "RowCodec", "gc_paused", "with_version"]

#: (data JSON, dimension values in ``RowCodec.dimension_columns`` order, unstructured dict)
Encoded = tuple[str, tuple[Any, ...], dict[str, Any]]

_encode_json = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False
).encode
_decode_json = json.JSONDecoder().decode


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a page of objects is made.

    Building thousands of records or dicts triggers collections that walk every live
    object; pausing for the length of a page roughly halves the cost of a bulk path.
    Nothing made inside is cyclic garbage, so nothing is missed.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _holds_datetimes(cls: type, seen: set[type] | None = None) -> bool:
    """Whether values of ``cls`` can contain datetimes (equal instants may print differently)."""
    seen = set() if seen is None else seen
    if cls in seen:
        return False
    seen.add(cls)
    hints = get_type_hints(cls)
    stack: list[Any] = [hints[f.name] for f in attrs.fields(cls)]
    while stack:
        hint = stack.pop()
        if hint is datetime:
            return True
        if isinstance(hint, type) and attrs.has(hint) and _holds_datetimes(hint, seen):
            return True
        if get_origin(hint) is not None:
            stack.extend(get_args(hint))
    return False


class RowCodec:
    """Turns records of one kind into rows, and stored rows back into records."""

    def __init__(self, kind_table: KindTable) -> None:
        self.kind_table = kind_table
        self.cls: RecordType = kind_table.kind
        self.kind: str = self.cls.kind
        plain = [d for d in kind_table.dimensions if d.attribute is not None]
        derived = [d for d in kind_table.dimensions if d.attribute is None]
        #: Dimension columns in the order `encode` gives their values.
        self.dimension_columns: tuple[str, ...] = tuple(d.name for d in (*plain, *derived))
        #: Every column of the kind's table, in row order: id, version, data, dimensions.
        self.columns: tuple[str, ...] = ("id", "version", "data", *self.dimension_columns)
        attributes = [cast(str, d.attribute) for d in plain]
        if len(attributes) > 1:
            self._plain: Callable[[Mapping[str, Any]], tuple[Any, ...]] = itemgetter(*attributes)
        elif attributes:
            single = attributes[0]
            self._plain = lambda data: (data[single],)
        else:
            self._plain = lambda data: ()
        self._derived = tuple(d.read for d in derived)
        self._derived_dates = any(d.type is date for d in derived)
        self._unstructure = converter.get_unstructure_hook(self.cls)
        self._structure = converter.get_structure_hook(self.cls)
        self.children: tuple[ChildTable, ...] = kind_table.children
        # set dimensions read off the record for its child rows (a case's GBVIMS flags)
        self._derived_sets = tuple(
            d
            for d in DIMENSIONS[self.cls]
            if d.many and (self.kind, d.name) in DERIVED_SET_DIMENSIONS
        )
        #: Whether two content-equal records can have different JSON (aware datetimes).
        self.holds_datetimes = _holds_datetimes(self.cls)

    def encode(self, record: Record) -> Encoded:
        """The row of a record; `ValidationError` for a value no store keeps (NUL, a lone
        surrogate, an over-long id or indexed text: the driver's errors never come out)."""
        if type(record) is not self.cls:
            raise TypeError(f"expected a {self.cls.__name__}, got {type(record).__name__}")
        check_record(record)
        data: dict[str, Any] = self._unstructure(record)
        del data["version"]
        values = self._plain(data)
        if self._derived:
            extra = tuple(read(record) for read in self._derived)
            if self._derived_dates:
                extra = tuple(v.isoformat() if isinstance(v, date) else v for v in extra)
            values = values + extra
        text = _encode_json(data)
        if self._derived_sets:
            data[DERIVED] = {d.name: d.read(record) for d in self._derived_sets}
        return text, values, data

    def child_rows(self, record_id: str, data: Mapping[str, Any]) -> list[list[tuple[Any, ...]]]:
        return [child.rows(record_id, data) for child in self.children]

    def decode(self, text: str, version: int, record_id: str = "?") -> Record:
        # errors are raised outside the ``except`` blocks: nothing chained to them
        failure: str | None = None
        try:
            data = _decode_json(text)
            data["version"] = version
        except (ValueError, TypeError) as exc:
            failure = f"is not valid JSON ({shorten(str(exc))}); the row is damaged"
        if failure is None:
            try:
                return cast(Record, self._structure(data, self.cls))
            except Exception:
                pass
            try:
                return cast(Record, structure(data, self.cls))
            except ValidationError as exc:
                failure = f"no longer reads as a valid record: {exc}"
        raise StorageError(f"stored {self.kind} {quote_value(record_id)} {failure}")

    def decode_page(self, rows: Sequence[Any]) -> tuple[list[Record], StorageError | None]:
        """Records from ``(id, data, version)`` rows, in one tight loop per page.

        A row that does not read back ends the page: the records before it, and the
        error to raise once they have been handed out.
        """
        structure_hook, cls, loads = self._structure, self.cls, _decode_json
        out: list[Record] = []
        append = out.append
        with gc_paused():
            for record_id, text, version in rows:
                try:
                    data = loads(text)
                    data["version"] = version
                    append(structure_hook(data, cls))
                    continue
                except Exception:
                    pass
                # explained outside the ``except`` block, so the error chains nothing
                try:
                    append(self.decode(text, version, record_id))
                except StorageError as exc:
                    return out, exc
        return out, None
