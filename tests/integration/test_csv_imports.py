"""Imports into any store: a folder in the library's layout (`import_csv`) and a
partner's own sheet through a TOML mapping (`import_spreadsheet`), CSV and .xlsx, with
every row that does not read kept in the rejects."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest

from csv_support import csv_url
from kk_adapters.csv.imports import REJECT_COLUMNS, import_csv, import_spreadsheet, read_folder
from kk_adapters.csv.mapping import load_mapping, parse_mapping, read_spreadsheet
from kk_adapters.memory import MemoryStore
from kk_core import (
    Case,
    Record,
    StorageError,
    ValidationError,
    Village,
    open_store,
)
from kk_core.cases import Subject
from kk_core.codes import (
    Affiliation,
    CaseCategory,
    IntakeChannel,
    ServiceKind,
    Sex,
    ViolenceForm,
)
from kk_core.errors import EventDeliveryError, Problem
from kk_core.groups import ConstituentGroup, Member
from kk_core.hookspecs import hookimpl
from kk_core.places import Hamlet
from kk_core.plugins import Plugins, reset_plugins
from kk_core.privacy import pseudonymise
from kk_core.referrals import Referral, ServiceProvider
from kk_core.reports import ImportReport, Reject
from kk_core.testing.contract import sample_cases

KEY = b"partner-import-test-key"
NIK = "5203124506090002"

MAPPING = """
kind = "case"

[columns]
"No" = { ignore = true }
"No. Register" = { field = "id", prefix = "lrc-2025-" }
"Tanggal Lapor" = "reported_on"
"Dusun" = "subject.hamlet_id"
"Inisial" = "subject.initials"
"JK" = "subject.sex"
"Umur" = "subject.age_years"
"Jenis Kasus" = "category"
"Fisik" = { field = "violence.forms", value = "physical" }
"Psikis" = { field = "violence.forms", value = "psychological" }
"Seksual" = { field = "violence.forms", value = "sexual" }
"Tempat Kejadian" = "violence.place"
"Hubungan Pelaku" = "violence.perpetrators[0].relation"
"Tanggal Kejadian" = "violence.occurred_on"
"NIK" = { field = "subject.identity", pseudonymise = true, optional = true }
"Keterangan" = "summary"
"Petugas" = { ignore = true }

[labels."subject.sex"]
"P" = "female"
"L" = "male"

[labels.category]
"KDRT" = "violence"

[labels."subject.hamlet_id"]
"Teros Timur" = "teros-timur"
"Teros Barat" = "teros-barat"

[labels."violence.perpetrators[0].relation"]
"Ayah" = "parent"

[defaults]
group_id = "kk-teros"
village_id = "52.03.17.2003"
channel = "outreach_visit"
"violence.place" = "household"
"""

HEADER = [
    "No", "No. Register", "Tanggal Lapor", "Dusun", "Inisial", "JK", "Umur", "Jenis Kasus",
    "Fisik", "Psikis", "Seksual", "Tempat Kejadian", "Hubungan Pelaku", "Tanggal Kejadian",
    "NIK", "Keterangan", "Petugas",
]  # fmt: skip
ROWS = [
    ["1", "001", "13/02/2025", "Teros Timur", "S.N.", "P", "15", "KDRT", "x", "x", "", "",
     "Ayah", "10 Februari 2025", NIK, "Didampingi ke Puskesmas", "Baiq"],
    ["2", "002", "14 Feb 2025", "Teros Barat", "M.", "L", "12", "Putus Sekolah", "", "", "",
     "", "", "", "", "Kelas 6", "Lalu"],
    ["3", "003", "31/02/2025", "Teros Timur", "A.", "P", "16", "Perkawinan Anak", "", "", "",
     "", "", "", "", "", "Baiq"],
    ["4", "004", "15/02/2025", "Teros Timur", "R.", "wanita", "17", "KDRT", "", "", "ya",
     "Sekolah", "Guru", "14/02/2025", "", "", "Baiq"],
    ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["5", "001", "16/02/2025", "Teros Timur", "B.", "P", "14", "KDRT", "?", "", "", "", "", "",
     "", "", "Baiq"],
]  # fmt: skip


def seeded(store: Any) -> Any:
    """The group and hamlets the partner's cases point at (checked when imported)."""
    store.put_many(PARTNER_PLACES)
    return store


PARTNER_PLACES = [
    ConstituentGroup("kk-teros", "52.03.17.2003", "Kelompok Konstituen Desa Teros"),
    Hamlet("teros-timur", "52.03.17.2003", "Teros Timur"),
    Hamlet("teros-barat", "52.03.17.2003", "Teros Barat"),
]


