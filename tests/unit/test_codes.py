"""Code lists: stable snake_case codes, bilingual labels, forgiving lookup, open vs closed."""

from __future__ import annotations

import re

import pytest

from kk_core._coded import Coded, CodeEntry, CodeList, code_list_of, normalize_label
from kk_core.codes import (
    CODE_LISTS,
    CODELIST_VERSION,
    AgeBand,
    CaseCategory,
    Division,
    GbvimsType,
    GroupFunction,
    IntakeChannel,
    Sex,
    SupportType,
)
from kk_core.errors import CodeError, KKError

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
ENUM_LISTS = [cl for cl in CODE_LISTS.values() if cl.enum is not None]
OPEN_LISTS = [cl for cl in CODE_LISTS.values() if cl.extensible]
ALL_MEMBERS = [(cl.enum, member) for cl in ENUM_LISTS for member in cl.enum]  # type: ignore[union-attr]


def _id(value: object) -> str:
    return getattr(value, "name", None) or str(value)


def test_version_is_present_on_every_list() -> None:
    assert re.match(r"^\d{4}\.\d+$", CODELIST_VERSION)
    for code_list in CODE_LISTS.values():
        assert code_list.version == CODELIST_VERSION, code_list.name


@pytest.mark.parametrize("code_list", CODE_LISTS.values(), ids=lambda cl: cl.name)
def test_every_code_is_snake_case_and_unique(code_list: CodeList[Coded]) -> None:
    codes = code_list.codes
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert SNAKE.match(code), f"{code_list.name}: {code!r}"


@pytest.mark.parametrize("code_list", CODE_LISTS.values(), ids=lambda cl: cl.name)
def test_every_entry_has_both_labels(code_list: CodeList[Coded]) -> None:
    for entry in code_list:
        assert entry.label_id.strip()
        assert entry.label_en.strip()
        assert entry.label("id") == entry.label_id
        assert entry.label("en") == entry.label_en
    assert dict(code_list.as_mapping("en")) == {e.code: e.label_en for e in code_list}


def test_the_closed_lists_mirror_their_enums() -> None:
    for code_list in ENUM_LISTS:
        assert code_list.enum is not None
        assert code_list.codes == tuple(m.value for m in code_list.enum)
        assert code_list_of(code_list.enum) is code_list
        assert not code_list.extensible


def test_divisions_and_functions_are_four_with_descriptions() -> None:
    assert [d.value for d in Division] == ["public_relations", "economy", "data", "complaints"]
    assert [d.label_id for d in Division] == ["Humas", "Ekonomi", "Pendataan", "Pengaduan"]
    assert len(GroupFunction) == 4
    for member in (*Division, *GroupFunction):
        assert member.description.strip(), member


def test_a_member_is_its_code() -> None:
    assert isinstance(CaseCategory.CHILD_MARRIAGE, str)
    assert {"child_marriage": 1}[CaseCategory.CHILD_MARRIAGE] == 1  # equal and same hash
    assert str(CaseCategory.CHILD_MARRIAGE) == "child_marriage"
    assert CaseCategory.CHILD_MARRIAGE.label_id == "Perkawinan anak"
    assert CaseCategory.CHILD_MARRIAGE.label_en == "Child marriage"


# --------------------------------------------------------------------------- lookup


@pytest.mark.parametrize(("enum_cls", "member"), ALL_MEMBERS, ids=_id)
def test_parse_by_code_and_by_either_label(enum_cls: type[Coded], member: Coded) -> None:
    assert enum_cls.parse(member.value) is member
    assert enum_cls.parse(member) is member
    assert enum_cls.parse(member.label_id) is member
    assert enum_cls.parse(member.label_en) is member
    # case-insensitive, whatever the separators
    assert enum_cls.parse(member.label_id.upper()) is member
    assert enum_cls.parse(member.label_en.lower()) is member
    assert enum_cls.parse(member.value.upper().replace("_", " ")) is member
    assert enum_cls.parse(f"  {member.value.replace('_', '-')}  ") is member


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Perkawinan anak", CaseCategory.CHILD_MARRIAGE),
        ("PERKAWINAN-ANAK", CaseCategory.CHILD_MARRIAGE),
        ("perkawinan_anak", CaseCategory.CHILD_MARRIAGE),
        ("Pérkawinan Ának", CaseCategory.CHILD_MARRIAGE),
        ("child marriage", CaseCategory.CHILD_MARRIAGE),
        ("Child-Marriage", CaseCategory.CHILD_MARRIAGE),
        ("KEKERASAN", CaseCategory.VIOLENCE),
        ("Kékérasan", CaseCategory.VIOLENCE),
        ("administrasi kependudukan", CaseCategory.CIVIL_REGISTRATION),
        ("telepon / whatsapp", IntakeChannel.PHONE),
        ("Telepon/WhatsApp", IntakeChannel.PHONE),
        ("laki laki", Sex.MALE),
        ("perempuan", Sex.FEMALE),
    ],
)
def test_lookup_forgives_case_accents_and_separators(text: str, expected: Coded) -> None:
    assert type(expected).parse(text) is expected


