"""The measuring machinery: layers, alternating timed runs, and memory probes.

A *layer* compares the library doing some work with a raw baseline doing the same work,
and is declared in a ``bench/layers_*.py`` module (found automatically, in name order)
as an entry of that module's ``LAYERS`` list:

* `ThroughputLayer` — ``prepare(n)`` builds the input once (untimed) and returns a
  `Trial` with a ``raw`` and a ``lib`` `Side`; each side's ``run()`` processes ``n``
  records, after an untimed ``reset()`` (e.g. empty the table it writes to). The two
  sides are timed alternately, several times, and the reported ratio is the median of
  the per-repeat ratios ``lib records/s ÷ raw records/s``.
* `MemoryLayer` — ``build(side, n)`` makes ``n`` records and returns what holds them;
  its resident size per record is measured in a fresh process per side.

To add layers (a storage adapter, say), write ``bench/layers_NAME.py`` with a ``LAYERS``
list; ``python -m bench --only GROUP`` then selects them by their ``group``.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
import pkgutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "GC_MODES",
    "MaxBytes",
    "MaxSeconds",
    "MemoryLayer",
    "MinRatio",
    "Side",
    "ThroughputLayer",
    "Trial",
    "all_layers",
    "find_layer",
    "measure_resident",
    "measure_throughput",
    "probe",
]

ROOT = Path(__file__).resolve().parent.parent


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Side:
    """One way of doing the work: ``run()`` is timed, ``reset()`` (before it) is not.

    ``page(lo, hi)``, when both sides of a trial have it, does the same work for records
    ``lo`` to ``hi`` only: the harness then alternates the sides page by page (see
    `measure_throughput`). Give it only where the work is per record (a conversion),
    not where a batch is one unit (a transaction).
    """

    run: Callable[[], object]
    reset: Callable[[], None] = _nothing
    page: Callable[[int, int], object] | None = None


@dataclass
class Trial:
    """A prepared comparison at one size: both sides process ``records`` records."""

    records: int
    raw: Side
    lib: Side
    close: Callable[[], None] = _nothing


@dataclass(frozen=True)
class MinRatio:
    """Target: the library reaches at least this fraction of the raw throughput."""

    value: float

    def ok(self, ratio: float) -> bool:
        return ratio >= self.value

    def __str__(self) -> str:
        return f">= {self.value:.2f}"


@dataclass(frozen=True)
class MaxSeconds:
    """Target: the library does one record's work (one table, for a layer that counts
    tables) in at most this many seconds, whatever the baseline does."""

    value: float

    def ok(self, ratio: float) -> bool:  # judged on time, not on the ratio
        raise TypeError("MaxSeconds is judged on the library's time")

    def ok_seconds(self, seconds: float) -> bool:
        return seconds <= self.value

    def __str__(self) -> str:
        return f"<= {self.value:g} s"


@dataclass(frozen=True)
class MaxBytes:
    """Target: the library's records take at most this many bytes each, judged from
    ``from_n`` records on (below, fixed costs and page granularity dominate)."""

    value: int
    from_n: int = 1_000_000

    def ok(self, per_record: float, n: int) -> bool | None:
        return per_record <= self.value if n >= self.from_n else None

    def __str__(self) -> str:
        n = self.from_n
        size = f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"
        return f"<= {self.value:,} B at N >= {size}"


@dataclass(frozen=True)
class ThroughputLayer:
    """Records per second of the library against a raw baseline doing the same work."""

    name: str
    group: str
    raw_label: str
    lib_label: str
    prepare: Callable[[int], Trial]
    target: MinRatio | MaxSeconds | None = None
    #: returns why the layer cannot run here (no server, no driver), or None
    unavailable: Callable[[], str | None] = lambda: None
    max_n: int | None = None


@dataclass(frozen=True)
class MemoryLayer:
    """Resident bytes per record: the library's records against a raw representation."""

    name: str
    group: str
    raw_label: str
    lib_label: str
    build: Callable[[str, int], object]
    target: MaxBytes | None = None
    #: lines explaining where the bytes go (printed under the table)
    explain: Callable[[], list[str]] | None = None
    unavailable: Callable[[], str | None] = lambda: None


Layer = ThroughputLayer | MemoryLayer


