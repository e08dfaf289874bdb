"""What every ``kk`` command shares: help, exit statuses, errors, secrets, progress."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from cli_support import kk, kk_process, sqlite_url
from copy_support import mixed_records
from kk_cli import ExitCode
from kk_cli.app import cli
from kk_cli.commands import adapters
from kk_cli.exit_codes import exit_code_for
from kk_cli.output import safe
from kk_core import open_store
from kk_core.errors import (
    CodeError,
    ConflictError,
    EventDeliveryError,
    KKError,
    NotFoundError,
    PluginError,
    Problem,
    ReadOnlyError,
    StorageError,
    UnknownSchemeError,
    ValidationError,
)

COMMANDS = sorted(cli.commands)
PASSWORD = "Sup3r-s3cret-pw"


def test_the_commands_that_exist_now() -> None:
    """Only commands that work: no placeholder for the ones later issues bring."""
    assert COMMANDS == [
        "adapters", "brief", "demo", "export", "form", "import", "migrate", "report", "sync",
        "validate",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_every_command_has_help(name: str) -> None:
    result = kk(*([name] if name else []), "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: kk {name}".rstrip())
    command = cli.commands[name] if name else cli
    assert command.help
    assert command.help.split("\n")[0] in result.stdout.replace("\n  ", " ")


def test_the_group_help_lists_the_exit_statuses() -> None:
    text = kk("--help").stdout
    for code in ExitCode:
        assert re.search(rf"^\s+{code.value}\s+\S", text, re.M), code


def test_version() -> None:
    result = kk("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"kk, version \d+\.\d+\.\d+\S*\n", result.stdout)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ValidationError([Problem("url", "bad")]), ExitCode.INPUT),
        (CodeError("sex", "x"), ExitCode.INPUT),
        (UnknownSchemeError("nosuch", ["memory"]), ExitCode.INPUT),
        (KKError("refused"), ExitCode.INPUT),
        (StorageError("down"), ExitCode.STORAGE),
        (NotFoundError("case", "K-1"), ExitCode.STORAGE),
        (ConflictError("case", "K-1", 1, 2), ExitCode.STORAGE),
        (ReadOnlyError("read-only"), ExitCode.STORAGE),
        (PluginError("p", "kk_register_stores", "boom"), ExitCode.PLUGIN),
        (EventDeliveryError(None, []), ExitCode.PLUGIN),
        (RuntimeError("bug"), ExitCode.INTERNAL),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
    ],
)
def test_exit_status_of_each_error(error: BaseException, code: ExitCode) -> None:
    assert exit_code_for(error) is code


def test_an_error_is_one_message_on_stderr_without_a_traceback() -> None:
    result = kk("validate", "--store", "nosuch://x")
    assert result.exit_code == ExitCode.INPUT
    assert result.stdout == ""
    assert result.stderr.startswith("kk: error: no store handles URL scheme 'nosuch'")
    assert "installed schemes: csv, kobo, memory, postgresql, sqlite" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_adds_the_traceback() -> None:
    for args, env in ((["--debug"], {}), ([], {"KK_DEBUG": "1"})):
        result = kk(*args, "validate", "--store", "nosuch://x", env=env)
        assert result.exit_code == ExitCode.INPUT
        assert "Traceback (most recent call last)" in result.stderr
        assert "UnknownSchemeError" in result.stderr
        assert result.stderr.rstrip().splitlines()[-1].startswith("kk: error: no store handles")


def test_an_unexpected_error_shows_only_its_type(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug's message may quote anything (a row, a NIK): only --debug shows it."""

    def broken(plugins: object) -> object:
        raise RuntimeError("row 5203174107090001 could not be read")

    monkeypatch.setattr(adapters, "describe", broken)
    result = kk("adapters")
    assert result.exit_code == ExitCode.INTERNAL
    assert result.stderr.startswith("kk: error: internal error (RuntimeError)")
    assert "--debug" in result.stderr
    assert "5203174107090001" not in result.stderr
    assert "Traceback" not in result.stderr
    debug = kk("--debug", "adapters")
    assert debug.exit_code == ExitCode.INTERNAL
    assert "Traceback" in debug.stderr
    assert "RuntimeError" in debug.stderr


