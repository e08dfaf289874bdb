"""Records ↔ rows of the CSV tables (`kk_adapters.csv.schema`).

A record becomes the cells of its main row and the rows of its child tables; rows
become the record's plain data, which the one converter (`kk_core.converter.structure`)
turns into the record, with every check the model and `kk_core.values` make.

Both directions are generated once per table as one Python function (a dict literal
with each cell read inline, as the converter does), so a row costs about one call per
cell that needs work. When a row does not read, the same row is read again cell by
cell (`TableCodec.explain`) to say which cell is wrong and why; a record the converter
refuses has each problem's path mapped back to its table, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, cast

import attrs

from kk_adapters.csv._labels import code_reader
from kk_adapters.csv.cells import (
    _ESCAPE_FIRST,
    BOOLEAN_WORDS,
    escape_text,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    split_codes,
    unescape_text,
)
from kk_adapters.csv.schema import NO_DEFAULT, Cell, Column, KindSchema, Part, Table
from kk_core.converter import structure
from kk_core.errors import ValidationError, quote_value
from kk_core.kinds import Record

__all__ = ["CellProblem", "KindCodec", "RowProblems", "TableCodec"]


@attrs.frozen
class CellProblem:
    """A problem at a table (index in `KindSchema.tables`), a row of it (index among the
    record's rows of that table; None for the main row or the record as a whole) and a
    column (index in the table's columns, keys first; None for the row as a whole)."""

    table: int
    row: int | None
    column: int | None
    message: str


class RowProblems(Exception):
    """The rows of one record do not read; ``problems`` say where and why."""

    def __init__(self, problems: Sequence[CellProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = tuple(problems)


class _Missing(Exception):
    pass


def _required() -> Any:
    raise _Missing


_DATE_CACHE: dict[str, str] = {}


def _date_text(cell: str) -> str:
    """ISO text of the day a (stripped) date cell names; cached."""
    found = _DATE_CACHE.get(cell)
    if found is None:
        found = parse_date(cell).isoformat()
        if len(_DATE_CACHE) < 100_000:
            _DATE_CACHE[cell] = found
    return found


def _int_cell(cell: str) -> int:
    return parse_int(cell)


class _Source:
    """Generated code and the namespace it runs in."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "esc": escape_text,
            "ES": _ESCAPE_FIRST,
            "unesc": unescape_text,
            "R": _required,
            "B": BOOLEAN_WORDS,
            "DC": _DATE_CACHE,
            "DT": _date_text,
            "PI": _int_cell,
            "split": split_codes,
        }
        self._n = 0

    def add(self, value: Any) -> str:
        self._n += 1
        name = f"k{self._n}"
        self.namespace[name] = value
        return name

    def compile(self, source: str, name: str, where: str) -> Callable[..., Any]:
        exec(compile(source, f"<kk_adapters.csv {where}>", "exec"), self.namespace)
        return cast(Callable[..., Any], self.namespace[name])


def _escaped(var: str, value: str | None = None) -> str:
    """``esc(var)`` with its test inline: a text that starts with neither a formula
    character, an apostrophe nor whitespace (almost every text) is its own cell, with
    no call; the others go through `escape_text`, which decides."""
    first = f"(({var} := {value})[:1]" if value is not None else f"({var}[:1]"
    return f"(esc({var}) if {first} in ES or {var}[:1].isspace()) else {var})"


def _encode_expr(column: Column, x: str) -> str:
    """The cell of a field value (the expression ``x``, read off the record)."""
    cell = column.cell
    optional = column.optional
    if cell is Cell.TEXT:
        if optional:
            return f"('' if (v := {x}) is None else ({_escaped('v')} if v else \"'\"))"
        return _escaped("v", x)
    if cell is Cell.CODES:
        items = "[m._value_ for m in v]" if column.members else "v"
        return f"('; '.join(sorted({items})) if (v := {x}) else '')"
    if cell is Cell.CODE and column.members:
        value = "{}._value_"
    elif cell is Cell.INT:
        value = "str({})"
    elif cell is Cell.BOOL:
        value = "('true' if {} else 'false')"
    elif cell is Cell.DATE or cell is Cell.DATETIME:
        value = "{}.isoformat()"
    else:  # an open-list code: text already
        value = "{}"
    if optional:
        return f"('' if (v := {x}) is None else {value.format('v')})"
    return value.format(x)


def _default(column: Column, src: _Source) -> str:
    if column.optional:
        return "None"
    if column.default is NO_DEFAULT:
        return "R()"
    return src.add(column.default)


def _decode_expr(column: Column, i: int, src: _Source) -> str:
    cell = column.cell
    c = f"c[{i}]"
    if cell is Cell.TEXT:
        if column.optional:
            return f'((v[1:] if v[0] == "\'" else v) if (v := {c}) else None)'
        return f'(v[1:] if (v := {c})[:1] == "\'" else v)'
    default = _default(column, src)
    if cell is Cell.CODES:
        reader = code_reader(cast(str, column.code_list))
        return f"({src.add(reader.set_cell)}(v) if (v := {c}) else [])"
    if cell is Cell.CODE:
        return f"(v if (v := {c}.strip()) else {default})"
    if cell is Cell.OPEN_CODE:
        reader = code_reader(cast(str, column.code_list))
        codes, read = src.add(reader.codes), src.add(reader.code)
        return f"((v if v in {codes} else {read}(v)) if (v := {c}.strip()) else {default})"
    if cell is Cell.INT:
        return (
            f"((int(v) if v.isdigit() and v.isascii() and len(v) < 19 else PI(v))"
            f" if (v := {c}.strip()) else {default})"
        )
    if cell is Cell.BOOL:
        return f"(B[v.lower()] if (v := {c}.strip()) else {default})"
    if cell is Cell.DATE:
        return f"((DC.get(v) or DT(v)) if (v := {c}.strip()) else {default})"
    if cell is Cell.DATETIME:
        return f"(v if (v := {c}.strip()) else {default})"
    raise AssertionError(cell)


def _presence(part: Part, index: dict[str, int]) -> str:
    cells = " or ".join(f"c[{index[col.name]}].strip()" for col in part.columns)
    return cells or "False"


def _decode_part(part: Part, index: dict[str, int], src: _Source) -> str:
    own = {col.path[-1]: col for col in part.columns if col.path[:-1] == part.path}
    subs = {sub.path[-1]: sub for sub in part.parts}
    items: list[str] = []
    for name, col in own.items():
        items.append(f"{name!r}: {_decode_expr(col, index[col.name], src)}")
    for name, sub in subs.items():
        inner = _decode_part(sub, index, src)
        if sub.optional:
            inner = f"({inner} if ({_presence(sub, index)}) else None)"
        items.append(f"{name!r}: {inner}")
    return "{" + ", ".join(items) + "}"


def _encode_part(
    part: Part, lines: list[str], root: str
) -> dict[tuple[str, ...], tuple[str, bool]]:
    """Lines binding a variable per nested part; part path → (variable, may be None)."""
    found: dict[tuple[str, ...], tuple[str, bool]] = {part.path: (root, False)}

    def walk(p: Part, var: str, maybe_none: bool) -> None:
        for sub in p.parts:
            name = f"p{len(found)}"
            key = sub.path[-1]
            if maybe_none:
                lines.append(f"    {name} = None if {var} is None else {var}.{key}")
            else:
                lines.append(f"    {name} = {var}.{key}")
            found[sub.path] = (name, maybe_none or sub.optional)
            walk(sub, name, maybe_none or sub.optional)

    walk(part, root, False)
    return found


class TableCodec:
    """Cells ↔ plain data for one table; see the module."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns: tuple[Column, ...] = (*table.key, *table.columns)
        self.width = len(self.columns)
        self.offset = len(table.key)
        self.index = {c.name: i for i, c in enumerate(self.columns)}
        self._readers: dict[int, Any] = {}
        src = _Source()
        self.decode: Callable[[Sequence[str]], Any] = self._make_decode(src)
        self.encode: Callable[..., list[str]] = self._make_encode(src)

    # -- generated code -------------------------------------------------------------

    def _make_decode(self, src: _Source) -> Callable[[Sequence[str]], Any]:
        table = self.table
        if table.element is None:  # a table of plain values: the one value column
            body = _decode_expr(table.columns[0], self.offset, src)
        else:
            body = _decode_part(table.element, self.index, src)
        return src.compile(f"def decode(c):\n    return {body}\n", "decode", table.name)

    def _make_encode(self, src: _Source) -> Callable[..., list[str]]:
        """``encode(record)`` for a main table, ``encode(owner, position, element)`` for
        a list's table, ``encode(owner, element)`` for a set's: the row's cells."""
        table = self.table
        lines: list[str] = []
        keys = [_escaped("o", "owner"), "str(position)"][: len(table.key)]
        if table.is_main:
            head = "def encode(d):"
        elif table.ordered:
            head = "def encode(owner, position, d):"
        else:
            head = "def encode(owner, d):"
        if table.element is None:
            cells = [*keys, _encode_expr(table.columns[0], "d")]
        else:
            parts = _encode_part(table.element, lines, "d")
            cells = list(keys)
            for col in table.columns:
                var, maybe_none = parts[col.path[:-1]]
                expr = _encode_expr(col, f"{var}.{col.path[-1]}")
                cells.append(f"('' if {var} is None else {expr})" if maybe_none else expr)
        source = "\n".join([head, *lines, "    return [" + ", ".join(cells) + "]"]) + "\n"
        return src.compile(source, "encode", table.name)

    # -- explaining a row that does not read -------------------------------------------

    def explain(self, cells: Sequence[str]) -> list[tuple[int, str]]:
        """(column index, reason) for every cell of a row that does not read."""
        out: list[tuple[int, str]] = []
        present = self._present_parts(cells)
        for i, column in enumerate(self.columns):
            if i >= self.offset and self.table.element is not None:
                parent = column.path[:-1]
                if not all(present.get(parent[:n], True) for n in range(1, len(parent) + 1)):
                    continue
            reason = _cell_problem(column, cells[i])
            if reason is not None:
                out.append((i, reason))
        return out

    def _present_parts(self, cells: Sequence[str]) -> dict[tuple[str, ...], bool]:
        present: dict[tuple[str, ...], bool] = {}
        element = self.table.element
        if element is None:
            return present
        stack = list(element.parts)
        while stack:
            part = stack.pop()
            stack.extend(part.parts)
            if part.optional:
                present[part.path] = any(cells[self.index[c.name]].strip() for c in part.columns)
        return present

    def column_of(self, path: Sequence[str]) -> int | None:
        """The index of the column a field path names (the longest match), if any."""
        best: int | None = None
        best_length = -1
        for i, column in enumerate(self.columns):
            if i < self.offset:
                continue
            length = len(column.path)
            if tuple(path[:length]) == column.path and length > best_length:
                best, best_length = i, length
        return best


def _cell_problem(column: Column, cell: str) -> str | None:
    """Why one cell does not read as its column's value, or None."""
    text = cell.strip()
    kind = column.cell
    if kind is Cell.TEXT or (kind is Cell.CODES and not text):
        return None
    if not text:
        if column.optional or column.default is not NO_DEFAULT:
            return None
        return "is empty; this column needs a value"
    try:
        if kind is Cell.CODE or kind is Cell.OPEN_CODE:
            code_reader(cast(str, column.code_list)).code(text)
        elif kind is Cell.CODES:
            code_reader(cast(str, column.code_list)).codes_of(split_codes(cell))
        elif kind is Cell.INT:
            parse_int(text)
        elif kind is Cell.BOOL:
            parse_bool(text)
        elif kind is Cell.DATE:
            parse_date(text)
        elif kind is Cell.DATETIME:
            parse_datetime(text)
    except ValueError as exc:
        message = str(exc)
    else:
        return None
    if kind in (Cell.CODE, Cell.OPEN_CODE, Cell.CODES):
        return message  # the reader's message quotes the value itself
    return f"{quote_value(text)} {message}"


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[str | int]:
    return [int(m[2]) if m[2] is not None else m[1] for m in _TOKEN.finditer(path)]


class KindCodec:
    """One record kind: a record ↔ its main row and child rows."""

    def __init__(self, schema: KindSchema) -> None:
        self.schema = schema
        self.cls = schema.cls
        self.kind = schema.kind
        self.main = TableCodec(schema.main)
        self.children = tuple(TableCodec(t) for t in schema.children)
        self.tables = (self.main, *self.children)
        self._child_paths = [t.path for t in schema.children]

    # -- writing ---------------------------------------------------------------------

    def rows(self, record: Record) -> tuple[list[str], list[list[list[str]]]]:
        """The main row and each child table's rows of a record."""
        main = self.main.encode(record)
        if not self.children:
            return main, []
        owner = record.id
        children: list[list[list[str]]] = []
        for codec, path in zip(self.children, self._child_paths, strict=True):
            items = _attribute_at(record, path)
            if not items:
                children.append([])
            elif codec.table.ordered:
                encode = codec.encode
                children.append([encode(owner, n, item) for n, item in enumerate(items, 1)])
            else:
                encode = codec.encode
                children.append([encode(owner, item) for item in sorted(items)])
        return main, children

    # -- reading ---------------------------------------------------------------------

    def data(
        self, main: Sequence[str], children: Sequence[Sequence[Sequence[str]]]
    ) -> dict[str, Any]:
        """The plain data of a record's rows; `RowProblems` naming every cell that does
        not read."""
        problems: list[CellProblem] = []
        try:
            data: dict[str, Any] = self.main.decode(main)
        except Exception:
            data = {}
            problems.extend(self._explain(0, None, main))
        for t, (codec, rows) in enumerate(zip(self.children, children, strict=True), 1):
            if not rows:
                continue
            decode = codec.decode
            try:
                items = [decode(row) for row in rows]
            except Exception:
                items = []
                for n, row in enumerate(rows):
                    try:
                        items.append(decode(row))
                    except Exception:
                        problems.extend(self._explain(t, n, row))
            _put(data, codec.table.path, items)
        if problems:
            raise RowProblems(problems)
        return data

    def _explain(self, table: int, row: int | None, cells: Sequence[str]) -> list[CellProblem]:
        found = self.tables[table].explain(cells)
        if not found:  # the fast path refused what the careful one takes: say so
            found = [(-1, "does not read (no single cell could be blamed)")]
        return [CellProblem(table, row, None if i < 0 else i, reason) for i, reason in found]

    def record(self, main: Sequence[str], children: Sequence[Sequence[Sequence[str]]]) -> Record:
        """The record its rows hold; `RowProblems` naming the cells when it does not read."""
        data = self.data(main, children)
        try:
            return cast(Record, structure(data, self.cls))
        except ValidationError as error:
            raise RowProblems([self.locate(p.path, p.message) for p in error.problems]) from None

    def locate(self, path: str, message: str) -> CellProblem:
        """Where a converter problem's path (``case.violence.perpetrators[1].sex``) is."""
        tokens = _tokens(path)
        if tokens and tokens[0] == self.kind:
            tokens = tokens[1:]
        names = [t for t in tokens if isinstance(t, str)]
        for t, child_path in enumerate(self._child_paths, 1):
            n = len(child_path)
            if tuple(tokens[:n]) == child_path:
                rest = tokens[n:]
                if rest and isinstance(rest[0], int):
                    codec = self.children[t - 1]
                    column = codec.column_of([x for x in rest[1:] if isinstance(x, str)])
                    if column is None and codec.table.element is None:
                        column = codec.offset
                    return CellProblem(t, rest[0], column, message)
                return CellProblem(t, 0, None, message)
        return CellProblem(0, None, self.main.column_of(names), message)


def _attribute_at(record: Any, path: tuple[str, ...]) -> Any:
    value: Any = record
    for name in path:
        if value is None:
            return None
        value = getattr(value, name)
    return value


def _put(data: dict[str, Any], path: tuple[str, ...], items: list[Any]) -> None:
    """Put a child table's items at their path, making the parts on the way when absent
    (the converter then names what else those parts need)."""
    here = data
    for name in path[:-1]:
        nxt = here.get(name)
        if not isinstance(nxt, dict):
            nxt = here[name] = {}
        here = nxt
    here[path[-1]] = items
