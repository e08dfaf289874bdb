"""A year (2025) in the life of the Kelompok Konstituen of Desa Teros, Lombok Timur.

Run it::

    python examples/village_year.py [--seed N] [--store URL]

It builds, with nothing but the pure functions of ``kk_core``, a realistic KK: the
village and its hamlets, a board of about 24 members in all four divisions, a year of
cases of every category taken through their lifecycles (report, companion, consent,
referrals accepted, declined and completed, one referral made without consent because
a child was at risk, closing with an outcome, one reopening), the services the KK
refers to, UMKM it helps with permits and capital, what Humas published, the meeting
of 13 February 2025 described in the field report, and an advocacy proposal taken from
draft to funding in the village budget. Then it prints a summary and keeps every record in a store: SQLite by default
(``kk-teros.db`` in the current folder; ``--store URL`` for another, ``--store none``
for none). Running it again changes nothing in the store.

Everything here is synthetic. The people on the board and the speakers at the meeting
are named as in the public field report; the clients of cases are invented and, as in
real records, have no names: only initials and a keyed pseudonym of an invented
identity number, neither of which is ever printed. The village is keyed by Teros's own
Kemendagri code; most hamlet names are illustrative.

Import it to reuse the data in tests and notebooks::

    year = build_village_year(seed=2025)
    len(year.cases), year.proposals[0].status
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone

import attrs

from kk_core import open_store
from kk_core.advocacy import (
    AdvocacyProposal,
    adopt_proposal,
    discuss_proposal,
    draft_proposal,
    fund_proposal,
    reject_proposal,
    submit_proposal,
)
from kk_core.case_lifecycle import (
    add_note,
    assign_companion,
    change_risk,
    close_case,
    record_consent,
    refer_case,
    reopen_case,
    report_case,
    resume_case,
)
from kk_core.cases import Case, Consent, Subject, ViolenceIncident
from kk_core.codes import (
    Affiliation,
    AgeBand,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    Coded,
    ConsentGiver,
    DisabilityDomain,
    Division,
    Forum,
    FunctioningSet,
    IncidentPlace,
    IntakeChannel,
    OverrideReason,
    PerpetratorRelation,
    Position,
    PublicationChannel,
    ReferralStatus,
    RiskLevel,
    ServiceKind,
    SessionFormat,
    Sex,
    SocialProgramme,
    SupportStatus,
    SupportType,
    ViolenceForm,
)
from kk_core.economy import Business, SupportAction
from kk_core.groups import ConstituentGroup, Member
from kk_core.kinds import Record
from kk_core.meetings import Meeting, Speaker
from kk_core.outreach import Audience, InformationSession, Publication
from kk_core.places import Hamlet, Village
from kk_core.privacy import pseudonymise
from kk_core.referrals import (
    Referral,
    ServiceProvider,
    accept_referral,
    cancel_referral,
    complete_referral,
    decline_referral,
    follow_up_referral,
    send_referral,
)

__all__ = ["VillageYear", "build_village_year", "main", "summarise"]

#: Waktu Indonesia Tengah: Lombok's time zone (UTC+8). Event times always carry a zone.
WITA = timezone(timedelta(hours=8))
YEAR = 2025
AS_OF = date(YEAR, 12, 31)

#: Desa Teros, Kecamatan Labuhan Haji (52.03.17), Kabupaten Lombok Timur (52.03), NTB (52),
#: as the Kemendagri table lists it (`kk_core.regions`; Kepmendagri 300.2.2-2138 Tahun 2025).
#: Release 0.1.0 used 52.03.17.2008, which is Desa Kertasari.
VILLAGE_CODE = "52.03.17.2003"
GROUP_ID = "kk-teros"

#: The key that turns (invented) identity numbers into pseudonyms. A real deployment
#: keeps its key outside the data and the code; this one only serves the example.
EXAMPLE_KEY = b"teros-example-key--not-for-real-data"

_RANDOM_CASES = 69
#: The WG Short Set domains, in the order of the release 0.1.0 list (the same draws).
_WG_DOMAINS = [d for d in DisabilityDomain if d in FunctioningSet.WG_SS.domains]


# --------------------------------------------------------------------------- records


@attrs.frozen
class VillageYear:
    """Everything the example builds, by record kind."""

    village: Village
    hamlets: tuple[Hamlet, ...]
    group: ConstituentGroup
    members: tuple[Member, ...]
    providers: tuple[ServiceProvider, ...]
    cases: tuple[Case, ...]
    referrals: tuple[Referral, ...]
    businesses: tuple[Business, ...]
    support_actions: tuple[SupportAction, ...]
    publications: tuple[Publication, ...]
    sessions: tuple[InformationSession, ...]
    meetings: tuple[Meeting, ...]
    proposals: tuple[AdvocacyProposal, ...]
    as_of: date = AS_OF

    def records(self) -> Iterator[Record]:
        """Every record, each kind after the kinds it points at (the order stores load in)."""
        yield self.village
        yield from self.hamlets
        yield self.group
        yield from self.members
        yield from self.providers
        yield from self.cases
        yield from self.referrals
        yield from self.businesses
        yield from self.support_actions
        yield from self.publications
        yield from self.sessions
        yield from self.proposals
        yield from self.meetings


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


# ------------------------------------------------------------------- village and board

_HAMLETS = (
    ("teros-daya", "Teros Daya"),
    ("teros-lauk", "Teros Lauk"),
    ("tuntang", "Tuntang"),
    ("lendang-bajur", "Lendang Bajur"),
    ("bagek-nunggal", "Bagek Nunggal"),
    ("tanak-beak", "Tanak Beak"),
)
_HAMLET_WEIGHTS = (22, 20, 18, 16, 14, 10)


def _h(slug: str) -> str:
    """The id of a hamlet of Teros."""
    return f"dusun-{slug}"


def _village() -> tuple[Village, tuple[Hamlet, ...]]:
    village = Village(VILLAGE_CODE, "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")
    hamlets = tuple(Hamlet(_h(slug), VILLAGE_CODE, name) for slug, name in _HAMLETS)
    return village, hamlets


_A = Affiliation
_D = Division
_P = Position
_FOUNDED = date(2023, 5, 20)

# id, name, sex, affiliations, position, divisions, birth year, hamlet slug (None: lives
# outside the village), extra fields
_BOARD: tuple[
    tuple[str, str, Sex, tuple[Affiliation, ...], Position, tuple[Division, ...], int, str | None],
    ...,
] = (
    ("m01", "Lalu Muhammad Zainuddin", Sex.MALE, (_A.COMMUNITY_LEADER,), _P.CHAIR, (), 1972,
     "teros-daya"),
    ("m02", "Baiq Nurhayati", Sex.FEMALE, (_A.PKK,), _P.VICE_CHAIR, (_D.COMPLAINTS,), 1979,
     "teros-daya"),
    ("m03", "Nurul Hidayati", Sex.FEMALE, (_A.VILLAGE_GOVERNMENT,), _P.SECRETARY, (_D.DATA,),
     1988, "teros-lauk"),
    ("m04", "Siti Aminah", Sex.FEMALE, (_A.PKK,), _P.TREASURER, (_D.ECONOMY,), 1981, "tuntang"),
    ("m05", "Ahmad Fauzi", Sex.MALE, (_A.YOUTH,), _P.DIVISION_COORDINATOR,
     (_D.PUBLIC_RELATIONS,), 1998, "lendang-bajur"),
    ("m06", "Baiq Rina Wahyuni", Sex.FEMALE, (_A.PKK,), _P.DIVISION_COORDINATOR, (_D.ECONOMY,),
     1985, "teros-lauk"),
    ("m07", "Muhammad Saleh", Sex.MALE, (_A.VILLAGE_GOVERNMENT,), _P.DIVISION_COORDINATOR,
     (_D.DATA,), 1980, "teros-daya"),
    ("m08", "Rohani", Sex.FEMALE, (_A.POSYANDU_CADRE,), _P.DIVISION_COORDINATOR,
     (_D.COMPLAINTS,), 1983, "bagek-nunggal"),
    ("m09", "Sulaeman", Sex.MALE, (_A.HAMLET_HEAD,), _P.MEMBER, (_D.COMPLAINTS, _D.DATA), 1975,
     "tuntang"),
    ("m10", "Munawar Haris", Sex.MALE, (_A.VILLAGE_GOVERNMENT,), _P.MEMBER, (_D.DATA,), 1978,
     None),
    ("m11", "Hairul Anwar", Sex.MALE, (_A.HAMLET_HEAD,), _P.MEMBER, (_D.COMPLAINTS,), 1976,
     "teros-lauk"),
    ("m12", "Saparudin", Sex.MALE, (_A.HAMLET_HEAD,), _P.MEMBER, (_D.DATA,), 1970,
     "lendang-bajur"),
    ("m13", "Rumisah", Sex.FEMALE, (_A.POSYANDU_CADRE,), _P.MEMBER, (_D.COMPLAINTS,), 1984,
     "tanak-beak"),
    ("m14", "Mardiah", Sex.FEMALE, (_A.POSYANDU_CADRE, _A.PKK), _P.MEMBER,
     (_D.COMPLAINTS, _D.PUBLIC_RELATIONS), 1990, "tuntang"),
    ("m15", "Husnul Khotimah", Sex.FEMALE, (_A.PKK,), _P.MEMBER, (_D.ECONOMY,), 1987,
     "bagek-nunggal"),
    ("m16", "Hamdani", Sex.MALE, (_A.RELIGIOUS_LEADER,), _P.MEMBER,
     (_D.PUBLIC_RELATIONS, _D.COMPLAINTS), 1969, "teros-daya"),
    ("m17", "Lalu Ahmad Juaini", Sex.MALE, (_A.RELIGIOUS_LEADER, _A.COMMUNITY_LEADER), _P.MEMBER,
     (_D.COMPLAINTS,), 1965, "teros-lauk"),
    ("m18", "Zulkifli", Sex.MALE, (_A.YOUTH,), _P.MEMBER, (_D.PUBLIC_RELATIONS,), 2000,
     "tanak-beak"),
    ("m19", "Dewi Kartika Sari", Sex.FEMALE, (_A.YOUTH,), _P.MEMBER,
     (_D.PUBLIC_RELATIONS, _D.DATA), 1999, "lendang-bajur"),
    ("m20", "Rizki Ramadhan", Sex.MALE, (_A.YOUTH,), _P.MEMBER, (_D.ECONOMY,), 2001, "tuntang"),
    ("m21", "Sahnun", Sex.MALE, (_A.COMMUNITY_LEADER,), _P.MEMBER, (_D.ECONOMY,), 1968,
     "bagek-nunggal"),
    ("m22", "Baiq Sri Mulyani", Sex.FEMALE, (_A.VILLAGE_GOVERNMENT,), _P.MEMBER,
     (_D.COMPLAINTS,), 1986, "teros-daya"),
    ("m23", "Kartini", Sex.FEMALE, (_A.COMMUNITY_LEADER,), _P.MEMBER, (_D.COMPLAINTS, _D.DATA),
     1977, "teros-lauk"),
    ("m24", "Juhri", Sex.MALE, (_A.OTHER,), _P.MEMBER, (_D.ECONOMY,), 1982, "tanak-beak"),
    ("m25", "Wahyu Hidayat", Sex.MALE, (_A.YOUTH,), _P.MEMBER, (_D.DATA,), 2002, "teros-lauk"),
)  # fmt: skip


def _board(group_id: str) -> tuple[Member, ...]:
    members = []
    for mid, name, sex, affiliations, position, divisions, born, hamlet in _BOARD:
        # GEDSI: one member uses a walking aid; one left to run the BUMDes shop full time
        disability = {DisabilityDomain.WALKING} if mid == "m23" else set()
        left_on = date(YEAR, 9, 30) if mid == "m24" else None
        members.append(
            Member(
                f"{group_id}-{mid}",
                group_id,
                name,
                sex,
                affiliations,
                date(YEAR, 5, 10) if mid == "m25" else _FOUNDED,
                position=position,
                divisions=divisions,
                birth_year=born,
                hamlet_id=None if hamlet is None else _h(hamlet),
                lives_in_village=hamlet is not None,
                disability=disability,
                left_on=left_on,
            )
        )
    return tuple(members)


# ------------------------------------------------------------------------ services

_PROVIDERS = (
    ("uptd-ppa-lotim", ServiceKind.UPTD_PPA, "UPTD PPA Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", "SAPA 129"),
    ("ppa-polres-lotim", ServiceKind.POLICE_PPA, "Unit PPA Satreskrim Polres Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("pkm-labuhan-haji", ServiceKind.PUSKESMAS, "Puskesmas Labuhan Haji",
     "Kecamatan Labuhan Haji", ""),
    ("dinsos-lotim", ServiceKind.DINAS_SOSIAL, "Dinas Sosial Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("kua-labuhan-haji", ServiceKind.KUA, "KUA Kecamatan Labuhan Haji",
     "Kecamatan Labuhan Haji", ""),
    ("pa-selong", ServiceKind.PENGADILAN_AGAMA, "Pengadilan Agama Selong",
     "Kabupaten Lombok Timur", ""),
    ("dukcapil-lotim", ServiceKind.DUKCAPIL, "Dukcapil Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", "layanan jemput bola di kantor desa"),
    ("smpn-labuhan-haji", ServiceKind.SCHOOL, "SMP Negeri 1 Labuhan Haji",
     "Kecamatan Labuhan Haji", ""),
    ("dikbud-lotim", ServiceKind.DINAS_PENDIDIKAN, "Dinas Pendidikan Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("lbh-apik-ntb", ServiceKind.LEGAL_AID, "LBH APIK NTB", "Nusa Tenggara Barat", ""),
    ("lrc", ServiceKind.NGO, "Lombok Research Center (LRC)", "Nusa Tenggara Barat", ""),
    ("pemdes-teros", ServiceKind.VILLAGE_GOVERNMENT, "Pemerintah Desa Teros", "Desa Teros",
     "Kantor Desa Teros"),
)  # fmt: skip


def _providers() -> tuple[ServiceProvider, ...]:
    return tuple(
        ServiceProvider(pid, kind, name, area=area, contact=contact)
        for pid, kind, name, area, contact in _PROVIDERS
    )


# --------------------------------------------------------------------------- cases


class _YearEnd(Exception):
    """The next step of a case would fall after 31 December: it stays as it is."""


class _Clock:
    """Moves forward through a case's days; never backwards, never past the year."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.now = start

    def after(self, low: int, high: int) -> datetime:
        day = self.now.date() + timedelta(days=self.rng.randint(low, high))
        when = _at(day, self.rng.randint(8, 16), self.rng.choice((0, 15, 30, 45)))
        if when <= self.now:
            when = self.now + timedelta(minutes=30)
        if when.date() > AS_OF:
            raise _YearEnd
        self.now = when
        return when


