"""Meetings of the KK, like the Teros meeting of 13 February 2025 in the seed report, and
the village forums its members attend (musdus, musdes, musdesus, Musrenbangdes)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_core._checks import an_id, as_tuple, each_id, frozen_set, hidden, non_empty, non_negative
from kk_core._text import quote_value
from kk_core.codes import MeetingType
from kk_core.outreach import Audience

__all__ = ["Meeting", "Speaker"]


@attrs.frozen
class Speaker:
    """A resource person (narasumber) and what they spoke about."""

    name: str = attrs.field(validator=non_empty, repr=hidden)
    role: str = attrs.field(default="", repr=hidden)
    organisation: str = attrs.field(default="", repr=hidden)
    topic: str = attrs.field(default="", repr=hidden)


@attrs.frozen
class Meeting:
    """Who met, where, about what; members by id, other attendees as counts (by sex,
    and with a disability by the WG cut-off: `Audience`).

    ``type`` says whether it was the KK's own meeting or a village forum (a musdes, the
    special musdes that sets the BLT-DD recipients…): advocacy steps name the forum
    meeting they happened at (the event's ``ref``).
    """

    kind: ClassVar[str] = "meeting"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    title: str = attrs.field(validator=non_empty, repr=hidden)
    held_on: date
    type: MeetingType = attrs.field(default=MeetingType.KK_MEETING, kw_only=True)
    place: str = attrs.field(default="", kw_only=True, repr=hidden)
    agenda: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple, repr=hidden)
    speakers: tuple[Speaker, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)
    member_ids: frozenset[str] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set, validator=each_id, repr=quote_value
    )
    attendance: Audience = attrs.field(factory=Audience, kw_only=True)
    minutes: str = attrs.field(default="", kw_only=True, repr=hidden)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.attendance.total and self.attendance.total < len(self.member_ids):
            raise ValueError(
                f"attendance counts {quote_value(self.attendance.total)} people but "
                f"{len(self.member_ids)} members are listed as present"
            )
