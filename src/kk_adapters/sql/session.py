"""What a store does on one database connection: reads through SQLAlchemy Core, writes
through the same connection's DBAPI cursor.

Reads (``get``, ``find``, ``count``) are SQLAlchemy Core statements built from the
schema. ``find`` reads by pages of `PAGE` rows in id order, each page its own short
statement (keyset pagination: ``WHERE … AND id > :last ORDER BY id LIMIT PAGE``), so no
cursor and no connection is held between pages (see `Finder`); each page of rows
becomes records in one tight loop.

Writes follow `kk_core.store.planned_write`, in bulk:

* the fast path — every record new (version 0), no id twice: one ``executemany``
  (SQLite) or ``COPY`` (PostgreSQL) per table, inside a savepoint; a duplicate key
  rolls back to the savepoint and the batch takes the general path;
* the general path — read the stored versions of the batch's ids (``FOR UPDATE`` on
  PostgreSQL; SQLite writers hold the write lock), plan every record (insert, update,
  no-op or `ConflictError` before anything is written), then ``INSERT`` the new ones
  and ``UPDATE … WHERE id = ? AND version = ?`` the others, checking the row count.

Child tables are rewritten with their records.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from kk_adapters.sql.rows import Encoded, RowCodec, gc_paused, with_version
from kk_adapters.sql.schema import ChildTable, KindTable, Schema, SetColumn
from kk_core.analysis.measures import (
    Days,
    DaysSummary,
    Distinct,
    Sum,
    check_measures,
    interpolate,
    ranks,
)
from kk_core.dimensions import Condition, compile_criteria, counting_by
from kk_core.errors import ConflictError, NotFoundError, Problem, ValidationError
from kk_core.kinds import Record, RecordType, record_type
from kk_core.store import Counts, same_content
from kk_core.values import check_key, check_record

__all__ = ["PAGE", "Finder", "KindOps", "Session", "SessionFactory"]

#: Records converted, and rows sent, per round of a bulk write.
CHUNK = 5000
#: Rows per page of a streamed find.
PAGE = 1000
#: Ids per ``IN (…)`` list on SQLite.
_IN_BATCH = 500

_savepoints = itertools.count(1)


class KindOps:
    """One kind's codec and raw SQL for one dialect (built once per store)."""

    def __init__(self, kind_table: KindTable, dialect: sa.Dialect) -> None:
        self.kind_table = kind_table
        self.table = kind_table.table
        self.codec = RowCodec(kind_table)
        self.kind = self.codec.kind
        self.postgres = dialect.name == "postgresql"
        quote = dialect.identifier_preparer.quote
        p = "%s" if self.postgres else "?"
        self._p = p
        self._quote = quote
        name = quote(self.table.name)
        self.qtable = name
        cols = [quote(c) for c in self.codec.columns]
        values = ", ".join([p] * len(cols))
        self.insert = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({values})"
        self.insert_new = f"{self.insert} ON CONFLICT ({quote('id')}) DO NOTHING"
        sets = ", ".join(f"{c} = {p}" for c in cols[1:])
        self.update = f"UPDATE {name} SET {sets} WHERE {quote('id')} = {p} AND version = {p}"
        self.delete = f"DELETE FROM {name} WHERE {quote('id')} = {p}"
        self.delete_at = f"{self.delete} AND version = {p}"
        self.copy = f"COPY {name} ({', '.join(cols)}) FROM STDIN"
        self.pk_names = (f"{self.table.name}_pkey", f"{self.table.name}.id")
        self.children = [_ChildOps(child, quote, p, self.postgres) for child in kind_table.children]

    def probe_sql(self, count: int, *, lock: bool) -> str:
        if self.postgres:
            tail = " FOR UPDATE" if lock else ""
            return f"SELECT id, version, data FROM {self.qtable} WHERE id = ANY(%s){tail}"
        marks = ", ".join([self._p] * count)
        return f"SELECT id, version, data FROM {self.qtable} WHERE id IN ({marks})"


