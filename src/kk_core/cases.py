"""Pengaduan: the cases a KK accompanies and the people they are about.

A case is about one subject (the client) and one category. Its ``status`` only changes
through `kk_core.case_lifecycle`, which appends to the ``timeline``; the invariants
below hold for every record however it was made (form, CSV, database).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

import attrs

from kk_core._checks import (
    FieldError,
    an_id,
    as_tuple,
    frozen_set,
    hidden,
    non_negative,
    not_before,
    optional_id,
)
from kk_core._text import quote_value, shorten
from kk_core.codes import (
    AgeBand,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ConsentGiver,
    IncidentPlace,
    IntakeChannel,
    PerpetratorRelation,
    RiskLevel,
    Sex,
    SocialProgramme,
    ViolenceForm,
)
from kk_core.disability import NO_DISABILITY, Disability, as_disability
from kk_core.lifecycle import Event
from kk_core.places import village_code
from kk_core.privacy import pseudonym_only

__all__ = ["Case", "Consent", "Subject", "ViolenceIncident", "age_on"]


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


_MAX_AGE = 130
_INITIALS = re.compile(r"^[^\W\d_][^\W\d_. ]?(?:[. ]{0,2}[^\W\d_]){0,5}\.?$")


def _plausible_age(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and not 0 <= value <= _MAX_AGE:
        raise FieldError(attribute.name, f"must be between 0 and {_MAX_AGE}")


def _initials(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Initials only ("S.N.", "SN"): a name or a number here would identify the client."""
    if value and (len(value) > 8 or not _INITIALS.match(value)):
        raise FieldError(
            attribute.name, "takes initials only, like 'S.N.' (letters, at most 8 characters)"
        )


@attrs.frozen
class Subject:
    """The person a case is about. No name and no clear identity number: initials and a
    keyed pseudonym are enough to accompany and to link, and leak nothing."""

    sex: Sex
    birth_date: date | None = attrs.field(default=None, kw_only=True)
    age_years: int | None = attrs.field(default=None, kw_only=True, validator=_plausible_age)
    disability: Disability = attrs.field(
        default=NO_DISABILITY, kw_only=True, converter=as_disability
    )
    hamlet_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    # Hidden from repr: reprs end up in logs and tracebacks.
    initials: str = attrs.field(default="", kw_only=True, validator=_initials, repr=False)
    identity: str | None = attrs.field(
        default=None, kw_only=True, validator=pseudonym_only, repr=False
    )

    def age_on(self, day: date) -> int | None:
        """Age on ``day``: from the birth date when known, else the age recorded at intake."""
        if self.birth_date is not None:
            return max(age_on(self.birth_date, day), 0)
        return self.age_years


@attrs.frozen
class ViolenceIncident:
    """What happened, in SIMFONI-PPA terms; several forms may apply to one incident."""

    forms: frozenset[ViolenceForm] = attrs.field(converter=frozen_set)
    place: IncidentPlace
    perpetrator_relations: frozenset[PerpetratorRelation] = attrs.field(
        default=frozenset({PerpetratorRelation.UNKNOWN}), kw_only=True, converter=frozen_set
    )
    perpetrator_sex: Sex | None = attrs.field(default=None, kw_only=True)
    occurred_on: date | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.forms:
            raise ValueError("a violence incident has at least one form")
        if not self.perpetrator_relations:
            raise ValueError("perpetrator_relations is empty; use 'unknown' when not known")


@attrs.frozen
class Consent:
    """Who agreed to what, and when. Recorded before anything is shared."""

    giver: ConsentGiver
    recorded_on: date
    to_refer: bool = attrs.field(default=False, kw_only=True)
    to_share_data: bool = attrs.field(default=False, kw_only=True)
    note: str = attrs.field(default="", kw_only=True, repr=hidden)

    def __attrs_post_init__(self) -> None:
        if self.giver is ConsentGiver.NONE and (self.to_refer or self.to_share_data):
            raise ValueError("no consent was given, so nothing can be consented to")

    @property
    def allows_referral(self) -> bool:
        return self.giver is not ConsentGiver.NONE and self.to_refer


def _known_age_band(case: Case) -> AgeBand | None:
    age = case.subject.age_on(case.reported_on)
    return None if age is None else AgeBand.for_age(age)


@attrs.frozen
class Case:
    """A case recorded by the Pengaduan division."""

    kind: ClassVar[str] = "case"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    village_id: str = attrs.field(validator=village_code, repr=quote_value)
    reported_on: date
    channel: IntakeChannel
    category: CaseCategory
    subject: Subject
    subcategory: str | None = attrs.field(default=None, kw_only=True, repr=quote_value)
    programme: SocialProgramme | None = attrs.field(default=None, kw_only=True)
    violence: ViolenceIncident | None = attrs.field(default=None, kw_only=True)
    risk: RiskLevel = attrs.field(default=RiskLevel.MEDIUM, kw_only=True)
    companion_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    consent: Consent | None = attrs.field(default=None, kw_only=True)
    status: CaseStatus = attrs.field(default=CaseStatus.REPORTED, kw_only=True)
    timeline: tuple[Event, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    outcome: CaseOutcome | None = attrs.field(default=None, kw_only=True)
    closed_on: date | None = attrs.field(default=None, kw_only=True)
    summary: str = attrs.field(default="", kw_only=True, repr=hidden)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.violence is not None and self.category is not CaseCategory.VIOLENCE:
            raise ValueError(f"violence details on a {self.category.value} case")
        if self.programme is not None and self.category is not CaseCategory.SOCIAL_PROTECTION:
            raise ValueError(f"a social programme on a {self.category.value} case")
        closed = self.status is CaseStatus.CLOSED
        if closed and (self.outcome is None or self.closed_on is None):
            raise ValueError("a closed case has an outcome and a closed_on date")
        if not closed and (self.closed_on is not None or self.outcome is not None):
            raise ValueError(f"closed_on or outcome is set but the case is {self.status.value}")
        not_before(self.reported_on, self.closed_on, "closed_on")
        birth = self.subject.birth_date
        if birth is not None and birth > self.reported_on:
            raise ValueError("the subject's birth_date is after the date the case was reported")
        if self.violence is not None:
            not_before(self.violence.occurred_on, self.reported_on, "reported_on")
        for earlier, later in zip(self.timeline, self.timeline[1:], strict=False):
            if later.at < earlier.at:
                raise ValueError(f"timeline goes back in time at {later.at.isoformat()}")
        if self.timeline:
            if self.timeline[0].at.date() < self.reported_on:
                raise ValueError("the timeline starts before the date the case was reported")
            if self.timeline[-1].target != self.status.value:
                raise ValueError(
                    f"status is {self.status.value} but the last event left the case "
                    f"{shorten(self.timeline[-1].target)}"
                )

    @property
    def age_band(self) -> AgeBand | None:
        """SIMFONI age band of the subject on the day the case was reported."""
        return _known_age_band(self)

    @property
    def is_child(self) -> bool:
        band = self.age_band
        return band is not None and band.is_child

    @property
    def hamlet_id(self) -> str | None:
        return self.subject.hamlet_id
