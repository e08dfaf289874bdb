"""kk_core.regions: the bundled Kemendagri table, its code rules, lookups and place names."""

from __future__ import annotations

import gzip
import importlib.util
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

from kk_core import regions
from kk_core.errors import CodeError, KKError
from kk_core.regions import Level, Region, RegionKind

ROOT = Path(__file__).resolve().parents[2]
DATA = resources.files("kk_core").joinpath("data")


def _all() -> list[Region]:
    """Every region, walking the table from the provinces down."""
    found: list[Region] = []
    todo = list(regions.children())
    while todo:
        region = todo.pop()
        found.append(region)
        todo.extend(regions.children(region.code))
    return found


# -- the table -----------------------------------------------------------------------------


def test_the_table_covers_all_of_indonesia() -> None:
    """The counts of Kepmendagri 300.2.2-2138/2025 as cahyadsn/wilayah lists them."""
    every = _all()
    assert Counter(r.level for r in every) == {
        Level.PROVINCE: 38,
        Level.REGENCY: 514,
        Level.DISTRICT: 7_285,
        Level.VILLAGE: 83_762,
    }
    assert len(regions.villages()) == 83_762
    assert Counter(r.kind for r in regions.villages()) == {
        RegionKind.DESA: 75_252,
        RegionKind.KELURAHAN: 8_496,
        RegionKind.DESA_ADAT: 14,
    }


def test_ntb_and_lombok_timur() -> None:
    ntb = regions.children("52")
    assert Counter(r.kind for r in ntb) == {RegionKind.KABUPATEN: 8, RegionKind.KOTA: 2}
    assert len(regions.villages("52.03")) == 254
    assert regions.region("52.71").name == "Kota Mataram"


def test_teros_is_52_03_17_2003_and_52_03_17_2008_is_kertasari() -> None:
    """Issue 9: the example year keyed Teros by Kertasari's code."""
    assert regions.region("52.03.17.2003") == Region("52.03.17.2003", "Teros")
    assert regions.region("52.03.17.2008").name == "Kertasari"
    assert [r.name for r in regions.chain("52.03.17.2003")] == [
        "Nusa Tenggara Barat",
        "Kabupaten Lombok Timur",
        "Labuhan Haji",
        "Teros",
    ]


def test_kinds_by_the_code_rules_agree_with_the_official_names() -> None:
    for regency in (r for p in regions.children() for r in regions.children(p.code)):
        word = "Kota" if regency.kind is RegionKind.KOTA else "Kabupaten"
        assert regency.kind in (RegionKind.KOTA, RegionKind.KABUPATEN), regency
        assert regency.name.startswith(word + " "), regency
    adat = [v for v in regions.villages() if v.kind is RegionKind.DESA_ADAT]
    assert adat
    assert all(v.name.startswith("Desa Adat ") for v in adat)
    assert {v.code[:5] for v in adat} == {"91.03"}  # Kabupaten Jayapura


def test_names_are_trimmed_and_quotes_undone() -> None:
    assert regions.region("31.72").name == "Kota Administrasi Jakarta Utara"  # "… " in the SQL
    assert regions.region("11.01.02.2018").name == "Pasi Kuala Ba'u"  # 'Ba''u' in the SQL
    assert regions.region("12.07.28.1007").name == "Lubuk Pakam I,II"  # a comma, CSV-quoted
    assert all(r.name == " ".join(r.name.split()) and r.name for r in regions.villages("12"))


def test_licence_and_source_travel_with_the_data() -> None:
    licence = DATA.joinpath("LICENSE-wilayah.txt").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "Cahya DSN" in licence
    source = DATA.joinpath("SOURCE-wilayah.txt").read_text(encoding="utf-8")
    commit = regions.DATASET.rsplit(" ", 1)[-1]
    assert len(commit) == 40
    assert commit in source
    assert "300.2.2-2138" in source
    assert "300.2.2-2430" in source
    assert "300.2.2-2138" in regions.DECREE
    assert "300.2.2-2430" in regions.DECREE


# -- loading ------------------------------------------------------------------------------


LAZY = """
import importlib, pkgutil
import kk_core, kk_core.regions
for m in pkgutil.walk_packages(kk_core.__path__, "kk_core."):
    importlib.import_module(m.name)
print(kk_core.regions._table.cache_info().currsize)
"""


