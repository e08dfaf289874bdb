"""The case lifecycle: its transition table, its guards and one function per action.

Every function is pure: it takes a case and returns the new case and the `Event` it
appended to the timeline. Storing the result and announcing the event is the job of
`kk_core.services`. The steps follow GBV and child-protection case management:
identification (report), assessment, case plan, implementation (referrals, notes),
follow-up, closure.

==============  ==========================  ========  =======================================
action          from                        to        guards
==============  ==========================  ========  =======================================
report          reported (no timeline)      (same)    timeline is empty
assign          reported                    active    a member is named
assign          active, referred            (same)    a member is named
record_consent  reported, active, referred  (same)    who may consent (see below)
assess          reported, active, referred  (same)    an assessment dated within the case
change_risk     reported, active, referred  (same)
plan            reported, active, referred  (same)    at least one action
follow_up       reported, active, referred  (same)    the next date is not in the past
legal_step      reported, active, referred  (same)    a stage is given
note            reported, active, referred  (same)    the note has text
refer           reported, active, referred  referred  consent for that service, or an override
resume          referred                    active
close           reported, active, referred  closed    an outcome that may end this case
reopen          closed                      active    a reason is given
==============  ==========================  ========  =======================================

Every action: its time is not before the last event, nor its date before the report date.

**Who may consent.** For a child (under 18 on the day of the consent): a parent, a
guardian, another trusted adult or a best-interest decision (with its reason and the
coordinator who approved it), never the child alone; from age 6 the child's own assent
is recorded beside it. Never an alleged perpetrator: a parent who is one, or a caregiver
implicated in the violence, cannot consent for the victim. A best-interest decision is
for a child.

**Referral.** Consent covers the kinds of service it names (consent to the Puskesmas is
not consent to the police); a child who did not assent is referred only by override.
Without consent, a referral needs an override: a reason (`OverrideReason`), a note, and
the member id of the coordinator who approved it. An adult's refusal gives way only to
imminent danger to life; "child at risk" is for a child.

**Closure.** A legal process is a stage (``legal_step``), not an outcome. A sexual-violence
case (UU TPKS) is never "settled within the family" unless every perpetrator is a child,
and "diversion" needs a child perpetrator (UU TPKS Art. 23, UU 11/2012 SPPA); it closes
after a referral to the UPTD PPA or the police, or with the reason it had none in the note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from kk_core._text import quote_value
from kk_core.case_parts import CHILD_AGE, Assessment, Consent, PlanAction
from kk_core.cases import Case
from kk_core.codes import (
    AssentDecision,
    CaseAction,
    CaseOutcome,
    CaseStatus,
    ConsentGiver,
    LegalStage,
    OverrideReason,
    RiskLevel,
    core_code,
)
from kk_core.lifecycle import (
    Event,
    Guard,
    Lifecycle,
    Step,
    Transition,
    first_event,
    not_before_last_event,
    requires,
)

__all__ = [
    "CASE_LIFECYCLE",
    "REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE",
    "add_note",
    "assess_case",
    "assign_companion",
    "change_risk",
    "close_case",
    "follow_up_case",
    "plan_case",
    "record_consent",
    "record_legal_step",
    "refer_case",
    "reopen_case",
    "report_case",
    "resume_case",
]

_OPEN = frozenset({CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED})
#: From this age a child's own assent is asked and recorded beside the consent.
ASSENT_AGE = 6
#: Where a sexual-violence case must have been referred before it closes (core kinds).
REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE = frozenset({"uptd_ppa", "police_ppa", "police"})


def _not_before_report(case: Case, step: Step) -> str | None:
    if step.at.date() < case.reported_on:
        return (
            f"{step.at.date().isoformat()} is before the report date {case.reported_on.isoformat()}"
        )
    return None


def _core_services(codes: Iterable[str]) -> frozenset[str]:
    return frozenset(core_code("service_kind", code) or code for code in codes)


def _perpetrator_parent(case: Case) -> bool:
    return case.violence is not None and any(
        core_code("perpetrator_relation", p.relation) == "parent"
        for p in case.violence.perpetrators
    )


def _caregiver_implicated(case: Case) -> bool:
    return case.violence is not None and any(p.is_caregiver for p in case.violence.perpetrators)


def _who_may_consent(case: Case, step: Step) -> str | None:
    consent: Consent = step.details["consent"]
    age = case.age_at(consent.recorded_on)
    child = age is not None and age < CHILD_AGE
    giver = consent.giver
    if child and giver is ConsentGiver.SELF:
        return (
            "a child's own consent is not enough: record a parent's, a guardian's or another "
            "trusted adult's consent (or a best-interest decision) with the child's assent"
        )
    if not child and giver is ConsentGiver.BEST_INTEREST:
        return "a best-interest decision is for a child; an adult consents or refuses"
    if giver is ConsentGiver.PARENT and _perpetrator_parent(case):
        return (
            "a parent is an alleged perpetrator and cannot consent: ask another trusted "
            "adult, or record a best-interest decision with its reason"
        )
    if giver in (ConsentGiver.PARENT, ConsentGiver.GUARDIAN) and _caregiver_implicated(case):
        return (
            "the caregiver is implicated in the violence and cannot consent: ask another "
            "trusted adult, or record a best-interest decision with its reason"
        )
    asked = child and age is not None and age >= ASSENT_AGE and giver is not ConsentGiver.NONE
    if asked and consent.assent is None:
        return f"a child of {age} is asked too: record the child's assent with the consent"
    return None


def _consent_or_override(case: Case, step: Step) -> str | None:
    service: str | None = step.details.get("service")
    covered = _consent_covers(case, service)
    if step.override is None:
        if covered is None:
            return None
        return f"{covered}, and no override reason was given"
    try:
        reason = OverrideReason(step.override)
    except ValueError:
        return (
            f"{quote_value(step.override)} is not an override reason ({', '.join(OverrideReason)})"
        )
    if not str(step.details.get("override_note", "")).strip():
        return "an override needs a note saying why the referral cannot wait for consent"
    if not step.details.get("approved_by"):
        return "an override needs the member id of the coordinator who approved it (approved_by)"
    if reason is OverrideReason.CHILD_AT_RISK and not case.is_child:
        return "the child-at-risk override applies only to a subject under 18"
    consent = case.consent
    refused = consent is not None and consent.refused
    if refused and not case.is_child and reason is not OverrideReason.IMMINENT_DANGER:
        return "an adult refused consent: only imminent danger to life overrides it"
    return None


def _consent_covers(case: Case, service: str | None) -> str | None:
    """None when the case's consent allows a referral to ``service``; else why not."""
    consent = case.consent
    if consent is None or consent.refused:
        return "no consent to refer is recorded"
    if service is not None and _core_services([service]) - _core_services(consent.services):
        return f"the consent does not cover the service {quote_value(service)}"
    if service is None and not consent.services:
        return "the consent covers no service"
    assent = consent.assent
    age = case.age_at(consent.recorded_on)
    assented = assent is not None and assent.decision is AssentDecision.GIVEN
    if age is not None and ASSENT_AGE <= age < CHILD_AGE and not assented:
        return "the child has not assented"
    return None


