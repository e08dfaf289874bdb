"""Every code list of the domain, in one place, with Indonesian and English labels.

Codes are stable snake_case strings: they are what stores, CSV files and Kobo forms
hold. Labels are for people and may be reworded; lookups accept either language and
forgive case, accents and separators (``CaseCategory.parse("Perkawinan Anak")``).

Closed lists are enums because the domain's rules depend on their members. Open lists
(business sectors, issue areas, case sub-categories, service providers) are plain
`CodeList` objects that plugins extend with local entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from kk_core._coded import (
    Coded,
    CodeEntry,
    CodeList,
    entries_of,
    normalize_label,
    register_enum_list,
)

__all__ = [
    "CODELIST_VERSION",
    "CODE_LISTS",
    "INTIMATE_RELATIONS",
    "Affiliation",
    "AgeBand",
    "AssentDecision",
    "AssentMethod",
    "CaseAction",
    "CaseCategory",
    "CaseOutcome",
    "CaseStatus",
    "ChildMarriageResult",
    "CodeEntry",
    "CodeList",
    "Coded",
    "ConsentGiver",
    "DisabilityDomain",
    "DispensationResult",
    "Division",
    "ExploitationKind",
    "Forum",
    "GbvimsFlag",
    "GbvimsType",
    "GroupFunction",
    "IncidentPlace",
    "IntakeChannel",
    "LegalStage",
    "MarriageCourt",
    "MarriageRole",
    "MarriageRoute",
    "NeedDomain",
    "OverrideReason",
    "Penetration",
    "PerpetratorRelation",
    "Position",
    "ProposalAction",
    "ProposalStatus",
    "PublicationChannel",
    "ReferralAction",
    "ReferralStatus",
    "Reporter",
    "RiskLevel",
    "ServiceKind",
    "SessionFormat",
    "Sex",
    "SocialProgramme",
    "SupportStatus",
    "SupportType",
    "TpksForm",
    "ViolenceForm",
    "core_code",
    "normalize_label",
    "use_extended_lists",
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
    BPD = (
        "bpd",
        "Badan Permusyawaratan Desa (BPD)",
        "Village council (BPD)",
        "Convenes the musdes and agrees village regulations with the village head.",
    )
    DISABILITY_ORG = (
        "disability_org",
        "Organisasi penyandang disabilitas (OPDis)",
        "Organisation of persons with disabilities",
    )
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
    SAPA_129 = (
        "sapa_129",
        "SAPA 129",
        "SAPA 129 hotline",
        "KemenPPPA's hotline Sahabat Perempuan dan Anak: call 129, WhatsApp 08111-129-129.",
        ("SAPA", "129"),
    )


class Reporter(Coded):
    """Who brought the case to the KK (apart from how it came: `IntakeChannel`)."""

    CLIENT = ("client", "Korban / klien sendiri", "The client")
    FAMILY = ("family", "Keluarga", "Family")
    NEIGHBOUR = ("neighbour", "Tetangga / warga", "Neighbour or resident")
    KK_MEMBER = ("kk_member", "Anggota KK", "KK member", "Found through the KK's outreach.")
    HAMLET_HEAD = ("hamlet_head", "Kepala dusun / kawil", "Hamlet head")
    SCHOOL = ("school", "Sekolah / guru", "School or teacher")
    HEALTH_WORKER = ("health_worker", "Tenaga kesehatan / kader", "Health worker or cadre")
    RELIGIOUS_LEADER = (
        "religious_leader",
        "Tokoh agama / masyarakat",
        "Religious or community leader",
    )
    OTHER_BODY = ("other_body", "Lembaga lain", "Another body")
    OTHER = ("other", "Lainnya", "Other")


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
    """Social-protection programmes a case may concern: the national core (local
    programmes roll up to it), by the names people use as well as the official ones."""

    PKH = ("pkh", "Program Keluarga Harapan (PKH)", "Family Hope Programme (PKH)")
    BPNT = (
        "bpnt",
        "BPNT / Sembako",
        "Non-cash food assistance (BPNT)",
        "",
        ("Sembako", "Program Sembako", "bantuan sembako"),
    )
    PBI_JKN = (
        "pbi_jkn",
        "PBI-JKN (KIS)",
        "Health insurance contribution assistance (PBI-JKN)",
        "",
        ("KIS", "Kartu Indonesia Sehat", "JKN-KIS"),
    )
    PBI_APBD = (
        "pbi_apbd",
        "PBI APBD (Jamkesda)",
        "Health insurance paid by the regional budget",
        "",
        ("Jamkesda", "PBPU Pemda"),
    )
    BLT_DANA_DESA = (
        "blt_dana_desa",
        "BLT Dana Desa",
        "Village-fund cash transfer (BLT DD)",
        "",
        ("BLT DD", "BLT-DD"),
    )
    PIP = (
        "pip",
        "Program Indonesia Pintar (KIP)",
        "Smart Indonesia Programme (PIP)",
        "",
        ("KIP", "Kartu Indonesia Pintar"),
    )
    ATENSI = (
        "atensi",
        "ATENSI",
        "Social rehabilitation assistance (ATENSI)",
        "Kemensos Asistensi Rehabilitasi Sosial.",
    )
    RICE_AID = (
        "rice_aid",
        "Bantuan pangan beras",
        "Rice food assistance",
        "",
        ("bantuan beras", "beras 10 kg"),
    )
    RTLH = (
        "rtlh",
        "Rehabilitasi rumah tidak layak huni (RTLH)",
        "Rehabilitation of uninhabitable houses (RTLH)",
        "",
        ("bedah rumah",),
    )
    OTHER = ("other", "Program lain", "Other programme")


class GbvimsType(Coded):
    """The six GBVIMS core incident types, in the order of the classification tool (the
    first that applies is the type: `kk_core.classification`), and Non-GBV.

    Source: The GBVIMS User Guide, ch. 3 (the GBV Classification Tool); Primero's
    ``lookup-gbv-sexual-violence-type``.
    """

    RAPE = ("rape", "Perkosaan", "Rape", "Non-consensual penetration, however slight.")
    SEXUAL_ASSAULT = (
        "sexual_assault",
        "Serangan seksual",
        "Sexual assault",
        "Non-consensual sexual contact without penetration (attempted rape included).",
    )
    PHYSICAL_ASSAULT = (
        "physical_assault",
        "Serangan fisik",
        "Physical assault",
        "Physical violence that is not sexual.",
    )
    FORCED_MARRIAGE = (
        "forced_marriage",
        "Pemaksaan perkawinan",
        "Forced marriage",
        "Marriage against the person's will; marriage of a child under 18 (UU TPKS Art. 10).",
    )
    DENIAL_OF_RESOURCES = (
        "denial_of_resources",
        "Penolakan akses sumber daya, kesempatan atau layanan",
        "Denial of resources, opportunities or services",
        "Rightful access to resources, livelihood, education, health or services withheld.",
    )
    PSYCHOLOGICAL_ABUSE = (
        "psychological_abuse",
        "Kekerasan psikologis / emosional",
        "Psychological / emotional abuse",
        "Threats, intimidation, humiliation, isolation, stalking, non-contact harassment.",
    )
    NON_GBV = ("non_gbv", "Bukan kekerasan berbasis gender", "Non-GBV")


class GbvimsFlag(Coded):
    """GBVIMS case-context flags, set by `kk_core.classification` from an incident's detail
    (as Primero computes them), and one local flag."""

    INTIMATE_PARTNER_VIOLENCE = (
        "intimate_partner_violence",
        "Kekerasan oleh pasangan",
        "Intimate partner violence",
        "A perpetrator is a spouse, boyfriend or a former one.",
    )
    CHILD_SEXUAL_ABUSE = (
        "child_sexual_abuse",
        "Kekerasan seksual terhadap anak",
        "Child sexual abuse",
        "Rape or sexual assault of a survivor under 18 at the incident.",
    )
    EARLY_MARRIAGE = (
        "early_marriage",
        "Perkawinan anak",
        "Early marriage",
        "Forced marriage of a survivor under 18 at the marriage.",
    )
    POSSIBLE_SEXUAL_EXPLOITATION = (
        "possible_sexual_exploitation",
        "Kemungkinan eksploitasi seksual",
        "Possible sexual exploitation",
        "Rape or sexual assault with money, goods or services exchanged.",
    )
    POSSIBLE_TRAFFICKING = (
        "possible_trafficking",
        "Kemungkinan perdagangan orang",
        "Possible trafficking",
        "Local flag (not a GBVIMS flag): trafficking recorded, whatever the core type.",
    )


class TpksForm(Coded):
    """The forms of sexual violence of UU 12/2022 (TPKS) Art. 4 — nine in Art. 4(1),
    and the offences of other laws Art. 4(2) counts as sexual violence."""

    NONPHYSICAL_HARASSMENT = (
        "nonphysical_harassment",
        "Pelecehan seksual nonfisik",
        "Non-physical sexual harassment",
        "Art. 4(1)a, Art. 5: remarks, gestures, writing.",
    )
    PHYSICAL_HARASSMENT = (
        "physical_harassment",
        "Pelecehan seksual fisik",
        "Physical sexual harassment",
        "Art. 4(1)b, Art. 6.",
    )
    FORCED_CONTRACEPTION = (
        "forced_contraception",
        "Pemaksaan kontrasepsi",
        "Forced contraception",
        "Art. 4(1)c, Art. 8.",
    )
    FORCED_STERILISATION = (
        "forced_sterilisation",
        "Pemaksaan sterilisasi",
        "Forced sterilisation",
        "Art. 4(1)d, Art. 9.",
    )
    FORCED_MARRIAGE = (
        "forced_marriage",
        "Pemaksaan perkawinan",
        "Forced marriage",
        "Art. 4(1)e, Art. 10; includes child marriage (Art. 10(2)a).",
    )
    SEXUAL_TORTURE = (
        "sexual_torture",
        "Penyiksaan seksual",
        "Sexual torture",
        "Art. 4(1)f, Art. 11.",
    )
    SEXUAL_EXPLOITATION = (
        "sexual_exploitation",
        "Eksploitasi seksual",
        "Sexual exploitation",
        "Art. 4(1)g, Art. 12.",
    )
    SEXUAL_SLAVERY = (
        "sexual_slavery",
        "Perbudakan seksual",
        "Sexual slavery",
        "Art. 4(1)h, Art. 13.",
    )
    ELECTRONIC = (
        "electronic",
        "Kekerasan seksual berbasis elektronik",
        "Electronic-based sexual violence",
        "Art. 4(1)i, Art. 14: recording, sharing, stalking for sexual purposes.",
        ("KSBE", "KBGO"),
    )
    RAPE = ("rape", "Perkosaan", "Rape", "Art. 4(2)a.")
    INDECENT_ASSAULT = ("indecent_assault", "Perbuatan cabul", "Indecent assault", "Art. 4(2)b.")
    CHILD_INTERCOURSE = (
        "child_intercourse",
        "Persetubuhan terhadap anak",
        "Sexual intercourse with a child",
        "Art. 4(2)c.",
    )
    CHILD_INDECENT_ASSAULT = (
        "child_indecent_assault",
        "Perbuatan cabul terhadap anak",
        "Indecent assault on a child",
        "Art. 4(2)c.",
    )
    CHILD_SEXUAL_EXPLOITATION = (
        "child_sexual_exploitation",
        "Eksploitasi seksual terhadap anak",
        "Sexual exploitation of a child",
        "Art. 4(2)c.",
    )
    INDECENCY = (
        "indecency",
        "Perbuatan melanggar kesusilaan",
        "Act against decency",
        "Art. 4(2)d: against the victim's will (e.g. exposure).",
    )
    PORNOGRAPHY = (
        "pornography",
        "Pornografi melibatkan anak atau memuat kekerasan seksual",
        "Pornography involving a child or showing sexual violence",
        "Art. 4(2)e.",
    )
    FORCED_PROSTITUTION = (
        "forced_prostitution",
        "Pemaksaan pelacuran",
        "Forced prostitution",
        "Art. 4(2)f.",
    )
    TRAFFICKING = (
        "trafficking",
        "TPPO untuk eksploitasi seksual",
        "Trafficking for sexual exploitation",
        "Art. 4(2)g.",
    )
    DOMESTIC = (
        "domestic",
        "Kekerasan seksual dalam lingkup rumah tangga",
        "Sexual violence within the household",
        "Art. 4(2)h.",
    )


class Penetration(Coded):
    """Whether a sexual act involved penetration: what tells rape from sexual assault."""

    YES = ("yes", "Ya", "Yes")
    NO = ("no", "Tidak (termasuk percobaan)", "No (attempts included)")
    UNKNOWN = ("unknown", "Tidak diketahui", "Unknown", "Counted as sexual assault until known.")


class ExploitationKind(Coded):
    """What an exploitation (SIMFONI *eksploitasi*) took."""

    SEXUAL = ("sexual", "Seksual", "Sexual")
    ECONOMIC = ("economic", "Ekonomi (upah, kerja, mengemis)", "Economic (wages, labour, begging)")


class ViolenceForm(Coded):
    """Forms of violence as in SIMFONI-PPA; several may apply to one incident."""

    PHYSICAL = ("physical", "Fisik", "Physical")
    PSYCHOLOGICAL = ("psychological", "Psikis", "Psychological")
    SEXUAL = ("sexual", "Seksual", "Sexual")
    EXPLOITATION = ("exploitation", "Eksploitasi", "Exploitation")
    TRAFFICKING = (
        "trafficking",
        "Trafficking",
        "Trafficking",
        "Perdagangan orang (TPPO).",
        ("TPPO", "Perdagangan orang"),
    )
    NEGLECT = ("neglect", "Penelantaran", "Neglect")
    OTHER = ("other", "Lainnya", "Other")


class IncidentPlace(Coded):
    """Place of the incident: SIMFONI-PPA's core list (local places roll up to it)."""

    HOUSEHOLD = ("household", "Rumah tangga", "Household")
    WORKPLACE = ("workplace", "Tempat kerja", "Workplace")
    SCHOOL = ("school", "Sekolah", "School")
    PUBLIC_FACILITY = ("public_facility", "Fasilitas umum", "Public facility")
    SHORT_COURSE = ("short_course", "Lembaga pendidikan kilat", "Short-course institution")
    OTHER = ("other", "Lainnya", "Other")


