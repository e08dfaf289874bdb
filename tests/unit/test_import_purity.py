"""Importing kk_core pulls in no test tooling, and the model modules do no I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import kk_core

SRC = Path(kk_core.__file__).parent

#: The pure domain model: attrs records, code lists, lifecycles, privacy.
MODEL_MODULES = [
    "_checks",
    "_coded",
    "advocacy",
    "case_lifecycle",
    "cases",
    "codes",
    "economy",
    "errors",
    "groups",
    "kinds",
    "lifecycle",
    "meetings",
    "outreach",
    "places",
    "privacy",
    "referrals",
]
#: What a model module must never import: serialisation, plugins, I/O, test tooling.
FORBIDDEN = {
    "cattrs",
    "pluggy",
    "hypothesis",
    "pytest",
    "sqlite3",
    "sqlalchemy",
    "psycopg",
    "csv",
    "io",
    "os",
    "pathlib",
    "socket",
    "urllib",
    "http",
    "requests",
    "kk_adapters",
    "kk_core.converter",
    "kk_core.plugins",
    "kk_core.testing",
}

CHECK = """
import importlib, pkgutil, sys
import kk_core
names = [m.name for m in pkgutil.walk_packages(kk_core.__path__, "kk_core.")
         if not m.name.startswith("kk_core.testing")]
for name in names:
    importlib.import_module(name)
leaked = sorted(m for m in ("hypothesis", "pytest", "_pytest") if m in sys.modules)
print(len(names))
print("leaked:" + ",".join(leaked))
"""


def test_importing_kk_core_does_not_import_test_tools() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    count, leaked = result.stdout.split()
    assert int(count) >= len(MODEL_MODULES)
    assert leaked == "leaked:", f"importing kk_core imported {leaked}"


def test_testing_package_is_where_hypothesis_lives() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, kk_core.testing.strategies; print('hypothesis' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stderr


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_model_modules_import_no_io_serialisation_or_plugins(module: str) -> None:
    imported = _imports(SRC / f"{module}.py")
    bad = {
        name
        for name in imported
        for forbidden in FORBIDDEN
        if name == forbidden or name.startswith(forbidden + ".")
    }
    assert not bad, f"kk_core.{module} imports {sorted(bad)}"
    assert "open" not in {
        node.func.id
        for node in ast.walk(ast.parse((SRC / f"{module}.py").read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def test_every_public_model_name_is_exported() -> None:
    for name in kk_core.__all__:
        assert hasattr(kk_core, name), name
