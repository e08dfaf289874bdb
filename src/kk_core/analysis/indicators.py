"""The indicators a KK brings to a village deliberation, registered through
``kk_register_indicators`` like any plugin's, and the tables they make.

The built-in ones are registered by this module, which is the ``analysis`` plugin of
the ``kk`` entry-point group (a program with its own `kk_core.plugins.Plugins` can
register it by hand). Other programs add theirs the same way.

A few questions are not one indicator: the referral funnel, follow-ups overdue on a
day, the open caseload per companion. They have functions of their own here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from kk_core.analysis.measures import Count, Days, Distinct, Sum, aggregate
from kk_core.analysis.suppression import Suppression
from kk_core.analysis.table import Axis, Cell, Table
from kk_core.analysis.tabulate import tabulate
from kk_core.codes import (
    CODE_LISTS,
    CaseCategory,
    CaseStatus,
    ReferralStatus,
    SupportStatus,
    SupportType,
)
from kk_core.hookspecs import hookimpl
from kk_core.plugins import Plugins, get_plugins
from kk_core.registries import Indicator, IndicatorRegistry

__all__ = [
    "BUILT_IN",
    "OPEN_CASE_STATUSES",
    "indicator_table",
    "kk_register_indicators",
    "open_caseload",
    "overdue_follow_ups",
    "referral_funnel",
]

OPEN_CASE_STATUSES = frozenset(s.value for s in CaseStatus if s is not CaseStatus.CLOSED)
_PERMITS = tuple(t.value for t in SupportType if t.is_permit)
_CAPITAL = tuple(t.value for t in SupportType if t.is_capital)


def _subcategories(category: CaseCategory) -> tuple[str, ...]:
    listed = CODE_LISTS["case_subcategory"]
    return tuple(e.code for e in listed if e.parent == category.value)


def _i(
    name: str, kind: str, label_id: str, label_en: str, by: tuple[str, ...], **rest: Any
) -> Indicator:
    criteria = rest.pop("criteria", {})
    return Indicator(name, kind, label_id, label_en, by, criteria, **rest)  # type: ignore[arg-type]


#: The built-in indicators, by name.
BUILT_IN: Mapping[str, Indicator] = {
    i.name: i
    for i in (
        # cases
        _i(
            "cases_by_hamlet_category",
            "case",
            "Kasus per dusun dan kategori",
            "Cases by hamlet and category",
            ("hamlet_id", "category"),
        ),
        _i(
            "cases_by_month_category",
            "case",
            "Kasus per bulan dan kategori",
            "Cases by month and category",
            ("month", "category"),
        ),
        _i(
            "cases_by_quarter_category",
            "case",
            "Kasus per triwulan dan kategori",
            "Cases by quarter and category",
            ("quarter", "category"),
        ),
        _i(
            "cases_by_year_category",
            "case",
            "Kasus per tahun dan kategori",
            "Cases by year and category",
            ("year", "category"),
        ),
        _i(
            "cases_by_age_band_sex",
            "case",
            "Kasus per kelompok umur dan jenis kelamin",
            "Cases by age band and sex",
            ("age_band", "sex"),
        ),
        _i(
            "cases_by_category_sex_age_band",
            "case",
            "Kasus per kategori, jenis kelamin dan umur",
            "Cases by category, sex and age band",
            ("category", "age_band", "sex"),
        ),
        _i(
            "cases_by_disability_category",
            "case",
            "Kasus per disabilitas dan kategori",
            "Cases by disability and category",
            ("has_disability", "category"),
        ),
        _i(
            "violence_by_form",
            "case",
            "Kekerasan per bentuk (dihitung di tiap bentuk)",
            "Violence by form (counted in each)",
            ("violence_form",),
            criteria={"issue": "violence"},
        ),
        _i(
            "violence_by_gbvims_type",
            "case",
            "Kekerasan per jenis GBVIMS",
            "Violence by GBVIMS type",
            ("gbvims_type",),
            criteria={"issue": "violence"},
        ),
        _i(
            "violence_by_place",
            "case",
            "Kekerasan per tempat kejadian",
            "Violence by place",
            ("place_simfoni",),
            criteria={"issue": "violence"},
        ),
        _i(
            "violence_by_perpetrator_relation",
            "case",
            "Kekerasan per hubungan pelaku (dihitung di tiap hubungan)",
            "Violence by perpetrator relation (counted in each)",
            ("relation_simfoni",),
            criteria={"issue": "violence"},
        ),
        _i(
            "child_marriage_by_age_band",
            "case",
            "Perkawinan anak per kelompok umur",
            "Child marriage by age band",
            ("age_band",),
            criteria={"issue": "child_marriage"},
            known={"age_band": ("age_0_5", "age_6_12", "age_13_17", "age_18_24")},
        ),
        _i(
            "child_marriage_by_route",
            "case",
            "Perkawinan anak per jalur (dihitung di tiap jalur)",
            "Child marriage by route (counted in each)",
            ("marriage_route",),
            criteria={"issue": "child_marriage"},
        ),
        _i(
            "child_marriage_by_month",
            "case",
            "Perkawinan anak per bulan",
            "Child marriage by month",
            ("month",),
            criteria={"issue": "child_marriage"},
        ),
        _i(
            "dropout_by_level",
            "case",
            "Putus sekolah per jenjang",
            "School dropout by level",
            ("subcategory",),
            criteria={"category": "school_dropout"},
            known={"subcategory": _subcategories(CaseCategory.SCHOOL_DROPOUT)},
        ),
        _i(
            "social_protection_by_programme_status",
            "case",
            "Perlindungan sosial per program dan status DTSEN",
            "Social protection by programme and DTSEN status",
            ("programme", "subcategory"),
            criteria={"category": "social_protection"},
            known={"subcategory": _subcategories(CaseCategory.SOCIAL_PROTECTION)},
        ),
        # referrals
        _i(
            "referrals_by_status",
            "referral",
            "Rujukan per status",
            "Referrals by status",
            ("status",),
        ),
        _i(
            "referrals_by_service_status",
            "referral",
            "Rujukan per layanan dan status",
            "Referrals by service and status",
            ("core_service", "status"),
        ),
        _i(
            "days_to_acceptance",
            "referral",
            "Median hari sampai diterima layanan",
            "Median days to acceptance",
            ("core_service",),
            criteria={"accepted": True},
            measure=Days("sent_on", "responded_on"),
        ),
        _i(
            "days_to_completion",
            "referral",
            "Median hari sampai selesai",
            "Median days to completion",
            ("core_service",),
            criteria={"status": "completed"},
            measure=Days("sent_on", "completed_on"),
        ),
        _i(
            "open_caseload_by_companion",
            "case",
            "Kasus berjalan per pendamping",
            "Open caseload by companion",
            ("companion_id",),
            criteria={"status": OPEN_CASE_STATUSES},
        ),
        # Ekonomi
        _i(
            "businesses_supported",
            "support_action",
            "Usaha yang didukung",
            "Businesses supported",
            ("year",),
            measure=Distinct("business_id", labels=("Jumlah usaha", "Businesses")),
        ),
        _i(
            "permits_obtained",
            "support_action",
            "Izin usaha yang terbit",
            "Permits obtained",
            ("type",),
            criteria={"type": frozenset(_PERMITS), "status": SupportStatus.ACHIEVED.value},
            known={"type": _PERMITS},
        ),
        _i(
            "capital_accessed",
            "support_action",
            "Akses modal yang berhasil",
            "Capital accessed",
            ("type",),
            criteria={"type": frozenset(_CAPITAL), "status": SupportStatus.ACHIEVED.value},
            known={"type": _CAPITAL},
            measure=(Count(), Sum("amount_rupiah")),
        ),
        # Humas
        _i(
            "session_audience",
            "information_session",
            "Peserta sosialisasi",
            "Information-session audience",
            ("format",),
            measure=(
                Count(),
                Sum("audience_female"),
                Sum("audience_male"),
                Sum("audience_with_disability"),
            ),
        ),
        # Pendataan and advocacy
        _i(
            "proposals_by_forum_status",
            "advocacy_proposal",
            "Usulan per forum dan status",
            "Proposals by forum and status",
            ("forum", "status"),
        ),
        _i(
            "proposal_rupiah",
            "advocacy_proposal",
            "Rupiah diusulkan dan dialokasikan",
            "Rupiah requested and allocated",
            ("cycle_year",),
            measure=(Count(), Sum("requested_rupiah"), Sum("allocated_rupiah")),
        ),
    )
}


@hookimpl
def kk_register_indicators(registry: IndicatorRegistry) -> None:
    """The built-in indicators (`BUILT_IN`)."""
    for indicator in BUILT_IN.values():
        registry.add(indicator, description="built in (kk_core.analysis)")


def _split(by: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    if len(by) <= 1:
        return by, None
    return by[:-1], by[-1]


def indicator_table(
    indicator: Indicator | str,
    source: Any,
    *,
    plugins: Plugins | None = None,
    suppression: Suppression | bool | str | None = "auto",
    coarsen: float | None = None,
    **criteria: Any,
) -> Table:
    """The table of an indicator (by name: any registered one) over a store or records;
    ``criteria`` narrow it further (``period=Between(...)``, ``village_id=...``)."""
    if isinstance(indicator, str):
        registered = (plugins or get_plugins()).indicators.get(indicator)
        found = registered.value if registered is not None else BUILT_IN.get(indicator)
        if found is None:
            from kk_core.errors import Problem, ValidationError

            known = sorted({*(plugins or get_plugins()).indicators, *BUILT_IN})
            raise ValidationError(
                [Problem("indicator", f"no indicator {indicator!r}; known: {', '.join(known)}")],
                subject="indicator",
            )
        indicator = found
    rows, column = _split(indicator.by)
    return tabulate(
        source,
        indicator.kind,
        rows or ("year",),
        column,
        measure=indicator.measure,
        suppression=suppression,
        coarsen=coarsen,
        known=indicator.known,
        title=(indicator.label_id, indicator.label_en),
        **{**dict(indicator.criteria), **criteria},
    )


def referral_funnel(
    source: Any, *, suppression: Suppression | bool | None = True, **criteria: Any
) -> Table:
    """Cases and their referrals, step by step: cases, cases referred (at least one
    referral), referrals sent, accepted, declined and completed, each with its share
    of the step it comes from. ``criteria`` are the cases' (``period``, ``category``…);
    the referrals are those of the cases counted."""
    policy = Suppression() if suppression is True else (suppression or None)
    k = policy.k if policy is not None else 0
    from kk_core.cases import Case
    from kk_core.referrals import Referral

    case_ids = (
        {
            c.id
            for c in (
                source.find(Case, **criteria)
                if hasattr(source, "find")
                else [r for r in source if isinstance(r, Case)]
            )
        }
        if criteria
        else None
    )
    cases = aggregate(source, Case, (), (Count(),), **criteria)[()][0]
    referral_criteria: dict[str, Any] = {}
    rows = aggregate(
        source, Referral, ("case_id", "status", "accepted"), (Count(),), **referral_criteria
    )
    referred: set[str] = set()
    sent = accepted = declined = completed = 0
    for (case_id, status, was_accepted), (n,) in rows.items():
        if case_ids is not None and case_id not in case_ids:
            continue
        referred.add(str(case_id))
        sent += n
        accepted += n if was_accepted else 0
        declined += n if status == ReferralStatus.DECLINED.value else 0
        completed += n if status == ReferralStatus.COMPLETED.value else 0
    steps = [
        ("cases", "Kasus", "Cases", cases, None),
        ("referred", "Kasus yang dirujuk", "Cases referred", len(referred), cases),
        ("sent", "Rujukan dikirim", "Referrals sent", sent, None),
        ("accepted", "Rujukan diterima layanan", "Referrals accepted", accepted, sent),
        ("declined", "Rujukan ditolak layanan", "Referrals declined", declined, sent),
        ("completed", "Rujukan selesai", "Referrals completed", completed, sent),
    ]
    axis = Axis(
        "step", ("Tahap", "Step"), tuple(s[0] for s in steps), tuple((s[1], s[2]) for s in steps)
    )
    measures = Axis(
        "measure",
        ("Ukuran", "Measure"),
        ("n", "share"),
        (("Jumlah", "Number"), ("Persen", "Per cent")),
    )
    cells: dict[tuple[int, ...], Cell] = {}
    for i, (_, _, _, n, of) in enumerate(steps):
        small = policy is not None and 0 < n < k
        cells[(i, 0)] = Cell(f"<{k}", None) if small else Cell(str(n), n)
        if of is None or of == 0 or small or (policy is not None and of < k):
            cells[(i, 1)] = Cell("–", None)
        else:
            share = round(100 * n / of)
            cells[(i, 1)] = Cell(f"{share}%", share)
    notes = [
        (
            "Persen dari tahap sebelumnya (kasus dirujuk dari kasus; diterima, ditolak dan "
            "selesai dari rujukan dikirim). Rujukan yang diterima termasuk yang sudah selesai.",
            "Per cent of the step before (cases referred of cases; accepted, declined and "
            "completed of referrals sent). Referrals accepted include those completed.",
        )
    ]
    if policy is not None:
        notes.append(
            (
                f"Angka 1 sampai {k - 1} ditampilkan sebagai '<{k}', tanpa persennya.",
                f"Counts of 1 to {k - 1} are shown as '<{k}', without their share.",
            )
        )
    return Table(
        ("Alur rujukan", "Referral funnel"),
        (axis,),
        measures,
        cells,
        totals=False,
        notes=tuple(notes),
        metadata={"kind": "referral", "suppression": None if policy is None else {"k": k}},
    )


def overdue_follow_ups(
    source: Any,
    as_of: date,
    *,
    by: str = "companion_id",
    suppression: Suppression | bool | None = False,
    **criteria: Any,
) -> Table:
    """Open cases whose next follow-up was due before ``as_of``, by companion (or
    another dimension): the KK's own work list, so not suppressed by default (it is
    not for publication). Follow-ups of case-plan actions are not counted: only the
    case's ``next_follow_up``."""
    overdue = {
        "status": OPEN_CASE_STATUSES,
        "next_follow_up": _before(as_of),
        **criteria,
    }
    return tabulate(
        source,
        "case",
        by,
        suppression=suppression,
        title=(
            f"Tindak lanjut terlambat per {as_of.isoformat()}",
            f"Follow-ups overdue as of {as_of.isoformat()}",
        ),
        **overdue,
    )


def _before(day: date) -> Any:
    from kk_core.dimensions import Between

    return Between(None, day - timedelta(days=1))


def open_caseload(
    source: Any, *, suppression: Suppression | bool | None = False, **criteria: Any
) -> Table:
    """Open cases per companion: the KK's own work list (not suppressed by default)."""
    return indicator_table(
        BUILT_IN["open_caseload_by_companion"], source, suppression=suppression, **criteria
    )
