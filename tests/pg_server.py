"""A throwaway PostgreSQL server for the tests (and the benchmarks), as a pytest plugin.

``postgres_url`` (session fixture) is, in order of preference:

1. ``KK_TEST_POSTGRES_URL`` when it is set (a server someone else runs);
2. a cluster this module starts for the session: ``initdb`` + ``pg_ctl`` in a temporary
   directory, listening on a free loopback port only, stopped and removed afterwards.
   As root, the cluster runs as the system user ``kkpg`` (created when missing),
   because PostgreSQL refuses to run as root.

When no server can be had the PostgreSQL tests are skipped, unless
``KK_REQUIRE_POSTGRES=1``: then they fail, saying why. The server binaries are found
through ``pg_config --bindir``, ``PATH`` or ``/usr/lib/postgresql/*/bin``.

Outside pytest: ``with TemporaryPostgres() as pg: print(pg.url)``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = [
    "PostgresUnavailable",
    "TemporaryPostgres",
    "find_bindir",
    "postgres_required",
    "postgres_url",
]

URL_ENV = "KK_TEST_POSTGRES_URL"
REQUIRE_ENV = "KK_REQUIRE_POSTGRES"
SERVICE_USER = "kkpg"
DATABASE = "kk_test"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started here (the message says why)."""


def postgres_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _version_key(path: str) -> tuple[int, ...]:
    digits = Path(path).parent.name
    return tuple(int(p) for p in digits.split(".") if p.isdigit())


def find_bindir() -> Path:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        candidates.append(Path(found))
    for directory in candidates:
        if all((directory / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (tried pg_config --bindir, PATH and "
        "/usr/lib/postgresql/*/bin); install them, e.g. `apt-get install postgresql`, "
        f"or point {URL_ENV} at a server"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_service_user() -> None:
    probe = subprocess.run(["id", "-u", SERVICE_USER], capture_output=True, check=False)
    if probe.returncode == 0:
        return
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    made = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0 and "already exists" not in made.stderr:
        raise PostgresUnavailable(f"cannot create the system user {SERVICE_USER!r}: {made.stderr}")


class TemporaryPostgres:
    """A PostgreSQL cluster in a temporary directory, for as long as the ``with`` lasts."""

    def __init__(self, *, fast: bool = True, startup_timeout: float = 60.0) -> None:
        self.fast = fast
        self.startup_timeout = startup_timeout
        self.port = 0
        self.root: Path | None = None
        self.bindir: Path | None = None
        self._as_root = hasattr(os, "geteuid") and os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://kk@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *argv: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        command = list(argv)
        if self._as_root:
            runuser = shutil.which("runuser")
            if runuser:
                command = [runuser, "-u", SERVICE_USER, "--", *command]
            else:
                command = [
                    "su",
                    "-s",
                    "/bin/sh",
                    SERVICE_USER,
                    "-c",
                    " ".join(map(_quote, command)),
                ]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd="/"
        )

    def start(self) -> TemporaryPostgres:
        self.bindir = find_bindir()
        if self._as_root:
            _ensure_service_user()
        self.root = Path(tempfile.mkdtemp(prefix="kk-pg-"))
        data, sockets = self.root / "data", self.root / "sock"
        sockets.mkdir()
        if self._as_root:
            for path in (self.root, sockets):
                shutil.chown(path, SERVICE_USER, SERVICE_USER)
        initdb = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "kk",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C",
            "--no-sync",
        )
        if initdb.returncode != 0:
            self.stop()
            raise PostgresUnavailable(f"initdb failed: {initdb.stderr.strip() or initdb.stdout}")
        settings = ["-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={sockets}"]
        if self.fast:  # a throwaway cluster: durability is not the point
            settings += ["-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off"]
        last_error = ""
        for _attempt in range(3):
            self.port = _free_port()
            started = self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-t",
                str(int(self.startup_timeout)),
                "-o",
                " ".join([f"-p {self.port}", *settings]),
                "start",
                timeout=self.startup_timeout + 30,
            )
            if started.returncode == 0:
                break
            last_error = self._log_tail() or started.stderr
        else:
            self.stop()
            raise PostgresUnavailable(f"pg_ctl start failed: {last_error.strip()}")
        self._create_database()
        return self

    def _log_tail(self) -> str:
        if self.root is None:
            return ""
        with contextlib.suppress(OSError):
            return (self.root / "server.log").read_text(errors="replace")[-2000:]
        return ""

    def _create_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    f"host=127.0.0.1 port={self.port} user=kk dbname=postgres", autocommit=True
                ) as conn:
                    conn.execute(f'CREATE DATABASE "{DATABASE}"')
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.root is None:
            return
        data = self.root / "data"
        if self.bindir is not None and (data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def _has_c_utf8() -> bool:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout
        return any(line.strip().lower() in {"c.utf8", "c.utf-8"} for line in out.splitlines())
    return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL database the tests may fill (a throwaway one when not given)."""
    given = os.environ.get(URL_ENV, "").strip()
    if given:
        yield given
        return
    try:
        server = TemporaryPostgres().start()
    except (PostgresUnavailable, OSError, subprocess.SubprocessError) as exc:
        message = f"no PostgreSQL server: {exc}"
        if postgres_required():
            pytest.fail(f"{message} ({REQUIRE_ENV}=1)", pytrace=False)
        pytest.skip(message)
    except Exception as exc:  # e.g. psycopg missing: same rule
        message = f"no PostgreSQL server: {type(exc).__name__}: {exc}"
        if postgres_required():
            pytest.fail(f"{message} ({REQUIRE_ENV}=1)", pytrace=False)
        pytest.skip(message)
    try:
        yield server.url
    finally:
        server.stop()
