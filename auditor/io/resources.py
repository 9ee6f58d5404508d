"""Strict translation of raw resource mappings (inventory YAML, snapshot JSON, Terraform) into
Resources, driven by the schema table in `auditor.core.schema`; and the same rules applied to
Resources a provider built directly (`validate_resources`).

Pure: takes already-decoded data and a display name for the file; raises `InputError` naming
the file, the resource and the field for anything it cannot accept — an unknown key, an
attribute on the wrong kind, a mistyped or non-finite value, a reference to an unknown id or
to the wrong kind of resource, a cycle through `parent`/`stored_on`.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from sys import intern
from typing import Any

from auditor.core.errors import InputError
from auditor.core.model import (
    ACTIONS,
    CASCADE_ORDER,
    CASCADE_RELATIONS,
    GRANTS,
    KINDS,
    NO_ATTRS,
    RELATIONS,
    Grant,
    Resource,
)
from auditor.core.schema import (
    ATTRIBUTES,
    CORE_FIELDS,
    FIELDS,
    MAX_NAME,
    MAX_STRING,
    RELATION_RULES,
    Attribute,
    ValueProblem,
    check_number,
    check_string,
    short,
)

DATETIME_ATTRS = frozenset(a.name for a in ATTRIBUTES.values() if a.type == "datetime")
_RELATION_SET = frozenset(RELATIONS)
_CORE = frozenset(CORE_FIELDS)
#: datetimes outside these years are typos or hostile input, not dates
_MIN_YEAR, _MAX_YEAR = 1970, 9999


def to_utc(value: Any) -> datetime:
    """Parse an ISO-8601 string, date or datetime into an aware UTC datetime.

    Naive values are taken as UTC (documented in the inventory reference).
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 64:
            raise ValueError(f"not an ISO-8601 date or time: {short(value)}")
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(f"not an ISO-8601 date or time: {short(value)}") from None
    else:
        raise ValueError(f"expected a date or time, got {type(value).__name__}")
    try:
        out = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"date out of range: {short(value)}") from None
    if not (_MIN_YEAR <= out.year <= _MAX_YEAR):
        raise ValueError(f"date out of range (years {_MIN_YEAR}–{_MAX_YEAR}): {short(value)}")
    return out


def _suggest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {match[0]!r}?)" if match else ""


@functools.lru_cache(maxsize=4096)
def _unknown_field(key: str) -> str:
    return f"unknown field {short(key)}{_suggest(key, FIELDS)}"


def _id_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        if not value:
            raise ValueProblem("empty id")
        return (value,)
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item:
                raise ValueProblem(f"expected resource ids, got {short(item)}")
            out.append(item)
        return tuple(out)
    raise ValueProblem(f"expected an id or a list of ids, got {type(value).__name__}")


def _grants(value: Any) -> tuple[Grant, ...]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ValueProblem("expected a list of {target, actions}")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ValueProblem(f"expected {{target, actions}}, got {short(item)}")
        extra = set(item) - {"target", "actions"}
        if extra:
            raise ValueProblem(f"unknown key {short(sorted(map(str, extra))[0])} in a grant (expected target, actions)")
        target = item.get("target")
        if not isinstance(target, str) or not target:
            raise ValueProblem("grant without a target id")
        actions = item.get("actions")
        if isinstance(actions, str):
            actions = [actions]
        if not isinstance(actions, list) or not actions:
            raise ValueProblem(f"grant on {short(target)} needs a non-empty list of actions")
        bad = [a for a in actions if not isinstance(a, str) or a not in ACTIONS]
        if bad:
            raise ValueProblem(
                f"unknown action {short(bad[0])} on {short(target)} "
                f"(allowed: {', '.join(sorted(ACTIONS))}){_suggest(str(bad[0]), ACTIONS)}"
            )
        out.append(Grant(target, _action_set(tuple(actions))))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _action_set(actions: tuple[str, ...]) -> frozenset[str]:
    """One frozenset per set of actions (a large account has thousands of `admin` grants)."""
    return frozenset(actions)


