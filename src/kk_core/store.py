"""The Store port: the one contract every storage adapter fulfils.

Records carry a ``version``. ``put`` takes the record as the caller last read it and
returns it as stored, one version higher; if the store's copy has moved on meanwhile,
`ConflictError` and nothing is written. A ``put`` that would change nothing (same
content as stored) is a no-op whatever version it carries, so imports run twice
change nothing.

Every method that writes, outside ``transaction()``, commits on its own. Inside
``with store.transaction() as tx:`` writes go through ``tx`` and are kept only if
``tx.commit()`` is called before the block ends; an exception or a missing commit
rolls everything back.

Only `kk_core.errors` types leave a store: adapters translate their drivers' errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar, cast, runtime_checkable
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

import attrs

from kk_core.dimensions import Scalar
from kk_core.errors import ConflictError, Problem, quote_value
from kk_core.kinds import Record
from kk_core.values import check_record

__all__ = [
    "Capabilities",
    "Counts",
    "Store",
    "StoreFactory",
    "Transaction",
    "flag_option",
    "options_from_query",
    "planned_write",
    "redact_url",
    "same_content",
    "url_secrets",
    "with_version",
]

R = TypeVar("R", bound=Record)

#: Result of ``count``: a tuple of dimension values → number of records.
Counts = dict[tuple[Scalar, ...], int]


def _frozen_names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(names)


@attrs.frozen
class Capabilities:
    """What a store declares it can do; callers and the contract suite read these.

    ``aggregates`` names the measures of `kk_core.analysis.measures` the store computes
    itself (``"count"``, ``"distinct"``, ``"sum"``, ``"days"``) through a method
    ``aggregate(kind, by, measures, **criteria)``; the analysis reads the records of a
    store that declares none (the default), so a third-party store needs nothing more.
    """

    read_only: bool = False
    transactions: bool = True
    aggregate_pushdown: bool = False
    aggregates: frozenset[str] = attrs.field(
        default=frozenset(), kw_only=True, converter=_frozen_names
    )


class _Reads(Protocol):
    def get(self, kind: type[R], record_id: str) -> R:
        """The record; `NotFoundError` when there is none."""
        ...

    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        """Records matching every criterion (see `kk_core.dimensions`), streamed, in id order."""
        ...

    def count(self, kind: type[Record], /, by: Sequence[str] = (), **criteria: Any) -> Counts:
        """Records per combination of the ``by`` dimensions, among those matching criteria."""
        ...


class _Writes(Protocol):
    def put(self, record: R) -> R:
        """Insert or update (upsert); returns the record as stored, with its new version."""
        ...

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        """Bulk upsert with the same rules as `put`; all or nothing."""
        ...

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        """Remove a record; with ``version``, only if the store's copy is still at it."""
        ...


