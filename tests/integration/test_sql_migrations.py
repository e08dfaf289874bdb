"""Schema versions: a database made by the first schema upgrades and keeps every row;
a newer database is refused; a fresh database equals an upgraded one."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from kk_adapters.sql import upgrade as upgrade_url
from kk_adapters.sql.engine import make_engine, parse_url
from kk_adapters.sql.errors import SchemaVersionError
from kk_adapters.sql.migrations import MIGRATIONS, schema_version, upgrade
from kk_adapters.sql.schema import LATEST_VERSION, build_schema, table_name
from kk_adapters.sql.session import KindOps
from kk_core import regions
from kk_core.cases import Case
from kk_core.dimensions import compile_criteria, count_by
from kk_core.errors import StorageError
from kk_core.kinds import Record
from kk_core.meetings import Meeting
from kk_core.places import Hamlet, Village
from kk_core.testing.contract import sample_cases
from sql_support import StoreMaker, many_cases


def _engine(maker: StoreMaker) -> sa.Engine:
    """An engine as the store makes it, without opening a store (which would upgrade)."""
    engine, _ = make_engine(parse_url(maker.url, {}))
    if maker.schema is not None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{maker.schema}"')
    return engine


def _write_v1(engine: sa.Engine, records: list[Record]) -> None:
    """Rows as the version 1 schema holds them (what a v1 library wrote)."""
    schema = build_schema(1)
    with engine.begin() as conn:
        for record in records:
            ops = KindOps(schema.kinds[record.kind], engine.dialect)
            data, values, plain = ops.codec.encode(record)
            conn.exec_driver_sql(ops.insert, (record.id, 1, data, *values))
            made = ops.codec.child_rows(record.id, plain)
            for child, rows in zip(ops.children, made, strict=True):
                for row in rows:
                    conn.exec_driver_sql(child.insert, row)


def _records() -> list[Record]:
    made: list[Record] = [*many_cases(250), *sample_cases()]
    made += [  # 29 villages of Lombok Timur, as Kemendagri lists them
        Village(v.code, v.name, "-", "Lombok Timur", "NTB") for v in regions.villages("52.03")[:29]
    ]
    made += [Hamlet(f"dsn-{i}", "52.03.12.2005", f"Dusun {i}") for i in range(20)]
    made.append(
        Meeting("rapat-1", "kk-teros", "Rapat", date(2025, 2, 13), member_ids={"m-1", "m-2"})
    )
    return made


def _shape(engine: sa.Engine) -> dict[str, Any]:
    """Tables, their columns (name, type, nullability) and indexes (name, columns)."""
    inspector = sa.inspect(engine)
    shape: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        if not table.startswith("kk_"):
            continue
        columns = {c["name"]: (str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)}
        indexes = {i["name"]: tuple(i["column_names"]) for i in inspector.get_indexes(table)}
        shape[table] = (columns, indexes)
    return shape


def test_steps_are_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))
    assert LATEST_VERSION >= 2


def test_version_1_database_upgrades_and_keeps_every_row(store_maker: StoreMaker) -> None:
    engine = _engine(store_maker)
    assert upgrade(engine, target=1, fresh_install=False) == [1]
    with engine.connect() as conn:
        assert schema_version(conn) == 1
        columns = {c["name"] for c in sa.inspect(conn).get_columns("kk_case")}
    assert "regency_code" not in columns
    records = _records()
    _write_v1(engine, records)
    engine.dispose()

    store = store_maker.open()  # upgrades on open
    assert store.schema_version == LATEST_VERSION
    for record in records:
        assert store.get(type(record), record.id) == attrs.evolve(record, version=1)
    cases = [r for r in records if isinstance(r, Case)]
    assert store.count(Case) == {(): len(cases)}
    # the new column was backfilled from the records: counts by it match the reference
    by = ("regency_code", "category")
    assert store.count(Case, by=by) == count_by(cases, Case, by, compile_criteria(Case, {}))
    assert [c.id for c in store.find(Case, regency_code="52.03")] == sorted(
        c.id for c in cases if c.village_id.startswith("52.03")
    )
    # child rows survived
    engine = store_maker.admin()
    with engine.connect() as conn:
        events = conn.execute(sa.text("SELECT count(*) FROM kk_case_violence_form")).scalar()
        members = conn.execute(sa.text("SELECT count(*) FROM kk_meeting_member")).scalar()
        stamped = (
            conn.execute(sa.text("SELECT version FROM kk_schema_version ORDER BY version"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert events == sum(len(c.violence.forms) for c in cases if c.violence is not None)
    assert members == 2
    assert stamped == list(range(1, LATEST_VERSION + 1))
    # writes work on the upgraded database
    changed = store.put(attrs.evolve(store.get(Case, cases[0].id), summary="baru"))
    assert changed.version == 2


def test_fresh_database_equals_upgraded_one(store_maker: StoreMaker, tmp_path: Any) -> None:
    fresh = store_maker.open()
    fresh_shape = _shape(fresh.engine)
    fresh.close()
    if store_maker.backend == "sqlite":
        other = StoreMaker("sqlite", tmp_path / "other", None)
        (tmp_path / "other").mkdir()
    else:
        other = StoreMaker("postgresql", tmp_path, store_maker.base)
    try:
        engine = _engine(other)
        upgrade(engine, fresh_install=False)  # every step, one by one
        stepped = _shape(engine)
        engine.dispose()
    finally:
        other.close()
    assert stepped == fresh_shape
    indexes = fresh_shape[table_name("case")][1]
    assert ("village_id", "category", "reported_on") in indexes.values()
    assert ("regency_code", "reported_on") in indexes.values()


def test_newer_schema_is_refused(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    store.close()
    engine = store_maker.admin()
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO kk_schema_version VALUES (:v, 'from the future', 'x')"),
            {"v": LATEST_VERSION + 7},
        )
    engine.dispose()
    with pytest.raises(SchemaVersionError, match=r"newer than this library supports") as caught:
        store_maker.open()
    assert isinstance(caught.value, StorageError)
    assert str(LATEST_VERSION + 7) in str(caught.value)


def test_older_schema_is_not_upgraded_when_told_not_to(store_maker: StoreMaker) -> None:
    engine = _engine(store_maker)
    upgrade(engine, target=1, fresh_install=False)
    engine.dispose()
    with pytest.raises(StorageError, match="schema version 1"):
        store_maker.open(migrate=False)
    with pytest.raises(StorageError, match="read-only"):
        store_maker.open(read_only=True)
    assert upgrade_url(store_maker.url) == LATEST_VERSION
    assert store_maker.open(migrate=False).schema_version == LATEST_VERSION


def test_missing_migration_is_detected(store_maker: StoreMaker) -> None:
    """A database stamped at the latest version but lacking a column: refuse, say why."""
    engine = _engine(store_maker)
    upgrade(engine, target=1, fresh_install=False)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO kk_schema_version VALUES (:v, 'stamped by hand', 'x')"),
            {"v": LATEST_VERSION},
        )
    engine.dispose()
    with pytest.raises(
        StorageError, match=r"lacks .*kk_case\.regency_code\b.*; a migration is missing"
    ):
        store_maker.open()


def test_foreign_tables_without_version_are_refused(store_maker: StoreMaker) -> None:
    engine = store_maker.admin()
    if store_maker.backend == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{store_maker.schema}"')
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE kk_case (id TEXT PRIMARY KEY)")
    engine.dispose()
    with pytest.raises(StorageError, match="not made by this library"):
        store_maker.open()


def test_concurrent_first_opens_create_the_schema_once(store_maker: StoreMaker) -> None:
    opened: list[Any] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(store_maker.open())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    engine = store_maker.admin()
    with engine.connect() as conn:
        stamped = conn.execute(sa.text("SELECT version FROM kk_schema_version")).scalars().all()
    engine.dispose()
    assert sorted(stamped) == list(range(1, LATEST_VERSION + 1))
