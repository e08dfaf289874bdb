"""Every code list of the domain, in one place, with Indonesian and English labels.

Codes are stable snake_case strings: they are what stores, CSV files and Kobo forms
hold. Labels are for people and may be reworded; lookups accept either language and
forgive case, accents and separators (``CaseCategory.parse("Perkawinan Anak")``).

Closed lists are enums because the domain's rules depend on their members. Open lists
(business sectors, issue areas, case sub-categories, service providers) are plain
`CodeList` objects that plugins extend with local entries.
"""

from __future__ import annotations

from kk_core._coded import Coded, CodeEntry, CodeList, normalize_label, register_enum_list

__all__ = [
    "CODELIST_VERSION",
    "CODE_LISTS",
    "Affiliation",
    "AgeBand",
    "CaseAction",
    "CaseCategory",
    "CaseOutcome",
    "CaseStatus",
    "CodeEntry",
    "CodeList",
    "Coded",
    "ConsentGiver",
    "DisabilityDomain",
    "Division",
    "Forum",
    "GbvimsType",
    "GroupFunction",
    "IncidentPlace",
    "IntakeChannel",
    "OverrideReason",
    "PerpetratorRelation",
    "Position",
    "ProposalAction",
    "ProposalStatus",
    "PublicationChannel",
    "ReferralAction",
    "ReferralStatus",
    "RiskLevel",
    "ServiceKind",
    "SessionFormat",
    "Sex",
    "SocialProgramme",
    "SupportStatus",
    "SupportType",
    "ViolenceForm",
    "normalize_label",
]

CODELIST_VERSION = "2026.1"


class Division(Coded):
    """The four divisions (bidang) of a KK."""

    PUBLIC_RELATIONS = (
        "public_relations",
        "Humas",
        "Public relations",
        "Information services, publication and communication.",
    )
    ECONOMY = (
        "economy",
        "Ekonomi",
        "Economy",
        "Helps micro-businesses (UMKM) get permits, mentoring and access to capital.",
    )
    DATA = (
        "data",
        "Pendataan",
        "Data",
        "Keeps data up to date; coordinates and advocates policy to the village government.",
    )
    COMPLAINTS = (
        "complaints",
        "Pengaduan",
        "Complaints",
        "Case outreach, recording and accompaniment of victims and residents needing protection.",
    )


class GroupFunction(Coded):
    """The four functions (fungsi) a KK carries out through its divisions."""

    EDUCATION = (
        "education",
        "Pendidikan",
        "Education",
        "Raising residents' awareness of rights and services.",
    )
    ACCOMPANIMENT = (
        "accompaniment",
        "Pendampingan",
        "Accompaniment",
        "Accompanying residents and victims to services.",
    )
    INFORMATION_CENTRE = (
        "information_centre",
        "Pusat informasi",
        "Information centre",
        "A place residents ask about services.",
    )
    ADVOCACY = (
        "advocacy",
        "Advokasi",
        "Advocacy",
        "Bringing evidence to village deliberations and budgets.",
    )


class Sex(Coded):
    FEMALE = ("female", "Perempuan", "Female")
    MALE = ("male", "Laki-laki", "Male")


class DisabilityDomain(Coded):
    """Washington Group short-set domains: a person may have difficulty in several."""

    SEEING = ("seeing", "Penglihatan", "Seeing")
    HEARING = ("hearing", "Pendengaran", "Hearing")
    WALKING = ("walking", "Berjalan", "Walking or climbing steps")
    COGNITION = ("cognition", "Mengingat atau berkonsentrasi", "Remembering or concentrating")
    SELF_CARE = ("self_care", "Mengurus diri sendiri", "Self-care")
    COMMUNICATION = ("communication", "Berkomunikasi", "Communicating")


class Affiliation(Coded):
    """Where a member comes from (unsur)."""

    VILLAGE_GOVERNMENT = ("village_government", "Pemerintah desa", "Village government")
    HAMLET_HEAD = ("hamlet_head", "Kepala wilayah / dusun", "Hamlet head", "Kawil or Kadus.")
    PKK = ("pkk", "PKK", "PKK (family welfare movement)")
    POSYANDU_CADRE = ("posyandu_cadre", "Kader Posyandu", "Posyandu health cadre")
    COMMUNITY_LEADER = ("community_leader", "Tokoh masyarakat", "Community leader")
    RELIGIOUS_LEADER = ("religious_leader", "Tokoh agama", "Religious leader")
    YOUTH = ("youth", "Pemuda", "Youth")
    OTHER = ("other", "Lainnya", "Other")


