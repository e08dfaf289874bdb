"""A PostgreSQL password never shows, against the real server, however it is spelt.

For random printable passwords, written into the URL as they are or percent-encoded,
both for a wrong password (the server checks it: a role of our own with password
authentication) and for a server that is down (a closed loopback port): the password is
not in ``store.url``, ``repr(store)``, the error's message, or the formatted traceback
of the error and of every exception chained to it (``__context__``, ``__cause__``),
shown or suppressed. A password holding an unencoded ``#``, ``/``, ``?`` or ``@`` is
refused with a `ValidationError` saying to percent-encode it.
"""

from __future__ import annotations

import os
import socket
import string
import time
import traceback
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kk_core import open_store
from kk_core.cases import Case
from kk_core.errors import StorageError, ValidationError
from pg_server import URL_ENV

psycopg = pytest.importorskip("psycopg")
sql = pytest.importorskip("psycopg.sql")

pytestmark = pytest.mark.postgres

ROLE = "kk_pw_probe"
RIGHT = "right #/?@ pass:w0rd"
PASSWORDS = st.text(alphabet=string.printable, min_size=6, max_size=16)
# what parsers read differently: urllib ends the host part at # / ?, drops tabs and line
# breaks and wants [] balanced; SQLAlchemy ends the password at the first @; and control
# characters, which the library refuses in any store URL (libpq stops reading at a NUL)
AMBIGUOUS = set("#/?@\t\n\r[]\x0b\x0c")


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        todo += [current.__context__, current.__cause__]
    return seen


def _shown(error: BaseException) -> str:
    """Everything a log could show of an error: each message, repr and traceback."""
    parts = []
    for exc in _chain(error):
        parts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    return "\n".join(parts)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


class PasswordServer:
    """The test server, with a role that must give its password (``scram-sha-256``)."""

    def __init__(self, postgres_url: str) -> None:
        url = sa.make_url(postgres_url)
        self.host, self.port, self.database = url.host, url.port, url.database
        self.admin = psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database,
            autocommit=True,
        )
        self.hba_file: str | None = None
        self.original_hba: str | None = None

    def start(self) -> None:
        cur = self.admin.cursor()
        self._drop_role()
        cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE), RIGHT))
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {ROLE} AUTHORIZATION {ROLE}")
        cur.execute(f'GRANT CREATE ON DATABASE "{self.database}" TO {ROLE}')
        if self._checks_passwords():
            return
        if os.environ.get(URL_ENV, "").strip():
            pytest.skip(f"the server at {URL_ENV} lets {ROLE} in without its password")
        # our own throwaway cluster: ask for the password of this one role only
        self.hba_file = str(cur.execute("SHOW hba_file").fetchone()[0])  # type: ignore[index]
        self.original_hba = str(
            cur.execute("SELECT pg_read_file(%s)", [self.hba_file]).fetchone()[0]  # type: ignore[index]
        )
        self._write_hba(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n{self.original_hba}")
        deadline = time.monotonic() + 20
        while not self._checks_passwords():
            if time.monotonic() > deadline:
                pytest.fail("the server did not start asking for the password")
            time.sleep(0.1)

    def _write_hba(self, text: str) -> None:
        cur = self.admin.cursor()
        oid = cur.execute("SELECT lo_from_bytea(0, convert_to(%s, 'UTF8'))", [text]).fetchone()[0]  # type: ignore[index]
        try:
            cur.execute("SELECT lo_export(%s, %s)", [oid, self.hba_file])
        finally:
            cur.execute("SELECT lo_unlink(%s)", [oid])
        cur.execute("SELECT pg_reload_conf()")

    def _checks_passwords(self) -> bool:
        try:
            psycopg.connect(self.conninfo("not the password"), connect_timeout=5).close()
        except psycopg.OperationalError:
            return True
        return False

    def conninfo(self, password: str) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=self.port, user=ROLE, dbname=self.database, password=password
        )

    def url(self, password: str, *, port: int | None = None, encode: bool = False) -> str:
        written = quote(password, safe="") if encode else password
        return (
            f"postgresql+psycopg://{ROLE}:{written}@{self.host}:{port or self.port}/"
            f"{self.database}?connect_timeout=5&schema={ROLE}"
        )

    def stop(self) -> None:
        if self.original_hba is not None:
            self._write_hba(self.original_hba)
        self._drop_role()
        self.admin.close()

    def _drop_role(self) -> None:
        cur = self.admin.cursor()
        cur.execute(f"DROP SCHEMA IF EXISTS {ROLE} CASCADE")
        if cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE]).fetchone():
            cur.execute(f"DROP OWNED BY {ROLE}")
            cur.execute(f"DROP ROLE {ROLE}")


