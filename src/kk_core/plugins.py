"""The typed facade over the plugin manager: the only code that calls ``pm.hook.*``.

Built-in adapters and third-party plugins arrive the same way, through the ``kk``
entry-point group. ``KK_DISABLED_PLUGINS`` (comma-separated entry-point names) blocks
plugins before they load; a name no installed plugin has is an `UnknownPluginWarning`
(a typo would otherwise block nothing, silently). Each hook implementation is called on
its own, so when one fails the error names the plugin and the hook.

Opening a store: an unknown scheme is an `UnknownSchemeError` listing the installed
ones (a `DisabledSchemeError` when the plugin for it is installed but disabled); a
factory that refuses the URL or an option raises `ValidationError` (a third-party
factory's ``ValueError`` or ``TypeError`` is turned into one naming the plugin); a
store that cannot be reached is a `StorageError`. No message shows the URL's secrets.
"""

from __future__ import annotations

import difflib
import os
import re
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from importlib import metadata
from typing import Any

import attrs
import pluggy

from kk_core import codes, hookspecs
from kk_core._coded import Coded, CodeList
from kk_core._text import mask_identity_numbers, shorten
from kk_core.errors import (
    DisabledSchemeError,
    KKError,
    PluginError,
    Problem,
    StorageError,
    UnknownPluginWarning,
    UnknownSchemeError,
    ValidationError,
    quote_value,
)
from kk_core.kinds import Record
from kk_core.lifecycle import Event
from kk_core.registries import (
    CodeListRegistry,
    FormMapping,
    FormMappingRegistry,
    Indicator,
    IndicatorRegistry,
    Registered,
    StoreRegistry,
)
from kk_core.reports import ImportReport
from kk_core.store import Store, StoreFactory, redact_url, url_secrets

__all__ = [
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "Plugins",
    "get_plugins",
    "open_store",
    "reset_plugins",
]

ENTRY_POINT_GROUP = "kk"
DISABLE_ENV = "KK_DISABLED_PLUGINS"


@attrs.frozen
class PluginInfo:
    """A loaded plugin: its name, the distribution version it came from, its hooks."""

    name: str
    version: str | None
    hooks: tuple[str, ...]


def _disabled_from_env() -> frozenset[str]:
    raw = os.environ.get(DISABLE_ENV, "")
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


