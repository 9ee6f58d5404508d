"""The plain-string text renderer prints exactly what rich prints without colour.

The text report is joined as strings unless colour is asked for (rich per line was ~45× slower
at 100k resources); these tests render the same audit both ways and compare bytes, on every
sample and on generated names and messages full of tabs, control codes, wide and combining
characters and newlines.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.evidence import EvidencePath, Link
from auditor.core.findings import Finding
from auditor.core.model import Resource
from auditor.core.policy import Policy
from auditor.core.severity import SEVERITIES
from auditor.core.source import Source
from auditor.core.topology import Topology
from auditor.core.verdict import judge
from auditor.engine.audit import AuditResult, audit
from auditor.engine.sources import load_sources
from auditor.reports.context import ReportContext
from auditor.reports.text import render, render_plain, render_rich
from tests.conftest import NOW, SAMPLES

INPUTS = sorted(SAMPLES.glob("*/inventory.yaml")) + sorted((SAMPLES / "terraform").glob("*.plan.json"))


def _context(result: AuditResult, verbose: bool) -> ReportContext:
    verdict = judge(result.findings, fail_on="high", complete=result.complete)
    return ReportContext(result, verdict, Policy(), verbose=verbose, color=False)


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.parent.name + "/" + p.name)
@pytest.mark.parametrize("verbose", [False, True])
def test_plain_text_report_of_every_sample_is_rich_output_byte_for_byte(source, verbose) -> None:
    ctx = _context(audit(load_sources([str(source)]), Policy(), now=NOW), verbose)
    plain = render_plain(ctx)
    assert plain == render_rich(ctx)
    assert render(ctx) == plain
    assert plain.endswith("\n") and "fail-on high" in plain


# Names as a source may spell them: anything printable, plus what a terminal would mangle.
awkward = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(list("\t\r\n\x07\x08\x0b\x0c\x1b\x7f\x85\u200b\u0301漢字🙂[]/\\ ")),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(awkward, min_size=2, max_size=4),
    message=awkward,
    remediation=awkward,
    severity=st.sampled_from(SEVERITIES),
    gap=st.one_of(st.none(), awkward),
    verbose=st.booleans(),
)
def test_plain_equals_rich_for_any_names_and_messages(names, message, remediation, severity, gap, verbose) -> None:
    resources = [Resource(id=f"r{i}", kind="volume", name=name) for i, name in enumerate(names)]
    path = EvidencePath.single("r0").then(Link("parent", True, "x\ty"), "r1")
    finding = Finding(
        check_id="backup-colocated",
        severity=severity,
        resource_id="r0",
        resource_name=names[0],
        message=message,
        evidence=[path, path.reversed()],
        remediation=remediation,
    )
    suppressed = Finding(
        check_id="backup-stale",
        severity="low",
        resource_id="r1",
        resource_name=names[1],
        message=message,
        suppressed_by=f"policy {remediation}",
    )
    source = Source(origin=names[-1] or "-", provider="inventory", resources=resources)
    result = AuditResult(
        [source],
        Topology(resources),
        [finding],
        suppressed=[suppressed],
        warnings=[message],
        gaps=[gap] if gap is not None else [],
        now=NOW,
    )
    ctx = _context(result, verbose)
    assert render_plain(ctx) == render_rich(ctx)
