"""Export files read back into the API's shape: JSON dumps, CSV and XLSX exports."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from kk_adapters.kobo import readers
from kk_adapters.kobo.readers import JsonDump, read_csv, read_json, read_submissions, read_xlsx
from kk_adapters.kobo.schema import FormSchema
from kk_core.errors import StorageError, ValidationError
from kobo_support import LPA_FORM, lpa_answers

SCHEMA = FormSchema.from_content(LPA_FORM)


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"_id": i, "_uuid": f"u{i}", **lpa_answers(i)} for i in range(1, n + 1)]


# -- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["list", "page", "bundle", "lines"])
def test_json_shapes(tmp_path: Path, shape: str) -> None:
    rows = _rows(5)
    path = tmp_path / ("data.jsonl" if shape == "lines" else "data.json")
    if shape == "list":
        path.write_text(json.dumps(rows))
    elif shape == "page":
        path.write_text(json.dumps({"count": 5, "next": None, "previous": None, "results": rows}))
    elif shape == "bundle":
        path.write_text(json.dumps({"asset": {"uid": "aX"}, "results": rows, "count": 5}))
    else:
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    dump = JsonDump()
    assert list(read_json(path, dump=dump)) == rows
    if shape == "bundle":
        assert dump.header == {"asset": {"uid": "aX"}, "count": 5}


def test_json_streams_across_buffer_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Values cut by the read buffer anywhere (in a string, a number, between items)."""
    monkeypatch.setattr(readers, "_CHUNK", 7)
    rows = [{"_id": 1234567, "a": "é" * 13, "n": 3.25}, {"_id": 2, "b": [1, 22, 333]}]
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"count": 2, "results": rows}, indent=2), encoding="utf-8")
    assert list(read_json(path)) == rows


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[{"_id": 1},\n {"_id": 2,}]', "data.json:2:"),
        ('{"count": 1}', "data.json:1:"),
        ('[{"_id": 1} {"_id": 2}]', "data.json:1:"),
        ('"hello"', "data.json:1:1"),
        ("[1, 2]", "data.json:1:2"),
    ],
)
def test_bad_json_names_the_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(text)
    with pytest.raises(ValidationError) as caught:
        list(read_json(path))
    assert caught.value.problems[0].path.startswith(where)


@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
@pytest.mark.parametrize("bad", [1, 7, 40])
def test_bad_json_lines_name_their_line_across_buffers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, bad: int
) -> None:
    """Line numbers stay right however the file is cut into reads (counted once each)."""
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    lines = [json.dumps({"_id": i, "note": "baris\\nsatu"}) for i in range(1, 51)]
    lines[bad - 1] = "[1, 2]"  # not a submission
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValidationError) as caught:
        list(read_json(path))
    assert caught.value.problems[0].path == f"data.jsonl:{bad}:1"


def test_a_missing_file_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"cannot read nothing\.json"):
        list(read_json(tmp_path / "nothing.json"))


# -- CSV ------------------------------------------------------------------------------------

# As formpack writes it: every cell quoted, ";" between them, the XML names with the
# groups, a "both" select_multiple (summary and one column per choice), the geopoint's
# extra columns, then the copy fields.
CSV_NAMES = (
    '"start";"end";"identitas/kode";"identitas/tgl_lapor";"identitas/sumber";"identitas/jk";'
    '"kejadian/bentuk";"kejadian/bentuk/fisik";"kejadian/bentuk/psikis";"kejadian/bentuk/seksual";'
    '"kejadian/bentuk/penelantaran";"kejadian/lokasi";"_kejadian/lokasi_latitude";'
    '"_kejadian/lokasi_longitude";"_kejadian/lokasi_altitude";"_kejadian/lokasi_precision";'
    '"saksi";"_id";"_uuid";"_submission_time";"_validation_status";"_notes";"_status";'
    '"_submitted_by";"__version__";"_tags";"meta/rootUuid";"_index"\n'
    '"";"";"";"";"";"";"";"";"";"";"";"";"#geo+lat";"";"";"";"";"";"";"";"";"";"";"";"";"";"";""\n'
    '"2025-03-04T09:12:00.000+08:00";"2025-03-04T09:40:00.000+08:00";"2025-001";"2025-03-04";'
    '"datang_langsung";"p";"fisik psikis";"1";"1";"0";"0";"-8.6513 116.5327 12.5 4.0";"-8.6513";'
    '"116.5327";"12.5";"4.0";"ada";"11";"u11";"2025-03-04T01:40:12";"";"";"submitted_via_web";'
    '"enumerator";"vX";"";"uuid:r11";"1"\n'
)


def test_csv_with_xml_names_and_hxl_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV_NAMES, encoding="utf-8")
    (row,) = read_csv(path, SCHEMA)
    assert row["identitas/kode"] == "2025-001"
    assert row["kejadian/bentuk"] == "fisik psikis"
    assert row["kejadian/lokasi"] == "-8.6513 116.5327 12.5 4.0"
    assert row["_id"] == "11"
    assert row["meta/rootUuid"] == "uuid:r11"
    assert row["saksi"] == "ada"  # a column the form does not know is kept
    assert "_kejadian/lokasi_latitude" not in row


