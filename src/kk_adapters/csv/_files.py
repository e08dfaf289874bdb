"""Reading CSV files as people save them, a row at a time.

* **Encoding**: UTF-8, with or without the byte-order mark Excel writes ("CSV UTF-8").
  Other encodings are refused with the line where the text stops being UTF-8.
* **Delimiter**: ``,``, ``;`` (Excel in the Indonesian locale, where ``,`` is the
  decimal mark) or a tab, detected from the header line; a ``sep=;`` line first, as
  Excel and LibreOffice may write, declares it.
* **Header**: names trimmed; an unknown name (a typo would lose its column) or a
  repeated one is an error, and so is a missing column that the schema needs; the
  order of the columns is free. A column left out reads as its field's default.
* **Rows**: wholly blank rows are skipped (spreadsheets leave them at the end); a row
  may stop short (the missing cells are empty); cells beyond the header must be empty.
  Line numbers are the line a row starts on, counting the header as line 1, so that a
  cell with a line break inside does not shift them.

Rows come out in the file's order, or sorted by their key (`sorted_rows`): the
store's own files are sorted already, a file sorted by hand in a spreadsheet is sorted
again through temporary files, so memory stays flat however large it is.
"""

from __future__ import annotations

import contextlib
import csv
import heapq
import itertools
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from kk_adapters.csv._codec import TableCodec
from kk_adapters.csv.cells import escape_text, unescape_text
from kk_adapters.csv.schema import NO_DEFAULT, Cell, Column
from kk_core.errors import Problem, quote_value
from kk_core.values import MAX_TEXT_LENGTH

__all__ = ["FileError", "HeaderError", "TableFile", "detect_delimiter", "sorted_rows"]

# A text of MAX_TEXT_LENGTH characters is one cell; the csv module's default limit is
# 131,072 characters. Only ever raised, never lowered (the limit is process-wide).
if csv.field_size_limit() < 2 * MAX_TEXT_LENGTH + 16:
    csv.field_size_limit(2 * MAX_TEXT_LENGTH + 16)

_DELIMITERS = (",", ";", "\t")


class FileError(Exception):
    """A file that cannot be read on: ``where`` is ``file:line``."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class HeaderError(Exception):
    """The header of a file does not fit its table; every problem is listed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


def detect_delimiter(line: str) -> str:
    """The delimiter of a header line: the one of ``,``, ``;`` and tab that splits it
    into the most names (``,`` when none does)."""
    best, most = ",", 1
    for delimiter in _DELIMITERS:
        try:
            found = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(found) > most:
            best, most = delimiter, len(found)
    return best


def _missing_cell(column: Column) -> str:
    """What a column left out of a file reads as: its field's default (empty inside an
    optional part, where a filled cell would make the part present)."""
    if column.under_optional or column.default is NO_DEFAULT or column.default is None:
        return ""
    default = column.default
    if column.cell is Cell.CODES:
        return "; ".join(default)
    if column.cell is Cell.BOOL:
        return "true" if default else "false"
    if column.cell is Cell.TEXT:
        return escape_text(default)
    return str(default)


