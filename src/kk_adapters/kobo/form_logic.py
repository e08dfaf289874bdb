"""The logic of the generated forms, written once: each expression renders as the XPath
an XLSForm ``relevant``, ``constraint``, ``required``, ``calculation`` or
``choice_filter`` column holds, and evaluates in Python on a form's answers.

The generated forms (`kk_adapters.kobo.forms`) state every rule of the model they
enforce on the phone with these expressions; the tests play the forms with the Python
evaluation, so that what a form accepts and what the importer accepts are compared on
the very expressions KoboCollect runs. Only the small part of XPath 1.0 and of the ODK
functions the forms need is here (ODK XForms spec: ``today()``, ``format-date``,
``selected``, ``count-selected``, ``coalesce``, ``if``, ``int``, ``starts-with``).

Evaluation follows ODK's semantics where the forms depend on them: an unanswered
question is the empty string (``=`` and ``!=`` compare it as such, ``<`` and the
arithmetic treat it as NaN: false, and NaN); dates compare as dates.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

__all__ = [
    "Context",
    "Expr",
    "age_on",
    "answered",
    "as_expr",
    "child",
    "coalesce",
    "column",
    "count_selected",
    "count_where",
    "day_of",
    "here",
    "if_",
    "last_day",
    "lit",
    "month_of",
    "not_",
    "one_of",
    "ref",
    "selected",
    "starts_with",
    "today",
    "whole_years",
    "year_of",
    "youngest_age_on",
]


@attrs.frozen
class Context:
    """What an expression is evaluated against: the answers by question name (a repeat's
    name → its entries, each answers by name), today's date, the answer of the question
    being checked (``.``), the repeat entry being checked, and the choice a choice filter
    is tested on (its columns by name)."""

    answers: Mapping[str, Any]
    today: date
    here: Any = None
    entry: Mapping[str, Any] | None = None
    choice: Mapping[str, str] | None = None

    def lookup(self, name: str) -> Any:
        if self.entry is not None and name in self.entry:
            return self.entry[name]
        return self.answers.get(name)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == ()


def _number(value: Any) -> float:
    if _blank(value) or isinstance(value, bool):
        return math.nan if not isinstance(value, bool) else float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return math.nan


def _comparable(value: Any) -> Any:
    """Dates stay dates; everything else a number (NaN when blank)."""
    return value if isinstance(value, date) else _number(value)


class Expr(abc.ABC):
    """An expression of the forms' logic (build with the functions of this module and
    the operators ``&``, ``|``, ``+``, ``-`` and the methods ``eq`` … ``ge``)."""

    @abc.abstractmethod
    def xpath(self) -> str: ...

    @abc.abstractmethod
    def evaluate(self, ctx: Context) -> Any: ...

    def names(self) -> set[str]:
        """The questions this expression reads (``${name}``)."""
        return set()

    def __str__(self) -> str:
        return self.xpath()

    # operators ---------------------------------------------------------------------------
    def __and__(self, other: Expr | Any) -> Expr:
        return _Bin("and", self, as_expr(other))

    def __or__(self, other: Expr | Any) -> Expr:
        return _Bin("or", self, as_expr(other))

    def __add__(self, other: Expr | Any) -> Expr:
        return _Bin("+", self, as_expr(other))

    def __sub__(self, other: Expr | Any) -> Expr:
        return _Bin("-", self, as_expr(other))

    def mod(self, other: Expr | Any) -> Expr:
        return _Bin("mod", self, as_expr(other))

    def eq(self, other: Expr | Any) -> Expr:
        return _Bin("=", self, as_expr(other))

    def ne(self, other: Expr | Any) -> Expr:
        return _Bin("!=", self, as_expr(other))

    def lt(self, other: Expr | Any) -> Expr:
        return _Bin("<", self, as_expr(other))

    def le(self, other: Expr | Any) -> Expr:
        return _Bin("<=", self, as_expr(other))

    def gt(self, other: Expr | Any) -> Expr:
        return _Bin(">", self, as_expr(other))

    def ge(self, other: Expr | Any) -> Expr:
        return _Bin(">=", self, as_expr(other))

    def truth(self, ctx: Context) -> bool:
        return _truth(self.evaluate(ctx))


def _truth(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, int | float):
        return value != 0
    return not _blank(value)


def as_expr(value: Expr | Any) -> Expr:
    return value if isinstance(value, Expr) else lit(value)


@attrs.frozen
class _Lit(Expr):
    value: str | int | bool

    def xpath(self) -> str:
        if isinstance(self.value, bool):
            return "true()" if self.value else "false()"
        if isinstance(self.value, int):
            return str(self.value)
        if "'" in self.value:
            raise ValueError(f"a literal with a quote cannot be written: {self.value!r}")
        return f"'{self.value}'"

    def evaluate(self, ctx: Context) -> Any:
        return self.value


@attrs.frozen
class _Ref(Expr):
    name: str

    def xpath(self) -> str:
        return "${" + self.name + "}"

    def evaluate(self, ctx: Context) -> Any:
        return ctx.lookup(self.name)

    def names(self) -> set[str]:
        return {self.name}


@attrs.frozen
class _Here(Expr):
    def xpath(self) -> str:
        return "."

    def evaluate(self, ctx: Context) -> Any:
        return ctx.here


@attrs.frozen
class _Column(Expr):
    """A column of the choices sheet, in a choice filter (``village``)."""

    name: str

    def xpath(self) -> str:
        return self.name

    def evaluate(self, ctx: Context) -> Any:
        return (ctx.choice or {}).get(self.name)


@attrs.frozen
class _Child(Expr):
    """A question of a repeat entry, in a predicate of `count_where`."""

    name: str

    def xpath(self) -> str:
        return self.name

    def evaluate(self, ctx: Context) -> Any:
        return (ctx.entry or {}).get(self.name)


@attrs.frozen
class _Today(Expr):
    def xpath(self) -> str:
        return "today()"

    def evaluate(self, ctx: Context) -> Any:
        return ctx.today


def _equal(a: Any, b: Any) -> bool:
    a = "" if a is None else a
    b = "" if b is None else b
    if isinstance(a, str) or isinstance(b, str):
        if isinstance(a, str) and isinstance(b, str):
            return a == b
        if a == "" or b == "":
            return False
        return _number(a) == _number(b)
    return bool(a == b)


_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "mod": lambda a, b: math.fmod(a, b) if b else math.nan,
}
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}


@attrs.frozen
class _Bin(Expr):
    op: str
    left: Expr
    right: Expr

    def xpath(self) -> str:
        return f"({self.left.xpath()} {self.op} {self.right.xpath()})"

    def evaluate(self, ctx: Context) -> Any:
        if self.op == "and":
            return self.left.truth(ctx) and self.right.truth(ctx)
        if self.op == "or":
            return self.left.truth(ctx) or self.right.truth(ctx)
        a, b = self.left.evaluate(ctx), self.right.evaluate(ctx)
        if self.op == "=":
            return _equal(a, b)
        if self.op == "!=":
            return not _equal(a, b)
        if self.op in _ARITH:
            return _ARITH[self.op](_number(a), _number(b))
        x, y = _comparable(a), _comparable(b)
        if isinstance(x, date) != isinstance(y, date):
            return False
        if not isinstance(x, date) and (math.isnan(x) or math.isnan(y)):
            return False
        return _ORDER[self.op](x, y)

    def names(self) -> set[str]:
        return self.left.names() | self.right.names()


@attrs.frozen
class _Call(Expr):
    """An XPath/ODK function call, with its Python meaning."""

    function: str
    args: tuple[Expr, ...]
    python: Callable[..., Any] = attrs.field(eq=False)
    #: Render without re-evaluating arguments: int(format-date(x, '%Y')) and such.
    template: str | None = None

    def xpath(self) -> str:
        parts = [a.xpath() for a in self.args]
        if self.template is not None:
            return self.template.format(*parts)
        return f"{self.function}({', '.join(parts)})"

    def evaluate(self, ctx: Context) -> Any:
        if self.function == "if":
            chosen = self.args[1] if self.args[0].truth(ctx) else self.args[2]
            return chosen.evaluate(ctx)
        return self.python(*(a.evaluate(ctx) for a in self.args))

    def names(self) -> set[str]:
        found: set[str] = set()
        for a in self.args:
            found |= a.names()
        return found


@attrs.frozen
class _CountWhere(Expr):
    """``count(${repeat}[predicate])``: the entries of a repeat the predicate holds for."""

    repeat: str
    predicate: Expr

    def xpath(self) -> str:
        return f"count(${{{self.repeat}}}[{self.predicate.xpath()}])"

    def evaluate(self, ctx: Context) -> Any:
        entries = ctx.answers.get(self.repeat) or ()
        return sum(
            1 for e in entries if self.predicate.truth(attrs.evolve(ctx, entry=e, here=None))
        )

    def names(self) -> set[str]:
        return {self.repeat}


# -- building ----------------------------------------------------------------------------


def lit(value: str | int | bool) -> Expr:
    return _Lit(value)


def ref(name: str) -> Expr:
    """``${name}``: the answer to the question ``name``."""
    return _Ref(name)


def column(name: str) -> Expr:
    """A column of the choices sheet (in a choice filter)."""
    return _Column(name)


def child(name: str) -> Expr:
    """A question of a repeat's entry (in a `count_where` predicate)."""
    return _Child(name)