class _CaseRun:
    """One case and its referrals, advanced step by step through the pure functions."""

    def __init__(self, case: Case, clock: _Clock, actor: str) -> None:
        self.case = case
        self.clock = clock
        self.actor = actor
        self.referrals: list[Referral] = []

    def report(self) -> None:
        self.case, _ = report_case(self.case, at=self.clock.now, actor_id=self.actor)

    def assign(self, member_id: str, low: int = 0, high: int = 2) -> None:
        at = self.clock.after(low, high)
        self.case, _ = assign_companion(self.case, member_id, at=at, actor_id=self.actor)
        self.actor = member_id

    def consent(self, giver: ConsentGiver, *, to_refer: bool, note: str = "") -> None:
        at = self.clock.after(0, 2)
        consent = Consent(giver, at.date(), to_refer=to_refer, to_share_data=to_refer, note=note)
        self.case, _ = record_consent(self.case, consent, at=at, actor_id=self.actor)

    def note(self, text: str, low: int = 2, high: int = 14) -> None:
        self.case, _ = add_note(
            self.case, text, at=self.clock.after(low, high), actor_id=self.actor
        )

    def risk(self, level: RiskLevel, why: str) -> None:
        at = self.clock.after(0, 3)
        self.case, _ = change_risk(self.case, level, at=at, actor_id=self.actor, note=why)

    def refer(self, provider: str, reason: str, *, override: OverrideReason | None = None) -> int:
        """Refer the case and send the referral at the same moment; returns its index."""
        at = self.clock.after(0, 4)
        rid = f"{self.case.id}-R{len(self.referrals) + 1}"
        self.case, _ = refer_case(
            self.case, rid, at=at, override=override, actor_id=self.actor, note=reason
        )
        referral = Referral(
            rid,
            self.case.id,
            provider,
            reason,
            at.date(),
            consent_given=override is None,
            override=override,
            follow_up_due=at.date() + timedelta(days=14),
        )
        referral, _ = send_referral(referral, at=at, actor_id=self.actor)
        self.referrals.append(referral)
        return len(self.referrals) - 1

    def _update(
        self, index: int, step: Callable[[Referral, datetime], Referral], low: int, high: int
    ) -> None:
        self.referrals[index] = step(self.referrals[index], self.clock.after(low, high))

    def accept(self, index: int) -> None:
        self._update(index, lambda r, at: accept_referral(r, at=at, actor_id=self.actor)[0], 1, 7)

    def decline(self, index: int, reason: str) -> None:
        self._update(
            index,
            lambda r, at: decline_referral(r, at=at, reason=reason, actor_id=self.actor)[0],
            1,
            7,
        )

    def follow_up(self, index: int, text: str) -> None:
        def step(r: Referral, at: datetime) -> Referral:
            next_due = at.date() + timedelta(days=14)
            return follow_up_referral(r, at=at, next_due=next_due, actor_id=self.actor, note=text)[
                0
            ]

        self._update(index, step, 5, 15)

    def complete(self, index: int, outcome: str) -> None:
        self._update(
            index, lambda r, at: complete_referral(r, outcome, at=at, actor_id=self.actor)[0], 3, 30
        )

    def cancel(self, index: int, reason: str) -> None:
        self._update(
            index,
            lambda r, at: cancel_referral(r, at=at, reason=reason, actor_id=self.actor)[0],
            5,
            20,
        )

    def resume(self, note: str = "rujukan selesai; pendampingan dilanjutkan") -> None:
        at = self.clock.after(0, 3)
        self.case, _ = resume_case(self.case, at=at, actor_id=self.actor, note=note)

    def close(self, outcome: CaseOutcome, note: str = "", low: int = 2, high: int = 21) -> None:
        at = self.clock.after(low, high)
        self.case, _ = close_case(self.case, outcome, at=at, actor_id=self.actor, note=note)

    def reopen(self, reason: str, low: int, high: int) -> None:
        at = self.clock.after(low, high)
        self.case, _ = reopen_case(self.case, at=at, reason=reason, actor_id=self.actor)


