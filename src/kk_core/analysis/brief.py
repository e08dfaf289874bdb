"""The musyawarah brief: what a KK brings to a village deliberation, on one page.

`render_brief` makes it for one village and period, in Indonesian (default) or English,
as a self-contained HTML file (charts embedded as PNG, no link to anything outside) and
as Markdown. Every table in it is suppressed (`kk_core.analysis.suppression`) and
coarsened where too few cells could be shown; every chart is drawn from a suppressed
table, a hidden cell never on its own (only as part of the grey rest of a published
total). Charts need matplotlib (extra ``analysis``); without it, ``charts=False`` gives
the brief without them.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import date
from typing import Any

import attrs

from kk_core import regions
from kk_core.analysis.indicators import indicator_table, referral_funnel
from kk_core.analysis.suppression import Suppression
from kk_core.analysis.table import Cell, Table
from kk_core.analysis.tabulate import tabulate
from kk_core.dimensions import Between
from kk_core.errors import KKError, Problem, ValidationError

__all__ = ["Brief", "render_brief"]

_TEXT = {
    "id": {
        "title": "Data untuk musyawarah desa",
        "period": "Periode",
        "village": "Desa",
        "made": "Dibuat",
        "intro": (
            "Ringkasan kasus yang didampingi Kelompok Konstituen dan kerja KK lainnya, untuk "
            "dibawa ke musyawarah dusun, musyawarah desa dan Musrenbangdes. Angka kecil "
            "disembunyikan untuk melindungi korban dan anak."
        ),
        "cases": "Kasus",
        "referrals": "Rujukan",
        "economy": "Ekonomi (UMKM)",
        "outreach": "Humas: sosialisasi",
        "proposals": "Usulan ke perencanaan dan anggaran desa",
        "chart_time": "Kasus per kategori dan triwulan",
        "chart_hamlet": "Kasus per dusun",
        "chart_funnel": "Alur rujukan",
        "hidden": (
            "Angka yang disembunyikan tidak digambar satu per satu: bagian abu-abu adalah "
            "sisa jumlah yang tidak dirinci."
        ),
        "not_itemised": "Tidak dirinci",
        "hidden_bar": "Angka yang disembunyikan ditulis '<{k}', tanpa batang.",
        "privacy": (
            "Perlindungan data: tidak ada nama, NIK atau tanggal lahir dalam ringkasan ini. "
            "Sel berisi 1 sampai {k1} ditampilkan sebagai '<{k}', dan sel bertanda 'x' "
            "disembunyikan agar sel kecil tidak dapat dihitung dari jumlahnya (UU 27/2022; "
            "UU 12/2022)."
        ),
    },
    "en": {
        "title": "Data for the village deliberation",
        "period": "Period",
        "village": "Village",
        "made": "Made on",
        "intro": (
            "A summary of the cases the Kelompok Konstituen accompanies and of its other "
            "work, for the hamlet and village deliberations and the Musrenbangdes. Small "
            "numbers are hidden to protect victims and children."
        ),
        "cases": "Cases",
        "referrals": "Referrals",
        "economy": "Economy (micro-businesses)",
        "outreach": "Public relations: information sessions",
        "proposals": "Proposals to the village plan and budget",
        "chart_time": "Cases by category and quarter",
        "chart_hamlet": "Cases by hamlet",
        "chart_funnel": "Referral funnel",
        "hidden": (
            "Hidden numbers are not drawn one by one: the grey part is the rest of the "
            "total, not itemised."
        ),
        "not_itemised": "Not itemised",
        "hidden_bar": "Hidden numbers are written '<{k}', with no bar.",
        "privacy": (
            "Data protection: no name, NIK or birth date is in this brief. Cells of 1 to "
            "{k1} are shown as '<{k}', and cells marked 'x' are hidden so that small cells "
            "cannot be worked out from the totals (UU 27/2022; UU 12/2022)."
        ),
    },
}

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;
color:#1d2733;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem;color:#0b4f6c}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:2px solid #0b4f6c;padding-bottom:.2rem;color:#0b4f6c}
.meta{color:#4a5a6a;margin-top:0}.intro{background:#eef5f8;padding:.6rem .9rem;border-radius:4px}
table.kk-table{border-collapse:collapse;margin:.8rem 0;font-size:.88rem;width:auto;min-width:22rem}
table.kk-table caption{text-align:left;font-weight:bold;padding:.3rem 0;width:max-content;max-width:calc(100vw - 2rem)}
table.kk-table th,table.kk-table td{border:1px solid #c9d3dc;padding:.25rem .5rem}
table.kk-table thead th{background:#0b4f6c;color:#fff;font-weight:600;vertical-align:bottom}
table.kk-table tbody th{text-align:left;font-weight:normal;background:#f6f8fa}
table.kk-table td{text-align:right;font-variant-numeric:tabular-nums}
table.kk-table tr.total th,table.kk-table tr.total td{font-weight:bold;background:#e8eef3}
td.small,td.hidden{color:#8a4b08;background:#fff6e6}
.kk-notes{font-size:.78rem;color:#4a5a6a;margin-top:0}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #e1e6eb}
figcaption{font-size:.8rem;color:#4a5a6a}.privacy{font-size:.8rem;color:#4a5a6a;margin-top:2rem;
border-top:1px solid #c9d3dc;padding-top:.6rem}
.scroll{overflow-x:auto}
"""


