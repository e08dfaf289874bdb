"""Layers of the CSV store (issue 11, item 7): writing and reading the typical case.

The files are the store's own layout (`kk_adapters.csv.schema`): ``case.csv`` with one
row per case, and the child tables ``case.timeline.csv`` (three events per case) and
``case.violence.perpetrators.csv`` (one or two per case); ``case.plan.csv`` and
``case.child_marriage.parties.csv`` hold only their headers. Both sides write and read
the same files, checked equal (byte for byte when writing, record for record when
reading) on 200 cases before anything is timed.

* ``csv.write`` — **lib**: ``store.put_many(cases)`` into an empty ``csv://`` folder
  (versions planned and checked, every value checked, formula escaping, the files
  written to temporary files, ``fsync``, moved in through the journal); **raw**: a
  hand-written record → row function per file and ``csv.writer``, the cases sorted by
  id as the store keeps them, each file flushed and ``fsync``ed.
* ``csv.read`` — **lib**: ``list(store.find(Case))``; **raw**: ``csv.DictReader`` over
  the three files, the child rows joined to their case by hand (the files are in id
  order) and each row turned into a `Case` by hand-written code (constructors, enum
  calls, ``fromisoformat``), as `bench.handwritten` does from dicts.
* ``csv.read.stream`` — the same reads, each record dropped as soon as it is made: the
  peak-memory columns show whether memory grows with N.

Targets: ≥ 0.50 of each baseline (the issue's bar).

Preparing the input is not timed, but at 1M it was most of a run, so it is done once:
the read layers read a folder of N cases the store wrote, kept in
``bench/results/.cache/csv-cases-N-FINGERPRINT/`` (the fingerprint covers the workload
and the bytes the store writes for a sample, so a change to either writes a new one);
both read layers and every peak-memory probe read that same folder. It is written in
batches of `BUILD_BATCH` cases, so at most one batch of records is held while it is
made. The write layer still needs the N records in memory (both sides write the same
list), made once per process and shared by the two sides.
"""

from __future__ import annotations

import atexit
import csv
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bench.harness import ROOT, MinRatio, Side, ThroughputLayer, Trial, bulk_gc
from bench.workload import iter_case_dicts
from kk_core import open_store
from kk_core.cases import (
    Assessment,
    Case,
    Consent,
    Perpetrator,
    Subject,
    ViolenceIncident,
)
from kk_core.codes import (
    AccommodationNeed,
    CaseCategory,
    CaseStatus,
    ConsentGiver,
    DisabilityDomain,
    DisabilityType,
    FunctioningSet,
    IntakeChannel,
    NeedDomain,
    Reporter,
    RiskLevel,
    Sex,
    ViolenceForm,
)
from kk_core.converter import structure
from kk_core.disability import Disability
from kk_core.lifecycle import Event

__all__ = ["LAYERS"]

SAMPLE = 200
CACHE = ROOT / "bench" / "results" / ".cache"
#: Cases per ``put_many`` while the cached folder is written (records held at a time).
BUILD_BATCH = 250_000
_FILES = (
    "case.csv",
    "case.violence.perpetrators.csv",
    "case.child_marriage.parties.csv",
    "case.plan.csv",
    "case.timeline.csv",
)


def _workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="kk-bench-csv-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def _records(n: int, start: int = 0) -> list[Case]:
    """Cases ``start`` to ``start + n`` of the workload, made with the collector paused
    (with a million records alive it would walk them again and again: a third of the
    time it takes to make them)."""
    with bulk_gc("paused"):
        return [structure(d, Case) for d in iter_case_dicts(n, start)]


def _headers() -> dict[str, list[str]]:
    from kk_adapters.csv.schema import schema_of

    return {t.file_name: list(t.header) for t in schema_of("case").tables}


# -- the hand-written writer ------------------------------------------------------------


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _code(member: Any) -> str:
    return "" if member is None else member.value


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _codes(members: frozenset[Any]) -> str:
    return "; ".join(sorted([m.value for m in members]))


def _flag(value: bool) -> str:
    return "true" if value else "false"


