"""The KoboToolbox client against a local look-alike of the API v2 (loopback only)."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kk_adapters.kobo.client import KoboClient
from kk_adapters.kobo.errors import (
    KoboAuthError,
    KoboError,
    KoboGoneError,
    KoboNotDeployedError,
    KoboNotFoundError,
    KoboUnavailableError,
)
from kk_adapters.kobo.readers import read_json
from kk_core.errors import KKError, StorageError, ValidationError
from kobo_lookalike import KoboLookalike
from kobo_support import LPA_FORM, LPA_UID, lpa_answers


@pytest.fixture
def server() -> Iterator[KoboLookalike]:
    with KoboLookalike(page_cap=1000) as running:
        running.add_asset(LPA_UID, LPA_FORM, name="Kasus LPA")
        yield running


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client_for(server: KoboLookalike, **options: object) -> KoboClient:
    options.setdefault("sleep", Sleeps())
    return KoboClient(server.url, token=server.token, **options)  # type: ignore[arg-type]


def _fill(server: KoboLookalike, n: int) -> None:
    for i in range(1, n + 1):
        server.add_submission(LPA_UID, lpa_answers(i))


def test_every_page_is_read_by_id(server: KoboLookalike) -> None:
    """Pages are asked by ``_id`` after the last one read, not by offset."""
    _fill(server, 2_345)
    with client_for(server) as client:
        pages = list(client.pages(LPA_UID))
    assert [len(p) for p in pages] == [1000, 1000, 345]
    assert [row["_id"] for page in pages for row in page] == list(range(1, 2_346))
    data = [q for path, q in server.log if path.endswith("/data/")]
    assert [q.get("query") for q in data] == [
        None,
        '{"_id":{"$gt":1000}}',
        '{"_id":{"$gt":2000}}',
    ]
    assert all(q.get("start") is None for q in data)
    assert all(q["limit"] == "1000" for q in data)
    assert all(q["sort"] == '{"_id":1}' for q in data)  # the order paging relies on


def test_rows_without_their_id_are_read_by_next(server: KoboLookalike) -> None:
    server.page_cap = 100
    _fill(server, 250)
    with client_for(server) as client:
        rows = [r for page in client.pages(LPA_UID, fields=["_uuid"]) for r in page]
    assert len(rows) == 250
    assert len({r["_uuid"] for r in rows}) == 250


def test_a_submission_deleted_while_pages_are_read_skips_no_other(
    server: KoboLookalike,
) -> None:
    """By offset, deleting #10 after the first page would shift #21 into the first
    page's place and the second page would start at #22."""
    server.page_cap = 20
    _fill(server, 50)
    with client_for(server) as client:
        pages = client.pages(LPA_UID)
        first = next(pages)
        server.delete_submission(LPA_UID, 10)
        rest = [row for page in pages for row in page]
    assert [r["_id"] for r in first] == list(range(1, 21))
    assert [r["_id"] for r in rest] == list(range(21, 51))


def test_a_server_that_ignores_the_query_is_read_by_next(server: KoboLookalike) -> None:
    server.ignore_query = True
    server.page_cap = 100
    _fill(server, 250)
    with client_for(server) as client:
        rows = [row["_id"] for page in client.pages(LPA_UID) for row in page]
    assert rows == list(range(1, 251))


def test_with_a_sort_of_its_own_pages_follow_next(server: KoboLookalike) -> None:
    server.page_cap = 100
    _fill(server, 250)
    with client_for(server) as client:
        rows = [row["_id"] for page in client.pages(LPA_UID, sort={"_id": -1}) for row in page]
    assert rows == list(range(250, 0, -1))
    data = [q for path, q in server.log if path.endswith("/data/")]
    assert [q.get("start") for q in data] == [None, "100", "200"]


def test_a_smaller_cap_is_followed_too(server: KoboLookalike) -> None:
    """A server whose maximum page is smaller cuts ``limit`` silently: ``next`` says so."""
    server.page_cap = 100
    _fill(server, 250)
    with client_for(server) as client:
        rows = list(client.submissions(LPA_UID))
    assert len(rows) == 250
    assert len({row["_id"] for row in rows}) == 250


def test_submissions_are_read_lazily(server: KoboLookalike) -> None:
    _fill(server, 2_500)
    with client_for(server) as client:
        rows = client.submissions(LPA_UID)
        first = next(rows)
        assert first["_id"] == 1
        assert sum(1 for path, _ in server.log if path.endswith("/data/")) == 1


