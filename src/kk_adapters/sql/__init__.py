"""The SQL adapter: SQLite (the embedded default) and PostgreSQL, on SQLAlchemy 2 Core.

Open a store by URL with `kk_core.open_store` (``sqlite:///kk.db``,
``postgresql+psycopg://user@host/db``). Importing this package does not import
SQLAlchemy; the names below load it on first use:

* `SqlStore`, `SqlTransaction`, `open_sql_store` — the store (`kk_adapters.sql.store`);
* `upgrade` — apply pending schema migrations to a database by URL;
* `plan_upgrade`, `UpgradePlan` — what `upgrade` would do, read without writing;
* `LATEST_VERSION` — the schema version this library writes.

Needs the ``sql`` extra (``postgres`` for PostgreSQL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kk_adapters.sql.schema import LATEST_VERSION
    from kk_adapters.sql.store import (
        SqlStore,
        SqlTransaction,
        UpgradePlan,
        open_sql_store,
        plan_upgrade,
    )

__all__ = [
    "LATEST_VERSION",
    "SqlStore",
    "SqlTransaction",
    "UpgradePlan",
    "open_sql_store",
    "plan_upgrade",
    "upgrade",
]


def upgrade(url: str, /, **options: Any) -> int:
    """Bring the database at ``url`` to the latest schema version; returns that version.

    The same as opening a store writable (which upgrades too), for deployments that
    run migrations as a separate step and open their stores with ``migrate=false``.
    """
    from kk_adapters.sql.store import SqlStore

    options["migrate"] = True
    with SqlStore(url, **options) as store:
        return store.schema_version


def __getattr__(name: str) -> Any:
    if name in ("SqlStore", "SqlTransaction", "UpgradePlan", "open_sql_store", "plan_upgrade"):
        from kk_adapters.sql import store

        return getattr(store, name)
    if name == "LATEST_VERSION":
        from kk_adapters.sql.schema import LATEST_VERSION

        return LATEST_VERSION
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
