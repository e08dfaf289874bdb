"""Use cases: every service method's happy path, its refusals, and the events it announces.

Every refusal is checked the same way: the error, an unchanged store, and no event. Every
event is checked as the hook receives it: after the commit (the recorder reads the store
from inside the hook), in the right hook, carrying the record as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

import kk_adapters.memory
from kk_adapters.memory import MemoryStore
from kk_core import hookimpl
from kk_core.advocacy import AdvocacyProposal
from kk_core.cases import Assent, Case, Consent, Subject
from kk_core.codes import (
    Affiliation,
    AssentDecision,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ConsentGiver,
    Forum,
    IntakeChannel,
    OverrideReason,
    Position,
    ProposalAction,
    ProposalStatus,
    ReferralStatus,
    RiskLevel,
    Sex,
    SupportStatus,
    SupportType,
)
from kk_core.economy import Business, SupportAction
from kk_core.errors import (
    ConflictError,
    KKError,
    NotFoundError,
    Problem,
    TransitionError,
    ValidationError,
)
from kk_core.groups import ConstituentGroup, Member
from kk_core.kinds import RECORD_KINDS, Record, record_type
from kk_core.lifecycle import Event
from kk_core.meetings import Meeting
from kk_core.places import Hamlet
from kk_core.plugins import Plugins
from kk_core.referrals import Referral, ServiceProvider
from kk_core.services import Services

WITA = timezone(timedelta(hours=8))
VILLAGE = "52.03.12.2005"
REPORTED = date(2025, 2, 13)

GROUP = ConstituentGroup("kk-teros", VILLAGE, "KK Desa Teros")
OTHER_GROUP = ConstituentGroup("kk-lain", "52.03.12.2006", "KK Desa Lain")
HAMLET = Hamlet("dsn-lendang", VILLAGE, "Lendang Nangka")  # where new_case's client lives


def member(member_id: str, group_id: str = "kk-teros", **kw: Any) -> Member:
    kw.setdefault("joined_on", date(2024, 1, 1))
    joined = kw.pop("joined_on")
    return Member(
        member_id, group_id, f"Anggota {member_id}", Sex.FEMALE, {Affiliation.PKK}, joined, **kw
    )


MEMBERS = (
    member("m-active"),
    member("m-left", joined_on=date(2023, 1, 1), left_on=date(2024, 12, 31)),
    member("m-future", joined_on=date(2026, 1, 1)),
    member("m-other", group_id="kk-lain"),
    member("m-ketua", position=Position.CHAIR),
)
PROVIDERS = (
    ServiceProvider("uptd-ppa", "uptd_ppa", "UPTD PPA Lombok Timur"),
    ServiceProvider("kua", "kua", "KUA Kecamatan Sakra"),
)
#: A parent's consent to refer to the UPTD PPA and the KUA, with the child's assent.
CONSENT = Consent(
    ConsentGiver.PARENT,
    REPORTED,
    services={"uptd_ppa", "kua"},
    assent=Assent(AssentDecision.GIVEN, REPORTED),
)
#: What an override needs besides its reason: why, and the coordinator who approved it.
OVERRIDE = {"override_note": "Tidak bisa menunggu: ancaman", "approved_by": "m-ketua"}


def new_case(
    case_id: str = "c-1", *, age: int = 15, consent: Consent | None = None, **kw: Any
) -> Case:
    kw.setdefault("group_id", "kk-teros")
    return Case(
        case_id,
        kw.pop("group_id"),
        VILLAGE,
        REPORTED,
        IntakeChannel.WALK_IN,
        CaseCategory.CHILD_MARRIAGE if age < 19 else CaseCategory.VIOLENCE,
        Subject(Sex.FEMALE, age_years=age, hamlet_id="dsn-lendang"),
        consent=consent,
        **kw,
    )


def new_referral(
    referral_id: str = "r-1", case_id: str = "c-1", provider_id: str = "uptd-ppa"
) -> dict[str, Any]:
    """Arguments of Services.refer_case; consent comes from the case itself."""
    return {
        "case_id": case_id,
        "provider_id": provider_id,
        "reason": "Pencegahan perkawinan anak",
        "referral_id": referral_id,
    }


class Clock:
    """An hour later at every call, in WITA (Lombok's zone)."""

    def __init__(self) -> None:
        self.now = datetime(2025, 2, 13, 8, 0, tzinfo=WITA)

    def __call__(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now


class Recorder:
    """Records every event, with whether the record was already committed when it came."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.calls: list[tuple[str, Any]] = []
        self.rule: Callable[[Record], Sequence[Problem]] = lambda record: ()

    def _committed(self, record: Record) -> bool:
        try:
            return self.store.get(type(record), record.id) == record
        except NotFoundError:
            return False

    @hookimpl
    def kk_case_transitioned(self, case: Case, event: Event, store_url: str) -> None:
        self.calls.append(("case", case, event, store_url, self._committed(case)))

    @hookimpl
    def kk_referral_transitioned(self, referral: Referral, event: Event, store_url: str) -> None:
        self.calls.append(("referral", referral, event, store_url, self._committed(referral)))

    @hookimpl
    def kk_records_written(self, kind: str, ids: Sequence[str], store_url: str) -> None:
        cls = record_type(kind)
        present = []
        for record_id in ids:
            try:
                present.append(self.store.get(cls, record_id).id)
            except NotFoundError:
                present.append(None)
        self.calls.append(("written", kind, tuple(ids), store_url, present == list(ids)))

    @hookimpl
    def kk_validate_record(self, record: Record) -> Sequence[Problem]:
        return self.rule(record)

    # -- what tests read ----------------------------------------------------------

    def kinds(self) -> list[str]:
        return [call[0] for call in self.calls]

    def transitions(self, hook: str) -> list[tuple[Any, Event]]:
        return [(call[1], call[2]) for call in self.calls if call[0] == hook]

    def written(self) -> dict[str, tuple[str, ...]]:
        return {call[1]: call[2] for call in self.calls if call[0] == "written"}

    def all_after_commit(self) -> bool:
        return all(call[-1] for call in self.calls)


@attrs.define
class World:
    store: MemoryStore
    services: Services
    recorder: Recorder

    def snapshot(self) -> dict[str, list[Record]]:
        return {name: list(self.store.find(cls)) for name, cls in RECORD_KINDS.items()}

    def refused(
        self, error: type[Exception], action: Callable[[], object], match: str | None = None
    ) -> KKError | Exception:
        """The action fails with ``error``; the store is as it was and no event went out."""
        before = self.snapshot()
        self.recorder.calls.clear()
        with pytest.raises(error, match=match) as caught:
            action()
        assert self.snapshot() == before, "a refused use case changed the store"
        assert self.recorder.calls == [], "a refused use case announced events"
        return caught.value

    def case(self, case_id: str = "c-1") -> Case:
        return self.store.get(Case, case_id)

    def referral(self, referral_id: str = "r-1") -> Referral:
        return self.store.get(Referral, referral_id)


@pytest.fixture
def world() -> World:
    store = MemoryStore("memory://services-test")
    recorder = Recorder(store)
    plugins = Plugins(load_entry_points=False, disabled=[], extra=[recorder])
    plugins.register(kk_adapters.memory, name="memory")
    store.put_many([GROUP, OTHER_GROUP, HAMLET, *MEMBERS, *PROVIDERS])
    return World(store, Services(store, plugins=plugins, clock=Clock()), recorder)


@pytest.fixture
def recorded(world: World) -> World:
    """A world with case c-1 (a child of 15, parental consent to refer) recorded."""
    world.services.record_case(new_case(consent=CONSENT))
    world.recorder.calls.clear()
    return world


@pytest.fixture
def referred(recorded: World) -> World:
    """…and referred to UPTD PPA as r-1."""
    recorded.services.refer_case(**new_referral())
    recorded.recorder.calls.clear()
    return recorded


# --------------------------------------------------------------------------- groups, members


def test_register_group(world: World) -> None:
    group = ConstituentGroup("kk-baru", "52.03.12.2007", "KK Desa Baru")
    stored = world.services.register_group(group)
    assert stored == attrs.evolve(group, version=1)
    assert world.store.get(ConstituentGroup, "kk-baru") == stored
    assert world.recorder.calls == [("written", "group", ("kk-baru",), world.store.url, True)]


def test_register_members(world: World) -> None:
    stored = world.services.register_members([member("m-1"), member("m-2")])
    assert [m.version for m in stored] == [1, 1]
    assert world.recorder.written() == {"member": ("m-1", "m-2")}
    assert world.recorder.all_after_commit()


def test_register_members_needs_the_group_and_is_all_or_nothing(world: World) -> None:
    err = world.refused(
        ValidationError,
        lambda: world.services.register_members([member("m-1"), member("m-x", group_id="nope")]),
    )
    assert isinstance(err, ValidationError)
    assert [p.path for p in err.problems] == ["member m-x.group_id"]


def test_registering_the_same_member_again_is_silent(world: World) -> None:
    world.services.register_members([member("m-1")])
    world.recorder.calls.clear()
    again = world.services.register_members([member("m-1")])
    assert again[0].version == 1
    assert world.recorder.calls == [], "a write that changed nothing is not announced"


# --------------------------------------------------------------------------- cases


def test_record_case(world: World) -> None:
    stored = world.services.record_case(new_case(), actor_id="m-active")
    assert stored.version == 1
    assert stored.status is CaseStatus.REPORTED
    assert [e.action for e in stored.timeline] == ["report"]
    assert stored.timeline[0].actor_id == "m-active"
    assert world.case() == stored
    assert world.recorder.kinds() == ["written", "case"]
    assert world.recorder.written() == {"case": ("c-1",)}
    [(case, event)] = world.recorder.transitions("case")
    assert case == stored
    assert event == stored.timeline[-1]
    assert world.recorder.calls[1][3] == world.store.url
    assert world.recorder.all_after_commit()


def test_record_case_at_a_given_time(world: World) -> None:
    at = datetime(2025, 2, 13, 21, 30, tzinfo=WITA)
    assert world.services.record_case(new_case(), at=at).timeline[0].at == at


def test_record_case_twice_at_the_same_time_changes_and_announces_nothing(world: World) -> None:
    at = datetime(2025, 2, 13, 10, tzinfo=WITA)
    first = world.services.record_case(new_case(), at=at)
    world.recorder.calls.clear()
    assert world.services.record_case(new_case(), at=at) == first
    assert world.recorder.calls == []


def test_record_case_again_later_is_a_conflict(recorded: World) -> None:
    recorded.refused(ConflictError, lambda: recorded.services.record_case(new_case()))


def test_record_case_needs_an_existing_group(world: World) -> None:
    err = world.refused(
        ValidationError, lambda: world.services.record_case(new_case(group_id="kk-nope"))
    )
    assert isinstance(err, ValidationError)
    assert err.problems[0].path == "case.group_id"


def test_record_case_refuses_a_case_with_a_timeline(recorded: World) -> None:
    recorded.refused(
        TransitionError,
        lambda: recorded.services.record_case(attrs.evolve(recorded.case(), id="c-2", version=0)),
    )


def test_assign_companion(recorded: World) -> None:
    stored = recorded.services.assign_companion("c-1", "m-active")
    assert stored.status is CaseStatus.ACTIVE
    assert stored.companion_id == "m-active"
    assert stored.version == 2
    [(case, event)] = recorded.recorder.transitions("case")
    assert case == stored
    assert (event.action, event.source, event.target, event.ref) == (
        "assign",
        "reported",
        "active",
        "m-active",
    )
    assert recorded.recorder.all_after_commit()


@pytest.mark.parametrize(
    ("member_id", "error"),
    [
        ("m-other", ValidationError),  # another group's member
        ("m-left", ValidationError),  # left the board before today
        ("m-future", ValidationError),  # not joined yet
        ("m-nobody", ValidationError),  # no such member
    ],
)
def test_assign_only_active_members_of_the_same_group(
    recorded: World, member_id: str, error: type[Exception]
) -> None:
    err = recorded.refused(error, lambda: recorded.services.assign_companion("c-1", member_id))
    assert isinstance(err, ValidationError)
    assert err.problems[0].path == "companion_id"


def test_assign_a_member_on_the_days_they_were_active(recorded: World) -> None:
    at = datetime(2025, 2, 13, 23, tzinfo=WITA)
    recorded.refused(
        ValidationError, lambda: recorded.services.assign_companion("c-1", "m-left", at=at)
    )
    stored = recorded.services.assign_companion("c-1", "m-active", at=at)
    assert stored.companion_id == "m-active"


def test_case_steps_on_a_missing_case(world: World) -> None:
    world.refused(NotFoundError, lambda: world.services.add_case_note("c-nope", "catatan"))
    world.refused(NotFoundError, lambda: world.services.assign_companion("c-nope", "m-active"))


def test_record_consent_change_risk_and_note(recorded: World) -> None:
    services = recorded.services
    consent = Consent(
        ConsentGiver.PARENT,
        REPORTED,
        to_share_data=True,
        assent=Assent(AssentDecision.GIVEN, REPORTED),
    )
    assert services.record_consent("c-1", consent).consent == consent
    assert services.change_risk("c-1", RiskLevel.HIGH).risk is RiskLevel.HIGH
    noted = services.add_case_note("c-1", "Kunjungan rumah; korban didampingi ibunya.")
    assert [e.action for e in noted.timeline] == ["report", "record_consent", "change_risk", "note"]
    assert noted.version == 4
    events = recorded.recorder.transitions("case")
    assert [e.action for _, e in events] == ["record_consent", "change_risk", "note"]
    assert events[-1][0] == noted
    assert recorded.recorder.all_after_commit()


def test_empty_note_is_refused(recorded: World) -> None:
    recorded.refused(TransitionError, lambda: recorded.services.add_case_note("c-1", "   "))


def test_close_and_reopen(recorded: World) -> None:
    at = datetime(2025, 3, 1, 10, tzinfo=WITA)
    closed = recorded.services.close_case(
        "c-1", CaseOutcome.MARRIAGE_PREVENTED, at=at, note="pernikahan dibatalkan oleh keluarga"
    )
    assert closed.status is CaseStatus.CLOSED
    assert closed.outcome is CaseOutcome.MARRIAGE_PREVENTED
    assert closed.closed_on == date(2025, 3, 1)
    later = at + timedelta(days=3)
    recorded.refused(
        TransitionError,
        lambda: recorded.services.close_case("c-1", CaseOutcome.OTHER, at=later),
        match="only be reopened",
    )
    recorded.refused(
        TransitionError,
        lambda: recorded.services.reopen_case("c-1", "  ", at=later),
        match="reason",
    )
    reopened = recorded.services.reopen_case("c-1", "Keluarga merencanakan pernikahan", at=later)
    assert reopened.status is CaseStatus.ACTIVE
    assert (reopened.outcome, reopened.closed_on) == (None, None)
    assert [e.action for _, e in recorded.recorder.transitions("case")] == ["reopen"]


def test_reopen_an_open_case_is_refused(recorded: World) -> None:
    recorded.refused(
        TransitionError, lambda: recorded.services.reopen_case("c-1", "alasan"), match="reopen"
    )


# --------------------------------------------------------------------------- referrals


def test_refer_with_consent(recorded: World) -> None:
    case, referral = recorded.services.refer_case(**new_referral(), actor_id="m-active")
    assert case.status is CaseStatus.REFERRED
    assert case.timeline[-1].ref == "r-1"
    assert referral.status is ReferralStatus.SENT
    assert (referral.consent_given, referral.override) == (True, None)
    assert (referral.version, case.version) == (1, 2)
    assert recorded.case() == case
    assert recorded.referral() == referral
    assert recorded.recorder.written() == {"case": ("c-1",), "referral": ("r-1",)}
    assert recorded.recorder.transitions("case") == [(case, case.timeline[-1])]
    assert recorded.recorder.transitions("referral") == [(referral, referral.timeline[-1])]
    assert recorded.recorder.all_after_commit()


def test_refer_without_consent_or_override_is_refused(world: World) -> None:
    world.services.record_case(new_case())
    world.refused(
        TransitionError, lambda: world.services.refer_case(**new_referral()), match="consent"
    )


def test_consent_that_does_not_cover_referral_is_not_consent(world: World) -> None:
    world.services.record_case(
        new_case(
            consent=Consent(
                ConsentGiver.PARENT, REPORTED, assent=Assent(AssentDecision.GIVEN, REPORTED)
            )
        )
    )
    world.refused(TransitionError, lambda: world.services.refer_case(**new_referral()))
    world.services.record_consent("c-1", Consent(ConsentGiver.NONE, REPORTED))
    world.refused(TransitionError, lambda: world.services.refer_case(**new_referral()))


def test_child_at_risk_override_for_a_child(world: World) -> None:
    world.services.record_case(new_case(age=15))
    case, referral = world.services.refer_case(
        **new_referral(), override=OverrideReason.CHILD_AT_RISK, **OVERRIDE
    )
    assert case.status is CaseStatus.REFERRED
    assert (referral.consent_given, referral.override) == (False, OverrideReason.CHILD_AT_RISK)


def test_child_at_risk_override_refused_for_an_adult(world: World) -> None:
    world.services.record_case(new_case(age=30))
    world.refused(
        TransitionError,
        lambda: world.services.refer_case(
            **new_referral(), override=OverrideReason.CHILD_AT_RISK, **OVERRIDE
        ),
        match="child",
    )
    _, referral = world.services.refer_case(
        **new_referral(), override=OverrideReason.IMMINENT_DANGER, **OVERRIDE
    )
    assert referral.override is OverrideReason.IMMINENT_DANGER


def test_refer_to_an_unknown_provider_or_case(recorded: World) -> None:
    err = recorded.refused(
        ValidationError, lambda: recorded.services.refer_case(**new_referral(provider_id="nope"))
    )
    assert isinstance(err, ValidationError)
    assert err.problems[0].path == "referral.provider_id"
    recorded.refused(
        NotFoundError, lambda: recorded.services.refer_case(**new_referral(case_id="c-nope"))
    )


def test_referral_accepted_keeps_the_case_referred(referred: World) -> None:
    accepted = referred.services.record_referral_response("r-1", accepted=True, reason="diterima")
    assert accepted.status is ReferralStatus.ACCEPTED
    assert accepted.responded_on is not None
    assert referred.case().status is CaseStatus.REFERRED
    assert referred.recorder.kinds() == ["written", "referral"]
    assert referred.recorder.transitions("referral") == [(accepted, accepted.timeline[-1])]


def test_referral_declined_resumes_the_case(referred: World) -> None:
    declined = referred.services.record_referral_response(
        "r-1", accepted=False, reason="Di luar wilayah layanan"
    )
    assert declined.status is ReferralStatus.DECLINED
    case = referred.case()
    assert case.status is CaseStatus.ACTIVE
    assert case.timeline[-1].action == "resume"
    assert referred.recorder.written() == {"referral": ("r-1",), "case": ("c-1",)}
    assert referred.recorder.transitions("case") == [(case, case.timeline[-1])]
    assert referred.recorder.transitions("referral") == [(declined, declined.timeline[-1])]
    assert referred.recorder.all_after_commit()


def test_decline_needs_a_reason(referred: World) -> None:
    referred.refused(
        TransitionError, lambda: referred.services.record_referral_response("r-1", accepted=False)
    )


def test_case_resumes_only_after_the_last_open_referral_finishes(referred: World) -> None:
    services = referred.services
    services.refer_case(**new_referral("r-2", provider_id="kua"))
    services.record_referral_response("r-1", accepted=False, reason="penuh")
    assert referred.case().status is CaseStatus.REFERRED, "r-2 is still open"
    services.record_referral_response("r-2", accepted=True)
    services.follow_up_referral("r-2", date(2025, 3, 1), note="ditelepon")
    assert referred.case().status is CaseStatus.REFERRED
    referred.recorder.calls.clear()
    completed = services.complete_referral("r-2", "Dispensasi nikah ditolak; anak kembali sekolah")
    assert completed.status is ReferralStatus.COMPLETED
    assert referred.case().status is CaseStatus.ACTIVE
    assert [e.action for _, e in referred.recorder.transitions("case")] == ["resume"]


def test_cancelled_referral_resumes_the_case(referred: World) -> None:
    cancelled = referred.services.cancel_referral("r-1", "Keluarga pindah ke luar daerah")
    assert cancelled.status is ReferralStatus.CANCELLED
    assert referred.case().status is CaseStatus.ACTIVE


def test_a_case_with_an_open_referral_cannot_close(referred: World) -> None:
    referred.refused(
        TransitionError, lambda: referred.services.close_case("c-1", CaseOutcome.TRANSFERRED)
    )
    referred.services.cancel_referral("r-1", "kasus dialihkan")
    assert referred.case().status is CaseStatus.ACTIVE
    # the cancelled referral is no referral: a sexual-violence case closes with the reason
    closed = referred.services.close_case(
        "c-1", CaseOutcome.TRANSFERRED, note="dialihkan ke UPTD PPA kabupaten lain"
    )
    assert closed.status is CaseStatus.CLOSED


def test_follow_up_sets_the_next_due_date(referred: World) -> None:
    followed = referred.services.follow_up_referral("r-1", date(2025, 2, 20))
    assert followed.follow_up_due == date(2025, 2, 20)
    assert followed.status is ReferralStatus.SENT
    assert referred.case().status is CaseStatus.REFERRED
    referred.refused(
        TransitionError, lambda: referred.services.follow_up_referral("r-1", date(2025, 1, 1))
    )


def test_complete_needs_acceptance_first(referred: World) -> None:
    referred.refused(TransitionError, lambda: referred.services.complete_referral("r-1", "selesai"))


# --------------------------------------------------------------------------- Ekonomi, meetings, put

BUSINESS = Business("b-1", "kk-teros", "Warung Bu Inaq", "Inaq Sahnun", Sex.FEMALE, "trade")


def test_register_business_and_record_support(world: World) -> None:
    assert world.services.register_business(BUSINESS).version == 1
    action = SupportAction(
        "s-1", "b-1", SupportType.PERMIT_NIB, date(2025, 2, 1), member_id="m-active"
    )
    assert world.services.record_support(action).version == 1
    done = attrs.evolve(
        world.store.get(SupportAction, "s-1"),
        status=SupportStatus.ACHIEVED,
        completed_on=date(2025, 2, 20),
    )
    assert world.services.record_support(done).version == 2
    assert world.recorder.written() == {"support_action": ("s-1",), "business": ("b-1",)}


def test_business_needs_its_group(world: World) -> None:
    world.refused(
        ValidationError,
        lambda: world.services.register_business(attrs.evolve(BUSINESS, group_id="nope")),
    )


def test_support_needs_its_business_and_member(world: World) -> None:
    world.services.register_business(BUSINESS)
    action = SupportAction("s-1", "b-1", SupportType.MENTORING, date(2025, 2, 1))
    err = world.refused(
        ValidationError,
        lambda: world.services.record_support(attrs.evolve(action, business_id="b-nope")),
    )
    assert isinstance(err, ValidationError)
    assert err.problems[0].path == "support_action.business_id"
    err = world.refused(
        ValidationError,
        lambda: world.services.record_support(attrs.evolve(action, member_id="m-nobody")),
    )
    assert isinstance(err, ValidationError)
    assert err.problems[0].path == "support_action.member_id"


MEETING = Meeting(
    "mt-1", "kk-teros", "Rapat koordinasi KK", date(2025, 2, 13), member_ids={"m-active", "m-left"}
)


def test_record_meeting(world: World) -> None:
    stored = world.services.record_meeting(MEETING)
    assert stored.version == 1
    assert world.recorder.written() == {"meeting": ("mt-1",)}


def test_meeting_members_must_exist_in_the_group(world: World) -> None:
    meeting = attrs.evolve(MEETING, member_ids={"m-active", "m-other", "m-ghost"})
    err = world.refused(ValidationError, lambda: world.services.record_meeting(meeting))
    assert isinstance(err, ValidationError)
    messages = " ".join(p.message for p in err.problems)
    assert "m-other" in messages
    assert "m-ghost" in messages
    assert len(err.problems) == 2
    world.refused(
        ValidationError,
        lambda: world.services.record_meeting(attrs.evolve(MEETING, group_id="nope")),
    )


def test_put_any_record(world: World) -> None:
    provider = ServiceProvider("puskesmas", "puskesmas", "Puskesmas Sakra")
    assert world.services.put(provider).version == 1
    assert world.recorder.written() == {"service_provider": ("puskesmas",)}


# --------------------------------------------------------------------------- advocacy


def test_proposal_from_draft_to_funded(world: World) -> None:
    services = world.services
    proposal = AdvocacyProposal(
        "p-1", "kk-teros", "Rumah aman sementara", Forum.MUSRENBANGDES, evidence=["c-1"]
    )
    drafted = services.draft_proposal(proposal)
    assert drafted.status is ProposalStatus.DRAFT
    assert [e.action for e in drafted.timeline] == ["draft"]
    assert (drafted.village_id, drafted.cycle_year) == (VILLAGE, 2026)  # the group's village
    for action, status in [
        (ProposalAction.SUBMIT_MUSRENBANGDES, ProposalStatus.IN_MUSRENBANGDES),
        (ProposalAction.DISCUSS, ProposalStatus.IN_MUSRENBANGDES),
        (ProposalAction.ADOPT_RKPDES, ProposalStatus.IN_RKPDES),
    ]:
        assert services.advance_proposal("p-1", action).status is status
    world.refused(
        ValidationError, lambda: services.advance_proposal("p-1", ProposalAction.FUND_APBDES)
    )
    funded = services.advance_proposal(
        "p-1", ProposalAction.FUND_APBDES, allocated_rupiah=25_000_000
    )
    assert (funded.status, funded.allocated_rupiah, funded.version) == (
        ProposalStatus.FUNDED_APBDES,
        25_000_000,
        5,
    )
    assert world.store.get(AdvocacyProposal, "p-1") == funded


def test_proposal_refusals(world: World) -> None:
    services = world.services
    services.draft_proposal(
        AdvocacyProposal("p-1", "kk-teros", "Tanpa bukti", Forum.MUSYAWARAH_DESA)
    )
    world.refused(
        TransitionError,
        lambda: services.advance_proposal("p-1", ProposalAction.SUBMIT_MUSDES),
        match="evidence",
    )
    world.refused(
        TransitionError, lambda: services.advance_proposal("p-1", ProposalAction.ADOPT_RKPDES)
    )
    world.refused(ValidationError, lambda: services.advance_proposal("p-1", ProposalAction.DRAFT))
    services.draft_proposal(
        AdvocacyProposal(
            "p-2", "kk-teros", "Dengan bukti", Forum.MUSYAWARAH_DESA, evidence=["data"]
        )
    )
    services.advance_proposal("p-2", ProposalAction.SUBMIT_MUSDES)
    world.refused(TransitionError, lambda: services.advance_proposal("p-2", ProposalAction.REJECT))
    rejected = services.advance_proposal("p-2", ProposalAction.REJECT, note="Anggaran tidak cukup")
    assert rejected.status is ProposalStatus.REJECTED


# --------------------------------------------------------------------------- plugins and failures


def test_plugin_validation_stops_a_write(world: World) -> None:
    world.recorder.rule = lambda r: (
        [Problem("subject.hamlet_id", "use a hamlet code from the village register")]
        if isinstance(r, Case) and r.subject.hamlet_id == "dsn-lendang"
        else ()
    )
    err = world.refused(ValidationError, lambda: world.services.record_case(new_case()))
    assert isinstance(err, ValidationError)
    assert err.problems == (
        Problem("subject.hamlet_id", "use a hamlet code from the village register"),
    )


def test_plugin_validation_stops_a_transition_half_way(referred: World) -> None:
    # the referral may be declined, but the case may not resume: neither is written
    referred.recorder.rule = lambda r: (
        [Problem("status", "resume by hand")] if isinstance(r, Case) else ()
    )
    referred.refused(
        ValidationError,
        lambda: referred.services.record_referral_response("r-1", accepted=False, reason="penuh"),
    )
    assert referred.referral().status is ReferralStatus.SENT


def test_problems_from_every_plugin_are_reported_together(world: World) -> None:
    class Strict:
        @hookimpl
        def kk_validate_record(self, record: Record) -> list[Problem]:
            return [Problem("summary", "write a summary")] if isinstance(record, Case) else []

    world.services.plugins.register(Strict())
    world.recorder.rule = lambda r: (
        [Problem("channel", "walk-ins go to the office")] if isinstance(r, Case) else ()
    )
    err = world.refused(ValidationError, lambda: world.services.record_case(new_case()))
    assert isinstance(err, ValidationError)
    assert sorted(p.path for p in err.problems) == ["channel", "summary"]


def test_a_concurrent_change_is_a_conflict_and_announces_nothing(recorded: World) -> None:
    store = recorded.store

    def meddle(record: Record) -> Sequence[Problem]:
        if isinstance(record, Case) and store.get(Case, record.id).version == 1:
            store.put(attrs.evolve(store.get(Case, record.id), summary="changed by someone else"))
        return ()

    recorded.recorder.rule = meddle
    recorded.recorder.calls.clear()
    with pytest.raises(ConflictError):
        recorded.services.add_case_note("c-1", "catatan")
    assert recorded.case().summary == "changed by someone else"
    assert recorded.case().version == 2
    assert recorded.recorder.calls == []


def test_events_use_the_redacted_store_url(world: World) -> None:
    store = MemoryStore("memory://kk:rahasia@services?token=abc")
    plugins = Plugins(load_entry_points=False, disabled=[], extra=[world.recorder])
    store.put_many([GROUP, HAMLET])
    Services(store, plugins=plugins, clock=Clock()).record_case(new_case())
    urls = {call[3] for call in world.recorder.calls}
    assert urls == {"memory://kk:***@services?token=***"}


def test_default_plugins_are_the_process_wide_ones() -> None:
    from kk_core.plugins import get_plugins

    assert Services(MemoryStore()).plugins is get_plugins()


def test_event_time_is_the_clock_of_the_service(world: World) -> None:
    stored = world.services.record_case(new_case())
    assert stored.timeline[0].at == datetime(2025, 2, 13, 9, tzinfo=WITA)
    assert stored.timeline[0].at.astimezone(UTC).hour == 1


class InterleavingClock:
    """Reads the time at ``base``, but the first time it is read another writer adds a
    later note to the case: what a concurrent writer does between two steps."""

    def __init__(self, other: Services, case_id: str) -> None:
        self.other = other
        self.case_id = case_id
        self.fired = False

    def __call__(self) -> datetime:
        if not self.fired:
            self.fired = True
            later = datetime(2025, 2, 13, 12, 0, tzinfo=WITA)
            self.other.add_case_note(self.case_id, "catatan lain", at=later)
        return datetime(2025, 2, 13, 11, 0, tzinfo=WITA)


@pytest.mark.parametrize(
    "step",
    [
        lambda s: s.add_case_note("c-1", "catatan saya"),
        lambda s: s.change_risk("c-1", RiskLevel.HIGH),
        lambda s: s.record_consent("c-1", CONSENT),
        lambda s: s.assign_companion("c-1", "m-active"),
        lambda s: s.close_case("c-1", CaseOutcome.RESOLVED, note="keluarga menolak rujukan"),
    ],
    ids=["note", "risk", "consent", "companion", "close"],
)
def test_a_concurrent_writer_is_a_conflict_not_time_going_backwards(
    world: World, step: Callable[[Services], object]
) -> None:
    """The step's time is read after its record: the other writer's later event makes
    this write stale (ConflictError), never an event dated before the one it read."""
    world.services.record_case(new_case(), at=datetime(2025, 2, 13, 9, 0, tzinfo=WITA))
    mine = Services(
        world.store,
        plugins=world.services.plugins,
        clock=InterleavingClock(world.services, "c-1"),
    )
    with pytest.raises(ConflictError):
        step(mine)
    notes = [e.note for e in world.case().timeline]
    assert notes[-1] == "catatan lain", "the other writer's note is kept, mine is not"
