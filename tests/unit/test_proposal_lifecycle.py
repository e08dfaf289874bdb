"""The advocacy-proposal lifecycle: draft → submitted → discussed → adopted → funded, or rejected."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone

import pytest

from kk_core.advocacy import (
    PROPOSAL_LIFECYCLE,
    AdvocacyProposal,
    adopt_proposal,
    discuss_proposal,
    draft_proposal,
    fund_proposal,
    reject_proposal,
    submit_proposal,
)
from kk_core.codes import Forum, ProposalAction, ProposalStatus
from kk_core.errors import TransitionError
from kk_core.lifecycle import Event

WITA = timezone(timedelta(hours=8))
T0 = datetime(2025, 4, 1, 9, tzinfo=WITA)

P = ProposalStatus


def t(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def new_proposal(*, evidence: tuple[str, ...] = ("cases-2024-child-marriage",)) -> AdvocacyProposal:
    return AdvocacyProposal(
        "a1",
        "kk-teros",
        "Rumah aman sementara",
        Forum.MUSRENBANGDES,
        issue_areas={"child_protection"},
        evidence=evidence,
        requested_rupiah=25_000_000,
    )


def in_state(state: ProposalStatus) -> AdvocacyProposal:
    p, _ = draft_proposal(new_proposal(), at=t(0))
    path = [P.SUBMITTED, P.DISCUSSED, P.ADOPTED, P.FUNDED]
    if state is P.REJECTED:
        p, _ = submit_proposal(p, at=t(1))
        return reject_proposal(p, at=t(2), reason="Anggaran tidak cukup")[0]
    steps: list[Callable[[AdvocacyProposal, datetime], tuple[AdvocacyProposal, Event]]] = [
        lambda p, at: submit_proposal(p, at=at),
        lambda p, at: discuss_proposal(p, at=at),
        lambda p, at: adopt_proposal(p, at=at),
        lambda p, at: fund_proposal(p, 20_000_000, at=at),
    ]
    for hour, (target, step) in enumerate(zip(path, steps, strict=True), start=1):
        if p.status is state:
            break
        p, _ = step(p, t(hour))
        assert p.status is target
    return p


SOURCES: dict[ProposalAction, set[ProposalStatus]] = {
    ProposalAction.DRAFT: {P.DRAFT},
    ProposalAction.SUBMIT: {P.DRAFT},
    ProposalAction.DISCUSS: {P.SUBMITTED},
    ProposalAction.ADOPT: {P.DISCUSSED},
    ProposalAction.FUND: {P.ADOPTED},
    ProposalAction.REJECT: {P.SUBMITTED, P.DISCUSSED, P.ADOPTED},
}
TARGET: dict[ProposalAction, ProposalStatus | None] = {
    ProposalAction.DRAFT: None,
    ProposalAction.SUBMIT: P.SUBMITTED,
    ProposalAction.DISCUSS: P.DISCUSSED,
    ProposalAction.ADOPT: P.ADOPTED,
    ProposalAction.FUND: P.FUNDED,
    ProposalAction.REJECT: P.REJECTED,
}
FINAL = {
    P.FUNDED: "a funded proposal is final",
    P.REJECTED: "a rejected proposal is final; draft a new one",
}
Do = Callable[[AdvocacyProposal, datetime], tuple[AdvocacyProposal, Event]]
DO: dict[ProposalAction, Do] = {
    ProposalAction.DRAFT: lambda p, at: draft_proposal(p, at=at),
    ProposalAction.SUBMIT: lambda p, at: submit_proposal(p, at=at),
    ProposalAction.DISCUSS: lambda p, at: discuss_proposal(p, at=at, note="Musdes 12 April"),
    ProposalAction.ADOPT: lambda p, at: adopt_proposal(p, at=at),
    ProposalAction.FUND: lambda p, at: fund_proposal(p, 15_000_000, at=at),
    ProposalAction.REJECT: lambda p, at: reject_proposal(p, at=at, reason="Bukan prioritas"),
}
PAIRS = [(a, s) for a in ProposalAction for s in ProposalStatus]


def refused(
    rule: str, source: ProposalStatus, action: ProposalAction
) -> AbstractContextManager[pytest.ExceptionInfo[TransitionError]]:
    message = f"advocacy_proposal cannot {action.value} from state '{source.value}': {rule}"
    return pytest.raises(TransitionError, match=f"^{re.escape(message)}$")


def test_the_table_is_the_documented_one() -> None:
    assert set(PROPOSAL_LIFECYCLE.states()) == {s.value for s in ProposalStatus}
    for state in ProposalStatus:
        expected = {a.value for a, sources in SOURCES.items() if state in sources}
        assert set(PROPOSAL_LIFECYCLE.allowed_actions(in_state(state))) == expected


@pytest.mark.parametrize(("action", "state"), PAIRS, ids=str)
def test_every_action_from_every_state(action: ProposalAction, state: ProposalStatus) -> None:
    p = in_state(state)
    at = t(10)
    if state in SOURCES[action] and action is not ProposalAction.DRAFT:
        new, event = DO[action](p, at)
        expected = TARGET[action] or state
        assert new.status is expected
        assert new.timeline == (*p.timeline, event)
        assert (event.action, event.source, event.target) == (action, state, expected)
        return
    with pytest.raises(TransitionError) as info:
        DO[action](p, at)
    err = info.value
    assert (err.kind, err.source, err.action) == ("advocacy_proposal", state.value, action.value)
    assert f"advocacy_proposal cannot {action.value} from state '{state.value}'" in str(err)
    if action is ProposalAction.DRAFT and state is P.DRAFT:
        assert err.rule == "draft once: already drafted"
    elif state in FINAL:
        assert err.rule == FINAL[state]
    else:
        assert err.rule.startswith(f"from '{state.value}' the table allows: ")


def test_submit_needs_evidence() -> None:
    p, _ = draft_proposal(new_proposal(evidence=()), at=t(0))
    with refused(
        "evidence before the forum: a proposal goes to the forum with at least one evidence "
        "reference",
        P.DRAFT,
        ProposalAction.SUBMIT,
    ):
        submit_proposal(p, at=t(1))


@pytest.mark.parametrize("reason", ["", "  "])
def test_reject_needs_a_reason(reason: str) -> None:
    p = in_state(P.DISCUSSED)
    with refused(
        "reason for rejection: say why it was rejected", P.DISCUSSED, ProposalAction.REJECT
    ):
        reject_proposal(p, at=t(10), reason=reason)


def test_fund_records_the_allocation() -> None:
    p = in_state(P.ADOPTED)
    funded, event = fund_proposal(p, 12_500_000, at=t(10))
    assert (funded.status, funded.allocated_rupiah) == (P.FUNDED, 12_500_000)
    assert event.note == "Rp 12,500,000"
    assert funded.requested_rupiah == 25_000_000


def test_fund_refuses_a_negative_allocation() -> None:
    with pytest.raises(ValueError, match="allocated_rupiah must not be negative"):
        fund_proposal(in_state(P.ADOPTED), -1, at=t(10))


def test_a_refused_fund_leaves_no_allocation() -> None:
    p = in_state(P.DISCUSSED)
    with pytest.raises(TransitionError):
        fund_proposal(p, 1_000, at=t(10))
    assert p.allocated_rupiah is None


@pytest.mark.parametrize("action", [a for a in ProposalAction if a is not ProposalAction.DRAFT])
def test_time_never_goes_backwards(action: ProposalAction) -> None:
    state = sorted(SOURCES[action])[0]
    p = in_state(state)
    last = p.timeline[-1].at
    before = last - timedelta(microseconds=1)
    with refused(
        f"time never goes backwards: event time {before.isoformat()} is before the last event "
        f"({last.isoformat()})",
        state,
        action,
    ):
        DO[action](p, before)


def test_every_step_is_recorded() -> None:
    funded = in_state(P.FUNDED)
    assert [(e.action, e.target) for e in funded.timeline] == [
        ("draft", "draft"),
        ("submit", "submitted"),
        ("discuss", "discussed"),
        ("adopt", "adopted"),
        ("fund", "funded"),
    ]
