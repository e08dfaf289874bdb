"""A form mapping compiled once for the common submission: records made by their
constructors straight from the typed answers.

`KoboFormMapping` maps a submission in one of two ways. The detailed way gathers each
record's values into plain data, structures it with the converter and then records
the history; it names every problem in Kobo terms. The compiled way, tried first, works
each value's conversion out once per mapping (a choice name to its code member, a
select_multiple to its set of codes) and makes each record with its constructor. The
values nested in a record are checked as they are made; a case and its referrals are
made unchecked, their values checked by `kk_core.values.record_problems`, and their
history builds each once with every check of the model: the lifecycle's guards on the
way, then the record's validators and its own rules (``__attrs_post_init__``) on the
record as finished, which holds every value the mapping gave it.

Whenever a submission is not what the compiled way expects (an answer of another type,
a choice without a code, an object inside a value, a refused value or step, anything
raised), it gives up and the detailed way maps the submission from the start; that way
decides, and explains. So the compiled way changes how fast an import is, never what it
makes: both make equal records, which the tests hold them to (``tests/compiled_check.py``
maps every submission of the suite both ways). A refused submission is mapped twice,
so a Python ``convert`` must be a function of its value alone.

Mappings it cannot compile (a list item's position in a target, an object given as a
constant, a record kind read from older releases without a mark of the current shape)
are mapped the detailed way only.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from kk_adapters.kobo.mapping import (
    _INDEX,
    _KEY,
    _PLACEHOLDER,
    _UNSET,
    KoboFormMapping,
    ListRule,
    MapContext,
    RecordRule,
    Value,
    _Failed,
    _from_answer,
    _mode,
    _plain,
    _Scope,
    _text,
    _unwrap,
)
from kk_core.cases import Case
from kk_core.codes import Coded
from kk_core.converter import converter
from kk_core.import_marks import letters_digest
from kk_core.kinds import CURRENT_SHAPE_MARKERS, RECORD_UPGRADES, Record, record_type
from kk_core.lifecycle import _evolve
from kk_core.privacy import looks_like_nik
from kk_core.referrals import Referral
from kk_core.values import record_problems

__all__ = ["CompiledMapping", "GiveUp", "compile_mapping"]

_INT64 = 2**63


class GiveUp(Exception):
    """The compiled way does not map this submission: the detailed way does."""


class _Skip:
    pass


#: No value for the field (an unanswered question, a choice mapped to ``""``): it is
#: left out, as the detailed way leaves it out.
_SKIP = _Skip()

# how a leaf reads its value
_CONST, _ANSWER, _TEMPLATE, _GENERIC, _PSEUDONYM = 0, 1, 2, 3, 4


@attrs.frozen
class _Leaf:
    """One field of a record and where its value comes from, its conversion worked out."""

    name: str  # the constructor's argument
    target: str  # the dotted target (as the detailed way names it)
    value: Value
    how: int
    path: str | None  # the answer read (_ANSWER)
    from_answer: bool
    field_type: Any
    hook: Callable[[Any, Any], Any]
    #: the value itself (_CONST); the template's parts (_TEMPLATE)
    const: Any = None
    #: the answer's class kept as it is (str, int, date), when the field holds that class
    keep: type | None = None
    #: code → member for a code field read straight from the answer
    members: Mapping[Any, Any] | None = None
    #: choice name → converted value (``_SKIP``: the choice leaves it unset)
    choices: Mapping[str, Any] | None = None
    #: choice name → converted item, for a select_multiple into a set of codes
    items: Mapping[str, Any] | None = None
    sets: dict[tuple[str, ...], Any] = attrs.field(factory=dict, eq=False)
    #: the value when the answer is not given (``_SKIP``: none, the field is left out)
    default: Any = _SKIP
    #: the record is made only when this answer is given (``only_if``)
    only_if: str | None = None


@attrs.frozen
class _Node:
    """A record, or a value nested in one (``subject``), and what fills its fields."""

    cls: type
    leaves: tuple[_Leaf, ...]
    children: tuple[tuple[str, _Node], ...]
    lists: tuple[tuple[str, ListRule, _Node], ...]
    only_if: str | None = None
    #: ``build(reader)``: the constructor's arguments of this node (None: nothing to
    #: make) and whether an answer gave any of them, written out once (`_builder`)
    build: Callable[[_Reader], tuple[dict[str, Any] | None, bool]] = attrs.field(
        init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "build", _builder(self))


@attrs.frozen
class _Rule:
    rule: RecordRule
    node: _Node
    #: made unchecked: its history (or the last pass) builds it
    deferred: bool


class _NotCompiled(Exception):
    """The mapping has something the compiled way does not handle."""


def _fields(cls: type) -> dict[str, attrs.Attribute[Any]]:
    attrs.resolve_types(cls)
    return {a.name: a for a in attrs.fields(cls) if a.init}


def compile_mapping(mapping: KoboFormMapping) -> CompiledMapping | None:
    """The compiled way of ``mapping``, or None when it has something only the detailed
    way handles."""
    try:
        return CompiledMapping(mapping)
    except _NotCompiled:
        return None


class CompiledMapping:
    """``map(values, key, context)``: the records of one submission, or `GiveUp`."""

    def __init__(self, mapping: KoboFormMapping) -> None:
        self.mapping = mapping
        rules = []
        for rule in mapping.rules:
            cls = record_type(rule.kind)
            if cls in RECORD_UPGRADES and cls not in CURRENT_SHAPE_MARKERS:
                raise _NotCompiled(rule.kind)  # the detailed way reads it as current data
            targets: dict[str, Value] = {"id": rule.id, **rule.fields}
            node = _node(cls, "", targets, rule.lists, dict(rule.only_if))
            deferred = cls in (Case, Referral)
            if deferred and any(
                isinstance(a.converter, attrs.Converter)
                or (isinstance(a.default, attrs.Factory) and a.default.takes_self)  # type: ignore[arg-type]
                for a in attrs.fields(cls)
            ):
                raise _NotCompiled(rule.kind)
            rules.append(_Rule(rule, node, deferred))
        self.rules = tuple(rules)

    def map(self, values: Mapping[str, Any], key: str | None, context: MapContext) -> list[Record]:
        made: list[Record] = []
        deferred: set[int] = set()
        ids: dict[str, str] = {}
        for compiled in self.rules:
            rule = compiled.rule
            if rule.repeat is None:
                entries: Sequence[tuple[Mapping[str, Any], int | None]] = [(values, None)]
            else:
                listed = values.get(rule.repeat) or ()
                entries = [(e, i) for i, e in enumerate(listed, 1) if isinstance(e, Mapping)]
            for entry, index in entries:
                reader = _Reader(values, entry, index, key, ids, context, self.mapping)
                if rule.when is not None and not _when(rule, reader):
                    continue
                arguments, _ = reader.node(compiled.node)
                if arguments is None:
                    raise GiveUp  # a record of nothing (the detailed way names what it lacks)
                if (
                    rule.kind == "referral"
                    and "consent_given" not in arguments
                    and "override" not in arguments
                ):
                    arguments["consent_given"] = True
                cls = compiled.node.cls
                record: Any
                if compiled.deferred:
                    record = _unchecked(cls, arguments)
                    deferred.add(id(record))
                else:
                    record = cls(**arguments)
                made.append(record)
                ids.setdefault(rule.name, record.id)
        for record in made:
            # what no store keeps, checked on the records as mapped (as the detailed way
            # does), before the history adds its events
            if record_problems(record):
                raise GiveUp
        try:
            recorded = self.mapping._recorded(made, values, context, deferred)
        except _Failed:
            raise GiveUp from None
        out = []
        for record in recorded:
            if id(record) in deferred:
                record = _evolve(record, {})  # no history made it: built and checked here
            out.append(record)
        return out


# -- compiling -----------------------------------------------------------------------------


def _node(
    cls: type,
    prefix: str,
    targets: Mapping[str, Value],
    lists: Sequence[ListRule],
    only_if: dict[str, str],
    own_only_if: str | None = None,
) -> _Node:
    # (a value class with an upgrade, `VALUE_UPGRADES`, is made from the mapping's data,
    # which its upgrade returns unchanged: that is current data)
    if getattr(cls, "__parameters__", ()):
        raise _NotCompiled(cls.__name__)
    fields = _fields(cls)
    leaves: list[_Leaf] = []
    nested: dict[str, dict[str, Value]] = {}
    nested_lists: dict[str, list[ListRule]] = {}
    for target, value in targets.items():
        head, dot, rest = target.partition(".")
        if head not in fields:
            raise _NotCompiled(target)
        if dot:
            nested.setdefault(head, {})[rest] = value
        else:
            leaves.append(_leaf(fields[head], f"{prefix}{target}", value, only_if))
    for sub in lists:
        head, dot, rest = sub.into.partition(".")
        if head not in fields:
            raise _NotCompiled(sub.into)
        if dot:
            nested_lists.setdefault(head, []).append(attrs.evolve(sub, into=rest))
        else:
            nested_lists.setdefault("", []).append(sub)
    names = {leaf.name for leaf in leaves}
    children = []
    for head in {*nested, *(h for h in nested_lists if h)}:
        if head in names:
            raise _NotCompiled(head)  # a value and values inside it
        inner = _unwrap(fields[head].type)
        if not (isinstance(inner, type) and attrs.has(inner)) or isinstance(
            fields[head].converter, attrs.Converter
        ):
            raise _NotCompiled(head)
        child = _node(
            inner,
            f"{prefix}{head}.",
            nested.get(head, {}),
            nested_lists.get(head, []),
            only_if,
            only_if.get(prefix + head),
        )
        children.append((fields[head].alias or head, child))
    made_lists = []
    for sub in nested_lists.get("", []):
        field = fields[sub.into]
        list_type = _unwrap(field.type)
        args = [a for a in typing.get_args(list_type) if a is not Ellipsis]
        if typing.get_origin(list_type) is not tuple or len(args) != 1:
            raise _NotCompiled(sub.into)
        item = args[0]
        if not (isinstance(item, type) and attrs.has(item)) or sub.into in names:
            raise _NotCompiled(sub.into)
        if any("." in t for t in sub.fields) or f"{prefix}{sub.into}" in only_if:
            raise _NotCompiled(sub.into)
        item_node = _node(item, f"{prefix}{sub.into}.", sub.fields, (), {})
        made_lists.append((field.alias or field.name, sub, item_node))
    for target in only_if:
        if target.startswith(prefix) and any(p.isdigit() for p in target.split(".")):
            raise _NotCompiled(target)
    return _Node(cls, tuple(leaves), tuple(children), tuple(made_lists), own_only_if)


def _leaf(field: attrs.Attribute[Any], target: str, value: Value, only_if: dict[str, str]) -> _Leaf:
    if isinstance(field.converter, attrs.Converter):
        raise _NotCompiled(target)  # (a converter given the record: only the constructor)
    field_type = field.type
    hook = converter.get_structure_hook(field_type)
    inner = _unwrap(field_type)
    common: dict[str, Any] = {
        "name": field.alias or field.name,
        "target": target,
        "value": value,
        "from_answer": _from_answer(value),
        "field_type": field_type,
        "hook": hook,
        "only_if": only_if.get(target),
    }
    plain = (
        value.choices is None
        and value.cast is None
        and value.convert is None
        and not value.pseudonymise
        and value.default is _UNSET
    )
    if value.const is not _UNSET:
        if _structured(value.const):
            # an object (or list of them) as a constant: the detailed way leaves out an
            # object no answer filled in (see `mapping._drop_empty`), so it decides
            raise _NotCompiled(target)
        if not plain or value.const is None:
            return _Leaf(how=_GENERIC, path=None, **common)  # the options, as they are
        try:
            const = hook(value.const, field_type)
        except Exception:
            raise _NotCompiled(target) from None
        return _Leaf(how=_CONST, path=None, const=const, **common)
    if value.template is not None and plain:
        parts = _template_parts(value.template)
        keep = str if inner is str else None
        return _Leaf(how=_TEMPLATE, path=None, const=parts, keep=keep, **common)
    mode = _mode(value)
    # an answer as it is (or a NIK to pseudonymise, or a default when unanswered)
    no_options = (
        value.field is not None
        and value.choices is None
        and value.cast is None
        and value.convert is None
    )
    if value.pseudonymise and no_options and inner is str and value.default is _UNSET:
        return _Leaf(how=_PSEUDONYM, path=value.field, **common)
    default: Any = _SKIP
    if value.default is not _UNSET and no_options and not value.pseudonymise:
        if _structured(value.default):
            return _Leaf(how=_GENERIC, path=None, **common)  # (gives up when it is used)
        try:
            # one object for every record that takes it: record values are immutable
            default = hook(_plain(value.default), field_type)
        except Exception:
            return _Leaf(how=_GENERIC, path=None, **common)  # the detailed way explains
        mode = _mode(attrs.evolve(value, default=_UNSET))
    if not mode:
        return _Leaf(how=_GENERIC, path=None, **common)
    keep = inner if inner in (str, int, date) else None
    members = None
    if isinstance(inner, type) and issubclass(inner, Coded):
        members = dict(inner._value2member_map_)
    choices = items = None
    if value.choices is not None:
        choices = _converted(value.choices, hook, field_type)
        if typing.get_origin(inner) is frozenset:
            (item_type,) = typing.get_args(inner)
            items = _converted(value.choices, converter.get_structure_hook(item_type), item_type)
    return _Leaf(
        how=_ANSWER,
        path=value.field,
        keep=keep,
        members=members,
        choices=choices,
        items=items,
        default=default,
        **common,
    )


def _converted(
    choices: Mapping[str, Any], hook: Callable[[Any, Any], Any], to: Any
) -> dict[str, Any]:
    """Choice name → its code converted to ``to`` (``_SKIP`` for a code ``""``); a code
    that does not convert is left out: the detailed way explains it."""
    table: dict[str, Any] = {}
    for name, code in choices.items():
        if code == "":
            table[name] = _SKIP
        elif type(code) is str:
            try:
                table[name] = hook(code, to)
            except Exception:
                continue
    return table


def _builder(node: _Node) -> Callable[[_Reader], tuple[dict[str, Any] | None, bool]]:
    """The function reading ``node``'s values from a submission (`_Node.build`), each
    leaf written out for how it reads its value, so that nothing is looked up per leaf.

    No text of the mapping goes into the code: paths, names, constants and tables are
    bound in its namespace by position (``P3``, ``C3``…)."""
    namespace: dict[str, Any] = {"SKIP": _SKIP, "INT64": _INT64}
    lines = [
        "def build(r):",
        "    E = r.entry",
        "    V = r.values",
        "    a = {}",
        "    answered = False",
    ]

    def put(i: int, leaf: _Leaf, indent: str) -> None:
        # the value ``g`` found: set it (unless ``only_if`` says no)
        if leaf.from_answer:
            lines.append(f"{indent}answered = True")
        if leaf.only_if is not None:
            lines.append(f"{indent}if not r._unanswered(O{i}):")
            namespace[f"O{i}"] = leaf.only_if
            indent += "    "
        lines.append(f"{indent}a[N{i}] = g")

    def found(i: int, leaf: _Leaf) -> None:
        namespace[f"P{i}"] = leaf.path
        lines.append(f"    f = E[P{i}] if P{i} in E else V.get(P{i})")

    for i, leaf in enumerate(node.leaves):
        namespace[f"L{i}"] = leaf
        namespace[f"N{i}"] = leaf.name
        if leaf.how == _ANSWER:
            found(i, leaf)
            namespace[f"D{i}"] = leaf.default
            lines.append('    if f is None or f == "" or f == ():')
            lines.append(f"        g = D{i}")
            lines.append("    else:")
            if leaf.choices is not None:
                namespace[f"C{i}"] = leaf.choices
                lines.append(f"        g = C{i}.get(f) if f.__class__ is str else None")
                lines.append("        if g is None:")
                lines.append(f"            g = r._answer(L{i}, f)")
            elif leaf.keep is not None:
                namespace[f"K{i}"] = leaf.keep
                kept = f"f.__class__ is K{i}"
                if leaf.keep is int:
                    kept += " and -INT64 <= f < INT64"
                lines.append(f"        g = f if {kept} else r._answer(L{i}, f)")
            else:
                lines.append(f"        g = r._answer(L{i}, f)")
            lines.append("    if g is not SKIP:")
            put(i, leaf, "        ")
        elif leaf.how == _PSEUDONYM:
            found(i, leaf)
            lines.append('    if not (f is None or f == "" or f == ()):')
            lines.append(f"        g = r._pseudonym(L{i}, f)")
            put(i, leaf, "        ")
        elif leaf.how == _CONST:
            namespace[f"K{i}"] = leaf.const
            lines.append(f"    g = K{i}")
            put(i, leaf, "    ")
        elif leaf.how == _TEMPLATE:
            _template_code(i, leaf, lines, namespace)
            put(i, leaf, "    ")
        else:
            lines.append(f"    g = r._generic(L{i})")
            lines.append("    if g is not SKIP:")
            put(i, leaf, "        ")
    for j, (name, child) in enumerate(node.children):
        namespace[f"B{j}"] = child.build
        namespace[f"M{j}"] = name
        namespace[f"T{j}"] = child.cls
        lines.append(f"    m, ca = B{j}(r)")
        lines.append("    if ca:")
        lines.append("        answered = True")
        condition = "m is not None"
        if child.only_if is not None:
            namespace[f"Q{j}"] = child.only_if
            condition += f" and not r._unanswered(Q{j})"
        lines.append(f"        if {condition}:")
        lines.append(f"            a[M{j}] = T{j}(**m)")
    if node.lists:
        namespace["LISTS"] = node.lists
        lines.append("    if r._lists(LISTS, a):")
        lines.append("        answered = True")
    lines.append("    return (a if a else None), answered")
    code = "\n".join(lines)
    exec(compile(code, f"<kk compiled mapping {node.cls.__qualname__}>", "exec"), namespace)
    return namespace["build"]  # type: ignore[no-any-return]


def _template_code(i: int, leaf: _Leaf, lines: list[str], namespace: dict[str, Any]) -> None:
    """``g = `` the template's text, its parts written out (as `_Scope._template` fills
    them; a missing answer or record id gives up)."""
    namespace.update(GiveUp=GiveUp, text=_text, digest=letters_digest)
    pieces = []
    for k, (kind, text) in enumerate(leaf.const):
        name = f"X{i}_{k}"
        namespace[name] = text
        if kind == _TEXT:
            pieces.append(name)
        elif kind == _ANSWERED:
            lines.append(f"    x{k} = E[{name}] if {name} in E else V.get({name})")
            lines.append(f'    if x{k} is None or x{k} == "":')
            lines.append("        raise GiveUp")
            pieces.append(f"(x{k} if x{k}.__class__ is str else text(x{k}))")
        elif kind == _POSITION:
            pieces.append('("" if r.index is None else str(r.index))')
        elif kind == _SUBMISSION_KEY:
            pieces.append('("" if r.key is None else digest(r.key, 16))')
        else:
            lines.append(f"    x{k} = r.ids.get({name})")
            lines.append(f"    if x{k} is None:")
            lines.append("        raise GiveUp")
            pieces.append(f"x{k}")
    joined = " + ".join(pieces) if pieces else '""'
    if leaf.keep is str:
        lines.append(f"    g = {joined}")
    else:
        lines.append(f"    g = L{i}.hook({joined}, L{i}.field_type)")


def _structured(value: Any) -> bool:
    """Whether plain data holds an object or a list hole (what `mapping._drop_empty`
    prunes)."""
    if isinstance(value, Mapping):
        return True
    if isinstance(value, list | tuple):
        return any(v is None or _structured(v) for v in value)
    return False


# the parts of a template
_TEXT, _ANSWERED, _POSITION, _SUBMISSION_KEY, _RECORD_ID = range(5)


def _template_parts(template: str) -> tuple[tuple[int, str], ...]:
    parts: list[tuple[int, str]] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > last:
            parts.append((_TEXT, template[last : match.start()]))
        name = match.group(1)
        if name == _INDEX:
            parts.append((_POSITION, name))
        elif name == _KEY:
            parts.append((_SUBMISSION_KEY, name))
        elif name.startswith("@"):
            parts.append((_RECORD_ID, name[1:]))
        else:
            parts.append((_ANSWERED, name))
        last = match.end()
    if last < len(template):
        parts.append((_TEXT, template[last:]))
    return tuple(parts)


def _unchecked(cls: type, arguments: Mapping[str, Any]) -> Any:
    """A record holding ``arguments`` (and its defaults), not yet checked: its history
    builds it with the constructor."""
    make = _MAKERS.get(cls)
    if make is None:
        make = _MAKERS[cls] = _maker(cls)
    return make(arguments)


_MAKERS: dict[type, Callable[[Mapping[str, Any]], Any]] = {}


def _maker(cls: type) -> Callable[[Mapping[str, Any]], Any]:
    """A function setting every field of a new ``cls`` from the arguments, else its
    default, with the field's converter (written out once per class)."""
    namespace: dict[str, Any] = {"new": object.__new__, "put": object.__setattr__, "cls": cls}
    lines = ["def make(a):", "    r = new(cls)"]
    for i, field in enumerate(a for a in attrs.fields(cls) if a.init):
        value = f"a[{field.alias!r}]"
        if field.converter is not None:
            namespace[f"c{i}"] = field.converter
            value = f"c{i}({value})"
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"d{i}"] = field.default.factory
            default = f"d{i}()"
        elif field.default is attrs.NOTHING:
            default = "missing()"
            namespace["missing"] = _missing
        else:
            namespace[f"d{i}"] = field.default
            default = f"d{i}"
        lines.append(f"    put(r, {field.name!r}, {value} if {field.alias!r} in a else {default})")
    lines.append("    return r")
    exec(compile("\n".join(lines), f"<kk unchecked {cls.__qualname__}>", "exec"), namespace)
    return namespace["make"]  # type: ignore[no-any-return]


