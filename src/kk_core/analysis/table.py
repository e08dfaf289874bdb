"""`Table`: a labelled, complete, safe table of counts (or other measures), ready to
publish as Markdown, CSV (opens in Excel), HTML, or a pandas DataFrame.

Rows are in code-list order with every value of the grid present, zeros included;
hamlets and villages show their names. A count table carries every total; what is
hidden, and why, is in ``metadata`` and in the notes under the table.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from kk_core.analysis.labels import TOTAL

__all__ = ["Axis", "Cell", "Table", "neutralise"]


@attrs.frozen
class Axis:
    """One dimension of a table: its name, its title and its values with their labels,
    in order (``labels[i]`` is ``(Indonesian, English)`` of ``values[i]``)."""

    name: str
    title: tuple[str, str]
    values: tuple[Any, ...]
    labels: tuple[tuple[str, str], ...]

    def __attrs_post_init__(self) -> None:
        if len(self.values) != len(self.labels):
            raise ValueError("an axis has one label per value")

    def __len__(self) -> int:
        return len(self.values)

    def label(self, index: int, lang: str) -> str:
        """The label of value ``index``; ``len(self)`` is the total."""
        if index == len(self.values):
            return TOTAL[lang]
        return self.labels[index][1 if lang == "en" else 0]

    def heading(self, lang: str) -> str:
        return self.title[1 if lang == "en" else 0]


@attrs.frozen
class Cell:
    """What a table shows in a cell: the text (``"12"``, ``"<5"``, ``"x"``) and the
    number it stands for, None when hidden."""

    shown: str
    value: int | float | None


def neutralise(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: text starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe
    (a negative number stays a number)."""
    if text and text[0] in "=+-@\t\r":
        if text[0] in "+-" and text[1:].replace(".", "", 1).isdigit():
            return text
        return "'" + text
    return text


