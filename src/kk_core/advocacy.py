"""Pendataan: advocacy proposals (usulan) on their way from the hamlet to the village budget.

A proposal climbs the village planning forums in order — musyawarah dusun (musdus) →
musyawarah desa (musdes) → Musrenbangdes → the village work plan (RKPDes) → the village
budget (APBDes) — entering at the forum where the KK first brings it (its ``forum``).
It ends funded in the APBDes, as a policy (a Perdes, a Perkades or an agreed awig-awig),
rejected, or carried over to the next year's cycle as a new proposal that names it.

=====================  ==========================  ====================  ==========================
action                 from                        to                    guards
=====================  ==========================  ====================  ==========================
draft                  draft (new)                 draft                 timeline is empty
submit_musdus          draft                       in_musdus             evidence; year; forum
submit_musdes          draft, in_musdus            in_musdes             evidence; year; forum
submit_musrenbangdes   draft, in_musdes            in_musrenbangdes      evidence; year; forum
discuss                in a forum or in_rkpdes     (unchanged)
adopt_rkpdes           in_musrenbangdes            in_rkpdes
fund_apbdes            in_rkpdes                   funded_apbdes         not a kelurahan
enact_perdes           in a forum or in_rkpdes     perdes_enacted        named; not a kelurahan
issue_perkades         in a forum or in_rkpdes     perkades_issued       named; not a kelurahan
agree_awig_awig        in a forum or in_rkpdes     awig_awig_agreed      the rule is named
reject                 in a forum or in_rkpdes     rejected              a reason is given
carry_over             in a forum or in_rkpdes     carried_over          next year's proposal named
=====================  ==========================  ====================  ==========================

Submits need an evidence reference and a cycle year, and a draft enters at its own
forum. Every action: its time is not before the last event. See
docs/reference/lifecycles.md.

The cycle year (``cycle_year``) is the budget year of the RKPDes and APBDes the proposal
is for. The RKPDes for year N is drafted from July and set by the end of September of
year N - 1 (Permendesa PDTT 21/2020), so a proposal drafted in year N - 1 is for cycle N:
`draft_proposal` sets it so when it is not given.

Records stored by release 0.1.0 (statuses ``submitted``, ``discussed``, ``adopted``,
``funded``; actions ``submit``, ``adopt``, ``fund``) are read into this model by
`upgrade_proposal_data`, which the converter applies to every proposal it reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs

from kk_core._checks import (
    FieldError,
    an_id,
    as_tuple,
    frozen_set,
    hidden,
    non_empty,
    non_negative,
    optional_id,
)
from kk_core._text import quote_value
from kk_core.codes import ApbdesField, Forum, ProposalAction, ProposalStatus
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
from kk_core.places import is_kelurahan, village_code

__all__ = [
    "OPEN_PROPOSAL_STATES",
    "PROPOSAL_LIFECYCLE",
    "AdvocacyProposal",
    "adopt_proposal",
    "agree_awig_awig",
    "carry_over_proposal",
    "discuss_proposal",
    "draft_proposal",
    "enact_perdes",
    "fund_proposal",
    "issue_perkades",
    "reject_proposal",
    "submit_proposal",
    "upgrade_proposal_data",
]

_S = ProposalStatus
_A = ProposalAction

#: The states of a proposal that is before a forum or in the work plan: it can still be
#: discussed, decided on, or carried over.
OPEN_PROPOSAL_STATES: frozenset[ProposalStatus] = frozenset(
    {_S.IN_MUSDUS, _S.IN_MUSDES, _S.IN_MUSRENBANGDES, _S.IN_RKPDES}
)

#: Each rung of the climb: the forum, the action bringing a proposal there, the state it
#: is then in, and the state it comes from (when it did not enter there).
_RUNGS: tuple[tuple[Forum, ProposalAction, ProposalStatus, ProposalStatus | None], ...] = (
    (Forum.MUSYAWARAH_DUSUN, _A.SUBMIT_MUSDUS, _S.IN_MUSDUS, None),
    (Forum.MUSYAWARAH_DESA, _A.SUBMIT_MUSDES, _S.IN_MUSDES, _S.IN_MUSDUS),
    (Forum.MUSRENBANGDES, _A.SUBMIT_MUSRENBANGDES, _S.IN_MUSRENBANGDES, _S.IN_MUSDES),
)
_SUBMIT_TO: Mapping[Forum, ProposalAction] = {forum: action for forum, action, _, _ in _RUNGS}
_NEXT_FORUM: Mapping[ProposalStatus, Forum] = {
    came_from: forum for forum, _, _, came_from in _RUNGS if came_from is not None
}


def _plausible_year(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and not 2000 <= value <= 2100:
        raise FieldError(attribute.name, f"{quote_value(value)} is not a plausible budget year")


def _optional_village(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None:
        village_code(_, attribute, value)


@attrs.frozen
class AdvocacyProposal:
    """A proposal backed by the KK's own data, on its way into the village plan and budget.

    ``forum`` is where the KK first brings it (a special musdes counts as a musdes);
    ``status`` is where it is now. ``village_id`` is the village whose plan and budget
    it is for (the group's village; `kk_core.services.Services` fills it in).
    """

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
    cycle_year: int | None = attrs.field(default=None, kw_only=True, validator=_plausible_year)
    village_id: str | None = attrs.field(
        default=None, kw_only=True, validator=_optional_village, repr=quote_value
    )
    budget_field: ApbdesField | None = attrs.field(default=None, kw_only=True)
    carried_over_from: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    timeline: tuple[Event, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        funded = self.status is ProposalStatus.FUNDED_APBDES
        if self.allocated_rupiah is not None and not funded:
            raise ValueError(
                f"an allocation is recorded only once funded, not while {self.status.value}"
            )
        if funded and self.allocated_rupiah is None:
            raise ValueError("a funded proposal records the rupiah allocated")
        if self.budget_field is not None and not funded:
            raise ValueError(
                f"a budget field (bidang) is recorded only once funded, not while "
                f"{self.status.value}"
            )
        if funded and self.village_id is not None and is_kelurahan(self.village_id):
            raise ValueError(
                f"{quote_value(self.village_id)} is a kelurahan, which has no village budget "
                "(APBDes)"
            )
        if self.status is not ProposalStatus.DRAFT and self.cycle_year is None:
            raise ValueError("a proposal that has left its draft names its cycle year")
        if self.carried_over_from is not None and self.carried_over_from == self.id:
            raise ValueError("a proposal is not carried over from itself")

    @property
    def is_open(self) -> bool:
        """Before a forum or in the work plan: still on its way."""
        return self.status in OPEN_PROPOSAL_STATES


def _has_evidence(proposal: AdvocacyProposal, step: Step) -> str | None:
    return (
        None
        if proposal.evidence
        else "a proposal goes to the forum with at least one evidence reference"
    )


def _has_cycle_year(proposal: AdvocacyProposal, step: Step) -> str | None:
    if proposal.cycle_year is not None:
        return None
    return "give the cycle year it is for, or draft it first (drafting sets the year after)"


def _enters_at_its_forum(proposal: AdvocacyProposal, step: Step) -> str | None:
    if proposal.status is not ProposalStatus.DRAFT:
        return None  # already climbing: passed up from the forum below
    wanted = _SUBMIT_TO[proposal.forum.stage]
    if step.action == wanted:
        return None
    return (
        f"the proposal's forum is {proposal.forum.value}: a draft is first brought there "
        f"({wanted.value})"
    )


def _not_a_kelurahan(proposal: AdvocacyProposal, step: Step) -> str | None:
    if proposal.village_id is not None and is_kelurahan(proposal.village_id):
        return (
            f"{proposal.village_id} is a kelurahan: it has no village budget (APBDes) "
            "and no Dana Desa"
        )
    return None


def _not_a_kelurahan_regulation(proposal: AdvocacyProposal, step: Step) -> str | None:
    if proposal.village_id is not None and is_kelurahan(proposal.village_id):
        return (
            f"{proposal.village_id} is a kelurahan: it has no village head and no BPD to "
            "make a Perdes or a Perkades"
        )
    return None


def _names_another_proposal(proposal: AdvocacyProposal, step: Step) -> str | None:
    if step.ref is None or not step.ref.strip():
        return "name the proposal that carries it on in the next cycle"
    if step.ref == proposal.id:
        return "the next cycle's proposal is a new record, with an id of its own"
    return None


_G = Guard[AdvocacyProposal]
_EVIDENCE = _G("evidence before the forum", _has_evidence)
_ENTRY = _G("enters at its forum", _enters_at_its_forum)
_CYCLE = _G("cycle year known", _has_cycle_year)
_REGULATION = requires("note", "the regulation is named", "name the regulation (number, year)")
_VILLAGE_ONLY = _G("no village regulation in a kelurahan", _not_a_kelurahan_regulation)
_OPEN = frozenset(OPEN_PROPOSAL_STATES)

PROPOSAL_LIFECYCLE: Lifecycle[AdvocacyProposal] = Lifecycle(
    "advocacy_proposal",
    state_of=lambda p: p.status.value,
    state_type=ProposalStatus,
    transitions=[
        Transition(
            _A.DRAFT,
            frozenset({_S.DRAFT}),
            None,
            (first_event("draft once", "already drafted"),),
        ),
        *(
            Transition(
                action,
                frozenset({_S.DRAFT} | ({came_from} if came_from is not None else set())),
                state,
                (_EVIDENCE, _CYCLE, _ENTRY),
            )
            for _, action, state, came_from in _RUNGS
        ),
        Transition(_A.DISCUSS, _OPEN, None),
        Transition(_A.ADOPT_RKPDES, frozenset({_S.IN_MUSRENBANGDES}), _S.IN_RKPDES),
        Transition(
            _A.FUND_APBDES,
            frozenset({_S.IN_RKPDES}),
            _S.FUNDED_APBDES,
            (_G("no APBDes in a kelurahan", _not_a_kelurahan),),
        ),
        Transition(_A.ENACT_PERDES, _OPEN, _S.PERDES_ENACTED, (_REGULATION, _VILLAGE_ONLY)),
        Transition(_A.ISSUE_PERKADES, _OPEN, _S.PERKADES_ISSUED, (_REGULATION, _VILLAGE_ONLY)),
        Transition(_A.AGREE_AWIG_AWIG, _OPEN, _S.AWIG_AWIG_AGREED, (_REGULATION,)),
        Transition(
            _A.REJECT,
            _OPEN,
            _S.REJECTED,
            (requires("note", "reason for rejection", "say why it was rejected"),),
        ),
        Transition(
            _A.CARRY_OVER,
            _OPEN,
            _S.CARRIED_OVER,
            (_G("next cycle's proposal named", _names_another_proposal),),
        ),
    ],
    common_guards=(_G("time never goes backwards", not_before_last_event),),
    terminal_hint={
        _S.FUNDED_APBDES: "a funded proposal is final",
        _S.PERDES_ENACTED: "a proposal that became a policy is final",
        _S.PERKADES_ISSUED: "a proposal that became a policy is final",
        _S.AWIG_AWIG_AGREED: "a proposal that became a policy is final",
        _S.REJECTED: "a rejected proposal is final; draft a new one",
        _S.CARRIED_OVER: "a carried-over proposal is final; its next cycle goes on in the "
        "proposal its last event names",
    },
)


def draft_proposal(
    p: AdvocacyProposal, *, at: datetime, actor_id: str | None = None
) -> tuple[AdvocacyProposal, Event]:
    """Start the timeline; without a ``cycle_year``, the proposal is for the year after
    the draft (the RKPDes of year N is drafted in year N - 1)."""
    year = p.cycle_year if p.cycle_year is not None else at.year + 1
    return PROPOSAL_LIFECYCLE.apply(p, Step(_A.DRAFT, at, actor_id=actor_id), cycle_year=year)


def submit_proposal(
    p: AdvocacyProposal,
    *,
    at: datetime,
    to: Forum | None = None,
    meeting_id: str | None = None,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[AdvocacyProposal, Event]:
    """Bring the proposal to a forum: a draft to its own ``forum``, a proposal agreed at
    one forum up to the next (``to`` names the forum, when you want the table to check it).

    ``meeting_id`` is the `Meeting` where it was brought, kept as the event's ``ref``.
    """
    if to is None:
        to = p.forum if p.status is ProposalStatus.DRAFT else _NEXT_FORUM.get(p.status, p.forum)
    action = _SUBMIT_TO[to.stage]
    return PROPOSAL_LIFECYCLE.apply(
        p, Step(action, at, actor_id=actor_id, note=note, ref=meeting_id)
    )


def discuss_proposal(
    p: AdvocacyProposal,
    *,
    at: datetime,
    meeting_id: str | None = None,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[AdvocacyProposal, Event]:
    """A forum discussed it without deciding: recorded, the state unchanged (the KK brings
    its data to every deliberation, "not once or twice but as often as possible")."""
    return PROPOSAL_LIFECYCLE.apply(
        p, Step(_A.DISCUSS, at, actor_id=actor_id, note=note, ref=meeting_id)
    )


def adopt_proposal(
    p: AdvocacyProposal, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[AdvocacyProposal, Event]:
    """Adopted into the village work plan (RKPDes) after the Musrenbangdes."""
    return PROPOSAL_LIFECYCLE.apply(p, Step(_A.ADOPT_RKPDES, at, actor_id=actor_id, note=note))


def fund_proposal(
    p: AdvocacyProposal,
    allocated_rupiah: int,
    *,
    at: datetime,
    budget_field: ApbdesField | None = None,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[AdvocacyProposal, Event]:
    """Funded in the village budget (APBDes) with the amount allocated and, when known,
    the budget field (bidang) it sits in. Refused in a kelurahan (no APBDes)."""
    if allocated_rupiah < 0:
        raise ValueError("allocated_rupiah must not be negative")
    step = Step(_A.FUND_APBDES, at, actor_id=actor_id, note=note or f"Rp {allocated_rupiah:,}")
    return PROPOSAL_LIFECYCLE.apply(
        p, step, allocated_rupiah=allocated_rupiah, budget_field=budget_field
    )


def enact_perdes(
    p: AdvocacyProposal, *, at: datetime, regulation: str, actor_id: str | None = None
) -> tuple[AdvocacyProposal, Event]:
    """It became a village regulation (Peraturan Desa), set by the village head with the
    BPD's agreement; ``regulation`` names it ("Perdes Teros No. 3 Tahun 2025")."""
    return PROPOSAL_LIFECYCLE.apply(
        p, Step(_A.ENACT_PERDES, at, actor_id=actor_id, note=regulation)
    )


def issue_perkades(
    p: AdvocacyProposal, *, at: datetime, regulation: str, actor_id: str | None = None
) -> tuple[AdvocacyProposal, Event]:
    """It became a village head regulation (Peraturan Kepala Desa); ``regulation`` names it."""
    return PROPOSAL_LIFECYCLE.apply(
        p, Step(_A.ISSUE_PERKADES, at, actor_id=actor_id, note=regulation)
    )


def agree_awig_awig(
    p: AdvocacyProposal, *, at: datetime, rule: str, actor_id: str | None = None
) -> tuple[AdvocacyProposal, Event]:
    """It became an awig-awig, a customary rule agreed in deliberation; ``rule`` names it."""
    return PROPOSAL_LIFECYCLE.apply(p, Step(_A.AGREE_AWIG_AWIG, at, actor_id=actor_id, note=rule))


def reject_proposal(
    p: AdvocacyProposal, *, at: datetime, reason: str, actor_id: str | None = None
) -> tuple[AdvocacyProposal, Event]:
    return PROPOSAL_LIFECYCLE.apply(p, Step(_A.REJECT, at, actor_id=actor_id, note=reason))


def carry_over_proposal(
    p: AdvocacyProposal,
    next_id: str,
    *,
    at: datetime,
    forum: Forum | None = None,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[AdvocacyProposal, Event, AdvocacyProposal]:
    """Close this year's proposal as carried over and start next year's.

    Returns this proposal (``carried_over``, its last event's ``ref`` naming the new
    one), the event, and the new proposal: a draft for ``cycle_year + 1`` with the same
    title, group, village, issue areas, evidence and request, entering at ``forum``
    (this one's when not given), with ``carried_over_from`` naming this one. Each cycle
    keeps its own record, so counts by cycle year stay true.
    """
    closed, event = PROPOSAL_LIFECYCLE.apply(
        p, Step(_A.CARRY_OVER, at, actor_id=actor_id, note=note, ref=next_id)
    )
    assert p.cycle_year is not None  # every proposal that has left its draft has one
    following = AdvocacyProposal(
        next_id,
        p.group_id,
        p.title,
        p.forum if forum is None else forum,
        issue_areas=p.issue_areas,
        evidence=p.evidence,
        requested_rupiah=p.requested_rupiah,
        cycle_year=p.cycle_year + 1,
        village_id=p.village_id,
        carried_over_from=p.id,
    )
    following, _ = draft_proposal(following, at=at, actor_id=actor_id)
    return closed, event, following


# --- Reading what release 0.1.0 stored ------------------------------------------------

#: Release 0.1.0's states (besides ``draft`` and ``rejected``, which are unchanged).
_OLD_STATES: Mapping[str, ProposalStatus | None] = {
    "submitted": None,  # before the forum it was submitted to
    "discussed": None,  # discussed there, no decision recorded yet
    "adopted": _S.IN_RKPDES,
    "funded": _S.FUNDED_APBDES,
}
_OLD_ACTIONS: Mapping[str, ProposalAction | None] = {
    "submit": None,  # to the proposal's forum
    "adopt": _A.ADOPT_RKPDES,
    "fund": _A.FUND_APBDES,
}
_AT_STAGE: Mapping[Forum, ProposalStatus] = {forum: state for forum, _, state, _ in _RUNGS}
#: forum code → the state a proposal brought there is in, and the action that brought it
_AT_FORUM: Mapping[str, tuple[ProposalStatus, ProposalAction]] = {
    forum.value: (_AT_STAGE[forum.stage], _SUBMIT_TO[forum.stage]) for forum in Forum
}


def _old_state(value: Any, at_forum: tuple[ProposalStatus, ProposalAction] | None) -> Any:
    if not isinstance(value, str) or value not in _OLD_STATES:
        return value
    mapped = _OLD_STATES[value]
    if mapped is not None:
        return mapped.value
    return at_forum[0].value if at_forum is not None else value


def _old_event(event: Any, at_forum: tuple[ProposalStatus, ProposalAction] | None) -> Any:
    if not isinstance(event, Mapping):
        return event
    new = dict(event)
    action = new.get("action")
    if isinstance(action, str) and action in _OLD_ACTIONS:
        mapped = _OLD_ACTIONS[action]
        if mapped is not None:
            new["action"] = mapped.value
        elif at_forum is not None:
            new["action"] = at_forum[1].value
    for key in ("source", "target"):
        if key in new:
            new[key] = _old_state(new[key], at_forum)
    return new


def _cycle_year(timeline: Any) -> int | None:
    """The year after the first event's local year, as `draft_proposal` would set it."""
    if not isinstance(timeline, list | tuple) or not timeline:
        return None
    first = timeline[0]
    at = first.get("at") if isinstance(first, Mapping) else None
    if not isinstance(at, str) or len(at) > 64:
        return None
    try:
        year = datetime.fromisoformat(at).year
    except ValueError:
        return None
    return year + 1 if 1999 <= year <= 2099 else None


def upgrade_proposal_data(data: Any) -> Any:
    """A proposal's plain data as release 0.1.0 stored it, in the current shape.

    Data of the current shape (it has a ``cycle_year`` key, which every current record
    writes) and anything that is not a mapping are returned as they are; the converter
    then explains whatever is wrong with them. An old record becomes:

    * status ``submitted`` or ``discussed`` → ``in_musdus``, ``in_musdes`` or
      ``in_musrenbangdes``, the forum it was brought to (its ``forum``);
      ``adopted`` → ``in_rkpdes``; ``funded`` → ``funded_apbdes``; ``draft`` and
      ``rejected`` unchanged;
    * timeline actions ``submit`` → ``submit_musdus`` / ``submit_musdes`` /
      ``submit_musrenbangdes`` (by its forum), ``adopt`` → ``adopt_rkpdes``, ``fund`` →
      ``fund_apbdes``; ``draft``, ``discuss`` and ``reject`` unchanged; the events'
      ``source`` and ``target`` states mapped as the status is;
    * ``cycle_year``: the year after its first event (none for an undrafted proposal);
      ``village_id``, ``budget_field`` and ``carried_over_from`` empty.

    Never raises: a value it does not recognise is left for the converter to refuse.
    """
    if not isinstance(data, Mapping) or "cycle_year" in data:
        return data
    forum = data.get("forum")
    at_forum = _AT_FORUM.get(forum) if isinstance(forum, str) else None
    new = dict(data)
    if "status" in new:
        new["status"] = _old_state(new["status"], at_forum)
    timeline = new.get("timeline")
    if isinstance(timeline, list | tuple):
        new["timeline"] = [_old_event(event, at_forum) for event in timeline]
    year = _cycle_year(timeline)
    if year is not None:
        new["cycle_year"] = year
    return new
