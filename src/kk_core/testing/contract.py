"""The Store contract: the tests every storage adapter must pass, importable by anyone.

Prove an adapter with three lines in a test module (pytest collects the class; every
test below, the stateful model check included, runs against your store)::

    from kk_core.testing.contract import StoreContract
    class TestMyStore(StoreContract):
        def make_store(self): return open_store("mystore://...")  # a fresh, empty store

``make_store`` is called once per test and once per hypothesis example, and must return
a new, empty, writable store each time; the contract calls ``store.close()`` when it is
done with one (override ``close_store`` to clean up more, e.g. drop a schema).

Optional, as methods or class attributes of your subclass:

* ``make_readonly_store(self, records)`` — a read-only store holding ``records``; the
  read-only tests are skipped (and say so) when the adapter has none.
* ``supports_transactions = True`` — must agree with ``store.capabilities.transactions``;
  the transaction tests are skipped when ``False``.
* ``transactions_isolated = True`` — the store itself does not see a transaction's
  writes before it commits.
* ``interleaved_transactions = True`` — two open transactions may both write the same
  record before either commits (the second commit is then a `ConflictError`). Set it
  to ``False`` for stores whose writers block each other until commit (a single-writer
  file lock, row locks), where the test would wait forever.
* ``large_result_size = 20_000`` — how many records the streaming test puts and reads.
* ``streaming_peak_bytes = None`` — when set, consuming a large ``find`` without keeping
  the records must not allocate more than this (measured with `tracemalloc`).
* ``max_examples = None`` — hypothesis examples per property (default: your profile).

The model check on its own, as a `unittest.TestCase` (two lines)::

    from kk_core.testing.contract import StoreStateMachine
    TestMyStoreMachine = StoreStateMachine.testcase(lambda: open_store("mystore://..."))

What the contract holds a store to (the memory store, `kk_adapters.memory`, is the
reference): every record kind round-trips exactly (unicode of any script, emoji,
100 KB texts; NUL and lone surrogates excepted); ``find`` streams its results in id
order (Python string order: compare ids by code point, e.g. ``COLLATE "C"``) and
selects exactly what `kk_core.dimensions.matches` selects; ``count`` equals
`kk_core.dimensions.count_by`; ``put`` follows `kk_core.store.planned_write`
(optimistic concurrency; a content-equal put is a no-op); transactions are all or
nothing; read-only stores refuse every write with `ReadOnlyError`; and only
`kk_core.errors` types come out. Stores do not enforce references between records
(``case.group_id`` naming an existing group): that is the services' job, so the
generated records point at random ids.

Needs the ``test`` extra (pytest and hypothesis).
"""

from __future__ import annotations

import functools
import tracemalloc
import unittest
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, ClassVar, Generic, TypeVar, cast

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kk_core import regions
from kk_core.advocacy import AdvocacyProposal
from kk_core.cases import Case, Perpetrator, Subject, ViolenceIncident
from kk_core.codes import (
    Affiliation,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    DisabilityDomain,
    Forum,
    IntakeChannel,
    Reporter,
    RiskLevel,
    Sex,
    ViolenceForm,
)
from kk_core.dimensions import (
    DIMENSIONS,
    Between,
    compile_criteria,
    count_by,
    dimension_codes,
    matches,
    period_of,
)
from kk_core.errors import (
    ConflictError,
    KKError,
    NotFoundError,
    ReadOnlyError,
    StorageError,
    ValidationError,
    quote_value,
)
from kk_core.groups import Member
from kk_core.kinds import RECORD_KINDS, Record, RecordType, record_type
from kk_core.places import Hamlet, Village
from kk_core.referrals import Referral
from kk_core.store import Store, planned_write, redact_url, same_content
from kk_core.testing.strategies import records, records_of

__all__ = [
    "CASE_COUNTS",
    "CASE_CRITERIA",
    "HOSTILE_CRITERIA",
    "HOSTILE_VALUES",
    "MISSPELLED_CRITERIA",
    "UNICODE_TEXTS",
    "StoreContract",
    "StoreStateMachine",
    "criteria_for",
    "sample_cases",
]

R = TypeVar("R", bound=Record)
_Key = tuple[str, str]

_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.differing_executors,
    HealthCheck.filter_too_much,
]

# --------------------------------------------------------------------------- helpers


def _fresh(record: R) -> R:
    """The record as a caller holds it before it was ever stored (version 0)."""
    return attrs.evolve(record, version=0)


def _key(record: Record) -> _Key:
    return (record.kind, record.id)


def _by_id(found: Sequence[R]) -> list[R]:
    return sorted(found, key=lambda r: r.id)


def _expected(stored: Sequence[Record], kind: RecordType, criteria: Mapping[str, Any]) -> list[Any]:
    """What ``find`` must return: the reference filter over everything stored, by id."""
    conditions = compile_criteria(kind, criteria)
    return _by_id([r for r in stored if matches(r, conditions)])


@st.composite
def criteria_for(
    draw: st.DrawFn, kind: RecordType, sample: Sequence[Record], max_criteria: int = 3
) -> dict[str, Any]:
    """Criteria for ``find``/``count`` on ``kind`` built from values the sample holds.

    Each criterion is an equality (sometimes ``None``, sometimes a value nobody has),
    a membership (set, list or tuple) or a `Between` range with open or closed ends;
    ``period=`` is added sometimes for kinds that have a main date.
    """
    dims = DIMENSIONS[kind]
    chosen = draw(
        st.lists(st.sampled_from(dims), max_size=max_criteria, unique_by=lambda d: d.name)
    )
    criteria: dict[str, Any] = {}
    for dim in chosen:
        # a set dimension offers each value its records hold (None for an empty set)
        seen = [v for r in sample for v in dim.values_of(r)]
        present = sorted({v for v in seen if v is not None})
        pool: st.SearchStrategy[Any] = st.sampled_from(seen) if seen else st.none()
        ops = ["eq", "in"]
        if dim.type is not bool and present and dimension_codes(dim) is None:
            ops.append("between")  # (codes have no order: a range of them is refused)
        op = draw(st.sampled_from(ops))
        if op == "eq":
            absent: Any = {str: "\u2603 no such value", int: -(10**9), bool: None}.get(
                dim.type, date(1901, 1, 1)
            )
            codes = dimension_codes(dim)  # a code list's dimension takes only its codes
            if codes is not None and codes.extensible:
                absent = "no_such_local_code"  # an open list takes any code-shaped value
            elif codes is not None:
                absent = next((c for c in codes.codes if c not in present), None)
            shaped = "village_id" if kind is Village and dim.name == "id" else dim.name
            absent = _ABSENT_SHAPED.get(shaped, absent)  # a well-formed value nobody has
            criteria[dim.name] = draw(st.one_of(pool, st.none(), st.just(absent)))
        elif op == "in":
            chosen_values = draw(st.lists(pool, max_size=3))
            container = draw(st.sampled_from([set, list, tuple, frozenset]))
            criteria[dim.name] = container(chosen_values)
        else:
            ends = st.one_of(st.none(), st.sampled_from(present))
            low: Any = draw(ends)
            high: Any = draw(ends)
            if low is not None and high is not None and high < low:
                low, high = high, low
            criteria[dim.name] = Between(low, high)
    period = period_of(kind)
    if period is not None and draw(st.booleans()):
        days: list[Any] = sorted({d for r in sample if (d := period.read(r)) is not None})
        if days:
            ends = st.one_of(st.none(), st.sampled_from(days))
            low, high = draw(ends), draw(ends)
            if low is not None and high is not None and high < low:
                low, high = high, low
            criteria["period"] = Between(low, high)
    return criteria


#: A value of the right shape that no record holds, for dimensions with a fixed shape.
_ABSENT_SHAPED = {
    "month": "1901-01",
    "quarter": "1901-Q1",
    "regency_code": "99.99",
    "village_id": "99.99.99.9999",
}


def _counting_dims(kind: RecordType) -> st.SearchStrategy[tuple[str, ...]]:
    names = [d.name for d in DIMENSIONS[kind] if d.name != "id"]
    return st.lists(st.sampled_from(names), max_size=3, unique=True).map(tuple)


_VILLAGE = "52.03.12.2005"  # Desa Aik Dewa, Pringgasela, Lombok Timur (Kemendagri)
_OTHER_VILLAGE = "52.01.03.2001"  # Desa Lembuak, Narmada, Lombok Barat
_CATEGORIES = list(CaseCategory)
_CHANNELS = list(IntakeChannel)
_STATUSES = (CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED, CaseStatus.CLOSED)
_AGES = (4, 9, 15, 16, 30, 50, 70, None)


