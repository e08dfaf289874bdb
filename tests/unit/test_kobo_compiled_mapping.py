"""The compiled way of a Kobo mapping (`kk_adapters.kobo.compiled_mapping`): it maps the
common submission, makes exactly what the detailed way makes, and leaves the rest to it.

The whole suite also checks every submission mapped the compiled way against the
detailed way (``tests/compiled_check.py``); these tests make sure the compiled way is
really taken, and try it on submissions built to be odd.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from forms_support import deployment_context
from kk_adapters.kobo.compiled_mapping import CompiledMapping, compile_mapping
from kk_adapters.kobo.forms import FORM_IDS, generated_mapping
from kk_adapters.kobo.mapping import KoboFormMapping, MapContext, RecordRule, Value
from kk_adapters.kobo.mapping_file import parse_mapping
from kk_adapters.kobo.schema import FormSchema
from kk_adapters.kobo.submissions import SubmissionTyper
from kk_core.errors import ValidationError
from kk_core.privacy import pseudonymise
from kobo_support import KEY, LPA_FORM, LPA_MAPPING, bench_answers, lpa_answers

SCHEMA = FormSchema.from_content(LPA_FORM)
CONTEXT = MapContext(pseudonymise=lambda nik: pseudonymise(nik, KEY))


def _lpa() -> KoboFormMapping:
    return parse_mapping(LPA_MAPPING, SCHEMA)


def _meta(i: int) -> dict[str, Any]:
    uuid = f"{i:08x}-0000-4000-8000-{i:012x}"
    return {
        "_id": i,
        "meta/instanceID": f"uuid:{uuid}",
        "meta/rootUuid": f"uuid:{uuid}",
        "_uuid": uuid,
        "_submission_time": "2025-03-05T01:00:00",
    }


def _both(mapping: KoboFormMapping, raw: dict[str, Any]) -> tuple[Any, Any]:
    """(the compiled way's records or the exception it raised, the detailed way's records
    or its `ValidationError`)."""
    submission = SubmissionTyper(SCHEMA).type(raw)
    compiled = compile_mapping(mapping)
    assert compiled is not None
    key = submission.key
    try:
        fast: Any = compiled.map(submission.values, key, CONTEXT)
    except Exception as error:
        fast = error
    try:
        detailed: Any = mapping._map_in_detail(submission.values, key, CONTEXT)
    except ValidationError as error:
        detailed = error
    return fast, detailed


def test_the_shipped_mappings_compile() -> None:
    assert isinstance(compile_mapping(_lpa()), CompiledMapping)
    for form_id in FORM_IDS:
        mapping = generated_mapping(deployment_context(), form_id)
        assert isinstance(compile_mapping(mapping), CompiledMapping), form_id


def test_common_submissions_take_the_compiled_way_and_make_the_same_records() -> None:
    mapping = _lpa()
    rng = random.Random(3)
    for i in range(1, 301):
        fast, detailed = _both(mapping, {**bench_answers(i, rng), **_meta(i)})
        assert not isinstance(fast, Exception), f"submission {i}: gave up ({fast!r})"
        assert fast == detailed


# Answers that change what the records hold, or make the submission one to refuse.
_VARIANTS: dict[str, list[Any]] = {
    "identitas/sumber": ["telepon", "kader_posyandu", "surat", "", None],
    "identitas/jk": ["l", "x", None],
    "identitas/tahun_lahir": ["2015", "2030", "abc", "1899", None],
    "identitas/bulan_lahir": ["12", "13", "0", None],
    "identitas/nik": ["5203174107960002", "52031741079600", "abcd", None],
    "identitas/inisial": ["", "A\x00B", "X" * 300, None],
    "kejadian/bentuk": ["seksual", "fisik fisik", "fisik terbang", "", None],
    "kejadian/tempat": ["sekolah", "pasar", None],
    "kejadian/tgl_kejadian": ["2025-03-05", "2025-02-30", "2020-01-01", None],
    "kejadian/pelaku": [
        [],
        [{"kejadian/pelaku/hubungan": "ayah"}],
        [{"kejadian/pelaku/jk_pelaku": "p"}],
        [{"kejadian/pelaku/hubungan": "guru", "kejadian/pelaku/jk_pelaku": "l"}],
        "not a list",
    ],
    "persetujuan/pemberi": ["orang_tua", "wali", "tidak_ada", None],
    "persetujuan/layanan": ["puskesmas", "polisi", "", "dukun"],
    "persetujuan/tgl_setuju": ["2025-03-01", "2025-03-10", None],
    "persetujuan/assent": ["ya", "tidak", "mungkin", None],
    "rujukan": [
        [],
        [{"rujukan/lembaga": "uptd", "rujukan/tgl_rujuk": "2025-03-04"}],
        [{"rujukan/lembaga": "rsud", "rujukan/tgl_rujuk": "2025-03-04"}],
        [{"rujukan/tgl_rujuk": "2025-03-04"}],
        [
            {"rujukan/lembaga": "uptd", "rujukan/tgl_rujuk": "2025-03-06"},
            {"rujukan/lembaga": "pkm_lh", "rujukan/tgl_rujuk": "2025-03-05"},
        ],
    ],
    "end": ["2025-03-04T23:59:00+07:00", "2025-03-04T09:40:00", "yesterday", None],
    "catatan": ["", "Catatan\n2", None],
    "identitas/kode": ["", None, "2025/009"],
}


def test_odd_submissions_either_make_the_same_records_or_are_left_to_the_detailed_way() -> None:
    mapping = _lpa()
    rng = random.Random(11)
    seen: Counter[str] = Counter()
    for i in range(1, 601):
        answers = lpa_answers(i)
        for path in rng.sample(sorted(_VARIANTS), rng.randint(1, 3)):
            answers[path] = rng.choice(_VARIANTS[path])
        answers = {k: v for k, v in answers.items() if v is not None}
        fast, detailed = _both(mapping, {**answers, **_meta(i)})
        if isinstance(fast, Exception):
            # giving up is right only for a submission the detailed way refuses
            assert isinstance(detailed, ValidationError), f"submission {i}: gave up ({fast!r})"
            seen["refused"] += 1
        else:
            assert fast == detailed, f"submission {i}"
            seen["compiled"] += 1
    # both kinds are many: the test cannot pass by one way alone
    assert seen["compiled"] >= 100, seen  # (153 seen)
    assert seen["refused"] >= 300, seen  # (447 seen)


def test_a_refused_submission_is_explained_by_the_detailed_way() -> None:
    mapping = _lpa()
    raw = {**lpa_answers(7, **{"identitas/sumber": "surat"}), **_meta(7)}
    submission = SubmissionTyper(SCHEMA).type(raw)
    with pytest.raises(ValidationError) as caught:
        mapping.map_submission(submission, CONTEXT)
    assert [p.path for p in caught.value.problems] == ["identitas/sumber"]


def test_a_mapping_the_compiled_way_cannot_handle_is_mapped_the_detailed_way() -> None:
    rule = RecordRule(
        "case",
        id=Value(template="LPA-{identitas/kode}"),
        fields={
            "group_id": Value(const="kk-teros"),
            "village_id": Value(const="52.03.17.2003"),
            "reported_on": "identitas/tgl_lapor",
            "channel": Value(field="identitas/sumber", choices={"datang_langsung": "walk_in"}),
            "category": Value(const="violence"),
            "subject.sex": Value(field="identitas/jk", choices={"p": "female", "l": "male"}),
            "violence.forms": Value(field="kejadian/bentuk", choices={"fisik": "physical"}),
            "violence.place": Value(const="household"),
            # a list item by its position: only the detailed way fills it
            "violence.perpetrators.0.relation": Value(const="unknown"),
        },
    )
    mapping = KoboFormMapping("lpa_kasus", [rule])
    assert compile_mapping(mapping) is None
    raw = {**lpa_answers(3, **{"kejadian/bentuk": "fisik"}), **_meta(3)}
    (case,) = mapping.map_submission(SubmissionTyper(SCHEMA).type(raw), CONTEXT)
    assert [p.relation for p in case.violence.perpetrators] == ["unknown"]


def _variant(old: str, new: str) -> KoboFormMapping:
    assert old in LPA_MAPPING
    return parse_mapping(LPA_MAPPING.replace(old, new), SCHEMA)


def _case_fields(drop: str = "", **fields: Value) -> KoboFormMapping:
    """The LPA mapping, its case rule's fields starting with ``drop`` left out and
    ``fields`` (dotted names with ``__``) put in."""
    rules = []
    for r in _lpa().rules:
        if r.kind == "case":
            kept = {k: v for k, v in r.fields.items() if not (drop and k.startswith(drop))}
            kept.update({k.replace("__", "."): v for k, v in fields.items()})
            only_if = {k: v for k, v in r.only_if.items() if not (drop and k.startswith(drop))}
            r = RecordRule(
                r.kind, id=r.id, fields=kept, name=r.name, lists=r.lists, only_if=only_if
            )
        rules.append(r)
    return KoboFormMapping("lpa_kasus", rules)


@pytest.mark.parametrize(
    "mapping",
    [
        # a constant with options: they apply as in the detailed way
        _variant('summary = "catatan"', 'summary = { const = "none", choices = { none = "" } }'),
        _variant('summary = "catatan"', 'summary = { const = "2025-03-01", cast = "date" }'),
        _case_fields(summary=Value(const="abc", convert=str.upper)),
        # an object as a constant: the detailed way leaves it out when no answer filled it
        _case_fields(
            drop="consent.assent",
            consent__assent=Value(const={"decision": "given", "recorded_on": "2025-03-04"}),
        ),
        # an object inside a value a convert gives: the detailed way prunes it
        _case_fields(
            subject__disability=Value(field="identitas/jk", convert=lambda _: {"a_lot": ["seeing"]})
        ),
    ],
    ids=["const-choices", "const-cast", "const-convert", "const-object", "convert-object"],
)
@pytest.mark.compiled_may_give_up  # (an object inside a convert's value)
def test_constants_and_conversions_map_as_the_detailed_way_maps_them(
    mapping: KoboFormMapping,
) -> None:
    for i, changes in enumerate(
        [{}, {"identitas/tahun_lahir": "2012", "persetujuan/pemberi": "orang_tua"}], 1
    ):
        raw = {**lpa_answers(i, **changes), **_meta(i)}
        submission = SubmissionTyper(SCHEMA).type(raw)
        compiled = compile_mapping(mapping)
        if compiled is not None:
            try:
                fast: Any = compiled.map(submission.values, submission.key, CONTEXT)
            except Exception:
                fast = None  # given up: the detailed way decides
            if fast is not None:
                assert fast == mapping._map_in_detail(submission.values, submission.key, CONTEXT)
        try:
            detailed: Any = mapping._map_in_detail(submission.values, submission.key, CONTEXT)
        except ValidationError as error:
            detailed = error
        try:
            made: Any = mapping.map_submission(submission, CONTEXT)
        except ValidationError as error:
            made = error
        assert type(made) is type(detailed)
        if not isinstance(made, ValidationError):
            assert made == detailed


def test_a_mapping_pickles_after_it_was_used() -> None:
    import pickle

    mapping = _lpa()
    submission = SubmissionTyper(SCHEMA).type({**lpa_answers(2), **_meta(2)})
    made = mapping.map_submission(submission, CONTEXT)
    again = pickle.loads(pickle.dumps(mapping))
    assert again.map_submission(submission, CONTEXT) == made