def convert(spec: Attribute, value: Any) -> Any:
    """A raw value as the attribute's type (None stays None: unknown); ValueProblem otherwise."""
    if value is None:
        return None
    kind = spec.type
    if kind == "datetime":
        try:
            return to_utc(value)
        except ValueError as exc:
            raise ValueProblem(str(exc)) from None
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueProblem(f"expected true, false or null, got {short(value)}")
        return value
    if kind == "number":
        return check_number(value, spec.maximum)
    if kind == "string":
        return check_string(value)
    if kind == "choice":
        if value not in spec.choices:
            raise ValueProblem(
                f"{short(value)} is not one of {', '.join(spec.choices)}{_suggest(str(value), spec.choices)}"
            )
        return value
    if kind == "strings":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ValueProblem(f"expected a list of strings, got {type(value).__name__}")
        return [check_string(v, 4096) for v in value]
    if kind == "mapping":
        if not isinstance(value, dict):
            raise ValueProblem(f"expected a mapping, got {type(value).__name__}")
        out: dict[str, Any] = {}
        for k, v in value.items():
            if isinstance(v, float) and v != v:
                raise ValueProblem("expected finite numbers in the mapping")
            if v is not None and not isinstance(v, (str, int, float, bool)):
                raise ValueProblem(f"values of {spec.name} are strings, numbers or booleans")
            out[check_string(str(k), 1024)] = check_string(v, 4096) if isinstance(v, str) else v
        return out
    raise AssertionError(f"unknown schema type {kind}")


def parse_resource(raw: Any, index: int, file: str) -> Resource:
    """Validate one raw mapping; relation targets are checked later, once all ids are known."""
    label: str = f"#{index + 1}"

    def fail(message: str, field: str | None = None) -> Any:
        raise InputError(message, file=file, resource=label, field=field)

    if not isinstance(raw, dict):
        fail(f"expected a mapping, got {type(raw).__name__}")
    rid = raw.get("id")
    if isinstance(rid, int) and not isinstance(rid, bool):
        rid = str(rid)
    if not isinstance(rid, str) or not rid.strip():
        fail("missing or empty id", "id")
    if len(rid) > MAX_NAME:
        fail(f"id longer than {MAX_NAME} characters", "id")
    label = rid
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        fail(f"unknown kind {short(kind)}{_suggest(str(kind), KINDS)}" if kind else "missing kind", "kind")
    name = raw.get("name", rid)
    if name is None:
        name = rid
    if isinstance(name, bool) or not isinstance(name, (str, int, float)):
        fail(f"expected a string, got {type(name).__name__}", "name")
    name = str(name)
    if len(name) > MAX_NAME:
        fail(f"name longer than {MAX_NAME} characters", "name")
    provider = raw.get("provider") or "inventory"
    if not isinstance(provider, str):
        fail("expected a string", "provider")

    attrs: dict[str, Any] = {}
    relations: dict[str, tuple[str, ...]] = {}
    grants: tuple[Grant, ...] = ()
    key: Any = None
    try:
        for key, value in raw.items():
            if key in _CORE:
                continue
            spec = ATTRIBUTES.get(key)
            if spec is not None:
                if spec.kinds is not None and kind not in spec.kinds:
                    raise ValueProblem(f"a {kind} has no {key!r} (it applies to {', '.join(sorted(spec.kinds))})")
                attrs[key] = convert(spec, value)
            elif key in _RELATION_SET:
                if value is None or value == []:
                    continue
                if kind not in RELATION_RULES[key].sources:
                    raise ValueProblem(f"a {kind} cannot have {key!r}")
                ids = _id_list(value)
                if rid in ids:
                    raise ValueProblem("a resource cannot relate to itself")
                relations[key] = ids
            elif key == GRANTS:
                if value:
                    if kind != "credential":
                        raise ValueProblem("only credentials grant access")
                    grants = _grants(value)
            else:
                raise ValueProblem(
                    _unknown_field(str(key)) if isinstance(key, str) else f"field names are strings, got {short(key)}"
                )
    except ValueProblem as problem:
        fail(str(problem), str(key))
    return Resource(rid, kind, name, provider, attrs, relations, grants)


