"""``kk export``: a store copied into another, with progress and the report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import pytest

from cli_support import digest, kk, sqlite_url
from copy_support import mixed_records
from kk_adapters.memory import MemoryStore
from kk_cli import ExitCode
from kk_cli.commands.export import PERSON_LEVEL_KINDS
from kk_core import Case, Record, open_store
from kk_core.errors import Problem, ValidationError
from kk_core.hookspecs import hookimpl
from kk_core.kinds import RECORD_KINDS
from kk_core.plugins import Plugins
from kk_core.registries import StoreRegistry

RECORDS = mixed_records()
COUNTS = Counter(r.kind for r in RECORDS)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A SQLite file holding `mixed_records` (cases, places, a group, a meeting …)."""
    path = tmp_path / "source.db"
    with open_store(sqlite_url(path)) as store:  # type: ignore[attr-defined]
        store.put_many(RECORDS)
    return path


def _held(path: Path) -> Counter[str]:
    with open_store(sqlite_url(path), read_only=True) as store:  # type: ignore[attr-defined]
        return Counter(r.kind for cls in RECORD_KINDS.values() for r in store.find(cls))


def test_copies_every_kind_then_a_second_run_writes_nothing(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    before = digest(source)
    args = ["export", "--store", sqlite_url(source), "--to", sqlite_url(target), "--person-level"]
    first = kk(*args)
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0] == f"Copied {sqlite_url(source)} → {sqlite_url(target)}"
    assert lines[1].split() == ["kind", "written", "unchanged"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:-1]}
    assert rows["case"] == [str(COUNTS["case"]), "0"]
    assert rows["village"] == ["2", "0"]
    assert rows["total"] == [str(len(RECORDS)), "0"]
    assert lines[-1] == "No record was refused."
    assert _held(target) == COUNTS
    assert digest(source) == before  # the source is only read

    second = kk(*args, "--json")
    assert second.exit_code == 0
    report = json.loads(second.stdout)
    assert report["source"] == sqlite_url(source)
    assert report["target"] == sqlite_url(target)
    assert sum(report["written"].values()) == 0
    assert sum(report["unchanged"].values()) == len(RECORDS)
    assert report["rejects"] == []


