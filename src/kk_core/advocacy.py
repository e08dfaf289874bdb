"""Pendataan: advocacy proposals (usulan) brought to village deliberations.

==========  ===============================  =========  ==========================================
action      from                             to         guards
==========  ===============================  =========  ==========================================
draft       draft (new)                      draft      timeline is empty
submit      draft                            submitted  at least one evidence reference
discuss     submitted                        discussed
adopt       discussed                        adopted    (adopted in the RKPDes)
fund        adopted                          funded     an allocation in rupiah (APBDes)
reject      submitted, discussed, adopted    rejected   a reason is given
==========  ===============================  =========  ==========================================

Every action: its time is not before the last event.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from kk_core._checks import an_id, as_tuple, frozen_set, hidden, non_empty, non_negative
from kk_core._text import quote_value
from kk_core.codes import Forum, ProposalAction, ProposalStatus
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
    "PROPOSAL_LIFECYCLE",
    "AdvocacyProposal",
    "adopt_proposal",
    "discuss_proposal",
    "draft_proposal",
    "fund_proposal",
    "reject_proposal",
    "submit_proposal",
]


@attrs.frozen
class AdvocacyProposal:
    """A proposal backed by the KK's own data, on its way into the village plan and budget."""

    kind: ClassVar[str] = "advocacy_proposal"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    title: str = attrs.field(validator=non_empty, repr=hidden)
    forum: Forum
    issue_areas: frozenset[str] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set, repr=quote_value
    )
    evidence: tuple[str, ...] = attrs.field(
        default=(), kw_only=True, converter=as_tuple, repr=hidden
    )
    status: ProposalStatus = attrs.field(default=ProposalStatus.DRAFT, kw_only=True)
    requested_rupiah: int | None = attrs.field(default=None, kw_only=True, validator=non_negative)
    allocated_rupiah: int | None = attrs.field(default=None, kw_only=True, validator=non_negative)
    timeline: tuple[Event, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.allocated_rupiah is not None and self.status is not ProposalStatus.FUNDED:
            raise ValueError(
                f"an allocation is recorded only once funded, not while {self.status.value}"
            )
        if self.status is ProposalStatus.FUNDED and self.allocated_rupiah is None:
            raise ValueError("a funded proposal records the rupiah allocated")


def _has_evidence(proposal: AdvocacyProposal, step: Step) -> str | None:
    return (
        None
        if proposal.evidence
        else "a proposal goes to the forum with at least one evidence reference"
    )


_G = Guard[AdvocacyProposal]

PROPOSAL_LIFECYCLE: Lifecycle[AdvocacyProposal] = Lifecycle(
    "advocacy_proposal",
    state_of=lambda p: p.status.value,
    state_type=ProposalStatus,
    transitions=[
        Transition(
            ProposalAction.DRAFT,
            frozenset({ProposalStatus.DRAFT}),
            None,
            (first_event("draft once", "already drafted"),),
        ),
        Transition(
            ProposalAction.SUBMIT,
            frozenset({ProposalStatus.DRAFT}),
            ProposalStatus.SUBMITTED,
            (_G("evidence before the forum", _has_evidence),),
        ),
        Transition(
            ProposalAction.DISCUSS, frozenset({ProposalStatus.SUBMITTED}), ProposalStatus.DISCUSSED
        ),
        Transition(
            ProposalAction.ADOPT, frozenset({ProposalStatus.DISCUSSED}), ProposalStatus.ADOPTED
        ),
        Transition(ProposalAction.FUND, frozenset({ProposalStatus.ADOPTED}), ProposalStatus.FUNDED),
        Transition(
            ProposalAction.REJECT,
            frozenset({ProposalStatus.SUBMITTED, ProposalStatus.DISCUSSED, ProposalStatus.ADOPTED}),
            ProposalStatus.REJECTED,
            (requires("note", "reason for rejection", "say why it was rejected"),),
        ),
    ],
    common_guards=(_G("time never goes backwards", not_before_last_event),),
    terminal_hint={
        ProposalStatus.FUNDED: "a funded proposal is final",
        ProposalStatus.REJECTED: "a rejected proposal is final; draft a new one",
    },
)


def draft_proposal(
    p: AdvocacyProposal, *, at: datetime, actor_id: str | None = None
) -> tuple[AdvocacyProposal, Event]:
    return PROPOSAL_LIFECYCLE.apply(p, Step(ProposalAction.DRAFT, at, actor_id=actor_id))


def submit_proposal(
    p: AdvocacyProposal, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[AdvocacyProposal, Event]:
    return PROPOSAL_LIFECYCLE.apply(
        p, Step(ProposalAction.SUBMIT, at, actor_id=actor_id, note=note)
    )


def discuss_proposal(
    p: AdvocacyProposal, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[AdvocacyProposal, Event]:
    return PROPOSAL_LIFECYCLE.apply(
        p, Step(ProposalAction.DISCUSS, at, actor_id=actor_id, note=note)
    )


def adopt_proposal(
    p: AdvocacyProposal, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[AdvocacyProposal, Event]:
    """Adopted into the village work plan (RKPDes)."""
    return PROPOSAL_LIFECYCLE.apply(p, Step(ProposalAction.ADOPT, at, actor_id=actor_id, note=note))


def fund_proposal(
    p: AdvocacyProposal,
    allocated_rupiah: int,
    *,
    at: datetime,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[AdvocacyProposal, Event]:
    """Funded in the village budget (APBDes) with the amount allocated."""
    if allocated_rupiah < 0:
        raise ValueError("allocated_rupiah must not be negative")
    step = Step(ProposalAction.FUND, at, actor_id=actor_id, note=note or f"Rp {allocated_rupiah:,}")
    return PROPOSAL_LIFECYCLE.apply(p, step, allocated_rupiah=allocated_rupiah)


def reject_proposal(
    p: AdvocacyProposal, *, at: datetime, reason: str, actor_id: str | None = None
) -> tuple[AdvocacyProposal, Event]:
    return PROPOSAL_LIFECYCLE.apply(
        p, Step(ProposalAction.REJECT, at, actor_id=actor_id, note=reason)
    )
