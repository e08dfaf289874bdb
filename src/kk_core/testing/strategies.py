"""Hypothesis strategies that generate valid records of every kind, and their parts.

Adapter authors reuse these to prove a store keeps whatever the domain allows::

    from hypothesis import given
    from kk_core.testing.strategies import records

    @given(records())
    def test_put_then_get(record):
        store.put(record)
        assert store.get(type(record), record.id) == record

Every strategy generates records that satisfy every invariant of their class. Records
with a lifecycle (cases, referrals, advocacy proposals) are taken through a random run
of their lifecycle, so ``status`` always matches the last event of the ``timeline`` and
the timeline reads forwards in time (time-zone aware, one zone per record).

Ids are short printable ASCII strings; village ids are codes the Kemendagri table lists
(`kk_core.regions`), and a village bears its code's official name. Names and
free text are sometimes realistic Indonesian, sometimes arbitrary unicode (accents,
scripts, emoji, newlines) and sometimes long (up to a few thousand characters; at most
`kk_core.values.MAX_KEY_LENGTH` for the texts stores index, such as a village's name or
a publication's topic). Text never holds what `kk_core.values` refuses: no NUL, no lone
surrogates, no number shaped like an identity number (16 digits however grouped).
Identity numbers are pseudonyms made by `kk_core.privacy.pseudonymise` under `TEST_KEY`.

Foreign keys (``group_id``, ``case_id`` …) are random unless given, so a test can build
a coherent graph: ``cases(group_id=group.id, village_id=group.village_id)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar, overload

import attrs
from hypothesis import strategies as st

from kk_core import regions
from kk_core._text import NIK_RUN
from kk_core.advocacy import (
    PROPOSAL_LIFECYCLE,
    AdvocacyProposal,
    adopt_proposal,
    agree_awig_awig,
    carry_over_proposal,
    discuss_proposal,
    draft_proposal,
    enact_perdes,
    fund_proposal,
    issue_perkades,
    reject_proposal,
    submit_proposal,
)
from kk_core.business_groups import BusinessGroup
from kk_core.case_lifecycle import (
    CASE_LIFECYCLE,
    _who_may_consent,
    add_note,
    assess_case,
    assign_companion,
    change_risk,
    close_case,
    follow_up_case,
    plan_case,
    record_consent,
    record_legal_step,
    refer_case,
    reopen_case,
    report_case,
    resume_case,
    update_case,
)
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
    AccommodationNeed,
    Affiliation,
    AgeBand,
    ApbdesField,
    AssentDecision,
    AssentMethod,
    CaseAction,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    ChildMarriageResult,
    CivilDocument,
    ConsentGiver,
    DataRecipient,
    DifficultyLevel,
    DisabilityType,
    DispensationResult,
    Division,
    DropoutReason,
    ExploitationKind,
    Forum,
    FunctioningSet,
    GroupFunction,
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
    ProposalStatus,
    PublicationChannel,
    QuestionChannel,
    QuestionResolution,
    ReferralAction,
    ReferralStatus,
    Reporter,
    RiskLevel,
    ServiceKind,
    SessionFormat,
    Sex,
    SupportStatus,
    SupportType,
    TpksForm,
    TrainingOrganiser,
    ViolenceForm,
)
from kk_core.data_updates import DataUpdate
from kk_core.disability import Disability
from kk_core.economy import Business, SupportAction
from kk_core.errors import TransitionError
from kk_core.groups import ConstituentGroup, Member
from kk_core.import_marks import ImportMark, letters_digest
from kk_core.information_centre import ResidentQuestion
from kk_core.kinds import RECORD_KINDS, Record, record_type
from kk_core.lifecycle import Event, Step
from kk_core.meetings import Meeting, Speaker
from kk_core.outreach import Audience, InformationSession, Publication
from kk_core.places import Hamlet, Village, is_kelurahan
from kk_core.privacy import pseudonymise
from kk_core.referrals import (
    REFERRAL_LIFECYCLE,
    Referral,
    ServiceProvider,
    accept_referral,
    cancel_referral,
    complete_referral,
    decline_referral,
    follow_up_referral,
    send_referral,
)
from kk_core.training import Training
from kk_core.values import MAX_KEY_LENGTH

__all__ = [
    "EARLIEST",
    "LATEST",
    "RECORD_STRATEGIES",
    "TEST_KEY",
    "advocacy_proposals",
    "audiences",
    "aware_datetimes",
    "business_groups",
    "businesses",
    "cases",
    "consents",
    "data_updates",
    "dates",
    "disabilities",
    "events",
    "groups",
    "hamlets",
    "ids",
    "information_sessions",
    "meetings",
    "members",
    "names",
    "niks",
    "pseudonyms",
    "publications",
    "records",
    "records_of",
    "referrals",
    "resident_questions",
    "rupiah",
    "service_providers",
    "speakers",
    "subjects",
    "support_actions",
    "texts",
    "time_zones",
    "trainings",
    "village_codes",
    "villages",
    "violence_incidents",
]

T = TypeVar("T")

#: The pseudonymisation key the strategies use for `Subject.identity` (test data only).
TEST_KEY: bytes = b"kk-testing-not-a-real-key"

#: First and last day the strategies use for reported, sent, held … dates.
EARLIEST = date(2015, 1, 1)
LATEST = date(2035, 12, 31)

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

# Any unicode a text column can hold: no lone surrogates, no NUL.
_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")

_SAMPLE_NAMES = (
    "Baiq Nurul Hidayati",
    "Lalu Muhammad Zainuddin",
    "Ni Made Ayu Sukmawati",
    "Sri Wahyuni",
    "Hj. Siti Aminah, S.Pd.",
    "Kelompok Konstituen Desa Teros",
    "Dusun Lendang Nangka",
    "UPTD PPA Kabupaten Lombok Timur",
    "Warung Bu Inaq Sahnun",
    "Sosialisasi pencegahan perkawinan anak",
    "Zoë Ñúñez-Çelik",
    "José Ramos-Horta",
)

_SAMPLE_TEXTS = (
    "",
    "Kunjungan rumah; korban didampingi ibunya.",
    "Rapat koordinasi bersama Kepala Desa dan BPD.",
    "Usulan: rumah aman sementara bagi korban kekerasan\ndi Dusun Teros Utara.",
    "Follow-up by phone (WhatsApp), no answer.",
    "«Tidak ada» — Kader Posyandu",
    "Anak putus sekolah kelas 8 😔 ingin kembali bersekolah",
)

#: Provinces of Lombok and nearby, so most village codes look familiar.
_PROVINCES = ("52", "53", "51", "35", "73")


# --------------------------------------------------------------------------- basics
#
# Strategy objects are built once and shared (hypothesis validates each new object on
# first use, which costs more than drawing from it); values that depend on an earlier
# draw are drawn as offsets from shared strategies.

_IDS = st.text(_ID_ALPHABET, min_size=1, max_size=12)
_OPTIONAL_IDS = st.none() | _IDS


def ids() -> st.SearchStrategy[str]:
    """Short printable ASCII ids (1–12 characters of letters, digits, ``-`` and ``_``)."""
    return _IDS


def _listed_village_codes() -> st.SearchStrategy[str]:
    """Built on first draw, so importing the strategies does not read the region table."""
    listed = [v.code for v in regions.villages()]
    nearby = [code for code in listed if code[:2] in _PROVINCES]
    return st.one_of(st.sampled_from(nearby), st.sampled_from(listed))


_VILLAGE_CODES = st.deferred(_listed_village_codes)


def village_codes() -> st.SearchStrategy[str]:
    """Village codes ``PP.RR.DD.VVVV`` the Kemendagri table lists (desa, kelurahan and
    desa adat of all Indonesia, villages of Bali, Nusa Tenggara, Jawa Timur and Sulawesi
    Selatan more often)."""
    return _VILLAGE_CODES


def _repeat(chunk: str, times: int) -> str:
    return chunk * times


def _hash_mark(run: re.Match[str]) -> str:
    return "#" * len(run.group())


def _without_nik(text: str) -> str:
    """Text with any run of 16+ digits (a repeated "0" chunk, say) turned into ``#``s."""
    return NIK_RUN.sub(_hash_mark, text) if len(text) >= 16 else text


