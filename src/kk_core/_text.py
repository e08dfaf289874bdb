"""Text rules shared by errors, privacy and the value checks: NIK-ish runs and quoting.

One definition of a *NIK-ish run* serves `kk_core.privacy.looks_like_nik` (is this
text a NIK?), `mask_identity_numbers` (hide it in a message) and the check that free
text holds no identity number (`kk_core.values`), so what one recognises the others
recognise too.

A run is decimal digits (any script: ASCII, full-width, Arabic-Indic…, and the
superscript or circled digits NFKC turns into digits) joined by what people type or
paste inside a long number: whitespace of any kind (tabs, non-breaking spaces, several
spaces), ``.``, ``,``, ``-``, ``/``, ``_``, ``\\``, dashes, ``: ``, and invisible
characters (zero-width spaces and joiners, direction marks, combining marks).

Everything here is linear in the length of the text: the joins are possessive, so no
match ever backtracks into them.
"""

from __future__ import annotations

import re
import reprlib
import unicodedata

__all__ = [
    "BAD_CHAR",
    "MASK_MIN_DIGITS",
    "NIK_DIGITS",
    "NIK_RUN",
    "QUOTE_LIMIT",
    "is_plausible_nik",
    "looks_like_nik",
    "mask_identity_numbers",
    "nik_digits",
    "nik_in_free_text",
    "quote_value",
    "shorten",
    "text_problem",
]

#: Digits of a NIK (and of a family-card number, KK).
NIK_DIGITS = 16
#: Messages hide every run of at least this many digits: a NIK with a few digits
#: dropped or mistyped, a phone number. A date (8), a Kemendagri village code (10) and
#: a date-time with a space (10 before the ``:``) stay readable.
MASK_MIN_DIGITS = 12
#: Characters of a bad value a message quotes at most.
QUOTE_LIMIT = 80

_DIGIT_CHARS = r"\d\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u24ea"
_JOIN_CHARS = (
    r"\s.,/\\_\-"  # whitespace of every kind (tab, NBSP, U+3000 …), dot, comma, slashes, hyphen
    r"\u00ad\u00b7\u2010-\u2015\u2212\u2024\u2027\u30fb\u3001\u3002"  # soft hyphen, dashes, dots
    r"\ufe50\ufe52\ufe58\ufe63\uff0c\uff0d\uff0e\uff0f\uff3c\uff3f"  # small and full-width forms
    r"\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # invisible
    r"\u0300-\u036f\u20d0-\u20ff\ufe00-\ufe0f"  # combining marks, variation selectors (keycaps)
)
_DIGIT = f"[{_DIGIT_CHARS}]"
# ``:`` joins only before a space ("5203: 1212"), so "09:30" in a time is not a join
_JOIN = rf"(?:[{_JOIN_CHARS}]|[:\uff1a](?=[\s\u200b-\u200f\u2060\ufeff]))"


def _run(min_digits: int) -> re.Pattern[str]:
    return re.compile(rf"{_DIGIT}(?:{_JOIN}*+{_DIGIT}){{{min_digits - 1},}}+")


_WHOLE_RUN = re.compile(rf"{_JOIN}*+({_DIGIT}(?:{_JOIN}*+{_DIGIT})*+){_JOIN}*+")
_MASKED_RUN = _run(MASK_MIN_DIGITS)
#: A run holding a NIK's worth of digits (or more: two NIKs joined by ", ").
NIK_RUN = _run(NIK_DIGITS)
_NOT_DIGIT = re.compile(f"[^{_DIGIT_CHARS}]+")
BAD_CHAR = re.compile(r"[\x00\ud800-\udfff]")


def _digit_count(run: str) -> int:
    return len(_NOT_DIGIT.sub("", run))


def nik_digits(value: str) -> str | None:
    """The 16 ASCII digits of a NIK written in any accepted spelling, else None."""
    if len(value) < NIK_DIGITS:
        return None
    match = _WHOLE_RUN.fullmatch(value)
    if match is None:
        return None
    digits = _NOT_DIGIT.sub("", match.group(1))
    if len(digits) != NIK_DIGITS:
        return None
    return "".join(str(unicodedata.digit(c)) for c in digits)


#: The first two digits of a NIK: the province codes of Kemendagri (the ten provinces
#: of Papua since 2022 included).
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
    ]
)
_DIGIT_GROUP = re.compile(f"{_DIGIT}+")


def is_plausible_nik(digits: str) -> bool:
    """Whether 16 ASCII digits have a NIK's structure (Dukcapil): a province code, a
    regency and a district, a birth date (day + 40 for women) and a serial other
    than 0000. A family-card (KK) number has the same structure."""
    if len(digits) != NIK_DIGITS or not digits.isascii() or not digits.isdigit():
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    return (
        digits[:2] in _PROVINCES
        and digits[2:4] != "00"
        and digits[4:6] != "00"
        and (1 <= day <= 31 or 41 <= day <= 71)
        and 1 <= month <= 12
        and digits[12:] != "0000"
    )


