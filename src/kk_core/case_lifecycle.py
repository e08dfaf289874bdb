"""The case lifecycle: its transition table, its guards and one function per action.

Every function is pure: it takes a case and returns the new case and the `Event` it
appended to the timeline. Storing the result and announcing the event is the job of
`kk_core.services`.

==============  =========================  ========  =====================================
action          from                       to        guards
==============  =========================  ========  =====================================
report          reported (no timeline)     (same)    timeline is empty
assign          reported                   active    a member is named
assign          active, referred           (same)    a member is named
record_consent  reported, active, referred (same)
change_risk     reported, active, referred (same)
note            reported, active, referred (same)    the note has text
refer           reported, active, referred referred  consent to refer, or an override reason
                                                     (child at risk: only for a child)
resume          referred                   active
close           reported, active, referred closed    an outcome is given
reopen          closed                     active    a reason is given
==============  =========================  ========  =====================================

Every action: its time is not before the last event, nor its date before the report date.
"""

from __future__ import annotations

from datetime import datetime

from kk_core._text import quote_value
from kk_core.cases import Case, Consent
from kk_core.codes import CaseAction, CaseOutcome, CaseStatus, OverrideReason, RiskLevel
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
    "add_note",
    "assign_companion",
    "change_risk",
    "close_case",
    "record_consent",
    "refer_case",
    "reopen_case",
    "report_case",
    "resume_case",
]

_OPEN = frozenset({CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED})


def _not_before_report(case: Case, step: Step) -> str | None:
    if step.at.date() < case.reported_on:
        return (
            f"{step.at.date().isoformat()} is before the report date {case.reported_on.isoformat()}"
        )
    return None


def _consent_or_override(case: Case, step: Step) -> str | None:
    if step.override is None:
        if case.consent is not None and case.consent.allows_referral:
            return None
        return "no consent to refer is recorded and no override reason was given"
    try:
        reason = OverrideReason(step.override)
    except ValueError:
        return (
            f"{quote_value(step.override)} is not an override reason ({', '.join(OverrideReason)})"
        )
    if reason is OverrideReason.CHILD_AT_RISK and not case.is_child:
        return "the child-at-risk override applies only to a subject under 18"
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
        Transition(CaseAction.RECORD_CONSENT, _OPEN, None),
        Transition(CaseAction.CHANGE_RISK, _OPEN, None),
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
    step = Step(CaseAction.RECORD_CONSENT, at, actor_id=actor_id, note=note)
    return CASE_LIFECYCLE.apply(case, step, consent=consent)


def change_risk(
    case: Case, risk: RiskLevel, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    step = Step(CaseAction.CHANGE_RISK, at, actor_id=actor_id, note=note or f"risk: {risk.value}")
    return CASE_LIFECYCLE.apply(case, step, risk=risk)


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
    override: OverrideReason | None = None,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[Case, Event]:
    """Mark the case referred. Needs recorded consent, or an override reason.

    An override is written into the event's note (``[override: child_at_risk]``), so the
    timeline itself shows why a referral went ahead without consent.
    """
    if override is not None and override in OverrideReason._value2member_map_:
        note = f"{note} [override: {OverrideReason(override).value}]".strip()
    step = Step(
        CaseAction.REFER,
        at,
        actor_id=actor_id,
        note=note,
        ref=referral_id,
        override=None if override is None else str(override),
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
) -> tuple[Case, Event]:
    """Close with an outcome; the closing date is the date of ``at`` in its own time zone."""
    step = Step(
        CaseAction.CLOSE,
        at,
        actor_id=actor_id,
        note=note,
        outcome=None if outcome is None else str(outcome),
    )
    return CASE_LIFECYCLE.apply(case, step, outcome=outcome, closed_on=at.date())


def reopen_case(
    case: Case, *, at: datetime, reason: str, actor_id: str | None = None
) -> tuple[Case, Event]:
    """Reopen a closed case; the outcome and closing date are cleared, the timeline keeps them."""
    step = Step(CaseAction.REOPEN, at, actor_id=actor_id, note=reason)
    return CASE_LIFECYCLE.apply(case, step, outcome=None, closed_on=None)
