"""The worked incidents of docs/reference/classification.md, each built and classified.

The table is the specification: a row states what a KK records and the GBVIMS type and
flags the library must compute for it. A row the library disagrees with fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kk_core.case_parts import ChildMarriage, Perpetrator, ViolenceIncident
from kk_core.classification import Classification, classify_incident, classify_marriage
from kk_core.codes import (
    ChildMarriageResult,
    ExploitationKind,
    GbvimsFlag,
    GbvimsType,
    MarriageRoute,
    Penetration,
    TpksForm,
    ViolenceForm,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "classification.md"
_ROW = re.compile(r"^\| (\d+[ab]?) \|")
_COLUMNS = (
    "#", "incident", "forms", "UU TPKS forms", "detail", "perpetrators", "age", "core type",
    "flags",
)  # fmt: skip


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _rows() -> list[dict[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Worked incidents", 1)[1].split("\n## ", 1)[0]
    header = next(line for line in section.splitlines() if line.startswith("| # |"))
    assert tuple(c.strip() for c in header.strip().strip("|").split("|")) == _COLUMNS
    rows = []
    for line in section.splitlines():
        if _ROW.match(line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            assert len(cells) == len(_COLUMNS), line
            rows.append(dict(zip(_COLUMNS, cells, strict=True)))
    return rows


ROWS = _rows()


def _detail(cell: str) -> dict[str, str]:
    detail: dict[str, str] = {}
    for item in _ticked(cell):
        name, _, value = item.partition("=")
        detail[name] = value or "true"
    return detail


def classify(row: dict[str, str]) -> Classification:
    forms = _ticked(row["forms"])
    detail = _detail(row["detail"])
    age = int(row["age"])
    if forms == ["marriage"]:
        unknown = set(detail) - {"route", "against_will", "result"}
        assert not unknown, f"row {row['#']}: no such marriage detail {unknown}"
        routes = {MarriageRoute(detail["route"])} if "route" in detail else set()
        result = ChildMarriageResult(detail["result"]) if "result" in detail else None
        marriage = ChildMarriage(
            routes=routes, against_will="against_will" in detail, result=result
        )
        return classify_marriage(marriage, age=age)
    unknown = set(detail) - {"penetration", "exploitation", "exchange", "resources_withheld"}
    assert not unknown, f"row {row['#']}: no such incident detail {unknown}"
    extra: dict[str, Any] = {}
    if "penetration" in detail:
        extra["penetration"] = Penetration(detail["penetration"])
    if "exploitation" in detail:
        extra["exploitation"] = ExploitationKind(detail["exploitation"])
    incident = ViolenceIncident(
        {ViolenceForm(f) for f in forms},
        "household",
        perpetrators=[Perpetrator(relation) for relation in _ticked(row["perpetrators"])],
        tpks_forms={TpksForm(f) for f in _ticked(row["UU TPKS forms"])},
        exchange="exchange" in detail,
        resources_withheld="resources_withheld" in detail,
        **extra,
    )
    return classify_incident(incident, age=age)


def test_the_table_has_at_least_fifteen_incidents_and_every_core_type() -> None:
    assert len(ROWS) >= 15
    cores = {_ticked(row["core type"])[0] for row in ROWS}
    assert cores == {t.value for t in GbvimsType}
    flags = {flag for row in ROWS for flag in _ticked(row["flags"])}
    assert flags == {f.value for f in GbvimsFlag}


@pytest.mark.parametrize("row", ROWS, ids=[row["#"] for row in ROWS])
def test_worked_incident(row: dict[str, str]) -> None:
    found = classify(row)
    (core,) = _ticked(row["core type"])
    expected = (
        GbvimsType(core),
        frozenset(GbvimsFlag(f) for f in _ticked(row["flags"])),
        "to review" in row["core type"],
    )
    assert (found.core, found.flags, found.to_review) == expected, row["incident"]
