"""``--mapping`` of ``kk sync``, ``kk import`` and ``kk validate``: a TOML file, or the
name of one of the KK's generated forms.

``kk form`` writes the KK's own XLSForms (``kk_pengaduan.xlsx``, ``kk_umkm.xlsx``,
``kk_rapat.xlsx``). Their mapping to records is not a file: it is made from the same
definitions as the forms (`kk_adapters.kobo.forms.generated_mapping`), so ``--mapping
kk_pengaduan`` makes it again from the store given with ``--store`` — the store ``kk
form`` read the villages, hamlets, groups, members and services from. A TOML copy of it
could not hold everything: the generated mapping also refuses a date after the day the
form was filled in, a rule the mapping file has no key for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kk_cli.stores import open_for_reading
from kk_core.errors import StorageError
from kk_core.plugins import Plugins

if TYPE_CHECKING:
    from kk_adapters.kobo.mapping import KoboFormMapping

__all__ = [
    "GENERATED_FORMS",
    "generated_mapping",
    "is_kobo_mapping",
    "mapping_option",
]

#: The ids of the generated forms (`kk_adapters.kobo.forms.FORM_IDS`), also the names of
#: the files ``kk form`` writes.
GENERATED_FORMS = ("kk_pengaduan", "kk_umkm", "kk_rapat")

_F = TypeVar("_F", bound=Callable[..., Any])


def _mapping(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | str | None:
    """A mapping file that exists (a `Path`), or the name of a generated form (a str)."""
    if value is None or value in GENERATED_FORMS:
        return value
    path = Path(value)
    if path.is_file():
        return path
    what = "is a folder" if path.is_dir() else "does not exist"
    raise click.BadParameter(
        f"{value!r} {what}: give a mapping file (TOML), or one of the KK's generated "
        f"forms: {', '.join(GENERATED_FORMS)}",
        ctx=ctx,
        param=param,
    )


def mapping_option(help_text: str, *, required: bool = False) -> Callable[[_F], _F]:
    """``--mapping FILE_OR_FORM``: a `Path` to a file that exists, or a generated form's name."""
    return click.option(
        "--mapping",
        "mapping",
        metavar="FILE_OR_FORM",
        required=required,
        callback=_mapping,
        help=help_text,
    )


def generated_mapping(plugins: Plugins, store_url: str, form_id: str) -> KoboFormMapping:
    """The mapping of the generated form ``form_id``, made from the store at
    ``store_url`` (only read) as ``kk form`` made the form."""
    from kk_adapters.kobo.forms import generated_mapping as make

    try:
        store = open_for_reading(plugins, store_url)
    except StorageError as error:
        raise StorageError(
            f"--mapping {form_id} is made from the store kk form made the form from, "
            f"given with --store: {error}"
        ) from None
    try:
        return make(store, form_id, plugins=plugins)
    finally:
        store.close()


def is_kobo_mapping(path: Path) -> bool:
    """Whether a mapping file is a Kobo form's (it has a ``[form]`` table) rather than a
    partner spreadsheet's; a file that does not read as TOML is neither (False)."""
    import tomllib

    try:
        return "form" in tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
