"""Identity numbers held only as keyed pseudonyms (UU PDP 27/2022).

A NIK identifies a person everywhere in Indonesia; a case store that leaks one exposes
a victim. Pseudonyms are HMAC-SHA256 under a key the deployment keeps outside the
data, so the same person links across records without the number ever being stored,
and a stolen database cannot be reversed by hashing all 16-digit numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import attrs

from kk_core._checks import FieldError
from kk_core._text import looks_like_nik, nik_digits
from kk_core.errors import Problem, ValidationError

__all__ = [
    "PSEUDONYM_PREFIX",
    "check_nik",
    "is_pseudonym",
    "looks_like_nik",
    "nik_problems",
    "pseudonym_only",
    "pseudonymise",
]

PSEUDONYM_PREFIX = "p1:"
_PSEUDONYM = re.compile(r"p1:[0-9a-f]{64}")
_MIN_KEY_BYTES = 16

# `looks_like_nik` (from kk_core._text) shares its definition of a NIK with the masking
# of error messages (`kk_core.errors.mask_identity_numbers`): sixteen decimal digits of
# any script, grouped by spaces, tabs, dots, dashes, slashes, commas, ": " or invisible
# characters, as people type or paste them.


def nik_problems(nik: str) -> list[Problem]:
    """What is wrong with a NIK (Nomor Induk Kependudukan), by the way Dukcapil builds it
    (Permendagri 72/2019 on the NIK; UU 24/2013): 16 digits; the first six the
    province, regency and district (kecamatan) of registration, a district the
    Kemendagri table lists (`kk_core.regions`); the next six the birth date as
    ``DDMMYY``, the day plus 40 for a woman; the last four a serial, never ``0000``.
    Empty when it is well formed.

    No message quotes a digit of the number: each names the part that is wrong.
    A NIK registered in a district whose code was later retired (a district split or
    renamed) is reported too: check it by hand before refusing it.
    """
    from kk_core import regions

    digits = nik_digits(nik) if isinstance(nik, str) else None
    if digits is None:
        return [Problem("nik", "an identity number (NIK) has exactly 16 digits")]
    problems = []
    district = f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"
    found = regions.get(district)
    if found is None or regions.level_of(district) is not regions.Level.DISTRICT:
        problems.append(
            Problem(
                "nik",
                "its region part (the first six digits: province, regency, district) is no "
                f"district in the Kemendagri table ({regions.DECREE})",
            )
        )
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > 40:
        day -= 40  # a woman's day of birth is written plus 40
    if not _a_date(day, month, year):
        problems.append(
            Problem(
                "nik",
                "its birth-date part (digits 7 to 12, DDMMYY, the day plus 40 for a woman) "
                "is not a date",
            )
        )
    if digits[12:] == "0000":
        problems.append(
            Problem("nik", "its serial (the last four digits) is all zeros; serials start at one")
        )
    return problems


def _a_date(day: int, month: int, year: int) -> bool:
    """Whether DD MM YY is a day in 19YY or in 20YY."""
    import calendar

    if not 1 <= month <= 12 or day < 1:
        return False
    return any(day <= calendar.monthrange(century + year, month)[1] for century in (1900, 2000))


def check_nik(nik: str) -> str:
    """The 16 digits of a well-formed NIK (`nik_problems`); `ValidationError` naming
    every part that is wrong, none of its digits quoted."""
    problems = nik_problems(nik)
    if problems:
        raise ValidationError(problems, subject="identity number (NIK)")
    digits = nik_digits(nik)
    assert digits is not None
    return digits


def pseudonymise(nik: str, key: bytes, *, check: bool = False) -> str:
    """The keyed pseudonym of an identity number; the number itself is not kept.

    The number may be written in any spelling `looks_like_nik` accepts (grouped,
    full-width or other decimal digits): the same person gets the same pseudonym.
    With ``check=True`` it must be a well-formed NIK (`nik_problems`); without, any 16
    digits are taken (a family card number has the same shape and other rules).
    `kk_core.services.Services.pseudonymise` checks.

    >>> pseudonymise("5203121234560001", b"0123456789abcdef")[:11]
    'p1:cba6d796'
    """
    problems = []
    digits = nik_digits(nik) if isinstance(nik, str) else None
    if digits is None:
        problems.append(Problem("nik", "an identity number (NIK) has exactly 16 digits"))
    elif check:
        problems.extend(nik_problems(nik))
    if not isinstance(key, bytes) or len(key) < _MIN_KEY_BYTES:
        problems.append(
            Problem("key", f"the pseudonymisation key must be at least {_MIN_KEY_BYTES} bytes")
        )
    if digits is None or problems:
        raise ValidationError(problems, subject="pseudonymisation")
    return PSEUDONYM_PREFIX + hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def is_pseudonym(value: str) -> bool:
    return isinstance(value, str) and _PSEUDONYM.fullmatch(value) is not None


def pseudonym_only(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    """Refuse anything but a pseudonym, so a clear NIK can never enter a record."""
    if value is None or is_pseudonym(value):
        return
    if isinstance(value, str) and looks_like_nik(value):
        raise FieldError(attribute.name, "holds an identity number in clear; pseudonymise it first")
    raise FieldError(attribute.name, "is not a pseudonym made by kk_core.privacy.pseudonymise")
