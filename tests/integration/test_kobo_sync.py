"""``sync``: a Kobo form into a store, against the look-alike server — incremental,
resumable, edits replacing their earlier revision, rejects kept whole and masked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kk_adapters.kobo.report import HIDDEN, KoboReject, SyncReport
from kk_adapters.kobo.store import KoboStore
from kk_adapters.kobo.sync import sync
from kk_core import Case, Referral, open_store
from kk_core.codes import CaseStatus
from kk_core.economy import Business, SupportAction
from kk_core.errors import (
    NotFoundError,
    ReadOnlyError,
    StorageError,
    ValidationError,
)
from kk_core.hookspecs import hookimpl
from kk_core.import_marks import ImportMark
from kk_core.meetings import Meeting
from kk_core.plugins import Plugins
from kk_core.privacy import pseudonymise
from kk_core.store import Store
from kobo_lookalike import KoboLookalike
from kobo_support import (
    KEY,
    LPA_FORM,
    LPA_MAPPING,
    LPA_UID,
    NIK,
    RAPAT_FORM,
    RAPAT_MAPPING,
    RAPAT_UID,
    UMKM_FORM,
    UMKM_MAPPING,
    UMKM_UID,
    KeyPlugin,
    fill,
    lpa_answers,
)
from sql_support import StoreMaker


class Finished:
    """Collects what ``kk_import_finished`` receives."""

    def __init__(self) -> None:
        self.reports: list[SyncReport] = []

    @hookimpl
    def kk_import_finished(self, report: SyncReport) -> None:
        self.reports.append(report)


@pytest.fixture
def finished() -> Finished:
    return Finished()


@pytest.fixture
def plugins(finished: Finished) -> Plugins:
    return Plugins(extra=[KeyPlugin(), finished])


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[KoboLookalike]:
    with KoboLookalike(page_cap=10) as running:
        running.add_asset(LPA_UID, LPA_FORM, name="Kasus LPA")
        monkeypatch.setenv("KOBO_TOKEN", running.token)
        yield running


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "lpa.toml"
    path.write_text(LPA_MAPPING, encoding="utf-8")
    return path


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        maker = StoreMaker("postgresql", tmp_path, request.getfixturevalue("postgres_url"))
        try:
            yield fill(maker.open())
        finally:
            maker.close()
        return
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'kk.db'}"
    store = fill(open_store(url))
    yield store
    store.close()


def kobo_url(server: KoboLookalike, uid: str = LPA_UID) -> str:
    return server.url.replace("http://", "kobo+http://") + "/" + uid


def run(
    server: KoboLookalike, target: Store, mapping: Path, plugins: Plugins, **options: Any
) -> SyncReport:
    return sync(kobo_url(server), target, mapping=str(mapping), plugins=plugins, **options)


def fetched_in_full(server: KoboLookalike, since: int = 0) -> list[int]:
    """The ``_id``s the sync asked for in full (``$in`` queries) since log entry ``since``."""
    found: list[int] = []
    for path, query in server.log[since:]:
        if path.endswith("/data/") and "query" in query:
            asked = json.loads(query["query"])["_id"]
            if "$in" in asked:  # (a listing's page asks ``$gt`` the last _id read)
                found.extend(asked["$in"])
    return found


def _add(server: KoboLookalike, n: int, start: int = 1) -> None:
    for i in range(start, start + n):
        server.add_submission(LPA_UID, lpa_answers(i))


def test_first_sync_then_nothing_to_fetch(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins, finished: Finished
) -> None:
    _add(server, 25)
    report = run(server, target, mapping_file, plugins)
    assert report.ok, [str(p) for r in report.rejects for p in r.problems]
    counts = report.submissions
    assert (counts.new, counts.updated, counts.unchanged, counts.rejected) == (25, 0, 0, 0)
    assert report.written == {"case": 25, "referral": 25}
    assert len(list(target.find(Case))) == 25
    assert len(list(target.find(ImportMark, source="kobo:lpa_kasus"))) == 25
    case = target.get(Case, "LPA-2025-007")
    assert case.status is CaseStatus.REFERRED
    assert case.subject.identity == pseudonymise(NIK, KEY)
    assert finished.reports == [report]

    before = len(server.log)
    again = run(server, target, mapping_file, plugins)
    assert (again.submissions.new, again.submissions.unchanged) == (0, 25)
    assert again.written == {}
    assert fetched_in_full(server, before) == []  # only the light listing was read
    assert target.get(Case, "LPA-2025-007").version == case.version


def test_new_submissions_are_added(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    _add(server, 12)
    run(server, target, mapping_file, plugins)
    _add(server, 3, start=13)
    before = len(server.log)
    report = run(server, target, mapping_file, plugins)
    assert (report.submissions.new, report.submissions.unchanged) == (3, 12)
    assert sorted(fetched_in_full(server, before)) == [13, 14, 15]


def test_an_edit_replaces_the_earlier_revision(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    _add(server, 12)
    run(server, target, mapping_file, plugins)
    first = target.get(Case, "LPA-2025-004")
    server.edit_submission(
        LPA_UID, 4, {"kejadian/bentuk": "fisik", "catatan": "Diperbaiki: korban dibawa ibunya."}
    )
    before = len(server.log)
    report = run(server, target, mapping_file, plugins)
    assert (report.submissions.updated, report.submissions.unchanged) == (1, 11)
    assert fetched_in_full(server, before) == [4]
    edited = target.get(Case, "LPA-2025-004")
    assert edited.version == first.version + 1
    assert edited.summary == "Diperbaiki: korban dibawa ibunya."
    assert edited.violence is not None
    assert {f.value for f in edited.violence.forms} == {"physical"}
    (mark,) = [m for m in target.find(ImportMark) if "case:LPA-2025-004" in m.record_ids]
    assert mark.revision_id == server.assets[LPA_UID].submissions[4]["_uuid"]
    assert len(list(target.find(Case))) == 12  # replaced, not added


def test_an_edit_that_drops_a_referral_deletes_it(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    two = [
        {"rujukan/lembaga": "pkm_lh", "rujukan/tgl_rujuk": "2025-03-05"},
        {"rujukan/lembaga": "uptd", "rujukan/tgl_rujuk": "2025-03-06"},
    ]
    server.add_submission(LPA_UID, lpa_answers(1, rujukan=two))
    run(server, target, mapping_file, plugins)
    assert {r.id for r in target.find(Referral)} == {"LPA-2025-001-R1", "LPA-2025-001-R2"}
    server.edit_submission(LPA_UID, 1, {"rujukan": two[:1]})
    report = run(server, target, mapping_file, plugins)
    assert report.submissions.updated == 1
    assert {r.id for r in target.find(Referral)} == {"LPA-2025-001-R1"}
    with pytest.raises(NotFoundError):
        target.get(Referral, "LPA-2025-001-R2")


def test_an_interrupted_sync_resumes_where_it_stopped(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    _add(server, 35)  # four pages of at most 10

    class Stop(Exception):
        pass

    def stop_after_two_pages(report: SyncReport) -> None:
        if report.submissions.total >= 20:
            raise Stop

    with pytest.raises(Stop):
        run(server, target, mapping_file, plugins, progress=stop_after_two_pages)
    assert len(list(target.find(Case))) == 20
    before = len(server.log)
    report = run(server, target, mapping_file, plugins)
    assert (report.submissions.new, report.submissions.unchanged) == (15, 20)
    assert sorted(fetched_in_full(server, before)) == list(range(21, 36))
    assert len(list(target.find(Case))) == 35
    assert len(list(target.find(ImportMark))) == 35


def test_an_edit_does_not_undo_work_done_in_the_store(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    from datetime import datetime, timedelta, timezone

    from kk_core.services import Services

    _add(server, 2)
    run(server, target, mapping_file, plugins)
    services = Services(target, plugins=plugins)
    worked = services.assign_companion(
        "LPA-2025-001",
        "kk-teros-m08",
        at=datetime(2025, 3, 6, 9, tzinfo=timezone(timedelta(hours=8))),
    )
    server.edit_submission(LPA_UID, 1, {"catatan": "diedit"})
    report = run(server, target, mapping_file, plugins)
    (rejected,) = report.rejects
    assert rejected.where == "submission _id 1"
    assert "changed in the target store since they were imported" in str(rejected.problems[0])
    assert target.get(Case, "LPA-2025-001") == worked


def test_two_submissions_giving_one_case_number(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    server.add_submission(LPA_UID, lpa_answers(1))
    run(server, target, mapping_file, plugins)
    server.add_submission(LPA_UID, lpa_answers(1, catatan="Kasus lain, nomor sama."))
    report = run(server, target, mapping_file, plugins)
    (rejected,) = report.rejects
    assert "case:LPA-2025-001" in rejected.problems[0].path
    assert "was not made from this submission" in rejected.problems[0].message
    assert target.get(Case, "LPA-2025-001").summary == "Korban datang bersama kakaknya."


def test_a_duplicate_submission_does_not_take_over_the_records(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    """kpi's Duplicate (or two members recording the same thing) gives a new ``_id`` and
    rootUuid: records equal to the first's are still not the duplicate's own."""
    moment = datetime(2025, 3, 4, 1, 40, tzinfo=UTC)
    server.add_submission(LPA_UID, lpa_answers(1), submitted_at=moment)
    run(server, target, mapping_file, plugins)
    before = target.get(Case, "LPA-2025-001")
    twin = server.add_submission(LPA_UID, lpa_answers(1), submitted_at=moment)
    report = run(server, target, mapping_file, plugins)
    assert (report.submissions.new, report.submissions.rejected) == (0, 1)
    (rejected,) = report.rejects
    assert rejected.submission_id == twin["_id"]
    assert "case:LPA-2025-001" in rejected.problems[0].path
    assert "was not made from this submission" in rejected.problems[0].message
    server.edit_submission(LPA_UID, twin["_id"], {"catatan": "diedit di salinan"})
    report = run(server, target, mapping_file, plugins)
    assert report.submissions.rejected == 1
    assert target.get(Case, "LPA-2025-001") == before


def test_rejects_keep_the_submission_whole_with_its_nik_hidden(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins, finished: Finished
) -> None:
    _add(server, 3)
    server.add_submission(
        LPA_UID,
        lpa_answers(
            4,
            **{
                "identitas/dusun": "teros_timur",
                "identitas/sumber": "surat",
                "catatan": f"ibu korban, NIK {NIK}",
            },
        ),
    )
    report = run(server, target, mapping_file, plugins)
    assert (report.submissions.new, report.submissions.rejected) == (3, 1)
    (rejected,) = report.rejects
    assert isinstance(rejected, KoboReject)
    assert rejected.submission_id == 4
    assert rejected.where == "submission _id 4"
    shown = {p.path: p.message for p in rejected.problems}
    assert shown["identitas/sumber"] == "'surat' is not a choice of list 'sumber' (for channel)"
    kept = rejected.submission
    assert kept["identitas/nik"] == HIDDEN
    assert kept["catatan"] == "ibu korban, NIK <16 digits hidden>"
    assert kept["identitas/kode"] == "2025-004"
    everything = (
        f"{report!r} {report.summary()} {rejected!r} {[str(p) for p in rejected.problems]} {kept}"
    )
    assert NIK not in everything
    assert finished.reports[-1].rejects == report.rejects
    assert "1 rejected" in report.summary()


def test_a_reference_the_store_lacks_is_named(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    from kk_core.places import Hamlet

    target.delete(Hamlet, "dusun-teros-timur")
    server.add_submission(LPA_UID, lpa_answers(1, **{"identitas/dusun": "teros_timur"}))
    report = run(server, target, mapping_file, plugins)
    (problem,) = report.rejects[0].problems
    assert problem.path == "case:LPA-2025-001: case.subject.hamlet_id"
    assert "'dusun-teros-timur' is not a hamlet of village 52.03.17.2003" in problem.message


#: Members beside the reference records: a chair, one of another group, one who joined
#: after the referral (2025-03-05) was made.
def _more_members() -> list[Any]:
    from datetime import date

    from kk_core.codes import Affiliation, Position, Sex
    from kk_core.groups import Member

    def member(member_id: str, group_id: str, joined: date, **more: Any) -> Member:
        return Member(member_id, group_id, "Baiq", Sex.FEMALE, {Affiliation.PKK}, joined, **more)

    return [
        member("kk-teros-m01", "kk-teros", date(2023, 5, 20), position=Position.CHAIR),
        member("kk-lain-m01", "kk-lain", date(2023, 5, 20), position=Position.CHAIR),
        member("kk-teros-m10", "kk-teros", date(2025, 6, 1), position=Position.CHAIR),
    ]


@pytest.mark.parametrize(
    ("approver", "problem"),
    [
        ("kk-teros-m01", None),
        # a plain member now: the position is kept without its dates, so a past
        # approval is not judged by it (the services judged it when it was recorded)
        ("kk-teros-m08", None),
        ("kk-teros-m99", "no member 'kk-teros-m99' in the target store"),
        ("kk-lain-m01", "'kk-lain-m01' is not a member of 'kk-teros'"),
        ("kk-teros-m10", "'kk-teros-m10' is not a member of the group on 2025-03-05"),
    ],
)
def test_an_overrides_approver_is_checked_as_far_as_the_past_can_be(
    server: KoboLookalike,
    target: Store,
    tmp_path: Path,
    plugins: Plugins,
    approver: str,
    problem: str | None,
) -> None:
    """Whoever approved a referral's override is a member of the case's group on the
    day (`kk_core.references`, `Member.approval_problem` without the position)."""
    target.put_many(_more_members())
    mapping = tmp_path / "override.toml"
    mapping.write_text(
        LPA_MAPPING
        + 'override = { const = "imminent_danger" }\n'
        + 'override_note = { const = "Ancaman pembunuhan malam ini" }\n'
        + f'override_approved_by = {{ const = "{approver}" }}\n',
        encoding="utf-8",
    )
    server.add_submission(LPA_UID, lpa_answers(1))
    report = run(server, target, mapping, plugins)
    found = [f"{p.path}: {p.message}" for r in report.rejects for p in r.problems]
    if problem is None:
        assert found == []
        (referral,) = target.find(Referral)
        assert referral.override_approved_by == approver
    else:
        assert found == [f"referral:LPA-2025-001-R1: referral.override_approved_by: {problem}"]


def test_a_consents_approver_is_checked_too(
    server: KoboLookalike, target: Store, tmp_path: Path, plugins: Plugins
) -> None:
    target.put_many(_more_members())
    line = '"consent.assent.recorded_on" = "persetujuan/tgl_setuju"\n'
    mapping = tmp_path / "approved.toml"
    mapping.write_text(
        LPA_MAPPING.replace(line, line + '"consent.approved_by" = { const = "kk-lain-m01" }\n'),
        encoding="utf-8",
    )
    server.add_submission(LPA_UID, lpa_answers(1))
    report = run(server, target, mapping, plugins)
    assert [f"{p.path}: {p.message}" for r in report.rejects for p in r.problems] == [
        "case:LPA-2025-001: case.consent.approved_by: 'kk-lain-m01' is not a member of 'kk-teros'"
    ]


def test_rejected_submissions_are_tried_again(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    server.add_submission(LPA_UID, lpa_answers(1, **{"identitas/sumber": "surat"}))
    assert run(server, target, mapping_file, plugins).submissions.rejected == 1
    server.edit_submission(LPA_UID, 1, {"identitas/sumber": "telepon"})
    report = run(server, target, mapping_file, plugins)
    assert (report.submissions.new, report.submissions.rejected) == (1, 0)


def test_unicode_and_missing_answers(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    server.add_submission(
        LPA_UID,
        lpa_answers(
            1,
            catatan="Korban 🙏 dibantu kader Posyandu — «Ibu Ni Luh» di Desa Teros; ñ, ü, ﷺ",
            **{"identitas/inisial": None, "identitas/bulan_lahir": None, "kejadian/lokasi": None},
        ),
    )
    report = run(server, target, mapping_file, plugins)
    assert report.ok
    case = target.get(Case, "LPA-2025-001")
    assert case.summary.startswith("Korban 🙏 dibantu")
    assert case.subject.birth_month is None
    assert case.subject.initials == ""


def test_a_deleted_submission_leaves_the_records(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    _add(server, 3)
    run(server, target, mapping_file, plugins)
    server.delete_submission(LPA_UID, 2)
    report = run(server, target, mapping_file, plugins)
    assert report.submissions.unchanged == 2
    assert target.get(Case, "LPA-2025-002")


def test_retries_and_a_server_that_ignores_fields_and_queries(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    _add(server, 15)
    server.fail_next = [500, 429]
    server.retry_after = "0"
    server.ignore_fields = True  # the listing is then the whole submissions
    report = run(server, target, mapping_file, plugins)
    assert report.submissions.new == 15
    server.ignore_fields = False
    server.ignore_query = True  # a $in answered with everything: read one by one
    server.edit_submission(LPA_UID, 3, {"catatan": "baru"})
    report = run(server, target, mapping_file, plugins)
    assert (report.submissions.updated, report.submissions.unchanged) == (1, 14)
    assert target.get(Case, "LPA-2025-003").summary == "baru"
    assert any(path.endswith("/data/3/") for path, _ in server.log)


def test_submissions_of_several_form_versions(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins
) -> None:
    asset = server.assets[LPA_UID]
    old = asset.version_id
    newer = json.loads(json.dumps(LPA_FORM))
    newer["survey"].append({"type": "integer", "name": "jumlah_anak"})
    new = asset.add_version(newer)
    server.add_submission(LPA_UID, lpa_answers(1), version=old)
    server.add_submission(LPA_UID, lpa_answers(2, jumlah_anak="3"), version=new)
    report = run(server, target, mapping_file, plugins)
    assert report.submissions.new == 2


def test_other_kinds_of_records(
    server: KoboLookalike, target: Store, plugins: Plugins, tmp_path: Path
) -> None:
    server.add_asset(UMKM_UID, UMKM_FORM)
    server.add_asset(RAPAT_UID, RAPAT_FORM)
    server.add_submission(
        UMKM_UID,
        {
            "usaha/kode": "007",
            "usaha/nama": "Warung Bu Inaq",
            "usaha/pemilik": "Inaq Sahnun",
            "usaha/jk": "p",
            "usaha/sektor": "dagang",
            "dukungan/jenis": "nib",
            "dukungan/mulai": "2025-02-01",
            "dukungan/status": "proses",
            "dukungan/pendamping": "m09",
        },
    )
    server.add_submission(
        RAPAT_UID,
        {
            "judul": "Rapat KK",
            "tanggal": "2025-02-13",
            "jenis": "rapat_kk",
            "hadir": "m08 m09",
            "perempuan": "14",
            "laki": "10",
            "disabilitas": "1",
        },
    )
    (tmp_path / "umkm.toml").write_text(UMKM_MAPPING)
    (tmp_path / "rapat.toml").write_text(RAPAT_MAPPING)
    umkm = sync(
        kobo_url(server, UMKM_UID), target, mapping=str(tmp_path / "umkm.toml"), plugins=plugins
    )
    rapat = sync(
        kobo_url(server, RAPAT_UID), target, mapping=str(tmp_path / "rapat.toml"), plugins=plugins
    )
    assert umkm.written == {"business": 1, "support_action": 1}
    assert rapat.written == {"meeting": 1}
    assert target.get(SupportAction, "umkm-007-nib-2025-02-01").member_id == "kk-teros-m09"
    assert target.get(Business, "umkm-007").owner_name == "Inaq Sahnun"
    assert target.get(Meeting, "rapat-2025-02-13").attendance.total == 24


def test_an_export_file_meets_the_same_marks(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins, tmp_path: Path
) -> None:
    """A sync from a saved export, then from the API: the same submissions, unchanged."""
    from kk_adapters.kobo.client import KoboClient

    _add(server, 12)
    with KoboClient(server.url) as client:
        client.save_export(LPA_UID, tmp_path / "lpa.json")
    from_file = sync(
        f"kobo+file://{tmp_path / 'lpa.json'}", target, mapping=str(mapping_file), plugins=plugins
    )
    assert from_file.submissions.new == 12
    from_api = run(server, target, mapping_file, plugins)
    assert from_api.submissions.unchanged == 12
    assert fetched_in_full(server) == []


def test_a_csv_export_with_its_schema_beside_it(
    server: KoboLookalike, target: Store, mapping_file: Path, plugins: Plugins, tmp_path: Path
) -> None:
    header = (
        '"identitas/kode";"identitas/tgl_lapor";"identitas/sumber";"identitas/jk";'
        '"identitas/tahun_lahir";"kejadian/bentuk";"kejadian/tempat";"_id";"_uuid";'
        '"_submission_time";"meta/rootUuid";"end"\n'
    )
    row = (
        '"2025-050";"2025-03-04";"telepon";"p";"1990";"psikis";"rumah";"50";"u50";'
        '"2025-03-04T01:00:00";"uuid:r50";"2025-03-04T09:00:00.000+08:00"\n'
    )
    (tmp_path / "lpa.csv").write_text(header + row, encoding="utf-8")
    (tmp_path / "lpa.asset.json").write_text(json.dumps({"uid": LPA_UID, "content": LPA_FORM}))
    report = sync(
        f"kobo+file://{tmp_path / 'lpa.csv'}", target, mapping=str(mapping_file), plugins=plugins
    )
    assert report.ok, [str(p) for r in report.rejects for p in r.problems]
    assert target.get(Case, "LPA-2025-050").channel.value == "phone"


def test_a_mapping_registered_by_a_plugin(
    server: KoboLookalike, target: Store, finished: Finished
) -> None:
    """Selected by asset uid or form id; a mapping of another program (no lifecycle of
    its own) gets its case's report step."""

    class Minimal:
        form_id = "lpa_kasus"

        def map(self, values: dict[str, Any]) -> list[Any]:
            from kk_core import Subject
            from kk_core.codes import CaseCategory, IntakeChannel, Sex

            return [
                Case(
                    f"M-{values['identitas/kode']}",
                    "kk-teros",
                    "52.03.17.2003",
                    values["identitas/tgl_lapor"],
                    IntakeChannel.WALK_IN,
                    CaseCategory.OTHER,
                    Subject(Sex.FEMALE),
                )
            ]

    class Register:
        @hookimpl
        def kk_register_form_mappings(self, registry: Any) -> None:
            registry.add("lpa_kasus", Minimal())

    plugins = Plugins(extra=[Register(), finished])
    server.add_submission(LPA_UID, lpa_answers(1))
    report = sync(kobo_url(server), target, plugins=plugins)
    assert report.ok
    case = target.get(Case, "M-2025-001")
    assert [e.action for e in case.timeline] == ["report"]