class Position(Coded):
    """A member's position on the board (kepengurusan)."""

    CHAIR = ("chair", "Ketua", "Chair")
    VICE_CHAIR = ("vice_chair", "Wakil ketua", "Vice-chair")
    SECRETARY = ("secretary", "Sekretaris", "Secretary")
    TREASURER = ("treasurer", "Bendahara", "Treasurer")
    DIVISION_COORDINATOR = ("division_coordinator", "Koordinator bidang", "Division coordinator")
    MEMBER = ("member", "Anggota", "Member")


class IntakeChannel(Coded):
    """How a case reached the KK."""

    WALK_IN = ("walk_in", "Datang langsung", "Walk-in")
    OUTREACH_VISIT = ("outreach_visit", "Penjangkauan", "Outreach visit")
    PHONE = ("phone", "Telepon / WhatsApp", "Phone or WhatsApp")
    POSYANDU = ("posyandu", "Posyandu", "Posyandu")
    SCHOOL = ("school", "Sekolah", "School")
    REFERRAL_IN = ("referral_in", "Rujukan lembaga lain", "Referral from another body")


class CaseCategory(Coded):
    """What a case is about; one per case."""

    VIOLENCE = ("violence", "Kekerasan", "Violence", "Violence against women or children.")
    CHILD_MARRIAGE = (
        "child_marriage",
        "Perkawinan anak",
        "Child marriage",
        "Marriage below 19 (UU 16/2019).",
    )
    SCHOOL_DROPOUT = ("school_dropout", "Putus sekolah", "School dropout")
    SOCIAL_PROTECTION = (
        "social_protection",
        "Perlindungan sosial",
        "Social protection",
        "Access to PKH, BPNT, PBI-JKN, BLT, PIP.",
    )
    CIVIL_REGISTRATION = (
        "civil_registration",
        "Administrasi kependudukan",
        "Civil registration",
        "Birth certificates, KTP, KK (adminduk).",
    )
    DISABILITY_SUPPORT = ("disability_support", "Dukungan disabilitas", "Disability support")
    OTHER = ("other", "Lainnya", "Other")


class SocialProgramme(Coded):
    """Social-protection programmes a case may concern."""

    PKH = ("pkh", "Program Keluarga Harapan (PKH)", "Family Hope Programme (PKH)")
    BPNT = ("bpnt", "BPNT / Sembako", "Non-cash food assistance (BPNT)")
    PBI_JKN = ("pbi_jkn", "PBI-JKN", "Health insurance contribution assistance (PBI-JKN)")
    BLT_DANA_DESA = ("blt_dana_desa", "BLT Dana Desa", "Village-fund cash transfer (BLT DD)")
    PIP = ("pip", "Program Indonesia Pintar (PIP)", "Smart Indonesia Programme (PIP)")
    OTHER = ("other", "Program lain", "Other programme")


class GbvimsType(Coded):
    """The six GBVIMS incident types SIMFONI forms map onto."""

    RAPE = ("rape", "Perkosaan", "Rape")
    SEXUAL_ASSAULT = ("sexual_assault", "Serangan seksual", "Sexual assault")
    PHYSICAL_ASSAULT = ("physical_assault", "Serangan fisik", "Physical assault")
    FORCED_MARRIAGE = ("forced_marriage", "Perkawinan paksa", "Forced marriage")
    DENIAL_OF_RESOURCES = ("denial_of_resources", "Penghalangan sumber daya", "Denial of resources")
    PSYCHOLOGICAL_ABUSE = (
        "psychological_abuse",
        "Kekerasan psikologis / emosional",
        "Psychological / emotional abuse",
    )


