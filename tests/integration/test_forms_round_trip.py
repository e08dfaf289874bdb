"""Round trip of the generated forms: a form filled with answers the form accepts,
encoded as KoboToolbox API v2 returns it and synced through the Kobo adapter, comes back
as exactly the records the model builds from the same answers; and answers the form
refuses by a constraint are the ones the importer rejects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from forms_support import (
    WITA,
    Filled,
    LocalEntries,
    Player,
    api_submission,
    default_strategy,
    deployment_context,
    deployment_records,
    finished_at,
    write_export,
)
from kk_adapters.kobo.form_definition import FormDefinition, Question
from kk_adapters.kobo.forms import case_intake_form, meeting_form, umkm_form
from kk_adapters.kobo.mapping import record_history
from kk_adapters.kobo.sync import sync
from kk_core.case_parts import Assent, ChildMarriage, Consent, Perpetrator, ViolenceIncident
from kk_core.cases import Case, Subject
from kk_core.codes import (
    AssentDecision,
    CaseCategory,
    ConsentGiver,
    IntakeChannel,
    MeetingType,
    Reporter,
    Sex,
    SupportStatus,
    SupportType,
)
from kk_core.disability import NO_DISABILITY, Disability
from kk_core.economy import Business, SupportAction
from kk_core.import_marks import ImportMark, letters_digest
from kk_core.kinds import Record
from kk_core.meetings import Meeting
from kk_core.outreach import Audience
from kk_core.plugins import Plugins, reset_plugins
from kk_core.referrals import Referral, ServiceProvider
from kk_core.store import Store

EXAMPLES = 200
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
#: The constraint test draws twice as many: its refusals are a share of them (below).
MUTATIONS = 2 * EXAMPLES


@pytest.fixture(scope="module")
def plugins() -> Iterator[Plugins]:
    """The process-wide plugins with the district's local entries (the model rolls local
    codes up through them)."""
    installed = Plugins(extra=[LocalEntries()])
    reset_plugins(installed)
    try:
        yield installed
    finally:
        reset_plugins(None)


@pytest.fixture(scope="module")
def forms(plugins: Plugins) -> dict[str, FormDefinition]:
    ctx = deployment_context()
    return {
        "case": case_intake_form(ctx, plugins),
        "umkm": umkm_form(ctx, plugins),
        "meeting": meeting_form(ctx, plugins),
    }


def _target(plugins: Plugins) -> Store:
    store = plugins.open_store("memory://")
    store.put_many(deployment_records())
    return store


def _days_back(
    answers: Mapping[str, Any], today: date, name: str, most: int
) -> st.SearchStrategy[date]:
    start = answers.get(name)
    low = start if isinstance(start, date) else today - timedelta(days=most)
    return st.dates(min(low, today), today + timedelta(days=1))


def _marriage_day(answers: Mapping[str, Any], today: date) -> st.SearchStrategy[date]:
    """Days around the subject's 10th to 19th year (most of them a child's)."""
    born = answers.get("birth_year")
    if isinstance(born, int):
        first = date(born + 10, 1, 1)
        return st.dates(first, date(born + 19, 12, 31))
    reported = answers["reported_on"]
    return st.dates(reported - timedelta(days=365 * 6), reported + timedelta(days=365 * 4))


CASE_CUSTOM = {
    "birth_year": lambda a, today: st.integers(today.year - 70, today.year),
    "birth_month": lambda a, today: st.integers(1, 12),
    "age_years": lambda a, today: st.integers(0, 70),
    "perpetrator_age": lambda a, today: st.integers(8, 70),
    "reported_on": lambda a, today: st.dates(today - timedelta(days=400), today),
    "occurred_on": lambda a, today: st.dates(
        a["reported_on"] - timedelta(days=800), a["reported_on"]
    ),
    "event_on": _marriage_day,
    "consent_on": lambda a, today: st.dates(a["reported_on"], today),
    "sent_on": lambda a, today: st.dates(a["consent_on"], today),
    # consent to the services the deployment's providers give, more often than not
    "services": lambda a, today: st.lists(
        st.sampled_from(["puskesmas", "klinik_desa", "uptd_ppa", "police_ppa", "kua", "police"]),
        min_size=1,
        max_size=3,
        unique=True,
    ).map(tuple),
}
UMKM_CUSTOM = {
    "amount_rupiah": lambda a, today: st.integers(0, 50_000_000),
    "completed_on": lambda a, today: st.dates(today - timedelta(days=300), today),
}
MEETING_CUSTOM = {
    "female": lambda a, today: st.integers(0, 25),
    "male": lambda a, today: st.integers(0, 25),
    "with_disability": lambda a, today: st.integers(0, 6),
}


def _filled(data: st.DataObject, form: FormDefinition, custom: Mapping[str, Any]) -> Filled:
    today = data.draw(st.dates(date(2025, 1, 1), date(2026, 11, 30)), label="today")
    end = finished_at(today, data.draw(st.integers(0, 600), label="minute"))
    answers = Player(form, data.draw, today, custom).play()
    number = data.draw(st.integers(1, 10**6), label="_id")
    root = data.draw(st.uuids(version=4), label="rootUuid")
    return Filled(answers, end, number, str(root))


def _import(form: FormDefinition, filled: Filled, tmp: Path, plugins: Plugins) -> tuple[Store, Any]:
    path = write_export(tmp, form, [api_submission(form, filled)])
    target = _target(plugins)
    report = sync(f"kobo+file://{path}", target, mapping=form.mapping(), plugins=plugins)
    return target, report


def _stored(store: Store, records: list[Record]) -> list[Record]:
    out = []
    for record in records:
        found = store.get(type(record), record.id)
        out.append(attrs.evolve(found, version=record.version))
    return out


def _key(filled: Filled) -> str:
    return letters_digest(filled.root, 16)


# -- building the records directly from the answers ----------------------------------------


def _disability(a: Mapping[str, Any]) -> Disability:
    question_set = a.get("question_set")
    if not question_set:
        return NO_DISABILITY
    prefix = f"{question_set}_"
    levels = {k[len(prefix) :]: v for k, v in a.items() if k.startswith(prefix)}
    return Disability.from_levels(levels, question_set=question_set)


def _yes(value: Any) -> bool:
    return value == "yes"


def case_records(a: Mapping[str, Any], filled: Filled) -> list[Record]:
    """The case (and its referrals) the model makes of these answers, recorded as the KK
    records a case: reported when the form was finished, then consent and referrals."""
    category = CaseCategory(a["category"])
    issues = {CaseCategory(c) for c in a.get("issues", ())}
    every = issues | {category}
    violence = None
    if CaseCategory.VIOLENCE in every:
        violence = ViolenceIncident(
            forms=a["forms"],
            place=a["place"],
            occurred_on=a.get("occurred_on"),
            perpetrators=[
                Perpetrator(
                    p["relation"],
                    sex=Sex(p["perpetrator_sex"]) if "perpetrator_sex" in p else None,
                    age_years=p.get("perpetrator_age"),
                    is_caregiver=_yes(p.get("is_caregiver")),
                )
                for p in a.get("perpetrators", ())
            ],
        )
    marriage = None
    if CaseCategory.CHILD_MARRIAGE in every:
        marriage = ChildMarriage(
            event_on=a["event_on"],
            routes=a.get("routes", ()),
            against_will=_yes(a.get("against_will")),
        )
    giver = ConsentGiver(a["giver"])
    consent = Consent(
        giver,
        a["consent_on"],
        services=a.get("services", ()),
        to_share_data=_yes(a.get("to_share_data")),
        assent=Assent(AssentDecision(a["assent"]), a["consent_on"]) if "assent" in a else None,
        approved_by=a.get("approved_by"),
        note=a.get("note", ""),
    )
    case = Case(
        f"kasus-{_key(filled)}",
        a["kk_group"],
        a["village"],
        a["reported_on"],
        IntakeChannel(a["channel"]),
        category,
        Subject(
            Sex(a["sex"]),
            birth_year=a.get("birth_year"),
            birth_month=a.get("birth_month"),
            age_years=a.get("age_years"),
            hamlet_id=a.get("hamlet"),
            initials=a.get("initials", ""),
            disability=_disability(a),
        ),
        reporter=Reporter(a["reporter"]) if "reporter" in a else None,
        issues=issues,
        subcategory=a.get("subcategory"),
        summary=a.get("summary", ""),
        violence=violence,
        child_marriage=marriage,
        consent=consent,
    )
    referrals = [
        Referral(
            f"{case.id}-r{i}", case.id, r["provider"], r["reason"], r["sent_on"], consent_given=True
        )
        for i, r in enumerate(a.get("referrals", ()), 1)
    ]
    providers = {p.id: p.service for p in deployment_records() if isinstance(p, ServiceProvider)}
    return record_history(
        [case, *referrals], at=filled.end.astimezone(WITA), zone=WITA, service_of=providers.get
    )


def umkm_records(a: Mapping[str, Any], filled: Filled) -> list[Record]:
    business = Business(
        f"umkm-{_key(filled)}",
        a["kk_group"],
        a["name"],
        a["owner_name"],
        Sex(a["owner_sex"]),
        a["sector"],
        hamlet_id=a.get("hamlet"),
    )
    actions = [
        SupportAction(
            f"{business.id}-d{i}",
            business.id,
            SupportType(s["support_type"]),
            s["started_on"],
            status=SupportStatus(s["status"]),
            completed_on=s.get("completed_on"),
            member_id=s.get("member"),
            amount_rupiah=s.get("amount_rupiah"),
            reference=s.get("reference", ""),
            note=s.get("note", ""),
        )
        for i, s in enumerate(a.get("support", ()), 1)
    ]
    return [business, *actions]


def meeting_records(a: Mapping[str, Any], filled: Filled) -> list[Record]:
    return [
        Meeting(
            f"rapat-{_key(filled)}",
            a["kk_group"],
            a["title"],
            a["held_on"],
            type=MeetingType(a["meeting_type"]),
            place=a.get("meeting_place", ""),
            member_ids=a.get("members_present", ()),
            attendance=Audience(a["female"], a["male"], a["with_disability"]),
            minutes=a.get("decisions", ""),
        )
    ]


BUILDERS = {"case": case_records, "umkm": umkm_records, "meeting": meeting_records}
CUSTOM = {"case": CASE_CUSTOM, "umkm": UMKM_CUSTOM, "meeting": MEETING_CUSTOM}


def _diff(got: Any, want: Any, at: str = "") -> list[str]:
    """Where two records (or lists of them) differ, for the failure message."""
    if isinstance(got, list | tuple) and isinstance(want, list | tuple) and len(got) == len(want):
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in _diff(g, w, f"{at}[{i}]")
        ]
    if attrs.has(type(got)) and type(got) is type(want):
        return [
            d
            for f in attrs.fields(type(got))
            for d in _diff(getattr(got, f.name), getattr(want, f.name), f"{at}.{f.name}")
        ]
    return [] if got == want else [f"{at}: imported {got!r}, built {want!r}"]


def _rejects(report: Any) -> str:
    return "; ".join(f"{p.path}: {p.message}" for r in report.rejects for p in r.problems)


_LOCAL = {"ayah_angkat", "paman", "klinik_desa", "kdrt_ekonomi"}
_CASE_FEATURES = (
    "violence",
    "perpetrator",
    "child_marriage",
    "assent",
    "cfm_2_4",
    "cfm_5_17",
    "wg_ss",
    "local_entry",
    "best_interest",
    "hamlet",
)


def _features(a: Mapping[str, Any]) -> list[str]:
    """What of the case form an example went through."""
    if "category" not in a:
        return []
    found = [a["question_set"]] if "question_set" in a else []
    found += [
        name
        for name in ("violence", "child_marriage")
        if name == a["category"] or name in a.get("issues", ())
    ]
    if a.get("perpetrators"):
        found.append("perpetrator")
    if "assent" in a:
        found.append("assent")
    if a.get("giver") == "best_interest":
        found.append("best_interest")
    if "hamlet" in a:
        found.append("hamlet")
    values = (
        {str(v) for v in a.values()}
        | {
            str(v)
            for e in [*a.get("perpetrators", ()), *a.get("referrals", ())]
            for v in e.values()
        }
        | {str(v) for v in a.get("services", ())}
    )
    if values & _LOCAL:
        found.append("local_entry")
    return found


# -- the round trip ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("which", ["case", "umkm", "meeting"])
def test_filled_forms_come_back_as_the_records_the_model_builds(
    which: str,
    forms: dict[str, FormDefinition],
    plugins: Plugins,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    form = forms[which]
    tmp = tmp_path_factory.mktemp(which)
    seen: dict[str, int] = {}

    @SETTINGS
    @given(st.data())
    def check(data: st.DataObject) -> None:
        filled = _filled(data, form, CUSTOM[which])
        assert form.check(filled.answers, filled.today) == []  # the player plays fair
        expected = BUILDERS[which](filled.answers, filled)
        store, report = _import(form, filled, tmp, plugins)
        assert not report.rejects, _rejects(report)
        assert report.submissions.new == 1
        stored = _stored(store, expected)
        assert stored == expected, _diff(stored, expected)
        kinds = sorted(r.kind for r in store.find(ImportMark))
        assert kinds == ["import_mark"]
        for record in expected:
            seen[record.kind] = seen.get(record.kind, 0) + 1
        for feature in _features(filled.answers):
            seen[feature] = seen.get(feature, 0) + 1
        seen["examples"] = seen.get("examples", 0) + 1

    check()
    print(f"{which}: {seen}")
    assert seen["examples"] >= EXAMPLES
    # the examples went through every record the form makes
    wanted = {
        "case": {"case", "referral", *_CASE_FEATURES},
        "umkm": {"business", "support_action"},
        "meeting": {"meeting"},
    }
    assert set(seen) >= wanted[which], seen


# -- what the form refuses, the importer rejects ----------------------------------------------


def _mutable(form: FormDefinition) -> list[Question]:
    return [
        q for q in form.questions().values() if q.constraint is not None and q.calculation is None
    ]


def _in_repeat(form: FormDefinition, name: str) -> str | None:
    for walked in form.walk():
        if walked.node.name == name and walked.repeat is not None:
            return walked.repeat.rsplit("/", 1)[-1]
    return None


@pytest.mark.slow
@pytest.mark.parametrize("which", ["case", "umkm", "meeting"])
def test_answers_a_constraint_refuses_are_the_ones_the_importer_rejects(
    which: str,
    forms: dict[str, FormDefinition],
    plugins: Plugins,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    form = forms[which]
    tmp = tmp_path_factory.mktemp(f"{which}-bad")
    outcomes = {"refused": 0, "accepted": 0}

    @settings(SETTINGS, max_examples=MUTATIONS)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        filled = _filled(data, form, CUSTOM[which])
        answers = dict(filled.answers)
        question = data.draw(st.sampled_from(_mutable(form)), label="question")
        repeat = _in_repeat(form, question.name)
        if question.list_name is not None:
            names = [c.name for c in form.choices[question.list_name]]
            strategy: Any = st.sampled_from(names)
            if question.type == "select_multiple":
                strategy = st.lists(
                    st.sampled_from(names), min_size=1, max_size=3, unique=True
                ).map(tuple)
        else:
            strategy = default_strategy(question, filled.today)
        value = data.draw(strategy, label="new answer")
        if repeat is None:
            assume(question.name in answers)
            answers[question.name] = value
        else:
            entries = [dict(e) for e in answers.get(repeat, ())]
            assume(entries)
            index = data.draw(st.integers(0, len(entries) - 1), label="entry")
            assume(question.name in entries[index])
            entries[index][question.name] = value
            answers[repeat] = entries
        answers = form.calculate(answers, filled.today)
        problems = form.check(answers, filled.today)
        # only answers that differ by what a constraint says (no question newly asked
        # or skipped, no choice a filter hides)
        assume(all(p.kind == "constraint" for p in problems))
        changed = attrs.evolve(filled, answers=answers)
        _store, report = _import(form, changed, tmp, plugins)
        if problems:
            outcomes["refused"] += 1
            assert report.rejects, f"the form refuses {problems}, the importer accepted"
        else:
            outcomes["accepted"] += 1
            assert not report.rejects, _rejects(report)

    check()
    print(f"{which}: {outcomes}")
    # how many answers a constraint refuses depends on the examples drawn, and
    # derandomized generation still varies with what the process did before: of 200,
    # the same selection gives 27 alone and 22 after merely importing kk_cli.demo (no
    # state of ours changes; 14 to 67 seen in whole runs, 7 % at the least). Of 400, at
    # least 20 refusals (5 %), each checked against the importer
    assert outcomes["refused"] >= 20, outcomes
    assert outcomes["refused"] + outcomes["accepted"] >= MUTATIONS