@attrs.frozen
class Brief:
    """A rendered brief: the HTML page, the Markdown text, and the tables in it."""

    html: str = attrs.field(repr=False)
    markdown: str = attrs.field(repr=False)
    tables: tuple[Table, ...] = attrs.field(repr=False)
    lang: str = "id"

    def write(self, path: Any) -> None:
        """Write the HTML (``.html``) or the Markdown (any other suffix) to a file."""
        from pathlib import Path

        target = Path(path)
        text = self.html if target.suffix.lower() in (".html", ".htm") else self.markdown
        target.write_text(text, encoding="utf-8")


def _chart_png(draw: Any) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise KKError(
            "the brief's charts need matplotlib: pip install 'kelompok-konstituen[analysis]' "
            "(or render_brief(..., charts=False))"
        ) from None
    figure, axes = plt.subplots(figsize=(7.5, 3.4), dpi=110)
    try:
        draw(axes)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    finally:
        plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_COLOURS = ("#0b4f6c", "#01baef", "#20bf55", "#f4a259", "#bc4b51", "#8c5383", "#5b8e7d")


_HIDDEN_COLOUR = "#c9d3dc"


def _stacked(table: Table, lang: str) -> Any:
    """Bars of a two-way count table's rows, one colour per column; the part of a row's
    published total that hidden cells make up is one grey segment ("not itemised"), so a
    bar is as tall as its published total and never shows a hidden cell on its own."""

    def draw(axes: Any) -> None:
        assert table.columns is not None
        rows = table.rows[0]
        width = len(table.columns)
        positions = list(range(len(rows)))
        bottom = [0.0] * len(rows)
        for j in range(width):
            heights = [float(table.cells[(i, j)].value or 0) for i in positions]
            if not any(heights):
                continue
            axes.bar(
                positions,
                heights,
                bottom=bottom,
                label=table.columns.label(j, lang),
                color=_COLOURS[j % len(_COLOURS)],
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        totals = [table.cells[(i, width)].value for i in positions]
        rest = [float(t) - b if t is not None else 0.0 for t, b in zip(totals, bottom, strict=True)]
        if any(rest):
            axes.bar(
                positions,
                rest,
                bottom=bottom,
                label=_TEXT[lang]["not_itemised"],
                color=_HIDDEN_COLOUR,
                hatch="//",
                edgecolor="white",
                linewidth=0,
            )
        for i, total in zip(positions, totals, strict=True):
            if total is None:  # even the total is hidden: say so where the bar would be
                axes.text(i, 0, table.cells[(i, width)].shown, ha="center", va="bottom")
            elif total:
                axes.text(i, float(total), f"{total:g}", ha="center", va="bottom", fontsize=7)
        axes.set_xticks(positions, [rows.label(i, lang) for i in positions], fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))

    return draw


def _bars(labels: list[str], cells: list[Cell]) -> Any:
    """Horizontal bars of one column of a table, each labelled as the table shows it
    (a hidden count as "<5", with no bar)."""

    def draw(axes: Any) -> None:
        values = [float(c.value or 0) for c in cells]
        axes.barh(labels[::-1], values[::-1], color=_COLOURS[0])
        for y, cell in enumerate(cells[::-1]):
            axes.text(float(cell.value or 0), y, f" {cell.shown}", va="center", fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)

    return draw


