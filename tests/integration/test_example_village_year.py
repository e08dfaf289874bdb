"""examples/village_year.py: the README's main job, run end to end and as a library."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kk_core.codes import (
    CaseAction,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    Division,
    OverrideReason,
    ProposalStatus,
    ReferralStatus,
    SupportType,
)
from kk_core.converter import structure, unstructure

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "village_year.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("village_year_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example() -> ModuleType:
    return _load()


@pytest.fixture(scope="module")
def year(example: ModuleType) -> Any:
    return example.build_village_year()


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Quick start's main job, as run there: in a fresh folder, SQLite by default."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path_factory.mktemp("quick-start"),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


@pytest.mark.parametrize(
    "line",
    [
        "Kelompok Konstituen Desa Teros — year 2025",
        "Village: Teros (52.03.17.2003), Kec. Labuhan Haji",
        "Members by division",
        "Cases reported in 2025: ",
        "Cases by category",
        "Cases by status on 2025-12-31",
        "Cases by hamlet",
        "Cases by sex of the client",
        "Referrals by status",
        "Child's best interest",
        "Support actions: ",
        "Business ID (NIB via OSS)",
        "Meeting 2025-02-13 at Aula Posyandu Desa Teros",
        "speaker: Baiq Titis Yulianty",
        "speaker: Lalu Farouq Wardana",
        "Advocacy proposals (Pendataan):",
        "path: draft → in_musdus → in_musdes → in_musrenbangdes → in_rkpdes → funded_apbdes",
        "path: draft → in_musdes → awig_awig_agreed",
        "path: draft → in_musdes → in_musrenbangdes → carried_over",
        "carried over from kk-teros-usulan-2025-02",
        "Cases by issue (the category and secondary issues; a case counts in each)",
        "Cases by who reported them",
        "SAPA 129 hotline",
        "Case management on 2025-12-31:",
        "Cases by risk level (set at assessment)",
        "Open cases in a legal process, by stage (the case stays open)",
        "Open cases overdue on 2025-12-31: ",
        "GBVIMS classification: ",
        "Incidents by core type",
        "Incidents by flag",
        "event kejadian-2025-pondok-01 shared by 4 cases",
        "Perpetrators by relation (SIMFONI core, then local relations)",
        "Child marriages by route (several per case)",
        "Child marriages by result (as recorded with the case)",
        "Dispensation requests by result (PERMA 5/2019)",
        "Imminent danger to life",
        "Consents by who gave them",
        "Business group: ",
        "Information centre (pusat informasi): 48 questions from residents",
        "Trainings: 4,",
        "Data updates (Pendataan): 6",
        "Meetings by type",
        "Cases by highest GBVIMS type, counted by the store: ",
    ],
)
def test_summary_has(output: str, line: str) -> None:
    assert line in output


def test_summary_names_every_category(output: str) -> None:
    section = output.split("Cases by category", 1)[1].split("Cases by status", 1)[0]
    for category in CaseCategory:
        assert category.label_en in section


def test_summary_leaks_no_identity(output: str, year: Any) -> None:
    assert "p1:" not in output
    assert not re.search(r"\d{16}", output), "a 16-digit number (NIK-like) is printed"
    for case in year.cases:
        if case.subject.identity:
            assert case.subject.identity not in output
        if case.subject.initials:
            assert case.subject.initials not in output, case.id
    assert "EXAMPLE_KEY" not in output


def test_main_is_importable_and_returns_zero(
    example: ModuleType, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    assert example.main(["--store", "none"]) == 0
    summary = capsys.readouterr().out
    assert output.startswith(summary)
    stored = re.search(r"Stored in sqlite:///kk-teros.db: (\d+) records, (\d+) written now", output)
    assert stored is not None, output[-500:]
    assert stored.group(1) == stored.group(2)  # a fresh folder: every record written now


def test_storing_the_year_twice_changes_nothing(
    example: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'teros.db'}"
    assert example.main(["--store", url]) == 0
    first = capsys.readouterr().out
    assert example.main(["--store", url]) == 0
    second = capsys.readouterr().out
    assert ", 0 already there unchanged." in first
    assert ", 0 written now, " in second
    assert first.splitlines()[-1] == second.splitlines()[-1]  # the store's own counts


def test_same_seed_same_year(example: ModuleType, year: Any) -> None:
    assert example.build_village_year(2025) == year
    assert example.build_village_year(7) != year


def test_every_case_category_appears(year: Any) -> None:
    assert {case.category for case in year.cases} == set(CaseCategory)


def test_every_record_round_trips_through_the_converter(year: Any) -> None:
    records = list(year.records())
    assert len(records) > 100
    for record in records:
        data = unstructure(record)
        assert structure(data, record.kind) == record, record.id


def test_the_board_covers_all_four_divisions(year: Any) -> None:
    divisions = {d for member in year.members for d in member.divisions}
    assert divisions == set(Division)
    assert 20 <= sum(m.left_on is None for m in year.members) <= 30
    assert any(not m.lives_in_village for m in year.members)


def test_lifecycles_take_every_turn(year: Any) -> None:
    case_actions = Counter(e.action for c in year.cases for e in c.timeline)
    for action in CaseAction:
        assert case_actions[action], action
    assert {c.status for c in year.cases} >= {
        CaseStatus.CLOSED,
        CaseStatus.ACTIVE,
        CaseStatus.REFERRED,
    }
    closed = [c for c in year.cases if c.status is CaseStatus.CLOSED]
    assert all(c.outcome is not None and c.closed_on is not None for c in closed)
    assert CaseOutcome.LEGAL_PROCESS not in {c.outcome for c in closed}  # a stage now

    statuses = {r.status for r in year.referrals}
    assert statuses >= set(ReferralStatus) - {ReferralStatus.SENT}
    overridden = [r for r in year.referrals if r.override is not None]
    assert {r.override for r in overridden} == {
        OverrideReason.CHILD_AT_RISK,
        OverrideReason.IMMINENT_DANGER,
    }
    assert all(not r.consent_given for r in overridden)
    cases = {c.id: c for c in year.cases}
    for referral in overridden:
        case = cases[referral.case_id]
        if referral.override is OverrideReason.CHILD_AT_RISK:
            assert case.is_child
        else:  # an adult's refusal gives way only to imminent danger to life
            assert not case.is_child


def test_economy_and_advocacy(year: Any) -> None:
    types = {a.type for a in year.support_actions}
    assert {SupportType.PERMIT_NIB, SupportType.PERMIT_PIRT, SupportType.PERMIT_HALAL} <= types
    assert SupportType.CAPITAL_KUR in types
    funded = [p for p in year.proposals if p.status is ProposalStatus.FUNDED_APBDES]
    assert funded
    path = [e.action for e in funded[0].timeline]
    assert path == [
        "draft",
        "submit_musdus",
        "submit_musdes",
        "submit_musrenbangdes",
        "discuss",
        "adopt_rkpdes",
        "fund_apbdes",
    ]
    assert funded[0].allocated_rupiah
    assert funded[0].budget_field is not None


def test_the_teros_meeting(year: Any) -> None:
    meeting = next(m for m in year.meetings if m.held_on.isoformat() == "2025-02-13")
    assert meeting.place == "Aula Posyandu Desa Teros"
    assert {s.name for s in meeting.speakers} == {"Baiq Titis Yulianty", "Lalu Farouq Wardana"}
    assert 20 <= len(meeting.member_ids) <= 30
