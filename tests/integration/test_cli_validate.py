"""``kk validate``: a store checked without writing, every problem named by its place."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
import sqlalchemy as sa

from cli_support import digest, kk, sqlite_url
from copy_support import mixed_records
from kk_adapters.memory import MemoryStore
from kk_adapters.sql.migrations import upgrade
from kk_cli import ExitCode
from kk_cli.validation import Finding, validate_store
from kk_core import Case, Record, open_store
from kk_core.errors import Problem, StorageError
from kk_core.hookspecs import hookimpl
from kk_core.kinds import RecordType
from kk_core.plugins import Plugins
from kk_core.registries import StoreRegistry

RECORDS = mixed_records()
CASES = sorted(r.id for r in RECORDS if isinstance(r, Case))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "kk.db"
    with open_store(sqlite_url(path)) as opened:  # type: ignore[attr-defined]
        opened.put_many(RECORDS)
    return path


def test_a_clean_store(store: Path) -> None:
    before = digest(store)
    result = kk("validate", "--store", sqlite_url(store))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Checked {len(RECORDS)} record(s) of {sqlite_url(store)}.\nNo problem found.\n"
    )
    assert digest(store) == before
    data = json.loads(kk("validate", "--store", sqlite_url(store), "--json").stdout)
    assert data["ok"] is True
    assert data["checked"]["case"] == len(CASES)
    assert data["findings"] == []


def test_rows_that_no_longer_read_are_named_and_the_rest_checked(store: Path) -> None:
    damaged = CASES[3], CASES[10]
    with sqlite3.connect(store) as conn:
        conn.executemany(
            "UPDATE kk_case SET data = ? WHERE id = ?",
            [('{"not": "a case"}', damaged[0]), ("{broken json", damaged[1])],
        )
    conn.close()
    before = digest(store)
    result = kk("validate", "--store", sqlite_url(store), "--kind", "case")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Checked {len(CASES) - 2} record(s) of {sqlite_url(store)}."
    findings = [line for line in lines[1:-1] if not line.startswith(" ")]  # details indented
    assert len(findings) == 2
    for line, record_id in zip(findings, damaged, strict=True):
        assert line.startswith("case: ")
        assert record_id in line
    assert lines[-1] == f"2 problem(s) found in {sqlite_url(store)}."
    assert digest(store) == before


class _Rule:
    """A deployment's rule: a case's summary must not be empty."""

    @hookimpl
    def kk_validate_record(self, record: Record) -> Sequence[Problem] | None:
        if isinstance(record, Case) and not record.summary:
            return [Problem("summary", "write what happened (without names)")]
        return None


def test_plugin_rules_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "kk.db"
    blank = CASES[:3]
    records = [
        attrs.evolve(r, summary="") if isinstance(r, Case) and r.id in blank else r for r in RECORDS
    ]
    with open_store(sqlite_url(path)) as opened:  # type: ignore[attr-defined]
        opened.put_many(records)
    result = kk("validate", "--store", sqlite_url(path), plugins=Plugins(extra=[_Rule()]))
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    for record_id in blank:
        assert f"case '{record_id}': summary: write what happened (without names)" in result.stdout
    data = json.loads(
        kk(
            "validate", "--store", sqlite_url(path), "--json", plugins=Plugins(extra=[_Rule()])
        ).stdout
    )
    assert [f["where"] for f in data["findings"]] == [f"case '{i}'" for i in blank]
    assert kk("validate", "--store", sqlite_url(path)).exit_code == 0  # without the rule


class _Loose(MemoryStore):
    """A store that hands out what it holds without checking it (a careless adapter)."""

    held: ClassVar[list[Record]] = []

    def __init__(self, url: str, /, **options: Any) -> None:
        super().__init__()

    def find(self, kind: type[Any], /, **criteria: Any) -> Iterator[Any]:
        return iter([r for r in self.held if r.kind == kind.kind])


class _LoosePlugin:
    @hookimpl
    def kk_register_stores(self, registry: StoreRegistry) -> None:
        registry.add("loose", _Loose)


def test_values_no_store_keeps_are_found() -> None:
    case = next(r for r in RECORDS if isinstance(r, Case))
    bad = attrs.evolve(case, summary="dilaporkan oleh NIK 5203174107090001\x00")
    _Loose.held = [bad]
    try:
        result = kk("validate", "--store", "loose://", plugins=Plugins(extra=[_LoosePlugin()]))
    finally:
        _Loose.held = []
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert f"case '{case.id}': case.summary:" in result.stdout
    assert "5203174107090001" not in result.stdout


def test_an_old_schema_is_a_finding_and_is_not_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = sa.create_engine(sqlite_url(path))
    upgrade(engine, target=2, fresh_install=False)
    engine.dispose()
    before = digest(path)
    result = kk("validate", "--store", sqlite_url(path))
    assert result.exit_code == ExitCode.PROBLEMS
    assert result.stdout.startswith("schema: the database is at schema version 2;")
    assert "kk migrate" in result.stdout
    assert digest(path) == before


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        ("missing.db", None, ExitCode.STORAGE, "there is no database file"),
        ("garbage.db", b"this is not a database" * 100, ExitCode.STORAGE, "not a database"),
    ],
)
def test_bad_input_writes_nothing(
    tmp_path: Path, name: str, content: bytes | None, code: ExitCode, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = kk("validate", "--store", sqlite_url(path))
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ([name] if content else [])
    if content is not None:
        assert path.read_bytes() == content


def test_unknown_kind_and_scheme() -> None:
    kind = kk("validate", "--store", "memory://", "--kind", "kasus")
    assert kind.exit_code == ExitCode.USAGE
    assert "Invalid value for '--kind'" in kind.stderr
    scheme = kk("validate", "--store", "ftp://example.org/kk")
    assert scheme.exit_code == ExitCode.INPUT
    assert "no store handles URL scheme 'ftp'" in scheme.stderr


class _Stuck(MemoryStore):
    """A store whose stream keeps failing in the same place."""

    def find(self, kind: type[Any], /, **criteria: Any) -> Iterator[Any]:
        class Failing:
            def __iter__(self) -> Failing:
                return self

            def __next__(self) -> Any:
                raise StorageError(f"the {kind.kind} table cannot be read")

        return Failing()


def test_a_store_that_cannot_go_on_is_not_asked_forever() -> None:
    kinds: list[RecordType] = [Case]
    result = validate_store(_Stuck(), Plugins(), kinds=kinds)
    assert result.findings == (Finding("case", "the case table cannot be read"),)
    assert result.checked == {"case": 0}
