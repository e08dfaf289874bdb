"""`kk_core.copy_records` on memory stores: content copied, versions the target's own."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copy_support import VILLAGE, mixed_records
from kk_adapters.memory import MemoryStore
from kk_core import (
    RECORD_KINDS,
    Case,
    ConflictError,
    ReadOnlyError,
    Record,
    ServiceProvider,
    ValidationError,
    Village,
    copy_records,
)
from kk_core.copying import MAX_PAGE_SIZE, PAGE_SIZE
from kk_core.errors import Problem, UnknownKindError
from kk_core.reports import ImportReport
from kk_core.store import same_content
from kk_core.testing.contract import sample_cases
from kk_core.testing.strategies import records, records_of


def content(store: Any, kind: type[Record]) -> list[Record]:
    return [attrs.evolve(r, version=0) for r in store.find(kind)]


def source_store(items: Iterable[Record] = ()) -> MemoryStore:
    store = MemoryStore()
    store.put_many(list(items) or mixed_records())
    return store


class Recording(MemoryStore):
    """A memory store that remembers the calls a copy makes on it."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.calls: list[tuple[str, str, int]] = []

    def find(self, kind: Any, /, **criteria: Any) -> Iterator[Any]:
        found = list(super().find(kind, **criteria))
        self.calls.append(("find", RECORD_KINDS[kind.kind].kind, len(found)))
        return iter(found)

    def put_many(self, items: Iterable[Record]) -> list[Record]:
        batch = list(items)
        kinds = {r.kind for r in batch}
        self.calls.append(("put_many", ",".join(sorted(kinds)), len(batch)))
        return super().put_many(batch)


# -- what a copy writes -------------------------------------------------------------------


def test_a_plain_put_many_of_found_records_is_refused_which_is_why_copy_exists() -> None:
    source = source_store()
    with pytest.raises(ConflictError, match="written from version 1"):
        MemoryStore().put_many(source.find(Case))


def test_copy_into_an_empty_store_writes_everything_at_version_1() -> None:
    source = source_store()
    for case in list(source.find(Case))[:5]:  # the source's counters move on
        source.put(attrs.evolve(case, summary=case.summary + " (diperbarui)"))
    target = MemoryStore()

    report = copy_records(source, target)

    for kind in RECORD_KINDS.values():
        assert content(target, kind) == content(source, kind), kind.kind
        assert all(r.version == 1 for r in target.find(kind)), kind.kind
    assert report.written == {
        **dict.fromkeys(RECORD_KINDS, 0),
        "village": 2,
        "hamlet": 2,
        "group": 1,
        "service_provider": 1,
        "case": 48,
        "meeting": 1,
    }
    assert set(report.unchanged) == set(RECORD_KINDS)
    assert sum(report.unchanged.values()) == 0
    assert report.source == source.url
    assert report.ok


def test_a_second_copy_writes_nothing_and_reports_every_record_unchanged() -> None:
    source, target = source_store(), MemoryStore()
    first = copy_records(source, target)

    again = copy_records(source, target)

    assert sum(again.written.values()) == 0
    assert again.unchanged == first.written
    assert all(r.version == 1 for r in target.find(Case))


def test_the_source_content_wins_over_the_target_copy_of_the_same_id() -> None:
    source = source_store()
    target = MemoryStore()
    mine = next(source.find(Case))
    theirs = target.put(attrs.evolve(mine, summary="versi target", version=0))
    theirs = target.put(attrs.evolve(theirs, summary="versi target, lagi"))
    assert theirs.version == 2

    report = copy_records(source, target, kinds=Case)

    held = target.get(Case, mine.id)
    assert same_content(held, mine)
    assert held.version == 3  # the target's counter moves on; the source's is not carried
    assert report.written == {"case": 48}


def test_records_only_the_target_holds_are_kept() -> None:
    source = source_store()
    extra = attrs.evolve(next(source.find(Case)), id="zz-hanya-di-target", version=0)
    target = MemoryStore()
    target.put(extra)

    copy_records(source, target)

    assert target.get(Case, extra.id) == attrs.evolve(extra, version=1)
    assert sum(1 for _ in target.find(Case)) == 49


# -- pages ---------------------------------------------------------------------------------


def test_one_lookup_and_one_put_many_per_page() -> None:
    source = source_store(sample_cases(25))
    target = Recording()
    target.put(
        attrs.evolve(next(source.find(Case)), summary="lain", version=0)
    )  # one update, page 1
    target.calls.clear()

    report = copy_records(source, target, kinds="case", page_size=10)

    assert target.calls == [
        ("find", "case", 1),
        ("put_many", "case", 10),
        ("find", "case", 0),
        ("put_many", "case", 10),
        ("find", "case", 0),
        ("put_many", "case", 5),
    ]
    assert report.written == {"case": 25}