def parse_resources(
    raw_resources: Any,
    file: str,
    *,
    consume: bool = False,
    decode: Callable[[Any], Any] | None = None,
    known: dict[bytes, Resource] | None = None,
) -> list[Resource]:
    """Validate a whole list: per-resource rules, unique ids, known targets of the right kind,
    acyclic cascade.

    Each mapping goes through the translator compiled for its shape (`_Shapes`, `_parse_plain`
    by definition), which accepts only what `parse_resource` would accept unchanged; anything
    else (including every input error) is left to `parse_resource`, so messages and their order
    are the definition's. The translators also note, in the same pass, each reference whose
    target is not already listed with an allowed kind: when no id repeats and each noted target
    turns up with an allowed kind by the end, the references are proven without another pass
    (and the cascade needs the cycle search only if a target came after what it holds);
    otherwise `check_references` decides, and names the first problem.

    `consume=True` drops each raw mapping once translated (the caller owns the list): a
    million-resource document and its Resources never sit in memory whole at once. `decode`
    turns each item into its raw mapping just before it is translated (a snapshot decoded one
    resource at a time). `known` (with `decode`): the Resource each encoded item already gave;
    an item written with the same bytes is taken from it instead of being decoded and parsed
    again, and each item parsed here is added (`diff` loads the later snapshot with the earlier
    one's, see engine/incremental.py)."""
    if not isinstance(raw_resources, list):
        raise InputError("'resources' must be a list", file=file, field="resources")
    resources: list[Resource] = []
    append = resources.append
    shapes, dates, one_id = _SHAPES, _Dates(), _OneId()
    kind_of: dict[str, str] = {}
    later: list[_Reference] = []
    for i, raw in enumerate(raw_resources):
        encoded = bytes(raw) if known is not None and decode is not None else None
        res = known.get(encoded) if encoded is not None else None  # type: ignore[union-attr]
        if res is not None:
            later.append(_UNCHECKED)
        else:
            if decode is not None:
                raw = decode(raw)
            if type(raw) is dict and type(kind := raw.get("kind")) is str:
                res = shapes[(kind, *raw)](raw, raw.values(), dates, one_id, kind_of, later)
            if res is None:
                res = parse_resource(raw, i, file)
                later.append(_UNCHECKED)
            if encoded is not None:
                known[encoded] = res  # type: ignore[index]
        append(res)
        kind_of[res.id] = res.kind
        if consume:
            raw_resources[i] = None
    _check_noted_references(resources, kind_of, later, file)
    return resources


def _check_noted_references(
    resources: list[Resource], kind_of: dict[str, str], later: list[_Reference], file: str
) -> None:
    """`check_references(resources)` given what the translators noted (see parse_resources)."""
    if len(kind_of) != len(resources):
        check_references(resources, file)  # an id listed twice
        return
    ordered = True
    for target, allowed, cascade in later:
        if kind_of.get(target) not in allowed:
            check_references(resources, file)
            return
        if cascade:
            ordered = False  # a cascade target listed after what it holds: a cycle is possible
    if not ordered:
        by_id = {res.id: res for res in resources}
        _check_cascade_acyclic(resources, by_id, file)


class _Dates(dict[str, datetime]):
    """ISO-8601 strings already converted in this document (backups share timestamps)."""

    def __missing__(self, text: str) -> datetime:
        value = self[text] = to_utc(text)
        return value


class _OneId(dict[str, tuple[str]]):
    """Relations to one id, one tuple per id in a document: a million resources hold ~1.5 M
    relations, mostly to a parent, volume or environment that many of them share."""

    def __missing__(self, rid: str) -> tuple[str]:
        value = self[rid] = (intern(rid),)
        return value


# what `_parse_plain` does with each key a resource of a kind may hold (0: a core field, skipped)
_SKIP, _REL, _BOOL, _DATETIME, _NUMBER, _STRING, _CHOICE, _CONVERT, _REL_EMPTY, _GRANTS, _GRANTS_EMPTY = range(11)
_BY_TYPE = {"bool": _BOOL, "datetime": _DATETIME, "number": _NUMBER, "string": _STRING, "choice": _CHOICE}


def _plain_fields(kind: str) -> dict[str, int]:
    """key -> what to do, for one kind: the keys `parse_resource` accepts on it."""
    out = dict.fromkeys(_CORE, _SKIP)
    for name, spec in ATTRIBUTES.items():
        if spec.kinds is None or kind in spec.kinds:
            out[name] = _BY_TYPE.get(spec.type, _CONVERT)
    for rel in RELATIONS:
        out[rel] = _REL if kind in RELATION_RULES[rel].sources else _REL_EMPTY
    out[GRANTS] = _GRANTS if kind == "credential" else _GRANTS_EMPTY
    return out


