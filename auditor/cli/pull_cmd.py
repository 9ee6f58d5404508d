"""`blastscope pull SOURCE… -o snap.json`: read sources (live providers such as `railway`, or
files) and write one snapshot that every other command can read back offline.

An incomplete pull is still written (marked `complete: false` with its gaps) so the work is
not lost, and the command exits 3 so a script never takes it for a full picture.
"""

from __future__ import annotations

from pathlib import Path

import typer

from auditor.cli.app import app, err_console, handle_errors, progress, progress_enabled
from auditor.cli.live import settings_factory
from auditor.cli.scan import AssumeRoleOpt, AwsFlags, OrgRoleOpt, ProfileOpt, RegionOpt, TimeoutOpt, live_flags
from auditor.io.files import check_output_path


@app.command()
@handle_errors
def pull(
    sources: list[str] = typer.Argument(
        ..., metavar="SOURCE...", help="railway | aws | inventory.yaml | snapshot.json | plan/state .json"
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Snapshot file to write (atomically)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line, no progress bar."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show provider request counts."),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="Live providers: read the API token from this file."
    ),
    endpoint: str | None = typer.Option(None, "--endpoint", help="Live providers: API URL (e.g. a local emulator)."),
    workspace: list[str] | None = typer.Option(
        None, "--workspace", help="Live providers: only this workspace (repeatable)."
    ),
    project: list[str] | None = typer.Option(None, "--project", help="Live providers: only this project (repeatable)."),
    max_requests: int | None = typer.Option(
        None,
        "--max-requests",
        min=1,
        help="Live providers: request budget; the snapshot is incomplete when it runs out.",
    ),
    fingerprint_secrets: bool = typer.Option(
        False,
        "--fingerprint-secrets",
        help="Live providers: read variable values to store keyed fingerprints (values are never stored).",
    ),
    profile: str | None = ProfileOpt,
    region: list[str] | None = RegionOpt,
    assume_role: list[str] | None = AssumeRoleOpt,
    org_role: str | None = OrgRoleOpt,
    allow_partial: bool = typer.Option(
        False, "--allow-partial", help="Exit 0 even when the snapshot is incomplete (it is still marked incomplete)."
    ),
    timeout: float | None = TimeoutOpt,
) -> None:
    """Pull SOURCEs into a snapshot (exit 3 when it is incomplete; the file is still written).

    Example: RAILWAY_API_TOKEN=… blastscope pull railway -o snap.json
    """
    # imported here, not at start-up: `blastscope --help` needs none of it
    from auditor.engine.audit import combine_sources
    from auditor.engine.sources import load_sources
    from auditor.io.policy_file import load_policy
    from auditor.io.snapshot import write_snapshot

    show = progress_enabled(quiet)
    check_output_path(output, sources)
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
        load_policy(None),  # the discovered .blastscope.yaml
    )
    with progress(show, "pulling") as advance:
        # live providers report each request: the spinner shows how far a long pull has got
        flags.on_request = lambda n: advance(f"pulling: {n} requests")
        loaded = load_sources(sources, settings_factory(flags), advance)
    source = combine_sources(loaded)
    document = write_snapshot(output, source)
    complete = document["complete"]
    if not quiet:
        state = "complete" if complete else f"INCOMPLETE ({len(source.gaps)} gaps)"
        err_console.print(
            f"wrote {output}: {len(source.resources)} resources from {source.origin}, {state}", markup=False
        )
        for gap in source.gaps[:20]:
            err_console.print(f"  gap: {gap}", markup=False)
        if len(source.gaps) > 20:
            err_console.print(f"  … and {len(source.gaps) - 20} more gaps (see the snapshot's gaps list)", markup=False)
    if verbose:
        for s in loaded:
            requests = s.meta.get("requests")
            if requests is not None:
                err_console.print(f"{s.origin}: {requests} API requests", markup=False)
    raise typer.Exit(0 if complete or allow_partial else 3)