def test_since_filters_by_submission_time(server: KoboLookalike) -> None:
    for minute in range(10):
        server.add_submission(
            LPA_UID, lpa_answers(minute), submitted_at=datetime(2025, 3, 1, 0, minute, tzinfo=UTC)
        )
    with client_for(server) as client:
        rows = list(client.submissions(LPA_UID, since=datetime(2025, 3, 1, 0, 5, tzinfo=UTC)))
    assert [r["_submission_time"] for r in rows] == [
        "2025-03-01T00:06:00",
        "2025-03-01T00:07:00",
        "2025-03-01T00:08:00",
        "2025-03-01T00:09:00",
    ]
    query = json.loads(server.log[-1][1]["query"])
    assert query == {"_submission_time": {"$gt": "2025-03-01T00:05:00"}}


def test_since_is_taken_in_utc(server: KoboLookalike) -> None:
    from datetime import timedelta, timezone

    with client_for(server) as client:
        list(
            client.submissions(
                LPA_UID, since=datetime(2025, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
            )
        )
    assert json.loads(server.log[-1][1]["query"]) == {
        "_submission_time": {"$gt": "2025-03-01T01:00:00"}
    }


def test_the_schema_of_every_deployed_version(server: KoboLookalike) -> None:
    asset = server.assets[LPA_UID]
    newer = json.loads(json.dumps(LPA_FORM))
    newer["survey"].append({"type": "integer", "name": "anak_ke"})
    asset.add_version(newer)
    with client_for(server) as client:
        schemas = client.schemas(LPA_UID)
    assert list(schemas.versions) == [f"v{LPA_UID}1", f"v{LPA_UID}2"]
    assert schemas.latest.question("anak_ke") is not None
    assert schemas.for_version(f"v{LPA_UID}1").question("anak_ke") is None


def test_assets_are_listed(server: KoboLookalike) -> None:
    server.add_asset("aKedua", LPA_FORM, name="Kedua")
    with client_for(server) as client:
        assert [a["uid"] for a in client.assets()] == [LPA_UID, "aKedua"]


# -- errors ------------------------------------------------------------------------------


def test_a_wrong_token(server: KoboLookalike) -> None:
    with (
        KoboClient(server.url, token="not-the-token-abcdef") as client,
        pytest.raises(KoboAuthError) as caught,
    ):
        client.asset(LPA_UID)
    assert caught.value.status == 401
    assert "Invalid token." in str(caught.value)
    assert "not-the-token-abcdef" not in str(caught.value)


def test_forbidden_missing_gone_and_not_deployed(server: KoboLookalike) -> None:
    server.add_asset("aDraft", LPA_FORM, deployed=False)
    server.add_asset("aPrivate", LPA_FORM)
    server.forbidden.add("aPrivate")
    with client_for(server) as client:
        with pytest.raises(KoboAuthError, match=r"\(403\)"):
            client.asset("aPrivate")
        with pytest.raises(KoboNotFoundError, match=r"\(404\)"):
            client.asset("aNothing")
        with pytest.raises(KoboNotDeployedError, match="not deployed"):
            client.schemas("aDraft")
        with pytest.raises(KoboNotDeployedError, match="has not been deployed"):
            list(client.submissions("aDraft"))


def test_the_v1_api_is_refused_and_answers_410(server: KoboLookalike) -> None:
    with pytest.raises(ValidationError, match="API v1 is gone"):
        KoboClient(server.url + "/api/v1", token=server.token)
    with KoboClient(server.url + "/legacy", token=server.token) as client:
        client.server = server.url  # an old URL inside the v1 tree
        with pytest.raises(KoboGoneError, match="V1 API has been removed"):
            client._get(server.url + "/api/v1/data/12", what="v1 data")


def test_429_is_retried_after_what_retry_after_asks(server: KoboLookalike) -> None:
    _fill(server, 3)
    server.fail_next = [429, 429]
    server.retry_after = "7"
    sleeps = Sleeps()
    with client_for(server, sleep=sleeps) as client:
        assert len(list(client.submissions(LPA_UID))) == 3
    assert sleeps.waits == [7.0, 7.0]


def test_5xx_is_retried_with_exponential_backoff_and_jitter(server: KoboLookalike) -> None:
    _fill(server, 3)
    server.fail_next = [500, 502, 503]
    sleeps = Sleeps()
    with client_for(server, sleep=sleeps, rand=lambda: 0.5, backoff=2.0) as client:
        assert len(list(client.submissions(LPA_UID))) == 3
    assert sleeps.waits == [1.0, 2.0, 4.0]  # backoff × 2^attempt, times the jitter draw


def test_retries_run_out(server: KoboLookalike) -> None:
    server.fail_next = [500] * 10
    with (
        client_for(server, retries=2) as client,
        pytest.raises(KoboUnavailableError, match="answered 500 after 3 tries") as caught,
    ):
        client.asset(LPA_UID)
    assert caught.value.status == 500


def test_a_retry_after_beyond_the_limit_stops_at_once(server: KoboLookalike) -> None:
    server.fail_next = [429]
    server.retry_after = "3600"
    with (
        client_for(server, max_wait=60) as client,
        pytest.raises(KoboUnavailableError, match="wait longer than 60 s"),
    ):
        client.asset(LPA_UID)


def test_timeouts_are_retried(server: KoboLookalike) -> None:
    server.delay_next = [0.5]
    sleeps = Sleeps()
    with client_for(server, sleep=sleeps, timeout=0.1) as client:
        assert client.asset(LPA_UID)["uid"] == LPA_UID
    assert len(sleeps.waits) == 1


def test_a_refused_connection(server: KoboLookalike) -> None:
    url = server.url
    server.stop()
    with (
        KoboClient(url, token="t" * 20, retries=1, sleep=Sleeps()) as client,
        pytest.raises(KoboUnavailableError, match="could not connect"),
    ):
        client.asset(LPA_UID)


def test_next_on_another_origin_is_refused(server: KoboLookalike) -> None:
    _fill(server, 150)
    server.page_cap = 100
    server.next_host = "evil.example:80"
    with (
        client_for(server) as client,
        pytest.raises(KoboError, match=r"another origin \(http://evil\.example:80\)"),
    ):
        list(client.pages(LPA_UID, sort={"_id": 1}))  # pages by ``next``
    assert all(host == f"Token {server.token}" for host in server.auth_seen)
    assert len(server.log) == 1


def test_paging_by_id_never_goes_where_next_points(server: KoboLookalike) -> None:
    _fill(server, 150)
    server.page_cap = 100
    server.next_host = "evil.example:80"
    with client_for(server) as client:
        assert len(list(client.submissions(LPA_UID))) == 150
    assert len(server.log) == 2
    assert all(host == f"Token {server.token}" for host in server.auth_seen)


def test_an_http_next_of_an_https_server_is_read_over_https() -> None:
    client = KoboClient("https://kf.kobotoolbox.org", token="t" * 20)
    try:
        assert (
            client._same_origin("http://kf.kobotoolbox.org/api/v2/assets/a/data/?start=1000")
            == "https://kf.kobotoolbox.org/api/v2/assets/a/data/?start=1000"
        )
        with pytest.raises(KoboError):
            client._same_origin("https://eu.kobotoolbox.org/api/v2/assets/a/data/")
    finally:
        client.close()


def test_plain_http_is_only_for_this_machine() -> None:
    with pytest.raises(ValidationError, match="send the token in clear"):
        KoboClient("http://kobo.example.org", token="t" * 20)
    KoboClient("http://kobo.example.org", token="t" * 20, allow_http=True).close()


# -- the token stays secret --------------------------------------------------------------


def test_the_token_is_read_from_the_environment(
    server: KoboLookalike, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MITRA_KOBO_TOKEN", server.token)
    with KoboClient(server.url, token_env="MITRA_KOBO_TOKEN") as client:
        assert client.asset(LPA_UID)["uid"] == LPA_UID
    monkeypatch.delenv("MITRA_KOBO_TOKEN")
    with pytest.raises(ValidationError, match="set the environment variable MITRA_KOBO_TOKEN"):
        KoboClient(server.url, token_env="MITRA_KOBO_TOKEN")


def test_the_token_is_in_no_repr_log_error_or_chain(
    server: KoboLookalike, caplog: pytest.LogCaptureFixture
) -> None:
    secret = server.token
    caplog.set_level(logging.DEBUG)
    failures: list[BaseException] = []
    with client_for(server) as client:
        assert secret not in repr(client)
        assert secret not in repr(vars(client))
        server.fail_next = [500] * 10
        try:
            client.asset(LPA_UID)
        except KKError as exc:
            failures.append(exc)
        server.fail_next = []
        server.next_host = "evil.example:80"
        _fill(server, 1_100)
        try:
            list(client.pages(LPA_UID, sort={"_id": 1}))  # (by ``next``)
        except KKError as exc:
            failures.append(exc)
        try:
            client.asset("aNothing")
        except KKError as exc:
            failures.append(exc)
    with KoboClient(server.url, token="wrong-" + secret) as bad:
        try:
            bad.asset(LPA_UID)
        except KKError as exc:
            failures.append(exc)
    assert len(failures) == 4
    for failure in failures:
        shown = "".join(traceback.format_exception(failure))
        assert secret not in shown
        assert failure.__cause__ is None
        assert failure.__context__ is None
    assert secret not in caplog.text
    assert caplog.records  # httpx did log its requests


def test_the_token_is_in_no_traceback_local(server: KoboLookalike) -> None:
    secret = server.token
    server.fail_next = [503] * 3
    with client_for(server, retries=1) as client, pytest.raises(KoboUnavailableError) as caught:
        client.asset(LPA_UID)
    shown = traceback.TracebackException.from_exception(caught.value, capture_locals=True)
    assert any(frame.locals for frame in shown.stack)
    for frame in shown.stack:
        if frame.filename == __file__:
            continue  # this test's own ``secret``
        for name, value in (frame.locals or {}).items():
            assert secret not in value, f"{frame.name}: local {name}"
    assert all(seen == f"Token {secret}" for seen in server.auth_seen)


def test_the_repr_is_safe_after_a_failed_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KK_NO_SUCH_TOKEN", raising=False)
    with pytest.raises(ValidationError) as caught:
        KoboClient("http://127.0.0.1:1", token_env="KK_NO_SUCH_TOKEN")
    shown = traceback.TracebackException.from_exception(caught.value, capture_locals=True)
    assert any(
        "KoboClient(None, token=***)" in (frame.locals or {}).get("self", "")
        for frame in shown.stack
    )


def test_attachments_are_downloaded(server: KoboLookalike, tmp_path: Path) -> None:
    row = server.add_submission(
        LPA_UID, lpa_answers(), attachments={"foto luka.jpg": b"\xff\xd8jpeg", "../../x.sh": b"#!"}
    )
    with client_for(server) as client:
        (submission,) = client.submissions(LPA_UID)
        saved = client.download_attachments(submission, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in saved] == [
        f"{row['_id']}/foto luka.jpg",
        f"{row['_id']}/x.sh",
    ]
    assert saved[0].read_bytes() == b"\xff\xd8jpeg"


def test_save_export_writes_a_bundle_read_back_as_a_stream(
    server: KoboLookalike, tmp_path: Path
) -> None:
    _fill(server, 1_234)
    with client_for(server) as client:
        count = client.save_export(LPA_UID, tmp_path / "lpa.json")
    assert count == 1_234
    rows = list(read_json(tmp_path / "lpa.json"))
    assert len(rows) == 1_234
    assert rows[0]["identitas/kode"] == "2025-001"


def test_missing_httpx_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def no_httpx(name: str, *args: object, **kwargs: object) -> object:
        if name == "httpx":
            raise ImportError("No module named 'httpx'", name="httpx")
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_httpx)
    with pytest.raises(StorageError, match=r"kelompok-konstituen\[kobo\]"):
        KoboClient("https://kf.kobotoolbox.org", token="t" * 20)


def test_a_transport_can_be_given() -> None:
    """For a caller's own proxies or tests: an httpx transport."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Token " + "t" * 20
        return httpx.Response(200, json={"uid": "aX", "content": {"survey": []}})

    with KoboClient(
        "https://kf.kobotoolbox.org", token="t" * 20, transport=httpx.MockTransport(answer)
    ) as client:
        assert client.asset("aX")["uid"] == "aX"


def test_long_id_lists_are_cut_to_fit_the_request_line(server: KoboLookalike) -> None:
    """kf.kobotoolbox.org's ``_id``s have nine digits: a ``$in`` of 1,000 of them is a
    ~12,000-character request line, which nginx's default 8 KiB buffers refuse (414)."""
    server._next_id = 412_345_678
    server.max_request_line = 8192
    _fill(server, 1_200)
    ids = sorted(server.assets[LPA_UID].submissions)
    with client_for(server) as client:
        rows = client.submissions_by_id(LPA_UID, ids)
    assert [row["_id"] for row in rows] == ids
    queries = [q["query"] for path, q in server.log if path.endswith("/data/") and "query" in q]
    assert len(queries) >= 3  # more requests, each within the limit
    assert sorted(i for q in queries for i in json.loads(q)["_id"]["$in"]) == ids
