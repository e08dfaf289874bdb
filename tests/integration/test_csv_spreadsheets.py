"""The CSV store reads what people save from spreadsheets and writes what they open.

The contract suite (tests/contract/test_csv_store.py) proves the Store rules; these
tests prove what is particular to files: delimiters, BOM, stray spaces, Indonesian
dates and labels, errors at ``file:line:column``, rows that do not join, files sorted
by hand, formula escaping, the Excel-friendly format, and what a human edit meanwhile
does to a transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import attrs
import pytest

from csv_support import csv_files, csv_url
from kk_adapters.csv import _files as files_module
from kk_adapters.csv.store import CsvStore
from kk_core import Case, ConflictError, StorageError, ValidationError, Village, open_store
from kk_core.case_parts import Consent, Perpetrator
from kk_core.codes import CaseCategory, ConsentGiver, Sex, ViolenceForm
from kk_core.groups import ConstituentGroup
from kk_core.meetings import Meeting
from kk_core.privacy import pseudonymise
from kk_core.testing.contract import sample_cases
from kk_core.testing.strategies import TEST_KEY

TEROS = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")


def _open(folder: Path, query: str = "durable=no") -> CsvStore:
    store = open_store(csv_url(folder, query))
    assert isinstance(store, CsvStore)
    return store


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")  # no newline translation
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    lines = re.split(r"(?<=\n)", text)  # at line feeds only: a lone CR stays in its cell
    return [row for row in csv.reader(lines, delimiter=delimiter) if row]


def _write_rows(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = False, sep: bool = False
) -> None:
    out = io.StringIO(newline="")
    if sep:
        out.write(f"sep={delimiter}\r\n")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8", newline="")


def _edit(path: Path, change: Callable[[dict[str, str]], None], **layout: bool | str) -> None:
    """Change every data row of a file (as a dict by column name), as a person would."""
    rows = _rows(path)
    header = rows[0]
    edited = [header]
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=True))
        change(cells)
        edited.append([cells[name] for name in header])
    _write_rows(path, edited, **layout)  # type: ignore[arg-type]


def _violence_case() -> Case:
    """A violence case with perpetrators and consent (the parts spreadsheets carry)."""
    case = next(c for c in sample_cases() if c.category is CaseCategory.VIOLENCE)
    assert case.violence is not None
    return attrs.evolve(
        case,
        violence=attrs.evolve(
            case.violence,
            perpetrators=(Perpetrator("parent", sex=Sex.MALE), Perpetrator("neighbour")),
        ),
        consent=Consent(ConsentGiver.SELF, case.reported_on, services={"puskesmas"}),
    )


# -- what people send ------------------------------------------------------------------


@pytest.mark.parametrize(
    "layout",
    [
        {"delimiter": ";", "bom": True},
        {"delimiter": ";"},
        {"delimiter": ",", "bom": True},
        {"delimiter": "\t"},
        {"delimiter": ";", "sep": True},
    ],
)
def test_delimiter_and_bom_are_detected(tmp_path: Path, layout: dict[str, object]) -> None:
    store = _open(tmp_path)
    cases = sample_cases(6)
    store.put_many([TEROS, *cases])
    for name in ("village.csv", "case.csv", "case.timeline.csv", "case.violence.perpetrators.csv"):
        _write_rows(tmp_path / name, _rows(tmp_path / name), **layout)  # type: ignore[arg-type]
    again = _open(tmp_path)
    assert again.get(Village, TEROS.id) == attrs.evolve(TEROS, version=1)
    assert list(again.find(Case)) == sorted(
        (attrs.evolve(c, version=1) for c in cases), key=lambda c: c.id
    )


def test_typed_cells_are_trimmed_text_is_kept(tmp_path: Path) -> None:
    store = _open(tmp_path)
    case = attrs.evolve(_violence_case(), summary="  spaces kept  ")
    store.put(case)

    def pad(cells: dict[str, str]) -> None:
        for name in ("reported_on", "category", "subject.sex", "violence.forms", "version"):
            cells[name] = f"  {cells[name]} "
        cells["violence.exchange"] = " false"

    _edit(tmp_path / "case.csv", pad)
    assert store.get(Case, case.id) == attrs.evolve(case, version=1)


def test_dates_labels_and_flags_as_people_type_them(tmp_path: Path) -> None:
    store = _open(tmp_path)
    case = _violence_case()
    store.put(case)
    assert case.violence is not None

    def humanise(cells: dict[str, str]) -> None:
        day = case.reported_on
        months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                  "September", "Oktober", "November", "Desember"]  # fmt: skip
        cells["reported_on"] = f"{day.day} {months[day.month - 1]} {day.year}"
        cells["subject.sex"] = "Laki-laki" if case.subject.sex is Sex.MALE else "Perempuan"
        cells["category"] = "Kekerasan"  # Indonesian label
        cells["violence.forms"] = ", ".join(
            {"physical": "Fisik", "psychological": "Psikis", "sexual": "Seksual"}[f.value]
            for f in sorted(case.violence.forms)  # type: ignore[union-attr]
        )
        cells["violence.place"] = "Rumah Tangga"  # a label of the open list incident_place
        cells["violence.exchange"] = "tidak"
        if cells["consent.recorded_on"]:
            recorded = date.fromisoformat(cells["consent.recorded_on"])
            cells["consent.recorded_on"] = recorded.strftime("%d/%m/%Y")

    _edit(tmp_path / "case.csv", humanise, delimiter=";", bom=True)
    got = store.get(Case, case.id)
    assert got == attrs.evolve(
        case, version=1, violence=attrs.evolve(case.violence, place="household")
    )


def test_a_bad_cell_is_named_by_file_line_and_column_and_find_goes_on(tmp_path: Path) -> None:
    store = _open(tmp_path)
    cases = sample_cases(6)
    store.put_many(cases)
    ordered = sorted(c.id for c in cases)
    bad_id = ordered[2]

    def spoil(cells: dict[str, str]) -> None:
        if cells["id"] == bad_id:
            cells["subject.sex"] = "wanita2"
            cells["reported_on"] = "31/02/2025"

    _edit(tmp_path / "case.csv", spoil)
    found = store.find(Case)
    got = [next(found).id, next(found).id]
    with pytest.raises(StorageError) as caught:
        next(found)
    message = str(caught.value)
    assert "case.csv:4:7 subject.sex" in message  # the header is line 1, the third case line 4
    assert "wanita2" in message
    assert "sex" in message
    assert "case.csv:4:4 reported_on" in message
    assert "not a day of the calendar" in message
    got += [c.id for c in found]  # next() goes on after the bad record
    assert got == [i for i in ordered if i != bad_id]
    with pytest.raises(StorageError, match=r"case\.csv:4:7"):
        store.get(Case, bad_id)
    with pytest.raises(StorageError, match="wanita2"):
        store.count(Case)


def test_a_child_row_that_does_not_read_is_named_in_its_file(tmp_path: Path) -> None:
    store = _open(tmp_path)
    case = _violence_case()
    store.put(case)
    _edit(tmp_path / "case.violence.perpetrators.csv", lambda c: c.update(sex="alien"))
    with pytest.raises(StorageError, match=r"case\.violence\.perpetrators\.csv:2:4 sex"):
        store.get(Case, case.id)


def test_a_record_rule_broken_across_cells_names_the_row(tmp_path: Path) -> None:
    store = _open(tmp_path)
    case = next(c for c in sample_cases() if c.closed_on is not None)
    store.put(case)
    _edit(tmp_path / "case.csv", lambda c: c.update(closed_on="2000-01-01"))
    with pytest.raises(StorageError, match=r"case\.csv:2\b.*before"):
        store.get(Case, case.id)


def test_header_problems_are_named(tmp_path: Path) -> None:
    store = _open(tmp_path)
    store.put(TEROS)
    rows = _rows(tmp_path / "village.csv")
    rows[0] = ["id", "nama", "district", "regency", "province", "district", "version"]
    _write_rows(tmp_path / "village.csv", rows)
    with pytest.raises(StorageError) as caught:
        list(store.find(Village))
    message = str(caught.value)
    assert "village.csv:1:2" in message
    assert "unknown column 'nama'" in message
    assert "village.csv:1:6" in message
    assert "appears twice" in message
    assert "missing column(s): name" in message


def test_a_column_left_out_reads_as_its_default(tmp_path: Path) -> None:
    group = ConstituentGroup("kk-teros", TEROS.id, "KK Teros")
    store = _open(tmp_path)
    store.put(group)
    rows = _rows(tmp_path / "group.csv")
    keep = [i for i, name in enumerate(rows[0]) if name not in ("functions", "version")]
    _write_rows(tmp_path / "group.csv", [[row[i] for i in keep] for row in rows])
    assert store.get(ConstituentGroup, "kk-teros") == attrs.evolve(group, version=1)
    # an empty cell is an empty set; only a missing column means the default
    _edit(tmp_path / "group.csv", lambda c: None)
    rows = _rows(tmp_path / "group.csv")
    _write_rows(tmp_path / "group.csv", [[*rows[0], "functions"], [*rows[1], ""]])
    assert store.get(ConstituentGroup, "kk-teros").functions == frozenset()


def test_rows_that_join_nothing_are_reported(tmp_path: Path) -> None:
    store = _open(tmp_path)
    cases = sample_cases(4)
    store.put_many(cases)
    rows = _rows(tmp_path / "case.timeline.csv")
    rows.append(
        ["no-such-case", "1", "2025-02-13T09:00:00+08:00", "report", "", "reported", "", "", ""]
    )
    _write_rows(tmp_path / "case.timeline.csv", rows)
    main = _rows(tmp_path / "case.csv")
    main.append(main[1])  # the first case twice
    _write_rows(tmp_path / "case.csv", main)
    found = store.find(Case)
    got, errors = [], []
    while True:
        try:
            got.append(next(found).id)
        except StopIteration:
            break
        except StorageError as exc:
            errors.append(str(exc))
    assert got == sorted(c.id for c in cases)
    assert any("already the id of the row at line 2" in e for e in errors), errors
    assert any("no case 'no-such-case'" in e and "case.timeline.csv" in e for e in errors), errors


def test_positions_order_a_list_and_may_not_repeat(tmp_path: Path) -> None:
    store = _open(tmp_path)
    meeting = Meeting("rapat", "kk-teros", "Rapat", date(2025, 2, 13), agenda=("a", "b", "c"))
    store.put(meeting)
    rows = _rows(tmp_path / "meeting.agenda.csv")
    rows[1][1], rows[3][1] = "3", "1"  # positions swapped by hand: the list follows them
    _write_rows(tmp_path / "meeting.agenda.csv", rows)
    assert store.get(Meeting, "rapat").agenda == ("c", "b", "a")
    _edit(tmp_path / "meeting.agenda.csv", lambda c: c.update(position="1"))
    with pytest.raises(StorageError, match=r"meeting\.agenda\.csv:3:2 position.*appears twice"):
        store.get(Meeting, "rapat")
    _edit(tmp_path / "meeting.agenda.csv", lambda c: c.update(position="first"))
    with pytest.raises(StorageError, match="is not a position"):
        store.get(Meeting, "rapat")


@pytest.mark.parametrize("run_size", [3, 50_000])
def test_a_file_sorted_by_hand_reads_in_id_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_size: int
) -> None:
    monkeypatch.setattr(files_module, "RUN_SIZE", run_size)
    store = _open(tmp_path)
    cases = sample_cases(12)
    store.put_many(cases)
    for name in ("case.csv", "case.timeline.csv", "case.violence.perpetrators.csv"):
        rows = _rows(tmp_path / name)
        rows[1:] = sorted(rows[1:], key=lambda r: r[3], reverse=True)  # by another column
        _write_rows(tmp_path / name, rows)
    again = _open(tmp_path)
    assert list(again.find(Case)) == sorted(
        (attrs.evolve(c, version=1) for c in cases), key=lambda c: c.id
    )
    # and the next write puts the files back in order
    again.put(attrs.evolve(again.get(Case, cases[0].id), summary="diubah"))
    ids = [row[0] for row in _rows(tmp_path / "case.csv")[1:]]
    assert ids == sorted(ids)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    store = _open(tmp_path)
    store.put(attrs.evolve(TEROS, district="Pringgabaya é"))
    path = tmp_path / "village.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    with pytest.raises(StorageError, match=r"village\.csv:2.*CSV UTF-8"):
        list(store.find(Village))


def test_blank_rows_are_skipped_and_cells_beyond_the_header_refused(tmp_path: Path) -> None:
    store = _open(tmp_path)
    store.put(TEROS)
    rows = _rows(tmp_path / "village.csv")
    _write_rows(tmp_path / "village.csv", [rows[0], [""] * 6, rows[1], ["", "", ""], [""] * 6])
    assert [v.id for v in store.find(Village)] == [TEROS.id]
    _write_rows(tmp_path / "village.csv", [rows[0], [*rows[1], "", "stray"]])
    with pytest.raises(StorageError, match=r"village\.csv:2:8.*without a heading"):
        list(store.find(Village))


def test_a_row_added_by_hand_without_a_version_is_at_version_1(tmp_path: Path) -> None:
    store = _open(tmp_path)
    store.put(TEROS)
    rows = _rows(tmp_path / "village.csv")
    rows.append(["52.03.17.2004", "Sukaraja", "Jerowaru", "Lombok Timur", "NTB", ""])
    _write_rows(tmp_path / "village.csv", rows)
    added = store.get(Village, "52.03.17.2004")
    assert added.version == 1
    assert store.put(attrs.evolve(added, name="Suka Raja")).version == 2


# -- what is written ---------------------------------------------------------------------

_FORMULAS = [
    '=HYPERLINK("http://x")',
    "+62 812",
    "-1",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
    "'quoted",
    " =1+1",
]


@pytest.mark.parametrize("text", _FORMULAS)
def test_formulas_are_neutralised_and_read_back_unchanged(tmp_path: Path, text: str) -> None:
    store = _open(tmp_path)
    case = attrs.evolve(sample_cases(1)[0], summary=text)
    village = attrs.evolve(TEROS, name=text)
    store.put_many([case, village])
    rows = _rows(tmp_path / "case.csv")
    cell = rows[1][rows[0].index("summary")]
    assert cell == "'" + text
    assert _rows(tmp_path / "village.csv")[1][1] == "'" + text
    assert _open(tmp_path).get(Case, case.id).summary == text
    assert _open(tmp_path).get(Village, village.id).name == text


def test_empty_text_and_no_text_stay_apart(tmp_path: Path) -> None:
    store = _open(tmp_path)
    base = _violence_case()
    assert base.violence is not None
    empty = attrs.evolve(base, id="kosong", subject=attrs.evolve(base.subject, hamlet_id=""))
    none = attrs.evolve(base, id="tidak-ada", subject=attrs.evolve(base.subject, hamlet_id=None))
    store.put_many([empty, none])
    assert store.get(Case, "kosong").subject.hamlet_id == ""
    assert store.get(Case, "tidak-ada").subject.hamlet_id is None


def test_the_excel_format_has_a_bom_and_semicolons(tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain", tmp_path / "excel"
    _open(plain).put(TEROS)
    _open(excel, "excel=yes&durable=no").put(TEROS)
    assert (plain / "village.csv").read_bytes().startswith(b"id,name,district")
    assert (excel / "village.csv").read_bytes().startswith(b"\xef\xbb\xbfid;name;district")
    assert b"\r\n" in (excel / "village.csv").read_bytes()
    assert _open(excel).get(Village, TEROS.id).name == "Teros"
    # a store writes its own format whatever the file had: an Excel file stays readable
    _open(plain).put(attrs.evolve(_open(plain).get(Village, TEROS.id), name="Desa Teros"))
    _open(excel).put(attrs.evolve(_open(excel).get(Village, TEROS.id), name="Desa Teros"))
    assert (excel / "village.csv").read_bytes().startswith(b"id,name")


def test_identity_holds_pseudonyms_only(tmp_path: Path) -> None:
    store = _open(tmp_path)
    case = sample_cases(1)[0]
    pseudonym = pseudonymise("5203124506090001", TEST_KEY)
    case = attrs.evolve(case, subject=attrs.evolve(case.subject, identity=pseudonym))
    store.put(case)
    text = (tmp_path / "case.csv").read_text(encoding="utf-8")
    assert "p1:" in text
    assert not re.search(r"\d{16}", text)
    nik = "5203124506090002"
    _edit(tmp_path / "case.csv", lambda c: c.update({"subject.identity": nik}))
    with pytest.raises(StorageError) as caught:
        store.get(Case, case.id)
    assert "identity" in str(caught.value)
    assert nik not in str(caught.value)
    _edit(
        tmp_path / "case.csv", lambda c: c.update({"subject.identity": "", "summary": f"NIK {nik}"})
    )
    with pytest.raises(StorageError) as caught:
        store.get(Case, case.id)
    assert "summary" in str(caught.value)
    assert nik not in str(caught.value)


def test_files_get_the_folders_usual_permissions(tmp_path: Path) -> None:
    _open(tmp_path).put(TEROS)
    mode = (tmp_path / "village.csv").stat().st_mode & 0o777
    assert mode & 0o044 == (0o666 & ~_umask()) & 0o044


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current


def test_a_file_changed_by_hand_meanwhile_is_a_conflict(tmp_path: Path) -> None:
    store = _open(tmp_path)
    case = sample_cases(1)[0]
    stored = store.put(case)
    with store.transaction() as tx:
        tx.put(attrs.evolve(tx.get(Case, case.id), summary="from the program"))
        # meanwhile someone edits the summary in a spreadsheet (the version unchanged)
        _edit(tmp_path / "case.csv", lambda c: c.update(summary="typed in Excel"))
        with pytest.raises(ConflictError) as caught:
            tx.commit()
    assert "changed after this transaction read them" in "".join(caught.value.__notes__)
    assert "was changed since (its version was left unchanged)" in str(caught.value)
    assert store.get(Case, case.id).summary == "typed in Excel"
    assert store.get(Case, case.id).version == stored.version


def test_two_stores_on_one_folder_do_not_overwrite_each_other(tmp_path: Path) -> None:
    first, second = _open(tmp_path), _open(tmp_path)
    village = first.put(TEROS)
    with first.transaction() as tx:
        tx.put(attrs.evolve(village, name="Teros (first)"))
        second.put(attrs.evolve(village, name="Teros (second)"))
        with pytest.raises(ConflictError):
            tx.commit()
    assert first.get(Village, TEROS.id).name == "Teros (second)"


def test_records_of_every_kind_with_lists_and_sets(tmp_path: Path) -> None:
    store = _open(tmp_path)
    meeting = Meeting(
        "rapat-1",
        "kk-teros",
        "Rapat pleno",
        date(2025, 2, 13),
        agenda=("Pembukaan", "=1+1", ""),
        member_ids=frozenset({"m-2", "m-1", "m,3"}),
    )
    store.put(meeting)
    assert _open(tmp_path).get(Meeting, "rapat-1") == attrs.evolve(meeting, version=1)
    assert "meeting.agenda.csv" in csv_files(tmp_path)
    assert _rows(tmp_path / "meeting.member_ids.csv")[1:] == [
        ["rapat-1", "m,3"], ["rapat-1", "m-1"], ["rapat-1", "m-2"]
    ]  # fmt: skip


def test_sets_of_codes_are_one_cell(tmp_path: Path) -> None:
    store = _open(tmp_path)
    married = next(
        c for c in sample_cases() if c.category is CaseCategory.CHILD_MARRIAGE and c.issues
    )
    store.put(married)
    rows = _rows(tmp_path / "case.csv")
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["issues"] == "school_dropout; violence"
    assert set(record["violence.forms"].split("; ")) == {
        f.value for f in (ViolenceForm.SEXUAL, ViolenceForm.PSYCHOLOGICAL)
    }


def test_bad_urls_and_options_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        open_store(f"csv://{tmp_path.as_posix()}?excel=maybe&colour=red", durable="x", timeout=1)
    paths = {p.path for p in caught.value.problems}
    assert {"url.query.excel", "url.query.colour", "options.durable", "options.timeout"} <= paths
    with pytest.raises(ValidationError, match=r"url\.host"):
        open_store("csv://server/share")
    with pytest.raises(StorageError, match="is not a folder"):
        open_store(csv_url(tmp_path / "missing", "read_only=yes"))
    assert open_store(csv_url(tmp_path / "made")).url.endswith("/made")
    assert (tmp_path / "made").is_dir()


def test_a_relative_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("csv:data/kk?durable=no")
    store.put(TEROS)
    assert (tmp_path / "data" / "kk" / "village.csv").exists()
