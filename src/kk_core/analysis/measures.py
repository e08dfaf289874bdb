"""Aggregates beside counts — distinct counts, sums, and quantiles of days between two
dates — defined once, in Python, with the semantics every store must match.

`aggregate_records` is the reference: what a store without push-down does (the memory
store, a third-party store, any iterable of records). A store that computes them itself
declares which in ``Capabilities.aggregates`` (``{"count", "distinct", "sum",
"days"}``) and has a method ``aggregate(kind, by, measures, **criteria)`` answering
exactly what `aggregate_records` answers (the SQL stores do; a property test holds them
to it). `aggregate` picks the store's method when it declares every measure asked for,
and falls back to reading the records otherwise.

Semantics, per group of the ``by`` dimensions (only groups that occur, as in
`kk_core.dimensions.count_by`; without ``by`` one group ``()`` even of nothing):

* `Count` — the records (by a set dimension, a record counts under each of its values);
* `Distinct` — how many different values (None not counted) a scalar dimension takes;
* `Sum` — the sum of a whole-number dimension's values (None skipped; 0 for none);
* `Days` — over the records with both dates, the whole days from ``start`` to ``end``:
  how many there are (``n``) and the quantiles asked for, each by linear interpolation
  between the closest ranks (PostgreSQL's ``percentile_cont``, numpy's default): for a
  quantile q over n sorted values, position ``q * (n - 1)``, the value at its floor plus
  the fraction of the way to the value at its ceiling. The median is q = 0.5.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeAlias

import attrs

from kk_core.dimensions import (
    Condition,
    Scalar,
    compile_criteria,
    counting_by,
    dimensions_of,
    matches,
)
from kk_core.errors import Problem, ValidationError
from kk_core.kinds import Record, RecordType, record_type

__all__ = [
    "Aggregates",
    "Count",
    "Days",
    "DaysSummary",
    "Distinct",
    "Measure",
    "Sum",
    "aggregate",
    "aggregate_records",
    "check_measures",
    "interpolate",
    "quantile",
    "ranks",
    "summarise_days",
]


@attrs.frozen
class Count:
    """How many records (under each value of a set dimension: "counted in each")."""

    kind_name = "count"

    def label(self, lang: str = "id") -> str:
        return "Jumlah" if lang == "id" else "Number"


@attrs.frozen
class Distinct:
    """How many different values of a scalar dimension (``business_id``: the businesses).

    ``label``, (Indonesian, English), is the column's header (``("Jumlah usaha",
    "Businesses")``); without it, one made from the dimension's label. A small group's
    distinct count shows as ``<5``, as a count does (it is a count, and no more than
    the group's records)."""

    dimension: str
    labels: tuple[str, str] | None = attrs.field(default=None, kw_only=True, eq=False)
    kind_name = "distinct"

    def label(self, lang: str = "id") -> str:
        from kk_core.analysis.labels import dimension_label

        if self.labels is not None:
            return self.labels[0] if lang == "id" else self.labels[1]
        name = dimension_label(self.dimension, lang).lower()
        return f"Jumlah {name} berbeda" if lang == "id" else f"Distinct {name}"


@attrs.frozen
class Sum:
    """The sum of a whole-number dimension (``requested_rupiah``, ``audience_female``)."""

    dimension: str
    kind_name = "sum"

    def label(self, lang: str = "id") -> str:
        from kk_core.analysis.labels import dimension_label

        return dimension_label(self.dimension, lang)


def _quantiles(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(values)


@attrs.frozen
class Days:
    """Whole days from the date dimension ``start`` to ``end`` (``sent_on`` →
    ``completed_on``), over the records with both: their number and ``quantiles``."""

    start: str
    end: str
    quantiles: tuple[float, ...] = attrs.field(default=(0.5,), converter=_quantiles)
    kind_name = "days"

    def label(self, lang: str = "id") -> str:
        if self.quantiles == (0.5,):
            return "Median hari" if lang == "id" else "Median days"
        return "Kuantil hari" if lang == "id" else "Quantiles of days"


Measure: TypeAlias = Count | Distinct | Sum | Days


@attrs.frozen
class DaysSummary:
    """What a `Days` measure gives for a group: ``n`` records with both dates and the
    quantiles asked for (empty when ``n`` is 0)."""

    n: int
    quantiles: tuple[float, ...] = ()

    @property
    def median(self) -> float | None:
        """The first quantile (the median, with the default ``quantiles=(0.5,)``)."""
        return self.quantiles[0] if self.quantiles else None


#: Result of an aggregate: a group's key → one value per measure, in order.
Aggregates = dict[tuple[Scalar, ...], tuple[Any, ...]]


def quantile(ordered: Sequence[int | float], q: float) -> float:
    """The q-quantile of sorted values by linear interpolation (``percentile_cont``)."""
    low, high = ranks(q, len(ordered))
    return interpolate(q, len(ordered), ordered[low], ordered[high])


def ranks(q: float, n: int) -> tuple[int, int]:
    """The two ranks (from 0) of n sorted values the q-quantile lies between."""
    position = q * (n - 1)
    return math.floor(position), math.ceil(position)


def interpolate(q: float, n: int, first: float, second: float) -> float:
    """The q-quantile of n sorted values from the values at its two `ranks`: every store
    finishes with this same arithmetic, so the answers are identical to the last bit."""
    position = q * (n - 1)
    low = math.floor(position)
    return float(first) + (position - low) * (float(second) - float(first))


def check_measures(kind: RecordType | str, measures: Sequence[Measure]) -> tuple[Measure, ...]:
    """The measures, checked against the kind's dimensions; `ValidationError` naming
    each one that cannot be computed."""
    cls = record_type(kind)
    dims = dimensions_of(cls)
    problems: list[Problem] = []
    if isinstance(measures, Count | Distinct | Sum | Days):
        measures = (measures,)
    for i, m in enumerate(measures):
        where = f"measures[{i}]"
        if isinstance(m, Count):
            continue
        if isinstance(m, Distinct | Sum):
            dim = dims.get(m.dimension)
            if dim is None:
                problems.append(Problem(where, f"{cls.kind} has no dimension {m.dimension!r}"))
            elif dim.many:
                problems.append(
                    Problem(where, f"{m.dimension} holds a set of values: count by it instead")
                )
            elif isinstance(m, Sum) and dim.type is not int:
                problems.append(Problem(where, f"{m.dimension} is not a whole number to sum"))
            continue
        if isinstance(m, Days):
            for name in (m.start, m.end):
                dim = dims.get(name)
                if dim is None or dim.type is not date:
                    problems.append(Problem(where, f"{cls.kind} has no date dimension {name!r}"))
            bad = [q for q in m.quantiles if not isinstance(q, int | float) or not 0 <= q <= 1]
            if bad or not m.quantiles:
                problems.append(Problem(where, "quantiles are numbers from 0 to 1 (0.5: median)"))
            continue
        problems.append(
            Problem(where, f"{type(m).__name__} is no measure (Count, Distinct, Sum, Days)")
        )
    if problems:
        raise ValidationError(problems, subject=f"{cls.kind} aggregate")
    return tuple(measures)


class _Group:
    __slots__ = ("count", "days", "distinct", "sums")

    def __init__(self, measures: Sequence[Measure]) -> None:
        self.count = 0
        self.distinct: list[set[Any]] = [set() for m in measures if isinstance(m, Distinct)]
        self.sums: list[int] = [0 for m in measures if isinstance(m, Sum)]
        self.days: list[list[int]] = [[] for m in measures if isinstance(m, Days)]


def aggregate_records(
    records: Iterable[Record],
    kind: RecordType | str,
    by: Iterable[str] = (),
    measures: Sequence[Measure] = (Count(),),
    conditions: Iterable[Condition] = (),
) -> Aggregates:
    """The reference semantics (see the module docstring), in Python."""
    cls = record_type(kind)
    names = counting_by(cls, by)
    measures = check_measures(cls, measures)
    dims = dimensions_of(cls)
    chosen = [dims[n] for n in names]
    many = any(d.many for d in chosen)
    distinct_read = [dims[m.dimension].read for m in measures if isinstance(m, Distinct)]
    sum_read = [dims[m.dimension].read for m in measures if isinstance(m, Sum)]
    day_read = [(dims[m.start].read, dims[m.end].read) for m in measures if isinstance(m, Days)]
    conds = tuple(conditions)
    groups: dict[tuple[Scalar, ...], _Group] = {}
    for record in records:
        if conds and not matches(record, conds):
            continue
        if many:
            keys = list(itertools.product(*(d.values_of(record) for d in chosen)))
        else:
            keys = [tuple(d.read(record) for d in chosen)]
        seen = [read(record) for read in distinct_read]
        added = [read(record) for read in sum_read]
        spans = []
        for start, end in day_read:
            a, b = start(record), end(record)
            spans.append(None if a is None or b is None else (b - a).days)
        for key in keys:
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(measures)
            group.count += 1
            for i, value in enumerate(seen):
                if value is not None:
                    group.distinct[i].add(value)
            for i, value in enumerate(added):
                if value is not None:
                    group.sums[i] += value
            for i, span in enumerate(spans):
                if span is not None:
                    group.days[i].append(span)
    if not names and not groups:
        groups[()] = _Group(measures)
    return {key: _values(group, measures) for key, group in groups.items()}


def _values(group: _Group, measures: Sequence[Measure]) -> tuple[Any, ...]:
    out: list[Any] = []
    d = s = t = 0
    for m in measures:
        if isinstance(m, Count):
            out.append(group.count)
        elif isinstance(m, Distinct):
            out.append(len(group.distinct[d]))
            d += 1
        elif isinstance(m, Sum):
            out.append(group.sums[s])
            s += 1
        else:
            spans = sorted(group.days[t])
            t += 1
            out.append(summarise_days(spans, m.quantiles))
    return tuple(out)


def summarise_days(ordered: Sequence[int], quantiles: Sequence[float]) -> DaysSummary:
    """The `DaysSummary` of sorted spans."""
    if not ordered:
        return DaysSummary(0)
    return DaysSummary(len(ordered), tuple(quantile(ordered, q) for q in quantiles))


def aggregate(
    source: Any,
    kind: RecordType | str,
    by: Sequence[str] = (),
    measures: Sequence[Measure] = (Count(),),
    **criteria: Any,
) -> Aggregates:
    """Measures per group over a store or any iterable of records, pushed down when the
    store declares them (``Capabilities.aggregates``), else computed in Python.

    A count alone is asked of the store's ``count`` (every store has it; pushed down
    where ``aggregate_pushdown``).
    """
    cls = record_type(kind)
    measures = check_measures(cls, measures)
    names = counting_by(cls, by)
    conditions = compile_criteria(cls, criteria)
    capabilities = getattr(source, "capabilities", None)
    if capabilities is not None and hasattr(source, "find"):
        if all(isinstance(m, Count) for m in measures):
            counts: Mapping[tuple[Scalar, ...], int] = source.count(cls, by=names, **criteria)
            return {key: (n,) * len(measures) for key, n in counts.items()}
        declared: frozenset[str] = getattr(capabilities, "aggregates", frozenset())
        if {m.kind_name for m in measures} <= set(declared) and hasattr(source, "aggregate"):
            return source.aggregate(cls, names, measures, **criteria)  # type: ignore[no-any-return]
        return aggregate_records(source.find(cls, **criteria), cls, names, measures)
    own = (r for r in source if type(r) is cls)
    return aggregate_records(own, cls, names, measures, conditions)
