"""The options that narrow what a report counts: a period (``--year`` or ``--from`` and
``--to``) and a village (``--village``), turned into the criteria of `kk_core.analysis`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click

from kk_core import Between, regions

__all__ = ["criteria", "period_of", "period_options", "village_option"]

_F = TypeVar("_F", bound=Callable[..., Any])


def period_options(func: _F) -> _F:
    """``--year``, ``--from``, ``--to``."""
    for option in reversed(
        (
            click.option("--year", type=click.IntRange(1945, 2100), help="A calendar year."),
            click.option(
                "--from",
                "start",
                type=click.DateTime(["%Y-%m-%d"]),
                help="First day (YYYY-MM-DD), with --to.",
            ),
            click.option(
                "--to",
                "end",
                type=click.DateTime(["%Y-%m-%d"]),
                help="Last day (YYYY-MM-DD), with --from.",
            ),
        )
    ):
        func = option(func)
    return func


def village_option(*, required: bool = False) -> Callable[[_F], _F]:
    return click.option(
        "--village",
        metavar="CODE",
        required=required,
        callback=_check_village,
        help="A village by its Kemendagri code (52.03.17.2003).",
    )


def _check_village(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and regions.get(value) is None:
        raise click.BadParameter(
            f"{value!r} is not a village code Kemendagri lists (kk_core.regions)",
            ctx=ctx,
            param=param,
        )
    return value


def period_of(year: int | None, start: datetime | None, end: datetime | None) -> Between | None:
    """The period the options give, or None when they give none."""
    if year is not None and (start or end):
        raise click.UsageError("give either --year or --from and --to, not both")
    if year is not None:
        return Between(date(year, 1, 1), date(year, 12, 31))
    if (start is None) != (end is None):
        raise click.UsageError("--from and --to go together")
    if start is None or end is None:
        return None
    if end.date() < start.date():
        raise click.UsageError(f"--to {end.date()} is before --from {start.date()}")
    return Between(start.date(), end.date())


def criteria(period: Between | None, village: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if period is not None:
        found["period"] = period
    if village is not None:
        found["village_id"] = village
    return found