class ViolenceForm(Coded):
    """Forms of violence as in SIMFONI-PPA; several may apply to one incident."""

    PHYSICAL = ("physical", "Fisik", "Physical")
    PSYCHOLOGICAL = ("psychological", "Psikis", "Psychological")
    SEXUAL = ("sexual", "Seksual", "Sexual")
    EXPLOITATION = ("exploitation", "Eksploitasi", "Exploitation")
    TRAFFICKING = ("trafficking", "Perdagangan orang (TPPO)", "Trafficking")
    NEGLECT = ("neglect", "Penelantaran", "Neglect")
    OTHER = ("other", "Lainnya", "Other")

    @property
    def gbvims(self) -> GbvimsType | None:
        """The GBVIMS type this form counts as, where one fits without case review."""
        return _GBVIMS.get(self)


_GBVIMS: dict[ViolenceForm, GbvimsType] = {
    ViolenceForm.PHYSICAL: GbvimsType.PHYSICAL_ASSAULT,
    ViolenceForm.PSYCHOLOGICAL: GbvimsType.PSYCHOLOGICAL_ABUSE,
    ViolenceForm.SEXUAL: GbvimsType.SEXUAL_ASSAULT,
    ViolenceForm.NEGLECT: GbvimsType.DENIAL_OF_RESOURCES,
    ViolenceForm.EXPLOITATION: GbvimsType.DENIAL_OF_RESOURCES,
}


class IncidentPlace(Coded):
    HOUSEHOLD = ("household", "Rumah tangga", "Household")
    WORKPLACE = ("workplace", "Tempat kerja", "Workplace")
    SCHOOL = ("school", "Sekolah", "School")
    PUBLIC_FACILITY = ("public_facility", "Fasilitas umum", "Public facility")
    OTHER = ("other", "Lainnya", "Other")


class PerpetratorRelation(Coded):
    PARENT = ("parent", "Orang tua", "Parent")
    FAMILY = ("family", "Keluarga / saudara", "Family")
    SPOUSE = ("spouse", "Suami / istri", "Spouse")
    PARTNER_FRIEND = ("partner_friend", "Pacar / teman", "Partner or friend")
    NEIGHBOUR = ("neighbour", "Tetangga", "Neighbour")
    TEACHER = ("teacher", "Guru", "Teacher")
    EMPLOYER = ("employer", "Majikan", "Employer")
    COWORKER = ("coworker", "Rekan kerja", "Co-worker")
    OTHER = ("other", "Lainnya", "Other")
    UNKNOWN = ("unknown", "Tidak diketahui", "Unknown")


class AgeBand(Coded):
    """SIMFONI age bands; derived from age, never entered by hand."""

    AGE_0_5 = ("age_0_5", "0–5 tahun", "0–5 years")
    AGE_6_12 = ("age_6_12", "6–12 tahun", "6–12 years")
    AGE_13_17 = ("age_13_17", "13–17 tahun", "13–17 years")
    AGE_18_24 = ("age_18_24", "18–24 tahun", "18–24 years")
    AGE_25_44 = ("age_25_44", "25–44 tahun", "25–44 years")
    AGE_45_59 = ("age_45_59", "45–59 tahun", "45–59 years")
    AGE_60_PLUS = ("age_60_plus", "60 tahun ke atas", "60 years and over")

    @classmethod
    def for_age(cls, age: int) -> AgeBand:
        if age < 0:
            raise ValueError(f"age cannot be negative: {age}")
        for upper, band in _AGE_UPPER:
            if age <= upper:
                return band
        return cls.AGE_60_PLUS

    @property
    def is_child(self) -> bool:
        return self in (AgeBand.AGE_0_5, AgeBand.AGE_6_12, AgeBand.AGE_13_17)


_AGE_UPPER = (
    (5, AgeBand.AGE_0_5),
    (12, AgeBand.AGE_6_12),
    (17, AgeBand.AGE_13_17),
    (24, AgeBand.AGE_18_24),
    (44, AgeBand.AGE_25_44),
    (59, AgeBand.AGE_45_59),
)


class RiskLevel(Coded):
    LOW = ("low", "Rendah", "Low")
    MEDIUM = ("medium", "Sedang", "Medium")
    HIGH = ("high", "Tinggi", "High", "Immediate danger; act within 24 hours.")


