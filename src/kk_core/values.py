"""What every store can keep: the checks a record's values pass before any write.

A value that one store keeps and another refuses would make the same program work on
SQLite and fail on PostgreSQL, and a driver's own error (``UnicodeEncodeError``, an
index-row overflow) would leak through the port. So the rules are the library's,
checked here once for every adapter:

* text holds no NUL character and no lone surrogate (no text column or UTF-8 file can
  keep them);
* ids, references, codes and every text a store indexes (the text dimensions of
  `kk_core.dimensions`: ``Village.name``, ``Publication.topic`` …) are at most
  `MAX_KEY_LENGTH` characters; other text at most `MAX_TEXT_LENGTH`;
* text other than ids holds no number shaped like an identity number (a NIK, 16
  digits however grouped): a NIK is kept only as a keyed pseudonym
  (`kk_core.privacy`), never in a note, a name or a summary.

* integers fit a signed 64-bit column (the records' own validators bound most of them;
  this also catches a record made with validators off, and a number too large to print).

Ids shaped like a NIK are refused when a record is made.

`kk_core.converter.structure` runs these checks on what it reads, and
`kk_core.store.planned_write` on every record it plans, so a store built on them (the
memory store, the adapter of the how-to) refuses hostile values without doing
anything; the SQL store checks as it encodes rows. An adapter that writes without
`planned_write` calls `check_record` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from enum import Enum
from types import UnionType
from typing import Any, Union, get_args, get_origin

import attrs

from kk_core._checks import INT64_MAX
from kk_core._text import BAD_CHAR, NIK_RUN, quote_value, text_problem
from kk_core.errors import Problem, ValidationError

__all__ = ["MAX_KEY_LENGTH", "MAX_TEXT_LENGTH", "check_key", "check_record", "record_problems"]

#: Characters of an id, a reference, a code or an indexed text (a PostgreSQL index
#: entry holds about 2,700 bytes; 200 characters take at most 800).
MAX_KEY_LENGTH = 200
#: Characters of any other text (a note, minutes, a summary).
MAX_TEXT_LENGTH = 1_000_000

_Check = Callable[[Any, str, list[Problem]], None]
_Clean = Callable[[Any], bool]
_CHECKERS: dict[type, _Check] = {}
_CLEAN: dict[type, _Clean] = {}

#: Text fields that hold codes (short, indexed or compared as keys) besides dimensions.
_CODE_FIELDS: dict[str, frozenset[str]] = {
    "Event": frozenset({"action", "source", "target"}),
    "AdvocacyProposal": frozenset({"issue_areas"}),
}
#: Text fields that are never free text (no identity-number search): ids, pseudonyms.
_NOT_FREE = frozenset({"ref", "identity"})


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids")) or name in _NOT_FREE


def _key_fields(cls: type) -> frozenset[str]:
    from kk_core.dimensions import DIMENSIONS

    names = set(_CODE_FIELDS.get(cls.__name__, ()))
    for dim in DIMENSIONS.get(cls, ()):
        if dim.attribute is not None and dim.type is str:
            names.add(dim.attribute)
    return frozenset(names)


def _optional_of(t: Any) -> Any:
    if get_origin(t) in (Union, UnionType):
        args = [a for a in get_args(t) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return None


def _slow(out: list[Problem], path: str, value: Any, limit: int, free: bool) -> None:
    if not isinstance(value, str):
        out.append(Problem(path, f"expected text, got {type(value).__name__}"))
        return
    found = text_problem(value, limit, free_text=free)
    if found is not None:
        out.append(Problem(path, found))


def _suspect(var: str, limit: str, free: bool) -> str:
    """A Python test, true exactly when the value has a problem (or is not text at all).

    Cheap for the common case: ``isascii`` is a flag CPython keeps (ASCII text holds
    no surrogate), ``in`` is a C scan, and only text long enough to hold 16 digits is
    searched for an identity number.
    """
    test = (
        f"{var}.__class__ is not str or len({var}) > {limit} or '\\x00' in {var}"
        f" or (not {var}.isascii() and bad({var}) is not None)"
    )
    if not free:
        return test
    # ASCII text is searched only when it holds 16 digits at all (bytes.translate
    # deletes them in C, three times faster than the search it saves)
    digits = f"(not {var}.isascii() or len({var}) - len({var}.encode().translate(None, D)) >= 16)"
    return f"{test} or (len({var}) >= 16 and {digits} and nik({var}) is not None)"


def _fields(cls: type) -> Iterator[tuple[int, str, Any, bool, int, bool]]:
    """(index, name, type, optional, limit, free text) for each field of ``cls``."""
    attrs.resolve_types(cls)
    keys = _key_fields(cls)
    for i, a in enumerate(attrs.fields(cls)):
        inner = _optional_of(a.type)
        t = inner if inner is not None else a.type
        limit = MAX_KEY_LENGTH if _is_id(a.name) or a.name in keys else MAX_TEXT_LENGTH
        yield i, a.name, t, inner is not None, limit, not _is_id(a.name)


_INT64 = (-INT64_MAX - 1, INT64_MAX)


def _int_suspect(var: str) -> str:
    """True when the value is not an int that fits a signed 64-bit column."""
    return f"({var}.__class__ is not int or not {_INT64[0]} <= {var} <= {_INT64[1]})"


def _slow_int(out: list[Problem], path: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        out.append(Problem(path, f"expected a whole number, got {type(value).__name__}"))
    elif not _INT64[0] <= value <= _INT64[1]:
        out.append(
            Problem(path, f"{quote_value(value)} does not fit a signed 64-bit integer column")
        )


_EXACT_SCALARS = (bool, date, datetime)


def _exact(t: Any) -> bool:
    """Types a field must hold exactly (not a subclass, not a look-alike): a flag, a date
    (not a date-time), a member of its own code list (not a label, not another list's)."""
    return t in _EXACT_SCALARS or (isinstance(t, type) and issubclass(t, Enum))


def _exact_items(t: Any) -> Any:
    """The item type of a tuple or frozenset of exact values, else None."""
    if get_origin(t) in (tuple, frozenset):
        args = [a for a in get_args(t) if a is not ...]
        if len(args) == 1 and _exact(args[0]):
            return args[0]
    return None


def _slow_type(out: list[Problem], path: str, value: Any, expected: type) -> None:
    if value.__class__ is expected:
        return
    if issubclass(expected, Enum):
        hint = f"; read text with {expected.__name__}.parse" if isinstance(value, str) else ""
        want = f"a {expected.__name__} member"
    else:
        hint, want = "", f"a {expected.__name__}"
    out.append(
        Problem(path, f"expected {want}, got {type(value).__name__} {quote_value(value)}{hint}")
    )


def _namespace() -> dict[str, Any]:
    return {
        "bad": BAD_CHAR.search,
        "nik": NIK_RUN.search,
        "slow": _slow,
        "slow_int": _slow_int,
        "slow_type": _slow_type,
        "D": b"0123456789",
    }


def _compiled(cls: type, lines: list[str], namespace: dict[str, Any], name: str) -> Any:
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<kk_core values {name} {cls.__name__}>", "exec"), namespace)
    return namespace[name]


def _build_clean(cls: type) -> _Clean:
    """One generated function per class: True when no value needs a closer look.

    This is what every write pays for a valid record: each text field tested inline,
    no path built, nested records by their own function.
    """
    namespace = _namespace()
    lines = ["def clean(r):"]
    for i, name, t, optional, limit, free in _fields(cls):
        namespace[f"L{i}"] = limit
        none = "v is not None and " if optional else ""
        if t is str:
            lines += [f"    v = r.{name}", f"    if {none}({_suspect('v', f'L{i}', free)}):"]
            lines.append("        return False")
        elif get_origin(t) in (tuple, frozenset) and get_args(t)[:1] == (str,):
            lines += [f"    for v in r.{name}:", f"        if {_suspect('v', f'L{i}', free)}:"]
            lines.append("            return False")
        elif t is int:
            lines += [f"    v = r.{name}", f"    if {none}{_int_suspect('v')}:"]
            lines.append("        return False")
        elif _exact(t):
            namespace[f"T{i}"] = t
            lines += [f"    v = r.{name}", f"    if {none}v.__class__ is not T{i}:"]
            lines.append("        return False")
        elif _exact_items(t) is not None:
            namespace[f"T{i}"] = _exact_items(t)
            lines += [f"    for v in r.{name}:", f"        if v.__class__ is not T{i}:"]
            lines.append("            return False")
        elif isinstance(t, type) and attrs.has(t):
            namespace[f"C{i}"] = _cleaner(t)
            lines += [f"    v = r.{name}", f"    if {none}not C{i}(v):", "        return False"]
        elif get_origin(t) is tuple and attrs.has(get_args(t)[0]):
            namespace[f"C{i}"] = _cleaner(get_args(t)[0])
            lines += [f"    for v in r.{name}:", f"        if not C{i}(v):"]
            lines.append("            return False")
        elif not _is_plain(t):
            raise TypeError(f"kk_core.values cannot check {cls.__name__}.{name} of type {t}")
    lines.append("    return True")
    return _compiled(cls, lines, namespace, "clean")  # type: ignore[no-any-return]


def _build(cls: type) -> _Check:
    """One generated function per class that lists every problem with its path (run
    only on records `_build_clean`'s function did not pass)."""
    namespace = {**_namespace(), "checker": _checker}
    lines = ["def check(r, path, out):"]
    for i, name, t, optional, limit, free in _fields(cls):
        namespace[f"L{i}"] = limit
        where = f"path + {'.' + name!r}"
        if t is str:
            none = "v is not None and " if optional else ""
            lines += [
                f"    v = r.{name}",
                f"    if {none}({_suspect('v', f'L{i}', free)}):",
                f"        slow(out, {where}, v, L{i}, {free})",
            ]
        elif get_origin(t) in (tuple, frozenset) and get_args(t)[:1] == (str,):
            at = f"{where} + f'[{{j}}]'" if get_origin(t) is tuple else where
            lines += [
                f"    for j, v in enumerate(r.{name}):",
                f"        if {_suspect('v', f'L{i}', free)}:",
                f"            slow(out, {at}, v, L{i}, {free})",
            ]
        elif t is int:
            none = "v is not None and " if optional else ""
            lines += [
                f"    v = r.{name}",
                f"    if {none}{_int_suspect('v')}:",
                f"        slow_int(out, {where}, v)",
            ]
        elif _exact(t):
            namespace[f"T{i}"] = t
            none = "v is not None and " if optional else ""
            lines += [
                f"    v = r.{name}",
                f"    if {none}v.__class__ is not T{i}:",
                f"        slow_type(out, {where}, v, T{i})",
            ]
        elif _exact_items(t) is not None:
            namespace[f"T{i}"] = _exact_items(t)
            lines += [
                f"    for v in r.{name}:",
                f"        if v.__class__ is not T{i}:",
                f"            slow_type(out, {where}, v, T{i})",
            ]
        elif isinstance(t, type) and attrs.has(t):
            namespace[f"T{i}"] = t
            none = "    if v is not None:\n    " if optional else ""
            lines += [f"    v = r.{name}", f"{none}    checker(T{i})(v, {where}, out)"]
        elif get_origin(t) is tuple and attrs.has(get_args(t)[0]):
            namespace[f"T{i}"] = get_args(t)[0]
            lines += [
                f"    if r.{name}:",
                f"        c = checker(T{i})",
                f"        for j, v in enumerate(r.{name}):",
                f"            c(v, {where} + f'[{{j}}]', out)",
            ]
    lines.append("    return None")
    return _compiled(cls, lines, namespace, "check")  # type: ignore[no-any-return]


def _is_plain(t: Any) -> bool:
    """Types whose values every store keeps as they are (bounded by the records)."""
    if t in (int, bool, date, datetime):
        return True
    if isinstance(t, type) and issubclass(t, Enum):
        return True
    origin = get_origin(t)
    return origin in (tuple, frozenset) and all(_is_plain(a) for a in get_args(t) if a is not ...)


def _checker(cls: type) -> _Check:
    check = _CHECKERS.get(cls)
    if check is None:
        check = _CHECKERS[cls] = _build(cls)
    return check


def _cleaner(cls: type) -> _Clean:
    clean = _CLEAN.get(cls)
    if clean is None:
        clean = _CLEAN[cls] = _build_clean(cls)
    return clean


def record_problems(record: Any, *, path: str | None = None) -> list[Problem]:
    """Every value of ``record`` (an attrs record, nested ones included) no store can keep.

    Paths are in wire names from ``path`` (default: the record's kind), e.g.
    ``case.subject.hamlet_id`` or ``case.timeline[2].note``.
    """
    cls = type(record)
    clean = _CLEAN.get(cls) or _cleaner(cls)
    if clean(record):
        return []
    out: list[Problem] = []
    prefix = path if path is not None else getattr(cls, "kind", cls.__name__)
    _checker(cls)(record, prefix, out)
    return out


def check_record(record: Any) -> None:
    """`ValidationError` listing every value of ``record`` no store can keep; else nothing.

    Call it on every record an adapter writes, before writing anything, unless the
    adapter plans its writes with `kk_core.store.planned_write` (which calls it).
    """
    cls = type(record)
    kind = getattr(cls, "kind", None)
    if isinstance(kind, str) and kind in _record_kinds() and _record_kinds()[kind] is not cls:
        # a subclass would store as its kind but read back as the plain class (or not
        # at all): the same on every store, it is refused
        raise ValidationError(
            [Problem(kind, f"is a {cls.__name__}, a subclass of {kind}'s record class")],
            subject=str(kind),
        )
    clean = _CLEAN.get(cls) or _cleaner(cls)
    if clean(record):
        return
    problems = record_problems(record)
    if problems:
        name = str(getattr(cls, "kind", cls.__name__))
        record_id = getattr(record, "id", None)
        subject = name if not isinstance(record_id, str) else f"{name} {quote_value(record_id)}"
        raise ValidationError(problems, subject=subject)


def _record_kinds() -> Mapping[str, type]:
    from kk_core.kinds import RECORD_KINDS  # (kinds imports the records, which import us)

    return RECORD_KINDS


def check_key(kind: str, record_id: object, version: object = None) -> None:
    """`ValidationError` for an id or a version that no record can have and no driver can
    send (not text, a NUL, a lone surrogate; a version that is not a 64-bit integer).

    Stores call it in ``get`` and ``delete`` so that such an argument is refused the
    same way everywhere instead of failing in the driver.
    """
    problems: list[Problem] = []
    if not isinstance(record_id, str):
        problems.append(Problem("record_id", f"expected text, got {type(record_id).__name__}"))
    elif record_id.__class__ is not str or "\x00" in record_id or not record_id.isascii():
        found = text_problem(record_id, len(record_id), free_text=False)
        if found is not None:
            problems.append(Problem("record_id", f"an id that {found}"))
    if version is not None and (
        not isinstance(version, int)
        or isinstance(version, bool)
        or not _INT64[0] <= version <= _INT64[1]
    ):
        problems.append(
            Problem("version", f"expected a version number, got {quote_value(version)}")
        )
    if problems:
        raise ValidationError(problems, subject=f"{kind} key")
