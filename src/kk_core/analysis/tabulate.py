"""`~kk_core.analysis.tabulate.tabulate`: a question about records → a safe, labelled `Table`.

Counts come from the store (pushed down where it can), other measures from
`kk_core.analysis.measures.aggregate`. A count table is suppressed by default
(`kk_core.analysis.suppression`, k = 5); with ``coarsen=0.8`` a table where fewer than
80 % of the cells can be shown is made coarser, step by step, until enough can be:
age bands into children and adults, months into quarters and quarters into years, the
rarest values into "other", hamlets into their village. What was merged is in the
table's notes and metadata. Set dimensions (a case's ``issue``…) are never merged: a
case counted in each of two merged values would be counted twice in the merge.

A table of another measure (days, sums, distinct counts) has no totals; a group of
fewer than k records shows ``"<k"`` instead of its value.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from kk_core.analysis.labels import (
    dimension_label,
    grid_values,
    value_label,
)
from kk_core.analysis.measures import (
    Count,
    Days,
    DaysSummary,
    Distinct,
    Measure,
    Sum,
    aggregate,
    check_measures,
)
from kk_core.analysis.suppression import Suppression, suppress_cube
from kk_core.analysis.table import Axis, Cell, Table
from kk_core.codes import AgeBand
from kk_core.dimensions import counting_by, dimensions_of
from kk_core.errors import Problem, ValidationError
from kk_core.kinds import RecordType, record_type
from kk_core.places import Hamlet

__all__ = ["COARSENING_STEPS", "tabulate"]

#: The merges coarsening tries, in order (a step applies only to a table that has the
#: dimension): (dimension, what it does in Indonesian and English).
COARSENING_STEPS: tuple[tuple[str, str, str], ...] = (
    (
        "age_band",
        "kelompok umur digabung menjadi anak dan dewasa",
        "age bands merged into children and adults",
    ),
    ("month", "bulan digabung menjadi triwulan", "months merged into quarters"),
    ("quarter", "triwulan digabung menjadi tahun", "quarters merged into years"),
    ("hamlet_id", "dusun digabung menjadi desa", "hamlets merged into the village"),
    ("rare", "nilai yang jarang digabung ke 'lainnya'", "rare values merged into 'other'"),
)

_CHILD = frozenset(b.value for b in AgeBand if b.is_child)
_GROUP_LABELS = {
    "child": ("Anak (di bawah 18 tahun)", "Children (under 18)"),
    "adult": ("Dewasa (18 tahun ke atas)", "Adults (18 and over)"),
    "other": ("Lainnya", "Other"),
    "village": ("Seluruh desa", "The whole village"),
}


@attrs.frozen
class _Dim:
    """A table dimension while it is built: its values, labels and counts' key position."""

    name: str
    title: tuple[str, str]
    values: tuple[Any, ...]
    labels: tuple[tuple[str, str], ...]
    many: bool = False


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _hamlets(source: Any, criteria: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The hamlets a store holds (of the village asked about), ordered by name."""
    if not hasattr(source, "find"):
        return [], {}
    village = criteria.get("village_id")
    found = (
        list(source.find(Hamlet, village_id=village))
        if isinstance(village, str)
        else list(source.find(Hamlet))
    )
    found.sort(key=lambda h: (h.name.casefold(), h.id))
    return [h.id for h in found], {h.id: h.name for h in found}


def _dims(
    cls: RecordType,
    names: Sequence[str],
    present: Sequence[set[Any]],
    source: Any,
    criteria: Mapping[str, Any],
    known: Mapping[str, Iterable[Any]],
) -> list[_Dim]:
    dims = dimensions_of(cls)
    made = []
    for name, seen in zip(names, present, strict=True):
        dim = dims[name]
        own_names: dict[Any, str] | None = None
        order = known.get(name)
        if name == "hamlet_id" and order is None:
            listed, own_names = _hamlets(source, criteria)
            order = listed or None
        values = grid_values(cls, name, seen, known=order)
        labels = tuple(
            (value_label(dim, v, "id", names=own_names), value_label(dim, v, "en", names=own_names))
            for v in values
        )
        title = (dimension_label(name, "id"), dimension_label(name, "en"))
        made.append(_Dim(name, title, tuple(values), labels, dim.many))
    return made


def _merge(
    dims: list[_Dim],
    counts: dict[tuple[Any, ...], int],
    at: int,
    mapping: Callable[[Any], Any],
    labels: Mapping[Any, tuple[str, str]],
) -> tuple[list[_Dim], dict[tuple[Any, ...], int]]:
    """Dimension ``at`` with its values mapped (and summed); new values in first-seen order."""
    old = dims[at]
    values: list[Any] = []
    new_labels: list[tuple[str, str]] = []
    for value, label in zip(old.values, old.labels, strict=True):
        mapped = mapping(value)
        if mapped not in values:
            values.append(mapped)
            new_labels.append(labels.get(mapped, label))
    merged: dict[tuple[Any, ...], int] = {}
    for key, n in counts.items():
        new_key = (*key[:at], mapping(key[at]), *key[at + 1 :])
        merged[new_key] = merged.get(new_key, 0) + n
    dims = list(dims)
    dims[at] = attrs.evolve(old, values=tuple(values), labels=tuple(new_labels))
    return dims, merged


def _coarsen_once(
    step: str,
    dims: list[_Dim],
    counts: dict[tuple[Any, ...], int],
    k: int,
    keep: tuple[str, ...] = (),
) -> tuple[list[_Dim], dict[tuple[Any, ...], int], tuple[str, str]] | None:
    """One merge of a coarsening step, or None when it does not apply to this table."""
    for at, dim in enumerate(dims):
        if dim.many or dim.name in keep:
            continue
        if (
            step == "age_band"
            and dim.name == "age_band"
            and not set(dim.values)
            <= {
                "child",
                "adult",
                None,
            }
        ):

            def to_group(v: Any) -> Any:
                return None if v is None else ("child" if v in _CHILD else "adult")

            labels = {g: _GROUP_LABELS[g] for g in ("child", "adult")}
            return (*_merge(dims, counts, at, to_group, labels), _step_note(step))
        if step == "month" and dim.name == "month":

            def to_quarter(v: Any) -> Any:
                return None if v is None else f"{v[:4]}-Q{(int(v[5:7]) - 1) // 3 + 1}"

            labels = {}
            for v in dim.values:
                q = to_quarter(v)
                if q is not None:
                    labels[q] = (f"Triwulan {q[-1]} {q[:4]}", f"Quarter {q[-1]} {q[:4]}")
            merged_dims, merged = _merge(dims, counts, at, to_quarter, labels)
            merged_dims[at] = attrs.evolve(
                merged_dims[at], name="quarter", title=("Triwulan", "Quarter")
            )
            return merged_dims, merged, _step_note(step)
        if step == "quarter" and dim.name == "quarter":

            def to_year(v: Any) -> Any:
                return None if v is None else int(v[:4])

            years: dict[Any, tuple[str, str]] = {
                int(v[:4]): (v[:4], v[:4]) for v in dim.values if v is not None
            }
            merged_dims, merged = _merge(dims, counts, at, to_year, years)
            merged_dims[at] = attrs.evolve(merged_dims[at], name="year", title=("Tahun", "Year"))
            return merged_dims, merged, _step_note(step)
        if step == "hamlet_id" and dim.name == "hamlet_id" and len(dim.values) > 1:
            labels = {"village": _GROUP_LABELS["village"]}
            return (*_merge(dims, counts, at, lambda v: "village", labels), _step_note(step))
    if step == "rare":
        return _merge_rarest(dims, counts, k, keep)
    return None


def _merge_rarest(
    dims: list[_Dim], counts: dict[tuple[Any, ...], int], k: int, keep: tuple[str, ...] = ()
) -> tuple[list[_Dim], dict[tuple[Any, ...], int], tuple[str, str]] | None:
    """The value with the smallest total (below k × the other axis' size) of a code
    dimension merged into "other"."""
    best: tuple[int, int, Any] | None = None
    for at, dim in enumerate(dims):
        if (
            dim.many
            or dim.name in keep
            or dim.name in ("hamlet_id", "month", "quarter", "year", "age_band")
        ):
            continue
        candidates = [v for v in dim.values if v not in ("other", None)]
        if len(candidates) < 2:
            continue
        for value in candidates:
            total = sum(n for key, n in counts.items() if key[at] == value)
            if best is None or total < best[0]:
                best = (total, at, value)
    if best is None:
        return None
    _, at, rare = best
    dim = dims[at]
    other_label = dict(zip(dim.values, dim.labels, strict=True)).get(
        "other", _GROUP_LABELS["other"]
    )
    rare_label = dict(zip(dim.values, dim.labels, strict=True))[rare]
    merged_dims, merged = _merge(
        dims, counts, at, lambda v: "other" if v == rare else v, {"other": other_label}
    )
    # "other" goes last
    d = merged_dims[at]
    pairs = list(zip(d.values, d.labels, strict=True))
    pairs.sort(key=lambda p: p[0] == "other")
    merged_dims[at] = attrs.evolve(
        d, values=tuple(p[0] for p in pairs), labels=tuple(p[1] for p in pairs)
    )
    note = (
        f"{rare_label[0]} digabung ke '{other_label[0]}' ({dim.title[0]})",
        f"{rare_label[1]} merged into '{other_label[1]}' ({dim.title[1]})",
    )
    return merged_dims, merged, note


def _step_note(step: str) -> tuple[str, str]:
    for name, id_text, en_text in COARSENING_STEPS:
        if name == step:
            return id_text[0].upper() + id_text[1:], en_text[0].upper() + en_text[1:]
    raise KeyError(step)  # pragma: no cover


def _cube(
    dims: list[_Dim], counts: Mapping[tuple[Any, ...], int]
) -> tuple[tuple[int, ...], list[int]]:
    shape = tuple(len(d.values) for d in dims)
    inner = [counts.get(key, 0) for key in itertools.product(*(d.values for d in dims))]
    return shape, inner


def _axis(dim: _Dim) -> Axis:
    return Axis(dim.name, dim.title, dim.values, dim.labels)


def tabulate(
    source: Any,
    kind: RecordType | str,
    rows: str | Sequence[str],
    columns: str | None = None,
    *,
    measure: Measure | Sequence[Measure] | None = None,
    suppression: Suppression | bool | str | None = "auto",
    coarsen: float | None = None,
    keep: Sequence[str] = (),
    known: Mapping[str, Iterable[Any]] | None = None,
    title: tuple[str, str] | None = None,
    **criteria: Any,
) -> Table:
    """A table of ``kind`` records by ``rows`` (one or two dimensions) and ``columns``
        (one dimension, or none), among those matching ``criteria``, over a store or any
        iterable of records.

        ``measure`` is a count by default (`kk_core.analysis.measures`: `Days`, `Sum`,
        `Distinct`; several measures make the columns). ``suppression`` is the policy
        (``True``: k = 5; ``False`` or ``None``: none — the table then says it is not for
        publication); ``"auto"``, the default, suppresses tables of records about people
        (`kk_core.analysis.frames.PERSON_KINDS`: cases, referrals, members, businesses and
        their support, residents' questions) and not those of the KK's public activities
        (sessions, publications, proposals, meetings), which say so. ``coarsen`` is the share of inner cells (0 to 1) that must
        be shown, and ``keep`` names dimensions coarsening leaves alone (``"hamlet_id"``
    for a table by hamlet); ``known`` gives the values a dimension's rows list (in order), replacing
        its code list.
    """
    cls = record_type(kind)
    row_names = _as_tuple(rows)
    col_names = _as_tuple(columns)
    problems = []
    if not 1 <= len(row_names) <= 2:
        problems.append(Problem("rows", "give one or two dimensions for the rows"))
    if len(col_names) > 1:
        problems.append(Problem("columns", "give one dimension for the columns, or none"))
    if coarsen is not None and not (isinstance(coarsen, int | float) and 0 < coarsen <= 1):
        problems.append(Problem("coarsen", "the share of cells to show is a number from 0 to 1"))
    if problems:
        raise ValidationError(problems, subject=f"{cls.kind} table")
    names = counting_by(cls, row_names + col_names)
    from kk_core.analysis.frames import PERSON_KINDS

    public = suppression == "auto" and cls.kind not in PERSON_KINDS
    policy: Suppression | None
    if suppression is True or (suppression == "auto" and not public):
        policy = Suppression()
    elif suppression is False or suppression is None:
        policy = None
    elif isinstance(suppression, Suppression):
        policy = suppression
    else:
        policy = None
    measures: tuple[Measure, ...]
    if measure is None:
        measures = (Count(),)
    elif isinstance(measure, Count | Days | Sum | Distinct):
        measures = (measure,)
    else:
        measures = tuple(measure)
    measures = check_measures(cls, measures)
    the_title = title or _default_title(cls, names, measures)
    if measures == (Count(),):
        counts = {
            key: values[0]
            for key, values in aggregate(source, cls, names, (Count(),), **criteria).items()
        }
        present = [{key[i] for key in counts} for i in range(len(names))]
        dims = _dims(cls, names, present, source, criteria, known or {})
        table = _count_table(
            cls, dims, counts, len(row_names), policy, coarsen, the_title, criteria, tuple(keep)
        )
        return _public(table) if public else table
    if col_names and len(measures) > 1:
        raise ValidationError(
            [Problem("columns", "several measures make the columns: give no column dimension")],
            subject=f"{cls.kind} table",
        )
    found = aggregate(source, cls, names, (Count(), *measures), **criteria)
    present = [{key[i] for key in found} for i in range(len(names))]
    # a measure's rows are the groups that occur (a row of dashes says nothing)
    only = {
        name: [v for v in grid_values(cls, name, seen) if v in seen]
        for name, seen in zip(names, present, strict=True)
        if name not in (known or {})
    }
    dims = _dims(cls, names, present, source, criteria, {**only, **(known or {})})
    table = _measure_table(cls, dims, found, len(row_names), measures, policy, the_title, criteria)
    return _public(table) if public else table


_PUBLIC_NOTE = (
    "Catatan kegiatan KK yang terbuka untuk umum, bukan tentang orang: tanpa "
    "penyembunyian sel kecil.",
    "Records of the KK's public activities, not of people: no small-cell suppression.",
)


def _public(table: Table) -> Table:
    notes = tuple(n for n in table.notes if "not for publication" not in n[1])
    return attrs.evolve(table, notes=(*notes, _PUBLIC_NOTE))


def _default_title(
    cls: RecordType, names: Sequence[str], measures: Sequence[Measure]
) -> tuple[str, str]:
    what = {
        "case": ("Kasus", "Cases"),
        "referral": ("Rujukan", "Referrals"),
        "support_action": ("Dukungan usaha", "Business support"),
        "information_session": ("Sosialisasi", "Information sessions"),
        "advocacy_proposal": ("Usulan", "Proposals"),
    }.get(cls.kind, (cls.kind, cls.kind))
    by_id = " dan ".join(dimension_label(n, "id").lower() for n in names)
    by_en = " and ".join(dimension_label(n, "en").lower() for n in names)
    if measures != (Count(),):
        lead = measures[0].label("id"), measures[0].label("en")
        return (
            f"{lead[0]}: {what[0].lower()} per {by_id}",
            f"{lead[1]}: {what[1].lower()} by {by_en}",
        )
    return f"{what[0]} per {by_id}", f"{what[1]} by {by_en}"


def _filter_note(cls: type, criteria: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the table was limited to, in words: a published table must not pass for all
    records (``issue="child_marriage"`` titled "Cases by month" would)."""
    if not criteria:
        return []
    from kk_core.dimensions import Between, dimensions_of

    dims = dimensions_of(cls)
    said: dict[str, list[str]] = {"id": [], "en": []}
    for name, value in sorted(criteria.items()):
        dim = dims.get(name)
        for lang in ("id", "en"):
            if isinstance(value, Between):
                shown = f"{value.start or '…'} – {value.end or '…'}"
            elif isinstance(value, (set, frozenset, list, tuple)):
                shown = ", ".join(value_label(dim, v, lang) for v in sorted(value, key=str))
            else:
                shown = value_label(dim, value, lang)
            if dim is not None:
                label = dimension_label(name, lang)
            else:
                label = {"period": {"id": "Periode", "en": "Period"}}.get(name, {}).get(lang, name)
            said[lang].append(f"{label}: {shown}")
    return [(f"Hanya {'; '.join(said['id'])}.", f"Only {'; '.join(said['en'])}.")]


def _notes_for(
    dims: Sequence[_Dim],
    policy: Suppression | None,
    merged: Sequence[tuple[str, str]],
    withheld: bool,
) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []
    many = [d for d in dims if d.many]
    for d in many:
        notes.append(
            (
                f"Satu catatan dihitung di setiap {d.title[0].lower()} yang dimilikinya, "
                "sehingga jumlahnya bisa melebihi jumlah catatan.",
                f"A record is counted in each {d.title[1].lower()} it has, so the counts "
                "can add up to more than the records.",
            )
        )
    if policy is None:
        notes.append(
            (
                "Tanpa penyembunyian sel kecil: bukan untuk dipublikasikan.",
                "No small-cell suppression: not for publication.",
            )
        )
    else:
        notes.append((policy.describe("id"), policy.describe("en")))
    if withheld:
        notes.append(
            (
                "Tabel ini tidak dapat dipublikasikan tanpa mengungkap sel kecil: semua sel "
                "disembunyikan. Gabungkan kategori (coarsen) lalu coba lagi.",
                "This table cannot be published without revealing a small cell: every cell "
                "is hidden. Merge categories (coarsen) and try again.",
            )
        )
    for note in _joined_merges(merged):
        notes.append((f"Digabung: {note[0]}.", f"Merged: {note[1]}."))
    return notes


def _joined_merges(merged: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The merges as notes, the rare values merged one after another into the same
    "other" of the same dimension said in one note ("A, B and C merged into 'Other'")."""
    joined: list[tuple[list[str], list[str], tuple[str, str]]] = []
    for note in merged:
        parts = (note[0].partition(" digabung ke "), note[1].partition(" merged into "))
        tail = (parts[0][2], parts[1][2])
        if not (parts[0][1] and parts[1][1]):
            joined.append(([note[0]], [note[1]], ("", "")))
        elif joined and joined[-1][2] == tail:
            joined[-1][0].append(parts[0][0])
            joined[-1][1].append(parts[1][0])
        else:
            joined.append(([parts[0][0]], [parts[1][0]], tail))
    out = []
    for id_values, en_values, tail in joined:
        if not tail[0]:
            out.append((id_values[0], en_values[0]))
            continue
        out.append(
            (
                f"{_listed(id_values, 'dan')} digabung ke {tail[0]}",
                f"{_listed(en_values, 'and')} merged into {tail[1]}",
            )
        )
    return out


def _listed(values: list[str], conjunction: str) -> str:
    if len(values) == 1:
        return values[0]
    return f"{', '.join(values[:-1])} {conjunction} {values[-1]}"


def _count_table(
    cls: RecordType,
    dims: list[_Dim],
    counts: dict[tuple[Any, ...], int],
    n_rows: int,
    policy: Suppression | None,
    coarsen: float | None,
    title: tuple[str, str],
    criteria: Mapping[str, Any],
    keep: tuple[str, ...] = (),
) -> Table:
    merged: list[tuple[str, str]] = []
    shape, inner = _cube(dims, counts)
    cube = suppress_cube(shape, inner, policy or Suppression())
    if policy is not None and coarsen is not None:
        steps = [name for name, _, _ in COARSENING_STEPS]
        s = 0
        while cube.publishable_share() < coarsen and s < len(steps):
            done = _coarsen_once(steps[s], dims, counts, policy.k, keep)
            if done is None:
                s += 1
                continue
            dims, counts, note = done
            merged.append(note)
            if steps[s] not in ("rare",):
                s += 1
            shape, inner = _cube(dims, counts)
            cube = suppress_cube(shape, inner, policy)
    cells: dict[tuple[int, ...], Cell] = {}
    for index in cube.cells():
        if policy is None:
            n = cube.true_value(index)
            cells[index] = Cell(str(n), n)
        else:
            cells[index] = Cell(cube.shown(index), cube.published(index))
    axes = [_axis(d) for d in dims]
    stats = cube.counts()
    metadata = {
        "kind": cls.kind,
        "criteria": {k: repr(v) for k, v in criteria.items()},
        "dimensions": [d.name for d in dims],
        "counted_in_each": [d.name for d in dims if d.many],
        "suppression": None
        if policy is None
        else {
            "k": policy.k,
            "protection": policy.protection,
            "rounding": policy.rounding,
            "primary": stats["primary"],
            "secondary": stats["secondary"],
            "withheld": cube.withheld,
            "publishable_share": cube.publishable_share(),
        },
        "merged": [note[1] for note in merged],
    }
    return Table(
        title,
        tuple(axes[:n_rows]),
        axes[n_rows] if len(axes) > n_rows else None,
        cells,
        totals=True,
        notes=(*_filter_note(cls, criteria), *_notes_for(dims, policy, merged, cube.withheld)),
        metadata=metadata,
    )


def _format(value: Any) -> tuple[str, int | float | None]:
    if isinstance(value, DaysSummary):
        median = value.median
        if median is None:
            return "–", None
        return (str(int(median)) if median == int(median) else f"{median:.1f}"), median
    return f"{value:,}".replace(",", "."), value


def _measure_table(
    cls: RecordType,
    dims: list[_Dim],
    found: Mapping[tuple[Any, ...], tuple[Any, ...]],
    n_rows: int,
    measures: Sequence[Measure],
    policy: Suppression | None,
    title: tuple[str, str],
    criteria: Mapping[str, Any],
) -> Table:
    k = policy.k if policy is not None else 0
    axes = [_axis(d) for d in dims]
    column: Axis | None = axes[n_rows] if len(axes) > n_rows else None
    if len(measures) > 1:
        column = Axis(
            "measure",
            ("Ukuran", "Measure"),
            tuple(range(len(measures))),
            tuple((m.label("id"), m.label("en")) for m in measures),
        )
    cells: dict[tuple[int, ...], Cell] = {}
    row_axes = axes[:n_rows]
    for index in itertools.product(*(range(len(a)) for a in row_axes)):
        key_rows = tuple(a.values[i] for a, i in zip(row_axes, index, strict=True))
        if len(measures) > 1:
            values = found.get(key_rows)
            for j in range(len(measures)):
                cells[(*index, j)] = _measure_cell(values, j + 1, k, policy, measures[j])
        elif column is not None:
            for j, col_value in enumerate(column.values):
                values = found.get((*key_rows, col_value))
                cells[(*index, j)] = _measure_cell(values, 1, k, policy, measures[0])
        else:
            cells[index] = _measure_cell(found.get(key_rows), 1, k, policy, measures[0])
    notes = []
    if policy is not None and all(isinstance(m, Count | Distinct) for m in measures):
        notes.append(
            (
                f"Kelompok dengan kurang dari {k} catatan ditampilkan sebagai '<{k}'.",
                f"Groups of fewer than {k} records are shown as '<{k}'.",
            )
        )
    elif policy is not None and any(isinstance(m, Count | Distinct) for m in measures):
        notes.append(
            (
                f"Kelompok dengan kurang dari {k} catatan tidak ditampilkan: jumlahnya "
                f"sebagai '<{k}', ukuran lainnya sebagai 'n<{k}'.",
                f"Groups of fewer than {k} records are not shown: their number as '<{k}', "
                f"any other measure as 'n<{k}'.",
            )
        )
    elif policy is not None:
        notes.append(
            (
                f"Kelompok dengan kurang dari {k} catatan ditampilkan sebagai 'n<{k}'.",
                f"Groups of fewer than {k} records are shown as 'n<{k}'.",
            )
        )
    else:
        notes.append(
            (
                "Tanpa penyembunyian: bukan untuk dipublikasikan.",
                "No suppression: not for publication.",
            )
        )
    if any(isinstance(m, Days) for m in measures):
        notes.append(
            (
                "Hari dihitung antara dua tanggal, hanya untuk catatan yang memiliki keduanya.",
                "Days are counted between two dates, over the records that have both.",
            )
        )
    return Table(
        title,
        tuple(row_axes),
        column,
        cells,
        totals=False,
        measure=(measures[0].label("id"), measures[0].label("en")),
        notes=(*_filter_note(cls, criteria), *notes),
        metadata={
            "kind": cls.kind,
            "criteria": {k_: repr(v) for k_, v in criteria.items()},
            "dimensions": [d.name for d in dims],
            "measures": [repr(m) for m in measures],
            "suppression": None if policy is None else {"k": policy.k, "rule": "group size"},
        },
    )


def _measure_cell(
    values: tuple[Any, ...] | None,
    at: int,
    k: int,
    policy: Suppression | None,
    measure: Measure,
) -> Cell:
    if values is None or values[0] == 0:
        # an empty group: nothing counted or summed is 0; days between dates have none
        return Cell("–", None) if isinstance(measure, Days) else Cell("0", 0)
    n = values[0]
    # a small group's count (or distinct count, no more than it) shows as "<5"; any other
    # measure of it as "n<5", which no reader takes for "a median under 5 days" or
    # "under Rp 5"
    small = f"<{k}" if isinstance(measure, Count | Distinct) else f"n<{k}"
    if policy is not None and n < k:
        return Cell(small, None)
    shown, number = _format(values[at])
    if isinstance(values[at], DaysSummary) and policy is not None and values[at].n < k:
        return Cell(small, None) if values[at].n > 0 else Cell("–", None)
    return Cell(shown, number)
