"""Ekonomi: the micro-businesses (UMKM) a KK helps, and what it does for them."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_core._checks import (
    an_id,
    hidden,
    non_empty,
    non_negative,
    not_before,
    optional_id,
)
from kk_core._text import quote_value
from kk_core.codes import Sex, SupportStatus, SupportType
from kk_core.disability import NO_DISABILITY, Disability, as_disability

__all__ = ["Business", "SupportAction"]


@attrs.frozen
class Business:
    """A UMKM in the village; the owner's sex and disability feed GEDSI reporting."""

    kind: ClassVar[str] = "business"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    name: str = attrs.field(validator=non_empty, repr=hidden)  # "Warung Bu Inaq Sahnun"
    owner_name: str = attrs.field(validator=non_empty, repr=hidden)
    owner_sex: Sex
    sector: str = attrs.field(validator=non_empty, repr=quote_value)
    hamlet_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    owner_disability: Disability = attrs.field(
        default=NO_DISABILITY, kw_only=True, converter=as_disability
    )
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)


_DONE = (SupportStatus.ACHIEVED, SupportStatus.FAILED)


@attrs.frozen
class SupportAction:
    """One thing done for a business: a permit (NIB, P-IRT, halal), mentoring, or capital."""

    kind: ClassVar[str] = "support_action"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    business_id: str = attrs.field(validator=an_id, repr=quote_value)
    type: SupportType
    started_on: date
    status: SupportStatus = attrs.field(default=SupportStatus.PLANNED, kw_only=True)
    completed_on: date | None = attrs.field(default=None, kw_only=True)
    member_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    amount_rupiah: int | None = attrs.field(default=None, kw_only=True, validator=non_negative)
    reference: str = attrs.field(default="", kw_only=True, repr=hidden)
    note: str = attrs.field(default="", kw_only=True, repr=hidden)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.amount_rupiah is not None and not self.type.is_capital:
            raise ValueError(f"amount_rupiah applies to capital support, not {self.type.value}")
        if (self.status in _DONE) != (self.completed_on is not None):
            raise ValueError("completed_on is set exactly when the support is achieved or failed")
        not_before(self.started_on, self.completed_on, "completed_on")
