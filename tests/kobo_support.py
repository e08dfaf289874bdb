"""Forms, mappings and reference records for the Kobo adapter's tests and benchmark.

The partner forms here are *not* the one of the how-to: the adapter is tested on forms
it was not written around. ``LPA_FORM`` is a child-protection NGO's case intake
(groups, a repeat of perpetrators inside a group, a repeat of referrals,
select_multiple forms of violence, a geopoint, a calculate), ``UMKM_FORM`` a support
visit to a micro-business, ``RAPAT_FORM`` the attendance of a KK meeting.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kk_core import Hamlet, Village
from kk_core.codes import Affiliation, ServiceKind, Sex
from kk_core.groups import ConstituentGroup, Member
from kk_core.hookspecs import hookimpl
from kk_core.referrals import ServiceProvider
from kk_core.store import Store
from kobo_lookalike import KoboLookalike

NIK = "5203174107990001"  # an invented NIK
KEY = b"a-test-key-kept-outside-the-data"

LPA_UID = "aLpaKasus2025x"
UMKM_UID = "aUmkmDukungan1"
RAPAT_UID = "aRapatKK2025a"
BENCH_UID = "aBenchKasus100"


def _q(kind: str, name: str, label: str = "", **more: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"type": kind, "name": name, "$kuid": f"k{name}"}
    if label:
        row["label"] = [label, f"{label} (en)"]
    row.update(more)
    return row


def _choices(list_name: str, *names: str) -> list[dict[str, Any]]:
    return [
        {"list_name": list_name, "name": n, "label": [n.replace("_", " ").title(), n]}
        for n in names
    ]


LPA_FORM: dict[str, Any] = {
    "settings": {"id_string": "lpa_kasus", "form_title": "Formulir Kasus LPA"},
    "translations": ["Bahasa Indonesia (id)", "English (en)"],
    "survey": [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        _q("begin_group", "identitas", "Identitas korban"),
        _q("text", "kode", "Kode kasus"),
        _q("date", "tgl_lapor", "Tanggal lapor"),
        _q("select_one", "sumber", "Sumber laporan", select_from_list_name="sumber"),
        _q("select_one", "dusun", "Dusun", select_from_list_name="dusun"),
        _q("select_one", "jk", "Jenis kelamin", select_from_list_name="jk"),
        _q("integer", "tahun_lahir", "Tahun lahir"),
        _q("integer", "bulan_lahir", "Bulan lahir"),
        _q("text", "nik", "NIK"),
        _q("text", "inisial", "Inisial"),
        {"type": "end_group"},
        _q("begin_group", "kejadian", "Kejadian"),
        _q("date", "tgl_kejadian", "Tanggal kejadian"),
        _q("select_multiple", "bentuk", "Bentuk kekerasan", select_from_list_name="bentuk"),
        _q("select_one", "tempat", "Tempat kejadian", select_from_list_name="tempat"),
        _q("geopoint", "lokasi", "Lokasi"),
        _q("begin_repeat", "pelaku", "Pelaku"),
        _q("select_one", "hubungan", "Hubungan dengan korban", select_from_list_name="hubungan"),
        _q("select_one", "jk_pelaku", "Jenis kelamin pelaku", select_from_list_name="jk"),
        {"type": "end_repeat"},
        {"type": "end_group"},
        _q("begin_group", "persetujuan", "Persetujuan"),
        _q("select_one", "pemberi", "Yang memberi persetujuan", select_from_list_name="pemberi"),
        _q("select_multiple", "layanan", "Layanan yang disetujui", select_from_list_name="layanan"),
        _q("date", "tgl_setuju", "Tanggal persetujuan"),
        _q("select_one", "assent", "Anak setuju", select_from_list_name="ya_tidak"),
        {"type": "end_group"},
        _q("begin_repeat", "rujukan", "Rujukan"),
        _q("select_one", "lembaga", "Lembaga", select_from_list_name="lembaga"),
        _q("date", "tgl_rujuk", "Tanggal rujuk"),
        _q("text", "alasan", "Alasan"),
        {"type": "end_repeat"},
        {"type": "calculate", "name": "umur_calc", "calculation": "2025 - ${tahun_lahir}"},
        _q("text", "catatan", "Catatan petugas"),
    ],
    "choices": [
        *_choices("sumber", "datang_langsung", "telepon", "kader_posyandu"),
        *_choices("dusun", "tuntang", "teros_timur"),
        *_choices("jk", "p", "l"),
        *_choices("bentuk", "fisik", "psikis", "seksual", "penelantaran"),
        *_choices("tempat", "rumah", "sekolah", "lainnya"),
        *_choices("hubungan", "ayah", "paman", "tetangga", "tidak_tahu"),
        *_choices("pemberi", "sendiri", "orang_tua", "wali", "tidak_ada"),
        *_choices("layanan", "puskesmas", "uptd_ppa", "polisi"),
        *_choices("ya_tidak", "ya", "tidak"),
        *_choices("lembaga", "pkm_lh", "uptd"),
    ],
}

LPA_MAPPING = """
[form]
id = "lpa_kasus"
timezone = "WITA"
description = "LPA case intake (tests)"