def _key_length(text: str) -> str:
    return text[:MAX_KEY_LENGTH]


# A few thousand characters, cheaply: a short unicode chunk repeated.
_LONG_TEXT = st.builds(_repeat, st.text(_CHARS, min_size=1, max_size=12), st.integers(60, 300)).map(
    _without_nik
)
# ... and cut to what an indexed text may hold
_LONG_KEY_TEXT = _LONG_TEXT.map(_key_length)


@cache
def _texts(min_size: int, long: st.SearchStrategy[str] = _LONG_TEXT) -> st.SearchStrategy[str]:
    short = st.text(_CHARS, min_size=min_size, max_size=40).map(_without_nik)
    samples = [t for t in _SAMPLE_TEXTS if len(t) >= min_size]
    return st.one_of(st.sampled_from(samples), short, long)


def texts(*, min_size: int = 0) -> st.SearchStrategy[str]:
    """Free text (notes, minutes, summaries): realistic, arbitrary unicode, or long."""
    return _texts(min_size)


def _not_blank(text: str) -> bool:
    return bool(text.strip())


_SHORT_NAMES = st.text(_CHARS, min_size=1, max_size=40).map(_without_nik).map(str.strip)
_NAMES = st.one_of(st.sampled_from(_SAMPLE_NAMES), _SHORT_NAMES, _LONG_TEXT.map(str.strip)).filter(
    bool
)
# Names a store indexes (a village's, a hamlet's, a topic): at most MAX_KEY_LENGTH
_KEY_NAMES = st.one_of(
    st.sampled_from(_SAMPLE_NAMES), _SHORT_NAMES, _LONG_KEY_TEXT.map(str.strip)
).filter(bool)
_KEY_TEXTS = _texts(0, _LONG_KEY_TEXT)
# Free text a guard needs to be non-blank (a reason, a note).
_NOTES = _texts(1).filter(_not_blank)


def names() -> st.SearchStrategy[str]:
    """Names and titles: never blank, no surrounding whitespace, sometimes unicode or long."""
    return _NAMES


@cache
def _dates(min_value: date, max_value: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=min_value, max_value=max_value)


def dates(min_value: date = EARLIEST, max_value: date = LATEST) -> st.SearchStrategy[date]:
    """Calendar days, by default in 2015–2035."""
    return _dates(min_value, max_value)


_DATES = _dates(EARLIEST, LATEST)
_OPTIONAL_DATES = st.none() | _DATES
_TIME_ZONES: st.SearchStrategy[tzinfo] = st.one_of(
    st.sampled_from([UTC, *(timezone(timedelta(hours=h)) for h in (7, 8, 9))]),
    st.integers(-12 * 4, 14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q))),
)
_TIMES = st.times()


def time_zones() -> st.SearchStrategy[tzinfo]:
    """UTC and Indonesia's WIB/WITA/WIT mostly, any quarter-hour offset sometimes."""
    return _TIME_ZONES


def _moment_on(draw: st.DrawFn, day: date, tz: tzinfo | None = None) -> datetime:
    zone = tz if tz is not None else draw(_TIME_ZONES)
    return datetime.combine(day, draw(_TIMES), tzinfo=zone)


@st.composite
def aware_datetimes(
    draw: st.DrawFn,
    min_value: date = EARLIEST,
    max_value: date = LATEST,
    tz: tzinfo | None = None,
) -> datetime:
    """Time-zone aware date-times whose local date lies in ``[min_value, max_value]``."""
    return _moment_on(draw, draw(dates(min_value, max_value)), tz)


# later by nothing, or by a minute to a month
_DELAY_MINUTES = st.one_of(st.just(0), st.integers(1, 60 * 24 * 30))
_DAYS_AHEAD = st.integers(0, 60)
_DAYS_LONG = st.integers(0, 3 * 365)


def _later(draw: st.DrawFn, at: datetime) -> datetime:
    """A moment not before ``at``, in the same zone (so its local date never goes back)."""
    return at + timedelta(minutes=draw(_DELAY_MINUTES))


def _days_after(draw: st.DrawFn, day: date, days: st.SearchStrategy[int] = _DAYS_LONG) -> date:
    return day + timedelta(days=draw(days))


_NIKS = st.text("0123456789", min_size=16, max_size=16)


def niks() -> st.SearchStrategy[str]:
    """Sixteen-digit identity numbers (NIK) — only ever pseudonymised by the strategies."""
    return _NIKS


@cache
def _pseudonyms(key: bytes) -> st.SearchStrategy[str]:
    return _NIKS.map(lambda nik: pseudonymise(nik, key))


def pseudonyms(key: bytes = TEST_KEY) -> st.SearchStrategy[str]:
    """Identity pseudonyms as `kk_core.privacy.pseudonymise` makes them under ``key``."""
    return _pseudonyms(key)


@cache
def _rupiah(max_value: int) -> st.SearchStrategy[int]:
    return st.integers(0, max_value)


def rupiah(max_value: int = 10**12) -> st.SearchStrategy[int]:
    """Whole rupiah amounts (fit in a signed 64-bit column)."""
    return _rupiah(max_value)


@cache
def _one(values: Any) -> Any:
    """One of an enum's members (or of a tuple of values)."""
    return st.sampled_from(list(values))


@cache
def _subset(values: Any, min_size: int = 0, max_size: int | None = None) -> Any:
    return st.frozensets(_one(values), min_size=min_size, max_size=max_size)


@cache
def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def _given(draw: st.DrawFn, value: T | None, strategy: st.SearchStrategy[T]) -> T:
    return draw(strategy) if value is None else value


