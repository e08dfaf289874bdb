"""``kk form``: the KK's three XLSForms for KoboToolbox, with the choices a store holds."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from kk_cli import output
from kk_cli.stores import open_for_reading, store_option
from kk_core.errors import StorageError
from kk_core.plugins import get_plugins

__all__ = ["command"]


@click.command("form", short_help="Write the KK's XLSForms (case intake, UMKM, meetings).")
@store_option(
    "The store holding the villages, hamlets, groups, members and services the forms "
    "offer as choices (it is only read)."
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("forms"),
    show_default=True,
    help="The folder to write the forms into (made if missing).",
)
def command(store_url: str, out_dir: Path) -> None:
    """Write the KK's three XLSForms, ready to upload to KoboToolbox: case intake
    (Pengaduan), UMKM support (Ekonomi) and meeting attendance.

    Their choice lists (villages, hamlets, members, services) come from the store. The
    forms are written whole or not at all: a store they cannot be made from writes
    nothing. Their submissions are imported with the mapping made from the same
    definitions: name the form, kk sync SOURCE --mapping kk_pengaduan --store URL (with
    the store the forms were made from; docs/how-to/collect-with-kobocollect.md).
    """
    from kk_adapters.kobo.forms import write_forms

    plugins = get_plugins()
    store = open_for_reading(plugins, store_url)
    paths: list[Path] = []
    try:
        with tempfile.TemporaryDirectory(prefix=".kk-forms-") as scratch:
            written = write_forms(scratch, store, plugins=plugins)
            out_dir.mkdir(parents=True, exist_ok=True)
            for path in written:
                final = out_dir / path.name
                shutil.move(str(path), final)
                paths.append(final)
    except OSError as error:
        raise StorageError(f"cannot write the forms to {out_dir}: {error.strerror}") from None
    finally:
        store.close()
    for path in paths:
        output.echo(str(path))
