"""A KoboToolbox form as a read-only store: ``kobo+https://…`` and ``kobo+file://…``.

* ``kobo+https://kf.kobotoolbox.org/ASSET_UID?token_env=KOBO_TOKEN`` — the asset's
  submissions through the API v2 (`kk_adapters.kobo.client.KoboClient`); the token is
  read from the named environment variable (``KOBO_TOKEN`` by default) or given as the
  ``token`` option, never in the URL. ``kobo+http://`` only for a server on this
  machine (``127.0.0.1``, ``localhost``) unless ``allow_http=true``.
* ``kobo+file:///path/export.json`` (or ``.jsonl``, ``.csv``, ``.xlsx``) — an export
  file; the form's schema comes from the ``schema`` option (the asset's JSON), from
  the file itself (a bundle `KoboClient.save_export` wrote), or from
  ``export.asset.json`` beside it.

The mapping from the form to records is the ``mapping`` option (a TOML file's path or a
mapping object), else the one a plugin registered (``kk_register_form_mappings``) under
the asset's uid or the form's id. It is checked against the form when the store opens.

``find``, ``get`` and ``count`` read every submission, map it and keep the records
(until `KoboStore.refresh`); submissions that cannot be mapped are left out and listed
in ``last_report``. To copy into another store, incrementally and with a report, use
`kk_adapters.kobo.sync.sync`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from kk_adapters.kobo.client import DEFAULT_TOKEN_ENV, MAX_PAGE_SIZE, KoboClient
from kk_adapters.kobo.importing import PAGE_SIZE
from kk_adapters.kobo.mapping import KoboFormMapping, MapContext
from kk_adapters.kobo.mapping_file import load_mapping
from kk_adapters.kobo.readers import JsonDump, read_json, read_submissions
from kk_adapters.kobo.report import SubmissionCounts, SyncReport, reject
from kk_adapters.kobo.schema import FormSchema, SchemaSet
from kk_adapters.kobo.submissions import SubmissionTyper
from kk_core.dimensions import compile_criteria, count_by, matches
from kk_core.errors import (
    KKError,
    NotFoundError,
    Problem,
    ReadOnlyError,
    StorageError,
    ValidationError,
    quote_value,
)
from kk_core.kinds import Record, record_type
from kk_core.plugins import Plugins, get_plugins
from kk_core.privacy import pseudonymise
from kk_core.registries import FormMapping
from kk_core.store import Capabilities, Counts, flag_option, options_from_query, redact_url
from kk_core.values import check_key

__all__ = ["KoboStore", "open_kobo_store"]

R = TypeVar("R", bound=Record)

_OPTIONS = {
    "token",
    "token_env",
    "mapping",
    "schema",
    "page_size",
    "timeout",
    "retries",
    "allow_http",
    "group_sep",
    "client",
    "plugins",
}


class KoboStore:
    """A Kobo form's submissions as records (read-only); see the module docstring.

    ``asset_uid`` is set for an API store, ``path`` for a file store; ``schemas`` holds
    every version of the form; ``mapping`` is the form's mapping.
    """

    def __init__(
        self,
        url: str,
        *,
        schemas: SchemaSet,
        mapping: FormMapping,
        client: KoboClient | None = None,
        asset_uid: str | None = None,
        path: Path | None = None,
        group_sep: str = "/",
        plugins: Plugins | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._url = redact_url(url)
        self.schemas = schemas
        self.mapping = mapping
        self.client = client
        self.asset_uid = asset_uid
        self.path = path
        self.group_sep = group_sep
        self.plugins = plugins
        self.page_size = page_size
        self.typer = SubmissionTyper(schemas)
        self._records: dict[str, list[Record]] | None = None
        self.last_report: SyncReport | None = None

    def __repr__(self) -> str:
        return f"KoboStore({self._url!r})"

    @property
    def url(self) -> str:
        return self._url

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(read_only=True, transactions=True, aggregate_pushdown=False)

    @property
    def is_api(self) -> bool:
        return self.client is not None

    # -- reading ---------------------------------------------------------------------

    def pages(self) -> Iterator[list[dict[str, Any]]]:
        """Every raw submission, a page at a time (as the API gives them)."""
        if self.client is not None:
            assert self.asset_uid is not None
            yield from self.client.pages(self.asset_uid)
            return
        assert self.path is not None
        rows = read_submissions(self.path, self.schemas, group_sep=self.group_sep)
        while page := list(itertools.islice(rows, self.page_size)):
            yield page

    def _load(self) -> dict[str, list[Record]]:
        if self._records is not None:
            return self._records
        plugins = self.plugins if self.plugins is not None else get_plugins()
        key = plugins.pseudonym_key()
        context = MapContext(pseudonymise=None if key is None else _pseudonymiser(key))
        by_kind: dict[str, dict[str, Record]] = {}
        rejects = []
        counts = SubmissionCounts()
        hidden = _hidden(self.mapping)
        for page in self.pages():
            for raw in page:
                sub = self.typer.type(raw)
                problems = list(sub.problems)
                records: Sequence[Record] = ()
                if not problems:
                    try:
                        if isinstance(self.mapping, KoboFormMapping):
                            records = self.mapping.map_submission(sub, context)
                        else:
                            records = list(self.mapping.map(sub.values))
                    except ValidationError as error:
                        problems.extend(error.problems)
                    except KKError as error:
                        problems.append(Problem("mapping", str(error)))
                if problems:
                    rejects.append(
                        reject(
                            sub.where(),
                            problems,
                            raw,
                            number=sub.number,
                            key=sub.key,
                            hidden=hidden,
                        )
                    )
                    counts = SubmissionCounts(counts.new, 0, 0, counts.rejected + 1)
                    continue
                counts = SubmissionCounts(counts.new + 1, 0, 0, counts.rejected)
                for record in records:
                    by_kind.setdefault(record.kind, {})[record.id] = record
        self.last_report = SyncReport(self._url, rejects=tuple(rejects), submissions=counts)
        self._records = {
            kind: sorted(found.values(), key=lambda r: r.id) for kind, found in by_kind.items()
        }
        return self._records

    def refresh(self) -> None:
        """Forget the records read, so the next ``find`` reads the form again."""
        self._records = None

    def get(self, kind: type[R], record_id: str) -> R:
        cls = record_type(kind)
        check_key(cls.kind, record_id)
        for record in self._load().get(cls.kind, ()):
            if record.id == record_id:
                return record  # type: ignore[return-value]
        raise NotFoundError(cls.kind, record_id)

    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        cls = record_type(kind)
        conditions = compile_criteria(cls, criteria)
        found = [r for r in self._load().get(cls.kind, ()) if matches(r, conditions)]
        return iter(found)  # type: ignore[arg-type]

    def count(self, kind: type[Record], /, by: Sequence[str] = (), **criteria: Any) -> Counts:
        cls = record_type(kind)
        return count_by(self._load().get(cls.kind, []), cls, by, compile_criteria(cls, criteria))

    # -- writes are refused -------------------------------------------------------------

    def _refuse(self) -> ReadOnlyError:
        return ReadOnlyError(f"{self._url} is read-only (a KoboToolbox form)")

    def put(self, record: R) -> R:
        raise self._refuse()

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        raise self._refuse()

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        raise self._refuse()

    @contextmanager
    def transaction(self) -> Iterator[_ReadTransaction]:
        yield _ReadTransaction(self)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


class _ReadTransaction:
    """Reads of the store; writes refused; commit and rollback do nothing."""

    def __init__(self, store: KoboStore) -> None:
        self._store = store

    def get(self, kind: type[R], record_id: str) -> R:
        return self._store.get(kind, record_id)

    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        return self._store.find(kind, **criteria)

    def count(self, kind: type[Record], /, by: Sequence[str] = (), **criteria: Any) -> Counts:
        return self._store.count(kind, by, **criteria)

    def put(self, record: R) -> R:
        raise self._store._refuse()

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        raise self._store._refuse()

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        raise self._store._refuse()

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        return None


def _pseudonymiser(key: bytes) -> Any:
    def make(nik: str) -> str:
        return pseudonymise(nik, key)

    return make


def _hidden(mapping: FormMapping) -> frozenset[str]:
    from kk_adapters.kobo.importing import _hidden_paths

    return _hidden_paths(mapping)


# -- opening by URL ---------------------------------------------------------------------------


def open_kobo_store(url: str, /, **options: Any) -> KoboStore:
    """Factory for ``kobo+https://``, ``kobo+http://`` and ``kobo+file://`` URLs.

    Options (keywords, or the URL's query): ``token`` / ``token_env``, ``mapping``,
    ``schema``, ``page_size``, ``timeout``, ``retries``, ``allow_http``, ``group_sep``;
    keywords only: ``client`` (a `KoboClient` to use), ``plugins``. Every bad option is
    a problem of one `ValidationError`.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = dict(options_from_query(url))
    subject = f"store URL {quote_value(redact_url(url), limit=120)}"
    if "token" in query:
        raise ValidationError(
            [
                Problem(
                    "url.query.token",
                    "a token in a URL ends up in logs and shell history: put it in an "
                    f"environment variable and name it (token_env={DEFAULT_TOKEN_ENV})",
                )
            ],
            subject=subject,
        )
    settings: dict[str, Any] = {**query, **options}
    problems = [
        Problem(f"options.{k}", f"unknown kobo store option (known: {', '.join(sorted(_OPTIONS))})")
        for k in sorted(set(settings) - _OPTIONS)
    ]
    allow_http = flag_option(
        "allow_http", settings.get("allow_http", False), "options.allow_http", problems
    )
    page_size = _int_option(settings, "page_size", PAGE_SIZE, problems, 1, MAX_PAGE_SIZE)
    retries = _int_option(settings, "retries", 5, problems, 0, 20)
    timeout = _float_option(settings, "timeout", 30.0, problems)
    plugins = settings.get("plugins")
    if plugins is not None and not isinstance(plugins, Plugins):
        problems.append(Problem("options.plugins", "expected a kk_core.plugins.Plugins"))
    group_sep = settings.get("group_sep", "/")
    if problems:
        raise ValidationError(problems, subject=subject)
    if scheme == "kobo+file":
        raw_path = unquote(parts.netloc + parts.path)
        path = Path(raw_path)
        schemas = _file_schemas(path, settings.get("schema"))
        mapping = _mapping(settings.get("mapping"), schemas, None, plugins)
        return KoboStore(
            url,
            schemas=schemas,
            mapping=mapping,
            path=path,
            group_sep=group_sep,
            plugins=plugins,
            page_size=page_size,
        )
    if scheme not in ("kobo+https", "kobo+http", "kobo"):
        raise ValidationError(
            [
                Problem(
                    "url", "a Kobo store URL is kobo+https://server/ASSET_UID or kobo+file:///path"
                )
            ],
            subject=subject,
        )
    segments = [s for s in parts.path.split("/") if s]
    if "v1" in segments and "api" in segments:
        raise ValidationError(
            [
                Problem(
                    "url.path", "the KoboToolbox API v1 is gone (HTTP 410): give server/ASSET_UID"
                )
            ],
            subject=subject,
        )
    if "assets" in segments and segments.index("assets") + 1 < len(segments):
        at = segments.index("assets")  # an API URL pasted: …/api/v2/assets/UID/…
        uid, prefix = segments[at + 1], segments[: max(at - 2, 0)]
    elif segments:
        uid, prefix = segments[-1], segments[:-1]
    else:
        raise ValidationError(
            [Problem("url.path", "give the asset uid: kobo+https://server/ASSET_UID")],
            subject=subject,
        )
    http_scheme = "http" if scheme == "kobo+http" else "https"
    server = f"{http_scheme}://{parts.netloc}" + ("/" + "/".join(prefix) if prefix else "")
    client = settings.get("client")
    if client is None:
        client = KoboClient(
            server,
            token=settings.get("token"),
            token_env=settings.get("token_env", DEFAULT_TOKEN_ENV),
            timeout=timeout,
            retries=retries,
            page_size=page_size,
            allow_http=allow_http,
        )
    elif not isinstance(client, KoboClient):
        raise ValidationError([Problem("options.client", "expected a KoboClient")], subject=subject)
    try:
        asset = client.asset(uid)
        schemas = client.schemas(uid, asset=asset)
        mapping = _mapping(settings.get("mapping"), schemas, uid, plugins)
    except BaseException:
        if settings.get("client") is None:
            client.close()
        raise
    return KoboStore(
        url,
        schemas=schemas,
        mapping=mapping,
        client=client,
        asset_uid=uid,
        group_sep=group_sep,
        plugins=plugins,
        page_size=page_size,
    )


def _int_option(
    settings: Mapping[str, Any],
    name: str,
    default: int,
    problems: list[Problem],
    low: int,
    high: int,
) -> int:
    value = settings.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        problems.append(Problem(f"options.{name}", f"give a whole number from {low} to {high:,}"))
        return default
    return number


def _float_option(
    settings: Mapping[str, Any], name: str, default: float, problems: list[Problem]
) -> float:
    value = settings.get(name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0 < number <= 3600:
        problems.append(Problem(f"options.{name}", "give seconds, more than 0"))
        return default
    return number


def _file_schemas(path: Path, schema: Any) -> SchemaSet:
    if isinstance(schema, SchemaSet):
        return schema
    if isinstance(schema, FormSchema):
        return SchemaSet.single(schema)
    if isinstance(schema, str | Path):
        return SchemaSet.load(schema)
    if schema is not None:
        raise ValidationError(
            [Problem("options.schema", "expected a path to the asset JSON, or a schema")],
            subject="kobo store",
        )
    if not path.exists():
        raise StorageError(f"no export file {path.name}")
    if path.suffix.lower() == ".json":
        dump = JsonDump()
        rows = read_json(path, dump=dump)
        try:
            next(rows, None)  # the bundle's asset comes before its results
        finally:
            rows.close()
        asset = dump.header.get("asset")
        if isinstance(asset, Mapping):
            return SchemaSet.from_json(asset, where=f"{path.name} asset")
    beside = path.with_name(path.stem + ".asset.json")
    if beside.exists():
        return SchemaSet.load(beside)
    raise ValidationError(
        [
            Problem(
                "options.schema",
                f"no form schema for {path.name}: give schema=PATH (the asset's JSON from "
                f"/api/v2/assets/UID/) or save it as {beside.name}",
            )
        ],
        subject="kobo store",
    )


def _mapping(
    given: Any, schemas: SchemaSet, asset_uid: str | None, plugins: Plugins | None
) -> FormMapping:
    if isinstance(given, str | Path):
        return load_mapping(given, schemas)
    if given is not None:
        if not callable(getattr(given, "map", None)):
            raise ValidationError(
                [Problem("options.mapping", "expected a TOML file's path or a form mapping")],
                subject="kobo store",
            )
        if isinstance(given, KoboFormMapping):
            given.check(schemas)
        return given  # type: ignore[no-any-return]
    registered = (plugins if plugins is not None else get_plugins()).form_mappings
    for key in (asset_uid, schemas.form_id):
        if key is not None and key in registered:
            found = registered[key].value
            if isinstance(found, KoboFormMapping):
                found.check(schemas)
            return found
    known = ", ".join(sorted(registered)) or "none"
    names = " or ".join(quote_value(k) for k in (asset_uid, schemas.form_id) if k)
    raise ValidationError(
        [
            Problem(
                "options.mapping",
                f"no mapping for form {names}: give mapping=PATH.toml, or register one "
                f"(kk_register_form_mappings; registered: {known})",
            )
        ],
        subject="kobo store",
    )