def sample_cases(count: int = 42) -> list[Case]:
    """Deterministic cases spread over every dimension the filter tests use.

    Ids mix upper and lower case (``Case-005`` sorts before ``case-001``), so a store
    that orders ids by a locale collation instead of by code point shows up.
    """
    made = []
    for i in range(count):
        category = _CATEGORIES[i % len(_CATEGORIES)]
        status = _STATUSES[i % 4]
        reported_on = date(2024, 1, 3) + timedelta(days=23 * i)
        age = _AGES[i % len(_AGES)]
        if category is CaseCategory.CHILD_MARRIAGE and age is not None:
            age = min(age, 17)  # a child marriage is a marriage under 19
        # some child marriages are also about violence and a dropout: one case, one child
        issues = (
            frozenset({CaseCategory.VIOLENCE, CaseCategory.SCHOOL_DROPOUT})
            if category is CaseCategory.CHILD_MARRIAGE and i % 2 == 0
            else frozenset()
        )
        forms = {ViolenceForm.PHYSICAL} | ({ViolenceForm.PSYCHOLOGICAL} if i % 3 == 0 else set())
        if issues:
            forms = {ViolenceForm.SEXUAL, ViolenceForm.PSYCHOLOGICAL}
        made.append(
            Case(
                f"Case-{i:03d}" if i % 5 == 0 else f"case-{i:03d}",
                "kk-teros" if i % 2 else "kk-other",
                _VILLAGE if i % 2 else _OTHER_VILLAGE,
                reported_on,
                _CHANNELS[i % len(_CHANNELS)],
                category,
                Subject(
                    Sex.MALE if i % 5 == 0 else Sex.FEMALE,
                    age_years=age,
                    hamlet_id=("dsn-a", "dsn-b", None)[i % 3],
                    disability=frozenset({DisabilityDomain.SEEING}) if i % 6 == 0 else frozenset(),
                    initials="AB",
                ),
                subcategory="kdrt_ekonomi" if i % 7 == 0 else None,
                programme="pkh" if category is CaseCategory.SOCIAL_PROTECTION else None,
                issues=issues,
                violence=(
                    ViolenceIncident(
                        frozenset(forms),
                        "household" if i % 4 else "pondok_pesantren",
                        perpetrators=(Perpetrator("spouse" if i % 3 else "stepparent"),),
                    )
                    if category is CaseCategory.VIOLENCE or issues
                    else None
                ),
                reporter=(Reporter.CLIENT, Reporter.FAMILY, None)[i % 3],
                risk=(RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)[i % 3],
                companion_id="m-1" if status in (CaseStatus.ACTIVE, CaseStatus.REFERRED) else None,
                status=status,
                outcome=CaseOutcome.RESOLVED if status is CaseStatus.CLOSED else None,
                closed_on=reported_on + timedelta(days=10) if status is CaseStatus.CLOSED else None,
                summary=f"Kasus nomor {i}",
            )
        )
    # stored out of id order, so "in id order" is something the store has to do
    return [made[(i * 17) % count] for i in range(count)]


#: Criteria of the deterministic filter and count tests (on `sample_cases`).
CASE_CRITERIA: tuple[dict[str, Any], ...] = (
    {},
    {"category": "violence"},
    {"category": CaseCategory.VIOLENCE},
    {"status": {"reported", "active"}},
    {"status": [CaseStatus.CLOSED]},
    {"status": ("referred",)},
    {"status": frozenset()},
    {"hamlet_id": None},
    {"hamlet_id": "dsn-a"},
    {"hamlet_id": {"dsn-b", None}},
    {"companion_id": None},
    {"subcategory": "kdrt_ekonomi"},
    {"subcategory": None},
    {"programme": "pkh"},
    {"reported_on": Between(date(2024, 3, 1), date(2024, 9, 30))},
    {"reported_on": date(2024, 1, 3)},
    {"period": Between(date(2025, 1, 1), None)},
    {"period": Between(None, date(2024, 6, 30))},
    {"period": Between(None, None)},
    {"closed_on": Between(date(2024, 6, 1), None)},
    {"month": "2024-05"},
    {"month": Between("2024-02", "2024-06")},
    {"year": 2025},
    {"year": Between(2024, 2024)},
    {"year": {2024, 2026}},
    {"sex": "male"},
    {"age_band": "age_13_17"},
    {"age_band": None},
    {"has_disability": True},
    {"has_disability": False},
    {"risk": RiskLevel.HIGH},
    {"village_id": _VILLAGE},
    {"regency_code": "52.03"},
    {"id": "case-003"},
    {"id": {"Case-000", "case-001", "nope"}},
    {"id": Between("Case-000", "Case-999")},
    {"category": "violence", "hamlet_id": "dsn-a"},
    {"status": {"reported", "active", "referred"}, "sex": Sex.FEMALE, "year": 2024},
    {"category": ["child_marriage", "school_dropout"], "period": Between(date(2024, 4, 1), None)},
    {"village_id": _OTHER_VILLAGE, "has_disability": True, "age_band": {"age_0_5", "age_6_12"}},
    {"issue": "violence"},
    {"issue": {"school_dropout", "civil_registration"}},
    {"issue": "child_marriage", "category": "child_marriage"},
    {"violence_form": None},
    {"violence_form": "psychological"},
    {"violence_form": {"sexual", None}},
    {"issue": "violence", "violence_form": ["physical"]},
)

#: ``by`` combinations of the deterministic count test.
CASE_COUNTS: tuple[tuple[str, ...], ...] = (
    (),
    ("category",),
    ("hamlet_id",),
    ("hamlet_id", "sex"),
    ("status", "year"),
    ("age_band", "has_disability"),
    ("month",),
    ("village_id", "category", "sex"),
    ("reported_on",),
    ("closed_on",),
    ("issue",),
    ("issue", "violence_form"),
    ("violence_form", "sex"),
)

UNICODE_TEXTS: tuple[str, ...] = (
    "Perkawinan anak di Dusun Lendang Nangka — korban berusia 15 tahun.",
    "بسم الله الرحمن الرحيم — مساعدة اجتماعية",
    "👩‍👧 Ibu dan anak 🙏🏽 🇮🇩 𝕂𝕂",
    "e\u0301 (decomposed) vs \u00e9 (precomposed) stay different",
    "Line one\nline two\r\nline three\ttabbed",
    "  leading and trailing spaces  ",
    "quotes \" ' and commas, semicolons; =SUM(A1) +1 -1 @cmd \\ backslash",
    "NULL",
    "None",
    "\u200b zero width \u200d joiner \u202e right-to-left override",
    "ꦲꦏ꧀ꦱꦫꦗꦮ (Javanese script) · ᬅᬓ᭄ᬱᬭᬩᬮᬶ (Balinese)",
    "中文 · 日本語 · 한국어 · ไทย · देवनागरी",
)


