"""The forms' logic: each expression renders as the XPath KoboCollect runs and evaluates
in Python the same way; the age a form computes is the model's age."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kk_adapters.kobo import form_logic as fl
from kk_adapters.kobo.form_logic import Context, ref
from kk_core.cases import Case, Subject
from kk_core.codes import CaseCategory, IntakeChannel, Sex


def _ctx(today: date = date(2025, 3, 4), **answers: object) -> Context:
    return Context(answers, today)


def test_expressions_render_as_xpath() -> None:
    assert fl.here.le(fl.today).xpath() == "(. <= today())"
    assert fl.selected(ref("issues"), "violence").xpath() == "selected(${issues}, 'violence')"
    assert fl.year_of(ref("d")).xpath() == "int(format-date(${d}, '%Y'))"
    assert (
        fl.count_where("perp", fl.child("relation").eq("parent")).gt(0).xpath()
        == "(count(${perp}[(relation = 'parent')]) > 0)"
    )
    assert fl.column("village").eq(ref("village")).xpath() == "(village = ${village})"
    assert fl.not_(fl.answered(ref("x"))).xpath() == "not((${x} != ''))"
    assert fl.if_(ref("a").lt(5), "x", 2).xpath() == "if((${a} < 5), 'x', 2)"


def test_unanswered_questions_read_as_odk_reads_them() -> None:
    ctx = _ctx()
    assert fl.answered(ref("x")).truth(ctx) is False
    assert ref("x").eq("").truth(ctx) is True
    assert ref("x").lt(5).truth(ctx) is False  # NaN
    assert ref("x").ge(5).truth(ctx) is False
    assert math.isnan((ref("x") + 1).evaluate(ctx))
    assert fl.coalesce(ref("x"), 12).evaluate(ctx) == 12
    assert fl.count_selected(ref("x")).evaluate(ctx) == 0
    assert fl.selected(ref("x"), "a").truth(ctx) is False


def test_choices_and_repeats() -> None:
    ctx = _ctx(issues=("violence", "other"), perp=[{"relation": "parent"}, {"relation": "uncle"}])
    assert fl.selected(ref("issues"), "other").truth(ctx)
    assert fl.count_selected(ref("issues")).evaluate(ctx) == 2
    assert fl.count_where("perp", fl.child("relation").eq("parent")).evaluate(ctx) == 1
    assert fl.one_of(ref("y"), ["a", "b"]).truth(_ctx(y="b"))
    assert fl.starts_with(ref("t"), "capital_").truth(_ctx(t="capital_kur"))
    assert fl.here.le(fl.today).truth(Context({}, date(2025, 3, 4), here=date(2025, 3, 4)))
    assert not fl.here.le(fl.today).truth(Context({}, date(2025, 3, 4), here=date(2025, 3, 5)))


_DAYS = st.dates(date(1990, 1, 1), date(2030, 12, 31))


@settings(max_examples=500, deadline=None)
@given(
    reported=st.one_of(st.dates(date(2000, 1, 1), date(2026, 12, 31)), st.just(date(2024, 2, 29))),
    day=_DAYS,
    born=st.one_of(
        st.tuples(st.integers(1960, 2026), st.none() | st.integers(1, 12)),
        st.tuples(st.none(), st.integers(0, 60)),
    ),
)
def test_the_form_computes_the_models_age(reported: date, day: date, born: tuple) -> None:
    year, month_or_age = born
    if year is not None:
        if (year, month_or_age or 1) > (reported.year, reported.month):
            return
        subject = Subject(Sex.FEMALE, birth_year=year, birth_month=month_or_age)
        answers = {"birth_year": year, "birth_month": month_or_age, "reported_on": reported}
    else:
        subject = Subject(Sex.FEMALE, age_years=month_or_age)
        answers = {"age_years": month_or_age, "reported_on": reported}
    case = Case(
        "c", "g", "52.03.17.2003", reported, IntakeChannel.WALK_IN, CaseCategory.OTHER, subject
    )
    age = fl.age_on(
        ref("day"),
        birth_year=ref("birth_year"),
        birth_month=ref("birth_m"),
        birth_last_day=ref("birth_last_day"),
        age_years=ref("age_years"),
        reported_on=ref("reported_on"),
    )
    ctx = Context({**answers, "day": day}, date(2030, 1, 1))
    month = fl.coalesce(ref("birth_month"), 12).evaluate(ctx)
    ctx = Context({**ctx.answers, "birth_m": month}, ctx.today)
    last = fl.last_day(ref("birth_year"), ref("birth_m")).evaluate(ctx)
    ctx = Context({**ctx.answers, "birth_last_day": last}, ctx.today)
    assert age.evaluate(ctx) == case.age_at(day)
    youngest = fl.youngest_age_on(
        ref("day"),
        birth_year=ref("birth_year"),
        birth_month=ref("birth_m"),
        birth_last_day=ref("birth_last_day"),
        age_years=ref("age_years"),
        reported_on=ref("reported_on"),
    )
    assert youngest.evaluate(ctx) == case.youngest_age_at(day)


@given(year=st.integers(1890, 2200), month=st.integers(1, 12))
def test_last_day_of_the_month(year: int, month: int) -> None:
    import calendar

    got = fl.last_day(ref("y"), ref("m")).evaluate(_ctx(y=year, m=month))
    assert got == calendar.monthrange(year, month)[1]


@settings(max_examples=300, deadline=None)
@given(start=_DAYS, end=_DAYS)
def test_whole_years_are_the_models(start: date, end: date) -> None:
    from kk_core.cases import _whole_years

    if end < start:
        start, end = end, start
    got = fl.whole_years(ref("a"), ref("b")).evaluate(_ctx(a=start, b=end))
    assert got == _whole_years(start, end)
