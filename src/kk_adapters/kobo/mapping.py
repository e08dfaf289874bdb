"""Form mappings: how a partner's Kobo form becomes domain records.

A `KoboFormMapping` is a list of `RecordRule` objects, each making one record (or one
per entry of a repeat) from a typed submission: the record's id and fields, each from a
`Value` — a field of the form (by path), a constant, a text template, a choice table,
the domain codes gathered from several questions, or (in Python) any function. Build
one in code, or load it from a declarative TOML file (`kk_adapters.kobo.mapping_file`);
`check` then holds it against the form's schema (every version): a field path the form
does not have, a choice of the form the mapping leaves unmapped, a record field that
does not exist or is required and unmapped, a code that is not in its code list — each
is a problem naming it.

Cases are recorded as the KK records them (`kk_core.case_lifecycle`): the ``report``
step at the time the form was filled in (its ``end``, else ``start``, else the
submission time), then the companion, the assessment and the consent the form holds,
then one ``refer`` step per referral of the same submission (each referral is
``send``-ed with it). Each step is the lifecycle's own pure function, so every guard
`kk_core.services.Services` would apply holds (no referral without consent covering the
service, or an override; who may consent for a child…); a refusal rejects the
submission with the rule it broke.

A mapping is also a `kk_core.registries.FormMapping` (``form_id`` and ``map(values)``),
so other programs register theirs through ``kk_register_form_mappings``.
"""

from __future__ import annotations

import itertools
import re
import types
import typing
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from kk_adapters.kobo.schema import META_FIELDS, FormSchema, Question, SchemaSet
from kk_adapters.kobo.submissions import GeoPoint, Submission
from kk_core import case_lifecycle
from kk_core.cases import Case
from kk_core.converter import structure
from kk_core.errors import KKError, Problem, TransitionError, ValidationError, quote_value
from kk_core.import_marks import letters_digest
from kk_core.kinds import RECORD_KINDS, Record, record_type
from kk_core.privacy import looks_like_nik
from kk_core.referrals import Referral, send_referral

__all__ = [
    "DEFAULT_TIMEZONE",
    "KoboFormMapping",
    "ListRule",
    "MapContext",
    "RecordRule",
    "Value",
    "record_history",
]

#: The zone event times are written in when a mapping names none: WITA (UTC+8), the
#: zone of Nusa Tenggara Barat, where the KK programme started. WIB is UTC+7, WIT UTC+9.
DEFAULT_TIMEZONE = timezone(timedelta(hours=8))


class _Unset(Enum):
    UNSET = "unset"


_UNSET = _Unset.UNSET
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: Placeholders of templates that are not field paths.
_INDEX = "#"
_KEY = "_key"