class Plugins:
    """Plugins loaded into one manager, with typed access to everything they registered.

    Most programs use the process-wide instance from `get_plugins`; tests build their
    own with ``Plugins(load_entry_points=False)`` and `register` what they need.
    """

    def __init__(
        self,
        *,
        load_entry_points: bool = True,
        disabled: Sequence[str] | None = None,
        extra: Sequence[object] = (),
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._versions: dict[str, str] = {}
        if isinstance(disabled, str):  # one name, not its letters
            disabled = [disabled]
        self.disabled = frozenset(disabled) if disabled is not None else _disabled_from_env()
        for name in self.disabled:
            self.pm.set_blocked(name)
        if load_entry_points:
            self._load_entry_points()
        for plugin in extra:
            self.register(plugin)
        self._check_pending()

    def _load_entry_points(self) -> None:
        entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
        installed = sorted({ep.name for ep in entry_points})
        unknown = sorted(self.disabled - set(installed))
        if unknown:
            warnings.warn(
                f"{DISABLE_ENV} (or disabled=) names {', '.join(map(repr, unknown))}, which "
                f"no installed plugin has (installed: {', '.join(installed) or 'none'}); "
                "nothing was disabled for those names",
                UnknownPluginWarning,
                stacklevel=3,
            )
        for ep in entry_points:
            if self.pm.is_blocked(ep.name) or self.pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(ep.name, "<load>", exc) from exc
            self._register(plugin, ep.name)
            dist = getattr(ep, "dist", None)
            if dist is not None:
                self._versions[ep.name] = dist.version

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object or module by hand; returns its name. Clears caches.

        Without ``name``, a module is named after itself and an object after its class.
        A hook implementation that matches no hook (a typo) or takes arguments its hook
        does not have is a `PluginError` naming the plugin and the hook.
        """
        registered = self._register(plugin, name or self._default_name(plugin))
        if registered is None:
            raise KKError(f"plugin {name or plugin!r} is blocked ({DISABLE_ENV})")
        try:
            self._check_pending()
        except PluginError:
            self.pm.unregister(name=registered)
            raise
        self._clear()
        return registered

    def _default_name(self, plugin: object) -> str:
        base = getattr(plugin, "__name__", None) or type(plugin).__name__
        name, n = base, 1
        while self.pm.has_plugin(name):
            n += 1
            name = f"{base}-{n}"
        return name

    def _register(self, plugin: object, name: str) -> str | None:
        try:
            registered = self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            hook = re.search(r"hook '(\w+)'", str(exc))
            raise PluginError(name, hook.group(1) if hook else "<register>", exc) from exc
        # The facade calls each implementation itself (see `_each`), so a wrapper would
        # silently never run: refuse it.
        for caller in self.pm.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    self.pm.unregister(plugin)
                    raise PluginError(name, caller.name, "hook wrappers are not supported")
        return registered

    def _check_pending(self) -> None:
        """pluggy's ``check_pending()``, failing with a `PluginError` that names the
        plugin, the unknown hook and the closest real one."""
        known = [name for name, caller in vars(self.pm.hook).items() if caller.has_spec()]
        for hook_name, caller in vars(self.pm.hook).items():
            if caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook:
                    continue
                close = difflib.get_close_matches(hook_name, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise PluginError(impl.plugin_name, hook_name, f"no such hook{hint}")
        self.pm.check_pending()

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self._clear()

    def _clear(self) -> None:
        for attr in ("stores", "code_lists", "form_mappings", "indicators"):
            self.__dict__.pop(attr, None)

    def list_plugins(self) -> list[PluginInfo]:
        """Every loaded plugin with its version (when installed from a distribution)."""
        infos = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(plugin) or ()))
            infos.append(PluginInfo(name, self._versions.get(name), hooks))
        return infos

    # -- calling hooks, one implementation at a time -------------------------------

    def _each(
        self, hook_name: str, before: Callable[[str], None] | None = None, **kwargs: Any
    ) -> list[Any]:
        """Call every implementation in pluggy's order; for a ``firstresult`` hook, stop
        after the first that returns something other than ``None``, as pluggy would."""
        return [result for _, result in self._each_named(hook_name, before, **kwargs)]

    def _each_named(
        self, hook_name: str, before: Callable[[str], None] | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        caller = getattr(self.pm.hook, hook_name)
        firstresult = caller.spec is not None and caller.spec.opts.get("firstresult", False)
        results = []
        for impl in reversed(caller.get_hookimpls()):  # pluggy's own call order
            if before is not None:
                before(impl.plugin_name)
            failure: Exception | None = None
            try:
                result = impl.function(**{a: kwargs[a] for a in impl.argnames})
            except PluginError:
                raise  # already names its plugin and hook
            except Exception as exc:
                failure = exc
            if failure is not None:
                raise _plugin_failure(impl.plugin_name, hook_name, failure)
            results.append((impl.plugin_name, result))
            if firstresult and result is not None:
                break
        return results

    @cached_property
    def stores(self) -> Mapping[str, Registered[StoreFactory]]:
        """URL scheme → registered factory (and the plugin that registered it)."""
        registry = StoreRegistry()
        self._each("kk_register_stores", _setter(registry), registry=registry)
        return dict(registry.items())

    @cached_property
    def code_lists(self) -> Mapping[str, CodeList[Coded]]:
        """Every code list, open ones extended with plugins' local entries."""
        registry = CodeListRegistry()
        self._each("kk_extend_code_lists", _setter(registry), registry=registry)
        return registry.build()

    @cached_property
    def form_mappings(self) -> Mapping[str, Registered[FormMapping]]:
        registry = FormMappingRegistry()
        self._each("kk_register_form_mappings", _setter(registry), registry=registry)
        return dict(registry.items())

    @cached_property
    def indicators(self) -> Mapping[str, Registered[Indicator]]:
        registry = IndicatorRegistry()
        self._each("kk_register_indicators", _setter(registry), registry=registry)
        return dict(registry.items())

    def validate(self, record: Record) -> list[Problem]:
        """Problems every plugin's extra rules find in the record (all collected)."""
        problems: list[Problem] = []
        for plugin, found in self._each_named("kk_validate_record", record=record):
            for problem in found or ():
                if not isinstance(problem, Problem):
                    raise PluginError(
                        plugin,
                        "kk_validate_record",
                        f"returned {quote_value(problem)}, not a Problem",
                    )
                problems.append(problem)
        return problems

    def pseudonym_key(self) -> bytes | None:
        """The deployment's pseudonymisation key; the first plugin that has one wins."""
        for key in self._each("kk_pseudonym_key"):
            if key is not None:
                return key  # type: ignore[no-any-return]
        return None

    def case_transitioned(self, case: Record, event: Event, store_url: str) -> None:
        self._each("kk_case_transitioned", case=case, event=event, store_url=store_url)

    def referral_transitioned(self, referral: Record, event: Event, store_url: str) -> None:
        self._each("kk_referral_transitioned", referral=referral, event=event, store_url=store_url)

    def records_written(self, kind: str, ids: Sequence[str], store_url: str) -> None:
        self._each("kk_records_written", kind=kind, ids=tuple(ids), store_url=store_url)

    def import_finished(self, report: ImportReport) -> None:
        self._each("kk_import_finished", report=report)

    def person_level_exported(
        self, kind: str, fields: Sequence[str], criteria: str, store_url: str, purpose: str
    ) -> None:
        self._each(
            "kk_person_level_exported",
            kind=kind,
            fields=tuple(fields),
            criteria=criteria,
            store_url=store_url,
            purpose=purpose,
        )

    # -- stores -----------------------------------------------------------------------

    def open_store(self, url: str, /, **options: Any) -> Store:
        """Open a store by URL; the scheme picks the plugin (``sqlite:///kk.db``, ``memory://``).

        A URL or option the factory refuses is a `ValidationError` (its problems name the
        part of the URL); an unknown scheme an `UnknownSchemeError`; a store that cannot
        be reached a `StorageError`. No message shows the URL's password or tokens.
        """
        if not isinstance(url, str) or ":" not in url:
            got = f"{len(url):,} characters of text" if isinstance(url, str) else type(url).__name__
            raise ValidationError(  # never quoted: it may be a keyword string with a password
                [Problem("url", f"a store URL looks like 'scheme://…', got {got} that is not one")],
                subject="store URL",
            )
        control = _CONTROL.search(url)
        if control is not None:
            # a driver may read up to a NUL and connect elsewhere than the URL says
            raise ValidationError(
                [
                    Problem(
                        "url",
                        f"holds a control character or a lone surrogate (at position "
                        f"{control.start():,}); percent-encode it if it is meant",
                    )
                ],
                subject=f"store URL {quote_value(redact_url(url.replace(control.group(), '?')), limit=120)}",
            )
        scheme = url.split(":", 1)[0].lower()
        entry = self.stores.get(scheme) or self.stores.get(scheme.split("+", 1)[0])
        if entry is None:
            plugin = self._disabled_provider(scheme)
            if plugin is not None:
                raise DisabledSchemeError(scheme, list(self.stores), plugin)
            raise UnknownSchemeError(scheme, list(self.stores))
        try:
            return entry.value(url, **options)
        except Exception as exc:
            failure = exc
        # raised outside the handler, so the factory's exception (whose message may
        # quote the URL) is not chained to ours
        raise _factory_error(entry.plugin, url, failure)

    def _disabled_provider(self, scheme: str) -> str | None:
        """The disabled, installed plugin that would register ``scheme``, if any.

        Only on the error path: each disabled plugin is loaded into a throwaway plugin
        manager and asked for its stores; any failure there just means "not this one".
        """
        candidates = (scheme, scheme.split("+", 1)[0])
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name not in self.disabled:
                continue
            try:
                probe = pluggy.PluginManager(hookspecs.PROJECT)
                probe.add_hookspecs(hookspecs)
                probe.register(ep.load(), name=ep.name)
                registry = StoreRegistry()
                registry.current_plugin = ep.name
                probe.hook.kk_register_stores(registry=registry)
            except BaseException as exc:  # a plugin that fails here is not the answer
                if isinstance(exc, KeyboardInterrupt):
                    raise
                continue
            if any(c in registry for c in candidates):
                return ep.name
        return None


def _plugin_failure(plugin: str, hook: str, exc: Exception) -> PluginError:
    """The `PluginError` for a hook that raised, raised outside the handler: the plugin's
    exception stays chained (as ``__cause__``, for its author's traceback) only when its
    message is short and shows no identity number."""
    error = PluginError(plugin, hook, exc)
    text = str(exc)
    if len(text) <= 1000 and mask_identity_numbers(text) == text:
        error.__cause__ = exc
    return error


_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _factory_error(plugin: str, url: str, exc: Exception) -> Exception:
    """What `Plugins.open_store` raises when a store factory fails, scrubbed of the URL's
    secrets: the factory's own `kk_core.errors` type where it raised one, a
    `ValidationError` naming the plugin for a ``ValueError``/``TypeError`` (a refused URL
    or option), a `PluginError` for anything else."""
    subject = f"store URL {quote_value(redact_url(url), limit=120)}"
    if isinstance(exc, ValidationError):
        problems = [Problem(_scrub(p.path, url), _scrub(p.message, url)) for p in exc.problems]
        if all(a == b for a, b in zip(problems, exc.problems, strict=True)):
            return exc
        return ValidationError(problems, subject=_scrub(exc.subject, url))
    if isinstance(exc, KKError):
        scrubbed = _scrub(str(exc), url)
        if scrubbed == str(exc):
            return exc
        return StorageError(scrubbed)  # the driver's message held a secret
    text = shorten(_scrub(str(exc), url) or type(exc).__name__, 200)
    if isinstance(exc, ValueError | TypeError):
        return ValidationError(
            [Problem("url", f"the store plugin {plugin!r} refused it: {text}")], subject=subject
        )
    return PluginError(plugin, "store factory", text)


#: A secret this long is hidden wherever it appears; a shorter one only where a message
#: quotes it as a secret (``:pw@``, ``password=pw``, ``'pw'``): hiding a common word
#: everywhere ("*** authentication failed") would tell what the password is.
_SCRUB_ANYWHERE = 12


def _scrub(text: str, url: str) -> str:
    """A message with the URL redacted and its secrets removed where they appear; a
    message that still holds a short secret somewhere else is not shown at all."""
    text = text.replace(url, redact_url(url))
    for secret in url_secrets(url):
        if len(secret) >= _SCRUB_ANYWHERE:
            text = text.replace(secret, "***")
            continue
        for quoted in (f":{secret}@", f"={secret}", f"'{secret}'", f'"{secret}"'):
            text = text.replace(quoted, quoted.replace(secret, "***"))
        if len(secret) >= 3 and secret in text:
            return "(its message is not shown: it quoted a secret of the store URL)"
    return text


def _setter(registry: Any) -> Callable[[str], None]:
    def set_current(name: str) -> None:
        registry.current_plugin = name

    return set_current


_lock = threading.Lock()
_default: Plugins | None = None


def get_plugins() -> Plugins:
    """The process-wide plugins, loaded from entry points on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Plugins()
        return _default


def reset_plugins(plugins: Plugins | None = None) -> None:
    """Forget (or replace) the process-wide plugins; for tests and long-lived hosts."""
    global _default
    with _lock:
        _default = plugins


def open_store(url: str, /, **options: Any) -> Store:
    """Open a store by URL with the installed plugins; see `Plugins.open_store`."""
    return get_plugins().open_store(url, **options)


# The model rolls local code-list entries up to their core through the lists as the
# installed plugins extended them, without importing this module (it stays pure).
codes.use_extended_lists(lambda: get_plugins().code_lists)