def _write_csv(path: Path, rows: list[list[str]], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=delimiter).writerows(rows)
    return path


def _write_xlsx(
    path: Path, rows: list[list[Any]], *, title_rows: int = 0, sheet: str = "Kasus"
) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Catatan"
    first.append(["this sheet is not the register"])
    ws = book.create_sheet(sheet)
    for n in range(title_rows):
        ws.append([f"REGISTER KASUS LRC 2025 ({n})"])
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def _excel_row(row: list[str]) -> list[Any]:
    """The row as Excel holds it: dates typed into date cells, numbers as numbers."""
    out: list[Any] = list(row)
    if row[2] == "13/02/2025":
        out[2] = datetime(2025, 2, 13)  # a date cell
    if row[6].isdigit():
        out[6] = float(row[6])  # Excel keeps numbers as floats
    return out


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "lrc-kasus.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _items(path: Path, mapping: Any) -> list[Record | Reject]:
    return list(read_spreadsheet(path, mapping, pseudonym_key=KEY))


def _check_partner_rows(
    items: list[Record | Reject], name: str, offset: int, letters: bool
) -> None:
    """The rows of ROWS as read; ROWS[i] is at row ``offset + i`` of the sheet."""
    cases = [i for i in items if isinstance(i, Case)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [c.id for c in cases] == ["lrc-2025-001", "lrc-2025-002"]
    first, second = cases
    assert first.reported_on == date(2025, 2, 13)
    assert first.category is CaseCategory.VIOLENCE
    assert first.subject.sex is Sex.FEMALE
    assert first.subject.age_years == 15
    assert first.subject.hamlet_id == "teros-timur"
    assert first.subject.identity == pseudonymise(NIK, KEY)
    assert first.violence is not None
    assert first.violence.forms == {ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL}
    assert first.violence.place == "household"  # a default, inside the part the row made
    assert first.violence.occurred_on == date(2025, 2, 10)
    assert [p.relation for p in first.violence.perpetrators] == ["parent"]
    assert second.category is CaseCategory.SCHOOL_DROPOUT
    assert second.violence is None, "no default makes a part no column made"
    assert second.reported_on == date(2025, 2, 14)
    places = {r.where: [str(p) for p in r.problems] for r in rejects}
    bad_date, bad_sex, bad_mark = (f"{name}:{offset + i}" for i in (2, 3, 5))
    assert set(places) == {bad_date, bad_sex, bad_mark}, places
    column = "C" if letters else "3"
    assert places[bad_date] == [
        f"{bad_date}:{column} Tanggal Lapor: '31/02/2025' is not a day of the calendar (2025-02-31)"
    ]
    column = "F" if letters else "6"
    assert any(f"{bad_sex}:{column} JK" in p and "'wanita'" in p for p in places[bad_sex])
    assert any("is not a mark" in p and "Fisik" in p for p in places[bad_mark])


def test_a_partner_csv_through_a_mapping(tmp_path: Path, mapping_file: Path) -> None:
    sheet = _write_csv(tmp_path / "kasus.csv", [HEADER, *ROWS])
    _check_partner_rows(_items(sheet, load_mapping(mapping_file)), "kasus.csv", 2, False)


def test_the_same_sheet_in_an_excel_workbook(tmp_path: Path) -> None:
    mapping = parse_mapping(
        MAPPING.replace(
            'kind = "case"', 'kind = "case"\n[source]\nsheet = "Kasus"\nheader_row = 3'
        ),
        name="lrc.toml",
    )
    rows = [HEADER, *[_excel_row(r) for r in ROWS]]
    book = _write_xlsx(tmp_path / "kasus.xlsx", rows, title_rows=2)
    # rows as Excel numbers them: two title rows, the header in row 3, ROWS[0] in row 4
    _check_partner_rows(_items(book, mapping), "kasus.xlsx[Kasus]", 4, True)
    with pytest.raises(StorageError, match="no sheet 'Register'"):
        read_spreadsheet(book, attrs.evolve(mapping, sheet="Register"), pseudonym_key=KEY)


def test_a_mapping_that_does_not_fit_the_sheet(tmp_path: Path, mapping_file: Path) -> None:
    header = [h for h in HEADER if h != "JK"] + ["Catatan Lain", "Umur"]
    sheet = _write_csv(tmp_path / "kasus.csv", [header])
    with pytest.raises(ValidationError) as caught:
        read_spreadsheet(sheet, load_mapping(mapping_file), pseudonym_key=KEY)
    messages = [str(p) for p in caught.value.problems]
    assert any("no column 'JK'" in m for m in messages), messages
    assert any(
        "kasus.csv:1:17" in m and "'Catatan Lain' is not in the mapping" in m for m in messages
    )
    assert any("'Umur' appears twice" in m for m in messages), messages
    ignoring = parse_mapping(MAPPING + '\n[source]\nother_columns = "ignore"\n')
    with pytest.raises(ValidationError) as caught:
        read_spreadsheet(sheet, ignoring, pseudonym_key=KEY)
    assert not any("Catatan Lain" in str(p) for p in caught.value.problems)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.replace('kind = "case"', 'kind = "kasus"'), "is not a record kind"),
        (lambda m: m.replace('"subject.sex"\n', '"subject.sexe"\n'), "did you mean 'subject.sex'"),
        (lambda m: m.replace('"P" = "female"', '"P" = "perempuanx"'), "labels.'subject.sex'.'P'"),
        (lambda m: m.replace('channel = "outreach_visit"', 'channel = "kunjungan"'), "defaults.'channel'"),
        (lambda m: m.replace('{ field = "id", prefix = "lrc-2025-" }', '"summary"'), "map a column to 'id'"),
        (lambda m: m.replace('"Keterangan" = "summary"', '"Keterangan" = { field = "summary", pseudonymise = true }'), "pseudonymise is for an identity field"),
        (lambda m: m.replace('value = "physical"', 'value = "fisikal"'), "columns.'Fisik'.value"),
        (lambda m: m.replace('"violence.perpetrators[0].relation"\n', '"violence.perpetrators.relation"\n'), "by its index"),
        (lambda m: m + "\n[extra]\n", "unknown section"),
        (lambda m: m.replace("kind =", "kind = = "), "is not valid TOML"),
    ],
)  # fmt: skip
def test_a_mapping_is_checked_before_any_row(change: Any, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_mapping(change(MAPPING), name="lrc.toml")
    assert expected in str(caught.value)


def test_a_mapping_that_pseudonymises_needs_a_key(tmp_path: Path, mapping_file: Path) -> None:
    sheet = _write_csv(tmp_path / "kasus.csv", [HEADER, *ROWS])
    with pytest.raises(ValidationError, match="pseudonym_key"):
        read_spreadsheet(sheet, load_mapping(mapping_file))

    class Keys:
        @hookimpl
        def kk_pseudonym_key(self) -> bytes:
            return KEY

    reset_plugins(Plugins(extra=[Keys()]))
    try:
        first = next(iter(read_spreadsheet(sheet, load_mapping(mapping_file))))
    finally:
        reset_plugins(None)
    assert isinstance(first, Case)
    assert first.subject.identity == pseudonymise(NIK, KEY)


def test_a_bad_identity_number_is_rejected_and_never_shown(
    tmp_path: Path, mapping_file: Path
) -> None:
    rows = [HEADER, [*ROWS[0][:14], "5203 1245 0609", *ROWS[0][15:]]]
    sheet = _write_csv(tmp_path / "kasus.csv", rows)
    (item,) = _items(sheet, load_mapping(mapping_file))
    assert isinstance(item, Reject)
    assert "is not an identity number" in str(item.problems[0])
    assert "5203 1245 0609" not in str(item.problems)


class _Listener:
    def __init__(self) -> None:
        self.reports: list[ImportReport] = []
        self.written: list[tuple[str, tuple[str, ...]]] = []

    @hookimpl
    def kk_import_finished(self, report: ImportReport) -> None:
        self.reports.append(report)

    @hookimpl
    def kk_records_written(self, kind: str, ids: tuple[str, ...], store_url: str) -> None:
        self.written.append((kind, tuple(ids)))


@pytest.fixture
def listener() -> Iterator[_Listener]:
    found = _Listener()
    reset_plugins(Plugins(extra=[found]))
    try:
        yield found
    finally:
        reset_plugins(None)


@pytest.mark.parametrize("target", ["csv", "sqlite"])
def test_import_spreadsheet_into_a_store(
    tmp_path: Path, mapping_file: Path, target: str, listener: _Listener
) -> None:
    sheet = _write_csv(tmp_path / "kasus.csv", [HEADER, *ROWS])
    url = (
        csv_url(tmp_path / "kk", "durable=no")
        if target == "csv"
        else f"sqlite:///{tmp_path / 'kk.db'}"
    )
    store = seeded(open_store(url))
    rejects = tmp_path / "ditolak.csv"
    report = import_spreadsheet(sheet, mapping_file, store, rejects=rejects, pseudonym_key=KEY)
    assert report.written == {"case": 2}
    assert report.unchanged == {"case": 0}
    assert len(report.rejects) == 3
    assert report.source == str(sheet)
    assert listener.reports == [report]
    assert listener.written == [("case", ("lrc-2025-001", "lrc-2025-002"))]
    with rejects.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert tuple(lines[0]) == REJECT_COLUMNS
    assert ["kasus.csv:4", "kasus.csv:4:3 Tanggal Lapor",
            "'31/02/2025' is not a day of the calendar (2025-02-31)"] in lines  # fmt: skip
    again = import_spreadsheet(sheet, mapping_file, store, pseudonym_key=KEY)
    assert again.written == {"case": 0}
    assert again.unchanged == {"case": 2}, "an import run twice changes nothing"
    assert [c.id for c in store.find(Case)] == ["lrc-2025-001", "lrc-2025-002"]
    if target == "csv":
        text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "kk").glob("*.csv"))
        assert NIK not in text
        assert pseudonymise(NIK, KEY) in text
    assert NIK not in rejects.read_text(encoding="utf-8")


