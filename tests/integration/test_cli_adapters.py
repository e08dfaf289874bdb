"""``kk adapters``: installed plugins, their schemes and registrations, disabled ones."""

from __future__ import annotations

import json
import re
from typing import Any

from cli_support import kk
from kk_adapters import memory
from kk_cli import ExitCode
from kk_core.hookspecs import hookimpl
from kk_core.plugins import Plugins
from kk_core.registries import FormMappingRegistry, StoreRegistry


def test_lists_the_built_in_adapters() -> None:
    result = kk("adapters")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Plugins (entry-point group 'kk'):"
    plugin_rows = {line.split()[0]: line.split() for line in lines[2 : lines.index("")]}
    assert set(plugin_rows) == {"analysis", "csv", "kobo", "memory", "sql"}
    assert plugin_rows["analysis"][2] == "kk_core.analysis.indicators"
    assert "kk_register_indicators" in plugin_rows["analysis"]
    assert plugin_rows["memory"][2] == "kk_adapters.memory"
    assert plugin_rows["sql"][2] == "kk_adapters.sql.plugin"
    assert "kk_register_stores" in plugin_rows["sql"]
    text = result.stdout
    stores = text[text.index("Store URLs") :].split("\n\n")[0].splitlines()[2:]
    columns = [re.split(r"\s{2,}", line.strip()) for line in stores]
    assert {c[0]: c[1] for c in columns} == {
        "csv://": "csv",
        "kobo+https://, kobo+file://": "kobo",
        "memory://": "memory",
        "postgresql://": "sql",
        "sqlite://": "sql",
    }
    assert "kobo://" not in text  # a URL nobody can type
    assert re.search(r"sqlite://\s+sql\s+SQLite database file \(embedded default\)", text)
    assert text.rstrip().endswith("Disabled (KK_DISABLED_PLUGINS): none")
    assert result.stderr == ""


def test_json() -> None:
    found = json.loads(kk("adapters", "--json").stdout)
    assert set(found) == {"plugins", "stores", "form_mappings", "indicators", "disabled"}
    assert {p["name"] for p in found["plugins"]} == {"analysis", "csv", "kobo", "memory", "sql"}
    assert [s["scheme"] for s in found["stores"]] == [
        "csv",
        "kobo",
        "memory",
        "postgresql",
        "sqlite",
    ]
    assert all(p["version"] for p in found["plugins"])
    assert found["disabled"] == []
    forms = {s["scheme"]: s["url_forms"] for s in found["stores"]}
    assert forms["kobo"] == ["kobo+https://", "kobo+file://"]
    assert forms["sqlite"] == ["sqlite://"]


def test_a_disabled_plugin_is_shown_and_its_schemes_are_gone() -> None:
    result = kk("adapters", env={"KK_DISABLED_PLUGINS": "sql"})
    assert result.exit_code == 0
    assert "sqlite://" not in result.stdout
    assert "Disabled (KK_DISABLED_PLUGINS):" in result.stdout
    assert "  sql   kk_adapters.sql.plugin" in result.stdout
    found = json.loads(kk("adapters", "--json", env={"KK_DISABLED_PLUGINS": "sql"}).stdout)
    assert [s["scheme"] for s in found["stores"]] == ["csv", "kobo", "memory"]
    assert found["disabled"] == [
        {"name": "sql", "installed": True, "module": "kk_adapters.sql.plugin"}
    ]
    # and a store of the disabled plugin says so
    refused = kk("validate", "--store", "sqlite:///x.db", env={"KK_DISABLED_PLUGINS": "sql"})
    assert refused.exit_code == ExitCode.INPUT
    assert "'sql' handles 'sqlite' but is disabled" in refused.stderr


def test_a_name_no_plugin_has_is_a_warning_and_listed() -> None:
    result = kk("adapters", env={"KK_DISABLED_PLUGINS": "sqll"})
    assert result.exit_code == 0
    assert "kk: warning:" in result.stderr
    assert "'sqll'" in result.stderr
    assert "sqll  (no installed plugin has this name)" in result.stdout


class _Partner:
    """A third-party plugin registering a store scheme and a form mapping."""

    @hookimpl
    def kk_register_stores(self, registry: StoreRegistry) -> None:
        registry.add("partner", memory.open_memory_store, description="the partner's store")

    @hookimpl
    def kk_register_form_mappings(self, registry: FormMappingRegistry) -> None:
        registry.add("pengaduan-lrc", _Mapping(), description="LRC's intake form")


class _Mapping:
    def map(self, submission: Any) -> Any:
        return []


def test_third_party_registrations_are_listed() -> None:
    plugins = Plugins(extra=[_Partner()])
    result = kk("adapters", plugins=plugins)
    assert result.exit_code == 0, result.output
    text = result.stdout
    hooks = "kk_register_form_mappings, kk_register_stores"
    assert re.search(rf"^  _Partner +- +\(registered by hand\) +{hooks}$", text, re.M)
    assert re.search(r"^  partner:// +_Partner +the partner's store$", text, re.M)
    assert "Form mappings:" in text
    assert re.search(r"^  pengaduan-lrc +_Partner +LRC's intake form$", text, re.M)
    indicators = text.split("Indicators:")[1].split("\n\n")[0]
    assert "_Partner" not in indicators  # the partner registers none: only the built-in ones
