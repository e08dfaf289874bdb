"""The generated XLSForms: they convert with pyxform (the library KoboToolbox converts
XLSForms with), every rule carries its message in both languages, the choice lists are
the code lists with the district's local entries, the form version follows the code
lists, hamlets are filtered by village, and the mapping agrees with the form."""

from __future__ import annotations

import warnings as pywarnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from forms_support import LocalEntries, deployment_context, deployment_records
from kk_adapters.kobo.form_definition import LANGUAGES, FormDefinition, Group, Question
from kk_adapters.kobo.form_logic import ref
from kk_adapters.kobo.forms import (
    CASE_FORM_ID,
    FormContext,
    case_intake_form,
    kk_forms,
    write_forms,
)
from kk_adapters.kobo.submissions import SubmissionTyper
from kk_core.codes import CODELIST_VERSION
from kk_core.errors import ValidationError
from kk_core.plugins import Plugins, reset_plugins

pyxform = pytest.importorskip("pyxform")
openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(params=["core lists", "local entries"])
def plugins(request: pytest.FixtureRequest) -> Iterator[Plugins]:
    extra = [LocalEntries()] if request.param == "local entries" else []
    installed = Plugins(extra=extra)
    reset_plugins(installed)
    try:
        yield installed
    finally:
        reset_plugins(None)


def _forms(plugins: Plugins) -> tuple[FormDefinition, ...]:
    return kk_forms(deployment_context(), plugins=plugins)


def test_every_generated_form_converts_with_pyxform(plugins: Plugins, tmp_path: Path) -> None:
    from pyxform.xls2xform import convert

    paths = write_forms(tmp_path, deployment_context(), plugins=plugins)
    assert [p.name for p in paths] == ["kk_pengaduan.xlsx", "kk_umkm.xlsx", "kk_rapat.xlsx"]
    for path, form in zip(paths, _forms(plugins), strict=True):
        warnings: list[str] = []
        result = convert(str(path), warnings=warnings)  # raises on any error
        print(f"pyxform {pyxform.__version__}, {path.name}: {len(warnings)} warnings")
        for warning in warnings:
            print(f"  warning: {warning}")
            # listed in pytest's warnings summary, so a run shows them without -s
            pywarnings.warn(f"pyxform, {path.name}: {warning}", UserWarning, stacklevel=1)
        xform = result.xform
        assert f'id="{form.form_id}"' in xform
        assert f'version="{form.version}"' in xform
        assert 'lang="Bahasa Indonesia (id)"' in xform
        assert 'lang="English (en)"' in xform
        if form.form_id == CASE_FORM_ID:
            # the hamlets of the village chosen: a choice filter on a secondary instance
            nodeset = "instance('hamlet')/root/item[(village =  /data/report/village )]"
            assert f'itemset nodeset="{nodeset}"' in xform
            # a constraint message in both languages
            assert "jr:constraintMsg" in xform


def test_every_rule_has_its_message_in_both_languages(plugins: Plugins) -> None:
    for form in _forms(plugins):
        rows = form.sheets()["survey"]
        for row in rows:
            name = row["name"]
            if "constraint" in row:
                for language in LANGUAGES:
                    assert row.get(f"constraint_message::{language}", "").strip(), (name, language)
            if "required" in row:
                for language in LANGUAGES:
                    assert row.get(f"required_message::{language}", "").strip(), (name, language)
            if row["type"] not in ("calculate", "start", "end") and not row["type"].startswith(
                "end_"
            ):
                for language in LANGUAGES:
                    assert row.get(f"label::{language}", "").strip(), (name, language)
        settings = form.sheets()["settings"][0]
        assert settings["form_id"] == form.form_id
        assert settings["default_language"] == LANGUAGES[0]