def render_brief(
    source: Any,
    *,
    village_id: str,
    period: Between,
    lang: str = "id",
    suppression: Suppression | None = None,
    charts: bool = True,
    made_on: date | None = None,
    coarsen: float = 0.6,
) -> Brief:
    """The brief for one village over ``period`` (a `Between` of dates), from a store.

    Tables are suppressed with ``suppression`` (k = 5 by default) and coarsened until
    ``coarsen`` of their cells can be shown.
    """
    problems = []
    if lang not in _TEXT:
        problems.append(Problem("lang", "a brief is in 'id' (Indonesian) or 'en' (English)"))
    if not isinstance(period, Between) or not all(
        isinstance(d, date) for d in (period.start, period.end)
    ):
        problems.append(Problem("period", "give the period as Between(first day, last day)"))
    if regions.get(village_id) is None:
        problems.append(Problem("village_id", f"{village_id!r} is not a listed village code"))
    if problems:
        raise ValidationError(problems, subject="brief")
    text = _TEXT[lang]
    policy = suppression or Suppression()
    where: dict[str, Any] = {"village_id": village_id}
    cases_where: dict[str, Any] = {**where, "period": period}
    tables: list[Table] = []
    sections: list[tuple[str, list[Table], list[tuple[str, str]]]] = []

    def add(section: str, made: list[Table], figures: list[tuple[str, str]] | None = None) -> None:
        tables.extend(made)
        sections.append((section, made, figures or []))

    by_hamlet = tabulate(
        source,
        "case",
        "hamlet_id",
        "category",
        suppression=policy,
        coarsen=coarsen,
        keep=("hamlet_id",),
        **cases_where,
    )
    by_quarter = tabulate(
        source,
        "case",
        "quarter",
        "category",
        suppression=policy,
        coarsen=coarsen,
        keep=("quarter",),
        **cases_where,
    )
    case_tables = [
        by_hamlet,
        indicator_table(
            "cases_by_age_band_sex", source, suppression=policy, coarsen=coarsen, **cases_where
        ),
        indicator_table("violence_by_form", source, suppression=policy, **cases_where),
        indicator_table("child_marriage_by_age_band", source, suppression=policy, **cases_where),
        indicator_table(
            "dropout_by_level", source, suppression=policy, coarsen=coarsen, **cases_where
        ),
    ]
    figures: list[tuple[str, str]] = []
    if charts:
        if by_quarter.columns is not None and by_quarter.rows[0].name == "quarter":
            figures.append(
                (f"{text['chart_time']}. {text['hidden']}", _chart_png(_stacked(by_quarter, lang)))
            )
        if by_hamlet.columns is not None:
            figures.append(
                (f"{text['chart_hamlet']}. {text['hidden']}", _chart_png(_stacked(by_hamlet, lang)))
            )
    add(text["cases"], case_tables, figures)
    funnel = referral_funnel(source, suppression=policy, **cases_where)
    referral_figures = []
    if charts:
        steps = funnel.rows[0]
        referral_figures.append(
            (
                f"{text['chart_funnel']}. {text['hidden_bar'].format(k=policy.k)}",
                _chart_png(
                    _bars(
                        [steps.label(i, lang) for i in range(len(steps))],
                        [funnel.cells[(i, 0)] for i in range(len(steps))],
                    )
                ),
            )
        )
    add(
        text["referrals"],
        [funnel, indicator_table("days_to_completion", source, suppression=policy, period=period)],
        referral_figures,
    )
    add(
        text["economy"],
        [
            indicator_table("permits_obtained", source, suppression=policy, period=period),
            indicator_table("capital_accessed", source, suppression=policy, period=period),
        ],
    )
    add(text["outreach"], [indicator_table("session_audience", source, period=period)])
    add(
        text["proposals"],
        [
            tabulate(source, "advocacy_proposal", "status", **where),
            indicator_table("proposal_rupiah", source, **where),
        ],
    )
    village = regions.get(village_id)
    name = village.name if village is not None else village_id
    place = regions.place_name(village_id)
    made = (made_on or date.today()).isoformat()
    span = f"{period.start.isoformat()} – {period.end.isoformat()}"
    privacy = text["privacy"].format(k=policy.k, k1=policy.k - 1)
    return Brief(
        _html(text, name, place, span, made, sections, privacy, lang),
        _markdown(text, name, place, span, made, sections, privacy, lang),
        tuple(tables),
        lang,
    )


def _html(
    text: dict[str, str],
    name: str,
    place: str,
    span: str,
    made: str,
    sections: list[tuple[str, list[Table], list[tuple[str, str]]]],
    privacy: str,
    lang: str,
) -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(text['title'])} — {esc(name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(text['title'])} — {esc(text['village'])} {esc(name)}</h1>",
        f'<p class="meta">{esc(place)} · {esc(text["period"])}: {esc(span)} · '
        f"{esc(text['made'])}: {esc(made)}</p>",
        f'<p class="intro">{esc(text["intro"])}</p>',
    ]
    for title, tables, figures in sections:
        parts.append(f"<h2>{esc(title)}</h2>")
        for caption, png in figures:
            parts.append(
                f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{png}">'
                f"<figcaption>{esc(caption)}</figcaption></figure>"
            )
        for table in tables:
            parts.append(f'<div class="scroll">{table.to_html(lang)}</div>')
    parts.append(f'<p class="privacy">{esc(privacy)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _markdown(
    text: dict[str, str],
    name: str,
    place: str,
    span: str,
    made: str,
    sections: list[tuple[str, list[Table], list[tuple[str, str]]]],
    privacy: str,
    lang: str,
) -> str:
    lines = [
        f"# {text['title']} — {text['village']} {name}",
        "",
        f"{place} · {text['period']}: {span} · {text['made']}: {made}",
        "",
        text["intro"],
        "",
    ]
    for title, tables, figures in sections:
        lines += [f"## {title}", ""]
        for caption, png in figures:
            lines += [
                f"![{caption}](data:image/png;base64,{png})",
                "",
                f"*{caption}*",
                "",
            ]
        for table in tables:
            lines += [table.to_markdown(lang), ""]
    lines += ["---", "", privacy, ""]
    return "\n".join(lines)
