"""Markdown (`--format markdown`) for pull-request comments and job summaries.

A summary line by severity, then tables: for `scan` every finding; for `gate` the findings
the change introduces and the ones it fixes. Each finding's evidence paths follow in a
collapsible block; critical findings also get a Mermaid diagram of their evidence subgraph
when the diagram module is installed (GitHub renders ```mermaid blocks).
"""

from __future__ import annotations

import html

from auditor.core.findings import Finding
from auditor.core.severity import SEVERITIES
from auditor.core.text import printable
from auditor.engine.audit import AuditResult
from auditor.reports.context import ReportContext

ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}
MAX_ROWS = 100


def _cell(text: str) -> str:
    """Source text in a table cell or a line: HTML escaped (a resource named `<img src=…>` is
    shown, never rendered), control characters made visible, pipes and newlines defused."""
    return html.escape(printable(text), quote=False).replace("|", "\\|").replace("`", "&#96;")


def _code(text: str) -> str:
    """Source text as a code span (where Markdown renders no HTML); a backtick in it, which
    would end the span, is shown as a look-alike."""
    return "`" + printable(text).replace("`", "\u02cb").replace("\n", " ") + "`"


def _mermaid(result: AuditResult, finding: Finding) -> str:
    try:
        from auditor.render.mermaid import finding_mermaid
    except ImportError:
        return ""
    try:
        return finding_mermaid(result, finding)
    except Exception:  # noqa: BLE001 - a diagram must never cost the report
        return ""


def _table(findings: list[Finding], result: AuditResult) -> list[str]:
    out = ["| | severity | check | resource | finding |", "|---|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:
        out.append(
            f"| {ICON[f.severity]} | {f.severity} | `{f.check_id}` | {_cell(f.resource_name)} | {_cell(f.message)} |"
        )
    if len(findings) > MAX_ROWS:
        out.append(f"| | | | | … {len(findings) - MAX_ROWS} more (see the JSON or SARIF report) |")
    return out


def _details(findings: list[Finding], result: AuditResult) -> list[str]:
    out: list[str] = []
    for f in findings[:MAX_ROWS]:
        if not f.evidence and f.severity != "critical":
            continue
        out += [
            "<details>",
            f"<summary>{ICON[f.severity]} <code>{f.check_id}</code> — {_cell(f.resource_name)}</summary>",
            "",
        ]
        out += [f"- {_code(p.text(result.label))}" for p in f.evidence]
        out += ["", f"**Fix:** {_cell(f.remediation)}", ""]
        if f.severity == "critical":
            diagram = _mermaid(result, f)
            if diagram:
                out += ["```mermaid", diagram.rstrip(), "```", ""]
        out += ["</details>", ""]
    return out


def _counts(findings: list[Finding]) -> str:
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] += 1
    return " · ".join(f"{ICON[s]} {counts[s]} {s}" for s in SEVERITIES if counts[s]) or "no findings"


VERDICT = {"pass": "✅ passes", "fail": "❌ fails", "incomplete": "⚠️ incomplete — not a clean result"}
GATE_VERDICT = {"fail": "❌ blocks this change", "incomplete": "⚠️ incomplete — blocks this change"}


def render(ctx: ReportContext) -> str:
    result, gate, fail_on = ctx.result, ctx.gate, ctx.verdict.fail_on
    origin = ", ".join(_code(s.origin) for s in result.sources)
    out: list[str] = []
    if gate is None:
        verdict = VERDICT[ctx.verdict.status]
        out += [
            f"### blastscope scan of {origin}",
            "",
            f"**{verdict}** at `--fail-on {fail_on}` · {_counts(result.findings)} · {len(result.topology)} resources",
            "",
        ]
        if not ctx.complete:
            out += ["> ⚠️ **Incomplete audit** — blastscope could not read everything, so this is not a clean bill:", ""]
            out += [f"> - {_cell(g)}" for g in ctx.gaps[:20]] + [""]
        if result.findings:
            out += _table(result.findings, result) + [""] + _details(result.findings, result)
        return "\n".join(out).rstrip() + "\n"
    introduced = gate.introduced()
    verdict = GATE_VERDICT.get(ctx.verdict.status, "✅ this change introduces no finding at or above `" + fail_on + "`")
    out += [
        f"### blastscope gate: {origin}",
        "",
        f"**{verdict}**",
        "",
        f"Introduced: {_counts(introduced)} · fixed: {len(gate.fixed)} · already present (not judged): "
        f"{len(result.findings) - len(gate.new)} · deletes not judged: {len(gate.unjudged_deletes)}"
        + (f" · baselined: {len(ctx.verdict.baselined)}" if ctx.verdict.baselined else ""),
        "",
    ]
    if not ctx.complete:
        out += ["> ⚠️ **Incomplete audit**: " + "; ".join(_cell(g) for g in ctx.gaps[:10]), ""]
    if introduced:
        out += ["#### Introduced by this change", ""] + _table(introduced, result) + [""] + _details(introduced, result)
    if gate.fixed:
        out += ["#### Fixed by this change", ""] + _table(gate.fixed, gate.prior) + [""]
    return "\n".join(out).rstrip() + "\n"
