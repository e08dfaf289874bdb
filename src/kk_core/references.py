"""What a record points at, checked as the services check it.

`kk_core.services.Services` checks a record's references inside its transaction: a
member's group exists, a case's companion is a member of the case's group, a hamlet is
a hamlet of the record's village. An importer that writes records in batches of its
own (a CSV folder, a partner's sheet, a page of Kobo submissions) must refuse what the
services would refuse, or it writes a referral to a case that is not there.
`reference_problems` holds those rules once, over a ``lookup`` the importer gives (the
target store, and what the same import has made).

A hamlet and a group point at a village by its Kemendagri code, which the services check
(`kk_core.places`), not at a record; villages, service providers and import marks point
at nothing. Records the services store without checking (a publication, an
information session) are held to the same rules: their group exists, a hamlet they name
is one of its village.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from kk_core._text import quote_value
from kk_core.advocacy import AdvocacyProposal
from kk_core.business_groups import BusinessGroup
from kk_core.cases import Case
from kk_core.codes import QuestionResolution
from kk_core.data_updates import DataUpdate
from kk_core.economy import Business, SupportAction
from kk_core.errors import Problem
from kk_core.groups import ConstituentGroup, Member
from kk_core.information_centre import ResidentQuestion
from kk_core.kinds import Record, RecordType
from kk_core.meetings import Meeting
from kk_core.outreach import InformationSession, Publication
from kk_core.places import Hamlet
from kk_core.referrals import Referral, ServiceProvider
from kk_core.training import Training

__all__ = ["Lookup", "reference_problems"]

#: The record of a kind with an id, or None when there is none.
Lookup = Callable[[RecordType, str], Record | None]


def reference_problems(
    record: Record, lookup: Lookup, *, store: str = "the target store"
) -> list[Problem]:
    """What ``record`` points at that ``lookup`` does not give, or that does not belong
    with it; each problem at the record's field (``case.companion_id``). ``store`` names
    where the records were looked for, in the messages."""
    return _Check(lookup, store).problems(record)


class _Check:
    def __init__(self, lookup: Lookup, store: str) -> None:
        self.lookup = lookup
        self.store = store

    def problems(self, record: Record) -> list[Problem]:
        check = _BY_KIND.get(type(record))
        return [] if check is None else check(self, record)

    # -- the pieces -------------------------------------------------------------------

    def missing(self, kind: RecordType, record_id: str, path: str) -> Problem:
        return Problem(path, f"no {kind.kind} {quote_value(record_id)} in {self.store}")

    def group(self, group_id: str, path: str, found: list[Problem]) -> ConstituentGroup | None:
        group = self.lookup(ConstituentGroup, group_id)
        if isinstance(group, ConstituentGroup):
            return group
        found.append(self.missing(ConstituentGroup, group_id, path))
        return None

    def hamlet(self, village_id: str, hamlet_id: str | None, path: str) -> list[Problem]:
        if hamlet_id is None:
            return []
        hamlet = self.lookup(Hamlet, hamlet_id)
        if isinstance(hamlet, Hamlet) and hamlet.village_id == village_id:
            return []
        return [Problem(path, f"{quote_value(hamlet_id)} is not a hamlet of village {village_id}")]

    def village_of(self, group: ConstituentGroup, village_id: str, path: str) -> list[Problem]:
        if group.village_id == village_id:
            return []
        return [
            Problem(
                path,
                f"{village_id} is not the village of group {quote_value(group.id)} "
                f"({group.village_id})",
            )
        ]

    def members(self, member_ids: Iterable[str], group_id: str, path: str) -> list[Problem]:
        found = []
        for member_id in sorted(member_ids):
            member = self.lookup(Member, member_id)
            if not isinstance(member, Member):
                found.append(self.missing(Member, member_id, path))
            elif member.group_id != group_id:
                found.append(
                    Problem(
                        path,
                        f"{quote_value(member_id)} is not a member of {quote_value(group_id)}",
                    )
                )
        return found

    def approver(self, member_id: str, group_id: str, on: date, path: str) -> list[Problem]:
        member = self.lookup(Member, member_id)
        if not isinstance(member, Member):
            return [self.missing(Member, member_id, path)]
        # the position is kept without its dates: a past approval is judged by the
        # group and the days of membership (the services judged the position then)
        why = member.approval_problem(group_id, on, board=False)
        return [] if why is None else [Problem(path, why)]

    def exists(self, kind: RecordType, record_id: str | None, path: str) -> list[Problem]:
        if record_id is None or isinstance(self.lookup(kind, record_id), kind):
            return []
        return [self.missing(kind, record_id, path)]

    # -- by kind ----------------------------------------------------------------------

    def member(self, member: Any) -> list[Problem]:
        found: list[Problem] = []
        group = self.group(member.group_id, "member.group_id", found)
        if group is not None:
            found += self.hamlet(group.village_id, member.hamlet_id, "member.hamlet_id")
        return found

    def case(self, case: Any) -> list[Problem]:
        found: list[Problem] = []
        group = self.group(case.group_id, "case.group_id", found)
        if group is None:
            return found
        found += self.village_of(group, case.village_id, "case.village_id")
        found += self.hamlet(case.village_id, case.subject.hamlet_id, "case.subject.hamlet_id")
        if case.companion_id is not None:
            found += self.members([case.companion_id], case.group_id, "case.companion_id")
        found += self.members(
            {a.responsible_id for a in case.plan}, case.group_id, "case.plan.responsible_id"
        )
        if case.consent is not None and case.consent.approved_by is not None:
            found += self.approver(
                case.consent.approved_by,
                case.group_id,
                case.consent.recorded_on,
                "case.consent.approved_by",
            )
        return found

    def referral(self, referral: Any) -> list[Problem]:
        found = self.exists(ServiceProvider, referral.provider_id, "referral.provider_id")
        case = self.lookup(Case, referral.case_id)
        if not isinstance(case, Case):
            found.append(self.missing(Case, referral.case_id, "referral.case_id"))
        elif referral.override_approved_by is not None:
            found += self.approver(
                referral.override_approved_by,
                case.group_id,
                referral.sent_on,
                "referral.override_approved_by",
            )
        return found

    def business(self, business: Any) -> list[Problem]:
        found: list[Problem] = []
        group = self.group(business.group_id, "business.group_id", found)
        if group is not None:
            found += self.hamlet(group.village_id, business.hamlet_id, "business.hamlet_id")
        return found

    def support_action(self, action: Any) -> list[Problem]:
        return [
            *self.exists(Business, action.business_id, "support_action.business_id"),
            *self.exists(Member, action.member_id, "support_action.member_id"),
        ]

    def grouped(self, record: Any) -> list[Problem]:
        """A record of a group, with the members it names (meetings, trainings, data
        updates), in a hamlet of its village (information sessions, data updates)."""
        found: list[Problem] = []
        kind = record.kind
        group = self.group(record.group_id, f"{kind}.group_id", found)
        if group is None:
            return found
        found += self.members(getattr(record, "member_ids", ()), group.id, f"{kind}.member_ids")
        hamlet_id = getattr(record, "hamlet_id", None)
        found += self.hamlet(group.village_id, hamlet_id, f"{kind}.hamlet_id")
        return found

    def question(self, question: Any) -> list[Problem]:
        found = self.grouped(question)
        if question.member_id is not None and not any(
            p.path == "resident_question.group_id" for p in found
        ):
            found += self.members(
                [question.member_id], question.group_id, "resident_question.member_id"
            )
        if question.resolution is QuestionResolution.REFERRED:
            found += self.exists(
                ServiceProvider, question.provider_id, "resident_question.provider_id"
            )
        return found

    def business_group(self, business_group: Any) -> list[Problem]:
        found = self.grouped(business_group)
        group_id = business_group.group_id
        for business_id in sorted(business_group.business_ids):
            business = self.lookup(Business, business_id)
            if not isinstance(business, Business):
                found.append(self.missing(Business, business_id, "business_group.business_ids"))
            elif business.group_id != group_id:
                found.append(
                    Problem(
                        "business_group.business_ids",
                        f"{quote_value(business_id)} is a business of group "
                        f"{quote_value(business.group_id)}, not {quote_value(group_id)}",
                    )
                )
        return found

    def proposal(self, proposal: Any) -> list[Problem]:
        found: list[Problem] = []
        group = self.group(proposal.group_id, "advocacy_proposal.group_id", found)
        if group is not None and proposal.village_id is not None:
            found += self.village_of(group, proposal.village_id, "advocacy_proposal.village_id")
        return found  # (``carried_over_from`` is history: the services do not check it)


_BY_KIND: dict[type, Callable[[_Check, Any], list[Problem]]] = {
    Member: _Check.member,
    Case: _Check.case,
    Referral: _Check.referral,
    Business: _Check.business,
    SupportAction: _Check.support_action,
    Publication: _Check.grouped,
    InformationSession: _Check.grouped,
    Meeting: _Check.grouped,
    Training: _Check.grouped,
    DataUpdate: _Check.grouped,
    ResidentQuestion: _Check.question,
    BusinessGroup: _Check.business_group,
    AdvocacyProposal: _Check.proposal,
}
