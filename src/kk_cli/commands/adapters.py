"""``kk adapters``: the installed plugins, what they register, and which are disabled."""

from __future__ import annotations

import re
from importlib import metadata
from typing import Any

import click

from kk_cli import output
from kk_core.plugins import DISABLE_ENV, ENTRY_POINT_GROUP, Plugins, get_plugins

__all__ = ["command", "describe"]


def describe(plugins: Plugins) -> dict[str, Any]:
    """Everything ``kk adapters`` shows, as plain data (what ``--json`` prints)."""
    installed = {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    return {
        "plugins": [
            {
                "name": info.name,
                "version": info.version,
                "module": installed.get(info.name),
                "hooks": list(info.hooks),
            }
            for info in plugins.list_plugins()
        ],
        "stores": [
            {
                "scheme": scheme,
                "url_forms": url_forms(scheme, entry.description),
                "plugin": entry.plugin,
                "description": entry.description,
            }
            for scheme, entry in sorted(plugins.stores.items())
        ],
        "form_mappings": [
            {"form": form, "plugin": entry.plugin, "description": entry.description}
            for form, entry in sorted(plugins.form_mappings.items())
        ],
        "indicators": [
            {"name": name, "plugin": entry.plugin, "description": entry.description}
            for name, entry in sorted(plugins.indicators.items())
        ],
        "disabled": [
            {"name": name, "installed": name in installed, "module": installed.get(name)}
            for name in sorted(plugins.disabled)
        ],
    }


def url_forms(scheme: str, description: str) -> list[str]:
    """How a store URL of ``scheme`` begins, as a user types it: the ``scheme+kind://``
    forms the plugin's description names (``kobo+https://``, ``kobo+file://``: a bare
    ``kobo://`` opens nothing), else ``scheme://``."""
    named = re.findall(rf"(?<![\w+.-]){re.escape(scheme)}\+[a-z0-9.-]+://", description)
    return list(dict.fromkeys(named)) or [f"{scheme}://"]


@click.command(
    "adapters",
    short_help="List the installed plugins, the store URLs they open, disabled ones.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def command(as_json: bool) -> None:
    """List the installed plugins, the store URLs they open (as they begin: what to
    type), and those disabled.

    Plugins are found through the "kk" entry-point group (the built-in adapters too);
    KK_DISABLED_PLUGINS (comma-separated plugin names) keeps some from loading.
    """
    found = describe(get_plugins())
    if as_json:
        output.echo_json(found)
        return
    output.echo(f"Plugins (entry-point group {ENTRY_POINT_GROUP!r}):")
    output.echo_table(
        ["name", "version", "module", "hooks"],
        [
            [
                p["name"],
                p["version"] or "-",
                p["module"] or "(registered by hand)",
                ", ".join(p["hooks"]),
            ]
            for p in found["plugins"]
        ],
    )
    output.echo()
    output.echo("Store URLs, as they begin (what to type; the path or server follows):")
    output.echo_table(
        ["URL begins", "plugin", "description"],
        [[", ".join(s["url_forms"]), s["plugin"], s["description"]] for s in found["stores"]],
    )
    for key, title, column in (
        ("form_mappings", "Form mappings", "form"),
        ("indicators", "Indicators", "name"),
    ):
        if found[key]:
            output.echo()
            output.echo(f"{title}:")
            output.echo_table(
                [column, "plugin", "description"],
                [[e[column], e["plugin"], e["description"]] for e in found[key]],
            )
    output.echo()
    if not found["disabled"]:
        output.echo(f"Disabled ({DISABLE_ENV}): none")
        return
    output.echo(f"Disabled ({DISABLE_ENV}):")
    output.echo_table(
        ["name", "module"],
        [
            [d["name"], d["module"] if d["installed"] else "(no installed plugin has this name)"]
            for d in found["disabled"]
        ],
    )