def test_the_model_rules_are_on_the_phone() -> None:
    """The rules the issue names are there, as the form's own XPath."""
    form = case_intake_form(deployment_context(), Plugins())
    survey = {row["name"]: row for row in form.sheets()["survey"]}
    assert survey["reported_on"]["constraint"] == "(. <= today())"
    assert "today()" in survey["consent_on"]["constraint"]
    assert "< 19)" in survey["event_on"]["constraint"]  # child marriage under 19
    assert "age_consent} < 18" in survey["assent"]["relevant"]  # assent only for a child
    giver = survey["giver"]["constraint"]
    assert "count(${perpetrators}[" in giver
    assert "'parent'" in giver
    assert "is_caregiver" in giver
    assert survey["violence"]["relevant"] == (
        "((${category} = 'violence') or selected(${issues}, 'violence'))"
    )
    assert survey["marriage"]["relevant"].count("child_marriage") == 2
    assert survey["referrals"]["type"] == "begin_repeat"
    assert survey["perpetrators"]["type"] == "begin_repeat"


def test_choice_lists_are_the_code_lists_with_the_local_entries(plugins: Plugins) -> None:
    local = "ayah_angkat" in plugins.code_lists["perpetrator_relation"]
    form = case_intake_form(deployment_context(), plugins)
    for list_name in ("perpetrator_relation", "service_kind", "incident_place", "consent_giver"):
        names = [c.name for c in form.choices[list_name]]
        assert names == list(plugins.code_lists[list_name].codes)
    relations = {c.name: c.label for c in form.choices["perpetrator_relation"]}
    subcategories = {c.name: c.columns for c in form.choices["case_subcategory"]}
    giver = form.questions()["giver"].constraint
    assert giver is not None
    if local:
        assert relations["ayah_angkat"] == ("Ayah angkat", "Adoptive father")
        assert subcategories["kdrt_ekonomi"] == {"category": "violence"}
        # the adoptive father rolls up to parent: he cannot consent either
        assert "'ayah_angkat'" in giver.xpath()
    else:
        assert "ayah_angkat" not in relations
        assert "'ayah_angkat'" not in giver.xpath()
    assert "'stepparent'" in giver.xpath()  # a built-in local entry under parent


def test_the_form_version_follows_the_code_lists() -> None:
    ctx = deployment_context()
    core = case_intake_form(ctx, Plugins())
    again = case_intake_form(ctx, Plugins())
    local = case_intake_form(ctx, Plugins(extra=[LocalEntries()]))
    assert core.version.startswith(f"{CODELIST_VERSION}-")
    assert core.version == again.version  # the same lists make the same version
    assert local.version != core.version  # a local entry makes a new one
    assert core.sheets()["settings"][0]["version"] == core.version
    # the version travels in every submission too (KoboToolbox replaces the setting)
    first = core.sheets()["survey"][0]
    assert first == {
        "type": "calculate",
        "name": "kk_form_version",
        "calculation": f"'{core.version}'",
    }


def test_hamlets_are_chosen_from_the_villages_own(plugins: Plugins) -> None:
    form = case_intake_form(deployment_context(), plugins)
    survey = {row["name"]: row for row in form.sheets()["survey"]}
    assert survey["hamlet"]["choice_filter"] == "(village = ${village})"
    assert survey["kk_group"]["choice_filter"] == "(village = ${village})"
    hamlets = {c.name: c.columns["village"] for c in form.choices["hamlet"]}
    for village in ("52.03.17.2003", "52.03.17.2006"):
        offered = form.offered("hamlet", {"village": village}, date(2025, 3, 1))
        assert offered == [h for h, v in hamlets.items() if v == village]
        assert offered
    assert form.offered("kk_group", {"village": "52.03.17.2006"}, date(2025, 3, 1)) == [
        "kk-korleko"
    ]


def test_the_mapping_agrees_with_the_form(plugins: Plugins) -> None:
    """The mapping comes from the same definition: every path it reads is a field of
    the form, every choice of a mapped select is a code of its record field."""
    lists = plugins.code_lists
    for form in _forms(plugins):
        schema = form.schema()
        assert form.mapping().problems(schema) == []
        for question in form.questions().values():
            if question.list_name in lists and question.to is not None:
                codes = set(lists[question.list_name].codes)
                names = {c.name for c in form.choices[question.list_name]}
                assert names <= codes, (form.form_id, question.name)


