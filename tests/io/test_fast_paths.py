"""The loader's fast paths against their definitions: the same Resources for every mapping the
definition accepts, and the definition's own error (message and order) for everything else."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.core.schema import ATTRIBUTES, RELATIONS
from auditor.io.resources import (
    _check_references_in_full,
    _compile_shape,
    _Dates,
    _OneId,
    _parse_plain,
    _Shapes,
    check_references,
    parse_resource,
    parse_resources,
)
from tests.conftest import generated_snapshot_document

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=200)

IDS = st.sampled_from(["a", "b", "c", "acct", "p1", " ", "", "x" * 4097])
KIND_NAMES = st.sampled_from(["account", "project", "environment", "service", "volume", "database", "bucket", "backup"])
KINDS = st.one_of(KIND_NAMES, st.sampled_from(["credential", "principal", "generic", "databse", "", None, 3]))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["2026-11-24T04:00:00Z", "2026-02-30", "production", "staging", "9999-12-31T23:59:59-01:00"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(st.one_of(IDS, st.integers(0, 3), st.none()), max_size=3),
    st.dictionaries(st.sampled_from(["target", "actions", "x"]), st.one_of(IDS, st.lists(st.text(max_size=6)))),
    st.lists(
        st.fixed_dictionaries(
            {"target": IDS, "actions": st.lists(st.sampled_from(["read", "write", "delete", "admin", "nuke"]))}
        ),
        max_size=2,
    ),
    st.dictionaries(st.text(max_size=3), SCALARS, max_size=2),
)
KEYS = st.sampled_from(
    ["name", "provider", "grants", "stored_in", "tags ", *RELATIONS, *ATTRIBUTES]
    + ["tier", "created_at", "deletion_protection", "size_mb", "status", "retention_days"] * 3
)


@st.composite
def raw_resources(draw: Any) -> Any:
    if draw(st.integers(0, 30)) == 0:
        return draw(st.one_of(st.none(), st.lists(st.integers()), st.text()))
    raw: dict[Any, Any] = {}
    if draw(st.booleans()) or True:
        raw["id"] = draw(st.one_of(IDS, st.integers(0, 9), st.booleans()))
    raw["kind"] = draw(KINDS)
    for key in draw(st.lists(KEYS, max_size=5)):
        raw[key] = draw(VALUES)
    if draw(st.integers(0, 20)) == 0:
        raw[7] = "x"
    if draw(st.booleans()):  # the key order decides which error is named first
        items = list(raw.items())
        raw = dict(reversed(items))
    return raw


def definition(raw: Any) -> Any:
    try:
        return parse_resource(raw, 0, "f.json")
    except InputError as exc:
        return exc


@SETTINGS
@given(raw_resources())
def test_plain_parse_is_the_definition_or_declines(raw: Any) -> None:
    fast = _parse_plain(raw, _Dates(), _OneId())
    if fast is not None:
        expected = definition(raw)
        assert expected == fast
        assert repr(expected) == repr(fast)  # key order too, which snapshots and exports write out
        assert [type(v) for v in expected.attrs.values()] == [type(v) for v in fast.attrs.values()]


@FEWER
@given(st.lists(raw_resources(), min_size=1, max_size=4))
def test_compiled_shapes_are_the_plain_parse(raws: list[Any]) -> None:
    """The translator compiled for a mapping's shape gives exactly what `_parse_plain` gives
    (the same Resource, key order and value types included, or None), shapes shared between
    mappings included."""
    compiled: dict[tuple[Any, ...], Any] = {}
    for raw in raws:
        if type(raw) is not dict or type(raw.get("kind")) is not str:
            continue
        shape = (raw["kind"], *raw)
        if shape not in compiled:
            compiled[shape] = _compile_shape(shape)
        translate = compiled[shape]
        if translate is None:  # a shape _parse_plain declines whatever the values
            assert _parse_plain(raw, _Dates(), _OneId()) is None
            continue
        fast = translate(raw, raw.values(), _Dates(), _OneId(), {}, [])
        plain = _parse_plain(raw, _Dates(), _OneId())
        assert repr(fast) == repr(plain)
        if plain is not None:
            assert fast == plain
            assert [type(v) for v in fast.attrs.values()] == [type(v) for v in plain.attrs.values()]


def test_shapes_are_compiled_once_common() -> None:
    """A shape is compiled on its COMPILE_AFTER-th mapping, then its translator is reused."""
    shapes = _Shapes()
    shape = ("service", "id", "kind", "name", "parent")
    first = [shapes[shape] for _ in range(_Shapes.COMPILE_AFTER - 1)]
    assert all(t is first[0] for t in first) and shape not in shapes
    compiled = shapes[shape]
    assert compiled is not first[0] and shapes[shape] is compiled
    raw = {"id": "s", "kind": "service", "name": "svc", "parent": "e"}
    assert compiled(raw, raw.values(), _Dates(), _OneId(), {}, []) == parse_resource(raw, 0, "f.json")


def test_plain_parse_takes_the_common_shapes() -> None:
    """The fast path must actually be taken for what pull and the generator write."""
    raw = {
        "id": "b1",
        "kind": "backup",
        "name": "daily",
        "backup_of": "db",
        "stored_on": ["vol", "acct-backups"],
        "created_at": "2026-11-24T04:00:00Z",
        "retention_days": 35,
        "status": "completed",
    }
    assert _parse_plain(raw, _Dates(), _OneId()) == parse_resource(raw, 0, "f.json")
    cred = {"id": "t", "kind": "credential", "grants": [{"target": "p", "actions": ["admin"]}], "exposed_to": "e"}
    assert _parse_plain(cred, _Dates(), _OneId()) == parse_resource(cred, 0, "f.json")


GRAPH_IDS = ["a", "b", "c", "d", "e"]


@st.composite
def graphs(draw: Any) -> list[Any]:
    kinds = ["account", "project", "environment", "volume", "database", "backup", "credential", "service"]
    n = draw(st.integers(1, 5))
    ids = draw(st.lists(st.sampled_from(GRAPH_IDS), min_size=n, max_size=n))
    out = []
    for rid in ids:
        raw: dict[str, Any] = {"id": rid, "kind": draw(st.sampled_from(kinds))}
        for rel in draw(st.lists(st.sampled_from(["parent", "stored_on", "backup_of", "exposed_to"]), max_size=2)):
            targets = [t for t in draw(st.lists(st.sampled_from(GRAPH_IDS + ["zz"]), max_size=2)) if t != rid]
            if targets:
                raw[rel] = targets
        if raw["kind"] == "credential" and draw(st.booleans()):
            raw["grants"] = [{"target": draw(st.sampled_from(GRAPH_IDS)), "actions": ["delete"]}]
        out.append(raw)
    resources = []
    for raw in out:
        res = definition(raw)
        if isinstance(res, InputError):
            continue
        resources.append(res)
    return resources


def outcome(check: Any, resources: list[Any]) -> str:
    try:
        check(resources, "f.json")
    except InputError as exc:
        return str(exc)
    return "ok"


@SETTINGS
@given(graphs())
def test_reference_check_names_the_same_first_problem(resources: list[Any]) -> None:
    assert outcome(check_references, resources) == outcome(_check_references_in_full, resources)


@pytest.mark.parametrize("order", [1, -1])
def test_children_listed_before_parents_still_load(order: int) -> None:
    raws = [
        {"id": "acct", "kind": "account"},
        {"id": "p", "kind": "project", "parent": "acct"},
        {"id": "v", "kind": "volume", "parent": "p"},
    ][::order]
    check_references([parse_resource(r, 0, "f.json") for r in raws], "f.json")


@st.composite
def raw_graphs(draw: Any) -> list[Any]:
    """Small raw documents with every kind of reference problem: unknown and wrong-kind targets,
    repeated ids, grants on credentials, cascades listed backwards or in a cycle."""
    kinds = ["account", "project", "environment", "volume", "database", "backup", "credential", "service"]
    out: list[Any] = []
    for rid in draw(st.lists(st.sampled_from(GRAPH_IDS), min_size=1, max_size=6)):
        raw: dict[str, Any] = {"id": rid, "kind": draw(st.sampled_from(kinds))}
        for rel in draw(st.lists(st.sampled_from(["parent", "stored_on", "backup_of", "exposed_to"]), max_size=2)):
            targets = [t for t in draw(st.lists(st.sampled_from(GRAPH_IDS + ["zz"]), max_size=2)) if t != rid]
            if targets:
                raw[rel] = targets[0] if len(targets) == 1 and draw(st.booleans()) else targets
        if raw["kind"] == "credential" and draw(st.booleans()):
            raw["grants"] = [{"target": draw(st.sampled_from(GRAPH_IDS + ["zz"])), "actions": ["delete"]}]
        if draw(st.integers(0, 8)) == 0:
            raw["name"] = 7  # a valid shape only the definition takes
        out.append(raw)
    return out


def load_outcome(load: Any, raws: list[Any]) -> str:
    try:
        return repr(load(raws))
    except InputError as exc:
        return f"error: {exc}"


def load_by_definition(raws: list[Any]) -> list[Any]:
    resources = [parse_resource(raw, i, "f.json") for i, raw in enumerate(raws)]
    _check_references_in_full(resources, "f.json")
    return resources


@FEWER
@given(raw_graphs())
def test_references_noted_while_parsing_are_the_definition(raws: list[Any]) -> None:
    """parse_resources proves references from what its translators noted in the same pass; the
    same Resources, or the same first error, as translating each mapping and checking in full."""
    assert load_outcome(lambda r: parse_resources(r, "f.json"), raws) == load_outcome(load_by_definition, raws)


@pytest.mark.parametrize("shuffled", [False, True])
def test_a_generated_account_loads_as_the_definition_says(shuffled: bool) -> None:
    """A few thousand resources of every shape the generator writes (each compiled translator
    used hundreds of times), in the generator's order and shuffled (targets listed after what
    cites them, so the noted references and the cycle search are exercised)."""
    raws = json.loads(json.dumps(generated_snapshot_document(2500, 3)["resources"]))
    if shuffled:
        random.Random(5).shuffle(raws)
    assert load_outcome(lambda r: parse_resources(r, "f.json"), raws) == load_outcome(load_by_definition, raws)
    assert not load_outcome(load_by_definition, raws).startswith("error")