class ConsentGiver(Coded):
    """Who gave consent for a case to be recorded and shared."""

    SELF = ("self", "Yang bersangkutan", "The client")
    PARENT = ("parent", "Orang tua", "Parent")
    GUARDIAN = ("guardian", "Wali", "Guardian")
    NONE = ("none", "Tidak ada persetujuan", "No consent given")


class OverrideReason(Coded):
    """Why a referral may go ahead without consent."""

    CHILD_AT_RISK = (
        "child_at_risk",
        "Anak dalam bahaya",
        "Child at risk",
        "Best interest of the child (UU 35/2014).",
    )
    IMMINENT_DANGER = ("imminent_danger", "Bahaya mengancam jiwa", "Imminent danger to life")
    LEGAL_DUTY = ("legal_duty", "Kewajiban hukum", "Legal duty to report", "e.g. UU TPKS 12/2022.")


class CaseAction(Coded):
    """What can happen to a case; the rows of the case lifecycle table."""

    REPORT = ("report", "Dilaporkan", "Reported")
    ASSIGN = ("assign", "Pendamping ditetapkan", "Companion assigned")
    RECORD_CONSENT = ("record_consent", "Persetujuan dicatat", "Consent recorded")
    CHANGE_RISK = ("change_risk", "Tingkat risiko diubah", "Risk level changed")
    NOTE = ("note", "Catatan pendampingan", "Accompaniment note")
    REFER = ("refer", "Dirujuk", "Referred")
    RESUME = (
        "resume",
        "Rujukan selesai, pendampingan berlanjut",
        "Referrals done, accompaniment resumed",
    )
    CLOSE = ("close", "Ditutup", "Closed")
    REOPEN = ("reopen", "Dibuka kembali", "Reopened")


class ReferralAction(Coded):
    SEND = ("send", "Dikirim", "Sent")
    ACCEPT = ("accept", "Diterima layanan", "Accepted by the service")
    DECLINE = ("decline", "Ditolak layanan", "Declined by the service")
    FOLLOW_UP = ("follow_up", "Ditindaklanjuti", "Followed up")
    COMPLETE = ("complete", "Selesai", "Completed")
    CANCEL = ("cancel", "Dibatalkan", "Cancelled")


class ProposalAction(Coded):
    DRAFT = ("draft", "Disusun", "Drafted")
    SUBMIT = ("submit", "Diajukan ke forum", "Submitted to the forum")
    DISCUSS = ("discuss", "Dibahas dalam forum", "Discussed in the forum")
    ADOPT = ("adopt", "Masuk RKPDes", "Adopted in the RKPDes")
    FUND = ("fund", "Didanai APBDes", "Funded in the APBDes")
    REJECT = ("reject", "Ditolak", "Rejected")


class CaseStatus(Coded):
    REPORTED = ("reported", "Dilaporkan", "Reported", "Recorded; no companion yet.")
    ACTIVE = ("active", "Ditangani", "In progress", "Being accompanied or followed up by the KK.")
    REFERRED = ("referred", "Dirujuk", "Referred", "At least one referral is open.")
    CLOSED = ("closed", "Ditutup", "Closed")


class CaseOutcome(Coded):
    RESOLVED = ("resolved", "Selesai / tertangani", "Resolved")
    SERVICE_RECEIVED = ("service_received", "Mendapat layanan", "Service received")
    LEGAL_PROCESS = ("legal_process", "Proses hukum berjalan", "Legal process under way")
    RETURNED_TO_SCHOOL = ("returned_to_school", "Kembali bersekolah", "Returned to school")
    MARRIAGE_PREVENTED = ("marriage_prevented", "Perkawinan dicegah", "Marriage prevented")
    DOCUMENT_ISSUED = ("document_issued", "Dokumen terbit", "Document issued")
    WITHDRAWN = ("withdrawn", "Dicabut oleh pelapor", "Withdrawn by client")
    UNREACHABLE = ("unreachable", "Tidak dapat dihubungi", "Client unreachable")
    TRANSFERRED = ("transferred", "Dialihkan", "Transferred to another body")
    OTHER = ("other", "Lainnya", "Other")


