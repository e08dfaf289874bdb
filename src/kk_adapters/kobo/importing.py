"""Importing Kobo submissions into a store, a page at a time, resumably.

One page of submissions (1,000 by default) is one transaction on the target: the
records the good submissions became, and their import marks
(`kk_core.import_marks.ImportMark`), commit together, so an interrupted import resumes
at the page it stopped in and a repeated one skips what it holds already.

For each submission of a page:

1. typed through its form version's schema; a value that does not read as its
   question's type rejects it (every such value named);
2. skipped as *unchanged* when the target holds a mark for it at this revision
   (``_uuid``);
3. mapped (`kk_adapters.kobo.mapping`); cases are recorded through their lifecycle;
4. checked as `kk_core.services.Services` would check a write (`Services.problems`:
   open code lists, plugins' ``kk_validate_record``) and for its references in the
   target (the group and its village, the hamlet, the companion, the service provider,
   the business, the members present);
5. planned: a submission new to the target may not overwrite a record it did not
   make (two submissions giving one case number is a reject, not a silent
   overwrite); an edited one replaces the records of its earlier revision — those it
   no longer makes are deleted — unless one of them changed in the target since it
   was imported (the mark's content digest no longer matches), which rejects the edit
   rather than undo that work.

Why not through `Services` one call at a time: a service call is one transaction and
announces lifecycle events; an import of history writes thousands of records whose
marks must commit with them, and replaces an edited submission's records wholesale.
The records still satisfy every invariant of the model (they are made by the
converter and the lifecycle's own functions) and pass the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from kk_adapters.kobo.mapping import DEFAULT_TIMEZONE, KoboFormMapping, MapContext, record_history
from kk_adapters.kobo.report import KoboReject, SubmissionCounts, SyncReport, reject
from kk_adapters.kobo.submissions import Submission, SubmissionTyper
from kk_core._text import shorten
from kk_core.converter import unstructure
from kk_core.errors import (
    ConflictError,
    KKError,
    NotFoundError,
    Problem,
    TransitionError,
    ValidationError,
)
from kk_core.import_marks import ImportMark, letters_digest
from kk_core.kinds import RECORD_KINDS, Record, RecordType
from kk_core.plugins import Plugins, get_plugins
from kk_core.privacy import pseudonymise
from kk_core.references import reference_problems
from kk_core.referrals import ServiceProvider
from kk_core.registries import FormMapping
from kk_core.services import Services
from kk_core.store import Store, same_content, with_version

__all__ = ["PAGE_SIZE", "Importer", "content_digest", "mark_id"]

#: Submissions per page (one transaction on the target).
PAGE_SIZE = 1000

_CONFLICT_NOTE = (
    "kobo import: a record of this page changed in the target while the page was being "
    "written (is another program writing to it?). The pages before it are kept; run "
    "the import again to finish it."
)


def mark_id(key: str) -> str:
    """The id of a submission's import mark: ``kobo-`` and a digest of its stable key
    (letters only: a rootUuid's groups of digits could read as a NIK in an id)."""
    return "kobo-" + letters_digest(key, 24)


def content_digest(records: Iterable[Record]) -> str:
    """A digest of records' content (not their versions), the same on every store."""
    parts = []
    for record in sorted(records, key=lambda r: (r.kind, r.id)):
        data = unstructure(record)
        data.pop("version", None)
        parts.append([record.kind, data])
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return letters_digest(text, 32)


def _ref(record: Record) -> str:
    return f"{record.kind}:{record.id}"


@attrs.define
class _Item:
    """One submission of a page on its way through."""

    submission: Submission
    raw: Mapping[str, Any]
    mark: ImportMark | None = None
    records: list[Record] = attrs.field(factory=list)
    problems: list[Problem] = attrs.field(factory=list)

    @property
    def key(self) -> str:
        assert self.submission.key is not None
        return self.submission.key


class _References:
    """Lookups in the target, cached for the whole import (groups, hamlets, members and
    providers are few and do not change during an import)."""

    def __init__(self, target: Store) -> None:
        self._target = target
        self._cache: dict[tuple[str, str], Record | None] = {}

    def get(self, kind: RecordType, record_id: str) -> Record | None:
        key = (kind.kind, record_id)
        if key not in self._cache:
            try:
                self._cache[key] = self._target.get(kind, record_id)
            except NotFoundError:
                self._cache[key] = None
            except ValidationError:
                self._cache[key] = None  # an id no record can have
        return self._cache[key]

    def service_of(self, provider_id: str) -> str | None:
        provider = self.get(ServiceProvider, provider_id)
        return provider.service if isinstance(provider, ServiceProvider) else None

    def problems(self, record: Record, made: Mapping[tuple[str, str], Record]) -> list[Problem]:
        """What the record points at must exist (in the target, or made by the same
        submission), and belong together, as the services check it
        (`kk_core.references`)."""

        def lookup(kind: RecordType, record_id: str) -> Record | None:
            return made.get((kind.kind, record_id)) or self.get(kind, record_id)

        return reference_problems(record, lookup)


class Importer:
    """Imports pages of raw submissions of one form into ``target`` (see the module).

    ``source`` names the source in the report (a store URL, redacted); ``mapping`` is a
    `KoboFormMapping` or any `kk_core.registries.FormMapping`; ``typer`` types the
    submissions with the form's schema. Call `page` for each page, `skipped` for
    submissions a listing already found unchanged, then `report`.
    """

    def __init__(
        self,
        target: Store,
        mapping: FormMapping,
        typer: SubmissionTyper,
        *,
        source: str,
        plugins: Plugins | None = None,
    ) -> None:
        if target.capabilities.read_only:
            from kk_core.errors import ReadOnlyError

            raise ReadOnlyError(f"{target.url} is read-only: cannot import into it")
        self.target = target
        self.mapping = mapping
        self.typer = typer
        self.source = source
        self.plugins = plugins if plugins is not None else get_plugins()
        self.mark_source = getattr(mapping, "source", None) or f"kobo:{mapping.form_id}"
        self._services = Services(target, plugins=self.plugins)
        self._refs = _References(target)
        key = self.plugins.pseudonym_key()
        pseudonymiser: Callable[[str], str] | None = None
        if key is not None:

            def pseudonymiser(nik: str, _key: bytes = key) -> str:
                return pseudonymise(nik, _key)

        self._context = MapContext(pseudonymise=pseudonymiser, service_of=self._refs.service_of)
        self._hidden = _hidden_paths(mapping)
        self.counts = SubmissionCounts()
        self.written: dict[str, int] = {}
        self.unchanged: dict[str, int] = {}
        self.rejects: list[KoboReject] = []

    # -- counting ------------------------------------------------------------------------

    def _count(self, field: str, n: int = 1) -> None:
        self.counts = attrs.evolve(self.counts, **{field: getattr(self.counts, field) + n})

    def skipped(self, n: int) -> None:
        """``n`` submissions found unchanged without being fetched (their revision is
        the one their mark holds)."""
        self._count("unchanged", n)

    def report(self) -> SyncReport:
        return SyncReport(
            self.source,
            written=dict(self.written),
            unchanged=dict(self.unchanged),
            rejects=tuple(self.rejects),
            submissions=self.counts,
        )

    def _reject(self, item: _Item, problems: Sequence[Problem]) -> None:
        sub = item.submission
        self.rejects.append(
            reject(
                sub.where(), problems, item.raw, number=sub.number, key=sub.key, hidden=self._hidden
            )
        )
        self._count("rejected")

    # -- one page --------------------------------------------------------------------

    def marks_for(self, keys: Iterable[str]) -> dict[str, ImportMark]:
        """The target's marks of these submission keys, by key (one query)."""
        ids = {mark_id(k): k for k in keys}
        if not ids:
            return {}
        found = {}
        for mark in self.target.find(ImportMark, id=set(ids)):
            if mark.item_id == ids.get(mark.id):
                found[mark.item_id] = mark
        return found

    def page(
        self,
        raws: Sequence[Mapping[str, Any]],
        marks: Mapping[str, ImportMark] | None = None,
    ) -> None:
        """Import one page of raw submissions (``marks``: the target's marks of them,
        when the caller looked them up already)."""
        items: list[_Item] = []
        seen: set[str] = set()
        for raw in raws:
            item = _Item(self.typer.type(raw), raw)
            sub = item.submission
            if sub.problems or sub.key is None:
                self._reject(item, sub.problems)
                continue
            if sub.key in seen:
                self._reject(
                    item, [Problem("meta/rootUuid", "the same submission twice in one page")]
                )
                continue
            seen.add(sub.key)
            items.append(item)
        if marks is None:
            marks = self.marks_for(i.key for i in items)
        todo: list[_Item] = []
        for item in items:
            item.mark = marks.get(item.key)
            if item.mark is not None and item.mark.revision_id == item.submission.revision:
                self._count("unchanged")
                continue
            self._map(item)
            if item.problems:
                self._reject(item, item.problems)
                continue
            todo.append(item)
        if todo:
            self._write(todo)

    def _map(self, item: _Item) -> None:
        sub = item.submission
        mapping = self.mapping
        try:
            if isinstance(mapping, KoboFormMapping):
                records = mapping.map_submission(sub, self._context)
            else:
                records = list(mapping.map(sub.values))
                records = record_history(
                    records, at=_recorded_at(sub), service_of=self._refs.service_of
                )
        except ValidationError as error:
            item.problems.extend(error.problems)
            return
        except TransitionError as error:
            item.problems.append(Problem("case", str(error)))
            return
        except KKError as error:
            item.problems.append(Problem("mapping", shorten(str(error), 500)))
            return
        except Exception as error:  # a third-party mapping's own failure
            text = shorten(str(error), 200)
            item.problems.append(
                Problem("mapping", f"the mapping failed: {type(error).__name__}: {text}")
            )
            return
        made: dict[tuple[str, str], Record] = {}
        for record in records:
            if type(record) not in RECORD_KINDS.values():
                item.problems.append(
                    Problem("mapping", f"made a {type(record).__name__}, not a record kind")
                )
                return
            key = (record.kind, record.id)
            if key in made:
                item.problems.append(Problem(_ref(record), "made twice from the one submission"))
            made[key] = record
        for record in records:
            item.problems.extend(
                Problem(f"{_ref(record)}: {p.path}", p.message)
                for p in [*self._services.problems(record), *self._refs.problems(record, made)]
            )
        item.records = records

    def _write(self, items: list[_Item]) -> None:
        """Plan the page's writes against the target's copies, then write them in one
        transaction (record by record, when the target refuses some)."""
        wanted: dict[str, set[str]] = {}
        for item in items:
            for record in item.records:
                wanted.setdefault(record.kind, set()).add(record.id)
            for ref in item.mark.record_ids if item.mark is not None else ():
                kind, _, record_id = ref.partition(":")
                if kind in RECORD_KINDS:
                    wanted.setdefault(kind, set()).add(record_id)
        held: dict[tuple[str, str], Record] = {}
        for kind, ids in wanted.items():
            for record in self.target.find(RECORD_KINDS[kind], id=ids):
                held[(kind, record.id)] = record
        claimed: dict[tuple[str, str], str] = {}
        plans = []
        for item in items:
            plan = self._plan(item, held, claimed)
            if plan is None:
                continue
            plans.append(plan)
        if not plans:
            return
        try:
            self._commit(plans)
        except ValidationError:
            for plan in plans:  # find the ones the target refuses
                try:
                    self._commit([plan])
                except ValidationError as error:
                    self._reject(plan.item, error.problems)

    def _plan(
        self,
        item: _Item,
        held: Mapping[tuple[str, str], Record],
        claimed: dict[tuple[str, str], str],
    ) -> _Plan | None:
        mark = item.mark
        old_refs = set(mark.record_ids) if mark is not None else set()
        problems: list[Problem] = []
        if mark is not None:
            current = [held[k] for k in (_split(r) for r in old_refs) if k in held]
            if content_digest(current) != mark.content_id:
                problems.append(
                    Problem(
                        "meta/rootUuid",
                        "the records of this submission's earlier revision ("
                        + ", ".join(sorted(old_refs))
                        + ") changed in the target store since they were imported: the "
                        "edit is not applied, so that work is not undone; apply it by hand",
                    )
                )
        writes: list[Record] = []
        same: list[Record] = []
        for record in item.records:
            key = (record.kind, record.id)
            other = claimed.get(key)
            if other is not None and other != item.key:
                problems.append(
                    Problem(_ref(record), "is made by another submission of the same page too")
                )
                continue
            stored = held.get(key)
            if stored is None:
                writes.append(with_version(record, 0))
            elif _ref(record) in old_refs:
                # Only a record this submission's earlier revision made is its own: one
                # equal to another's (a duplicated submission, two members recording the
                # same meeting) would otherwise be taken over, and an edit overwrite it.
                if same_content(stored, record):
                    same.append(record)
                else:
                    writes.append(with_version(record, stored.version))
            else:
                problems.append(
                    Problem(
                        _ref(record),
                        "is already in the target store and was not made from this "
                        "submission (two submissions give the same id?): not overwritten",
                    )
                )
        if problems:
            self._reject(item, problems)
            return None
        for record in item.records:
            claimed[(record.kind, record.id)] = item.key
        new_refs = {_ref(r) for r in item.records}
        deletes = [held[_split(r)] for r in sorted(old_refs - new_refs) if _split(r) in held]
        new_mark = ImportMark(
            mark_id(item.key),
            self.mark_source,
            item.key,
            item.submission.revision or item.key,
            record_ids=sorted(new_refs),
            content_id=content_digest(item.records),
        )
        mark_write = with_version(new_mark, 0 if mark is None else mark.version)
        status = "new" if mark is None else ("updated" if writes or deletes else "unchanged")
        return _Plan(item, writes, same, deletes, mark_write, status)

    def _commit(self, plans: Sequence[_Plan]) -> None:
        try:
            with self.target.transaction() as tx:
                writes = [r for p in plans for r in p.writes]
                if writes:
                    tx.put_many(writes)
                for plan in plans:
                    for record in plan.deletes:
                        tx.delete(type(record), record.id, version=record.version)
                tx.put_many([p.mark for p in plans])
                tx.commit()
        except ConflictError as error:
            error.add_note(_CONFLICT_NOTE)
            raise
        for plan in plans:
            self._count(plan.status)
            for record in plan.writes:
                self.written[record.kind] = self.written.get(record.kind, 0) + 1
            for record in plan.same:
                self.unchanged[record.kind] = self.unchanged.get(record.kind, 0) + 1


@attrs.frozen
class _Plan:
    item: _Item
    writes: list[Record]
    same: list[Record]
    deletes: list[Record]
    mark: Record
    status: str


def _split(ref: str) -> tuple[str, str]:
    kind, _, record_id = ref.partition(":")
    return kind, record_id


def _recorded_at(sub: Submission) -> datetime:
    for name in ("end", "start", "_submission_time"):
        found = sub.values.get(name)
        if isinstance(found, datetime):
            return found if found.tzinfo is not None else found.replace(tzinfo=DEFAULT_TIMEZONE)
    raise ValidationError(
        [Problem("_submission_time", "the submission has no end, start or _submission_time")],
        subject="submission",
    )


def _hidden_paths(mapping: FormMapping) -> frozenset[str]:
    """The field paths a mapping pseudonymises (hidden whole in a kept submission)."""
    if not isinstance(mapping, KoboFormMapping):
        return frozenset()
    paths = set()
    for rule in mapping.rules:
        values = [*rule.fields.values(), *(v for s in rule.lists for v in s.fields.values())]
        for value in values:
            if value.pseudonymise and value.field is not None:
                paths.add(value.field)
    return frozenset(paths)
