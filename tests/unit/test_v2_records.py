"""The records of the rest of the KK's work (trainings, data updates, residents' questions,
business groups), meeting types, the new code lists, and how proposals stored by release
0.1.0 read into the model of advocacy across forums."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import Phase, find, given, settings

from kk_core.advocacy import AdvocacyProposal, upgrade_proposal_data
from kk_core.business_groups import BusinessGroup
from kk_core.cases import Case
from kk_core.codes import (
    CODE_LISTS,
    AgeBand,
    ApbdesField,
    DataRecipient,
    Forum,
    MeetingType,
    ProposalStatus,
    QuestionChannel,
    QuestionResolution,
    SupportType,
    TrainingOrganiser,
)
from kk_core.converter import converter, structure, unstructure
from kk_core.data_updates import DataUpdate
from kk_core.dimensions import compile_criteria, count_by, dimensions_of
from kk_core.errors import ValidationError
from kk_core.information_centre import ResidentQuestion
from kk_core.kinds import RECORD_KINDS, RECORD_UPGRADES
from kk_core.meetings import Meeting
from kk_core.testing import strategies as kst
from kk_core.training import Training

NEW_KINDS = ("training", "data_update", "resident_question", "business_group")

# --------------------------------------------------------------------------- kinds


def test_the_new_kinds_are_registered_after_what_they_point_at() -> None:
    kinds = list(RECORD_KINDS)
    assert kinds[-5:-1] == list(NEW_KINDS)
    assert kinds[-1] == "import_mark"  # issue 12: points at records of every kind
    for kind in NEW_KINDS:
        assert kinds.index(kind) > kinds.index("member")
    assert kinds.index("business_group") > kinds.index("business")
    assert kinds.index("resident_question") > kinds.index("service_provider")


@pytest.mark.parametrize(
    "record",
    [
        Training(
            "t-1",
            "kk",
            "KoboCollect",
            date(2025, 2, 13),
            TrainingOrganiser.PROGRAMME_PARTNER,
            {"m-1", "m-2"},
            organiser_name="LRC",
            hours=3,
        ),
        DataUpdate(
            "d-1",
            "kk",
            "disability_data",
            date(2025, 3, 1),
            households=40,
            persons=41,
            handed_to=DataRecipient.VILLAGE_GOVERNMENT,
            handed_on=date(2025, 3, 20),
        ),
        ResidentQuestion(
            "q-1",
            "kk",
            date(2025, 5, 1),
            "civil_registration",
            QuestionChannel.WALK_IN,
            resolution=QuestionResolution.ANSWERED,
            resolved_on=date(2025, 5, 1),
            age_band=AgeBand.AGE_25_44,
        ),
        BusinessGroup(
            "g-1",
            "kk",
            "KUB Tenun",
            "handicraft",
            date(2025, 7, 1),
            business_ids={"b-1"},
            support={SupportType.MENTORING},
        ),
    ],
    ids=lambda r: r.kind,
)
def test_each_new_kind_round_trips_through_plain_data_and_json(record: Any) -> None:
    plain = unstructure(record)
    assert structure(json.loads(json.dumps(plain)), record.kind) == record
    assert unstructure(structure(plain, type(record))) == plain


#: Searches that must find something are derandomized (see test_roundtrip_properties).
SEARCH = settings(phases=[Phase.generate], database=None, max_examples=2000, derandomize=True)


@pytest.mark.parametrize(
    ("strategy", "reached"),
    [
        (kst.trainings, lambda t: len(t.member_ids) > 1 and t.hours is not None),
        (kst.data_updates, lambda u: u.handed_on is not None and u.persons is not None),
        (kst.resident_questions, lambda q: q.resolution is QuestionResolution.REFERRED),
        (kst.resident_questions, lambda q: q.topic not in CODE_LISTS["question_topic"].codes),
        (kst.business_groups, lambda g: g.has_capital_support and len(g.business_ids) > 1),
        (kst.meetings, lambda m: m.type is MeetingType.MUSDESUS_BLT_DD),
        (kst.advocacy_proposals, lambda p: p.budget_field is not None),
        (kst.advocacy_proposals, lambda p: p.carried_over_from is not None and p.timeline),
    ],
)
def test_strategies_reach_the_interesting_records(strategy: Any, reached: Any) -> None:
    find(strategy(), reached, settings=SEARCH)


@given(kst.advocacy_proposals())
def test_generated_proposals_keep_the_kelurahan_rule(p: AdvocacyProposal) -> None:
    if p.status is ProposalStatus.FUNDED_APBDES and p.village_id is not None:
        assert p.village_id[9] != "1"


# --------------------------------------------------------------------------- invariants


def test_a_training_names_someone() -> None:
    with pytest.raises(ValueError, match="names at least one member"):
        Training("t", "kk", "Topik", date(2025, 1, 1), TrainingOrganiser.KK, set())
    with pytest.raises(ValueError, match="hours must not be negative"):
        Training("t", "kk", "Topik", date(2025, 1, 1), TrainingOrganiser.KK, {"m"}, hours=-1)


def test_a_data_update_keeps_its_dates_and_counts_in_order() -> None:
    update = DataUpdate("d", "kk", "resident_data", date(2025, 3, 1))
    with pytest.raises(ValueError, match=r"finished_on \(2025-02-28\) is before 2025-03-01"):
        attrs.evolve(update, finished_on=date(2025, 2, 28))
    with pytest.raises(ValueError, match="handed_on"):
        attrs.evolve(update, handed_to=DataRecipient.DUKCAPIL, handed_on=date(2025, 2, 28))
    with pytest.raises(ValueError, match="needs who it was handed to"):
        attrs.evolve(update, handed_on=date(2025, 3, 2))
    with pytest.raises(ValueError, match="3 persons cannot make up 4 households"):
        attrs.evolve(update, households=4, persons=3)
    assert attrs.evolve(update, handed_to=DataRecipient.BPD).handed_on is None  # not yet


def test_a_question_is_resolved_exactly_when_answered_or_referred() -> None:
    q = ResidentQuestion("q", "kk", date(2025, 5, 1), "other", QuestionChannel.PHONE)
    assert q.resolution is QuestionResolution.PENDING
    with pytest.raises(ValueError, match="resolved_on is set exactly when"):
        attrs.evolve(q, resolved_on=date(2025, 5, 2))
    with pytest.raises(ValueError, match="resolved_on is set exactly when"):
        attrs.evolve(q, resolution=QuestionResolution.ANSWERED)
    with pytest.raises(ValueError, match="resolved_on"):
        attrs.evolve(q, resolution=QuestionResolution.ANSWERED, resolved_on=date(2025, 4, 30))
    with pytest.raises(ValueError, match="names the provider it was sent to"):
        attrs.evolve(q, resolution=QuestionResolution.REFERRED, resolved_on=date(2025, 5, 2))
    with pytest.raises(ValueError, match="and only a referred one"):
        attrs.evolve(
            q,
            resolution=QuestionResolution.ANSWERED,
            resolved_on=date(2025, 5, 2),
            provider_id="uptd-ppa",
        )


def test_a_question_holds_no_name_and_no_free_text() -> None:
    texts = [
        a.name
        for a in attrs.fields(ResidentQuestion)
        if a.type in (str, "str") and not (a.name == "id" or a.name.endswith("_id"))
    ]
    assert texts == ["topic"]  # a code of question_topic


def test_a_budget_field_only_once_funded() -> None:
    p = AdvocacyProposal("a", "kk", "Usulan", Forum.MUSYAWARAH_DESA, cycle_year=2026)
    with pytest.raises(
        ValueError, match="a budget field \\(bidang\\) is recorded only once funded"
    ):
        attrs.evolve(p, status=ProposalStatus.IN_RKPDES, budget_field=ApbdesField.COMMUNITY)
    funded = attrs.evolve(
        p,
        status=ProposalStatus.FUNDED_APBDES,
        allocated_rupiah=1,
        budget_field=ApbdesField.COMMUNITY,
    )
    assert funded.budget_field is ApbdesField.COMMUNITY
    with pytest.raises(ValueError, match="is not a Kemendagri village code"):
        attrs.evolve(p, village_id="Teros")


# --------------------------------------------------------------------------- meetings, codes


def test_a_meeting_is_the_kks_own_unless_told() -> None:
    old = {"id": "m", "group_id": "kk", "title": "Rapat", "held_on": "2025-02-13"}
    assert structure(old, Meeting).type is MeetingType.KK_MEETING  # as release 0.1.0 wrote
    blt = Meeting("m", "kk", "Musdesus", date(2025, 1, 15), type=MeetingType.MUSDESUS_BLT_DD)
    assert blt.type.forum is Forum.MUSDESUS_BLT_DD
    assert MeetingType.KK_MEETING.forum is None


def test_every_forum_is_a_meeting_type_and_climbs_a_rung() -> None:
    for forum in Forum:
        assert MeetingType(forum.value).forum is forum
        assert forum.stage in (Forum.MUSYAWARAH_DUSUN, Forum.MUSYAWARAH_DESA, Forum.MUSRENBANGDES)
    assert Forum.MUSYAWARAH_DESA_KHUSUS.stage is Forum.MUSYAWARAH_DESA
    assert Forum.parse("Musdesus penetapan KPM BLT Dana Desa") is Forum.MUSDESUS_BLT_DD


@pytest.mark.parametrize(
    "name",
    [
        "meeting_type",
        "apbdes_field",
        "training_organiser",
        "data_recipient",
        "question_channel",
        "question_resolution",
        "data_set",
        "question_topic",
    ],
)
def test_the_new_code_lists_are_listed(name: str) -> None:
    codes = CODE_LISTS[name]
    assert codes.codes
    assert codes.extensible is (name in ("data_set", "question_topic"))


def test_the_new_dimensions_check_their_codes() -> None:
    assert dimensions_of("data_update")["data_set"].code_list == "data_set"
    assert dimensions_of("resident_question")["topic"].code_list == "question_topic"
    assert dimensions_of("training")["organiser"].code_list == "training_organiser"
    assert dimensions_of("advocacy_proposal")["budget_field"].code_list == "apbdes_field"
    with pytest.raises(ValidationError, match="did you mean 'disability_data'"):
        compile_criteria("data_update", {"data_set": "disabilty_data"})
    with pytest.raises(ValidationError, match="is not a code of proposal_status"):
        compile_criteria("advocacy_proposal", {"status": "funded"})  # release 0.1.0's code
    groups = [
        BusinessGroup("g1", "kk", "A", "trade", date(2025, 1, 1)),
        BusinessGroup(
            "g2", "kk", "B", "trade", date(2025, 1, 1), support={SupportType.CAPITAL_BUMDES}
        ),
    ]
    assert count_by(groups, BusinessGroup, ("has_capital_support",)) == {(False,): 1, (True,): 1}


# --------------------------------------------------------------------------- release 0.1.0


def old_proposal(status: str, forum: str, actions: list[tuple[str, str, str]]) -> dict[str, Any]:
    """A proposal as release 0.1.0 stored it (no cycle_year, old codes)."""
    return {
        "id": "usulan-1",
        "group_id": "kk-teros",
        "title": "Rumah aman",
        "forum": forum,
        "issue_areas": ["violence_prevention"],
        "evidence": ["rekap"],
        "status": status,
        "requested_rupiah": 1000,
        "allocated_rupiah": 900 if status == "funded" else None,
        "timeline": [
            {
                "at": f"2025-08-{21 + i}T10:00:00+08:00",
                "action": action,
                "source": source,
                "target": target,
                "actor_id": None,
                "note": "",
                "ref": None,
            }
            for i, (action, source, target) in enumerate(actions)
        ],
    }


DRAFT = ("draft", "draft", "draft")
SUBMIT = ("submit", "draft", "submitted")
DISCUSS = ("discuss", "submitted", "discussed")
ADOPT = ("adopt", "discussed", "adopted")
FUND = ("fund", "adopted", "funded")


@pytest.mark.parametrize(
    ("status", "forum", "actions", "expected", "events"),
    [
        ("draft", "musyawarah_dusun", [DRAFT], "draft", ["draft"]),
        (
            "submitted",
            "musyawarah_dusun",
            [DRAFT, SUBMIT],
            "in_musdus",
            ["draft", "submit_musdus"],
        ),
        (
            "discussed",
            "musyawarah_desa",
            [DRAFT, SUBMIT, DISCUSS],
            "in_musdes",
            ["draft", "submit_musdes", "discuss"],
        ),
        (
            "adopted",
            "musrenbangdes",
            [DRAFT, SUBMIT, DISCUSS, ADOPT],
            "in_rkpdes",
            ["draft", "submit_musrenbangdes", "discuss", "adopt_rkpdes"],
        ),
        (
            "funded",
            "musrenbangdes",
            [DRAFT, SUBMIT, DISCUSS, ADOPT, FUND],
            "funded_apbdes",
            ["draft", "submit_musrenbangdes", "discuss", "adopt_rkpdes", "fund_apbdes"],
        ),
        (
            "rejected",
            "musyawarah_desa",
            [DRAFT, SUBMIT, ("reject", "submitted", "rejected")],
            "rejected",
            ["draft", "submit_musdes", "reject"],
        ),
    ],
)
def test_a_release_0_1_0_proposal_reads_into_the_new_model(
    status: str, forum: str, actions: list[tuple[str, str, str]], expected: str, events: list[str]
) -> None:
    data = old_proposal(status, forum, actions)
    p = structure(data, AdvocacyProposal)
    assert p.status == expected
    assert [e.action for e in p.timeline] == events
    assert p.timeline[-1].target == expected
    for earlier, later in zip(p.timeline, p.timeline[1:], strict=False):
        assert later.source == earlier.target  # the timeline still reads as a chain
    assert p.cycle_year == 2026  # the year after its first event
    assert (p.village_id, p.budget_field, p.carried_over_from) == (None, None, None)
    # ... and it is stored in the new shape from then on
    again = unstructure(p)
    assert again["status"] == expected
    assert structure(again, AdvocacyProposal) == p


def test_the_upgrade_leaves_current_and_foreign_data_alone() -> None:
    current = unstructure(
        AdvocacyProposal("a", "kk", "Usulan", Forum.MUSYAWARAH_DESA, cycle_year=2030)
    )
    assert upgrade_proposal_data(current) is current
    assert upgrade_proposal_data(["not", "a", "mapping"]) == ["not", "a", "mapping"]
    undrafted = old_proposal("draft", "musyawarah_desa", [])
    assert "cycle_year" not in upgrade_proposal_data(undrafted)
    assert structure(undrafted, AdvocacyProposal).cycle_year is None
    odd = old_proposal("submitted", "no_such_forum", [DRAFT, SUBMIT])
    assert upgrade_proposal_data(odd)["status"] == "submitted"  # left for the converter
    with pytest.raises(ValidationError) as caught:
        structure(odd, AdvocacyProposal)
    assert {p.path for p in caught.value.problems} >= {"advocacy_proposal.forum"}
    damaged = old_proposal("submitted", "musyawarah_desa", [DRAFT, SUBMIT])
    damaged["timeline"][0]["at"] = "yesterday"
    assert "cycle_year" not in upgrade_proposal_data(damaged)


def test_the_converter_reads_older_shapes_for_the_kinds_that_changed() -> None:
    assert set(RECORD_UPGRADES) >= {AdvocacyProposal, Case}
    data = old_proposal("funded", "musrenbangdes", [DRAFT, SUBMIT, DISCUSS, ADOPT, FUND])
    hook = converter.get_structure_hook(AdvocacyProposal)  # what the SQL store calls
    assert hook(dict(data), AdvocacyProposal).status is ProposalStatus.FUNDED_APBDES
