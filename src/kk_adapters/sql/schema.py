"""The tables, as SQLAlchemy Core metadata built from `kk_core.dimensions`.

One table per record kind, ``kk_<kind>``:

* ``id`` — the primary key (``COLLATE "C"`` on PostgreSQL, so ids sort by code point
  as Python sorts them; SQLite's default ``BINARY`` collation already does);
* ``version`` — the optimistic-concurrency counter (1 for a new record);
* ``data`` — the whole record as JSON text, without its version: the source of truth;
* one typed column per dimension of the kind (``category``, ``hamlet_id``,
  ``reported_on``, ``month``, ``sex``, ``age_band`` …), what ``find`` filters and
  ``count`` groups on, indexed unless it is a boolean or derived from an indexed date
  (``month``, ``year``). A set dimension (a case's ``issue`` and ``violence_form``)
  is a child table instead (`SET_DIMENSIONS`).

Child tables hold the repeated parts analysts query on their own, rewritten with their
record on every write (derived data, never read back by the store): the case timeline
(``kk_case_event``), the forms of violence of a case (``kk_case_violence_form``), its
issues, the primary one marked (``kk_case_issue``), its perpetrators
(``kk_case_perpetrator``), its GBVIMS context flags (``kk_case_gbvims_flag``, read off
the case itself rather than its data: `DERIVED_SET_DIMENSIONS`),
the members present at a meeting (``kk_meeting_member``) or trained
(``kk_training_member``), the members who did a data update
(``kk_data_update_member``) and the businesses of a business group
(``kk_business_group_business``). Their foreign keys cascade
on delete. Records are not linked to each other by foreign keys: a case may name a
group the store does not hold (the services check references, not the store).

`build_schema` builds the tables as they are at any schema version, so a migration can
create exactly what its version had (see `kk_adapters.sql.migrations`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from kk_core.codes import AgeBand, core_code
from kk_core.dimensions import DIMENSIONS, Dimension
from kk_core.kinds import RECORD_KINDS, RecordType

__all__ = [
    "CHILD_ADDED_IN",
    "DERIVED",
    "DERIVED_SET_DIMENSIONS",
    "KIND_ADDED_IN",
    "LATEST_VERSION",
    "SET_DIMENSIONS",
    "ChildTable",
    "KindTable",
    "Schema",
    "SetColumn",
    "build_schema",
    "table_name",
]

#: The schema version this library writes (the last migration's number).
LATEST_VERSION = 7

#: Columns added after version 1, by (kind, column): a migration adds each to old databases.
ADDED_IN: Mapping[tuple[str, str], int] = {
    ("case", "regency_code"): 2,
    ("advocacy_proposal", "cycle_year"): 3,
    ("advocacy_proposal", "village_id"): 3,
    ("advocacy_proposal", "budget_field"): 3,
    ("advocacy_proposal", "carried_over_from"): 3,
    ("meeting", "type"): 3,
    ("case", "reporter"): 4,
    ("case", "gbvims_type"): 4,
    ("case", "sexual_violence"): 4,
    ("case", "incident_id"): 4,
    ("case", "place"): 4,
    ("case", "place_simfoni"): 4,
    ("case", "legal_stage"): 4,
    ("case", "next_follow_up"): 4,
    ("service_provider", "core_service"): 4,
    ("case", "welfare_decile"): 4,
    # issue 10: periods on every dated kind, what referrals, support, sessions and
    # proposals are counted and summed by
    ("case", "quarter"): 5,
    ("referral", "year"): 5,
    ("referral", "quarter"): 5,
    ("referral", "responded_on"): 5,
    ("referral", "open"): 5,
    ("referral", "accepted"): 5,
    ("referral", "service"): 5,
    ("referral", "core_service"): 5,
    ("support_action", "year"): 5,
    ("support_action", "quarter"): 5,
    ("support_action", "amount_rupiah"): 5,
    ("publication", "year"): 5,
    ("publication", "quarter"): 5,
    ("information_session", "year"): 5,
    ("information_session", "quarter"): 5,
    ("information_session", "audience_female"): 5,
    ("information_session", "audience_male"): 5,
    ("information_session", "audience_with_disability"): 5,
    ("information_session", "audience_total"): 5,
    ("advocacy_proposal", "allocated_rupiah"): 5,
    ("meeting", "year"): 5,
    ("meeting", "quarter"): 5,
    ("training", "year"): 5,
    ("training", "quarter"): 5,
    ("data_update", "year"): 5,
    ("data_update", "quarter"): 5,
    ("resident_question", "year"): 5,
    ("resident_question", "quarter"): 5,
    ("group", "year"): 5,
    ("member", "year"): 5,
    ("business_group", "year"): 5,
}

#: Child tables added after version 1, by the version whose migration creates them.
CHILD_ADDED_IN: Mapping[str, int] = {
    "kk_case_issue": 4,
    "kk_case_perpetrator": 4,
    "kk_case_document": 4,
    "kk_case_dropout_reason": 4,
    "kk_case_marriage_route": 5,
    "kk_case_gbvims_flag": 7,
}

#: Record kinds added after version 1, by the version whose migration creates their tables.
KIND_ADDED_IN: Mapping[str, int] = {
    "training": 3,
    "data_update": 3,
    "resident_question": 3,
    "business_group": 3,
    "import_mark": 6,
}

#: Indexes over several columns: (kind, columns, version that added it).
COMPOSITE_INDEXES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("case", ("regency_code", "reported_on"), 2),
    ("case", ("village_id", "category", "reported_on"), 2),
)

#: Dimensions that get no index of their own: booleans, those derived from a date, and
#: amounts that are summed but never filtered by.
UNINDEXED: frozenset[str] = frozenset(
    {
        "month",
        "year",
        "quarter",
        "amount_rupiah",
        "allocated_rupiah",
        "audience_female",
        "audience_male",
        "audience_with_disability",
        "audience_total",
    }
)


def text_type() -> sa.types.TypeEngine[str]:
    """Text that compares by code point on every backend."""
    return sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def timestamp_type() -> sa.types.TypeEngine[Any]:
    """An aware timestamp: ISO text on SQLite (the offset kept), ``timestamptz`` on PostgreSQL."""
    return sa.Text().with_variant(postgresql.TIMESTAMP(timezone=True), "postgresql")


_TYPES: Mapping[type, Callable[[], sa.types.TypeEngine[Any]]] = {
    str: text_type,
    int: sa.BigInteger,
    bool: sa.Boolean,
    date: sa.Date,
}


def table_name(kind: str) -> str:
    return f"kk_{kind}"


@attrs.frozen
class ChildTable:
    """A table of rows derived from a repeated part of a record (rewritten on each write).

    ``rows(record_id, data)`` makes its rows, in ``columns`` order, from the unstructured
    record; ``parent`` is the column holding the record id.
    """

    table: sa.Table
    parent: str
    columns: tuple[str, ...]
    rows: Callable[[str, Mapping[str, Any]], list[tuple[Any, ...]]] = attrs.field(eq=False)


@attrs.frozen
class SetColumn:
    """Where a set dimension (``Dimension.many``) is kept: a child table's column, one
    row per value, ``parent`` holding the record id.

    With ``fallback``, a row's value is ``column``, or ``fallback`` where ``column`` is
    NULL, and the same value may stand on several rows of a record (a case's
    perpetrators by SIMFONI relation): counts then read each value of a record once.
    """

    table: sa.Table
    parent: str
    column: str
    fallback: str | None = None

    def value(self, table: sa.FromClause) -> sa.ColumnElement[Any]:
        """The value of a row of ``table`` (the child table or an alias of it)."""
        if self.fallback is None:
            return table.c[self.column]
        return sa.func.coalesce(table.c[self.column], table.c[self.fallback])

    def distinct_values(self, name: str) -> sa.FromClause:
        """``(parent, value)`` once per value of each record, as a FROM clause."""
        if self.fallback is None:
            return self.table.alias(name)
        return (
            sa.select(self.table.c[self.parent], self.value(self.table).label(self.column))
            .distinct()
            .subquery(name)
        )


@attrs.frozen
class KindTable:
    """A record kind's table: ``id, version, data`` then one column per dimension; the
    set dimensions are in child tables (``sets``, by dimension name)."""

    kind: RecordType
    table: sa.Table
    dimensions: tuple[Dimension, ...]
    children: tuple[ChildTable, ...]
    sets: Mapping[str, SetColumn] = attrs.field(factory=dict)

    @property
    def name(self) -> str:
        return self.table.name


@attrs.frozen
class Schema:
    """Every table at one schema version, and the version table itself."""

    version: int
    metadata: sa.MetaData
    kinds: Mapping[str, KindTable]
    version_table: sa.Table

    def kind_table(self, kind: str) -> KindTable:
        return self.kinds[kind]


def _dimension_columns(kind: str, version: int) -> list[Dimension]:
    cls = RECORD_KINDS[kind]
    dims = [d for d in DIMENSIONS[cls] if d.name != "id" and not d.many]
    for dim in dims:
        if dim.name in ("version", "data"):
            raise ValueError(f"dimension {kind}.{dim.name} clashes with a column of the store")
        if dim.type not in _TYPES:
            raise TypeError(f"dimension {kind}.{dim.name} has unsupported type {dim.type!r}")
    return [d for d in dims if ADDED_IN.get((kind, d.name), 1) <= version]


def _case_events(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (record_id, seq, e["at"], e["action"], e["source"], e["target"], e["actor_id"], e["ref"])
        for seq, e in enumerate(data["timeline"])
    ]


def _case_violence_forms(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    violence = data["violence"]
    return [] if violence is None else [(record_id, form) for form in violence["forms"]]


def _case_issues(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Every issue of a case, the primary category first: what "counted in each" counts."""
    issues = [data["category"], *sorted(data["issues"])]
    return [(record_id, issue, i == 0) for i, issue in enumerate(issues)]