class CsvText:
    """A CSV file opened as people save it (see the module): UTF-8 with or without a
    BOM, the delimiter detected, each row with the line it starts on."""

    def __init__(self, path: Path, name: str | None = None) -> None:
        self.path = path
        #: How messages name the file.
        self.name = name if name is not None else path.name
        self._handle: IO[bytes] | None = None
        self._physical = 0
        try:
            self._handle = path.open("rb")
            first = self._readline()
            sep_line = first.strip().lower()
            if sep_line.startswith("sep=") and len(sep_line) == 5:
                self.delimiter = first.strip()[4]
                first = self._readline()
            else:
                self.delimiter = detect_delimiter(first)
            #: The physical line the header starts on (2 after a ``sep=`` line).
            self.header_line = self._physical
            self._base = self._physical - 1
            self._reader = csv.reader(
                itertools.chain([first], self._lines()), delimiter=self.delimiter
            )
            #: The first row, each name trimmed.
            self.header = [name.strip() for name in next(self._reader, [])]
        except BaseException:
            self.close()
            raise

    def _readline(self) -> str:
        """The next physical line, decoded (the BOM dropped from the first)."""
        assert self._handle is not None
        raw = self._handle.readline()
        self._physical += 1
        if self._physical == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        raise FileError(f"{self.name}:{self._physical}", _NOT_UTF8)

    def _lines(self) -> Iterator[str]:
        # read as bytes and split at b"\n" only: a lone CR inside a quoted cell stays in
        # its line, and a line that is not UTF-8 is named by its number
        assert self._handle is not None
        for raw in self._handle:
            self._physical += 1
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = None
            if line is None:
                raise FileError(f"{self.name}:{self._physical}", _NOT_UTF8)
            yield line

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line the row starts on, its cells) for each row after the header."""
        reader = self._reader
        base = self._base
        try:
            previous = reader.line_num
            for cells in reader:
                yield previous + 1 + base, cells
                previous = reader.line_num
        except csv.Error as exc:
            raise FileError(
                f"{self.name}:{reader.line_num + base}", f"is not a well-formed CSV file ({exc})"
            ) from None
        finally:
            self.close()

    def stat(self) -> tuple[int, int] | None:
        """(size, modification time in ns) of the open file."""
        if self._handle is None:
            return None
        info = os.fstat(self._handle.fileno())
        return info.st_size, info.st_mtime_ns

    def close(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None


class TableFile:
    """One open CSV file of a table, read as rows in the table's column order."""

    def __init__(self, path: Path, codec: TableCodec, name: str | None = None) -> None:
        self.path = path
        self.codec = codec
        self.text = CsvText(path, name)
        #: How messages name the file (its name in the store's folder, or the path given).
        self.name = self.text.name
        self.header = self.text.header
        self._header_line = self.text.header_line
        #: Lines whose row has a filled cell beyond the header: line → its column number.
        self.overflow: dict[int, int] = {}
        self._check_header()

    def stat(self) -> tuple[int, int] | None:
        return self.text.stat()

    def close(self) -> None:
        self.text.close()

    def __enter__(self) -> TableFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the header ----------------------------------------------------------------------

    def _check_header(self) -> None:
        columns = self.codec.columns
        self.empty = not any(self.header)
        if self.empty:  # a file with nothing in it, not even a header: no rows
            self.header = []
        known = {c.name: i for i, c in enumerate(columns)}
        where = f"{self.name}:{self._header_line}"
        problems: list[Problem] = []
        seen: dict[str, int] = {}
        positions: list[int | None] = [None] * len(columns)
        for number, name in enumerate(self.header, 1):
            if not name:
                continue  # an unnamed column: its cells must be empty (checked per row)
            if name in seen:
                problems.append(
                    Problem(
                        f"{where}:{number}",
                        f"column {quote_value(name)} appears twice (also column {seen[name]})",
                    )
                )
                continue
            seen[name] = number
            index = known.get(name)
            if index is None:
                problems.append(
                    Problem(
                        f"{where}:{number}",
                        f"unknown column {quote_value(name)}{_hint(name, known)}",
                    )
                )
                continue
            positions[index] = number - 1
        missing = [
            c.name
            for c, p in zip(columns, positions, strict=True)
            if p is None and c.in_header and not self.empty
        ]
        if missing:
            problems.append(
                Problem(where, f"missing column(s): {', '.join(missing)} (the table needs them)")
            )
        if problems:
            self.close()
            raise HeaderError(problems)
        self.positions = positions
        width = len(self.header)
        self._width = width
        self._canonical = positions == list(range(len(columns))) and width == len(columns)
        self._fills = [_missing_cell(c) for c in columns]
        self._named = [bool(n) for n in self.header]
        self._unnamed = not all(self._named)

    def column_number(self, index: int) -> int | None:
        """The 1-based column of the file holding the table's column ``index``."""
        position = self.positions[index]
        return None if position is None else position + 1

    # -- rows ----------------------------------------------------------------------------

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells in the table's column order) of each row that is not blank."""
        for _key, line, cells in self.keyed(_no_key):
            yield line, cells

    def keyed(self, key: Any) -> Iterator[Keyed]:
        """(``key(cells)``, line, cells) of each row `rows` gives: one pass, no second
        generator between the file and the join (this is every row the store reads)."""
        if self.empty:
            self.close()
            return
        canonical = self._canonical
        width = len(self.codec.columns)
        positions = self.positions
        fills = self._fills
        file_width = self._width
        for line, cells in self.text.rows():
            n = len(cells)
            if canonical and n == width and cells[0]:
                yield key(cells), line, cells
                continue
            if not any(c.strip() for c in cells):
                continue
            if n > file_width or self._unnamed:
                self._note_overflow(line, cells)
            row = [
                cells[p] if p is not None and p < n else fills[i] for i, p in enumerate(positions)
            ]
            yield key(row), line, row

    def _note_overflow(self, line: int, cells: list[str]) -> None:
        for number, cell in enumerate(cells, 1):
            outside = number > self._width or not self._named[number - 1]
            if outside and cell.strip():
                self.overflow[line] = number
                return


