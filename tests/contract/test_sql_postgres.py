"""The SQL adapter on a real PostgreSQL server passes the Store contract.

The server comes from ``KK_TEST_POSTGRES_URL`` or is started for the session (see
``tests/pg_server.py``); each store lives in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from kk_core import Record, Store, open_store
from kk_core.testing.contract import StoreContract

pytestmark = pytest.mark.postgres

_schemas = itertools.count()
_PREFIX = f"kk_contract_{os.getpid()}_"


def _with_schema(url: str, schema: str, *extra: str) -> str:
    glue = "&" if "?" in url else "?"
    return f"{url}{glue}{'&'.join([f'schema={schema}', *extra])}"


class TestPostgresStore(StoreContract):
    """Each store gets a schema of its own; closed stores' schemas are emptied
    (``TRUNCATE``) and reused, since creating the tables is most of the cost of a store."""

    # Row locks: a second writer of the same record waits for the first one's commit.
    interleaved_transactions = False
    streaming_peak_bytes = 6_000_000

    @pytest.fixture(autouse=True)
    def _server(self, postgres_url: str) -> Iterator[None]:
        self.base_url = postgres_url
        self.admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        self.in_use: dict[int, str] = {}
        self.free: list[str] = []
        self.made: list[str] = []
        yield
        with self.admin.connect() as conn:
            for schema in self.made:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self.admin.dispose()

    def _open(self, *extra: str, schema: str | None = None) -> Store:
        if schema is None:
            if self.free:
                schema = self.free.pop()
            else:
                schema = f"{_PREFIX}{next(_schemas)}"
                self.made.append(schema)
        store = open_store(_with_schema(self.base_url, schema, *extra))
        self.in_use[id(store)] = schema
        return store

    def make_store(self) -> Store:
        return self._open()

    def close_store(self, store: Store) -> None:
        store.close()
        schema = self.in_use.pop(id(store), None)
        if schema is None:
            return
        with self.admin.connect() as conn:
            tables = (
                conn.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %(s)s "
                    "AND tablename LIKE 'kk%%' AND tablename <> 'kk_schema_version'",
                    {"s": schema},
                )
                .scalars()
                .all()
            )
            if tables:
                names = ", ".join(f'"{schema}"."{t}"' for t in tables)
                conn.exec_driver_sql(f"TRUNCATE {names}")
        self.free.append(schema)

    @contextmanager
    def failing_backend(self, store: Store) -> Iterator[None]:
        """Every insert or update of a case fails inside PostgreSQL as a full disk does
        (SQLSTATE 53100), mid-statement, for COPY and executemany alike."""
        schema = self.in_use[id(store)]
        with self.admin.connect() as conn:
            conn.exec_driver_sql(
                f'CREATE FUNCTION "{schema}".kk_fail() RETURNS trigger LANGUAGE plpgsql AS '
                "$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' "
                "USING ERRCODE = 'disk_full'; END $$"
            )
            conn.exec_driver_sql(
                f'CREATE TRIGGER kk_fail BEFORE INSERT OR UPDATE ON "{schema}".kk_case '
                f'FOR EACH ROW EXECUTE FUNCTION "{schema}".kk_fail()'
            )
        try:
            yield
        finally:
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'DROP TRIGGER kk_fail ON "{schema}".kk_case')
                conn.exec_driver_sql(f'DROP FUNCTION "{schema}".kk_fail()')

    def make_readonly_store(self, records: Sequence[Record]) -> Store:
        writer = self._open()
        schema = self.in_use.pop(id(writer))
        writer.put_many(records)
        writer.close()
        return self._open("read_only=true", schema=schema)
