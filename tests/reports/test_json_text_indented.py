"""The fast indented encoder writes what json.dumps(indent=2, ensure_ascii=False) writes, on the
msgspec path (plain documents) and on the fallbacks alike."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.reports.json_text import dumps_indented

keys = st.one_of(st.text(max_size=6), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.floats(min_value=1e15, max_value=1e17),
    st.text(max_size=12),
)
documents = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_same_text_as_json_dumps(document) -> None:
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_special_floats_and_unusual_values_match_json_dumps() -> None:
    doc = {"nan": math.nan, "inf": [math.inf, -math.inf], "é": "ü\u2028\x00"}
    assert dumps_indented(doc) == json.dumps(doc, indent=2, ensure_ascii=False)
    for doc in ({"lone": "\ud800"}, {"big": [2**64, -(2**63) - 1]}, {"float": 1e16}, [{}, [], {"": ""}]):
        assert dumps_indented(doc) == json.dumps(doc, indent=2, ensure_ascii=False)
    with pytest.raises(TypeError):
        dumps_indented({"when": object()})


def test_a_cycle_is_the_error_json_dumps_raises() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(loop)
