"""kk_core: the pure domain model of village Kelompok Konstituen (constituent groups).

No I/O happens here. Records are frozen attrs classes; lifecycles are transition
tables; the converter turns records into plain data and back.
"""

from __future__ import annotations

from kk_core.advocacy import AdvocacyProposal
from kk_core.business_groups import BusinessGroup
from kk_core.cases import Case, Consent, Subject, ViolenceIncident
from kk_core.copying import copy_records
from kk_core.data_updates import DataUpdate
from kk_core.dimensions import Between
from kk_core.disability import Disability
from kk_core.economy import Business, SupportAction
from kk_core.errors import (
    CodeError,
    ConflictError,
    KKError,
    NotFoundError,
    PluginError,
    Problem,
    ReadOnlyError,
    StorageError,
    TransitionError,
    UnknownSchemeError,
    ValidationError,
)
from kk_core.groups import ConstituentGroup, Member
from kk_core.hookspecs import hookimpl
from kk_core.information_centre import ResidentQuestion
from kk_core.kinds import RECORD_KINDS, Record
from kk_core.lifecycle import Event
from kk_core.meetings import Meeting, Speaker
from kk_core.outreach import Audience, InformationSession, Publication
from kk_core.places import Hamlet, Village
from kk_core.plugins import open_store
from kk_core.referrals import Referral, ServiceProvider
from kk_core.store import Capabilities, Store
from kk_core.training import Training

__version__ = "0.1.0"

__all__ = [
    "RECORD_KINDS",
    "AdvocacyProposal",
    "Audience",
    "Between",
    "Business",
    "BusinessGroup",
    "Capabilities",
    "Case",
    "CodeError",
    "ConflictError",
    "Consent",
    "ConstituentGroup",
    "DataUpdate",
    "Disability",
    "Event",
    "Hamlet",
    "InformationSession",
    "KKError",
    "Meeting",
    "Member",
    "NotFoundError",
    "PluginError",
    "Problem",
    "Publication",
    "ReadOnlyError",
    "Record",
    "Referral",
    "ResidentQuestion",
    "ServiceProvider",
    "Speaker",
    "StorageError",
    "Store",
    "Subject",
    "SupportAction",
    "Training",
    "TransitionError",
    "UnknownSchemeError",
    "ValidationError",
    "Village",
    "ViolenceIncident",
    "__version__",
    "copy_records",
    "hookimpl",
    "open_store",
]
