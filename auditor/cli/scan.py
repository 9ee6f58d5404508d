"""`blastscope scan SOURCE…`: audit inventories, snapshots, plans or live providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from auditor.cli.app import (
    FailOn,
    app,
    color_wanted,
    err_console,
    handle_errors,
    pair_outputs,
    parse_now,
    progress,
    progress_enabled,
    write_output,
)
from auditor.cli.live import LiveFlags, settings_factory
from auditor.core.errors import BlastscopeError, UsageError
from auditor.core.policy import Policy
from auditor.io.files import check_output_path
from auditor.reports import FORMATS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from auditor.reports.context import ReportContext

# Options shared by every command that reads sources and reports findings.
PolicyOpt = typer.Option(None, "--policy", "-p", help="Policy file (default: .blastscope.yaml if present).")
FormatOpt = typer.Option(
    None,
    "--format",
    "-f",
    help="Report format: " + "|".join(FORMATS) + " (default text; repeat with --output for several).",
)
OutputOpt = typer.Option(
    None, "--output", "-o", help="Write the report to FILE instead of stdout (one per --format, in the same order)."
)
FailOnOpt = typer.Option(
    FailOn.high,
    "--fail-on",
    help="Exit 1 when a finding is at or above this severity ('none': never).",
    case_sensitive=False,
)
BaselineOpt = typer.Option(None, "--baseline", help="Baseline file: findings listed there do not fail the run.")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Text format: print only the summary line. No progress bars.")
NowOpt = typer.Option(None, "--now", help="Pin 'now' (ISO date/time) for backup age and suppression expiry.")
AllowPartialOpt = typer.Option(
    False, "--allow-partial", help="Judge an incomplete audit by its findings instead of exiting 3."
)
VerboseOpt = typer.Option(
    False, "--verbose", "-v", help="Show fingerprints, suppressed findings and provider request counts."
)
TimeoutOpt = typer.Option(
    None,
    "--timeout",
    min=1,
    max=86400,
    help="Live providers: stop the whole pull after this many seconds (default 900); "
    "the audit is then incomplete (exit 3).",
)


def live_flags(
    token_file: Path | None,
    endpoint: str | None,
    workspace: list[str] | None,
    project: list[str] | None,
    max_requests: int | None,
    fingerprint_secrets: bool,
    verbose: bool,
    aws: AwsFlags | None = None,
    timeout: float | None = None,
    policy: Policy | None = None,
) -> LiveFlags:
    """The live-provider flags; what a Railway project token can delete is the policy's to say,
    decided at pull time."""
    aws = aws or AwsFlags()
    tuning = {"project_tokens_can_delete": policy.railway_project_tokens_can_delete} if policy is not None else {}
    return LiveFlags(
        token_file=token_file,
        endpoint=endpoint,
        workspaces=list(workspace or []),
        projects=list(project or []),
        max_requests=max_requests,
        fingerprint_secrets=fingerprint_secrets,
        verbose=verbose,
        aws_profile=aws.profile,
        regions=list(aws.regions or []),
        assume_roles=list(aws.assume_roles or []),
        org_role=aws.org_role,
        timeout=timeout,
        tuning=tuning,
    )


@dataclass
class AwsFlags:
    """`scan aws` / `pull aws` scope flags (credentials come from the AWS standard chain, never argv)."""

    profile: str | None = None
    regions: list[str] | None = None
    assume_roles: list[str] | None = None
    org_role: str | None = None


ProfileOpt = typer.Option(
    None, "--profile", help="aws: use this named profile from the AWS config (default: the standard credential chain)."
)
RegionOpt = typer.Option(None, "--region", help="aws: audit this region (repeatable; default: every enabled region).")
AssumeRoleOpt = typer.Option(
    None,
    "--assume-role",
    metavar="ARN",
    help="aws: also audit the account of this role, assumed read-only (repeatable).",
)
OrgRoleOpt = typer.Option(
    None,
    "--org-role",
    metavar="NAME",
    help="aws: list the AWS Organization's accounts and assume this role name in each.",
)


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


@app.command()
@handle_errors
def scan(
    sources: list[str] = typer.Argument(
        ..., metavar="SOURCE...", help="inventory.yaml | snapshot.json | plan/state .json | railway | aws"
    ),
    policy_file: Path | None = PolicyOpt,
    formats: list[str] | None = FormatOpt,
    outputs: list[Path] | None = OutputOpt,
    fail_on: FailOn = FailOnOpt,
    baseline_file: Path | None = BaselineOpt,
    quiet: bool = QuietOpt,
    now: str | None = NowOpt,
    allow_partial: bool = AllowPartialOpt,
    only: list[str] | None = typer.Option(None, "--check", help="Run only this check (repeatable)."),
    skip: list[str] | None = typer.Option(None, "--skip-check", help="Do not run this check (repeatable)."),
    verbose: bool = VerboseOpt,
    no_color: bool = typer.Option(False, "--no-color", help="No colours (also: NO_COLOR=1)."),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="Live providers: read the API token from this file."
    ),
    endpoint: str | None = typer.Option(None, "--endpoint", help="Live providers: API URL (e.g. a local emulator)."),
    workspace: list[str] | None = typer.Option(
        None, "--workspace", help="Live providers: only this workspace (repeatable)."
    ),
    project: list[str] | None = typer.Option(None, "--project", help="Live providers: only this project (repeatable)."),
    max_requests: int | None = typer.Option(
        None, "--max-requests", min=1, help="Live providers: request budget; the audit is incomplete when it runs out."
    ),
    fingerprint_secrets: bool = typer.Option(
        False,
        "--fingerprint-secrets",
        help="Live providers: read variable values to compare keyed fingerprints in memory (values are never stored).",
    ),
    timeout: float | None = TimeoutOpt,
    history_dir: Path | None = typer.Option(
        None,
        "--history",
        help="Scheduled runs: store this run (snapshot, findings) in DIR; 'new' means not in the last complete run.",
    ),
    keep: int | None = typer.Option(
        None, "--keep", min=1, help="With --history: keep the newest N runs (and always the newest complete one)."
    ),
    changes_only: bool = typer.Option(
        False,
        "--changes-only",
        help="With --history: report only what changed since the last complete run (text|json|markdown); exit 1 only "
        "on new findings.",
    ),
    notify: str | None = typer.Option(
        None,
        "--notify",
        metavar="URL|env:NAME|file:PATH",
        help="POST an alert when there are new findings at or above --fail-on or the audit is incomplete (exit 4 if "
        "it cannot be delivered).",
    ),
    notify_format: str = typer.Option(
        "slack", "--notify-format", help="Alert payload: slack (incoming webhook) | json (blastscope-alert)."
    ),
    profile: str | None = ProfileOpt,
    region: list[str] | None = RegionOpt,
    assume_role: list[str] | None = AssumeRoleOpt,
    org_role: str | None = OrgRoleOpt,
) -> None:
    """Audit SOURCEs and report shared blast radius, each finding with its evidence path.

    Example: blastscope scan samples/pocketos/inventory.yaml --now 2026-07-01
    -f json -o report.json -f sarif -o report.sarif
    """
    # imported here, not at start-up: `blastscope --help` needs none of it
    from auditor.core.verdict import judge
    from auditor.engine.audit import audit, select_checks
    from auditor.engine.registry import check_registry
    from auditor.engine.sources import load_sources
    from auditor.io.policy_file import load_policy
    from auditor.reports import render_stream
    from auditor.reports.context import ReportContext
    from auditor.reports.text import summary_line

    if changes_only or keep is not None:
        for wanted in formats or ["text"]:
            check_scheduled_options(history_dir, changes_only, keep, wanted.lower())
    pairs = pair_outputs(formats, outputs, FORMATS)
    fmt, output = pairs[0]
    if changes_only and len(pairs) > 1:
        raise UsageError("--changes-only writes one report: give one --format")
    if changes_only or keep is not None:
        check_scheduled_options(history_dir, changes_only, keep, fmt)
    else:
        check_format(fmt)
    if notify is not None:
        from auditor.uses.notify import check_format as check_notify_format
        from auditor.uses.notify import is_loopback, resolve_url

        notify_format = notify_format.lower()
        check_notify_format(notify_format)
        url = resolve_url(notify)  # a bad target is a usage error before any work is done
        if not notify.startswith(("env:", "file:")) and not is_loopback(url):
            err_console.print(
                "blastscope: warning: the webhook URL is on the command line, where `ps` and shell history "
                "show it; webhook URLs are credentials — prefer --notify env:NAME or file:PATH",
                markup=False,
            )
    show = progress_enabled(quiet)
    for _, target in pairs:
        if target is not None:
            check_output_path(target, sources)
    pinned = parse_now(now)
    scheduled = history_dir is not None or notify is not None
    failure: Exception | None = None
    policy, baseline = Policy(), None
    try:
        policy = load_policy(policy_file)
        if baseline_file:
            from auditor.io.baseline import load_baseline

            baseline = load_baseline(baseline_file)
        registry = check_registry()
        select_checks(registry, only, skip)  # unknown ids fail before any work is done
        flags = live_flags(
            token_file,
            endpoint,
            workspace,
            project,
            max_requests,
            fingerprint_secrets,
            verbose,
            AwsFlags(profile, region, assume_role, org_role),
            timeout,
            policy,
        )
        with progress(show, "loading sources", total=len(sources)) as advance:
            loaded = load_sources(sources, settings_factory(flags), advance)
        with progress(show, "running checks"):
            result = audit(loaded, policy, now=pinned, only=only, skip=skip)
    except Exception as exc:  # noqa: BLE001 - re-raised below once the failed run has left its trace
        if not scheduled:
            raise
        # a scheduled run that fails at any stage (identity, network, parse) still records an
        # incomplete entry and alerts with the reason: a silent cron job is the failure mode
        failure = exc
        result = failed_run(sources, exc, pinned)
        loaded = result.sources
    if quiet or fmt != "text" or output is not None:
        for warning in result.warnings:  # a suppression matching nothing may hide a typo: never silent
            err_console.print(f"blastscope: warning: {warning}", markup=False)
    threshold = fail_on.value
    verdict = judge(
        result.findings, fail_on=threshold, baseline=baseline, complete=result.complete, allow_partial=allow_partial
    )
    ctx = ReportContext(
        result,
        verdict,
        policy=policy,
        verbose=verbose,
        color=(output is None and fmt == "text" and color_wanted(no_color)),
    )
    code = verdict.exit_code
    record = None
    if history_dir is not None or notify is not None:
        from auditor.uses.scheduled import compare_with_last_complete, new_failing, open_history, store_run

        store = open_history(history_dir)
        changes, base = compare_with_last_complete(result, store, with_resources=changes_only)
        if changes_only:
            incomplete = not result.complete and not allow_partial
            code = 3 if incomplete else (1 if new_failing(changes, threshold, baseline) else 0)
        record = store_run(
            result,
            store,
            changes,
            base,
            keep=keep,
            fail_on=threshold,
            exit_code=code,
            report=render_stream("json", ctx),
        )
    if failure is not None:
        report_failed_run(record, store_warnings(record))
        if notify is not None and record is not None:
            send_alert(notify, notify_format, ctx, record, code)
        raise failure
    if changes_only and record is not None:
        from auditor.reports.diff_report import render_diff
        from auditor.reports.diff_report import summary_line as diff_summary

        text: str | Iterator[str] = diff_summary(record.changes) + "\n" if quiet else render_diff(record.changes, fmt)
    elif fmt == "text" and quiet:
        text = summary_line(ctx) + "\n"
    else:
        text = render_stream(fmt, ctx)
    write_output(text, output)
    for more_fmt, more_output in pairs[1:]:  # every report renders the same ctx: one verdict
        write_output(
            summary_line(ctx) + "\n" if more_fmt == "text" and quiet else render_stream(more_fmt, ctx), more_output
        )
    if output is not None and not quiet:
        err_console.print(summary_line(ctx), markup=False)
    if verbose:
        for source in loaded:
            requests = source.meta.get("requests")
            if requests is not None:
                err_console.print(f"{source.origin}: {requests} API requests", markup=False)
            unmapped = source.meta.get("unmapped_types")
            if unmapped:
                listed = ", ".join(f"{t} ({n})" for t, n in unmapped.items())
                err_console.print(
                    f"{source.origin}: {sum(unmapped.values())} resource(s) of types blastscope does not model yet, "
                    f"kept as generic nodes: {listed}",
                    markup=False,
                )
    for warning in store_warnings(record):
        err_console.print(f"blastscope: warning: history: {warning}", markup=False)
    if record is not None and record.entry is not None and not quiet:
        state = "complete" if record.entry.complete else "INCOMPLETE (never used as a base)"
        compared = f", compared with {record.base.name}" if record.base else ", first complete run"
        err_console.print(f"history: stored {record.entry.path} ({state}{compared})", markup=False)
        if record.pruned:
            err_console.print(f"history: removed {len(record.pruned)} old run(s) (--keep {keep})", markup=False)
    if notify is not None and record is not None:
        code = send_alert(notify, notify_format, ctx, record, code)
    raise typer.Exit(code)


def failed_run(sources: list[str], exc: Exception, now: Any) -> Any:
    """The result of a scheduled run that could not audit: no resources, one gap saying why."""
    from datetime import datetime

    from auditor.core.source import Source
    from auditor.core.topology import Topology
    from auditor.engine.audit import AuditResult

    reason = str(exc) if isinstance(exc, BlastscopeError) else f"internal error: {type(exc).__name__}"
    gap = f"the audit could not run: {reason[:500]}"
    source = Source(origin="+".join(sources), provider="none", resources=[], complete=False, gaps=[gap])
    return AuditResult([source], Topology([]), [], gaps=[gap], now=now or datetime.now(UTC))


def store_warnings(record: Any) -> list[str]:
    store = getattr(record, "store", None)
    return list(store.warnings) if store is not None else []


def report_failed_run(record: Any, warnings: list[str]) -> None:
    for warning in warnings:
        err_console.print(f"blastscope: warning: history: {warning}", markup=False)
    if record is not None and record.entry is not None:
        err_console.print(f"history: stored {record.entry.path} (INCOMPLETE: the audit could not run)", markup=False)


def check_scheduled_options(history_dir: Path | None, changes_only: bool, keep: int | None, fmt: str) -> None:
    if history_dir is None:
        raise UsageError(
            f"{'--changes-only' if changes_only else '--keep'} needs --history DIR (the runs to keep and compare with)"
        )
    if changes_only and fmt not in ("text", "json", "markdown"):
        raise UsageError(f"--format: {fmt!r} cannot show changes; with --changes-only use text, json or markdown")


def send_alert(target: str, fmt: str, ctx: ReportContext, record: Any, code: int) -> int:
    """Deliver the webhook; a failed delivery is reported and exits 4 (3 still wins: it says more)."""
    from auditor.uses.notify import NotifyFailed
    from auditor.uses.scheduled import alert

    try:
        sent = alert(
            target, fmt, ctx.result, record, ctx.verdict.fail_on, {f.fingerprint for f in ctx.verdict.baselined}
        )
    except NotifyFailed as exc:
        err_console.print(f"blastscope: error: {exc}", markup=False)
        return code if code == 3 else exc.exit_code
    if sent is not None and ctx.verbose:
        err_console.print(f"alert sent: {sent}", markup=False)
    return code