def all_layers() -> list[Layer]:
    """Every layer of every ``bench/layers_*.py`` module, modules in name order."""
    import bench

    found: list[Layer] = []
    for module in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if module.name.startswith("layers_"):
            found.extend(importlib.import_module(f"bench.{module.name}").LAYERS)
    names = [layer.name for layer in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise RuntimeError(f"layer names used twice: {', '.join(sorted(duplicates))}")
    return found


def find_layer(name: str) -> Layer:
    for layer in all_layers():
        if layer.name == name:
            return layer
    raise LookupError(f"no benchmark layer named {name!r}")


# --- garbage collector -----------------------------------------------------------------

#: How the cyclic garbage collector is handled around every timed run, the same way for
#: both sides. "paused" is what the library's bulk paths are meant to do (DESIGN §5).
GC_MODES = ("paused", "frozen", "on")


@contextmanager
def bulk_gc(mode: str) -> Iterator[None]:
    """``paused``: collect, freeze what exists, disable the collector for the run;
    ``frozen``: collect and freeze, collector stays on for new objects; ``on``: as is."""
    if mode not in GC_MODES:
        raise ValueError(f"gc mode must be one of {', '.join(GC_MODES)}")
    gc.collect()
    if mode != "on":
        gc.freeze()
    if mode == "paused":
        gc.disable()
    try:
        yield
    finally:
        if mode == "paused":
            gc.enable()
        if mode != "on":
            gc.unfreeze()


def _timed(side: Side, gc_mode: str) -> float:
    side.reset()
    with bulk_gc(gc_mode):
        start = time.perf_counter()
        result = side.run()
        elapsed = time.perf_counter() - start
    del result  # freeing the output is not part of the work
    return elapsed


#: Records per page when sides are interleaved page by page.
PAGE = 1_000


def _timed_pages(trial: Trial, gc_mode: str, raw_first: bool) -> tuple[float, float]:
    """Both sides over all records, alternating page by page (who goes first alternates
    too); every page's output is kept until the end, as in a whole run."""
    raw, lib = trial.raw, trial.lib
    assert raw.page is not None
    assert lib.page is not None
    raw.reset()
    lib.reset()
    raw_time = lib_time = 0.0
    kept: list[object] = []
    clock = time.perf_counter
    with bulk_gc(gc_mode):
        for k, lo in enumerate(range(0, trial.records, PAGE)):
            hi = min(lo + PAGE, trial.records)
            if (k % 2 == 0) == raw_first:
                t0 = clock()
                kept.append(raw.page(lo, hi))
                t1 = clock()
                kept.append(lib.page(lo, hi))
                t2 = clock()
                raw_time += t1 - t0
                lib_time += t2 - t1
            else:
                t0 = clock()
                kept.append(lib.page(lo, hi))
                t1 = clock()
                kept.append(raw.page(lo, hi))
                t2 = clock()
                lib_time += t1 - t0
                raw_time += t2 - t1
    del kept
    return raw_time, lib_time


def measure_throughput(
    layer: ThroughputLayer, n: int, repeats: int, gc_mode: str, interleave: bool = True
) -> dict[str, Any]:
    """Time both sides ``repeats`` times each, alternating which goes first.

    Sides that can work page by page are interleaved every `PAGE` records, so a burst
    of load from elsewhere on the machine hits both alike; others alternate whole runs.
    """
    trial = layer.prepare(n)
    paged = interleave and trial.raw.page is not None and trial.lib.page is not None
    try:
        if n <= 100_000:  # warm caches and the allocator; too costly to repeat at 1M
            _timed(trial.raw, gc_mode)
            _timed(trial.lib, gc_mode)
        raw_times: list[float] = []
        lib_times: list[float] = []
        for r in range(repeats):
            if paged:
                raw_time, lib_time = _timed_pages(trial, gc_mode, raw_first=r % 2 == 0)
                raw_times.append(raw_time)
                lib_times.append(lib_time)
            elif r % 2 == 0:
                raw_times.append(_timed(trial.raw, gc_mode))
                lib_times.append(_timed(trial.lib, gc_mode))
            else:
                lib_times.append(_timed(trial.lib, gc_mode))
                raw_times.append(_timed(trial.raw, gc_mode))
    finally:
        trial.close()
    records = trial.records
    ratios = [raw / lib for raw, lib in zip(raw_times, lib_times, strict=True)]
    ratio = statistics.median(ratios)
    return {
        "records": records,
        "repeats": repeats,
        "alternation": f"every {PAGE} records" if paged else "whole runs",
        "raw_seconds": raw_times,
        "lib_seconds": lib_times,
        "raw_per_s": records / statistics.median(raw_times),
        "lib_per_s": records / statistics.median(lib_times),
        "ratios": ratios,
        "ratio": ratio,
        "ok": None if layer.target is None else _judge(layer.target, ratio, records, lib_times),
    }


def _judge(target: Any, ratio: float, records: int, lib_times: list[float]) -> bool:
    """A target's verdict: on the ratio, or (`MaxSeconds`) on the library's own time."""
    if isinstance(target, MaxSeconds):
        return target.ok_seconds(statistics.median(lib_times) / max(records, 1))
    return bool(target.ok(ratio))


# --- memory, in a fresh process per measurement ------------------------------------------


def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"{key} not in /proc/self/status")