_BOOLS = st.booleans()
_COUNTS = st.integers(0, 500)
_AGES = st.integers(0, 100)
_AGE_DAYS = st.integers(0, int(95 * 365.25))
_INITIALS = st.one_of(
    st.just(""),
    st.lists(st.sampled_from("ABCDEFGHIJKLMNOPRSTUWYÉÜ"), min_size=1, max_size=3).map(
        lambda letters: "".join(f"{c}." for c in letters)
    ),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3),
)


# --------------------------------------------------------------------------- parts

#: Most people answer "no difficulty" everywhere; some, a lot and cannot are rarer.
_LEVELS = st.sampled_from(
    (
        *(DifficultyLevel.NONE,) * 5,
        DifficultyLevel.SOME,
        DifficultyLevel.A_LOT,
        DifficultyLevel.CANNOT,
    )
)


@st.composite
def disabilities(draw: st.DrawFn, age: int | None = None) -> Disability:
    """A person's functioning: a question set (the one for ``age`` when given), a level
    for each of its domains, the UU 8/2016 types and accommodation needs (often nothing
    at all)."""
    if draw(_BOOLS_MOSTLY) and draw(_BOOLS):
        return Disability()
    if age is None:
        question_set = draw(_one(FunctioningSet))
    else:
        question_set = FunctioningSet.for_age(age) or FunctioningSet.WG_SS
        if age < 2:
            return Disability()
    levels = {domain: draw(_LEVELS) for domain in sorted(question_set.domains)}
    recorded_types = tuple(t for t in DisabilityType if t is not DisabilityType.MULTIPLE)
    return Disability.from_levels(
        levels,
        question_set=question_set,
        types=draw(_subset(recorded_types)),
        accommodations=draw(_subset(AccommodationNeed)),
    )


_DISABILITIES = disabilities()


def _subject_on(draw: st.DrawFn, day: date, *, max_age: int | None = None) -> Subject:
    """A subject reported on ``day`` (and at most ``max_age`` then, when given)."""
    how = draw(st.sampled_from(("birth", "birth_year", "age", "unknown", "both")))
    oldest = 95 if max_age is None else max_age
    age_then = draw(st.integers(0, oldest))
    birth_year = birth_month = age_years = None
    if how in ("birth", "birth_year", "both"):
        # born so that on ``day`` the subject is ``age_then`` (the youngest they can be)
        birth_month = draw(st.integers(1, 12)) if how != "birth_year" else None
        birth_year = day.year - age_then - 1
        if birth_month is not None and day.month > birth_month:
            birth_year += 1
        birth_year = min(birth_year, day.year)
        if birth_month is not None and (birth_year, birth_month) > (day.year, day.month):
            birth_month = day.month
        if how == "both":
            age_years = age_on(birth_year, birth_month, day)
    elif how == "age":
        age_years = age_then
    return Subject(
        draw(_one(Sex)),
        birth_year=birth_year,
        birth_month=birth_month,
        age_years=age_years,
        disability=draw(disabilities(age=age_then)),
        hamlet_id=draw(_OPTIONAL_IDS),
        initials=draw(_INITIALS),
        identity=draw(_optional(_pseudonyms(TEST_KEY))),
    )


@st.composite
def subjects(draw: st.DrawFn, on: date | None = None) -> Subject:
    """The client of a case, reported on ``on`` when given (born before it)."""
    return _subject_on(draw, on if on is not None else draw(_DATES))


_PLACES = tuple(CODE_LISTS["incident_place"].codes)
_RELATIONS = tuple(CODE_LISTS["perpetrator_relation"].codes)
_SERVICES = tuple(CODE_LISTS["service_kind"].codes)
_PROGRAMMES = tuple(CODE_LISTS["social_programme"].codes)


def _perpetrator(draw: st.DrawFn) -> Perpetrator:
    how = draw(st.sampled_from(("age", "band", "child", "unknown")))
    age = draw(st.integers(8, 80)) if how == "age" else None
    band = draw(_one(AgeBand)) if how == "band" else None
    return Perpetrator(
        draw(_one(_RELATIONS)),
        sex=draw(_optional(_one(Sex))),
        age_years=age,
        age_band=band,
        is_child=draw(_BOOLS) if how == "child" else None,
        is_caregiver=draw(st.sampled_from((False, False, False, True))),
    )


@st.composite
def perpetrators(draw: st.DrawFn) -> Perpetrator:
    """An alleged perpetrator: a relation, and the age, the band or whether a child."""
    return _perpetrator(draw)


def _violence_incident(draw: st.DrawFn, reported_on: date | None = None) -> ViolenceIncident:
    occurred_on = draw(_OPTIONAL_DATES)
    if occurred_on is not None and reported_on is not None and occurred_on > reported_on:
        occurred_on = reported_on  # an incident is reported after it happened
    forms = draw(_subset(ViolenceForm, 1))
    tpks = draw(_subset(TpksForm, max_size=3))
    sexual = ViolenceForm.SEXUAL in forms or bool(tpks)
    return ViolenceIncident(
        forms,
        draw(_one(_PLACES)),
        perpetrators=tuple(_perpetrator(draw) for _ in range(draw(st.integers(0, 3)))),
        occurred_on=occurred_on,
        incident_id=draw(_OPTIONAL_IDS),
        tpks_forms=tpks,
        penetration=draw(_optional(_one(Penetration))) if sexual else None,
        exploitation=(
            draw(_optional(_one(ExploitationKind))) if ViolenceForm.EXPLOITATION in forms else None
        ),
        exchange=draw(_BOOLS),
        resources_withheld=draw(_BOOLS),
    )


@st.composite
def violence_incidents(draw: st.DrawFn) -> ViolenceIncident:
    """What happened: SIMFONI forms, UU TPKS forms, a place, perpetrators, the detail
    the GBVIMS classification reads."""
    return _violence_incident(draw)


def _with_details(
    case: Case, violence: ViolenceIncident | None, marriage: ChildMarriage | None
) -> Case:
    """The case with its incident details, their days moved to "unknown" when they fall
    before the subject's birth, and the subject's age at the marriage its own."""
    if violence is not None and violence.occurred_on is not None:
        try:
            attrs.evolve(case, violence=violence)
        except ValueError:
            violence = attrs.evolve(violence, occurred_on=None)
    if marriage is not None:
        if marriage.event_on is not None:
            try:
                attrs.evolve(case, child_marriage=attrs.evolve(marriage, parties=()))
            except ValueError:
                marriage = attrs.evolve(marriage, event_on=None)
        age = case.age_at(marriage.event_on or case.reported_on)
        # the subject is the bride or the groom by her or his sex, the other the other
        own = MarriageRole.BRIDE if case.subject.sex is Sex.FEMALE else MarriageRole.GROOM
        other = MarriageRole.GROOM if own is MarriageRole.BRIDE else MarriageRole.BRIDE
        parties = tuple(
            attrs.evolve(
                p,
                role=own if p.is_subject else other,
                age_years=age if p.is_subject and p.age_years is not None else p.age_years,
            )
            for p in marriage.parties
        )
        marriage = attrs.evolve(marriage, parties=parties)
    return attrs.evolve(case, violence=violence, child_marriage=marriage)


