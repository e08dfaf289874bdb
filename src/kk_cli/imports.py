"""What ``kk import`` and ``kk sync`` share: the import report, printed or as JSON, and
the rejects file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kk_cli import output
from kk_cli.exit_codes import ExitCode
from kk_core.reports import ImportReport

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
            problems = sum(len(r.problems) for r in report.rejects)
            where = f"; see {rejects_path}" if rejects_path is not None else ""
            output.echo(f"Refused: {len(report.rejects)} ({problems} problems){where}. The first:")
            for reject in report.rejects[:5]:
                for problem in reject.problems[:3]:
                    output.echo(f"  {reject.where}: {problem.path}: {problem.message}")
    if report.rejects:
        raise click.exceptions.Exit(ExitCode.PROBLEMS)
