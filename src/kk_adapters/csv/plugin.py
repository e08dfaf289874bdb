"""Registers the CSV store (``csv:///path/to/folder``) with the ``kk`` plugin manager.

The store module is imported when a CSV store is opened, not when plugins load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kk_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from kk_core.registries import StoreRegistry
    from kk_core.store import Store

__all__ = ["kk_register_stores", "open_csv"]


def open_csv(url: str, /, **options: Any) -> Store:
    """``csv:///absolute/folder`` or ``csv:relative/folder``; see
    `kk_adapters.csv.store.open_csv_store` for the options."""
    from kk_adapters.csv.store import open_csv_store

    return open_csv_store(url, **options)


@hookimpl
def kk_register_stores(registry: StoreRegistry) -> None:
    registry.add(
        "csv", open_csv, description="CSV files in a folder, one per record kind (spreadsheets)"
    )
