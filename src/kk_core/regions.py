"""The Kemendagri region table: every province, regency, district and village of Indonesia.

Codes and names as set by Kepmendagri 300.2.2-2138/2025, amended by 300.2.2-2430/2025,
compiled by the MIT-licensed dataset ``cahyadsn/wilayah`` and bundled with the library
(``kk_core/data/regions.csv.gz``, 91,599 regions; ``SOURCE-wilayah.txt`` names the
commit). The table is read on first use, not on import, and kept for the process.

A code has one part per level, joined by dots: province ``52``, regency ``52.03``,
district ``52.03.17``, village ``52.03.17.2003``. What kind of region a code names
follows from the code alone (Permendagri 58/2021): regencies 01–69 are *kabupaten* and
71–99 *kota*; villages 1xxx are *kelurahan*, 2xxx *desa* and 3xxx *desa adat*.

Codes change when regions split or merge (about 1,100 village codes of the 2022 list are
gone from the 2025 one), so records are not refused for holding a code this table lacks;
`kk_core.services.Services` refuses new ones.

>>> from kk_core import regions
>>> regions.region("52.03.17.2003").name
'Teros'
>>> regions.place_name("52.03.17.2003")
'Teros, Labuhan Haji, Lombok Timur'
"""

from __future__ import annotations

import bisect
import csv
import enum
import gzip
import io
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib import resources

import attrs

from kk_core.errors import CodeError, KKError

__all__ = [
    "DATASET",
    "DECREE",
    "Level",
    "Region",
    "RegionKind",
    "chain",
    "children",
    "find_villages",
    "get",
    "kind_of",
    "level_of",
    "names_match",
    "normalise_name",
    "place_name",
    "region",
    "village_exists",
    "villages",
]

#: The decree whose codes and names the bundled table holds.
DECREE = "Kepmendagri 300.2.2-2138 Tahun 2025, amended by Kepmendagri 300.2.2-2430 Tahun 2025"
#: Where the bundled table comes from (repository and commit; MIT licence).
DATASET = "github.com/cahyadsn/wilayah db/wilayah.sql at b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7"

_DATA = "data/regions.csv.gz"
_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")


class Level(enum.Enum):
    """How deep a code is: one level per dotted part."""

    PROVINCE = "province"
    REGENCY = "regency"  # kabupaten or kota
    DISTRICT = "district"  # kecamatan
    VILLAGE = "village"  # desa, kelurahan or desa adat


_LEVELS = tuple(Level)


class RegionKind(enum.Enum):
    """The kind of region a code names, by the coding rules of Permendagri 58/2021."""

    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"  # regency 01–69
    KOTA = "kota"  # city, regency 71–99
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"  # village 1xxx: an urban village, part of the regional apparatus
    DESA = "desa"  # village 2xxx: self-governing, with its own budget (APBDes)
    DESA_ADAT = "desa_adat"  # village 3xxx: customary village (so far only in Kabupaten Jayapura)


_VILLAGE_KINDS = {"1": RegionKind.KELURAHAN, "2": RegionKind.DESA, "3": RegionKind.DESA_ADAT}


def level_of(code: str) -> Level | None:
    """The level of a well-formed code (``52.03`` → regency), None for anything else."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return None
    return _LEVELS[code.count(".")]


def kind_of(code: str) -> RegionKind | None:
    """The kind of region by the code rules alone (no table): ``52.03`` is a kabupaten,
    ``52.71`` a kota, ``52.03.17.1004`` a kelurahan, ``52.03.17.2003`` a desa. None for
    a code the rules do not cover (regency 00 or 70, a village number starting 0 or 4–9)
    or that is not a code."""
    level = level_of(code)
    if level is Level.PROVINCE:
        return RegionKind.PROVINSI
    if level is Level.REGENCY:
        number = int(code[3:5])
        if 1 <= number <= 69:
            return RegionKind.KABUPATEN
        return RegionKind.KOTA if number >= 71 else None
    if level is Level.DISTRICT:
        return RegionKind.KECAMATAN
    if level is Level.VILLAGE:
        return _VILLAGE_KINDS.get(code[9])
    return None


@attrs.frozen
class Region:
    """One row of the Kemendagri table: a code and its official name."""

    code: str
    name: str

    @property
    def level(self) -> Level:
        return _LEVELS[self.code.count(".")]

    @property
    def kind(self) -> RegionKind | None:
        return kind_of(self.code)

    @property
    def parent_code(self) -> str | None:
        """The code one level up (``52.03.17.2003`` → ``52.03.17``); None for a province."""
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


@attrs.frozen
class _Table:
    names: dict[str, str]
    codes: list[str]  # sorted: the regions under a code are one slice


def _parse(data: bytes) -> _Table:
    """The table from the bundled file's bytes; a file that does not read is a `KKError`."""
    try:
        text = gzip.decompress(data).decode("utf-8")
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows)
        names: dict[str, str] = dict(rows)  # a row of other than two fields: ValueError
    except (OSError, EOFError, UnicodeDecodeError, ValueError, StopIteration, csv.Error) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    else:
        codes = list(names)
        if header == ["code", "name"] and codes and codes == sorted(codes):
            return _Table(names, codes)
        problem = "not code,name rows in code order"
    raise KKError(f"the bundled Kemendagri region table (kk_core/{_DATA}) does not read: {problem}")