# What each category needs: (provider, reason for referral, referral outcome, case outcome)
_ROUTES: dict[CaseCategory, tuple[tuple[str, str, str, CaseOutcome], ...]] = {
    CaseCategory.VIOLENCE: (
        ("uptd-ppa-lotim", "pendampingan psikologis dan hukum",
         "asesmen dan konseling psikologis selesai", CaseOutcome.SERVICE_RECEIVED),
        ("ppa-polres-lotim", "laporan polisi", "laporan diterima; penyidikan berjalan",
         CaseOutcome.LEGAL_PROCESS),
        ("pkm-labuhan-haji", "pemeriksaan kesehatan dan visum", "visum dan perawatan selesai",
         CaseOutcome.SERVICE_RECEIVED),
        ("lbh-apik-ntb", "bantuan hukum", "pendampingan hukum diberikan",
         CaseOutcome.LEGAL_PROCESS),
    ),
    CaseCategory.CHILD_MARRIAGE: (
        ("kua-labuhan-haji", "konseling keluarga pencegahan perkawinan anak",
         "konseling keluarga selesai", CaseOutcome.MARRIAGE_PREVENTED),
        ("uptd-ppa-lotim", "pendampingan anak dan keluarga", "pendampingan anak selesai",
         CaseOutcome.MARRIAGE_PREVENTED),
        ("pa-selong", "pendampingan sidang dispensasi kawin", "permohonan dispensasi ditolak",
         CaseOutcome.MARRIAGE_PREVENTED),
    ),
    CaseCategory.SCHOOL_DROPOUT: (
        ("smpn-labuhan-haji", "anak kembali bersekolah", "anak diterima kembali di kelas",
         CaseOutcome.RETURNED_TO_SCHOOL),
        ("dikbud-lotim", "pendaftaran kejar paket (PKBM)", "terdaftar di program Paket B",
         CaseOutcome.RETURNED_TO_SCHOOL),
    ),
    CaseCategory.SOCIAL_PROTECTION: (
        ("dinsos-lotim", "usulan masuk DTSEN dan verifikasi bansos",
         "terverifikasi sebagai penerima", CaseOutcome.SERVICE_RECEIVED),
        ("pemdes-teros", "verifikasi penerima BLT Dana Desa", "masuk daftar penerima",
         CaseOutcome.SERVICE_RECEIVED),
    ),
    CaseCategory.CIVIL_REGISTRATION: (
        ("dukcapil-lotim", "penerbitan dokumen kependudukan", "dokumen terbit",
         CaseOutcome.DOCUMENT_ISSUED),
    ),
    CaseCategory.DISABILITY_SUPPORT: (
        ("dinsos-lotim", "alat bantu dan asistensi sosial", "alat bantu diserahkan",
         CaseOutcome.SERVICE_RECEIVED),
        ("pkm-labuhan-haji", "rehabilitasi medik dan rujukan RSUD", "terapi berjalan",
         CaseOutcome.SERVICE_RECEIVED),
    ),
    CaseCategory.OTHER: (
        ("pemdes-teros", "mediasi oleh pemerintah desa", "mediasi selesai",
         CaseOutcome.RESOLVED),
        ("lrc", "konsultasi dengan mitra program", "ditangani mitra", CaseOutcome.TRANSFERRED),
    ),
}  # fmt: skip

_CATEGORY_WEIGHTS = {
    CaseCategory.VIOLENCE: 14,
    CaseCategory.CHILD_MARRIAGE: 10,
    CaseCategory.SCHOOL_DROPOUT: 8,
    CaseCategory.SOCIAL_PROTECTION: 16,
    CaseCategory.CIVIL_REGISTRATION: 14,
    CaseCategory.DISABILITY_SUPPORT: 6,
    CaseCategory.OTHER: 4,
}

_INITIALS = "ABDFHIJKLMNRSWYZ"


