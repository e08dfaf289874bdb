"""Small validators shared by the record modules (true invariants only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

__all__ = ["as_tuple", "frozen_set", "non_empty", "non_negative", "not_before"]


def non_empty(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Ids and names people must be able to read are never blank."""
    if not value or not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


def non_negative(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def not_before(start: date | None, end: date | None, what: str) -> None:
    """An end date before its start is always a data-entry mistake."""
    if start is not None and end is not None and end < start:
        raise ValueError(f"{what} ({end.isoformat()}) is before {start.isoformat()}")


# attrs converters. ``converter=frozenset`` / ``converter=tuple`` would make mypy's attrs
# plugin type the __init__ parameter as ``Iterable[_T_co]`` with an unsolved variable, so
# no typed caller could pass a list or a set; these take any iterable.


def frozen_set(value: Iterable[Any]) -> frozenset[Any]:
    """attrs converter: any iterable (list, set, tuple) to a frozenset."""
    return frozenset(value)


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter: any iterable (list, tuple, generator) to a tuple."""
    return tuple(value)