class _ChildOps:
    def __init__(self, child: ChildTable, quote: Any, p: str, postgres: bool) -> None:
        self.child = child
        name = quote(child.table.name)
        cols = [quote(c) for c in child.columns]
        self.insert = (
            f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join([p] * len(cols))})"
        )
        self.copy = f"COPY {name} ({', '.join(cols)}) FROM STDIN"
        parent = quote(child.parent)
        self._delete_head = f"DELETE FROM {name} WHERE {parent}"
        self._p = p
        self.postgres = postgres

    def delete_sql(self, count: int) -> str:
        if self.postgres:
            return f"{self._delete_head} = ANY(%s)"
        return f"{self._delete_head} IN ({', '.join([self._p] * count)})"


_OPS: dict[tuple[int, str], dict[str, KindOps]] = {}


class SessionFactory:
    """Per-store state shared by its sessions: the schema and each kind's operations."""

    def __init__(self, schema: Schema, dialect: sa.Dialect) -> None:
        self.schema = schema
        self.dialect = dialect
        self.postgres = dialect.name == "postgresql"
        key = (id(schema), dialect.name)
        kinds = _OPS.get(key)
        if kinds is None:
            kinds = _OPS[key] = {k: KindOps(t, dialect) for k, t in schema.kinds.items()}
        self.kinds = kinds
        dbapi = dialect.loaded_dbapi
        self.integrity_error: type[BaseException] = dbapi.IntegrityError

    def ops(self, kind: type[Record] | str) -> KindOps:
        return self.kinds[record_type(kind).kind]