class _Picky(MemoryStore):
    """A store with a rule of its own: it refuses cases without a summary."""

    def _refuse(self, records: list[Record]) -> None:
        empty = [r for r in records if isinstance(r, Case) and not r.summary]
        if empty:
            raise ValidationError([Problem("case.summary", "this store wants a summary")])

    def put(self, record: Any) -> Any:
        self._refuse([record])
        return super().put(record)

    def put_many(self, records: Any) -> list[Record]:
        records = list(records)
        self._refuse(records)
        return super().put_many(records)


def test_rows_the_target_refuses_are_rejects(tmp_path: Path, mapping_file: Path) -> None:
    rows = [HEADER, ROWS[0], [*ROWS[1][:15], "", ROWS[1][16]]]
    sheet = _write_csv(tmp_path / "kasus.csv", rows)
    report = import_spreadsheet(sheet, mapping_file, seeded(_Picky()), pseudonym_key=KEY)
    assert report.written == {"case": 1}
    (reject,) = report.rejects
    assert reject.where == "kasus.csv:3"
    assert reject.problems[0].message == "this store wants a summary"


# -- a folder in the library's layout -------------------------------------------------------


def test_import_csv_moves_a_folder_into_another_store(tmp_path: Path, listener: _Listener) -> None:
    source = open_store(csv_url(tmp_path / "partner", "durable=no&excel=yes"))
    cases = sample_cases(8)
    village = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "NTB")
    source.put_many([village, *cases])
    # someone fixes a sex by hand in Excel and mistypes another
    path = tmp_path / "partner" / "case.csv"
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    header = lines[0].split(";")
    spoiled = lines[3].split(";")
    spoiled[header.index("subject.sex")] = "wanita2"
    lines[3] = ";".join(spoiled)
    path.write_bytes(("\ufeff" + "\r\n".join(lines)).encode("utf-8"))
    target = open_store(f"sqlite:///{tmp_path / 'kk.db'}")
    rejects = tmp_path / "rejects.csv"
    # (the sample cases point at groups and hamlets the folder does not hold)
    report = import_csv(tmp_path / "partner", target, rejects=rejects, check_references=False)
    assert report.written == {**dict.fromkeys(report.written, 0), "village": 1, "case": 7}
    (reject,) = report.rejects
    assert reject.where == "case.csv:4"
    assert reject.problems[0].path == "case.csv:4:7 subject.sex"
    assert "wanita2" in rejects.read_text(encoding="utf-8")
    assert listener.reports == [report]
    again = import_csv(tmp_path / "partner", target, check_references=False)
    assert sum(again.written.values()) == 0
    assert again.unchanged["case"] == 7


