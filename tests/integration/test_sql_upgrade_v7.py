"""Schema version 7 (the review of issues 8 and 9): a case's GBVIMS context flags are a
set dimension (``kk_case_gbvims_flag``), and the upgrade rewrites every stored case so
its derived columns follow the review's rules — on SQLite and PostgreSQL, from release
0.1.0's database and from a version-6 database whose columns the old rules computed."""

from __future__ import annotations

from collections import Counter
from datetime import date

from kk_adapters.memory import MemoryStore
from kk_adapters.sql.engine import make_engine, parse_url
from kk_adapters.sql.migrations import upgrade
from kk_adapters.sql.schema import build_schema
from kk_adapters.sql.session import KindOps
from kk_adapters.sql.store import SqlStore
from kk_core.cases import Case, ChildMarriage, Perpetrator, Subject, ViolenceIncident
from kk_core.codes import CaseCategory, IntakeChannel, MarriageRoute, Sex, ViolenceForm
from kk_core.dimensions import compile_criteria, count_by
from sql_support import StoreMaker

DAY = date(2025, 3, 3)
VILLAGE = "52.03.17.2003"


def _cases() -> list[Case]:
    forced = Case(
        "k-forced",
        "kk-teros",
        VILLAGE,
        DAY,
        IntakeChannel.WALK_IN,
        CaseCategory.CHILD_MARRIAGE,
        Subject(Sex.FEMALE, age_years=18),
        child_marriage=ChildMarriage(event_on=DAY, routes={MarriageRoute.AFTER_SEXUAL_VIOLENCE}),
    )
    abused = Case(
        "k-abused",
        "kk-teros",
        VILLAGE,
        DAY,
        IntakeChannel.WALK_IN,
        CaseCategory.VIOLENCE,
        Subject(Sex.FEMALE, age_years=18),
        violence=ViolenceIncident(
            {ViolenceForm.SEXUAL},
            "household",
            perpetrators=[Perpetrator("boyfriend", sex=Sex.MALE)],
            occurred_on=date(2024, 9, 3),
        ),
    )
    return [forced, abused]


def test_flags_count_as_in_python(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    store.put_many(_cases())
    memory = MemoryStore()
    memory.put_many(_cases())
    for where in (store, memory):
        assert where.count(Case, by=("gbvims_flag",)) == {
            ("intimate_partner_violence",): 1,
            ("child_sexual_abuse",): 1,
            (None,): 1,  # a case with no flag: the forced marriage at 18
        }
        assert where.count(Case, gbvims_flag="child_sexual_abuse") == {(): 1}
        assert where.count(Case, gbvims_flag=None) == {(): 1}  # the forced marriage at 18


def test_a_version_6_database_is_recomputed(store_maker: StoreMaker) -> None:
    """Rows written at version 6 with the columns the old rules gave (an 18-year-old's
    forced marriage not sexual violence; 18 at the report, so an adult at the incident)
    read as the review's rules say once the database is upgraded."""
    engine, _ = make_engine(parse_url(store_maker.url, {}))
    if store_maker.schema is not None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{store_maker.schema}"')
    assert upgrade(engine, target=6, fresh_install=False) == [1, 2, 3, 4, 5, 6]
    schema = build_schema(6)
    with engine.begin() as conn:
        for case in _cases():
            ops = KindOps(schema.kinds["case"], engine.dialect)
            data, values, plain = ops.codec.encode(case)
            conn.exec_driver_sql(ops.insert, (case.id, 1, data, *values))
            for child, rows in zip(ops.children, ops.codec.child_rows(case.id, plain), strict=True):
                for row in rows:
                    conn.exec_driver_sql(child.insert, row)
        table = schema.kinds["case"].table
        conn.execute(  # what the old rules computed
            table.update().values(
                sexual_violence=False, gbvims_type="non_gbv", age_band="age_18_24"
            )
        )
    engine.dispose()
    store = store_maker.open()  # upgrades to 7
    cases = list(store.find(Case))
    kind = Case
    for name in ("sexual_violence", "gbvims_type", "age_band", "gbvims_flag"):
        want = count_by(cases, kind, (name,), compile_criteria(kind, {}))
        assert store.count(Case, by=(name,)) == want, name
    assert store.count(Case, sexual_violence=True) == {(): 2}
    assert store.count(Case, age_band="age_13_17") == {(): 1}  # 17 at the incident


def test_the_release_database_counts_as_in_python(upgraded_release: SqlStore) -> None:
    cases = list(upgraded_release.find(Case))
    assert cases
    for name in ("gbvims_flag", "gbvims_type", "sexual_violence", "age_band"):
        want = count_by(cases, Case, (name,), compile_criteria(Case, {}))
        assert upgraded_release.count(Case, by=(name,)) == want, name
    flags = Counter(f.value for c in cases for g in c.gbvims for f in g.flags)
    assert flags  # the release's cases have flags to count
