"""The validating registries handed to discovery hooks (tox style).

A plugin never mutates library state directly: it calls ``registry.add(...)``, which
checks the entry and records which plugin made it, so a clash names both plugins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import attrs

from kk_core._coded import Coded, CodeEntry, CodeList
from kk_core.codes import CODE_LISTS
from kk_core.errors import PluginError
from kk_core.kinds import Record, RecordType, record_type
from kk_core.store import StoreFactory

__all__ = [
    "CodeListRegistry",
    "FormMapping",
    "FormMappingRegistry",
    "Indicator",
    "IndicatorRegistry",
    "Registered",
    "StoreRegistry",
]

T = TypeVar("T")
_SCHEME = re.compile(r"^[a-z][a-z0-9.-]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@attrs.frozen
class Registered(Generic[T]):
    """An entry and the plugin that registered it."""

    value: T
    plugin: str
    description: str = ""


class _Registry(Generic[T]):
    what = "entry"

    def __init__(self) -> None:
        self._entries: dict[str, Registered[T]] = {}
        self.current_plugin = "<unknown>"

    def _add(self, key: str, value: T, description: str = "") -> None:
        existing = self._entries.get(key)
        if existing is not None:
            raise ValueError(
                f"{self.what} {key!r} is registered by both {existing.plugin!r} "
                f"and {self.current_plugin!r}"
            )
        self._entries[key] = Registered(value, self.current_plugin, description)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, key: str) -> Registered[T]:
        return self._entries[key]

    def items(self) -> Iterable[tuple[str, Registered[T]]]:
        return self._entries.items()


class StoreRegistry(_Registry[StoreFactory]):
    """URL scheme → store factory."""

    what = "store scheme"

    def add(self, scheme: str, factory: StoreFactory, *, description: str = "") -> None:
        if not _SCHEME.match(scheme):
            raise ValueError(
                f"store scheme {scheme!r} must be lower-case letters, digits, '.', '-'"
            )
        if not callable(factory):
            raise TypeError(f"the factory for scheme {scheme!r} is not callable")
        self._add(scheme, factory, description)


class FormMapping(Protocol):
    """Turns one form submission (typed values by field path) into domain records."""

    @property
    def form_id(self) -> str: ...

    def map(self, submission: Mapping[str, Any]) -> Sequence[Record]: ...


class FormMappingRegistry(_Registry[FormMapping]):
    what = "form mapping"

    def add(self, form_id: str, mapping: FormMapping, *, description: str = "") -> None:
        if not form_id.strip():
            raise ValueError("a form mapping needs a non-empty form id")
        if not callable(getattr(mapping, "map", None)):
            raise TypeError(f"form mapping for {form_id!r} has no map(submission) method")
        self._add(form_id, mapping, description)


@attrs.frozen
class Indicator:
    """A named count over records: what the KK brings to a musyawarah.

    ``by`` are the dimensions of its table: the rows, then (with two or three) the last
    one across. ``measure`` is a count when None, else a measure (or a tuple of them)
    of `kk_core.analysis.measures` (days between two dates, a sum, a distinct count).
    ``known`` lists, per dimension, the values its rows show (in order) in place of
    its whole code list. `kk_core.analysis.indicator_table` makes the table.
    """

    name: str
    kind: RecordType = attrs.field(converter=record_type)
    label_id: str
    label_en: str
    by: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    criteria: Mapping[str, Any] = attrs.field(factory=dict)
    measure: Any = attrs.field(default=None, kw_only=True)
    known: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict, kw_only=True)

    def __attrs_post_init__(self) -> None:
        from kk_core.dimensions import compile_criteria, dimensions_of

        dims = dimensions_of(self.kind)
        unknown = [b for b in self.by if b not in dims]
        if unknown:
            raise ValueError(f"indicator {self.name}: cannot count by {', '.join(unknown)}")
        compile_criteria(self.kind, self.criteria)
        if self.measure is not None:
            from kk_core.analysis.measures import check_measures

            check_measures(self.kind, self.measure)


class IndicatorRegistry(_Registry[Indicator]):
    what = "indicator"

    def add(self, indicator: Indicator, *, description: str = "") -> None:
        if not isinstance(indicator, Indicator):
            raise TypeError("register an kk_core.registries.Indicator")
        if not _NAME.match(indicator.name):
            raise ValueError(f"indicator name {indicator.name!r} is not snake_case")
        self._add(indicator.name, indicator, description)


class CodeListRegistry:
    """Collects local entries for open code lists; builds the extended lists."""

    def __init__(self, base: Mapping[str, CodeList[Coded]] = CODE_LISTS) -> None:
        self._base = base
        self._local: dict[str, list[tuple[CodeEntry, str]]] = {}
        self.current_plugin = "<unknown>"

    def add(self, list_name: str, *entries: CodeEntry) -> None:
        base = self._base.get(list_name)
        if base is None:
            raise ValueError(f"no code list {list_name!r}; lists: {', '.join(sorted(self._base))}")
        if not base.extensible:
            raise ValueError(
                f"code list {list_name!r} is closed (an enum); it takes no local entries"
            )
        for entry in entries:
            if not isinstance(entry, CodeEntry):
                raise TypeError(
                    f"add CodeEntry objects to {list_name!r}, not {type(entry).__name__}"
                )
            self._local.setdefault(list_name, []).append((entry, self.current_plugin))

    def build(self) -> dict[str, CodeList[Coded]]:
        """The lists with local entries added; a clash names the plugin that caused it."""
        lists = dict(self._base)
        for name, added in self._local.items():
            current = lists[name]
            owners: dict[str, str] = {}  # local code -> plugin that added it
            for entry, plugin in added:
                try:
                    current = current.extended([entry])
                except ValueError as exc:
                    others = sorted(
                        {
                            f"{code!r} comes from plugin {owner!r}"
                            for code, owner in owners.items()
                            if repr(code) in str(exc)
                        }
                    )
                    detail = f"{exc} ({'; '.join(others)})" if others else str(exc)
                    raise PluginError(plugin, "kk_extend_code_lists", detail) from None
                owners[entry.code] = plugin
            lists[name] = current
        return lists
