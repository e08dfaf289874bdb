"""The case lifecycle table: every (action, state) pair, allowed and refused, and every guard."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kk_core.case_lifecycle import (
    CASE_LIFECYCLE,
    add_note,
    assess_case,
    assign_companion,
    change_risk,
    close_case,
    follow_up_case,
    plan_case,
    record_consent,
    record_legal_step,
    refer_case,
    reopen_case,
    report_case,
    resume_case,
    update_case,
)
from kk_core.cases import Assent, Assessment, Case, Consent, PlanAction, Subject
from kk_core.codes import (
    AssentDecision,
    CaseAction,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ConsentGiver,
    IntakeChannel,
    LegalStage,
    OverrideReason,
    RiskLevel,
    Sex,
)
from kk_core.errors import KKError, TransitionError
from kk_core.lifecycle import Event, Step

WITA = timezone(timedelta(hours=8))
DAY = date(2025, 3, 3)
T0 = datetime(2025, 3, 3, 9, tzinfo=WITA)
#: A parent's consent to refer to the UPTD PPA, with the child's assent (the subject is 15).
CONSENT = Consent(
    ConsentGiver.PARENT,
    DAY,
    services={"uptd_ppa"},
    assent=Assent(AssentDecision.GIVEN, DAY),
)
ADULT_CONSENT = Consent(ConsentGiver.SELF, DAY, services={"uptd_ppa"})
SERVICE = "uptd_ppa"
#: An override's note and the coordinator who approved it.
OVERRIDE = {"override_note": "Ancaman pembunuhan malam ini", "approved_by": "m-ketua"}


def t(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


_KEEP = Consent(ConsentGiver.NONE, DAY)  # a marker: "the default consent"


def new_case(*, child: bool = True, consent: Consent | None = _KEEP) -> Case:
    subject = Subject(Sex.FEMALE, age_years=15 if child else 30)
    if consent is _KEEP:
        consent = CONSENT if child else ADULT_CONSENT
    return Case(
        "c1",
        "kk-teros",
        "52.03.12.2005",
        DAY,
        IntakeChannel.OUTREACH_VISIT,
        CaseCategory.CHILD_MARRIAGE if child else CaseCategory.VIOLENCE,
        subject,
        consent=consent,
    )


def in_state(state: CaseStatus, **kwargs: bool) -> Case:
    """A case taken to ``state`` through the lifecycle, last event at t(4) at the latest."""
    case, _ = report_case(new_case(**kwargs), at=t(0))  # type: ignore[arg-type]
    if state is CaseStatus.REPORTED:
        return case
    case, _ = assign_companion(case, "m1", at=t(1))
    if state is CaseStatus.ACTIVE:
        return case
    if state is CaseStatus.REFERRED:
        return refer_case(case, "r1", at=t(2), service=SERVICE)[0]
    return close_case(case, CaseOutcome.MARRIAGE_PREVENTED, at=t(2), referred_to={"uptd_ppa"})[0]


#: The table as the issue states it: action → states it may start from.
SOURCES: dict[CaseAction, set[CaseStatus]] = {
    CaseAction.REPORT: {CaseStatus.REPORTED},
    CaseAction.ASSIGN: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.RECORD_CONSENT: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.CHANGE_RISK: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.ASSESS: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.PLAN: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.FOLLOW_UP: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.LEGAL_STEP: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.NOTE: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.REFER: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.RESUME: {CaseStatus.REFERRED},
    CaseAction.CLOSE: {CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED},
    CaseAction.REOPEN: {CaseStatus.CLOSED},
    CaseAction.UPDATE: set(CaseStatus),
}

#: Where an allowed action leads from each state (None: the state does not change).
TARGET: dict[CaseAction, CaseStatus | None] = {
    CaseAction.REPORT: None,
    CaseAction.ASSIGN: None,  # except reported → active, below
    CaseAction.RECORD_CONSENT: None,
    CaseAction.CHANGE_RISK: None,
    CaseAction.ASSESS: None,
    CaseAction.PLAN: None,
    CaseAction.FOLLOW_UP: None,
    CaseAction.LEGAL_STEP: None,
    CaseAction.NOTE: None,
    CaseAction.REFER: CaseStatus.REFERRED,
    CaseAction.RESUME: CaseStatus.ACTIVE,
    CaseAction.CLOSE: CaseStatus.CLOSED,
    CaseAction.REOPEN: CaseStatus.ACTIVE,
    CaseAction.UPDATE: None,
}

Do = Callable[[Case, datetime], tuple[Case, Event]]

#: Each action with inputs that satisfy its own guards.
DO: dict[CaseAction, Do] = {
    CaseAction.REPORT: lambda c, at: report_case(c, at=at),
    CaseAction.ASSIGN: lambda c, at: assign_companion(c, "m2", at=at),
    CaseAction.RECORD_CONSENT: lambda c, at: record_consent(c, CONSENT, at=at),
    CaseAction.CHANGE_RISK: lambda c, at: change_risk(c, RiskLevel.HIGH, at=at),
    CaseAction.ASSESS: lambda c, at: assess_case(c, Assessment(at.date(), RiskLevel.HIGH), at=at),
    CaseAction.PLAN: lambda c, at: plan_case(
        c, [PlanAction("Antar ke UPTD PPA", "m1", at.date() + timedelta(days=7))], at=at
    ),
    CaseAction.FOLLOW_UP: lambda c, at: follow_up_case(c, at.date() + timedelta(days=14), at=at),
    CaseAction.LEGAL_STEP: lambda c, at: record_legal_step(c, LegalStage.INVESTIGATION, at=at),
    CaseAction.NOTE: lambda c, at: add_note(c, "Kunjungan rumah", at=at),
    CaseAction.REFER: lambda c, at: refer_case(c, "r9", at=at, service=SERVICE),
    CaseAction.RESUME: lambda c, at: resume_case(c, at=at),
    CaseAction.CLOSE: lambda c, at: close_case(
        c, CaseOutcome.RESOLVED, at=at, referred_to={"uptd_ppa"}
    ),
    CaseAction.REOPEN: lambda c, at: reopen_case(c, at=at, reason="Dinikahkan ulang"),
    CaseAction.UPDATE: lambda c, at: update_case(c, {"summary": "Hasil belas"}, at=at),
}

PAIRS = [(a, s) for a in CaseAction for s in CaseStatus]


def test_the_table_is_the_documented_one() -> None:
    assert set(CASE_LIFECYCLE.states()) == {s.value for s in CaseStatus}
    for state in CaseStatus:
        case = in_state(state)
        expected = {a.value for a, sources in SOURCES.items() if state in sources}
        assert set(CASE_LIFECYCLE.allowed_actions(case)) == expected, state


def test_report_is_only_allowed_once_on_a_new_case() -> None:
    case, event = report_case(new_case(), at=T0, actor_id="m1", note="Laporan kader")
    assert case.status is CaseStatus.REPORTED
    assert case.timeline == (event,)
    assert (event.action, event.source, event.target) == ("report", "reported", "reported")
    assert (event.actor_id, event.note, event.at) == ("m1", "Laporan kader", T0)
    with pytest.raises(TransitionError, match="report once: the case already has a timeline"):
        report_case(case, at=t(1))


@pytest.mark.parametrize(("action", "state"), PAIRS, ids=lambda v: str(v))
def test_every_action_from_every_state(action: CaseAction, state: CaseStatus) -> None:
    case = in_state(state)
    at = t(5)
    if state in SOURCES[action] and not (action is CaseAction.REPORT and case.timeline):
        new, event = DO[action](case, at)
        expected = TARGET[action] or state
        if action is CaseAction.ASSIGN and state is CaseStatus.REPORTED:
            expected = CaseStatus.ACTIVE
        assert new.status is expected
        assert new.timeline == (*case.timeline, event)
        assert (event.action, event.source, event.target) == (action, state, expected)
        assert event.at == at
    else:
        with pytest.raises(TransitionError) as info:
            DO[action](case, at)
        err = info.value
        assert isinstance(err, KKError)
        assert (err.kind, err.source, err.action) == ("case", state.value, action.value)
        message = str(err)
        assert f"case cannot {action.value} from state '{state.value}'" in message
        if action is CaseAction.REPORT and state is CaseStatus.REPORTED:
            assert "report once" in err.rule
        elif state is CaseStatus.CLOSED:
            assert err.rule == "a closed case can only be reopened (or its details updated)"
        else:
            assert err.rule.startswith(f"from '{state.value}' the table allows: ")
            for allowed in CASE_LIFECYCLE.allowed_actions(case):
                assert allowed in err.rule


def test_action_functions_set_their_fields() -> None:
    case = in_state(CaseStatus.REPORTED, consent=None)  # type: ignore[arg-type]
    assert case.companion_id is None
    case, event = assign_companion(case, "m7", at=t(1), actor_id="m1")
    assert case.companion_id == "m7"
    assert event.ref == "m7"
    case, _ = record_consent(case, CONSENT, at=t(2))
    assert case.consent == CONSENT
    case, event = change_risk(case, RiskLevel.HIGH, at=t(3))
    assert case.risk is RiskLevel.HIGH
    assert event.note == "risk: high"
    case, event = refer_case(case, "r1", at=t(4), service=SERVICE, note="ke UPTD PPA")
    assert event.ref == "r1"
    case, _ = resume_case(case, at=t(5))
    assert case.status is CaseStatus.ACTIVE
    late = datetime(2025, 3, 6, 23, 30, tzinfo=WITA)
    case, _ = close_case(case, CaseOutcome.MARRIAGE_PREVENTED, at=late, referred_to={"uptd_ppa"})
    assert (case.outcome, case.closed_on) == (CaseOutcome.MARRIAGE_PREVENTED, date(2025, 3, 6))
    case, event = reopen_case(case, at=late + timedelta(days=1), reason="Ancaman ulang")
    assert (case.status, case.outcome, case.closed_on) == (CaseStatus.ACTIVE, None, None)
    assert event.note == "Ancaman ulang"
    assert [e.action for e in case.timeline] == [
        "report",
        "assign",
        "record_consent",
        "change_risk",
        "refer",
        "resume",
        "close",
        "reopen",
    ]
    # the timeline keeps what reopening cleared
    assert case.timeline[-2].target == "closed"


# --------------------------------------------------------------------------- guards


def refused(
    rule: str, source: CaseStatus, action: CaseAction
) -> AbstractContextManager[pytest.ExceptionInfo[TransitionError]]:
    """Expect a refusal whose message names the source state and the whole rule."""
    message = f"case cannot {action.value} from state '{source.value}': {rule}"
    return pytest.raises(TransitionError, match=f"^{re.escape(message)}$")


@pytest.mark.parametrize("member", ["", None])
def test_assign_needs_a_member(member: str | None) -> None:
    case = in_state(CaseStatus.REPORTED)
    with refused(
        "companion required: no member named as companion", case.status, CaseAction.ASSIGN
    ):
        assign_companion(case, member, at=t(1))  # type: ignore[arg-type]


@pytest.mark.parametrize("note", ["", "   ", "\n"])
def test_note_needs_text(note: str) -> None:
    case = in_state(CaseStatus.ACTIVE)
    with refused("note required: the note is empty", case.status, CaseAction.NOTE):
        add_note(case, note, at=t(5))


@pytest.mark.parametrize(
    "consent",
    [
        None,
        Consent(ConsentGiver.PARENT, DAY, assent=Assent(AssentDecision.GIVEN, DAY)),
        Consent(ConsentGiver.NONE, DAY),
    ],
)
def test_refer_needs_consent_to_refer(consent: Consent | None) -> None:
    case = in_state(CaseStatus.ACTIVE, consent=consent)  # type: ignore[arg-type]
    covered_nothing = consent is not None and not consent.refused
    why = (
        "the consent does not cover the service 'uptd_ppa'"
        if covered_nothing
        else "no consent to refer is recorded"
    )
    rule = f"consent before referral: {why}, and no override reason was given"
    with refused(rule, CaseStatus.ACTIVE, CaseAction.REFER):
        refer_case(case, "r1", at=t(5), service=SERVICE)


@pytest.mark.parametrize("reason", [OverrideReason.IMMINENT_DANGER, OverrideReason.LEGAL_DUTY])
def test_refer_without_consent_with_an_override(reason: OverrideReason) -> None:
    case = in_state(CaseStatus.ACTIVE, consent=None, child=False)  # type: ignore[arg-type]
    referred, _ = refer_case(case, "r1", at=t(5), service=SERVICE, override=reason, **OVERRIDE)
    assert referred.status is CaseStatus.REFERRED


def test_child_at_risk_override_only_for_a_child() -> None:
    child = in_state(CaseStatus.ACTIVE, consent=None, child=True)  # type: ignore[arg-type]
    assert refer_case(
        child, "r1", at=t(5), service=SERVICE, override=OverrideReason.CHILD_AT_RISK, **OVERRIDE
    )[0].status is (CaseStatus.REFERRED)
    adult = in_state(CaseStatus.ACTIVE, consent=None, child=False)  # type: ignore[arg-type]
    rule = "consent before referral: the child-at-risk override applies only to a subject under 18"
    with refused(rule, CaseStatus.ACTIVE, CaseAction.REFER):
        refer_case(
            adult, "r1", at=t(5), service=SERVICE, override=OverrideReason.CHILD_AT_RISK, **OVERRIDE
        )


def test_child_at_risk_needs_a_known_age() -> None:
    case = Case(
        "c1",
        "g",
        "52.03.12.2005",
        DAY,
        IntakeChannel.WALK_IN,
        CaseCategory.VIOLENCE,
        Subject(Sex.FEMALE),
    )
    with pytest.raises(TransitionError, match="only to a subject under 18"):
        refer_case(
            case, "r1", at=T0, service=SERVICE, override=OverrideReason.CHILD_AT_RISK, **OVERRIDE
        )


def test_unknown_override_reason_is_named() -> None:
    case = in_state(CaseStatus.ACTIVE, consent=None)  # type: ignore[arg-type]
    step = Step(
        CaseAction.REFER,
        t(5),
        ref="r1",
        override="because",
        details={"override_note": "x", "approved_by": "m-ketua"},
    )
    with pytest.raises(TransitionError, match="'because' is not an override reason"):
        CASE_LIFECYCLE.apply(case, step)


@pytest.mark.parametrize("state", [CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED])
def test_close_needs_an_outcome(state: CaseStatus) -> None:
    case = in_state(state)
    with refused(
        "outcome before closing: a case cannot close without an outcome", state, CaseAction.CLOSE
    ):
        close_case(case, None, at=t(5))


@pytest.mark.parametrize("reason", ["", "  "])
def test_reopen_needs_a_reason(reason: str) -> None:
    case = in_state(CaseStatus.CLOSED)
    with refused(
        "reason to reopen: reopening needs a reason in the note",
        CaseStatus.CLOSED,
        CaseAction.REOPEN,
    ):
        reopen_case(case, at=t(5), reason=reason)


@pytest.mark.parametrize("action", [a for a in CaseAction if a is not CaseAction.REPORT])
def test_time_never_goes_backwards(action: CaseAction) -> None:
    state = next(iter(SOURCES[action]))
    case = in_state(state)
    last = case.timeline[-1].at
    before = last - timedelta(seconds=1)
    with refused(
        f"time never goes backwards: event time {before.isoformat()} is before the last event "
        f"({last.isoformat()})",
        state,
        action,
    ):
        DO[action](case, before)
    # the same instant is fine, as is the same instant in another zone
    DO[action](case, last)
    DO[action](case, last.astimezone(UTC))


def test_no_event_before_the_report_date() -> None:
    case = new_case()
    early = datetime(2025, 3, 2, 23, 59, tzinfo=WITA)
    with refused(
        "not before the report: 2025-03-02 is before the report date 2025-03-03",
        CaseStatus.REPORTED,
        CaseAction.REPORT,
    ):
        report_case(case, at=early)
    # 2025-03-03 00:30 in WITA is still 2 March in UTC: the date is taken in the event's zone
    with pytest.raises(TransitionError, match="before the report date"):
        report_case(case, at=datetime(2025, 3, 3, 0, 30, tzinfo=WITA).astimezone(UTC))


def test_a_refused_step_changes_nothing() -> None:
    case = in_state(CaseStatus.CLOSED)
    snapshot = (case.status, case.timeline, case.outcome, case.closed_on)
    with pytest.raises(TransitionError):
        refer_case(case, "r1", at=t(9), service=SERVICE)
    assert (case.status, case.timeline, case.outcome, case.closed_on) == snapshot


def test_unknown_action_lists_what_the_table_allows() -> None:
    case = in_state(CaseStatus.REFERRED)
    with pytest.raises(
        TransitionError, match="from 'referred' the table allows: assess, assign, "
    ) as info:
        CASE_LIFECYCLE.check(case, Step("fly", t(9)))
    assert info.value.action == "fly"