def test_a_page_with_nothing_to_write_writes_nothing() -> None:
    source = source_store(sample_cases(25))
    target = Recording()
    copy_records(source, target, kinds="case", page_size=10)
    target.calls.clear()

    copy_records(source, target, kinds="case", page_size=10)

    assert [call[0] for call in target.calls] == ["find", "find", "find"]


def test_progress_gets_the_report_after_each_page() -> None:
    source = source_store(sample_cases(25))
    seen: list[ImportReport] = []

    report = copy_records(source, MemoryStore(), kinds="case", page_size=10, progress=seen.append)

    assert [r.written["case"] for r in seen] == [10, 20, 25]
    assert seen[-1] == report


def test_an_interrupted_copy_keeps_its_pages_and_a_rerun_finishes_it() -> None:
    source = source_store(sample_cases(25))
    target = MemoryStore()

    class Interrupted(Exception):
        pass

    def stop_after_two_pages(report: ImportReport) -> None:
        if report.written["case"] == 20:
            raise Interrupted

    with pytest.raises(Interrupted):
        copy_records(source, target, kinds="case", page_size=10, progress=stop_after_two_pages)
    assert sum(1 for _ in target.find(Case)) == 20

    report = copy_records(source, target, kinds="case", page_size=10)

    assert report.written == {"case": 5}
    assert report.unchanged == {"case": 20}
    assert content(target, Case) == content(source, Case)


@pytest.mark.parametrize("size", [0, -1, MAX_PAGE_SIZE + 1, True, 2.5, "100"])
def test_a_page_size_out_of_range_is_refused(size: Any) -> None:
    with pytest.raises(ValidationError, match="page_size"):
        copy_records(source_store(), MemoryStore(), page_size=size)


def test_the_default_page_is_a_few_thousand_records() -> None:
    assert 1000 <= PAGE_SIZE <= 5000


# -- kinds and criteria ----------------------------------------------------------------------


def test_kinds_are_copied_referenced_kinds_first_whatever_the_order_given() -> None:
    target = Recording()

    copy_records(source_store(), target, kinds=["case", ServiceProvider, "group", "village"])

    written = [kind for call, kind, _ in target.calls if call == "put_many"]
    assert written == ["village", "group", "service_provider", "case"]
    assert [kind for call, kind, _ in target.calls if call == "find"] == written


def test_every_kind_by_default_in_record_kinds_order() -> None:
    order: list[str] = []

    class Source(MemoryStore):
        def find(self, kind: Any, /, **criteria: Any) -> Iterator[Any]:
            order.append(kind.kind)
            return super().find(kind, **criteria)

    source = Source()
    copy_records(source, MemoryStore())

    assert order == list(RECORD_KINDS)


def test_one_kind_by_name_or_class() -> None:
    source = source_store()
    assert copy_records(source, MemoryStore(), kinds="hamlet").written == {"hamlet": 2}
    assert copy_records(source, MemoryStore(), kinds=Village).written == {"village": 2}


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(UnknownKindError, match="kasus"):
        copy_records(source_store(), MemoryStore(), kinds=["case", "kasus"])


def test_criteria_apply_to_every_kind_copied() -> None:
    source = source_store()
    target = MemoryStore()

    report = copy_records(source, target, kinds=("case", "hamlet"), village_id=VILLAGE)

    assert content(target, Case) == content_of(source.find(Case, village_id=VILLAGE))
    assert 0 < report.written["case"] < 48
    assert report.written["hamlet"] == 2


def content_of(found: Iterator[Record]) -> list[Record]:
    return [attrs.evolve(r, version=0) for r in found]


def test_a_criterion_a_kind_lacks_is_refused_before_anything_is_copied() -> None:
    target = MemoryStore()

    with pytest.raises(ValidationError) as caught:
        copy_records(source_store(), target, kinds=("case", "village"), group_id="kk-teros")

    assert [p.path for p in caught.value.problems] == ["village.group_id"]
    assert all(not list(target.find(kind)) for kind in RECORD_KINDS.values())


def test_bad_criteria_of_several_kinds_are_reported_together() -> None:
    with pytest.raises(ValidationError) as caught:
        copy_records(source_store(), MemoryStore(), category="violence", colour="red")

    paths = {p.path for p in caught.value.problems}
    assert {"case.colour", "village.colour", "village.category"} <= paths


def test_a_read_only_target_is_refused_before_anything_is_read() -> None:
    class Source(MemoryStore):
        def find(self, kind: Any, /, **criteria: Any) -> Iterator[Any]:
            raise AssertionError("read from the source before checking the target")

    with pytest.raises(ReadOnlyError, match="read-only"):
        copy_records(Source(), MemoryStore(read_only=True))


# -- a concurrent writer, refused records ----------------------------------------------------