_PLAIN_FIELDS = {kind: _plain_fields(kind) for kind in KINDS}
_KIND_NAMES = {kind: kind for kind in KINDS}


def _parse_plain(raw: Any, dates: _Dates, one_id: _OneId) -> Resource | None:
    """`parse_resource(raw)` for the common, valid case, without building error context;
    None for anything else — unusual shapes (integer ids or names) as well as every error."""
    if type(raw) is not dict:
        return None
    rid = raw.get("id")
    kind = raw.get("kind")
    if type(rid) is not str or type(kind) is not str or not rid or rid.isspace() or len(rid) > MAX_NAME:
        return None
    fields = _PLAIN_FIELDS.get(kind)
    if fields is None:
        return None
    name = raw.get("name", rid)
    if name is None:
        name = rid
    elif type(name) is not str or len(name) > MAX_NAME:
        return None
    provider = raw.get("provider") or "inventory"
    if type(provider) is not str:
        return None
    attrs: dict[str, Any] = {}
    relations: dict[str, tuple[str, ...]] = {}
    grants: tuple[Grant, ...] = ()
    how_of = fields.get
    # one string object per id, whether it is read as an id or as a target: a million-resource
    # graph cites each id several times, and the engine's lookups compare them by identity first;
    # kinds, names and choices repeat across resources ("svc-0", "completed"): one object each too
    rid = intern(rid)
    kind = _KIND_NAMES[kind]
    name = intern(name)
    provider = intern(provider)  # a snapshot names it on every resource
    try:
        for key, value in raw.items():
            how = how_of(key)
            if not how:
                if how is None:
                    return None
                continue  # id, kind, name, provider
            if value is None:
                if how < _REL_EMPTY and how != _REL:
                    attrs[key] = None
                continue
            if how == _REL:
                if type(value) is str:
                    if not value or value == rid:
                        return None
                    relations[key] = one_id[value]
                elif value == []:
                    continue
                else:
                    ids = _id_list(value)
                    if rid in ids:
                        return None
                    relations[key] = one_id[ids[0]] if len(ids) == 1 else tuple(map(intern, ids))
            elif how == _BOOL:
                if value is not True and value is not False:
                    return None
                attrs[key] = value
            elif how == _DATETIME:
                attrs[key] = dates[value] if type(value) is str else to_utc(value)
            elif how == _STRING:
                if type(value) is not str or len(value) > MAX_STRING:
                    return None
                attrs[key] = intern(value) if len(value) <= 64 else value  # "completed", "postgres", …
            elif how == _NUMBER:
                attrs[key] = check_number(value, ATTRIBUTES[key].maximum)
            elif how == _CHOICE:
                if value not in ATTRIBUTES[key].choices:
                    return None
                attrs[key] = intern(value) if type(value) is str else value
            elif how == _CONVERT:
                attrs[key] = convert(ATTRIBUTES[key], value)
            elif how == _GRANTS:
                if value:
                    grants = _grants(value)
            elif how == _REL_EMPTY:
                if value != []:
                    return None
            elif value:  # _GRANTS_EMPTY
                return None
    except (ValueError, TypeError):  # ValueProblem included: the definition says which and where
        return None
    return Resource(rid, kind, name, provider, attrs or NO_ATTRS, relations, grants)


class _Shapes(dict[tuple[str, ...], Callable[..., "Resource | None"]]):
    """`_parse_plain` compiled per shape of mapping — its kind, then its keys in order — into
    straight-line Python with no per-key dispatch: a snapshot holds a handful of shapes (a
    service with a parent, a backup with its five attributes, …) repeated a million times.

    Each compiled translator does what `_parse_plain` does for its shape, step for step (the
    same checks in the same order, None for anything unusual or wrong). Compiling a shape takes
    about a millisecond, so a shape is compiled on its `COMPILE_AFTER`th mapping (a small
    inventory never pays it); until then, for shapes `_parse_plain` declines whatever the values
    (an unknown key, no id) and for shapes past `LIMIT`, `_parse_plain` translates."""

    LIMIT = 512
    COMPILE_AFTER = 64

    def __init__(self) -> None:
        super().__init__()
        self._seen: dict[tuple[str, ...], int] = {}

    def __missing__(self, shape: tuple[str, ...]) -> Callable[..., Resource | None]:
        seen = self._seen.get(shape, 0) + 1
        if seen < self.COMPILE_AFTER:
            if len(self._seen) > 8 * self.LIMIT:
                self._seen.clear()  # many shapes seen a few times each: count afresh
            self._seen[shape] = seen
            return _parse_plain_values
        self._seen.pop(shape, None)
        translate = _compile_shape(shape) if len(self) < self.LIMIT else None
        if translate is None:
            translate = _parse_plain_values
        self[shape] = translate
        return translate


