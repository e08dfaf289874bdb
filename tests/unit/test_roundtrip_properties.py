"""Property tests: the strategies make valid records, and every kind survives the converter."""

from __future__ import annotations

import itertools
import json
from typing import Any

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from kk_core import RECORD_KINDS
from kk_core.cases import Case, Consent, Subject, ViolenceIncident
from kk_core.codes import CaseStatus, ProposalStatus, ReferralStatus
from kk_core.converter import structure, unstructure
from kk_core.kinds import Record
from kk_core.lifecycle import Event
from kk_core.meetings import Speaker
from kk_core.outreach import Audience
from kk_core.places import is_region_code
from kk_core.privacy import is_pseudonym
from kk_core.testing import strategies as kst

KINDS = list(RECORD_KINDS)

PARTS: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
    (Subject, kst.subjects()),
    (ViolenceIncident, kst.violence_incidents()),
    (Consent, kst.consents()),
    (Event, kst.events()),
    (Audience, kst.audiences()),
    (Speaker, kst.speakers()),
]


def revalidate(record: Any) -> Any:
    """Build the record again from its fields: every validator and invariant runs."""
    return attrs.evolve(record)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_round_trip_every_kind(kind: str, data: st.DataObject) -> None:
    record: Record = data.draw(kst.records_of(kind), label=kind)
    version = data.draw(st.integers(0, 2**31), label="version")
    record = attrs.evolve(record, version=version)
    plain = unstructure(record)
    assert structure(plain, kind) == record
    assert structure(plain, type(record)) == record
    # and through JSON text, as a document store or an HTTP API would keep it
    assert structure(json.loads(json.dumps(plain)), type(record)) == record
    assert unstructure(structure(plain, kind)) == plain


@pytest.mark.parametrize(("cls", "strategy"), PARTS, ids=lambda v: getattr(v, "__name__", ""))
@given(data=st.data())
def test_round_trip_every_part(
    cls: type[Any], strategy: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    part = data.draw(strategy)
    assert isinstance(part, cls)
    assert structure(json.loads(json.dumps(unstructure(part))), cls) == part


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_strategies_make_valid_records(kind: str, data: st.DataObject) -> None:
    record = data.draw(kst.records_of(kind))
    assert record.kind == kind
    assert type(record) is RECORD_KINDS[kind]
    assert revalidate(record) == record
    assert record.id
    assert record.id.isprintable()
    assert len(record.id) <= 13
    timeline = getattr(record, "timeline", None)
    if timeline:
        assert record.status == timeline[-1].target  # type: ignore[union-attr]
        for earlier, later in itertools.pairwise(timeline):
            assert earlier.at <= later.at
            assert later.source == earlier.target
        assert all(e.at.tzinfo is not None for e in timeline)


@given(kst.records())
def test_records_are_any_kind(record: Record) -> None:
    assert type(record) in RECORD_KINDS.values()


def test_records_of_accepts_a_class_and_refuses_unknown_kinds() -> None:
    assert set(kst.RECORD_STRATEGIES) == set(RECORD_KINDS)
    for cls in RECORD_KINDS.values():
        assert kst.records_of(cls) is not None
    with pytest.raises(ValueError, match="unknown record kind"):
        kst.records_of("kasus")


@given(kst.cases())
def test_generated_cases_keep_the_case_rules(case: Case) -> None:
    assert is_region_code(case.village_id)
    if case.subject.identity is not None:
        assert is_pseudonym(case.subject.identity)
    closed = case.status is CaseStatus.CLOSED
    assert closed == (case.outcome is not None) == (case.closed_on is not None)
    if case.timeline:
        assert case.timeline[0].action == "report"
        assert case.timeline[0].at.date() == case.reported_on
    else:
        assert case.status is CaseStatus.REPORTED


@given(kst.village_codes())
def test_village_codes_are_kemendagri_codes(code: str) -> None:
    assert is_region_code(code)


@given(kst.names())
def test_names_are_never_blank(name: str) -> None:
    assert name.strip() == name != ""


@given(kst.texts())
def test_text_has_no_nul_or_surrogates(text: str) -> None:
    assert "\x00" not in text
    text.encode("utf-8")  # no lone surrogates


#: Searches that must find something are derandomized: the same search every run, so a
#: strategy that cannot reach a value fails every time, never by chance.
SEARCH = settings(phases=[Phase.generate], database=None, max_examples=2000, derandomize=True)


def test_text_strategies_reach_unicode_and_long_text() -> None:
    assert len(find(kst.texts(), lambda s: len(s) > 500, settings=SEARCH)) > 500
    assert find(kst.names(), lambda s: any(ord(c) > 0x2FF for c in s), settings=SEARCH)
    assert find(kst.texts(), lambda s: "\n" in s, settings=SEARCH)


@pytest.mark.parametrize(
    ("strategy", "what"),
    [
        *((kst.cases, f"case:{s}") for s in CaseStatus),
        (kst.cases, "case:reopened"),
        *((kst.referrals, f"referral:{s}") for s in ReferralStatus),
        *((kst.advocacy_proposals, f"proposal:{s}") for s in ProposalStatus),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_lifecycle_strategies_reach_every_state(strategy: Any, what: str) -> None:
    _kind, state = what.split(":")

    def reached(record: Any) -> bool:
        if state == "reopened":
            return any(e.action == "reopen" for e in record.timeline)
        return bool(record.status == state)

    # stops at the first record in that state; NoSuchExample if none in 2,000
    find(
        strategy(),
        reached,
        settings=SEARCH,
    )
