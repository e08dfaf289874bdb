"""``sync(source, target)``: a Kobo form's submissions into any store, incrementally.

The checkpoint is kept in the target itself: the import marks
(`kk_core.import_marks.ImportMark`) written with each page of records. So:

* a **repeated** sync fetches only what is new or edited. Against the API it first
  lists the submissions' ``_id``, ``_uuid`` and ``meta/rootUuid`` only (a ``fields``
  projection, ~100 bytes a submission, 1,000 a page), compares each ``_uuid`` with the
  revision the target's mark holds, and fetches in full only those that differ (a
  ``$in`` query on ``_id``). Edits have to be found this way: kpi keeps an edited
  submission's ``_id`` and ``_submission_time`` (the instance's ``date_created``) and
  gives it a new ``_uuid`` (``logger_tools._get_instance``), so a filter on submission
  time would never see an edit.
* an **interrupted** sync continues where it stopped: every page committed before the
  interruption holds its marks, and is listed as unchanged the next time.
* an **edited** submission replaces its earlier revision's records (see
  `kk_adapters.kobo.importing`), unless they changed in the target since.

Submissions deleted in Kobo are not deleted from the target (a KK's records are not
removed because a form's data was cleaned up); the target keeps what it had.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kk_adapters.kobo.importing import Importer
from kk_adapters.kobo.report import SyncReport
from kk_adapters.kobo.schema import META_FIELDS
from kk_adapters.kobo.store import KoboStore
from kk_adapters.kobo.submissions import item_key
from kk_core.errors import Problem, ValidationError
from kk_core.plugins import Plugins, get_plugins
from kk_core.store import Store

__all__ = ["LISTING_FIELDS", "sync"]

#: What the listing of a repeated sync asks for of each submission.
LISTING_FIELDS = ("_id", "_uuid", "meta/rootUuid", "meta/instanceID")


def sync(
    source: KoboStore | str,
    target: Store | str,
    /,
    *,
    mapping: Any = None,
    progress: Callable[[SyncReport], None] | None = None,
    attachments: str | Path | None = None,
    plugins: Plugins | None = None,
) -> SyncReport:
    """Copy the records of a Kobo form's submissions into ``target`` (see the module).

    ``source`` is a `KoboStore` or its URL (``kobo+https://server/ASSET?token_env=…``,
    ``kobo+file:///export.json``), ``target`` any writable store or its URL;
    ``mapping`` (a TOML path or a mapping) is passed on when ``source`` is a URL.
    ``progress`` is called after each page with the report so far; ``attachments``,
    a folder, receives the attachments of every submission fetched (API only).

    Returns a `SyncReport` (submissions new, updated, unchanged, rejected; records
    written and unchanged by kind; every reject kept); the ``kk_import_finished`` hook
    receives it too. Only `kk_core.errors` types are raised.
    """
    plugins = plugins if plugins is not None else get_plugins()
    opened: list[Any] = []
    try:
        if isinstance(source, str) and source.split(":", 1)[0].lower().startswith("kobo"):
            options = {"plugins": plugins}
            if mapping is not None:
                options["mapping"] = mapping
            source = plugins.open_store(source, **options)  # type: ignore[assignment]
            opened.append(source)
        if not isinstance(source, KoboStore):
            raise ValidationError(
                [Problem("source", "expected a Kobo store (kobo+https://… or kobo+file://…)")],
                subject="sync",
            )
        if isinstance(target, str):
            target = plugins.open_store(target)
            opened.append(target)
        importer = Importer(
            target, source.mapping, source.typer, source=source.url, plugins=plugins
        )
        if source.is_api:
            _from_api(source, importer, progress, attachments)
        else:
            for page in source.pages():
                importer.page(page)
                if progress is not None:
                    progress(importer.report())
    finally:
        for store in opened:
            store.close()
    report = importer.report()
    plugins.import_finished(report)
    return report


def _from_api(
    source: KoboStore,
    importer: Importer,
    progress: Callable[[SyncReport], None] | None,
    attachments: str | Path | None,
) -> None:
    client, uid = source.client, source.asset_uid
    assert client is not None
    assert uid is not None
    for listed in client.pages(uid, fields=LISTING_FIELDS):
        if not listed:
            continue
        if _full(listed):  # the server ignored ``fields``: the page is the submissions
            importer.page(listed)
            _attachments(client, uid, listed, attachments)
        else:
            keys = {item_key(row): row for row in listed}
            marks = importer.marks_for(k for k in keys if k is not None)
            wanted = [
                row["_id"]
                for key, row in keys.items()
                if key is None or _stale(marks.get(key), row)
            ]
            wanted = [i for i in wanted if isinstance(i, int)]
            importer.skipped(len(listed) - len(wanted))
            if wanted:
                full = client.submissions_by_id(uid, wanted)
                full.sort(key=_number)
                importer.page(full, marks=marks)
                _attachments(client, uid, full, attachments)
        if progress is not None:
            progress(importer.report())


def _number(row: Mapping[str, Any]) -> int:
    found = row.get("_id")
    return found if isinstance(found, int) else 0


def _stale(mark: Any, row: Mapping[str, Any]) -> bool:
    if mark is None:
        return True
    revision = row.get("_uuid") or row.get("meta/instanceID")
    if isinstance(revision, str) and revision.lower().startswith("uuid:"):
        revision = revision[5:]
    return bool(mark.revision_id != revision)


def _full(rows: list[dict[str, Any]]) -> bool:
    """Whether listed rows are whole submissions (a key that is an answer)."""
    for row in rows:
        for key in row:
            if key not in META_FIELDS and key not in LISTING_FIELDS and not key.startswith("_"):
                return True
    return False


def _attachments(
    client: Any, uid: str, rows: list[dict[str, Any]], folder: str | Path | None
) -> None:
    if folder is None:
        return
    for row in rows:
        client.download_attachments(row, folder)
