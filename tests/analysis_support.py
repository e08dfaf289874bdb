"""A synthetic year of a village's KK for the analysis tests and the brief (not a test
module): hamlets, cases of every category with referrals, business support, sessions
and proposals. Deterministic (seeded); made with the records' own constructors."""

from __future__ import annotations

import random
from datetime import date, timedelta

from kk_core.advocacy import AdvocacyProposal
from kk_core.case_parts import ChildMarriage, Perpetrator, ViolenceIncident
from kk_core.cases import Case, Subject
from kk_core.codes import (
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    Forum,
    IntakeChannel,
    MarriageRoute,
    ProposalStatus,
    ReferralStatus,
    SessionFormat,
    Sex,
    SupportStatus,
    SupportType,
    ViolenceForm,
)
from kk_core.economy import Business, SupportAction
from kk_core.groups import ConstituentGroup
from kk_core.kinds import Record
from kk_core.outreach import Audience, InformationSession
from kk_core.places import Hamlet, Village
from kk_core.referrals import Referral, ServiceProvider

VILLAGE = "52.03.17.2003"  # Desa Teros, Labuhan Haji, Lombok Timur
GROUP = "kk-teros"
HAMLETS = (
    ("teros-timur", "Teros Timur"),
    ("teros-barat", "Teros Barat"),
    ("lendang-bajur", "Lendang Bajur"),
    ("gubuk-baru", "Gubuk Baru"),
    ("pancor-kopong", "Pancor Kopong"),
    ("montong-are", "Montong Are"),
)
PROVIDERS = (
    ("uptd-ppa-lotim", "uptd_ppa", "UPTD PPA Lombok Timur"),
    ("puskesmas-labuhan-haji", "puskesmas", "Puskesmas Labuhan Haji"),
    ("kua-labuhan-haji", "kua", "KUA Labuhan Haji"),
    ("dinsos-lotim", "dinas_sosial", "Dinas Sosial Lombok Timur"),
    ("dukcapil-lotim", "dukcapil", "Dukcapil Lombok Timur"),
)
_FOR = {
    CaseCategory.VIOLENCE: "uptd-ppa-lotim",
    CaseCategory.CHILD_MARRIAGE: "kua-labuhan-haji",
    CaseCategory.SOCIAL_PROTECTION: "dinsos-lotim",
    CaseCategory.CIVIL_REGISTRATION: "dukcapil-lotim",
    CaseCategory.SCHOOL_DROPOUT: "dinsos-lotim",
    CaseCategory.DISABILITY_SUPPORT: "puskesmas-labuhan-haji",
    CaseCategory.OTHER: "puskesmas-labuhan-haji",
}
_WEIGHTS = {
    CaseCategory.VIOLENCE: 30,
    CaseCategory.CHILD_MARRIAGE: 18,
    CaseCategory.SCHOOL_DROPOUT: 14,
    CaseCategory.SOCIAL_PROTECTION: 22,
    CaseCategory.CIVIL_REGISTRATION: 12,
    CaseCategory.DISABILITY_SUPPORT: 5,
    CaseCategory.OTHER: 4,
}
_SUB = {
    CaseCategory.SCHOOL_DROPOUT: ("dropout_sd", "dropout_smp", "dropout_sma", "not_continuing"),
    CaseCategory.SOCIAL_PROTECTION: ("not_in_dtsen", "pbi_inactive", "decile_too_high"),
}


