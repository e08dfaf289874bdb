"""Trainings of KK members: the capacity building that makes them "tenaga terlatih".

The seed report calls KK members trained people who are given continued capacity
building (*penguatan kapasitas*) by the programme partners; a training record says who
was trained, on what, when and by whom.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_core._checks import an_id, each_id, frozen_set, hidden, non_empty, non_negative
from kk_core._text import quote_value
from kk_core.codes import TrainingOrganiser

__all__ = ["Training"]


@attrs.frozen
class Training:
    """A training that KK members attended (members by id; at least one).

    ``organiser`` is the kind of body that ran it, ``organiser_name`` its name
    ("Lombok Research Center (LRC)"); ``hours`` its length in whole hours, when known.
    """

    kind: ClassVar[str] = "training"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    topic: str = attrs.field(validator=non_empty, repr=hidden)
    held_on: date
    organiser: TrainingOrganiser
    member_ids: frozenset[str] = attrs.field(
        converter=frozen_set, validator=each_id, repr=quote_value
    )
    organiser_name: str = attrs.field(default="", kw_only=True, repr=hidden)
    place: str = attrs.field(default="", kw_only=True, repr=hidden)
    hours: int | None = attrs.field(default=None, kw_only=True, validator=non_negative)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if not self.member_ids:
            raise ValueError("a training record names at least one member who attended")
