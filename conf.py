"""Sphinx configuration of the documentation site (``pip install -e '.[docs]'``).

Build it strictly (every warning an error: a broken link, a missing page, a reference
to a name that does not exist)::

    python -m sphinx -W --keep-going -n -j auto -b html . build/site

and look at it with ``python -m http.server -d build/site 8000`` (then
http://127.0.0.1:8000/docs/). ``-t prose`` builds the pages without the API reference
from the docstrings: a quick preview while writing.

The site is the Markdown pages of ``docs/`` as they are (read by MyST, the same files
GitHub shows and the tests run), the README and the benchmarks' README, and an API
reference generated from the docstrings (``docs/reference/python/``, written here at
each build, not kept in git). The navigation is `NAV` below: it is added to the home
page as a hidden table of contents when Sphinx reads it, so ``docs/index.md`` stays a
plain page.

Why Sphinx (with furo and MyST) rather than MkDocs: the docstrings are reStructuredText
(`names` in the default role, ``:param:`` fields, ``.. versionadded::``), which Sphinx
renders and cross-checks, so a docstring naming a function that does not exist fails
the build; and Sphinx is maintained, while MkDocs 1.x has had no release since 2024.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import pkgutil
import re
import shutil
import sys
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))
# the contract suite's hostile values include integers of thousands of digits, which
# autodoc reprs (and shows only where `_LONG_VALUE` allows)
sys.set_int_max_str_digits(0)

import attrs  # noqa: E402
import sphinx.util.inspect  # noqa: E402
from sphinx import addnodes  # noqa: E402
from sphinx.transforms.post_transforms import SphinxPostTransform  # noqa: E402

import kk_core  # noqa: E402

project = "kelompok-konstituen"
author = "kelompok-konstituen developers"
copyright = "kelompok-konstituen developers, MIT licence"
release = version = kk_core.__version__

#: ``-t prose``: the pages only, without the API reference from the docstrings.
PROSE_ONLY = "tags" in globals() and tags.has("prose")  # type: ignore[name-defined]  # noqa: F821

extensions = ["myst_parser"]
if not PROSE_ONLY:
    extensions += ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]
root_doc = "docs/index"
include_patterns = ["docs/**", "README.md", "bench/README.md"]
exclude_patterns = ["build", "**/.*"] + (["docs/reference/python/**"] if PROSE_ONLY else [])
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}

# Markdown as GitHub reads it: heading anchors made the same way, so the pages' links
# to ``page.md#a-heading`` work on both.
myst_heading_anchors = 4
# Strict: a missing page, anchor or name is an error (-W), and so is a reference in a
# docstring to a name that does not exist (-n, nitpicky).
nitpicky = True
default_role = "py:obj"

# The API reference
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
# defaults as written (`CODE_LISTS`, not the repr of every list); an attrs class's
# generated ``__init__`` gets its fields' defaults (`_attrs_defaults`)
autodoc_preserve_defaults = True
# the record unions by their names, not spelled out member by member in every signature
autodoc_type_aliases = {
    "Record": "kk_core.kinds.Record",
    "RecordType": "kk_core.kinds.RecordType",
    "Counts": "kk_core.store.Counts",
    "Encoded": "kk_adapters.sql.rows.Encoded",
}
python_use_unqualified_type_names = True
# a long signature (an attrs record's) one parameter per line
python_maximum_signature_line_length = 100
add_module_names = False

html_theme = "furo"
html_title = f"kelompok-konstituen {release}"
html_static_path: list[str] = []
html_theme_options = {"navigation_with_keys": True}

#: The navigation: (caption, pages). Every page of the site is in it; a page is its
#: document name, or "Title <name>" to show another title than the page's own.
NAV: list[tuple[str, list[str]]] = [
    ("Start here", ["docs/tutorial", "README: install and quick start <README>"]),
    (
        "How-to guides",
        [
            "docs/how-to/use-sql",
            "docs/how-to/record-advocacy-and-the-kks-work",
            "docs/how-to/write-an-adapter",
            "docs/how-to/test-your-adapter",
            "docs/how-to/one-off-analysis",
            "docs/how-to/exchange-spreadsheets",
            "docs/how-to/import-from-kobo",
            "docs/how-to/collect-with-kobocollect",
            "bench/README",
        ],
    ),
    (
        "Reference",
        [
            "API overview, module by module <docs/reference/api>",
            *(
                []
                if PROSE_ONLY
                else ["API reference from the docstrings <docs/reference/python/index>"]
            ),
            "docs/reference/cli",
            "docs/reference/store",
            "docs/reference/hooks",
            "docs/reference/lifecycles",
            "docs/reference/classification",
            "docs/reference/places",
            "docs/reference/dimensions",
            "docs/reference/csv",
            "docs/reference/kobo-mapping-file",
            "docs/reference/forms",
            "docs/reference/code-lists",
        ],
    ),
    ("Background", ["docs/data-protection", "docs/glossary", "docs/changelog"]),
]

# -- the API reference, generated from the modules' __all__ ------------------------------

API_DIR = ROOT / "docs" / "reference" / "python"
#: Packages whose public modules get a page (kk_cli's interface is the command line:
#: docs/reference/cli.md).
API_PACKAGES = ("kk_core", "kk_adapters")
#: Names defined elsewhere by the standard library or a dependency, left unlinked (the
#: site is built without network access, so no intersphinx inventories).
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(collections\.abc|collections|typing|typing_extensions|datetime|enum|pathlib|types|"
        r"contextlib|decimal|re|abc|threading|unittest|_io|io|os|operator|functools|"
        r"tracemalloc|gc|sa|sqlalchemy|attrs|attr|cattrs|pluggy|hypothesis|pytest|_pytest|"
        r"psycopg|sqlite3|st|PluginManager|httpx|pandas|pd|pyarrow|pa|openpyxl|matplotlib)(\..*)?",
    ),
    # type variables, and private names (a private base class in "Bases:")
    (r"py:.*", r"([\w.]+\.)?(R|T|K|V|C|E|F|_R|_T|_F|_C|_Key)"),
    (r"py:.*", r"([\w.]+\.)?_\w+(\.\w+)*"),
    (
        r"py:.*",
        r"(Any|Callable|Iterable|Iterator|Mapping|Sequence|Generator|Hashable|Set|"
        r"MutableMapping|AbstractContextManager|TypeVar|Generic|Protocol|Self|NoReturn|"
        r"Literal|ClassVar|Final|Union|Optional|Enum|IntEnum|StrEnum|Path|date|datetime|"
        r"timedelta|timezone|tzinfo|Decimal|Pattern|Match|SearchStrategy|TestCase|"
        r"RuleBasedStateMachine|Engine|Connection|Dialect|MetaData|Table|Column|URL|"
        r"Select|PluginManager|HookimplMarker|HookspecMarker|Converter|ModuleType|"
        r"PathLike|Lock|TextIO|BinaryIO|Counter|_T|T|R|K|V|C|E|F|RecordT|_F|_C|_R)",
    ),
    (r"py:.*", r"(int|str|bytes|bool|float|object|type|tuple|list|dict|set|frozenset|None)"),
    (r"py:.*", r"(Exception|BaseException|ValueError|TypeError|KeyError|LookupError)"),
    (r"py:.*", r"(UserWarning|Warning|ImportError|OSError|RuntimeError|NotImplemented)"),
    (r"py:.*", r"(ellipsis|NoneType|\.\.\.)"),
]


def _public_modules() -> list[str]:
    """Every module of `API_PACKAGES` whose name has no part starting with ``_``."""
    names: list[str] = []
    for package_name in API_PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if any(part.startswith("_") for part in info.name.split(".")):
                continue
            names.append(info.name)
    return sorted(names)


#: Characters of a constant's value shown at most; a longer one is shown by its name
#: and docstring only (test data of the contract suite, the region table …).
_LONG_VALUE = 300


def _homes(modules: list[str]) -> dict[int, str]:
    """For each exported class or function, the one page that documents it: the module
    that defines it when that module is public and exports it, else the first public
    module that exports it (`kk_core.codes` for `kk_core._coded.CodeList`), packages
    last."""
    homes: dict[int, str] = {}
    by_depth = sorted(modules, key=lambda m: (m in API_PACKAGES, m))
    for name in by_depth:
        module = importlib.import_module(name)
        for export in getattr(module, "__all__", []):
            value = getattr(module, export, None)
            if not _is_code(value):
                continue
            owner = getattr(value, "__module__", "")
            if owner == name:
                homes[id(value)] = name
            elif _is_private(owner) or owner not in modules:
                homes.setdefault(id(value), name)
    return homes


def _is_code(value: Any) -> bool:
    """A class or a function (plain, or wrapped by a decorator that keeps its name); not
    a type alias (``type[Record]`` passes itself off as ``type``)."""
    if typing.get_origin(value) is not None or isinstance(value, types.UnionType):
        return False
    return inspect.isclass(value) or (callable(value) and hasattr(value, "__qualname__"))


def _is_private(module_name: str) -> bool:
    return any(part.startswith("_") for part in module_name.split("."))


_HOMES: dict[int, str] = {}
_MODULES: list[str] = []


def _module_page(name: str) -> str:
    """A module's page: its docstring, then each of its own public names in the order
    of the source, then links to the names it re-exports from elsewhere."""
    module = importlib.import_module(name)
    title = f"``{name}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {name}", ""]
    exported = list(getattr(module, "__all__", []))
    own = sorted((n for n in exported if _defined_in(module, n)), key=_source_order(module))
    for member in own:
        lines += _member(module, member)
    extra = _EXTRA_SECTIONS.get(name)
    if extra is not None:
        title, names = extra[0], extra[1](module)
        lines += [title, "-" * len(title), ""]
        for member in names:
            lines += _member(module, member)
    elsewhere = [n for n in exported if n not in own]
    if elsewhere:
        # re-exports, grouped by the module that documents them
        by_home: dict[str, list[str]] = {}
        for n in elsewhere:
            target = _canonical(module, n)
            home = target.rpartition(".")[0] if target else ""
            link = f":py:obj:`{n} <{target}>`" if target else f"``{n}``"
            by_home.setdefault(home, []).append(link)
        lines += ["Also importable from here, documented with their modules:", ""]
        for home, links in sorted(by_home.items()):
            where = f":py:mod:`{home}`: " if home else ""
            lines.append(f"- {where}{', '.join(links)}")
        lines.append("")
    return "\n".join(lines)


#: Sections of names a module does not export but its readers need: the hook
#: specifications, which plugins implement rather than import.
_EXTRA_SECTIONS: dict[str, tuple[str, Any]] = {
    "kk_core.hookspecs": (
        "Hook specifications",
        lambda module: sorted(
            (
                n
                for n in vars(module)
                if n.startswith("kk_") and inspect.isfunction(vars(module)[n])
            ),
            key=_source_order(module),
        ),
    ),
}


def _member(module: Any, name: str) -> list[str]:
    value = getattr(module, name)
    full = f"{module.__name__}.{name}"
    if inspect.isclass(value):
        lines = [f".. autoclass:: {full}", "   :members:", "   :undoc-members:"]
        lines.append("   :show-inheritance:")
        hidden = [b for b in value.__mro__[1:] if _is_private_class(b)]
        if hidden:  # a private base's methods are the class's own to its readers
            kept = {b.__name__ for b in value.__mro__[1:] if b not in hidden}
            lines.append(f"   :inherited-members: {', '.join(sorted(kept))}")
        return [*lines, ""]
    if _is_code(value):
        return [f".. autofunction:: {full}", ""]
    lines = [f".. autodata:: {full}"]
    if _is_long_constant(value):
        lines.append("   :no-value:")
    return [*lines, ""]


def _is_private_class(cls: type) -> bool:
    return cls.__name__.startswith("_") and cls.__module__.split(".")[0] in API_PACKAGES


def _source_order(module: Any) -> Any:
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        source = ""

    def key(name: str) -> tuple[int, str]:
        found = re.search(rf"^(?:class |def |async def )?{re.escape(name)}\b", source, re.M)
        return (found.start() if found else len(source), name)

    return key


def _drop_private_bases(app: Any, name: str, obj: Any, options: Any, bases: list[Any]) -> None:
    """ "Bases:" names public classes only: a private base gives way to its own bases, and
    a class that only derives from ``object`` has no "Bases:" line."""
    shown: list[Any] = []
    pending = list(bases)
    while pending:
        base = pending.pop(0)
        if isinstance(base, type) and _is_private_class(base):
            pending[:0] = [b for b in base.__bases__ if b is not object]
        elif base not in shown:
            shown.append(base)
    bases[:] = [b for b in shown if b is not object]


def _is_long_constant(value: Any) -> bool:
    if inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value):
        return False
    try:
        return len(repr(value)) > _LONG_VALUE
    except Exception:
        return True


def _defined_in(module: Any, name: str) -> bool:
    """Whether ``module``'s page documents ``name`` (its own class, function or constant,
    or one of a private module it is the public home of), rather than pointing to the
    page that does."""
    value = getattr(module, name, None)
    if inspect.ismodule(value):
        return False
    if not _is_code(value):
        # a constant: documented where it is assigned (`#:` comment or not)
        return name in _assigned_names(module)
    return _HOMES.get(id(value)) == module.__name__


def _assigned_names(module: Any) -> set[str]:
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return set()
    return set(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]*)?=", source, re.M))


def _canonical(module: Any, name: str) -> str | None:
    """The documented name of what ``module`` re-exports as ``name``."""
    value = getattr(module, name, None)
    if inspect.ismodule(value):
        return value.__name__
    home = _HOMES.get(id(value))
    if home is not None:
        return f"{home}.{getattr(value, '__qualname__', name)}"
    for other in _MODULES:  # a constant: the module that assigns it
        candidate = importlib.import_module(other)
        if (
            other != module.__name__
            and name in getattr(candidate, "__all__", ())
            and getattr(candidate, name, None) is value
            and name in _assigned_names(candidate)
        ):
            return f"{other}.{name}"
    return None


def write_api_pages(app: Any, config: Any) -> None:
    """Write one page per public module, and the index of them, into `API_DIR`."""
    if API_DIR.exists():
        shutil.rmtree(API_DIR)
    API_DIR.mkdir(parents=True)
    modules = _public_modules()
    _HOMES.clear()
    _HOMES.update(_homes(modules))
    _MODULES[:] = modules
    for name in modules:
        (API_DIR / f"{name}.rst").write_text(_module_page(name), encoding="utf-8")
    index = [
        "API reference from the docstrings",
        "=================================",
        "",
        "Every public module, its public names (its ``__all__``) and their docstrings;",
        "each page links to the source. A shorter guide to the same names, module by",
        "module, is the :doc:`API overview <../api>`.",
        "",
    ]
    for package in API_PACKAGES:
        members = [m for m in modules if m == package or m.startswith(f"{package}.")]
        index += [f"``{package}``", "-" * (len(package) + 4), ""]
        for m in members:
            index.append(f"- :doc:`{m} <{m}>` — {_summary(m)}")
        index += ["", ".. toctree::", "   :hidden:", "", *(f"   {m}" for m in members), ""]
    (API_DIR / "index.rst").write_text("\n".join(index), encoding="utf-8")


def _summary(name: str) -> str:
    """The first sentence of a module's docstring (its summary line)."""
    doc = inspect.getdoc(importlib.import_module(name)) or ""
    return doc.split("\n\n")[0].replace("\n", " ").strip()


