"""Strict translation of raw resource mappings (inventory YAML, snapshot JSON) into Resources.

Pure: takes already-decoded data and a display name for the file; raises `InputError` naming
the file, the resource and the field for anything it cannot accept. Shared by every loader so
that a snapshot is held to exactly the same rules as a hand-written inventory.
"""

from __future__ import annotations

import difflib
import functools
from datetime import date, datetime, timezone
from typing import Any, Iterable

from auditor.core.errors import InputError
from auditor.core.model import (
    ACTIONS,
    ALL_RELATIONS,
    CASCADE_RELATIONS,
    GRANTS,
    KINDS,
    PRINCIPAL_TYPES,
    RELATIONS,
    TIERS,
    Grant,
    Resource,
)

#: Attributes with a fixed type; anything else is kept as a free attribute (region, labels, …).
DATETIME_ATTRS = frozenset({"created_at", "expires_at", "deleted_at", "last_used_at"})
BOOL_ATTRS = frozenset({"deletion_protection", "inferred", "sealed", "continuous", "pending_deletion"})
NUMBER_ATTRS = frozenset({"retention_days", "size_mb"})
STRING_ATTRS = frozenset({"status", "token_kind", "fingerprint", "region", "account_id"})
CHOICE_ATTRS: dict[str, tuple[str, ...]] = {"tier": TIERS, "type": tuple(sorted(PRINCIPAL_TYPES))}
CORE_FIELDS = ("id", "kind", "name", "provider")
KNOWN_FIELDS: tuple[str, ...] = (
    CORE_FIELDS
    + ALL_RELATIONS
    + tuple(sorted(DATETIME_ATTRS | BOOL_ATTRS | NUMBER_ATTRS | STRING_ATTRS | set(CHOICE_ATTRS)))
)
_RELATION_SET = frozenset(RELATIONS)
_CORE = frozenset(CORE_FIELDS)
_FIXED = frozenset(KNOWN_FIELDS)


def to_utc(value: Any) -> datetime:
    """Parse an ISO-8601 string, date or datetime into an aware UTC datetime.

    Naive values are taken as UTC (documented in the README's inventory format).
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO-8601 date or time: {value!r}") from None
    else:
        raise ValueError(f"expected a date or time, got {type(value).__name__}")
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


class _FieldProblem(Exception):
    """Raised by the value validators; parse_resource adds file, resource and field."""


def _bad(message: str) -> Any:
    raise _FieldProblem(message)


def _suggest(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _id_list(value: Any, err=_bad) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else err("empty id")
    if isinstance(value, list):
        out = []
        for item in value:
            if not isinstance(item, str) or not item:
                err(f"expected resource ids, got {item!r}")
            out.append(item)
        return tuple(out)
    return err(f"expected an id or a list of ids, got {type(value).__name__}")


def _grants(value: Any, err=_bad) -> tuple[Grant, ...]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        err("expected a list of {target, actions}")
    out = []
    for item in value:
        if not isinstance(item, dict):
            err(f"expected {{target, actions}}, got {item!r}")
        extra = set(item) - {"target", "actions"}
        if extra:
            err(f"unknown key {sorted(extra)[0]!r} in a grant (expected target, actions)")
        target = item.get("target")
        if not isinstance(target, str) or not target:
            err("grant without a target id")
        actions = item.get("actions")
        if isinstance(actions, str):
            actions = [actions]
        if not isinstance(actions, list) or not actions:
            err(f"grant on {target!r} needs a non-empty list of actions")
        bad = [a for a in actions if a not in ACTIONS]
        if bad:
            err(f"unknown action {bad[0]!r} on {target!r} (allowed: {', '.join(sorted(ACTIONS))})")
        out.append(Grant(target, frozenset(actions)))
    return tuple(out)


def _free_value(value: Any, err=_bad) -> Any:
    """Free attributes must be JSON-compatible; dates become ISO strings."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime, date)):
        return to_utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, list):
        return [_free_value(v, err) for v in value]
    if isinstance(value, dict):
        return {str(k): _free_value(v, err) for k, v in value.items()}
    return err(f"unsupported value of type {type(value).__name__}")