def test_normalize_label_folds_case_accents_and_separators() -> None:
    assert normalize_label("  Pérkawinan--Anak_ ") == "perkawinan anak"
    assert normalize_label("Telepon / WhatsApp") == "telepon whatsapp"
    assert normalize_label("STRASSE") == normalize_label("straße")


def test_unknown_value_raises_code_error_with_suggestions() -> None:
    with pytest.raises(CodeError) as info:
        CaseCategory.parse("kekerasn")
    err = info.value
    assert isinstance(err, KKError)
    assert isinstance(err, LookupError)
    assert err.list_name == "case_category"
    assert err.value == "kekerasn"
    assert "violence" in err.suggestions
    assert "'kekerasn' is not a known case_category" in str(err)
    assert "did you mean" in str(err)
    assert "'violence'" in str(err)


def test_suggestions_come_from_either_language() -> None:
    with pytest.raises(CodeError) as info:
        CaseCategory.parse("child mariage")
    assert info.value.suggestions[0] == "child_marriage"
    with pytest.raises(CodeError) as info:
        CaseCategory.parse("putus sekola")
    assert info.value.suggestions[0] == "school_dropout"


def test_far_away_value_has_no_suggestions() -> None:
    with pytest.raises(CodeError) as info:
        Sex.parse("zzzzzzzzzz")
    assert info.value.suggestions == ()
    assert "did you mean" not in str(info.value)


def test_non_text_is_a_code_error() -> None:
    with pytest.raises(CodeError):
        CODE_LISTS["sex"].lookup(3)  # type: ignore[arg-type]


def test_lookup_returns_entries_and_membership() -> None:
    sectors = CODE_LISTS["business_sector"]
    assert sectors.lookup("Kerajinan / tenun").code == "handicraft"
    assert "Olahan Pangan" in sectors
    assert "nothing like it" not in sectors
    assert 3 not in sectors
    assert len(sectors) == len(sectors.codes)
    assert "business_sector" in repr(sectors)


# --------------------------------------------------------------------------- closed/open


@pytest.mark.parametrize("code_list", ENUM_LISTS, ids=lambda cl: cl.name)
def test_closed_list_refuses_local_entries(code_list: CodeList[Coded]) -> None:
    with pytest.raises(ValueError, match="closed"):
        code_list.extended([CodeEntry("local_thing", "Hal lokal", "Local thing")])


@pytest.mark.parametrize("code_list", OPEN_LISTS, ids=lambda cl: cl.name)
def test_open_list_accepts_local_entries(code_list: CodeList[Coded]) -> None:
    parent = next(iter(code_list.core)).value if code_list.core is not None else None
    local = CodeEntry("tenun_songket", "Tenun songket", "Songket weaving", parent=parent)
    extended = code_list.extended([local])
    assert extended.lookup("TENUN SONGKET").code == "tenun_songket"
    assert extended.lookup("songket weaving").local
    assert extended.codes == (*code_list.codes, "tenun_songket")
    assert extended.version == code_list.version
    assert "tenun_songket" not in code_list  # the original is unchanged
    for entry in code_list:
        assert extended.lookup(entry.code).local is entry.local
    if code_list.core is not None:
        assert extended.core_of("tenun_songket") == parent


@pytest.mark.parametrize(
    "name", ["incident_place", "perpetrator_relation", "service_kind", "social_programme"]
)
def test_lists_with_a_simfoni_core_take_local_entries_only_with_a_core_parent(name: str) -> None:
    code_list = CODE_LISTS[name]
    assert code_list.core is not None
    assert code_list.extensible
    core = {m.value for m in code_list.core}
    assert core <= set(code_list.codes)  # the core entries are all there, closed
    for entry in code_list:
        assert code_list.core_of(entry.code) in core
        assert (entry.parent is None) == (entry.code in core)
    with pytest.raises(ValueError, match="must name its parent"):
        code_list.extended([CodeEntry("kebun", "Kebun", "Field")])
    with pytest.raises(ValueError, match="must name its parent"):
        code_list.extended([CodeEntry("kebun", "Kebun", "Field", parent="not_a_core_code")])
    assert code_list.core_of("no_such_code") is None


