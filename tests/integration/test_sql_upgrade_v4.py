"""Schema version 4 (Pengaduan v2): the cases release 0.1.0 stored upgrade with nothing
lost, on SQLite and PostgreSQL.

The database is the example year as release 0.1.0 wrote it, made by
``examples/village_year.py`` at the last commit before the Pengaduan v2 change
(tests/fixtures/README.md). Each old case is compared with what it became, rule by rule
(`kk_core.cases.upgrade_case_data` and docs/changelog.md say the same rules), and every
count whose meaning did not change is the same before and after.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date
from typing import Any

import pytest

from kk_adapters.sql.store import SqlStore
from kk_core.case_lifecycle import follow_up_case
from kk_core.cases import Case
from kk_core.codes import AgeBand, CaseOutcome, ServiceKind
from kk_core.referrals import Referral, ServiceProvider
from release_support import old_connection

#: Case columns of schema version 2 whose meaning schema version 4 keeps.
SAME_MEANING = (
    "category",
    "subcategory",
    "status",
    "channel",
    "sex",
    "hamlet_id",
    "village_id",
    "regency_code",
    "month",
    "year",
    "outcome",
    "programme",
    "risk",
    "companion_id",
    "has_disability",
    "closed_on",
)


def _old_cases() -> dict[str, dict[str, Any]]:
    connection = old_connection()
    rows = {r["id"]: dict(r) for r in connection.execute("SELECT * FROM kk_case")}
    connection.close()
    return rows


OLD = _old_cases()


def _old_count(column: str) -> Counter[tuple[Any, ...]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for row in OLD.values():
        value = row[column]
        if column == "has_disability":
            value = bool(value)
        counts[(value,)] += 1
    return counts


@pytest.fixture
def cases(upgraded_release: SqlStore) -> dict[str, Case]:
    return {case.id: case for case in upgraded_release.find(Case)}


def test_every_case_is_kept_with_its_version(cases: dict[str, Case]) -> None:
    assert len(OLD) == 72
    assert {cid: c.version for cid, c in cases.items()} == {
        cid: row["version"] for cid, row in OLD.items()
    }


@pytest.mark.parametrize("column", SAME_MEANING)
def test_counts_whose_meaning_did_not_change_are_unchanged(
    upgraded_release: SqlStore, column: str
) -> None:
    new = upgraded_release.count(Case, by=(column,))
    if column == "closed_on":  # a date column: compare as text
        new = {(None if k[0] is None else str(k[0]),): n for k, n in new.items()}
    assert Counter(new) == _old_count(column)


def test_violence_forms_and_referrals_count_as_before(upgraded_release: SqlStore) -> None:
    connection = old_connection()
    forms = Counter(
        {
            (form,): n
            for form, n in connection.execute(
                "SELECT form, count(*) FROM kk_case_violence_form GROUP BY form"
            )
        }
    )
    referrals = Counter(
        {
            (status,): n
            for status, n in connection.execute(
                "SELECT status, count(*) FROM kk_referral GROUP BY status"
            )
        }
    )
    connection.close()
    by_form = Counter(upgraded_release.count(Case, by=("violence_form",)))
    del by_form[(None,)]  # the cases without violence, which the old table did not hold
    assert by_form == forms
    assert Counter(upgraded_release.count(Referral, by=("status",))) == referrals
    # no old case had a secondary issue: counted by issue, each counts once, as before
    assert Counter(upgraded_release.count(Case, by=("issue",))) == _old_count("category")


@pytest.mark.parametrize("case_id", sorted(OLD))
def test_each_old_case_becomes_what_the_rules_say(case_id: str, upgraded_release: SqlStore) -> None:
    old = json.loads(OLD[case_id]["data"])
    case = upgraded_release.get(Case, case_id)
    # what did not change is equal field by field
    for name in ("group_id", "village_id", "channel", "category", "status", "companion_id"):
        assert str(getattr(case, name)) == str(old[name]), name
    assert case.reported_on.isoformat() == old["reported_on"]
    assert [e.action for e in case.timeline] == [e["action"] for e in old["timeline"]]
    assert [e.note for e in case.timeline] == [e["note"] for e in old["timeline"]]
    assert case.summary == old["summary"]
    assert case.risk is not None
    assert case.risk.value == old["risk"]
    assert (case.outcome and case.outcome.value) == old["outcome"]
    assert case.issues == frozenset()
    assert case.reporter is None
    assert case.assessment is None
    assert case.plan == ()
    assert case.legal_stage is None
    # the subject: the birth day is dropped, nothing else changes
    subject, born = old["subject"], old["subject"]["birth_date"]
    expected_birth = (None, None) if born is None else (int(born[:4]), int(born[5:7]))
    assert (case.subject.birth_year, case.subject.birth_month) == expected_birth
    assert case.subject.age_years == subject["age_years"]
    assert (case.subject.initials, case.subject.identity) == (
        subject["initials"],
        subject["identity"],
    )
    # the violence: one perpetrator per relation, each of the recorded sex
    if old["violence"] is None:
        assert case.violence is None
    else:
        violence = case.violence
        assert violence is not None
        assert sorted(f.value for f in violence.forms) == sorted(old["violence"]["forms"])
        assert violence.place == old["violence"]["place"]
        assert [(p.relation, p.sex and p.sex.value) for p in violence.perpetrators] == [
            (r, old["violence"]["perpetrator_sex"])
            for r in old["violence"]["perpetrator_relations"]
        ]
    # the consent: "to refer" covered any referral, so every core kind of service
    if old["consent"] is None:
        assert case.consent is None
    else:
        consent = case.consent
        assert consent is not None
        assert consent.giver.value == old["consent"]["giver"]
        every = frozenset(kind.value for kind in ServiceKind)
        assert consent.services == (every if old["consent"]["to_refer"] else frozenset())
        assert consent.to_share_data == old["consent"]["to_share_data"]


def test_age_bands_are_now_taken_at_the_incident(cases: dict[str, Case]) -> None:
    """The meaning that changed: the age band is the age at the incident (and, the birth
    day dropped, the youngest the subject can be). At the report date every old band
    holds, but for those born in the month they were reported."""
    moved = []
    for case_id, row in OLD.items():
        case = cases[case_id]
        born = json.loads(row["data"])["subject"]["birth_date"]
        at_report = case.age_at(case.reported_on)
        same_month = born is not None and born[5:7] == case.reported_on.isoformat()[5:7]
        if at_report is not None and not same_month:
            assert AgeBand.for_age(at_report).value == row["age_band"], case_id
        if case.age_band is not None and case.age_band.value != row["age_band"]:
            moved.append(case_id)
    # no incident of the release's year was a whole year before its report, and no birth
    # day dropped moved anyone across a band; but KK-TRS-2025-068 was 18 at the report and
    # the incident 17 days before: the birthday not being known, she may have been 17,
    # so she counts as a child (the review of issues 8 and 9, finding 5)
    assert moved == ["KK-TRS-2025-068"]
    assert cases["KK-TRS-2025-068"].age_band is AgeBand.AGE_13_17
    assert cases["KK-TRS-2025-068"].age_at(cases["KK-TRS-2025-068"].reported_on) == 18


def test_old_legal_process_outcomes_still_read(cases: dict[str, Case]) -> None:
    """A closed case whose outcome was "legal process" keeps it; new ones stay open."""
    legal = [c for c in cases.values() if c.outcome is CaseOutcome.LEGAL_PROCESS]
    assert len(legal) == sum(r["outcome"] == "legal_process" for r in OLD.values()) == 2


def test_service_providers_keep_their_service(upgraded_release: SqlStore) -> None:
    connection = old_connection()
    old = {
        r["id"]: json.loads(r["data"])
        for r in connection.execute("SELECT * FROM kk_service_provider")
    }
    connection.close()
    new = {p.id: p for p in upgraded_release.find(ServiceProvider)}
    assert {pid: p.service for pid, p in new.items()} == {
        pid: d["service"] for pid, d in old.items()
    }
    assert Counter(upgraded_release.count(ServiceProvider, by=("core_service",))) == Counter(
        (d["service"],) for d in old.values()
    )


def test_an_upgraded_case_goes_on_in_the_new_model(upgraded_release: SqlStore) -> None:
    """An open old case is followed up in the new model, and the rewritten rows answer
    the new columns."""
    open_case = next(iter(upgraded_release.find(Case, status="active")))
    at = max(e.at for e in open_case.timeline).astimezone(UTC)
    moved, _ = follow_up_case(open_case, date(2026, 1, 15), at=at)
    upgraded_release.put(moved)
    assert upgraded_release.get(Case, open_case.id).next_follow_up == date(2026, 1, 15)
    assert upgraded_release.count(Case, next_follow_up=date(2026, 1, 15)) == {(): 1}
    violence = upgraded_release.count(Case, by=("gbvims_type",), category="violence")
    assert sum(violence.values()) == sum(r["category"] == "violence" for r in OLD.values())