class ServiceKind(Coded):
    """Kinds of service a KK refers to."""

    UPTD_PPA = ("uptd_ppa", "UPTD PPA", "District women and child protection unit (UPTD PPA)")
    POLICE_PPA = ("police_ppa", "Unit PPA Kepolisian", "Police women and children unit")
    PUSKESMAS = ("puskesmas", "Puskesmas", "Community health centre")
    DINAS_SOSIAL = ("dinas_sosial", "Dinas Sosial", "Social affairs office")
    KUA = ("kua", "KUA", "Religious affairs office (KUA)")
    PENGADILAN_AGAMA = ("pengadilan_agama", "Pengadilan Agama", "Religious court")
    DUKCAPIL = ("dukcapil", "Dukcapil", "Civil registration office")
    SCHOOL = ("school", "Sekolah", "School")
    DINAS_PENDIDIKAN = ("dinas_pendidikan", "Dinas Pendidikan", "Education office")
    LEGAL_AID = ("legal_aid", "Lembaga bantuan hukum", "Legal aid")
    NGO = ("ngo", "LSM / organisasi masyarakat", "NGO")
    VILLAGE_GOVERNMENT = ("village_government", "Pemerintah desa", "Village government")
    OTHER = ("other", "Lainnya", "Other")


class ReferralStatus(Coded):
    SENT = ("sent", "Dikirim", "Sent")
    ACCEPTED = ("accepted", "Diterima", "Accepted")
    DECLINED = ("declined", "Ditolak", "Declined")
    COMPLETED = ("completed", "Selesai", "Completed")
    CANCELLED = ("cancelled", "Dibatalkan", "Cancelled")


class SupportType(Coded):
    """What the Ekonomi division does for a business."""

    PERMIT_NIB = ("permit_nib", "Izin NIB (OSS)", "Business ID (NIB via OSS)")
    PERMIT_PIRT = ("permit_pirt", "Izin P-IRT", "Home food-industry permit (P-IRT)")
    PERMIT_HALAL = ("permit_halal", "Sertifikat halal", "Halal certificate")
    MENTORING = ("mentoring", "Pendampingan usaha", "Business mentoring")
    CAPITAL_KUR = ("capital_kur", "Akses modal KUR", "Capital: people's business credit (KUR)")
    CAPITAL_BUMDES = (
        "capital_bumdes",
        "Akses modal BUMDes",
        "Capital: village enterprise (BUMDes)",
    )
    CAPITAL_COOPERATIVE = ("capital_cooperative", "Akses modal koperasi", "Capital: cooperative")
    CAPITAL_OTHER = ("capital_other", "Akses modal lainnya", "Capital: other source")

    @property
    def is_permit(self) -> bool:
        return self.value.startswith("permit_")

    @property
    def is_capital(self) -> bool:
        return self.value.startswith("capital_")


class SupportStatus(Coded):
    PLANNED = ("planned", "Direncanakan", "Planned")
    IN_PROGRESS = ("in_progress", "Sedang diproses", "In progress")
    ACHIEVED = (
        "achieved",
        "Berhasil",
        "Achieved",
        "Permit issued, capital received or mentoring done.",
    )
    FAILED = ("failed", "Tidak berhasil", "Not achieved")


class PublicationChannel(Coded):
    WHATSAPP = ("whatsapp", "Grup WhatsApp", "WhatsApp group")
    SOCIAL_MEDIA = ("social_media", "Media sosial", "Social media")
    NOTICE_BOARD = ("notice_board", "Papan informasi", "Notice board")
    PLACE_OF_WORSHIP = (
        "place_of_worship",
        "Pengumuman rumah ibadah",
        "Place-of-worship announcement",
    )
    RADIO = ("radio", "Radio komunitas", "Community radio")
    PRINT = ("print", "Leaflet / cetak", "Print")
    VILLAGE_WEBSITE = ("village_website", "Situs desa", "Village website")
    OTHER = ("other", "Lainnya", "Other")


class SessionFormat(Coded):
    IN_PERSON = ("in_person", "Tatap muka", "In person")
    ONLINE = ("online", "Daring", "Online")
    HOUSE_VISIT = ("house_visit", "Kunjungan rumah", "House visit")


class Forum(Coded):
    """Village deliberation forums where proposals are brought."""

    MUSYAWARAH_DUSUN = ("musyawarah_dusun", "Musyawarah dusun", "Hamlet deliberation")
    MUSYAWARAH_DESA = ("musyawarah_desa", "Musyawarah desa", "Village deliberation")
    MUSRENBANGDES = ("musrenbangdes", "Musrenbangdes", "Village development planning deliberation")