class _Cases:
    """Generates the year's cases from one seeded random source."""

    def __init__(self, rng: random.Random, hamlets: Sequence[Hamlet], board: Sequence[Member]):
        self.rng = rng
        self.hamlets = tuple(h.id for h in hamlets)
        self.companions = tuple(
            m.id for m in board if Division.COMPLAINTS in m.divisions and m.left_on is None
        )
        self.intake = tuple(m.id for m in board if Division.DATA in m.divisions)

    # -- subjects

    def _hamlet(self) -> str:
        return self.rng.choices(self.hamlets, weights=_HAMLET_WEIGHTS)[0]

    def _initials(self) -> str:
        return ".".join(self.rng.sample(_INITIALS, 2)) + "."

    def _birth(self, reported: date, low: int, high: int) -> date:
        """A birth date giving an age between ``low`` and ``high`` on ``reported``."""
        age = self.rng.randint(low, high)
        return reported - timedelta(days=age * 365 + self.rng.randint(10, 350))

    def _identity(self, birth: date | None, sex: Sex) -> str:
        """The pseudonym of an invented NIK (region, birth date, serial). Never printed."""
        born = birth or date(1980, 1, 1)
        day = born.day + (40 if sex is Sex.FEMALE else 0)
        nik = f"520317{day:02d}{born:%m%y}{self.rng.randint(1, 9999):04d}"
        return pseudonymise(nik, EXAMPLE_KEY)

    def _subject(self, category: CaseCategory, reported: date) -> Subject:
        rng = self.rng
        hamlet = self._hamlet()
        sex = Sex.FEMALE
        birth: date | None = None
        age: int | None = None
        disability: set[DisabilityDomain] = set()
        identity = False
        if category is CaseCategory.VIOLENCE:
            if rng.random() < 0.4:
                birth = self._birth(reported, 6, 17)
                sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
            else:
                age = rng.randint(18, 52)
        elif category is CaseCategory.CHILD_MARRIAGE:
            birth = self._birth(reported, 14, 17)
            sex = Sex.FEMALE if rng.random() < 0.85 else Sex.MALE
        elif category is CaseCategory.SCHOOL_DROPOUT:
            birth = self._birth(reported, 10, 17)
            sex = rng.choice((Sex.FEMALE, Sex.MALE))
        elif category is CaseCategory.SOCIAL_PROTECTION:
            age = rng.randint(24, 78)
            sex = Sex.FEMALE if rng.random() < 0.65 else Sex.MALE
            identity = True
        elif category is CaseCategory.CIVIL_REGISTRATION:
            sex = rng.choice((Sex.FEMALE, Sex.MALE))
            if rng.random() < 0.6:  # a birth certificate for a young child
                birth = self._birth(reported, 0, 5)
            else:  # KTP or family card for an adult
                birth = self._birth(reported, 17, 70)
                identity = True
        elif category is CaseCategory.DISABILITY_SUPPORT:
            sex = rng.choice((Sex.FEMALE, Sex.MALE))
            age = rng.randint(4, 70)
            disability = set(rng.sample(_WG_DOMAINS, rng.choice((1, 1, 2))))
            identity = age >= 17
        else:
            age = rng.randint(20, 65)
            sex = rng.choice((Sex.FEMALE, Sex.MALE))
        if category is not CaseCategory.DISABILITY_SUPPORT and rng.random() < 0.06:
            disability = {rng.choice(_WG_DOMAINS)}
        return Subject(
            sex,
            birth_date=birth,
            age_years=age,
            disability=disability,
            hamlet_id=hamlet,
            initials=self._initials(),
            identity=self._identity(birth, sex) if identity else None,
        )

    def _incident(self, subject: Subject, reported: date) -> ViolenceIncident:
        rng = self.rng
        child = (subject.age_on(reported) or 0) < 18
        forms = {rng.choice((ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL))}
        if rng.random() < 0.35:
            forms.add(rng.choice(list(ViolenceForm)))
        if child:
            relations = {rng.choice((PerpetratorRelation.PARENT, PerpetratorRelation.FAMILY,
                                     PerpetratorRelation.NEIGHBOUR, PerpetratorRelation.TEACHER,
                                     PerpetratorRelation.PARTNER_FRIEND))}  # fmt: skip
        else:
            relations = {rng.choice((PerpetratorRelation.SPOUSE, PerpetratorRelation.SPOUSE,
                                     PerpetratorRelation.FAMILY, PerpetratorRelation.EMPLOYER,
                                     PerpetratorRelation.UNKNOWN))}  # fmt: skip
        place = {
            PerpetratorRelation.TEACHER: IncidentPlace.SCHOOL,
            PerpetratorRelation.EMPLOYER: IncidentPlace.WORKPLACE,
            PerpetratorRelation.UNKNOWN: IncidentPlace.PUBLIC_FACILITY,
        }.get(next(iter(relations)), IncidentPlace.HOUSEHOLD)
        return ViolenceIncident(
            forms,
            place,
            perpetrator_relations=relations,
            perpetrator_sex=Sex.MALE if rng.random() < 0.85 else Sex.FEMALE,
            occurred_on=reported - timedelta(days=rng.randint(0, 20)),
        )

    def new_case(self, case_id: str, category: CaseCategory, reported: date) -> Case:
        rng = self.rng
        subject = self._subject(category, reported)
        channel = {
            CaseCategory.CHILD_MARRIAGE: (IntakeChannel.SCHOOL, IntakeChannel.OUTREACH_VISIT,
                                          IntakeChannel.POSYANDU),
            CaseCategory.SCHOOL_DROPOUT: (IntakeChannel.SCHOOL, IntakeChannel.OUTREACH_VISIT),
            CaseCategory.CIVIL_REGISTRATION: (IntakeChannel.WALK_IN, IntakeChannel.POSYANDU),
        }.get(category, (IntakeChannel.WALK_IN, IntakeChannel.PHONE,
                         IntakeChannel.OUTREACH_VISIT, IntakeChannel.REFERRAL_IN))  # fmt: skip
        violence = self._incident(subject, reported) if category is CaseCategory.VIOLENCE else None
        risk = RiskLevel.LOW
        if category in (CaseCategory.VIOLENCE, CaseCategory.CHILD_MARRIAGE):
            sexual = violence is not None and ViolenceForm.SEXUAL in violence.forms
            risk = RiskLevel.HIGH if sexual else RiskLevel.MEDIUM
        programme = None
        if category is CaseCategory.SOCIAL_PROTECTION:
            programme = rng.choice(list(SocialProgramme))
        return Case(
            case_id,
            GROUP_ID,
            VILLAGE_CODE,
            reported,
            rng.choice(channel),
            category,
            subject,
            programme=programme,
            violence=violence,
            risk=risk,
        )

    def start(self, case: Case) -> _CaseRun:
        clock = _Clock(self.rng, _at(case.reported_on, self.rng.randint(8, 15)))
        run = _CaseRun(case, clock, self.rng.choice(self.intake))
        run.report()
        return run

    # -- the ordinary path, with its random turns

    def run(self, case: Case) -> _CaseRun:
        rng = self.rng
        run = self.start(case)
        try:
            run.assign(rng.choice(self.companions))
            child = case.is_child
            giver = (
                rng.choice((ConsentGiver.PARENT, ConsentGiver.GUARDIAN))
                if child
                else (ConsentGiver.SELF)
            )
            refuses = rng.random() < 0.08
            run.consent(giver, to_refer=not refuses)
            if rng.random() < 0.5:
                run.note("kunjungan rumah; kondisi klien dicatat")
            if case.category is CaseCategory.VIOLENCE and rng.random() < 0.15:
                run.risk(RiskLevel.HIGH, "ancaman berulang dari pelaku")
            if refuses:
                run.close(CaseOutcome.WITHDRAWN, "klien memilih tidak melanjutkan")
                return run
            routes = _ROUTES[case.category]
            provider, reason, done, outcome = (
                routes[0] if rng.random() < 0.6 else rng.choice(routes)
            )
            index = run.refer(provider, reason)
            turn = rng.random()
            if turn < 0.08:
                run.decline(index, "di luar kewenangan layanan; diarahkan ke lembaga lain")
                provider, reason, done, outcome = rng.choice(routes)
                index = run.refer(provider, reason)
            elif turn < 0.12:
                run.cancel(index, "klien pindah ke luar daerah")
                run.resume()
                run.close(CaseOutcome.UNREACHABLE, "klien pindah; tidak dapat dihubungi")
                return run
            run.accept(index)
            if rng.random() < 0.4:
                run.follow_up(index, "tindak lanjut lewat telepon dengan petugas layanan")
            run.complete(index, done)
            run.resume()
            if rng.random() < 0.1:  # long-running accompaniment: still open at year end
                run.note("pendampingan berlanjut", 20, 60)
                run.note("pendampingan berlanjut", 60, 400)
            run.close(outcome)
        except _YearEnd:
            pass
        return run

    # -- three cases told in full, so every turn of the lifecycles appears

    def child_at_risk(self, case_id: str) -> _CaseRun:
        """A child harmed by a parent who refuses consent: referred on the child's behalf."""
        reported = date(YEAR, 3, 11)
        subject = Subject(
            Sex.FEMALE,
            birth_date=date(2013, 8, 2),
            hamlet_id=_h("tuntang"),
            initials="N.A.",
        )
        incident = ViolenceIncident(
            {ViolenceForm.PHYSICAL, ViolenceForm.NEGLECT},
            IncidentPlace.HOUSEHOLD,
            perpetrator_relations={PerpetratorRelation.PARENT},
            perpetrator_sex=Sex.MALE,
            occurred_on=date(YEAR, 3, 9),
        )
        case = Case(
            case_id, GROUP_ID, VILLAGE_CODE, reported, IntakeChannel.SCHOOL,
            CaseCategory.VIOLENCE, subject, violence=incident, risk=RiskLevel.HIGH,
            summary="laporan wali kelas: memar dan sering tidak masuk sekolah",
        )  # fmt: skip
        run = self.start(case)
        run.assign("kk-teros-m08", 0, 0)
        run.consent(
            ConsentGiver.NONE, to_refer=False, note="ayah menolak; ibu bekerja di luar negeri"
        )
        uptd = run.refer(
            "uptd-ppa-lotim", "perlindungan anak darurat", override=OverrideReason.CHILD_AT_RISK
        )
        medical = run.refer(
            "pkm-labuhan-haji", "pemeriksaan luka dan visum", override=OverrideReason.CHILD_AT_RISK
        )
        run.accept(uptd)
        run.accept(medical)
        run.complete(medical, "visum selesai; luka ringan dirawat")
        run.follow_up(uptd, "anak tinggal sementara bersama nenek; asesmen psikologis")
        run.complete(uptd, "anak aman di keluarga besar; kasus dilaporkan ke Unit PPA")
        run.resume()
        run.note("anak kembali bersekolah; dipantau wali kelas dan kader", 7, 14)
        run.close(CaseOutcome.LEGAL_PROCESS, "proses hukum terhadap pelaku berjalan")
        return run

    def declined_then_served(self, case_id: str) -> _CaseRun:
        """A referral declined by one service and taken up by another."""
        reported = date(YEAR, 4, 22)
        subject = Subject(
            Sex.MALE,
            age_years=46,
            disability={DisabilityDomain.WALKING},
            hamlet_id=_h("bagek-nunggal"),
            initials="M.S.",
            identity=self._identity(date(1979, 1, 14), Sex.MALE),
        )
        case = Case(
            case_id, GROUP_ID, VILLAGE_CODE, reported, IntakeChannel.OUTREACH_VISIT,
            CaseCategory.DISABILITY_SUPPORT, subject, risk=RiskLevel.LOW,
            summary="membutuhkan kursi roda setelah stroke",
        )  # fmt: skip
        run = self.start(case)
        run.assign("kk-teros-m23")
        run.consent(ConsentGiver.SELF, to_refer=True)
        first = run.refer("pkm-labuhan-haji", "permintaan kursi roda")
        run.decline(first, "alat bantu bukan layanan puskesmas; diarahkan ke Dinas Sosial")
        second = run.refer("dinsos-lotim", "permintaan kursi roda (ATENSI)")
        run.accept(second)
        run.follow_up(second, "menunggu pengadaan alat bantu")
        run.complete(second, "kursi roda diserahkan di rumah klien")
        run.resume()
        run.close(CaseOutcome.SERVICE_RECEIVED)
        return run

    def closed_then_reopened(self, case_id: str) -> _CaseRun:
        """A client who left to work abroad, came back, and got the benefit."""
        reported = date(YEAR, 2, 3)
        subject = Subject(
            Sex.FEMALE,
            age_years=34,
            hamlet_id=_h("lendang-bajur"),
            initials="R.W.",
            identity=self._identity(date(1990, 6, 5), Sex.FEMALE),
        )
        case = Case(
            case_id, GROUP_ID, VILLAGE_CODE, reported, IntakeChannel.WALK_IN,
            CaseCategory.SOCIAL_PROTECTION, subject, programme=SocialProgramme.PKH,
            risk=RiskLevel.LOW, summary="keluarga miskin belum terdaftar PKH",
        )  # fmt: skip
        run = self.start(case)
        run.assign("kk-teros-m22")
        run.consent(ConsentGiver.SELF, to_refer=True)
        first = run.refer("dinsos-lotim", "usulan masuk DTSEN untuk PKH")
        run.accept(first)
        run.cancel(first, "klien berangkat bekerja ke Malaysia; verifikasi tidak dapat dilakukan")
        run.resume()
        run.close(CaseOutcome.UNREACHABLE, "klien bekerja di luar negeri")
        run.reopen("klien kembali dan meminta pendampingan lanjut", 90, 120)
        second = run.refer("dinsos-lotim", "usulan ulang masuk DTSEN untuk PKH")
        run.accept(second)
        run.complete(second, "terdaftar sebagai penerima PKH tahap IV")
        run.resume()
        run.close(CaseOutcome.SERVICE_RECEIVED)
        return run


