"""Schema version 5 (analysis, issue 10): the database release 0.1.0 wrote upgrades on
SQLite and PostgreSQL; its referrals take the service of their provider, with their
versions kept; the new dimensions count on the upgraded database as they do in Python."""

from __future__ import annotations

from collections import Counter

from kk_adapters.sql.store import SqlStore
from kk_core.dimensions import compile_criteria, count_by
from kk_core.kinds import RECORD_KINDS
from kk_core.referrals import Referral, ServiceProvider
from release_support import old_connection


def _old_referrals() -> dict[str, int]:
    connection = old_connection()
    rows = {
        r["id"]: r["version"] for r in connection.execute("SELECT id, version FROM kk_referral")
    }
    connection.close()
    return rows


def test_referrals_take_their_providers_service(upgraded_release: SqlStore) -> None:
    providers = {p.id: p.service for p in upgraded_release.find(ServiceProvider)}
    referrals = list(upgraded_release.find(Referral))
    assert referrals
    assert {r.id: r.version for r in referrals} == _old_referrals()
    for referral in referrals:
        assert referral.service == providers[referral.provider_id]
    by_service = upgraded_release.count(Referral, by=("service",))
    assert Counter(by_service) == Counter((providers[r.provider_id],) for r in referrals)
    assert upgraded_release.count(Referral, service=None) == {(): 0}


def test_new_dimensions_count_as_in_python(upgraded_release: SqlStore) -> None:
    """Every dimension added in schema 5 counts on the upgraded rows as `count_by` does."""
    added = {
        "case": ("quarter", "marriage_route", "relation_simfoni"),
        "referral": ("year", "quarter", "responded_on", "open", "accepted", "core_service"),
        "support_action": ("year", "quarter", "amount_rupiah"),
        "information_session": ("year", "audience_total", "audience_with_disability"),
        "advocacy_proposal": ("allocated_rupiah",),
        "meeting": ("year", "quarter"),
        "member": ("year",),
        "group": ("year",),
    }
    for kind_name, names in added.items():
        kind = RECORD_KINDS[kind_name]
        records = list(upgraded_release.find(kind))
        for name in names:
            want = count_by(records, kind, (name,), compile_criteria(kind, {}))
            assert upgraded_release.count(kind, by=(name,)) == want, (kind_name, name)
