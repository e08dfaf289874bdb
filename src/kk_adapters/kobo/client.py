"""A client for the KoboToolbox API v2 (kpi), on httpx (the ``kobo`` extra).

What it follows, from kpi's own source (``kobotoolbox/kpi``; see
``docs/how-to/import-from-kobo.md`` for the references):

* **Auth**: ``Authorization: Token <token>``. The token comes from the ``token``
  argument or an environment variable (``KOBO_TOKEN`` by default) and never appears in
  a repr, a log line, an error message or an exception chain.
* **Data**: ``GET /api/v2/assets/{uid}/data/`` answers ``{count, next, previous,
  results}``; ``limit`` is cut to the server's maximum (1,000 on kpi's default
  settings, ``MAX_API_PAGE_SIZE``) without a word, and is 100 when not given; ``start``
  is the offset; ``query``, ``sort`` and ``fields`` are JSON (a MongoDB query, e.g.
  ``{"_submission_time": {"$gt": "2025-01-01T00:00:00"}}``). The default order is
  ``_id`` ascending. Pages are asked by ``_id`` (``{"_id": {"$gt": <the last one
  read>}}``), not by following ``next``: ``next`` is an offset (DRF's
  ``LimitOffsetPagination``), and a submission deleted while the pages are read shifts
  every later one back, so the offset would skip one. ``next`` still says whether there
  is a page after this one; a server that ignores the query is read by ``next``.
* **Errors**: 401 and 403 (`KoboAuthError`), 404 (`KoboNotFoundError`), 410 for the
  removed API v1 (`KoboGoneError`), 400 "The specified asset has not been deployed"
  (`KoboNotDeployedError`). 429 (honouring ``Retry-After``), 5xx and timeouts are
  retried with exponential backoff and full jitter, then `KoboUnavailableError`.
* **Origin**: the token is only ever sent to the server it was given for. A ``next``
  or attachment URL on another host is refused; one on the same host but over plain
  HTTP (a proxy that does not say it terminates TLS) is read over HTTPS.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from kk_adapters.kobo.errors import (
    KoboAuthError,
    KoboError,
    KoboGoneError,
    KoboNotDeployedError,
    KoboNotFoundError,
    KoboUnavailableError,
)
from kk_adapters.kobo.schema import SchemaSet
from kk_core._text import shorten
from kk_core.errors import Problem, StorageError, ValidationError, quote_value

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_TOKEN_ENV", "MAX_PAGE_SIZE", "MAX_QUERY_CHARS", "KoboClient"]

#: The environment variable the token is read from by default.
DEFAULT_TOKEN_ENV = "KOBO_TOKEN"
#: The most submissions kpi returns in one page (``MAX_API_PAGE_SIZE``, default 1000).
MAX_PAGE_SIZE = 1000
#: The longest ``$in`` list of ``_id``s sent in one request, in URL-encoded characters.
#: The query travels in the request line of a GET, and the proxies in front of kpi
#: refuse long ones (nginx's default ``large_client_header_buffers`` is 8 KiB, answering
#: 414; kpi's own uWSGI ``buffer-size`` is 32 KiB): 1,000 nine-digit ids, as
#: kf.kobotoolbox.org's are, would be ~12,000.
MAX_QUERY_CHARS = 6000
_RETRIED = frozenset({429, 500, 502, 503, 504})
_KOBO_EXTRA = "pip install 'kelompok-konstituen[kobo]'"


class _Token:
    """A secret that shows as ``***`` however it is printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "***"

    __str__ = __repr__


def _token_auth(http: Any, token: _Token) -> httpx.Auth:
    """An `httpx.Auth` that writes the ``Authorization`` header into each request itself:
    no frame of ours holds the header in a local, so a traceback rendered with its
    locals (``capture_locals``, ``pytest -l``) cannot show the token."""

    class _TokenAuth(http.Auth):  # type: ignore[misc]
        __slots__ = ("_token",)

        def __init__(self, secret: _Token) -> None:
            self._token = secret

        def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
            request.headers["Authorization"] = "Token " + self._token.reveal()
            yield request

        def __repr__(self) -> str:
            return "TokenAuth(***)"

    auth: httpx.Auth = _TokenAuth(token)
    return auth


def _import_httpx() -> Any:
    try:
        import httpx
    except ImportError:
        raise StorageError(f"the KoboToolbox client needs httpx: {_KOBO_EXTRA}") from None
    return httpx


