"""Lifecycles as data: transition tables with guards, shared by cases, referrals, proposals.

A table row says "action A from state S leads to state T, provided these guards hold".
Reading the table answers "what can happen to this case now?" without tracing
if-chains, and a refused step always names the rule it broke.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import attrs

from kk_core._checks import hidden, optional_id
from kk_core._text import quote_value
from kk_core.errors import TransitionError

__all__ = [
    "Draft",
    "Event",
    "Guard",
    "Lifecycle",
    "Step",
    "Tracked",
    "Transition",
    "first_event",
    "not_before_last_event",
    "requires",
]


@attrs.frozen
class Event:
    """Something that happened to a record, kept in its append-only timeline.

    ``source`` is the state before (for the first event, the state the record starts in;
    ``None`` is allowed for imported histories), ``target``
    the state after; ``ref`` points at a related record (a referral, a companion).
    """

    at: datetime = attrs.field()
    action: str = attrs.field(repr=quote_value)
    source: str | None = attrs.field(repr=quote_value)
    target: str = attrs.field(repr=quote_value)
    actor_id: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )
    note: str = attrs.field(default="", kw_only=True, repr=hidden)
    ref: str | None = attrs.field(
        default=None, kw_only=True, validator=optional_id, repr=quote_value
    )

    @at.validator
    def _aware(self, _: object, value: datetime) -> None:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"event time {value.isoformat()} has no time zone")


@attrs.frozen
class Step:
    """What the caller asks for: an action at a time, with the details guards look at."""

    action: str
    at: datetime
    actor_id: str | None = attrs.field(default=None, kw_only=True)
    note: str = attrs.field(default="", kw_only=True, repr=hidden)
    ref: str | None = attrs.field(default=None, kw_only=True, repr=quote_value)
    outcome: str | None = attrs.field(default=None, kw_only=True, repr=hidden)
    override: str | None = attrs.field(default=None, kw_only=True)
    #: What else a guard looks at: the values the action would set (a consent, a plan),
    #: facts the caller knows (the service a referral goes to).
    details: Mapping[str, Any] = attrs.field(factory=dict, kw_only=True, eq=False, repr=False)


class Tracked(Protocol):
    """A record with a ``status`` and a ``timeline`` of events (an attrs class)."""

    @property
    def timeline(self) -> tuple[Event, ...]: ...


R = TypeVar("R", bound=Tracked)


@attrs.frozen
class Guard(Generic[R]):
    """A named condition on a transition."""

    name: str
    check: Callable[[R, Step], str | None]


@attrs.frozen
class Transition(Generic[R]):
    """One row of a table: ``action`` from any of ``sources`` to ``target`` (None: unchanged)."""

    action: str
    sources: frozenset[str]
    target: str | None
    guards: tuple[Guard[R], ...] = ()


def requires(field: str, name: str, message: str) -> Guard[Any]:
    """A guard that the step's ``field`` (``note``, ``ref``, ``outcome``) is given, not blank."""

    def check(record: Any, step: Step) -> str | None:
        value = getattr(step, field)
        given = value.strip() if isinstance(value, str) else value
        return None if given else message

    return Guard(name, check)


def first_event(name: str, message: str) -> Guard[Any]:
    """A guard for the action that starts a timeline: it happens once."""

    def check(record: Any, step: Step) -> str | None:
        return message if record.timeline else None

    return Guard(name, check)


def not_before_last_event(record: Tracked, step: Step) -> str | None:
    """Event times never go backwards: a timeline reads in the order things happened."""
    if record.timeline and step.at < record.timeline[-1].at:
        last = record.timeline[-1].at.isoformat()
        return f"event time {step.at.isoformat()} is before the last event ({last})"
    return None


