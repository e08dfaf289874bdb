"""The one converter between records and plain data (dicts of str, int, bool, list).

Wire rules: dates and times are ISO-8601 strings, code-list members are their codes
(labels are accepted on the way in), sets are sorted lists, tuples are lists.

Two cattrs converters share those rules. The fast one (no detailed validation, one hook
per type) does the work; when it fails, the same data is structured again by the
detailed one, so the caller gets a `ValidationError` listing every problem with its
path (``case.subject.birth_date: …``) at no cost to the common, valid case.

The fast converter generates one function per record class (one constructor call, the
common field types checked inline) and shares what repeats across records: sets of
codes, time zones, dates, lifecycle codes and ids of other records (interned). A typical
case then holds ~1.5 KiB instead of ~3.6 KiB, and structuring runs within ~15 % of
hand-written code (``python -m bench --only converter``).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone, tzinfo
from enum import Enum
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.v import transform_error

from kk_core._checks import INT64_MAX, FieldError
from kk_core._coded import Coded
from kk_core._text import quote_value, shorten
from kk_core.errors import CodeError, Problem, ValidationError
from kk_core.kinds import (
    CURRENT_SHAPE_MARKERS,
    RECORD_KINDS,
    RECORD_UPGRADES,
    VALUE_UPGRADES,
    Record,
    record_type,
)
from kk_core.lifecycle import Event
from kk_core.values import record_problems

__all__ = ["converter", "structure", "structure_many", "unstructure"]

T = TypeVar("T")


# Hooks raise their errors outside any ``except`` block: an exception raised inside one
# keeps the one it replaces as ``__context__`` (even with ``from None``), and the parser's
# own message quotes the value in full.

#: Longest text read as a date, a date-time or a whole number (anything longer is not one).
_SCALAR_TEXT = 64


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(
            f"expected an ISO date string like '2025-02-13', got {type(value).__name__}"
        )
    parsed = None
    if len(value) <= _SCALAR_TEXT:
        with contextlib.suppress(ValueError):
            parsed = date.fromisoformat(value.strip())
    if parsed is None:
        raise ValueError(f"{quote_value(value)} is not an ISO date like '2025-02-13'")
    return parsed


def _structure_datetime(value: Any, _: type) -> datetime:
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        if len(value) <= _SCALAR_TEXT:
            with contextlib.suppress(ValueError):
                parsed = datetime.fromisoformat(value.strip())
        if parsed is None:
            raise ValueError(
                f"{quote_value(value)} is not an ISO date-time like '2025-02-13T09:30:00+08:00'"
            )
    else:
        raise TypeError(f"expected an ISO date-time string, got {type(value).__name__}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(
            f"{quote_value(value)} has no time zone (add '+08:00' for WITA, 'Z' for UTC)"
        )
    return parsed


def _structure_int(value: Any, _: type) -> int:
    # bool is an int in Python; a "true" in an amount column is a mistake, not 1
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"expected a whole number, got {quote_value(value)}")
    number: int | None = value if isinstance(value, int) else None
    if isinstance(value, str) and len(value) <= _SCALAR_TEXT:
        with contextlib.suppress(ValueError):
            number = int(value)
    if number is None:
        raise ValueError(f"expected a whole number, got {quote_value(value)}")
    if not -INT64_MAX - 1 <= number <= INT64_MAX:
        raise ValueError(
            f"{quote_value(number)} does not fit a signed 64-bit integer (what stores keep)"
        )
    return number


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {quote_value(value)}")


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

    def tuple_hook(t: Any) -> Any:
        items = homogenous_tuple_structure_factory(t, conv)

        def structure_tuple(value: Any, type_: Any) -> tuple[Any, ...]:
            # a text cell is iterable too: "ev1" must not become ("e", "v", "1")
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return items(value, type_)  # type: ignore[no-any-return]

        return structure_tuple

    conv.register_structure_hook_factory(_is_homogeneous_tuple, tuple_hook)
    conv.register_unstructure_hook_factory(
        lambda t: getattr(t, "__origin__", None) is frozenset or t is frozenset,
        lambda _: _sorted_list,
    )
    return conv


def _is_homogeneous_tuple(t: Any) -> bool:
    args = get_args(t)
    return getattr(t, "__origin__", None) is tuple and len(args) == 2 and args[1] is Ellipsis


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


# --- The fast path -----------------------------------------------------------------
#
# Measured on the typical case (bench/, layer converter.structure), the default cattrs
# machinery spent its time on dispatch, not on work: its ``X | None`` and ``tuple[X, ...]``
# hooks look the inner type's hook up again on every call, and the generated class
# functions gather optional fields in a dict passed as ``**kwargs`` and build a set to
# check for unknown keys. The hooks below resolve everything once, when a class's function
# is generated, so a field costs one call and a record one constructor call.
#
# They only ever *accept* what the detailed converter accepts: anything unusual raises,
# and `structure` then asks the detailed converter, which decides (and explains).

_NONE_TYPE = type(None)
_Hook = Callable[[Any, Any], Any]


def _optional_of(t: Any) -> Any:
    """``X`` for ``X | None`` (either spelling), else None."""
    if get_origin(t) not in (Union, UnionType):
        return None
    args = get_args(t)
    if len(args) != 2 or _NONE_TYPE not in args:
        return None
    return args[0] if args[1] is _NONE_TYPE else args[1]


def _is_coded(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Coded)


def _subclasses(cls: type[Coded]) -> list[type[Coded]]:
    found: list[type[Coded]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def _structure_coded_fast(value: Any, cls: type[Coded]) -> Any:
    member = cls._value2member_map_.get(value) if isinstance(value, str) else None
    if member is not None:
        return member
    return _structure_coded(value, cls)  # a label, a typo, or not a string at all


#: The code → member map behind each hook made by `_fast_coded`, for generated code that
#: looks codes up inline (a call only for labels and mistakes).
_MEMBERS: dict[_Hook, Mapping[Any, Any]] = {}


def _fast_coded(cls: type[Coded], optional: bool = False) -> _Hook:
    hook = _fast_coded_hook(cls, optional)
    _MEMBERS[hook] = cls._value2member_map_
    return hook


def _fast_coded_hook(cls: type[Coded], optional: bool) -> _Hook:
    members = cls._value2member_map_

    # ``members.get`` only for strings (a list is unhashable), and no ``try``: an error
    # raised in an ``except`` block would carry the lookup's KeyError, and the value in it
    if optional:

        def structure_optional_member(value: Any, _: Any) -> Any:
            if value is None:
                return None
            member = members.get(value) if value.__class__ is str else None
            return member if member is not None else _structure_coded(value, cls)

        return structure_optional_member

    def structure_member(value: Any, _: Any) -> Any:
        member = members.get(value) if value.__class__ is str else None
        return member if member is not None else _structure_coded(value, cls)

    return structure_member


def _fast_str(value: Any, _: Any) -> Any:
    if value.__class__ is str:
        return value
    return _structure_str(value, str)


def _fast_optional_str(value: Any, _: Any) -> Any:
    if value is None or value.__class__ is str:
        return value
    return _structure_str(value, str)


def _fast_int(value: Any, _: Any) -> Any:
    if value.__class__ is int and -INT64_MAX - 1 <= value <= INT64_MAX:
        return value
    return _structure_int(value, int)


def _fast_optional_int(value: Any, _: Any) -> Any:
    if value is None or (value.__class__ is int and -INT64_MAX - 1 <= value <= INT64_MAX):
        return value
    return _structure_int(value, int)


#: ISO text → date, for the dates seen so far. Records of one period share their days
#: (a case's report, incident and consent are often the same day), so this saves both
#: the parse and 32 bytes per date held. Bounded: past the limit dates are just parsed.
_DATES: dict[str, date] = {}
_DATES_LIMIT = 100_000


def _fast_date(value: Any, _: Any) -> Any:
    if value.__class__ is not str:
        return _structure_date(value, date)
    parsed = _DATES.get(value)
    if parsed is not None:
        return parsed
    with contextlib.suppress(ValueError):
        parsed = date.fromisoformat(value)
    if parsed is None:
        return _structure_date(value, date)  # explains, outside the except block
    if len(_DATES) < _DATES_LIMIT:
        _DATES[value] = parsed
    return parsed


def _fast_optional_date(value: Any, _: Any) -> Any:
    return None if value is None else _fast_date(value, date)


#: One shared ``timezone`` per UTC offset: parsing makes a new one per value (~100 bytes
#: per event in memory, for the same +08:00 every time).
_ZONES: dict[tzinfo, tzinfo] = {}


def _fast_datetime(value: Any, _: Any) -> Any:
    if value.__class__ is str:
        parsed = None
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(value)
        if parsed is None:
            return _structure_datetime(value, datetime)  # explains, outside the except block
        zone = parsed.tzinfo
        if zone is None or zone.__class__ is not timezone:
            return _structure_datetime(value, datetime)  # naive: refused, with the reason
        shared = _ZONES.get(zone)
        if shared is None:
            shared = _ZONES.setdefault(zone, zone)
        return parsed if shared is zone else parsed.replace(tzinfo=shared)
    return _structure_datetime(value, datetime)


_SETS_LIMIT = 10_000


def _is_list_data(value: Any) -> bool:
    # a text cell is iterable too: "ev1" must not become ("e", "v", "1")
    return value.__class__ is list or (
        isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)
    )


def _is_homogeneous_frozenset(t: Any) -> bool:
    return get_origin(t) is frozenset and len(get_args(t)) == 1


def _specialise(conv: cattrs.Converter) -> cattrs.Converter:
    """Register the one-call-per-field hooks on the fast converter."""
    scalar: dict[Any, _Hook] = {
        str: _fast_str,
        int: _fast_int,
        date: _fast_date,
        datetime: _fast_datetime,
    }
    optional: dict[Any, _Hook] = {
        str: _fast_optional_str,
        int: _fast_optional_int,
        date: _fast_optional_date,
    }
    for t, hook in scalar.items():
        conv.register_structure_hook(t, hook)
    # By class (singledispatch), as in `_configure`, or the str hook would win for code
    # lists (they are str enums): an exact hook per code list known now, and a generic
    # one for code lists defined later.
    conv.register_structure_hook(Coded, _structure_coded_fast)
    for cls in _subclasses(Coded):
        conv.register_structure_hook(cls, _fast_coded(cls))

    def optional_hook(t: Any) -> _Hook:
        inner = _optional_of(t)
        if _is_coded(inner):
            return _fast_coded(inner, optional=True)
        if inner in optional:
            return optional[inner]
        item = conv.get_structure_hook(inner)

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else item(value, inner)

        return structure_optional

    conv.register_structure_hook_factory(lambda t: _optional_of(t) is not None, optional_hook)

    def tuple_hook(t: Any) -> _Hook:
        inner = get_args(t)[0]
        item = conv.get_structure_hook(inner)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            if not _is_list_data(value):
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return tuple([item(v, inner) for v in value])

        return structure_tuple

    conv.register_structure_hook_factory(_is_homogeneous_tuple, tuple_hook)

    def frozenset_hook(t: Any) -> _Hook:
        inner = get_args(t)[0]
        item = conv.get_structure_hook(inner)
        # Sets of codes repeat across records ({physical}, {parent}, {}): keep one copy of
        # each (even an empty frozenset is 216 bytes). Their number is bounded by the code
        # list, so the table cannot grow without limit; sets of free values are not shared.
        shared: dict[frozenset[Any], frozenset[Any]] | None = {} if _is_coded(inner) else None

        # ... and, for a list of codes seen before, the set it gave (bounded too).
        by_data: dict[tuple[Any, ...], frozenset[Any]] = {}

        def structure_set(value: Any, _: Any) -> frozenset[Any]:
            if value.__class__ is list:
                try:
                    return by_data[tuple(value)]
                except (KeyError, TypeError):
                    pass
            if not _is_list_data(value):
                raise TypeError(f"expected a list, got {type(value).__name__}")
            result = frozenset([item(v, inner) for v in value])
            if shared is None:
                return result
            result = shared.setdefault(result, result)
            if value.__class__ is list and len(by_data) < _SETS_LIMIT:
                by_data[tuple(value)] = result
            return result

        return structure_set

    conv.register_structure_hook_factory(_is_homogeneous_frozenset, frozenset_hook)
    conv.register_structure_hook_factory(attrs.has, lambda cls: _record_hook(conv, cls))
    conv.register_unstructure_hook_factory(
        attrs.has, lambda cls: _record_unstructure_hook(conv, cls)
    )
    return conv


#: Text fields whose values repeat across records, kept as one shared (interned) copy
#: of each value instead of one per field (~50-120 bytes each): lifecycle actions and
#: states (typed ``str`` because one `Event` class serves every lifecycle), and ids of
#: other records (``*_id`` fields and ``ref``: a case's companion is also the actor of
#: its events; every case of a village holds its village and group ids).
_SHARED_TEXT: dict[type, frozenset[str]] = {Event: frozenset({"action", "source", "target"})}


def _shared_text(cls: type, name: str) -> bool:
    return name.endswith("_id") or name == "ref" or name in _SHARED_TEXT.get(cls, ())


_generating: set[type] = set()


def _extra_keys(cls: type, extra: set[str]) -> ForbiddenExtraKeysError:
    """cattrs' error for unknown keys, with the names masked and cut (a key can be input)."""
    names = sorted(extra, key=str)
    shown = ", ".join(shorten(str(k)) for k in names[:_LISTED_FIELDS])
    more = f" and {len(names) - _LISTED_FIELDS:,} more" if len(names) > _LISTED_FIELDS else ""
    error = ForbiddenExtraKeysError(
        f"unknown field(s) for {cls.__name__}: {shown}{more}", cls, extra
    )
    error.args = error.args[:1]  # the names stay in ``extra_fields``, out of the repr
    return error


