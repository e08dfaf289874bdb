"""``kk import`` (a partner's sheet through its mapping, a CSV folder) and ``kk sync``
(a KoboToolbox form, from the API or an export file), end to end on temp stores."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import digest, kk, sqlite_url
from kk_cli import ExitCode
from kk_core import Case, Member, Referral, open_store
from kk_core.plugins import Plugins
from kobo_lookalike import KoboLookalike
from kobo_support import KEY, LPA_FORM, LPA_MAPPING, LPA_UID, NIK, KeyPlugin, fill, lpa_answers

# -------------------------------------------------------------------- kk import (CSV)

SHEET_MAPPING = """
kind = "case"

[columns]
"No. Register" = { field = "id", prefix = "lrc-2025-" }
"Tanggal Lapor" = "reported_on"
"Inisial" = "subject.initials"
"JK" = "subject.sex"
"Umur" = "subject.age_years"
"Jenis Kasus" = "category"
"NIK" = { field = "subject.identity", pseudonymise = true, optional = true }

[labels."subject.sex"]
"P" = "female"
"L" = "male"

[defaults]
group_id = "kk-teros"
village_id = "52.03.17.2003"
channel = "outreach_visit"
"""
SHEET = [
    ["No. Register", "Tanggal Lapor", "Inisial", "JK", "Umur", "Jenis Kasus", "NIK"],
    ["001", "13/02/2025", "S.N.", "P", "15", "Putus Sekolah", NIK],
    ["002", "14 Feb 2025", "M.", "L", "12", "Putus Sekolah", ""],
    ["003", "31/02/2025", "A.", "P", "16", "Putus Sekolah", ""],
]
PLUGINS = [KeyPlugin()]


def _with_group(url: str) -> str:
    """A store holding the group the sheet's cases point at (an import checks it)."""
    from kk_core import ConstituentGroup

    with open_store(url) as store:  # type: ignore[attr-defined]
        store.put(ConstituentGroup("kk-teros", "52.03.17.2003", "KK Teros"))
    return url


def _sheet(tmp_path: Path, rows: list[list[str]] = SHEET) -> tuple[Path, Path]:
    sheet = tmp_path / "register.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";").writerows(rows)
    mapping = tmp_path / "register.toml"
    mapping.write_text(SHEET_MAPPING, encoding="utf-8")
    return sheet, mapping


def test_the_key_from_a_file_named_in_the_environment(tmp_path: Path) -> None:
    sheet, mapping = _sheet(tmp_path)
    key_file = tmp_path / "kunci"
    key_file.write_bytes(KEY + b"\n")
    by_file = _with_group(sqlite_url(tmp_path / "a.db"))
    by_plugin = _with_group(sqlite_url(tmp_path / "b.db"))
    args = ("import", str(sheet), "--mapping", str(mapping))
    result = kk(*args, "--store", by_file, env={"KK_PSEUDONYM_KEY_FILE": str(key_file)})
    assert result.exit_code == ExitCode.PROBLEMS, result.output  # the 31/02 row
    assert KEY.decode() not in result.output
    kk(*args, "--store", by_plugin, plugins=Plugins(extra=PLUGINS))
    with open_store(by_file, read_only=True) as a, open_store(by_plugin, read_only=True) as b:  # type: ignore[attr-defined]
        assert a.get(Case, "lrc-2025-001").subject == b.get(Case, "lrc-2025-001").subject


def test_without_a_key_the_shell_user_is_told_where_to_put_it(tmp_path: Path) -> None:
    sheet, mapping = _sheet(tmp_path)
    url = tmp_path / "kk.db"
    result = kk("import", str(sheet), "--mapping", str(mapping), "--store", sqlite_url(url))
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "KK_PSEUDONYM_KEY_FILE" in result.stderr
    assert not url.exists()
    short = tmp_path / "short"
    short.write_bytes(b"123")
    result = kk(
        "import", str(sheet), "--mapping", str(mapping), "--store", sqlite_url(url),
        env={"KK_PSEUDONYM_KEY_FILE": str(short)},
    )  # fmt: skip
    assert result.exit_code == ExitCode.STORAGE, result.output
    assert "at least 16" in result.stderr
    assert not url.exists()


