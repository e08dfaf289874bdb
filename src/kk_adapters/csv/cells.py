"""One cell of a spreadsheet: how each kind of value is written, and what is read.

Writing is strict and plain (ISO dates, codes, ``true``/``false``), so a file always
reads back as it was written. Reading is forgiving of what people type and what
spreadsheet programs save: surrounding spaces, dates in the Indonesian forms
(``13/02/2025``, ``13-02-2025``, ``13 Februari 2025``, ``Kamis, 13 Feb 2025``), flags as
``ya``/``tidak``, and labels in place of codes. Anything else is refused with the
reason, never guessed: a two-digit year, a day-month order that could be read both ways
is always day first (Indonesian), and a month 13 is an error, not an American date.

Text is never trimmed, so a note that begins with a space reads back as it was written.
It is escaped against formula injection (CWE-1236, OWASP "CSV Injection"): a text
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after any
spaces) is written with an apostrophe in front, and so is a text starting with an
apostrophe; reading removes one leading apostrophe. A spreadsheet then shows the
text instead of running it, and the value reads back unchanged.
"""

from __future__ import annotations

import re
from datetime import date, datetime

__all__ = [
    "BOOLEAN_WORDS",
    "MONTHS",
    "escape_text",
    "format_bool",
    "needs_escape",
    "neutralise_formula",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "split_codes",
    "unescape_text",
]

#: What a formula may start with (OWASP), and the apostrophe that escapes it.
_FORMULA_START = frozenset("=+-@\t\r")
_ESCAPE = "'"
#: The first characters that may make `escape_text` add its apostrophe, besides
#: whitespace (generated row code tests these inline and calls it only for them).
_ESCAPE_FIRST = frozenset({*_FORMULA_START, _ESCAPE})


def needs_escape(text: str) -> bool:
    """Whether a text cell must be written with a leading apostrophe: it starts a
    formula, or the escape itself, or whitespace before a formula (" =1+1"; any
    whitespace a reader strips, form feeds and unit separators included)."""
    if not text:
        return False
    first = text[0]
    if first in _FORMULA_START or first == _ESCAPE:
        return True
    if not first.isspace():
        return False
    rest = text.lstrip()
    return bool(rest) and rest[0] in _FORMULA_START


def escape_text(text: str) -> str:
    """The cell for a text: itself, or with an apostrophe in front (see the module)."""
    return _ESCAPE + text if needs_escape(text) else text


def neutralise_formula(text: str) -> str:
    """A text for a file only people read (a rejects file): an apostrophe in front only
    when it would start a formula; not meant to be read back."""
    stripped = text.lstrip()
    if text and (text[0] in _FORMULA_START or (stripped and stripped[0] in _FORMULA_START)):
        return _ESCAPE + text
    return text


def unescape_text(cell: str) -> str:
    """The text a cell holds: one leading apostrophe removed."""
    return cell[1:] if cell[:1] == _ESCAPE else cell


#: Words read as true and as false (any case): English, Indonesian, 1/0, y/n.
BOOLEAN_WORDS: dict[str, bool] = {
    **dict.fromkeys(("true", "yes", "y", "ya", "1", "benar", "iya"), True),
    **dict.fromkeys(("false", "no", "n", "tidak", "0", "salah", "tdk", "bukan"), False),
}


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def parse_bool(cell: str) -> bool:
    """``true``/``false`` and the words of `BOOLEAN_WORDS`; `ValueError` for anything else."""
    found = BOOLEAN_WORDS.get(cell.strip().lower())
    if found is None:
        raise ValueError("is not true or false (write true/false, ya/tidak or 1/0)")
    return found


_INT = re.compile(r"[+-]?[0-9]+")


def parse_int(cell: str) -> int:
    """A whole number in ASCII digits; `ValueError` for anything else (``1.5``, ``1.000``)."""
    text = cell.strip()
    if len(text) > 40 or not _INT.fullmatch(text):
        raise ValueError("is not a whole number (digits only, like 1500000)")
    return int(text)