def _parse_plain_values(
    raw: Any, _values: Any, dates: _Dates, one_id: _OneId, _kind_of: Any, later: list[_Reference]
) -> Resource | None:
    """A translator for shapes not compiled: `_parse_plain`, its references left to check_references."""
    res = _parse_plain(raw, dates, one_id)
    if res is not None:
        later.append(_UNCHECKED)
    return res


#: (target, kinds it may be, whether the relation cascades): a reference `parse_resources` checks
#: once every id is known, because its target was not yet listed or is not of an allowed kind
_Reference = tuple[str, frozenset[str], bool]
#: a resource whose references were not noted: never satisfied, so the whole list is checked
_UNCHECKED: _Reference = ("", frozenset(), False)
_GRANT_TARGETS = frozenset(KINDS - {"credential"})


def _compile_shape(shape: tuple[str, ...]) -> Callable[..., Resource | None] | None:
    """The translator of mappings of one shape: (kind, key, key, …); None if `_parse_plain`
    declines every mapping of it."""
    kind, keys = shape[0], shape[1:]
    fields = _PLAIN_FIELDS.get(kind)
    if fields is None or "id" not in keys or not all(type(k) is str and k.isidentifier() for k in keys):
        return None
    if any(fields.get(key) is None for key in keys):
        return None  # a key this kind never takes
    names = {key: f"v{i}" for i, key in enumerate(keys)}
    env: dict[str, Any] = {
        "intern": intern,
        "Resource": Resource,
        "NO_ATTRS": NO_ATTRS,
        "MAX_NAME": MAX_NAME,
        "MAX_STRING": MAX_STRING,
        "KIND": _KIND_NAMES[kind],
        "_id_list": _id_list,
        "_grants": _grants,
        "to_utc": to_utc,
        "GRANT_TARGETS": _GRANT_TARGETS,
        "check_number": check_number,
        "convert": convert,
        "str": str,
        "type": type,
        "len": len,
        "tuple": tuple,
        "map": map,
    }
    lines = ["def translate(raw, values, dates, one_id, kind_of, later):", f"    {', '.join(names.values())}, = values"]
    add = lines.append
    rid = names["id"]
    add(f"    if type({rid}) is not str or not {rid} or {rid}.isspace() or len({rid}) > MAX_NAME:")
    add("        return None")
    if "name" in names:
        name = names["name"]
        add(f"    if {name} is None:")
        add(f"        {name} = {rid}")
        add(f"    elif type({name}) is not str or len({name}) > MAX_NAME:")
        add("        return None")
    else:
        name = rid
    if "provider" in names:
        provider = names["provider"]
        add(f"    {provider} = {provider} or 'inventory'")
        add(f"    if type({provider}) is not str:")
        add("        return None")
        add(f"    {provider} = intern({provider})")
    else:
        provider = "'inventory'"
    add(f"    rid = intern({rid})")
    add(f"    name = intern({name})" if name != rid else "    name = rid")
    add("    relations = {}")
    add("    grants = ()")
    add("    try:")
    add("        pass")
    attrs: list[str] = []
    for key in keys:
        how, v = fields[key], names[key]
        if how == _SKIP:
            continue
        if how == _REL:
            env[f"TARGETS_{key}"] = RELATION_RULES[key].targets
            cascade = key in CASCADE_RELATIONS
            add(f"        if {v} is None:")
            add("            pass")
            add(f"        elif type({v}) is str:")
            add(f"            if not {v} or {v} == rid:")
            add("                return None")
            add(f"            relations[{key!r}] = one_id[{v}]")
            add(f"            if kind_of.get({v}) not in TARGETS_{key}:")
            add(f"                later.append(({v}, TARGETS_{key}, {cascade}))")
            add(f"        elif {v} == []:")
            add("            pass")
            add("        else:")
            add(f"            ids = _id_list({v})")
            add("            if rid in ids:")
            add("                return None")
            add(f"            relations[{key!r}] = one_id[ids[0]] if len(ids) == 1 else tuple(map(intern, ids))")
            add("            for target in ids:")
            add(f"                if kind_of.get(target) not in TARGETS_{key}:")
            add(f"                    later.append((target, TARGETS_{key}, {cascade}))")
            continue
        if how == _GRANTS:
            add(f"        if {v}:")
            add(f"            grants = _grants({v})")
            add("            for grant in grants:")
            add("                if kind_of.get(grant.target) not in GRANT_TARGETS:")
            add("                    later.append((grant.target, GRANT_TARGETS, False))")
            continue
        if how == _REL_EMPTY:
            add(f"        if {v} is not None and {v} != []:")
            add("            return None")
            continue
        if how == _GRANTS_EMPTY:
            add(f"        if {v}:")
            add("            return None")
            continue
        attrs.append(key)
        spec = f"SPEC_{key}"
        env[spec] = ATTRIBUTES[key]
        add(f"        if {v} is None:")
        add("            pass")
        if how == _BOOL:
            add(f"        elif {v} is not True and {v} is not False:")
            add("            return None")
        elif how == _DATETIME:
            add(f"        elif type({v}) is str:")
            add(f"            {v} = dates[{v}]")
            add("        else:")
            add(f"            {v} = to_utc({v})")
        elif how == _STRING:
            add(f"        elif type({v}) is not str or len({v}) > MAX_STRING:")
            add("            return None")
            add(f"        elif len({v}) <= 64:")
            add(f"            {v} = intern({v})")
        elif how == _NUMBER:
            add("        else:")
            add(f"            {v} = check_number({v}, {spec}.maximum)")
        elif how == _CHOICE:
            add(f"        elif {v} not in {spec}.choices:")
            add("            return None")
            add(f"        elif type({v}) is str:")
            add(f"            {v} = intern({v})")
        else:  # _CONVERT
            add("        else:")
            add(f"            {v} = convert({spec}, {v})")
    add("    except (ValueError, TypeError):")
    add("        return None")
    attrs_out = "{" + ", ".join(f"{key!r}: {names[key]}" for key in attrs) + "}" if attrs else "NO_ATTRS"
    add(f"    return Resource(rid, KIND, name, {provider}, {attrs_out}, relations, grants)")
    exec(compile("\n".join(lines), f"<resource shape {kind}: {', '.join(keys)}>", "exec"), env)
    return env["translate"]  # type: ignore[no-any-return]