def _case_perpetrators(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    violence = data["violence"]
    if violence is None:
        return []
    return [
        (
            record_id,
            seq,
            p["relation"],
            core_code("perpetrator_relation", p["relation"]),
            p["sex"],
            _perpetrator_child(p),
        )
        for seq, p in enumerate(violence["perpetrators"])
    ]


def _case_routes(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    marriage = data["child_marriage"]
    return [] if marriage is None else [(record_id, route) for route in marriage["routes"]]


#: Where `kk_adapters.sql.rows.RowCodec.encode` puts, beside a record's plain data, the
#: values of its set dimensions read off the record itself (derived, not stored fields).
DERIVED = "__derived__"
#: Set dimensions whose child rows are read off the record, not its plain data.
DERIVED_SET_DIMENSIONS: frozenset[tuple[str, str]] = frozenset({("case", "gbvims_flag")})


def _case_gbvims_flags(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    return [(record_id, flag) for flag in sorted(data[DERIVED]["gbvims_flag"])]


def _case_values(field: str) -> Callable[[str, Mapping[str, Any]], list[tuple[Any, ...]]]:
    """Rows ``(case_id, value)`` of a set field of a case (its documents, its reasons)."""

    def rows(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return [(record_id, value) for value in data[field]]

    return rows


def _perpetrator_child(p: Mapping[str, Any]) -> bool | None:
    if p["age_years"] is not None:
        return bool(p["age_years"] < 18)
    if p["age_band"] is not None:
        return bool(AgeBand(p["age_band"]).is_child)
    child = p["is_child"]
    return None if child is None else bool(child)


def _meeting_members(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    return [(record_id, member) for member in data["member_ids"]]


def _children(
    kind: str, metadata: sa.MetaData, parent: sa.Table, version: int
) -> tuple[ChildTable, ...]:
    def fk() -> sa.ForeignKey:
        return sa.ForeignKey(parent.c.id, ondelete="CASCADE")

    made: list[ChildTable] = []
    if kind == "case":
        events = sa.Table(
            "kk_case_event",
            metadata,
            sa.Column("case_id", text_type(), fk(), primary_key=True),
            sa.Column("seq", sa.Integer, primary_key=True),
            sa.Column("at", timestamp_type(), nullable=False),
            sa.Column("action", text_type(), nullable=False),
            sa.Column("source", text_type()),
            sa.Column("target", text_type(), nullable=False),
            sa.Column("actor_id", text_type()),
            sa.Column("ref", text_type()),
        )
        sa.Index("ix_kk_case_event_action", events.c.action)
        forms = sa.Table(
            "kk_case_violence_form",
            metadata,
            sa.Column("case_id", text_type(), fk(), primary_key=True),
            sa.Column("form", text_type(), primary_key=True),
        )
        sa.Index("ix_kk_case_violence_form_form", forms.c.form)
        made += [
            ChildTable(
                events,
                "case_id",
                ("case_id", "seq", "at", "action", "source", "target", "actor_id", "ref"),
                _case_events,
            ),
            ChildTable(forms, "case_id", ("case_id", "form"), _case_violence_forms),
        ]
        if version >= CHILD_ADDED_IN["kk_case_issue"]:
            issues = sa.Table(
                "kk_case_issue",
                metadata,
                sa.Column("case_id", text_type(), fk(), primary_key=True),
                sa.Column("issue", text_type(), primary_key=True),
                sa.Column("is_primary", sa.Boolean, nullable=False),
            )
            sa.Index("ix_kk_case_issue_issue", issues.c.issue)
            perpetrators = sa.Table(
                "kk_case_perpetrator",
                metadata,
                sa.Column("case_id", text_type(), fk(), primary_key=True),
                sa.Column("seq", sa.Integer, primary_key=True),
                sa.Column("relation", text_type(), nullable=False),
                sa.Column("relation_simfoni", text_type()),
                sa.Column("sex", text_type()),
                sa.Column("is_child", sa.Boolean),
            )
            sa.Index("ix_kk_case_perpetrator_relation_simfoni", perpetrators.c.relation_simfoni)
            for table_name_, column, field in (
                ("kk_case_document", "document", "documents"),
                ("kk_case_dropout_reason", "reason", "dropout_reasons"),
            ):
                values = sa.Table(
                    table_name_,
                    metadata,
                    sa.Column("case_id", text_type(), fk(), primary_key=True),
                    sa.Column(column, text_type(), primary_key=True),
                )
                sa.Index(f"ix_{table_name_}_{column}", values.c[column])
                made.append(ChildTable(values, "case_id", ("case_id", column), _case_values(field)))
            if version >= CHILD_ADDED_IN["kk_case_marriage_route"]:
                routes = sa.Table(
                    "kk_case_marriage_route",
                    metadata,
                    sa.Column("case_id", text_type(), fk(), primary_key=True),
                    sa.Column("route", text_type(), primary_key=True),
                )
                sa.Index("ix_kk_case_marriage_route_route", routes.c.route)
                made.append(ChildTable(routes, "case_id", ("case_id", "route"), _case_routes))
            if version >= CHILD_ADDED_IN["kk_case_gbvims_flag"]:
                flags = sa.Table(
                    "kk_case_gbvims_flag",
                    metadata,
                    sa.Column("case_id", text_type(), fk(), primary_key=True),
                    sa.Column("flag", text_type(), primary_key=True),
                )
                sa.Index("ix_kk_case_gbvims_flag_flag", flags.c.flag)
                made.append(ChildTable(flags, "case_id", ("case_id", "flag"), _case_gbvims_flags))
            made += [
                ChildTable(issues, "case_id", ("case_id", "issue", "is_primary"), _case_issues),
                ChildTable(
                    perpetrators,
                    "case_id",
                    ("case_id", "seq", "relation", "relation_simfoni", "sex", "is_child"),
                    _case_perpetrators,
                ),
            ]
    elif kind == "meeting":
        members = sa.Table(
            "kk_meeting_member",
            metadata,
            sa.Column("meeting_id", text_type(), fk(), primary_key=True),
            sa.Column("member_id", text_type(), primary_key=True),
        )
        sa.Index("ix_kk_meeting_member_member_id", members.c.member_id)
        made.append(
            ChildTable(members, "meeting_id", ("meeting_id", "member_id"), _meeting_members)
        )
    elif kind in _ID_SETS:
        made.append(_id_set_table(kind, metadata, fk()))
    return tuple(made)


#: Kinds with a set of ids kept in a child table of its own: kind → (table, the
#: record's field, the column holding one id of it).
_ID_SETS: Mapping[str, tuple[str, str, str]] = {
    "training": ("kk_training_member", "member_ids", "member_id"),
    "data_update": ("kk_data_update_member", "member_ids", "member_id"),
    "business_group": ("kk_business_group_business", "business_ids", "business_id"),
}


def _id_set_table(kind: str, metadata: sa.MetaData, fk: sa.ForeignKey) -> ChildTable:
    name, field, column = _ID_SETS[kind]
    parent = f"{kind}_id"
    table = sa.Table(
        name,
        metadata,
        sa.Column(parent, text_type(), fk, primary_key=True),
        sa.Column(column, text_type(), primary_key=True),
    )
    sa.Index(f"ix_{name}_{column}", table.c[column])

    def rows(record_id: str, data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return [(record_id, value) for value in data[field]]

    return ChildTable(table, parent, (parent, column), rows)


@cache
def build_schema(version: int = LATEST_VERSION) -> Schema:
    """The tables as they are at ``version`` (1 … `LATEST_VERSION`); built once, shared."""
    if not 1 <= version <= LATEST_VERSION:
        raise ValueError(f"no schema version {version}; versions are 1 to {LATEST_VERSION}")
    metadata = sa.MetaData()
    version_table = sa.Table(
        "kk_schema_version",
        metadata,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("applied_at", sa.Text, nullable=False),
    )
    kinds: dict[str, KindTable] = {}
    for kind, cls in RECORD_KINDS.items():
        if KIND_ADDED_IN.get(kind, 1) > version:
            continue
        dims = _dimension_columns(kind, version)
        name = table_name(kind)
        table = sa.Table(
            name,
            metadata,
            sa.Column("id", text_type(), primary_key=True),
            sa.Column("version", sa.BigInteger, nullable=False),
            sa.Column("data", sa.Text, nullable=False),
            *(sa.Column(d.name, _TYPES[d.type]()) for d in dims),
            sa.CheckConstraint("version >= 1", name=f"ck_{name}_version"),
        )
        for dim in dims:
            if dim.type is not bool and dim.name not in UNINDEXED:
                sa.Index(f"ix_{name}_{dim.name}", table.c[dim.name])
        for index_kind, columns, since in COMPOSITE_INDEXES:
            if index_kind == kind and since <= version:
                sa.Index(composite_index_name(kind, columns), *(table.c[c] for c in columns))
        children = _children(kind, metadata, table, version)
        kinds[kind] = KindTable(cls, table, tuple(dims), children, _sets(kind, children))
    return Schema(version, metadata, kinds, version_table)


#: The child table and column of each set dimension, by (kind, dimension).
SET_DIMENSIONS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("case", "issue"): ("kk_case_issue", "issue"),
    ("case", "violence_form"): ("kk_case_violence_form", "form"),
    ("case", "document"): ("kk_case_document", "document"),
    ("case", "dropout_reason"): ("kk_case_dropout_reason", "reason"),
    ("case", "marriage_route"): ("kk_case_marriage_route", "route"),
    ("case", "gbvims_flag"): ("kk_case_gbvims_flag", "flag"),
}

#: Set dimensions read from a child table whose rows may repeat a value, with the column
#: a NULL value falls back to: (kind, dimension) → (table, column, fallback).
DISTINCT_SET_DIMENSIONS: Mapping[tuple[str, str], tuple[str, str, str]] = {
    ("case", "relation_simfoni"): ("kk_case_perpetrator", "relation_simfoni", "relation"),
}


def _sets(kind: str, children: Sequence[ChildTable]) -> dict[str, SetColumn]:
    by_name = {child.table.name: child for child in children}
    found = {}
    for (set_kind, dim), (table, column) in SET_DIMENSIONS.items():
        child = by_name.get(table) if set_kind == kind else None
        if child is not None:
            found[dim] = SetColumn(child.table, child.parent, column)
    for (set_kind, dim), (table, column, fallback) in DISTINCT_SET_DIMENSIONS.items():
        child = by_name.get(table) if set_kind == kind else None
        if child is not None and _has_dimension(kind, dim):
            found[dim] = SetColumn(child.table, child.parent, column, fallback)
    return found


def _has_dimension(kind: str, name: str) -> bool:
    return any(d.name == name for d in DIMENSIONS[RECORD_KINDS[kind]])


def composite_index_name(kind: str, columns: Sequence[str]) -> str:
    return f"ix_{table_name(kind)}_{'_'.join(columns)}"
