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
legal_step      reported, active, referred  (same)    a stage is given; diversion: see below
update          every state                 (same)    only the case's details change
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

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from kk_core._text import quote_value
from kk_core.case_parts import CHILD_AGE, Assessment, Consent, Perpetrator, PlanAction
from kk_core.cases import Case
from kk_core.codes import (
    AgeBand,
    AssentDecision,
    CaseAction,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ConsentGiver,
    GbvimsType,
    LegalStage,
    OverrideReason,
    RiskLevel,
    Sex,
    TpksForm,
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
    "DIVERSION_AGE",
    "REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE",
    "UPDATABLE_FIELDS",
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
    "update_case",
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


def _perpetrators(case: Case) -> tuple[Perpetrator, ...]:
    return case.violence.perpetrators if case.violence is not None else ()


def _implicated_givers(case: Case) -> dict[ConsentGiver, str]:
    """The givers who are, or may be, an alleged perpetrator, and why.

    A perpetrator whose relation rolls up to ``parent`` (a stepfather too) rules out the
    parent of that sex, and an unnamed ``parent``; a caregiver implicated who is not a
    parent rules out the ``guardian``.
    """
    found: dict[ConsentGiver, str] = {}
    for p in _perpetrators(case):
        if core_code("perpetrator_relation", p.relation) == "parent":
            why = "a parent is an alleged perpetrator and cannot consent"
            found[ConsentGiver.PARENT] = why
            if p.sex is not Sex.FEMALE:
                found[ConsentGiver.FATHER] = why
            if p.sex is not Sex.MALE:
                found[ConsentGiver.MOTHER] = why
        elif p.is_caregiver:
            found[ConsentGiver.GUARDIAN] = (
                "the caregiver is implicated in the violence and cannot consent"
            )
    return found


#: Who may consent for an adult: the adult, or a legal guardian (pengampu), or no one.
_ADULT_GIVERS = frozenset({ConsentGiver.SELF, ConsentGiver.GUARDIAN, ConsentGiver.NONE})


def _who_may_consent(case: Case, step: Step) -> str | None:
    consent: Consent = step.details["consent"]
    if consent.recorded_on > step.at.date():
        return f"the consent is dated {consent.recorded_on.isoformat()}, after the step"
    if consent.recorded_on < case.reported_on:
        return "the consent is dated before the report"
    if consent.assent is not None and consent.assent.recorded_on < case.reported_on:
        return "the assent is dated before the report"
    age = case.age_at(consent.recorded_on)
    child = age is None or age < CHILD_AGE  # in doubt, a child
    giver = consent.giver
    if child and giver is ConsentGiver.SELF:
        return (
            "a child's own consent is not enough: record a parent's, a guardian's or another "
            "trusted adult's consent (or a best-interest decision) with the child's assent"
        )
    if not child and giver not in _ADULT_GIVERS:
        return (
            "an adult consents or refuses for themself (or through a legal guardian); "
            f"{giver.value} cannot consent for an adult"
        )
    if not child and consent.assent is not None:
        return "an assent is a child's: an adult consents"
    implicated = _implicated_givers(case).get(giver)
    if implicated is not None:
        other = "the other parent, " if giver in (ConsentGiver.MOTHER, ConsentGiver.FATHER) else ""
        return (
            f"{implicated}: ask {other}another trusted adult, or record a best-interest "
            "decision with its reason"
        )
    asked = child and age is not None and age >= ASSENT_AGE and giver is not ConsentGiver.NONE
    if asked and consent.assent is None:
        return f"a child of {age} is asked too: record the child's assent with the consent"
    return None


def _child_now(case: Case, step: Step) -> bool | None:
    """Whether the subject is a child on the day of the step (None: age unknown)."""
    age = case.age_at(step.at.date())
    return None if age is None else age < CHILD_AGE


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
    child = _child_now(case, step)
    if reason is OverrideReason.CHILD_AT_RISK and child is not True:
        return "the child-at-risk override applies only to a subject under 18"
    consent = case.consent
    refused = consent is not None and consent.refused
    if refused and child is False and reason is not OverrideReason.IMMINENT_DANGER:
        return "an adult refused consent: only imminent danger to life overrides it"
    return None


def _consent_covers(case: Case, service: str | None) -> str | None:
    """None when the case's consent allows a referral to ``service``; else why not."""
    consent = case.consent
    if consent is None or consent.refused:
        return "no consent to refer is recorded"
    if service is not None and _core_services([service]) - _core_services(consent.services):
        if core_code("service_kind", service) is None:
            return f"{quote_value(service)} is not a code of service_kind (give the code)"
        return f"the consent does not cover the service {quote_value(service)}"
    if service is None and not consent.services:
        return "the consent covers no service"
    assent = consent.assent
    age = case.age_at(consent.recorded_on)
    assented = assent is not None and assent.decision is AssentDecision.GIVEN
    if age is not None and ASSENT_AGE <= age < CHILD_AGE and not assented:
        return "the child has not assented"
    return None


#: Outcomes that end one issue only: the case must have that issue.
_OUTCOME_ISSUE = {
    CaseOutcome.MARRIAGE_PREVENTED: CaseCategory.CHILD_MARRIAGE,
    CaseOutcome.RETURNED_TO_SCHOOL: CaseCategory.SCHOOL_DROPOUT,
    CaseOutcome.DOCUMENT_ISSUED: CaseCategory.CIVIL_REGISTRATION,
}
#: UU TPKS forms whose offences carry 7 years or more (rape, KUHP Art. 285; intercourse
#: with or indecent assault of a child, UU 35/2014 Art. 81–82; exploitation, slavery,
#: torture, forced marriage, forced prostitution, trafficking): no diversion (UU SPPA
#: Art. 7(2)a).
_NOT_DIVERTED = frozenset(
    {
        TpksForm.RAPE,
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
)
#: The age from which a child in conflict with the law is diverted (UU SPPA Art. 1(3),
#: Art. 21: under 12, the child goes back to the parents or to a programme instead).
DIVERSION_AGE = 12


def _why_no_diversion(case: Case) -> str | None:
    """None when the case's perpetrators may be diverted under UU SPPA; else why not."""
    perpetrators = _perpetrators(case)
    if not perpetrators:
        return "diversion (UU SPPA) needs the perpetrators recorded, each a child"
    for p in perpetrators:
        if p.child is not True:
            return "diversion (UU SPPA) is for a perpetrator who is a child: every one must be"
        young = (p.age_years is not None and p.age_years < DIVERSION_AGE) or (
            p.age_years is None and p.age_band is not AgeBand.AGE_13_17
        )
        if young:
            return (
                f"diversion (UU SPPA) is for a child of {DIVERSION_AGE} to 17: record the age "
                "(under 12, a child is not prosecuted, Art. 21)"
            )
    violence = case.violence
    grave = violence is not None and (
        violence.tpks_forms & _NOT_DIVERTED or any(c.core is GbvimsType.RAPE for c in case.gbvims)
    )
    if grave or case.child_marriage is not None:
        return (
            "no diversion for an offence punishable by 7 years or more (UU SPPA Art. 7(2)a): "
            "rape, intercourse with or indecent assault of a child, forced marriage…"
        )
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
    issue = _OUTCOME_ISSUE.get(outcome)
    if issue is not None and issue not in case.all_issues:
        return f"{outcome.value} ends a case with the issue {issue.value}"
    if outcome is CaseOutcome.DIVERSION:
        why = _why_no_diversion(case)
        if why is not None:
            return why
    if not case.is_sexual_violence:
        return None
    if outcome is CaseOutcome.SETTLED_FAMILY:
        return (
            "UU TPKS Art. 23: a sexual-violence case is not settled outside court (a child "
            "perpetrator's case may be diverted under UU SPPA: outcome diversion)"
        )
    referred: frozenset[str] = _core_services(step.details.get("referred_to", ()))
    if not referred & REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE and not _says_something(step.note):
        return (
            "a sexual-violence case closes after a referral to the UPTD PPA or the police, "
            "or with the reason it had none in the note"
        )
    return None


def _says_something(note: str) -> bool:
    return any(ch.isalpha() for ch in note)


def _diversion_stage(case: Case, step: Step) -> str | None:
    if step.ref == LegalStage.DIVERSION.value:
        return _why_no_diversion(case)
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


#: What `update_case` may change: what was recorded about the case, learnt or corrected
#: later. The steps taken (status, timeline, consent, assessment, plan, companion,
#: outcome…) change only through their own actions; the ids and the report date never.
UPDATABLE_FIELDS = frozenset(
    {
        "channel",
        "category",
        "subject",
        "reporter",
        "issues",
        "subcategory",
        "programme",
        "welfare_decile",
        "decile_seen_on",
        "documents",
        "dropout_reasons",
        "violence",
        "child_marriage",
        "summary",
    }
)


def _only_details(case: Case, step: Step) -> str | None:
    changed: tuple[str, ...] = step.details["changed"]
    fixed = sorted(set(changed) - UPDATABLE_FIELDS)
    if fixed:
        return (
            f"{', '.join(fixed)} cannot be updated: the steps of a case change through their "
            "own actions, its ids and report date never"
        )
    return None if changed else "nothing to update"


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
            (
                requires("ref", "legal stage required", "no stage of the legal process given"),
                _G("diversion only for a child perpetrator", _diversion_stage),
            ),
        ),
        Transition(
            CaseAction.NOTE, _OPEN, None, (requires("note", "note required", "the note is empty"),)
        ),
        Transition(
            CaseAction.UPDATE,
            frozenset(CaseStatus),
            None,
            (_G("only the details change", _only_details),),
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
    terminal_hint={
        CaseStatus.CLOSED: "a closed case can only be reopened (or its details updated)"
    },
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


def update_case(
    case: Case,
    changes: Mapping[str, Any],
    *,
    at: datetime,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[Case, Event]:
    """Record what was learnt or corrected later — a marriage's result, a dispensation's
    decision, a perpetrator identified, a penetration found out — as a step of its own.

    ``changes`` are fields of `UPDATABLE_FIELDS` and their new values; the case must stay
    valid (the model's own error, naming the field, otherwise). Allowed in every state,
    a closed case included (a correction); the event's note names the fields changed.
    """
    changed = tuple(sorted(changes))
    step = Step(
        CaseAction.UPDATE,
        at,
        actor_id=actor_id,
        note=f"{note} [updated: {', '.join(changed)}]".strip(),
        details={"changed": changed},
    )
    CASE_LIFECYCLE.check(case, step)  # the guards first: a fixed field is never evolved
    attrs.evolve(case, **changes)  # the model's own checks, naming the field
    return CASE_LIFECYCLE.apply(case, step, **changes)


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
