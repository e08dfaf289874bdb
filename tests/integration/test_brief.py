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
