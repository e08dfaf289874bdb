"""``kk export``: copy the records of one store into another (`kk_core.copy_records`).

SQLite → PostgreSQL, a database → a backup file, and (with the CSV adapter) a store →
a folder of spreadsheets: whatever the installed adapters open. The copy is of content:
the target keeps its own versions, a second run writes nothing, an interrupted run is
finished by running it again, and records the target refuses are listed with their
reasons while the others are copied.

Records about a person (`PERSON_LEVEL_KINDS`) leave a store only when asked for by name
(``--person-level``): a copy is where data escapes the protections of the store that
held it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from kk_cli import output
from kk_cli.exit_codes import ExitCode
from kk_cli.stores import (
    open_for_reading,
    open_for_writing,
    record_total,
    store_option,
    target_option,
)
from kk_core.copying import MAX_PAGE_SIZE, PAGE_SIZE, copy_records
from kk_core.kinds import RECORD_KINDS, RecordType, record_type
from kk_core.plugins import get_plugins
from kk_core.reports import ImportReport

__all__ = ["PERSON_LEVEL_KINDS", "command", "report_data"]

#: Kinds whose records describe one person or one person's case: a member (name, birth
#: year, disability), a case and its referrals, a business (its owner's name, sex and
#: disability) and the support it received, a resident's question (sex, age band,
#: hamlet). Copying them anywhere needs ``--person-level``.
PERSON_LEVEL_KINDS = frozenset(
    {"member", "case", "referral", "business", "support_action", "resident_question"}
)


def _kinds(names: Sequence[str]) -> list[RecordType]:
    if not names:
        return list(RECORD_KINDS.values())
    wanted = {record_type(name.lower()) for name in names}
    return [cls for cls in RECORD_KINDS.values() if cls in wanted]


def report_data(report: ImportReport, target: str) -> dict[str, Any]:
    """The copy's report as plain data (what ``--json`` prints)."""
    return {
        "source": report.source,
        "target": target,
        "written": dict(report.written),
        "unchanged": dict(report.unchanged),
        "rejects": [
            {
                "where": reject.where,
                "problems": [{"path": p.path, "message": p.message} for p in reject.problems],
            }
            for reject in report.rejects
        ],
    }


@click.command(
    "export",
    short_help="Copy records from one store into another.",
)
@store_option("The store to copy from (it is only read).")
@target_option("The store to copy into (created if the adapter creates stores).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(list(RECORD_KINDS), case_sensitive=False),
    help="Copy only this record kind (repeat for several; default: every kind).",
)
@click.option(
    "--person-level",
    is_flag=True,
    help="Allow copying records about persons (members, cases, referrals, businesses, "
    "support actions, residents' questions).",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, MAX_PAGE_SIZE),
    default=PAGE_SIZE,
    show_default=True,
    help="Records read and written per round (one transaction each).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(
    store_url: str,
    to_url: str,
    kinds: tuple[str, ...],
    person_level: bool,
    page_size: int,
    as_json: bool,
) -> None:
    """Copy records from one store into another, with a report of what was written.

    The target keeps its own version numbers; a record it already holds with the same
    content is left alone (a second run writes nothing), one with other content is
    overwritten (the source wins), and records only the target holds are kept. Records
    the target refuses are listed with their reasons (exit status 1); the others are
    copied. Kinds are copied in an order that puts records pointed at first.

    Records about persons are copied only with --person-level: without it, name the
    kinds to copy with --kind.
    """
    classes = _kinds(kinds)
    personal = sorted(cls.kind for cls in classes if cls.kind in PERSON_LEVEL_KINDS)
    if personal and not person_level:
        raise click.UsageError(
            f"these kinds hold records about persons: {', '.join(personal)}. Add "
            "--person-level to copy them (mind where the copy goes: see "
            "docs/data-protection.md), or choose the kinds to copy with --kind"
        )
    plugins = get_plugins()
    source = open_for_reading(plugins, store_url)
    try:
        target = open_for_writing(plugins, to_url)
        try:
            total = record_total(source, classes)
            with output.progress("Copying records", total) as update:

                def progress(report: ImportReport) -> None:
                    done = sum(report.written.values()) + sum(report.unchanged.values())
                    update(done + len(report.rejects))

                report = copy_records(
                    source,
                    target,
                    kinds=classes,
                    page_size=page_size,
                    progress=progress,
                )
            target_url = target.url
        finally:
            target.close()
    finally:
        source.close()
    _print(report, target_url, as_json)
    if report.rejects:
        raise click.exceptions.Exit(ExitCode.PROBLEMS)


def _print(report: ImportReport, target: str, as_json: bool) -> None:
    if as_json:
        output.echo_json(report_data(report, target))
        return
    output.echo(f"Copied {report.source} → {target}")
    output.echo_table(
        ["kind", "written", "unchanged"],
        [
            [kind, f"{report.written.get(kind, 0):,}", f"{report.unchanged.get(kind, 0):,}"]
            for kind in report.written
        ]
        + [
            [
                "total",
                f"{sum(report.written.values()):,}",
                f"{sum(report.unchanged.values()):,}",
            ]
        ],
    )
    if not report.rejects:
        output.echo("No record was refused.")
        return
    output.echo(f"{len(report.rejects):,} record(s) refused by the target, not copied:")
    for reject in report.rejects:
        output.echo(f"  {reject.where}")
        for problem in reject.problems:
            output.echo(f"    - {problem}")
