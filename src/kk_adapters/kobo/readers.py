"""Reading submissions from files: API JSON dumps and KoboToolbox's CSV and XLSX exports.

Every reader yields *raw* submissions in the shape the API v2 data endpoint gives them
(answers as text keyed by path, ``group/field``; a repeat as a list of entries keyed by
full paths), so that typing (`kk_adapters.kobo.submissions`) and mapping work the same
whatever the source.

* **JSON** (`read_json`): a list of submissions, an API page (``{"count", "next",
  "previous", "results"}``), the bundle `KoboClient.save_export` writes (``{"asset":
  …, "results": […]}``), or JSON lines (``.jsonl``, one submission a line). Read as a
  stream: memory does not grow with the file.
* **CSV** (`read_csv`): KoboToolbox's CSV export (formpack ``Export.to_csv``): every
  cell quoted, ``;`` between cells (``,`` is recognised too), a header row of XML names
  or labels (with or without the groups, joined by ``/``), then optionally the HXL row
  (``#affected``…). A CSV export has the main sheet only: no repeats.
* **XLSX** (`read_xlsx`, needs the ``excel`` extra: openpyxl): one sheet per section —
  the main one first, then one per repeat (named after it, cut to Excel's 31
  characters) — joined by ``_index`` and ``_parent_index`` (formpack
  ``Export.format_one_submission``); cells typed or as text.

Headers are matched to the form's questions through its schema: the full path, the
bare name, or a label in any translation (alone or after its groups' labels). A
select_multiple exported "both" ways also has one column per choice
(``forms/physical``, 1 or 0), used when the summary column is missing or holds labels
with spaces; the extra geopoint columns (``_location_latitude``…) are skipped. A label
export's choice labels are read back into choice names. Columns the form does not know
are kept under their header, never dropped; two questions answering to one header is
an error naming both.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

import attrs

from kk_adapters.kobo.schema import FormSchema, Question, SchemaSet
from kk_core.errors import Problem, StorageError, ValidationError, quote_value

__all__ = ["JsonDump", "read_csv", "read_json", "read_submissions", "read_xlsx"]

_WS = re.compile(r"[ \t\n\r]*")
_CHUNK = 1 << 20
#: The largest single JSON value read (one submission, or the asset of a bundle).
_MAX_VALUE = 256 << 20


class _JsonStream:
    """Decodes JSON values one at a time from a text file, with a bounded buffer."""

    def __init__(self, file: IO[str], name: str) -> None:
        self._file = file
        self._name = name
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines_before = 0  # newlines in text dropped from the buffer
        # newlines counted so far in the buffer, up to ``_counted_to`` (each character
        # is counted once: ``where`` for every submission stays linear in the file)
        self._counted = 0
        self._counted_to = 0
        self._decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._file.read(_CHUNK)
        if not data:
            self._eof = True
            return False
        self._lines_before += self._lines_to(self._pos)
        self._buf = self._buf[self._pos :] + data
        self._pos = 0
        self._counted = self._counted_to = 0
        return True

    def _lines_to(self, at: int) -> int:
        """Newlines in the buffer before ``at``."""
        if at < self._counted_to:
            return self._buf.count("\n", 0, at)
        self._counted += self._buf.count("\n", self._counted_to, at)
        self._counted_to = at
        return self._counted

    def where(self, pos: int | None = None) -> str:
        at = self._pos if pos is None else pos
        line = self._lines_before + self._lines_to(at) + 1
        start = self._buf.rfind("\n", 0, at) + 1
        return f"{self._name}:{line}:{at - start + 1}"

    def where_unless_object(self) -> str | None:
        """`where` the next value starts, unless it is an object (``{``: one JSON object
        or a decoding error naming its own place), which is all a submission needs."""
        return None if self.peek() == "{" else self.where()

    def peek(self) -> str:
        while True:
            self._pos = _WS.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def expect(self, chars: str, what: str) -> str:
        found = self.peek()
        if not found or found not in chars:
            got = "the end of the file" if not found else quote_value(found)
            raise ValidationError(
                [Problem(self.where(), f"expected {what}, found {got}")], subject="JSON file"
            )
        self._pos += 1
        return found

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                failure: json.JSONDecodeError | None = exc
            else:
                failure = None
                if end < len(self._buf) or self._eof:
                    self._pos = end
                    return value
            # a value cut by the buffer's end: read on (a bad one fails at the end of file)
            if len(self._buf) - self._pos > _MAX_VALUE or not self._fill():
                if failure is None:
                    self._pos = end
                    return value
                raise ValidationError(
                    [Problem(self.where(failure.pos), f"not valid JSON: {failure.msg}")],
                    subject="JSON file",
                ) from None


@attrs.define
class JsonDump:
    """What `read_json` found besides the submissions: the other top-level keys of an
    object file (``count`` of an API page; ``asset`` of a `KoboClient.save_export`
    bundle), filled in as the file is read."""

    header: dict[str, Any] = attrs.field(factory=dict)


def read_json(
    path: str | Path, *, dump: JsonDump | None = None, encoding: str = "utf-8"
) -> Generator[dict[str, Any], None, None]:
    """Stream the submissions of a JSON file (see the module docstring for the shapes).

    ``dump``, when given, collects the file's other top-level keys. A file that is not
    one of these shapes, or not JSON, is a `ValidationError` naming the line and column.
    """
    source = Path(path)
    lines = source.suffix.lower() in (".jsonl", ".ndjson")
    try:
        file = source.open(encoding=encoding, newline="")
    except OSError as exc:
        raise StorageError(f"cannot read {source.name}: {exc.strerror}") from None
    with file:
        stream = _JsonStream(file, source.name)
        if lines:
            yield from _json_lines(stream)
            return
        first = stream.peek()
        if first == "[":
            yield from _json_array(stream)
        elif first == "{":
            yield from _json_object(stream, dump if dump is not None else JsonDump())
        else:
            stream.expect("[{", "a list of submissions or an object with 'results'")
        if stream.peek():
            stream.expect("", "the end of the file after the submissions")


def _submission(value: Any, stream: _JsonStream, pos: str | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(
            [
                Problem(
                    pos or stream.where(),
                    f"a submission is an object, found {type(value).__name__}",
                )
            ],
            subject="JSON file",
        )
    return value


def _json_lines(stream: _JsonStream) -> Iterator[dict[str, Any]]:
    while stream.peek():
        pos = stream.where_unless_object()
        yield _submission(stream.value(), stream, pos)


def _json_array(stream: _JsonStream) -> Iterator[dict[str, Any]]:
    stream.expect("[", "'['")
    if stream.peek() == "]":
        stream.expect("]", "']'")
        return
    while True:
        pos = stream.where_unless_object()
        yield _submission(stream.value(), stream, pos)
        if stream.expect(",]", "',' or ']' between submissions") == "]":
            return


def _json_object(stream: _JsonStream, dump: JsonDump) -> Iterator[dict[str, Any]]:
    stream.expect("{", "'{'")
    found = False
    if stream.peek() != "}":
        while True:
            pos = stream.where()
            key = stream.value()
            if not isinstance(key, str):
                raise ValidationError([Problem(pos, "expected a key")], subject="JSON file")
            stream.expect(":", "':'")
            if key == "results" and stream.peek() == "[":
                found = True
                yield from _json_array(stream)
            else:
                dump.header[key] = stream.value()
            if stream.expect(",}", "',' or '}'") == "}":
                break
    else:
        stream.expect("}", "'}'")
    if not found:
        raise ValidationError(
            [Problem(stream.where(), "an object of submissions holds them in 'results'")],
            subject="JSON file",
        )


# --- exports: header matching ------------------------------------------------------------

#: Columns of an export that are not questions (formpack copy fields and section links).
_EXPORT_META = {
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "meta/rootUuid",
    "meta/instanceID",
    "meta/deprecatedID",
    "rootUuid",
    "instanceID",
    "deprecatedID",
}
_LINKS = {"_index", "_parent_index", "_parent_table_name"}
_GEO_PART = re.compile(r"^_(.+)_(latitude|longitude|altitude|precision)$")


@attrs.frozen
class _Column:
    """What one column of an export holds."""

    index: int
    header: str
    key: str  # the path (or the header itself, for a column the form does not know)
    question: Question | None = None
    choice: str | None = None  # a select_multiple detail column: this choice, 1 or 0
    link: bool = False  # _index, _parent_index, _parent_table_name
    skip: bool = False  # derived (geopoint parts)


class _Headers:
    """Header text → question, for the questions of one section of a form."""

    def __init__(self, schema: FormSchema, section: str | None, group_sep: str) -> None:
        self.schema = schema
        self.group_sep = group_sep
        self._by_header: dict[str, set[str]] = {}
        fields = [q for q in schema.fields() if q.repeat == section]
        for question in fields:
            for header in self._spellings(question):
                self._by_header.setdefault(header, set()).add(question.path)

    def _spellings(self, question: Question) -> set[str]:
        found = {question.path, question.path.replace("/", self.group_sep), question.name}
        ancestors = self._ancestors(question)
        for i, label in enumerate(question.labels):
            if not label:
                continue
            found.add(label)
            chain: list[str] = [_label_or_name(a, i) for a in ancestors]
            found.add(self.group_sep.join([*chain, label]))
        names = [a.name for a in ancestors]
        found.add(self.group_sep.join([*names, question.name]))
        return found

    def _ancestors(self, question: Question) -> list[Question]:
        parts = question.path.split("/")[:-1]
        chain = []
        for i in range(1, len(parts) + 1):
            found = self.schema.question("/".join(parts[:i]))
            if found is not None:
                chain.append(found)
        return chain

    def lookup(self, header: str) -> tuple[str | None, list[str]]:
        """(the path, or None; every path when the header names several)."""
        paths = self._by_header.get(header, set())
        if len(paths) == 1:
            return next(iter(paths)), []
        return None, sorted(paths)

    def choice_of(self, question: Question, text: str) -> str | None:
        """The choice a detail column or a label export's value names (name or label)."""
        choices = self.schema.choice_list(question)
        if choices is None:
            return None
        if text in choices.choices:
            return text
        for name, labels in choices.choices.items():
            if text in labels:
                return name
        return None


def _label_or_name(question: Question, translation: int) -> str:
    labels = question.labels
    label = labels[translation] if translation < len(labels) else None
    return label or question.name


def _columns(
    headers: Sequence[str], lookup: _Headers, where: str, problems: list[Problem]
) -> list[_Column]:
    columns: list[_Column] = []
    for index, raw in enumerate(headers):
        header = raw.strip()
        if not header:
            columns.append(_Column(index, header, "", skip=True))
            continue
        if header in _LINKS:
            columns.append(_Column(index, header, header, link=True))
            continue
        if header in _EXPORT_META:
            key = {"rootUuid": "meta/rootUuid", "instanceID": "meta/instanceID"}.get(header, header)
            columns.append(_Column(index, header, key))
            continue
        if header.startswith("_submission_"):  # a repeat sheet's copy of its submission's
            columns.append(_Column(index, header, header, link=True))
            continue
        path, clash = lookup.lookup(header)
        if clash:
            listed = ", ".join(quote_value(p) for p in clash)
            problems.append(
                Problem(
                    f"{where} column {index + 1}", f"header {quote_value(header)} names {listed}"
                )
            )
            continue
        if path is not None:
            columns.append(_Column(index, header, path, lookup.schema.questions[path]))
            continue
        column = _detail_column(index, header, lookup)
        if column is None and _GEO_PART.match(header):
            column = _Column(index, header, header, skip=True)
        columns.append(column or _Column(index, header, header))
    return columns


def _detail_column(index: int, header: str, lookup: _Headers) -> _Column | None:
    """``forms/physical`` (or ``Bentuk kekerasan/Fisik``): one choice of a select_multiple."""
    cut = header.rfind(lookup.group_sep)
    while cut > 0:
        path, _clash = lookup.lookup(header[:cut])
        if path is not None:
            question = lookup.schema.questions[path]
            if question.kind == "select_multiple":
                rest = header[cut + len(lookup.group_sep) :]
                choice = lookup.choice_of(question, rest)
                if choice is not None or rest == "other":
                    return _Column(index, header, path, question, choice=choice or rest)
        cut = header.rfind(lookup.group_sep, 0, cut)
    return None


def _cell_text(value: Any, question: Question | None) -> str:
    """A cell as the API would give the answer: text (XLSX cells may be typed)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if question is not None and question.kind == "date":
            return value.date().isoformat()
        if question is not None and question.kind == "time":
            return value.time().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _row_values(
    row: Sequence[Any], columns: Sequence[_Column], lookup: _Headers
) -> tuple[dict[str, Any], dict[str, str]]:
    """(the submission's keys → text, the section links) of one export row."""
    values: dict[str, Any] = {}
    links: dict[str, str] = {}
    details: dict[str, list[str]] = {}
    summaries: dict[str, str] = {}
    for column in columns:
        if column.skip or column.index >= len(row):
            continue
        text = _cell_text(row[column.index], column.question).strip()
        if not text:
            continue
        if column.link:
            links[column.key] = text
        elif column.choice is not None:
            if text in ("1", "1.0", "True", "TRUE"):
                details.setdefault(column.key, []).append(column.choice)
            else:
                details.setdefault(column.key, [])
        elif column.question is not None and column.question.kind == "select_multiple":
            summaries[column.key] = text
        elif column.question is not None and column.question.kind == "select_one":
            values[column.key] = lookup.choice_of(column.question, text) or text
        else:
            values[column.key] = text
    for path in {*details, *summaries}:
        question = lookup.schema.questions[path]
        chosen = details.get(path)
        if chosen is not None and (chosen or path not in summaries):
            if chosen:
                values[path] = " ".join(chosen)
            continue
        values[path] = _split_choices(summaries[path], question, lookup)
    return values, links


def _split_choices(text: str, question: Question, lookup: _Headers) -> str:
    """A select_multiple summary cell back to choice names: names as they are, labels
    (which may hold spaces) matched longest first."""
    choices = lookup.schema.choice_list(question)
    words = text.split()
    if choices is None or all(w in choices.choices for w in words):
        return text
    spelled: dict[str, str] = {}
    for name, labels in choices.choices.items():
        spelled[name] = name
        for label in labels:
            if label:
                spelled.setdefault(label.strip(), name)
    found: list[str] = []
    rest = text.strip()
    while rest:
        match = next((s for s in sorted(spelled, key=len, reverse=True) if _starts(rest, s)), None)
        if match is None:
            return text  # left as it is: typing and mapping name the unknown choice
        found.append(spelled[match])
        rest = rest[len(match) :].strip()
    return " ".join(found)


def _starts(text: str, prefix: str) -> bool:
    return text.startswith(prefix) and (len(text) == len(prefix) or text[len(prefix)] == " ")


def _latest(schemas: SchemaSet | FormSchema) -> FormSchema:
    return schemas.merged if isinstance(schemas, SchemaSet) else schemas


def _is_hxl_row(row: Sequence[str]) -> bool:
    cells = [c.strip() for c in row if c and c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def read_csv(
    path: str | Path,
    schemas: SchemaSet | FormSchema,
    *,
    group_sep: str = "/",
    encoding: str = "utf-8-sig",
) -> Iterator[dict[str, Any]]:
    """Stream the submissions of a KoboToolbox CSV export (see the module docstring).

    A header the form cannot place unambiguously, or a file that is not CSV, is a
    `ValidationError` naming the file, line and column.
    """
    source = Path(path)
    schema = _latest(schemas)
    try:
        file = source.open(encoding=encoding, newline="")
    except OSError as exc:
        raise StorageError(f"cannot read {source.name}: {exc.strerror}") from None
    with file:
        first = file.readline()
        delimiter = _delimiter(first)
        reader = csv.reader(_chain([first], file), delimiter=delimiter, quotechar='"', strict=True)
        try:
            headers = next(reader, None)
            if headers is None:
                return
            lookup = _Headers(schema, None, group_sep)
            problems: list[Problem] = []
            columns = _columns(headers, lookup, f"{source.name}:1", problems)
            if problems:
                raise ValidationError(problems, subject="CSV export")
            for row in reader:
                if reader.line_num == 2 and _is_hxl_row(row):
                    continue  # the HXL tags row
                if not any(cell.strip() for cell in row):
                    continue
                values, _links = _row_values(row, columns, lookup)
                yield values
        except csv.Error as exc:
            message = str(exc)
            raise ValidationError(
                [Problem(f"{source.name}:{reader.line_num}", f"not a valid CSV row: {message}")],
                subject="CSV export",
            ) from None


def _chain(first: Iterable[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _delimiter(header_line: str) -> str:
    """``;`` (KoboToolbox's default), else ``,`` or a tab: whichever splits the header."""
    counts = {d: header_line.count(f'"{d}"') + header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_xlsx(
    path: str | Path,
    schemas: SchemaSet | FormSchema,
    *,
    group_sep: str = "/",
) -> Iterator[dict[str, Any]]:
    """The submissions of a KoboToolbox XLSX export, repeats joined back into them.

    The repeat sheets are read first (they are joined by ``_parent_index``), then the
    main sheet is streamed. Needs openpyxl (``pip install 'kelompok-konstituen[excel]'``).
    """
    try:
        import openpyxl  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise StorageError(
            "reading XLSX exports needs openpyxl: pip install 'kelompok-konstituen[excel]'"
        ) from None
    source = Path(path)
    schema = _latest(schemas)
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        reason = type(exc).__name__
        raise StorageError(f"cannot read {source.name} as an XLSX workbook ({reason})") from None
    try:
        sheets = list(book.worksheets)
        if not sheets:
            return
        repeats = {q.name: q for q in schema.repeats()}
        children: dict[str, dict[str, list[tuple[dict[str, Any], str]]]] = {}
        parents: dict[str, str | None] = {}  # repeat path → parent repeat path
        for sheet in sheets[1:]:
            question = _sheet_repeat(sheet.title, repeats)
            if question is None:
                raise ValidationError(
                    [
                        Problem(
                            f"{source.name}[{sheet.title}]", "no repeat of the form has this name"
                        )
                    ],
                    subject="XLSX export",
                )
            parents[question.path] = question.repeat
            children[question.path] = _read_repeat_sheet(
                sheet, schema, question, group_sep, source.name
            )
        main = sheets[0]
        rows = main.iter_rows(values_only=True)
        headers = next(rows, None)
        if headers is None:
            return
        lookup = _Headers(schema, None, group_sep)
        problems: list[Problem] = []
        columns = _columns(
            [_cell_text(h, None) for h in headers],
            lookup,
            f"{source.name}[{main.title}]:1",
            problems,
        )
        if problems:
            raise ValidationError(problems, subject="XLSX export")
        for row in rows:
            if not any(cell not in (None, "") for cell in row):
                continue
            values, links = _row_values(row, columns, lookup)
            _attach(values, links.get("_index"), None, children, parents)
            yield values
    finally:
        book.close()


def _sheet_repeat(title: str, repeats: Mapping[str, Question]) -> Question | None:
    if title in repeats:
        return repeats[title]
    for name, question in repeats.items():  # a name cut to 31 characters with "..."
        if title.endswith("...") and name.startswith(title[:-3]):
            return question
    return None


def _read_repeat_sheet(
    sheet: Any, schema: FormSchema, repeat: Question, group_sep: str, name: str
) -> dict[str, list[tuple[dict[str, Any], str]]]:
    """The parent's ``_index`` → [(entry values, the entry's own ``_index``)]."""
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows, None)
    found: dict[str, list[tuple[dict[str, Any], str]]] = {}
    if headers is None:
        return found
    lookup = _Headers(schema, repeat.path, group_sep)
    problems: list[Problem] = []
    columns = _columns(
        [_cell_text(h, None) for h in headers], lookup, f"{name}[{sheet.title}]:1", problems
    )
    if problems:
        raise ValidationError(problems, subject="XLSX export")
    for number, row in enumerate(rows, 2):
        if not any(cell not in (None, "") for cell in row):
            continue
        values, links = _row_values(row, columns, lookup)
        parent = links.get("_parent_index")
        if parent is None:
            raise ValidationError(
                [Problem(f"{name}[{sheet.title}]:{number}", "a repeat row without _parent_index")],
                subject="XLSX export",
            )
        found.setdefault(parent, []).append((values, links.get("_index", "")))
    return found


def _attach(
    values: dict[str, Any],
    index: str | None,
    section: str | None,
    children: Mapping[str, Mapping[str, list[tuple[dict[str, Any], str]]]],
    parents: Mapping[str, str | None],
) -> None:
    """Put the entries of each repeat whose parent is ``section`` into ``values``."""
    if index is None:
        return
    for path, rows in children.items():
        if parents.get(path) != section:
            continue
        entries = rows.get(index)
        if not entries:
            continue
        listed = []
        for entry, own in entries:
            _attach(entry, own or None, path, children, parents)
            listed.append(entry)
        values[path] = listed


def read_submissions(
    path: str | Path,
    schemas: SchemaSet | FormSchema | None = None,
    *,
    dump: JsonDump | None = None,
    group_sep: str = "/",
) -> Iterator[dict[str, Any]]:
    """The reader for the file's extension: ``.json``/``.jsonl`` (`read_json`), ``.csv``
    (`read_csv`) or ``.xlsx`` (`read_xlsx`); the export readers need the form's schema."""
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix in (".json", ".jsonl", ".ndjson"):
        return read_json(source, dump=dump)
    if suffix in (".csv", ".xlsx"):
        if schemas is None:
            raise ValidationError(
                [Problem(source.name, "reading a CSV or XLSX export needs the form's schema")],
                subject="Kobo export",
            )
        reader = read_csv if suffix == ".csv" else read_xlsx
        return reader(source, schemas, group_sep=group_sep)
    raise ValidationError(
        [Problem(source.name, "a Kobo export is a .json, .jsonl, .csv or .xlsx file")],
        subject="Kobo export",
    )
