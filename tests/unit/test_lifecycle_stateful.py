"""Stateful property tests: random sequences of lifecycle actions never break an invariant.

Each machine applies lifecycle actions at random times (forwards and backwards, in
random time zones) with random inputs (sometimes missing or blank). Rules for the
actions the table lists in the current state keep the record moving; an ``anything``
rule tries any action from any state. An independent oracle says whether the table
and its guards should allow each step: a refused step must raise `TransitionError`
naming the state and the rule, and leave the record as it was; an allowed step appends
exactly its event. After every step the record's invariants hold.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from kk_core import advocacy, case_lifecycle, referrals
from kk_core.advocacy import AdvocacyProposal
from kk_core.case_parts import Assessment, Consent, PlanAction
from kk_core.cases import Case
from kk_core.codes import (
    CODE_LISTS,
    AgeBand,
    AssentDecision,
    CaseAction,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ConsentGiver,
    Forum,
    GbvimsType,
    LegalStage,
    OverrideReason,
    ProposalAction,
    ProposalStatus,
    ReferralAction,
    ReferralStatus,
    RiskLevel,
    Sex,
    TpksForm,
)
from kk_core.converter import structure, unstructure
from kk_core.errors import TransitionError
from kk_core.lifecycle import Event
from kk_core.places import is_kelurahan
from kk_core.referrals import Referral
from kk_core.testing import strategies as kst

WITA = timezone(timedelta(hours=8))

# Time of the next step relative to the last event: often the same instant (perhaps
# written in another zone), else up to two days back or ten days ahead.
OFFSETS = st.one_of(st.just(0), st.integers(-2 * 24 * 60, 10 * 24 * 60))
ZONES = kst.time_zones()
REASONS = st.one_of(st.just(""), st.just("  \n"), kst.texts())
WHEN: dict[str, st.SearchStrategy[Any]] = {"minutes": OFFSETS, "zone": ZONES}


class _Machine(RuleBasedStateMachine):
    """Shared bookkeeping: the record, the time of the next step, checking a step."""

    kind = ""
    record: Any
    #: action → the keyword inputs its attempt method takes (besides minutes and zone)
    inputs: ClassVar[Mapping[str, Mapping[str, st.SearchStrategy[Any]]]] = {}
    sources: ClassVar[Mapping[str, set[Any]]] = {}
    initial = ""

    def _start_day(self) -> date:
        raise NotImplementedError

    def _at(self, minutes: int, zone: tzinfo) -> datetime:
        timeline: tuple[Event, ...] = self.record.timeline
        last = timeline[-1].at if timeline else datetime.combine(self._start_day(), time(9), WITA)
        return (last + timedelta(minutes=minutes)).astimezone(zone)

    def _in_order(self, at: datetime) -> bool:
        timeline: tuple[Event, ...] = self.record.timeline
        return not timeline or at >= timeline[-1].at

    def _listed(self, action: str) -> bool:
        return self.record.status in self.sources[action]

    def _step(self, action: str, at: datetime, allowed: bool, call: Callable[[], Any]) -> bool:
        """Apply a step and check it against the oracle; True when it went through."""
        before = self.record
        snapshot = unstructure(before)
        refused: TransitionError | None = None
        try:
            new, event = call()
        except TransitionError as err:
            refused = err
        if refused is not None:
            assert not allowed, f"{action} at {at.isoformat()} was refused: {refused}"
            # refused: nothing changed, and the error names the state and the rule
            assert self.record is before
            assert unstructure(before) == snapshot
            state = before.status.value
            assert (refused.kind, refused.source, refused.action) == (self.kind, state, action)
            assert f"{self.kind} cannot {action} from state '{state}': " in str(refused)
            assert refused.rule.strip()
            return False
        assert allowed, f"{action} at {at.isoformat()} from {before.status} should be refused"
        assert unstructure(before) == snapshot  # the old record is untouched
        assert new.timeline == (*before.timeline, event)
        assert (event.action, event.source, event.target) == (
            action,
            before.status.value,
            new.status.value,
        )
        assert event.at == at
        self.record = new
        return True

    @rule(data=st.data())
    def anything(self, data: st.DataObject) -> None:
        """Any action from any state, most of them refused."""
        action = data.draw(st.sampled_from(sorted(self.inputs)), label="action")
        kwargs = {
            name: data.draw(s, label=name) for name, s in {**WHEN, **self.inputs[action]}.items()
        }
        getattr(self, f"attempt_{action}")(**kwargs)

    @invariant()
    def timeline_reads_forwards(self) -> None:
        record = self.record
        assert attrs.evolve(record) == record  # every validator passes on the current record
        timeline: tuple[Event, ...] = record.timeline
        for earlier, later in itertools.pairwise(timeline):
            assert earlier.at <= later.at
            assert later.source == earlier.target
        # the status is where the last event led
        assert record.status.value == (timeline[-1].target if timeline else self.initial)
        assert all(e.at.utcoffset() is not None for e in timeline)
        for event in timeline:
            assert event.source in {str(s) for s in self.sources[event.action]}
        assert structure(unstructure(record), type(record)) == record


def listed(action: str) -> Callable[[Any], bool]:
    return lambda self: self._listed(action)


# --------------------------------------------------------------------------- cases

OPEN_CASE = {
    CaseStatus.REPORTED,
    CaseStatus.ACTIVE,
    CaseStatus.REFERRED,
}
MEMBERS = st.one_of(st.just(""), kst.ids())
APPROVERS = st.one_of(st.none(), kst.ids())
OVERRIDES = st.one_of(st.none(), st.sampled_from(OverrideReason))
OUTCOMES = st.one_of(st.none(), st.sampled_from(CaseOutcome))
SERVICES = tuple(CODE_LISTS["service_kind"].codes)
SERVICE_OR_NONE = st.one_of(st.none(), st.sampled_from(SERVICES))
DAYS = st.integers(-3, 30)
PLAN = st.lists(
    st.builds(PlanAction, kst.texts(min_size=1).filter(str.strip), kst.ids(), kst.dates()),
    max_size=3,
)
#: Updates of a case's details: the summary, or what an outcome rests on.
UPDATES: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.builds(lambda text: {"summary": text}, kst.texts()),
    st.builds(lambda v: {"violence": v}, kst.violence_incidents()),
    st.builds(lambda c: {"category": c}, st.sampled_from(CaseCategory)),
    st.builds(lambda i: {"issues": i}, st.frozensets(st.sampled_from(CaseCategory), max_size=2)),
    st.builds(lambda m: {"child_marriage": m}, st.one_of(st.none(), kst.child_marriages())),
)
#: Where a sexual-violence case must have been referred before it closes (the oracle's
#: own copy of the rule).
SEXUAL_VIOLENCE_SERVICES = {"uptd_ppa", "police_ppa", "police"}


def _core_service(code: str) -> str:
    return CODE_LISTS["service_kind"].core_of(code) or code


def consent_may_be_recorded(case: Case, consent: Consent, on: date) -> bool:
    """The oracle for who may consent (see `kk_core.case_lifecycle`)."""
    if not case.reported_on <= consent.recorded_on <= on:
        return False
    if consent.assent is not None and consent.assent.recorded_on < case.reported_on:
        return False
    age = case.age_at(consent.recorded_on)
    child = age is None or age < 18
    giver = consent.giver
    if child and giver is ConsentGiver.SELF:
        return False
    adult_givers = {ConsentGiver.SELF, ConsentGiver.GUARDIAN, ConsentGiver.NONE}
    if not child and (giver not in adult_givers or consent.assent is not None):
        return False
    if giver in _barred_givers(case):
        return False
    asked = child and age is not None and age >= 6 and giver is not ConsentGiver.NONE
    return not (asked and consent.assent is None)


def _barred_givers(case: Case) -> set[ConsentGiver]:
    """Givers who are, or may be, an alleged perpetrator."""
    relations = CODE_LISTS["perpetrator_relation"]
    barred: set[ConsentGiver] = set()
    for p in case.violence.perpetrators if case.violence is not None else ():
        if relations.core_of(p.relation) == "parent":
            barred |= {ConsentGiver.PARENT}
            barred |= {ConsentGiver.FATHER} if p.sex is not Sex.FEMALE else set()
            barred |= {ConsentGiver.MOTHER} if p.sex is not Sex.MALE else set()
        elif p.is_caregiver:
            barred |= {ConsentGiver.GUARDIAN}
    return barred


ADULT_GIVERS = {ConsentGiver.SELF, ConsentGiver.GUARDIAN, ConsentGiver.NONE}


def _child_on(case: Case, day: date) -> bool:
    age = case.age_at(day)
    return age is None or age < 18


def consent_covers(case: Case, service: str | None, on: date) -> bool:
    """A consent covers a referral to exactly the services it names, given by someone
    who may still consent on the day of the referral."""
    consent = case.consent
    if consent is None or consent.giver is ConsentGiver.NONE or service is None:
        return False
    if service not in consent.services:
        return False
    child_now = _child_on(case, on)
    if consent.giver in _barred_givers(case):
        return False
    if child_now and consent.giver is ConsentGiver.SELF:
        return False
    if not child_now and consent.giver not in ADULT_GIVERS:
        return False
    age = case.age_at(consent.recorded_on)
    assent = consent.assent
    if child_now and age is not None and 6 <= age < 18:
        return assent is not None and assent.decision is AssentDecision.GIVEN
    return True


def adult_said_no(case: Case, service: str | None) -> bool:
    """An adult's own answer refuses the referral: a refusal, or her own consent that
    leaves the service out."""
    consent = case.consent
    if consent is None:
        return False
    if consent.giver is ConsentGiver.NONE:
        return True
    own = consent.giver in ADULT_GIVERS and not _child_on(case, consent.recorded_on)
    return own and (service is None or service not in consent.services)


#: Outcomes that end one issue only.
FOR_ISSUE = {
    CaseOutcome.MARRIAGE_PREVENTED: CaseCategory.CHILD_MARRIAGE,
    CaseOutcome.RETURNED_TO_SCHOOL: CaseCategory.SCHOOL_DROPOUT,
    CaseOutcome.DOCUMENT_ISSUED: CaseCategory.CIVIL_REGISTRATION,
}
#: UU TPKS forms of offences punishable by 7 years or more (UU SPPA Art. 7: no diversion):
#: rape, indecent assault by force (KUHP 289), household sexual violence (PKDRT 46)…
GRAVE = {
    TpksForm.RAPE,
    TpksForm.INDECENT_ASSAULT,
    TpksForm.DOMESTIC,
    TpksForm.CHILD_INTERCOURSE,
    TpksForm.CHILD_INDECENT_ASSAULT,
    TpksForm.CHILD_SEXUAL_EXPLOITATION,
    TpksForm.SEXUAL_EXPLOITATION,
    TpksForm.SEXUAL_SLAVERY,
    TpksForm.SEXUAL_TORTURE,
    TpksForm.FORCED_MARRIAGE,
    TpksForm.FORCED_PROSTITUTION,
    TpksForm.TRAFFICKING,
}
#: A criminal process in its order (diversion and a stop branch off it).
CRIMINAL_PROCESS = (
    LegalStage.REPORTED_TO_POLICE,
    LegalStage.INVESTIGATION,
    LegalStage.PROSECUTION,
    LegalStage.TRIAL,
    LegalStage.VERDICT,
)
#: Never the place a sexual-violence case was referred before it closes.
NOT_FOR_CLOSING = {"bhabinkamtibmas"}


def may_divert(case: Case) -> bool:
    perpetrators = case.violence.perpetrators if case.violence is not None else ()
    if not perpetrators or case.child_marriage is not None:
        return False
    for p in perpetrators:
        if p.age_years is not None:
            if not 12 <= p.age_years < 18:
                return False
        elif p.age_band is not AgeBand.AGE_13_17:
            return False
    assert case.violence is not None
    if case.violence.tpks_forms & GRAVE:
        return False
    # sexual contact with a child victim (UU 35/2014 Art. 81-82: 5 to 15 years)
    child_victim = _child_on(case, case.violence.occurred_on or case.reported_on)
    sexual = {GbvimsType.RAPE, GbvimsType.SEXUAL_ASSAULT} if child_victim else {GbvimsType.RAPE}
    return all(c.core not in sexual for c in case.gbvims)


def gives_a_reason(note: str) -> bool:
    """Two words or more, ten letters or more: not a mark like "x"."""
    words = [w for w in note.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= 2 and sum(ch.isalpha() for ch in note) >= 10


def outcome_fits(case: Case, outcome: CaseOutcome) -> bool:
    if outcome is CaseOutcome.LEGAL_PROCESS:
        return False
    if outcome in FOR_ISSUE and FOR_ISSUE[outcome] not in case.all_issues:
        return False
    if outcome is CaseOutcome.DIVERSION and not may_divert(case):
        return False
    return not (outcome is CaseOutcome.SETTLED_FAMILY and case.is_sexual_violence)


def referred_or_said_why(case: Case, note: str, referred: set[str]) -> bool:
    if not case.is_sexual_violence:
        return True
    reached = {_core_service(s) for s in referred - NOT_FOR_CLOSING} & SEXUAL_VIOLENCE_SERVICES
    return bool(reached) or gives_a_reason(note)


def may_close(case: Case, outcome: CaseOutcome | None, note: str, referred: set[str]) -> bool:
    if outcome is None:
        return False
    return outcome_fits(case, outcome) and referred_or_said_why(case, note, referred)


class CaseLifecycle(_Machine):
    kind = "case"
    initial = CaseStatus.REPORTED.value
    record: Case
    sources: ClassVar[Mapping[str, set[Any]]] = {
        CaseAction.REPORT: {CaseStatus.REPORTED},
        CaseAction.ASSIGN: OPEN_CASE,
        CaseAction.RECORD_CONSENT: OPEN_CASE,
        CaseAction.ASSESS: OPEN_CASE,
        CaseAction.CHANGE_RISK: OPEN_CASE,
        CaseAction.PLAN: OPEN_CASE,
        CaseAction.FOLLOW_UP: OPEN_CASE,
        CaseAction.LEGAL_STEP: OPEN_CASE,
        CaseAction.NOTE: OPEN_CASE,
        CaseAction.REFER: OPEN_CASE,
        CaseAction.RESUME: {CaseStatus.REFERRED},
        CaseAction.CLOSE: OPEN_CASE,
        CaseAction.REOPEN: {CaseStatus.CLOSED},
        CaseAction.UPDATE: set(CaseStatus),
    }
    inputs: ClassVar[Mapping[str, Mapping[str, st.SearchStrategy[Any]]]] = {
        CaseAction.REPORT: {"note": kst.texts()},
        CaseAction.ASSIGN: {"member": MEMBERS},
        CaseAction.RECORD_CONSENT: {"consent": kst.consents()},
        CaseAction.ASSESS: {"days_back": DAYS, "risk": st.sampled_from(RiskLevel)},
        CaseAction.CHANGE_RISK: {"risk": st.sampled_from(RiskLevel)},
        CaseAction.PLAN: {"plan": PLAN},
        CaseAction.FOLLOW_UP: {"days_ahead": st.one_of(st.none(), DAYS)},
        CaseAction.LEGAL_STEP: {"stage": st.sampled_from(LegalStage)},
        CaseAction.NOTE: {"note": REASONS},
        CaseAction.REFER: {
            "override": OVERRIDES,
            "ref": kst.ids(),
            "service": SERVICE_OR_NONE,
            "override_note": REASONS,
            "approved_by": APPROVERS,
        },
        CaseAction.RESUME: {},
        CaseAction.CLOSE: {
            "outcome": OUTCOMES,
            "note": REASONS,
            "referred_to": st.sets(st.sampled_from(SERVICES), max_size=2),
        },
        CaseAction.REOPEN: {"reason": REASONS},
        CaseAction.UPDATE: {"changes": UPDATES},
    }

    @initialize(case=kst.cases(max_steps=0))
    def start(self, case: Case) -> None:
        self.record = case
        #: the note and the referrals the case last closed with (for updates of a closed case)
        self.closed_with: tuple[str, set[str]] = ("", set())
        #: each referral that went ahead under consent: the case then, and its day
        self.referred_under_consent: list[tuple[Case, date]] = []

    def _start_day(self) -> date:
        return self.record.reported_on

    def _allowed(self, action: CaseAction, at: datetime) -> bool:
        """The oracle's common part: listed in the table, in time order, not before the report."""
        return self._listed(action) and self._in_order(at) and at.date() >= self.record.reported_on

    def attempt_report(self, minutes: int, zone: tzinfo, note: str) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(CaseAction.REPORT, at) and not self.record.timeline
        self._step(
            "report", at, ok, lambda: case_lifecycle.report_case(self.record, at=at, note=note)
        )

    def attempt_assign(self, minutes: int, zone: tzinfo, member: str) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(CaseAction.ASSIGN, at) and bool(member)
        before = self.record.status
        if self._step(
            "assign", at, ok, lambda: case_lifecycle.assign_companion(self.record, member, at=at)
        ):
            assert self.record.companion_id == member
            if before is CaseStatus.REPORTED:
                assert self.record.status is CaseStatus.ACTIVE

    def attempt_record_consent(self, minutes: int, zone: tzinfo, consent: Consent) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(CaseAction.RECORD_CONSENT, at) and consent_may_be_recorded(
            self.record, consent, at.date()
        )
        if self._step(
            "record_consent",
            at,
            ok,
            lambda: case_lifecycle.record_consent(self.record, consent, at=at),
        ):
            assert self.record.consent == consent

    def attempt_assess(self, minutes: int, zone: tzinfo, days_back: int, risk: RiskLevel) -> None:
        at = self._at(minutes, zone)
        assessed_on = at.date() - timedelta(days=days_back)
        ok = (
            self._allowed(CaseAction.ASSESS, at)
            and days_back >= 0
            and assessed_on >= self.record.reported_on
        )
        assessment = Assessment(assessed_on, risk)
        if self._step(
            "assess", at, ok, lambda: case_lifecycle.assess_case(self.record, assessment, at=at)
        ):
            assert (self.record.assessment, self.record.risk) == (assessment, risk)

    def attempt_change_risk(self, minutes: int, zone: tzinfo, risk: RiskLevel) -> None:
        at = self._at(minutes, zone)
        if self._step(
            "change_risk",
            at,
            self._allowed(CaseAction.CHANGE_RISK, at),
            lambda: case_lifecycle.change_risk(self.record, risk, at=at),
        ):
            assert self.record.risk is risk

    def attempt_plan(self, minutes: int, zone: tzinfo, plan: list[PlanAction]) -> None:
        at = self._at(minutes, zone)
        reported = self.record.reported_on
        ok = (
            self._allowed(CaseAction.PLAN, at)
            and bool(plan)
            and all(a.due_on >= reported for a in plan)
            and all(a.done_on is None or a.done_on >= reported for a in plan)
        )
        if self._step("plan", at, ok, lambda: case_lifecycle.plan_case(self.record, plan, at=at)):
            assert self.record.plan == tuple(plan)

    def attempt_follow_up(self, minutes: int, zone: tzinfo, days_ahead: int | None) -> None:
        at = self._at(minutes, zone)
        due = None if days_ahead is None else at.date() + timedelta(days=days_ahead)
        ok = self._allowed(CaseAction.FOLLOW_UP, at) and (due is None or due >= at.date())
        if self._step(
            "follow_up", at, ok, lambda: case_lifecycle.follow_up_case(self.record, due, at=at)
        ):
            assert self.record.next_follow_up == due
            assert not self.record.is_overdue(at.date()) or any(
                a.is_overdue(at.date()) for a in self.record.plan
            )

    def attempt_legal_step(self, minutes: int, zone: tzinfo, stage: LegalStage) -> None:
        at = self._at(minutes, zone)
        chain = list(CRIMINAL_PROCESS)
        now = self.record.legal_stage
        backwards = now in chain and stage in chain and chain.index(stage) < chain.index(now)
        ok = (
            self._allowed(CaseAction.LEGAL_STEP, at)
            and (stage is not LegalStage.DIVERSION or may_divert(self.record))
            and not backwards
        )
        if self._step(
            "legal_step",
            at,
            ok,
            lambda: case_lifecycle.record_legal_step(self.record, stage, at=at),
        ):
            assert self.record.legal_stage is stage
            assert self.record.status is not CaseStatus.CLOSED

    def attempt_note(self, minutes: int, zone: tzinfo, note: str) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(CaseAction.NOTE, at) and bool(note.strip())
        self._step("note", at, ok, lambda: case_lifecycle.add_note(self.record, note, at=at))

    def attempt_refer(
        self,
        minutes: int,
        zone: tzinfo,
        override: OverrideReason | None,
        ref: str,
        service: str | None,
        override_note: str,
        approved_by: str | None,
    ) -> None:
        at = self._at(minutes, zone)
        case = self.record
        if override is None:
            permitted = consent_covers(case, service, at.date())
        else:
            age_now = case.age_at(at.date())  # a child or an adult on the day of the step
            child_now = None if age_now is None else age_now < 18
            permitted = (
                bool(override_note.strip())
                and bool(approved_by)
                and (override is not OverrideReason.CHILD_AT_RISK or child_now is True)
                and not (
                    child_now is False
                    and adult_said_no(case, service)
                    and override is not OverrideReason.IMMINENT_DANGER
                )
            )
        ok = self._allowed(CaseAction.REFER, at) and permitted
        if (
            self._step(
                "refer",
                at,
                ok,
                lambda: case_lifecycle.refer_case(
                    case,
                    ref,
                    at=at,
                    service=service,
                    override=override,
                    override_note=override_note,
                    approved_by=approved_by,
                ),
            )
            and override is not None
        ):
            # the timeline itself says why a referral went ahead without consent
            assert f"[override: {override.value}, approved by {approved_by}" in (
                self.record.timeline[-1].note
            )
        elif self.record.status is CaseStatus.REFERRED and self.record is not case:
            self.referred_under_consent.append((self.record, at.date()))

    def attempt_resume(self, minutes: int, zone: tzinfo) -> None:
        at = self._at(minutes, zone)
        self._step(
            "resume",
            at,
            self._allowed(CaseAction.RESUME, at),
            lambda: case_lifecycle.resume_case(self.record, at=at),
        )

    def attempt_close(
        self,
        minutes: int,
        zone: tzinfo,
        outcome: CaseOutcome | None,
        note: str,
        referred_to: set[str],
    ) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(CaseAction.CLOSE, at) and may_close(
            self.record, outcome, note, referred_to
        )
        if self._step(
            "close",
            at,
            ok,
            lambda: case_lifecycle.close_case(
                self.record, outcome, at=at, note=note, referred_to=referred_to
            ),
        ):
            assert (self.record.outcome, self.record.closed_on) == (outcome, at.date())
            self.closed_with = (note, set(referred_to))

    def attempt_reopen(self, minutes: int, zone: tzinfo, reason: str) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(CaseAction.REOPEN, at) and bool(reason.strip())
        if self._step(
            "reopen", at, ok, lambda: case_lifecycle.reopen_case(self.record, at=at, reason=reason)
        ):
            assert (self.record.outcome, self.record.closed_on) == (None, None)

    def attempt_update(self, minutes: int, zone: tzinfo, changes: dict[str, Any]) -> None:
        """An update of the case's details: the summary, or what the outcome rests on (the
        incident, the category, the issues, the marriage). A closed case keeps its outcome
        only when it still fits the updated case."""
        at = self._at(minutes, zone)
        before = self.record
        try:
            updated: Case | None = attrs.evolve(before, **changes)
        except ValueError:
            updated = None  # not a valid case: the model's own error, not the lifecycle's
        ok = self._allowed(CaseAction.UPDATE, at)
        if ok and updated is None:
            with pytest.raises(ValueError, match=r"\S"):
                case_lifecycle.update_case(before, changes, at=at)
            assert self.record is before
            return
        if ok and updated is not None and before.outcome is not None:
            note, referred = self.closed_with
            ok = outcome_fits(updated, before.outcome) and (
                before.is_sexual_violence or referred_or_said_why(updated, note, referred)
            )
        if self._step(
            "update",
            at,
            ok,
            lambda: case_lifecycle.update_case(
                before, changes, at=at, referred_to=self.closed_with[1]
            ),
        ):
            for name in changes:
                assert getattr(self.record, name) == getattr(updated, name)
            assert self.record.timeline[-1].note.endswith(
                f"[updated: {', '.join(sorted(changes))}]"
            )

    # the actions the table lists in the current state
    @precondition(listed(CaseAction.REPORT))
    @rule(**WHEN, **inputs[CaseAction.REPORT])
    def report(self, **kwargs: Any) -> None:
        self.attempt_report(**kwargs)

    @precondition(listed(CaseAction.ASSIGN))
    @rule(**WHEN, **inputs[CaseAction.ASSIGN])
    def assign(self, **kwargs: Any) -> None:
        self.attempt_assign(**kwargs)

    @precondition(listed(CaseAction.RECORD_CONSENT))
    @rule(**WHEN, data=st.data())
    def record_consent(self, minutes: int, zone: tzinfo, data: st.DataObject) -> None:
        """Mostly a consent this case accepts, sometimes any consent."""
        at = self._at(minutes, zone)
        fitting = kst.consents(on=max(at.date(), self.record.reported_on), case=self.record)
        consent = data.draw(st.one_of(fitting, fitting, kst.consents()), label="consent")
        self.attempt_record_consent(minutes, zone, consent)

    @precondition(listed(CaseAction.ASSESS))
    @rule(**WHEN, **inputs[CaseAction.ASSESS])
    def assess(self, **kwargs: Any) -> None:
        self.attempt_assess(**kwargs)

    @precondition(listed(CaseAction.CHANGE_RISK))
    @rule(**WHEN, **inputs[CaseAction.CHANGE_RISK])
    def change_risk(self, **kwargs: Any) -> None:
        self.attempt_change_risk(**kwargs)

    @precondition(listed(CaseAction.PLAN))
    @rule(**WHEN, **inputs[CaseAction.PLAN])
    def plan(self, **kwargs: Any) -> None:
        self.attempt_plan(**kwargs)

    @precondition(listed(CaseAction.FOLLOW_UP))
    @rule(**WHEN, **inputs[CaseAction.FOLLOW_UP])
    def follow_up(self, **kwargs: Any) -> None:
        self.attempt_follow_up(**kwargs)

    @precondition(listed(CaseAction.LEGAL_STEP))
    @rule(**WHEN, **inputs[CaseAction.LEGAL_STEP])
    def legal_step(self, **kwargs: Any) -> None:
        self.attempt_legal_step(**kwargs)

    @precondition(listed(CaseAction.NOTE))
    @rule(**WHEN, **inputs[CaseAction.NOTE])
    def note(self, **kwargs: Any) -> None:
        self.attempt_note(**kwargs)

    @precondition(listed(CaseAction.REFER))
    @rule(**WHEN, **inputs[CaseAction.REFER])
    def refer(self, **kwargs: Any) -> None:
        self.attempt_refer(**kwargs)

    @precondition(listed(CaseAction.RESUME))
    @rule(**WHEN, **inputs[CaseAction.RESUME])
    def resume(self, **kwargs: Any) -> None:
        self.attempt_resume(**kwargs)

    @precondition(listed(CaseAction.CLOSE))
    @rule(**WHEN, **inputs[CaseAction.CLOSE])
    def close(self, **kwargs: Any) -> None:
        self.attempt_close(**kwargs)

    @precondition(listed(CaseAction.REOPEN))
    @rule(**WHEN, **inputs[CaseAction.REOPEN])
    def reopen(self, **kwargs: Any) -> None:
        self.attempt_reopen(**kwargs)

    @precondition(listed(CaseAction.UPDATE))
    @rule(**WHEN, **inputs[CaseAction.UPDATE])
    def update(self, **kwargs: Any) -> None:
        self.attempt_update(**kwargs)

    @invariant()
    def a_closed_case_ends_lawfully(self) -> None:
        """Whatever path led here (closing, updating, reopening), a closed case's outcome
        is one the law allows for it as it stands now."""
        case = self.record
        if case.status is not CaseStatus.CLOSED:
            return
        # UU TPKS Art. 23: never settled within the family
        assert not (case.outcome is CaseOutcome.SETTLED_FAMILY and case.is_sexual_violence)
        if case.outcome is CaseOutcome.DIVERSION:  # UU SPPA: child perpetrators, under 7 years
            assert case.violence is not None
            assert case.violence.perpetrators
            assert all(p.child for p in case.violence.perpetrators)
            assert all(c.core is not GbvimsType.RAPE for c in case.gbvims)
        if case.outcome in FOR_ISSUE:
            assert FOR_ISSUE[case.outcome] in case.all_issues

    @invariant()
    def no_alleged_perpetrator_consented_to_a_referral(self) -> None:
        """A referral that went ahead under consent had a consent from someone who was,
        that day, neither an alleged perpetrator nor a parent of a client now adult."""
        for case, day in self.referred_under_consent[-1:]:
            consent = case.consent
            assert consent is not None
            assert not consent.refused
            assert consent.giver not in _barred_givers(case)
            if not _child_on(case, day):
                assert consent.giver in ADULT_GIVERS

    @invariant()
    def closed_iff_outcome_and_date(self) -> None:
        case = self.record
        closed = case.status is CaseStatus.CLOSED
        assert closed == (case.outcome is not None) == (case.closed_on is not None)
        if case.closed_on is not None:
            assert case.closed_on >= case.reported_on
        assert case.outcome is not CaseOutcome.LEGAL_PROCESS
        for event in case.timeline:
            assert event.at.date() >= case.reported_on
            if event.source == CaseStatus.CLOSED:  # a closed case only reopens (or is updated)
                assert event.action in (CaseAction.REOPEN, CaseAction.UPDATE)