here = _Here()
today = _Today()


def not_(e: Expr) -> Expr:
    return _Call("not", (e,), lambda v: not _truth(v))


def answered(e: Expr) -> Expr:
    """The question is answered: ``${x} != ''``."""
    return e.ne("")


def if_(condition: Expr, then: Expr | Any, otherwise: Expr | Any) -> Expr:
    return _Call("if", (condition, as_expr(then), as_expr(otherwise)), lambda *a: None)


def coalesce(first: Expr, second: Expr | Any) -> Expr:
    return _Call("coalesce", (first, as_expr(second)), lambda a, b: b if _blank(a) else a)


def _selected(answer: Any, code: Any) -> bool:
    if _blank(answer):
        return False
    names = answer if isinstance(answer, tuple | list) else str(answer).split()
    return str(code) in names


def selected(e: Expr, code: Expr | str) -> Expr:
    """``selected(${x}, 'code')``: a select_multiple holds the choice."""
    return _Call("selected", (e, as_expr(code)), _selected)


def count_selected(e: Expr) -> Expr:
    return _Call(
        "count-selected",
        (e,),
        lambda v: 0 if _blank(v) else len(v if isinstance(v, tuple | list) else str(v).split()),
    )


def starts_with(e: Expr, prefix: str) -> Expr:
    return _Call(
        "starts-with",
        (e, lit(prefix)),
        lambda v, p: not _blank(v) and str(v).startswith(p),
    )


