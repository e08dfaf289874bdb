"""Fixtures shared by the whole suite.

* ``postgres_url`` — a PostgreSQL server for the tests (``tests/pg_server.py``);
* ``store_maker`` — SQL stores on SQLite and PostgreSQL (``tests/sql_support.py``);
* hypothesis profiles for every suite;
* the compiled Kobo mapping checked against the detailed one (``tests/compiled_check.py``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["pg_server", "sql_support", "release_support", "compiled_check"]

# Hypothesis: quick by default; HYPOTHESIS_PROFILE=kk-thorough (or ci) for a long run.
settings.register_profile(
    "kk-dev",
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
for _thorough in ("kk-thorough", "ci"):
    settings.register_profile(
        _thorough,
        max_examples=300,
        stateful_step_count=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "kk-dev"))
