"""The example adapter of docs/how-to/write-an-adapter.md is real: it passes the contract.

The page tells the reader to copy its code blocks, in order, into one module. This test
does exactly that — every ```python block before the "Packaging" section, joined into
``kk_jsonl/__init__.py`` in a temporary directory — imports the module, registers it
with a `Plugins` as the entry point would, and runs the full `StoreContract` against
stores opened by URL. A few more tests check what the page claims beyond the contract:
atomic writes, damaged files reported as `StorageError`, the packaging snippet.
"""

from __future__ import annotations

import errno
import importlib.util
import re
import sys
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from kk_core.errors import KKError, ReadOnlyError, StorageError, ValidationError
from kk_core.kinds import Record
from kk_core.places import Hamlet, Village
from kk_core.plugins import Plugins
from kk_core.store import Store
from kk_core.testing.contract import StoreContract

HOWTO = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "write-an-adapter.md"
MODULE_END = "\n## Packaging"

_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


def _blocks(text: str, language: str) -> list[str]:
    """Bodies of the fenced blocks of a language, skipping ```python skip blocks."""
    found = []
    for match in _FENCE.finditer(text):
        words = match.group("info").split()
        if words and words[0] == language and "skip" not in words[1:]:
            found.append(match.group("body"))
    return found


def module_source() -> str:
    """The adapter module, as a reader assembles it from the page."""
    text = HOWTO.read_text(encoding="utf-8")
    assert MODULE_END in text, f"{HOWTO.name} has no 'Packaging' section to end the module"
    blocks = _blocks(text.split(MODULE_END, 1)[0], "python")
    assert len(blocks) >= 5, "the adapter's code is missing from the page"
    return "\n\n".join(blocks)


@pytest.fixture(scope="module")
def kk_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    package = tmp_path_factory.mktemp("howto") / "kk_jsonl"
    package.mkdir()
    init = package / "__init__.py"
    init.write_text(module_source(), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("kk_jsonl", init)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kk_jsonl"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("kk_jsonl", None)


@pytest.fixture(scope="module")
def plugins(kk_jsonl: ModuleType) -> Plugins:
    """The module registered as the ``kk`` entry point ``jsonl = "kk_jsonl"`` would."""
    return Plugins(load_entry_points=False, extra=[kk_jsonl])


def jsonl_url(path: Path, **query: str) -> str:
    url = path.resolve().as_uri().replace("file:", "jsonl:", 1)
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


class TestJsonlStoreContract(StoreContract):
    """The contract, on a fresh directory per store (fsync off: the tests need speed)."""

    large_result_size = 5_000
    max_examples = 25

    @pytest.fixture(autouse=True)
    def _directories(self, plugins: Plugins, tmp_path: Path) -> None:
        self.plugins = plugins
        self.base = tmp_path
        self.made = 0

    def _url(self, **query: str) -> str:
        self.made += 1
        return jsonl_url(self.base / f"store-{self.made}", durable="0", **query)

    def make_store(self) -> Store:
        return self.plugins.open_store(self._url())

    def make_readonly_store(self, records: Sequence[Record]) -> Store:
        url = self._url()
        self.plugins.open_store(url).put_many(records)
        return self.plugins.open_store(url, read_only=True)

    @contextmanager
    def failing_backend(self, store: Store) -> Iterator[None]:
        """The disk fills up: a commit's files are written, but moving them in fails."""
        module = sys.modules["kk_jsonl"]

        def full_disk(*args: Any, **kwargs: Any) -> Any:
            raise OSError(errno.ENOSPC, "No space left on device")

        real = module.os.replace  # the process's os.replace, patched only for this block
        module.os.replace = full_disk
        try:
            yield
        finally:
            module.os.replace = real


# -- what the page claims beyond the contract -----------------------------------------

TEROS = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "NTB")


def test_opened_by_url_through_the_hook(plugins: Plugins, tmp_path: Path) -> None:
    url = jsonl_url(tmp_path / "data")
    store = plugins.open_store(url)
    assert type(store).__name__ == "JsonlStore"
    assert store.url == url
    assert plugins.stores["jsonl"].description
    assert store.capabilities.transactions
    assert not store.capabilities.read_only
    store.put(TEROS)  # default: durable (fsync) writes
    assert (tmp_path / "data" / "village.jsonl").is_file()


