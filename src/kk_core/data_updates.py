"""Pendataan: the data updates the KK does for the village, and who it hands them to.

The Pendataan division "updates data" (*updating data*) — DTKS / DTSEN verification,
resident data, data on disability, school dropout and child marriage — and hands it to
the village government and the services that act on it.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_core._checks import (
    an_id,
    each_id,
    frozen_set,
    hidden,
    non_empty,
    non_negative,
    not_before,
    optional_id,
)
from kk_core._text import quote_value
from kk_core.codes import DataRecipient

__all__ = ["DataUpdate"]


@attrs.frozen
class DataUpdate:
    """One round of updating a data set: what, for how many, when, by whom, handed to whom.

    ``data_set`` is a code of the open ``data_set`` list. ``households`` and ``persons``
    are how many the update covered; ``hamlet_id`` the hamlet it covered (None: the whole
    village). ``handed_to`` and ``handed_on`` record the hand-over, once it happened.
    """

    kind: ClassVar[str] = "data_update"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    data_set: str = attrs.field(validator=non_empty, repr=quote_value)
    started_on: date
    finished_on: date | None = attrs.field(default=None, kw_only=True)
    households: int | None = attrs.field(default=None, kw_only=True, validator=non_negative)
    persons: int | None = attrs.field(default=None, kw_only=True, validator=non_negative)
    hamlet_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    member_ids: frozenset[str] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set, validator=each_id, repr=quote_value
    )
    handed_to: DataRecipient | None = attrs.field(default=None, kw_only=True)
    handed_on: date | None = attrs.field(default=None, kw_only=True)
    note: str = attrs.field(default="", kw_only=True, repr=hidden)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        not_before(self.started_on, self.finished_on, "finished_on")
        not_before(self.started_on, self.handed_on, "handed_on")
        if self.handed_on is not None and self.handed_to is None:
            raise ValueError("a hand-over date needs who it was handed to (handed_to)")
        if (
            self.households is not None
            and self.persons is not None
            and self.persons < self.households
        ):
            raise ValueError(
                f"{quote_value(self.persons)} persons cannot make up "
                f"{quote_value(self.households)} households"
            )
