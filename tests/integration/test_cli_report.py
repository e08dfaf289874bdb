"""``kk report`` and ``kk brief``: suppressed tables and the musyawarah brief from a store."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from cli_support import digest, kk, kk_in_terminal, kk_process, sqlite_url
from kk_cli import ExitCode, demo
from kk_core import Between, Case, copy_records, open_store
from kk_core.analysis import indicator_table

TEROS = "52.03.17.2003"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo (two years, four villages)."""
    path = tmp_path_factory.mktemp("report") / "demo.db"
    source = demo.demo_store(seed=2025)
    with open_store(sqlite_url(path)) as target:  # type: ignore[attr-defined]
        copy_records(source, target)
    return path


def _cells(markdown: str) -> list[str]:
    rows = [line for line in markdown.splitlines() if line.startswith("| ")][2:]
    return [c.strip() for row in rows for c in row.strip("|").split("|")[1:]]


def test_an_indicator_as_a_suppressed_markdown_table(store_path: Path) -> None:
    args = ("report", "cases_by_hamlet_category", "--store", sqlite_url(store_path))
    result = kk(*args, "--village", TEROS, "--year", "2025", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("**Cases by hamlet and category**")
    assert "| Teros Daya |" in result.stdout
    cells = _cells(result.stdout)
    assert {"<5", "x"} & set(cells)
    assert not [c for c in cells if re.fullmatch(r"[1-4]", c)]  # no small count shown
    with open_store(sqlite_url(store_path), read_only=True) as store:  # type: ignore[attr-defined]
        period = Between(date(2025, 1, 1), date(2025, 12, 31))
        expected = indicator_table(
            "cases_by_hamlet_category", store, village_id=TEROS, period=period
        )
    assert result.stdout == expected.to_markdown("en") + "\n"


def test_csv_for_an_indonesian_excel_to_a_file(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "izin.csv"
    result = kk(
        "report", "permits_obtained", "--store", sqlite_url(store_path),
        "--format", "csv", "--delimiter", ";", "--output", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"kk: wrote {out}" in result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Jenis", "Jumlah"]
    assert any(row[0] == "Jumlah" for row in rows[1:])  # the total row, then the notes


def test_html(store_path: Path) -> None:
    result = kk(
        "report", "referrals_by_status", "--store", sqlite_url(store_path), "--format", "html"
    )
    assert result.exit_code == 0, result.output
    assert "<table" in result.stdout


def test_an_unknown_indicator_names_the_known_ones_and_writes_nothing(
    store_path: Path, tmp_path: Path
) -> None:
    before = digest(store_path)
    out = tmp_path / "never.md"
    result = kk("report", "cases_by_hamlett", "--store", sqlite_url(store_path), "-o", str(out))
    assert result.exit_code == ExitCode.INPUT
    assert result.stdout == ""
    assert "no indicator 'cases_by_hamlett'; known: businesses_supported" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert digest(store_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--year", "2025", "--from", "2025-01-01", "--to", "2025-02-01"), "not both"),
        (("--from", "2025-01-01"), "--from and --to go together"),
        (("--from", "2025-03-01", "--to", "2025-02-01"), "is before --from"),
        (("--from", "1 March 2025", "--to", "2025-04-01"), "'1 March 2025' does not match"),
        (("--village", "52.03.17.9999"), "is not a village code Kemendagri lists"),
    ],
)
def test_bad_options_are_usage_errors(
    store_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = kk("report", "cases_by_hamlet_category", "--store", sqlite_url(store_path), *args)
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr


def test_a_missing_store_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = kk("report", "permits_obtained", "--store", sqlite_url(missing))
    assert result.exit_code == ExitCode.STORAGE
    assert not missing.exists()


def test_the_brief_as_html_holds_its_tables_and_charts(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "musdes-teros-2025.html"
    before = digest(store_path)
    result = kk(
        "brief", "--store", sqlite_url(store_path), "--village", TEROS, "--year", "2025",
        "--output", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == f"kk: wrote {out}\n"  # no chart library's chatter
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or "<html" in html
    assert "Teros" in html
    assert "data:image/png;base64," in html
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # an ordinary file, not mkstemp's
    assert digest(store_path) == before


def test_the_brief_in_markdown_on_stdout_without_charts(store_path: Path) -> None:
    result = kk(
        "brief", "--store", sqlite_url(store_path), "--village", TEROS,
        "--from", "2024-01-01", "--to", "2024-06-30", "--lang", "en", "--no-charts",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Teros" in result.stdout
    assert "data:image/png" not in result.stdout


def test_a_brief_needs_a_period_and_a_listed_village(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    url = sqlite_url(store_path)
    no_period = kk("brief", "--store", url, "--village", TEROS, "-o", str(out))
    assert no_period.exit_code == ExitCode.USAGE
    assert "give the period" in no_period.stderr
    bad_village = kk(
        "brief", "--store", url, "--village", "99.99", "--year", "2025", "-o", str(out)
    )
    assert bad_village.exit_code == ExitCode.USAGE
    assert not out.exists()


def test_a_failed_write_leaves_no_file(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "brief.md"
    result = kk(
        "brief", "--store", sqlite_url(store_path), "--village", TEROS, "--year", "2025",
        "--no-charts", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == ExitCode.STORAGE
    assert "cannot write" in result.stderr
    assert not out.parent.exists()


def test_counts_agree_with_the_store(store_path: Path) -> None:
    result = kk(
        "report", "cases_by_year_category", "--store", sqlite_url(store_path), "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    with open_store(sqlite_url(store_path), read_only=True) as store:  # type: ignore[attr-defined]
        total = sum(store.count(Case).values())
    total_row = next(line for line in result.stdout.splitlines() if line.startswith("| Total"))
    assert total_row.rstrip(" |").split("|")[-1].strip() == str(total)


def test_csv_is_only_the_table_and_its_notes_go_to_stderr(store_path: Path) -> None:
    """A CSV consumer reads the table and nothing else: no note rows after the total."""
    pandas = pytest.importorskip("pandas")
    args = ("report", "cases_by_hamlet_category", "--store", sqlite_url(store_path))
    result = kk(*args, "--village", TEROS, "--year", "2025", "--lang", "en", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert {len(row) for row in rows} == {len(rows[0])}  # a rectangle: no one-cell rows
    assert rows[-1][0] == "Total"
    frame = pandas.read_csv(io.StringIO(result.stdout.removeprefix("\ufeff")))
    assert frame.shape == (len(rows) - 1, len(rows[0]))
    assert "kk: note: Cells of 1 to 4 are shown as '<5'" in result.stderr
    assert "Cells of 1 to 4" not in result.stdout


def test_on_a_terminal_the_brief_goes_to_a_file_it_names(store_path: Path, tmp_path: Path) -> None:
    """Not 87 kB of Markdown and base64 charts on the screen: a file, named on stderr."""
    args = ("brief", "--store", sqlite_url(store_path), "--village", TEROS, "--year", "2025")
    status, shown, stderr = kk_in_terminal(*args, cwd=tmp_path)
    assert status == 0, stderr
    assert "base64" not in shown
    assert len(shown) < 200, shown[:300]
    written = tmp_path / f"brief-{TEROS}-2025.html"
    assert f"kk: wrote brief-{TEROS}-2025.html" in stderr
    assert written.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_piped_the_brief_goes_to_stdout_as_asked(store_path: Path, tmp_path: Path) -> None:
    args = ("brief", "--store", sqlite_url(store_path), "--village", TEROS, "--year", "2025")
    markdown = kk_process(*args, "--no-charts", cwd=tmp_path)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("# ")
    page = kk_process(*args, "--no-charts", "--format", "html", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert page.stdout.lstrip().lower().startswith("<!doctype html")
    assert list(tmp_path.iterdir()) == []  # nothing written beside


def test_a_year_without_data_writes_no_brief_and_says_which_years_have_some(
    store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "brief.html"
    args = ("brief", "--store", sqlite_url(store_path), "--village", TEROS, "--no-charts")
    result = kk(*args, "--year", "2019", "-o", str(out))
    assert result.exit_code == ExitCode.INPUT, result.output
    assert (
        "no case, referral, UMKM support or information session of Teros (52.03.17.2003) "
        "from 2019-01-01 to 2019-12-31 (the store has cases of this village in 2024, 2025)"
    ) in result.stderr
    assert not out.exists()
    anyway = kk(*args, "--year", "2019", "-o", str(out), "--allow-empty")
    assert anyway.exit_code == 0, anyway.output
    assert "kk: warning: no case, referral" in anyway.stderr
    assert out.exists()
    assert "kk: warning" not in kk(*args, "--year", "2025", "-o", str(out)).stderr
