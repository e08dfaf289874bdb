"""Tables for village deliberations: labels, order, every cell, suppression applied and
recorded, coarsening, indicators registered through the hook, and the questions that
are not one count (the referral funnel, overdue follow-ups, the open caseload)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import attrs
import pytest

from analysis_support import HAMLETS, VILLAGE, village_year
from kk_adapters.memory import MemoryStore
from kk_core.analysis import (
    BUILT_IN,
    Count,
    Days,
    Distinct,
    Sum,
    Suppression,
    indicator_table,
    open_caseload,
    overdue_follow_ups,
    referral_funnel,
    tabulate,
)
from kk_core.analysis.labels import DIMENSION_LABELS
from kk_core.analysis.suppression import suppress_cube
from kk_core.analysis.table import neutralise
from kk_core.cases import Case
from kk_core.codes import CaseCategory, CaseStatus, Sex
from kk_core.dimensions import DIMENSIONS
from kk_core.errors import ValidationError
from kk_core.hookspecs import hookimpl
from kk_core.places import Hamlet
from kk_core.plugins import Plugins, get_plugins
from kk_core.referrals import Referral
from kk_core.registries import Indicator

RECORDS = village_year()


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    return MemoryStore(records=RECORDS)


def _cases() -> list[Case]:
    return [r for r in RECORDS if isinstance(r, Case)]


def test_every_dimension_has_a_label_in_both_languages() -> None:
    names = {d.name for dims in DIMENSIONS.values() for d in dims}
    assert names <= set(DIMENSION_LABELS), sorted(names - set(DIMENSION_LABELS))
    assert all(a and b for a, b in DIMENSION_LABELS.values())


def test_rows_in_code_list_order_every_cell_and_hamlet_names(store: MemoryStore) -> None:
    table = tabulate(store, "case", "hamlet_id", "category", suppression=False)
    assert table.columns is not None
    assert table.columns.values == tuple(c.value for c in CaseCategory)
    assert set(table.rows[0].values) == {hid for hid, _ in HAMLETS}
    names = [table.rows[0].label(i, "id") for i in range(len(table.rows[0]))]
    assert names == sorted(name for _, name in HAMLETS)  # by name
    counts = Counter((c.subject.hamlet_id, c.category.value) for c in _cases())
    for hamlet, _ in HAMLETS:
        for category in CaseCategory:
            assert table.value(hamlet, category.value) == counts[(hamlet, category.value)]
    assert table.value("total", "total") == len(_cases())
    markdown = table.to_markdown("en")
    assert "| Hamlet | Violence | Child marriage |" in markdown
    assert "Teros Timur" in markdown
    assert "| Dusun | Kekerasan | Perkawinan anak |" in table.to_markdown("id")
    assert "not for publication" in markdown


def test_small_cells_are_suppressed_and_recorded(store: MemoryStore) -> None:
    plain = tabulate(store, "case", "hamlet_id", "category", suppression=False)
    safe = tabulate(store, "case", "hamlet_id", "category")
    assert safe.columns is not None
    shown_small = 0
    for i, hamlet in enumerate(safe.rows[0].values):
        for category in safe.columns.values:
            true = plain.value(hamlet, category)
            assert true is not None
            if 1 <= true < 5:
                assert safe.shown(hamlet, category) == "<5"
                assert safe.value(hamlet, category) is None
                shown_small += 1
            elif safe.shown(hamlet, category) != "x":
                assert safe.value(hamlet, category) == true
        del i
    assert shown_small > 0
    meta = safe.metadata["suppression"]
    assert meta["k"] == 5
    assert meta["primary"] >= shown_small
    assert "'<5'" in safe.to_markdown("en")


def test_rounding_to_base_5(store: MemoryStore) -> None:
    table = tabulate(store, "case", "category", suppression=Suppression(rounding=5))
    for category in CaseCategory:
        value = table.value(category.value)
        if value is not None:
            assert value % 5 == 0
    assert "rounded to the nearest 5" in table.to_markdown("en")


def test_coarsening_reaches_the_share_and_says_what_was_merged(store: MemoryStore) -> None:
    fine = tabulate(store, "case", ("hamlet_id", "age_band"), "category")
    coarse = tabulate(store, "case", ("hamlet_id", "age_band"), "category", coarsen=0.7)
    assert fine.metadata["suppression"]["publishable_share"] < 0.7
    assert coarse.metadata["suppression"]["publishable_share"] >= 0.7
    assert coarse.metadata["merged"][0] == "Age bands merged into children and adults"
    assert any("Digabung" in note[0] for note in coarse.notes)
    kept = tabulate(store, "case", "hamlet_id", "category", coarsen=0.9, keep=("hamlet_id",))
    assert set(kept.rows[0].values) == {hid for hid, _ in HAMLETS}
    assert kept.columns is not None
    assert "other" in kept.columns.values
    # the merged table still counts every case
    assert kept.value("total", "total") == len(_cases())


def test_rare_values_merged_into_other_are_said_in_one_note(store: MemoryStore) -> None:
    table = tabulate(store, "case", "hamlet_id", "category", coarsen=0.9, keep=("hamlet_id",))
    merged = [en for _, en in table.notes if en.startswith("Merged:")]
    assert len(table.metadata["merged"]) > 1  # several categories went into "other"…
    assert len(merged) == 1  # …and the notes say so once
    assert merged[0].endswith("merged into 'Other' (Case category).")
    assert " and " in merged[0]
    assert all(m.split(" merged into ")[0] in merged[0] for m in table.metadata["merged"])
    assert merged[0].count("merged into") == 1


def test_set_dimensions_say_counted_in_each(store: MemoryStore) -> None:
    table = indicator_table("violence_by_perpetrator_relation", store)
    assert table.metadata["counted_in_each"] == ["relation_simfoni"]
    assert "counted in each" in table.to_markdown("en")
    # a case with two relatives among its perpetrators counts once under family
    plain = indicator_table("violence_by_perpetrator_relation", store, suppression=False)
    family = sum(
        1
        for c in _cases()
        if c.violence is not None and any(p.relation == "family" for p in c.violence.perpetrators)
    )
    assert plain.value("family") == family


def test_a_table_that_cannot_be_protected_is_withheld() -> None:
    """4 | 1 over 1 | 5: the small cells are pinned by the totals whatever else is
    hidden (a hidden cell holds 5 or more), so nothing of the table is shown."""
    assert suppress_cube((2, 2), [4, 1, 1, 5]).withheld
    template = next(c for c in _cases() if c.category is CaseCategory.SOCIAL_PROTECTION)
    cells = {("female", "pkh"): 4, ("female", "bpnt"): 1, ("male", "pkh"): 1, ("male", "bpnt"): 5}
    made = []
    for (sex, programme), n in cells.items():
        for k in range(n):
            subject = attrs.evolve(template.subject, sex=Sex(sex))
            made.append(
                attrs.evolve(
                    template, id=f"{sex}-{programme}-{k}", subject=subject, programme=programme
                )
            )
    table = tabulate(made, "case", "sex", "programme", known={"programme": ("pkh", "bpnt")})
    assert table.metadata["suppression"]["withheld"] is True
    assert {c.shown for c in table.cells.values()} == {"x"}
    assert {c.value for c in table.cells.values()} == {None}
    assert "cannot be published" in table.to_markdown("en")


def test_csv_opens_in_excel_and_runs_no_formula(store: MemoryStore) -> None:
    evil = Hamlet("evil", VILLAGE, '=HYPERLINK("http://x")')
    local = MemoryStore(records=[*RECORDS, evil])
    table = tabulate(local, "case", "hamlet_id", suppression=False)
    text = table.to_csv("en")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Hamlet", "Number"]
    assert ['\'=HYPERLINK("http://x")', "0"] in rows
    assert neutralise("-5") == "-5"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert ";" in table.to_csv(delimiter=";").splitlines()[0]


def test_to_pandas_keeps_labels_hidden_cells_and_metadata(store: MemoryStore) -> None:
    table = tabulate(store, "case", "hamlet_id", "category")
    frame = table.to_pandas("en")
    assert list(frame.columns)[-1] == "Total"
    assert frame.index.name == "Hamlet"
    assert str(frame.dtypes.iloc[0]) == "Int64"
    assert frame.attrs["metadata"]["suppression"]["k"] == 5
    hidden = [
        (i, j)
        for i in range(len(table.rows[0]))
        for j in range(len(table.columns or ()))
        if table.cells[(i, j)].value is None
    ]
    assert hidden
    i, j = hidden[0]
    assert frame.isna().iloc[i, j]
    shown = table.to_pandas("en", shown=True)
    assert shown.iloc[i, j] in ("<5", "x")
    two = tabulate(store, "case", ("hamlet_id", "sex"), "category").to_pandas()
    assert two.index.nlevels == 2


def test_measure_tables_show_groups_of_k_or_more(store: MemoryStore) -> None:
    table = indicator_table("days_to_completion", store)
    assert table.columns is None
    referrals = [r for r in RECORDS if isinstance(r, Referral) and r.completed_on is not None]
    by_service = Counter(r.service for r in referrals)
    for service, n in by_service.items():
        shown = table.shown(service)
        assert (shown == "n<5") == (n < 5)  # never "<5": not "a median under 5 days"
    plain = tabulate(
        store,
        "referral",
        "core_service",
        measure=Days("sent_on", "completed_on"),
        suppression=False,
    )
    uptd = sorted((r.completed_on - r.sent_on).days for r in referrals if r.service == "uptd_ppa")
    middle = len(uptd) // 2
    median = uptd[middle] if len(uptd) % 2 else (uptd[middle - 1] + uptd[middle]) / 2
    assert plain.value("uptd_ppa") == median


def test_an_empty_group_of_a_measure_table_counts_zero() -> None:
    """A row of the grid with no record: its count and its sum are 0, its days none."""
    table = indicator_table("capital_accessed", MemoryStore(records=RECORDS[:1]))
    assert table.columns is not None
    for i in range(len(table.rows[0])):
        assert table.cells[(i, 0)] == table.cells[(i, 1)]
        assert table.cells[(i, 0)].shown == "0"
        assert table.cells[(i, 0)].value == 0
    days = tabulate([], "referral", "core_service", measure=Days("sent_on", "completed_on"))
    assert all(cell.shown == "–" for cell in days.cells.values())


def test_small_groups_of_other_measures_show_n(store: MemoryStore) -> None:
    """Count and sum side by side: the small group's count shows '<5', its sum 'n<5'."""
    table = tabulate(
        store, "support_action", "type", measure=(Count(), Sum("amount_rupiah")), suppression=True
    )
    small = [i for i in range(len(table.rows[0])) if table.cells[(i, 0)].shown == "<5"]
    assert small
    for i in small:
        assert table.cells[(i, 1)].shown == "n<5"
    assert "any other measure as 'n<5'" in table.to_markdown("en")
    assert 'class="small">n&lt;5' in table.to_html("en")


