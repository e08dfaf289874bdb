"""``python -m bench.kobo_sync``: a whole Kobo sync, end to end, against the look-alike.

Not a ratio layer (there is no raw baseline for a sync): it measures what a deployment
sees. The KoboToolbox look-alike of the tests (``tests/kobo_lookalike.py``) runs in its
own process with N submissions of the LPA case-intake form (``--n``, default 100k); then
in this process:

1. a **first sync** into a fresh SQLite store (the references the records point at put
   first): every submission listed (``fields`` projection, 1,000 a page), fetched in
   full (``$in`` on ``_id``), typed, mapped, recorded through the case lifecycle and
   written with its import marks, page by page;
2. ``--edits`` submissions (default 1,000) **edited** on the server (a new ``_uuid``, as
   kpi does), then a **repeated sync**: everything listed again, only the edited fetched
   and rewritten;
3. a **sync with nothing new**: the listing only.

For each: seconds, submissions per second (submissions listed ÷ seconds), what the
report counted, and the peak resident memory above the process's resident memory
before it (``VmHWM`` after resetting it through ``/proc/self/clear_refs``, as
``bench.harness`` does). ``--profile`` runs the first sync under ``cProfile`` (much
slower) and prints where the time went, by area. The server is a Python process on the
same machine: its share of the CPU is part of what the sync waits for.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import ROOT, _reset_peak, _settle, _status

sys.path.insert(0, str(ROOT / "tests"))

#: The phases of a sync: (label, file, function); a phase's time is the function's
#: inclusive time in the profile (the phases do not call each other, but for the
#: compiled mapping, which records the history: that time is the lifecycle's).
MAPPING = "mapping (answers → records)"
PHASES = (
    ("fetching (HTTP, JSON decoding)", "kobo/client.py", "_get"),
    ("typing through the schema", "kobo/submissions.py", "type"),
    (MAPPING, "kobo/compiled_mapping.py", "map"),
    (MAPPING, "kobo/mapping.py", "_records"),
    ("case lifecycle (report, consent, refer)", "kobo/mapping.py", "_recorded"),
    ("reference checks", "kobo/importing.py", "problems"),
    ("marks and stored copies looked up", "kobo/importing.py", "marks_for"),
    ("comparing with the stored copies (digests)", "kobo/importing.py", "_plan"),
    ("writing (put_many, SQLite)", "kobo/importing.py", "_commit"),
)


def _start_server(n: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "kobo_lookalike.py"), "--submissions", str(n)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line:
        raise SystemExit("the look-alike server did not start")
    return server, json.loads(line)


def _edit(server: subprocess.Popen[str], count: int) -> None:
    assert server.stdin is not None
    assert server.stdout is not None
    server.stdin.write(f"edit {count}\n")
    server.stdin.flush()
    json.loads(server.stdout.readline())


def _mib(size: int) -> float:
    return size / (1 << 20)


def _run(name: str, work: Any, profile: Path | None = None) -> dict[str, Any]:
    _settle()
    before = _status("VmRSS")
    exact = _reset_peak()
    start = time.perf_counter()
    if profile is not None:
        profiler = cProfile.Profile()
        report = profiler.runcall(work)
        profiler.dump_stats(profile)
    else:
        report = work()
    seconds = time.perf_counter() - start
    peak = _status("VmHWM")
    counts = report.submissions
    listed = counts.total
    row = {
        "step": name,
        "seconds": round(seconds, 2),
        "submissions_per_s": round(listed / seconds) if seconds else None,
        "listed": listed,
        "new": counts.new,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "rejected": counts.rejected,
        "peak_mib": round(_mib(peak - before), 1) if exact else None,
        "rss_before_mib": round(_mib(before), 1),
    }
    print(
        f"{name:<24} {seconds:8.1f} s {row['submissions_per_s'] or 0:>8,} subm/s  "
        f"new {counts.new:,} updated {counts.updated:,} unchanged {counts.unchanged:,} "
        f"rejected {counts.rejected:,}  peak +{row['peak_mib']} MiB",
        flush=True,
    )
    return row


def _areas(path: Path) -> list[tuple[str, float]]:
    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    total = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, cumtime, callers) in stats.items():
        if filename.endswith("kobo/sync.py") and func == "sync":
            total = cumtime
        for label, file, name in PHASES:
            if filename.endswith(file) and func == name:
                found[label] = found.get(label, 0.0) + cumtime
        if filename.endswith("kobo/mapping.py") and func == "_recorded":
            for (caller, _l, caller_func), timing in callers.items():
                if caller.endswith("kobo/compiled_mapping.py") and caller_func == "map":
                    found[MAPPING] = found.get(MAPPING, 0.0) - timing[3]
    other = max(total - sum(found.values()), 0.0)
    ranked = sorted(found.items(), key=lambda item: -item[1])
    return [*ranked, ("other (sync loop, report, waiting)", other)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kobo_sync", description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="submissions (default 100k)")
    parser.add_argument("--edits", type=int, default=1_000, help="edited before the 2nd sync")
    parser.add_argument("--profile", action="store_true", help="profile the first sync")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from kk_adapters.kobo.sync import sync
    from kk_core import open_store
    from kk_core.plugins import Plugins
    from kobo_support import LPA_MAPPING, KeyPlugin, fill

    plugins = Plugins(extra=[KeyPlugin()])
    server, about = _start_server(args.n)
    rows: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="kk-kobo-sync-") as work:
            mapping = Path(work) / "lpa.toml"
            mapping.write_text(LPA_MAPPING, encoding="utf-8")
            os.environ["KOBO_BENCH_TOKEN"] = about["token"]
            source = (
                about["url"].replace("http://", "kobo+http://")
                + f"/{about['asset']}?token_env=KOBO_BENCH_TOKEN"
            )
            target = open_store(f"sqlite:///{Path(work) / 'kk.db'}")
            fill(target)

            def once() -> Any:
                return sync(source, target, mapping=str(mapping), plugins=plugins)

            print(f"look-alike at {about['url']}, {args.n:,} submissions", flush=True)
            profile = Path(args.out) / "kobo-sync.prof" if args.profile else None
            rows.append(_run("first sync", once, profile))
            _edit(server, args.edits)
            rows.append(_run(f"after {args.edits:,} edits", once))
            rows.append(_run("nothing new", once))
            target.close()
            areas = _areas(profile) if profile is not None else []
    finally:
        server.terminate()
        server.wait(timeout=30)
    if areas:
        total = sum(t for _, t in areas)
        print("\nwhere the first sync's time went (cProfile, inclusive time by phase):")
        for label, seconds in areas:
            print(f"  {label:<44} {seconds:8.1f} s  {100 * seconds / total:5.1f} %")
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "n": args.n,
        "edits": args.edits,
        "load": os.getloadavg(),
        "steps": rows,
        "areas": [{"area": a, "seconds": round(s, 2)} for a, s in areas],
    }
    (args.out / "kobo-sync-latest.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
