"""The parts of a case a UPTD PPA case manager records: the incident and its
perpetrators, the child-marriage detail, consent and assent, the assessment and the case
plan.

Each part checks only its own invariants; the rules that need the whole case (whose age
at which date, which issue allows which part) are `kk_core.cases.Case`'s, and the rules
about who may do what when are the case lifecycle's (`kk_core.case_lifecycle`).
"""

from __future__ import annotations

from datetime import date

import attrs

from kk_core._checks import (
    FieldError,
    a_code,
    an_id,
    as_tuple,
    each_code,
    frozen_set,
    hidden,
    optional_code,
    optional_id,
    plain_code,
    plain_codes,
    plausible_age,
)
from kk_core._text import quote_value
from kk_core.codes import (
    AgeBand,
    AssentDecision,
    AssentMethod,
    ChildMarriageResult,
    ConsentGiver,
    DispensationResult,
    ExploitationKind,
    MarriageCourt,
    MarriageRole,
    MarriageRoute,
    NeedDomain,
    Penetration,
    RiskLevel,
    Sex,
    TpksForm,
    ViolenceForm,
)

__all__ = [
    "CHILD_AGE",
    "Assent",
    "Assessment",
    "ChildMarriage",
    "Consent",
    "MarriageParty",
    "Perpetrator",
    "PlanAction",
    "ViolenceIncident",
]

#: Under this age a person is a child (UU 35/2014 on child protection; UU TPKS).
CHILD_AGE = 18


@attrs.frozen
class Perpetrator:
    """One alleged perpetrator of an incident, as far as the victim or reporter knows.

    ``relation`` is a code of the ``perpetrator_relation`` list (SIMFONI's core or a
    local entry rolling up to it). Give the age when it is known, else the age band,
    else whether the perpetrator is a child: a child perpetrator changes what a case
    may end as (UU TPKS Art. 23; diversion under UU SPPA).
    """

    relation: str = attrs.field(
        default="unknown", converter=plain_code, validator=a_code, repr=quote_value
    )
    sex: Sex | None = attrs.field(default=None, kw_only=True)
    age_years: int | None = attrs.field(default=None, kw_only=True, validator=plausible_age)
    age_band: AgeBand | None = attrs.field(default=None, kw_only=True)
    is_child: bool | None = attrs.field(default=None, kw_only=True)
    #: The victim's caregiver (a parent, a guardian, whoever looks after the child): a
    #: caregiver implicated in the violence cannot consent for the victim.
    is_caregiver: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.age_years is not None:
            band = AgeBand.for_age(self.age_years)
            if self.age_band is not None and self.age_band is not band:
                raise FieldError(
                    "age_band", f"is {self.age_band.value} but the age is {self.age_years}"
                )
            if self.is_child is not None and self.is_child != (self.age_years < CHILD_AGE):
                raise FieldError("is_child", f"disagrees with the age {self.age_years}")
        elif self.age_band is not None and self.is_child not in (None, self.age_band.is_child):
            raise FieldError("is_child", f"disagrees with the age band {self.age_band.value}")

    @property
    def child(self) -> bool | None:
        """Whether the perpetrator is a child, from the age, the band or as recorded."""
        if self.age_years is not None:
            return self.age_years < CHILD_AGE
        if self.age_band is not None:
            return self.age_band.is_child
        return self.is_child


@attrs.frozen
class ViolenceIncident:
    """What happened, in SIMFONI-PPA terms, with the detail the GBVIMS classification
    needs (`kk_core.classification`).

    ``place`` is a code of the ``incident_place`` list (SIMFONI's core or a local place
    rolling up to it). ``incident_id`` is shared by the cases of one event (one teacher,
    five pupils: five cases, five GBVIMS incidents — one per survivor — and one event).
    """

    forms: frozenset[ViolenceForm] = attrs.field(converter=frozen_set)
    place: str = attrs.field(converter=plain_code, validator=a_code, repr=quote_value)
    perpetrators: tuple[Perpetrator, ...] = attrs.field(
        default=(), kw_only=True, converter=as_tuple
    )
    occurred_on: date | None = attrs.field(default=None, kw_only=True)
    incident_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    #: The forms of sexual violence of UU TPKS Art. 4 that apply.
    tpks_forms: frozenset[TpksForm] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    #: For sexual violence: whether there was penetration (rape) or not (sexual assault).
    penetration: Penetration | None = attrs.field(default=None, kw_only=True)
    exploitation: ExploitationKind | None = attrs.field(default=None, kw_only=True)
    #: Money, goods, benefits or services exchanged for the act (GBVIMS: possible
    #: sexual exploitation).
    exchange: bool = attrs.field(default=False, kw_only=True)
    #: Rightful access to money, inheritance, school, health care, contraception or
    #: services withheld (GBVIMS: denial of resources, opportunities or services).
    resources_withheld: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.forms:
            raise FieldError("forms", "has at least one form of violence")
        if self.penetration is not None and not self.is_sexual:
            raise FieldError("penetration", "is recorded for sexual violence only")
        if self.exploitation is not None and ViolenceForm.EXPLOITATION not in self.forms:
            raise FieldError("exploitation", "is recorded when the forms include exploitation")

    @property
    def is_sexual(self) -> bool:
        """Sexual violence: the form, a UU TPKS form, or a sexual exploitation."""
        return bool(
            ViolenceForm.SEXUAL in self.forms
            or self.tpks_forms
            or self.exploitation is ExploitationKind.SEXUAL
        )


