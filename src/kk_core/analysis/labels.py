"""Labels of dimensions and their values in Indonesian and English, and the order rows
take: code-list order, every code of the list (zeros included), hamlet and village
names joined, months and quarters in calendar order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from kk_core.codes import CODE_LISTS
from kk_core.dimensions import Dimension, dimension_codes, dimensions_of
from kk_core.kinds import RecordType, record_type

__all__ = [
    "DIMENSION_LABELS",
    "LANGUAGES",
    "NOT_RECORDED",
    "TOTAL",
    "dimension_label",
    "grid_values",
    "value_label",
]

LANGUAGES = ("id", "en")

#: The label of the total row and column, and of a value no record holds (None).
TOTAL = {"id": "Jumlah", "en": "Total"}
NOT_RECORDED = {"id": "Tidak tercatat", "en": "Not recorded"}
_YES_NO = {True: {"id": "Ya", "en": "Yes"}, False: {"id": "Tidak", "en": "No"}}

#: Every dimension name of every kind → (Indonesian, English); a test checks none is missing.
DIMENSION_LABELS: Mapping[str, tuple[str, str]] = {
    "accepted": ("Diterima layanan", "Accepted by the service"),
    "age_band": ("Kelompok umur", "Age band"),
    "allocated_rupiah": ("Rupiah dialokasikan", "Rupiah allocated"),
    "amount_rupiah": ("Jumlah modal (Rp)", "Capital amount (Rp)"),
    "area": ("Wilayah layanan", "Service area"),
    "asked_on": ("Tanggal bertanya", "Date asked"),
    "audience_female": ("Peserta perempuan", "Women attending"),
    "audience_male": ("Peserta laki-laki", "Men attending"),
    "audience_total": ("Jumlah peserta", "People attending"),
    "audience_with_disability": ("Peserta dengan disabilitas", "Attending with a disability"),
    "budget_field": ("Bidang APBDes", "APBDes field"),
    "business_id": ("Usaha", "Business"),
    "carried_over_from": ("Lanjutan dari usulan", "Carried over from"),
    "case_id": ("Kasus", "Case"),
    "category": ("Kategori kasus", "Case category"),
    "channel": ("Saluran", "Channel"),
    "closed_on": ("Tanggal ditutup", "Date closed"),
    "companion_id": ("Pendamping", "Companion"),
    "completed_on": ("Tanggal selesai", "Date completed"),
    "core_service": ("Jenis layanan (inti)", "Kind of service (core)"),
    "cycle_year": ("Tahun anggaran", "Budget year"),
    "data_set": ("Data", "Data set"),
    "district": ("Kecamatan", "District"),
    "document": ("Dokumen kependudukan", "Civil document"),
    "dropout_reason": ("Alasan putus sekolah", "Dropout reason"),
    "established_on": ("Tanggal dibentuk", "Date established"),
    "finished_on": ("Tanggal selesai", "Date finished"),
    "follow_up_due": ("Jatuh tempo tindak lanjut", "Follow-up due"),
    "format": ("Bentuk sosialisasi", "Session format"),
    "formed_on": ("Tanggal dibentuk", "Date formed"),
    "forum": ("Forum", "Forum"),
    "gbvims_type": ("Jenis GBVIMS", "GBVIMS type"),
    "group_id": ("Kelompok Konstituen", "Constituent group"),
    "hamlet_id": ("Dusun", "Hamlet"),
    "handed_on": ("Tanggal diserahkan", "Date handed over"),
    "handed_to": ("Diserahkan kepada", "Handed to"),
    "has_capital_support": ("Mendapat modal", "Has capital support"),
    "has_disability": ("Disabilitas", "Disability"),
    "held_on": ("Tanggal", "Date held"),
    "id": ("Id", "Id"),
    "incident_id": ("Kejadian", "Incident"),
    "issue": ("Masalah (dihitung di tiap masalah)", "Issue (counted in each)"),
    "joined_on": ("Tanggal bergabung", "Date joined"),
    "left_on": ("Tanggal keluar", "Date left"),
    "legal_stage": ("Tahap proses hukum", "Legal stage"),
    "lives_in_village": ("Tinggal di desa", "Lives in the village"),
    "marriage_route": ("Jalur perkawinan anak", "Child-marriage route"),
    "gbvims_flag": ("Penanda konteks GBVIMS", "GBVIMS context flag"),
    "member_id": ("Anggota", "Member"),
    "month": ("Bulan", "Month"),
    "name": ("Nama", "Name"),
    "next_follow_up": ("Tindak lanjut berikutnya", "Next follow-up"),
    "open": ("Masih berjalan", "Open"),
    "organiser": ("Penyelenggara", "Organiser"),
    "outcome": ("Hasil", "Outcome"),
    "override": ("Alasan tanpa persetujuan", "Override reason"),
    "owner_has_disability": ("Pemilik dengan disabilitas", "Owner has a disability"),
    "owner_sex": ("Jenis kelamin pemilik", "Owner's sex"),
    "place": ("Tempat kejadian", "Place of the incident"),
    "place_simfoni": ("Tempat kejadian (SIMFONI)", "Place of the incident (SIMFONI)"),
    "position": ("Jabatan", "Position"),
    "programme": ("Program bantuan", "Programme"),
    "provider_id": ("Lembaga layanan", "Service provider"),
    "province": ("Provinsi", "Province"),
    "published_on": ("Tanggal terbit", "Date published"),
    "quarter": ("Triwulan", "Quarter"),
    "regency": ("Kabupaten", "Regency"),
    "regency_code": ("Kode kabupaten", "Regency code"),
    "relation_simfoni": ("Hubungan pelaku (SIMFONI)", "Perpetrator relation (SIMFONI)"),
    "reported_on": ("Tanggal lapor", "Date reported"),
    "reporter": ("Pelapor", "Reporter"),
    "requested_rupiah": ("Rupiah diusulkan", "Rupiah requested"),
    "resolution": ("Penyelesaian", "Resolution"),
    "resolved_on": ("Tanggal diselesaikan", "Date resolved"),
    "responded_on": ("Tanggal dijawab layanan", "Date the service responded"),
    "risk": ("Tingkat risiko", "Risk level"),
    "sector": ("Sektor", "Sector"),
    "sent_on": ("Tanggal dirujuk", "Date sent"),
    "service": ("Jenis layanan", "Kind of service"),
    "sex": ("Jenis kelamin", "Sex"),
    "sexual_violence": ("Kekerasan seksual", "Sexual violence"),
    "source": ("Sumber impor", "Import source"),
    "started_on": ("Tanggal mulai", "Date started"),
    "status": ("Status", "Status"),
    "subcategory": ("Sub-kategori", "Sub-category"),
    "topic": ("Topik", "Topic"),
    "type": ("Jenis", "Type"),
    "village_id": ("Desa", "Village"),
    "violence_form": ("Bentuk kekerasan", "Form of violence"),
    "welfare_decile": ("Desil kesejahteraan", "Welfare decile"),
    "year": ("Tahun", "Year"),
}

_MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_BOOL_LABELS = {
    "has_disability": {
        True: {"id": "Dengan disabilitas", "en": "With a disability"},
        False: {"id": "Tanpa disabilitas", "en": "Without a disability"},
    },
}


def dimension_label(name: str, lang: str = "id") -> str:
    """The label of a dimension name (the name itself for one not listed)."""
    labels = DIMENSION_LABELS.get(name)
    if labels is None:
        return name
    return labels[1] if lang == "en" else labels[0]


def _month_label(value: str, lang: str) -> str:
    year, month = value.split("-")
    names = _MONTHS_EN if lang == "en" else _MONTHS_ID
    return f"{names[int(month) - 1]} {year}"


def value_label(
    dim: Dimension | None,
    value: Any,
    lang: str = "id",
    *,
    names: Mapping[Any, str] | None = None,
) -> str:
    """The label of one value of a dimension: a code's label, a hamlet's name (from
    ``names``), a village's official name, a month in words, Yes/No."""
    if value is None:
        return NOT_RECORDED[lang]
    if names is not None and value in names:
        return names[value]
    if dim is None:
        return str(value)
    codes = dimension_codes(dim)
    if codes is not None and isinstance(value, str):
        entry = codes.get(value)
        return entry.label(lang) if entry is not None else value
    if isinstance(value, bool):
        return _BOOL_LABELS.get(dim.name, _YES_NO)[value][lang]
    if dim.name == "month" and isinstance(value, str):
        return _month_label(value, lang)
    if dim.name == "quarter" and isinstance(value, str):
        year, q = value.split("-")
        return f"{'Triwulan' if lang == 'id' else 'Quarter'} {q[1]} {year}"
    if dim.name == "village_id" and isinstance(value, str):
        from kk_core import regions

        found = regions.get(value)
        return found.name if found is not None else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def _quarters_between(first: str, last: str) -> list[str]:
    year, q = int(first[:4]), int(first[-1])
    out = []
    while f"{year:04d}-Q{q}" <= last:
        out.append(f"{year:04d}-Q{q}")
        q += 1
        if q == 5:
            year, q = year + 1, 1
    return out


