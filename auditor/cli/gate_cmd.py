"""`blastscope gate PLAN.json`: fail a pull request only on what its Terraform change introduces."""

from __future__ import annotations

from pathlib import Path

import typer

from auditor.cli.app import FailOn, app, err_console, handle_errors, pair_outputs, parse_now, write_output
from auditor.io.files import check_output_path

GATE_FORMATS = ("text", "json", "sarif", "junit", "markdown", "ocsf")


@app.command()
@handle_errors
def gate(
    plan_file: str = typer.Argument(..., metavar="PLAN.json", help="`terraform show -json PLANFILE > plan.json`"),
    formats: list[str] | None = typer.Option(
        None, "--format", "-f", help="text | json | sarif | junit | markdown | ocsf (default text; repeat with -o)."
    ),
    outputs: list[Path] | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write the report to FILE (one per --format, in order; the verdict goes to stderr).",
    ),
    fail_on: FailOn = typer.Option(
        FailOn.high,
        "--fail-on",
        help="Fail when the change introduces a finding at or above this severity.",
        case_sensitive=False,
    ),
    baseline_file: Path | None = typer.Option(None, "--baseline", help="Accepted fingerprints: never fail on these."),
    policy_file: Path | None = typer.Option(
        None, "--policy", "-p", help="Policy file (default: .blastscope.yaml if present)."
    ),
    now: str | None = typer.Option(
        None, "--now", help="Pin 'now' (ISO date/time) for backup age and suppression expiry."
    ),
    allow_partial: bool = typer.Option(
        False, "--allow-partial", help="Judge an incomplete audit by its findings instead of exiting 3."
    ),
    only: list[str] | None = typer.Option(None, "--check", help="Judge only with this check (repeatable)."),
    skip: list[str] | None = typer.Option(None, "--skip-check", help="Do not run this check (repeatable)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the verdict line."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show fingerprints."),
    strict: bool = typer.Option(
        False, "--strict", help="Fail on planned deletes of resource types blastscope does not model."
    ),
) -> None:
    """Judge a Terraform plan: fail only on findings the change introduces, and on deletes that
    lose the last copy of data.

    Example: terraform show -json tfplan > plan.json &&
    blastscope gate plan.json -f markdown -o comment.md -f sarif -o gate.sarif
    """
    from auditor.core.verdict import judge
    from auditor.engine.sources import load_file
    from auditor.io.baseline import load_baseline
    from auditor.io.policy_file import load_policy
    from auditor.reports import render
    from auditor.reports.context import ReportContext
    from auditor.reports.gate_report import render_json, render_text, summary_line
    from auditor.uses.gate import gate as run_gate

    pairs = pair_outputs(formats, outputs, GATE_FORMATS)
    for _, target in pairs:
        if target is not None:
            check_output_path(target, [str(plan_file)])
    policy = load_policy(policy_file)
    baseline = load_baseline(baseline_file) if baseline_file else None
    result = run_gate(load_file(plan_file), policy, now=parse_now(now), only=only, skip=skip)
    if strict:
        result.strict()
    verdict = judge(
        result.introduced(),
        fail_on=fail_on.value,
        baseline=baseline,
        complete=result.complete,
        allow_partial=allow_partial,
    )
    ctx = ReportContext(result.planned, verdict, policy=policy, verbose=verbose, gate=result)
    for fmt, output in pairs:  # every report renders the same ctx: one verdict
        if fmt == "text":
            text = summary_line(ctx) + "\n" if quiet else render_text(ctx)
        elif fmt == "json":
            text = render_json(ctx)
        else:
            text = render(fmt, ctx)
        write_output(text, output)
    fmt, output = pairs[0]
    if (output is not None or fmt != "text") and not quiet:
        err_console.print(summary_line(ctx), markup=False)
    raise typer.Exit(verdict.exit_code)
