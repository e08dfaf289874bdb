"""``kk migrate``: upgrade a database, or say what would change (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result

from cli_support import digest, kk, sqlite_url
from kk_adapters.sql.engine import make_engine, parse_url
from kk_adapters.sql.migrations import MIGRATIONS, schema_version, upgrade
from kk_adapters.sql.schema import LATEST_VERSION
from kk_cli import ExitCode
from sql_support import StoreMaker


def _engine(maker: StoreMaker) -> sa.Engine:
    """An engine on the maker's database (and schema), without opening a store."""
    engine, _ = make_engine(parse_url(maker.url, {}))
    if maker.schema is not None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{maker.schema}"')
    return engine


def _at_version(maker: StoreMaker, version: int) -> None:
    engine = _engine(maker)
    upgrade(engine, target=version, fresh_install=False)
    engine.dispose()


def _version(maker: StoreMaker) -> int:
    engine = _engine(maker)
    try:
        with engine.connect() as conn:
            return schema_version(conn)
    finally:
        engine.dispose()


def _kk(maker: StoreMaker, *args: str) -> Result:
    """``kk migrate ARGS`` with the maker's URL in KK_STORE (a PostgreSQL URL holds a
    password, which the command line refuses)."""
    return kk("migrate", *args, env={"KK_STORE": maker.url})


def test_dry_run_says_what_would_change_and_changes_nothing(store_maker: StoreMaker) -> None:
    _at_version(store_maker, 2)
    file = Path(store_maker.url.removeprefix("sqlite:///")) if store_maker.schema is None else None
    before = digest(file) if file is not None else None
    result = _kk(store_maker, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(
        f"is at schema version 2; this library writes version {LATEST_VERSION}."
    )
    assert lines[1] == f"kk migrate would apply {LATEST_VERSION - 2} step(s):"
    assert lines[2].startswith(f"  3  {MIGRATIONS[2].description[:40]}")
    assert lines[-1] == "Nothing was changed (--dry-run)."
    assert _version(store_maker) == 2
    if file is not None:
        assert digest(file) == before


def test_migrate_upgrades_then_has_nothing_to_do(store_maker: StoreMaker) -> None:
    _at_version(store_maker, 2)
    result = _kk(store_maker)
    assert result.exit_code == 0, result.output
    assert f"upgraded from schema version 2 to {LATEST_VERSION}." in result.stdout
    assert _version(store_maker) == LATEST_VERSION
    again = _kk(store_maker)
    assert again.exit_code == 0
    assert again.stdout.endswith(
        f"is at schema version {LATEST_VERSION}, the latest: nothing to do.\n"
    )
    assert store_maker.open().schema_version == LATEST_VERSION  # the store opens as it is


def test_json(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "kk.db")
    engine = sa.create_engine(url)
    upgrade(engine, target=3, fresh_install=False)
    engine.dispose()
    plan = json.loads(kk("migrate", "--store", url, "--dry-run", "--json").stdout)
    assert plan == {
        "store": url,
        "exists": True,
        "version": 3,
        "latest": LATEST_VERSION,
        "steps": [{"version": m.version, "description": m.description} for m in MIGRATIONS[3:]],
        "dry_run": True,
    }
    done = json.loads(kk("migrate", "--store", url, "--json").stdout)
    assert done["applied"] == [m.version for m in MIGRATIONS[3:]]
    assert done["version"] == LATEST_VERSION


@pytest.mark.postgres
def test_an_empty_postgresql_database_gets_the_schema(postgres_url: str, tmp_path: Path) -> None:
    store_maker = StoreMaker("postgresql", tmp_path, postgres_url)
    try:
        _empty_database_gets_the_schema(store_maker)
    finally:
        store_maker.close()


def _empty_database_gets_the_schema(store_maker: StoreMaker) -> None:
    _engine(store_maker).dispose()  # the schema exists, with nothing in it
    dry = _kk(store_maker, "--dry-run")
    assert dry.exit_code == 0
    assert f"is empty; this library writes version {LATEST_VERSION}." in dry.stdout
    assert _version(store_maker) == 0
    assert _kk(store_maker).exit_code == 0
    assert _version(store_maker) == LATEST_VERSION


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_missing_sqlite_file_is_refused_and_not_created(tmp_path: Path, dry_run: bool) -> None:
    path = tmp_path / "typo.db"
    result = kk("migrate", "--store", sqlite_url(path), *(["--dry-run"] if dry_run else []))
    assert result.exit_code == ExitCode.STORAGE
    assert result.stderr.startswith(f"kk: error: {sqlite_url(path)}: there is no database file")
    assert result.stdout == ""
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_database_from_a_newer_library_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "kk.db")
    engine = sa.create_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO kk_schema_version VALUES (:v, 'from the future', 'x')"),
            {"v": LATEST_VERSION + 1},
        )
    engine.dispose()
    before = digest(tmp_path / "kk.db")
    for args in (["--dry-run"], []):
        result = kk("migrate", "--store", url, *args)
        assert result.exit_code == ExitCode.STORAGE
        assert "newer than this library supports" in result.stderr
        assert digest(tmp_path / "kk.db") == before


def test_a_store_without_a_schema_is_refused() -> None:
    result = kk("migrate", "--store", "memory://")
    assert result.exit_code == ExitCode.USAGE
    assert "a memory:// store has no schema to migrate" in result.stderr


def test_an_unknown_or_disabled_scheme(tmp_path: Path) -> None:
    unknown = kk("migrate", "--store", "mysql://db/kk")
    assert unknown.exit_code == ExitCode.INPUT
    assert "no store handles URL scheme 'mysql'" in unknown.stderr
    path = tmp_path / "kk.db"
    disabled = kk("migrate", "--store", sqlite_url(path), env={"KK_DISABLED_PLUGINS": "sql"})
    assert disabled.exit_code == ExitCode.INPUT
    assert "'sql' handles 'sqlite' but is disabled" in disabled.stderr
    assert not path.exists()


def test_a_bad_url_is_refused_by_the_adapter(tmp_path: Path) -> None:
    result = kk("migrate", "--store", "sqlite:///kk.db?timeout=soon")
    assert result.exit_code == ExitCode.INPUT
    assert "url.query.timeout: timeout must be a number of seconds" in result.stderr
