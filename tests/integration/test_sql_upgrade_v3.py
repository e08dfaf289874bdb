"""Schema version 3 (advocacy across forums, the rest of the KK's work): the database
release 0.1.0 wrote (tests/fixtures/release-0.1.0-teros.db.gz, schema version 2)
upgrades on SQLite and PostgreSQL with nothing lost; its proposals read, and are stored,
in the new model; the new kinds' tables work on the upgraded database."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from kk_adapters.sql.schema import LATEST_VERSION
from kk_adapters.sql.store import SqlStore
from kk_core.advocacy import AdvocacyProposal
from kk_core.business_groups import BusinessGroup
from kk_core.codes import (
    DataRecipient,
    MeetingType,
    ProposalStatus,
    QuestionChannel,
    QuestionResolution,
    TrainingOrganiser,
)
from kk_core.data_updates import DataUpdate
from kk_core.dimensions import Between
from kk_core.information_centre import ResidentQuestion
from kk_core.kinds import RECORD_KINDS
from kk_core.meetings import Meeting
from kk_core.training import Training
from sql_support import StoreMaker

NEW_TABLES = {
    "kk_training",
    "kk_training_member",
    "kk_data_update",
    "kk_data_update_member",
    "kk_resident_question",
    "kk_business_group",
    "kk_business_group_business",
}
#: The fixture's three proposals, as release 0.1.0 stored them and as they read now.
PROPOSALS = {
    "kk-teros-usulan-2025-01": ("funded", ProposalStatus.FUNDED_APBDES),
    "kk-teros-usulan-2025-02": ("discussed", ProposalStatus.IN_MUSDES),
    "kk-teros-usulan-2025-03": ("rejected", ProposalStatus.REJECTED),
}


#: Tables whose rows migrations rewrite in a new shape: proposals (3), cases and service
#: providers (4, checked in test_sql_upgrade_v4.py), referrals (5, which record their
#: service: test_sql_upgrade_v5.py).
REWRITTEN = frozenset({"kk_advocacy_proposal", "kk_case", "kk_service_provider", "kk_referral"})


def test_the_release_database_upgrades_with_every_row_kept(
    store_maker: StoreMaker, upgraded_release: SqlStore, old_rows: dict[str, list[dict[str, Any]]]
) -> None:
    store = upgraded_release
    assert store.schema_version == LATEST_VERSION >= 3
    engine = store_maker.admin()
    with engine.connect() as conn:
        stamped = conn.execute(sa.text("SELECT version FROM kk_schema_version")).scalars().all()
        now = {
            table: {
                r["id"] if "id" in r else tuple(r.values()): r
                for r in (
                    dict(m) for m in conn.execute(sa.text(f'SELECT * FROM "{table}"')).mappings()
                )
            }
            for table in old_rows
        }
        new_tables = set(sa.inspect(conn).get_table_names()) & NEW_TABLES
    engine.dispose()
    assert sorted(stamped) == list(range(1, LATEST_VERSION + 1))
    assert new_tables == NEW_TABLES
    assert sum(len(rows) for rows in old_rows.values()) > 251  # records and child rows
    for table, rows in old_rows.items():
        assert len(now[table]) == len(rows), table
        if "id" not in rows[0]:
            continue
        for row in rows:
            kept = now[table][row["id"]]
            assert kept["version"] == row["version"], (table, row["id"])
            if table not in REWRITTEN:  # the kinds whose stored shape changed
                assert kept["data"] == row["data"], (table, row["id"])
    # every record reads as a record of the current model, kind by kind
    for kind, cls in RECORD_KINDS.items():
        table = f"kk_{kind}"
        found = list(store.find(cls))
        assert len(found) == len(old_rows.get(table, ())), kind
        assert all(r.version >= 1 for r in found)


def test_the_release_proposals_read_and_are_stored_in_the_new_model(
    store_maker: StoreMaker, upgraded_release: SqlStore
) -> None:
    store = upgraded_release
    found = {p.id: p for p in store.find(AdvocacyProposal)}
    assert {pid: p.status for pid, p in found.items()} == {
        pid: new for pid, (_, new) in PROPOSALS.items()
    }
    assert {p.cycle_year for p in found.values()} == {2026}  # drafted in 2025
    funded = found["kk-teros-usulan-2025-01"]
    assert funded.allocated_rupiah == 45_000_000
    assert [e.action for e in funded.timeline] == [
        "draft",
        "submit_musrenbangdes",
        "discuss",
        "adopt_rkpdes",
        "fund_apbdes",
    ]
    # the columns were rewritten too: queries see the new codes
    assert [p.id for p in store.find(AdvocacyProposal, status="funded_apbdes")] == [funded.id]
    assert store.count(AdvocacyProposal, by=("status", "cycle_year")) == {
        (new.value, 2026): 1 for _, new in PROPOSALS.values()
    }
    engine = store_maker.admin()
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(sa.text("SELECT id, status FROM kk_advocacy_proposal")).fetchall()
        )
        data = conn.execute(
            sa.text("SELECT data FROM kk_advocacy_proposal WHERE id = :id"), {"id": funded.id}
        ).scalar_one()
    engine.dispose()
    assert statuses == {pid: new.value for pid, (_, new) in PROPOSALS.items()}
    assert '"status":"funded_apbdes"' in data
    assert '"cycle_year":2026' in data
    assert '"action":"fund"' not in data


def test_the_release_meetings_are_the_kks_own(upgraded_release: SqlStore) -> None:
    meetings = list(upgraded_release.find(Meeting))
    assert len(meetings) == 2
    assert {m.type for m in meetings} == {MeetingType.KK_MEETING}
    assert upgraded_release.count(Meeting, by=("type",)) == {("kk_meeting",): 2}


def test_the_new_kinds_work_on_the_upgraded_database(
    store_maker: StoreMaker, upgraded_release: SqlStore
) -> None:
    store = upgraded_release
    members = {"kk-teros-m07", "kk-teros-m12"}
    written = store.put_many(
        [
            Training(
                "latih-kobo",
                "kk-teros",
                "Pelayanan berbasis data dan pelaporan KoboCollect",
                date(2025, 2, 13),
                TrainingOrganiser.PROGRAMME_PARTNER,
                members,
                organiser_name="Lombok Research Center (LRC)",
                hours=3,
            ),
            DataUpdate(
                "dtsen-2025-q1",
                "kk-teros",
                "dtsen_verification",
                date(2025, 3, 3),
                households=412,
                member_ids=members,
                handed_to=DataRecipient.DINAS_SOSIAL,
                handed_on=date(2025, 4, 2),
            ),
            ResidentQuestion(
                "tanya-1",
                "kk-teros",
                date(2025, 5, 6),
                "dtsen_status",
                QuestionChannel.WHATSAPP,
                resolution=QuestionResolution.ANSWERED,
                resolved_on=date(2025, 5, 6),
            ),
            BusinessGroup(
                "kub-tenun",
                "kk-teros",
                "Kelompok Tenun Perempuan",
                "handicraft",
                date(2025, 7, 1),
                business_ids={"kk-teros-b01", "kk-teros-b02"},
            ),
        ]
    )
    assert [r.version for r in written] == [1, 1, 1, 1]
    assert store.count(DataUpdate, data_set="dtsen_verification", handed_to="dinas_sosial") == {
        (): 1
    }
    year = Between(date(2025, 1, 1), date(2025, 12, 31))
    assert [t.id for t in store.find(Training, period=year, organiser="programme_partner")] == [
        "latih-kobo"
    ]
    assert [q.id for q in store.find(ResidentQuestion, topic="dtsen_status")] == ["tanya-1"]
    engine = store_maker.admin()
    with engine.connect() as conn:
        trained = (
            conn.execute(sa.text("SELECT member_id FROM kk_training_member ORDER BY member_id"))
            .scalars()
            .all()
        )
        grouped = conn.execute(sa.text("SELECT count(*) FROM kk_business_group_business")).scalar()
    engine.dispose()
    assert trained == sorted(members)
    assert grouped == 2


def test_a_fresh_database_has_the_upgraded_one_s_shape(
    store_maker: StoreMaker, upgraded_release: SqlStore, tmp_path: Path
) -> None:
    """The release database, upgraded, has exactly the tables, columns and indexes a new
    database gets (nothing the migration forgot, nothing left over)."""
    upgraded = _shape(upgraded_release.engine)
    if store_maker.backend == "sqlite":
        (tmp_path / "fresh").mkdir()
        other = StoreMaker("sqlite", tmp_path / "fresh", None)
    else:
        other = StoreMaker("postgresql", tmp_path, store_maker.base)
    try:
        fresh = _shape(other.open().engine)
    finally:
        other.close()
    assert upgraded == fresh


def _shape(engine: sa.Engine) -> dict[str, Any]:
    inspector = sa.inspect(engine)
    shape: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        if not table.startswith("kk_"):
            continue
        columns = {c["name"]: (str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)}
        indexes = {i["name"]: tuple(i["column_names"]) for i in inspector.get_indexes(table)}
        shape[table] = (columns, indexes)
    return shape
