"""A KoboToolbox form's schema, read from an asset's ``content``: what each field is.

KoboToolbox keeps a form as JSON (``GET /api/v2/assets/{uid}/`` → ``content``; each
deployed version at ``/api/v2/assets/{uid}/versions/{version_uid}/``): ``survey`` is
the list of rows of the XLSForm's survey sheet (``type``, ``name`` — or ``$autoname``
when the form builder named it —, ``label`` as a list aligned with ``translations``,
``select_from_list_name`` for selects), groups and repeats opened by ``begin_group`` /
``begin_repeat`` rows and closed by ``end_group`` / ``end_repeat``; ``choices`` holds
the choice lists (``list_name``, ``name``, ``label``). See kpi's
``kpi/serializers/v2/asset.py`` and formpack's ``formpack/version.py``.

A submission names each answer by its *path*: the names of its groups and its own,
joined by ``/`` (``reporting/reported_on``). A `FormSchema` lists the questions of one
version of a form by path, with their type and choice list; a `SchemaSet` holds every
version of a form, so that a data set collected across edits of the form types each
submission with the version it was made with (its ``__version__``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kk_core.errors import Problem, ValidationError, quote_value

__all__ = [
    "META_FIELDS",
    "ChoiceList",
    "FormSchema",
    "Question",
    "SchemaSet",
    "value_kind",
]

#: Keys every submission may carry besides the form's own questions (API v2 JSON):
#: what the server adds and the ``meta`` group every XForm has.
META_FIELDS = frozenset(
    {
        "_id",
        "_uuid",
        "_submission_time",
        "_submitted_by",
        "_validation_status",
        "_attachments",
        "_geolocation",
        "_notes",
        "_tags",
        "_status",
        "_xform_id_string",
        "_version_",
        "__version__",
        "_supplementalDetails",
        "formhub/uuid",
        "meta/instanceID",
        "meta/instanceName",
        "meta/deprecatedID",
        "meta/rootUuid",
        "meta/audit",
    }
)

#: XLSForm type spellings → the one this module uses.
_ALIASES = {
    "int": "integer",
    "datetime": "datetime",
    "date_time": "datetime",
    "select_all_that_apply": "select_multiple",
    "select_one_external": "select_one",
    "select_one_from_file": "select_one",
    "select_multiple_from_file": "select_multiple",
    "begin_kobomatrix": "begin_group",
    "end_kobomatrix": "end_group",
    "trigger": "acknowledge",
    "geo_point": "geopoint",
    "gps": "geopoint",
}

#: How a question's answers are typed, by its (normalised) type; others stay text.
_VALUE_KINDS = {
    "integer": "integer",
    "decimal": "decimal",
    "range": "number",
    "date": "date",
    "today": "date",
    "datetime": "datetime",
    "start": "datetime",
    "end": "datetime",
    "time": "time",
    "select_one": "select_one",
    "select_multiple": "select_multiple",
    "rank": "select_multiple",
    "geopoint": "geopoint",
    "geotrace": "geotrace",
    "geoshape": "geotrace",
    "acknowledge": "acknowledge",
}

_OPENERS = {"begin_group": "group", "begin_repeat": "repeat"}
_CLOSERS = {"end_group": "group", "end_repeat": "repeat"}


def value_kind(question_type: str) -> str:
    """How answers to a question of this (normalised) type are typed: ``integer``,
    ``decimal``, ``number`` (a range), ``date``, ``datetime``, ``time``, ``select_one``,
    ``select_multiple``, ``geopoint``, ``geotrace``, ``acknowledge`` or ``text`` (every
    other type: text, note, calculate, barcode, media file names, device metadata)."""
    return _VALUE_KINDS.get(question_type, "text")


def _normal_type(raw: str) -> tuple[str, str | None]:
    """(type, list name written in the type itself: XLSForm's ``select_one yes_no``)."""
    words = raw.strip().split()
    if not words:
        return "", None
    lowered = [w.lower() for w in words]
    if lowered[0] in ("begin", "end") and len(words) >= 2:  # "begin group", "end repeat"
        spelled = f"{lowered[0]}_{lowered[1]}"
        return _ALIASES.get(spelled, spelled), None
    for phrase, normal in _SPELLED_SELECTS:
        if lowered[: len(phrase)] == phrase:  # "select one yes_no"
            return normal, words[len(phrase)] if len(words) > len(phrase) else None
    head = _ALIASES.get(lowered[0], lowered[0])
    if head in ("select_one", "select_multiple", "rank") and len(words) > 1:
        return head, words[1]
    return head, None


_SPELLED_SELECTS = (
    (["select", "one"], "select_one"),
    (["select", "multiple"], "select_multiple"),
    (["select", "all", "that", "apply"], "select_multiple"),
)


@attrs.frozen
class Question:
    """One question (or group, or repeat) of a form.

    ``path`` is what submissions key the answer by (``incident/forms``); ``repeat`` the
    path of the innermost repeat it is in (``None`` at the top level); ``labels`` its
    labels aligned with the schema's ``translations``.
    """

    path: str
    name: str
    type: str
    list_name: str | None = attrs.field(default=None, kw_only=True)
    repeat: str | None = attrs.field(default=None, kw_only=True)
    labels: tuple[str | None, ...] = attrs.field(default=(), kw_only=True)
    #: ``hxl`` tag of the question (an HXL row of a CSV export names columns by it).
    hxl: str | None = attrs.field(default=None, kw_only=True)

    @property
    def kind(self) -> str:
        """How its answers are typed (`value_kind`)."""
        return value_kind(self.type)

    @property
    def is_repeat(self) -> bool:
        return self.type == "begin_repeat"

    @property
    def is_group(self) -> bool:
        return self.type in ("begin_group", "begin_repeat")


@attrs.frozen
class ChoiceList:
    """A choice list: choice name → labels (aligned with the schema's translations)."""

    name: str
    choices: Mapping[str, tuple[str | None, ...]]

    def __contains__(self, name: object) -> bool:
        return name in self.choices


@attrs.frozen
class FormSchema:
    """One version of a form: its questions by path, in form order, and choice lists.

    Build it with `FormSchema.from_content` (an asset's ``content``) or
    `FormSchema.from_asset` (the whole asset JSON of ``GET /api/v2/assets/{uid}/``).
    """

    questions: Mapping[str, Question]
    choices: Mapping[str, ChoiceList] = attrs.field(factory=dict)
    translations: tuple[str | None, ...] = (None,)
    form_id: str | None = attrs.field(default=None, kw_only=True)
    version: str | None = attrs.field(default=None, kw_only=True)
    title: str = attrs.field(default="", kw_only=True)

    @classmethod
    def from_content(
        cls,
        content: Mapping[str, Any],
        *,
        version: str | None = None,
        form_id: str | None = None,
        title: str = "",
        where: str = "content",
    ) -> FormSchema:
        """The schema of an asset's ``content``; a `ValidationError` naming every row that
        cannot be read (``content.survey[12]: a question without a name``)."""
        problems: list[Problem] = []
        if not isinstance(content, Mapping):
            raise ValidationError(
                [Problem(where, f"expected an object, got {type(content).__name__}")],
                subject="Kobo form content",
            )
        translations = _translations(content.get("translations"), where, problems)
        survey = content.get("survey")
        if not isinstance(survey, list):
            problems.append(Problem(f"{where}.survey", "expected the list of survey rows"))
            survey = []
        questions = _questions(survey, len(translations), where, problems)
        choices = _choice_lists(content.get("choices") or [], len(translations), where, problems)
        if problems:
            raise ValidationError(problems, subject="Kobo form content")
        settings = content.get("settings")
        if form_id is None and isinstance(settings, Mapping):
            found = settings.get("id_string") or settings.get("form_id")
            form_id = found if isinstance(found, str) and found else None
        if not title and isinstance(settings, Mapping):
            found = settings.get("form_title")
            title = found if isinstance(found, str) else ""
        return cls(questions, choices, translations, form_id=form_id, version=version, title=title)

    @classmethod
    def from_asset(cls, asset: Mapping[str, Any]) -> FormSchema:
        """The schema of the asset JSON the API returns (its ``content``, at the asset's
        current version: ``version_id``)."""
        if not isinstance(asset, Mapping) or not isinstance(asset.get("content"), Mapping):
            raise ValidationError(
                [Problem("asset.content", "the asset has no form content")], subject="Kobo asset"
            )
        version = asset.get("version_id") or asset.get("deployed_version_id")
        name = asset.get("name")
        return cls.from_content(
            asset["content"],
            version=version if isinstance(version, str) else None,
            title=name if isinstance(name, str) else "",
            where="asset.content",
        )

    def question(self, path: str) -> Question | None:
        return self.questions.get(path)

    def choice_list(self, question: Question) -> ChoiceList | None:
        return None if question.list_name is None else self.choices.get(question.list_name)

    def repeats(self) -> list[Question]:
        return [q for q in self.questions.values() if q.is_repeat]

    def fields(self) -> Iterator[Question]:
        """The questions that hold answers (no groups or repeats)."""
        return (q for q in self.questions.values() if not q.is_group)


def _translations(raw: Any, where: str, problems: list[Problem]) -> tuple[str | None, ...]:
    if raw is None:
        return (None,)
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(f"{where}.translations", "expected a list of translation names"))
        return (None,)
    return tuple(t if isinstance(t, str) else None for t in raw)


