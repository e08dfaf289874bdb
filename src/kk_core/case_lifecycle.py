"""The case lifecycle: its transition table, its guards and one function per action.

Every function is pure: it takes a case and returns the new case and the `Event` it
appended to the timeline. Storing the result and announcing the event is the job of
`kk_core.services`. The steps follow GBV and child-protection case management:
identification (report), assessment, case plan, implementation (referrals, notes),
follow-up, closure.

==============  ==========================  ========  =========================================
action          from                        to        guards
==============  ==========================  ========  =========================================
report          reported (no timeline)      (same)    timeline is empty
assign          reported                    active    a member is named
assign          active, referred            (same)    a member is named
record_consent  reported, active, referred  (same)    who may consent (see below)
assess          reported, active, referred  (same)    an assessment dated within the case
change_risk     reported, active, referred  (same)
plan            reported, active, referred  (same)    at least one action, none due before
                                                      the report
follow_up       reported, active, referred  (same)    the next date is not in the past
legal_step      reported, active, referred  (same)    a stage is given, not one the process
                                                      has passed; diversion: see below
update          every state                 (same)    only the case's details change; a closed
                                                      case's outcome still fits it
note            reported, active, referred  (same)    the note has text
refer           reported, active, referred  referred  consent for that service, or an override
resume          referred                    active
close           reported, active, referred  closed    an outcome that may end this case
reopen          closed                      active    a reason is given
==============  ==========================  ========  =========================================

Every action: its time is not before the last event, nor its date before the report date.

**Who may consent.** For a child (under 18 on the day of the consent): a parent, a
guardian, another trusted adult or a best-interest decision (with its reason and the
coordinator who approved it), never the child alone; from age 6 the child's own assent
is recorded beside it. Never an alleged perpetrator: a parent who is one, or a caregiver
implicated in the violence, cannot consent for the victim. A best-interest decision is
for a child.

**Referral.** Consent covers exactly the kinds of service it names (consent to the
Puskesmas is neither consent to the police nor to the RSUD under it), and its giver is
judged again on the day of the referral: not a perpetrator identified since, and the
client herself once she is 18. A child who did not assent is referred only by override.
Without consent, a referral needs an override: a reason (`OverrideReason`), a note, and
the member id of the coordinator who approved it. An adult's refusal — or her consent
that leaves the service out — gives way only to imminent danger to life; "child at
risk" is for a child.

**Closure.** A legal process is a stage (``legal_step``), not an outcome. A sexual-violence
case (UU TPKS) is never "settled within the family", whoever the perpetrator (Art. 23);
a child perpetrator's case may close as "diversion" (UU 11/2012 SPPA) when the offence
carries under 7 years. It closes after a referral to the UPTD PPA or the police, or
with the reason it had none in the note. An update of a closed case is refused when the
outcome no longer fits the updated case: reopen it first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from kk_core._text import quote_value, shorten
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
    Draft,
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
    "ASSENT_AGE",
    "CASE_LIFECYCLE",
    "DIVERSION_AGE",
    "REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE",
    "UPDATABLE_FIELDS",
    "CaseHistory",
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
#: Where a sexual-violence case must have been referred before it closes: these core
#: kinds and the local services under them (a DP3AKB / P2TP2A, a Polsek), but for those
#: in `_NOT_FOR_CLOSING`.
REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE = frozenset({"uptd_ppa", "police_ppa", "police"})
#: Local services under those kinds that are no referral of a sexual-violence case: the
#: village police officer (Bhabinkamtibmas) mediates, he does not investigate (UU TPKS
#: Art. 23 forbids settling such a case outside court).
_NOT_FOR_CLOSING = frozenset({"bhabinkamtibmas"})


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
    why = _giver_problem(case, consent.giver, child)
    if why is not None:
        return why
    if not child and consent.assent is not None:
        return "an assent is a child's: an adult consents"
    asked = child and age is not None and age >= ASSENT_AGE
    if asked and consent.giver is not ConsentGiver.NONE and consent.assent is None:
        return f"a child of {age} is asked too: record the child's assent with the consent"
    return None


def _giver_problem(case: Case, giver: ConsentGiver, child: bool) -> str | None:
    """Why ``giver`` cannot consent for the case's subject (a child or not), as the case
    now stands; None when they may. Checked when the consent is recorded and again on
    the day of every referral: a perpetrator identified later, or a child who has come
    of age, makes an earlier consent no longer enough."""
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
    implicated = _implicated_givers(case).get(giver)
    if implicated is not None:
        other = "the other parent, " if giver in (ConsentGiver.MOTHER, ConsentGiver.FATHER) else ""
        return (
            f"{implicated}: ask {other}another trusted adult, or record a best-interest "
            "decision with its reason"
        )
    return None


def _child_now(case: Case, step: Step) -> bool | None:
    """Whether the subject is a child on the day of the step (None: age unknown)."""
    age = case.age_at(step.at.date())
    return None if age is None else age < CHILD_AGE


def _consent_or_override(case: Case, step: Step) -> str | None:
    service: str | None = step.details.get("service")
    day = step.at.date()
    covered = _consent_covers(case, service, day)
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
    adult_no = child is False and _adult_refused(case, service)
    if adult_no and reason is not OverrideReason.IMMINENT_DANGER:
        return (
            "an adult refused consent to this service (a service left out of her consent "
            "is refused): only imminent danger to life overrides it"
        )
    return None


def _adult_refused(case: Case, service: str | None) -> bool:
    """An adult's own answer refuses the referral: a refusal, or a consent (the adult's
    or her legal guardian's) that leaves the service out."""
    consent = case.consent
    if consent is None:
        return False
    if consent.refused:
        return True
    own = consent.giver in _ADULT_GIVERS
    given_as_adult = not _is_child_on(case, consent.recorded_on)
    return own and given_as_adult and (service is None or service not in consent.services)


