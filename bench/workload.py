"""The data every layer works on: typical violence cases, as a KoboToolbox or CSV import
would hand them to the library.

A typical case has a subject, violence details with its perpetrators, an assessment,
consent scoped to two services and three timeline events (report → assign → record
consent), 26 fields at the top and about 75 in all. Values
vary from case to case (ids, dates, hamlets, forms of violence, risk levels) and every
string is its own object, as after ``json.loads`` of real data: the input is produced by
``json.dumps``/``json.loads`` in batches, so nothing is shared between cases by accident
(only dict keys are shared, exactly as the json module shares them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

__all__ = ["BATCH", "case_dicts", "iter_case_dicts", "typical_case_dict"]

#: Cases produced per json round trip.
BATCH = 2_000

_FORMS = (
    ["physical"],
    ["physical", "psychological"],
    ["sexual"],
    ["psychological"],
    ["neglect", "psychological"],
)
_RELATIONS = (["parent"], ["family"], ["spouse"], ["neighbour", "family"], ["unknown"])
_PLACES = ("household", "household", "school", "public_facility", "other")
_CHANNELS = ("outreach_visit", "walk_in", "phone", "posyandu", "school")
_RISKS = ("low", "medium", "high")
_GIVERS = ("self", "parent", "guardian")
_REPORTERS = ("client", "family", "neighbour", "kk_member", "school")
_SERVICES = (["puskesmas", "uptd_ppa"], ["uptd_ppa", "police_ppa"], ["puskesmas", "dinas_sosial"])
_NEEDS = (["safety", "health"], ["psychosocial"], ["legal", "psychosocial"])
_DAY0 = date(2024, 1, 1).toordinal()


def typical_case_dict(i: int) -> dict[str, Any]:
    """Case number ``i``, as plain data (codes, ISO dates, lists)."""
    v = i % 997  # ~1,000 villages, 7 hamlets each, 24 board members each
    village = f"52.03.{10 + v % 20:02d}.{2001 + v:04d}"
    reported = date.fromordinal(_DAY0 + i % 700).isoformat()
    member = f"{village}-m{i % 24:02d}"
    minute = i % 60
    return {
        "id": f"{village}-c{i:08d}",
        "group_id": f"kk-{village}",
        "village_id": village,
        "reported_on": reported,
        "channel": _CHANNELS[i % 5],
        "category": "violence",
        "subject": {
            "sex": "female" if i % 4 else "male",
            "birth_year": 1960 + i % 45,
            "birth_month": 1 + i % 12,
            "disability": {
                "question_set": "wg_ss",
                "some": ["walking"] if i % 7 == 0 else [],
                "a_lot": ["seeing"] if i % 10 == 0 else [],
                "cannot": [],
                "types": ["sensory"] if i % 10 == 0 else [],
                "accommodations": [],
            },
            "hamlet_id": f"{village}-d{i % 7}",
            "initials": f"{chr(65 + i % 26)}.{chr(65 + i // 26 % 26)}.",
            "identity": f"p1:{i * 2_654_435_761 % 2**256:064x}",
        },
        "reporter": _REPORTERS[i % 5],
        "issues": [],
        "violence": {
            "forms": _FORMS[i % 5],
            "place": _PLACES[i % 5],
            "perpetrators": [
                {"relation": relation, "sex": "male"} for relation in _RELATIONS[i % 5]
            ],
            "occurred_on": reported,
        },
        "risk": _RISKS[i % 3],
        "assessment": {
            "assessed_on": reported,
            "risk": _RISKS[i % 3],
            "needs": _NEEDS[i % 3],
            "by": member,
        },
        "companion_id": member,
        "consent": {
            "giver": _GIVERS[i % 3],
            "recorded_on": reported,
            "services": _SERVICES[i % 3],
            "to_share_data": i % 2 == 0,
            "note": "",
        },
        "status": "active",
        "timeline": [
            {
                "at": f"{reported}T08:{minute:02d}:00+08:00",
                "action": "report",
                "source": None,
                "target": "reported",
                "actor_id": member,
                "note": "",
                "ref": None,
            },
            {
                "at": f"{reported}T09:{minute:02d}:00+08:00",
                "action": "assign",
                "source": "reported",
                "target": "active",
                "actor_id": member,
                "note": "",
                "ref": member,
            },
            {
                "at": f"{reported}T10:{minute:02d}:00+08:00",
                "action": "record_consent",
                "source": "active",
                "target": "active",
                "actor_id": member,
                "note": "Persetujuan orang tua dicatat",
                "ref": None,
            },
        ],
        "summary": f"Kekerasan dalam rumah tangga, laporan {i}",
        "version": 0,
    }


def iter_case_dicts(n: int, start: int = 0) -> Iterator[dict[str, Any]]:
    """``n`` distinct case dicts, made ``BATCH`` at a time through a json round trip."""
    for lo in range(start, start + n, BATCH):
        hi = min(lo + BATCH, start + n)
        yield from json.loads(json.dumps([typical_case_dict(i) for i in range(lo, hi)]))


def case_dicts(n: int) -> list[dict[str, Any]]:
    return list(iter_case_dicts(n))
