"""A form defined once, as data: the XLSForm, the Kobo schema and the mapping to records
are all derived from the same `FormDefinition`.

A definition is a tree of `Question` and `Group` nodes (a `Group` with ``repeat=True``
is a repeat), the choice lists, and the records the form makes (`RecordSpec`). Each
question that holds a record's value says where it goes (`Target`); so the mapping of a
generated form cannot name a field the form does not have, nor miss a choice, and a
code list that changes changes the form and its mapping together.

* `FormDefinition.sheets` — the ``survey``, ``choices`` and ``settings`` sheets (rows
  of column → cell), bilingual columns ``label::Bahasa Indonesia (id)`` and
  ``label::English (en)`` (the XLSForm convention, https://xlsform.org and
  https://docs.getodk.org/form-language); `FormDefinition.write_xlsx` writes them.
* `FormDefinition.content` — the form as KoboToolbox keeps it (an asset's
  ``content``), so the Kobo adapter types the submissions (`schema`).
* `FormDefinition.mapping` — the `KoboFormMapping` of the form.
* `FormDefinition.check` — the form's own rules (relevance, required, constraints,
  choice filters) evaluated on answers, as KoboCollect evaluates them
  (`kk_adapters.kobo.form_logic`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import attrs

from kk_adapters.kobo.form_logic import Context, Expr
from kk_adapters.kobo.mapping import DEFAULT_TIMEZONE, KoboFormMapping, ListRule, RecordRule, Value
from kk_adapters.kobo.schema import FormSchema, SchemaSet
from kk_adapters.kobo.submissions import Submission
from kk_core.errors import Problem, ValidationError, quote_value
from kk_core.kinds import Record

__all__ = [
    "LANGUAGES",
    "VERSION_FIELD",
    "Choice",
    "FormDefinition",
    "FormProblem",
    "GeneratedFormMapping",
    "Group",
    "Question",
    "RecordSpec",
    "Target",
    "Text",
]

#: The form's languages, as XLSForm column suffixes (``label::Bahasa Indonesia (id)``).
LANGUAGES = ("Bahasa Indonesia (id)", "English (en)")

#: The calculate field every generated form starts with: the form's `FormDefinition.version`
#: (the code-list version and a digest), carried by every submission.
VERSION_FIELD = "kk_form_version"

#: A text in both languages: (Indonesian, English).
Text = tuple[str, str]


@attrs.frozen
class Target:
    """Where an answer goes: the record made by the rule ``rule``, at ``path``
    (``subject.sex``). ``cast`` reads the answer (``"bool"`` for yes/no), ``choices``
    maps choice names to codes when they differ. ``collect``: the answer is a level
    (``some``) and this question's ``code`` goes into the set ``path.<level>``;
    ``default`` is the value when the question is unanswered."""

    rule: str
    path: str
    cast: str | None = None
    choices: Mapping[str, Any] | None = None
    collect: str | None = None
    #: The value when the question is unanswered (else the record's own default).
    default: Any = None


@attrs.frozen
class Question:
    """One row of the survey sheet. ``type`` is the XLSForm type without the list name
    (``select_one``), ``list_name`` the choice list of a select."""

    name: str
    type: str
    label: Text = ("", "")
    list_name: str | None = None
    hint: Text | None = None
    relevant: Expr | None = None
    constraint: Expr | None = None
    constraint_message: Text | None = None
    required: bool | Expr = False
    required_message: Text | None = None
    calculation: Expr | None = None
    choice_filter: Expr | None = None
    appearance: str = ""
    to: Target | None = None
    #: Not after the day the form is filled in (the importer checks it against ``end``).
    not_future: bool = False


@attrs.frozen
class Group:
    """A group of questions, or (``repeat=True``) a repeat. A repeat makes one record
    per entry (``record``) or one list item per entry in a record (``into``)."""

    name: str
    label: Text
    children: tuple[Question | Group, ...]
    relevant: Expr | None = None
    repeat: bool = False
    record: RecordSpec | None = None
    into: Target | None = None


@attrs.frozen
class RecordSpec:
    """A record the form makes: its rule ``name``, record ``kind`` and id template (see
    `kk_adapters.kobo.mapping.Value`); ``constants`` are fixed fields; ``only_if``
    keeps a nested value only when a question is answered."""

    name: str
    kind: str
    id: str
    constants: Mapping[str, Any] = attrs.field(factory=dict)
    only_if: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Choice:
    """A choice of a list: its name (a code), its labels, and the extra columns choice
    filters read (``village``)."""

    name: str
    label: Text
    columns: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class FormProblem:
    """Why a form refuses answers: ``kind`` is ``constraint``, ``required``,
    ``not_relevant`` (an answer to a question the form does not ask), or ``choice``
    (a choice the list, or its filter, does not offer)."""

    path: str
    kind: str
    message: str


@attrs.frozen
class _Walked:
    node: Question | Group
    path: str
    repeat: str | None  # the path of the innermost repeat holding the node
    relevants: tuple[Expr, ...]


def _hash(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class GeneratedFormMapping(KoboFormMapping):
    """The mapping of a generated form: a `KoboFormMapping` that also refuses a date
    the form says is not in the future but is after the day the form was finished
    (``end``): the one rule of the form the model cannot know (it has no "today")."""

    def __init__(self, *args: Any, not_future: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.not_future = tuple(not_future)

    def map_submission(
        self, submission: Mapping[str, Any] | Submission, context: Any
    ) -> list[Record]:
        values = submission.values if isinstance(submission, Submission) else submission
        end = values.get("end")
        if isinstance(end, datetime) and self.not_future:
            day = end.astimezone(self.timezone).date() if end.tzinfo else end.date()
            problems = []
            for path, value in _dated(values, self.not_future):
                if isinstance(value, date) and value > day:
                    problems.append(
                        Problem(
                            path,
                            f"{value.isoformat()} is after the day the form was filled in "
                            f"({day.isoformat()})",
                        )
                    )
            if problems:
                raise ValidationError(problems, subject=f"submission of form {self.form_id}")
        return super().map_submission(submission, context)


def _dated(values: Mapping[str, Any], paths: Sequence[str]) -> Iterator[tuple[str, Any]]:
    for path in paths:
        if path in values:
            yield path, values[path]
            continue
        repeat = path.rsplit("/", 1)[0]
        while repeat:
            if isinstance(values.get(repeat), list | tuple):
                for i, entry in enumerate(values[repeat], 1):
                    if isinstance(entry, Mapping) and path in entry:
                        yield f"{repeat}[{i}]{path[len(repeat) :]}", entry[path]
                break
            repeat = repeat.rpartition("/")[0]


@attrs.frozen
class FormDefinition:
    """A generated form (see the module). ``code_list_version`` is the version of the
    code lists it was made from; `version` adds a digest of the whole definition, so
    that a changed local entry (or a new hamlet) makes a new form version."""

    form_id: str
    title: Text
    children: tuple[Question | Group, ...]
    choices: Mapping[str, tuple[Choice, ...]]
    records: tuple[RecordSpec, ...]
    code_list_version: str
    timezone: tzinfo = DEFAULT_TIMEZONE
    description: str = ""

    # -- walking -------------------------------------------------------------------------

    def walk(self) -> Iterator[_Walked]:
        """Every node in form order, with its Kobo path (``consent/giver``), the repeat
        it is in and the relevant expressions of it and its groups."""

        def go(
            nodes: Sequence[Question | Group],
            prefix: str,
            repeat: str | None,
            relevants: tuple[Expr, ...],
        ) -> Iterator[_Walked]:
            for node in nodes:
                path = f"{prefix}{node.name}"
                mine = (*relevants, node.relevant) if node.relevant is not None else relevants
                yield _Walked(node, path, repeat, mine)
                if isinstance(node, Group):
                    yield from go(node.children, path + "/", path if node.repeat else repeat, mine)

        return go(self.children, "", None, ())

    def questions(self) -> dict[str, Question]:
        """The questions by name."""
        return {w.node.name: w.node for w in self.walk() if isinstance(w.node, Question)}

    def paths(self) -> dict[str, str]:
        """Each node's Kobo path by its name."""
        return {w.node.name: w.path for w in self.walk()}

    @property
    def version(self) -> str:
        """The code-list version and a digest of the definition (``2026.1-3f9a0c2e``)."""
        survey = _hash(self._survey_rows(stamped=False))[:4]
        return f"{self.code_list_version}-{survey}{_hash(self._choice_rows())[:4]}"

    # -- the XLSForm ---------------------------------------------------------------------

    def _survey_rows(self, *, stamped: bool = True) -> list[dict[str, str]]:
        """The survey rows; ``stamped``: first a calculate `VERSION_FIELD` holding the
        version, so every submission carries it (KoboToolbox replaces the settings'
        ``version`` with its own version id when it deploys a form), and KoboCollect's
        ``start`` and ``end`` (a case is recorded at ``end``)."""
        rows: list[dict[str, str]] = []
        if stamped:
            rows += [
                {"type": "calculate", "name": VERSION_FIELD, "calculation": f"'{self.version}'"},
                {"type": "start", "name": "start"},
                {"type": "end", "name": "end"},
            ]

        def text(row: dict[str, str], column: str, value: Text | None) -> None:
            if value is not None:
                for language, part in zip(LANGUAGES, value, strict=True):
                    row[f"{column}::{language}"] = part

        def add(nodes: Sequence[Question | Group]) -> None:
            for node in nodes:
                if isinstance(node, Group):
                    kind = "repeat" if node.repeat else "group"
                    row = {"type": f"begin_{kind}", "name": node.name}
                    text(row, "label", node.label)
                    if node.relevant is not None:
                        row["relevant"] = node.relevant.xpath()
                    rows.append(row)
                    add(node.children)
                    rows.append({"type": f"end_{kind}", "name": ""})
                    continue
                kind = node.type if node.list_name is None else f"{node.type} {node.list_name}"
                row = {"type": kind, "name": node.name}
                if node.type != "calculate":
                    text(row, "label", node.label)
                text(row, "hint", node.hint)
                for column, expr in (
                    ("relevant", node.relevant),
                    ("constraint", node.constraint),
                    ("calculation", node.calculation),
                    ("choice_filter", node.choice_filter),
                ):
                    if expr is not None:
                        row[column] = expr.xpath()
                text(row, "constraint_message", node.constraint_message)
                if node.required is True:
                    row["required"] = "yes"
                elif isinstance(node.required, Expr):
                    row["required"] = node.required.xpath()
                if node.required is not False:
                    text(row, "required_message", node.required_message or _REQUIRED)
                if node.appearance:
                    row["appearance"] = node.appearance
                rows.append(row)

        add(self.children)
        return rows

    def _choice_rows(self) -> list[dict[str, str]]:
        rows = []
        for list_name, choices in self.choices.items():
            for choice in choices:
                row = {"list_name": list_name, "name": choice.name}
                for language, part in zip(LANGUAGES, choice.label, strict=True):
                    row[f"label::{language}"] = part
                row.update(choice.columns)
                rows.append(row)
        return rows

    def sheets(self) -> dict[str, list[dict[str, str]]]:
        """The ``survey``, ``choices`` and ``settings`` sheets, as rows of column → cell."""
        settings = {
            "form_title": self.title[0],
            "form_id": self.form_id,
            "version": self.version,
            "default_language": LANGUAGES[0],
        }
        return {
            "survey": self._survey_rows(),
            "choices": self._choice_rows(),
            "settings": [settings],
        }

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the XLSForm (needs openpyxl: the ``forms`` extra)."""
        try:
            from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
        except ImportError:  # pragma: no cover - the extra is installed with the forms
            raise ValidationError(
                [Problem("openpyxl", "writing XLSForms needs the forms extra (openpyxl)")],
                subject="forms",
            ) from None
        book = Workbook()
        first = True
        for name, rows in self.sheets().items():
            sheet = book.active if first else book.create_sheet()
            first = False
            assert sheet is not None
            sheet.title = name
            columns: list[str] = []
            for row in rows:
                columns.extend(c for c in row if c not in columns)
            sheet.append(columns)
            for row in rows:
                sheet.append([row.get(c, "") for c in columns])
        target = Path(path)
        book.save(target)
        return target

    # -- the Kobo side -------------------------------------------------------------------

    def content(self) -> dict[str, Any]:
        """The form as a KoboToolbox asset's ``content`` holds it once deployed."""
        survey = []
        for row in self._survey_rows():
            kind, _, list_name = row["type"].partition(" ")
            item: dict[str, Any] = {"type": kind}
            if row["name"]:
                item["name"] = row["name"]
            if list_name:
                item["select_from_list_name"] = list_name
            labels = [row.get(f"label::{language}") for language in LANGUAGES]
            if any(labels):
                item["label"] = labels
            survey.append(item)
        choices = [
            {
                "list_name": row["list_name"],
                "name": row["name"],
                "label": [row[f"label::{language}"] for language in LANGUAGES],
            }
            for row in self._choice_rows()
        ]
        return {
            "schema": "1",
            "settings": {
                "id_string": self.form_id,
                "form_title": self.title[0],
                "version": self.version,
            },
            "translations": list(LANGUAGES),
            "survey": survey,
            "choices": choices,
        }

    def schema(self) -> SchemaSet:
        """The form's schema, to type its submissions."""
        return SchemaSet.single(
            FormSchema.from_content(self.content(), version=self.version, title=self.title[0])
        )

    def mapping(self) -> GeneratedFormMapping:
        """The form's mapping to records, derived from the same definition."""
        paths = self.paths()
        rules: list[RecordRule] = []
        not_future = [
            w.path for w in self.walk() if isinstance(w.node, Question) and w.node.not_future
        ]
        by_rule: dict[str, dict[str, Value]] = {spec.name: {} for spec in self.records}
        collects: dict[tuple[str, str], dict[str, str]] = {}
        lists: dict[str, list[ListRule]] = {}
        repeats: list[tuple[Group, str]] = []
        for walked in self.walk():
            node = walked.node
            if isinstance(node, Group):
                if node.record is not None:
                    repeats.append((node, walked.path))
                elif node.into is not None:
                    fields = {
                        q.to.path: _value(paths[q.name], q.to)
                        for q in node.children
                        if isinstance(q, Question) and q.to is not None
                    }
                    lists.setdefault(node.into.rule, []).append(
                        ListRule(into=node.into.path, repeat=walked.path, fields=fields)
                    )
                continue
            target = node.to
            if target is None or walked.repeat is not None:
                continue  # a repeat's questions map through their repeat (list or record)
            if target.collect is not None:
                collects.setdefault((target.rule, target.path), {})[walked.path] = target.collect
                continue
            by_rule.setdefault(target.rule, {})[target.path] = _value(walked.path, target)
        for (rule, path), collect in collects.items():
            for level in COLLECTED_LEVELS:
                by_rule[rule][f"{path}.{level}"] = Value(collect=collect, answers=(level,))
        for spec in self.records:
            fields = {**_constants(spec), **by_rule[spec.name]}
            rules.append(
                RecordRule(
                    kind=spec.kind,
                    id=Value(template=spec.id),
                    fields=fields,
                    name=spec.name,
                    lists=tuple(lists.get(spec.name, ())),
                    only_if={k: paths.get(v, v) for k, v in spec.only_if.items()},
                    recorded_at=Value(field="end") if spec.kind == "case" else None,
                )
            )
        for group, path in repeats:
            assert group.record is not None
            spec = group.record
            fields = _constants(spec)
            for q in _questions_of(group):
                if q.to is not None and q.to.rule == spec.name:
                    fields[q.to.path] = _value(f"{path}/{_relative(group, q)}", q.to)
            rules.append(
                RecordRule(
                    kind=spec.kind,
                    id=Value(template=spec.id),
                    fields=fields,
                    name=spec.name,
                    repeat=path,
                )
            )
        return GeneratedFormMapping(
            self.form_id,
            rules,
            timezone=self.timezone,
            description=self.description or self.title[1],
            not_future=not_future,
        )

    # -- the form's own rules ----------------------------------------------------------------

    def check(self, answers: Mapping[str, Any], today: date) -> list[FormProblem]:
        """What the form refuses in these answers (by question name; a repeat's name →
        its entries, each answers by name; typed: dates, ints, choice names, tuples of
        names for select_multiple), KoboCollect's checks, with ``today()`` = ``today``.
        Calculations are taken from ``answers`` (use `calculate` first)."""
        problems: list[FormProblem] = []
        for walked in self.walk():
            node = walked.node
            if not isinstance(node, Question) or node.type == "calculate":
                continue
            if walked.repeat is None:
                self._check_one(walked, answers, None, today, walked.path, problems)
                continue
            repeat = walked.repeat.rsplit("/", 1)[-1]
            for i, entry in enumerate(answers.get(repeat) or (), 1):
                at = f"{walked.repeat}[{i}]{walked.path[len(walked.repeat) :]}"
                self._check_one(walked, answers, entry, today, at, problems)
        return problems

    def _check_one(
        self,
        walked: _Walked,
        answers: Mapping[str, Any],
        entry: Mapping[str, Any] | None,
        today: date,
        at: str,
        problems: list[FormProblem],
    ) -> None:
        node = walked.node
        assert isinstance(node, Question)
        ctx = Context(answers, today, entry=entry)
        value = ctx.lookup(node.name)
        blank = value is None or value == "" or value == ()
        relevant = all(r.truth(ctx) for r in walked.relevants)
        if not relevant:
            if not blank:
                problems.append(FormProblem(at, "not_relevant", "answered but not asked"))
            return
        if blank:
            required = node.required
            if required is True or (isinstance(required, Expr) and required.truth(ctx)):
                problems.append(FormProblem(at, "required", "unanswered"))
            return
        here = attrs.evolve(ctx, here=value)
        if node.list_name is not None:
            offered = self._offered(node, here)
            picked = value if isinstance(value, tuple) else (value,)
            missing = [p for p in picked if p not in offered]
            if missing:
                problems.append(
                    FormProblem(at, "choice", f"{', '.join(map(quote_value, missing))} not offered")
                )
        if node.constraint is not None and not node.constraint.truth(here):
            message = node.constraint_message[1] if node.constraint_message else "constraint"
            problems.append(FormProblem(at, "constraint", message))

    def _offered(self, node: Question, ctx: Context) -> list[str]:
        assert node.list_name is not None
        offered = []
        for choice in self.choices.get(node.list_name, ()):
            if node.choice_filter is None or node.choice_filter.truth(
                attrs.evolve(ctx, choice={"name": choice.name, **choice.columns})
            ):
                offered.append(choice.name)
        return offered

    def offered(
        self,
        name: str,
        answers: Mapping[str, Any],
        today: date,
        entry: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """The choices the question ``name`` offers given the answers so far."""
        node = self.questions()[name]
        return self._offered(node, Context(answers, today, entry=entry))

    def calculate(self, answers: dict[str, Any], today: date) -> dict[str, Any]:
        """The answers with the form's calculations filled in (or taken out where they
        are not relevant), in form order."""
        out = dict(answers)
        for walked in self.walk():
            node = walked.node
            if (
                not isinstance(node, Question)
                or node.calculation is None
                or walked.repeat is not None
            ):
                continue
            ctx = Context(out, today)
            if all(r.truth(ctx) for r in walked.relevants):
                value = node.calculation.evaluate(ctx)
                out[node.name] = value
            else:
                out.pop(node.name, None)
        return out


_REQUIRED: Text = ("Pertanyaan ini wajib dijawab.", "This question is required.")

#: The answers of a difficulty question that are kept, each in the set of
#: `kk_core.disability.Disability` of the same name ("no difficulty" is not kept).
COLLECTED_LEVELS = ("some", "a_lot", "cannot")


def _constants(spec: RecordSpec) -> dict[str, Value]:
    """A record's fixed fields: text with ``{…}`` is a template (``{@case}``)."""
    return {
        k: Value(template=v) if isinstance(v, str) and "{" in v else Value(const=v)
        for k, v in spec.constants.items()
    }


def _value(path: str, target: Target) -> Value:
    if target.default is not None:
        return Value(field=path, cast=target.cast, choices=target.choices, default=target.default)
    return Value(field=path, cast=target.cast, choices=target.choices)


def _questions_of(group: Group) -> Iterator[Question]:
    for node in group.children:
        if isinstance(node, Question):
            yield node
        elif not node.repeat:
            yield from _questions_of(node)


def _relative(group: Group, question: Question) -> str:
    def find(nodes: Sequence[Question | Group], prefix: str) -> str | None:
        for node in nodes:
            if node is question:
                return prefix + node.name
            if isinstance(node, Group) and not node.repeat:
                found = find(node.children, f"{prefix}{node.name}/")
                if found:
                    return found
        return None

    found = find(group.children, "")
    assert found is not None
    return found
