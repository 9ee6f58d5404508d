"""`blastscope history DIR` and `blastscope diff OLD NEW`: what scheduled runs saw, and what
changed between two audits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from auditor.cli.app import FailOn, app, err_console, handle_errors, parse_now, write_output
from auditor.core.errors import UsageError
from auditor.core.severity import SEVERITIES
from auditor.core.text import printable
from auditor.io.files import check_output_path


@app.command()
@handle_errors
def history(
    directory: Path = typer.Argument(..., metavar="DIR", help="A directory written by `scan --history DIR`."),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to FILE instead of stdout."),
) -> None:
    """List stored runs, oldest first: time, complete or not, findings by severity, new since the run before.

    Example: blastscope history audits/
    """
    from auditor.uses.history import History

    fmt = fmt.lower()
    if fmt not in ("text", "json"):
        raise UsageError(f"--format: unknown format {fmt!r} (choose from text, json)")
    if output is not None:
        check_output_path(output)
    store = History(directory)
    entries = store.entries()
    for warning in store.warnings:
        err_console.print(f"blastscope: warning: history: {printable(warning)}", markup=False)
    if fmt == "json":
        rows = [
            {
                "name": e.name,
                "path": str(e.path),
                "created_at": e.created_at,
                "complete": e.complete,
                "gaps": len(e.run.get("gaps", [])),
                "resources": e.run.get("resources"),
                "by_severity": e.counts(),
                "new_findings": e.run.get("new_findings"),
                "base": e.run.get("base"),
                "exit_code": e.run.get("exit_code"),
            }
            for e in entries
        ]
        write_output(json.dumps({"history": str(directory), "runs": rows}, indent=2) + "\n", output)
        return
    if not entries:
        write_output(f"{directory}: no runs stored yet\n", output)
        return
    header = (
        f"{'run':<20} {'state':<20} {'resources':>9} " + " ".join(f"{s:>8}" for s in SEVERITIES) + f" {'new':>5}  base"
    )
    lines = [header]
    for e in entries:
        counts = e.counts()
        gaps = len(e.run.get("gaps", []))
        state = "complete" if e.complete else f"INCOMPLETE ({gaps} gap{'' if gaps == 1 else 's'})"
        new = e.run.get("new_findings")
        lines.append(
            printable(f"{e.name:<20} {state:<20} {e.run.get('resources', '?')!s:>9} ")
            + " ".join(f"{counts[s]:>8}" for s in SEVERITIES)
            + printable(f" {'' if new is None else new!s:>5}  {e.run.get('base') or '-'}")
        )
    last = next((e for e in reversed(entries) if e.complete), None)
    lines.append("")
    lines.append(printable(f"{len(entries)} run(s); last complete: {last.name if last else 'none'}"))
    write_output("\n".join(lines) + "\n", output)


@dataclass
class _Side:
    """One side of a diff: a history entry's recorded audit, or a file still to be audited."""

    label: str
    resources: list
    findings: list
    gaps: list[str]
    file: str | None = None  # a file to load and audit (`_audit_files`)


def _side(arg: str) -> _Side:
    """A history entry (its recorded findings), or any source file, audited later."""
    from auditor.io.files import read_json
    from auditor.uses.history import ENTRY_FORMAT, Entry

    path = Path(arg)
    if path.is_dir():
        run_file = path / "run.json"
        run: Any = read_json(run_file) if run_file.exists() else None
        if not isinstance(run, dict) or run.get("format") != ENTRY_FORMAT:
            raise UsageError(
                f"{arg}: a directory, but not a history entry (pick one of the runs `blastscope history` lists)"
            )
        entry = Entry(path, run)
        return _Side(
            entry.name,
            entry.snapshot().resources,
            entry.findings(),
            list(run.get("gaps") or ([] if entry.complete else ["the run was incomplete"])),
        )
    return _Side(str(path), [], [], [], file=arg)


def _taken(source: Any, now: datetime | None) -> datetime | None:
    """When to audit a file: at --now, else at the snapshot's own time (else the clock)."""
    from auditor.io.resources import to_utc

    taken = source.meta.get("snapshot_created_at")
    if now is None and isinstance(taken, str):
        try:
            return to_utc(taken)
        except ValueError:
            return None
    return now


def _audit_files(old: _Side, new: _Side, policy_file: Path | None, now: datetime | None) -> None:
    """Load and audit the sides that are files with the policy. Two files are loaded and audited
    as a pair: the later one reuses what it shares with the earlier one (engine/incremental.py)."""
    from auditor.core.source import Source
    from auditor.engine.audit import AuditResult, audit
    from auditor.engine.incremental import audit_pair, load_pair
    from auditor.engine.sources import load_file
    from auditor.io.policy_file import load_policy

    files = [side for side in (old, new) if side.file is not None]
    sources: list[Source] = []
    results: list[AuditResult] = []
    if len(files) == 2:
        assert old.file is not None and new.file is not None
        sources = list(load_pair(old.file, new.file))
        policy = load_policy(policy_file)
        results = list(
            audit_pair(
                [sources[0]], [sources[1]], policy, old_now=_taken(sources[0], now), new_now=_taken(sources[1], now)
            )
        )
    elif files:
        assert files[0].file is not None
        sources = [load_file(files[0].file)]
        results = [audit(sources, load_policy(policy_file), now=_taken(sources[0], now))]
    for side, source, result in zip(files, sources, results, strict=True):
        side.resources, side.findings, side.gaps = source.resources, result.findings, result.gaps


@app.command("diff")
@handle_errors
def diff_cmd(
    old: str = typer.Argument(
        ..., metavar="OLD", help="Snapshot, inventory, plan/state file, or a history entry directory."
    ),
    new: str = typer.Argument(..., metavar="NEW", help="Same kinds as OLD."),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json | markdown"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to FILE instead of stdout."),
    policy_file: Path | None = typer.Option(
        None, "--policy", "-p", help="Policy for files that are audited (default: .blastscope.yaml if present)."
    ),
    now: str | None = typer.Option(
        None, "--now", help="Pin 'now' for auditing files (default: a snapshot's own time, else the clock)."
    ),
    fail_on: FailOn = typer.Option(
        FailOn.high,
        "--fail-on",
        help="Exit 1 when NEW has new findings at or above this severity.",
        case_sensitive=False,
    ),
) -> None:
    """Resources and relations added/removed/changed, and findings new/resolved/changed severity.

    Example: blastscope diff audits/20261124T030000Z audits/20261125T030000Z --format markdown
    """
    from auditor.reports.diff_report import DIFF_FORMATS, render_diff
    from auditor.uses.diff import diff
    from auditor.uses.scheduled import new_failing

    fmt = fmt.lower()
    if fmt not in DIFF_FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (choose from {', '.join(DIFF_FORMATS)})")
    if output is not None:
        check_output_path(output, [old, new])
    pinned = parse_now(now)
    before, after = _side(old), _side(new)
    _audit_files(before, after, policy_file, pinned)
    changes = diff(
        before.resources,
        after.resources,
        before.findings,
        after.findings,
        old_label=before.label,
        new_label=after.label,
        old_gaps=before.gaps,
        new_gaps=after.gaps,
    )
    write_output(render_diff(changes, fmt), output)
    if not changes.complete:
        raise typer.Exit(3)
    raise typer.Exit(1 if new_failing(changes, fail_on.value, None) else 0)
