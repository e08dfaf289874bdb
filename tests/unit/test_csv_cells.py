"""Cells of the CSV files: what is written, and what people type that is read."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kk_adapters.csv.cells import (
    escape_text,
    needs_escape,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    split_codes,
    unescape_text,
)

_ID_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-02-13", date(2025, 2, 13)),
        ("  2025-02-13 ", date(2025, 2, 13)),
        ("2025-02-13 00:00:00", date(2025, 2, 13)),
        ("13/02/2025", date(2025, 2, 13)),
        ("13-02-2025", date(2025, 2, 13)),
        ("13.02.2025", date(2025, 2, 13)),
        ("5/2/2025", date(2025, 2, 5)),
        ("13 Februari 2025", date(2025, 2, 13)),
        ("13 februari 2025", date(2025, 2, 13)),
        ("13 FEBRUARI 2025", date(2025, 2, 13)),
        ("13 Feb 2025", date(2025, 2, 13)),
        ("13 Feb. 2025", date(2025, 2, 13)),
        ("13-Feb-2025", date(2025, 2, 13)),
        ("13 Pebruari 2025", date(2025, 2, 13)),
        ("17 Agustus 2025", date(2025, 8, 17)),
        ("17 Agu 2025", date(2025, 8, 17)),
        ("17 Agt 2025", date(2025, 8, 17)),
        ("1 Okt 2025", date(2025, 10, 1)),
        ("10 Nopember 2025", date(2025, 11, 10)),
        ("25 Des 2025", date(2025, 12, 25)),
        ("1 Mei 2025", date(2025, 5, 1)),
        ("13 February 2025", date(2025, 2, 13)),
        ("Kamis, 13 Februari 2025", date(2025, 2, 13)),
        ("Jum'at, 14 Februari 2025", date(2025, 2, 14)),
        ("Jumat 14/02/2025", date(2025, 2, 14)),
    ],
)
def test_dates_in_indonesian_forms(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("13/02/25", "four-digit year"),
        ("02/13/2025", "read day first"),
        ("31/02/2025", "not a day of the calendar"),
        ("13 Febuari 2025", "no month called"),
        ("Senin, 13 Februari 2025", "wrong weekday"),
        ("kemarin", "is not a date"),
        ("", "is empty"),
        ("2025-13-01", "not a day of the calendar"),
        ("x" * 500, "is not a date"),
    ],
)
def test_dates_that_are_refused_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.sampled_from(range(6)))
def test_every_written_form_of_a_day_reads_as_that_day(day: date, form: int) -> None:
    text = [
        day.isoformat(),
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}-{day.month}-{day.year}",
        f"{day.day} {_ID_MONTHS[day.month - 1]} {day.year}",
        f"{day.day} {_ID_MONTHS[day.month - 1][:3]} {day.year}",
        f"  {day.day:02d}.{day.month:02d}.{day.year} ",
    ][form]
    assert parse_date(text) == day


def test_date_times_need_their_offset() -> None:
    assert parse_datetime(" 2025-02-13T09:30:00+08:00 ").utcoffset() is not None
    with pytest.raises(ValueError, match="UTC offset"):
        parse_datetime("2025-02-13T09:30:00")
    with pytest.raises(ValueError, match="ISO date-time"):
        parse_datetime("13/02/2025 09:30")


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("TRUE", True), (" ya ", True), ("Yes", True), ("1", True),
     ("false", False), ("Tidak", False), ("no", False), ("0", False), ("FALSE", False)],
)  # fmt: skip
def test_flags(text: str, value: bool) -> None:
    assert parse_bool(text) is value


def test_a_flag_that_is_neither_is_refused() -> None:
    with pytest.raises(ValueError, match="true or false"):
        parse_bool("mungkin")


def test_whole_numbers() -> None:
    assert parse_int(" 42 ") == 42
    assert parse_int("-3") == -3
    for text in ("1.5", "1.000", "Rp 5", "12a", "٣"):
        with pytest.raises(ValueError, match="whole number"):
            parse_int(text)


def test_sets_of_codes_split_on_semicolons_bars_and_lines() -> None:
    assert split_codes("physical; sexual") == ["physical", "sexual"]
    assert split_codes(" physical |sexual\nneglect; ") == ["physical", "sexual", "neglect"]
    assert split_codes("   ") == []


def test_a_set_cell_read_again_gives_the_same_codes_in_a_list_of_its_own() -> None:
    """Set cells are read once per distinct cell; what is handed out is never shared,
    and a cell that does not read is refused every time, never remembered."""
    from kk_adapters.csv._labels import code_reader

    reader = code_reader("violence_form")
    first = reader.set_cell("Fisik; psychological")
    assert first == ["physical", "psychological"]
    first.append("sexual")
    again = reader.set_cell("Fisik; psychological")
    assert again == ["physical", "psychological"]
    assert again is not reader.set_cell("Fisik; psychological")
    for _ in range(2):
        with pytest.raises(ValueError, match="not a code or label"):
            reader.set_cell("physical; nonsense")


@pytest.mark.parametrize(
    "text",
    ["=SUM(A1)", "+62812", "-1", "@cmd", "\tx", "\rx", "'quoted", " =1+1", "\n-2", "'"],
)
def test_formulas_are_escaped_and_read_back(text: str) -> None:
    cell = escape_text(text)
    assert cell.startswith("'")
    assert needs_escape(text)
    assert unescape_text(cell) == text


@pytest.mark.parametrize("text", ["", "Baiq Nurul", "5203", " leading space", "a=b", "x'"])
def test_plain_text_is_written_as_it_is(text: str) -> None:
    assert escape_text(text) == text
    assert unescape_text(text) == text


@pytest.mark.parametrize("text", ["\x0c=1+1", "\x1f@SUM(A1)", "\u2003-2", "\x85+1"])
def test_a_formula_behind_any_whitespace_is_escaped(text: str) -> None:
    assert escape_text(text) == "'" + text
    assert unescape_text(escape_text(text)) == text


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_reads_back_through_its_cell(text: str) -> None:
    cell = escape_text(text)
    assert unescape_text(cell) == text
    if cell:
        first = cell.lstrip()[:1]
        assert cell[0] == "'" or not first or first not in "=+-@\t\r"


def test_a_file_for_people_only_gets_an_apostrophe_only_before_a_formula() -> None:
    from kk_adapters.csv.cells import neutralise_formula

    assert neutralise_formula("=1+1") == "'=1+1"
    assert neutralise_formula(" -2") == "' -2"
    assert neutralise_formula("'31/02/2025' is not a day") == "'31/02/2025' is not a day"
    assert neutralise_formula("") == ""
