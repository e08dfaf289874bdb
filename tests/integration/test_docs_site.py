"""The documentation site builds strictly: every page, the API reference from the
docstrings, no broken link, no missing page, no reference to a name that does not exist.

The build is Sphinx's, configured by ``conf.py`` at the root (the ``docs`` extra), run
as CI would run it; a second, quick build of a copy of the pages (``-t prose``) shows
that a broken link, a missing anchor or a page left out of the navigation fails it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRICT = ["-W", "--keep-going", "-n", "-q", "-j", "auto", "-b", "html"]

pytestmark = pytest.mark.slow


def _sphinx(source: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *STRICT, *args, str(source), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = _sphinx(ROOT, out)
    assert done.returncode == 0, f"the strict build failed:\n{done.stderr}"
    assert "WARNING" not in done.stderr, done.stderr
    assert "ERROR" not in done.stderr, done.stderr
    return out


def _html(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def test_every_page_of_docs_is_built(site: Path) -> None:
    pages = [p.relative_to(ROOT).with_suffix(".html") for p in (ROOT / "docs").rglob("*.md")]
    assert len(pages) >= 15
    for page in pages:
        assert (site / page).is_file(), page
    assert (site / "README.html").is_file()
    assert (site / "bench" / "README.html").is_file()


def test_the_navigation_reaches_every_page(site: Path) -> None:
    home = _html(site, "docs/index.html")
    nav = home[home.index('class="sidebar-tree"') :]
    for page in (ROOT / "docs").rglob("*.md"):
        if page.name == "index.md" and page.parent == ROOT / "docs":
            continue
        link = page.relative_to(ROOT / "docs").with_suffix(".html").as_posix()
        assert f'href="{link}"' in nav, link
    assert 'href="reference/python/index.html"' in nav
    assert 'href="../README.html"' in nav


def _public_modules() -> list[str]:
    """Every module of kk_core and kk_adapters with no part of its name private."""
    names = []
    for package in ("kk_core", "kk_adapters"):
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [
            m.name
            for m in pkgutil.walk_packages(path, f"{package}.")
            if not any(part.startswith("_") for part in m.name.split("."))
        ]
    return names


def test_every_public_name_has_its_entry_in_the_api_reference(site: Path) -> None:
    """Each name of each public module's ``__all__`` is documented on its module's page,
    or (a re-export) linked from it to the page that documents it."""
    api = site / "docs" / "reference" / "python"
    anchors: set[str] = set()
    for page in api.glob("*.html"):
        anchors |= set(re.findall(r'id="([\w.]+)"', page.read_text(encoding="utf-8")))
    modules = _public_modules()
    assert "kk_core.store" in modules
    assert "kk_adapters.sql.store" in modules
    assert not [m for m in modules if "._" in m or m.startswith("kk_cli")]
    for name in modules:
        module = importlib.import_module(name)
        page = _html(api, f"{name}.html")
        assert f'id="module-{name}"' in page
        for export in getattr(module, "__all__", []):
            if f'id="{name}.{export}"' in page:
                continue
            linked = re.search(rf'href="[^"]*#([\w.]+\.{re.escape(export)})"', page)
            assert linked is not None, f"{name}.{export} is neither documented nor linked"
            assert linked.group(1) in anchors, f"{name}.{export} links to a missing entry"


def test_docstrings_are_rendered_with_their_references(site: Path) -> None:
    store = _html(site, "docs/reference/python/kk_core.store.html")
    # a docstring's `ConflictError` links to the errors page
    assert re.search(r'href="kk_core\.errors\.html#kk_core\.errors\.ConflictError"', store)
    # the Store protocol shows the methods of its private bases, and no private base
    section = store[store.index('id="kk_core.store.Store"') :]
    for method in ("get", "find", "count", "put", "put_many", "delete", "transaction"):
        assert f'id="kk_core.store.Store.{method}"' in section
    assert "_Reads" not in store
    # an attrs class shows its defaults, not how its generated __init__ reads them
    assert "attr_dict" not in store
    assert "TypeAliasForwardRef" not in store
    # a class deriving from object alone has no "Bases: object" line
    services = _html(site, "docs/reference/python/kk_core.services.html")
    assert "Bases:" not in services


def test_the_site_root_sends_a_browser_to_the_home_page(site: Path) -> None:
    root = _html(site, "index.html")
    assert 'http-equiv="refresh" content="0; url=docs/index.html"' in root


def test_the_cli_reference_and_the_tutorial_are_on_the_site(site: Path) -> None:
    cli = _html(site, "docs/reference/cli.html")
    for command in ("kk adapters", "kk demo", "kk report", "kk brief", "kk import", "kk sync",
                    "kk export", "kk migrate", "kk validate"):  # fmt: skip
        assert command in cli
    tutorial = _html(site, "docs/tutorial.html")
    assert 'class="highlight-python' in tutorial


def _prose_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "src"
    copy.mkdir()
    shutil.copy(ROOT / "conf.py", copy / "conf.py")
    shutil.copy(ROOT / "README.md", copy / "README.md")
    (copy / "bench").mkdir()
    shutil.copy(ROOT / "bench" / "README.md", copy / "bench" / "README.md")
    shutil.copytree(ROOT / "docs", copy / "docs", ignore=shutil.ignore_patterns("python"))
    (copy / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "village_year.py", copy / "examples" / "village_year.py")
    return copy


@pytest.fixture(scope="module")
def prose_builds(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The copy of the pages builds as it is (so a failure below is the change's)."""
    tmp_path = tmp_path_factory.mktemp("prose")
    clean = _sphinx(_prose_copy(tmp_path), tmp_path / "out", "-t", "prose")
    assert clean.returncode == 0, clean.stderr


@pytest.mark.parametrize(
    ("page", "added", "complaint"),
    [
        ("docs/glossary.md", "\nSee [a page](no-such-page.md).\n", "no-such-page"),
        (
            "docs/glossary.md",
            "\nSee [a heading](tutorial.md#no-such-heading).\n",
            "no-such-heading",
        ),
        ("docs/how-to/extra.md", "# A page the navigation forgot\n", "toctree"),
    ],
)
def test_strict_mode_fails_the_build(
    page: str, added: str, complaint: str, tmp_path: Path, prose_builds: None
) -> None:
    copy = _prose_copy(tmp_path)
    target = copy / page
    with target.open("a", encoding="utf-8") as handle:
        handle.write(added)
    broken = _sphinx(copy, tmp_path / "broken", "-t", "prose")
    assert broken.returncode != 0
    assert complaint in broken.stderr
