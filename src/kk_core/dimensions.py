"""What a store can filter and count by, declared once per record kind.

A dimension is a named scalar read off a record (``category``, ``hamlet_id``,
``month``). The memory store evaluates them in Python; the SQL adapter makes each a
typed, indexed column; both accept the same criteria, so a query means the same thing
on every store.

A few dimensions hold a *set* of values (``many=True``): a case's ``issue`` (its primary
category and its secondary issues), its ``violence_form``, ``document`` and
``dropout_reason``, and its ``gbvims_flag`` (the GBVIMS context flags of its
incidents). A criterion matches a
record when any of its values matches (``issue="violence"`` finds the child-marriage
case that is also about violence; ``None`` matches a record with none), and a count
``by`` such a dimension counts a record once under each of its values ("counted in
each"): the counts then add up to more than the records. The SQL adapter keeps them in
a child table.

Criteria, given as keyword arguments to ``find`` and ``count``:

* ``category="violence"`` — equality (codes or enum members; ``None`` matches missing);
* ``status={"reported", "active"}`` — membership (any set, list or tuple);
* ``reported_on=Between(date(2025, 1, 1), date(2025, 3, 31))`` — inclusive range;
* ``period=Between(...)`` — a range on the kind's main date (``reported_on`` for a case).

Dimensions read from a code list (``category``, ``status``, ``sex``, ``age_band`` …)
take codes, labels in either language (``"Perkawinan Anak"``) or enum members, and
compare codes: a value that is not in the list (``"child_mariage"``, referral
``status="open"``) would match nothing, so it is refused, with the list's codes. Open
lists (``subcategory``, ``sector``) are the lists as plugins extended them.

An unknown name, a value of the wrong type for its dimension (``year="2025"``, a
datetime for a date), a value no store keeps (NUL, a lone surrogate, text longer than
any stored value, an integer beyond 64 bits) or not in its code list is a
`ValidationError` listing every bad criterion, before any store is asked.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from types import UnionType
from typing import Any, TypeAlias, Union, get_args, get_origin

import attrs

from kk_core._checks import INT64_MAX
from kk_core._coded import Coded, CodeList, code_list_of
from kk_core._text import quote_value, shorten, text_problem
from kk_core.advocacy import AdvocacyProposal
from kk_core.business_groups import BusinessGroup
from kk_core.cases import Case
from kk_core.codes import CODE_LISTS, core_code
from kk_core.data_updates import DataUpdate
from kk_core.economy import Business, SupportAction
from kk_core.errors import CodeError, Problem, ValidationError
from kk_core.groups import ConstituentGroup, Member
from kk_core.import_marks import ImportMark
from kk_core.information_centre import ResidentQuestion
from kk_core.kinds import RECORD_KINDS, Record, RecordType, record_type
from kk_core.meetings import Meeting
from kk_core.outreach import InformationSession, Publication
from kk_core.places import Hamlet, Village, regency_code_of
from kk_core.referrals import Referral, ServiceProvider
from kk_core.training import Training
from kk_core.values import MAX_KEY_LENGTH

__all__ = [
    "DIMENSIONS",
    "MAX_MEMBERS",
    "Between",
    "Condition",
    "Dimension",
    "compile_criteria",
    "count_by",
    "counting_by",
    "dimension_codes",
    "dimension_values",
    "dimensions_of",
    "matches",
    "period_of",
]

Scalar: TypeAlias = str | int | bool | date | None


@attrs.frozen
class Between:
    """An inclusive range; either end may be open (``None``)."""

    start: Any = None
    end: Any = None

    def __attrs_post_init__(self) -> None:
        if self.start is None or self.end is None:
            return
        try:
            backwards = self.end < self.start
        except TypeError:
            backwards = None  # raised below, outside the except block: nothing chained
        if backwards is None:
            raise ValidationError(
                [
                    Problem(
                        "", f"cannot compare {quote_value(self.start)} with {quote_value(self.end)}"
                    )
                ],
                subject="range",
            )
        if backwards:
            raise ValidationError(
                [
                    Problem(
                        "",
                        f"range end {quote_value(self.end)} is before its start "
                        f"{quote_value(self.start)}",
                    )
                ],
                subject="range",
            )

    def __contains__(self, value: object) -> bool:
        if value is None:
            return False
        return (self.start is None or self.start <= value) and (
            self.end is None or value <= self.end
        )


@attrs.frozen
class Dimension:
    """A filterable, countable scalar of a record kind; ``type`` is str, int, bool or date.

    ``attribute`` names the record field the dimension is read from as it is (a code
    list member read as its code), when it is one: a store may then take the value from
    the unstructured record instead of calling ``read``. ``code_list`` names the code
    list (in `kk_core.codes.CODE_LISTS`) its values come from, when they do: criteria
    on it are checked against the list (`dimension_codes`).
    """

    name: str
    type: type
    read: Callable[[Any], Any] = attrs.field(eq=False, repr=False)
    attribute: str | None = attrs.field(default=None, kw_only=True)
    code_list: str | None = attrs.field(default=None, kw_only=True)
    #: ``read`` gives a frozenset of values: a criterion matches any of them, a count
    #: counts the record under each (under ``None`` when the set is empty).
    many: bool = attrs.field(default=False, kw_only=True)

    def values_of(self, record: Any) -> tuple[Scalar, ...]:
        """The values a record is counted under: one for a scalar dimension; for a set,
        each of them in order, or ``(None,)`` when it is empty."""
        value = self.read(record)
        if not self.many:
            return (value,)
        return tuple(sorted(value)) if value else (None,)


def _code(value: Enum | None) -> str | None:
    return None if value is None else str(value.value)


def _month(day: date | None) -> str | None:
    return None if day is None else f"{day.year:04d}-{day.month:02d}"


def _quarter(day: date | None) -> str | None:
    return None if day is None else f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def _year(day: date | None) -> int | None:
    return None if day is None else day.year


def _periods(date_field: str) -> tuple[Dimension, ...]:
    """``year`` and ``quarter`` of a kind's main date (added in schema 5)."""
    return (
        Dimension("year", int, lambda r: _year(getattr(r, date_field))),
        Dimension("quarter", str, lambda r: _quarter(getattr(r, date_field))),
    )


