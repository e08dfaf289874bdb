"""pytest plugin (entry point ``pytest11``): rewrite the contract suite's assertions.

pytest only rewrites ``assert`` statements in test modules and conftests; the contract
suite lives in this library, so without this an adapter author's failing contract test
shows a bare ``AssertionError`` instead of the values compared. pytest loads this
module early, before any test module imports `kk_core.testing.contract`, which is when
registering must happen. It imports nothing else of the library.
"""

from __future__ import annotations

import pytest

__all__: list[str] = []

pytest.register_assert_rewrite("kk_core.testing.contract")