def test_a_partner_sheet_with_its_mapping_and_a_rejects_file(tmp_path: Path) -> None:
    sheet, mapping = _sheet(tmp_path)
    url = _with_group(sqlite_url(tmp_path / "kk.db"))
    rejects = tmp_path / "ditolak.csv"
    args = ("import", str(sheet), "--mapping", str(mapping), "--store", url)
    result = kk(*args, "--rejects", str(rejects), plugins=Plugins(extra=PLUGINS))
    assert result.exit_code == ExitCode.PROBLEMS, result.output  # one row refused
    lines = result.stdout.splitlines()
    assert lines[0] == f"Imported {sheet} → {url}"
    assert lines[2].split() == ["case", "2", "0"]
    assert "Refused: 1 (1 problems); see" in result.stdout
    assert "31/02/2025" in rejects.read_text(encoding="utf-8")
    assert NIK not in result.output + rejects.read_text(encoding="utf-8")
    with open_store(url, read_only=True) as store:  # type: ignore[attr-defined]
        assert sorted(c.id for c in store.find(Case)) == ["lrc-2025-001", "lrc-2025-002"]
    again = kk(*args, "--json", plugins=Plugins(extra=PLUGINS))
    report = json.loads(again.stdout)
    assert report["written"] == {"case": 0}
    assert report["unchanged"] == {"case": 2}


def test_a_mapping_that_does_not_fit_writes_nothing(tmp_path: Path) -> None:
    sheet, mapping = _sheet(tmp_path)
    mapping.write_text(SHEET_MAPPING.replace('"subject.sex"', '"subject.sexx"', 1))
    target = tmp_path / "kk.db"
    rejects = tmp_path / "ditolak.csv"
    result = kk(
        "import", str(sheet), "--mapping", str(mapping), "--store", sqlite_url(target),
        "--rejects", str(rejects), plugins=Plugins(extra=PLUGINS),
    )  # fmt: skip
    assert result.exit_code == ExitCode.INPUT
    assert "subject.sexx" in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists()
    assert not rejects.exists()


def test_a_sheet_without_its_mapping_is_a_usage_error(tmp_path: Path) -> None:
    sheet, _ = _sheet(tmp_path)
    result = kk("import", str(sheet), "--store", sqlite_url(tmp_path / "kk.db"))
    assert result.exit_code == ExitCode.USAGE
    assert "give its --mapping" in result.stderr
    assert not (tmp_path / "kk.db").exists()


