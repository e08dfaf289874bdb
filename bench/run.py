"""``python -m bench``: measure every layer against its raw baseline and print the ratios.

See ``bench/README.md`` for what is measured and how to read the table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.harness import (
    GC_MODES,
    ROOT,
    Environment,
    Layer,
    MemoryLayer,
    ThroughputLayer,
    all_layers,
    measure_resident,
    measure_throughput,
    run_probe,
)

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZE = 500


def _sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        scale = 1
        if part.endswith("k"):
            part, scale = part[:-1], 1_000
        elif part.endswith("m"):
            part, scale = part[:-1], 1_000_000
        value = int(float(part) * scale)
        if value < 10:
            raise argparse.ArgumentTypeError(f"N must be at least 10, got {value}")
        sizes.append(value)
    return sizes


def _default_repeats(n: int) -> int:
    return 7 if n <= 10_000 else 5 if n <= 100_000 else 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Records/s and memory of each library layer against a raw baseline "
        "measured in the same run (alternating, median of per-repeat ratios).",
    )
    parser.add_argument(
        "--n",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated sizes, e.g. 10k,100k,1m (default: 10k,100k,1m)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated groups or layer names, e.g. converter,memory",
    )
    parser.add_argument(
        "--repeats", type=int, default=0, help="timed runs per side (default: 7/5/3 by N)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"N={QUICK_SIZE}, 3 repeats: proves the harness runs, measures nothing",
    )
    parser.add_argument(
        "--gc",
        choices=GC_MODES,
        default="paused",
        help="garbage collector during timed runs, for both sides (default: paused)",
    )
    parser.add_argument(
        "--no-peak", action="store_true", help="skip the peak-memory probes (faster)"
    )
    parser.add_argument(
        "--no-interleave",
        action="store_true",
        help="alternate whole runs even where sides can alternate page by page",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "bench" / "results",
        help="directory for the JSON results (default: bench/results)",
    )
    parser.add_argument("--list", action="store_true", help="list the layers and exit")
    args = parser.parse_args(argv)
    if args.quick:
        args.n = [QUICK_SIZE]
        args.repeats = args.repeats or 3
    return args


def _selected(layers: list[Layer], only: str) -> list[Layer]:
    wanted = {w.strip() for w in only.split(",") if w.strip()}
    if not wanted:
        return layers
    chosen = [x for x in layers if x.group in wanted or x.name in wanted]
    unknown = wanted - {x.group for x in layers} - {x.name for x in layers}
    if unknown:
        raise SystemExit(f"unknown layer or group: {', '.join(sorted(unknown))}")
    return chosen


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _mib(result: dict[str, Any]) -> str:
    if "peak_bytes" not in result:
        return "error" if "error" in result else "-"
    return f"{result['peak_bytes'] / 2**20:,.1f}"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "ok" if ok else "MISSED"


THROUGHPUT_HEADER = (
    f"{'layer':<28}{'N':>11}{'raw rec/s':>13}{'lib rec/s':>13}{'lib/raw':>9}"
    f"{'min-max':>12}  {'target':<12}{'peak MiB raw':>13}{'lib':>9}"
)
MEMORY_HEADER = (
    f"{'layer':<28}{'N':>11}{'raw B/rec':>13}{'lib B/rec':>13}{'lib/raw':>9}"
    f"{'':>12}  {'target':<12}"
)


def _ratio(value: float) -> str:
    """Two decimals, or two significant digits below 0.01 (a ratio is never shown as 0)."""
    return f"{value:.2f}" if value >= 0.01 or value == 0 else f"{value:.2g}"


def _throughput_row(layer: ThroughputLayer, n: int, result: dict[str, Any]) -> str:
    target = "" if layer.target is None else f"{layer.target} {_verdict(result['ok'])}"
    spread = f" {_ratio(min(result['ratios']))}-{_ratio(max(result['ratios']))}"
    peak = result.get("peak", {})
    return (
        f"{layer.name:<28}{n:>11,}{_rate(result['raw_per_s']):>13}{_rate(result['lib_per_s']):>13}"
        f"{_ratio(result['ratio']):>9}{spread:>12}  {target:<12}"
        f"{_mib(peak.get('raw', {})):>13}{_mib(peak.get('lib', {})):>9}"
    )


def _memory_row(layer: MemoryLayer, n: int, result: dict[str, Any]) -> str:
    raw, lib = result["raw"], result["lib"]
    if "ratio" not in result:
        return f"{layer.name:<28}{n:>11,}  error: {raw.get('error') or lib.get('error')}"
    target = "" if layer.target is None else f"{layer.target} {_verdict(result['ok'])}"
    return (
        f"{layer.name:<28}{n:>11,}{raw['per_record']:>13,.0f}{lib['per_record']:>13,.0f}"
        f"{result['ratio']:>9.2f}{'':>12}  {target:<12}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    layers = _selected(all_layers(), args.only)
    if args.list:
        for layer in layers:
            print(f"{layer.name:<28} [{layer.group}]  {layer.lib_label}  vs  {layer.raw_label}")
        return 0
    env = Environment()
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    print(
        f"kk bench {started}  python {env.python}  cattrs {env.packages['cattrs']}"
        f"  attrs {env.packages['attrs']}  {env.cpus} CPUs  load {env.load[0]:.1f}"
    )
    print(
        f"gc {args.gc} during every timed run (both sides); lib/raw is the median of the"
        " per-repeat throughput ratios, sides alternating"
        + ("" if args.no_interleave else " page by page where the work is per record")
        + "; rec/s are medians of the repeats"
    )
    results: dict[str, Any] = {
        "started": started,
        "environment": asdict(env),
        "args": {
            "n": args.n,
            "repeats": args.repeats,
            "gc": args.gc,
            "only": args.only,
            "interleave": not args.no_interleave,
        },
        "layers": {},
    }
    throughput = [x for x in layers if isinstance(x, ThroughputLayer)]
    memory = [x for x in layers if isinstance(x, MemoryLayer)]
    missed = 0

    if throughput:
        print("\n" + THROUGHPUT_HEADER)
    for layer in throughput:
        entry = results["layers"].setdefault(
            layer.name,
            {"kind": "throughput", "raw": layer.raw_label, "lib": layer.lib_label, "runs": {}},
        )
        reason = layer.unavailable()
        if reason:
            print(f"{layer.name:<28}  skipped: {reason}")
            entry["skipped"] = reason
            continue
        for n in args.n:
            if layer.max_n is not None and n > layer.max_n:
                continue
            result = measure_throughput(
                layer,
                n,
                args.repeats or _default_repeats(n),
                args.gc,
                interleave=not args.no_interleave,
            )
            if not args.no_peak:
                result["peak"] = {
                    side: run_probe("peak", layer, side, n, args.gc) for side in ("raw", "lib")
                }
            entry["runs"][str(n)] = result
            missed += result["ok"] is False
            print(_throughput_row(layer, n, result), flush=True)

    explanations: list[str] = []
    if memory:
        print("\n" + MEMORY_HEADER)
    for layer in memory:
        entry = results["layers"].setdefault(
            layer.name,
            {"kind": "memory", "raw": layer.raw_label, "lib": layer.lib_label, "runs": {}},
        )
        reason = layer.unavailable()
        if reason:
            print(f"{layer.name:<28}  skipped: {reason}")
            entry["skipped"] = reason
            continue
        for n in args.n:
            result = measure_resident(layer, n)
            entry["runs"][str(n)] = result
            missed += result.get("ok") is False
            print(_memory_row(layer, n, result), flush=True)
        if layer.explain is not None:
            lines = layer.explain()
            entry["explain"] = lines
            explanations.extend(f"{layer.name}: {line}" for line in lines)

    print("\nlayers (lib vs raw):")
    for layer in layers:
        print(f"  {layer.name:<28} {layer.lib_label}  vs  {layer.raw_label}")
    for line in explanations:
        print(line)

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{started.replace(':', '')}.json"
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    (args.out / "latest.json").write_text(path.read_text())
    print(f"\nresults: {path}")
    if missed:
        print(f"{missed} measurement(s) missed their target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