class PerpetratorRelation(Coded):
    """The perpetrator's relation to the victim: SIMFONI-PPA's core list (local relations
    roll up to it); ``unknown`` is SIMFONI's NA."""

    PARENT = ("parent", "Orang tua", "Parent")
    FAMILY = ("family", "Keluarga / saudara", "Family")
    SPOUSE = ("spouse", "Suami / istri", "Spouse")
    PARTNER_FRIEND = ("partner_friend", "Pacar / teman", "Partner or friend")
    NEIGHBOUR = ("neighbour", "Tetangga", "Neighbour")
    TEACHER = ("teacher", "Guru", "Teacher")
    EMPLOYER = ("employer", "Majikan", "Employer")
    COWORKER = ("coworker", "Rekan kerja", "Co-worker")
    OTHER = ("other", "Lainnya", "Other")
    UNKNOWN = ("unknown", "Tidak diketahui / NA", "Unknown", "", ("NA",))


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
    """Who consented (for a child: a caregiver or another trusted adult, never the child
    alone; the child's own word is its assent, `Assent`)."""

    SELF = ("self", "Yang bersangkutan", "The client")
    PARENT = ("parent", "Orang tua", "Parent")
    GUARDIAN = ("guardian", "Wali", "Guardian")
    OTHER_TRUSTED_ADULT = (
        "other_trusted_adult",
        "Orang dewasa lain yang dipercaya",
        "Other trusted adult",
        "When the caregivers are implicated or absent.",
    )
    BEST_INTEREST = (
        "best_interest",
        "Keputusan demi kepentingan terbaik anak",
        "Best-interest decision",
        "Taken for a child by the case worker, approved by a coordinator, with its reason.",
    )
    NONE = ("none", "Menolak / tidak memberi persetujuan", "No consent (refused)")


