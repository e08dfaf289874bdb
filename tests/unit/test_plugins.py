"""The plugin facade: discovery, blocking, validation of plugins, and every hook's dispatch."""

from __future__ import annotations

import traceback
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from importlib import metadata
from typing import Any

import pytest

import kk_adapters.memory
from kk_adapters.memory import MemoryStore
from kk_core import hookimpl, open_store, plugins
from kk_core._coded import CodeEntry
from kk_core.cases import Case, Subject
from kk_core.codes import CaseCategory, IntakeChannel, Sex
from kk_core.errors import (
    DisabledSchemeError,
    KKError,
    PluginError,
    Problem,
    StorageError,
    UnknownPluginWarning,
    UnknownSchemeError,
    ValidationError,
)
from kk_core.kinds import Record
from kk_core.lifecycle import Event
from kk_core.plugins import DISABLE_ENV, PluginInfo, Plugins
from kk_core.registries import Indicator
from kk_core.reports import ImportReport
from kk_core.store import Store, redact_url

CASE = Case(
    "c-1",
    "kk-teros",
    "52.03.12.2005",
    date(2025, 2, 13),
    IntakeChannel.WALK_IN,
    CaseCategory.CHILD_MARRIAGE,
    Subject(Sex.FEMALE, age_years=15),
)
EVENT = Event(datetime(2025, 2, 13, 9, tzinfo=UTC), "report", None, "reported")


@pytest.fixture(autouse=True)
def _no_disabled_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLE_ENV, raising=False)


def bare(*extra: object) -> Plugins:
    """Plugins with nothing from entry points, only what the test hands in."""
    return Plugins(load_entry_points=False, extra=extra)


