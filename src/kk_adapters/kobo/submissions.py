"""Kobo submissions typed through their form's schema.

The API gives every answer as text and leaves unanswered questions out: ``"12"`` for an
integer, ``"2025-02-13"`` for a date, ``"physical sexual"`` for a select_multiple,
``"-8.65 116.52 120 5"`` for a geopoint, a repeat as one key whose value is a list of
entries (each keyed by full paths: ``referrals/service``), ``_submission_time`` in UTC
without a zone. `SubmissionTyper` turns one raw submission into a `Submission`: the
same keys, each value typed by its question (see `type_value`), repeats typed entry by
entry, metadata typed (``_id`` an int, ``_submission_time`` an aware UTC date-time),
unknown keys kept as they came (never dropped), and every value that does not read as
its question's type named as a `Problem` at its path.

Each submission is typed with the version of the form it was made with (its
``__version__``, see `kk_adapters.kobo.schema.SchemaSet`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from kk_adapters.kobo.schema import META_FIELDS, FormSchema, Question, SchemaSet
from kk_core.errors import Problem, quote_value

__all__ = [
    "GeoPoint",
    "Submission",
    "SubmissionTyper",
    "item_key",
    "type_value",
]


@attrs.frozen
class GeoPoint:
    """A geopoint answer: ``"latitude longitude altitude accuracy"`` (the last two may be
    missing), in degrees and metres."""

    latitude: float
    longitude: float
    altitude: float | None = None
    accuracy: float | None = None

    def __str__(self) -> str:
        parts = [self.latitude, self.longitude, self.altitude, self.accuracy]
        return " ".join(repr(p) for p in parts if p is not None)


class _Bad(ValueError):
    """A value that does not read as its question's type (message: what was expected)."""


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= 32:
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _Bad("expected a whole number")


