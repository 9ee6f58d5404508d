"""The client decodes answers with msgspec for speed; what it hands on must be exactly what
json.loads gives (the value, or the refusal), whatever the server sends."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.railway.client import decode_json

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (1 == 1.0 and -0.0 == 0.0 are not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b) or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def outcome(decode: Any, raw: bytes) -> tuple[str, Any]:
    try:
        return "value", decode(raw)
    except (ValueError, RecursionError) as exc:
        return "refused", type(exc).__name__


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_any_json_decodes_to_the_value_json_loads_gives(value: Any, ascii_only: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert same(decode_json(raw), json.loads(raw))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_decode_or_are_refused_as_json_loads_would(raw: bytes) -> None:
    ours, theirs = outcome(decode_json, raw), outcome(json.loads, raw)
    assert ours[0] == theirs[0]
    if ours[0] == "value":
        assert same(ours[1], theirs[1])


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": NaN, "b": Infinity, "c": -Infinity}',  # not JSON, but json.loads reads it
        b'{"a": 1e400}',  # out of msgspec's range: json.loads says inf
        b'"\\ud800"',  # a lone surrogate escape
        b'"\xed\xa0\x80"',  # a surrogate encoded as bytes (json.loads passes it through)
        b"\xef\xbb\xbf{}",  # a UTF-8 byte-order mark
        '{"a": "é"}'.encode("utf-16"),  # json.loads detects UTF-16
        b'{"a": 1, "a": 2}',  # a repeated key: the last wins in both
        b'{"a": 123456789012345678901234567890}',
        b'{"a": -0.0, "b": 1.0, "c": 1E5}',
        b'{"a": 1} x',
        b"[" * 5000 + b"]" * 5000,
        b"",
    ],
)
def test_what_msgspec_refuses_is_what_json_loads_says(raw: bytes) -> None:
    ours, theirs = outcome(decode_json, raw), outcome(json.loads, raw)
    assert ours[0] == theirs[0]
    if ours[0] == "value":
        assert same(ours[1], theirs[1])
    else:
        assert ours[1] == theirs[1]
