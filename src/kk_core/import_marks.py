"""Where imported records came from: one mark per item of an outside source.

An import from a KoboToolbox form (or from a partner's file) writes, in the same
transaction as the records an item became, an `ImportMark`: which item it was (a Kobo
submission's ``meta/rootUuid``), which revision of it was imported (its ``_uuid``, which
changes with every edit), which records it became and a digest of their content as
written. The marks are the import's checkpoint, kept in the target store itself, so any
store can hold one:

* a repeated import skips every item whose revision it already holds, so it fetches and
  writes only what is new or edited;
* an interrupted import resumes where it stopped (a page's records and their marks
  commit together);
* an edited item replaces the records of its earlier revision, unless someone changed
  them in the store since (their digest no longer matches): the edit is then refused
  rather than silently undoing that work.

Marks are plain records of kind ``import_mark``: they copy with `kk_core.copy_records`
and hold no personal data (ids, codes and digests only).
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import attrs

from kk_core._checks import FieldError, an_id, as_tuple, non_empty, non_negative
from kk_core._text import quote_value

__all__ = ["ImportMark", "letters_digest"]

#: Letters a digest is written in: sixteen, none of them a digit, so a digest held in
#: an id or a text field can never look like an identity number.
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def letters_digest(text: str, length: int = 24) -> str:
    """A short SHA-256 digest of ``text`` written in the letters ``a``–``p`` (no digits).

    Used for mark ids (from a Kobo ``rootUuid``, whose hex groups of digits could be
    read as a NIK) and for the content digests marks keep.

    >>> letters_digest("uuid:1b1c5a5e-0c1e-4b5f-9c0a-6a8f0e7d2c11", 12)
    'hadfihkcpgoa'
    """
    if not 8 <= length <= 64:
        raise ValueError("a digest is 8 to 64 letters long")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length].translate(_LETTERS)


def _record_refs(_: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for ref in value:
        kind, colon, record_id = ref.partition(":")
        if not colon or not kind or not record_id:
            raise FieldError(attribute.name, f"holds {quote_value(ref)}, not a 'kind:id' reference")


@attrs.frozen
class ImportMark:
    """One item of an outside source as last imported, and the records it became.

    ``source`` names the source (``"kobo:pengaduan_mitra"``: the form), ``item_id`` the
    item's stable key in it (a Kobo submission's ``meta/rootUuid``, kept across edits)
    and ``revision_id`` the revision imported (its ``_uuid``). ``record_ids`` are the
    records it became, as ``"kind:id"``; ``content_id`` a digest of their content as
    the import wrote them (`letters_digest`), to tell whether someone changed them since.
    """

    kind: ClassVar[str] = "import_mark"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    source: str = attrs.field(validator=non_empty, repr=quote_value)
    item_id: str = attrs.field(validator=non_empty, repr=quote_value)
    revision_id: str = attrs.field(validator=non_empty, repr=quote_value)
    record_ids: tuple[str, ...] = attrs.field(
        default=(), kw_only=True, converter=as_tuple, validator=_record_refs, repr=quote_value
    )
    content_id: str = attrs.field(default="", kw_only=True, repr=quote_value)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)
