"""docs/reference/cli.md is what scripts/make_cli_docs.py makes from the click app:
rendered again here, it must be the same, so the reference cannot drift from ``kk``."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import click
import pytest

from kk_cli.app import cli
from kk_cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "cli.md"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_cli_docs", ROOT / "scripts" / "make_cli_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_the_one_the_command_makes(script: ModuleType) -> None:
    assert PAGE.read_text(encoding="utf-8") == script.render(), (
        "docs/reference/cli.md is out of date: run python scripts/make_cli_docs.py"
    )
    assert script.main(["--check"]) == 0


def _section(page: str, title: str) -> str:
    start = page.index(f"\n## {title}\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end != -1 else len(page)]


def test_every_command_and_option_is_on_the_page(script: ModuleType) -> None:
    page = script.render()
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        section = _section(page, f"kk {name}")
        assert f"kk {name} [OPTIONS]" in section
        assert (command.help or "").split("\n")[0] in section
        for param in command.params:
            if isinstance(param, click.Argument):  # in the usage line: kk import SOURCE
                assert param.make_metavar(click.Context(command)) in section, (name, param.name)
                continue
            for opt in param.opts:
                assert f"`{opt}`" in section, (name, opt)
            envvar = getattr(param, "envvar", None)
            if isinstance(envvar, str):
                assert f"`{envvar}`" in section


def test_every_exit_status_is_on_the_page(script: ModuleType) -> None:
    section = _section(script.render(), "Exit statuses")
    for code in ExitCode:
        assert f"\n| {code.value} | " in section


def test_check_fails_when_the_page_differs(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "cli.md"
    stale.write_text("# old\n", encoding="utf-8")
    monkeypatch.setattr(script, "TARGET", stale)
    monkeypatch.setattr(script, "ROOT", tmp_path)
    assert script.main(["--check"]) == 1