def _missing() -> Any:
    raise GiveUp  # a required field no value was given for: the detailed way says so


# -- mapping one submission ----------------------------------------------------------------


def _when(rule: RecordRule, reader: _Reader) -> bool:
    answer = reader.lookup(rule.when or "")
    if answer is None or answer == "" or answer == ():
        return False
    if not rule.when_in:
        return True
    answers = answer if isinstance(answer, tuple) else (answer,)
    return any(a in rule.when_in for a in answers)


class _Reader:
    """Reads the values of one record (of one repeat entry) of one submission."""

    __slots__ = ("context", "entry", "ids", "index", "key", "mapping", "values")

    def __init__(
        self,
        values: Mapping[str, Any],
        entry: Mapping[str, Any],
        index: int | None,
        key: str | None,
        ids: Mapping[str, str],
        context: MapContext,
        mapping: KoboFormMapping,
    ) -> None:
        self.values = values
        self.entry = entry
        self.index = index
        self.key = key
        self.ids = ids
        self.context = context
        self.mapping = mapping

    def lookup(self, path: str) -> Any:
        entry = self.entry
        return entry[path] if path in entry else self.values.get(path)

    def node(self, node: _Node) -> tuple[dict[str, Any] | None, bool]:
        """The constructor's arguments of ``node`` (None: nothing to make) and whether an
        answer gave any of them (a nested value made only of constants is left out)."""
        return node.build(self)

    def _lists(
        self, lists: Sequence[tuple[str, ListRule, _Node]], arguments: dict[str, Any]
    ) -> bool:
        """Each list of a node filled from its repeat (into ``arguments``); whether an
        answer gave any item's value."""
        answered = False
        for name, sub, item_node in lists:
            items = []
            for i, item_entry in enumerate(self.entry.get(sub.repeat) or (), 1):
                if not isinstance(item_entry, Mapping):
                    continue
                inner = _Reader(
                    self.values,
                    {**self.entry, **item_entry},
                    i,
                    self.key,
                    self.ids,
                    self.context,
                    self.mapping,
                )
                made, item_answered = item_node.build(inner)
                answered = answered or item_answered
                if made:
                    items.append(item_node.cls(**made))
            if items:
                arguments[name] = tuple(items)
        return answered

    def _unanswered(self, path: str) -> bool:
        answer = self.lookup(path)
        return answer is None or answer == "" or answer == ()

    def _answer(self, leaf: _Leaf, found: Any) -> Any:
        cls = found.__class__
        choices = leaf.choices
        if choices is not None:
            if cls is str:
                got = choices.get(found)
                if got is not None:
                    return got
            elif cls is tuple and leaf.items is not None:
                return self._set(leaf, found)
            return self._generic(leaf)
        if cls is leaf.keep:
            if cls is int and not -_INT64 <= found < _INT64:
                raise GiveUp
            return found
        members = leaf.members
        if members is not None and cls is str:
            got = members.get(found)
            if got is not None:
                return got
        return self._generic(leaf)

    def _pseudonym(self, leaf: _Leaf, found: Any) -> Any:
        pseudonymise = self.context.pseudonymise
        if found.__class__ is not str or pseudonymise is None or not looks_like_nik(found):
            return self._generic(leaf)  # (which refuses it, naming why)
        return leaf.hook(pseudonymise(found), leaf.field_type)

    def _set(self, leaf: _Leaf, names: tuple[str, ...]) -> Any:
        made = leaf.sets.get(names)
        if made is not None:
            return made
        items = leaf.items
        assert items is not None
        picked = []
        for name in names:
            item = items.get(name)
            if item is None:
                raise GiveUp  # not a choice the mapping codes
            if item is not _SKIP:
                picked.append(item)
        made = frozenset(picked)
        if len(leaf.sets) < 10_000:
            leaf.sets[names] = made
        return made

    def _generic(self, leaf: _Leaf) -> Any:
        """The value as the detailed way reads it, converted by the converter."""
        problems: list[Any] = []
        scope = _Scope(
            self.values,
            self.entry,
            self.index,
            "",
            self.key,
            self.ids,
            self.context,
            self.mapping._choice_lists,
        )
        got = scope.get(leaf.value, leaf.target, problems)
        if problems or _structured(got):
            raise GiveUp  # (objects inside a value: the detailed way prunes them)
        if got is _UNSET:
            return _SKIP
        return leaf.hook(got, leaf.field_type)