def test_a_local_entry_goes_from_the_form_into_the_record(tmp_path: Path) -> None:
    """The district adds an uncle to its relations: the form offers it, the mapping
    records it, the model rolls it up."""
    from forms_support import Filled, api_submission, finished_at

    plugins = Plugins(extra=[LocalEntries()])
    reset_plugins(plugins)
    try:
        form = case_intake_form(deployment_context(), plugins)
        answers = {
            "village": "52.03.17.2003",
            "kk_group": "kk-teros",
            "reported_on": date(2025, 3, 4),
            "channel": "walk_in",
            "category": "violence",
            "subcategory": "kdrt_ekonomi",
            "sex": "female",
            "birth_year": 1999,
            **{
                f"wg_ss_{d}": "none"
                for d in ("seeing", "hearing", "walking", "cognition", "self_care", "communication")
            },
            "wg_ss_walking": "a_lot",
            "forms": ("physical",),
            "place": "household",
            "perpetrators": [{"relation": "paman", "perpetrator_sex": "male"}],
            "consent_on": date(2025, 3, 4),
            "giver": "self",
            "services": ("klinik_desa",),
            "referrals": [
                {"provider": "klinik-korleko", "sent_on": date(2025, 3, 5), "reason": "visum"}
            ],
        }
        today = date(2025, 3, 6)
        answers = form.calculate(answers, today)
        assert form.check(answers, today) == []
        filled = Filled(answers, finished_at(today, 0), 7, "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b")
        submission = SubmissionTyper(form.schema()).type(api_submission(form, filled))
        case, referral = form.mapping().map(submission)
        assert case.violence.perpetrators[0].relation == "paman"
        assert case.subcategory == "kdrt_ekonomi"
        assert case.consent.services == {"klinik_desa"}
        assert referral.provider_id == "klinik-korleko"
        assert [e.action for e in case.timeline] == ["report", "record_consent", "refer"]
        assert case.subject.disability.a_lot == {"walking"}
        assert case.subject.disability.has_disability
    finally:
        reset_plugins(None)


def test_write_forms_reads_the_deployment_from_a_store(tmp_path: Path) -> None:
    plugins = Plugins()
    store = plugins.open_store("memory://")
    store.put_many(deployment_records())
    paths = write_forms(tmp_path / "out", store, plugins=plugins)
    book = openpyxl.load_workbook(paths[0])
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [c.value for c in next(book["survey"].iter_rows(max_row=1))]
    assert header[:2] == ["type", "name"]
    assert "constraint_message::Bahasa Indonesia (id)" in header
    assert "constraint_message::English (en)" in header
    villages = {
        row[1] for row in book["choices"].iter_rows(values_only=True) if row[0] == "village"
    }
    assert villages == {"52.03.17.2003", "52.03.17.2006"}


def test_no_forms_without_a_village_with_a_kk(tmp_path: Path) -> None:
    plugins = Plugins()
    empty = plugins.open_store("memory://")
    with pytest.raises(ValidationError, match="at least one village"):
        write_forms(tmp_path, empty, plugins=plugins)
    with pytest.raises(ValidationError, match="at least one KK group"):
        kk_forms(FormContext(villages=deployment_context().villages), plugins=plugins)


def test_a_definition_that_refers_to_no_question_is_refused() -> None:
    from kk_adapters.kobo.forms import _finish

    form = FormDefinition(
        "broken",
        ("Rusak", "Broken"),
        (Group("g", ("G", "G"), (Question("a", "integer", ("A", "A"), relevant=ref("nope")),)),),
        {},
        (),
        CODELIST_VERSION,
    )
    with pytest.raises(ValidationError, match="refers to no question nope"):
        _finish(form)
    assert CASE_FORM_ID == "kk_pengaduan"
