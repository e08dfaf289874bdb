"""``kk validate``: check a store without writing anything (`kk_cli.validation`)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import click

from kk_cli import output
from kk_cli.exit_codes import ExitCode
from kk_cli.mappings import GENERATED_FORMS, generated_mapping, mapping_option
from kk_cli.stores import (
    SQL_SCHEMES,
    check_scheme,
    open_for_reading,
    record_total,
    scheme_of,
    sql_plan,
    store_option,
)
from kk_cli.validation import Finding, Validation, validate_store
from kk_core.errors import KKError, StorageError
from kk_core.kinds import RECORD_KINDS, record_type
from kk_core.plugins import get_plugins
from kk_core.store import redact_url

__all__ = ["command"]


def _schema_finding(url: str) -> Validation | None:
    """For a SQL database: a finding when its schema is older than this library's
    (the store cannot be read before it is upgraded), else None. Writes nothing."""
    plan = sql_plan(url)
    if not plan.exists:
        raise StorageError(f"{plan.url}: there is no database file at this path")
    if not plan.steps:
        return None
    state = "is empty" if plan.current == 0 else f"is at schema version {plan.current}"
    return Validation(
        plan.url,
        findings=(
            Finding(
                "schema",
                f"the database {state}; this library reads version {plan.latest}. Upgrade "
                "it with kk migrate (kk migrate --dry-run says what would change)",
            ),
        ),
    )


@click.command(
    "validate",
    short_help="Check a store's records without writing anything.",
)
@store_option("The store to check (it is only read).", required=False)
@mapping_option(
    "Check this mapping file (TOML) instead of a store: a Kobo form's mapping (it has a "
    "[form] table) or a partner spreadsheet's. Or the name of a generated form "
    f"({', '.join(GENERATED_FORMS)}): its mapping, made from the --store as kk form made "
    "the form (check it against the deployed form with --form)."
)
@click.option(
    "--form",
    "form_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With the --mapping of a Kobo form: the form's schema (the asset's JSON, as "
    "KoboClient.save_export writes it), to check the mapping against the form too.",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(list(RECORD_KINDS), case_sensitive=False),
    help="Check only this record kind (repeat for several; default: every kind).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def command(
    store_url: str | None,
    mapping: Path | str | None,
    form_path: Path | None,
    kinds: tuple[str, ...],
    as_json: bool,
) -> None:
    """Check a store's records, or a mapping file, without changing anything; list every
    problem found.

    For a store (a database, a CSV folder with csv:///folder, a Kobo export with
    kobo+file:///export.json): checks that every stored record still reads as a record,
    that its values are ones every store keeps (no identity number in a note, no
    control character, nothing too long), and the rules of installed plugins. For a SQL
    database it first checks the schema (an older one is a finding: upgrade it with kk
    migrate) and, for SQLite, the integrity of the file. With --mapping: checks the
    mapping file as kk import or kk sync would before writing (and against the form
    given with --form). Exit status 1 when something was found.
    """
    if isinstance(mapping, str):  # a generated form's mapping, made from the store
        if store_url is None:
            raise click.UsageError(
                f"--mapping {mapping} is made from the store kk form read: give it with "
                "--store URL (or KK_STORE)"
            )
        checked = _generated_validation(store_url, mapping, form_path)
        _print(checked, as_json)
        if not checked.ok:
            raise click.exceptions.Exit(ExitCode.PROBLEMS)
        return
    mapping_path = mapping
    if mapping_path is not None:
        if (
            store_url is not None
            and click.get_current_context().get_parameter_source("store_url")
            is click.core.ParameterSource.COMMANDLINE
        ):
            raise click.UsageError("give --store or --mapping, not both")
        checked = _mapping_validation(mapping_path, form_path)
        _print(checked, as_json)
        if not checked.ok:
            raise click.exceptions.Exit(ExitCode.PROBLEMS)
        return
    if form_path is not None:
        raise click.UsageError("--form goes with the --mapping of a Kobo form")
    if store_url is None:
        raise click.UsageError(
            "no store given: use --store URL or set KK_STORE (or check a mapping with --mapping FILE)"
        )
    plugins = get_plugins()
    check_scheme(plugins, store_url)
    scheme = scheme_of(store_url)
    result = _schema_finding(store_url) if scheme in SQL_SCHEMES else None
    if result is None:
        options: dict[str, Any] = {"check": "quick"} if scheme == "sqlite" else {}
        store = open_for_reading(plugins, store_url, **options)
        try:
            classes = [record_type(k.lower()) for k in kinds] if kinds else None
            total = record_total(store, classes or list(RECORD_KINDS.values()))
            with output.progress("Checking records", total) as update:
                result = validate_store(store, plugins, kinds=classes, progress=update)
        finally:
            store.close()
    _print(result, as_json)
    if not result.ok:
        raise click.exceptions.Exit(ExitCode.PROBLEMS)


def _generated_validation(store_url: str, form_id: str, form_path: Path | None) -> Validation:
    """The generated form's mapping, made from the store, and (with ``form_path``) its
    problems against the deployed form's schema as findings."""
    plugins = get_plugins()
    mapping = generated_mapping(plugins, store_url, form_id)
    if form_path is None:
        return Validation(form_id)
    from kk_adapters.kobo.schema import SchemaSet

    problems = mapping.problems(SchemaSet.load(form_path))
    return Validation(form_id, findings=tuple(Finding(p.path, p.message) for p in problems))


def _mapping_validation(path: Path, form_path: Path | None) -> Validation:
    """The mapping's problems as findings; unreadable files are errors, as for kk import."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise StorageError(f"cannot read the mapping {path.name}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return Validation(str(path), findings=(Finding(path.name, f"not valid TOML: {exc}"),))
    try:
        if "form" in table:
            from kk_adapters.kobo.mapping_file import load_mapping as load_kobo_mapping
            from kk_adapters.kobo.schema import SchemaSet

            schemas = SchemaSet.load(form_path) if form_path is not None else None
            load_kobo_mapping(path, schemas)
        else:
            if form_path is not None:
                raise click.UsageError("--form goes with the mapping of a Kobo form")
            from kk_adapters.csv.mapping import load_mapping

            load_mapping(path)
    except KKError as error:
        problems = getattr(error, "problems", None)
        if not problems:
            raise
        findings = tuple(Finding(p.path, p.message) for p in problems)
        return Validation(str(path), findings=findings)
    return Validation(str(path))


def _print(result: Validation, as_json: bool) -> None:
    if as_json:
        output.echo_json(result.as_data())
        return
    checked = sum(result.checked.values())
    source = redact_url(result.source)
    if result.checked:
        output.echo(f"Checked {checked:,} record(s) of {source}.")
    for finding in result.findings:
        output.echo(str(finding))
    if result.ok:
        output.echo("No problem found.")
    else:
        output.echo(f"{len(result.findings):,} problem(s) found in {source}.")
