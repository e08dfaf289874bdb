"""The benchmark harness runs in one command and reports a ratio for every layer.

Only that it runs and reports: speed is proven by running the benchmark itself
(``python -m bench``), never by timed assertions in tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

_NUMBER = r"[\d,.]+"


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,  # the whole quick run: 13 min on a 2-core machine at load 12
        check=False,
    )


@pytest.fixture(scope="module")
def layers() -> list[str]:
    listed = _bench("--list")
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    core = {"converter.structure", "converter.unstructure", "memory.put_many", "memory.find"}
    assert {*core, "case.bytes"} <= set(names)
    return names


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("bench-results")
    done = _bench("--quick", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return done.stdout, out


def test_every_layer_prints_a_ratio_row(layers: list[str], quick_run: tuple[str, Path]) -> None:
    """A ratio for every layer, or the reason it cannot run here (e.g. no PostgreSQL)."""
    stdout, _ = quick_run
    for name in layers:
        if re.search(rf"^{re.escape(name)}\s+skipped: \S", stdout, re.M):
            continue
        row = re.search(
            rf"^{re.escape(name)}\s+500\s+{_NUMBER}\s+{_NUMBER}\s+(\d+(?:\.\d+)?(?:e-\d+)?)\s",
            stdout,
            re.M,
        )
        assert row is not None, f"no result row for {name}:\n{stdout}"
        assert float(row.group(1)) > 0


def test_the_copy_layers_run_between_the_sql_stores(
    layers: list[str], quick_run: tuple[str, Path]
) -> None:
    """copy_records against raw driver code, SQLite → SQLite always (PostgreSQL may skip)."""
    stdout, _ = quick_run
    assert {"copy.sqlite-sqlite", "copy.sqlite-postgres"} <= set(layers)
    row = re.search(
        rf"^copy\.sqlite-sqlite\s+500\s+{_NUMBER}\s+{_NUMBER}\s+\d+\.\d\d\s", stdout, re.M
    )
    assert row is not None, stdout
    assert ">= 0.30" in stdout  # the copy layers' target


def test_targets_and_gc_policy_are_stated(quick_run: tuple[str, Path]) -> None:
    stdout, _ = quick_run
    assert ">= 0.70" in stdout  # converter throughput target, both ways
    assert "<= 2,048 B" in stdout  # bytes per typical case
    assert "gc paused during every timed run (both sides)" in stdout


def test_results_are_saved_as_json(layers: list[str], quick_run: tuple[str, Path]) -> None:
    _, out = quick_run
    results = json.loads((out / "latest.json").read_text())
    assert set(results["layers"]) == set(layers)
    for name, entry in results["layers"].items():
        if "skipped" in entry:
            continue
        run = entry["runs"]["500"]
        assert run["ratio"] > 0, name
        if entry["kind"] == "throughput":
            assert len(run["ratios"]) == run["repeats"] == 3
            assert set(run["peak"]) == {"raw", "lib"}
        else:
            assert run["lib"]["per_record"] > 0


def test_unknown_layer_is_refused() -> None:
    done = _bench("--only", "no_such_layer", "--quick")
    assert done.returncode != 0
    assert "no_such_layer" in done.stderr


def test_the_analysis_layers_run_against_hand_written_code(
    layers: list[str], quick_run: tuple[str, Path]
) -> None:
    """Issue 10's layers: the indicator and the median pushed down (PostgreSQL may
    skip), the memory store against a Counter loop, suppression judged on its time."""
    stdout, out = quick_run
    analysis = {
        "analysis.indicator.sqlite",
        "analysis.indicator.postgres",
        "analysis.median.sqlite",
        "analysis.median.postgres",
        "analysis.memory",
        "analysis.suppress",
    }
    assert analysis <= set(layers)
    for name in ("analysis.indicator.sqlite", "analysis.median.sqlite", "analysis.memory"):
        row = re.search(rf"^{re.escape(name)}\s+500\s+{_NUMBER}\s+{_NUMBER}\s", stdout, re.M)
        assert row is not None, stdout
    for target in (">= 0.67", ">= 0.50", ">= 0.33", "<= 1 s"):
        assert target in stdout
    run = json.loads((out / "latest.json").read_text())["layers"]["analysis.suppress"]
    assert isinstance(run["runs"]["500"]["ok"], bool)  # judged on the time of one table


def test_a_time_target_is_judged_on_the_librarys_time_per_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.harness import MaxSeconds, _judge

    assert _judge(MaxSeconds(1.0), 0.01, 10, [5.0, 9.0, 30.0]) is True  # 0.9 s each
    assert _judge(MaxSeconds(1.0), 0.01, 10, [5.0, 11.0, 30.0]) is False  # 1.1 s each
    with pytest.raises(TypeError):
        MaxSeconds(1.0).ok(0.5)  # never judged on a ratio
