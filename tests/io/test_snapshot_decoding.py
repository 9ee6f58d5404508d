"""A snapshot decoded one resource at a time by msgspec (`load_snapshot_bytes`) against its
definition, `json.loads` of the whole document then `parse_snapshot`: the same Source (values,
key order, types) for every document, and the definition's own error, message for message, for
every document either of them refuses — including bytes json reads and msgspec does not (NaN,
a BOM, UTF-16, lone surrogates, numbers out of range)."""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.core.model import NO_ATTRS, Resource
from auditor.io.files import parse_json
from auditor.io.snapshot import _Declined, _load_by_parts, load_snapshot_bytes, parse_snapshot

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADER = (
    '{"format":"blastscope-snapshot","format_version":1,"provider":"railway","tool_version":"t",'
    '"created_at":"2026-11-25T00:00:00Z","complete":true,"gaps":[],"meta":{"k":"v"},"resources":['
)
GOOD = [
    '{"id":"acct","kind":"account","name":"café ☕","provider":"railway"}',
    '{"id":"p","kind":"project","name":"p","parent":"acct","provider":"railway"}',
    '{"id":"e","kind":"environment","name":"prod","parent":"p","tier":"production"}',
    '{"id":"v","kind":"volume","name":"pg","parent":["e"],"size_mb":1024,"deletion_protection":null}',
    '{"id":"b","kind":"backup","name":"daily","backup_of":"v","stored_on":"v","created_at":"2026-11-24T04:00:00Z",'
    '"retention_days":7.5,"status":"completed","tags":{"a":"b"}}',
    '{"id":"t","kind":"credential","name":"token","grants":[{"target":"p","actions":["delete"]}],"exposed_to":"e"}',
]


def outcome(load: Any, data: bytes) -> str:
    """What a user would see: the Source's repr (values, types and key order) or the error."""
    try:
        source = load(data, "s.json")
    except InputError as exc:
        return f"error: {exc}"
    parts = [repr(source)]
    for res in source.resources:  # repr shows dict order; spell out types too (1 vs 1.0 vs True)
        parts += [f"{k}:{type(v).__name__}" for k, v in res.attrs.items()]
        parts += [f"{rel}:{','.join(ids)}" for rel, ids in res.relations.items()]
    return "\n".join(parts)


def definition(data: bytes, origin: str) -> Any:
    return parse_snapshot(parse_json(data, origin), origin, consume=True)


def same(data: bytes) -> None:
    assert outcome(load_snapshot_bytes, data) == outcome(definition, data)


def snapshot(items: list[str]) -> bytes:
    return (HEADER + ",".join(items) + "]}").encode()


def test_the_fast_path_is_taken_and_agrees() -> None:
    data = snapshot(GOOD)
    source = _load_by_parts(data, "s.json")  # raises _Declined if msgspec did not take it
    assert len(source.resources) == len(GOOD)
    assert source.resources[0].name == "café ☕"
    assert source.resources[0].attrs is NO_ATTRS
    same(data)


