"""Referrals (rujukan) of a case to a service provider, and their lifecycle.

===========  ================  ==========  ==================================================
action       from              to          guards
===========  ================  ==========  ==================================================
send         sent (new)        sent        timeline is empty
accept       sent              accepted
decline      sent              declined    a reason is given
follow_up    sent, accepted    (same)      a next due date, not in the past
complete     accepted          completed   an outcome is given; not dated before the response
cancel       sent, accepted    cancelled   a reason is given
===========  ================  ==========  ==================================================

Every action: its time is not before the last event, nor before the date sent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import attrs

from kk_core._checks import (
    a_code,
    an_id,
    as_tuple,
    hidden,
    non_empty,
    non_negative,
    not_before,
    optional_code,
    optional_id,
    plain_code,
)
from kk_core._text import quote_value, shorten
from kk_core.codes import OverrideReason, ReferralAction, ReferralStatus, core_code
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
    "REFERRAL_LIFECYCLE",
    "Referral",
    "ServiceProvider",
    "accept_referral",
    "cancel_referral",
    "complete_referral",
    "decline_referral",
    "follow_up_referral",
    "send_referral",
]


@attrs.frozen
class ServiceProvider:
    """A service a KK refers to: UPTD PPA, Puskesmas, KUA, a legal-aid office…"""

    kind: ClassVar[str] = "service_provider"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    #: A code of the ``service_kind`` list (the core list or a local entry under it).
    service: str = attrs.field(converter=plain_code, validator=a_code, repr=quote_value)
    name: str = attrs.field(validator=non_empty, repr=quote_value)
    area: str = attrs.field(default="", kw_only=True, repr=quote_value)
    contact: str = attrs.field(default="", kw_only=True, repr=hidden)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    @property
    def core_service(self) -> str | None:
        """The core kind the provider's service rolls up to (None for a local kind no
        installed code list knows)."""
        return core_code("service_kind", self.service)


_RESPONDED = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.COMPLETED})


@attrs.frozen
class Referral:
    """A case sent to a provider, with the consent (or override) that allowed it."""

    kind: ClassVar[str] = "referral"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    case_id: str = attrs.field(validator=an_id, repr=quote_value)
    provider_id: str = attrs.field(validator=an_id, repr=quote_value)
    reason: str = attrs.field(validator=non_empty, repr=hidden)
    sent_on: date
    consent_given: bool = attrs.field(default=False, kw_only=True)
    override: OverrideReason | None = attrs.field(default=None, kw_only=True)
    #: For a referral without consent: why it could not wait, and who approved it.
    override_note: str = attrs.field(default="", kw_only=True, repr=hidden)
    override_approved_by: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    status: ReferralStatus = attrs.field(default=ReferralStatus.SENT, kw_only=True)
    responded_on: date | None = attrs.field(default=None, kw_only=True)
    completed_on: date | None = attrs.field(default=None, kw_only=True)
    follow_up_due: date | None = attrs.field(default=None, kw_only=True)
    outcome: str = attrs.field(default="", kw_only=True, repr=hidden)
    timeline: tuple[Event, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    #: The kind of service the case was referred to (a ``service_kind`` code): the
    #: provider's service on the day it was sent, which `kk_core.services.Services` fills
    #: in. Counts by service read it; None on a referral recorded without it.
    service: str | None = attrs.field(
        default=None, kw_only=True, converter=plain_code, validator=optional_code, repr=quote_value
    )
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if not self.consent_given and self.override is None:
            raise ValueError("a referral needs consent or an override reason")
        not_before(self.sent_on, self.responded_on, "responded_on")
        not_before(self.responded_on or self.sent_on, self.completed_on, "completed_on")
        if self.status is ReferralStatus.COMPLETED and not self.outcome:
            raise ValueError("a completed referral has an outcome")
        completed = self.status is ReferralStatus.COMPLETED
        if completed != (self.completed_on is not None):
            raise ValueError("completed_on is set exactly when the referral is completed")
        if self.status in _RESPONDED and self.responded_on is None:
            raise ValueError(f"a referral that is {self.status.value} has a responded_on date")
        not_before(self.sent_on, self.follow_up_due, "follow_up_due")
        if self.timeline and self.timeline[-1].target != self.status.value:
            raise ValueError(
                f"status is {self.status.value} but the last event left the referral "
                f"{shorten(self.timeline[-1].target)}"
            )

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)

    @property
    def was_accepted(self) -> bool:
        """The service accepted it (it may have been completed or cancelled since)."""
        return self.responded_on is not None and self.status is not ReferralStatus.DECLINED

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.follow_up_due is not None and today > self.follow_up_due


def _not_before_sent(referral: Referral, step: Step) -> str | None:
    if step.at.date() < referral.sent_on:
        return (
            f"{step.at.date().isoformat()} is before the date sent {referral.sent_on.isoformat()}"
        )
    return None


def _not_before_response(referral: Referral, step: Step) -> str | None:
    # Dates are taken in each event's own zone: a later moment written in another zone can
    # fall on an earlier day, which would date a completion before the response.
    if referral.responded_on is not None and step.at.date() < referral.responded_on:
        return (
            f"{step.at.date().isoformat()} is before the response date "
            f"{referral.responded_on.isoformat()}"
        )
    return None


def _next_due_ahead(referral: Referral, step: Step) -> str | None:
    if not step.ref:
        return "give the next follow-up due date"
    if date.fromisoformat(step.ref) < step.at.date():
        return f"next follow-up {shorten(step.ref)} is in the past"
    return None


_OPEN = frozenset({ReferralStatus.SENT, ReferralStatus.ACCEPTED})

REFERRAL_LIFECYCLE: Lifecycle[Referral] = Lifecycle(
    "referral",
    state_of=lambda referral: referral.status.value,
    state_type=ReferralStatus,
    transitions=[
        Transition(
            ReferralAction.SEND,
            frozenset({ReferralStatus.SENT}),
            None,
            (first_event("send once", "already sent"),),
        ),
        Transition(
            ReferralAction.ACCEPT, frozenset({ReferralStatus.SENT}), ReferralStatus.ACCEPTED
        ),
        Transition(
            ReferralAction.DECLINE,
            frozenset({ReferralStatus.SENT}),
            ReferralStatus.DECLINED,
            (requires("note", "reason required", "say why the service declined"),),
        ),
        Transition(
            ReferralAction.FOLLOW_UP,
            _OPEN,
            None,
            (Guard("next follow-up date", _next_due_ahead),),
        ),
        Transition(
            ReferralAction.COMPLETE,
            frozenset({ReferralStatus.ACCEPTED}),
            ReferralStatus.COMPLETED,
            (
                requires(
                    "outcome", "outcome required", "a referral cannot complete without an outcome"
                ),
                Guard("not before the response", _not_before_response),
            ),
        ),
        Transition(
            ReferralAction.CANCEL,
            _OPEN,
            ReferralStatus.CANCELLED,
            (requires("note", "reason required", "say why the referral is cancelled"),),
        ),
    ],
    common_guards=(
        Guard("time never goes backwards", not_before_last_event),
        Guard("not before sending", _not_before_sent),
    ),
    terminal_hint={
        ReferralStatus.DECLINED: "a declined referral is final; make a new referral",
        ReferralStatus.COMPLETED: "a completed referral is final",
        ReferralStatus.CANCELLED: "a cancelled referral is final; make a new referral",
    },
)


def send_referral(
    referral: Referral, *, at: datetime, actor_id: str | None = None
) -> tuple[Referral, Event]:
    """Start the timeline of a new referral (the case's ``refer`` step comes with it)."""
    step = Step(
        ReferralAction.SEND, at, actor_id=actor_id, note=referral.reason, ref=referral.case_id
    )
    return REFERRAL_LIFECYCLE.apply(referral, step)


def accept_referral(
    referral: Referral, *, at: datetime, actor_id: str | None = None, note: str = ""
) -> tuple[Referral, Event]:
    step = Step(ReferralAction.ACCEPT, at, actor_id=actor_id, note=note)
    return REFERRAL_LIFECYCLE.apply(referral, step, responded_on=at.date())


def decline_referral(
    referral: Referral, *, at: datetime, reason: str, actor_id: str | None = None
) -> tuple[Referral, Event]:
    step = Step(ReferralAction.DECLINE, at, actor_id=actor_id, note=reason)
    return REFERRAL_LIFECYCLE.apply(referral, step, responded_on=at.date())


def follow_up_referral(
    referral: Referral,
    *,
    at: datetime,
    next_due: date | None,
    actor_id: str | None = None,
    note: str = "",
) -> tuple[Referral, Event]:
    """Record a follow-up with the service and when the next one is due."""
    step = Step(
        ReferralAction.FOLLOW_UP,
        at,
        actor_id=actor_id,
        note=note,
        ref=None if next_due is None else next_due.isoformat(),
    )
    return REFERRAL_LIFECYCLE.apply(referral, step, follow_up_due=next_due)


def complete_referral(
    referral: Referral, outcome: str, *, at: datetime, actor_id: str | None = None
) -> tuple[Referral, Event]:
    step = Step(
        ReferralAction.COMPLETE,
        at,
        actor_id=actor_id,
        note=outcome,
        outcome=outcome.strip() or None,
    )
    return REFERRAL_LIFECYCLE.apply(referral, step, outcome=outcome, completed_on=at.date())


def cancel_referral(
    referral: Referral, *, at: datetime, reason: str, actor_id: str | None = None
) -> tuple[Referral, Event]:
    step = Step(ReferralAction.CANCEL, at, actor_id=actor_id, note=reason)
    return REFERRAL_LIFECYCLE.apply(referral, step)
