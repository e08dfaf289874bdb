"""docs/reference/lifecycles.md describes exactly the transition tables in the code."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from kk_core.advocacy import PROPOSAL_LIFECYCLE
from kk_core.case_lifecycle import CASE_LIFECYCLE
from kk_core.lifecycle import Lifecycle
from kk_core.referrals import REFERRAL_LIFECYCLE

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "lifecycles.md"

SECTIONS: dict[str, tuple[Lifecycle[Any], str]] = {
    "Case": (CASE_LIFECYCLE, "kk_core.case_lifecycle"),
    "Referral": (REFERRAL_LIFECYCLE, "kk_core.referrals"),
    "Advocacy proposal": (PROPOSAL_LIFECYCLE, "kk_core.advocacy"),
}

Row = tuple[str, frozenset[str], str | None, frozenset[str]]


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, f"no '## {title}' section in {DOC.name}"
    return match.group(1)


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _documented_rows(section: str) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    functions: list[str] = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 5, line
        action, function, sources, target, guards = cells
        (action_name,) = _ticked(action)
        functions += _ticked(function)
        targets = _ticked(target)
        # guard names are the ticked words that open the cell or follow "; "
        names = re.findall(r"(?:^|; )`([^`]+)`", guards)
        rows.append(
            (action_name, frozenset(_ticked(sources)), targets[0] if targets else None,
             frozenset(names))
        )  # fmt: skip
    return rows, functions


def _code_rows(lifecycle: Lifecycle[Any]) -> list[Row]:
    return [
        (
            str(row.action),
            frozenset(str(s) for s in row.sources),
            None if row.target is None else str(row.target),
            frozenset(g.name for g in row.guards),
        )
        for row in lifecycle.transitions
    ]


@pytest.mark.parametrize("title", sorted(SECTIONS))
def test_the_table_matches_the_code(title: str) -> None:
    lifecycle, _ = SECTIONS[title]
    documented, _ = _documented_rows(_section(title))
    assert sorted(documented, key=repr) == sorted(_code_rows(lifecycle), key=repr)


@pytest.mark.parametrize("title", sorted(SECTIONS))
def test_common_guards_and_states_are_named(title: str) -> None:
    lifecycle, _ = SECTIONS[title]
    section = _section(title)
    for guard in lifecycle.common_guards:
        assert f"`{guard.name}`" in section, guard.name
    for state in lifecycle.states():
        assert f"`{state}`" in section, state


@pytest.mark.parametrize("title", sorted(SECTIONS))
def test_the_functions_named_exist(title: str) -> None:
    _, module_name = SECTIONS[title]
    module = importlib.import_module(module_name)
    _, functions = _documented_rows(_section(title))
    assert functions
    for name in functions:
        assert callable(getattr(module, name, None)), f"{module_name}.{name}"
