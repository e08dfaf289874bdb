"""Store URLs on the command line: where they come from, what is refused, how they open.

A store URL comes from an option (``--store``, ``--to``) or from its environment
variable (``KK_STORE``, ``KK_EXPORT_TO``). A password or token must not be typed on the
command line, where it would stay in the shell's history and in the process list: a URL
option holding one is refused, and the message says where to put it instead (the
environment variable, or for PostgreSQL ``PGPASSWORD`` or ``~/.pgpass``, which libpq
reads). URLs are shown only redacted (`kk_core.store.redact_url`).

Stores a command only reads are opened read-only where the adapter takes the
``read_only`` option (`READ_ONLY_SCHEMES`), so reading never creates, changes or
upgrades anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from kk_core.errors import Problem, StorageError, ValidationError
from kk_core.kinds import RecordType
from kk_core.plugins import Plugins
from kk_core.store import Store, redact_url, url_secrets

if TYPE_CHECKING:
    from kk_adapters.sql.store import UpgradePlan

__all__ = [
    "EXPORT_TO_ENV",
    "READ_ONLY_SCHEMES",
    "SQL_SCHEMES",
    "STORE_ENV",
    "check_scheme",
    "check_url",
    "open_for_reading",
    "open_for_writing",
    "record_total",
    "scheme_of",
    "shown",
    "sql_plan",
    "store_option",
    "target_option",
]

_F = TypeVar("_F", bound=Callable[..., Any])

STORE_ENV = "KK_STORE"
EXPORT_TO_ENV = "KK_EXPORT_TO"

#: Schemes whose stores take ``read_only=True`` and are opened so when only read (a
#: ``memory://`` store lives in one process: a command reading one reads it empty).
READ_ONLY_SCHEMES = frozenset({"sqlite", "postgresql"})
#: Schemes of the SQL adapter (`kk_adapters.sql`), whose databases have a schema version.
SQL_SCHEMES = frozenset({"sqlite", "postgresql"})


def scheme_of(url: str) -> str:
    """The URL's scheme without a driver suffix: ``postgresql+psycopg://`` → ``postgresql``."""
    return url.partition(":")[0].lower().partition("+")[0]


def check_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    envvar = param.envvar if isinstance(param.envvar, str) else None
    if value is None:
        option = param.opts[0] if param.opts else param.name
        raise click.UsageError(f"no store given: use {option} URL or set {envvar}", ctx=ctx)
    source = ctx.get_parameter_source(param.name or "")
    if source is ParameterSource.COMMANDLINE and url_secrets(value):
        where = f"set the whole URL in the {envvar} environment variable" if envvar else ""
        if value.lower().startswith("kobo"):
            pg = "for KoboToolbox, leave the token out and set KOBO_TOKEN (or ?token_env=NAME)"
        else:
            pg = "for PostgreSQL, leave the password out and set PGPASSWORD or use ~/.pgpass"
        raise click.BadParameter(
            "the URL holds a password or token, which must not be typed on the command line "
            f"(it would stay in the shell's history); {where}{'; ' if where else ''}{pg}",
            ctx=ctx,
            param=param,
        )
    if not value.strip():
        raise click.BadParameter("an empty store URL", ctx=ctx, param=param)
    suggestion = _url_for_path(value) if isinstance(param, click.Option) else None
    if suggestion is not None:  # kk sync's SOURCE may be a path: only the URL options
        raise ValidationError(
            [Problem("url", f"{value} is a path, not a store URL: give {suggestion}")],
            subject="store URL",
        )
    return value


#: Suffixes of SQLite files: a bare path ending so is taken for one in the suggestion.
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3")


def _url_for_path(value: str) -> str | None:
    """The URL a user who typed a bare path meant: ``sqlite:///kk-demo.db`` for a SQLite
    file (``sqlite:////data/kk.db`` for an absolute path), ``csv:///…`` for a folder;
    None for anything else (a URL, or text that may be a keyword string with a secret,
    which is never quoted back)."""
    if len(value) > 300 or ":" in value or "=" in value or any(c.isspace() for c in value):
        return None
    path = Path(value)
    if path.is_dir():
        return f"csv://{path.resolve()}"
    if path.suffix.lower() in _SQLITE_SUFFIXES or path.is_file():
        return f"sqlite:///{value}"
    return None


def _optional_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else check_url(ctx, param, value)


def store_option(help_text: str, *, required: bool = True) -> Callable[[_F], _F]:
    """``--store URL`` (or ``KK_STORE``); required unless ``required=False``."""
    return click.option(
        "--store",
        "store_url",
        metavar="URL",
        envvar=STORE_ENV,
        show_envvar=True,
        callback=check_url if required else _optional_url,
        help=help_text,
    )


def target_option(help_text: str) -> Callable[[_F], _F]:
    """``--to URL`` (or ``KK_EXPORT_TO``)."""
    return click.option(
        "--to",
        "to_url",
        metavar="URL",
        envvar=EXPORT_TO_ENV,
        show_envvar=True,
        callback=check_url,
        help=help_text,
    )


def check_scheme(plugins: Plugins, url: str) -> None:
    """The error `Plugins.open_store` raises for a scheme no enabled plugin handles
    (naming the installed schemes, or the disabled plugin that has it); else nothing.

    For commands that reach a store without opening it through a plugin first.
    """
    scheme = url.partition(":")[0].lower()
    if scheme in plugins.stores or scheme.partition("+")[0] in plugins.stores:
        return
    plugins.open_store(url)  # raises: no plugin would open it
    raise AssertionError("unreachable: a scheme no plugin handles was opened")


def open_for_reading(plugins: Plugins, url: str, **options: Any) -> Store:
    """A store the command only reads: read-only where the adapter has the option.

    A SQL database at an older schema version is refused with the command that
    upgrades it (reading must not upgrade it behind the user's back).
    """
    scheme = scheme_of(url)
    if scheme in SQL_SCHEMES:
        check_scheme(plugins, url)
        plan = sql_plan(url)
        if plan.exists and plan.steps:
            state = "is empty" if plan.current == 0 else f"is at schema version {plan.current}"
            raise StorageError(
                f"{plan.url} {state}; this library reads version {plan.latest}. Upgrade it "
                "first with kk migrate (kk migrate --dry-run says what would change)"
            )
    if scheme in READ_ONLY_SCHEMES:
        options.setdefault("read_only", True)
    return plugins.open_store(url, **options)


def record_total(store: Store, classes: Sequence[RecordType]) -> int | None:
    """How many records of these kinds a store holds, when it counts them without
    reading them all (``aggregate_pushdown``); else None (a progress bar without end)."""
    if not store.capabilities.aggregate_pushdown:
        return None
    return sum(sum(store.count(cls).values()) for cls in classes)


def sql_plan(url: str) -> UpgradePlan:
    """`kk_adapters.sql.plan_upgrade`, or a `StorageError` naming the missing extra."""
    try:
        from kk_adapters.sql.store import plan_upgrade
    except ImportError as exc:
        raise StorageError(
            f"SQL stores need the {exc.name or 'sqlalchemy'!r} package, which is not "
            "installed: pip install 'kelompok-konstituen[sql]'"
        ) from None
    return plan_upgrade(url)


def open_for_writing(plugins: Plugins, url: str, **options: Any) -> Store:
    return plugins.open_store(url, **options)


def shown(url: str) -> str:
    """A URL as it may be printed."""
    return redact_url(url)
