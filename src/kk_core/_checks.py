"""Small validators shared by the record modules (true invariants only)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any

import attrs

from kk_core._text import nik_in_text, quote_value

__all__ = [
    "INT64_MAX",
    "MAX_AGE",
    "FieldError",
    "a_code",
    "an_id",
    "as_tuple",
    "each_code",
    "each_id",
    "frozen_set",
    "hidden",
    "non_empty",
    "non_negative",
    "not_before",
    "optional_code",
    "optional_id",
    "plain_code",
    "plain_codes",
    "plausible_age",
    "within_int64",
]

#: The largest integer every store keeps (a signed 64-bit column).
INT64_MAX = 2**63 - 1


class FieldError(ValueError):
    """A field's value refused by its validator: ``str()`` reads "``field`` ``detail``",
    and `kk_core.converter.structure` puts the field in the problem's path
    (``case.subject.age_years: must be between 0 and 130``)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field} {detail}")
        self.field = field
        self.detail = detail


def non_empty(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Ids and names people must be able to read are never blank."""
    if not value or not value.strip():
        raise FieldError(attribute.name, "must not be empty")


def _not_a_nik(name: str, value: str) -> None:
    # Ids travel everywhere (URLs, logs, messages, other records' references): an id
    # that is or holds an identity number (``KK-5203…``) would publish it.
    if nik_in_text(value):
        raise FieldError(
            name,
            "holds an identity number (NIK); use another id (a NIK is kept only as "
            "a pseudonym, in subject.identity)",
        )


def an_id(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """A record's id or a reference to one: not blank, and not an identity number."""
    if not value or not value.strip():
        raise FieldError(attribute.name, "must not be empty")
    if len(value) >= 16:
        _not_a_nik(attribute.name, value)


def optional_id(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    """An optional reference: None, or an id that is not an identity number."""
    if value is not None and len(value) >= 16:
        _not_a_nik(attribute.name, value)


def each_id(_: Any, attribute: attrs.Attribute[Any], values: Iterable[str]) -> None:
    """A set or list of references, none of them an identity number."""
    for value in values:
        _not_a_nik(attribute.name, value)


_CODE = re.compile(r"^[a-z][a-z0-9_]{0,199}$")


def _code_problem(value: object) -> str | None:
    if isinstance(value, str) and _CODE.match(value):
        return None
    return (
        f"takes a code (snake_case, like 'pondok_pesantren'), not {quote_value(value)}; "
        "read a label with the code list's lookup"
    )


def plain_code(value: Any) -> Any:
    """attrs converter for open-list code fields: a member of a core list (``IncidentPlace.
    SCHOOL``) is taken as its code, so the field holds plain text either way."""
    return value.value if isinstance(value, Enum) else value


def plain_codes(values: Iterable[Any]) -> frozenset[Any]:
    return frozenset(plain_code(v) for v in values)


def a_code(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """A code of an open list (checked against the list, as plugins extended it, by the
    services): its shape here, so a label or a typo with spaces never gets stored."""
    problem = _code_problem(value)
    if problem is not None:
        raise FieldError(attribute.name, problem)


def optional_code(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None:
        a_code(_, attribute, value)


def each_code(_: Any, attribute: attrs.Attribute[Any], values: Iterable[str]) -> None:
    for value in values:
        a_code(_, attribute, value)


def within_int64(name: str, value: int) -> None:
    if value > INT64_MAX:
        raise FieldError(
            name, f"must fit a signed 64-bit integer (below 2**63), got {quote_value(value)}"
        )


def non_negative(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    """Counts, amounts and versions: 0 up to what a 64-bit column holds."""
    if value is None:
        return
    if value < 0:
        raise FieldError(attribute.name, f"must not be negative, got {quote_value(value)}")
    within_int64(attribute.name, value)


def not_before(start: date | None, end: date | None, what: str) -> None:
    """An end date before its start is always a data-entry mistake."""
    if start is not None and end is not None and end < start:
        raise ValueError(f"{what} ({end.isoformat()}) is before {start.isoformat()}")


def hidden(value: Any) -> str:
    """attrs ``repr=``: what people wrote (names, notes) never reaches a repr, only its size.

    Reprs end up in logs, tracebacks and notebook output.
    """
    if isinstance(value, str):
        return "''" if not value else f"<{len(value):,} characters>"
    if isinstance(value, tuple | frozenset | list):
        return "()" if not value else f"<{len(value):,} items>"
    return "<hidden>"


# attrs converters. ``converter=frozenset`` / ``converter=tuple`` would make mypy's attrs
# plugin type the __init__ parameter as ``Iterable[_T_co]`` with an unsolved variable, so
# no typed caller could pass a list or a set; these take any iterable.


#: The oldest age a record takes (a typo like 200 is refused).
MAX_AGE = 130


def plausible_age(_: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    """attrs validator: an age in years, 0 to `MAX_AGE`, or None."""
    if value is not None and not 0 <= value <= MAX_AGE:
        raise FieldError(attribute.name, f"must be between 0 and {MAX_AGE}")


def frozen_set(value: Iterable[Any]) -> frozenset[Any]:
    """attrs converter: any iterable (list, set, tuple) to a frozenset — not a string,
    whose letters would become the members (``issues="violence"``)."""
    if isinstance(value, str | bytes):
        raise TypeError(
            f"a set of values, not a single {type(value).__name__} {quote_value(value)}: "
            "write {...}"
        )
    return frozenset(value)


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter: any iterable (list, tuple, generator) to a tuple."""
    return tuple(value)