class AssentDecision(Coded):
    """A child's own answer, recorded beside a caregiver's consent (from age 6)."""

    GIVEN = ("given", "Setuju", "Assents")
    REFUSED = ("refused", "Tidak setuju", "Does not assent")


class AssentMethod(Coded):
    ORAL = ("oral", "Lisan", "Oral")
    WRITTEN = ("written", "Tertulis", "Written")


class OverrideReason(Coded):
    """Why a referral may go ahead without consent (with a note and the coordinator who
    approved it). An adult's refusal gives way only to imminent danger to life."""

    CHILD_AT_RISK = (
        "child_at_risk",
        "Kepentingan terbaik anak",
        "Child's best interest",
        "A child at risk whose caregivers are implicated or absent (UU 35/2014).",
    )
    IMMINENT_DANGER = (
        "imminent_danger",
        "Bahaya mengancam jiwa",
        "Imminent danger to life",
        "UU PDP 27/2022 Art. 20(2)(d): vital interests.",
    )
    LEGAL_DUTY = (
        "legal_duty",
        "Kewajiban melapor menurut undang-undang",
        "Mandatory reporting",
        "UU TPKS 12/2022 Art. 39-41; UU PKDRT 23/2004 Art. 15; UU 35/2014 Art. 76C.",
        ("mandatory reporting", "wajib lapor"),
    )


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
    ASSESS = ("assess", "Asesmen", "Assessed", "Needs by domain and the risk level.")
    PLAN = ("plan", "Rencana penanganan", "Case plan set")
    FOLLOW_UP = ("follow_up", "Tindak lanjut", "Followed up", "The next follow-up date set.")
    LEGAL_STEP = ("legal_step", "Proses hukum", "Legal process step", "The case stays open.")


