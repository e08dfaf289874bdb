"""The CSV column schema is walked from the record classes, so it follows the model."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_adapters.csv.schema import OPEN_CODE_FIELDS, Cell, _build, _holds_codes, schemas
from kk_core.codes import Sex
from kk_core.kinds import RECORD_KINDS
from kk_core.lifecycle import Event


def test_every_kind_has_its_tables() -> None:
    found = schemas()
    assert [s.kind for s in found] == list(RECORD_KINDS)
    for schema in found:
        assert schema.main.header[0] == "id"
        assert schema.main.header[-1] == "version"
        names = [t.file_name for t in schema.tables]
        assert len(names) == len(set(names))
        for table in schema.tables:
            assert len(table.header) == len(set(table.header)), table.file_name
            if not table.is_main:
                assert table.header[0] == f"{schema.kind}_id"


def _classes(cls: type, seen: set[type]) -> None:
    if cls in seen:
        return
    seen.add(cls)
    attrs.resolve_types(cls)
    for field in attrs.fields(cls):
        for inner in (field.type, *getattr(field.type, "__args__", ())):
            for t in (inner, *getattr(inner, "__args__", ())):
                if isinstance(t, type) and attrs.has(t):
                    _classes(t, seen)


def test_the_open_code_fields_are_exactly_those_the_model_checks_as_codes() -> None:
    seen: set[type] = set()
    for cls in RECORD_KINDS.values():
        _classes(cls, seen)
    validated = {
        (cls, field.name) for cls in seen for field in attrs.fields(cls) if _holds_codes(field)
    }
    assert validated == set(OPEN_CODE_FIELDS)


@attrs.frozen
class _Part:
    day: date
    flags: frozenset[Sex] = attrs.field(default=frozenset(), kw_only=True)


@attrs.frozen
class _NewKind:
    """A kind as a later release might add it: the schema needs no change for it."""

    kind: ClassVar[str] = "new_kind"

    id: str
    part: _Part | None = attrs.field(default=None, kw_only=True)
    events: tuple[Event, ...] = attrs.field(default=(), kw_only=True)
    tags: frozenset[str] = attrs.field(default=frozenset(), kw_only=True)
    count: int = attrs.field(default=0, kw_only=True)
    version: int = attrs.field(default=0, kw_only=True)


def test_a_new_field_is_a_new_column() -> None:
    schema = _build(_NewKind)  # type: ignore[arg-type]
    assert schema.main.header == ("id", "part.day", "part.flags", "count", "version")
    columns = {c.name: c for c in schema.main.columns}
    assert columns["part.day"].cell is Cell.DATE
    assert columns["part.day"].under_optional
    assert columns["part.flags"].cell is Cell.CODES
    assert columns["part.flags"].code_list == "sex"
    assert [t.file_name for t in schema.children] == [
        "new_kind.events.csv",
        "new_kind.tags.csv",
    ]
    assert schema.children[0].header[:3] == ("new_kind_id", "position", "at")
    assert schema.children[1].header == ("new_kind_id", "tags")
