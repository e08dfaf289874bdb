"""Proof of pluggability: a separately installed distribution adds a store scheme.

A tiny third-party package (its own ``pyproject.toml`` with ``[project.entry-points.kk]``)
is built and installed, together with this project, into a throwaway virtualenv that
does not see this one's site-packages. A subprocess running that virtualenv's Python
then shows that ``kk_core.open_store("thirdparty://…")`` reaches the third party's
factory, and that ``KK_DISABLED_PLUGINS=thirdparty`` blocks it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
MARKER = "KK-THIRDPARTY-FACTORY-REACHED"

THIRDPARTY_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "kk-thirdparty"
version = "1.2.3"
description = "A third-party kelompok-konstituen store, for the pluggability test"
requires-python = ">=3.11"
dependencies = ["kelompok-konstituen"]

[project.entry-points.kk]
thirdparty = "kk_thirdparty"

[tool.setuptools]
py-modules = ["kk_thirdparty"]
"""

THIRDPARTY_MODULE = f'''\
"""A third party's kk plugin: the ``thirdparty://`` scheme, a memory store underneath."""

import sys

from kk_adapters.memory import MemoryStore
from kk_core.hookspecs import hookimpl


class ThirdPartyStore(MemoryStore):
    """Stands in for a partner's own database."""


def open_thirdparty(url, /, **options):
    print("{MARKER}", url, file=sys.stderr)
    return ThirdPartyStore(url, **options)


@hookimpl
def kk_register_stores(registry):
    registry.add("thirdparty", open_thirdparty, description="a third party's store")
'''

PROBE = """\
import json

import kk_core
from kk_core import UnknownSchemeError, Village
from kk_core.plugins import get_plugins

plugins = get_plugins()
out = {
    "kk_core_file": kk_core.__file__,
    "plugins": {p.name: [p.version, list(p.hooks)] for p in plugins.list_plugins()},
}
try:
    store = kk_core.open_store("thirdparty://x")
except UnknownSchemeError as exc:
    out["error"] = {"scheme": exc.scheme, "installed": list(exc.installed), "message": str(exc)}
else:
    teros = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "NTB")
    stored = store.put(teros)
    out["store"] = {
        "type": type(store).__module__ + "." + type(store).__qualname__,
        "url": store.url,
        "version": stored.version,
        "name": store.get(Village, teros.id).name,
    }
print(json.dumps(out))
"""


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would leak its packages in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "KK_DISABLED_PLUGINS"}
    }
    env["PYTHONNOUSERSITE"] = "1"
    env.update(extra)
    return env


def _run(args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="module")
def env_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with this project and the third-party package installed."""
    base = tmp_path_factory.mktemp("thirdparty")
    package = base / "kk-thirdparty"
    package.mkdir()
    (package / "pyproject.toml").write_text(THIRDPARTY_PYPROJECT, encoding="utf-8")
    (package / "kk_thirdparty.py").write_text(THIRDPARTY_MODULE, encoding="utf-8")

    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env_dir)
    bindir = "Scripts" if sys.platform == "win32" else "bin"
    python = env_dir / bindir / ("python.exe" if sys.platform == "win32" else "python")
    _run(
        [str(python), "-m", "pip", "install", "--quiet", str(REPO), str(package)],
        cwd=base,
        env=_clean_env(),
    )
    return python


def _probe(python: Path, cwd: Path, **env: str) -> tuple[dict[str, Any], str]:
    result = _run([str(python), "-c", PROBE], cwd=cwd, env=_clean_env(**env))
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_open_store_reaches_the_third_party_factory(env_python: Path, tmp_path: Path) -> None:
    out, stderr = _probe(env_python, tmp_path)

    # the project came from the throwaway virtualenv, not from this checkout
    assert Path(out["kk_core_file"]).is_relative_to(env_python.parents[1])
    assert f"{MARKER} thirdparty://x" in stderr
    assert out["store"] == {
        "type": "kk_thirdparty.ThirdPartyStore",
        "url": "thirdparty://x",
        "version": 1,
        "name": "Teros",
    }
    # listed like any built-in, with its distribution's version
    assert out["plugins"]["thirdparty"] == ["1.2.3", ["kk_register_stores"]]
    assert "memory" in out["plugins"]


def test_disabled_plugin_is_not_loaded(env_python: Path, tmp_path: Path) -> None:
    out, stderr = _probe(env_python, tmp_path, KK_DISABLED_PLUGINS="thirdparty")

    assert MARKER not in stderr
    assert "store" not in out
    assert "thirdparty" not in out["plugins"]
    error = out["error"]
    assert error["scheme"] == "thirdparty"
    assert "memory" in error["installed"]
    assert "thirdparty" not in error["installed"]
    assert "installed schemes: " in error["message"]
