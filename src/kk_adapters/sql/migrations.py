"""Schema versions and the ordered runner that upgrades a database, one step at a time.

The ``kk_schema_version`` table holds one row per migration applied (its number, what
it did, when). Opening a store upgrades an older database (``migrate=false`` in the
URL refuses instead) and refuses one made by a newer version of the library: an old
library must not write rows a newer schema reads differently.

Steps, in order (each runs in its own transaction and records itself there, so a
failed step leaves the database at the previous version):

1. the initial schema: one table per record kind, child tables, indexes;
2. ``kk_case.regency_code`` (added, backfilled from the stored records, indexed) and
   two dashboard indexes: (regency_code, reported_on) and (village_id, category,
   reported_on);
3. the rest of the KK's work and advocacy across forums: tables for trainings, data
   updates, residents' questions and business groups (with their child tables of
   members and businesses); ``kk_meeting.type``; ``kk_advocacy_proposal.cycle_year``,
   ``village_id``, ``budget_field`` and ``carried_over_from``; then every stored
   proposal is rewritten in the current shape (release 0.1.0's statuses and actions
   mapped, the cycle year taken from its first event: see
   `kk_core.advocacy.upgrade_proposal_data`), data and columns alike.
4. Pengaduan v2 and code lists v2 (see the migration's description);
5. analysis (issue 10): ``year`` and ``quarter`` on every dated kind, the referral's
   ``responded_on``, ``open``, ``accepted``, ``service`` and ``core_service`` (stored
   referrals take their provider's service), the sums of support actions, information
   sessions and proposals, and ``kk_case_marriage_route``;
6. a table for import marks (`kk_core.import_marks.ImportMark`), the checkpoint of
   imports such as the KoboToolbox sync;
7. the review of issues 8 and 9: ``kk_case_gbvims_flag`` (the GBVIMS context flags of a
   case's incidents, a set dimension), then every stored case rewritten, so its derived
   columns (``gbvims_type``, ``sexual_violence``, ``age_band``) follow the review's rules.

Adding a dimension to `kk_core.dimensions` means adding a step here: register the
column in `kk_adapters.sql.schema.ADDED_IN` under the new version and append an
`additive_step` to `MIGRATIONS` (a new kind: `kk_adapters.sql.schema.KIND_ADDED_IN`).
When a record's stored shape changes, the step also rewrites that kind's rows
(`rewrite_rows`), so the database holds current data and current column values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import attrs
import sqlalchemy as sa

from kk_adapters.sql.errors import SchemaVersionError
from kk_adapters.sql.rows import RowCodec, gc_paused
from kk_adapters.sql.schema import LATEST_VERSION, Schema, build_schema
from kk_core.errors import StorageError

__all__ = [
    "MIGRATIONS",
    "Migration",
    "additive_step",
    "check_columns",
    "create_schema",
    "create_statements",
    "pending",
    "rewrite_rows",
    "schema_version",
    "upgrade",
]

VERSION_TABLE = "kk_schema_version"
_ADVISORY_LOCK = 0x6B6B5F73636D  # "kk_scm": serialises migrations on PostgreSQL


@attrs.frozen
class Migration:
    """One step: ``apply(connection)`` brings a database from ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: Callable[[sa.Connection], None] = attrs.field(eq=False, repr=False)


def _initial(conn: sa.Connection) -> None:
    build_schema(1).metadata.create_all(conn)