def test_one_sorted_file_per_kind(plugins: Plugins, tmp_path: Path) -> None:
    store = plugins.open_store(jsonl_url(tmp_path))
    store.put_many([Hamlet("b", TEROS.id, "Dusun B"), TEROS, Hamlet("a", TEROS.id, "Dusun A")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hamlet.jsonl", "village.jsonl"]
    lines = (tmp_path / "hamlet.jsonl").read_text(encoding="utf-8").splitlines()
    assert [line.split('"id": ')[1][:3] for line in lines] == ['"a"', '"b"']


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_changes_nothing(
    failing: str,
    plugins: Plugins,
    kk_jsonl: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A commit touching two kinds fails while writing, or on its first move: no file
    changes, no temporary file is left behind, and the caller gets a StorageError."""
    store = plugins.open_store(jsonl_url(tmp_path))  # durable: fsync on every write
    teros = store.put(TEROS)
    store.put(Hamlet("a", TEROS.id, "Dusun A"))
    before = _files(tmp_path)

    def fail(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kk_jsonl.os, failing, fail)
    with pytest.raises(StorageError, match="No space left") as caught:
        store.put_many([Hamlet("b", TEROS.id, "Dusun B"), attrs.evolve(teros, name="Desa Teros")])
    assert isinstance(caught.value, KKError)
    monkeypatch.undo()
    assert _files(tmp_path) == before
    assert store.get(Village, TEROS.id).name == "Teros"


def test_damaged_line_is_a_storage_error(plugins: Plugins, tmp_path: Path) -> None:
    store = plugins.open_store(jsonl_url(tmp_path))
    store.put(TEROS)
    path = tmp_path / "village.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(StorageError, match=r"village\.jsonl:2"):
        list(store.find(Village))
    path.write_text('{"id": "52.03.17.2003", "name": "", "version": 1}\n', encoding="utf-8")
    with pytest.raises(StorageError, match="not a valid village"):
        store.get(Village, TEROS.id)
    path.write_text('{"id": "52.03.12.2005", "name": "Teros"}\n', encoding="utf-8")  # no version
    for call in (
        lambda: store.get(Village, TEROS.id),
        lambda: store.put(TEROS),
        lambda: store.delete(Village, TEROS.id),
    ):
        with pytest.raises(StorageError, match="no version"):
            call()


def test_read_only_and_bad_urls(plugins: Plugins, tmp_path: Path) -> None:
    writable = plugins.open_store(jsonl_url(tmp_path))
    writable.put(TEROS)
    readonly = plugins.open_store(jsonl_url(tmp_path, read_only="1"))
    assert readonly.capabilities.read_only
    assert readonly.get(Village, TEROS.id) == writable.get(Village, TEROS.id)
    with pytest.raises(ReadOnlyError):
        readonly.put(attrs.evolve(TEROS, name="x", version=1))
    with pytest.raises(StorageError):
        plugins.open_store(jsonl_url(tmp_path / "missing"), read_only=True)
    with pytest.raises(ValidationError) as caught:  # the part of the URL is named
        plugins.open_store("jsonl://kk:pw-secret@some-host")
    assert [p.path for p in caught.value.problems] == ["url.host", "url.path"]
    assert "pw-secret" not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        plugins.open_store(jsonl_url(tmp_path), colour="blue")
    assert [p.path for p in caught.value.problems] == ["options.colour"]


def test_packaging_snippet_declares_the_entry_point() -> None:
    text = HOWTO.read_text(encoding="utf-8")
    (pyproject,) = _blocks(text, "toml")
    data = tomllib.loads(pyproject)
    assert data["project"]["entry-points"]["kk"] == {"jsonl": "kk_jsonl"}
    assert any(dep.startswith("kelompok-konstituen") for dep in data["project"]["dependencies"])


@pytest.mark.slow
def test_adapter_module_is_strictly_typed(tmp_path: Path) -> None:
    """The page's code passes ``mypy --strict`` as the module a reader assembles."""
    api = pytest.importorskip("mypy.api")
    module = tmp_path / "kk_jsonl.py"
    module.write_text(module_source(), encoding="utf-8")
    stdout, stderr, status = api.run(
        ["--strict", "--cache-dir", str(tmp_path / ".mypy_cache"), str(module)]
    )
    assert status == 0, stdout + stderr