class Recorder:
    """Implements every event hook and records the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def kk_case_transitioned(self, case: Record, event: Event, store_url: str) -> None:
        self.calls.append(
            ("kk_case_transitioned", {"case": case, "event": event, "url": store_url})
        )

    @hookimpl
    def kk_referral_transitioned(self, referral: Record, event: Event, store_url: str) -> None:
        self.calls.append(("kk_referral_transitioned", {"referral": referral, "event": event}))

    @hookimpl
    def kk_records_written(self, kind: str, ids: Sequence[str], store_url: str) -> None:
        self.calls.append(("kk_records_written", {"kind": kind, "ids": ids, "url": store_url}))

    @hookimpl
    def kk_import_finished(self, report: ImportReport) -> None:
        self.calls.append(("kk_import_finished", {"report": report}))


class Failing:
    """Raises in whichever hook is called."""

    @hookimpl
    def kk_register_stores(self, registry: Any) -> None:
        raise RuntimeError("boom in stores")

    @hookimpl
    def kk_extend_code_lists(self, registry: Any) -> None:
        raise RuntimeError("boom in code lists")

    @hookimpl
    def kk_register_form_mappings(self, registry: Any) -> None:
        raise RuntimeError("boom in form mappings")

    @hookimpl
    def kk_register_indicators(self, registry: Any) -> None:
        raise RuntimeError("boom in indicators")

    @hookimpl
    def kk_validate_record(self, record: Record) -> None:
        raise RuntimeError("boom in validation")

    @hookimpl
    def kk_pseudonym_key(self) -> bytes:
        raise RuntimeError("boom in key")

    @hookimpl
    def kk_case_transitioned(self, case: Record, event: Event, store_url: str) -> None:
        raise RuntimeError("boom in case event")

    @hookimpl
    def kk_referral_transitioned(self, referral: Record, event: Event, store_url: str) -> None:
        raise RuntimeError("boom in referral event")

    @hookimpl
    def kk_records_written(self, kind: str, ids: Sequence[str], store_url: str) -> None:
        raise RuntimeError("boom in records written")

    @hookimpl
    def kk_import_finished(self, report: ImportReport) -> None:
        raise RuntimeError("boom in import")


# --------------------------------------------------------------------------- discovery


def test_built_in_memory_store_arrives_through_the_entry_point() -> None:
    loaded = Plugins()
    assert "memory" in loaded.stores
    assert loaded.stores["memory"].plugin == "memory"
    assert loaded.pm.get_plugin("memory") is kk_adapters.memory
    store = loaded.open_store("memory://")
    assert isinstance(store, MemoryStore)
    assert isinstance(store, Store)


def test_list_plugins_gives_name_version_and_hooks() -> None:
    infos = {info.name: info for info in Plugins(extra=[Recorder()]).list_plugins()}
    version = metadata.version("kelompok-konstituen")
    assert infos["memory"] == PluginInfo("memory", version, ("kk_register_stores",))
    recorder = infos["Recorder"]
    assert recorder.version is None
    assert recorder.hooks == (
        "kk_case_transitioned",
        "kk_import_finished",
        "kk_records_written",
        "kk_referral_transitioned",
    )


def test_bare_plugins_plus_register() -> None:
    loaded = bare()
    assert loaded.stores == {}
    assert loaded.list_plugins() == []
    assert loaded.register(kk_adapters.memory, name="memory") == "memory"
    assert list(loaded.stores) == ["memory"]  # the cache was cleared by register
    loaded.unregister("memory")
    assert loaded.stores == {}


def test_objects_are_named_after_their_class_modules_after_themselves() -> None:
    loaded = bare()
    assert loaded.register(Recorder()) == "Recorder"
    assert loaded.register(Recorder()) == "Recorder-2"
    assert loaded.register(kk_adapters.memory) == "kk_adapters.memory"


def test_disabled_plugins_env_blocks_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, " memory , something-else ")
    with pytest.warns(UnknownPluginWarning, match="something-else"):
        loaded = Plugins()
    assert loaded.disabled == {"memory", "something-else"}
    assert "memory" not in loaded.stores
    assert "memory" not in {info.name for info in loaded.list_plugins()}
    with pytest.raises(UnknownSchemeError):
        loaded.open_store("memory://")
    with pytest.raises(KKError, match="blocked"):
        loaded.register(kk_adapters.memory, name="memory")


def test_a_disabled_name_no_plugin_has_warns_listing_the_installed_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A typo in KK_DISABLED_PLUGINS would otherwise block nothing, silently."""
    monkeypatch.setenv(DISABLE_ENV, "memroy")
    installed = sorted({ep.name for ep in metadata.entry_points(group="kk")})
    with pytest.warns(UnknownPluginWarning) as caught:
        loaded = Plugins()
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "'memroy'" in message
    assert all(name in message for name in installed)
    assert issubclass(UnknownPluginWarning, UserWarning)
    assert "memory" in loaded.stores  # the misspelt name blocked nothing


def test_installed_names_do_not_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "memory")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Plugins()


def test_scheme_of_a_disabled_plugin_says_it_is_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "memory")
    loaded = Plugins()
    with pytest.raises(DisabledSchemeError) as caught:
        loaded.open_store("memory://")
    assert isinstance(caught.value, UnknownSchemeError)  # still caught as before
    assert caught.value.plugin == "memory"
    assert "'memory' handles 'memory' but is disabled" in str(caught.value)
    assert DISABLE_ENV in str(caught.value)
    with pytest.raises(DisabledSchemeError, match="'memory'"):
        loaded.open_store("memory+fast://")  # the base scheme's plugin
    with pytest.raises(UnknownSchemeError) as other:
        loaded.open_store("mysql://db/kk")
    assert not isinstance(other.value, DisabledSchemeError)


