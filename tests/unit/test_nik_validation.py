"""NIK validation: 16 digits, a region part the Kemendagri table lists as a district, a
birth date (the day plus 40 for a woman), a serial; every error names the part and
quotes no digit; pseudonymisation through the services checks and needs a key."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kk_adapters.memory import MemoryStore
from kk_core.errors import KKError, ValidationError
from kk_core.hookspecs import hookimpl
from kk_core.plugins import Plugins
from kk_core.privacy import check_nik, is_pseudonym, nik_problems, pseudonymise
from kk_core.services import Services

WOMAN = "5203174107090001"  # Labuhan Haji, born 1 July 2009 (41 = 1 + 40), serial 0001
MAN = "5203120107090002"  # Pringgasela, born 1 July 2009


def test_well_formed_niks_pass() -> None:
    assert nik_problems(WOMAN) == []
    assert nik_problems(MAN) == []
    assert check_nik("5203 1741 0709 0001") == WOMAN
    assert nik_problems("5203172902000001") == []  # 29 Feb 2000
    assert nik_problems("5203176902000001") == []  # a woman born 29 Feb 2000


@pytest.mark.parametrize(
    ("nik", "part"),
    [
        ("9903174107090001", "region part"),  # no province 99
        ("5203994107090001", "region part"),  # no district 99 in Lombok Timur
        ("5203173207090001", "birth-date part"),  # day 32
        ("5203177207090001", "birth-date part"),  # day 72 - 40 = 32
        ("5203170113090001", "birth-date part"),  # month 13
        ("5203173002090001", "birth-date part"),  # 30 February
        ("5203172902010001", "birth-date part"),  # 29 February 1901 / 2001
        ("5203170007090001", "birth-date part"),  # day 0
        ("5203174107090000", "serial"),
        ("5203 1741 0709", "16 digits"),
    ],
)
def test_each_wrong_part_is_named_without_its_digits(nik: str, part: str) -> None:
    problems = nik_problems(nik)
    assert len(problems) == 1
    assert part in problems[0].message
    with pytest.raises(ValidationError) as caught:
        check_nik(nik)
    text = str(caught.value)
    assert part in text
    digits = "".join(c for c in nik if c.isdigit())
    for piece in (digits[0:6], digits[6:12], digits[12:16]):
        assert len(piece) < 4 or piece not in text, "no part of the number is quoted"


def test_every_problem_at_once() -> None:
    problems = nik_problems("9999993213990000")
    assert [p.message.split(" (")[0].split(";")[0] for p in problems] == [
        "its region part",
        "its birth-date part",
        "its serial",
    ]


@settings(max_examples=300, derandomize=True)
@given(st.text("0123456789", min_size=16, max_size=16))
def test_no_message_ever_holds_the_number(nik: str) -> None:
    for problem in nik_problems(nik):
        assert nik[:6] not in problem.message
        assert nik[6:12] not in problem.message


class Key:
    @hookimpl
    def kk_pseudonym_key(self) -> bytes:
        return b"a-deployment-key-kept-elsewhere"


def test_services_check_the_nik_and_need_a_key() -> None:
    keyless = Services(MemoryStore(), plugins=Plugins(load_entry_points=False))
    with pytest.raises(KKError, match="no pseudonymisation key"):
        keyless.pseudonymise(WOMAN)
    services = Services(MemoryStore(), plugins=Plugins(load_entry_points=False, extra=[Key()]))
    assert is_pseudonym(services.pseudonymise(WOMAN))
    with pytest.raises(ValidationError, match="birth-date part"):
        services.pseudonymise("5203173207090001")
    # a family card number, or a NIK of a retired district: on purpose, unchecked
    assert is_pseudonym(services.pseudonymise("5203173207090001", check=False))
    assert pseudonymise(WOMAN, b"0123456789abcdef", check=True) == pseudonymise(
        WOMAN, b"0123456789abcdef"
    )
    with pytest.raises(ValidationError):
        pseudonymise("5203173207090001", b"0123456789abcdef", check=True)
