"""Every submission the compiled way maps, in any test, is mapped the detailed way too,
and both must make equal records (`kk_adapters.kobo.compiled_mapping`).

The compiled way gives up whenever a submission is not as it expects, and the detailed
way then decides; so a test of the import passes whichever way mapped. This plugin makes
the whole suite also a test that the compiled way, when it does not give up, makes
exactly what the detailed way makes (and that the detailed way accepts it), and that it
gives up only on submissions the detailed way refuses, unless a test is marked
``compiled_may_give_up``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any
from unittest.mock import patch

import pytest

from kk_adapters.kobo.compiled_mapping import CompiledMapping

#: How many submissions each way mapped in this run (``compiled``, ``gave up``).
TALLY: Counter[str] = Counter()

_BUGS = (AttributeError, KeyError, IndexError, NameError, AssertionError, RecursionError)
#: Whether the running test is marked ``compiled_may_give_up`` (set per test below).
_MAY_GIVE_UP = [False]


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "compiled_may_give_up: the compiled Kobo mapping may give up on a submission the "
        "detailed way accepts (a case it does not handle)",
    )


def pytest_runtest_setup(item: Any) -> None:
    # a hook, not a fixture: Hypothesis tests take no function-scoped fixture
    _MAY_GIVE_UP[0] = item.get_closest_marker("compiled_may_give_up") is not None


def _checked_map(original: Any) -> Any:
    def map(self: CompiledMapping, values: Mapping[str, Any], key: str | None, context: Any) -> Any:
        try:
            made = original(self, values, key, context)
        except _BUGS as error:
            # giving up is by GiveUp, the model's own errors, or a value a constructor or
            # converter refuses (ValueError, TypeError): anything else is a bug there
            pytest.fail(f"the compiled way failed: {type(error).__name__}: {error}")
        except Exception as error:
            TALLY["gave up"] += 1
            try:
                self.mapping._map_in_detail(values, key, context)
            except Exception:
                pass
            else:
                TALLY["gave up, then accepted"] += 1
                if not _MAY_GIVE_UP[0]:
                    # not wrong, but slower than it should be: a bug in the compiled way
                    # (or a case it does not handle, which a test marks as such)
                    pytest.fail(
                        "the compiled way gave up on a submission the detailed way accepts "
                        f"({type(error).__name__}: {error}); mark the test "
                        "compiled_may_give_up if that is expected"
                    )
            raise
        # (pytest.fail raises a BaseException: the importer's fallback cannot swallow it)
        try:
            detailed = self.mapping._map_in_detail(values, key, context)
        except Exception as error:
            pytest.fail(f"the compiled way made records the detailed way refuses: {error}")
        if made != detailed:
            pytest.fail("the compiled and the detailed way made different records")
        TALLY["compiled"] += 1
        return made

    return map


@pytest.fixture(autouse=True, scope="session")
def _compiled_against_detailed() -> Iterator[None]:
    with patch.object(CompiledMapping, "map", _checked_map(CompiledMapping.map)):
        yield


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TALLY:
        terminalreporter.write_line(
            f"Kobo mapping: {TALLY['compiled']:,} submission(s) the compiled way (each checked "
            f"against the detailed way), {TALLY['gave up']:,} given up to the detailed way "
            f"({TALLY['gave up, then accepted']:,} of them accepted by it)"
        )