def _attr(name: str, type_: type = str, *, code_list: str | None = None) -> Dimension:
    def read(record: Any) -> Scalar:
        value = getattr(record, name)
        return _code(value) if isinstance(value, Enum) else value

    return Dimension(name, type_, read, attribute=name, code_list=code_list)


def _coded_type(t: Any) -> type[Coded] | None:
    """The code list enum of a field typed ``SomeCode`` or ``SomeCode | None``."""
    if get_origin(t) in (Union, UnionType):
        args = [a for a in get_args(t) if a is not type(None)]
        t = args[0] if len(args) == 1 else None
    return t if isinstance(t, type) and issubclass(t, Coded) else None


def _with_code_lists(cls: type, dims: tuple[Dimension, ...]) -> tuple[Dimension, ...]:
    """Each dimension read from a code-list field gets that list, from the field's type."""
    attrs.resolve_types(cls)
    fields = attrs.fields_dict(cls)
    made = []
    for dim in dims:
        enum = _coded_type(fields[dim.attribute].type) if dim.attribute in fields else None
        if enum is not None and dim.code_list is None:
            dim = attrs.evolve(dim, code_list=code_list_of(enum).name)
        made.append(dim)
    return tuple(made)


def _dims(*items: Dimension) -> tuple[Dimension, ...]:
    return (_attr("id"), *items)


def _case_place_simfoni(case: Case) -> str | None:
    """The SIMFONI place a case's incident place rolls up to."""
    if case.violence is None:
        return None
    return core_code("incident_place", case.violence.place)


def _case_age_band(case: Case) -> str | None:
    return _code(case.age_band)


def _case_issues(case: Case) -> frozenset[str]:
    return frozenset(issue.value for issue in case.all_issues)