def additive_step(version: int) -> Callable[[sa.Connection], None]:
    """A step that adds what ``build_schema(version)`` has and the version before lacks:
    tables, columns (backfilled from the stored records) and indexes."""

    def apply(conn: sa.Connection) -> None:
        old, new = build_schema(version - 1), build_schema(version)
        old_tables = old.metadata.tables
        created = set()
        for table in new.metadata.sorted_tables:  # a parent before its child tables
            if table.name not in old_tables:
                table.create(conn)  # with its indexes
                created.add(table.name)
        for kind, kind_table in new.kinds.items():
            if kind not in old.kinds:
                continue  # a new kind: its tables were created above
            before = old.kinds[kind].table
            added = [c for c in kind_table.table.columns if c.name not in before.c]
            for column in added:
                ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {_quote(conn, before.name)} ADD COLUMN {ddl}")
            if added:
                _backfill(conn, new, kind, [c.name for c in added])
        for name, table in new.metadata.tables.items():
            if name in created:
                continue
            existing = {i.name for i in old_tables[name].indexes} if name in old_tables else set()
            for index in table.indexes:
                if index.name not in existing:
                    index.create(conn)

    return apply


def _quote(conn: sa.Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _backfill(conn: sa.Connection, schema: Schema, kind: str, columns: Sequence[str]) -> None:
    """Fill new dimension columns of existing rows from the records they hold."""
    kind_table = schema.kinds[kind]
    codec = RowCodec(kind_table)
    dims = {d.name: d for d in kind_table.dimensions}
    table = kind_table.table
    page_size = 2000
    select = (
        sa.select(table.c.id, table.c.data, table.c.version)
        .where(table.c.id > sa.bindparam("after"))
        .order_by(table.c.id)
        .limit(page_size)
    )
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("_id"))
        .values({name: sa.bindparam(f"_{name}") for name in columns})
    )
    after = ""
    while True:  # pages by id, so memory stays flat however many rows there are
        page = conn.execute(select, {"after": after}).fetchall()
        if not page:
            return
        params = []
        with gc_paused():
            for record_id, text, version in page:
                record = codec.decode(text, version, record_id)
                values = {f"_{name}": dims[name].read(record) for name in columns}
                params.append({"_id": record_id, **values})
        conn.execute(update, params)
        after = page[-1][0]


def rewrite_rows(
    conn: sa.Connection,
    schema: Schema,
    kind: str,
    *,
    change: Callable[[Any], Any] | None = None,
) -> None:
    """Rewrite every row of a kind from the record it reads as now: its ``data``, its
    dimension columns and its child rows (the version is kept). ``change`` (a record →
    the record to store) completes what an older release did not record.

    For a kind whose stored shape changed: the converter reads the old shape (through
    `kk_core.kinds.RECORD_UPGRADES`), and the rewritten row holds the current one, so
    queries on the columns see the current codes. Pages by id: memory stays flat.
    """
    kind_table = schema.kinds[kind]
    codec = RowCodec(kind_table)
    table = kind_table.table
    select = (
        sa.select(table.c.id, table.c.data, table.c.version)
        .where(table.c.id > sa.bindparam("after"))
        .order_by(table.c.id)
        .limit(_PAGE)
    )
    columns = ("data", *codec.dimension_columns)
    # the codec's values are the raw driver's (ISO text for a date); Core binds dates
    dated = {name for name in codec.dimension_columns if isinstance(table.c[name].type, sa.Date)}
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("_id"))
        .values({name: sa.bindparam(f"_{name}") for name in columns})
    )
    after = ""
    while True:
        page = conn.execute(select, {"after": after}).fetchall()
        if not page:
            return
        params = []
        children: list[list[dict[str, Any]]] = [[] for _ in kind_table.children]
        with gc_paused():
            for record_id, text, version in page:
                record = codec.decode(text, version, record_id)
                if change is not None:
                    record = change(record)
                data, values, plain = codec.encode(record)
                params.append(
                    {"_id": record_id, "_data": data}
                    | {
                        f"_{name}": date.fromisoformat(v) if name in dated and v else v
                        for name, v in zip(codec.dimension_columns, values, strict=True)
                    }
                )
                for i, rows in enumerate(codec.child_rows(record_id, plain)):
                    names = kind_table.children[i].columns
                    children[i] += [dict(zip(names, row, strict=True)) for row in rows]
        conn.execute(update, params)
        ids = [row[0] for row in page]
        for child, made in zip(kind_table.children, children, strict=True):
            conn.execute(child.table.delete().where(child.table.c[child.parent].in_(ids)))
            if made:
                conn.execute(child.table.insert(), made)
        after = page[-1][0]