def _labels(raw: Any, count: int) -> tuple[str | None, ...]:
    if isinstance(raw, str):
        return (raw,) + (None,) * (count - 1)
    if isinstance(raw, list):
        found = tuple(x if isinstance(x, str) else None for x in raw[:count])
        return found + (None,) * (count - len(found))
    return (None,) * count


def _hxl(row: Mapping[str, Any]) -> str | None:
    tag = row.get("hxl")
    if isinstance(tag, str) and tag.strip():
        return tag.strip().split()[0]
    tags = row.get("tags")
    if isinstance(tags, list):  # kpi stores an hxl column as tags 'hxl:#affected'
        for item in tags:
            if isinstance(item, str) and item.startswith("hxl:"):
                return item[4:]
    return None


def _questions(
    survey: list[Any], translations: int, where: str, problems: list[Problem]
) -> dict[str, Question]:
    questions: dict[str, Question] = {}
    stack: list[tuple[str, str]] = []  # (kind "group"/"repeat", path)
    for index, row in enumerate(survey):
        at = f"{where}.survey[{index}]"
        if not isinstance(row, Mapping):
            problems.append(Problem(at, f"expected an object, got {type(row).__name__}"))
            continue
        raw_type = row.get("type")
        if not isinstance(raw_type, str) or not raw_type.strip():
            problems.append(Problem(at, "a row without a type"))
            continue
        qtype, list_in_type = _normal_type(raw_type)
        if qtype in _CLOSERS:
            if not stack or stack[-1][0] != _CLOSERS[qtype]:
                problems.append(Problem(at, f"{qtype} without its begin_{_CLOSERS[qtype]}"))
            else:
                stack.pop()
            continue
        name = row.get("name") or row.get("$autoname")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(at, f"a {qtype} row without a name"))
            continue
        name = name.strip()
        parent = stack[-1][1] if stack else ""
        path = f"{parent}/{name}" if parent else name
        repeat = next((p for kind, p in reversed(stack) if kind == "repeat"), None)
        if path in questions:
            problems.append(Problem(at, f"{quote_value(path)} is defined twice"))
            continue
        list_name = row.get("select_from_list_name") or list_in_type
        questions[path] = Question(
            path,
            name,
            qtype,
            list_name=list_name if isinstance(list_name, str) and list_name else None,
            repeat=repeat,
            labels=_labels(row.get("label"), translations),
            hxl=_hxl(row),
        )
        if qtype in _OPENERS:
            stack.append((_OPENERS[qtype], path))
    for kind, path in stack:
        problems.append(Problem(f"{where}.survey", f"{kind} {quote_value(path)} is never closed"))
    return questions