def _names(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@attrs.frozen
class Value:
    """Where one value of a record comes from (give exactly one of ``field``, ``const``,
    ``template``, ``collect``).

    * ``field`` — the answer at this path (``incident/forms``), typed; also the
      submission's metadata (``_id``, ``_submission_time``, ``meta/rootUuid``…). Inside
      a repeat rule, the entry's own answers and those outside the repeat.
    * ``const`` — a constant (a group id, a village code).
    * ``template`` — text with ``{path}`` placeholders (``"KK-{reporting/case_no}"``);
      ``{#}`` is the entry's position in its repeat (from 1), ``{@rule}`` the id of the
      record another rule made from the same submission, ``{_key}`` a short key of the
      submission (letters only, from its ``meta/rootUuid``).
    * ``collect`` — field path → code: the codes of the fields whose answer is one of
      ``answers`` (WG questions, one per domain, into the domains with "a lot of
      difficulty").

    ``choices`` maps choice names to codes (each choice of a select_multiple); a choice
    mapped to ``""`` leaves the value unset (or, in a select_multiple, out).
    ``default`` is used when the field is unanswered. ``pseudonymise`` turns an identity
    number into its keyed pseudonym (the deployment's ``kk_pseudonym_key``); the number
    itself goes nowhere. ``cast`` reads a value as ``"int"``, ``"text"``, ``"date"``,
    ``"bool"`` or ``"list"`` (a calculate field's text, say). ``convert`` (in Python)
    is applied last to the value; keep it pure (a function of the value alone): a
    refused submission may be mapped twice, the compiled way first
    (`kk_adapters.kobo.compiled_mapping`).
    """

    field: str | None = None
    const: Any = _UNSET
    template: str | None = None
    collect: Mapping[str, str] | None = None
    answers: tuple[str, ...] = attrs.field(default=(), converter=_names)
    choices: Mapping[str, Any] | None = None
    default: Any = _UNSET
    pseudonymise: bool = False
    cast: str | None = None
    convert: Callable[[Any], Any] | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        given = [
            self.field is not None,
            self.const is not _UNSET,
            self.template is not None,
            self.collect is not None,
        ]
        if sum(given) != 1:
            raise ValueError("a Value takes one of field, const, template or collect")
        if self.cast not in (None, "int", "text", "date", "bool", "list"):
            raise ValueError(f"cast {quote_value(self.cast)} is not int, text, date, bool or list")
        if self.collect is not None and not self.answers:
            raise ValueError("a collect value names the answers that count (answers=[...])")

    @classmethod
    def of(cls, spec: Value | str | Any) -> Value:
        """A `Value` from shorthand: a `Value` as it is; text with ``{…}`` a template,
        other text a field path; anything else a constant."""
        if isinstance(spec, Value):
            return spec
        if isinstance(spec, str):
            return cls(template=spec) if _PLACEHOLDER.search(spec) else cls(field=spec)
        return cls(const=spec)

    def paths(self) -> list[str]:
        """The field paths this value reads."""
        if self.field is not None:
            return [self.field]
        if self.template is not None:
            return [
                p
                for p in _PLACEHOLDER.findall(self.template)
                if p not in (_INDEX, _KEY) and not p.startswith("@")
            ]
        if self.collect is not None:
            return list(self.collect)
        return []

    def source(self) -> str:
        """How a report names where this value comes from."""
        if self.field is not None:
            return self.field
        if self.template is not None:
            return f"template {quote_value(self.template)}"
        if self.collect is not None:
            return ", ".join(self.collect)
        return "a constant"


def _values(specs: Mapping[str, Value | str | Any]) -> dict[str, Value]:
    return {target: Value.of(spec) for target, spec in specs.items()}


def _value(spec: Value | str | Any) -> Value:
    return Value.of(spec)


@attrs.frozen
class ListRule:
    """A list inside a record made from a repeat: one item per entry
    (``into="violence.perpetrators"``, ``repeat="incident/pelaku"``)."""

    into: str
    repeat: str
    fields: Mapping[str, Value] = attrs.field(converter=_values)


def _list_rules(items: Iterable[ListRule]) -> tuple[ListRule, ...]:
    return tuple(items)


@attrs.frozen
class RecordRule:
    """One record (or, with ``repeat``, one per entry of that repeat) of kind ``kind``.

    ``id`` and ``fields`` (record field path → `Value`; dotted for nested values,
    ``subject.sex``, with numbers for list items, ``violence.perpetrators.0.relation``);
    ``lists`` fill lists of a record from a repeat. ``when``: the record is made only
    when this field is answered (and, with ``when_in``, with one of those choices).
    For cases: ``recorded_at``, the time of the report step (default: the form's
    ``end``, else ``start``, else the submission time); ``actor``, the member recorded
    as having taken the steps. ``only_if`` makes a nested value only when a field is
    answered (``{"consent.assent": "persetujuan/assent"}``: no assent when the child
    was not asked). ``name`` (default: the kind) is what ``{@name}`` in a template
    refers to.
    """

    kind: str
    id: Value = attrs.field(converter=_value)
    fields: Mapping[str, Value] = attrs.field(factory=dict, converter=_values)
    name: str = ""
    repeat: str | None = None
    lists: tuple[ListRule, ...] = attrs.field(default=(), converter=_list_rules)
    when: str | None = None
    when_in: tuple[str, ...] = attrs.field(default=(), converter=_names)
    only_if: Mapping[str, str] = attrs.field(factory=dict)
    recorded_at: Value | None = None
    actor: Value | None = None

    def __attrs_post_init__(self) -> None:
        record_type(self.kind)  # an unknown kind is an error naming the known ones
        if not self.name:
            object.__setattr__(self, "name", self.kind)


@attrs.frozen
class MapContext:
    """What mapping needs from outside the submission.

    ``pseudonymise`` turns a NIK into its keyed pseudonym (e.g. `Services.pseudonymise`);
    without it, a value to pseudonymise rejects the submission. ``service_of`` tells the
    service kind of a provider id (for the consent check of a referral); without it, a
    referral needs consent to some service.
    """

    pseudonymise: Callable[[str], str] | None = None
    service_of: Callable[[str], str | None] | None = None


def _from_answer(value: Value) -> bool:
    """Whether a value comes from the submission's answers (not only constants)."""
    return value.field is not None or value.collect is not None or bool(value.paths())


#: How `_Scope.read` takes a value: through `_Scope.get` (every option), or straight
#: from the answer (a field and nothing else), or through its choice table alone.
_SLOW, _PLAIN, _CHOICE = 0, 1, 2
#: Answers a plain field passes on as they are (what `_plain` would return unchanged).
_AS_THEY_ARE = (str, int, date)


def _mode(value: Value) -> int:
    if (
        value.field is None
        or value.cast is not None
        or value.pseudonymise
        or value.convert is not None
        or value.default is not _UNSET
    ):
        return _SLOW
    return _PLAIN if value.choices is None else _CHOICE


_Target = tuple[str, Value, tuple[str, ...], bool, int]


def _targets(fields: Mapping[str, Value]) -> tuple[_Target, ...]:
    return tuple(
        (target, value, tuple(target.split(".")), _from_answer(value), _mode(value))
        for target, value in fields.items()
    )


@attrs.frozen
class _Plan:
    """What `KoboFormMapping` works out once per rule rather than per submission: each
    target's path split at its dots, and whether its value comes from an answer."""

    fields: tuple[_Target, ...]
    lists: tuple[tuple[ListRule, tuple[_Target, ...]], ...]
    depends_on: frozenset[str]
    #: Whether records may hold what `_drop_empty` leaves out: an object made only of
    #: constants, a hole in a list (a target such as ``perpetrators.1.relation``), or a
    #: list inside an object (``violence.perpetrators``: items of constants alone do not
    #: make the ``violence``). When none can, the check is skipped (``only_if`` prunes
    #: what it empties).
    may_hold_empty: bool

    @classmethod
    def of(cls, rule: RecordRule) -> _Plan:
        fields = _targets({"id": rule.id, **rule.fields})
        lists = tuple((sub, _targets(sub.fields)) for sub in rule.lists)
        every = [*fields, *(t for _sub, targets in lists for t in targets)]
        return cls(
            fields,
            lists,
            frozenset(_depends_on(rule)),
            any("." in sub.into for sub in rule.lists)
            or any(
                (len(parts) > 1 and not from_answer) or any(p.isdigit() for p in parts)
                for _target, _value, parts, from_answer, _mode in every
            ),
        )


class _Failed(Exception):
    """Mapping one submission failed; ``problems`` name the places (Kobo paths)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("mapping failed")
        self.problems = problems


class KoboFormMapping:
    """A form → records mapping (see the module docstring).

    ``form_id`` is the form's id (its XLSForm ``id_string``) and ``asset_uid`` the
    Kobo asset, when the mapping is for one; either selects it in a registry.
    ``timezone`` is the zone of the villages the form is used in (event times are
    written in it; default `DEFAULT_TIMEZONE`).
    """

    def __init__(
        self,
        form_id: str,
        rules: Sequence[RecordRule],
        *,
        asset_uid: str | None = None,
        timezone: tzinfo = DEFAULT_TIMEZONE,
        description: str = "",
    ) -> None:
        if not isinstance(form_id, str) or not form_id.strip():
            raise ValueError("a form mapping needs the form's id")
        names = [r.name for r in rules]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"rule names used twice: {', '.join(twice)} (give each a name)")
        if not rules:
            raise ValueError("a form mapping makes at least one record")
        self.form_id = form_id
        self.asset_uid = asset_uid
        self.rules = tuple(rules)
        self.timezone = timezone
        self.description = description
        self._case_rules = [r for r in self.rules if r.kind == "case"]
        self._plans = {r.name: _Plan.of(r) for r in self.rules}
        # Field path -> the form's choice list, once `check` has held the mapping against
        # the form: an answer with no code is then not a choice of that list at all.
        self._choice_lists: dict[str, str] = {}
        # the compiled way (`kk_adapters.kobo.compiled_mapping`), made at the first use
        self._compiled: Any = _UNSET

    def __repr__(self) -> str:
        return f"KoboFormMapping({self.form_id!r}, {len(self.rules)} rules)"

    def __getstate__(self) -> dict[str, Any]:
        # the compiled way holds generated functions: a copy compiles its own
        state = dict(self.__dict__)
        state["_compiled"] = None if self._compiled is None else _UNSET
        return state

    @property
    def source(self) -> str:
        """The name import marks give the source: ``kobo:<form id>``."""
        return f"kobo:{self.form_id}"

    # -- checks against the form --------------------------------------------------------

    def check(self, schemas: SchemaSet | FormSchema) -> None:
        """`ValidationError` listing every problem of this mapping against the form
        (every version of it); nothing when it fits."""
        problems = self.problems(schemas)
        if problems:
            raise ValidationError(problems, subject=f"mapping of form {quote_value(self.form_id)}")

    def problems(self, schemas: SchemaSet | FormSchema) -> list[Problem]:
        versions = list(schemas) if isinstance(schemas, SchemaSet) else [schemas]
        problems: list[Problem] = []
        for rule in self.rules:
            where = f"records.{rule.name}"
            cls = RECORD_KINDS[rule.kind]
            if rule.repeat is not None:
                found = _question(versions, rule.repeat)
                if found is None or not found.is_repeat:
                    problems.append(
                        Problem(
                            f"{where}.repeat",
                            f"{quote_value(rule.repeat)} is not a repeat of the form",
                        )
                    )
                elif found.repeat is not None:
                    problems.append(
                        Problem(
                            f"{where}.repeat",
                            f"{quote_value(rule.repeat)} is inside the repeat "
                            f"{quote_value(found.repeat)}: make its entries a list of the "
                            "record made from that repeat (lists)",
                        )
                    )
            scope = rule.repeat
            targets: dict[str, Value] = {"id": rule.id, **rule.fields}
            for target, value in targets.items():
                problems.extend(
                    self._value_problems(versions, cls, target, value, scope, f"{where}.{target}")
                )
            for extra, label in ((rule.recorded_at, "recorded_at"), (rule.actor, "actor")):
                if extra is not None:
                    problems.extend(_paths_problems(versions, extra, scope, f"{where}.{label}"))
            if rule.when is not None:
                problems.extend(
                    _paths_problems(versions, Value(field=rule.when), scope, f"{where}.when")
                )
            for target, path in rule.only_if.items():
                at = f"{where}.only_if.{target}"
                problems.extend(_paths_problems(versions, Value(field=path), scope, at))
                _found, missing = _target_type(cls, target)
                if missing:
                    problems.append(Problem(at, missing))
            for i, sub in enumerate(rule.lists):
                problems.extend(
                    self._list_problems(versions, cls, sub, scope, f"{where}.lists[{i}]")
                )
            problems.extend(
                _required_problems(cls, set(targets) | {s.into for s in rule.lists}, where)
            )
            problems.extend(_template_rules(rule, self.rules, where))
        if not problems:
            self._choice_lists = _choice_lists(versions, self.rules)
        return problems

    def _value_problems(
        self,
        versions: list[FormSchema],
        cls: type,
        target: str,
        value: Value,
        scope: str | None,
        where: str,
    ) -> list[Problem]:
        problems = _paths_problems(versions, value, scope, where)
        target_type, missing = _target_type(cls, target)
        if missing:
            problems.append(Problem(where, missing))
            return problems
        item_type = _item_type(target_type)
        if value.field is not None and not problems:
            problems.extend(_choice_problems(versions, value, item_type, where))
        if value.collect is not None and not problems:
            problems.extend(_collect_problems(versions, value, item_type, where))
        if value.const is not _UNSET:
            problems.extend(_code_problems([value.const], item_type, where))
        return problems

    def _list_problems(
        self, versions: list[FormSchema], cls: type, rule: ListRule, scope: str | None, where: str
    ) -> list[Problem]:
        problems: list[Problem] = []
        found = _question(versions, rule.repeat)
        if found is None or not found.is_repeat:
            return [
                Problem(
                    f"{where}.repeat", f"{quote_value(rule.repeat)} is not a repeat of the form"
                )
            ]
        if found.repeat != scope:
            problems.append(
                Problem(
                    f"{where}.repeat",
                    f"{quote_value(rule.repeat)} is not a repeat of this rule's scope",
                )
            )
        list_type, missing = _target_type(cls, rule.into)
        item = _item_type(list_type)
        if missing or not (isinstance(item, type) and attrs.has(item)):
            return [
                *problems,
                Problem(f"{where}.into", missing or f"{rule.into} is not a list of records"),
            ]
        for target, value in rule.fields.items():
            problems.extend(
                self._value_problems(
                    versions, item, target, value, rule.repeat, f"{where}.{target}"
                )
            )
        problems.extend(_required_problems(item, set(rule.fields), where))
        return problems

    # -- mapping -------------------------------------------------------------------------

    def map(self, submission: Mapping[str, Any] | Submission) -> list[Record]:
        """The records of one submission (typed values by path, or a `Submission`).

        `ValidationError` naming every problem in Kobo terms when the submission cannot
        become records. Without a `MapContext`: identity numbers cannot be
        pseudonymised and referrals are checked against the consent's services only.
        """
        return self.map_submission(submission, MapContext())

    def map_submission(
        self, submission: Mapping[str, Any] | Submission, context: MapContext
    ) -> list[Record]:
        if isinstance(submission, Submission) and submission.problems:
            raise ValidationError(submission.problems, subject=f"submission of form {self.form_id}")
        values = submission.values if isinstance(submission, Submission) else submission
        raw_key = submission.key if isinstance(submission, Submission) else None
        key = raw_key or _key_of(values)
        compiled = self._compiled
        if compiled is _UNSET:
            from kk_adapters.kobo.compiled_mapping import compile_mapping

            compiled = self._compiled = compile_mapping(self)
        if compiled is not None:
            try:
                return compiled.map(values, key, context)  # type: ignore[no-any-return]
            except Exception:  # whatever it is, the detailed way decides (and explains)
                pass
        return self._map_in_detail(values, key, context)

    def _map_in_detail(
        self, values: Mapping[str, Any], key: str | None, context: MapContext
    ) -> list[Record]:
        """The detailed way: plain data, the converter, then the history; every problem
        named in Kobo terms."""
        try:
            records = self._records(values, key, context)
            return self._recorded(records, values, context)
        except _Failed as failed:
            problems = failed.problems
        raise ValidationError(problems, subject=f"submission of form {self.form_id}")

    def _records(
        self, values: Mapping[str, Any], key: str | None, context: MapContext
    ) -> list[Record]:
        made: list[Record] = []
        ids: dict[str, str] = {}
        problems: list[Problem] = []
        failed: set[str] = set()
        for rule in self.rules:
            if failed and self._plans[rule.name].depends_on & failed:
                failed.add(rule.name)  # its own problems would only echo the other's
                continue
            entries: Sequence[tuple[Mapping[str, Any], int | None, str]]
            if rule.repeat is None:
                entries = [(values, None, "")]
            else:
                listed = values.get(rule.repeat) or ()
                entries = [
                    (entry, i, f"{rule.repeat}[{i}]")
                    for i, entry in enumerate(listed, 1)
                    if isinstance(entry, Mapping)
                ]
            for entry, index, at in entries:
                scope = _Scope(values, entry, index, at, key, ids, context, self._choice_lists)
                if rule.when is not None and not _when(rule, scope):
                    continue
                try:
                    record = self._record(rule, scope)
                except _Failed as failure:
                    problems.extend(failure.problems)
                    failed.add(rule.name)
                    continue
                made.append(record)
                ids.setdefault(rule.name, record.id)
        if problems:
            raise _Failed(problems)
        return made

    def _record(self, rule: RecordRule, scope: _Scope) -> Record:
        plan = self._plans[rule.name]
        data: dict[str, Any] = {}
        sources: dict[str, Value] = {}
        answered: set[str] = set()  # record fields (dotted) whose value came from an answer
        problems: list[Problem] = []
        failed: set[str] = set()  # targets whose value could not be read
        entry, values = scope.entry, scope.values
        for target, value, parts, from_answer, mode in plan.fields:
            got: Any = _UNSET
            if mode:  # `_Scope.read`'s common cases, written out: the hot loop of an import
                path = value.field
                assert path is not None  # (a mode is only given to a field's value)
                found = entry[path] if path in entry else values.get(path)
                if found is None or found == "" or found == ():
                    continue
                if mode == _PLAIN:
                    if isinstance(found, _AS_THEY_ARE):
                        got = found
                elif type(found) is str:
                    code = value.choices.get(found, _UNSET)  # type: ignore[union-attr]
                    if type(code) is str:
                        if code == "":
                            continue
                        got = code
            if got is _UNSET:
                before = len(problems)
                got = scope.get(value, target, problems)
                if got is _UNSET:
                    if len(problems) > before:
                        failed.add(target)
                    continue
            if len(parts) == 1:
                data[target] = got
            else:
                _put_parts(data, parts, got)
            sources[target] = value
            if from_answer:
                answered.add(target)
        for sub, sub_fields in plan.lists:
            items = []
            for i, entry in enumerate(scope.entry.get(sub.repeat) or (), 1):
                if not isinstance(entry, Mapping):
                    continue
                inner = _Scope(
                    scope.values,
                    {**scope.entry, **entry},
                    i,
                    f"{sub.repeat}[{i}]",
                    scope.key,
                    scope.ids,
                    scope.context,
                    scope.lists,
                )
                item: dict[str, Any] = {}
                for target, value, parts, from_answer, mode in sub_fields:
                    before = len(problems)
                    got = inner.read(value, mode, f"{sub.into}.{target}", problems)
                    if got is not _UNSET:
                        _put_parts(item, parts, got)
                        sources[f"{sub.into}[{i - 1}].{target}"] = value
                        if from_answer:
                            answered.add(f"{sub.into}.{i - 1}.{target}")
                    elif len(problems) > before:
                        failed.add(f"{sub.into}.{i - 1}.{target}")
                if item:
                    items.append(item)
            if items:
                _put(data, sub.into, items)
        for target, path in rule.only_if.items():
            if scope.lookup(path) in (None, "", ()):
                _remove(data, target)
        if plan.may_hold_empty:
            _drop_empty(data, _prefixes(answered))
        if rule.kind == "referral" and "consent_given" not in data and "override" not in data:
            # the refer step checks the case's consent covers the service (else rejects)
            data["consent_given"] = True
        try:
            record: Record = structure(data, rule.kind, current=True)
        except ValidationError as error:
            # the record's own problems too, but none that only echo an unreadable value
            more = _explain(error, rule, sources, scope, failed)
            raise _Failed([*problems, *more]) from None
        if problems:
            raise _Failed(problems)
        return record

    def _recorded(
        self,
        records: list[Record],
        values: Mapping[str, Any],
        context: MapContext,
        unchecked: Collection[int] = (),
    ) -> list[Record]:
        """Cases recorded through their lifecycle, with their referrals (see the module).

        ``unchecked``: the ids of the records made without their checks (by the compiled
        way): their history builds them."""
        if not any(isinstance(r, Case) and not r.timeline for r in records):
            return records
        rule = self._case_rules[0] if self._case_rules else None
        at = self._recorded_at(rule, values)
        actor = None
        if rule is not None and rule.actor is not None:
            problems: list[Problem] = []
            got = _Scope(values, values, None, "", None, {}, context).get(
                rule.actor, "actor", problems
            )
            if problems:
                raise _Failed(problems)
            actor = got if isinstance(got, str) else None
        try:
            return _record_history(
                records,
                at=at,
                zone=self.timezone,
                actor_id=actor,
                service_of=context.service_of,
                unchecked=unchecked,
            )
        except TransitionError as error:
            where = "record_case" if rule is None else f"records.{rule.name}"
            behind = [] if rule is None else _answers_behind(rule, error.action, values)
            if not behind:
                raise _Failed([Problem(where, str(error))]) from None
            paths = ", ".join(path for path, _shown in behind)
            answers = "; ".join(shown for _path, shown in behind)
            raise _Failed([Problem(paths, f"{error} (answers: {answers})")]) from None
        except ValidationError as error:
            raise _Failed(list(error.problems)) from None

    def _recorded_at(self, rule: RecordRule | None, values: Mapping[str, Any]) -> datetime:
        moment: Any = None
        plain = rule.recorded_at if rule is not None else None
        if plain is not None and plain.field is not None and _mode(plain) == _PLAIN:
            moment = values.get(plain.field)  # an answer as it is (most forms: ``end``)
            if moment.__class__ is datetime and moment.tzinfo is not None:
                return moment.astimezone(self.timezone)
            moment = None
        if rule is not None and rule.recorded_at is not None:
            problems: list[Problem] = []
            scope = _Scope(values, values, None, "", None, {}, MapContext())
            moment = scope.get(rule.recorded_at, "recorded_at", problems)
            if problems:
                raise _Failed(problems)
        if not isinstance(moment, datetime):
            moment = next(
                (
                    values[k]
                    for k in ("end", "start", "_submission_time")
                    if isinstance(values.get(k), datetime)
                ),
                None,
            )
        if not isinstance(moment, datetime):
            raise _Failed(
                [
                    Problem(
                        "_submission_time",
                        "no time to record the case at: the submission has no end, start or _submission_time",
                    )
                ]
            )
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.timezone)
        return moment.astimezone(self.timezone)


def _depends_on(rule: RecordRule) -> set[str]:
    """The rules whose ids this rule's templates use (``{@case}``)."""
    values = [rule.id, *rule.fields.values(), *(v for s in rule.lists for v in s.fields.values())]
    return {
        name[1:]
        for value in values
        for name in _PLACEHOLDER.findall(value.template or "")
        if name.startswith("@")
    }


def _key_of(values: Mapping[str, Any]) -> str | None:
    for name in ("meta/rootUuid", "_uuid", "meta/instanceID"):
        found = values.get(name)
        if isinstance(found, str) and found.strip():
            text = found.strip()
            return text[5:] if text.lower().startswith("uuid:") else text
    return None


def _when(rule: RecordRule, scope: _Scope) -> bool:
    assert rule.when is not None
    answer = scope.lookup(rule.when)
    if answer is None or answer == "" or answer == ():
        return False
    if not rule.when_in:
        return True
    answers = answer if isinstance(answer, tuple) else (answer,)
    return any(a in rule.when_in for a in answers)


@attrs.define(frozen=False)
class _Scope:
    """The values a rule reads: the submission, the repeat entry it is making a record
    of (the submission itself at the top level), its position, and the other records'
    ids made so far."""

    values: Mapping[str, Any]
    entry: Mapping[str, Any]
    index: int | None
    at: str
    key: str | None
    ids: Mapping[str, str]
    context: MapContext
    #: Field path -> the form's choice list (known once the mapping was checked).
    lists: Mapping[str, str] = attrs.field(factory=dict)

    def lookup(self, path: str) -> Any:
        if path in self.entry:
            return self.entry[path]
        return self.values.get(path)

    def shown(self, path: str) -> str:
        """A path as a report shows it: inside an entry, with its position."""
        if self.at and self.index is not None:
            repeat = self.at.rsplit("[", 1)[0]
            if path.startswith(repeat + "/"):
                return self.at + path[len(repeat) :]
        return path

    def read(self, value: Value, mode: int, target: str, problems: list[Problem]) -> Any:
        """`get`, the common cases first: an answer used as it is, or a select_one's
        choice with its code (anything else, and every problem, through `get`)."""
        if mode:
            path = value.field
            assert path is not None
            entry = self.entry
            found = entry[path] if path in entry else self.values.get(path)
            if found is None or found == "" or found == ():
                return _UNSET
            if mode == _PLAIN:
                if isinstance(found, _AS_THEY_ARE):
                    return found
            elif type(found) is str:
                assert value.choices is not None
                code = value.choices.get(found, _UNSET)
                if type(code) is str:
                    return _UNSET if code == "" else code
        return self.get(value, target, problems)

    def get(self, value: Value, target: str, problems: list[Problem]) -> Any:
        try:
            found = self._raw(value, problems)
            if found is _UNSET or found is None:
                if value.default is not _UNSET:
                    found = value.default
                else:
                    return _UNSET
            return self._finish(value, found)
        except _Bad as bad:
            path = bad.path or (
                self.shown(value.field) if value.field is not None else value.source()
            )
            problems.append(Problem(path, f"{bad} (for {target})"))
            return _UNSET

    def _raw(self, value: Value, problems: list[Problem]) -> Any:
        if value.field is not None:
            found = self.lookup(value.field)
            return _UNSET if found is None or found == "" or found == () else found
        if value.const is not _UNSET:
            return value.const
        if value.template is not None:
            return self._template(value.template)
        assert value.collect is not None
        picked = []
        for path, code in value.collect.items():
            answer = self.lookup(path)
            answers = answer if isinstance(answer, tuple) else (answer,)
            if any(a in value.answers for a in answers):
                picked.append(code)
        return picked

    def _template(self, template: str) -> Any:
        missing: list[str] = []

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == _INDEX:
                return "" if self.index is None else str(self.index)
            if name == _KEY:
                return "" if self.key is None else letters_digest(self.key, 16)
            if name.startswith("@"):
                found = self.ids.get(name[1:])
                if found is None:
                    missing.append(name)
                return found or ""
            answer = self.lookup(name)
            if answer is None or answer == "":
                missing.append(self.shown(name))
                return ""
            return _text(answer)

        text = _PLACEHOLDER.sub(fill, template)
        if missing:
            raise _Bad(f"is unanswered, needed by the template {quote_value(template)}", missing[0])
        return text

    def _finish(self, value: Value, found: Any) -> Any:
        if value.choices is not None:
            found = _choose(value, found, self.lists.get(value.field or ""))
            if found is _UNSET:
                return _UNSET
        if value.cast is not None:
            found = _cast(value.cast, found)
        if value.pseudonymise:
            found = self._pseudonym(found)
        if value.convert is not None:
            found = value.convert(found)
        return _plain(found)

    def _pseudonym(self, found: Any) -> str:
        if not isinstance(found, str) or not looks_like_nik(found):
            raise _Bad(f"{quote_value(found)} is not an identity number (a NIK has 16 digits)")
        if self.context.pseudonymise is None:
            raise _Bad(
                "cannot be pseudonymised: no kk_pseudonym_key plugin gives a key (from a shell: "
                "KK_PSEUDONYM_KEY_FILE names a file holding it)"
            )
        try:
            return self.context.pseudonymise(found)
        except KKError as error:
            reason = str(error)
        raise _Bad(f"cannot be pseudonymised: {reason}")


class _Bad(ValueError):
    """One value of a submission that cannot be used; ``path`` overrides where it is."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(_text(v) for v in value)
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return str(value)


def _not_a_choice(found: Any, list_name: str | None) -> _Bad:
    """An answer the mapping has no code for: when the mapping was checked against the
    form, every choice of the form has one, so the answer is not a choice of the form's
    list (an edited submission, a choice since removed)."""
    if list_name is not None:
        return _Bad(f"{quote_value(found)} is not a choice of list {quote_value(list_name)}")
    return _Bad(f"choice {quote_value(found)} has no code in the mapping")


def _choose(value: Value, found: Any, list_name: str | None = None) -> Any:
    assert value.choices is not None
    choices = value.choices
    if isinstance(found, tuple):
        codes = []
        for name in found:
            if name not in choices:
                raise _not_a_choice(name, list_name)
            if choices[name] != "":
                codes.append(choices[name])
        return codes
    if not isinstance(found, str) or found not in choices:
        raise _not_a_choice(found, list_name)
    code = choices[found]
    return _UNSET if code == "" else code


def _cast(cast: str, found: Any) -> Any:
    try:
        if cast == "int":
            if isinstance(found, Decimal) and found != found.to_integral_value():
                raise ValueError
            if isinstance(found, bool):
                raise ValueError
            return int(found if not isinstance(found, str) else found.strip())
        if cast == "text":
            return _text(found)
        if cast == "date":
            if isinstance(found, datetime):
                return found.date()
            return found if isinstance(found, date) else date.fromisoformat(str(found).strip())
        if cast == "bool":
            text = _text(found).strip().lower()
            if text in ("1", "true", "yes", "ya", "ok"):
                return True
            if text in ("0", "false", "no", "tidak"):
                return False
            raise ValueError
        return list(found) if isinstance(found, tuple) else _text(found).split()
    except (ValueError, TypeError, ArithmeticError):
        pass
    raise _Bad(f"{quote_value(found)} does not read as {cast}")


def _plain(value: Any) -> Any:
    """Typed answers as the converter takes them (Decimal → int when whole, tuples →
    lists; dates and codes as they are)."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        raise _Bad(f"{quote_value(str(value))} is not a whole number")
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, GeoPoint):
        return str(value)
    return value