_PAGE = 2000


def _advocacy_across_forums(conn: sa.Connection) -> None:
    additive_step(3)(conn)
    rewrite_rows(conn, build_schema(3), "advocacy_proposal")


def _pengaduan_v2(conn: sa.Connection) -> None:
    additive_step(4)(conn)
    schema = build_schema(4)
    rewrite_rows(conn, schema, "case")
    rewrite_rows(conn, schema, "service_provider")


def _analysis_dimensions(conn: sa.Connection) -> None:
    """Issue 10: the new columns and the marriage-route table, then every referral
    rewritten with the service of its provider (what `Services.refer_case` now records)."""
    additive_step(5)(conn)
    schema = build_schema(5)
    providers = schema.kinds["service_provider"].table
    services = dict(conn.execute(sa.select(providers.c.id, providers.c.service)).all())

    def with_service(referral: Any) -> Any:
        service = services.get(referral.provider_id)
        if referral.service is not None or service is None:
            return referral
        return attrs.evolve(referral, service=service)

    rewrite_rows(conn, schema, "referral", change=with_service)
    rewrite_rows(conn, schema, "case")  # the marriage routes of stored child marriages


def _gbvims_flags(conn: sa.Connection) -> None:
    """The review of issues 8 and 9: the flags table, then every case rewritten (its
    flags, and the derived columns the review's rules changed)."""
    additive_step(7)(conn)
    rewrite_rows(conn, build_schema(7), "case")


#: Every step, in order; the last one's number is `LATEST_VERSION`.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema: a table per record kind, child tables, indexes", _initial),
    Migration(
        2,
        "case.regency_code (backfilled) and indexes for regency and village dashboards",
        additive_step(2),
    ),
    Migration(
        3,
        "trainings, data updates, residents' questions, business groups; meeting.type; "
        "proposals across forums (cycle_year, village_id, budget_field, carried_over_from; "
        "stored proposals rewritten in the new shape)",
        _advocacy_across_forums,
    ),
    Migration(
        4,
        "Pengaduan v2 and code lists v2: case.reporter, gbvims_type, sexual_violence, "
        "incident_id, place, place_simfoni, legal_stage, next_follow_up, welfare_decile; "
        "service_provider.core_service; child tables kk_case_issue, kk_case_perpetrator, "
        "kk_case_document and kk_case_dropout_reason; stored cases rewritten in the new "
        "shape (birth month, perpetrators, consent by service, disability by severity)",
        _pengaduan_v2,
    ),
    Migration(
        5,
        "analysis (issue 10): year and quarter of every dated kind; referral.responded_on, "
        "open, accepted, service and core_service (stored referrals take their provider's "
        "service); support_action.amount_rupiah; information_session audience counts; "
        "advocacy_proposal.allocated_rupiah; child table kk_case_marriage_route",
        _analysis_dimensions,
    ),
    Migration(
        6,
        "import marks: a table for the kind import_mark (where imported records came "
        "from: the checkpoint of Kobo imports)",
        additive_step(6),
    ),
    Migration(
        7,
        "GBVIMS flags: child table kk_case_gbvims_flag; stored cases rewritten, their "
        "derived columns (gbvims_type, sexual_violence, age_band) recomputed under the "
        "review of issues 8 and 9",
        _gbvims_flags,
    ),
)
assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


def schema_version(conn: sa.Connection) -> int:
    """The database's schema version: 0 for an empty database.

    A database holding ``kk_`` tables but no version table was not made by this
    library (or was damaged): `StorageError` rather than guessing.
    """
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    if VERSION_TABLE not in tables:
        ours = sorted(t for t in tables if t.startswith("kk_"))
        if ours:
            raise StorageError(
                f"the database has kk_ tables ({', '.join(ours[:3])}…) but no "
                f"{VERSION_TABLE} table; it was not made by this library"
            )
        return 0
    found = conn.execute(sa.text(f"SELECT max(version) FROM {VERSION_TABLE}")).scalar()
    return int(found or 0)