_SHAPES = _Shapes()


def validate_resources(resources: list[Resource], file: str) -> list[Resource]:
    """The schema's rules for Resources a provider built directly (live APIs): the same checks
    a snapshot of them would pass, so a provider bug is an error, not a quiet wrong answer."""
    for res in resources:
        raw: dict[str, Any] = {"id": res.id, "kind": res.kind, "name": res.name, "provider": res.provider}
        for key, value in res.attrs.items():
            raw[key] = value.isoformat() if isinstance(value, datetime) else value
        for rel, targets in res.relations.items():
            raw[rel] = list(targets)
        if res.grants:
            raw[GRANTS] = [{"target": g.target, "actions": sorted(g.actions)} for g in res.grants]
        parse_resource(raw, 0, file)
    check_references(resources, file)
    return resources


def check_references(resources: list[Resource], file: str) -> None:
    """Duplicate ids, unknown targets, targets of the wrong kind and cycles through
    `parent`/`stored_on` are input errors.

    One pass over the ids and one over the edges prove the common case (no error; every
    cascade target listed before what it holds, as sources list them); anything else goes
    to the full check (`_check_references_in_full`), which names the first problem."""
    kind_of = {res.id: res.kind for res in resources}
    if len(kind_of) != len(resources):
        _check_references_in_full(resources, file)
        return
    targets_of = _RELATION_TARGETS
    ordered = True  # every cascade target seen before its source: no cycle can exist
    seen: set[str] = set()
    for res in resources:
        rels = res.relations
        if rels:
            for rel, targets in rels.items():
                allowed = targets_of[rel]
                for target in targets:
                    if kind_of.get(target) not in allowed:
                        _check_references_in_full(resources, file)
                        return
                    if ordered and rel in CASCADE_RELATIONS and target not in seen:
                        ordered = False
        for grant in res.grants:
            target_kind = kind_of.get(grant.target)
            if target_kind is None or target_kind == "credential":
                _check_references_in_full(resources, file)
                return
        if ordered:
            seen.add(res.id)
    if not ordered:
        by_id = {res.id: res for res in resources}
        _check_cascade_acyclic(resources, by_id, file)


