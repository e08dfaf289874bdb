"""Running the ``kk`` command in tests (not a test module).

`kk` runs the command in this process with click's `CliRunner`, stdout and stderr
apart, with fresh process-wide plugins (or the ones given) and none of the caller's
``KK_*`` variables; `kk_process` runs the installed console script in a subprocess.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from kk_cli.app import cli
from kk_core.plugins import Plugins, reset_plugins

__all__ = ["digest", "kk", "kk_in_terminal", "kk_process", "sqlite_url"]

#: Variables of the caller's environment that would change what a command does.
_CLEARED = (
    "KK_STORE",
    "KK_PSEUDONYM_KEY_FILE",
    "KK_EXPORT_TO",
    "KK_DEBUG",
    "KK_DISABLED_PLUGINS",
    "TTY_COMPATIBLE",
    "KOBO_TOKEN",
)


def kk(
    *args: str,
    env: Mapping[str, str] | None = None,
    plugins: Plugins | None = None,
    input: str | None = None,
) -> Result:
    """``kk ARGS`` in this process; exceptions the command lets out fail the test."""
    environment: dict[str, str | None] = dict.fromkeys(_CLEARED)
    environment.update(env or {})
    reset_plugins(plugins)
    try:
        return CliRunner().invoke(
            cli, list(args), env=environment, input=input, catch_exceptions=False
        )
    finally:
        reset_plugins()


def kk_process(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The ``kk`` console script installed next to this Python (pip install -e '.[test]')."""
    script = Path(sys.executable).with_name("kk")
    assert script.exists(), f"no kk console script at {script}: reinstall the project"
    environment = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environment.update(env or {})
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def kk_in_terminal(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> tuple[int, str, str]:
    """The console script with its stdout on a terminal (a pseudo-terminal read to the
    end by a thread, so a command that prints much cannot block): the exit status,
    what the terminal showed and stderr."""
    import pty
    import threading

    script = Path(sys.executable).with_name("kk")
    environment = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environment.update(env or {})
    main, terminal = pty.openpty()
    shown = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end closed
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process = subprocess.run(
            [str(script), *args],
            stdin=subprocess.DEVNULL,
            stdout=terminal,
            stderr=subprocess.PIPE,
            env=environment,
            cwd=cwd,
            check=False,
            timeout=120,
        )
    finally:
        os.close(terminal)
        reader.join(timeout=10)
        os.close(main)
    text = shown.decode("utf-8", "replace").replace("\r\n", "\n")
    return process.returncode, text, process.stderr.decode("utf-8", "replace")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def digest(path: Path) -> str:
    """A file's content hash, to show that a command wrote nothing to it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
