"""Small-cell suppression of count tables, with secondary suppression that holds against
linear-programming recovery, and optional rounding to base 5.

A count table of one, two or three dimensions is published with **every total**: the
row and column totals and the grand total of a two-way table; for a three-way table
also every two-way total (the table of each layer, and the layers summed). This module
works on that *extended* table, cells and totals alike, so a total of 3 is as small a
cell as an inner 3.

**Primary suppression.** A cell (inner or total) holding 1 to k - 1 people is shown as
``"<k"`` (``"<5"``). Zeros are published: no person stands behind them.

**Secondary suppression.** Other cells (each holding k or more, never a zero) are
hidden too, shown as ``"x"``, so that no ``"<k"`` cell can be worked out from what is
published. The criterion, precisely:

    Someone who knows every published number of the table, that counts are whole and
    not negative, that a cell shown ``"<k"`` holds 1 to k - 1 and that a cell shown
    ``"x"`` holds k or more, cannot pin the value of any ``"<k"`` cell: there are two
    tables of whole numbers, both agreeing with all of that, whose values in that cell
    differ by at least ``protection`` (default 1). The interval a linear program finds
    for the cell (minimum and maximum under those constraints) is then at least
    ``protection`` wide.

It is met by construction (the *hypercube* method of Repsilber, as in τ-ARGUS's
GHMITER): each ``"<k"`` cell is made a corner of a rectangle (two-way) or cube
(three-way) of hidden cells — totals may be corners — along which its value and the
other corners' values can move by ``protection`` in opposite or equal directions while
every total stays what it is and every corner stays within what its marker says. Such
a move changes nothing published, so both tables agree with the publication. Of the
rectangles that work, the one hiding the fewest (then the smallest) published cells is
taken. A ``"<k"`` cell for which no rectangle works makes the whole table **withheld**:
every cell, zeros and totals included, is shown as ``"x"`` (coarsen the table, see
`kk_core.analysis.coarsen`). The property test `tests/unit/test_suppression_lp.py`
attacks 1,000 random tables with ``scipy.optimize.linprog``.

**Rounding** (optional, base 5): published counts are rounded to the nearest multiple
of 5 (each on its own, so totals need not add up); ``"<k"`` and ``"x"`` stay as they
are. Rounding only widens what can be inferred.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence

import attrs

from kk_core.errors import Problem, ValidationError

__all__ = ["CellStatus", "SuppressedCube", "Suppression", "suppress_cube"]


def _policy_problems(policy: Suppression) -> list[Problem]:
    problems = []
    k, protection, rounding = policy.k, policy.protection, policy.rounding
    if not isinstance(k, int) or isinstance(k, bool) or k < 3:
        problems.append(
            Problem(
                "k",
                "k is a whole number of at least 3: with k = 2 a cell shown '<2' holds exactly 1",
            )
        )
    elif (
        not isinstance(protection, int)
        or isinstance(protection, bool)
        or not (1 <= protection <= k - 2)
    ):
        problems.append(
            Problem(
                "protection",
                f"protection is a whole number from 1 to k - 2 ({k - 2}): a cell shown "
                f"'<{k}' moves within 1 to {k - 1}",
            )
        )
    if rounding is not None and (
        not isinstance(rounding, int) or isinstance(rounding, bool) or rounding < 2
    ):
        problems.append(Problem("rounding", "rounding is a base of at least 2 (5), or None"))
    return problems


@attrs.frozen
class Suppression:
    """How a count table is made safe to publish: the threshold ``k`` (cells of 1 to
    k - 1 are shown ``"<k"``), the ``protection`` a ``"<k"`` cell keeps against
    recovery from the totals (see the module docstring), and an optional ``rounding``
    base for the published counts (5)."""

    k: int = 5
    protection: int = attrs.field(default=1, kw_only=True)
    rounding: int | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        problems = _policy_problems(self)
        if problems:
            raise ValidationError(problems, subject="suppression")

    @property
    def small(self) -> str:
        """The marker of a small cell: ``"<5"``."""
        return f"<{self.k}"

    def describe(self, lang: str = "id") -> str:
        """One sentence for a table's notes."""
        if lang == "en":
            text = (
                f"Cells of 1 to {self.k - 1} are shown as '{self.small}'; cells marked 'x' "
                "are hidden so that small cells cannot be worked out from the totals"
            )
            if self.rounding:
                text += f"; other counts are rounded to the nearest {self.rounding}"
            return text + "."
        text = (
            f"Sel berisi 1 sampai {self.k - 1} ditampilkan sebagai '{self.small}'; sel "
            "bertanda 'x' disembunyikan agar sel kecil tidak dapat dihitung dari jumlahnya"
        )
        if self.rounding:
            text += f"; angka lain dibulatkan ke kelipatan {self.rounding} terdekat"
        return text + "."


