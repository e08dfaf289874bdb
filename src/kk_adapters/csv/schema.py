"""The column schema of the CSV files, derived from the record classes.

Every record kind is one file, ``<kind>.csv``, one row per record; every repeated part
of a record (a case's timeline, an incident's perpetrators, a meeting's agenda…) is a
*child table*, ``<kind>.<path>.csv``, one row per element, keyed by the record's id
(and, for a list, the element's position). Nothing here is written by hand: the
tables are made by walking the attrs classes, so a field added to the model is a
column the next release reads and writes, and `docs/reference/csv.md` is generated
from these tables (a test keeps it in step).

How a field becomes cells:

* a scalar (text, whole number, flag, date, date-time, a code) is one column, named
  by its path in the record's plain data (``subject.sex``, ``consent.assent.method``);
* a nested record is flattened into its columns (``subject.disability.some``); an
  optional one (``violence``, ``consent``) is present when one of its cells is filled;
* a set of codes is one column, the codes separated by ``;`` (``physical; sexual``);
* a list of records, a list of texts and a set of ids or texts are a child table.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from types import MappingProxyType, UnionType
from typing import Any, Union, get_args, get_origin

import attrs

from kk_core._checks import a_code, each_code, optional_code
from kk_core._coded import Coded, code_list_of
from kk_core.case_parts import Consent, Perpetrator, PlanAction, ViolenceIncident
from kk_core.cases import Case
from kk_core.kinds import RECORD_KINDS, RecordType, record_type
from kk_core.referrals import Referral, ServiceProvider

__all__ = [
    "NO_DEFAULT",
    "OPEN_CODE_FIELDS",
    "Cell",
    "Column",
    "KindSchema",
    "Part",
    "Table",
    "schema_of",
    "schemas",
]


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


#: `Column.default` of a field without a default.
NO_DEFAULT: Any = _NoDefault()


class Cell(enum.Enum):
    """What a column holds, which decides how its cells are written and read."""

    TEXT = "text"  #: free text or an id, kept exactly (escaped against formulas)
    CODE = "code"  #: a code of a closed list; a label in Indonesian or English reads too
    OPEN_CODE = "open code"  #: a code of an open list (plugins add entries); labels read too
    CODES = "codes"  #: a set of codes, ``;``-separated
    INT = "int"  #: a whole number
    BOOL = "bool"  #: true or false (ya/tidak, yes/no, 1/0 read too)
    DATE = "date"  #: a day: ISO ``2025-02-13`` written; Indonesian forms read too
    DATETIME = "datetime"  #: an ISO date-time with its UTC offset


#: Fields the model holds open-list codes in (checked for their shape by the model, and
#: against the list as plugins extend it by the services): the list whose labels read
#: as its codes. Other text fields whose values the services check against a list
#: (``business.sector``, ``data_update.data_set``…) are text to the model, and are read
#: as text.
OPEN_CODE_FIELDS: Mapping[tuple[type, str], str] = MappingProxyType(
    {
        (ServiceProvider, "service"): "service_kind",
        (Case, "programme"): "social_programme",
        (ViolenceIncident, "place"): "incident_place",
        (Perpetrator, "relation"): "perpetrator_relation",
        (Consent, "services"): "service_kind",
        (PlanAction, "service"): "service_kind",
        (Referral, "service"): "service_kind",
    }
)


@attrs.frozen
class Column:
    """One column: its header, where its value goes in the record's plain data, and how
    its cells read."""

    name: str
    path: tuple[str, ...]
    cell: Cell
    #: An empty cell is None (else: the field's default, or "" for text).
    optional: bool = False
    #: The field has no default: the column must be in the header and the cell filled
    #: (for a key column of a child table, always).
    required: bool = False
    #: The code list of a CODE, OPEN_CODE or CODES column.
    code_list: str | None = None
    #: The Python type of the field, for the reference page.
    type_name: str = ""
    #: The field's default as plain data (what an empty cell, or a missing column, reads
    #: as); `NO_DEFAULT` when the field has none.
    default: Any = attrs.field(default=NO_DEFAULT, eq=False)
    #: Its values are code-list members (enums), not plain text codes.
    members: bool = False
    #: The column belongs to an optional part (``violence.place``): it may be left out
    #: of a header even when its field has no default.
    under_optional: bool = False

    @property
    def in_header(self) -> bool:
        """Whether a file's header must have this column."""
        return self.required and not self.under_optional


