"""Declarative form mappings: a TOML file a partner writes instead of Python.

The file's tables are the parts of a `kk_adapters.kobo.mapping.KoboFormMapping` (the
reference, with every key, is ``docs/reference/kobo-mapping-file.md``)::

    [form]
    id = "pengaduan_mitra"          # the form's id (XLSForm id_string)
    timezone = "+08:00"             # the villages' zone (WITA)

    [[records]]
    kind = "case"
    id = "KK-{pelaporan/no_kasus}"  # text with {…} is a template
    [records.fields]
    reported_on = "pelaporan/tanggal"                # other text: a field path
    group_id = { const = "kk-teros" }                # a constant
    category = { field = "kejadian/jenis", choices = { kdrt = "violence" } }

Every key is checked: an unknown one is an error naming it and where it is (a typo
would otherwise silently map nothing). With the form's schema, `load_mapping` also
checks the mapping against it (`KoboFormMapping.check`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from kk_adapters.kobo.mapping import DEFAULT_TIMEZONE, KoboFormMapping, ListRule, RecordRule, Value
from kk_adapters.kobo.schema import FormSchema, SchemaSet
from kk_core.errors import Problem, StorageError, ValidationError, quote_value

__all__ = ["load_mapping", "parse_mapping"]

_FORM_KEYS = {"id", "asset", "timezone", "description"}
_RULE_KEYS = {
    "kind",
    "name",
    "id",
    "fields",
    "repeat",
    "lists",
    "when",
    "when_in",
    "only_if",
    "recorded_at",
    "actor",
}
_LIST_KEYS = {"into", "repeat", "fields"}
_VALUE_KEYS = {
    "field",
    "const",
    "template",
    "collect",
    "answers",
    "choices",
    "default",
    "pseudonymise",
    "cast",
}
_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2}):?(\d{2})?$")


def load_mapping(
    path: str | Path, schemas: SchemaSet | FormSchema | None = None
) -> KoboFormMapping:
    """The mapping in a TOML file; with ``schemas``, checked against the form too.

    Every problem (the file's, then the form's) is in one `ValidationError`, each
    naming its place (``records.case.fields.channel: choices of list 'cara' without a
    code in the mapping: 'sms'``).
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise StorageError(f"cannot read the mapping {source.name}: {exc.strerror}") from None
    return parse_mapping(text, schemas, name=source.name)


