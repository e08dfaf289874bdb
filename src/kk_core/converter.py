"""The one converter between records and plain data (dicts of str, int, bool, list).

Wire rules: dates and times are ISO-8601 strings, code-list members are their codes
(labels are accepted on the way in), sets are sorted lists, tuples are lists.

Two cattrs converters share those rules. The fast one (no detailed validation, one hook
per type) does the work; when it fails, the same data is structured again by the
detailed one, so the caller gets a `ValidationError` listing every problem with its
path (``case.subject.birth_date: …``) at no cost to the common, valid case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar, get_args

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.v import transform_error

from kk_core._coded import Coded
from kk_core.errors import CodeError, Problem, ValidationError
from kk_core.kinds import RECORD_KINDS, Record, record_type

__all__ = ["converter", "structure", "structure_many", "unstructure"]

T = TypeVar("T")


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(
            f"expected an ISO date string like '2025-02-13', got {type(value).__name__}"
        )
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date like '2025-02-13'") from None


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO date-time like '2025-02-13T09:30:00+08:00'"
            ) from None
    else:
        raise TypeError(f"expected an ISO date-time string, got {type(value).__name__}")
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone (add '+08:00' for WITA, 'Z' for UTC)")
    return parsed


def _structure_int(value: Any, _: type) -> int:
    # bool is an int in Python; a "true" in an amount column is a mistake, not 1
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"expected a whole number, got {value!r}")
    return int(value)


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {value!r}")


def _configure(conv: cattrs.Converter) -> cattrs.Converter:
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(datetime, datetime.isoformat)

    # Registered by class, so it beats the str hook (code lists are str enums).
    conv.register_structure_hook(Coded, _structure_coded)
    conv.register_unstructure_hook(Coded, _enum_value)

    def frozenset_hook(t: Any) -> Any:
        (inner,) = get_args(t) or (Any,)
        item = conv.get_structure_hook(inner)

        def structure_set(value: Any, _: type) -> frozenset[Any]:
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return frozenset(item(v, inner) for v in value)

        return structure_set

    conv.register_structure_hook_factory(
        lambda t: getattr(t, "__origin__", None) is frozenset, frozenset_hook
    )
    conv.register_unstructure_hook_factory(
        lambda t: getattr(t, "__origin__", None) is frozenset or t is frozenset,
        lambda _: _sorted_list,
    )
    return conv


def _structure_coded(value: Any, cls: type[Coded]) -> Coded:
    member = cls._value2member_map_.get(value) if isinstance(value, str) else None
    if member is not None:
        return member  # type: ignore[return-value]
    if not isinstance(value, str):
        raise TypeError(f"expected a {cls.__name__} code, got {type(value).__name__}")
    return cls.parse(value)


def _enum_value(member: Enum) -> Any:
    return member.value


def _sorted_list(items: frozenset[Any]) -> list[Any]:
    return sorted(item.value if isinstance(item, Enum) else item for item in items)


#: The converter to use for records; fast, with no error detail (see `structure`).
converter: cattrs.Converter = _configure(
    cattrs.Converter(detailed_validation=False, forbid_extra_keys=True)
)
_detailed: cattrs.Converter = _configure(
    cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
)


def _message(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(sorted(exc.extra_fields))}"
    if isinstance(exc, CodeError | ValueError | TypeError) and str(exc):
        return str(exc)
    return f"invalid value for {getattr(type_, '__name__', type_)}"


def _problems(exc: BaseException, path: str) -> list[Problem]:
    if isinstance(exc, ClassValidationError | IterableValidationError):
        lines = transform_error(exc, path=path, format_exception=_message)
        return [_split(line) for line in lines]
    return [Problem(path, _message(exc, None))]


def _split(line: str) -> Problem:
    message, _, where = line.rpartition(" @ ")
    return Problem(where.replace("$.", ""), message)


def structure(data: Mapping[str, Any], cls: type[T] | str, *, where: str = "") -> T:
    """A record from plain data; `ValidationError` with every problem and its path.

    ``where`` names the place the data came from (``"cases.csv:12"``) and is put in
    front of every path.
    """
    target: Any = record_type(cls) if isinstance(cls, str) else cls
    try:
        return converter.structure(data, target)  # type: ignore[no-any-return]
    except Exception:
        pass
    name = getattr(target, "kind", None) or target.__name__
    path = f"{where}:{name}" if where else name
    try:
        record = _detailed.structure(data, target)
    except Exception as exc:
        raise ValidationError(_problems(exc, path), subject=name) from None
    return record  # type: ignore[no-any-return]  # fast path failed on something detailed accepts


def structure_many(
    rows: Iterable[tuple[str, Mapping[str, Any]]], cls: type[T] | str
) -> tuple[list[T], list[ValidationError]]:
    """Structure a batch: the good records, and one error per bad row (nothing lost).

    Each row is ``(where, data)``, ``where`` naming its place (file and line).
    """
    good: list[T] = []
    bad: list[ValidationError] = []
    for where, data in rows:
        try:
            good.append(structure(data, cls, where=where))
        except ValidationError as exc:
            bad.append(exc)
    return good, bad


def unstructure(record: Record | Any) -> dict[str, Any]:
    """Plain data for a record, ready for JSON, CSV cells or a document store."""
    return converter.unstructure(record)  # type: ignore[no-any-return]


# Build hooks for every kind now, at import, not inside the first hot loop.
for _cls in RECORD_KINDS.values():
    converter.get_structure_hook(_cls)
    converter.get_unstructure_hook(_cls)