class Session:
    """Store operations on one SQLAlchemy connection (inside whatever transaction it has)."""

    def __init__(self, factory: SessionFactory, conn: sa.Connection) -> None:
        self.factory = factory
        self.conn = conn
        self.postgres = factory.postgres
        #: The transaction could not be brought back to a savepoint after an error: it
        #: was rolled back by the database, or is unusable; end it.
        self.broken = False

    @cached_property
    def _raw(self) -> Any:
        return self.conn.connection.dbapi_connection

    def _cursor(self) -> Any:
        return self._raw.cursor()

    # -- reads ---------------------------------------------------------------------------

    def get(self, kind: type[Record], record_id: str) -> Record:
        ops = self.factory.ops(kind)
        check_key(ops.kind, record_id)  # no driver error for an id no record can have
        table = ops.table
        row = self.conn.execute(
            sa.select(table.c.data, table.c.version).where(table.c.id == record_id)
        ).first()
        if row is None:
            raise NotFoundError(ops.kind, record_id)
        return ops.codec.decode(row[0], row[1], record_id)

    def find_page(self, finder: Finder, after: str | None) -> list[Any]:
        """One page of a find: up to `PAGE` ``(id, data, version)`` rows after ``after``."""
        return finder.page(self.conn, after)

    def count(self, kind: RecordType, by: Sequence[str], criteria: Mapping[str, Any]) -> Counts:
        ops = self.factory.ops(kind)
        cls = ops.codec.cls
        names = counting_by(cls, by)
        conditions = compile_criteria(cls, criteria)
        table = ops.table
        where = _where(ops.kind_table, conditions)
        total = sa.func.count()
        if not names:
            n = self.conn.execute(sa.select(total).select_from(table).where(*where)).scalar_one()
            return {(): int(n)}  # a total, even of nothing (as `count_by` gives)
        # a set dimension joins its child table: a record counts once under each value,
        # under NULL (None) when it has none
        source: sa.FromClause = table
        columns: list[sa.ColumnElement[Any]] = []
        for name in names:
            place = ops.kind_table.sets.get(name)
            if place is None:
                columns.append(table.c[name])
                continue
            values = place.distinct_values(f"set_{name}")
            source = source.outerjoin(values, values.c[place.parent] == table.c.id)
            columns.append(values.c[place.column])
        stmt = sa.select(*columns, total).select_from(source).where(*where).group_by(*columns)
        return {tuple(row[:-1]): int(row[-1]) for row in self.conn.execute(stmt)}

    def aggregate(
        self,
        kind: RecordType,
        by: Sequence[str],
        measures: Sequence[Any],
        criteria: Mapping[str, Any],
    ) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """`kk_core.analysis.measures.aggregate_records`, in one ``GROUP BY`` (and, for
        quantiles of days on SQLite, a window query reading two rows per group)."""
        ops = self.factory.ops(kind)
        cls = ops.codec.cls
        names = counting_by(cls, by)
        measures = check_measures(cls, measures)
        conditions = compile_criteria(cls, criteria)
        table = ops.table
        where = _where(ops.kind_table, conditions)
        source, groups = self._grouping(ops, names)
        columns: list[sa.ColumnElement[Any]] = [sa.func.count().label("n")]
        days: list[tuple[int, Days]] = []
        for i, m in enumerate(measures):
            if isinstance(m, Distinct):
                columns.append(sa.func.count(sa.distinct(table.c[m.dimension])))
            elif isinstance(m, Sum):
                columns.append(sa.func.coalesce(sa.func.sum(table.c[m.dimension]), 0))
            elif isinstance(m, Days):
                days.append((i, m))
                span = self._span(table, m)
                columns.append(sa.func.count(span))
                if self.postgres:
                    columns += [
                        sa.func.percentile_cont(sa.literal(float(q), sa.Float)).within_group(span)
                        for q in m.quantiles
                    ]
            else:
                columns.append(sa.func.count())
        stmt = sa.select(*groups, *columns).select_from(source).where(*where)
        if groups:
            stmt = stmt.group_by(*groups)
        width = len(groups)
        found: dict[tuple[Any, ...], list[Any]] = {}
        for row in self.conn.execute(stmt):
            key = tuple(row[:width])
            values = list(row[width + 1 :])
            out: list[Any] = []
            at = 0
            for m in measures:
                if isinstance(m, Days):
                    n = int(values[at])
                    if self.postgres:
                        got = values[at + 1 : at + 1 + len(m.quantiles)]
                        out.append(DaysSummary(n, tuple(float(v) for v in got) if n else ()))
                        at += 1 + len(m.quantiles)
                    else:
                        out.append(DaysSummary(n))
                        at += 1
                else:
                    out.append(int(values[at]))
                    at += 1
            found[key] = out
        if not self.postgres:
            for i, m in days:
                for key, values in self._spans_at(ops, source, groups, where, m).items():
                    n = found[key][i].n
                    found[key][i] = DaysSummary(
                        n,
                        tuple(
                            interpolate(q, n, first, second)
                            for q, (first, second) in zip(m.quantiles, values, strict=True)
                        ),
                    )
        if not names and not found:
            found[()] = [DaysSummary(0) if isinstance(m, Days) else 0 for m in measures]
        return {key: tuple(values) for key, values in found.items()}

    def _grouping(
        self, ops: KindOps, names: Sequence[str]
    ) -> tuple[sa.FromClause, list[sa.ColumnElement[Any]]]:
        """The FROM clause and the grouping columns of ``names`` (a set dimension joins
        its values: a record is counted under each)."""
        table = ops.table
        source: sa.FromClause = table
        columns: list[sa.ColumnElement[Any]] = []
        for name in names:
            place = ops.kind_table.sets.get(name)
            if place is None:
                columns.append(table.c[name])
                continue
            values = place.distinct_values(f"set_{name}")
            source = source.outerjoin(values, values.c[place.parent] == table.c.id)
            columns.append(values.c[place.column])
        return source, columns

    def _span(self, table: sa.Table, m: Any) -> sa.ColumnElement[Any]:
        """Whole days from ``m.start`` to ``m.end`` (NULL when either is missing)."""
        start, end = table.c[m.start], table.c[m.end]
        if self.postgres:
            span: sa.ColumnElement[Any] = end - start
            return span
        return sa.cast(sa.func.julianday(end) - sa.func.julianday(start), sa.Integer)

    def _spans_at(
        self,
        ops: KindOps,
        source: sa.FromClause,
        groups: list[sa.ColumnElement[Any]],
        where: list[sa.ColumnElement[bool]],
        m: Any,
    ) -> dict[tuple[Any, ...], list[tuple[int, int]]]:
        """SQLite (no ``percentile_cont``): per group, the two ranked spans around each
        quantile's position, by a window query; interpolated as the reference does."""
        span = self._span(ops.table, m).label("span")
        keys = [c.label(f"g{i}") for i, c in enumerate(groups)]
        ranked = (
            sa.select(
                *keys,
                span,
                (sa.func.row_number().over(partition_by=groups, order_by=span) - 1).label("i"),
                sa.func.count().over(partition_by=groups).label("n"),
            )
            .select_from(source)
            .where(*where, ops.table.c[m.start].is_not(None), ops.table.c[m.end].is_not(None))
            .subquery("ranked")
        )
        position_terms = []
        for q in m.quantiles:
            position = sa.literal(float(q)) * (ranked.c.n - 1)
            floor = sa.cast(position, sa.Integer)  # floor: the position is never negative
            position_terms += [ranked.c.i == floor, ranked.c.i == floor + 1]
        picked = sa.select(
            *(ranked.c[f"g{i}"] for i in range(len(groups))), ranked.c.i, ranked.c.n, ranked.c.span
        ).where(sa.or_(*position_terms))
        at: dict[tuple[Any, ...], dict[int, int]] = {}
        sizes: dict[tuple[Any, ...], int] = {}
        for row in self.conn.execute(picked):
            key = tuple(row[: len(groups)])
            i, n, value = row[len(groups) :]
            at.setdefault(key, {})[int(i)] = int(value)
            sizes[key] = int(n)
        found: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
        for key, values in at.items():
            n = sizes[key]
            pairs = []
            for q in m.quantiles:
                low, high = ranks(float(q), n)
                pairs.append((values[low], values[high]))
            found[key] = pairs
        return found

    # -- writes --------------------------------------------------------------------------

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Everything inside is undone if it raises (the transaction itself goes on).

        When undoing fails too (SQLite rolls the whole transaction back on a full disk or
        an I/O error, taking the savepoint with it), the error from inside is the one
        raised, never "no such savepoint", and `broken` says the transaction is gone.
        """
        name = f"kk_sp_{next(_savepoints)}"
        cursor = self._cursor()
        try:
            cursor.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                try:
                    cursor.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    cursor.execute(f"RELEASE SAVEPOINT {name}")
                except Exception:
                    self.broken = True  # the original error wins
                raise
            cursor.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            cursor.close()

    def _ops_for(self, record: Record) -> KindOps:
        """The operations for a record's kind; what is no record of a kind (a subclass,
        another object) is refused as every store refuses it (`check_record`)."""
        ops = self.factory.kinds.get(getattr(type(record), "kind", None) or "")
        if ops is None or ops.codec.cls is not type(record):
            check_record(record)  # raises: names what the record is
            raise ValidationError(
                [Problem("record", f"a {type(record).__name__} is no record kind of kk_core")]
            )
        return ops

    def put_many(self, records: Sequence[Record]) -> list[Record]:
        """Upsert in bulk with the rules of `planned_write`; callers wrap it for atomicity."""
        if len(records) == 1:
            record = records[0]
            return self._put_chunk(self._ops_for(record), [record])
        out: list[Record | None] = [None] * len(records)
        groups: dict[type, list[int]] = {}
        for i, record in enumerate(records):
            groups.setdefault(type(record), []).append(i)
        for indexes in groups.values():
            ops = self._ops_for(records[indexes[0]])
            for start in range(0, len(indexes), CHUNK):
                part = indexes[start : start + CHUNK]
                stored = self._put_chunk(ops, [records[i] for i in part])
                for i, record in zip(part, stored, strict=True):
                    out[i] = record
        return out  # type: ignore[return-value]  # every slot is filled above

    def _put_chunk(self, ops: KindOps, records: list[Record]) -> list[Record]:
        encode = ops.codec.encode
        with gc_paused():
            encoded = [encode(r) for r in records]
        if len(records) == 1:
            record = records[0]
            if record.version == 0 and self._insert_one(ops, record, encoded[0]):
                return [with_version(record, 1)]
        elif self._all_new(records) and self._insert_new(ops, records, encoded):
            with gc_paused():
                return [with_version(r, 1) for r in records]
        return self._put_general(ops, records, encoded)

    @staticmethod
    def _all_new(records: list[Record]) -> bool:
        """Every record at version 0 and no id twice: what the fast path can take."""
        return all(r.version == 0 for r in records) and len({r.id for r in records}) == len(records)

    def _insert_one(self, ops: KindOps, record: Record, encoded: Encoded) -> bool:
        data, values, plain = encoded
        cursor = self._cursor()
        try:
            cursor.execute(ops.insert_new, (record.id, 1, data, *values))
            inserted: bool = cursor.rowcount == 1
        finally:
            cursor.close()
        if inserted:
            self._insert_children(ops, [(record.id, plain)])
        return inserted

    def _insert_new(self, ops: KindOps, records: list[Record], encoded: list[Encoded]) -> bool:
        """The fast path: all new. False (nothing written) when some id is already stored."""
        with gc_paused():
            rows = [(r.id, 1, e[0], *e[1]) for r, e in zip(records, encoded, strict=True)]
        try:
            with self.savepoint():
                self._send(ops.insert, ops.copy, rows)
                self._insert_children(
                    ops, [(r.id, e[2]) for r, e in zip(records, encoded, strict=True)]
                )
        except self.factory.integrity_error as exc:
            if _names_primary_key(exc, ops):
                return False
            raise
        return True

    def _send(self, insert: str, copy: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cursor = self._cursor()
        try:
            if self.postgres and len(rows) > 1:
                with cursor.copy(copy) as stream:
                    write = stream.write_row
                    for row in rows:
                        write(row)
            else:
                cursor.executemany(insert, rows)
        finally:
            cursor.close()

    def _insert_children(self, ops: KindOps, made: list[tuple[str, Mapping[str, Any]]]) -> None:
        for child in ops.children:
            rows_of = child.child.rows
            with gc_paused():
                rows = [row for record_id, data in made for row in rows_of(record_id, data)]
            self._send(child.insert, child.copy, rows)

    def _delete_children(self, ops: KindOps, ids: list[str]) -> None:
        if not ids or not ops.children:
            return
        cursor = self._cursor()
        try:
            for child in ops.children:
                if self.postgres:
                    cursor.execute(child.delete_sql(len(ids)), (ids,))
                    continue
                for start in range(0, len(ids), _IN_BATCH):
                    part = ids[start : start + _IN_BATCH]
                    cursor.execute(child.delete_sql(len(part)), part)
        finally:
            cursor.close()

    def probe(self, ops: KindOps, ids: Sequence[str], *, lock: bool) -> dict[str, tuple[int, str]]:
        """Stored (version, data) of those ids that are stored."""
        found: dict[str, tuple[int, str]] = {}
        cursor = self._cursor()
        try:
            if self.postgres:
                cursor.execute(ops.probe_sql(len(ids), lock=lock), (list(ids),))
                for record_id, version, data in cursor.fetchall():
                    found[record_id] = (version, data)
                return found
            for start in range(0, len(ids), _IN_BATCH):
                part = list(ids[start : start + _IN_BATCH])
                cursor.execute(ops.probe_sql(len(part), lock=lock), part)
                for record_id, version, data in cursor.fetchall():
                    found[record_id] = (version, data)
        finally:
            cursor.close()
        return found

    def _put_general(
        self, ops: KindOps, records: list[Record], encoded: list[Encoded]
    ) -> list[Record]:
        for attempt in range(3):
            try:
                with self.savepoint():
                    return self._plan_and_write(ops, records, encoded)
            except self.factory.integrity_error as exc:
                # someone inserted one of these ids since we looked: look again
                if attempt == 2 or not _names_primary_key(exc, ops):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _plan_and_write(
        self, ops: KindOps, records: list[Record], encoded: list[Encoded]
    ) -> list[Record]:
        codec, kind = ops.codec, ops.kind
        ids = list(dict.fromkeys(r.id for r in records))
        stored = self.probe(ops, ids, lock=True)
        state: dict[str, tuple[int, str]] = dict(stored)
        final: dict[str, tuple[tuple[Any, ...], Mapping[str, Any]]] = {}
        results: list[Record] = []
        for record, (data, values, plain) in zip(records, encoded, strict=True):
            current = state.get(record.id)
            if current is None:
                if record.version != 0:
                    raise ConflictError(kind, record.id, record.version, None)
                version = 1
            else:
                current_version, current_data = current
                if current_data == data:
                    results.append(with_version(record, current_version))
                    continue
                if codec.holds_datetimes:
                    held = codec.decode(current_data, current_version, record.id)
                    if same_content(held, record):
                        results.append(held)
                        continue
                if current_version != record.version:
                    raise ConflictError(kind, record.id, record.version, current_version)
                version = current_version + 1
            state[record.id] = (version, data)
            final[record.id] = ((record.id, version, data, *values), plain)
            results.append(with_version(record, version))
        if not final:
            return results
        inserts = [row for rid, (row, _) in final.items() if rid not in stored]
        updates = [
            (*row[1:], rid, stored[rid][0]) for rid, (row, _) in final.items() if rid in stored
        ]
        cursor = self._cursor()
        try:
            if inserts:
                cursor.executemany(ops.insert, inserts)
            if updates:
                cursor.executemany(ops.update, updates)
                if cursor.rowcount != len(updates):
                    self._raise_moved(ops, [(u[-2], u[-1]) for u in updates])
        finally:
            cursor.close()
        self._delete_children(ops, [rid for rid in final if rid in stored])
        self._insert_children(ops, [(rid, plain) for rid, (_, plain) in final.items()])
        return results

    def _raise_moved(self, ops: KindOps, expected: list[tuple[str, int]]) -> None:
        now = self.probe(ops, [rid for rid, _ in expected], lock=False)
        for rid, version in expected:
            held = now.get(rid)
            if held is None or held[0] != version + 1:
                raise ConflictError(ops.kind, rid, version, None if held is None else held[0])
        raise ConflictError(ops.kind, expected[0][0], expected[0][1], None)

    def delete(self, kind: type[Record], record_id: str, version: int | None) -> None:
        ops = self.factory.ops(kind)
        check_key(ops.kind, record_id, version)  # no driver error for an id no record can have
        cursor = self._cursor()
        try:
            if version is None:
                cursor.execute(ops.delete, (record_id,))
            else:
                cursor.execute(ops.delete_at, (record_id, version))
            if cursor.rowcount == 1:
                return
        finally:
            cursor.close()
        held = self.probe(ops, [record_id], lock=False).get(record_id)
        if held is None:
            raise NotFoundError(ops.kind, record_id)
        raise ConflictError(ops.kind, record_id, version or 0, held[0])


class Finder:
    """One ``find``: its statements, read a page at a time in id order (keyset pagination).

    Each page is a statement of its own (``… AND id > :last ORDER BY id LIMIT PAGE``) on
    whatever connection the caller gives, so nothing is held between pages: a stream
    left unfinished pins no connection. The price: no snapshot across pages. Every id is
    returned at most once and in id order; a record written meanwhile is seen if its id
    is beyond the page already read.

    On SQLite a query with criteria is planned once more after the first full page.
    SQLite's planner (without statistics) answers ``category = ? … ORDER BY id LIMIT n``
    through the category index and a sort, which reads every match again for each page;
    when the matches are many for the table (``matches × pages > rows``), the later
    pages walk the id index instead, with the criteria hidden from the planner, which
    reads each row of the table at most once in all.
    """

    def __init__(self, factory: SessionFactory, kind: RecordType, criteria: Mapping[str, Any]):
        ops = factory.ops(kind)
        self.ops = ops
        self.kind = ops.kind
        table = ops.table
        where = _where(ops.kind_table, compile_criteria(ops.codec.cls, criteria))
        columns = (table.c.id, table.c.data, table.c.version)
        after = table.c.id > sa.bindparam("after", type_=table.c.id.type)
        self._first = sa.select(*columns).where(*where).order_by(table.c.id).limit(PAGE)
        self._next = self._first.where(after)
        #: SQLite with criteria: (count matches, table size, the id-index walk) to plan with
        self._replan: tuple[sa.Select[Any], sa.Select[Any], sa.Select[Any]] | None = None
        if where and not factory.postgres:
            hidden = sa.func.coalesce(sa.and_(*where), 0)  # no index can serve it
            self._replan = (
                sa.select(sa.func.count()).select_from(table).where(*where),
                sa.select(sa.func.max(sa.literal_column("rowid"))).select_from(table),
                sa.select(*columns).where(hidden, after).order_by(table.c.id).limit(PAGE),
            )

    def page(self, conn: sa.Connection, after: str | None) -> list[Any]:
        """Up to `PAGE` ``(id, data, version)`` rows, in id order, after ``after``."""
        if after is None:
            return list(conn.execute(self._first).all())
        if self._replan is not None:
            count, size, by_id = self._replan
            self._replan = None
            matches = int(conn.execute(count).scalar_one())
            rows = int(conn.execute(size).scalar_one() or 0)
            if matches * -(-matches // PAGE) > rows:
                self._next = by_id
        return list(conn.execute(self._next, {"after": after}).all())


def _names_primary_key(exc: BaseException, ops: KindOps) -> bool:
    """A duplicate of the kind's primary key (not some other unique constraint)."""
    diag = getattr(exc, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint is not None:
        return str(constraint) == ops.pk_names[0]
    return f"UNIQUE constraint failed: {ops.pk_names[1]}" == str(exc).strip()


# -- criteria → SQL ------------------------------------------------------------------------
#
# `compile_criteria` has already refused every value a column cannot be compared with
# (NUL, lone surrogates, over-long text, integers beyond 64 bits), so values go to the
# driver as they are.


def _clause(column: sa.ColumnElement[Any], cond: Condition) -> sa.ColumnElement[bool]:
    value = cond.value
    if cond.op == "eq":
        if value is None:
            return column.is_(None)
        equal: sa.ColumnElement[bool] = column == value
        return equal
    if cond.op == "in":
        present = [v for v in value if v is not None]
        parts: list[sa.ColumnElement[bool]] = []
        if present:
            parts.append(column.in_(present))
        if None in value:
            parts.append(column.is_(None))
        return sa.or_(*parts) if parts else sa.false()
    parts = [column.is_not(None)]
    if value.start is not None:
        parts.append(column >= value.start)
    if value.end is not None:
        parts.append(column <= value.end)
    return sa.and_(*parts)


def _where(kind_table: KindTable, conditions: Sequence[Condition]) -> list[sa.ColumnElement[bool]]:
    table = kind_table.table
    made = []
    for cond in conditions:
        place = kind_table.sets.get(cond.dimension.name)
        if place is None:
            made.append(_clause(table.c[cond.dimension.name], cond))
        else:
            made.append(_set_clause(table, place, cond))
    return made


def _set_clause(table: sa.Table, place: SetColumn, cond: Condition) -> sa.ColumnElement[bool]:
    """A set dimension meets a condition when one of its values does; an empty set is
    None (as `kk_core.dimensions.matches` says)."""
    child = place.table
    column = place.value(child)

    def having(clause: sa.ColumnElement[bool] | None = None) -> sa.ColumnElement[bool]:
        query = (
            sa.select(sa.literal(1)).select_from(child).where(child.c[place.parent] == table.c.id)
        )
        return (query if clause is None else query.where(clause)).exists()

    value = cond.value
    if cond.op == "eq":
        return ~having() if value is None else having(column == value)
    if cond.op == "in":
        present = [v for v in value if v is not None]
        parts: list[sa.ColumnElement[bool]] = []
        if present:
            parts.append(having(column.in_(present)))
        if None in value:
            parts.append(~having())
        return sa.or_(*parts) if parts else sa.false()
    return having(_clause(column, cond))