def _cases(
    rng: random.Random, hamlets: Sequence[Hamlet], board: Sequence[Member]
) -> tuple[tuple[Case, ...], tuple[Referral, ...]]:
    maker = _Cases(rng, hamlets, board)
    # every category at least once, the rest drawn by weight, on days spread over the year
    categories = list(CaseCategory) + rng.choices(
        list(_CATEGORY_WEIGHTS), weights=list(_CATEGORY_WEIGHTS.values()), k=_RANDOM_CASES - 7
    )
    rng.shuffle(categories)
    first, last = date(YEAR, 1, 2).toordinal(), date(YEAR, 12, 20).toordinal()
    days = sorted(date.fromordinal(rng.randint(first, last)) for _ in categories)
    stories: list[tuple[date, Callable[[str], _CaseRun]]] = [
        (date(YEAR, 2, 3), maker.closed_then_reopened),
        (date(YEAR, 3, 11), maker.child_at_risk),
        (date(YEAR, 4, 22), maker.declined_then_served),
    ]

    def ordinary(category: CaseCategory, day: date) -> Callable[[str], _CaseRun]:
        return lambda case_id: maker.run(maker.new_case(case_id, category, day))

    plan: list[tuple[date, int, Callable[[str], _CaseRun]]] = [
        (day, 1, ordinary(category, day)) for day, category in zip(days, categories, strict=True)
    ]
    plan += [(day, 0, story) for day, story in stories]
    plan.sort(key=lambda item: (item[0], item[1]))
    cases: list[Case] = []
    referrals: list[Referral] = []
    for number, (_, _, make) in enumerate(plan, start=1):
        run = make(f"KK-TRS-{YEAR}-{number:03d}")
        cases.append(run.case)
        referrals.extend(run.referrals)
    return tuple(cases), tuple(referrals)


# ------------------------------------------------------------------------- economy

_BUSINESSES = (
    ("b01", "Kerupuk Ikan Tongkol Inaq Sahdiah", "Sahdiah", Sex.FEMALE, "food_processing",
     _h("teros-lauk"), ()),
    ("b02", "Dodol Rumput Laut Teros", "Baiq Mariani", Sex.FEMALE, "food_processing",
     _h("tuntang"), ()),
    ("b03", "Tenun Ikat Lendang Bajur", "Nursaidah", Sex.FEMALE, "handicraft",
     _h("lendang-bajur"), ()),
    ("b04", "Warung Sembako Juhaini", "Juhaini", Sex.MALE, "trade", _h("teros-daya"), ()),
    ("b05", "Bengkel Motor Zul Jaya", "Zulhadi", Sex.MALE, "services", _h("bagek-nunggal"),
     (DisabilityDomain.HEARING,)),
    ("b06", "Ternak Kambing Bagek Nunggal", "Mahsun", Sex.MALE, "livestock",
     _h("bagek-nunggal"), ()),
    ("b07", "Keripik Pisang Tanak Beak", "Rabiatul Adawiyah", Sex.FEMALE, "food_processing",
     _h("tanak-beak"), (DisabilityDomain.WALKING,)),
    ("b08", "Terasi Udang Labuhan", "Mulyati", Sex.FEMALE, "fisheries", _h("teros-lauk"), ()),
    ("b09", "Jahit Baiq Fitri", "Baiq Fitriani", Sex.FEMALE, "services", _h("tuntang"), ()),
    ("b10", "Kopi Bubuk Teros Daya", "Samsul Hadi", Sex.MALE, "food_processing",
     _h("teros-daya"), ()),
)  # fmt: skip