class ReferralAction(Coded):
    SEND = ("send", "Dikirim", "Sent")
    ACCEPT = ("accept", "Diterima layanan", "Accepted by the service")
    DECLINE = ("decline", "Ditolak layanan", "Declined by the service")
    FOLLOW_UP = ("follow_up", "Ditindaklanjuti", "Followed up")
    COMPLETE = ("complete", "Selesai", "Completed")
    CANCEL = ("cancel", "Dibatalkan", "Cancelled")


class ProposalAction(Coded):
    """What can happen to an advocacy proposal; the rows of its lifecycle table."""

    DRAFT = ("draft", "Disusun", "Drafted")
    SUBMIT_MUSDUS = (
        "submit_musdus",
        "Diajukan ke musyawarah dusun",
        "Brought to the hamlet deliberation",
    )
    SUBMIT_MUSDES = (
        "submit_musdes",
        "Diajukan ke musyawarah desa",
        "Brought to the village deliberation",
    )
    SUBMIT_MUSRENBANGDES = (
        "submit_musrenbangdes",
        "Diajukan ke Musrenbangdes",
        "Brought to the Musrenbangdes",
    )
    DISCUSS = ("discuss", "Dibahas dalam forum", "Discussed in the forum")
    ADOPT_RKPDES = ("adopt_rkpdes", "Dimasukkan ke RKPDes", "Adopted in the RKPDes")
    FUND_APBDES = ("fund_apbdes", "Dianggarkan dalam APBDes", "Funded in the APBDes")
    ENACT_PERDES = ("enact_perdes", "Perdes disahkan", "Village regulation enacted")
    ISSUE_PERKADES = (
        "issue_perkades",
        "Perkades diterbitkan",
        "Village head regulation issued",
    )
    AGREE_AWIG_AWIG = ("agree_awig_awig", "Awig-awig disepakati", "Awig-awig agreed")
    REJECT = ("reject", "Ditolak", "Rejected")
    CARRY_OVER = (
        "carry_over",
        "Dibawa ke siklus tahun berikutnya",
        "Carried over to the next year's cycle",
    )


class CaseStatus(Coded):
    REPORTED = ("reported", "Dilaporkan", "Reported", "Recorded; no companion yet.")
    ACTIVE = ("active", "Didampingi", "Accompanied", "Being accompanied or followed up by the KK.")
    REFERRED = ("referred", "Dirujuk", "Referred", "At least one referral is open.")
    CLOSED = ("closed", "Ditutup", "Closed")


class CaseOutcome(Coded):
    """How a case ended. A legal process is a stage of an open case (`LegalStage`), not
    an outcome: ``legal_process`` stays only so that old records read."""

    RESOLVED = ("resolved", "Selesai / tertangani", "Resolved")
    SERVICE_RECEIVED = ("service_received", "Mendapat layanan", "Service received")
    LEGAL_PROCESS = (
        "legal_process",
        "Proses hukum berjalan (lama)",
        "Legal process under way (old)",
        "Records before model v2 only: a case in a legal process now stays open.",
    )
    RETURNED_TO_SCHOOL = ("returned_to_school", "Kembali bersekolah", "Returned to school")
    MARRIAGE_PREVENTED = ("marriage_prevented", "Perkawinan dicegah", "Marriage prevented")
    DOCUMENT_ISSUED = ("document_issued", "Dokumen terbit", "Document issued")
    WITHDRAWN = (
        "withdrawn",
        "Klien tidak melanjutkan",
        "Client did not continue",
        "The client stopped the accompaniment.",
    )
    UNREACHABLE = ("unreachable", "Tidak dapat dihubungi", "Client unreachable")
    TRANSFERRED = ("transferred", "Dialihkan", "Transferred to another body")
    DIED = ("died", "Meninggal dunia", "Died")
    MOVED_AWAY = ("moved_away", "Pindah domisili", "Moved away")
    SETTLED_FAMILY = (
        "settled_family",
        "Diselesaikan secara kekeluargaan",
        "Settled within the family",
        "Never for sexual violence by an adult: UU TPKS Art. 23.",
    )
    DIVERSION = (
        "diversion",
        "Diversi (UU SPPA)",
        "Diversion (juvenile justice)",
        "A child perpetrator's case diverted under UU 11/2012 (SPPA).",
    )
    OTHER = ("other", "Lainnya", "Other")


class NeedDomain(Coded):
    """What an assessment finds the client needs (GBV and child-protection case management)."""

    SAFETY = ("safety", "Keamanan / perlindungan", "Safety")
    HEALTH = ("health", "Kesehatan", "Health")
    PSYCHOSOCIAL = ("psychosocial", "Psikososial", "Psychosocial")
    LEGAL = ("legal", "Hukum", "Legal")
    ECONOMIC = ("economic", "Ekonomi / kebutuhan dasar", "Economic and basic needs")
    EDUCATION = ("education", "Pendidikan", "Education")
    SHELTER = ("shelter", "Tempat tinggal / pengasuhan", "Shelter and care")
    DOCUMENTS = ("documents", "Dokumen kependudukan", "Civil documents")
    SOCIAL_PROTECTION = ("social_protection", "Bantuan sosial", "Social assistance")


