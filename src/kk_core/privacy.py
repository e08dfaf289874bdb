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

__all__ = ["PSEUDONYM_PREFIX", "is_pseudonym", "looks_like_nik", "pseudonym_only", "pseudonymise"]

PSEUDONYM_PREFIX = "p1:"
_PSEUDONYM = re.compile(r"^p1:[0-9a-f]{64}$")
_NIK = re.compile(r"^\d{16}$")
_MIN_KEY_BYTES = 16


def looks_like_nik(value: str) -> bool:
    """Sixteen digits, spaces and dots ignored: the shape of a NIK or KK number."""
    return bool(_NIK.match(re.sub(r"[\s.]", "", value)))


def pseudonymise(nik: str, key: bytes) -> str:
    """The keyed pseudonym of an identity number; the number itself is not kept.

    >>> pseudonymise("5203121234560001", b"0123456789abcdef")[:11]
    'p1:cba6d796'
    """
    digits = re.sub(r"[\s.]", "", nik)
    if not _NIK.match(digits):
        raise ValueError("an identity number (NIK) has exactly 16 digits")
    if len(key) < _MIN_KEY_BYTES:
        raise ValueError(f"the pseudonymisation key must be at least {_MIN_KEY_BYTES} bytes")
    return PSEUDONYM_PREFIX + hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def is_pseudonym(value: str) -> bool:
    return bool(_PSEUDONYM.match(value))


def pseudonym_only(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    """Refuse anything but a pseudonym, so a clear NIK can never enter a record."""
    if value is None or is_pseudonym(value):
        return
    if looks_like_nik(value):
        raise ValueError(
            f"{attribute.name} holds an identity number in clear; pseudonymise it first"
        )
    raise ValueError(f"{attribute.name} is not a pseudonym made by kk_core.privacy.pseudonymise")
