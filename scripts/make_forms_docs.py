"""Write docs/reference/forms.md from `kk_adapters.kobo.forms` (``--check``: only say
whether the page is current). tests/unit/test_forms_reference.py renders it again and
compares, so the reference of the generated forms cannot drift from the code.

The page shows the forms of an example deployment (Desa Teros, its hamlets, its KK, two
members, two service providers) with the built-in code lists.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kk_adapters.kobo.forms import FormContext, forms_reference, kk_forms
from kk_core.codes import Affiliation, ServiceKind, Sex
from kk_core.groups import ConstituentGroup, Member
from kk_core.places import Hamlet, Village
from kk_core.plugins import Plugins
from kk_core.referrals import ServiceProvider

PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "forms.md"

TEROS = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")
EXAMPLE = FormContext(
    villages=(TEROS,),
    hamlets=(
        Hamlet("dusun-teros-timur", TEROS.id, "Teros Timur"),
        Hamlet("dusun-tuntang", TEROS.id, "Tuntang"),
    ),
    groups=(ConstituentGroup("kk-teros", TEROS.id, "Kelompok Konstituen Desa Teros"),),
    members=(
        Member(
            "kk-teros-m08",
            "kk-teros",
            "Rohani",
            Sex.FEMALE,
            {Affiliation.POSYANDU_CADRE},
            date(2023, 5, 20),
        ),
        Member(
            "kk-teros-m09",
            "kk-teros",
            "Sulaeman",
            Sex.MALE,
            {Affiliation.HAMLET_HEAD},
            date(2023, 5, 20),
        ),
    ),
    providers=(
        ServiceProvider("pkm-labuhan-haji", ServiceKind.PUSKESMAS, "Puskesmas Labuhan Haji"),
        ServiceProvider("uptd-ppa-lotim", ServiceKind.UPTD_PPA, "UPTD PPA Lombok Timur"),
    ),
)


def render() -> str:
    """The page: the built-in code lists only (no plugin's local entries)."""
    return forms_reference(kk_forms(EXAMPLE, plugins=Plugins(load_entry_points=False)))


def main(argv: list[str]) -> int:
    page = render()
    if "--check" in argv:
        current = PAGE.exists() and PAGE.read_text(encoding="utf-8") == page
        print(
            "docs/reference/forms.md is current"
            if current
            else "docs/reference/forms.md is out of date"
        )
        return 0 if current else 1
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
