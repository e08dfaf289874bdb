"""A partner's own spreadsheet, read through a declarative mapping (a small TOML file).

Partners keep their registers in their own layout: their column names, Indonesian
labels instead of codes, one row per case with each form of violence in a column of
its own, dates typed by hand. A mapping says, without any Python, how such a sheet
becomes records::

    kind = "case"

    [source]
    sheet = "Kasus 2025"       # a workbook's sheet (the first by default)
    header_row = 1             # the row holding the column names (1 by default)
    other_columns = "error"    # or "ignore": columns the mapping does not name

    [columns]
    "No. Register" = { field = "id", prefix = "lrc-2025-" }
    "Tanggal Lapor" = "reported_on"
    "Jenis Kelamin" = "subject.sex"
    "Fisik" = { field = "violence.forms", value = "physical" }   # a mark adds the value
    "Pelaku" = "violence.perpetrators[0].relation"
    "NIK" = { field = "subject.identity", pseudonymise = true }
    "Petugas" = { ignore = true }

    [labels."subject.sex"]     # the partner's own words for codes (or for any value)
    "P" = "female"
    "L" = "male"

    [defaults]                 # values no column gives
    group_id = "kk-teros"
    channel = "outreach_visit"

**Fields** are paths in the record's plain data, as the columns of the library's own
files are named (`docs/reference/csv.md`): ``subject.sex``, ``consent.assent.method``;
an element of a list by its index from 0 (``violence.perpetrators[0].relation``); a
set of ids or texts by its name (``member_ids``, items separated by ``;``).

**Cells** are read as the library's files are (`kk_adapters.csv.cells`), trimmed, text
included: dates ISO or Indonesian, flags ``ya``/``tidak``, codes by code or by label
in Indonesian or English — and first by the mapping's own ``[labels]`` for the field
(which may also stand for a text: a hamlet's name for its id).
Several columns may give one set (``violence.forms``): their values add up. A column
with ``value`` holds marks (``x``, ``v``, ``✓``, ``ya``, ``1``…; empty, ``-``,
``tidak``, ``0`` for none) and gives that value when marked. ``prefix`` is put in front
of the cell (ids). ``pseudonymise`` turns an identity number into its keyed pseudonym
(`kk_core.privacy.pseudonymise`, with the deployment's key): the number itself is never
kept. Whole numbers may have thousands separators and ``Rp`` (``Rp 1.500.000``).

**Defaults** give a field no column gives (or a row leaves empty). Inside an optional
part (``violence.place``) a default applies only to rows where a column made the part.

**Checks**, before any row is read: the kind, every field and every label's code are
known; the sheet has every column the mapping names (unless ``optional = true``) and
no column it does not (unless ``other_columns = "ignore"``); an id is mapped.
Then each row that does not read is a `Reject` naming ``file:row:column`` and the
column's name, with the reason; so is a row whose id an earlier row has.
"""

from __future__ import annotations

import itertools
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import attrs

from kk_adapters.csv._labels import code_reader
from kk_adapters.csv._sheets import Sheet, open_sheet
from kk_adapters.csv.cells import parse_bool, parse_date, parse_datetime, parse_int, split_codes
from kk_adapters.csv.schema import Cell, Column, Part, schema_of
from kk_adapters.csv.store import gc_paused
from kk_core._coded import normalize_label
from kk_core.converter import structure
from kk_core.errors import Problem, StorageError, ValidationError, quote_value
from kk_core.kinds import RECORD_KINDS, Record, RecordType, record_type
from kk_core.reports import Reject

__all__ = [
    "MARKS",
    "ColumnRule",
    "SpreadsheetMapping",
    "load_mapping",
    "parse_mapping",
    "read_rows",
    "read_spreadsheet",
]

#: What a mark column holds when marked, and when not (any case).
MARKS: Mapping[str, bool] = {
    **dict.fromkeys(("x", "v", "✓", "✔", "√", "ya", "y", "yes", "1", "true", "benar", "ada"), True),
    **dict.fromkeys(("", "-", "tidak", "tdk", "no", "n", "0", "false", "salah"), False),
}