@pytest.fixture(scope="module")
def server(postgres_url: str) -> Iterator[PasswordServer]:
    found = PasswordServer(postgres_url)
    try:
        found.start()
        yield found
    finally:
        found.stop()


def _check_open_fails_quietly(url: str, password: str, says: str) -> None:
    try:
        store = open_store(url)
    except (StorageError, ValidationError) as exc:
        error: BaseException = exc
    else:  # pragma: no cover - a wrong password or a dead server never opens
        shown = f"{store.url}\n{store!r}"
        store.close()
        raise AssertionError(f"opened: {shown!r}")
    assert password not in _shown(error)
    encoded = quote(password, safe="")
    if encoded != password:
        assert encoded not in _shown(error)
    if isinstance(error, ValidationError):  # refused before anything is sent
        assert AMBIGUOUS & set(password), password
        assert "percent-encode" in str(error)
    else:
        assert says in str(error), str(error)


PROPERTY = settings(
    derandomize=True,
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(password=PASSWORDS)
@example(password="Hash#Pass")
@example(password="a/b/c/d/")
@example(password="why?read_only=true")
@example(password="p@ss@word")
@example(password="x@h/d?a=b")
@example(password="123#45678")
@example(password="  spaced\ttab\n")
@example(password="per%41cent")
def test_a_wrong_password_never_shows(server: PasswordServer, password: str) -> None:
    for encode in (False, True):
        url = server.url(password, encode=encode)
        _check_open_fails_quietly(url, password, "refused the login")
    # percent-encoded, every password reaches the server (and is refused there)
    with pytest.raises(StorageError, match="refused the login"):
        open_store(server.url(password, encode=True))


@PROPERTY
@given(password=PASSWORDS)
@example(password="Hash#Pass")
@example(password="p@ss/w?rd")
def test_a_server_that_is_down_never_shows_the_password(
    server: PasswordServer, password: str
) -> None:
    port = _closed_port()
    for encode in (False, True):
        url = server.url(password, port=port, encode=encode)
        _check_open_fails_quietly(url, password, "database unavailable or failing")


def test_the_right_password_percent_encoded_opens_and_stays_hidden(
    server: PasswordServer,
) -> None:
    store = open_store(server.url(RIGHT, encode=True))
    try:
        assert store.count(Case).get((), 0) == 0
        for shown in (store.url, repr(store), str(store)):
            assert RIGHT not in shown
            assert quote(RIGHT, safe="") not in shown
            assert f"{ROLE}:***@" in shown
        store.close()
        with pytest.raises(StorageError) as caught:
            store.get(Case, "c-1")  # an error about the store names its URL
        assert "***" in str(caught.value)
        assert quote(RIGHT, safe="") not in _shown(caught.value)
    finally:
        store.close()


def test_read_only_after_a_hash_in_the_password_is_never_ignored(server: PasswordServer) -> None:
    """Today's bug: ``?read_only=true`` after a ``#`` in the password was dropped by one
    parser, and the store opened writable. Now the URL is refused, and its encoded
    form opens read-only."""
    raw = server.url(RIGHT).replace("?", "?read_only=true&", 1)
    with pytest.raises(ValidationError, match="percent-encode"):
        open_store(raw)
    open_store(server.url(RIGHT, encode=True)).close()  # writable: creates the tables
    encoded = server.url(RIGHT, encode=True).replace("?", "?read_only=true&", 1)
    store = open_store(encoded)
    try:
        assert store.capabilities.read_only
    finally:
        store.close()
