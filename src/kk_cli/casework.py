"""Case work through the services, step by step on a seeded clock: the machinery that
`kk demo` and ``examples/village_year.py`` share to record synthetic casework.

`CaseRun` takes one case through `kk_core.services.Services`: every step is one use case
(one transaction, every lifecycle guard and check of the services), at a time a `Clock`
gives — a working hour some days after the last step, never backwards, never past the
end of the period. Nothing here imports click or rich: the example runs without the
``cli`` extra.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import attrs

from kk_core.cases import Assent, Assessment, Case, Consent, PlanAction
from kk_core.codes import (
    AssentDecision,
    AssentMethod,
    CaseOutcome,
    ConsentGiver,
    LegalStage,
    NeedDomain,
    OverrideReason,
    RiskLevel,
)
from kk_core.services import Services

__all__ = ["CaseRun", "Clock", "YearEnd", "at"]


def at(day: date, hour: int = 9, minute: int = 0, zone: tzinfo | None = None) -> datetime:
    """A time on ``day`` in ``zone`` (event times always carry a zone)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


class YearEnd(Exception):
    """The next step of a case would fall after the end of the period: the case stays as
    it is."""


class Clock:
    """Moves forward through a case's days; never backwards, never past ``end``."""

    def __init__(self, rng: random.Random, start: datetime, end: date) -> None:
        self.rng = rng
        self.now = start
        self.end = end

    def after(self, low: int, high: int) -> datetime:
        """A working hour ``low`` to ``high`` days after the last step."""
        day = self.now.date() + timedelta(days=self.rng.randint(low, high))
        hour, minute = self.rng.randint(8, 16), self.rng.choice((0, 15, 30, 45))
        return self._move(at(day, hour, minute, self.now.tzinfo))

    def on(self, day: date, hour: int = 9) -> datetime:
        """A given day (a story's date), never before the last step."""
        return self._move(at(day, hour, 0, self.now.tzinfo))

    def _move(self, when: datetime) -> datetime:
        if when <= self.now:
            when = self.now + timedelta(minutes=30)
        if when.date() > self.end:
            raise YearEnd
        self.now = when
        return when


#: From this age a child's own assent is asked, orally; from 12 in writing (IRC/UNICEF,
#: Caring for Child Survivors, 2012).
_ASSENT_AGE, _WRITTEN_ASSENT_AGE = 6, 12


