"""``kk adapters``: the installed plugins, what they register, and which are disabled."""

from __future__ import annotations

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
            {"scheme": scheme, "plugin": entry.plugin, "description": entry.description}
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


@click.command(
    "adapters",
    short_help="List the installed plugins, their store schemes, disabled ones.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def command(as_json: bool) -> None:
    """List the installed plugins, the store URL schemes they handle, and those disabled.

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
    output.echo("Store URL schemes:")
    output.echo_table(
        ["scheme", "plugin", "description"],
        [[f"{s['scheme']}://", s["plugin"], s["description"]] for s in found["stores"]],
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
