"""``kk report``: an indicator as a table, suppressed for publication, in Markdown,
CSV or HTML."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from kk_cli import output
from kk_cli.files import write_text
from kk_cli.periods import criteria, period_of, period_options, village_option
from kk_cli.stores import open_for_reading, store_option
from kk_core.analysis import indicator_table
from kk_core.plugins import get_plugins

__all__ = ["command"]

FORMATS = ("markdown", "csv", "html")


@click.command("report", short_help="An indicator as a suppressed table (Markdown, CSV, HTML).")
@click.argument("indicator")
@store_option("The store to count from (it is only read).")
@period_options
@village_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="markdown",
    show_default=True,
    help="Markdown (for a report), CSV (opens in Excel; only the table: its notes go "
    "to stderr) or HTML.",
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default="id",
    show_default=True,
    help="Labels in Indonesian or English.",
)
@click.option(
    "--delimiter",
    type=click.Choice([",", ";"]),
    default=",",
    show_default=True,
    help="CSV delimiter (';' for an Excel set to Indonesian).",
)
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the table to this file instead of stdout.",
)
def command(
    indicator: str,
    store_url: str,
    year: int | None,
    start: datetime | None,
    end: datetime | None,
    village: str | None,
    fmt: str,
    lang: str,
    delimiter: str,
    output_path: Path | None,
) -> None:
    """Count INDICATOR in a store and print it as a table.

    INDICATOR is one the library has (cases_by_hamlet_category, violence_by_form,
    child_marriage_by_age_band, referral_outcomes, permits_obtained …) or a plugin
    registers: kk adapters lists them all. Tables of records about people are
    suppressed as for publication: a count of 1 to 4 shows as <5, and other cells as x
    where the totals would give a small one away. The counts are made by the database
    where the store can.

    The notes under a table (what <5 and x mean, what the table is limited to) end the
    Markdown and the HTML; a CSV holds only the table, so pandas or Excel read no stray
    rows, and its notes are printed on stderr (kk: note: …), whether the CSV goes to
    stdout or to --output.
    """
    plugins = get_plugins()
    store = open_for_reading(plugins, store_url)
    try:
        table = indicator_table(
            indicator, store, plugins=plugins, **criteria(period_of(year, start, end), village)
        )
    finally:
        store.close()
    if fmt == "csv":
        text = table.to_csv(lang, delimiter=delimiter, notes=False)
        for note in table.notes:
            output.echo_status(f"note: {note[1 if lang == 'en' else 0]}")
    elif fmt == "html":
        text = table.to_html(lang)
    else:
        text = table.to_markdown(lang) + "\n"
    if output_path is None:
        click.echo(text, nl=False)
    else:
        write_text(output_path, text)
        output.echo_status(f"wrote {output_path}")