class LegalStage(Coded):
    """Where a case is in a legal process the KK accompanies (the case stays open)."""

    REPORTED_TO_POLICE = ("reported_to_police", "Dilaporkan ke polisi", "Reported to the police")
    INVESTIGATION = ("investigation", "Penyidikan", "Investigation")
    PROSECUTION = ("prosecution", "Penuntutan", "Prosecution")
    TRIAL = ("trial", "Persidangan", "Trial")
    VERDICT = ("verdict", "Putusan", "Verdict")
    DIVERSION = ("diversion", "Diversi (UU SPPA)", "Diversion")
    STOPPED = ("stopped", "Dihentikan (SP3)", "Stopped")


class MarriageRoute(Coded):
    """How a (planned) child marriage came about; several may apply."""

    MERARIQ = (
        "merariq",
        "Merariq / kawin lari adat",
        "Merariq (Sasak elopement)",
        "",
        ("merariq kodeq", "selarian"),
    )
    ARRANGED = ("arranged", "Dijodohkan orang tua", "Arranged by the parents")
    NIKAH_SIRI = ("nikah_siri", "Nikah siri / tidak dicatat", "Unregistered (siri) marriage")
    KUA_REFUSED = ("kua_refused", "KUA menolak mencatat", "KUA refused to register")
    DISPENSATION = (
        "dispensation",
        "Dispensasi kawin diajukan",
        "Marriage dispensation requested",
        "PERMA 5/2019: the parents apply to the Pengadilan Agama or Negeri.",
    )
    AFTER_SEXUAL_VIOLENCE = (
        "after_sexual_violence",
        "Dikawinkan dengan pelaku kekerasan seksual",
        "Married to a sexual-violence perpetrator",
        "UU TPKS Art. 10(2)c.",
    )
    PREGNANCY = ("pregnancy", "Kehamilan", "Pregnancy")


class MarriageCourt(Coded):
    PENGADILAN_AGAMA = ("pengadilan_agama", "Pengadilan Agama", "Religious court")
    PENGADILAN_NEGERI = ("pengadilan_negeri", "Pengadilan Negeri", "District court")


class DispensationResult(Coded):
    PENDING = ("pending", "Dalam proses", "Pending")
    GRANTED = ("granted", "Dikabulkan", "Granted")
    REFUSED = ("refused", "Ditolak", "Refused")
    WITHDRAWN = ("withdrawn", "Dicabut", "Withdrawn")
    INADMISSIBLE = ("inadmissible", "Tidak dapat diterima", "Inadmissible")


class ChildMarriageResult(Coded):
    """What came of a (planned) child marriage."""

    PREVENTED = ("prevented", "Dicegah", "Prevented", "Stopped before any marriage.")
    SEPARATED = (
        "separated",
        "Dipisahkan (belas)",
        "Separated (belas)",
        "An eloped pair brought back apart (Sasak belas).",
        ("belas",),
    )
    POSTPONED = ("postponed", "Ditunda sampai usia 19", "Postponed until 19")
    MARRIED_REGISTERED = ("married_registered", "Menikah, tercatat", "Married, registered")
    MARRIED_UNREGISTERED = (
        "married_unregistered",
        "Menikah, tidak tercatat (siri)",
        "Married, unregistered (siri)",
    )

    @property
    def went_ahead(self) -> bool:
        return self in (
            ChildMarriageResult.MARRIED_REGISTERED,
            ChildMarriageResult.MARRIED_UNREGISTERED,
        )


class MarriageRole(Coded):
    BRIDE = ("bride", "Calon / mempelai perempuan", "Bride")
    GROOM = ("groom", "Calon / mempelai laki-laki", "Groom")


class ServiceKind(Coded):
    """Kinds of service a KK refers to: the core list (local services roll up to it)."""

    UPTD_PPA = ("uptd_ppa", "UPTD PPA", "District women and child protection unit (UPTD PPA)")
    POLICE_PPA = ("police_ppa", "Unit PPA Polres", "Police women and children unit (Unit PPA)")
    POLICE = ("police", "Kepolisian (Polsek / Polres)", "Police")
    PUSKESMAS = ("puskesmas", "Puskesmas / fasilitas kesehatan", "Health centre or hospital")
    DINAS_SOSIAL = ("dinas_sosial", "Dinas Sosial", "Social affairs office")
    KUA = ("kua", "KUA", "Religious affairs office (KUA)")
    PENGADILAN_AGAMA = ("pengadilan_agama", "Pengadilan Agama", "Religious court")
    PENGADILAN_NEGERI = ("pengadilan_negeri", "Pengadilan Negeri", "District court")
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
    """Village deliberation forums where proposals are brought (Permendesa 16/2019,
    Permendesa PDTT 21/2020)."""

    MUSYAWARAH_DUSUN = (
        "musyawarah_dusun",
        "Musyawarah dusun (musdus)",
        "Hamlet deliberation",
        "Collects the hamlet's needs and proposals before the village deliberation.",
    )
    MUSYAWARAH_DESA = (
        "musyawarah_desa",
        "Musyawarah desa (musdes)",
        "Village deliberation",
        "Convened by the BPD; agrees strategic matters such as the village plan.",
    )
    MUSRENBANGDES = (
        "musrenbangdes",
        "Musrenbangdes",
        "Village development planning deliberation",
        "Agrees the draft village work plan (RKPDes).",
    )
    MUSYAWARAH_DESA_KHUSUS = (
        "musyawarah_desa_khusus",
        "Musyawarah desa khusus (musdesus)",
        "Special village deliberation",
        "A musdes held for one matter.",
    )
    MUSDESUS_BLT_DD = (
        "musyawarah_desa_khusus_blt_dd",
        "Musdesus penetapan KPM BLT Dana Desa",
        "Special village deliberation setting the BLT-DD recipients",
        "Agrees the families receiving village-fund cash transfers (BLT-DD) for the year.",
    )

    @property
    def stage(self) -> Forum:
        """The rung of the climb musdus → musdes → Musrenbangdes this forum is: a
        special musdes (musdesus) is a musdes."""
        if self in (Forum.MUSYAWARAH_DESA_KHUSUS, Forum.MUSDESUS_BLT_DD):
            return Forum.MUSYAWARAH_DESA
        return self


