"""Layers of the core and the memory store (issue 3).

* ``converter.structure`` — plain data → `Case` through `kk_core.converter.structure`,
  against the hand-written loader in `bench.handwritten`.
* ``converter.unstructure`` — `Case` → plain data through `kk_core.converter.unstructure`,
  against the hand-written dumper.
* ``memory.put_many`` — `MemoryStore.put_many` (versioning, no-op detection, atomic
  commit) against inserting the same records into a plain dict by id.
* ``memory.find`` — ``store.find(Case, risk="high")`` (one case in three) against a list
  comprehension over a dict of the same records. The store also returns them in id
  order (its contract); the baseline does not sort.
* ``case.bytes`` — resident bytes per typical case held as records made by the converter,
  against the same data held as the dicts ``json.loads`` gives.
* ``case.bytes.handwritten`` — the same, records made by the hand-written loader (no
  sharing of code sets, time zones or lifecycle codes): what the converter saves.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime
from enum import Enum
from typing import Any

import attrs

from bench.handwritten import case_from_dict, case_to_dict
from bench.harness import MaxBytes, MemoryLayer, MinRatio, Side, ThroughputLayer, Trial
from bench.workload import case_dicts, iter_case_dicts
from kk_core import open_store
from kk_core.cases import Case
from kk_core.codes import RiskLevel
from kk_core.converter import structure, unstructure

__all__ = ["LAYERS"]


def _records(n: int) -> list[Case]:
    return [structure(d, Case) for d in iter_case_dicts(n)]


def _same_on_sample(n: int, check: Any) -> None:
    for i in sorted({0, 1, n // 2, n - 1}):
        check(i)


def _prepare_structure(n: int) -> Trial:
    data = case_dicts(n)

    def check(i: int) -> None:
        assert structure(data[i], Case) == case_from_dict(data[i]), f"case {i} differs"

    _same_on_sample(n, check)
    return Trial(
        n,
        raw=Side(
            lambda: [case_from_dict(d) for d in data],
            page=lambda lo, hi: [case_from_dict(d) for d in data[lo:hi]],
        ),
        lib=Side(
            lambda: [structure(d, Case) for d in data],
            page=lambda lo, hi: [structure(d, Case) for d in data[lo:hi]],
        ),
    )


def _prepare_unstructure(n: int) -> Trial:
    records = _records(n)

    def check(i: int) -> None:
        assert unstructure(records[i]) == case_to_dict(records[i]), f"case {i} differs"

    _same_on_sample(n, check)
    return Trial(
        n,
        raw=Side(
            lambda: [case_to_dict(r) for r in records],
            page=lambda lo, hi: [case_to_dict(r) for r in records[lo:hi]],
        ),
        lib=Side(
            lambda: [unstructure(r) for r in records],
            page=lambda lo, hi: [unstructure(r) for r in records[lo:hi]],
        ),
    )


class _Holder:
    """Where a side keeps the table or store it writes to between reset and run."""

    target: Any = None


def _prepare_put(n: int) -> Trial:
    records = _records(n)
    table = _Holder()
    store = _Holder()

    def reset_table() -> None:
        table.target = {}

    def put_raw() -> None:
        d = table.target
        for r in records:
            d[r.id] = r

    def reset_store() -> None:
        store.target = open_store("memory://")

    return Trial(
        n,
        raw=Side(put_raw, reset_table),
        lib=Side(lambda: store.target.put_many(records), reset_store),
    )


def _prepare_find(n: int) -> Trial:
    store = open_store("memory://")
    stored = store.put_many(_records(n))
    table = {r.id: r for r in stored}
    high = RiskLevel.HIGH
    wanted = sorted(r.id for r in table.values() if r.risk is high)
    found = [r.id for r in store.find(Case, risk="high")]
    assert found == wanted, "store and baseline disagree"
    return Trial(
        n,
        raw=Side(lambda: [r for r in table.values() if r.risk is high]),
        lib=Side(lambda: list(store.find(Case, risk="high"))),
    )


def _build_cases(side: str, n: int) -> object:
    if side == "raw":
        return list(iter_case_dicts(n))
    return [structure(d, Case) for d in iter_case_dicts(n)]


def _build_handwritten(side: str, n: int) -> object:
    if side == "raw":
        return list(iter_case_dicts(n))
    return [case_from_dict(d) for d in iter_case_dicts(n)]


def _reachable(root: object) -> dict[int, object]:
    """Objects a record holds, by id; enum members, None and bools are not its own."""
    seen: dict[int, object] = {}
    stack = [root]
    while stack:
        obj = stack.pop()
        if obj is None or isinstance(obj, bool | Enum) or id(obj) in seen:
            continue
        seen[id(obj)] = obj
        if attrs.has(type(obj)):
            stack.extend(getattr(obj, a.name) for a in attrs.fields(type(obj)))
        elif isinstance(obj, tuple | frozenset | list):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, datetime):
            stack.append(obj.tzinfo)
    return seen


def _explain() -> list[str]:
    """Where a typical case's bytes go (sys.getsizeof, so before allocator rounding)."""
    cases = [structure(d, Case) for d in iter_case_dicts(3_000)]
    first = cases.pop(1_500)
    other: dict[int, object] = {}
    for case in cases:  # what any other case also holds is shared, not this case's own
        other.update(_reachable(case))
    own: Counter[str] = Counter()
    count: Counter[str] = Counter()
    shared = 0
    for key, obj in _reachable(first).items():
        size = sys.getsizeof(obj)
        if key in other or (isinstance(obj, int) and -5 <= obj <= 256):
            shared += size
            continue
        name = type(obj).__name__
        own[name] += size
        count[name] += 1
    total = sum(own.values())
    parts = ", ".join(f"{name} {size} B ({count[name]})" for name, size in own.most_common())
    return [
        f"one typical case made by the converter: {total:,} B of its own objects: {parts}",
        f"plus {shared:,} B of objects it shares with other cases (code sets, time zones,"
        " dates, lifecycle codes, ids of villages, groups, hamlets and members)",
    ]


LAYERS = [
    ThroughputLayer(
        name="converter.structure",
        group="converter",
        raw_label="hand-written dict -> Case",
        lib_label="kk_core.converter.structure",
        prepare=_prepare_structure,
        target=MinRatio(0.70),
    ),
    ThroughputLayer(
        name="converter.unstructure",
        group="converter",
        raw_label="hand-written Case -> dict",
        lib_label="kk_core.converter.unstructure",
        prepare=_prepare_unstructure,
        target=MinRatio(0.70),
    ),
    ThroughputLayer(
        name="memory.put_many",
        group="memory",
        raw_label="dict[id] = record",
        lib_label="MemoryStore.put_many",
        prepare=_prepare_put,
    ),
    ThroughputLayer(
        name="memory.find",
        group="memory",
        raw_label="list comprehension",
        lib_label='MemoryStore.find(Case, risk="high")',
        prepare=_prepare_find,
    ),
    MemoryLayer(
        name="case.bytes",
        group="converter",
        raw_label="dicts from json.loads",
        lib_label="Case records (converter)",
        build=_build_cases,
        target=MaxBytes(2048),
        explain=_explain,
    ),
    MemoryLayer(
        name="case.bytes.handwritten",
        group="converter",
        raw_label="dicts from json.loads",
        lib_label="Case records (hand-written loader)",
        build=_build_handwritten,
    ),
]