_S = SupportType
_ST = SupportStatus
# business, type, started, status, completed, member, rupiah, reference
_SUPPORT: tuple[
    tuple[str, SupportType, date, SupportStatus, date | None, str, int | None, str], ...
] = (
    ("b01", _S.PERMIT_NIB, date(2025, 1, 14), _ST.ACHIEVED, date(2025, 1, 16), "m06", None, "OSS RBA"),
    ("b01", _S.PERMIT_PIRT, date(2025, 2, 3), _ST.ACHIEVED, date(2025, 4, 21), "m06", None,
     "Dinas Kesehatan Lombok Timur"),
    ("b01", _S.PERMIT_HALAL, date(2025, 5, 5), _ST.ACHIEVED, date(2025, 7, 9), "m15", None,
     "SIHALAL, self declare"),
    ("b01", _S.CAPITAL_KUR, date(2025, 8, 4), _ST.ACHIEVED, date(2025, 9, 1), "m06", 25_000_000,
     "KUR mikro, Bank NTB Syariah"),
    ("b02", _S.PERMIT_NIB, date(2025, 1, 14), _ST.ACHIEVED, date(2025, 1, 14), "m06", None, "OSS RBA"),
    ("b02", _S.PERMIT_PIRT, date(2025, 2, 3), _ST.IN_PROGRESS, None, "m15", None,
     "menunggu penyuluhan keamanan pangan"),
    ("b02", _S.MENTORING, date(2025, 3, 10), _ST.ACHIEVED, date(2025, 6, 30), "m04", None,
     "kemasan dan label"),
    ("b03", _S.PERMIT_NIB, date(2025, 2, 18), _ST.ACHIEVED, date(2025, 2, 20), "m20", None, "OSS RBA"),
    ("b03", _S.CAPITAL_COOPERATIVE, date(2025, 4, 7), _ST.ACHIEVED, date(2025, 5, 2), "m21",
     5_000_000, "Koperasi Wanita Teros"),
    ("b04", _S.PERMIT_NIB, date(2025, 3, 3), _ST.ACHIEVED, date(2025, 3, 3), "m20", None, "OSS RBA"),
    ("b04", _S.CAPITAL_KUR, date(2025, 3, 17), _ST.FAILED, date(2025, 4, 28), "m06", None,
     "riwayat kredit bermasalah"),
    ("b04", _S.CAPITAL_BUMDES, date(2025, 5, 12), _ST.ACHIEVED, date(2025, 6, 2), "m24",
     7_500_000, "BUMDes Teros Maju"),
    ("b05", _S.PERMIT_NIB, date(2025, 4, 14), _ST.ACHIEVED, date(2025, 4, 15), "m20", None, "OSS RBA"),
    ("b05", _S.MENTORING, date(2025, 4, 14), _ST.ACHIEVED, date(2025, 8, 29), "m21", None,
     "pembukuan sederhana"),
    ("b06", _S.PERMIT_NIB, date(2025, 5, 19), _ST.ACHIEVED, date(2025, 5, 21), "m21", None, "OSS RBA"),
    ("b06", _S.CAPITAL_KUR, date(2025, 6, 2), _ST.ACHIEVED, date(2025, 7, 14), "m06", 15_000_000,
     "KUR mikro, BRI Unit Labuhan Haji"),
    ("b07", _S.PERMIT_NIB, date(2025, 6, 9), _ST.ACHIEVED, date(2025, 6, 9), "m15", None, "OSS RBA"),
    ("b07", _S.PERMIT_PIRT, date(2025, 6, 23), _ST.ACHIEVED, date(2025, 9, 8), "m15", None,
     "Dinas Kesehatan Lombok Timur"),
    ("b07", _S.PERMIT_HALAL, date(2025, 9, 15), _ST.IN_PROGRESS, None, "m15", None,
     "SIHALAL, self declare"),
    ("b07", _S.CAPITAL_BUMDES, date(2025, 10, 6), _ST.PLANNED, None, "m06", None,
     "BUMDes Teros Maju"),
    ("b08", _S.PERMIT_NIB, date(2025, 7, 7), _ST.ACHIEVED, date(2025, 7, 8), "m20", None, "OSS RBA"),
    ("b08", _S.PERMIT_PIRT, date(2025, 7, 21), _ST.FAILED, date(2025, 10, 13), "m15", None,
     "tempat produksi belum memenuhi syarat"),
    ("b08", _S.MENTORING, date(2025, 10, 20), _ST.IN_PROGRESS, None, "m04", None,
     "perbaikan dapur produksi"),
    ("b09", _S.PERMIT_NIB, date(2025, 8, 11), _ST.ACHIEVED, date(2025, 8, 11), "m20", None, "OSS RBA"),
    ("b09", _S.CAPITAL_OTHER, date(2025, 9, 1), _ST.ACHIEVED, date(2025, 10, 6), "m21", 3_000_000,
     "hibah mesin jahit dari Baznas"),
    ("b10", _S.PERMIT_NIB, date(2025, 9, 22), _ST.ACHIEVED, date(2025, 9, 23), "m06", None, "OSS RBA"),
    ("b10", _S.PERMIT_PIRT, date(2025, 10, 6), _ST.IN_PROGRESS, None, "m15", None,
     "Dinas Kesehatan Lombok Timur"),
    ("b10", _S.CAPITAL_KUR, date(2025, 11, 17), _ST.PLANNED, None, "m06", None, "KUR mikro"),
)  # fmt: skip


def _economy() -> tuple[tuple[Business, ...], tuple[SupportAction, ...]]:
    businesses = tuple(
        Business(
            f"{GROUP_ID}-{bid}",
            GROUP_ID,
            name,
            owner,
            sex,
            sector,
            hamlet_id=hamlet,
            owner_disability=disability,
        )
        for bid, name, owner, sex, sector, hamlet, disability in _BUSINESSES
    )
    actions = tuple(
        SupportAction(
            f"{GROUP_ID}-{bid}-S{n:02d}",
            f"{GROUP_ID}-{bid}",
            type_,
            started,
            status=status,
            completed_on=completed,
            member_id=f"{GROUP_ID}-{member}",
            amount_rupiah=amount,
            reference=reference,
        )
        for n, (bid, type_, started, status, completed, member, amount, reference) in enumerate(
            _SUPPORT, start=1
        )
    )
    return businesses, actions


# ---------------------------------------------------------------------- Humas (outreach)

_C = PublicationChannel
_PUBLICATIONS = (
    ("Cara cek penerima bansos lewat aplikasi Cek Bansos", "perlindungan sosial", _C.WHATSAPP,
     date(2025, 1, 20), 180),
    ("Hasil Pertemuan Kelompok Konstituen 13 Februari 2025", "kelompok konstituen",
     _C.SOCIAL_MEDIA, date(2025, 2, 14), 640),
    ("Usia minimal perkawinan 19 tahun (UU 16/2019)", "pencegahan perkawinan anak",
     _C.NOTICE_BOARD, date(2025, 3, 3), None),
    ("Ke mana melapor kekerasan: UPTD PPA dan SAPA 129", "pencegahan kekerasan", _C.PRINT,
     date(2025, 3, 24), 300),
    ("Jadwal layanan jemput bola Dukcapil di Kantor Desa", "adminduk", _C.PLACE_OF_WORSHIP,
     date(2025, 5, 16), None),
    ("Daftar NIB gratis lewat OSS", "UMKM", _C.WHATSAPP, date(2025, 6, 2), 210),
    ("Cegah anak putus sekolah", "pendidikan", _C.RADIO, date(2025, 7, 21), None),
    ("Penyaluran BLT Dana Desa tahap III", "perlindungan sosial", _C.VILLAGE_WEBSITE,
     date(2025, 9, 8), 950),
)  # fmt: skip

_SESSIONS = (
    ("Sosialisasi pencegahan perkawinan anak", SessionFormat.IN_PERSON, date(2025, 3, 6),
     Audience(41, 9, 2), "Aula Posyandu Desa Teros", _h("tuntang")),
    ("Akta kelahiran dan KTP untuk semua: layanan adminduk", SessionFormat.IN_PERSON,
     date(2025, 5, 15), Audience(35, 22, 3), "Kantor Desa Teros", _h("teros-daya")),
    ("Kelas UMKM: NIB lewat OSS dan sertifikasi halal", SessionFormat.IN_PERSON,
     date(2025, 6, 5), Audience(19, 8, 1), "Berugak Dusun Teros Lauk", _h("teros-lauk")),
    ("Perlindungan sosial dan pemutakhiran DTSEN", SessionFormat.IN_PERSON, date(2025, 8, 7),
     Audience(47, 18, 4), "Masjid Dusun Lendang Bajur", _h("lendang-bajur")),
    ("Hak penyandang disabilitas atas layanan desa", SessionFormat.HOUSE_VISIT,
     date(2025, 10, 16), Audience(6, 5, 7), "", _h("bagek-nunggal")),
)  # fmt: skip


