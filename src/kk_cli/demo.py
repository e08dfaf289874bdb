"""The demo data set of `kk demo`: two years of four KKs of Kecamatan Labuhan Haji.

Everything is synthetic and seeded (the same seed gives the same records), recorded
through `kk_core.services.Services` so that every lifecycle guard and check of the
services runs on every step, as in a deployment:

* four villages of Kecamatan Labuhan Haji, Kabupaten Lombok Timur, with their own
  Kemendagri codes (`kk_core.regions`), each with four to six hamlets (names
  illustrative);
* a KK in each, with a board of 14 members (Sasak and Indonesian names) in all four
  divisions — Humas, Ekonomi, Pendataan, Pengaduan;
* two years (2024 and 2025) of cases of every category, each taken through case
  management with `kk_cli.casework` — report, companion, assessment, plan, consent
  (a caregiver's for a child, with the child's assent), referral to the services of
  Lombok Timur, follow-up, closing; some still open at the end, sexual violence
  followed through the legal process;
* the UMKM each KK helps (permits, capital), its meetings and the village forums, and
  advocacy proposals from the musyawarah desa to the APBDes.

Clients have no names: initials only, and no identity number. The demo writes into a
memory store first and then copies every record into the target store in one pass
(`kk_core.copy_records`), so a second run finds everything already there and writes
nothing.

Nothing here imports click or rich; `kk_cli.commands.demo` is the command.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone

import attrs

from kk_cli.casework import CaseRun, Clock, YearEnd, at
from kk_core import (
    AdvocacyProposal,
    Business,
    ConstituentGroup,
    Hamlet,
    Meeting,
    Member,
    ServiceProvider,
    SupportAction,
    Village,
    open_store,
)
from kk_core.cases import (
    Case,
    ChildMarriage,
    MarriageParty,
    Perpetrator,
    Subject,
    ViolenceIncident,
    age_on,
)
from kk_core.codes import (
    Affiliation,
    ApbdesField,
    CaseCategory,
    CaseOutcome,
    ConsentGiver,
    DisabilityDomain,
    Division,
    Forum,
    FunctioningSet,
    IntakeChannel,
    LegalStage,
    MarriageRole,
    MarriageRoute,
    MeetingType,
    NeedDomain,
    Penetration,
    Position,
    ProposalAction,
    Reporter,
    RiskLevel,
    Sex,
    SocialProgramme,
    SupportStatus,
    SupportType,
    TpksForm,
    ViolenceForm,
)
from kk_core.outreach import Audience
from kk_core.services import Services
from kk_core.store import Store

__all__ = ["DEMO_VILLAGES", "DEMO_YEARS", "DemoVillage", "build_demo", "demo_store", "steps"]

#: Waktu Indonesia Tengah: Lombok's time zone (UTC+8).
WITA = timezone(timedelta(hours=8))
#: The two years of the demo; the data end on the last day of the second.
DEMO_YEARS = (2024, 2025)
END = date(DEMO_YEARS[-1], 12, 31)
_FOUNDED = date(2023, 5, 20)
#: Ordinary cases per village and year (every category at least once).
CASES_PER_YEAR = 40


@attrs.frozen
class DemoVillage:
    """A village of the demo: its Kemendagri code, the slug of its ids, a prefix for
    case numbers, and its hamlets (illustrative names) with their weights."""

    code: str
    name: str
    slug: str
    prefix: str
    hamlets: tuple[tuple[str, int], ...]

    @property
    def group_id(self) -> str:
        return f"kk-{self.slug}"

    def hamlet_id(self, name: str) -> str:
        return f"{self.slug}-{name.lower().replace(' ', '-')}"


#: Four villages of Kecamatan Labuhan Haji (52.03.17), as Kemendagri lists them.
DEMO_VILLAGES = (
    DemoVillage("52.03.17.2003", "Teros", "teros", "TRS",
                (("Teros Daya", 22), ("Teros Lauk", 20), ("Tuntang", 18),
                 ("Lendang Bajur", 16), ("Bagek Nunggal", 14), ("Tanak Beak", 10))),
    DemoVillage("52.03.17.2010", "Banjarsari", "banjarsari", "BJS",
                (("Banjarsari Daya", 30), ("Banjarsari Lauk", 25), ("Gubuk Baru", 25),
                 ("Pancor Kopong", 20))),
    DemoVillage("52.03.17.2006", "Korleko", "korleko", "KRL",
                (("Korleko Daya", 28), ("Korleko Lauk", 26), ("Montong Buwuh", 24),
                 ("Lendang Nangka", 22))),
    DemoVillage("52.03.17.2008", "Kertasari", "kertasari", "KTS",
                (("Kertasari", 30), ("Bagik Manis", 25), ("Dasan Baru", 25),
                 ("Karang Anyar", 20))),
)  # fmt: skip

_FEMALE = (
    "Baiq Nurhayati", "Siti Aminah", "Nurul Hidayati", "Rohani", "Mardiah", "Husnul Khotimah",
    "Kartini", "Rumisah", "Baiq Sri Mulyani", "Dewi Kartika Sari", "Sri Wahyuni", "Nurul Aini",
    "Hj. Saadah", "Baiq Rina Wahyuni", "Fatimah Zahra", "Inaq Marni", "Rabiatul Adawiyah",
    "Ria Handayani", "Nursaidah", "Mulyati", "Baiq Fitriani", "Zuhratul Aini",
)  # fmt: skip
_MALE = (
    "Lalu Muhammad Zainuddin", "Ahmad Fauzi", "Muhammad Saleh", "Sulaeman", "Hairul Anwar",
    "Saparudin", "Hamdani", "Zulkifli", "Rizki Ramadhan", "Sahnun", "Juhri", "Wahyu Hidayat",
    "Lalu Ahmad Juaini", "Amaq Sahnan", "Mursalim", "Samsul Hadi", "Lalu Hendra Gunawan",
    "Muhammad Rizal", "Abdul Hakim", "Supardi",
)  # fmt: skip
_AFFILIATIONS = (
    Affiliation.PKK, Affiliation.YOUTH, Affiliation.VILLAGE_GOVERNMENT, Affiliation.HAMLET_HEAD,
    Affiliation.RELIGIOUS_LEADER, Affiliation.COMMUNITY_LEADER, Affiliation.POSYANDU_CADRE,
    Affiliation.BPD, Affiliation.DISABILITY_ORG,
)  # fmt: skip

#: The services of Lombok Timur the KKs refer to: (id, kind, name). Each village adds
#: its own village government (``pemdes-<slug>``).
_PROVIDERS = (
    ("uptd-ppa-lotim", "uptd_ppa", "UPTD PPA Kabupaten Lombok Timur"),
    ("dp3akb-lotim", "dp3akb", "DP3AKB Kabupaten Lombok Timur"),
    ("ppa-polres-lotim", "police_ppa", "Unit PPA Satreskrim Polres Lombok Timur"),
    ("pkm-labuhan-haji", "puskesmas", "Puskesmas Labuhan Haji"),
    ("dinsos-lotim", "dinas_sosial", "Dinas Sosial Kabupaten Lombok Timur"),
    ("pkh-labuhan-haji", "pkh_companion", "Pendamping PKH Kecamatan Labuhan Haji"),
    ("kua-labuhan-haji", "kua", "KUA Kecamatan Labuhan Haji"),
    ("dukcapil-lotim", "dukcapil", "Dukcapil Kabupaten Lombok Timur"),
    ("smpn-labuhan-haji", "school", "SMP Negeri 1 Labuhan Haji"),
    ("pkbm-labuhan-haji", "pkbm", "PKBM Kecamatan Labuhan Haji"),
    ("lbh-apik-ntb", "legal_aid", "LBH APIK NTB"),
    ("lrc", "ngo", "Lombok Research Center (LRC)"),
)  # fmt: skip

_O = CaseOutcome
_Route = tuple[str, str, str, CaseOutcome]
#: (provider, reason for the referral, what the service did, the case's outcome);
#: ``pemdes`` is the case's own village government.
_ROUTES: dict[CaseCategory, tuple[_Route, ...]] = {
    CaseCategory.VIOLENCE: (
        ("uptd-ppa-lotim", "pendampingan psikologis dan hukum", "konseling selesai",
         _O.SERVICE_RECEIVED),
        ("pkm-labuhan-haji", "pemeriksaan dan perawatan luka", "perawatan selesai",
         _O.SERVICE_RECEIVED),
        ("lbh-apik-ntb", "konsultasi dan bantuan hukum", "pendampingan hukum diberikan",
         _O.SERVICE_RECEIVED),
    ),
    CaseCategory.CHILD_MARRIAGE: (
        ("kua-labuhan-haji", "konseling keluarga pencegahan perkawinan anak",
         "konseling keluarga selesai", _O.MARRIAGE_PREVENTED),
        ("dp3akb-lotim", "konseling pencegahan perkawinan anak",
         "keluarga sepakat menunda sampai usia 19", _O.MARRIAGE_PREVENTED),
    ),
    CaseCategory.SCHOOL_DROPOUT: (
        ("smpn-labuhan-haji", "anak kembali bersekolah", "anak diterima kembali di kelas",
         _O.RETURNED_TO_SCHOOL),
        ("pkbm-labuhan-haji", "pendaftaran kejar paket B", "terdaftar di program Paket B",
         _O.RETURNED_TO_SCHOOL),
    ),
    CaseCategory.SOCIAL_PROTECTION: (
        ("dinsos-lotim", "usulan masuk DTSEN dan verifikasi bansos",
         "terverifikasi sebagai penerima", _O.SERVICE_RECEIVED),
        ("pkh-labuhan-haji", "usulan kepesertaan PKH", "terdaftar sebagai penerima PKH",
         _O.SERVICE_RECEIVED),
    ),
    CaseCategory.CIVIL_REGISTRATION: (
        ("dukcapil-lotim", "penerbitan dokumen kependudukan", "dokumen terbit",
         _O.DOCUMENT_ISSUED),
    ),
    CaseCategory.DISABILITY_SUPPORT: (
        ("dinsos-lotim", "alat bantu dan asistensi sosial (ATENSI)", "alat bantu diserahkan",
         _O.SERVICE_RECEIVED),
        ("pkm-labuhan-haji", "rehabilitasi medik", "terapi berjalan", _O.SERVICE_RECEIVED),
    ),
    CaseCategory.OTHER: (
        ("pemdes", "mediasi oleh pemerintah desa", "mediasi selesai", _O.RESOLVED),
        ("lrc", "konsultasi dengan mitra program", "ditangani mitra", _O.TRANSFERRED),
    ),
}  # fmt: skip
#: Sexual violence goes to the UPTD PPA first (UU TPKS Art. 39), and to the police.
_SEXUAL_ROUTE: _Route = (
    "uptd-ppa-lotim", "pendampingan korban kekerasan seksual (UU TPKS)",
    "asesmen psikologis dan konseling selesai", _O.SERVICE_RECEIVED,
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
_NEEDS: dict[CaseCategory, tuple[NeedDomain, ...]] = {
    CaseCategory.VIOLENCE: (_N.SAFETY, _N.PSYCHOSOCIAL, _N.HEALTH, _N.LEGAL),
    CaseCategory.CHILD_MARRIAGE: (_N.EDUCATION, _N.PSYCHOSOCIAL, _N.SAFETY),
    CaseCategory.SCHOOL_DROPOUT: (_N.EDUCATION, _N.ECONOMIC, _N.DOCUMENTS),
    CaseCategory.SOCIAL_PROTECTION: (_N.SOCIAL_PROTECTION, _N.ECONOMIC, _N.DOCUMENTS),
    CaseCategory.CIVIL_REGISTRATION: (_N.DOCUMENTS, _N.SOCIAL_PROTECTION),
    CaseCategory.DISABILITY_SUPPORT: (_N.HEALTH, _N.SOCIAL_PROTECTION, _N.ECONOMIC),
    CaseCategory.OTHER: (_N.ECONOMIC, _N.SAFETY),
}
_REPORTERS: dict[CaseCategory, tuple[tuple[Reporter, IntakeChannel], ...]] = {
    CaseCategory.VIOLENCE: ((Reporter.CLIENT, IntakeChannel.WALK_IN),
                            (Reporter.FAMILY, IntakeChannel.PHONE),
                            (Reporter.NEIGHBOUR, IntakeChannel.PHONE),
                            (Reporter.HEALTH_WORKER, IntakeChannel.POSYANDU)),
    CaseCategory.CHILD_MARRIAGE: ((Reporter.SCHOOL, IntakeChannel.SCHOOL),
                                  (Reporter.HAMLET_HEAD, IntakeChannel.OUTREACH_VISIT),
                                  (Reporter.KK_MEMBER, IntakeChannel.OUTREACH_VISIT)),
    CaseCategory.SCHOOL_DROPOUT: ((Reporter.SCHOOL, IntakeChannel.SCHOOL),
                                  (Reporter.KK_MEMBER, IntakeChannel.OUTREACH_VISIT)),
    CaseCategory.SOCIAL_PROTECTION: ((Reporter.CLIENT, IntakeChannel.WALK_IN),
                                     (Reporter.KK_MEMBER, IntakeChannel.OUTREACH_VISIT)),
    CaseCategory.CIVIL_REGISTRATION: ((Reporter.CLIENT, IntakeChannel.WALK_IN),
                                      (Reporter.HEALTH_WORKER, IntakeChannel.POSYANDU)),
    CaseCategory.DISABILITY_SUPPORT: ((Reporter.FAMILY, IntakeChannel.WALK_IN),
                                      (Reporter.KK_MEMBER, IntakeChannel.OUTREACH_VISIT)),
    CaseCategory.OTHER: ((Reporter.CLIENT, IntakeChannel.WALK_IN),),
}  # fmt: skip
_CHILD_RELATIONS = ("parent", "family", "family", "neighbour", "teacher", "friend")
_ADULT_RELATIONS = ("spouse", "spouse", "spouse", "former_spouse", "family", "neighbour")
_PLACE_OF = {"teacher": "school", "friend": "public_facility"}
_CAREGIVERS = frozenset({"parent"})
_WG_DOMAINS = [d for d in DisabilityDomain if d in FunctioningSet.WG_SS.domains]
_INITIALS = "ABDFHIJKLMNRSWYZ"

#: The businesses a KK's Ekonomi division helps: (name pattern, sector).
_BUSINESSES = (
    ("Kerupuk Ikan {}", "food_processing"),
    ("Dodol Rumput Laut {}", "food_processing"),
    ("Tenun Ikat {}", "handicraft"),
    ("Warung Sembako {}", "trade"),
    ("Ternak Kambing {}", "livestock"),
    ("Jahit {}", "services"),
)


# ----------------------------------------------------------------------- the builder


def build_demo(
    store: Store,
    *,
    seed: int = 2025,
    villages: Sequence[DemoVillage] = DEMO_VILLAGES,
    progress: Callable[[str], None] = lambda step: None,
) -> None:
    """Record the demo through the services into ``store`` (best a memory store: see
    the module docstring). ``progress`` is called after each step, with its name;
    `steps` says how many there are."""
    rng = random.Random(seed)
    services = Services(store, clock=_no_clock)
    for kind, pid_kind, name in _PROVIDERS:
        services.put(ServiceProvider(kind, pid_kind, name, area="Kabupaten Lombok Timur"))
    for village in villages:
        _Village(rng, services, village).build(progress)


def steps(villages: Sequence[DemoVillage] = DEMO_VILLAGES) -> int:
    """How many times `build_demo` calls ``progress``."""
    return len(villages) * (1 + len(DEMO_YEARS) * 2)


def _no_clock() -> datetime:
    raise RuntimeError("the demo gives every step its time (at=...)")


class _Village:
    """One village's KK and its two years, from the shared seeded random source."""

    def __init__(self, rng: random.Random, services: Services, village: DemoVillage) -> None:
        self.rng = rng
        self.services = services
        self.v = village
        self.group = village.group_id
        self.hamlets = tuple(village.hamlet_id(name) for name, _ in village.hamlets)
        self.weights = tuple(w for _, w in village.hamlets)
        self.board: tuple[Member, ...] = ()
        self.kinds = {pid: kind for pid, kind, _ in _PROVIDERS}
        self.kinds[self.pemdes] = "village_government"
        self.names = {pid: name for pid, _, name in _PROVIDERS}
        self.names[self.pemdes] = f"Pemerintah Desa {village.name}"

    @property
    def pemdes(self) -> str:
        return f"pemdes-{self.v.slug}"

    def build(self, progress: Callable[[str], None]) -> None:
        v = self.v
        services = self.services
        services.put(Village(v.code, v.name, "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat"))
        for (name, _), hid in zip(v.hamlets, self.hamlets, strict=True):
            services.put(Hamlet(hid, v.code, name))
        services.put(
            ServiceProvider(
                self.pemdes, "village_government", self.names[self.pemdes],
                area=f"Desa {v.name}",
            )
        )  # fmt: skip
        services.register_group(
            ConstituentGroup(
                self.group, v.code, f"Kelompok Konstituen Desa {v.name}", established_on=_FOUNDED
            )
        )
        self.board = self._board()
        services.register_members(self.board)
        progress(f"{v.name}: board")
        for year in DEMO_YEARS:
            self._cases(year)
            progress(f"{v.name} {year}: cases")
            self._economy(year)
            self._forums(year)
            progress(f"{v.name} {year}: UMKM, meetings, proposals")

    # -- the board

    def _board(self) -> tuple[Member, ...]:
        rng = self.rng
        women = rng.sample(_FEMALE, 7)
        men = rng.sample(_MALE, 7)
        people = [(n, Sex.FEMALE) for n in women] + [(n, Sex.MALE) for n in men]
        rng.shuffle(people)
        divisions = list(Division)
        posts = [Position.CHAIR, Position.VICE_CHAIR, Position.SECRETARY, Position.TREASURER]
        members = []
        for number, (name, sex) in enumerate(people, start=1):
            if number <= 4:
                position, own = posts[number - 1], {divisions[number - 1]}
            elif number <= 8:  # a coordinator for each division
                position, own = Position.DIVISION_COORDINATOR, {divisions[number - 5]}
            else:
                position = Position.MEMBER
                own = set(rng.sample(divisions, rng.choice((1, 1, 2))))
            affiliation = _AFFILIATIONS[(number * 5 + len(name)) % len(_AFFILIATIONS)]
            members.append(
                Member(
                    f"{self.group}-m{number:02d}",
                    self.group,
                    name,
                    sex,
                    {affiliation},
                    _FOUNDED,
                    position=position,
                    divisions=own,
                    birth_year=rng.randint(1965, 2003),
                    hamlet_id=rng.choice(self.hamlets),
                    disability={DisabilityDomain.WALKING} if number == 13 else set(),
                )
            )
        return tuple(members)

    def _with(self, division: Division) -> tuple[str, ...]:
        return tuple(m.id for m in self.board if division in m.divisions)

    # -- cases

    def _cases(self, year: int) -> None:
        rng = self.rng
        categories = list(CaseCategory) + rng.choices(
            list(_CATEGORY_WEIGHTS),
            weights=list(_CATEGORY_WEIGHTS.values()),
            k=CASES_PER_YEAR - len(CaseCategory),
        )
        first, last = date(year, 1, 2).toordinal(), date(year, 12, 20).toordinal()
        days = sorted(date.fromordinal(rng.randint(first, last)) for _ in categories)
        rng.shuffle(categories)
        for number, (day, category) in enumerate(zip(days, categories, strict=True), start=1):
            case_id = f"KK-{self.v.prefix}-{year}-{number:03d}"
            self._run(self._new_case(case_id, category, day))

    def _subject(self, category: CaseCategory, reported: date) -> Subject:
        rng = self.rng
        either = rng.choice((Sex.FEMALE, Sex.MALE))
        if category is CaseCategory.VIOLENCE:
            if rng.random() < 0.4:
                return self._child(Sex.FEMALE if rng.random() < 0.7 else Sex.MALE,
                                   rng.randint(6, 16), reported)  # fmt: skip
            return self._adult(Sex.FEMALE if rng.random() < 0.9 else Sex.MALE,
                               rng.randint(18, 52))  # fmt: skip
        if category is CaseCategory.CHILD_MARRIAGE:
            return self._child(Sex.FEMALE if rng.random() < 0.85 else Sex.MALE,
                               rng.randint(14, 16), reported)  # fmt: skip
        if category is CaseCategory.SCHOOL_DROPOUT:
            return self._child(either, rng.randint(10, 16), reported)
        if category is CaseCategory.SOCIAL_PROTECTION:
            return self._adult(Sex.FEMALE if rng.random() < 0.65 else Sex.MALE,
                               rng.randint(24, 78))  # fmt: skip
        if category is CaseCategory.CIVIL_REGISTRATION:
            if rng.random() < 0.6:
                return self._child(either, rng.randint(0, 5), reported)
            return self._adult(either, rng.randint(17, 70))
        if category is CaseCategory.DISABILITY_SUPPORT:
            domains = rng.sample(_WG_DOMAINS, rng.choice((1, 1, 2)))
            age = rng.randint(4, 70)
            if age < 18:
                return attrs.evolve(self._child(either, age, reported), disability=domains)
            return attrs.evolve(self._adult(either, age), disability=domains)
        return self._adult(either, rng.randint(20, 65))

    def _child(self, sex: Sex, age: int, on: date) -> Subject:
        """A child ``age`` on ``on`` (16 at most: still a child when consent is asked)."""
        month = self.rng.randint(1, 12)
        year = on.year - age - (1 if on.month <= month else 0)
        return Subject(sex, birth_year=year, birth_month=month, hamlet_id=self._hamlet(),
                       initials=self._initials())  # fmt: skip

    def _adult(self, sex: Sex, age: int) -> Subject:
        return Subject(sex, age_years=age, hamlet_id=self._hamlet(), initials=self._initials())

    def _hamlet(self) -> str:
        return self.rng.choices(self.hamlets, weights=self.weights)[0]

    def _initials(self) -> str:
        return ".".join(self.rng.sample(_INITIALS, 2)) + "."

    def _incident(self, age: int, reported: date) -> ViolenceIncident:
        rng = self.rng
        child = age < 18
        relation = rng.choice(_CHILD_RELATIONS if child else _ADULT_RELATIONS)
        sex = Sex.MALE if rng.random() < 0.85 else Sex.FEMALE
        if relation == "friend":
            perpetrator = Perpetrator(relation, sex=Sex.MALE, age_years=rng.randint(14, 21))
        else:
            perpetrator = Perpetrator(relation, sex=sex, age_years=rng.randint(24, 62),
                                      is_caregiver=relation in _CAREGIVERS)  # fmt: skip
        occurred = reported - timedelta(days=rng.randint(0, 20))
        place = _PLACE_OF.get(relation, "household")
        if rng.random() < 0.15:  # sexual violence (UU TPKS Art. 4)
            form = rng.choice(
                (TpksForm.CHILD_INDECENT_ASSAULT, TpksForm.CHILD_INTERCOURSE) if child
                else (TpksForm.PHYSICAL_HARASSMENT, TpksForm.RAPE)
            )  # fmt: skip
            penetrative = form in (TpksForm.CHILD_INTERCOURSE, TpksForm.RAPE)
            return ViolenceIncident(
                {ViolenceForm.SEXUAL}, place, perpetrators=[perpetrator], occurred_on=occurred,
                tpks_forms={form}, penetration=Penetration.YES if penetrative else Penetration.NO,
            )  # fmt: skip
        forms = {rng.choice((ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL))}
        if relation in ("spouse", "former_spouse") and rng.random() < 0.4:
            forms.add(ViolenceForm.NEGLECT)  # no maintenance (nafkah)
        return ViolenceIncident(forms, place, perpetrators=[perpetrator], occurred_on=occurred)

    def _planned_marriage(self, subject: Subject, reported: date) -> ChildMarriage:
        rng = self.rng
        planned = reported + timedelta(days=rng.randint(10, 60))
        role = MarriageRole.BRIDE if subject.sex is Sex.FEMALE else MarriageRole.GROOM
        other = MarriageRole.GROOM if role is MarriageRole.BRIDE else MarriageRole.BRIDE
        assert subject.birth_year is not None
        age = age_on(subject.birth_year, subject.birth_month, planned)
        routes = rng.choice(
            ({MarriageRoute.ARRANGED}, {MarriageRoute.PREGNANCY},
             {MarriageRoute.ARRANGED, MarriageRoute.NIKAH_SIRI})
        )  # fmt: skip
        return ChildMarriage(
            event_on=planned,
            parties=[
                MarriageParty(role, age_years=age, is_subject=True),
                MarriageParty(other, age_years=rng.randint(16, 27)),
            ],
            routes=routes,
        )

    def _new_case(self, case_id: str, category: CaseCategory, reported: date) -> Case:
        rng = self.rng
        subject = self._subject(category, reported)
        reporter, channel = rng.choice(_REPORTERS[category])
        case = Case(case_id, self.group, self.v.code, reported, channel, category, subject,
                    reporter=reporter)  # fmt: skip
        age = case.age_at(reported) or 0
        if category is CaseCategory.VIOLENCE:
            return attrs.evolve(case, violence=self._incident(age, reported),
                                summary="kekerasan dilaporkan; korban didampingi")  # fmt: skip
        if category is CaseCategory.CHILD_MARRIAGE:
            return attrs.evolve(case, child_marriage=self._planned_marriage(subject, reported),
                                summary="rencana perkawinan anak")  # fmt: skip
        if category is CaseCategory.SOCIAL_PROTECTION:
            programme = rng.choice((SocialProgramme.PKH, SocialProgramme.BLT_DANA_DESA,
                                    SocialProgramme.PBI_JKN))  # fmt: skip
            return attrs.evolve(case, programme=programme.value,
                                summary="belum menerima bantuan sosial")  # fmt: skip
        return case

    def _routes(self, case: Case) -> tuple[_Route, ...]:
        if case.is_sexual_violence and case.category is CaseCategory.VIOLENCE:
            return (_SEXUAL_ROUTE,)
        return tuple(
            (self.pemdes if p == "pemdes" else p, reason, done, outcome)
            for p, reason, done, outcome in _ROUTES[case.category]
        )

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
        if not _child_when_reported(case):
            return ConsentGiver.SELF, ""
        perpetrators = case.violence.perpetrators if case.violence else ()
        if any(p.relation in _CAREGIVERS for p in perpetrators):
            return ConsentGiver.OTHER_TRUSTED_ADULT, "nenek korban, yang kini mengasuh"
        if self.rng.random() < 0.15:  # parents working abroad: a guardian looks after the child
            return ConsentGiver.GUARDIAN, ""
        return ConsentGiver.PARENT, ""

    def _run(self, case: Case) -> None:
        """The path of case management, with its random turns; the data may end at any
        step (`YearEnd`), leaving the case open."""
        rng = self.rng
        clock = Clock(rng, at(case.reported_on, rng.randint(8, 15), 0, WITA), END)
        run = CaseRun(self.services, case, clock, rng.choice(self._with(Division.DATA)))
        run.record()
        try:
            companion = rng.choice(self._with(Division.COMPLAINTS))
            run.assign(companion)
            run.assess(*self._assessment(run.case))
            routes = self._routes(run.case)
            provider, reason, done, outcome = (
                routes[0] if rng.random() < 0.6 else rng.choice(routes)
            )
            run.plan(
                [
                    (f"rujuk ke {self.names[provider]}: {reason}", companion, 7,
                     self.kinds[provider]),
                    ("kunjungan rumah dan pemantauan", companion, 45, None),
                ]
            )  # fmt: skip
            kinds = {self.kinds[p] for p, *_ in routes}
            sexual = run.case.is_sexual_violence and case.category is CaseCategory.VIOLENCE
            if sexual:
                kinds |= {"police_ppa"}
            if not _child_when_reported(run.case) and rng.random() < 0.08:
                run.consent(ConsentGiver.NONE, note="klien belum bersedia dirujuk")
                run.close(_O.WITHDRAWN, "klien menolak dirujuk dan tidak melanjutkan pendampingan")
                return
            giver, who = self._giver(run.case)
            run.consent(giver, kinds, note=who)
            if rng.random() < 0.4:
                run.note("kunjungan rumah; kondisi klien dicatat")
            referral = run.refer(provider, reason)
            run.done(0, low=0, high=0)
            turn = rng.random()
            if turn < 0.08 and not sexual and len(routes) > 1:
                run.decline(referral, "di luar kewenangan layanan; diarahkan ke lembaga lain")
                provider, reason, done, outcome = rng.choice(
                    [r for r in routes if r[0] != provider]
                )
                referral = run.refer(provider, reason)
            elif turn < 0.12 and not sexual:
                run.cancel(referral, "klien pindah ke luar daerah")
                run.close(_O.MOVED_AWAY, "klien pindah domisili")
                return
            run.accept(referral)
            if rng.random() < 0.4:
                run.follow_referral(referral, "tindak lanjut lewat telepon dengan petugas layanan")
            run.complete(referral, done)
            if sexual:
                self._through_the_legal_process(run)  # open until the data end
            run.follow_up(rng.randint(14, 30), "kunjungan pemantauan")
            run.done(1, low=0, high=0)
            if rng.random() < 0.12:  # the next visit never happened: overdue
                return
            run.follow_up(None, "pemantauan terakhir; kebutuhan terpenuhi",
                          on=run.case.next_follow_up)  # fmt: skip
            run.close(outcome, f"dirujuk ke {self.names[provider]}; {done}")
        except YearEnd:
            pass

    def _through_the_legal_process(self, run: CaseRun) -> None:
        referral = run.refer("ppa-polres-lotim", "laporan polisi (UU TPKS)")
        run.accept(referral, low=0, high=2)
        run.legal(LegalStage.REPORTED_TO_POLICE, "laporan polisi dibuat; korban didampingi")
        run.complete(referral, "laporan diterima; penyidikan dimulai", low=1, high=5)
        run.legal(LegalStage.INVESTIGATION, "saksi diperiksa", low=14, high=40)
        run.follow_up(30, "pendampingan selama proses hukum")
        run.done(1, low=0, high=0)
        for _ in range(6):  # monthly visits while the process runs
            run.follow_up(30, "pendampingan selama proses hukum", on=run.case.next_follow_up)
        run.legal(LegalStage.VERDICT, "putusan pengadilan dibacakan", low=7, high=30)
        raise YearEnd  # accompanied to the end: still open

    # -- Ekonomi

    def _economy(self, year: int) -> None:
        rng = self.rng
        economy = self._with(Division.ECONOMY)
        owners = rng.sample(_FEMALE + _MALE, 3)
        for n, owner in enumerate(owners, start=1):
            pattern, sector = rng.choice(_BUSINESSES)
            bid = f"{self.group}-umkm-{year}-{n}"
            sex = Sex.FEMALE if owner in _FEMALE else Sex.MALE
            hamlet = self._hamlet()
            hamlet_name = next(name for name, _ in self.v.hamlets
                               if self.v.hamlet_id(name) == hamlet)  # fmt: skip
            self.services.register_business(
                Business(
                    bid,
                    self.group,
                    pattern.format(hamlet_name),
                    owner,
                    sex,
                    sector,
                    hamlet_id=hamlet,
                )
            )
            start = date(year, rng.randint(1, 6), rng.randint(1, 28))
            plan = [
                (SupportType.PERMIT_NIB, SupportStatus.ACHIEVED, 3, None, "OSS RBA"),
                rng.choice((
                    (SupportType.PERMIT_PIRT, SupportStatus.ACHIEVED, 60, None,
                     "Dinas Kesehatan Lombok Timur"),
                    (SupportType.PERMIT_HALAL, SupportStatus.IN_PROGRESS, None, None,
                     "SIHALAL, self declare"),
                    (SupportType.MENTORING, SupportStatus.ACHIEVED, 90, None, "pembukuan"),
                )),
                rng.choice((
                    (SupportType.CAPITAL_KUR, SupportStatus.ACHIEVED, 40,
                     rng.choice((10, 15, 25)) * 1_000_000, "KUR mikro, Bank NTB Syariah"),
                    (SupportType.CAPITAL_BUMDES, SupportStatus.ACHIEVED, 30,
                     rng.choice((3, 5, 7)) * 1_000_000, "BUMDes"),
                    (SupportType.CAPITAL_KUR, SupportStatus.FAILED, 45, None,
                     "riwayat kredit bermasalah"),
                    (SupportType.CAPITAL_UMI, SupportStatus.PLANNED, None, None, "UMi"),
                )),
            ]  # fmt: skip
            for s, (type_, status, days, amount, reference) in enumerate(plan, start=1):
                started = start + timedelta(days=30 * (s - 1))
                self.services.record_support(
                    SupportAction(
                        f"{bid}-S{s}", bid, type_, started, status=status,
                        completed_on=None if days is None else started + timedelta(days=days),
                        member_id=rng.choice(economy), amount_rupiah=amount,
                        reference=reference,
                    )
                )  # fmt: skip

    # -- meetings and proposals

    def _forums(self, year: int) -> None:
        v = self.v
        hall = f"Kantor Desa {v.name}"
        meetings = (
            (date(year, 2, 13), MeetingType.KK_MEETING, "Rapat rutin Kelompok Konstituen",
             (Division.COMPLAINTS, Division.DATA, Division.ECONOMY, Division.PUBLIC_RELATIONS),
             Audience(), "Rekap kasus dan rencana kerja bidang."),
            (date(year, 7, 17), MeetingType.MUSYAWARAH_DESA,
             f"Musyawarah desa: rancangan RKPDes {year + 1}", (Division.DATA,),
             Audience(female=12, male=25, with_disability=2),
             "Dipimpin BPD; usulan KK diteruskan ke Musrenbangdes."),
            (date(year, 9, 11), MeetingType.MUSRENBANGDES,
             f"Musrenbangdes Desa {v.name}: RKPDes {year + 1}", (Division.DATA,),
             Audience(female=18, male=40, with_disability=3),
             "Usulan perlindungan perempuan dan anak dibahas dengan rekap kasus."),
        )  # fmt: skip
        ids = []
        for held, type_, title, divisions, others, minutes in meetings:
            present = [m for m in self.board
                       if m.is_active_on(held) and (m.position is not Position.MEMBER
                                                    or m.divisions & set(divisions))]  # fmt: skip
            mid = f"{self.group}-meeting-{held.isoformat()}"
            ids.append(mid)
            self.services.record_meeting(
                Meeting(
                    mid, self.group, title, held, type=type_, place=hall,
                    agenda=("Rekap data kasus per dusun", "Usulan program"),
                    member_ids={m.id for m in present},
                    attendance=Audience(
                        female=sum(m.sex is Sex.FEMALE for m in present),
                        male=sum(m.sex is Sex.MALE for m in present),
                        with_disability=sum(m.has_disability for m in present),
                    ) + others,
                    minutes=minutes,
                )
            )  # fmt: skip
        _, musdes, musrenbang = ids
        lead = next(m.id for m in self.board if m.position is Position.DIVISION_COORDINATOR
                    and Division.DATA in m.divisions)  # fmt: skip
        funded = self.rng.random() < 0.7
        protect = f"{self.group}-usulan-{year}-01"
        self.services.draft_proposal(
            AdvocacyProposal(
                protect, self.group,
                "Program pencegahan perkawinan anak dan pendampingan korban kekerasan",
                Forum.MUSYAWARAH_DESA,
                issue_areas={"child_marriage", "child_protection", "violence_prevention"},
                evidence=(f"rekap kasus KK {v.name} {year} per dusun",),
                requested_rupiah=self.rng.choice((40, 50, 60)) * 1_000_000,
            ),
            at=at(date(year, 7, 1), 10, 0, WITA), actor_id=lead,
        )  # fmt: skip
        # (day, hour, action, meeting, note, rupiah allocated)
        path: list[tuple[date, int, ProposalAction, str | None, str, int | None]] = [
            (date(year, 7, 17), 10, ProposalAction.SUBMIT_MUSDES, musdes, "", None),
            (date(year, 9, 11), 9, ProposalAction.SUBMIT_MUSRENBANGDES, musrenbang, "", None),
            (date(year, 9, 11), 13, ProposalAction.DISCUSS, musrenbang,
             "rekap kasus per dusun dipaparkan", None),
        ]  # fmt: skip
        if funded:
            path += [
                (date(year, 9, 29), 10, ProposalAction.ADOPT_RKPDES, None,
                 f"masuk RKPDes {year + 1}", None),
                (date(year, 12, 18), 14, ProposalAction.FUND_APBDES, None,
                 f"APBDes {year + 1} ditetapkan", self.rng.choice((25, 30, 35)) * 1_000_000),
            ]  # fmt: skip
        else:
            path.append((date(year, 9, 29), 10, ProposalAction.REJECT, None,
                         "pagu anggaran pemberdayaan sudah penuh", None))  # fmt: skip
        for day, hour, action, meeting, note, rupiah in path:
            self.services.advance_proposal(
                protect, action, at=at(day, hour, 0, WITA), actor_id=lead, note=note,
                meeting_id=meeting, allocated_rupiah=rupiah,
                budget_field=ApbdesField.COMMUNITY if rupiah is not None else None,
            )  # fmt: skip


def _child_when_reported(case: Case) -> bool:
    """Under 18 on the report date: consent is then a caregiver's."""
    age = case.age_at(case.reported_on)
    return age is not None and age < 18


def demo_store(seed: int = 2025, progress: Callable[[str], None] = lambda step: None) -> Store:
    """A memory store holding the whole demo."""
    store = open_store("memory://")
    build_demo(store, seed=seed, progress=progress)
    return store