@runtime_checkable
class Transaction(_Reads, _Writes, Protocol):
    """A unit of work: reads see its own writes; nothing is kept until `commit`."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


@runtime_checkable
class Store(_Reads, _Writes, Protocol):
    """A place records live: memory, SQL, CSV files, a KoboToolbox form…"""

    @property
    def url(self) -> str:
        """The URL it was opened with, with any password or token removed."""
        ...

    @property
    def capabilities(self) -> Capabilities: ...

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def close(self) -> None: ...


class StoreFactory(Protocol):
    """What a plugin registers for a URL scheme: ``factory(url, **options) -> Store``."""

    def __call__(self, url: str, /, **options: Any) -> Store: ...


_SECRET_NAME = re.compile(r"(?i)token|secret|password|passwd|pwd|key|auth|sig")
_QUERY_PAIR = re.compile(r"(^|[&;])([^=&;]*)=([^&;]*)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_TOKEN_AS_USER = re.compile(r"(?i)^(?:[a-z0-9.-]+\+)?https?$")
# what may follow the ``@`` that ends a URL's userinfo: a host (name, IPv4 or [IPv6]),
# an optional port, then the path, query, fragment or the end
_HOST_AFTER_AT = re.compile(r"(?:\[[^\]/?#@\s]*\]|[^/?#@:\[\]\s&=]*)(?::[0-9]*)?(?=[/?#]|$)")
# SQLAlchemy's reading: the userinfo ends at the first ``@`` (``user:pass@``, user without ``:/``)
_SA_USERINFO = re.compile(r"[^:/]*(?::[^@]*)?@")


def _userinfo_end(rest: str) -> int | None:
    """Where the userinfo of ``rest`` (a URL after ``scheme://``) ends, read as widely as
    any parser might: the last ``@`` followed by something shaped like a host.

    A password with an unencoded ``#``, ``/``, ``?`` or ``@`` makes URL parsers disagree
    (``urllib`` ends the authority at the first ``#/?``, SQLAlchemy ends the userinfo at
    the first ``@``); masking up to the widest of those readings hides it from all.
    """
    ends: list[int] = []
    at = rest.find("@")
    while at != -1:
        if _HOST_AFTER_AT.match(rest, at + 1):
            ends.append(at)
        at = rest.find("@", at + 1)
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        ends.append(authority.rindex("@"))  # RFC 3986 / urllib
    sa_reading = _SA_USERINFO.match(rest)
    if sa_reading:
        ends.append(sa_reading.end() - 1)
    return max(ends) if ends else None


#: ``password=…`` and the like in text that is no URL (a libpq keyword string).
_KEYWORD_SECRET = re.compile(
    r"(?i)\b([a-z_]*(?:token|secret|password|passwd|pwd|key|auth|sig)[a-z_]*\s*=\s*)"
    r"('[^']*'|\"[^\"]*\"|\S+)"
)


def _split_secrets(url: str) -> tuple[str, str, str, str | None]:
    """``(scheme://, userinfo, the rest, secret part of the userinfo or None)``."""
    scheme, sep, rest = url.partition("://")
    if not sep or not _SCHEME.match(scheme):
        # ``scheme:user:password@host`` (the ``//`` forgotten): everything between the
        # scheme and the last "@" before the path may be a secret
        scheme, colon, rest = url.partition(":")
        if colon and _SCHEME.match(scheme) and not rest.startswith("//"):
            authority = re.split(r"[/?#]", rest.lstrip("/"), maxsplit=1)[0]
            if "@" in authority:
                cut = rest.index(authority) + authority.rindex("@")
                return f"{scheme}:", rest[:cut], rest[cut:], rest[:cut]
        return "", "", url, None
    end = _userinfo_end(rest)
    if end is None:
        return f"{scheme}://", "", rest, None
    userinfo, after = rest[:end], rest[end:]  # ``after`` starts with the "@"
    _user, colon, password = userinfo.partition(":")
    if colon:
        return f"{scheme}://", userinfo, after, password
    # no password: a user name is no secret, and the "@" may well be in the query
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority and _TOKEN_AS_USER.match(scheme):
        # https://TOKEN@host: the user is the secret
        end = authority.rindex("@")
        return f"{scheme}://", rest[:end], rest[end:], rest[:end]
    return f"{scheme}://", "", rest, None


def _is_secret_name(name: str) -> bool:
    plain = unquote_plus(name)
    # token_env=KOBO_TOKEN names a variable, not a secret
    return bool(_SECRET_NAME.search(plain)) and not plain.lower().endswith("_env")


def _mask_query(text: str) -> str:
    head, mark, query = text.partition("?")
    if not mark:
        return text

    def mask(match: re.Match[str]) -> str:
        if not _is_secret_name(match.group(2)) or match.group(3) == "***":
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}=***"

    return head + mark + _QUERY_PAIR.sub(mask, query)


def redact_url(url: str) -> str:
    """The URL without its password or secret query values, safe for logs and reprs.

    The password is found however the URL is read, so one holding an unencoded ``#``,
    ``/``, ``?`` or ``@`` is hidden too (with whatever text it could run into).
    """
    prefix, userinfo, rest, secret = _split_secrets(url)
    if not prefix:  # no URL at all (a libpq keyword string?): hide ``password=…`` pairs
        return _KEYWORD_SECRET.sub(r"\1***", _mask_query(url))
    if secret is not None:
        user = userinfo.partition(":")[0]
        userinfo = f"{user}:***" if ":" in userinfo and prefix.endswith("//") else "***"
    return prefix + userinfo + _mask_query(rest)


def url_secrets(url: str) -> list[str]:
    """The secret pieces of a URL (password, token user, secret query values), as
    written and percent-decoded: what must never be shown in a message about it."""
    found: list[str] = []
    prefix, _userinfo, rest, secret = _split_secrets(url)
    if secret:
        found.append(secret)
    if not prefix:
        found.extend(m.group(2).strip("'\"") for m in _KEYWORD_SECRET.finditer(url))
    _head, mark, query = rest.partition("?")
    if mark:
        found.extend(m.group(3) for m in _QUERY_PAIR.finditer(query) if _is_secret_name(m.group(2)))
    decoded = [unquote_plus(s) for s in found] + [unquote(s) for s in found]
    unique = dict.fromkeys(s for s in [*found, *decoded] if s and s != "***")
    return sorted(unique, key=len, reverse=True)  # longest first, so none is cut in two


_COPIERS: dict[type, Callable[[Any, int], Any]] = {}


def _make_copier(cls: type) -> Callable[[Any, int], Any]:
    names = [f.name for f in attrs.fields(cls) if f.name != "version"]
    body = "".join(f"    _set(new, {name!r}, record.{name})\n" for name in names)
    source = (
        "def copy_with_version(record, version, _new=_new, _set=_set, cls=cls):\n"
        "    new = _new(cls)\n"
        f"{body}"
        "    _set(new, 'version', version)\n"
        "    return new\n"
    )
    namespace: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__, "cls": cls}
    exec(compile(source, f"<kk copy {cls.__name__}>", "exec"), namespace)
    return cast(Callable[[Any, int], Any], namespace["copy_with_version"])


