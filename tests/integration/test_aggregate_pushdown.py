"""Distinct counts, sums and quantiles of days: the SQL stores compute them in the
database, and on random records they answer exactly what the Python reference
(`kk_core.analysis.measures.aggregate_records`) answers — on the memory store, SQLite
and PostgreSQL, by every kind, with random groupings and criteria."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kk_adapters.memory import MemoryStore
from kk_adapters.sql.store import SqlStore
from kk_core.analysis.measures import (
    Count,
    Days,
    DaysSummary,
    Distinct,
    Measure,
    Sum,
    aggregate,
    aggregate_records,
    check_measures,
    quantile,
)
from kk_core.cases import Case
from kk_core.dimensions import DIMENSIONS, compile_criteria
from kk_core.errors import ValidationError
from kk_core.kinds import RECORD_KINDS, Record, RecordType
from kk_core.referrals import Referral
from kk_core.testing.contract import criteria_for
from kk_core.testing.strategies import records_of
from sql_support import StoreMaker

#: Kinds that have something to sum or two dates to measure between.
KINDS = [
    kind
    for kind in RECORD_KINDS.values()
    if sum(d.type is date for d in DIMENSIONS[kind]) >= 2
    or any(d.type is int and not d.many for d in DIMENSIONS[kind])
]


@st.composite
def measures_for(draw: st.DrawFn, kind: RecordType) -> list[Measure]:
    dims = DIMENSIONS[kind]
    scalar = [d.name for d in dims if not d.many]
    ints = [d.name for d in dims if d.type is int and not d.many]
    dates = [d.name for d in dims if d.type is date]
    options: list[st.SearchStrategy[Measure]] = [
        st.just(Count()),
        st.sampled_from(scalar).map(Distinct),
    ]
    if ints:
        options.append(st.sampled_from(ints).map(Sum))
    if len(dates) >= 2:
        quantiles = st.lists(
            st.sampled_from((0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)),
            min_size=1,
            max_size=3,
            unique=True,
        )
        options.append(
            st.builds(
                Days,
                st.sampled_from(dates),
                st.sampled_from(dates),
                quantiles.map(tuple),
            )
        )
    return draw(st.lists(st.one_of(*options), min_size=1, max_size=4))


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[RecordType, list[Record], tuple[str, ...], list[Measure], dict[str, Any]]:
    kind = draw(st.sampled_from(KINDS))
    sample = draw(st.lists(records_of(kind), max_size=12, unique_by=lambda r: r.id))
    names = [d.name for d in DIMENSIONS[kind] if d.name != "id"]
    by = tuple(draw(st.lists(st.sampled_from(names), max_size=2, unique=True)))
    return kind, sample, by, draw(measures_for(kind)), draw(criteria_for(kind, sample, 2))


def _fresh(record: Record) -> Record:
    return attrs.evolve(record, version=0)  # type: ignore[arg-type]


def _check(
    store: Any,
    drawn: tuple[RecordType, list[Record], tuple[str, ...], list[Measure], dict[str, Any]],
) -> None:
    kind, sample, by, measures, criteria = drawn
    store.put_many([_fresh(r) for r in sample])
    try:
        want = aggregate_records(
            list(store.find(kind)), kind, by, measures, compile_criteria(kind, criteria)
        )
        got = aggregate(store, kind, by, measures, **criteria)
        assert got == want, (kind.kind, by, measures, criteria)
    finally:
        for record in sample:
            store.delete(kind, record.id)


SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def sql_store(store_maker: StoreMaker) -> SqlStore:
    return store_maker.open()


@SETTINGS
@given(scenarios())
def test_memory_store_answers_the_reference(
    drawn: tuple[RecordType, list[Record], tuple[str, ...], list[Measure], dict[str, Any]],
) -> None:
    _check(MemoryStore(), drawn)


@SETTINGS
@given(drawn=scenarios())
def test_sql_stores_push_down_the_reference(
    sql_store: SqlStore,
    drawn: tuple[RecordType, list[Record], tuple[str, ...], list[Measure], dict[str, Any]],
) -> None:
    assert {"distinct", "sum", "days"} <= sql_store.capabilities.aggregates
    _check(sql_store, drawn)


def test_sql_aggregates_inside_a_transaction(sql_store: SqlStore) -> None:
    from kk_core.testing.contract import sample_cases

    cases = sample_cases(20)
    with sql_store.transaction() as tx:
        tx.put_many(cases)
        got = tx.aggregate(
            Case, ("category",), (Distinct("hamlet_id"), Days("reported_on", "closed_on"))
        )
        want = aggregate_records(
            cases, Case, ("category",), (Distinct("hamlet_id"), Days("reported_on", "closed_on"))
        )
        assert got == want
    assert sql_store.count(Case) == {(): 0}, "not committed"


def test_the_reference_by_hand() -> None:
    """The semantics on a few referrals worked out by hand."""
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([3], 0.9) == 3.0
    assert quantile([0, 10], 0.25) == 2.5

    def referral(rid: str, sent: date, done: date | None, provider: str) -> Referral:
        from kk_core.codes import ReferralStatus

        if done is None:
            return Referral(rid, "c1", provider, "reason", sent, consent_given=True)
        return Referral(
            rid,
            "c1",
            provider,
            "reason",
            sent,
            consent_given=True,
            status=ReferralStatus.COMPLETED,
            responded_on=sent,
            completed_on=done,
            outcome="done",
        )

    rows = [
        referral("r1", date(2025, 1, 1), date(2025, 1, 11), "p1"),
        referral("r2", date(2025, 1, 1), date(2025, 1, 5), "p1"),
        referral("r3", date(2025, 2, 1), None, "p2"),
        referral("r4", date(2025, 3, 1), date(2025, 3, 2), "p1"),
    ]
    got = aggregate_records(
        rows,
        Referral,
        ("provider_id",),
        (Count(), Distinct("case_id"), Days("sent_on", "completed_on")),
    )
    assert got == {
        ("p1",): (3, 1, DaysSummary(3, (4.0,))),
        ("p2",): (1, 1, DaysSummary(0)),
    }
    assert aggregate(rows, Referral, (), (Count(), Sum("year"))) == {(): (4, 4 * 2025)}
    assert aggregate([], Referral, (), (Count(), Days("sent_on", "completed_on"))) == {
        (): (0, DaysSummary(0))
    }


def test_measures_that_cannot_be_computed_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        check_measures(Case, (Sum("category"), Distinct("issue"), Days("reported_on", "month")))
    paths = [p.path for p in caught.value.problems]
    assert paths == ["measures[0]", "measures[1]", "measures[2]"]
    with pytest.raises(ValidationError):
        check_measures(Case, (Days("reported_on", "closed_on", (1.5,)),))
