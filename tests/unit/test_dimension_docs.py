"""docs/reference/dimensions.md is what scripts/make_dimensions_docs.py makes from
`kk_core.dimensions`: rendered again here, it must be the same."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from kk_core.dimensions import DIMENSIONS

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "dimensions.md"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_dimensions_docs", ROOT / "scripts" / "make_dimensions_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_the_one_the_code_makes(script: ModuleType) -> None:
    assert PAGE.read_text(encoding="utf-8") == script.render(), (
        "docs/reference/dimensions.md is out of date: run python scripts/make_dimensions_docs.py"
    )
    assert script.main(["--check"]) == 0


def test_every_dimension_of_every_kind_is_on_the_page(script: ModuleType) -> None:
    page = script.render()
    for kind, dims in DIMENSIONS.items():
        start = page.index(f"\n## {kind.kind}\n")
        end = page.find("\n## ", start + 1)
        section = page[start : end if end != -1 else len(page)]
        for dim in dims:
            row = next(
                line for line in section.splitlines() if line.startswith(f"| `{dim.name}` |")
            )
            if dim.many:
                assert "counted in each" in row
            if dim.name == "month":
                assert "`YYYY-MM`" in row
            if dim.name == "quarter":
                assert "`YYYY-Qn`" in row
