"""Form mappings: built in code or from TOML, checked against the form, applied to
typed submissions; cases recorded through their lifecycle."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from kk_adapters.kobo.mapping import KoboFormMapping, ListRule, MapContext, RecordRule, Value
from kk_adapters.kobo.mapping_file import parse_mapping
from kk_adapters.kobo.schema import FormSchema, SchemaSet
from kk_adapters.kobo.submissions import SubmissionTyper
from kk_core import Case, Referral
from kk_core.codes import CaseStatus, ReferralStatus, SupportStatus, SupportType, ViolenceForm
from kk_core.economy import Business, SupportAction
from kk_core.errors import ValidationError
from kk_core.meetings import Meeting
from kk_core.privacy import pseudonymise
from kobo_support import (
    KEY,
    LPA_FORM,
    LPA_MAPPING,
    NIK,
    RAPAT_FORM,
    RAPAT_MAPPING,
    UMKM_FORM,
    UMKM_MAPPING,
    lpa_answers,
)

WITA = timezone(timedelta(hours=8))
SCHEMA = FormSchema.from_content(LPA_FORM)
MAPPING = parse_mapping(LPA_MAPPING, SCHEMA)
CONTEXT = MapContext(pseudonymise=lambda nik: pseudonymise(nik, KEY))


def _submission(form: dict[str, Any] = LPA_FORM, **answers: Any) -> Any:
    raw = {
        "_id": 5,
        "_uuid": "u5",
        "meta/rootUuid": "uuid:r5",
        "_submission_time": "2025-03-04T02:00:00",
    }
    raw.update(answers)
    return SubmissionTyper(FormSchema.from_content(form)).type(raw)


def _lpa(**changes: Any) -> Any:
    return _submission(**lpa_answers(**changes))


def test_a_case_with_its_referral_recorded_through_the_lifecycle() -> None:
    case, referral = MAPPING.map_submission(_lpa(), CONTEXT)
    assert isinstance(case, Case)
    assert isinstance(referral, Referral)
    assert case.id == "LPA-2025-001"
    assert case.violence is not None
    assert case.violence.forms == {ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL}
    assert [p.relation for p in case.violence.perpetrators] == ["neighbour"]
    assert case.subject.identity == pseudonymise(NIK, KEY)
    assert case.subject.hamlet_id == "dusun-tuntang"
    assert case.consent is not None
    assert case.consent.assent is None  # only_if: the adult was not asked for assent
    assert case.status is CaseStatus.REFERRED
    assert [(e.action, e.at) for e in case.timeline] == [
        ("report", datetime(2025, 3, 4, 9, 40, tzinfo=WITA)),  # the form's end
        ("record_consent", datetime(2025, 3, 4, 9, 40, tzinfo=WITA)),
        ("refer", datetime(2025, 3, 5, 0, 0, tzinfo=WITA)),  # the day it was sent
    ]
    assert case.timeline[-1].ref == referral.id == "LPA-2025-001-R1"
    assert referral.status is ReferralStatus.SENT
    assert referral.consent_given
    assert referral.provider_id == "pkm-labuhan-haji"
    assert referral.timeline[0].action == "send"


def test_map_is_the_form_mapping_protocol() -> None:
    """``map(values)``: what ``kk_register_form_mappings`` expects (no pseudonymising)."""
    records = MAPPING.map(_lpa(**{"identitas/nik": None}).values)
    assert [r.kind for r in records] == ["case", "referral"]
    assert MAPPING.form_id == "lpa_kasus"


def test_a_referral_without_consent_is_refused_with_the_rule() -> None:
    refused = _lpa(**{"persetujuan/pemberi": "tidak_ada", "persetujuan/layanan": None})
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(refused, CONTEXT)
    (problem,) = caught.value.problems
    assert "persetujuan/pemberi" in problem.path
    assert "consent before referral" in problem.message
    assert "persetujuan/pemberi = 'tidak_ada'" in problem.message


def test_the_consent_must_cover_the_providers_service() -> None:
    context = MapContext(
        pseudonymise=CONTEXT.pseudonymise, service_of={"pkm-labuhan-haji": "police"}.get
    )
    with pytest.raises(ValidationError, match="does not cover the service 'police'"):
        MAPPING.map_submission(_lpa(), context)


def test_a_childs_case_needs_a_caregivers_consent_and_assent() -> None:
    child = {"identitas/tahun_lahir": "2012", "persetujuan/pemberi": "orang_tua"}
    with pytest.raises(ValidationError, match="record the child's assent"):
        MAPPING.map_submission(_lpa(**child), CONTEXT)
    case, _ = MAPPING.map_submission(_lpa(**child, **{"persetujuan/assent": "ya"}), CONTEXT)
    assert case.consent is not None  # type: ignore[union-attr]
    assert case.consent.assent is not None  # type: ignore[union-attr]
    assert case.is_child  # type: ignore[union-attr]


def test_problems_are_named_in_kobo_terms_and_masked() -> None:
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(
            _lpa(
                **{
                    "identitas/sumber": "sms",
                    "identitas/bulan_lahir": "13",
                    "identitas/nik": "52031741",
                }
            ),
            CONTEXT,
        )
    shown = {p.path: p.message for p in caught.value.problems}
    assert shown["identitas/sumber"] == "'sms' is not a choice of list 'sumber' (for channel)"
    assert "must be a month from 1 to 12" in shown["identitas/bulan_lahir"]
    assert "case.subject.birth_month" in shown["identitas/bulan_lahir"]
    assert "is not an identity number" in shown["identitas/nik"]


def test_an_answer_not_among_the_forms_choices_is_not_blamed_on_the_mapping() -> None:
    many = {"identitas/sumber": "sms"}
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(_lpa(**many), CONTEXT)
    (shown,) = [p.message for p in caught.value.problems if p.path == "identitas/sumber"]
    assert shown == "'sms' is not a choice of list 'sumber' (for channel)"
    # A mapping never checked against the form cannot tell: the old wording stays.
    unchecked = parse_mapping(LPA_MAPPING)
    with pytest.raises(ValidationError) as caught:
        unchecked.map_submission(_lpa(**many), CONTEXT)
    (shown,) = [p.message for p in caught.value.problems if p.path == "identitas/sumber"]
    assert shown == "choice 'sms' has no code in the mapping (for channel)"


def test_lifecycle_refusals_name_the_answers_behind_them() -> None:
    child = {"identitas/tahun_lahir": "2012"}
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(_lpa(**child, **{"persetujuan/pemberi": "sendiri"}), CONTEXT)
    (problem,) = caught.value.problems
    assert "persetujuan/pemberi" in problem.path
    assert "identitas/tahun_lahir" in problem.path
    assert "a child's own consent is not enough" in problem.message
    assert "persetujuan/pemberi = 'sendiri'" in problem.message
    assert "identitas/tahun_lahir = '2012'" in problem.message
    assert "persetujuan/assent unanswered" in problem.message
    refused = {"persetujuan/pemberi": "orang_tua", "persetujuan/assent": "tidak"}
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(_lpa(**child, **refused), CONTEXT)
    (problem,) = caught.value.problems
    assert "the child has not assented" in problem.message
    assert "persetujuan/assent = 'tidak'" in problem.message


def test_a_missing_required_value_names_the_field_it_is_read_from() -> None:
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(_lpa(**{"identitas/jk": None}), CONTEXT)
    (problem,) = caught.value.problems
    assert problem.path == "identitas/jk"
    assert problem.message == "required field missing (case.subject.sex, unanswered)"


def test_a_nik_typed_into_free_text_is_refused_masked() -> None:
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(_lpa(catatan=f"NIK korban {NIK}"), CONTEXT)
    (problem,) = caught.value.problems
    assert problem.path == "catatan"
    assert "identity number" in problem.message
    assert NIK not in str(caught.value)


def test_without_a_key_an_identity_number_cannot_be_imported() -> None:
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(_lpa(), MapContext())
    assert "no kk_pseudonym_key plugin gives a key" in str(caught.value)
    assert NIK not in str(caught.value)


def test_a_referral_is_left_out_when_its_case_fails() -> None:
    with pytest.raises(ValidationError) as caught:
        MAPPING.map_submission(_lpa(**{"identitas/jk": "x"}), CONTEXT)
    assert [p.path for p in caught.value.problems] == ["identitas/jk"]


def test_unanswered_nested_values_are_left_out() -> None:
    skipped = {
        "kejadian/bentuk": None,
        "kejadian/tempat": None,
        "kejadian/tgl_kejadian": None,
        "kejadian/pelaku": None,
    }
    case, _ = MAPPING.map_submission(_lpa(**skipped), CONTEXT)
    assert isinstance(case, Case)
    assert case.violence is None
    with pytest.raises(ValidationError) as caught:  # half an answer is not enough
        MAPPING.map_submission(_lpa(**{"kejadian/bentuk": None}), CONTEXT)
    (problem,) = caught.value.problems
    assert str(problem) == (
        "kejadian/bentuk: required field missing (case.violence.forms, unanswered)"
    )


def test_umkm_support_and_its_business() -> None:
    mapping = parse_mapping(UMKM_MAPPING, FormSchema.from_content(UMKM_FORM))
    business, action = mapping.map(
        _submission(
            UMKM_FORM,
            **{
                "usaha/kode": "007",
                "usaha/nama": "Warung Bu Inaq",
                "usaha/pemilik": "Inaq Sahnun",
                "usaha/jk": "p",
                "usaha/sektor": "olahan_pangan",
                "dukungan/jenis": "kur",
                "dukungan/mulai": "2025-02-01",
                "dukungan/status": "berhasil",
                "dukungan/selesai": "2025-03-01",
                "dukungan/nominal": "5000000",
                "dukungan/pendamping": "m08",
            },
        ).values
    )
    assert isinstance(business, Business)
    assert isinstance(action, SupportAction)
    assert action.business_id == business.id == "umkm-007"
    assert action.id == "umkm-007-kur-2025-02-01"
    assert (action.type, action.status, action.amount_rupiah) == (
        SupportType.CAPITAL_KUR,
        SupportStatus.ACHIEVED,
        5_000_000,
    )


def test_meeting_attendance() -> None:
    mapping = parse_mapping(RAPAT_MAPPING, FormSchema.from_content(RAPAT_FORM))
    (meeting,) = mapping.map(
        _submission(
            RAPAT_FORM,
            judul="Rapat pengurus",
            tanggal="2025-02-13",
            jenis="rapat_kk",
            hadir="m08 m09",
            perempuan="14",
            laki="10",
            disabilitas="1",
        ).values
    )
    assert isinstance(meeting, Meeting)
    assert meeting.member_ids == {"kk-teros-m08", "kk-teros-m09"}
    assert meeting.attendance.total == 24
    assert meeting.held_on == date(2025, 2, 13)


# -- checks against the form ------------------------------------------------------------------


def _problems(toml: str, schema: FormSchema = SCHEMA) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_mapping(toml, schema, name="m.toml")
    return [str(p) for p in caught.value.problems]


def _variant(old: str, new: str) -> str:
    assert old in LPA_MAPPING
    return LPA_MAPPING.replace(old, new)


def test_unknown_field_path() -> None:
    (problem,) = _problems(_variant('"identitas/tgl_lapor"', '"identitas/tanggal"'))
    assert (
        problem
        == "m.toml: records.case.reported_on: 'identitas/tanggal' is not a field of the form"
    )


def test_unmapped_and_unknown_choices() -> None:
    found = _problems(_variant('telepon = "phone", ', 'tlp = "phone", '))
    assert "choices of list 'sumber' without a code in the mapping: 'telepon'" in found[0]
    assert "'tlp' not in list 'sumber'" in found[1]


def test_codes_that_are_not_in_the_code_list() -> None:
    (problem,) = _problems(_variant('telepon = "phone"', 'telepon = "telpon"'))
    assert "'telpon' not a code of IntakeChannel" in problem


def test_choices_used_as_codes_must_be_codes() -> None:
    (problem,) = _problems(
        _variant(
            'channel = { field = "identitas/sumber", choices = { datang_langsung = "walk_in", telepon = "phone", kader_posyandu = "posyandu" } }',
            'channel = "identitas/sumber"',
        )
    )
    assert "are not codes of IntakeChannel: map them with choices" in problem


def test_unknown_keys_and_record_fields() -> None:
    found = _problems(
        _variant("recorded_at", "recorded") + '\n[[records]]\nkind = "case"\nid = "x"\nfield = 1\n'
    )
    assert any("records.case.recorded: unknown key" in p for p in found)
    assert any(
        "rule names used twice" in p or "records.case.field: unknown key" in p for p in found
    )
    (problem,) = _problems(_variant('"subject.initials"', '"subject.name"'))
    assert "'name' is not a field of Subject" in problem


def test_required_fields_must_be_mapped() -> None:
    (problem,) = _problems(_variant('reported_on = "identitas/tgl_lapor"\n', ""))
    assert problem == "m.toml: records.case: Case.reported_on is required and not mapped"


def test_a_field_inside_a_repeat_needs_a_rule_over_it() -> None:
    (problem,) = _problems(
        _variant('reason = { field = "rujukan/alasan"', 'summary_x = { field = "rujukan/alasan"')
        .replace("summary_x", "reason")
        .replace('sent_on = "rujukan/tgl_rujuk"', 'sent_on = "rujukan/tgl_rujuk"\n')
        .replace('summary = "catatan"', 'summary = "rujukan/alasan"')
    )
    assert "is inside the repeat 'rujukan'" in problem


def test_lifecycle_fields_come_from_the_lifecycle() -> None:
    (problem,) = _problems(
        _variant(
            'category = { const = "violence" }',
            'category = { const = "violence" }\nstatus = { const = "closed" }',
        )
    )
    assert "comes from its lifecycle" in problem


def test_a_template_names_an_earlier_rule() -> None:
    (problem,) = _problems(_variant('case_id = "{@case}"', 'case_id = "{@kasus}"'))
    assert "{@kasus}: no rule 'kasus' listed before this one" in problem


def test_bad_toml_and_missing_parts() -> None:
    assert _problems("[form\n")[0].startswith("m.toml: not valid TOML")
    found = _problems("[[records]]\nkind = 'case'\n")
    assert "m.toml: form: a [form] table with the form's id is required" in found
    assert "m.toml: records.case.id: how to make the record's id is required" in found


def test_the_mapping_holds_against_every_version() -> None:
    older = dict(LPA_FORM, choices=[*LPA_FORM["choices"], {"list_name": "sumber", "name": "sms"}])
    schemas = SchemaSet(
        [
            FormSchema.from_content(older, version="v1"),
            FormSchema.from_content(LPA_FORM, version="v2"),
        ]
    )
    with pytest.raises(ValidationError, match="without a code in the mapping: 'sms'"):
        MAPPING.check(schemas)


# -- built in code -----------------------------------------------------------------------------


def test_a_mapping_built_in_code() -> None:
    """What issue 13's generated forms do: rules and values made by a program."""
    mapping = KoboFormMapping(
        "lpa_kasus",
        [
            RecordRule(
                "case",
                Value(template="LPA-{identitas/kode}"),
                {
                    "group_id": Value(const="kk-teros"),
                    "village_id": Value(const="52.03.17.2003"),
                    "reported_on": "identitas/tgl_lapor",
                    "channel": Value(const="walk_in"),
                    "category": Value(const="violence"),
                    "subject.sex": Value(
                        field="identitas/jk", choices={"p": "female", "l": "male"}
                    ),
                    "subject.age_years": Value(field="umur_calc", cast="int"),
                    "violence.forms": Value(
                        field="kejadian/bentuk",
                        convert=lambda names: [
                            {"fisik": "physical", "psikis": "psychological"}.get(n, "other")
                            for n in names
                        ],
                    ),
                    "violence.place": Value(const="household"),
                    "summary": Value(field="_submission_time", cast="text"),
                },
                lists=[
                    ListRule(
                        "violence.perpetrators",
                        "kejadian/pelaku",
                        {"relation": Value(const="unknown")},
                    )
                ],
            )
        ],
    )
    mapping.check(SCHEMA)
    (case,) = mapping.map(_lpa(**{"rujukan": None}).values)
    assert isinstance(case, Case)
    assert case.subject.age_years == 26
    assert case.summary == "2025-03-04T02:00:00+00:00"
    assert case.violence is not None
    assert case.violence.forms == {ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL}
    assert case.timeline[0].at == datetime(2025, 3, 4, 9, 40, tzinfo=WITA)


