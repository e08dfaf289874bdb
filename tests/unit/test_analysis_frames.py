"""DataFrames without leaks: the dimensions with their labels, nothing that identifies a
person unless named, person-level exports flagged and announced through the
``kk_person_level_exported`` hook, rows streamed a chunk at a time, Arrow and Parquet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analysis_support import village_year
from kk_adapters.memory import MemoryStore
from kk_core.analysis import frames
from kk_core.analysis.frames import columns_of, iter_rows, to_arrow, to_dataframe, write_parquet
from kk_core.cases import Case
from kk_core.errors import ValidationError
from kk_core.hookspecs import hookimpl
from kk_core.plugins import Plugins
from kk_core.privacy import pseudonymise

RECORDS = village_year()


class Auditor:
    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    @hookimpl
    def kk_person_level_exported(self, kind, fields, criteria, store_url, purpose):  # type: ignore[no-untyped-def]
        self.seen.append(
            {
                "kind": kind,
                "fields": fields,
                "criteria": criteria,
                "url": store_url,
                "purpose": purpose,
            }
        )


@pytest.fixture
def store() -> MemoryStore:
    first = next(r for r in RECORDS if isinstance(r, Case) and r.reported_on.year == 2025)
    import attrs

    marked = attrs.evolve(
        first,
        subject=attrs.evolve(
            first.subject,
            initials="S.N.",
            identity=pseudonymise("5203174107090001", b"0123456789abcdef"),
            birth_year=2009,
            age_years=None,
        ),
        summary="Ibu S. melapor",
    )
    return MemoryStore(records=[marked if r is first else r for r in RECORDS])


def test_no_identifying_field_unless_named(store: MemoryStore) -> None:
    audit = Auditor()
    plugins = Plugins(load_entry_points=False, extra=[audit])
    frame = to_dataframe(store, "case", person_level=True, plugins=plugins)
    text = frame.to_csv()
    for secret in ("S.N.", "p1:", "Ibu S.", "2009"):
        assert secret not in text
    assert not any(c.startswith(("subject", "summary", "initials")) for c in frame.columns)
    assert {"category", "category_label_id", "category_label_en", "hamlet_id_label_id"} <= set(
        frame.columns
    )
    assert frame.loc[frame["category"] == "violence", "category_label_en"].iloc[0] == "Violence"
    assert "Teros Timur" in set(frame["hamlet_id_label_id"])
    assert list(frame["category"].cat.categories)[:2] == ["violence", "child_marriage"]
    named = to_dataframe(
        store, "case", person_level=True, plugins=plugins, include=("subject.initials", "summary")
    )
    assert "S.N." in set(named["subject.initials"])
    assert "Ibu S. melapor" in set(named["summary"])
    assert [a["fields"][-2:] for a in audit.seen][-1] == ("subject.initials", "summary")


def test_person_level_needs_the_flag_and_is_announced(store: MemoryStore) -> None:
    audit = Auditor()
    plugins = Plugins(load_entry_points=False, extra=[audit])
    with pytest.raises(ValidationError) as caught:
        to_dataframe(store, "case", plugins=plugins)
    assert caught.value.problems[0].path == "person_level"
    assert audit.seen == []
    rows = iter_rows(
        store, "case", person_level=True, plugins=plugins, purpose="musdes 2026", year=2025
    )
    next(rows)  # announced before the first row is read
    (seen,) = audit.seen
    assert seen["kind"] == "case"
    assert seen["criteria"] == "year=2025"
    assert seen["purpose"] == "musdes 2026"
    assert seen["url"] == "memory://"
    assert tuple(seen["fields"]) == tuple(columns_of("case"))
    # activities of the KK are not about people: no flag, nothing announced
    sessions = to_dataframe(store, "information_session", plugins=plugins)
    assert len(sessions) == 10
    assert len(audit.seen) == 1


def test_unknown_fields_and_criteria_are_refused(store: MemoryStore) -> None:
    with pytest.raises(ValidationError) as caught:
        to_dataframe(store, "case", person_level=True, include=("subject.name",))
    assert caught.value.problems[0].path == "include.subject.name"
    with pytest.raises(ValidationError):
        to_dataframe(store, "case", person_level=True, colour="red")


def test_rows_stream_a_chunk_at_a_time(store: MemoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records are read as the rows are made: never all held, never held twice."""
    monkeypatch.setattr(frames, "CHUNK", 7)
    cases = [r for r in RECORDS if isinstance(r, Case)]
    pulled: list[int] = []
    made: list[int] = []

    def source() -> Iterator[Case]:
        for i, case in enumerate(cases):
            pulled.append(i)
            yield case

    original = frames._chunks

    def counting(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
        for chunk in original(rows, size):
            made.append(len(pulled))
            yield chunk

    monkeypatch.setattr(frames, "_chunks", counting)
    frame = to_dataframe(source(), "case", person_level=True)
    assert len(frame) == len(cases)
    assert made[0] == 7, "the first chunk was made after reading only its seven records"
    assert made == sorted(made)


def test_arrow_and_parquet(store: MemoryStore, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    table = to_arrow(store, "case", person_level=True)
    cases = [r for r in RECORDS if isinstance(r, Case)]
    assert table.num_rows == len(cases)
    assert str(table.schema.field("reported_on").type) == "date32[day]"
    path = tmp_path / "cases.parquet"
    assert write_parquet(path, store, "case", person_level=True, year=2025) == len(cases)
    back = pq.read_table(path)
    assert back.column_names == columns_of("case")
    assert sorted(back.column("id").to_pylist()) == sorted(c.id for c in cases)
