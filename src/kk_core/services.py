"""Use cases: a domain transition, a store and the event hooks, put together.

Each method is one transaction: it reads what it needs, applies the pure transition,
checks plugins' extra validation rules, writes, commits, and only then announces the
events. If anything fails, the store is left as it was and no event goes out. A write
that changes nothing (the same content again) is not announced either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

import attrs

from kk_core import advocacy, case_lifecycle, places, referrals
from kk_core.advocacy import AdvocacyProposal
from kk_core.business_groups import BusinessGroup
from kk_core.cases import Assessment, Case, Consent, PlanAction
from kk_core.codes import (
    ApbdesField,
    CaseAction,
    CaseOutcome,
    CaseStatus,
    Forum,
    LegalStage,
    OverrideReason,
    ProposalAction,
    QuestionResolution,
    ReferralStatus,
    RiskLevel,
)
from kk_core.data_updates import DataUpdate
from kk_core.economy import Business, SupportAction
from kk_core.errors import (
    EventDeliveryError,
    KKError,
    NotFoundError,
    PluginError,
    Problem,
    StorageError,
    TransitionError,
    ValidationError,
    quote_value,
)
from kk_core.groups import ConstituentGroup, Member
from kk_core.information_centre import ResidentQuestion
from kk_core.kinds import Record
from kk_core.lifecycle import Event
from kk_core.meetings import Meeting
from kk_core.places import Hamlet, Village
from kk_core.plugins import Plugins, get_plugins
from kk_core.privacy import pseudonymise
from kk_core.referrals import Referral, ServiceProvider
from kk_core.store import Store, Transaction
from kk_core.training import Training

__all__ = ["Services"]

R = TypeVar("R", bound=Record)
T = TypeVar("T")


def _now() -> datetime:
    """Now, in the machine's own zone: dates of events are the local dates (WIB/WITA/WIT)."""
    return datetime.now().astimezone()


@attrs.define
class _Outbox:
    """Events gathered during a transaction, sent only after it commits."""

    cases: list[tuple[Case, Event]] = attrs.field(factory=list)
    referrals: list[tuple[Referral, Event]] = attrs.field(factory=list)
    written: dict[str, list[str]] = attrs.field(factory=dict)
    unchanged: set[tuple[str, str]] = attrs.field(factory=set)  # no-op puts: nothing to announce

    def changed(self, record: Record) -> bool:
        """Whether the transaction really wrote the record (not only no-op puts of it)."""
        key = (record.kind, record.id)
        return key not in self.unchanged or record.id in self.written.get(record.kind, ())


