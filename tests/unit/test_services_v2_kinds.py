"""Use cases of the rest of the KK's work (trainings, data updates, residents' questions,
business groups) and of advocacy across forums: references that must exist, codes of
the open lists, the kelurahan rule, carrying a proposal over.

Refusals are checked as in test_services: the error, an unchanged store, no event.
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from test_services import GROUP, MEMBERS, OTHER_GROUP, PROVIDERS, VILLAGE, Clock, Recorder, World

import kk_adapters.memory
from kk_adapters.memory import MemoryStore
from kk_core import hookimpl
from kk_core.advocacy import AdvocacyProposal
from kk_core.business_groups import BusinessGroup
from kk_core.codes import (
    Affiliation,
    ApbdesField,
    CodeEntry,
    DataRecipient,
    Forum,
    MeetingType,
    ProposalAction,
    ProposalStatus,
    QuestionChannel,
    QuestionResolution,
    Sex,
    SupportType,
    TrainingOrganiser,
)
from kk_core.data_updates import DataUpdate
from kk_core.economy import Business
from kk_core.errors import NotFoundError, TransitionError, ValidationError
from kk_core.groups import ConstituentGroup, Member
from kk_core.information_centre import ResidentQuestion
from kk_core.meetings import Meeting
from kk_core.plugins import Plugins
from kk_core.registries import CodeListRegistry
from kk_core.services import Services
from kk_core.training import Training


@pytest.fixture
def world() -> World:
    """As in test_services: two groups, their members, two providers, a recorder."""
    store = MemoryStore("memory://services-v2-kinds-test")
    recorder = Recorder(store)
    plugins = Plugins(load_entry_points=False, disabled=[], extra=[recorder])
    plugins.register(kk_adapters.memory, name="memory")
    store.put_many([GROUP, OTHER_GROUP, *MEMBERS, *PROVIDERS])
    return World(store, Services(store, plugins=plugins, clock=Clock()), recorder)


KELURAHAN_GROUP = ConstituentGroup("kk-kota", "52.03.17.1004", "KK Kelurahan Tanjung")


def proposal(proposal_id: str = "p-1", **kw: object) -> AdvocacyProposal:
    kw.setdefault("group_id", "kk-teros")
    kw.setdefault("forum", Forum.MUSYAWARAH_DESA)
    return AdvocacyProposal(
        proposal_id,
        kw.pop("group_id"),  # type: ignore[arg-type]
        "Pelatihan UMKM perempuan",
        kw.pop("forum"),  # type: ignore[arg-type]
        evidence=["rekap 2025"],
        **kw,  # type: ignore[arg-type]
    )


def advance(world: World, action: ProposalAction, **kw: object) -> AdvocacyProposal:
    return world.services.advance_proposal("p-1", action, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- advocacy


def test_draft_needs_the_group_and_its_village(world: World) -> None:
    err = world.refused(
        ValidationError, lambda: world.services.draft_proposal(proposal(group_id="nope"))
    )
    assert isinstance(err, ValidationError)
    assert [p.path for p in err.problems] == ["advocacy_proposal.group_id"]
    err = world.refused(
        ValidationError,
        lambda: world.services.draft_proposal(proposal(village_id="52.03.12.2006")),
    )
    assert isinstance(err, ValidationError)
    assert [p.path for p in err.problems] == ["advocacy_proposal.village_id"]
    assert "is not the village of group 'kk-teros'" in str(err)
    drafted = world.services.draft_proposal(proposal(village_id=VILLAGE, cycle_year=2027))
    assert (drafted.village_id, drafted.cycle_year) == (VILLAGE, 2027)


def test_steps_name_the_forum_meeting(world: World) -> None:
    musdes = Meeting(
        "musdes-2025",
        "kk-teros",
        "Musdes RKPDes 2026",
        date(2025, 6, 12),
        type=MeetingType.MUSYAWARAH_DESA,
    )
    world.services.record_meeting(musdes)
    world.services.record_meeting(Meeting("rapat-lain", "kk-lain", "Rapat", date(2025, 6, 1)))
    world.services.draft_proposal(proposal())
    submitted = advance(world, ProposalAction.SUBMIT_MUSDES, meeting_id="musdes-2025")
    assert submitted.timeline[-1].ref == "musdes-2025"
    for meeting_id, message in [
        ("nope", "no meeting with id 'nope'"),
        ("rapat-lain", "is a meeting of group 'kk-lain', not 'kk-teros'"),
    ]:
        world.refused(
            ValidationError,
            lambda m=meeting_id: advance(world, ProposalAction.DISCUSS, meeting_id=m),  # type: ignore[misc]
            match=message,
        )
    world.refused(
        ValidationError,
        lambda: advance(world, ProposalAction.REJECT, note="x", meeting_id="musdes-2025"),
        match="a meeting is named for a submit or a discussion only",
    )


def test_a_policy_outcome_through_the_service(world: World) -> None:
    world.services.draft_proposal(proposal())
    advance(world, ProposalAction.SUBMIT_MUSDES)
    world.refused(TransitionError, lambda: advance(world, ProposalAction.ENACT_PERDES))
    enacted = advance(world, ProposalAction.ENACT_PERDES, note="Perdes Teros No. 3 Tahun 2025")
    assert enacted.status is ProposalStatus.PERDES_ENACTED
    assert enacted.timeline[-1].note == "Perdes Teros No. 3 Tahun 2025"


def _to_rkpdes(world: World) -> None:
    for action in (
        ProposalAction.SUBMIT_MUSDES,
        ProposalAction.SUBMIT_MUSRENBANGDES,
        ProposalAction.ADOPT_RKPDES,
    ):
        advance(world, action)


def test_a_kelurahan_is_never_funded(world: World) -> None:
    world.store.put(KELURAHAN_GROUP)
    world.services.draft_proposal(proposal(group_id="kk-kota"))
    _to_rkpdes(world)
    world.refused(
        TransitionError,
        lambda: advance(world, ProposalAction.FUND_APBDES, allocated_rupiah=1_000),
        match="no APBDes in a kelurahan",
    )


def test_a_proposal_stored_without_a_village_gets_its_groups(world: World) -> None:
    """As release 0.1.0 stored them: the next step fills the village in, so the kelurahan
    guard sees it."""
    world.store.put(KELURAHAN_GROUP)
    world.services.draft_proposal(proposal(group_id="kk-kota"))
    _to_rkpdes(world)
    stored = world.store.get(AdvocacyProposal, "p-1")
    world.store.put(attrs.evolve(stored, village_id=None))
    world.refused(
        TransitionError,
        lambda: advance(world, ProposalAction.FUND_APBDES, allocated_rupiah=1_000),
        match="52.03.17.1004 is a kelurahan",
    )
    discussed = advance(world, ProposalAction.DISCUSS)
    assert discussed.village_id == "52.03.17.1004"


def test_funding_records_the_budget_field(world: World) -> None:
    world.services.draft_proposal(proposal())
    _to_rkpdes(world)
    funded = advance(
        world,
        ProposalAction.FUND_APBDES,
        allocated_rupiah=35_000_000,
        budget_field=ApbdesField.EMPOWERMENT,
    )
    assert funded.budget_field is ApbdesField.EMPOWERMENT


def test_carry_over_stores_both_years(world: World) -> None:
    world.services.draft_proposal(proposal())
    _to_rkpdes(world)
    world.recorder.calls.clear()
    closed, following = world.services.carry_over_proposal(
        "p-1", "p-1-2027", note="tidak masuk APBDes 2026"
    )
    assert closed.status is ProposalStatus.CARRIED_OVER
    assert (closed.version, following.version) == (5, 1)
    assert world.store.get(AdvocacyProposal, "p-1") == closed
    assert world.store.get(AdvocacyProposal, "p-1-2027") == following
    assert (following.cycle_year, following.carried_over_from) == (2027, "p-1")
    assert world.recorder.written() == {"advocacy_proposal": ("p-1", "p-1-2027")}
    assert world.recorder.all_after_commit()
    world.services.draft_proposal(proposal("p-9"))
    advance_p9 = world.services.advance_proposal
    advance_p9("p-9", ProposalAction.SUBMIT_MUSDES)
    world.refused(
        ValidationError,
        lambda: world.services.carry_over_proposal("p-9", "p-1-2027"),
        match="a proposal 'p-1-2027' already exists",
    )
    world.refused(NotFoundError, lambda: world.services.carry_over_proposal("nope", "x"))
    world.refused(TransitionError, lambda: world.services.carry_over_proposal("p-1", "p-x"))


# --------------------------------------------------------------------------- training


TRAINING = Training(
    "latih-1",
    "kk-teros",
    "Pelaporan data kasus dengan KoboCollect",
    date(2025, 2, 13),
    TrainingOrganiser.PROGRAMME_PARTNER,
    {"m-active"},
    organiser_name="Lombok Research Center (LRC)",
    place="Aula Posyandu Desa Teros",
    hours=3,
)


def test_record_a_training(world: World) -> None:
    stored = world.services.record_training(TRAINING)
    assert stored == attrs.evolve(TRAINING, version=1)
    assert world.recorder.written() == {"training": ("latih-1",)}


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"group_id": "nope"}, "training.group_id", "no group with id 'nope'"),
        ({"member_ids": {"m-x"}}, "training.member_ids", "no member 'm-x'"),
        ({"member_ids": {"m-other"}}, "training.member_ids", "'m-other' is not in group"),
    ],
)
def test_a_training_names_members_of_its_group(
    world: World, change: dict[str, object], path: str, message: str
) -> None:
    err = world.refused(
        ValidationError, lambda: world.services.record_training(attrs.evolve(TRAINING, **change))
    )
    assert isinstance(err, ValidationError)
    assert [p.path for p in err.problems] == [path]
    assert message in str(err)


# --------------------------------------------------------------------------- data updates


UPDATE = DataUpdate(
    "data-1",
    "kk-teros",
    "dtsen_verification",
    date(2025, 3, 3),
    finished_on=date(2025, 3, 28),
    households=412,
    persons=1_530,
    member_ids={"m-active"},
    handed_to=DataRecipient.DINAS_SOSIAL,
    handed_on=date(2025, 4, 2),
)


def test_record_a_data_update(world: World) -> None:
    assert world.services.record_data_update(UPDATE).version == 1
    assert world.recorder.written() == {"data_update": ("data-1",)}


def test_a_data_update_names_a_data_set_and_members_of_its_group(world: World) -> None:
    err = world.refused(
        ValidationError,
        lambda: world.services.record_data_update(
            attrs.evolve(UPDATE, data_set="dtsen_verifikasi")
        ),
    )
    assert isinstance(err, ValidationError)
    assert [p.path for p in err.problems] == ["data_update.data_set"]
    assert "did you mean dtsen_verification" in str(err)
    world.refused(
        ValidationError,
        lambda: world.services.record_data_update(attrs.evolve(UPDATE, member_ids={"m-other"})),
        match="'m-other' is not in group",
    )
    # the generic put checks the open list too
    world.refused(
        ValidationError,
        lambda: world.services.put(attrs.evolve(UPDATE, data_set="dtsen_verifikasi")),
        match="is not a code of data_set",
    )


# --------------------------------------------------------------------------- questions


QUESTION = ResidentQuestion(
    "tanya-1",
    "kk-teros",
    date(2025, 5, 6),
    "dtsen_status",
    QuestionChannel.WHATSAPP,
    resolution=QuestionResolution.REFERRED,
    resolved_on=date(2025, 5, 7),
    provider_id="uptd-ppa",
    member_id="m-active",
    hamlet_id="dsn-tuntang",
    sex=Sex.FEMALE,
)


def test_record_a_question(world: World) -> None:
    assert world.services.record_question(QUESTION).version == 1
    assert world.recorder.written() == {"resident_question": ("tanya-1",)}


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"group_id": "nope"}, "resident_question.group_id", "no group with id 'nope'"),
        ({"provider_id": "nope"}, "resident_question.provider_id", "no service_provider"),
        ({"member_id": "m-other"}, "resident_question.member_id", "is not in group"),
        ({"topic": "dtsen_statuss"}, "resident_question.topic", "did you mean dtsen_status"),
    ],
)
def test_a_question_names_what_exists(
    world: World, change: dict[str, object], path: str, message: str
) -> None:
    err = world.refused(
        ValidationError, lambda: world.services.record_question(attrs.evolve(QUESTION, **change))
    )
    assert isinstance(err, ValidationError)
    assert [p.path for p in err.problems] == [path]
    assert message in str(err)


def test_an_answered_question_needs_no_provider(world: World) -> None:
    answered = attrs.evolve(
        QUESTION, resolution=QuestionResolution.ANSWERED, provider_id=None, member_id=None
    )
    assert world.services.record_question(answered).version == 1


# --------------------------------------------------------------------------- business groups


def business(business_id: str, group_id: str = "kk-teros") -> Business:
    return Business(
        business_id, group_id, "Tenun Bu Sahnun", "Inaq Sahnun", Sex.FEMALE, "handicraft"
    )


BUSINESS_GROUP = BusinessGroup(
    "kub-1",
    "kk-teros",
    "Kelompok Tenun Perempuan Tuntang",
    "handicraft",
    date(2025, 7, 1),
    business_ids={"b-1", "b-2"},
    support={SupportType.MENTORING, SupportType.CAPITAL_BUMDES},
    support_note="modal bergulir BUMDes Rp 10 juta",
)


def test_register_a_business_group(world: World) -> None:
    world.store.put_many([business("b-1"), business("b-2")])
    stored = world.services.register_business_group(BUSINESS_GROUP)
    assert stored.version == 1
    assert stored.has_capital_support
    assert world.recorder.written() == {"business_group": ("kub-1",)}


def test_a_business_group_holds_its_own_kks_businesses(world: World) -> None:
    world.store.put_many([business("b-1"), business("b-2", group_id="kk-lain")])
    err = world.refused(
        ValidationError, lambda: world.services.register_business_group(BUSINESS_GROUP)
    )
    assert isinstance(err, ValidationError)
    assert str(err).count("business_group.business_ids") == 1
    assert "'b-2' is a business of group 'kk-lain', not 'kk-teros'" in str(err)
    world.refused(
        ValidationError,
        lambda: world.services.register_business_group(
            attrs.evolve(BUSINESS_GROUP, business_ids={"b-1", "b-9"})
        ),
        match="no business 'b-9'",
    )
    world.refused(
        ValidationError,
        lambda: world.services.register_business_group(
            attrs.evolve(BUSINESS_GROUP, business_ids=set(), sector="handicraf")
        ),
        match="is not a code of business_sector",
    )


def test_members_of_the_bpd_and_disability_organisations() -> None:
    m = Member(
        "m-bpd",
        "kk-teros",
        "Anggota BPD",
        Sex.MALE,
        {Affiliation.BPD, Affiliation.DISABILITY_ORG},
        date(2025, 1, 1),
    )
    assert m.affiliations == {Affiliation.BPD, Affiliation.DISABILITY_ORG}
    assert Affiliation.parse("Badan Permusyawaratan Desa (BPD)") is Affiliation.BPD
    assert (
        Affiliation.parse("organisasi penyandang disabilitas (OPDis)") is Affiliation.DISABILITY_ORG
    )


class _LocalLists:
    """A district plugin's local entries for the new open lists."""

    @hookimpl
    def kk_extend_code_lists(self, registry: CodeListRegistry) -> None:
        registry.add("data_set", CodeEntry("data_stunting", "Data stunting", "Stunting data"))
        registry.add(
            "question_topic", CodeEntry("pekerja_migran", "Pekerja migran", "Migrant work")
        )


def test_local_entries_of_the_open_lists_are_accepted(world: World) -> None:
    world.refused(
        ValidationError,
        lambda: world.services.record_data_update(attrs.evolve(UPDATE, data_set="data_stunting")),
        match="is not a code of data_set",
    )
    plugins = Plugins(load_entry_points=False, disabled=[], extra=[_LocalLists()])
    services = Services(world.store, plugins=plugins)
    stored = services.record_data_update(attrs.evolve(UPDATE, data_set="data_stunting"))
    assert stored.data_set == "data_stunting"
    asked = services.record_question(attrs.evolve(QUESTION, topic="pekerja_migran"))
    assert asked.topic == "pekerja_migran"
