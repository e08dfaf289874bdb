"""``kk migrate``: bring a database to the schema version this library writes.

Opening a SQL store upgrades an older database on its own; this command does it as a
separate, visible step (deployments that open their stores with ``migrate=false`` run
it), and ``--dry-run`` says what would change without changing anything. Only the SQL
stores (``sqlite``, ``postgresql``) have a schema; other stores are refused.
"""

from __future__ import annotations

import textwrap
from typing import Any

import click

from kk_cli import output
from kk_cli.stores import SQL_SCHEMES, check_scheme, scheme_of, shown, sql_plan, store_option
from kk_core.errors import StorageError
from kk_core.plugins import get_plugins

__all__ = ["command"]


def _check_sql(url: str) -> None:
    """The URL is one of the SQL adapter's, and that adapter is installed and enabled."""
    check_scheme(get_plugins(), url)
    scheme = scheme_of(url)
    if scheme not in SQL_SCHEMES:
        raise click.UsageError(
            f"kk migrate upgrades SQL databases (sqlite://, postgresql://); a {scheme}:// "
            "store has no schema to migrate"
        )


def _plan_data(plan: Any) -> dict[str, Any]:
    return {
        "store": plan.url,
        "exists": plan.exists,
        "version": plan.current,
        "latest": plan.latest,
        "steps": [{"version": m.version, "description": m.description} for m in plan.steps],
    }


@click.command(
    "migrate",
    short_help="Upgrade a database's schema (--dry-run: say what would change).",
)
@store_option("The database to upgrade (sqlite:///FILE or postgresql://USER@HOST/DB).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say what would change (the current version and the steps), change nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan or the result as JSON.")
def command(store_url: str, dry_run: bool, as_json: bool) -> None:
    """Upgrade a database's schema to the version this library writes.

    Each step runs in its own transaction: a step that fails leaves the database at the
    version before it. Steps that rewrite stored records can take a while on a large
    database; take a backup first (see the SQL how-to). A database made by a newer
    version of the library is refused, and so is a SQLite file that is not there
    (kk migrate upgrades a database, it does not create one: opening a store does).
    """
    _check_sql(store_url)
    plan = sql_plan(store_url)
    from kk_adapters.sql import upgrade

    if not plan.exists:
        raise StorageError(
            f"{plan.url}: there is no database file at this path; kk migrate upgrades an "
            "existing database (check the path)"
        )
    data = _plan_data(plan)
    if plan.up_to_date:
        data["applied"] = []
        if as_json:
            output.echo_json(data)
        else:
            output.echo(
                f"{plan.url} is at schema version {plan.current}, the latest: nothing to do."
            )
        return
    if dry_run:
        if as_json:
            output.echo_json(data | {"dry_run": True})
            return
        state = "is empty" if plan.current == 0 else f"is at schema version {plan.current}"
        output.echo(f"{plan.url} {state}; this library writes version {plan.latest}.")
        output.echo(f"kk migrate would apply {len(plan.steps)} step(s):")
        _steps(plan.steps)
        output.echo("Nothing was changed (--dry-run).")
        return
    with output.spinner(f"Upgrading {shown(store_url)} to schema version {plan.latest}…"):
        version = upgrade(store_url)
    data["applied"] = [m.version for m in plan.steps]
    data["version"] = version
    if as_json:
        output.echo_json(data)
        return
    output.echo(f"{plan.url}: upgraded from schema version {plan.current} to {version}.")
    _steps(plan.steps)


def _steps(steps: Any) -> None:
    for step in steps:
        output.echo(
            textwrap.fill(
                step.description,
                width=88,
                initial_indent=f"  {step.version:<3}",
                subsequent_indent="     ",
            )
        )