@attrs.frozen
class MarriageParty:
    """One party of a (planned) marriage: the age is the age at the marriage."""

    role: MarriageRole
    age_years: int | None = attrs.field(default=None, kw_only=True, validator=plausible_age)
    #: This party is the case's subject (the child the case is about).
    is_subject: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class ChildMarriage:
    """The detail of a child marriage, carried out or planned (UU 16/2019: under 19).

    ``event_on`` is the day of the marriage, the planned marriage or the elopement
    (*merariq*); the subject's age that day decides whether it is a child marriage.
    """

    event_on: date | None = attrs.field(default=None, kw_only=True)
    parties: tuple[MarriageParty, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    routes: frozenset[MarriageRoute] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    court: MarriageCourt | None = attrs.field(default=None, kw_only=True)
    dispensation: DispensationResult | None = attrs.field(default=None, kw_only=True)
    result: ChildMarriageResult | None = attrs.field(default=None, kw_only=True)
    #: Against a party's will (GBVIMS forced marriage even at 18).
    against_will: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if len(self.parties) > 2:
            raise FieldError("parties", "holds at most the two parties of a marriage")
        if sum(p.is_subject for p in self.parties) > 1:
            raise FieldError("parties", "names at most one party as the case's subject")
        if len({p.role for p in self.parties}) < len(self.parties):
            raise FieldError("parties", "are a bride and a groom, not two of one role")
        asked = MarriageRoute.DISPENSATION in self.routes
        if (self.court is not None or self.dispensation is not None) and not asked:
            raise FieldError(
                "routes", "includes 'dispensation' when a court or its result is given"
            )

    @property
    def subject_party(self) -> MarriageParty | None:
        """The party who is the case's subject, when one is named."""
        return next((p for p in self.parties if p.is_subject), None)


@attrs.frozen
class Assent:
    """A child's own answer, asked in words the child understands (from age 6)."""

    decision: AssentDecision
    recorded_on: date
    method: AssentMethod | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Consent:
    """Who agreed to what, and when. Recorded before anything is shared.

    ``services`` are the kinds of service the consent covers (codes of the
    ``service_kind`` list): consent to the Puskesmas is not consent to the police. For a
    child the consent is a caregiver's (or another trusted adult's, or a best-interest
    decision's), with the child's ``assent`` beside it; a best-interest decision says why
    (``note``) and which coordinator approved it (``approved_by``).
    """

    giver: ConsentGiver
    recorded_on: date
    services: frozenset[str] = attrs.field(
        default=frozenset(), kw_only=True, converter=plain_codes, validator=each_code
    )
    to_share_data: bool = attrs.field(default=False, kw_only=True)
    assent: Assent | None = attrs.field(default=None, kw_only=True)
    approved_by: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    note: str = attrs.field(default="", kw_only=True, repr=hidden)

    def __attrs_post_init__(self) -> None:
        if self.giver is ConsentGiver.NONE and self.services:
            raise FieldError("services", "is empty when no consent was given")
        if self.giver is ConsentGiver.NONE and self.to_share_data:
            raise FieldError("to_share_data", "is false when no consent was given")
        if self.giver is ConsentGiver.BEST_INTEREST and not self.note.strip():
            raise FieldError("note", "gives the reason for a best-interest decision")
        if self.giver is ConsentGiver.BEST_INTEREST and self.approved_by is None:
            raise FieldError(
                "approved_by", "names the coordinator who approved the best-interest decision"
            )
        if self.assent is not None and self.assent.recorded_on > self.recorded_on:
            raise FieldError("assent", "is recorded on or before the consent it goes with")

    @property
    def refused(self) -> bool:
        """No consent was given (the giver ``none``): a refusal."""
        return self.giver is ConsentGiver.NONE


@attrs.frozen
class Assessment:
    """What the case worker found: needs by domain and the risk level (set here, not
    assumed at intake)."""

    assessed_on: date
    risk: RiskLevel
    needs: frozenset[NeedDomain] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    by: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    note: str = attrs.field(default="", kw_only=True, repr=hidden)


@attrs.frozen
class PlanAction:
    """One action of a case plan: what, who is responsible, by when, and when done."""

    action: str = attrs.field(repr=hidden)
    responsible_id: str = attrs.field(validator=an_id, repr=quote_value)
    due_on: date
    done_on: date | None = attrs.field(default=None, kw_only=True)
    service: str | None = attrs.field(
        default=None, kw_only=True, converter=plain_code, validator=optional_code, repr=quote_value
    )

    def __attrs_post_init__(self) -> None:
        if not self.action.strip():
            raise FieldError("action", "says what is to be done")

    def is_overdue(self, as_of: date) -> bool:
        return self.done_on is None and as_of > self.due_on
