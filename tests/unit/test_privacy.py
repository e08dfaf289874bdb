"""Identity numbers are kept only as keyed pseudonyms (UU PDP 27/2022)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kk_core.cases import Subject
from kk_core.codes import Sex
from kk_core.converter import structure, unstructure
from kk_core.errors import ValidationError
from kk_core.privacy import (
    PSEUDONYM_PREFIX,
    is_pseudonym,
    looks_like_nik,
    pseudonymise,
)
from kk_core.testing.strategies import TEST_KEY, niks

KEY_A = b"key-of-kk-teros-2025"
KEY_B = b"key-of-kk-sakra-2025"
NIK = "5203121234560001"


def test_pseudonym_shape() -> None:
    pseudo = pseudonymise(NIK, KEY_A)
    assert pseudo.startswith(PSEUDONYM_PREFIX)
    assert len(pseudo) == len(PSEUDONYM_PREFIX) + 64
    assert is_pseudonym(pseudo)
    assert NIK not in pseudo


def test_documented_example() -> None:
    assert pseudonymise("5203121234560001", b"0123456789abcdef")[:11] == "p1:cba6d796"


@given(niks())
def test_deterministic_per_key(nik: str) -> None:
    assert pseudonymise(nik, KEY_A) == pseudonymise(nik, KEY_A)


@given(niks())
def test_different_keys_give_different_pseudonyms(nik: str) -> None:
    assert pseudonymise(nik, KEY_A) != pseudonymise(nik, KEY_B)


@given(niks(), niks())
def test_different_numbers_give_different_pseudonyms(a: str, b: str) -> None:
    assert (pseudonymise(a, TEST_KEY) == pseudonymise(b, TEST_KEY)) == (a == b)


@pytest.mark.parametrize(
    "written", ["5203 1212 3456 0001", "5203.1212.3456.0001", " 5203121234560001 "]
)
def test_spaces_and_dots_do_not_change_the_pseudonym(written: str) -> None:
    assert pseudonymise(written, KEY_A) == pseudonymise(NIK, KEY_A)


@pytest.mark.parametrize("bad", ["520312123456000", "52031212345600012", "520312123456000X", ""])
def test_only_sixteen_digit_numbers_are_pseudonymised(bad: str) -> None:
    with pytest.raises(ValueError, match="exactly 16 digits"):
        pseudonymise(bad, KEY_A)


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        pseudonymise(NIK, b"short")


def test_shapes() -> None:
    assert looks_like_nik(NIK)
    assert looks_like_nik("5203 1212 3456 0001")
    assert not looks_like_nik("52031212345600")
    assert not is_pseudonym(NIK)
    assert not is_pseudonym("p1:" + "g" * 64)
    assert not is_pseudonym("p1:" + "a" * 63)


@pytest.mark.parametrize("clear", [NIK, "5203 1212 3456 0001", "5203.1212.3456.0001"])
def test_clear_nik_is_refused_in_a_subject(clear: str) -> None:
    with pytest.raises(ValueError, match="identity holds an identity number in clear") as info:
        Subject(Sex.FEMALE, identity=clear)
    assert "5203" not in str(info.value)  # the error does not repeat the number


def test_clear_nik_in_plain_data_is_refused_without_echoing_it() -> None:
    data = unstructure(Subject(Sex.FEMALE, birth_year=2012, birth_month=1))
    data["identity"] = NIK
    with pytest.raises(ValidationError) as info:
        structure(data, Subject)
    assert "Subject.identity" in str(info.value) or "Subject" in str(info.value)
    assert "in clear" in str(info.value)
    assert NIK not in str(info.value)


@given(st.text(max_size=30).filter(lambda s: not is_pseudonym(s)))
def test_anything_but_a_pseudonym_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="identity"):
        Subject(Sex.MALE, identity=value)


def test_pseudonym_is_accepted_and_round_trips() -> None:
    subject = Subject(Sex.MALE, age_years=9, identity=pseudonymise(NIK, TEST_KEY))
    assert structure(unstructure(subject), Subject) == subject
    assert NIK not in repr(subject)
