"""JSON report, schema `blastscope-report` version 1 (documented in docs/json-report.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import __version__
from auditor.core.severity import SEVERITIES
from auditor.reports.context import ReportContext
from auditor.reports.finding_lines import FindingLines
from auditor.reports.json_text import dumps_indented

SCHEMA_NAME = "blastscope-report"
SCHEMA_VERSION = 1


def report_document(ctx: ReportContext, *, findings: bool = True) -> dict[str, Any]:
    """The whole report as one JSON-ready dict (`findings=False`: header and summary only)."""
    result, verdict = ctx.result, ctx.verdict
    counts = result.counts()
    label = result.label
    doc = {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "now": result.now.isoformat().replace("+00:00", "Z") if result.now else None,
        "sources": [
            {
                "origin": s.origin,
                "provider": s.provider,
                "complete": s.complete and not s.gaps,
                "resources": len(s.resources),
            }
            for s in result.sources
        ],
        "complete": result.complete,
        "gaps": result.gaps,
        "summary": {
            "resources": len(result.topology),
            "findings": len(result.findings),
            "by_severity": {s: counts.get(s, 0) for s in SEVERITIES},
            "suppressed": len(result.suppressed),
            "baselined": len(verdict.baselined),
            "fail_on": verdict.fail_on,
            "failing": len(verdict.failing),
            "verdict": verdict.status,
            "exit_code": verdict.exit_code,
        },
        "checks_run": result.checks_run,
        "warnings": result.warnings,
    }
    if findings:
        doc["findings"] = [f.to_json(label) for f in result.findings]
        doc["suppressed"] = [f.to_json(label) for f in result.suppressed]
    return doc


def render(ctx: ReportContext) -> str:
    return "".join(stream(ctx))


def stream(ctx: ReportContext) -> Iterator[str]:
    """Indented header, one compact line per finding: readable, diff-friendly, and produced a
    batch of findings at a time so a 1M-resource report never sits in memory whole.

    Each line is what `json.dumps(finding.to_json(label), ensure_ascii=False)` writes, by
    `FindingLines`, which encodes a finding without building its dicts (byte-identical,
    tests/reports/test_finding_lines.py)."""
    result = ctx.result
    doc = report_document(ctx, findings=False)
    head = dumps_indented(doc)
    yield head[: head.rindex("}")].rstrip()
    label = result.label
    if result.previous is None:
        label = result.topology.label  # the same answer without a lookup in a prior graph
    line = FindingLines(label).line
    for key, items in (("findings", result.findings), ("suppressed", result.suppressed)):
        if not items:
            yield f',\n  "{key}": []'
            continue
        yield f',\n  "{key}": [\n'
        batch: list[str] = []
        for i, finding in enumerate(items):
            batch.append(("    " if i == 0 else ",\n    ") + line(finding))
            if len(batch) == 256:
                yield "".join(batch)
                batch.clear()
        yield "".join(batch)
        yield "\n  ]"
    yield "\n}\n"
