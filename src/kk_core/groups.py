"""The constituent group itself and the people on it."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import attrs

from kk_core._checks import (
    FieldError,
    an_id,
    frozen_set,
    hidden,
    non_empty,
    non_negative,
    not_before,
    optional_id,
)
from kk_core._text import quote_value
from kk_core.codes import Affiliation, Division, GroupFunction, Position, Sex
from kk_core.disability import NO_DISABILITY, Disability, as_disability
from kk_core.places import village_code

__all__ = ["ConstituentGroup", "Member"]


@attrs.frozen
class ConstituentGroup:
    """A Kelompok Konstituen of one village."""

    kind: ClassVar[str] = "group"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    village_id: str = attrs.field(validator=village_code, repr=quote_value)
    name: str = attrs.field(validator=non_empty, repr=quote_value)
    established_on: date | None = attrs.field(default=None, kw_only=True)
    functions: frozenset[GroupFunction] = attrs.field(
        default=frozenset(GroupFunction), kw_only=True, converter=frozen_set
    )
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)


def _plausible_birth_year(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and not 1900 <= value <= 2100:
        raise FieldError(attribute.name, f"{quote_value(value)} is not a plausible year")


@attrs.frozen
class Member:
    """A person on the KK board. Members may live outside the village they serve."""

    kind: ClassVar[str] = "member"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    name: str = attrs.field(validator=non_empty, repr=hidden)
    sex: Sex
    affiliations: frozenset[Affiliation] = attrs.field(converter=frozen_set)
    joined_on: date
    position: Position = attrs.field(default=Position.MEMBER, kw_only=True)
    divisions: frozenset[Division] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    birth_year: int | None = attrs.field(
        default=None, kw_only=True, validator=_plausible_birth_year
    )
    disability: Disability = attrs.field(
        default=NO_DISABILITY, kw_only=True, converter=as_disability
    )
    hamlet_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    lives_in_village: bool = attrs.field(default=True, kw_only=True)
    left_on: date | None = attrs.field(default=None, kw_only=True)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if not self.affiliations:
            raise ValueError("a member has at least one affiliation (use 'other' when none fits)")
        if self.position is Position.DIVISION_COORDINATOR and len(self.divisions) != 1:
            raise ValueError("a division coordinator is assigned to exactly one division")
        not_before(self.joined_on, self.left_on, "left_on")

    @property
    def has_disability(self) -> bool:
        """By the WG cut-off: a lot of difficulty or cannot do at all in a domain."""
        return self.disability.has_disability

    def is_active_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)

    def approval_problem(self, group_id: str, on: date, *, board: bool = True) -> str | None:
        """Why this member cannot approve an override or a best-interest decision for a
        case of ``group_id`` on ``on`` (None when they can): someone on the board of that
        group (any position but a plain member), a member on that day.

        ``board=False`` leaves the position out: a member's position is kept without
        its dates, so an approval recorded in the past (an import, a restore) can only
        be judged by the group and the days of membership; the services judge the
        position when the approval is recorded."""
        if self.group_id != group_id:
            return f"{quote_value(self.id)} is not a member of {quote_value(group_id)}"
        if board and self.position is Position.MEMBER:
            return (
                f"{quote_value(self.id)} is not on the board of {quote_value(group_id)} "
                "(the chair, a vice-chair, the secretary, the treasurer or a coordinator "
                "approves it)"
            )
        if self.joined_on > on or (self.left_on is not None and self.left_on <= on):
            return f"{quote_value(self.id)} is not a member of the group on {on.isoformat()}"
        return None
