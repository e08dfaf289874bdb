"""Every submission the compiled way maps, in any test, is mapped the detailed way too,
and both must make equal records (`kk_adapters.kobo.compiled_mapping`).

The compiled way gives up whenever a submission is not as it expects, and the detailed
way then decides; so a test of the import passes whichever way mapped. This plugin makes
the whole suite also a test that the compiled way, when it does not give up, makes
exactly what the detailed way makes (and that the detailed way accepts it).
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


def _checked_map(original: Any) -> Any:
    def map(self: CompiledMapping, values: Mapping[str, Any], key: str | None, context: Any) -> Any:
        try:
            made = original(self, values, key, context)
        except _BUGS as error:
            # giving up is by GiveUp, the model's own errors, or a value a constructor or
            # converter refuses (ValueError, TypeError): anything else is a bug there
            pytest.fail(f"the compiled way failed: {type(error).__name__}: {error}")
        except Exception:
            TALLY["gave up"] += 1
            try:
                self.mapping._map_in_detail(values, key, context)
            except Exception:
                pass
            else:
                TALLY["gave up, then accepted"] += 1  # not wrong: slower than it could be
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