def _case_violence_forms(case: Case) -> frozenset[str]:
    return frozenset() if case.violence is None else frozenset(f.value for f in case.violence.forms)


def _case_relations(case: Case) -> frozenset[str]:
    """The SIMFONI relations of a case's perpetrators, each once (a local relation rolls
    up to its core; one no installed list knows stays as it is)."""
    if case.violence is None:
        return frozenset()
    return frozenset(
        core_code("perpetrator_relation", p.relation) or p.relation
        for p in case.violence.perpetrators
    )


def _case_gbvims_flags(case: Case) -> frozenset[str]:
    """The GBVIMS context flags of every incident of the case (intimate partner
    violence, child sexual abuse, early marriage…): a case is counted under each."""
    return frozenset(flag.value for incident in case.gbvims for flag in incident.flags)


def _case_routes(case: Case) -> frozenset[str]:
    if case.child_marriage is None:
        return frozenset()
    return frozenset(route.value for route in case.child_marriage.routes)


_DECLARED: Mapping[RecordType, tuple[Dimension, ...]] = {
    Village: _dims(
        _attr("name"),
        _attr("district"),
        _attr("regency"),
        _attr("province"),
        Dimension("regency_code", str, lambda v: regency_code_of(v.id)),
    ),
    Hamlet: _dims(_attr("village_id"), _attr("name")),
    ConstituentGroup: _dims(
        _attr("village_id"),
        _attr("established_on", date),
        Dimension("year", int, lambda g: _year(g.established_on)),
    ),
    Member: _dims(
        _attr("group_id"),
        _attr("joined_on", date),
        _attr("sex"),
        _attr("position"),
        _attr("hamlet_id"),
        _attr("left_on", date),
        _attr("lives_in_village", bool),
        Dimension("has_disability", bool, lambda m: m.disability.has_disability),
        Dimension("year", int, lambda m: _year(m.joined_on)),
    ),
    ServiceProvider: _dims(
        _attr("service", code_list="service_kind"),
        _attr("area"),
        _attr("name"),
        Dimension(
            "core_service",
            str,
            lambda p: core_code("service_kind", p.service),
            code_list="service_kind",
        ),
    ),
    Case: _dims(
        _attr("group_id"),
        _attr("reported_on", date),
        _attr("village_id"),
        Dimension("regency_code", str, lambda c: regency_code_of(c.village_id)),
        Dimension("hamlet_id", str, lambda c: c.subject.hamlet_id),
        _attr("category"),
        Dimension("issue", str, _case_issues, code_list="case_category", many=True),
        _attr("subcategory", code_list="case_subcategory"),
        _attr("programme", code_list="social_programme"),
        _attr("status"),
        _attr("channel"),
        _attr("risk"),
        _attr("companion_id"),
        _attr("outcome"),
        _attr("closed_on", date),
        Dimension("month", str, lambda c: _month(c.reported_on)),
        Dimension("year", int, lambda c: c.reported_on.year),
        Dimension("sex", str, lambda c: _code(c.subject.sex), code_list="sex"),
        Dimension("age_band", str, _case_age_band, code_list="age_band"),
        Dimension("has_disability", bool, lambda c: c.subject.disability.has_disability),
        _attr("reporter"),
        Dimension("gbvims_type", str, lambda c: _code(c.gbvims_type), code_list="gbvims_type"),
        Dimension("sexual_violence", bool, lambda c: c.is_sexual_violence),
        Dimension(
            "incident_id", str, lambda c: None if c.violence is None else c.violence.incident_id
        ),
        Dimension(
            "place",
            str,
            lambda c: None if c.violence is None else c.violence.place,
            code_list="incident_place",
        ),
        Dimension("place_simfoni", str, _case_place_simfoni, code_list="incident_place"),
        _attr("legal_stage"),
        _attr("next_follow_up", date),
        Dimension("violence_form", str, _case_violence_forms, code_list="violence_form", many=True),
        _attr("welfare_decile", int),
        Dimension(
            "document",
            str,
            lambda c: frozenset(d.value for d in c.documents),
            code_list="civil_document",
            many=True,
        ),
        Dimension(
            "dropout_reason",
            str,
            lambda c: frozenset(r.value for r in c.dropout_reasons),
            code_list="dropout_reason",
            many=True,
        ),
        Dimension("quarter", str, lambda c: _quarter(c.reported_on)),
        Dimension(
            "relation_simfoni",
            str,
            _case_relations,
            code_list="perpetrator_relation",
            many=True,
        ),
        Dimension("marriage_route", str, _case_routes, code_list="marriage_route", many=True),
        Dimension("gbvims_flag", str, _case_gbvims_flags, code_list="gbvims_flag", many=True),
    ),
    Referral: _dims(
        _attr("case_id"),
        _attr("sent_on", date),
        _attr("provider_id"),
        _attr("status"),
        _attr("override"),
        _attr("follow_up_due", date),
        _attr("completed_on", date),
        Dimension("month", str, lambda r: _month(r.sent_on)),
        *_periods("sent_on"),
        _attr("responded_on", date),
        Dimension("open", bool, lambda r: r.is_open),
        Dimension("accepted", bool, lambda r: r.was_accepted),
        _attr("service", code_list="service_kind"),
        Dimension(
            "core_service",
            str,
            lambda r: None if r.service is None else core_code("service_kind", r.service),
            code_list="service_kind",
        ),
    ),
    Business: _dims(
        _attr("group_id"),
        _attr("sector", code_list="business_sector"),
        _attr("hamlet_id"),
        _attr("owner_sex"),
        Dimension("owner_has_disability", bool, lambda b: b.owner_disability.has_disability),
    ),
    SupportAction: _dims(
        _attr("business_id"),
        _attr("started_on", date),
        _attr("type"),
        _attr("status"),
        _attr("member_id"),
        _attr("completed_on", date),
        Dimension("month", str, lambda s: _month(s.started_on)),
        *_periods("started_on"),
        _attr("amount_rupiah", int),
    ),
    Publication: _dims(
        _attr("group_id"),
        _attr("published_on", date),
        _attr("topic"),
        _attr("channel"),
        Dimension("month", str, lambda p: _month(p.published_on)),
        *_periods("published_on"),
    ),
    InformationSession: _dims(
        _attr("group_id"),
        _attr("held_on", date),
        _attr("topic"),
        _attr("format"),
        _attr("hamlet_id"),
        Dimension("month", str, lambda s: _month(s.held_on)),
        *_periods("held_on"),
        Dimension("audience_female", int, lambda s: s.audience.female),
        Dimension("audience_male", int, lambda s: s.audience.male),
        Dimension("audience_with_disability", int, lambda s: s.audience.with_disability),
        Dimension("audience_total", int, lambda s: s.audience.total),
    ),
    AdvocacyProposal: _dims(
        _attr("group_id"),
        _attr("forum"),
        _attr("status"),
        _attr("requested_rupiah", int),
        _attr("cycle_year", int),
        _attr("village_id"),
        _attr("budget_field"),
        _attr("carried_over_from"),
        _attr("allocated_rupiah", int),
    ),
    Meeting: _dims(
        _attr("group_id"),
        _attr("held_on", date),
        Dimension("month", str, lambda m: _month(m.held_on)),
        _attr("type"),
        *_periods("held_on"),
    ),
    Training: _dims(
        _attr("group_id"),
        _attr("held_on", date),
        _attr("topic"),
        _attr("organiser"),
        Dimension("month", str, lambda t: _month(t.held_on)),
        *_periods("held_on"),
    ),
    DataUpdate: _dims(
        _attr("group_id"),
        _attr("started_on", date),
        _attr("data_set", code_list="data_set"),
        _attr("finished_on", date),
        _attr("hamlet_id"),
        _attr("handed_to"),
        _attr("handed_on", date),
        Dimension("month", str, lambda u: _month(u.started_on)),
        *_periods("started_on"),
    ),
    ResidentQuestion: _dims(
        _attr("group_id"),
        _attr("asked_on", date),
        _attr("topic", code_list="question_topic"),
        _attr("channel"),
        _attr("resolution"),
        _attr("resolved_on", date),
        _attr("provider_id"),
        _attr("member_id"),
        _attr("hamlet_id"),
        _attr("sex"),
        _attr("age_band"),
        Dimension("month", str, lambda q: _month(q.asked_on)),
        *_periods("asked_on"),
    ),
    BusinessGroup: _dims(
        _attr("group_id"),
        _attr("formed_on", date),
        _attr("sector", code_list="business_sector"),
        _attr("hamlet_id"),
        Dimension("has_capital_support", bool, lambda g: g.has_capital_support),
        Dimension("year", int, lambda g: _year(g.formed_on)),
    ),
    ImportMark: _dims(_attr("source")),
}

