"""Humas: what the KK publishes and the information sessions it holds."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_core._checks import an_id, hidden, non_empty, non_negative, optional_id
from kk_core._text import quote_value
from kk_core.codes import PublicationChannel, SessionFormat

__all__ = ["Audience", "InformationSession", "Publication"]


@attrs.frozen
class Audience:
    """Head counts by sex, with how many of them have a disability (GEDSI reporting).

    ``with_disability`` counts people as `kk_core.disability.Disability.has_disability`
    does (the Washington Group cut-off: a lot of difficulty, or cannot do at all, in at
    least one domain), so attendance adds up with the members' own records.
    """

    female: int = attrs.field(default=0, validator=non_negative)
    male: int = attrs.field(default=0, validator=non_negative)
    with_disability: int = attrs.field(default=0, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.with_disability > self.total:
            raise ValueError(
                f"with_disability ({quote_value(self.with_disability)}) exceeds the total "
                f"({quote_value(self.total)})"
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

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    title: str = attrs.field(validator=non_empty, repr=hidden)
    topic: str = attrs.field(validator=non_empty, repr=hidden)
    channel: PublicationChannel
    published_on: date
    reach: int | None = attrs.field(default=None, kw_only=True, validator=non_negative)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)


@attrs.frozen
class InformationSession:
    """A socialisation (sosialisasi) session about a service or a right."""

    kind: ClassVar[str] = "information_session"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    topic: str = attrs.field(validator=non_empty, repr=hidden)
    format: SessionFormat
    held_on: date
    audience: Audience = attrs.field(factory=Audience)
    place: str = attrs.field(default="", kw_only=True, repr=hidden)
    hamlet_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)