@attrs.frozen
class Part:
    """A nested record flattened into columns; ``optional`` parts may be absent (None)."""

    path: tuple[str, ...]
    optional: bool
    #: Columns of this part and of the parts inside it, in header order.
    columns: tuple[Column, ...]
    #: Parts directly inside this one.
    parts: tuple[Part, ...]
    #: Child tables whose elements belong to this part (a case's violence owns the
    #: perpetrators table): rows in them make the part present.
    tables: tuple[str, ...] = ()


@attrs.frozen
class Table:
    """One CSV file: a kind's main table, or a child table of a repeated part."""

    kind: str
    #: The file name without ``.csv``: ``case``, ``case.timeline``.
    name: str
    #: Path of the repeated field in the record's plain data (``()`` for the main table).
    path: tuple[str, ...]
    #: Key columns (a child table's owner id, and a list's position), then the others.
    key: tuple[Column, ...]
    columns: tuple[Column, ...]
    #: The element as a part (its nested records and their columns); None for a table of
    #: plain values, whose one value column is ``columns[0]``.
    element: Part | None
    #: A list (rows keep their order: ``position`` column) or a set (rows sorted by value).
    ordered: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in (*self.key, *self.columns))

    @property
    def is_main(self) -> bool:
        return not self.path


@attrs.frozen
class KindSchema:
    """A record kind's tables: the main table first, then its child tables."""

    cls: RecordType
    main: Table
    children: tuple[Table, ...]

    @property
    def kind(self) -> str:
        return self.cls.kind

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.main, *self.children)


_NONE = type(None)


def _optional_of(t: Any) -> Any:
    if get_origin(t) in (Union, UnionType):
        args = [a for a in get_args(t) if a is not _NONE]
        if len(args) == 1 and len(get_args(t)) == 2:
            return args[0]
    return None


def _validators(field: attrs.Attribute[Any]) -> Iterator[Any]:
    found = field.validator
    stack = [found] if found is not None else []
    while stack:
        v = stack.pop()
        inner = getattr(v, "_validators", None)
        if inner is not None:
            stack.extend(inner)
        else:
            yield v


def _holds_codes(field: attrs.Attribute[Any]) -> bool:
    return any(v in (a_code, optional_code, each_code) for v in _validators(field))


_SCALARS: dict[Any, Cell] = {
    str: Cell.TEXT,
    int: Cell.INT,
    bool: Cell.BOOL,
    date: Cell.DATE,
    datetime: Cell.DATETIME,
}


def _type_name(t: Any) -> str:
    if isinstance(t, type):
        return t.__name__
    return str(t).replace("kk_core.codes.", "").replace("typing.", "")


