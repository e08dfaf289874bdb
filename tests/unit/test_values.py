"""kk_core.values: what every store can keep, checked once for every adapter."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given, settings

from kk_core.cases import Case
from kk_core.converter import structure, structure_many, unstructure
from kk_core.errors import ValidationError
from kk_core.kinds import Record
from kk_core.lifecycle import Event
from kk_core.meetings import Meeting, Speaker
from kk_core.places import Village
from kk_core.store import planned_write
from kk_core.testing.contract import sample_cases
from kk_core.testing.strategies import records
from kk_core.values import MAX_KEY_LENGTH, MAX_TEXT_LENGTH, check_record, record_problems

CASE = sample_cases(1)[0]
AT = datetime(2024, 1, 3, 9, 0, tzinfo=UTC)


def test_every_problem_is_listed_with_its_wire_path() -> None:
    case = attrs.evolve(
        CASE,
        id="x" * (MAX_KEY_LENGTH + 1),
        summary="\x00",
        subject=attrs.evolve(CASE.subject, hamlet_id="\ud800"),
        timeline=(
            Event(AT, "report", None, "reported", note="ok"),
            Event(AT, "note", "reported", "reported", note="NIK 5203121234560001"),
        ),
    )
    paths = [p.path for p in record_problems(case)]
    assert paths == ["case.id", "case.subject.hamlet_id", "case.timeline[1].note", "case.summary"]
    with pytest.raises(ValidationError) as caught:
        check_record(case)
    assert caught.value.subject.startswith("case 'xxx")
    assert "5203121234560001" not in str(caught.value)


def test_nested_lists_and_sets_are_checked() -> None:
    meeting = Meeting(
        "m-1",
        "kk",
        "Rapat",
        AT.date(),
        agenda=("ok", "a\ud800"),
        speakers=(Speaker("Bu Ani", topic="\x00"),),
        member_ids={"y" * (MAX_KEY_LENGTH + 1)},
    )
    assert [p.path for p in record_problems(meeting)] == [
        "meeting.agenda[1]",
        "meeting.speakers[0].topic",
        "meeting.member_ids",
    ]


def test_limits_are_inclusive() -> None:
    assert record_problems(attrs.evolve(CASE, id="x" * MAX_KEY_LENGTH)) == []
    assert record_problems(attrs.evolve(CASE, summary="x" * MAX_TEXT_LENGTH)) == []
    village = Village("52.03.12.2005", "n" * MAX_KEY_LENGTH, "d" * 1_000, "-", "-")
    assert [p.path for p in record_problems(village)] == ["village.district"]


def test_ids_and_pseudonyms_are_not_searched_for_identity_numbers() -> None:
    """A pseudonym is 64 hex digits: runs of 16 decimal digits happen in it."""
    pseudonym = "p1:" + "1234567890123456" * 4
    case = attrs.evolve(CASE, subject=attrs.evolve(CASE.subject, identity=pseudonym))
    assert record_problems(case) == []


def test_planned_write_checks_the_record_first() -> None:
    with pytest.raises(ValidationError, match=r"case\.summary"):
        planned_write(None, attrs.evolve(CASE, summary="a\x00"))


def test_structure_refuses_and_structure_many_keeps_the_good_rows() -> None:
    good = unstructure(CASE)
    bad = {**good, "id": "bad", "summary": "a\ud800"}
    with pytest.raises(ValidationError) as caught:
        structure(bad, Case, where="cases.csv:3")
    assert [p.path for p in caught.value.problems] == ["cases.csv:3:case.summary"]
    records, errors = structure_many([("cases.csv:2", good), ("cases.csv:3", bad)], Case)
    assert records == [CASE]
    assert [p.path for e in errors for p in e.problems] == ["cases.csv:3:case.summary"]


@settings(max_examples=200, deadline=None)
@given(records())
def test_generated_records_hold_nothing_a_store_refuses(record: Record) -> None:
    """The contract suite round-trips these: they stay within every limit."""
    assert record_problems(record) == []
