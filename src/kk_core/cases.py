"""Pengaduan: the cases a KK accompanies and the people they are about.

A case is about one subject (the client): a primary category and any secondary issues
(child marriage, violence and school dropout can be one case about one child), with
the detail of each (`kk_core.case_parts`). Its ``status`` only changes through
`kk_core.case_lifecycle`, which appends to the ``timeline``; the invariants below hold
for every record however it was made (form, CSV, database).

Ages are taken on the day of the incident when it is known (the marriage, the violence),
else on the day of the report: a victim who was 17 at the incident — or may have been,
the birthday not being known — is a child in every count, and a child marriage is
judged by the youngest the subject can have been at the marriage. Birth dates are kept to the month at most (UU PDP: a full birth date and a
hamlet name a child).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
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
    optional_code,
    optional_id,
    plain_code,
    plausible_age,
)
from kk_core._text import quote_value, shorten
from kk_core.case_parts import (
    CHILD_AGE,
    Assent,
    Assessment,
    ChildMarriage,
    Consent,
    MarriageParty,
    Perpetrator,
    PlanAction,
    ViolenceIncident,
)
from kk_core.classification import Classification, classify_incident, classify_marriage
from kk_core.codes import (
    AgeBand,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ChildMarriageResult,
    CivilDocument,
    DispensationResult,
    DropoutReason,
    FunctioningSet,
    GbvimsType,
    IntakeChannel,
    LegalStage,
    MarriageRole,
    Reporter,
    RiskLevel,
    ServiceKind,
    Sex,
)
from kk_core.disability import NO_DISABILITY, Disability, as_disability
from kk_core.lifecycle import Event
from kk_core.places import village_code
from kk_core.privacy import pseudonym_only

__all__ = [
    "MARRIAGE_AGE",
    "Assent",
    "Assessment",
    "Case",
    "ChildMarriage",
    "Consent",
    "MarriageParty",
    "Perpetrator",
    "PlanAction",
    "Subject",
    "ViolenceIncident",
    "age_on",
    "upgrade_case_data",
]


def age_on(birth_year: int, birth_month: int | None, day: date) -> int:
    """Completed years on ``day`` of someone born in ``birth_month`` of ``birth_year``.

    The day of birth is not kept, so the birthday is taken as the last day of the birth
    month (of the year, when the month is unknown too): the youngest the person can be,
    so that no child is counted as an adult.
    """
    month = 12 if birth_month is None else birth_month
    leap = month == 2 and calendar.isleap(birth_year)
    last = 29 if leap else _MONTH_DAYS.get(month, 0)  # (month 13 fails in ``date`` below)
    return _whole_years(date(birth_year, month, last), day)


#: Days in each month of a year that is not a leap year.
_MONTH_DAYS = dict(enumerate((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), 1))


_INITIALS = re.compile(r"^[^\W\d_][^\W\d_. ]?(?:[. ]{0,2}[^\W\d_]){0,5}\.?$")


def _plausible_year(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and not 1890 <= value <= 2200:
        raise FieldError(
            attribute.name, f"must be a year between 1890 and 2200, not {quote_value(value)}"
        )


def _month(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and not 1 <= value <= 12:
        raise FieldError(attribute.name, f"must be a month from 1 to 12, not {quote_value(value)}")


def _initials(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Initials only ("S.N.", "SN"): a name or a number here would identify the client."""
    if value and (len(value) > 8 or not _INITIALS.match(value)):
        raise FieldError(
            attribute.name, "takes initials only, like 'S.N.' (letters, at most 8 characters)"
        )


@attrs.frozen
class Subject:
    """The person a case is about. No name and no clear identity number: initials and a
    keyed pseudonym are enough to accompany and to link, and leak nothing. The birth is
    kept as a year and a month at most; ``age_years`` is the age on the report date."""

    sex: Sex
    birth_year: int | None = attrs.field(default=None, kw_only=True, validator=_plausible_year)
    birth_month: int | None = attrs.field(default=None, kw_only=True, validator=_month)
    age_years: int | None = attrs.field(default=None, kw_only=True, validator=plausible_age)
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

    def __attrs_post_init__(self) -> None:
        if self.birth_month is not None and self.birth_year is None:
            raise FieldError("birth_month", "is given with the birth_year")