def with_version(record: Record, version: int) -> Record:
    """``attrs.evolve(record, version=version)`` without re-running converters and checks.

    The record is already valid and only its version changes, so the fields are copied
    as they are (about twice as fast as ``evolve`` on a case).
    """
    cls = type(record)
    copier = _COPIERS.get(cls)
    if copier is None:
        copier = _COPIERS[cls] = _make_copier(cls)
    return cast(Record, copier(record, version))


def planned_write(stored: Record | None, record: R) -> R | None:
    """What a put of ``record`` writes given the store's copy: the next version, or
    ``None`` for a no-op; `ConflictError` when ``record`` was based on a stale version.

    Every adapter applies this same rule, so optimistic concurrency means one thing.
    A record holding a value no store keeps (`kk_core.values.check_record`: NUL, a lone
    surrogate, an over-long id, a NIK in a note…) is a `ValidationError` first.
    """
    check_record(record)
    if stored is None:
        if record.version != 0:
            raise ConflictError(record.kind, record.id, record.version, None)
        return with_version(record, 1)  # type: ignore[return-value]
    if same_content(stored, record):
        return None
    if stored.version != record.version:
        raise ConflictError(record.kind, record.id, record.version, stored.version)
    return with_version(record, stored.version + 1)  # type: ignore[return-value]


def same_content(a: Record, b: Record) -> bool:
    """Equal in everything but ``version``: the test for a no-op put."""
    if type(a) is not type(b):
        return False
    cls: type[Any] = type(a)
    return all(getattr(a, name) == getattr(b, name) for name in _content_fields(cls))


_CONTENT_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _content_fields(cls: type[Any]) -> tuple[str, ...]:
    names = _CONTENT_FIELDS.get(cls)
    if names is None:
        names = _CONTENT_FIELDS[cls] = tuple(
            f.name for f in attrs.fields(cls) if f.name != "version"
        )
    return names


def options_from_query(url: str) -> Mapping[str, str]:
    """Query parameters of a store URL as options (``?timeout=5`` → ``{"timeout": "5"}``)."""
    return dict(parse_qsl(urlsplit(url).query))


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def flag_option(name: str, value: Any, where: str, problems: list[Problem]) -> bool:
    """A true/false store option given as a bool or as text (``?read_only=yes``).

    Text that is neither (``1/true/yes/on``, ``0/false/no/off``, any case) adds a
    `Problem` at ``where`` (``url.query.read_only``, ``options.read_only``) to
    ``problems`` and reads as false, so a factory reports every bad option at once.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    problems.append(
        Problem(where, f"{name}={quote_value(str(value), limit=40)} is not true or false")
    )
    return False
