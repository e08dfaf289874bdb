"""Codes from what people write in a cell: the code itself, or a label in Indonesian or
English (any case, accents and separators folded: ``Perkawinan Anak``,
``perkawinan-anak``), or another name the list knows (``JKN-KIS``).

Open lists are read as the installed plugins extended them, and also keep a code they
do not list when it is shaped like a code and close to none of theirs (a local code of
a plugin not installed here); a near miss (``housold``) is a typo and an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kk_adapters.csv.cells import split_codes
from kk_core._coded import Coded, CodeList
from kk_core.codes import CODE_LISTS
from kk_core.errors import CodeError, quote_value

__all__ = ["CodeReader", "code_reader"]

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,199}$")


class CodeReader:
    """Reads cells as codes of one list (by code, label or other name)."""

    def __init__(self, code_list: CodeList[Coded]) -> None:
        self.list = code_list
        self.codes = frozenset(code_list.codes)
        self.open = code_list.extensible
        self._seen: dict[str, str] = {}
        self._cells: dict[str, list[str]] = {}

    def code(self, text: str) -> str:
        """The code ``text`` names; `ValueError` with suggestions when it names none."""
        text = text.strip()
        if text in self.codes:
            return text
        found = self._seen.get(text)
        if found is not None:
            return found
        code = self._lookup(text)
        if len(self._seen) < 10_000:
            self._seen[text] = code
        return code

    def _lookup(self, text: str) -> str:
        hint: list[str] = []
        try:
            return self.list.lookup(text).code
        except CodeError as exc:
            hint = list(exc.suggestions)
        if self.open and not hint and _CODE.match(text):
            return text  # a local code this installation does not list
        more = f"; did you mean {', '.join(repr(s) for s in hint)}?" if hint else ""
        raise ValueError(f"{quote_value(text)} is not a code or label of {self.list.name}{more}")

    def set_cell(self, cell: str) -> list[str]:
        """The codes of a set cell (`split_codes`, then `codes_of`), a new list each time;
        the few cells a column holds (``physical; sexual``) are read once (bounded)."""
        found = self._cells.get(cell)
        if found is None:
            found = self.codes_of(split_codes(cell))
            if len(self._cells) < 10_000:
                self._cells[cell] = found
        return found.copy()

    def codes_of(self, items: list[str]) -> list[str]:
        """Codes of the items of a set cell; an item that names nothing but holds commas
        is read as a comma-separated list (``fisik, psikis``)."""
        out: list[str] = []
        for item in items:
            if item in self.codes:
                out.append(item)
                continue
            try:
                out.append(self.code(item))
            except ValueError:
                if "," not in item:
                    raise
                parts = [p.strip() for p in item.split(",") if p.strip()]
                out.extend(self.code(p) for p in parts)
        return out


def _lists() -> Mapping[str, CodeList[Coded]]:
    from kk_core.plugins import get_plugins

    return get_plugins().code_lists


_READERS: dict[tuple[str, int], CodeReader] = {}


def code_reader(name: str) -> CodeReader:
    """The reader for a code list, open lists as the installed plugins extended them."""
    listed = CODE_LISTS[name]
    code_list = _lists().get(name, listed) if listed.extensible else listed
    key = (name, id(code_list))
    reader = _READERS.get(key)
    if reader is None:
        if len(_READERS) > 256:
            _READERS.clear()
        reader = _READERS[key] = CodeReader(code_list)
    return reader