def _nav_entry(page: str) -> str:
    title, _, name = page.rpartition(" <")
    return f"{title} </{name.rstrip('>')}>" if title else f"/{page}"


def add_navigation(app: Any, docname: str, source: list[str]) -> None:
    """The site's navigation, as hidden tables of contents at the end of the home page."""
    if docname != root_doc:
        return
    blocks = []
    for caption, pages in NAV:
        entries = "\n".join(_nav_entry(page) for page in pages)
        blocks.append(f"\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n{entries}\n```\n")
    source[0] += "\n" + "".join(blocks)


def resolve_short_names(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """A docstring's `Name` that names exactly one documented object anywhere.

    Docstrings name things the way their module sees them (`ValidationError`,
    `Plugins.open_store`, a method `check` of the module's own class); Sphinx looks
    only in the current module and class. A name that matches one object of the
    current module, else of the whole reference, links to it; none (or several) stays a
    missing reference, which fails the strict build. A file of the repository named in
    single backquotes (`docs/reference/csv.md`) is shown as code.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target or target.startswith("."):
        return None
    if "/" in target:  # a path, not a Python name
        from docutils import nodes

        return nodes.literal(target, target)
    domain = env.get_domain("py")
    objects = {name: obj for name, obj in domain.objects.items() if not obj.aliased}
    module = node.get("py:module")
    found = _unique({n: o for n, o in objects.items() if n.startswith(f"{module}.")}, target)
    if found is None:
        found = _unique(objects, target)
    if found is None and "." in target:
        # a dotted name as Python sees it (`kk_core.open_store`, a private module's
        # class): the object's own name, else its last part if only one object has it
        canonical = _imported_name(target)
        if canonical in objects:
            found = canonical
        elif canonical is not None or _is_private(target.rpartition(".")[0]):
            found = _unique(objects, target.rpartition(".")[2])
    if found is None:
        return None
    obj = objects[found]
    from sphinx.util.nodes import make_refnode

    return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, found)


def _unique(objects: dict[str, Any], target: str) -> str | None:
    suffix = "." + target
    found = [name for name in objects if name == target or name.endswith(suffix)]
    return found[0] if len(found) == 1 else None


def _imported_name(target: str) -> str | None:
    """``module.qualname`` of the object a dotted name imports to, if it does."""
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attribute in parts[i:]:
            value = getattr(value, attribute, None)
        if value is None:
            return None
        if inspect.ismodule(value):
            return value.__name__
        home = _HOMES.get(id(value))
        module = home or getattr(value, "__module__", None)
        qualname = getattr(value, "__qualname__", None)
        return f"{module}.{qualname}" if module and qualname else None
    return None


# A type alias inside a generic (``type[Record]``) is printed with the repr of Sphinx's
# stand-in for it, ``TypeAliasForwardRef('kk_core.kinds.Record')``: print its name.
sphinx.util.inspect.TypeAliasForwardRef.__repr__ = lambda self: self.name  # type: ignore[method-assign]

_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_")) | {"None"}


class UnlinkBuiltins(SphinxPostTransform):
    """``str``, ``type``, ``ValueError`` in a signature or a docstring as plain text.

    There is nothing to link them to (no intersphinx: the site builds offline), and
    the Python domain would otherwise match ``type`` with every attribute named so.
    """

    default_priority = 5  # before the references are resolved (10)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("refdomain") == "py" and node.get("reftarget") in _BUILTINS:
                node.replace_self(_shown(node))


def _shown(node: Any) -> list[Any]:
    for child in node.children:
        if isinstance(child, addnodes.pending_xref_condition) and child["condition"] == "*":
            return list(child.children)
    return list(node.children)


_ATTRS_DEFAULT = re.compile(r"attr_dict\['(\w+)'\]\.default")


def _attrs_defaults(
    app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None, ret: str | None
) -> tuple[str | None, str | None] | None:
    """An attrs class's signature with its fields' defaults (``False``, ``()``), not
    the names its generated ``__init__`` reads them by (``attr_dict['x'].default``)."""
    if signature is None or what != "class" or not attrs.has(obj):
        return None
    fields = {f.alias or f.name: f for f in attrs.fields(obj)}

    def default(match: re.Match[str]) -> str:
        field = fields.get(match.group(1))
        if field is None or isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            return "..."
        text = repr(field.default)  # a set of enum members reprs as <…>: not a signature
        return text if "<" not in text and len(text) <= 60 else "..."

    return _ATTRS_DEFAULT.sub(default, signature).replace("=NOTHING", "=..."), ret


def _no_borrowed_docstring(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """A constant without a ``#:`` comment gets no docstring, rather than its type's
    (``str(object='') -> str`` under a string)."""
    if what in ("data", "attribute") and not inspect.isclass(obj) and not callable(obj):
        own = getattr(obj, "__doc__", None)
        if own is not None and own == getattr(type(obj), "__doc__", None):
            lines.clear()


#: The site's root, ``index.html``: the home page is ``docs/index.html`` (the pages keep
#: their paths in the repository, so links between them read the same on GitHub).
ROOT_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>kelompok-konstituen</title>
<meta http-equiv="refresh" content="0; url=docs/index.html">
<link rel="canonical" href="docs/index.html"></head>
<body><p><a href="docs/index.html">kelompok-konstituen documentation</a></p></body></html>
"""


def drop_empty_bases(app: Any, doctree: Any) -> None:
    """The "Bases:" line autodoc writes even when `_drop_private_bases` left no base."""
    from docutils import nodes

    for paragraph in list(doctree.findall(nodes.paragraph)):
        if paragraph.astext().strip() == "Bases:":
            paragraph.parent.remove(paragraph)


def write_root_page(app: Any, exception: BaseException | None) -> None:
    """``index.html`` at the site's root, sending a browser to the home page."""
    if exception is None and app.builder.format == "html":
        (Path(app.outdir) / "index.html").write_text(ROOT_PAGE, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.add_post_transform(UnlinkBuiltins)
    app.connect("build-finished", write_root_page)
    if not PROSE_ONLY:
        app.connect("autodoc-process-signature", _attrs_defaults)
        app.connect("autodoc-process-docstring", _no_borrowed_docstring)
        app.connect("config-inited", write_api_pages)
        app.connect("autodoc-process-bases", _drop_private_bases)
        app.connect("doctree-read", drop_empty_bases)
    app.connect("source-read", add_navigation)
    app.connect("missing-reference", resolve_short_names)
    return {"parallel_read_safe": True}
