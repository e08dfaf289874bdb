"""A local HTTP server that answers like KoboToolbox's API v2 (kpi), for the tests.

It listens on 127.0.0.1 only. What it does follows kpi's source, so the client is
tested against the real API's behaviour:

* ``Authorization: Token <token>``; anything else is 401 ``{"detail": "Invalid token."}``;
* ``/api/v2/assets/`` (paged), ``/api/v2/assets/{uid}/`` (with ``content``,
  ``deployed_versions``, ``has_deployment``), ``/api/v2/assets/{uid}/versions/`` and
  ``…/versions/{vid}/`` (with ``content``);
* ``/api/v2/assets/{uid}/data/``: ``{count, next, previous, results}``, ``limit``
  (default 100, silently cut to ``page_cap``, 1000 like ``MAX_API_PAGE_SIZE``),
  ``start``, ``query`` (a MongoDB subset: equality, ``$gt $gte $lt $lte $in $ne``,
  ``$and $or``), ``sort``, ``fields``; ``next`` built from the Host header like DRF's
  ``build_absolute_uri``; sorted by ``_id``; an undeployed asset is 400 "The specified
  asset has not been deployed";
* ``/api/v2/assets/{uid}/data/{id}/``; attachments at their ``download_url``;
* the removed API v1 (``/api/v1/…``, ``/assets/…``) is 410;
* submissions as kpi stores them: answers as text, ``_id``, ``_uuid``,
  ``meta/instanceID``, ``meta/rootUuid`` (``uuid:`` prefixed), ``__version__``,
  ``_submission_time`` (UTC, no zone), ``_validation_status`` ``{}``,
  ``_attachments``, ``_geolocation``, ``_submitted_by``; an edit keeps ``_id``,
  ``_submission_time`` and ``meta/rootUuid`` and gives a new ``_uuid`` with
  ``meta/deprecatedID`` (kpi's ``logger_tools._get_instance``).

Switches for failures: `fail_next` (statuses to answer before serving normally, with
``Retry-After`` for 429), `delay_next` (seconds to wait before answering: timeouts),
`forbidden` (asset uids answering 403), `ignore_fields`, `ignore_query`,
`next_host` (a ``next`` link to another origin), `page_cap`, `max_request_line`
(a longer request line is 414, as nginx answers beyond ``large_client_header_buffers``).

Run it on its own (``python tests/kobo_lookalike.py --submissions 100000``) for the
end-to-end benchmark; it prints its URL and token.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

V1_GONE = (
    "The V1 API has been removed. Please read the migration article at "
    "https://support.kobotoolbox.org/migrating_api.html"
)


class Asset:
    """One form on the server: versions of its content and its submissions."""

    def __init__(
        self, uid: str, name: str, content: dict[str, Any], *, deployed: bool = True
    ) -> None:
        self.uid = uid
        self.name = name
        self.versions: list[tuple[str, dict[str, Any]]] = [(f"v{uid}1", content)]
        self.deployed = deployed
        self.submissions: dict[int, dict[str, Any]] = {}
        self.attachments: dict[str, bytes] = {}

    @property
    def version_id(self) -> str:
        return self.versions[-1][0]

    def add_version(self, content: dict[str, Any]) -> str:
        version = f"v{self.uid}{len(self.versions) + 1}"
        self.versions.append((version, content))
        return version


class KoboLookalike:
    """The server. Use as a context manager, or `start` / `stop`."""

    def __init__(self, *, token: str = "lookalike-token-0123456789", page_cap: int = 1000) -> None:
        self.token = token
        self.page_cap = page_cap
        self.default_limit = 100
        self.assets: dict[str, Asset] = {}
        self.forbidden: set[str] = set()
        self.fail_next: list[int] = []
        self.retry_after: str | None = "1"
        self.delay_next: list[float] = []
        self.ignore_fields = False
        self.ignore_query = False
        self.next_host: str | None = None
        self.max_request_line: int | None = None  # longer: 414, as nginx answers
        self.log: list[tuple[str, dict[str, str]]] = []
        self.auth_seen: list[str] = []
        self._next_id = 1
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> KoboLookalike:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- data ---------------------------------------------------------------------------

    def add_asset(
        self, uid: str, content: dict[str, Any], *, name: str = "", deployed: bool = True
    ) -> Asset:
        asset = Asset(uid, name or uid, content, deployed=deployed)
        self.assets[uid] = asset
        return asset

    def add_submission(
        self,
        uid: str,
        answers: Mapping[str, Any],
        *,
        version: str | None = None,
        submitted_at: datetime | None = None,
        attachments: Mapping[str, bytes] | None = None,
        submitted_by: str | None = "enumerator",
    ) -> dict[str, Any]:
        asset = self.assets[uid]
        with self._lock:
            number = self._next_id
            self._next_id += 1
        instance = str(uuid.uuid4())
        moment = submitted_at or datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
        row: dict[str, Any] = {
            "_id": number,
            "formhub/uuid": f"formhub{uid}",
            **answers,
            "__version__": version or asset.version_id,
            "meta/instanceID": f"uuid:{instance}",
            "meta/rootUuid": f"uuid:{instance}",
            "_xform_id_string": asset.versions[-1][1].get("settings", {}).get("id_string", uid),
            "_uuid": instance,
            "_attachments": [],
            "_status": "submitted_via_web",
            "_geolocation": [None, None],
            "_submission_time": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "_tags": [],
            "_notes": [],
            "_validation_status": {},
            "_submitted_by": submitted_by,
        }
        for name, data in (attachments or {}).items():
            attachment_uid = f"att{number}{len(row['_attachments'])}"
            asset.attachments[attachment_uid] = data
            row["_attachments"].append(
                {
                    "download_url": f"/api/v2/assets/{uid}/attachments/{attachment_uid}/",
                    "mimetype": "image/jpeg",
                    "filename": f"someuser/attachments/formhub{uid}/{instance}/{name}",
                    "media_file_basename": name,
                    "uid": attachment_uid,
                    "is_deleted": False,
                }
            )
        asset.submissions[number] = row
        return row

    def edit_submission(self, uid: str, number: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """An edit as kpi makes it: same ``_id``, ``_submission_time`` and rootUuid; a new
        ``_uuid`` and ``meta/instanceID``; the old one in ``meta/deprecatedID``."""
        asset = self.assets[uid]
        old = asset.submissions[number]
        instance = str(uuid.uuid4())
        new = {**old, **changes}
        for key, value in changes.items():
            if value is None:
                new.pop(key, None)
        new["meta/deprecatedID"] = old["meta/instanceID"]
        new["meta/instanceID"] = f"uuid:{instance}"
        new["_uuid"] = instance
        asset.submissions[number] = new
        return new

    def delete_submission(self, uid: str, number: int) -> None:
        del self.assets[uid].submissions[number]

    # -- answering ------------------------------------------------------------------------

    def handle(
        self, path: str, query: dict[str, str], auth: str, host: str
    ) -> tuple[int, Any, dict[str, str]]:
        self.log.append((path, query))
        self.auth_seen.append(auth)
        if self.delay_next:
            time.sleep(self.delay_next.pop(0))
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "v1"] or parts[:1] == ["assets"]:
            return 410, {"detail": V1_GONE}, {}
        if self.fail_next:
            status = self.fail_next.pop(0)
            headers = (
                {"Retry-After": self.retry_after} if status == 429 and self.retry_after else {}
            )
            detail = "Request was throttled." if status == 429 else "Server Error"
            return status, {"detail": detail}, headers
        if auth != f"Token {self.token}":
            return 401, {"detail": "Invalid token."}, {}
        if parts[:3] != ["api", "v2", "assets"]:
            return 404, {"detail": "Not found."}, {}
        if len(parts) == 3:
            return 200, self._asset_list(query, host, path), {}
        asset = self.assets.get(parts[3])
        if asset is None:
            return 404, {"detail": "Not found."}, {}
        if asset.uid in self.forbidden:
            return 403, {"detail": "You do not have permission to perform this action."}, {}
        rest = parts[4:]
        if not rest:
            return 200, self._asset(asset, host), {}
        if rest[0] == "versions":
            return self._versions(asset, rest[1:], host)
        if rest[0] == "attachments" and len(rest) == 2:
            data = asset.attachments.get(rest[1])
            return (200, data, {}) if data is not None else (404, {"detail": "Not found."}, {})
        if rest[0] == "data":
            if not asset.deployed:
                return 400, {"detail": "The specified asset has not been deployed"}, {}
            if len(rest) == 2:
                found = _one(asset, rest[1])
                if found is None:
                    return 404, {"detail": "Not found."}, {}
                return 200, _absolute(found, host), {}
            return self._data(asset, query, host, path)
        return 404, {"detail": "Not found."}, {}

    def _asset_summary(self, asset: Asset, host: str) -> dict[str, Any]:
        return {
            "url": f"http://{host}/api/v2/assets/{asset.uid}/",
            "uid": asset.uid,
            "name": asset.name,
            "asset_type": "survey",
            "has_deployment": asset.deployed,
            "deployment__active": asset.deployed,
            "deployment__submission_count": len(asset.submissions),
        }

    def _asset_list(self, query: dict[str, str], host: str, path: str) -> dict[str, Any]:
        rows = [self._asset_summary(a, host) for a in self.assets.values()]
        return _page(rows, query, host, path, self.default_limit, self.page_cap, None)

    def _asset(self, asset: Asset, host: str) -> dict[str, Any]:
        version, content = asset.versions[-1]
        return {
            **self._asset_summary(asset, host),
            "content": content,
            "version_id": version,
            "deployed_version_id": version if asset.deployed else None,
            "deployed_versions": {
                "count": len(asset.versions),
                "next": None,
                "previous": None,
                "results": [self._version_summary(asset, v, host) for v, _ in asset.versions],
            },
            "data": f"http://{host}/api/v2/assets/{asset.uid}/data/",
        }

    def _version_summary(self, asset: Asset, version: str, host: str) -> dict[str, Any]:
        return {
            "uid": version,
            "url": f"http://{host}/api/v2/assets/{asset.uid}/versions/{version}/",
            "content_hash": version,
            "date_deployed": "2025-01-01T00:00:00Z" if asset.deployed else False,
            "date_modified": "2025-01-01T00:00:00Z",
        }

    def _versions(
        self, asset: Asset, rest: list[str], host: str
    ) -> tuple[int, Any, dict[str, str]]:
        if not rest:
            rows = [self._version_summary(asset, v, host) for v, _ in asset.versions]
            return 200, {"count": len(rows), "next": None, "previous": None, "results": rows}, {}
        for version, content in asset.versions:
            if version == rest[0]:
                return 200, {**self._version_summary(asset, version, host), "content": content}, {}
        return 404, {"detail": "Not found."}, {}

    def _data(
        self, asset: Asset, query: dict[str, str], host: str, path: str
    ) -> tuple[int, Any, dict[str, str]]:
        try:
            mongo = json.loads(query["query"]) if "query" in query and not self.ignore_query else {}
            fields = (
                json.loads(query["fields"]) if "fields" in query and not self.ignore_fields else []
            )
            sort = json.loads(query["sort"]) if "sort" in query else {}
        except ValueError:
            return 400, {"query": ["Value must be valid JSON."]}, {}
        rows: Iterable[dict[str, Any]]
        wanted = _ids_in(mongo)
        if wanted is not None:
            rows = [asset.submissions[i] for i in sorted(wanted) if i in asset.submissions]
        else:
            rows = (asset.submissions[i] for i in sorted(asset.submissions))
        found = [r for r in rows if _matches(r, mongo)] if mongo else list(rows)
        if sort:
            ((key, direction),) = sort.items()
            found.sort(key=lambda r: r.get(key), reverse=int(direction) < 0)
        page = _page(found, query, host, path, self.default_limit, self.page_cap, self.next_host)
        page["results"] = [_absolute(r, host) for r in page["results"]]
        if fields:
            keep = set(fields)
            page["results"] = [
                {
                    **{k: v for k, v in r.items() if k in keep},
                    # kpi's _inject_properties adds these whatever was asked
                    "_validation_status": r.get("_validation_status", {}),
                    "meta/rootUuid": r["meta/rootUuid"],
                }
                for r in page["results"]
            ]
        return 200, page, {}


def _absolute(row: dict[str, Any], host: str) -> dict[str, Any]:
    """Attachment URLs as kpi gives them: absolute (``versioned_reverse`` with the request)."""
    if not row.get("_attachments"):
        return row
    listed = [
        {**a, "download_url": f"http://{host}{a['download_url']}"}
        if a["download_url"].startswith("/")
        else a
        for a in row["_attachments"]
    ]
    return {**row, "_attachments": listed}


def _one(asset: Asset, key: str) -> dict[str, Any] | None:
    if key.isdigit():
        return asset.submissions.get(int(key))
    for row in asset.submissions.values():
        if row["meta/rootUuid"] in (key, f"uuid:{key}"):
            return row
    return None


def _page(
    rows: list[dict[str, Any]],
    query: dict[str, str],
    host: str,
    path: str,
    default: int,
    cap: int,
    next_host: str | None,
) -> dict[str, Any]:
    """DRF's LimitOffsetPagination as kpi configures it (``start``, ``limit`` cut)."""
    try:
        limit = int(query.get("limit", default))
    except ValueError:
        limit = default
    limit = min(max(limit, 1), cap) if limit > 0 else default
    start = int(query.get("start", query.get("offset", "0")) or 0)
    chunk = rows[start : start + limit]

    def link(offset: int) -> str:
        params = {**query, "limit": str(limit), "start": str(offset)}
        return f"http://{next_host or host}{path}?{urlencode(params)}"

    return {
        "count": len(rows),
        "next": link(start + limit) if start + limit < len(rows) else None,
        "previous": link(max(start - limit, 0)) if start > 0 else None,
        "results": chunk,
    }


