"""An error quotes at most about 80 characters of a bad value, with the value's length.

A 5 MB value gave a 5 MB message; messages are checked by length here (no timings).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import pytest

from kk_adapters.memory import MemoryStore
from kk_core.cases import Case, Subject
from kk_core.codes import CaseCategory, Sex
from kk_core.converter import structure, unstructure
from kk_core.dimensions import Between, compile_criteria
from kk_core.errors import (
    CodeError,
    ConflictError,
    KKError,
    NotFoundError,
    TransitionError,
    quote_value,
)
from kk_core.kinds import record_type
from kk_core.places import Village
from kk_core.privacy import pseudonymise
from kk_core.testing.contract import sample_cases
from kk_core.testing.strategies import TEST_KEY

HUGE = "a" * 5_000_000
LIMIT = 1_000  # any message about one bad value: a few hundred characters at most


def test_quote_value_shows_a_piece_and_the_length() -> None:
    assert quote_value(HUGE) == f"'{'a' * 80}…' (5,000,000 characters)"
    assert quote_value("short") == "'short'"
    assert quote_value(10**5000) == "an integer of about 5,001 digits"
    assert len(quote_value([HUGE] * 1000)) < LIMIT
    assert len(quote_value({HUGE: HUGE})) < LIMIT


def _case_data(**changes: Any) -> dict[str, Any]:
    data = unstructure(sample_cases(1)[0])
    data.update(changes)
    return data


FAILS: list[tuple[str, Callable[[], Any]]] = [
    ("date", lambda: structure(_case_data(reported_on=HUGE), Case)),
    ("code", lambda: structure(_case_data(category=HUGE), Case)),
    ("number", lambda: structure(_case_data(version="9" * 5_000_000), Case)),
    ("unknown field", lambda: structure({**_case_data(), HUGE: 1}, Case)),
    (
        "many unknown fields",
        lambda: structure({**_case_data(), **{f"x{i}": 1 for i in range(10_000)}}, Case),
    ),
    ("long id", lambda: structure(_case_data(id=HUGE), Case)),
    ("long text", lambda: MemoryStore().put(attrs.evolve(sample_cases(1)[0], summary=HUGE * 2))),
    ("village code", lambda: Village(HUGE, "Teros", "-", "-", "-")),
    ("code parse", lambda: CaseCategory.parse(HUGE)),
    ("sex parse", lambda: Sex.parse("Perempuan" + HUGE)),
    ("criterion value", lambda: compile_criteria(Case, {"category": HUGE})),
    ("criterion name", lambda: compile_criteria(Case, {HUGE: 1})),
    ("criterion range", lambda: compile_criteria(Case, {"id": Between("a", HUGE)})),
    ("count by", lambda: MemoryStore().count(Case, by=(HUGE,))),
    ("not found", lambda: MemoryStore().get(Case, HUGE)),
    ("kind", lambda: record_type(HUGE)),
    ("pseudonymise", lambda: pseudonymise(HUGE, TEST_KEY)),
    ("initials", lambda: Subject(Sex.FEMALE, initials=HUGE)),
    ("birth year", lambda: structure({**_member_data(), "birth_year": 10**5000}, "member")),
]


def _member_data() -> dict[str, Any]:
    from kk_core.codes import Affiliation
    from kk_core.groups import Member

    return unstructure(Member("m", "kk", "Baiq", Sex.FEMALE, {Affiliation.PKK}, date(2024, 1, 1)))


@pytest.mark.parametrize(("what", "fail"), FAILS, ids=[f[0] for f in FAILS])
def test_messages_about_a_huge_value_stay_short(what: str, fail: Callable[[], Any]) -> None:
    with pytest.raises((KKError, ValueError)) as caught:
        fail()
    message = str(caught.value)
    assert len(message) < LIMIT, f"{len(message):,} characters"
    assert len(repr(caught.value)) < 2 * LIMIT
    if "a" * 80 in message:
        assert "(5,000,000 characters)" in message or "characters" in message


def test_errors_with_ids_quote_them_briefly() -> None:
    for error in (
        NotFoundError("case", HUGE),
        ConflictError("case", HUGE, 1, 2),
        CodeError("sex", HUGE, ["female"]),
        TransitionError("case", HUGE, HUGE, "no"),
    ):
        assert len(str(error)) < LIMIT


def test_many_problems_are_listed_up_to_a_bound() -> None:
    data = _case_data(timeline=[{"at": "x", "action": "a", "source": None, "target": "t"}] * 5_000)
    with pytest.raises(KKError) as caught:
        structure(data, Case)
    assert len(caught.value.problems) == 5_000  # type: ignore[attr-defined]
    assert len(str(caught.value)) < 20_000
    assert "and 4,950 more" in str(caught.value)
