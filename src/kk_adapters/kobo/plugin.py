"""Registers the KoboToolbox store (``kobo+https``, ``kobo+http``, ``kobo+file``) with the
``kk`` plugin manager.

This module imports neither httpx nor openpyxl: a missing extra shows up when a Kobo
store is opened (a `StorageError` naming what to install) and never stops the other
plugins from loading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kk_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from kk_core.registries import StoreRegistry
    from kk_core.store import Store

__all__ = ["kk_register_stores", "open_kobo"]


def open_kobo(url: str, /, **options: Any) -> Store:
    """``kobo+https://server/ASSET_UID?token_env=KOBO_TOKEN`` or ``kobo+file:///export.json``
    (see `kk_adapters.kobo.store.open_kobo_store`)."""
    from kk_adapters.kobo.store import open_kobo_store

    return open_kobo_store(url, **options)


@hookimpl
def kk_register_stores(registry: StoreRegistry) -> None:
    registry.add(
        "kobo",
        open_kobo,
        description="a KoboToolbox form, read-only: kobo+https://server/ASSET, kobo+file:///export",
    )