def _long_text(size: int = 100_000) -> str:
    chunk = "Catatan pendampingan — kunjungan rumah ke-7, ñ, بيت, 😀.\n"
    return (chunk * (size // len(chunk) + 1))[:size]


class _Deliberate(Exception):
    """Raised inside a transaction to check that an error rolls it back."""


E = TypeVar("E", bound=BaseException)


@attrs.define
class _Caught(Generic[E]):
    """What `_raises` caught; ``value`` is set once the block has raised."""

    value: E = attrs.field(init=False)


@contextmanager
def _raises(error: type[E], rule: str) -> Iterator[_Caught[E]]:
    """Like ``pytest.raises``, but a failure names the rule the store broke and, when
    something else came out, what it was (a raw driver error is named as such)."""
    caught: _Caught[E] = _Caught()
    try:
        yield caught
    except error as exc:
        caught.value = exc
        return
    except KKError as exc:
        pytest.fail(f"{rule}: expected {error.__name__}, got {type(exc).__name__}: {exc}")
    except Exception as exc:
        raw = f"{type(exc).__module__}.{type(exc).__qualname__}"
        pytest.fail(
            f"{rule}: expected {error.__name__}, got {raw}: {exc} (only kk_core.errors "
            "types may leave a store: translate the driver's errors)"
        )
    pytest.fail(f"{rule}: expected {error.__name__}, but nothing was raised")


def _shown(value: object) -> str:
    """A value as a failure message shows it: masked, bounded, never failing to print."""
    return quote_value(value, limit=400)


def _put_in_transaction(store: Store, record: Record) -> None:
    with store.transaction() as tx:
        tx.put(record)
        tx.commit()


A = TypeVar("A")


def _forged(record: A, **changes: Any) -> A:
    """A copy with ``changes`` made without running any of the model's checks: the way
    code that builds records by hand (or a bug) can still hand a store a value the
    model would refuse."""
    made = object.__new__(type(record))
    for field in attrs.fields(type(record)):  # type: ignore[arg-type]  # records and parts
        object.__setattr__(made, field.name, changes.get(field.name, getattr(record, field.name)))
    return made


def _proposal(**changes: Any) -> AdvocacyProposal:
    return _forged(
        AdvocacyProposal(
            "usulan-1", "kk-teros", "Posyandu ramah disabilitas", Forum.MUSYAWARAH_DESA
        ),
        **changes,
    )


def _case(**changes: Any) -> Case:
    return _forged(sample_cases(1)[0], **{"id": "kasus-rusak", **changes})


#: Values no store can hold, with the field a `ValidationError` must name: text with NUL
#: or a lone surrogate, integers beyond signed 64 bits (or too large to print), and ids
#: and codes too long to be an index entry (PostgreSQL's limit is about 2,700 bytes).
HOSTILE_VALUES: tuple[tuple[str, Callable[[], Record]], ...] = (
    ("summary", lambda: _case(summary="Catatan \ud800 rusak")),
    ("summary", lambda: _case(summary="NUL\x00 di tengah")),
    ("hamlet_id", lambda: _case(subject=_forged(_case().subject, hamlet_id="dsn-\x00"))),
    ("hamlet_id", lambda: _case(subject=_forged(_case().subject, hamlet_id="dsn-\udfff"))),
    ("id", lambda: _case(id="c" * 10_000)),
    ("subcategory", lambda: _case(subcategory="kdrt_" + "x" * 10_000)),
    ("requested_rupiah", lambda: _proposal(requested_rupiah=2**63)),
    ("requested_rupiah", lambda: _proposal(requested_rupiah=10**5000)),
    ("title", lambda: _proposal(title="Usulan \x00")),
    ("category", lambda: _case(category="Perkawinan Anak")),
    ("sex", lambda: _case(subject=_forged(_case().subject, sex=CaseCategory.VIOLENCE))),
    ("reported_on", lambda: _case(reported_on="2025-02-13")),
    ("forum", lambda: _proposal(forum="musdes")),
)

#: Criteria no store can be asked, each refused with a `ValidationError` naming it.
HOSTILE_CRITERIA: tuple[tuple[RecordType, dict[str, Any]], ...] = (
    (Case, {"hamlet_id": "dsn-\ud800"}),
    (Case, {"hamlet_id": "dsn-\x00"}),
    (Case, {"id": {"case-001", "bad\x00"}}),
    (AdvocacyProposal, {"requested_rupiah": 2**64}),
    (AdvocacyProposal, {"requested_rupiah": -(10**5000)}),
)

#: Code criteria that name no code of their list: an error, never a silent zero.
MISSPELLED_CRITERIA: tuple[tuple[RecordType, dict[str, Any]], ...] = (
    (Case, {"category": "child_mariage"}),
    (Case, {"status": {"reported", "actve"}}),
    (Case, {"sex": "women"}),
    (Case, {"age_band": "age_13_71"}),
    (Referral, {"status": "open"}),
)


# --------------------------------------------------------------------------- the suite


class StoreContract:
    """Subclass as ``Test...`` and provide `make_store`; see the module docstring."""

    supports_transactions: ClassVar[bool] = True
    transactions_isolated: ClassVar[bool] = True
    interleaved_transactions: ClassVar[bool] = True
    large_result_size: ClassVar[int] = 20_000
    streaming_peak_bytes: ClassVar[int | None] = None
    max_examples: ClassVar[int | None] = None

    # -- hooks for the adapter author --------------------------------------------------

    def make_store(self) -> Store:
        """A new, empty, writable store (called for every test and every example)."""
        raise NotImplementedError(f"{type(self).__name__} must define make_store()")

    def make_readonly_store(self, records: Sequence[Record]) -> Store:
        """A read-only store holding ``records``; adapters without one leave this alone."""
        raise NotImplementedError

    def close_store(self, store: Store) -> None:
        store.close()

    def failing_backend(self, store: Store) -> AbstractContextManager[None]:
        """A context in which every write to ``store`` fails in its backend, as a full
        disk or a lost connection would, and after which the backend works again.

        Adapters that cannot simulate it leave this alone: the test is then skipped.
        """
        raise NotImplementedError

    def hypothesis_settings(self) -> settings:
        """Settings for the property tests: the active profile, no deadline."""
        if self.max_examples is not None:
            return settings(
                deadline=None, suppress_health_check=_HEALTH, max_examples=self.max_examples
            )
        return settings(deadline=None, suppress_health_check=_HEALTH)

    # -- plumbing ----------------------------------------------------------------------

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = self.make_store()
        try:
            yield store
        finally:
            self.close_store(store)

    @contextmanager
    def readonly_store(self, records: Sequence[Record]) -> Iterator[Store]:
        try:
            store = self.make_readonly_store(records)
        except NotImplementedError:
            pytest.skip(f"{type(self).__name__} has no make_readonly_store()")
        try:
            yield store
        finally:
            self.close_store(store)

    @contextmanager
    def _failing_backend(self, store: Store) -> Iterator[None]:
        try:
            failing = self.failing_backend(store)
        except NotImplementedError:
            pytest.skip(f"{type(self).__name__} has no failing_backend()")
        with failing:
            yield

    def _needs_transactions(self) -> None:
        if not self.supports_transactions:
            pytest.skip(f"{type(self).__name__} declares no transactions")

    def _property(self, test: Callable[..., None], *strategies: st.SearchStrategy[Any]) -> None:
        """Run ``test`` as a hypothesis property under `hypothesis_settings`."""
        self.hypothesis_settings()(given(*strategies)(test))()

    @staticmethod
    def _all(store: Store, kind: type[R]) -> list[R]:
        return list(store.find(kind))

    # -- capabilities ------------------------------------------------------------------

    def test_declared_capabilities(self) -> None:
        with self.store() as store:
            caps = store.capabilities
            assert caps.read_only is False, "make_store() must return a writable store"
            assert caps.transactions is self.supports_transactions, (
                f"the store declares transactions={caps.transactions} but the contract "
                f"subclass says supports_transactions={self.supports_transactions}"
            )
            assert isinstance(store, Store), (
                "a store has every method and property of kk_core.store.Store"
            )

    def test_url_hides_secrets(self) -> None:
        with self.store() as store:
            assert isinstance(store.url, str), "store.url is a str"
            assert store.url == redact_url(store.url), (
                "store.url shows no password or token: it equals kk_core.store.redact_url(url)"
            )

    # -- round trips -------------------------------------------------------------------

    def test_round_trip_every_kind(self) -> None:
        """One record of every kind per example: put returns it at version 1, get equals it."""

        def check(drawn: tuple[Record, ...]) -> None:
            with self.store() as store:
                for record in drawn:
                    stored = store.put(_fresh(record))
                    assert stored.version == 1, (
                        f"put of a new {record.kind} returns it at version 1, not {stored.version}"
                    )
                    assert same_content(stored, record), (
                        f"put of a new {record.kind} returns the content it was given"
                    )
                for record in drawn:
                    got = store.get(type(record), record.id)
                    assert type(got) is type(record), (
                        f"get of a {record.kind} returns a {type(record).__name__}, "
                        f"not a {type(got).__name__}"
                    )
                    assert got == attrs.evolve(record, version=1), (
                        f"get returns the {record.kind} exactly as it was put (round trip)"
                    )
                for record in drawn:
                    found = [r.id for r in store.find(type(record), id=record.id)]
                    assert found == [record.id], (
                        f"find({record.kind}, id=...) finds the {record.kind} just put"
                    )

        self._property(check, st.tuples(*(records_of(kind) for kind in RECORD_KINDS)))

    def test_round_trip_many(self) -> None:
        """Records of mixed kinds through put_many; each comes back exactly."""

        def check(drawn: list[Record]) -> None:
            with self.store() as store:
                stored = store.put_many([_fresh(r) for r in drawn])
                assert [s.version for s in stored] == [1] * len(drawn), (
                    "put_many of new records returns each at version 1, in the order given"
                )
                for record in drawn:
                    assert store.get(type(record), record.id) == attrs.evolve(record, version=1), (
                        f"get returns the {record.kind} exactly as put_many stored it"
                    )

        self._property(check, st.lists(records(), max_size=8, unique_by=_key))

    def test_same_id_in_different_kinds(self) -> None:
        case = sample_cases(1)[0]
        member = Member(
            "shared-id", "kk-teros", "Baiq Nurul", Sex.FEMALE, {Affiliation.PKK}, date(2024, 1, 1)
        )
        case = attrs.evolve(case, id="shared-id")
        rule = "records of different kinds with the same id are different records"
        with self.store() as store:
            store.put(case)
            store.put(member)
            assert store.get(Case, "shared-id").summary == case.summary, rule
            assert store.get(Member, "shared-id").name == "Baiq Nurul", rule
            store.delete(Member, "shared-id")
            assert store.get(Case, "shared-id").id == "shared-id", (
                f"{rule}: deleting the member left the case"
            )
            with _raises(NotFoundError, f"{rule}: the deleted member is gone"):
                store.get(Member, "shared-id")

    def test_unicode_round_trip(self) -> None:
        base = sample_cases(1)[0]
        codes = [v.code for v in regions.villages("52.03")]  # real villages of Lombok Timur
        with self.store() as store:
            for n, text in enumerate(UNICODE_TEXTS):
                case = attrs.evolve(base, id=f"u-{n:02d}", summary=text)
                store.put(case)
                village = Village(codes[n], text.strip() or "x", text, "Lombok Timur", "NTB")
                store.put(village)
            for n, text in enumerate(UNICODE_TEXTS):
                got_summary = store.get(Case, f"u-{n:02d}").summary
                assert got_summary == text, "text of any script comes back exactly"
                got = store.get(Village, codes[n])
                assert got.name == (text.strip() or "x"), "a name of any script comes back exactly"
                assert got.district == text, "text of any script comes back exactly"
            for text in UNICODE_TEXTS:
                name = text.strip() or "x"
                found = [v.name for v in store.find(Village, name=name)]
                assert found == [name], f"find(Village, name={name!r}) matches the exact text"
            store.put(Village(codes[-1], "Desa Pe\u0301nda", "-", "-", "-"))
            assert [v.id for v in store.find(Village, name="Desa Pe\u0301nda")] == [codes[-1]], (
                "find matches decomposed text (e + U+0301) exactly"
            )
            assert list(store.find(Village, name="Desa P\u00e9nda")) == [], (
                "no normalisation: a precomposed 'é' is not 'e' + U+0301"
            )

    def test_long_text(self) -> None:
        text = _long_text()
        assert len(text) == 100_000
        case = attrs.evolve(sample_cases(1)[0], id="long", summary=text)
        rule = "a 100,000-character text comes back whole"
        with self.store() as store:
            store.put(case)
            got = store.get(Case, "long")
            assert len(got.summary) == 100_000, f"{rule}; got {len(got.summary)} characters"
            assert got.summary == text, rule
            found = [c.id for c in store.find(Case, id="long")]
            assert found == ["long"], f"{rule} through find"
            updated = store.put(attrs.evolve(got, summary=text[::-1]))
            assert store.get(Case, "long") == updated, f"{rule} after an update"
            assert updated.version == 2, "an update returns the record at version 2"

    # -- values the store cannot hold ---------------------------------------------------------

    def test_values_no_store_can_hold_are_validation_errors(self) -> None:
        """Text with NUL or a lone surrogate, integers beyond 64 bits, ids too long for an
        index: refused with a `ValidationError` naming the field, on every write path,
        with nothing written; never a driver's own error (see ``HOSTILE_VALUES``)."""
        with self.store() as store:
            kept = store.put(sample_cases(1)[0])
            for field, forge in HOSTILE_VALUES:
                record = forge()
                rule = (
                    f"a {record.kind} whose {field} cannot be stored is a ValidationError "
                    "naming the field, and nothing is written"
                )
                writes: list[tuple[str, Callable[[], object]]] = [
                    ("put", partial(store.put, record)),
                    ("put_many", partial(store.put_many, [kept, record])),
                ]
                if self.supports_transactions:
                    writes.append(("transaction put", partial(_put_in_transaction, store, record)))
                for how, write in writes:
                    with _raises(ValidationError, f"{how}: {rule}") as caught:
                        write()
                    paths = [p.path for p in caught.value.problems]
                    assert any(field in path for path in paths), (
                        f"{how}: {rule}; the problems name {paths}"
                    )
                    assert self._all(store, type(record)) == (
                        [kept] if isinstance(record, Case) else []
                    ), f"{how}: {rule}"

    def test_criteria_no_store_can_hold_are_validation_errors(self) -> None:
        with self.store() as store:
            store.put_many(sample_cases(4))
            for kind, criteria in HOSTILE_CRITERIA:
                rule = (
                    f"{kind.kind} criteria {_shown(criteria)} cannot reach a database: "
                    "ValidationError naming the criterion"
                )
                with _raises(ValidationError, f"find: {rule}") as caught:
                    list(store.find(kind, **criteria))
                named = {p.path for p in caught.value.problems}
                assert named & set(criteria), f"find: {rule}; the problems name {sorted(named)}"
                with _raises(ValidationError, f"count: {rule}"):
                    store.count(kind, **criteria)

    # -- filters and counts -------------------------------------------------------------

    def test_filters_on_sample_cases(self) -> None:
        cases = sample_cases()
        with self.store() as store:
            store.put_many(cases)
            stored = self._all(store, Case)
            assert [c.id for c in stored] == sorted(c.id for c in cases), (
                "find returns records in id order, comparing ids by code point"
            )
            for criteria in CASE_CRITERIA:
                found = list(store.find(Case, **criteria))
                want = _expected(stored, Case, criteria)
                assert [c.id for c in found] == [c.id for c in want], (
                    f"find(Case, **{_shown(criteria)}) selects what kk_core.dimensions.matches selects"
                )
                assert found == want, f"find(Case, **{_shown(criteria)}) returns the stored records"

    def test_filters_match_reference(self) -> None:
        """Random records and criteria: find selects exactly what `matches` selects."""

        @st.composite
        def scenario(draw: st.DrawFn) -> tuple[RecordType, list[Record], list[dict[str, Any]]]:
            kind = draw(st.sampled_from(list(RECORD_KINDS.values())))
            sample = draw(st.lists(records_of(kind), max_size=10, unique_by=lambda r: r.id))
            queries = draw(st.lists(criteria_for(kind, sample), min_size=1, max_size=4))
            return kind, sample, queries

        def check(drawn: tuple[RecordType, list[Record], list[dict[str, Any]]]) -> None:
            kind, sample, queries = drawn
            with self.store() as store:
                store.put_many([_fresh(r) for r in sample])
                stored = self._all(store, kind)
                assert [r.id for r in stored] == sorted(r.id for r in sample), (
                    "find returns every record put, in id order"
                )
                if stored:  # a range whose ends are stored values: both ends included
                    queries = [*queries, {"id": Between(stored[0].id, stored[-1].id)}]
                for criteria in queries:
                    found = list(store.find(kind, **criteria))
                    assert found == _expected(stored, kind, criteria), (
                        f"find({kind.kind}, **{_shown(criteria)}) selects what "
                        "kk_core.dimensions.matches selects, in id order"
                    )

        self._property(check, scenario())

    def test_counts_on_sample_cases(self) -> None:
        cases = sample_cases()
        with self.store() as store:
            store.put_many(cases)
            stored = self._all(store, Case)
            for by in CASE_COUNTS:
                for criteria in (
                    {},
                    {"category": "violence"},
                    {"period": Between(date(2025, 1, 1), None)},
                ):
                    got = store.count(Case, by=by, **criteria)
                    want = count_by(stored, Case, by, compile_criteria(Case, criteria))
                    assert got == want, (
                        f"count(Case, by={by!r}, **{_shown(criteria)}) equals kk_core.dimensions.count_by"
                    )
            assert store.count(Case) == {(): len(cases)}, "count without by is {(): n}"
            assert store.count(Case, status=frozenset()) == {(): 0}, (
                "a count without by that matches nothing is {(): 0}, not {}"
            )

    def test_counts_match_reference(self) -> None:
        @st.composite
        def scenario(
            draw: st.DrawFn,
        ) -> tuple[RecordType, list[Record], tuple[str, ...], dict[str, Any]]:
            kind = draw(st.sampled_from(list(RECORD_KINDS.values())))
            sample = draw(st.lists(records_of(kind), max_size=10, unique_by=lambda r: r.id))
            return kind, sample, draw(_counting_dims(kind)), draw(criteria_for(kind, sample, 2))

        def check(drawn: tuple[RecordType, list[Record], tuple[str, ...], dict[str, Any]]) -> None:
            kind, sample, by, criteria = drawn
            with self.store() as store:
                store.put_many([_fresh(r) for r in sample])
                want = count_by(self._all(store, kind), kind, by, compile_criteria(kind, criteria))
                assert store.count(kind, by=by, **criteria) == want, (
                    f"count({kind.kind}, by={by!r}, **{_shown(criteria)}) equals "
                    "kk_core.dimensions.count_by"
                )

        self._property(check, scenario())

    def test_set_dimensions_count_a_record_under_each_value(self) -> None:
        """A case's ``issue`` and ``violence_form`` are sets: a criterion matches any of
        its values, and a count counts the case under each (the secondary issues are
        counted as the primary one is)."""
        married = sample_cases(4)[0]
        case = attrs.evolve(
            married,
            id="kasus-ganda",
            category=CaseCategory.CHILD_MARRIAGE,
            issues=frozenset({CaseCategory.VIOLENCE, CaseCategory.SCHOOL_DROPOUT}),
            subject=attrs.evolve(married.subject, age_years=15),
            violence=ViolenceIncident(
                frozenset({ViolenceForm.SEXUAL, ViolenceForm.PSYCHOLOGICAL}), "household"
            ),
            programme=None,
        )
        other = attrs.evolve(
            case, id="kasus-lain", category=CaseCategory.SCHOOL_DROPOUT, issues=frozenset(),
            violence=None,
        )  # fmt: skip
        with self.store() as store:
            store.put_many([case, other])
            assert store.count(Case, by=("issue",)) == {
                ("child_marriage",): 1,
                ("school_dropout",): 2,
                ("violence",): 1,
            }, "count by issue counts a case under its primary category and each secondary issue"
            assert [c.id for c in store.find(Case, issue="violence")] == ["kasus-ganda"], (
                "issue='violence' finds the child-marriage case that is also about violence"
            )
            assert store.count(Case, by=("violence_form",)) == {
                ("psychological",): 1,
                ("sexual",): 1,
                (None,): 1,
            }, "a case without violence is counted under None"
            assert [c.id for c in store.find(Case, violence_form=None)] == ["kasus-lain"]
            assert store.count(Case, issue={"violence", "school_dropout"}) == {(): 2}, (
                "a membership criterion on a set counts each matching case once"
            )

    def test_count_on_empty_store(self) -> None:
        with self.store() as store:
            assert store.count(Case) == {(): 0}, (
                "a count without by on an empty store is {(): 0}, so counts[()] works"
            )
            assert store.count(Case, by=("category",)) == {}, (
                "a count by a dimension on an empty store has no groups"
            )
            assert list(store.find(Case)) == [], "find on an empty store finds nothing"

    def test_code_criteria_take_labels_and_refuse_unknown_codes(self) -> None:
        """A misspelled code is an error, never a silent zero; a label means its code."""
        cases = sample_cases()
        with self.store() as store:
            store.put_many(cases)
            by_code = list(store.find(Case, category="child_marriage"))
            assert by_code, "the sample holds child-marriage cases"
            for label in ("Perkawinan Anak", "child marriage"):
                assert list(store.find(Case, category=label)) == by_code, (
                    f"category={label!r} (a label) finds what category='child_marriage' finds"
                )
                assert store.count(Case, category=label) == {(): len(by_code)}, (
                    f"count(category={label!r}) counts what its code counts"
                )
            for kind, criteria in MISSPELLED_CRITERIA:
                rule = f"{kind.kind} criteria {_shown(criteria)} name no code: ValidationError"
                with _raises(ValidationError, f"find: {rule}"):
                    list(store.find(kind, **criteria))
                with _raises(ValidationError, f"count: {rule}"):
                    store.count(kind, **criteria)

    # -- streaming ---------------------------------------------------------------------

    def _put_hamlets(self, store: Store, n: int) -> None:
        batch: list[Record] = []
        for i in range(n):
            batch.append(Hamlet(f"h{i:07d}", _VILLAGE if i % 2 else _OTHER_VILLAGE, f"Dusun {i}"))
            if len(batch) == 1000:
                store.put_many(batch)
                batch = []
        if batch:
            store.put_many(batch)

    def test_find_streams_large_result_set(self) -> None:
        n = self.large_result_size
        with self.store() as store:
            self._put_hamlets(store, n)
            found = store.find(Hamlet)
            assert isinstance(found, Iterator), (
                f"find returns an iterator that streams, not a {type(found).__name__}"
            )
            first = next(found)
            assert first.id == "h0000000", "find streams in id order, the smallest id first"
            seen = 1
            last = first.id
            for hamlet in found:
                assert hamlet.id > last, (
                    f"find streams in id order: {hamlet.id!r} came after {last!r}"
                )
                last = hamlet.id
                seen += 1
            assert seen == n, f"find streams every record: {seen} of {n}"
            half = store.find(Hamlet, village_id=_VILLAGE)
            assert isinstance(half, Iterator), "a filtered find returns an iterator too"
            assert sum(1 for _ in half) == n // 2, "a filtered find streams every match"
            assert store.count(Hamlet) == {(): n}, f"count(Hamlet) is {{(): {n}}}"
            assert store.count(Hamlet, by=("village_id",)) == {
                (_VILLAGE,): n // 2,
                (_OTHER_VILLAGE,): n - n // 2,
            }, "count(Hamlet, by=('village_id',)) counts each village"
            if self.streaming_peak_bytes is not None:
                tracemalloc.start()
                try:
                    consumed = sum(1 for _ in store.find(Hamlet))
                    _, peak = tracemalloc.get_traced_memory()
                finally:
                    tracemalloc.stop()
                assert consumed == n, "find streams every record"
                assert peak <= self.streaming_peak_bytes, (
                    f"consuming {n} records without keeping them peaked at {peak} bytes "
                    f"(bound: {self.streaming_peak_bytes})"
                )

    def test_abandoned_iterator_leaves_store_usable(self) -> None:
        rule = "a find iterator dropped half-way leaves the store usable"
        with self.store() as store:
            self._put_hamlets(store, 50)
            found = store.find(Hamlet)
            assert next(found).id == "h0000000", "find streams in id order"
            close = getattr(found, "close", None)
            if callable(close):
                close()
            del found
            store.put(Hamlet("z-last", _VILLAGE, "Dusun Akhir"))
            assert store.get(Hamlet, "z-last").version == 1, rule
            assert store.count(Hamlet) == {(): 51}, rule

    # -- upsert, versions, conflicts ------------------------------------------------------

    def test_put_twice_bumps_version_once(self) -> None:
        case = sample_cases(1)[0]
        with self.store() as store:
            first = store.put(case)
            again = store.put(case)
            assert first.version == 1, "a new record is stored at version 1"
            assert again == first, "putting the same content again is a no-op (version 1)"
            assert store.get(Case, case.id) == first, "a no-op put changes nothing stored"
            assert store.put(first) == first, "putting the stored record back is a no-op"
            assert store.get(Case, case.id).version == 1, "a no-op put does not bump the version"

    def test_content_equal_put_is_noop_whatever_version(self) -> None:
        case = sample_cases(1)[0]
        with self.store() as store:
            store.put(case)
            v2 = store.put(attrs.evolve(store.get(Case, case.id), summary="diperbarui"))
            assert v2.version == 2, "an update returns the record at the next version"
            for version in (0, 1, 2, 7):
                same = attrs.evolve(v2, version=version)
                assert store.put(same) == v2, (
                    f"a content-equal put is a no-op whatever version it carries ({version})"
                )
            assert store.get(Case, case.id) == v2, "no-op puts change nothing stored"

    def test_update_bumps_version(self) -> None:
        case = sample_cases(1)[0]
        with self.store() as store:
            stored = store.put(case)
            for n in range(2, 6):
                stored = store.put(attrs.evolve(stored, summary=f"perubahan {n}"))
                assert stored.version == n, f"update {n - 1} returns the record at version {n}"
                assert store.get(Case, case.id) == stored, "get returns the latest update"

    def test_stale_put_conflicts_and_writes_nothing(self) -> None:
        case = sample_cases(1)[0]
        with self.store() as store:
            v1 = store.put(case)
            v2 = store.put(attrs.evolve(v1, summary="edit A"))
            with _raises(
                ConflictError,
                "a put based on version 1 after the store moved to version 2 is a ConflictError",
            ) as caught:
                store.put(attrs.evolve(v1, summary="edit B from a stale copy"))
            assert isinstance(caught.value, StorageError), "ConflictError is a StorageError"
            assert store.get(Case, case.id) == v2, "a stale put writes nothing"
            with _raises(
                ConflictError, "a put at version 5 of a record stored at version 2 conflicts"
            ):
                store.put(attrs.evolve(v2, summary="from the future", version=5))
            assert store.get(Case, case.id) == v2, "a put from the future writes nothing"

    def test_new_record_with_version_conflicts(self) -> None:
        case = sample_cases(1)[0]
        with self.store() as store:
            with _raises(
                ConflictError,
                "a put at version 3 of a record the store does not hold is a ConflictError",
            ):
                store.put(attrs.evolve(case, version=3))
            with _raises(NotFoundError, "a refused put of a new record writes nothing"):
                store.get(Case, case.id)
            assert list(store.find(Case)) == [], "a refused put of a new record writes nothing"

    def test_put_many_follows_put_rules(self) -> None:
        cases = sample_cases(6)
        with self.store() as store:
            stored = store.put_many(cases)
            assert [s.version for s in stored] == [1] * 6, "put_many stores new records at 1"
            assert [s.id for s in stored] == [c.id for c in cases], (
                "put_many returns the records in the order given"
            )
            again = store.put_many(cases)
            assert again == stored, "an import run twice changes nothing"
            twice = store.put_many([cases[0], cases[0]])
            assert twice == [stored[0], stored[0]], (
                "the same record twice in one put_many is one no-op write"
            )
            updated = store.put_many([attrs.evolve(cast(Case, s), summary="baru") for s in stored])
            assert [u.version for u in updated] == [2] * 6, "put_many updates to version 2"
            assert self._all(store, Case) == _by_id(updated), "put_many keeps every update"

    def test_put_many_is_all_or_nothing(self) -> None:
        cases = sample_cases(5)
        with self.store() as store:
            v1 = store.put(cases[2])
            store.put(attrs.evolve(v1, summary="moved on"))
            before = self._all(store, Case)
            batch = [*cases[:2], attrs.evolve(v1, summary="stale"), *cases[3:]]
            with _raises(ConflictError, "a put_many holding one stale record is a ConflictError"):
                store.put_many(batch)
            assert self._all(store, Case) == before, (
                "put_many is all or nothing: a conflict on one record writes none of the batch"
            )

    def test_delete(self) -> None:
        cases = sample_cases(3)
        with self.store() as store:
            stored = store.put_many(cases)
            store.delete(Case, stored[0].id)
            store.delete(Case, stored[1].id, version=1)
            with _raises(NotFoundError, "a deleted record is gone"):
                store.get(Case, stored[0].id)
            assert self._all(store, Case) == [stored[2]], "delete removes only its record"
            again = store.put(cases[0])
            assert again.version == 1, "a deleted record comes back as new"

    def test_delete_stale_version_conflicts(self) -> None:
        case = sample_cases(1)[0]
        with self.store() as store:
            v1 = store.put(case)
            v2 = store.put(attrs.evolve(v1, summary="edit"))
            with _raises(
                ConflictError, "delete(version=1) of a record now at version 2 is a ConflictError"
            ):
                store.delete(Case, case.id, version=1)
            assert store.get(Case, case.id) == v2, "a stale delete removes nothing"

    def test_delete_missing_raises_not_found(self) -> None:
        with (
            self.store() as store,
            _raises(NotFoundError, "deleting a record the store does not hold is NotFoundError"),
        ):
            store.delete(Case, "nobody")

    # -- errors ------------------------------------------------------------------------

    def test_get_missing_raises_not_found(self) -> None:
        with self.store() as store:
            with _raises(
                NotFoundError, "get of a record the store does not hold is NotFoundError"
            ) as caught:
                store.get(Case, "no-such-case")
            err = caught.value
            assert isinstance(err, StorageError), "NotFoundError is a StorageError"
            assert err.kind == "case", "NotFoundError(kind, id) names the kind"
            assert err.record_id == "no-such-case", "NotFoundError(kind, id) names the id"

    def test_unknown_criterion_raises_validation_error(self) -> None:
        rule = "a criterion that is not a dimension of the kind is a ValidationError"
        with self.store() as store:
            store.put(sample_cases(1)[0])
            with _raises(ValidationError, f"find(Case, colour=...): {rule}") as caught:
                list(store.find(Case, colour="red"))
            paths = [p.path for p in caught.value.problems]
            assert "colour" in paths, f"{rule} naming it; the problems name {paths}"
            with _raises(ValidationError, f"count(Case, colour=...): {rule}"):
                store.count(Case, colour="red")
            with _raises(ValidationError, f"count(Case, by=('colour',)): {rule}"):
                store.count(Case, by=("colour",))
            with _raises(ValidationError, f"find(Village, period=...): {rule} (no main date)"):
                list(store.find(Village, period=Between(date(2024, 1, 1), None)))

    def test_mistyped_criterion_raises_validation_error(self) -> None:
        """A value of the wrong type is refused up front, never a driver error."""
        with self.store() as store:
            store.put_many(sample_cases(8))
            for criteria in (
                {"reported_on": "2024-01-03"},
                {"reported_on": datetime(2024, 1, 3, tzinfo=UTC)},
                {"year": "2024"},
                {"has_disability": "yes"},
                {"period": Between("a", "b")},
                {"year": {2024, "2025"}},
                {"category": 3},
            ):
                rule = f"criteria {_shown(criteria)} of the wrong type are a ValidationError"
                with _raises(ValidationError, f"find: {rule}"):
                    list(store.find(Case, **criteria))
                with _raises(ValidationError, f"count: {rule}"):
                    store.count(Case, **criteria)

    def test_backend_failure_is_a_storage_error(self) -> None:
        """A backend that fails mid-write (disk full, connection lost) is a `StorageError`,
        never the driver's own error, and the failed write leaves nothing behind."""
        cases = sample_cases(12)
        with self.store() as store:
            kept = cast(list[Case], store.put_many(cases[:2]))
            rule = "a write while the backend fails is a StorageError and writes nothing"
            with self._failing_backend(store):
                with _raises(StorageError, f"put_many: {rule}"):
                    store.put_many(cases[2:])
                with _raises(StorageError, f"put: {rule}"):
                    store.put(attrs.evolve(kept[0], summary="while failing"))
            assert self._all(store, Case) == _by_id(kept), (
                f"{rule}: the store holds what it held before"
            )
            healed = store.put(attrs.evolve(kept[0], summary="after the failure"))
            assert healed.version == 2, "the store works again once the backend recovers"

    # -- transactions --------------------------------------------------------------------

    def test_transaction_commit_keeps(self) -> None:
        self._needs_transactions()
        cases = sample_cases(3)
        rule = "a committed transaction keeps every write"
        with self.store() as store:
            existing = store.put(cases[0])
            with store.transaction() as tx:
                tx.put(cases[1])
                tx.put_many([cases[2]])
                tx.put(attrs.evolve(existing, summary="in tx"))
                tx.commit()
            assert store.get(Case, cases[1].id).version == 1, f"{rule} (tx.put of a new record)"
            assert store.get(Case, cases[2].id).version == 1, f"{rule} (tx.put_many)"
            assert store.get(Case, existing.id).summary == "in tx", f"{rule} (tx.put update)"
            assert store.get(Case, existing.id).version == 2, f"{rule} (update to version 2)"
            with store.transaction() as tx:
                tx.delete(Case, cases[1].id, version=1)
                tx.commit()
            assert [c.id for c in self._all(store, Case)] == sorted([cases[0].id, cases[2].id]), (
                f"{rule} (tx.delete)"
            )

    def test_exception_rolls_back(self) -> None:
        self._needs_transactions()
        cases = sample_cases(3)
        with self.store() as store:
            existing = store.put(cases[0])

            def fail_inside() -> None:
                with store.transaction() as tx:
                    tx.put(cases[1])
                    tx.put(attrs.evolve(existing, summary="lost"))
                    tx.delete(Case, cases[0].id)
                    raise _Deliberate

            with _raises(_Deliberate, "an exception inside a transaction propagates"):
                fail_inside()
            assert self._all(store, Case) == [existing], (
                "an exception inside a transaction rolls every write back"
            )

    def test_leaving_without_commit_rolls_back(self) -> None:
        self._needs_transactions()
        cases = sample_cases(3)
        with self.store() as store:
            existing = store.put(cases[0])
            with store.transaction() as tx:
                tx.put(cases[1])
                tx.put(attrs.evolve(existing, summary="lost"))
            assert self._all(store, Case) == [existing], (
                "leaving a transaction block without commit() keeps nothing"
            )
            with store.transaction() as tx:
                tx.put(cases[2])
                tx.rollback()
            assert self._all(store, Case) == [existing], "rollback() keeps nothing"

    def test_transaction_reads_its_own_writes(self) -> None:
        self._needs_transactions()
        cases = sample_cases(3)
        rule = "a transaction reads its own writes"
        with self.store() as store:
            existing = store.put(cases[0])
            with store.transaction() as tx:
                new = tx.put(cases[1])
                assert tx.get(Case, cases[1].id) == new, f"{rule} (get after put)"
                changed = tx.put(attrs.evolve(tx.get(Case, existing.id), summary="changed"))
                assert changed.version == 2, "an update in a transaction returns version 2"
                assert tx.get(Case, existing.id) == changed, f"{rule} (get after update)"
                assert list(tx.find(Case)) == _by_id([new, changed]), f"{rule} (find)"
                assert tx.count(Case) == {(): 2}, f"{rule} (count)"
                tx.delete(Case, cases[1].id)
                with _raises(NotFoundError, f"{rule} (get after delete)"):
                    tx.get(Case, cases[1].id)
                assert list(tx.find(Case)) == [changed], f"{rule} (find after delete)"
                assert tx.count(Case) == {(): 1}, f"{rule} (count after delete)"
                tx.commit()
            assert self._all(store, Case) == [changed], "a committed transaction keeps its writes"

    def test_transaction_is_isolated_until_commit(self) -> None:
        self._needs_transactions()
        if not self.transactions_isolated:
            pytest.skip(f"{type(self).__name__} declares transactions_isolated = False")
        cases = sample_cases(2)
        rule = "the store does not see a transaction's writes before it commits"
        with self.store() as store:
            existing = store.put(cases[0])
            with store.transaction() as tx:
                tx.put(cases[1])
                tx.put(attrs.evolve(existing, summary="not yet"))
                with _raises(NotFoundError, f"{rule} (a new record)"):
                    store.get(Case, cases[1].id)
                assert store.get(Case, existing.id) == existing, f"{rule} (an update)"
                tx.commit()
            assert store.get(Case, existing.id).summary == "not yet", (
                "the store sees a transaction's writes once it commits"
            )

    def test_committed_transaction_refuses_more_writes(self) -> None:
        self._needs_transactions()
        cases = sample_cases(2)
        with self.store() as store:
            with store.transaction() as tx:
                tx.put(cases[0])
                tx.commit()
                with _raises(StorageError, "a committed transaction refuses further writes"):
                    tx.put(cases[1])
            assert [c.id for c in self._all(store, Case)] == [cases[0].id], (
                "a write refused after commit is not kept"
            )

    def test_second_writer_conflicts(self) -> None:
        """Two transactions read version 1; the one that writes after the other commits loses."""
        self._needs_transactions()
        cases = sample_cases(2)
        with self.store() as store:
            v1 = store.put(cases[0])
            with store.transaction() as first, store.transaction() as second:
                mine = second.get(Case, v1.id)
                first.put(attrs.evolve(first.get(Case, v1.id), summary="first"))
                first.commit()

                def write_second() -> None:
                    # the conflict may surface at the put or at the commit
                    second.put(attrs.evolve(mine, summary="second"))
                    second.put(cases[1])
                    second.commit()

                with _raises(
                    ConflictError,
                    "a transaction writing a record that another transaction changed and "
                    "committed since it read it is a ConflictError (at put or at commit)",
                ):
                    write_second()
            assert store.get(Case, v1.id).summary == "first", "the first writer's change is kept"
            assert store.get(Case, v1.id).version == 2, "the first writer's change is version 2"
            with _raises(NotFoundError, "nothing of the losing transaction is kept"):
                store.get(Case, cases[1].id)

    def test_interleaved_writers_second_commit_conflicts(self) -> None:
        """Both write before either commits: the second commit is a ConflictError, all of it lost."""
        self._needs_transactions()
        if not self.interleaved_transactions:
            pytest.skip(f"{type(self).__name__} declares interleaved_transactions = False")
        cases = sample_cases(2)
        with self.store() as store:
            v1 = store.put(cases[0])
            with store.transaction() as first, store.transaction() as second:
                first.put(attrs.evolve(v1, summary="first"))
                second.put(attrs.evolve(v1, summary="second"))
                second.put(cases[1])
                first.commit()
                with _raises(
                    ConflictError,
                    "of two transactions that wrote the same record, the second to commit "
                    "gets a ConflictError",
                ):
                    second.commit()
            assert store.get(Case, v1.id).summary == "first", "the first commit is kept"
            with _raises(NotFoundError, "nothing of the losing transaction is kept"):
                store.get(Case, cases[1].id)

    # -- read-only -------------------------------------------------------------------------

    def test_readonly_store_refuses_writes(self) -> None:
        cases = sample_cases(3)
        with self.readonly_store(cases) as store:
            assert store.capabilities.read_only is True, (
                "make_readonly_store() returns a store that declares read_only=True"
            )
            before = self._all(store, Case)
            assert len(before) == 3, "make_readonly_store(records) holds the records given"
            rule = "a read-only store refuses every write with ReadOnlyError"
            with _raises(ReadOnlyError, f"{rule} (put of an update)"):
                store.put(attrs.evolve(cases[0], summary="nope"))
            with _raises(ReadOnlyError, f"{rule} (put of a new record)"):
                store.put(sample_cases(4)[3])
            with _raises(ReadOnlyError, f"{rule} (put_many)"):
                store.put_many([sample_cases(5)[4]])
            with _raises(ReadOnlyError, f"{rule} (delete)"):
                store.delete(Case, cases[0].id)
            if store.capabilities.transactions:

                def write_in_transaction() -> None:
                    with store.transaction() as tx:
                        tx.put(sample_cases(4)[3])
                        tx.commit()

                with _raises(ReadOnlyError, f"{rule} (in a transaction)"):
                    write_in_transaction()
            assert self._all(store, Case) == before, f"{rule}, and nothing changes"

    def test_readonly_store_reads(self) -> None:
        cases = sample_cases(6)
        with self.readonly_store(cases) as store:
            found = self._all(store, Case)
            assert [c.id for c in found] == sorted(c.id for c in cases), (
                "a read-only store finds every record it holds, in id order"
            )
            for case in cases:
                assert same_content(store.get(Case, case.id), case), (
                    "a read-only store returns the content it was made with"
                )
            assert list(store.find(Case, category="violence")) == _expected(
                found, Case, {"category": "violence"}
            ), "a read-only store filters like any store"
            assert store.count(Case, by=("status",)) == count_by(found, Case, ("status",)), (
                "a read-only store counts like any store"
            )
            with _raises(NotFoundError, "a read-only store raises NotFoundError for a missing id"):
                store.get(Case, "no-such-case")

    # -- the model check ---------------------------------------------------------------

    def test_state_machine(self) -> None:
        """The store against a dict model under random puts, deletes and transactions."""
        contract = self

        class Machine(StoreStateMachine):
            supports_transactions = contract.supports_transactions

            def make_store(self) -> Store:
                return contract.make_store()

            def close_store(self, store: Store) -> None:
                contract.close_store(store)

        Machine.__name__ = Machine.__qualname__ = f"{type(self).__name__}Machine"
        run_state_machine_as_test(Machine, settings=self.hypothesis_settings())


# --------------------------------------------------------------------------- the machine


def _only_library_errors(step: Callable[..., None]) -> Callable[..., None]:
    """A machine step whose store calls let out only `kk_core.errors`, and a failure
    that says so when another exception comes out (a raw ``KeyError``, a driver's)."""

    @functools.wraps(step)
    def checked(*args: Any, **kwargs: Any) -> None:
        try:
            step(*args, **kwargs)
        except (KKError, AssertionError, pytest.fail.Exception, HypothesisException):
            raise  # the library's errors, the contract's own checks, hypothesis's signals
        except Exception as exc:
            raw = f"{type(exc).__module__}.{type(exc).__qualname__}"
            pytest.fail(
                f"step {step.__name__}: the store let out {raw}: {_shown(str(exc))} (only "
                "kk_core.errors types may leave a store: translate the driver's errors)"
            )

    return checked


class StoreStateMachine(RuleBasedStateMachine):
    """A store checked against a dict model, step by random step.

    Subclass and define `make_store` (a fresh, empty, writable store), or use
    `StoreStateMachine.testcase`. Expected outcomes come from
    `kk_core.store.planned_write` applied to the model, so the store must agree with the
    reference rule on every put, every conflict and every no-op.
    """

    supports_transactions: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()
        self.store = self.make_store()
        self.model: dict[_Key, Record] = {}
        self.known: list[_Key] = []  # every key ever written, deleted ones included
        self.kinds: set[str] = set()

    # -- hooks ---------------------------------------------------------------------------

    def make_store(self) -> Store:
        raise NotImplementedError(f"{type(self).__name__} must define make_store()")

    def close_store(self, store: Store) -> None:
        store.close()

    def teardown(self) -> None:
        self.close_store(self.store)

    @classmethod
    def testcase(
        cls,
        factory: Callable[[], Store],
        *,
        supports_transactions: bool = True,
        name: str | None = None,
    ) -> type[unittest.TestCase]:
        """A `unittest.TestCase` running the machine on stores made by ``factory``."""

        def make_store(self: StoreStateMachine) -> Store:
            return factory()

        machine: type[StoreStateMachine] = type(
            name or f"{cls.__name__}For{getattr(factory, '__name__', 'Store')}",
            (cls,),
            {"make_store": make_store, "supports_transactions": supports_transactions},
        )
        case = machine.TestCase
        case.settings = settings(deadline=None, suppress_health_check=_HEALTH)
        return case

    # -- model helpers -----------------------------------------------------------------------

    def _remember(self, key: _Key) -> None:
        if key not in self.known:
            self.known.append(key)
        self.kinds.add(key[0])

    def _put(self, writer: Any, model: dict[_Key, Record], record: Record) -> None:
        """Put through ``writer`` (store or transaction); check it against the rule."""
        key = _key(record)
        current = model.get(key)
        try:
            expected = planned_write(current, record)
        except ConflictError:
            try:
                writer.put(record)
            except ConflictError:
                return
            raise AssertionError(
                f"put of {key} at version {record.version} was accepted; the stored copy "
                f"is at {None if current is None else current.version}"
            ) from None
        stored = writer.put(record)
        if expected is None:
            assert stored == current, f"a content-equal put of {key} is a no-op"
        else:
            assert stored == expected, f"put of {key} returns the record at the next version"
            model[key] = expected
        self._remember(key)

    def _replacement(self, data: st.DataObject, key: _Key) -> Record:
        """A new record of the key's kind with the key's id (usually different content)."""
        drawn = data.draw(records_of(key[0]))
        return attrs.evolve(drawn, id=key[1], version=0)

    # -- rules ---------------------------------------------------------------------------------

    @rule(record=records())
    @_only_library_errors
    def put_new(self, record: Record) -> None:
        self._put(self.store, self.model, _fresh(record))

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data())
    @_only_library_errors
    def put_over(self, data: st.DataObject) -> None:
        """Replace a known record, based on the version the store holds."""
        key = data.draw(st.sampled_from(self.known))
        current = self.model.get(key)
        record = self._replacement(data, key)
        version = 0 if current is None else current.version
        self._put(self.store, self.model, attrs.evolve(record, version=version))

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), fresh=st.booleans())
    @_only_library_errors
    def put_unchanged(self, data: st.DataObject, fresh: bool) -> None:
        """Put what is stored again (as read, or reset to version 0): always a no-op."""
        key = data.draw(st.sampled_from(sorted(self.model)))
        current = self.model[key]
        self._put(self.store, self.model, _fresh(current) if fresh else current)
        assert self.model[key] == current, f"a no-op put of {key} leaves it as it was"

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data())
    @_only_library_errors
    def put_stale(self, data: st.DataObject) -> None:
        """A write based on a version the store no longer holds: conflict, nothing written."""
        key = data.draw(st.sampled_from(self.known))
        current = self.model.get(key)
        if current is None:
            version = data.draw(st.integers(1, 5))
        else:
            version = data.draw(
                st.one_of(
                    st.integers(0, current.version - 1),
                    st.integers(current.version + 1, current.version + 5),
                )
            )
        record = attrs.evolve(self._replacement(data, key), version=version)
        self._put(self.store, self.model, record)

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data(), mode=st.sampled_from(["any", "current", "stale"]))
    @_only_library_errors
    def delete(self, data: st.DataObject, mode: str) -> None:
        key = data.draw(st.sampled_from(self.known))
        kind = record_type(key[0])
        current = self.model.get(key)
        if current is None:
            try:
                self.store.delete(kind, key[1])
            except NotFoundError:
                return
            raise AssertionError(f"delete of missing {key} did not raise NotFoundError")
        if mode == "stale":
            try:
                self.store.delete(kind, key[1], version=current.version + 1)
            except ConflictError:
                return
            raise AssertionError(f"delete of {key} with a stale version was accepted")
        version = current.version if mode == "current" else None
        self.store.delete(kind, key[1], version=version)
        del self.model[key]

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data())
    @_only_library_errors
    def get(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self.known))
        kind = record_type(key[0])
        current = self.model.get(key)
        if current is None:
            try:
                self.store.get(kind, key[1])
            except NotFoundError:
                return
            raise AssertionError(f"get of deleted {key} did not raise NotFoundError")
        assert self.store.get(kind, key[1]) == current, (
            f"get of {key} returns the record as last stored"
        )

    @precondition(lambda self: bool(self.kinds))
    @rule(data=st.data())
    @_only_library_errors
    def find_filtered(self, data: st.DataObject) -> None:
        kind = record_type(data.draw(st.sampled_from(sorted(self.kinds))))
        stored = _by_id([r for (k, _), r in self.model.items() if k == kind.kind])
        criteria = data.draw(criteria_for(kind, stored))
        assert list(self.store.find(kind, **criteria)) == _expected(stored, kind, criteria), (
            f"find({kind.kind}, **{_shown(criteria)}) selects what kk_core.dimensions.matches "
            "selects, in id order (code point order of the ids)"
        )

    @precondition(lambda self: bool(self.kinds))
    @rule(data=st.data())
    @_only_library_errors
    def count(self, data: st.DataObject) -> None:
        kind = record_type(data.draw(st.sampled_from(sorted(self.kinds))))
        stored = [r for (k, _), r in self.model.items() if k == kind.kind]
        by = data.draw(_counting_dims(kind))
        criteria = data.draw(criteria_for(kind, stored, 2))
        want = count_by(stored, kind, by, compile_criteria(kind, criteria))
        assert self.store.count(kind, by=by, **criteria) == want, (
            f"count({kind.kind}, by={by!r}, **{_shown(criteria)}) equals "
            "kk_core.dimensions.count_by (without by: {(): n}, also when n is 0)"
        )

    @precondition(lambda self: self.supports_transactions)
    @rule(
        data=st.data(),
        ending=st.sampled_from(["commit", "rollback", "no_commit", "exception"]),
    )
    @_only_library_errors
    def transaction(self, data: st.DataObject, ending: str) -> None:
        """A few valid writes in one transaction, which then commits or does not."""
        staged = dict(self.model)
        touched: list[_Key] = []
        try:
            with self.store.transaction() as tx:
                for _ in range(data.draw(st.integers(1, 4), label="writes")):
                    action = data.draw(st.sampled_from(["new", "update", "delete"]))
                    if action == "new" or not staged:
                        record = _fresh(data.draw(records()))
                        if _key(record) in staged:
                            record = attrs.evolve(record, version=staged[_key(record)].version)
                    elif action == "update":
                        key = data.draw(st.sampled_from(sorted(staged)))
                        record = attrs.evolve(
                            self._replacement(data, key), version=staged[key].version
                        )
                    else:
                        key = data.draw(st.sampled_from(sorted(staged)))
                        tx.delete(record_type(key[0]), key[1], version=staged[key].version)
                        del staged[key]
                        touched.append(key)
                        continue
                    self._put(tx, staged, record)
                    touched.append(_key(record))
                    assert tx.get(type(record), record.id) == staged[_key(record)], (
                        "a transaction reads its own writes"
                    )
                if ending == "commit":
                    tx.commit()
                elif ending == "rollback":
                    tx.rollback()
                elif ending == "exception":
                    raise _Deliberate
        except _Deliberate:
            pass
        if ending == "commit":
            self.model = staged
        for key in touched:
            self._remember(key)

    @invariant()
    @_only_library_errors
    def store_matches_model(self) -> None:
        for kind_name in sorted(self.kinds):
            kind = record_type(kind_name)
            want = _by_id([r for (k, _), r in self.model.items() if k == kind_name])
            assert list(self.store.find(kind)) == want, f"{kind_name} records differ from the model"
