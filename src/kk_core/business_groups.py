"""Ekonomi: business groups (kelompok usaha) of the village's micro-businesses.

The KK is to help "develop community business groups" (*pengembangan kelompok usaha
masyarakat*, seed report): a group gathers UMKM of one sector, often of women or of
people with disabilities, and receives support as a group (training, capital from the
BUMDes or a cooperative, equipment).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_core._checks import an_id, each_id, frozen_set, hidden, non_empty, non_negative, optional_id
from kk_core._text import quote_value
from kk_core.codes import SupportType

__all__ = ["BusinessGroup"]


@attrs.frozen
class BusinessGroup:
    """A kelompok usaha: its member businesses (`kk_core.economy.Business` ids) and the
    kinds of support it received as a group (``support``, described in ``support_note``).

    ``sector`` is a code of the open ``business_sector`` list, as for a business.
    """

    kind: ClassVar[str] = "business_group"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    name: str = attrs.field(validator=non_empty, repr=hidden)
    sector: str = attrs.field(validator=non_empty, repr=quote_value)
    formed_on: date
    business_ids: frozenset[str] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set, validator=each_id, repr=quote_value
    )
    support: frozenset[SupportType] = attrs.field(
        default=frozenset(), kw_only=True, converter=frozen_set
    )
    support_note: str = attrs.field(default="", kw_only=True, repr=hidden)
    hamlet_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    @property
    def has_capital_support(self) -> bool:
        """It received capital (KUR, BUMDes, a cooperative…) as a group."""
        return any(s.is_capital for s in self.support)