def test_public_activities_are_not_suppressed(store: MemoryStore) -> None:
    table = tabulate(store, "advocacy_proposal", "status")
    assert table.metadata["suppression"] is None
    assert "public activities" in table.to_markdown("en")
    assert table.value("draft") == 1


def test_built_in_indicators_come_through_the_hook(store: MemoryStore) -> None:
    registered = get_plugins().indicators
    assert set(BUILT_IN) <= set(registered)
    assert registered["cases_by_hamlet_category"].plugin == "analysis"
    for name in BUILT_IN:
        table = indicator_table(name, store)
        assert table.cells


def test_a_plugins_indicator_makes_a_table(store: MemoryStore) -> None:
    mine = Indicator(
        "married_girls_by_hamlet",
        "case",
        "Perkawinan anak perempuan per dusun",
        "Child marriages of girls by hamlet",
        ("hamlet_id",),
        {"issue": "child_marriage", "sex": "female"},
    )

    class Partner:
        @hookimpl
        def kk_register_indicators(self, registry):  # type: ignore[no-untyped-def]
            registry.add(mine)

    plugins = Plugins(load_entry_points=False, extra=[Partner()])
    table = indicator_table("married_girls_by_hamlet", store, plugins=plugins)
    assert table.title == (mine.label_id, mine.label_en)
    expected = sum(
        1
        for c in _cases()
        if CaseCategory.CHILD_MARRIAGE in c.all_issues and c.subject.sex.value == "female"
    )
    assert (
        tabulate(store, "case", "hamlet_id", suppression=False, issue="child_marriage").value(
            "total"
        )
        >= expected
    )
    with pytest.raises(ValidationError):
        indicator_table("no_such_indicator", store, plugins=plugins)