def test_no_mapping_is_an_error_naming_the_form(server: KoboLookalike, target: Store) -> None:
    with pytest.raises(
        ValidationError, match="no mapping for form 'aLpaKasus2025x' or 'lpa_kasus'"
    ):
        sync(kobo_url(server), target, plugins=Plugins(load_entry_points=True))


@pytest.mark.parametrize(
    ("form", "place", "said"),
    [
        ('id = "formulir_lain"', "lpa.toml: form.id", "is for form 'formulir_lain', not"),
        (
            'id = "lpa_kasus"\nasset = "aSomeOtherAsset"',
            "lpa.toml: form.asset",
            "is for asset 'aSomeOtherAsset', not",
        ),
    ],
)
def test_a_mapping_of_another_form_is_refused(
    server: KoboLookalike,
    target: Store,
    plugins: Plugins,
    tmp_path: Path,
    form: str,
    place: str,
    said: str,
) -> None:
    _add(server, 1)
    path = tmp_path / "lpa.toml"
    path.write_text(LPA_MAPPING.replace('id = "lpa_kasus"', form, 1), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        run(server, target, path, plugins)
    (problem,) = caught.value.problems
    assert problem.path == place
    assert said in problem.message
    assert target.count(Case)[()] == 0
    # the asset uid kpi deploys the form under is its id too
    path.write_text(LPA_MAPPING.replace('id = "lpa_kasus"', f'id = "{LPA_UID}"', 1))
    assert run(server, target, path, plugins).submissions.new == 1


def test_the_kobo_store_reads_records(
    server: KoboLookalike, mapping_file: Path, plugins: Plugins
) -> None:
    _add(server, 4)
    server.add_submission(LPA_UID, lpa_answers(5, **{"identitas/sumber": "surat"}))
    store = plugins.open_store(kobo_url(server), mapping=str(mapping_file), plugins=plugins)
    assert isinstance(store, KoboStore)
    try:
        assert [c.id for c in store.find(Case)] == [f"LPA-2025-00{i}" for i in range(1, 5)]
        assert store.count(Case, by=("channel",)) == {("walk_in",): 4}
        assert store.get(Referral, "LPA-2025-001-R1").case_id == "LPA-2025-001"
        assert store.last_report is not None
        assert len(store.last_report.rejects) == 1
        with pytest.raises(ReadOnlyError):
            store.put(store.get(Case, "LPA-2025-001"))
        with store.transaction() as tx, pytest.raises(ReadOnlyError):
            tx.delete(Case, "LPA-2025-001")
        with pytest.raises(NotFoundError):
            store.get(Case, "LPA-9")
        assert store.capabilities.read_only
        assert server.token not in repr(store)
    finally:
        store.close()


def test_copy_records_from_the_kobo_store(
    server: KoboLookalike, mapping_file: Path, plugins: Plugins, target: Store
) -> None:
    from kk_core import copy_records

    _add(server, 3)
    source = plugins.open_store(kobo_url(server), mapping=str(mapping_file), plugins=plugins)
    try:
        report = copy_records(source, target, kinds=("case", "referral"))
    finally:
        source.close()
    assert report.written == {"case": 3, "referral": 3}


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        ("kobo+https://kf.kobotoolbox.org/aX?token=SECRET-abc-123", {}, "a token in a URL"),
        ("kobo+https://kf.kobotoolbox.org/aX", {"colour": "red"}, "unknown kobo store option"),
        ("kobo+https://kf.kobotoolbox.org/api/v1/data/7", {}, "API v1 is gone"),
        ("kobo+http://kobo.example.org/aX", {"token": "t" * 20}, "send the token in clear"),
        ("kobo+https://kf.kobotoolbox.org/", {"token": "t" * 20}, "give the asset uid"),
        ("kobo+https://kf.kobotoolbox.org/aX", {"page_size": 5000}, "from 1 to 1,000"),
    ],
)
def test_store_url_errors(url: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        open_store(url, **options)
    assert message in str(caught.value)
    assert "SECRET-abc-123" not in str(caught.value)


def test_a_missing_token_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOBO_TOKEN", raising=False)
    with pytest.raises(ValidationError, match="set the environment variable KOBO_TOKEN"):
        open_store("kobo+https://kf.kobotoolbox.org/aX?token_env=KOBO_TOKEN")


def test_a_file_store_without_a_schema(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[]")
    with pytest.raises(ValidationError, match=r"no form schema for x\.json"):
        open_store(f"kobo+file://{tmp_path / 'x.json'}")
    with pytest.raises(StorageError, match="no export file"):
        open_store(f"kobo+file://{tmp_path / 'none.json'}")


def test_sync_wants_a_kobo_source(target: Store) -> None:
    with pytest.raises(ValidationError, match="expected a Kobo store"):
        sync(target, target)
    with pytest.raises(ValidationError, match="expected a Kobo store"):
        sync("memory://", target)
