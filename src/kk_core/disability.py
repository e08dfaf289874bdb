"""A person's disability: functioning by domain with its severity, and the two views
counts take of it.

The Washington Group questions ask, for each domain (seeing, walking …), how much
difficulty a person has: none, some, a lot, or cannot do it at all. `Disability` keeps
those answers (the domains answered "some", "a lot" and "cannot"; every other domain
of the question set is "no difficulty"), and derives from them whether the person has a
disability the way the WG and BPS count it: **a lot of difficulty or cannot do at all
in at least one domain** (`Disability.has_disability`, also ``bool(disability)``).
Some difficulty is kept but does not count.

Adults are asked the WG Short Set; children the UNICEF/WG Child Functioning Module,
whose domains differ for ages 2-4 and 5-17 (`kk_core.codes.FunctioningSet`). Three CFM
questions are not about difficulty; their answers are recorded on the same scale, so
the one cut-off gives the CFM's own:

* controlling behaviour, ages 2-4 ("compared with children of the same age, how much
  does (name) kick, bite or hit?"): "a lot more" → a lot; "more" → some; "the same or
  less", "not at all" → none;
* anxiety and depression, ages 5-17 ("how often does (name) seem very anxious /
  very sad?"): daily → a lot; weekly → some; monthly, a few times a year, never → none.

Dinas Sosial counts by the types of UU 8/2016 (fisik, intelektual, mental, sensorik):
``types`` holds them as reported or assessed (they depend on the cause, so they are not
derived from the domains), and `Disability.ragam` is the one row of a Dinsos table a
person falls in (two or more types: *ganda atau multi*). ``accommodations`` are what
the person needs to take part (a sign-language interpreter, a companion …).

Records before model v2 held a disability as a set of WG domains, meaning "has a
disability in each": `upgrade_disability_data` reads that shape as **a lot of
difficulty** in each domain, so a person counted then is counted now. Python callers
may still pass such a set (``Member(..., disability={DisabilityDomain.WALKING})``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kk_core._checks import frozen_set
from kk_core._text import quote_value
from kk_core.codes import (
    AccommodationNeed,
    DifficultyLevel,
    DisabilityDomain,
    DisabilityType,
    FunctioningSet,
)

__all__ = [
    "NO_DISABILITY",
    "Disability",
    "as_disability",
    "upgrade_disability_data",
]


@attrs.frozen
class Disability:
    """A person's functioning by domain (the domains with some difficulty, a lot, or
    that they cannot do at all), their UU 8/2016 types and the accommodation they need.

    A domain has one level; every domain belongs to the ``question_set``; ``multiple``
    is derived from the types, never recorded.
    """

    question_set: FunctioningSet = attrs.field(default=FunctioningSet.WG_SS, kw_only=True)
    some: frozenset[DisabilityDomain] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    a_lot: frozenset[DisabilityDomain] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    cannot: frozenset[DisabilityDomain] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    types: frozenset[DisabilityType] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    accommodations: frozenset[AccommodationNeed] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )

    def __attrs_post_init__(self) -> None:
        twice = (self.some & self.a_lot) | (self.some & self.cannot) | (self.a_lot & self.cannot)
        if twice:
            raise ValueError(f"a domain has one level of difficulty; given twice: {_codes(twice)}")
        asked = self.question_set.domains
        foreign = (self.some | self.a_lot | self.cannot) - asked
        if foreign:
            raise ValueError(
                f"{_codes(foreign)} not asked by {self.question_set.value} "
                f"(it asks {_codes(asked)})"
            )
        if DisabilityType.MULTIPLE in self.types:
            raise ValueError(
                "'multiple' (ganda) is derived: record the types, two or more make it multiple"
            )

    @classmethod
    def from_levels(
        cls,
        levels: Mapping[DisabilityDomain | str, DifficultyLevel | str],
        *,
        question_set: FunctioningSet | str = FunctioningSet.WG_SS,
        types: Iterable[DisabilityType | str] = (),
        accommodations: Iterable[AccommodationNeed | str] = (),
    ) -> Disability:
        """From the answers, domain → level, as a form gives them (codes or labels in
        either language); "no difficulty" answers may be given or left out."""
        by_level: dict[DifficultyLevel, set[DisabilityDomain]] = {}
        for domain, level in levels.items():
            by_level.setdefault(DifficultyLevel.parse(level), set()).add(
                DisabilityDomain.parse(domain)
            )
        return cls(
            question_set=FunctioningSet.parse(question_set),
            some=by_level.get(DifficultyLevel.SOME, ()),
            a_lot=by_level.get(DifficultyLevel.A_LOT, ()),
            cannot=by_level.get(DifficultyLevel.CANNOT, ()),
            types={DisabilityType.parse(t) for t in types},
            accommodations={AccommodationNeed.parse(a) for a in accommodations},
        )

    def level(self, domain: DisabilityDomain | str) -> DifficultyLevel:
        """The answer for one domain (no difficulty when none was recorded)."""
        if domain in self.cannot:
            return DifficultyLevel.CANNOT
        if domain in self.a_lot:
            return DifficultyLevel.A_LOT
        if domain in self.some:
            return DifficultyLevel.SOME
        return DifficultyLevel.NONE

    @property
    def levels(self) -> dict[DisabilityDomain, DifficultyLevel]:
        """Every domain of the question set with its answer."""
        return {d: self.level(d) for d in sorted(self.question_set.domains)}

    @property
    def domains(self) -> frozenset[DisabilityDomain]:
        """The domains that meet the cut-off (a lot of difficulty, or cannot)."""
        return self.a_lot | self.cannot

    @property
    def has_disability(self) -> bool:
        """The WG cut-off, as BPS counts: a lot of difficulty or cannot do at all in at
        least one domain."""
        return bool(self.a_lot or self.cannot)

    def __bool__(self) -> bool:
        return self.has_disability

    @property
    def ragam(self) -> DisabilityType | None:
        """The UU 8/2016 type a Dinsos table counts the person under: the one type,
        ``multiple`` (ganda) for two or more, None when no type was recorded."""
        if not self.types:
            return None
        if len(self.types) > 1:
            return DisabilityType.MULTIPLE
        (only,) = self.types
        return only

    @property
    def is_empty(self) -> bool:
        """Nothing recorded: no difficulty, no type, no accommodation, and no question
        set but the default (a Child Functioning Module answered "no difficulty" says
        which module was asked, and is kept)."""
        answered = self.some or self.a_lot or self.cannot or self.types or self.accommodations
        return not answered and self.question_set is FunctioningSet.WG_SS


#: The disability value of a person with nothing recorded (shared: records hold it by
#: default, and the converter gives it for every empty value it reads).
NO_DISABILITY = Disability()


def _codes(values: Iterable[Any]) -> str:
    return ", ".join(sorted(quote_value(str(v)) for v in values))


def as_disability(value: Disability | Iterable[DisabilityDomain | str] | None) -> Disability:
    """attrs converter for disability fields: a `Disability` as it is (the shared
    `NO_DISABILITY` when empty); None as nothing recorded; a set of WG domains (the
    shape before model v2) as a lot of difficulty in each."""
    if isinstance(value, Disability):
        return NO_DISABILITY if value.is_empty else value
    if value is None:
        return NO_DISABILITY
    if isinstance(value, str | bytes | Mapping):
        raise TypeError(
            f"a disability is a Disability or a set of domains, not {type(value).__name__}"
        )
    domains = frozenset(DisabilityDomain.parse(d) for d in value)
    return Disability(a_lot=domains) if domains else NO_DISABILITY


def upgrade_disability_data(value: Any) -> Any:
    """A disability's plain data as stored before model v2, in the current shape.

    The old shape is a list of WG domain codes (the person "has a disability" in each):
    it becomes ``{"a_lot": [...]}`` — a lot of difficulty in each domain, WG Short Set,
    no types, no accommodations — so that ``has_disability`` is what it was. Anything
    else (current data, or a value the converter will refuse) is returned as it is.
    Never raises.
    """
    if isinstance(value, list | tuple):
        return {"a_lot": list(value)}
    return value
