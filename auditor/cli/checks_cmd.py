"""`blastscope checks` and `blastscope explain ID`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from auditor.cli.app import app, handle_errors

if TYPE_CHECKING:
    from auditor.core.checks import Check


def check_json(check: Check) -> dict:
    """What tools and docs need about a check (its metadata; the function stays out)."""
    return {
        "id": check.id,
        "title": check.title,
        "severity": check.severity,
        "family": check.family,
        "rationale": check.rationale,
        "remediation": check.remediation,
        "severity_note": check.severity_note,
        "references": list(check.references),
        "needs_plan": check.needs_plan,
    }


@app.command("checks")
@handle_errors
def list_checks(
    fmt: str = typer.Option(
        "text", "--format", "-f", metavar="FORMAT", help="text (a table) | json (every field of every check)."
    ),
) -> None:
    """List every check: id, default severity, family and title."""
    # imported here, not at start-up: `blastscope --help` needs none of it
    from rich.console import Console
    from rich.table import Table

    from auditor.core.errors import UsageError
    from auditor.engine.registry import check_registry

    fmt = fmt.lower()
    if fmt == "json":
        typer.echo(json.dumps([check_json(c) for c in check_registry()], indent=2, ensure_ascii=False))
        return
    if fmt != "text":
        raise UsageError(f"--format: checks lists as text or json, not {fmt!r}")
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("id", "severity", "family", "title"):
        table.add_column(column, no_wrap=column != "title")
    for check in check_registry():
        table.add_row(check.id, check.severity, check.family, check.title)
    Console(highlight=False, width=140).print(table)


@app.command()
@handle_errors
def explain(check_id: str = typer.Argument(..., metavar="ID", help="A check id from `blastscope checks`.")) -> None:
    """Explain one check: why it matters, how severity is chosen, how to fix it."""
    from auditor.engine.registry import check_registry

    check = check_registry().resolve([check_id], "explain")[0]
    lines = [
        f"{check.id} — {check.title}",
        f"  family:      {check.family}",
        f"  severity:    {check.severity}" + (f" ({check.severity_note})" if check.severity_note else ""),
        f"  why:         {check.rationale}",
        f"  fix:         {check.remediation}",
    ]
    if check.references:
        lines.append(f"  references:  {', '.join(check.references)}")
    typer.echo("\n".join(lines))