@pytest.mark.parametrize(
    ("name", "local", "parent"),
    [
        ("incident_place", "pondok_pesantren", "school"),
        ("incident_place", "online", "other"),
        ("perpetrator_relation", "stepparent", "parent"),
        ("perpetrator_relation", "ustaz", "teacher"),
        ("perpetrator_relation", "former_spouse", "spouse"),
        ("perpetrator_relation", "stranger", "other"),
        ("service_kind", "dp3akb", "uptd_ppa"),
        ("service_kind", "rsud_visum", "puskesmas"),
        ("service_kind", "bhabinkamtibmas", "police"),
        ("service_kind", "lpsk", "legal_aid"),
    ],
)
def test_built_in_local_entries_roll_up_to_simfoni(name: str, local: str, parent: str) -> None:
    assert CODE_LISTS[name].core_of(local) == parent
    assert CODE_LISTS[name].get(local).local  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("KIS", "pbi_jkn"),
        ("Kartu Indonesia Pintar", "pip"),
        ("sembako", "bpnt"),
        ("P2TP2A", "dp3akb"),
    ],
)
def test_the_names_people_use_are_found(said: str, code: str) -> None:
    found = {
        CODE_LISTS[n].lookup(said).code
        for n in ("social_programme", "service_kind")
        if said in CODE_LISTS[n]
    }
    assert found == {code}


def test_open_lists_exist_for_the_pluggable_vocabularies() -> None:
    assert {cl.name for cl in OPEN_LISTS} >= {
        "business_sector",
        "issue_area",
        "case_subcategory",
        "service_provider",
    }


def test_local_entries_are_validated_too() -> None:
    sectors = CODE_LISTS["business_sector"]
    with pytest.raises(ValueError, match="not snake_case"):
        sectors.extended([CodeEntry("Bad Code", "x", "y")])
    with pytest.raises(ValueError, match="names both"):
        sectors.extended([CodeEntry("crafts", "Kerajinan / tenun", "Crafts")])
    with pytest.raises(ValueError, match="twice"):
        sectors.extended([CodeEntry("trade", "Dagang", "Trading")])


# --------------------------------------------------------------------------- derived codes


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, AgeBand.AGE_0_5),
        (5, AgeBand.AGE_0_5),
        (6, AgeBand.AGE_6_12),
        (12, AgeBand.AGE_6_12),
        (13, AgeBand.AGE_13_17),
        (17, AgeBand.AGE_13_17),
        (18, AgeBand.AGE_18_24),
        (24, AgeBand.AGE_18_24),
        (25, AgeBand.AGE_25_44),
        (44, AgeBand.AGE_25_44),
        (45, AgeBand.AGE_45_59),
        (59, AgeBand.AGE_45_59),
        (60, AgeBand.AGE_60_PLUS),
        (120, AgeBand.AGE_60_PLUS),
    ],
)
def test_age_band_boundaries(age: int, band: AgeBand) -> None:
    assert AgeBand.for_age(age) is band
    assert band.is_child == (age < 18)


def test_age_band_refuses_negative_age() -> None:
    with pytest.raises(ValueError, match="negative"):
        AgeBand.for_age(-1)


def test_gbvims_has_its_six_core_types_and_non_gbv() -> None:
    assert len(GbvimsType) == 7
    assert GbvimsType.NON_GBV.value == "non_gbv"
    assert GbvimsType.FORCED_MARRIAGE.label_id == "Pemaksaan perkawinan"
    assert GbvimsType.parse("Penolakan akses sumber daya, kesempatan atau layanan") is (
        GbvimsType.DENIAL_OF_RESOURCES
    )


def test_support_types_are_permits_mentoring_or_capital() -> None:
    permits = {t for t in SupportType if t.is_permit}
    capital = {t for t in SupportType if t.is_capital}
    assert permits == {SupportType.PERMIT_NIB, SupportType.PERMIT_PIRT, SupportType.PERMIT_HALAL}
    assert len(capital) == 6
    assert {SupportType.CAPITAL_MEKAAR, SupportType.CAPITAL_UMI} <= capital
    assert permits.isdisjoint(capital)
    assert set(SupportType) - permits - capital == {SupportType.MENTORING}


def test_code_list_refuses_labels_that_name_two_codes() -> None:
    with pytest.raises(ValueError, match="names both"):
        CodeList(
            "demo",
            [CodeEntry("one", "Sama", "One"), CodeEntry("two", "sama", "Two")],
            version="x",
        )