class Lifecycle(Generic[R]):
    """A transition table for one record kind, looked up by (action, state)."""

    def __init__(
        self,
        kind: str,
        state_of: Callable[[R], str],
        state_type: Callable[[str], Any],
        transitions: Iterable[Transition[R]],
        *,
        common_guards: Iterable[Guard[R]] = (),
        terminal_hint: Mapping[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self._state_of = state_of
        self._state_type = state_type
        self.transitions: tuple[Transition[R], ...] = tuple(transitions)
        self.common_guards = tuple(common_guards)
        self._hint = dict(terminal_hint or {})
        self._members: dict[str, Any] = {}  # a state's name → its member (`_state_member`)
        self._table: dict[tuple[str, str], Transition[R]] = {}
        # each row with the guards checked for it (the common ones first), made once
        self._rows: dict[tuple[str, str], tuple[Transition[R], tuple[Guard[R], ...]]] = {}
        for row in self.transitions:
            for source in row.sources:
                key = (str(row.action), str(source))
                if key in self._table:
                    raise ValueError(f"{kind} lifecycle: two rows for {key}")
                self._table[key] = row
                self._rows[key] = (row, (*self.common_guards, *row.guards))

    def allowed_actions(self, record: R) -> tuple[str, ...]:
        """Actions the table lists for the record's current state (guards not checked)."""
        state = self._state_of(record)
        return tuple(action for action, source in self._table if source == state)

    def states(self) -> frozenset[str]:
        found: set[str] = set()
        for row in self.transitions:
            found.update(row.sources)
            if row.target is not None:
                found.add(row.target)
        return frozenset(found)

    def check(self, record: R, step: Step) -> str:
        """The state the step leads to; `TransitionError` naming the rule when refused."""
        return self._check(record, step, self._state_of(record))

    def _check(self, record: R, step: Step, state: str) -> str:
        found = self._rows.get((str(step.action), state))
        if found is None:
            allowed = ", ".join(sorted(self.allowed_actions(record))) or "nothing"
            rule = self._hint.get(state, f"from {state!r} the table allows: {allowed}")
            raise TransitionError(self.kind, state, str(step.action), rule)
        row, guards = found
        for guard in guards:
            broken = guard.check(record, step)
            if broken is not None:
                raise TransitionError(self.kind, state, str(step.action), f"{guard.name}: {broken}")
        return state if row.target is None else str(row.target)

    def event(self, record: R, step: Step, target: str, *, source: str | None = None) -> Event:
        """The event ``step`` appends (``source``: the record's state, when known)."""
        return Event(
            step.at,
            str(step.action),
            self._state_of(record) if source is None else source,
            target,
            actor_id=step.actor_id,
            note=step.note,
            ref=step.ref,
        )

    def apply(self, record: R, step: Step, **changes: Any) -> tuple[R, Event]:
        """Check the step, then return the new record (state set, event appended) and the event.

        ``changes`` are the other fields the action sets (a companion, an outcome).
        """
        _no_state(changes)
        state = self._state_of(record)
        target = self._check(record, step, state)
        event = self.event(record, step, target, source=state)
        changes["status"] = self._state_member(target)
        changes["timeline"] = (*record.timeline, event)
        return _evolve(record, changes), event

    def _state_member(self, state: str) -> Any:
        member = self._members.get(state)
        if member is None:
            member = self._members[state] = self._state_type(state)
        return member

    def draft(self, record: R, **start: Any) -> Draft[R]:
        """A `Draft` of several steps of ``record``, built and checked once at the end.

        ``start``: fields the draft starts from instead of the record's (values its steps
        set again, such as a consent recorded by the history being drafted).
        """
        return Draft(self, record, start)

    def draft_unchecked(self, record: R, **start: Any) -> Draft[R]:
        """A `Draft` of a record its caller made without its checks (``object.__new__``,
        every field set) for the draft alone: the draft changes it in place rather than
        a copy, and `Draft.finish` builds the record, checked, from it."""
        return Draft(self, record, start, own=True)


class Draft(Generic[R]):
    """Steps of one record applied one after another, the record built once at the end.

    Recording a history (an import: report, consent, referrals) step by step builds and
    checks the whole record at every step; a draft does not. Each step's guards see the
    record as the steps before it left it, and every value a step sets goes through its
    field's own converter and validator at once; the record-wide checks (dates against
    the report, the status against the timeline) run once, on the record `finish`
    builds. A refused step raises `TransitionError` as `Lifecycle.apply` does.

    For frozen attrs records whose converters take the value alone and whose validators
    look at their own field (every record here): a converter given the instance is
    refused.
    """

    def __init__(
        self, lifecycle: Lifecycle[R], record: R, start: Mapping[str, Any], *, own: bool = False
    ) -> None:
        self._lifecycle = lifecycle
        self._original = record
        self._fields = _fields_of(type(record))
        _no_state(start)
        self._changes: dict[str, Any] = dict(start)
        # the draft itself: a private copy the steps change in place (or, ``own``, the
        # record itself: one its caller made unchecked for the draft and gives up)
        checked = self._checked(record, start)
        if own:
            for name, value in checked.items():
                object.__setattr__(record, name, value)
            self._record = record
        else:
            self._record = _unchecked(record, self._fields, checked)
        self.events: list[Event] = []

    @property
    def record(self) -> R:
        """The record as the steps so far left it (a copy, not checked as a whole)."""
        return _unchecked(self._record, self._fields, {})

    def apply(self, step: Step, **changes: Any) -> Event:
        """Check the step against the draft and add it; the event it appends."""
        if changes:
            _no_state(changes)
        lifecycle, record = self._lifecycle, self._record
        state = lifecycle._state_of(record)
        target = lifecycle._check(record, step, state)
        event = lifecycle.event(record, step, target, source=state)
        status = lifecycle._state_member(target)
        timeline = (*record.timeline, event)
        put = object.__setattr__
        if changes:
            for name, value in self._checked(record, changes).items():
                put(record, name, value)
            # the record is made from the values as given (its converters run once, there)
            self._changes.update(changes)
        put(record, "status", status)
        put(record, "timeline", timeline)
        self._changes["status"] = status
        self._changes["timeline"] = timeline
        self.events.append(event)
        return event

    def finish(self) -> R:
        """The record with every step, built and checked by the model as a whole."""
        if not self._changes:
            return self._original
        return _evolve(self._original, self._changes)

    def _checked(self, record: R, changes: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in changes.items():
            field = self._fields.get(name)
            if field is None:
                raise TypeError(f"{type(record).__name__} has no field {name!r}")
            if isinstance(field.converter, attrs.Converter):
                raise TypeError(
                    f"{type(record).__name__}.{name}: a draft takes converters of the value "
                    "alone (apply the steps one by one)"
                )
            if field.converter is not None:
                value = field.converter(value)
            if field.validator is not None:
                field.validator(record, field, value)
            out[name] = value
        return out


def _no_state(changes: Mapping[str, Any]) -> None:
    """The state and the timeline are the table's to set, never a step's."""
    for name in ("status", "timeline"):
        if name in changes:
            raise TypeError(f"a step sets {name} through the transition table, not as a change")


_FIELDS: dict[type, dict[str, attrs.Attribute[Any]]] = {}


def _fields_of(cls: type) -> dict[str, attrs.Attribute[Any]]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = {a.name: a for a in attrs.fields(cls)}
    return found


_INIT: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]] | None] = {}


def _evolve(record: R, changes: Mapping[str, Any]) -> R:
    """`attrs.evolve` (the record made again, every check run) with the record's values
    read in one call: the step functions' hot path."""
    cls: Any = type(record)
    if cls not in _INIT:
        init = [a for a in attrs.fields(cls) if a.init]
        plain = len(init) > 1 and all(a.alias == a.name for a in init)
        names = tuple(a.name for a in init)
        _INIT[cls] = (names, operator.attrgetter(*names)) if plain else None
    found = _INIT[cls]
    if found is None:  # (one field, or a private one: attrs knows its argument's name)
        return attrs.evolve(record, **changes)  # type: ignore[misc]
    names, values = found
    arguments = dict(zip(names, values(record), strict=True))
    arguments.update(changes)
    return cls(**arguments)  # type: ignore[no-any-return]


def _unchecked(record: R, fields: Mapping[str, Any], changes: Mapping[str, Any]) -> R:
    """A copy of a frozen attrs record with ``changes``, not run through its checks."""
    new = object.__new__(type(record))
    put = object.__setattr__
    for name in fields:
        put(new, name, changes[name] if name in changes else getattr(record, name))
    return new