[[records]]
kind = "case"
id = "LPA-{identitas/kode}"
recorded_at = "end"

[records.only_if]
"consent.assent" = "persetujuan/assent"

[records.fields]
group_id = { const = "kk-teros" }
village_id = { const = "52.03.17.2003" }
reported_on = "identitas/tgl_lapor"
channel = { field = "identitas/sumber", choices = { datang_langsung = "walk_in", telepon = "phone", kader_posyandu = "posyandu" } }
category = { const = "violence" }
summary = "catatan"
"subject.sex" = { field = "identitas/jk", choices = { p = "female", l = "male" } }
"subject.birth_year" = "identitas/tahun_lahir"
"subject.birth_month" = "identitas/bulan_lahir"
"subject.hamlet_id" = { field = "identitas/dusun", choices = { tuntang = "dusun-tuntang", teros_timur = "dusun-teros-timur" } }
"subject.identity" = { field = "identitas/nik", pseudonymise = true }
"subject.initials" = "identitas/inisial"
"violence.forms" = { field = "kejadian/bentuk", choices = { fisik = "physical", psikis = "psychological", seksual = "sexual", penelantaran = "neglect" } }
"violence.place" = { field = "kejadian/tempat", choices = { rumah = "household", sekolah = "school", lainnya = "other" } }
"violence.occurred_on" = "kejadian/tgl_kejadian"
"consent.giver" = { field = "persetujuan/pemberi", choices = { sendiri = "self", orang_tua = "parent", wali = "guardian", tidak_ada = "none" } }
"consent.services" = { field = "persetujuan/layanan", choices = { puskesmas = "puskesmas", uptd_ppa = "uptd_ppa", polisi = "police_ppa" } }
"consent.recorded_on" = "persetujuan/tgl_setuju"
"consent.assent.decision" = { field = "persetujuan/assent", choices = { ya = "given", tidak = "refused" } }
"consent.assent.recorded_on" = "persetujuan/tgl_setuju"

[[records.lists]]
into = "violence.perpetrators"
repeat = "kejadian/pelaku"
[records.lists.fields]
relation = { field = "kejadian/pelaku/hubungan", choices = { ayah = "parent", paman = "family", tetangga = "neighbour", tidak_tahu = "unknown" } }
sex = { field = "kejadian/pelaku/jk_pelaku", choices = { p = "female", l = "male" } }