@attrs.frozen
class ColumnRule:
    """What one column of the sheet gives."""

    #: The column's name in the header row.
    column: str
    #: The field it fills (None for an ignored column).
    field: str | None = None
    #: For a column of marks: the value it gives when marked.
    value: str | None = attrs.field(default=None, kw_only=True)
    prefix: str = attrs.field(default="", kw_only=True)
    pseudonymise: bool = attrs.field(default=False, kw_only=True)
    #: The sheet may lack this column.
    optional: bool = attrs.field(default=False, kw_only=True)
    ignore: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class _Target:
    """Where a field's value goes: its path in the plain data and its column's rules."""

    field: str
    path: tuple[str | int, ...]
    column: Column
    #: Values add up (a set in one cell, or a table of values).
    many: bool
    #: Inside an optional part or a list element (defaults apply only when it exists).
    conditional: tuple[str | int, ...] | None


@attrs.frozen
class SpreadsheetMapping:
    """A checked mapping (see the module); make one with `load_mapping`/`parse_mapping`."""

    kind: str
    columns: tuple[ColumnRule, ...]
    labels: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    defaults: Mapping[str, str] = attrs.field(factory=dict)
    sheet: str | None = None
    header_row: int = 1
    other_columns: str = "error"
    #: How messages name the mapping (its file name).
    name: str = "mapping"
    _targets: Mapping[str, _Target] = attrs.field(
        factory=dict, repr=False, eq=False, alias="_targets"
    )

    @property
    def cls(self) -> RecordType:
        return record_type(self.kind)

    @property
    def pseudonymises(self) -> bool:
        return any(rule.pseudonymise for rule in self.columns)


# -- fields ------------------------------------------------------------------------------

_FIELD = re.compile(r"^[a-z_][a-z0-9_]*(\[\d+\])?(\.[a-z_][a-z0-9_]*(\[\d+\])?)*$")
_TOKEN = re.compile(r"([a-z_][a-z0-9_]*)|\[(\d+)\]")


def _target(cls: RecordType, field: str) -> _Target | str:
    """Where ``field`` goes in a record of ``cls``, or why it goes nowhere."""
    if not _FIELD.match(field):
        return f"{quote_value(field)} is not a field path (like 'subject.sex' or 'violence.perpetrators[0].relation')"
    tokens: list[str | int] = [
        int(m[2]) if m[2] is not None else m[1] for m in _TOKEN.finditer(field)
    ]
    schema = schema_of(cls)
    for table in schema.children:
        n = len(table.path)
        if tuple(tokens[:n]) != table.path:
            continue
        rest = tokens[n:]
        if table.element is None:
            if rest:
                return f"{field!r}: {'.'.join(table.path)} is a set or list of values, given whole ('a; b; c')"
            return _Target(
                field, tuple(tokens), table.columns[0], True, _conditional_of(schema, table.path)
            )
        if not rest or not isinstance(rest[0], int):
            return f"{field!r}: give an element of {'.'.join(table.path)} by its index, like {'.'.join(table.path)}[0].{table.columns[0].name}"
        name = ".".join(str(t) for t in rest[1:])
        column = next((c for c in table.columns if c.name == name), None)
        if column is None:
            known = ", ".join(c.name for c in table.columns)
            return f"{field!r}: an element of {'.'.join(table.path)} has no field {name!r} (it has {known})"
        return _Target(
            field, tuple(tokens), column, column.cell is Cell.CODES, tuple(tokens[: n + 1])
        )
    if any(isinstance(t, int) for t in tokens):
        return f"{field!r}: only the lists of a record are indexed"
    column = next((c for c in schema.main.columns if c.name == field), None)
    if column is None:
        return f"{quote_value(field)} is not a field of {cls.kind}{_near(field, [c.name for c in schema.main.columns])}"
    conditional = (
        _optional_prefix(schema.main.element, column.path) if column.under_optional else None
    )
    return _Target(field, tuple(tokens), column, column.cell is Cell.CODES, conditional)


def _conditional_of(schema: Any, path: tuple[str, ...]) -> tuple[str | int, ...] | None:
    """The optional part a table of values sits in, if any (none in the model today)."""
    return _optional_prefix(schema.main.element, path)


def _optional_prefix(part: Part | None, path: tuple[str, ...]) -> tuple[str | int, ...] | None:
    """The path of the outermost optional part on ``path``, or None."""
    if part is None:
        return None
    for sub in part.parts:
        if path[: len(sub.path)] == sub.path:
            if sub.optional:
                return sub.path
            return _optional_prefix(sub, path)
    return None