def test_importing_every_module_does_not_read_the_table() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LAZY], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"]


@pytest.mark.parametrize(
    "data",
    [
        b"not gzip at all",
        gzip.compress(b"\xff\xfe"),
        gzip.compress(b""),
        gzip.compress(b"kode,nama\n11,Aceh\n"),
        gzip.compress(b"code,name\n12,Sumatera Utara\n11,Aceh\n"),
        gzip.compress(b"code,name\n11,Aceh,extra\n"),
        gzip.compress(b"code,name\n"),
    ],
)
def test_a_table_that_does_not_read_is_a_kk_error(data: bytes) -> None:
    with pytest.raises(KKError, match=r"region table \(kk_core/data/regions\.csv\.gz\)"):
        regions._parse(data)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_regions", ROOT / "scripts" / "make_regions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SQL = """INSERT INTO wilayah (kode, nama)
VALUES
('52.03','Kabupaten Lombok  Timur '),
('52','Nusa Tenggara Barat'),
('52.03.17','Labuhan Haji'),
('52.03.17.2003','Te''ros');
"""


def test_the_script_and_the_reader_agree() -> None:
    """scripts/make_regions.py writes what kk_core.regions reads, the same bytes every time."""
    script = _script()
    rows = script.parse(SQL.replace("\n", "\r\n"))
    assert rows == [
        ("52", "Nusa Tenggara Barat"),
        ("52.03", "Kabupaten Lombok Timur"),
        ("52.03.17", "Labuhan Haji"),
        ("52.03.17.2003", "Te'ros"),
    ]
    data = script.to_csv_gz(rows)
    assert script.to_csv_gz(rows) == data
    assert regions._parse(data).names == dict(rows)


def test_the_script_refuses_rows_it_cannot_read() -> None:
    script = _script()
    with pytest.raises(SystemExit, match="line 1"):
        script.parse("('52.03.17.2003',Teros),")
    with pytest.raises(SystemExit, match="no parent"):
        script.parse("('52.03.17.2003','Teros'),")


# -- lookups ------------------------------------------------------------------------------


def test_get_and_region() -> None:
    assert regions.get("52.03.17") == Region("52.03.17", "Labuhan Haji")
    assert regions.get("52.03.17.2099") is None
    assert regions.get(52) is None  # type: ignore[arg-type]
    with pytest.raises(CodeError, match=r"'52\.03\.17\.2099' is not a known Kemendagri region"):
        regions.region("52.03.17.2099")


def test_village_exists_only_for_listed_villages() -> None:
    assert regions.village_exists("52.03.17.2003")
    assert regions.village_exists("52.03.17.1004")  # a kelurahan
    assert not regions.village_exists("52.03.17.2099")
    assert not regions.village_exists("52.03.17")  # a district, not a village
    assert not regions.village_exists("5203172003")


@pytest.mark.parametrize(
    ("code", "level", "kind"),
    [
        ("52", Level.PROVINCE, RegionKind.PROVINSI),
        ("52.03", Level.REGENCY, RegionKind.KABUPATEN),
        ("52.69", Level.REGENCY, RegionKind.KABUPATEN),
        ("52.70", Level.REGENCY, None),
        ("52.71", Level.REGENCY, RegionKind.KOTA),
        ("52.99", Level.REGENCY, RegionKind.KOTA),
        ("52.00", Level.REGENCY, None),
        ("52.03.17", Level.DISTRICT, RegionKind.KECAMATAN),
        ("52.03.17.1004", Level.VILLAGE, RegionKind.KELURAHAN),
        ("52.03.17.2003", Level.VILLAGE, RegionKind.DESA),
        ("91.03.01.3007", Level.VILLAGE, RegionKind.DESA_ADAT),
        ("52.03.17.0999", Level.VILLAGE, None),
        ("52.03.17.4001", Level.VILLAGE, None),
        ("52.03.17.200", None, None),
        ("52-03", None, None),
        ("", None, None),
    ],
)
def test_level_and_kind_by_the_code_rules(code: str, level: Level, kind: RegionKind) -> None:
    assert regions.level_of(code) is level
    assert regions.kind_of(code) is kind


