"""docs/reference/csv.md is what scripts/make_csv_docs.py makes from the column schema:
rendered again here, it must be the same, so the reference cannot drift from the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from kk_adapters.csv.schema import schemas

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "csv.md"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_csv_docs", ROOT / "scripts" / "make_csv_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_the_one_the_code_makes(script: ModuleType) -> None:
    assert PAGE.read_text(encoding="utf-8") == script.render(), (
        "docs/reference/csv.md is out of date: run python scripts/make_csv_docs.py"
    )
    assert script.main(["--check"]) == 0


def test_every_file_and_column_is_on_the_page() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for schema in schemas():
        section = page[page.index(f"\n### {schema.kind}\n") :]
        for table in schema.tables:
            part = section[section.index(f"`{table.file_name}`:") :]
            end = part.find("\n\n", part.index("|---|"))
            part = part if end == -1 else part[:end]
            for name in table.header:
                assert f"| `{name}` |" in part, f"{table.file_name}: {name}"
