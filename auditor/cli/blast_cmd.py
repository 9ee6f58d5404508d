"""`blastscope blast SOURCE NODE`: what one delete of NODE takes with it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from auditor.cli.app import app, handle_errors, write_output
from auditor.core.errors import UsageError
from auditor.io.files import check_output_path


@app.command()
@handle_errors
def blast(
    source: str = typer.Argument(..., metavar="SOURCE", help="inventory.yaml | snapshot.json | plan/state .json"),
    node: str = typer.Argument(..., metavar="NODE", help="Resource id (or unique name / id suffix)."),
    policy_file: Path | None = typer.Option(None, "--policy", "-p", help="Policy file (tier patterns)."),
    fmt: str = typer.Option("text", "--format", "-f", help="text|json"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to FILE instead of stdout."),
    render_file: Path | None = typer.Option(
        None, "--render", help="Also draw the delete's consequences to FILE (.svg, .png, .pdf, .dot, .mmd)."
    ),
) -> None:
    """Show what one delete of NODE destroys, which data loses every copy, and who can do it.

    Exits 1 when the delete would lose a dataset with no surviving copy, else 0.
    """
    # imported here, not at start-up: `blastscope --help` needs none of it
    from auditor.core.blast import analysis
    from auditor.core.topology import Topology
    from auditor.engine.audit import merge_sources
    from auditor.engine.sources import load_sources
    from auditor.io.policy_file import load_policy
    from auditor.uses.blast_query import blast_json, blast_report, blast_text, resolve_node

    fmt = fmt.lower()
    if fmt not in ("text", "json"):
        raise UsageError(f"--format: blast supports text or json, not {fmt!r}")
    for target in (output, render_file):
        if target is not None:
            check_output_path(target, [source])
    sources = load_sources([source])
    topo = Topology(merge_sources(sources))
    an = analysis(topo, load_policy(policy_file))
    report = blast_report(an, resolve_node(topo, node))
    text = json.dumps(blast_json(an, report), indent=2) + "\n" if fmt == "json" else blast_text(an, report)
    write_output(text, output)
    if render_file is not None:
        draw_blast(sources, an.policy, report.node, render_file)
    raise typer.Exit(1 if report.lost else 0)


def draw_blast(sources: list, policy, node: str, target: Path) -> None:  # type: ignore[no-untyped-def]
    """The destroyed resources lit up, with the copies at stake and the credentials that can do it."""
    from auditor.cli.render_cmd import RENDER_FORMATS, write_diagram
    from auditor.engine.audit import audit
    from auditor.render.diagram import build_diagram
    from auditor.render.highlight import blast_elements

    fmt = {"mmd": "mermaid", "gv": "dot"}.get(target.suffix.lower().lstrip("."), target.suffix.lower().lstrip("."))
    if fmt not in RENDER_FORMATS or fmt == "html":
        raise UsageError(f"--render: cannot tell the format from {target.name!r} (use .svg, .png, .pdf, .dot or .mmd)")
    result = audit(sources, policy)
    (nodes, edges), draw = blast_elements(result, policy, node)
    diagram = build_diagram(
        result, policy, select=draw, highlight=nodes, highlight_edges=edges, title=f"one delete of {result.label(node)}"
    )
    write_diagram(diagram, fmt, target)
