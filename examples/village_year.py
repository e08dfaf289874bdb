"""A year (2025) in the life of the Kelompok Konstituen of Desa Teros, Lombok Timur.

Run it::

    python examples/village_year.py [--seed N] [--store URL]

It records a realistic year of one KK through the library's use cases
(`kk_core.services.Services`), so that every lifecycle guard and every check of the
services runs on every step, exactly as in a deployment:

* the village and its hamlets, and a board of about 24 members in all four divisions,
  one of them from the village council (BPD) and one from an organisation of persons
  with disabilities;
* a year of cases of every category, each taken through the steps of case management:
  report, companion, assessment (the needs, and the risk it finds), case plan, consent
  (for a child, a caregiver's, scoped to services, with the child's own assent),
  referral, follow-up, closure; some are still open, and some overdue, on 31 December;
* cases told in full, so that each rule of the model shows once: a child referred by
  override when her father is the alleged perpetrator, a best-interest decision for a
  small child, an adult's refusal overridden for imminent danger to life, four pupils
  of one ustaz (one event, four survivors), child marriages by *merariq*, *nikah siri*
  and dispensation, a child perpetrator's case closed by diversion, a rape case
  followed through the courts to the verdict;
* the services the KK refers to, the UMKM it helps and their business groups, what
  Humas published and the questions residents brought to the information centre, the
  members' trainings, the data Pendataan updated and handed over, the KK's meetings
  and the village forums it attended, and advocacy proposals climbing from the
  musdus to the APBDes, one ending as an awig-awig, one carried over to the next cycle.

Then it prints a summary (with the GBVIMS classification of every incident and the
routes and results of the child marriages) and copies every record into a store:
SQLite by default (``kk-teros.db`` in the current folder; ``--store URL`` for another,
``--store none`` for none). Running it again changes nothing in the store.

Everything here is synthetic. The people on the board and the speakers at the meeting
of 13 February are named as in the public field report; the clients of cases are
invented and, as in real records, have no names: only initials and a keyed pseudonym of
an invented identity number, neither of which is ever printed, and no free text names
anyone. The village is keyed by Teros's own Kemendagri code; most hamlet names are
illustrative.

A case's details (the incident, the child marriage) are what the KK knew when it
recorded the case: the services have no step that changes them later, so the child
marriages whose result is shown were recorded once their result was known, and a
planned marriage the KK stopped ends with the outcome ``marriage_prevented``.

Import it to reuse the data in tests and notebooks::

    year = build_village_year(seed=2025)
    len(year.cases), year.proposals[0].status
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs

from kk_core import (
    AdvocacyProposal,
    Between,
    Business,
    BusinessGroup,
    ConstituentGroup,
    DataUpdate,
    Hamlet,
    InformationSession,
    Meeting,
    Member,
    Publication,
    Referral,
    ResidentQuestion,
    ServiceProvider,
    Speaker,
    SupportAction,
    Training,
    Village,
    copy_records,
    open_store,
)
from kk_core.case_lifecycle import REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE
from kk_core.cases import (
    Assent,
    Assessment,
    Case,
    ChildMarriage,
    Consent,
    MarriageParty,
    Perpetrator,
    PlanAction,
    Subject,
    ViolenceIncident,
    age_on,
)
from kk_core.codes import (
    CODE_LISTS,
    Affiliation,
    AgeBand,
    ApbdesField,
    AssentDecision,
    AssentMethod,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ChildMarriageResult,
    Coded,
    ConsentGiver,
    DataRecipient,
    DisabilityDomain,
    DispensationResult,
    Division,
    ExploitationKind,
    Forum,
    FunctioningSet,
    GbvimsFlag,
    GbvimsType,
    IntakeChannel,
    LegalStage,
    MarriageCourt,
    MarriageRole,
    MarriageRoute,
    MeetingType,
    NeedDomain,
    OverrideReason,
    Penetration,
    Position,
    ProposalAction,
    PublicationChannel,
    QuestionChannel,
    QuestionResolution,
    ReferralStatus,
    Reporter,
    RiskLevel,
    SessionFormat,
    Sex,
    SocialProgramme,
    SupportStatus,
    SupportType,
    TpksForm,
    TrainingOrganiser,
    ViolenceForm,
    core_code,
)
from kk_core.kinds import Record
from kk_core.outreach import Audience
from kk_core.privacy import pseudonymise
from kk_core.services import Services

__all__ = ["VillageYear", "build_village_year", "main", "store_year", "summarise"]

R = TypeVar("R", bound=Record)

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

#: Cases drawn at random (the stories told in full come on top).
_RANDOM_CASES = 60
#: The WG Short Set domains, in the order of the release 0.1.0 list.
_WG_DOMAINS = [d for d in DisabilityDomain if d in FunctioningSet.WG_SS.domains]


# --------------------------------------------------------------------------- records


@attrs.frozen
class VillageYear:
    """Everything the year recorded, by record kind, as the services stored it."""

    village: Village
    hamlets: tuple[Hamlet, ...]
    group: ConstituentGroup
    members: tuple[Member, ...]
    providers: tuple[ServiceProvider, ...]
    cases: tuple[Case, ...]
    referrals: tuple[Referral, ...]
    businesses: tuple[Business, ...]
    support_actions: tuple[SupportAction, ...]
    business_groups: tuple[BusinessGroup, ...]
    publications: tuple[Publication, ...]
    sessions: tuple[InformationSession, ...]
    questions: tuple[ResidentQuestion, ...]
    meetings: tuple[Meeting, ...]
    proposals: tuple[AdvocacyProposal, ...]
    trainings: tuple[Training, ...]
    data_updates: tuple[DataUpdate, ...]
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
        yield from self.trainings
        yield from self.data_updates
        yield from self.questions
        yield from self.business_groups


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


def _no_clock() -> datetime:
    """The services' clock: every step of the example gives its own time, so that the
    same seed always gives the same year; reading the machine's clock is a bug here."""
    raise RuntimeError("the example gives every step its time (at=...)")


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


def _m(number: str) -> str:
    """The id of a board member of the Teros KK (``"m08"`` → ``"kk-teros-m08"``)."""
    return f"{GROUP_ID}-{number}"


def _village() -> tuple[Village, tuple[Hamlet, ...]]:
    village = Village(VILLAGE_CODE, "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")
    hamlets = tuple(Hamlet(_h(slug), VILLAGE_CODE, name) for slug, name in _HAMLETS)
    return village, hamlets


_A = Affiliation
_D = Division
_P = Position
_FOUNDED = date(2023, 5, 20)

# id, name, sex, affiliations, position, divisions, birth year, hamlet slug (None: lives
# outside the village). Sahnun also sits on the BPD (the village council that convenes
# the musdes); Kartini, who uses a walking aid, is in the district's organisation of
# persons with disabilities.
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
    ("m21", "Sahnun", Sex.MALE, (_A.COMMUNITY_LEADER, _A.BPD), _P.MEMBER, (_D.ECONOMY, _D.DATA),
     1968, "bagek-nunggal"),
    ("m22", "Baiq Sri Mulyani", Sex.FEMALE, (_A.VILLAGE_GOVERNMENT,), _P.MEMBER,
     (_D.COMPLAINTS,), 1986, "teros-daya"),
    ("m23", "Kartini", Sex.FEMALE, (_A.COMMUNITY_LEADER, _A.DISABILITY_ORG), _P.MEMBER,
     (_D.COMPLAINTS, _D.DATA), 1977, "teros-lauk"),
    ("m24", "Juhri", Sex.MALE, (_A.OTHER,), _P.MEMBER, (_D.ECONOMY,), 1982, "tanak-beak"),
    ("m25", "Wahyu Hidayat", Sex.MALE, (_A.YOUTH,), _P.MEMBER, (_D.DATA,), 2002, "teros-lauk"),
)  # fmt: skip


