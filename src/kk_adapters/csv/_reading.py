"""A record kind's files read together: each main row with its child rows.

The main file is in id order and each child file in its owner's id order (then
position), so the rows of one record are joined in one pass over every file, holding
one record's rows at a time. What does not join is reported, never dropped: a second
row with an id already seen (`Duplicate`), a child row whose owner has no main row
(`Orphan`), a position given twice or not a number (in `Group.problems`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import attrs

from kk_adapters.csv._codec import CellProblem, KindCodec, RowProblems
from kk_adapters.csv._files import (
    FileError,
    Keyed,
    TableFile,
    is_sorted,
    keyed_rows,
    sorted_rows,
)
from kk_adapters.csv._folder import Folder
from kk_core.errors import Problem, quote_value
from kk_core.kinds import Record

__all__ = ["Duplicate", "Group", "KindFiles", "Orphan"]


@attrs.define
class Group:
    """The rows of one record: its main row and, per child table, its child rows."""

    id: str
    line: int
    cells: list[str]
    children: list[list[Keyed]]
    problems: list[CellProblem]

    def child_cells(self) -> list[list[list[str]]]:
        return [[row[2] for row in rows] for rows in self.children]


@attrs.frozen
class Duplicate:
    """A main row whose id an earlier row has."""

    id: str
    line: int
    cells: list[str]
    first_line: int


@attrs.frozen
class Orphan:
    """A child row whose owner has no main row."""

    table: int
    owner: str
    line: int
    cells: list[str]


Entry = Group | Duplicate | Orphan


class _Peek:
    __slots__ = ("head", "rows")

    def __init__(self, rows: Iterator[Keyed]) -> None:
        self.rows = rows
        self.head: Keyed | None = next(rows, None)

    def advance(self) -> None:
        self.head = next(self.rows, None)


class KindFiles:
    """The files of one kind, opened together under the folder's read lock (so they are
    all of one commit), read as `Entry` items in id order."""

    def __init__(self, folder: Folder, codec: KindCodec, *, display: str | None = None) -> None:
        self.folder = folder
        self.codec = codec
        self.display = display
        self.files: list[TableFile | None] = []
        self._streams: list[Iterator[Keyed]] = []
        self._checks: list[TableFile] = []
        folder.check_journal()
        try:
            with folder.shared():
                manifest = folder.manifest()
                for table in codec.tables:
                    self._open(table, manifest)
        except BaseException:
            self.close()
            raise
        #: Each open file's lines with cells beyond its header (filled as rows are read).
        self._overflow = [f.overflow for f in self.files if f is not None]

    def _name(self, file_name: str) -> str:
        return file_name if self.display is None else f"{self.display}/{file_name}"

    def _open(self, table: Any, manifest: dict[str, tuple[int, int]]) -> None:
        path = self.folder.path(table.table.file_name)
        try:
            file = TableFile(path, table, self._name(table.table.file_name))
        except FileNotFoundError:
            self.files.append(None)
            self._streams.append(iter(()))
            return
        except OSError as exc:
            raise FileError(
                self._name(table.table.file_name), f"cannot be read: {exc.strerror or exc}"
            ) from None
        self.files.append(file)
        if manifest.get(table.table.file_name) == file.stat():
            self._streams.append(keyed_rows(file))
            return
        # not as the store wrote it: check its order on a second handle of the same file
        check = TableFile(path, table, file.name)
        self._checks.append(check)
        self._streams.append(_checked(check, file))

    def close(self) -> None:
        for stream in self._streams:
            close = getattr(stream, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        for file in [*self.files, *self._checks]:
            if file is not None:
                file.close()

    def __enter__(self) -> KindFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the join ----------------------------------------------------------------------

    def entries(self) -> Iterator[Entry]:
        """Every main row with its child rows, orphans and duplicates, in id order."""
        try:
            main = self._streams[0]
            kids = [_Peek(stream) for stream in self._streams[1:]]
            ordered = [codec.table.ordered for codec in self.codec.children]
            previous: str | None = None
            previous_line = 0
            for key, line, cells in main:
                if key == previous:
                    yield Duplicate(key, line, cells, previous_line)
                    continue
                children: list[list[Keyed]] = []
                problems: list[CellProblem] = []
                for t, kid in enumerate(kids):
                    rows: list[Keyed] = []
                    head = kid.head
                    while head is not None and head[0][0] < key:
                        yield Orphan(t + 1, head[0][0], head[1], head[2])
                        kid.advance()
                        head = kid.head
                    while head is not None and head[0][0] == key:
                        rows.append(head)
                        kid.advance()
                        head = kid.head
                    if rows and ordered[t]:
                        _check_positions(t + 1, rows, problems)
                    children.append(rows)
                yield Group(key, line, cells, children, problems)
                previous, previous_line = key, line
            for t, kid in enumerate(kids):
                while kid.head is not None:
                    head = kid.head
                    yield Orphan(t + 1, head[0][0], head[1], head[2])
                    kid.advance()
        finally:
            self.close()

    # -- reading records -----------------------------------------------------------------

    def record(self, group: Group) -> Record:
        """The record of a group; `RowProblems` when it does not read."""
        if group.problems:
            raise RowProblems(group.problems)
        return self.codec.record(group.cells, group.child_cells())

    def problems(self, group: Group, error: RowProblems) -> list[Problem]:
        """The problems of a group as `Problem` s at ``file:line:column name``."""
        out = []
        for p in error.problems:
            table, line = p.table, group.line
            if table:
                rows = group.children[table - 1]
                n = p.row if p.row is not None else 0
                if n < len(rows):
                    line = rows[n][1]
                else:
                    table = 0
            out.append(
                Problem(self.where(table, line, p.column if table == p.table else None), p.message)
            )
        return out

    def overflows(self, group: Group) -> list[Problem]:
        """Problems for cells beyond the header on any row of a group."""
        found = []
        if any(self._overflow):
            lines = [(0, group.line)] + [
                (t, row[1]) for t, rows in enumerate(group.children, 1) for row in rows
            ]
            for table, line in lines:
                problem = self.overflow(table, line)
                if problem is not None:
                    found.append(problem)
        return found

    def where(self, table: int, line: int, column: int | None = None) -> str:
        """``file:line:column name`` (``file:line`` without a column)."""
        file = self.files[table]
        codec = self.codec.tables[table]
        name = file.name if file is not None else self._name(codec.table.file_name)
        if column is None:
            return f"{name}:{line}"
        number = file.column_number(column) if file is not None else None
        heading = codec.columns[column].name
        if number is None:
            return f"{name}:{line} {heading}"
        return f"{name}:{line}:{number} {heading}"

    def entry_problems(self, entry: Duplicate | Orphan) -> tuple[str, list[Problem]]:
        """(where, problems) of a row that belongs to no record."""
        if isinstance(entry, Duplicate):
            where = self.where(0, entry.line)
            return where, [
                Problem(
                    self.where(0, entry.line, 0),
                    f"id {quote_value(entry.id)} is already the id of the row at line "
                    f"{entry.first_line}",
                )
            ]
        where = self.where(entry.table, entry.line)
        return where, [
            Problem(
                self.where(entry.table, entry.line, 0),
                f"no {self.codec.kind} {quote_value(entry.owner)} in "
                f"{self.codec.schema.main.file_name} for this row",
            )
        ]

    def overflow(self, table: int, line: int) -> Problem | None:
        """A problem for cells beyond the header on a row, if it has any."""
        file = self.files[table]
        if file is None or line not in file.overflow:
            return None
        name = file.name
        return Problem(
            f"{name}:{line}:{file.overflow[line]}",
            "holds a value in a column without a heading (add the heading or empty the cell)",
        )


def _check_positions(table: int, rows: list[Keyed], problems: list[CellProblem]) -> None:
    previous = 0
    for n, (key, _line, _cells) in enumerate(rows):
        position = key[1]
        if position < 1:
            problems.append(CellProblem(table, n, 1, "is not a position (1, 2, 3 …)"))
        elif position == previous:
            problems.append(CellProblem(table, n, 1, f"position {position} appears twice"))
        previous = position


def _checked(check: TableFile, file: TableFile) -> Iterator[Keyed]:
    """A file's rows in key order: as they are when they are in order, else sorted."""
    if is_sorted(check):
        yield from keyed_rows(file)
    else:
        yield from sorted_rows(file)