def _put(data: dict[str, Any], target: str, value: Any) -> None:
    """Set ``subject.sex`` (or ``violence.perpetrators.0.relation``) in nested data."""
    _put_parts(data, target.split("."), value)


def _put_parts(data: dict[str, Any], parts: Sequence[str], value: Any) -> None:
    if len(parts) == 1:
        data[parts[0]] = value
        return
    node: Any = data
    for part, following in itertools.pairwise(parts):
        nxt: Any = [] if following.isdigit() else {}
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append(None)
            if node[index] is None:
                node[index] = nxt
            node = node[index]
        else:
            node = node.setdefault(part, nxt)
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[last] = value


def _remove(data: dict[str, Any], target: str) -> None:
    """Take ``consent.assent`` out of nested data (nothing when it is not there), and an
    object it leaves empty with it."""
    nodes: list[dict[str, Any]] = [data]
    parts = target.split(".")
    for part in parts[:-1]:
        node = nodes[-1].get(part)
        if not isinstance(node, dict):
            return
        nodes.append(node)
    nodes[-1].pop(parts[-1], None)
    for parent, part, node in zip(nodes[-2::-1], parts[-2::-1], nodes[:0:-1], strict=True):
        if node:
            break
        del parent[part]


def _prefixes(paths: Iterable[str]) -> set[str]:
    """Every dotted path and each of its leading parts (``a.b.c``: ``a``, ``a.b``, ``a.b.c``)."""
    found: set[str] = set()
    for path in paths:
        while path and path not in found:
            found.add(path)
            path = path.rpartition(".")[0]
    return found


