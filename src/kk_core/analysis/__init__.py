"""Analysis for village deliberations: safe, labelled tables of what the KK records.

* `tabulate` — a question → a `Table` (counts pushed down to the store, labels in
  Indonesian and English, every cell of the grid, small cells suppressed);
* `indicator_table` — the table of a registered indicator (`BUILT_IN`, or any a plugin
  adds through ``kk_register_indicators``); `referral_funnel`, `overdue_follow_ups`,
  `open_caseload` for the questions that are not one count;
* `aggregate` with `Count`, `Distinct`, `Sum`, `Days` — richer aggregates, pushed down
  where the store declares them;
* `Suppression`, `suppress_cube` — small-cell suppression with secondary suppression
  that holds against linear-programming recovery;
* `to_dataframe`, `iter_rows`, `to_arrow`, `write_parquet` — flat rows without what
  identifies a person, person-level exports announced;
* `render_brief` — the musyawarah brief, HTML or Markdown.

pandas and matplotlib (extra ``analysis``) and pyarrow (extra ``arrow``) are imported
only by the functions that need them.
"""

from __future__ import annotations

from kk_core.analysis.brief import Brief, render_brief
from kk_core.analysis.frames import PERSON_KINDS, iter_rows, to_arrow, to_dataframe, write_parquet
from kk_core.analysis.indicators import (
    BUILT_IN,
    indicator_table,
    open_caseload,
    overdue_follow_ups,
    referral_funnel,
)
from kk_core.analysis.measures import Count, Days, DaysSummary, Distinct, Sum, aggregate
from kk_core.analysis.suppression import Suppression, suppress_cube
from kk_core.analysis.table import Table
from kk_core.analysis.tabulate import tabulate

__all__ = [
    "BUILT_IN",
    "PERSON_KINDS",
    "Brief",
    "Count",
    "Days",
    "DaysSummary",
    "Distinct",
    "Sum",
    "Suppression",
    "Table",
    "aggregate",
    "indicator_table",
    "iter_rows",
    "open_caseload",
    "overdue_follow_ups",
    "referral_funnel",
    "render_brief",
    "suppress_cube",
    "tabulate",
    "to_arrow",
    "to_dataframe",
    "write_parquet",
]