def _may_end_so(case: Case, step: Step) -> str | None:
    try:
        outcome = CaseOutcome(step.outcome or "")
    except ValueError:
        return f"{quote_value(step.outcome)} is not a case outcome"
    if outcome is CaseOutcome.LEGAL_PROCESS:
        return (
            "a legal process is a stage, not an outcome: record it with legal_step, and the "
            "case stays open while the KK accompanies it"
        )
    perpetrators = case.violence.perpetrators if case.violence is not None else ()
    children = [p.child for p in perpetrators]
    all_children = bool(children) and all(c is True for c in children)
    if outcome is CaseOutcome.DIVERSION and not any(c is True for c in children):
        return "diversion (UU SPPA) needs a perpetrator who is a child"
    if not case.is_sexual_violence:
        return None
    if outcome is CaseOutcome.SETTLED_FAMILY and not all_children:
        return (
            "UU TPKS Art. 23: a sexual-violence case is not settled outside court (only a "
            "child perpetrator's case may be diverted under UU SPPA)"
        )
    referred: frozenset[str] = _core_services(step.details.get("referred_to", ()))
    if not referred & REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE and not step.note.strip():
        return (
            "a sexual-violence case closes after a referral to the UPTD PPA or the police, "
            "or with the reason it had none in the note"
        )
    return None


def _assessed_in_time(case: Case, step: Step) -> str | None:
    assessment: Assessment = step.details["assessment"]
    if assessment.assessed_on > step.at.date():
        return f"the assessment is dated {assessment.assessed_on.isoformat()}, after the step"
    if assessment.assessed_on < case.reported_on:
        return "the assessment is dated before the report"
    return None