def _decimal(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = repr(value)
    if isinstance(value, str) and len(value) <= 64:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number
    raise _Bad("expected a decimal number")


def _number(value: Any) -> int | Decimal:
    number = _decimal(value)
    return int(number) if number == number.to_integral_value() else number


_DATES: dict[str, date] = {}


def _date(value: Any) -> date:
    if value.__class__ is str:
        found = _DATES.get(value)
        if found is not None:
            return found
        text = value.strip()
        if len(text) <= 40:
            try:
                found = date.fromisoformat(text)
            except ValueError:
                try:  # a date question answered with a date-time (some exports)
                    found = datetime.fromisoformat(text).date()
                except ValueError:
                    found = None
            if found is not None:
                if len(_DATES) < 100_000:
                    _DATES[value] = found
                return found
    raise _Bad("expected a date like 2025-02-13")


def _datetime(value: Any) -> datetime:
    if isinstance(value, str) and len(value) <= 40:
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Bad("expected a date and time like 2025-02-13T09:30:00.000+08:00")


def _time(value: Any) -> time:
    if isinstance(value, str) and len(value) <= 32:
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Bad("expected a time like 09:30:00.000+08:00")


def _select_one(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    raise _Bad("expected a choice name")


def _select_multiple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _Bad("expected choice names separated by spaces")


def _geopoint(value: Any) -> GeoPoint:
    if isinstance(value, str):
        parts = value.split()
        if 2 <= len(parts) <= 4:
            try:
                numbers = [float(p) for p in parts]
            except ValueError:
                numbers = []
            if numbers and all(math.isfinite(n) for n in numbers):
                lat, lon = numbers[0], numbers[1]
                if -90 <= lat <= 90 and -180 <= lon <= 180:
                    rest: list[float | None] = [*numbers[2:], None, None]
                    return GeoPoint(lat, lon, rest[0], rest[1])
    raise _Bad("expected 'latitude longitude [altitude accuracy]' in degrees")


def _geotrace(value: Any) -> tuple[GeoPoint, ...]:
    if isinstance(value, str):
        return tuple(_geopoint(p) for p in value.split(";") if p.strip())
    raise _Bad("expected geopoints separated by ';'")


def _acknowledge(value: Any) -> bool:
    if isinstance(value, str) and value.strip().upper() in ("OK", "1", "TRUE", "YES"):
        return True
    raise _Bad("expected 'OK'")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _Bad("expected text")


_TYPERS: Mapping[str, Callable[[Any], Any]] = {
    "integer": _integer,
    "decimal": _decimal,
    "number": _number,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "select_one": _select_one,
    "select_multiple": _select_multiple,
    "geopoint": _geopoint,
    "geotrace": _geotrace,
    "acknowledge": _acknowledge,
    "text": _text,
}


def type_value(question: Question, value: Any) -> Any:
    """The answer ``value`` (as the API gives it: text) typed by ``question``.

    integer → ``int``; decimal → ``Decimal``; range → ``int`` or ``Decimal``; date (and
    ``today``) → ``date``; dateTime (and ``start``, ``end``) → ``datetime`` with its
    offset (a naive one when the value has none); time → ``time``; select_one → the
    choice name; select_multiple (and rank) → a tuple of choice names; geopoint →
    `GeoPoint`; geotrace, geoshape → a tuple of them; acknowledge → ``True``; every
    other type (text, calculate, note, media, barcode…) → the text as it is.
    A value that does not read so raises ``ValueError`` saying what was expected.
    """
    return _TYPERS[question.kind](value)


def _submission_time(value: Any) -> datetime:
    """``_submission_time``: UTC without a zone (kpi: ``date_created`` formatted
    ``%Y-%m-%dT%H:%M:%S``); an offset, when one is given, is honoured."""
    moment = _datetime(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _identifier(value: Any) -> int:
    return _integer(value)


_META_TYPERS: Mapping[str, Callable[[Any], Any]] = {
    "_id": _identifier,
    "_submission_time": _submission_time,
    "_uuid": _text,
    "meta/rootUuid": _text,
    "meta/instanceID": _text,
    "meta/deprecatedID": _text,
    "__version__": _text,
    "_version_": _text,
}


def _strip_uuid(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return text[5:] if text.lower().startswith("uuid:") else text


def item_key(raw: Mapping[str, Any]) -> str | None:
    """The stable key of a submission across edits: its ``meta/rootUuid`` (kpi sets it
    on every submission: ``add_uuid_prefix(root_uuid)``), on older servers its
    ``_uuid``, then its ``meta/instanceID``; without the ``uuid:`` prefix."""
    return (
        _strip_uuid(raw.get("meta/rootUuid"))
        or _strip_uuid(raw.get("_uuid"))
        or _strip_uuid(raw.get("meta/instanceID"))
    )


def _revision(raw: Mapping[str, Any]) -> str | None:
    """The revision of a submission: its ``_uuid`` (the instance's uuid, new on every
    edit: kpi's ``logger_tools._get_instance`` sets ``instance.uuid = new_uuid``)."""
    return _strip_uuid(raw.get("_uuid")) or _strip_uuid(raw.get("meta/instanceID"))


@attrs.frozen
class Submission:
    """One submission, typed.

    ``values`` holds every key of the raw submission by path, typed (see `type_value`;
    metadata too: ``_id`` an int, ``_submission_time`` an aware UTC datetime), repeats
    as tuples of entries (dicts keyed by full path); unanswered questions are absent.
    ``unknown`` lists the keys the form does not know (kept in ``values`` as they
    came); ``problems`` every value that did not read as its question's type (kept as it
    came too). ``key`` is the submission's stable key (`item_key`), ``revision`` its
    ``_uuid``, ``number`` its ``_id``, ``version`` its ``__version__``.
    """

    # Never in a repr: answers hold identity numbers, names, places.
    values: Mapping[str, Any] = attrs.field(repr=False)
    raw: Mapping[str, Any] = attrs.field(repr=False)
    key: str | None = None
    revision: str | None = None
    number: int | None = None
    version: str | None = None
    unknown: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def submitted_at(self) -> datetime | None:
        moment = self.values.get("_submission_time")
        return moment if isinstance(moment, datetime) else None

    def where(self) -> str:
        """How a report names it: ``submission _id 1234``, else by its key."""
        if self.number is not None:
            return f"submission _id {self.number}"
        if self.key is not None:
            return f"submission {quote_value(self.key)}"
        return "submission (no _id)"


class _Table:
    """The typing functions of one version, by path (repeats hold their entries' table)."""

    def __init__(self, schema: FormSchema, fallback: FormSchema | None) -> None:
        self.functions: dict[str, Callable[[Any], Any]] = {}
        self.text: set[str] = set()  # text-like questions: values kept as they are
        self.repeats: set[str] = set()
        self.questions: dict[str, Question] = {}
        schemas = [fallback, schema] if fallback is not None else [schema]
        for source in schemas:  # the version's own definitions win
            for question in source.questions.values():
                self.questions[question.path] = question
        for path, question in self.questions.items():
            if question.is_repeat:
                self.repeats.add(path)
            elif question.is_group:
                continue
            elif question.kind == "text":
                self.text.add(path)
            else:
                self.functions[path] = _TYPERS[question.kind]


class SubmissionTyper:
    """Types raw submissions with a `SchemaSet` (one table of functions per version)."""

    def __init__(self, schemas: SchemaSet | FormSchema) -> None:
        self.schemas = schemas if isinstance(schemas, SchemaSet) else SchemaSet.single(schemas)
        self._tables: dict[str | None, _Table] = {}

    def _table(self, version: str | None) -> _Table:
        table = self._tables.get(version)
        if table is None:
            schema = self.schemas.for_version(version)
            merged = self.schemas.merged
            table = _Table(schema, None if schema is merged else merged)
            if len(self._tables) < 1000:
                self._tables[version] = table
        return table

    def type(self, raw: Mapping[str, Any]) -> Submission:
        """The typed submission (never raises for bad values: they become ``problems``)."""
        if not isinstance(raw, Mapping):
            got = type(raw).__name__
            return Submission(
                {}, {}, problems=(Problem("submission", f"expected an object, got {got}"),)
            )
        version = raw.get("__version__") or raw.get("_version_")
        version = version if isinstance(version, str) else None
        table = self._table(version)
        problems: list[Problem] = []
        unknown: list[str] = []
        values = self._type_entry(raw, table, problems, unknown, top=True)
        number = values.get("_id")
        key = item_key(raw)
        if key is None:
            problems.append(
                Problem(
                    "meta/rootUuid",
                    "the submission has no meta/rootUuid, _uuid or meta/instanceID: it "
                    "cannot be told apart from others",
                )
            )
        return Submission(
            values,
            raw,
            key=key,
            revision=_revision(raw),
            number=number if isinstance(number, int) else None,
            version=version,
            unknown=tuple(unknown),
            problems=tuple(problems),
        )

    def _type_entry(
        self,
        raw: Mapping[str, Any],
        table: _Table,
        problems: list[Problem],
        unknown: list[str],
        *,
        top: bool,
        within: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """``within``: (the repeat's path, where this entry is: ``referrals[2]``)."""
        values: dict[str, Any] = {}
        functions, text, repeats = table.functions, table.text, table.repeats
        for key, value in raw.items():
            if value is None or value == "":
                continue  # unanswered
            if key in text:
                if value.__class__ is str:
                    values[key] = value
                    continue
                function: Callable[[Any], Any] | None = _text
            else:
                function = functions.get(key)
            if function is not None:
                try:
                    values[key] = function(value)
                except _Bad as bad:
                    problems.append(_problem(_located(key, within), key, value, bad, table))
                    values[key] = value
                continue
            if key in repeats:
                values[key] = self._type_repeat(
                    key, _located(key, within), value, table, problems, unknown
                )
                continue
            meta = _META_TYPERS.get(key) if top else None
            if meta is not None:
                try:
                    values[key] = meta(value)
                except _Bad as bad:
                    problems.append(Problem(key, f"{bad}, got {quote_value(value)}"))
                    values[key] = value
                continue
            values[key] = value
            if key not in META_FIELDS and not key.startswith("_"):
                unknown.append(_located(key, within))
        return values

    def _type_repeat(
        self,
        path: str,
        shown: str,
        value: Any,
        table: _Table,
        problems: list[Problem],
        unknown: list[str],
    ) -> Any:
        if not isinstance(value, list) or not all(isinstance(e, Mapping) for e in value):
            problems.append(
                Problem(shown, f"a repeat holds a list of entries, got {quote_value(value)}")
            )
            return value
        return tuple(
            self._type_entry(
                entry, table, problems, unknown, top=False, within=(path, f"{shown}[{i}]")
            )
            for i, entry in enumerate(value, 1)
        )


def _located(key: str, within: tuple[str, str] | None) -> str:
    """A key as a report shows it: inside a repeat entry with its position
    (``referrals[2]/service`` for the key ``referrals/service`` of the second entry)."""
    if within is not None and key.startswith(within[0] + "/"):
        return within[1] + key[len(within[0]) :]
    return key


def _problem(shown: str, key: str, value: Any, bad: _Bad, table: _Table) -> Problem:
    question = table.questions.get(key)
    kind = f" ({question.type} question)" if question is not None else ""
    return Problem(shown, f"{bad}{kind}, got {quote_value(value)}")
