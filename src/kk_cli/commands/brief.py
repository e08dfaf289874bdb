"""``kk brief``: the musyawarah brief of one village, HTML or Markdown."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import click

from kk_cli import output
from kk_cli.files import write_text
from kk_cli.periods import period_of, period_options, village_option
from kk_cli.stores import open_for_reading, store_option
from kk_core.analysis import render_brief
from kk_core.plugins import get_plugins

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
    "Markdown is printed.",
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
) -> None:
    """Make the brief a KK brings to a village deliberation (musyawarah desa): the cases
    by hamlet, quarter, age band and sex, violence, child marriage and school dropout,
    referrals, the Ekonomi division's work and the proposals, for one village and
    period (--year, or --from and --to).

    Every table is suppressed for publication and coarsened until most of its cells
    can be shown; the charts are drawn from the suppressed tables only. The HTML file
    holds everything (charts included): open it, print it, send it.
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
    finally:
        store.close()
    if output_path is None:
        click.echo(brief.markdown)
        return
    html = output_path.suffix.lower() in (".html", ".htm")
    write_text(output_path, brief.html if html else brief.markdown)
    output.echo_status(f"wrote {output_path}")
