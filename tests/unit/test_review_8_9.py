"""The review of issues 8 and 9: each finding reproduced as it was found (each of these
tests fails on the model before the review's fixes), numbered as in the review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import pytest

from kk_adapters.memory import MemoryStore
from kk_core import ConstituentGroup, Member, ServiceProvider
from kk_core.case_lifecycle import (
    close_case,
    plan_case,
    record_consent,
    record_legal_step,
    refer_case,
    reopen_case,
    report_case,
    update_case,
)
from kk_core.cases import (
    Assent,
    Case,
    ChildMarriage,
    Consent,
    MarriageParty,
    Perpetrator,
    PlanAction,
    Subject,
    ViolenceIncident,
)
from kk_core.codes import (
    Affiliation,
    AgeBand,
    AssentDecision,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ChildMarriageResult,
    ConsentGiver,
    DisabilityDomain,
    DispensationResult,
    FunctioningSet,
    GbvimsFlag,
    GbvimsType,
    IntakeChannel,
    LegalStage,
    MarriageCourt,
    MarriageRole,
    MarriageRoute,
    OverrideReason,
    Penetration,
    Position,
    Sex,
    TpksForm,
    ViolenceForm,
)
from kk_core.disability import Disability
from kk_core.errors import TransitionError
from kk_core.plugins import Plugins
from kk_core.services import Services

WITA = timezone(timedelta(hours=8))
DAY = date(2025, 3, 3)
T0 = datetime(2025, 3, 3, 9, tzinfo=WITA)
VILLAGE = "52.03.17.2003"  # Desa Teros
YES = Assent(AssentDecision.GIVEN, DAY)
WHY = {"override_note": "wajib lapor menurut UU TPKS", "approved_by": "m-ketua"}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def violence_case(
    *,
    age: int | None = 14,
    perpetrators: tuple[Perpetrator, ...] = (Perpetrator("neighbour", sex=Sex.MALE),),
    forms: frozenset[ViolenceForm] = frozenset({ViolenceForm.SEXUAL}),
    subject: Subject | None = None,
    **violence: object,
) -> Case:
    case = Case(
        "kasus-1",
        "kk-teros",
        VILLAGE,
        DAY,
        IntakeChannel.WALK_IN,
        CaseCategory.VIOLENCE,
        subject or Subject(Sex.FEMALE, age_years=age),
        violence=ViolenceIncident(
            forms,
            "household",
            perpetrators=perpetrators,
            **violence,  # type: ignore[arg-type]
        ),
    )
    return report_case(case, at=T0)[0]


def marriage_case(subject: Subject, marriage: ChildMarriage | None = None) -> Case:
    case = Case(
        "kasus-2",
        "kk-teros",
        VILLAGE,
        DAY,
        IntakeChannel.WALK_IN,
        CaseCategory.CHILD_MARRIAGE,
        subject,
        child_marriage=marriage,
    )
    return report_case(case, at=T0)[0]


# ----------------------------------------------------------------------------- HIGH


def test_1_a_parent_named_a_perpetrator_later_no_longer_consents() -> None:
    case = violence_case(perpetrators=())
    consent = Consent(ConsentGiver.FATHER, DAY, services={"police_ppa"}, assent=YES)
    case = record_consent(case, consent, at=at(1))[0]
    assert case.violence is not None
    father = (Perpetrator("parent", sex=Sex.MALE),)
    case = update_case(
        case, {"violence": attrs.evolve(case.violence, perpetrators=father)}, at=at(2)
    )[0]
    with pytest.raises(TransitionError, match="consent no longer holds: a parent is an alleged"):
        refer_case(case, "r-1", at=at(3), service="police_ppa")
    # the mother, not implicated, consents instead
    mother = Consent(ConsentGiver.MOTHER, DAY, services={"police_ppa"}, assent=YES)
    case = record_consent(case, mother, at=at(4))[0]
    assert refer_case(case, "r-1", at=at(5), service="police_ppa")[0].status is (
        CaseStatus.REFERRED
    )


def test_1_an_upgraded_consent_is_judged_at_the_referral_too() -> None:
    # a 0.1 consent (every core service) given by a parent who is the perpetrator
    case = violence_case(perpetrators=(Perpetrator("parent", sex=Sex.MALE),))
    old = Consent(ConsentGiver.PARENT, DAY, services={"uptd_ppa", "police"}, assent=YES)
    case = attrs.evolve(case, consent=old)  # as the converter reads an old record
    with pytest.raises(TransitionError, match="a parent is an alleged perpetrator"):
        refer_case(case, "r-1", at=at(1), service="uptd_ppa")


def test_2_an_update_cannot_make_a_settled_case_sexual_violence() -> None:
    case = violence_case(
        age=30,
        perpetrators=(Perpetrator("spouse", sex=Sex.MALE, age_years=35),),
        forms=frozenset({ViolenceForm.PHYSICAL}),
    )
    closed = close_case(case, CaseOutcome.SETTLED_FAMILY, at=at(1))[0]
    assert closed.violence is not None
    rape = attrs.evolve(
        closed.violence, forms={ViolenceForm.SEXUAL}, penetration=Penetration.YES
    )  # fmt: skip
    with pytest.raises(TransitionError, match=r"closed as settled_family.*UU TPKS Art\. 23"):
        update_case(closed, {"violence": rape}, at=at(2))
    # reopened, the update goes through; the case then closes by the rules
    reopened = reopen_case(closed, at=at(2), reason="ternyata terjadi perkosaan")[0]
    updated = update_case(reopened, {"violence": rape}, at=at(3))[0]
    with pytest.raises(TransitionError, match=r"UU TPKS Art\. 23"):
        close_case(updated, CaseOutcome.SETTLED_FAMILY, at=at(4), referred_to={"uptd_ppa"})
    # a correction that changes nothing the outcome rests on still goes through
    assert update_case(closed, {"summary": "koreksi"}, at=at(2))[0].status is CaseStatus.CLOSED


def test_2_an_update_cannot_take_the_issue_a_closed_case_ended_with() -> None:
    case = marriage_case(Subject(Sex.FEMALE, age_years=18))
    closed = close_case(case, CaseOutcome.MARRIAGE_PREVENTED, at=at(1), referred_to={"uptd_ppa"})[0]
    with pytest.raises(TransitionError, match="marriage_prevented ends a case with the issue"):
        update_case(closed, {"category": CaseCategory.SCHOOL_DROPOUT}, at=at(2))


def test_2_an_update_making_a_closed_case_sexual_violence_needs_its_referral() -> None:
    case = violence_case(age=30, forms=frozenset({ViolenceForm.PHYSICAL}))
    closed = close_case(case, CaseOutcome.RESOLVED, at=at(1))[0]
    assert closed.violence is not None
    sexual = attrs.evolve(closed.violence, forms={ViolenceForm.SEXUAL})
    with pytest.raises(TransitionError, match="closes after a referral to the UPTD PPA"):
        update_case(closed, {"violence": sexual}, at=at(2))
    assert update_case(closed, {"violence": sexual}, at=at(2), referred_to={"uptd_ppa"})[0]


def test_2_the_services_refuse_the_update_too(services: Services) -> None:
    services.record_case(
        Case(
            "kasus-3",
            "kk-teros",
            VILLAGE,
            DAY,
            IntakeChannel.WALK_IN,
            CaseCategory.VIOLENCE,
            Subject(Sex.FEMALE, age_years=30),
            violence=ViolenceIncident(
                {ViolenceForm.PHYSICAL},
                "household",
                perpetrators=[Perpetrator("spouse", age_years=35)],
            ),
        )
    )
    services.close_case("kasus-3", CaseOutcome.SETTLED_FAMILY)
    rape = ViolenceIncident(
        {ViolenceForm.SEXUAL},
        "household",
        perpetrators=[Perpetrator("spouse", age_years=35)],
        penetration=Penetration.YES,
    )
    with pytest.raises(TransitionError, match=r"UU TPKS Art\. 23"):
        services.update_case("kasus-3", {"violence": rape})


@pytest.mark.parametrize(
    ("marriage", "why"),
    [
        (ChildMarriage(event_on=DAY, against_will=True), "against her will (Art. 10(1))"),
        (
            ChildMarriage(event_on=DAY, routes={MarriageRoute.AFTER_SEXUAL_VIOLENCE}),
            "to the man who raped her (Art. 10(2)c)",
        ),
    ],
)
def test_3_an_adults_forced_marriage_is_sexual_violence(marriage: ChildMarriage, why: str) -> None:
    case = marriage_case(Subject(Sex.FEMALE, age_years=18), marriage)
    assert case.gbvims_type is GbvimsType.FORCED_MARRIAGE, why
    assert case.is_sexual_violence, why
    with pytest.raises(TransitionError, match=r"UU TPKS Art\. 23"):
        close_case(case, CaseOutcome.SETTLED_FAMILY, at=at(1))
    # a willing marriage at 18 is a child marriage (under 19) but no forced marriage
    willing = marriage_case(Subject(Sex.FEMALE, age_years=18), ChildMarriage(event_on=DAY))
    assert not willing.is_sexual_violence


@pytest.mark.parametrize(
    ("victim_age", "forms", "tpks", "penetration"),
    [
        (9, {ViolenceForm.SEXUAL}, set(), None),  # any sexual contact with a child
        (20, {ViolenceForm.SEXUAL}, {TpksForm.INDECENT_ASSAULT}, Penetration.NO),  # 9 years
        (20, {ViolenceForm.SEXUAL}, {TpksForm.DOMESTIC}, Penetration.NO),  # PKDRT 46
    ],
)
def test_4_no_diversion_for_offences_of_seven_years_or_more(
    victim_age: int,
    forms: set[ViolenceForm],
    tpks: set[TpksForm],
    penetration: Penetration | None,
) -> None:
    case = violence_case(
        age=victim_age,
        perpetrators=(Perpetrator("neighbour", sex=Sex.MALE, age_years=15),),
        forms=frozenset(forms),
        tpks_forms=tpks,
        penetration=penetration,
    )
    with pytest.raises(TransitionError, match="7 years or more"):
        close_case(case, CaseOutcome.DIVERSION, at=at(1), note="diversi di Polres")
    with pytest.raises(TransitionError, match="7 years or more"):
        record_legal_step(case, LegalStage.DIVERSION, at=at(1))


def test_4_a_minor_offence_by_a_child_is_still_diverted() -> None:
    case = violence_case(
        age=20,
        perpetrators=(Perpetrator("neighbour", sex=Sex.MALE, age_years=15),),
        forms=frozenset({ViolenceForm.PHYSICAL}),
    )
    assert close_case(case, CaseOutcome.DIVERSION, at=at(1))[0].outcome is CaseOutcome.DIVERSION


def test_5_a_subject_who_may_have_been_eighteen_at_the_marriage_is_accepted() -> None:
    # 19 at the report (2025-03-03), married on 2024-09-01: she may have been 18
    case = marriage_case(
        Subject(Sex.FEMALE, age_years=19), ChildMarriage(event_on=date(2024, 9, 1))
    )
    assert case.youngest_age_at(date(2024, 9, 1)) == 18
    with pytest.raises(ValueError, match="is 19 at the marriage"):
        marriage_case(Subject(Sex.FEMALE, age_years=20), ChildMarriage(event_on=date(2024, 9, 1)))


def test_5_a_subject_who_may_have_been_seventeen_at_the_incident_is_a_child() -> None:
    case = violence_case(age=18, occurred_on=date(2024, 9, 3))
    assert (case.age, case.is_child, case.age_band) == (17, True, AgeBand.AGE_13_17)
    assert GbvimsFlag.CHILD_SEXUAL_ABUSE in case.gbvims[0].flags
    # no doubt: 18 on the day of the report
    assert violence_case(age=18, occurred_on=DAY).age == 18


# --------------------------------------------------------------------------- MEDIUM


@pytest.mark.parametrize(
    ("given", "asked"),
    [
        ("puskesmas", "rsud_visum"),
        ("bpjs_kesehatan", "sakti_peksos"),
        ("bhabinkamtibmas", "police"),
        ("uptd_ppa", "dp3akb"),
    ],
)
def test_8_a_consent_covers_exactly_the_services_it_names(given: str, asked: str) -> None:
    case = violence_case(age=30, perpetrators=(Perpetrator("spouse", sex=Sex.MALE),))
    case = record_consent(case, Consent(ConsentGiver.SELF, DAY, services={given}), at=at(1))[0]
    with pytest.raises(TransitionError, match=f"does not cover the service '{asked}'"):
        refer_case(case, "r-1", at=at(2), service=asked)
    assert refer_case(case, "r-1", at=at(2), service=given)[0].status is CaseStatus.REFERRED


def test_8_a_referral_with_no_service_is_covered_by_no_consent() -> None:
    case = violence_case(age=30, perpetrators=(Perpetrator("spouse", sex=Sex.MALE),))
    case = record_consent(case, Consent(ConsentGiver.SELF, DAY, services={"puskesmas"}), at=at(1))[
        0
    ]
    with pytest.raises(TransitionError, match="give the referral's service kind"):
        refer_case(case, "r-1", at=at(2), service=None)


def test_8_a_referral_to_the_bhabinkamtibmas_does_not_close_a_sexual_violence_case() -> None:
    case = violence_case(age=14)
    with pytest.raises(TransitionError, match="closes after a referral to the UPTD PPA"):
        close_case(case, CaseOutcome.RESOLVED, at=at(1), referred_to={"bhabinkamtibmas"})
    assert close_case(case, CaseOutcome.RESOLVED, at=at(1), referred_to={"police"})[0].outcome


def test_9_an_adults_limited_consent_refuses_what_it_leaves_out() -> None:
    case = violence_case(age=30, perpetrators=(Perpetrator("spouse", sex=Sex.MALE),))
    consent = Consent(ConsentGiver.SELF, DAY, services={"puskesmas"})
    case = record_consent(case, consent, at=at(1))[0]
    with pytest.raises(TransitionError, match="only imminent danger to life overrides it"):
        refer_case(
            case, "r-1", at=at(2), service="police_ppa", override=OverrideReason.LEGAL_DUTY, **WHY
        )
    danger = OverrideReason.IMMINENT_DANGER
    referred = refer_case(case, "r-1", at=at(2), service="police_ppa", override=danger, **WHY)
    assert referred[0].status is CaseStatus.REFERRED


def test_9_a_parents_consent_lapses_when_the_client_turns_eighteen() -> None:
    case = violence_case(subject=Subject(Sex.FEMALE, birth_year=2007, birth_month=3))
    consent = Consent(ConsentGiver.MOTHER, DAY, services={"police_ppa"}, assent=YES)
    case = record_consent(case, consent, at=at(1))[0]
    assert refer_case(case, "r-1", at=at(2), service="police_ppa")[0]  # 17 still
    later = datetime(2025, 6, 1, 9, tzinfo=WITA)
    with pytest.raises(TransitionError, match="ask for her own consent"):
        refer_case(case, "r-1", at=later, service="police_ppa")
    own = Consent(ConsentGiver.SELF, later.date(), services={"police_ppa"})
    case = record_consent(case, own, at=later)[0]
    assert refer_case(case, "r-1", at=later, service="police_ppa")[0]


def test_10_the_subcategory_sexual_violence_counts_before_the_incident_is_recorded() -> None:
    case = Case(
        "kasus-1",
        "kk-teros",
        VILLAGE,
        DAY,
        IntakeChannel.WALK_IN,
        CaseCategory.VIOLENCE,
        Subject(Sex.FEMALE, age_years=14),
        subcategory="sexual_violence",
    )
    case = report_case(case, at=T0)[0]
    assert case.is_sexual_violence
    with pytest.raises(TransitionError, match=r"UU TPKS Art\. 23"):
        close_case(case, CaseOutcome.SETTLED_FAMILY, at=at(1))


@pytest.mark.parametrize("note", ["x", "-", "ok", "tidak", "ok ok"])
def test_10_a_mark_is_no_reason_for_closing_without_a_referral(note: str) -> None:
    case = violence_case(age=14)
    with pytest.raises(TransitionError, match="closes after a referral"):
        close_case(case, CaseOutcome.RESOLVED, at=at(1), note=note)
    reason = "korban menolak dirujuk"
    assert close_case(case, CaseOutcome.RESOLVED, at=at(1), note=reason)[0].outcome


def test_6_the_parties_ages_count_when_the_subjects_is_unknown() -> None:
    adults = ChildMarriage(
        event_on=date(2024, 5, 1),
        parties=(
            MarriageParty(MarriageRole.BRIDE, age_years=30),
            MarriageParty(MarriageRole.GROOM, age_years=35),
        ),
    )
    with pytest.raises(ValueError, match="are all 19 or older"):
        marriage_case(Subject(Sex.FEMALE), adults)
    bride = MarriageParty(MarriageRole.BRIDE, age_years=30, is_subject=True)
    with pytest.raises(ValueError, match="gives the subject's age at the marriage as 30"):
        marriage_case(Subject(Sex.FEMALE), ChildMarriage(parties=(bride,)))
    child = MarriageParty(MarriageRole.BRIDE, age_years=15, is_subject=True)
    case = marriage_case(Subject(Sex.FEMALE), ChildMarriage(parties=(child,)))
    assert GbvimsFlag.EARLY_MARRIAGE in case.gbvims[0].flags
    assert case.is_sexual_violence


def test_6_the_detail_agrees_with_itself_and_the_subject() -> None:
    subject = Subject(Sex.FEMALE, age_years=15)
    groom = MarriageParty(MarriageRole.GROOM, age_years=15, is_subject=True)
    with pytest.raises(ValueError, match="names the subject as the groom"):
        marriage_case(subject, ChildMarriage(parties=(groom,)))
    with pytest.raises(ValueError, match="registered only with a dispensation granted"):
        marriage_case(subject, ChildMarriage(result=ChildMarriageResult.MARRIED_REGISTERED))
    refused = ChildMarriage(
        routes={MarriageRoute.DISPENSATION},
        court=MarriageCourt.PENGADILAN_AGAMA,
        dispensation=DispensationResult.REFUSED,
        result=ChildMarriageResult.MARRIED_REGISTERED,
    )
    with pytest.raises(ValueError, match="registered only with a dispensation granted"):
        marriage_case(subject, refused)
    granted = attrs.evolve(refused, dispensation=DispensationResult.GRANTED)
    assert marriage_case(subject, granted).child_marriage == granted


@pytest.mark.parametrize("result", [ChildMarriageResult.PREVENTED, ChildMarriageResult.POSTPONED])
def test_7_a_marriage_that_never_took_place_is_no_gbvims_incident(
    result: ChildMarriageResult,
) -> None:
    planned = ChildMarriage(routes={MarriageRoute.ARRANGED})
    case = marriage_case(Subject(Sex.FEMALE, age_years=15), planned)
    assert case.gbvims_type is GbvimsType.FORCED_MARRIAGE  # still planned: it would be
    assert case.is_sexual_violence
    stopped = update_case(case, {"child_marriage": attrs.evolve(planned, result=result)}, at=at(1))[
        0
    ]
    assert stopped.gbvims[0].core is GbvimsType.NON_GBV
    assert not stopped.gbvims[0].flags
    assert not stopped.is_sexual_violence
    assert close_case(stopped, CaseOutcome.MARRIAGE_PREVENTED, at=at(2))[0].outcome


def test_14_a_child_functioning_module_is_for_the_ages_it_was_made_for() -> None:
    toddlers = Disability(question_set=FunctioningSet.CFM_2_4, a_lot={DisabilityDomain.PLAYING})
    with pytest.raises(ValueError, match="is cfm_2_4, but the subject is 30: ask wg_ss"):
        violence_case(subject=Subject(Sex.FEMALE, age_years=30, disability=toddlers))
    children = Disability(question_set=FunctioningSet.CFM_5_17)
    with pytest.raises(ValueError, match="is cfm_5_17, but the subject is 40"):
        violence_case(subject=Subject(Sex.FEMALE, age_years=40, disability=children))
    case = violence_case(subject=Subject(Sex.FEMALE, age_years=8, disability=children))
    # asked with the module, no difficulty: kept, not turned into the WG Short Set
    assert case.subject.disability.question_set is FunctioningSet.CFM_5_17
    assert not case.subject.disability.has_disability


# ------------------------------------------------------------------------------ LOW


def test_15_unknown_update_fields_are_quoted_and_capped() -> None:
    case = violence_case()
    with pytest.raises(TransitionError) as info:
        update_case(case, {"x" * 5000: 1, "5203171234567890": 2}, at=at(1))
    message = str(info.value)
    assert len(message) < 600
    assert "5203171234567890" not in message


def test_15_a_string_is_no_set() -> None:
    with pytest.raises(TypeError, match="a set of values, not a single str"):
        Case(
            "kasus-9",
            "kk-teros",
            VILLAGE,
            DAY,
            IntakeChannel.WALK_IN,
            CaseCategory.VIOLENCE,
            Subject(Sex.FEMALE, age_years=14),
            issues="school_dropout",  # type: ignore[arg-type]
        )
    with pytest.raises(TypeError, match="not a single str"):
        ViolenceIncident("physical", "household")  # type: ignore[arg-type]


def test_15_a_consent_names_the_field_at_fault() -> None:
    with pytest.raises(ValueError, match=r"^to_share_data "):
        Consent(ConsentGiver.NONE, DAY, to_share_data=True)
    with pytest.raises(ValueError, match=r"^approved_by "):
        Consent(ConsentGiver.BEST_INTEREST, DAY, note="ibu di luar negeri")
    with pytest.raises(ValueError, match=r"^note "):
        Consent(ConsentGiver.BEST_INTEREST, DAY, approved_by="m-ketua")


def test_15_the_legal_process_does_not_go_back() -> None:
    case = violence_case(age=30, forms=frozenset({ViolenceForm.PHYSICAL}))
    case = record_legal_step(case, LegalStage.VERDICT, at=at(1))[0]
    with pytest.raises(TransitionError, match="does not go back to reported_to_police"):
        record_legal_step(case, LegalStage.REPORTED_TO_POLICE, at=at(2))
    # a stop (SP3) may come at any point, and the process take up again after it
    case = record_legal_step(case, LegalStage.STOPPED, at=at(2))[0]
    assert record_legal_step(case, LegalStage.INVESTIGATION, at=at(3))[0].legal_stage is (
        LegalStage.INVESTIGATION
    )


def test_15_no_plan_action_is_due_before_the_report() -> None:
    case = violence_case()
    with pytest.raises(TransitionError, match="action 0 is due on 2000-01-01, before the report"):
        plan_case(case, [PlanAction("kunjungan rumah", "m-ketua", date(2000, 1, 1))], at=at(1))
    planned = plan_case(case, [PlanAction("kunjungan rumah", "m-ketua", DAY)], at=at(1))[0]
    assert planned.plan[0].due_on == DAY


# -------------------------------------------------------------------------- services


@pytest.fixture
def services() -> Services:
    store = MemoryStore()
    store.put_many(
        [
            ConstituentGroup("kk-teros", VILLAGE, "KK Desa Teros"),
            Member(
                "m-ketua",
                "kk-teros",
                "Ketua",
                Sex.FEMALE,
                {Affiliation.PKK},
                date(2023, 1, 1),
                position=Position.CHAIR,
            ),
            ServiceProvider("uptd-ppa", "uptd_ppa", "UPTD PPA Lombok Timur"),
        ]
    )
    return Services(
        store,
        plugins=Plugins(load_entry_points=False, disabled=[]),
        clock=lambda: datetime(2025, 3, 3, 1, tzinfo=UTC),
    )