#: Issues a detail belongs to: the detail is recorded only when the case has the issue.
_DETAIL_ISSUE = {
    "violence": CaseCategory.VIOLENCE,
    "child_marriage": CaseCategory.CHILD_MARRIAGE,
    "programme": CaseCategory.SOCIAL_PROTECTION,
    "welfare_decile": CaseCategory.SOCIAL_PROTECTION,
    "documents": CaseCategory.CIVIL_REGISTRATION,
    "dropout_reasons": CaseCategory.SCHOOL_DROPOUT,
}


def _decile(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and (
        not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10
    ):
        raise FieldError(attribute.name, "is a DTSEN decile, 1 to 10")


#: Under this age at the marriage, a marriage is a child marriage (UU 16/2019 Art. 7).
MARRIAGE_AGE = 19
#: The party a subject of each sex is in a marriage.
_ROLE_OF = {Sex.FEMALE: MarriageRole.BRIDE, Sex.MALE: MarriageRole.GROOM}


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
    #: Who brought the case (the channel is how it came).
    reporter: Reporter | None = attrs.field(default=None, kw_only=True)
    #: Secondary issues of the same case, each counted as the primary category is.
    issues: frozenset[CaseCategory] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    subcategory: str | None = attrs.field(default=None, kw_only=True, repr=quote_value)
    programme: str | None = attrs.field(
        default=None, kw_only=True, converter=plain_code, validator=optional_code, repr=quote_value
    )
    #: The household's DTSEN welfare decile (1 poorest to 10), as seen on ``decile_seen_on``
    #: (DTSEN is updated quarterly): most social-protection cases turn on it.
    welfare_decile: int | None = attrs.field(default=None, kw_only=True, validator=_decile)
    decile_seen_on: date | None = attrs.field(default=None, kw_only=True)
    #: The civil-registration documents the case is about (what is needed for them is
    #: the sub-category: new, correction, replacement…).
    documents: frozenset[CivilDocument] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    dropout_reasons: frozenset[DropoutReason] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    violence: ViolenceIncident | None = attrs.field(default=None, kw_only=True)
    child_marriage: ChildMarriage | None = attrs.field(default=None, kw_only=True)
    #: Set by the assessment (and changed when the risk changes); None until assessed.
    risk: RiskLevel | None = attrs.field(default=None, kw_only=True)
    assessment: Assessment | None = attrs.field(default=None, kw_only=True)
    plan: tuple[PlanAction, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    next_follow_up: date | None = attrs.field(default=None, kw_only=True)
    #: Where a legal process the KK accompanies stands: the case stays open meanwhile.
    legal_stage: LegalStage | None = attrs.field(default=None, kw_only=True)
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
        if self.category in self.issues:
            raise FieldError("issues", f"holds the primary category {self.category.value} again")
        issues = self.all_issues
        for name, issue in _DETAIL_ISSUE.items():
            if getattr(self, name) not in (None, frozenset()) and issue not in issues:
                raise FieldError(name, f"is recorded only on a case with the issue {issue.value}")
        if self.decile_seen_on is not None and self.welfare_decile is None:
            raise FieldError("decile_seen_on", "is given with the welfare_decile it dates")
        closed = self.status is CaseStatus.CLOSED
        if closed and (self.outcome is None or self.closed_on is None):
            raise ValueError("a closed case has an outcome and a closed_on date")
        if not closed and (self.closed_on is not None or self.outcome is not None):
            raise ValueError(f"closed_on or outcome is set but the case is {self.status.value}")
        not_before(self.reported_on, self.closed_on, "closed_on")
        self._check_ages()
        if self.violence is not None:
            occurred = self.violence.occurred_on
            if occurred is not None and occurred > self.reported_on:
                raise FieldError(
                    "violence.occurred_on",
                    f"{occurred.isoformat()} is after the report date "
                    f"{self.reported_on.isoformat()}",
                )
        if self.assessment is not None:
            not_before(self.reported_on, self.assessment.assessed_on, "assessment.assessed_on")
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

    def _check_ages(self) -> None:
        subject = self.subject
        if subject.birth_year is not None:
            if (subject.birth_year, subject.birth_month or 1) > (
                self.reported_on.year,
                self.reported_on.month,
            ):
                raise FieldError("subject.birth_year", "is after the date the case was reported")
            if subject.age_years is not None:
                # born on the first day of the month (or the year) at the oldest
                earliest = date(subject.birth_year, subject.birth_month or 1, 1)
                oldest = _whole_years(earliest, self.reported_on)
                youngest = age_on(subject.birth_year, subject.birth_month, self.reported_on)
                if not youngest <= subject.age_years <= oldest:
                    raise FieldError(
                        "subject.age_years",
                        f"is {subject.age_years}, but born in {subject.birth_year} the subject "
                        f"was {youngest}{'' if oldest == youngest else f' or {oldest}'} on "
                        f"{self.reported_on.isoformat()}",
                    )
        if CaseCategory.CHILD_MARRIAGE in self.all_issues:
            self._check_marriage()
        self._check_question_set()
        self._check_not_before_birth()

    def _check_question_set(self) -> None:
        """A Child Functioning Module is for the ages it was made for (2-4, 5-17), give
        or take the year between the asking and the report. The WG Short Set is taken
        at any age: it is the adults' set, used from age 5, and every record made
        before model v2 holds it (they stay valid)."""
        question_set = self.subject.disability.question_set
        if question_set is FunctioningSet.WG_SS:
            return
        age = self.age_at(self.reported_on)
        if age is None:
            return
        fits = {FunctioningSet.for_age(a) for a in (age - 1, age, age + 1) if a >= 0}
        if question_set not in fits:
            asked = FunctioningSet.for_age(age)
            raise FieldError(
                "subject.disability.question_set",
                f"is {question_set.value}, but the subject is {age}: "
                + (f"ask {asked.value}" if asked is not None else "no question set is for under 2"),
            )

    def _check_marriage(self) -> None:
        """A child marriage: a party under 19 at the marriage (the subject, judged by the
        youngest she can be that day, else by the age recorded for her party), and a
        detail that agrees with itself and with the subject."""
        day = self._marriage_day
        youngest = self.youngest_age_at(day)
        if youngest is not None and youngest >= MARRIAGE_AGE:
            raise FieldError(
                "subject",
                f"is {youngest} at the marriage ({day.isoformat()}): a child "
                f"marriage is a marriage under {MARRIAGE_AGE} (UU 16/2019)",
            )
        marriage = self.child_marriage
        if marriage is None:
            return
        party = marriage.subject_party
        given = None if party is None else party.age_years
        age = self.age_at(day)
        if given is not None and age is not None and abs(given - age) > 1:
            raise FieldError(
                "child_marriage.parties",
                f"gives the subject's age at the marriage as {given}, but the subject was {age}",
            )
        if youngest is None and given is not None and given >= MARRIAGE_AGE:
            raise FieldError(
                "child_marriage.parties",
                f"gives the subject's age at the marriage as {given}: a child marriage is a "
                f"marriage under {MARRIAGE_AGE} (UU 16/2019)",
            )
        ages = [p.age_years for p in marriage.parties]
        known = [a for a in ages if a is not None]
        all_known = bool(known) and len(known) == len(ages)
        if youngest is None and given is None and all_known and min(known) >= MARRIAGE_AGE:
            raise FieldError(
                "child_marriage.parties",
                f"are all {MARRIAGE_AGE} or older: a child marriage has a party under "
                f"{MARRIAGE_AGE} (UU 16/2019)",
            )
        role = _ROLE_OF.get(self.subject.sex)
        if party is not None and role is not None and party.role is not role:
            raise FieldError(
                "child_marriage.parties",
                f"names the subject as the {party.role.value}, but the subject is "
                f"{self.subject.sex.value}",
            )
        registered = marriage.result is ChildMarriageResult.MARRIED_REGISTERED
        if registered and marriage.dispensation is not DispensationResult.GRANTED:
            raise FieldError(
                "child_marriage.result",
                "is married_registered, but a marriage under 19 is registered only "
                "with a dispensation granted (UU 16/2019 Art. 7(2)): record the "
                "dispensation, or married_unregistered",
            )

    def _check_not_before_birth(self) -> None:
        """An incident or a marriage is not dated before the subject was born."""
        subject = self.subject
        days = (
            ("violence.occurred_on", self.violence.occurred_on if self.violence else None),
            (
                "child_marriage.event_on",
                self.child_marriage.event_on if self.child_marriage else None,
            ),
        )
        for path, day in days:
            if day is None:
                continue
            if subject.birth_year is not None:
                born = (subject.birth_year, subject.birth_month or 1)
                before = (day.year, day.month) < born
            elif subject.age_years is not None:
                # born after this day at the latest: the age on the report date says so
                before = day <= _add_years(self.reported_on, -(subject.age_years + 1))
            else:
                before = False
            if before:
                raise FieldError(path, f"{day.isoformat()} is before the subject was born")

    @property
    def all_issues(self) -> frozenset[CaseCategory]:
        """The primary category and the secondary issues."""
        return self.issues | {self.category}

    @property
    def incident_on(self) -> date | None:
        """The day of the incident, when known: the violence, else the marriage."""
        if self.violence is not None and self.violence.occurred_on is not None:
            return self.violence.occurred_on
        if self.child_marriage is not None:
            return self.child_marriage.event_on
        return None

    def age_at(self, day: date) -> int | None:
        """The subject's age on ``day``: from the birth year and month when known (the
        youngest the subject can be, the day of birth not being kept); else from the age
        on the report date, counting whole years between the two days — but a subject
        who may have been a child that day counts as one (17), so that no child is
        counted as an adult."""
        likely = self._age_from_report(day, youngest=False)
        if likely is None or self.subject.birth_year is not None or likely != CHILD_AGE:
            return likely
        youngest = self._age_from_report(day, youngest=True)
        return youngest if youngest is not None and youngest < CHILD_AGE else likely

    def youngest_age_at(self, day: date) -> int | None:
        """The youngest the subject can be on ``day`` (None: age unknown): what the legal
        age limits (18 for a child, 19 for marriage) are judged by."""
        return self._age_from_report(day, youngest=True)

    def _age_from_report(self, day: date, *, youngest: bool) -> int | None:
        subject = self.subject
        if subject.birth_year is not None:
            return age_on(subject.birth_year, subject.birth_month, day)
        if subject.age_years is None:
            return None
        if youngest:
            # born on this day of the year, ``age_years`` before the report, at the latest
            return _whole_years(_add_years(self.reported_on, -subject.age_years), day)
        if day >= self.reported_on:
            return subject.age_years + _whole_years(self.reported_on, day)
        # the birthday is not known: a whole year back is a year younger (the most likely
        # age; taking the youngest possible would move nearly every recent incident down
        # a band)
        return max(subject.age_years - _whole_years(day, self.reported_on), 0)

    @property
    def age(self) -> int | None:
        """The age counts use: at the incident when its day is known, else at the report."""
        return self.age_at(self.incident_on or self.reported_on)

    @property
    def age_band(self) -> AgeBand | None:
        """SIMFONI age band of the subject at the incident (else at the report)."""
        age = self.age
        return None if age is None else AgeBand.for_age(age)

    @property
    def is_child(self) -> bool:
        age = self.age
        return age is not None and age < CHILD_AGE

    @property
    def hamlet_id(self) -> str | None:
        return self.subject.hamlet_id

    @property
    def is_sexual_violence(self) -> bool:
        """A sexual-violence case (UU TPKS): sexual violence, a UU TPKS form, sexual
        exploitation, the sub-category ``sexual_violence`` before the incident is recorded,
        or a marriage that is a forced marriage at any age (Art. 10(1); 10(2)a a child
        marriage under 18, 10(2)c a marriage to the perpetrator of a rape) — or a child
        marriage of a subject of unknown age: in doubt, a child."""
        violence = self.violence
        if violence is not None and violence.is_sexual:
            return True
        if violence is None and self.subcategory == "sexual_violence":
            return True
        if CaseCategory.CHILD_MARRIAGE in self.all_issues:
            marriage = self.child_marriage or ChildMarriage()
            age = self._marriage_age()
            classified = classify_marriage(marriage, age=age)
            if classified.core is GbvimsType.FORCED_MARRIAGE:
                return True
            # in doubt (age unknown), a child — unless the marriage never took place
            never = (ChildMarriageResult.PREVENTED, ChildMarriageResult.POSTPONED)
            return age is None and marriage.result not in never
        return False

    def _marriage_age(self) -> int | None:
        """The subject's age at the marriage: the case's, else the one recorded for her
        party."""
        age = self.age_at(self._marriage_day)
        if age is None and self.child_marriage is not None:
            party = self.child_marriage.subject_party
            age = None if party is None else party.age_years
        return age

    @property
    def _marriage_day(self) -> date:
        """The day of the (planned) marriage, else the report date."""
        marriage = self.child_marriage
        return marriage.event_on if marriage and marriage.event_on else self.reported_on

    @property
    def gbvims(self) -> tuple[Classification, ...]:
        """The GBVIMS classification of each incident of the case: the violence, and the
        child marriage as an incident of its own (also when its detail is not recorded
        yet) (`kk_core.classification`)."""
        found = []
        if self.violence is not None:
            day = self.violence.occurred_on or self.reported_on
            found.append(classify_incident(self.violence, age=self.age_at(day)))
        if CaseCategory.CHILD_MARRIAGE in self.all_issues:
            marriage = self.child_marriage or ChildMarriage()
            found.append(classify_marriage(marriage, age=self._marriage_age()))
        return tuple(found)

    @property
    def gbvims_type(self) -> GbvimsType | None:
        """The highest GBVIMS core type among the case's incidents (the tool's order);
        None for a case with no incident to classify."""
        cores = [c.core for c in self.gbvims if c.core is not GbvimsType.NON_GBV]
        if not cores:
            return GbvimsType.NON_GBV if self.gbvims else None
        return min(cores, key=list(GbvimsType).index)

    def is_overdue(self, as_of: date) -> bool:
        """An open case whose next follow-up or a case-plan action is past due."""
        if self.status is CaseStatus.CLOSED:
            return False
        if self.next_follow_up is not None and as_of > self.next_follow_up:
            return True
        return any(action.is_overdue(as_of) for action in self.plan)


def _whole_years(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


#: Every service kind of the core list: what an old consent "to refer" (anywhere) covered.
_ALL_SERVICES = tuple(sorted(kind.value for kind in ServiceKind))


def upgrade_case_data(data: Any) -> Any:
    """A case's plain data as release 0.1.0 stored it, in the current shape.

    Data of the current shape (it has an ``issues`` key, which every current record
    writes) and anything that is not a mapping are returned as they are; the converter
    then explains whatever is wrong with them. An old record becomes:

    * ``subject.birth_date`` (a full date) → ``birth_year`` and ``birth_month``: the day
      is dropped (UU PDP data minimisation; the age is then taken as the youngest the
      subject can be, which changes nobody's age band on the report date but the few
      born in the report's month);
    * ``violence.perpetrator_relations`` and ``perpetrator_sex`` → ``perpetrators``, one
      per relation, each of that sex;
    * ``consent.to_refer`` → ``services``: every core service kind when it was true (the
      old consent covered any referral), none when false — a consent covers exactly the
      kinds it names, so a referral to a local service (the RSUD's *visum*) needs a new
      consent, and the giver is judged again at every referral;
    * no secondary ``issues``, no reporter, no assessment or case plan; the ``risk`` it
      had stays (it was set at intake, not by an assessment); an outcome
      ``legal_process`` stays readable (new cases in a legal process stay open).

    Never raises: a value it does not recognise is left for the converter to refuse.
    """
    if not isinstance(data, Mapping) or "issues" in data:
        return data
    new = dict(data)
    new["issues"] = []
    subject = new.get("subject")
    if isinstance(subject, Mapping) and "birth_date" in subject:
        subject = dict(subject)
        born = subject.pop("birth_date")
        if isinstance(born, str) and len(born) >= 7 and born[:4].isdigit() and born[5:7].isdigit():
            subject["birth_year"], subject["birth_month"] = int(born[:4]), int(born[5:7])
        elif born is not None:
            subject["birth_date"] = born  # not a date: left for the converter to name
        new["subject"] = subject
    violence = new.get("violence")
    if isinstance(violence, Mapping) and "perpetrators" not in violence:
        violence = dict(violence)
        relations = violence.pop("perpetrator_relations", ["unknown"])
        sex = violence.pop("perpetrator_sex", None)
        if isinstance(relations, list | tuple):
            violence["perpetrators"] = [{"relation": r, "sex": sex} for r in relations]
        new["violence"] = violence
    consent = new.get("consent")
    if isinstance(consent, Mapping) and "to_refer" in consent:
        consent = dict(consent)
        consent["services"] = list(_ALL_SERVICES) if consent.pop("to_refer") is True else []
        new["consent"] = consent
    return new