def grid_values(
    kind: RecordType | str,
    name: str,
    present: Iterable[Any],
    *,
    known: Iterable[Any] | None = None,
) -> list[Any]:
    """The rows of a dimension in a table: ``known`` (the caller's list: a village's
    hamlets, the codes an indicator shows) or every code of its list in list order, or
    the calendar from the first to the last month, quarter or year present, or booleans
    (True first), or the values present in order; then values present that are not
    among those; None (not recorded) last, when present."""
    dim = dimensions_of(record_type(kind)).get(name)
    present_set = set(present)
    values: list[Any]
    if known is not None:
        values = list(known)
    elif dim is not None and dimension_codes(dim) is not None:
        codes = dimension_codes(dim)
        assert codes is not None
        core = CODE_LISTS[codes.name].core
        if codes.extensible and core is not None and dim.name.endswith("_simfoni"):
            values = [m.value for m in core]  # rolled up: the core codes only
        elif codes.extensible:  # the core (if any), then the local codes present
            values = [
                e.code for e in codes if (core is not None and not e.local) or e.code in present_set
            ]
        else:
            values = list(codes.codes)
    elif dim is not None and dim.type is bool:
        values = [True, False]
    else:
        real = sorted(v for v in present_set if v is not None)
        if real and name == "month":
            values = _months_between(real[0], real[-1])
        elif real and name == "quarter":
            values = _quarters_between(real[0], real[-1])
        elif real and name in ("year", "cycle_year") and all(isinstance(v, int) for v in real):
            values = list(range(real[0], real[-1] + 1))
        else:
            values = real
    listed = set(values)
    extra = sorted((v for v in present_set if v is not None and v not in listed), key=str)
    values += extra
    if None in present_set and None not in listed:
        values.append(None)
    return values
