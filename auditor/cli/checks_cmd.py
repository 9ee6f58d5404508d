"""`blastscope checks` and `blastscope explain ID`."""

from __future__ import annotations

import difflib

import typer
from rich.console import Console
from rich.table import Table

from auditor.cli.app import app, handle_errors
from auditor.errors import UsageError
from checks import all_checks, get_check


@app.command("checks")
@handle_errors
def list_checks() -> None:
    """List every check: id, default severity, family and title."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("id", "severity", "family", "title"):
        table.add_column(column, no_wrap=column != "title")
    for check in all_checks():
        table.add_row(check.id, check.severity, check.family, check.title)
    Console(highlight=False, width=140).print(table)


@app.command()
@handle_errors
def explain(check_id: str = typer.Argument(..., metavar="ID", help="A check id from `blastscope checks`.")) -> None:
    """Explain one check: why it matters, how severity is chosen, how to fix it."""
    check = get_check(check_id)
    if check is None:
        near = difflib.get_close_matches(check_id, [c.id for c in all_checks()], n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else " (see `blastscope checks`)"
        raise UsageError(f"unknown check {check_id!r}{hint}")
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
