"""Hook specifications of the ``kk`` plugin project.

Hooks are for discovery and lifecycle events, never per-record work. Discovery hooks
receive a registry object that validates what is added; event hooks are called after
a successful commit and fan out to every plugin. Only `kk_core.plugins` calls them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from kk_core.errors import Problem
    from kk_core.kinds import Record
    from kk_core.lifecycle import Event
    from kk_core.registries import (
        CodeListRegistry,
        FormMappingRegistry,
        IndicatorRegistry,
        StoreRegistry,
    )
    from kk_core.reports import ImportReport

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "kk"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def kk_register_stores(registry: StoreRegistry) -> None:
    """Register store factories by URL scheme.

    Call ``registry.add("myscheme", factory, description=...)``; ``open_store`` then
    hands URLs starting ``myscheme:`` to ``factory(url, **options)``.

    :param registry: validates each scheme (lower-case, unique across plugins).

    .. versionadded:: 0.1
    """


@hookspec
def kk_register_form_mappings(registry: FormMappingRegistry) -> None:
    """Register mappings from a data-collection form (e.g. a KoboToolbox form) to records.

    :param registry: ``registry.add(form_id, mapping)``; a form id is registered once.

    .. versionadded:: 0.1
    """


@hookspec
def kk_extend_code_lists(registry: CodeListRegistry) -> None:
    """Add local entries to open code lists without editing the library.

    A district adds its service providers, a partner its case sub-categories (each under
    its category: ``registry.add("case_subcategory", CodeEntry("kdrt_economic", "...",
    "...", parent="violence"))``). Closed lists (those backed by an enum, such as
    ``case_category``) refuse entries.

    :param registry: validates list names, code syntax and clashes with existing entries.

    .. versionadded:: 0.1
    """


@hookspec
def kk_register_indicators(registry: IndicatorRegistry) -> None:
    """Register analysis indicators (named counts over records) for reports.

    :param registry: ``registry.add(name, indicator)``; names are unique.

    .. versionadded:: 0.1
    """


@hookspec
def kk_validate_record(record: Record) -> Sequence[Problem] | None:
    """Contribute extra validation rules for a record before services store it.

    Every plugin's problems are collected; any problem stops the write with a
    `ValidationError` listing them all.

    :param record: the record about to be written (already valid for the model).
    :return: problems found, or ``None``/empty when the record passes.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def kk_pseudonym_key() -> bytes | None:
    """Provide the secret key identity numbers are pseudonymised with.

    Stops at first non-None result. Deployments keep this key outside the data
    (a secrets manager, an environment variable); without one, services refuse NIKs.

    .. versionadded:: 0.1
    """


@hookspec
def kk_case_transitioned(case: Record, event: Event, store_url: str) -> None:
    """A case changed state; called after the change was committed.

    :param case: the case as stored after the change.
    :param event: the timeline event the transition appended.
    :param store_url: the (redacted) URL of the store it was committed to.

    .. versionadded:: 0.1
    """


@hookspec
def kk_referral_transitioned(referral: Record, event: Event, store_url: str) -> None:
    """A referral changed state (sent, accepted, declined, completed…), after commit.

    :param referral: the referral as stored after the change.
    :param event: the timeline event the transition appended.
    :param store_url: the (redacted) URL of the store it was committed to.

    .. versionadded:: 0.1
    """


@hookspec
def kk_records_written(kind: str, ids: Sequence[str], store_url: str) -> None:
    """Records were written (inserted or updated; deleted, where a program deletes) and committed.

    :param kind: the record kind name (``"case"``, ``"member"``…).
    :param ids: the ids written, in write order.
    :param store_url: the (redacted) URL of the store.

    .. versionadded:: 0.1
    """


@hookspec
def kk_import_finished(report: ImportReport) -> None:
    """An import (Kobo, CSV…) finished; the report lists what went in and what was rejected.

    :param report: counts per kind and the rejected rows with their reasons.

    .. versionadded:: 0.1
    """


@hookspec
def kk_person_level_exported(
    kind: str, fields: Sequence[str], criteria: str, store_url: str, purpose: str
) -> None:
    """Person-level records are being exported (a DataFrame, Arrow or Parquet of cases,
    referrals, members…), so a host can audit it. Called once per export, before the
    first row is read.

    :param kind: the record kind exported (``"case"``).
    :param fields: the columns the export holds, dimensions and named fields
        (``"subject.initials"``) alike.
    :param criteria: the criteria of the export, as text (``"year=2025"``).
    :param store_url: the (redacted) URL of the store read, or ``"records"`` for an
        iterable of records.
    :param purpose: why, as the caller said (empty when not said).

    .. versionadded:: 0.2
    """