# --------------------------------------------------------------------------- referrals

OPEN_REFERRAL = {ReferralStatus.SENT, ReferralStatus.ACCEPTED}


class ReferralLifecycle(_Machine):
    kind = "referral"
    initial = ReferralStatus.SENT.value
    record: Referral
    sources: ClassVar[Mapping[str, set[Any]]] = {
        ReferralAction.SEND: {ReferralStatus.SENT},
        ReferralAction.ACCEPT: {ReferralStatus.SENT},
        ReferralAction.DECLINE: {ReferralStatus.SENT},
        ReferralAction.FOLLOW_UP: OPEN_REFERRAL,
        ReferralAction.COMPLETE: {ReferralStatus.ACCEPTED},
        ReferralAction.CANCEL: OPEN_REFERRAL,
    }
    inputs: ClassVar[Mapping[str, Mapping[str, st.SearchStrategy[Any]]]] = {
        ReferralAction.SEND: {},
        ReferralAction.ACCEPT: {},
        ReferralAction.DECLINE: {"reason": REASONS},
        ReferralAction.FOLLOW_UP: {"due_in": st.one_of(st.none(), st.integers(-3, 30))},
        ReferralAction.COMPLETE: {"outcome": REASONS},
        ReferralAction.CANCEL: {"reason": REASONS},
    }

    @initialize(referral=kst.referrals(max_steps=0))
    def start(self, referral: Referral) -> None:
        self.record = referral

    @precondition(lambda self: not self.record.is_open)
    @rule(referral=kst.referrals(max_steps=0))
    def new_referral(self, referral: Referral) -> None:
        """A final referral only refuses: go on with a new one."""
        self.record = referral

    def _start_day(self) -> date:
        return self.record.sent_on

    def _allowed(self, action: ReferralAction, at: datetime) -> bool:
        return self._listed(action) and self._in_order(at) and at.date() >= self.record.sent_on

    def attempt_send(self, minutes: int, zone: tzinfo) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(ReferralAction.SEND, at) and not self.record.timeline
        self._step("send", at, ok, lambda: referrals.send_referral(self.record, at=at))

    def attempt_accept(self, minutes: int, zone: tzinfo) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(ReferralAction.ACCEPT, at)
        if self._step("accept", at, ok, lambda: referrals.accept_referral(self.record, at=at)):
            assert self.record.responded_on == at.date()

    def attempt_decline(self, minutes: int, zone: tzinfo, reason: str) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(ReferralAction.DECLINE, at) and bool(reason.strip())
        self._step(
            "decline", at, ok, lambda: referrals.decline_referral(self.record, at=at, reason=reason)
        )

    def attempt_follow_up(self, minutes: int, zone: tzinfo, due_in: int | None) -> None:
        at = self._at(minutes, zone)
        due = None if due_in is None else at.date() + timedelta(days=due_in)
        ok = self._allowed(ReferralAction.FOLLOW_UP, at) and due is not None and due >= at.date()
        if self._step(
            "follow_up",
            at,
            ok,
            lambda: referrals.follow_up_referral(self.record, at=at, next_due=due),
        ):
            assert self.record.follow_up_due == due

    def attempt_complete(self, minutes: int, zone: tzinfo, outcome: str) -> None:
        at = self._at(minutes, zone)
        responded = self.record.responded_on
        ok = (
            self._allowed(ReferralAction.COMPLETE, at)
            and bool(outcome.strip())
            # dated in its own zone, a completion never precedes the response
            and (responded is None or at.date() >= responded)
        )
        if self._step(
            "complete", at, ok, lambda: referrals.complete_referral(self.record, outcome, at=at)
        ):
            assert (self.record.outcome, self.record.completed_on) == (outcome, at.date())

    def attempt_cancel(self, minutes: int, zone: tzinfo, reason: str) -> None:
        at = self._at(minutes, zone)
        ok = self._allowed(ReferralAction.CANCEL, at) and bool(reason.strip())
        self._step(
            "cancel", at, ok, lambda: referrals.cancel_referral(self.record, at=at, reason=reason)
        )

    @precondition(listed(ReferralAction.SEND))
    @rule(**WHEN)
    def send(self, **kwargs: Any) -> None:
        self.attempt_send(**kwargs)

    @precondition(listed(ReferralAction.ACCEPT))
    @rule(**WHEN)
    def accept(self, **kwargs: Any) -> None:
        self.attempt_accept(**kwargs)

    @precondition(listed(ReferralAction.DECLINE))
    @rule(**WHEN, **inputs[ReferralAction.DECLINE])
    def decline(self, **kwargs: Any) -> None:
        self.attempt_decline(**kwargs)

    @precondition(listed(ReferralAction.FOLLOW_UP))
    @rule(**WHEN, **inputs[ReferralAction.FOLLOW_UP])
    def follow_up(self, **kwargs: Any) -> None:
        self.attempt_follow_up(**kwargs)

    @precondition(listed(ReferralAction.COMPLETE))
    @rule(**WHEN, **inputs[ReferralAction.COMPLETE])
    def complete(self, **kwargs: Any) -> None:
        self.attempt_complete(**kwargs)

    @precondition(listed(ReferralAction.CANCEL))
    @rule(**WHEN, **inputs[ReferralAction.CANCEL])
    def cancel(self, **kwargs: Any) -> None:
        self.attempt_cancel(**kwargs)

    @invariant()
    def referral_rules_hold(self) -> None:
        r = self.record
        assert r.consent_given or r.override is not None
        if r.status is ReferralStatus.COMPLETED:
            assert r.outcome.strip()
            assert r.completed_on is not None
        assert r.is_open == (r.status in OPEN_REFERRAL)
        for event in r.timeline:
            assert event.at.date() >= r.sent_on


