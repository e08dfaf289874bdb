"""Issue 9's code lists: case sub-categories under every category, DTSEN statuses,
civil-registration documents and needs, the names people use for programmes and
capital, labels as the official terms, and a source for every list."""

from __future__ import annotations

import pytest
from hypothesis import given

from kk_core._coded import CodeEntry
from kk_core.cases import Case
from kk_core.codes import (
    CODE_LISTS,
    CaseCategory,
    CivilDocument,
    DataStatus,
    DocumentNeed,
    DropoutReason,
    SocialProgramme,
    SupportType,
)
from kk_core.hookspecs import hookimpl
from kk_core.plugins import Plugins
from kk_core.testing.strategies import cases

SUBCATEGORIES = CODE_LISTS["case_subcategory"]


def test_every_list_names_its_source() -> None:
    missing = [name for name, code_list in CODE_LISTS.items() if not code_list.source.strip()]
    assert not missing
    assert "SIMFONI" in CODE_LISTS["violence_form"].source
    assert "Inpres 4/2025" in CODE_LISTS["data_status"].source
    assert "UU 24/2013" in CODE_LISTS["civil_document"].source


def test_sub_categories_have_the_categories_as_core() -> None:
    assert SUBCATEGORIES.core is CaseCategory
    assert SUBCATEGORIES.extensible
    for category in CaseCategory:
        under = [c for c in SUBCATEGORIES.codes if SUBCATEGORIES.core_of(c) == category.value]
        assert under[0] == category.value  # the category itself, then its sub-categories
        assert len(under) >= 4, category
    for entry in SUBCATEGORIES:
        assert (entry.parent is None) == (entry.code in set(CaseCategory))


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("domestic_violence", "violence"),
        ("trafficking", "violence"),
        ("eloped", "child_marriage"),
        ("dispensation_requested", "child_marriage"),
        ("dropout_smp", "school_dropout"),
        ("never_enrolled", "school_dropout"),
        ("not_in_dtsen", "social_protection"),
        ("pbi_inactive", "social_protection"),
        ("nik_mismatch", "social_protection"),
        ("decile_too_high", "social_protection"),
        ("registered_not_receiving", "social_protection"),
        ("new_document", "civil_registration"),
        ("court_order", "civil_registration"),
        ("assistive_device", "disability_support"),
        ("migrant_worker", "other"),
    ],
)
def test_sub_categories_roll_up_to_their_category(code: str, category: str) -> None:
    assert SUBCATEGORIES.core_of(code) == category


def test_social_protection_and_civil_registration_use_the_closed_lists() -> None:
    social = {c for c in SUBCATEGORIES.codes if SUBCATEGORIES.core_of(c) == "social_protection"}
    civil = {c for c in SUBCATEGORIES.codes if SUBCATEGORIES.core_of(c) == "civil_registration"}
    assert social - {"social_protection"} == {s.value for s in DataStatus}
    assert civil - {"civil_registration"} == {n.value for n in DocumentNeed}
    for status in DataStatus:
        entry = SUBCATEGORIES.get(status.value)
        assert entry is not None
        assert (entry.label_id, entry.aliases) == (status.label_id, status.aliases)


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("KDRT", "domestic_violence"),
        ("merariq", "eloped"),
        ("nikah siri", "married_unregistered"),
        ("Lulus tidak melanjutkan", "not_continuing"),
        ("KIS nonaktif", "pbi_inactive"),
        ("belum masuk DTKS", "not_in_dtsen"),
        ("NIK tidak padan", "nik_mismatch"),
        ("dokumen hilang", "document_replacement"),
        ("isbat nikah", None),  # a document (marriage_book), not a need
    ],
)
def test_sub_categories_are_found_by_what_people_say(said: str, code: str | None) -> None:
    if code is None:
        assert said not in SUBCATEGORIES
        assert CivilDocument.parse(said) is CivilDocument.MARRIAGE_BOOK
    else:
        assert SUBCATEGORIES.lookup(said).code == code


class PartnerSubcategories:
    @hookimpl
    def kk_extend_code_lists(self, registry: object) -> None:
        registry.add(  # type: ignore[attr-defined]
            "case_subcategory",
            CodeEntry("kdrt_ekonomi", "KDRT ekonomi", "Economic abuse", parent="violence"),
        )


def test_plugins_add_sub_categories_under_a_category_only() -> None:
    lists = Plugins(load_entry_points=False, extra=[PartnerSubcategories()]).code_lists
    assert lists["case_subcategory"].core_of("kdrt_ekonomi") == "violence"
    with pytest.raises(ValueError, match="must name its parent"):
        SUBCATEGORIES.extended([CodeEntry("kawin_cerai", "Kawin cerai", "Divorce")])