_RELATION_TARGETS = {rel: rule.targets for rel, rule in RELATION_RULES.items()}


def _check_references_in_full(resources: list[Resource], file: str) -> None:
    """check_references by definition: every resource and edge in order, the first problem raised."""
    by_id: dict[str, Resource] = {}
    for res in resources:
        if res.id in by_id:
            raise InputError("duplicate id", file=file, resource=res.id, field="id")
        by_id[res.id] = res
    for res in resources:
        for rel, targets in res.relations.items():
            allowed = RELATION_RULES[rel].targets
            for target in targets:
                found = by_id.get(target)
                if found is None:
                    hint = _suggest(target, by_id, 0.75) if len(by_id) < 50_000 else ""
                    raise InputError(f"unknown id {short(target)}{hint}", file=file, resource=res.id, field=rel)
                if found.kind not in allowed:
                    raise InputError(
                        f"{short(target)} is a {found.kind}; {rel} takes a {' or '.join(sorted(allowed))}",
                        file=file,
                        resource=res.id,
                        field=rel,
                    )
        for grant in res.grants:
            target_res = by_id.get(grant.target)
            if target_res is None:
                hint = _suggest(grant.target, by_id, 0.75) if len(by_id) < 50_000 else ""
                raise InputError(f"unknown id {short(grant.target)}{hint}", file=file, resource=res.id, field=GRANTS)
            if target_res.kind == "credential":
                raise InputError(
                    f"{short(grant.target)} is a credential; grants target resources",
                    file=file,
                    resource=res.id,
                    field=GRANTS,
                )
    _check_cascade_acyclic(resources, by_id, file)


def _check_cascade_acyclic(resources: list[Resource], by_id: dict[str, Resource], file: str) -> None:
    """Iterative three-colour DFS over parent ∪ stored_on; linear in resources and edges."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in resources:
        if start.id in state:
            continue
        stack: list[tuple[str, Iterable[tuple[str, str]]]] = [(start.id, _cascade_edges(start))]
        state[start.id] = 1
        while stack:
            node, edges = stack[-1]
            for rel, target in edges:
                mark = state.get(target)
                if mark == 1:
                    raise InputError(
                        f"cycle through {rel!r}: {node!r} → {target!r} leads back to {target!r}",
                        file=file,
                        resource=node,
                        field=rel,
                    )
                if mark is None:
                    state[target] = 1
                    stack.append((target, _cascade_edges(by_id[target])))
                    break
            else:
                state[node] = 2
                stack.pop()


def _cascade_edges(res: Resource) -> Iterable[tuple[str, str]]:
    return iter([(rel, t) for rel in CASCADE_ORDER for t in res.relations.get(rel, ())])


def add_relation(raw: dict[str, Any], rel: str, target: str) -> None:
    """Add `target` to a raw mapping's relation in the on-disk shape (one id stays a string,
    several a list), keeping each target once: what providers building raw mappings share."""
    current = raw.get(rel)
    if current is None:
        raw[rel] = target
    elif isinstance(current, list):
        if target not in current:
            current.append(target)
    elif current != target:
        raw[rel] = [current, target]


def resource_to_dict(res: Resource) -> dict[str, Any]:
    """The on-disk shape (inventory and snapshot): one id stays a string, several a list."""
    out: dict[str, Any] = {"id": res.id, "kind": res.kind, "name": res.name, "provider": res.provider}
    for rel in RELATIONS:
        targets = res.relations.get(rel)
        if targets:
            out[rel] = targets[0] if len(targets) == 1 else list(targets)
    if res.grants:
        out[GRANTS] = [{"target": g.target, "actions": sorted(g.actions)} for g in res.grants]
    for key, value in res.attrs.items():
        if isinstance(value, datetime):
            value = value.isoformat().replace("+00:00", "Z")
        out[key] = value
    return out