class CaseRun:
    """One case taken through the services step by step, on its own clock.

    Every step is one use case of `Services`: one transaction, every guard checked, a
    refused step an error (the example never catches one). A step happens ``on`` a
    given day, else ``low`` to ``high`` days after the last one; a step that would fall
    after the clock's end raises `YearEnd` and the case stays as it is.
    """

    def __init__(self, services: Services, case: Case, clock: Clock, actor: str) -> None:
        self.services = services
        self.case = case
        self.clock = clock
        self.actor = actor
        self.referrals: list[str] = []

    @property
    def id(self) -> str:
        return self.case.id

    def _when(self, low: int, high: int, on: date | None) -> datetime:
        return self.clock.after(low, high) if on is None else self.clock.on(on)

    def _reload(self) -> None:
        """A referral's last response resumes its case: read the case as stored."""
        self.case = self.services.store.get(Case, self.id)

    def record(self) -> None:
        self.case = self.services.record_case(self.case, at=self.clock.now, actor_id=self.actor)

    def assign(self, member: str, *, low: int = 0, high: int = 2, on: date | None = None) -> None:
        at = self._when(low, high, on)
        self.case = self.services.assign_companion(self.id, member, at=at, actor_id=self.actor)
        self.actor = member

    def assess(
        self,
        risk: RiskLevel,
        needs: Iterable[NeedDomain],
        note: str = "",
        *,
        low: int = 0,
        high: int = 3,
        on: date | None = None,
    ) -> None:
        """The assessment: the needs found, by domain, and the risk level it sets."""
        at = self._when(low, high, on)
        assessment = Assessment(at.date(), risk, needs=needs, by=self.actor, note=note)
        self.case = self.services.assess_case(self.id, assessment, at=at, actor_id=self.actor)

    def plan(
        self,
        actions: Sequence[tuple[str, str, int, str | None]],
        *,
        low: int = 0,
        high: int = 2,
        on: date | None = None,
    ) -> None:
        """The case plan: (what, the member responsible, due in days, service kind)."""
        at = self._when(low, high, on)
        plan = [
            PlanAction(what, who, at.date() + timedelta(days=days), service=service)
            for what, who, days, service in actions
        ]
        self.case = self.services.plan_case(self.id, plan, at=at, actor_id=self.actor)

    def done(self, *indexes: int, low: int = 0, high: int = 1, on: date | None = None) -> None:
        """Plan actions done: the plan is set again with their dates of completion."""
        at = self._when(low, high, on)
        plan = [
            attrs.evolve(a, done_on=at.date()) if i in indexes and a.done_on is None else a
            for i, a in enumerate(self.case.plan)
        ]
        self.case = self.services.plan_case(self.id, plan, at=at, actor_id=self.actor)

    def consent(
        self,
        giver: ConsentGiver,
        services: Iterable[str] = (),
        *,
        note: str = "",
        approved_by: str | None = None,
        low: int = 0,
        high: int = 2,
        on: date | None = None,
    ) -> None:
        """Consent to the services it names (none when refused); for a child of 6 to
        17, the child's own assent is recorded with it, oral under 12, else written."""
        at = self._when(low, high, on)
        day = at.date()
        age = self.case.age_at(day)
        refused = giver is ConsentGiver.NONE
        assent = None
        if not refused and age is not None and _ASSENT_AGE <= age < 18:
            method = AssentMethod.ORAL if age < _WRITTEN_ASSENT_AGE else AssentMethod.WRITTEN
            assent = Assent(AssentDecision.GIVEN, day, method=method)
        consent = Consent(
            giver,
            day,
            services=() if refused else services,
            to_share_data=not refused,
            assent=assent,
            approved_by=approved_by,
            note=note,
        )
        self.case = self.services.record_consent(self.id, consent, at=at, actor_id=self.actor)

    def refer(
        self,
        provider: str,
        reason: str,
        *,
        override: OverrideReason | None = None,
        override_note: str = "",
        approved_by: str | None = None,
        low: int = 0,
        high: int = 4,
        on: date | None = None,
    ) -> str:
        """Refer the case (the referral is sent at once, due back in 14 days); its id."""
        at = self._when(low, high, on)
        referral_id = f"{self.id}-R{len(self.referrals) + 1}"
        self.case, _ = self.services.refer_case(
            self.id,
            provider,
            reason,
            referral_id=referral_id,
            override=override,
            override_note=override_note,
            approved_by=approved_by,
            follow_up_due=at.date() + timedelta(days=14),
            at=at,
            actor_id=self.actor,
        )
        self.referrals.append(referral_id)
        return referral_id

    def accept(self, referral: str, *, low: int = 1, high: int = 7, on: date | None = None) -> None:
        at = self._when(low, high, on)
        self.services.record_referral_response(referral, accepted=True, at=at, actor_id=self.actor)

    def decline(
        self, referral: str, reason: str, *, low: int = 1, high: int = 7, on: date | None = None
    ) -> None:
        at = self._when(low, high, on)
        self.services.record_referral_response(
            referral, accepted=False, reason=reason, at=at, actor_id=self.actor
        )
        self._reload()

    def follow_referral(
        self, referral: str, note: str, *, low: int = 5, high: int = 15, on: date | None = None
    ) -> None:
        """A call to the service; the referral is due back two weeks later."""
        at = self._when(low, high, on)
        self.services.follow_up_referral(
            referral, at.date() + timedelta(days=14), note=note, at=at, actor_id=self.actor
        )

    def complete(
        self, referral: str, outcome: str, *, low: int = 3, high: int = 30, on: date | None = None
    ) -> None:
        at = self._when(low, high, on)
        self.services.complete_referral(referral, outcome, at=at, actor_id=self.actor)
        self._reload()

    def cancel(
        self, referral: str, reason: str, *, low: int = 5, high: int = 20, on: date | None = None
    ) -> None:
        at = self._when(low, high, on)
        self.services.cancel_referral(referral, reason, at=at, actor_id=self.actor)
        self._reload()

    def follow_up(
        self,
        next_in: int | None,
        note: str,
        *,
        low: int = 3,
        high: int = 14,
        on: date | None = None,
    ) -> None:
        """A follow-up (a home visit, a call); the next one ``next_in`` days later."""
        at = self._when(low, high, on)
        following = None if next_in is None else at.date() + timedelta(days=next_in)
        self.case = self.services.follow_up_case(
            self.id, following, note=note, at=at, actor_id=self.actor
        )

    def legal(
        self, stage: LegalStage, note: str, *, low: int = 7, high: int = 30, on: date | None = None
    ) -> None:
        """Where the legal process the KK accompanies stands; the case stays open."""
        at = self._when(low, high, on)
        self.case = self.services.record_legal_step(
            self.id, stage, note=note, at=at, actor_id=self.actor
        )

    def note(self, text: str, *, low: int = 2, high: int = 14, on: date | None = None) -> None:
        at = self._when(low, high, on)
        self.case = self.services.add_case_note(self.id, text, at=at, actor_id=self.actor)

    def update(self, changes: dict[str, Any], why: str, *, on: date) -> None:
        """What was learnt later (a marriage's result, a perpetrator): its own step."""
        at = self._when(0, 0, on)
        self.case = self.services.update_case(
            self.id, changes, note=why, at=at, actor_id=self.actor
        )

    def risk(
        self, level: RiskLevel, why: str, *, low: int = 0, high: int = 3, on: date | None = None
    ) -> None:
        """The risk changed since the assessment; why, in a note beside it."""
        at = self._when(low, high, on)
        self.case = self.services.change_risk(self.id, level, at=at, actor_id=self.actor)
        self.note(why, low=0, high=0)

    def close(
        self,
        outcome: CaseOutcome,
        note: str = "",
        *,
        low: int = 2,
        high: int = 21,
        on: date | None = None,
    ) -> None:
        at = self._when(low, high, on)
        self.case = self.services.close_case(
            self.id, outcome, note=note, at=at, actor_id=self.actor
        )

    def reopen(self, reason: str, *, low: int, high: int) -> None:
        at = self._when(low, high, None)
        self.case = self.services.reopen_case(self.id, reason, at=at, actor_id=self.actor)
