"""Places in data written before the Kemendagri table: the release 0.1.0 database keys
Teros by 52.03.17.2008 (Kertasari's code). It still reads whole; the checks only list
the mismatch, and only new writes through the services are refused."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from kk_core import open_store, regions
from kk_core.cases import Case
from kk_core.economy import Business
from kk_core.errors import Problem, ValidationError
from kk_core.groups import ConstituentGroup, Member
from kk_core.places import Hamlet, Village, village_problems
from kk_core.services import Services
from kk_core.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.0-teros.db.gz"
OLD_CODE = "52.03.17.2008"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "kk-teros.db"
    path.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    opened = open_store(f"sqlite:///{path}")
    try:
        yield opened
    finally:
        opened.close()


def test_the_old_village_reads_and_its_name_is_reported(store: Store) -> None:
    village = store.get(Village, OLD_CODE)
    assert village.name == "Teros"
    assert village_problems(village) == [
        Problem(
            "village.name",
            "'Teros' is not the name of 52.03.17.2008 in the Kemendagri list: expected 'Kertasari'",
        )
    ]
    assert regions.place_name(village.id) == "Kertasari, Labuhan Haji, Lombok Timur"


def test_every_old_hamlet_id_names_a_hamlet_of_the_village(store: Store) -> None:
    hamlets = {h.id for h in store.find(Hamlet, village_id=OLD_CODE)}
    assert len(hamlets) == 6
    assert {g.village_id for g in store.find(ConstituentGroup)} == {OLD_CODE}
    used = {c.subject.hamlet_id for c in store.find(Case)}
    used |= {m.hamlet_id for m in store.find(Member)}
    used |= {b.hamlet_id for b in store.find(Business)}
    assert used - {None} <= hamlets


def test_writing_the_old_village_back_through_the_services_is_refused(store: Store) -> None:
    village = store.get(Village, OLD_CODE)
    with pytest.raises(ValidationError, match="expected 'Kertasari'"):
        Services(store).put(village)
    assert store.get(Village, OLD_CODE) == village