@pytest.mark.parametrize(
    "item",
    [
        '{"id":"x","kind":"volume","size_mb":NaN}',  # json reads NaN, msgspec does not
        '{"id":"x","kind":"volume","size_mb":1e400}',  # json: inf (then an input error); msgspec: out of range
        '{"id":"x","kind":"volume","name":"\\ud800"}',  # a lone surrogate escape
        '{"id":"x","kind":"volume","name":"\\udc00\\ud800"}',
        '{"id":"x","kind":"volume","name":"\\ud83d\\ude00"}',  # a valid pair
        '{"id":"x","kind":"volume","size_mb":123456789012345678901234567890}',
        '{"id":"x","kind":"volume","size_mb":-0.0}',
        '{"id":"x","kind":"volume","size_mb":1E3}',
        '{"id":"x","kind":"volume","kind":"bucket"}',  # duplicate keys: the last wins, in the first's place
        '{"id":"x","kind":"volume","parent":"nowhere"}',
        '{"id":"x","kind":"volume"},{"id":"x","kind":"volume"}',
        '{"id":"x","kind":"volume","bogus":1}',
        "[1,2]",
        '"x"',
        "null",
        '{"id":"x","kind":"volume",}',
        '{"id":"x","kind":"volume","name":"a\x01b"}',
        '{"id":' + "[" * 5000 + "]" * 5000 + "}",
    ],
)
def test_documents_msgspec_reads_differently(item: str) -> None:
    same(snapshot([*GOOD, item]))
    same(snapshot([item, *GOOD]))


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + snapshot(GOOD),  # a UTF-8 BOM: json reads it, msgspec does not
        snapshot(GOOD).decode().encode("utf-16"),
        snapshot(GOOD).decode().encode("utf-32-le"),
        snapshot([*GOOD[:2], '{"id":"x","kind":"account","name":"\xff"}']),
        snapshot(GOOD).replace(b"caf\xc3\xa9", b"caf\xed\xa0\x80"),  # an encoded surrogate: json reads it
        snapshot(GOOD).replace(b'"tool_version":"t"', b'"tool_version":"\xff"'),  # not UTF-8 in a key we skip
        snapshot(GOOD).replace(b'"tool_version":"t"', b'"tool_version":NaN'),
        snapshot(GOOD).replace(b'"tool_version":"t"', b'"resources":{}'),  # resources twice: the last wins
        snapshot(GOOD).replace(b'"resources":[', b'"resources":[],"resources":['),
        snapshot(GOOD).replace(b'"resources":[', b'"resource":['),
        snapshot(GOOD).replace(b'"format_version":1', b'"format_version":1.0'),
        snapshot(GOOD).replace(b'"complete":true', b'"complete":1'),
        snapshot(GOOD)[:-1],
        snapshot(GOOD) + b" x",
        snapshot(GOOD) + b"\n\t ",
        b"[]",
        b"",
        # an input error early and bytes json refuses later: the definition names the JSON problem
        snapshot(['{"id":"x","kind":"nope"}', *GOOD, '{"id":"y","kind":"account","name":"\xff"}']),
    ],
)
def test_documents_at_the_edges(data: bytes) -> None:
    same(data)


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=8,
)


@SETTINGS
@given(JSON_VALUES, st.booleans())
def test_msgspec_decodes_what_json_decodes_to_the_same_values(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    expected = json.loads(text)
    try:
        decoded = msgspec.json.decode(text.encode("utf-8", "surrogatepass"))
    except (msgspec.MsgspecError, ValueError):
        return  # declined: the json module decides
    assert repr(decoded) == repr(expected)
    assert typed(decoded) == typed(expected)


def typed(value: Any) -> Any:
    """The value with every scalar's type spelled out (1, 1.0 and True compare equal)."""
    if isinstance(value, dict):
        return [(k, typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


KEYS = st.sampled_from(["id", "kind", "name", "provider", "parent", "size_mb", "tier", "created_at", "tags", "x"])
ITEMS = st.one_of(
    st.dictionaries(KEYS, st.one_of(JSON_SCALARS, st.sampled_from(["acct", "p", "e", "volume", "project"]))),
    JSON_VALUES,
)


@SETTINGS
@given(st.lists(ITEMS, max_size=4), st.booleans())
def test_any_document_loads_as_its_definition_says(items: list[Any], ascii_only: bool) -> None:
    texts = [json.dumps(item, ensure_ascii=ascii_only) for item in items]
    same(snapshot([*GOOD, *texts]).decode("utf-8", "surrogatepass").encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.binary(max_size=4), st.integers(min_value=0, max_value=600))
def test_damaged_bytes_give_the_definitions_error(noise: bytes, at: int) -> None:
    data = snapshot(GOOD)
    at = min(at, len(data))
    same(data[:at] + noise + data[at:])


def test_declined_documents_raise_declined() -> None:
    with pytest.raises(_Declined):
        _load_by_parts(snapshot(['{"id":"x","kind":"volume","size_mb":NaN}']), "s.json")


def test_no_attributes_is_shared_and_read_only() -> None:
    source = load_snapshot_bytes(snapshot(GOOD), "s.json")
    bare = [r for r in source.resources if not r.attrs]
    assert len(bare) >= 2 and all(r.attrs is NO_ATTRS for r in bare)
    with pytest.raises(TypeError):
        bare[0].attrs["tier"] = "production"
    assert bare[0] == Resource(bare[0].id, bare[0].kind, bare[0].name, bare[0].provider, {}, bare[0].relations)
    assert NO_ATTRS == {}
