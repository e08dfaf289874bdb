"""What ``kk import`` and ``kk sync`` share: the import report, printed or as JSON, and
the rejects file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kk_cli import output
from kk_cli.exit_codes import ExitCode
from kk_core.reports import ImportReport, Reject

__all__ = ["finish", "rejects_option"]


def rejects_option(func: Any) -> Any:
    return click.option(
        "--rejects",
        "rejects_path",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="Write what was refused, one line per problem, to this CSV file (row or "
        "submission, place, problem; values masked).",
    )(func)


def finish(report: ImportReport, target: str, rejects_path: Path | None, as_json: bool) -> None:
    """Print the report; the rejects file; exit status 1 when anything was refused."""
    if rejects_path is not None:
        from kk_adapters.csv.imports import write_rejects

        write_rejects(rejects_path, report.rejects)
    counts: dict[str, Any] = {}
    submissions = getattr(report, "submissions", None)
    if submissions is not None:
        counts = {
            "total": submissions.total,
            "new": submissions.new,
            "updated": submissions.updated,
            "unchanged": submissions.unchanged,
            "rejected": submissions.rejected,
        }
    if as_json:
        output.echo_json(
            {
                "source": report.source,
                "target": target,
                **({"submissions": counts} if counts else {}),
                "written": dict(report.written),
                "unchanged": dict(report.unchanged),
                "rejects": [
                    {
                        "where": r.where,
                        "problems": [{"path": p.path, "message": p.message} for p in r.problems],
                    }
                    for r in report.rejects
                ],
                "rejects_file": None if rejects_path is None else str(rejects_path),
            }
        )
    else:
        output.echo(f"Imported {report.source} → {target}")
        if counts:
            output.echo(
                f"Submissions: {counts['total']} ({counts['new']} new, {counts['updated']} "
                f"updated, {counts['unchanged']} unchanged, {counts['rejected']} rejected)"
            )
        kinds = sorted({*report.written, *report.unchanged})
        output.echo_table(
            ["kind", "written", "unchanged"],
            [[k, f"{report.written.get(k, 0):,}", f"{report.unchanged.get(k, 0):,}"] for k in kinds]
            + [
                [
                    "total",
                    f"{sum(report.written.values()):,}",
                    f"{sum(report.unchanged.values()):,}",
                ]
            ],
        )
        if not report.rejects:
            output.echo("Nothing was refused.")
        else:
            _echo_rejects(report.rejects, rejects_path)
    if report.rejects:
        raise click.exceptions.Exit(ExitCode.PROBLEMS)


#: How many places of refused rows or submissions the report lists, and how many
#: problems of each (the rejects file holds them all).
SHOWN_PLACES, SHOWN_PROBLEMS = 5, 3


def _place_key(where: str) -> list[Any]:
    """``case.csv:10`` after ``case.csv:9``: digits compared as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", where)]


def _listed(items: Sequence[str], more: int) -> str:
    if more:
        return f"{', '.join(items)} and {more:,} more"
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _echo_rejects(rejects: Sequence[Reject], rejects_path: Path | None) -> None:
    """The refused places in order, each once, then their problems: the first
    `SHOWN_PLACES` places, `SHOWN_PROBLEMS` problems each."""
    ordered = sorted(rejects, key=lambda r: _place_key(r.where))
    places = list(dict.fromkeys(r.where for r in ordered))
    shown = places[:SHOWN_PLACES]
    more = len(places) - len(shown)
    problems = sum(len(r.problems) for r in rejects)
    if rejects_path is not None:
        where = f"; every one is in {rejects_path}"
    elif more:
        where = "; --rejects FILE writes every one"
    else:
        where = ""
    output.echo(
        f"Refused: {len(rejects):,} ({problems:,} problems), at {_listed(shown, more)}{where}:"
    )
    for reject in (r for r in ordered if r.where in shown):
        for problem in reject.problems[:SHOWN_PROBLEMS]:
            if problem.path.startswith(reject.where):  # the path names the place (a cell)
                output.echo(f"  {problem.path}: {problem.message}")
            else:
                output.echo(f"  {reject.where}: {problem.path}: {problem.message}")
        hidden = len(reject.problems) - SHOWN_PROBLEMS
        if hidden > 0:
            output.echo(f"  {reject.where}: and {hidden:,} more problems")
