"""What a Kobo import reports: counts of submissions and records, and every rejected
submission kept whole with its reasons in Kobo terms.

A `SyncReport` is a `kk_core.reports.ImportReport` (what the ``kk_import_finished`` hook
receives), with the submissions counted too (`SubmissionCounts`). Each reject is a
`KoboReject`: where (``submission _id 1234``), every problem at its field path (the
value quoted and masked), and the submission itself, kept whole so it can be fixed in
Kobo and imported again — its identity numbers hidden: the fields the mapping
pseudonymises are replaced, and every run of 12 or more digits elsewhere is masked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kk_core.errors import Problem, mask_identity_numbers
from kk_core.reports import ImportReport, Reject

__all__ = ["HIDDEN", "KoboReject", "SubmissionCounts", "SyncReport", "masked_submission"]

#: What a pseudonymised field's answer is replaced with in a kept submission.
HIDDEN = "<identity number hidden>"


@attrs.frozen
class SubmissionCounts:
    """Submissions by what became of them: ``new`` (imported for the first time),
    ``updated`` (an edit replaced the records of an earlier revision), ``unchanged``
    (this revision was imported already, or its records are what the store holds),
    ``rejected`` (kept in the report's rejects)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.rejected


@attrs.frozen
class KoboReject(Reject):
    """A rejected submission: ``where`` (``submission _id 1234``), every problem by field
    path, its ``_id`` and stable key, and the submission (masked, see the module)."""

    submission_id: int | None = attrs.field(default=None, kw_only=True)
    item_id: str | None = attrs.field(default=None, kw_only=True)
    submission: Mapping[str, Any] = attrs.field(factory=dict, kw_only=True, repr=False)


@attrs.frozen
class SyncReport(ImportReport):
    """An `ImportReport` (records ``written`` and ``unchanged`` by kind, ``rejects``) with
    the submissions counted (``submissions``)."""

    submissions: SubmissionCounts = attrs.field(factory=SubmissionCounts, kw_only=True)

    def summary(self) -> str:
        counts = self.submissions
        written = sum(self.written.values())
        same = sum(self.unchanged.values())
        return (
            f"{self.source}: {counts.total} submissions ({counts.new} new, {counts.updated} "
            f"updated, {counts.unchanged} unchanged, {counts.rejected} rejected); records "
            f"{written} written, {same} unchanged"
        )


def masked_submission(raw: Mapping[str, Any], hidden: Iterable[str] = ()) -> dict[str, Any]:
    """A copy of a raw submission safe to keep in a report: the answers at the paths of
    ``hidden`` (the fields a mapping pseudonymises, in repeats too) replaced by `HIDDEN`,
    and every run of 12 or more digits in any other text masked."""
    masked: dict[str, Any] = _masked(raw, frozenset(hidden))
    return masked


def _masked(value: Any, hidden: frozenset[str], key: str = "") -> Any:
    if key and key in hidden:
        return HIDDEN
    if isinstance(value, str):
        return mask_identity_numbers(value)
    if isinstance(value, Mapping):
        return {str(k): _masked(v, hidden, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v, hidden) for v in value]
    return value


def reject(
    where: str,
    problems: Iterable[Problem],
    raw: Mapping[str, Any],
    *,
    number: int | None,
    key: str | None,
    hidden: Iterable[str] = (),
) -> KoboReject:
    """A `KoboReject` keeping ``raw`` masked."""
    return KoboReject(
        where,
        tuple(problems),
        submission_id=number,
        item_id=key,
        submission=masked_submission(raw, hidden),
    )