def test_referral_funnel(store: MemoryStore) -> None:
    table = referral_funnel(store, suppression=False)
    referrals = [r for r in RECORDS if isinstance(r, Referral)]
    assert table.value("cases", "n") == len(_cases())
    assert table.value("referred", "n") == len({r.case_id for r in referrals})
    assert table.value("sent", "n") == len(referrals)
    assert table.value("accepted", "n") == sum(r.was_accepted for r in referrals)
    assert table.value("declined", "n") == sum(r.status.value == "declined" for r in referrals)
    completed = sum(r.status.value == "completed" for r in referrals)
    assert table.value("completed", "n") == completed
    assert table.value("completed", "share") == round(100 * completed / len(referrals))
    from kk_core.dimensions import Between

    half = Between(date(2025, 1, 1), date(2025, 6, 30))
    first_half = referral_funnel(store, suppression=False, period=half)
    in_half = {c.id for c in _cases() if c.reported_on <= half.end}
    assert first_half.value("cases", "n") == len(in_half)
    assert first_half.value("sent", "n") == sum(r.case_id in in_half for r in referrals)


def test_overdue_follow_ups_and_open_caseload(store: MemoryStore) -> None:
    as_of = date(2025, 9, 1)
    table = overdue_follow_ups(store, as_of)
    expected = Counter(
        c.companion_id
        for c in _cases()
        if c.status is not CaseStatus.CLOSED
        and c.next_follow_up is not None
        and c.next_follow_up < as_of
    )
    for companion, n in expected.items():
        assert table.value(companion) == n
    assert table.value("total") == sum(expected.values())
    caseload = open_caseload(store)
    opened = Counter(c.companion_id for c in _cases() if c.status is not CaseStatus.CLOSED)
    for companion, n in opened.items():
        assert caseload.value(companion) == n


