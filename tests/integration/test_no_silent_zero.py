"""A criterion that is not a code of its dimension's list is refused, never a silent
zero; labels in either language and enum members are the codes they name; a total of
nothing is ``{(): 0}``. On every store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kk_adapters.memory import MemoryStore
from kk_core.cases import Case
from kk_core.codes import CaseCategory, CodeEntry, ReferralStatus, Sex
from kk_core.dimensions import Between, compile_criteria, count_by, dimension_codes, dimensions_of
from kk_core.economy import Business
from kk_core.errors import ValidationError
from kk_core.hookspecs import hookimpl
from kk_core.plugins import Plugins, reset_plugins
from kk_core.referrals import Referral
from kk_core.registries import CodeListRegistry
from kk_core.store import Store
from kk_core.testing.contract import sample_cases
from sql_support import StoreMaker

CASES = sample_cases()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        made: Store = MemoryStore()
        made.put_many(CASES)
        yield made
        return
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    maker = StoreMaker(request.param, tmp_path, url)
    try:
        opened = maker.open()
        opened.put_many(CASES)
        yield opened
    finally:
        maker.close()


@pytest.mark.parametrize(
    ("kind", "criteria", "says"),
    [
        (Case, {"category": "child_mariage"}, "did you mean 'child_marriage'"),
        (Case, {"category": {"violence", "kekerasn"}}, "did you mean 'violence'"),
        (Case, {"status": "open"}, "reported, active"),
        (Case, {"sex": "wanita"}, "female"),
        (Case, {"age_band": "13-17"}, "age_13_17"),
        (Case, {"category": Sex.FEMALE}, "is not a code of case_category"),
        (Case, {"risk": {"hgh", "low"}}, "is not a code of risk_level"),
        (Case, {"subcategory": "Kekerasan ekonomi!"}, "case_subcategory"),
        (Referral, {"status": "open"}, "sent, accepted, declined, completed, cancelled"),
        (Business, {"sector": "agricultur"}, "did you mean 'agriculture'"),
    ],
)
def test_a_value_outside_the_code_list_is_refused(
    store: Store, kind: type[Any], criteria: dict[str, Any], says: str
) -> None:
    with pytest.raises(ValidationError, match="is not a code of") as found:
        list(store.find(kind, **criteria))
    assert says in str(found.value)
    assert [p.path for p in found.value.problems] == [next(iter(criteria))]
    with pytest.raises(ValidationError, match="is not a code of"):
        store.count(kind, **criteria)


@pytest.mark.parametrize(
    "spelled",
    [
        "child_marriage",
        "Perkawinan Anak",
        "perkawinan-anak",
        "Child marriage",
        CaseCategory.CHILD_MARRIAGE,
    ],
)
def test_labels_in_either_language_and_members_name_their_code(store: Store, spelled: Any) -> None:
    want = [
        c.id for c in sorted(CASES, key=lambda c: c.id) if c.category is CaseCategory.CHILD_MARRIAGE
    ]
    assert want
    assert [c.id for c in store.find(Case, category=spelled)] == want
    assert store.count(Case, category=spelled) == {(): len(want)}
    assert [c.id for c in store.find(Case, category={spelled, "violence"})] == sorted(
        c.id for c in CASES if c.category in (CaseCategory.CHILD_MARRIAGE, CaseCategory.VIOLENCE)
    )


def test_a_total_of_nothing_is_zero(store: Store) -> None:
    counts = store.count(Case, category="other", year=1999)
    assert counts == {(): 0}
    assert counts[()] == 0
    assert store.count(Referral) == {(): 0}
    assert store.count(Referral, by=("status",)) == {}


def test_count_by_gives_a_total_of_nothing() -> None:
    assert count_by([], Case, ()) == {(): 0}
    assert count_by(CASES, Case, (), compile_criteria(Case, {"year": 1999})) == {(): 0}
    assert count_by([], Case, ("category",)) == {}


def test_dimensions_know_their_code_lists() -> None:
    dims = dimensions_of(Case)
    assert dims["category"].code_list == "case_category"
    assert dims["sex"].code_list == "sex"
    assert dims["age_band"].code_list == "age_band"
    assert dims["subcategory"].code_list == "case_subcategory"
    assert dims["hamlet_id"].code_list is None
    assert dimensions_of(Referral)["status"].code_list == "referral_status"
    codes = dimension_codes(dimensions_of(Referral)["status"])
    assert codes is not None
    assert codes.codes == tuple(s.value for s in ReferralStatus)


class LocalSubcategories:
    @hookimpl
    def kk_extend_code_lists(self, registry: CodeListRegistry) -> None:
        registry.add(
            "case_subcategory",
            CodeEntry("kdrt_ekonomi", "KDRT ekonomi", "Economic", parent="violence"),
        )


def test_open_lists_are_checked_as_plugins_extended_them() -> None:
    # a code no plugin here lists (a record may hold another deployment's local code)
    # is taken as it is; a label or a typo of a listed code is not
    assert compile_criteria(Case, {"subcategory": "kdrt_ekonomi"})[0].value == "kdrt_ekonomi"
    with pytest.raises(ValidationError, match="is not a code of case_subcategory"):
        compile_criteria(Case, {"subcategory": "KDRT ekonomi"})
    reset_plugins(Plugins(load_entry_points=False, extra=[LocalSubcategories()]))
    try:
        store = MemoryStore(records=CASES)
        want = sorted(c.id for c in CASES if c.subcategory == "kdrt_ekonomi")
        assert [c.id for c in store.find(Case, subcategory="KDRT ekonomi")] == want
        with pytest.raises(ValidationError, match="did you mean 'kdrt_ekonomi'"):
            store.count(Case, subcategory="kdrt_ekonomy")
    finally:
        reset_plugins()


def test_every_code_list_dimension_refuses_what_is_not_a_code() -> None:
    """Whatever the kind: a misspelt code is never a silent zero."""
    from kk_core.dimensions import DIMENSIONS

    for kind, dims in DIMENSIONS.items():
        for dim in dims:
            if dimension_codes(dim) is None:
                continue
            # a closed list takes only its codes; an open one also takes other codes,
            # but never text that is no code at all
            value = "No such code!" if dimension_codes(dim).extensible else "no_such_code_x"  # type: ignore[union-attr]
            with pytest.raises(ValidationError, match="is not a code of"):
                compile_criteria(kind, {dim.name: value})


def test_dates_and_ids_are_not_code_checked() -> None:
    assert compile_criteria(Case, {"id": "anything", "reported_on": date(2024, 1, 3)})


@pytest.mark.parametrize(
    ("criteria", "says"),
    [
        ({"month": "2025-1"}, "a month like '2025-02'"),
        ({"month": "Jan 2025"}, "a month like '2025-02'"),
        ({"regency_code": "5203"}, "a Kemendagri regency code like '52.03'"),
        ({"village_id": "5203172008"}, "a Kemendagri village code"),
        ({"village_id": "52.03.17.2003 "}, "a Kemendagri village code"),
        ({"category": Between("child_marriage", "school_dropout")}, "have no order"),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused_not_counted_as_zero(
    store: Store, criteria: dict[str, Any], says: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(says)):
        store.count(Case, **criteria)
    with pytest.raises(ValidationError, match=re.escape(says)):
        list(store.find(Case, **criteria))


@pytest.mark.parametrize("by", [None, 5, "category", ["category", 3]])
def test_a_count_by_that_is_no_list_of_names_is_refused(store: Store, by: Any) -> None:
    with pytest.raises(ValidationError, match="by") as caught:
        store.count(Case, by=by)
    assert len(caught.value.problems) == 1


def test_a_membership_larger_than_one_query_takes_is_refused_on_every_store(store: Store) -> None:
    from kk_core.dimensions import MAX_MEMBERS

    assert store.count(Case, companion_id=[f"m{i}" for i in range(MAX_MEMBERS)]) == {(): 0}
    with pytest.raises(ValidationError, match="more than one query takes"):
        store.count(Case, companion_id=[f"m{i}" for i in range(MAX_MEMBERS + 1)])