def test_a_disabled_plugin_that_fails_to_load_is_just_not_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Asking a disabled plugin for its schemes happens only on the error path, and a
    plugin that cannot even load there changes nothing but the hint."""

    class BrokenEntryPoint:
        name = "memory"
        dist = None

        def load(self) -> object:
            raise ImportError("gone")

    monkeypatch.setattr(plugins.metadata, "entry_points", lambda group: [BrokenEntryPoint()])
    loaded = Plugins(disabled=["memory"])
    with pytest.raises(UnknownSchemeError) as caught:
        loaded.open_store("memory://")
    assert not isinstance(caught.value, DisabledSchemeError)


def test_explicit_disabled_overrides_the_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "memory")
    assert "memory" in Plugins(disabled=[]).stores
    monkeypatch.delenv(DISABLE_ENV)
    assert "memory" not in Plugins(disabled=["memory"]).stores


def test_misspelled_hook_is_caught_naming_plugin_hook_and_fix() -> None:
    class Typo:
        @hookimpl
        def kk_register_store(self, registry: Any) -> None:  # missing the final "s"
            registry.add("typo", MemoryStore)

    with pytest.raises(PluginError) as caught:
        bare(Typo())
    err = caught.value
    assert (err.plugin, err.hook) == ("Typo", "kk_register_store")
    assert "kk_register_stores" in str(err)

    loaded = bare()
    with pytest.raises(PluginError):
        loaded.register(Typo())
    assert loaded.list_plugins() == [], "a plugin that failed the check is not left behind"


def test_hook_impl_with_unknown_argument_is_refused() -> None:
    class WrongArgs:
        @hookimpl
        def kk_register_stores(self, reg: Any) -> None: ...

    with pytest.raises(PluginError) as caught:
        bare(WrongArgs())
    assert (caught.value.plugin, caught.value.hook) == ("WrongArgs", "kk_register_stores")


def test_optional_hook_that_does_not_exist_is_allowed() -> None:
    class Future:
        @hookimpl(optionalhook=True)
        def kk_hook_from_a_later_version(self) -> None: ...

    assert bare(Future()).list_plugins()[0].name == "Future"


@pytest.mark.parametrize(
    ("hook", "call"),
    [
        ("kk_register_stores", lambda p: p.stores),
        ("kk_extend_code_lists", lambda p: p.code_lists),
        ("kk_register_form_mappings", lambda p: p.form_mappings),
        ("kk_register_indicators", lambda p: p.indicators),
        ("kk_validate_record", lambda p: p.validate(CASE)),
        ("kk_pseudonym_key", lambda p: p.pseudonym_key()),
        ("kk_case_transitioned", lambda p: p.case_transitioned(CASE, EVENT, "memory://")),
        ("kk_referral_transitioned", lambda p: p.referral_transitioned(CASE, EVENT, "memory://")),
        ("kk_records_written", lambda p: p.records_written("case", ["c-1"], "memory://")),
        ("kk_import_finished", lambda p: p.import_finished(ImportReport("test"))),
    ],
)
def test_a_failing_plugin_is_named_with_its_hook(hook: str, call: Any) -> None:
    loaded = bare()
    loaded.register(Failing(), name="flaky-partner-plugin")
    with pytest.raises(PluginError) as caught:
        call(loaded)
    err = caught.value
    assert err.plugin == "flaky-partner-plugin"
    assert err.hook == hook
    assert "flaky-partner-plugin" in str(err)
    assert hook in str(err)
    assert isinstance(err.__cause__, RuntimeError)


def test_plugin_failing_to_load_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    class BrokenEntryPoint:
        name = "broken"
        dist = None

        def load(self) -> object:
            raise ImportError("no module named 'partner_plugin'")

    monkeypatch.setattr(plugins.metadata, "entry_points", lambda group: [BrokenEntryPoint()])
    with pytest.raises(PluginError) as caught:
        Plugins()
    assert caught.value.plugin == "broken"
    assert "partner_plugin" in str(caught.value)


# --------------------------------------------------------------------------- stores


class ExtraStores:
    @hookimpl
    def kk_register_stores(self, registry: Any) -> None:
        registry.add("thirdparty", lambda url, **options: MemoryStore(url), description="demo")


def test_registered_scheme_opens_and_keeps_its_plugin_and_description() -> None:
    loaded = bare(ExtraStores())
    entry = loaded.stores["thirdparty"]
    assert (entry.plugin, entry.description) == ("ExtraStores", "demo")
    assert loaded.open_store("thirdparty://anything").url == "thirdparty://anything"


def test_duplicate_scheme_names_both_plugins() -> None:
    class Again:
        @hookimpl
        def kk_register_stores(self, registry: Any) -> None:
            registry.add("memory", MemoryStore)

    loaded = Plugins(extra=[Again()])
    with pytest.raises(PluginError) as caught:
        _ = loaded.stores
    message = str(caught.value)
    assert "'memory'" in message
    assert "'Again'" in message
    assert "kk_register_stores" in message


@pytest.mark.parametrize("scheme", ["Upper", "with space", "_x", ""])
def test_bad_scheme_is_refused(scheme: str) -> None:
    class Bad:
        @hookimpl
        def kk_register_stores(self, registry: Any) -> None:
            registry.add(scheme, MemoryStore)

    with pytest.raises(PluginError, match="kk_register_stores"):
        _ = bare(Bad()).stores


def test_unknown_scheme_lists_installed_ones() -> None:
    loaded = Plugins(extra=[ExtraStores()])
    with pytest.raises(UnknownSchemeError) as caught:
        loaded.open_store("mysql://db/kk")
    assert caught.value.scheme == "mysql"
    assert set(caught.value.installed) >= {"memory", "thirdparty"}
    assert "memory" in str(caught.value)
    assert "thirdparty" in str(caught.value)
    assert isinstance(caught.value, KKError)


def test_unknown_scheme_with_no_store_installed() -> None:
    with pytest.raises(UnknownSchemeError, match="none"):
        bare().open_store("sqlite:///kk.db")


def test_scheme_with_driver_suffix_falls_back_to_the_base_scheme() -> None:
    assert isinstance(Plugins().open_store("memory+fast://"), MemoryStore)


def test_not_a_url_is_refused_without_leaking_it() -> None:
    with pytest.raises(ValidationError, match="scheme://") as caught:
        Plugins().open_store("just-a-path")
    assert isinstance(caught.value, ValueError)


def test_built_in_factory_refusal_is_a_validation_error_naming_the_option() -> None:
    with pytest.raises(ValidationError) as caught:
        Plugins().open_store("memory://", colour="red")
    assert [p.path for p in caught.value.problems] == ["options.colour"]
    with pytest.raises(ValidationError) as caught:
        Plugins().open_store("memory://?read_only=perhaps")
    assert [p.path for p in caught.value.problems] == ["url.query.read_only"]
    assert Plugins().open_store("memory://", read_only="yes").capabilities.read_only


class Picky:
    """A third-party store whose factory refuses what it does not like, its own way."""

    @hookimpl
    def kk_register_stores(self, registry: Any) -> None:
        registry.add("picky", self.open)

    @staticmethod
    def open(url: str, /, **options: Any) -> Store:
        if "colour" in options:
            raise TypeError(f"unexpected keyword argument 'colour' for {url}")
        if "boom" in url:
            raise RuntimeError(f"cannot reach {url}")
        raise ValueError(f"bad port in {url} (password {url.split(':')[2].split('@')[0]})")


def test_third_party_factory_value_or_type_error_becomes_a_validation_error() -> None:
    loaded = bare(Picky())
    url = "picky://kk:hunter2-pw@db:x/kk?token=t0k3n-value"
    for options in ({}, {"colour": "red"}):
        with pytest.raises(ValidationError) as caught:
            loaded.open_store(url, **options)
        error = caught.value
        assert "plugin 'Picky'" in str(error)
        assert error.__context__ is None
        assert error.__cause__ is None
        shown = "".join(traceback.format_exception(error))
        for secret in ("hunter2-pw", "t0k3n-value"):
            assert secret not in shown


def test_third_party_factory_crash_is_a_plugin_error_without_secrets() -> None:
    url = "picky://kk:hunter2-pw@boom/kk"  # the traceback shows source lines: not this one
    with pytest.raises(PluginError) as caught:
        bare(Picky()).open_store(url)
    assert caught.value.plugin == "Picky"
    assert caught.value.__context__ is None
    assert "hunter2-pw" not in "".join(traceback.format_exception(caught.value))


def test_module_level_open_store_uses_the_process_wide_plugins() -> None:
    try:
        plugins.reset_plugins(bare(ExtraStores()))
        assert plugins.get_plugins().stores.keys() == {"thirdparty"}
        assert plugins.open_store("thirdparty://x").url == "thirdparty://x"
        with pytest.raises(UnknownSchemeError):
            plugins.open_store("memory://")
    finally:
        plugins.reset_plugins()
    assert "memory" in plugins.get_plugins().stores


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("postgresql+psycopg://kk:s3cr3t-pw@db.example:5432/kk", ["s3cr3t-pw"]),
        ("kobo+https://kf.kobotoolbox.org/aXYZ?token=abcdef123456", ["abcdef123456"]),
        ("sqlite:///kk.db?password=hunter2&timeout=5", ["hunter2"]),
        ("x://h/p?api_key=K1&secret=S2&key=K3", ["K1", "S2", "K3"]),
    ],
)
def test_redact_url_hides_passwords_and_tokens(url: str, secrets: list[str]) -> None:
    redacted = redact_url(url)
    for secret in secrets:
        assert secret not in redacted
    assert "***" in redacted
    assert redacted.split(":", 1)[0] == url.split(":", 1)[0]


@pytest.mark.parametrize(
    "url",
    [
        "memory://",
        "memory://shared",
        "sqlite:///kk.db",
        "csv:///data/kk",
        "kobo+https://k/a?token_env=KOBO_TOKEN",
    ],
)
def test_redact_url_leaves_urls_without_secrets_alone(url: str) -> None:
    assert redact_url(url) == url


def test_store_url_and_repr_never_show_secrets() -> None:
    store = Plugins().open_store("memory://kk:pa55word@named-store?token=t0k3n")
    for shown in (store.url, repr(store), str(store)):
        assert "pa55word" not in shown
        assert "t0k3n" not in shown


# --------------------------------------------------------------------------- registries


def test_code_lists_open_list_is_extended() -> None:
    class Local:
        @hookimpl
        def kk_extend_code_lists(self, registry: Any) -> None:
            registry.add(
                "case_subcategory",
                CodeEntry(
                    "kdrt_ekonomi", "KDRT ekonomi", "Economic domestic violence", parent="violence"
                ),
                CodeEntry(
                    "kawin_cerai", "Kawin cerai", "Divorce after marriage", parent="child_marriage"
                ),
            )
            registry.add(
                "service_provider", CodeEntry("uptd_ppa_lotim", "UPTD PPA Lotim", "UPTD PPA")
            )

    lists = bare(Local()).code_lists
    subcategories = lists["case_subcategory"]
    built_in = bare().code_lists["case_subcategory"].codes
    assert subcategories.codes == (*built_in, "kdrt_ekonomi", "kawin_cerai")
    assert subcategories.get("kawin_cerai").local  # type: ignore[union-attr]
    assert subcategories.lookup("Kawin Cerai").code == "kawin_cerai"
    assert subcategories.core_of("kdrt_ekonomi") == "violence"
    assert "uptd_ppa_lotim" in lists["service_provider"].codes
    assert lists["business_sector"].codes == bare().code_lists["business_sector"].codes


def test_code_lists_closed_list_is_refused() -> None:
    class Closed:
        @hookimpl
        def kk_extend_code_lists(self, registry: Any) -> None:
            registry.add("case_category", CodeEntry("witchcraft", "Santet", "Witchcraft"))

    with pytest.raises(PluginError, match="closed") as caught:
        _ = bare(Closed()).code_lists
    assert (caught.value.plugin, caught.value.hook) == ("Closed", "kk_extend_code_lists")


def test_code_lists_unknown_list_is_refused() -> None:
    class Unknown:
        @hookimpl
        def kk_extend_code_lists(self, registry: Any) -> None:
            registry.add("no_such_list", CodeEntry("x", "x", "x"))

    with pytest.raises(PluginError, match="no_such_list"):
        _ = bare(Unknown()).code_lists


def test_code_list_clash_with_a_built_in_entry_names_the_plugin() -> None:
    class Clash:
        @hookimpl
        def kk_extend_code_lists(self, registry: Any) -> None:
            registry.add("business_sector", CodeEntry("tani", "Pertanian", "Farming"))

    with pytest.raises(PluginError) as caught:
        _ = bare(Clash()).code_lists
    assert caught.value.plugin == "Clash"
    assert "Pertanian" in str(caught.value)
    assert "agriculture" in str(caught.value)


def test_code_list_clash_between_plugins_names_both() -> None:
    class First:
        @hookimpl
        def kk_extend_code_lists(self, registry: Any) -> None:
            registry.add(
                "case_subcategory",
                CodeEntry("kdrt_ekonomi", "KDRT ekonomi", "Economic", parent="violence"),
            )

    class Second:
        @hookimpl
        def kk_extend_code_lists(self, registry: Any) -> None:
            registry.add(
                "case_subcategory",
                CodeEntry("kdrt_ekonomi", "KDRT (ekonomi)", "Econ.", parent="violence"),
            )

    with pytest.raises(PluginError) as caught:
        _ = bare(First(), Second()).code_lists
    message = str(caught.value)
    assert "'First'" in message
    assert "'Second'" in message
    assert "kdrt_ekonomi" in message


class Mapping1:
    form_id = "kk_intake_v1"

    def map(self, submission: Mapping[str, Any]) -> Sequence[Record]:
        return [CASE]


def test_form_mappings_are_registered_by_form_id() -> None:
    class Forms:
        @hookimpl
        def kk_register_form_mappings(self, registry: Any) -> None:
            registry.add("kk_intake_v1", Mapping1(), description="intake")

    mappings = bare(Forms()).form_mappings
    assert mappings["kk_intake_v1"].plugin == "Forms"
    assert mappings["kk_intake_v1"].value.map({}) == [CASE]


def test_form_mapping_without_map_or_twice_is_refused() -> None:
    class NoMap:
        @hookimpl
        def kk_register_form_mappings(self, registry: Any) -> None:
            registry.add("form", object())

    with pytest.raises(PluginError, match="map"):
        _ = bare(NoMap()).form_mappings

    class Twice:
        @hookimpl
        def kk_register_form_mappings(self, registry: Any) -> None:
            registry.add("kk_intake_v1", Mapping1())

    class Once:
        @hookimpl
        def kk_register_form_mappings(self, registry: Any) -> None:
            registry.add("kk_intake_v1", Mapping1())

    with pytest.raises(PluginError) as caught:
        _ = bare(Once(), Twice()).form_mappings
    assert "'Once'" in str(caught.value)
    assert "'Twice'" in str(caught.value)


def test_indicators_are_registered_and_checked() -> None:
    class Indicators:
        @hookimpl
        def kk_register_indicators(self, registry: Any) -> None:
            registry.add(
                Indicator(
                    "child_marriage_by_hamlet",
                    "case",
                    "Perkawinan anak per dusun",
                    "Child marriage by hamlet",
                    by=["hamlet_id", "sex"],
                    criteria={"category": "child_marriage"},
                )
            )

    indicators = bare(Indicators()).indicators
    indicator = indicators["child_marriage_by_hamlet"].value
    assert indicator.kind is Case
    assert indicator.by == ("hamlet_id", "sex")
    assert indicators["child_marriage_by_hamlet"].plugin == "Indicators"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Indicator("x", "case", "x", "x", by=["colour"]),
        lambda: Indicator("x", "case", "x", "x", criteria={"colour": "red"}),
        lambda: Indicator("Not Snake", "case", "x", "x"),
        lambda: "not an indicator",
    ],
)
def test_bad_indicators_are_refused(make: Any) -> None:
    class Bad:
        @hookimpl
        def kk_register_indicators(self, registry: Any) -> None:
            registry.add(make())

    with pytest.raises(KKError):
        _ = bare(Bad()).indicators


# --------------------------------------------------------------------------- validation and keys


def test_validate_collects_problems_from_all_plugins() -> None:
    class NeedsHamlet:
        @hookimpl
        def kk_validate_record(self, record: Record) -> list[Problem]:
            if isinstance(record, Case) and record.subject.hamlet_id is None:
                return [Problem("subject.hamlet_id", "every case needs a hamlet here")]
            return []

    class NeedsSummary:
        @hookimpl
        def kk_validate_record(self, record: Record) -> list[Problem]:
            return (
                [Problem("summary", "write a summary")]
                if not getattr(record, "summary", "x")
                else []
            )

    class Silent:
        @hookimpl
        def kk_validate_record(self, record: Record) -> None:
            return None

    problems = bare(NeedsHamlet(), NeedsSummary(), Silent()).validate(CASE)
    assert sorted(p.path for p in problems) == ["subject.hamlet_id", "summary"]
    assert bare().validate(CASE) == []


class Key:
    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self.called = 0

    @hookimpl
    def kk_pseudonym_key(self) -> bytes | None:
        self.called += 1
        return self.key


def test_pseudonym_key_is_firstresult() -> None:
    first, none, last = Key(b"a" * 32), Key(None), Key(b"z" * 32)
    loaded = bare()
    loaded.register(first, name="first")
    loaded.register(last, name="last")
    loaded.register(none, name="none")
    # pluggy calls the most recently registered first: none (skipped), then last
    assert loaded.pseudonym_key() == b"z" * 32
    assert (none.called, last.called, first.called) == (1, 1, 0)
    assert bare().pseudonym_key() is None
    assert bare(Key(None)).pseudonym_key() is None


def test_event_hooks_fan_out_to_every_plugin() -> None:
    one, two = Recorder(), Recorder()
    loaded = bare(one, two)
    report = ImportReport("kobo", written={"case": 3})
    loaded.case_transitioned(CASE, EVENT, "memory://x")
    loaded.referral_transitioned(CASE, EVENT, "memory://x")
    loaded.records_written("case", ["c-1", "c-2"], "memory://x")
    loaded.import_finished(report)
    for recorder in (one, two):
        assert [name for name, _ in recorder.calls] == [
            "kk_case_transitioned",
            "kk_referral_transitioned",
            "kk_records_written",
            "kk_import_finished",
        ]
        assert recorder.calls[0][1] == {"case": CASE, "event": EVENT, "url": "memory://x"}
        assert recorder.calls[2][1]["ids"] == ("c-1", "c-2")
        assert recorder.calls[3][1]["report"] is report


def test_hooks_are_called_with_keywords_only_implementations_may_take_fewer() -> None:
    class Partial:
        def __init__(self) -> None:
            self.kinds: list[str] = []

        @hookimpl
        def kk_records_written(self, kind: str) -> None:
            self.kinds.append(kind)

    partial = Partial()
    bare(partial).records_written("member", ["m-1"], "memory://")
    assert partial.kinds == ["member"]


def test_reopening_a_named_memory_store_differently_hides_the_password() -> None:
    from kk_adapters.memory import open_memory_store

    url = "memory://kk:pa55word@reopened-store"  # not on the line the traceback shows
    open_memory_store(url)
    with pytest.raises(StorageError, match="already open") as caught:
        open_memory_store(url, read_only=True)
    assert "pa55word" not in "".join(traceback.format_exception(caught.value))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://kk:x\x00y@127.0.0.1:5432/kk?read_only=true",  # libpq stops at NUL
        "sqlite:///kk\x00.db",
        "memory://named\x07",
        "sqlite:///kk\udc80.db",
    ],
)
def test_a_control_character_in_a_store_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="control character") as caught:
        open_store(url)
    assert [p.path for p in caught.value.problems] == ["url"]


def test_text_that_is_no_url_is_never_quoted() -> None:
    with pytest.raises(ValidationError) as caught:
        open_store("host=db user=kk password=S3cr3tX dbname=kk")
    assert "S3cr3tX" not in str(caught.value)
    assert "password" not in str(caught.value)


class _Chatty:
    """A store plugin whose factory quotes its URL's password in its own words."""

    @hookimpl
    def kk_register_stores(self, registry: Any) -> None:
        def factory(url: str, **options: Any) -> Any:
            raise RuntimeError(f"FATAL: password authentication failed ({url.split(':')[2]})")

        registry.add("chatty", factory)


@pytest.mark.parametrize("password", ["password", "the", "hunter2-pw"])
def test_a_factory_message_holding_the_password_is_not_shown(password: str) -> None:
    plugins = Plugins(load_entry_points=False, extra=[_Chatty()])
    with pytest.raises(PluginError) as caught:
        plugins.open_store(f"chatty://kk:{password}@db/kk")
    message = str(caught.value)
    # not shown, and not shown with the password starred out either: "FATAL: ***
    # authentication failed" would tell that the password is "password"
    assert "authentication failed" not in message
    assert "quoted a secret of the store URL" in message