def one_of(e: Expr, codes: Sequence[str]) -> Expr:
    """The answer is one of ``codes`` (false for none)."""
    if not codes:
        return lit(False)
    out = e.eq(codes[0])
    for code in codes[1:]:
        out = out | e.eq(code)
    return out


def count_where(repeat: str, predicate: Expr) -> Expr:
    return _CountWhere(repeat, predicate)


def _part(attribute: str) -> Callable[[Any], float]:
    def get(value: Any) -> float:
        return float(getattr(value, attribute)) if isinstance(value, date) else math.nan

    return get


def year_of(e: Expr) -> Expr:
    return _Call("year", (e,), _part("year"), template="int(format-date({0}, '%Y'))")


def month_of(e: Expr) -> Expr:
    return _Call("month", (e,), _part("month"), template="int(format-date({0}, '%m'))")


def day_of(e: Expr) -> Expr:
    return _Call("day", (e,), _part("day"), template="int(format-date({0}, '%d'))")


def _before_in_year(month_a: Expr, day_a: Expr, month_b: Expr, day_b: Expr) -> Expr:
    """(month_a, day_a) comes before (month_b, day_b)."""
    return month_a.lt(month_b) | (month_a.eq(month_b) & day_a.lt(day_b))


def whole_years(start: Expr, end: Expr) -> Expr:
    """Completed years from ``start`` to ``end`` (``end`` not before ``start``), as
    `kk_core.cases` counts them."""
    early = _before_in_year(month_of(end), day_of(end), month_of(start), day_of(start))
    return year_of(end) - year_of(start) - if_(early, 1, 0)