def case_row(c: Case) -> list[str]:
    """The cells of ``case.csv`` for a case, written out by hand."""
    s = c.subject
    d = s.disability
    v = c.violence
    a = c.assessment
    k = c.consent
    row = [
        c.id,
        c.group_id,
        c.village_id,
        c.reported_on.isoformat(),
        c.channel.value,
        c.category.value,
        s.sex.value,
        _s(s.birth_year),
        _s(s.birth_month),
        _s(s.age_years),
        d.question_set.value,
        _codes(d.some),
        _codes(d.a_lot),
        _codes(d.cannot),
        _codes(d.types),
        _codes(d.accommodations),
        _s(s.hamlet_id),
        s.initials,
        _s(s.identity),
        _code(c.reporter),
        _codes(c.issues),
        _s(c.subcategory),
        _s(c.programme),
        _s(c.welfare_decile),
        _day(c.decile_seen_on),
        _codes(c.documents),
        _codes(c.dropout_reasons),
    ]
    if v is None:
        row += [""] * 9
    else:
        row += [
            _codes(v.forms),
            v.place,
            _day(v.occurred_on),
            _s(v.incident_id),
            _codes(v.tpks_forms),
            _code(v.penetration),
            _code(v.exploitation),
            _flag(v.exchange),
            _flag(v.resources_withheld),
        ]
    row += [""] * 6  # no child marriage in the typical case
    row.append(_code(c.risk))
    if a is None:
        row += [""] * 5
    else:
        row += [a.assessed_on.isoformat(), a.risk.value, _codes(a.needs), _s(a.by), a.note]
    row += [_day(c.next_follow_up), _code(c.legal_stage), _s(c.companion_id)]
    if k is None:
        row += [""] * 9
    else:
        row += [
            k.giver.value,
            k.recorded_on.isoformat(),
            "; ".join(sorted(k.services)),
            _flag(k.to_share_data),
            "",
            "",
            "",  # no assent in the typical case
            _s(k.approved_by),
            k.note,
        ]
    # version: a new record is stored at version 1
    row += [c.status.value, _code(c.outcome), _day(c.closed_on), c.summary, str(c.version + 1)]
    return row


def _perpetrator_row(owner: str, n: int, p: Perpetrator) -> list[str]:
    return [
        owner,
        str(n),
        p.relation,
        _code(p.sex),
        _s(p.age_years),
        _code(p.age_band),
        "" if p.is_child is None else _flag(p.is_child),
        _flag(p.is_caregiver),
    ]


def _event_row(owner: str, n: int, e: Event) -> list[str]:
    return [
        owner,
        str(n),
        e.at.isoformat(),
        e.action,
        _s(e.source),
        e.target,
        _s(e.actor_id),
        e.note,
        _s(e.ref),
    ]


def raw_write(cases: list[Case], folder: Path, headers: dict[str, list[str]]) -> None:
    """The five files of the cases, by hand: sorted by id, each flushed and fsynced."""
    ordered = sorted(cases, key=lambda c: c.id)
    handles = {name: (folder / name).open("w", encoding="utf-8", newline="") for name in _FILES}
    try:
        writers = {name: csv.writer(h, lineterminator="\r\n") for name, h in handles.items()}
        for name, writer in writers.items():
            writer.writerow(headers[name])
        main = writers["case.csv"].writerow
        perpetrators = writers["case.violence.perpetrators.csv"].writerow
        events = writers["case.timeline.csv"].writerow
        for c in ordered:
            main(case_row(c))
            if c.violence is not None:
                for n, p in enumerate(c.violence.perpetrators, 1):
                    perpetrators(_perpetrator_row(c.id, n, p))
            for n, e in enumerate(c.timeline, 1):
                events(_event_row(c.id, n, e))
        for handle in handles.values():
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        for handle in handles.values():
            handle.close()


# -- the hand-written reader ------------------------------------------------------------


def _opt_int(text: str) -> int | None:
    return int(text) if text else None


def _opt(text: str) -> str | None:
    return text or None


def _opt_day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _members(kind: Any, text: str) -> frozenset[Any]:
    return frozenset(kind(x) for x in text.split("; ")) if text else frozenset()


def _grouped(path: Path) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """(case id, its rows) of a child file, in file order (the file is in id order)."""
    with path.open(encoding="utf-8", newline="") as handle:
        owner: str | None = None
        rows: list[dict[str, str]] = []
        for row in csv.DictReader(handle):
            if row["case_id"] != owner:
                if owner is not None:
                    yield owner, rows
                owner, rows = row["case_id"], []
            rows.append(row)
        if owner is not None:
            yield owner, rows


