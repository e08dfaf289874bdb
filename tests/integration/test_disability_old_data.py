"""Disability in data written before model v2: release 0.1.0 stored a person's
disability as a list of WG domains. The release database still reads whole, and the
same people have a disability (a lot of difficulty in each old domain), counted the
same by the records, by the stores' ``has_disability`` columns and as the release's own
run printed (tests/fixtures/release-0.1.0-teros.summary.txt)."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kk_core import open_store
from kk_core.cases import Case
from kk_core.codes import DifficultyLevel, DisabilityDomain, FunctioningSet
from kk_core.disability import Disability
from kk_core.economy import Business
from kk_core.groups import Member
from kk_core.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "release-0.1.0-teros.db.gz"

#: (kind, table, JSON path of the disability, its column) in the release database.
HOLDERS = [
    (Member, "kk_member", ("disability",), "has_disability"),
    (Business, "kk_business", ("owner_disability",), "owner_has_disability"),
    (Case, "kk_case", ("subject", "disability"), "has_disability"),
]


def _disability(record: Any) -> Disability:
    if isinstance(record, Case):
        return record.subject.disability
    if isinstance(record, Business):
        return record.owner_disability
    return record.disability  # type: ignore[no-any-return]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    copy = tmp_path / "kk-teros.db"
    copy.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    return copy


@pytest.fixture
def store(path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{path}")
    try:
        yield opened
    finally:
        opened.close()


def _stored(
    path: Path, table: str, where: tuple[str, ...], column: str
) -> dict[str, tuple[Any, bool]]:
    """id → (the stored disability list, the stored column), as release 0.1.0 wrote them."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(f'SELECT id, data, "{column}" FROM "{table}"').fetchall()
    finally:
        connection.close()
    stored = {}
    for record_id, data, flag in rows:
        value = json.loads(data)
        for key in where:
            value = value[key]
        stored[record_id] = (value, bool(flag))
    return stored


@pytest.mark.parametrize(("kind", "table", "where", "column"), HOLDERS)
def test_the_same_people_have_a_disability(
    path: Path, kind: type, table: str, where: tuple[str, ...], column: str
) -> None:
    before = _stored(path, table, where, column)  # read before the store opens (migrates) it
    assert all(isinstance(old, list) for old, _ in before.values())  # the old shape
    with open_store(f"sqlite:///{path}") as store:
        records = {r.id: r for r in store.find(kind)}
        counted = store.count(kind, **{column: True})[()]
    assert set(records) == set(before)
    for record_id, (old, flag) in before.items():
        disability = _disability(records[record_id])
        assert disability.question_set is FunctioningSet.WG_SS
        assert disability.a_lot == {DisabilityDomain(d) for d in old}
        assert (disability.some, disability.cannot, disability.types) == (set(), set(), set())
        assert disability.has_disability is flag is bool(old)
        assert all(disability.level(d) is DifficultyLevel.A_LOT for d in old)
    assert counted == sum(flag for _, flag in before.values())


def test_the_counts_the_release_printed_hold(store: Store) -> None:
    summary = (FIXTURES / "release-0.1.0-teros.summary.txt").read_text(encoding="utf-8")
    assert "24 (11 female, 13 male, 1 with a disability" in summary
    assert "clients with a disability: 10" in summary
    assert "2 by owners with a disability" in summary
    active = [m for m in store.find(Member) if m.left_on is None]
    assert sum(m.has_disability for m in active) == 1
    assert sum(c.subject.disability.has_disability for c in store.find(Case)) == 10
    assert sum(b.owner_disability.has_disability for b in store.find(Business)) == 2
    assert store.count(Member, has_disability=True) == {(): 1}
    assert store.count(Case, has_disability=True) == {(): 10}
    assert store.count(Business, owner_has_disability=True) == {(): 2}


def test_an_old_record_written_back_takes_the_new_shape(path: Path) -> None:
    with open_store(f"sqlite:///{path}") as store:
        (member,) = store.find(Member, has_disability=True)
        store.put(member)
        again = store.get(Member, member.id)
    assert again.disability == member.disability
    connection = sqlite3.connect(path)
    try:
        data, flag = connection.execute(
            "SELECT data, has_disability FROM kk_member WHERE id = ?", (member.id,)
        ).fetchone()
    finally:
        connection.close()
    assert json.loads(data)["disability"]["a_lot"] == ["walking"]
    assert flag