@attrs.frozen
class Table:
    """A table of one measure by one or two row dimensions and at most one column
    dimension.

    ``cells`` maps an index per axis (rows, then the column) to a `Cell`; with
    ``totals``, index ``len(axis)`` of an axis is its total. ``notes`` are sentences
    ``(Indonesian, English)`` printed under the table (what was suppressed, merged,
    counted in each); ``metadata`` records the same for programs.
    """

    title: tuple[str, str]
    rows: tuple[Axis, ...]
    columns: Axis | None
    cells: Mapping[tuple[int, ...], Cell] = attrs.field(repr=False)
    totals: bool
    measure: tuple[str, str] = ("Jumlah", "Number")
    notes: tuple[tuple[str, str], ...] = ()
    metadata: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    def __attrs_post_init__(self) -> None:
        if not 1 <= len(self.rows) <= 2:
            raise ValueError("a table has one or two row dimensions")

    # -- reading ------------------------------------------------------------------------

    @property
    def axes(self) -> tuple[Axis, ...]:
        return (*self.rows, self.columns) if self.columns is not None else self.rows

    def _index(self, axis: Axis, value: Any) -> int:
        if value is TOTAL or value == "total":
            if not self.totals:
                raise KeyError("this table has no totals")
            return len(axis)
        try:
            return axis.values.index(value)
        except ValueError:
            raise KeyError(f"{value!r} is no value of {axis.name}") from None

    def cell(self, *values: Any) -> Cell:
        """The cell at one value per axis (rows, then the column); ``"total"`` for a total."""
        if len(values) != len(self.axes):
            raise KeyError(f"give one value for each of {', '.join(a.name for a in self.axes)}")
        index = tuple(self._index(a, v) for a, v in zip(self.axes, values, strict=True))
        return self.cells[index]

    def value(self, *values: Any) -> int | float | None:
        """The published number of a cell; None when it is hidden."""
        return self.cell(*values).value

    def shown(self, *values: Any) -> str:
        return self.cell(*values).shown

    # -- the grid as lines of text --------------------------------------------------------

    def _span(self, axis: Axis) -> range:
        return range(len(axis) + 1) if self.totals else range(len(axis))

    def _row_keys(self) -> Iterator[tuple[int, ...]]:
        yield from itertools.product(*(self._span(a) for a in self.rows))

    def _column_keys(self) -> list[tuple[int, ...]]:
        return [(i,) for i in self._span(self.columns)] if self.columns is not None else [()]

    def grid(self, lang: str = "id") -> list[list[str]]:
        """The table as rows of text: the header first (row titles, then the column
        labels), then one line per row, a repeated outer row label left blank."""
        header = [a.heading(lang) for a in self.rows]
        if self.columns is None:
            header.append(self.measure[1 if lang == "en" else 0])
        else:
            header += [self.columns.label(i, lang) for i in self._span(self.columns)]
        lines = [header]
        previous: int | None = None
        for key in self._row_keys():
            labels = [axis.label(i, lang) for axis, i in zip(self.rows, key, strict=True)]
            if len(key) == 2:
                if key[0] == previous:
                    labels[0] = ""
                previous = key[0]
            lines.append(labels + [self.cells[key + c].shown for c in self._column_keys()])
        return lines

    def _notes(self, lang: str) -> list[str]:
        return [note[1 if lang == "en" else 0] for note in self.notes]

    # -- output -------------------------------------------------------------------------

    def to_markdown(self, lang: str = "id", *, title: bool = True) -> str:
        """A Markdown table with its title and notes."""
        lines = self.grid(lang)
        width = len(lines[0])
        escape = [[c.replace("|", "\\|") for c in line] for line in lines]
        out = []
        if title:
            out += [f"**{self.title[1 if lang == 'en' else 0]}**", ""]
        out.append("| " + " | ".join(escape[0]) + " |")
        aligns = ["---"] * len(self.rows) + ["---:"] * (width - len(self.rows))
        out.append("| " + " | ".join(aligns) + " |")
        out += ["| " + " | ".join(line) + " |" for line in escape[1:]]
        notes = self._notes(lang)
        if notes:
            out.append("")
            out += [f"*{note}*" for note in notes]
        return "\n".join(out) + "\n"

    def to_csv(
        self, lang: str = "id", *, excel: bool = True, delimiter: str = ",", notes: bool = True
    ) -> str:
        """CSV text: the grid, then the notes (one row each; ``notes=False`` leaves them
        out, for a table that pandas or a database reads: give the notes another way).
        ``excel`` starts it with a byte-order mark so Excel reads UTF-8 (write it with
        ``encoding="utf-8"``); give ``delimiter=";"`` where Excel's list separator is a
        semicolon (Indonesian locale). Cells that a spreadsheet would run as a formula
        are neutralised."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        for line in self.grid(lang):
            writer.writerow([neutralise(c) for c in line])
        for note in self._notes(lang) if notes else ():
            writer.writerow([neutralise(note)])
        return ("\ufeff" if excel else "") + buffer.getvalue()

    def to_html(self, lang: str = "id", *, title: bool = True) -> str:
        """An HTML ``<table>`` (with a caption and the notes under it); text escaped."""
        lines = self.grid(lang)
        esc = html.escape
        out = ['<table class="kk-table">']
        if title:
            out.append(f"<caption>{esc(self.title[1 if lang == 'en' else 0])}</caption>")
        out.append(
            "<thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in lines[0]) + "</tr></thead>"
        )
        out.append("<tbody>")
        n_rows = len(self.rows)
        for line, key in zip(lines[1:], self._row_keys(), strict=True):
            total = any(i == len(a) for a, i in zip(self.rows, key, strict=True))
            cls = ' class="total"' if total else ""
            heads = "".join(f"<th>{esc(c)}</th>" for c in line[:n_rows])
            data = "".join(f'<td class="{_cell_class(c)}">{esc(c)}</td>' for c in line[n_rows:])
            out.append(f"<tr{cls}>{heads}{data}</tr>")
        out.append("</tbody></table>")
        notes = self._notes(lang)
        if notes:
            out.append('<p class="kk-notes">' + "<br>".join(esc(n) for n in notes) + "</p>")
        return "\n".join(out)

    def to_pandas(self, lang: str = "id", *, shown: bool = False) -> Any:
        """A pandas DataFrame (needs the ``analysis`` extra): rows indexed by their
        labels (a MultiIndex for two row dimensions), one column per column value and
        the total; numbers as nullable integers (or floats), hidden cells missing —
        or, with ``shown=True``, the text of each cell. ``df.attrs`` holds the title,
        the notes and the metadata."""
        try:
            import pandas as pd  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            from kk_core.errors import KKError

            raise KKError(
                "Table.to_pandas needs pandas: pip install 'kelompok-konstituen[analysis]'"
            ) from None
        lines = self.grid(lang)
        keys = list(self._row_keys())
        index_tuples = [
            tuple(axis.label(i, lang) for axis, i in zip(self.rows, key, strict=True))
            for key in keys
        ]
        names = [a.heading(lang) for a in self.rows]
        index = (
            pd.MultiIndex.from_tuples(index_tuples, names=names)
            if len(self.rows) == 2
            else pd.Index([t[0] for t in index_tuples], name=names[0])
        )
        columns = lines[0][len(self.rows) :]
        if shown:
            data: Sequence[Sequence[Any]] = [line[len(self.rows) :] for line in lines[1:]]
            frame = pd.DataFrame(data, index=index, columns=columns)
        else:
            data = [[self.cells[key + c].value for c in self._column_keys()] for key in keys]
            frame = pd.DataFrame(data, index=index, columns=columns)
            integral = all(isinstance(c.value, int) or c.value is None for c in self.cells.values())
            frame = frame.astype("Int64" if integral else "Float64")
        frame.attrs.update(
            title=self.title[1 if lang == "en" else 0],
            notes=self._notes(lang),
            metadata=dict(self.metadata),
        )
        return frame


def _cell_class(text: str) -> str:
    if text == "x":
        return "hidden"
    if text.startswith(("<", "n<")):
        return "small"
    return "n"