def test_civil_registration_documents_and_needs() -> None:
    assert [d.value for d in CivilDocument] == [
        "birth_certificate",
        "ktp_el",
        "family_card",
        "kia",
        "death_certificate",
        "marriage_book",
        "divorce_certificate",
        "skpwni",
        "other",
    ]
    assert CivilDocument.parse("Kartu Keluarga") is CivilDocument.FAMILY_CARD
    assert CivilDocument.parse("KTP") is CivilDocument.KTP_EL
    assert CivilDocument.parse("akta cerai") is CivilDocument.DIVORCE_CERTIFICATE
    assert [n.value for n in DocumentNeed] == [
        "new_document",
        "document_correction",
        "document_replacement",
        "document_update",
        "court_order",
    ]
    assert DropoutReason.parse("menikah") is DropoutReason.MARRIAGE


@pytest.mark.parametrize(
    ("said", "programme"),
    [
        ("KIS", SocialProgramme.PBI_JKN),
        ("PBI-JK", SocialProgramme.PBI_JKN),
        ("KIP", SocialProgramme.PIP),
        ("BPNT", SocialProgramme.BPNT),
        ("Program Sembako", SocialProgramme.BPNT),
        ("Jamkesda", SocialProgramme.PBI_APBD),
        ("KIS daerah", SocialProgramme.PBI_APBD),
        ("ATENSI", SocialProgramme.ATENSI),
        ("Asistensi Rehabilitasi Sosial", None),
        ("bansos beras", SocialProgramme.RICE_AID),
        ("bedah rumah", SocialProgramme.RTLH),
        ("BSPS", SocialProgramme.RTLH),
        ("BLT desa", SocialProgramme.BLT_DANA_DESA),
    ],
)
def test_programmes_by_the_names_people_use(said: str, programme: SocialProgramme | None) -> None:
    programmes = CODE_LISTS["social_programme"]
    if programme is None:  # a label must be whole: no partial matches
        assert said not in programmes
    else:
        assert SocialProgramme.parse(said) is programme
        assert programmes.lookup(said).code == programme.value


def test_permits_and_capital_by_their_official_names() -> None:
    assert SupportType.PERMIT_PIRT.label_id.startswith("SPP-IRT")
    assert "Sertifikat Produksi Pangan Industri Rumah Tangga" in SupportType.PERMIT_PIRT.label_id
    for said in ("P-IRT", "PIRT", "SPP-IRT", "Izin P-IRT"):
        assert SupportType.parse(said) is SupportType.PERMIT_PIRT
    assert SupportType.parse("Mekaar") is SupportType.CAPITAL_MEKAAR
    assert SupportType.parse("PNM Mekaar") is SupportType.CAPITAL_MEKAAR
    assert SupportType.parse("UMi") is SupportType.CAPITAL_UMI
    assert SupportType.parse("Pembiayaan Ultra Mikro") is SupportType.CAPITAL_UMI
    assert SupportType.CAPITAL_MEKAAR.is_capital
    assert SupportType.CAPITAL_UMI.is_capital
    assert SupportType.parse("KUR") is SupportType.CAPITAL_KUR
    assert SupportType.parse("BUMDes") is SupportType.CAPITAL_BUMDES
    assert SupportType.parse("NIB") is SupportType.PERMIT_NIB


@pytest.mark.parametrize(
    ("list_name", "old_label", "code"),
    [
        ("support_type", "Izin NIB (OSS)", "permit_nib"),
        ("support_type", "Izin P-IRT", "permit_pirt"),
        ("support_type", "Home food-industry permit (P-IRT)", "permit_pirt"),
        ("support_type", "Akses modal KUR", "capital_kur"),
        ("support_type", "Akses modal BUMDes", "capital_bumdes"),
        ("support_type", "Capital: village enterprise (BUMDes)", "capital_bumdes"),
        ("social_programme", "BPNT / Sembako", "bpnt"),
        ("social_programme", "Non-cash food assistance (BPNT)", "bpnt"),
        ("social_programme", "PBI-JKN (KIS)", "pbi_jkn"),
        ("social_programme", "Health insurance contribution assistance (PBI-JKN)", "pbi_jkn"),
        ("disability_domain", "Berjalan", "walking"),
        ("question_topic", "Izin usaha (NIB, P-IRT, halal)", "business_permits"),
        ("question_topic", "Modal usaha (KUR, BUMDes)", "business_capital"),
        ("question_topic", "Bantuan sosial (PKH, BPNT, BLT)", "social_assistance"),
    ],
)
def test_relabelled_entries_still_answer_to_their_old_labels(
    list_name: str, old_label: str, code: str
) -> None:
    assert CODE_LISTS[list_name].lookup(old_label).code == code


@given(cases(max_steps=0))
def test_generated_cases_take_a_sub_category_of_their_category(case: Case) -> None:
    if case.subcategory is None:
        return
    rolled_up = SUBCATEGORIES.core_of(case.subcategory)
    if rolled_up is None:  # a plugin's local code, which stores keep without the plugin
        assert case.subcategory in {"kdrt_ekonomi", "putus_sekolah_smp", "dtks_baru"}
    else:
        assert rolled_up == case.category.value
