"""Write docs/reference/dimensions.md from `kk_core.dimensions` (``--check``: only say
whether the page is current). tests/unit/test_dimension_docs.py renders it again and
compares, so the reference cannot drift from the code."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kk_core.analysis.labels import dimension_label
from kk_core.dimensions import DIMENSIONS, Dimension, period_of

PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "dimensions.md"

_FORMATS = {
    "month": "text `YYYY-MM` (`'2025-02'`)",
    "quarter": "text `YYYY-Qn` (`'2025-Q1'`)",
    "year": "a whole number (`2025`)",
    "regency_code": "text `PP.RR` (`'52.03'`)",
    "village_id": "a Kemendagri village code `PP.RR.DD.VVVV` (`'52.03.17.2003'`)",
}

HEAD = """# Dimensions

What every record kind can be filtered (`store.find(kind, **criteria)`), counted
(`store.count(kind, by=...)`), tabulated (`kk_core.analysis.tabulate`) and exported
(`kk_core.analysis.to_dataframe`) by. Generated from `kk_core.dimensions` by
`python scripts/make_dimensions_docs.py`; a test fails when this page and the code
disagree.

How to read it:

* **type** — what a criterion's value is: text, a whole number, true/false, or a date
  (`datetime.date`, never a datetime);
* **values** — the format of the values; a *code of* a list takes the code, a label in
  either language or an enum member ([code lists](code-lists.md)); a value that is not
  a code of the list is refused, never counted as zero;
* **set** — the dimension holds a set of values per record: a criterion matches when
  one of them does, and a count counts the record under each of them ("counted in
  each"): such counts add up to more than the records;
* **period** — the kind's main date: `period=Between(start, end)` ranges over it.

Labels are those tables show (`kk_core.analysis.labels.DIMENSION_LABELS`).
"""


def _values(kind: type, dim: Dimension) -> str:
    if dim.code_list is not None:
        return f"a code of [`{dim.code_list}`](code-lists.md#{dim.code_list})"
    if dim.name in _FORMATS:
        return _FORMATS[dim.name]
    if kind.__name__ == "Village" and dim.name == "id":
        return _FORMATS["village_id"]
    if dim.type is date:
        return "a date (`YYYY-MM-DD`)"
    if dim.type is bool:
        return "true or false"
    if dim.type is int:
        return "a whole number"
    if dim.name == "id" or dim.name.endswith("_id") or dim.name == "carried_over_from":
        return "an id"
    return "text"


def render() -> str:
    lines = [HEAD]
    for kind, dims in DIMENSIONS.items():
        main = period_of(kind)
        lines += [
            f"## {kind.kind}",
            "",
            f"`kk_core` record `{kind.__name__}`"
            + (f"; its period is `{main.name}`." if main is not None else "; no period."),
            "",
            "| dimension | type | values | set | label (id) | label (en) |",
            "|---|---|---|---|---|---|",
        ]
        for dim in dims:
            kind_of = {str: "text", int: "whole number", bool: "true/false", date: "date"}[dim.type]
            flags = "counted in each" if dim.many else ""
            lines.append(
                f"| `{dim.name}` | {kind_of} | {_values(kind, dim)} | {flags} | "
                f"{dimension_label(dim.name, 'id')} | {dimension_label(dim.name, 'en')} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in args:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE} is out of date: run python scripts/make_dimensions_docs.py")
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