def _drop_empty(data: dict[str, Any], answered: set[str], prefix: str = "") -> None:
    """Nested objects made only of constants (none of their values came from an answer:
    a case whose violence questions were skipped has no ``violence``), and empty ones,
    are left out; list holes are dropped. ``answered``: the answered paths with all
    their leading parts (`_prefixes`)."""
    for name in list(data):
        value = data[name]
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            _drop_empty(value, answered, f"{path}.")
            if not value or path not in answered:
                del data[name]
        elif isinstance(value, list) and any(isinstance(v, dict) or v is None for v in value):
            kept = []
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _drop_empty(item, answered, f"{path}.{i}.")
                    if item:
                        kept.append(item)
                elif item is not None:
                    kept.append(item)
            data[name] = kept


def _explain(
    error: ValidationError,
    rule: RecordRule,
    sources: Mapping[str, Value],
    scope: _Scope,
    failed: set[str] | frozenset[str] = frozenset(),
) -> list[Problem]:
    """The converter's problems (``case.subject.birth_year: …``) in Kobo terms: the field
    the value came from, the value (masked), the record field and the reason."""
    problems = []
    prefix = f"{rule.kind}."
    for problem in error.problems:
        path = problem.path
        target = path[len(prefix) :] if path.startswith(prefix) else ""
        target = re.sub(r"\[(\d+)\]", r".\1", target)
        if any(target == f or target.startswith(f + ".") for f in failed):
            continue
        source = _longest(target, sources)
        record_field = f"{rule.kind}.{target}" if target else rule.kind
        if source is None:
            # no value came: name the field the mapping reads it from, when it has one
            mapped = _longest(target, rule.fields)
            field = None if mapped is None else rule.fields[mapped].field
            if field is not None:
                shown = scope.shown(field)
                problems.append(Problem(shown, f"{problem.message} ({record_field}, unanswered)"))
            else:
                problems.append(Problem(record_field, f"{problem.message} (no answer gives it)"))
            continue
        value = sources[source]
        shown = scope.shown(value.field) if value.field is not None else value.source()
        answer = scope.lookup(value.field) if value.field is not None else None
        quoted = f", answer {quote_value(_text(answer))}" if answer is not None else ""
        problems.append(Problem(shown, f"{problem.message} ({record_field}{quoted})"))
    return problems


