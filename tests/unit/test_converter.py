"""The converter: records ⇄ plain data, and every problem of bad input named by its path."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from kk_core.case_lifecycle import assign_companion, report_case
from kk_core.cases import Assent, Case, Consent, Subject, ViolenceIncident
from kk_core.codes import (
    Affiliation,
    AssentDecision,
    CaseCategory,
    ConsentGiver,
    DisabilityDomain,
    IncidentPlace,
    IntakeChannel,
    Sex,
    ViolenceForm,
)
from kk_core.converter import converter, structure, structure_many, unstructure
from kk_core.errors import KKError, Problem, ValidationError
from kk_core.groups import Member
from kk_core.meetings import Meeting, Speaker
from kk_core.outreach import Audience

WITA = timezone(timedelta(hours=8))


def a_case() -> Case:
    case = Case(
        "c1",
        "kk-teros",
        "52.03.12.2005",
        date(2025, 2, 13),
        IntakeChannel.WALK_IN,
        CaseCategory.VIOLENCE,
        Subject(
            Sex.FEMALE,
            birth_year=2010,
            birth_month=5,
            disability={DisabilityDomain.HEARING, DisabilityDomain.COGNITION},
        ),
        violence=ViolenceIncident(
            {ViolenceForm.PSYCHOLOGICAL, ViolenceForm.PHYSICAL}, IncidentPlace.HOUSEHOLD
        ),
        consent=Consent(
            ConsentGiver.PARENT,
            date(2025, 2, 13),
            services={"uptd_ppa"},
            assent=Assent(AssentDecision.GIVEN, date(2025, 2, 13)),
        ),
    )
    case, _ = report_case(case, at=datetime(2025, 2, 13, 9, 30, tzinfo=WITA))
    return assign_companion(case, "m1", at=datetime(2025, 2, 13, 10, tzinfo=WITA))[0]


def case_data(**changes: Any) -> dict[str, Any]:
    data = unstructure(a_case())
    data.update(changes)
    return data


def problems(data: Any, cls: Any = "case", **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        structure(data, cls, **kwargs)
    return {p.path: p.message for p in info.value.problems}


# --------------------------------------------------------------------------- wire format


def test_wire_format() -> None:
    data = unstructure(a_case())
    assert data["reported_on"] == "2025-02-13"
    assert data["channel"] == "walk_in"
    assert data["category"] == "violence"
    assert (data["subject"]["birth_year"], data["subject"]["birth_month"]) == (2010, 5)
    assert data["subject"]["disability"] == {  # sets: sorted lists
        "question_set": "wg_ss",
        "some": [],
        "a_lot": ["cognition", "hearing"],
        "cannot": [],
        "types": [],
        "accommodations": [],
    }
    assert data["violence"]["forms"] == ["physical", "psychological"]
    assert data["timeline"][0] == {
        "at": "2025-02-13T09:30:00+08:00",
        "action": "report",
        "source": "reported",
        "target": "reported",
        "actor_id": None,
        "note": "",
        "ref": None,
    }
    assert data["status"] == "active"
    assert json.loads(json.dumps(data)) == data


def test_tuples_are_lists_and_keep_their_order() -> None:
    meeting = Meeting(
        "mt1",
        "g",
        "Rapat KK",
        date(2025, 2, 13),
        agenda=["Pembukaan", "Diskusi", "Anggaran"],
        speakers=[Speaker("Ibu Kades", role="Kepala Desa")],
        member_ids={"m2", "m1"},
        attendance=Audience(10, 8, 2),
    )
    data = unstructure(meeting)
    assert data["agenda"] == ["Pembukaan", "Diskusi", "Anggaran"]
    assert data["member_ids"] == ["m1", "m2"]
    assert data["attendance"] == {"female": 10, "male": 8, "with_disability": 2}
    assert structure(data, Meeting) == meeting


def test_round_trip_by_kind_name_and_by_class() -> None:
    case = a_case()
    assert structure(unstructure(case), "case") == case
    assert structure(unstructure(case), Case) == case
    assert converter.structure(unstructure(case), Case) == case


def test_labels_and_loose_spelling_are_accepted_on_input() -> None:
    data = case_data(channel="Datang langsung", category="KEKERASAN")
    data["subject"]["sex"] = "Perempuan"
    # the shape before model v2 (a list of domains: a lot of difficulty), by label too
    data["subject"]["disability"] = ["Pendengaran", "hearing", "Remembering or concentrating"]
    case: Case = structure(data, "case")
    assert case == a_case()
    assert unstructure(case)["channel"] == "walk_in"  # codes on the way out


def test_open_list_fields_take_codes_and_say_how_to_read_a_label() -> None:
    data = case_data()
    data["violence"]["place"] = "rumah tangga"
    found = problems(data)
    assert "case.violence.place" in found
    assert "read a label with the code list's lookup" in found["case.violence.place"]


def test_time_zones_survive() -> None:
    data = case_data()
    data["timeline"][0]["at"] = "2025-02-13T01:30:00Z"
    case: Case = structure(data, "case")
    assert case.timeline[0].at == datetime(2025, 2, 13, 1, 30, tzinfo=UTC)
    assert case.timeline[0].at.utcoffset() == timedelta(0)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown record kind 'kasus'"):
        structure({}, "kasus")


# --------------------------------------------------------------------------- errors


def test_every_problem_is_listed_with_its_path() -> None:
    data = case_data(reported_on="13/02/2025", channel="walkin", bogus=1)
    data["violence"]["occurred_on"] = "2010-13-01"
    data["subject"]["sex"] = "wanita"
    data["timeline"][1]["at"] = "2025-02-13T10:00:00"
    with pytest.raises(ValidationError) as info:
        structure(data, "case")
    err = info.value
    assert isinstance(err, KKError)
    assert isinstance(err, ValueError)
    assert err.subject == "case"
    found = {p.path: p.message for p in err.problems}
    assert found == {
        "case.reported_on": "'13/02/2025' is not an ISO date like '2025-02-13'",
        "case.channel": "'walkin' is not a known intake_channel; did you mean 'walk_in'?",
        "case.violence.occurred_on": "'2010-13-01' is not an ISO date like '2025-02-13'",
        "case.subject.sex": "'wanita' is not a known sex",
        "case.timeline[1].at": (
            "'2025-02-13T10:00:00' has no time zone (add '+08:00' for WITA, 'Z' for UTC)"
        ),
        "case": "unknown field(s): bogus",
    }
    text = str(err)
    assert text.startswith("invalid case (6 problems):")
    assert "  - case.violence.occurred_on: '2010-13-01' is not an ISO date" in text


def test_where_is_put_in_front_of_every_path() -> None:
    data = case_data(reported_on="kemarin")
    data["violence"]["occurred_on"] = "2010-13-01"
    found = problems(data, where="cases.csv:12")
    assert set(found) == {"cases.csv:12:case.reported_on", "cases.csv:12:case.violence.occurred_on"}


def test_prefixed_puts_a_location_in_front() -> None:
    err = ValidationError([Problem("case.id", "missing"), Problem("", "bad row")], subject="case")
    moved = err.prefixed("kobo:row 3")
    assert [p.path for p in moved.problems] == ["kobo:row 3.case.id", "kobo:row 3"]
    assert str(Problem("", "bad row")) == "bad row"
    assert moved.subject == "case"
    assert "1 problem)" in str(ValidationError([Problem("x", "y")]))


def test_missing_fields_are_named() -> None:
    found = problems({"id": "c1", "group_id": "g"})
    assert found == {
        "case.village_id": "required field missing",
        "case.reported_on": "required field missing",
        "case.channel": "required field missing",
        "case.category": "required field missing",
        "case.subject": "required field missing",
    }


def test_unknown_fields_are_refused_at_any_depth() -> None:
    data = case_data(nama_korban="X", nik="5203121234560001")
    data["subject"]["name"] = "Y"
    found = problems(data)
    assert found["case"] == "unknown field(s): nama_korban, nik"
    assert found["case.subject"] == "unknown field(s): name"


@pytest.mark.parametrize(
    "value", ["2025-02-13T09:30:00", "2025-02-13 09:30", datetime(2025, 2, 13, 9, 30)]
)
def test_naive_datetimes_are_refused(value: Any) -> None:
    data = case_data()
    data["timeline"][0]["at"] = value
    found = problems(data)
    assert list(found) == ["case.timeline[0].at"]
    assert "has no time zone" in found["case.timeline[0].at"]


def test_aware_datetime_objects_are_accepted() -> None:
    data = case_data()
    data["timeline"][0]["at"] = datetime(2025, 2, 13, 9, 30, tzinfo=WITA)
    assert structure(data, "case") == a_case()


def test_bool_is_refused_for_an_int() -> None:
    assert problems(case_data(version=True)) == {
        "case.version": "expected a whole number, got True"
    }
    data = case_data()
    data["subject"]["age_years"] = False
    assert problems(data) == {"case.subject.age_years": "expected a whole number, got False"}


def test_other_wrong_types_are_named() -> None:
    data = case_data(id=12, timeline={"at": "x"})
    data["consent"]["to_share_data"] = "ya"
    data["subject"]["disability"] = "hearing"
    data["subject"]["age_years"] = 3.5
    found = problems(data)
    assert found["case.id"] == "expected text, got int"
    assert found["case.consent.to_share_data"] == "expected true or false, got 'ya'"
    assert found["case.subject.disability"] == "invalid value for Disability"
    assert found["case.subject.age_years"] == "expected a whole number, got 3.5"
    assert found["case.timeline"] == "expected a list, got dict"


@pytest.mark.parametrize("value", ["ev1", {"ev1": 1}, 7])
def test_text_is_not_taken_for_a_list(value: Any) -> None:
    from kk_core.advocacy import AdvocacyProposal
    from kk_core.codes import Forum

    data = unstructure(AdvocacyProposal("a1", "g", "Rumah aman", Forum.MUSYAWARAH_DESA))
    data["evidence"] = value
    data["issue_areas"] = value
    found = problems(data, AdvocacyProposal)
    kind = type(value).__name__
    assert found == {
        "advocacy_proposal.evidence": f"expected a list, got {kind}",
        "advocacy_proposal.issue_areas": f"expected a list, got {kind}",
    }


def test_whole_numbers_written_as_text_are_read() -> None:
    assert structure(case_data(version="3"), "case").version == 3


def test_invariants_are_reported_as_problems() -> None:
    data = case_data(category="school_dropout")  # violence details on a dropout case
    assert problems(data) == {"case.violence": "is recorded only on a case with the issue violence"}
    data = case_data()
    data["subject"]["identity"] = "5203121234560001"
    data["violence"]["forms"] = []
    found = problems(data)
    assert found == {
        "case.subject.identity": "holds an identity number in clear; pseudonymise it first",
        "case.violence.forms": "has at least one form of violence",
    }


def test_a_field_refused_by_its_validator_is_named_in_the_path() -> None:
    data = case_data(version=-3)
    data["subject"]["age_years"] = 500
    assert problems(data) == {
        "case.subject.age_years": "must be between 0 and 130",
    }
    assert problems(case_data(version=-3)) == {"case.version": "must not be negative, got -3"}
    assert problems(case_data(group_id="5203 1212 3456 0001")) == {
        "case.group_id": "holds an identity number (NIK); use another id (a NIK is kept only as "
        "a pseudonym, in subject.identity)"
    }


def test_not_an_object_is_a_validation_error() -> None:
    assert problems([1, 2], "member") == {"member": "expected an object of fields, got list"}
    assert problems("case", where="x.csv:2") == {
        "x.csv:2:case": "expected an object of fields, got str"
    }


# --------------------------------------------------------------------------- batches


def member_row(i: int, **changes: Any) -> dict[str, Any]:
    data = unstructure(
        Member(f"m{i}", "g", f"Anggota {i}", Sex.MALE, [Affiliation.YOUTH], date(2024, 1, 1))
    )
    data.update(changes)
    return data


def test_structure_many_keeps_good_records_and_reports_bad_ones() -> None:
    rows = [
        ("members.csv:2", member_row(1)),
        ("members.csv:3", member_row(2, sex="x", joined_on="kemarin")),
        ("members.csv:4", member_row(3)),
        ("members.csv:5", member_row(4, affiliations=[])),
        ("members.csv:6", member_row(5, sex="Laki-laki")),
    ]
    good, bad = structure_many(rows, Member)
    assert [m.id for m in good] == ["m1", "m3", "m5"]
    assert len(bad) == 2
    assert {p.path for p in bad[0].problems} == {
        "members.csv:3:member.sex",
        "members.csv:3:member.joined_on",
    }
    assert [str(p) for p in bad[1].problems] == [
        "members.csv:5:member: a member has at least one affiliation (use 'other' when none fits)"
    ]


def test_structure_many_with_nothing() -> None:
    assert structure_many([], Member) == ([], [])
