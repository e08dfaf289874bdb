"""Where a KK works: villages (desa) by Kemendagri code, and their hamlets (dusun)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import attrs

from kk_core._checks import FieldError, an_id, non_empty, non_negative
from kk_core._text import quote_value

__all__ = ["Hamlet", "Village", "is_kelurahan", "is_region_code", "regency_code_of", "village_code"]

#: province.regency.district.village, e.g. ``52.03.12.2005`` (a village in Lombok Timur)
_VILLAGE_CODE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{2})\.([0-9]{4})")


def is_region_code(code: str) -> bool:
    """True for a well-formed Kemendagri village code (``PP.RR.DD.VVVV``)."""
    m = _VILLAGE_CODE.fullmatch(code) if isinstance(code, str) else None
    return bool(m) and all(int(part) > 0 for part in m.groups())  # type: ignore[union-attr]


def regency_code_of(village_code: str) -> str:
    """``52.03.12.2005`` → ``52.03``: the regency, the unit districts partition by."""
    return village_code[:5]


def village_code(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """attrs validator: a Kemendagri village code."""
    if not is_region_code(value):
        raise FieldError(
            attribute.name,
            f"{quote_value(value)} is not a Kemendagri village code like '52.03.12.2005'",
        )


@attrs.frozen
class Village:
    """A desa, keyed by its Kemendagri region code."""

    kind: ClassVar[str] = "village"

    id: str = attrs.field(validator=village_code, repr=quote_value)
    name: str = attrs.field(validator=non_empty, repr=quote_value)
    district: str = attrs.field(repr=quote_value)
    regency: str = attrs.field(repr=quote_value)
    province: str = attrs.field(repr=quote_value)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    @property
    def code(self) -> str:
        return self.id

    @property
    def regency_code(self) -> str:
        return regency_code_of(self.id)


@attrs.frozen
class Hamlet:
    """A dusun of a village; cases and businesses are counted by hamlet."""

    kind: ClassVar[str] = "hamlet"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    village_id: str = attrs.field(validator=village_code, repr=quote_value)
    name: str = attrs.field(validator=non_empty, repr=quote_value)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)


def is_kelurahan(code: str) -> bool:
    """True for the code of a kelurahan: the village part starts with 1 (``52.03.17.1004``).

    Kemendagri numbers a regency's kelurahan 1xxx and its desa 2xxx. A kelurahan is an
    administrative unit of the regency: it has no village budget (APBDes) and no Dana Desa.
    """
    return is_region_code(code) and code[9] == "1"
