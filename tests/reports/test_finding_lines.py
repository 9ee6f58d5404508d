"""The JSON report's per-finding encoder (`FindingLines`) writes exactly what the definition
writes — `dumps_compact(finding.to_json(label))` — or raises the same error, for any finding a
check may build: arbitrary strings (lone surrogates, control characters), nodes and links of
other types, paths whose nodes and links do not pair up, labels that repeat, and free-form
`data`. One encoder serves a whole list, so what it shares between findings is exercised too."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from auditor.core.evidence import EvidencePath, Link
from auditor.core.findings import Finding
from auditor.core.policy import Policy
from auditor.engine.audit import audit
from auditor.io.snapshot import load_snapshot_bytes
from auditor.reports.finding_lines import FindingLines
from auditor.reports.json_text import dumps_compact
from tests.conftest import generated_snapshot_document
from tests.reports.test_json_encoding import VALUES

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SURROGATES = st.text(alphabet=st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=3)
TEXT = st.one_of(
    st.sampled_from(["db", "vol", "prod", "é😀", "\u2028", "\x00", '"\\/']),
    st.text(max_size=8),
    st.integers(0, 30).flatmap(lambda n: SURROGATES if n == 0 else st.text(max_size=8)),
)


def rarely(other: Any) -> Any:
    """TEXT, or now and then (1 in 13) a value of `other` instead."""
    return st.integers(0, 12).flatmap(lambda n: other if n == 0 else TEXT)


NODE = st.one_of(st.sampled_from(["db", "vol", "prod"]), rarely(st.sampled_from([1, 1.5, None])))
LINK = st.builds(Link, st.one_of(st.sampled_from(["parent", "stored_on", "grants"]), TEXT), st.booleans(), TEXT)


@st.composite
def paths(draw: Any) -> Any:
    nodes = tuple(draw(st.lists(NODE, min_size=1, max_size=4)))
    size = len(nodes) - 1 if draw(st.integers(0, 5)) else draw(st.integers(0, 4))  # mostly well paired
    links = tuple(draw(st.lists(LINK, min_size=size, max_size=size)))
    if draw(st.integers(0, 20)) == 0:
        return EvidencePath(list(nodes), links)  # type: ignore[arg-type]
    return EvidencePath(nodes, links)


FINDINGS = st.builds(
    Finding,
    check_id=TEXT,
    severity=st.sampled_from(["critical", "high", "low"]),
    resource_id=TEXT,
    resource_name=rarely(st.integers(0, 3)),
    message=TEXT,
    evidence=st.lists(paths(), max_size=3),
    remediation=TEXT,
    evidence_key=TEXT,
    environments=st.lists(rarely(st.floats(0, 1)), max_size=2),
    tiers=st.lists(st.sampled_from(["production", "staging"]), max_size=2),
    data=st.one_of(st.just({}), st.dictionaries(st.sampled_from(["copies", "age_hours", "n"]), VALUES, max_size=2)),
    suppressed_by=st.one_of(st.none(), TEXT),
)

LABELS = {"db": "database db", "vol": "volume vol [vol]", "prod": "environment production"}


def outcome(encode: Any, finding: Finding) -> str:
    try:
        return "ok:" + encode(finding)
    except (TypeError, ValueError) as exc:
        return f"error:{type(exc).__name__}"


def label(node: Any) -> Any:
    return LABELS.get(node, node) if isinstance(node, str) else node


@SETTINGS
@given(st.lists(FINDINGS, max_size=6))
def test_each_line_is_the_definition(findings: list[Finding]) -> None:
    lines = FindingLines(label)
    for finding in findings:
        try:
            fast = lines._fast(finding)
        except (TypeError, ValueError):  # e.g. a label that is not a string: the definition raises it too
            fast = None
        event("fast path" if fast is not None else "left to the definition")
        expected = outcome(lambda f: dumps_compact(f.to_json(label)), finding)
        assert outcome(lines.line, finding) == expected


def test_a_real_audit_line_by_line() -> None:
    """Findings of every built-in check with their real paths and labels (ambiguous names
    included), encoded by both, and the fast path taken for all of them."""
    doc = generated_snapshot_document(1500, 5)
    source = load_snapshot_bytes(json.dumps(doc).encode(), "synthetic.json")
    result = audit([source], Policy(), now=datetime(2026, 11, 25, 6, tzinfo=UTC))
    assert len({f.check_id for f in result.findings}) >= 8
    lines = FindingLines(result.label)
    for finding in result.findings:
        assert lines._fast(finding) == dumps_compact(finding.to_json(result.label))
