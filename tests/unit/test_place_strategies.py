"""The strategies draw places the Kemendagri table lists, named as it names them."""

from __future__ import annotations

from hypothesis import given

from kk_core import regions
from kk_core.cases import Case
from kk_core.groups import ConstituentGroup
from kk_core.places import Hamlet, Village, village_problems
from kk_core.testing import strategies as kst


@given(kst.village_codes())
def test_village_codes_are_listed(code: str) -> None:
    assert regions.village_exists(code)


@given(kst.villages())
def test_villages_bear_their_codes_names(village: Village) -> None:
    assert village_problems(village) == []
    _, regency, district, _ = regions.chain(village.id)
    assert (village.district, village.regency) == (district.name, regency.name)


@given(kst.hamlets(), kst.groups(), kst.cases(max_steps=0))
def test_hamlets_groups_and_cases_are_in_listed_villages(
    hamlet: Hamlet, group: ConstituentGroup, case: Case
) -> None:
    assert regions.village_exists(hamlet.village_id)
    assert regions.village_exists(group.village_id)
    assert regions.village_exists(case.village_id)