def test_values_collect_several_questions() -> None:
    form = {
        "survey": [
            {"type": "select_one wg", "name": "melihat"},
            {"type": "select_one wg", "name": "mendengar"},
            {"type": "select_one wg", "name": "berjalan"},
            {"type": "select_one jk", "name": "jk"},
            {"type": "date", "name": "tgl"},
        ],
        "choices": [
            *[{"list_name": "wg", "name": n} for n in ("tidak", "sedikit", "banyak", "tidak_bisa")],
            *[{"list_name": "jk", "name": n} for n in ("p", "l")],
        ],
    }
    mapping = KoboFormMapping(
        "wg",
        [
            RecordRule(
                "case",
                "{_key}",
                {
                    "group_id": Value(const="g"),
                    "village_id": Value(const="52.03.17.2003"),
                    "reported_on": "tgl",
                    "channel": Value(const="walk_in"),
                    "category": Value(const="disability_support"),
                    "subject.sex": Value(field="jk", choices={"p": "female", "l": "male"}),
                    "subject.disability.a_lot": Value(
                        collect={
                            "melihat": "seeing",
                            "mendengar": "hearing",
                            "berjalan": "walking",
                        },
                        answers=["banyak"],
                    ),
                    "subject.disability.cannot": Value(
                        collect={
                            "melihat": "seeing",
                            "mendengar": "hearing",
                            "berjalan": "walking",
                        },
                        answers=["tidak_bisa"],
                    ),
                },
            )
        ],
    )
    mapping.check(FormSchema.from_content(form))
    (case,) = mapping.map(
        _submission(
            form,
            melihat="banyak",
            mendengar="tidak_bisa",
            berjalan="sedikit",
            jk="l",
            tgl="2025-01-02",
        ).values
    )
    assert isinstance(case, Case)
    assert {d.value for d in case.subject.disability.a_lot} == {"seeing"}
    assert {d.value for d in case.subject.disability.cannot} == {"hearing"}
    assert case.id.isalpha()  # {_key}: letters only, from the rootUuid
    assert len(case.id) == 16


