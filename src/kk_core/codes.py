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
    """Domains of functioning a person may have difficulty in: the six of the Washington
    Group Short Set (WG-SS), then those only the UNICEF/WG Child Functioning Module (CFM)
    asks. Which domains a question set asks: `FunctioningSet.domains`."""

    SEEING = ("seeing", "Penglihatan", "Seeing", "Even if wearing glasses.", ("melihat",))
    HEARING = (
        "hearing",
        "Pendengaran",
        "Hearing",
        "Even if using a hearing aid.",
        ("mendengar",),
    )
    WALKING = (
        "walking",
        "Berjalan atau naik tangga",
        "Walking or climbing steps",
        "The CFM asks about walking only (100 or 500 metres from age 5).",
        ("berjalan",),
    )
    COGNITION = ("cognition", "Mengingat atau berkonsentrasi", "Remembering or concentrating")
    SELF_CARE = (
        "self_care",
        "Mengurus diri sendiri",
        "Self-care",
        "Such as washing all over or dressing.",
    )
    COMMUNICATION = (
        "communication",
        "Berkomunikasi",
        "Communicating",
        "Understanding or being understood, in the usual language.",
    )
    FINE_MOTOR = (
        "fine_motor",
        "Memungut benda kecil dengan tangan",
        "Fine motor (picking up small objects)",
        "CFM, ages 2-4.",
    )
    LEARNING = ("learning", "Belajar", "Learning", "CFM.")
    PLAYING = ("playing", "Bermain", "Playing", "CFM, ages 2-4.")
    CONTROLLING_BEHAVIOUR = (
        "controlling_behaviour",
        "Mengendalikan perilaku",
        "Controlling behaviour",
        "CFM. Ages 2-4 are asked how much they kick, bite or hit compared with other "
        "children: 'a lot more' is recorded as a lot of difficulty.",
    )
    REMEMBERING = ("remembering", "Mengingat", "Remembering", "CFM, ages 5-17.")
    CONCENTRATING = (
        "concentrating",
        "Memusatkan perhatian",
        "Focusing attention",
        "CFM, ages 5-17.",
    )
    ACCEPTING_CHANGE = (
        "accepting_change",
        "Menerima perubahan rutinitas",
        "Accepting changes in routine",
        "CFM, ages 5-17.",
    )
    MAKING_FRIENDS = ("making_friends", "Berteman", "Making friends", "CFM, ages 5-17.")
    ANXIETY = (
        "anxiety",
        "Kecemasan",
        "Anxiety",
        "CFM, ages 5-17, asked how often: 'daily' is recorded as a lot of difficulty, "
        "'weekly' as some.",
    )
    DEPRESSION = (
        "depression",
        "Depresi",
        "Depression",
        "CFM, ages 5-17, asked how often: 'daily' is recorded as a lot of difficulty, "
        "'weekly' as some.",
    )


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
    """What a case is about: a case's primary category, or one of its secondary issues."""

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

    PKH = (
        "pkh",
        "Program Keluarga Harapan (PKH)",
        "Family Hope Programme (PKH)",
        "Kemensos conditional cash transfer; a Pendamping PKH accompanies the families.",
        ("bansos PKH",),
    )
    BPNT = (
        "bpnt",
        "Program Sembako (BPNT)",
        "Basic food programme (Sembako, formerly BPNT)",
        "Kemensos food assistance, formerly Bantuan Pangan Non Tunai.",
        (
            "Sembako",
            "Program Sembako",
            "BPNT / Sembako",
            "bantuan sembako",
            "Bantuan Pangan Non Tunai",
            "Non-cash food assistance (BPNT)",
        ),
    )
    PBI_JKN = (
        "pbi_jkn",
        "PBI Jaminan Kesehatan (KIS)",
        "Health insurance contribution assistance (PBI-JK)",
        "JKN premiums paid by the state budget for families in DTSEN deciles 1-5.",
        (
            "KIS",
            "Kartu Indonesia Sehat",
            "JKN-KIS",
            "PBI-JK",
            "PBI-JKN (KIS)",
            "Health insurance contribution assistance (PBI-JKN)",
        ),
    )
    PBI_APBD = (
        "pbi_apbd",
        "PBI APBD (Jamkesda)",
        "Health insurance paid by the regional budget",
        "JKN premiums paid by the district or province (formerly Jamkesda).",
        ("Jamkesda", "PBPU Pemda", "PBI daerah", "KIS daerah"),
    )
    BLT_DANA_DESA = (
        "blt_dana_desa",
        "BLT Dana Desa",
        "Village-fund cash transfer (BLT DD)",
        "Recipients agreed in a special village deliberation (musdesus).",
        ("BLT DD", "BLT-DD", "BLT desa", "Bantuan Langsung Tunai Dana Desa"),
    )
    PIP = (
        "pip",
        "Program Indonesia Pintar (KIP)",
        "Smart Indonesia Programme (PIP)",
        "Cash for schooling of pupils from poor families.",
        ("KIP", "Kartu Indonesia Pintar"),
    )
    ATENSI = (
        "atensi",
        "Asistensi Rehabilitasi Sosial (ATENSI)",
        "Social rehabilitation assistance (ATENSI)",
        "Kemensos aid for children, older people and persons with disabilities "
        "(e.g. meals, assistive devices).",
        ("bantuan permakanan",),
    )
    RICE_AID = (
        "rice_aid",
        "Bantuan pangan beras",
        "Rice food assistance",
        "Rice per family per month, in rounds set by the national food agency (Bapanas).",
        ("bantuan beras", "beras 10 kg", "bansos beras"),
    )
    RTLH = (
        "rtlh",
        "Rehabilitasi rumah tidak layak huni (RTLH)",
        "Rehabilitation of uninhabitable houses (RTLH)",
        "Central (BSPS), district or village budgets.",
        ("bedah rumah", "BSPS"),
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
    PARENT = (
        "parent",
        "Orang tua",
        "Parent",
        "A parent not named as mother or father: refused when either parent is an alleged "
        "perpetrator; record the mother or the father instead.",
    )
    GUARDIAN = (
        "guardian",
        "Wali",
        "Guardian",
        "A child's guardian, or an adult's legal guardian (pengampu).",
    )
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
    MOTHER = ("mother", "Ibu", "Mother")
    FATHER = ("father", "Ayah", "Father")

    @property
    def is_parent(self) -> bool:
        return self in (ConsentGiver.PARENT, ConsentGiver.MOTHER, ConsentGiver.FATHER)


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
        "UU TPKS 12/2022 Art. 39-41; UU PKDRT 23/2004 Art. 15.",
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
    UPDATE = (
        "update",
        "Data kasus diperbarui",
        "Details updated",
        "What was learnt later: a marriage's result, a perpetrator, a corrected detail.",
    )


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
        "Never for a sexual-violence case, whoever the perpetrator: UU TPKS Art. 23.",
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
    """What the Ekonomi division does for a business: a permit, mentoring or capital."""

    PERMIT_NIB = (
        "permit_nib",
        "Nomor Induk Berusaha (NIB) lewat OSS",
        "Business ID (NIB via OSS)",
        "The business identity issued by the OSS system (PP 5/2021); for a low-risk "
        "micro-business it is also its permit.",
        ("NIB", "Izin NIB (OSS)", "OSS"),
    )
    PERMIT_PIRT = (
        "permit_pirt",
        "SPP-IRT (Sertifikat Produksi Pangan Industri Rumah Tangga)",
        "Home food-industry production certificate (SPP-IRT)",
        "Issued by the bupati through OSS (Peraturan BPOM 22/2018; PP 5/2021); it gives "
        "the P-IRT number printed on the label.",
        ("SPP-IRT", "P-IRT", "PIRT", "Izin P-IRT", "Home food-industry permit (P-IRT)"),
    )
    PERMIT_HALAL = (
        "permit_halal",
        "Sertifikat halal",
        "Halal certificate",
        "Issued by BPJPH (UU 33/2014); micro-businesses may self-declare.",
        ("halal", "sertifikasi halal"),
    )
    MENTORING = ("mentoring", "Pendampingan usaha", "Business mentoring")
    CAPITAL_KUR = (
        "capital_kur",
        "Akses modal Kredit Usaha Rakyat (KUR)",
        "Capital: people's business credit (KUR)",
        "Subsidised bank credit for micro and small businesses.",
        ("KUR", "Akses modal KUR", "Kredit Usaha Rakyat"),
    )
    CAPITAL_BUMDES = (
        "capital_bumdes",
        "Akses modal BUM Desa",
        "Capital: village-owned enterprise (BUM Desa)",
        "Badan Usaha Milik Desa (PP 11/2021).",
        ("BUMDes", "Akses modal BUMDes", "BUM Desa", "Capital: village enterprise (BUMDes)"),
    )
    CAPITAL_COOPERATIVE = (
        "capital_cooperative",
        "Akses modal koperasi",
        "Capital: cooperative",
        "",
        ("koperasi",),
    )
    CAPITAL_MEKAAR = (
        "capital_mekaar",
        "Akses modal PNM Mekaar",
        "Capital: PNM Mekaar (group loans for women)",
        "Membina Ekonomi Keluarga Sejahtera of PT Permodalan Nasional Madani: loans "
        "without collateral to groups of women micro-entrepreneurs from poor families.",
        ("Mekaar", "PNM Mekaar", "Membina Ekonomi Keluarga Sejahtera"),
    )
    CAPITAL_UMI = (
        "capital_umi",
        "Akses modal Pembiayaan Ultra Mikro (UMi)",
        "Capital: ultra-micro financing (UMi)",
        "Financing of the Pusat Investasi Pemerintah (Kemenkeu) through non-bank lenders "
        "(Pegadaian, PNM, BAV) for businesses KUR does not reach (PMK 130/2024).",
        ("UMi", "Pembiayaan Ultra Mikro"),
    )
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


#: Where each list comes from (a law, a national system, the field report, or this
#: library's own modelling), shown in docs/reference/code-lists.md. Lists with a core
#: name theirs in ``_WITH_CORE``.
_SOURCES: dict[str, str] = {
    "division": "Field report of the KK of Desa Teros, Lombok Timur (2025)",
    "group_function": "Field report of the KK of Desa Teros, Lombok Timur (2025)",
    "sex": "Dukcapil (jenis kelamin on the KTP-el and KK); SIMFONI-PPA",
    "disability_domain": (
        "Washington Group Short Set on Functioning (WG-SS); UNICEF/Washington Group "
        "Child Functioning Module (2016); Indonesian labels after BPS (Sakernas)"
    ),
    "affiliation": (
        "Field report (Teros 2025); UU 6/2014 on villages and Perda Kab. Lombok Timur 7/2017 (BPD)"
    ),
    "position": "Field report (Teros 2025)",
    "intake_channel": "This library, after UPTD PPA intake practice; SAPA 129 (KemenPPPA)",
    "case_category": "Field report (Teros 2025); UU 16/2019 (marriage from 19)",
    "gbvims_type": (
        "GBVIMS User Guide ch. 3 (GBV Classification Tool) and Primero lookups; "
        "UU 12/2022 (TPKS) for pemaksaan perkawinan"
    ),
    "violence_form": "SIMFONI-PPA (KemenPPPA): bentuk kekerasan, dashboard labels 2024-2025",
    "age_band": "SIMFONI-PPA (KemenPPPA): usia korban",
    "risk_level": "This library (case-management practice)",
    "consent_giver": "UU 27/2022 (PDP) Art. 25; GBV and child-protection case management",
    "override_reason": (
        "UU 27/2022 (PDP) Art. 20; UU 12/2022 (TPKS) Art. 39-41; UU 23/2004 (PKDRT) "
        "Art. 15; UU 35/2014 (the best interest of the child)"
    ),
    "case_action": "This library: the case lifecycle",
    "case_status": "This library: the case lifecycle",
    "referral_action": "This library: the referral lifecycle",
    "proposal_action": (
        "This library: the advocacy lifecycle, after Permendesa PDTT 21/2020 (RKPDes) "
        "and Permendagri 20/2018 (APBDes)"
    ),
    "case_outcome": "This library; UU 12/2022 (TPKS) Art. 23; UU 11/2012 (SPPA)",
    "referral_status": "This library: the referral lifecycle",
    "support_type": (
        "PP 5/2021 (OSS, NIB); Peraturan BPOM 22/2018 (SPP-IRT); UU 33/2014 (halal); "
        "KUR; PP 11/2021 (BUM Desa); PNM Mekaar; PMK 130/2024 (UMi)"
    ),
    "support_status": "This library",
    "publication_channel": "Field report (Teros 2025); this library",
    "session_format": "This library",
    "forum": (
        "Permendesa PDTT 16/2019 (musyawarah desa); Permendesa PDTT 21/2020 (RKPDes); "
        "Permendagri 114/2014"
    ),
    "proposal_status": (
        "This library: the advocacy lifecycle, after Permendesa PDTT 21/2020 and "
        "Permendagri 20/2018"
    ),
    "reporter": "UU 12/2022 (TPKS) Art. 39 (who may report); this library",
    "gbvims_flag": "GBVIMS / Primero case-context flags; possible_trafficking is local",
    "tpks_form": "UU 12/2022 (TPKS) Art. 4",
    "penetration": "GBVIMS Classification Tool",
    "exploitation_kind": "SIMFONI-PPA (eksploitasi); this library",
    "assent_decision": "Child assent in GBV case management (Caring for Child Survivors)",
    "assent_method": "Child assent in GBV case management (Caring for Child Survivors)",
    "need_domain": "GBV and child-protection case-management assessment",
    "legal_stage": "KUHAP (criminal procedure); UU 11/2012 (SPPA)",
    "marriage_route": (
        "Child-marriage routes in Lombok (merariq, KUA, dispensation, nikah siri); "
        "UU 12/2022 Art. 10; PERMA 5/2019"
    ),
    "marriage_court": "UU 16/2019; PERMA 5/2019 (dispensasi kawin)",
    "dispensation_result": "PERMA 5/2019 (dispensasi kawin)",
    "child_marriage_result": "This library, after Lombok practice (belas)",
    "marriage_role": "This library",
    "business_sector": "This library: the sectors of the KKs' micro-businesses",
    "issue_area": "INKLUSI (GEDSI) issue areas; this library",
    "service_provider": "Local: the service providers a district registers (plugins)",
    "meeting_type": (
        "Field report (Teros 2025); Permendesa PDTT 16/2019; musdesus for BLT-DD "
        "(Permendesa PDTT 2/2024, PMK 108/2024)"
    ),
    "apbdes_field": "Permendagri 20/2018 (bidang belanja APBDes)",
    "training_organiser": "Field report (Teros 2025)",
    "data_recipient": "This library",
    "question_channel": "This library: the information centre",
    "question_resolution": "This library: the information centre",
    "data_set": "This library; DTSEN (Inpres 4/2025)",
    "question_topic": "This library: the information centre",
}


def _open(
    name: str, *entries: tuple[str, str, str] | tuple[str, str, str, tuple[str, ...]]
) -> CodeList[Coded]:
    """An open list of (code, label_id, label_en[, other names]) entries."""
    return CodeList(
        name,
        (CodeEntry(*entry[:3], aliases=entry[3] if len(entry) > 3 else ()) for entry in entries),
        version=CODELIST_VERSION,
        extensible=True,
        source=_SOURCES.get(name, ""),
    )


#: Every code list by name. Open lists here hold the built-in entries only; the plugin
#: facade (`kk_core.plugins`) returns them extended with local entries.
CODE_LISTS: dict[str, CodeList[Coded]] = {
    name: register_enum_list(
        CodeList.of(enum_cls, name=name, version=CODELIST_VERSION, source=_SOURCES.get(name, ""))
    )
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
        name: register_enum_list(
            CodeList.of(
                enum_cls, name=name, version=CODELIST_VERSION, source=_SOURCES.get(name, "")
            )
        )
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
        (
            "social_assistance",
            "Bantuan sosial (PKH, Sembako, BLT)",
            "Social assistance",
            ("Bantuan sosial (PKH, BPNT, BLT)",),
        ),
        ("dtsen_status", "Status DTKS / DTSEN", "DTKS / DTSEN status"),
        ("health_insurance", "BPJS Kesehatan / KIS", "Health insurance (JKN, KIS)"),
        ("civil_registration", "Adminduk (akta, KTP, KK, KIA)", "Civil registration"),
        ("education_support", "Pendidikan dan PIP / KIP", "Schooling and PIP / KIP"),
        ("violence_reporting", "Melaporkan kekerasan", "Reporting violence"),
        ("child_marriage", "Perkawinan anak / dispensasi", "Child marriage and dispensation"),
        ("disability_services", "Layanan disabilitas", "Disability services"),
        (
            "business_permits",
            "Izin usaha (NIB, SPP-IRT, halal)",
            "Business permits",
            ("Izin usaha (NIB, P-IRT, halal)",),
        ),
        (
            "business_capital",
            "Modal usaha (KUR, BUM Desa, Mekaar, UMi)",
            "Business capital",
            ("Modal usaha (KUR, BUMDes)",),
        ),
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


# --- Disability, social protection and civil registration as residents meet them (issue 9)


class DifficultyLevel(Coded):
    """How much difficulty a person has in a domain: the four answers of the Washington
    Group questions. "A lot" and "cannot" meet the WG cut-off for a disability."""

    NONE = (
        "none",
        "Tidak mengalami kesulitan",
        "No difficulty",
        "",
        ("tidak ada kesulitan",),
    )
    SOME = ("some", "Sedikit kesulitan", "Some difficulty", "", ("sedikit/sedang",))
    A_LOT = (
        "a_lot",
        "Banyak kesulitan",
        "A lot of difficulty",
        "Meets the WG cut-off.",
        ("banyak mengalami kesulitan", "banyak kesulitan/parah"),
    )
    CANNOT = (
        "cannot",
        "Tidak bisa sama sekali",
        "Cannot do at all",
        "Meets the WG cut-off.",
        ("sama sekali tidak dapat", "tidak dapat sama sekali"),
    )

    @property
    def meets_cutoff(self) -> bool:
        """A lot of difficulty or cannot do at all: what the WG (and BPS) count."""
        return self in (DifficultyLevel.A_LOT, DifficultyLevel.CANNOT)


class FunctioningSet(Coded):
    """The question set a person's functioning was asked with: the WG Short Set for
    adults, the Child Functioning Module (answered by the mother or main caregiver) for
    children aged 2-4 and 5-17, whose domains differ."""

    WG_SS = (
        "wg_ss",
        "Washington Group Short Set (WG-SS)",
        "Washington Group Short Set",
        "Six domains; for adults, also used from age 5.",
        ("WG-SS", "Washington Group"),
    )
    CFM_2_4 = (
        "cfm_2_4",
        "Modul Fungsi Anak, usia 2-4 tahun",
        "Child Functioning Module, ages 2-4",
        "UNICEF/Washington Group, answered by the mother or main caregiver.",
    )
    CFM_5_17 = (
        "cfm_5_17",
        "Modul Fungsi Anak, usia 5-17 tahun",
        "Child Functioning Module, ages 5-17",
        "UNICEF/Washington Group, answered by the mother or main caregiver.",
    )

    @property
    def domains(self) -> frozenset[DisabilityDomain]:
        """The domains this question set asks about."""
        return _FUNCTIONING_DOMAINS[self]

    @classmethod
    def for_age(cls, age: int) -> FunctioningSet | None:
        """The set to ask at this age; None under 2 (no set measures it)."""
        if age < 2:
            return None
        if age <= 4:
            return cls.CFM_2_4
        if age <= 17:
            return cls.CFM_5_17
        return cls.WG_SS


_D = DisabilityDomain
_FUNCTIONING_DOMAINS: dict[FunctioningSet, frozenset[DisabilityDomain]] = {
    FunctioningSet.WG_SS: frozenset(
        {_D.SEEING, _D.HEARING, _D.WALKING, _D.COGNITION, _D.SELF_CARE, _D.COMMUNICATION}
    ),
    FunctioningSet.CFM_2_4: frozenset(
        {
            _D.SEEING,
            _D.HEARING,
            _D.WALKING,
            _D.FINE_MOTOR,
            _D.COMMUNICATION,
            _D.LEARNING,
            _D.PLAYING,
            _D.CONTROLLING_BEHAVIOUR,
        }
    ),
    FunctioningSet.CFM_5_17: frozenset(
        {
            _D.SEEING,
            _D.HEARING,
            _D.WALKING,
            _D.SELF_CARE,
            _D.COMMUNICATION,
            _D.LEARNING,
            _D.REMEMBERING,
            _D.CONCENTRATING,
            _D.ACCEPTING_CHANGE,
            _D.CONTROLLING_BEHAVIOUR,
            _D.MAKING_FRIENDS,
            _D.ANXIETY,
            _D.DEPRESSION,
        }
    ),
}
del _D


class DisabilityType(Coded):
    """The types (ragam) of disability of UU 8/2016 Art. 4, the view Dinas Sosial
    tables use. A person may have several; two or more is *ganda atau multi*, which is
    derived (`kk_core.disability.Disability.ragam`), never recorded on its own."""

    PHYSICAL = (
        "physical",
        "Disabilitas fisik",
        "Physical disability",
        "Impaired movement: amputation, paralysis, cerebral palsy, after a stroke, leprosy, "
        "little people.",
        ("fisik", "daksa", "tunadaksa"),
    )
    INTELLECTUAL = (
        "intellectual",
        "Disabilitas intelektual",
        "Intellectual disability",
        "Thinking impaired by below-average intelligence: slow learners, grahita, Down syndrome.",
        ("intelektual", "grahita", "tunagrahita"),
    )
    MENTAL = (
        "mental",
        "Disabilitas mental",
        "Mental (psychosocial or developmental) disability",
        "Psychosocial (schizophrenia, bipolar, depression, anxiety) or developmental "
        "(autism, hyperactivity).",
        ("psikososial",),
    )
    SENSORY = (
        "sensory",
        "Disabilitas sensorik",
        "Sensory disability",
        "One of the senses: netra (sight), rungu (hearing), wicara (speech).",
        ("sensorik", "netra", "tunanetra", "rungu", "tunarungu", "wicara", "tunawicara"),
    )
    MULTIPLE = (
        "multiple",
        "Disabilitas ganda atau multi",
        "Multiple disabilities",
        "Two or more of the types above (Art. 4(2)); derived, never recorded alone.",
        ("ganda", "multi"),
    )


class AccommodationNeed(Coded):
    """What a person needs to use a service or take part (akomodasi yang layak, UU 8/2016;
    PP 39/2020 lists them for the judicial process)."""

    SIGN_LANGUAGE_INTERPRETER = (
        "sign_language_interpreter",
        "Juru bahasa isyarat (JBI)",
        "Sign-language interpreter",
        "",
        ("JBI", "bahasa isyarat"),
    )
    COMPANION = (
        "companion",
        "Pendamping disabilitas",
        "Companion or personal assistant",
        "Someone the person trusts, to go with them and help them communicate.",
        ("pendamping",),
    )
    ACCESSIBLE_TRANSPORT = (
        "accessible_transport",
        "Transportasi yang aksesibel",
        "Accessible transport",
    )
    ACCESSIBLE_VENUE = (
        "accessible_venue",
        "Tempat yang aksesibel (ramp, lantai dasar)",
        "Accessible venue (ramp, ground floor)",
    )
    EASY_READ = (
        "easy_read",
        "Informasi mudah dibaca / huruf besar",
        "Easy-read or large-print information",
    )
    BRAILLE = ("braille", "Huruf Braille", "Braille")
    HOME_VISIT = (
        "home_visit",
        "Layanan di rumah (kunjungan rumah)",
        "Service at home (home visit)",
    )
    ASSISTIVE_DEVICE = (
        "assistive_device",
        "Alat bantu (kursi roda, tongkat, alat bantu dengar)",
        "Assistive device (wheelchair, cane, hearing aid)",
        "",
        ("alat bantu",),
    )
    OTHER = ("other", "Lainnya", "Other")


class DataStatus(Coded):
    """Where a family stands in the national social-economic data (DTSEN, Inpres 4/2025,
    which replaced DTKS in 2025): what most social-protection cases are about. These are
    the sub-categories of ``social_protection`` in ``case_subcategory``."""

    NOT_IN_DTSEN = (
        "not_in_dtsen",
        "Tidak terdaftar di DTSEN / DTKS",
        "Not in DTSEN (formerly DTKS)",
        "Needs a village proposal (usulan desa) to be registered.",
        ("belum masuk DTKS", "tidak terdaftar DTKS", "tidak terdaftar di DTSEN"),
    )
    REGISTERED_NOT_RECEIVING = (
        "registered_not_receiving",
        "Terdaftar tetapi tidak menerima bantuan",
        "Registered but not receiving",
        "Eligible on paper; quota, decile or a data error keeps the aid away.",
    )
    DECILE_TOO_HIGH = (
        "decile_too_high",
        "Desil terlalu tinggi (dianggap mampu)",
        "Welfare decile too high (deemed well off)",
        "Social assistance mostly goes to deciles 1-4 and PBI-JK to 1-5; the decile is "
        "recorded as a number.",
        ("desil tinggi",),
    )
    PBI_INACTIVE = (
        "pbi_inactive",
        "PBI JK / KIS nonaktif (perlu reaktivasi)",
        "PBI-JK health cover inactive (reactivation)",
        "Dinas Sosial reactivates it with a letter from the health facility.",
        ("KIS nonaktif", "PBI nonaktif", "reaktivasi PBI"),
    )
    NIK_MISMATCH = (
        "nik_mismatch",
        "NIK tidak padan dengan Dukcapil",
        "NIK does not match the civil registry",
        "DTSEN is matched to Dukcapil's records: fixed at Dukcapil first.",
        ("NIK tidak valid", "NIK tidak padan"),
    )
    EXCLUDED_BY_DATA = (
        "excluded_by_data",
        "Dikecualikan karena data (mis. tercatat ASN / TNI / Polri)",
        "Excluded by a data match (e.g. recorded as a civil servant's family)",
    )
    MOVED_DOMICILE = (
        "moved_domicile",
        "Data di daerah lain / pindah domisili",
        "Recorded in another district (moved)",
    )
    DATA_OUTDATED = (
        "data_outdated",
        "Data keluarga tidak mutakhir (meninggal, pindah, pisah KK)",
        "Family data out of date (death, move, split household)",
    )
    DISBURSEMENT_PROBLEM = (
        "disbursement_problem",
        "Bantuan tidak cair / kartu KKS bermasalah",
        "Aid not paid out or payment card problem",
        "",
        ("bantuan tidak cair", "KKS hilang"),
    )


class CivilDocument(Coded):
    """Civil-registration documents (adminduk, UU 23/2006 as amended by UU 24/2013)."""

    BIRTH_CERTIFICATE = ("birth_certificate", "Akta kelahiran", "Birth certificate")
    KTP_EL = (
        "ktp_el",
        "KTP elektronik (KTP-el)",
        "Electronic identity card (KTP-el)",
        "From age 17 or marriage.",
        ("KTP", "e-KTP", "KTP-el"),
    )
    FAMILY_CARD = (
        "family_card",
        "Kartu Keluarga (KK)",
        "Family card (KK)",
        "",
        ("KK", "Kartu Keluarga"),
    )
    KIA = (
        "kia",
        "Kartu Identitas Anak (KIA)",
        "Child identity card (KIA)",
        "For children under 17 (Permendagri 2/2016).",
    )
    DEATH_CERTIFICATE = ("death_certificate", "Akta kematian", "Death certificate")
    MARRIAGE_BOOK = (
        "marriage_book",
        "Buku nikah / akta perkawinan",
        "Marriage book or marriage certificate",
        "KUA's buku nikah for Muslims (an unregistered marriage needs isbat nikah at the "
        "Pengadilan Agama); Dukcapil's akta perkawinan for others.",
        ("buku nikah", "akta nikah", "akta perkawinan", "isbat nikah"),
    )
    DIVORCE_CERTIFICATE = (
        "divorce_certificate",
        "Akta cerai / akta perceraian",
        "Divorce certificate",
        "From the Pengadilan Agama (akta cerai) or Dukcapil (akta perceraian).",
        ("akta cerai", "akta perceraian"),
    )
    SKPWNI = (
        "skpwni",
        "Surat keterangan pindah (SKPWNI)",
        "Certificate of moving (SKPWNI)",
        "To move domicile, e.g. when the family's data sit in another district.",
        ("surat pindah", "SKPWNI"),
    )
    OTHER = ("other", "Dokumen lain", "Other document")


class DocumentNeed(Coded):
    """What a civil-registration case needs done with its documents. These are the
    sub-categories of ``civil_registration`` in ``case_subcategory``."""

    NEW_DOCUMENT = (
        "new_document",
        "Penerbitan dokumen baru",
        "New document",
        "The person never had it (e.g. a child with no birth certificate).",
        ("penerbitan baru", "buat baru"),
    )
    DOCUMENT_CORRECTION = (
        "document_correction",
        "Perbaikan / pembetulan data",
        "Correction of data",
        "Wrong name, date of birth or NIK on a document.",
        ("perbaikan data", "pembetulan data"),
    )
    DOCUMENT_REPLACEMENT = (
        "document_replacement",
        "Penggantian (hilang / rusak)",
        "Replacement (lost or damaged)",
        "",
        ("dokumen hilang", "dokumen rusak"),
    )
    DOCUMENT_UPDATE = (
        "document_update",
        "Perubahan data karena peristiwa penting",
        "Update after a life event",
        "A birth, death, marriage, divorce or move to record on the family card.",
        ("pemutakhiran data", "perubahan KK"),
    )
    COURT_ORDER = (
        "court_order",
        "Perlu penetapan pengadilan",
        "Court order needed",
        "Isbat nikah, or a change of name or date of birth by a court.",
        ("penetapan pengadilan",),
    )


class DropoutReason(Coded):
    """Why a child is out of school (several may apply): what the KK hears, after the
    reasons Dinas Pendidikan verifies for children out of school (Anak Tidak Sekolah)."""

    COST = (
        "cost",
        "Tidak ada biaya",
        "Cannot afford it",
        "",
        ("ekonomi", "biaya"),
    )
    WORK = ("work", "Bekerja / membantu orang tua", "Working or helping the parents")
    MARRIAGE = (
        "marriage",
        "Menikah / perkawinan anak",
        "Marriage (child marriage)",
        "",
        ("menikah", "merariq"),
    )
    PREGNANCY = ("pregnancy", "Hamil", "Pregnancy")
    PARENTS_AWAY = (
        "parents_away",
        "Ditinggal orang tua merantau (PMI)",
        "Parents away (migrant work)",
        "Lombok Timur sends many migrant workers abroad.",
        ("anak PMI",),
    )
    DISTANCE = ("distance", "Sekolah jauh / tidak ada transportasi", "School far away")
    DISABILITY = (
        "disability",
        "Disabilitas / sekolah tidak inklusif",
        "Disability (no inclusive school)",
    )
    ILLNESS = ("illness", "Sakit", "Illness")
    BULLYING = ("bullying", "Perundungan", "Bullying", "", ("dibully",))
    NO_DOCUMENTS = (
        "no_documents",
        "Tidak punya akta / NIK",
        "No birth certificate or NIK",
        "Enrolment and PIP need a NIK.",
    )
    NOT_MOTIVATED = (
        "not_motivated",
        "Tidak mau sekolah / pengaruh teman",
        "Unwilling, or peers' influence",
    )
    OTHER = ("other", "Lainnya", "Other")


_CLOSED_ISSUE_9: tuple[tuple[str, type[Coded], str], ...] = (
    (
        "difficulty_level",
        DifficultyLevel,
        "Washington Group and Child Functioning Module answers; Indonesian after BPS "
        "(Sakernas: tingkat kesulitan)",
    ),
    (
        "functioning_set",
        FunctioningSet,
        "Washington Group on Disability Statistics; UNICEF/WG Child Functioning Module (2016)",
    ),
    ("disability_type", DisabilityType, "UU 8/2016 on persons with disabilities, Art. 4"),
    (
        "accommodation_need",
        AccommodationNeed,
        "UU 8/2016 (akomodasi yang layak); PP 39/2020 (accommodation in the judicial process)",
    ),
    (
        "data_status",
        DataStatus,
        "DTSEN (Inpres 4/2025); statuses Kemensos and Dinas Sosial operators meet (2025)",
    ),
    (
        "civil_document",
        CivilDocument,
        "UU 23/2006 as amended by UU 24/2013 (adminduk); Permendagri 2/2016 (KIA); KUA",
    ),
    ("document_need", DocumentNeed, "UU 23/2006 as amended by UU 24/2013; Perpres 96/2018"),
    (
        "dropout_reason",
        DropoutReason,
        "Anak Tidak Sekolah (Kemendikbudristek, Dapodik): reasons Dinas Pendidikan verifies",
    ),
)
for _name, _enum, _source in _CLOSED_ISSUE_9:
    _SOURCES[_name] = _source
    CODE_LISTS[_name] = register_enum_list(
        CodeList.of(_enum, name=_name, version=CODELIST_VERSION, source=_source)
    )


def _sub(
    code: str, label_id: str, label_en: str, parent: str, *aliases: str, note: str = ""
) -> CodeEntry:
    return CodeEntry(code, label_id, label_en, note, parent=parent, aliases=aliases)


def _subs_of(enum_cls: type[Coded], parent: CaseCategory) -> tuple[CodeEntry, ...]:
    """A closed list's members as sub-categories of one category (same codes)."""
    return tuple(attrs.evolve(e, parent=parent.value) for e in entries_of(enum_cls))


#: Sub-categories of every case category, built in: what a KK in Lombok Timur meets.
_SUBCATEGORIES: tuple[CodeEntry, ...] = (
    # violence: the laws the cases fall under, and where Lombok Timur's cases come from
    _sub(
        "domestic_violence",
        "Kekerasan dalam rumah tangga (KDRT)",
        "Domestic violence",
        "violence",
        "KDRT",
        note="UU 23/2004 (PKDRT): physical, psychological, sexual violence or neglect "
        "within the household.",
    ),
    _sub(
        "sexual_violence",
        "Kekerasan seksual",
        "Sexual violence",
        "violence",
        "TPKS",
        note="UU 12/2022 (TPKS), outside the household.",
    ),
    _sub(
        "child_abuse",
        "Kekerasan terhadap anak",
        "Violence against a child",
        "violence",
        note="UU 35/2014 on child protection, outside the household.",
    ),
    _sub("dating_violence", "Kekerasan dalam pacaran", "Dating violence", "violence"),
    _sub(
        "online_violence",
        "Kekerasan berbasis gender online (KBGO)",
        "Online gender-based violence",
        "violence",
        "KBGO",
        "KSBE",
        note="UU 12/2022 (TPKS) Art. 14: electronic-based sexual violence.",
    ),
    _sub(
        "trafficking",
        "Perdagangan orang / PMI nonprosedural",
        "Trafficking, irregular migrant work",
        "violence",
        "TPPO",
        "PMI nonprosedural",
        note="UU 21/2007 (TPPO); UU 18/2017 on migrant workers (BP3MI).",
    ),
    _sub(
        "abandonment",
        "Penelantaran keluarga (ditinggal suami / orang tua)",
        "Abandonment by a husband or parent",
        "violence",
        "penelantaran",
        note="UU 23/2004 (PKDRT) Art. 9: neglect of those one must provide for.",
    ),
    _sub(
        "bullying",
        "Perundungan",
        "Bullying",
        "violence",
        "dibully",
        note="At school: Permendikbudristek 46/2023 (PPKSP).",
    ),
    # child marriage: where the child is on its route when the KK meets the case
    _sub(
        "marriage_planned",
        "Rencana perkawinan anak (belum terjadi)",
        "Child marriage planned (not yet)",
        "child_marriage",
        "dijodohkan",
    ),
    _sub(
        "eloped",
        "Sudah merariq / dibawa lari, belum menikah",
        "Eloped (merariq), not yet married",
        "child_marriage",
        "merariq",
        "kawin lari",
        note="Sasak elopement: the hamlet head can still bring the pair back apart (belas).",
    ),
    _sub(
        "dispensation_requested",
        "Permohonan dispensasi kawin",
        "Marriage dispensation requested",
        "child_marriage",
        "dispensasi kawin",
        note="PERMA 5/2019: the parents apply to the Pengadilan Agama or Negeri.",
    ),
    _sub(
        "married_unregistered",
        "Sudah menikah siri (tidak tercatat)",
        "Married, unregistered (siri)",
        "child_marriage",
        "nikah siri",
    ),
    _sub(
        "married_registered",
        "Sudah menikah tercatat",
        "Married, registered",
        "child_marriage",
    ),
    _sub(
        "child_divorce",
        "Cerai / ditinggalkan setelah perkawinan anak",
        "Divorced or left after a child marriage",
        "child_marriage",
        "janda anak",
    ),
    # school dropout: the three kinds of Anak Tidak Sekolah, dropouts by level, at risk
    _sub("dropout_sd", "Putus sekolah SD / MI", "Dropped out of primary school", "school_dropout"),
    _sub(
        "dropout_smp",
        "Putus sekolah SMP / MTs",
        "Dropped out of junior secondary school",
        "school_dropout",
    ),
    _sub(
        "dropout_sma",
        "Putus sekolah SMA / SMK / MA",
        "Dropped out of senior secondary school",
        "school_dropout",
    ),
    _sub(
        "not_continuing",
        "Lulus tidak melanjutkan",
        "Finished a level, did not continue",
        "school_dropout",
        "LTM",
        note="Anak Tidak Sekolah: lulus tidak melanjutkan.",
    ),
    _sub(
        "never_enrolled",
        "Belum pernah bersekolah",
        "Never enrolled",
        "school_dropout",
        "BPB",
        note="Anak Tidak Sekolah: belum pernah bersekolah (ages 7-18).",
    ),
    _sub(
        "dropout_risk",
        "Berisiko putus sekolah",
        "At risk of dropping out",
        "school_dropout",
        "rawan putus sekolah",
        note="Still enrolled, but often absent or about to leave.",
    ),
    # social protection and civil registration: the closed lists, same codes
    *_subs_of(DataStatus, CaseCategory.SOCIAL_PROTECTION),
    *_subs_of(DocumentNeed, CaseCategory.CIVIL_REGISTRATION),
    # disability support: the rights of UU 8/2016 residents most ask the KK about
    _sub(
        "assistive_device",
        "Alat bantu disabilitas",
        "Assistive device",
        "disability_support",
        "kursi roda",
        "alat bantu dengar",
    ),
    _sub(
        "disability_registration",
        "Pendataan penyandang disabilitas",
        "Registration as a person with a disability",
        "disability_support",
    ),
    _sub(
        "disability_assistance",
        "Bantuan sosial penyandang disabilitas (ATENSI, PKH)",
        "Social assistance for persons with disabilities",
        "disability_support",
    ),
    _sub(
        "inclusive_education",
        "Pendidikan inklusif / SLB",
        "Inclusive or special education",
        "disability_support",
        "SLB",
    ),
    _sub(
        "rehabilitation",
        "Layanan kesehatan dan rehabilitasi (terapi)",
        "Health care and rehabilitation",
        "disability_support",
        "terapi",
    ),
    _sub(
        "accessibility",
        "Aksesibilitas layanan dan fasilitas umum",
        "Accessibility of services and public places",
        "disability_support",
    ),
    _sub(
        "disability_work",
        "Pelatihan kerja dan usaha",
        "Work and business training",
        "disability_support",
    ),
    # other
    _sub("health_access", "Akses layanan kesehatan", "Access to health care", "other"),
    _sub(
        "migrant_worker",
        "Masalah pekerja migran (PMI)",
        "Migrant worker problem",
        "other",
        "PMI",
        "TKI",
    ),
    _sub("elderly_care", "Lansia tanpa pengasuhan", "Older person without care", "other"),
)

_SOURCES["case_subcategory"] = (
    "Categories: case_category. Sub-categories: UU 23/2004 (PKDRT), UU 12/2022 (TPKS), "
    "UU 35/2014, UU 21/2007 (TPPO) for violence; UU 16/2019 and PERMA 5/2019 for child "
    "marriage; Anak Tidak Sekolah (Kemendikbudristek) for dropout; DTSEN (Inpres 4/2025) "
    "for social protection; UU 24/2013 (adminduk) for civil registration; UU 8/2016 for "
    "disability support"
)
#: Open: plugins add local sub-categories, each naming the category it belongs to.
CODE_LISTS["case_subcategory"] = CodeList(
    "case_subcategory",
    (*entries_of(CaseCategory), *(attrs.evolve(e, local=True) for e in _SUBCATEGORIES)),
    version=CODELIST_VERSION,
    extensible=True,
    core=CaseCategory,
    source=_SOURCES["case_subcategory"],
)
for _name, _core, _source in _WITH_CORE:
    _SOURCES.setdefault(_name, _source)

__all__ += [
    "AccommodationNeed",
    "CivilDocument",
    "DataStatus",
    "DifficultyLevel",
    "DisabilityType",
    "DocumentNeed",
    "DropoutReason",
    "FunctioningSet",
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
    base = CODE_LISTS.get(list_name)
    built_in = None if base is None else base.core_of(code)
    if built_in is not None:
        return built_in  # a plugin adds entries, never moves a built-in one
    lists = _extended_lists() if _extended_lists is not None else CODE_LISTS
    code_list = lists.get(list_name) or CODE_LISTS[list_name]
    return code_list.core_of(code)
