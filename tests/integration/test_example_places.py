"""The example year keys Desa Teros by its own Kemendagri code, and every hamlet it
names is one of Teros's hamlets: what the services would check, on the whole year."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from kk_core import regions
from kk_core.places import village_problems

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "village_year.py"


@pytest.fixture(scope="module")
def year() -> Any:
    spec = importlib.util.spec_from_file_location("village_year_places", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.build_village_year()


def test_teros_is_keyed_by_its_own_code(year: Any) -> None:
    assert year.village.id == "52.03.17.2003"
    assert village_problems(year.village) == []
    assert regions.place_name(year.village.id) == "Teros, Labuhan Haji, Lombok Timur"
    assert not year.village.is_kelurahan  # a desa: it has an APBDes to fund proposals


def test_every_record_is_in_teros_and_every_hamlet_is_one_of_its_hamlets(year: Any) -> None:
    hamlets = {h.id for h in year.hamlets}
    assert {h.village_id for h in year.hamlets} == {year.village.id}
    assert year.group.village_id == year.village.id
    assert {c.village_id for c in year.cases} == {year.village.id}
    assert {p.village_id for p in year.proposals} == {year.village.id}
    used = {c.subject.hamlet_id for c in year.cases}
    used |= {m.hamlet_id for m in year.members}
    used |= {b.hamlet_id for b in year.businesses}
    used |= {g.hamlet_id for g in year.business_groups}
    used |= {s.hamlet_id for s in year.sessions}
    used |= {q.hamlet_id for q in year.questions}
    used |= {u.hamlet_id for u in year.data_updates}
    assert used - {None} <= hamlets
    assert {c.subject.hamlet_id for c in year.cases} == hamlets  # cases in every hamlet
