"""``kk form``: the KK's XLSForms written from a store's villages, hamlets and groups."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from cli_support import kk, sqlite_url
from kk_cli import ExitCode, demo
from kk_core import copy_records, open_store

FORMS = {"kk_pengaduan.xlsx", "kk_umkm.xlsx", "kk_rapat.xlsx"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("form") / "demo.db"
    with open_store(sqlite_url(path)) as target:  # type: ignore[attr-defined]
        copy_records(demo.demo_store(seed=2025), target)
    return path


def test_the_three_forms_are_written_and_convert(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "forms"
    result = kk("form", "--store", sqlite_url(store_path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == FORMS
    assert {Path(line).name for line in result.stdout.split()} == FORMS
    for name in FORMS:
        assert convert(xlsform=str(out / name)).xform  # pyxform reads it without error
    choices = load_workbook(out / "kk_pengaduan.xlsx")["choices"]
    labels = {str(cell.value) for row in choices.iter_rows() for cell in row if cell.value}
    assert "Teros" in " ".join(labels)  # the store's villages are the choices


def test_a_store_without_a_kk_group_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    with open_store(sqlite_url(empty)):
        pass
    out = tmp_path / "forms"
    result = kk("form", "--store", sqlite_url(empty), "--out", str(out))
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "error" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_missing_store_is_a_usage_error(tmp_path: Path) -> None:
    result = kk("form", "--out", str(tmp_path / "forms"), env={"KK_STORE": ""})
    assert result.exit_code == ExitCode.USAGE
    assert not (tmp_path / "forms").exists()


def test_a_kk_without_members_yet_gets_its_forms(tmp_path: Path) -> None:
    """A new KK (a village and its group, no member recorded yet): the meeting form
    leaves out "members present" and its check, and all three forms convert."""
    from kk_core import Village
    from kk_core.groups import ConstituentGroup

    teros = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")
    path = tmp_path / "new.db"
    with open_store(sqlite_url(path)) as store:  # type: ignore[attr-defined]
        store.put_many([teros, ConstituentGroup("kk-teros", teros.id, "KK Desa Teros")])
    out = tmp_path / "forms"
    result = kk("form", "--store", sqlite_url(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    for name in FORMS:
        assert convert(xlsform=str(out / name)).xform
    survey = load_workbook(out / "kk_rapat.xlsx")["survey"]
    names = {row[1] for row in survey.iter_rows(values_only=True)}
    assert "female" in names
    assert "members_present" not in names