def _case(rng: random.Random, i: int, year: int) -> tuple[Case, list[Referral]]:
    category = rng.choices(list(_WEIGHTS), weights=list(_WEIGHTS.values()))[0]
    reported = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    hamlet = rng.choice(HAMLETS)[0]
    child = (
        category in (CaseCategory.CHILD_MARRIAGE, CaseCategory.SCHOOL_DROPOUT) or rng.random() < 0.4
    )
    age = (
        rng.randint(13, 17)
        if category is CaseCategory.CHILD_MARRIAGE
        else (rng.randint(6, 17) if child else rng.randint(18, 70))
    )
    sex = Sex.FEMALE if category is CaseCategory.CHILD_MARRIAGE or rng.random() < 0.7 else Sex.MALE
    violence = None
    marriage = None
    if category is CaseCategory.VIOLENCE:
        forms = rng.choice(
            (
                {ViolenceForm.PHYSICAL},
                {ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL},
                {ViolenceForm.PSYCHOLOGICAL},
                {ViolenceForm.NEGLECT},
            )
        )
        relations = rng.choice((("spouse",), ("parent",), ("neighbour",), ("family", "family")))
        violence = ViolenceIncident(
            frozenset(forms),
            rng.choice(("household", "household", "school", "public_facility")),
            perpetrators=tuple(Perpetrator(r) for r in relations),
            occurred_on=reported - timedelta(days=rng.randrange(10)),
        )
    if category is CaseCategory.CHILD_MARRIAGE:
        marriage = ChildMarriage(
            event_on=reported - timedelta(days=rng.randrange(20)),
            routes=frozenset(
                rng.sample(
                    (MarriageRoute.MERARIQ, MarriageRoute.NIKAH_SIRI, MarriageRoute.ARRANGED),
                    rng.randint(1, 2),
                )
            ),
        )
    closed = rng.random() < 0.45 and reported < date(year, 11, 1)
    status = (
        CaseStatus.CLOSED
        if closed
        else rng.choice((CaseStatus.REPORTED, CaseStatus.ACTIVE, CaseStatus.REFERRED))
    )
    case = Case(
        f"kasus-{year}-{i:04d}",
        GROUP,
        VILLAGE,
        reported,
        rng.choice(list(IntakeChannel)),
        category,
        Subject(sex, age_years=age, hamlet_id=hamlet),
        subcategory=rng.choice(_SUB[category]) if category in _SUB else None,
        programme=rng.choice(("pkh", "bpnt", "pbi_jkn"))
        if category is CaseCategory.SOCIAL_PROTECTION
        else None,
        violence=violence,
        child_marriage=marriage,
        companion_id=None
        if status is CaseStatus.REPORTED
        else f"kk-teros-m{rng.randint(1, 6):02d}",
        status=status,
        outcome=CaseOutcome.RESOLVED if closed else None,
        closed_on=reported + timedelta(days=rng.randint(5, 60)) if closed else None,
        next_follow_up=None if closed else reported + timedelta(days=rng.randint(7, 90)),
    )
    referrals = []
    if rng.random() < 0.55:
        sent = reported + timedelta(days=rng.randint(0, 5))
        provider = _FOR[category]
        service = next(s for p, s, _ in PROVIDERS if p == provider)
        outcome = rng.random()
        kwargs: dict[str, object] = {}
        if outcome < 0.15:
            kwargs = {
                "status": ReferralStatus.DECLINED,
                "responded_on": sent + timedelta(days=rng.randint(1, 9)),
            }
        elif outcome < 0.7:
            responded = sent + timedelta(days=rng.randint(0, 12))
            kwargs = {
                "status": ReferralStatus.COMPLETED,
                "responded_on": responded,
                "completed_on": responded + timedelta(days=rng.randint(1, 40)),
                "outcome": "layanan diberikan",
            }
        elif outcome < 0.85:
            kwargs = {
                "status": ReferralStatus.ACCEPTED,
                "responded_on": sent + timedelta(days=rng.randint(0, 12)),
            }
        kwargs["follow_up_due"] = sent + timedelta(days=rng.randint(7, 30))
        referrals.append(
            Referral(
                f"rujukan-{case.id}",
                case.id,
                provider,
                "dirujuk",
                sent,
                consent_given=True,
                service=service,
                **kwargs,
            )  # type: ignore[arg-type]
        )
    return case, referrals


def village_year(year: int = 2025, cases: int = 160, seed: int = 13) -> list[Record]:
    """Every record of the synthetic year, parents first."""
    rng = random.Random(seed)
    records: list[Record] = [
        Village(VILLAGE, "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat"),
        ConstituentGroup(GROUP, VILLAGE, "KK Desa Teros"),
        *(Hamlet(hid, VILLAGE, name) for hid, name in HAMLETS),
        *(ServiceProvider(pid, service, name) for pid, service, name in PROVIDERS),
    ]
    for i in range(cases):
        case, referrals = _case(rng, i, year)
        records += [case, *referrals]
    for b in range(14):
        business = Business(
            f"usaha-{b:02d}",
            GROUP,
            f"Usaha {b}",
            f"Pemilik {b}",
            Sex.FEMALE if b % 3 else Sex.MALE,
            rng.choice(("food_processing", "handicraft", "trade")),
            hamlet_id=rng.choice(HAMLETS)[0],
        )
        records.append(business)
        for s, kind in enumerate(rng.sample(list(SupportType), 3)):
            started = date(year, 1, 1) + timedelta(days=rng.randrange(300))
            done = rng.random() < 0.6
            records.append(
                SupportAction(
                    f"dukungan-{b:02d}-{s}",
                    business.id,
                    kind,
                    started,
                    status=SupportStatus.ACHIEVED if done else SupportStatus.IN_PROGRESS,
                    completed_on=started + timedelta(days=rng.randint(5, 40)) if done else None,
                    amount_rupiah=rng.choice((5, 10, 25)) * 1_000_000
                    if kind.is_capital and done
                    else None,
                )
            )
    for s in range(10):
        women = rng.randint(8, 40)
        men = rng.randint(3, 25)
        records.append(
            InformationSession(
                f"sosialisasi-{s:02d}",
                GROUP,
                rng.choice(("Pencegahan perkawinan anak", "Adminduk", "DTSEN")),
                rng.choice((SessionFormat.IN_PERSON, SessionFormat.HOUSE_VISIT)),
                date(year, 1, 10) + timedelta(days=30 * s),
                Audience(women, men, rng.randint(0, 4)),
                hamlet_id=rng.choice(HAMLETS)[0],
            )
        )
    for p, status in enumerate(
        (
            ProposalStatus.FUNDED_APBDES,
            ProposalStatus.IN_MUSDES,
            ProposalStatus.IN_RKPDES,
            ProposalStatus.REJECTED,
            ProposalStatus.DRAFT,
        )
    ):
        records.append(
            AdvocacyProposal(
                f"usulan-{year}-{p}",
                GROUP,
                f"Usulan {p}",
                Forum.MUSYAWARAH_DESA if p % 2 else Forum.MUSYAWARAH_DUSUN,
                status=status,
                requested_rupiah=(p + 1) * 15_000_000,
                allocated_rupiah=12_000_000 if status is ProposalStatus.FUNDED_APBDES else None,
                cycle_year=year + 1 if status is not ProposalStatus.DRAFT else None,
                village_id=VILLAGE,
            )
        )
    return records