#: Dimensions per kind. The first date dimension listed after ``id`` is the kind's period.
DIMENSIONS: Mapping[RecordType, tuple[Dimension, ...]] = {
    kind: _with_code_lists(kind, dims) for kind, dims in _DECLARED.items()
}

assert set(DIMENSIONS) == set(RECORD_KINDS.values()), "every kind declares its dimensions"

_BY_NAME: dict[RecordType, dict[str, Dimension]] = {
    kind: {d.name: d for d in dims} for kind, dims in DIMENSIONS.items()
}


def dimensions_of(kind: RecordType | str) -> Mapping[str, Dimension]:
    return _BY_NAME[record_type(kind)]


def period_of(kind: RecordType | str) -> Dimension | None:
    """The kind's main date (what ``period=`` filters on), if it has one."""
    for dim in DIMENSIONS[record_type(kind)]:
        if dim.type is date:
            return dim
    return None


@attrs.frozen
class Condition:
    """One compiled criterion: ``op`` is ``"eq"``, ``"in"`` or ``"between"``; values are plain."""

    dimension: Dimension
    op: str
    value: Any


def _plain(value: Any) -> Any:
    return _code(value) if isinstance(value, Enum) else value


def _fits(dim: Dimension, value: Any) -> bool:
    """A criterion value a dimension can be compared with (comparing others is a TypeError
    in Python and a driver error in SQL, so it is refused up front)."""
    if value is None:
        return True
    if dim.type is bool:
        return isinstance(value, bool)
    if dim.type is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if dim.type is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, dim.type)