def _ascii(digits: str) -> str:
    return digits if digits.isascii() else "".join(str(unicodedata.digit(c)) for c in digits)


def _holds_nik(run: str) -> bool:
    """Whether a run of digits and joins holds a NIK: 16 digits in one unbroken group, in
    groups of four or more (``5203 1741 0709 0001``), or in any grouping with a NIK's
    structure. Dates and amounts listed with only joins between them (``13/02/2025,
    14/02/2025``, ``25.000.000 - 30.000.000``) have short groups and no NIK structure."""
    groups = _DIGIT_GROUP.findall(run)
    for start in range(len(groups)):
        total = 0
        for end in range(start, len(groups)):
            total += len(groups[end])
            if total > NIK_DIGITS:
                break
            if total == NIK_DIGITS:
                chosen = groups[start : end + 1]
                if all(len(g) >= 4 for g in chosen) or is_plausible_nik(_ascii("".join(chosen))):
                    return True
                break
    return False


def nik_in_free_text(value: str) -> bool:
    """Whether free text holds an identity number (see `_holds_nik`); linear in its size."""
    if len(value) < NIK_DIGITS:
        return False
    return any(_holds_nik(m.group()) for m in NIK_RUN.finditer(value))


def looks_like_nik(value: str) -> bool:
    """Sixteen digits and nothing else but joins: the shape of a NIK or KK number."""
    return nik_digits(value) is not None


def _hide(match: re.Match[str]) -> str:
    return f"<{_digit_count(match.group())} digits hidden>"


def mask_identity_numbers(text: str) -> str:
    """Hide runs of 12+ digits however they are grouped, keeping only how many there were.

    >>> mask_identity_numbers("'5203121234560001' is not a known sex")
    "'<16 digits hidden>' is not a known sex"
    """
    if len(text) < MASK_MIN_DIGITS:
        return text
    return _MASKED_RUN.sub(_hide, text)


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` masked and cut to ``limit`` characters, unquoted: ``aaaa… (5,000 characters)``."""
    masked = mask_identity_numbers(text)
    return masked if len(masked) <= limit else f"{masked[:limit]}… ({len(text):,} characters)"


def _quote_text(text: str, limit: int) -> str:
    masked = mask_identity_numbers(text)  # first: repr would turn a NBSP into "\xa0"
    if len(masked) <= limit:
        return repr(masked)
    return f"{masked[:limit] + '…'!r} ({len(text):,} characters)"


def _quote_int(value: int) -> str:
    if value.bit_length() > 64:
        digits = int(value.bit_length() * 0.30103) + 1  # never str(): huge ints cannot print
        return f"an integer of about {digits:,} digits"
    return mask_identity_numbers(str(value))


class _BoundedRepr(reprlib.Repr):
    """reprlib with masked, bounded strings and integers that never fail to print."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.maxstring = self.maxother = limit
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdict = 5
        self.maxlevel = 3

    def repr_str(self, x: str, level: int) -> str:
        return _quote_text(x, self.limit)

    def repr_int(self, x: int, level: int) -> str:
        return _quote_int(x)


def quote_value(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A bad value as an error message shows it: masked, at most ``limit`` characters of it.

    Text is masked first (identity numbers hidden), then cut and quoted, with its length
    when it was cut: ``'aaaa…' (5,000,000 characters)``. Integers too large to print
    give their size. Work is linear in the size of the value.

    >>> quote_value("5203 1212 3456 0001")
    "'<16 digits hidden>'"
    >>> quote_value("a" * 100, limit=4)
    "'aaaa…' (100 characters)"
    """
    if isinstance(value, str):
        return _quote_text(value, limit)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return _quote_int(value)
    try:
        shown = _BoundedRepr(limit).repr(value)
    except Exception:  # a broken __repr__ must not replace the error being reported
        shown = f"<{type(value).__name__}>"
    return shorten(shown, 4 * limit)


def text_problem(value: str, limit: int, *, free_text: bool) -> str | None:
    """What is wrong with a text for a store, or None: NUL, lone surrogates, length,
    and (for anything but ids) an identity number inside it."""
    length = len(value)
    if length > limit:
        return f"is {length:,} characters long; at most {limit:,} are kept"
    bad = BAD_CHAR.search(value)
    if bad is not None:
        what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate"
        return (
            f"holds {what} (at position {bad.start():,}), which no store can keep: "
            f"{quote_value(value)}"
        )
    if free_text and nik_in_free_text(value):
        return (
            f"holds a number shaped like an identity number (NIK, 16 digits): "
            f"{quote_value(value)}; remove it (a case keeps identity numbers only as "
            "subject.identity pseudonyms)"
        )
    return None
