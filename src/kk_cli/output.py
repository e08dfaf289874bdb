"""What ``kk`` writes: results on stdout, progress and messages on stderr.

Results go to stdout (plain text for people, ``--json`` for scripts), so a pipe gets
only them; progress bars, warnings and errors go to stderr. Progress bars are drawn
only on a terminal (rich; ``TTY_COMPATIBLE=1`` forces them, ``TTY_COMPATIBLE=0`` hides
them). Text that comes from data (ids, messages quoting values) is printed with its
control characters escaped, so a hostile value cannot move the cursor or rewrite the
terminal, and never as rich markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = [
    "echo",
    "echo_error",
    "echo_json",
    "echo_status",
    "echo_table",
    "echo_warning",
    "progress",
    "safe",
    "spinner",
]

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: object) -> str:
    """Text fit for a terminal: control characters shown as escapes (``\\x1b``)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), str(text))


def echo(text: str = "") -> None:
    """A line of results on stdout."""
    click.echo(safe(text))


def echo_error(message: str) -> None:
    """``kk: error: …`` on stderr; continuation lines indented."""
    click.echo(_prefixed("error", message), err=True)


def echo_status(message: str) -> None:
    """What a command did besides its results (``wrote brief.html``), on stderr."""
    click.echo(f"kk: {safe(message)}", err=True)


def echo_warning(message: str) -> None:
    click.echo(_prefixed("warning", message), err=True)


def _prefixed(what: str, message: str) -> str:
    lines = safe(message).splitlines() or [""]
    return "\n".join([f"kk: {what}: {lines[0]}", *(f"  {line}" for line in lines[1:])])


def echo_json(data: Any) -> None:
    """Results as JSON on stdout (UTF-8, indented, keys in the order given)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[object]], indent: int = 2) -> None:
    """Rows in aligned columns, plain text (no borders: easy to read, grep and diff)."""
    cells = [[safe(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    pad = " " * indent
    for row in [list(headers), *cells]:
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        click.echo(pad + line)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, markup=False)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (on a terminal only); yields ``update(done)``."""
    console = _stderr()
    if not console.is_terminal:
        yield lambda done: None
        return
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int) -> None:
            bar.update(task, completed=done)

        yield update


@contextmanager
def spinner(description: str) -> Iterator[None]:
    """A spinner on stderr while something of unknown length runs (on a terminal only)."""
    console = _stderr()
    if not console.is_terminal:
        yield
        return
    with console.status(description):
        yield