def _record_hook(conv: cattrs.Converter, cls: type) -> _Hook:
    """A structuring function for one attrs class: one constructor call, no ``**kwargs``.

    Classes it does not handle (generic, ``Factory(takes_self=True)`` defaults, fields
    without a type) get cattrs' own generated function.
    """
    if cls in _generating:  # a recursive class: look its hook up at call time
        return lambda value, type_: conv.get_structure_hook(type_)(value, type_)
    _generating.add(cls)
    try:
        source = _record_source(conv, cls)
    finally:
        _generating.discard(cls)
    if source is None:
        return make_dict_structure_fn(cls, conv, _cattrs_detailed_validation=False)
    code, namespace = source
    exec(compile(code, f"<kk_core fast structure {cls.__qualname__}>", "exec"), namespace)
    return namespace["structure"]  # type: ignore[no-any-return]


def _record_source(conv: cattrs.Converter, cls: type) -> tuple[str, dict[str, Any]] | None:
    if getattr(cls, "__parameters__", ()):
        return None
    attrs.resolve_types(cls)
    fields = [a for a in attrs.fields(cls) if a.init]
    namespace: dict[str, Any] = {
        "cls": cls,
        "known": frozenset(a.name for a in fields),
        "Extra": _extra_keys,
        "intern": sys.intern,
    }
    positional: list[str] = []
    keywords: list[str] = []
    for i, a in enumerate(fields):
        if a.type is None or isinstance(a.type, str):
            return None
        hook = namespace[f"h{i}"] = conv.get_structure_hook(a.type)
        namespace[f"t{i}"] = a.type
        value = f"h{i}(o[{a.name!r}], t{i})"
        # The common cases are done inline; the hook is called only for the odd value
        # (a label, a non-string, a date not seen yet), and decides.
        key = f"o[{a.name!r}]"
        call = f"h{i}(v, t{i})"
        optional = _optional_of(a.type) is not None
        lookup = _MEMBERS.get(hook) or (
            _DATES if hook in (_fast_date, _fast_optional_date) else None
        )
        if _shared_text(cls, a.name) and hook in (_fast_str, _fast_optional_str):
            value = f"(intern(v) if (v := {key}).__class__ is str else {call})"
        elif hook is _fast_str:  # text is most fields
            value = f"(v if (v := {key}).__class__ is str else {call})"
        elif hook is _fast_optional_str:
            value = f"(v if (v := {key}) is None or v.__class__ is str else {call})"
        elif lookup is not None:  # codes, dates: a dict lookup (members and dates are truthy)
            namespace[f"m{i}"] = lookup
            value = f"(m{i}.get(v := {key}) or {call})"
            if optional:
                value = f"(None if (v := {key}) is None else (m{i}.get(v) or {call}))"
        if a.default is attrs.NOTHING:
            expr = value
        elif isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            if a.default.takes_self:
                return None
            namespace[f"d{i}"] = a.default.factory
            expr = f"({value} if {a.name!r} in o else d{i}())"
        else:
            namespace[f"d{i}"] = a.default
            expr = f"({value} if {a.name!r} in o else d{i})"
        if a.kw_only:
            keywords.append(f"{a.alias}={expr}")
        else:
            positional.append(expr)
    arguments = "".join(f"        {arg},\n" for arg in (*positional, *keywords))
    code = (
        "def structure(o, _=None):\n"
        "    if not o.keys() <= known:\n"
        "        raise Extra(cls, set(o) - known)\n"
        f"    return cls(\n{arguments}    )\n"
    )
    return code, namespace