def last_day(year: Expr, month: Expr) -> Expr:
    """The last day of ``month`` of ``year`` (28 to 31)."""
    leap = (year.mod(4).eq(0) & year.mod(100).ne(0)) | year.mod(400).eq(0)
    short = month.eq(4) | month.eq(6) | month.eq(9) | month.eq(11)
    return if_(month.eq(2), if_(leap, 29, 28), if_(short, 30, 31))


def _youngest_from_age(day: Expr, age_years: Expr, reported_on: Expr) -> Expr:
    """Whole years on ``day`` of someone born, at the latest, ``age_years`` before the
    report date (on that day of the year; 29 February falls on the 28th)."""
    born_year = year_of(reported_on) - age_years
    leap = (born_year.mod(4).eq(0) & born_year.mod(100).ne(0)) | born_year.mod(400).eq(0)
    feb29 = month_of(reported_on).eq(2) & day_of(reported_on).eq(29) & not_(leap)
    born_day = if_(feb29, 28, day_of(reported_on))
    early = _before_in_year(month_of(day), day_of(day), month_of(reported_on), born_day)
    years = year_of(day) - born_year - if_(early, 1, 0)
    return if_(years.lt(0), 0, years)


def _from_birth(day: Expr, birth_year: Expr, birth_month: Expr, birth_last_day: Expr) -> Expr:
    not_yet = _before_in_year(month_of(day), day_of(day), birth_month, birth_last_day)
    years = year_of(day) - birth_year - if_(not_yet, 1, 0)
    return if_(years.lt(0), 0, years)


def age_on(
    day: Expr,
    *,
    birth_year: Expr,
    birth_month: Expr,
    birth_last_day: Expr,
    age_years: Expr,
    reported_on: Expr,
) -> Expr:
    """The subject's age on ``day`` as `kk_core.cases.Case.age_at` takes it: from the
    birth year and month (the birthday taken as the last day of the birth month, or of
    December when the month is unknown: ``birth_month`` is that month, 12 when unknown,
    and ``birth_last_day`` its last day, see `last_day`), else from the age on the
    report date, counting whole years between the two days — but 17 when the subject
    may have been a child that day (the youngest she can be is under 18)."""
    back = age_years - whole_years(day, reported_on)
    likely = if_(
        day.ge(reported_on),
        age_years + whole_years(reported_on, day),
        if_(back.lt(0), 0, back),
    )
    youngest = _youngest_from_age(day, age_years, reported_on)
    from_age = if_(likely.eq(18) & youngest.lt(18), youngest, likely)
    return if_(
        answered(birth_year), _from_birth(day, birth_year, birth_month, birth_last_day), from_age
    )


def youngest_age_on(
    day: Expr,
    *,
    birth_year: Expr,
    birth_month: Expr,
    birth_last_day: Expr,
    age_years: Expr,
    reported_on: Expr,
) -> Expr:
    """The youngest the subject can be on ``day`` (`kk_core.cases.Case.youngest_age_at`):
    what the legal age limits are judged by (under 19 for a child marriage)."""
    return if_(
        answered(birth_year),
        _from_birth(day, birth_year, birth_month, birth_last_day),
        _youngest_from_age(day, age_years, reported_on),
    )
