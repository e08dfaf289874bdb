"""Identity numbers (NIK) never reach a message, a repr or a chained exception, however
they are spelled; reprs show no free text; ids that are NIKs are refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

from kk_adapters.memory import MemoryStore
from kk_core.cases import Case, Consent, Subject
from kk_core.codes import CaseCategory, ConsentGiver, IntakeChannel, Sex
from kk_core.converter import converter, structure, unstructure
from kk_core.errors import CodeError, KKError, Problem, ValidationError, mask_identity_numbers
from kk_core.kinds import RECORD_KINDS, Record
from kk_core.lifecycle import Event
from kk_core.places import Village
from kk_core.privacy import looks_like_nik, pseudonymise
from kk_core.testing.contract import sample_cases
from kk_core.testing.strategies import TEST_KEY, records_of
from nik_support import (
    DIGIT_ZEROS,
    GROUPINGS,
    NIK,
    SEPARATORS,
    assert_not_shown,
    digits_in,
    only_as_number,
    planted,
    spell,
)

# -- one definition of a NIK -------------------------------------------------------------


@pytest.mark.parametrize("separator", SEPARATORS)
@pytest.mark.parametrize("zero", DIGIT_ZEROS)
def test_every_spelling_looks_like_a_nik_and_is_masked(separator: str, zero: str) -> None:
    written = spell(NIK, separator, zero)
    assert looks_like_nik(written)
    masked = mask_identity_numbers(f"got {written} here")
    assert masked == "got <16 digits hidden> here"
    assert pseudonymise(written, TEST_KEY) == pseudonymise(NIK, TEST_KEY)


@pytest.mark.parametrize("grouping", GROUPINGS)
def test_every_grouping_is_masked(grouping: tuple[int, ...]) -> None:
    written = spell(NIK, " ", grouping=grouping)
    assert looks_like_nik(written)
    assert NIK not in digits_in(mask_identity_numbers(written))


@pytest.mark.parametrize(
    "not_a_nik",
    ["52.03.12.2005", "2025-02-13", "2025-02-13 09:30:00", "12345678901"],
)
def test_public_codes_dates_and_short_numbers_stay_readable(not_a_nik: str) -> None:
    """Runs of fewer than 12 digits are not masked (a NIK is 16; 15 are masked too)."""
    assert not looks_like_nik(not_a_nik)
    assert mask_identity_numbers(f"like '{not_a_nik}'") == f"like '{not_a_nik}'"


def test_the_village_code_example_in_a_help_message_is_shown() -> None:
    with pytest.raises(ValueError, match=r"like '52\.03\.12\.2005'") as caught:
        Village("52.03.12", "Teros", "Labuhan Haji", "Lombok Timur", "NTB")
    assert "hidden" not in str(caught.value)
    problem = Problem("village.id", str(caught.value))
    assert "'52.03.12.2005'" in str(problem)


def test_the_value_is_masked_before_it_is_quoted() -> None:
    """repr turns a NBSP into '\\xa0', which would break the digit run and the mask."""
    written = spell(NIK, "\u00a0")
    with pytest.raises(CodeError) as caught:
        Sex.parse(written)
    assert_not_shown(NIK, caught.value)
    assert "<16 digits hidden>" in str(caught.value)


@pytest.mark.parametrize("zero", ["\uff10", "\u0660", "\u0966"])
def test_pseudonymise_takes_any_decimal_digits(zero: str) -> None:
    assert pseudonymise(spell(NIK, "", zero), TEST_KEY) == pseudonymise(NIK, TEST_KEY)


@pytest.mark.parametrize("bad", ["5203\ud8001212345600012", "\ud800" * 16, "٥٢٠٣", "x" * 16])
def test_pseudonymise_refuses_other_text_with_a_validation_error(bad: str) -> None:
    with pytest.raises(ValidationError, match="exactly 16 digits"):
        pseudonymise(bad, TEST_KEY)


# -- chained exceptions ------------------------------------------------------------------


def _case_data(**changes: Any) -> dict[str, Any]:
    data = unstructure(sample_cases(1)[0])
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "field", ["reported_on", "channel", "category", "risk", "version", "closed_on"]
)
def test_structuring_errors_chain_nothing_that_holds_the_value(field: str) -> None:
    written = spell(NIK, "\u00a0")
    with pytest.raises(ValidationError) as caught:
        structure(_case_data(**{field: written}), Case)
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None
    assert_not_shown(NIK, caught.value)


def test_a_date_hook_raises_without_a_chained_parser_error() -> None:
    hook = converter.get_structure_hook(date)
    with pytest.raises(ValueError, match="is not an ISO date") as caught:
        hook(NIK, date)
    assert caught.value.__context__ is None
    assert_not_shown(NIK, caught.value)


# -- the property: a NIK planted anywhere never shows --------------------------------------


@settings(max_examples=300, derandomize=True, deadline=None)
@given(planted())
def test_a_nik_planted_anywhere_never_shows_in_a_message(
    drawn: tuple[type[Record], Record, dict[str, Any], str],
) -> None:
    cls, _, data, digits = drawn
    try:
        structure(data, cls)
    except KKError as exc:
        assert_not_shown(digits, exc)
    # the record as the fast converter makes it, without the value checks: the model's
    # own errors, its repr and the store's refusal
    try:
        record = converter.structure(data, cls)
    except Exception as exc:
        assert_not_shown(digits, exc)
        return
    if isinstance(record, Record):
        assert digits not in digits_in(repr(record)) or only_as_number(record, digits)
        store = MemoryStore()
        try:
            store.put(attrs.evolve(record, version=0))
        except Exception as exc:
            assert_not_shown(digits, exc)


# -- reprs -----------------------------------------------------------------------------------

MARK = "Siti Nurhaliza binti Ahmad"

#: Text fields a repr may show (ids, codes, names of places and institutions), shown
#: masked and cut; every other text field is hidden.
SHOWN = {
    "id",
    "group_id",
    "village_id",
    "hamlet_id",
    "case_id",
    "provider_id",
    "business_id",
    "member_id",
    "companion_id",
    "actor_id",
    "ref",
    "carried_over_from",
    "subcategory",
    "sector",
    "data_set",
    "action",
    "source",
    "target",
    # codes of open lists, and ids added with the Pengaduan model
    "place",
    "relation",
    "programme",
    "service",
    "services",
    "incident_id",
    "approved_by",
    "override_approved_by",
    "responsible_id",
    "by",
    # import marks: keys, revisions and digests of imported items, record references
    "item_id",
    "revision_id",
    "content_id",
    "record_ids",
}
PLACE_NAMES = {("village", "name"), ("village", "district"), ("village", "regency")}
PLACE_NAMES |= {("village", "province"), ("hamlet", "name"), ("group", "name")}
PLACE_NAMES |= {("service_provider", "name"), ("service_provider", "area")}
PLACE_NAMES |= {("resident_question", "topic")}  # a code of question_topic, not free text


def _marked(value: Any, kind: str) -> Any:
    """The record with every text field that is not an id, a code or a place set to MARK."""
    changes: dict[str, Any] = {}
    for a in attrs.fields(type(value)):
        current = getattr(value, a.name)
        if a.name in SHOWN or (kind, a.name) in PLACE_NAMES or a.name in ("initials", "identity"):
            continue
        if isinstance(current, str) and not isinstance(current, Enum):
            changes[a.name] = MARK
        elif isinstance(current, tuple) and current and isinstance(current[0], str):
            changes[a.name] = (MARK,)
        elif isinstance(current, tuple):
            changes[a.name] = tuple(_marked(v, kind) for v in current)
        elif attrs.has(type(current)):
            changes[a.name] = _marked(current, kind)
    return attrs.evolve(value, **changes) if changes else value


@pytest.mark.parametrize("kind", sorted(RECORD_KINDS))
def test_no_repr_shows_free_text(kind: str) -> None:
    @settings(max_examples=25, derandomize=True, deadline=None)
    @given(records_of(kind))
    def check(record: Record) -> None:
        marked = _marked(record, kind)
        assert MARK not in repr(marked)
        assert MARK not in str(marked)

    check()


def test_repr_of_a_case_hides_notes_and_summary_but_shows_ids() -> None:
    case = attrs.evolve(
        sample_cases(1)[0],
        summary=f"{MARK} dipukul suaminya",
        consent=Consent(ConsentGiver.SELF, date(2024, 1, 3), note=f"{MARK} setuju"),
    )
    shown = repr(case)
    assert MARK not in shown
    assert "summary=<" in shown
    assert "note=<" in shown
    assert repr(case.id) in shown


@pytest.mark.parametrize("made", [f"kasus-{NIK}", f"KK-{NIK}", f"pdp-{spell(NIK, '-')}"])
def test_ids_containing_a_nik_are_refused(made: str) -> None:
    with pytest.raises(ValueError, match="holds an identity number") as caught:
        attrs.evolve(sample_cases(1)[0], id=made)
    assert NIK not in str(caught.value)
    with pytest.raises(ValueError, match="holds an identity number"):
        attrs.evolve(sample_cases(1)[0], companion_id=made)


# -- ids and free text -----------------------------------------------------------------------


def _new_case(**changes: Any) -> Case:
    base = Case(
        "kasus-1",
        "kk-teros",
        "52.03.12.2005",
        date(2025, 2, 13),
        IntakeChannel.WALK_IN,
        CaseCategory.CHILD_MARRIAGE,
        Subject(Sex.FEMALE, age_years=15),
    )
    return attrs.evolve(base, **changes)


@pytest.mark.parametrize("written", [NIK, spell(NIK, " "), spell(NIK, "\u00a0", "\uff10")])
@pytest.mark.parametrize("field", ["id", "group_id", "companion_id"])
def test_ids_shaped_like_a_nik_are_refused(written: str, field: str) -> None:
    with pytest.raises(ValueError, match="holds an identity number") as caught:
        _new_case(**{field: written})
    assert_not_shown(NIK, caught.value)
    with pytest.raises(ValidationError) as refused:
        structure(_case_data(**{field: written}), Case)
    assert_not_shown(NIK, refused.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda w: Event(_AT, "note", "active", "active", actor_id=w),
        lambda w: Event(_AT, "note", "active", "active", ref=w),
        lambda w: Subject(Sex.FEMALE, hamlet_id=w),
    ],
)
def test_references_shaped_like_a_nik_are_refused(make: Any) -> None:
    with pytest.raises(ValueError, match="holds an identity number"):
        make(spell(NIK, "-"))


_AT = datetime(2025, 2, 13, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(
    "written", [NIK, spell(NIK, " "), spell(NIK, ": "), spell(NIK, "", "\u0660")]
)
def test_a_nik_in_free_text_is_refused_on_structure_and_on_write(written: str) -> None:
    note = f"Korban (NIK {written}) didampingi ibunya"
    data = _case_data(summary=note)
    with pytest.raises(ValidationError) as caught:
        structure(data, Case)
    assert [p.path for p in caught.value.problems] == ["case.summary"]
    assert "identity number" in str(caught.value)
    assert_not_shown(NIK, caught.value)
    with pytest.raises(ValidationError) as refused:
        MemoryStore().put(_new_case(summary=note))
    assert [p.path for p in refused.value.problems] == ["case.summary"]
    assert_not_shown(NIK, refused.value)


# -- what free text keeps and what it refuses (found by trying the library from outside) --


@pytest.mark.parametrize(
    "kept",
    [
        "Kunjungan 11/03/2025, 05/04/2025",
        "Sidang 12-05-2025 - 03-06-2025",
        "Kontak: 0812 3456 7890, 0813 1111 2222",
        "HP 0812-3456-7890 / 0852-1111-2222",
        "Desa 52.03.12.2005, 52.03.12.2006",
        "anggaran Rp 25.000.000 - 30.000.000",
        "1,500,000, 2,500,000, 3,000,000",
    ],
)
def test_lists_of_numbers_in_free_text_are_kept(kept: str) -> None:
    case = attrs.evolve(_new_case(), summary=kept)
    assert MemoryStore().put(case).summary == kept


@pytest.mark.parametrize(
    "written",
    [
        "NIK: 5203•1741•0709•0001",
        "5203|1741|0709|0001",
        "5203*1741*0709*0001",
        "NIK (5203) 1741 0709 0001",
        "520317 410709 0001",
        "52.03.17.410709.0001",
        "5203 1741 0709 0001, 5203 1741 0709 0002",
        "Kartu keluarga 5203174107090001",
    ],
)
def test_a_nik_behind_any_separator_in_free_text_is_refused(written: str) -> None:
    with pytest.raises(ValidationError, match="identity number") as caught:
        MemoryStore().put(attrs.evolve(_new_case(), summary=written))
    assert "1741" not in str(caught.value)