def _child_marriage(draw: st.DrawFn, reported_on: date) -> ChildMarriage:
    routes = draw(_subset(MarriageRoute, max_size=3))
    dispensation = MarriageRoute.DISPENSATION in routes
    parties = [
        MarriageParty(
            MarriageRole.BRIDE, age_years=draw(_optional(st.integers(12, 30))), is_subject=True
        )
    ]
    if draw(_BOOLS):
        parties.append(
            MarriageParty(MarriageRole.GROOM, age_years=draw(_optional(st.integers(14, 60))))
        )
    decided = draw(_optional(_one(DispensationResult))) if dispensation else None
    result = draw(_optional(_one(ChildMarriageResult)))
    if (
        result is ChildMarriageResult.MARRIED_REGISTERED
        and decided is not DispensationResult.GRANTED
    ):
        result = ChildMarriageResult.MARRIED_UNREGISTERED  # registered only by dispensation
    return ChildMarriage(
        event_on=reported_on - timedelta(days=draw(st.integers(0, 300))) if draw(_BOOLS) else None,
        parties=tuple(parties),
        routes=routes,
        court=draw(_optional(_one(MarriageCourt))) if dispensation else None,
        dispensation=decided,
        result=result,
        against_will=draw(_BOOLS),
    )


@st.composite
def child_marriages(draw: st.DrawFn, reported_on: date | None = None) -> ChildMarriage:
    """The detail of a (planned) child marriage."""
    return _child_marriage(draw, reported_on if reported_on is not None else draw(_DATES))


def _consent_on(draw: st.DrawFn, day: date, case: Case | None = None) -> Consent:
    """A consent recorded on ``day``; for ``case``, one its lifecycle allows (the right
    giver for the subject's age, never an implicated one, the child's assent from 6)."""
    if case is None:
        return _a_consent(draw, day, draw(_one(ConsentGiver)), draw(_BOOLS))
    age = case.age_at(day)
    child = age is None or age < 18
    step = Step(CaseAction.RECORD_CONSENT, datetime.combine(day, time(12), UTC))
    for giver in draw(st.permutations(list(ConsentGiver))):
        asked = child and age is not None and age >= 6 and giver is not ConsentGiver.NONE
        consent = _a_consent(draw, day, giver, asked)
        if _who_may_consent(case, attrs.evolve(step, details={"consent": consent})) is None:
            return consent
    raise AssertionError("no giver may consent for this case")  # pragma: no cover


def _a_consent(draw: st.DrawFn, day: date, giver: ConsentGiver, asked: bool) -> Consent:
    given = giver is not ConsentGiver.NONE  # no consent covers nothing
    best_interest = giver is ConsentGiver.BEST_INTEREST
    return Consent(
        giver,
        day,
        services=draw(_subset(_SERVICES, 1, 3)) if given else frozenset(),
        to_share_data=given and draw(_BOOLS),
        assent=Assent(draw(_one(AssentDecision)), day, method=draw(_optional(_one(AssentMethod))))
        if asked
        else None,
        approved_by=draw(_IDS) if best_interest else draw(_OPTIONAL_IDS),
        note=draw(_NOTES) if best_interest else draw(_texts(0)),
    )


@st.composite
def consents(draw: st.DrawFn, on: date | None = None, case: Case | None = None) -> Consent:
    """A consent record (recorded on ``on`` when given); for ``case``, one the case
    lifecycle accepts for it (the right giver, the child's assent)."""
    return _consent_on(draw, on if on is not None else draw(_DATES), case)


def _assessment_on(draw: st.DrawFn, day: date) -> Assessment:
    return Assessment(
        day,
        draw(_one(RiskLevel)),
        needs=draw(_subset(NeedDomain)),
        by=draw(_OPTIONAL_IDS),
        note=draw(_texts(0)),
    )


def _plan_on(draw: st.DrawFn, day: date) -> tuple[PlanAction, ...]:
    return tuple(
        PlanAction(
            draw(_NOTES),
            draw(_IDS),
            day + timedelta(days=draw(st.integers(0, 90))),
            done_on=day + timedelta(days=draw(st.integers(0, 90))) if draw(_BOOLS) else None,
            service=draw(_optional(_one(_SERVICES))),
        )
        for _ in range(draw(st.integers(1, 3)))
    )


_ACTIONS = tuple(a.value for a in (*CaseAction, *ReferralAction, *ProposalAction))
_STATES = tuple(s.value for s in (*CaseStatus, *ReferralStatus, *ProposalStatus))


@st.composite
def events(draw: st.DrawFn) -> Event:
    """A timeline event on its own (any action and states of the three lifecycles)."""
    return Event(
        _moment_on(draw, draw(_DATES)),
        draw(_one(_ACTIONS)),
        draw(_optional(_one(_STATES))),
        draw(_one(_STATES)),
        actor_id=draw(_OPTIONAL_IDS),
        note=draw(_texts(0)),
        ref=draw(_OPTIONAL_IDS),
    )


def _audience(draw: st.DrawFn, min_total: int = 0) -> Audience:
    female = draw(_COUNTS)
    male = max(0, min_total - female) + draw(_COUNTS)
    with_disability = min(draw(_COUNTS), female + male)
    return Audience(female, male, with_disability)


@st.composite
def audiences(draw: st.DrawFn, min_total: int = 0) -> Audience:
    """Head counts with ``female + male >= min_total`` and disability within the total."""
    return _audience(draw, min_total)


def _speaker(draw: st.DrawFn) -> Speaker:
    return Speaker(draw(_NAMES), draw(_texts(0)), draw(_texts(0)), draw(_texts(0)))


@st.composite
def speakers(draw: st.DrawFn) -> Speaker:
    """A resource person (narasumber)."""
    return _speaker(draw)


# --------------------------------------------------------------------------- records


# How people write a village's kind before its name, by the code's village number
# (a desa adat's official name already begins "Desa Adat").
_VILLAGE_PREFIXES = {"1": "Kelurahan ", "2": "Desa "}


@st.composite
def villages(draw: st.DrawFn) -> Village:
    """Villages keyed by a listed Kemendagri code, named as the table names them (as
    written, upper case, or with "Desa"/"Kelurahan" in front: all match the official
    name), with the official names of their district, regency and province."""
    code = draw(_VILLAGE_CODES)
    province, regency, district, village = regions.chain(code)
    prefix = _VILLAGE_PREFIXES.get(code[9], "")
    spelling = draw(st.sampled_from((village.name, village.name.upper(), prefix + village.name)))
    return Village(code, spelling, district.name, regency.name, province.name)


@st.composite
def hamlets(draw: st.DrawFn, village_id: str | None = None) -> Hamlet:
    return Hamlet(draw(_IDS), _given(draw, village_id, _VILLAGE_CODES), draw(_KEY_NAMES))