def _has_actions(case: Case, step: Step) -> str | None:
    return None if step.details["plan"] else "a case plan has at least one action"


def _next_date_ahead(case: Case, step: Step) -> str | None:
    due: date | None = step.details["next_follow_up"]
    if due is not None and due < step.at.date():
        return f"the next follow-up {due.isoformat()} is in the past"
    return None


_G = Guard[Case]

CASE_LIFECYCLE: Lifecycle[Case] = Lifecycle(
    "case",
    state_of=lambda case: case.status.value,
    state_type=CaseStatus,
    transitions=[
        Transition(
            CaseAction.REPORT,
            frozenset({CaseStatus.REPORTED}),
            None,
            (first_event("report once", "the case already has a timeline"),),
        ),
        Transition(
            CaseAction.ASSIGN,
            frozenset({CaseStatus.REPORTED}),
            CaseStatus.ACTIVE,
            (requires("ref", "companion required", "no member named as companion"),),
        ),
        Transition(
            CaseAction.ASSIGN,
            frozenset({CaseStatus.ACTIVE, CaseStatus.REFERRED}),
            None,
            (requires("ref", "companion required", "no member named as companion"),),
        ),
        Transition(
            CaseAction.RECORD_CONSENT, _OPEN, None, (_G("who may consent", _who_may_consent),)
        ),
        Transition(
            CaseAction.ASSESS,
            _OPEN,
            None,
            (_G("assessment dated within the case", _assessed_in_time),),
        ),
        Transition(CaseAction.CHANGE_RISK, _OPEN, None),
        Transition(CaseAction.PLAN, _OPEN, None, (_G("a plan of actions", _has_actions),)),
        Transition(
            CaseAction.FOLLOW_UP, _OPEN, None, (_G("next follow-up ahead", _next_date_ahead),)
        ),
        Transition(
            CaseAction.LEGAL_STEP,
            _OPEN,
            None,
            (requires("ref", "legal stage required", "no stage of the legal process given"),),
        ),
        Transition(
            CaseAction.NOTE, _OPEN, None, (requires("note", "note required", "the note is empty"),)
        ),
        Transition(
            CaseAction.REFER,
            _OPEN,
            CaseStatus.REFERRED,
            (_G("consent before referral", _consent_or_override),),
        ),
        Transition(CaseAction.RESUME, frozenset({CaseStatus.REFERRED}), CaseStatus.ACTIVE),
        Transition(
            CaseAction.CLOSE,
            _OPEN,
            CaseStatus.CLOSED,
            (
                requires(
                    "outcome", "outcome before closing", "a case cannot close without an outcome"
                ),
                _G("an outcome this case may end with", _may_end_so),
            ),
        ),
        Transition(
            CaseAction.REOPEN,
            frozenset({CaseStatus.CLOSED}),
            CaseStatus.ACTIVE,
            (requires("note", "reason to reopen", "reopening needs a reason in the note"),),
        ),
    ],
    common_guards=(
        _G("time never goes backwards", not_before_last_event),
        _G("not before the report", _not_before_report),
    ),
    terminal_hint={CaseStatus.CLOSED: "a closed case can only be reopened"},
)