def dimension_codes(dim: Dimension) -> CodeList[Coded] | None:
    """The code list a dimension's values come from (open lists as plugins extended
    them), or None when its values are not codes."""
    if dim.code_list is None:
        return None
    listed = CODE_LISTS[dim.code_list]
    if not listed.extensible:
        return listed
    from kk_core.plugins import get_plugins

    return get_plugins().code_lists.get(dim.code_list, listed)


#: Codes a message lists when it refuses a value that is not one of them.
_LISTED_CODES = 40


def _not_a_code(codes: CodeList[Coded], value: str, suggestions: Iterable[str]) -> str:
    hint = ", ".join(repr(s) for s in suggestions)
    hint = f" (did you mean {hint}?)" if hint else ""
    if codes.extensible:
        listed = ", ".join(codes.codes[:_LISTED_CODES]) or "none yet"
        known = (
            f"give a code (snake_case, such as a plugin's local code) or a label; listed: {listed}"
        )
    else:
        known = ", ".join(codes.codes[:_LISTED_CODES])
        more = len(codes.codes) - _LISTED_CODES
        known = f"use one of: {known}" + (f" and {more} more" if more > 0 else "")
    return f"{quote_value(value)} is not a code of {codes.name}{hint}; {known}"


def _value_problem(dim: Dimension, value: Any) -> str | None:
    """Why a (plain) criterion value cannot be compared with the dimension, or None."""
    if value is None:
        return None
    if not _fits(dim, value):
        what = {int: "a whole number", bool: "true or false", date: "a date", str: "text"}
        return f"{quote_value(value)} is not {what.get(dim.type, dim.type.__name__)} (or None)"
    if isinstance(value, str):
        if len(value) > MAX_KEY_LENGTH:
            return (
                f"a value of {len(value):,} characters matches nothing: stored values have "
                f"at most {MAX_KEY_LENGTH}"
            )
        found = text_problem(value, MAX_KEY_LENGTH, free_text=False)
        if found is not None:
            return f"the value {found}"
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not -INT64_MAX - 1 <= value <= INT64_MAX
    ):
        return f"{quote_value(value)} does not fit a signed 64-bit integer: it matches nothing"
    return None