def test_a_concurrent_writer_stops_the_copy_with_a_conflict_and_a_rerun_finishes_it() -> None:
    source = source_store(sample_cases(25))
    ids = [c.id for c in source.find(Case)]

    class Busy(MemoryStore):
        """Another writer changes a record of page 2 right after the copy looked it up."""

        interfere = True

        def find(self, kind: Any, /, **criteria: Any) -> Iterator[Any]:
            found = list(super().find(kind, **criteria))
            if self.interfere and ids[12] in criteria.get("id", ()):
                self.interfere = False
                held = self.get(Case, ids[12])
                self.put(attrs.evolve(held, summary="ditulis program lain"))
            return iter(found)

    target = Busy()
    target.put(attrs.evolve(source.get(Case, ids[12]), summary="versi lama", version=0))

    with pytest.raises(ConflictError) as caught:
        copy_records(source, target, kinds="case", page_size=10)

    assert any("run the copy again" in note for note in caught.value.__notes__)
    assert sum(1 for _ in target.find(Case)) == 11  # page 1, and the other writer's record

    report = copy_records(source, target, kinds="case", page_size=10)

    assert report.written == {"case": 15}  # pages 2 and 3; page 1 is unchanged
    assert content(target, Case) == content(source, Case)  # the source's content won


class Picky(MemoryStore):
    """A target that cannot hold some values (as a database may refuse a too-long id)."""

    refused = frozenset({"case-003", "case-017"})

    def _check(self, record: Record) -> None:
        if record.id in self.refused:
            raise ValidationError([Problem("id", "too long for this store")], subject="case")

    def put(self, record: Any) -> Any:
        self._check(record)
        return super().put(record)

    def put_many(self, items: Iterable[Record]) -> list[Record]:
        batch = list(items)
        for record in batch:
            self._check(record)
        return super().put_many(batch)


def test_records_the_target_refuses_are_reported_and_the_others_copied() -> None:
    source = source_store(sample_cases(25))
    target = Picky()

    report = copy_records(source, target, kinds="case", page_size=10)

    assert [r.where for r in report.rejects] == ["case 'case-003'", "case 'case-017'"]
    assert report.rejects[0].problems == (Problem("id", "too long for this store"),)
    assert not report.ok
    assert report.written == {"case": 23}
    copied = {c.id for c in target.find(Case)}
    assert copied == {c.id for c in source.find(Case)} - Picky.refused


# -- the property ------------------------------------------------------------------------------


@st.composite
def _source_and_target(draw: st.DrawFn) -> tuple[list[Record], list[Record]]:
    """Random records, and a target holding other content under some of their ids."""
    items = draw(st.lists(records(), max_size=12, unique_by=lambda r: (r.kind, r.id)))
    clashing = draw(st.lists(st.sampled_from(items), unique=True) if items else st.just([]))
    held = [attrs.evolve(draw(records_of(r.kind)), id=r.id) for r in clashing]
    return items, held


@settings(max_examples=40)
@given(_source_and_target())
def test_copied_content_equals_the_source_and_a_second_copy_writes_nothing(
    drawn: tuple[list[Record], list[Record]],
) -> None:
    items, held = drawn
    source = MemoryStore(records=items)
    target = MemoryStore(records=held)
    before = {(r.kind, r.id): r for r in held}

    report = copy_records(source, target, page_size=3)

    for kind in RECORD_KINDS.values():
        assert content(target, kind) == content(source, kind)
        for record in target.find(kind):
            old = before.get((record.kind, record.id))
            if old is None:
                assert record.version == 1
            else:
                assert record.version == (1 if same_content(old, record) else 2)
    changed = sum(1 for r in held if not same_content(r, source.get(type(r), r.id)))
    assert sum(report.written.values()) == len(items) - len(held) + changed
    again = copy_records(source, target, page_size=3)
    assert sum(again.written.values()) == 0
    assert sum(again.unchanged.values()) == len(items)


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"source": "memory://", "target": "sqlite:///x.db"}, "source"),
        ({"source": None}, "source"),
        ({"target": None}, "target"),
        ({"kinds": 5}, "kinds"),
        ({"progress": 5}, "progress"),
    ],
)
def test_odd_arguments_are_validation_errors_before_anything_is_copied(
    arguments: dict[str, Any], path: str
) -> None:
    source, target = MemoryStore(records=sample_cases(3)), MemoryStore()
    given = {"source": source, "target": target, **arguments}
    with pytest.raises(ValidationError) as caught:
        copy_records(given.pop("source"), given.pop("target"), **given)
    assert path in [p.path for p in caught.value.problems]
    assert list(target.find(Case)) == []


def test_a_record_of_a_subclass_is_a_reject_not_a_stop() -> None:
    @attrs.frozen
    class MyCase(Case):
        pass

    cases = sample_cases(3)
    odd = MyCase(**{f.name: getattr(cases[0], f.name) for f in attrs.fields(Case)})
    source = MemoryStore()
    source._data["case"] = {c.id: c for c in [odd, *cases[1:]]}  # as a store that kept it
    report = copy_records(source, MemoryStore())
    assert report.written["case"] == 2
    assert [r.where for r in report.rejects] == [f"case {cases[0].id!r}"]
