"""Registers the SQL stores (``sqlite``, ``postgresql``) with the ``kk`` plugin manager.

This module imports neither SQLAlchemy nor a driver: a missing extra shows up when a
SQL store is opened, as a `StorageError` naming what to install, and never stops the
other plugins from loading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kk_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from kk_core.registries import StoreRegistry
    from kk_core.store import Store

__all__ = ["kk_register_stores", "open_postgres_store", "open_sqlite_store"]

_SQL_EXTRA = "pip install 'kelompok-konstituen[sql]'"
_POSTGRES_EXTRA = "pip install 'kelompok-konstituen[postgres]'"


def _missing(what: str, extra: str, exc: ImportError) -> Exception:
    from kk_core.errors import StorageError

    name = exc.name or str(exc)
    return StorageError(f"{what} need the {name!r} package, which is not installed: {extra}")


def _open(url: str, options: dict[str, Any], postgres: bool) -> Store:
    try:
        from kk_adapters.sql.store import open_sql_store
    except ImportError as exc:
        if postgres:
            raise _missing("PostgreSQL stores", _POSTGRES_EXTRA, exc) from None
        raise _missing("SQLite stores", _SQL_EXTRA, exc) from None
    if postgres:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise _missing("PostgreSQL stores", _POSTGRES_EXTRA, exc) from None
    return open_sql_store(url, **options)


def open_sqlite_store(url: str, /, **options: Any) -> Store:
    """``sqlite:///path.db`` (relative), ``sqlite:////abs/path.db``, ``sqlite://`` (temporary)."""
    return _open(url, options, postgres=False)


def open_postgres_store(url: str, /, **options: Any) -> Store:
    """``postgresql://user@host:5432/db`` or ``postgresql+psycopg://…`` (psycopg 3)."""
    return _open(url, options, postgres=True)


@hookimpl
def kk_register_stores(registry: StoreRegistry) -> None:
    registry.add("sqlite", open_sqlite_store, description="SQLite database file (embedded default)")
    registry.add("postgresql", open_postgres_store, description="PostgreSQL server (psycopg 3)")