class CellStatus(enum.Enum):
    """What is shown of a cell of the extended table."""

    PUBLISHED = "published"  #: its count (rounded, when the policy rounds)
    PRIMARY = "primary"  #: ``"<k"``: it holds 1 to k - 1
    SECONDARY = "secondary"  #: ``"x"``: hidden to protect a small cell
    WITHHELD = "withheld"  #: ``"x"``: the whole table is withheld


@attrs.frozen
class SuppressedCube:
    """An extended table (cells and every total) and what is shown of each cell.

    Cells are addressed by a tuple of indexes, one per dimension, where index
    ``shape[d]`` is the total over that dimension: in a 3 × 4 table, ``(1, 4)`` is
    the total of row 1 and ``(3, 4)`` the grand total.
    """

    shape: tuple[int, ...]
    values: tuple[int, ...] = attrs.field(repr=False)
    status: tuple[CellStatus, ...] = attrs.field(repr=False)
    policy: Suppression
    withheld: bool

    @property
    def extended_shape(self) -> tuple[int, ...]:
        return tuple(n + 1 for n in self.shape)

    def flat(self, cell: Sequence[int]) -> int:
        index = 0
        for i, m in zip(cell, self.extended_shape, strict=True):
            if not 0 <= i < m:
                raise IndexError(f"cell {tuple(cell)} is outside the table {self.shape}")
            index = index * m + i
        return index

    def status_of(self, cell: Sequence[int]) -> CellStatus:
        return self.status[self.flat(cell)]

    def true_value(self, cell: Sequence[int]) -> int:
        """The count itself, suppressed or not: never publish this."""
        return self.values[self.flat(cell)]

    def published(self, cell: Sequence[int]) -> int | None:
        """The count as published (rounded when the policy rounds); None when hidden."""
        index = self.flat(cell)
        if self.status[index] is not CellStatus.PUBLISHED:
            return None
        return _rounded(self.values[index], self.policy.rounding)

    def shown(self, cell: Sequence[int]) -> str:
        """The text of the cell: its count, ``"<5"`` or ``"x"``."""
        index = self.flat(cell)
        status = self.status[index]
        if status is CellStatus.PRIMARY:
            return self.policy.small
        if status is not CellStatus.PUBLISHED:
            return "x"
        return str(_rounded(self.values[index], self.policy.rounding))

    def cells(self) -> list[tuple[int, ...]]:
        """Every cell of the extended table, in row-major order."""
        return list(itertools.product(*(range(m) for m in self.extended_shape)))

    def inner_cells(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(n) for n in self.shape)))

    def counts(self) -> dict[str, int]:
        """How many cells of the extended table have each status."""
        found = {s.value: 0 for s in CellStatus}
        for status in self.status:
            found[status.value] += 1
        return found

    def publishable_share(self) -> float:
        """The share of the inner cells shown with their count (1.0 for an empty table)."""
        inner = self.inner_cells()
        if not inner:
            return 1.0
        shown = sum(self.status_of(c) is CellStatus.PUBLISHED for c in inner)
        return shown / len(inner)