class ProposalStatus(Coded):
    """Where an advocacy proposal is on its way from the hamlet to the village budget."""

    DRAFT = ("draft", "Draf", "Draft")
    IN_MUSDUS = (
        "in_musdus",
        "Diusulkan di musyawarah dusun",
        "Proposed at the hamlet deliberation",
    )
    IN_MUSDES = (
        "in_musdes",
        "Dibahas di musyawarah desa",
        "Before the village deliberation",
    )
    IN_MUSRENBANGDES = (
        "in_musrenbangdes",
        "Dibahas di Musrenbangdes",
        "Before the Musrenbangdes",
    )
    IN_RKPDES = ("in_rkpdes", "Masuk RKPDes", "In the village work plan (RKPDes)")
    FUNDED_APBDES = (
        "funded_apbdes",
        "Didanai APBDes",
        "Funded in the village budget (APBDes)",
    )
    PERDES_ENACTED = (
        "perdes_enacted",
        "Menjadi Perdes",
        "Enacted as a village regulation (Perdes)",
    )
    PERKADES_ISSUED = (
        "perkades_issued",
        "Menjadi Perkades",
        "Issued as a village head regulation (Perkades)",
    )
    AWIG_AWIG_AGREED = (
        "awig_awig_agreed",
        "Menjadi awig-awig",
        "Agreed as awig-awig (customary rule)",
    )
    REJECTED = ("rejected", "Ditolak", "Rejected")
    CARRIED_OVER = (
        "carried_over",
        "Dilanjutkan tahun berikutnya",
        "Carried over to the next year",
    )

    @property
    def is_final(self) -> bool:
        """Funded, a policy, rejected or carried over: nothing more happens to it."""
        return self in _FINAL_PROPOSAL

    @property
    def is_policy(self) -> bool:
        """Ended as a village regulation or an agreed customary rule."""
        return self in _POLICY_PROPOSAL


_POLICY_PROPOSAL = frozenset(
    {
        ProposalStatus.PERDES_ENACTED,
        ProposalStatus.PERKADES_ISSUED,
        ProposalStatus.AWIG_AWIG_AGREED,
    }
)
_FINAL_PROPOSAL = _POLICY_PROPOSAL | {
    ProposalStatus.FUNDED_APBDES,
    ProposalStatus.REJECTED,
    ProposalStatus.CARRIED_OVER,
}


_CLOSED: tuple[tuple[str, type[Coded]], ...] = (
    ("division", Division),
    ("group_function", GroupFunction),
    ("sex", Sex),
    ("disability_domain", DisabilityDomain),
    ("affiliation", Affiliation),
    ("position", Position),
    ("intake_channel", IntakeChannel),
    ("case_category", CaseCategory),
    ("gbvims_type", GbvimsType),
    ("violence_form", ViolenceForm),
    ("age_band", AgeBand),
    ("risk_level", RiskLevel),
    ("consent_giver", ConsentGiver),
    ("override_reason", OverrideReason),
    ("case_action", CaseAction),
    ("case_status", CaseStatus),
    ("referral_action", ReferralAction),
    ("proposal_action", ProposalAction),
    ("case_outcome", CaseOutcome),
    ("referral_status", ReferralStatus),
    ("support_type", SupportType),
    ("support_status", SupportStatus),
    ("publication_channel", PublicationChannel),
    ("session_format", SessionFormat),
    ("forum", Forum),
    ("proposal_status", ProposalStatus),
    ("reporter", Reporter),
    ("gbvims_flag", GbvimsFlag),
    ("tpks_form", TpksForm),
    ("penetration", Penetration),
    ("exploitation_kind", ExploitationKind),
    ("assent_decision", AssentDecision),
    ("assent_method", AssentMethod),
    ("need_domain", NeedDomain),
    ("legal_stage", LegalStage),
    ("marriage_route", MarriageRoute),
    ("marriage_court", MarriageCourt),
    ("dispensation_result", DispensationResult),
    ("child_marriage_result", ChildMarriageResult),
    ("marriage_role", MarriageRole),
)

#: Lists with a closed core (the national list, SIMFONI-PPA's where it has one) that
#: also take local entries, each naming its core parent, so every count rolls up.
_WITH_CORE: tuple[tuple[str, type[Coded], str], ...] = (
    ("incident_place", IncidentPlace, "SIMFONI-PPA (KemenPPPA): tempat kejadian"),
    ("perpetrator_relation", PerpetratorRelation, "SIMFONI-PPA (KemenPPPA): hubungan pelaku"),
    ("service_kind", ServiceKind, "Services KKs in Lombok Timur refer to"),
    ("social_programme", SocialProgramme, "Kemensos and regional social-protection programmes"),
)


def _local(code: str, label_id: str, label_en: str, parent: str, *aliases: str) -> CodeEntry:
    return CodeEntry(code, label_id, label_en, parent=parent, aliases=aliases)


