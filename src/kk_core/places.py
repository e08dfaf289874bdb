"""Where a KK works: villages (desa) by Kemendagri code, and their hamlets (dusun).

A record keeps any well-formed code, listed or not: codes change from one decree to
the next, and a record written under an older list must still read. Whether a code is
listed, and whether a village's name is the official one, is checked when new data is
written through `kk_core.services.Services` (`village_problems`, `village_code_problems`).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import attrs

from kk_core import regions
from kk_core._checks import FieldError, an_id, non_empty, non_negative
from kk_core._text import quote_value
from kk_core.errors import Problem
from kk_core.regions import RegionKind

__all__ = [
    "Hamlet",
    "Village",
    "is_kelurahan",
    "is_region_code",
    "regency_code_of",
    "village_code",
    "village_code_problems",
    "village_problems",
]

#: province.regency.district.village, e.g. ``52.03.17.2003`` (Teros, in Lombok Timur)
_VILLAGE_CODE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{2})\.([0-9]{4})")


def is_region_code(code: str) -> bool:
    """True for a well-formed Kemendagri village code (``PP.RR.DD.VVVV``)."""
    m = _VILLAGE_CODE.fullmatch(code) if isinstance(code, str) else None
    return bool(m) and all(int(part) > 0 for part in m.groups())  # type: ignore[union-attr]


def regency_code_of(village_code: str) -> str:
    """``52.03.17.2003`` → ``52.03``: the regency, the unit districts partition by."""
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

    @property
    def village_kind(self) -> RegionKind | None:
        """Desa, kelurahan or desa adat, by the code rules (`kk_core.regions.kind_of`)."""
        return regions.kind_of(self.id)

    @property
    def is_kelurahan(self) -> bool:
        """A kelurahan has no village budget (APBDes) of its own: see `is_kelurahan`."""
        return is_kelurahan(self.id)


@attrs.frozen
class Hamlet:
    """A dusun of a village; cases and businesses are counted by hamlet."""

    kind: ClassVar[str] = "hamlet"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    village_id: str = attrs.field(validator=village_code, repr=quote_value)
    name: str = attrs.field(validator=non_empty, repr=quote_value)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)


def is_kelurahan(code: str) -> bool:
    """Whether a village code names a kelurahan (village number ``1xxx``), by the code
    rule alone (no table). A kelurahan is part of the regency's apparatus: it has no
    village budget (APBDes) and no Musrenbangdes, so no proposal is funded there."""
    return is_region_code(code) and code[9] == "1"


def _unlisted(code: str) -> str:
    return (
        f"{quote_value(code)} is not a village in the Kemendagri list ({regions.DECREE}); "
        "kk_core.regions.find_villages(name) finds a village's code"
    )


def village_code_problems(code: str, path: str) -> list[Problem]:
    """A problem at ``path`` when ``code`` is not a village the Kemendagri table lists."""
    return [] if regions.village_exists(code) else [Problem(path, _unlisted(code))]


def village_problems(village: Village) -> list[Problem]:
    """What is wrong with a village by the Kemendagri table: a code it does not list
    (``village.id``), or a name that is not the code's official name (``village.name``;
    case, a "Desa"/"Kelurahan" prefix, spaces and hyphens are forgiven). Empty when
    both agree. Records that read with problems stay readable: this only lists them."""
    found = regions.get(village.id)
    if found is None:
        return [Problem("village.id", _unlisted(village.id))]
    if not regions.names_match(village.name, found.name):
        return [
            Problem(
                "village.name",
                f"{quote_value(village.name)} is not the name of {village.id} in the "
                f"Kemendagri list: expected {quote_value(found.name)}",
            )
        ]
    return []