def _record_unstructure_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any], Any]:
    """A dict literal per attrs class, with the common field types read inline.

    Text, numbers and flags are taken as they are, codes as their ``_value_``, dates as
    ``isoformat()``; nested records, optional ones and tuples of them call their own
    function; anything else uses the converter's hook for its type, as cattrs would.
    """
    if getattr(cls, "__parameters__", ()) or cls in _generating:
        return make_dict_unstructure_fn(cls, conv)
    attrs.resolve_types(cls)
    namespace: dict[str, Any] = {"sorted": sorted}
    items: list[str] = []
    _generating.add(cls)
    try:
        for i, a in enumerate(attrs.fields(cls)):
            if a.type is None or isinstance(a.type, str):
                return make_dict_unstructure_fn(cls, conv)
            items.append(
                f"        {a.name!r}: {_unstructure_expr(conv, a.type, a.name, i, namespace)},\n"
            )
    finally:
        _generating.discard(cls)
    code = f"def unstructure(r):\n    return {{\n{''.join(items)}    }}\n"
    exec(compile(code, f"<kk_core fast unstructure {cls.__qualname__}>", "exec"), namespace)
    return namespace["unstructure"]  # type: ignore[no-any-return]


_PLAIN = (str, int, bool, float)


def _unstructure_expr(
    conv: cattrs.Converter, t: Any, name: str, i: int, namespace: dict[str, Any]
) -> str:
    value = f"r.{name}"
    inner = _optional_of(t)
    if t in _PLAIN or inner in _PLAIN:
        return value
    if inner is not None:
        return f"(None if (v := {value}) is None else {_unstructure_expr_of(conv, inner, 'v', i, namespace)})"
    return _unstructure_expr_of(conv, t, value, i, namespace)


