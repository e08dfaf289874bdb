"""The generated forms' tests: a deployment (two villages, their hamlets, KKs, members,
providers, local entries of a district plugin), a player that fills a generated form
the way KoboCollect lets a field worker (every relevant question, choices as the
filters offer them, answers that pass the constraints), and the encoding of the answers
as KoboToolbox API v2 returns a submission.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from kk_adapters.kobo.form_definition import VERSION_FIELD, FormDefinition, Group, Question
from kk_adapters.kobo.form_logic import Context
from kk_adapters.kobo.forms import FormContext
from kk_core import Hamlet, Village
from kk_core.codes import Affiliation, CodeEntry, Position, ServiceKind, Sex
from kk_core.groups import ConstituentGroup, Member
from kk_core.hookspecs import hookimpl
from kk_core.referrals import ServiceProvider
from kk_core.registries import CodeListRegistry
from kobo_support import reference_records

WITA = timezone(timedelta(hours=8))
KORLEKO = Village("52.03.17.2006", "Korleko", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")


class LocalEntries:
    """A district's local entries (``kk_extend_code_lists``): an adoptive father (a
    parent), an uncle, a local clinic kind under the Puskesmas, a local sub-category."""

    @hookimpl
    def kk_extend_code_lists(self, registry: CodeListRegistry) -> None:
        registry.add(
            "perpetrator_relation",
            CodeEntry("ayah_angkat", "Ayah angkat", "Adoptive father", parent="parent"),
            CodeEntry("paman", "Paman", "Uncle", parent="family"),
        )
        registry.add(
            "service_kind",
            CodeEntry("klinik_desa", "Klinik desa", "Village clinic", parent="puskesmas"),
        )
        registry.add(
            "case_subcategory",
            CodeEntry(
                "kdrt_ekonomi", "KDRT ekonomi", "Economic domestic violence", parent="violence"
            ),
        )


def deployment_records() -> list[Any]:
    """The test deployment: Teros (the Kobo tests' village) and Korleko, each with a KK,
    hamlets and members; providers, one of a local service kind."""
    return [
        *reference_records(),
        KORLEKO,
        Hamlet("dusun-korleko-barat", KORLEKO.id, "Korleko Barat"),
        Hamlet("dusun-korleko-timur", KORLEKO.id, "Korleko Timur"),
        ConstituentGroup("kk-korleko", KORLEKO.id, "Kelompok Konstituen Desa Korleko"),
        Member(
            "kk-korleko-m01",
            "kk-korleko",
            "Inaq Sahnun",
            Sex.FEMALE,
            {Affiliation.PKK},
            date(2024, 1, 10),
        ),
        Member(
            "kk-korleko-m02",
            "kk-korleko",
            "Lalu Sapriadi",
            Sex.MALE,
            {Affiliation.VILLAGE_GOVERNMENT},
            date(2020, 1, 6),
            position=Position.CHAIR,
        ),
        ServiceProvider("klinik-korleko", "klinik_desa", "Klinik Desa Korleko"),
        ServiceProvider("polres-lotim", ServiceKind.POLICE_PPA, "Unit PPA Polres Lombok Timur"),
    ]


def deployment_context() -> FormContext:
    records = deployment_records()

    def of(kind: type) -> tuple[Any, ...]:
        return tuple(r for r in records if isinstance(r, kind))

    return FormContext(
        villages=of(Village),
        hamlets=of(Hamlet),
        groups=of(ConstituentGroup),
        members=of(Member),
        providers=of(ServiceProvider),
    )


# -- playing a form ------------------------------------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]
#: A question's own strategy: (answers so far, today) → strategy.
Custom = Mapping[str, Callable[[Mapping[str, Any], date], st.SearchStrategy[Any]]]

_TEXTS = ["Catatan singkat", "Warung Inaq Sahnun", "Rapat desa", "Pendampingan ke Puskesmas"]


def default_strategy(question: Question, today: date) -> st.SearchStrategy[Any]:
    """Answers of any kind a field worker could type for this question."""
    if question.type == "date":
        return st.dates(today - timedelta(days=900), today + timedelta(days=3))
    if question.type == "integer":
        return st.integers(-2, 140)
    if question.name == "initials":
        return st.sampled_from(["S.N.", "AB", "R", "M.Z."])
    return st.sampled_from(_TEXTS)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == ()


class Unfillable(Exception):
    """The drawn answers leave a required question no acceptable answer."""


@attrs.define
class Player:
    """Fills ``form`` as KoboCollect lets a field worker: only relevant questions, the
    choices the filters offer, answers that pass the constraint (a refused answer is
    typed again)."""

    form: FormDefinition
    draw: Draw
    today: date
    custom: Custom = attrs.field(factory=dict)
    tries: int = 12

    def play(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        try:
            self._nodes(self.form.children, answers, None)
        except Unfillable:
            assume(False)
        return answers

    def _relevant(self, node: Question | Group, answers: Mapping[str, Any], entry: Any) -> bool:
        if node.relevant is None:
            return True
        return node.relevant.truth(Context(answers, self.today, entry=entry))

    def _nodes(
        self,
        nodes: tuple[Question | Group, ...],
        answers: dict[str, Any],
        entry: dict[str, Any] | None,
    ) -> None:
        for node in nodes:
            if not self._relevant(node, answers, entry):
                continue
            if isinstance(node, Group):
                if node.repeat:
                    entries: list[dict[str, Any]] = []
                    answers[node.name] = entries
                    for _ in range(self.draw(st.integers(0, 2))):
                        item: dict[str, Any] = {}
                        entries.append(item)
                        self._nodes(node.children, answers, item)
                    if not entries:
                        del answers[node.name]
                else:
                    self._nodes(node.children, answers, entry)
                continue
            value = self._answer(node, answers, entry)
            if not _blank(value):
                (entry if entry is not None else answers)[node.name] = value

    def _answer(self, q: Question, answers: Mapping[str, Any], entry: Any) -> Any:
        ctx = Context(answers, self.today, entry=entry)
        if q.calculation is not None:
            return q.calculation.evaluate(ctx)
        required = q.required is True
        if not required and not self.draw(st.booleans()):
            return None

        def passes(value: Any) -> bool:
            return q.constraint is None or q.constraint.truth(attrs.evolve(ctx, here=value))

        if q.list_name is not None and q.name in self.custom:
            offered = self.form.offered(q.name, answers, self.today, entry)
            chosen = self.custom[q.name](answers, self.today)
            for _ in range(self.tries):
                value = self.draw(chosen)
                names = value if isinstance(value, tuple) else (value,)
                if all(n in offered for n in names) and passes(value):
                    return value
            if required:
                raise Unfillable(q.name)
            return None
        if q.list_name is not None:
            offered = self.form.offered(q.name, answers, self.today, entry)
            if q.type == "select_one":
                good = [c for c in offered if passes(c)]
                if not good:
                    if required:
                        raise Unfillable(q.name)
                    return None
                return self.draw(st.sampled_from(good))
            if not offered:
                return None
            strategy: st.SearchStrategy[Any] = st.lists(
                st.sampled_from(offered), min_size=1, max_size=3, unique=True
            ).map(tuple)
        elif q.name in self.custom:
            strategy = self.custom[q.name](answers, self.today)
        else:
            strategy = default_strategy(q, self.today)
        for _ in range(self.tries):
            value = self.draw(strategy)
            if passes(value):
                return value
        if required:
            raise Unfillable(q.name)
        return None


# -- the API's encoding ----------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, tuple | list):
        return " ".join(_text(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


@attrs.frozen
class Filled:
    """A filled form: the answers (typed, by question name), the day and time it was
    finished, and its identity."""

    answers: Mapping[str, Any]
    end: datetime
    number: int
    root: str

    @property
    def today(self) -> date:
        return self.end.date()


def api_submission(form: FormDefinition, filled: Filled) -> dict[str, Any]:
    """The submission as ``GET /api/v2/assets/{uid}/data/`` returns it: every answer a
    string under its ``group/field`` path, a repeat a list of dicts with full paths,
    select_multiple space-separated, unanswered questions absent, and the metadata."""
    paths = form.paths()
    out: dict[str, Any] = {
        "_id": filled.number,
        "formhub/uuid": "5d3b1fa8c1e24b7a9f0e6c2d4a8b1e3f",
        "start": (filled.end - timedelta(minutes=25)).isoformat(timespec="milliseconds"),
        "end": filled.end.isoformat(timespec="milliseconds"),
        VERSION_FIELD: form.version,
    }
    for name, value in filled.answers.items():
        if isinstance(value, list):
            out[paths[name]] = [
                {paths[k]: _text(v) for k, v in item.items() if not _blank(v)} for item in value
            ]
        elif not _blank(value):
            out[paths[name]] = _text(value)
    submitted = filled.end.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=3)
    out.update(
        {
            "__version__": "vQx3bJ7mKp2Ls9Dd4fGh8w",
            "meta/instanceID": f"uuid:{filled.root}",
            "meta/rootUuid": f"uuid:{filled.root}",
            "_xform_id_string": form.form_id,
            "_uuid": filled.root,
            "_attachments": [],
            "_status": "submitted_via_web",
            "_geolocation": [None, None],
            "_submission_time": submitted.isoformat(timespec="seconds"),
            "_tags": [],
            "_notes": [],
            "_validation_status": {},
            "_submitted_by": None,
        }
    )
    return out


def write_export(folder: Path, form: FormDefinition, submissions: list[dict[str, Any]]) -> Path:
    """An API JSON dump of the submissions, with the asset beside it."""
    path = folder / f"{form.form_id}-{uuid_module.uuid4().hex[:8]}.json"
    path.write_text(
        json.dumps({"count": len(submissions), "next": None, "results": submissions}),
        encoding="utf-8",
    )
    asset = {"uid": "aGenerated0001", "name": form.title[0], "content": form.content()}
    path.with_suffix(".asset.json").write_text(json.dumps(asset), encoding="utf-8")
    return path


def finished_at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=WITA) + timedelta(minutes=minutes)
