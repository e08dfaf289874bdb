"""How the facade calls hook implementations: what it refuses rather than ignores.

The facade calls each implementation itself, so that a failure names its plugin; a hook
*wrapper* would never run that way, so registering one is an error, not a silent no-op.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import pytest

from kk_core.errors import PluginError
from kk_core.hookspecs import hookimpl
from kk_core.plugins import Plugins


class NewStyleWrapper:
    @hookimpl(wrapper=True)
    def kk_records_written(self, kind: str) -> Generator[None, None, None]:
        yield


class OldStyleWrapper:
    @hookimpl(hookwrapper=True)
    def kk_import_finished(self) -> Generator[None, None, None]:
        yield


class Plain:
    def __init__(self) -> None:
        self.written: list[tuple[str, Sequence[str]]] = []

    @hookimpl
    def kk_records_written(self, kind: str, ids: Sequence[str]) -> None:
        self.written.append((kind, ids))


@pytest.mark.parametrize(
    ("plugin", "hook"),
    [(NewStyleWrapper(), "kk_records_written"), (OldStyleWrapper(), "kk_import_finished")],
)
def test_hook_wrappers_are_refused_naming_plugin_and_hook(plugin: object, hook: str) -> None:
    plain = Plain()
    plugins = Plugins(load_entry_points=False, extra=[plain])
    with pytest.raises(PluginError, match="wrappers are not supported") as caught:
        plugins.register(plugin, name="wrapping")
    assert (caught.value.plugin, caught.value.hook) == ("wrapping", hook)
    # nothing of the refused plugin stays registered; the others still work
    assert [info.name for info in plugins.list_plugins()] == ["Plain"]
    plugins.records_written("case", ["c-1"], "memory://")
    assert plain.written == [("case", ("c-1",))]