@st.composite
def groups(draw: st.DrawFn, village_id: str | None = None) -> ConstituentGroup:
    return ConstituentGroup(
        draw(_IDS),
        _given(draw, village_id, _VILLAGE_CODES),
        draw(_NAMES),
        established_on=draw(_OPTIONAL_DATES),
        functions=draw(_subset(GroupFunction)),
    )


@st.composite
def members(draw: st.DrawFn, group_id: str | None = None) -> Member:
    """Members; a division coordinator always coordinates exactly one division."""
    position = draw(_one(Position))
    if position is Position.DIVISION_COORDINATOR:
        divisions = draw(_subset(Division, 1, 1))
    else:
        divisions = draw(_subset(Division))
    joined_on = draw(_DATES)
    return Member(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        draw(_NAMES),
        draw(_one(Sex)),
        draw(_subset(Affiliation, 1)),
        joined_on,
        position=position,
        divisions=divisions,
        birth_year=draw(_optional(_BIRTH_YEARS)),
        disability=draw(_DISABILITIES),
        hamlet_id=draw(_OPTIONAL_IDS),
        lives_in_village=draw(_BOOLS),
        left_on=_days_after(draw, joined_on) if draw(_BOOLS) else None,
    )


_BIRTH_YEARS = st.integers(1930, 2012)


@st.composite
def service_providers(draw: st.DrawFn) -> ServiceProvider:
    return ServiceProvider(
        draw(_IDS),
        draw(_one(ServiceKind)),
        draw(_KEY_NAMES),
        area=draw(_KEY_TEXTS),
        contact=draw(_texts(0)),
    )


def _case_step(draw: st.DrawFn, case: Case, at: datetime) -> Case:
    """One allowed lifecycle step with inputs that satisfy its guards."""
    allowed = tuple(
        sorted(a for a in CASE_LIFECYCLE.allowed_actions(case) if a != CaseAction.REPORT)
    )
    action = CaseAction(draw(_one(allowed)))
    actor = draw(_OPTIONAL_IDS)
    if action is CaseAction.ASSIGN:
        return assign_companion(case, draw(_IDS), at=at, actor_id=actor)[0]
    if action is CaseAction.RECORD_CONSENT:
        consent = _consent_on(draw, at.date(), case)
        return record_consent(case, consent, at=at, actor_id=actor)[0]
    if action is CaseAction.ASSESS:
        return assess_case(case, _assessment_on(draw, at.date()), at=at, actor_id=actor)[0]
    if action is CaseAction.CHANGE_RISK:
        return change_risk(case, draw(_one(RiskLevel)), at=at, actor_id=actor)[0]
    if action is CaseAction.PLAN:
        return plan_case(case, _plan_on(draw, at.date()), at=at, actor_id=actor)[0]
    if action is CaseAction.FOLLOW_UP:
        due = at.date() + timedelta(days=draw(st.integers(0, 60))) if draw(_BOOLS) else None
        return follow_up_case(case, due, at=at, actor_id=actor, note=draw(_texts(0)))[0]
    if action is CaseAction.LEGAL_STEP:
        for stage in draw(st.permutations(list(LegalStage))):
            try:
                return record_legal_step(case, stage, at=at, actor_id=actor)[0]
            except TransitionError:
                continue  # diversion, for a case whose perpetrators are not diverted
        raise AssertionError("a legal stage other than diversion is always allowed")
    if action is CaseAction.NOTE:
        return add_note(case, draw(_NOTES), at=at, actor_id=actor)[0]
    if action is CaseAction.REFER:
        return _refer(draw, case, at, actor)
    if action is CaseAction.RESUME:
        return resume_case(case, at=at, actor_id=actor, note=draw(_texts(0)))[0]
    if action is CaseAction.CLOSE:
        return _close(draw, case, at, actor)
    if action is CaseAction.REOPEN:
        return reopen_case(case, at=at, reason=draw(_NOTES), actor_id=actor)[0]
    if action is CaseAction.UPDATE:
        changes = {"summary": draw(_texts(0)), "reporter": draw(_optional(_one(Reporter)))}
        return update_case(case, changes, at=at, actor_id=actor, note=draw(_texts(0)))[0]
    raise AssertionError(f"no generator for case action {action}")  # pragma: no cover


def _refer(draw: st.DrawFn, case: Case, at: datetime, actor: str | None) -> Case:
    """A referral the lifecycle allows: under the consent when it covers a service, else
    by an override the case admits."""
    consent = case.consent
    covered = sorted(consent.services) if consent is not None and not consent.refused else []
    tries: list[dict[str, Any]] = []
    under_consent: bool = draw(_BOOLS_MOSTLY)
    if covered and under_consent:
        tries.append({"service": draw(_one(tuple(covered)))})
    note, approver = draw(_NOTES), draw(_IDS)
    for reason in draw(st.permutations(list(OverrideReason))):
        tries.append(
            {
                "service": draw(_one(_SERVICES)),
                "override": reason,
                "override_note": note,
                "approved_by": approver,
            }
        )
    ref = draw(_IDS)
    for args in tries:
        try:
            return refer_case(case, ref, at=at, actor_id=actor, **args)[0]
        except TransitionError:
            continue
    raise AssertionError("imminent danger always allows a referral")  # pragma: no cover