def test_a_folder_whose_file_does_not_fit_is_reported_not_skipped(tmp_path: Path) -> None:
    source = open_store(csv_url(tmp_path, "durable=no"))
    source.put_many(sample_cases(3))
    path = tmp_path / "case.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("subject.sex", "jenis_kelamin", 1),
        encoding="utf-8",
    )
    items = list(read_folder(tmp_path, kinds="case"))
    (reject,) = items
    assert isinstance(reject, Reject)
    text = str(reject.problems)
    assert "unknown column 'jenis_kelamin'" in text
    assert "the file was not read" in text


def test_plugins_that_fail_to_hear_of_an_import_do_not_undo_it(tmp_path: Path) -> None:
    class Broken:
        @hookimpl
        def kk_import_finished(self, report: ImportReport) -> None:
            raise RuntimeError("listener down")

    source = open_store(csv_url(tmp_path / "src", "durable=no"))
    source.put_many(sample_cases(2))
    target = open_store("memory://")
    reset_plugins(Plugins(extra=[Broken()]))
    try:
        with pytest.raises(EventDeliveryError) as caught:
            import_csv(tmp_path / "src", target, check_references=False)
    finally:
        reset_plugins(None)
    assert isinstance(caught.value.result, ImportReport)
    assert target.count(Case) == {(): 2}


