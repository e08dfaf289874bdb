"""Form schemas read from a KoboToolbox asset's content, and submissions typed by them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kk_adapters.kobo.schema import FormSchema, SchemaSet, value_kind
from kk_adapters.kobo.submissions import GeoPoint, SubmissionTyper, item_key, type_value
from kk_core.errors import ValidationError
from kobo_support import LPA_FORM, NIK, lpa_answers

# -- schema --------------------------------------------------------------------------------


def test_paths_of_groups_and_repeats() -> None:
    schema = FormSchema.from_content(LPA_FORM)
    assert schema.form_id == "lpa_kasus"
    assert schema.title == "Formulir Kasus LPA"
    hubungan = schema.question("kejadian/pelaku/hubungan")
    assert hubungan is not None
    assert hubungan.repeat == "kejadian/pelaku"
    assert hubungan.list_name == "hubungan"
    assert hubungan.labels == ("Hubungan dengan korban", "Hubungan dengan korban (en)")
    assert schema.question("kejadian/pelaku").is_repeat  # type: ignore[union-attr]
    assert schema.question("identitas/kode").repeat is None  # type: ignore[union-attr]
    assert [q.path for q in schema.repeats()] == ["kejadian/pelaku", "rujukan"]
    assert schema.translations == ("Bahasa Indonesia (id)", "English (en)")
    assert "seksual" in schema.choices["bentuk"]


def test_autonamed_rows_and_xlsform_type_spellings() -> None:
    content = {
        "survey": [
            {"type": "begin group", "$autoname": "g"},
            {"type": "select_one yes_no", "$autoname": "q1", "label": "Tanya?"},
            {"type": "select all that apply forms", "name": "q2"},
            {"type": "dateTime", "name": "when"},
            {"type": "end group"},
        ],
        "choices": [{"list_name": "yes_no", "$autoname": "yes"}],
    }
    schema = FormSchema.from_content(content)
    q1 = schema.question("g/q1")
    assert q1 is not None
    assert (q1.type, q1.list_name, q1.labels) == ("select_one", "yes_no", ("Tanya?",))
    assert schema.question("g/q2").type == "select_multiple"  # type: ignore[union-attr]
    assert schema.question("g/when").kind == "datetime"  # type: ignore[union-attr]


def test_content_errors_name_the_rows() -> None:
    content = {
        "survey": [
            {"type": "begin_group", "name": "g"},
            {"type": "integer"},
            {"type": "text", "name": "x"},
            {"type": "text", "name": "x"},
            {"type": "end_repeat"},
        ]
    }
    with pytest.raises(ValidationError) as caught:
        FormSchema.from_content(content)
    shown = [str(p) for p in caught.value.problems]
    assert "content.survey[1]: a integer row without a name" in shown
    assert "content.survey[3]: 'g/x' is defined twice" in shown
    assert "content.survey[4]: end_repeat without its begin_repeat" in shown
    assert "content.survey: group 'g' is never closed" in shown


def test_value_kinds() -> None:
    assert value_kind("calculate") == "text"
    assert value_kind("start") == "datetime"
    assert value_kind("today") == "date"
    assert value_kind("rank") == "select_multiple"
    assert value_kind("geoshape") == "geotrace"


def _version(content: dict[str, Any], version: str, **changes: Any) -> FormSchema:
    return FormSchema.from_content(content, version=version)


def test_each_submission_is_typed_with_its_own_version() -> None:
    v1 = FormSchema.from_content(
        {"survey": [{"type": "text", "name": "umur"}]}, version="v1", form_id="f"
    )
    v2 = FormSchema.from_content(
        {"survey": [{"type": "integer", "name": "umur"}, {"type": "date", "name": "baru"}]},
        version="v2",
        form_id="f",
    )
    typer = SubmissionTyper(SchemaSet([v1, v2], latest="v2"))
    old = typer.type({"_uuid": "a", "__version__": "v1", "umur": "dua puluh"})
    new = typer.type({"_uuid": "b", "__version__": "v2", "umur": "20", "baru": "2025-01-02"})
    unknown = typer.type({"_uuid": "c", "__version__": "v9", "umur": "21", "baru": "2025-01-03"})
    assert old.values["umur"] == "dua puluh"
    assert not old.problems
    assert new.values["umur"] == 20
    assert unknown.values["baru"] == date(2025, 1, 3)  # the merged schema
    assert (new.version, unknown.version) == ("v2", "v9")


def test_schema_set_from_an_asset_with_versions() -> None:
    asset = {
        "uid": "aX",
        "name": "Kasus",
        "version_id": "v2",
        "content": {"survey": [{"type": "integer", "name": "n"}]},
        "versions": [{"uid": "v1", "content": {"survey": [{"type": "text", "name": "n"}]}}],
    }
    schemas = SchemaSet.from_json(asset)
    assert list(schemas.versions) == ["v1", "v2"]
    assert schemas.latest.version == "v2"
    assert schemas.for_version("v1").question("n").type == "text"  # type: ignore[union-attr]


# -- typing -----------------------------------------------------------------------------


TYPER = SubmissionTyper(FormSchema.from_content(LPA_FORM))


def _raw(**changes: Any) -> dict[str, Any]:
    return {
        "_id": 17,
        "_uuid": "7f3c2b10-1111-4222-8333-944455556666",
        "meta/rootUuid": "uuid:0a1b2c3d-0000-4000-8000-000000000001",
        "meta/instanceID": "uuid:7f3c2b10-1111-4222-8333-944455556666",
        "_submission_time": "2025-03-04T01:40:12",
        "__version__": "vX",
        **lpa_answers(),
        **changes,
    }


def test_answers_are_typed_by_their_questions() -> None:
    sub = TYPER.type(_raw())
    values = sub.values
    assert not sub.problems
    assert values["identitas/tahun_lahir"] == 1999
    assert values["identitas/tgl_lapor"] == date(2025, 3, 4)
    assert values["kejadian/bentuk"] == ("fisik", "psikis")
    assert values["kejadian/lokasi"] == GeoPoint(-8.6513, 116.5327, 12.5, 4.0)
    assert values["start"] == datetime(2025, 3, 4, 9, 12, tzinfo=timezone(timedelta(hours=8)))
    assert values["umur_calc"] == "26"  # a calculate stays text
    assert values["kejadian/pelaku"] == (
        {"kejadian/pelaku/hubungan": "tetangga", "kejadian/pelaku/jk_pelaku": "l"},
    )
    assert values["_id"] == 17
    assert values["_submission_time"] == datetime(2025, 3, 4, 1, 40, 12, tzinfo=UTC)
    assert (sub.key, sub.revision, sub.number) == (
        "0a1b2c3d-0000-4000-8000-000000000001",
        "7f3c2b10-1111-4222-8333-944455556666",
        17,
    )


def test_unknown_fields_are_kept_and_listed() -> None:
    sub = TYPER.type(_raw(**{"kejadian/saksi": "ada", "rujukan": [{"rujukan/kontak": "x"}]}))
    assert sub.values["kejadian/saksi"] == "ada"
    assert sub.values["rujukan"] == ({"rujukan/kontak": "x"},)
    assert sorted(sub.unknown) == ["kejadian/saksi", "rujukan[1]/kontak"]


def test_unanswered_questions_are_absent() -> None:
    sub = TYPER.type(_raw(**{"identitas/inisial": "", "kejadian/lokasi": None}))
    assert "identitas/inisial" not in sub.values
    assert "kejadian/lokasi" not in sub.values


def test_bad_values_are_named_at_their_path_masked() -> None:
    sub = TYPER.type(
        _raw(
            **{
                "identitas/tahun_lahir": f"NIK {NIK}",
                "kejadian/tgl_kejadian": "2-3-2025",
                "rujukan": [{"rujukan/tgl_rujuk": "2025-03-05"}, {"rujukan/tgl_rujuk": "kemarin"}],
                "kejadian/lokasi": "-95 116",
            }
        )
    )
    shown = {p.path: p.message for p in sub.problems}
    assert shown["identitas/tahun_lahir"].startswith("expected a whole number (integer question)")
    assert NIK not in shown["identitas/tahun_lahir"]
    assert "date like 2025-02-13" in shown["kejadian/tgl_kejadian"]
    assert "rujukan[2]/tgl_rujuk" in shown
    assert "kejadian/lokasi" in shown
    assert sub.values["identitas/tahun_lahir"] == f"NIK {NIK}"  # kept as it came


def test_key_falls_back_to_uuid_on_older_servers() -> None:
    assert item_key({"_uuid": "abc"}) == "abc"
    assert item_key({"meta/rootUuid": "uuid:root", "_uuid": "abc"}) == "root"
    assert item_key({"meta/instanceID": "uuid:inst"}) == "inst"
    assert TYPER.type({"x": "1"}).problems[0].path == "meta/rootUuid"


def test_a_repr_shows_no_answer() -> None:
    sub = TYPER.type(_raw())
    assert NIK not in repr(sub)
    assert "S.N." not in repr(sub)


def test_more_types() -> None:
    form = FormSchema.from_content(
        {
            "survey": [
                {"type": "decimal", "name": "d"},
                {"type": "range", "name": "r"},
                {"type": "time", "name": "t"},
                {"type": "acknowledge", "name": "ok"},
                {"type": "geotrace", "name": "jalan"},
                {"type": "today", "name": "hari"},
            ]
        }
    )
    typed = (
        SubmissionTyper(form)
        .type(
            {
                "_uuid": "u",
                "d": "1500000.50",
                "r": "3",
                "t": "09:30:00.000+08:00",
                "ok": "OK",
                "jalan": "-8.6 116.5 0 0;-8.7 116.6 0 0",
                "hari": "2025-03-04",
            }
        )
        .values
    )
    assert typed["d"] == Decimal("1500000.50")
    assert typed["r"] == 3
    assert typed["t"] == time(9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert typed["ok"] is True
    assert typed["jalan"] == (GeoPoint(-8.6, 116.5, 0.0, 0.0), GeoPoint(-8.7, 116.6, 0.0, 0.0))
    assert typed["hari"] == date(2025, 3, 4)


# -- properties: what the API writes reads back ---------------------------------------------

_Q = FormSchema.from_content(
    {
        "survey": [
            {"type": "integer", "name": "i"},
            {"type": "date", "name": "d"},
            {"type": "datetime", "name": "dt"},
            {"type": "select_multiple", "name": "m", "select_from_list_name": "l"},
            {"type": "geopoint", "name": "g"},
        ],
        "choices": [{"list_name": "l", "name": "a"}],
    }
)


@settings(derandomize=True)
@given(
    st.integers(-(2**62), 2**62),
    st.dates(),
    st.datetimes(timezones=st.timezones()).filter(lambda d: d.utcoffset() is not None),
    st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True), max_size=5),
    st.floats(-90, 90),
    st.floats(-180, 180),
)
def test_api_text_reads_back(
    number: int, day: date, moment: datetime, names: list[str], lat: float, lon: float
) -> None:
    fixed = moment.astimezone(timezone(moment.utcoffset()))  # type: ignore[arg-type]
    raw = {
        "_uuid": "u",
        "i": str(number),
        "d": day.isoformat(),
        "dt": fixed.isoformat(),
        "m": " ".join(names),
        "g": f"{lat!r} {lon!r}",
    }
    values = SubmissionTyper(_Q).type(raw).values
    assert values["i"] == number
    assert values["d"] == day
    assert values["dt"] == fixed
    assert values.get("m", ()) == tuple(names)
    assert values["g"] == GeoPoint(lat, lon)
    question = _Q.question("g")
    assert question is not None
    assert type_value(question, str(values["g"])) == values["g"]