def _close(draw: st.DrawFn, case: Case, at: datetime, actor: str | None) -> Case:
    """A closure the lifecycle allows: an outcome this case may end with, after a
    referral or with a reason."""
    note = draw(_texts(0))
    if case.is_sexual_violence and draw(_BOOLS):
        note = f"{note} alasan tanpa rujukan".strip()
    referred = draw(_subset(_SERVICES, 0, 2))
    for outcome in draw(st.permutations(list(CaseOutcome))):
        try:
            return close_case(
                case, outcome, at=at, actor_id=actor, note=note, referred_to=referred
            )[0]
        except TransitionError:
            continue
    # a sexual-violence case without a referral to the UPTD PPA or the police: the reason
    return close_case(
        case, CaseOutcome.OTHER, at=at, actor_id=actor, note="ditutup: alasan dicatat"
    )[0]


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    group_id: str | None = None,
    village_id: str | None = None,
    max_steps: int = 6,
) -> Case:
    """A case taken through a random run of its lifecycle (up to ``max_steps`` steps).

    Without steps the case is as recorded at intake: ``reported``, empty timeline.
    Details only on cases with their issue: violence, a child marriage (of a subject
    under 19 at it), a programme and a welfare decile for social protection, documents
    for civil registration, reasons for a dropout.
    """
    reported_on = draw(_DATES)
    category = draw(_one(CaseCategory))
    issues = draw(_subset(CaseCategory, max_size=2)) - {category}
    every = issues | {category}
    violence = (
        _violence_incident(draw, reported_on)
        if CaseCategory.VIOLENCE in every and draw(_BOOLS_MOSTLY)
        else None
    )
    marriage = CaseCategory.CHILD_MARRIAGE in every
    detail = _child_marriage(draw, reported_on) if marriage and draw(_BOOLS_MOSTLY) else None
    programme = (
        draw(_optional(_one(_PROGRAMMES))) if CaseCategory.SOCIAL_PROTECTION in every else None
    )
    social = CaseCategory.SOCIAL_PROTECTION in every
    decile = draw(_optional(st.integers(1, 10))) if social else None
    subject = _subject_on(draw, reported_on, max_age=18 if marriage else None)
    case = Case(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        _given(draw, village_id, _VILLAGE_CODES),
        reported_on,
        draw(_one(IntakeChannel)),
        category,
        subject,
        reporter=draw(_optional(_one(Reporter))),
        issues=issues,
        subcategory=draw(_subcategories(category)),
        programme=programme,
        welfare_decile=decile,
        decile_seen_on=None if decile is None else draw(_optional(_dates(EARLIEST, reported_on))),
        documents=draw(_subset(CivilDocument, max_size=3))
        if CaseCategory.CIVIL_REGISTRATION in every
        else frozenset(),
        dropout_reasons=draw(_subset(DropoutReason, max_size=3))
        if CaseCategory.SCHOOL_DROPOUT in every
        else frozenset(),
        risk=draw(_optional(_one(RiskLevel))),
        summary=draw(_texts(0)),
    )
    case = _with_details(case, violence, detail)
    if draw(_BOOLS):
        case = attrs.evolve(case, consent=_consent_on(draw, reported_on, case))
    steps = draw(st.integers(0, max_steps))
    if steps == 0:
        return case
    at = _moment_on(draw, reported_on)
    case = report_case(case, at=at, actor_id=draw(_OPTIONAL_IDS), note=draw(_texts(0)))[0]
    for _ in range(steps - 1):
        at = _later(draw, at)
        case = _case_step(draw, case, at)
    return case


_BOOLS_MOSTLY = st.sampled_from((True, True, True, False))
# Codes of the open case_subcategory list under the case's category: the built-in ones,
# and local codes a plugin may have added (a store keeps and finds them whether or not
# the plugin is installed)
_LOCAL_SUBCATEGORIES = {
    CaseCategory.VIOLENCE: ("kdrt_ekonomi",),
    CaseCategory.SCHOOL_DROPOUT: ("putus_sekolah_smp",),
    CaseCategory.SOCIAL_PROTECTION: ("dtks_baru",),
}


@cache
def _subcategories(category: CaseCategory) -> st.SearchStrategy[str | None]:
    subcategories = CODE_LISTS["case_subcategory"]
    under = tuple(c for c in subcategories.codes if subcategories.core_of(c) == category.value)
    return st.none() | st.sampled_from((*under, *_LOCAL_SUBCATEGORIES.get(category, ())))


def _referral_step(draw: st.DrawFn, referral: Referral, at: datetime) -> Referral:
    allowed = tuple(
        sorted(a for a in REFERRAL_LIFECYCLE.allowed_actions(referral) if a != ReferralAction.SEND)
    )
    # most referrals move forward (sent → accepted → completed)
    forward = tuple(a for a in allowed if a in (ReferralAction.ACCEPT, ReferralAction.COMPLETE))
    action = ReferralAction(draw(_one((*allowed, *forward, *forward))))
    actor = draw(_OPTIONAL_IDS)
    if action is ReferralAction.ACCEPT:
        return accept_referral(referral, at=at, actor_id=actor, note=draw(_texts(0)))[0]
    if action is ReferralAction.DECLINE:
        return decline_referral(referral, at=at, reason=draw(_NOTES), actor_id=actor)[0]
    if action is ReferralAction.FOLLOW_UP:
        due = _days_after(draw, at.date(), _DAYS_AHEAD)
        return follow_up_referral(referral, at=at, next_due=due, actor_id=actor)[0]
    if action is ReferralAction.COMPLETE:
        return complete_referral(referral, draw(_NOTES), at=at, actor_id=actor)[0]
    if action is ReferralAction.CANCEL:
        return cancel_referral(referral, at=at, reason=draw(_NOTES), actor_id=actor)[0]
    raise AssertionError(f"no generator for referral action {action}")  # pragma: no cover


@st.composite
def referrals(
    draw: st.DrawFn,
    *,
    case_id: str | None = None,
    provider_id: str | None = None,
    max_steps: int = 4,
) -> Referral:
    """A referral with consent or an override, taken through a random run of its lifecycle."""
    sent_on = draw(_DATES)
    consent_given = draw(_BOOLS)
    reasons = _one(OverrideReason)
    override = draw(_optional(reasons) if consent_given else reasons)
    referral = Referral(
        draw(_IDS),
        _given(draw, case_id, _IDS),
        _given(draw, provider_id, _IDS),
        draw(_NAMES),
        sent_on,
        consent_given=consent_given,
        override=override,
        follow_up_due=_days_after(draw, sent_on, _DAYS_AHEAD) if draw(_BOOLS) else None,
        service=draw(_optional(_one(_SERVICES))),
    )
    steps = draw(st.integers(0, max_steps))
    if steps == 0:
        return referral
    at = _moment_on(draw, sent_on)
    referral = send_referral(referral, at=at, actor_id=draw(_OPTIONAL_IDS))[0]
    for _ in range(steps - 1):
        if not REFERRAL_LIFECYCLE.allowed_actions(referral):
            break
        at = _later(draw, at)
        referral = _referral_step(draw, referral, at)
    return referral


@st.composite
def businesses(draw: st.DrawFn, group_id: str | None = None) -> Business:
    """UMKM with a sector from the (open) business_sector list."""
    return Business(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        draw(_NAMES),
        draw(_NAMES),
        draw(_one(Sex)),
        draw(_one(CODE_LISTS["business_sector"].codes)),
        hamlet_id=draw(_OPTIONAL_IDS),
        owner_disability=draw(_DISABILITIES),
    )


_DONE = (SupportStatus.ACHIEVED, SupportStatus.FAILED)


@st.composite
def support_actions(draw: st.DrawFn, business_id: str | None = None) -> SupportAction:
    """Support with ``completed_on`` exactly when achieved or failed, amounts only for capital."""
    type_ = draw(_one(SupportType))
    status = draw(_one(SupportStatus))
    started_on = draw(_DATES)
    return SupportAction(
        draw(_IDS),
        _given(draw, business_id, _IDS),
        type_,
        started_on,
        status=status,
        completed_on=_days_after(draw, started_on) if status in _DONE else None,
        member_id=draw(_OPTIONAL_IDS),
        amount_rupiah=draw(_optional(_rupiah(10**10))) if type_.is_capital else None,
        reference=draw(_texts(0)),
        note=draw(_texts(0)),
    )


