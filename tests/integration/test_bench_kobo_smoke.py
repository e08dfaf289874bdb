"""The Kobo benchmarks run in one command each and report what they measure.

Only that they run and report: speed is proven by running the benchmarks themselves
(``python -m bench --only kobo``, ``python -m bench.kobo_sync``), never by timed
assertions in tests.
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


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_kobo_layers_report_a_ratio_and_peak_memory(tmp_path: Path) -> None:
    """Both layers print a row with a ratio against the ≥ 0.50 target; the JSON keeps
    each side's peak memory (the streamed layer's is what must stay flat in N)."""
    done = _python("bench", "--only", "kobo", "--quick", "--out", str(tmp_path))
    assert done.returncode in (0, 1), done.stderr  # 1: a target missed, still reported
    for name in ("kobo.import", "kobo.import.stream"):
        row = re.search(
            rf"^{re.escape(name)}\s+500\s+[\d,.]+\s+[\d,.]+\s+(\d+\.\d\d)\s", done.stdout, re.M
        )
        assert row is not None, done.stdout
        assert float(row.group(1)) > 0
    assert ">= 0.50" in done.stdout
    results = json.loads((tmp_path / "latest.json").read_text())
    peak = results["layers"]["kobo.import.stream"]["runs"]["500"]["peak"]
    assert set(peak) == {"raw", "lib"}


def test_a_whole_sync_is_measured_against_the_lookalike(tmp_path: Path) -> None:
    """First sync, a sync after edits (only those rewritten), a sync with nothing new."""
    done = _python("bench.kobo_sync", "--n", "300", "--edits", "20", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "kobo-sync-latest.json").read_text())
    first, edited, again = result["steps"]
    assert (first["listed"], first["new"], first["rejected"]) == (300, 300, 0)
    assert (edited["updated"], edited["unchanged"]) == (20, 280)
    assert (again["unchanged"], again["updated"], again["new"]) == (300, 0, 0)
    for step in result["steps"]:
        assert step["submissions_per_s"] > 0
        assert step["peak_mib"] is None or step["peak_mib"] >= 0