def _is_child_on(case: Case, day: date) -> bool:
    age = case.age_at(day)
    return age is None or age < CHILD_AGE  # in doubt, a child


def _consent_covers(case: Case, service: str | None, day: date) -> str | None:
    """None when the case's consent allows a referral to ``service`` on ``day``; else why
    not. A consent covers exactly the service kinds it names (a core kind covers only
    itself, not the local services under it), and its giver must still be one who may
    consent: not an alleged perpetrator, and the client herself once she is an adult."""
    consent = case.consent
    if consent is None or consent.refused:
        return "no consent to refer is recorded"
    if service is None:
        return "a consent covers the services it names: give the referral's service kind"
    if service not in consent.services:
        if core_code("service_kind", service) is None:
            return f"{quote_value(service)} is not a code of service_kind (give the code)"
        return f"the consent does not cover the service {quote_value(service)}"
    child_now = _is_child_on(case, day)
    if not child_now and consent.giver not in _ADULT_GIVERS:
        return (
            f"the client is an adult on {day.isoformat()}: a consent given for her as a child "
            "no longer covers a referral, ask for her own consent"
        )
    why = _giver_problem(case, consent.giver, child_now)
    if why is not None:
        return f"the consent no longer holds: {why}"
    assent = consent.assent
    age = case.age_at(consent.recorded_on)
    assented = assent is not None and assent.decision is AssentDecision.GIVEN
    if child_now and age is not None and ASSENT_AGE <= age < CHILD_AGE and not assented:
        return "the child has not assented"
    return None