#: Local entries built in, for what people in Lombok Timur say and do.
_BUILT_IN_LOCAL: dict[str, tuple[CodeEntry, ...]] = {
    "incident_place": (
        _local(
            "pondok_pesantren", "Pondok pesantren", "Islamic boarding school", "school", "pesantren"
        ),
        _local(
            "online", "Daring / media sosial", "Online or social media", "other", "media sosial"
        ),
    ),
    "perpetrator_relation": (
        _local("stepparent", "Ayah / ibu tiri", "Stepparent", "parent", "bapak tiri", "ibu tiri"),
        _local("ustaz", "Ustaz / guru ngaji", "Quran teacher (ustaz)", "teacher", "guru ngaji"),
        _local("former_spouse", "Mantan suami / istri", "Former husband or wife", "spouse"),
        _local("boyfriend", "Pacar", "Boyfriend or girlfriend", "partner_friend"),
        _local(
            "former_partner", "Mantan pacar", "Former boyfriend or girlfriend", "partner_friend"
        ),
        _local("friend", "Teman", "Friend", "partner_friend"),
        _local("stranger", "Orang tidak dikenal", "Stranger", "other"),
    ),
    "service_kind": (
        _local(
            "dp3akb",
            "DP3AKB / P2TP2A",
            "District women and child office (DP3AKB)",
            "uptd_ppa",
            "P2TP2A",
            "DP3A",
        ),
        _local(
            "rsud_visum",
            "RSUD (visum et repertum)",
            "District hospital (forensic report)",
            "puskesmas",
            "RSUD",
            "visum",
        ),
        _local(
            "kemenag",
            "Kemenag (madrasah, pesantren)",
            "Religious affairs office (madrasah)",
            "dinas_pendidikan",
            "madrasah",
        ),
        _local(
            "pkbm",
            "PKBM (kejar paket)",
            "Community learning centre (PKBM)",
            "dinas_pendidikan",
            "kejar paket",
        ),
        _local("pkh_companion", "Pendamping PKH", "PKH companion", "dinas_sosial"),
        _local("tksk", "TKSK", "Sub-district social welfare worker (TKSK)", "dinas_sosial"),
        _local(
            "sakti_peksos",
            "Sakti Peksos",
            "Kemensos social worker (Sakti Peksos)",
            "dinas_sosial",
            "peksos",
        ),
        _local(
            "bpjs_kesehatan",
            "BPJS Kesehatan",
            "National health insurer (BPJS Kesehatan)",
            "dinas_sosial",
            "BPJS",
        ),
        _local(
            "bhabinkamtibmas",
            "Bhabinkamtibmas",
            "Village police officer",
            "police",
            "babinkamtibmas",
        ),
        _local("patbm", "PATBM", "Community child protection (PATBM)", "village_government"),
        _local("lpsk", "LPSK", "Witness and victim protection agency (LPSK)", "legal_aid"),
        _local("bp3mi", "BP3MI", "Migrant worker protection office (BP3MI)", "other", "BP2MI"),
    ),
    "social_programme": (),
}

#: Relations of an intimate partner (GBVIMS "intimate partner / former partner"): a
#: core spouse and the built-in local partners. A plugin's local relation under
#: ``spouse`` counts too; one under ``partner_friend`` does not (a friend is no partner).
INTIMATE_RELATIONS = frozenset({"spouse", "former_spouse", "boyfriend", "former_partner"})


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
for _name, _core, _source in _WITH_CORE:
    register_enum_list(CodeList.of(_core, name=_name, version=CODELIST_VERSION, source=_source))
    CODE_LISTS[_name] = CodeList(
        _name,
        (*entries_of(_core), *(attrs.evolve(e, local=True) for e in _BUILT_IN_LOCAL[_name])),
        version=CODELIST_VERSION,
        extensible=True,
        core=_core,
        source=_source,
    )
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


# --- The rest of the KK's work (issue 9): meetings, budgets, training, Pendataan, Humas


class MeetingType(Coded):
    """What kind of meeting a `Meeting` was: the KK's own, or a village forum it attended."""

    KK_MEETING = ("kk_meeting", "Pertemuan Kelompok Konstituen", "Constituent group meeting")
    COORDINATION = (
        "coordination",
        "Rapat koordinasi",
        "Coordination meeting",
        "With the village government, services or partners.",
    )
    MUSYAWARAH_DUSUN = ("musyawarah_dusun", "Musyawarah dusun (musdus)", "Hamlet deliberation")
    MUSYAWARAH_DESA = ("musyawarah_desa", "Musyawarah desa (musdes)", "Village deliberation")
    MUSRENBANGDES = (
        "musrenbangdes",
        "Musrenbangdes",
        "Village development planning deliberation",
    )
    MUSYAWARAH_DESA_KHUSUS = (
        "musyawarah_desa_khusus",
        "Musyawarah desa khusus (musdesus)",
        "Special village deliberation",
    )
    MUSDESUS_BLT_DD = (
        "musyawarah_desa_khusus_blt_dd",
        "Musdesus penetapan KPM BLT Dana Desa",
        "Special village deliberation setting the BLT-DD recipients",
        "Held by the BPD; agrees the families receiving BLT Dana Desa for the year.",
    )
    OTHER = ("other", "Lainnya", "Other")

    @property
    def forum(self) -> Forum | None:
        """The village forum this meeting was (same code), or None for the KK's own."""
        return Forum._value2member_map_.get(self.value)  # type: ignore[return-value]


class ApbdesField(Coded):
    """The five fields (bidang) of a village budget's spending (Permendagri 20/2018)."""

    GOVERNMENT = (
        "government",
        "Penyelenggaraan pemerintahan desa",
        "Village government administration",
    )
    DEVELOPMENT = ("development", "Pelaksanaan pembangunan desa", "Village development")
    COMMUNITY = (
        "community",
        "Pembinaan kemasyarakatan desa",
        "Community development",
        "Where child protection and violence prevention items usually sit.",
    )
    EMPOWERMENT = (
        "empowerment",
        "Pemberdayaan masyarakat desa",
        "Community empowerment",
        "Where women's empowerment, disability and UMKM items usually sit.",
    )
    EMERGENCY = (
        "emergency",
        "Penanggulangan bencana, keadaan darurat dan mendesak desa",
        "Disasters, emergencies and urgent needs",
    )


