"""Records of every shape a copy between stores must carry (not a test module)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import attrs

from kk_core import (
    Case,
    ConstituentGroup,
    Hamlet,
    Meeting,
    Record,
    ServiceProvider,
    Village,
)
from kk_core.case_lifecycle import assign_companion, report_case
from kk_core.codes import CaseStatus, ServiceKind
from kk_core.testing.contract import sample_cases

__all__ = ["VILLAGE", "edited", "mixed_records"]

VILLAGE = "52.03.12.2005"
WITA = timezone(timedelta(hours=8))


def _with_timeline(case: Case, i: int) -> Case:
    """A case with events in WITA time, so aware datetimes and child rows are copied."""
    fresh = attrs.evolve(
        case,
        id=f"tl-{i:02d}",
        reported_on=date(2025, 2, 13),
        status=CaseStatus.REPORTED,
        timeline=(),
        companion_id=None,
        outcome=None,
        closed_on=None,
    )
    day = datetime(2025, 2, 13, 8, i, tzinfo=WITA)
    reported, _ = report_case(fresh, at=day, actor_id="m-1")
    assigned, _ = assign_companion(reported, "m-2", at=day + timedelta(hours=1))
    return assigned


def mixed_records() -> list[Record]:
    """Cases (six with a timeline), places, a group, a provider and a meeting."""
    cases = sample_cases(42)
    return [
        *cases,
        *(_with_timeline(cases[i], i) for i in range(6)),
        Village(VILLAGE, "Aik Dewa", "Pringgasela", "Lombok Timur", "Nusa Tenggara Barat"),
        Village("52.01.03.2001", "Lembuak", "Narmada", "Lombok Barat", "Nusa Tenggara Barat"),
        Hamlet("dsn-a", VILLAGE, "Lendang Nangka"),
        Hamlet("dsn-b", VILLAGE, "Teros Timur"),
        ConstituentGroup("kk-teros", VILLAGE, "KK Teros"),
        ServiceProvider("uptd-ppa", ServiceKind.UPTD_PPA, "UPTD PPA Lombok Timur"),
        Meeting(
            "rapat-01",
            "kk-teros",
            "Rapat bulanan",
            date(2025, 3, 1),
            member_ids=frozenset({"m-1", "m-2", "m-3"}),
        ),
    ]


def edited(record: Record) -> Record:
    """The same record with another summary or name, still at its stored version."""
    if isinstance(record, Case):
        return attrs.evolve(record, summary=record.summary + " (diperbarui)")
    if isinstance(record, Meeting):
        return attrs.evolve(record, title=record.title + " (diperbarui)")
    return attrs.evolve(record, name=record.name + " (diperbarui)")  # type: ignore[call-arg]