def test_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(plugins: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(adapters, "describe", interrupted)
    result = kk("adapters")
    assert result.exit_code == ExitCode.INTERRUPTED == 130
    assert result.stderr == "kk: error: interrupted\n"


def test_a_store_is_required() -> None:
    for name in ("validate", "migrate", "export"):
        result = kk(name, *(["--to", "memory://"] if name == "export" else []))
        assert result.exit_code == ExitCode.USAGE, name
        assert "no store given: use --store URL or set KK_STORE" in result.stderr
    result = kk("export", "--store", "memory://")
    assert result.exit_code == ExitCode.USAGE
    assert "no store given: use --to URL or set KK_EXPORT_TO" in result.stderr


def test_a_bare_file_path_is_answered_with_the_url_to_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--store kk-demo.db``: the message gives the exact URL, relative or absolute."""
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///kk-demo.db"):
        pass
    for given, meant in (
        ("kk-demo.db", "sqlite:///kk-demo.db"),
        (str(tmp_path / "kk-demo.db"), f"sqlite:///{tmp_path / 'kk-demo.db'}"),
        ("not-made-yet.sqlite", "sqlite:///not-made-yet.sqlite"),
    ):
        result = kk("validate", "--store", given)
        assert result.exit_code == ExitCode.INPUT, result.output
        assert f"{given} is a path, not a store URL: give {meant}" in result.stderr
        assert kk("validate", env={"KK_STORE": given}).exit_code == ExitCode.INPUT
    assert kk("validate", "--store", "sqlite:///kk-demo.db").exit_code == 0  # as told
    folder = kk("export", "--store", "sqlite:///kk-demo.db", "--to", ".")
    assert f"give csv://{tmp_path}" in folder.stderr
    assert not Path("not-made-yet.sqlite").exists()


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://kk:{PASSWORD}@127.0.0.1:1/kk",
        f"postgresql+psycopg://kk:{PASSWORD}@127.0.0.1:1/kk?sslmode=disable",
        f"kobo+https://kf.example.org/assets/a1?token={PASSWORD}",
        f"sqlite:///kk.db?password={PASSWORD}",
    ],
)
@pytest.mark.parametrize("option", ["--store", "--to"])
def test_a_secret_on_the_command_line_is_refused(url: str, option: str, tmp_path: Path) -> None:
    args = ["export", "--store", "memory://", "--to", "memory://"]
    args[args.index(option) + 1] = url
    result = kk(*args)
    assert result.exit_code == ExitCode.USAGE
    assert "must not be typed on the command line" in result.stderr
    env = "KK_STORE" if option == "--store" else "KK_EXPORT_TO"
    assert env in result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert not list(tmp_path.iterdir())


def test_a_secret_from_the_environment_is_used_and_never_shown(tmp_path: Path) -> None:
    """The URL is taken from KK_STORE; the error (no server there) shows it redacted."""
    url = f"postgresql://kk:{PASSWORD}@127.0.0.1:1/kk?connect_timeout=2"
    for args in (["validate"], ["migrate", "--dry-run"], ["--debug", "validate"]):
        result = kk(*args, env={"KK_STORE": url})
        assert result.exit_code == ExitCode.STORAGE, result.output
        assert "postgresql://kk:***@127.0.0.1:1/kk" in result.stderr
        assert PASSWORD not in result.stdout + result.stderr


def test_warnings_are_shown_as_kk_warnings() -> None:
    result = kk("adapters", env={"KK_DISABLED_PLUGINS": "no-such-plugin"})
    assert result.exit_code == 0
    assert result.stderr.startswith("kk: warning: KK_DISABLED_PLUGINS (or disabled=) names")
    assert "'no-such-plugin'" in result.stderr


def test_control_characters_are_escaped() -> None:
    assert safe("a\x1b[31mred\x07\u202eb\tc\nd") == "a\\x1b[31mred\\x07\\u202eb\tc\nd"


def test_progress_goes_to_stderr_and_only_on_a_terminal(tmp_path: Path) -> None:
    name = f"cli-progress-{tmp_path.name}"
    open_store(f"memory://{name}").put_many(mixed_records())
    for tty, drawn in (("1", True), ("0", False)):
        target = sqlite_url(tmp_path / f"copy-{tty}.db")
        result = kk(
            "export",
            "--store",
            f"memory://{name}",
            "--to",
            target,
            "--person-level",
            env={"TTY_COMPATIBLE": tty},
        )
        assert result.exit_code == 0, result.output
        assert ("Copying records" in result.stderr) is drawn
        assert "\x1b" not in result.stdout
        assert result.stdout.startswith(f"Copied memory://{name} → ")


def test_the_console_script(tmp_path: Path) -> None:
    result = kk_process("adapters", "--json")
    assert result.returncode == 0, result.stderr
    schemes = {s["scheme"] for s in json.loads(result.stdout)["stores"]}
    assert {"memory", "sqlite", "postgresql"} <= schemes
    missing = kk_process("validate", "--store", sqlite_url(tmp_path / "none.db"))
    assert missing.returncode == ExitCode.STORAGE
    assert missing.stderr.startswith("kk: error: ")
    assert "Traceback" not in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_python_dash_m(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "kk_cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: kk ")


def _broken_plugin(tmp_path: Path) -> dict[str, str]:
    """A distribution on PYTHONPATH whose ``kk`` entry point fails to import."""
    (tmp_path / "broken_kk_plugin.py").write_text(
        textwrap.dedent(
            """
            raise ImportError("broken_kk_plugin needs a module that is not installed")
            """
        ),
        encoding="utf-8",
    )
    info = tmp_path / "broken_kk_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-kk-plugin\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("[kk]\nbroken = broken_kk_plugin\n", encoding="utf-8")
    return {"PYTHONPATH": str(tmp_path)}


def test_a_plugin_that_fails_to_load(tmp_path: Path) -> None:
    env = _broken_plugin(tmp_path)
    result = kk_process("adapters", env=env)
    assert result.returncode == ExitCode.PLUGIN
    assert result.stdout == ""
    assert result.stderr.startswith("kk: error: plugin 'broken' failed in hook '<load>'")
    assert "Traceback" not in result.stderr
    # disabling it lets every command work again, and kk adapters says it is disabled
    result = kk_process("adapters", "--json", env={**env, "KK_DISABLED_PLUGINS": "broken"})
    assert result.returncode == 0, result.stderr
    disabled = json.loads(result.stdout)["disabled"]
    assert disabled == [{"name": "broken", "installed": True, "module": "broken_kk_plugin"}]


def test_the_library_does_not_import_the_command_line_tools() -> None:
    import subprocess

    check = (
        "import sys, kk_core, kk_core.plugins, kk_adapters.memory, kk_adapters.sql.store\n"
        "kk_core.open_store('memory://')\n"
        "print(sorted(m for m in ('click', 'rich', 'kk_cli') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