def pending(current: int, target: int = LATEST_VERSION) -> list[Migration]:
    if current > LATEST_VERSION:
        raise SchemaVersionError(
            f"the database is at schema version {current}, newer than this library "
            f"supports ({LATEST_VERSION}); upgrade kelompok-konstituen to use it"
        )
    return [m for m in MIGRATIONS if current < m.version <= target]


def _lock(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})


def create_schema(conn: sa.Connection, name: str) -> None:
    """``CREATE SCHEMA IF NOT EXISTS`` (PostgreSQL), safe when several processes race."""
    with conn.begin():
        _lock(conn)
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{name}"')


def upgrade(
    engine: sa.Engine, target: int = LATEST_VERSION, *, fresh_install: bool = True
) -> list[int]:
    """Apply every pending step up to ``target``; returns the versions applied.

    An empty database is given the target schema directly (``fresh_install=False``
    runs every step instead, as the migration tests do).

    Safe to run from several processes at once: steps are serialised (SQLite's write
    lock, a PostgreSQL advisory lock) and each re-reads the version first.
    """
    applied: list[int] = []
    while True:
        with engine.connect() as conn, conn.begin():
            _lock(conn)
            current = schema_version(conn)
            steps = pending(current, target)
            if not steps:
                return applied
            if current == 0 and fresh_install:
                # An empty database gets the target schema at once (the same tables the
                # steps would make, which a test checks), stamped with every step.
                _execute_all(conn, create_statements(target, conn.dialect))
            else:
                steps = steps[:1]
                steps[0].apply(conn)
            for step in steps:
                _stamp(conn, step)
                applied.append(step.version)


def _execute_all(conn: sa.Connection, statements: Sequence[str]) -> None:
    """Run DDL statements; on PostgreSQL in one round trip (no parameters: one script)."""
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(";\n".join(statements))
        finally:
            cursor.close()
        return
    for statement in statements:
        conn.exec_driver_sql(statement)


_DDL: dict[tuple[int, str], tuple[str, ...]] = {}


def create_statements(version: int, dialect: sa.Dialect) -> tuple[str, ...]:
    """``CREATE TABLE`` and ``CREATE INDEX`` statements of a schema version, compiled once."""
    key = (version, dialect.name)
    made = _DDL.get(key)
    if made is None:
        statements: list[str] = []
        for table in build_schema(version).metadata.sorted_tables:
            statements.append(str(sa.schema.CreateTable(table).compile(dialect=dialect)))
            statements += [
                str(sa.schema.CreateIndex(index).compile(dialect=dialect))
                for index in sorted(table.indexes, key=lambda i: str(i.name))
            ]
        made = _DDL[key] = tuple(statements)
    return made


def _stamp(conn: sa.Connection, step: Migration) -> None:
    conn.execute(
        sa.text(
            f"INSERT INTO {VERSION_TABLE} (version, description, applied_at) "
            "VALUES (:version, :description, :at)"
        ),
        {
            "version": step.version,
            "description": step.description,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def check_columns(conn: sa.Connection, schema: Schema) -> None:
    """Every table and column the library uses is there (catches a missing migration)."""
    missing: list[str] = []
    for table in schema.metadata.tables.values():
        quoted = _quote(conn, table.name)
        try:
            result = conn.exec_driver_sql(f"SELECT * FROM {quoted} WHERE 1 = 0")
        except sa.exc.DBAPIError:
            missing.append(table.name)
            if conn.in_transaction():
                conn.rollback()
            continue
        have = set(result.keys())
        result.close()
        missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
    if missing:
        raise StorageError(
            f"the database says schema version {schema.version} but lacks "
            f"{', '.join(missing[:5])}{'…' if len(missing) > 5 else ''}; a migration is missing"
        )