# --------------------------------------------------------------------------- proposals


_P = ProposalStatus
_A = ProposalAction
_OPEN = {_P.IN_MUSDUS, _P.IN_MUSDES, _P.IN_MUSRENBANGDES, _P.IN_RKPDES}
_SUBMIT_TO = {
    _A.SUBMIT_MUSDUS: Forum.MUSYAWARAH_DUSUN,
    _A.SUBMIT_MUSDES: Forum.MUSYAWARAH_DESA,
    _A.SUBMIT_MUSRENBANGDES: Forum.MUSRENBANGDES,
}
#: A carry-over's next id: another id, a blank one, or the proposal's own ("SELF").
NEXT_IDS = st.one_of(kst.ids(), st.just(""), st.just("SELF"))


class ProposalLifecycle(_Machine):
    kind = "advocacy_proposal"
    initial = ProposalStatus.DRAFT.value
    record: AdvocacyProposal
    sources: ClassVar[Mapping[str, set[Any]]] = {
        _A.DRAFT: {_P.DRAFT},
        _A.SUBMIT_MUSDUS: {_P.DRAFT},
        _A.SUBMIT_MUSDES: {_P.DRAFT, _P.IN_MUSDUS},
        _A.SUBMIT_MUSRENBANGDES: {_P.DRAFT, _P.IN_MUSDES},
        _A.DISCUSS: _OPEN,
        _A.ADOPT_RKPDES: {_P.IN_MUSRENBANGDES},
        _A.FUND_APBDES: {_P.IN_RKPDES},
        _A.ENACT_PERDES: _OPEN,
        _A.ISSUE_PERKADES: _OPEN,
        _A.AGREE_AWIG_AWIG: _OPEN,
        _A.REJECT: _OPEN,
        _A.CARRY_OVER: _OPEN,
    }
    inputs: ClassVar[Mapping[str, Mapping[str, st.SearchStrategy[Any]]]] = {
        _A.DRAFT: {},
        _A.SUBMIT_MUSDUS: {},
        _A.SUBMIT_MUSDES: {},
        _A.SUBMIT_MUSRENBANGDES: {},
        _A.DISCUSS: {},
        _A.ADOPT_RKPDES: {},
        _A.FUND_APBDES: {"amount": kst.rupiah()},
        _A.ENACT_PERDES: {"text": REASONS},
        _A.ISSUE_PERKADES: {"text": REASONS},
        _A.AGREE_AWIG_AWIG: {"text": REASONS},
        _A.REJECT: {"reason": REASONS},
        _A.CARRY_OVER: {"next_id": NEXT_IDS},
    }

    @initialize(proposal=kst.advocacy_proposals(max_steps=0), day=kst.dates())
    def start(self, proposal: AdvocacyProposal, day: date) -> None:
        self.record = proposal
        self.day = day

    @precondition(lambda self: self.record.status.is_final)
    @rule(proposal=kst.advocacy_proposals(max_steps=0))
    def new_proposal(self, proposal: AdvocacyProposal) -> None:
        """A final proposal only refuses: go on with a new one."""
        self.record = proposal

    def _start_day(self) -> date:
        return self.day

    def _ok(self, action: ProposalAction, at: datetime) -> bool:
        return self._listed(action) and self._in_order(at)

    def _submit(self, action: ProposalAction, minutes: int, zone: tzinfo) -> None:
        at = self._at(minutes, zone)
        p = self.record
        entry = p.status is not _P.DRAFT or p.forum.stage is _SUBMIT_TO[action]
        ok = self._ok(action, at) and bool(p.evidence) and p.cycle_year is not None and entry
        forum = _SUBMIT_TO[action]
        self._step(action.value, at, ok, lambda: advocacy.submit_proposal(p, at=at, to=forum))

    def attempt_draft(self, minutes: int, zone: tzinfo) -> None:
        at = self._at(minutes, zone)
        ok = self._ok(_A.DRAFT, at) and not self.record.timeline
        given = self.record.cycle_year
        if self._step("draft", at, ok, lambda: advocacy.draft_proposal(self.record, at=at)):
            assert self.record.cycle_year == (at.year + 1 if given is None else given)

    def attempt_submit_musdus(self, minutes: int, zone: tzinfo) -> None:
        self._submit(_A.SUBMIT_MUSDUS, minutes, zone)

    def attempt_submit_musdes(self, minutes: int, zone: tzinfo) -> None:
        self._submit(_A.SUBMIT_MUSDES, minutes, zone)

    def attempt_submit_musrenbangdes(self, minutes: int, zone: tzinfo) -> None:
        self._submit(_A.SUBMIT_MUSRENBANGDES, minutes, zone)

    def attempt_discuss(self, minutes: int, zone: tzinfo) -> None:
        at = self._at(minutes, zone)
        call = lambda: advocacy.discuss_proposal(self.record, at=at)  # noqa: E731
        self._step("discuss", at, self._ok(_A.DISCUSS, at), call)

    def attempt_adopt_rkpdes(self, minutes: int, zone: tzinfo) -> None:
        at = self._at(minutes, zone)
        call = lambda: advocacy.adopt_proposal(self.record, at=at)  # noqa: E731
        self._step("adopt_rkpdes", at, self._ok(_A.ADOPT_RKPDES, at), call)

    def attempt_fund_apbdes(self, minutes: int, zone: tzinfo, amount: int) -> None:
        at = self._at(minutes, zone)
        village = self.record.village_id
        ok = self._ok(_A.FUND_APBDES, at) and not (village and is_kelurahan(village))
        call = lambda: advocacy.fund_proposal(self.record, amount, at=at)  # noqa: E731
        if self._step("fund_apbdes", at, ok, call):
            assert self.record.allocated_rupiah == amount

    def _policy(self, action: ProposalAction, at: datetime, text: str, call: Any) -> None:
        village = self.record.village_id
        regulation = action in (_A.ENACT_PERDES, _A.ISSUE_PERKADES)
        in_kelurahan = bool(village) and is_kelurahan(village)  # type: ignore[arg-type]
        ok = self._ok(action, at) and bool(text.strip()) and not (regulation and in_kelurahan)
        if self._step(action.value, at, ok, call):
            assert self.record.timeline[-1].note == text

    def attempt_enact_perdes(self, minutes: int, zone: tzinfo, text: str) -> None:
        at = self._at(minutes, zone)
        call = lambda: advocacy.enact_perdes(self.record, at=at, regulation=text)  # noqa: E731
        self._policy(_A.ENACT_PERDES, at, text, call)

    def attempt_issue_perkades(self, minutes: int, zone: tzinfo, text: str) -> None:
        at = self._at(minutes, zone)
        call = lambda: advocacy.issue_perkades(self.record, at=at, regulation=text)  # noqa: E731
        self._policy(_A.ISSUE_PERKADES, at, text, call)

    def attempt_agree_awig_awig(self, minutes: int, zone: tzinfo, text: str) -> None:
        at = self._at(minutes, zone)
        call = lambda: advocacy.agree_awig_awig(self.record, at=at, rule=text)  # noqa: E731
        self._policy(_A.AGREE_AWIG_AWIG, at, text, call)

    def attempt_reject(self, minutes: int, zone: tzinfo, reason: str) -> None:
        at = self._at(minutes, zone)
        ok = self._ok(_A.REJECT, at) and bool(reason.strip())
        self._step(
            "reject", at, ok, lambda: advocacy.reject_proposal(self.record, at=at, reason=reason)
        )

    def attempt_carry_over(self, minutes: int, zone: tzinfo, next_id: str) -> None:
        at = self._at(minutes, zone)
        before = self.record
        next_id = before.id if next_id == "SELF" else next_id
        ok = self._ok(_A.CARRY_OVER, at) and bool(next_id.strip()) and next_id != before.id
        made: list[AdvocacyProposal] = []

        def call() -> tuple[AdvocacyProposal, Event]:
            closed, event, following = advocacy.carry_over_proposal(before, next_id, at=at)
            made.append(following)
            return closed, event

        if self._step("carry_over", at, ok, call):
            (following,) = made
            assert self.record.timeline[-1].ref == next_id
            assert before.cycle_year is not None
            assert following.cycle_year == before.cycle_year + 1
            assert (following.id, following.carried_over_from) == (next_id, before.id)
            assert following.status is _P.DRAFT
            assert len(following.timeline) == 1

    @precondition(listed(_A.DRAFT))
    @rule(**WHEN)
    def draft(self, **kwargs: Any) -> None:
        self.attempt_draft(**kwargs)

    @precondition(lambda self: self.record.status in (_P.DRAFT, _P.IN_MUSDUS, _P.IN_MUSDES))
    @rule(**WHEN)
    def submit(self, **kwargs: Any) -> None:
        """Up to the next forum (a draft to its own forum)."""
        p = self.record
        if p.status is _P.DRAFT:
            action = {forum: a for a, forum in _SUBMIT_TO.items()}[p.forum.stage]
        else:
            action = _A.SUBMIT_MUSDES if p.status is _P.IN_MUSDUS else _A.SUBMIT_MUSRENBANGDES
        self._submit(action, **kwargs)

    @precondition(listed(_A.DISCUSS))
    @rule(**WHEN)
    def discuss(self, **kwargs: Any) -> None:
        self.attempt_discuss(**kwargs)

    @precondition(listed(_A.ADOPT_RKPDES))
    @rule(**WHEN)
    def adopt_rkpdes(self, **kwargs: Any) -> None:
        self.attempt_adopt_rkpdes(**kwargs)

    @precondition(listed(_A.FUND_APBDES))
    @rule(**WHEN, **inputs[_A.FUND_APBDES])
    def fund_apbdes(self, **kwargs: Any) -> None:
        self.attempt_fund_apbdes(**kwargs)

    @precondition(listed(_A.ENACT_PERDES))
    @rule(**WHEN, **inputs[_A.ENACT_PERDES])
    def enact_perdes(self, **kwargs: Any) -> None:
        self.attempt_enact_perdes(**kwargs)

    @precondition(listed(_A.REJECT))
    @rule(**WHEN, **inputs[_A.REJECT])
    def reject(self, **kwargs: Any) -> None:
        self.attempt_reject(**kwargs)

    @precondition(listed(_A.CARRY_OVER))
    @rule(**WHEN, **inputs[_A.CARRY_OVER])
    def carry_over(self, **kwargs: Any) -> None:
        self.attempt_carry_over(**kwargs)

    @invariant()
    def proposal_rules(self) -> None:
        p = self.record
        funded = p.status is ProposalStatus.FUNDED_APBDES
        assert (p.allocated_rupiah is not None) == funded
        assert p.budget_field is None or funded
        if funded and p.village_id is not None:
            assert not is_kelurahan(p.village_id)
        if p.status is not ProposalStatus.DRAFT:
            assert p.evidence  # nothing reaches the forum without evidence
            assert p.cycle_year is not None
        if p.timeline:
            assert p.cycle_year is not None


TestCaseLifecycle = CaseLifecycle.TestCase
TestReferralLifecycle = ReferralLifecycle.TestCase
TestProposalLifecycle = ProposalLifecycle.TestCase