@st.composite
def publications(draw: st.DrawFn, group_id: str | None = None) -> Publication:
    return Publication(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        draw(_NAMES),
        draw(_KEY_NAMES),
        draw(_one(PublicationChannel)),
        draw(_DATES),
        reach=draw(_optional(_REACH)),
    )


_REACH = st.integers(0, 10**6)


@st.composite
def information_sessions(draw: st.DrawFn, group_id: str | None = None) -> InformationSession:
    return InformationSession(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        draw(_KEY_NAMES),
        draw(_one(SessionFormat)),
        draw(_DATES),
        _audience(draw),
        place=draw(_texts(0)),
        hamlet_id=draw(_OPTIONAL_IDS),
    )


#: The actions that move a proposal up, drawn more often than the others.
_PROPOSAL_FORWARD = frozenset(
    {
        ProposalAction.SUBMIT_MUSDUS,
        ProposalAction.SUBMIT_MUSDES,
        ProposalAction.SUBMIT_MUSRENBANGDES,
        ProposalAction.ADOPT_RKPDES,
        ProposalAction.FUND_APBDES,
    }
)
_SUBMITS = frozenset(
    {
        ProposalAction.SUBMIT_MUSDUS,
        ProposalAction.SUBMIT_MUSDES,
        ProposalAction.SUBMIT_MUSRENBANGDES,
    }
)


_NOT_IN_KELURAHAN = frozenset(
    {ProposalAction.FUND_APBDES, ProposalAction.ENACT_PERDES, ProposalAction.ISSUE_PERKADES}
)


def _proposal_actions(p: AdvocacyProposal) -> tuple[ProposalAction, ...]:
    """The actions the table lists now whose guards the record can meet (a draft enters
    at its own forum; a kelurahan has no APBDes, Perdes or Perkades), forward ones
    twelve times."""
    found: list[ProposalAction] = []
    for name in sorted(PROPOSAL_LIFECYCLE.allowed_actions(p)):
        action = ProposalAction(name)
        if action is ProposalAction.DRAFT:
            continue
        if (
            action in _SUBMITS
            and p.status is ProposalStatus.DRAFT
            and action is not _submit_action_for(p.forum)
        ):
            continue
        in_kelurahan = p.village_id is not None and is_kelurahan(p.village_id)
        if in_kelurahan and action in _NOT_IN_KELURAHAN:
            continue
        found += [action] * (12 if action in _PROPOSAL_FORWARD else 1)
    return tuple(found)


def _submit_action_for(forum: Forum) -> ProposalAction:
    """The action bringing a draft to ``forum`` (a special musdes is a musdes)."""
    return {
        Forum.MUSYAWARAH_DUSUN: ProposalAction.SUBMIT_MUSDUS,
        Forum.MUSYAWARAH_DESA: ProposalAction.SUBMIT_MUSDES,
        Forum.MUSRENBANGDES: ProposalAction.SUBMIT_MUSRENBANGDES,
    }[forum.stage]


def _proposal_step(draw: st.DrawFn, p: AdvocacyProposal, at: datetime) -> AdvocacyProposal:
    action = draw(_one(_proposal_actions(p)))
    actor = draw(_OPTIONAL_IDS)
    if action in _SUBMITS:
        meeting = draw(_OPTIONAL_IDS)
        return submit_proposal(p, at=at, meeting_id=meeting, actor_id=actor, note=draw(_texts(0)))[
            0
        ]
    if action is ProposalAction.DISCUSS:
        meeting = draw(_OPTIONAL_IDS)
        return discuss_proposal(p, at=at, meeting_id=meeting, actor_id=actor, note=draw(_texts(0)))[
            0
        ]
    if action is ProposalAction.ADOPT_RKPDES:
        return adopt_proposal(p, at=at, actor_id=actor, note=draw(_texts(0)))[0]
    if action is ProposalAction.FUND_APBDES:
        field = draw(_optional(_one(ApbdesField)))
        return fund_proposal(p, draw(_rupiah(10**12)), at=at, budget_field=field, actor_id=actor)[0]
    if action is ProposalAction.ENACT_PERDES:
        return enact_perdes(p, at=at, regulation=draw(_NOTES), actor_id=actor)[0]
    if action is ProposalAction.ISSUE_PERKADES:
        return issue_perkades(p, at=at, regulation=draw(_NOTES), actor_id=actor)[0]
    if action is ProposalAction.AGREE_AWIG_AWIG:
        return agree_awig_awig(p, at=at, rule=draw(_NOTES), actor_id=actor)[0]
    if action is ProposalAction.REJECT:
        return reject_proposal(p, at=at, reason=draw(_NOTES), actor_id=actor)[0]
    if action is ProposalAction.CARRY_OVER:
        next_id = draw(_IDS.filter(lambda i: i != p.id))
        return carry_over_proposal(p, next_id, at=at, actor_id=actor, note=draw(_texts(0)))[0]
    raise AssertionError(f"no generator for proposal action {action}")  # pragma: no cover


_EVIDENCE = st.lists(st.one_of(_IDS, _NAMES), max_size=4)
_ISSUE_AREAS = CODE_LISTS["issue_area"].codes
#: Budget years: drafted in 2015–2035, for the year after.
_CYCLE_YEARS = st.integers(EARLIEST.year, LATEST.year + 1)


@st.composite
def advocacy_proposals(
    draw: st.DrawFn, *, group_id: str | None = None, max_steps: int = 8
) -> AdvocacyProposal:
    """A proposal taken through a random run of its lifecycle: up the forums, discussed,
    and ended funded (never in a kelurahan), as a policy, rejected or carried over.

    A proposal without evidence stays a draft: it cannot be brought to a forum. The
    cycle year is sometimes given, else set by the draft; the village is sometimes
    unknown (as for records of release 0.1.0).
    """
    evidence: list[str] = draw(_EVIDENCE)
    proposal_id = draw(_IDS)
    proposal = AdvocacyProposal(
        proposal_id,
        _given(draw, group_id, _IDS),
        draw(_NAMES),
        draw(_one(Forum)),
        issue_areas=draw(_subset(_ISSUE_AREAS)),
        evidence=evidence,
        requested_rupiah=draw(_optional(_rupiah(10**12))),
        cycle_year=draw(_optional(_CYCLE_YEARS)),
        village_id=draw(_optional(_VILLAGE_CODES)),
        carried_over_from=draw(_optional(_IDS.filter(lambda i: i != proposal_id))),
    )
    steps = draw(st.integers(0, max_steps))
    if steps == 0:
        return proposal
    at = _moment_on(draw, draw(_DATES))
    proposal = draft_proposal(proposal, at=at, actor_id=draw(_OPTIONAL_IDS))[0]
    for _ in range(steps - 1):
        if not proposal.evidence or not _proposal_actions(proposal):
            break  # final, or stays a draft until it has evidence
        at = _later(draw, at)
        proposal = _proposal_step(draw, proposal, at)
    return proposal


_MEMBER_IDS = st.frozensets(_IDS, max_size=8)
_AGENDA = st.lists(_NAMES, max_size=4)