def _outreach() -> tuple[tuple[Publication, ...], tuple[InformationSession, ...]]:
    publications = tuple(
        Publication(f"{GROUP_ID}-pub-{n:02d}", GROUP_ID, title, topic, channel, day, reach=reach)
        for n, (title, topic, channel, day, reach) in enumerate(_PUBLICATIONS, start=1)
    )
    sessions = tuple(
        InformationSession(
            f"{GROUP_ID}-ses-{n:02d}",
            GROUP_ID,
            topic,
            fmt,
            day,
            audience,
            place=place,
            hamlet_id=hamlet,
        )
        for n, (topic, fmt, day, audience, place, hamlet) in enumerate(_SESSIONS, start=1)
    )
    return publications, sessions


# ------------------------------------------------------------------------- meetings

TEROS_MEETING_ID = f"{GROUP_ID}-meeting-2025-02-13"


def _attendance(members: Iterable[Member]) -> Audience:
    present = list(members)
    return Audience(
        female=sum(m.sex is Sex.FEMALE for m in present),
        male=sum(m.sex is Sex.MALE for m in present),
        with_disability=sum(m.has_disability for m in present),
    )


def _meetings(board: Sequence[Member]) -> tuple[Meeting, ...]:
    held = date(YEAR, 2, 13)
    present = [m for m in board if m.is_active_on(held)]
    teros = Meeting(
        TEROS_MEETING_ID,
        GROUP_ID,
        "Pertemuan Kelompok Konstituen untuk Partisipasi Politik dan Isu Perubahan Iklim",
        held,
        place="Aula Posyandu Desa Teros",
        agenda=(
            "Tugas dan fungsi Kelompok Konstituen",
            "Pelayanan berbasis data dan sistem pelaporan data pada aplikasi KoboCollect",
            "Diskusi: advokasi usulan ke pemerintah desa",
        ),
        speakers=(
            Speaker(
                "Baiq Titis Yulianty",
                "Koordinator Program",
                "LRC-INKLUSI",
                "Tugas dan fungsi Kelompok Konstituen",
            ),
            Speaker(
                "Lalu Farouq Wardana",
                "Program Officer",
                "LRC-INKLUSI",
                "Pelayanan berbasis data dan pelaporan data pada KoboCollect",
            ),
        ),
        member_ids={m.id for m in present},
        attendance=_attendance(present),
        minutes=(
            "KK memiliki empat fungsi (pendidikan, pendampingan, pusat informasi, advokasi) "
            "yang dijalankan empat bidang: Humas, Ekonomi, Pendataan dan Pengaduan. "
            "Sulaeman (Kawil Dusun Tuntang): hampir setiap hari ada laporan kasus kekerasan "
            "dan perlindungan sosial; hasil pendampingan menjadi bahan usulan ke pemerintah "
            "desa. Munawar Haris (Sekretaris Desa Banjar Sari): data perkawinan anak, "
            "kekerasan dan putus sekolah disampaikan di setiap musyawarah desa agar "
            "pemberdayaan perempuan dan perlindungan anak menjadi prioritas anggaran."
        ),
    )
    prep_day = date(YEAR, 8, 20)
    prep_present = [
        m for m in board if m.is_active_on(prep_day) and (Division.DATA in m.divisions
                                                         or m.position is not Position.MEMBER)
    ]  # fmt: skip
    preparation = Meeting(
        f"{GROUP_ID}-meeting-2025-08-20",
        GROUP_ID,
        "Rapat persiapan usulan Musrenbangdes",
        prep_day,
        place="Kantor Desa Teros",
        agenda=(
            "Rekap data kasus Januari–Juni 2025 per dusun",
            "Penyusunan usulan program perlindungan perempuan dan anak",
        ),
        member_ids={m.id for m in prep_present},
        attendance=_attendance(prep_present) + Audience(female=1, male=1),
        minutes="Bidang Pendataan menyusun draf usulan dengan rekap kasus sebagai bukti.",
    )
    return teros, preparation


# ------------------------------------------------------------------------- advocacy


def _proposals(board: Sequence[Member]) -> tuple[AdvocacyProposal, ...]:
    data_lead = next(m.id for m in board if m.position is Position.DIVISION_COORDINATOR
                     and Division.DATA in m.divisions)  # fmt: skip
    protect = AdvocacyProposal(
        f"{GROUP_ID}-usulan-2025-01",
        GROUP_ID,
        "Program pencegahan perkawinan anak dan layanan pendampingan korban kekerasan",
        Forum.MUSRENBANGDES,
        issue_areas={"child_marriage", "child_protection", "violence_prevention",
                     "women_empowerment"},
        evidence=(
            "rekap kasus KK Teros Januari–Juni 2025 (per dusun, kelompok umur, jenis kelamin)",
            f"notulen {TEROS_MEETING_ID}",
            f"notulen {GROUP_ID}-meeting-2025-08-20",
        ),
        requested_rupiah=60_000_000,
    )  # fmt: skip
    protect, _ = draft_proposal(protect, at=_at(date(YEAR, 8, 21), 10), actor_id=data_lead)
    protect, _ = submit_proposal(
        protect, at=_at(date(YEAR, 9, 2), 9), actor_id=data_lead, note="diserahkan ke panitia"
    )
    protect, _ = discuss_proposal(
        protect, at=_at(date(YEAR, 9, 16), 13), note="dibahas dalam Musrenbangdes"
    )
    protect, _ = adopt_proposal(protect, at=_at(date(YEAR, 10, 14), 10), note="masuk RKPDes 2026")
    protect, _ = fund_proposal(
        protect, 45_000_000, at=_at(date(YEAR, 12, 18), 14), note="APBDes 2026 ditetapkan"
    )

    umkm = AdvocacyProposal(
        f"{GROUP_ID}-usulan-2025-02",
        GROUP_ID,
        "Pelatihan dan modal bergulir untuk UMKM perempuan dan penyandang disabilitas",
        Forum.MUSYAWARAH_DESA,
        issue_areas={"economy", "women_empowerment", "disability_inclusion"},
        evidence=("rekap dukungan UMKM bidang Ekonomi 2025",),
        requested_rupiah=35_000_000,
    )
    umkm, _ = draft_proposal(umkm, at=_at(date(YEAR, 10, 1), 10), actor_id=data_lead)
    umkm, _ = submit_proposal(umkm, at=_at(date(YEAR, 10, 20), 9), actor_id=data_lead)
    umkm, _ = discuss_proposal(umkm, at=_at(date(YEAR, 11, 12), 13))

    shelter = AdvocacyProposal(
        f"{GROUP_ID}-usulan-2025-03",
        GROUP_ID,
        "Rumah aman desa untuk korban kekerasan",
        Forum.MUSYAWARAH_DUSUN,
        issue_areas={"violence_prevention"},
        evidence=("rekap kasus kekerasan KK Teros 2025",),
        requested_rupiah=120_000_000,
    )
    shelter, _ = draft_proposal(shelter, at=_at(date(YEAR, 6, 2), 10), actor_id=data_lead)
    shelter, _ = submit_proposal(shelter, at=_at(date(YEAR, 6, 10), 9), actor_id=data_lead)
    shelter, _ = reject_proposal(
        shelter,
        at=_at(date(YEAR, 6, 24), 15),
        reason="di luar kewenangan dan kemampuan anggaran desa; diteruskan ke UPTD PPA",
    )
    return protect, umkm, shelter


# --------------------------------------------------------------------------- build


def build_village_year(seed: int = 2025) -> VillageYear:
    """Build the whole year. The same seed always gives the same records."""
    rng = random.Random(seed)
    village, hamlets = _village()
    group = ConstituentGroup(
        GROUP_ID, village.id, "Kelompok Konstituen Desa Teros", established_on=_FOUNDED
    )
    board = _board(group.id)
    cases, referrals = _cases(rng, hamlets, board)
    businesses, support = _economy()
    publications, sessions = _outreach()
    return VillageYear(
        village=village,
        hamlets=hamlets,
        group=group,
        members=board,
        providers=_providers(),
        cases=cases,
        referrals=referrals,
        businesses=businesses,
        support_actions=support,
        publications=publications,
        sessions=sessions,
        meetings=_meetings(board),
        proposals=_proposals(board),
    )


# --------------------------------------------------------------------------- summary


def _label(member: Coded) -> str:
    """``English (Indonesian)``, or one of them when the other adds nothing."""
    if member.label_id.casefold() in member.label_en.casefold():
        return member.label_en
    return f"{member.label_en} ({member.label_id})"


