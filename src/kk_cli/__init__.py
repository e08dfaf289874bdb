"""The ``kk`` command: the library's jobs from a shell, with progress and clear errors.

An application on top of the library, not part of it: `kk_core` and `kk_adapters`
import nothing from here, and only this package needs the ``cli`` extra (click, rich).
It reaches stores and plugins the way any program does, through `kk_core.open_store`
and `kk_core.plugins`, so a third-party adapter works with every command.

The interface is the command line (``kk --help``, docs/reference/cli.md); the Python
names of this package are not a public API, except `main` (the console script) and
`ExitCode` (what each exit status means).
"""

from __future__ import annotations

from kk_cli.exit_codes import ExitCode

__all__ = ["ExitCode", "main"]


def main() -> None:
    """The console script ``kk`` (imported here only when run: `kk_cli.casework`, which
    ``examples/village_year.py`` uses, needs no click nor rich)."""
    from kk_cli.app import main as run

    run()
