"""`blastscope scan SOURCE…`: audit inventories, snapshots, plans or live providers."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from auditor.audit import AuditResult, audit
from auditor.baseline import load_baseline
from auditor.errors import UsageError
from auditor.cli.app import FailOn, app, err_console, handle_errors, parse_now, progress, progress_enabled, write_output
from auditor.cli.sources import load_sources
from auditor.policy import load_policy
from auditor.reports import FORMATS, render_stream
from auditor.reports.text import summary_line
from auditor.severity import at_least
from auditor.source import LiveOptions

# Options shared by every command that reads sources and reports findings.
PolicyOpt = typer.Option(None, "--policy", "-p", help="Policy file (default: .blastscope.yaml if present).")
FormatOpt = typer.Option("text", "--format", "-f", help="Report format: " + "|".join(FORMATS) + ".")
OutputOpt = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout.")
FailOnOpt = typer.Option(FailOn.high, "--fail-on", help="Exit 1 when a finding is at or above this severity ('none': never).", case_sensitive=False)
BaselineOpt = typer.Option(None, "--baseline", help="Baseline file: findings listed there do not fail the run.")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Text format: print only the summary line. No progress bars.")
NowOpt = typer.Option(None, "--now", help="Pin 'now' (ISO date/time) for backup age and suppression expiry.")
AllowPartialOpt = typer.Option(False, "--allow-partial", help="Judge an incomplete audit by its findings instead of exiting 3.")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Show fingerprints, suppressed findings and provider request counts.")


def live_options(
    token_file: Optional[Path],
    endpoint: Optional[str],
    workspace: Optional[List[str]],
    project: Optional[List[str]],
    max_requests: Optional[int],
    fingerprint_secrets: bool,
    verbose: bool,
    show_progress: bool,
) -> LiveOptions:
    return LiveOptions(
        token_file=token_file,
        endpoint=endpoint,
        workspaces=list(workspace or []),
        projects=list(project or []),
        max_requests=max_requests,
        fingerprint_secrets=fingerprint_secrets,
        verbose=verbose,
        progress=show_progress,
    )


def exit_code(result: AuditResult, fail_on: str, allow_partial: bool, baseline: set[str] | None = None) -> int:
    """3 incomplete (unless --allow-partial); 1 findings at/above --fail-on outside the baseline; else 0."""
    if not result.complete and not allow_partial:
        return 3
    if fail_on == "none":
        return 0
    failing = [f for f in result.findings if at_least(f.severity, fail_on) and not (baseline and f.fingerprint in baseline)]
    return 1 if failing else 0


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


@app.command()
@handle_errors
def scan(
    sources: List[str] = typer.Argument(..., metavar="SOURCE...", help="inventory.yaml | snapshot.json | plan/state .json | railway"),
    policy_file: Optional[Path] = PolicyOpt,
    fmt: str = FormatOpt,
    output: Optional[Path] = OutputOpt,
    fail_on: FailOn = FailOnOpt,
    baseline_file: Optional[Path] = BaselineOpt,
    quiet: bool = QuietOpt,
    now: Optional[str] = NowOpt,
    allow_partial: bool = AllowPartialOpt,
    only: Optional[List[str]] = typer.Option(None, "--check", help="Run only this check (repeatable)."),
    verbose: bool = VerboseOpt,
    token_file: Optional[Path] = typer.Option(None, "--token-file", help="Live providers: read the API token from this file."),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help="Live providers: API URL (e.g. a local emulator)."),
    workspace: Optional[List[str]] = typer.Option(None, "--workspace", help="Live providers: only this workspace (repeatable)."),
    project: Optional[List[str]] = typer.Option(None, "--project", help="Live providers: only this project (repeatable)."),
    max_requests: Optional[int] = typer.Option(None, "--max-requests", min=1, help="Live providers: request budget; the audit is incomplete when it runs out."),
    fingerprint_secrets: bool = typer.Option(False, "--fingerprint-secrets", help="Live providers: read variable values to compare keyed fingerprints in memory (values are never stored)."),
) -> None:
    """Audit SOURCEs and report shared blast radius, each finding with its evidence path.

    Example: blastscope scan samples/pocketos/inventory.yaml --now 2026-07-01
    """
    check_format(fmt)
    show = progress_enabled(quiet)
    policy = load_policy(policy_file)
    pinned = parse_now(now)
    baseline = load_baseline(baseline_file) if baseline_file else None
    live = live_options(token_file, endpoint, workspace, project, max_requests, fingerprint_secrets, verbose, show)
    with progress(show, "loading sources", total=len(sources)) as advance:
        loaded = load_sources(sources, live, advance)
    with progress(show, "running checks"):
        result = audit(loaded, policy, now=pinned, only=only)
    baselined = 0
    if baseline:
        baselined = sum(1 for f in result.findings if f.fingerprint in baseline)
    threshold = fail_on.value
    if fmt == "text" and quiet:
        text = summary_line(result, threshold, baselined) + "\n"
    else:
        text = render_stream(fmt, result, fail_on=threshold, verbose=verbose, baselined=baselined,
                      baseline=baseline, color=(output is None and fmt == "text" and err_console.is_terminal))
    write_output(text, output)
    if output is not None and not quiet:
        err_console.print(summary_line(result, threshold, baselined), markup=False)
    if verbose:
        for source in loaded:
            requests = source.meta.get("requests")
            if requests is not None:
                err_console.print(f"{source.origin}: {requests} API requests", markup=False)
    raise typer.Exit(exit_code(result, threshold, allow_partial, baseline))