@st.composite
def meetings(draw: st.DrawFn, group_id: str | None = None) -> Meeting:
    """A meeting whose head count (when recorded) covers every member listed as present."""
    member_ids: frozenset[str] = draw(_MEMBER_IDS)
    attendance = _audience(draw, len(member_ids)) if draw(_BOOLS_MOSTLY) else Audience()
    agenda: list[str] = draw(_AGENDA)
    speakers_ = [_speaker(draw) for _ in range(draw(st.integers(0, 3)))]
    return Meeting(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        draw(_NAMES),
        draw(_DATES),
        type=draw(_one(MeetingType)),
        place=draw(_texts(0)),
        agenda=agenda,
        speakers=speakers_,
        member_ids=member_ids,
        attendance=attendance,
        minutes=draw(_texts(0)),
    )


_HOURS = st.integers(1, 300)


@st.composite
def trainings(draw: st.DrawFn, group_id: str | None = None) -> Training:
    """Trainings attended by at least one member."""
    return Training(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        draw(_KEY_NAMES),
        draw(_DATES),
        draw(_one(TrainingOrganiser)),
        draw(st.frozensets(_IDS, min_size=1, max_size=8)),
        organiser_name=draw(_texts(0)),
        place=draw(_texts(0)),
        hours=draw(_optional(_HOURS)),
    )


# Codes of the open lists: the built-in ones, and local codes a plugin may have added
# (close to no built-in code, so a query takes them as codes, not as typos)
_DATA_SETS = st.sampled_from((*CODE_LISTS["data_set"].codes, "data_stunting_balita", "rtlh_desa"))
_QUESTION_TOPICS = st.sampled_from(
    (*CODE_LISTS["question_topic"].codes, "pmi_pekerja_migran", "sertifikat_tanah")
)


@st.composite
def data_updates(draw: st.DrawFn, group_id: str | None = None) -> DataUpdate:
    """Data updates: finished and handed over (in that order or not) on or after the
    start, a hand-over date only with a recipient, at least as many persons as households."""
    started_on = draw(_DATES)
    handed_to = draw(_optional(_one(DataRecipient)))
    households = draw(_optional(_COUNTS))
    persons = draw(_optional(_COUNTS))
    if households is not None and persons is not None:
        persons += households
    return DataUpdate(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        draw(_DATA_SETS),
        started_on,
        finished_on=_days_after(draw, started_on) if draw(_BOOLS) else None,
        households=households,
        persons=persons,
        hamlet_id=draw(_OPTIONAL_IDS),
        member_ids=draw(_MEMBER_IDS),
        handed_to=handed_to,
        handed_on=_days_after(draw, started_on) if handed_to and draw(_BOOLS) else None,
        note=draw(_texts(0)),
    )


@st.composite
def resident_questions(
    draw: st.DrawFn, group_id: str | None = None, provider_id: str | None = None
) -> ResidentQuestion:
    """Questions: resolved on or after the day asked exactly when not pending; a provider
    exactly when referred."""
    asked_on = draw(_DATES)
    resolution = draw(_one(QuestionResolution))
    pending = resolution is QuestionResolution.PENDING
    referred = resolution is QuestionResolution.REFERRED
    return ResidentQuestion(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        asked_on,
        draw(_QUESTION_TOPICS),
        draw(_one(QuestionChannel)),
        resolution=resolution,
        resolved_on=None if pending else _days_after(draw, asked_on, _DAYS_AHEAD),
        provider_id=_given(draw, provider_id, _IDS) if referred else None,
        member_id=draw(_OPTIONAL_IDS),
        hamlet_id=draw(_OPTIONAL_IDS),
        sex=draw(_optional(_one(Sex))),
        age_band=draw(_optional(_one(AgeBand))),
    )


@st.composite
def business_groups(draw: st.DrawFn, group_id: str | None = None) -> BusinessGroup:
    """Business groups (kelompok usaha) with a sector from the open business_sector list."""
    return BusinessGroup(
        draw(_IDS),
        _given(draw, group_id, _IDS),
        draw(_NAMES),
        draw(_one(CODE_LISTS["business_sector"].codes)),
        draw(_DATES),
        business_ids=draw(_MEMBER_IDS),
        support=draw(_subset(SupportType)),
        support_note=draw(_texts(0)),
        hamlet_id=draw(_OPTIONAL_IDS),
    )


@st.composite
def import_marks(draw: st.DrawFn) -> ImportMark:
    """Import marks: an item of a source, its revision, the records it became."""
    item = draw(_IDS)
    refs = draw(st.lists(st.tuples(st.sampled_from(["case", "referral", "meeting"]), _IDS)))
    return ImportMark(
        draw(_IDS),
        draw(st.sampled_from(["kobo:pengaduan_mitra", "kobo:umkm", "csv:mitra"])),
        item,
        draw(_IDS),
        record_ids=[f"{kind}:{record_id}" for kind, record_id in refs],
        content_id=letters_digest(item) if refs else "",
    )


#: kind name → a function returning the strategy for that kind (no arguments needed).
RECORD_STRATEGIES: Mapping[str, Callable[[], st.SearchStrategy[Any]]] = MappingProxyType(
    {
        Village.kind: villages,
        Hamlet.kind: hamlets,
        ConstituentGroup.kind: groups,
        Member.kind: members,
        ServiceProvider.kind: service_providers,
        Case.kind: cases,
        Referral.kind: referrals,
        Business.kind: businesses,
        SupportAction.kind: support_actions,
        Publication.kind: publications,
        InformationSession.kind: information_sessions,
        AdvocacyProposal.kind: advocacy_proposals,
        Meeting.kind: meetings,
        Training.kind: trainings,
        DataUpdate.kind: data_updates,
        ResidentQuestion.kind: resident_questions,
        BusinessGroup.kind: business_groups,
        ImportMark.kind: import_marks,
    }
)

_R = TypeVar("_R", bound=Record)


@overload
def records_of(kind: type[_R]) -> st.SearchStrategy[_R]: ...
@overload
def records_of(kind: str) -> st.SearchStrategy[Record]: ...
def records_of(kind: str | type[Any]) -> st.SearchStrategy[Any]:
    """Valid records of one kind, named by its kind name (``"case"``) or its class."""
    return _records_of(record_type(kind).kind)


@cache
def _records_of(kind: str) -> st.SearchStrategy[Any]:
    return RECORD_STRATEGIES[kind]()


def records() -> st.SearchStrategy[Record]:
    """Valid records of any kind."""
    return _all_records()


@cache
def _all_records() -> st.SearchStrategy[Record]:
    return st.one_of(*(_records_of(kind) for kind in RECORD_KINDS))


def _check_coverage() -> None:
    missing = set(RECORD_KINDS) - set(RECORD_STRATEGIES)
    if missing:  # pragma: no cover - guards against a kind added without a strategy
        raise AssertionError(f"no strategy for record kinds: {', '.join(sorted(missing))}")


_check_coverage()