def test_a_region_knows_its_level_kind_and_parent() -> None:
    teros = regions.region("52.03.17.2003")
    assert (teros.level, teros.kind, teros.parent_code) == (
        Level.VILLAGE,
        RegionKind.DESA,
        "52.03.17",
    )
    assert regions.region("52").parent_code is None


def test_children_and_chain() -> None:
    assert len(regions.children()) == 38
    assert regions.children()[0] == Region("11", "Aceh")
    labuhan_haji = regions.children("52.03.17")
    assert [v.code[-4:] for v in labuhan_haji] == [
        "1004", "1005", "1007", "1012", "2001", "2002", "2003", "2006", "2008", "2009",
        "2010", "2011",
    ]  # fmt: skip
    assert regions.children("52.03.17.2003") == ()
    assert regions.children("not a code") == ()
    assert [r.code for r in regions.chain("52.03.17.2099")] == ["52", "52.03", "52.03.17"]
    assert regions.chain("oops") == ()


# -- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "official"),
    [
        ("Teros", "Teros"),
        ("teros", "Teros"),
        ("Desa Teros", "Teros"),
        ("DESA TEROS", "Teros"),
        ("desa-teros", "Teros"),
        (" Teros ", "Teros"),
        ("Kelurahan Geres", "Geres"),
        ("Korleko-Selatan", "Korleko Selatan"),
        ("KorlekoSelatan", "Korleko Selatan"),
        ("Banjar Sari", "Banjarsari"),
        ("Yoboi", "Desa Adat Yoboi"),
        ("Desa Adat Yoboi", "Desa Adat Yoboi"),
        ("Pasi Kuala Ba’u", "Pasi Kuala Ba'u"),
        ("Péneda Gandor", "Peneda Gandor"),
    ],
)
def test_names_match_forgives_how_people_write_them(given: str, official: str) -> None:
    assert regions.names_match(given, official)


@pytest.mark.parametrize(
    ("given", "official"),
    [
        ("Teros", "Kertasari"),
        ("Korleko", "Korleko Selatan"),
        ("", "Teros"),
        ("Desa", "Teros"),
        ("Desa Desa Teros", "Teros"),
    ],
)
def test_names_match_is_not_anything_goes(given: str, official: str) -> None:
    assert not regions.names_match(given, official)


def test_normalise_name() -> None:
    assert regions.normalise_name("Desa Banjar-Sari") == "banjarsari"
    assert regions.normalise_name("Kelurahan: Geres") == "geres"
    assert regions.normalise_name("Desaku") == "desaku"  # a prefix only as a whole word


def test_find_villages() -> None:
    assert regions.find_villages("Desa Banjar Sari", within="52.03") == (
        Region("52.03.17.2010", "Banjarsari"),
    )
    assert [v.code for v in regions.find_villages("teros")] == ["52.03.17.2003"]
    many = regions.find_villages("Sukamaju")  # written "Sukamaju" 65 times, "Suka Maju" 54
    assert len(many) == 119
    assert {v.name for v in many} == {"Sukamaju", "Suka Maju"}
    assert regions.find_villages("  ") == ()


@pytest.mark.parametrize(
    ("code", "levels", "named"),
    [
        ("52.03.17.2003", 3, "Teros, Labuhan Haji, Lombok Timur"),
        ("52.03.17.2003", 4, "Teros, Labuhan Haji, Lombok Timur, Nusa Tenggara Barat"),
        ("52.03.17.2003", 1, "Teros"),
        ("52.03.17", 3, "Labuhan Haji, Lombok Timur, Nusa Tenggara Barat"),
        ("52.03", 3, "Lombok Timur, Nusa Tenggara Barat"),
        ("52.71.01.1001", 3, "52.71.01.1001, Ampenan, Kota Mataram"),
        ("52.71.01.1004", 3, "Ampenan Selatan, Ampenan, Kota Mataram"),
        ("31.01", 1, "Kepulauan Seribu"),  # Kabupaten Administrasi Kepulauan Seribu
        ("31.72", 1, "Kota Jakarta Utara"),  # Kota Administrasi Jakarta Utara
        ("52.03.17.2099", 3, "52.03.17.2099, Labuhan Haji, Lombok Timur"),
        ("99.99.99.9999", 3, "99.99.99.9999"),
    ],
)
def test_place_name_for_tables(code: str, levels: int, named: str) -> None:
    assert regions.place_name(code, levels=levels) == named
