"""`blastscope blast SOURCE NODE`: what one delete of NODE takes with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from auditor.blast import analysis
from auditor.blast_report import blast_json, blast_report, blast_text, resolve_node
from auditor.cli.app import app, handle_errors, write_output
from auditor.cli.sources import load_sources
from auditor.errors import UsageError
from auditor.audit import merge_sources
from auditor.graph import Topology
from auditor.policy import load_policy


@app.command()
@handle_errors
def blast(
    source: str = typer.Argument(..., metavar="SOURCE", help="inventory.yaml | snapshot.json | plan/state .json"),
    node: str = typer.Argument(..., metavar="NODE", help="Resource id (or unique name / id suffix)."),
    policy_file: Optional[Path] = typer.Option(None, "--policy", "-p", help="Policy file (tier patterns)."),
    fmt: str = typer.Option("text", "--format", "-f", help="text|json"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to FILE instead of stdout."),
) -> None:
    """Show what one delete of NODE destroys, which data loses every copy, and who can do it.

    Exits 1 when the delete would lose a dataset with no surviving copy, else 0.
    """
    if fmt not in ("text", "json"):
        raise UsageError(f"--format: blast supports text or json, not {fmt!r}")
    sources = load_sources([source])
    topo = Topology(merge_sources(sources))
    an = analysis(topo, load_policy(policy_file))
    report = blast_report(an, resolve_node(topo, node))
    text = json.dumps(blast_json(an, report), indent=2) + "\n" if fmt == "json" else blast_text(an, report)
    write_output(text, output)
    raise typer.Exit(1 if report.lost else 0)