class TrainingOrganiser(Coded):
    """Who ran a training for KK members."""

    KK = ("kk", "Kelompok Konstituen sendiri", "The KK itself")
    PROGRAMME_PARTNER = (
        "programme_partner",
        "Mitra program (Yayasan BaKTI, LRC…)",
        "Programme partner (Yayasan BaKTI, LRC…)",
        "The INKLUSI partner NGOs that run the KKs in the field.",
    )
    VILLAGE_GOVERNMENT = ("village_government", "Pemerintah desa", "Village government")
    GOVERNMENT_OFFICE = (
        "government_office",
        "Dinas / instansi pemerintah",
        "Government office (Dinas)",
        "District or provincial offices: Dinas Sosial, DP3AKB, Dukcapil…",
    )
    OTHER = ("other", "Lainnya", "Other")


class DataRecipient(Coded):
    """Who a data update was handed to."""

    VILLAGE_GOVERNMENT = ("village_government", "Pemerintah desa", "Village government")
    BPD = ("bpd", "Badan Permusyawaratan Desa (BPD)", "Village council (BPD)")
    DINAS_SOSIAL = ("dinas_sosial", "Dinas Sosial", "Social affairs office")
    DUKCAPIL = ("dukcapil", "Dukcapil", "Civil registration office")
    DINAS_PENDIDIKAN = ("dinas_pendidikan", "Dinas Pendidikan", "Education office")
    DP3AKB = (
        "dp3akb",
        "DP3AKB / UPTD PPA",
        "Women's empowerment and child protection office (DP3AKB)",
    )
    HEALTH = ("health", "Puskesmas / Dinas Kesehatan", "Health centre or office")
    OTHER = ("other", "Lainnya", "Other")


class QuestionChannel(Coded):
    """How a resident's question reached the information centre (pusat informasi)."""

    WALK_IN = ("walk_in", "Datang langsung", "Walk-in")
    WHATSAPP = ("whatsapp", "WhatsApp", "WhatsApp")
    PHONE = ("phone", "Telepon", "Phone call")
    MEETING = ("meeting", "Saat pertemuan / musyawarah", "At a meeting or deliberation")
    HOUSE_VISIT = ("house_visit", "Kunjungan rumah", "House visit")
    SOCIAL_MEDIA = ("social_media", "Media sosial", "Social media")
    OTHER = ("other", "Lainnya", "Other")


class QuestionResolution(Coded):
    """What the information centre did with a question."""

    PENDING = ("pending", "Belum dijawab", "Not yet answered")
    ANSWERED = ("answered", "Dijawab", "Answered")
    REFERRED = ("referred", "Dirujuk", "Referred", "Sent on to a service that can answer it.")


_CLOSED_V2: tuple[tuple[str, type[Coded]], ...] = (
    ("meeting_type", MeetingType),
    ("apbdes_field", ApbdesField),
    ("training_organiser", TrainingOrganiser),
    ("data_recipient", DataRecipient),
    ("question_channel", QuestionChannel),
    ("question_resolution", QuestionResolution),
)
CODE_LISTS.update(
    {
        name: register_enum_list(CodeList.of(enum_cls, name=name, version=CODELIST_VERSION))
        for name, enum_cls in _CLOSED_V2
    }
)
CODE_LISTS.update(
    data_set=_open(
        "data_set",
        (
            "dtsen_verification",
            "Verifikasi dan validasi DTKS / DTSEN",
            "DTKS / DTSEN verification",
        ),
        ("resident_data", "Data penduduk", "Resident data"),
        ("disability_data", "Data penyandang disabilitas", "Disability data"),
        ("school_dropout_data", "Data anak putus sekolah", "School dropout data"),
        ("child_marriage_data", "Data perkawinan anak", "Child marriage data"),
        ("violence_case_data", "Data kasus kekerasan", "Violence case data"),
        ("blt_dd_candidates", "Data calon KPM BLT Dana Desa", "BLT-DD candidate families"),
        ("other", "Lainnya", "Other"),
    ),
    question_topic=_open(
        "question_topic",
        ("social_assistance", "Bantuan sosial (PKH, BPNT, BLT)", "Social assistance"),
        ("dtsen_status", "Status DTKS / DTSEN", "DTKS / DTSEN status"),
        ("health_insurance", "BPJS Kesehatan / KIS", "Health insurance (JKN, KIS)"),
        ("civil_registration", "Adminduk (akta, KTP, KK, KIA)", "Civil registration"),
        ("education_support", "Pendidikan dan PIP / KIP", "Schooling and PIP / KIP"),
        ("violence_reporting", "Melaporkan kekerasan", "Reporting violence"),
        ("child_marriage", "Perkawinan anak / dispensasi", "Child marriage and dispensation"),
        ("disability_services", "Layanan disabilitas", "Disability services"),
        ("business_permits", "Izin usaha (NIB, P-IRT, halal)", "Business permits"),
        ("business_capital", "Modal usaha (KUR, BUMDes)", "Business capital"),
        ("village_programmes", "Program dan anggaran desa", "Village programmes and budget"),
        ("other", "Lainnya", "Other"),
    ),
)

__all__ += [
    "ApbdesField",
    "DataRecipient",
    "MeetingType",
    "QuestionChannel",
    "QuestionResolution",
    "TrainingOrganiser",
]


_extended_lists: Callable[[], Mapping[str, CodeList[Coded]]] | None = None


def use_extended_lists(provider: Callable[[], Mapping[str, CodeList[Coded]]] | None) -> None:
    """Where `core_code` finds the lists as plugins extended them. The plugin facade
    (`kk_core.plugins`) sets it when imported, so the model rolls a plugin's local entry
    up without importing the plugin machinery; ``None`` goes back to the built-in lists."""
    global _extended_lists
    _extended_lists = provider


def core_code(list_name: str, code: str) -> str | None:
    """The core code ``code`` rolls up to in a list with a core, the list as the
    installed plugins extended it (a plugin's local entry rolls up too); None when no
    list holds the code."""
    lists = _extended_lists() if _extended_lists is not None else CODE_LISTS
    code_list = lists.get(list_name) or CODE_LISTS[list_name]
    return code_list.core_of(code)