class Services:
    """The KK's use cases over one store.

    Times (``at=``) are aware datetimes in the zone where the work happened: the date of
    an event, a closing or a referral is its date in that zone. Without ``at``, the
    ``clock`` gives the machine's local time.

    >>> from kk_core.services import Services
    >>> from kk_adapters.memory import MemoryStore
    >>> services = Services(MemoryStore())
    """

    def __init__(
        self,
        store: Store,
        *,
        plugins: Plugins | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        if not store.capabilities.transactions:
            raise StorageError(
                f"{store.url} has no transactions: services need them so that a failure "
                "leaves the store unchanged"
            )
        self.store = store
        self._plugins = plugins
        self.clock = clock

    @property
    def plugins(self) -> Plugins:
        return self._plugins if self._plugins is not None else get_plugins()

    # -- plumbing -------------------------------------------------------------------

    def _run(self, work: Callable[[Transaction, _Outbox], T]) -> T:
        outbox = _Outbox()
        with self.store.transaction() as tx:
            result = work(tx, outbox)
            tx.commit()
        self._announce(outbox, result)
        return result

    def _announce(self, outbox: _Outbox, result: object) -> None:
        """Tell every listener, even when one fails: the change is committed either way."""
        url = self.store.url
        calls: list[Callable[[], None]] = []
        for kind, ids in outbox.written.items():
            calls.append(partial(self.plugins.records_written, kind, ids, url))
        for case, event in outbox.cases:
            if outbox.changed(case):
                calls.append(partial(self.plugins.case_transitioned, case, event, url))
        for referral, event in outbox.referrals:
            if outbox.changed(referral):
                calls.append(partial(self.plugins.referral_transitioned, referral, event, url))
        failures: list[PluginError] = []
        for call in calls:
            try:
                call()
            except PluginError as exc:
                failures.append(exc)
        if failures:
            raise EventDeliveryError(result, failures)

    def _code_problems(self, record: Record) -> list[Problem]:
        """Open code-list fields hold codes of the lists as plugins extended them."""
        lists = self.plugins.code_lists
        checks: list[tuple[str, str, str]] = []
        if isinstance(record, Case):
            checks.extend(_case_codes(record))
        elif isinstance(record, ServiceProvider):
            checks.append(("service_provider.service", "service_kind", record.service))
        elif isinstance(record, Referral) and record.service is not None:
            checks.append(("referral.service", "service_kind", record.service))
        elif isinstance(record, Business):
            checks.append(("business.sector", "business_sector", record.sector))
        elif isinstance(record, AdvocacyProposal):
            checks.extend(
                ("advocacy_proposal.issue_areas", "issue_area", area)
                for area in sorted(record.issue_areas)
            )
        elif isinstance(record, DataUpdate):
            checks.append(("data_update.data_set", "data_set", record.data_set))
        elif isinstance(record, ResidentQuestion):
            checks.append(("resident_question.topic", "question_topic", record.topic))
        elif isinstance(record, BusinessGroup):
            checks.append(("business_group.sector", "business_sector", record.sector))
        problems = []
        for path, list_name, code in checks:
            code_list = lists[list_name]
            if code not in code_list.codes:
                hint = code_list.suggest(code)
                known = f"; did you mean {', '.join(hint)}?" if hint else ""
                problems.append(
                    Problem(path, f"{quote_value(code)} is not a code of {list_name}{known}")
                )
        if isinstance(record, Case) and record.subcategory is not None and not problems:
            under = lists["case_subcategory"].core_of(record.subcategory)
            if under is not None and under != record.category.value:
                problems.append(
                    Problem(
                        "case.subcategory",
                        f"{quote_value(record.subcategory)} is a sub-category of {under}, "
                        f"not of the case's category {record.category.value}",
                    )
                )
        return problems

    def problems(self, record: Record) -> list[Problem]:
        """What every write through these services checks of a record besides its
        references: codes of open lists as the plugins extend them, a village code and
        name Kemendagri lists, and the plugins' own rules (``kk_validate_record``).

        For importers that write records in transactions of their own (the Kobo sync
        writes a page of submissions and their import marks together) and must refuse
        what `put` would refuse.
        """
        return [
            *self._place_problems(record),
            *self._code_problems(record),
            *self.plugins.validate(record),
        ]

    def _put(self, tx: Transaction, outbox: _Outbox, record: R, found: Sequence[Problem] = ()) -> R:
        """Validate (with the problems the caller ``found``) and write."""
        problems = [*found, *self._code_problems(record), *self.plugins.validate(record)]
        if problems:
            raise ValidationError(problems, subject=record.kind)
        try:
            before: Record | None = tx.get(type(record), record.id)
        except NotFoundError:
            before = None
        stored = tx.put(record)
        if before is not None and stored == before:  # a no-op put (same content) wrote nothing
            outbox.unchanged.add((record.kind, record.id))
            return stored
        outbox.written.setdefault(record.kind, []).append(record.id)
        return stored

    def _at(self, at: datetime | None) -> datetime:
        """The time of a step: called after the step has read its record, so that a
        concurrent writer's later event makes this write a `ConflictError` (stale
        version), never an event dated before the one it just read."""
        return self.clock() if at is None else at

    def _case_step(
        self,
        case_id: str,
        at: datetime | None,
        step: Callable[[Case, datetime], tuple[Case, Event]],
    ) -> Case:
        def work(tx: Transaction, outbox: _Outbox) -> Case:
            current = tx.get(Case, case_id)
            case, event = step(current, self._at(at))
            stored = self._put(tx, outbox, case)
            outbox.cases.append((stored, event))
            return stored

        return self._run(work)

    def _referral_step(
        self,
        referral_id: str,
        at: datetime | None,
        actor_id: str | None,
        step: Callable[[Referral, datetime], tuple[Referral, Event]],
    ) -> Referral:
        def work(tx: Transaction, outbox: _Outbox) -> Referral:
            current = tx.get(Referral, referral_id)
            when = self._at(at)
            referral, event = step(current, when)
            stored = self._put(tx, outbox, referral)
            outbox.referrals.append((stored, event))
            if not stored.is_open:
                self._resume_if_no_open_referral(
                    tx, outbox, stored.case_id, at=when, actor_id=actor_id
                )
            return stored

        return self._run(work)

    def _resume_if_no_open_referral(
        self, tx: Transaction, outbox: _Outbox, case_id: str, *, at: datetime, actor_id: str | None
    ) -> None:
        case = tx.get(Case, case_id)
        if case.status is not CaseStatus.REFERRED:
            return
        if any(r.is_open for r in tx.find(Referral, case_id=case_id)):
            return
        resumed, event = case_lifecycle.resume_case(
            case, at=at, actor_id=actor_id, note="all referrals finished"
        )
        outbox.cases.append((self._put(tx, outbox, resumed), event))

    @staticmethod
    def _require(tx: Transaction, kind: type[R], record_id: str, field: str) -> R:
        try:
            return tx.get(kind, record_id)
        except NotFoundError:
            pass  # raised below, outside the except block: nothing chained
        raise ValidationError(
            [Problem(field, f"no {kind.kind} with id {quote_value(record_id)}")],
            subject=kind.kind,
        )

    # -- groups and members ---------------------------------------------------------

    def register_group(self, group: ConstituentGroup) -> ConstituentGroup:
        """Add or update a group; its village code must be one Kemendagri lists."""
        return self._run(lambda tx, out: self._put(tx, out, group, self._place_problems(group)))

    def register_members(self, members: Sequence[Member]) -> list[Member]:
        """Add or update members; each must belong to an existing group, and live (when a
        hamlet is given) in a hamlet of its group's village."""

        def work(tx: Transaction, outbox: _Outbox) -> list[Member]:
            groups = [
                self._require(tx, ConstituentGroup, m.group_id, f"member {m.id}.group_id")
                for m in members
            ]
            return [
                self._put(
                    tx,
                    outbox,
                    m,
                    self._hamlet_problems(
                        tx, g.village_id, m.hamlet_id, f"member {m.id}.hamlet_id"
                    ),
                )
                for m, g in zip(members, groups, strict=True)
            ]

        return self._run(work)

    # -- cases ----------------------------------------------------------------------

    def record_case(
        self, case: Case, *, at: datetime | None = None, actor_id: str | None = None
    ) -> Case:
        """Store a new case with the first event of its timeline."""

        def work(tx: Transaction, outbox: _Outbox) -> Case:
            group = self._require(tx, ConstituentGroup, case.group_id, "case.group_id")
            if group.village_id != case.village_id:
                raise ValidationError(
                    [
                        Problem(
                            "case.village_id",
                            f"{case.village_id} is not the village of group {group.id} "
                            f"({group.village_id})",
                        )
                    ],
                    subject="case",
                )
            hamlet = self._hamlet_problems(
                tx, case.village_id, case.subject.hamlet_id, "case.subject.hamlet_id"
            )
            reported, event = case_lifecycle.report_case(case, at=self._at(at), actor_id=actor_id)
            stored = self._put(tx, outbox, reported, hamlet)
            outbox.cases.append((stored, event))
            return stored

        return self._run(work)

    def assign_companion(
        self,
        case_id: str,
        member_id: str,
        *,
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        """Name an active member of the case's own group as companion."""

        def work(tx: Transaction, outbox: _Outbox) -> Case:
            case = tx.get(Case, case_id)
            member = self._require(tx, Member, member_id, "companion_id")
            when = self._at(at)
            if member.group_id != case.group_id or not member.is_active_on(when.date()):
                raise ValidationError(
                    [
                        Problem(
                            "companion_id",
                            f"{quote_value(member_id)} is not an active member of "
                            f"{quote_value(case.group_id)}",
                        )
                    ],
                    subject="case",
                )
            assigned, event = case_lifecycle.assign_companion(
                case, member_id, at=when, actor_id=actor_id
            )
            stored = self._put(tx, outbox, assigned)
            outbox.cases.append((stored, event))
            return stored

        return self._run(work)

    def record_consent(
        self,
        case_id: str,
        consent: Consent,
        *,
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        """Record a consent; a best-interest decision's ``approved_by`` must be on the
        board of the case's group on the day of the consent."""

        def work(tx: Transaction, outbox: _Outbox) -> Case:
            case = tx.get(Case, case_id)
            when = self._at(at)
            if consent.approved_by is not None:
                self._require_coordinator(
                    tx, consent.approved_by, case.group_id, consent.recorded_on, subject="consent"
                )
            recorded, event = case_lifecycle.record_consent(
                case, consent, at=when, actor_id=actor_id
            )
            stored = self._put(tx, outbox, recorded)
            outbox.cases.append((stored, event))
            return stored

        return self._run(work)

    def update_case(
        self,
        case_id: str,
        changes: Mapping[str, Any],
        *,
        note: str = "",
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        """Record what was learnt or corrected later (`case_lifecycle.update_case`); the
        new details are checked like a new case's (codes, the hamlet)."""

        def work(tx: Transaction, outbox: _Outbox) -> Case:
            case = tx.get(Case, case_id)
            updated, event = case_lifecycle.update_case(
                case,
                changes,
                at=self._at(at),
                actor_id=actor_id,
                note=note,
                referred_to=self._referred_to(tx, case_id) if case.outcome else (),
            )
            hamlet = self._hamlet_problems(
                tx, updated.village_id, updated.subject.hamlet_id, "case.subject.hamlet_id"
            )
            stored = self._put(tx, outbox, updated, hamlet)
            outbox.cases.append((stored, event))
            return stored

        return self._run(work)

    def change_risk(
        self,
        case_id: str,
        risk: RiskLevel,
        *,
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        return self._case_step(
            case_id,
            at,
            lambda c, when: case_lifecycle.change_risk(c, risk, at=when, actor_id=actor_id),
        )

    def add_case_note(
        self, case_id: str, note: str, *, at: datetime | None = None, actor_id: str | None = None
    ) -> Case:
        return self._case_step(
            case_id,
            at,
            lambda c, when: case_lifecycle.add_note(c, note, at=when, actor_id=actor_id),
        )

    def refer_case(
        self,
        case_id: str,
        provider_id: str,
        reason: str,
        *,
        referral_id: str,
        override: OverrideReason | None = None,
        override_note: str = "",
        approved_by: str | None = None,
        follow_up_due: date | None = None,
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> tuple[Case, Referral]:
        """Send a referral and mark its case referred, in one transaction.

        The case's consent (``case.consent``) must cover the provider's kind of service;
        without it, an ``override`` needs ``override_note`` (why it cannot wait for
        consent) and ``approved_by``: a member of the case's group who holds a post on
        its board (a coordinator, the chair…). Returns the case and the referral as stored.
        """

        def work(tx: Transaction, outbox: _Outbox) -> tuple[Case, Referral]:
            case = tx.get(Case, case_id)
            provider = self._require(tx, ServiceProvider, provider_id, "referral.provider_id")
            when = self._at(at)
            if override is not None and approved_by is not None:
                self._require_coordinator(
                    tx, approved_by, case.group_id, when.date(), subject="referral"
                )
            referred, case_event = case_lifecycle.refer_case(
                case,
                referral_id,
                at=when,
                service=provider.service,
                override=override,
                override_note=override_note,
                approved_by=approved_by,
                actor_id=actor_id,
                note=reason,
            )
            # the lifecycle guard has checked consent or override, so the record is valid
            referral = Referral(
                referral_id,
                case_id,
                provider_id,
                reason,
                when.date(),
                consent_given=override is None,
                override=override,
                override_note=override_note if override is not None else "",
                override_approved_by=approved_by if override is not None else None,
                follow_up_due=follow_up_due,
                service=provider.service,
            )
            sent, referral_event = referrals.send_referral(referral, at=when, actor_id=actor_id)
            stored_case = self._put(tx, outbox, referred)
            stored_referral = self._put(tx, outbox, sent)
            outbox.cases.append((stored_case, case_event))
            outbox.referrals.append((stored_referral, referral_event))
            return stored_case, stored_referral

        return self._run(work)

    def record_referral_response(
        self,
        referral_id: str,
        *,
        accepted: bool,
        reason: str = "",
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Referral:
        """The service accepted or declined; a decline with no other open referral resumes the case."""
        if accepted:
            return self._referral_step(
                referral_id,
                at,
                actor_id,
                lambda r, when: referrals.accept_referral(
                    r, at=when, actor_id=actor_id, note=reason
                ),
            )
        return self._referral_step(
            referral_id,
            at,
            actor_id,
            lambda r, when: referrals.decline_referral(
                r, at=when, reason=reason, actor_id=actor_id
            ),
        )

    def follow_up_referral(
        self,
        referral_id: str,
        next_due: date | None,
        *,
        note: str = "",
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Referral:
        return self._referral_step(
            referral_id,
            at,
            actor_id,
            lambda r, when: referrals.follow_up_referral(
                r, at=when, next_due=next_due, actor_id=actor_id, note=note
            ),
        )

    def complete_referral(
        self,
        referral_id: str,
        outcome: str,
        *,
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Referral:
        return self._referral_step(
            referral_id,
            at,
            actor_id,
            lambda r, when: referrals.complete_referral(r, outcome, at=when, actor_id=actor_id),
        )

    def cancel_referral(
        self,
        referral_id: str,
        reason: str,
        *,
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Referral:
        return self._referral_step(
            referral_id,
            at,
            actor_id,
            lambda r, when: referrals.cancel_referral(r, at=when, reason=reason, actor_id=actor_id),
        )

    def _referred_to(self, tx: Transaction, case_id: str) -> set[str]:
        """Where the case really went: a declined or cancelled referral is not one."""
        return {
            provider.service
            for referral in tx.find(
                Referral,
                case_id=case_id,
                status={ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED},
            )
            for provider in self._providers(tx, referral.provider_id)
        }

    def close_case(
        self,
        case_id: str,
        outcome: CaseOutcome,
        *,
        note: str = "",
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        """Close with an outcome; refused while a referral of the case is still open."""

        def work(tx: Transaction, outbox: _Outbox) -> Case:
            case = tx.get(Case, case_id)
            when = self._at(at)
            still_open = sorted(r.id for r in tx.find(Referral, case_id=case_id) if r.is_open)
            if still_open:
                raise TransitionError(
                    "case",
                    case.status.value,
                    CaseAction.CLOSE.value,
                    f"referrals still open ({', '.join(still_open)}): complete or cancel them first",
                )
            referred_to = self._referred_to(tx, case_id)
            closed, event = case_lifecycle.close_case(
                case, outcome, at=when, actor_id=actor_id, note=note, referred_to=referred_to
            )
            stored = self._put(tx, outbox, closed)
            outbox.cases.append((stored, event))
            return stored

        return self._run(work)

    @staticmethod
    def _providers(tx: Transaction, provider_id: str) -> list[ServiceProvider]:
        try:
            return [tx.get(ServiceProvider, provider_id)]
        except NotFoundError:
            return []

    def _require_coordinator(
        self, tx: Transaction, member_id: str, group_id: str, on: date, subject: str
    ) -> None:
        """The member who approves an override or a best-interest decision: on the board
        of the case's group, and a member on that day."""
        member = self._require(tx, Member, member_id, "approved_by")
        why = member.approval_problem(group_id, on)
        if why is not None:
            raise ValidationError([Problem("approved_by", why)], subject=subject)

    def assess_case(
        self,
        case_id: str,
        assessment: Assessment,
        *,
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        """Record an assessment: needs by domain and the risk level it sets."""
        return self._case_step(
            case_id,
            at,
            lambda c, when: case_lifecycle.assess_case(c, assessment, at=when, actor_id=actor_id),
        )

    def plan_case(
        self,
        case_id: str,
        plan: Sequence[PlanAction],
        *,
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        """Set the case plan; each action's responsible member is a member of the group."""

        def work(tx: Transaction, outbox: _Outbox) -> Case:
            case = tx.get(Case, case_id)
            problems = [
                Problem(
                    f"plan[{i}].responsible_id",
                    f"no member {quote_value(a.responsible_id)} of this group",
                )
                for i, a in enumerate(plan)
                if not self._is_member_of(tx, a.responsible_id, case.group_id)
            ]
            if problems:
                raise ValidationError(problems, subject="case")
            planned, event = case_lifecycle.plan_case(
                case, plan, at=self._at(at), actor_id=actor_id
            )
            stored = self._put(tx, outbox, planned)
            outbox.cases.append((stored, event))
            return stored

        return self._run(work)

    @staticmethod
    def _is_member_of(tx: Transaction, member_id: str, group_id: str) -> bool:
        try:
            return tx.get(Member, member_id).group_id == group_id
        except NotFoundError:
            return False

    def follow_up_case(
        self,
        case_id: str,
        next_follow_up: date | None,
        *,
        note: str = "",
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        """A follow-up of the case, and the date of the next one."""
        return self._case_step(
            case_id,
            at,
            lambda c, when: case_lifecycle.follow_up_case(
                c, next_follow_up, at=when, actor_id=actor_id, note=note
            ),
        )

    def record_legal_step(
        self,
        case_id: str,
        stage: LegalStage,
        *,
        note: str = "",
        at: datetime | None = None,
        actor_id: str | None = None,
    ) -> Case:
        """Where the legal process the KK accompanies stands; the case stays open."""
        return self._case_step(
            case_id,
            at,
            lambda c, when: case_lifecycle.record_legal_step(
                c, stage, at=when, actor_id=actor_id, note=note
            ),
        )

    def reopen_case(
        self, case_id: str, reason: str, *, at: datetime | None = None, actor_id: str | None = None
    ) -> Case:
        return self._case_step(
            case_id,
            at,
            lambda c, when: case_lifecycle.reopen_case(
                c, at=when, reason=reason, actor_id=actor_id
            ),
        )

    # -- Ekonomi, Humas, meetings -----------------------------------------------------

    def register_business(self, business: Business) -> Business:
        """Add or update a business of an existing group, in a hamlet of the group's village."""

        def work(tx: Transaction, outbox: _Outbox) -> Business:
            group = self._require(tx, ConstituentGroup, business.group_id, "business.group_id")
            hamlet = self._hamlet_problems(
                tx, group.village_id, business.hamlet_id, "business.hamlet_id"
            )
            return self._put(tx, outbox, business, hamlet)

        return self._run(work)

    def record_support(self, action: SupportAction) -> SupportAction:
        """Record (or update) a permit, mentoring or capital action for an existing business."""

        def work(tx: Transaction, outbox: _Outbox) -> SupportAction:
            self._require(tx, Business, action.business_id, "support_action.business_id")
            if action.member_id is not None:
                self._require(tx, Member, action.member_id, "support_action.member_id")
            return self._put(tx, outbox, action)

        return self._run(work)

    def record_meeting(self, meeting: Meeting) -> Meeting:
        """Record a meeting; every member listed as present must be a member of the group."""

        def work(tx: Transaction, outbox: _Outbox) -> Meeting:
            self._require(tx, ConstituentGroup, meeting.group_id, "meeting.group_id")
            problems = []
            for member_id in sorted(meeting.member_ids):
                try:
                    member = tx.get(Member, member_id)
                except NotFoundError:
                    problems.append(
                        Problem("meeting.member_ids", f"no member {quote_value(member_id)}")
                    )
                    continue
                if member.group_id != meeting.group_id:
                    problems.append(
                        Problem(
                            "meeting.member_ids",
                            f"{quote_value(member_id)} is not in group "
                            f"{quote_value(meeting.group_id)}",
                        )
                    )
            if problems:
                raise ValidationError(problems, subject="meeting")
            return self._put(tx, outbox, meeting)

        return self._run(work)

    def put(self, record: R) -> R:
        """Store a record without a lifecycle (a village, a provider, a publication…) in its
        own transaction, with validation and events. Cases, referrals and proposals only
        change through their own methods, so their timelines stay true."""
        if isinstance(record, Case | Referral | AdvocacyProposal):
            raise ValidationError(
                [
                    Problem(
                        "record",
                        f"a {record.kind} changes through its lifecycle: use record_case, "
                        "refer_case or draft_proposal and the methods that follow them "
                        "(update_case for a case's details)",
                    )
                ],
                subject=record.kind,
            )
        if isinstance(record, Member):  # the same checks as registering them
            return self.register_members([record])[0]  # type: ignore[return-value]
        if isinstance(record, Business):
            return self.register_business(record)  # type: ignore[return-value]
        return self._run(lambda tx, out: self._put(tx, out, record, self._place_problems(record)))

    # -- places -----------------------------------------------------------------------

    @staticmethod
    def _place_problems(record: Record) -> list[Problem]:
        """A record that brings in a village code (a village, a hamlet, a group) brings a
        code Kemendagri lists; a village bears that code's official name. Records read
        from a store are not refused for this: codes and names change between decrees."""
        if isinstance(record, Village):
            return places.village_problems(record)
        if isinstance(record, Hamlet):
            return places.village_code_problems(record.village_id, "hamlet.village_id")
        if isinstance(record, ConstituentGroup):
            return places.village_code_problems(record.village_id, "group.village_id")
        return []

    @staticmethod
    def _hamlet_problems(
        tx: Transaction, village_id: str, hamlet_id: str | None, path: str
    ) -> list[Problem]:
        """A hamlet id must name a `Hamlet` of the record's village (as the store has it)."""
        if hamlet_id is None:
            return []
        try:
            if tx.get(Hamlet, hamlet_id).village_id == village_id:
                return []
        except NotFoundError:
            pass
        known = sorted(h.id for h in tx.find(Hamlet, village_id=village_id))
        if not known:
            listed = "which has no hamlets yet: put its Hamlet records first"
        else:
            listed = "whose hamlets are " + ", ".join(quote_value(h, 40) for h in known[:20])
            if len(known) > 20:
                listed += f" and {len(known) - 20:,} more"
        return [
            Problem(
                path, f"{quote_value(hamlet_id)} is not a hamlet of village {village_id}, {listed}"
            )
        ]

    def pseudonymise(self, nik: str, *, check: bool = True) -> str:
        """The pseudonym of an identity number, keyed by the deployment's ``kk_pseudonym_key``.

        Put it in ``Subject.identity``; the number itself is never stored. Without a key
        it refuses (there is no default key). The number must be a well-formed NIK
        (`kk_core.privacy.nik_problems`: region, birth date, serial) unless
        ``check=False`` (a family card number, a NIK of a retired district code).
        """
        key = self.plugins.pseudonym_key()
        if key is None:
            raise KKError(
                "no pseudonymisation key: install a plugin implementing kk_pseudonym_key "
                "(identity numbers are never stored in clear)"
            )
        return pseudonymise(nik, key, check=check)

    # -- Pendataan: advocacy ----------------------------------------------------------

    def _proposal_village(
        self, tx: Transaction, proposal: AdvocacyProposal, field: str
    ) -> AdvocacyProposal:
        """The proposal with its group's village (the plan and budget it is for): filled
        in when missing, refused when it names another village."""
        group = self._require(tx, ConstituentGroup, proposal.group_id, field)
        if proposal.village_id is None:
            return attrs.evolve(proposal, village_id=group.village_id)
        if proposal.village_id != group.village_id:
            raise ValidationError(
                [
                    Problem(
                        "advocacy_proposal.village_id",
                        f"{quote_value(proposal.village_id)} is not the village of group "
                        f"{quote_value(group.id)} ({group.village_id})",
                    )
                ],
                subject="advocacy_proposal",
            )
        return proposal

    def draft_proposal(
        self, proposal: AdvocacyProposal, *, at: datetime | None = None, actor_id: str | None = None
    ) -> AdvocacyProposal:
        """Store a new proposal with its draft event; its group must exist, and its
        ``village_id`` is the group's village (filled in when not given)."""

        def work(tx: Transaction, outbox: _Outbox) -> AdvocacyProposal:
            placed = self._proposal_village(tx, proposal, "advocacy_proposal.group_id")
            drafted, _ = advocacy.draft_proposal(placed, at=self._at(at), actor_id=actor_id)
            return self._put(tx, outbox, drafted)

        return self._run(work)

    def advance_proposal(
        self,
        proposal_id: str,
        action: ProposalAction,
        *,
        at: datetime | None = None,
        actor_id: str | None = None,
        note: str = "",
        allocated_rupiah: int | None = None,
        budget_field: ApbdesField | None = None,
        meeting_id: str | None = None,
    ) -> AdvocacyProposal:
        """Move a proposal along by one action of its table (all but ``draft`` and
        ``carry_over``, which have their own methods).

        ``note`` is the reason of a rejection and names the regulation of a policy
        outcome; funding takes ``allocated_rupiah`` (and ``budget_field``). A submit or a
        discussion may name the forum ``meeting_id`` it happened at: it must be a meeting
        of the proposal's group. A proposal stored without a village (release 0.1.0) gets
        its group's village on its next step, so a kelurahan is never funded.
        """
        Step = Callable[[AdvocacyProposal, datetime], tuple[AdvocacyProposal, Event]]
        submit_to = {
            ProposalAction.SUBMIT_MUSDUS: Forum.MUSYAWARAH_DUSUN,
            ProposalAction.SUBMIT_MUSDES: Forum.MUSYAWARAH_DESA,
            ProposalAction.SUBMIT_MUSRENBANGDES: Forum.MUSRENBANGDES,
        }

        def submit(forum: Forum) -> Step:
            return lambda p, when: advocacy.submit_proposal(
                p, at=when, to=forum, meeting_id=meeting_id, actor_id=actor_id, note=note
            )

        steps: dict[ProposalAction, Step] = {
            **{action: submit(forum) for action, forum in submit_to.items()},
            ProposalAction.DISCUSS: lambda p, when: advocacy.discuss_proposal(
                p, at=when, meeting_id=meeting_id, actor_id=actor_id, note=note
            ),
            ProposalAction.ADOPT_RKPDES: lambda p, when: advocacy.adopt_proposal(
                p, at=when, actor_id=actor_id, note=note
            ),
            ProposalAction.FUND_APBDES: lambda p, when: advocacy.fund_proposal(
                p,
                _amount(allocated_rupiah),
                at=when,
                budget_field=budget_field,
                actor_id=actor_id,
                note=note,
            ),
            ProposalAction.ENACT_PERDES: lambda p, when: advocacy.enact_perdes(
                p, at=when, regulation=note, actor_id=actor_id
            ),
            ProposalAction.ISSUE_PERKADES: lambda p, when: advocacy.issue_perkades(
                p, at=when, regulation=note, actor_id=actor_id
            ),
            ProposalAction.AGREE_AWIG_AWIG: lambda p, when: advocacy.agree_awig_awig(
                p, at=when, rule=note, actor_id=actor_id
            ),
            ProposalAction.REJECT: lambda p, when: advocacy.reject_proposal(
                p, at=when, reason=note, actor_id=actor_id
            ),
        }
        problems: list[Problem] = []
        if action not in steps:
            problems.append(
                Problem(
                    "action",
                    f"advance_proposal takes one of {', '.join(steps)}, not {quote_value(action)}",
                )
            )
        elif meeting_id is not None and action not in (*submit_to, ProposalAction.DISCUSS):
            problems.append(
                Problem("meeting_id", "a meeting is named for a submit or a discussion only")
            )
        if problems:
            raise ValidationError(problems, subject="advocacy_proposal")

        def work(tx: Transaction, outbox: _Outbox) -> AdvocacyProposal:
            current = tx.get(AdvocacyProposal, proposal_id)
            if current.village_id is None:
                current = self._proposal_village(tx, current, "advocacy_proposal.group_id")
            if meeting_id is not None:
                self._require_meeting_of(tx, meeting_id, current.group_id)
            advanced, _ = steps[action](current, self._at(at))
            return self._put(tx, outbox, advanced)

        return self._run(work)

    def _require_meeting_of(self, tx: Transaction, meeting_id: str, group_id: str) -> None:
        meeting = self._require(tx, Meeting, meeting_id, "meeting_id")
        if meeting.group_id != group_id:
            raise ValidationError(
                [
                    Problem(
                        "meeting_id",
                        f"{quote_value(meeting_id)} is a meeting of group "
                        f"{quote_value(meeting.group_id)}, not {quote_value(group_id)}",
                    )
                ],
                subject="advocacy_proposal",
            )

    def carry_over_proposal(
        self,
        proposal_id: str,
        next_id: str,
        *,
        forum: Forum | None = None,
        at: datetime | None = None,
        actor_id: str | None = None,
        note: str = "",
    ) -> tuple[AdvocacyProposal, AdvocacyProposal]:
        """Carry a proposal over to next year's cycle, in one transaction: this one ends
        ``carried_over`` and names ``next_id``, a new draft for the next cycle year
        (entering at ``forum``, this one's when not given). ``next_id`` must be free.
        Returns both as stored."""

        def work(tx: Transaction, outbox: _Outbox) -> tuple[AdvocacyProposal, AdvocacyProposal]:
            current = tx.get(AdvocacyProposal, proposal_id)
            if current.village_id is None:
                current = self._proposal_village(tx, current, "advocacy_proposal.group_id")
            taken = True
            try:
                tx.get(AdvocacyProposal, next_id)
            except NotFoundError:
                taken = False
            if taken:
                raise ValidationError(
                    [Problem("next_id", f"a proposal {quote_value(next_id)} already exists")],
                    subject="advocacy_proposal",
                )
            closed, _, following = advocacy.carry_over_proposal(
                current, next_id, at=self._at(at), forum=forum, actor_id=actor_id, note=note
            )
            return self._put(tx, outbox, closed), self._put(tx, outbox, following)

        return self._run(work)

    # -- training, Pendataan data, the information centre, business groups --------------

    def _member_problems(
        self, tx: Transaction, path: str, group_id: str, member_ids: frozenset[str]
    ) -> list[Problem]:
        """Each listed member exists and is a member of the group."""
        problems = []
        for member_id in sorted(member_ids):
            try:
                member = tx.get(Member, member_id)
            except NotFoundError:
                problems.append(Problem(path, f"no member {quote_value(member_id)}"))
                continue
            if member.group_id != group_id:
                problems.append(
                    Problem(
                        path,
                        f"{quote_value(member_id)} is not in group {quote_value(group_id)}",
                    )
                )
        return problems

    def record_training(self, training: Training) -> Training:
        """Record (or update) a training; every member listed must be a member of the group."""

        def work(tx: Transaction, outbox: _Outbox) -> Training:
            self._require(tx, ConstituentGroup, training.group_id, "training.group_id")
            problems = self._member_problems(
                tx, "training.member_ids", training.group_id, training.member_ids
            )
            if problems:
                raise ValidationError(problems, subject="training")
            return self._put(tx, outbox, training)

        return self._run(work)

    def record_data_update(self, update: DataUpdate) -> DataUpdate:
        """Record (or update) a data update; the members who did it are of the group."""

        def work(tx: Transaction, outbox: _Outbox) -> DataUpdate:
            self._require(tx, ConstituentGroup, update.group_id, "data_update.group_id")
            problems = self._member_problems(
                tx, "data_update.member_ids", update.group_id, update.member_ids
            )
            if problems:
                raise ValidationError(problems, subject="data_update")
            return self._put(tx, outbox, update)

        return self._run(work)

    def record_question(self, question: ResidentQuestion) -> ResidentQuestion:
        """Record (or update) a resident's question: the member who took it is of the
        group, and a referred question names a provider the store holds."""

        def work(tx: Transaction, outbox: _Outbox) -> ResidentQuestion:
            self._require(tx, ConstituentGroup, question.group_id, "resident_question.group_id")
            problems: list[Problem] = []
            if question.member_id is not None:
                problems += self._member_problems(
                    tx,
                    "resident_question.member_id",
                    question.group_id,
                    frozenset({question.member_id}),
                )
            if question.resolution is QuestionResolution.REFERRED:
                assert question.provider_id is not None  # the record's own rule
                try:
                    tx.get(ServiceProvider, question.provider_id)
                except NotFoundError:
                    problems.append(
                        Problem(
                            "resident_question.provider_id",
                            f"no service_provider with id {quote_value(question.provider_id)}",
                        )
                    )
            if problems:
                raise ValidationError(problems, subject="resident_question")
            return self._put(tx, outbox, question)

        return self._run(work)

    def register_business_group(self, business_group: BusinessGroup) -> BusinessGroup:
        """Add or update a business group; its businesses exist and are the same KK's."""

        def work(tx: Transaction, outbox: _Outbox) -> BusinessGroup:
            group_id = business_group.group_id
            self._require(tx, ConstituentGroup, group_id, "business_group.group_id")
            problems = []
            for business_id in sorted(business_group.business_ids):
                try:
                    business = tx.get(Business, business_id)
                except NotFoundError:
                    problems.append(
                        Problem(
                            "business_group.business_ids",
                            f"no business {quote_value(business_id)}",
                        )
                    )
                    continue
                if business.group_id != group_id:
                    problems.append(
                        Problem(
                            "business_group.business_ids",
                            f"{quote_value(business_id)} is a business of group "
                            f"{quote_value(business.group_id)}, not {quote_value(group_id)}",
                        )
                    )
            if problems:
                raise ValidationError(problems, subject="business_group")
            return self._put(tx, outbox, business_group)

        return self._run(work)


def _case_codes(case: Case) -> list[tuple[str, str, str]]:
    """(path, open list, code) of every open-list code a case holds."""
    checks: list[tuple[str, str, str]] = []
    if case.subcategory is not None:
        checks.append(("case.subcategory", "case_subcategory", case.subcategory))
    if case.programme is not None:
        checks.append(("case.programme", "social_programme", case.programme))
    if case.violence is not None:
        checks.append(("case.violence.place", "incident_place", case.violence.place))
        checks.extend(
            (f"case.violence.perpetrators[{i}].relation", "perpetrator_relation", p.relation)
            for i, p in enumerate(case.violence.perpetrators)
        )
    if case.consent is not None:
        checks.extend(
            ("case.consent.services", "service_kind", code)
            for code in sorted(case.consent.services)
        )
    checks.extend(
        (f"case.plan[{i}].service", "service_kind", a.service)
        for i, a in enumerate(case.plan)
        if a.service is not None
    )
    return checks


def _amount(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(
            [Problem("allocated_rupiah", "funding needs the amount allocated (rupiah)")]
        )
    return value
