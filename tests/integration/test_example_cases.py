"""examples/village_year.py shows the Pengaduan v2 model (issue 8) on realistic cases.

Each test checks one feature the example must show — the case-management steps, the
reporter, child marriage as violence, consent and assent, overrides, perpetrators and a
shared incident, the legal process as a stage, the GBVIMS classification, local code
entries — and that the summary reports what the records hold.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kk_core import open_store
from kk_core.case_lifecycle import ASSENT_AGE, REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE
from kk_core.cases import Case
from kk_core.codes import (
    CODE_LISTS,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ChildMarriageResult,
    ConsentGiver,
    DispensationResult,
    GbvimsFlag,
    GbvimsType,
    IntakeChannel,
    LegalStage,
    MarriageRoute,
    OverrideReason,
    Position,
    ReferralStatus,
    Reporter,
    core_code,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "village_year.py"
AS_OF = date(2025, 12, 31)


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("village_year_cases", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def year(example: ModuleType) -> Any:
    return example.build_village_year()


@pytest.fixture(scope="module")
def summary(example: ModuleType, year: Any) -> str:
    return "\n".join(example.summarise(year))


def _section(summary: str, title: str) -> dict[str, int]:
    """The counts of one ``_counts`` block of the summary: label → number."""
    lines = summary.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    counts: dict[str, int] = {}
    for line in lines[start + 1 :]:
        found = re.fullmatch(r" {4}(\S.*?)\s{2,}(\d+)", line)
        if not found:
            break
        counts[found.group(1)] = int(found.group(2))
    return counts


def _label(member: Any) -> str:
    if member.label_id.casefold() in member.label_en.casefold():
        return str(member.label_en)
    return f"{member.label_en} ({member.label_id})"


def _board(year: Any) -> dict[str, Any]:
    return {m.id: m for m in year.members}


# -- case-management steps --------------------------------------------------------------


def test_every_case_is_assessed_before_it_has_a_risk(year: Any) -> None:
    for case in year.cases:
        actions = [e.action for e in case.timeline]
        assert case.risk is None or case.assessment is not None, case.id
        if case.assessment is not None:
            assert "assess" in actions
            if "change_risk" in actions:  # changed only after the assessment set it
                assert actions.index("assess") < actions.index("change_risk")
            else:
                assert case.risk is case.assessment.risk
            assert case.assessment.needs, case.id
    assessed = [c for c in year.cases if c.assessment is not None]
    assert len(assessed) == len(year.cases)
    assert any("change_risk" in [e.action for e in c.timeline] for c in year.cases)


def test_case_plans_name_a_member_and_a_due_date(year: Any) -> None:
    board = _board(year)
    planned = [c for c in year.cases if c.plan]
    assert len(planned) == len(year.cases)
    for case in planned:
        plan_events = [e for e in case.timeline if e.action == "plan"]
        assert plan_events, case.id
        for action in case.plan:
            assert action.responsible_id in board
            assert action.due_on >= plan_events[0].at.date()
            assert action.done_on is None or action.done_on >= case.reported_on
    local = {e.code for e in CODE_LISTS["service_kind"] if e.local}
    assert any(a.service in local for c in planned for a in c.plan)


def test_open_cases_overdue_at_year_end_are_reported(year: Any, summary: str) -> None:
    open_cases = [c for c in year.cases if c.status is not CaseStatus.CLOSED]
    overdue = [c for c in open_cases if c.is_overdue(AS_OF)]
    assert overdue
    assert any(c.next_follow_up is not None and c.next_follow_up < AS_OF for c in overdue)
    assert not any(c.is_overdue(AS_OF) for c in year.cases if c.status is CaseStatus.CLOSED)
    assert any(c.next_follow_up and c.next_follow_up > AS_OF for c in open_cases)
    line = f"Open cases overdue on 2025-12-31: {len(overdue)} of {len(open_cases)} open"
    assert line in summary
    listed = summary.split(line, 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"KK-TRS-2025-\d{3}", listed) == [c.id for c in overdue]


def test_the_reporter_is_kept_apart_from_the_channel(year: Any) -> None:
    reporters = {c.reporter for c in year.cases}
    assert None not in reporters
    assert reporters >= {
        Reporter.CLIENT,
        Reporter.FAMILY,
        Reporter.NEIGHBOUR,
        Reporter.SCHOOL,
        Reporter.KK_MEMBER,
        Reporter.HAMLET_HEAD,
        Reporter.HEALTH_WORKER,
    }
    hotline = [c for c in year.cases if c.channel is IntakeChannel.SAPA_129]
    assert hotline
    assert all(c.reporter is not None for c in hotline)
    by_family = {c.channel for c in year.cases if c.reporter is Reporter.FAMILY}
    assert len(by_family) >= 3  # who brought the case says nothing of how it came


# -- child marriage as violence ------------------------------------------------------------


def test_one_case_about_one_child_with_secondary_issues(year: Any) -> None:
    case = next(
        c
        for c in year.cases
        if c.category is CaseCategory.CHILD_MARRIAGE
        and c.issues == {CaseCategory.VIOLENCE, CaseCategory.SCHOOL_DROPOUT}
    )
    assert case.child_marriage is not None
    assert case.violence is not None
    assert case.is_child
    cores = {g.core for g in case.gbvims}
    assert cores == {GbvimsType.PHYSICAL_ASSAULT, GbvimsType.FORCED_MARRIAGE}
    assert case.gbvims_type is GbvimsType.PHYSICAL_ASSAULT


def test_child_marriages_show_their_routes_and_results(year: Any) -> None:
    details = [c.child_marriage for c in year.cases if c.child_marriage]
    routes = {r for d in details for r in d.routes}
    assert routes >= {
        MarriageRoute.MERARIQ,
        MarriageRoute.NIKAH_SIRI,
        MarriageRoute.KUA_REFUSED,
        MarriageRoute.DISPENSATION,
    }
    assert {d.result for d in details} >= {
        ChildMarriageResult.PREVENTED,
        ChildMarriageResult.SEPARATED,
        ChildMarriageResult.MARRIED_REGISTERED,
        ChildMarriageResult.MARRIED_UNREGISTERED,
        None,  # planned marriages: the result is not known when the case is recorded
    }
    assert {d.dispensation for d in details} >= {
        DispensationResult.GRANTED,
        DispensationResult.REFUSED,
    }
    assert all(d.parties for d in details)


def test_child_marriage_subjects_are_under_19_and_counted_as_forced_under_18(
    year: Any,
) -> None:
    cases = [c for c in year.cases if c.child_marriage is not None]
    ages = {c.id: c.age_at(c.child_marriage.event_on or c.reported_on) for c in cases}
    assert all(a is not None and a < 19 for a in ages.values())
    assert 18 in ages.values()  # below the legal age, but not a child
    for case in cases:
        marriage = [g for g in case.gbvims if g.core in (GbvimsType.FORCED_MARRIAGE,
                                                         GbvimsType.NON_GBV)][-1]  # fmt: skip
        never = (ChildMarriageResult.PREVENTED, ChildMarriageResult.POSTPONED)
        if case.child_marriage.result in never:  # never took place: no GBVIMS incident
            assert marriage.core is GbvimsType.NON_GBV
            assert not marriage.flags
        elif ages[case.id] < 18:
            assert marriage.core is GbvimsType.FORCED_MARRIAGE
            assert GbvimsFlag.EARLY_MARRIAGE in marriage.flags
            assert case.is_sexual_violence
        else:
            assert marriage.core is GbvimsType.NON_GBV


def test_the_summary_counts_routes_and_results(year: Any, summary: str) -> None:
    details = [c.child_marriage for c in year.cases if c.child_marriage]
    routes = Counter(_label(r) for d in details for r in d.routes)
    assert _section(summary, "Child marriages by route (several per case)") == routes
    results = _section(summary, "Child marriages by result (as recorded with the case)")
    for result in ChildMarriageResult:
        assert results.get(_label(result), 0) == sum(d.result is result for d in details)
    assert results["none recorded (a planned marriage)"] == sum(d.result is None for d in details)


# -- consent, assent, overrides ---------------------------------------------------------


def _consent_age(case: Case) -> int | None:
    assert case.consent is not None
    return case.age_at(case.consent.recorded_on)


def test_children_assent_beside_a_caregivers_consent(year: Any) -> None:
    children = [c for c in year.cases if c.consent and (_consent_age(c) or 99) < 18]
    assert children
    for case in children:
        assert case.consent.giver is not ConsentGiver.SELF, case.id
        age = _consent_age(case)
        if age is not None and age >= ASSENT_AGE and not case.consent.refused:
            assert case.consent.assent is not None, case.id
    assert any(c.consent.assent is None for c in children)  # under 6: no assent asked


def test_consent_is_scoped_to_the_services_referred_to(year: Any) -> None:
    kinds = set(CODE_LISTS["service_kind"].codes)
    providers = {p.id: p for p in year.providers}
    cases = {c.id: c for c in year.cases}
    for case in year.cases:
        if case.consent is not None:
            assert case.consent.services <= kinds
    for referral in year.referrals:
        case = cases[referral.case_id]
        consented = [e.at for e in case.timeline if e.action == "record_consent"]
        if not referral.consent_given or referral.timeline[0].at < consented[-1]:
            continue  # by override, or under an earlier consent
        assert case.consent is not None
        covered = {core_code("service_kind", s) for s in case.consent.services}
        assert core_code("service_kind", providers[referral.provider_id].service) in covered
    assert any(not c.consent.services >= {"police_ppa"} for c in year.cases if c.consent)


def test_a_parent_perpetrator_never_consents(year: Any) -> None:
    board = _board(year)
    cases = [
        c
        for c in year.cases
        if c.violence
        and any(core_code("perpetrator_relation", p.relation) == "parent"
                for p in c.violence.perpetrators)
    ]  # fmt: skip
    givers = {c.consent.giver for c in cases if c.consent}
    assert givers >= {ConsentGiver.OTHER_TRUSTED_ADULT, ConsentGiver.BEST_INTEREST}
    assert givers <= {ConsentGiver.OTHER_TRUSTED_ADULT, ConsentGiver.BEST_INTEREST}
    for case in cases:
        if case.consent and case.consent.giver is ConsentGiver.BEST_INTEREST:
            assert case.consent.note.strip()
            assert board[case.consent.approved_by].position is not Position.MEMBER


def test_overrides_are_approved_by_the_board_and_written_in_the_timeline(year: Any) -> None:
    board = _board(year)
    cases = {c.id: c for c in year.cases}
    overridden = [r for r in year.referrals if r.override is not None]
    assert {r.override for r in overridden} >= {
        OverrideReason.CHILD_AT_RISK,
        OverrideReason.IMMINENT_DANGER,
    }
    for referral in overridden:
        approver = board[referral.override_approved_by]
        assert approver.position is not Position.MEMBER
        assert referral.override_note.strip()
        event = next(e for e in cases[referral.case_id].timeline if e.ref == referral.id)
        assert event.action == "refer"
        expected = (
            f"[override: {referral.override.value}, approved by {approver.id}: "
            f"{referral.override_note}]"
        )
        assert expected in event.note
        case = cases[referral.case_id]
        if not case.is_child:
            assert referral.override is OverrideReason.IMMINENT_DANGER
            consents = [e for e in case.timeline if e.action == "record_consent"]
            assert consents[0].at < event.at  # the refusal came first


# -- perpetrators, one event with several survivors --------------------------------------


def test_perpetrators_are_listed_with_sex_and_age(year: Any) -> None:
    violence = [c for c in year.cases if c.violence]
    for case in violence:
        assert case.violence.perpetrators, case.id
        for p in case.violence.perpetrators:
            assert p.sex is not None
            assert p.age_years is not None or p.age_band is not None or p.is_child is not None
    perpetrators = [p for c in violence for p in c.violence.perpetrators]
    assert any(p.age_years is None and p.age_band is not None for p in perpetrators)
    assert any(p.child is True for p in perpetrators)


def test_one_ustaz_several_pupils_one_incident(year: Any, example: ModuleType) -> None:
    shared = Counter(c.violence.incident_id for c in year.cases if c.violence)
    del shared[None]
    assert shared == {example.PONDOK_INCIDENT: 4}
    pupils = [c for c in year.cases if c.violence and c.violence.incident_id]
    assert {c.violence.place for c in pupils} == {"pondok_pesantren"}
    assert {p.relation for c in pupils for p in c.violence.perpetrators} == {"ustaz"}
    assert all(len(c.gbvims) == 1 for c in pupils)  # GBVIMS: one incident per survivor
    assert {IntakeChannel.SAPA_129, IntakeChannel.OUTREACH_VISIT} <= {c.channel for c in pupils}
    store = open_store("memory://", records=year.records())
    assert store.count(Case, incident_id=example.PONDOK_INCIDENT)[()] == 4
    assert store.count(Case, by=("gbvims_type",), incident_id=example.PONDOK_INCIDENT) == {
        ("sexual_assault",): 4
    }


def test_a_child_perpetrators_case_closes_by_diversion(year: Any) -> None:
    diverted = [c for c in year.cases if c.outcome is CaseOutcome.DIVERSION]
    assert diverted
    for case in diverted:
        assert case.violence is not None
        assert all(p.child is True for p in case.violence.perpetrators)
        assert case.legal_stage is LegalStage.DIVERSION
        assert case.is_sexual_violence  # the exception of UU TPKS Art. 23


def test_sexual_violence_closes_after_a_referral_or_with_a_reason(year: Any) -> None:
    providers = {p.id: p for p in year.providers}
    referred: dict[str, set[str | None]] = {}
    for r in year.referrals:
        if r.status is not ReferralStatus.CANCELLED:
            referred.setdefault(r.case_id, set()).add(
                core_code("service_kind", providers[r.provider_id].service)
            )
    closed = [c for c in year.cases if c.is_sexual_violence and c.status is CaseStatus.CLOSED]
    ways = Counter()
    for case in closed:
        assert case.outcome is not CaseOutcome.SETTLED_FAMILY
        if referred.get(case.id, set()) & REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE:
            ways["referred"] += 1
        else:
            assert case.timeline[-1].note.strip(), case.id
            ways["reason"] += 1
    assert ways["referred"]
    assert ways["reason"]


def test_the_legal_process_is_a_stage_and_the_case_stays_open(year: Any) -> None:
    order = list(LegalStage)
    stages = {}
    for case in year.cases:
        steps = [LegalStage(e.ref) for e in case.timeline if e.action == "legal_step"]
        if steps:
            stages[case.id] = steps
            main = [s for s in steps if s is not LegalStage.DIVERSION]
            assert main == sorted(main, key=order.index), case.id
    assert any(LegalStage.VERDICT in s for s in stages.values())
    open_in_court = [c for c in year.cases if c.status is not CaseStatus.CLOSED and c.legal_stage]
    assert any(c.legal_stage is LegalStage.TRIAL for c in open_in_court)
    assert all(c.outcome is not CaseOutcome.LEGAL_PROCESS for c in year.cases)


# -- classification and code lists -----------------------------------------------------


def test_the_gbvims_summary_counts_what_the_cases_hold(year: Any, summary: str) -> None:
    found = [g for c in year.cases for g in c.gbvims]
    types = Counter(_label(g.core) for g in found)
    flags = Counter(_label(f) for g in found for f in g.flags)
    assert _section(summary, "Incidents by core type") == types
    assert _section(summary, "Incidents by flag") == flags
    assert set(types) >= {_label(t) for t in GbvimsType}  # every core type shows
    assert set(flags) >= {
        _label(f) for f in GbvimsFlag if f is not GbvimsFlag.POSSIBLE_SEXUAL_EXPLOITATION
    }
    assert f"GBVIMS classification: {len(found)} incidents" in summary


def test_local_code_entries_are_used_and_roll_up(year: Any) -> None:
    violence = [c.violence for c in year.cases if c.violence]
    places = {v.place for v in violence}
    relations = {p.relation for v in violence for p in v.perpetrators}
    providers = {p.id: p for p in year.providers}
    kinds = {providers[r.provider_id].service for r in year.referrals}
    assert {"pondok_pesantren", "online"} <= places
    assert {"stepparent", "ustaz", "boyfriend", "former_partner"} <= relations
    assert {"rsud_visum", "bhabinkamtibmas", "dp3akb", "pkh_companion"} <= kinds
    for list_name, codes in (
        ("incident_place", places),
        ("perpetrator_relation", relations),
        ("service_kind", kinds),
    ):
        code_list = CODE_LISTS[list_name]
        core = {e.code for e in code_list if not e.local}
        assert all(core_code(list_name, code) in core for code in codes), list_name


# -- the rest of the KK's work ----------------------------------------------------------


def test_the_rest_of_the_kks_work(year: Any, example: ModuleType) -> None:
    affiliations = {a.value for m in year.members for a in m.affiliations}
    assert {"bpd", "disability_org"} <= affiliations
    assert {m.type.value for m in year.meetings} >= {
        "kk_meeting",
        "coordination",
        "musyawarah_dusun",
        "musyawarah_desa",
        "musrenbangdes",
        "musyawarah_desa_khusus_blt_dd",
    }
    statuses = {p.status.value for p in year.proposals}
    assert {"funded_apbdes", "awig_awig_agreed", "carried_over", "rejected", "draft"} <= statuses
    carried = next(p for p in year.proposals if p.status.value == "carried_over")
    following = next(p for p in year.proposals if p.carried_over_from == carried.id)
    assert following.cycle_year == carried.cycle_year + 1
    meetings = {m.id for m in year.meetings}
    refs = {e.ref for p in year.proposals for e in p.timeline if e.ref}
    assert refs
    assert refs <= meetings | {p.id for p in year.proposals}

    members = {m.id for m in year.members}
    assert year.trainings
    assert all(t.member_ids <= members for t in year.trainings)
    assert all(u.handed_to and u.handed_on for u in year.data_updates)
    child_marriages = sum(
        c.category is CaseCategory.CHILD_MARRIAGE and c.reported_on <= date(2025, 6, 30)
        for c in year.cases
    )
    data = {u.data_set: u for u in year.data_updates}
    assert data["child_marriage_data"].persons == child_marriages  # the KK's own records
    assert {q.resolution.value for q in year.questions} == {"pending", "answered", "referred"}
    assert all(
        (q.provider_id is not None) == (q.resolution.value == "referred") for q in year.questions
    )
    businesses = {b.id for b in year.businesses}
    assert year.business_groups
    assert all(g.business_ids <= businesses for g in year.business_groups)


def test_the_store_counts_what_the_year_holds(
    example: ModuleType, year: Any, tmp_path: Path
) -> None:
    lines = example.store_year(year, f"sqlite:///{tmp_path / 'teros.db'}")
    line = next(x for x in lines if x.startswith("Cases by highest GBVIMS type"))
    counted = dict(re.findall(r"(\w+)=(\d+)", line))
    expected = Counter(c.gbvims_type.value for c in year.cases if c.gbvims_type)
    assert {k: int(v) for k, v in counted.items()} == expected
    assert line.endswith(f"no incident: {sum(c.gbvims_type is None for c in year.cases)}")
