"""Humas as pusat informasi: the questions residents bring to the KK's information centre.

"A place residents ask about services" is one of the KK's four functions. A question is
recorded without the resident's name: its topic, how it came, what was done with it,
and, when the resident agrees, the hamlet, sex and age band, for counts.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

from kk_core._checks import an_id, non_empty, non_negative, not_before, optional_id
from kk_core._text import quote_value
from kk_core.codes import AgeBand, QuestionChannel, QuestionResolution, Sex

__all__ = ["ResidentQuestion"]


@attrs.frozen
class ResidentQuestion:
    """A resident's question to the information centre: no name and no free text.

    ``topic`` is a code of the open ``question_topic`` list. ``resolved_on`` is set
    exactly when the question was answered or referred; a referred question names the
    `kk_core.referrals.ServiceProvider` it was sent to (``provider_id``). ``member_id``
    is the member who took it.
    """

    kind: ClassVar[str] = "resident_question"

    id: str = attrs.field(validator=an_id, repr=quote_value)
    group_id: str = attrs.field(validator=an_id, repr=quote_value)
    asked_on: date
    topic: str = attrs.field(validator=non_empty, repr=quote_value)
    channel: QuestionChannel
    resolution: QuestionResolution = attrs.field(default=QuestionResolution.PENDING, kw_only=True)
    resolved_on: date | None = attrs.field(default=None, kw_only=True)
    provider_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    member_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    hamlet_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    sex: Sex | None = attrs.field(default=None, kw_only=True)
    age_band: AgeBand | None = attrs.field(default=None, kw_only=True)
    version: int = attrs.field(default=0, kw_only=True, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        pending = self.resolution is QuestionResolution.PENDING
        if pending != (self.resolved_on is None):
            raise ValueError("resolved_on is set exactly when the question is answered or referred")
        not_before(self.asked_on, self.resolved_on, "resolved_on")
        referred = self.resolution is QuestionResolution.REFERRED
        if referred != (self.provider_id is not None):
            raise ValueError(
                "a referred question names the provider it was sent to (provider_id), "
                "and only a referred one"
            )
