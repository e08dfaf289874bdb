"""Machinery behind the code lists: labelled enums and forgiving lookup.

Field workers type "Perkawinan anak", analysts type "child_marriage", a partner's CSV
says "PERKAWINAN-ANAK": all three must land on the same stable code, and a typo must
come back with a suggestion rather than a bare KeyError.
"""

from __future__ import annotations

import difflib
import enum
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, Self, TypeVar

import attrs

from kk_core._checks import as_tuple
from kk_core.errors import CodeError

__all__ = ["CodeEntry", "CodeList", "Coded", "entries_of", "normalize_label"]

_SEPARATORS = re.compile(r"[\s_\-./]+")


def normalize_label(text: str) -> str:
    """Fold case, accents and separators so that labels compare the way people read them."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", bare.casefold()).strip()


class Coded(enum.StrEnum):
    """A closed code list: members are stable snake_case codes carrying bilingual labels.

    Declare members as ``CODE = ("code", "Label (id)", "Label (en)", "description")``,
    optionally followed by other names people use for it (``("KIS", "JKN-KIS")``), which
    lookups accept too.
    """

    label_id: str
    label_en: str
    description: str
    aliases: tuple[str, ...]

    def __new__(
        cls,
        code: str,
        label_id: str = "",
        label_en: str = "",
        description: str = "",
        aliases: tuple[str, ...] = (),
    ) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label_id = label_id or code
        member.label_en = label_en or code
        member.description = description
        member.aliases = aliases
        return member

    @classmethod
    def parse(cls, value: str | Self) -> Self:
        """The member named by a code or a label in either language (forgiving of case/accents)."""
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except ValueError:
            pass
        entry = code_list_of(cls).lookup(value)
        return cls(entry.code)


@attrs.frozen
class CodeEntry:
    """One entry of a code list, closed or local.

    ``parent`` is the core code a local entry rolls up to, in a list with a core (a
    local place ``pondok_pesantren`` under SIMFONI's ``school``): counts by the core
    still add up to the national list. ``aliases`` are other names people use for it.
    """

    code: str
    label_id: str
    label_en: str
    description: str = ""
    local: bool = attrs.field(default=False, kw_only=True)
    parent: str | None = attrs.field(default=None, kw_only=True)
    aliases: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=as_tuple)

    def label(self, lang: str = "id") -> str:
        """The label in ``"id"`` (Indonesian) or ``"en"`` (English)."""
        return self.label_en if lang == "en" else self.label_id


_E = TypeVar("_E", bound=Coded)
#: Longer text names no entry: it is refused without normalising or matching it.
_LONGEST_LABEL = 200
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class CodeList(Generic[_E]):
    """A named, versioned list of entries with lookup by code or label.

    Closed lists mirror an enum (``of``); open lists accept local entries from plugins
    (``extended``) without editing the library.
    """

    __slots__ = (
        "_by_code",
        "_index",
        "core",
        "entries",
        "enum",
        "extensible",
        "name",
        "source",
        "version",
    )

    def __init__(
        self,
        name: str,
        entries: Iterable[CodeEntry],
        *,
        version: str,
        enum: type[_E] | None = None,
        extensible: bool = False,
        core: type[Coded] | None = None,
        source: str = "",
    ) -> None:
        self.name = name
        self.version = version
        self.enum = enum
        self.extensible = extensible
        #: The closed list every entry rolls up to (SIMFONI's places, say), if any: its
        #: members are entries of this list, and every other entry names one as parent.
        self.core = core
        #: Where the list comes from (a regulation, a national system), for the docs.
        self.source = source
        self.entries: tuple[CodeEntry, ...] = tuple(entries)
        self._index: dict[str, CodeEntry] = {}
        self._by_code: dict[str, CodeEntry] = {}
        core_codes = {m.value for m in core} if core is not None else set()
        for entry in self.entries:
            if entry.code in self._by_code:
                raise ValueError(f"code list {name}: code {entry.code!r} appears twice")
            self._by_code[entry.code] = entry
            if not _CODE_RE.match(entry.code):
                raise ValueError(f"code list {name}: code {entry.code!r} is not snake_case")
            if core is not None and entry.code not in core_codes:
                if entry.parent not in core_codes:
                    raise ValueError(
                        f"code list {name}: local entry {entry.code!r} must name its parent, "
                        f"one of the core codes {', '.join(sorted(core_codes))}"
                    )
            elif entry.parent is not None and core is None:
                raise ValueError(f"code list {name} has no core: {entry.code!r} takes no parent")
            for key in (entry.code, entry.label_id, entry.label_en, *entry.aliases):
                norm = normalize_label(key)
                known = self._index.get(norm)
                if known is not None and known.code != entry.code:
                    raise ValueError(
                        f"code list {name}: {key!r} names both {known.code!r} and {entry.code!r}"
                    )
                self._index[norm] = entry

    @classmethod
    def of(cls, enum_cls: type[_E], *, name: str, version: str, source: str = "") -> CodeList[_E]:
        return cls(name, entries_of(enum_cls), version=version, enum=enum_cls, source=source)

    def __iter__(self) -> Iterator[CodeEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and normalize_label(value) in self._index

    def __repr__(self) -> str:
        return f"CodeList({self.name!r}, version={self.version!r}, {len(self.entries)} entries)"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.entries)

    def get(self, code: str) -> CodeEntry | None:
        """The entry with exactly this code (no label lookup), or None."""
        return self._by_code.get(code)

    def core_of(self, code: str) -> str | None:
        """The core code an entry rolls up to (itself for a core entry); None for a code
        the list does not hold, or a list without a core."""
        if self.core is None:
            return None
        entry = self._by_code.get(code)
        if entry is None:
            return None
        return entry.parent or entry.code

    def lookup(self, value: str) -> CodeEntry:
        """The entry named by ``value``; `CodeError` with close matches when there is none."""
        if not isinstance(value, str) or len(value) > _LONGEST_LABEL:
            raise CodeError(self.name, value)  # (no suggestions: matching is quadratic)
        entry = self._index.get(normalize_label(value))
        if entry is None:
            raise CodeError(self.name, value, self.suggest(value))
        return entry

    def suggest(self, value: str, limit: int = 3) -> list[str]:
        """Codes whose code or labels are close to ``value``."""
        matches = difflib.get_close_matches(
            normalize_label(value), self._index, n=limit * 3, cutoff=0.6
        )
        seen: dict[str, None] = {}
        for m in matches:
            seen.setdefault(self._index[m].code, None)
        return list(seen)[:limit]

    def extended(self, entries: Iterable[CodeEntry]) -> CodeList[_E]:
        """A new list with local entries added; closed lists refuse (their codes are an enum)."""
        if not self.extensible:
            raise ValueError(f"code list {self.name} is closed; local entries are not allowed")
        local = [attrs.evolve(e, local=True) for e in entries]
        return CodeList(
            self.name,
            (*self.entries, *local),
            version=self.version,
            enum=self.enum,
            extensible=True,
            core=self.core,
            source=self.source,
        )

    def as_mapping(self, lang: str = "id") -> Mapping[str, str]:
        """code → label, e.g. for a form's choices list."""
        return {e.code: e.label(lang) for e in self.entries}


def entries_of(enum_cls: type[Coded]) -> tuple[CodeEntry, ...]:
    """The entries of a closed list, from its enum."""
    return tuple(
        CodeEntry(m.value, m.label_id, m.label_en, m.description, aliases=m.aliases)
        for m in enum_cls
    )


_BY_ENUM: dict[type[Coded], CodeList[Coded]] = {}


def register_enum_list(code_list: CodeList[_E]) -> CodeList[_E]:
    if code_list.enum is None:
        raise ValueError("only enum-backed lists are registered by enum")
    _BY_ENUM[code_list.enum] = code_list  # type: ignore[assignment]
    return code_list


def code_list_of(enum_cls: type[_E]) -> CodeList[_E]:
    try:
        return _BY_ENUM[enum_cls]  # type: ignore[return-value]
    except KeyError:
        raise LookupError(f"{enum_cls.__name__} has no registered code list") from None
