"""The advocacy-proposal lifecycle: up the forums musdus → musdes → Musrenbangdes → RKPDes
→ APBDes, or ended as a policy, rejected or carried over to the next year's cycle."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone

import attrs
import pytest

from kk_core.advocacy import (
    OPEN_PROPOSAL_STATES,
    PROPOSAL_LIFECYCLE,
    AdvocacyProposal,
    adopt_proposal,
    agree_awig_awig,
    carry_over_proposal,
    discuss_proposal,
    draft_proposal,
    enact_perdes,
    fund_proposal,
    issue_perkades,
    reject_proposal,
    submit_proposal,
)
from kk_core.codes import ApbdesField, Forum, ProposalAction, ProposalStatus
from kk_core.errors import TransitionError
from kk_core.lifecycle import Event
from kk_core.places import is_kelurahan

WITA = timezone(timedelta(hours=8))
T0 = datetime(2025, 4, 1, 9, tzinfo=WITA)

P = ProposalStatus
A = ProposalAction
TEROS = "52.03.17.2003"
KELURAHAN = "52.03.17.1004"  # Kelurahan Tanjung, Labuhan Haji


def t(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def new_proposal(
    *,
    evidence: tuple[str, ...] = ("cases-2024-child-marriage",),
    forum: Forum = Forum.MUSYAWARAH_DUSUN,
    village_id: str | None = TEROS,
) -> AdvocacyProposal:
    return AdvocacyProposal(
        "a1",
        "kk-teros",
        "Rumah aman sementara",
        forum,
        issue_areas={"child_protection"},
        evidence=evidence,
        requested_rupiah=25_000_000,
        village_id=village_id,
    )


#: From a draft brought to the musdus, up to the budget.
CLIMB: list[tuple[ProposalStatus, Callable[[AdvocacyProposal, datetime], AdvocacyProposal]]] = [
    (P.IN_MUSDUS, lambda p, at: submit_proposal(p, at=at)[0]),
    (P.IN_MUSDES, lambda p, at: submit_proposal(p, at=at)[0]),
    (P.IN_MUSRENBANGDES, lambda p, at: submit_proposal(p, at=at)[0]),
    (P.IN_RKPDES, lambda p, at: adopt_proposal(p, at=at)[0]),
    (P.FUNDED_APBDES, lambda p, at: fund_proposal(p, 20_000_000, at=at)[0]),
]
#: Ends reached from the musdes.
ENDS: dict[ProposalStatus, Callable[[AdvocacyProposal, datetime], AdvocacyProposal]] = {
    P.PERDES_ENACTED: lambda p, at: enact_perdes(p, at=at, regulation="Perdes No. 3/2025")[0],
    P.PERKADES_ISSUED: lambda p, at: issue_perkades(p, at=at, regulation="Perkades 7/2025")[0],
    P.AWIG_AWIG_AGREED: lambda p, at: agree_awig_awig(p, at=at, rule="Awig-awig merariq")[0],
    P.REJECTED: lambda p, at: reject_proposal(p, at=at, reason="Anggaran tidak cukup")[0],
    P.CARRIED_OVER: lambda p, at: carry_over_proposal(p, "a2", at=at)[0],
}


def in_state(state: ProposalStatus, **kwargs: object) -> AdvocacyProposal:
    p, _ = draft_proposal(new_proposal(**kwargs), at=t(0))  # type: ignore[arg-type]
    if state is P.DRAFT:
        return p
    if state in ENDS:
        p = in_state(P.IN_MUSDES, **kwargs)
        return ENDS[state](p, t(10))
    for hour, (target, step) in enumerate(CLIMB, start=1):
        p = step(p, t(hour))
        assert p.status is target
        if target is state:
            return p
    raise AssertionError(state)  # pragma: no cover


OPEN = set(OPEN_PROPOSAL_STATES)
SOURCES: dict[ProposalAction, set[ProposalStatus]] = {
    A.DRAFT: {P.DRAFT},
    A.SUBMIT_MUSDUS: {P.DRAFT},
    A.SUBMIT_MUSDES: {P.DRAFT, P.IN_MUSDUS},
    A.SUBMIT_MUSRENBANGDES: {P.DRAFT, P.IN_MUSDES},
    A.DISCUSS: OPEN,
    A.ADOPT_RKPDES: {P.IN_MUSRENBANGDES},
    A.FUND_APBDES: {P.IN_RKPDES},
    A.ENACT_PERDES: OPEN,
    A.ISSUE_PERKADES: OPEN,
    A.AGREE_AWIG_AWIG: OPEN,
    A.REJECT: OPEN,
    A.CARRY_OVER: OPEN,
}
TARGET: dict[ProposalAction, ProposalStatus | None] = {
    A.DRAFT: None,
    A.SUBMIT_MUSDUS: P.IN_MUSDUS,
    A.SUBMIT_MUSDES: P.IN_MUSDES,
    A.SUBMIT_MUSRENBANGDES: P.IN_MUSRENBANGDES,
    A.DISCUSS: None,
    A.ADOPT_RKPDES: P.IN_RKPDES,
    A.FUND_APBDES: P.FUNDED_APBDES,
    A.ENACT_PERDES: P.PERDES_ENACTED,
    A.ISSUE_PERKADES: P.PERKADES_ISSUED,
    A.AGREE_AWIG_AWIG: P.AWIG_AWIG_AGREED,
    A.REJECT: P.REJECTED,
    A.CARRY_OVER: P.CARRIED_OVER,
}
POLICY = "a proposal that became a policy is final"
FINAL = {
    P.FUNDED_APBDES: "a funded proposal is final",
    P.PERDES_ENACTED: POLICY,
    P.PERKADES_ISSUED: POLICY,
    P.AWIG_AWIG_AGREED: POLICY,
    P.REJECTED: "a rejected proposal is final; draft a new one",
    P.CARRIED_OVER: "a carried-over proposal is final; its next cycle goes on in the proposal "
    "its last event names",
}
FORUM_OF = {
    A.SUBMIT_MUSDUS: Forum.MUSYAWARAH_DUSUN,
    A.SUBMIT_MUSDES: Forum.MUSYAWARAH_DESA,
    A.SUBMIT_MUSRENBANGDES: Forum.MUSRENBANGDES,
}
Do = Callable[[AdvocacyProposal, datetime], tuple[AdvocacyProposal, Event]]


def submit_to(forum: Forum) -> Do:
    return lambda p, at: submit_proposal(p, at=at, to=forum)


DO: dict[ProposalAction, Do] = {
    A.DRAFT: lambda p, at: draft_proposal(p, at=at),
    **{action: submit_to(forum) for action, forum in FORUM_OF.items()},
    A.DISCUSS: lambda p, at: discuss_proposal(p, at=at, note="Musdes 12 April"),
    A.ADOPT_RKPDES: lambda p, at: adopt_proposal(p, at=at),
    A.FUND_APBDES: lambda p, at: fund_proposal(p, 15_000_000, at=at),
    A.ENACT_PERDES: lambda p, at: enact_perdes(p, at=at, regulation="Perdes No. 3/2025"),
    A.ISSUE_PERKADES: lambda p, at: issue_perkades(p, at=at, regulation="Perkades 7/2025"),
    A.AGREE_AWIG_AWIG: lambda p, at: agree_awig_awig(p, at=at, rule="Awig-awig merariq"),
    A.REJECT: lambda p, at: reject_proposal(p, at=at, reason="Bukan prioritas"),
    A.CARRY_OVER: lambda p, at: carry_over_proposal(p, "a2", at=at)[:2],
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


def test_final_states_are_the_ones_nothing_leaves() -> None:
    assert {s for s in ProposalStatus if s.is_final} == set(FINAL)
    assert {s for s in ProposalStatus if s.is_policy} == {
        P.PERDES_ENACTED,
        P.PERKADES_ISSUED,
        P.AWIG_AWIG_AGREED,
    }
    assert set(ProposalStatus) - set(FINAL) - {P.DRAFT} == OPEN


@pytest.mark.parametrize(("action", "state"), PAIRS, ids=str)
def test_every_action_from_every_state(action: ProposalAction, state: ProposalStatus) -> None:
    p = in_state(state)
    at = t(20)
    # a draft enters at its own forum only (the musdus here)
    entry_refused = state is P.DRAFT and action in (A.SUBMIT_MUSDES, A.SUBMIT_MUSRENBANGDES)
    if state in SOURCES[action] and action is not A.DRAFT and not entry_refused:
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
    if action is A.DRAFT and state is P.DRAFT:
        assert err.rule == "draft once: already drafted"
    elif entry_refused:
        assert err.rule.startswith("enters at its forum: ")
    elif state in FINAL:
        assert err.rule == FINAL[state]
    else:
        assert err.rule.startswith(f"from '{state.value}' the table allows: ")


@pytest.mark.parametrize(
    ("forum", "state"),
    [
        (Forum.MUSYAWARAH_DUSUN, P.IN_MUSDUS),
        (Forum.MUSYAWARAH_DESA, P.IN_MUSDES),
        (Forum.MUSYAWARAH_DESA_KHUSUS, P.IN_MUSDES),
        (Forum.MUSDESUS_BLT_DD, P.IN_MUSDES),
        (Forum.MUSRENBANGDES, P.IN_MUSRENBANGDES),
    ],
)
def test_a_draft_enters_at_its_forum(forum: Forum, state: ProposalStatus) -> None:
    p, _ = draft_proposal(new_proposal(forum=forum), at=t(0))
    entered, event = submit_proposal(p, at=t(1), meeting_id="musdes-2025-04")
    assert entered.status is state
    assert event.ref == "musdes-2025-04"  # the forum meeting it was brought to
    for other in set(FORUM_OF.values()) - {forum.stage}:
        with pytest.raises(TransitionError, match="enters at its forum: the proposal's forum"):
            submit_proposal(p, at=t(1), to=other)


def test_a_proposal_climbs_one_forum_at_a_time() -> None:
    p = in_state(P.IN_MUSDUS)
    with refused(
        "from 'in_musdus' the table allows: agree_awig_awig, carry_over, discuss, enact_perdes, "
        "issue_perkades, reject, submit_musdes",
        P.IN_MUSDUS,
        A.SUBMIT_MUSRENBANGDES,
    ):
        submit_proposal(p, at=t(5), to=Forum.MUSRENBANGDES)
    assert submit_proposal(p, at=t(5))[0].status is P.IN_MUSDES  # the next one up by default


def test_submit_needs_evidence() -> None:
    p, _ = draft_proposal(new_proposal(evidence=()), at=t(0))
    with refused(
        "evidence before the forum: a proposal goes to the forum with at least one evidence "
        "reference",
        P.DRAFT,
        A.SUBMIT_MUSDUS,
    ):
        submit_proposal(p, at=t(1))


def test_submit_needs_a_cycle_year() -> None:
    undrafted = new_proposal()
    with refused(
        "cycle year known: give the cycle year it is for, or draft it first (drafting sets "
        "the year after)",
        P.DRAFT,
        A.SUBMIT_MUSDUS,
    ):
        submit_proposal(undrafted, at=t(1))
    given = attrs.evolve(undrafted, cycle_year=2026)
    assert submit_proposal(given, at=t(1))[0].status is P.IN_MUSDUS


def test_discussion_leaves_the_state_and_names_the_meeting() -> None:
    p = in_state(P.IN_MUSDES)
    discussed, event = discuss_proposal(p, at=t(9), meeting_id="musdes-1", note="data dibahas")
    assert discussed.status is P.IN_MUSDES
    assert (event.action, event.ref, event.note) == ("discuss", "musdes-1", "data dibahas")


@pytest.mark.parametrize("reason", ["", "  "])
def test_reject_needs_a_reason(reason: str) -> None:
    p = in_state(P.IN_MUSDES)
    with refused("reason for rejection: say why it was rejected", P.IN_MUSDES, A.REJECT):
        reject_proposal(p, at=t(10), reason=reason)


@pytest.mark.parametrize(
    ("action", "do"),
    [
        (A.ENACT_PERDES, lambda p, at: enact_perdes(p, at=at, regulation=" ")),
        (A.ISSUE_PERKADES, lambda p, at: issue_perkades(p, at=at, regulation="")),
        (A.AGREE_AWIG_AWIG, lambda p, at: agree_awig_awig(p, at=at, rule="\n")),
    ],
)
def test_a_policy_names_its_regulation(action: ProposalAction, do: Do) -> None:
    p = in_state(P.IN_RKPDES)
    with refused(
        "the regulation is named: name the regulation (number, year)", P.IN_RKPDES, action
    ):
        do(p, t(10))


def test_a_policy_outcome_keeps_the_regulation_and_no_budget_line() -> None:
    p, event = enact_perdes(
        in_state(P.IN_MUSDES), at=t(10), regulation="Perdes Teros No. 3 Tahun 2025"
    )
    assert (p.status, event.note, p.allocated_rupiah) == (
        P.PERDES_ENACTED,
        "Perdes Teros No. 3 Tahun 2025",
        None,
    )
    assert p.status.is_policy
    assert p.status.is_final
    assert not p.is_open


def test_fund_records_the_allocation_and_budget_field() -> None:
    p = in_state(P.IN_RKPDES)
    funded, event = fund_proposal(p, 12_500_000, at=t(10), budget_field=ApbdesField.COMMUNITY)
    assert (funded.status, funded.allocated_rupiah) == (P.FUNDED_APBDES, 12_500_000)
    assert funded.budget_field is ApbdesField.COMMUNITY
    assert event.note == "Rp 12,500,000"
    assert funded.requested_rupiah == 25_000_000


def test_fund_refuses_a_negative_allocation() -> None:
    with pytest.raises(ValueError, match="allocated_rupiah must not be negative"):
        fund_proposal(in_state(P.IN_RKPDES), -1, at=t(10))


def test_a_refused_fund_leaves_no_allocation() -> None:
    p = in_state(P.IN_MUSRENBANGDES)
    with pytest.raises(TransitionError):
        fund_proposal(p, 1_000, at=t(10))
    assert p.allocated_rupiah is None


def test_a_kelurahan_has_no_apbdes() -> None:
    p = in_state(P.IN_RKPDES, village_id=KELURAHAN)
    with refused(
        f"no APBDes in a kelurahan: {KELURAHAN} is a kelurahan: it has no village budget "
        "(APBDes) and no Dana Desa",
        P.IN_RKPDES,
        A.FUND_APBDES,
    ):
        fund_proposal(p, 1_000, at=t(10))
    # ... nor a village regulation (no village head, no BPD) ...
    for enact in (
        lambda: enact_perdes(p, at=t(10), regulation="Perdes 1/2025"),
        lambda: issue_perkades(p, at=t(10), regulation="Perkades 1/2025"),
    ):
        with pytest.raises(TransitionError, match="no village regulation in a kelurahan: "):
            enact()
    # ... but an awig-awig, a rejection or a carry-over are possible
    assert agree_awig_awig(p, at=t(10), rule="Awig-awig lingkungan")[0].is_open is False
    assert reject_proposal(p, at=t(10), reason="kewenangan kecamatan")[0].is_open is False
    # and the record itself refuses a funded proposal of a kelurahan, however it was made
    funded = in_state(P.FUNDED_APBDES)
    with pytest.raises(ValueError, match="is a kelurahan, which has no village budget"):
        attrs.evolve(funded, village_id=KELURAHAN)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("52.03.17.1004", True),
        ("52.03.17.2003", False),
        ("52.03.17.3001", False),
        ("52.03.17.1", False),
        ("not a code", False),
    ],
)
def test_is_kelurahan(code: str, expected: bool) -> None:
    assert is_kelurahan(code) is expected


def test_draft_sets_the_cycle_year_to_the_year_after() -> None:
    drafted, _ = draft_proposal(new_proposal(), at=datetime(2025, 8, 21, 10, tzinfo=WITA))
    assert drafted.cycle_year == 2026  # RKPDes 2026 is drafted in July 2025
    given = attrs.evolve(new_proposal(), cycle_year=2027)
    assert draft_proposal(given, at=t(0))[0].cycle_year == 2027


def test_a_proposal_out_of_its_draft_has_a_cycle_year() -> None:
    p = in_state(P.IN_MUSDUS)
    with pytest.raises(ValueError, match="names its cycle year"):
        attrs.evolve(p, cycle_year=None)
    with pytest.raises(ValueError, match="is not a plausible budget year"):
        attrs.evolve(p, cycle_year=1901)


def test_carry_over_links_next_years_proposal() -> None:
    p = in_state(P.IN_RKPDES)
    closed, event, following = carry_over_proposal(
        p, "a1-2027", at=t(30), forum=Forum.MUSYAWARAH_DESA, note="tidak masuk APBDes 2026"
    )
    assert closed.status is P.CARRIED_OVER
    assert (event.action, event.ref, event.target) == ("carry_over", "a1-2027", "carried_over")
    assert p.cycle_year is not None
    assert following.cycle_year == p.cycle_year + 1
    assert following.carried_over_from == "a1"
    assert following.status is P.DRAFT
    assert [e.action for e in following.timeline] == ["draft"]
    assert following.forum is Forum.MUSYAWARAH_DESA
    same = ("group_id", "title", "issue_areas", "evidence", "requested_rupiah", "village_id")
    for name in same:
        assert getattr(following, name) == getattr(p, name), name
    # next year's proposal climbs again from its own forum
    assert submit_proposal(following, at=t(31))[0].status is P.IN_MUSDES


@pytest.mark.parametrize(("next_id", "why"), [("", "name the proposal"), ("a1", "a new record")])
def test_carry_over_names_another_proposal(next_id: str, why: str) -> None:
    p = in_state(P.IN_MUSDES)
    with pytest.raises(TransitionError, match=f"next cycle's proposal named: .*{why}"):
        carry_over_proposal(p, next_id, at=t(30))


def test_a_proposal_is_not_carried_over_from_itself() -> None:
    with pytest.raises(ValueError, match="not carried over from itself"):
        attrs.evolve(new_proposal(), carried_over_from="a1")


@pytest.mark.parametrize("action", [a for a in ProposalAction if a is not A.DRAFT])
def test_time_never_goes_backwards(action: ProposalAction) -> None:
    state = sorted(SOURCES[action] - {P.DRAFT} or SOURCES[action])[0]
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
    funded = in_state(P.FUNDED_APBDES)
    assert [(e.action, e.target) for e in funded.timeline] == [
        ("draft", "draft"),
        ("submit_musdus", "in_musdus"),
        ("submit_musdes", "in_musdes"),
        ("submit_musrenbangdes", "in_musrenbangdes"),
        ("adopt_rkpdes", "in_rkpdes"),
        ("fund_apbdes", "funded_apbdes"),
    ]
