"""``kk validate --mapping``: a mapping file checked as kk import or kk sync would, without
a store and without writing anything."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from cli_support import kk
from kk_cli import ExitCode
from kobo_support import LPA_FORM, LPA_MAPPING

SHEET_MAPPING = """
kind = "case"

[columns]
"No. Register" = { field = "id", prefix = "lrc-2025-" }
"Tanggal Lapor" = "reported_on"
"Jenis Kasus" = "category"

[defaults]
group_id = "kk-teros"
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _form(tmp_path: Path, content: dict[str, object]) -> Path:
    path = tmp_path / "form.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_a_kobo_mapping_that_fits_its_form(tmp_path: Path) -> None:
    mapping = _write(tmp_path, "lpa.toml", LPA_MAPPING)
    result = kk("validate", "--mapping", str(mapping), "--form", str(_form(tmp_path, LPA_FORM)))
    assert result.exit_code == 0, result.output
    assert "No problem found." in result.stdout


def test_a_choice_the_mapping_does_not_code_is_named(tmp_path: Path) -> None:
    form = copy.deepcopy(LPA_FORM)
    choice = next(c for c in form["choices"] if c["list_name"] == "jk")
    form["choices"].append({**choice, "name": "lainnya"})
    mapping = _write(tmp_path, "lpa.toml", LPA_MAPPING)
    result = kk(
        "validate", "--mapping", str(mapping), "--form", str(_form(tmp_path, form)), "--json"
    )
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    findings = json.loads(result.stdout)["findings"]
    assert any("lainnya" in f["problem"] for f in findings), findings


def test_a_spreadsheet_mapping(tmp_path: Path) -> None:
    good = _write(tmp_path, "register.toml", SHEET_MAPPING)
    assert kk("validate", "--mapping", str(good)).exit_code == 0
    bad = _write(tmp_path, "bad.toml", SHEET_MAPPING.replace('"category"', '"kategori"'))
    result = kk("validate", "--mapping", str(bad))
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "kategori" in result.stdout


def test_text_that_is_not_toml(tmp_path: Path) -> None:
    result = kk("validate", "--mapping", str(_write(tmp_path, "x.toml", "kind = [")))
    assert result.exit_code == ExitCode.PROBLEMS
    assert "not valid TOML" in result.stdout


def test_a_form_without_a_mapping_is_a_usage_error(tmp_path: Path) -> None:
    result = kk("validate", "--form", str(_form(tmp_path, LPA_FORM)), env={"KK_STORE": "memory://"})
    assert result.exit_code == ExitCode.USAGE
    assert "--mapping" in result.stderr


def test_nothing_to_check_is_a_usage_error() -> None:
    result = kk("validate")
    assert result.exit_code == ExitCode.USAGE
    assert "--store" in result.stderr
