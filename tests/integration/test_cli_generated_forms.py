"""The KK's generated forms from a shell, end to end: ``kk form`` writes the XLSForm, the
form is deployed on the look-alike KoboToolbox server, a field worker's submission
comes back through ``kk sync --mapping kk_pengaduan`` (the same mapping the form was
made with), and ``kk import`` / ``kk validate`` take the same ``--mapping`` name."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cli_support import kk, sqlite_url
from forms_support import Filled, api_submission, finished_at
from kk_adapters.kobo.form_definition import FormDefinition
from kk_adapters.kobo.forms import FORM_IDS, generated_mapping, kk_forms
from kk_cli import ExitCode, demo
from kk_cli.mappings import GENERATED_FORMS
from kk_core import Case, Referral, copy_records, open_store
from kobo_lookalike import KoboLookalike

HOW_TO = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "collect-with-kobocollect.md"
UID = "aPengaduanKK01"
TODAY = date(2025, 3, 6)
ROOT = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
ANSWERS: dict[str, Any] = {
    "village": "52.03.17.2003",
    "kk_group": "kk-teros",
    "hamlet": "teros-tuntang",
    "reported_on": date(2025, 3, 4),
    "channel": "walk_in",
    "category": "violence",
    "sex": "female",
    "birth_year": 1999,
    **{
        f"wg_ss_{d}": "none"
        for d in ("seeing", "hearing", "walking", "cognition", "self_care", "communication")
    },
    "forms": ("physical",),
    "place": "household",
    "perpetrators": [{"relation": "spouse", "perpetrator_sex": "male"}],
    "consent_on": date(2025, 3, 4),
    "giver": "self",
    "services": ("uptd_ppa",),
    "referrals": [{"provider": "uptd-ppa-lotim", "sent_on": date(2025, 3, 5), "reason": "visum"}],
}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deployment's store: the demo's villages, hamlets, KKs, members and services."""
    path = tmp_path_factory.mktemp("generated") / "kk.db"
    with open_store(sqlite_url(path)) as target:  # type: ignore[attr-defined]
        copy_records(demo.demo_store(seed=2025), target)
    return path


@pytest.fixture(scope="module")
def form(store_path: Path) -> FormDefinition:
    with open_store(sqlite_url(store_path), read_only=True) as store:  # type: ignore[attr-defined]
        return kk_forms(store)[0]


def _submission(form: FormDefinition) -> dict[str, Any]:
    answers = form.calculate(dict(ANSWERS), TODAY)
    assert form.check(answers, TODAY) == []  # what KoboCollect lets a field worker send
    return api_submission(form, Filled(answers, finished_at(TODAY, 30), 1, ROOT))


@pytest.fixture
def server(form: FormDefinition) -> Iterator[KoboLookalike]:
    with KoboLookalike() as running:
        running.add_asset(UID, form.content(), name="Pengaduan KK")
        answers = {
            k: v
            for k, v in _submission(form).items()
            if not k.startswith(("_", "meta/", "formhub/"))
        }
        running.add_submission(UID, answers)
        yield running


def test_the_cli_names_the_forms_the_library_makes() -> None:
    assert GENERATED_FORMS == FORM_IDS


def test_a_submission_of_the_form_kk_form_wrote_syncs_from_the_shell(
    store_path: Path, form: FormDefinition, server: KoboLookalike, tmp_path: Path
) -> None:
    out = tmp_path / "forms"
    written = kk("form", "--store", sqlite_url(store_path), "--out", str(out))
    assert written.exit_code == 0, written.output
    settings = load_workbook(out / "kk_pengaduan.xlsx")["settings"]
    header, values = ([c.value for c in row] for row in settings.iter_rows(max_row=2))
    assert dict(zip(header, values, strict=True))["version"] == form.version  # the same form

    target = tmp_path / "target.db"
    target.write_bytes(store_path.read_bytes())
    source = server.url.replace("http://", "kobo+http://") + "/" + UID
    args = ("sync", source, "--mapping", "kk_pengaduan", "--store", sqlite_url(target))
    result = kk(*args, env={"KOBO_TOKEN": server.token})
    assert result.exit_code == 0, result.output
    assert "Submissions: 1 (1 new, 0 updated, 0 unchanged, 0 rejected)" in result.stdout
    with open_store(sqlite_url(target), read_only=True) as store:  # type: ignore[attr-defined]
        cases = [c for c in store.find(Case) if c.subject.hamlet_id == "teros-tuntang"]
        imported = [c for c in cases if c.reported_on == date(2025, 3, 4)]
        assert len(imported) == 1
        referrals = list(store.find(Referral, case_id=imported[0].id))
        assert [r.provider_id for r in referrals] == ["uptd-ppa-lotim"]
    again = kk(*args, "--json", env={"KOBO_TOKEN": server.token})
    assert json.loads(again.stdout)["submissions"]["unchanged"] == 1


