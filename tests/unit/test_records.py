"""Every invariant of every record: a valid record builds, an invalid one says what is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from kk_core import RECORD_KINDS
from kk_core.advocacy import AdvocacyProposal
from kk_core.cases import Case, Consent, Perpetrator, Subject, ViolenceIncident, age_on
from kk_core.codes import (
    Affiliation,
    AgeBand,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ConsentGiver,
    DisabilityDomain,
    Division,
    Forum,
    GroupFunction,
    IncidentPlace,
    IntakeChannel,
    Penetration,
    Position,
    ProposalStatus,
    PublicationChannel,
    ReferralStatus,
    ServiceKind,
    SessionFormat,
    Sex,
    SocialProgramme,
    SupportStatus,
    SupportType,
    ViolenceForm,
)
from kk_core.economy import Business, SupportAction
from kk_core.errors import UnknownKindError
from kk_core.groups import ConstituentGroup, Member
from kk_core.kinds import kind_of, record_type
from kk_core.lifecycle import Event
from kk_core.meetings import Meeting, Speaker
from kk_core.outreach import Audience, InformationSession, Publication
from kk_core.places import Hamlet, Village, is_region_code, regency_code_of
from kk_core.privacy import pseudonymise
from kk_core.referrals import Referral, ServiceProvider

WITA = timezone(timedelta(hours=8))
DAY = date(2025, 2, 13)
KEY = b"0123456789abcdef"


def at(day: date = DAY, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=WITA)


# --------------------------------------------------------------------------- places


def test_village_is_keyed_by_its_kemendagri_code() -> None:
    v = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")
    assert v.code == "52.03.17.2003"
    assert v.regency_code == "52.03" == regency_code_of(v.id)
    assert Village.kind == "village"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "52.03.12.205",
        "52.03.12.20055",
        "52-03-12-2005",
        "5203122005",
        "00.03.12.2005",
        "52.00.12.2005",
        "52.03.00.2005",
        "52.03.12.0000",
        "52.03.12.2005 ",
        "ab.cd.ef.ghij",
        "52.3.12.2005",
    ],
)
def test_village_refuses_anything_but_a_village_code(code: str) -> None:
    assert not is_region_code(code)
    with pytest.raises(ValueError, match="is not a Kemendagri village code"):
        Village(code, "Teros", "", "", "")
    with pytest.raises(ValueError, match=r"village_id .* is not a Kemendagri village code"):
        Hamlet("h1", code, "Lendang")


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_village_and_hamlet_need_a_name(name: str) -> None:
    with pytest.raises(ValueError, match="name must not be empty"):
        Village("52.03.12.2005", name, "", "", "")
    with pytest.raises(ValueError, match="name must not be empty"):
        Hamlet("h1", "52.03.12.2005", name)
    with pytest.raises(ValueError, match="id must not be empty"):
        Hamlet(name, "52.03.12.2005", "Lendang")


# --------------------------------------------------------------------------- group, members


def test_group_serves_all_four_functions_by_default() -> None:
    g = ConstituentGroup("kk-teros", "52.03.12.2005", "KK Teros")
    assert g.functions == frozenset(GroupFunction)
    assert ConstituentGroup(
        "g", "52.03.12.2005", "n", functions=[GroupFunction.ADVOCACY]
    ).functions == {GroupFunction.ADVOCACY}


@pytest.mark.parametrize("field", ["id", "village_id", "name"])
def test_group_needs_id_village_and_name(field: str) -> None:
    values: dict[str, Any] = {"id": "g", "village_id": "52.03.12.2005", "name": "KK"}
    values[field] = " "
    message = "is not a Kemendagri village code" if field == "village_id" else "must not be empty"
    with pytest.raises(ValueError, match=f"{field} .*{message}|{field} {message}"):
        ConstituentGroup(**values)


def member(**changes: Any) -> Member:
    values: dict[str, Any] = {
        "id": "m1",
        "group_id": "g",
        "name": "Baiq Nurul",
        "sex": Sex.FEMALE,
        "affiliations": [Affiliation.PKK],
        "joined_on": DAY,
    }
    values.update(changes)
    return Member(**values)


def test_member_defaults_and_helpers() -> None:
    m = member(left_on=date(2025, 12, 31), disability={DisabilityDomain.HEARING})
    assert m.position is Position.MEMBER
    assert m.affiliations == {Affiliation.PKK}
    assert m.has_disability
    assert m.is_active_on(DAY)
    assert m.is_active_on(date(2025, 12, 31))
    assert not m.is_active_on(DAY - timedelta(days=1))
    assert not m.is_active_on(date(2026, 1, 1))
    assert member(lives_in_village=False).lives_in_village is False


def test_member_has_at_least_one_affiliation() -> None:
    with pytest.raises(ValueError, match="at least one affiliation"):
        member(affiliations=[])


@pytest.mark.parametrize("divisions", [[], [Division.ECONOMY, Division.DATA]])
def test_division_coordinator_coordinates_exactly_one_division(divisions: list[Division]) -> None:
    with pytest.raises(ValueError, match="exactly one division"):
        member(position=Position.DIVISION_COORDINATOR, divisions=divisions)
    ok = member(position=Position.DIVISION_COORDINATOR, divisions=[Division.COMPLAINTS])
    assert ok.divisions == {Division.COMPLAINTS}


def test_member_may_sit_in_several_divisions() -> None:
    assert len(member(divisions=list(Division)).divisions) == 4


def test_member_cannot_leave_before_joining() -> None:
    with pytest.raises(ValueError, match=r"left_on \(2025-02-12\) is before 2025-02-13"):
        member(left_on=DAY - timedelta(days=1))
    assert member(left_on=DAY).left_on == DAY


@pytest.mark.parametrize("year", [1899, 2101, -5, 0, 25])
def test_member_birth_year_is_plausible(year: int) -> None:
    with pytest.raises(ValueError, match=f"birth_year {year} is not a plausible year"):
        member(birth_year=year)


@pytest.mark.parametrize("field", ["id", "group_id", "name"])
def test_member_needs_id_group_and_name(field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must not be empty"):
        member(**{field: ""})


# --------------------------------------------------------------------------- subject, case


def test_age_from_the_birth_month_is_the_youngest_it_can_be() -> None:
    # DAY is 2025-02-14: born in February 2010, the subject may be 15 already or still 14
    assert age_on(2010, 2, DAY) == 14
    assert age_on(2010, 1, DAY) == 15
    assert age_on(2010, None, DAY) == 14  # the month unknown too: the youngest
    assert age_on(2026, 1, DAY) == 0  # born after the day: never a negative age


def test_a_birth_month_needs_its_year() -> None:
    with pytest.raises(ValueError, match="birth_month is given with the birth_year"):
        Subject(Sex.FEMALE, birth_month=3)
    with pytest.raises(ValueError, match="birth_month must be a month"):
        Subject(Sex.FEMALE, birth_year=2010, birth_month=13)


@pytest.mark.parametrize("age", [-1, 131, 5203121234560001])
def test_subject_age_is_plausible(age: int) -> None:
    with pytest.raises(ValueError, match="age_years must be between 0 and 130"):
        Subject(Sex.MALE, age_years=age)


@pytest.mark.parametrize("initials", ["Siti Nurhaliza", "S.N.1", "5203121234560001", "A_B"])
def test_subject_initials_are_initials_only(initials: str) -> None:
    with pytest.raises(ValueError, match="initials only"):
        Subject(Sex.FEMALE, initials=initials)


def test_subject_repr_hides_initials_and_pseudonym() -> None:
    subject = Subject(Sex.FEMALE, initials="S.N.", identity=pseudonymise("5203121234560001", KEY))
    assert "S.N." not in repr(subject)
    assert "p1:" not in repr(subject)


def test_subject_identity_is_a_pseudonym_only() -> None:
    pseudo = pseudonymise("5203121234560001", KEY)
    assert Subject(Sex.FEMALE, identity=pseudo).identity == pseudo
    with pytest.raises(ValueError, match="identity number in clear"):
        Subject(Sex.FEMALE, identity="5203121234560001")
    with pytest.raises(ValueError, match="not a pseudonym"):
        Subject(Sex.FEMALE, identity="abc")


def test_violence_incident_needs_a_form_and_takes_perpetrators() -> None:
    incident = ViolenceIncident([ViolenceForm.PHYSICAL], IncidentPlace.HOUSEHOLD)
    assert incident.place == "household"  # a core member is kept as its code
    assert incident.perpetrators == ()
    with pytest.raises(ValueError, match="at least one form"):
        ViolenceIncident([], IncidentPlace.HOUSEHOLD)
    with pytest.raises(ValueError, match="place takes a code"):
        ViolenceIncident([ViolenceForm.PHYSICAL], "Rumah tangga")
    with pytest.raises(ValueError, match="penetration is recorded for sexual violence only"):
        ViolenceIncident([ViolenceForm.PHYSICAL], "household", penetration=Penetration.YES)


def test_a_perpetrator_child_or_adult_is_consistent() -> None:
    assert Perpetrator("teacher", age_years=40).child is False
    assert Perpetrator("friend", age_band=AgeBand.AGE_13_17).child is True
    assert Perpetrator("unknown", is_child=True).child is True
    assert Perpetrator().child is None
    with pytest.raises(ValueError, match="is_child disagrees with the age 40"):
        Perpetrator("teacher", age_years=40, is_child=True)
    with pytest.raises(ValueError, match="age_band is age_13_17 but the age is 40"):
        Perpetrator("teacher", age_years=40, age_band=AgeBand.AGE_13_17)


def test_consent_is_scoped_to_kinds_of_service() -> None:
    consent = Consent(ConsentGiver.SELF, DAY, services={ServiceKind.PUSKESMAS, "uptd_ppa"})
    assert consent.services == {"puskesmas", "uptd_ppa"}
    assert not consent.refused
    assert Consent(ConsentGiver.NONE, DAY).refused


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ({"services": {"puskesmas"}}, "services is empty when no consent was given"),
        ({"to_share_data": True}, "to_share_data is false when no consent was given"),
    ],
)
def test_no_consent_cannot_consent_to_anything(scope: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Consent(ConsentGiver.NONE, DAY, **scope)


def test_a_best_interest_decision_gives_its_reason_and_approver() -> None:
    with pytest.raises(ValueError, match="reason for a best-interest decision"):
        Consent(ConsentGiver.BEST_INTEREST, DAY, approved_by="m-ketua")
    decided = Consent(
        ConsentGiver.BEST_INTEREST,
        DAY,
        approved_by="m-ketua",
        note="Ayah pelaku; ibu di luar negeri",
    )
    assert decided.approved_by == "m-ketua"


def case(**changes: Any) -> Case:
    values: dict[str, Any] = {
        "id": "c1",
        "group_id": "g",
        "village_id": "52.03.12.2005",
        "reported_on": DAY,
        "channel": IntakeChannel.WALK_IN,
        "category": CaseCategory.SCHOOL_DROPOUT,
        "subject": Subject(Sex.FEMALE, birth_year=2010, birth_month=5, hamlet_id="h1"),
    }
    values.update(changes)
    return Case(**values)


def test_case_defaults_and_derived_values() -> None:
    c = case()
    assert c.status is CaseStatus.REPORTED
    assert c.timeline == ()
    assert c.age_band is AgeBand.AGE_13_17
    assert c.is_child
    assert c.hamlet_id == "h1"
    adult = case(subject=Subject(Sex.MALE, age_years=40))
    assert adult.age_band is AgeBand.AGE_25_44
    assert not adult.is_child
    unknown = case(subject=Subject(Sex.MALE))
    assert unknown.age_band is None
    assert not unknown.is_child


def test_violence_details_only_on_cases_with_the_violence_issue() -> None:
    incident = ViolenceIncident([ViolenceForm.PHYSICAL], IncidentPlace.HOUSEHOLD)
    assert case(category=CaseCategory.VIOLENCE, violence=incident).violence == incident
    secondary = case(issues={CaseCategory.VIOLENCE}, violence=incident)
    assert secondary.all_issues == {CaseCategory.SCHOOL_DROPOUT, CaseCategory.VIOLENCE}
    for category in set(CaseCategory) - {CaseCategory.VIOLENCE}:
        with pytest.raises(ValueError, match="violence is recorded only on a case with the issue"):
            case(category=category, violence=incident)


def test_the_primary_category_is_not_a_secondary_issue() -> None:
    with pytest.raises(ValueError, match="issues holds the primary category school_dropout"):
        case(issues={CaseCategory.SCHOOL_DROPOUT})


def test_programme_only_on_cases_with_social_protection() -> None:
    c = case(category=CaseCategory.SOCIAL_PROTECTION, programme=SocialProgramme.PKH)
    assert c.programme == "pkh"
    for category in set(CaseCategory) - {CaseCategory.SOCIAL_PROTECTION}:
        with pytest.raises(ValueError, match="programme is recorded only on a case with the issue"):
            case(category=category, programme="bpnt")


def test_closed_case_has_outcome_and_closing_date() -> None:
    closed = case(status=CaseStatus.CLOSED, outcome=CaseOutcome.RESOLVED, closed_on=DAY)
    assert closed.closed_on == DAY
    with pytest.raises(ValueError, match="a closed case has an outcome and a closed_on date"):
        case(status=CaseStatus.CLOSED, closed_on=DAY)
    with pytest.raises(ValueError, match="a closed case has an outcome and a closed_on date"):
        case(status=CaseStatus.CLOSED, outcome=CaseOutcome.RESOLVED)


@pytest.mark.parametrize("status", [CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED])
def test_open_case_has_no_closing_date(status: CaseStatus) -> None:
    with pytest.raises(
        ValueError, match=f"closed_on or outcome is set but the case is {status.value}"
    ):
        case(status=status, closed_on=DAY)
    with pytest.raises(
        ValueError, match=f"closed_on or outcome is set but the case is {status.value}"
    ):
        case(status=status, outcome=CaseOutcome.RESOLVED)


def test_case_dates_follow_each_other() -> None:
    with pytest.raises(ValueError, match="birth_year is after the date the case was reported"):
        case(subject=Subject(Sex.FEMALE, birth_year=2025, birth_month=3))
    with pytest.raises(
        ValueError, match=r"violence\.occurred_on 2025-02-14 is after the report date 2025-02-12"
    ):
        case(
            category=CaseCategory.VIOLENCE,
            violence=ViolenceIncident(
                [ViolenceForm.PHYSICAL],
                IncidentPlace.HOUSEHOLD,
                occurred_on=DAY - timedelta(days=-1),
            ),
            reported_on=DAY - timedelta(days=1),
        )


def test_case_status_matches_its_last_event() -> None:
    report = Event(at(hour=10), "report", "reported", "reported")
    assert case(timeline=[report]).status is CaseStatus.REPORTED
    with pytest.raises(
        ValueError, match="status is active but the last event left the case reported"
    ):
        case(status=CaseStatus.ACTIVE, timeline=[report])


def test_case_cannot_close_before_it_was_reported() -> None:
    with pytest.raises(ValueError, match=r"closed_on \(2025-02-12\) is before 2025-02-13"):
        case(
            status=CaseStatus.CLOSED,
            outcome=CaseOutcome.RESOLVED,
            closed_on=DAY - timedelta(days=1),
        )


def test_case_timeline_never_goes_back_in_time() -> None:
    first = Event(at(hour=10), "report", "reported", "reported")
    earlier = Event(at(hour=9), "note", "reported", "reported", note="x")
    same = Event(at(hour=10), "note", "reported", "reported", note="y")
    assert case(timeline=[first, same]).timeline == (first, same)
    with pytest.raises(ValueError, match="timeline goes back in time at 2025-02-13T09:00:00"):
        case(timeline=[first, earlier])


def test_timeline_compares_instants_across_time_zones() -> None:
    wita = Event(at(hour=10), "report", "reported", "reported")  # 02:00 UTC
    utc_later = Event(datetime(2025, 2, 13, 3, tzinfo=UTC), "note", "reported", "reported")
    assert len(case(timeline=[wita, utc_later]).timeline) == 2
    utc_earlier = Event(datetime(2025, 2, 13, 1, tzinfo=UTC), "note", "reported", "reported")
    with pytest.raises(ValueError, match="back in time"):
        case(timeline=[wita, utc_earlier])


@pytest.mark.parametrize("field", ["id", "group_id", "village_id"])
def test_case_needs_its_ids(field: str) -> None:
    message = "is not a Kemendagri village code" if field == "village_id" else "must not be empty"
    with pytest.raises(ValueError, match=f"{field} .*{message}|{field} {message}"):
        case(**{field: " "})


def test_event_time_has_a_time_zone() -> None:
    with pytest.raises(ValueError, match="event time 2025-02-13T09:00:00 has no time zone"):
        Event(datetime(2025, 2, 13, 9), "report", None, "reported")
    assert Event(at(), "report", None, "reported").source is None


# --------------------------------------------------------------------------- referrals


def test_service_provider() -> None:
    p = ServiceProvider("uptd", ServiceKind.UPTD_PPA, "UPTD PPA Lombok Timur", area="52.03")
    assert p.kind == "service_provider"
    with pytest.raises(ValueError, match="name must not be empty"):
        ServiceProvider("uptd", ServiceKind.UPTD_PPA, "")


def referral(**changes: Any) -> Referral:
    values: dict[str, Any] = {
        "id": "r1",
        "case_id": "c1",
        "provider_id": "uptd",
        "reason": "Pendampingan psikologis",
        "sent_on": DAY,
        "consent_given": True,
    }
    values.update(changes)
    return Referral(**values)


def test_referral_needs_consent_or_an_override() -> None:
    from kk_core.codes import OverrideReason

    with pytest.raises(ValueError, match="a referral needs consent or an override reason"):
        referral(consent_given=False)
    ok = referral(consent_given=False, override=OverrideReason.CHILD_AT_RISK)
    assert ok.override is OverrideReason.CHILD_AT_RISK


def test_referral_dates_run_forwards() -> None:
    with pytest.raises(ValueError, match=r"responded_on \(2025-02-12\) is before 2025-02-13"):
        referral(responded_on=DAY - timedelta(days=1))
    with pytest.raises(ValueError, match=r"completed_on \(2025-02-12\) is before 2025-02-13"):
        referral(completed_on=DAY - timedelta(days=1))
    with pytest.raises(ValueError, match=r"completed_on \(2025-02-14\) is before 2025-02-15"):
        referral(responded_on=date(2025, 2, 15), completed_on=date(2025, 2, 14))


def test_completed_referral_has_outcome_and_date() -> None:
    done = referral(
        status=ReferralStatus.COMPLETED, outcome="Visum done", responded_on=DAY, completed_on=DAY
    )
    assert not done.is_open
    with pytest.raises(ValueError, match="a completed referral has an outcome"):
        referral(status=ReferralStatus.COMPLETED, responded_on=DAY, completed_on=DAY)
    with pytest.raises(ValueError, match="completed_on is set exactly when"):
        referral(status=ReferralStatus.COMPLETED, responded_on=DAY, outcome="done")
    with pytest.raises(ValueError, match="completed_on is set exactly when"):
        referral(completed_on=DAY)
    with pytest.raises(ValueError, match="a referral that is accepted has a responded_on date"):
        referral(status=ReferralStatus.ACCEPTED)
    with pytest.raises(ValueError, match=r"follow_up_due \(2025-02-01\) is before"):
        referral(follow_up_due=date(2025, 2, 1))


@pytest.mark.parametrize("field", ["id", "case_id", "provider_id", "reason"])
def test_referral_needs_ids_and_reason(field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must not be empty"):
        referral(**{field: ""})


def test_referral_open_and_overdue() -> None:
    r = referral(follow_up_due=date(2025, 2, 20))
    assert r.is_open
    assert not r.is_overdue(date(2025, 2, 20))
    assert r.is_overdue(date(2025, 2, 21))
    assert not referral().is_overdue(date(2030, 1, 1))
    declined = referral(
        status=ReferralStatus.DECLINED, responded_on=DAY, follow_up_due=date(2025, 2, 20)
    )
    assert not declined.is_open
    assert not declined.is_overdue(date(2030, 1, 1))


# --------------------------------------------------------------------------- economy


def test_business() -> None:
    b = Business("b1", "g", "Tenun Teros", "Inaq Sahnun", Sex.FEMALE, "handicraft")
    assert not b.owner_disability
    assert b.owner_disability.is_empty
    for field in ("id", "group_id", "name", "owner_name", "sector"):
        values: dict[str, Any] = attrs.asdict(b, recurse=False)
        values[field] = ""
        with pytest.raises(ValueError, match=f"{field} must not be empty"):
            Business(**values)


def support(**changes: Any) -> SupportAction:
    values: dict[str, Any] = {
        "id": "s1",
        "business_id": "b1",
        "type": SupportType.PERMIT_NIB,
        "started_on": DAY,
    }
    values.update(changes)
    return SupportAction(**values)


@pytest.mark.parametrize("type_", [t for t in SupportType if not t.is_capital])
def test_amount_only_for_capital_support(type_: SupportType) -> None:
    with pytest.raises(ValueError, match=f"amount_rupiah applies to capital support, not {type_}"):
        support(type=type_, amount_rupiah=5_000_000)


@pytest.mark.parametrize("type_", [t for t in SupportType if t.is_capital])
def test_capital_support_may_record_an_amount(type_: SupportType) -> None:
    assert support(type=type_, amount_rupiah=5_000_000).amount_rupiah == 5_000_000


def test_amount_is_not_negative() -> None:
    with pytest.raises(ValueError, match="amount_rupiah must not be negative"):
        support(type=SupportType.CAPITAL_KUR, amount_rupiah=-1)


@pytest.mark.parametrize("status", list(SupportStatus))
def test_completed_on_exactly_when_achieved_or_failed(status: SupportStatus) -> None:
    done = status in (SupportStatus.ACHIEVED, SupportStatus.FAILED)
    message = "completed_on is set exactly when the support is achieved or failed"
    if done:
        assert support(status=status, completed_on=DAY).completed_on == DAY
        with pytest.raises(ValueError, match=message):
            support(status=status)
    else:
        assert support(status=status).completed_on is None
        with pytest.raises(ValueError, match=message):
            support(status=status, completed_on=DAY)


def test_support_cannot_complete_before_it_started() -> None:
    with pytest.raises(ValueError, match=r"completed_on \(2025-02-12\) is before 2025-02-13"):
        support(status=SupportStatus.ACHIEVED, completed_on=DAY - timedelta(days=1))


# --------------------------------------------------------------------------- outreach


def test_audience_counts() -> None:
    a = Audience(10, 5, 3)
    assert a.total == 15
    assert a + Audience(1, 2, 0) == Audience(11, 7, 3)
    assert Audience().total == 0


@pytest.mark.parametrize("field", ["female", "male", "with_disability"])
def test_audience_counts_are_not_negative(field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must not be negative, got -1"):
        Audience(**{field: -1})


def test_audience_with_disability_within_total() -> None:
    with pytest.raises(ValueError, match=r"with_disability \(6\) exceeds the total \(5\)"):
        Audience(3, 2, 6)
    assert Audience(3, 2, 5).with_disability == 5


def test_publication() -> None:
    p = Publication(
        "p1", "g", "Stop perkawinan anak", "child_marriage", PublicationChannel.RADIO, DAY
    )
    assert p.reach is None
    with pytest.raises(ValueError, match="reach must not be negative"):
        attrs.evolve(p, reach=-1)
    with pytest.raises(ValueError, match="title must not be empty"):
        attrs.evolve(p, title=" ")
    with pytest.raises(ValueError, match="topic must not be empty"):
        attrs.evolve(p, topic="")


def test_information_session() -> None:
    s = InformationSession("s1", "g", "BPJS PBI", SessionFormat.IN_PERSON, DAY)
    assert s.audience == Audience()
    with pytest.raises(ValueError, match="topic must not be empty"):
        attrs.evolve(s, topic="")


# --------------------------------------------------------------------------- advocacy


def proposal(**changes: Any) -> AdvocacyProposal:
    values: dict[str, Any] = {
        "id": "a1",
        "group_id": "g",
        "title": "Rumah aman",
        "forum": Forum.MUSRENBANGDES,
        "cycle_year": 2026,
    }
    values.update(changes)
    return AdvocacyProposal(**values)


@pytest.mark.parametrize(
    "status", [s for s in ProposalStatus if s is not ProposalStatus.FUNDED_APBDES]
)
def test_allocation_only_once_funded(status: ProposalStatus) -> None:
    with pytest.raises(
        ValueError,
        match=f"an allocation is recorded only once funded, not while {status.value}",
    ):
        proposal(status=status, allocated_rupiah=1)


def test_funded_proposal_records_the_allocation() -> None:
    with pytest.raises(ValueError, match="a funded proposal records the rupiah allocated"):
        proposal(status=ProposalStatus.FUNDED_APBDES)
    funded = proposal(status=ProposalStatus.FUNDED_APBDES, allocated_rupiah=0)
    assert funded.allocated_rupiah == 0


def test_rupiah_are_not_negative() -> None:
    with pytest.raises(ValueError, match="requested_rupiah must not be negative"):
        proposal(requested_rupiah=-1)
    with pytest.raises(ValueError, match="allocated_rupiah must not be negative"):
        proposal(status=ProposalStatus.FUNDED_APBDES, allocated_rupiah=-1)


def test_proposal_collections_are_normalised() -> None:
    p = proposal(issue_areas=["child_protection", "child_protection"], evidence=["ev1", "ev2"])
    assert p.issue_areas == frozenset({"child_protection"})
    assert p.evidence == ("ev1", "ev2")


# --------------------------------------------------------------------------- meetings


def test_meeting_attendance_covers_listed_members() -> None:
    with pytest.raises(
        ValueError, match="attendance counts 2 people but 3 members are listed as present"
    ):
        Meeting("mt", "g", "Rapat", DAY, member_ids={"a", "b", "c"}, attendance=Audience(1, 1))
    ok = Meeting("mt", "g", "Rapat", DAY, member_ids={"a", "b"}, attendance=Audience(1, 1))
    assert ok.attendance.total == 2
    # no head count recorded: members alone
    assert Meeting("mt", "g", "Rapat", DAY, member_ids={"a", "b", "c"}).attendance.total == 0


def test_meeting_keeps_agenda_order_and_speakers() -> None:
    speaker = Speaker("Ibu Kades", role="Kepala Desa", topic="Sambutan")
    m = Meeting("mt", "g", "Rapat", DAY, agenda=["Pembukaan", "Diskusi"], speakers=[speaker])
    assert m.agenda == ("Pembukaan", "Diskusi")
    assert m.speakers == (speaker,)
    with pytest.raises(ValueError, match="name must not be empty"):
        Speaker(" ")
    with pytest.raises(ValueError, match="title must not be empty"):
        Meeting("mt", "g", "", DAY)


# --------------------------------------------------------------------------- kinds


def test_every_record_kind_is_frozen_slotted_and_named() -> None:
    for name, cls in RECORD_KINDS.items():
        assert cls.kind == name
        assert record_type(name) is cls
        assert record_type(cls) is cls
        assert attrs.has(cls)
        assert "__slots__" in vars(cls)
        assert "version" in attrs.fields_dict(cls)
        assert "id" in attrs.fields_dict(cls)


def test_records_are_immutable() -> None:
    c = case()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.status = CaseStatus.CLOSED  # type: ignore[misc]
    assert kind_of(c) == "case"


def test_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown record kind 'kasus'; known kinds: village"):
        record_type("kasus")
    with pytest.raises(UnknownKindError, match="Subject is not a record kind"):
        record_type(Subject)