def parse_mapping(
    text: str, schemas: SchemaSet | FormSchema | None = None, *, name: str = "mapping"
) -> KoboFormMapping:
    """The mapping in TOML ``text`` (see `load_mapping`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
        raise ValidationError(
            [Problem(name, f"not valid TOML: {reason}")], subject="form mapping"
        ) from None
    problems: list[Problem] = []
    mapping = _mapping(data, problems)
    if mapping is not None and schemas is not None:
        problems.extend(mapping.problems(schemas))
    if problems or mapping is None:
        raise ValidationError(
            [Problem(f"{name}: {p.path}" if p.path else name, p.message) for p in problems],
            subject="form mapping",
        )
    return mapping


def _unknown(
    table: Mapping[str, Any], known: set[str], where: str, problems: list[Problem]
) -> None:
    for key in sorted(set(table) - known):
        problems.append(
            Problem(
                f"{where}.{key}" if where else key,
                f"unknown key (known: {', '.join(sorted(known))})",
            )
        )


def _mapping(data: Mapping[str, Any], problems: list[Problem]) -> KoboFormMapping | None:
    _unknown(data, {"form", "records"}, "", problems)
    form = data.get("form")
    if not isinstance(form, Mapping):
        problems.append(Problem("form", "a [form] table with the form's id is required"))
        form = {}
    _unknown(form, _FORM_KEYS, "form", problems)
    form_id = form.get("id")
    if not isinstance(form_id, str) or not form_id.strip():
        problems.append(Problem("form.id", "the form's id (its XLSForm id_string) is required"))
    asset = form.get("asset")
    if asset is not None and not isinstance(asset, str):
        problems.append(Problem("form.asset", "the asset uid is text"))
    zone = _zone(form.get("timezone"), problems)
    description = form.get("description", "")
    records = data.get("records")
    if not isinstance(records, list) or not records:
        problems.append(Problem("records", "at least one [[records]] table is required"))
        records = []
    rules = []
    for i, table in enumerate(records):
        rule = _rule(table, f"records[{i}]", problems)
        if rule is not None:
            rules.append(rule)
    if problems:
        return None
    try:
        return KoboFormMapping(
            str(form_id),
            rules,
            asset_uid=asset,
            timezone=zone,
            description=description if isinstance(description, str) else "",
        )
    except ValueError as exc:
        problems.append(Problem("records", str(exc)))
    return None


def _zone(raw: Any, problems: list[Problem]) -> tzinfo:
    if raw is None:
        return DEFAULT_TIMEZONE
    named = {"WIB": 7, "WITA": 8, "WIT": 9, "UTC": 0, "Z": 0}
    if isinstance(raw, str) and raw.strip().upper() in named:
        return timezone(timedelta(hours=named[raw.strip().upper()]))
    match = _OFFSET.match(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        problems.append(
            Problem(
                "form.timezone",
                f"{quote_value(raw)} is not an offset like '+08:00' (or WIB, WITA, WIT)",
            )
        )
        return DEFAULT_TIMEZONE
    sign = -1 if match.group(1) == "-" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        problems.append(Problem("form.timezone", f"{quote_value(raw)} is not an offset"))
        return DEFAULT_TIMEZONE
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _rule(table: Any, where: str, problems: list[Problem]) -> RecordRule | None:
    if not isinstance(table, Mapping):
        problems.append(Problem(where, "expected a table"))
        return None
    kind = table.get("kind")
    label = table.get("name") or kind
    if isinstance(label, str) and label:
        where = f"records.{label}"
    _unknown(table, _RULE_KEYS, where, problems)
    if not isinstance(kind, str):
        problems.append(Problem(f"{where}.kind", "the record kind is required (case, referral…)"))
        return None
    before = len(problems)
    record_id = _value(table.get("id"), f"{where}.id", problems) if "id" in table else None
    if "id" not in table:
        problems.append(Problem(f"{where}.id", "how to make the record's id is required"))
    fields = _fields(table.get("fields", {}), f"{where}.fields", problems)
    lists = []
    for i, sub in enumerate(
        table.get("lists", []) if isinstance(table.get("lists", []), list) else []
    ):
        at = f"{where}.lists[{i}]"
        if not isinstance(sub, Mapping):
            problems.append(Problem(at, "expected a table"))
            continue
        _unknown(sub, _LIST_KEYS, at, problems)
        into, repeat = sub.get("into"), sub.get("repeat")
        if not isinstance(into, str) or not isinstance(repeat, str):
            problems.append(
                Problem(at, "a list needs 'into' (a record field) and 'repeat' (a repeat path)")
            )
            continue
        lists.append(
            ListRule(into, repeat, _fields(sub.get("fields", {}), f"{at}.fields", problems))
        )
    extras = {}
    for key in ("recorded_at", "actor"):
        if key in table:
            extras[key] = _value(table[key], f"{where}.{key}", problems)
    text_keys = {
        "repeat": table.get("repeat"),
        "when": table.get("when"),
        "name": table.get("name"),
    }
    for key, value in text_keys.items():
        if value is not None and not isinstance(value, str):
            problems.append(Problem(f"{where}.{key}", "expected text"))
    when_in = table.get("when_in", [])
    if not isinstance(when_in, list) or not all(isinstance(w, str) for w in when_in):
        problems.append(Problem(f"{where}.when_in", "expected a list of choice names"))
        when_in = []
    only_if = table.get("only_if", {})
    if not isinstance(only_if, Mapping) or not all(isinstance(v, str) for v in only_if.values()):
        problems.append(
            Problem(f"{where}.only_if", "expected a table of record field = field path")
        )
        only_if = {}
    if len(problems) > before or record_id is None:
        return None
    try:
        return RecordRule(
            kind,
            record_id,
            fields,
            name=table.get("name") or "",
            repeat=table.get("repeat"),
            lists=lists,
            when=table.get("when"),
            when_in=when_in,
            only_if=dict(only_if),
            recorded_at=extras.get("recorded_at"),
            actor=extras.get("actor"),
        )
    except (ValueError, StorageError) as exc:
        problems.append(Problem(f"{where}.kind", str(exc)))
    return None


def _fields(table: Any, where: str, problems: list[Problem]) -> dict[str, Value]:
    if not isinstance(table, Mapping):
        problems.append(Problem(where, "expected a table of record field = value"))
        return {}
    found = {}
    for target, spec in table.items():
        value = _value(spec, f"{where}.{target}", problems)
        if value is not None:
            found[str(target)] = value
    return found


def _value(spec: Any, where: str, problems: list[Problem]) -> Value | None:
    if isinstance(spec, str):
        return Value(template=spec) if "{" in spec else Value(field=spec)
    if not isinstance(spec, Mapping):
        return Value(const=spec)
    _unknown(spec, _VALUE_KEYS, where, problems)
    options: dict[str, Any] = {k: spec[k] for k in _VALUE_KEYS if k in spec}
    for key in ("field", "template", "cast"):
        if key in options and not isinstance(options[key], str):
            problems.append(Problem(f"{where}.{key}", "expected text"))
            return None
    for key in ("choices", "collect"):
        if key in options and not isinstance(options[key], Mapping):
            problems.append(Problem(f"{where}.{key}", "expected a table"))
            return None
    if "answers" in options and not (
        isinstance(options["answers"], list) and all(isinstance(a, str) for a in options["answers"])
    ):
        problems.append(Problem(f"{where}.answers", "expected a list of choice names"))
        return None
    if "pseudonymise" in options and not isinstance(options["pseudonymise"], bool):
        problems.append(Problem(f"{where}.pseudonymise", "expected true or false"))
        return None
    try:
        return Value(**options)
    except (ValueError, TypeError) as exc:
        problems.append(Problem(where, str(exc)))
    return None