def _choice_lists(
    rows: Any, translations: int, where: str, problems: list[Problem]
) -> dict[str, ChoiceList]:
    found: dict[str, dict[str, tuple[str | None, ...]]] = {}
    if not isinstance(rows, list):
        problems.append(Problem(f"{where}.choices", "expected the list of choices"))
        return {}
    for index, row in enumerate(rows):
        at = f"{where}.choices[{index}]"
        if not isinstance(row, Mapping):
            problems.append(Problem(at, f"expected an object, got {type(row).__name__}"))
            continue
        list_name = row.get("list_name")
        name = row.get("name") or row.get("$autoname") or row.get("$autovalue")
        if not isinstance(list_name, str) or not list_name:
            problems.append(Problem(at, "a choice without a list_name"))
            continue
        if not isinstance(name, str) or not name:
            problems.append(
                Problem(at, f"a choice of list {quote_value(list_name)} without a name")
            )
            continue
        found.setdefault(list_name, {})[name] = _labels(row.get("label"), translations)
    return {name: ChoiceList(name, choices) for name, choices in found.items()}


class SchemaSet:
    """Every version of one form: each submission is typed with the version it was made
    with (its ``__version__``). A submission of a version not held here (made before the
    asset's versions were fetched, or from an export without them) is typed with the
    *merged* schema: every question any held version has, the latest version's
    definition winning.
    """

    def __init__(self, schemas: Iterable[FormSchema], *, latest: str | None = None) -> None:
        listed = list(schemas)
        if not listed:
            raise ValidationError(
                [Problem("schemas", "give at least one version of the form")],
                subject="Kobo form",
            )
        self._by_version: dict[str | None, FormSchema] = {}
        for schema in listed:
            self._by_version[schema.version] = schema
        if latest is not None and latest in self._by_version:
            self.latest = self._by_version[latest]
        else:
            self.latest = listed[-1]
        self.merged = _merge([s for s in listed if s is not self.latest] + [self.latest])
        self.form_id = next((s.form_id for s in reversed(listed) if s.form_id), None)

    @classmethod
    def single(cls, schema: FormSchema) -> SchemaSet:
        return cls([schema])

    @classmethod
    def load(cls, path: str | Path) -> SchemaSet:
        """The schemas saved in a JSON file: an asset (``GET /api/v2/assets/{uid}/``), an
        asset with its ``versions`` (what `KoboClient.save_schemas` writes), or a bare
        ``content``."""
        source = Path(path)
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not valid JSON"
            raise ValidationError(
                [Problem(str(source), f"cannot read the form schema: {reason}")],
                subject="Kobo form",
            ) from None
        return cls.from_json(data, where=source.name)

    @classmethod
    def from_json(cls, data: Any, *, where: str = "asset") -> SchemaSet:
        """From an asset JSON, with its ``versions`` (``[{"uid": …, "content": …}]``) when
        given, or from a bare ``content``."""
        if isinstance(data, Mapping) and "survey" in data:
            return cls.single(FormSchema.from_content(data, where=where))
        if not isinstance(data, Mapping) or not isinstance(data.get("content"), Mapping):
            raise ValidationError(
                [Problem(where, "expected a Kobo asset (with its content) or a form content")],
                subject="Kobo form",
            )
        current = FormSchema.from_asset(data)
        versions: list[FormSchema] = []
        for i, entry in enumerate(data.get("versions") or ()):
            if isinstance(entry, Mapping) and isinstance(entry.get("content"), Mapping):
                uid = entry.get("uid") or entry.get("version_id")
                versions.append(
                    FormSchema.from_content(
                        entry["content"],
                        version=uid if isinstance(uid, str) else None,
                        form_id=current.form_id,
                        where=f"{where}.versions[{i}].content",
                    )
                )
        held = {s.version for s in versions}
        if current.version not in held:
            versions.append(current)
        return cls(versions, latest=current.version)

    @property
    def versions(self) -> Sequence[str | None]:
        return list(self._by_version)

    def __iter__(self) -> Iterator[FormSchema]:
        return iter(self._by_version.values())

    def for_version(self, version: str | None) -> FormSchema:
        """The schema a submission of ``version`` was made with (else the merged one)."""
        found = self._by_version.get(version)
        return found if found is not None else self.merged


def _merge(schemas: Sequence[FormSchema]) -> FormSchema:
    """Every question and choice of every schema, the later ones' definitions winning."""
    if len(schemas) == 1:
        return schemas[0]
    questions: dict[str, Question] = {}
    lists: dict[str, dict[str, tuple[str | None, ...]]] = {}
    for schema in schemas:
        questions.update(schema.questions)
        for name, choice_list in schema.choices.items():
            lists.setdefault(name, {}).update(choice_list.choices)
    last = schemas[-1]
    width = len(last.translations)
    merged_lists = {
        name: ChoiceList(name, {k: _labels(list(v), width) for k, v in choices.items()})
        for name, choices in lists.items()
    }
    return FormSchema(
        questions,
        merged_lists,
        last.translations,
        form_id=last.form_id,
        version=None,
        title=last.title,
    )
