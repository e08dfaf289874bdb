"""The musyawarah brief renders for a village year held in SQLite: self-contained HTML
with its charts, Markdown, Indonesian by default and English on request, every table
suppressed and no person named."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from analysis_support import HAMLETS, VILLAGE, village_year
from kk_adapters.sql.store import SqlStore
from kk_core.analysis import render_brief
from kk_core.cases import Case
from kk_core.dimensions import Between
from kk_core.errors import ValidationError

YEAR = Between(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqlStore:
    path = tmp_path_factory.mktemp("brief") / "teros.db"
    made = SqlStore(f"sqlite:///{path}")
    made.put_many(village_year())
    return made


def test_the_brief_in_indonesian(store: SqlStore, tmp_path: Path) -> None:
    brief = render_brief(store, village_id=VILLAGE, period=YEAR, made_on=date(2026, 1, 5))
    page = brief.html
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="id">' in page
    assert "Data untuk musyawarah desa — Desa Teros" in page
    assert "Teros, Labuhan Haji, Lombok Timur" in page
    assert "2025-01-01 – 2025-12-31" in page
    for section in ("Kasus", "Rujukan", "Ekonomi (UMKM)", "Humas: sosialisasi", "Usulan"):
        assert f"<h2>{section}" in page
    for title in ("Kasus per dusun dan kategori kasus", "Alur rujukan", "Usulan per status"):
        assert title in page
    # three charts, embedded; nothing fetched from anywhere
    assert page.count('src="data:image/png;base64,') == 3
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "<script" not in page
    assert "<link" not in page
    # every hamlet by name, with its cases suppressed where small
    for _, name in HAMLETS:
        assert name in page
    assert "&lt;5" in page
    assert all(t.metadata.get("suppression") is not None for t in brief.tables[:5])
    # the markdown holds the same tables
    assert "# Data untuk musyawarah desa — Desa Teros" in brief.markdown
    assert "| Dusun |" in brief.markdown
    brief.write(tmp_path / "brief.html")
    brief.write(tmp_path / "brief.md")
    assert (tmp_path / "brief.html").read_text(encoding="utf-8") == page
    assert (tmp_path / "brief.md").read_text(encoding="utf-8") == brief.markdown


def test_no_person_is_in_the_brief(store: SqlStore) -> None:
    brief = render_brief(store, village_id=VILLAGE, period=YEAR, charts=False)
    for case in store.find(Case):
        assert case.id not in brief.html
        assert case.id not in brief.markdown
    assert "data:image" not in brief.html
    for table in brief.tables:
        meta = table.metadata.get("suppression")
        if table.metadata.get("kind") in ("case", "referral", "support_action") and meta:
            assert meta["k"] == 5


def test_the_brief_in_english(store: SqlStore) -> None:
    brief = render_brief(store, village_id=VILLAGE, period=YEAR, lang="en", charts=False)
    assert "Data for the village deliberation — Village Teros" in brief.html
    assert "| Hamlet |" in brief.markdown
    assert "Referral funnel" in brief.markdown


def test_a_brief_needs_a_village_and_a_period(store: SqlStore) -> None:
    with pytest.raises(ValidationError) as caught:
        render_brief(store, village_id="99.99.99.9999", period=YEAR, lang="fr")
    assert {p.path for p in caught.value.problems} == {"village_id", "lang"}
    with pytest.raises(ValidationError):
        render_brief(store, village_id=VILLAGE, period=Between(None, date(2025, 1, 1)))


def test_every_indicator_is_the_same_pushed_down(store: SqlStore) -> None:
    """Each built-in indicator's table from SQLite (counts and aggregates computed by the
    database) equals the one from the same records in memory."""
    from kk_adapters.memory import MemoryStore
    from kk_core.analysis import BUILT_IN, indicator_table

    memory = MemoryStore(records=village_year())
    for name in BUILT_IN:
        assert indicator_table(name, store).cells == indicator_table(name, memory).cells, name


def _drawn(
    draw: object, horizontal: bool = False
) -> tuple[list[tuple[float, float, float, str]], list[str]]:
    """What a chart function draws: its bars (x, bottom, length, label of their series)
    and its texts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    try:
        draw(axes)  # type: ignore[operator]
        bars = [
            (
                patch.get_x(),
                patch.get_y(),
                patch.get_width() if horizontal else patch.get_height(),
                container.get_label(),
            )
            for container in axes.containers
            for patch in container
        ]
        return bars, [t.get_text().strip() for t in axes.texts]
    finally:
        plt.close(figure)


def test_a_chart_draws_published_totals_never_a_hidden_cell(store: SqlStore) -> None:
    """A hamlet whose cells are hidden still gets its bar, as tall as its published
    total, in the grey "not itemised" series; a hidden cell is never a bar of its own."""
    from kk_core.analysis import tabulate
    from kk_core.analysis.brief import _stacked

    table = tabulate(store, "case", "hamlet_id", "category", keep=("hamlet_id",), period=YEAR)
    assert table.columns is not None
    width = len(table.columns)
    bars, texts = _drawn(_stacked(table, "en"))
    hidden_rows = [
        i
        for i in range(len(table.rows[0]))
        if any(table.cells[(i, j)].value is None for j in range(width))
    ]
    assert hidden_rows  # the test needs a hamlet with hidden cells
    for i in range(len(table.rows[0])):
        mine = [b for b in bars if round(b[0] + 0.4) == i and b[2] > 0]
        total = table.cells[(i, width)].value
        assert total is not None
        assert sum(b[2] for b in mine) == total  # the bar is the published total
        for _, _, height, label in mine:
            if label == "Not itemised":
                hidden = [table.cells[(i, j)] for j in range(width)]
                assert sum(c.value is None for c in hidden) >= 2  # never one cell alone
            else:
                j = [table.columns.label(j, "en") for j in range(width)].index(label)
                assert table.cells[(i, j)].value == height
        assert f"{total:g}" in texts
    assert any(b[3] == "Not itemised" for b in bars)


def test_the_funnel_chart_writes_a_hidden_step_as_the_table_does(store: SqlStore) -> None:
    from kk_core.analysis import referral_funnel
    from kk_core.analysis.brief import _bars
    from kk_core.analysis.table import Cell

    funnel = referral_funnel(store, period=YEAR)
    steps = funnel.rows[0]
    cells = [funnel.cells[(i, 0)] for i in range(len(steps))]
    lengths, texts = _drawn(
        _bars([steps.label(i, "en") for i in range(len(steps))], cells), horizontal=True
    )
    assert texts == [c.shown for c in cells[::-1]]
    assert [b[2] for b in lengths] == [float(c.value or 0) for c in cells[::-1]]
    hidden = _drawn(_bars(["a", "b"], [Cell("12", 12), Cell("<5", None)]), horizontal=True)
    assert hidden[1] == ["<5", "12"]
    assert [b[2] for b in hidden[0]] == [0, 12]  # horizontal: the length of each bar