@cache
def _table() -> _Table:
    return _parse(resources.files("kk_core").joinpath(_DATA).read_bytes())


def get(code: str) -> Region | None:
    """The region with this code, or None when the table has none."""
    name = _table().names.get(code) if isinstance(code, str) else None
    return None if name is None else Region(code, name)


def region(code: str) -> Region:
    """The region with this code; a `CodeError` naming the code when the table has none."""
    found = get(code)
    if found is None:
        raise CodeError(f"Kemendagri region code ({DECREE})", code)
    return found


def village_exists(code: str) -> bool:
    """Whether the table lists this village (desa, kelurahan or desa adat) code."""
    return level_of(code) is Level.VILLAGE and code in _table().names


def chain(code: str) -> tuple[Region, ...]:
    """The listed regions from the province down to ``code`` itself
    (``52.03.17.2003`` → NTB, Lombok Timur, Labuhan Haji, Teros); levels the table
    lacks are left out, so an unlisted village still gets its listed district."""
    if level_of(code) is None:
        return ()
    parts = code.split(".")
    found = (get(".".join(parts[: n + 1])) for n in range(len(parts)))
    return tuple(r for r in found if r is not None)


def _under(prefix: str) -> Iterator[str]:
    """Every listed code that starts with ``prefix`` (in code order)."""
    codes = _table().codes
    start = bisect.bisect_left(codes, prefix)
    for code in codes[start:]:
        if not code.startswith(prefix):
            break
        yield code


def children(code: str | None = None) -> tuple[Region, ...]:
    """The regions one level under ``code`` (its regencies, districts or villages), in
    code order; the provinces when ``code`` is None."""
    if code is None:
        prefix, depth = "", 0
    else:
        level = level_of(code)
        if level is None or level is Level.VILLAGE:
            return ()
        prefix, depth = code + ".", code.count(".") + 1
    names = _table().names
    return tuple(Region(c, names[c]) for c in _under(prefix) if c.count(".") == depth)


# Names people write: "Desa Teros", "KELURAHAN GERES", "Korleko-Selatan", "Banjar Sari".
_PREFIX = re.compile(r"^(?:desa\s+adat|desa|kelurahan)(?:[\s\-.:]+|$)")
_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise_name(name: str) -> str:
    """A village's name folded for comparing: case and accents folded, a leading "Desa",
    "Desa Adat" or "Kelurahan" dropped, then everything but letters and digits (spaces,
    hyphens, dots, apostrophes) removed: ``"Desa Banjar-Sari"`` → ``"banjarsari"``."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()
    return _NOT_ALNUM.sub("", _PREFIX.sub("", bare))


def names_match(given: str, official: str) -> bool:
    """Whether ``given`` names the same village as ``official``, forgiving case, accents,
    a "Desa"/"Kelurahan" prefix, spaces and hyphens (``"desa teros"`` is ``"Teros"``)."""
    folded = normalise_name(given)
    return bool(folded) and folded == normalise_name(official)


def villages(within: str = "") -> tuple[Region, ...]:
    """Every listed village, in code order, or only those under the code ``within`` (a
    province, regency or district): ``villages("52.03")`` are Lombok Timur's 254."""
    prefix = within + "." if within else ""
    names = _table().names
    return tuple(Region(code, names[code]) for code in _under(prefix) if code.count(".") == 3)


def find_villages(name: str, within: str = "") -> tuple[Region, ...]:
    """The villages whose official name matches ``name`` (`names_match`), in code order,
    optionally only under the code ``within`` (a province, regency or district)."""
    wanted = normalise_name(name)
    if not wanted:
        return ()
    return tuple(v for v in villages(within) if normalise_name(v.name) == wanted)


def _short(region: Region) -> str:
    """A regency as tables name it: "Kabupaten Lombok Timur" → "Lombok Timur"; a kota
    keeps its "Kota" (Kabupaten Bima and Kota Bima are two regencies)."""
    name = region.name
    if region.level is Level.REGENCY:
        name = name.replace(" Administrasi ", " ", 1)
        if name.startswith("Kabupaten "):
            name = name[len("Kabupaten ") :]
    return name


def place_name(code: str, *, levels: int = 3) -> str:
    """A place as tables name it, from the village up: ``"Teros, Labuhan Haji, Lombok
    Timur"`` (village, district, regency; ``levels=4`` adds the province). Works for
    any level; a code the table lacks is shown as the code, followed by its listed
    parents, so a table of old records still reads."""
    found = list(reversed(chain(code)))
    parts = [_short(r) for r in found[:levels]]
    if not found or found[0].code != code:
        parts = [code, *parts[: levels - 1]]
    return ", ".join(parts)