#: Month names and the abbreviations people write, Indonesian (with older spellings:
#: Pebruari, Nopember) and English, folded to lower case.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januari", "jan", "january"),
        ("februari", "feb", "pebruari", "peb", "february"),
        ("maret", "mar", "march"),
        ("april", "apr"),
        ("mei", "may"),
        ("juni", "jun", "june"),
        ("juli", "jul", "july"),
        ("agustus", "agu", "agt", "ags", "agus", "aug", "august"),
        ("september", "sep", "sept"),
        ("oktober", "okt", "oct", "october"),
        ("november", "nov", "nopember", "nop"),
        ("desember", "des", "dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

#: Weekday names (Monday is 0), which people put in front of a date: checked, not trusted.
_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("senin", "monday", "mon", "sen"),
        ("selasa", "tuesday", "tue", "sel"),
        ("rabu", "wednesday", "wed", "rab"),
        ("kamis", "thursday", "thu", "kam"),
        ("jumat", "jum'at", "jum", "friday", "fri"),
        ("sabtu", "saturday", "sat", "sab"),
        ("minggu", "ahad", "sunday", "sun", "min"),
    )
):
    for _name in _names:
        _WEEKDAYS[_name] = _number

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d+)")
_NAMED = re.compile(r"(\d{1,2})[\s./-]*([^\W\d_]+)\.?[\s./,-]*(\d+)")
_WEEKDAY = re.compile(r"([^\W\d_']+(?:'[^\W\d_]+)?)\s*,?\s+(?=\d)")
_DATE_FORMS = "2025-02-13, 13/02/2025, 13-02-2025 or 13 Februari 2025"


def parse_date(cell: str) -> date:
    """A day written as ISO or in an Indonesian form; `ValueError` with the reason.

    Day first always (``05/02/2025`` is 5 February); the year in full (``13/02/25`` is
    refused: which century is a guess); month names in Indonesian or English, whole or
    abbreviated (``Feb``, ``Agu``, ``Agustus``, ``Okt``, ``Des``), any case; a weekday in
    front (``Kamis, 13 Februari 2025``) must be that date's.
    """
    text = " ".join(cell.split())
    if not text:
        raise ValueError("is empty")
    if len(text) > 48:
        raise ValueError(f"is not a date ({_DATE_FORMS})")
    match = _ISO.fullmatch(text)
    if match:
        return _day(int(match[1]), int(match[2]), int(match[3]))
    weekday = None
    found = _WEEKDAY.match(text)
    if found and found[1].lower() in _WEEKDAYS:
        weekday = _WEEKDAYS[found[1].lower()]
        text = text[found.end() :]
    match = _NUMERIC.fullmatch(text)
    if match:
        day, month, year = int(match[1]), int(match[3]), match[4]
    else:
        match = _NAMED.fullmatch(text)
        if not match:
            raise ValueError(f"is not a date ({_DATE_FORMS})")
        name = match[2].lower()
        if name not in MONTHS:
            raise ValueError(f"has no month called {match[2]!r} (Januari … Desember, Jan … Des)")
        day, month, year = int(match[1]), MONTHS[name], match[3]
    if len(year) != 4:
        raise ValueError("has no four-digit year: write it in full (13/02/2025)")
    if month > 12:
        raise ValueError(
            f"has no month {month}: dates are read day first, as in Indonesia (13/02/2025)"
        )
    found_day = _day(int(year), month, day)
    if weekday is not None and found_day.weekday() != weekday:
        raise ValueError(f"names the wrong weekday: {found_day.isoformat()} is another day")
    return found_day


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        pass
    raise ValueError(f"is not a day of the calendar ({year:04d}-{month:02d}-{day:02d})")


def parse_datetime(cell: str) -> datetime:
    """An ISO date-time with its UTC offset (``2025-02-13T09:30:00+08:00``)."""
    text = cell.strip()
    parsed: datetime | None = None
    if len(text) <= 64:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValueError("is not an ISO date-time like 2025-02-13T09:30:00+08:00")
    if parsed.utcoffset() is None:
        raise ValueError("has no UTC offset (add +08:00 for WITA, +07:00 for WIB, Z for UTC)")
    return parsed


_SPLIT = re.compile(r"[;|\n]")


def split_codes(cell: str) -> list[str]:
    """The items of a set cell: separated by ``;`` (also ``|`` or a new line), trimmed."""
    if not cell or not cell.strip():
        return []
    return [item for part in _SPLIT.split(cell) if (item := part.strip())]
