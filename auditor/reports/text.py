"""Human report: findings grouped by severity, each with evidence and remediation, then a
one-line summary. Built from rich Text objects so names from the source are never parsed as
markup."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from auditor.core.findings import Finding
from auditor.core.severity import SEVERITIES
from auditor.core.text import printable
from auditor.engine.audit import AuditResult
from auditor.reports.context import ReportContext

STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def summary_line(ctx: ReportContext) -> str:
    result = ctx.result
    counts = result.counts()
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if counts.get(s)]
    total = len(result.findings)
    verdict = ctx.verdict_word
    fail_on = ctx.verdict.fail_on
    baselined = len(ctx.verdict.baselined)
    text = f"{total} finding{'s' if total != 1 else ''}"
    if parts:
        text += " (" + ", ".join(parts) + ")"
    extra = []
    if result.suppressed:
        extra.append(f"{len(result.suppressed)} suppressed")
    if baselined:
        extra.append(f"{baselined} in baseline")
    if extra:
        text += "; " + ", ".join(extra)
    text += f" · {len(result.topology)} resources · fail-on {fail_on}: {verdict}"
    if not ctx.complete:
        gaps = len(ctx.gaps)
        text += f" ({gaps} gap{'s' if gaps != 1 else ''}: not a clean result)" if verdict == "INCOMPLETE" else \
            f" · INCOMPLETE audit ({gaps} gap{'s' if gaps != 1 else ''})"
    return text


def _finding(console: Console, result: AuditResult, f: Finding, verbose: bool) -> None:
    head = Text("  ")
    head.append(f" {f.severity.upper()} ", style=STYLE[f.severity])
    head.append(f" {f.check_id}  ", style="bold")
    head.append(printable(result.topology.label(f.resource_id)))
    head.append(f"  [{printable(f.resource_id)}]", style="dim")
    console.print(head)
    console.print(Text("    " + printable(f.message)))
    for i, path in enumerate(f.evidence):
        prefix = "    evidence: " if i == 0 else "              "
        line = Text(prefix, style="dim")
        line.append(printable(path.text(result.topology.label)))
        console.print(line)
    if f.remediation:
        line = Text("    fix: ", style="dim")
        line.append(printable(f.remediation))
        console.print(line)
    if verbose:
        console.print(Text(f"    fingerprint: {f.fingerprint}", style="dim"))


def render(ctx: ReportContext, *, width: int | None = None) -> str:
    result, color, verbose = ctx.result, ctx.color, ctx.verbose
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width or 110, highlight=False, soft_wrap=True)
    sources = ", ".join(f"{printable(s.origin)} ({s.provider}, {len(s.resources)} resources)" for s in result.sources)
    console.print(Text(f"blastscope scan of {sources}", style="bold"))
    for gap in ctx.gaps:
        console.print(Text(f"  incomplete: {printable(gap)}", style="bold red"))
    for warning in result.warnings:
        console.print(Text(f"  warning: {printable(warning)}", style="yellow"))
    for severity in SEVERITIES:
        group = [f for f in result.findings if f.severity == severity]
        if not group:
            continue
        console.print()
        console.print(Text(f"{severity.upper()} ({len(group)})", style=STYLE[severity]))
        for f in group:
            _finding(console, result, f, verbose)
    if result.suppressed and verbose:
        console.print()
        console.print(Text(f"SUPPRESSED ({len(result.suppressed)})", style="dim"))
        for f in result.suppressed:
            console.print(Text(printable(f"  {f.check_id} {result.topology.label(f.resource_id)} — {f.suppressed_by}"), style="dim"))
    console.print()
    style = "bold green" if ctx.verdict.status == "pass" else "bold red"
    console.print(Text(summary_line(ctx), style=style))
    return buffer.getvalue()