#: Outcomes that end one issue only: the case must have that issue.
_OUTCOME_ISSUE = {
    CaseOutcome.MARRIAGE_PREVENTED: CaseCategory.CHILD_MARRIAGE,
    CaseOutcome.RETURNED_TO_SCHOOL: CaseCategory.SCHOOL_DROPOUT,
    CaseOutcome.DOCUMENT_ISSUED: CaseCategory.CIVIL_REGISTRATION,
}
#: UU TPKS forms whose offences carry 7 years or more: no diversion (UU SPPA Art.
#: 7(2)a). Rape (KUHP Art. 285, 12 years; from 2 January 2026 UU 1/2023 Art. 473,
#: 12 years); indecent assault by force (KUHP Art. 289, 9 years; UU 1/2023 Art.
#: 414(1)b, 9 years); intercourse with or indecent assault of a child (UU 35/2014 Art.
#: 81–82, 5 to 15 years); sexual violence in the household (UU 23/2004 PKDRT Art. 46,
#: 12 years); exploitation, slavery, torture, forced marriage (UU TPKS Art. 10, 9
#: years), forced prostitution, trafficking.
_NOT_DIVERTED = frozenset(
    {
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
    # sexual contact with a child is intercourse or indecent assault of a child (UU
    # 35/2014 Art. 81-82) however the form was recorded
    day = violence.occurred_on or case.reported_on if violence is not None else case.reported_on
    age = case.age_at(day)
    child_victim = age is None or age < CHILD_AGE
    cores = {c.core for c in case.gbvims}
    grave = violence is not None and (
        bool(violence.tpks_forms & _NOT_DIVERTED)
        or GbvimsType.RAPE in cores
        or (child_victim and GbvimsType.SEXUAL_ASSAULT in cores)
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
    why = _outcome_fits(case, outcome)
    if why is not None:
        return why
    return _referred_or_said_why(case, step.details.get("referred_to", ()), step.note)


def _outcome_fits(case: Case, outcome: CaseOutcome) -> str | None:
    """None when ``outcome`` may end ``case`` (the referral rule aside); else why not."""
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
    if outcome is CaseOutcome.SETTLED_FAMILY and case.is_sexual_violence:
        return (
            "UU TPKS Art. 23: a sexual-violence case is not settled outside court (a child "
            "perpetrator's case may be diverted under UU SPPA: outcome diversion)"
        )
    return None


def _referred_or_said_why(case: Case, referred_to: Iterable[str], note: str) -> str | None:
    """A sexual-violence case closes after a referral to the UPTD PPA or the police (not
    the Bhabinkamtibmas), or with the reason it had none."""
    if not case.is_sexual_violence:
        return None
    referred = _core_services(set(referred_to) - _NOT_FOR_CLOSING)
    if not referred & REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE and not _says_something(note):
        return (
            "a sexual-violence case closes after a referral to the UPTD PPA or the police, "
            "or with the reason it had none in the note"
        )
    return None


#: A reason given in a note: at least this many letters, in at least two words.
_MIN_REASON_LETTERS = 10


def _says_something(note: str) -> bool:
    """A note that gives a reason: words, not a mark ("x", "-", "ok")."""
    words = [w for w in note.split() if any(ch.isalpha() for ch in w)]
    letters = sum(ch.isalpha() for ch in note)
    return len(words) >= 2 and letters >= _MIN_REASON_LETTERS


def _diversion_stage(case: Case, step: Step) -> str | None:
    if step.ref == LegalStage.DIVERSION.value:
        return _why_no_diversion(case)
    return None


#: The stages of a criminal process in their order; diversion and a stop (SP3) may come
#: at any point, and the process may take up again after either.
_STAGE_ORDER = (
    LegalStage.REPORTED_TO_POLICE,
    LegalStage.INVESTIGATION,
    LegalStage.PROSECUTION,
    LegalStage.TRIAL,
    LegalStage.VERDICT,
)


def _stage_forwards(case: Case, step: Step) -> str | None:
    """The process does not go back: no report to the police after a verdict."""
    current, new = case.legal_stage, step.ref
    if current not in _STAGE_ORDER or new not in _STAGE_ORDER:
        return None
    stage = LegalStage(new)
    if _STAGE_ORDER.index(stage) < _STAGE_ORDER.index(current):
        return f"the process is at {current.value}: it does not go back to {stage.value}"
    return None


def _assessed_in_time(case: Case, step: Step) -> str | None:
    assessment: Assessment = step.details["assessment"]
    if assessment.assessed_on > step.at.date():
        return f"the assessment is dated {assessment.assessed_on.isoformat()}, after the step"
    if assessment.assessed_on < case.reported_on:
        return "the assessment is dated before the report"
    return None


def _has_actions(case: Case, step: Step) -> str | None:
    plan: tuple[PlanAction, ...] = step.details["plan"]
    if not plan:
        return "a case plan has at least one action"
    for i, action in enumerate(plan):
        if action.due_on < case.reported_on:
            return (
                f"action {i} is due on {action.due_on.isoformat()}, before the report "
                f"({case.reported_on.isoformat()})"
            )
        if action.done_on is not None and action.done_on < case.reported_on:
            return f"action {i} is done on {action.done_on.isoformat()}, before the report"
    return None


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
        named = ", ".join(quote_value(name) for name in fixed[:5])
        more = f" and {len(fixed) - 5} more" if len(fixed) > 5 else ""
        return (
            f"{named}{more} cannot be updated: the steps of a case change through their "
            "own actions, its ids and report date never"
        )
    return None if changed else "nothing to update"


def _still_ends_so(case: Case, step: Step) -> str | None:
    """A closed case's outcome must fit the case as updated: an update cannot make a
    sexual-violence case "settled within the family" (UU TPKS Art. 23), nor keep
    "marriage prevented" on a case that no longer has the issue; and a case the update
    makes sexual violence must have been referred (or closed with the reason it was
    not). Reopen it first."""
    updated: Case | None = step.details.get("updated")
    if case.status is not CaseStatus.CLOSED or updated is None or case.outcome is None:
        return None
    why = _outcome_fits(updated, case.outcome)
    if why is None and not case.is_sexual_violence:
        closing = next((e for e in reversed(case.timeline) if e.action == CaseAction.CLOSE), None)
        note = closing.note if closing is not None else ""
        why = _referred_or_said_why(updated, step.details.get("referred_to", ()), note)
    if why is None:
        return None
    return (
        f"the case closed as {case.outcome.value}, which the updated case could not end "
        f"with ({why}): reopen the case first"
    )


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
                _G("the process goes forwards", _stage_forwards),
            ),
        ),
        Transition(
            CaseAction.NOTE, _OPEN, None, (requires("note", "note required", "the note is empty"),)
        ),
        Transition(
            CaseAction.UPDATE,
            frozenset(CaseStatus),
            None,
            (
                _G("only the details change", _only_details),
                _G("a closed case's outcome still fits", _still_ends_so),
            ),
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
    return CASE_LIFECYCLE.apply(case, _report(at, actor_id, note))


def _report(at: datetime, actor_id: str | None, note: str) -> Step:
    return Step(CaseAction.REPORT, at, actor_id=actor_id, note=note)


def assign_companion(
    case: Case, member_id: str, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """Name the KK member who accompanies the client."""
    return CASE_LIFECYCLE.apply(
        case, _assign(member_id, at, actor_id, note), companion_id=member_id
    )


def _assign(member_id: str, at: datetime, actor_id: str | None, note: str) -> Step:
    return Step(CaseAction.ASSIGN, at, actor_id=actor_id, note=note, ref=member_id)


def record_consent(
    case: Case, consent: Consent, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """Record who consented to what (and, for a child, the child's assent)."""
    return CASE_LIFECYCLE.apply(case, _consent(consent, at, actor_id, note), consent=consent)


def _consent(consent: Consent, at: datetime, actor_id: str | None, note: str) -> Step:
    return Step(
        CaseAction.RECORD_CONSENT, at, actor_id=actor_id, note=note, details={"consent": consent}
    )


def assess_case(
    case: Case, assessment: Assessment, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """Record the assessment: needs by domain and the risk level it sets."""
    step = _assess(assessment, at, actor_id, note)
    return CASE_LIFECYCLE.apply(case, step, assessment=assessment, risk=assessment.risk)


def _assess(assessment: Assessment, at: datetime, actor_id: str | None, note: str) -> Step:
    return Step(
        CaseAction.ASSESS,
        at,
        actor_id=actor_id,
        note=note or f"risk: {assessment.risk.value}",
        details={"assessment": assessment},
    )


def change_risk(
    case: Case, risk: RiskLevel, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Case, Event]:
    """A new risk level between assessments (the note says why; it names the level)."""
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
    referred_to: Iterable[str] = (),
) -> tuple[Case, Event]:
    """Record what was learnt or corrected later — a marriage's result, a dispensation's
    decision, a perpetrator identified, a penetration found out — as a step of its own.

    ``changes`` are fields of `UPDATABLE_FIELDS` and their new values; the case must stay
    valid (the model's own error, naming the field, otherwise). Allowed in every state,
    a closed case included (a correction), as long as the outcome it closed with still
    fits the updated case (``referred_to``: the service kinds its referrals went to, as
    for `close_case`); else reopen it first. The event's note names the fields changed.
    A consent is not changed here: a giver the update implicates (a parent now named a
    perpetrator) no longer covers a referral, which `refer_case` checks on its day.
    """
    changed = tuple(sorted(changes))
    step = Step(
        CaseAction.UPDATE,
        at,
        actor_id=actor_id,
        note=f"{note} [updated: {', '.join(shorten(name, 40) for name in changed)}]".strip(),
        details={"changed": changed},
    )
    CASE_LIFECYCLE.check(case, step)  # the guards first: a fixed field is never evolved
    updated = attrs.evolve(case, **changes)  # the model's own checks, naming the field
    step = attrs.evolve(
        step, details={**step.details, "updated": updated, "referred_to": frozenset(referred_to)}
    )
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
    step = _refer(referral_id, at, service, override, override_note, approved_by, actor_id, note)
    return CASE_LIFECYCLE.apply(case, step)


def _refer(
    referral_id: str,
    at: datetime,
    service: str | None,
    override: OverrideReason | None,
    override_note: str,
    approved_by: str | None,
    actor_id: str | None,
    note: str,
) -> Step:
    if override is not None and override in OverrideReason._value2member_map_:
        by = f", approved by {approved_by}" if approved_by else ""
        why = f": {override_note.strip()}" if override_note.strip() else ""
        note = f"{note} [override: {OverrideReason(override).value}{by}{why}]".strip()
    return Step(
        CaseAction.REFER,
        at,
        actor_id=actor_id,
        note=note,
        ref=referral_id,
        override=None if override is None else str(override),
        details={"service": service, "approved_by": approved_by, "override_note": override_note},
    )


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


class CaseHistory:
    """Several steps of one case recorded at once, the case built and checked once.

    An import records each new case's whole history (report, companion, assessment,
    consent, referrals); applying the functions above one by one would build and check
    the whole case at every step. The methods here take the same arguments, check the
    same guards against the case as the steps before left it, and raise the same
    `TransitionError`; `finish` builds the case, which the model checks as a whole (see
    `kk_core.lifecycle.Draft`). ``start``: fields the history starts from instead of the
    case's, such as ``consent=None`` for a consent that a step records again.
    """

    def __init__(self, case: Case, **start: Any) -> None:
        self._draft: Draft[Case] = CASE_LIFECYCLE.draft(case, **start)

    @classmethod
    def of_unchecked(cls, case: Case, **start: Any) -> CaseHistory:
        """The history of a case made without its checks for it alone (see
        `kk_core.lifecycle.Lifecycle.draft_unchecked`): `finish` builds and checks it."""
        history = cls.__new__(cls)
        history._draft = CASE_LIFECYCLE.draft_unchecked(case, **start)
        return history

    @property
    def case(self) -> Case:
        """The case as the steps so far left it (checked as a whole only by `finish`)."""
        return self._draft.record

    @property
    def events(self) -> tuple[Event, ...]:
        """The events the steps appended, in order."""
        return tuple(self._draft.events)

    def report(self, *, at: datetime, actor_id: str | None = None, note: str = "") -> Event:
        """As `report_case`."""
        return self._draft.apply(_report(at, actor_id, note))

    def assign_companion(
        self, member_id: str, *, at: datetime, actor_id: str | None = None, note: str = ""
    ) -> Event:
        """As `assign_companion`."""
        return self._draft.apply(_assign(member_id, at, actor_id, note), companion_id=member_id)

    def assess(
        self,
        assessment: Assessment,
        *,
        at: datetime,
        actor_id: str | None = None,
        note: str = "",
    ) -> Event:
        """As `assess_case`."""
        step = _assess(assessment, at, actor_id, note)
        return self._draft.apply(step, assessment=assessment, risk=assessment.risk)

    def record_consent(
        self, consent: Consent, *, at: datetime, actor_id: str | None = None, note: str = ""
    ) -> Event:
        """As `record_consent`."""
        return self._draft.apply(_consent(consent, at, actor_id, note), consent=consent)

    def refer(
        self,
        referral_id: str,
        *,
        at: datetime,
        service: str | None = None,
        override: OverrideReason | None = None,
        override_note: str = "",
        approved_by: str | None = None,
        actor_id: str | None = None,
        note: str = "",
    ) -> Event:
        """As `refer_case`."""
        step = _refer(
            referral_id, at, service, override, override_note, approved_by, actor_id, note
        )
        return self._draft.apply(step)

    def finish(self) -> Case:
        """The case with every step, checked by the model as a whole (a ``ValueError``
        naming the field when it does not hold)."""
        return self._draft.finish()
