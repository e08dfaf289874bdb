"""Services check places on new data: listed village codes, official names, hamlets of
the record's own village. Every refusal leaves the store as it was."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone

import attrs
import pytest

import kk_adapters.memory
from kk_adapters.memory import MemoryStore
from kk_core import RECORD_KINDS, hookimpl
from kk_core.cases import Case, Subject
from kk_core.codes import Affiliation, CaseCategory, IntakeChannel, Sex
from kk_core.economy import Business
from kk_core.errors import Problem, ValidationError
from kk_core.groups import ConstituentGroup, Member
from kk_core.kinds import Record
from kk_core.places import Hamlet, Village
from kk_core.plugins import Plugins
from kk_core.services import Services

WITA = timezone(timedelta(hours=8))
AT = datetime(2025, 2, 13, 9, 0, tzinfo=WITA)
TEROS = "52.03.17.2003"
KERTASARI = "52.03.17.2008"

VILLAGE = Village(TEROS, "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")
GROUP = ConstituentGroup("kk-teros", TEROS, "KK Desa Teros")
TUNTANG = Hamlet("dsn-tuntang", TEROS, "Tuntang")
TEROS_DAYA = Hamlet("dsn-teros-daya", TEROS, "Teros Daya")
KERTASARI_HAMLET = Hamlet("dsn-kertasari", KERTASARI, "Kertasari Timur")


def new_case(hamlet_id: str | None = "dsn-tuntang") -> Case:
    return Case(
        "c-1",
        "kk-teros",
        TEROS,
        AT.date(),
        IntakeChannel.WALK_IN,
        CaseCategory.CHILD_MARRIAGE,
        Subject(Sex.FEMALE, age_years=15, hamlet_id=hamlet_id),
    )


def new_member(member_id: str = "m-1", hamlet_id: str | None = "dsn-tuntang") -> Member:
    return Member(
        member_id,
        "kk-teros",
        "Rohani",
        Sex.FEMALE,
        {Affiliation.POSYANDU_CADRE},
        date(2023, 5, 20),
        hamlet_id=hamlet_id,
    )


def new_business(hamlet_id: str | None = "dsn-tuntang") -> Business:
    return Business(
        "b-1",
        "kk-teros",
        "Warung",
        "Inaq Sahnun",
        Sex.FEMALE,
        "food_processing",
        hamlet_id=hamlet_id,
    )


class Rule:
    """A plugin with one validation rule, to check that all problems come together."""

    def __init__(self) -> None:
        self.rule: Callable[[Record], Sequence[Problem]] = lambda record: ()

    @hookimpl
    def kk_validate_record(self, record: Record) -> Sequence[Problem]:
        return self.rule(record)


@attrs.define
class World:
    store: MemoryStore
    services: Services
    rule: Rule

    def refused(self, action: Callable[[], object]) -> ValidationError:
        before = {name: list(self.store.find(cls)) for name, cls in RECORD_KINDS.items()}
        with pytest.raises(ValidationError) as caught:
            action()
        after = {name: list(self.store.find(cls)) for name, cls in RECORD_KINDS.items()}
        assert after == before, "a refused write changed the store"
        return caught.value


@pytest.fixture
def world() -> World:
    store = MemoryStore("memory://places-test")
    rule = Rule()
    plugins = Plugins(load_entry_points=False, disabled=[], extra=[rule])
    plugins.register(kk_adapters.memory, name="memory")
    store.put_many([VILLAGE, GROUP, TUNTANG, TEROS_DAYA, KERTASARI_HAMLET])
    return World(store, Services(store, plugins=plugins), rule)


# -- village codes and names ------------------------------------------------------------------


def test_a_village_with_an_unlisted_code_is_refused_naming_the_code(world: World) -> None:
    err = world.refused(
        lambda: world.services.put(Village("52.03.12.0999", "Penda", "Pringgasela", "-", "-"))
    )
    (problem,) = err.problems
    assert problem.path == "village.id"
    assert "'52.03.12.0999' is not a village in the Kemendagri list" in str(err)


def test_a_village_named_otherwise_than_its_code_is_refused_with_the_expected_name(
    world: World,
) -> None:
    """Release 0.1.0's Teros was keyed by Kertasari's code."""
    old = Village(KERTASARI, "Teros", "Labuhan Haji", "Lombok Timur", "NTB")
    err = world.refused(lambda: world.services.put(old))
    assert err.problems == (
        Problem(
            "village.name",
            "'Teros' is not the name of 52.03.17.2008 in the Kemendagri list: expected 'Kertasari'",
        ),
    )


@pytest.mark.parametrize("name", ["Desa Teros", "TEROS", "teros"])
def test_the_official_name_however_written_is_accepted(world: World, name: str) -> None:
    stored = world.services.put(attrs.evolve(VILLAGE, name=name, version=1))
    assert stored.name == name  # kept as written


def test_a_kelurahan_is_a_village_too(world: World) -> None:
    geres = world.services.put(Village("52.03.17.1012", "Kelurahan Geres", "", "", ""))
    assert geres.is_kelurahan


def test_hamlets_and_groups_need_a_listed_village_code(world: World) -> None:
    err = world.refused(lambda: world.services.put(Hamlet("dsn-x", "52.03.17.2099", "X")))
    assert [p.path for p in err.problems] == ["hamlet.village_id"]
    assert "'52.03.17.2099' is not a village" in err.problems[0].message
    err = world.refused(
        lambda: world.services.register_group(ConstituentGroup("kk-x", "52.03.17.2099", "KK X"))
    )
    assert [p.path for p in err.problems] == ["group.village_id"]
    err = world.refused(
        lambda: world.services.put(ConstituentGroup("kk-x", "52.03.17.2099", "KK X"))
    )
    assert [p.path for p in err.problems] == ["group.village_id"]
    assert world.services.register_group(ConstituentGroup("kk-k", KERTASARI, "KK K")).version == 1


def test_place_problems_come_with_the_plugins_problems(world: World) -> None:
    world.rule.rule = lambda record: [Problem("village.province", "write it in full")]
    err = world.refused(lambda: world.services.put(Village("52.03.12.0999", "X", "", "", "")))
    assert [p.path for p in err.problems] == ["village.id", "village.province"]


# -- hamlets --------------------------------------------------------------------------------


def test_a_case_in_a_hamlet_of_its_village_is_recorded(world: World) -> None:
    assert world.services.record_case(new_case(), at=AT).subject.hamlet_id == "dsn-tuntang"


def test_a_case_without_a_hamlet_is_recorded(world: World) -> None:
    assert world.services.record_case(new_case(hamlet_id=None), at=AT).version == 1


@pytest.mark.parametrize("hamlet_id", ["dsn-nowhere", "dsn-kertasari"])
def test_a_case_in_a_hamlet_not_of_its_village_is_refused_listing_the_villages_hamlets(
    world: World, hamlet_id: str
) -> None:
    err = world.refused(lambda: world.services.record_case(new_case(hamlet_id), at=AT))
    assert err.problems == (
        Problem(
            "case.subject.hamlet_id",
            f"'{hamlet_id}' is not a hamlet of village 52.03.17.2003, whose hamlets are "
            "'dsn-teros-daya', 'dsn-tuntang'",
        ),
    )


def test_a_village_without_hamlets_says_so(world: World) -> None:
    world.store.delete(Hamlet, "dsn-tuntang")
    world.store.delete(Hamlet, "dsn-teros-daya")
    err = world.refused(lambda: world.services.record_case(new_case(), at=AT))
    assert "52.03.17.2003, which has no hamlets yet: put its Hamlet records first" in str(err)


def test_a_long_list_of_hamlets_is_cut(world: World) -> None:
    world.store.put_many([Hamlet(f"dsn-{n:02d}", TEROS, f"Dusun {n}") for n in range(30)])
    err = world.refused(lambda: world.services.record_case(new_case("dsn-x"), at=AT))
    message = err.problems[0].message
    assert "'dsn-00'" in message
    assert "'dsn-19'" in message
    assert "'dsn-20'" not in message
    assert message.endswith("and 12 more")  # 32 hamlets, 20 listed


def test_members_live_in_a_hamlet_of_their_groups_village(world: World) -> None:
    stored = world.services.register_members([new_member("m-1"), new_member("m-2", None)])
    assert [m.version for m in stored] == [1, 1]
    err = world.refused(
        lambda: world.services.register_members(
            [new_member("m-3"), new_member("m-4", "dsn-kertasari")]
        )
    )
    assert [p.path for p in err.problems] == ["member m-4.hamlet_id"]
    assert "whose hamlets are 'dsn-teros-daya', 'dsn-tuntang'" in err.problems[0].message


def test_businesses_are_in_a_hamlet_of_their_groups_village(world: World) -> None:
    assert world.services.register_business(new_business()).version == 1
    err = world.refused(lambda: world.services.register_business(new_business("Tuntang")))
    assert [p.path for p in err.problems] == ["business.hamlet_id"]


def test_put_checks_members_and_businesses_as_registering_them_does(world: World) -> None:
    err = world.refused(lambda: world.services.put(new_member(hamlet_id="dsn-x")))
    assert [p.path for p in err.problems] == ["member m-1.hamlet_id"]
    err = world.refused(lambda: world.services.put(new_business("dsn-x")))
    assert [p.path for p in err.problems] == ["business.hamlet_id"]
    err = world.refused(lambda: world.services.put(attrs.evolve(new_member(), group_id="nope")))
    assert [p.path for p in err.problems] == ["member m-1.group_id"]
    member = world.services.put(new_member())
    assert isinstance(member, Member)
    assert member.version == 1
    assert world.services.put(new_business()).version == 1


def test_old_records_keep_working(world: World) -> None:
    """What a store already holds is not refused later: a case whose hamlet is no hamlet
    of its village (written before the check) still takes its next steps."""
    world.store.put(new_case("dsn-gone"))
    noted = world.services.add_case_note("c-1", "kunjungan rumah", at=AT)
    assert noted.subject.hamlet_id == "dsn-gone"
