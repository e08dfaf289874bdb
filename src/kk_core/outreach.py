"""Humas: what the KK publishes and the information sessions it holds."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import attrs

from kk_core._checks import non_empty, non_negative
from kk_core.codes import PublicationChannel, SessionFormat

__all__ = ["Audience", "InformationSession", "Publication"]


def _count(_: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen
class Audience:
    """Head counts by sex, with how many of them have a disability (GEDSI reporting)."""

    female: int = attrs.field(default=0, validator=_count)
    male: int = attrs.field(default=0, validator=_count)
    with_disability: int = attrs.field(default=0, validator=_count)

    def __attrs_post_init__(self) -> None:
        if self.with_disability > self.total:
            raise ValueError(
                f"with_disability ({self.with_disability}) exceeds the total ({self.total})"
            )

    @property
    def total(self) -> int:
        return self.female + self.male

    def __add__(self, other: Audience) -> Audience:
        return Audience(
            self.female + other.female,
            self.male + other.male,
            self.with_disability + other.with_disability,
        )


@attrs.frozen
class Publication:
    """A notice, post or broadcast put out by Humas."""

    kind: ClassVar[str] = "publication"

    id: str = attrs.field(validator=non_empty)
    group_id: str = attrs.field(validator=non_empty)
    title: str = attrs.field(validator=non_empty)
    topic: str = attrs.field(validator=non_empty)
    channel: PublicationChannel
    published_on: date
    reach: int | None = attrs.field(default=None, kw_only=True, validator=non_negative)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)


@attrs.frozen
class InformationSession:
    """A socialisation (sosialisasi) session about a service or a right."""

    kind: ClassVar[str] = "information_session"

    id: str = attrs.field(validator=non_empty)
    group_id: str = attrs.field(validator=non_empty)
    topic: str = attrs.field(validator=non_empty)
    format: SessionFormat
    held_on: date
    audience: Audience = attrs.field(factory=Audience)
    place: str = attrs.field(default="", kw_only=True)
    hamlet_id: str | None = attrs.field(default=None, kw_only=True)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)
