"""The ``kk`` command group: its options, the subcommands, and how errors end a command.

Every error ends a command the same way: one message on stderr (``kk: error: …``, the
library's message, which names the place and never shows a secret or an identity
number), no traceback, and the exit status of its kind (`ExitCode`). ``kk --debug``
(or ``KK_DEBUG=1``) adds the traceback, for a bug report. Python warnings (a
``KK_DISABLED_PLUGINS`` entry no plugin has …) are shown as ``kk: warning: …``.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from typing import Any, NoReturn, TextIO

import click

from kk_cli import output
from kk_cli.commands import (
    adapters,
    brief,
    demo,
    export,
    form,
    imports,
    migrate,
    report,
    sync,
    validate,
)
from kk_cli.exit_codes import EXIT_STATUSES, ExitCode, exit_code_for
from kk_core.errors import KKError

__all__ = ["EXIT_CODES_HELP", "cli", "main"]

#: The exit statuses, as ``kk --help`` lists them.
EXIT_CODES_HELP = "\n".join(
    ["Exit status:", "", "\b", *(f"  {code.value:<4}{short}" for code, short, _ in EXIT_STATUSES)]
)


class _Group(click.Group):
    """Runs a subcommand and turns whatever stops it into a message and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            try:
                return super().invoke(ctx)
            except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
                raise
            except BrokenPipeError:
                # the reader went away (kk demo | head): stop quietly, as other tools do
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - closed at exit
                ctx.exit(ExitCode.OK)
            except KeyboardInterrupt:
                output.echo_error("interrupted")
                ctx.exit(ExitCode.INTERRUPTED)
            except KKError as error:
                _fail(ctx, error, str(error), debug)
            except Exception as error:
                # not the library's: its message may quote anything, so show only its type
                _fail(
                    ctx,
                    error,
                    f"internal error ({type(error).__name__}); run the command again with "
                    "kk --debug to see the traceback, and report it",
                    debug,
                )


def _fail(ctx: click.Context, error: BaseException, message: str, debug: bool) -> NoReturn:
    if debug:
        click.echo("".join(traceback.format_exception(error)).rstrip(), err=True)
    output.echo_error(message)
    ctx.exit(exit_code_for(error))


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    output.echo_warning(str(message))


@click.group(
    "kk",
    cls=_Group,
    epilog=EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--debug",
    is_flag=True,
    envvar="KK_DEBUG",
    show_envvar=True,
    help="Show the traceback of an error (for a bug report).",
)
@click.version_option(package_name="kelompok-konstituen", prog_name="kk")
def cli(debug: bool) -> None:
    """Work with the data of village Kelompok Konstituen (KK) from a shell.

    Stores are named by URL: sqlite:///kk.db (the embedded default), postgresql://user@host/db,
    memory:// and whatever the installed plugins add (kk adapters lists them). Give one
    with --store or the KK_STORE environment variable. A password or token is never
    typed on the command line: put the URL in the environment variable instead.
    """


cli.add_command(adapters.command)
cli.add_command(brief.command)
cli.add_command(demo.command)
cli.add_command(export.command)
cli.add_command(form.command)
cli.add_command(imports.command)
cli.add_command(migrate.command)
cli.add_command(report.command)
cli.add_command(sync.command)
cli.add_command(validate.command)


def main() -> None:
    """The console script ``kk``."""
    cli.main(prog_name="kk")