def _commands(text: str, start: str) -> list[list[str]]:
    """The ``$ kk …`` lines of the how-to that start with ``start``, as arguments."""
    lines = [line.removeprefix("$ ") for line in text.splitlines() if line.startswith("$ kk ")]
    found = [shlex.split(line)[1:] for line in lines if line.startswith(start)]
    assert found, f"the how-to shows no {start!r}"
    return found


def test_the_how_to_s_shell_commands_import_an_export_of_the_form(
    store_path: Path, form: FormDefinition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/how-to/collect-with-kobocollect.md, word for word: kk sync, kk import and kk
    validate of an export of the generated case intake, named kk_pengaduan."""
    text = HOW_TO.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    Path("export.json").write_text(json.dumps({"results": [_submission(form)]}), encoding="utf-8")
    asset = {"uid": UID, "content": form.content()}
    Path("export.asset.json").write_text(json.dumps(asset), encoding="utf-8")
    Path("kk.db").write_bytes(store_path.read_bytes())

    (validate,) = _commands(text, "kk validate --mapping kk_pengaduan")
    checked = kk(*validate)
    assert checked.exit_code == 0, checked.output
    assert "No problem found." in checked.stdout

    (sync,) = _commands(text, "kk sync export.json")
    result = kk(*sync)
    assert result.exit_code == 0, result.output
    shown = "Submissions: 1 (1 new, 0 updated, 0 unchanged, 0 rejected)"
    assert shown in result.stdout
    assert shown in text
    with open_store("sqlite:///kk.db", read_only=True) as store:  # type: ignore[attr-defined]
        assert [c.subject.hamlet_id for c in store.find(Case, reported_on=date(2025, 3, 4))] == [
            "teros-tuntang"
        ]

    Path("kk.db").write_bytes(store_path.read_bytes())
    imported = kk(
        "import", "export.json", "--mapping", "kk_pengaduan", "--store", "sqlite:///kk.db"
    )
    assert "kk import export.json --mapping kk_pengaduan --store sqlite:///kk.db" in text
    assert imported.exit_code == 0, imported.output
    assert shown in imported.stdout


def test_the_mapping_of_another_form_does_not_fit_and_nothing_is_written(
    store_path: Path, form: FormDefinition, tmp_path: Path
) -> None:
    asset = tmp_path / "kk_pengaduan.asset.json"
    asset.write_text(json.dumps({"uid": UID, "content": form.content()}), encoding="utf-8")
    url = sqlite_url(store_path)
    checked = kk("validate", "--mapping", "kk_umkm", "--form", str(asset), "--store", url)
    assert checked.exit_code == ExitCode.PROBLEMS, checked.output
    assert "problem(s) found" in checked.stdout


def test_an_unknown_form_name_is_a_usage_error_naming_the_forms(tmp_path: Path) -> None:
    result = kk("sync", str(tmp_path / "x.json"), "--mapping", "kk_kasus", "--store", "memory://")
    assert result.exit_code == ExitCode.USAGE
    assert "kk_pengaduan, kk_umkm, kk_rapat" in result.stderr


def test_a_store_that_is_not_there_says_what_the_mapping_needs(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text('{"results": []}', encoding="utf-8")
    missing = tmp_path / "kk.db"
    result = kk("sync", str(export), "--mapping", "kk_pengaduan", "--store", sqlite_url(missing))
    assert result.exit_code == ExitCode.STORAGE, result.output
    assert "--mapping kk_pengaduan is made from the store kk form made the form from" in (
        result.stderr
    )
    assert not missing.exists()


def test_the_library_gives_the_same_mapping_as_the_form(
    store_path: Path, form: FormDefinition
) -> None:
    with open_store(sqlite_url(store_path), read_only=True) as store:  # type: ignore[attr-defined]
        mapping = generated_mapping(store, "kk_pengaduan")
    assert mapping.rules == form.mapping().rules
    assert mapping.not_future == form.mapping().not_future