class _Builder:
    def __init__(self, cls: RecordType) -> None:
        self.cls = cls
        self.kind = cls.kind
        self.children: list[Table] = []

    def part(
        self,
        cls: type,
        path: tuple[str, ...],
        optional: bool,
        in_child: bool,
        prefix: str,
        under_optional: bool = False,
    ) -> Part:
        attrs.resolve_types(cls)
        columns: list[Column] = []
        parts: list[Part] = []
        tables: list[str] = []
        for field in attrs.fields(cls):
            inner = _optional_of(field.type)
            t = inner if inner is not None else field.type
            name = field.name
            here = (*path, name)
            header = f"{prefix}{name}"
            required = field.default is attrs.NOTHING
            default = _plain_default(field)
            inside = under_optional or optional
            origin = get_origin(t)
            if isinstance(t, type) and attrs.has(t):
                sub = self.part(t, here, inner is not None, in_child, f"{header}.", inside)
                parts.append(sub)
                columns.extend(sub.columns)
                tables.extend(sub.tables)
            elif origin is tuple or (origin is frozenset and not self._codes(cls, field, t)):
                if in_child:
                    raise TypeError(
                        f"{cls.__name__}.{name}: a repeated part inside a repeated part has "
                        "no CSV layout yet (kk_adapters.csv.schema)"
                    )
                tables.append(self.child(cls, field, t, here))
            elif origin is frozenset:
                item = get_args(t)[0]
                listed = code_list_of(item).name if _is_coded(item) else self._open(cls, name)
                columns.append(
                    Column(
                        header,
                        here,
                        Cell.CODES,
                        required=required,
                        code_list=listed,
                        members=_is_coded(item),
                        type_name=_type_name(t),
                        default=default,
                        under_optional=inside,
                    )
                )
            elif _is_coded(t):
                columns.append(
                    Column(
                        header,
                        here,
                        Cell.CODE,
                        optional=inner is not None,
                        required=required,
                        code_list=code_list_of(t).name,
                        members=True,
                        type_name=_type_name(field.type),
                        default=default,
                        under_optional=inside,
                    )
                )
            elif t in _SCALARS:
                cell = _SCALARS[t]
                code_list = None
                if t is str and _holds_codes(field):
                    code_list = self._open(cls, name)
                    cell = Cell.OPEN_CODE if code_list is not None else Cell.TEXT
                columns.append(
                    Column(
                        header,
                        here,
                        cell,
                        optional=inner is not None,
                        required=required,
                        code_list=code_list,
                        type_name=_type_name(field.type),
                        default=default,
                        under_optional=inside,
                    )
                )
            else:
                raise TypeError(
                    f"{cls.__name__}.{name} of type {field.type} has no CSV layout yet "
                    "(kk_adapters.csv.schema)"
                )
        return Part(path, optional, tuple(columns), tuple(parts), tuple(tables))

    def _codes(self, cls: type, field: attrs.Attribute[Any], t: Any) -> bool:
        """A set kept in one cell: a set of codes (closed list, or open-list codes)."""
        item = get_args(t)[0]
        return _is_coded(item) or (item is str and _holds_codes(field))

    def _open(self, cls: type, name: str) -> str | None:
        return OPEN_CODE_FIELDS.get((cls, name))

    def child(self, cls: type, field: attrs.Attribute[Any], t: Any, path: tuple[str, ...]) -> str:
        item = get_args(t)[0]
        ordered = get_origin(t) is tuple
        name = f"{self.kind}.{'.'.join(path)}"
        owner = Column(f"{self.kind}_id", ("owner",), Cell.TEXT, required=True, type_name="str")
        key = [owner]
        if ordered:
            key.append(Column("position", ("position",), Cell.INT, required=True, type_name="int"))
        if isinstance(item, type) and attrs.has(item):
            element = self.part(item, (), False, True, "")
            columns = element.columns
            clash = {c.name for c in key} & {c.name for c in columns}
            if clash:
                raise TypeError(
                    f"{cls.__name__}.{field.name}: element fields {sorted(clash)} clash with "
                    "the key columns of its CSV child table"
                )
            table = Table(self.kind, name, path, tuple(key), columns, element, ordered)
        elif item in _SCALARS or _is_coded(item):
            cell = Cell.CODE if _is_coded(item) else _SCALARS[item]
            listed = code_list_of(item).name if _is_coded(item) else None
            value = Column(
                path[-1],
                ("value",),
                cell,
                required=True,
                code_list=listed,
                type_name=_type_name(item),
                members=_is_coded(item),
            )
            table = Table(self.kind, name, path, tuple(key), (value,), None, ordered)
        else:
            raise TypeError(f"{cls.__name__}.{field.name} of type {t} has no CSV layout yet")
        self.children.append(table)
        return name


def _plain_default(field: attrs.Attribute[Any]) -> Any:
    default: Any = field.default
    if default is attrs.NOTHING:
        return NO_DEFAULT
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    from kk_core.converter import converter

    return converter.unstructure(default, unstructure_as=field.type)


def _is_coded(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Coded)


_SCHEMAS: dict[type, KindSchema] = {}


def _schema(cls: RecordType) -> KindSchema:
    found = _SCHEMAS.get(cls)
    if found is None:
        found = _SCHEMAS[cls] = _build(cls)
    return found


def _build(cls: RecordType) -> KindSchema:
    builder = _Builder(cls)
    root = builder.part(cls, (), False, False, "")
    columns = list(root.columns)
    # the id first and the version last, whatever the class's order
    ident = next(c for c in columns if c.name == "id")
    version = next(c for c in columns if c.name == "version")
    columns = [ident, *(c for c in columns if c not in (ident, version)), version]
    main = Table(cls.kind, cls.kind, (), (), tuple(columns), root, False)
    return KindSchema(cls, main, tuple(builder.children))


def schema_of(kind: str | RecordType) -> KindSchema:
    """The tables of a record kind (by name or class)."""
    return _schema(record_type(kind))


def schemas(kinds: Iterable[str | RecordType] | None = None) -> tuple[KindSchema, ...]:
    """The tables of every kind (or of the kinds given), in `RECORD_KINDS` order."""
    wanted = RECORD_KINDS.values() if kinds is None else [record_type(k) for k in kinds]
    return tuple(_schema(cls) for cls in RECORD_KINDS.values() if cls in wanted)
