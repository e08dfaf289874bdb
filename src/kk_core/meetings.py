"""Meetings of the KK, like the Teros meeting of 13 February 2025 in the seed report."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_core._checks import as_tuple, frozen_set, non_empty, non_negative
from kk_core.outreach import Audience

__all__ = ["Meeting", "Speaker"]


@attrs.frozen
class Speaker:
    """A resource person (narasumber) and what they spoke about."""

    name: str = attrs.field(validator=non_empty)
    role: str = ""
    organisation: str = ""
    topic: str = ""


@attrs.frozen
class Meeting:
    """Who met, where, about what; members by id, other attendees as counts."""

    kind: ClassVar[str] = "meeting"

    id: str = attrs.field(validator=non_empty)
    group_id: str = attrs.field(validator=non_empty)
    title: str = attrs.field(validator=non_empty)
    held_on: date
    place: str = attrs.field(default="", kw_only=True)
    agenda: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    speakers: tuple[Speaker, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    member_ids: frozenset[str] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    attendance: Audience = attrs.field(factory=Audience, kw_only=True)
    minutes: str = attrs.field(default="", kw_only=True)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.attendance.total and self.attendance.total < len(self.member_ids):
            raise ValueError(
                f"attendance counts {self.attendance.total} people but "
                f"{len(self.member_ids)} members are listed as present"
            )
