"""Guarantees that cut across modules: committed means committed, secrets stay hidden,
open code lists are enforced, and the memory store keeps its promises at the edges."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

import kk_adapters.memory
from kk_adapters.memory import MemoryStore, open_memory_store
from kk_core import hookimpl
from kk_core.advocacy import AdvocacyProposal
from kk_core.cases import Case, Subject
from kk_core.codes import CaseCategory, CodeEntry, Forum, IntakeChannel, Sex
from kk_core.economy import Business
from kk_core.errors import (
    CodeError,
    ConflictError,
    EventDeliveryError,
    KKError,
    PluginError,
    Problem,
    ReadOnlyError,
    StorageError,
    ValidationError,
)
from kk_core.groups import ConstituentGroup
from kk_core.places import Village
from kk_core.plugins import Plugins
from kk_core.privacy import is_pseudonym
from kk_core.registries import CodeListRegistry, StoreRegistry
from kk_core.services import Services
from kk_core.store import Capabilities

WITA = timezone(timedelta(hours=8))
VILLAGE = "52.03.12.2005"
GROUP = ConstituentGroup("kk-teros", VILLAGE, "KK Desa Teros")
AT = datetime(2025, 2, 13, 9, 0, tzinfo=WITA)


def plugins(*extra: object) -> Plugins:
    found = Plugins(load_entry_points=False, extra=extra)
    found.register(kk_adapters.memory, name="memory")
    return found


def services(*extra: object) -> Services:
    svc = Services(MemoryStore(), plugins=plugins(*extra))
    svc.register_group(GROUP)
    return svc


def new_case(case_id: str = "c-1", **kw: Any) -> Case:
    return Case(
        case_id,
        "kk-teros",
        kw.pop("village_id", VILLAGE),
        AT.date(),
        IntakeChannel.WALK_IN,
        CaseCategory.SCHOOL_DROPOUT,
        Subject(Sex.MALE, age_years=14),
        **kw,
    )


# ----------------------------------------------------------------- committed means committed


class BrokenListener:
    def __init__(self) -> None:
        self.transitions: list[str] = []

    @hookimpl
    def kk_records_written(self, kind: str, ids: Sequence[str], store_url: str) -> None:
        raise RuntimeError("listener is down")

    @hookimpl
    def kk_case_transitioned(self, case: Case, event: Any, store_url: str) -> None:
        self.transitions.append(event.action)


def test_a_failing_listener_does_not_hide_a_committed_change() -> None:
    listener = BrokenListener()
    svc = Services(MemoryStore(), plugins=plugins(listener))
    with pytest.raises(EventDeliveryError, match="the change was committed") as caught:
        svc.register_group(GROUP)
    assert caught.value.result == svc.store.get(ConstituentGroup, "kk-teros")
    assert isinstance(caught.value.failures[0], PluginError)
    assert "kk_records_written" in str(caught.value)
    with pytest.raises(EventDeliveryError):
        svc.record_case(new_case(), at=AT)
    assert listener.transitions == ["report"]  # the other listener still heard about it
    assert svc.store.get(Case, "c-1").version == 1


# ----------------------------------------------------------------- what services refuse


def test_put_refuses_records_with_a_lifecycle() -> None:
    svc = services()
    with pytest.raises(ValidationError, match="changes through its lifecycle"):
        svc.put(new_case())


def test_services_need_transactions() -> None:
    class NoTransactions(MemoryStore):
        @property
        def capabilities(self) -> Capabilities:
            return Capabilities(transactions=False)

    with pytest.raises(StorageError, match="has no transactions"):
        Services(NoTransactions(), plugins=plugins())


def test_a_case_is_recorded_in_its_groups_village() -> None:
    svc = services()
    with pytest.raises(ValidationError, match="not the village of group kk-teros"):
        svc.record_case(new_case(village_id="52.03.12.2006"), at=AT)
    assert list(svc.store.find(Case)) == []


class LocalLists:
    @hookimpl
    def kk_extend_code_lists(self, registry: CodeListRegistry) -> None:
        registry.add(
            "case_subcategory",
            CodeEntry(
                "putus_untuk_bekerja",
                "Putus sekolah untuk bekerja",
                "Left school to work",
                parent="school_dropout",
            ),
        )
        registry.add("business_sector", CodeEntry("kopi", "Kopi", "Coffee"))


def test_open_code_fields_hold_codes_of_the_extended_lists() -> None:
    plain = services()
    with pytest.raises(
        ValidationError, match="'putus_untuk_bekerja' is not a code of case_subcategory"
    ):
        plain.record_case(new_case(subcategory="putus_untuk_bekerja"), at=AT)
    with pytest.raises(ValidationError, match="did you mean trade"):
        plain.register_business(
            Business("b-1", "kk-teros", "Warung", "Inaq Sahnun", Sex.FEMALE, "trad")
        )
    with pytest.raises(ValidationError, match="'dana_desa' is not a code of issue_area"):
        plain.draft_proposal(
            AdvocacyProposal(
                "p-1", "kk-teros", "Usulan", Forum.MUSRENBANGDES, issue_areas={"dana_desa"}
            ),
            at=AT,
        )

    local = services(LocalLists())
    recorded = local.record_case(new_case(subcategory="putus_untuk_bekerja"), at=AT)
    assert recorded.subcategory == "putus_untuk_bekerja"
    with pytest.raises(ValidationError, match="is a sub-category of child_marriage"):
        local.record_case(new_case("c-2", subcategory="eloped"), at=AT)
    kopi = Business("b-2", "kk-teros", "Kopi Teros", "Amaq Sul", Sex.MALE, "kopi")
    assert local.register_business(kopi).version == 1


class Key:
    @hookimpl
    def kk_pseudonym_key(self) -> bytes:
        return b"a-deployment-key-kept-elsewhere"


def test_services_pseudonymise_with_the_deployments_key() -> None:
    with pytest.raises(KKError, match="no pseudonymisation key"):
        services().pseudonymise("5203121234560001")
    pseudonym = services(Key()).pseudonymise("5203 1241 0709 0001")
    assert is_pseudonym(pseudonym)
    assert Subject(Sex.FEMALE, identity=pseudonym).identity == pseudonym


# ----------------------------------------------------------------- secrets and identity numbers


def test_store_factory_errors_never_show_the_password() -> None:
    class Leaky:
        @hookimpl
        def kk_register_stores(self, registry: StoreRegistry) -> None:
            def factory(url: str, /, **options: Any) -> Any:
                raise RuntimeError(f"could not connect to {url}")

            def kk_factory(url: str, /, **options: Any) -> Any:
                raise StorageError(f"authentication failed for {url}")

            registry.add("leaky", factory)
            registry.add("leaky2", kk_factory)

    found = plugins(Leaky())
    for scheme in ("leaky", "leaky2"):
        with pytest.raises(KKError) as caught:
            found.open_store(f"{scheme}://kk:hunter2@db.example/kk")
        assert "hunter2" not in str(caught.value)
        assert "kk:***@db.example" in str(caught.value)
        assert caught.value.__cause__ is None


def test_identity_numbers_are_masked_in_error_messages() -> None:
    assert "5203121234560001" not in str(Problem("sex", "'5203121234560001' is not a known sex"))
    with pytest.raises(CodeError) as caught:
        Sex.parse("5203121234560001")
    assert "5203121234560001" not in str(caught.value)
    assert "<16 digits hidden>" in str(caught.value)


def test_versions_are_never_negative() -> None:
    with pytest.raises(ValueError, match="version must not be negative"):
        Village(VILLAGE, "Teros", "Labuhan Haji", "Lombok Timur", "NTB", version=-1)


# ----------------------------------------------------------------- memory store at the edges


def test_read_only_store_commits_a_transaction_that_wrote_nothing() -> None:
    store = MemoryStore(read_only=True, records=[GROUP])
    with store.transaction() as tx:
        assert tx.get(ConstituentGroup, "kk-teros").version == 1
        tx.commit()
    with store.transaction() as tx, pytest.raises(ReadOnlyError):
        tx.put(attrs.evolve(GROUP, name="x"))


def test_named_memory_store_refuses_other_options() -> None:
    first = open_memory_store("memory://guarantees-named")
    assert open_memory_store("memory://guarantees-named") is first
    with pytest.raises(StorageError, match="already open"):
        open_memory_store("memory://guarantees-named", read_only=True)


def test_put_many_in_a_transaction_is_all_or_nothing() -> None:
    store = MemoryStore(records=[GROUP])
    other = ConstituentGroup("kk-lain", "52.03.12.2006", "KK Lain")
    stale = attrs.evolve(GROUP, name="KK Teros (renamed)")  # from version 0; store has 1
    with store.transaction() as tx:
        with pytest.raises(ConflictError):
            tx.put_many([other, stale])
        tx.commit()
    assert [g.id for g in store.find(ConstituentGroup)] == ["kk-teros"]
