"""``kk import``: a partner's spreadsheet through its mapping, or a folder of CSV files in
the library's layout, into any store."""

from __future__ import annotations

from pathlib import Path

import click

from kk_cli import output
from kk_cli.commands.sync import run_sync, source_url
from kk_cli.imports import finish, rejects_option
from kk_cli.keys import KEY_FILE_ENV, register_key_file
from kk_cli.mappings import GENERATED_FORMS, is_kobo_mapping, mapping_option
from kk_cli.stores import open_for_writing, store_option
from kk_core.errors import KKError
from kk_core.plugins import get_plugins
from kk_core.reports import ImportReport

__all__ = ["command"]


@click.command("import", short_help="Import a partner's spreadsheet or a CSV folder.")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@store_option("The store to import into.")
@mapping_option(
    "The TOML mapping of a partner's sheet (CSV or .xlsx): which column is which "
    "field; or a KoboToolbox form's mapping (a TOML file with a [form] table, or the "
    f"name of a generated form: {', '.join(GENERATED_FORMS)}) for an export of that "
    "form, imported as kk sync imports it. Without it, SOURCE is a folder of CSV files "
    "in the library's layout."
)
@rejects_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(
    source: Path,
    store_url: str,
    mapping: Path | str | None,
    rejects_path: Path | None,
    as_json: bool,
) -> None:
    """Import SOURCE into a store, with a report of what was written and refused.

    SOURCE is a partner's sheet (a .csv or an .xlsx, with --mapping: see
    docs/reference/csv.md) or a folder of CSV files in the library's layout (kk export
    --to csv:///folder makes one). A mapping or a header that does not fit is refused
    before anything is written (exit status 3); after that, each row that does not read
    or that the store refuses is kept with its reasons (in --rejects, and exit status
    1) and the others are written. Importing the same file again writes nothing new.
    A mapping that pseudonymises identity numbers needs the deployment's key: a
    kk_pseudonym_key plugin, or a file named by KK_PSEUDONYM_KEY_FILE (never typed).

    A KoboToolbox export (.json, or a .csv or .xlsx with a Kobo form's mapping) is
    imported as kk sync imports it: kk import export.json --mapping kk_pengaduan.
    """
    from kk_adapters.csv.imports import import_csv, import_spreadsheet
    from kk_adapters.csv.mapping import load_mapping

    kobo_export = source.is_file() and source.suffix.lower() in (".json", ".jsonl")
    if (
        isinstance(mapping, str)
        or (mapping is not None and is_kobo_mapping(mapping))
        or (kobo_export and mapping is not None)
    ):
        if source.is_dir():
            raise click.UsageError(
                f"{source} is a folder: a KoboToolbox form's mapping goes with an export "
                "file (.json, .csv or .xlsx) of that form"
            )
        run_sync(
            source_url(str(source)), mapping, store_url, rejects_path=rejects_path, as_json=as_json
        )
        return
    if mapping is None and not source.is_dir():
        kobo = (
            f" (a KoboToolbox export: --mapping and its mapping file, or the name of a "
            f"generated form: {', '.join(GENERATED_FORMS)})"
            if kobo_export
            else ""
        )
        raise click.UsageError(
            f"{source} is a file: give its --mapping (a TOML file){kobo}, or give a folder "
            "of CSV files in the library's layout"
        )
    sheet_mapping = load_mapping(mapping) if mapping is not None else None  # before writing
    plugins = get_plugins()
    register_key_file(plugins)
    if (
        sheet_mapping is not None
        and sheet_mapping.pseudonymises
        and plugins.pseudonym_key() is None
    ):
        raise KKError(
            "the mapping pseudonymises identity numbers and no key is given: set "
            f"{KEY_FILE_ENV} to a file holding the deployment's key, or install a plugin "
            "whose kk_pseudonym_key gives it"
        )
    target = open_for_writing(plugins, store_url)
    try:
        with output.progress(f"Importing {source.name}", None) as update:

            def progress(report: ImportReport) -> None:
                update(sum(report.written.values()) + sum(report.unchanged.values()))

            if sheet_mapping is None:
                report = import_csv(source, target, progress=progress)
            else:
                report = import_spreadsheet(source, sheet_mapping, target, progress=progress)
        target_url = target.url
    finally:
        target.close()
    finish(report, target_url, rejects_path, as_json)
