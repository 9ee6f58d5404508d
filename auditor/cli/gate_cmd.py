"""`blastscope gate PLAN.json`: fail a pull request only on what its Terraform change introduces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

from auditor.cli.app import FailOn, app, err_console, handle_errors, parse_now, write_output
from auditor.errors import UsageError

GATE_FORMATS = ("text", "json", "sarif", "junit", "markdown")


def _line(f: Any, label: Any) -> list[str]:
    out = [f"  {f.severity.upper():8} {f.check_id}  {f.resource_name}: {f.message}"]
    out += [f"           evidence: {p.text(label)}" for p in f.evidence[:3]]
    return out


def render_text(result: Any, fail_on: str) -> str:
    planned = result.planned
    meta = planned.sources[0].meta.get("changes", {})
    changes = ", ".join(f"{n} {k}" for k, n in meta.items() if n) or "no changes"
    lines = [f"blastscope gate of {planned.sources[0].origin} ({changes})", ""]
    introduced = result.introduced()
    if introduced:
        lines.append(f"INTRODUCED BY THIS CHANGE ({len(introduced)})")
        for f in introduced:
            lines += _line(f, planned.label)
        lines.append("")
    if result.fixed:
        lines.append(f"FIXED BY THIS CHANGE ({len(result.fixed)})")
        for f in result.fixed:
            lines.append(f"  {f.severity.upper():8} {f.check_id}  {f.resource_name}")
        lines.append("")
    for gap in planned.gaps + result.prior.gaps:
        lines.append(f"  incomplete: {gap}")
    failing = result.failing(fail_on)
    unchanged = len(planned.findings) - len(result.new)
    verdict = "FAIL" if failing else "pass"
    lines.append(f"gate: {verdict} · {len(introduced)} introduced ({len(failing)} at or above {fail_on}) · "
                 f"{len(result.fixed)} fixed · {unchanged} already present, not judged"
                 + (f" · {result.baselined} baselined" if result.baselined else ""))
    return "\n".join(lines) + "\n"


def render_json(result: Any, fail_on: str) -> str:
    label = result.planned.label
    doc = {
        "schema": "blastscope-gate", "schema_version": 1,
        "plan": result.planned.sources[0].origin,
        "changes": result.planned.sources[0].meta.get("changes", {}),
        "complete": result.complete,
        "gaps": result.prior.gaps + result.planned.gaps,
        "fail_on": fail_on,
        "failing": len(result.failing(fail_on)),
        "introduced": [f.to_json(label) for f in result.introduced()],
        "fixed": [f.to_json(result.prior.label) for f in result.fixed],
        "unchanged": len(result.planned.findings) - len(result.new),
        "baselined": result.baselined,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@app.command()
@handle_errors
def gate(
    plan_file: Path = typer.Argument(..., metavar="PLAN.json", help="`terraform show -json PLANFILE > plan.json`"),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json | sarif | junit | markdown"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE (the verdict still goes to stderr)."),
    fail_on: FailOn = typer.Option(FailOn.high, "--fail-on", help="Fail when the change introduces a finding at or above this severity.", case_sensitive=False),
    baseline_file: Optional[Path] = typer.Option(None, "--baseline", help="Accepted fingerprints: never fail on these."),
    policy_file: Optional[Path] = typer.Option(None, "--policy", "-p", help="Policy file (default: .blastscope.yaml if present)."),
    now: Optional[str] = typer.Option(None, "--now", help="Pin 'now' (ISO date/time) for backup age and suppression expiry."),
    allow_partial: bool = typer.Option(False, "--allow-partial", help="Judge an incomplete audit by its findings instead of exiting 3."),
) -> None:
    """Judge a Terraform plan: fail only on findings the change introduces, and on deletes that
    lose the last copy of data.

    Example: terraform show -json tfplan > plan.json && blastscope gate plan.json --format markdown -o comment.md
    """
    from auditor.baseline import load_baseline
    from auditor.gate import gate as run_gate
    from auditor.policy import load_policy
    from auditor.reports import render
    from auditor.source import load_file

    if fmt not in GATE_FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (choose from {', '.join(GATE_FORMATS)})")
    policy = load_policy(policy_file)
    baseline = load_baseline(baseline_file) if baseline_file else None
    result = run_gate(load_file(plan_file), policy, now=parse_now(now), baseline=baseline)
    threshold = fail_on.value
    if fmt == "text":
        text = render_text(result, threshold)
    elif fmt == "json":
        text = render_json(result, threshold)
    else:
        text = render(fmt, result.planned, fail_on=threshold, gate=result)
    write_output(text, output)
    if output is not None or fmt != "text":
        failing = result.failing(threshold)
        err_console.print(f"gate: {'FAIL' if failing else 'pass'} · {len(result.introduced())} introduced, "
                          f"{len(failing)} at or above {threshold} · {len(result.fixed)} fixed", markup=False)
    if not result.complete and not allow_partial:
        raise typer.Exit(3)
    raise typer.Exit(1 if result.failing(threshold) else 0)