def _unstructure_expr_of(
    conv: cattrs.Converter, t: Any, value: str, i: int, namespace: dict[str, Any]
) -> str:
    if _is_coded(t):
        return f"{value}._value_"
    if t is date or t is datetime:
        return f"{value}.isoformat()"
    if _is_homogeneous_frozenset(t) and _is_coded(get_args(t)[0]):
        return f"sorted([m._value_ for m in {value}])"
    namespace[f"u{i}"] = conv.get_unstructure_hook(
        get_args(t)[0] if _is_homogeneous_tuple(t) and attrs.has(get_args(t)[0]) else t
    )
    if _is_homogeneous_tuple(t) and attrs.has(get_args(t)[0]):
        return f"[u{i}(e) for e in {value}]"
    return f"u{i}({value})"


#: The converter to use for records; fast, with no error detail (see `structure`).
converter: cattrs.Converter = _specialise(
    _configure(cattrs.Converter(detailed_validation=False, forbid_extra_keys=True))
)
_detailed: cattrs.Converter = _configure(
    cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
)


#: Unknown field names a message lists, and characters of another error's message kept.
_LISTED_FIELDS = 10
_MESSAGE_LIMIT = 500


def _message(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        extra = sorted(exc.extra_fields, key=str)
        listed = ", ".join(
            shorten(k) if isinstance(k, str) else quote_value(k) for k in extra[:_LISTED_FIELDS]
        )
        more = f" and {len(extra) - _LISTED_FIELDS:,} more" if len(extra) > _LISTED_FIELDS else ""
        return f"unknown field(s): {listed}{more}"
    if isinstance(exc, FieldError):  # `_split` moves the field into the path
        return f"{_FIELD}{exc.field}{_FIELD}{shorten(exc.detail, _MESSAGE_LIMIT)}"
    if isinstance(exc, CodeError | ValueError | TypeError) and str(exc):
        # our hooks and validators quote values briefly; anything else is cut here
        return shorten(str(exc), _MESSAGE_LIMIT)
    return f"invalid value for {getattr(type_, '__name__', type_)}"


def _problems(exc: BaseException, path: str) -> list[Problem]:
    if isinstance(exc, ClassValidationError | IterableValidationError):
        lines = transform_error(exc, path=path, format_exception=_message)
        return [_split(line) for line in lines]
    return [_split(f"{_message(exc, None)} @ {path}")]


#: Brackets the field name a `FieldError` gives, from `_message` to `_split`.
_FIELD = "\x00"


def _split(line: str) -> Problem:
    message, _, where = line.rpartition(" @ ")
    path = where.replace("$.", "")
    if message.startswith(_FIELD):
        field, _, message = message[1:].partition(_FIELD)
        path = f"{path}.{field}"
    return Problem(path, message)


def structure(
    data: Mapping[str, Any], cls: type[T] | str, *, where: str = "", current: bool = False
) -> T:
    """A record from plain data; `ValidationError` with every problem and its path.

    ``where`` names the place the data came from (``"cases.csv:12"``) and is put in
    front of every path. Besides the types and the records' own rules, the record's
    values are checked for what no store keeps (`kk_core.values`: NUL, lone surrogates,
    lengths, identity numbers in text), so a bad row is refused here, with its path,
    not by the store it is written to.

    ``current``: the data is in the current shape (a mapping's output, never a record
    an older release stored), so it is not read as an older release's when it leaves
    out what tells them apart (`kk_core.kinds.CURRENT_SHAPE_MARKERS`).
    """
    target: Any = record_type(cls) if isinstance(cls, str) else cls
    if current and isinstance(data, Mapping):
        marker = CURRENT_SHAPE_MARKERS.get(target)
        if marker is not None and marker[0] not in data:
            data = {**data, marker[0]: marker[1]}
    record: Any = None
    failed = False
    try:
        record = converter.structure(data, target)
    except Exception:
        failed = True
    name = getattr(target, "kind", None) or target.__name__
    path = f"{where}:{name}" if where else name
    if failed:
        record, error = _explained(data, target, path, name)
        if error is not None:
            # raised here, not in an ``except`` block: nothing chained to it (the
            # converter's own errors quote the input in full)
            raise error
    if type(record) in _CHECKED or attrs.has(type(record)):
        problems = record_problems(record, path=path)
        if problems:
            raise ValidationError(problems, subject=name)
    return record  # type: ignore[no-any-return]


_CHECKED = frozenset(RECORD_KINDS.values())


def _explained(data: Any, target: Any, path: str, name: str) -> tuple[Any, ValidationError | None]:
    """The detailed converter's answer: the record (when only the fast path failed on
    it), or the error listing every problem."""
    if not isinstance(data, Mapping):
        got = type(data).__name__
        return None, ValidationError(
            [Problem(path, f"expected an object of fields, got {got}")], subject=name
        )
    error: ValidationError | None = None
    try:
        return _detailed.structure(data, target), None
    except Exception as exc:
        error = ValidationError(_problems(exc, path), subject=name)
    return None, error


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


def _read_older_shapes(conv: cattrs.Converter) -> None:
    """Kinds whose stored shape changed are structured through their upgrade function
    (`kk_core.kinds.RECORD_UPGRADES`), so data an older release wrote reads as a
    current record wherever it comes from (a store, a file, an import); so are values
    held inside records (`kk_core.kinds.VALUE_UPGRADES`), registered first because a
    record's structuring function takes its fields' functions when it is made."""
    for cls, upgrade in (*VALUE_UPGRADES.items(), *RECORD_UPGRADES.items()):
        current = conv.get_structure_hook(cls)

        def structure_upgraded(
            value: Any,
            type_: Any,
            _current: _Hook = current,
            _upgrade: Callable[[Any], Any] = upgrade,
        ) -> Any:
            return _current(_upgrade(value), type_)

        conv.register_structure_hook(cls, structure_upgraded)


_read_older_shapes(converter)
_read_older_shapes(_detailed)

# Build hooks for every kind now, at import, not inside the first hot loop.
for _cls in RECORD_KINDS.values():
    converter.get_structure_hook(_cls)
    converter.get_unstructure_hook(_cls)