def test_an_unreadable_source_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is not a folder"):
        import_csv(tmp_path / "missing", open_store("memory://"))
    with pytest.raises(StorageError, match="is not a file"):
        import_spreadsheet(
            tmp_path / "missing.csv",
            parse_mapping(MAPPING),
            open_store("memory://"),
            pseudonym_key=KEY,
        )


def test_a_sheet_without_a_perpetrator_column_names_none(tmp_path: Path) -> None:
    """The mapping's records are current data: a case with no secondary-issues column is
    not read as release 0.1.0's (whose upgrade names an "unknown" perpetrator)."""
    mapping = parse_mapping(
        MAPPING.replace('"Hubungan Pelaku" = "violence.perpetrators[0].relation"', "")
        .replace('[labels."violence.perpetrators[0].relation"]\n"Ayah" = "parent"', "")
        .replace(
            '"Petugas" = { ignore = true }',
            '"Petugas" = { ignore = true }\n"Hubungan Pelaku" = { ignore = true }',
        )
    )
    sheet = _write_csv(tmp_path / "kasus.csv", [HEADER, ROWS[0]])
    (case,) = _items(sheet, mapping)
    assert isinstance(case, Case)
    assert case.violence is not None
    assert case.violence.perpetrators == ()


def test_what_a_record_points_at_is_checked_as_the_services_check_it(tmp_path: Path) -> None:
    """A referral to a case refused in the same import, a member of a group that is not
    there, a companion of another group: rejects saying so, the rest written."""
    source = open_store(csv_url(tmp_path / "src", "durable=no"))
    teros, other = "52.03.17.2003", "52.03.17.2006"
    source.put_many(
        [
            ConstituentGroup("kk-teros", teros, "KK Teros"),
            Hamlet("teros-timur", teros, "Teros Timur"),
            Member("m-1", "kk-teros", "Baiq", Sex.FEMALE, {Affiliation.PKK}, date(2024, 1, 1)),
            Member("m-2", "kk-nowhere", "Lalu", Sex.MALE, {Affiliation.PKK}, date(2024, 1, 1)),
            ServiceProvider("pkm", ServiceKind.PUSKESMAS, "Puskesmas"),
        ]
    )
    subject = Subject(Sex.FEMALE, age_years=30, hamlet_id="teros-timur")
    good = Case("c-1", "kk-teros", teros, date(2025, 3, 4), IntakeChannel.WALK_IN,
                CaseCategory.VIOLENCE, subject, companion_id="m-1")  # fmt: skip
    elsewhere = attrs.evolve(good, id="c-2", village_id=other, subject=Subject(Sex.FEMALE))
    stranger = attrs.evolve(good, id="c-3", companion_id="m-2")
    source.put_many([good, elsewhere, stranger])
    source.put_many(
        [
            Referral("r-1", "c-1", "pkm", "visum", date(2025, 3, 5), consent_given=True),
            Referral("r-2", "c-2", "pkm", "visum", date(2025, 3, 5), consent_given=True),
        ]
    )
    target = open_store(f"sqlite:///{tmp_path / 'kk.db'}")
    report = import_csv(tmp_path / "src", target)
    assert report.written["case"] == 1
    assert report.written["referral"] == 1
    assert report.written["member"] == 1
    found = {r.where: [f"{p.path}: {p.message}" for p in r.problems] for r in report.rejects}
    assert found == {
        "member 'm-2'": ["member.group_id: no group 'kk-nowhere' in the target store"],
        "case 'c-2'": [
            "case.village_id: 52.03.17.2006 is not the village of group 'kk-teros' (52.03.17.2003)"
        ],
        "case 'c-3'": ["case.companion_id: no member 'm-2' in the target store"],
        "referral 'r-2'": ["referral.case_id: no case 'c-2' in the target store"],
    }
    assert [c.id for c in target.find(Case)] == ["c-1"]
    # without the check, the folder goes in as it is
    loose = open_store("memory://")
    assert import_csv(tmp_path / "src", loose, check_references=False).rejects == ()
