"""docs/reference/code-lists.md is what scripts/make_code_list_docs.py makes from the
code lists: rendered again here, it must be the same, so the reference cannot drift."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from kk_core._coded import CodeEntry
from kk_core.codes import CODE_LISTS

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "code-lists.md"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_code_list_docs", ROOT / "scripts" / "make_code_list_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_the_one_the_code_makes(script: ModuleType) -> None:
    assert PAGE.read_text(encoding="utf-8") == script.render(), (
        "docs/reference/code-lists.md is out of date: run python scripts/make_code_list_docs.py"
    )
    assert script.main(["--check"]) == 0


def _section(page: str, name: str) -> str:
    start = page.index(f"\n## {name}\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end != -1 else len(page)]


def test_every_list_and_entry_is_on_the_page(script: ModuleType) -> None:
    page = script.render()
    for name, code_list in CODE_LISTS.items():
        section = _section(page, name)
        assert code_list.source, f"{name} names no source"
        assert code_list.source.split(";")[0] in section
        for entry in code_list:
            row = next(
                line for line in section.splitlines() if line.startswith(f"| `{entry.code}` |")
            )
            assert entry.label_en.replace("|", "\\|") in row
            for alias in entry.aliases:
                assert alias in row
            if entry.parent is not None:
                assert f"`{entry.parent}`" in row


def test_the_page_follows_a_change_of_the_code(
    script: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A label changed in the code changes the page (the check is not vacuous)."""
    sectors = CODE_LISTS["business_sector"]
    changed = sectors.extended([CodeEntry("kopi", "Kopi", "Coffee")])
    monkeypatch.setitem(script.CODE_LISTS, "business_sector", changed)
    assert "| `kopi` | Kopi | Coffee |" in script.render()
    assert script.render() != PAGE.read_text(encoding="utf-8")
    assert script.main(["--check"]) == 1