def test_csv_with_labels_of_a_translation(tmp_path: Path) -> None:
    """A label export: headers and choices in the form's language, commas between cells."""
    path = tmp_path / "labels.csv"
    path.write_text(
        "Kode kasus,Jenis kelamin,Bentuk kekerasan,Tanggal lapor,_id\n"
        '2025-002,P,"Fisik Penelantaran",2025-03-05,12\n',
        encoding="utf-8",
    )
    (row,) = read_csv(path, SCHEMA)
    assert row == {
        "identitas/kode": "2025-002",
        "identitas/jk": "p",
        "kejadian/bentuk": "fisik penelantaran",
        "identitas/tgl_lapor": "2025-03-05",
        "_id": "12",
    }


def test_csv_labels_with_groups(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        '"Identitas korban/Kode kasus";"Kejadian/Bentuk kekerasan/Fisik";'
        '"Kejadian/Bentuk kekerasan/Psikis"\n"2025-003";"0";"1"\n',
        encoding="utf-8",
    )
    (row,) = read_csv(path, SCHEMA)
    assert row == {"identitas/kode": "2025-003", "kejadian/bentuk": "psikis"}


def test_select_multiple_labels_with_spaces_are_split_on_labels() -> None:
    form = FormSchema.from_content(
        {
            "survey": [{"type": "select_multiple", "name": "m", "select_from_list_name": "l"}],
            "choices": [
                {"list_name": "l", "name": "a", "label": "Kekerasan fisik"},
                {"list_name": "l", "name": "b", "label": "Kekerasan"},
            ],
        }
    )
    lookup = readers._Headers(form, None, "/")
    question = form.question("m")
    assert question is not None
    assert readers._split_choices("Kekerasan fisik Kekerasan", question, lookup) == "a b"
    assert readers._split_choices("a b", question, lookup) == "a b"


def test_ambiguous_headers_are_an_error(tmp_path: Path) -> None:
    form = FormSchema.from_content(
        {
            "survey": [
                {"type": "begin_group", "name": "g1"},
                {"type": "text", "name": "nama"},
                {"type": "end_group"},
                {"type": "begin_group", "name": "g2"},
                {"type": "text", "name": "nama"},
                {"type": "end_group"},
            ]
        }
    )
    path = tmp_path / "e.csv"
    path.write_text('"nama";"g2/nama"\n"a";"b"\n')
    with pytest.raises(ValidationError) as caught:
        list(read_csv(path, form))
    assert "'g1/nama', 'g2/nama'" in str(caught.value)


def test_a_broken_csv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text('"identitas/kode"\n"2025-1\n')
    with pytest.raises(ValidationError, match=r"e\.csv:\d"):
        list(read_csv(path, SCHEMA))


# -- XLSX -----------------------------------------------------------------------------------


def _xlsx(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    first = True
    for title, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        sheet.title = title
        first = False
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_joins_repeat_sheets_and_reads_typed_cells(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "export.xlsx",
        [
            (
                "Formulir Kasus LPA",
                [
                    [
                        "identitas/kode",
                        "identitas/tgl_lapor",
                        "identitas/tahun_lahir",
                        "_id",
                        "_index",
                    ],
                    ["2025-001", datetime(2025, 3, 4), 1999, 11, 1],
                    ["2025-002", date(2025, 3, 5), 2001.0, 12, 2],
                ],
            ),
            (
                "pelaku",
                [
                    ["hubungan", "jk_pelaku", "_index", "_parent_table_name", "_parent_index"],
                    ["ayah", "l", 1, "Formulir Kasus LPA", 1],
                    ["paman", "l", 2, "Formulir Kasus LPA", 1],
                    ["tetangga", "p", 3, "Formulir Kasus LPA", 2],
                ],
            ),
            (
                "rujukan",
                [
                    [
                        "lembaga",
                        "tgl_rujuk",
                        "_index",
                        "_parent_table_name",
                        "_parent_index",
                        "_submission__id",
                    ],
                    ["uptd", datetime(2025, 3, 6), 1, "Formulir Kasus LPA", 2, 12],
                ],
            ),
        ],
    )
    first, second = read_xlsx(path, SCHEMA)
    assert first["identitas/tgl_lapor"] == "2025-03-04"
    assert first["identitas/tahun_lahir"] == "1999"
    assert second["identitas/tahun_lahir"] == "2001"
    assert first["kejadian/pelaku"] == [
        {"kejadian/pelaku/hubungan": "ayah", "kejadian/pelaku/jk_pelaku": "l"},
        {"kejadian/pelaku/hubungan": "paman", "kejadian/pelaku/jk_pelaku": "l"},
    ]
    assert "rujukan" not in first
    assert second["rujukan"] == [{"rujukan/lembaga": "uptd", "rujukan/tgl_rujuk": "2025-03-06"}]


def test_xlsx_sheet_of_no_repeat_is_an_error(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "x.xlsx", [("main", [["identitas/kode"]]), ("saksi", [["nama"]])])
    with pytest.raises(ValidationError, match="no repeat of the form has this name"):
        list(read_xlsx(path, SCHEMA))


def test_read_submissions_picks_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV_NAMES, encoding="utf-8")
    assert len(list(read_submissions(path, SCHEMA))) == 1
    with pytest.raises(ValidationError, match="needs the form's schema"):
        read_submissions(path)
    with pytest.raises(ValidationError, match=r"\.json, \.jsonl, \.csv or \.xlsx"):
        read_submissions(tmp_path / "export.xls", SCHEMA)
