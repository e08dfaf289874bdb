"""An attacker with a linear-programming solver tries to recover every small cell of
random suppressed tables from what is published, and fails every time.

The attacker knows every published count (each within ±2 of its value when the table
is rounded to base 5), that counts are not negative, that a cell shown "<k" holds 1 to
k - 1 and that a cell shown "x" holds k or more. For every "<k" cell it solves two
linear programs (``scipy.optimize.linprog``): the least and the greatest value the cell
can take. The criterion of `kk_core.analysis.suppression`: the interval is at least
``protection`` wide, so the cell is never pinned.
"""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kk_core.analysis.suppression import CellStatus, SuppressedCube, Suppression, suppress_cube

optimize = pytest.importorskip("scipy.optimize")
np = pytest.importorskip("numpy")


def _support(cube: SuppressedCube, cell: tuple[int, ...]) -> list[int]:
    """The inner cells (flat indexes, row-major) a cell of the extended table sums."""
    ranges = [
        range(n) if i == n else range(i, i + 1) for i, n in zip(cell, cube.shape, strict=True)
    ]
    inner = list(itertools.product(*(range(n) for n in cube.shape)))
    position = {c: k for k, c in enumerate(inner)}
    return [position[c] for c in itertools.product(*ranges)]


def attacker_intervals(cube: SuppressedCube) -> dict[tuple[int, ...], tuple[float, float]]:
    """The interval an LP attacker finds for every cell shown '<k'."""
    size = len(cube.inner_cells())
    k, base = cube.policy.k, cube.policy.rounding
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    rows = {}
    for cell in cube.cells():
        row = np.zeros(size)
        row[_support(cube, cell)] = 1.0
        rows[cell] = row
        status = cube.status_of(cell)
        if status is CellStatus.PUBLISHED:
            shown = cube.published(cell)
            assert shown is not None
            if base and shown > 0:
                a_ub += [row, -row]
                b_ub += [shown + base // 2, -(shown - base // 2)]
            else:
                a_eq.append(row)
                b_eq.append(shown)
        elif status is CellStatus.PRIMARY:
            a_ub += [row, -row]
            b_ub += [k - 1, -1]
        elif status is CellStatus.SECONDARY:
            a_ub.append(-row)
            b_ub.append(-k)
    bounds = [(0, None)] * size
    found = {}
    for cell in cube.cells():
        if cube.status_of(cell) is not CellStatus.PRIMARY:
            continue
        ends = []
        for sense in (1.0, -1.0):
            result = optimize.linprog(
                sense * rows[cell],
                A_ub=np.array(a_ub) if a_ub else None,
                b_ub=np.array(b_ub) if b_ub else None,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=np.array(b_eq) if b_eq else None,
                bounds=bounds,
                method="highs",
            )
            assert result.status == 0, f"the true table must be feasible: {result.message}"
            ends.append(sense * result.fun)
        found[cell] = (ends[0], ends[1])
    return found


@st.composite
def tables(draw: st.DrawFn) -> tuple[tuple[int, ...], list[int], Suppression]:
    """Small village tables: mostly small counts and zeros, a few larger ones."""
    dims = draw(st.sampled_from((1, 2, 2, 2, 3, 3)))
    limits = {1: 6, 2: 5, 3: 3}[dims]
    shape = tuple(draw(st.integers(1, limits)) for _ in range(dims))
    size = 1
    for n in shape:
        size *= n
    counts = st.one_of(st.integers(0, 4), st.integers(0, 12), st.integers(5, 40))
    inner = draw(st.lists(counts, min_size=size, max_size=size))
    k = draw(st.sampled_from((3, 5, 5, 5, 10)))
    protection = draw(st.integers(1, k - 2)) if draw(st.booleans()) else 1
    rounding = draw(st.sampled_from((None, None, 5)))
    return shape, inner, Suppression(k, protection=protection, rounding=rounding)


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(tables())
def test_no_small_cell_is_recovered_by_linear_programming(
    drawn: tuple[tuple[int, ...], list[int], Suppression],
) -> None:
    shape, inner, policy = drawn
    cube = suppress_cube(shape, inner, policy)
    for cell in cube.cells():
        value, status = cube.true_value(cell), cube.status_of(cell)
        if cube.withheld:
            assert status is CellStatus.WITHHELD
            assert cube.shown(cell) == "x"
        elif 1 <= value < policy.k:
            assert status is CellStatus.PRIMARY, f"{cell} holds {value}: it is shown '<k'"
        elif value == 0:
            assert status is CellStatus.PUBLISHED, "zeros are published"
        else:
            assert status in (CellStatus.PUBLISHED, CellStatus.SECONDARY)
    if cube.withheld:
        return
    for cell, (low, high) in attacker_intervals(cube).items():
        assert low <= cube.true_value(cell) + 1e-6
        assert cube.true_value(cell) <= high + 1e-6
        assert high - low >= policy.protection - 1e-6, (
            f"cell {cell} of {shape} {inner} is pinned to [{low:g}, {high:g}] by the totals"
        )


def test_subtraction_alone_would_recover_an_unprotected_cell() -> None:
    """The attacker works: with only the small cell hidden, the row total gives it away."""
    cube = suppress_cube((2, 2), [2, 10, 7, 9], Suppression())
    naive = SuppressedCube(
        cube.shape,
        cube.values,
        tuple(CellStatus.PRIMARY if 1 <= v < 5 else CellStatus.PUBLISHED for v in cube.values),
        cube.policy,
        False,
    )
    low, high = attacker_intervals(naive)[(0, 0)]
    assert high - low < 1e-9, "without secondary suppression the cell is pinned"
    (low, high), *_ = attacker_intervals(cube).values()
    assert high - low >= 1


def test_typical_village_tables_are_rarely_withheld() -> None:
    """The fallback (withhold everything) is the exception, not the rule."""
    rng = random.Random(20250213)
    withheld = 0
    for _ in range(300):
        shape = (rng.randint(2, 7), rng.randint(2, 6))
        inner = [
            rng.choice((0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20)) for _ in range(shape[0] * shape[1])
        ]
        withheld += suppress_cube(shape, inner).withheld
    assert withheld <= 15, f"{withheld} of 300 tables withheld"