def _ids_in(query: Mapping[str, Any]) -> set[int] | None:
    condition = query.get("_id")
    if isinstance(condition, dict) and isinstance(condition.get("$in"), list):
        return {int(i) for i in condition["$in"]}
    return None


def _matches(row: Mapping[str, Any], query: Mapping[str, Any]) -> bool:
    for key, condition in query.items():
        if key == "$and":
            if not all(_matches(row, q) for q in condition):
                return False
            continue
        if key == "$or":
            if not any(_matches(row, q) for q in condition):
                return False
            continue
        value = row.get(key)
        if isinstance(condition, dict):
            for op, operand in condition.items():
                if not _OPS[op](value, operand):
                    return False
        elif value != condition:
            return False
    return True


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": lambda v, o: v is not None and v > o,
    "$gte": lambda v, o: v is not None and v >= o,
    "$lt": lambda v, o: v is not None and v < o,
    "$lte": lambda v, o: v is not None and v <= o,
    "$in": lambda v, o: v in o,
    "$ne": lambda v, o: v != o,
    "$eq": lambda v, o: v == o,
}


def _handler(server: KoboLookalike) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            limit = server.max_request_line
            if limit is not None and len(self.requestline) > limit:
                self.send_response(414)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            status, body, headers = server.handle(
                parts.path,
                query,
                self.headers.get("Authorization", ""),
                self.headers.get("Host", ""),
            )
            if isinstance(body, bytes):
                data, kind = body, "application/octet-stream"
            else:
                data, kind = json.dumps(body).encode("utf-8"), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        do_HEAD = do_GET

    return Handler


def main() -> None:  # pragma: no cover - the benchmark's server process
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=0)
    args = parser.parse_args()
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from kobo_support import BENCH_UID, fill_bench_asset

    server = KoboLookalike()
    fill_bench_asset(server, args.submissions, args.edits)
    url = server.start(args.port)
    print(json.dumps({"url": url, "token": server.token, "asset": BENCH_UID}), flush=True)
    # commands on stdin: "edit N" edits N more submissions (as kpi does: a new _uuid)
    rng = random.Random(34)
    try:
        for line in sys.stdin:
            words = line.split()
            if len(words) == 2 and words[0] == "edit":
                asset = server.assets[BENCH_UID]
                numbers = rng.sample(sorted(asset.submissions), int(words[1]))
                for number in numbers:
                    server.edit_submission(BENCH_UID, number, {"catatan": f"diperbaiki {line}"})
                print(json.dumps({"edited": len(numbers)}), flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    server.stop()


if __name__ == "__main__":
    main()