def _board() -> tuple[Member, ...]:
    members = []
    for mid, name, sex, affiliations, position, divisions, born, hamlet in _BOARD:
        # GEDSI: one member uses a walking aid; one left to run the BUMDes shop full time
        disability = {DisabilityDomain.WALKING} if mid == "m23" else set()
        left_on = date(YEAR, 9, 30) if mid == "m24" else None
        members.append(
            Member(
                _m(mid),
                GROUP_ID,
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

#: The services the KK refers to. Kinds are codes of the open ``service_kind`` list:
#: SIMFONI-PPA's core, or a built-in local entry that rolls up to it (``dp3akb`` to
#: ``uptd_ppa``, ``rsud_visum`` to ``puskesmas``, ``bhabinkamtibmas`` to ``police``…).
_PROVIDERS = (
    ("uptd-ppa-lotim", "uptd_ppa", "UPTD PPA Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", "SAPA 129"),
    ("dp3akb-lotim", "dp3akb", "DP3AKB Kabupaten Lombok Timur", "Kabupaten Lombok Timur",
     "hotline 24 jam"),
    ("ppa-polres-lotim", "police_ppa", "Unit PPA Satreskrim Polres Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("bhabinkamtibmas-teros", "bhabinkamtibmas", "Bhabinkamtibmas Desa Teros (Polsek Labuhan Haji)",
     "Desa Teros", ""),
    ("pkm-labuhan-haji", "puskesmas", "Puskesmas Labuhan Haji", "Kecamatan Labuhan Haji", ""),
    ("rsud-selong", "rsud_visum", "RSUD dr. R. Soedjono Selong", "Kabupaten Lombok Timur", ""),
    ("dinsos-lotim", "dinas_sosial", "Dinas Sosial Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("pkh-labuhan-haji", "pkh_companion", "Pendamping PKH Kecamatan Labuhan Haji",
     "Kecamatan Labuhan Haji", ""),
    ("tksk-labuhan-haji", "tksk", "TKSK Kecamatan Labuhan Haji", "Kecamatan Labuhan Haji", ""),
    ("sakti-peksos-lotim", "sakti_peksos", "Sakti Peksos Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("bpjs-kesehatan-selong", "bpjs_kesehatan", "BPJS Kesehatan Kantor Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("kua-labuhan-haji", "kua", "KUA Kecamatan Labuhan Haji", "Kecamatan Labuhan Haji", ""),
    ("pa-selong", "pengadilan_agama", "Pengadilan Agama Selong", "Kabupaten Lombok Timur", ""),
    ("dukcapil-lotim", "dukcapil", "Dukcapil Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", "layanan jemput bola di kantor desa"),
    ("smpn-labuhan-haji", "school", "SMP Negeri 1 Labuhan Haji", "Kecamatan Labuhan Haji", ""),
    ("pkbm-labuhan-haji", "pkbm", "PKBM Kecamatan Labuhan Haji", "Kecamatan Labuhan Haji", ""),
    ("kemenag-lotim", "kemenag", "Kantor Kemenag Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("dikbud-lotim", "dinas_pendidikan", "Dinas Pendidikan Kabupaten Lombok Timur",
     "Kabupaten Lombok Timur", ""),
    ("lbh-apik-ntb", "legal_aid", "LBH APIK NTB", "Nusa Tenggara Barat", ""),
    ("lpsk", "lpsk", "Lembaga Perlindungan Saksi dan Korban (LPSK)", "Nasional", ""),
    ("bp3mi-ntb", "bp3mi", "BP3MI Nusa Tenggara Barat", "Nusa Tenggara Barat", ""),
    ("lrc", "ngo", "Lombok Research Center (LRC)", "Nusa Tenggara Barat", ""),
    ("pemdes-teros", "village_government", "Pemerintah Desa Teros", "Desa Teros",
     "Kantor Desa Teros"),
)  # fmt: skip


def _providers() -> tuple[ServiceProvider, ...]:
    return tuple(
        ServiceProvider(pid, kind, name, area=area, contact=contact)
        for pid, kind, name, area, contact in _PROVIDERS
    )


_KIND_OF = {pid: kind for pid, kind, *_ in _PROVIDERS}


# --------------------------------------------------------------- cases: the machinery


class _YearEnd(Exception):
    """The next step of a case would fall after 31 December: the case stays as it is."""


class _Clock:
    """Moves forward through a case's days; never backwards, never past the year."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.now = start

    def after(self, low: int, high: int) -> datetime:
        """A working hour ``low`` to ``high`` days after the last step."""
        day = self.now.date() + timedelta(days=self.rng.randint(low, high))
        return self._move(_at(day, self.rng.randint(8, 16), self.rng.choice((0, 15, 30, 45))))

    def on(self, day: date, hour: int = 9) -> datetime:
        """A given day (a story's date), never before the last step."""
        return self._move(_at(day, hour))

    def _move(self, when: datetime) -> datetime:
        if when <= self.now:
            when = self.now + timedelta(minutes=30)
        if when.date() > AS_OF:
            raise _YearEnd
        self.now = when
        return when


#: From this age a child's own assent is asked, orally; from 12 in writing (IRC/UNICEF,
#: Caring for Child Survivors, 2012).
_ASSENT_AGE, _WRITTEN_ASSENT_AGE = 6, 12


class _CaseRun:
    """One case taken through the services step by step, on its own clock.

    Every step is one use case of `Services`: one transaction, every guard checked, a
    refused step an error (the example never catches one). A step happens ``on`` a
    given day, else ``low`` to ``high`` days after the last one; a step that would fall
    after 31 December raises `_YearEnd` and the case stays as it is.
    """

    def __init__(self, services: Services, case: Case, clock: _Clock, actor: str) -> None:
        self.services = services
        self.case = case
        self.clock = clock
        self.actor = actor
        self.referrals: list[str] = []

    @property
    def id(self) -> str:
        return self.case.id

    def _when(self, low: int, high: int, on: date | None) -> datetime:
        return self.clock.after(low, high) if on is None else self.clock.on(on)

    def _reload(self) -> None:
        """A referral's last response resumes its case: read the case as stored."""
        self.case = self.services.store.get(Case, self.id)

    def record(self) -> None:
        self.case = self.services.record_case(self.case, at=self.clock.now, actor_id=self.actor)

    def assign(self, member: str, *, low: int = 0, high: int = 2, on: date | None = None) -> None:
        at = self._when(low, high, on)
        self.case = self.services.assign_companion(self.id, member, at=at, actor_id=self.actor)
        self.actor = member

    def assess(
        self,
        risk: RiskLevel,
        needs: Iterable[NeedDomain],
        note: str = "",
        *,
        low: int = 0,
        high: int = 3,
        on: date | None = None,
    ) -> None:
        """The assessment: the needs found, by domain, and the risk level it sets."""
        at = self._when(low, high, on)
        assessment = Assessment(at.date(), risk, needs=needs, by=self.actor, note=note)
        self.case = self.services.assess_case(self.id, assessment, at=at, actor_id=self.actor)

    def plan(
        self,
        actions: Sequence[tuple[str, str, int, str | None]],
        *,
        low: int = 0,
        high: int = 2,
        on: date | None = None,
    ) -> None:
        """The case plan: (what, the member responsible, due in days, service kind)."""
        at = self._when(low, high, on)
        plan = [
            PlanAction(what, who, at.date() + timedelta(days=days), service=service)
            for what, who, days, service in actions
        ]
        self.case = self.services.plan_case(self.id, plan, at=at, actor_id=self.actor)

    def done(self, *indexes: int, low: int = 0, high: int = 1, on: date | None = None) -> None:
        """Plan actions done: the plan is set again with their dates of completion."""
        at = self._when(low, high, on)
        plan = [
            attrs.evolve(a, done_on=at.date()) if i in indexes and a.done_on is None else a
            for i, a in enumerate(self.case.plan)
        ]
        self.case = self.services.plan_case(self.id, plan, at=at, actor_id=self.actor)

    def consent(
        self,
        giver: ConsentGiver,
        services: Iterable[str] = (),
        *,
        note: str = "",
        approved_by: str | None = None,
        low: int = 0,
        high: int = 2,
        on: date | None = None,
    ) -> None:
        """Consent to the services it names (none when refused); for a child of 6 to
        17, the child's own assent is recorded with it, oral under 12, else written."""
        at = self._when(low, high, on)
        day = at.date()
        age = self.case.age_at(day)
        refused = giver is ConsentGiver.NONE
        assent = None
        if not refused and age is not None and _ASSENT_AGE <= age < 18:
            method = AssentMethod.ORAL if age < _WRITTEN_ASSENT_AGE else AssentMethod.WRITTEN
            assent = Assent(AssentDecision.GIVEN, day, method=method)
        consent = Consent(
            giver,
            day,
            services=() if refused else services,
            to_share_data=not refused,
            assent=assent,
            approved_by=approved_by,
            note=note,
        )
        self.case = self.services.record_consent(self.id, consent, at=at, actor_id=self.actor)

    def refer(
        self,
        provider: str,
        reason: str,
        *,
        override: OverrideReason | None = None,
        override_note: str = "",
        approved_by: str | None = None,
        low: int = 0,
        high: int = 4,
        on: date | None = None,
    ) -> str:
        """Refer the case (the referral is sent at once, due back in 14 days); its id."""
        at = self._when(low, high, on)
        referral_id = f"{self.id}-R{len(self.referrals) + 1}"
        self.case, _ = self.services.refer_case(
            self.id,
            provider,
            reason,
            referral_id=referral_id,
            override=override,
            override_note=override_note,
            approved_by=approved_by,
            follow_up_due=at.date() + timedelta(days=14),
            at=at,
            actor_id=self.actor,
        )
        self.referrals.append(referral_id)
        return referral_id

    def accept(self, referral: str, *, low: int = 1, high: int = 7, on: date | None = None) -> None:
        at = self._when(low, high, on)
        self.services.record_referral_response(referral, accepted=True, at=at, actor_id=self.actor)

    def decline(
        self, referral: str, reason: str, *, low: int = 1, high: int = 7, on: date | None = None
    ) -> None:
        at = self._when(low, high, on)
        self.services.record_referral_response(
            referral, accepted=False, reason=reason, at=at, actor_id=self.actor
        )
        self._reload()

    def follow_referral(
        self, referral: str, note: str, *, low: int = 5, high: int = 15, on: date | None = None
    ) -> None:
        """A call to the service; the referral is due back two weeks later."""
        at = self._when(low, high, on)
        self.services.follow_up_referral(
            referral, at.date() + timedelta(days=14), note=note, at=at, actor_id=self.actor
        )

    def complete(
        self, referral: str, outcome: str, *, low: int = 3, high: int = 30, on: date | None = None
    ) -> None:
        at = self._when(low, high, on)
        self.services.complete_referral(referral, outcome, at=at, actor_id=self.actor)
        self._reload()

    def cancel(
        self, referral: str, reason: str, *, low: int = 5, high: int = 20, on: date | None = None
    ) -> None:
        at = self._when(low, high, on)
        self.services.cancel_referral(referral, reason, at=at, actor_id=self.actor)
        self._reload()

    def follow_up(
        self,
        next_in: int | None,
        note: str,
        *,
        low: int = 3,
        high: int = 14,
        on: date | None = None,
    ) -> None:
        """A follow-up (a home visit, a call); the next one ``next_in`` days later."""
        at = self._when(low, high, on)
        following = None if next_in is None else at.date() + timedelta(days=next_in)
        self.case = self.services.follow_up_case(
            self.id, following, note=note, at=at, actor_id=self.actor
        )

    def legal(
        self, stage: LegalStage, note: str, *, low: int = 7, high: int = 30, on: date | None = None
    ) -> None:
        """Where the legal process the KK accompanies stands; the case stays open."""
        at = self._when(low, high, on)
        self.case = self.services.record_legal_step(
            self.id, stage, note=note, at=at, actor_id=self.actor
        )

    def note(self, text: str, *, low: int = 2, high: int = 14, on: date | None = None) -> None:
        at = self._when(low, high, on)
        self.case = self.services.add_case_note(self.id, text, at=at, actor_id=self.actor)

    def update(self, changes: dict[str, Any], why: str, *, on: date) -> None:
        """What was learnt later (a marriage's result, a perpetrator): its own step."""
        at = self._when(0, 0, on)
        self.case = self.services.update_case(
            self.id, changes, note=why, at=at, actor_id=self.actor
        )

    def risk(
        self, level: RiskLevel, why: str, *, low: int = 0, high: int = 3, on: date | None = None
    ) -> None:
        """The risk changed since the assessment; why, in a note beside it."""
        at = self._when(low, high, on)
        self.case = self.services.change_risk(self.id, level, at=at, actor_id=self.actor)
        self.note(why, low=0, high=0)

    def close(
        self,
        outcome: CaseOutcome,
        note: str = "",
        *,
        low: int = 2,
        high: int = 21,
        on: date | None = None,
    ) -> None:
        at = self._when(low, high, on)
        self.case = self.services.close_case(
            self.id, outcome, note=note, at=at, actor_id=self.actor
        )

    def reopen(self, reason: str, *, low: int, high: int) -> None:
        at = self._when(low, high, None)
        self.case = self.services.reopen_case(self.id, reason, at=at, actor_id=self.actor)


# ------------------------------------------------------------ cases drawn at random

_O = CaseOutcome
#: (provider, reason for the referral, what the service did, the case's outcome)
_Route = tuple[str, str, str, CaseOutcome]

# What each category is referred for. The consent of an ordinary case names the kinds of
# all the services of its category: those its companion discussed with the client.
_ROUTES: dict[CaseCategory, tuple[_Route, ...]] = {
    CaseCategory.VIOLENCE: (
        ("uptd-ppa-lotim", "pendampingan psikologis dan hukum",
         "asesmen dan konseling psikologis selesai", _O.SERVICE_RECEIVED),
        ("pkm-labuhan-haji", "pemeriksaan dan perawatan luka", "perawatan selesai",
         _O.SERVICE_RECEIVED),
        ("lbh-apik-ntb", "konsultasi dan bantuan hukum", "pendampingan hukum diberikan",
         _O.SERVICE_RECEIVED),
        ("bhabinkamtibmas-teros", "perlindungan dan peringatan kepada pelaku",
         "pelaku membuat surat pernyataan; korban aman", _O.RESOLVED),
    ),
    CaseCategory.CHILD_MARRIAGE: (
        ("kua-labuhan-haji", "konseling keluarga pencegahan perkawinan anak",
         "konseling keluarga selesai", _O.MARRIAGE_PREVENTED),
        ("uptd-ppa-lotim", "pendampingan anak dan keluarga", "pendampingan anak selesai",
         _O.MARRIAGE_PREVENTED),
        ("dp3akb-lotim", "konseling pencegahan perkawinan anak",
         "keluarga sepakat menunda sampai usia 19", _O.MARRIAGE_PREVENTED),
    ),
    CaseCategory.SCHOOL_DROPOUT: (
        ("smpn-labuhan-haji", "anak kembali bersekolah", "anak diterima kembali di kelas",
         _O.RETURNED_TO_SCHOOL),
        ("pkbm-labuhan-haji", "pendaftaran kejar paket B", "terdaftar di program Paket B",
         _O.RETURNED_TO_SCHOOL),
        ("kemenag-lotim", "pindah ke madrasah tsanawiyah", "diterima di MTs",
         _O.RETURNED_TO_SCHOOL),
    ),
    CaseCategory.CIVIL_REGISTRATION: (
        ("dukcapil-lotim", "penerbitan dokumen kependudukan", "dokumen terbit",
         _O.DOCUMENT_ISSUED),
    ),
    CaseCategory.DISABILITY_SUPPORT: (
        ("dinsos-lotim", "alat bantu dan asistensi sosial (ATENSI)", "alat bantu diserahkan",
         _O.SERVICE_RECEIVED),
        ("pkm-labuhan-haji", "rehabilitasi medik dan rujukan RSUD", "terapi berjalan",
         _O.SERVICE_RECEIVED),
    ),
    CaseCategory.OTHER: (
        ("pemdes-teros", "mediasi oleh pemerintah desa", "mediasi selesai", _O.RESOLVED),
        ("lrc", "konsultasi dengan mitra program", "ditangani mitra", _O.TRANSFERRED),
    ),
}  # fmt: skip

#: Sexual violence goes to the UPTD PPA first (UU TPKS Art. 39), and to the police.
_SEXUAL_ROUTE: _Route = (
    "uptd-ppa-lotim", "pendampingan korban kekerasan seksual (UU TPKS)",
    "asesmen psikologis dan konseling selesai", _O.SERVICE_RECEIVED,
)  # fmt: skip

_SP = SocialProgramme
#: Social protection: where each programme's case goes (Dinas Sosial for DTSEN otherwise).
_PROGRAMME_ROUTES: dict[SocialProgramme, _Route] = {
    _SP.PKH: ("pkh-labuhan-haji", "usulan kepesertaan PKH", "terdaftar sebagai penerima PKH",
              _O.SERVICE_RECEIVED),
    _SP.PBI_JKN: ("bpjs-kesehatan-selong", "reaktivasi KIS (PBI-JKN) yang nonaktif",
                  "kepesertaan KIS aktif kembali", _O.SERVICE_RECEIVED),
    _SP.BLT_DANA_DESA: ("pemdes-teros", "verifikasi calon penerima BLT Dana Desa",
                        "masuk daftar KPM BLT-DD", _O.SERVICE_RECEIVED),
    _SP.PIP: ("smpn-labuhan-haji", "usulan PIP (KIP) untuk anak sekolah",
              "terdaftar penerima PIP", _O.SERVICE_RECEIVED),
    _SP.RICE_AID: ("tksk-labuhan-haji", "pendataan penerima bantuan beras",
                   "masuk daftar penerima bantuan beras", _O.SERVICE_RECEIVED),
    _SP.RTLH: ("pemdes-teros", "usulan bedah rumah tidak layak huni (RTLH)",
               "masuk daftar penerima RTLH", _O.SERVICE_RECEIVED),
}  # fmt: skip
_DTSEN_ROUTE: _Route = (
    "dinsos-lotim", "usulan masuk DTSEN dan verifikasi bansos", "terverifikasi sebagai penerima",
    _O.SERVICE_RECEIVED,
)  # fmt: skip

_CATEGORY_WEIGHTS = {
    CaseCategory.VIOLENCE: 14,
    CaseCategory.CHILD_MARRIAGE: 10,
    CaseCategory.SCHOOL_DROPOUT: 8,
    CaseCategory.SOCIAL_PROTECTION: 16,
    CaseCategory.CIVIL_REGISTRATION: 14,
    CaseCategory.DISABILITY_SUPPORT: 6,
    CaseCategory.OTHER: 4,
}

_N = NeedDomain
#: What an assessment usually finds, by category: the first always, the others often.
_NEEDS: dict[CaseCategory, tuple[NeedDomain, ...]] = {
    CaseCategory.VIOLENCE: (_N.SAFETY, _N.PSYCHOSOCIAL, _N.HEALTH, _N.LEGAL, _N.SHELTER),
    CaseCategory.CHILD_MARRIAGE: (_N.EDUCATION, _N.PSYCHOSOCIAL, _N.SAFETY, _N.HEALTH),
    CaseCategory.SCHOOL_DROPOUT: (_N.EDUCATION, _N.ECONOMIC, _N.DOCUMENTS),
    CaseCategory.SOCIAL_PROTECTION: (_N.SOCIAL_PROTECTION, _N.ECONOMIC, _N.DOCUMENTS),
    CaseCategory.CIVIL_REGISTRATION: (_N.DOCUMENTS, _N.SOCIAL_PROTECTION),
    CaseCategory.DISABILITY_SUPPORT: (_N.HEALTH, _N.SOCIAL_PROTECTION, _N.ECONOMIC),
    CaseCategory.OTHER: (_N.ECONOMIC, _N.SAFETY),
}

#: Who brings each category, and how it comes (several of each, drawn at random).
_REPORTERS: dict[CaseCategory, tuple[Reporter, ...]] = {
    CaseCategory.VIOLENCE: (Reporter.CLIENT, Reporter.FAMILY, Reporter.NEIGHBOUR,
                            Reporter.HAMLET_HEAD, Reporter.SCHOOL, Reporter.HEALTH_WORKER),
    CaseCategory.CHILD_MARRIAGE: (Reporter.SCHOOL, Reporter.HAMLET_HEAD, Reporter.FAMILY,
                                  Reporter.KK_MEMBER, Reporter.RELIGIOUS_LEADER),
    CaseCategory.SCHOOL_DROPOUT: (Reporter.SCHOOL, Reporter.KK_MEMBER, Reporter.FAMILY),
    CaseCategory.SOCIAL_PROTECTION: (Reporter.CLIENT, Reporter.KK_MEMBER, Reporter.HAMLET_HEAD),
    CaseCategory.CIVIL_REGISTRATION: (Reporter.CLIENT, Reporter.FAMILY, Reporter.HEALTH_WORKER),
    CaseCategory.DISABILITY_SUPPORT: (Reporter.FAMILY, Reporter.KK_MEMBER,
                                      Reporter.HEALTH_WORKER),
    CaseCategory.OTHER: (Reporter.CLIENT, Reporter.NEIGHBOUR),
}  # fmt: skip
#: Who may call the SAPA 129 hotline (KemenPPPA), which passes the case on.
_CALLERS = frozenset({Reporter.CLIENT, Reporter.FAMILY, Reporter.NEIGHBOUR})
_CHANNELS: dict[Reporter, tuple[IntakeChannel, ...]] = {
    Reporter.CLIENT: (IntakeChannel.WALK_IN, IntakeChannel.PHONE),
    Reporter.FAMILY: (IntakeChannel.WALK_IN, IntakeChannel.PHONE),
    Reporter.NEIGHBOUR: (IntakeChannel.PHONE, IntakeChannel.WALK_IN),
    Reporter.KK_MEMBER: (IntakeChannel.OUTREACH_VISIT,),
    Reporter.HAMLET_HEAD: (IntakeChannel.PHONE, IntakeChannel.OUTREACH_VISIT),
    Reporter.SCHOOL: (IntakeChannel.SCHOOL,),
    Reporter.HEALTH_WORKER: (IntakeChannel.POSYANDU,),
    Reporter.RELIGIOUS_LEADER: (IntakeChannel.WALK_IN,),
}

#: Alleged perpetrators' relations (codes of the open list: SIMFONI's core and the
#: built-in local entries), and where each usually happens.
_CHILD_RELATIONS = ("parent", "stepparent", "family", "family", "neighbour", "teacher", "ustaz",
                    "friend", "boyfriend")  # fmt: skip
_ADULT_RELATIONS = ("spouse", "spouse", "spouse", "former_spouse", "family", "employer",
                    "neighbour", "stranger")  # fmt: skip
_PLACE_OF = {
    "teacher": "school",
    "ustaz": "pondok_pesantren",
    "employer": "workplace",
    "friend": "public_facility",
    "boyfriend": "public_facility",
    "stranger": "public_facility",
}
_CAREGIVERS = frozenset({"parent", "stepparent"})

_INITIALS = "ABDFHIJKLMNRSWYZ"


class _Cases:
    """Makes the year's cases from one seeded random source and records them through
    the services: the ordinary ones drawn by category, and the stories told in full."""

    def __init__(self, rng: random.Random, services: Services, board: Sequence[Member]) -> None:
        self.rng = rng
        self.services = services
        self.hamlets = tuple(_h(slug) for slug, _ in _HAMLETS)
        self.companions = tuple(
            m.id for m in board if Division.COMPLAINTS in m.divisions and m.left_on is None
        )
        self.intake = tuple(m.id for m in board if Division.DATA in m.divisions)
        self.names = {pid: name for pid, _, name, *_ in _PROVIDERS}

    # -- subjects

    def _hamlet(self) -> str:
        return self.rng.choices(self.hamlets, weights=_HAMLET_WEIGHTS)[0]

    def _initials(self) -> str:
        return ".".join(self.rng.sample(_INITIALS, 2)) + "."

    def _born(self, on: date, age: int) -> tuple[int, int]:
        """A birth year and month that make someone ``age`` on ``on``."""
        month = self.rng.randint(1, 12)
        return on.year - age - (1 if on.month <= month else 0), month

    def _identity(self, year: int, month: int, sex: Sex) -> str:
        """The pseudonym of an invented NIK (region, day + 40 for women, month, year,
        serial). The number itself is never stored, nor printed."""
        day = self.rng.randint(1, 28) + (40 if sex is Sex.FEMALE else 0)
        nik = f"520317{day:02d}{month:02d}{year % 100:02d}{self.rng.randint(1, 9999):04d}"
        return pseudonymise(nik, EXAMPLE_KEY)

    def born(
        self, sex: Sex, age: int, on: date, *, hamlet: str | None = None, initials: str = ""
    ) -> Subject:
        """Someone ``age`` on ``on``, by birth year and month (never the day: data
        minimisation, UU PDP): the age at an earlier incident is then exact too."""
        year, month = self._born(on, age)
        return Subject(
            sex,
            birth_year=year,
            birth_month=month,
            hamlet_id=hamlet or self._hamlet(),
            initials=initials or self._initials(),
        )

    def adult(
        self,
        sex: Sex,
        age: int,
        on: date,
        *,
        hamlet: str | None = None,
        initials: str = "",
        identity: bool = True,
        disability: Iterable[DisabilityDomain] = (),
    ) -> Subject:
        """An adult, by the age on the report date, with a pseudonymised NIK."""
        year, month = self._born(on, age)
        return Subject(
            sex,
            age_years=age,
            disability=disability,
            hamlet_id=hamlet or self._hamlet(),
            initials=initials or self._initials(),
            identity=self._identity(year, month, sex) if identity else None,
        )

    def _subject(self, category: CaseCategory, reported: date) -> Subject:
        rng = self.rng
        either = rng.choice((Sex.FEMALE, Sex.MALE))
        if category is CaseCategory.VIOLENCE:
            if rng.random() < 0.4:
                return self.born(Sex.FEMALE if rng.random() < 0.7 else Sex.MALE,
                                  rng.randint(6, 17), reported)  # fmt: skip
            return self.adult(Sex.FEMALE if rng.random() < 0.9 else Sex.MALE,
                              rng.randint(18, 52), reported, identity=False)  # fmt: skip
        if category is CaseCategory.CHILD_MARRIAGE:
            return self.born(Sex.FEMALE if rng.random() < 0.85 else Sex.MALE,
                              rng.randint(14, 17), reported)  # fmt: skip
        if category is CaseCategory.SCHOOL_DROPOUT:
            return self.born(either, rng.randint(10, 17), reported)
        if category is CaseCategory.SOCIAL_PROTECTION:
            return self.adult(Sex.FEMALE if rng.random() < 0.65 else Sex.MALE,
                              rng.randint(24, 78), reported)  # fmt: skip
        if category is CaseCategory.CIVIL_REGISTRATION:
            if rng.random() < 0.6:  # a birth certificate for a young child
                return self.born(either, rng.randint(0, 5), reported)
            return self.adult(either, rng.randint(17, 70), reported)  # KTP or family card
        if category is CaseCategory.DISABILITY_SUPPORT:
            domains = rng.sample(_WG_DOMAINS, rng.choice((1, 1, 2)))
            age = rng.randint(4, 70)
            if age < 18:
                return attrs.evolve(self.born(either, age, reported), disability=domains)
            return self.adult(either, age, reported, disability=domains)
        return self.adult(either, rng.randint(20, 65), reported, identity=False)

    # -- incidents

    def _perpetrator(self, relation: str, victim_child: bool) -> Perpetrator:
        rng = self.rng
        sex = Sex.MALE if rng.random() < 0.85 else Sex.FEMALE
        if relation == "stranger":  # seen, not known: an age band at most
            return Perpetrator(relation, sex=sex, age_band=AgeBand.AGE_25_44)
        if relation in ("friend", "boyfriend") and victim_child:
            if rng.random() < 0.3:  # a schoolmate whose age nobody knows: a child, though
                return Perpetrator(relation, sex=Sex.MALE, is_child=True)
            return Perpetrator(relation, sex=Sex.MALE, age_years=rng.randint(14, 21))
        return Perpetrator(
            relation, sex=sex, age_years=rng.randint(24, 62), is_caregiver=relation in _CAREGIVERS
        )

    def _incident(self, age: int, reported: date) -> ViolenceIncident:
        """What happened, in SIMFONI terms, with what the GBVIMS classification needs."""
        rng = self.rng
        child = age < 18
        relation = rng.choice(_CHILD_RELATIONS if child else _ADULT_RELATIONS)
        perpetrator = self._perpetrator(relation, child)
        occurred = reported - timedelta(days=rng.randint(0, 20))
        place = _PLACE_OF.get(relation, "household")
        if rng.random() < 0.2:  # sexual violence (UU TPKS Art. 4)
            if rng.random() < 0.35:  # disclosed, not yet known whether there was penetration
                return ViolenceIncident(
                    {ViolenceForm.SEXUAL, ViolenceForm.PSYCHOLOGICAL}, place,
                    perpetrators=[perpetrator], occurred_on=occurred,
                    penetration=Penetration.UNKNOWN,
                )  # fmt: skip
            if child:
                form = rng.choice((TpksForm.CHILD_INDECENT_ASSAULT, TpksForm.CHILD_INTERCOURSE))
            else:
                form = rng.choice((TpksForm.PHYSICAL_HARASSMENT, TpksForm.RAPE))
            penetrative = form in (TpksForm.CHILD_INTERCOURSE, TpksForm.RAPE)
            return ViolenceIncident(
                {ViolenceForm.SEXUAL}, place, perpetrators=[perpetrator], occurred_on=occurred,
                tpks_forms={form}, penetration=Penetration.YES if penetrative else Penetration.NO,
            )  # fmt: skip
        forms = {rng.choice((ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL))}
        if relation in ("spouse", "former_spouse") and rng.random() < 0.4:
            forms.add(ViolenceForm.NEGLECT)  # no maintenance (nafkah) for her and the children
        elif rng.random() < 0.3:
            forms.add(ViolenceForm.PSYCHOLOGICAL)
        return ViolenceIncident(forms, place, perpetrators=[perpetrator], occurred_on=occurred)

    def _planned_marriage(self, subject: Subject, reported: date) -> ChildMarriage:
        """A marriage planned for a few weeks ahead: its result is not known yet."""
        rng = self.rng
        planned = reported + timedelta(days=rng.randint(10, 60))
        role = MarriageRole.BRIDE if subject.sex is Sex.FEMALE else MarriageRole.GROOM
        other = MarriageRole.GROOM if role is MarriageRole.BRIDE else MarriageRole.BRIDE
        assert subject.birth_year is not None  # a child's birth is kept to the month
        age = age_on(subject.birth_year, subject.birth_month, planned)
        routes = rng.choice(
            ({MarriageRoute.ARRANGED}, {MarriageRoute.ARRANGED, MarriageRoute.KUA_REFUSED},
             {MarriageRoute.PREGNANCY}, {MarriageRoute.ARRANGED, MarriageRoute.NIKAH_SIRI})
        )  # fmt: skip
        return ChildMarriage(
            event_on=planned,
            parties=[
                MarriageParty(role, age_years=age, is_subject=True),
                MarriageParty(other, age_years=rng.randint(16, 27)),
            ],
            routes=routes,
        )

    # -- an ordinary case

    def new_case(self, case_id: str, category: CaseCategory, reported: date) -> Case:
        rng = self.rng
        subject = self._subject(category, reported)
        reporter = rng.choice(_REPORTERS[category])
        channel = rng.choice(_CHANNELS[reporter])
        if category is CaseCategory.VIOLENCE and reporter in _CALLERS and rng.random() < 0.15:
            channel = IntakeChannel.SAPA_129  # the hotline passed the case on to the KK
        case = Case(
            case_id, GROUP_ID, VILLAGE_CODE, reported, channel, category, subject,
            reporter=reporter,
        )  # fmt: skip
        age = case.age_at(reported) or 0
        if category is CaseCategory.VIOLENCE:
            return attrs.evolve(case, violence=self._incident(age, reported),
                                summary="kekerasan dilaporkan; korban didampingi")  # fmt: skip
        if category is CaseCategory.CHILD_MARRIAGE:
            return attrs.evolve(case, child_marriage=self._planned_marriage(subject, reported),
                                summary="rencana perkawinan anak")  # fmt: skip
        if category is CaseCategory.SOCIAL_PROTECTION:
            programme = rng.choice(list(SocialProgramme))
            return attrs.evolve(case, programme=programme.value,
                                summary="belum menerima bantuan sosial")  # fmt: skip
        return case

    def _routes(self, case: Case) -> tuple[_Route, ...]:
        if case.is_sexual_violence and case.category is CaseCategory.VIOLENCE:
            return (_SEXUAL_ROUTE,)
        if case.category is CaseCategory.SOCIAL_PROTECTION:
            own = _PROGRAMME_ROUTES.get(SocialProgramme(case.programme or "other"))
            return (own, _DTSEN_ROUTE) if own is not None else (_DTSEN_ROUTE,)
        return _ROUTES[case.category]

    def _assessment(self, case: Case) -> tuple[RiskLevel, set[NeedDomain]]:
        rng = self.rng
        first, *others = _NEEDS[case.category]
        needs = {first, *(n for n in others if rng.random() < 0.5)}
        if case.is_sexual_violence and case.category is CaseCategory.VIOLENCE:
            return RiskLevel.HIGH, needs | {NeedDomain.PSYCHOSOCIAL, NeedDomain.LEGAL}
        if case.category in (CaseCategory.VIOLENCE, CaseCategory.CHILD_MARRIAGE):
            return (RiskLevel.HIGH if rng.random() < 0.3 else RiskLevel.MEDIUM), needs
        return (RiskLevel.MEDIUM if rng.random() < 0.25 else RiskLevel.LOW), needs

    def _giver(self, case: Case) -> tuple[ConsentGiver, str]:
        """Who consents: the client; for a child a parent or guardian, or another
        trusted adult when a parent is the alleged perpetrator."""
        if not _child_when_reported(case):
            return ConsentGiver.SELF, ""
        perpetrators = case.violence.perpetrators if case.violence else ()
        if any(p.relation in _CAREGIVERS for p in perpetrators):
            return ConsentGiver.OTHER_TRUSTED_ADULT, "nenek korban, yang kini mengasuh"
        if self.rng.random() < 0.15:  # parents working abroad: a guardian looks after the child
            return ConsentGiver.GUARDIAN, ""
        return ConsentGiver.PARENT, ""

    def start(self, case: Case) -> _CaseRun:
        clock = _Clock(self.rng, _at(case.reported_on, self.rng.randint(8, 15)))
        run = _CaseRun(self.services, case, clock, self.rng.choice(self.intake))
        run.record()
        return run

    def run(self, case: Case) -> _CaseRun:
        """The ordinary path, with its random turns; the year may end at any step."""
        rng = self.rng
        run = self.start(case)
        try:
            companion = rng.choice(self.companions)
            run.assign(companion)
            run.assess(*self._assessment(run.case))
            routes = self._routes(run.case)
            provider, reason, done, outcome = (
                routes[0] if rng.random() < 0.6 else rng.choice(routes)
            )
            run.plan(
                [
                    (f"rujuk ke {self.names[provider]}: {reason}", companion, 7,
                     _KIND_OF[provider]),
                    ("kunjungan rumah dan pemantauan", companion, 45, None),
                ]
            )  # fmt: skip
            kinds = {_KIND_OF[p] for p, *_ in routes}
            if run.case.is_sexual_violence and case.category is CaseCategory.VIOLENCE:
                kinds |= {"police_ppa", "rsud_visum"}
            if not _child_when_reported(run.case) and rng.random() < 0.08:
                run.consent(ConsentGiver.NONE, note="klien belum bersedia dirujuk")
                run.close(_O.WITHDRAWN, "klien menolak dirujuk dan tidak melanjutkan pendampingan")
                return run
            giver, who = self._giver(run.case)
            run.consent(giver, kinds, note=who)
            if rng.random() < 0.4:
                run.note("kunjungan rumah; kondisi klien dicatat")
            if case.category is CaseCategory.VIOLENCE and rng.random() < 0.15:
                run.risk(RiskLevel.HIGH, "ancaman berulang dari pelaku")
            referral = run.refer(provider, reason)
            run.done(0, low=0, high=0)  # the action was the referral itself
            turn = rng.random()
            sexual = run.case.is_sexual_violence
            if turn < 0.08 and not sexual and len(routes) > 1:
                run.decline(referral, "di luar kewenangan layanan; diarahkan ke lembaga lain")
                provider, reason, done, outcome = rng.choice(
                    [r for r in routes if r[0] != provider]
                )
                referral = run.refer(provider, reason)
            elif turn < 0.12 and not sexual:
                run.cancel(referral, "klien pindah ke luar daerah")
                run.close(_O.MOVED_AWAY, "klien pindah domisili")
                return run
            run.accept(referral)
            if rng.random() < 0.4:
                run.follow_referral(referral, "tindak lanjut lewat telepon dengan petugas layanan")
            run.complete(referral, done)
            if sexual and case.category is CaseCategory.VIOLENCE:
                self._through_the_legal_process(run)  # open until the year ends
            run.follow_up(rng.randint(14, 30), "kunjungan pemantauan")
            run.done(1, low=0, high=0)
            if rng.random() < 0.12:  # the next visit never happened: overdue if its day passed
                return run
            due = run.case.next_follow_up
            run.follow_up(None, "pemantauan terakhir; kebutuhan terpenuhi", on=due)
            run.close(outcome, _closing_note(run.case, provider))
        except _YearEnd:
            pass
        return run

    def _through_the_legal_process(self, run: _CaseRun) -> None:
        """Sexual violence: reported to the Unit PPA, and accompanied, visit after visit,
        while the legal process runs: a stage, not an outcome, so the case stays open."""
        referral = run.refer("ppa-polres-lotim", "laporan polisi (UU TPKS)")
        run.accept(referral, low=0, high=2)
        run.legal(LegalStage.REPORTED_TO_POLICE, "laporan polisi dibuat; korban didampingi")
        run.complete(referral, "laporan diterima; penyidikan dimulai", low=1, high=5)
        run.legal(LegalStage.INVESTIGATION, "saksi diperiksa", low=14, high=40)
        run.follow_up(30, "pendampingan selama proses hukum")
        run.done(1, low=0, high=0)
        while True:  # monthly visits until the year ends (`_YearEnd`)
            run.follow_up(30, "pendampingan selama proses hukum", on=run.case.next_follow_up)


def _child_when_reported(case: Case) -> bool:
    """Under 18 on the report date: consent is then a caregiver's. (`Case.is_child` is
    the age at the incident, which for a planned marriage lies ahead.)"""
    age = case.age_at(case.reported_on)
    return age is not None and age < 18


def _closing_note(case: Case, provider: str) -> str:
    """A sexual-violence case (a child marriage of a child under 18 is one) closes after a
    referral to the UPTD PPA or the police, or says why it had none (UU TPKS)."""
    if not case.is_sexual_violence:
        return ""
    if core_code("service_kind", _KIND_OF[provider]) in REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE:
        return ""
    return (
        "tidak dirujuk ke UPTD PPA atau polisi: keluarga memilih konseling; perkawinan "
        "dicegah sebelum terjadi dan anak tetap dipantau kader"
    )


# ---------------------------------------------------------- cases told in full

_V = ViolenceForm
#: The event shared by the cases of four pupils of one ustaz: GBVIMS counts four
#: incidents (one per survivor), the KK one event.
PONDOK_INCIDENT = "kejadian-2025-pondok-01"
#: (reported on, age, channel, reporter, hamlet, abused on) of each pupil, in order.
_PONDOK_PUPILS = (
    (date(YEAR, 7, 1), 13, IntakeChannel.SAPA_129, Reporter.FAMILY, "tanak-beak",
     date(YEAR, 6, 27)),
    (date(YEAR, 7, 3), 12, IntakeChannel.OUTREACH_VISIT, Reporter.KK_MEMBER, "bagek-nunggal",
     date(YEAR, 6, 20)),
    (date(YEAR, 7, 3), 14, IntakeChannel.OUTREACH_VISIT, Reporter.FAMILY, "teros-daya",
     date(YEAR, 6, 24)),
    (date(YEAR, 7, 8), 13, IntakeChannel.PHONE, Reporter.FAMILY, "tuntang", date(YEAR, 6, 27)),
)  # fmt: skip


class _Stories(_Cases):
    """Cases told in full, each showing a rule of the model on a realistic case.

    Each story is a method taking the case id; its docstring says what it shows.
    """

    @staticmethod
    def _case(
        case_id: str,
        reported: date,
        channel: IntakeChannel,
        category: CaseCategory,
        subject: Subject,
        **details: object,
    ) -> Case:
        """A case of the Teros KK (``details``: the keyword fields of `Case`)."""
        return Case(
            case_id, GROUP_ID, VILLAGE_CODE, reported, channel, category, subject, **details
        )

    def _start_story(self, case: Case, actor: str, hour: int = 9) -> _CaseRun:
        run = _CaseRun(self.services, case, _Clock(self.rng, _at(case.reported_on, hour)), actor)
        run.record()
        return run

    def father_harms_a_child(self, case_id: str) -> _CaseRun:
        """A girl of 11 hurt by her father while her mother works abroad. The father
        cannot consent and the child cannot wait: the chair approves a referral to the
        UPTD PPA by override the same day; the next day her grandmother, another trusted
        adult, consents with the girl's assent to the visum and the police report. The
        case stays open, the father on trial."""
        reported = date(YEAR, 3, 11)
        case = self._case(
            case_id, reported, IntakeChannel.SCHOOL, CaseCategory.VIOLENCE,
            self.born(Sex.FEMALE, 11, reported, hamlet=_h("tuntang"), initials="N.A."),
            reporter=Reporter.SCHOOL,
            violence=ViolenceIncident(
                {_V.PHYSICAL, _V.PSYCHOLOGICAL}, "household", occurred_on=date(YEAR, 3, 10),
                perpetrators=[Perpetrator("parent", sex=Sex.MALE, age_years=41,
                                          is_caregiver=True)],
            ),
            summary="laporan wali kelas: memar di lengan dan punggung; ibu bekerja di luar negeri",
        )  # fmt: skip
        run = self._start_story(case, _m("m13"), hour=8)
        run.assign(_m("m08"), on=reported)
        needs = {_N.SAFETY, _N.HEALTH, _N.PSYCHOSOCIAL, _N.LEGAL, _N.SHELTER}
        run.assess(RiskLevel.HIGH, needs, "luka baru; ayah masih serumah", on=reported)
        uptd = run.refer(
            "uptd-ppa-lotim",
            "perlindungan anak darurat",
            override=OverrideReason.CHILD_AT_RISK,
            override_note="luka baru; ayah masih serumah; ibu bekerja di luar negeri",
            approved_by=_m("m01"),
            on=reported,
        )
        run.plan(
            [
                ("anak tinggal sementara di rumah nenek", _m("m08"), 1, "uptd_ppa"),
                ("visum di RSUD", _m("m13"), 3, "rsud_visum"),
                ("laporan ke Unit PPA Polres", _m("m08"), 7, "police_ppa"),
                ("pantau kehadiran di sekolah", _m("m16"), 30, "school"),
            ],
            on=reported,
        )
        run.accept(uptd, on=date(YEAR, 3, 12))
        run.consent(
            ConsentGiver.OTHER_TRUSTED_ADULT,
            {"uptd_ppa", "rsud_visum", "police_ppa", "school"},
            note="nenek dari pihak ibu, yang kini mengasuh; ibu menyetujui lewat panggilan video",
            on=date(YEAR, 3, 12),
        )
        run.done(0, on=date(YEAR, 3, 12))
        visum = run.refer("rsud-selong", "visum et repertum", on=date(YEAR, 3, 13))
        run.accept(visum, on=date(YEAR, 3, 13))
        run.complete(visum, "visum selesai; luka memar dirawat", on=date(YEAR, 3, 14))
        run.done(1, on=date(YEAR, 3, 14))
        police = run.refer("ppa-polres-lotim", "laporan polisi", on=date(YEAR, 3, 17))
        run.accept(police, on=date(YEAR, 3, 17))
        run.legal(LegalStage.REPORTED_TO_POLICE, "laporan diterima", on=date(YEAR, 3, 17))
        run.done(2, on=date(YEAR, 3, 17))
        run.complete(police, "laporan diterima; penyidikan berjalan", on=date(YEAR, 3, 24))
        run.legal(LegalStage.INVESTIGATION, "ayah diperiksa penyidik", on=date(YEAR, 4, 8))
        run.done(3, on=date(YEAR, 4, 10))
        run.follow_referral(uptd, "asesmen psikologis di UPTD PPA", on=date(YEAR, 4, 15))
        run.complete(uptd, "anak aman di rumah nenek; konseling selesai", on=date(YEAR, 5, 20))
        run.risk(RiskLevel.MEDIUM, "anak aman di rumah nenek; ayah ditahan", on=date(YEAR, 5, 21))
        run.legal(LegalStage.PROSECUTION, "berkas dilimpahkan ke kejaksaan", on=date(YEAR, 8, 12))
        run.legal(LegalStage.TRIAL, "sidang di PN Selong; anak didampingi", on=date(YEAR, 10, 21))
        run.follow_up(30, "anak bersekolah; nenek dan ibu dihubungi", on=date(YEAR, 12, 9))
        return run

    def best_interest_for_a_small_child(self, case_id: str) -> _CaseRun:
        """A boy of 4 neglected by his stepmother while his father works in Malaysia: no
        caregiver who may consent, no other relative in the village, so the Pengaduan
        coordinator records a best-interest decision with its reason. Neglect of a small
        child by its caregivers is child protection, not GBV: GBVIMS Non-GBV."""
        reported = date(YEAR, 4, 8)
        case = self._case(
            case_id, reported, IntakeChannel.POSYANDU, CaseCategory.VIOLENCE,
            self.born(Sex.MALE, 4, reported, hamlet=_h("bagek-nunggal"), initials="R.H."),
            reporter=Reporter.HEALTH_WORKER,
            violence=ViolenceIncident(
                {_V.NEGLECT}, "household", occurred_on=date(YEAR, 4, 7),
                perpetrators=[Perpetrator("stepparent", sex=Sex.FEMALE, age_years=27,
                                          is_caregiver=True)],
            ),
            summary="berat badan di bawah garis merah; anak sering ditinggal sendiri",
        )  # fmt: skip
        run = self._start_story(case, _m("m13"), hour=10)
        run.assign(_m("m13"), on=reported)
        run.assess(RiskLevel.HIGH, {_N.HEALTH, _N.SHELTER, _N.SAFETY}, "gizi kurang", on=reported)
        run.consent(
            ConsentGiver.BEST_INTEREST,
            {"puskesmas", "sakti_peksos"},
            note=(
                "ayah bekerja di Malaysia dan belum dapat dihubungi; ibu tiri yang mengasuh "
                "terlibat penelantaran; tidak ada kerabat dewasa lain di desa"
            ),
            approved_by=_m("m08"),
            on=reported,
        )
        run.plan(
            [
                ("pemulihan gizi di Puskesmas", _m("m13"), 7, "puskesmas"),
                ("asesmen pengasuhan oleh Sakti Peksos", _m("m08"), 21, "sakti_peksos"),
            ],
            on=reported,
        )
        health = run.refer("pkm-labuhan-haji", "pemulihan gizi (PMT) dan pemeriksaan",
                           on=date(YEAR, 4, 9))  # fmt: skip
        run.accept(health, on=date(YEAR, 4, 9))
        run.done(0, on=date(YEAR, 4, 10))
        care = run.refer("sakti-peksos-lotim", "asesmen pengasuhan anak", on=date(YEAR, 4, 14))
        run.accept(care, on=date(YEAR, 4, 17))
        run.done(1, on=date(YEAR, 4, 25))
        run.complete(care, "anak diasuh nenek dari pihak ayah", on=date(YEAR, 5, 12))
        run.complete(health, "PMT 90 hari selesai; berat badan naik", on=date(YEAR, 7, 10))
        run.note("ayah pulang dari Malaysia dan kembali mengasuh", on=date(YEAR, 8, 18))
        run.follow_up(30, "tumbuh kembang dipantau di Posyandu", on=date(YEAR, 8, 19))
        run.follow_up(None, "berat badan normal; pengasuhan baik", on=date(YEAR, 9, 18))
        run.close(_O.SERVICE_RECEIVED, on=date(YEAR, 9, 22))
        return run

    def pondok_pupil(self, case_id: str, pupil: int) -> _CaseRun:
        """One of four pupils of a pondok pesantren abused by the same ustaz: four cases
        sharing one incident id. The first came through SAPA 129 (her mother called the
        hotline; the UPTD PPA called the KK), the others through the KK's outreach after
        it. A joint police report; the ustaz on trial by year end; one family moves to
        Mataram and the KK hands the girl over to the UPTD PPA there."""
        reported, age, channel, reporter, hamlet, abused = _PONDOK_PUPILS[pupil]
        case = self._case(
            case_id, reported, channel, CaseCategory.VIOLENCE,
            self.born(Sex.FEMALE, age, abused, hamlet=_h(hamlet)),
            reporter=reporter,
            violence=ViolenceIncident(
                {_V.SEXUAL, _V.PSYCHOLOGICAL}, "pondok_pesantren", occurred_on=abused,
                perpetrators=[Perpetrator("ustaz", sex=Sex.MALE, age_years=45)],
                tpks_forms={TpksForm.CHILD_INDECENT_ASSAULT}, penetration=Penetration.NO,
                incident_id=PONDOK_INCIDENT,
            ),
            summary="santriwati; pencabulan oleh ustaz di pondok pesantren",
        )  # fmt: skip
        companion = _m("m02") if pupil < 2 else _m("m14")
        run = self._start_story(case, _m("m08"), hour=10)
        run.assign(companion, on=reported)
        needs = {_N.SAFETY, _N.PSYCHOSOCIAL, _N.LEGAL, _N.EDUCATION}
        run.assess(RiskLevel.HIGH, needs, "anak takut kembali ke pondok", on=reported)
        run.consent(
            ConsentGiver.PARENT,
            {"uptd_ppa", "police_ppa", "rsud_visum", "kemenag", "lpsk"},
            on=reported,
        )
        run.plan(
            [
                ("pendampingan psikolog UPTD PPA", companion, 7, "uptd_ppa"),
                ("laporan bersama ke Unit PPA Polres", _m("m08"), 10, "police_ppa"),
                ("pindah ke madrasah lain", companion, 45, "kemenag"),
            ],
            on=reported,
        )
        uptd = run.refer("uptd-ppa-lotim", "pendampingan psikologis korban", on=reported)
        run.accept(uptd, on=date(YEAR, 7, 8))
        police = run.refer("ppa-polres-lotim", "laporan bersama empat korban",
                           on=date(YEAR, 7, 9))  # fmt: skip
        run.accept(police, on=date(YEAR, 7, 9))
        run.legal(LegalStage.REPORTED_TO_POLICE, "laporan bersama", on=date(YEAR, 7, 9))
        run.done(1, on=date(YEAR, 7, 9))
        run.complete(police, "laporan diterima; ustaz ditahan", on=date(YEAR, 7, 16))
        run.legal(LegalStage.INVESTIGATION, "anak diperiksa di ruang khusus",
                  on=date(YEAR, 7, 22))  # fmt: skip
        school = run.refer("kemenag-lotim", "pindah ke madrasah lain", on=date(YEAR, 7, 24))
        run.accept(school, on=date(YEAR, 7, 28))
        run.complete(school, "diterima di MTs dekat rumah", on=date(YEAR, 8, 11))
        run.done(2, on=date(YEAR, 8, 11))
        run.complete(uptd, "konseling psikolog selesai", on=date(YEAR, 9, 5))
        run.done(0, on=date(YEAR, 9, 5))
        if pupil == 2:
            run.note("keluarga pindah ke Kota Mataram", on=date(YEAR, 9, 15))
            run.close(
                _O.MOVED_AWAY,
                "diserahkan ke UPTD PPA Kota Mataram; anak tetap saksi dalam perkara",
                on=date(YEAR, 9, 22),
            )
            return run
        if pupil == 0:  # restitution (UU TPKS): the LPSK assesses it; still open at year end
            lpsk = run.refer("lpsk", "permohonan restitusi", on=date(YEAR, 9, 10))
            run.accept(lpsk, on=date(YEAR, 9, 24))
        run.legal(LegalStage.PROSECUTION, "berkas P21", on=date(YEAR, 9, 30))
        run.legal(LegalStage.TRIAL, "sidang tertutup di PN Selong", on=date(YEAR, 10, 28))
        run.follow_up(30, "anak didampingi saat sidang", on=date(YEAR, 11, 11))
        run.follow_up(35, "anak rutin bersekolah", on=date(YEAR, 12, 10))
        return run

    def merariq_then_belas(self, case_id: str) -> _CaseRun:
        """One case about one child: a girl of 15 taken in *merariq* by her boyfriend,
        who hit her when she wanted to go home; she had stopped going to school. Primary
        category child marriage, secondary issues violence and school dropout. The
        hamlet heads of both sides separated the pair (*belas*) on 19 May; the KK
        recorded the case that evening and took her back to school."""
        eloped, reported = date(YEAR, 5, 17), date(YEAR, 5, 19)
        case = self._case(
            case_id, reported, IntakeChannel.PHONE, CaseCategory.CHILD_MARRIAGE,
            self.born(Sex.FEMALE, 15, eloped, hamlet=_h("teros-lauk"), initials="S.M."),
            reporter=Reporter.HAMLET_HEAD,
            issues={CaseCategory.VIOLENCE, CaseCategory.SCHOOL_DROPOUT},
            child_marriage=ChildMarriage(
                event_on=eloped,
                parties=[MarriageParty(MarriageRole.BRIDE, age_years=15, is_subject=True),
                         MarriageParty(MarriageRole.GROOM, age_years=19)],
                routes={MarriageRoute.MERARIQ},
                result=ChildMarriageResult.SEPARATED,
            ),
            violence=ViolenceIncident(
                {_V.PHYSICAL}, "household", occurred_on=date(YEAR, 5, 18),
                perpetrators=[Perpetrator("boyfriend", sex=Sex.MALE, age_years=19)],
            ),
            summary="merariq dua hari; belas oleh kadus kedua pihak; berhenti sekolah sejak April",
        )  # fmt: skip
        run = self._start_story(case, _m("m11"), hour=19)
        run.assign(_m("m11"), on=reported)
        run.assess(
            RiskLevel.MEDIUM, {_N.EDUCATION, _N.PSYCHOSOCIAL, _N.SAFETY}, on=date(YEAR, 5, 20)
        )
        run.consent(ConsentGiver.PARENT, {"uptd_ppa", "school", "puskesmas"}, on=date(YEAR, 5, 20))
        run.plan(
            [
                ("konseling anak di UPTD PPA", _m("m11"), 14, "uptd_ppa"),
                ("kembali ke SMP pada tahun ajaran baru", _m("m14"), 60, "school"),
            ],
            on=date(YEAR, 5, 20),
        )
        uptd = run.refer("uptd-ppa-lotim", "konseling anak dan keluarga", on=date(YEAR, 5, 21))
        run.accept(uptd, on=date(YEAR, 5, 23))
        run.complete(uptd, "konseling selesai", on=date(YEAR, 6, 20))
        run.done(0, on=date(YEAR, 6, 20))
        school = run.refer("smpn-labuhan-haji", "kembali ke kelas 9", on=date(YEAR, 7, 7))
        run.accept(school, on=date(YEAR, 7, 14))
        run.complete(school, "anak kembali bersekolah di kelas 9", on=date(YEAR, 7, 21))
        run.done(1, on=date(YEAR, 7, 21))
        run.follow_up(30, "anak rutin bersekolah", on=date(YEAR, 7, 22))
        run.follow_up(None, "kunjungan akhir", on=date(YEAR, 8, 21))
        run.close(_O.RETURNED_TO_SCHOOL, on=date(YEAR, 9, 1))
        return run

    def siri_after_a_refused_dispensation(self, case_id: str) -> _CaseRun:
        """A girl of 16 married *siri* after eloping, the KUA refusing to register the
        marriage and the Pengadilan Agama refusing the dispensation; pregnant, out of
        school. Found at the Posyandu. Still open, and overdue, on 31 December: she
        moved to her husband's family and the December visit did not happen."""
        married, reported = date(YEAR, 1, 25), date(YEAR, 3, 10)
        case = self._case(
            case_id, reported, IntakeChannel.POSYANDU, CaseCategory.CHILD_MARRIAGE,
            self.born(Sex.FEMALE, 16, married, hamlet=_h("tanak-beak"), initials="H.W."),
            reporter=Reporter.HEALTH_WORKER,
            issues={CaseCategory.SCHOOL_DROPOUT},
            child_marriage=ChildMarriage(
                event_on=married,
                parties=[MarriageParty(MarriageRole.BRIDE, age_years=16, is_subject=True),
                         MarriageParty(MarriageRole.GROOM, age_years=20)],
                routes={MarriageRoute.MERARIQ, MarriageRoute.KUA_REFUSED,
                        MarriageRoute.DISPENSATION, MarriageRoute.NIKAH_SIRI},
                court=MarriageCourt.PENGADILAN_AGAMA,
                dispensation=DispensationResult.REFUSED,
                result=ChildMarriageResult.MARRIED_UNREGISTERED,
            ),
            summary="hamil empat bulan; menikah siri setelah dispensasi ditolak",
        )  # fmt: skip
        run = self._start_story(case, _m("m13"), hour=10)
        run.assign(_m("m13"), on=reported)
        needs = {_N.HEALTH, _N.EDUCATION, _N.DOCUMENTS, _N.PSYCHOSOCIAL}
        run.assess(RiskLevel.MEDIUM, needs, on=reported)
        run.consent(ConsentGiver.PARENT, {"puskesmas", "pkbm", "dp3akb"}, on=reported)
        run.plan(
            [
                ("pemeriksaan kehamilan rutin", _m("m13"), 14, "puskesmas"),
                ("daftar kejar paket di PKBM", _m("m13"), 150, "pkbm"),
                ("konseling keluarga di DP3AKB", _m("m08"), 30, "dp3akb"),
            ],
            on=reported,
        )
        anc = run.refer("pkm-labuhan-haji", "pemeriksaan kehamilan (ANC)", on=date(YEAR, 3, 11))
        run.accept(anc, on=date(YEAR, 3, 11))
        run.complete(anc, "ANC rutin; ikut kelas ibu hamil", on=date(YEAR, 3, 20))
        run.done(0, on=date(YEAR, 3, 20))
        uptd = run.refer("dp3akb-lotim", "konseling pasangan usia anak", on=date(YEAR, 3, 24))
        run.accept(uptd, on=date(YEAR, 3, 27))
        run.complete(uptd, "konseling selesai", on=date(YEAR, 4, 8))
        run.done(2, on=date(YEAR, 4, 8))
        run.note("melahirkan di Puskesmas dengan selamat", on=date(YEAR, 7, 22))
        school = run.refer("pkbm-labuhan-haji", "kejar paket B", on=date(YEAR, 8, 4))
        run.accept(school, on=date(YEAR, 8, 6))
        run.done(1, on=date(YEAR, 8, 6))
        run.follow_up(30, "ikut kelas Paket B dua kali seminggu", on=date(YEAR, 8, 6))
        run.follow_up(30, "bayi sehat; imunisasi lengkap", on=date(YEAR, 9, 5))
        run.follow_up(30, "tinggal di rumah keluarga suami di dusun lain", on=date(YEAR, 11, 3))
        return run

    def dispensation_granted_at_18(self, case_id: str) -> _CaseRun:
        """A bride of 18: under the legal age of 19 (UU 16/2019), so a child marriage
        case, but not a child: GBVIMS does not count it as a forced marriage. The
        Pengadilan Agama granted the dispensation; the KUA sent the couple to the KK."""
        married, reported = date(YEAR, 8, 22), date(YEAR, 8, 25)
        case = self._case(
            case_id, reported, IntakeChannel.REFERRAL_IN, CaseCategory.CHILD_MARRIAGE,
            self.born(Sex.FEMALE, 18, married, hamlet=_h("lendang-bajur"), initials="L.A."),
            reporter=Reporter.OTHER_BODY,
            child_marriage=ChildMarriage(
                event_on=married,
                parties=[MarriageParty(MarriageRole.BRIDE, age_years=18, is_subject=True),
                         MarriageParty(MarriageRole.GROOM, age_years=22)],
                routes={MarriageRoute.KUA_REFUSED, MarriageRoute.DISPENSATION,
                        MarriageRoute.PREGNANCY},
                court=MarriageCourt.PENGADILAN_AGAMA,
                dispensation=DispensationResult.GRANTED,
                result=ChildMarriageResult.MARRIED_REGISTERED,
            ),
            summary="rujukan KUA setelah dispensasi dikabulkan; hamil",
        )  # fmt: skip
        run = self._start_story(case, _m("m07"), hour=11)
        run.assign(_m("m22"), on=reported)
        run.assess(RiskLevel.LOW, {_N.HEALTH, _N.EDUCATION}, on=date(YEAR, 8, 26))
        run.consent(ConsentGiver.SELF, {"puskesmas", "pkbm"}, on=date(YEAR, 8, 26))
        run.plan(
            [
                ("pemeriksaan kehamilan rutin", _m("m22"), 14, "puskesmas"),
                ("daftar Paket C di PKBM", _m("m22"), 45, "pkbm"),
            ],
            on=date(YEAR, 8, 26),
        )
        anc = run.refer("pkm-labuhan-haji", "pemeriksaan kehamilan (ANC)", on=date(YEAR, 8, 27))
        run.accept(anc, on=date(YEAR, 8, 28))
        run.complete(anc, "ANC rutin", on=date(YEAR, 9, 8))
        run.done(0, on=date(YEAR, 9, 8))
        school = run.refer("pkbm-labuhan-haji", "kejar paket C", on=date(YEAR, 9, 15))
        run.accept(school, on=date(YEAR, 9, 18))
        run.complete(school, "terdaftar di program Paket C", on=date(YEAR, 10, 1))
        run.done(1, on=date(YEAR, 10, 1))
        run.close(_O.SERVICE_RECEIVED, on=date(YEAR, 10, 20))
        return run

    def prevented_before_the_akad(self, case_id: str) -> _CaseRun:
        """A girl of 14 to be married to a boy of 17 by arrangement of the families: the
        head teacher, the hamlet head and the KK talked the families out of it before the
        akad, and the school reported the case for follow-up. Closed as prevented; it
        was not referred to the UPTD PPA, and the closing note says why."""
        reported, planned = date(YEAR, 10, 6), date(YEAR, 10, 12)
        case = self._case(
            case_id, reported, IntakeChannel.SCHOOL, CaseCategory.CHILD_MARRIAGE,
            self.born(Sex.FEMALE, 14, planned, hamlet=_h("teros-daya"), initials="Y.R."),
            reporter=Reporter.SCHOOL,
            child_marriage=ChildMarriage(
                event_on=planned,
                parties=[MarriageParty(MarriageRole.BRIDE, age_years=14, is_subject=True),
                         MarriageParty(MarriageRole.GROOM, age_years=17)],
                routes={MarriageRoute.ARRANGED},
            ),
            summary="akad direncanakan 12 Oktober; dibatalkan setelah musyawarah keluarga",
        )  # fmt: skip
        run = self._start_story(case, _m("m09"), hour=13)
        run.assign(_m("m16"), on=reported)
        run.assess(RiskLevel.MEDIUM, {_N.EDUCATION, _N.PSYCHOSOCIAL}, on=reported)
        run.consent(ConsentGiver.PARENT, {"kua", "uptd_ppa", "school"}, on=date(YEAR, 10, 7))
        run.plan(
            [
                ("bimbingan keluarga di KUA", _m("m16"), 10, "kua"),
                ("pantau kehadiran di sekolah", _m("m14"), 30, "school"),
            ],
            on=date(YEAR, 10, 7),
        )
        kua = run.refer("kua-labuhan-haji", "bimbingan keluarga: usia perkawinan 19 tahun",
                        on=date(YEAR, 10, 8))  # fmt: skip
        run.accept(kua, on=date(YEAR, 10, 9))
        run.complete(kua, "kedua keluarga sepakat menunda", on=date(YEAR, 10, 16))
        run.done(0, on=date(YEAR, 10, 16))
        assert run.case.child_marriage is not None
        prevented = attrs.evolve(run.case.child_marriage, result=ChildMarriageResult.PREVENTED)
        run.update({"child_marriage": prevented}, "akad dibatalkan", on=date(YEAR, 10, 16))
        run.follow_up(30, "anak rutin bersekolah", on=date(YEAR, 10, 17))
        run.done(1, on=date(YEAR, 11, 6))
        run.close(
            _O.MARRIAGE_PREVENTED,
            "tidak dirujuk ke UPTD PPA: perkawinan dicegah sebelum terjadi; keluarga dibina "
            "KUA dan tokoh agama, anak dipantau sekolah",
            on=date(YEAR, 11, 17),
        )
        return run

    def refusal_and_imminent_danger(self, case_id: str) -> _CaseRun:
        """A woman threatened with a machete by her husband refuses any referral that
        night. An adult's refusal gives way only to imminent danger to life: the chair
        approves calling the village police officer by override. Two days later she
        consents herself; she later moves to her parents in Lombok Tengah."""
        reported = date(YEAR, 6, 14)
        case = self._case(
            case_id, reported, IntakeChannel.PHONE, CaseCategory.VIOLENCE,
            self.adult(Sex.FEMALE, 29, reported, hamlet=_h("tuntang"), initials="M.", identity=False),
            reporter=Reporter.NEIGHBOUR,
            violence=ViolenceIncident(
                {_V.PHYSICAL, _V.PSYCHOLOGICAL}, "household", occurred_on=reported,
                perpetrators=[Perpetrator("spouse", sex=Sex.MALE, age_years=34)],
            ),
            summary="tetangga melapor: suami mengancam dengan parang",
        )  # fmt: skip
        run = self._start_story(case, _m("m09"), hour=20)
        run.assign(_m("m09"), on=reported)
        needs = {_N.SAFETY, _N.HEALTH, _N.SHELTER, _N.LEGAL, _N.PSYCHOSOCIAL}
        run.assess(RiskLevel.HIGH, needs, "ancaman pembunuhan dengan senjata tajam", on=reported)
        run.consent(ConsentGiver.NONE, note="korban takut dan menolak dirujuk", on=reported)
        police = run.refer(
            "bhabinkamtibmas-teros",
            "pengamanan korban dan anak",
            override=OverrideReason.IMMINENT_DANGER,
            override_note="suami mengancam membunuh dengan parang malam ini",
            approved_by=_m("m01"),
            on=reported,
        )
        run.accept(police, on=reported)
        run.complete(police, "suami diamankan ke Polsek; korban dan anak aman",
                     on=date(YEAR, 6, 15))  # fmt: skip
        run.consent(ConsentGiver.SELF, {"puskesmas", "uptd_ppa", "police_ppa", "legal_aid"},
                    on=date(YEAR, 6, 16))  # fmt: skip
        run.plan(
            [
                ("visum dan perawatan luka", _m("m09"), 2, "puskesmas"),
                ("rumah aman dan konseling UPTD PPA", _m("m08"), 7, "uptd_ppa"),
                ("laporan polisi bila klien siap", _m("m09"), 21, "police_ppa"),
            ],
            on=date(YEAR, 6, 16),
        )
        health = run.refer("pkm-labuhan-haji", "visum dan perawatan luka", on=date(YEAR, 6, 16))
        run.accept(health, on=date(YEAR, 6, 16))
        run.complete(health, "luka dirawat; visum dibuat", on=date(YEAR, 6, 17))
        run.done(0, on=date(YEAR, 6, 17))
        uptd = run.refer("uptd-ppa-lotim", "rumah aman dan konseling", on=date(YEAR, 6, 18))
        run.accept(uptd, on=date(YEAR, 6, 18))
        run.done(1, on=date(YEAR, 6, 19))
        report = run.refer("ppa-polres-lotim", "laporan KDRT (UU PKDRT)", on=date(YEAR, 6, 24))
        run.accept(report, on=date(YEAR, 6, 24))
        run.legal(LegalStage.REPORTED_TO_POLICE, "laporan KDRT", on=date(YEAR, 6, 24))
        run.done(2, on=date(YEAR, 6, 24))
        run.complete(report, "laporan diterima; penyidikan berjalan", on=date(YEAR, 7, 1))
        run.legal(LegalStage.INVESTIGATION, "suami ditetapkan tersangka", on=date(YEAR, 7, 15))
        run.complete(uptd, "konseling selesai; klien tinggal dengan orang tua",
                     on=date(YEAR, 7, 25))  # fmt: skip
        run.note("klien pindah ke rumah orang tuanya di Lombok Tengah", on=date(YEAR, 9, 2))
        run.close(
            _O.MOVED_AWAY,
            "pendampingan dilanjutkan UPTD PPA Lombok Tengah; perkara tetap berjalan",
            on=date(YEAR, 9, 10),
        )
        return run

    def diversion_for_a_child_perpetrator(self, case_id: str) -> _CaseRun:
        """A young woman of 19, in her last year at the SMK, groped by a schoolmate of 16
        on her way home. Sexual violence is never settled outside court (UU TPKS Art. 23)
        except a child perpetrator's case, diverted under UU SPPA when the offence carries
        under 7 years (physical sexual harassment of an adult, UU TPKS Art. 6a: 4 years;
        had she been a child, UU 35/2014 Art. 82 and no diversion): the police, the Bapas,
        a social worker and the families agree on diversion, and the case closes with it."""
        reported = date(YEAR, 9, 4)
        case = self._case(
            case_id, reported, IntakeChannel.SCHOOL, CaseCategory.VIOLENCE,
            self.born(Sex.FEMALE, 19, reported, hamlet=_h("lendang-bajur"), initials="D.P."),
            reporter=Reporter.SCHOOL,
            violence=ViolenceIncident(
                {_V.SEXUAL}, "public_facility", occurred_on=date(YEAR, 9, 3),
                perpetrators=[Perpetrator("friend", sex=Sex.MALE, age_years=16)],
                tpks_forms={TpksForm.PHYSICAL_HARASSMENT}, penetration=Penetration.NO,
            ),
            summary="laporan guru BK: pelecehan di jalan pulang sekolah",
        )  # fmt: skip
        run = self._start_story(case, _m("m19"), hour=11)
        run.assign(_m("m14"), on=reported)
        run.assess(RiskLevel.MEDIUM, {_N.PSYCHOSOCIAL, _N.SAFETY, _N.LEGAL}, on=reported)
        run.consent(ConsentGiver.SELF, {"uptd_ppa", "police_ppa"}, on=date(YEAR, 9, 5))
        run.plan(
            [
                ("konseling di UPTD PPA", _m("m14"), 14, "uptd_ppa"),
                ("laporan ke Unit PPA Polres", _m("m08"), 7, "police_ppa"),
            ],
            on=date(YEAR, 9, 5),
        )
        uptd = run.refer("uptd-ppa-lotim", "konseling korban", on=date(YEAR, 9, 5))
        police = run.refer("ppa-polres-lotim", "laporan polisi; pelaku anak",
                           on=date(YEAR, 9, 8))  # fmt: skip
        run.accept(uptd, on=date(YEAR, 9, 8))
        run.accept(police, on=date(YEAR, 9, 8))
        run.legal(LegalStage.REPORTED_TO_POLICE, "laporan diterima", on=date(YEAR, 9, 8))
        run.done(1, on=date(YEAR, 9, 8))
        run.complete(police, "pelaku anak ditangani menurut UU SPPA", on=date(YEAR, 9, 15))
        run.legal(
            LegalStage.DIVERSION,
            "kesepakatan diversi bersama Bapas, pekerja sosial dan keluarga korban: "
            "pelaku anak mengikuti pembinaan di LPKS tiga bulan",
            on=date(YEAR, 10, 2),
        )
        run.complete(uptd, "konseling selesai", on=date(YEAR, 10, 10))
        run.done(0, on=date(YEAR, 10, 10))
        run.close(_O.DIVERSION, on=date(YEAR, 10, 14))
        return run

    def rape_followed_to_the_verdict(self, case_id: str) -> _CaseRun:
        """A girl of 15 raped by her uncle. The wider family asks for a settlement *secara
        kekeluargaan*; the KK explains it is not allowed (UU TPKS Art. 23) and accompanies
        her through the legal process to the verdict, with legal aid and the LPSK for
        restitution. Closed after the verdict."""
        reported = date(YEAR, 1, 20)
        case = self._case(
            case_id, reported, IntakeChannel.WALK_IN, CaseCategory.VIOLENCE,
            self.born(Sex.FEMALE, 15, reported, hamlet=_h("teros-daya"), initials="A.F."),
            reporter=Reporter.FAMILY,
            violence=ViolenceIncident(
                {_V.SEXUAL, _V.PSYCHOLOGICAL}, "household", occurred_on=date(YEAR, 1, 18),
                perpetrators=[Perpetrator("family", sex=Sex.MALE, age_years=38)],
                tpks_forms={TpksForm.CHILD_INTERCOURSE}, penetration=Penetration.YES,
            ),
            summary="ibu korban melapor; pelaku paman korban",
        )  # fmt: skip
        run = self._start_story(case, _m("m03"), hour=9)
        run.assign(_m("m02"), on=reported)
        needs = {_N.SAFETY, _N.HEALTH, _N.PSYCHOSOCIAL, _N.LEGAL}
        run.assess(RiskLevel.HIGH, needs, on=reported)
        run.note(
            "keluarga besar meminta diselesaikan secara kekeluargaan; KK menjelaskan UU TPKS "
            "Pasal 23: kekerasan seksual tidak diselesaikan di luar pengadilan",
            on=reported,
        )
        run.consent(ConsentGiver.PARENT,
                    {"uptd_ppa", "police_ppa", "rsud_visum", "legal_aid", "lpsk"},
                    on=date(YEAR, 1, 21))  # fmt: skip
        run.plan(
            [
                ("visum di RSUD", _m("m02"), 2, "rsud_visum"),
                ("laporan ke Unit PPA Polres", _m("m02"), 3, "police_ppa"),
                ("pendampingan psikolog UPTD PPA", _m("m08"), 14, "uptd_ppa"),
                ("bantuan hukum dan restitusi", _m("m02"), 60, "legal_aid"),
            ],
            on=date(YEAR, 1, 21),
        )
        visum = run.refer("rsud-selong", "visum et repertum", on=date(YEAR, 1, 21))
        police = run.refer("ppa-polres-lotim", "laporan polisi", on=date(YEAR, 1, 21))
        run.accept(visum, on=date(YEAR, 1, 21))
        run.accept(police, on=date(YEAR, 1, 21))
        run.legal(LegalStage.REPORTED_TO_POLICE, "laporan diterima", on=date(YEAR, 1, 21))
        run.complete(visum, "visum et repertum dibuat", on=date(YEAR, 1, 22))
        run.done(0, 1, on=date(YEAR, 1, 22))
        uptd = run.refer("uptd-ppa-lotim", "pendampingan psikolog", on=date(YEAR, 1, 22))
        run.accept(uptd, on=date(YEAR, 1, 23))
        run.done(2, on=date(YEAR, 1, 27))
        run.complete(police, "tersangka ditahan", on=date(YEAR, 1, 28))
        run.legal(LegalStage.INVESTIGATION, "korban diperiksa di ruang khusus",
                  on=date(YEAR, 2, 3))  # fmt: skip
        lawyer = run.refer("lbh-apik-ntb", "pendampingan hukum", on=date(YEAR, 2, 10))
        run.accept(lawyer, on=date(YEAR, 2, 14))
        run.done(3, on=date(YEAR, 2, 14))
        run.legal(LegalStage.PROSECUTION, "berkas dilimpahkan", on=date(YEAR, 4, 7))
        lpsk = run.refer(
            "lpsk", "permohonan restitusi dan perlindungan saksi", on=date(YEAR, 4, 14)
        )
        run.complete(uptd, "konseling psikolog selesai", on=date(YEAR, 4, 15))
        run.accept(lpsk, on=date(YEAR, 4, 28))
        run.legal(LegalStage.TRIAL, "sidang tertutup di PN Selong", on=date(YEAR, 5, 20))
        run.complete(lpsk, "restitusi dihitung; korban dilindungi selama sidang",
                     on=date(YEAR, 8, 1))  # fmt: skip
        run.legal(LegalStage.VERDICT, "terdakwa divonis 13 tahun penjara dan restitusi",
                  on=date(YEAR, 8, 12))  # fmt: skip
        run.complete(lawyer, "pendampingan hukum selesai", on=date(YEAR, 8, 20))
        run.follow_up(30, "korban kembali bersekolah", on=date(YEAR, 8, 25))
        run.follow_up(None, "kunjungan akhir", on=date(YEAR, 9, 24))
        run.close(_O.SERVICE_RECEIVED, on=date(YEAR, 9, 30))
        return run

    def a_recruiter_and_a_passport(self, case_id: str) -> _CaseRun:
        """A young woman promised work in Malaysia by an unlicensed recruiter, held in a
        house in Mataram with her passport taken: possible trafficking (a GBVIMS flag),
        economic exploitation (denial of resources). BP3MI and the police; open."""
        reported = date(YEAR, 5, 5)
        case = self._case(
            case_id, reported, IntakeChannel.WALK_IN, CaseCategory.VIOLENCE,
            self.adult(Sex.FEMALE, 21, reported, hamlet=_h("tanak-beak"), initials="W.S."),
            reporter=Reporter.FAMILY,
            violence=ViolenceIncident(
                {_V.TRAFFICKING, _V.EXPLOITATION}, "other", occurred_on=date(YEAR, 4, 28),
                perpetrators=[Perpetrator("other", sex=Sex.MALE, age_band=AgeBand.AGE_25_44)],
                exploitation=ExploitationKind.ECONOMIC,
            ),
            summary="dijanjikan kerja di Malaysia oleh calo tidak resmi; paspor ditahan",
        )  # fmt: skip
        run = self._start_story(case, _m("m07"), hour=10)
        run.assign(_m("m22"), on=reported)
        needs = {_N.SAFETY, _N.LEGAL, _N.DOCUMENTS, _N.ECONOMIC}
        run.assess(RiskLevel.HIGH, needs, on=reported)
        run.consent(ConsentGiver.SELF, {"bp3mi", "police_ppa"}, on=reported)
        run.plan(
            [
                ("laporan ke BP3MI", _m("m22"), 7, "bp3mi"),
                ("laporan polisi (TPPO)", _m("m22"), 30, "police_ppa"),
            ],
            on=reported,
        )
        bp3mi = run.refer("bp3mi-ntb", "pengembalian paspor; laporan calo", on=date(YEAR, 5, 7))
        run.accept(bp3mi, on=date(YEAR, 5, 9))
        run.complete(bp3mi, "paspor dikembalikan; calo dilaporkan", on=date(YEAR, 5, 28))
        run.done(0, on=date(YEAR, 5, 28))
        police = run.refer("ppa-polres-lotim", "laporan TPPO", on=date(YEAR, 5, 30))
        run.accept(police, on=date(YEAR, 6, 2))
        run.legal(LegalStage.REPORTED_TO_POLICE, "laporan TPPO", on=date(YEAR, 6, 2))
        run.done(1, on=date(YEAR, 6, 2))
        run.complete(police, "laporan diterima", on=date(YEAR, 6, 9))
        run.legal(LegalStage.INVESTIGATION, "calo ditetapkan tersangka", on=date(YEAR, 7, 1))
        run.follow_up(56, "klien bekerja di Selong", on=date(YEAR, 11, 20))
        return run

    def photos_spread_online(self, case_id: str) -> _CaseRun:
        """A young woman whose former boyfriend spread intimate photos online: sexual
        violence with no contact (UU TPKS: electronic), psychological abuse in GBVIMS,
        intimate partner violence. She does not want the UPTD PPA or the police; the case
        closes after counselling, with the reason in the closing note."""
        reported = date(YEAR, 11, 3)
        case = self._case(
            case_id, reported, IntakeChannel.PHONE, CaseCategory.VIOLENCE,
            self.adult(Sex.FEMALE, 19, reported, hamlet=_h("teros-daya"), initials="F.",
                       identity=False),
            reporter=Reporter.CLIENT,
            violence=ViolenceIncident(
                {_V.SEXUAL, _V.PSYCHOLOGICAL}, "online", occurred_on=date(YEAR, 10, 30),
                perpetrators=[Perpetrator("former_partner", sex=Sex.MALE, age_years=22)],
                tpks_forms={TpksForm.ELECTRONIC},
            ),
            summary="foto pribadi disebar mantan pacar di media sosial",
        )  # fmt: skip
        run = self._start_story(case, _m("m14"), hour=15)
        run.assign(_m("m14"), on=reported)
        run.assess(RiskLevel.MEDIUM, {_N.PSYCHOSOCIAL, _N.LEGAL}, on=reported)
        run.consent(ConsentGiver.SELF, {"puskesmas"}, note="menolak UPTD PPA dan polisi",
                    on=reported)  # fmt: skip
        run.plan(
            [
                ("konseling psikolog Puskesmas", _m("m14"), 10, "puskesmas"),
                ("laporkan konten ke platform", _m("m19"), 3, None),
            ],
            on=reported,
        )
        run.done(1, on=date(YEAR, 11, 5))
        counsel = run.refer("pkm-labuhan-haji", "konseling psikolog", on=date(YEAR, 11, 5))
        run.accept(counsel, on=date(YEAR, 11, 6))
        run.complete(counsel, "konseling selesai", on=date(YEAR, 11, 28))
        run.done(0, on=date(YEAR, 11, 28))
        run.close(
            _O.RESOLVED,
            "tidak dirujuk ke UPTD PPA atau polisi: klien menolak setelah diberi informasi "
            "hak-haknya (UU TPKS); konten sudah diturunkan platform",
            on=date(YEAR, 12, 5),
        )
        return run

    def declined_then_served(self, case_id: str) -> _CaseRun:
        """A referral declined by one service and taken up by another."""
        reported = date(YEAR, 4, 22)
        case = self._case(
            case_id, reported, IntakeChannel.OUTREACH_VISIT, CaseCategory.DISABILITY_SUPPORT,
            self.adult(Sex.MALE, 46, reported, hamlet=_h("bagek-nunggal"), initials="M.S.",
                       disability={DisabilityDomain.WALKING}),
            reporter=Reporter.KK_MEMBER,
            summary="membutuhkan kursi roda setelah stroke",
        )  # fmt: skip
        run = self._start_story(case, _m("m23"), hour=10)
        run.assign(_m("m23"))
        run.assess(RiskLevel.LOW, {_N.HEALTH, _N.SOCIAL_PROTECTION})
        run.plan([("kursi roda", _m("m23"), 30, "dinas_sosial")])
        run.consent(ConsentGiver.SELF, {"puskesmas", "dinas_sosial"})
        first = run.refer("pkm-labuhan-haji", "permintaan kursi roda")
        run.decline(first, "alat bantu bukan layanan puskesmas; diarahkan ke Dinas Sosial")
        second = run.refer("dinsos-lotim", "permintaan kursi roda (ATENSI)")
        run.accept(second)
        run.follow_referral(second, "menunggu pengadaan alat bantu")
        run.complete(second, "kursi roda diserahkan di rumah klien")
        run.done(0)
        run.close(_O.SERVICE_RECEIVED)
        return run

    def closed_then_reopened(self, case_id: str) -> _CaseRun:
        """A client who left to work abroad, came back, and got the benefit."""
        reported = date(YEAR, 2, 3)
        case = self._case(
            case_id, reported, IntakeChannel.WALK_IN, CaseCategory.SOCIAL_PROTECTION,
            self.adult(Sex.FEMALE, 34, reported, hamlet=_h("lendang-bajur"), initials="R.W."),
            reporter=Reporter.CLIENT, programme=SocialProgramme.PKH.value,
            summary="keluarga miskin belum terdaftar PKH",
        )  # fmt: skip
        run = self._start_story(case, _m("m12"), hour=9)
        run.assign(_m("m22"))
        run.assess(RiskLevel.LOW, {_N.SOCIAL_PROTECTION, _N.ECONOMIC})
        run.plan([("usulan DTSEN dan PKH", _m("m22"), 30, "dinas_sosial")])
        run.consent(ConsentGiver.SELF, {"dinas_sosial", "pkh_companion"})
        first = run.refer("dinsos-lotim", "usulan masuk DTSEN untuk PKH")
        run.accept(first)
        run.cancel(first, "klien berangkat bekerja ke Malaysia; verifikasi tidak dapat dilakukan")
        run.close(_O.UNREACHABLE, "klien bekerja di luar negeri")
        run.reopen("klien kembali dan meminta pendampingan lanjut", low=90, high=120)
        second = run.refer("pkh-labuhan-haji", "usulan ulang kepesertaan PKH")
        run.accept(second)
        run.complete(second, "terdaftar sebagai penerima PKH tahap IV")
        run.done(0)
        run.close(_O.SERVICE_RECEIVED)
        return run


def _cases(rng: random.Random, services: Services, board: Sequence[Member]) -> None:
    """Record the year's cases, numbered in the order they were reported."""
    maker = _Stories(rng, services, board)
    # every category at least once, the rest drawn by weight, on days spread over the year
    categories = list(CaseCategory) + rng.choices(
        list(_CATEGORY_WEIGHTS), weights=list(_CATEGORY_WEIGHTS.values()), k=_RANDOM_CASES - 7
    )
    rng.shuffle(categories)
    first, last = date(YEAR, 1, 2).toordinal(), date(YEAR, 12, 20).toordinal()
    days = sorted(date.fromordinal(rng.randint(first, last)) for _ in categories)
    stories: list[tuple[date, Callable[[str], _CaseRun]]] = [
        (date(YEAR, 1, 20), maker.rape_followed_to_the_verdict),
        (date(YEAR, 2, 3), maker.closed_then_reopened),
        (date(YEAR, 3, 10), maker.siri_after_a_refused_dispensation),
        (date(YEAR, 3, 11), maker.father_harms_a_child),
        (date(YEAR, 4, 8), maker.best_interest_for_a_small_child),
        (date(YEAR, 4, 22), maker.declined_then_served),
        (date(YEAR, 5, 5), maker.a_recruiter_and_a_passport),
        (date(YEAR, 5, 19), maker.merariq_then_belas),
        (date(YEAR, 6, 14), maker.refusal_and_imminent_danger),
        (date(YEAR, 8, 25), maker.dispensation_granted_at_18),
        (date(YEAR, 9, 4), maker.diversion_for_a_child_perpetrator),
        (date(YEAR, 10, 6), maker.prevented_before_the_akad),
        (date(YEAR, 11, 3), maker.photos_spread_online),
    ]
    stories += [
        (reported, functools.partial(maker.pondok_pupil, pupil=n))
        for n, (reported, *_) in enumerate(_PONDOK_PUPILS)
    ]

    def ordinary(category: CaseCategory, day: date) -> Callable[[str], _CaseRun]:
        return lambda case_id: maker.run(maker.new_case(case_id, category, day))

    plan: list[tuple[date, int, Callable[[str], _CaseRun]]] = [
        (day, 1, ordinary(category, day)) for day, category in zip(days, categories, strict=True)
    ]
    plan += [(day, 0, story) for day, story in stories]
    plan.sort(key=lambda item: (item[0], item[1]))
    for number, (_, _, make) in enumerate(plan, start=1):
        make(f"KK-TRS-{YEAR}-{number:03d}")


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


#: (id, name, sector, formed on, member businesses, support as a group, how, hamlet)
_BUSINESS_GROUPS = (
    ("kub-01", "Kelompok Usaha Olahan Pangan Perempuan Teros", "food_processing",
     date(2025, 3, 10), ("b01", "b02", "b07"),
     (_S.MENTORING, _S.PERMIT_PIRT, _S.CAPITAL_BUMDES),
     "kemasan bersama; modal bergulir BUMDes Teros Maju", None),
    ("kub-02", "Kelompok Tenun dan Jahit Lendang Bajur", "handicraft", date(2025, 6, 16),
     ("b03", "b09"), (_S.MENTORING, _S.CAPITAL_COOPERATIVE),
     "pelatihan motif tenun; pinjaman Koperasi Wanita Teros", _h("lendang-bajur")),
)  # fmt: skip


def _economy(services: Services) -> None:
    """Ekonomi: the UMKM the KK helps, what it did for each, and the business groups
    (kelompok usaha) they formed."""
    for bid, name, owner, sex, sector, hamlet, disability in _BUSINESSES:
        services.register_business(
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
        )
    support = enumerate(_SUPPORT, start=1)
    for n, (bid, type_, started, status, completed, member, amount, reference) in support:
        services.record_support(
            SupportAction(
                f"{GROUP_ID}-{bid}-S{n:02d}",
                f"{GROUP_ID}-{bid}",
                type_,
                started,
                status=status,
                completed_on=completed,
                member_id=_m(member),
                amount_rupiah=amount,
                reference=reference,
            )
        )
    for gid, name, sector, formed, members, kinds, note, hamlet in _BUSINESS_GROUPS:
        services.register_business_group(
            BusinessGroup(
                f"{GROUP_ID}-{gid}",
                GROUP_ID,
                name,
                sector,
                formed,
                business_ids={f"{GROUP_ID}-{bid}" for bid in members},
                support=kinds,
                support_note=note,
                hamlet_id=hamlet,
            )
        )


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


def _outreach(services: Services) -> None:
    """Humas: what the KK published and the information sessions it held."""
    for n, (title, topic, channel, day, reach) in enumerate(_PUBLICATIONS, start=1):
        services.put(
            Publication(
                f"{GROUP_ID}-pub-{n:02d}", GROUP_ID, title, topic, channel, day, reach=reach
            )
        )
    for n, (topic, fmt, day, audience, place, hamlet) in enumerate(_SESSIONS, start=1):
        services.put(
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
        )


#: Residents' questions to the information centre (pusat informasi): how often each
#: topic comes (codes of the open ``question_topic`` list), and where the KK sends those
#: it cannot answer itself (None: it answers them all).
_TOPICS: dict[str, tuple[int, str | None]] = {
    "social_assistance": (14, "dinsos-lotim"),
    "dtsen_status": (12, "dinsos-lotim"),
    "health_insurance": (9, "bpjs-kesehatan-selong"),
    "civil_registration": (10, "dukcapil-lotim"),
    "education_support": (6, "dikbud-lotim"),
    "violence_reporting": (3, "uptd-ppa-lotim"),
    "child_marriage": (3, "kua-labuhan-haji"),
    "disability_services": (3, "dinsos-lotim"),
    "business_permits": (6, None),
    "business_capital": (5, None),
    "village_programmes": (4, "pemdes-teros"),
}
_QUESTIONS = 48
_ADULT_BANDS = (AgeBand.AGE_18_24, AgeBand.AGE_25_44, AgeBand.AGE_25_44, AgeBand.AGE_45_59,
                AgeBand.AGE_60_PLUS)  # fmt: skip


def _questions(rng: random.Random, services: Services, board: Sequence[Member]) -> None:
    """The year's questions: no name and no free text, only the topic, the channel, what
    was done with it, and the hamlet, sex and age band the resident agreed to give."""
    takers = [m for m in board if {Division.PUBLIC_RELATIONS, Division.COMPLAINTS} & m.divisions]
    topics = list(_TOPICS)
    weights = [weight for weight, _ in _TOPICS.values()]
    first, last = date(YEAR, 1, 6).toordinal(), date(YEAR, 12, 30).toordinal()
    for n in range(1, _QUESTIONS + 1):
        asked = date.fromordinal(rng.randint(first, last))
        topic = rng.choices(topics, weights=weights)[0]
        provider = _TOPICS[topic][1]
        resolved: date | None = asked + timedelta(days=rng.randint(0, 5))
        turn = rng.random()
        if resolved is None or resolved > AS_OF or turn < 0.06:
            resolution, resolved, provider = QuestionResolution.PENDING, None, None
        elif provider is not None and turn < 0.35:
            resolution = QuestionResolution.REFERRED
        else:
            resolution, provider = QuestionResolution.ANSWERED, None
        member = rng.choice([m.id for m in takers if m.is_active_on(asked)])
        services.record_question(
            ResidentQuestion(
                f"{GROUP_ID}-tanya-{n:03d}",
                GROUP_ID,
                asked,
                topic,
                rng.choice(list(QuestionChannel)),
                resolution=resolution,
                resolved_on=resolved,
                provider_id=provider,
                member_id=member,
                hamlet_id=rng.choices([_h(s) for s, _ in _HAMLETS], weights=_HAMLET_WEIGHTS)[0],
                sex=Sex.FEMALE if rng.random() < 0.65 else Sex.MALE,
                age_band=rng.choice(_ADULT_BANDS),
            )
        )


# ------------------------------------------------------------------------- meetings


def _meeting_id(day: date) -> str:
    return f"{GROUP_ID}-meeting-{day.isoformat()}"


TEROS_MEETING_ID = _meeting_id(date(YEAR, 2, 13))
MUSDUS_TUNTANG = _meeting_id(date(YEAR, 6, 12))
MUSDES_RKPDES = _meeting_id(date(YEAR, 7, 17))
MUSRENBANGDES = _meeting_id(date(YEAR, 9, 11))
MUSDES_AWIG_AWIG = _meeting_id(date(YEAR, 10, 23))


def _attendance(members: Iterable[Member]) -> Audience:
    present = list(members)
    return Audience(
        female=sum(m.sex is Sex.FEMALE for m in present),
        male=sum(m.sex is Sex.MALE for m in present),
        with_disability=sum(m.has_disability for m in present),
    )


def _present(
    board: Sequence[Member], day: date, who: Callable[[Member], bool] = lambda m: True
) -> list[Member]:
    """The members active on ``day`` that ``who`` picks."""
    return [m for m in board if m.is_active_on(day) and who(m)]


def _on_the_board(member: Member) -> bool:
    return member.position is not Position.MEMBER


def _teros_meeting(board: Sequence[Member]) -> Meeting:
    """The meeting of 13 February 2025 described in the field report."""
    held = date(YEAR, 2, 13)
    present = _present(board, held)
    return Meeting(
        TEROS_MEETING_ID,
        GROUP_ID,
        "Pertemuan Kelompok Konstituen untuk Partisipasi Politik dan Isu Perubahan Iklim",
        held,
        type=MeetingType.KK_MEETING,
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


#: The other meetings: (day, type, title, place, agenda, who of the board attended,
#: other attendees, minutes). The forums are the village's (convened by the BPD or the
#: village government); the KK's members attend and bring its data and proposals.
_MEETINGS: tuple[
    tuple[date, MeetingType, str, str, tuple[str, ...], Callable[[Member], bool], Audience, str],
    ...,
] = (
    (date(YEAR, 1, 16), MeetingType.MUSDESUS_BLT_DD,
     "Musyawarah desa khusus penetapan KPM BLT Dana Desa 2025", "Kantor Desa Teros",
     ("Verifikasi calon KPM dari DTSEN dan pendataan KK", "Penetapan KPM BLT Dana Desa 2025"),
     lambda m: Division.DATA in m.divisions, Audience(female=8, male=19, with_disability=1),
     "Dipimpin BPD; daftar calon KPM dari bidang Pendataan disepakati."),
    (date(YEAR, 4, 24), MeetingType.COORDINATION,
     "Rapat koordinasi penanganan kasus bersama UPTD PPA, Puskesmas dan Bhabinkamtibmas",
     "Kantor Desa Teros",
     ("Alur rujukan kasus kekerasan dan perkawinan anak", "Kontak layanan dan SAPA 129"),
     lambda m: Division.COMPLAINTS in m.divisions, Audience(female=3, male=3),
     "Disepakati alur rujukan: UPTD PPA dihubungi di hari yang sama untuk kasus berisiko "
     "tinggi; Bhabinkamtibmas untuk ancaman yang mendesak."),
    (date(YEAR, 6, 12), MeetingType.MUSYAWARAH_DUSUN, "Musyawarah Dusun Tuntang",
     "Berugak Dusun Tuntang", ("Usulan dusun untuk RKPDes 2026",),
     lambda m: m.hamlet_id == _h("tuntang") or m.id == _m("m07"),
     Audience(female=14, male=22, with_disability=2),
     "Usulan pencegahan perkawinan anak dan rumah aman dibawa KK dengan rekap kasus."),
    (date(YEAR, 7, 17), MeetingType.MUSYAWARAH_DESA, "Musyawarah desa: rancangan RKPDes 2026",
     "Kantor Desa Teros", ("Usulan dusun dan kelompok untuk RKPDes 2026",),
     lambda m: _on_the_board(m) or Division.DATA in m.divisions,
     Audience(female=11, male=27, with_disability=2),
     "Dipimpin BPD; usulan KK diteruskan ke Musrenbangdes; rumah aman di luar kewenangan desa."),
    (date(YEAR, 8, 20), MeetingType.KK_MEETING, "Rapat persiapan usulan Musrenbangdes",
     "Kantor Desa Teros",
     ("Rekap data kasus Januari–Juni 2025 per dusun",
      "Penyusunan usulan program perlindungan perempuan dan anak"),
     lambda m: _on_the_board(m) or Division.DATA in m.divisions, Audience(female=1, male=1),
     "Bidang Pendataan menyusun draf usulan dengan rekap kasus sebagai bukti."),
    (date(YEAR, 9, 11), MeetingType.MUSRENBANGDES, "Musrenbangdes Desa Teros: RKPDes 2026",
     "Aula Kantor Desa Teros", ("Penetapan prioritas RKPDes 2026",),
     lambda m: _on_the_board(m) or Division.DATA in m.divisions,
     Audience(female=18, male=41, with_disability=3),
     "Program pencegahan perkawinan anak masuk prioritas; usulan UMKM ditunda."),
    (date(YEAR, 10, 23), MeetingType.MUSYAWARAH_DESA,
     "Musyawarah desa: awig-awig pencegahan merariq kodeq", "Aula Kantor Desa Teros",
     ("Rancangan awig-awig pencegahan perkawinan anak",),
     lambda m: _on_the_board(m) or Affiliation.HAMLET_HEAD in m.affiliations
     or Affiliation.RELIGIOUS_LEADER in m.affiliations or Affiliation.BPD in m.affiliations,
     Audience(female=16, male=34, with_disability=1),
     "Tokoh adat, tokoh agama, kadus dan BPD menyepakati awig-awig."),
)  # fmt: skip


def _meetings(services: Services, board: Sequence[Member]) -> None:
    """The KK's own meetings, a coordination meeting, and the village forums."""
    services.record_meeting(_teros_meeting(board))
    for day, type_, title, place, agenda, who, others, minutes in _MEETINGS:
        present = _present(board, day, who)
        services.record_meeting(
            Meeting(
                _meeting_id(day),
                GROUP_ID,
                title,
                day,
                type=type_,
                place=place,
                agenda=agenda,
                member_ids={m.id for m in present},
                attendance=_attendance(present) + others,
                minutes=minutes,
            )
        )


# ------------------------------------------------------------------------- advocacy

_PA = ProposalAction


def _usulan(number: int, year: int = YEAR) -> str:
    return f"{GROUP_ID}-usulan-{year}-{number:02d}"


def _proposals(services: Services) -> None:
    """Four proposals of the year (Pendataan), each taken as far as it went: funded in
    the APBDes after climbing every forum, carried over to the next cycle, rejected,
    and one that ended as an awig-awig (a customary rule) rather than a budget line."""
    lead = _m("m07")  # the Pendataan coordinator

    def steps(number: int, *done: tuple[date, int, ProposalAction, str, dict[str, Any]]) -> None:
        """Advance the proposal: (day, hour, action, note, what else the action takes)."""
        for day, hour, action, note, extra in done:
            at = _at(day, hour)
            services.advance_proposal(
                _usulan(number), action, at=at, actor_id=lead, note=note, **extra
            )

    services.draft_proposal(
        AdvocacyProposal(
            _usulan(1), GROUP_ID,
            "Program pencegahan perkawinan anak dan layanan pendampingan korban kekerasan",
            Forum.MUSYAWARAH_DUSUN,
            issue_areas={"child_marriage", "child_protection", "violence_prevention",
                         "women_empowerment"},
            evidence=("rekap kasus KK Teros Januari–Juni 2025 (per dusun, kelompok umur, "
                      "jenis kelamin)", f"notulen {TEROS_MEETING_ID}"),
            requested_rupiah=60_000_000,
        ),
        at=_at(date(YEAR, 6, 2), 10), actor_id=lead,
    )  # fmt: skip
    steps(
        1,
        (date(YEAR, 6, 12), 10, _PA.SUBMIT_MUSDUS, "", {"meeting_id": MUSDUS_TUNTANG}),
        (date(YEAR, 7, 17), 10, _PA.SUBMIT_MUSDES, "", {"meeting_id": MUSDES_RKPDES}),
        (date(YEAR, 9, 11), 9, _PA.SUBMIT_MUSRENBANGDES, "", {"meeting_id": MUSRENBANGDES}),
        (date(YEAR, 9, 11), 13, _PA.DISCUSS, "rekap kasus per dusun dipaparkan",
         {"meeting_id": MUSRENBANGDES}),
        (date(YEAR, 9, 29), 10, _PA.ADOPT_RKPDES, "masuk RKPDes 2026", {}),
        (date(YEAR, 12, 18), 14, _PA.FUND_APBDES, "APBDes 2026 ditetapkan",
         {"allocated_rupiah": 45_000_000, "budget_field": ApbdesField.COMMUNITY}),
    )  # fmt: skip

    services.draft_proposal(
        AdvocacyProposal(
            _usulan(2), GROUP_ID,
            "Pelatihan dan modal bergulir untuk UMKM perempuan dan penyandang disabilitas",
            Forum.MUSYAWARAH_DESA,
            issue_areas={"economy", "women_empowerment", "disability_inclusion"},
            evidence=("rekap dukungan UMKM bidang Ekonomi 2025",),
            requested_rupiah=35_000_000,
        ),
        at=_at(date(YEAR, 7, 1), 10), actor_id=lead,
    )  # fmt: skip
    steps(
        2,
        (date(YEAR, 7, 17), 11, _PA.SUBMIT_MUSDES, "", {"meeting_id": MUSDES_RKPDES}),
        (date(YEAR, 9, 11), 10, _PA.SUBMIT_MUSRENBANGDES, "", {"meeting_id": MUSRENBANGDES}),
        (date(YEAR, 9, 11), 14, _PA.DISCUSS, "ditunda: pagu pemberdayaan 2026 sudah penuh",
         {"meeting_id": MUSRENBANGDES}),
    )  # fmt: skip
    services.carry_over_proposal(
        _usulan(2), _usulan(1, YEAR + 1), at=_at(date(YEAR, 10, 1), 10), actor_id=lead,
        note="tidak masuk RKPDes 2026; diajukan lagi untuk siklus 2027",
    )  # fmt: skip

    services.draft_proposal(
        AdvocacyProposal(
            _usulan(3), GROUP_ID, "Rumah aman desa untuk korban kekerasan",
            Forum.MUSYAWARAH_DUSUN, issue_areas={"violence_prevention"},
            evidence=("rekap kasus kekerasan KK Teros 2025",), requested_rupiah=120_000_000,
        ),
        at=_at(date(YEAR, 6, 2), 11), actor_id=lead,
    )  # fmt: skip
    steps(
        3,
        (date(YEAR, 6, 12), 11, _PA.SUBMIT_MUSDUS, "", {"meeting_id": MUSDUS_TUNTANG}),
        (date(YEAR, 7, 17), 14, _PA.REJECT,
         "di luar kewenangan dan kemampuan anggaran desa; diteruskan ke UPTD PPA", {}),
    )  # fmt: skip

    services.draft_proposal(
        AdvocacyProposal(
            _usulan(4), GROUP_ID, "Awig-awig pencegahan merariq kodeq (perkawinan anak)",
            Forum.MUSYAWARAH_DESA, issue_areas={"child_marriage", "child_protection"},
            evidence=("rekap kasus perkawinan anak KK Teros 2025",
                      "Perda NTB 5/2021 tentang pencegahan perkawinan anak"),
        ),
        at=_at(date(YEAR, 8, 4), 10), actor_id=lead,
    )  # fmt: skip
    steps(
        4,
        (date(YEAR, 10, 23), 9, _PA.SUBMIT_MUSDES, "", {"meeting_id": MUSDES_AWIG_AWIG}),
        (date(YEAR, 10, 23), 12, _PA.AGREE_AWIG_AWIG,
         "Awig-awig Desa Teros tentang pencegahan merariq kodeq: belas bila salah satu pihak "
         "belum 19 tahun; denda adat bagi yang melanggar", {}),
    )  # fmt: skip


# --------------------------------------------------------- trainings and Pendataan


def _trainings(services: Services, board: Sequence[Member]) -> None:
    """What the members were trained in, by whom (penguatan kapasitas)."""
    trainings = (
        ("latih-2025-02-13", "Pelayanan berbasis data dan pelaporan KoboCollect",
         date(YEAR, 2, 13), TrainingOrganiser.PROGRAMME_PARTNER, "Lombok Research Center (LRC)",
         "Aula Posyandu Desa Teros", 3,
         lambda m: bool({Division.DATA, Division.COMPLAINTS} & m.divisions)),
        ("latih-2025-04-23", "Penanganan kasus kekerasan seksual (UU TPKS) dan manajemen kasus",
         date(YEAR, 4, 23), TrainingOrganiser.GOVERNMENT_OFFICE,
         "UPTD PPA Kabupaten Lombok Timur", "Kantor Desa Teros", 6,
         lambda m: Division.COMPLAINTS in m.divisions),
        ("latih-2025-06-05", "NIB lewat OSS dan sertifikasi halal self declare",
         date(YEAR, 6, 5), TrainingOrganiser.GOVERNMENT_OFFICE,
         "Dinas Koperasi dan UKM Kabupaten Lombok Timur", "Berugak Dusun Teros Lauk", 4,
         lambda m: Division.ECONOMY in m.divisions),
        ("latih-2025-10-08", "Advokasi anggaran desa yang responsif gender dan inklusif",
         date(YEAR, 10, 8), TrainingOrganiser.PROGRAMME_PARTNER, "Yayasan BaKTI (INKLUSI)",
         "Kantor Desa Teros", 5, lambda m: _on_the_board(m) or Division.DATA in m.divisions),
    )  # fmt: skip
    for tid, topic, day, organiser, name, place, hours, who in trainings:
        services.record_training(
            Training(
                f"{GROUP_ID}-{tid}",
                GROUP_ID,
                topic,
                day,
                organiser,
                {m.id for m in _present(board, day, who)},
                organiser_name=name,
                place=place,
                hours=hours,
            )
        )


def _cases_reported(services: Services, category: CaseCategory, start: date, end: date) -> int:
    """How many cases of a category (primary) the KK recorded in a period, as its store
    counts them: the figures Pendataan hands over are the KK's own records."""
    return services.store.count(Case, category=category, period=Between(start, end))[()]


def _data_updates(services: Services) -> None:
    """Pendataan's data updates, and to whom each was handed."""
    half = (date(YEAR, 1, 1), date(YEAR, 6, 30))
    child_marriages = _cases_reported(services, CaseCategory.CHILD_MARRIAGE, *half)
    violence = _cases_reported(services, CaseCategory.VIOLENCE, *half)
    dropouts = _cases_reported(services, CaseCategory.SCHOOL_DROPOUT, date(YEAR, 1, 1),
                               date(YEAR, 7, 31))  # fmt: skip
    updates = (
        ("data-2025-01", "blt_dd_candidates", date(YEAR, 1, 6), date(YEAR, 1, 10), 96, None,
         ("m07", "m12", "m25"), DataRecipient.VILLAGE_GOVERNMENT, date(YEAR, 1, 13),
         "calon KPM BLT-DD untuk musdesus"),
        ("data-2025-02", "dtsen_verification", date(YEAR, 3, 3), date(YEAR, 3, 28), 412, 1_530,
         ("m03", "m07", "m12", "m19"), DataRecipient.DINAS_SOSIAL, date(YEAR, 4, 2), ""),
        ("data-2025-03", "child_marriage_data", date(YEAR, 7, 1), date(YEAR, 7, 8), None,
         child_marriages, ("m07", "m09"), DataRecipient.VILLAGE_GOVERNMENT, date(YEAR, 7, 10),
         "rekap kasus Januari–Juni untuk musdes RKPDes"),
        ("data-2025-04", "violence_case_data", date(YEAR, 7, 1), date(YEAR, 7, 8), None,
         violence, ("m07", "m23"), DataRecipient.BPD, date(YEAR, 7, 10),
         "rekap kasus Januari–Juni untuk BPD"),
        ("data-2025-05", "school_dropout_data", date(YEAR, 8, 4), date(YEAR, 8, 15), None,
         dropouts, ("m19", "m25"), DataRecipient.DINAS_PENDIDIKAN, date(YEAR, 8, 20), ""),
        ("data-2025-06", "disability_data", date(YEAR, 10, 1), date(YEAR, 10, 20), 51, 58,
         ("m23", "m21"), DataRecipient.DINAS_SOSIAL, date(YEAR, 10, 27),
         "pendataan penyandang disabilitas bersama organisasi penyandang disabilitas"),
    )  # fmt: skip
    for uid, data_set, start, end, households, persons, members, to, handed, note in updates:
        services.record_data_update(
            DataUpdate(
                f"{GROUP_ID}-{uid}",
                GROUP_ID,
                data_set,
                start,
                finished_on=end,
                households=households,
                persons=persons,
                member_ids={_m(m) for m in members},
                handed_to=to,
                handed_on=handed,
                note=note,
            )
        )


# --------------------------------------------------------------------------- build


def build_village_year(seed: int = 2025) -> VillageYear:
    """Record the whole year through the services into a memory store and read it back.
    The same seed always gives the same records."""
    rng = random.Random(seed)
    store = open_store("memory://")
    services = Services(store, clock=_no_clock)
    village, hamlets = _village()
    services.put(village)
    for hamlet in hamlets:
        services.put(hamlet)
    services.register_group(
        ConstituentGroup(
            GROUP_ID, village.id, "Kelompok Konstituen Desa Teros", established_on=_FOUNDED
        )
    )
    board = _board()
    services.register_members(board)
    for provider in _providers():
        services.put(provider)
    _cases(rng, services, board)
    _economy(services)
    _outreach(services)
    _questions(rng, services, board)
    _meetings(services, board)
    _proposals(services)
    _trainings(services, board)
    _data_updates(services)

    def every(kind: type[R]) -> tuple[R, ...]:
        return tuple(store.find(kind))

    return VillageYear(
        village=store.get(Village, VILLAGE_CODE),
        hamlets=every(Hamlet),
        group=store.get(ConstituentGroup, GROUP_ID),
        members=every(Member),
        providers=every(ServiceProvider),
        cases=every(Case),
        referrals=every(Referral),
        businesses=every(Business),
        support_actions=every(SupportAction),
        business_groups=every(BusinessGroup),
        publications=every(Publication),
        sessions=every(InformationSession),
        questions=every(ResidentQuestion),
        meetings=every(Meeting),
        proposals=every(AdvocacyProposal),
        trainings=every(Training),
        data_updates=every(DataUpdate),
    )


# --------------------------------------------------------------------------- summary


def _label(member: Coded) -> str:
    """``English (Indonesian)``, or one of them when the other adds nothing."""
    return _both(member.label_en, member.label_id)


def _both(label_en: str, label_id: str) -> str:
    if label_id.casefold() in label_en.casefold():
        return label_en
    return f"{label_en} ({label_id})"


def _code_label(list_name: str, code: str) -> str:
    """The label of a code of an open list (a core code or a local entry)."""
    entry = CODE_LISTS[list_name].get(code)
    return code if entry is None else _both(entry.label_en, entry.label_id)


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


def _open_counts(title: str, list_name: str, codes: Iterable[str]) -> list[str]:
    """Counts of codes of an open list, in the list's order (its core first)."""
    counter = Counter(_code_label(list_name, c) for c in codes)
    order = [_code_label(list_name, e.code) for e in CODE_LISTS[list_name]]
    return _counts(title, counter, order)


def _board_summary(year: VillageYear) -> list[str]:
    active = [m for m in year.members if m.is_active_on(year.as_of)]
    out = [
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
    return out


def _cases_summary(year: VillageYear) -> list[str]:
    cases = year.cases
    hamlet_names = {h.id: h.name for h in year.hamlets}
    out = [f"Cases reported in {year.as_of.year}: {len(cases)}"]
    out += _coded_counts("Cases by category", (c.category for c in cases), CaseCategory)
    out += _coded_counts(
        "Cases by issue (the category and secondary issues; a case counts in each)",
        (i for c in cases for i in c.all_issues),
        CaseCategory,
    )
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
        "Cases by age band (SIMFONI, age at the incident)",
        (b for c in cases if (b := c.age_band)),
        AgeBand,
    )
    out += _coded_counts(
        "Cases by who reported them", (r for c in cases if (r := c.reporter)), Reporter
    )
    out += _coded_counts("Cases by intake channel", (c.channel for c in cases), IntakeChannel)
    out += _coded_counts(
        "Closed cases by outcome", (c.outcome for c in cases if c.outcome), CaseOutcome
    )
    out += _coded_counts(
        "Violence cases by form (several per case)",
        (f for c in cases if c.violence for f in c.violence.forms),
        ViolenceForm,
    )
    out += _open_counts(
        "Violence cases by place (SIMFONI core, then local places)",
        "incident_place",
        (c.violence.place for c in cases if c.violence),
    )
    out.append(
        f"  Cases reopened during the year: "
        f"{sum(any(e.action == 'reopen' for e in c.timeline) for c in cases)}; "
        f"clients with a disability: {sum(bool(c.subject.disability) for c in cases)}"
    )
    return out


def _overdue_reason(case: Case, as_of: date) -> str:
    if case.next_follow_up is not None and as_of > case.next_follow_up:
        return f"follow-up due {case.next_follow_up.isoformat()}"
    due = min(a.due_on for a in case.plan if a.is_overdue(as_of))
    return f"plan action due {due.isoformat()}"


def _management_summary(year: VillageYear) -> list[str]:
    """The steps of case management: assessment, plan, follow-up, legal process."""
    cases, as_of = year.cases, year.as_of
    open_cases = [c for c in cases if c.status is not CaseStatus.CLOSED]
    actions = [a for c in cases for a in c.plan]
    followed = sum(any(e.action == "follow_up" for e in c.timeline) for c in cases)
    out = [
        f"Case management on {as_of.isoformat()}:",
        f"  Assessed: {sum(c.assessment is not None for c in cases)} of {len(cases)} cases; "
        f"with a case plan: {sum(bool(c.plan) for c in cases)} "
        f"({len(actions)} actions, {sum(a.done_on is not None for a in actions)} done); "
        f"followed up: {followed}",
    ]
    not_assessed = "not assessed yet"
    out += _counts(
        "Cases by risk level (set at assessment)",
        Counter(_label(c.risk) if c.risk else not_assessed for c in cases),
        [*(_label(r) for r in RiskLevel), not_assessed],
    )
    out += _coded_counts(
        "Open cases in a legal process, by stage (the case stays open)",
        (s for c in open_cases if (s := c.legal_stage)),
        LegalStage,
    )
    overdue = [c for c in open_cases if c.is_overdue(as_of)]
    out.append(
        f"  Open cases overdue on {as_of.isoformat()}: {len(overdue)} of {len(open_cases)} open "
        "(a follow-up or a plan action past due)"
    )
    out += [f"    {c.id} ({c.category.label_en}): {_overdue_reason(c, as_of)}" for c in overdue]
    return out


def _gbvims_summary(year: VillageYear) -> list[str]:
    """GBVIMS: one incident per survivor (a case's violence, and its child marriage as an
    incident of its own), each with one core type and its flags, all computed."""
    cases = year.cases
    found = [g for c in cases for g in c.gbvims]
    out = [f"GBVIMS classification: {len(found)} incidents (one per survivor), computed"]
    out += _coded_counts("Incidents by core type", (g.core for g in found), GbvimsType)
    out += _coded_counts("Incidents by flag", (f for g in found for f in g.flags), GbvimsFlag)
    out += _coded_counts(
        "Cases by their highest core type", (t for c in cases if (t := c.gbvims_type)), GbvimsType
    )
    out.append(
        f"  To review (sexual violence whose penetration is not known yet): "
        f"{sum(g.to_review for g in found)}"
    )
    events = Counter(c.violence.incident_id for c in cases if c.violence and c.violence.incident_id)
    violence = [c for c in cases if c.violence]
    alone = sum(1 for c in violence if c.violence and not c.violence.incident_id)
    out.append(
        f"  Violence: {len(violence)} survivors of {alone + len(events)} events; "
        + (
            "; ".join(f"event {e} shared by {n} cases" for e, n in sorted(events.items()))
            or "no shared event"
        )
    )
    perpetrators = [p for c in violence if c.violence for p in c.violence.perpetrators]
    children = sum(p.child is True for p in perpetrators)
    unknown = sum(p.child is None for p in perpetrators)
    out.append(
        f"  Alleged perpetrators: {len(perpetrators)} (adults "
        f"{len(perpetrators) - children - unknown}, children {children}, age unknown {unknown}; "
        f"male {sum(p.sex is Sex.MALE for p in perpetrators)})"
    )
    out += _open_counts(
        "Perpetrators by relation (SIMFONI core, then local relations)",
        "perpetrator_relation",
        (p.relation for p in perpetrators),
    )
    out += _sexual_violence_closures(year)
    return out


def _sexual_violence_closures(year: VillageYear) -> list[str]:
    """How the sexual-violence cases closed (UU TPKS): never settled within the family
    with an adult perpetrator (Art. 23), and each after a referral to the UPTD PPA or the
    police, or with the reason it had none in its closing note."""
    kinds = {p.id: core_code("service_kind", p.service) for p in year.providers}
    referred: dict[str, set[str | None]] = {}
    for r in year.referrals:
        if r.status is not ReferralStatus.CANCELLED:
            referred.setdefault(r.case_id, set()).add(kinds[r.provider_id])
    sexual = [c for c in year.cases if c.is_sexual_violence]
    closed = [c for c in sexual if c.status is CaseStatus.CLOSED]
    after_referral = sum(
        bool(referred.get(c.id, set()) & REFERRAL_SERVICES_FOR_SEXUAL_VIOLENCE) for c in closed
    )
    out = [
        f"  Sexual-violence cases (UU TPKS; child marriages of children included): "
        f"{len(sexual)}, {len(closed)} closed: {after_referral} after a referral to the UPTD "
        f"PPA or the police, {len(closed) - after_referral} with the reason in the closing note"
    ]
    out += _coded_counts(
        "Closed sexual-violence cases by outcome",
        (c.outcome for c in closed if c.outcome),
        CaseOutcome,
    )
    return out


def _child_marriage_summary(year: VillageYear) -> list[str]:
    """Child marriage (UU 16/2019: under 19), violence when the child is under 18 (UU
    TPKS Art. 10(2)a): the routes it took and what came of it."""
    cases = [c for c in year.cases if CaseCategory.CHILD_MARRIAGE in c.all_issues]
    details = [c.child_marriage for c in cases if c.child_marriage]
    primary = sum(c.category is CaseCategory.CHILD_MARRIAGE for c in cases)
    ages = [c.age_at(c.incident_on or c.reported_on) for c in cases]
    out = [
        f"Child marriage: {len(cases)} cases ({primary} as the category, "
        f"{len(cases) - primary} as a secondary issue); subjects under 18 at the marriage: "
        f"{sum(a is not None and a < 18 for a in ages)}, aged 18: {sum(a == 18 for a in ages)}"
    ]
    out += _coded_counts(
        "Child marriages by route (several per case)",
        (r for d in details for r in d.routes),
        MarriageRoute,
    )
    unknown = "none recorded (a planned marriage)"
    out += _counts(
        "Child marriages by result (as recorded with the case)",
        Counter(_label(d.result) if d.result else unknown for d in details),
        [*(_label(r) for r in ChildMarriageResult), unknown],
    )
    planned = [c for c in cases if c.child_marriage and c.child_marriage.result is None]
    out.append(
        f"  Planned marriages closed as marriage prevented: "
        f"{sum(c.outcome is CaseOutcome.MARRIAGE_PREVENTED for c in planned)} of {len(planned)}"
    )
    out += _coded_counts(
        "Dispensation requests by result (PERMA 5/2019)",
        (r for d in details if (r := d.dispensation)),
        DispensationResult,
    )
    return out


def _referrals_summary(year: VillageYear) -> list[str]:
    refs = year.referrals
    providers = {p.id: p for p in year.providers}
    members = {m.id: m for m in year.members}
    out = [f"Referrals: {len(refs)} to {len({r.provider_id for r in refs})} services"]
    out += _coded_counts("Referrals by status", (r.status for r in refs), ReferralStatus)
    out += _open_counts(
        "Referrals by service (SIMFONI core kinds, then local kinds)",
        "service_kind",
        (providers[r.provider_id].service for r in refs),
    )
    overrides = Counter(_label(r.override) for r in refs if r.override)
    approvers = Counter(
        _label(members[a].position) for r in refs if (a := r.override_approved_by) in members
    )
    out.append(
        f"  Sent with consent recorded: {sum(r.consent_given for r in refs)}; "
        "without consent, with an override reason: "
        + (", ".join(f"{k} {n}" for k, n in sorted(overrides.items())) or "none")
        + "; approved by: "
        + (", ".join(f"{k} {n}" for k, n in sorted(approvers.items())) or "nobody")
    )
    consents = [c.consent for c in year.cases if c.consent]
    out += _coded_counts(
        "Consents by who gave them (the latest of each case)",
        (c.giver for c in consents),
        ConsentGiver,
    )
    out.append(
        f"  Children's assents recorded with a consent: {sum(c.assent is not None for c in consents)}"
    )
    return out


def _economy_summary(year: VillageYear) -> list[str]:
    actions = year.support_actions
    out = [
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
    for group in year.business_groups:
        out.append(
            f"  Business group: {group.name} ({_code_label('business_sector', group.sector)}), "
            f"formed {group.formed_on.isoformat()}: {len(group.business_ids)} businesses; "
            f"support as a group: {', '.join(sorted(s.label_en for s in group.support))}"
        )
    return out


def _humas_summary(year: VillageYear) -> list[str]:
    audience = sum((s.audience for s in year.sessions), Audience())
    out = [
        f"Public relations (Humas): {len(year.publications)} publications, "
        f"{len(year.sessions)} information sessions reaching {audience.total} people "
        f"({audience.female} female, {audience.male} male, "
        f"{audience.with_disability} with a disability)",
    ]
    out += _coded_counts(
        "Publications by channel", (p.channel for p in year.publications), PublicationChannel
    )
    questions = year.questions
    out.append(f"  Information centre (pusat informasi): {len(questions)} questions from residents")
    out += _coded_counts(
        "Questions by what was done", (q.resolution for q in questions), QuestionResolution
    )
    out += _open_counts("Questions by topic", "question_topic", (q.topic for q in questions))
    out += _coded_counts("Questions by channel", (q.channel for q in questions), QuestionChannel)
    return out


def _capacity_summary(year: VillageYear) -> list[str]:
    """Trainings of members, and Pendataan's data updates."""
    trained = {m for t in year.trainings for m in t.member_ids}
    out = [
        f"Trainings: {len(year.trainings)}, {len(trained)} members trained, "
        f"{sum(t.hours or 0 for t in year.trainings)} hours in all",
    ]
    out += [
        f"  {t.held_on.isoformat()} {t.topic} — {t.organiser_name} "
        f"({t.organiser.label_en}); {len(t.member_ids)} members, {t.hours} hours"
        for t in year.trainings
    ]
    out += ["", f"Data updates (Pendataan): {len(year.data_updates)}"]
    for update in year.data_updates:
        covered = ", ".join(
            f"{n:,} {what}"
            for n, what in ((update.households, "households"), (update.persons, "persons"))
            if n is not None
        )
        handed = update.handed_to.label_en if update.handed_to else "nobody yet"
        out.append(
            f"  {update.started_on.isoformat()} {_code_label('data_set', update.data_set)}: "
            f"{covered}; handed to {handed}"
            + (f" on {update.handed_on.isoformat()}" if update.handed_on else "")
        )
    return out


def _meetings_summary(year: VillageYear) -> list[str]:
    out = ["Meetings and village forums:"]
    out += _coded_counts("Meetings by type", (m.type for m in year.meetings), MeetingType)
    for meeting in sorted(year.meetings, key=lambda m: m.held_on):
        a = meeting.attendance
        out.append(
            f"  Meeting {meeting.held_on.isoformat()} at {meeting.place}: {meeting.title} "
            f"({meeting.type.label_en}) — {len(meeting.member_ids)} members present; "
            f"attendance {a.total} ({a.female} female, {a.male} male, "
            f"{a.with_disability} with a disability)"
        )
        for speaker in meeting.speakers:
            out.append(
                f"    speaker: {speaker.name} ({speaker.role}, {speaker.organisation}): "
                f"{speaker.topic}"
            )
    return out


def _proposals_summary(year: VillageYear) -> list[str]:
    out = ["Advocacy proposals (Pendataan):"]
    for p in year.proposals:
        path = " → ".join(
            e.target for e in p.timeline if e.action == "draft" or e.target != e.source
        )
        out.append(f"  Proposal: {p.title}")
        out.append(
            f"    forum {_label(p.forum)}; cycle {p.cycle_year}; status {_label(p.status)}; "
            f"requested {_rupiah(p.requested_rupiah)}, allocated {_rupiah(p.allocated_rupiah)}"
            + (f" ({p.budget_field.label_en})" if p.budget_field else "")
        )
        out.append(f"    path: {path}")
        if p.carried_over_from:
            out.append(f"    carried over from {p.carried_over_from}")
        if p.status.is_policy:
            out.append(f"    policy: {p.timeline[-1].note}")
    return out


def summarise(year: VillageYear) -> list[str]:
    """The readable summary, line by line. No names of clients, initials or pseudonyms."""
    v = year.village
    out = [
        f"{year.group.name} — year {year.as_of.year} (synthetic example)",
        f"Village: {v.name} ({v.code}), Kec. {v.district}, Kab. {v.regency}, {v.province}",
        f"Hamlets (dusun): {len(year.hamlets)}: " + ", ".join(h.name for h in year.hamlets),
        "",
    ]
    sections: tuple[Callable[[VillageYear], list[str]], ...] = (
        _board_summary,
        _cases_summary,
        _management_summary,
        _gbvims_summary,
        _child_marriage_summary,
        _referrals_summary,
        _economy_summary,
        _humas_summary,
        _capacity_summary,
        _meetings_summary,
        _proposals_summary,
    )
    for section in sections:
        out += [*section(year), ""]
    out += [
        "Counts are not suppressed: the data are synthetic. Published tables of real cases",
        "suppress small cells (see docs/data-protection.md).",
    ]
    return out


# ---------------------------------------------------------------------------- store


def store_year(year: VillageYear, url: str) -> list[str]:
    """Copy every record into the store at ``url``; report what changed.

    The year is copied by content (`kk_core.copy_records`): the target keeps its own
    version counters, so a second run finds the same content already stored and writes
    nothing, as an import should.
    """
    source = open_store("memory://", records=year.records(), read_only=True)
    target = open_store(url)
    try:
        report = copy_records(source, target)
        gbvims = target.count(Case, by=("gbvims_type",))
        by_hamlet = target.count(Case, by=("hamlet_id",), category=CaseCategory.CHILD_MARRIAGE)
    finally:
        target.close()
        source.close()
    written, unchanged = sum(report.written.values()), sum(report.unchanged.values())
    return [
        f"Stored in {target.url}: {written + unchanged} records, {written} written now, "
        f"{unchanged} already there unchanged.",
        "Cases by highest GBVIMS type, counted by the store: "
        + ", ".join(f"{t}={n}" for (t,), n in sorted(gbvims.items(), key=str) if t is not None)
        + f"; no incident: {gbvims.get((None,), 0)}",
        "Child-marriage cases by hamlet, counted by the store: "
        + ", ".join(f"{hamlet}={n}" for (hamlet,), n in sorted(by_hamlet.items(), key=str)),
    ]


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
