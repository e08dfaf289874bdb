"""A person's disability: WG severity by domain, the cut-off counts use, the Child
Functioning Module's domains, the UU 8/2016 types, accommodation, and the old shape."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given

from kk_core.cases import Case, Subject
from kk_core.codes import (
    CODE_LISTS,
    AccommodationNeed,
    CaseCategory,
    DifficultyLevel,
    DisabilityDomain,
    DisabilityType,
    FunctioningSet,
    IntakeChannel,
    Sex,
)
from kk_core.converter import structure, unstructure
from kk_core.dimensions import dimension_values
from kk_core.disability import (
    NO_DISABILITY,
    Disability,
    as_disability,
    upgrade_disability_data,
)
from kk_core.economy import Business
from kk_core.errors import ValidationError
from kk_core.groups import Member
from kk_core.kinds import VALUE_UPGRADES
from kk_core.testing.strategies import businesses, disabilities, members

D = DisabilityDomain
L = DifficultyLevel


def test_the_walking_domain_reads_as_the_wg_question() -> None:
    assert D.WALKING.label_id == "Berjalan atau naik tangga"
    assert D.parse("Berjalan") is D.WALKING  # the old label still reads
    assert D.parse("walking or climbing steps") is D.WALKING


@pytest.mark.parametrize(
    ("levels", "counted"),
    [
        ({}, False),
        ({D.SEEING: L.NONE}, False),
        ({D.SEEING: L.SOME, D.HEARING: L.SOME, D.WALKING: L.SOME}, False),
        ({D.SEEING: L.A_LOT}, True),
        ({D.SELF_CARE: L.CANNOT}, True),
        ({D.SEEING: L.SOME, D.COGNITION: L.CANNOT}, True),
    ],
)
def test_has_a_disability_at_the_wg_cut_off(
    levels: dict[DisabilityDomain, DifficultyLevel], counted: bool
) -> None:
    disability = Disability.from_levels(levels)
    assert disability.has_disability is counted
    assert bool(disability) is counted
    assert disability.domains == {d for d, lv in levels.items() if lv.meets_cutoff}
    for domain in FunctioningSet.WG_SS.domains:
        assert disability.level(domain) is levels.get(domain, L.NONE)
    assert set(disability.levels) == FunctioningSet.WG_SS.domains


def test_the_cut_off_is_a_lot_or_cannot() -> None:
    assert [lv for lv in DifficultyLevel if lv.meets_cutoff] == [L.A_LOT, L.CANNOT]
    assert [lv.label_en for lv in DifficultyLevel] == [
        "No difficulty",
        "Some difficulty",
        "A lot of difficulty",
        "Cannot do at all",
    ]


def test_answers_from_a_form_by_label() -> None:
    disability = Disability.from_levels(
        {"Penglihatan": "Banyak kesulitan", "mendengar": "Sedikit kesulitan", "walking": "none"},
        types=["tunanetra"],
        accommodations=["Juru bahasa isyarat (JBI)", "pendamping"],
    )
    assert disability.a_lot == {D.SEEING}
    assert disability.some == {D.HEARING}
    assert disability.types == {DisabilityType.SENSORY}
    assert disability.accommodations == {
        AccommodationNeed.SIGN_LANGUAGE_INTERPRETER,
        AccommodationNeed.COMPANION,
    }


def test_a_domain_has_one_level() -> None:
    with pytest.raises(ValueError, match="one level of difficulty; given twice: 'seeing'"):
        Disability(some={D.SEEING}, a_lot={D.SEEING})


@pytest.mark.parametrize(
    ("question_set", "domains"),
    [
        (
            FunctioningSet.WG_SS,
            {"seeing", "hearing", "walking", "cognition", "self_care", "communication"},
        ),
        (
            FunctioningSet.CFM_2_4,
            {
                "seeing",
                "hearing",
                "walking",
                "fine_motor",
                "communication",
                "learning",
                "playing",
                "controlling_behaviour",
            },
        ),
        (
            FunctioningSet.CFM_5_17,
            {
                "seeing",
                "hearing",
                "walking",
                "self_care",
                "communication",
                "learning",
                "remembering",
                "concentrating",
                "accepting_change",
                "controlling_behaviour",
                "making_friends",
                "anxiety",
                "depression",
            },
        ),
    ],
)
def test_each_question_set_asks_its_own_domains(
    question_set: FunctioningSet, domains: set[str]
) -> None:
    assert question_set.domains == domains
    for domain in DisabilityDomain:
        if domain in domains:
            assert Disability(question_set=question_set, cannot={domain}).has_disability
        else:
            with pytest.raises(ValueError, match=f"not asked by {question_set.value}"):
                Disability(question_set=question_set, a_lot={domain})
    assert {d for s in FunctioningSet for d in s.domains} == set(DisabilityDomain)


@pytest.mark.parametrize(
    ("age", "question_set"),
    [
        (0, None),
        (1, None),
        (2, FunctioningSet.CFM_2_4),
        (4, FunctioningSet.CFM_2_4),
        (5, FunctioningSet.CFM_5_17),
        (17, FunctioningSet.CFM_5_17),
        (18, FunctioningSet.WG_SS),
        (90, FunctioningSet.WG_SS),
    ],
)
def test_the_question_set_for_an_age(age: int, question_set: FunctioningSet | None) -> None:
    assert FunctioningSet.for_age(age) is question_set


def test_the_uu_8_2016_view_for_dinsos() -> None:
    assert Disability().ragam is None
    assert Disability(types={DisabilityType.MENTAL}).ragam is DisabilityType.MENTAL
    both = Disability(types={DisabilityType.PHYSICAL, DisabilityType.SENSORY})
    assert both.ragam is DisabilityType.MULTIPLE
    assert DisabilityType.parse("ganda") is DisabilityType.MULTIPLE
    with pytest.raises(ValueError, match="'multiple' \\(ganda\\) is derived"):
        Disability(types={DisabilityType.MULTIPLE})
    # a type alone is the Dinsos view; the count follows the WG answers
    assert not Disability(types={DisabilityType.PHYSICAL}).has_disability


def _has(record: Any, name: str = "has_disability") -> Any:
    return dimension_values(record, [name])[0]


@pytest.mark.parametrize(
    ("disability", "counted"),
    [(Disability(some={D.WALKING}), False), (Disability(a_lot={D.WALKING}), True)],
)
def test_records_hold_a_disability_and_count_by_the_cut_off(
    disability: Disability, counted: bool
) -> None:
    member = Member(
        "m1", "g", "Kartini", Sex.FEMALE, {"pkk"}, date(2025, 1, 1), disability=disability
    )
    business = Business(
        "b1", "g", "Warung", "Inaq", Sex.FEMALE, "trade", owner_disability=disability
    )
    case = Case(
        "c1",
        "g",
        "52.03.17.2003",
        date(2025, 1, 1),
        IntakeChannel.WALK_IN,
        CaseCategory.DISABILITY_SUPPORT,
        Subject(Sex.FEMALE, disability=disability),
    )
    assert member.has_disability is counted
    assert _has(member) is counted
    assert _has(business, "owner_has_disability") is counted
    assert _has(case) is counted
    assert case.subject.disability is disability


def test_a_set_of_domains_is_the_shape_before_model_v2() -> None:
    old = Member(
        "m1", "g", "Kartini", Sex.FEMALE, {"pkk"}, date(2025, 1, 1), disability={D.WALKING}
    )
    assert old.disability == Disability(a_lot={D.WALKING})
    assert old.has_disability
    assert as_disability(["hearing", "Penglihatan"]) == Disability(a_lot={D.HEARING, D.SEEING})
    assert as_disability(()) is NO_DISABILITY
    assert as_disability(None) is NO_DISABILITY
    assert as_disability(Disability()) is NO_DISABILITY  # empties are shared
    with pytest.raises(TypeError, match="not str"):
        as_disability("walking")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["walking"], {"a_lot": ["walking"]}),
        (["seeing", "hearing"], {"a_lot": ["seeing", "hearing"]}),
        ([], {"a_lot": []}),
        (("cognition",), {"a_lot": ["cognition"]}),
    ],
)
def test_the_old_plain_data_upgrades_to_a_lot_of_difficulty(old: Any, new: Any) -> None:
    assert upgrade_disability_data(old) == new
    read = structure(
        {"id": "m1", "group_id": "g", "name": "N", "sex": "female", "affiliations": ["pkk"]}
        | {"joined_on": "2025-01-01", "disability": old},
        Member,
    )
    assert read.has_disability is bool(old)
    assert read.disability.a_lot == set(old)


@pytest.mark.parametrize("value", [{"a_lot": ["seeing"]}, {}, None, "seeing", 3, {"some": ["x"]}])
def test_anything_else_is_left_for_the_converter(value: Any) -> None:
    assert upgrade_disability_data(value) is value


def test_the_converter_reads_the_old_shape_wherever_a_disability_is() -> None:
    assert VALUE_UPGRADES[Disability] is upgrade_disability_data
    case_subject = structure(
        {"sex": "female", "disability": ["Pendengaran"]},
        Subject,  # a case's subject
    )
    assert case_subject.disability == Disability(a_lot={D.HEARING})
    business = structure(
        {
            "id": "b1",
            "group_id": "g",
            "name": "Warung",
            "owner_name": "Inaq",
            "owner_sex": "female",
            "sector": "trade",
            "owner_disability": ["walking"],
        },
        Business,
    )
    assert business.owner_disability.has_disability


def test_the_new_shape_round_trips_and_bad_data_is_explained() -> None:
    disability = Disability(
        question_set=FunctioningSet.CFM_5_17,
        some={D.LEARNING},
        a_lot={D.ANXIETY},
        cannot={D.WALKING},
        types={DisabilityType.PHYSICAL, DisabilityType.MENTAL},
        accommodations={AccommodationNeed.ACCESSIBLE_TRANSPORT},
    )
    subject = Subject(Sex.MALE, age_years=12, disability=disability)
    data = unstructure(subject)
    assert data["disability"] == {
        "question_set": "cfm_5_17",
        "some": ["learning"],
        "a_lot": ["anxiety"],
        "cannot": ["walking"],
        "types": ["mental", "physical"],
        "accommodations": ["accessible_transport"],
    }
    assert structure(data, Subject) == subject
    data["disability"]["a_lot"] = ["anxiety", "cognition"]
    with pytest.raises(ValidationError, match="'cognition' not asked by cfm_5_17"):
        structure(data, Subject)
    data["disability"]["a_lot"] = ["anxeity"]
    with pytest.raises(ValidationError, match="did you mean 'anxiety'"):
        structure(data, Subject)


@given(disabilities())
def test_generated_disabilities_are_valid_and_round_trip(disability: Disability) -> None:
    assert disability.domains <= disability.question_set.domains
    assert structure(unstructure(Subject(Sex.FEMALE, disability=disability)), Subject) == (
        Subject(Sex.FEMALE, disability=disability)
    )


@given(members())
def test_generated_members_count_by_the_cut_off(member: Member) -> None:
    assert member.has_disability == bool(member.disability.a_lot | member.disability.cannot)
    assert structure(unstructure(member), Member) == member


@given(businesses())
def test_generated_businesses_round_trip(business: Business) -> None:
    assert structure(unstructure(business), Business) == business


def test_the_disability_lists_are_code_lists_with_sources() -> None:
    for name in ("difficulty_level", "functioning_set", "disability_type", "accommodation_need"):
        assert CODE_LISTS[name].source
    assert "UU 8/2016" in CODE_LISTS["disability_type"].source
    assert {t.value for t in DisabilityType} == {
        "physical",
        "intellectual",
        "mental",
        "sensory",
        "multiple",
    }
    assert AccommodationNeed.parse("JBI") is AccommodationNeed.SIGN_LANGUAGE_INTERPRETER
