"""The KoboToolbox adapter: API v2 client, export files, typed submissions, form
mappings, a read-only store and an incremental sync into any store.

Needs the ``kobo`` extra (httpx) for the API and the ``excel`` extra (openpyxl) for
XLSX exports. See ``docs/how-to/import-from-kobo.md``.
"""

from __future__ import annotations

from kk_adapters.kobo.errors import (
    KoboAuthError,
    KoboError,
    KoboGoneError,
    KoboNotDeployedError,
    KoboNotFoundError,
    KoboUnavailableError,
)
from kk_adapters.kobo.mapping import KoboFormMapping, ListRule, MapContext, RecordRule, Value
from kk_adapters.kobo.mapping_file import load_mapping, parse_mapping
from kk_adapters.kobo.readers import read_csv, read_json, read_submissions, read_xlsx
from kk_adapters.kobo.report import KoboReject, SubmissionCounts, SyncReport
from kk_adapters.kobo.schema import FormSchema, SchemaSet
from kk_adapters.kobo.submissions import GeoPoint, Submission, SubmissionTyper

__all__ = [
    "FormSchema",
    "GeoPoint",
    "KoboAuthError",
    "KoboError",
    "KoboFormMapping",
    "KoboGoneError",
    "KoboNotDeployedError",
    "KoboNotFoundError",
    "KoboReject",
    "KoboUnavailableError",
    "ListRule",
    "MapContext",
    "RecordRule",
    "SchemaSet",
    "Submission",
    "SubmissionCounts",
    "SubmissionTyper",
    "SyncReport",
    "Value",
    "load_mapping",
    "parse_mapping",
    "read_csv",
    "read_json",
    "read_submissions",
    "read_xlsx",
]