def test_a_form_that_does_not_ask_about_the_perpetrator_names_none() -> None:
    """A mapping output is current data: a case without ``issues`` is not read as
    release 0.1.0's, whose upgrade would name an "unknown" perpetrator nobody reported."""
    start = LPA_MAPPING.index("[[records.lists]]")
    end = LPA_MAPPING.index("[[records]]", start)
    mapping = parse_mapping(LPA_MAPPING[:start] + LPA_MAPPING[end:], SCHEMA)
    case, _referral = mapping.map_submission(_lpa(), CONTEXT)
    assert isinstance(case, Case)
    assert case.violence is not None
    assert case.violence.perpetrators == ()
    assert case.issues == frozenset()


def test_list_items_of_constants_alone_do_not_make_the_object_they_are_in() -> None:
    """A perpetrator entry whose answers are all blank makes an item of constants only:
    it does not make a ``violence`` of a case whose violence questions were skipped."""
    mapping = parse_mapping(
        LPA_MAPPING.replace(
            'sex = { field = "kejadian/pelaku/jk_pelaku", choices = { p = "female", l = "male" } }',
            'sex = { const = "male" }',
        ),
        SCHEMA,
    )
    answers = lpa_answers(
        **{
            "kejadian/bentuk": None,
            "kejadian/tempat": None,
            "kejadian/tgl_kejadian": None,
            "kejadian/lokasi": None,
            "kejadian/pelaku": [{"kejadian/pelaku/hubungan": ""}],
        }
    )
    case, _referral = mapping.map_submission(_submission(**answers), CONTEXT)
    assert isinstance(case, Case)
    assert case.violence is None
