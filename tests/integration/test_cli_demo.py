"""``kk demo``: the synthetic data set, built through the services, and its summary."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cli_support import digest, kk, kk_process, sqlite_url
from kk_cli import ExitCode, demo
from kk_cli.commands.demo import DEFAULT_STORE
from kk_core import (
    AdvocacyProposal,
    Business,
    Case,
    ConstituentGroup,
    Hamlet,
    Meeting,
    Member,
    Referral,
    SupportAction,
    Village,
    open_store,
    regions,
)
from kk_core.codes import CaseCategory, Division, ProposalStatus
from kk_core.kinds import RECORD_KINDS
from kk_core.store import Store


@pytest.fixture(scope="module")
def built() -> Store:
    return demo.demo_store(seed=2025)


def _all(store: Store) -> list[object]:
    return [r for cls in RECORD_KINDS.values() for r in store.find(cls)]


def test_villages_are_real_and_each_kk_works_in_all_four_divisions(built: Store) -> None:
    villages = list(built.find(Village))
    assert len(villages) == len(demo.DEMO_VILLAGES) >= 3
    for village in villages:
        assert regions.village_exists(village.id)
        assert regions.region(village.id).name == village.name
        assert village.regency == "Lombok Timur"
        assert len(list(built.find(Hamlet, village_id=village.id))) >= 4
        (group,) = built.find(ConstituentGroup, village_id=village.id)
        members = list(built.find(Member, group_id=group.id))
        assert {d for m in members for d in m.divisions} == set(Division)
        assert {m.sex for m in members} == {"female", "male"}


def test_two_years_of_every_category_with_referrals_umkm_meetings_proposals(
    built: Store,
) -> None:
    for village in demo.DEMO_VILLAGES:
        for year in demo.DEMO_YEARS:
            counts = built.count(Case, by=("category",), village_id=village.code, year=year)
            assert {c for (c,) in counts} == set(CaseCategory), (village.name, year)
    cases = list(built.find(Case))
    assert all(not c.subject.identity for c in cases)  # no identity numbers at all
    assert {c.status for c in cases} >= {"closed", "active"}
    referrals = list(built.find(Referral))
    assert {r.status for r in referrals} >= {"completed", "declined"}
    assert len(list(built.find(Business))) >= 4 * len(demo.DEMO_VILLAGES)
    actions = list(built.find(SupportAction))
    assert any(a.amount_rupiah for a in actions)
    assert len(list(built.find(Meeting))) == 3 * len(demo.DEMO_VILLAGES) * len(demo.DEMO_YEARS)
    statuses = Counter(p.status for p in built.find(AdvocacyProposal))
    assert statuses[ProposalStatus.FUNDED_APBDES] >= 1


def test_the_same_seed_gives_the_same_records(built: Store) -> None:
    again = demo.demo_store(seed=2025)
    assert _all(again) == _all(built)
    other = demo.demo_store(seed=7)
    assert _all(other) != _all(built)


def test_builds_the_store_and_prints_suppressed_tables_then_writes_nothing(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "demo.db")
    first = kk("demo", "--store", url)
    assert first.exit_code == 0, first.output
    total = len(_all(demo.demo_store(seed=2025)))
    assert first.stdout.splitlines()[0] == (
        f"Demo data in {url}: {total:,} records ({total:,} written now, 0 already there)."
    )
    assert "**Cases by village and case category**" in first.stdout
    assert "| Teros |" in first.stdout
    assert "| Kertasari |" in first.stdout
    # a suppressed table shows no count of 1 to 4: those cells read "<5" (or "x")
    table = first.stdout.split("**Cases by village and case category**")[1].split("\n\n")[1]
    cells = [c.strip() for row in table.splitlines()[2:] for c in row.strip("|").split("|")[1:]]
    assert cells
    assert not [c for c in cells if re.fullmatch(r"[1-4]", c)]
    assert "<5" in cells
    assert "Synthetic data." in first.stdout
    # one marker for a small count, the one the closing line names; headers in words
    assert "Small cells are hidden (<5, x)" in first.stdout
    assert "n<5" not in first.stdout
    assert "| Year | Businesses |" in first.stdout
    assert "Distinct" not in first.stdout
    # the next steps it suggests work on what it wrote
    suggested = [line.split()[1:] for line in first.stdout.splitlines() if line.startswith("  kk ")]
    assert [args[0] for args in suggested] == ["report", "brief"]
    report = kk(*suggested[0])
    assert report.exit_code == 0, report.output
    assert "Teros Daya" in report.stdout
    with open_store(url, read_only=True) as store:  # type: ignore[attr-defined]
        assert store.count(Case) == demo.demo_store(seed=2025).count(Case)
    before = digest(tmp_path / "demo.db")
    second = kk("demo", "--store", url)
    assert second.exit_code == 0
    assert f"(0 written now, {total:,} already there)" in second.stdout.splitlines()[0]
    assert digest(tmp_path / "demo.db") == before


def test_a_store_with_other_data_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "real.db"
    with open_store(sqlite_url(path)) as store:  # type: ignore[attr-defined]
        store.put(Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "NTB"))
        store.put(ConstituentGroup("kk-real", "52.03.17.2003", "KK Teros (real)"))
    before = digest(path)
    result = kk("demo", "--store", sqlite_url(path))
    assert result.exit_code == ExitCode.INPUT
    assert result.stdout == ""
    assert "already holds data that is not the demo's (groups kk-real)" in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(path) == before


def test_a_password_on_the_command_line_is_refused(tmp_path: Path) -> None:
    result = kk("demo", "--store", "postgresql://kk:secret@localhost/kk")
    assert result.exit_code == ExitCode.USAGE
    assert "secret" not in result.output
    assert "must not be typed on the command line" in result.stderr


def test_kk_store_is_not_read_and_the_default_is_the_embedded_store() -> None:
    assert DEFAULT_STORE == "sqlite:///kk-demo.db"
    result = kk("demo", "--help", env={"KK_STORE": "sqlite:///real.db"})
    assert result.exit_code == 0
    assert "sqlite:///kk-demo.db" in result.stdout
    assert "KK_STORE is not read" in " ".join(result.stdout.split())


def test_the_console_script_writes_kk_demo_db_in_the_current_folder(tmp_path: Path) -> None:
    done = kk_process("demo", cwd=tmp_path, env={"KK_STORE": sqlite_url(tmp_path / "no.db")})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "kk-demo.db").exists()
    assert not (tmp_path / "no.db").exists()
    assert done.stdout.startswith("Demo data in sqlite:///kk-demo.db:")


def test_casework_needs_neither_click_nor_rich() -> None:
    """The example imports `kk_cli.casework`, and runs without the cli extra."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('click', 'rich'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import kk_cli.casework\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


def test_progress_bars_on_a_terminal_and_never_on_stdout(tmp_path: Path) -> None:
    result = kk("demo", "--store", sqlite_url(tmp_path / "demo.db"), env={"TTY_COMPATIBLE": "1"})
    assert result.exit_code == 0, result.output
    assert "Recording two years through the services" in result.stderr
    assert "Copying into" in result.stderr
    assert "Recording" not in result.stdout
