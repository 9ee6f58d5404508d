"""`blastscope checks` and `blastscope explain ID`."""

from __future__ import annotations

import typer

from auditor.cli.app import app, handle_errors


@app.command("checks")
@handle_errors
def list_checks() -> None:
    """List every check: id, default severity, family and title."""
    # imported here, not at start-up: `blastscope --help` needs none of it
    from rich.console import Console
    from rich.table import Table

    from auditor.engine.registry import check_registry

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
