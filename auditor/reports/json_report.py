"""JSON report, schema `blastscope-report` version 1 (documented in docs/json-report.md)."""

from __future__ import annotations

import json
from typing import Any

from auditor import __version__
from auditor.audit import AuditResult
from auditor.severity import SEVERITIES

SCHEMA_NAME = "blastscope-report"
SCHEMA_VERSION = 1


def report_document(result: AuditResult, *, fail_on: str = "high", baselined: int = 0, **_: Any) -> dict[str, Any]:
    counts = result.counts()
    label = result.label
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "now": result.now.isoformat().replace("+00:00", "Z") if result.now else None,
        "sources": [
            {"origin": s.origin, "provider": s.provider, "complete": s.complete and not s.gaps, "resources": len(s.resources)}
            for s in result.sources
        ],
        "complete": result.complete,
        "gaps": result.gaps,
        "summary": {
            "resources": len(result.topology),
            "findings": len(result.findings),
            "by_severity": {s: counts.get(s, 0) for s in SEVERITIES},
            "suppressed": len(result.suppressed),
            "baselined": baselined,
            "fail_on": fail_on,
            "failing": len(result.failing(fail_on)),
        },
        "checks_run": result.checks_run,
        "findings": [f.to_json(label) for f in result.findings],
        "suppressed": [f.to_json(label) for f in result.suppressed],
        "warnings": result.warnings,
    }


def render(result: AuditResult, **options: Any) -> str:
    """Indented header, one compact line per finding: readable, diff-friendly, and encoded by
    json's C encoder (indent= forces the pure-Python one, ~10× slower on 100k findings)."""
    doc = report_document(result, **options)
    lists = {key: doc.pop(key) for key in ("findings", "suppressed")}
    head = json.dumps(doc, indent=2, ensure_ascii=False)
    parts = [head[: head.rindex("}")].rstrip()]
    for key, items in lists.items():
        body = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in items)
        parts.append(f',\n  "{key}": [\n{body}\n  ]' if items else f',\n  "{key}": []')
    return "".join(parts) + "\n}\n"
