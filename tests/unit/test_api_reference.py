"""docs/reference/api.md names every public name of every documented module."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

API_MD = Path(__file__).resolve().parents[2] / "docs" / "reference" / "api.md"


def _sections() -> dict[str, str]:
    text = API_MD.read_text(encoding="utf-8")
    parts = re.split(r"^## (\S+)\s*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


SECTIONS = _sections()


@pytest.mark.parametrize("module_name", sorted(SECTIONS))
def test_every_public_name_is_documented(module_name: str) -> None:
    module = importlib.import_module(module_name)
    body = SECTIONS[module_name]
    missing = [name for name in module.__all__ if f"`{name}" not in body]
    assert not missing, f"{module_name}: not in docs/reference/api.md: {missing}"


def test_every_public_module_has_a_section() -> None:
    src = API_MD.parents[2] / "src" / "kk_core"
    public = {f"kk_core.{p.stem}" for p in src.glob("*.py") if not p.stem.startswith("_")} | {
        "kk_core"
    }
    missing = public - set(SECTIONS)
    assert not missing, f"modules without a section in api.md: {sorted(missing)}"