_LOCAL_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

#: Values a membership criterion takes at most: every store sends them as one query
#: (PostgreSQL takes 65,535 parameters, SQLite 32,766).
MAX_MEMBERS = 10_000

#: Text dimensions whose values have a fixed shape (by dimension name): a value of
#: another shape can match nothing, so it is refused rather than counted as zero.
_SHAPES: dict[str, tuple[re.Pattern[str], str]] = {
    "month": (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "a month like '2025-02'"),
    "quarter": (re.compile(r"^\d{4}-Q[1-4]$"), "a quarter like '2025-Q1'"),
    "regency_code": (re.compile(r"^\d{2}\.\d{2}$"), "a Kemendagri regency code like '52.03'"),
    "village_id": (
        re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
        "a Kemendagri village code like '52.03.17.2003'",
    ),
}


def _shape_of(kind: RecordType, dim: Dimension) -> tuple[re.Pattern[str], str] | None:
    if kind is Village and dim.name == "id":
        return _SHAPES["village_id"]
    return _SHAPES.get(dim.name) if dim.type is str else None


def _code_of(codes: CodeList[Coded], value: str) -> tuple[str | None, list[str]]:
    """The code a value names (a code or a label), or None and some suggestions.

    An open list also takes a value written as a code that it does not list and that is
    close to none of its codes: a record may hold a local code of a plugin that is not
    installed here, and a query must still find it. A value close to a listed code
    (``agricultur``) is a typo, refused with the suggestion, like a misspelt label.
    """
    if value in codes.codes:
        return value, []
    entry = None
    try:
        entry = codes.lookup(value)
    except CodeError as exc:
        if codes.extensible and not exc.suggestions and _LOCAL_CODE.match(value):
            return value, []
        return None, list(exc.suggestions)
    return entry.code, []


def compile_criteria(kind: RecordType | str, criteria: Mapping[str, Any]) -> tuple[Condition, ...]:
    """Check criteria against the kind's dimensions; `ValidationError` names each bad one.

    Values of code-list dimensions become codes (labels and enum members accepted).
    """
    dims = dimensions_of(kind)
    conditions: list[Condition] = []
    problems: list[Problem] = []
    for name, value in criteria.items():
        dim = period_of(kind) if name == "period" else dims.get(name)
        if dim is None:
            problems.append(
                Problem(
                    shorten(str(name)),
                    f"cannot filter by {quote_value(name)}; use one of {', '.join(dims)}",
                )
            )
            continue
        if isinstance(value, Between):
            values: list[Any] = [_plain(value.start), _plain(value.end)]
        elif isinstance(value, set | frozenset | list | tuple):
            if len(value) > MAX_MEMBERS:
                problems.append(
                    Problem(
                        name,
                        f"a set of {len(value):,} values is more than one query takes "
                        f"({MAX_MEMBERS:,}); split it, or filter by another dimension",
                    )
                )
                continue
            values = [_plain(v) for v in value]
        else:
            values = [_plain(value)]
        wrong = [found for v in values if (found := _value_problem(dim, v)) is not None]
        shape = _shape_of(record_type(kind), dim)
        if shape is not None:
            wrong += [
                f"{quote_value(v)} is not {shape[1]}: it matches nothing"
                for v in values
                if isinstance(v, str) and not shape[0].match(v)
            ]
        if wrong:
            problems.append(Problem(name, wrong[0]))
            continue
        codes = dimension_codes(dim)
        if codes is not None and isinstance(value, Between):
            problems.append(
                Problem(name, f"codes of {codes.name} have no order: give a code or a set of codes")
            )
            continue
        if codes is not None:
            parsed: list[Any] = []
            refused: str | None = None
            for v in values:
                code, suggestions = (None, []) if v is None else _code_of(codes, v)
                if v is not None and code is None:
                    refused = _not_a_code(codes, v, suggestions)
                    break
                parsed.append(code)
            if refused is not None:
                problems.append(Problem(name, refused))
                continue
            values = parsed
        if isinstance(value, Between):
            cond = Condition(dim, "between", Between(values[0], values[1]))
        elif isinstance(value, set | frozenset | list | tuple):
            cond = Condition(dim, "in", frozenset(values))
        else:
            cond = Condition(dim, "eq", values[0])
        conditions.append(cond)
    if problems:
        raise ValidationError(problems, subject=f"{record_type(kind).kind} query")
    return tuple(conditions)


