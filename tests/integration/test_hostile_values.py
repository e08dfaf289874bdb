"""Hostile values are refused the same way on every store: a `ValidationError` naming
the field, never a driver's error (``UnicodeEncodeError``, ``OverflowError``, an index
row too big reported as "database unavailable")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from kk_adapters.memory import MemoryStore
from kk_core.advocacy import AdvocacyProposal
from kk_core.cases import Case
from kk_core.codes import Forum
from kk_core.converter import converter, structure, unstructure
from kk_core.dimensions import Between
from kk_core.errors import KKError, ValidationError
from kk_core.kinds import Record
from kk_core.lifecycle import Event
from kk_core.meetings import Meeting
from kk_core.places import Hamlet, Village
from kk_core.store import Store
from kk_core.testing.contract import sample_cases
from kk_core.values import MAX_KEY_LENGTH, MAX_TEXT_LENGTH
from nik_support import assert_not_shown, planted
from sql_support import StoreMaker

CASE = sample_cases(1)[0]
AT = datetime(2024, 1, 3, 9, 0, tzinfo=UTC)
NOTE_EVENT = Event(AT, "report", None, "reported", note="laporan awal")


def _case(**changes: Any) -> Case:
    return attrs.evolve(CASE, **changes)


def _with_subject(**changes: Any) -> Case:
    return attrs.evolve(CASE, subject=attrs.evolve(CASE.subject, **changes))


def _with_event_note(note: str) -> Case:
    return attrs.evolve(CASE, timeline=(attrs.evolve(NOTE_EVENT, note=note),))


#: (what, a record holding a value no store keeps, the path its error names)
HOSTILE: list[tuple[str, Callable[[], Record], str]] = [
    ("lone surrogate in a summary", lambda: _case(summary="a\ud800b"), "case.summary"),
    ("lone surrogate in an id", lambda: _case(id="kasus-\udc80"), "case.id"),
    (
        "lone surrogate in a hamlet",
        lambda: _with_subject(hamlet_id="\ud83d"),
        "case.subject.hamlet_id",
    ),
    ("NUL in a note", lambda: _with_event_note("a\x00b"), "case.timeline[0].note"),
    (
        "NUL in a village name",
        lambda: Village("52.03.12.2005", "Te\x00ros", "-", "-", "-"),
        "village.name",
    ),
    ("id too long to index", lambda: _case(id="x" * 10_000), "case.id"),
    (
        "indexed name too long",
        lambda: Hamlet("h-1", "52.03.12.2005", "Dusun " * 2_000),
        "hamlet.name",
    ),
    (
        "reference too long",
        lambda: _case(companion_id="m" * (MAX_KEY_LENGTH + 1)),
        "case.companion_id",
    ),
    (
        "member id too long",
        lambda: Meeting("m-1", "kk", "Rapat", AT.date(), member_ids={"x" * 3_000}),
        "meeting.member_ids",
    ),
    ("free text too long", lambda: _case(summary="a" * (MAX_TEXT_LENGTH + 1)), "case.summary"),
    ("NIK in a summary", lambda: _case(summary="NIK 5203 1212 3456 0001"), "case.summary"),
]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    maker = StoreMaker(request.param, tmp_path, url)
    try:
        yield maker.open()
    finally:
        maker.close()


def _refused(exc: ValidationError, path: str) -> None:
    assert [p.path for p in exc.problems] == [path], str(exc)
    assert "unavailable" not in str(exc)
    assert len(str(exc)) < 1_000


@pytest.mark.parametrize(("what", "make", "path"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_values_are_refused_on_every_store(
    store: Store, what: str, make: Callable[[], Record], path: str
) -> None:
    record = make()
    with pytest.raises(ValidationError) as one:
        store.put(record)
    _refused(one.value, path)
    good = _case(id="good")
    with pytest.raises(ValidationError) as many:
        store.put_many([good, record])
    _refused(many.value, path)
    with store.transaction() as tx, pytest.raises(ValidationError) as inside:
        tx.put(record)
    _refused(inside.value, path)
    assert list(store.find(type(record))) == []  # nothing written, all or nothing


@pytest.mark.parametrize(("what", "make", "path"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_values_are_refused_when_read_from_plain_data(
    what: str, make: Callable[[], Record], path: str
) -> None:
    record = make()
    with pytest.raises(ValidationError) as caught:
        structure(unstructure(record), type(record))
    _refused(caught.value, path)


CRITERIA: list[tuple[type[Record], dict[str, Any]]] = [
    (Case, {"hamlet_id": "a\ud800"}),
    (Case, {"hamlet_id": {"dsn-a", "\udfff"}}),
    (Case, {"id": "a\x00b"}),
    (Case, {"id": "x" * 5_000_000}),
    (Case, {"year": 2**63}),
    (Case, {"year": -(2**63) - 1}),
    (Case, {"year": Between(2024, 10**30)}),
    (Case, {"year": {2024, 10**5000}}),
    (AdvocacyProposal, {"requested_rupiah": 2**64}),
    (Village, {"name": Between("a", "z\x00")}),
]


@pytest.mark.parametrize(
    ("kind", "criteria"), CRITERIA, ids=[f"c{i}" for i in range(len(CRITERIA))]
)
def test_hostile_criteria_are_refused_on_every_store(
    store: Store, kind: type[Record], criteria: dict[str, Any]
) -> None:
    store.put(CASE)
    name = next(iter(criteria))
    with pytest.raises(ValidationError) as found:
        list(store.find(kind, **criteria))
    assert [p.path for p in found.value.problems] == [name]
    assert len(str(found.value)) < 1_000
    with pytest.raises(ValidationError) as counted:
        store.count(kind, **criteria)
    assert [p.path for p in counted.value.problems] == [name]


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (
            lambda: AdvocacyProposal("p", "kk", "t", Forum.MUSRENBANGDES, requested_rupiah=2**63),
            "requested_rupiah",
        ),
        (lambda: attrs.evolve(CASE, version=2**64), "version"),
        (
            lambda: attrs.evolve(CASE, subject=attrs.evolve(CASE.subject, age_years=10**5000)),
            "age_years",
        ),
    ],
)
def test_integers_beyond_64_bits_are_refused_by_the_records(
    make: Callable[[], Record], field: str
) -> None:
    """No store can then meet one (SQLite raised OverflowError)."""
    with pytest.raises(ValueError, match=field) as caught:
        make()
    assert isinstance(caught.value, ValueError)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (2**63, "case.version"),
        ("9" * 5_000, "case.version"),  # int("9" * 5000) is past Python's digit limit
        (10**5000, "case.version"),  # too large to print
        ("1" * 30, "case.version"),
    ],
    ids=["2**63", "5000-digit-text", "10**5000", "30-digit-text"],
)
def test_integers_beyond_64_bits_in_plain_data_name_their_field(value: Any, path: str) -> None:
    data = unstructure(CASE)
    data["version"] = value
    with pytest.raises(ValidationError) as caught:
        structure(data, Case)
    assert [p.path for p in caught.value.problems] == [path]
    assert len(str(caught.value)) < 300
    assert isinstance(caught.value, KKError)


# -- a NIK planted anywhere never shows in what a store raises ------------------------------


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=planted())
def test_a_nik_planted_anywhere_never_shows_in_what_a_store_raises(
    store: Store, drawn: tuple[type[Record], Record, dict[str, Any], str]
) -> None:
    """The record is made by the fast converter (no value checks), so the store's own
    refusal is what is seen; its message, repr and chained exceptions are checked."""
    cls, _, data, digits = drawn
    try:
        record = converter.structure(data, cls)
        planted_record = attrs.evolve(record, version=0)
    except Exception as exc:
        assert_not_shown(digits, exc)
        return
    for write in (
        lambda: store.put(planted_record),
        lambda: store.put_many([planted_record]),
    ):
        raised: Exception | None = None
        try:
            write()
        except Exception as exc:
            raised = exc
        if raised is not None:
            assert isinstance(raised, KKError), f"{type(raised).__name__} came out of the store"
            assert_not_shown(digits, raised)


@pytest.mark.parametrize(
    ("record_id", "version", "path"),
    [
        ("kasus-\ud800", None, "record_id"),
        ("a\x00b", None, "record_id"),
        (12, None, "record_id"),
        ("Case-000", 2**70, "version"),
        ("Case-000", "1", "version"),
    ],
    ids=["surrogate", "NUL", "not text", "huge version", "text version"],
)
def test_ids_and_versions_no_record_can_have_are_refused_on_every_store(
    store: Store, record_id: Any, version: Any, path: str
) -> None:
    store.put(CASE)
    if version is None:
        with pytest.raises(ValidationError) as got:
            store.get(Case, record_id)
        assert [p.path for p in got.value.problems] == [path]
    with pytest.raises(ValidationError) as deleted:
        store.delete(Case, record_id, version=version)
    assert [p.path for p in deleted.value.problems] == [path]
    assert store.get(Case, CASE.id) == attrs.evolve(CASE, version=1)