def _rupiah(amount: int | None) -> str:
    return "-" if amount is None else "Rp " + f"{amount:,}".replace(",", ".")


def _counts(title: str, counter: Counter[str], order: Iterable[str] | None = None) -> list[str]:
    keys = list(order) if order is not None else sorted(counter, key=lambda k: (-counter[k], k))
    width = max([len(k) for k in keys] + [10])
    lines = [f"  {title}"]
    lines += [f"    {k:<{width}}  {counter[k]:>4}" for k in keys if counter[k]]
    return lines


def _coded_counts(title: str, values: Iterable[Coded], codes: Iterable[Coded]) -> list[str]:
    counter = Counter(_label(v) for v in values)
    return _counts(title, counter, [_label(c) for c in codes])


def summarise(year: VillageYear) -> list[str]:
    """The readable summary, line by line. No names of clients, initials or pseudonyms."""
    v = year.village
    hamlet_names = {h.id: h.name for h in year.hamlets}
    active = [m for m in year.members if m.is_active_on(year.as_of)]
    out = [
        f"{year.group.name} — year {year.as_of.year} (synthetic example)",
        f"Village: {v.name} ({v.code}), Kec. {v.district}, Kab. {v.regency}, {v.province}",
        f"Hamlets (dusun): {len(year.hamlets)}: " + ", ".join(h.name for h in year.hamlets),
        "",
        f"Board members on {year.as_of.isoformat()}: {len(active)} "
        f"({sum(m.sex is Sex.FEMALE for m in active)} female, "
        f"{sum(m.sex is Sex.MALE for m in active)} male, "
        f"{sum(m.has_disability for m in active)} with a disability, "
        f"{sum(not m.lives_in_village for m in active)} living outside the village); "
        f"{len(year.members) - len(active)} left during the year",
    ]
    out += _coded_counts("Members by division", (d for m in active for d in m.divisions), Division)
    out += _coded_counts("Members by position", (m.position for m in active), Position)
    out += _coded_counts(
        "Members by affiliation (unsur)", (a for m in active for a in m.affiliations), Affiliation
    )

    cases = year.cases
    out += ["", f"Cases reported in {year.as_of.year}: {len(cases)}"]
    out += _coded_counts("Cases by category", (c.category for c in cases), CaseCategory)
    out += _coded_counts(
        f"Cases by status on {year.as_of.isoformat()}", (c.status for c in cases), CaseStatus
    )
    out += _counts(
        "Cases by hamlet",
        Counter(hamlet_names.get(c.hamlet_id or "", "unknown") for c in cases),
        [h.name for h in year.hamlets],
    )
    out += _coded_counts("Cases by sex of the client", (c.subject.sex for c in cases), Sex)
    out += _coded_counts(
        "Cases by age band (SIMFONI)", (b for c in cases if (b := c.age_band)), AgeBand
    )
    out += _coded_counts(
        "Closed cases by outcome", (c.outcome for c in cases if c.outcome), CaseOutcome
    )
    out += _coded_counts(
        "Violence cases by form (several per case)",
        (f for c in cases if c.violence for f in c.violence.forms),
        ViolenceForm,
    )
    out.append(
        f"  Cases reopened during the year: "
        f"{sum(any(e.action == 'reopen' for e in c.timeline) for c in cases)}; "
        f"clients with a disability: {sum(bool(c.subject.disability) for c in cases)}"
    )

    refs = year.referrals
    providers = {p.id: p for p in year.providers}
    out += ["", f"Referrals: {len(refs)} to {len({r.provider_id for r in refs})} services"]
    out += _coded_counts("Referrals by status", (r.status for r in refs), ReferralStatus)
    out += _coded_counts(
        "Referrals by service", (providers[r.provider_id].service for r in refs), ServiceKind
    )
    overrides = Counter(_label(r.override) for r in refs if r.override)
    out.append(
        f"  Sent with consent recorded: {sum(r.consent_given for r in refs)}; "
        "without consent, with an override reason: "
        + (", ".join(f"{k} {n}" for k, n in sorted(overrides.items())) or "none")
    )

    actions = year.support_actions
    out += [
        "",
        f"Economy (Ekonomi): {len(year.businesses)} UMKM supported "
        f"({sum(b.owner_sex is Sex.FEMALE for b in year.businesses)} owned by women, "
        f"{sum(bool(b.owner_disability) for b in year.businesses)} by owners with a disability)",
        f"  Support actions: {len(actions)}",
    ]
    width = max(len(t.label_en) for t in SupportType)
    statuses = list(SupportStatus)
    out.append(f"    {'':<{width}}  " + "  ".join(f"{s.value:>11}" for s in statuses))
    for type_ in SupportType:
        row = [sum(a.type is type_ and a.status is s for a in actions) for s in statuses]
        if any(row):
            out.append(f"    {type_.label_en:<{width}}  " + "  ".join(f"{n:>11}" for n in row))
    capital = sum(a.amount_rupiah or 0 for a in actions if a.status is SupportStatus.ACHIEVED)
    out.append(f"  Capital obtained: {_rupiah(capital)}")

    audience = sum((s.audience for s in year.sessions), Audience())
    out += [
        "",
        f"Public relations (Humas): {len(year.publications)} publications, "
        f"{len(year.sessions)} information sessions reaching {audience.total} people "
        f"({audience.female} female, {audience.male} male, "
        f"{audience.with_disability} with a disability)",
    ]
    out += _coded_counts(
        "Publications by channel", (p.channel for p in year.publications), PublicationChannel
    )

    out += ["", "Meetings:"]
    for meeting in year.meetings:
        a = meeting.attendance
        out.append(
            f"  Meeting {meeting.held_on.isoformat()} at {meeting.place}: {meeting.title} — "
            f"{len(meeting.member_ids)} members present; attendance {a.total} "
            f"({a.female} female, {a.male} male, {a.with_disability} with a disability)"
        )
        for speaker in meeting.speakers:
            out.append(
                f"    speaker: {speaker.name} ({speaker.role}, {speaker.organisation}): "
                f"{speaker.topic}"
            )

    out += ["", "Advocacy proposals (Pendataan):"]
    for p in year.proposals:
        path = " → ".join(
            e.target for e in p.timeline if e.action == "draft" or e.target != e.source
        )
        out.append(f"  Proposal: {p.title}")
        out.append(
            f"    forum {_label(p.forum)}; status {_label(p.status)}; "
            f"requested {_rupiah(p.requested_rupiah)}, allocated {_rupiah(p.allocated_rupiah)}"
        )
        out.append(f"    path: {path}")
    out += [
        "",
        "Counts are not suppressed: the data are synthetic. Published tables of real cases",
        "suppress small cells (see docs/data-protection.md).",
    ]
    return out


def store_year(year: VillageYear, url: str) -> list[str]:
    """Write every record to the store at ``url`` in one transaction; report what changed.

    Records are written at version 0 ("new"): a second run finds the same content
    already stored and writes nothing, as an import should.
    """
    store = open_store(url)
    records = list(year.records())
    kinds = {type(record) for record in records}
    try:
        before = sum(sum(1 for _ in store.find(kind)) for kind in kinds)
        with store.transaction() as tx:
            stored = tx.put_many(records)
            tx.commit()
        new = sum(sum(1 for _ in store.find(kind)) for kind in kinds) - before
        by_hamlet = store.count(Case, by=("hamlet_id",), category=CaseCategory.CHILD_MARRIAGE)
    finally:
        store.close()
    lines = [
        f"Stored in {store.url}: {len(stored)} records, {new} written now, "
        f"{len(stored) - new} already there unchanged.",
        "Child-marriage cases by hamlet, counted by the store: "
        + ", ".join(f"{hamlet}={n}" for (hamlet,), n in sorted(by_hamlet.items(), key=str)),
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seed", type=int, default=2025, help="random seed for the cases (default: 2025)"
    )
    parser.add_argument(
        "--store",
        default="sqlite:///kk-teros.db",
        help="where to keep the records (default: sqlite:///kk-teros.db, the embedded "
        "default; 'none' to only print the summary)",
    )
    args = parser.parse_args(argv)
    year = build_village_year(seed=args.seed)
    print("\n".join(summarise(year)))
    if args.store != "none":
        print()
        print("\n".join(store_year(year, args.store)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
