"""``kk brief``: the musyawarah brief of one village, HTML or Markdown."""

from __future__ import annotations

import sys
import warnings
from datetime import datetime
from pathlib import Path

import click

from kk_cli import output
from kk_cli.files import write_text
from kk_cli.periods import period_of, period_options, village_option
from kk_cli.stores import open_for_reading, store_option
from kk_core import regions
from kk_core.analysis import Brief, render_brief
from kk_core.cases import Case
from kk_core.dimensions import Between
from kk_core.errors import KKError
from kk_core.plugins import get_plugins
from kk_core.store import Store

__all__ = ["command"]


@click.command("brief", short_help="The musyawarah brief of a village (HTML or Markdown).")
@store_option("The store to count from (it is only read).")
@village_option(required=True)
@period_options
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default="id",
    show_default=True,
    help="Indonesian or English.",
)
@click.option(
    "--charts/--no-charts",
    default=True,
    show_default=True,
    help="Draw the charts (they need matplotlib: the analysis extra).",
)
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the brief to this file: HTML for .html, else Markdown. Without it, the "
    "brief goes to stdout when stdout is a pipe or a file (kk brief > brief.md), and to "
    "brief-VILLAGE-PERIOD.html when stdout is a terminal.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "markdown"]),
    help="HTML (the page, charts included) or Markdown. Default: HTML for an --output "
    "ending in .html or .htm and for the file written when stdout is a terminal, else "
    "Markdown.",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Write the brief even when the village has no case, referral, UMKM support or "
    "information session in the period (it then shows only zeros).",
)
def command(
    store_url: str,
    village: str,
    year: int | None,
    start: datetime | None,
    end: datetime | None,
    lang: str,
    charts: bool,
    output_path: Path | None,
    fmt: str | None,
    allow_empty: bool,
) -> None:
    """Make the brief a KK brings to a village deliberation (musyawarah desa): the cases
    by hamlet, quarter, age band and sex, violence, child marriage and school dropout,
    referrals, the Ekonomi division's work and the proposals, for one village and
    period (--year, or --from and --to).

    Every table is suppressed for publication and coarsened until most of its cells
    can be shown; the charts are drawn from the suppressed tables only. The HTML file
    holds everything (charts included): open it, print it, send it.

    A period in which the village has no case, referral, UMKM support or information
    session (a wrong --year, a village of another KK) writes nothing: the error names the
    years the store has cases of the village in (exit status 3). --allow-empty writes
    such a brief anyway, with a warning.
    """
    period = period_of(year, start, end)
    if period is None:
        raise click.UsageError("give the period: --year, or --from and --to")
    plugins = get_plugins()
    store = open_for_reading(plugins, store_url)
    try:
        with warnings.catch_warnings():
            # matplotlib's notes on a chart with nothing to label are not the user's concern
            warnings.filterwarnings("ignore", "No artists with labels", UserWarning)
            brief = render_brief(store, village_id=village, period=period, lang=lang, charts=charts)
        if _empty(brief):
            empty = _no_data(store, village, period)
            if not allow_empty:
                raise KKError(f"{empty}: nothing was written (--allow-empty writes it anyway)")
            output.echo_warning(f"{empty}: the brief shows only zeros")
    finally:
        store.close()
    if output_path is None and not sys.stdout.isatty():
        click.echo(brief.html if fmt == "html" else brief.markdown)
        return
    if output_path is None:  # a terminal: the page goes to a file, named here
        output_path = Path(f"brief-{village}-{_period_name(period)}.html")
    if fmt is None:
        fmt = "html" if output_path.suffix.lower() in (".html", ".htm") else "markdown"
    write_text(output_path, brief.html if fmt == "html" else brief.markdown)
    output.echo_status(f"wrote {output_path}")


def _empty(brief: Brief) -> bool:
    """Whether every table of the period shows nothing but zeros (the proposals, which
    stand whatever the period, do not count)."""
    for table in brief.tables:
        criteria = table.metadata.get("criteria")
        if criteria is not None and "period" not in criteria:
            continue
        if any(cell.shown not in ("0", "–", "") for cell in table.cells.values()):
            return False
    return True


def _no_data(store: Store, village: str, period: Between) -> str:
    """What the user is told when the period is empty: the village, the period, and the
    years the store has cases of the village in."""
    place = regions.get(village)
    name = f"{place.name} ({village})" if place is not None else village
    counted = store.count(Case, by=("year",), village_id=village)
    years = sorted(str(key[0]) for key, n in counted.items() if n and key[0] is not None)
    has = (
        f"the store has cases of this village in {', '.join(years)}"
        if years
        else "the store has no case of this village at all"
    )
    return (
        f"no case, referral, UMKM support or information session of {name} from "
        f"{period.start.isoformat()} to {period.end.isoformat()} ({has})"
    )


def _period_name(period: Between) -> str:
    """``2025`` for a whole year, else ``2025-01-01_2025-06-30``."""
    start, end = period.start, period.end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start.isoformat()}_{end.isoformat()}"