def _take(
    groups: Iterator[tuple[str, list[dict[str, str]]]], state: list[Any], key: str
) -> list[dict[str, str]]:
    """The rows of case ``key`` from a grouped child file (``state`` holds its head)."""
    head = state[0]
    while head is not None and head[0] < key:
        head = next(groups, None)
    state[0] = head
    if head is not None and head[0] == key:
        state[0] = next(groups, None)
        return head[1]
    return []


def case_from_row(
    r: dict[str, str], perpetrators: list[dict[str, str]], events: list[dict[str, str]]
) -> Case:
    """A `Case` from its ``csv.DictReader`` rows, written out by hand."""
    subject = Subject(
        Sex(r["subject.sex"]),
        birth_year=_opt_int(r["subject.birth_year"]),
        birth_month=_opt_int(r["subject.birth_month"]),
        age_years=_opt_int(r["subject.age_years"]),
        disability=Disability(
            question_set=FunctioningSet(r["subject.disability.question_set"]),
            some=_members(DisabilityDomain, r["subject.disability.some"]),
            a_lot=_members(DisabilityDomain, r["subject.disability.a_lot"]),
            cannot=_members(DisabilityDomain, r["subject.disability.cannot"]),
            types=_members(DisabilityType, r["subject.disability.types"]),
            accommodations=_members(AccommodationNeed, r["subject.disability.accommodations"]),
        ),
        hamlet_id=_opt(r["subject.hamlet_id"]),
        initials=r["subject.initials"],
        identity=_opt(r["subject.identity"]),
    )
    violence = None
    if r["violence.forms"]:
        violence = ViolenceIncident(
            _members(ViolenceForm, r["violence.forms"]),
            r["violence.place"],
            perpetrators=tuple(
                Perpetrator(
                    p["relation"],
                    sex=Sex(p["sex"]) if p["sex"] else None,
                    age_years=_opt_int(p["age_years"]),
                    is_caregiver=p["is_caregiver"] == "true",
                )
                for p in perpetrators
            ),
            occurred_on=_opt_day(r["violence.occurred_on"]),
        )
    assessment = None
    if r["assessment.assessed_on"]:
        assessment = Assessment(
            date.fromisoformat(r["assessment.assessed_on"]),
            RiskLevel(r["assessment.risk"]),
            needs=_members(NeedDomain, r["assessment.needs"]),
            by=_opt(r["assessment.by"]),
            note=r["assessment.note"],
        )
    consent = None
    if r["consent.giver"]:
        services = r["consent.services"]
        consent = Consent(
            ConsentGiver(r["consent.giver"]),
            date.fromisoformat(r["consent.recorded_on"]),
            services=frozenset(services.split("; ")) if services else frozenset(),
            to_share_data=r["consent.to_share_data"] == "true",
            approved_by=_opt(r["consent.approved_by"]),
            note=r["consent.note"],
        )
    return Case(
        r["id"],
        r["group_id"],
        r["village_id"],
        date.fromisoformat(r["reported_on"]),
        IntakeChannel(r["channel"]),
        CaseCategory(r["category"]),
        subject,
        reporter=Reporter(r["reporter"]) if r["reporter"] else None,
        issues=_members(CaseCategory, r["issues"]),
        violence=violence,
        risk=RiskLevel(r["risk"]) if r["risk"] else None,
        assessment=assessment,
        companion_id=_opt(r["companion_id"]),
        consent=consent,
        status=CaseStatus(r["status"]),
        timeline=tuple(
            Event(
                datetime.fromisoformat(e["at"]),
                e["action"],
                _opt(e["source"]),
                e["target"],
                actor_id=_opt(e["actor_id"]),
                note=e["note"],
                ref=_opt(e["ref"]),
            )
            for e in events
        ),
        summary=r["summary"],
        version=int(r["version"]),
    )