_NOT_UTF8 = (
    "is not UTF-8 text; save the file as 'CSV UTF-8' (Excel) or with the character "
    "set 'Unicode (UTF-8)' (LibreOffice)"
)


def _hint(name: str, known: dict[str, int]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


#: A row with its sort key: (key, line, cells).
Keyed = tuple[Any, int, list[str]]


def _key_of(codec: TableCodec) -> Any:
    """The function giving a row's sort key: the id for a main table; the owner and
    the position (a list) or the value (a set) for a child table."""
    if codec.table.is_main:
        return lambda cells: unescape_text(cells[0])
    if codec.table.ordered:

        def ordered(cells: list[str]) -> tuple[str, int]:
            text = cells[1].strip()
            position = int(text) if text.isdigit() and text.isascii() and len(text) < 12 else -1
            return unescape_text(cells[0]), position

        return ordered
    return lambda cells: (unescape_text(cells[0]), cells[1])


def keyed_rows(file: TableFile) -> Iterator[Keyed]:
    """A file's rows with their sort keys (`Keyed`), in file order."""
    return file.keyed(_key_of(file.codec))


def _no_key(cells: list[str]) -> None:
    return None


def is_sorted(file: TableFile) -> bool:
    """Whether a file's rows are in key order (read to the end, then closed)."""
    previous: Any = None
    for key, _line, _cells in keyed_rows(file):
        if previous is not None and key < previous:
            file.close()
            return False
        previous = key
    return True


#: Rows per sorted run when a file must be sorted on disk.
RUN_SIZE = 50_000


def sorted_rows(file: TableFile, run_size: int = RUN_SIZE) -> Iterator[Keyed]:
    """A file's rows in key order (then line order), holding at most ``run_size`` rows
    in memory: sorted runs are spilled to temporary files and merged."""
    runs: list[IO[bytes]] = []
    try:
        rows = keyed_rows(file)
        while chunk := list(itertools.islice(rows, run_size)):
            chunk.sort(key=_sort_key)
            if not runs and len(chunk) < run_size:
                yield from chunk  # it all fitted in one run: no need for the disk
                return
            run: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finally
            pickler = pickle.Pickler(run, protocol=pickle.HIGHEST_PROTOCOL)
            for row in chunk:
                pickler.dump(row)
                pickler.clear_memo()
            run.seek(0)
            runs.append(run)
            del chunk
        yield from heapq.merge(*(_replay(run) for run in runs), key=_sort_key)
    finally:
        for run in runs:
            with contextlib.suppress(OSError):
                run.close()


def _sort_key(row: Keyed) -> tuple[Any, int]:
    return row[0], row[1]


def _replay(run: IO[bytes]) -> Iterator[Keyed]:
    unpickler = pickle.Unpickler(run)
    while True:
        try:
            yield unpickler.load()
        except EOFError:
            return


def fsync_directory(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; Windows has no directory handles)."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