def test_kinds_and_small_pages(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "places.db"
    result = kk(
        "export",
        "--store",
        sqlite_url(source),
        "--to",
        sqlite_url(target),
        "--kind",
        "hamlet",
        "--kind",
        "Village",
        "--page-size",
        "1",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["written"] == {"village": 2, "hamlet": 2}
    assert _held(target) == Counter({"village": 2, "hamlet": 2})


def test_the_target_url_may_come_from_the_environment(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "env.db"
    result = kk(
        "export",
        "--kind",
        "group",
        env={"KK_STORE": sqlite_url(source), "KK_EXPORT_TO": sqlite_url(target)},
    )
    assert result.exit_code == 0, result.output
    assert _held(target) == Counter({"group": 1})


def test_person_level_records_need_the_flag(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    for kinds in ([], ["--kind", "village", "--kind", "case"], ["--kind", "member"]):
        result = kk("export", "--store", sqlite_url(source), "--to", sqlite_url(target), *kinds)
        assert result.exit_code == ExitCode.USAGE
        assert "hold records about persons" in result.stderr
        assert "--person-level" in result.stderr
        assert not target.exists()
    assert {"case", "member", "referral"} <= PERSON_LEVEL_KINDS <= set(RECORD_KINDS)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--kind", "kasus"], ExitCode.USAGE, "Invalid value for '--kind'"),
        (["--page-size", "0"], ExitCode.USAGE, "Invalid value for '--page-size'"),
        (["--to", "nosuch:///x"], ExitCode.INPUT, "no store handles URL scheme 'nosuch'"),
        (["--to", "sqlite:///copy.db?check=maybe"], ExitCode.INPUT, "url.query.check"),
        (["--store", "sqlite:///missing.db"], ExitCode.STORAGE, "no database file"),
        (["--to", "memory://?read_only=true"], ExitCode.STORAGE, "read-only"),
    ],
)
def test_bad_input_writes_nothing(
    args: list[str],
    code: ExitCode,
    message: str,
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = digest(source)
    given = {"--store": sqlite_url(source), "--to": "sqlite:///copy.db"}
    extra = list(args)
    for option in ("--store", "--to"):
        if option in extra:
            at = extra.index(option)
            given[option] = extra[at + 1]
            del extra[at : at + 2]
    result = kk(
        "export", "--store", given["--store"], "--to", given["--to"], "--person-level", *extra
    )
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.db"]
    assert digest(source) == before


def test_an_old_source_is_not_upgraded(tmp_path: Path) -> None:
    """Reading a database never changes it: an older one is refused, not migrated."""
    import sqlalchemy as sa

    from kk_adapters.sql.migrations import upgrade

    old = tmp_path / "old.db"
    engine = sa.create_engine(sqlite_url(old))
    upgrade(engine, target=2, fresh_install=False)
    engine.dispose()
    before = digest(old)
    result = kk("export", "--store", sqlite_url(old), "--to", "memory://", "--kind", "village")
    assert result.exit_code == ExitCode.STORAGE
    assert "is at schema version 2" in result.stderr
    assert "Upgrade it first with kk migrate" in result.stderr
    assert digest(old) == before


class _Picky:
    """A plugin whose ``picky://`` store refuses cases whose summary mentions 'ditolak'."""

    @hookimpl
    def kk_register_stores(self, registry: StoreRegistry) -> None:
        registry.add("picky", _PickyStore, description="refuses some cases")


class _PickyStore(MemoryStore):
    def __init__(self, url: str, /, **options: Any) -> None:
        super().__init__()

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        batch = list(records)
        for record in batch:
            if isinstance(record, Case) and "ditolak" in record.summary:
                raise ValidationError(
                    [Problem("summary", "this store does not keep it")],
                    subject=f"case {record.id}",
                )
        return super().put_many(batch)

    def put(self, record: Any) -> Any:
        return self.put_many([record])[0]


def test_records_the_target_refuses_are_listed_and_the_rest_copied(tmp_path: Path) -> None:
    refused = [r.id for r in RECORDS if isinstance(r, Case)][:2]
    records = [
        attrs.evolve(r, summary="ditolak") if isinstance(r, Case) and r.id in refused else r
        for r in RECORDS
    ]
    path = tmp_path / "source.db"
    with open_store(sqlite_url(path)) as store:  # type: ignore[attr-defined]
        store.put_many(records)
    result = kk(
        "export",
        "--store",
        sqlite_url(path),
        "--to",
        "picky://",
        "--person-level",
        plugins=Plugins(extra=[_Picky()]),
    )
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    text = result.stdout
    assert "2 record(s) refused by the target, not copied:" in text
    for record_id in refused:
        assert f"  case '{record_id}'\n    - summary: this store does not keep it" in text
    table = text.split("record(s) refused")[0].splitlines()[2:-1]
    rows = {line.split()[0]: line.split()[1:] for line in table}
    assert rows["case"] == [str(COUNTS["case"] - 2), "0"]
    assert rows["total"] == [str(len(RECORDS) - 2), "0"]
    assert result.stderr == ""
    report = kk(
        "export",
        "--store",
        sqlite_url(path),
        "--to",
        "picky://",
        "--person-level",
        "--json",
        plugins=Plugins(extra=[_Picky()]),
    )
    assert report.exit_code == ExitCode.PROBLEMS
    rejects = json.loads(report.stdout)["rejects"]
    assert [r["where"] for r in rejects] == [f"case '{i}'" for i in refused]
    assert rejects[0]["problems"] == [{"path": "summary", "message": "this store does not keep it"}]