def _near(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


# -- cells ------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^-?\d{1,3}([.,]\d{3})+$")


def _whole_number(text: str) -> int:
    cleaned = re.sub(r"(?i)^rp\.?\s*", "", text).replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", "")
    return parse_int(cleaned)


def _value(target: _Target, text: str, labels: Mapping[str, str]) -> Any:
    """The plain value of a (trimmed, non-empty) cell for a field; `ValueError` with the
    reason when it is not one."""
    column = target.column
    kind = column.cell
    if kind is Cell.CODES or (target.many and kind is not Cell.TEXT):
        items = split_codes(text)
        mapped = [labels.get(normalize_label(item), item) for item in items]
        reader = code_reader(cast(str, column.code_list))
        return reader.codes_of(mapped)
    if target.many:  # a table of texts or ids
        return split_codes(text)
    if labels:
        text = labels.get(normalize_label(text), text)
    if kind is Cell.TEXT:
        return text
    if kind is Cell.CODE or kind is Cell.OPEN_CODE:
        return code_reader(cast(str, column.code_list)).code(text)
    if kind is Cell.INT:
        return _whole_number(text)
    if kind is Cell.BOOL:
        found = MARKS.get(text.lower())
        return found if found is not None else parse_bool(text)
    if kind is Cell.DATE:
        return parse_date(text).isoformat()
    if kind is Cell.DATETIME:
        return parse_datetime(text).isoformat()
    raise AssertionError(kind)


def _quoted_reason(text: str, exc: ValueError, column: Column) -> str:
    message = str(exc)
    if column.cell in (Cell.CODE, Cell.OPEN_CODE, Cell.CODES):
        return message
    return f"{quote_value(text)} {message}"


# -- loading -----------------------------------------------------------------------------


def load_mapping(path: str | os.PathLike[str]) -> SpreadsheetMapping:
    """Read and check a mapping file (TOML); `ValidationError` listing every problem."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise StorageError(
            f"cannot read the mapping {quote_value(str(source), limit=160)}: {reason}"
        ) from None
    return parse_mapping(text, name=source.name)


def parse_mapping(text: str | Mapping[str, Any], *, name: str = "mapping") -> SpreadsheetMapping:
    """Check a mapping given as TOML text or as the table it parses to."""
    problems: list[Problem] = []
    if isinstance(text, str):
        try:
            data: Mapping[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(
                [Problem(name, f"is not valid TOML: {exc}")], subject="mapping"
            ) from None
    else:
        data = text
    for key in sorted(set(data) - {"kind", "source", "columns", "labels", "defaults"}):
        problems.append(
            Problem(
                f"{name}: {key}", "unknown section (known: kind, source, columns, labels, defaults)"
            )
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in RECORD_KINDS:
        problems.append(
            Problem(
                f"{name}: kind",
                f"{quote_value(kind)} is not a record kind; one of {', '.join(RECORD_KINDS)}",
            )
        )
        raise ValidationError(problems, subject="mapping")
    cls = record_type(kind)
    targets: dict[str, _Target] = {}

    def target(field: Any, where: str) -> _Target | None:
        if not isinstance(field, str):
            problems.append(
                Problem(where, f"a field is text, like 'subject.sex', not {quote_value(field)}")
            )
            return None
        if field not in targets:
            found = _target(cls, field)
            if isinstance(found, str):
                problems.append(Problem(where, found))
                return None
            targets[field] = found
        return targets[field]

    source = data.get("source", {})
    sheet, header_row, other = None, 1, "error"
    if not isinstance(source, Mapping):
        problems.append(Problem(f"{name}: source", "is a table ([source])"))
    else:
        for key in sorted(set(source) - {"sheet", "header_row", "other_columns"}):
            problems.append(
                Problem(
                    f"{name}: source.{key}",
                    "unknown setting (known: sheet, header_row, other_columns)",
                )
            )
        sheet = source.get("sheet")
        if sheet is not None and not isinstance(sheet, str):
            problems.append(Problem(f"{name}: source.sheet", "is the name of a sheet"))
            sheet = None
        header_row = source.get("header_row", 1)
        if (
            not isinstance(header_row, int)
            or isinstance(header_row, bool)
            or not 1 <= header_row <= 1000
        ):
            problems.append(Problem(f"{name}: source.header_row", "is a row number from 1 to 1000"))
            header_row = 1
        other = source.get("other_columns", "error")
        if other not in ("error", "ignore"):
            problems.append(Problem(f"{name}: source.other_columns", "is 'error' or 'ignore'"))
            other = "error"

    rules: list[ColumnRule] = []
    columns = data.get("columns", {})
    if not isinstance(columns, Mapping) or not columns:
        problems.append(Problem(f"{name}: columns", "names the sheet's columns ([columns])"))
        columns = {}
    for column, spec in columns.items():
        where = f"{name}: columns.{column!r}"
        rule = _rule(column, spec, where, problems)
        if rule is None:
            continue
        rules.append(rule)
        if rule.ignore:
            continue
        found = target(rule.field, where)
        if found is None:
            continue
        if rule.pseudonymise and (
            found.column.cell is not Cell.TEXT or found.path[-1] != "identity"
        ):
            problems.append(
                Problem(where, "pseudonymise is for an identity field (subject.identity)")
            )
        if rule.value is not None:
            _check_value(found, rule.value, where, problems)
    if not any(r.field == "id" for r in rules if not r.ignore):
        problems.append(
            Problem(f"{name}: columns", "map a column to 'id': imports find records again by it")
        )

    labels: dict[str, dict[str, str]] = {}
    given = data.get("labels", {})
    if not isinstance(given, Mapping):
        problems.append(Problem(f"{name}: labels", 'is a table of fields ([labels."subject.sex"])'))
        given = {}
    for field, table in given.items():
        where = f"{name}: labels.{field!r}"
        found = target(field, where)
        if found is None:
            continue
        if not isinstance(table, Mapping):
            problems.append(Problem(where, "is a table of label = code"))
            continue
        own: dict[str, str] = {}
        for label, code in table.items():
            if not isinstance(code, str):
                problems.append(Problem(f"{where}.{label!r}", "is the text or code it stands for"))
                continue
            try:  # what a label stands for must itself read (a code of the field's list)
                _value(found, code, {})
            except ValueError as exc:
                problems.append(
                    Problem(f"{where}.{label!r}", _quoted_reason(code, exc, found.column))
                )
                continue
            own[normalize_label(str(label))] = code
        labels[field] = own

    defaults: dict[str, str] = {}
    given = data.get("defaults", {})
    if not isinstance(given, Mapping):
        problems.append(Problem(f"{name}: defaults", "is a table of field = value ([defaults])"))
        given = {}
    for field, value in given.items():
        where = f"{name}: defaults.{field!r}"
        found = target(field, where)
        if found is None:
            continue
        text = _default_text(value)
        try:
            _value(found, text, labels.get(field, {}))
        except ValueError as exc:
            problems.append(Problem(where, _quoted_reason(text, exc, found.column)))
            continue
        defaults[field] = text
    if problems:
        raise ValidationError(problems, subject="mapping")
    return SpreadsheetMapping(
        kind,
        tuple(rules),
        labels,
        defaults,
        sheet,
        header_row,
        other,
        name,
        _targets=targets,
    )


def _default_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _rule(column: Any, spec: Any, where: str, problems: list[Problem]) -> ColumnRule | None:
    if isinstance(spec, str):
        return ColumnRule(str(column), spec)
    if not isinstance(spec, Mapping):
        problems.append(
            Problem(where, 'is a field name or a table like { field = "id", prefix = "x-" }')
        )
        return None
    known = {"field", "value", "prefix", "pseudonymise", "optional", "ignore"}
    for key in sorted(set(spec) - known):
        problems.append(
            Problem(f"{where}.{key}", f"unknown setting (known: {', '.join(sorted(known))})")
        )
    flags = {}
    for key in ("pseudonymise", "optional", "ignore"):
        flag = spec.get(key, False)
        if not isinstance(flag, bool):
            problems.append(Problem(f"{where}.{key}", "is true or false"))
            flag = False
        flags[key] = flag
    for key in ("value", "prefix"):
        if key in spec and not isinstance(spec[key], str):
            problems.append(Problem(f"{where}.{key}", "is text"))
            return None
    field = spec.get("field")
    if flags["ignore"]:
        return ColumnRule(str(column), None, ignore=True, optional=flags["optional"])
    if field is None:
        problems.append(Problem(where, 'names a field (field = "...") or says ignore = true'))
        return None
    return ColumnRule(
        str(column),
        field,
        value=spec.get("value"),
        prefix=spec.get("prefix", ""),
        pseudonymise=flags["pseudonymise"],
        optional=flags["optional"],
    )


def _check_value(found: _Target, value: str, where: str, problems: list[Problem]) -> None:
    try:
        _value(found, value, {})
    except ValueError as exc:
        problems.append(Problem(f"{where}.value", _quoted_reason(value, exc, found.column)))


# -- reading ------------------------------------------------------------------------------


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


@attrs.define
class _Bound:
    """A column rule bound to its position in the sheet."""

    rule: ColumnRule
    index: int
    target: _Target | None


def _bind(mapping: SpreadsheetMapping, sheet: Sheet) -> list[_Bound]:
    """The mapping's rules at their columns in the sheet; `ValidationError` for a
    header that does not fit."""
    problems: list[Problem] = []
    by_name: dict[str, int] = {}
    for i, name in enumerate(sheet.header):
        if not name:
            continue
        key = _folded(name)
        if key in by_name:
            first = sheet.column(by_name[key] + 1)
            problems.append(
                Problem(
                    f"{sheet.name}:{mapping.header_row}:{sheet.column(i + 1)}",
                    f"column {quote_value(name)} appears twice (also column {first})",
                )
            )
            continue
        by_name[key] = i
    bound: list[_Bound] = []
    used: set[int] = set()
    for rule in mapping.columns:
        index = by_name.get(_folded(rule.column))
        if index is None:
            if not rule.optional:
                problems.append(
                    Problem(
                        f"{sheet.name}:{mapping.header_row}",
                        f"no column {quote_value(rule.column)} (the mapping {mapping.name} needs it)"
                        f"{_near(rule.column, [h for h in sheet.header if h])}",
                    )
                )
            continue
        used.add(index)
        if not rule.ignore:
            bound.append(_Bound(rule, index, mapping._targets[cast(str, rule.field)]))
    if mapping.other_columns == "error":
        for i, name in enumerate(sheet.header):
            if name and i not in used and _folded(name) in by_name and by_name[_folded(name)] == i:
                problems.append(
                    Problem(
                        f"{sheet.name}:{mapping.header_row}:{sheet.column(i + 1)}",
                        f"column {quote_value(name)} is not in the mapping {mapping.name} (map it, "
                        'mark it { ignore = true }, or set other_columns = "ignore")',
                    )
                )
    if problems:
        raise ValidationError(problems, subject=f"sheet {sheet.name}")
    return bound


def _put(data: dict[str, Any], path: tuple[str | int, ...], value: Any, many: bool) -> None:
    here: Any = data
    for key, nxt in itertools.pairwise(path):
        if isinstance(key, int):
            while len(here) <= key:
                here.append({})
            here = here[key]
            continue
        if key not in here or here[key] is None:
            here[key] = [] if isinstance(nxt, int) else {}
        here = here[key]
    last = path[-1]
    if many:
        values = value if isinstance(value, list) else [value]
        if isinstance(last, int):
            raise AssertionError(path)
        here.setdefault(last, [])
        here[last].extend(v for v in values if v not in here[last])
    else:
        here[last] = value


def _exists(data: dict[str, Any], path: tuple[str | int, ...]) -> bool:
    here: Any = data
    for key in path:
        if isinstance(key, int):
            if not isinstance(here, list) or len(here) <= key:
                return False
        elif not isinstance(here, dict) or here.get(key) is None:
            return False
        here = here[key]
    return True


def _pseudonym_key(mapping: SpreadsheetMapping, key: bytes | None) -> bytes | None:
    if not mapping.pseudonymises:
        return None
    if key is None:
        from kk_core.plugins import get_plugins

        key = get_plugins().pseudonym_key()
    if key is None:
        raise ValidationError(
            [
                Problem(
                    "pseudonym_key",
                    "the mapping pseudonymises identity numbers: give pseudonym_key=, or "
                    "install a plugin whose kk_pseudonym_key gives the deployment's key",
                )
            ],
            subject="import",
        )
    return key


def read_spreadsheet(
    path: str | os.PathLike[str],
    mapping: SpreadsheetMapping | str | os.PathLike[str],
    *,
    pseudonym_key: bytes | None = None,
) -> Iterator[Record | Reject]:
    """The records of a partner's sheet (CSV or ``.xlsx``) through a mapping, in row
    order; a row that does not read is a `Reject` in its place. Blank rows are skipped.

    The header is checked before the first row: a sheet that does not fit the mapping
    is a `ValidationError` naming each column.
    """
    if not isinstance(mapping, SpreadsheetMapping):
        mapping = load_mapping(mapping)
    key = _pseudonym_key(mapping, pseudonym_key)
    sheet = open_sheet(path, sheet=mapping.sheet, header_row=mapping.header_row)
    try:
        bound = _bind(mapping, sheet)
    except BaseException:
        sheet.close()
        raise
    return (item for item, _where in _rows(mapping, sheet, bound, key))


def read_rows(
    path: str | os.PathLike[str],
    mapping: SpreadsheetMapping,
    *,
    pseudonym_key: bytes | None = None,
) -> Iterator[tuple[Record | Reject, str]]:
    """`read_spreadsheet`, each item with the ``file:row`` it comes from."""
    key = _pseudonym_key(mapping, pseudonym_key)
    sheet = open_sheet(path, sheet=mapping.sheet, header_row=mapping.header_row)
    try:
        bound = _bind(mapping, sheet)
    except BaseException:
        sheet.close()
        raise
    return _rows(mapping, sheet, bound, key)


def _rows(
    mapping: SpreadsheetMapping, sheet: Sheet, bound: list[_Bound], key: bytes | None
) -> Iterator[tuple[Record | Reject, str]]:
    seen: dict[str, int] = {}
    try:
        for number, cells in sheet.rows():
            item = _row(mapping, sheet, bound, key, number, cells, seen)
            if item is not None:
                yield item, f"{sheet.name}:{number}"
    finally:
        sheet.close()


def _row(
    mapping: SpreadsheetMapping,
    sheet: Sheet,
    bound: list[_Bound],
    key: bytes | None,
    number: int,
    cells: list[str],
    seen: dict[str, int],
) -> Record | Reject | None:
    texts = [cells[b.index].strip() if b.index < len(cells) else "" for b in bound]
    if not any(texts):
        return None
    row_where = f"{sheet.name}:{number}"
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    given: dict[str, str] = {}  # field → where its value came from (for messages)
    for b, text in zip(bound, texts, strict=True):
        target = cast(_Target, b.target)
        rule = b.rule
        where = f"{row_where}:{sheet.column(b.index + 1)} {rule.column}"
        if rule.value is not None:
            mark = MARKS.get(text.lower())
            if mark is None:
                problems.append(
                    Problem(
                        where,
                        f"{quote_value(text)} is not a mark (x, v, ya, 1; or empty, -, tidak, 0)",
                    )
                )
                continue
            if not mark:
                continue
            text = rule.value
        elif not text:
            continue
        if rule.pseudonymise:
            from kk_core.privacy import pseudonymise

            try:
                value: Any = pseudonymise(text, cast(bytes, key))
            except ValidationError:
                problems.append(Problem(where, "is not an identity number (NIK, 16 digits)"))
                continue
        else:
            try:
                value = _value(target, rule.prefix + text, mapping.labels.get(target.field, {}))
            except ValueError as exc:
                problems.append(Problem(where, _quoted_reason(text, exc, target.column)))
                continue
        _put(data, target.path, value, target.many)
        given.setdefault(target.field, where)
    for field, text in mapping.defaults.items():
        target = mapping._targets[field]
        if _exists(data, target.path):
            continue
        if target.conditional is not None and not _exists(data, target.conditional):
            continue  # a default inside a part no column made
        _put(data, target.path, _value(target, text, mapping.labels.get(field, {})), target.many)
    if problems:
        return Reject(row_where, tuple(problems))
    record_id = data.get("id")
    if isinstance(record_id, str):
        first = seen.get(record_id)
        if first is not None:
            return Reject(
                row_where,
                (
                    Problem(
                        given.get("id", row_where),
                        f"id {quote_value(record_id)} is already the id of row {first}",
                    ),
                ),
            )
        seen[record_id] = number
    try:
        with gc_paused():
            return cast(Record, structure(data, mapping.cls, current=True))
    except ValidationError as error:
        return Reject(row_where, tuple(_located(error, mapping.kind, given, row_where)))


def _located(
    error: ValidationError, kind: str, given: Mapping[str, str], row: str
) -> list[Problem]:
    """The converter's problems at the cells their fields came from."""
    out = []
    for problem in error.problems:
        path = problem.path
        if path.startswith(kind + "."):
            path = path[len(kind) + 1 :]
        elif path == kind:
            path = ""
        where = None
        probe = path
        while probe and where is None:
            where = given.get(probe)
            if where is None:
                cut = max(probe.rfind("."), probe.rfind("["))
                probe = probe[:cut] if cut > 0 else ""
        if where is None:
            where = f"{row} ({path})" if path else row
        out.append(Problem(where, problem.message))
    return out
