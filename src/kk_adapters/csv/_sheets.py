"""A partner's sheet read row by row, from a CSV file or an Excel workbook (``.xlsx``).

Both give the header (the names in the header row) and then, for each row below it,
its number in the sheet (the line of a CSV file, the row number Excel shows) and its
cells as text. Excel cells that hold a date become ISO text (``2025-02-13``); a whole
number typed in a cell (``12``, stored by Excel as 12.0) becomes ``12``; a flag
``true``/``false``. Columns are named as the program that shows the sheet names them:
by number in a CSV file, by letter in a workbook (``C``, ``AA``).

Workbooks are read with openpyxl in its read-only mode, which streams the rows: install
it with ``pip install 'kelompok-konstituen[excel]'``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from kk_adapters.csv._files import CsvText, FileError
from kk_core.errors import StorageError, quote_value

__all__ = ["Sheet", "column_letter", "open_sheet"]

_EXCEL_EXTRA = "pip install 'kelompok-konstituen[excel]'"
_WORKBOOKS = (".xlsx", ".xlsm")


def column_letter(number: int) -> str:
    """Excel's name of a column: 1 → ``A``, 27 → ``AA``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Sheet:
    """Rows of one sheet; ``where(row, column)`` names a cell as ``file:row:column``."""

    def __init__(self, name: str, header: list[str], rows: Iterator[tuple[int, list[str]]]):
        self.name = name
        self.header = header
        self._rows = rows
        self.letters = False

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return self._rows

    def column(self, number: int) -> str:
        """How the program showing the sheet names the 1-based column ``number``."""
        return column_letter(number) if self.letters else str(number)

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()


def open_sheet(
    path: str | os.PathLike[str], *, sheet: str | None = None, header_row: int = 1
) -> Sheet:
    """The sheet of a CSV file or a workbook (``sheet`` names the worksheet; the first
    one by default), with its header taken from row ``header_row``."""
    source = Path(path)
    shown = quote_value(str(source), limit=160)
    if not source.is_file():
        raise StorageError(f"{shown} is not a file")
    if source.suffix.lower() in _WORKBOOKS:
        return _workbook(source, sheet, header_row)
    try:
        text = CsvText(source)
    except FileError as exc:
        raise StorageError(str(exc)) from None
    except OSError as exc:
        raise StorageError(f"cannot read {shown}: {exc.strerror or exc}") from None
    header = text.header
    rows = _csv_rows(text)
    for _ in range(header_row - 1):  # the header is further down: the rows above it go
        found = next(rows, None)
        header = [] if found is None else [cell.strip() for cell in found[1]]
    return Sheet(text.name, header, rows)


def _csv_rows(text: CsvText) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from text.rows()
    except FileError as exc:
        raise StorageError(str(exc)) from None


def _workbook(source: Path, sheet: str | None, header_row: int) -> Sheet:
    shown = quote_value(str(source), limit=160)
    try:
        import openpyxl
    except ImportError:
        raise StorageError(
            f"reading {shown} needs the 'openpyxl' package, which is not installed: {_EXCEL_EXTRA}"
        ) from None
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors)
        reason = type(exc).__name__
        raise StorageError(
            f"{shown} is not an Excel workbook that can be read ({reason})"
        ) from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            names = ", ".join(repr(n) for n in book.sheetnames)
            raise StorageError(f"{shown} has no sheet {quote_value(sheet)}; its sheets: {names}")
        rows = _workbook_rows(book, worksheet)
        header: list[str] = []
        for _ in range(header_row):
            found = next(rows, None)
            header = [] if found is None else [cell.strip() for cell in found[1]]
    except BaseException:
        book.close()
        raise
    name = f"{source.name}[{worksheet.title}]"
    result = Sheet(name, header, rows)
    result.letters = True
    return result


def _workbook_rows(book: Any, worksheet: Any) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
            yield number, [_text(value) for value in values]
    finally:
        with contextlib.suppress(Exception):
            book.close()


def _text(value: Any) -> str:
    """An Excel cell's value as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)
