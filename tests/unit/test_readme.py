"""The README Quick start and `.ci/run` stay in step, and the README's links resolve."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"


def quickstart_commands(text: str) -> list[str]:
    """The commands of the first ```bash block of the "## Quick start" section."""
    section = re.search(r"^## Quick start[ \t]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section is not None, "README.md has no '## Quick start' section"
    block = re.search(r"^```bash[ \t]*\n(.*?)^```", section.group(1), re.M | re.S)
    assert block is not None, "the Quick start section has no ```bash block"
    return [
        line.strip()
        for line in block.group(1).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


COMMANDS = quickstart_commands(README.read_text(encoding="utf-8"))


def test_quick_start_has_exactly_two_commands() -> None:
    assert len(COMMANDS) == 2, COMMANDS


def test_first_command_creates_a_venv_installs_and_runs_the_demo() -> None:
    first = COMMANDS[0]
    assert first.startswith("python3 -m venv .venv && ")
    assert "pip install -e '.[test]'" in first
    assert first.endswith(" && kk demo")


def test_second_command_runs_the_whole_test_suite() -> None:
    second = COMMANDS[1]
    assert second.startswith(". .venv/bin/activate && ")
    # the whole suite: no path, no -k or -m selection
    assert second.endswith("python -m pytest")


def test_ci_run_is_an_executable_bash_script() -> None:
    assert CI_RUN.is_file()
    assert os.access(CI_RUN, os.X_OK), ".ci/run is not executable"
    first_lines = CI_RUN.read_text(encoding="utf-8").splitlines()[:30]
    assert first_lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in first_lines


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_ci_run_reads_the_same_commands_as_the_readme() -> None:
    """.ci/run runs the README's commands, read from the README itself, word for word."""
    done = subprocess.run(
        ["bash", str(CI_RUN), "--print-commands"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.splitlines() == COMMANDS


def test_ci_run_enforces_types_and_lint() -> None:
    script = CI_RUN.read_text(encoding="utf-8")
    assert "mypy --strict src" in script
    assert re.search(r"ruff check src tests\b", script)


def test_ci_run_checks_the_demo_summary_and_builds_the_site_strictly() -> None:
    script = CI_RUN.read_text(encoding="utf-8")
    assert "Cases by village and case category" in script
    assert re.search(r"-m sphinx -W --keep-going -n .*-b html", script)


def test_readme_links_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t and not t.startswith("mailto:")]
    assert local, "the README links to no documentation"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README.md links to missing files: {missing}"
