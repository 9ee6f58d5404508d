"""Text and JSON reports of a gate run (the other formats handle a gate through ReportContext.gate)."""

from __future__ import annotations

from typing import Any

from auditor.core.findings import Finding
from auditor.reports.context import ReportContext
from auditor.reports.json_text import dumps_indented


def _line(f: Finding, label: Any) -> list[str]:
    out = [f"  {f.severity.upper():8} {f.check_id}  {f.resource_name}: {f.message}"]
    out += [f"           evidence: {p.text(label)}" for p in f.evidence[:3]]
    return out


def summary_line(ctx: ReportContext) -> str:
    gate, verdict = ctx.gate, ctx.verdict
    assert gate is not None
    unchanged = len(gate.planned.findings) - len(gate.new)
    text = (
        f"gate: {ctx.verdict_word} · {len(gate.introduced())} introduced ({len(verdict.failing)} at or above "
        f"{verdict.fail_on}) · {len(gate.fixed)} fixed · {unchanged} already present, not judged"
        f" · {len(gate.unjudged_deletes)} deletes not judged"
    )
    if verdict.baselined:
        text += f" · {len(verdict.baselined)} baselined"
    if not ctx.complete:
        text += f" · INCOMPLETE ({len(ctx.gaps)} gap{'s' if len(ctx.gaps) != 1 else ''})"
    return text


def render_text(ctx: ReportContext) -> str:
    gate = ctx.gate
    assert gate is not None
    planned = gate.planned
    meta = planned.sources[0].meta.get("changes", {})
    changes = ", ".join(f"{n} {k}" for k, n in meta.items() if n) or "no changes"
    lines = [f"blastscope gate of {planned.sources[0].origin} ({changes})", ""]
    introduced = gate.introduced()
    if introduced:
        lines.append(f"INTRODUCED BY THIS CHANGE ({len(introduced)})")
        for f in introduced:
            lines += _line(f, planned.label)
        lines.append("")
    if gate.fixed:
        lines.append(f"FIXED BY THIS CHANGE ({len(gate.fixed)})")
        for f in gate.fixed:
            lines.append(f"  {f.severity.upper():8} {f.check_id}  {f.resource_name}")
        lines.append("")
    for gap in ctx.gaps:
        lines.append(f"  incomplete: {gap}")
    lines.append(summary_line(ctx))
    return "\n".join(lines) + "\n"


def render_json(ctx: ReportContext) -> str:
    gate, verdict = ctx.gate, ctx.verdict
    assert gate is not None
    label = gate.planned.label
    doc = {
        "schema": "blastscope-gate",
        "schema_version": 1,
        "plan": gate.planned.sources[0].origin,
        "changes": gate.planned.sources[0].meta.get("changes", {}),
        "complete": ctx.complete,
        "gaps": ctx.gaps,
        "fail_on": verdict.fail_on,
        "failing": len(verdict.failing),
        "verdict": verdict.status,
        "exit_code": verdict.exit_code,
        "introduced": [f.to_json(label) for f in gate.introduced()],
        "fixed": [f.to_json(gate.prior.label) for f in gate.fixed],
        "unchanged": len(gate.planned.findings) - len(gate.new),
        "baselined": len(verdict.baselined),
        "deletes_not_judged": len(gate.unjudged_deletes),
    }
    return dumps_indented(doc) + "\n"
