"""``kk sync``: a KoboToolbox form's submissions into any store, incrementally, from the
API or from an export file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from kk_cli import output
from kk_cli.imports import finish, rejects_option
from kk_cli.keys import register_key_file
from kk_cli.mappings import GENERATED_FORMS, generated_mapping, mapping_option
from kk_cli.stores import check_url, open_for_writing, store_option
from kk_core.errors import KKError
from kk_core.plugins import get_plugins
from kk_core.reports import ImportReport

__all__ = ["TOKEN_ENV", "command", "run_sync", "source_url"]

#: Where the API token is read from, unless the source URL names another variable.
TOKEN_ENV = "KOBO_TOKEN"


def source_url(source: str) -> str:
    """``kobo+https://…``, ``kobo+http://…``, ``kobo+file://…`` as given; a path to an
    export file becomes its ``kobo+file://`` URL."""
    if source.lower().startswith("kobo+"):
        return source
    if "://" in source:
        raise click.BadParameter(
            f"{source.partition('://')[0]}:// is not a Kobo source: give kobo+https://SERVER/"
            "ASSET_UID, or an export file (.json, .csv, .xlsx)",
            param_hint="SOURCE",
        )
    path = Path(source)
    if not path.is_file():
        raise click.BadParameter(f"no such export file: {source}", param_hint="SOURCE")
    return f"kobo+file://{path.resolve()}"


@click.command("sync", short_help="Import a KoboToolbox form's submissions (API or export).")
@click.argument("source", callback=check_url)
@mapping_option(
    "The form's mapping: a TOML file (which answers become which records), or the name "
    f"of one of the KK's generated forms ({', '.join(GENERATED_FORMS)}: kk form wrote "
    "them), whose mapping is made from the --store as kk form made the form.",
    required=True,
)
@store_option("The store to import into.")
@click.option(
    "--token-prompt",
    is_flag=True,
    help=f"Ask for the API token (typed unseen) instead of reading {TOKEN_ENV}.",
)
@click.option(
    "--attachments",
    type=click.Path(file_okay=False, path_type=Path),
    help="Save the submissions' attachments (photos, signed forms) in this folder.",
)
@rejects_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(
    source: str,
    mapping: Path | str,
    store_url: str,
    token_prompt: bool,
    attachments: Path | None,
    rejects_path: Path | None,
    as_json: bool,
) -> None:
    """Import the submissions of a KoboToolbox form into a store, with a report.

    SOURCE is the form on a server, kobo+https://kf.kobotoolbox.org/ASSET_UID (the
    API token is read from the KOBO_TOKEN environment variable, or the one the URL
    names with ?token_env=NAME, or asked for with --token-prompt; never typed on the
    command line), or an export file downloaded from it (.json, .csv or .xlsx, with
    the form's schema beside it). A second sync fetches only what is new or edited:
    the checkpoint is kept in the store. A mapping that does not fit the form is
    refused before anything is written (exit status 3); submissions that do not map
    are kept with their reasons (--rejects, exit status 1), the others are written.
    Identity numbers a mapping pseudonymises need the deployment's key: a
    kk_pseudonym_key plugin, or a file named by KK_PSEUDONYM_KEY_FILE (never typed).

    The submissions of a form kk form wrote are imported with --mapping and the form's
    name: kk sync export.json --mapping kk_pengaduan --store sqlite:///kk.db.
    """
    run_sync(
        source_url(source),
        mapping,
        store_url,
        token_prompt=token_prompt,
        attachments=attachments,
        rejects_path=rejects_path,
        as_json=as_json,
    )


def run_sync(
    url: str,
    mapping: Path | str,
    store_url: str,
    *,
    token_prompt: bool = False,
    attachments: Path | None = None,
    rejects_path: Path | None = None,
    as_json: bool = False,
) -> None:
    """Sync the Kobo store at ``url`` into ``store_url`` and print the report (also
    ``kk import`` of a Kobo export). ``mapping``: a file, or a generated form's name."""
    from kk_adapters.kobo.store import KoboStore
    from kk_adapters.kobo.sync import sync

    plugins = get_plugins()
    options: dict[str, Any] = {}
    if isinstance(mapping, str):  # a generated form: its mapping, made from the store
        options["mapping"] = generated_mapping(plugins, store_url, mapping)
    else:
        options["mapping"] = str(mapping)
    if token_prompt:
        if not url.lower().startswith(("kobo+https:", "kobo+http:")):
            raise click.UsageError("--token-prompt is for a server (kobo+https://…)")
        options["token"] = click.prompt("KoboToolbox API token", hide_input=True)
    elif (
        url.lower().startswith(("kobo+https:", "kobo+http:"))
        and "token_env=" not in url
        and not os.environ.get(TOKEN_ENV)
    ):
        raise KKError(
            f"no API token: set {TOKEN_ENV} (or name another variable with "
            "?token_env=NAME in the URL), or use --token-prompt"
        )
    register_key_file(plugins)
    kobo = plugins.open_store(url, plugins=plugins, **options)  # the mapping is checked here
    if not isinstance(kobo, KoboStore):  # a plugin took over the scheme
        kobo.close()
        raise KKError(f"{kobo.url} is not a KoboToolbox store")
    try:
        target = open_for_writing(plugins, store_url)
        try:
            with output.progress("Importing submissions", None) as update:

                def progress(report: ImportReport) -> None:
                    update(sum(report.written.values()) + sum(report.unchanged.values()))

                report = sync(
                    kobo, target, progress=progress, attachments=attachments, plugins=plugins
                )
            target_url = target.url
        finally:
            target.close()
    finally:
        kobo.close()
    finish(report, target_url, rejects_path, as_json)
