"""What a batch import reports back: what went in, what did not, and why."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from kk_core.errors import Problem, ValidationError

__all__ = ["ImportReport", "Reject"]


@attrs.frozen
class Reject:
    """One input row that did not become a record, with every reason and its place."""

    where: str
    problems: tuple[Problem, ...]

    @classmethod
    def from_error(cls, where: str, error: ValidationError) -> Reject:
        return cls(where, error.problems)


@attrs.frozen
class ImportReport:
    """Counts per record kind, and rejects kept rather than dropped."""

    source: str
    written: Mapping[str, int] = attrs.field(factory=dict)
    unchanged: Mapping[str, int] = attrs.field(factory=dict)
    rejects: tuple[Reject, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.rejects

    def summary(self) -> str:
        written = sum(self.written.values())
        unchanged = sum(self.unchanged.values())
        return (
            f"{self.source}: {written} written, {unchanged} unchanged, {len(self.rejects)} rejected"
        )