def raw_read(folder: Path) -> Iterator[Case]:
    perpetrators = _grouped(folder / "case.violence.perpetrators.csv")
    events = _grouped(folder / "case.timeline.csv")
    p_head: list[Any] = [next(perpetrators, None)]
    e_head: list[Any] = [next(events, None)]
    with (folder / "case.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = row["id"]
            yield case_from_row(row, _take(perpetrators, p_head, key), _take(events, e_head, key))


# -- the layers -------------------------------------------------------------------------


class _Holder:
    store: Any = None


def _prepare_write(n: int) -> Trial:
    records = _records(n)
    headers = _headers()
    work = _workdir()
    raw_dir, lib_dir = work / "raw", work / "lib"
    holder = _Holder()

    def reset_raw() -> None:
        shutil.rmtree(raw_dir, ignore_errors=True)
        raw_dir.mkdir()

    def reset_lib() -> None:
        shutil.rmtree(lib_dir, ignore_errors=True)
        holder.store = open_store(f"csv://{lib_dir.as_posix()}")

    # the same work: the first cases written both ways give the same files, byte for byte
    sample = records[:SAMPLE]
    reset_raw()
    raw_write(sample, raw_dir, headers)
    reset_lib()
    holder.store.put_many(sample)
    for name in _FILES:
        assert (raw_dir / name).read_bytes() == (lib_dir / name).read_bytes(), f"{name} differs"
    return Trial(
        n,
        raw=Side(lambda: raw_write(records, raw_dir, headers), reset_raw),
        lib=Side(lambda: holder.store.put_many(records), reset_lib),
        close=lambda: shutil.rmtree(work, ignore_errors=True),
    )


def _fingerprint() -> str:
    """What the cached folders depend on: the workload's source and the files the store
    writes for its first cases (any change to the layout or the cells shows there)."""
    digest = hashlib.sha256((Path(__file__).parent / "workload.py").read_bytes())
    work = Path(tempfile.mkdtemp(prefix="kk-bench-csv-fp-"))
    try:
        store = open_store(f"csv://{(work / 'f').as_posix()}?read_only=no")
        store.put_many(_records(20))
        for name in _FILES:
            digest.update(name.encode() + b"\0" + (work / "f" / name).read_bytes())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return digest.hexdigest()[:10]


def cached_folder(n: int) -> Path:
    """A ``csv://`` folder of the first ``n`` workload cases, written by the store once
    (in batches of `BUILD_BATCH`) and kept; stale ones (another fingerprint) go."""
    fingerprint = _fingerprint()
    name = f"csv-cases-{n}-{fingerprint}"
    folder = CACHE / name
    if (folder / "case.csv").exists():
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.glob(f"csv-cases-{n}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    partial = CACHE / f"{name}.part"
    shutil.rmtree(partial, ignore_errors=True)
    store = open_store(f"csv://{partial.as_posix()}?read_only=no")
    for lo in range(0, n, BUILD_BATCH):
        batch = _records(min(BUILD_BATCH, n - lo), lo)
        with bulk_gc("paused"):
            store.put_many(batch)
        del batch
    partial.rename(folder)  # whole or absent: an interrupted build is written again
    return folder


def _prepare_read(n: int, keep: bool) -> Trial:
    folder = cached_folder(n)
    reader = open_store(f"csv://{folder.as_posix()}?read_only=yes")
    # the same work: both sides make the same cases from the same files
    lib_sample = [c for _, c in zip(range(SAMPLE), reader.find(Case), strict=False)]
    raw_sample = [c for _, c in zip(range(SAMPLE), raw_read(folder), strict=False)]
    assert lib_sample == raw_sample, "the store and the hand-written reader disagree"
    count = sum(1 for _ in _main_rows(folder))
    assert count == n, f"{folder} holds {count} cases, not {n}"

    if keep:
        raw_run: Any = lambda: list(raw_read(folder))  # noqa: E731
        lib_run: Any = lambda: list(reader.find(Case))  # noqa: E731
    else:

        def raw_run() -> int:
            return sum(1 for _ in raw_read(folder))

        def lib_run() -> int:
            return sum(1 for _ in reader.find(Case))

    return Trial(n, raw=Side(raw_run), lib=Side(lib_run))


def _main_rows(folder: Path) -> Iterator[list[str]]:
    with (folder / "case.csv").open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        yield from rows


LAYERS = [
    ThroughputLayer(
        name="csv.write",
        group="csv",
        raw_label="hand record -> row + csv.writer",
        lib_label="CsvStore.put_many",
        prepare=_prepare_write,
        target=MinRatio(0.50),
    ),
    ThroughputLayer(
        name="csv.read",
        group="csv",
        raw_label="csv.DictReader + hand row -> Case",
        lib_label="list(CsvStore.find(Case))",
        prepare=lambda n: _prepare_read(n, keep=True),
        target=MinRatio(0.50),
    ),
    ThroughputLayer(
        name="csv.read.stream",
        group="csv",
        raw_label="csv.DictReader + hand row -> Case, dropped",
        lib_label="CsvStore.find(Case), dropped",
        prepare=lambda n: _prepare_read(n, keep=False),
        target=MinRatio(0.50),
    ),
]