def test_a_csv_folder_exported_by_kk_export_imports_back(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    with open_store(sqlite_url(source)) as store:  # type: ignore[attr-defined]
        fill(store)
    folder = tmp_path / "folder"
    exported = kk(
        "export", "--store", sqlite_url(source), "--to", f"csv://{folder}", "--person-level"
    )
    assert exported.exit_code == 0, exported.output
    target = sqlite_url(tmp_path / "copy.db")
    result = kk("import", str(folder), "--store", target)
    assert result.exit_code == 0, result.output
    assert "Nothing was refused." in result.stdout
    with open_store(target, read_only=True) as store:  # type: ignore[attr-defined]
        assert {m.id for m in store.find(Member)} == {
            "kk-teros-m08",
            "kk-teros-m09",
        }


# ----------------------------------------------------------------------- kk sync (Kobo)


@pytest.fixture
def server() -> Iterator[KoboLookalike]:
    with KoboLookalike(page_cap=10) as running:
        running.add_asset(LPA_UID, LPA_FORM, name="Kasus LPA")
        for i in range(1, 6):
            running.add_submission(LPA_UID, lpa_answers(i))
        yield running


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "lpa.toml"
    path.write_text(LPA_MAPPING, encoding="utf-8")
    return path


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "kk.db"
    with open_store(sqlite_url(path)) as store:  # type: ignore[attr-defined]
        fill(store)
    return path


def _kobo(server: KoboLookalike) -> str:
    return server.url.replace("http://", "kobo+http://") + "/" + LPA_UID


def test_sync_from_the_api_with_the_token_from_the_environment(
    server: KoboLookalike, mapping_file: Path, target: Path
) -> None:
    args = (_kobo(server), "--mapping", str(mapping_file), "--store", sqlite_url(target))
    env = {"KOBO_TOKEN": server.token}
    result = kk("sync", *args, env=env, plugins=Plugins(extra=PLUGINS))
    assert result.exit_code == 0, result.output
    assert "Submissions: 5 (5 new, 0 updated, 0 unchanged, 0 rejected)" in result.stdout
    assert server.token not in result.output
    with open_store(sqlite_url(target), read_only=True) as store:  # type: ignore[attr-defined]
        assert sum(store.count(Case).values()) == 5
        assert sum(store.count(Referral).values()) == 5
    again = kk("sync", *args, "--json", env=env, plugins=Plugins(extra=PLUGINS))
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["submissions"]["unchanged"] == 5


def test_the_token_can_be_typed_at_a_prompt_and_is_never_shown(
    server: KoboLookalike, mapping_file: Path, target: Path
) -> None:
    result = kk(
        "sync", _kobo(server), "--mapping", str(mapping_file), "--store", sqlite_url(target),
        "--token-prompt", input=server.token + "\n", plugins=Plugins(extra=PLUGINS),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "KoboToolbox API token:" in result.output
    assert server.token not in result.output


def test_without_a_token_nothing_is_fetched_nor_written(
    server: KoboLookalike, mapping_file: Path, target: Path
) -> None:
    before = digest(target)
    result = kk(
        "sync", _kobo(server), "--mapping", str(mapping_file), "--store", sqlite_url(target),
        plugins=Plugins(extra=PLUGINS),
    )  # fmt: skip
    assert result.exit_code == ExitCode.INPUT
    assert "no API token: set KOBO_TOKEN" in result.stderr
    assert digest(target) == before


def test_a_token_on_the_command_line_is_refused_unshown(
    server: KoboLookalike, mapping_file: Path, tmp_path: Path
) -> None:
    secret = "abcdef0123456789abcdef0123456789"
    result = kk(
        "sync", f"{_kobo(server)}?token={secret}", "--mapping", str(mapping_file),
        "--store", sqlite_url(tmp_path / "kk.db"),
    )  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert secret not in result.output
    assert "KOBO_TOKEN" in result.stderr
    assert not (tmp_path / "kk.db").exists()


def test_a_mapping_that_does_not_fit_the_form_writes_nothing(
    server: KoboLookalike, mapping_file: Path, target: Path
) -> None:
    mapping_file.write_text(LPA_MAPPING.replace('kind = "case"', 'kind = "kasus"', 1))
    before = digest(target)
    result = kk(
        "sync", _kobo(server), "--mapping", str(mapping_file), "--store", sqlite_url(target),
        env={"KOBO_TOKEN": server.token}, plugins=Plugins(extra=PLUGINS),
    )  # fmt: skip
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "kasus" in result.stderr
    assert digest(target) == before


def test_a_submission_that_does_not_map_is_a_reject_in_the_file(
    server: KoboLookalike, mapping_file: Path, target: Path, tmp_path: Path
) -> None:
    server.add_submission(LPA_UID, lpa_answers(6, **{"identitas/jk": "x"}))
    rejects = tmp_path / "ditolak.csv"
    result = kk(
        "sync", _kobo(server), "--mapping", str(mapping_file), "--store", sqlite_url(target),
        "--rejects", str(rejects), env={"KOBO_TOKEN": server.token},
        plugins=Plugins(extra=PLUGINS),
    )  # fmt: skip
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "Submissions: 6 (5 new, 0 updated, 0 unchanged, 1 rejected)" in result.stdout
    text = rejects.read_text(encoding="utf-8")
    assert "submission _id 6" in text
    assert NIK not in text + result.output


def test_sync_from_an_export_file(
    server: KoboLookalike, mapping_file: Path, target: Path, tmp_path: Path
) -> None:
    from kk_adapters.kobo.client import KoboClient

    export = tmp_path / "lpa.json"
    with KoboClient(server.url, token=server.token) as client:
        client.save_export(LPA_UID, export)
    result = kk(
        "sync", str(export), "--mapping", str(mapping_file), "--store", sqlite_url(target),
        plugins=Plugins(extra=PLUGINS),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "5 new" in result.stdout
    missing = kk("sync", str(tmp_path / "nope.json"), "--mapping", str(mapping_file),
                 "--store", sqlite_url(target))  # fmt: skip
    assert missing.exit_code == ExitCode.USAGE
    assert "no such export file" in missing.stderr