def _meets(value: Scalar, cond: Condition) -> bool:
    if cond.op == "eq":
        return bool(value == cond.value)
    return value in cond.value


def matches(record: Record, conditions: Iterable[Condition]) -> bool:
    """True when the record meets every condition (the reference semantics for all stores).

    A set dimension meets a condition when one of its values does; an empty set is
    ``None`` (it meets ``None`` and a membership holding ``None``, never a range).
    """
    for cond in conditions:
        dim = cond.dimension
        if dim.many:
            if not any(_meets(v, cond) for v in dim.values_of(record)):
                return False
        elif not _meets(dim.read(record), cond):
            return False
    return True


def dimension_values(record: Record, names: Iterable[str]) -> tuple[Any, ...]:
    """The record's values of the named dimensions (a frozenset for a set dimension)."""
    dims = dimensions_of(type(record))
    return tuple(dims[name].read(record) for name in names)


def counting_by(kind: RecordType | str, by: Any) -> tuple[str, ...]:
    """The dimension names of a count's ``by``; `ValidationError` for anything but a
    sequence of the kind's dimension names (a bare string, ``None``, a number)."""
    subject = f"{record_type(kind).kind} count"
    if isinstance(by, str | bytes) or not isinstance(by, Iterable):
        raise ValidationError(
            [Problem("by", f"give a tuple of dimension names, not {quote_value(by)}")],
            subject=subject,
        )
    names = tuple(by)
    dims = dimensions_of(kind)
    unknown = [n for n in names if not isinstance(n, str) or n not in dims]
    if unknown:
        raise ValidationError(
            [
                Problem(
                    shorten(str(n)),
                    f"cannot count by {quote_value(n)}; use one of {', '.join(dims)}",
                )
                for n in unknown
            ],
            subject=subject,
        )
    return names


def count_by(
    records: Iterable[Record],
    kind: RecordType | str,
    by: Iterable[str],
    conditions: Iterable[Condition] = (),
) -> dict[tuple[Scalar, ...], int]:
    """Group-by count in Python: what stores without aggregate push-down do.

    Without ``by`` the answer is one total, ``{(): n}``, also when ``n`` is 0; with
    ``by``, only combinations that occur are keys. By a set dimension, a record counts
    once under each of its values.
    """
    dims = dimensions_of(kind)
    names = counting_by(kind, by)
    chosen = [dims[n] for n in names]
    readers = [d.read for d in chosen]
    many = any(d.many for d in chosen)
    conds = tuple(conditions)
    counts: dict[tuple[Scalar, ...], int] = {}
    for record in records:
        if conds and not matches(record, conds):
            continue
        if many:  # counted once under each combination of its values
            for key in itertools.product(*(d.values_of(record) for d in chosen)):
                counts[key] = counts.get(key, 0) + 1
            continue
        key = tuple(read(record) for read in readers)
        counts[key] = counts.get(key, 0) + 1
    if not names and not counts:
        counts[()] = 0  # one total, even of nothing: ``counts[()]`` always works
    return counts