class KoboClient:
    """The API v2 of one KoboToolbox server (``https://kf.kobotoolbox.org``,
    ``https://eu.kobotoolbox.org`` or a server of your own).

    Use it as a context manager (or call `close`). ``retries`` is how many times a
    request is tried again after a 429, a 5xx or a timeout; the waits grow as
    ``backoff × 2^attempt`` (at most ``max_wait`` seconds), each drawn at random below
    that (full jitter), or what the server's ``Retry-After`` asks. ``sleep`` and
    ``rand`` are there for tests.
    """

    def __init__(
        self,
        server: str,
        *,
        token: str | None = None,
        token_env: str = DEFAULT_TOKEN_ENV,
        timeout: float = 30.0,
        retries: int = 5,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        page_size: int = MAX_PAGE_SIZE,
        allow_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        parts = urlsplit(server.strip())
        problems = []
        if parts.scheme not in ("https", "http") or not parts.hostname:
            problems.append(Problem("server", f"{quote_value(server)} is not an http(s) URL"))
        elif parts.scheme == "http" and not allow_http and not _loopback(parts.hostname):
            problems.append(
                Problem(
                    "server",
                    "plain http would send the token in clear: use https (or allow_http=True "
                    "for a server on this machine's network you trust)",
                )
            )
        if "/api/v1" in parts.path:
            problems.append(
                Problem("server", "the KoboToolbox API v1 is gone (HTTP 410): give the server only")
            )
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            problems.append(Problem("page_size", f"give 1 to {MAX_PAGE_SIZE}"))
        if retries < 0:
            problems.append(Problem("retries", "give 0 or more"))
        if token is None:
            token = os.environ.get(token_env)
            if not token:
                problems.append(
                    Problem(
                        "token",
                        f"no API token: set the environment variable {token_env} (your "
                        "token is on the account page of the server, 'API key')",
                    )
                )
        if problems:
            raise ValidationError(problems, subject="KoboToolbox client")
        assert token is not None
        http = _import_httpx()
        self.server = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self._origin = (parts.scheme, (parts.hostname or "").lower(), parts.port)
        self._token = _Token(token.strip())
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.page_size = page_size
        self._sleep = sleep
        self._rand = rand
        self._http: httpx.Client = http.Client(
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
            headers={"Accept": "application/json"},
            auth=_token_auth(http, self._token),
        )
        self.requests = 0  # how many HTTP requests were sent (retries included)

    def __repr__(self) -> str:
        # Safe before __init__ has finished (a failed constructor shows ``self`` in a
        # traceback rendered with its locals).
        server = getattr(self, "server", None)
        return f"KoboClient({server!r}, token=***)"

    def __enter__(self) -> KoboClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- requests --------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.server}{path}"

    def _same_origin(self, url: str) -> str:
        """``url`` if it is on this server (an http URL of an https server read over
        https); a `KoboError` otherwise, so the token never goes elsewhere."""
        parts = urlsplit(url)
        scheme, host, port = self._origin
        default = {"http": 80, "https": 443}
        their_port = parts.port or default.get(parts.scheme)
        our_port = port or default.get(scheme)
        same_host = (parts.hostname or "").lower() == host
        if same_host and parts.scheme == scheme and their_port == our_port:
            return url
        if same_host and scheme == "https" and parts.scheme == "http" and parts.port in (None, 80):
            netloc = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
            return urlunsplit(("https", netloc, parts.path, parts.query, ""))
        raise KoboError(
            f"the server pointed to another origin ({_origin_of(url)}); the token is only "
            f"sent to {self.server}"
        )

    def _get(self, url: str, params: Mapping[str, str] | None = None, *, what: str) -> Any:
        response = self._send(url, params, what=what)
        try:
            return response.json()
        except ValueError:
            pass
        raise KoboError(f"{what}: the server's answer is not JSON", status=response.status_code)

    def _send(
        self, url: str, params: Mapping[str, str] | None, *, what: str, stream: bool = False
    ) -> httpx.Response:
        http = _import_httpx()
        url = self._same_origin(url)
        attempt = 0
        while True:
            failure: str | None = None
            response: httpx.Response | None = None
            try:
                self.requests += 1
                request = self._http.build_request("GET", url, params=params)
                response = self._http.send(request, stream=stream)
            except http.TimeoutException:
                failure = "timed out"
            except http.TransportError as exc:
                failure = f"could not connect ({type(exc).__name__})"
            if response is not None and response.status_code not in _RETRIED:
                if response.status_code >= 400:
                    raise self._error(response, what)
                if 300 <= response.status_code < 400:
                    response.close()
                    raise KoboError(
                        f"{what}: the server answered a redirect ({response.status_code}); "
                        f"give its final address as the server",
                        status=response.status_code,
                    )
                return response
            if attempt >= self.retries:
                status = None if response is None else response.status_code
                reason = failure or f"answered {status}"
                if response is not None:
                    response.close()
                raise KoboUnavailableError(
                    f"{what}: the server {reason} after {attempt + 1} tries", status=status
                )
            wait = self._wait(attempt, response)
            if response is not None:
                response.close()
            if wait is None:
                raise KoboUnavailableError(
                    f"{what}: the server asks to wait longer than {self.max_wait:.0f} s "
                    "(Retry-After); try again later",
                    status=429,
                )
            self._sleep(wait)
            attempt += 1

    def _wait(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds before the next try: ``Retry-After`` when the server says (None when
        it asks for more than ``max_wait``), else full jitter below the backoff."""
        if response is not None:
            header: str | None = response.headers.get("Retry-After")
            asked = _retry_after(header)
            if asked is not None:
                return None if asked > self.max_wait else asked
        ceiling = min(self.max_wait, self.backoff * 2.0**attempt)
        return ceiling * self._rand()

    def _error(self, response: httpx.Response, what: str) -> KoboError:
        status = response.status_code
        detail = _detail(response)
        said = f" (the server says: {detail})" if detail else ""
        response.close()
        if status == 401:
            return KoboAuthError(
                f"{what}: the server refused the token (401){said}; check the API token",
                status=status,
            )
        if status == 403:
            return KoboAuthError(
                f"{what}: the token's user may not read this (403){said}; ask the owner to "
                "share it with 'View submissions'",
                status=status,
            )
        if status == 404:
            return KoboNotFoundError(
                f"{what}: not found on {self.server} (404){said}", status=status
            )
        if status == 410:
            return KoboGoneError(
                f"{what}: the server says this API is gone (410){said}; this client uses API v2",
                status=status,
            )
        if status == 400 and "deploy" in detail.lower():
            return KoboNotDeployedError(
                f"{what}: the form is not deployed{said}; deploy it before reading data",
                status=status,
            )
        return KoboError(f"{what}: the server answered {status}{said}", status=status)

    # -- assets and schemas -------------------------------------------------------------

    def assets(self, *, query: str = "asset_type:survey") -> Iterator[dict[str, Any]]:
        """Every asset the token's user can see (forms by default), page by page."""
        url: str | None = self._url("/api/v2/assets/")
        params: dict[str, str] | None = {"q": query, "limit": str(self.page_size)}
        while url is not None:
            page = self._get(url, params, what="list assets")
            yield from _results(page, "list assets")
            url, params = _next(page), None

    def asset(self, uid: str) -> dict[str, Any]:
        """``GET /api/v2/assets/{uid}/``: the asset with its current ``content``."""
        found = self._get(self._url(f"/api/v2/assets/{_uid(uid)}/"), what=f"asset {uid}")
        if not isinstance(found, dict):
            raise KoboError(f"asset {uid}: the server's answer is not an asset")
        return found

    def versions(self, uid: str) -> list[dict[str, Any]]:
        """Every deployed version of the asset, each with its ``content``."""
        listed: list[dict[str, Any]] = []
        url: str | None = self._url(f"/api/v2/assets/{_uid(uid)}/versions/")
        params: dict[str, str] | None = {"limit": str(self.page_size)}
        summaries = []
        while url is not None:
            page = self._get(url, params, what=f"versions of asset {uid}")
            summaries.extend(_results(page, f"versions of asset {uid}"))
            url, params = _next(page), None
        for summary in summaries:
            if summary.get("date_deployed") in (None, False, ""):
                continue  # a draft: no submission was made with it
            version = summary.get("uid") or summary.get("version_id")
            if not isinstance(version, str):
                continue
            detail = self._get(
                self._url(f"/api/v2/assets/{_uid(uid)}/versions/{_uid(version)}/"),
                what=f"version {version} of asset {uid}",
            )
            if isinstance(detail, dict) and isinstance(detail.get("content"), dict):
                listed.append({"uid": version, "content": detail["content"]})
        return listed

    def schemas(self, uid: str, *, asset: Mapping[str, Any] | None = None) -> SchemaSet:
        """Every deployed version of the form, so each submission is typed with the
        version it was made with (``__version__``); `KoboNotDeployedError` for a draft."""
        asset = asset if asset is not None else self.asset(uid)
        _check_deployed(asset, uid)
        bundle = {**asset, "versions": self.versions(uid)}
        return SchemaSet.from_json(bundle, where=f"asset {uid}")

    # -- submissions ----------------------------------------------------------------------

    def pages(
        self,
        uid: str,
        *,
        query: Mapping[str, Any] | None = None,
        since: datetime | None = None,
        fields: Sequence[str] | None = None,
        sort: Mapping[str, int] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """The asset's submissions, one page at a time, to the end.

        Pages are asked by ``_id`` (keyset paging, see the module) unless ``sort`` or a
        ``query`` on ``_id`` is given: then by following ``next``. ``since`` keeps those submitted after that moment (a ``$gt`` on
        ``_submission_time``, which kpi writes in UTC without a zone). Note that
        ``_submission_time`` is the first submission's time and does not change when a
        submission is edited (kpi keeps the instance's ``date_created``): to find edits,
        compare the ``_uuid`` values (what `kk_adapters.kobo.sync.sync` does).
        """
        merged = dict(query or {})
        if since is not None:
            moment = since.astimezone(UTC) if since.tzinfo else since
            merged["_submission_time"] = {"$gt": moment.strftime("%Y-%m-%dT%H:%M:%S")}
        params = {"format": "json", "limit": str(self.page_size)}
        if merged:
            params["query"] = json.dumps(merged, separators=(",", ":"))
        if fields:
            params["fields"] = json.dumps(list(fields), separators=(",", ":"))
        if sort:
            params["sort"] = json.dumps(dict(sort), separators=(",", ":"))
        url = self._url(f"/api/v2/assets/{_uid(uid)}/data/")
        what = f"submissions of asset {uid}"
        if sort or "_id" in merged:
            yield from self._follow(url, params, what)
            return
        params["sort"] = '{"_id":1}'  # the order `last` relies on, asked, not assumed
        last: int | None = None
        while True:
            if last is not None:
                merged["_id"] = {"$gt": last}
                params["query"] = json.dumps(merged, separators=(",", ":"))
            page = self._get(url, params, what=what)
            rows = _results(page, what)
            numbers = [row.get("_id") for row in rows]
            if last is not None and not all(isinstance(n, int) and n > last for n in numbers):
                # the server ignored the query (it gave back what was read): by offset
                # from here, the rows already read left out
                fresh = [r for r, n in zip(rows, numbers, strict=True) if not _at_most(n, last)]
                if fresh:
                    yield fresh
                following = _next(page)
                if following is not None:
                    for later in self._follow(following, None, what):
                        yield [r for r in later if not _at_most(r.get("_id"), last)]
                return
            yield rows
            following = _next(page)
            if following is None or not rows:
                return
            if not all(isinstance(n, int) for n in numbers):
                # rows without a numeric _id (a ``fields`` list without it): by ``next``
                yield from self._follow(following, None, what)
                return
            last = max(numbers)  # type: ignore[type-var]

    def _follow(
        self, url: str, params: Mapping[str, str] | None, what: str
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages by ``next`` links, from ``url`` to the end."""
        current: str | None = url
        seen: set[str] = set()
        while current is not None:
            page = self._get(current, params, what=what)
            yield _results(page, what)
            current, params = _next(page), None
            if current is not None:
                if current in seen:
                    raise KoboError(f"{what}: the server's next page loops back to an earlier one")
                seen.add(current)

    def submissions(
        self,
        uid: str,
        *,
        query: Mapping[str, Any] | None = None,
        since: datetime | None = None,
        fields: Sequence[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The asset's submissions, one at a time, fetched lazily page by page."""
        for page in self.pages(uid, query=query, since=since, fields=fields):
            yield from page

    def submission(self, uid: str, submission_id: int | str) -> dict[str, Any]:
        """One submission by its ``_id`` (or its rootUuid)."""
        found = self._get(
            self._url(f"/api/v2/assets/{_uid(uid)}/data/{_uid(str(submission_id))}/"),
            {"format": "json"},
            what=f"submission {submission_id} of asset {uid}",
        )
        if not isinstance(found, dict):
            raise KoboError(f"submission {submission_id}: the server's answer is not a submission")
        return found

    def submissions_by_id(self, uid: str, ids: Sequence[int]) -> list[dict[str, Any]]:
        """The submissions of these ``_id``s (``$in`` queries of at most a page each, and
        short enough for the request line: see `MAX_QUERY_CHARS`); those deleted
        meanwhile are missing. A server that does not honour the query (answers others)
        is read one submission at a time instead."""
        found: list[dict[str, Any]] = []
        for chunk in _id_chunks(list(ids), self.page_size):
            got = [row for page in self.pages(uid, query={"_id": {"$in": chunk}}) for row in page]
            if any(row.get("_id") not in set(chunk) for row in got):
                got = []
                for submission_id in chunk:
                    try:
                        got.append(self.submission(uid, submission_id))
                    except KoboNotFoundError:
                        continue  # deleted since it was listed
            found.extend(got)
        return found

    def download_attachments(self, submission: Mapping[str, Any], folder: str | Path) -> list[Path]:
        """Save a submission's attachments (``_attachments``) under
        ``folder/<_id>/<file name>``; returns the paths written. A file already there
        with the same size is not fetched again."""
        root = Path(folder)
        number = submission.get("_id")
        saved: list[Path] = []
        for item in submission.get("_attachments") or ():
            if not isinstance(item, Mapping) or item.get("is_deleted"):
                continue
            url = item.get("download_url")
            name = item.get("media_file_basename") or os.path.basename(
                str(item.get("filename", ""))
            )
            if not isinstance(url, str) or not name:
                continue
            safe = _safe_name(str(name))
            target = root / _safe_name(str(number)) / safe
            target.parent.mkdir(parents=True, exist_ok=True)
            response = self._send(url, None, what=f"attachment {safe}", stream=True)
            try:
                partial = target.with_name(target.name + ".part")
                with partial.open("wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                os.replace(partial, target)
            finally:
                response.close()
            saved.append(target)
        return saved

    def save_export(self, uid: str, path: str | Path) -> int:
        """Write the asset (with every deployed version) and all its submissions to one
        JSON file, streamed: ``{"asset": …, "count": n, "results": […]}``, the bundle
        ``kobo+file://`` stores and `kk_adapters.kobo.readers.read_json` read. Returns
        the number of submissions written."""
        asset = self.asset(uid)
        _check_deployed(asset, uid)
        bundle = {**asset, "versions": self.versions(uid)}
        target = Path(path)
        partial = target.with_name(target.name + ".part")
        count = 0
        with partial.open("w", encoding="utf-8") as out:
            out.write('{"asset": ')
            json.dump(bundle, out, ensure_ascii=False)
            out.write(', "results": [\n')
            for page in self.pages(uid):
                for row in page:
                    if count:
                        out.write(",\n")
                    json.dump(row, out, ensure_ascii=False)
                    count += 1
            out.write(f'\n], "count": {count}}}\n')
        os.replace(partial, target)
        return count


def _check_deployed(asset: Mapping[str, Any], uid: str) -> None:
    if asset.get("has_deployment") is False or (
        "has_deployment" not in asset and asset.get("deployment__active") is False
    ):
        raise KoboNotDeployedError(
            f"asset {uid} is not deployed: it has no submissions (deploy the form first)"
        )


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port else "")


_UID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def _uid(value: str) -> str:
    if not isinstance(value, str) or not _UID.match(value):
        raise ValidationError(
            [Problem("uid", f"{quote_value(value)} is not a Kobo uid (letters and digits)")],
            subject="KoboToolbox request",
        )
    return value


def _at_most(number: Any, last: int) -> bool:
    return isinstance(number, int) and number <= last


def _results(page: Any, what: str) -> list[dict[str, Any]]:
    if isinstance(page, list):  # a server that does not paginate
        return [row for row in page if isinstance(row, dict)]
    results = page.get("results") if isinstance(page, dict) else None
    if not isinstance(results, list):
        raise KoboError(f"{what}: the server's answer has no list of results")
    return [row for row in results if isinstance(row, dict)]


def _next(page: Any) -> str | None:
    found = page.get("next") if isinstance(page, dict) else None
    return found if isinstance(found, str) and found else None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def _detail(response: httpx.Response) -> str:
    """The server's own short explanation (DRF's ``{"detail": …}``), bounded and masked."""
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return shorten(detail, 300)
    return ""


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def _safe_name(name: str) -> str:
    """A file name that stays inside its folder (no separators, no ``..``)."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return base[:150] or "attachment"


def _id_chunks(ids: list[int], most: int) -> Iterator[list[int]]:
    """``ids`` cut into lists of at most ``most``, each of which, as a URL-encoded
    ``$in`` list (digits and ``%2C``), stays within `MAX_QUERY_CHARS`."""
    chunk: list[int] = []
    size = 0
    for number in ids:
        cost = len(str(number)) + 3
        if chunk and (len(chunk) >= most or size + cost > MAX_QUERY_CHARS):
            yield chunk
            chunk, size = [], 0
        chunk.append(number)
        size += cost
    if chunk:
        yield chunk
