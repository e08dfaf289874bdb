"""The record kinds a store holds, by the names stores and URLs use."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

from kk_core.advocacy import AdvocacyProposal
from kk_core.cases import Case
from kk_core.economy import Business, SupportAction
from kk_core.errors import UnknownKindError, quote_value
from kk_core.groups import ConstituentGroup, Member
from kk_core.meetings import Meeting
from kk_core.outreach import InformationSession, Publication
from kk_core.places import Hamlet, Village
from kk_core.referrals import Referral, ServiceProvider

__all__ = ["RECORD_KINDS", "Record", "RecordType", "kind_of", "record_type"]

Record: TypeAlias = (
    Village
    | Hamlet
    | ConstituentGroup
    | Member
    | Case
    | ServiceProvider
    | Referral
    | Business
    | SupportAction
    | Publication
    | InformationSession
    | AdvocacyProposal
    | Meeting
)
RecordType: TypeAlias = type[Record]

#: kind name → record class, in an order where every kind comes after what it points at.
RECORD_KINDS: Mapping[str, RecordType] = MappingProxyType(
    {
        cls.kind: cls
        for cls in (
            Village,
            Hamlet,
            ConstituentGroup,
            Member,
            ServiceProvider,
            Case,
            Referral,
            Business,
            SupportAction,
            Publication,
            InformationSession,
            AdvocacyProposal,
            Meeting,
        )
    }
)


def kind_of(record: Record) -> str:
    return record.kind


def record_type(kind: str | type[Any]) -> RecordType:
    """The record class for a kind name (or the class itself); clear error when unknown."""
    if isinstance(kind, type):
        if kind in RECORD_KINDS.values():
            return kind
        raise UnknownKindError(f"{kind.__name__} is not a record kind of kk_core")
    found = RECORD_KINDS.get(kind) if isinstance(kind, str) else None
    if found is None:  # raised outside an except block: no KeyError holding the name chained
        known = ", ".join(RECORD_KINDS)
        raise UnknownKindError(f"unknown record kind {quote_value(kind)}; known kinds: {known}")
    return found
