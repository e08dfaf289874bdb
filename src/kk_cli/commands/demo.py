"""``kk demo``: two years of four synthetic KKs of Lombok Timur, in a store, summarised.

The data are built by `kk_cli.demo` through the library's services (every lifecycle
guard runs on every step) in memory, then copied into the store in one pass, so a
second run writes nothing. The summary is made by `kk_core.analysis` from the store:
counts pushed down to the database, small cells suppressed as for any published table.
"""

from __future__ import annotations

import click

from kk_cli import demo, output
from kk_cli.stores import check_url, open_for_writing, record_total
from kk_core import ConstituentGroup, copy_records
from kk_core.analysis import indicator_table, referral_funnel, tabulate
from kk_core.analysis.table import Table
from kk_core.errors import KKError
from kk_core.kinds import RECORD_KINDS
from kk_core.plugins import get_plugins
from kk_core.reports import ImportReport
from kk_core.store import Store

__all__ = ["DEFAULT_STORE", "command", "foreign_groups"]

#: Where the demo goes unless --store says otherwise: the embedded default, SQLite.
DEFAULT_STORE = "sqlite:///kk-demo.db"


def foreign_groups(store: Store) -> list[str]:
    """Groups in ``store`` that are not the demo's: a store with data of its own."""
    ours = {v.group_id for v in demo.DEMO_VILLAGES}
    return sorted(g.id for g in store.find(ConstituentGroup) if g.id not in ours)


@click.command("demo", short_help="Build a synthetic demo data set and summarise it.")
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    default=DEFAULT_STORE,
    show_default=True,
    callback=check_url,
    help="Where to keep the demo data (KK_STORE is not read: the demo never goes into "
    "your real store by accident). An empty store, or one an earlier demo made.",
)
@click.option(
    "--seed",
    type=int,
    default=2025,
    show_default=True,
    help="Random seed: the same seed gives the same data.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "id"]),
    default="en",
    show_default=True,
    help="Language of the summary tables (English or Indonesian).",
)
def command(store_url: str, seed: int, lang: str) -> None:
    """Build two years (2024-2025) of four synthetic KKs of Kecamatan Labuhan Haji,
    Lombok Timur, and print a summary.

    Each village (Teros, Banjarsari, Korleko, Kertasari: their Kemendagri codes) has
    hamlets and a KK whose members work in all four divisions; the cases of every
    category are taken through case management (assessment, consent, referrals to the
    services of Lombok Timur, follow-up, closing) by the library's services, beside
    the UMKM the KKs support, their meetings and their proposals to the village. The
    data are synthetic: clients have initials, never names.

    The records are copied into the store (a second run writes nothing), then the
    summary is counted from it, with small cells suppressed as in any published table.
    """
    plugins = get_plugins()
    target = open_for_writing(plugins, store_url)
    try:
        others = foreign_groups(target)
        if others:
            raise KKError(
                f"{target.url} already holds data that is not the demo's (groups "
                f"{', '.join(others[:3])}{' …' if len(others) > 3 else ''}); the demo "
                "writes only into an empty store or one an earlier demo made: give "
                "another with --store"
            )
        source = _build(seed)
        try:
            report = _copy(source, target)
        finally:
            source.close()
        _summary(target, report, lang)
    finally:
        target.close()


def _build(seed: int) -> Store:
    with output.progress("Recording two years through the services", demo.steps()) as update:
        done = 0

        def step(_: str) -> None:
            nonlocal done
            done += 1
            update(done)

        return demo.demo_store(seed=seed, progress=step)


def _copy(source: Store, target: Store) -> ImportReport:
    classes = list(RECORD_KINDS.values())
    with output.progress(f"Copying into {target.url}", record_total(source, classes)) as update:

        def progress(report: ImportReport) -> None:
            update(sum(report.written.values()) + sum(report.unchanged.values()))

        return copy_records(source, target, kinds=classes, progress=progress)


def _summary(store: Store, report: ImportReport, lang: str) -> None:
    written, unchanged = sum(report.written.values()), sum(report.unchanged.values())
    output.echo(
        f"Demo data in {store.url}: {written + unchanged:,} records "
        f"({written:,} written now, {unchanged:,} already there)."
    )
    if report.rejects:  # the demo's own records: a refusal is a bug
        raise KKError(f"the store refused {len(report.rejects)} demo records")
    tables: list[Table] = [
        tabulate(store, "case", "village_id", "category"),
        tabulate(store, "case", "year", "status"),
        referral_funnel(store),
        indicator_table("businesses_supported", store),
    ]
    for table in tables:
        output.echo()
        output.echo(table.to_markdown(lang))
    output.echo()
    output.echo(_closing(lang, store.url))


def _closing(lang: str, url: str) -> str:
    teros = demo.DEMO_VILLAGES[0].code
    next_steps = (
        f"  kk report cases_by_hamlet_category --store {url} --village {teros} --year 2025\n"
        f"  kk brief --store {url} --village {teros} --year 2025 -o brief.html"
    )
    if lang == "id":
        return (
            "Data sintetis. Sel kecil disembunyikan (<5, x) seperti pada setiap tabel yang "
            f"dipublikasikan. Selanjutnya:\n{next_steps}"
        )
    return (
        "Synthetic data. Small cells are hidden (<5, x) as in any published table. "
        f"Next:\n{next_steps}"
    )