def test_bad_tables_are_refused(store: MemoryStore) -> None:
    with pytest.raises(ValidationError):
        tabulate(store, "case", ())
    with pytest.raises(ValidationError):
        tabulate(store, "case", "category", coarsen=1.5)
    with pytest.raises(ValidationError):
        tabulate(store, "case", "colour")
    with pytest.raises(ValidationError):
        Suppression(k=2)
    with pytest.raises(ValidationError):
        Suppression(protection=4)


def test_records_without_a_store_make_the_same_table(store: MemoryStore) -> None:
    from_store = tabulate(store, "case", "category", "sex", year=2025)
    from_records = tabulate(RECORDS, "case", "category", "sex", year=2025)
    assert from_store.cells == from_records.cells
    assert attrs.evolve(from_store, metadata={}) == attrs.evolve(from_records, metadata={})


def test_a_filtered_table_says_what_it_is_limited_to() -> None:
    store = village_year()
    table = tabulate(store, "case", "month", category="violence", year=2025)
    assert table.notes[0] == (
        "Hanya Kategori kasus: Kekerasan; Tahun: 2025.",
        "Only Case category: Violence; Year: 2025.",
    )
    assert "*Only Case category: Violence; Year: 2025.*" in table.to_markdown("en")
    assert "Hanya" not in tabulate(store, "case", "month").to_markdown("id")


def test_a_distinct_count_is_hidden_as_a_count_is_and_headed_by_its_label(
    store: MemoryStore,
) -> None:
    """A distinct count is no more than its group's records: a small group's shows '<5'
    (the marker of counts), with the note of counts; its header is the label given."""
    counts = tabulate(store, "support_action", "type", suppression=True)
    measure = Distinct("business_id", labels=("Jumlah usaha", "Businesses"))
    table = tabulate(store, "support_action", "type", measure=measure, suppression=True)
    small = [i for i in range(len(counts.rows[0])) if counts.cells[(i,)].shown == "<5"]
    assert small
    assert all(table.cells[(i,)].shown == "<5" for i in small)
    markdown = table.to_markdown("en")
    assert "| Businesses |" in markdown.splitlines()[2]
    assert "Groups of fewer than 5 records are shown as '<5'." in markdown
    assert "n<5" not in markdown
    assert table.to_markdown("id").splitlines()[2].endswith("| Jumlah usaha |")