#: The record fields a refused lifecycle step of a case depends on (by its action): who
#: consented and the child's assent, and the age that decides whether it is a child's.
_STEP_TARGETS = {
    "record_consent": ("consent.giver", "consent.assent", "subject.birth", "subject.age"),
    "refer": (
        "consent.giver",
        "consent.assent",
        "consent.services",
        "subject.birth",
        "subject.age",
    ),
    "assess": ("assessment", "risk"),
    "assign": ("companion_id",),
}


def _answers_behind(
    rule: RecordRule, action: str, values: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The Kobo field paths (and their answers, masked) behind a refused lifecycle step,
    as far as the mapping knows them: ``persetujuan/pemberi = 'sendiri'``."""
    step = next((k for k in _STEP_TARGETS if action.startswith(k)), None)
    if step is None:
        return []
    behind: list[tuple[str, str]] = []
    seen: set[str] = set()
    for target, value in rule.fields.items():
        if value.field is None or value.field in seen or target.endswith("recorded_on"):
            continue
        if not any(target == t or target.startswith(t) for t in _STEP_TARGETS[step]):
            continue
        seen.add(value.field)
        answer = values.get(value.field)
        if answer is None or answer == "" or answer == ():
            behind.append((value.field, f"{value.field} unanswered"))
        else:
            behind.append((value.field, f"{value.field} = {quote_value(_text(answer))}"))
    return behind


def _longest(target: str, sources: Mapping[str, Value]) -> str | None:
    """The source of the value at ``target``, or of the value it is part of."""
    dotted = {re.sub(r"\[(\d+)\]", r".\1", k): k for k in sources}
    probe = target
    while probe:
        if probe in dotted:
            return dotted[probe]
        probe = probe.rpartition(".")[0]
    return None


# -- history -----------------------------------------------------------------------------


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def record_history(
    records: Sequence[Record],
    *,
    at: datetime,
    zone: tzinfo | None = None,
    actor_id: str | None = None,
    service_of: Callable[[str], str | None] | None = None,
) -> list[Record]:
    """Cases without a timeline recorded through the case lifecycle, as of ``at``.

    Each such case gets its ``report`` step at ``at``; then ``assign`` (when it names a
    companion), ``assess`` (when it has an assessment), ``record_consent`` (when it has
    a consent), then a ``refer`` step for each referral of the same list that points at
    it and has no timeline either (in the order of their ``sent_on``), each referral
    ``send``-ed. A step dated later than the one before it happens at the start of its
    day in ``zone`` (default: ``at``'s zone). Records already holding a timeline, and
    other kinds, are returned as they are. A refused step raises `TransitionError`.
    """
    return _record_history(
        records, at=at, zone=zone, actor_id=actor_id, service_of=service_of, unchecked=()
    )


def _record_history(
    records: Sequence[Record],
    *,
    at: datetime,
    zone: tzinfo | None,
    actor_id: str | None,
    service_of: Callable[[str], str | None] | None,
    unchecked: Collection[int],
) -> list[Record]:
    zone = zone or at.tzinfo or DEFAULT_TIMEZONE
    out = list(records)
    for index, record in enumerate(out):
        if not isinstance(record, Case) or record.timeline:
            continue
        referrals = sorted(
            (
                (i, r)
                for i, r in enumerate(out)
                if isinstance(r, Referral) and r.case_id == record.id and not r.timeline
            ),
            key=lambda pair: (pair[1].sent_on, pair[1].id),
        )
        case, done = _case_history(
            record, referrals, at, zone, actor_id, service_of, id(record) in unchecked
        )
        out[index] = case
        for i, referral in done:
            out[i] = referral
    return out


def _case_history(
    case: Case,
    referrals: list[tuple[int, Referral]],
    at: datetime,
    zone: tzinfo,
    actor_id: str | None,
    service_of: Callable[[str], str | None] | None,
    unchecked: bool = False,
) -> tuple[Case, list[tuple[int, Referral]]]:
    companion, assessment, consent = case.companion_id, case.assessment, case.consent
    # one history, the case built and checked once at the end (the steps' guards each
    # see the case as the steps before left it)
    start = case_lifecycle.CaseHistory.of_unchecked if unchecked else case_lifecycle.CaseHistory
    history = start(
        case,
        companion_id=None,
        assessment=None,
        risk=None if assessment else case.risk,
        consent=None,
    )
    when = at
    history.report(at=when, actor_id=actor_id)
    if companion is not None:
        history.assign_companion(companion, at=when, actor_id=actor_id)
    if assessment is not None:
        when = max(when, _start_of(assessment.assessed_on, zone))
        history.assess(assessment, at=when, actor_id=actor_id)
    if consent is not None:
        when = max(when, _start_of(consent.recorded_on, zone))
        history.record_consent(consent, at=when, actor_id=actor_id)
    done = []
    for i, referral in referrals:
        when = max(when, _start_of(referral.sent_on, zone))
        service = service_of(referral.provider_id) if service_of is not None else None
        if service is None and consent is not None and consent.services:
            # the provider's kind is not known here (no target store to look it up): the
            # referral needs consent to some service, as MapContext says; an import into
            # a store knows the provider and checks the consent against its kind
            service = min(consent.services)
        history.refer(
            referral.id,
            at=when,
            service=service,
            override=referral.override,
            override_note=referral.override_note,
            approved_by=referral.override_approved_by,
            actor_id=actor_id,
        )
        sent, _ = send_referral(referral, at=when, actor_id=actor_id)
        done.append((i, sent))
    case = history.finish()
    return case, done


# -- schema checks ---------------------------------------------------------------------


def _choice_lists(versions: list[FormSchema], rules: Iterable[RecordRule]) -> dict[str, str]:
    """Field path -> the form's choice list, for every field read through choices."""
    lists = {}
    for value in _chosen_values(rules):
        assert value.field is not None
        list_name, _names = _choice_names(versions, value.field)
        if list_name is not None:
            lists[value.field] = list_name
    return lists


def _chosen_values(rules: Iterable[RecordRule]) -> Iterator[Value]:
    """Every value of ``rules`` that reads a field through a choice table."""
    for rule in rules:
        values = [rule.id, *rule.fields.values()]
        values += [v for sub in rule.lists for v in sub.fields.values()]
        for value in values:
            if value.field is not None and value.choices is not None:
                yield value


def _question(versions: Iterable[FormSchema], path: str) -> Question | None:
    found = None
    for schema in versions:
        found = schema.question(path) or found
    return found


def _paths_problems(
    versions: list[FormSchema], value: Value, scope: str | None, where: str
) -> list[Problem]:
    problems = []
    for path in value.paths():
        if path in META_FIELDS:
            continue
        question = _question(versions, path)
        if question is None:
            problems.append(Problem(where, f"{quote_value(path)} is not a field of the form"))
            continue
        if question.is_group and not question.is_repeat:
            problems.append(Problem(where, f"{quote_value(path)} is a group, not a field"))
            continue
        inner = question.path if question.is_repeat else question.repeat
        if inner is not None and not _within(scope, inner):
            problems.append(
                Problem(
                    where,
                    f"{quote_value(path)} is inside the repeat {quote_value(inner)}: read it in a "
                    f"rule (or list) with repeat = {quote_value(inner)}",
                )
            )
    return problems


def _within(scope: str | None, repeat: str) -> bool:
    """Whether a rule over ``scope`` can read a field of ``repeat`` (the same repeat, or
    one it is inside of)."""
    return scope is not None and (scope == repeat or scope.startswith(repeat + "/"))


def _choice_names(versions: Iterable[FormSchema], path: str) -> tuple[str | None, set[str]]:
    names: set[str] = set()
    list_name = None
    for schema in versions:
        question = schema.question(path)
        if question is None or not question.kind.startswith("select"):
            continue
        choice_list = schema.choice_list(question)
        list_name = question.list_name
        if choice_list is not None:
            names.update(choice_list.choices)
    return list_name, names


def _choice_problems(
    versions: list[FormSchema], value: Value, item_type: Any, where: str
) -> list[Problem]:
    assert value.field is not None
    list_name, names = _choice_names(versions, value.field)
    if list_name is None:
        if value.choices is not None and value.field not in META_FIELDS:
            question = _question(versions, value.field)
            if question is not None and question.kind not in ("text",):
                return [
                    Problem(
                        where,
                        f"{quote_value(value.field)} is not a select: it has no choices to map",
                    )
                ]
        if value.choices is not None:
            return _code_problems(list(value.choices.values()), item_type, where)
        return []
    if value.choices is None:
        if _is_code_list(item_type) and names:
            bad = sorted(n for n in names if not _is_code(item_type, n))
            if bad:
                return [
                    Problem(
                        where,
                        f"choices {', '.join(quote_value(n) for n in bad)} of list "
                        f"{quote_value(list_name)} are not codes of {item_type.__name__}: map them "
                        "with choices = {...}",
                    )
                ]
        return []
    problems = []
    unmapped = sorted(names - set(value.choices))
    if unmapped:
        problems.append(
            Problem(
                where,
                f"choices of list {quote_value(list_name)} without a code in the mapping: "
                + ", ".join(quote_value(n) for n in unmapped),
            )
        )
    unknown = sorted(set(value.choices) - names)
    if unknown and names:
        problems.append(
            Problem(
                where,
                f"{', '.join(quote_value(n) for n in unknown)} not in list {quote_value(list_name)}",
            )
        )
    problems.extend(
        _code_problems([c for c in value.choices.values() if c != ""], item_type, where)
    )
    return problems


def _collect_problems(
    versions: list[FormSchema], value: Value, item_type: Any, where: str
) -> list[Problem]:
    assert value.collect is not None
    problems = _code_problems(list(value.collect.values()), item_type, where)
    for path in value.collect:
        _list_name, names = _choice_names(versions, path)
        unknown = sorted(set(value.answers) - names) if names else []
        if unknown and len(unknown) == len(value.answers):
            problems.append(
                Problem(
                    where,
                    f"none of the answers {', '.join(map(quote_value, value.answers))} is a choice of {quote_value(path)}",
                )
            )
    return problems


def _is_code_list(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Enum)


def _is_code(t: Any, code: Any) -> bool:
    if not isinstance(code, str):
        return False
    if code in t._value2member_map_:
        return True
    parse = getattr(t, "parse", None)
    if parse is None:
        return False
    try:
        parse(code)
    except (KKError, ValueError):
        return False
    return True


def _code_problems(codes: Iterable[Any], item_type: Any, where: str) -> list[Problem]:
    if not _is_code_list(item_type):
        return []
    bad = [c for c in codes if not _is_code(item_type, c)]
    if not bad:
        return []
    return [
        Problem(
            where,
            f"{', '.join(quote_value(c) for c in bad)} not a code of {item_type.__name__} "
            f"({', '.join(m.value for m in item_type)})",
        )
    ]


def _unwrap(t: Any) -> Any:
    origin = typing.get_origin(t)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(t) if a is not type(None)]
        return args[0] if len(args) == 1 else t
    return t


def _item_type(t: Any) -> Any:
    t = _unwrap(t)
    if typing.get_origin(t) in (tuple, frozenset, list, set):
        args = [a for a in typing.get_args(t) if a is not Ellipsis]
        return _unwrap(args[0]) if args else Any
    return t


#: Fields of cases and referrals the lifecycle sets, never a form.
_LIFECYCLE_FIELDS = frozenset({"status", "timeline", "responded_on", "completed_on"})


def _target_type(cls: Any, target: str) -> tuple[Any, str | None]:
    """The type of a record field path, or why there is none."""
    current: Any = cls
    for part in target.split("."):
        current = _unwrap(current)
        if part.isdigit():
            if typing.get_origin(current) in (tuple, list):
                current = _item_type(current)
                continue
            return None, f"{target}: {part} indexes something that is not a list"
        if typing.get_origin(current) in (tuple, list):
            return None, f"{target}: give the item's position before {part}"
        if not (isinstance(current, type) and attrs.has(current)):
            return None, f"{target}: {part} is inside a value that has no fields"
        attrs.resolve_types(current)
        fields = {f.name: f for f in attrs.fields(current)}
        if part in _LIFECYCLE_FIELDS and current in (Case, Referral):
            return None, (
                f"{part}: a {current.kind}'s {part} comes from its lifecycle (the import "
                "records the case and its referrals step by step), not from a form field"
            )
        if part not in fields or part == "version":
            known = ", ".join(n for n in fields if n != "version")
            return None, f"{quote_value(part)} is not a field of {current.__name__} ({known})"
        current = fields[part].type
    return current, None


def _required_problems(cls: Any, mapped: set[str], where: str) -> list[Problem]:
    """Required fields (no default) of ``cls`` and of every nested value mapped."""
    problems = []
    heads = {m.split(".")[0] for m in mapped}
    for field in attrs.fields(cls):
        if field.default is attrs.NOTHING and field.name not in heads:
            problems.append(
                Problem(where, f"{cls.__name__}.{field.name} is required and not mapped")
            )
    for head in heads:
        nested_type, missing = _target_type(cls, head)
        inner = _unwrap(nested_type)
        if missing or not (isinstance(inner, type) and attrs.has(inner)):
            continue
        below = {m.split(".", 1)[1] for m in mapped if m.startswith(head + ".")}
        if below:
            problems.extend(_required_problems(inner, below, f"{where}.{head}"))
    return problems


def _template_rules(rule: RecordRule, rules: Sequence[RecordRule], where: str) -> list[Problem]:
    """``{@name}`` names a rule listed before this one."""
    before = {r.name for r in rules[: rules.index(rule)]}
    problems = []
    values = [rule.id, *rule.fields.values(), *(v for s in rule.lists for v in s.fields.values())]
    for value in values:
        for name in _PLACEHOLDER.findall(value.template or ""):
            if name.startswith("@") and name[1:] not in before:
                problems.append(
                    Problem(
                        where, f"{{{name}}}: no rule {quote_value(name[1:])} listed before this one"
                    )
                )
    return problems
