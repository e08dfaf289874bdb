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

__all__ = ["PSEUDONYM_PREFIX", "is_pseudonym", "looks_like_nik", "pseudonym_only", "pseudonymise"]

PSEUDONYM_PREFIX = "p1:"
_PSEUDONYM = re.compile(r"p1:[0-9a-f]{64}")
_MIN_KEY_BYTES = 16

# `looks_like_nik` (from kk_core._text) shares its definition of a NIK with the masking
# of error messages (`kk_core.errors.mask_identity_numbers`): sixteen decimal digits of
# any script, grouped by spaces, tabs, dots, dashes, slashes, commas, ": " or invisible
# characters, as people type or paste them.


def pseudonymise(nik: str, key: bytes) -> str:
    """The keyed pseudonym of an identity number; the number itself is not kept.

    The number may be written in any spelling `looks_like_nik` accepts (grouped,
    full-width or other decimal digits): the same person gets the same pseudonym.

    >>> pseudonymise("5203121234560001", b"0123456789abcdef")[:11]
    'p1:cba6d796'
    """
    problems = []
    digits = nik_digits(nik) if isinstance(nik, str) else None
    if digits is None:
        problems.append(Problem("nik", "an identity number (NIK) has exactly 16 digits"))
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