def _rounded(value: int, base: int | None) -> int:
    if not base:
        return value
    return (value + base // 2) // base * base


def extend(shape: Sequence[int], inner: Sequence[int]) -> list[int]:
    """The inner cells (row-major) with every total added: the extended table, flat."""
    dims = len(shape)
    ext = [n + 1 for n in shape]
    size = 1
    for m in ext:
        size *= m
    strides = _strides(ext)
    values = [0] * size
    for k, cell in enumerate(itertools.product(*(range(n) for n in shape))):
        values[sum(i * s for i, s in zip(cell, strides, strict=True))] = inner[k]
    for axis in range(dims):
        others = [range(m) for m in ext]
        others[axis] = range(shape[axis], shape[axis] + 1)
        step = strides[axis]
        for cell in itertools.product(*others):
            at = sum(i * s for i, s in zip(cell, strides, strict=True))
            base = at - shape[axis] * step
            values[at] = sum(values[base + i * step] for i in range(shape[axis]))
    return values


def _strides(ext: Sequence[int]) -> list[int]:
    strides = [1] * len(ext)
    for axis in range(len(ext) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * ext[axis + 1]
    return strides


class _Search:
    """The hypercube search over one extended table."""

    def __init__(self, shape: Sequence[int], values: list[int], policy: Suppression) -> None:
        self.shape = list(shape)
        self.ext = [n + 1 for n in shape]
        self.strides = _strides(self.ext)
        self.values = values
        self.k = policy.k
        self.t = policy.protection
        self.hidden = [False] * len(values)
        top = max(values, default=0)
        #: the cost of hiding one more published cell outweighs any sum of counts
        self.weight = (2 ** len(shape)) * (top + 1)

    def fits(self, index: int, delta: int) -> bool:
        """A corner can move by ``delta`` within what its marker says (never a zero)."""
        value = self.values[index]
        if value <= 0:
            return False
        moved = value + delta
        if value < self.k:
            return 1 <= moved <= self.k - 1
        return moved >= self.k

    def cost(self, index: int) -> int:
        return 0 if self.hidden[index] else self.weight + self.values[index]

    def best(self, cell: tuple[int, ...]) -> tuple[int, list[int]] | None:
        """The cheapest hypercube protecting ``cell`` (cost, corners), or None."""
        found: tuple[int, list[int]] | None = None
        at = sum(i * s for i, s in zip(cell, self.strides, strict=True))
        for direction in (1, -1):
            delta = direction * self.t
            if not self.fits(at, delta):
                continue
            option = self._search(cell, at, delta, None if found is None else found[0])
            if option is not None and (found is None or option[0] < found[0]):
                found = option
            if found is not None and found[0] == 0:
                break
        return found

    def _options(
        self, cell: tuple[int, ...], at: int, delta: int
    ) -> list[list[tuple[int, int, int]]] | None:
        """Per dimension, the partners (offset, sign, cost) whose own corner fits."""
        per_dim: list[list[tuple[int, int, int]]] = []
        for axis, a in enumerate(cell):
            n, step = self.shape[axis], self.strides[axis]
            choices: list[tuple[int, int, int]] = []
            for b in range(n + 1):
                if b == a:
                    continue
                sign = 1 if (a == n or b == n) else -1
                offset = (b - a) * step
                corner = at + offset
                if self.fits(corner, sign * delta):
                    choices.append((offset, sign, self.cost(corner)))
            if not choices:
                return None
            choices.sort(key=lambda c: c[2])
            per_dim.append(choices)
        return per_dim

    def _search(
        self, cell: tuple[int, ...], at: int, delta: int, bound: int | None
    ) -> tuple[int, list[int]] | None:
        per_dim = self._options(cell, at, delta)
        if per_dim is None:
            return None
        dims = len(per_dim)
        floor_after = [0] * (dims + 1)  # least cost of the single corners still to choose
        for axis in range(dims - 1, -1, -1):
            floor_after[axis] = floor_after[axis + 1] + per_dim[axis][0][2]
        best_cost = bound if bound is not None else None
        best_corners: list[int] | None = None
        corners: list[int] = []

        def walk(axis: int, partial: list[tuple[int, int]], cost: int) -> bool:
            """Depth-first over the partners; True once a free hypercube is found."""
            nonlocal best_cost, best_corners
            if axis == dims:
                if best_cost is None or cost < best_cost:
                    best_cost, best_corners = cost, list(corners)
                return cost == 0
            for offset, sign, own in per_dim[axis]:
                if best_cost is not None and cost + own + floor_after[axis + 1] >= best_cost:
                    break  # sorted by cost: nothing further along is cheaper
                added = [(offset, sign)]
                extra = own
                ok = True
                for p_offset, p_sign in partial:
                    o, s = p_offset + offset, p_sign * sign
                    corner = at + o
                    if not self.fits(corner, s * delta):
                        ok = False
                        break
                    extra += self.cost(corner)
                    added.append((o, s))
                if not ok:
                    continue
                mark = len(corners)
                corners.extend(at + o for o, _ in added)
                if walk(axis + 1, partial + added, cost + extra):
                    return True
                del corners[mark:]
            return False

        walk(0, [], 0)
        if best_corners is None or best_cost is None:
            return None
        return best_cost, best_corners


def suppress_cube(
    shape: Sequence[int], inner: Sequence[int], policy: Suppression | None = None
) -> SuppressedCube:
    """Suppress a table of counts given as its inner cells, row-major (``shape`` (2, 3):
    ``[a, b, c, d, e, f]`` for rows ``a b c`` and ``d e f``); every total is added.

    ``ValidationError`` for a negative or non-whole count or a shape that does not
    match; an empty dimension (size 0) is allowed and yields only zero totals.
    """
    policy = policy or Suppression()
    shape = tuple(shape)
    problems: list[Problem] = []
    if not 1 <= len(shape) <= 4 or any(not isinstance(n, int) or n < 0 for n in shape):
        problems.append(Problem("shape", "a table has 1 to 4 dimensions, each of size 0 or more"))
    else:
        size = 1
        for n in shape:
            size *= n
        if len(inner) != size:
            problems.append(Problem("cells", f"{len(inner)} cells given for a table of {size}"))
    bad = [i for i, v in enumerate(inner) if not isinstance(v, int) or isinstance(v, bool) or v < 0]
    if bad:
        problems.append(Problem(f"cells[{bad[0]}]", "a count is a whole number, 0 or more"))
    if problems:
        raise ValidationError(problems, subject="table")
    values = extend(shape, list(inner))
    status = [CellStatus.PRIMARY if 1 <= v < policy.k else CellStatus.PUBLISHED for v in values]
    search = _Search(shape, values, policy)
    ext = [n + 1 for n in shape]
    cells = list(itertools.product(*(range(m) for m in ext)))
    primaries = [c for c, s in zip(cells, status, strict=True) if s is CellStatus.PRIMARY]
    for index, s in enumerate(status):
        search.hidden[index] = s is CellStatus.PRIMARY
    # inner cells first (their hypercubes often protect the small totals too), smallest first
    totals_in = [sum(i == n for i, n in zip(c, shape, strict=True)) for c in primaries]
    order = sorted(
        range(len(primaries)),
        key=lambda j: (totals_in[j], values[_search_index(primaries[j], search)], primaries[j]),
    )
    withheld = False
    for j in order:
        found = search.best(primaries[j])
        if found is None:
            withheld = True
            break
        for corner in found[1]:
            if not search.hidden[corner]:
                search.hidden[corner] = True
                status[corner] = CellStatus.SECONDARY
    if withheld:
        status = [CellStatus.WITHHELD] * len(values)
    return SuppressedCube(shape, tuple(values), tuple(status), policy, withheld)


def _search_index(cell: tuple[int, ...], search: _Search) -> int:
    return sum(i * s for i, s in zip(cell, search.strides, strict=True))
