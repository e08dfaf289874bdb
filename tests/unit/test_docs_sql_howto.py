"""The SQL how-to's examples never touch the main job's data.

Pasted as they are, the examples of docs/how-to/use-sql.md write and delete records; if
they used the file `examples/village_year.py` keeps its year in, they would change a
reader's real data.
"""

from __future__ import annotations

import re
from pathlib import Path

from test_docs_examples import python_blocks

ROOT = Path(__file__).resolve().parents[2]
HOWTO = ROOT / "docs" / "how-to" / "use-sql.md"
MAIN_JOB = ROOT / "examples" / "village_year.py"


def _main_job_file() -> str:
    found = re.search(r'default="sqlite:///([^"?]+)', MAIN_JOB.read_text(encoding="utf-8"))
    assert found, "the main job's default store is no longer a sqlite:/// URL"
    return found.group(1)


def test_the_sql_howto_never_uses_the_main_jobs_file() -> None:
    main_file = _main_job_file()
    code = "\n".join(body for _, body in python_blocks(HOWTO))
    assert "sqlite:///" in code  # the page does use SQLite files
    assert main_file not in code, f"use-sql.md's examples write {main_file}, the main job's file"
