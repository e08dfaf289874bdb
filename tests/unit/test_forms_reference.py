"""docs/reference/forms.md is what scripts/make_forms_docs.py makes from
`kk_adapters.kobo.forms`: rendered again here, it must be the same, and it names every
field of every generated form."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from kk_adapters.kobo.forms import kk_forms
from kk_core.plugins import Plugins

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "forms.md"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_forms_docs", ROOT / "scripts" / "make_forms_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_the_one_the_code_makes(script: ModuleType) -> None:
    assert PAGE.read_text(encoding="utf-8") == script.render(), (
        "docs/reference/forms.md is out of date: run python scripts/make_forms_docs.py"
    )
    assert script.main(["--check"]) == 0


def test_every_field_of_every_form_is_on_the_page(script: ModuleType) -> None:
    page = script.render()
    for form in kk_forms(script.EXAMPLE, plugins=Plugins(load_entry_points=False)):
        start = page.index(f"(`{form.form_id}`)")
        for walked in form.walk():
            assert f"| `{walked.path}` |" in page[start:], walked.path
        assert form.version in page