def _settle() -> None:
    """Collect garbage and hand freed heap back to the OS (glibc ``malloc_trim``), so
    memory freed earlier is neither counted as held nor silently reused by the run."""
    gc.collect()
    with suppress(OSError, AttributeError):  # not glibc: RSS may then read a little high
        ctypes.CDLL(None).malloc_trim(0)


def _reset_peak() -> bool:
    """Reset the kernel's high-water mark of this process (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def _probe_peak(layer: ThroughputLayer, side_name: str, n: int, gc_mode: str) -> dict[str, Any]:
    trial = layer.prepare(n)
    side: Side = getattr(trial, side_name)
    side.reset()
    _settle()
    before = _status("VmRSS")
    exact = _reset_peak()
    with bulk_gc(gc_mode):
        result = side.run()
    peak = _status("VmHWM")
    del result
    trial.close()
    return {
        "peak_bytes": max(peak - before, 0),
        "method": "VmHWM reset" if exact else "VmHWM since start (upper bound)",
    }


def _probe_resident(layer: MemoryLayer, side_name: str, n: int) -> dict[str, Any]:
    layer.build(side_name, min(n, 100))  # import and warm everything first
    _settle()
    before = _status("VmRSS")
    held = layer.build(side_name, n)
    _settle()
    after = _status("VmRSS")
    del held
    return {"bytes": after - before, "per_record": (after - before) / n, "method": "VmRSS diff"}


def probe(kind: str, layer_name: str, side_name: str, n: int, gc_mode: str) -> dict[str, Any]:
    """What the child process measures (see `run_probe`)."""
    if side_name not in ("raw", "lib"):
        raise ValueError("side is raw or lib")
    layer = find_layer(layer_name)
    if kind == "peak" and isinstance(layer, ThroughputLayer):
        return _probe_peak(layer, side_name, n, gc_mode)
    if kind == "resident" and isinstance(layer, MemoryLayer):
        return _probe_resident(layer, side_name, n)
    raise ValueError(f"{kind} probe does not apply to layer {layer_name}")


def run_probe(kind: str, layer: Layer, side: str, n: int, gc_mode: str) -> dict[str, Any]:
    """Measure in a fresh interpreter, so nothing left by earlier work (freed arenas,
    caches, the other side's output) hides in the numbers."""
    command = [sys.executable, "-m", "bench.probe", kind, layer.name, side, str(n), gc_mode]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def measure_resident(layer: MemoryLayer, n: int) -> dict[str, Any]:
    raw = run_probe("resident", layer, "raw", n, "on")
    lib = run_probe("resident", layer, "lib", n, "on")
    result: dict[str, Any] = {"records": n, "raw": raw, "lib": lib}
    if "per_record" in raw and "per_record" in lib:
        result["ratio"] = lib["per_record"] / raw["per_record"]
        result["ok"] = None if layer.target is None else layer.target.ok(lib["per_record"], n)
    return result


@dataclass
class Environment:
    """What the numbers were measured on, saved with them."""

    python: str = field(default_factory=lambda: sys.version.split()[0])
    cpus: int = field(default_factory=lambda: os.cpu_count() or 0)
    load: tuple[float, ...] = field(default_factory=lambda: tuple(os.getloadavg()))
    packages: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        for name in ("attrs", "cattrs", "kelompok-konstituen"):
            try:
                self.packages[name] = version(name)
            except PackageNotFoundError:
                self.packages[name] = "?"