def report_case(
    case: Case, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """Start the timeline of a newly recorded case."""
    return CASE_LIFECYCLE.apply(case, Step(CaseAction.REPORT, at, actor_id=actor_id, note=note))


def assign_companion(
    case: Case, member_id: str, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """Name the KK member who accompanies the client."""
    step = Step(CaseAction.ASSIGN, at, actor_id=actor_id, note=note, ref=member_id)
    return CASE_LIFECYCLE.apply(case, step, companion_id=member_id)


def record_consent(
    case: Case, consent: Consent, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """Record who consented to what (and, for a child, the child's assent)."""
    step = Step(
        CaseAction.RECORD_CONSENT, at, actor_id=actor_id, note=note, details={"consent": consent}
    )
    return CASE_LIFECYCLE.apply(case, step, consent=consent)


def assess_case(
    case: Case, assessment: Assessment, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """Record the assessment: needs by domain and the risk level it sets."""
    step = Step(
        CaseAction.ASSESS,
        at,
        actor_id=actor_id,
        note=note or f"risk: {assessment.risk.value}",
        details={"assessment": assessment},
    )
    return CASE_LIFECYCLE.apply(case, step, assessment=assessment, risk=assessment.risk)


def change_risk(
    case: Case, risk: RiskLevel, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    step = Step(CaseAction.CHANGE_RISK, at, actor_id=actor_id, note=note or f"risk: {risk.value}")
    return CASE_LIFECYCLE.apply(case, step, risk=risk)


def plan_case(
    case: Case,
    plan: Sequence[PlanAction],
    *,
    at: datetime,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[Case, Event]:
    """Set the case plan: actions, each with the member responsible and a due date."""
    actions = tuple(plan)
    step = Step(CaseAction.PLAN, at, actor_id=actor_id, note=note, details={"plan": actions})
    return CASE_LIFECYCLE.apply(case, step, plan=actions)


def follow_up_case(
    case: Case,
    next_follow_up: date | None,
    *,
    at: datetime,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[Case, Event]:
    """A follow-up of the case, and the date of the next one (None: none planned)."""
    step = Step(
        CaseAction.FOLLOW_UP,
        at,
        actor_id=actor_id,
        note=note,
        details={"next_follow_up": next_follow_up},
    )
    return CASE_LIFECYCLE.apply(case, step, next_follow_up=next_follow_up)


def record_legal_step(
    case: Case,
    stage: LegalStage,
    *,
    at: datetime,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[Case, Event]:
    """Where the legal process the KK accompanies now stands; the case stays open."""
    stage = LegalStage(stage)
    step = Step(CaseAction.LEGAL_STEP, at, actor_id=actor_id, note=note, ref=stage.value)
    return CASE_LIFECYCLE.apply(case, step, legal_stage=stage)


def add_note(
    case: Case, note: str, *, at: datetime, actor_id: str | None = None
) -> tuple[Case, Event]:
    """An accompaniment note (home visit, call) in the timeline."""
    return CASE_LIFECYCLE.apply(case, Step(CaseAction.NOTE, at, actor_id=actor_id, note=note))


def refer_case(
    case: Case,
    referral_id: str,
    *,
    at: datetime,
    service: str | None = None,
    override: OverrideReason | None = None,
    override_note: str = "",
    approved_by: str | None = None,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[Case, Event]:
    """Mark the case referred to a provider of ``service`` (a ``service_kind`` code).

    Needs consent covering that service (see the module docstring), or an override: its
    reason, ``override_note`` saying why it cannot wait for consent, and
    ``approved_by``, the coordinator who approved it. An override is written into the
    event's note (``[override: imminent_danger, approved by m-01: …]``), so the timeline
    itself shows why a referral went ahead without consent.
    """
    if override is not None and override in OverrideReason._value2member_map_:
        by = f", approved by {approved_by}" if approved_by else ""
        why = f": {override_note.strip()}" if override_note.strip() else ""
        note = f"{note} [override: {OverrideReason(override).value}{by}{why}]".strip()
    step = Step(
        CaseAction.REFER,
        at,
        actor_id=actor_id,
        note=note,
        ref=referral_id,
        override=None if override is None else str(override),
        details={"service": service, "approved_by": approved_by, "override_note": override_note},
    )
    return CASE_LIFECYCLE.apply(case, step)


def resume_case(
    case: Case, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """Back to accompaniment once no referral is open."""
    return CASE_LIFECYCLE.apply(case, Step(CaseAction.RESUME, at, actor_id=actor_id, note=note))


def close_case(
    case: Case,
    outcome: CaseOutcome | None,
    *,
    at: datetime,
    actor_id: str | None = None,
    note: str = "",
    referred_to: Iterable[str] = (),
) -> tuple[Case, Event]:
    """Close with an outcome; the closing date is the date of ``at`` in its own time zone.

    ``referred_to`` are the service kinds the case's referrals went to (the services
    know them): a sexual-violence case closes after a referral to the UPTD PPA or the
    police, or with the reason it had none in ``note``.
    """
    step = Step(
        CaseAction.CLOSE,
        at,
        actor_id=actor_id,
        note=note,
        outcome=None if outcome is None else str(outcome),
        details={"referred_to": frozenset(referred_to)},
    )
    return CASE_LIFECYCLE.apply(case, step, outcome=outcome, closed_on=at.date())


def reopen_case(
    case: Case, *, at: datetime, reason: str, actor_id: str | None = None
) -> tuple[Case, Event]:
    """Reopen a closed case; the outcome and closing date are cleared, the timeline keeps them."""
    step = Step(CaseAction.REOPEN, at, actor_id=actor_id, note=reason)
    return CASE_LIFECYCLE.apply(case, step, outcome=None, closed_on=None)
