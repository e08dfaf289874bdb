"""The referral lifecycle table: every (action, state) pair, allowed and refused, every guard."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kk_core.codes import OverrideReason, ReferralAction, ReferralStatus
from kk_core.errors import TransitionError
from kk_core.lifecycle import Event
from kk_core.referrals import (
    REFERRAL_LIFECYCLE,
    Referral,
    accept_referral,
    cancel_referral,
    complete_referral,
    decline_referral,
    follow_up_referral,
    send_referral,
)

WITA = timezone(timedelta(hours=8))
DAY = date(2025, 3, 3)
T0 = datetime(2025, 3, 3, 9, tzinfo=WITA)


def t(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def new_referral() -> Referral:
    return Referral("r1", "c1", "uptd", "Visum dan konseling", DAY, consent_given=True)


def in_state(state: ReferralStatus) -> Referral:
    referral, _ = send_referral(new_referral(), at=t(0))
    if state is ReferralStatus.SENT:
        return referral
    if state is ReferralStatus.DECLINED:
        return decline_referral(referral, at=t(1), reason="Di luar wilayah")[0]
    if state is ReferralStatus.CANCELLED:
        return cancel_referral(referral, at=t(1), reason="Korban pindah")[0]
    referral, _ = accept_referral(referral, at=t(1))
    if state is ReferralStatus.ACCEPTED:
        return referral
    return complete_referral(referral, "Visum selesai", at=t(2))[0]


SOURCES: dict[ReferralAction, set[ReferralStatus]] = {
    ReferralAction.SEND: {ReferralStatus.SENT},
    ReferralAction.ACCEPT: {ReferralStatus.SENT},
    ReferralAction.DECLINE: {ReferralStatus.SENT},
    ReferralAction.FOLLOW_UP: {ReferralStatus.SENT, ReferralStatus.ACCEPTED},
    ReferralAction.COMPLETE: {ReferralStatus.ACCEPTED},
    ReferralAction.CANCEL: {ReferralStatus.SENT, ReferralStatus.ACCEPTED},
}
TARGET: dict[ReferralAction, ReferralStatus | None] = {
    ReferralAction.SEND: None,
    ReferralAction.ACCEPT: ReferralStatus.ACCEPTED,
    ReferralAction.DECLINE: ReferralStatus.DECLINED,
    ReferralAction.FOLLOW_UP: None,
    ReferralAction.COMPLETE: ReferralStatus.COMPLETED,
    ReferralAction.CANCEL: ReferralStatus.CANCELLED,
}
FINAL = {
    ReferralStatus.DECLINED: "a declined referral is final; make a new referral",
    ReferralStatus.COMPLETED: "a completed referral is final",
    ReferralStatus.CANCELLED: "a cancelled referral is final; make a new referral",
}

Do = Callable[[Referral, datetime], tuple[Referral, Event]]
DO: dict[ReferralAction, Do] = {
    ReferralAction.SEND: lambda r, at: send_referral(r, at=at),
    ReferralAction.ACCEPT: lambda r, at: accept_referral(r, at=at),
    ReferralAction.DECLINE: lambda r, at: decline_referral(r, at=at, reason="Penuh"),
    ReferralAction.FOLLOW_UP: lambda r, at: follow_up_referral(
        r, at=at, next_due=at.date() + timedelta(days=7)
    ),
    ReferralAction.COMPLETE: lambda r, at: complete_referral(r, "Selesai", at=at),
    ReferralAction.CANCEL: lambda r, at: cancel_referral(r, at=at, reason="Pindah"),
}

PAIRS = [(a, s) for a in ReferralAction for s in ReferralStatus]


def refused(
    rule: str, source: ReferralStatus, action: ReferralAction
) -> AbstractContextManager[pytest.ExceptionInfo[TransitionError]]:
    message = f"referral cannot {action.value} from state '{source.value}': {rule}"
    return pytest.raises(TransitionError, match=f"^{re.escape(message)}$")


def test_the_table_is_the_documented_one() -> None:
    assert set(REFERRAL_LIFECYCLE.states()) == {s.value for s in ReferralStatus}
    for state in ReferralStatus:
        expected = {a.value for a, sources in SOURCES.items() if state in sources}
        assert set(REFERRAL_LIFECYCLE.allowed_actions(in_state(state))) == expected


@pytest.mark.parametrize(("action", "state"), PAIRS, ids=str)
def test_every_action_from_every_state(action: ReferralAction, state: ReferralStatus) -> None:
    referral = in_state(state)
    at = t(5)
    if state in SOURCES[action] and action is not ReferralAction.SEND:
        new, event = DO[action](referral, at)
        expected = TARGET[action] or state
        assert new.status is expected
        assert new.timeline == (*referral.timeline, event)
        assert (event.action, event.source, event.target, event.at) == (
            action,
            state,
            expected,
            at,
        )
        return
    with pytest.raises(TransitionError) as info:
        DO[action](referral, at)
    err = info.value
    assert (err.kind, err.source, err.action) == ("referral", state.value, action.value)
    assert f"referral cannot {action.value} from state '{state.value}'" in str(err)
    if action is ReferralAction.SEND and state is ReferralStatus.SENT:
        assert err.rule == "send once: already sent"
    elif state in FINAL:
        assert err.rule == FINAL[state]
    else:
        assert err.rule.startswith(f"from '{state.value}' the table allows: ")


def test_send_starts_the_timeline_with_the_reason() -> None:
    referral, event = send_referral(new_referral(), at=T0, actor_id="m1")
    assert referral.timeline == (event,)
    assert (event.action, event.note, event.ref, event.actor_id) == (
        "send",
        "Visum dan konseling",
        "c1",
        "m1",
    )


def test_functions_set_dates_and_outcome() -> None:
    referral = in_state(ReferralStatus.SENT)
    late = datetime(2025, 3, 5, 23, 0, tzinfo=WITA)
    accepted, _ = accept_referral(referral, at=late)
    assert accepted.responded_on == date(2025, 3, 5)
    followed, event = follow_up_referral(accepted, at=late, next_due=date(2025, 3, 12))
    assert followed.follow_up_due == date(2025, 3, 12)
    assert event.ref == "2025-03-12"
    done, _ = complete_referral(followed, "Konseling 3x", at=late + timedelta(days=2))
    assert (done.outcome, done.completed_on) == ("Konseling 3x", date(2025, 3, 7))
    assert not done.is_open
    declined, _ = decline_referral(referral, at=late, reason="Bukan wewenang")
    assert declined.responded_on == date(2025, 3, 5)
    cancelled, event = cancel_referral(referral, at=late, reason="Klien menolak")
    assert event.note == "Klien menolak"
    assert cancelled.status is ReferralStatus.CANCELLED


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_decline_and_cancel_need_a_reason(reason: str) -> None:
    referral = in_state(ReferralStatus.SENT)
    with refused(
        "reason required: say why the service declined", ReferralStatus.SENT, ReferralAction.DECLINE
    ):
        decline_referral(referral, at=t(5), reason=reason)
    with refused(
        "reason required: say why the referral is cancelled",
        ReferralStatus.SENT,
        ReferralAction.CANCEL,
    ):
        cancel_referral(referral, at=t(5), reason=reason)


@pytest.mark.parametrize("outcome", ["", "   "])
def test_complete_needs_an_outcome(outcome: str) -> None:
    referral = in_state(ReferralStatus.ACCEPTED)
    with refused(
        "outcome required: a referral cannot complete without an outcome",
        ReferralStatus.ACCEPTED,
        ReferralAction.COMPLETE,
    ):
        complete_referral(referral, outcome, at=t(5))


def test_follow_up_needs_a_due_date_not_in_the_past() -> None:
    referral = in_state(ReferralStatus.ACCEPTED)
    with refused(
        "next follow-up date: give the next follow-up due date",
        ReferralStatus.ACCEPTED,
        ReferralAction.FOLLOW_UP,
    ):
        follow_up_referral(referral, at=t(5), next_due=None)
    with refused(
        "next follow-up date: next follow-up 2025-03-02 is in the past",
        ReferralStatus.ACCEPTED,
        ReferralAction.FOLLOW_UP,
    ):
        follow_up_referral(referral, at=t(5), next_due=date(2025, 3, 2))
    assert follow_up_referral(referral, at=t(5), next_due=DAY)[0].follow_up_due == DAY


@pytest.mark.parametrize("action", [a for a in ReferralAction if a is not ReferralAction.SEND])
def test_time_never_goes_backwards(action: ReferralAction) -> None:
    state = sorted(SOURCES[action])[0]
    referral = in_state(state)
    last = referral.timeline[-1].at
    before = last - timedelta(minutes=1)
    with refused(
        f"time never goes backwards: event time {before.isoformat()} is before the last event "
        f"({last.isoformat()})",
        state,
        action,
    ):
        DO[action](referral, before)


def test_no_event_before_the_date_sent() -> None:
    with refused(
        "not before sending: 2025-03-02 is before the date sent 2025-03-03",
        ReferralStatus.SENT,
        ReferralAction.SEND,
    ):
        send_referral(new_referral(), at=datetime(2025, 3, 2, 22, tzinfo=WITA))


def test_completion_is_not_dated_before_the_response() -> None:
    """Accepted late in the evening in WITA, completed a little later but written in UTC.

    The later moment falls on the previous calendar day in UTC; completing then would
    date the completion before the response. The lifecycle refuses it with a
    TransitionError (not a bare ValueError from the record's invariant).
    """
    referral = in_state(ReferralStatus.SENT)
    accepted, _ = accept_referral(referral, at=datetime(2025, 3, 4, 1, 0, tzinfo=WITA))
    assert accepted.responded_on == date(2025, 3, 4)
    later_in_utc = datetime(2025, 3, 3, 18, 0, tzinfo=UTC)  # 2025-03-04 02:00 WITA
    with refused(
        "not before the response: 2025-03-03 is before the response date 2025-03-04",
        ReferralStatus.ACCEPTED,
        ReferralAction.COMPLETE,
    ):
        complete_referral(accepted, "Selesai", at=later_in_utc)
    done, _ = complete_referral(accepted, "Selesai", at=later_in_utc.astimezone(WITA))
    assert done.completed_on == date(2025, 3, 4)


def test_override_referral_goes_through_the_same_lifecycle() -> None:
    referral = Referral(
        "r2", "c1", "police", "Ancaman", DAY, override=OverrideReason.IMMINENT_DANGER
    )
    sent, _ = send_referral(referral, at=T0)
    assert sent.status is ReferralStatus.SENT
    assert sent.override is OverrideReason.IMMINENT_DANGER


def test_a_refused_step_changes_nothing() -> None:
    referral = in_state(ReferralStatus.COMPLETED)
    before = (referral.status, referral.timeline, referral.outcome, referral.completed_on)
    with pytest.raises(TransitionError):
        cancel_referral(referral, at=t(9), reason="x")
    assert (referral.status, referral.timeline, referral.outcome, referral.completed_on) == before
