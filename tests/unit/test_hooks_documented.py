"""Every hook is documented and tested (DESIGN.md §3, convention 4).

For each hook specification in `kk_core.hookspecs` this fails when:

* ``docs/reference/hooks.md`` has no ``## <hook name>`` section, or that section has no
  runnable ```python example or no ``versionadded``;
* no test file under ``tests/`` other than this one mentions the hook by name;
* the hookspec's docstring lacks a summary, a ``:param <name>:`` line for an argument,
  or ``versionadded``; or, for a ``firstresult`` hook, the sentence
  "Stops at first non-None result".
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kk_core import hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS_MD = ROOT / "docs" / "reference" / "hooks.md"
TESTS = ROOT / "tests"
THIS = Path(__file__).resolve()
FIRSTRESULT = "Stops at first non-None result"


def _hookspecs() -> dict[str, tuple[Callable[..., Any], dict[str, Any]]]:
    marker = f"{hookspecs.PROJECT}_spec"
    found = {}
    for name, value in vars(hookspecs).items():
        opts = getattr(value, marker, None)
        if callable(value) and isinstance(opts, dict):
            found[name] = (value, opts)
    return found


HOOKS = _hookspecs()


def _sections() -> dict[str, str]:
    text = HOOKS_MD.read_text(encoding="utf-8")
    parts = re.split(r"^## (\S+)[ \t]*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _test_sources() -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for path in sorted(TESTS.rglob("test_*.py"))
        if path.resolve() != THIS
    }


SECTIONS = _sections()
TEST_SOURCES = _test_sources()


def test_hookspecs_are_found() -> None:
    assert len(HOOKS) >= 10
    assert all(name.startswith("kk_") for name in HOOKS)


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_has_a_doc_section(hook: str) -> None:
    section = SECTIONS.get(hook)
    assert section is not None, f"docs/reference/hooks.md has no '## {hook}' section"
    assert "```python" in section, f"the {hook} section has no ```python example"
    assert "versionadded" in section, f"the {hook} section does not say when it was added"
    if HOOKS[hook][1].get("firstresult"):
        assert "firstresult" in section, f"the {hook} section does not say it is firstresult"


def test_no_section_for_a_hook_that_does_not_exist() -> None:
    stale = [name for name in SECTIONS if name.startswith("kk_") and name not in HOOKS]
    assert not stale, f"docs/reference/hooks.md documents hooks that do not exist: {stale}"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_has_a_test(hook: str) -> None:
    word = re.compile(rf"\b{re.escape(hook)}\b")
    users = [path for path, text in TEST_SOURCES.items() if word.search(text)]
    assert users, f"no test under tests/ mentions {hook}"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hookspec_docstring(hook: str) -> None:
    function, opts = HOOKS[hook]
    doc = inspect.getdoc(function) or ""
    assert doc.strip(), f"{hook} has no docstring"
    missing = [arg for arg in inspect.signature(function).parameters if f":param {arg}:" not in doc]
    assert not missing, f"{hook}'s docstring has no ':param ...:' for {missing}"
    assert "versionadded" in doc, f"{hook}'s docstring has no versionadded"
    if opts.get("firstresult"):
        assert FIRSTRESULT in doc, f"{hook} is firstresult but does not say {FIRSTRESULT!r}"