[[records]]
kind = "referral"
repeat = "rujukan"
id = "{@case}-R{#}"
[records.fields]
case_id = "{@case}"
provider_id = { field = "rujukan/lembaga", choices = { pkm_lh = "pkm-labuhan-haji", uptd = "uptd-ppa-lotim" } }
reason = { field = "rujukan/alasan", default = "rujukan dari LPA" }
sent_on = "rujukan/tgl_rujuk"
"""


def lpa_answers(i: int = 1, **changes: Any) -> dict[str, Any]:
    """The answers (as the API gives them: text) of LPA case number ``i``."""
    answers: dict[str, Any] = {
        "start": "2025-03-04T09:12:00.000+08:00",
        "end": "2025-03-04T09:40:00.000+08:00",
        "identitas/kode": f"2025-{i:03d}",
        "identitas/tgl_lapor": "2025-03-04",
        "identitas/sumber": "datang_langsung",
        "identitas/dusun": "tuntang",
        "identitas/jk": "p",
        "identitas/tahun_lahir": "1999",
        "identitas/bulan_lahir": "7",
        "identitas/nik": NIK,
        "identitas/inisial": "S.N.",
        "kejadian/tgl_kejadian": "2025-03-02",
        "kejadian/bentuk": "fisik psikis",
        "kejadian/tempat": "rumah",
        "kejadian/lokasi": "-8.6513 116.5327 12.5 4.0",
        "kejadian/pelaku": [
            {"kejadian/pelaku/hubungan": "tetangga", "kejadian/pelaku/jk_pelaku": "l"}
        ],
        "persetujuan/pemberi": "sendiri",
        "persetujuan/layanan": "puskesmas uptd_ppa",
        "persetujuan/tgl_setuju": "2025-03-04",
        "rujukan": [
            {
                "rujukan/lembaga": "pkm_lh",
                "rujukan/tgl_rujuk": "2025-03-05",
                "rujukan/alasan": "visum et repertum",
            }
        ],
        "umur_calc": "26",
        "catatan": "Korban datang bersama kakaknya.",
    }
    for key, value in changes.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    return answers


UMKM_FORM: dict[str, Any] = {
    "settings": {"id_string": "umkm_dukungan"},
    "survey": [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "begin_group", "name": "usaha"},
        {"type": "text", "name": "kode"},
        {"type": "text", "name": "nama"},
        {"type": "text", "name": "pemilik"},
        {"type": "select_one jk", "name": "jk"},
        {"type": "select_one sektor", "name": "sektor"},
        {"type": "end_group"},
        {"type": "begin_group", "name": "dukungan"},
        {"type": "select_one jenis", "name": "jenis"},
        {"type": "date", "name": "mulai"},
        {"type": "select_one status", "name": "status"},
        {"type": "date", "name": "selesai"},
        {"type": "decimal", "name": "nominal"},
        {"type": "select_one anggota", "name": "pendamping"},
        {"type": "end_group"},
    ],
    "choices": [
        *_choices("jk", "p", "l"),
        *_choices("sektor", "olahan_pangan", "dagang", "kerajinan"),
        *_choices("jenis", "nib", "pirt", "halal", "kur"),
        *_choices("status", "rencana", "proses", "berhasil", "gagal"),
        *_choices("anggota", "m08", "m09"),
    ],
}

UMKM_MAPPING = """
[form]
id = "umkm_dukungan"

[[records]]
kind = "business"
id = "umkm-{usaha/kode}"
[records.fields]
group_id = { const = "kk-teros" }
name = "usaha/nama"
owner_name = "usaha/pemilik"
owner_sex = { field = "usaha/jk", choices = { p = "female", l = "male" } }
sector = { field = "usaha/sektor", choices = { olahan_pangan = "food_processing", dagang = "trade", kerajinan = "handicraft" } }

[[records]]
kind = "support_action"
id = "{@business}-{dukungan/jenis}-{dukungan/mulai}"
[records.fields]
business_id = "{@business}"
type = { field = "dukungan/jenis", choices = { nib = "permit_nib", pirt = "permit_pirt", halal = "permit_halal", kur = "capital_kur" } }
started_on = "dukungan/mulai"
status = { field = "dukungan/status", choices = { rencana = "planned", proses = "in_progress", berhasil = "achieved", gagal = "failed" } }
completed_on = "dukungan/selesai"
amount_rupiah = "dukungan/nominal"
member_id = { field = "dukungan/pendamping", choices = { m08 = "kk-teros-m08", m09 = "kk-teros-m09" } }
"""

RAPAT_FORM: dict[str, Any] = {
    "settings": {"id_string": "rapat_kk"},
    "survey": [
        {"type": "text", "name": "judul"},
        {"type": "date", "name": "tanggal"},
        {"type": "select_one jenis", "name": "jenis"},
        {"type": "select_multiple anggota", "name": "hadir"},
        {"type": "integer", "name": "perempuan"},
        {"type": "integer", "name": "laki"},
        {"type": "integer", "name": "disabilitas"},
    ],
    "choices": [
        *_choices("jenis", "rapat_kk", "musdus", "musdes"),
        *_choices("anggota", "m08", "m09"),
    ],
}

RAPAT_MAPPING = """
[form]
id = "rapat_kk"

