"""Flat rows for notebooks — pandas, Arrow, Parquet — without leaks.

A row holds the kind's dimensions (the values every count uses: codes, dates, ids of
places and records), each coded one with its label in Indonesian and in English. What
identifies a person is left out unless the caller names it: initials, pseudonyms, birth
year and month, free text (summaries, notes, reasons, names). ``include`` names such
fields by their path in the record (``"subject.initials"``, ``"summary"``).

A table of people — cases and their referrals, members, businesses (their owners) and
the support they got, residents' questions — is a **person-level export**: it needs ``person_level=True`` and announces
itself through the ``kk_person_level_exported`` hook before the first row is read, so
a host can audit it.

Rows stream from the store a page at a time into the DataFrame (`to_dataframe`) or
record batches (`to_arrow`, `write_parquet`): records are never all held, and never
held twice. pandas (extra ``analysis``) and pyarrow (extra ``arrow``) are optional.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from kk_core.analysis.labels import value_label
from kk_core.converter import unstructure
from kk_core.dimensions import DIMENSIONS, compile_criteria, dimension_codes, matches
from kk_core.errors import KKError, Problem, ValidationError
from kk_core.kinds import RecordType, record_type
from kk_core.places import Hamlet

__all__ = [
    "PERSON_KINDS",
    "columns_of",
    "iter_rows",
    "to_arrow",
    "to_dataframe",
    "write_parquet",
]

#: Kinds whose records are about one person each: exporting their rows is person-level.
PERSON_KINDS = frozenset(
    {"case", "referral", "member", "business", "support_action", "resident_question"}
)

#: Rows per chunk handed to pandas or Arrow.
CHUNK = 10_000


def _labelled(kind: RecordType) -> list[str]:
    """Dimensions that get label columns: coded ones, hamlets and villages."""
    return [
        d.name
        for d in DIMENSIONS[kind]
        if dimension_codes(d) is not None or d.name in ("hamlet_id", "village_id")
    ]


def columns_of(kind: RecordType | str, include: Sequence[str] = ()) -> list[str]:
    """The columns of the rows of ``kind``: each dimension (a coded one followed by
    ``<name>_label_id`` and ``<name>_label_en``), then the ``include``d fields."""
    cls = record_type(kind)
    labelled = set(_labelled(cls))
    columns: list[str] = []
    for dim in DIMENSIONS[cls]:
        columns.append(dim.name)
        if dim.name in labelled:
            columns += [f"{dim.name}_label_id", f"{dim.name}_label_en"]
    return columns + list(include)


def _field(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    if isinstance(data, list):
        return ";".join(str(v) for v in data)
    return data


def _check_include(cls: RecordType, include: Sequence[str]) -> None:
    import attrs

    problems = []
    for path in include:
        target: Any = cls
        for part in path.split("."):
            fields = attrs.fields_dict(target) if attrs.has(target) else {}
            if part not in fields:
                problems.append(Problem(f"include.{path}", f"{cls.kind} has no field {path!r}"))
                break
            attrs.resolve_types(target)
            hint = fields[part].type
            args = [a for a in getattr(hint, "__args__", ()) if a is not type(None)]
            target = args[0] if args and attrs.has(args[0]) else hint
    if problems:
        raise ValidationError(problems, subject=f"{cls.kind} export")


def iter_rows(
    source: Any,
    kind: RecordType | str,
    *,
    include: Sequence[str] = (),
    person_level: bool = False,
    purpose: str = "",
    plugins: Any = None,
    **criteria: Any,
) -> Iterator[tuple[Any, ...]]:
    """Rows (tuples in `columns_of` order) of the records of ``kind`` matching the
    criteria, streamed from a store or an iterable of records. See the module docstring
    for what a person-level export needs."""
    cls = record_type(kind)
    conditions = compile_criteria(cls, criteria)
    _check_include(cls, include)
    if cls.kind in PERSON_KINDS and not person_level:
        raise ValidationError(
            [
                Problem(
                    "person_level",
                    f"each {cls.kind} is about a person: pass person_level=True (the export "
                    "is announced to the kk_person_level_exported hook)",
                )
            ],
            subject=f"{cls.kind} export",
        )
    store = hasattr(source, "find") and hasattr(source, "capabilities")
    if cls.kind in PERSON_KINDS:
        from kk_core.plugins import get_plugins

        (plugins or get_plugins()).person_level_exported(
            cls.kind,
            columns_of(cls, include),
            ", ".join(f"{k}={v!r}" for k, v in criteria.items()),
            source.url if store else "records",
            purpose,
        )
    hamlets: dict[str, str] = {}
    if store and any(d.name == "hamlet_id" for d in DIMENSIONS[cls]):
        hamlets = {h.id: h.name for h in source.find(Hamlet)}
    dims = DIMENSIONS[cls]
    labelled = set(_labelled(cls))
    records: Iterable[Any] = (
        source.find(cls, **criteria)
        if store
        else (r for r in source if type(r) is cls and matches(r, conditions))
    )
    for record in records:
        row: list[Any] = []
        for dim in dims:
            value = dim.read(record)
            if dim.many:
                ordered = sorted(value)
                row.append(";".join(ordered) if ordered else None)
                if dim.name in labelled:
                    row += [
                        "; ".join(value_label(dim, v, lang) for v in ordered) or None
                        for lang in ("id", "en")
                    ]
                continue
            row.append(value)
            if dim.name in labelled:
                names = hamlets if dim.name == "hamlet_id" else None
                row += [
                    None if value is None else value_label(dim, value, lang, names=names)
                    for lang in ("id", "en")
                ]
        if include:
            data = unstructure(record)
            row += [_field(data, path) for path in include]
        yield tuple(row)


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pandas() -> Any:
    try:
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise KKError(
            "to_dataframe needs pandas: pip install 'kelompok-konstituen[analysis]'"
        ) from None
    return pd


def to_dataframe(
    source: Any,
    kind: RecordType | str,
    *,
    include: Sequence[str] = (),
    person_level: bool = False,
    purpose: str = "",
    plugins: Any = None,
    **criteria: Any,
) -> Any:
    """A pandas DataFrame of the rows (`iter_rows`), built a chunk at a time: coded
    dimensions are categoricals in code-list order, dates are datetimes, whole numbers
    and booleans nullable."""
    pd = _pandas()
    cls = record_type(kind)
    columns = columns_of(cls, include)
    rows = iter_rows(
        source,
        cls,
        include=include,
        person_level=person_level,
        purpose=purpose,
        plugins=plugins,
        **criteria,
    )
    frames = [pd.DataFrame.from_records(chunk, columns=columns) for chunk in _chunks(rows, CHUNK)]
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    )
    for dim in DIMENSIONS[cls]:
        codes = dimension_codes(dim)
        if dim.many:
            continue
        if codes is not None:
            listed = list(codes.codes)
            extra = sorted(set(frame[dim.name].dropna()) - set(listed))
            frame[dim.name] = pd.Categorical(frame[dim.name], categories=listed + extra)
        elif dim.type is date:
            frame[dim.name] = pd.to_datetime(frame[dim.name])
        elif dim.type is bool:
            frame[dim.name] = frame[dim.name].astype("boolean")
        elif dim.type is int:
            frame[dim.name] = frame[dim.name].astype("Int64")
    return frame


def _arrow() -> Any:
    try:
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise KKError(
            "Arrow and Parquet output need pyarrow: pip install 'kelompok-konstituen[arrow]'"
        ) from None
    return pa


def _batches(
    source: Any, kind: RecordType | str, include: Sequence[str], **options: Any
) -> tuple[Any, Iterator[Any]]:
    pa = _arrow()
    cls = record_type(kind)
    columns = columns_of(cls, include)
    types: dict[str, Any] = {}
    for dim in DIMENSIONS[cls]:
        t = (
            pa.string()
            if dim.many
            else {
                str: pa.string(),
                int: pa.int64(),
                bool: pa.bool_(),
                date: pa.date32(),
            }[dim.type]
        )
        types[dim.name] = t
    schema = pa.schema([(c, types.get(c, pa.string())) for c in columns])
    rows = iter_rows(source, cls, include=include, **options)

    def batches() -> Iterator[Any]:
        for chunk in _chunks(rows, CHUNK):
            arrays = [
                pa.array(
                    [None if v is None else (v if c in types else str(v)) for v in col],
                    type=schema.field(c).type,
                )
                for c, col in zip(columns, zip(*chunk, strict=True), strict=True)
            ]
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)

    return schema, batches()


def to_arrow(
    source: Any, kind: RecordType | str, *, include: Sequence[str] = (), **options: Any
) -> Any:
    """A ``pyarrow.Table`` of the rows (extra ``arrow``); options as `iter_rows`."""
    pa = _arrow()
    schema, batches = _batches(source, kind, include, **options)
    return pa.Table.from_batches(list(batches), schema=schema)


def write_parquet(
    path: str | Path,
    source: Any,
    kind: RecordType | str,
    *,
    include: Sequence[str] = (),
    **options: Any,
) -> int:
    """Write the rows to a Parquet file a batch at a time (extra ``arrow``); returns
    how many rows were written."""
    _arrow()
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    schema, batches = _batches(source, kind, include, **options)
    written = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
            written += batch.num_rows
    return written