class ProposalStatus(Coded):
    DRAFT = ("draft", "Draf", "Draft")
    SUBMITTED = ("submitted", "Diajukan", "Submitted")
    DISCUSSED = ("discussed", "Dibahas", "Discussed")
    ADOPTED = ("adopted", "Masuk RKPDes", "Adopted in the village work plan (RKPDes)")
    FUNDED = ("funded", "Didanai APBDes", "Funded in the village budget (APBDes)")
    REJECTED = ("rejected", "Ditolak", "Rejected")


_CLOSED: tuple[tuple[str, type[Coded]], ...] = (
    ("division", Division),
    ("group_function", GroupFunction),
    ("sex", Sex),
    ("disability_domain", DisabilityDomain),
    ("affiliation", Affiliation),
    ("position", Position),
    ("intake_channel", IntakeChannel),
    ("case_category", CaseCategory),
    ("social_programme", SocialProgramme),
    ("gbvims_type", GbvimsType),
    ("violence_form", ViolenceForm),
    ("incident_place", IncidentPlace),
    ("perpetrator_relation", PerpetratorRelation),
    ("age_band", AgeBand),
    ("risk_level", RiskLevel),
    ("consent_giver", ConsentGiver),
    ("override_reason", OverrideReason),
    ("case_action", CaseAction),
    ("case_status", CaseStatus),
    ("referral_action", ReferralAction),
    ("proposal_action", ProposalAction),
    ("case_outcome", CaseOutcome),
    ("service_kind", ServiceKind),
    ("referral_status", ReferralStatus),
    ("support_type", SupportType),
    ("support_status", SupportStatus),
    ("publication_channel", PublicationChannel),
    ("session_format", SessionFormat),
    ("forum", Forum),
    ("proposal_status", ProposalStatus),
)


def _open(name: str, *entries: tuple[str, str, str]) -> CodeList[Coded]:
    return CodeList(
        name,
        (CodeEntry(code, label_id, label_en) for code, label_id, label_en in entries),
        version=CODELIST_VERSION,
        extensible=True,
    )


#: Every code list by name. Open lists here hold the built-in entries only; the plugin
#: facade (`kk_core.plugins`) returns them extended with local entries.
CODE_LISTS: dict[str, CodeList[Coded]] = {
    name: register_enum_list(CodeList.of(enum_cls, name=name, version=CODELIST_VERSION))
    for name, enum_cls in _CLOSED
}
CODE_LISTS.update(
    business_sector=_open(
        "business_sector",
        ("food_processing", "Olahan pangan", "Food processing"),
        ("agriculture", "Pertanian", "Agriculture"),
        ("livestock", "Peternakan", "Livestock"),
        ("fisheries", "Perikanan", "Fisheries"),
        ("handicraft", "Kerajinan / tenun", "Handicraft and weaving"),
        ("trade", "Perdagangan / warung", "Trade and small shops"),
        ("services", "Jasa", "Services"),
        ("other", "Lainnya", "Other"),
    ),
    issue_area=_open(
        "issue_area",
        ("women_empowerment", "Pemberdayaan perempuan", "Women's empowerment"),
        ("child_protection", "Perlindungan anak", "Child protection"),
        ("violence_prevention", "Pencegahan kekerasan", "Violence prevention"),
        ("child_marriage", "Pencegahan perkawinan anak", "Child-marriage prevention"),
        ("education", "Pendidikan", "Education"),
        ("social_protection", "Perlindungan sosial", "Social protection"),
        ("disability_inclusion", "Inklusi disabilitas", "Disability inclusion"),
        ("economy", "Ekonomi / UMKM", "Economy and micro-business"),
        ("civil_registration", "Adminduk", "Civil registration"),
        ("health", "Kesehatan", "Health"),
        ("climate", "Perubahan iklim", "Climate change"),
        ("political_participation", "Partisipasi politik", "Political participation"),
        ("other", "Lainnya", "Other"),
    ),
    case_subcategory=_open("case_subcategory"),
    service_provider=_open("service_provider"),
)