[[records]]
kind = "meeting"
id = "rapat-{tanggal}"
[records.fields]
group_id = { const = "kk-teros" }
title = "judul"
held_on = "tanggal"
type = { field = "jenis", choices = { rapat_kk = "kk_meeting", musdus = "musyawarah_dusun", musdes = "musyawarah_desa" } }
member_ids = { field = "hadir", choices = { m08 = "kk-teros-m08", m09 = "kk-teros-m09" } }
"attendance.female" = "perempuan"
"attendance.male" = "laki"
"attendance.with_disability" = "disabilitas"
"""


def reference_records() -> list[Any]:
    """The village, hamlets, group, members and providers the mapped records point at."""
    teros = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")
    return [
        teros,
        Hamlet("dusun-tuntang", teros.id, "Tuntang"),
        Hamlet("dusun-teros-timur", teros.id, "Teros Timur"),
        ConstituentGroup("kk-teros", teros.id, "Kelompok Konstituen Desa Teros"),
        Member(
            "kk-teros-m08",
            "kk-teros",
            "Rohani",
            Sex.FEMALE,
            {Affiliation.POSYANDU_CADRE},
            date(2023, 5, 20),
        ),
        Member(
            "kk-teros-m09",
            "kk-teros",
            "Sulaeman",
            Sex.MALE,
            {Affiliation.HAMLET_HEAD},
            date(2023, 5, 20),
        ),
        ServiceProvider("pkm-labuhan-haji", ServiceKind.PUSKESMAS, "Puskesmas Labuhan Haji"),
        ServiceProvider("uptd-ppa-lotim", ServiceKind.UPTD_PPA, "UPTD PPA Lombok Timur"),
    ]


def fill(store: Store) -> Store:
    store.put_many(reference_records())
    return store


class KeyPlugin:
    """The deployment's pseudonymisation key, as a plugin gives it."""

    @hookimpl
    def kk_pseudonym_key(self) -> bytes:
        return KEY


def bench_answers(i: int, rng: random.Random) -> dict[str, Any]:
    """LPA case ``i`` with varied answers (about 1 KB as the API gives it)."""
    reported = date(2024, 1, 1) + timedelta(days=i % 600)
    occurred = reported - timedelta(days=rng.randint(0, 20))
    forms = rng.choice(["fisik", "fisik psikis", "psikis", "penelantaran psikis", "seksual"])
    return lpa_answers(
        i,
        **{
            "identitas/kode": f"{i:07d}",
            "identitas/tgl_lapor": reported.isoformat(),
            "start": f"{reported.isoformat()}T08:{i % 60:02d}:00.000+08:00",
            "end": f"{reported.isoformat()}T09:{i % 60:02d}:00.000+08:00",
            "identitas/sumber": rng.choice(["datang_langsung", "telepon", "kader_posyandu"]),
            "identitas/dusun": rng.choice(["tuntang", "teros_timur"]),
            "identitas/jk": "p" if i % 4 else "l",
            "identitas/tahun_lahir": str(1960 + i % 45),
            "identitas/bulan_lahir": str(1 + i % 12),
            "identitas/nik": f"5203{17 + i % 50:02d}{(i * 7919) % 10**10:010d}",
            "kejadian/tgl_kejadian": occurred.isoformat(),
            "kejadian/bentuk": forms,
            "kejadian/tempat": rng.choice(["rumah", "rumah", "sekolah", "lainnya"]),
            "persetujuan/tgl_setuju": reported.isoformat(),
            "rujukan": [
                {
                    "rujukan/lembaga": rng.choice(["pkm_lh", "uptd"]),
                    "rujukan/tgl_rujuk": reported.isoformat(),
                    "rujukan/alasan": "pendampingan",
                }
            ],
        },
    )


def fill_bench_asset(server: KoboLookalike, n: int, edits: int = 0) -> None:
    """``n`` LPA cases on the look-alike, then ``edits`` of them edited."""
    server.add_asset(BENCH_UID, LPA_FORM, name="Kasus LPA (benchmark)")
    rng = random.Random(12)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        server.add_submission(
            BENCH_UID, bench_answers(i, rng), submitted_at=start + timedelta(seconds=i)
        )
    for number in rng.sample(sorted(server.assets[BENCH_UID].submissions), min(edits, n)):
        server.edit_submission(BENCH_UID, number, {"catatan": "diperbaiki"})
