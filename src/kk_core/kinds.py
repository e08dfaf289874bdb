"""The record kinds a store holds, by the names stores and URLs use."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

from kk_core.advocacy import AdvocacyProposal, upgrade_proposal_data
from kk_core.business_groups import BusinessGroup
from kk_core.cases import Case, upgrade_case_data
from kk_core.data_updates import DataUpdate
from kk_core.disability import Disability, upgrade_disability_data
from kk_core.economy import Business, SupportAction
from kk_core.errors import UnknownKindError, quote_value
from kk_core.groups import ConstituentGroup, Member
from kk_core.import_marks import ImportMark
from kk_core.information_centre import ResidentQuestion
from kk_core.meetings import Meeting
from kk_core.outreach import InformationSession, Publication
from kk_core.places import Hamlet, Village
from kk_core.referrals import Referral, ServiceProvider
from kk_core.training import Training

__all__ = [
    "CURRENT_SHAPE_MARKERS",
    "RECORD_KINDS",
    "RECORD_UPGRADES",
    "VALUE_UPGRADES",
    "Record",
    "RecordType",
    "kind_of",
    "record_type",
]

#: Any record of the library: the union of the record classes.
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
    | Training
    | DataUpdate
    | ResidentQuestion
    | BusinessGroup
    | ImportMark
)
#: A record class (`Case`, `Village` …), as `RECORD_KINDS` maps kind names to them.
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
            Training,
            DataUpdate,
            ResidentQuestion,
            BusinessGroup,
            ImportMark,
        )
    }
)

#: Record class → a function reading the plain data an older release stored for that
#: kind into the current shape (data already current comes back as it is). The
#: converter applies it to every record of the kind it structures, so stores, imports
#: and JSON files of older releases read as current records.
RECORD_UPGRADES: Mapping[RecordType, Callable[[Any], Any]] = MappingProxyType(
    {AdvocacyProposal: upgrade_proposal_data, Case: upgrade_case_data}
)

#: Record class → the key whose presence tells current data from an older release's (its
#: upgrade in `RECORD_UPGRADES` reads data without it as old), and that key's empty
#: value. Data known to be current — what a Kobo or spreadsheet mapping makes — gets the
#: key before it is structured (`kk_core.converter.structure` with ``current=True``): a
#: mapping that leaves secondary issues out must not have its case read as release
#: 0.1.0's (which would, for one, give it an "unknown" perpetrator it never named).
CURRENT_SHAPE_MARKERS: Mapping[RecordType, tuple[str, Any]] = MappingProxyType(
    {AdvocacyProposal: ("cycle_year", None), Case: ("issues", ())}
)

#: Value class → a function reading the plain data an older release stored for a value
#: held inside records (a person's `Disability`, in a member, a business owner or a
#: case's subject) into the current shape. The converter applies it wherever the value
#: appears, after the record's own upgrade (`RECORD_UPGRADES`, which may call it too: it
#: returns current data unchanged).
VALUE_UPGRADES: Mapping[type, Callable[[Any], Any]] = MappingProxyType(
    {Disability: upgrade_disability_data}
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
