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
    "NIK_LAYOUTS",
    "NIK_RUN",
    "QUOTE_LIMIT",
    "looks_like_nik",
    "mask_identity_numbers",
    "nik_digits",
    "nik_in_text",
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
    r"|*~+#='()\[\]\u2022\u2219\u25cf"  # bars, stars, brackets, quotes and bullets people put in
    r"\u00ad\u00b7\u2010-\u2015\u2212\u2024\u2027\u30fb\u3001\u3002"  # soft hyphen, dashes, dots
    r"\ufe50\ufe52\ufe58\ufe63\uff0c\uff0d\uff0e\uff0f\uff3c\uff3f"  # small and full-width forms
    r"\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # invisible
    r"\u0300-\u036f\u20d0-\u20ff\ufe00-\ufe0f"  # combining marks, variation selectors (keycaps)
)
#: What separates two numbers in a list rather than the groups of one number: a NIK is
#: never written across them (``13/02/2025, 14/02/2025``; ``0812 3456, 0813 1111``).
_LIST_SEPARATORS = ",/\\;\uff0c\uff0f\uff3c\u3001"
_DIGIT = f"[{_DIGIT_CHARS}]"
# ``:`` joins only before a space ("5203: 1212"), so "09:30" in a time is not a join
_JOIN = rf"(?:[{_JOIN_CHARS}]|[:\uff1a](?=[\s\u200b-\u200f\u2060\ufeff]))"


def _run(min_digits: int, join: str = _JOIN) -> re.Pattern[str]:
    return re.compile(rf"{_DIGIT}(?:{join}*+{_DIGIT}){{{min_digits - 1},}}+")


_WHOLE_RUN = re.compile(rf"{_JOIN}*+({_DIGIT}(?:{_JOIN}*+{_DIGIT})*+){_JOIN}*+")
_MASKED_RUN = _run(MASK_MIN_DIGITS)
#: A run holding a NIK's worth of digits however joined (or more: two NIKs joined by
#: ", "): what may hold a NIK, to be looked at closer (`nik_in_text`).
NIK_RUN = _run(NIK_DIGITS)
# the joins inside one number: every join but the separators of a list
_NUMBER_JOIN = (
    rf"(?:(?![{_LIST_SEPARATORS}])[{_JOIN_CHARS}]|[:\uff1a](?=[\s\u200b-\u200f\u2060\ufeff]))"
)
_NUMBER_RUN = _run(NIK_DIGITS, _NUMBER_JOIN)
_NOT_DIGIT = re.compile(f"[^{_DIGIT_CHARS}]+")
BAD_CHAR = re.compile(r"[\x00\ud800-\udfff]")


def _digit_count(run: str) -> int:
    return len(_NOT_DIGIT.sub("", run))


def nik_digits(value: str) -> str | None:
    """The 16 ASCII digits of a NIK written in any accepted spelling, else None."""
    if len(value) < NIK_DIGITS:
        return None
    if len(value) == NIK_DIGITS and value.isascii() and value.isdigit():
        return value  # as forms and files mostly give it
    match = _WHOLE_RUN.fullmatch(value)
    if match is None:
        return None
    digits = _NOT_DIGIT.sub("", match.group(1))
    if len(digits) != NIK_DIGITS:
        return None
    return "".join(str(unicodedata.digit(c)) for c in digits)


_DIGIT_GROUP = re.compile(f"{_DIGIT}+")
#: How people group the 16 digits of a NIK when they write one: all together, in fours,
#: as the card prints it (region, birth date, serial: 6-6-4), with the region code
#: dotted (52.03.17.410709.0001), or region then the rest (6-10).
NIK_LAYOUTS = frozenset({(16,), (4, 4, 4, 4), (6, 6, 4), (2, 2, 2, 6, 4), (6, 10)})


def _holds_nik(run: str) -> bool:
    """Whether a run of digits (joined inside one number) holds a NIK: a group of exactly
    16 digits, or consecutive groups laid out as a NIK is written (`NIK_LAYOUTS`)."""
    sizes = [len(g) for g in _DIGIT_GROUP.findall(run)]
    for start in range(len(sizes)):
        total = 0
        for end in range(start, len(sizes)):
            total += sizes[end]
            if total >= NIK_DIGITS:
                if total == NIK_DIGITS and tuple(sizes[start : end + 1]) in NIK_LAYOUTS:
                    return True
                break
    return False


def nik_in_text(value: str) -> bool:
    """Whether text holds an identity number as people write one in a note, a name or an
    id: 16 digits together, in fours, or as the card prints them, whatever they put
    between the groups (spaces, dots, dashes, bullets, bars, brackets). Numbers in a
    list (two dates, two phone numbers, amounts) are not one. Linear in the text."""
    if len(value) < NIK_DIGITS:
        return False
    return any(_holds_nik(m.group()) for m in _NUMBER_RUN.finditer(value))


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
    if free_text and nik_in_text(value):
        return (
            f"holds a number shaped like an identity number (NIK, 16 digits): "
            f"{quote_value(value)}; remove it (a case keeps identity numbers only as "
            "subject.identity pseudonyms)"
        )
    return None
