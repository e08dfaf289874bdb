"""kk_core.places against the Kemendagri table: kinds of village, and what the checks list."""

from __future__ import annotations

import pytest

from kk_core.converter import structure, unstructure
from kk_core.errors import Problem
from kk_core.places import (
    Hamlet,
    Village,
    is_kelurahan,
    village_code_problems,
    village_problems,
)
from kk_core.regions import RegionKind

TEROS = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")


@pytest.mark.parametrize(
    ("code", "kelurahan"),
    [
        ("52.03.17.1004", True),  # Tanjung, a kelurahan of Labuhan Haji
        ("52.03.17.1999", True),  # not listed: the rule needs no table
        ("52.03.17.2003", False),
        ("91.03.01.3007", False),  # a desa adat
        ("52.03.17", False),
        ("52.03.17.10040", False),
        ("", False),
    ],
)
def test_is_kelurahan_by_the_code_rule(code: str, kelurahan: bool) -> None:
    assert is_kelurahan(code) is kelurahan


def test_a_village_says_its_kind() -> None:
    assert TEROS.village_kind is RegionKind.DESA
    assert not TEROS.is_kelurahan
    geres = Village("52.03.17.1012", "Geres", "Labuhan Haji", "Lombok Timur", "NTB")
    assert geres.village_kind is RegionKind.KELURAHAN
    assert geres.is_kelurahan
    yoboi = Village("91.03.01.3007", "Desa Adat Yoboi", "Sentani", "Jayapura", "Papua")
    assert yoboi.village_kind is RegionKind.DESA_ADAT
    assert not yoboi.is_kelurahan


@pytest.mark.parametrize("name", ["Teros", "Desa Teros", "TEROS", "desa-teros"])
def test_the_official_name_however_written_has_no_problem(name: str) -> None:
    assert village_problems(Village("52.03.17.2003", name, "", "", "")) == []


def test_a_name_that_is_not_the_codes_is_a_problem_naming_the_expected_name() -> None:
    """Release 0.1.0 keyed Teros by 52.03.17.2008, which is Kertasari."""
    old = Village("52.03.17.2008", "Teros", "Labuhan Haji", "Lombok Timur", "NTB")
    assert village_problems(old) == [
        Problem(
            "village.name",
            "'Teros' is not the name of 52.03.17.2008 in the Kemendagri list: expected 'Kertasari'",
        )
    ]


def test_an_unlisted_code_is_a_problem_naming_the_code() -> None:
    (problem,) = village_problems(Village("52.03.12.0999", "Desa Penda", "-", "-", "-"))
    assert problem.path == "village.id"
    assert problem.message.startswith("'52.03.12.0999' is not a village in the Kemendagri list")
    assert "300.2.2-2138 Tahun 2025" in problem.message  # the decree reads, not masked
    assert village_code_problems("52.03.12.0999", "hamlet.village_id") == [
        Problem("hamlet.village_id", problem.message)
    ]
    assert village_code_problems("52.03.17.2003", "hamlet.village_id") == []


def test_records_with_unlisted_codes_or_other_names_still_read() -> None:
    """Codes change between decrees: a record written under an older list stays readable.
    The checks run where new data is written (kk_core.services)."""
    retired = Village("36.02.16.2018", "Cikaratuan", "Cijaku", "Lebak", "Banten")  # 2022 list
    assert village_problems(retired)[0].path == "village.id"
    assert structure(unstructure(retired), Village) == retired
    hamlet = Hamlet("dsn-1", "36.02.16.2018", "Dusun Satu")
    assert structure(unstructure(hamlet), Hamlet) == hamlet
