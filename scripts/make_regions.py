"""Make ``src/kk_core/data/regions.csv.gz``, the Kemendagri region table, from cahyadsn/wilayah.

The table `kk_core.regions` reads: every province, regency (kabupaten/kota), district
(kecamatan) and village (desa/kelurahan) of Indonesia with its Kemendagri code and name,
as listed by Kepmendagri 300.2.2-2138/2025 as amended by 300.2.2-2430/2025. The list is
compiled by https://github.com/cahyadsn/wilayah (MIT licence) in ``db/wilayah.sql``, a
MySQL dump of one table ``wilayah(kode, nama)``.

Run it by hand when the decree or the dataset changes (tests never run it; they check
the table it made)::

    git clone https://github.com/cahyadsn/wilayah /tmp/wilayah
    python scripts/make_regions.py /tmp/wilayah

It reads ``db/wilayah.sql`` and ``LICENSE`` at the checkout's HEAD (``--commit`` for
another) and writes, in ``src/kk_core/data/``:

* ``regions.csv.gz`` — ``code,name`` rows (a header, then every region in code order),
  UTF-8, gzip level 9 with no timestamp, so the same input makes the same bytes. Names
  are as the dataset spells them, with SQL quoting undone and runs of whitespace
  (5 names end with a space) made one space.
* ``LICENSE-wilayah.txt`` — the dataset's MIT notice, which must travel with the data.
* ``SOURCE-wilayah.txt`` — the decree, the repository, the commit and the counts.

Then update the figures in ``docs/reference/places.md`` if they changed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "kk_core" / "data"
REPOSITORY = "https://github.com/cahyadsn/wilayah"
DECREE = "Kepmendagri 300.2.2-2138/2025 as amended by Kepmendagri 300.2.2-2430/2025"

#: One row of the dump: ``('52.03.17.2003','Teros'),`` (a quote inside a name is doubled).
_ROW = re.compile(r"^\('([0-9]{2}(?:\.[0-9]{2}){0,2}(?:\.[0-9]{4})?)','((?:[^'\\]|'')*)'\)[,;]$")
_LEVELS = ("province", "regency", "district", "village")


def _git(checkout: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(checkout), *args], check=True, capture_output=True
    ).stdout


def parse(sql: str) -> list[tuple[str, str]]:
    """Every ``(code, name)`` row of the dump, in code order; refuses what it cannot read."""
    rows: dict[str, str] = {}
    for number, line in enumerate(sql.splitlines(), start=1):
        line = line.strip()
        if not line.startswith("('"):
            continue
        match = _ROW.match(line)
        if match is None:
            raise SystemExit(f"line {number}: not a (code, name) row: {line[:80]!r}")
        code, name = match.group(1), " ".join(match.group(2).replace("''", "'").split())
        if not name or code in rows:
            raise SystemExit(f"line {number}: empty name or repeated code {code}")
        rows[code] = name
    for code in rows:  # every region's parent is listed
        if "." in code and code.rsplit(".", 1)[0] not in rows:
            raise SystemExit(f"{code} has no parent in the dump")
    return sorted(rows.items())


def to_csv_gz(rows: list[tuple[str, str]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("code", "name"))
    writer.writerows(rows)
    return gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("checkout", type=Path, help="a git clone of cahyadsn/wilayah")
    parser.add_argument("--commit", default="HEAD", help="the commit to read (default HEAD)")
    parser.add_argument("--out", type=Path, default=DATA, help=f"default {DATA}")
    args = parser.parse_args(argv)

    commit = _git(args.checkout, "rev-parse", args.commit).decode().strip()
    when = _git(args.checkout, "show", "-s", "--format=%cs", commit).decode().strip()
    sql_bytes = _git(args.checkout, "show", f"{commit}:db/wilayah.sql")
    licence = _git(args.checkout, "show", f"{commit}:LICENSE").decode("utf-8")
    sql = sql_bytes.decode("utf-8")
    header = re.search(r"note\s*:\s*(.+)", sql)
    rows = parse(sql)
    counts = Counter(_LEVELS[code.count(".")] for code, _ in rows)
    villages = Counter(code[-4] for code, _ in rows if code.count(".") == 3)

    args.out.mkdir(parents=True, exist_ok=True)
    data = to_csv_gz(rows)
    (args.out / "regions.csv.gz").write_bytes(data)
    (args.out / "LICENSE-wilayah.txt").write_text(licence, encoding="utf-8")
    (args.out / "SOURCE-wilayah.txt").write_text(
        f"""Kemendagri region codes and names (kode dan nama wilayah administrasi pemerintahan)

Decree:      {DECREE}
Compiled by: {REPOSITORY} (MIT licence: LICENSE-wilayah.txt)
File:        db/wilayah.sql at commit {commit} ({when})
             sha256 {hashlib.sha256(sql_bytes).hexdigest()}
             its header: {header.group(1).strip() if header else "(none)"}
Made by:     scripts/make_regions.py (names: SQL quoting undone, whitespace runs made one space)

Rows: {len(rows):,}: {counts["province"]} provinces, {counts["regency"]} regencies (kabupaten/kota),
{counts["district"]:,} districts (kecamatan), {counts["village"]:,} villages: {villages["2"]:,} desa,
{villages["1"]:,} kelurahan, {villages["3"]} desa adat.
""",
        encoding="utf-8",
    )
    print(f"{len(rows):,} regions, {len(data):,} bytes -> {args.out / 'regions.csv.gz'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
