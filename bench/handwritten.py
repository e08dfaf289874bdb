"""The raw baselines for the converter: dict ↔ `Case` written by hand, the way someone
who knows the model would write it without a library.

They build and read exactly what the converter does (the layers check that on a sample
before timing) with the same constructors, so the attrs validators run on both sides;
what they leave out is what a converter adds: type checks on every value, unknown-key
detection, label lookup for codes, error paths.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kk_core.cases import (
    Assessment,
    Case,
    Consent,
    Perpetrator,
    Subject,
    ViolenceIncident,
)
from kk_core.codes import (
    AccommodationNeed,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    CivilDocument,
    ConsentGiver,
    DisabilityDomain,
    DisabilityType,
    DropoutReason,
    FunctioningSet,
    IntakeChannel,
    NeedDomain,
    Reporter,
    RiskLevel,
    Sex,
    ViolenceForm,
)
from kk_core.disability import Disability
from kk_core.lifecycle import Event

__all__ = ["case_from_dict", "case_to_dict"]

_fromisoformat = date.fromisoformat


def _date(value: str | None) -> date | None:
    return None if value is None else _fromisoformat(value)


def _event(d: dict[str, Any]) -> Event:
    return Event(
        datetime.fromisoformat(d["at"]),
        d["action"],
        d.get("source"),
        d["target"],
        actor_id=d.get("actor_id"),
        note=d.get("note", ""),
        ref=d.get("ref"),
    )


def _perpetrator(p: dict[str, Any]) -> Perpetrator:
    sex = p.get("sex")
    return Perpetrator(
        p.get("relation", "unknown"),
        sex=None if sex is None else Sex(sex),
        age_years=p.get("age_years"),
        is_child=p.get("is_child"),
        is_caregiver=p.get("is_caregiver", False),
    )


def _domains(values: list[str]) -> frozenset[DisabilityDomain]:
    return frozenset(DisabilityDomain(x) for x in values)


def _disability(d: dict[str, Any]) -> Disability:
    return Disability(
        question_set=FunctioningSet(d["question_set"]),
        some=_domains(d["some"]),
        a_lot=_domains(d["a_lot"]),
        cannot=_domains(d["cannot"]),
        types=frozenset(DisabilityType(x) for x in d["types"]),
        accommodations=frozenset(AccommodationNeed(x) for x in d["accommodations"]),
    )


def _disability_dict(d: Disability) -> dict[str, Any]:
    return {
        "question_set": d.question_set.value,
        "some": sorted([x.value for x in d.some]),
        "a_lot": sorted([x.value for x in d.a_lot]),
        "cannot": sorted([x.value for x in d.cannot]),
        "types": sorted([x.value for x in d.types]),
        "accommodations": sorted([x.value for x in d.accommodations]),
    }


def case_from_dict(d: dict[str, Any]) -> Case:
    """A typical hand-written loader: constructors, enum calls, ``fromisoformat``."""
    s = d["subject"]
    subject = Subject(
        Sex(s["sex"]),
        birth_year=s.get("birth_year"),
        birth_month=s.get("birth_month"),
        age_years=s.get("age_years"),
        disability=_disability(s["disability"]),
        hamlet_id=s.get("hamlet_id"),
        initials=s.get("initials", ""),
        identity=s.get("identity"),
    )
    v = d.get("violence")
    violence = None
    if v is not None:
        violence = ViolenceIncident(
            frozenset(ViolenceForm(x) for x in v["forms"]),
            v["place"],
            perpetrators=tuple([_perpetrator(p) for p in v.get("perpetrators", ())]),
            occurred_on=_date(v.get("occurred_on")),
        )
    a = d.get("assessment")
    assessment = None
    if a is not None:
        assessment = Assessment(
            _fromisoformat(a["assessed_on"]),
            RiskLevel(a["risk"]),
            needs=frozenset(NeedDomain(x) for x in a.get("needs", ())),
            by=a.get("by"),
            note=a.get("note", ""),
        )
    c = d.get("consent")
    consent = None
    if c is not None:
        consent = Consent(
            ConsentGiver(c["giver"]),
            _fromisoformat(c["recorded_on"]),
            services=frozenset(c.get("services", ())),
            to_share_data=c.get("to_share_data", False),
            approved_by=c.get("approved_by"),
            note=c.get("note", ""),
        )
    reporter = d.get("reporter")
    risk = d.get("risk")
    outcome = d.get("outcome")
    return Case(
        d["id"],
        d["group_id"],
        d["village_id"],
        _fromisoformat(d["reported_on"]),
        IntakeChannel(d["channel"]),
        CaseCategory(d["category"]),
        subject,
        reporter=None if reporter is None else Reporter(reporter),
        issues=frozenset(CaseCategory(x) for x in d.get("issues", ())),
        subcategory=d.get("subcategory"),
        programme=d.get("programme"),
        welfare_decile=d.get("welfare_decile"),
        decile_seen_on=_date(d.get("decile_seen_on")),
        documents=frozenset(CivilDocument(x) for x in d.get("documents", ())),
        dropout_reasons=frozenset(DropoutReason(x) for x in d.get("dropout_reasons", ())),
        violence=violence,
        risk=None if risk is None else RiskLevel(risk),
        assessment=assessment,
        companion_id=d.get("companion_id"),
        consent=consent,
        status=CaseStatus(d.get("status", "reported")),
        timeline=tuple([_event(e) for e in d.get("timeline", ())]),
        outcome=None if outcome is None else CaseOutcome(outcome),
        closed_on=_date(d.get("closed_on")),
        summary=d.get("summary", ""),
        version=d.get("version", 0),
    )


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _code(member: Any) -> str | None:
    return None if member is None else member.value


def _event_dict(e: Event) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "action": e.action,
        "source": e.source,
        "target": e.target,
        "actor_id": e.actor_id,
        "note": e.note,
        "ref": e.ref,
    }


def _perpetrator_dict(p: Perpetrator) -> dict[str, Any]:
    return {
        "relation": p.relation,
        "sex": _code(p.sex),
        "age_years": p.age_years,
        "age_band": _code(p.age_band),
        "is_child": p.is_child,
        "is_caregiver": p.is_caregiver,
    }


def case_to_dict(case: Case) -> dict[str, Any]:
    """A typical hand-written dumper producing the converter's wire format (the parts a
    typical case has; child marriage, assent, plan entries are left at their empties)."""
    s = case.subject
    v = case.violence
    a = case.assessment
    c = case.consent
    return {
        "id": case.id,
        "group_id": case.group_id,
        "village_id": case.village_id,
        "reported_on": case.reported_on.isoformat(),
        "channel": case.channel.value,
        "category": case.category.value,
        "subject": {
            "sex": s.sex.value,
            "birth_year": s.birth_year,
            "birth_month": s.birth_month,
            "age_years": s.age_years,
            "disability": _disability_dict(s.disability),
            "hamlet_id": s.hamlet_id,
            "initials": s.initials,
            "identity": s.identity,
        },
        "reporter": _code(case.reporter),
        "issues": sorted([x.value for x in case.issues]),
        "subcategory": case.subcategory,
        "programme": case.programme,
        "welfare_decile": case.welfare_decile,
        "decile_seen_on": _iso(case.decile_seen_on),
        "documents": sorted([x.value for x in case.documents]),
        "dropout_reasons": sorted([x.value for x in case.dropout_reasons]),
        "violence": None
        if v is None
        else {
            "forms": sorted([x.value for x in v.forms]),
            "place": v.place,
            "perpetrators": [_perpetrator_dict(p) for p in v.perpetrators],
            "occurred_on": _iso(v.occurred_on),
            "incident_id": v.incident_id,
            "tpks_forms": sorted([x.value for x in v.tpks_forms]),
            "penetration": _code(v.penetration),
            "exploitation": _code(v.exploitation),
            "exchange": v.exchange,
            "resources_withheld": v.resources_withheld,
        },
        "child_marriage": None,
        "risk": _code(case.risk),
        "assessment": None
        if a is None
        else {
            "assessed_on": a.assessed_on.isoformat(),
            "risk": a.risk.value,
            "needs": sorted([x.value for x in a.needs]),
            "by": a.by,
            "note": a.note,
        },
        "plan": [],
        "next_follow_up": _iso(case.next_follow_up),
        "legal_stage": _code(case.legal_stage),
        "companion_id": case.companion_id,
        "consent": None
        if c is None
        else {
            "giver": c.giver.value,
            "recorded_on": c.recorded_on.isoformat(),
            "services": sorted(c.services),
            "to_share_data": c.to_share_data,
            "assent": None,
            "approved_by": c.approved_by,
            "note": c.note,
        },
        "status": case.status.value,
        "timeline": [_event_dict(e) for e in case.timeline],
        "outcome": _code(case.outcome),
        "closed_on": _iso(case.closed_on),
        "summary": case.summary,
        "version": case.version,
    }