def _attr(key: str, value: Any, kind: str, err=_bad) -> Any:
    if value is None:
        return None
    if key in DATETIME_ATTRS:
        try:
            return to_utc(value)
        except ValueError as exc:
            err(str(exc))
    if key in BOOL_ATTRS:
        if not isinstance(value, bool):
            err(f"expected true, false or null, got {value!r}")
        return value
    if key in NUMBER_ATTRS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            err(f"expected a non-negative number, got {value!r}")
        return value
    if key in STRING_ATTRS:
        if not isinstance(value, str):
            err(f"expected a string, got {value!r}")
        return value
    if key in CHOICE_ATTRS:
        choices = CHOICE_ATTRS[key]
        if value not in choices:
            err(f"{value!r} is not one of {', '.join(choices)}{_suggest(str(value), choices)}")
        return value
    return _free_value(value, err)


@functools.lru_cache(maxsize=4096)
def _typo_of(key: str) -> str | None:
    """The known field a free attribute name is probably a typo of (memoised: names repeat)."""
    near = difflib.get_close_matches(key, KNOWN_FIELDS, n=1, cutoff=0.8)
    return near[0] if near else None


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
    label = rid
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        hint = _suggest(str(kind), KINDS)
        fail(f"unknown kind {kind!r}{hint}" if kind else "missing kind", "kind")
    name = raw.get("name", rid)
    if name is None:
        name = rid
    if not isinstance(name, str):
        name = str(name)
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
            if key in _RELATION_SET:
                if value is None or value == []:
                    continue
                ids = _id_list(value)
                if rid in ids:
                    _bad("a resource cannot relate to itself")
                relations[key] = ids
            elif key == GRANTS:
                if value:
                    grants = _grants(value)
            elif key in _FIXED:
                attrs[key] = _attr(key, value, kind)
            else:
                if not isinstance(key, str):
                    _bad(f"field names must be strings, got {key!r}")
                near = _typo_of(key)
                if near:
                    _bad(f"unknown field (did you mean {near!r}?)")
                attrs[key] = _free_value(value)
    except _FieldProblem as problem:
        fail(str(problem), str(key))
    if "tier" in attrs and kind != "environment":
        fail("only environments have a tier", "tier")
    return Resource(rid, kind, name, provider, attrs, relations, grants)


def parse_resources(raw_resources: Any, file: str) -> list[Resource]:
    """Validate a whole list: per-resource rules, unique ids, known targets, acyclic cascade."""
    if not isinstance(raw_resources, list):
        raise InputError("'resources' must be a list", file=file, field="resources")
    resources = [parse_resource(raw, i, file) for i, raw in enumerate(raw_resources)]
    check_references(resources, file)
    return resources


def check_references(resources: list[Resource], file: str) -> None:
    """Duplicate ids, unknown targets and cycles through `parent`/`stored_on` are input errors."""
    by_id: dict[str, Resource] = {}
    for res in resources:
        if res.id in by_id:
            raise InputError("duplicate id", file=file, resource=res.id, field="id")
        by_id[res.id] = res
    for res in resources:
        for rel, targets in res.relations.items():
            for target in targets:
                if target not in by_id:
                    hint = _suggest(target, by_id) if len(by_id) < 50_000 else ""
                    raise InputError(f"unknown id {target!r}{hint}", file=file, resource=res.id, field=rel)
        for grant in res.grants:
            if grant.target not in by_id:
                hint = _suggest(grant.target, by_id) if len(by_id) < 50_000 else ""
                raise InputError(f"unknown id {grant.target!r}{hint}", file=file, resource=res.id, field=GRANTS)
        if res.grants and res.kind != "credential":
            raise InputError("only credentials grant access", file=file, resource=res.id, field=GRANTS)
        if "exposed_to" in res.relations and res.kind != "credential":
            raise InputError("only credentials are exposed", file=file, resource=res.id, field="exposed_to")
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
    return iter([(rel, t) for rel in CASCADE_RELATIONS for t in res.relations.get(rel, ())])


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
