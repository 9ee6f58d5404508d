"""The JSON report's per-finding encoder writes exactly what `json.dumps(..., ensure_ascii=False)`
writes, for any value a check may put in a finding (a property test over arbitrary JSON-like
values, including floats, huge integers, lone surrogates and non-string keys)."""

from __future__ import annotations

import json
from enum import IntEnum
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.reports.json_text import dumps_compact as finding_line

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Level(IntEnum):
    LOW = 1


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities included: json writes NaN/Infinity
    st.floats(min_value=1e15, max_value=1e17),
    st.floats(min_value=1e-8, max_value=1e-4),
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010)),  # lone surrogates
    st.sampled_from([Level.LOW, "\u2028", "\x7f", "\x00", '"\\/', "é😀"]),
)
KEYS = st.one_of(st.text(max_size=5), st.integers(-3, 3), st.booleans(), st.none(), st.floats(0, 2))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=3),
    ),
    max_leaves=15,
)


def outcome(encode: Any, value: Any) -> str:
    try:
        return "ok:" + encode(value)
    except (TypeError, ValueError) as exc:
        return f"error:{type(exc).__name__}"


@SETTINGS
@given(st.dictionaries(st.text(max_size=10), VALUES, max_size=6))
def test_finding_line_is_json_dumps(document: dict[str, Any]) -> None:
    assert outcome(finding_line, document) == outcome(lambda v: json.dumps(v, ensure_ascii=False), document)


def test_a_finding_shaped_document() -> None:
    document = {
        "check_id": "backup-stale",
        "evidence": [{"nodes": ["a", "b"], "links": [{"rel": "backup_of", "direction": "forward"}], "text": "a —x→ b"}],
        "data": {"age_hours": 1e16, "copies": ["a", "b"], "n": 3, "ok": True, "none": None, "ratio": 2.5e-05},
    }
    assert finding_line(document) == json.dumps(document, ensure_ascii=False)
