"""Fixtures shared by the whole suite.

* ``postgres_url`` — a PostgreSQL server for the tests (``tests/pg_server.py``);
* ``store_maker`` — SQL stores on SQLite and PostgreSQL (``tests/sql_support.py``).
"""

from __future__ import annotations

pytest_plugins = ["pg_server", "sql_support"]
