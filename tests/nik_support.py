"""NIKs spelled every way people write them, planted in records, and the check that no
message shows them (not a test module; shared by the unit and integration tests)."""

from __future__ import annotations

import re
import traceback
import unicodedata
from collections.abc import Iterator
from typing import Any

import attrs
from hypothesis import strategies as st

from kk_core.converter import unstructure
from kk_core.kinds import Record
from kk_core.testing.strategies import records

__all__ = [
    "DIGIT_ZEROS",
    "GROUPINGS",
    "NIK",
    "NIKS",
    "SEPARATORS",
    "assert_not_shown",
    "digits_in",
    "only_as_number",
    "planted",
    "spell",
    "spelled_niks",
]

NIK = "5203121234560001"
NIKS = ("5203121234560001", "3174095807900002", "7371014412850003", "5201146001990004")

#: Digit sets: ASCII, full-width, Arabic-Indic, Devanagari.
DIGIT_ZEROS = ("0", "\uff10", "\u0660", "\u0966")
#: Separators people type or paste between the groups of a NIK.
SEPARATORS = (
    "",
    " ",
    "  ",
    "\t",
    "\u00a0",
    "-",
    "/",
    "_",
    ",",
    ": ",
    "\u200b",
    ".",
    " - ",
    "\u3000",
    "\u200d\u200b",
)
GROUPINGS = ((16,), (4, 4, 4, 4), (6, 6, 4), (2, 2, 2, 6, 4), (1,) * 16)


def spell(
    digits: str, separator: str, zero: str = "0", grouping: tuple[int, ...] = (4,) * 4
) -> str:
    shifted = "".join(chr(ord(zero) + int(d)) for d in digits)
    groups, at = [], 0
    for size in grouping:
        groups.append(shifted[at : at + size])
        at += size
    return separator.join(groups)


@st.composite
def spelled_niks(draw: st.DrawFn) -> tuple[str, str]:
    """(the NIK's 16 ASCII digits, the NIK as someone typed it)."""
    digits = draw(st.sampled_from(NIKS))
    written = spell(
        digits,
        draw(st.sampled_from(SEPARATORS)),
        draw(st.sampled_from(DIGIT_ZEROS)),
        draw(st.sampled_from(GROUPINGS)),
    )
    return digits, written


# -- checking messages ----------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[tnr])")


def digits_in(text: str) -> str:
    """Every digit of ``text`` in ASCII, escapes (``\\xa0`` …) skipped: a NIK shows up in
    it whatever separators or digit script it was written with."""
    text = _ESCAPE.sub(" ", text)
    return "".join(str(d) for c in text if (d := unicodedata.digit(c, None)) is not None)


def exceptions_of(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (current.__context__, current.__cause__):
            if linked is not None:
                stack.append(linked)
        stack.extend(getattr(current, "exceptions", ()))


def texts_of(exc: BaseException) -> Iterator[str]:
    """Everything an exception shows: str, repr, problems, and the formatted traceback."""
    yield "".join(traceback.format_exception(exc))
    for one in exceptions_of(exc):
        yield str(one)
        yield repr(one)
        yield from (str(p) for p in getattr(one, "problems", ()))


def assert_not_shown(digits: str, exc: BaseException) -> None:
    for text in texts_of(exc):
        assert digits not in digits_in(text), f"the NIK is readable in: {text[:300]!r}"


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        yield path
        for i, value in enumerate(data):
            yield from _leaves(value, (*path, i))
    else:
        yield path


def _planted(data: Any, path: tuple[Any, ...], how: str, written: str, digits: str) -> Any:
    if not path:
        return data
    head, *rest = path
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    if rest:
        copy[head] = _planted(data[head], tuple(rest), how, written, digits)
        return copy
    old = data[head]
    if how == "replace":
        copy[head] = written
    elif how == "embed":
        copy[head] = f"{old} NIK {written} ibu" if isinstance(old, str) else written
    elif how == "number":
        copy[head] = int(digits)
    elif how == "append" and isinstance(old, list):
        copy[head] = [*old, written]
    else:
        copy[head] = written
    return copy


@st.composite
def planted(draw: st.DrawFn) -> tuple[type[Record], Record, dict[str, Any], str]:
    record = draw(records())
    data = unstructure(record)
    digits, written = draw(spelled_niks())
    how = draw(st.sampled_from(["replace", "embed", "number", "append", "key"]))
    if how == "key":
        data = {**data, written: "x"}
    else:
        path = draw(st.sampled_from(list(_leaves(data))))
        data = _planted(data, path, how, written, digits)
    return type(record), record, data, digits


def only_as_number(record: Any, digits: str) -> bool:
    """A NIK typed into a number field (an amount, a count) is a number: reprs show numbers."""
    return int(digits) in _ints_of(record)


def _ints_of(value: Any) -> set[int]:
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {value}
    if attrs.has(type(value)):
        return set().union(*(_ints_of(getattr(value, a.name)) for a in attrs.fields(type(value))))
    if isinstance(value, tuple | frozenset):
        return set().union(set(), *(_ints_of(v) for v in value))
    return set()
